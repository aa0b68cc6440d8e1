//! ROUTE rules: end-to-end verdicts name the first broken link and its rule.

use crate::common::chain::*;
use crate::common::lines::rule_lines;
use crate::common::*;
use alertpath::inventory::*;
use alertpath::outcome::Status::*;
use alertpath::report::{Format, RenderOptions, render};

const UE: &str = "us-east-1";

fn route(report: &alertpath::report::Report, rule: &str) -> (alertpath::outcome::Status, String) {
    let findings = status_at(report, rule, Some(ADMIN), Some(UE), None);
    assert_eq!(findings.len(), 1, "{rule}: one region-level outcome");
    let f = of(report, rule)[0];
    (f.status(), f.outcome.message.clone())
}

#[test]
fn healthy_chain_passes_both_routes_with_a_path() {
    let report = run(&healthy_org(UE).build());
    for rule in ["ROUTE001", "ROUTE002"] {
        let (status, message) = route(&report, rule);
        assert_eq!(status, Pass, "{rule}: {message}");
        let f = of(&report, rule)[0];
        assert!(f.outcome.path.len() >= 3, "{rule} carries the walked path");
        assert!(f.outcome.path.iter().all(|h| h.ok));
    }
    assert_eq!(
        of(&report, "ROUTE001")[0].outcome.path.last().unwrap().kind,
        alertpath::outcome::ResourceKind::PagerdutyEndpoint
    );
    assert_eq!(
        of(&report, "ROUTE002")[0].outcome.path.last().unwrap().kind,
        alertpath::outcome::ResourceKind::Notifier
    );
}

#[test]
fn healthy_org_passes_every_rule() {
    let report = run(&healthy_org(UE).build());
    let bad: Vec<String> = report
        .findings
        .iter()
        .filter(|f| matches!(f.status(), Fail | NotAssessed))
        .map(|f| format!("{} {}", f.outcome.rule, f.outcome.message))
        .collect();
    assert!(bad.is_empty(), "{bad:#?}");
}

#[test]
fn disabled_rule_is_named() {
    let mut org = healthy_org(UE);
    org.rule_mut(ADMIN, UE, "guardduty-finding-events").state = Known::Value("DISABLED".into());
    let report = run(&org.build());
    insta::assert_snapshot!(rule_lines(&report, "ROUTE001"), @"fail | 100000000002/us-east-1/ | 3 of 3 sample findings at or above severity 7 in us-east-1 reach no pager endpoint: 7.0 Backdoor:EC2/C&CActivity.B, 8.0 CryptoCurrency:EC2/BitcoinTool.B!DNS, 9.5 Trojan:EC2/DNSDataExfiltration: rule guardduty-finding-events is DISABLED (EVT002)");
}

#[test]
fn enabled_with_cloudtrail_events_counts_as_enabled() {
    let mut org = healthy_org(UE);
    org.rule_mut(ADMIN, UE, "guardduty-finding-events").state =
        Known::Value("ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS".into());
    assert_eq!(route(&run(&org.build()), "ROUTE001").0, Pass);
}

#[test]
fn placeholder_topic_policy_breaks_the_pager_route_only() {
    let mut org = healthy_org(UE);
    let policy = publish_policy(ADMIN, "region", "gd-pager", &["events.amazonaws.com"]);
    org.topic_mut(ADMIN, UE, "gd-pager").policy = Known::Value(Some(policy));
    let report = run(&org.build());
    insta::assert_snapshot!(rule_lines(&report, "ROUTE001"), @"fail | 100000000002/us-east-1/ | 3 of 3 sample findings at or above severity 7 in us-east-1 reach no pager endpoint: 7.0 Backdoor:EC2/C&CActivity.B, 8.0 CryptoCurrency:EC2/BitcoinTool.B!DNS, 9.5 Trojan:EC2/DNSDataExfiltration: topic gd-pager's policy does not allow events.amazonaws.com to sns:Publish to arn:aws:sns:us-east-1:100000000002:gd-pager (its Resource holds a literal placeholder such as `arn:aws:sns:region:…`) (SNS001)");
    assert_eq!(
        route(&report, "ROUTE002").0,
        Pass,
        "one broken topic does not break chat"
    );
    let path = &of(&report, "ROUTE001")[0].outcome.path;
    let broken = path.iter().find(|h| !h.ok).unwrap();
    assert_eq!(
        (broken.kind.as_str(), broken.name.as_str()),
        ("sns-topic", "gd-pager")
    );
}

#[test]
fn pending_pager_subscription_is_named() {
    let mut org = healthy_org(UE);
    for sub in org.subs_mut(ADMIN, UE, "gd-pager") {
        sub.pending_confirmation = Known::Value(true);
    }
    insta::assert_snapshot!(rule_lines(&run(&org.build()), "ROUTE001"), @"fail | 100000000002/us-east-1/ | 3 of 3 sample findings at or above severity 7 in us-east-1 reach no pager endpoint: 7.0 Backdoor:EC2/C&CActivity.B, 8.0 CryptoCurrency:EC2/BitcoinTool.B!DNS, 9.5 Trojan:EC2/DNSDataExfiltration: subscription is PendingConfirmation and delivers nothing (SUB001)");
}

#[test]
fn no_matching_rule_fails_with_evt001() {
    let mut org = healthy_org(UE);
    org.rule_mut(ADMIN, UE, "guardduty-finding-events")
        .event_pattern = Known::Value(Some(r#"{"source":["aws.securityhub"]}"#.into()));
    insta::assert_snapshot!(rule_lines(&run(&org.build()), "ROUTE001"), @"fail | 100000000002/us-east-1/ | 3 of 3 sample findings at or above severity 7 in us-east-1 reach no pager endpoint: 7.0 Backdoor:EC2/C&CActivity.B, 8.0 CryptoCurrency:EC2/BitcoinTool.B!DNS, 9.5 Trojan:EC2/DNSDataExfiltration: no enabled rule on the bus matches the event (EVT001)");
}

#[test]
fn broken_notifier_breaks_chat_with_sub003() {
    let mut org = healthy_org(UE);
    org.function_mut(ADMIN, UE, "notify_slack")
        .reserved_concurrency = Known::Value(Some(0));
    let report = run(&org.build());
    insta::assert_snapshot!(rule_lines(&report, "ROUTE002"), @"fail | 100000000002/us-east-1/ | 5 of 5 sample findings at or above severity 1 in us-east-1 reach no chat endpoint: 2.0 UnauthorizedAccess:EC2/SSHBruteForce, 5.0 Recon:IAMUser/MaliciousIPCaller, 7.0 Backdoor:EC2/C&CActivity.B, 8.0 CryptoCurrency:EC2/BitcoinTool.B!DNS, 9.5 Trojan:EC2/DNSDataExfiltration: function notify_slack has reserved concurrency 0: it never runs (SUB003)");
    assert_eq!(route(&report, "ROUTE001").0, Pass);
}

#[test]
fn message_attribute_filter_drops_findings_sub006() {
    let mut org = healthy_org(UE);
    for sub in org.subs_mut(ADMIN, UE, "gd-slack") {
        sub.filter_policy = Known::Value(Some(r#"{"severity":[{"numeric":[">=",7]}]}"#.into()));
    }
    insta::assert_snapshot!(rule_lines(&run(&org.build()), "ROUTE002"), @"fail | 100000000002/us-east-1/ | 5 of 5 sample findings at or above severity 1 in us-east-1 reach no chat endpoint: 2.0 UnauthorizedAccess:EC2/SSHBruteForce, 5.0 Recon:IAMUser/MaliciousIPCaller, 7.0 Backdoor:EC2/C&CActivity.B, 8.0 CryptoCurrency:EC2/BitcoinTool.B!DNS, 9.5 Trojan:EC2/DNSDataExfiltration: filter policy is scoped to MessageAttributes, and EventBridge sets none: it drops every finding (SUB006)");
}

#[test]
fn body_filter_on_severity_satisfies_pager_but_not_chat_minimum() {
    let mut org = healthy_org(UE);
    for topic in ["gd-pager", "gd-slack"] {
        for sub in org.subs_mut(ADMIN, UE, topic) {
            sub.filter_policy = Known::Value(Some(
                r#"{"detail":{"severity":[{"numeric":[">=",7]}]}}"#.into(),
            ));
            sub.filter_policy_scope = Known::Value(Some("MessageBody".into()));
        }
    }
    let report = run(&org.build());
    assert_eq!(
        route(&report, "ROUTE001").0,
        Pass,
        "pager needs >= 7.0 only"
    );
    // Chat needs >= 1.0.
    insta::assert_snapshot!(rule_lines(&report, "ROUTE002"), @"fail | 100000000002/us-east-1/ | 2 of 5 sample findings at or above severity 1 in us-east-1 reach no chat endpoint: 2.0 UnauthorizedAccess:EC2/SSHBruteForce, 5.0 Recon:IAMUser/MaliciousIPCaller: filter policy drops this finding (SUB006)");
}

#[test]
fn unknown_policy_is_not_assessed_and_after_apply_does_not_cause_exit_3() {
    let mut org = healthy_org(UE);
    org.topic_mut(ADMIN, UE, "gd-pager").policy = Known::after_apply("aws_sns_topic.pager.policy");
    let report = run(&org.build());
    let f = of(&report, "ROUTE001")[0];
    assert_eq!(f.status(), NotAssessed);
    assert!(f.is_after_apply());
}

#[test]
fn topic_in_another_region_is_evt004() {
    let mut org = healthy_org(UE);
    let rule = org.rule_mut(ADMIN, UE, "guardduty-finding-events");
    if let Observed::Collected(targets) = &mut rule.targets {
        targets[0].arn = Ref::arn(topic_arn(ADMIN, "us-west-2", "gd-pager"));
    }
    let mut inv = org.build();
    inv.accounts.get_mut(ADMIN).unwrap().regions.insert(
        "us-west-2".into(),
        RegionSlot::Enabled(Box::new(Observed::Collected(RegionFacts {
            topics: Observed::Collected(vec![topic(ADMIN, "us-west-2", "gd-pager", None)]),
            ..RegionFacts::default()
        }))),
    );
    insta::assert_snapshot!(rule_lines(&run(&inv), "ROUTE001"), @"fail | 100000000002/us-east-1/ | 3 of 3 sample findings at or above severity 7 in us-east-1 reach no pager endpoint: 7.0 Backdoor:EC2/C&CActivity.B, 8.0 CryptoCurrency:EC2/BitcoinTool.B!DNS, 9.5 Trojan:EC2/DNSDataExfiltration: topic gd-pager is in us-west-2, but the rule is in us-east-1: EventBridge never delivers to an SNS topic in another region (EVT004)");
}

#[test]
fn waivers_never_change_a_route() {
    let mut org = healthy_org(UE);
    org.rule_mut(ADMIN, UE, "guardduty-finding-events").state = Known::Value("DISABLED".into());
    let inv = org.build();
    let report = run_with(
        &inv,
        &with_waivers(vec![waiver("ROUTE001", Some(ADMIN), Some(UE))]),
    );
    assert_eq!(route(&report, "ROUTE001").0, Fail);
}

#[test]
fn unknown_admin_is_not_assessed_and_no_admin_not_applicable() {
    let mut org = healthy_org(UE);
    org.gd(ADMIN, UE).organization_configuration = None;
    let mut inv = org.build();
    inv.organization.as_mut().unwrap().management_view =
        Observed::Gap(denied("guardduty:ListOrganizationAdminAccounts"));
    assert_eq!(statuses(&run(&inv), "ROUTE001"), vec![NotAssessed]);
    // With the view collected and no admin, the global region is still a source
    // region, and ROUTE defers to ORG001.
    inv.organization.as_mut().unwrap().management_view = Observed::Collected(ManagementView {
        guardduty_admins: [(UE.to_string(), Observed::Collected(vec![]))].into(),
        ..ManagementView::default()
    });
    let report = run(&inv);
    assert_eq!(statuses(&report, "ROUTE001"), vec![NotApplicable]);
    assert_eq!(statuses(&report, "ORG001"), vec![Fail]);
}

#[test]
fn route_text_snapshots() {
    let healthy = run(&healthy_org(UE).build());
    let mut org = healthy_org(UE);
    for sub in org.subs_mut(ADMIN, UE, "gd-pager") {
        sub.pending_confirmation = Known::Value(true);
    }
    let broken = run(&org.build());
    let only_routes = |mut r: alertpath::report::Report| {
        r.findings
            .retain(|f| f.outcome.rule.as_str().starts_with("ROUTE"));
        r.summary = alertpath::report::Summary::of(&r.findings);
        r
    };
    let options = RenderOptions::default();
    insta::assert_snapshot!(
        "route_healthy",
        render(&only_routes(healthy), Format::Text, &options).unwrap()
    );
    insta::assert_snapshot!(
        "route_broken",
        render(&only_routes(broken), Format::Text, &options).unwrap()
    );
}
