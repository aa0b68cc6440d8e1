//! SEC rules: fail, pass, not-assessed, not-applicable and waived outcomes, and
//! no secret in any output format.

use crate::common::chain::*;
use crate::common::lines::rule_lines;
use crate::common::*;
use alertpath::config::Config;
use alertpath::inventory::*;
use alertpath::outcome::Status::*;
use alertpath::report::{Format, RenderOptions, Report, render};

const UE: &str = "us-east-1";

fn parameters(org: &mut Org) -> &mut Vec<Parameter> {
    match &mut org.facts(ADMIN, UE).parameters {
        Observed::Collected(p) => p,
        Observed::Gap(_) => panic!("parameters are a gap"),
    }
}

fn parameter(name: &str, kind: &str) -> Parameter {
    Parameter {
        origin: Origin::default(),
        name: Known::Value(name.into()),
        parameter_type: Known::Value(kind.into()),
        referenced: false,
    }
}

fn sec001(report: &Report, name: &str) -> Vec<alertpath::outcome::Status> {
    status_at(report, "SEC001", Some(ADMIN), Some(UE), Some(name))
}

#[test]
fn healthy_org_passes_every_sec_rule() {
    let report = run(&healthy_org(UE).build());
    assert_eq!(sec001(&report, "/alerting/slack_webhook_url"), vec![Pass]);
    assert_eq!(
        status_at(&report, "SEC001", Some(MEMBER), Some(UE), None),
        vec![NotApplicable],
        "no secret parameter in the member"
    );
    assert_eq!(statuses(&report, "SEC003"), vec![Pass]);
    // SEC002 reads Terraform only.
    assert_eq!(statuses(&report, "SEC002"), vec![NotApplicable]);
}

// ---- SEC001 ----------------------------------------------------------------

#[test]
fn sec001_fails_for_plaintext_parameters_named_like_secrets() {
    let mut org = healthy_org(UE);
    parameters(&mut org)[0].parameter_type = Known::Value("String".into());
    parameters(&mut org).push(parameter("/Alerting/PagerDuty/Key", "StringList"));
    parameters(&mut org).push(parameter("/app/feature_flag", "String"));
    let report = run(&org.build());
    assert_eq!(sec001(&report, "/alerting/slack_webhook_url"), vec![Fail]);
    assert_eq!(sec001(&report, "/Alerting/PagerDuty/Key"), vec![Fail]);
    assert!(
        sec001(&report, "/app/feature_flag").is_empty(),
        "not a secret parameter"
    );
}

#[test]
fn sec001_judges_parameters_named_in_config_or_referenced() {
    let mut org = healthy_org(UE);
    parameters(&mut org).push(parameter("/alerting/token", "String"));
    let mut referenced = parameter("/alerting/key", "String");
    referenced.referenced = true;
    parameters(&mut org).push(referenced);
    let inv = org.build();
    let report = run(&inv);
    assert!(sec001(&report, "/alerting/token").is_empty());
    assert_eq!(sec001(&report, "/alerting/key"), vec![Fail]);
    let mut config = Config::default();
    config.secrets.parameters = vec!["/alerting/token".into()];
    let report = run_with(&inv, &config);
    assert_eq!(sec001(&report, "/alerting/token"), vec![Fail]);
}

#[test]
fn sec001_unknown_type_and_gap_are_not_assessed() {
    let mut org = healthy_org(UE);
    parameters(&mut org)[0].parameter_type = Known::after_apply("aws_ssm_parameter.slack.type");
    org.facts(MEMBER, UE).parameters = Observed::Gap(denied("ssm:DescribeParameters"));
    let report = run(&org.build());
    assert_eq!(
        sec001(&report, "/alerting/slack_webhook_url"),
        vec![NotAssessed]
    );
    assert_eq!(
        status_at(&report, "SEC001", Some(MEMBER), Some(UE), None),
        vec![NotAssessed]
    );
}

#[test]
fn sec001_waiver() {
    let mut org = healthy_org(UE);
    parameters(&mut org)[0].parameter_type = Known::Value("String".into());
    let report = run_with(
        &org.build(),
        &with_waivers(vec![waiver("SEC001", Some(ADMIN), None)]),
    );
    assert_eq!(sec001(&report, "/alerting/slack_webhook_url"), vec![Waived]);
}

// ---- SEC002 ----------------------------------------------------------------

/// A secret-looking marker planted in fields that must never be echoed.
const MARKER: &str = "hooks.slack.com/services/T0MARKER/B0MARKER/xoxMARKERsecret";

fn plan_with_secrets(secrets: Vec<HardcodedSecret>) -> Inventory {
    let mut org = Org {
        inv: Inventory::new(SourceKind::Plan),
    }
    .account(ADMIN, &[UE])
    .healthy_chain(ADMIN, UE);
    let url = format!("https://{MARKER}");
    let rule = org.rule_mut(ADMIN, UE, "guardduty-finding-events");
    if let Observed::Collected(targets) = &mut rule.targets {
        targets[1].input_template =
            Known::Value(Some(TargetInput::from_template(&format!("\"{url}\""))));
        targets[0].input = Known::Value(Some(TargetInput::from_constant(&format!(
            "{{\"webhook\":\"{url}\"}}"
        ))));
    }
    for sub in org.subs_mut(ADMIN, UE, "gd-pager") {
        sub.filter_policy = Known::Value(Some(format!("{{\"url\":[\"{url}\"]}}")));
        sub.filter_policy_scope = Known::Value(Some("MessageBody".into()));
    }
    org.inv.terraform = Some(TerraformFacts {
        role: Some(StackRole::GuarddutyAdmin),
        hardcoded_secrets: secrets,
        unresolved: Vec::new(),
        ..Default::default()
    });
    org.build()
}

fn secret(address: &str, attribute: &str, kind: SecretKind) -> HardcodedSecret {
    let mut origin = Origin {
        address: Some(address.into()),
        location: Some(SourceLocation {
            file: "alerting/main.tf".into(),
            line: 12,
            column: None,
        }),
        ..Origin::default()
    };
    origin.attributes.insert(
        attribute.into(),
        SourceLocation {
            file: "alerting/main.tf".into(),
            line: 17,
            column: Some(3),
        },
    );
    HardcodedSecret {
        kind,
        origin,
        attribute: attribute.into(),
    }
}

#[test]
fn sec002_passes_without_literals() {
    let report = run(&plan_with_secrets(Vec::new()));
    assert_eq!(status_at(&report, "SEC002", None, None, None), vec![Pass]);
}

#[test]
fn sec002_fails_once_per_literal_pointing_at_the_attribute() {
    let report = run(&plan_with_secrets(vec![
        secret(
            "module.notify_slack.var.slack_webhook_url",
            "slack_webhook_url",
            SecretKind::SlackWebhook,
        ),
        secret("var.pagerduty_routing_key", "default", SecretKind::NamedKey),
    ]));
    insta::assert_snapshot!(rule_lines(&report, "SEC002"), @r"
        fail | -/-/terraform-resource/module.notify_slack.var.slack_webhook_url | a Slack webhook URL is written as a literal in `module.notify_slack.var.slack_webhook_url` (attribute `slack_webhook_url`): it is in the repository and the state in clear. Read it from SSM (SecureString) or a sensitive variable, then rotate it
        fail | -/-/terraform-variable/var.pagerduty_routing_key | an integration or routing key is written as a literal in `var.pagerduty_routing_key` (attribute `default`): it is in the repository and the state in clear. Read it from SSM (SecureString) or a sensitive variable, then rotate it
        ");
    // Each points at the attribute holding the literal, at its line.
    let places: Vec<(Option<&str>, Option<u32>)> = of(&report, "SEC002")
        .iter()
        .map(|f| {
            let resource = f.outcome.subject.resource.as_ref().expect("resource");
            (
                resource.attribute.as_deref(),
                resource.origin.location.as_ref().map(|l| l.line),
            )
        })
        .collect();
    assert_eq!(
        places,
        [
            (Some("slack_webhook_url"), Some(12)),
            (Some("default"), Some(12))
        ]
    );
}

#[test]
fn sec002_waiver() {
    let report = run_with(
        &plan_with_secrets(vec![secret(
            "aws_lambda_function.x",
            "environment",
            SecretKind::SlackWebhook,
        )]),
        &with_waivers(vec![waiver("SEC002", None, None)]),
    );
    assert_eq!(statuses(&report, "SEC002"), vec![Waived]);
}

#[test]
fn no_output_format_contains_a_planted_secret() {
    let report = run(&plan_with_secrets(vec![secret(
        "aws_lambda_function.notify",
        "environment",
        SecretKind::SlackWebhook,
    )]));
    assert!(!of(&report, "SEC002").is_empty());
    for format in [Format::Text, Format::Json, Format::Sarif, Format::Markdown] {
        let text = render(&report, format, &RenderOptions::default()).expect("renders");
        assert!(!text.is_empty());
        assert!(
            !text.contains("MARKER"),
            "{format:?} output leaks the planted secret"
        );
    }
}

// ---- SEC003 ----------------------------------------------------------------

fn with_webhook(value: Known<EnvValue>) -> Report {
    let mut org = healthy_org(UE);
    let f = org.function_mut(ADMIN, UE, "notify_slack");
    match value {
        Known::Value(v) => {
            if let Known::Value(env) = &mut f.environment {
                env.insert("SLACK_WEBHOOK_URL".into(), v);
            }
        }
        Known::Unknown(m) => f.environment = Known::Unknown(m),
    }
    run(&org.build())
}

fn sec003(report: &Report) -> Vec<alertpath::outcome::Status> {
    status_at(
        report,
        "SEC003",
        Some(ADMIN),
        Some(UE),
        Some("notify_slack"),
    )
}

#[test]
fn sec003_fails_for_a_plaintext_webhook() {
    let report = with_webhook(Known::Value(EnvValue::PlaintextUrl));
    assert_eq!(sec003(&report), vec![Fail]);
    let f = &of(&report, "SEC003")[0];
    assert_eq!(
        f.outcome
            .subject
            .resource
            .as_ref()
            .unwrap()
            .attribute
            .as_deref(),
        Some("environment")
    );
}

#[test]
fn sec003_passes_for_ciphertext() {
    assert_eq!(
        sec003(&with_webhook(Known::Value(EnvValue::KmsCiphertext))),
        vec![Pass]
    );
}

#[test]
fn sec003_unknown_value_or_environment_is_not_assessed() {
    assert_eq!(
        sec003(&with_webhook(Known::Value(EnvValue::Unknown))),
        vec![NotAssessed]
    );
    assert_eq!(
        sec003(&with_webhook(Known::after_apply(
            "module.notify_slack.environment"
        ))),
        vec![NotAssessed]
    );
}

#[test]
fn sec003_notifier_off_the_walk_is_not_judged() {
    let mut org = healthy_org(UE);
    org.function_mut(ADMIN, UE, "notify_slack").environment =
        Known::Value([("SLACK_WEBHOOK_URL".to_string(), EnvValue::PlaintextUrl)].into());
    org.facts(ADMIN, UE).event_rules = Observed::Collected(Vec::new());
    org.facts(MEMBER, UE).event_rules = Observed::Collected(Vec::new());
    let report = run(&org.build());
    assert_eq!(statuses(&report, "SEC003"), vec![NotApplicable]);
}

#[test]
fn sec003_waiver() {
    let mut org = healthy_org(UE);
    org.function_mut(ADMIN, UE, "notify_slack").environment =
        Known::Value([("SLACK_WEBHOOK_URL".to_string(), EnvValue::PlaintextUrl)].into());
    let report = run_with(
        &org.build(),
        &with_waivers(vec![waiver("SEC003", Some(ADMIN), None)]),
    );
    assert_eq!(sec003(&report), vec![Waived]);
}
