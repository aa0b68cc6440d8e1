//! GD006 (GuardDuty suppression rules) and what ROUTE makes of them: a
//! suppressed sample reaches nothing, and the filter is its first broken link.
//! Plus the ROUTE hints: paths alertpath sees in the admin account but does
//! not follow, named in every output format.

use crate::common::chain::*;
use crate::common::lines::rule_lines;
use crate::common::*;
use alertpath::config::Config;
use alertpath::inventory::*;
use alertpath::outcome::ResourceKind;
use alertpath::outcome::Status::*;
use alertpath::report::{Format, RenderOptions, render};

const UE: &str = "us-east-1";

/// A filter: (field, operator, values) criteria.
fn filter(name: &str, action: &str, criteria: &[(&str, &str, &[&str])]) -> GuardDutyFilter {
    GuardDutyFilter {
        origin: Origin::arn(format!(
            "arn:aws:guardduty:{UE}:{ADMIN}:detector/d1/filter/{name}"
        )),
        name: Known::Value(name.into()),
        action: Known::Value(action.into()),
        criteria: Known::Value(
            criteria
                .iter()
                .map(|(field, operator, values)| FilterCriterion {
                    field: field.to_string(),
                    conditions: vec![FilterCondition {
                        operator: operator.to_string(),
                        values: values.iter().map(|v| v.to_string()).collect(),
                    }],
                })
                .collect(),
        ),
    }
}

fn with_filters(filters: Vec<GuardDutyFilter>) -> Org {
    let mut org = healthy_org(UE);
    org.gd(ADMIN, UE).filters = Some(Observed::Collected(filters));
    org
}

fn pages() -> GuardDutyFilter {
    filter(
        "suppress-high-severity",
        "ARCHIVE",
        &[("severity", "GreaterThanOrEqual", &["7"])],
    )
}

fn noise() -> GuardDutyFilter {
    filter(
        "suppress-low-severity-noise",
        "ARCHIVE",
        &[("severity", "LessThan", &["4"])],
    )
}

#[test]
fn a_rule_on_high_severity_fails_gd006_and_route001_names_it() {
    let report = run(&with_filters(vec![pages()]).build());
    insta::assert_snapshot!(rule_lines(&report, "GD006"), @"fail | 100000000002/us-east-1/guardduty-filter/suppress-high-severity | suppression rule suppress-high-severity archives sample findings at or above pager.min_severity 7.0: Backdoor:EC2/C&CActivity.B (severity 7.0), CryptoCurrency:EC2/BitcoinTool.B!DNS (severity 8.0), Trojan:EC2/DNSDataExfiltration (severity 9.5); archived findings are never sent to EventBridge, so they page nobody");
    insta::assert_snapshot!(rule_lines(&report, "ROUTE001"), @"fail | 100000000002/us-east-1/ | 3 of 3 sample findings at or above severity 7 in us-east-1 reach no pager endpoint: 7.0 Backdoor:EC2/C&CActivity.B, 8.0 CryptoCurrency:EC2/BitcoinTool.B!DNS, 9.5 Trojan:EC2/DNSDataExfiltration: suppression rule suppress-high-severity (GuardDuty filter with action ARCHIVE) archives the finding, so it is never sent to EventBridge (GD006)");
    // The filter is the first (and only) hop of the path, and it is broken.
    let path = &of(&report, "ROUTE001")[0].outcome.path;
    assert_eq!(path.len(), 1);
    assert_eq!(path[0].kind, ResourceKind::GuarddutyFilter);
    assert_eq!(path[0].name, "suppress-high-severity");
    assert!(!path[0].ok);
    // The link rules still judge the chain behind it: nothing else moved.
    assert_eq!(
        status_at(&report, "SNS001", Some(ADMIN), Some(UE), Some("gd-pager")),
        [Pass]
    );
}

#[test]
fn a_rule_on_low_severity_passes_with_a_note_and_route002_names_it() {
    let report = run(&with_filters(vec![noise()]).build());
    insta::assert_snapshot!(rule_lines(&report, "GD006"), @"pass | 100000000002/us-east-1/guardduty-filter/suppress-low-severity-noise | note: suppression rule suppress-low-severity-noise hides only sample findings below pager.min_severity 7.0: UnauthorizedAccess:EC2/SSHBruteForce (severity 2.0); suppressing low-severity noise is normal, and if chat should not expect them, raise chat.min_severity (ROUTE002 names this rule for them)");
    assert_eq!(statuses(&report, "ROUTE001"), [Pass]);
    insta::assert_snapshot!(rule_lines(&report, "ROUTE002"), @"fail | 100000000002/us-east-1/ | 1 of 5 sample findings at or above severity 1 in us-east-1 reach no chat endpoint: 2.0 UnauthorizedAccess:EC2/SSHBruteForce: suppression rule suppress-low-severity-noise (GuardDuty filter with action ARCHIVE) archives the finding, so it is never sent to EventBridge (GD006)");
    // Raising chat.min_severity above the suppressed samples makes chat agree.
    let mut config = Config::default();
    config.chat.min_severity = 4.0;
    assert_eq!(
        statuses(
            &run_with(&with_filters(vec![noise()]).build(), &config),
            "ROUTE002"
        ),
        [Pass]
    );
}

#[test]
fn condition_semantics_decide_what_a_filter_hides() {
    // Deprecated operator names; NOOP filters hide nothing; Matches uses wildcards;
    // all criteria must hold.
    let cases: Vec<(GuardDutyFilter, alertpath::outcome::Status)> = vec![
        (
            filter("gte", "ARCHIVE", &[("severity", "Gte", &["8"])]),
            Fail,
        ),
        (filter("noop", "NOOP", &[("severity", "Gte", &["1"])]), Pass),
        (
            filter("trojans", "ARCHIVE", &[("type", "Matches", &["Trojan:*"])]),
            Fail,
        ),
        (
            filter(
                "not-trojans",
                "ARCHIVE",
                &[(
                    "type",
                    "NotMatches",
                    &["Trojan:*", "Backdoor:*", "CryptoCurrency:*"],
                )],
            ),
            Pass,
        ),
        (
            filter(
                "eq-type",
                "ARCHIVE",
                &[("type", "Eq", &["Recon:IAMUser/MaliciousIPCaller"])],
            ),
            Pass,
        ),
        (
            filter(
                "both",
                "ARCHIVE",
                &[
                    ("severity", "Gt", &["9"]),
                    ("resource.resourceType", "Equals", &["AccessKey"]),
                ],
            ),
            Pass,
        ),
        (
            filter(
                "instances",
                "ARCHIVE",
                &[("resource.resourceType", "Neq", &["AccessKey"])],
            ),
            Fail,
        ),
    ];
    for (f, want) in cases {
        let name = f.name.value().cloned().unwrap();
        let report = run(&with_filters(vec![f]).build());
        assert_eq!(
            statuses(&report, "GD006"),
            [want],
            "{name}: {}",
            rule_lines(&report, "GD006")
        );
    }
}

#[test]
fn a_field_the_samples_do_not_carry_is_not_assessed_and_named() {
    let f = filter(
        "s3-bucket",
        "ARCHIVE",
        &[("resource.s3BucketDetails.name", "Equals", &["logs"])],
    );
    let report = run(&with_filters(vec![f]).build());
    insta::assert_snapshot!(rule_lines(&report, "GD006"), @"not-assessed (not_observable) | 100000000002/us-east-1/guardduty-filter/s3-bucket | suppression rule s3-bucket: a criterion on field `resource.s3BucketDetails.name`, which the sample findings do not carry");
    assert_eq!(statuses(&report, "ROUTE001"), [NotAssessed]);
}

#[test]
fn denied_filters_are_scan003_and_leave_gd006_and_route_not_assessed() {
    let mut org = healthy_org(UE);
    org.gd(ADMIN, UE).filters = Some(Observed::Gap(denied("guardduty:ListFilters")));
    let report = run(&org.build());
    assert_eq!(statuses(&report, "GD006"), [NotAssessed]);
    assert_eq!(statuses(&report, "ROUTE001"), [NotAssessed]);
    assert_eq!(statuses(&report, "ROUTE002"), [NotAssessed]);
    let scan003: Vec<String> = of(&report, "SCAN003")
        .iter()
        .filter(|f| f.status() == NotAssessed)
        .map(|f| f.outcome.message.clone())
        .collect();
    assert!(
        scan003.iter().any(|m| m.contains("guardduty:ListFilters")),
        "{scan003:?}"
    );
}

#[test]
fn filters_not_collected_are_not_assessed_not_passed() {
    // A snapshot written before alertpath read filters has no `filters` field.
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/snapshots/healthy-org.json");
    let mut doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let mut removed = 0;
    for account in doc["accounts"].as_object_mut().unwrap().values_mut() {
        for slot in account["regions"].as_object_mut().unwrap().values_mut() {
            if let Some(gd) = slot
                .pointer_mut("/enabled/collected/guardduty/collected")
                .and_then(|g| g.as_object_mut())
            {
                removed += usize::from(gd.remove("filters").is_some());
            }
        }
    }
    assert!(removed >= 2, "the fixture's admin regions carry filters");
    let old = alertpath::source::snapshot::parse(&doc.to_string(), "old.json").unwrap();
    let report = run(&old);
    assert!(!statuses(&report, "GD006").is_empty());
    assert!(statuses(&report, "GD006").iter().all(|s| *s == NotAssessed));
    assert!(
        statuses(&report, "ROUTE001")
            .iter()
            .all(|s| *s == NotAssessed)
    );
    assert!(
        of(&report, "GD006")[0]
            .outcome
            .message
            .contains("were not collected"),
        "{}",
        rule_lines(&report, "GD006")
    );
}

#[test]
fn a_waiver_covers_gd006_but_never_a_route() {
    let config = with_waivers(vec![waiver("GD006", Some(ADMIN), Some(UE))]);
    let report = run_with(&with_filters(vec![pages()]).build(), &config);
    assert_eq!(statuses(&report, "GD006"), [Waived]);
    assert_eq!(statuses(&report, "ROUTE001"), [Fail]);
}

#[test]
fn the_root_credential_finding_is_suppressed_too() {
    // ROOT003's GuardDuty leg carries the 2.0 RootCredentialUsage sample: a
    // rule on severity < 4 archives it, so only the account's own rule counts.
    let with = run(&with_filters(vec![noise()]).build());
    let without = run(&healthy_org(UE).build());
    let root003 = |r: &alertpath::report::Report| status_at(r, "ROOT003", Some(ADMIN), None, None);
    assert_eq!(root003(&without), [Pass]);
    assert_eq!(root003(&with), [Fail], "{}", rule_lines(&with, "ROOT003"));
}

// --- Hints: paths alertpath sees but does not follow ---------------------------

/// The admin's finding rule sends only to `target_arn` (no topic): no route.
fn only_target(target_arn: &str) -> Org {
    let mut org = healthy_org(UE);
    let rule = org.rule_mut(ADMIN, UE, "guardduty-finding-events");
    rule.targets = Observed::Collected(vec![Target {
        origin: Origin::default(),
        id: Known::Value("other".into()),
        arn: Ref::arn(target_arn),
        role_arn: Known::Value(None),
        input_template: Known::Value(None),
        input: Known::Value(None),
        dead_letter_arn: Known::Value(None),
    }]);
    org
}

fn route001_message(org: Org) -> String {
    let report = run(&org.build());
    let f = of(&report, "ROUTE001")[0];
    assert_eq!(f.status(), Fail);
    f.outcome.message.clone()
}

#[test]
fn hint_names_an_unclassified_target() {
    for (arn, what) in [
        (
            format!("arn:aws:states:{UE}:{ADMIN}:stateMachine:triage"),
            "a Step Functions state machine",
        ),
        (
            format!("arn:aws:kinesis:{UE}:{ADMIN}:stream/siem"),
            "a Kinesis stream",
        ),
        (format!("arn:aws:sqs:{UE}:{ADMIN}:findings"), "an SQS queue"),
    ] {
        let message = route001_message(only_target(&arn));
        assert!(
            message.contains(&format!(
                "alertpath saw paths it does not follow: rule guardduty-finding-events sends it to {what} `{arn}`, which alertpath cannot classify"
            )),
            "{message}"
        );
    }
}

#[test]
fn hint_names_a_rule_managed_by_another_service() {
    let mut org = only_target(&format!("arn:aws:sqs:{UE}:{ADMIN}:findings"));
    org.facts(ADMIN, UE).event_rules = Observed::Collected({
        let mut rules = org
            .facts(ADMIN, UE)
            .event_rules
            .collected()
            .unwrap()
            .clone();
        let mut managed = rule(ADMIN, UE, "AutoScanManagedRule", FINDING_PATTERN, vec![]);
        managed.managed_by = Some("securityhub.amazonaws.com".into());
        rules.push(managed);
        rules
    });
    let message = route001_message(org);
    assert!(
        message.contains("EventBridge rule AutoScanManagedRule is managed by securityhub.amazonaws.com; what that service does with the finding is not modelled"),
        "{message}"
    );
}

#[test]
fn hint_names_an_sqs_subscription_on_a_topic() {
    let mut org = healthy_org(UE);
    for sub in org.subs_mut(ADMIN, UE, "gd-pager") {
        sub.protocol = Known::Value("sqs".into());
        sub.endpoint = Known::Value(format!("arn:aws:sqs:{UE}:{ADMIN}:pager-queue"));
    }
    let message = route001_message(org);
    assert!(
        message.contains(&format!(
            "topic gd-pager delivers it to a sqs subscription `arn:aws:sqs:{UE}:{ADMIN}:pager-queue`, read by code alertpath cannot classify"
        )),
        "{message}"
    );
}

/// An S3 export of findings, and a broken pager route.
fn s3_export() -> Org {
    let mut org = only_target(&format!("arn:aws:lambda:{UE}:{ADMIN}:function:missing"));
    org.gd(ADMIN, UE).publishing_destinations =
        Some(Observed::Collected(vec![PublishingDestination {
            origin: Origin::default(),
            id: Known::Value("7cb1a2".into()),
            destination_type: Known::Value("S3".into()),
            status: Known::Value("PUBLISHING".into()),
        }]));
    org
}

const S3_HINT: &str = "GuardDuty exports findings to S3 through publishing destination 7cb1a2 (PUBLISHING); whoever reads that export is not modelled";

#[test]
fn hint_names_an_s3_export_in_every_format() {
    let report = run(&s3_export().build());
    assert_eq!(statuses(&report, "ROUTE001"), [Fail]);
    let options = RenderOptions::default();
    for format in [Format::Text, Format::Json, Format::Markdown, Format::Sarif] {
        let text = render(&report, format, &options).unwrap();
        assert!(text.contains(S3_HINT), "{format:?} lacks the hint");
    }
    // SARIF: in the ROUTE001 result's message.
    let sarif: serde_json::Value =
        serde_json::from_str(&render(&report, Format::Sarif, &options).unwrap()).unwrap();
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    assert!(results.iter().any(|r| {
        r["ruleId"] == "ROUTE001"
            && r["message"]["text"]
                .as_str()
                .unwrap_or("")
                .contains(S3_HINT)
    }));
}

#[test]
fn no_hint_for_a_suppressed_finding_or_a_working_route() {
    // A suppressed finding reaches no integration, S3 export included.
    let mut org = s3_export();
    org.gd(ADMIN, UE).filters = Some(Observed::Collected(vec![pages()]));
    assert!(!route001_message(org).contains("alertpath saw paths"));
    // A working route needs no hint.
    let mut org = healthy_org(UE);
    org.gd(ADMIN, UE).publishing_destinations =
        s3_export().gd(ADMIN, UE).publishing_destinations.clone();
    let report = run(&org.build());
    assert_eq!(statuses(&report, "ROUTE001"), [Pass]);
}
