//! Endpoint and secret decisions through the CLI: one owner (`alertpath::endpoints`)
//! answers "is this a pager?", "does it count as confirmed?" and "is this a
//! secret?", so every rule and both Terraform sources agree.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

use serde_json::Value;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/terraform")
        .join(name)
}

/// A fresh scratch directory (std only), removed by [`Scratch::drop`].
struct Scratch(PathBuf);

impl Scratch {
    fn new() -> Self {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "alertpath-endpoints-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::SeqCst)
        ));
        std::fs::create_dir_all(&dir).expect("scratch dir");
        Scratch(dir)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// How a fixture is read.
#[derive(Debug, Clone, Copy)]
enum Input {
    Plan,
    Hcl,
}

/// Run `alertpath scan` on a fixture with a config; the JSON report and every
/// byte the run wrote (report, stdout, stderr), for leak checks.
fn scan(name: &str, input: Input, config: &str) -> (Value, String) {
    let scratch = Scratch::new();
    let config_path = scratch.0.join("alertpath.toml");
    std::fs::write(&config_path, config).expect("write config");
    let report_path = scratch.0.join("report.json");
    let dir = fixture(name);
    let (flag, path) = match input {
        Input::Plan => ("--plan", dir.join("plan.json")),
        Input::Hcl => ("--terraform", dir),
    };
    let out = Command::new(env!("CARGO_BIN_EXE_alertpath"))
        .arg("scan")
        .arg(flag)
        .arg(&path)
        .arg("--config")
        .arg(&config_path)
        .args(["--format", "json", "--output"])
        .arg(&report_path)
        .args(["--exit-zero", "-q"])
        .env("NO_COLOR", "1")
        .output()
        .expect("binary runs");
    let text = std::fs::read_to_string(&report_path).unwrap_or_else(|_| {
        panic!(
            "{name} {input:?}: no report: {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    let all = format!(
        "{text}{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (serde_json::from_str(&text).expect("report JSON"), all)
}

/// (status, message) of every outcome of `rule`.
fn outcomes(report: &Value, rule: &str) -> Vec<(String, String)> {
    report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["rule"] == rule)
        .map(|f| {
            (
                f["status"].as_str().unwrap_or_default().to_string(),
                f["message"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

fn statuses(report: &Value, rule: &str) -> Vec<String> {
    outcomes(report, rule).into_iter().map(|(s, _)| s).collect()
}

const OPSGENIE_PATTERN: &str = "https://api.opsgenie.com/v1/json/amazonsns*";

fn admin_config(patterns: &[&str]) -> String {
    let list: Vec<String> = patterns.iter().map(|p| format!("{p:?}")).collect();
    format!(
        "[terraform]\nrole = \"guardduty-admin\"\naccount_id = \"111111111111\"\n\n[pager]\nendpoint_patterns = [{}]\n",
        list.join(", ")
    )
}

/// RULES.md "Confirmed" (P/H): an `https` subscription with
/// `endpoint_auto_confirms = true` whose endpoint matches a configured pager
/// pattern counts as confirmed for every rule: SUB004 and ROUTE001 agree.
#[test]
fn a_custom_pager_pattern_confirms_for_sub004_and_route001_alike() {
    for input in [Input::Plan, Input::Hcl] {
        let (report, all) = scan("custom-pager", input, &admin_config(&[OPSGENIE_PATTERN]));
        let sub004 = statuses(&report, "SUB004");
        let route001 = outcomes(&report, "ROUTE001");
        assert_eq!(sub004, ["pass"], "{input:?}: SUB004 {sub004:?}");
        assert!(
            !route001.is_empty() && route001.iter().all(|(s, _)| s == "pass"),
            "{input:?}: ROUTE001 must agree with SUB004: {route001:?}"
        );
        assert!(
            !all.contains("00000000-0000-0000-0000-000000000000"),
            "{input:?}: the Opsgenie key leaked"
        );
    }
}

/// Without the pattern the Opsgenie endpoint is no pager: ROUTE001 fails and
/// nothing counts the subscription as confirmed.
#[test]
fn without_the_pattern_the_custom_endpoint_is_no_pager() {
    for input in [Input::Plan, Input::Hcl] {
        let (report, _) = scan("custom-pager", input, &admin_config(&[]));
        assert!(
            statuses(&report, "ROUTE001").iter().any(|s| s == "fail"),
            "{input:?}: {:?}",
            outcomes(&report, "ROUTE001")
        );
        assert_eq!(
            statuses(&report, "SUB004"),
            ["not_assessed"],
            "{input:?}: {:?}",
            outcomes(&report, "SUB004")
        );
    }
}

/// RULES.md SEC002: a PagerDuty key of 32 hex characters is a key in either
/// case, so `--plan` and `--terraform` report the same secret.
#[test]
fn an_upper_case_pagerduty_key_is_a_secret_through_plan_and_hcl_alike() {
    let config = "[terraform]\nrole = \"member\"\n";
    let (plan, plan_all) = scan("upper-case-key", Input::Plan, config);
    let (hcl, hcl_all) = scan("upper-case-key", Input::Hcl, config);
    let subjects = |report: &Value| -> Vec<(String, String, String)> {
        report["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .filter(|f| f["rule"] == "SEC002")
            .map(|f| {
                let resource = &f["subject"]["resource"];
                (
                    f["status"].as_str().unwrap_or_default().to_string(),
                    resource["origin"]["address"]
                        .as_str()
                        .unwrap_or_default()
                        .to_string(),
                    resource["attribute"]
                        .as_str()
                        .unwrap_or_default()
                        .to_string(),
                )
            })
            .collect()
    };
    let expected = vec![(
        "fail".to_string(),
        "aws_sns_topic_subscription.pagerduty".to_string(),
        "endpoint".to_string(),
    )];
    assert_eq!(subjects(&plan), expected, "--plan");
    assert_eq!(subjects(&hcl), expected, "--terraform");
    for all in [plan_all, hcl_all] {
        assert!(!all.to_ascii_lowercase().contains("fedcba9876543210"));
    }
}

/// The HCL evaluator records every unresolved item with what it blocks; SCAN004
/// is derived after adaptation: an endpoint whose only unknown is the key that
/// redaction removes is a known fact (not SCAN004), an unknown host is
/// SCAN004, and an unknown `count` (which leaves no inventory field) is still
/// reported.
#[test]
fn scan004_is_derived_after_adaptation() {
    use alertpath::inventory::{Known, Observed, RegionSlot, SourceKind};
    use alertpath::source::terraform::{adapt, hcl};

    let scratch = Scratch::new();
    std::fs::write(
        scratch.0.join("main.tf"),
        r#"provider "aws" { region = "us-west-2" }
variable "pagerduty_key" { type = string }
variable "relay_host" { type = string }
variable "pager_topics" { type = number }
resource "aws_sns_topic" "pager" { name = "gd-pager" }
resource "aws_sns_topic_subscription" "pagerduty" {
  topic_arn              = aws_sns_topic.pager.arn
  protocol               = "https"
  endpoint               = "https://events.pagerduty.com/integration/${var.pagerduty_key}/enqueue"
  endpoint_auto_confirms = true
}
resource "aws_sns_topic_subscription" "relay" {
  topic_arn = aws_sns_topic.pager.arn
  protocol  = "https"
  endpoint  = "https://${var.relay_host}/hook"
}
resource "aws_sns_topic" "extra" {
  count = var.pager_topics
  name  = "gd-extra"
}
"#,
    )
    .expect("write main.tf");
    let stack = hcl::read_dir(&scratch.0, &hcl::VarInputs::default(), &scratch.0).expect("reads");
    let recorded: Vec<&str> = stack
        .unresolved
        .iter()
        .filter_map(|u| u.origin.address.as_deref())
        .collect();
    assert!(
        recorded.contains(&"aws_sns_topic_subscription.pagerduty"),
        "the evaluator records what it could not resolve: {recorded:?}"
    );
    let inventory = adapt::adapt(
        &stack,
        &alertpath::config::TerraformConfig::default(),
        SourceKind::Hcl,
    );
    let scan004: Vec<(String, String)> = inventory
        .terraform
        .as_ref()
        .expect("terraform facts")
        .unresolved
        .iter()
        .map(|u| {
            (
                u.origin.address.clone().unwrap_or_default(),
                u.expression.clone(),
            )
        })
        .collect();
    assert_eq!(
        scan004,
        [
            (
                "aws_sns_topic_subscription.relay".to_string(),
                "var.relay_host".to_string()
            ),
            (
                "aws_sns_topic.extra".to_string(),
                "var.pager_topics".to_string()
            ),
        ],
    );
    let region = inventory.accounts.values().next().expect("account").regions["us-west-2"].clone();
    let RegionSlot::Enabled(observed) = region else {
        panic!("us-west-2 not enabled");
    };
    let Observed::Collected(facts) = *observed else {
        panic!("us-west-2 not collected");
    };
    let endpoints: Vec<Known<String>> = facts
        .subscriptions
        .collected()
        .expect("subscriptions")
        .iter()
        .map(|s| s.endpoint.clone())
        .collect();
    assert!(endpoints.contains(&Known::Value(
        "https://events.pagerduty.com/integration/<redacted>/enqueue".to_string()
    )));
    assert!(endpoints.iter().any(|e| e.value().is_none()));
}
