//! EVT rules: each starts from the healthy chain and breaks one link.

use crate::common::chain::*;
use crate::common::lines::{rule_lines, rule_lines_with};
use crate::common::*;
use alertpath::inventory::*;
use alertpath::outcome::Status::{self, *};

const UE: &str = "us-east-1";
const EW: &str = "eu-west-1";
const RULE: &str = "guardduty-finding-events";
const EVT: [&str; 5] = ["EVT001", "EVT002", "EVT003", "EVT004", "EVT005"];

fn healthy() -> Org {
    healthy_org(UE)
}

fn target_mut<'a>(org: &'a mut Org, rule: &str, id: &str) -> &'a mut Target {
    match &mut org.rule_mut(ADMIN, UE, rule).targets {
        Observed::Collected(targets) => targets
            .iter_mut()
            .find(|t| t.id.value().is_some_and(|i| i == id))
            .expect("target exists"),
        Observed::Gap(_) => panic!("targets are a gap"),
    }
}

fn rule_at(report: &alertpath::report::Report, id: &str, rule: &str) -> Vec<Status> {
    status_at(report, id, Some(ADMIN), Some(UE), Some(rule))
}

fn target_at(report: &alertpath::report::Report, id: &str, target: &str) -> Vec<Status> {
    rule_at(report, id, &format!("{RULE}/{target}"))
}

fn message(report: &alertpath::report::Report, id: &str) -> String {
    of(report, id)
        .iter()
        .map(|f| f.outcome.message.clone())
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn healthy_chain_passes_every_evt_rule() {
    let report = run(&healthy().build());
    for id in EVT {
        let statuses = statuses(&report, id);
        assert!(!statuses.is_empty(), "{id} produced nothing");
        assert!(
            statuses.iter().all(|s| *s == Pass),
            "{id}: {statuses:?}\n{}",
            message(&report, id)
        );
    }
}

// EVT001

#[test]
fn evt001_fails_when_no_rule_matches_findings() {
    let mut org = healthy();
    org.rule_mut(ADMIN, UE, RULE).event_pattern =
        Known::Value(Some(r#"{"source":["guardduty"]}"#.into()));
    let report = run(&org.build());
    assert_eq!(
        status_at(&report, "EVT001", Some(ADMIN), Some(UE), None),
        vec![Fail]
    );
}

#[test]
fn evt001_disabled_matching_rule_fails_and_names_evt002() {
    let mut org = healthy();
    org.rule_mut(ADMIN, UE, RULE).state = Known::Value("DISABLED".into());
    let report = run(&org.build());
    insta::assert_snapshot!(rule_lines(&report, "EVT001"), @"fail | 100000000002/us-east-1/ | no enabled rule on the default bus of admin 100000000002 in us-east-1 matches any of the 5 sample GuardDuty findings: every finding there is dropped at the first hop; rule(s) guardduty-finding-events match but are DISABLED (EVT002)");
    let finding = &of(&report, "EVT001")[0];
    assert_eq!(finding.outcome.related.len(), 1);
}

#[test]
fn evt001_cloudtrail_management_events_state_counts_as_enabled() {
    let mut org = healthy();
    org.rule_mut(ADMIN, UE, RULE).state =
        Known::Value("ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS".into());
    let report = run(&org.build());
    assert_eq!(statuses(&report, "EVT001"), vec![Pass]);
    assert_eq!(rule_at(&report, "EVT002", RULE), vec![Pass]);
}

#[test]
fn evt001_unknown_pattern_is_not_assessed() {
    let mut org = healthy();
    org.rule_mut(ADMIN, UE, RULE).event_pattern =
        Known::after_apply("aws_cloudwatch_event_rule.gd.event_pattern");
    let report = run(&org.build());
    assert_eq!(statuses(&report, "EVT001"), vec![NotAssessed]);
    assert_eq!(
        of(&report, "EVT001")[0].outcome.unknown,
        Some(UnknownKind::KnownAfterApply)
    );
}

#[test]
fn evt001_rules_gap_is_not_assessed() {
    let mut org = healthy();
    org.facts(ADMIN, UE).event_rules = Observed::Gap(denied("events:ListRules"));
    let report = run(&org.build());
    assert_eq!(statuses(&report, "EVT001"), vec![NotAssessed]);
}

#[test]
fn evt001_no_admin_is_not_applicable_and_unknown_admin_not_assessed() {
    let mut org = healthy();
    if let Some(Organization {
        management_view: Observed::Collected(view),
        ..
    }) = &mut org.inv.organization
    {
        view.guardduty_admins
            .insert(UE.into(), Observed::Collected(Vec::new()));
    }
    let report = run(&org.build());
    assert_eq!(statuses(&report, "EVT001"), vec![NotApplicable]);

    // Unknown admin: the management view is a gap and no account holds the
    // organization configuration.
    let mut org = healthy();
    org.gd(ADMIN, UE).organization_configuration = None;
    if let Some(o) = &mut org.inv.organization {
        o.management_view = Observed::Gap(denied("organizations:DescribeOrganization"));
    }
    let report = run(&org.build());
    assert_eq!(statuses(&report, "EVT001"), vec![NotAssessed]);
}

#[test]
fn evt001_terraform_without_admin_role_is_not_applicable() {
    let mut inv = healthy().build();
    inv.source.kind = SourceKind::Plan;
    let report = run(&inv);
    assert_eq!(statuses(&report, "EVT001"), vec![NotApplicable]);
    assert_eq!(statuses(&report, "EVT003"), vec![NotApplicable]);
}

#[test]
fn evt001_waived() {
    let mut org = healthy();
    org.rule_mut(ADMIN, UE, RULE).event_pattern = Known::Value(None);
    let report = run_with(
        &org.build(),
        &with_waivers(vec![waiver("EVT001", Some(ADMIN), Some(UE))]),
    );
    assert_eq!(statuses(&report, "EVT001"), vec![Waived]);
}

// EVT002

#[test]
fn evt002_disabled_matching_rule_fails() {
    let mut org = healthy();
    org.rule_mut(ADMIN, UE, RULE).state = Known::Value("DISABLED".into());
    let report = run(&org.build());
    assert_eq!(rule_at(&report, "EVT002", RULE), vec![Fail]);
    let finding = &of(&report, "EVT002")[0];
    assert_eq!(
        finding
            .outcome
            .subject
            .resource
            .as_ref()
            .and_then(|r| r.attribute.as_deref()),
        Some("state")
    );
}

#[test]
fn evt002_unknown_state_is_not_assessed() {
    let mut org = healthy();
    org.rule_mut(ADMIN, UE, RULE).state = Known::after_apply("var.state");
    let report = run(&org.build());
    assert_eq!(rule_at(&report, "EVT002", RULE), vec![NotAssessed]);
}

#[test]
fn evt002_does_not_judge_rules_that_do_not_match_findings() {
    let mut org = healthy();
    org.rule_mut(ADMIN, UE, "root-sign-in").state = Known::Value("DISABLED".into());
    let report = run(&org.build());
    assert_eq!(statuses(&report, "EVT002"), vec![Pass]);
}

#[test]
fn evt002_waived() {
    let mut org = healthy();
    org.rule_mut(ADMIN, UE, RULE).state = Known::Value("DISABLED".into());
    let report = run_with(
        &org.build(),
        &with_waivers(vec![waiver("EVT002", Some(ADMIN), Some(UE))]),
    );
    assert_eq!(rule_at(&report, "EVT002", RULE), vec![Waived]);
}

// EVT003

fn drop_failed_invocations_alarm(org: &mut Org) {
    org.alarm_mut(ADMIN, UE, "gd-rule-failed").dimensions =
        Known::Value([("RuleName".to_string(), "another-rule".to_string())].into());
}

#[test]
fn evt003_fails_without_alarm_or_dead_letter_queue() {
    let mut org = healthy();
    drop_failed_invocations_alarm(&mut org);
    let report = run(&org.build());
    insta::assert_snapshot!(rule_lines(&report, "EVT003"), @"fail | 100000000002/us-east-1/event-rule/guardduty-finding-events | rule guardduty-finding-events on a GuardDuty route has no alarm on AWS/Events FailedInvocations (RuleName = guardduty-finding-events) in 100000000002/us-east-1, and target(s) gd-pager, gd-slack have no dead-letter queue: when EventBridge cannot deliver a finding, it retries, drops it, and nobody hears of it");
}

#[test]
fn evt003_dead_letter_queues_on_every_target_pass() {
    let mut org = healthy();
    drop_failed_invocations_alarm(&mut org);
    for id in ["gd-pager", "gd-slack"] {
        target_mut(&mut org, RULE, id).dead_letter_arn =
            Known::Value(Some(format!("arn:aws:sqs:{UE}:{ADMIN}:gd-dlq")));
    }
    let report = run(&org.build());
    assert_eq!(rule_at(&report, "EVT003", RULE), vec![Pass]);

    let mut org = healthy();
    drop_failed_invocations_alarm(&mut org);
    target_mut(&mut org, RULE, "gd-pager").dead_letter_arn =
        Known::Value(Some(format!("arn:aws:sqs:{UE}:{ADMIN}:gd-dlq")));
    let report = run(&org.build());
    assert_eq!(rule_at(&report, "EVT003", RULE), vec![Fail]);
}

#[test]
fn evt003_alarm_without_dimensions_covers_every_rule() {
    let mut org = healthy();
    org.alarm_mut(ADMIN, UE, "gd-rule-failed").dimensions = Known::Value(Default::default());
    let report = run(&org.build());
    assert_eq!(rule_at(&report, "EVT003", RULE), vec![Pass]);
}

#[test]
fn evt003_alarms_gap_or_unknown_is_not_assessed() {
    let mut org = healthy();
    org.facts(ADMIN, UE).alarms = Observed::Gap(denied("cloudwatch:DescribeAlarms"));
    let report = run(&org.build());
    assert_eq!(rule_at(&report, "EVT003", RULE), vec![NotAssessed]);

    let mut org = healthy();
    drop_failed_invocations_alarm(&mut org);
    org.alarm_mut(ADMIN, UE, "gd-pager-failed").metric_name = Known::after_apply("var.metric");
    let report = run(&org.build());
    assert_eq!(rule_at(&report, "EVT003", RULE), vec![NotAssessed]);
}

#[test]
fn evt003_waived() {
    let mut org = healthy();
    drop_failed_invocations_alarm(&mut org);
    let report = run_with(
        &org.build(),
        &with_waivers(vec![waiver("EVT003", Some(ADMIN), Some(UE))]),
    );
    assert_eq!(rule_at(&report, "EVT003", RULE), vec![Waived]);
}

// EVT004

#[test]
fn evt004_missing_topic_fails() {
    let mut org = healthy();
    target_mut(&mut org, RULE, "gd-pager").arn = Ref::arn(topic_arn(ADMIN, UE, "gd-deleted"));
    let report = run(&org.build());
    assert_eq!(target_at(&report, "EVT004", "gd-pager"), vec![Fail]);
    assert_eq!(target_at(&report, "EVT004", "gd-slack"), vec![Pass]);
}

#[test]
fn evt004_topic_in_another_region_fails() {
    let mut org = Org::new()
        .account(ADMIN, &[UE, EW])
        .account(MEMBER, &[UE])
        .admin(ADMIN, &[UE])
        .detector(ADMIN, UE, "ENABLED", "FIFTEEN_MINUTES")
        .healthy_chain(ADMIN, UE);
    org.facts(ADMIN, EW).topics = Observed::Collected(vec![topic(
        ADMIN,
        EW,
        "gd-pager",
        Some(publish_policy(
            ADMIN,
            EW,
            "gd-pager",
            &["events.amazonaws.com"],
        )),
    )]);
    target_mut(&mut org, RULE, "gd-pager").arn = Ref::arn(topic_arn(ADMIN, EW, "gd-pager"));
    let report = run(&org.build());
    insta::assert_snapshot!(rule_lines(&report, "EVT004"), @r"
        fail | 100000000002/us-east-1/event-target/guardduty-finding-events/gd-pager | topic gd-pager is in eu-west-1, but the rule is in us-east-1: EventBridge never delivers to an SNS topic in another region
        pass | 100000000002/us-east-1/event-target/guardduty-finding-events/gd-slack | target of rule guardduty-finding-events: same account and region
        pass | 100000000002/us-east-1/event-target/root-sign-in/gd-pager | target of rule root-sign-in: same account and region
        ");
}

#[test]
fn evt004_topic_in_uncollected_account_is_not_assessed() {
    let mut org = healthy();
    target_mut(&mut org, RULE, "gd-pager").arn =
        Ref::arn(topic_arn("999999999999", UE, "central-pager"));
    let report = run(&org.build());
    assert_eq!(target_at(&report, "EVT004", "gd-pager"), vec![NotAssessed]);
}

#[test]
fn evt004_waived() {
    let mut org = healthy();
    target_mut(&mut org, RULE, "gd-pager").arn = Ref::arn(topic_arn(ADMIN, UE, "gd-deleted"));
    let report = run_with(
        &org.build(),
        &with_waivers(vec![waiver("EVT004", Some(ADMIN), Some(UE))]),
    );
    assert_eq!(target_at(&report, "EVT004", "gd-pager"), vec![Waived]);
}

// EVT005

#[test]
fn evt005_plain_string_to_notifier_fails() {
    let mut lines = Vec::new();
    for template in [
        r#""GuardDuty finding <type> in <account>""#,
        r#""\"GuardDuty finding <type>\"""#,
        "<severity>",
    ] {
        let mut org = healthy();
        target_mut(&mut org, RULE, "gd-slack").input_template =
            Known::Value(Some(TargetInput::from_template(template)));
        lines.push(rule_lines_with(&run(&org.build()), "EVT005", Fail));
    }
    insta::assert_snapshot!(lines.join("\n"), @r#"
        fail | 100000000002/us-east-1/event-target/guardduty-finding-events/gd-slack | the input transformer produces a plain string, not a JSON object (it reads <type>, <account>); topic gd-slack delivers it to notify-slack notifier notify_slack, which formats GuardDuty findings only for a JSON object with detail-type "GuardDuty Finding": it posts the bare text, and raises a TypeError (no Slack message at all) when the text contains "text", "attachments" or "AlarmName"
        fail | 100000000002/us-east-1/event-target/guardduty-finding-events/gd-slack | the input transformer produces a plain string, not a JSON object (it reads <type>); topic gd-slack delivers it to notify-slack notifier notify_slack, which formats GuardDuty findings only for a JSON object with detail-type "GuardDuty Finding": it posts the bare text, and raises a TypeError (no Slack message at all) when the text contains "text", "attachments" or "AlarmName"
        fail | 100000000002/us-east-1/event-target/guardduty-finding-events/gd-slack | the input transformer produces a plain string, not a JSON object (it reads <severity>); topic gd-slack delivers it to notify-slack notifier notify_slack, which formats GuardDuty findings only for a JSON object with detail-type "GuardDuty Finding": it posts the bare text, and raises a TypeError (no Slack message at all) when the text contains "text", "attachments" or "AlarmName"
        "#);
}

#[test]
fn evt005_object_template_or_no_notifier_passes() {
    let mut org = healthy();
    target_mut(&mut org, RULE, "gd-slack").input_template = Known::Value(Some(
        TargetInput::from_template(r#"{"text": "GuardDuty <type>"}"#),
    ));
    target_mut(&mut org, RULE, "gd-pager").input_template = Known::Value(Some(
        TargetInput::from_template(r#""GuardDuty finding <type>""#),
    ));
    let report = run(&org.build());
    assert_eq!(target_at(&report, "EVT005", "gd-slack"), vec![Pass]);
    assert_eq!(target_at(&report, "EVT005", "gd-pager"), vec![Pass]);

    let mut org = healthy();
    target_mut(&mut org, RULE, "gd-slack").input_template = Known::Value(Some(
        TargetInput::from_template(r#""{\"text\": \"<type>\"}""#),
    ));
    let report = run(&org.build());
    assert_eq!(target_at(&report, "EVT005", "gd-slack"), vec![Pass]);
}

#[test]
fn evt005_constant_string_input_to_notifier_fails() {
    let mut org = healthy();
    target_mut(&mut org, RULE, "gd-slack").input =
        Known::Value(Some(TargetInput::from_constant(r#""finding""#)));
    let report = run(&org.build());
    assert_eq!(target_at(&report, "EVT005", "gd-slack"), vec![Fail]);
}

#[test]
fn evt005_unknown_template_or_subscriptions_gap_is_not_assessed() {
    let mut org = healthy();
    target_mut(&mut org, RULE, "gd-slack").input_template = Known::after_apply("local.template");
    let report = run(&org.build());
    assert_eq!(target_at(&report, "EVT005", "gd-slack"), vec![NotAssessed]);

    let mut org = healthy();
    target_mut(&mut org, RULE, "gd-slack").input_template =
        Known::Value(Some(TargetInput::from_template(r#""GuardDuty <type>""#)));
    org.facts(ADMIN, UE).subscriptions = Observed::Gap(denied("sns:ListSubscriptions"));
    let report = run(&org.build());
    assert_eq!(target_at(&report, "EVT005", "gd-slack"), vec![NotAssessed]);
}

#[test]
fn evt005_waived() {
    let mut org = healthy();
    target_mut(&mut org, RULE, "gd-slack").input_template =
        Known::Value(Some(TargetInput::from_template(r#""GuardDuty <type>""#)));
    let report = run_with(
        &org.build(),
        &with_waivers(vec![waiver("EVT005", Some(ADMIN), Some(UE))]),
    );
    assert_eq!(target_at(&report, "EVT005", "gd-slack"), vec![Waived]);
}
