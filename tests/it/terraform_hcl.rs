//! The HCL source (`--terraform DIR`) over the .tf fixtures.

use std::path::{Path, PathBuf};

use alertpath::inventory::{Known, SecretKind, UnknownKind};
use alertpath::source::terraform::hcl::{self, HclError, Val, VarInputs};
use alertpath::source::terraform::model::{TfResource, TfStack};

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn fixture(name: &str) -> PathBuf {
    repo().join("tests/fixtures/terraform").join(name)
}

fn read(name: &str) -> TfStack {
    read_with(name, &VarInputs::default())
}

fn read_with(name: &str, vars: &VarInputs) -> TfStack {
    hcl::read_dir(&fixture(name), vars, &repo()).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn res<'a>(s: &'a TfStack, address: &str) -> &'a TfResource {
    s.resources
        .iter()
        .find(|r| r.address == address)
        .unwrap_or_else(|| {
            let all: Vec<_> = s.resources.iter().map(|r| r.address.as_str()).collect();
            panic!("no {address} in {all:#?}")
        })
}

/// The 1-based line of the first line containing `needle` in a fixture file.
fn line_of(file: &str, needle: &str) -> u32 {
    let text = std::fs::read_to_string(repo().join(file)).expect("fixture file");
    text.lines()
        .position(|l| l.contains(needle))
        .map(|i| i as u32 + 1)
        .unwrap_or_else(|| panic!("{needle} not in {file}"))
}

fn region(r: &TfResource) -> Option<&str> {
    r.region.value().map(String::as_str)
}

fn write_tree(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    for (name, text) in files {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, text).expect("write");
    }
    dir
}

fn eval(text: &str) -> serde_json::Value {
    hcl::eval_literal(text).expect("parses").to_json().0
}

#[test]
fn every_fixture_dir_parses() {
    for name in [
        "healthy",
        "primer",
        "primer-org-root",
        "modules",
        "secrets",
        "unknowns",
    ] {
        let s = read(name);
        assert!(!s.resources.is_empty(), "{name}");
        assert!(
            s.inputs
                .iter()
                .all(|f| f.starts_with("tests/fixtures/terraform/") && !f.contains('\\')),
            "{name}: {:?}",
            s.inputs
        );
        assert!(
            s.resources.iter().all(|r| r.location.is_some()),
            "{name}: every resource has a location"
        );
    }
}

#[test]
fn resources_have_file_and_line() {
    let s = read("healthy");
    let f = "tests/fixtures/terraform/healthy/us-west-2.tf";
    let det = res(&s, "aws_guardduty_detector.west");
    let loc = det.location.as_ref().expect("location");
    assert_eq!(
        (loc.file.as_str(), loc.line),
        (
            f,
            line_of(f, "resource \"aws_guardduty_detector\" \"west\"")
        )
    );
    assert_eq!(
        det.attribute_locations["finding_publishing_frequency"].line,
        line_of(f, "finding_publishing_frequency")
    );
    let topic = res(&s, "aws_sns_topic.pager_west");
    assert_eq!(
        topic.location.as_ref().expect("loc").line,
        line_of(f, "resource \"aws_sns_topic\" \"pager_west\"")
    );
    let rule = res(&s, "aws_cloudwatch_event_rule.root_login");
    let rf = "tests/fixtures/terraform/healthy/root-login.tf";
    assert_eq!(rule.location.as_ref().expect("loc").file, rf);
    assert_eq!(
        rule.location.as_ref().expect("loc").line,
        line_of(rf, "resource \"aws_cloudwatch_event_rule\" \"root_login\"")
    );
    // Inside a local module: the module's own file.
    let sub = res(
        &s,
        "module.notify_slack_west.aws_sns_topic_subscription.sns_notify_slack[0]",
    );
    let mf = "tests/fixtures/terraform/modules/notify-slack/main.tf";
    assert_eq!(sub.location.as_ref().expect("loc").file, mf);
    assert_eq!(
        sub.location.as_ref().expect("loc").line,
        line_of(
            mf,
            "resource \"aws_sns_topic_subscription\" \"sns_notify_slack\""
        )
    );
}

#[test]
fn healthy_values_regions_accounts_and_policy_documents() {
    let s = read("healthy");
    let det = res(&s, "aws_guardduty_detector.east");
    assert_eq!(
        det.get("finding_publishing_frequency"),
        Some(&serde_json::json!("FIFTEEN_MINUTES"))
    );
    assert_eq!(region(det), Some("us-east-1"));
    assert_eq!(det.account, Known::Value("111111111111".to_string()));
    // The policy document evaluates to JSON and flows into the topic policy.
    let topic = res(&s, "aws_sns_topic.pager_west");
    let policy = topic
        .get("policy")
        .and_then(|p| p.as_str())
        .expect("policy known");
    let doc: serde_json::Value = serde_json::from_str(policy).expect("json");
    let st = &doc["Statement"][0];
    assert_eq!(st["Principal"]["Service"], "events.amazonaws.com");
    assert_eq!(st["Action"], "sns:Publish");
    assert_eq!(
        st["Resource"],
        "arn:aws:sns:us-west-2:111111111111:gd-pager"
    );
    assert_eq!(
        st["Condition"]["StringEquals"]["aws:SourceAccount"],
        "111111111111"
    );
    // A reference to a computed attribute: unknown after apply, linked by address.
    let sub = res(&s, "aws_sns_topic_subscription.pagerduty_west");
    assert!(sub.is_unknown("topic_arn"));
    assert_eq!(sub.unknown_kind["topic_arn"], UnknownKind::KnownAfterApply);
    assert_eq!(
        sub.references["topic_arn"],
        vec!["aws_sns_topic.pager_west".to_string()]
    );
    // The module's rule pattern comes from file() relative to the module
    // (the primer uses the local copy of trussworks' module).
    let primer = read("primer");
    let rule = res(
        &primer,
        "module.guardduty_notifications.aws_cloudwatch_event_rule.main",
    );
    let pattern: serde_json::Value = serde_json::from_str(
        rule.get("event_pattern")
            .and_then(|p| p.as_str())
            .expect("pattern"),
    )
    .expect("json");
    assert_eq!(pattern["source"][0], "aws.guardduty");
}

#[test]
fn variables_from_tfvars_var_files_and_vars() {
    let dir = write_tree(&[
        (
            "main.tf",
            "variable \"a\" { default = \"d\" }\nvariable \"b\" { default = \"d\" }\nvariable \"c\" { default = \"d\" }\nvariable \"n\" { default = 1 }\nlocals { name = \"${var.a}-${var.b}-${var.c}-${var.n + 1}\" }\nprovider \"aws\" { region = \"eu-west-1\" }\nresource \"aws_sns_topic\" \"t\" { name = local.name }\n",
        ),
        ("terraform.tfvars", "a = \"tfvars\"\nb = \"tfvars\"\n"),
        ("x.auto.tfvars", "b = \"auto\"\n"),
        ("extra.tfvars", "c = \"file\"\n"),
    ]);
    let vars = VarInputs {
        var_files: vec![dir.path().join("extra.tfvars")],
        vars: vec![("n".into(), "41".into())],
        account_id: None,
        max_instances: None,
        ..Default::default()
    };
    let s = hcl::read_dir(dir.path(), &vars, dir.path()).expect("reads");
    let t = res(&s, "aws_sns_topic.t");
    assert_eq!(
        t.get("name"),
        Some(&serde_json::json!("tfvars-auto-file-42"))
    );
    assert_eq!(region(t), Some("eu-west-1"));
    assert_eq!(
        t.location.as_ref().map(|l| (l.file.as_str(), l.line)),
        Some(("main.tf", 7))
    );
}

#[test]
fn functions_evaluate() {
    assert_eq!(
        eval(r#"jsonencode({a = [1, "x"], b = true})"#),
        serde_json::json!(r#"{"a":[1,"x"],"b":true}"#)
    );
    assert_eq!(
        eval(r#"jsondecode("{\"k\": [1]}").k[0]"#),
        serde_json::json!(1)
    );
    assert_eq!(
        eval(r#"format("%s-%d-%q", "a", 7, "b")"#),
        serde_json::json!("a-7-\"b\"")
    );
    assert_eq!(
        eval(r#"concat(["a"], ["b", "c"])"#),
        serde_json::json!(["a", "b", "c"])
    );
    assert_eq!(
        eval(r#"merge({a = 1, b = 1}, {b = 2})"#),
        serde_json::json!({"a": 1, "b": 2})
    );
    assert_eq!(
        eval(r#"lookup({a = "x"}, "b", "dflt")"#),
        serde_json::json!("dflt")
    );
    assert_eq!(eval(r#"lookup({a = "x"}, "a")"#), serde_json::json!("x"));
    assert_eq!(eval(r#"element(["a", "b"], 3)"#), serde_json::json!("b"));
    assert_eq!(eval(r#"length({a = 1, b = 2})"#), serde_json::json!(2));
    assert_eq!(eval(r#"lower("AbC")"#), serde_json::json!("abc"));
    assert_eq!(eval(r#"upper("AbC")"#), serde_json::json!("ABC"));
    assert_eq!(
        eval(r#"replace("a.b.c", ".", "-")"#),
        serde_json::json!("a-b-c")
    );
    assert_eq!(
        eval(r#"replace("team \"b\"", "/[^a-zA-Z0-9_-]/", "-")"#),
        serde_json::json!("team--b-")
    );
    assert_eq!(eval(r#"tostring(5)"#), serde_json::json!("5"));
    assert_eq!(eval(r#"tolist(["a"])"#), serde_json::json!(["a"]));
    assert_eq!(
        eval(r#"toset(["a", "a", "b"])"#),
        serde_json::json!(["a", "b"])
    );
    assert_eq!(
        eval(r#"try(["x"][3], "fallback")"#),
        serde_json::json!("fallback")
    );
    assert_eq!(
        eval(r#"[for k, v in {a = 1, b = 2} : "${k}=${v}" if v > 1]"#),
        serde_json::json!(["b=2"])
    );
    assert_eq!(eval("true ? \"y\" : \"n\""), serde_json::json!("y"));
    // A function alertpath does not implement is unresolved, naming the call.
    let v = hcl::eval_literal(r#"cidrsubnet("10.0.0.0/16", 8, 1)"#).expect("parses");
    match v {
        Val::Unknown(u) => {
            assert_eq!(u.kind, UnknownKind::Unresolved);
            assert!(u.expr.starts_with("cidrsubnet("), "{}", u.expr);
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn count_and_for_each_with_dotted_and_quoted_keys_and_provider_passing() {
    let s = read("modules");
    // for_each keys containing dots and quotes; the key "us-east-1" is not the region.
    for key in [r#"["us-east-1"]"#, r#"["team.a"]"#, r#"["team \"b\""]"#] {
        let f = res(
            &s,
            &format!("module.notify_slack{key}.module.lambda.aws_lambda_function.this[0]"),
        );
        assert_eq!(region(f), Some("us-west-2"), "{key}");
        assert!(
            s.resources
                .iter()
                .any(|r| r.address == format!("aws_sns_topic.team{key}"))
        );
        assert!(
            s.resources
                .iter()
                .any(|r| r.address
                    == format!("aws_cloudwatch_metric_alarm.notify_slack_errors{key}"))
        );
    }
    let t = res(&s, r#"aws_sns_topic.team["team \"b\""]"#);
    assert!(
        t.get("name")
            .and_then(|n| n.as_str())
            .is_some_and(|n| n.contains("team--b-")),
        "{:?}",
        t.values
    );
    // count with aws.east.
    for i in 0..2 {
        let f = res(
            &s,
            &format!("module.notify_slack_count[{i}].module.lambda.aws_lambda_function.this[0]"),
        );
        assert_eq!(region(f), Some("us-east-1"));
        assert!(
            s.resources
                .iter()
                .any(|r| r.address
                    == format!("module.notify_slack_count[{i}].aws_sns_topic.this[0]"))
        );
    }
    // Three levels of modules inherit aws.east.
    let nested = res(
        &s,
        "module.alerting_stack.module.notify_slack.module.lambda.aws_lambda_function.this[0]",
    );
    assert_eq!(region(nested), Some("us-east-1"));
}

#[test]
fn registry_modules_are_modelled_without_dot_terraform() {
    let dir = write_tree(&[(
        "main.tf",
        r##"
provider "aws" {
  region = "us-west-2"
}
resource "aws_sns_topic" "slack" { name = "gd-slack" }
resource "aws_sns_topic" "pager" { name = "gd-pager" }
module "notify_slack" {
  source            = "terraform-aws-modules/notify-slack/aws"
  version           = "~> 6.0"
  sns_topic_name    = "gd-slack"
  create_sns_topic  = false
  slack_webhook_url = data.aws_ssm_parameter.hook.value
  slack_channel     = "#alerts"
  slack_username    = "gd"
}
data "aws_ssm_parameter" "hook" { name = "/hook" }
module "gd_v3" {
  source              = "trussworks/guardduty-notifications/aws"
  version             = "3.0.1"
  sns_topic_slack     = aws_sns_topic.slack
  sns_topic_pagerduty = aws_sns_topic.pager
}
module "gd_v5" {
  source                  = "trussworks/guardduty-notifications/aws"
  version                 = "~> 5.0"
  sns_topic_slack_arn     = aws_sns_topic.slack.arn
  sns_topic_pagerduty_arn = aws_sns_topic.pager.arn
}
module "other" {
  source = "someone/unknown-module/aws"
}
"##,
    )]);
    let vars = VarInputs {
        account_id: Some("123456789012".into()),
        max_instances: None,
        ..Default::default()
    };
    let s = hcl::read_dir(dir.path(), &vars, dir.path()).expect("reads");
    let f = res(
        &s,
        "module.notify_slack.module.lambda.aws_lambda_function.this[0]",
    );
    assert_eq!(
        f.get("function_name"),
        Some(&serde_json::json!("notify_slack"))
    );
    assert_eq!(
        f.get("handler"),
        Some(&serde_json::json!("notify_slack.lambda_handler"))
    );
    assert!(
        f.values["environment"][0]["variables"]
            .get("SLACK_WEBHOOK_URL")
            .is_some()
    );
    assert_eq!(
        f.location.as_ref().map(|l| l.line),
        Some(7),
        "modelled resources point at the module call"
    );
    let sub = res(
        &s,
        "module.notify_slack.aws_sns_topic_subscription.sns_notify_slack[0]",
    );
    assert_eq!(sub.get("protocol"), Some(&serde_json::json!("lambda")));
    assert_eq!(
        sub.get("topic_arn"),
        Some(&serde_json::json!(
            "arn:aws:sns:us-west-2:123456789012:gd-slack"
        ))
    );
    assert!(
        sub.references["endpoint"]
            .iter()
            .any(|r| r == "module.notify_slack.module.lambda.aws_lambda_function.this[0]")
    );
    let perm = res(
        &s,
        r#"module.notify_slack.module.lambda.aws_lambda_permission.current_version_triggers["AllowExecutionFromSNS"]"#,
    );
    assert_eq!(
        perm.get("principal"),
        Some(&serde_json::json!("sns.amazonaws.com"))
    );
    assert!(
        !s.resources
            .iter()
            .any(|r| r.address.starts_with("module.notify_slack.")
                && r.kind == "aws_cloudwatch_metric_alarm")
    );
    assert!(!s.resources.iter().any(|r| {
        r.address
            .starts_with("module.notify_slack.aws_sns_topic.this")
    }));
    for (m, slack) in [
        ("gd_v3", "aws_cloudwatch_event_target.slack"),
        ("gd_v5", "aws_cloudwatch_event_target.slack[0]"),
    ] {
        let rule = res(&s, &format!("module.{m}.aws_cloudwatch_event_rule.main"));
        assert_eq!(
            rule.get("name"),
            Some(&serde_json::json!("guardduty-finding-events"))
        );
        assert_eq!(
            rule.get("event_pattern"),
            Some(&serde_json::json!(
                r#"{"detail-type":["GuardDuty Finding"],"source":["aws.guardduty"]}"#
            ))
        );
        let t = res(&s, &format!("module.{m}.{slack}"));
        assert!(t.is_unknown("arn"));
        assert_eq!(
            t.references["arn"],
            vec!["aws_sns_topic.slack".to_string()],
            "{m}"
        );
        assert!(
            t.values["input_transformer"][0]["input_template"]
                .as_str()
                .is_some_and(|x| x.starts_with('"'))
        );
    }
    assert!(
        s.unresolved
            .iter()
            .any(|u| u.origin.address.as_deref() == Some("module.other")
                && u.expression == "module.other")
    );
}

#[test]
fn syntax_error_names_file_line_and_column() {
    let err =
        hcl::read_dir(&fixture("hcl-errors"), &VarInputs::default(), &repo()).expect_err("broken");
    match &err {
        HclError::Syntax {
            file, line, column, ..
        } => {
            assert_eq!(file, "tests/fixtures/terraform/hcl-errors/broken.tf");
            assert_eq!((*line, *column), (10, 16));
        }
        other => panic!("{other:?}"),
    }
    assert!(
        err.to_string()
            .starts_with("tests/fixtures/terraform/hcl-errors/broken.tf:10:16")
    );
}

#[test]
fn missing_directory_is_a_clear_error() {
    let err = hcl::read_dir(
        Path::new("/nonexistent/alertpath"),
        &VarInputs::default(),
        &repo(),
    )
    .expect_err("missing");
    assert!(matches!(err, HclError::MissingDir(_)));
    assert!(err.to_string().contains("/nonexistent/alertpath"));
}

#[test]
fn bom_file_parses() {
    let text = std::fs::read_to_string(fixture("hcl-errors/bom.tf")).expect("bom.tf");
    // Keep (or restore, should a checkout have dropped it) the leading BOM.
    let text = format!("\u{feff}{}", text.trim_start_matches('\u{feff}'));
    let dir = write_tree(&[("bom.tf", &text)]);
    let s = hcl::read_dir(dir.path(), &VarInputs::default(), dir.path()).expect("parses");
    assert_eq!(
        res(&s, "aws_sns_topic.failover").get("name"),
        Some(&serde_json::json!("gd-failover"))
    );
    let sub = res(&s, "aws_sns_topic_subscription.failover_pagerduty");
    assert_eq!(sub.get("protocol"), Some(&serde_json::json!("https")));
    assert_eq!(sub.location.as_ref().map(|l| l.line), Some(6));
}

#[test]
fn unresolved_expressions_are_listed() {
    let s = read("primer");
    // No [terraform] account_id: ARNs built from the caller identity are
    // unresolved. SCAN004's list is derived after adaptation: unknown parts
    // that redaction removes (the PagerDuty key in an endpoint) and attributes
    // no rule reads (a Lambda's source hash) are not in it.
    let adapted = alertpath::source::terraform::adapt::adapt(
        &s,
        &alertpath::config::TerraformConfig::default(),
        alertpath::inventory::SourceKind::Hcl,
    );
    let listed: Vec<String> = adapted
        .terraform
        .expect("terraform facts")
        .unresolved
        .iter()
        .map(|u| {
            format!(
                "{} | {} | {}",
                u.origin.address.as_deref().unwrap_or("-"),
                u.expression,
                u.reason
            )
        })
        .collect();
    insta::assert_snapshot!(listed.join("\n"), @r#"
        aws_sns_topic.pagerduty_region | data.aws_caller_identity.current.account_id | the account is not known: set [terraform] account_id
        aws_sns_topic.team_notification_region | data.aws_caller_identity.current.account_id | the account is not known: set [terraform] account_id
        aws_sns_topic.slack | data.aws_caller_identity.current.account_id | the account is not known: set [terraform] account_id
        aws_sns_topic.pagerduty | data.aws_caller_identity.current.account_id | the account is not known: set [terraform] account_id
        module.slack_team_notification_region.module.lambda.aws_lambda_permission.current_version_triggers["AllowExecutionFromSNS"] | module.slack_team_notification_region.data.aws_caller_identity.current.account_id | the account is not known: set [terraform] account_id
        module.slack_team_notification_region.module.lambda.aws_lambda_permission.unqualified_alias_triggers["AllowExecutionFromSNS"] | module.slack_team_notification_region.data.aws_caller_identity.current.account_id | the account is not known: set [terraform] account_id
        module.slack_team_notification_region.aws_sns_topic_subscription.sns_notify_slack[0] | module.slack_team_notification_region.data.aws_caller_identity.current.account_id | the account is not known: set [terraform] account_id
        module.slack_team_notification.module.lambda.aws_lambda_permission.current_version_triggers["AllowExecutionFromSNS"] | module.slack_team_notification.data.aws_caller_identity.current.account_id | the account is not known: set [terraform] account_id
        module.slack_team_notification.module.lambda.aws_lambda_permission.unqualified_alias_triggers["AllowExecutionFromSNS"] | module.slack_team_notification.data.aws_caller_identity.current.account_id | the account is not known: set [terraform] account_id
        module.slack_team_notification.aws_sns_topic_subscription.sns_notify_slack[0] | module.slack_team_notification.data.aws_caller_identity.current.account_id | the account is not known: set [terraform] account_id
        "#);

    let dir = write_tree(&[(
        "main.tf",
        "provider \"aws\" { region = \"us-west-2\" }\nresource \"aws_sns_topic\" \"t\" {\n  name   = \"x\"\n  policy = templatefile(\"p.tpl\", {})\n  tags   = templatefile(\"p.tpl\", {})\n}\n",
    )]);
    let s = hcl::read_dir(dir.path(), &VarInputs::default(), dir.path()).expect("reads");
    let t = res(&s, "aws_sns_topic.t");
    assert_eq!(t.unknown_kind["policy"], UnknownKind::Unresolved);
    assert_eq!(t.expressions["policy"], "templatefile(\"p.tpl\", {})");
    // Only attributes the rules need are reported by SCAN004 (tags is not).
    let inventory = alertpath::source::terraform::adapt::adapt(
        &s,
        &alertpath::config::TerraformConfig::default(),
        alertpath::inventory::SourceKind::Hcl,
    );
    let unresolved = inventory.terraform.expect("terraform facts").unresolved;
    assert_eq!(unresolved.len(), 1, "{unresolved:?}");
    assert_eq!(
        unresolved[0].origin.location.as_ref().map(|l| l.line),
        Some(4)
    );
}

#[test]
fn literal_secrets_are_found_without_values() {
    let s = read("secrets");
    let secrets = s.hardcoded_secrets();
    let f = "tests/fixtures/terraform/secrets/leaky.tf";
    let find = |addr: &str| {
        secrets
            .iter()
            .find(|h| h.origin.address.as_deref() == Some(addr))
            .unwrap_or_else(|| panic!("{addr}: {secrets:?}"))
    };
    let m = find("module.notify_slack_leaky");
    assert_eq!(
        (m.kind, m.attribute.as_str()),
        (SecretKind::SlackWebhook, "slack_webhook_url")
    );
    assert_eq!(
        m.origin.location.as_ref().map(|l| l.line),
        Some(line_of(f, "slack_webhook_url"))
    );
    assert_eq!(
        find("aws_sns_topic_subscription.pagerduty_literal").kind,
        SecretKind::PagerdutyIntegrationKey
    );
    let v = find("var.pagerduty_integration_key");
    assert_eq!(v.kind, SecretKind::NamedKey);
    assert_eq!(
        find("aws_ssm_parameter.slack_webhook_plain").kind,
        SecretKind::SlackWebhook
    );
    assert_eq!(secrets.len(), 4, "safe.tf has none: {secrets:?}");
    let dump = format!("{secrets:?}{:?}", s.literals);
    assert!(!dump.contains("TFSECRETMARKER") && !dump.contains("fedcba98"));
}

#[test]
fn plan_resources_get_hcl_locations() {
    let hcl_stack = read("healthy");
    let mut plan = alertpath::source::terraform::model::TfStack::default();
    let mut r = res(
        &hcl_stack,
        "module.notify_slack_west.aws_sns_topic_subscription.sns_notify_slack[0]",
    )
    .clone();
    r.location = None;
    r.attribute_locations.clear();
    r.address = "module.notify_slack_west.aws_sns_topic_subscription.sns_notify_slack[0]".into();
    plan.resources.push(r);
    hcl::attach_locations(&mut plan, &hcl_stack);
    let loc = plan.resources[0].location.as_ref().expect("attached");
    assert_eq!(
        loc.file,
        "tests/fixtures/terraform/modules/notify-slack/main.tf"
    );
    assert!(
        plan.resources[0]
            .attribute_locations
            .contains_key("topic_arn")
    );
    assert_eq!(
        hcl::normalize_address(r#"module.a[ "k.\"x" ].b"#),
        r#"module.a["k.\"x"].b"#
    );
}

/// `cargo test --release --test it terraform_hcl -- --ignored bench --nocapture`
#[test]
#[ignore]
fn bench_500_files() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("providers.tf"),
        "provider \"aws\" { region = \"us-west-2\" }\nvariable \"env\" { default = \"prod\" }\n",
    )
    .expect("write");
    for i in 0..499 {
        let text = format!(
            "locals {{ name_{i} = \"gd-${{var.env}}-{i}\" }}\nresource \"aws_sns_topic\" \"t{i}\" {{ name = local.name_{i} }}\ndata \"aws_iam_policy_document\" \"p{i}\" {{\n  statement {{\n    actions = [\"sns:Publish\"]\n    resources = [aws_sns_topic.t{i}.arn]\n    principals {{\n      type = \"Service\"\n      identifiers = [\"events.amazonaws.com\"]\n    }}\n  }}\n}}\nresource \"aws_sns_topic_policy\" \"p{i}\" {{\n  arn = aws_sns_topic.t{i}.arn\n  policy = data.aws_iam_policy_document.p{i}.json\n}}\nresource \"aws_cloudwatch_metric_alarm\" \"a{i}\" {{\n  count = 2\n  alarm_name = \"a-{i}-${{count.index}}\"\n  namespace = \"AWS/SNS\"\n  metric_name = \"NumberOfNotificationsFailed\"\n  statistic = \"Sum\"\n  dimensions = {{ TopicName = aws_sns_topic.t{i}.name }}\n  alarm_actions = [aws_sns_topic.t{i}.arn]\n}}\n"
        );
        std::fs::write(dir.path().join(format!("f{i:03}.tf")), text).expect("write");
    }
    let start = std::time::Instant::now();
    let s = hcl::read_dir(dir.path(), &VarInputs::default(), dir.path()).expect("reads");
    let took = start.elapsed();
    println!(
        "read_dir: 500 files, {} resources in {:.3} s",
        s.resources.len(),
        took.as_secs_f64()
    );
}

#[test]
fn guardduty_filters_with_dynamic_criteria_and_unknown_values() {
    // The shape modules that expose suppression rules as an input produce: a
    // `dynamic "criterion"` over a variable, and one value alertpath cannot evaluate.
    let dir = write_tree(&[(
        "main.tf",
        r#"
provider "aws" { region = "us-west-2" }
variable "suppress" {
  default = {
    severity = { less_than = "4" }
    type     = { equals = ["Recon:EC2/PortProbeUnprotectedPort"] }
  }
}
resource "aws_guardduty_detector" "main" { enable = true }
resource "aws_guardduty_filter" "noise" {
  name        = "noise"
  detector_id = aws_guardduty_detector.main.id
  action      = "ARCHIVE"
  rank        = 1
  finding_criteria {
    dynamic "criterion" {
      for_each = var.suppress
      content {
        field     = criterion.key
        equals    = lookup(criterion.value, "equals", null)
        less_than = lookup(criterion.value, "less_than", null)
      }
    }
  }
}
resource "aws_guardduty_filter" "opaque" {
  name        = "opaque"
  detector_id = aws_guardduty_detector.main.id
  action      = "ARCHIVE"
  rank        = 2
  finding_criteria {
    criterion {
      field  = "type"
      equals = [templatefile("types.tpl", {})]
    }
  }
}
"#,
    )]);
    let s = hcl::read_dir(dir.path(), &VarInputs::default(), dir.path()).expect("reads");
    let inventory = alertpath::source::terraform::adapt::adapt(
        &s,
        &alertpath::config::TerraformConfig::default(),
        alertpath::inventory::SourceKind::Hcl,
    );
    let filters: Vec<&alertpath::inventory::GuardDutyFilter> = inventory
        .accounts
        .values()
        .flat_map(|a| a.regions.values())
        .filter_map(|slot| slot.facts())
        .filter_map(|f| f.guardduty.collected())
        .filter_map(|g| g.filters.as_ref().and_then(|f| f.collected()))
        .flatten()
        .collect();
    assert_eq!(filters.len(), 2);
    let by_name = |n: &str| {
        filters
            .iter()
            .find(|f| f.name.value().map(String::as_str) == Some(n))
            .copied()
            .unwrap_or_else(|| panic!("no filter {n}"))
    };
    let noise = by_name("noise");
    let criteria = noise.criteria.value().expect("criteria known");
    let summary: Vec<String> = criteria
        .iter()
        .flat_map(|c| {
            c.conditions
                .iter()
                .map(move |k| format!("{} {} {:?}", c.field, k.operator, k.values))
        })
        .collect();
    assert_eq!(
        summary,
        [
            "severity LessThan [\"4\"]",
            "type Equals [\"Recon:EC2/PortProbeUnprotectedPort\"]"
        ]
    );
    // A value alertpath cannot evaluate leaves the criteria unknown, naming why.
    let opaque = by_name("opaque");
    let why = opaque.criteria.why().expect("criteria unknown");
    assert_eq!(why.kind, UnknownKind::Unresolved, "{why:?}");
    assert_eq!(
        why.expression.as_deref(),
        Some("aws_guardduty_filter.opaque.finding_criteria")
    );
}

/// The text of an ARN template, ARNs written as `<address>`.
fn arn_text(r: &TfResource, attribute: &str) -> Option<String> {
    use alertpath::source::terraform::model::ArnPart;
    r.arn_templates.get(attribute).map(|parts| {
        parts
            .iter()
            .map(|p| match p {
                ArnPart::Text(t) => t.clone(),
                ArnPart::Arn(a) => format!("<{a}>"),
            })
            .collect()
    })
}

#[test]
fn policies_keep_the_arns_of_this_stacks_resources_as_parts() {
    let dir = write_tree(&[(
        "main.tf",
        r#"
variable "unset" {}
resource "aws_sns_topic" "t" { name = "gd-pager" }
resource "aws_cloudwatch_event_rule" "gd" { name = "gd" }
resource "aws_sns_topic_policy" "heredoc" {
  arn    = aws_sns_topic.t.arn
  policy = <<POLICY
{"Statement": [{"Resource": "${aws_sns_topic.t.arn}", "Condition": {"ArnEquals": {"aws:SourceArn": "${aws_cloudwatch_event_rule.gd.arn}"}}}]}
POLICY
}
resource "aws_sns_topic_policy" "encoded" {
  arn    = aws_sns_topic.t.arn
  policy = jsonencode({ Resource = ["${aws_sns_topic.t.arn}:*", "a\"b"] })
}
resource "aws_sns_topic_policy" "other_unknown" {
  arn    = aws_sns_topic.t.arn
  policy = jsonencode({ Resource = aws_sns_topic.t.arn, Principal = var.unset })
}
data "aws_iam_policy_document" "doc" {
  statement {
    actions   = ["sns:Publish"]
    resources = [aws_sns_topic.t.arn]
  }
}
"#,
    )]);
    let stack = hcl::read_dir(dir.path(), &VarInputs::default(), dir.path()).expect("reads");
    assert_eq!(
        arn_text(res(&stack, "aws_sns_topic_policy.heredoc"), "policy").as_deref(),
        Some(
            "{\"Statement\": [{\"Resource\": \"<aws_sns_topic.t>\", \"Condition\": {\"ArnEquals\": {\"aws:SourceArn\": \"<aws_cloudwatch_event_rule.gd>\"}}}]}\n"
        )
    );
    assert_eq!(
        arn_text(res(&stack, "aws_sns_topic_policy.encoded"), "policy").as_deref(),
        Some(r#"{"Resource":["<aws_sns_topic.t>:*","a\"b"]}"#)
    );
    assert_eq!(
        arn_text(res(&stack, "aws_sns_topic_policy.encoded"), "arn").as_deref(),
        Some("<aws_sns_topic.t>")
    );
    assert_eq!(
        arn_text(res(&stack, "aws_sns_topic_policy.other_unknown"), "policy"),
        None
    );
    assert_eq!(
        arn_text(res(&stack, "data.aws_iam_policy_document.doc"), "json").as_deref(),
        Some(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sns:Publish","Resource":"<aws_sns_topic.t>"}]}"#
        )
    );
}

/// `data "aws_partition"` follows the provider's region, and has the `id`
/// the real notify-slack (and most modules) build ARNs from
/// (`arn:${data.aws_partition.current.id}:…`); with `id` unknown, `try()`
/// fell through and a subscription's topic ARN was wrong.
#[test]
fn the_partition_data_source_follows_the_region() {
    let dir = write_tree(&[(
        "main.tf",
        r##"
provider "aws" {
  region              = "us-gov-west-1"
  allowed_account_ids = ["123456789012"]
}
data "aws_partition" "current" {}
data "aws_region" "current" {}
data "aws_caller_identity" "current" {}
resource "aws_sns_topic_subscription" "s" {
  topic_arn = "arn:${data.aws_partition.current.id}:sns:${data.aws_region.current.region}:${data.aws_caller_identity.current.account_id}:gd-slack"
  protocol  = "lambda"
  endpoint  = "arn:${data.aws_partition.current.partition}:lambda:us-gov-west-1:123456789012:function:n"
}
"##,
    )]);
    let s = hcl::read_dir(dir.path(), &VarInputs::default(), dir.path()).expect("reads");
    let sub = res(&s, "aws_sns_topic_subscription.s");
    assert_eq!(
        sub.get("topic_arn"),
        Some(&serde_json::json!(
            "arn:aws-us-gov:sns:us-gov-west-1:123456789012:gd-slack"
        ))
    );
    assert_eq!(
        sub.get("endpoint"),
        Some(&serde_json::json!(
            "arn:aws-us-gov:lambda:us-gov-west-1:123456789012:function:n"
        ))
    );
}

/// terraform-aws-modules/eventbridge's shapes: `length()` of a map whose
/// values are known only after apply is known, so `for … if length(…) != 0`
/// still expands its targets; `tobool` is evaluated.
#[test]
fn eventbridge_module_shapes_expand() {
    let dir = write_tree(&[
        (
            "m/main.tf",
            r##"
variable "targets" {
  type    = any
  default = {}
}
variable "rules" {
  type    = any
  default = {}
}
locals {
  flat = flatten([
    for index, rule in var.rules : [
      for target in var.targets[index] : merge(target, { "rule" = index })
    ] if length(var.targets) != 0
  ])
}
resource "aws_cloudwatch_event_rule" "this" {
  for_each      = var.rules
  name          = each.key
  event_pattern = jsonencode({ source = ["aws.guardduty"] })
  state         = try(tobool(each.value.state) ? "ENABLED" : "DISABLED", null)
}
resource "aws_cloudwatch_event_target" "this" {
  for_each = { for k, v in local.flat : v.name => v }
  rule     = aws_cloudwatch_event_rule.this[each.value.rule].name
  arn      = each.value.arn
}
"##,
        ),
        (
            "main.tf",
            r##"
provider "aws" {
  region = "us-east-1"
}
resource "aws_sns_topic" "pager" { name = "gd-pager" }
module "eventbridge" {
  source  = "./m"
  rules   = { guardduty = { state = "false" } }
  targets = { guardduty = [{ name = "to-pager", arn = aws_sns_topic.pager.arn }] }
}
"##,
        ),
    ]);
    let s = hcl::read_dir(dir.path(), &VarInputs::default(), dir.path()).expect("reads");
    let target = res(
        &s,
        r#"module.eventbridge.aws_cloudwatch_event_target.this["to-pager"]"#,
    );
    assert_eq!(target.get("rule"), Some(&serde_json::json!("guardduty")));
    let rule = res(
        &s,
        r#"module.eventbridge.aws_cloudwatch_event_rule.this["guardduty"]"#,
    );
    assert_eq!(rule.get("state"), Some(&serde_json::json!("DISABLED")));
    assert!(s.unresolved.is_empty(), "{:#?}", s.unresolved);
}
