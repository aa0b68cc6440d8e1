//! SNS rules: each starts from the healthy chain and breaks one link.

use crate::common::chain::*;
use crate::common::lines::rule_lines;
use crate::common::*;
use alertpath::config::Config;
use alertpath::inventory::*;
use alertpath::outcome::Status::{self, *};
use alertpath::report::Report;

const UE: &str = "us-east-1";
const SNS: [&str; 5] = ["SNS001", "SNS002", "SNS003", "SNS004", "SNS005"];
const KEY_ALIAS: &str = "alias/gd-alerts";

fn healthy() -> Org {
    healthy_org(UE)
}

fn at(report: &Report, id: &str, topic: &str) -> Vec<Status> {
    status_at(report, id, Some(ADMIN), Some(UE), Some(topic))
}

fn message(report: &Report, id: &str) -> String {
    of(report, id)
        .iter()
        .map(|f| f.outcome.message.clone())
        .collect::<Vec<_>>()
        .join("\n")
}

fn waived(id: &str) -> Config {
    with_waivers(vec![waiver(id, Some(ADMIN), Some(UE))])
}

fn policy(statements: serde_json::Value) -> Option<String> {
    Some(serde_json::json!({"Version": "2012-10-17", "Statement": statements}).to_string())
}

#[test]
fn healthy_chain_passes_every_sns_rule() {
    let report = run(&healthy().build());
    for id in SNS {
        let statuses = statuses(&report, id);
        assert!(!statuses.is_empty(), "{id} produced nothing");
        assert!(
            statuses.iter().all(|s| *s == Pass),
            "{id}: {statuses:?}\n{}",
            message(&report, id)
        );
    }
    // One outcome per topic, whatever the number of publishers: gd-pager has
    // two (the finding rule and the root sign-in rule), both related.
    assert_eq!(at(&report, "SNS001", "gd-pager"), vec![Pass]);
    let pager = of(&report, "SNS001")
        .into_iter()
        .find(|f| {
            f.outcome
                .subject
                .resource
                .as_ref()
                .is_some_and(|r| r.name == "gd-pager")
        })
        .unwrap();
    assert_eq!(pager.outcome.related.len(), 2);
    assert_eq!(at(&report, "SNS002", "gd-failover"), vec![Pass]);
}

// SNS001

#[test]
fn sns001_default_policy_fails() {
    let mut org = healthy();
    org.topic_mut(ADMIN, UE, "gd-slack").policy = Known::Value(None);
    let report = run(&org.build());
    insta::assert_snapshot!(rule_lines(&report, "SNS001"), @r"
        fail | 100000000002/us-east-1/sns-topic/gd-slack | rule guardduty-finding-events: topic gd-slack has the default policy, which EventBridge cannot use (it presents no aws:SourceOwner)
        pass | 100000000002/us-east-1/sns-topic/gd-pager | EventBridge publishing to topic gd-pager: rule guardduty-finding-events: topic policy allows events.amazonaws.com; rule root-sign-in: topic policy allows events.amazonaws.com
        ");
}

#[test]
fn sns001_primer_placeholder_resource_fails() {
    let mut org = healthy();
    let placeholder = format!("arn:aws:sns:region:{ADMIN}:gd-slack");
    org.topic_mut(ADMIN, UE, "gd-slack").policy = Known::Value(policy(serde_json::json!([
        {"Sid": "allow_cw", "Effect": "Allow", "Principal": {"Service": "events.amazonaws.com"},
         "Action": "sns:Publish", "Resource": placeholder}
    ])));
    let report = run(&org.build());
    insta::assert_snapshot!(rule_lines(&report, "SNS001"), @r"
        fail | 100000000002/us-east-1/sns-topic/gd-slack | rule guardduty-finding-events: topic gd-slack's policy does not allow events.amazonaws.com to sns:Publish to arn:aws:sns:us-east-1:100000000002:gd-slack (its Resource holds a literal placeholder such as `arn:aws:sns:region:…`)
        pass | 100000000002/us-east-1/sns-topic/gd-pager | EventBridge publishing to topic gd-pager: rule guardduty-finding-events: topic policy allows events.amazonaws.com; rule root-sign-in: topic policy allows events.amazonaws.com
        ");
}

#[test]
fn sns001_explicit_deny_fails() {
    let mut org = healthy();
    let arn = topic_arn(ADMIN, UE, "gd-slack");
    org.topic_mut(ADMIN, UE, "gd-slack").policy = Known::Value(policy(serde_json::json!([
        {"Sid": "all", "Effect": "Allow", "Principal": {"Service": "events.amazonaws.com"},
         "Action": "sns:Publish", "Resource": arn},
        {"Sid": "no-events", "Effect": "Deny", "Principal": "*", "Action": "sns:*", "Resource": arn}
    ])));
    let report = run(&org.build());
    insta::assert_snapshot!(rule_lines(&report, "SNS001"), @r"
        fail | 100000000002/us-east-1/sns-topic/gd-slack | rule guardduty-finding-events: topic gd-slack's policy denies events.amazonaws.com sns:Publish (statement no-events)
        pass | 100000000002/us-east-1/sns-topic/gd-pager | EventBridge publishing to topic gd-pager: rule guardduty-finding-events: topic policy allows events.amazonaws.com; rule root-sign-in: topic policy allows events.amazonaws.com
        ");
}

#[test]
fn sns001_asserted_publish_passes_and_says_so() {
    let mut org = healthy();
    org.topic_mut(ADMIN, UE, "gd-slack").policy = Known::Value(None);
    let mut config = Config::default();
    config.chain.assume_publish_allowed = vec![topic_arn(ADMIN, UE, "gd-slack")];
    let report = run_with(&org.build(), &config);
    insta::assert_snapshot!(rule_lines(&report, "SNS001"), @r"
        pass | 100000000002/us-east-1/sns-topic/gd-pager | EventBridge publishing to topic gd-pager: rule guardduty-finding-events: topic policy allows events.amazonaws.com; rule root-sign-in: topic policy allows events.amazonaws.com
        pass | 100000000002/us-east-1/sns-topic/gd-slack | EventBridge publishing to topic gd-slack: rule guardduty-finding-events: asserted in config [chain] assume_publish_allowed
        ");
}

#[test]
fn sns001_unknown_policy_or_role_target_is_not_assessed() {
    let mut org = healthy();
    org.topic_mut(ADMIN, UE, "gd-slack").policy =
        Known::after_apply("data.aws_iam_policy_document.p.json");
    let report = run(&org.build());
    assert_eq!(at(&report, "SNS001", "gd-slack"), vec![NotAssessed]);

    let mut org = healthy();
    if let Observed::Collected(targets) =
        &mut org.rule_mut(ADMIN, UE, "guardduty-finding-events").targets
    {
        targets[1].role_arn = Known::Value(Some(format!("arn:aws:iam::{ADMIN}:role/eb")));
    }
    let report = run(&org.build());
    assert_eq!(at(&report, "SNS001", "gd-slack"), vec![NotAssessed]);
}

#[test]
fn sns001_waived() {
    let mut org = healthy();
    org.topic_mut(ADMIN, UE, "gd-slack").policy = Known::Value(None);
    let report = run_with(&org.build(), &waived("SNS001"));
    assert_eq!(at(&report, "SNS001", "gd-slack"), vec![Waived]);
}

// SNS002

fn events_only_failover(org: &mut Org) {
    org.topic_mut(ADMIN, UE, "gd-failover").policy = Known::Value(Some(
        publish_policy_without_owner("gd-failover", "events.amazonaws.com"),
    ));
}

fn publish_policy_without_owner(name: &str, service: &str) -> String {
    policy(serde_json::json!([
        {"Sid": "service", "Effect": "Allow", "Principal": {"Service": service},
         "Action": "sns:Publish", "Resource": topic_arn(ADMIN, UE, name)}
    ]))
    .unwrap_or_default()
}

#[test]
fn sns002_policy_not_allowing_cloudwatch_fails() {
    let mut org = healthy();
    events_only_failover(&mut org);
    let report = run(&org.build());
    insta::assert_snapshot!(rule_lines(&report, "SNS002"), @"fail | 100000000002/us-east-1/sns-topic/gd-failover | alarm notify-slack-errors: topic gd-failover's policy does not let alarm notify-slack-errors publish");
    assert_eq!(of(&report, "SNS002")[0].outcome.related.len(), 1);
}

#[test]
fn sns002_default_policy_same_account_passes() {
    let mut org = healthy();
    org.topic_mut(ADMIN, UE, "gd-failover").policy = Known::Value(None);
    let report = run(&org.build());
    assert_eq!(at(&report, "SNS002", "gd-failover"), vec![Pass]);
}

#[test]
fn sns002_unknown_policy_is_not_assessed() {
    let mut org = healthy();
    org.topic_mut(ADMIN, UE, "gd-failover").policy =
        Known::after_apply("aws_sns_topic_policy.f.policy");
    let report = run(&org.build());
    assert_eq!(at(&report, "SNS002", "gd-failover"), vec![NotAssessed]);
}

#[test]
fn sns002_waived() {
    let mut org = healthy();
    events_only_failover(&mut org);
    let report = run_with(&org.build(), &waived("SNS002"));
    assert_eq!(at(&report, "SNS002", "gd-failover"), vec![Waived]);
}

// SNS003

fn make_public(org: &mut Org, name: &str) {
    let arn = topic_arn(ADMIN, UE, name);
    org.topic_mut(ADMIN, UE, name).policy = Known::Value(policy(serde_json::json!([
        {"Sid": "allow_cw", "Effect": "Allow", "Principal": {"Service": "events.amazonaws.com"},
         "Action": "sns:Publish", "Resource": arn},
        {"Sid": "anyone-subscribes", "Effect": "Allow", "Principal": {"AWS": "*"},
         "Action": "sns:Subscribe", "Resource": arn}
    ])));
}

#[test]
fn sns003_public_statement_fails_naming_it() {
    let mut org = healthy();
    make_public(&mut org, "gd-pager");
    let report = run(&org.build());
    insta::assert_snapshot!(rule_lines(&report, "SNS003"), @r#"
        fail | 100000000002/us-east-1/sns-topic/gd-pager | topic gd-pager is public: statement anyone-subscribes allows sns:Subscribe to Principal * (Principal {"AWS":"*"} with no condition). Anyone can inject fake alerts or subscribe to read findings; pin the statement with aws:SourceAccount, aws:PrincipalOrgID or aws:SourceArn
        pass | 100000000002/us-east-1/sns-topic/gd-failover | topic gd-failover's policy grants publish, subscribe and receive to no unpinned Principal *
        pass | 100000000002/us-east-1/sns-topic/gd-slack | topic gd-slack's policy grants publish, subscribe and receive to no unpinned Principal *
        "#);
}

#[test]
fn sns003_wildcard_condition_pins_nothing() {
    let mut org = healthy();
    let arn = topic_arn(ADMIN, UE, "gd-failover");
    org.topic_mut(ADMIN, UE, "gd-failover").policy = Known::Value(policy(serde_json::json!([
        {"Sid": "any-account", "Effect": "Allow", "Principal": "*", "Action": "sns:Publish",
         "Resource": arn, "Condition": {"StringLike": {"aws:SourceAccount": "*"}}}
    ])));
    let report = run(&org.build());
    assert_eq!(at(&report, "SNS003", "gd-failover"), vec![Fail]);
}

#[test]
fn sns003_default_policy_passes_and_unknown_is_not_assessed() {
    let mut org = healthy();
    org.topic_mut(ADMIN, UE, "gd-pager").policy = Known::Value(None);
    org.topic_mut(ADMIN, UE, "gd-slack").policy = Known::after_apply("var.policy");
    let report = run(&org.build());
    assert_eq!(at(&report, "SNS003", "gd-pager"), vec![Pass]);
    assert_eq!(at(&report, "SNS003", "gd-slack"), vec![NotAssessed]);
}

#[test]
fn sns003_waived() {
    let mut org = healthy();
    make_public(&mut org, "gd-pager");
    let report = run_with(&org.build(), &waived("SNS003"));
    assert_eq!(at(&report, "SNS003", "gd-pager"), vec![Waived]);
}

// SNS004 and SNS005

fn key_policy(services: &[&str]) -> String {
    policy(serde_json::json!([
        {"Sid": "root", "Effect": "Allow", "Principal": {"AWS": format!("arn:aws:iam::{ADMIN}:root")},
         "Action": "kms:*", "Resource": "*"},
        {"Sid": "publishers", "Effect": "Allow", "Principal": {"Service": services},
         "Action": ["kms:GenerateDataKey*", "kms:Decrypt"], "Resource": "*"}
    ]))
    .unwrap_or_default()
}

fn kms_key(manager: &str, state: Option<&str>, policy: Observed<Option<String>>) -> KmsKey {
    KmsKey {
        origin: Origin::default(),
        reference: KEY_ALIAS.into(),
        arn: state
            .map(|_| format!("arn:aws:kms:{UE}:{ADMIN}:key/1234abcd-12ab-34cd-56ef-1234567890ab")),
        key_manager: state.map(|_| manager.to_string()),
        key_state: state.map(str::to_string),
        policy,
    }
}

/// Encrypt gd-pager (chain) and gd-failover (failover) with `KEY_ALIAS`, resolved as `key`.
fn encrypt(org: &mut Org, key: Option<KmsKey>) {
    for name in ["gd-pager", "gd-failover"] {
        org.topic_mut(ADMIN, UE, name).kms_master_key_id = Known::Value(Some(KEY_ALIAS.into()));
    }
    org.facts(ADMIN, UE).kms_keys = Observed::Collected(key.into_iter().collect());
}

fn both_services() -> Observed<Option<String>> {
    Observed::Collected(Some(key_policy(&[
        "events.amazonaws.com",
        "cloudwatch.amazonaws.com",
    ])))
}

#[test]
fn sns004_aws_managed_alias_fails_live_and_in_plan() {
    for kind in [SourceKind::Live, SourceKind::Plan] {
        let mut org = healthy();
        org.topic_mut(ADMIN, UE, "gd-pager").kms_master_key_id =
            Known::Value(Some("alias/aws/sns".into()));
        let mut inv = org.build();
        inv.source.kind = kind;
        let report = run(&inv);
        assert_eq!(at(&report, "SNS004", "gd-pager"), vec![Fail], "{kind:?}");
        assert_eq!(at(&report, "SNS004", "gd-slack"), vec![Pass], "{kind:?}");
        if kind == SourceKind::Live {
            assert_eq!(at(&report, "SNS005", "gd-pager"), vec![NotApplicable]);
        } else {
            assert_eq!(statuses(&report, "SNS005"), vec![NotApplicable]);
        }
    }
}

#[test]
fn sns004_live_key_resolved_as_aws_managed_fails() {
    let mut org = healthy();
    encrypt(
        &mut org,
        Some(kms_key("AWS", Some("Enabled"), both_services())),
    );
    let report = run(&org.build());
    assert_eq!(at(&report, "SNS004", "gd-pager"), vec![Fail]);
    assert_eq!(at(&report, "SNS004", "gd-failover"), vec![Fail]);
}

#[test]
fn sns004_and_sns005_customer_key_usable_by_publishers_pass() {
    let mut org = healthy();
    encrypt(
        &mut org,
        Some(kms_key("CUSTOMER", Some("Enabled"), both_services())),
    );
    let report = run(&org.build());
    for id in ["SNS004", "SNS005"] {
        assert_eq!(at(&report, id, "gd-pager"), vec![Pass], "{id}");
        assert_eq!(at(&report, id, "gd-failover"), vec![Pass], "{id}");
    }
}

#[test]
fn sns004_customer_key_in_plan_passes_without_lookup() {
    let mut org = healthy();
    encrypt(&mut org, None);
    let mut inv = org.build();
    inv.source.kind = SourceKind::Plan;
    let report = run(&inv);
    assert_eq!(at(&report, "SNS004", "gd-pager"), vec![Pass]);
}

#[test]
fn sns004_and_sns005_unresolved_key_is_not_assessed() {
    let mut org = healthy();
    encrypt(&mut org, None);
    let report = run(&org.build());
    assert_eq!(at(&report, "SNS004", "gd-pager"), vec![NotAssessed]);
    assert_eq!(at(&report, "SNS005", "gd-pager"), vec![NotAssessed]);

    let mut org = healthy();
    org.topic_mut(ADMIN, UE, "gd-pager").kms_master_key_id =
        Known::after_apply("aws_kms_key.k.arn");
    let report = run(&org.build());
    assert_eq!(at(&report, "SNS004", "gd-pager"), vec![NotAssessed]);
}

#[test]
fn sns005_key_policy_without_publisher_fails_only_for_that_topic() {
    let mut org = healthy();
    let events_only = Observed::Collected(Some(key_policy(&["events.amazonaws.com"])));
    encrypt(
        &mut org,
        Some(kms_key("CUSTOMER", Some("Enabled"), events_only)),
    );
    let report = run(&org.build());
    insta::assert_snapshot!(rule_lines(&report, "SNS005"), @r"
        fail | 100000000002/us-east-1/sns-topic/gd-failover | for cloudwatch.amazonaws.com: topic gd-failover's key policy does not allow cloudwatch.amazonaws.com kms:GenerateDataKey, kms:Decrypt
        pass | 100000000002/us-east-1/sns-topic/gd-pager | topic gd-pager's KMS key: for events.amazonaws.com: key policy lets the publisher use the key
        pass | 100000000002/us-east-1/sns-topic/gd-slack | topic gd-slack's KMS key: for events.amazonaws.com: not encrypted
        ");

    // A break that is SNS005's is not SNS004's.
    assert_eq!(at(&report, "SNS004", "gd-failover"), vec![Pass]);
}

#[test]
fn sns005_disabled_or_missing_key_fails() {
    for state in [Some("Disabled"), Some("PendingDeletion"), None] {
        let mut org = healthy();
        encrypt(&mut org, Some(kms_key("CUSTOMER", state, both_services())));
        let report = run(&org.build());
        assert_eq!(at(&report, "SNS005", "gd-pager"), vec![Fail], "{state:?}");
        assert_eq!(at(&report, "SNS004", "gd-pager"), vec![Pass], "{state:?}");
    }
}

#[test]
fn sns005_key_policy_gap_is_not_assessed() {
    let mut org = healthy();
    let gap = Observed::Gap(denied("kms:GetKeyPolicy"));
    encrypt(&mut org, Some(kms_key("CUSTOMER", Some("Enabled"), gap)));
    let report = run(&org.build());
    assert_eq!(at(&report, "SNS005", "gd-pager"), vec![NotAssessed]);
    assert_eq!(at(&report, "SNS004", "gd-pager"), vec![Pass]);
}

#[test]
fn sns004_and_sns005_waived() {
    let mut org = healthy();
    org.topic_mut(ADMIN, UE, "gd-pager").kms_master_key_id =
        Known::Value(Some("alias/aws/sns".into()));
    let report = run_with(&org.build(), &waived("SNS004"));
    assert_eq!(at(&report, "SNS004", "gd-pager"), vec![Waived]);

    let mut org = healthy();
    encrypt(
        &mut org,
        Some(kms_key("CUSTOMER", Some("Disabled"), both_services())),
    );
    let report = run_with(&org.build(), &waived("SNS005"));
    assert_eq!(at(&report, "SNS005", "gd-pager"), vec![Waived]);
}
