//! ARNs Terraform only knows after apply but that follow from a resource's
//! name, account and region, and their substitution into the policies that
//! name them (`resources = [aws_sns_topic.t.arn]`, `aws:SourceArn =
//! aws_cloudwatch_event_rule.gd.arn`). [`derive`] is the one place such an ARN
//! is built, for plan and HCL alike. A KMS key's ARN holds an id AWS assigns,
//! so it is never derived.

use std::collections::HashMap;

use serde_json::Value;

use super::access::req_str;
use super::resources::bus_name;
use crate::inventory::arn::partition_of_region;
use crate::inventory::{Known, Observed, RegionFacts};
use crate::source::terraform::model::{ArnPart, Mode, TfResource};

/// The ARN of a managed resource of type `kind` named `name` (on event bus
/// `bus` for rules) in `account` and `region`; `None` for types whose ARN
/// does not follow from the name.
pub(super) fn derive(
    kind: &str,
    name: &str,
    bus: &str,
    account: &str,
    region: &str,
) -> Option<String> {
    let p = partition_of_region(region);
    Some(match kind {
        "aws_sns_topic" => format!("arn:{p}:sns:{region}:{account}:{name}"),
        "aws_lambda_function" => format!("arn:{p}:lambda:{region}:{account}:function:{name}"),
        "aws_cloudwatch_event_rule" if bus == "default" => {
            format!("arn:{p}:events:{region}:{account}:rule/{name}")
        }
        "aws_cloudwatch_event_rule" => {
            format!("arn:{p}:events:{region}:{account}:rule/{bus}/{name}")
        }
        "aws_cloudwatch_metric_alarm" => {
            format!("arn:{p}:cloudwatch:{region}:{account}:alarm:{name}")
        }
        "aws_kms_alias" => format!("arn:{p}:kms:{region}:{account}:{name}"),
        "aws_cloudwatch_log_group" => {
            format!("arn:{p}:logs:{region}:{account}:log-group:{name}")
        }
        _ => return None,
    })
}

/// The attribute holding the name an ARN of `kind` is built from.
fn name_attribute(kind: &str) -> Option<&'static str> {
    match kind {
        "aws_sns_topic"
        | "aws_cloudwatch_event_rule"
        | "aws_kms_alias"
        | "aws_cloudwatch_log_group" => Some("name"),
        "aws_lambda_function" => Some("function_name"),
        "aws_cloudwatch_metric_alarm" => Some("alarm_name"),
        _ => None,
    }
}

/// A resource's ARN: its own when known, else derived from its name.
pub(super) fn of_resource(r: &TfResource, account: &str, region: &str) -> Option<String> {
    if r.mode != Mode::Managed {
        return None;
    }
    if let Known::Value(arn) = req_str(r, "arn") {
        return Some(arn);
    }
    let name = req_str(r, name_attribute(&r.kind)?);
    derive(&r.kind, name.value()?, &bus_name(r), account, region)
}

/// Fill in the unknown ARNs of topics, functions, rules and alarms whose
/// names are known.
pub(super) fn derive_facts(facts: &mut RegionFacts, account: &str, region: &str) {
    let fill = |arn: &mut Known<String>, name: &Known<String>, kind: &str, bus: &str| {
        if let (Known::Unknown(_), Known::Value(n)) = (&*arn, name)
            && let Some(derived) = derive(kind, n, bus, account, region)
        {
            *arn = Known::Value(derived);
        }
    };
    if let Observed::Collected(topics) = &mut facts.topics {
        for t in topics {
            fill(&mut t.arn, &t.name, "aws_sns_topic", "");
        }
    }
    if let Observed::Collected(functions) = &mut facts.functions {
        for f in functions {
            fill(&mut f.arn, &f.name, "aws_lambda_function", "");
        }
    }
    if let Observed::Collected(rules) = &mut facts.event_rules {
        for r in rules {
            let bus = r.event_bus.clone();
            fill(&mut r.arn, &r.name, "aws_cloudwatch_event_rule", &bus);
        }
    }
    if let Observed::Collected(alarms) = &mut facts.alarms {
        for a in alarms {
            fill(&mut a.arn, &a.name, "aws_cloudwatch_metric_alarm", "");
        }
    }
}

/// The attributes ARNs are substituted into, by resource type: policies, and
/// the log group a trail delivers to (`"${aws_cloudwatch_log_group.t.arn}:*"`).
const POLICIES: &[(Mode, &str, &str)] = &[
    (Mode::Managed, "aws_sns_topic", "policy"),
    (Mode::Managed, "aws_sns_topic_policy", "policy"),
    (Mode::Data, "aws_iam_policy_document", "json"),
    (
        Mode::Managed,
        "aws_cloudtrail",
        "cloud_watch_logs_group_arn",
    ),
];

/// `r` with the ARNs its policies name substituted from `arns` (address →
/// ARN), when that makes a policy known; `None` when nothing changes.
pub(super) fn substitute(r: &TfResource, arns: &HashMap<&str, String>) -> Option<TfResource> {
    let mut out: Option<TfResource> = None;
    for (mode, kind, attribute) in POLICIES {
        if r.mode != *mode || r.kind != *kind || !r.is_unknown(attribute) {
            continue;
        }
        let Some(parts) = r.arn_templates.get(*attribute) else {
            continue;
        };
        let Some(text) = fill(parts, arns) else {
            continue;
        };
        let done = out.get_or_insert_with(|| r.clone());
        if let Some(values) = done.values.as_object_mut() {
            values.insert((*attribute).to_string(), Value::String(text));
        } else {
            continue;
        }
        if let Some(unknown) = done.unknown.as_object_mut() {
            unknown.remove(*attribute);
        }
        done.unknown_kind.remove(*attribute);
        done.arn_templates.remove(*attribute);
    }
    out
}

/// The text of `parts` with each ARN written JSON-escaped; `None` when one
/// is not known.
fn fill(parts: &[ArnPart], arns: &HashMap<&str, String>) -> Option<String> {
    let mut text = String::new();
    for part in parts {
        match part {
            ArnPart::Text(t) => text.push_str(t),
            ArnPart::Arn(address) => {
                let quoted = serde_json::to_string(arns.get(address.as_str())?).ok()?;
                text.push_str(quoted.get(1..quoted.len().saturating_sub(1))?);
            }
        }
    }
    Some(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_on_a_custom_bus_name_it() {
        assert_eq!(
            derive(
                "aws_cloudwatch_event_rule",
                "gd",
                "audit",
                "111111111111",
                "us-west-2"
            )
            .as_deref(),
            Some("arn:aws:events:us-west-2:111111111111:rule/audit/gd")
        );
        assert_eq!(
            derive("aws_sns_topic", "t", "", "111111111111", "cn-north-1").as_deref(),
            Some("arn:aws-cn:sns:cn-north-1:111111111111:t")
        );
        assert_eq!(
            derive(
                "aws_cloudwatch_metric_alarm",
                "gd-failed",
                "",
                "1",
                "us-east-1"
            )
            .as_deref(),
            Some("arn:aws:cloudwatch:us-east-1:1:alarm:gd-failed")
        );
        assert_eq!(
            derive("aws_lambda_function", "notify", "", "1", "us-gov-west-1").as_deref(),
            Some("arn:aws-us-gov:lambda:us-gov-west-1:1:function:notify")
        );
        assert_eq!(
            derive("aws_kms_alias", "alias/sns", "", "1", "us-east-1").as_deref(),
            Some("arn:aws:kms:us-east-1:1:alias/sns")
        );
        // A key's ARN holds the id AWS assigns.
        assert_eq!(derive("aws_kms_key", "k", "", "1", "us-east-1"), None);
    }

    #[test]
    fn a_policy_is_filled_only_when_every_arn_is_known() {
        let parts = vec![
            ArnPart::Text("{\"Resource\":\"".into()),
            ArnPart::Arn("aws_sns_topic.t".into()),
            ArnPart::Text("\",\"SourceArn\":\"".into()),
            ArnPart::Arn("aws_cloudwatch_event_rule.gd".into()),
            ArnPart::Text("\"}".into()),
        ];
        let mut arns = HashMap::new();
        arns.insert("aws_sns_topic.t", "arn:aws:sns:us-west-2:1:t".to_string());
        assert_eq!(fill(&parts, &arns), None);
        arns.insert(
            "aws_cloudwatch_event_rule.gd",
            "arn:aws:events:us-west-2:1:rule/gd".to_string(),
        );
        assert_eq!(
            fill(&parts, &arns).as_deref(),
            Some(
                "{\"Resource\":\"arn:aws:sns:us-west-2:1:t\",\"SourceArn\":\"arn:aws:events:us-west-2:1:rule/gd\"}"
            )
        );
    }
}
