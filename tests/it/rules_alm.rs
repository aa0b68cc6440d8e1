//! ALM rules: each starts from the healthy chain and breaks one link.

use crate::common::chain::*;
use crate::common::*;
use alertpath::inventory::*;
use alertpath::outcome::Status::{self, *};
use alertpath::report::Report;

use crate::common::lines::rule_lines;

const UE: &str = "us-east-1";
const NOTIFIER: &str = "notify_slack";
const ERRORS_ALARM: &str = "notify-slack-errors";

fn at(report: &Report, rule: &str, resource: &str) -> Vec<Status> {
    status_at(report, rule, Some(ADMIN), Some(UE), Some(resource))
}

/// A change to one alarm.
type AlarmChange = Box<dyn Fn(&mut Alarm)>;

fn as_plan(org: Org, role: Option<StackRole>) -> Inventory {
    let mut inv = org.build();
    inv.source.kind = SourceKind::Plan;
    inv.terraform = Some(TerraformFacts {
        role,
        ..TerraformFacts::default()
    });
    inv
}

fn waived(org: Org, rule: &str) -> Report {
    run_with(
        &org.build(),
        &with_waivers(vec![waiver(rule, Some(ADMIN), Some(UE))]),
    )
}

#[test]
fn healthy_chain_passes_every_alm_rule() {
    let report = run(&healthy_org(UE).build());
    assert_eq!(at(&report, "ALM001", NOTIFIER), vec![Pass]);
    assert_eq!(statuses(&report, "ALM001"), vec![Pass]);
    assert_eq!(statuses(&report, "ALM002"), vec![Pass]);
    assert_eq!(at(&report, "ALM002", ERRORS_ALARM), vec![Pass]);
    assert_eq!(at(&report, "ALM003", ERRORS_ALARM), vec![Pass]);
    assert_eq!(statuses(&report, "ALM004"), vec![Pass]);
    assert_eq!(at(&report, "ALM005", NOTIFIER), vec![Pass]);
}

/// The primer's alarm: Errors in a custom namespace, Average statistic.
fn primer_alarm() -> Org {
    let mut org = healthy_org(UE);
    org.alarm_mut(ADMIN, UE, ERRORS_ALARM).namespace =
        Known::Value(Some("notify-slack-notifications".into()));
    org
}

#[test]
fn alm001_and_alm002_catch_the_primer_namespace() {
    let report = run(&primer_alarm().build());
    insta::assert_snapshot!(rule_lines(&report, "ALM001"), @"fail | 100000000002/us-east-1/lambda-function/notify_slack | no alarm covers notifier notify_slack (AWS/Lambda Errors with FunctionName = notify_slack or no dimensions): when it breaks, chat alerts stop silently; alarm notify-slack-errors probably meant to watch it (see ALM002)");
    let f = of(&report, "ALM001")
        .into_iter()
        .find(|f| f.status() == Fail)
        .unwrap();
    assert_eq!(f.outcome.related.len(), 1);
    assert_eq!(
        f.outcome.related[0].subject.resource.as_ref().unwrap().name,
        ERRORS_ALARM
    );
    insta::assert_snapshot!(rule_lines(&report, "ALM002"), @"fail | 100000000002/us-east-1/cloudwatch-alarm/notify-slack-errors | alarm notify-slack-errors watches Errors in namespace `notify-slack-notifications`, not `AWS/Lambda`: no Lambda function reports there, so it never fires");
}

#[test]
fn alm001_account_wide_alarm_covers_and_waiver_applies() {
    let mut org = healthy_org(UE);
    org.alarm_mut(ADMIN, UE, ERRORS_ALARM).dimensions = Known::Value(Default::default());
    assert_eq!(at(&run(&org.build()), "ALM001", NOTIFIER), vec![Pass]);

    let report = waived(primer_alarm(), "ALM001");
    assert_eq!(at(&report, "ALM001", NOTIFIER), vec![Waived]);
}

#[test]
fn alm001_not_assessed_and_not_applicable() {
    let mut org = healthy_org(UE);
    org.facts(ADMIN, UE).alarms = Observed::Gap(denied("cloudwatch:DescribeAlarms"));
    let report = run(&org.build());
    assert_eq!(at(&report, "ALM001", NOTIFIER), vec![NotAssessed]);

    let mut org = primer_alarm();
    org.alarm_mut(ADMIN, UE, "gd-rule-failed").namespace = Known::after_apply("var.namespace");
    let report = run(&as_plan(org, Some(StackRole::GuarddutyAdmin)));
    assert_eq!(at(&report, "ALM001", NOTIFIER), vec![NotAssessed]);

    let report = run(&as_plan(primer_alarm(), None));
    assert_eq!(statuses(&report, "ALM001"), vec![NotApplicable]);
    let report = run(&as_plan(primer_alarm(), Some(StackRole::GuarddutyAdmin)));
    assert_eq!(at(&report, "ALM001", NOTIFIER), vec![Fail]);
}

fn typo_alarm() -> Org {
    let mut org = healthy_org(UE);
    org.alarm_mut(ADMIN, UE, ERRORS_ALARM).dimensions =
        Known::Value([("FunctionName".to_string(), "notify-slack".to_string())].into());
    org
}

#[test]
fn alm002_function_name_matching_nothing() {
    let report = run(&typo_alarm().build());
    insta::assert_snapshot!(rule_lines(&report, "ALM002"), @"fail | 100000000002/us-east-1/cloudwatch-alarm/notify-slack-errors | alarm notify-slack-errors watches FunctionName `notify-slack`, which matches no function in 100000000002/us-east-1");
    assert_eq!(at(&report, "ALM001", NOTIFIER), vec![Fail]);

    // In a plan, a function outside the stack is not assessed ...
    let report = run(&as_plan(typo_alarm(), None));
    assert_eq!(at(&report, "ALM002", ERRORS_ALARM), vec![NotAssessed]);
    // ... unless the source confirmed it absent.
    let mut org = typo_alarm();
    org.facts(ADMIN, UE)
        .absent_functions
        .push(function_arn(ADMIN, UE, "notify-slack"));
    let report = run(&as_plan(org, None));
    assert_eq!(at(&report, "ALM002", ERRORS_ALARM), vec![Fail]);

    let report = waived(typo_alarm(), "ALM002");
    assert_eq!(at(&report, "ALM002", ERRORS_ALARM), vec![Waived]);
}

#[test]
fn alm002_comparison_that_cannot_fire() {
    let mut org = healthy_org(UE);
    org.alarm_mut(ADMIN, UE, ERRORS_ALARM).comparison_operator =
        Known::Value("LessThanThreshold".into());
    let report = run(&org.build());
    assert_eq!(at(&report, "ALM002", ERRORS_ALARM), vec![Fail]);

    let mut org = healthy_org(UE);
    org.alarm_mut(ADMIN, UE, ERRORS_ALARM).threshold = Known::after_apply("var.threshold");
    let report = run(&as_plan(org, None));
    assert_eq!(at(&report, "ALM002", ERRORS_ALARM), vec![NotAssessed]);
}

#[test]
fn alm003_alarm_that_cannot_raise_a_failover() {
    let cases: Vec<AlarmChange> = vec![
        Box::new(|a: &mut Alarm| a.actions_enabled = Known::Value(false)),
        Box::new(|a: &mut Alarm| a.alarm_actions = Known::Value(vec![])),
        Box::new(|a: &mut Alarm| {
            a.alarm_actions = Known::Value(vec![Ref::arn(topic_arn(ADMIN, UE, "gd-slack"))])
        }),
    ];
    let lines: Vec<String> = cases
        .into_iter()
        .map(|change| {
            let mut org = healthy_org(UE);
            change(org.alarm_mut(ADMIN, UE, ERRORS_ALARM));
            rule_lines(&run(&org.build()), "ALM003")
        })
        .collect();
    insta::assert_snapshot!(lines.join("\n"), @r"
        fail | 100000000002/us-east-1/cloudwatch-alarm/notify-slack-errors | alarm notify-slack-errors's actions are disabled: when notifier notify_slack breaks, nobody is told
        fail | 100000000002/us-east-1/cloudwatch-alarm/notify-slack-errors | alarm notify-slack-errors has no alarm action: when notifier notify_slack breaks, nobody is told
        fail | 100000000002/us-east-1/cloudwatch-alarm/notify-slack-errors | alarm notify-slack-errors raises no failover: topic gd-slack is served by notifier notify_slack itself: when notifier notify_slack breaks, nobody is told
        ");
}

#[test]
fn alm003_judges_an_account_wide_alarm_once_for_all_its_notifiers() {
    // A second notifier on gd-slack; the Errors alarm loses its FunctionName
    // dimension, so it covers both.
    let two_notifiers = |failover_to_slack: bool| {
        let mut org = healthy_org(UE);
        let facts = org.facts(ADMIN, UE);
        if let Observed::Collected(functions) = &mut facts.functions {
            functions.push(notifier(ADMIN, UE, "notify_teams", "gd-slack"));
        }
        if let Observed::Collected(subs) = &mut facts.subscriptions {
            subs.push(subscription(
                ADMIN,
                UE,
                "gd-slack",
                "lambda",
                &function_arn(ADMIN, UE, "notify_teams"),
            ));
        }
        let alarm = org.alarm_mut(ADMIN, UE, ERRORS_ALARM);
        alarm.dimensions = Known::Value(Default::default());
        if failover_to_slack {
            alarm.alarm_actions = Known::Value(vec![Ref::arn(topic_arn(ADMIN, UE, "gd-slack"))]);
        }
        org.build()
    };
    let report = run(&two_notifiers(false));
    assert_eq!(at(&report, "ALM003", ERRORS_ALARM), vec![Pass]);
    // Failing over to the topic both notifiers serve: one failure naming both.
    let report = run(&two_notifiers(true));
    insta::assert_snapshot!(rule_lines(&report, "ALM003"), @"fail | 100000000002/us-east-1/cloudwatch-alarm/notify-slack-errors | notifier notify_slack: alarm notify-slack-errors raises no failover: topic gd-slack is served by notifier notify_slack itself; notifier notify_teams: alarm notify-slack-errors raises no failover: topic gd-slack is served by notifier notify_teams itself: when any of these notifiers breaks, nobody is told");
    let fingerprints: Vec<&str> = report
        .findings
        .iter()
        .map(|f| f.fingerprint.as_str())
        .collect();
    let unique: std::collections::BTreeSet<&str> = fingerprints.iter().copied().collect();
    assert_eq!(unique.len(), fingerprints.len(), "duplicate fingerprints");
}

#[test]
fn alm003_dead_end_topic_fails_and_waiver_applies() {
    let dead_end = || {
        let mut org = healthy_org(UE);
        org.subs_mut(ADMIN, UE, "gd-failover")[0].pending_confirmation = Known::Value(true);
        org
    };
    let report = run(&dead_end().build());
    insta::assert_snapshot!(rule_lines(&report, "ALM003"), @"fail | 100000000002/us-east-1/cloudwatch-alarm/notify-slack-errors | alarm notify-slack-errors raises no failover: topic gd-failover is a dead end (no confirmed subscription): when notifier notify_slack breaks, nobody is told");
    let report = waived(dead_end(), "ALM003");
    assert_eq!(at(&report, "ALM003", ERRORS_ALARM), vec![Waived]);
}

#[test]
fn alm003_unknown_actions_are_not_assessed() {
    let mut org = healthy_org(UE);
    org.alarm_mut(ADMIN, UE, ERRORS_ALARM).alarm_actions =
        Known::after_apply("aws_cloudwatch_metric_alarm.errors.alarm_actions");
    let report = run(&as_plan(org, None));
    insta::assert_snapshot!(rule_lines(&report, "ALM003"), @"not-assessed (known_after_apply) | 100000000002/us-east-1/cloudwatch-alarm/notify-slack-errors | `aws_cloudwatch_metric_alarm.errors.alarm_actions` is known after apply");
}

#[test]
fn alm004_average_statistic() {
    let mut org = healthy_org(UE);
    org.alarm_mut(ADMIN, UE, ERRORS_ALARM).statistic = Known::Value(Some("Average".into()));
    let report = run(&org.build());
    assert_eq!(at(&report, "ALM004", ERRORS_ALARM), vec![Fail]);
    // Still covers: ALM001 passes.
    assert_eq!(at(&report, "ALM001", NOTIFIER), vec![Pass]);

    let mut org = healthy_org(UE);
    let alarm = org.alarm_mut(ADMIN, UE, ERRORS_ALARM);
    alarm.statistic = Known::Value(Some("Average".into()));
    alarm.threshold = Known::Value(Some(0.1));
    assert_eq!(at(&run(&org.build()), "ALM004", ERRORS_ALARM), vec![Pass]);

    let mut org = healthy_org(UE);
    org.alarm_mut(ADMIN, UE, ERRORS_ALARM).statistic = Known::Value(Some("Average".into()));
    assert_eq!(
        at(&waived(org, "ALM004"), "ALM004", ERRORS_ALARM),
        vec![Waived]
    );
}

#[test]
fn alm004_unknown_statistic_is_not_assessed() {
    // An unknown statistic makes coverage itself unknown, so the alarm is not
    // judged by ALM004 and ALM001 is not assessed; a statistic that is known with
    // an unknown threshold equally leaves both unjudged.
    let mut org = healthy_org(UE);
    org.alarm_mut(ADMIN, UE, ERRORS_ALARM).statistic = Known::after_apply("var.statistic");
    let report = run(&as_plan(org, Some(StackRole::GuarddutyAdmin)));
    assert_eq!(at(&report, "ALM001", NOTIFIER), vec![NotAssessed]);
    assert!(!statuses(&report, "ALM004").contains(&Pass));
    assert!(!statuses(&report, "ALM004").contains(&Fail));
}

fn set_pattern(org: &mut Org, pattern: &str) {
    if let Observed::Collected(filters) = &mut org.facts(ADMIN, UE).metric_filters {
        filters[0].pattern = Known::Value(pattern.into());
    }
}

#[test]
fn alm005_patterns_are_evaluated_against_the_samples() {
    for (pattern, expected) in [
        (r#"?"HTTP Error" ?URLError"#, Pass),
        ("ERROR", Pass),
        (r#""Slack webhook failed""#, Fail),
        ("", Fail),
        (r#"{ $.level = "ERROR" }"#, Fail),
        ("%HTTP%", NotAssessed),
    ] {
        let mut org = healthy_org(UE);
        set_pattern(&mut org, pattern);
        let report = run(&org.build());
        assert_eq!(at(&report, "ALM005", NOTIFIER), vec![expected], "{pattern}");
    }
}

#[test]
fn alm005_missing_filter_group_or_alarm_fails() {
    let mut org = healthy_org(UE);
    org.facts(ADMIN, UE).metric_filters = Observed::Collected(vec![]);
    let report = run(&org.build());
    insta::assert_snapshot!(rule_lines(&report, "ALM005"), @"fail | 100000000002/us-east-1/lambda-function/notify_slack | notifier notify_slack logs Slack HTTP errors and returns success, so Errors misses a revoked webhook, and nothing watches its log: no metric filter on log group /aws/lambda/notify_slack");

    let mut org = healthy_org(UE);
    org.function_mut(ADMIN, UE, NOTIFIER).log_group = Known::Value(Some("/custom/slack".into()));
    assert_eq!(at(&run(&org.build()), "ALM005", NOTIFIER), vec![Fail]);

    let mut org = healthy_org(UE);
    org.alarm_mut(ADMIN, UE, "slack-webhook-errors").metric_name =
        Known::Value(Some("Other".into()));
    let report = run(&org.build());
    insta::assert_snapshot!(rule_lines(&report, "ALM005"), @"fail | 100000000002/us-east-1/lambda-function/notify_slack | notifier notify_slack logs Slack HTTP errors and returns success, so Errors misses a revoked webhook, and nothing watches its log: no alarm watches the metric of filter slack-http-errors");

    let mut org = healthy_org(UE);
    org.alarm_mut(ADMIN, UE, "slack-webhook-errors")
        .actions_enabled = Known::Value(false);
    assert_eq!(at(&run(&org.build()), "ALM005", NOTIFIER), vec![Fail]);

    let mut org = healthy_org(UE);
    org.facts(ADMIN, UE).metric_filters = Observed::Collected(vec![]);
    assert_eq!(at(&waived(org, "ALM005"), "ALM005", NOTIFIER), vec![Waived]);
}

#[test]
fn alm005_gap_unknown_and_stack_role() {
    let mut org = healthy_org(UE);
    org.facts(ADMIN, UE).metric_filters = Observed::Gap(denied("logs:DescribeMetricFilters"));
    assert_eq!(
        at(&run(&org.build()), "ALM005", NOTIFIER),
        vec![NotAssessed]
    );

    let mut org = healthy_org(UE);
    if let Observed::Collected(filters) = &mut org.facts(ADMIN, UE).metric_filters {
        filters[0].pattern = Known::after_apply("var.pattern");
    }
    let report = run(&as_plan(org, Some(StackRole::GuarddutyAdmin)));
    assert_eq!(at(&report, "ALM005", NOTIFIER), vec![NotAssessed]);

    let report = run(&as_plan(healthy_org(UE), Some(StackRole::Member)));
    assert_eq!(statuses(&report, "ALM005"), vec![NotApplicable]);
    let report = run(&as_plan(healthy_org(UE), Some(StackRole::GuarddutyAdmin)));
    assert_eq!(at(&report, "ALM005", NOTIFIER), vec![Pass]);
}
