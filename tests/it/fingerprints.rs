//! Every finding in a report has its own fingerprint: GitHub code scanning
//! tracks alerts by it, so two findings sharing one would merge or vanish.

use crate::common;
use std::collections::BTreeMap;
use std::path::Path;

fn assert_unique(report: &alertpath::report::Report, what: &str) {
    let mut seen: BTreeMap<&str, String> = BTreeMap::new();
    for f in &report.findings {
        let key = format!("{} {}", f.outcome.rule, f.outcome.subject.key());
        assert!(
            !f.fingerprint.contains(':'),
            "{what}: `{key}` needed disambiguating"
        );
        if let Some(first) = seen.insert(f.fingerprint.as_str(), key.clone()) {
            panic!("{what}: fingerprint shared by `{first}` and `{key}`");
        }
    }
}

#[test]
fn fixture_reports_have_unique_fingerprints() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/snapshots");
    for name in ["example-org.json", "healthy-org.json", "primer.json"] {
        let inventory = alertpath::source::snapshot::read(&dir.join(name)).unwrap();
        assert_unique(&common::run(&inventory), name);
    }
}

#[test]
fn healthy_builder_report_has_unique_fingerprints() {
    assert_unique(
        &common::run(&common::chain::healthy_org("us-east-1").build()),
        "healthy_org",
    );
}

/// Two resources with one name (possible in a Terraform input, not in AWS)
/// keep distinct fingerprints: later ones get `:2`, `:3`, … in report order.
#[test]
fn duplicate_names_get_distinct_fingerprints() {
    use alertpath::outcome::{Outcomes, Subject};
    use alertpath::report::Finding;
    use alertpath::severity::Severity;
    let subject = Subject::region("111111111111", "us-east-1");
    let mut outcomes = Outcomes::new(alertpath::rules::RuleId::EVT002);
    for message in ["a", "b", "c"] {
        outcomes.pass(subject.clone(), message);
    }
    let mut findings: Vec<Finding> = outcomes
        .into_vec()
        .into_iter()
        .map(|o| Finding::new(o, Severity::High))
        .collect();
    let base = findings[0].fingerprint.clone();
    assert_eq!(
        alertpath::engine::disambiguate_fingerprints(&mut findings),
        2
    );
    let got: Vec<&str> = findings.iter().map(|f| f.fingerprint.as_str()).collect();
    assert_eq!(
        got,
        [base.clone(), format!("{base}:2"), format!("{base}:3")]
    );
}

/// Two PagerDuty services on one topic: their endpoints differ only in the
/// integration key, which is stored redacted, so the endpoint text is the same.
/// Subscriptions are identified by ARN (live) and Terraform address (plan,
/// HCL), so their findings keep one fingerprint each, and that fingerprint
/// does not depend on the endpoint text.
#[test]
fn subscriptions_are_identified_by_arn_not_by_redacted_endpoint() {
    use alertpath::inventory::Origin;
    use common::chain::{healthy_org, subscription};
    let region = "us-east-1";
    let mut org = healthy_org(region);
    let mut second = subscription(
        common::ADMIN,
        region,
        "gd-pager",
        "https",
        "https://events.pagerduty.com/integration/<redacted>/enqueue",
    );
    let arn = format!(
        "arn:aws:sns:{region}:{}:gd-pager:0f0e0d0c-1111-4222-8333-444455556666",
        common::ADMIN
    );
    second.origin = Origin::arn(arn.clone());
    second.arn = Some(arn.clone());
    let first_arn = org.subs_mut(common::ADMIN, region, "gd-pager")[0]
        .arn
        .clone()
        .expect("the builder's subscription has an ARN");
    if let alertpath::inventory::Observed::Collected(subs) =
        &mut org.facts(common::ADMIN, region).subscriptions
    {
        subs.push(second);
    }
    let report = common::run(&org.build());
    assert_unique(&report, "two PagerDuty subscriptions on one topic");
    let sub002: Vec<_> = common::of(&report, "SUB002")
        .into_iter()
        .filter(|f| f.outcome.subject.key().contains(":gd-pager:"))
        .collect();
    assert_eq!(sub002.len(), 2, "one SUB002 outcome per subscription");
    for (finding, arn) in sub002.iter().zip([&first_arn, &arn]) {
        let resource = finding.outcome.subject.resource.as_ref().expect("resource");
        assert_eq!(resource.identity(), arn.as_str());
        // The readable name still shows the (redacted) endpoint.
        assert!(resource.name.contains("<redacted>"), "{}", resource.name);
    }
    // Rewriting the stored endpoint text does not move the fingerprint.
    let mut renamed = sub002[0].outcome.subject.clone();
    if let Some(r) = renamed.resource.as_mut() {
        r.name = "gd-pager/https:https://example.invalid/<redacted>".into();
    }
    assert_eq!(
        alertpath::outcome::fingerprint("SUB002", &renamed),
        sub002[0].fingerprint
    );
}

/// The same through HCL: two subscriptions whose keys differ only in a
/// variable value are two findings, one per Terraform address.
#[test]
fn terraform_subscriptions_are_identified_by_address() {
    use alertpath::inventory::SourceKind;
    use alertpath::source::terraform::{adapt, hcl};
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(
        dir.path().join("main.tf"),
        r#"provider "aws" { region = "us-west-2" }
resource "aws_guardduty_detector" "this" { enable = true }
resource "aws_sns_topic" "pager" { name = "gd-pager" }
resource "aws_cloudwatch_event_rule" "guardduty" {
  name          = "guardduty-findings"
  event_pattern = jsonencode({ source = ["aws.guardduty"], detail-type = ["GuardDuty Finding"] })
}
resource "aws_cloudwatch_event_target" "pager" {
  rule = aws_cloudwatch_event_rule.guardduty.name
  arn  = aws_sns_topic.pager.arn
}
resource "aws_sns_topic_subscription" "primary" {
  topic_arn              = aws_sns_topic.pager.arn
  protocol               = "https"
  endpoint               = "https://events.pagerduty.com/integration/0123456789abcdef0123456789abcdef/enqueue"
  endpoint_auto_confirms = true
}
resource "aws_sns_topic_subscription" "secondary" {
  topic_arn              = aws_sns_topic.pager.arn
  protocol               = "https"
  endpoint               = "https://events.pagerduty.com/integration/fedcba9876543210fedcba9876543210/enqueue"
  endpoint_auto_confirms = true
}
"#,
    )
    .expect("write main.tf");
    let stack = hcl::read_dir(dir.path(), &hcl::VarInputs::default(), dir.path()).expect("reads");
    let inventory = adapt::adapt(
        &stack,
        &alertpath::config::TerraformConfig::default(),
        SourceKind::Hcl,
    );
    let report = common::run(&inventory);
    assert_unique(&report, "two Terraform subscriptions on one topic");
    let identities: Vec<String> = common::of(&report, "SUB002")
        .into_iter()
        .filter_map(|f| f.outcome.subject.resource.as_ref())
        .map(|r| r.identity().to_string())
        .collect();
    assert_eq!(
        identities,
        [
            "aws_sns_topic_subscription.primary",
            "aws_sns_topic_subscription.secondary"
        ]
    );
}
