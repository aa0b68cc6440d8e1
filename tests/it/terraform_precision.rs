//! Judging what real Terraform writes precisely (issue 14): documentation
//! placeholders are no secrets, a DISABLED rule is EVT002's alone, and an
//! unknown nested value is named by its path, and a policy that names its own
//! topic or rule by reference is judged with the ARNs alertpath derives.

use std::path::PathBuf;

use alertpath::config::Config;
use alertpath::outcome::Status;
use alertpath::source;
use alertpath::source::terraform::hcl::VarInputs;

use crate::common::{of, run_with};

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

const ADMIN: &str = "[terraform]\nrole = \"guardduty-admin\"\naccount_id = \"111111111111\"\n";

/// Judge an HCL fixture directory with `config`.
pub fn judge_hcl(fixture: &str, config: &str) -> alertpath::report::Report {
    let config = alertpath::config::parse_str(config, "alertpath.toml").expect("config");
    let dir = repo().join("tests/fixtures/terraform").join(fixture);
    let vars = VarInputs {
        account_id: config.terraform.account_id.clone(),
        ..VarInputs::default()
    };
    let inventory = source::terraform::read(
        None,
        Some(&dir),
        &vars,
        &config.terraform,
        &config.pager.endpoint_patterns,
    )
    .unwrap_or_else(|e| panic!("{fixture}: {e:#}"));
    run_with(&inventory, &Config { ..config })
}

fn lines(report: &alertpath::report::Report, rule: &str) -> Vec<(Status, String)> {
    let mut out: Vec<(Status, String)> = of(report, rule)
        .iter()
        .map(|f| (f.outcome.status, f.outcome.message.clone()))
        .collect();
    out.sort_by(|a, b| a.1.cmp(&b.1));
    out
}

#[test]
fn documentation_placeholders_are_not_hardcoded_secrets() {
    let report = judge_hcl("placeholders", ADMIN);
    assert_eq!(
        lines(&report, "SEC002")
            .iter()
            .map(|(s, _)| *s)
            .collect::<Vec<_>>(),
        [Status::Pass],
        "{:?}",
        lines(&report, "SEC002")
    );
}

#[test]
fn a_disabled_rule_is_evt002s_and_a_nested_unknown_is_named_by_its_path() {
    let report = judge_hcl("placeholders", ADMIN);
    let evt002 = lines(&report, "EVT002");
    assert!(
        evt002
            .iter()
            .any(|(s, m)| *s == Status::Fail && m.contains("gd-findings-paused is DISABLED")),
        "{evt002:?}"
    );
    let evt003 = lines(&report, "EVT003");
    assert_eq!(evt003.len(), 2, "{evt003:?}");
    let of_rule = |name: &str| {
        evt003
            .iter()
            .find(|(_, m)| m.starts_with(&format!("rule {name}:")))
            .unwrap_or_else(|| panic!("{name}: {evt003:?}"))
    };
    let live = of_rule("gd-findings");
    assert_eq!(live.0, Status::NotAssessed, "{live:?}");
    assert!(
        live.1.contains(
            "`aws_cloudwatch_event_target.live.dead_letter_config[0].arn` is known after apply"
        ),
        "{live:?}"
    );
    assert!(!live.1.contains("``"), "{live:?}");
    let paused = evt003
        .iter()
        .find(|(_, m)| m.contains("gd-findings-paused"))
        .expect("paused");
    assert_eq!(paused.0, Status::NotApplicable, "{paused:?}");
    assert!(paused.1.contains("is DISABLED"), "{paused:?}");
}

/// Each function's resource policy in an HCL fixture read with no config:
/// (function address, policy JSON or why unknown).
fn function_policies(fixture: &str) -> Vec<(String, Result<serde_json::Value, String>)> {
    policies_in(&repo().join("tests/fixtures/terraform").join(fixture)).0
}

type Policies = Vec<(String, Result<serde_json::Value, String>)>;

/// Function policies and SCAN004 items of the HCL in `dir`.
fn policies_in(dir: &std::path::Path) -> (Policies, Vec<alertpath::inventory::Unresolved>) {
    let config = alertpath::config::TerraformConfig::default();
    let inventory = source::terraform::read(None, Some(dir), &VarInputs::default(), &config, &[])
        .unwrap_or_else(|e| panic!("{}: {e:#}", dir.display()));
    let facts = inventory
        .facts("000000000000", "us-east-1")
        .expect("placeholder account, us-east-1");
    let functions = facts.functions.collected().expect("functions");
    let mut out: Vec<(String, Result<serde_json::Value, String>)> = functions
        .iter()
        .map(|f| {
            let policy = match &f.policy {
                alertpath::inventory::Known::Value(Some(p)) => {
                    Ok(serde_json::from_str(p).expect("policy JSON"))
                }
                alertpath::inventory::Known::Value(None) => Err("no policy".to_string()),
                alertpath::inventory::Known::Unknown(m) => Err(m.unknown.describe()),
            };
            (f.origin.address.clone().unwrap_or_default(), policy)
        })
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    let unresolved = inventory.terraform.expect("terraform facts").unresolved;
    (out, unresolved)
}

/// Two same-named functions in one (account, region): each permission
/// attaches to the function it references, never to its namesake.
#[test]
fn a_permission_attaches_to_one_function_only() {
    let policies = function_policies("lambda-permissions");
    let principals: Vec<(String, Vec<String>)> = policies
        .iter()
        .map(|(address, policy)| {
            let policy = policy.as_ref().unwrap_or_else(|e| panic!("{address}: {e}"));
            let principals = policy["Statement"]
                .as_array()
                .expect("statements")
                .iter()
                .map(|s| {
                    s["Principal"]["Service"]
                        .as_str()
                        .unwrap_or("?")
                        .to_string()
                })
                .collect();
            (address.clone(), principals)
        })
        .collect();
    assert_eq!(
        principals,
        [
            (
                "module.ops.aws_lambda_function.this".to_string(),
                vec!["events.amazonaws.com".to_string()]
            ),
            (
                "module.security.aws_lambda_function.this".to_string(),
                vec!["sns.amazonaws.com".to_string()]
            ),
        ]
    );
}

/// A literal function name shared by two functions: inside a module it means
/// that module's function; at the root nothing tells them apart, so it
/// attaches to neither, their policies are unknown, and SCAN004 says why.
#[test]
fn a_literal_name_shared_by_two_functions_is_ambiguous_unless_one_is_in_its_module() {
    let dir = tempfile::tempdir().expect("tempdir");
    let module = r#"
resource "aws_lambda_function" "this" {
  function_name = "notify_slack"
  role          = "arn:aws:iam::123456789012:role/r"
  handler       = "notify_slack.lambda_handler"
  runtime       = "python3.11"
}
resource "aws_lambda_permission" "sns" {
  function_name = "notify_slack"
  principal     = "sns.amazonaws.com"
}
"#;
    for (path, text) in [
        ("modules/n/main.tf", module),
        (
            "main.tf",
            "provider \"aws\" {\n  region = \"us-east-1\"\n}\nmodule \"a\" {\n  source = \"./modules/n\"\n}\nmodule \"b\" {\n  source = \"./modules/n\"\n}\n",
        ),
    ] {
        let path = dir.path().join(path);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, text).expect("write");
    }
    let (policies, unresolved) = policies_in(dir.path());
    for (address, policy) in &policies {
        let policy = policy.as_ref().unwrap_or_else(|e| panic!("{address}: {e}"));
        assert_eq!(
            policy["Statement"].as_array().map(Vec::len),
            Some(1),
            "{address}"
        );
    }
    assert!(unresolved.is_empty(), "{unresolved:?}");

    // The same literal at the root names either function.
    std::fs::write(
        dir.path().join("root-permission.tf"),
        "resource \"aws_lambda_permission\" \"root\" {\n  function_name = \"notify_slack\"\n  principal     = \"events.amazonaws.com\"\n}\n",
    )
    .expect("write");
    let (policies, unresolved) = policies_in(dir.path());
    for (address, policy) in &policies {
        let why = policy.as_ref().expect_err(address);
        assert!(
            why.contains("`aws_lambda_permission.root.function_name` is unresolved"),
            "{address}: {why}"
        );
    }
    assert_eq!(unresolved.len(), 1, "{unresolved:?}");
    assert_eq!(
        unresolved[0].expression,
        "aws_lambda_permission.root.function_name"
    );
    assert!(
        unresolved[0]
            .reason
            .contains("module.a.aws_lambda_function.this, module.b.aws_lambda_function.this"),
        "{}",
        unresolved[0].reason
    );
}

/// SNS001's status per topic name, for the `policy-arns` fixture read as a
/// plan, as HCL, or both.
fn sns001_by_topic(plan: bool, hcl: bool) -> Vec<(String, Status)> {
    let config = alertpath::config::parse_str(ADMIN, "alertpath.toml").expect("config");
    let dir = repo().join("tests/fixtures/terraform/policy-arns");
    let plan_file = dir.join("plan.json");
    let vars = VarInputs {
        account_id: config.terraform.account_id.clone(),
        ..VarInputs::default()
    };
    let inventory = source::terraform::read(
        plan.then_some(plan_file.as_path()),
        hcl.then_some(dir.as_path()),
        &vars,
        &config.terraform,
        &config.pager.endpoint_patterns,
    )
    .expect("policy-arns reads");
    let report = run_with(&inventory, &config);
    let mut out: Vec<(String, Status)> = of(&report, "SNS001")
        .iter()
        .map(|f| {
            let topic = f.outcome.subject.resource.as_ref().map(|r| r.name.clone());
            (topic.unwrap_or_default(), f.outcome.status)
        })
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

#[test]
fn a_policy_naming_its_own_topic_and_rule_is_judged() {
    let topics = |rows: &[(&str, Status)]| -> Vec<(String, Status)> {
        rows.iter().map(|(t, s)| ((*t).to_string(), *s)).collect()
    };
    // Only CloudWatch may publish to gd-cloudwatch-only: EventBridge cannot.
    // The others let EventBridge publish from this rule. Every policy names
    // the topic (and the rule) by reference, known after apply to Terraform.
    let evaluated = topics(&[
        ("gd-cloudwatch-only", Status::Fail),
        ("gd-documented", Status::Pass),
        ("gd-jsonencoded", Status::Pass),
        ("gd-pager", Status::Pass),
    ]);
    assert_eq!(sns001_by_topic(false, true), evaluated, "HCL");
    assert_eq!(sns001_by_topic(true, true), evaluated, "plan + HCL");
    // A plan records a policy document's static statements, not a
    // `jsonencode` policy's shape nor `dynamic` statements.
    assert_eq!(
        sns001_by_topic(true, false),
        topics(&[
            ("gd-cloudwatch-only", Status::Fail),
            ("gd-documented", Status::Pass),
            ("gd-jsonencoded", Status::NotAssessed),
            ("gd-pager", Status::NotAssessed),
        ]),
        "plan"
    );
}

#[test]
fn a_route_message_names_every_failing_sample_and_each_break() {
    let report = judge_hcl("severity-band", ADMIN);
    let route001 = lines(&report, "ROUTE001");
    assert_eq!(
        route001,
        [(
            Status::Fail,
            "3 of 3 sample findings at or above severity 7 in us-east-1 reach no pager endpoint: \
             7.0 Backdoor:EC2/C&CActivity.B, 8.0 CryptoCurrency:EC2/BitcoinTool.B!DNS: topic \
             gd-pager's policy does not allow events.amazonaws.com to sns:Publish to \
             arn:aws:sns:us-east-1:111111111111:gd-pager (SNS001); \
             9.5 Trojan:EC2/DNSDataExfiltration: no enabled rule on the bus matches the event (EVT001)"
                .to_string()
        )]
    );
    // The chat route fails for all five samples: the 2.0 and the 9.5 one at
    // the rule, the others at the topic. Each sample is named once.
    let route002 = lines(&report, "ROUTE002");
    let [(Status::Fail, message)] = route002.as_slice() else {
        panic!("{route002:?}");
    };
    assert!(
        message.starts_with(
            "5 of 5 sample findings at or above severity 1 in us-east-1 reach no chat endpoint: "
        ),
        "{message}"
    );
    assert!(
        message.contains(
            "2.0 UnauthorizedAccess:EC2/SSHBruteForce, 9.5 Trojan:EC2/DNSDataExfiltration: no enabled rule on the bus matches the event (EVT001)"
        ),
        "{message}"
    );
    assert_eq!(message.matches("(SNS001)").count(), 1, "{message}");
    assert_eq!(message.matches("9.5 ").count(), 1, "{message}");
}
