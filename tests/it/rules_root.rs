//! ROOT rules: fail, pass, not-assessed, not-applicable and waived outcomes.

use crate::common::chain::*;
use crate::common::*;
use alertpath::config::Config;
use alertpath::inventory::*;
use alertpath::outcome::Status::*;
use alertpath::report::Report;

const UE: &str = "us-east-1";
const EW: &str = "eu-west-1";

fn message(report: &Report, rule: &str, account: &str) -> String {
    of(report, rule)
        .into_iter()
        .filter(|f| f.outcome.subject.account.as_deref() == Some(account))
        .map(|f| f.outcome.message.clone())
        .collect::<Vec<_>>()
        .join("\n")
}

fn root001(report: &Report, account: &str) -> Vec<alertpath::outcome::Status> {
    status_at(report, "ROOT001", Some(account), Some(UE), None)
}

fn root003(report: &Report, account: &str) -> Vec<alertpath::outcome::Status> {
    status_at(report, "ROOT003", Some(account), None, None)
}

#[test]
fn healthy_org_passes_every_root_rule() {
    let report = run(&healthy_org(UE).build());
    for rule in ["ROOT001", "ROOT002", "ROOT003"] {
        assert_eq!(statuses(&report, rule), vec![Pass, Pass], "{rule}");
    }
    assert!(message(&report, "ROOT001", MEMBER).contains("gd-pager"));
}

// ---- ROOT001 ---------------------------------------------------------------

#[test]
fn root001_fails_when_the_central_rule_is_disabled() {
    let mut org = healthy_org(UE);
    org.rule_mut(ADMIN, UE, "root-sign-in").state = Known::Value("DISABLED".into());
    let report = run(&org.build());
    assert_eq!(root001(&report, ADMIN), vec![Fail]);
    assert_eq!(
        root001(&report, MEMBER),
        vec![Fail],
        "forwarded to a disabled rule"
    );
    assert!(message(&report, "ROOT001", MEMBER).contains("EVT002"));
}

#[test]
fn root001_fails_when_the_subscription_is_pending() {
    let mut org = healthy_org(UE);
    for sub in org.subs_mut(ADMIN, UE, "gd-pager") {
        sub.pending_confirmation = Known::Value(true);
    }
    let report = run(&org.build());
    assert_eq!(root001(&report, ADMIN), vec![Fail]);
    assert!(message(&report, "ROOT001", ADMIN).contains("SUB001"));
}

#[test]
fn root001_fails_when_the_central_bus_refuses_the_member() {
    let mut org = healthy_org(UE);
    org.facts(ADMIN, UE).event_buses = Observed::Collected(vec![EventBus {
        origin: Origin::default(),
        name: "default".into(),
        arn: Known::Value(format!("arn:aws:events:{UE}:{ADMIN}:event-bus/default")),
        policy: Known::Value(None),
    }]);
    let report = run(&org.build());
    assert_eq!(root001(&report, ADMIN), vec![Pass]);
    assert_eq!(root001(&report, MEMBER), vec![Fail]);
    assert!(message(&report, "ROOT001", MEMBER).contains("EVT004"));
}

#[test]
fn root001_unclassified_lambda_satisfies_nothing() {
    let mut org = healthy_org(UE);
    let other = "arn:aws:lambda:us-east-1:100000000002:function:other";
    org.rule_mut(ADMIN, UE, "root-sign-in").targets = Observed::Collected(vec![Target {
        arn: Ref::arn(other),
        ..target(ADMIN, UE, "gd-pager")
    }]);
    let mut f = notifier(ADMIN, UE, "other", "gd-slack");
    f.handler = Known::Value(Some("index.handler".into()));
    if let Observed::Collected(fs) = &mut org.facts(ADMIN, UE).functions {
        fs.push(f);
    }
    let report = run(&org.build());
    assert_eq!(root001(&report, ADMIN), vec![Fail]);
    assert!(message(&report, "ROOT001", ADMIN).contains("unclassified"));
}

#[test]
fn root001_gap_on_the_global_bus_is_not_assessed() {
    let mut org = healthy_org(UE);
    org.facts(ADMIN, UE).event_rules = Observed::Gap(denied("events:ListRules"));
    let report = run(&org.build());
    assert_eq!(root001(&report, ADMIN), vec![NotAssessed]);
    assert_eq!(
        root001(&report, MEMBER),
        vec![NotAssessed],
        "forwarded into a gap"
    );
}

#[test]
fn root001_unreadable_account_and_unscanned_global_region_are_not_assessed() {
    let mut inv = healthy_org(UE).account("100000000009", &[EW]).build();
    inv.accounts.get_mut(MEMBER).unwrap().access = Observed::Gap(denied("sts:AssumeRole"));
    let report = run(&inv);
    assert_eq!(
        status_at(&report, "ROOT001", Some(MEMBER), None, None),
        vec![NotAssessed]
    );
    assert_eq!(root001(&report, "100000000009"), vec![NotAssessed]);
    assert!(
        message(&report, "ROOT001", "100000000009")
            .contains("was not scanned (include it in --regions)")
    );
}

#[test]
fn root001_credentials_removed_is_not_applicable_and_says_so() {
    let mut org = healthy_org(UE);
    org.rule_mut(ADMIN, UE, "root-sign-in").state = Known::Value("DISABLED".into());
    let mut config = Config::default();
    config.root.credentials_removed = vec![MEMBER.into()];
    let report = run_with(&org.build(), &config);
    assert_eq!(root001(&report, MEMBER), vec![NotApplicable]);
    assert!(message(&report, "ROOT001", MEMBER).contains("credentials_removed"));
    assert_eq!(root001(&report, ADMIN), vec![Fail]);
}

#[test]
fn root001_waiver_marks_the_failure_waived() {
    let mut org = healthy_org(UE);
    org.rule_mut(ADMIN, UE, "root-sign-in").state = Known::Value("DISABLED".into());
    let config = with_waivers(vec![waiver("ROOT001", Some(MEMBER), None)]);
    let report = run_with(&org.build(), &config);
    assert_eq!(root001(&report, MEMBER), vec![Waived]);
    assert_eq!(root001(&report, ADMIN), vec![Fail]);
}

#[test]
fn root001_is_partition_aware() {
    let gov = "us-gov-west-1";
    let mut org = Org::new().account(ADMIN, &[gov]).healthy_chain(ADMIN, gov);
    org.inv.source.partition = "aws-us-gov".into();
    if let Observed::Collected(rules) = &mut org.facts(ADMIN, gov).event_rules {
        rules.push(rule(
            ADMIN,
            gov,
            "root-sign-in",
            ROOT_PATTERN,
            vec![target(ADMIN, gov, "gd-pager")],
        ));
    }
    let report = run(&org.build());
    assert_eq!(
        status_at(&report, "ROOT001", Some(ADMIN), Some(gov), None),
        vec![Pass]
    );
}

/// A trail in `owner`'s global region delivering to `/cloudtrail/org` with a
/// matching metric filter and an alarm on `gd-failover` (which `owner` must have).
fn with_trail(org: &mut Org, owner: &str, organization: bool) {
    let group = format!("arn:aws:logs:{UE}:{owner}:log-group:/cloudtrail/org:*");
    let facts = org.facts(owner, UE);
    facts.trails = Observed::Collected(vec![Trail {
        origin: Origin::default(),
        name: Known::Value("org-trail".into()),
        arn: Known::Value(format!("arn:aws:cloudtrail:{UE}:{owner}:trail/org-trail")),
        home_region: Known::Value(UE.into()),
        is_multi_region: Known::Value(true),
        is_organization_trail: Known::Value(organization),
        include_global_service_events: Known::Value(true),
        is_logging: Known::Value(true),
        cloudwatch_log_group_arn: Known::Value(Some(group)),
    }]);
    if let Observed::Collected(filters) = &mut facts.metric_filters {
        filters.push(MetricFilter {
            origin: Origin::default(),
            name: Known::Value("root-login".into()),
            log_group: Known::Value("/cloudtrail/org".into()),
            pattern: Known::Value(
                r#"{ $.userIdentity.type = "Root" && $.eventType = "AwsConsoleSignIn" }"#.into(),
            ),
            metrics: Known::Value(vec![MetricRef {
                namespace: "CISBenchmark".into(),
                name: "RootLogin".into(),
            }]),
        });
    }
    if let Observed::Collected(alarms) = &mut facts.alarms {
        alarms.push(alarm(
            owner,
            UE,
            "root-login",
            "CISBenchmark",
            "RootLogin",
            &[],
            "Sum",
            &["gd-failover"],
        ));
    }
}

fn without_root_rules(org: &mut Org) {
    if let Observed::Collected(rules) = &mut org.facts(ADMIN, UE).event_rules {
        rules.retain(|r| r.name.value().is_some_and(|n| n != "root-sign-in"));
    }
}

#[test]
fn root001_cloudtrail_metric_filter_and_alarm_cover_the_account() {
    let mut org = healthy_org(UE);
    without_root_rules(&mut org);
    with_trail(&mut org, ADMIN, false);
    let report = run(&org.build());
    assert_eq!(root001(&report, ADMIN), vec![Pass]);
    assert!(message(&report, "ROOT001", ADMIN).contains("CloudTrail"));
    assert_eq!(
        root001(&report, MEMBER),
        vec![Fail],
        "not an organization trail"
    );
}

#[test]
fn root001_organization_trail_in_the_management_account_counts() {
    let mut org = healthy_org(UE).account(MGMT, &[UE]).healthy_chain(MGMT, UE);
    without_root_rules(&mut org);
    if let Observed::Collected(rules) = &mut org.facts(MGMT, UE).event_rules {
        rules.retain(|r| r.name.value().is_some_and(|n| n != "root-sign-in"));
    }
    with_trail(&mut org, MGMT, true);
    let report = run(&org.build());
    assert_eq!(root001(&report, ADMIN), vec![Pass]);
    assert_eq!(root001(&report, MEMBER), vec![Pass]);
}

#[test]
fn root001_trail_that_cannot_see_sign_in_fails() {
    type Break = fn(&mut Trail, &mut MetricFilter);
    let cases: [(Break, &str); 4] = [
        (|t, _| t.is_logging = Known::Value(false), "not logging"),
        (
            |t, _| {
                t.is_multi_region = Known::Value(false);
                t.home_region = Known::Value(EW.into());
            },
            "single-region",
        ),
        (
            |_, f| f.pattern = Known::Value("\"AccessDenied\"".into()),
            "does not match",
        ),
        (
            |t, _| t.cloudwatch_log_group_arn = Known::Value(None),
            "no CloudWatch Logs",
        ),
    ];
    for (breaker, expect) in cases {
        let mut org = healthy_org(UE);
        without_root_rules(&mut org);
        with_trail(&mut org, ADMIN, false);
        let facts = org.facts(ADMIN, UE);
        let (Observed::Collected(trails), Observed::Collected(filters)) =
            (&mut facts.trails, &mut facts.metric_filters)
        else {
            panic!("collected");
        };
        let filter = filters
            .iter_mut()
            .find(|f| f.name.value().unwrap() == "root-login")
            .unwrap();
        breaker(&mut trails[0], filter);
        let report = run(&org.build());
        assert_eq!(root001(&report, ADMIN), vec![Fail], "{expect}");
        assert!(
            message(&report, "ROOT001", ADMIN).contains(expect),
            "{expect}"
        );
    }
}

#[test]
fn root001_unknown_trail_state_is_not_assessed() {
    let mut org = healthy_org(UE);
    without_root_rules(&mut org);
    with_trail(&mut org, ADMIN, false);
    if let Observed::Collected(trails) = &mut org.facts(ADMIN, UE).trails {
        trails[0].is_logging = Known::after_apply("aws_cloudtrail.org.enable_logging");
    }
    let report = run(&org.build());
    assert_eq!(root001(&report, ADMIN), vec![NotAssessed]);
}

// ---- ROOT002 ---------------------------------------------------------------

fn two_region_admin() -> Org {
    Org::new()
        .account(ADMIN, &[UE, EW])
        .admin(ADMIN, &[UE, EW])
        .healthy_chain(ADMIN, UE)
        .healthy_chain(ADMIN, EW)
}

#[test]
fn root002_fails_when_the_root_rule_is_only_outside_the_global_region() {
    let mut org = two_region_admin();
    without_root_rules(&mut org);
    if let Observed::Collected(rules) = &mut org.facts(ADMIN, EW).event_rules {
        rules.push(rule(
            ADMIN,
            EW,
            "root-sign-in",
            ROOT_PATTERN,
            vec![target(ADMIN, EW, "gd-pager")],
        ));
    }
    let report = run(&org.build());
    assert_eq!(
        status_at(&report, "ROOT002", Some(ADMIN), Some(UE), None),
        vec![Fail]
    );
    let msg = message(&report, "ROOT002", ADMIN);
    assert!(msg.contains("root-sign-in (eu-west-1)"), "{msg}");
}

#[test]
fn root002_passes_with_a_rule_in_the_global_region() {
    let report = run(&two_region_admin().build());
    assert_eq!(
        status_at(&report, "ROOT002", Some(ADMIN), Some(UE), None),
        vec![Pass]
    );
}

#[test]
fn root002_without_any_root_rule_is_not_applicable() {
    let mut org = two_region_admin();
    without_root_rules(&mut org);
    let report = run(&org.build());
    assert_eq!(
        status_at(&report, "ROOT002", Some(ADMIN), Some(UE), None),
        vec![NotApplicable]
    );
}

#[test]
fn root002_global_gap_with_a_rule_elsewhere_is_not_assessed() {
    let mut org = two_region_admin();
    if let Observed::Collected(rules) = &mut org.facts(ADMIN, EW).event_rules {
        rules.push(rule(ADMIN, EW, "root-sign-in", ROOT_PATTERN, vec![]));
    }
    org.facts(ADMIN, UE).event_rules = Observed::Gap(denied("events:ListRules"));
    let report = run(&org.build());
    assert_eq!(
        status_at(&report, "ROOT002", Some(ADMIN), Some(UE), None),
        vec![NotAssessed]
    );
}

#[test]
fn root002_waiver() {
    let mut org = two_region_admin();
    without_root_rules(&mut org);
    if let Observed::Collected(rules) = &mut org.facts(ADMIN, EW).event_rules {
        rules.push(rule(ADMIN, EW, "root-sign-in", ROOT_PATTERN, vec![]));
    }
    let report = run_with(
        &org.build(),
        &with_waivers(vec![waiver("ROOT002", Some(ADMIN), None)]),
    );
    assert_eq!(
        status_at(&report, "ROOT002", Some(ADMIN), Some(UE), None),
        vec![Waived]
    );
}

// ---- ROOT003 ---------------------------------------------------------------

const HIGH_ONLY: &str = r#"{"source":["aws.guardduty"],"detail-type":["GuardDuty Finding"],"detail":{"severity":[{"numeric":[">=",7]}]}}"#;
const ROOT_API_PATTERN: &str = r#"{"detail-type":["AWS API Call via CloudTrail"],"detail":{"userIdentity":{"type":["Root"]}}}"#;

#[test]
fn root003_fails_when_the_finding_rule_drops_low_severity() {
    let mut org = healthy_org(UE);
    org.rule_mut(ADMIN, UE, "guardduty-finding-events")
        .event_pattern = Known::Value(Some(HIGH_ONLY.into()));
    let report = run(&org.build());
    assert_eq!(root003(&report, ADMIN), vec![Fail]);
    assert_eq!(root003(&report, MEMBER), vec![Fail]);
    assert!(message(&report, "ROOT003", MEMBER).contains("us-east-1"));
}

#[test]
fn root003_own_root_api_rule_covers_the_region() {
    let mut org = healthy_org(UE);
    org.rule_mut(ADMIN, UE, "guardduty-finding-events")
        .event_pattern = Known::Value(Some(HIGH_ONLY.into()));
    if let Observed::Collected(rules) = &mut org.facts(ADMIN, UE).event_rules {
        rules.push(rule(
            ADMIN,
            UE,
            "root-api",
            ROOT_API_PATTERN,
            vec![target(ADMIN, UE, "gd-slack")],
        ));
    }
    let report = run(&org.build());
    assert_eq!(root003(&report, ADMIN), vec![Pass]);
    assert_eq!(root003(&report, MEMBER), vec![Fail]);
}

#[test]
fn root003_reports_once_listing_only_uncovered_regions() {
    let org = Org::new()
        .account(ADMIN, &[UE, EW])
        .admin(ADMIN, &[UE, EW])
        .healthy_chain(ADMIN, UE);
    let report = run(&org.build());
    assert_eq!(root003(&report, ADMIN), vec![Fail]);
    let msg = message(&report, "ROOT003", ADMIN);
    assert!(msg.contains("in eu-west-1:"), "{msg}");
    assert!(!msg.contains("us-east-1"), "{msg}");
}

#[test]
fn root003_region_gap_is_not_assessed() {
    let mut org = Org::new()
        .account(ADMIN, &[UE, EW])
        .admin(ADMIN, &[UE, EW])
        .healthy_chain(ADMIN, UE);
    org.facts(ADMIN, EW).event_rules = Observed::Gap(denied("events:ListRules"));
    let report = run(&org.build());
    assert_eq!(root003(&report, ADMIN), vec![NotAssessed]);
}

#[test]
fn root003_waiver() {
    let mut org = healthy_org(UE);
    org.rule_mut(ADMIN, UE, "guardduty-finding-events")
        .event_pattern = Known::Value(Some(HIGH_ONLY.into()));
    let report = run_with(
        &org.build(),
        &with_waivers(vec![waiver("ROOT003", None, None)]),
    );
    assert_eq!(statuses(&report, "ROOT003"), vec![Waived, Waived]);
}
