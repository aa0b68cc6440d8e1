//! SUB rules: each starts from the healthy chain and breaks one link.

use crate::common::chain::*;
use crate::common::lines::{rule_lines, rule_lines_with};
use crate::common::*;
use alertpath::config::Config;
use alertpath::inventory::*;
use alertpath::outcome::Status::{self, *};

const UE: &str = "us-east-1";

const PAGER_SUB: &str =
    "gd-pager/https:https://events.pagerduty.com/integration/<redacted>/enqueue";
const FAILOVER_SUB: &str =
    "gd-failover/https:https://events.pagerduty.com/integration/<redacted>/enqueue";

fn slack_sub() -> String {
    format!(
        "gd-slack/lambda:{}",
        function_arn(ADMIN, UE, "notify_slack")
    )
}

fn at(report: &alertpath::report::Report, rule: &str, resource: &str) -> Vec<Status> {
    status_at(report, rule, Some(ADMIN), Some(UE), Some(resource))
}

/// The same org as a Terraform plan with a declared stack role.
fn as_plan(org: Org, role: Option<StackRole>) -> Inventory {
    let mut inv = org.build();
    inv.source.kind = SourceKind::Plan;
    inv.terraform = Some(TerraformFacts {
        role,
        ..TerraformFacts::default()
    });
    inv
}

fn waived(org: Org, rule: &str) -> alertpath::report::Report {
    run_with(
        &org.build(),
        &with_waivers(vec![waiver(rule, Some(ADMIN), Some(UE))]),
    )
}

#[test]
fn healthy_chain_passes_every_sub_rule() {
    let report = run(&healthy_org(UE).build());
    for rule in ["SUB001", "SUB002", "SUB004", "SUB006"] {
        let s = statuses(&report, rule);
        assert!(s.len() >= 3, "{rule}: {s:?}");
        assert!(s.iter().all(|s| *s == Pass), "{rule}: {s:?}");
    }
    assert_eq!(statuses(&report, "SUB003"), vec![Pass]);
    assert_eq!(statuses(&report, "SUB005"), vec![Pass, Pass]);
    assert_eq!(at(&report, "SUB005", "gd-pager"), vec![Pass]);
    assert_eq!(at(&report, "SUB005", "gd-failover"), vec![Pass]);
    assert_eq!(at(&report, "SUB004", "gd-failover"), vec![Pass]);
}

#[test]
fn sub001_pending_subscription_fails_and_is_waivable() {
    let mut org = healthy_org(UE);
    org.subs_mut(ADMIN, UE, "gd-pager")[0].pending_confirmation = Known::Value(true);
    let report = run(&org.build());
    insta::assert_snapshot!(rule_lines(&report, "SUB001"), @r"
        fail | 100000000002/us-east-1/sns-subscription/arn:aws:sns:us-east-1:100000000002:gd-pager:860996e3-0000-4000-8000-000000000000 | subscription on topic gd-pager: subscription is PendingConfirmation and delivers nothing; SNS deletes it if it is never confirmed
        pass | 100000000002/us-east-1/sns-subscription/arn:aws:sns:us-east-1:100000000002:gd-failover:860996e3-0000-4000-8000-000000000000 | confirmed
        pass | 100000000002/us-east-1/sns-subscription/arn:aws:sns:us-east-1:100000000002:gd-slack:d22c2250-0000-4000-8000-000000000000 | confirmed
        ");
    let finding = of(&report, "SUB001")
        .into_iter()
        .find(|f| f.status() == Fail)
        .unwrap();
    // The endpoint is redacted, and no query string survives.
    assert!(!finding.outcome.message.contains("<redacted>/enqueue?"));

    let mut org = healthy_org(UE);
    org.subs_mut(ADMIN, UE, "gd-failover")[0].pending_confirmation = Known::Value(true);
    let report = waived(org, "SUB001");
    assert_eq!(at(&report, "SUB001", FAILOVER_SUB), vec![Waived]);
}

#[test]
fn sub001_unknown_and_gap_are_not_assessed() {
    let mut org = healthy_org(UE);
    org.subs_mut(ADMIN, UE, "gd-pager")[0].pending_confirmation =
        Known::after_apply("aws_sns_topic_subscription.pager.pending_confirmation");
    let report = run(&as_plan(org, None));
    assert_eq!(at(&report, "SUB001", PAGER_SUB), vec![NotAssessed]);

    let mut org = healthy_org(UE);
    org.facts(ADMIN, UE).subscriptions = Observed::Gap(denied("sns:ListSubscriptions"));
    let report = run(&org.build());
    assert_eq!(at(&report, "SUB001", "gd-pager"), vec![NotAssessed]);
    assert!(!statuses(&report, "SUB001").contains(&Pass));
}

#[test]
fn sub001_is_not_applicable_to_hcl() {
    let mut inv = healthy_org(UE).build();
    inv.source.kind = SourceKind::Hcl;
    let report = run(&inv);
    assert_eq!(statuses(&report, "SUB001"), vec![NotApplicable]);
}

fn http_org() -> Org {
    let mut org = healthy_org(UE);
    let sub = &mut org.subs_mut(ADMIN, UE, "gd-pager")[0];
    sub.protocol = Known::Value("http".into());
    sub.endpoint = Known::Value("http://hooks.example.com/alert".into());
    org
}

#[test]
fn sub002_http_endpoint_fails_others_pass() {
    let report = run(&http_org().build());
    let name = "gd-pager/http:http://hooks.example.com/alert";
    assert_eq!(at(&report, "SUB002", name), vec![Fail]);
    assert_eq!(at(&report, "SUB002", FAILOVER_SUB), vec![Pass]);
    let report = waived(http_org(), "SUB002");
    assert_eq!(at(&report, "SUB002", name), vec![Waived]);
}

#[test]
fn sub002_unknown_protocol_is_not_assessed() {
    let mut org = healthy_org(UE);
    org.subs_mut(ADMIN, UE, "gd-pager")[0].protocol = Known::after_apply("var.protocol");
    let report = run(&as_plan(org, None));
    let found = of(&report, "SUB002");
    assert!(
        found
            .iter()
            .any(|f| f.status() == NotAssessed && f.outcome.unknown.is_some())
    );
    assert!(!found.iter().any(|f| f.status() == Fail));
}

#[test]
fn sub003_unusable_function_fails() {
    let mut org = healthy_org(UE);
    org.function_mut(ADMIN, UE, "notify_slack")
        .reserved_concurrency = Known::Value(Some(0));
    let report = run(&org.build());
    assert_eq!(at(&report, "SUB003", &slack_sub()), vec![Fail]);

    let mut org = healthy_org(UE);
    org.function_mut(ADMIN, UE, "notify_slack").policy = Known::Value(None);
    let report = run(&org.build());
    assert_eq!(at(&report, "SUB003", &slack_sub()), vec![Fail]);

    let mut org = healthy_org(UE);
    org.facts(ADMIN, UE).functions = Observed::Collected(vec![]);
    let report = run(&org.build());
    assert_eq!(at(&report, "SUB003", &slack_sub()), vec![Fail]);
}

#[test]
fn sub003_waiver_and_not_assessed() {
    let mut org = healthy_org(UE);
    org.function_mut(ADMIN, UE, "notify_slack").state = Known::Value(Some("Failed".into()));
    let report = waived(org, "SUB003");
    assert_eq!(at(&report, "SUB003", &slack_sub()), vec![Waived]);

    let mut org = healthy_org(UE);
    org.function_mut(ADMIN, UE, "notify_slack").policy =
        Known::after_apply("aws_lambda_permission.sns");
    let report = run(&as_plan(org, None));
    assert_eq!(at(&report, "SUB003", &slack_sub()), vec![NotAssessed]);

    // A plan whose function is not declared in the stack: not assessed, not failed.
    let mut org = healthy_org(UE);
    org.facts(ADMIN, UE).functions = Observed::Collected(vec![]);
    let report = run(&as_plan(org, None));
    assert_eq!(at(&report, "SUB003", &slack_sub()), vec![NotAssessed]);
}

#[test]
fn sub004_topic_without_confirmed_subscription_fails() {
    let mut org = healthy_org(UE);
    org.subs_mut(ADMIN, UE, "gd-failover")[0].pending_confirmation = Known::Value(true);
    let report = run(&org.build());
    assert_eq!(at(&report, "SUB004", "gd-failover"), vec![Fail]);
    assert_eq!(at(&report, "SUB004", "gd-pager"), vec![Pass]);

    let mut org = healthy_org(UE);
    if let Observed::Collected(subs) = &mut org.facts(ADMIN, UE).subscriptions {
        subs.retain(|s| !s.topic.arn.value().unwrap().ends_with(":gd-pager"));
    }
    let report = run(&org.build());
    assert_eq!(at(&report, "SUB004", "gd-pager"), vec![Fail]);
    let waived_report = {
        let mut org = healthy_org(UE);
        org.subs_mut(ADMIN, UE, "gd-pager")[0].pending_confirmation = Known::Value(true);
        waived(org, "SUB004")
    };
    assert_eq!(at(&waived_report, "SUB004", "gd-pager"), vec![Waived]);
}

#[test]
fn sub004_plan_confirmation_rules_and_stack_role() {
    // Without a declared role, an absence rule is not applicable.
    let report = run(&as_plan(healthy_org(UE), None));
    assert_eq!(statuses(&report, "SUB004"), vec![NotApplicable]);

    // A new https pager subscription with endpoint_auto_confirms counts as confirmed.
    let mut org = healthy_org(UE);
    for topic in ["gd-pager", "gd-failover"] {
        let sub = &mut org.subs_mut(ADMIN, UE, topic)[0];
        sub.pending_confirmation = Known::after_apply("pending_confirmation");
        sub.endpoint_auto_confirms = Some(true);
    }
    let report = run(&as_plan(org, Some(StackRole::GuarddutyAdmin)));
    assert_eq!(at(&report, "SUB004", "gd-pager"), vec![Pass]);

    // An email subscription with no prior state is not assessed.
    let mut org = healthy_org(UE);
    let sub = &mut org.subs_mut(ADMIN, UE, "gd-failover")[0];
    sub.protocol = Known::Value("email".into());
    sub.endpoint = Known::Value("oncall@example.com".into());
    sub.pending_confirmation = Known::after_apply("pending_confirmation");
    let report = run(&as_plan(org, Some(StackRole::GuarddutyAdmin)));
    assert_eq!(at(&report, "SUB004", "gd-failover"), vec![NotAssessed]);
}

#[test]
fn sub005_pager_topic_without_failed_notifications_alarm_fails() {
    let remove = |org: &mut Org| {
        if let Observed::Collected(alarms) = &mut org.facts(ADMIN, UE).alarms {
            alarms.retain(|a| a.name.value().unwrap() != "gd-pager-failed");
        }
    };
    let mut org = healthy_org(UE);
    remove(&mut org);
    let report = run(&org.build());
    assert_eq!(at(&report, "SUB005", "gd-pager"), vec![Fail]);
    assert_eq!(at(&report, "SUB005", "gd-failover"), vec![Pass]);
    // gd-slack has no pager endpoint: not judged.
    assert!(at(&report, "SUB005", "gd-slack").is_empty());

    let mut org = healthy_org(UE);
    remove(&mut org);
    let report = waived(org, "SUB005");
    assert_eq!(at(&report, "SUB005", "gd-pager"), vec![Waived]);
}

#[test]
fn sub005_wrong_topic_fails_and_account_wide_alarm_passes() {
    let mut org = healthy_org(UE);
    org.alarm_mut(ADMIN, UE, "gd-pager-failed").dimensions =
        Known::Value([("TopicName".to_string(), "gd-pagr".to_string())].into());
    let report = run(&org.build());
    assert_eq!(at(&report, "SUB005", "gd-pager"), vec![Fail]);

    let mut org = healthy_org(UE);
    org.alarm_mut(ADMIN, UE, "gd-pager-failed").dimensions = Known::Value(Default::default());
    let report = run(&org.build());
    assert_eq!(at(&report, "SUB005", "gd-pager"), vec![Pass]);
}

#[test]
fn sub005_alarm_gap_is_not_assessed() {
    let mut org = healthy_org(UE);
    org.facts(ADMIN, UE).alarms = Observed::Gap(denied("cloudwatch:DescribeAlarms"));
    let report = run(&org.build());
    assert_eq!(at(&report, "SUB005", "gd-pager"), vec![NotAssessed]);
    assert!(!statuses(&report, "SUB005").contains(&Pass));
}

fn filtered(topic: &str, policy: &str, scope: Option<&str>) -> Org {
    let mut org = healthy_org(UE);
    let sub = &mut org.subs_mut(ADMIN, UE, topic)[0];
    sub.filter_policy = Known::Value(Some(policy.into()));
    sub.filter_policy_scope = Known::Value(scope.map(Into::into));
    org
}

#[test]
fn sub006_message_attributes_scope_drops_findings() {
    let org = filtered(
        "gd-pager",
        r#"{"severity":[{"numeric":[">=",7]}]}"#,
        Some("MessageAttributes"),
    );
    let report = run(&org.build());
    insta::assert_snapshot!(rule_lines_with(&report, "SUB006", Fail), @"fail | 100000000002/us-east-1/sns-subscription/arn:aws:sns:us-east-1:100000000002:gd-pager:860996e3-0000-4000-8000-000000000000 | subscription on topic gd-pager: filter policy is scoped to MessageAttributes, and EventBridge sets none: it drops every finding; none of the 7 sample events reaching the topic gets through");

    // Unset scope is MessageAttributes too.
    let org = filtered("gd-pager", r#"{"severity":["HIGH"]}"#, None);
    assert_eq!(at(&run(&org.build()), "SUB006", PAGER_SUB), vec![Fail]);
}

#[test]
fn sub006_body_filter_is_evaluated_against_the_samples() {
    let body = |op: &str, n: f64| {
        filtered(
            "gd-pager",
            &format!(r#"{{"detail":{{"severity":[{{"numeric":["{op}",{n}]}}]}}}}"#),
            Some("MessageBody"),
        )
    };
    // Narrowing by severity is left to the ROUTE rules.
    assert_eq!(
        at(&run(&body(">=", 7.0).build()), "SUB006", PAGER_SUB),
        vec![Pass]
    );
    // A filter that lets no sample finding through fails.
    assert_eq!(
        at(&run(&body(">", 10.0).build()), "SUB006", PAGER_SUB),
        vec![Fail]
    );
    let report = waived(body(">", 10.0), "SUB006");
    assert_eq!(at(&report, "SUB006", PAGER_SUB), vec![Waived]);
}

#[test]
fn sub006_failover_subscription_and_unknown_policy() {
    let org = filtered("gd-failover", r#"{"a":["b"]}"#, Some("MessageAttributes"));
    assert_eq!(at(&run(&org.build()), "SUB006", FAILOVER_SUB), vec![Fail]);

    let mut org = healthy_org(UE);
    org.subs_mut(ADMIN, UE, "gd-pager")[0].filter_policy =
        Known::after_apply("aws_sns_topic_subscription.pager.filter_policy");
    let report = run_with(&as_plan(org, None), &Config::default());
    assert_eq!(at(&report, "SUB006", PAGER_SUB), vec![NotAssessed]);
}

#[test]
fn sub006_root_only_topic_is_judged_with_the_root_sample() {
    // A root sign-in rule to its own topic with a body filter on the sign-in event.
    let mut org = healthy_org(UE);
    let facts = org.facts(ADMIN, UE);
    if let Observed::Collected(rules) = &mut facts.event_rules {
        let root = rules
            .iter_mut()
            .find(|r| r.name.value().unwrap() == "root-sign-in")
            .unwrap();
        root.targets = Observed::Collected(vec![target(ADMIN, UE, "gd-root")]);
    }
    if let Observed::Collected(topics) = &mut facts.topics {
        topics.push(topic(ADMIN, UE, "gd-root", None));
    }
    if let Observed::Collected(subs) = &mut facts.subscriptions {
        let mut sub = subscription(ADMIN, UE, "gd-root", "https", PAGER);
        sub.filter_policy = Known::Value(Some(
            r#"{"detail-type":["AWS Console Sign In via CloudTrail"]}"#.into(),
        ));
        sub.filter_policy_scope = Known::Value(Some("MessageBody".into()));
        subs.push(sub);
    }
    let report = run(&org.build());
    let name = "gd-root/https:https://events.pagerduty.com/integration/<redacted>/enqueue";
    assert_eq!(at(&report, "SUB006", name), vec![Pass]);
}

#[test]
fn sub006_dotted_body_key_is_not_assessed() {
    // AWS does not document whether SNS reads `detail.severity` in a MessageBody
    // policy as a nested path; the two readings disagree here (issue 15 item 5).
    let org = filtered(
        "gd-pager",
        r#"{"detail.severity":[{"numeric":[">=",1]}]}"#,
        Some("MessageBody"),
    );
    let report = run(&org.build());
    assert_eq!(at(&report, "SUB006", PAGER_SUB), vec![NotAssessed]);
}
