//! Security Hub routes (docs/terms.md, "Security Hub route"): GuardDuty →
//! Security Hub CSPM (in the source region, or aggregated into the home
//! region) → a rule on `Security Hub Findings - Imported` → SNS. A route
//! through Security Hub satisfies EVT001, ROUTE001 and ROUTE002; the SH rules
//! name the Security Hub link that breaks.

use crate::common::lines::rule_lines;
use crate::common::*;
use alertpath::inventory::*;
use alertpath::outcome::ResourceKind;
use alertpath::outcome::Status::*;

const UE: &str = "us-east-1";
const EW: &str = "eu-west-1";

/// The Security Hub console's suggested pattern for GuardDuty findings that
/// are still NEW.
const SH_NEW_PATTERN: &str = r#"{"source":["aws.securityhub"],"detail-type":["Security Hub Findings - Imported"],"detail":{"findings":{"ProductName":["GuardDuty"],"Workflow":{"Status":["NEW"]}}}}"#;
/// The same, ignoring the workflow status.
const SH_ANY_PATTERN: &str = r#"{"source":["aws.securityhub"],"detail-type":["Security Hub Findings - Imported"],"detail":{"findings":{"ProductName":["GuardDuty"]}}}"#;

fn hub(members: &[(&str, &str)], aggregators: Vec<FindingAggregator>) -> SecurityHubFacts {
    SecurityHubFacts {
        enabled: Known::Value(true),
        origin: Origin::default(),
        aggregators: Observed::Collected(aggregators),
        products: Some(Observed::Collected(vec![format!(
            "arn:aws:securityhub:{UE}:{ADMIN}:product-subscription/aws/guardduty"
        )])),
        members: Observed::Collected(
            members
                .iter()
                .map(|(a, s)| SecurityHubMember {
                    origin: Origin::default(),
                    account: Known::Value(a.to_string()),
                    status: Known::Value(s.to_string()),
                })
                .collect(),
        ),
        automation_rules: Observed::Collected(Vec::new()),
        administrator: None,
    }
}

fn aggregator(mode: &str, regions: &[&str]) -> FindingAggregator {
    FindingAggregator {
        origin: Origin::arn(format!(
            "arn:aws:securityhub:{UE}:{ADMIN}:finding-aggregator/agg-1"
        )),
        linking_mode: Known::Value(mode.into()),
        regions: Known::Value(regions.iter().map(|r| r.to_string()).collect()),
    }
}

fn sh_mut<'o>(org: &'o mut Org, account: &str, region: &str) -> &'o mut SecurityHubFacts {
    match &mut org.facts(account, region).security_hub {
        Some(Observed::Collected(sh)) => sh,
        _ => panic!("security hub not collected"),
    }
}

/// GuardDuty admin and Security Hub administrator `ADMIN` in us-east-1 (home)
/// and eu-west-1; the only finding rule is on Security Hub's imported
/// findings, in the home region; the aggregator links every region.
fn security_hub_org(pattern: &str, aggregator: FindingAggregator) -> Org {
    let mut org = Org::new()
        .account(ADMIN, &[UE, EW])
        .account(MEMBER, &[UE, EW])
        .admin(ADMIN, &[UE, EW])
        .detector(ADMIN, UE, "ENABLED", "FIFTEEN_MINUTES")
        .detector(ADMIN, EW, "ENABLED", "FIFTEEN_MINUTES")
        .detector(MEMBER, UE, "ENABLED", "FIFTEEN_MINUTES")
        .detector(MEMBER, EW, "ENABLED", "FIFTEEN_MINUTES")
        .healthy_chain(ADMIN, UE);
    let rule = org.rule_mut(ADMIN, UE, "guardduty-finding-events");
    rule.event_pattern = Known::Value(Some(pattern.into()));
    if let Some(org) = &mut org.inv.organization
        && let Observed::Collected(view) = &mut org.management_view
    {
        view.securityhub_admins = Some(Observed::Collected(vec![SecurityHubAdmin {
            account: Known::Value(ADMIN.into()),
            status: "ENABLED".into(),
            origin: Origin::default(),
        }]));
    }
    *sh_mut(&mut org, ADMIN, UE) = hub(&[(MEMBER, "Enabled")], vec![aggregator]);
    *sh_mut(&mut org, ADMIN, EW) = hub(&[(MEMBER, "Enabled")], Vec::new());
    org
}

fn suppress_all(order: i64) -> AutomationRule {
    AutomationRule {
        origin: Origin::arn(format!(
            "arn:aws:securityhub:{UE}:{ADMIN}:automation-rule/suppress-guardduty"
        )),
        name: Known::Value("suppress-guardduty".into()),
        status: Known::Value("ENABLED".into()),
        order: Known::Value(order),
        is_terminal: Known::Value(false),
        criteria: Known::Value(vec![AsffCriterion {
            field: "ProductName".into(),
            strings: vec![StringFilter {
                value: "GuardDuty".into(),
                comparison: "EQUALS".into(),
            }],
            numbers: Vec::new(),
            unsupported: false,
        }]),
        updates: Known::Value(FindingUpdates {
            workflow_status: Some("SUPPRESSED".into()),
            ..FindingUpdates::default()
        }),
    }
}

#[test]
fn an_org_whose_only_route_is_through_security_hub_passes_evt001_and_route() {
    let report = run(&security_hub_org(SH_NEW_PATTERN, aggregator("ALL_REGIONS", &[])).build());
    for rule in [
        "EVT001", "ROUTE001", "ROUTE002", "SH001", "SH002", "SH003", "SH004",
    ] {
        for region in [UE, EW] {
            assert_eq!(
                status_at(&report, rule, Some(ADMIN), Some(region), None),
                [Pass],
                "{rule} in {region}: {}",
                rule_lines(&report, rule)
            );
        }
    }
    insta::assert_snapshot!(rule_lines(&report, "EVT001"), @r#"
pass | 100000000002/eu-west-1/ | enabled rule guardduty-finding-events on the default bus of Security Hub administrator 100000000002 in us-east-1 matches the `Security Hub Findings - Imported` events of the imported sample findings of eu-west-1 (a Security Hub route)
pass | 100000000002/us-east-1/ | enabled rule guardduty-finding-events on the default bus of Security Hub administrator 100000000002 in us-east-1 matches the `Security Hub Findings - Imported` events of the imported sample findings of us-east-1 (a Security Hub route)
"#);
    // The pager path of eu-west-1 goes through Security Hub and the aggregator.
    let route = of(&report, "ROUTE001");
    let ew = route
        .iter()
        .find(|f| f.outcome.subject.region.as_deref() == Some(EW))
        .unwrap();
    let kinds: Vec<ResourceKind> = ew.outcome.path.iter().map(|h| h.kind).collect();
    assert_eq!(
        kinds,
        [
            ResourceKind::SecurityHub,
            ResourceKind::SecurityHubAggregator,
            ResourceKind::EventRule,
            ResourceKind::SnsTopic,
            ResourceKind::PagerdutyEndpoint
        ]
    );
}

#[test]
fn without_the_security_hub_facts_the_old_design_still_fails() {
    // The same org without Security Hub: the Security Hub pattern matches no
    // GuardDuty event, so EVT001 and ROUTE001 fail as before.
    let mut org = security_hub_org(SH_NEW_PATTERN, aggregator("ALL_REGIONS", &[]));
    for region in [UE, EW] {
        sh_mut(&mut org, ADMIN, region).enabled = Known::Value(false);
    }
    let report = run(&org.build());
    assert_eq!(
        status_at(&report, "ROUTE001", Some(ADMIN), Some(EW), None),
        [Fail]
    );
    assert_eq!(
        status_at(&report, "SH001", Some(ADMIN), Some(EW), None),
        [Fail]
    );
}

#[test]
fn unlinking_a_source_region_fails_sh002_and_route001_there() {
    let report =
        run(&security_hub_org(SH_NEW_PATTERN, aggregator("SPECIFIED_REGIONS", &[])).build());
    insta::assert_snapshot!(rule_lines(&report, "SH002"), @r#"
fail | 100000000002/eu-west-1/security-hub-aggregator/arn:aws:securityhub:us-east-1:100000000002:finding-aggregator/agg-1 | arn:aws:securityhub:us-east-1:100000000002:finding-aggregator/agg-1 does not link eu-west-1, so GuardDuty findings of eu-west-1 never reach us-east-1
pass | 100000000002/us-east-1/ | us-east-1 is the home region of the finding aggregator
"#);
    insta::assert_snapshot!(rule_lines(&report, "ROUTE001"), @r#"
fail | 100000000002/eu-west-1/ | 3 of 3 sample findings at or above severity 7 in eu-west-1 reach no pager endpoint: 7.0 Backdoor:EC2/C&CActivity.B, 8.0 CryptoCurrency:EC2/BitcoinTool.B!DNS, 9.5 Trojan:EC2/DNSDataExfiltration: arn:aws:securityhub:us-east-1:100000000002:finding-aggregator/agg-1 does not link eu-west-1, so GuardDuty findings of eu-west-1 never reach us-east-1 (SH002)
pass | 100000000002/us-east-1/ | every sample finding at or above severity 7 reaches a pager endpoint
"#);
    assert_eq!(
        status_at(&report, "ROUTE001", Some(ADMIN), Some(UE), None),
        [Pass]
    );
}

#[test]
fn a_member_that_is_not_enabled_breaks_its_findings() {
    let mut org = security_hub_org(SH_NEW_PATTERN, aggregator("ALL_REGIONS", &[]));
    sh_mut(&mut org, ADMIN, EW).members = Observed::Collected(vec![SecurityHubMember {
        origin: Origin::default(),
        account: Known::Value(MEMBER.into()),
        status: Known::Value("Invited".into()),
    }]);
    let report = run(&org.build());
    insta::assert_snapshot!(rule_lines(&report, "SH003"), @r#"
fail | 100000000002/eu-west-1/security-hub-member/100000000003 | account 100000000003 is a Security Hub member of 100000000002 with status Invited, not Enabled or Associated
pass | 100000000002/us-east-1/security-hub-member/100000000003 | account 100000000003 is an enabled Security Hub member of 100000000002 in us-east-1
"#);
    assert_eq!(
        status_at(&report, "ROUTE001", Some(ADMIN), Some(EW), None),
        [Fail]
    );
}

#[test]
fn an_integration_turned_off_fails_sh001() {
    let mut org = security_hub_org(SH_NEW_PATTERN, aggregator("ALL_REGIONS", &[]));
    sh_mut(&mut org, ADMIN, EW).products = Some(Observed::Collected(Vec::new()));
    let report = run(&org.build());
    insta::assert_snapshot!(rule_lines(&report, "SH001"), @r#"
fail | 100000000002/eu-west-1/security-hub/hub | the GuardDuty integration of Security Hub is off in eu-west-1 in administrator 100000000002 (no aws/guardduty product subscription)
pass | 100000000002/us-east-1/security-hub/hub | Security Hub of administrator 100000000002 imports the GuardDuty findings of us-east-1
"#);
    assert_eq!(
        status_at(&report, "ROUTE001", Some(ADMIN), Some(EW), None),
        [Fail]
    );
}

#[test]
fn a_suppressing_automation_rule_breaks_a_pattern_that_requires_new() {
    let mut org = security_hub_org(SH_NEW_PATTERN, aggregator("ALL_REGIONS", &[]));
    sh_mut(&mut org, ADMIN, UE).automation_rules = Observed::Collected(vec![suppress_all(1)]);
    let report = run(&org.build());
    insta::assert_snapshot!(rule_lines(&report, "SH004"), @r#"
fail | 100000000002/eu-west-1/security-hub-automation-rule/suppress-guardduty | Security Hub automation rules in us-east-1 change sample findings of eu-west-1 at or above pager.min_severity 7.0 before the event is sent: Backdoor:EC2/C&CActivity.B (severity 7.0): automation rule suppress-guardduty (sets Workflow.Status SUPPRESSED) takes it out of rule guardduty-finding-events's pattern in us-east-1; CryptoCurrency:EC2/BitcoinTool.B!DNS (severity 8.0): automation rule suppress-guardduty (sets Workflow.Status SUPPRESSED) takes it out of rule guardduty-finding-events's pattern in us-east-1; Trojan:EC2/DNSDataExfiltration (severity 9.5): automation rule suppress-guardduty (sets Workflow.Status SUPPRESSED) takes it out of rule guardduty-finding-events's pattern in us-east-1
fail | 100000000002/us-east-1/security-hub-automation-rule/suppress-guardduty | Security Hub automation rules in us-east-1 change sample findings of us-east-1 at or above pager.min_severity 7.0 before the event is sent: Backdoor:EC2/C&CActivity.B (severity 7.0): automation rule suppress-guardduty (sets Workflow.Status SUPPRESSED) takes it out of rule guardduty-finding-events's pattern in us-east-1; CryptoCurrency:EC2/BitcoinTool.B!DNS (severity 8.0): automation rule suppress-guardduty (sets Workflow.Status SUPPRESSED) takes it out of rule guardduty-finding-events's pattern in us-east-1; Trojan:EC2/DNSDataExfiltration (severity 9.5): automation rule suppress-guardduty (sets Workflow.Status SUPPRESSED) takes it out of rule guardduty-finding-events's pattern in us-east-1
"#);
    insta::assert_snapshot!(rule_lines(&report, "ROUTE001"), @r#"
fail | 100000000002/eu-west-1/ | 3 of 3 sample findings at or above severity 7 in eu-west-1 reach no pager endpoint: 7.0 Backdoor:EC2/C&CActivity.B, 8.0 CryptoCurrency:EC2/BitcoinTool.B!DNS, 9.5 Trojan:EC2/DNSDataExfiltration: automation rule suppress-guardduty (sets Workflow.Status SUPPRESSED) before the event is sent, so the imported finding no longer matches rule guardduty-finding-events (SH004)
fail | 100000000002/us-east-1/ | 3 of 3 sample findings at or above severity 7 in us-east-1 reach no pager endpoint: 7.0 Backdoor:EC2/C&CActivity.B, 8.0 CryptoCurrency:EC2/BitcoinTool.B!DNS, 9.5 Trojan:EC2/DNSDataExfiltration: automation rule suppress-guardduty (sets Workflow.Status SUPPRESSED) before the event is sent, so the imported finding no longer matches rule guardduty-finding-events (SH004)
"#);
}

#[test]
fn the_same_automation_rule_in_front_of_a_pattern_that_ignores_the_status_passes() {
    let mut org = security_hub_org(SH_ANY_PATTERN, aggregator("ALL_REGIONS", &[]));
    sh_mut(&mut org, ADMIN, UE).automation_rules = Observed::Collected(vec![suppress_all(1)]);
    let report = run(&org.build());
    insta::assert_snapshot!(rule_lines(&report, "SH004"), @r#"
pass | 100000000002/eu-west-1/ | automation rules change sample findings, but every EventBridge pattern that matched them still does
pass | 100000000002/us-east-1/ | automation rules change sample findings, but every EventBridge pattern that matched them still does
"#);
    for region in [UE, EW] {
        assert_eq!(
            status_at(&report, "ROUTE001", Some(ADMIN), Some(region), None),
            [Pass]
        );
    }
}

#[test]
fn a_terminal_rule_before_the_suppressing_one_keeps_the_route() {
    let mut org = security_hub_org(SH_NEW_PATTERN, aggregator("ALL_REGIONS", &[]));
    let mut first = suppress_all(1);
    first.name = Known::Value("note-guardduty".into());
    first.is_terminal = Known::Value(true);
    first.updates = Known::Value(FindingUpdates::default());
    sh_mut(&mut org, ADMIN, UE).automation_rules =
        Observed::Collected(vec![suppress_all(2), first]);
    let report = run(&org.build());
    for region in [UE, EW] {
        assert_eq!(
            status_at(&report, "ROUTE001", Some(ADMIN), Some(region), None),
            [Pass]
        );
    }
}

#[test]
fn a_snapshot_without_security_hub_facts_leaves_the_leg_not_assessed() {
    // An old snapshot: no `security_hub` anywhere, and the direct route fails.
    let mut org = security_hub_org(SH_NEW_PATTERN, aggregator("ALL_REGIONS", &[]));
    for account in [ADMIN, MEMBER] {
        for region in [UE, EW] {
            org.facts(account, region).security_hub = None;
        }
    }
    if let Some(o) = &mut org.inv.organization
        && let Observed::Collected(view) = &mut o.management_view
    {
        view.securityhub_admins = None;
    }
    let report = run(&org.build());
    for rule in ["EVT001", "ROUTE001", "SH001"] {
        assert_eq!(
            status_at(&report, rule, None, Some(EW), None)
                .into_iter()
                .chain(status_at(&report, rule, Some(ADMIN), Some(EW), None))
                .collect::<Vec<_>>(),
            [NotAssessed],
            "{rule}: {}",
            rule_lines(&report, rule)
        );
    }
}

#[test]
fn an_automation_rule_that_lowers_the_severity_breaks_a_high_only_pattern() {
    let high_only = r#"{"source":["aws.securityhub"],"detail-type":["Security Hub Findings - Imported"],"detail":{"findings":{"ProductName":["GuardDuty"],"Severity":{"Label":["HIGH","CRITICAL"]}}}}"#;
    let mut org = security_hub_org(high_only, aggregator("ALL_REGIONS", &[]));
    let mut lower = suppress_all(1);
    lower.name = Known::Value("downgrade-guardduty".into());
    lower.updates = Known::Value(FindingUpdates {
        severity_label: Some("LOW".into()),
        ..FindingUpdates::default()
    });
    sh_mut(&mut org, ADMIN, UE).automation_rules = Observed::Collected(vec![lower]);
    let report = run(&org.build());
    for region in [UE, EW] {
        assert_eq!(
            status_at(&report, "ROUTE001", Some(ADMIN), Some(region), None),
            [Fail]
        );
        assert_eq!(
            status_at(
                &report,
                "SH004",
                Some(ADMIN),
                Some(region),
                Some("downgrade-guardduty")
            ),
            [Fail]
        );
    }
}

#[test]
fn the_security_hub_administrator_can_come_from_config() {
    // No management view of Security Hub and no member list: nothing names
    // the administrator, so there is no Security Hub leg...
    let mut org = security_hub_org(SH_NEW_PATTERN, aggregator("ALL_REGIONS", &[]));
    if let Some(o) = &mut org.inv.organization
        && let Observed::Collected(view) = &mut o.management_view
    {
        view.securityhub_admins = None;
    }
    for region in [UE, EW] {
        sh_mut(&mut org, ADMIN, region).members = Observed::Collected(Vec::new());
    }
    let inv = org.build();
    let report = run(&inv);
    assert_eq!(statuses(&report, "SH003"), [NotApplicable, NotApplicable]);
    // ...until config names it: the leg is followed, and the member that is
    // not a Security Hub member breaks it.
    let mut config = alertpath::config::Config::default();
    config.security_hub.admin_account = Some(ADMIN.into());
    let report = run_with(&inv, &config);
    assert_eq!(
        status_at(&report, "SH003", Some(ADMIN), Some(EW), Some(MEMBER)),
        [Fail]
    );
    insta::assert_snapshot!(
        rule_lines(&report, "ROUTE001"),
        @r#"
fail | 100000000002/eu-west-1/ | 3 of 3 sample findings at or above severity 7 in eu-west-1 reach no pager endpoint: 7.0 Backdoor:EC2/C&CActivity.B, 8.0 CryptoCurrency:EC2/BitcoinTool.B!DNS, 9.5 Trojan:EC2/DNSDataExfiltration: account 100000000003 is not a Security Hub member of 100000000002 (SH003)
fail | 100000000002/us-east-1/ | 3 of 3 sample findings at or above severity 7 in us-east-1 reach no pager endpoint: 7.0 Backdoor:EC2/C&CActivity.B, 8.0 CryptoCurrency:EC2/BitcoinTool.B!DNS, 9.5 Trojan:EC2/DNSDataExfiltration: account 100000000003 is not a Security Hub member of 100000000002 (SH003)
"#
    );
}
