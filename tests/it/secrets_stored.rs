//! Secrets never stored (issue 12, item 4), through the CLI: values planted in
//! EventBridge target inputs (from terraform.tfvars, `--var-file` and `--var`,
//! and in an older snapshot that stored the text) reach no output format and
//! nothing in the evidence pack; a malformed `--var` is not echoed.

use std::path::{Path, PathBuf};
use std::process::Output;

use crate::common::process::{bin, code, example_snapshot};

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Every file under `dirs`, with stdout and stderr, as one text per source.
fn everything_written(dirs: &[&Path], out: &Output) -> Vec<(String, String)> {
    let mut texts = vec![
        (
            "stdout".to_string(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
        ),
        ("stderr".to_string(), stderr(out)),
    ];
    for dir in dirs {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            texts.push((
                path.display().to_string(),
                String::from_utf8_lossy(&std::fs::read(&path).unwrap()).into_owned(),
            ));
        }
    }
    texts
}

fn assert_absent(markers: &[&str], texts: &[(String, String)]) {
    for (source, text) in texts {
        for marker in markers {
            assert!(
                !text.contains(marker),
                "{marker} leaked into {source}:\n{text}"
            );
        }
    }
}

const TFVARS_KEY: &str = "R0UTE7TFVARSPLANTEDKEY0000000001";
const FILE_KEY: &str = "ZQ7FILEPLANTEDKEY";
const CLI_KEY: &str = "CLIPLANTEDR0UTINGKEY00000000003";

fn terraform_dir(tmp: &Path) -> PathBuf {
    let dir = tmp.join("tf");
    std::fs::create_dir(&dir).unwrap();
    std::fs::write(
        dir.join("providers.tf"),
        r#"provider "aws" {
  region = "us-east-1"
}
"#,
    )
    .unwrap();
    std::fs::write(
        dir.join("main.tf"),
        r#"variable "routing_key" {
  type      = string
  sensitive = true
}

variable "template_key" {
  type = string
}

variable "extra_key" {
  type = string
}

resource "aws_cloudwatch_event_rule" "findings" {
  name = "guardduty-finding-events"
  event_pattern = jsonencode({
    source        = ["aws.guardduty"]
    "detail-type" = ["GuardDuty Finding"]
  })
}

resource "aws_sns_topic" "pager" {
  name = "gd-pager"
}

resource "aws_cloudwatch_event_target" "pager" {
  rule      = aws_cloudwatch_event_rule.findings.name
  target_id = "pager"
  arn       = aws_sns_topic.pager.arn
  input     = jsonencode({ routing_key = var.routing_key, extra = var.extra_key })
}

resource "aws_cloudwatch_event_target" "chat" {
  rule      = aws_cloudwatch_event_rule.findings.name
  target_id = "chat"
  arn       = aws_sns_topic.pager.arn
  input_transformer {
    input_paths = {
      region = "$.region"
    }
    input_template = "\"GuardDuty finding in <region> via https://hooks.example.com/k/${var.template_key}/notify\""
  }
}
"#,
    )
    .unwrap();
    std::fs::write(
        dir.join("terraform.tfvars"),
        format!("routing_key = \"{TFVARS_KEY}\"\n"),
    )
    .unwrap();
    dir
}

#[test]
fn target_input_values_from_tfvars_var_file_and_var_reach_no_output() {
    let tmp = tempfile::tempdir().unwrap();
    let tf = terraform_dir(tmp.path());
    let var_file = tmp.path().join("extra.tfvars");
    std::fs::write(&var_file, format!("template_key = \"{FILE_KEY}\"\n")).unwrap();
    let out_dir = tmp.path().join("out");
    let pack = tmp.path().join("pack");
    let out = bin()
        .arg("scan")
        .arg("--terraform")
        .arg(&tf)
        .arg("--var-file")
        .arg(&var_file)
        .arg("--var")
        .arg(format!("extra_key={CLI_KEY}"))
        .arg("--output-dir")
        .arg(&out_dir)
        .arg("--evidence")
        .arg(&pack)
        .output()
        .unwrap();
    assert!(
        [0, 1, 3].contains(&code(&out)),
        "exit {}: {}",
        code(&out),
        stderr(&out)
    );
    assert_absent(
        &[TFVARS_KEY, FILE_KEY, CLI_KEY],
        &everything_written(&[&out_dir, &pack], &out),
    );
    // The inputs were read and reduced to facts, not dropped.
    let inventory = std::fs::read_to_string(pack.join("inventory.json")).unwrap();
    assert!(inventory.contains("\"json_object\": true"), "{inventory}");
    assert!(inventory.contains("\"region\""), "{inventory}");
}

#[test]
fn an_older_snapshot_with_input_text_is_reduced_before_any_output() {
    let tmp = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(example_snapshot()).unwrap();
    let marker = "SNAPSHOTPLANTEDROUTINGKEY0000004";
    // The first target with no input gets a constant input carrying a routing
    // key, as snapshots made before issue 12 stored it.
    let planted = text.replacen(
        "\"input\": null",
        &format!("\"input\": \"{{\\\"routing_key\\\": \\\"{marker}\\\"}}\""),
        1,
    );
    assert_ne!(planted, text);
    let snapshot = tmp.path().join("old.json");
    std::fs::write(&snapshot, planted).unwrap();
    let out_dir = tmp.path().join("out");
    let pack = tmp.path().join("pack");
    let out = bin()
        .arg("scan")
        .arg("--snapshot")
        .arg(&snapshot)
        .arg("--output-dir")
        .arg(&out_dir)
        .arg("--evidence")
        .arg(&pack)
        .output()
        .unwrap();
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert_absent(&[marker], &everything_written(&[&out_dir, &pack], &out));
    let verify = bin().arg("verify-evidence").arg(&pack).output().unwrap();
    assert_eq!(
        code(&verify),
        0,
        "{}",
        String::from_utf8_lossy(&verify.stdout)
    );
}

#[test]
fn a_malformed_var_is_not_echoed() {
    let tmp = tempfile::tempdir().unwrap();
    let tf = terraform_dir(tmp.path());
    let secret =
        "https://events.pagerduty.com/integration/0123456789abcdef0123456789abcdef/enqueue";
    let out = bin()
        .arg("scan")
        .arg("--terraform")
        .arg(&tf)
        .arg("--var")
        .arg(secret)
        .output()
        .unwrap();
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(stderr(&out).contains("invalid --var"), "{}", stderr(&out));
    assert!(
        !stderr(&out).contains("0123456789abcdef"),
        "{}",
        stderr(&out)
    );
}

/// Endpoints of services redaction does not know lose every path segment and
/// query value, however short or letters-only: from HCL (terraform.tfvars
/// values) to every output and the pack.
#[test]
fn short_webhook_paths_and_query_strings_reach_no_output() {
    let tmp = tempfile::tempdir().unwrap();
    let tf = terraform_dir(tmp.path());
    std::fs::write(
        tf.join("subscriptions.tf"),
        r#"variable "hook_token" {
  type = string
}

resource "aws_sns_topic_subscription" "short_hook" {
  topic_arn = aws_sns_topic.pager.arn
  protocol  = "https"
  endpoint  = "https://hooks.example.com/k/${var.hook_token}/notify"
}

resource "aws_sns_topic_subscription" "letters_only" {
  topic_arn = aws_sns_topic.pager.arn
  protocol  = "https"
  endpoint  = "https://ops.example.com/alert/SecretTokenHere?apiKey=QuerySecretValue"
}
"#,
    )
    .unwrap();
    let out_dir = tmp.path().join("out");
    let pack = tmp.path().join("pack");
    let out = bin()
        .arg("scan")
        .arg("--terraform")
        .arg(&tf)
        .args(["--var", "hook_token=Zq7Kx2"])
        .args(["--var", "template_key=x", "--var", "extra_key=y"])
        .arg("--output-dir")
        .arg(&out_dir)
        .arg("--evidence")
        .arg(&pack)
        .output()
        .unwrap();
    assert!(
        [0, 1, 3].contains(&code(&out)),
        "exit {}: {}",
        code(&out),
        stderr(&out)
    );
    assert_absent(
        &["Zq7Kx2", "SecretTokenHere", "QuerySecretValue", TFVARS_KEY],
        &everything_written(&[&out_dir, &pack], &out),
    );
    let inventory = std::fs::read_to_string(pack.join("inventory.json")).unwrap();
    assert!(
        inventory.contains("https://hooks.example.com/<redacted>/<redacted>/<redacted>"),
        "{inventory}"
    );
}

/// A snapshot replayed with a `[pager] endpoint_patterns` entry that was not
/// evaluated when it was collected: the endpoint is stored redacted, so its
/// class is not assessed, with "re-collect with this config" as the reason.
#[test]
fn a_pattern_not_evaluated_at_collection_is_not_assessed() {
    let tmp = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(example_snapshot()).unwrap();
    let config = tmp.path().join("alertpath.toml");
    std::fs::write(
        &config,
        "[pager]\nendpoint_patterns = [\"https://alerts.example.com/pd/*\"]\n",
    )
    .unwrap();
    // Turn one PagerDuty endpoint into another service's, stored redacted.
    let planted = text.replacen(
        "https://events.pagerduty.com/integration/<redacted>/enqueue",
        "https://alerts.example.com/<redacted>/<redacted>",
        1,
    );
    assert_ne!(planted, text);
    let snapshot = tmp.path().join("org.json");
    std::fs::write(&snapshot, planted).unwrap();
    let out = bin()
        .arg("scan")
        .arg("--snapshot")
        .arg(&snapshot)
        .arg("--config")
        .arg(&config)
        .args(["--format", "json", "--exit-zero", "--quiet"])
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("re-collect with this config"),
        "the unevaluated pattern is named as not assessed"
    );
}
