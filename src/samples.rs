//! Real-shaped sample events, as EventBridge delivers them, for exercising
//! event patterns and SNS filter policies.
//!
//! GuardDuty findings are in the shape the GuardDuty *administrator*
//! account's default bus receives them: top-level `account` is the admin
//! account `111111111111`, `detail.accountId` is the member `222222222222`,
//! `region` is `us-east-1`. CloudTrail events (`aws.signin`, `aws.iam`) are
//! as the member account `222222222222` receives them in `us-east-1`.

use serde_json::Value;

/// Member account used in the samples.
const SAMPLE_MEMBER_ACCOUNT: &str = "222222222222";

/// One embedded sample event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SampleEvent {
    /// File name of the sample (without directory).
    pub name: &'static str,
    /// The event JSON exactly as stored.
    pub json: &'static str,
}

impl SampleEvent {
    /// Parses the sample (samples are tested to be valid JSON; `Null` otherwise).
    pub fn value(&self) -> Value {
        serde_json::from_str(self.json).unwrap_or(Value::Null)
    }

    /// Returns the event rewritten for other accounts and region.
    ///
    /// Sets top-level `account` to `bus_account` and `region` to `region`.
    /// Inside `detail`, every occurrence of the sample member account in
    /// string values (`accountId`, `recipientAccountId`,
    /// `userIdentity.accountId`, ARNs, ...) becomes `member_account`, and
    /// `detail.region` (findings) / `detail.awsRegion` (CloudTrail) become
    /// `region`.
    pub(crate) fn with_accounts(
        &self,
        bus_account: &str,
        region: &str,
        member_account: &str,
    ) -> Value {
        let mut event = self.value();
        let Some(top) = event.as_object_mut() else {
            return event;
        };
        top.insert("account".into(), Value::String(bus_account.into()));
        top.insert("region".into(), Value::String(region.into()));
        if let Some(detail) = top.get_mut("detail") {
            replace_in_strings(detail, SAMPLE_MEMBER_ACCOUNT, member_account);
            if let Some(detail) = detail.as_object_mut() {
                for key in ["region", "awsRegion"] {
                    if let Some(slot) = detail.get_mut(key) {
                        *slot = Value::String(region.into());
                    }
                }
            }
        }
        event
    }
}

/// Replaces `from` with `to` in every string inside `value`.
fn replace_in_strings(value: &mut Value, from: &str, to: &str) {
    let mut stack = vec![value];
    while let Some(v) = stack.pop() {
        match v {
            Value::String(s) if s.contains(from) => *s = s.replace(from, to),
            Value::Array(items) => stack.extend(items.iter_mut()),
            Value::Object(map) => stack.extend(map.values_mut()),
            _ => {}
        }
    }
}

macro_rules! sample {
    ($file:literal) => {
        SampleEvent {
            name: $file,
            json: include_str!(concat!("../samples/events/", $file)),
        }
    };
}

static GUARDDUTY_FINDINGS: [SampleEvent; 5] = [
    sample!("guardduty-finding-sev2.0.json"),
    sample!("guardduty-finding-sev5.0.json"),
    sample!("guardduty-finding-sev7.0.json"),
    sample!("guardduty-finding-sev8.0.json"),
    sample!("guardduty-finding-sev9.5.json"),
];
static ROOT_CREDENTIAL_USAGE_FINDING: SampleEvent =
    sample!("guardduty-finding-root-credential-usage-sev2.0.json");
static ROOT_CONSOLE_SIGN_IN: SampleEvent = sample!("cloudtrail-root-console-sign-in.json");
static ROOT_API_CALL: SampleEvent = sample!("cloudtrail-root-api-call.json");
#[cfg(test)]
static NON_ROOT_SIGN_IN: SampleEvent = sample!("cloudtrail-iam-user-console-sign-in.json");

/// Severity-graded GuardDuty findings (2.0, 5.0, 7.0, 8.0, 9.5), ascending.
pub fn guardduty_findings() -> &'static [SampleEvent] {
    &GUARDDUTY_FINDINGS
}

/// A `Policy:IAMUser/RootCredentialUsage` finding at severity 2.0.
pub(crate) fn root_credential_usage_finding() -> &'static SampleEvent {
    &ROOT_CREDENTIAL_USAGE_FINDING
}

/// A root-user `ConsoleLogin` ("AWS Console Sign In via CloudTrail").
pub(crate) fn root_console_sign_in() -> &'static SampleEvent {
    &ROOT_CONSOLE_SIGN_IN
}

/// A root-user `iam:CreateUser` ("AWS API Call via CloudTrail").
pub(crate) fn root_api_call() -> &'static SampleEvent {
    &ROOT_API_CALL
}

/// An IAM-user (non-root) `ConsoleLogin` (tests: root rules must not match it).
#[cfg(test)]
pub(crate) fn non_root_sign_in() -> &'static SampleEvent {
    &NON_ROOT_SIGN_IN
}

/// GuardDuty finding severity of a sample (detail.severity), if it is a finding.
pub(crate) fn finding_severity(event: &Value) -> Option<f64> {
    let is_finding = event.get("source").and_then(Value::as_str) == Some("aws.guardduty")
        && event.get("detail-type").and_then(Value::as_str) == Some("GuardDuty Finding");
    if !is_finding {
        return None;
    }
    event.get("detail")?.get("severity")?.as_f64()
}

/// A finding's type and severity (0 when it has none).
fn finding_kind(event: &Value) -> (&str, f64) {
    let kind = event
        .pointer("/detail/type")
        .and_then(Value::as_str)
        .unwrap_or("GuardDuty finding");
    (kind, finding_severity(event).unwrap_or(0.0))
}

/// A finding for messages: `Backdoor:EC2/C&CActivity.B (severity 7.0)`.
pub(crate) fn finding_label(event: &Value) -> String {
    let (kind, severity) = finding_kind(event);
    format!("{kind} (severity {severity:.1})")
}

/// A finding for a list of findings: `7.0 Backdoor:EC2/C&CActivity.B`.
pub(crate) fn finding_short(event: &Value) -> String {
    let (kind, severity) = finding_kind(event);
    format!("{severity:.1} {kind}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pattern::EventPattern;

    /// Admin (delegated GuardDuty administrator) account used in the samples.
    const SAMPLE_ADMIN_ACCOUNT: &str = "111111111111";

    fn all() -> Vec<&'static SampleEvent> {
        let mut all: Vec<&SampleEvent> = guardduty_findings().iter().collect();
        all.extend([
            root_credential_usage_finding(),
            root_console_sign_in(),
            root_api_call(),
            non_root_sign_in(),
        ]);
        all
    }

    fn pattern(json: &str) -> EventPattern {
        EventPattern::parse(json).unwrap_or_else(|e| panic!("{json}: {e}"))
    }

    fn str_at<'a>(v: &'a Value, pointer: &str) -> Option<&'a str> {
        v.pointer(pointer).and_then(Value::as_str)
    }

    #[test]
    fn every_sample_parses_as_an_eventbridge_event() {
        for s in all() {
            let v: Value =
                serde_json::from_str(s.json).unwrap_or_else(|e| panic!("{}: {e}", s.name));
            assert_eq!(s.value(), v, "{}", s.name);
            for key in [
                "version",
                "id",
                "detail-type",
                "source",
                "account",
                "time",
                "region",
            ] {
                assert!(
                    v.get(key).is_some_and(Value::is_string),
                    "{}: {key}",
                    s.name
                );
            }
            assert!(
                v.get("resources").is_some_and(Value::is_array),
                "{}",
                s.name
            );
            assert!(v.get("detail").is_some_and(Value::is_object), "{}", s.name);
            assert_eq!(str_at(&v, "/region"), Some("us-east-1"), "{}", s.name);
        }
    }

    #[test]
    fn findings_have_admin_bus_shape_and_graded_severities() {
        let severities: Vec<f64> = guardduty_findings()
            .iter()
            .filter_map(|s| finding_severity(&s.value()))
            .collect();
        assert_eq!(severities, vec![2.0, 5.0, 7.0, 8.0, 9.5]);
        let mut types = Vec::new();
        for s in guardduty_findings()
            .iter()
            .chain([root_credential_usage_finding()])
        {
            let v = s.value();
            assert_eq!(
                str_at(&v, "/account"),
                Some(SAMPLE_ADMIN_ACCOUNT),
                "{}",
                s.name
            );
            assert_eq!(
                str_at(&v, "/detail/accountId"),
                Some(SAMPLE_MEMBER_ACCOUNT),
                "{}",
                s.name
            );
            assert!(
                s.name
                    .contains(&format!("sev{:.1}", finding_severity(&v).unwrap_or(-1.0)))
            );
            types.push(str_at(&v, "/detail/type").unwrap_or_default().to_string());
        }
        types.sort();
        types.dedup();
        assert_eq!(types.len(), 6, "{types:?}");
        let root = root_credential_usage_finding().value();
        assert_eq!(
            str_at(&root, "/detail/type"),
            Some("Policy:IAMUser/RootCredentialUsage")
        );
        assert_eq!(finding_severity(&root), Some(2.0));
    }

    #[test]
    fn cloudtrail_samples_have_expected_identity() {
        let cases = [
            (
                root_console_sign_in(),
                "AWS Console Sign In via CloudTrail",
                "aws.signin",
                "Root",
                "ConsoleLogin",
            ),
            (
                root_api_call(),
                "AWS API Call via CloudTrail",
                "aws.iam",
                "Root",
                "CreateUser",
            ),
            (
                non_root_sign_in(),
                "AWS Console Sign In via CloudTrail",
                "aws.signin",
                "IAMUser",
                "ConsoleLogin",
            ),
        ];
        for (s, detail_type, source, identity, event_name) in cases {
            let v = s.value();
            assert_eq!(str_at(&v, "/detail-type"), Some(detail_type), "{}", s.name);
            assert_eq!(str_at(&v, "/source"), Some(source), "{}", s.name);
            assert_eq!(
                str_at(&v, "/detail/userIdentity/type"),
                Some(identity),
                "{}",
                s.name
            );
            assert_eq!(
                str_at(&v, "/detail/eventName"),
                Some(event_name),
                "{}",
                s.name
            );
            assert_eq!(
                str_at(&v, "/detail/awsRegion"),
                Some("us-east-1"),
                "{}",
                s.name
            );
            assert_eq!(finding_severity(&v), None, "{}", s.name);
        }
    }

    #[test]
    fn all_findings_pattern_matches_all_findings_only() {
        let p = pattern(r#"{"source":["aws.guardduty"],"detail-type":["GuardDuty Finding"]}"#);
        for s in guardduty_findings()
            .iter()
            .chain([root_credential_usage_finding()])
        {
            assert!(p.matches(&s.value()), "{}", s.name);
        }
        for s in [root_console_sign_in(), root_api_call(), non_root_sign_in()] {
            assert!(!p.matches(&s.value()), "{}", s.name);
        }
    }

    #[test]
    fn high_severity_pattern_matches_only_7_and_above() {
        let p = pattern(
            r#"{"source":["aws.guardduty"],"detail-type":["GuardDuty Finding"],"detail":{"severity":[{"numeric":[">=",7]}]}}"#,
        );
        let matched: Vec<f64> = guardduty_findings()
            .iter()
            .map(SampleEvent::value)
            .filter(|v| p.matches(v))
            .filter_map(|v| finding_severity(&v))
            .collect();
        assert_eq!(matched, vec![7.0, 8.0, 9.5]);
        assert!(!p.matches(&root_credential_usage_finding().value()));
    }

    #[test]
    fn root_sign_in_pattern() {
        let p = pattern(
            r#"{"detail-type":["AWS Console Sign In via CloudTrail"],"detail":{"userIdentity":{"type":["Root"]}}}"#,
        );
        assert!(p.matches(&root_console_sign_in().value()));
        assert!(!p.matches(&non_root_sign_in().value()));
        assert!(!p.matches(&root_api_call().value()));
        let any_root = pattern(r#"{"detail":{"userIdentity":{"type":["Root"]}}}"#);
        assert!(any_root.matches(&root_api_call().value()));
        assert!(!any_root.matches(&root_credential_usage_finding().value()));
    }

    #[test]
    fn with_accounts_rewrites_findings() {
        let v = guardduty_findings()[3].with_accounts("333333333333", "eu-west-1", "444444444444");
        assert_eq!(str_at(&v, "/account"), Some("333333333333"));
        assert_eq!(str_at(&v, "/region"), Some("eu-west-1"));
        assert_eq!(str_at(&v, "/detail/accountId"), Some("444444444444"));
        assert_eq!(str_at(&v, "/detail/region"), Some("eu-west-1"));
        assert!(str_at(&v, "/detail/arn").is_some_and(|a| a.contains(":444444444444:")));
        assert!(!v.to_string().contains(SAMPLE_MEMBER_ACCOUNT));
        assert_eq!(finding_severity(&v), Some(8.0));
    }

    #[test]
    fn with_accounts_rewrites_cloudtrail() {
        let v = root_console_sign_in().with_accounts("555555555555", "us-west-2", "666666666666");
        assert_eq!(str_at(&v, "/account"), Some("555555555555"));
        assert_eq!(str_at(&v, "/region"), Some("us-west-2"));
        assert_eq!(
            str_at(&v, "/detail/recipientAccountId"),
            Some("666666666666")
        );
        assert_eq!(
            str_at(&v, "/detail/userIdentity/accountId"),
            Some("666666666666")
        );
        assert_eq!(str_at(&v, "/detail/awsRegion"), Some("us-west-2"));
        let p = pattern(
            r#"{"account":["555555555555"],"detail":{"recipientAccountId":["666666666666"]}}"#,
        );
        assert!(p.matches(&v));
    }
}
