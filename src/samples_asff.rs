//! The one owner of the ASFF wrapping: a GuardDuty sample finding as Security
//! Hub CSPM imports it and sends it to EventBridge (`source: aws.securityhub`,
//! `detail-type: Security Hub Findings - Imported`), in the AWS Security
//! Finding Format. Only Security Hub CSPM's ASFF events are modelled; the
//! newer OCSF "Findings Imported V2" events are not.

use serde_json::{Value, json};

use crate::samples;

/// The EventBridge detail-type of an ASFF finding event.
pub(crate) const IMPORTED_DETAIL_TYPE: &str = "Security Hub Findings - Imported";

/// GuardDuty's severity as Security Hub's `Severity.Label`: LOW (1.0–3.9),
/// MEDIUM (4.0–6.9), HIGH (7.0–8.9), CRITICAL (9.0–10.0), as GuardDuty's
/// Security Hub integration maps it.
pub(crate) fn severity_label(severity: f64) -> &'static str {
    if severity >= 9.0 {
        "CRITICAL"
    } else if severity >= 7.0 {
        "HIGH"
    } else if severity >= 4.0 {
        "MEDIUM"
    } else if severity > 0.0 {
        "LOW"
    } else {
        "INFORMATIONAL"
    }
}

/// The ASFF `Types` namespace GuardDuty's integration gives a finding, by its
/// threat purpose (the part of the type before `:`).
fn types_namespace(threat_purpose: &str) -> &'static str {
    match threat_purpose {
        "Backdoor" => "TTPs/Command and Control",
        "Behavior" => "Unusual Behaviors",
        "CryptoCurrency" => "Effects/Resource Consumption",
        "Discovery" | "Recon" => "TTPs/Discovery",
        "Exfiltration" => "Effects/Data Exfiltration",
        "Impact" => "Effects",
        "InitialAccess" => "TTPs/Initial Access",
        "Persistence" => "TTPs/Persistence",
        "Policy" => "Software and Configuration Checks/Policy",
        "PrivilegeEscalation" => "TTPs/Privilege Escalation",
        "Stealth" => "TTPs/Defense Evasion",
        "Trojan" => "TTPs/Execution",
        "UnauthorizedAccess" => "TTPs/Initial Access",
        _ => "Unusual Behaviors",
    }
}

/// Wraps a GuardDuty finding event (as [`crate::samples`] builds it) as the
/// `Security Hub Findings - Imported` event the Security Hub administrator
/// `hub_account`'s default bus in `bus_region` receives: the finding was
/// generated in `detail.region` (its `ProductArn` names that region) and,
/// with cross-region aggregation, is delivered in the home region. `None`
/// when `event` is not a GuardDuty finding.
pub(crate) fn asff_finding_event(
    event: &Value,
    hub_account: &str,
    bus_region: &str,
) -> Option<Value> {
    let severity = samples::finding_severity(event)?;
    let detail = event.get("detail")?;
    let text = |key: &str| detail.get(key).and_then(Value::as_str).unwrap_or_default();
    let region = text("region");
    let partition = detail
        .get("partition")
        .and_then(Value::as_str)
        .unwrap_or("aws");
    let finding_type = text("type");
    let purpose = finding_type.split(':').next().unwrap_or_default();
    let asff_type = format!(
        "{}/{}",
        types_namespace(purpose),
        finding_type.replace('/', "-")
    );
    let label = severity_label(severity);
    let normalized = (severity * 10.0).round() as i64;
    let resource_type = detail
        .pointer("/resource/resourceType")
        .and_then(Value::as_str)
        .map(|t| match t {
            "Instance" => "AwsEc2Instance",
            "AccessKey" => "AwsIamAccessKey",
            "S3Bucket" => "AwsS3Bucket",
            _ => "Other",
        })
        .unwrap_or("Other");
    let finding = json!({
        "SchemaVersion": "2018-10-08",
        "Id": text("arn"),
        "ProductArn": format!("arn:{partition}:securityhub:{region}::product/aws/guardduty"),
        "ProductName": "GuardDuty",
        "CompanyName": "Amazon",
        "Region": region,
        "GeneratorId": format!("arn:{partition}:guardduty:{region}:{}:detector/{}", text("accountId"), "sample"),
        "AwsAccountId": text("accountId"),
        "Types": [asff_type],
        "FirstObservedAt": detail.pointer("/service/eventFirstSeen").cloned().unwrap_or(Value::Null),
        "LastObservedAt": detail.pointer("/service/eventLastSeen").cloned().unwrap_or(Value::Null),
        "CreatedAt": text("createdAt"),
        "UpdatedAt": text("updatedAt"),
        "Severity": {"Product": severity, "Label": label, "Normalized": normalized},
        "Title": text("title"),
        "Description": text("description"),
        "ProductFields": {"aws/guardduty/service/archived": "false"},
        "Resources": [{"Type": resource_type, "Id": text("arn"), "Partition": partition, "Region": region}],
        "WorkflowState": "NEW",
        "Workflow": {"Status": "NEW"},
        "RecordState": "ACTIVE",
        "FindingProviderFields": {"Severity": {"Label": label, "Original": format!("{severity:.1}")}, "Types": [finding_type]},
    });
    Some(json!({
        "version": "0",
        "id": event.get("id").cloned().unwrap_or(Value::Null),
        "detail-type": IMPORTED_DETAIL_TYPE,
        "source": "aws.securityhub",
        "account": hub_account,
        "time": event.get("time").cloned().unwrap_or(Value::Null),
        "region": bus_region,
        "resources": [finding.get("Id").cloned().unwrap_or(Value::Null)],
        "detail": {"findings": [finding]},
    }))
}

/// The one finding inside an ASFF event, mutable (automation rules update it).
pub(crate) fn asff_finding_mut(event: &mut Value) -> Option<&mut Value> {
    event.pointer_mut("/detail/findings/0")
}

/// The one finding inside an ASFF event.
#[cfg(test)]
pub(crate) fn asff_finding(event: &Value) -> Option<&Value> {
    event.pointer("/detail/findings/0")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pattern::EventPattern;

    fn wrapped(index: usize) -> Value {
        let sample = samples::guardduty_findings()[index].with_accounts(
            "111111111111",
            "eu-west-1",
            "222222222222",
        );
        asff_finding_event(&sample, "333333333333", "us-east-1").unwrap_or(Value::Null)
    }

    #[test]
    fn a_finding_keeps_its_region_in_the_product_arn_and_lands_on_the_home_bus() {
        let event = wrapped(2);
        assert_eq!(event["account"], "333333333333");
        assert_eq!(event["region"], "us-east-1");
        let finding = asff_finding(&event).cloned().unwrap_or(Value::Null);
        assert_eq!(
            finding["ProductArn"],
            "arn:aws:securityhub:eu-west-1::product/aws/guardduty"
        );
        assert_eq!(finding["AwsAccountId"], "222222222222");
        assert_eq!(finding["Region"], "eu-west-1");
        assert_eq!(finding["Severity"]["Label"], "HIGH");
        assert_eq!(finding["Severity"]["Normalized"], 70);
        assert_eq!(
            finding["Types"][0],
            "TTPs/Command and Control/Backdoor:EC2-C&CActivity.B"
        );
    }

    #[test]
    fn the_documented_console_pattern_matches_high_and_critical_only() {
        // The pattern the Security Hub console suggests for GuardDuty findings.
        let pattern = EventPattern::parse(
            r#"{"source":["aws.securityhub"],"detail-type":["Security Hub Findings - Imported"],"detail":{"findings":{"ProductName":["GuardDuty"],"Severity":{"Label":["HIGH","CRITICAL"]},"Workflow":{"Status":["NEW"]}}}}"#,
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let labels: Vec<bool> = (0..5).map(|i| pattern.matches(&wrapped(i))).collect();
        assert_eq!(labels, [false, false, true, true, true]);
    }

    #[test]
    fn severity_labels_follow_guardduty_bands() {
        assert_eq!(severity_label(2.0), "LOW");
        assert_eq!(severity_label(5.0), "MEDIUM");
        assert_eq!(severity_label(8.9), "HIGH");
        assert_eq!(severity_label(9.5), "CRITICAL");
    }

    #[test]
    fn a_non_finding_is_not_wrapped() {
        let event = samples::root_console_sign_in().value();
        assert!(asff_finding_event(&event, "1", "us-east-1").is_none());
    }
}
