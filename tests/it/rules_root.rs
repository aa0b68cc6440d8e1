//! ROOT rules: fail, pass, not-assessed, not-applicable and waived outcomes.

use crate::common::chain::*;
use crate::common::lines::{rule_lines, rule_lines_with};
use crate::common::*;
use alertpath::config::Config;
use alertpath::inventory::*;
use alertpath::outcome::Status::*;
use alertpath::report::Report;

const UE: &str = "us-east-1";
const EW: &str = "eu-west-1";

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
    insta::assert_snapshot!(rule_lines(&report, "ROOT001"), @r"
        pass | 100000000002/us-east-1/ | root console sign-in of account 100000000002 reaches a pager endpoint on topic gd-pager through an EventBridge rule
        pass | 100000000003/us-east-1/ | root console sign-in of account 100000000003 reaches a pager endpoint on topic gd-pager through an EventBridge rule
        ");
}

// ---- ROOT001 ---------------------------------------------------------------

#[test]
fn root001_fails_when_the_central_rule_is_disabled() {
    let mut org = healthy_org(UE);
    org.rule_mut(ADMIN, UE, "root-sign-in").state = Known::Value("DISABLED".into());
    let report = run(&org.build());
    // The member's sign-in is forwarded to the disabled rule.
    insta::assert_snapshot!(rule_lines(&report, "ROOT001"), @r"
        fail | 100000000002/us-east-1/ | root console sign-in of account 100000000002 reaches no human: EventBridge (default bus in the global region): rule root-sign-in is DISABLED (EVT002); CloudTrail: no CloudTrail trail receives the account's events
        fail | 100000000003/us-east-1/ | root console sign-in of account 100000000003 reaches no human: EventBridge (default bus in the global region): rule root-sign-in is DISABLED (EVT002); CloudTrail: no CloudTrail trail receives the account's events
        ");
}

#[test]
fn root001_fails_when_the_subscription_is_pending() {
    let mut org = healthy_org(UE);
    for sub in org.subs_mut(ADMIN, UE, "gd-pager") {
        sub.pending_confirmation = Known::Value(true);
    }
    let report = run(&org.build());
    insta::assert_snapshot!(rule_lines(&report, "ROOT001"), @r"
        fail | 100000000002/us-east-1/ | root console sign-in of account 100000000002 reaches no human: EventBridge (default bus in the global region): subscription is PendingConfirmation and delivers nothing (SUB001); CloudTrail: no CloudTrail trail receives the account's events
        fail | 100000000003/us-east-1/ | root console sign-in of account 100000000003 reaches no human: EventBridge (default bus in the global region): subscription is PendingConfirmation and delivers nothing (SUB001); CloudTrail: no CloudTrail trail receives the account's events
        ");
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
    insta::assert_snapshot!(rule_lines(&report, "ROOT001"), @r"
        fail | 100000000003/us-east-1/ | root console sign-in of account 100000000003 reaches no human: EventBridge (default bus in the global region): the default bus of 100000000002 has no policy allowing 100000000003 (EVT004); CloudTrail: no CloudTrail trail receives the account's events
        pass | 100000000002/us-east-1/ | root console sign-in of account 100000000002 reaches a pager endpoint on topic gd-pager through an EventBridge rule
        ");
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
    insta::assert_snapshot!(rule_lines(&report, "ROOT001"), @r"
        fail | 100000000002/us-east-1/ | root console sign-in of account 100000000002 reaches no human: EventBridge (default bus in the global region): no path leads to a human endpoint: the walk ends at function other (unclassified: satisfies no route); CloudTrail: no CloudTrail trail receives the account's events
        fail | 100000000003/us-east-1/ | root console sign-in of account 100000000003 reaches no human: EventBridge (default bus in the global region): no path leads to a human endpoint: the walk ends at function other (unclassified: satisfies no route); CloudTrail: no CloudTrail trail receives the account's events
        ");
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
    insta::assert_snapshot!(rule_lines(&report, "ROOT001"), @r"
        not-assessed (not_observable) | 100000000009/us-east-1/ | whether root console sign-in of account 100000000009 reaches a human could not be judged: EventBridge (default bus in the global region): us-east-1 of account 100000000009 was not scanned (include it in --regions); CloudTrail: no CloudTrail trail receives the account's events
        not-assessed | 100000000003/-/ | account not assessed (SCAN001): sts:AssumeRole: access denied (not authorized to perform: sts:AssumeRole)
        pass | 100000000002/us-east-1/ | root console sign-in of account 100000000002 reaches a pager endpoint on topic gd-pager through an EventBridge rule
        ");
}

#[test]
fn root001_credentials_removed_is_not_applicable_and_says_so() {
    let mut org = healthy_org(UE);
    org.rule_mut(ADMIN, UE, "root-sign-in").state = Known::Value("DISABLED".into());
    let mut config = Config::default();
    config.root.credentials_removed = vec![MEMBER.into()];
    let report = run_with(&org.build(), &config);
    insta::assert_snapshot!(rule_lines(&report, "ROOT001"), @r"
        fail | 100000000002/us-east-1/ | root console sign-in of account 100000000002 reaches no human: EventBridge (default bus in the global region): rule root-sign-in is DISABLED (EVT002); CloudTrail: no CloudTrail trail receives the account's events
        not-applicable | 100000000003/us-east-1/ | exempt: account 100000000003 is listed in config [root] credentials_removed (its root credentials are centrally removed; alertpath does not verify this)
        ");
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
    // The admin's own trail is not an organization trail: the member fails.
    insta::assert_snapshot!(rule_lines(&report, "ROOT001"), @r"
        fail | 100000000003/us-east-1/ | root console sign-in of account 100000000003 reaches no human: EventBridge (default bus in the global region): no rule on the default bus of 100000000002 in us-east-1 matches the event; CloudTrail: no CloudTrail trail receives the account's events
        pass | 100000000002/us-east-1/ | root console sign-in of account 100000000002 reaches a pager endpoint on topic gd-failover through a CloudTrail metric filter and alarm
        ");
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
    let cases: [Break; 4] = [
        |t, _| t.is_logging = Known::Value(false),
        |t, _| {
            t.is_multi_region = Known::Value(false);
            t.home_region = Known::Value(EW.into());
        },
        |_, f| f.pattern = Known::Value("\"AccessDenied\"".into()),
        |t, _| t.cloudwatch_log_group_arn = Known::Value(None),
    ];
    let mut lines = Vec::new();
    for breaker in cases {
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
        lines.push(rule_lines_with(&run(&org.build()), "ROOT001", Fail));
    }
    insta::assert_snapshot!(lines.join("\n"), @r"
        fail | 100000000002/us-east-1/ | root console sign-in of account 100000000002 reaches no human: EventBridge (default bus in the global region): no rule on the default bus of 100000000002 in us-east-1 matches the event; CloudTrail: trail org-trail is not logging
        fail | 100000000003/us-east-1/ | root console sign-in of account 100000000003 reaches no human: EventBridge (default bus in the global region): no rule on the default bus of 100000000002 in us-east-1 matches the event; CloudTrail: no CloudTrail trail receives the account's events
        fail | 100000000002/us-east-1/ | root console sign-in of account 100000000002 reaches no human: EventBridge (default bus in the global region): no rule on the default bus of 100000000002 in us-east-1 matches the event; CloudTrail: trail org-trail is single-region in eu-west-1: console sign-in events (in us-east-1) never reach it
        fail | 100000000003/us-east-1/ | root console sign-in of account 100000000003 reaches no human: EventBridge (default bus in the global region): no rule on the default bus of 100000000002 in us-east-1 matches the event; CloudTrail: no CloudTrail trail receives the account's events
        fail | 100000000002/us-east-1/ | root console sign-in of account 100000000002 reaches no human: EventBridge (default bus in the global region): no rule on the default bus of 100000000002 in us-east-1 matches the event; CloudTrail: metric filter root-login on log group /cloudtrail/org does not match a root console sign-in record
        fail | 100000000003/us-east-1/ | root console sign-in of account 100000000003 reaches no human: EventBridge (default bus in the global region): no rule on the default bus of 100000000002 in us-east-1 matches the event; CloudTrail: no CloudTrail trail receives the account's events
        fail | 100000000002/us-east-1/ | root console sign-in of account 100000000002 reaches no human: EventBridge (default bus in the global region): no rule on the default bus of 100000000002 in us-east-1 matches the event; CloudTrail: trail org-trail delivers to no CloudWatch Logs group
        fail | 100000000003/us-east-1/ | root console sign-in of account 100000000003 reaches no human: EventBridge (default bus in the global region): no rule on the default bus of 100000000002 in us-east-1 matches the event; CloudTrail: no CloudTrail trail receives the account's events
        ");
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
    insta::assert_snapshot!(rule_lines(&report, "ROOT002"), @"fail | 100000000002/us-east-1/ | rule(s) matching root console sign-in exist only outside us-east-1: root-sign-in (eu-west-1). Console sign-in events arrive only in us-east-1, so these never fire");
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
    insta::assert_snapshot!(rule_lines(&report, "ROOT003"), @r"
        fail | 100000000002/-/ | root API calls in account 100000000002 reach no human in us-east-1: no rule on the default bus matches a root `AWS API Call via CloudTrail` on a route, and no GuardDuty route carries Policy:IAMUser/RootCredentialUsage
        fail | 100000000003/-/ | root API calls in account 100000000003 reach no human in us-east-1: no rule on the default bus matches a root `AWS API Call via CloudTrail` on a route, and no GuardDuty route carries Policy:IAMUser/RootCredentialUsage
        ");
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
    insta::assert_snapshot!(rule_lines(&report, "ROOT003"), @"fail | 100000000002/-/ | root API calls in account 100000000002 reach no human in eu-west-1: no rule on the default bus matches a root `AWS API Call via CloudTrail` on a route, and no GuardDuty route carries Policy:IAMUser/RootCredentialUsage");
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
