//! The Terraform functions GuardDuty/EventBridge/SNS stacks use, with
//! Terraform's semantics, and `optional(type, default)` defaults (issue 14).

use std::path::{Path, PathBuf};

use alertpath::inventory::UnknownKind;
use alertpath::source::terraform::hcl::{self, Val, VarInputs};
use serde_json::json;

fn eval(text: &str) -> serde_json::Value {
    match hcl::eval_literal(text) {
        Ok(v) => v.to_json().0,
        Err(e) => panic!("{text}: {e}"),
    }
}

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
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

#[test]
fn string_and_collection_functions() {
    assert_eq!(eval(r#"contains(["a", "b"], "b")"#), json!(true));
    assert_eq!(eval(r#"contains(["a", "b"], "c")"#), json!(false));
    assert_eq!(
        eval(r#"basename("/srv/stacks/guardduty")"#),
        json!("guardduty")
    );
    assert_eq!(eval(r#"basename("stacks/guardduty/")"#), json!("guardduty"));
    assert_eq!(eval(r#"basename("")"#), json!("."));
    assert_eq!(eval(r#"startswith("arn:aws:sns", "arn:")"#), json!(true));
    assert_eq!(eval(r#"endswith("gd-pager", "-slack")"#), json!(false));
    assert_eq!(
        eval(r#"trimprefix("org-security", "org-")"#),
        json!("security")
    );
    assert_eq!(eval(r#"trimprefix("security", "org-")"#), json!("security"));
    assert_eq!(eval(r#"trimsuffix("gd-pager-", "-")"#), json!("gd-pager"));
    assert_eq!(eval(r#"coalescelist([], ["a"], ["b"])"#), json!(["a"]));
    assert_eq!(eval(r#"one([])"#), json!(null));
    assert_eq!(eval(r#"one(["x"])"#), json!("x"));
    assert_eq!(eval(r#"try(one(["x", "y"]), "many")"#), json!("many"));
    assert_eq!(eval(r#"alltrue([true, "true"])"#), json!(true));
    assert_eq!(eval(r#"alltrue([])"#), json!(true));
    assert_eq!(eval(r#"anytrue([false, true])"#), json!(true));
    assert_eq!(eval(r#"anytrue([])"#), json!(false));
}

#[test]
fn regex_and_can_follow_terraform() {
    assert_eq!(eval(r#"regex("[a-z]+", "123abc456")"#), json!("abc"));
    assert_eq!(
        eval(r#"regex("^arn:([^:]+):sns:([^:]+):", "arn:aws:sns:us-east-1:1:t")"#),
        json!(["aws", "us-east-1"])
    );
    assert_eq!(
        eval(r#"regex("(?P<region>[a-z]+-[a-z]+-[0-9])", "sns.eu-west-1.amazonaws.com")"#),
        json!({"region": "eu-west-1"})
    );
    assert_eq!(eval(r#"can(regex("^https://", "https://x"))"#), json!(true));
    assert_eq!(eval(r#"can(regex("^https://", "http://x"))"#), json!(false));
    // No match is an error, not a value.
    let v = hcl::eval_literal(r#"regex("z", "abc")"#).expect("parses");
    assert!(
        matches!(&v, Val::Unknown(u) if u.kind == UnknownKind::Unresolved && u.reason.contains("did not match")),
        "{v:?}"
    );
}

#[test]
fn templatefile_renders_relative_to_the_root_and_only_inside_the_tree() {
    let outside = write_tree(&[("secret.tpl", "outside ${x}")]);
    let outside_file = outside.path().join("secret.tpl");
    let tree = write_tree(&[
        (
            "stack/main.tf",
            &format!(
                "provider \"aws\" {{ region = \"us-east-1\" }}\n\
                 module \"rule\" {{\n  source = \"../modules/rule\"\n  min = 4\n}}\n\
                 resource \"aws_sns_topic\" \"leak\" {{\n  name = \"leak\"\n  policy = templatefile(\"{}\", {{ x = 1 }})\n}}\n",
                outside_file.display()
            ),
        ),
        (
            "modules/rule/main.tf",
            "variable \"min\" {}\n\
             resource \"aws_cloudwatch_event_rule\" \"r\" {\n  name = \"gd\"\n  event_pattern = templatefile(\"${path.module}/pattern.tpl\", { min = var.min, types = [\"Backdoor:EC2/C&CActivity.B\"] })\n}\n",
        ),
        (
            "modules/rule/pattern.tpl",
            "{\"source\":[\"aws.guardduty\"],\"detail\":{\"severity\":[{\"numeric\":[\">=\",${min}]}],\"type\":${jsonencode(types)}}}",
        ),
    ]);
    let stack = hcl::read_dir(
        &tree.path().join("stack"),
        &VarInputs::default(),
        tree.path(),
    )
    .expect("reads");
    let rule = stack
        .resources
        .iter()
        .find(|r| r.address == "module.rule.aws_cloudwatch_event_rule.r")
        .expect("rule");
    let pattern: serde_json::Value =
        serde_json::from_str(rule.values["event_pattern"].as_str().expect("known")).expect("json");
    assert_eq!(
        pattern,
        json!({"source": ["aws.guardduty"], "detail": {"severity": [{"numeric": [">=", 4]}], "type": ["Backdoor:EC2/C&CActivity.B"]}})
    );
    let leak = stack
        .resources
        .iter()
        .find(|r| r.address == "aws_sns_topic.leak")
        .expect("topic");
    assert_eq!(leak.values["policy"], serde_json::Value::Null);
    assert_eq!(leak.unknown_kind["policy"], UnknownKind::Unresolved);
    let why: Vec<&str> = stack
        .unresolved
        .iter()
        .filter(|u| u.origin.address.as_deref() == Some("aws_sns_topic.leak"))
        .map(|u| u.reason.as_str())
        .collect();
    assert!(
        why.iter().any(|r| r.contains("outside the scanned tree")),
        "{why:?}"
    );
}

#[test]
fn optional_attribute_defaults_fill_given_and_default_values() {
    let tree = write_tree(&[(
        "main.tf",
        r#"
provider "aws" { region = "us-east-1" }
variable "detector" {
  type = object({
    frequency = optional(string, "FIFTEEN_MINUTES")
    enable    = optional(bool, true)
    features  = optional(list(object({
      name   = string
      status = optional(string, "ENABLED")
    })), [{ name = "S3_DATA_EVENTS" }])
    note      = optional(string)
  })
  default = {}
}
variable "given" {
  type = map(object({ frequency = optional(string, "SIX_HOURS") }))
  default = { a = {}, b = { frequency = "ONE_HOUR" } }
}
resource "aws_guardduty_detector" "d" {
  enable                       = var.detector.enable
  finding_publishing_frequency = var.detector.frequency
  tags = {
    feature = var.detector.features[0].status
    note    = var.detector.note == null ? "none" : "some"
    a       = var.given.a.frequency
    b       = var.given.b.frequency
  }
}
"#,
    )]);
    let stack = hcl::read_dir(tree.path(), &VarInputs::default(), tree.path()).expect("reads");
    let d = &stack.resources[0];
    assert_eq!(
        d.values["finding_publishing_frequency"],
        json!("FIFTEEN_MINUTES")
    );
    assert_eq!(d.values["enable"], json!(true));
    assert_eq!(
        d.values["tags"],
        json!({"feature": "ENABLED", "note": "none", "a": "SIX_HOURS", "b": "ONE_HOUR"})
    );
    assert!(stack.unresolved.is_empty(), "{:?}", stack.unresolved);
}

/// The fixture in cloudposse/trussworks GuardDuty modules' shape: every
/// function resolves (eight SCAN004 items before issue 14).
#[test]
fn functions_fixture_resolves_everything() {
    let dir = repo().join("tests/fixtures/terraform/functions");
    let stack = hcl::read_dir(&dir, &VarInputs::default(), Path::new(&repo())).expect("reads");
    assert!(stack.unresolved.is_empty(), "{:?}", stack.unresolved);
    let find = |a: &str| {
        stack
            .resources
            .iter()
            .find(|r| r.address == a)
            .unwrap_or_else(|| panic!("{a}"))
    };
    let detector = find("aws_guardduty_detector.this");
    assert_eq!(detector.values["enable"], json!(true));
    assert_eq!(
        detector.values["finding_publishing_frequency"],
        json!("FIFTEEN_MINUTES")
    );
    assert_eq!(
        find("aws_sns_topic.findings").values["name"],
        json!("security-guardduty-functions")
    );
    assert_eq!(
        find("aws_sns_topic_subscription.email").values["endpoint"],
        json!("security@example.com")
    );
    let rule = find("aws_cloudwatch_event_rule.findings");
    assert_eq!(
        rule.values["description"],
        json!("GuardDuty findings (<key>)")
    );
    let pattern: serde_json::Value =
        serde_json::from_str(rule.values["event_pattern"].as_str().expect("known")).expect("json");
    assert_eq!(
        pattern,
        json!({"source": ["aws.guardduty"], "detail-type": ["GuardDuty Finding"], "detail": {"severity": [{"numeric": [">=", 7]}]}})
    );
}
