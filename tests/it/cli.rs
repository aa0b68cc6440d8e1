//! End-to-end CLI tests: exit codes, output routing and bad input.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_alertpath"))
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/snapshots")
        .join(name)
}

fn scan(args: &[&str]) -> Output {
    let mut cmd = bin();
    cmd.arg("scan").args(args).env("NO_COLOR", "1");
    cmd.output().expect("binary runs")
}

fn code(out: &Output) -> i32 {
    out.status.code().expect("exited normally")
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn example() -> String {
    fixture("example-org.json").display().to_string()
}

fn healthy() -> String {
    fixture("healthy-org.json").display().to_string()
}

#[test]
fn healthy_org_exits_zero() {
    // --fail-on info: any failure at all would exit 1.
    let out = scan(&["--snapshot", &healthy(), "--fail-on", "info"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
}

#[test]
fn example_org_fails_with_one() {
    assert_eq!(code(&scan(&["--snapshot", &example()])), 1);
}

#[test]
fn fail_on_raises_the_bar() {
    // The example org's failures are high at most; with --fail-on critical it has
    // none, but some scope is not assessed: exit 3.
    assert_eq!(
        code(&scan(&["--snapshot", &example(), "--fail-on", "critical"])),
        3
    );
    assert_eq!(
        code(&scan(&[
            "--snapshot",
            &example(),
            "--fail-on",
            "critical",
            "--allow-partial"
        ])),
        0
    );
}

#[test]
fn exit_zero_masks_one_and_three_but_not_two() {
    assert_eq!(code(&scan(&["--snapshot", &example(), "--exit-zero"])), 0);
    assert_eq!(
        code(&scan(&[
            "--snapshot",
            &example(),
            "--fail-on",
            "critical",
            "--exit-zero"
        ])),
        0
    );
    assert_eq!(
        code(&scan(&["--snapshot", "/nonexistent.json", "--exit-zero"])),
        2
    );
}

#[test]
fn several_formats_each_to_its_own_file() {
    let dir = tempfile::tempdir().unwrap();
    let sarif = dir.path().join("a.sarif");
    let json = dir.path().join("a.json");
    let out = scan(&[
        "--snapshot",
        &healthy(),
        "--format",
        "sarif",
        "--output",
        sarif.to_str().unwrap(),
        "--format",
        "json",
        "--output",
        json.to_str().unwrap(),
    ]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert_eq!(report["report_version"], 1);
    let sarif: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&sarif).unwrap()).unwrap();
    assert_eq!(sarif["version"], "2.1.0");
}

#[test]
fn output_dir_writes_all_four() {
    let dir = tempfile::tempdir().unwrap();
    let out = scan(&[
        "--snapshot",
        &example(),
        "--output-dir",
        dir.path().to_str().unwrap(),
    ]);
    assert_eq!(code(&out), 1);
    for name in [
        "alertpath.txt",
        "alertpath.json",
        "alertpath.sarif",
        "alertpath.md",
    ] {
        assert!(dir.path().join(name).exists(), "{name}");
    }
}

#[test]
fn malformed_snapshot_names_file_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, "{\n  \"format_version\": 1,\n  \"accounts\": [\n").unwrap();
    let out = scan(&["--snapshot", bad.to_str().unwrap()]);
    assert_eq!(code(&out), 2);
    let err = stderr(&out);
    assert!(err.contains("bad.json:4:"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn wrong_snapshot_version_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("v9.json");
    std::fs::write(&bad, r#"{"format_version": 9}"#).unwrap();
    let out = scan(&["--snapshot", bad.to_str().unwrap()]);
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out).contains("format_version 9 is not supported"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn unwritable_output_is_an_error_and_leaves_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let blocker = dir.path().join("file");
    std::fs::write(&blocker, "x").unwrap();
    let target = blocker.join("out.json");
    let out = scan(&[
        "--snapshot",
        &healthy(),
        "--format",
        "json",
        "--output",
        target.to_str().unwrap(),
    ]);
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("out.json"), "{}", stderr(&out));
    assert!(!target.exists());
}

#[test]
fn bad_output_pairing_is_a_usage_error() {
    let out = scan(&[
        "--snapshot",
        &healthy(),
        "--format",
        "json",
        "--format",
        "sarif",
    ]);
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("stdout"));
}

#[test]
fn missing_config_file_is_an_error() {
    let out = scan(&[
        "--snapshot",
        &healthy(),
        "--config",
        "/nonexistent/alertpath.toml",
    ]);
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out).contains("/nonexistent/alertpath.toml"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn explain_prints_the_doc_and_rejects_unknown_rules() {
    let out = bin().args(["explain", "GD001"]).output().unwrap();
    assert_eq!(code(&out), 0);
    let doc = String::from_utf8_lossy(&out.stdout);
    assert!(doc.starts_with("# GD001"), "{doc}");
    let out = bin().args(["explain", "XX999"]).output().unwrap();
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("XX999"));
}

#[test]
fn rules_lists_every_rule_as_text_and_json() {
    let out = bin().args(["rules", "--format", "json"]).output().unwrap();
    assert_eq!(code(&out), 0);
    let rules: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let ids: Vec<&str> = rules
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids.len(), alertpath::rules::REGISTRY.len());
    assert!(ids.contains(&"SCAN004"));
    let out = bin().arg("rules").output().unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("detector-missing"));
}

#[test]
fn baseline_carries_over_results_of_unassessed_scope() {
    // Account 100000000005 of the example org could not be assessed (SCAN001).
    let dir = tempfile::tempdir().unwrap();
    let baseline = dir.path().join("prev.sarif");
    let previous = serde_json::json!({
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "alertpath", "rules": []}},
            "results": [{
                "ruleId": "GD001",
                "level": "error",
                "message": {"text": "no GuardDuty detector in us-east-1 of account 100000000005"},
                "locations": [{"physicalLocation": {"artifactLocation": {"uri": "aws/100000000005/us-east-1"}, "region": {"startLine": 1}}}],
                "partialFingerprints": {"primaryLocationLineHash": "0123456789abcdef"},
                "properties": {"account": "100000000005", "region": "us-east-1", "status": "fail"}
            }]
        }]
    });
    std::fs::write(&baseline, previous.to_string()).unwrap();
    let sarif = dir.path().join("now.sarif");
    let out = scan(&[
        "--snapshot",
        &example(),
        "--baseline",
        baseline.to_str().unwrap(),
        "--format",
        "sarif",
        "--output",
        sarif.to_str().unwrap(),
    ]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let log: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&sarif).unwrap()).unwrap();
    let carried: Vec<&serde_json::Value> = log["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["properties"]["carriedOver"] == true)
        .collect();
    assert_eq!(
        carried.len(),
        1,
        "the unassessed account's alert is carried over"
    );
    assert_eq!(carried[0]["properties"]["account"], "100000000005");
}

#[test]
fn malformed_baseline_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let baseline = dir.path().join("prev.sarif");
    std::fs::write(&baseline, "{not json").unwrap();
    let out = scan(&[
        "--snapshot",
        &example(),
        "--baseline",
        baseline.to_str().unwrap(),
    ]);
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("prev.sarif:1:"), "{}", stderr(&out));
}

fn config_file(dir: &tempfile::TempDir, text: &str) -> String {
    let path = dir.path().join("alertpath.toml");
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

#[test]
fn expired_waiver_warns_and_the_finding_comes_back_or_strict_config_errors() {
    let dir = tempfile::tempdir().unwrap();
    let config = config_file(
        &dir,
        r#"
[[waiver]]
rule = "GD001"
account = "100000000003"
region = "eu-west-1"
reason = "region being decommissioned"
expires = "2020-01-31"
"#,
    );
    let json = dir.path().join("r.json");
    let out = scan(&[
        "--snapshot",
        &example(),
        "--config",
        &config,
        "--format",
        "json",
        "--output",
        json.to_str().unwrap(),
    ]);
    assert_eq!(code(&out), 1);
    // Printed once: in the text report on stdout (stderr only without one).
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("expired on 2020-01-31"), "{stdout}");
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    let gd001 = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| {
            f["rule"] == "GD001"
                && f["subject"]["account"] == "100000000003"
                && f["subject"]["region"] == "eu-west-1"
        })
        .unwrap();
    assert_eq!(gd001["status"], "fail", "an expired waiver stops applying");
    let strict = scan(&[
        "--snapshot",
        &example(),
        "--config",
        &config,
        "--strict-config",
    ]);
    assert_eq!(code(&strict), 2);
    assert!(stderr(&strict).contains("expired"), "{}", stderr(&strict));
}

#[test]
fn valid_waiver_waives_and_unmatched_waiver_warns() {
    let dir = tempfile::tempdir().unwrap();
    let config = config_file(
        &dir,
        r#"
[[waiver]]
rule = "GD001"
account = "100000000003"
region = "eu-west-1"
reason = "region being decommissioned"
expires = "2099-01-31"

[[waiver]]
rule = "GD002"
account = "100000000009"
reason = "no such account"
"#,
    );
    let sarif = dir.path().join("r.sarif");
    let out = scan(&[
        "--snapshot",
        &example(),
        "--config",
        &config,
        "--format",
        "sarif",
        "--output",
        sarif.to_str().unwrap(),
    ]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("matched no finding"), "{stdout}");
    let log: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&sarif).unwrap()).unwrap();
    let suppressed: Vec<&serde_json::Value> = log["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["ruleId"] == "GD001" && r["suppressions"].is_array())
        .collect();
    assert_eq!(
        suppressed.len(),
        1,
        "a waived finding stays in SARIF as a suppression"
    );
    assert_eq!(
        suppressed[0]["suppressions"][0]["justification"],
        "region being decommissioned"
    );
}

#[test]
fn sarif_category_sets_automation_details() {
    let dir = tempfile::tempdir().unwrap();
    let sarif = dir.path().join("r.sarif");
    let out = scan(&[
        "--snapshot",
        &healthy(),
        "--sarif-category",
        "org/nightly",
        "--format",
        "sarif",
        "--output",
        sarif.to_str().unwrap(),
    ]);
    assert_eq!(code(&out), 0);
    let log: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&sarif).unwrap()).unwrap();
    assert_eq!(log["runs"][0]["automationDetails"]["id"], "org/nightly/");
    let default = scan(&[
        "--snapshot",
        &healthy(),
        "--format",
        "sarif",
        "--output",
        sarif.to_str().unwrap(),
    ]);
    assert_eq!(code(&default), 0);
    let log: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&sarif).unwrap()).unwrap();
    assert_eq!(log["runs"][0]["automationDetails"]["id"], "alertpath/live/");
}
