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
    let out = scan(&["--snapshot", &healthy()]);
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
    assert_eq!(code(&scan(&["--snapshot", &example(), "--fail-on", "critical"])), 3);
    assert_eq!(
        code(&scan(&["--snapshot", &example(), "--fail-on", "critical", "--allow-partial"])),
        0
    );
}

#[test]
fn exit_zero_masks_one_and_three_but_not_two() {
    assert_eq!(code(&scan(&["--snapshot", &example(), "--exit-zero"])), 0);
    assert_eq!(
        code(&scan(&["--snapshot", &example(), "--fail-on", "critical", "--exit-zero"])),
        0
    );
    assert_eq!(code(&scan(&["--snapshot", "/nonexistent.json", "--exit-zero"])), 2);
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
    let out = scan(&["--snapshot", &example(), "--output-dir", dir.path().to_str().unwrap()]);
    assert_eq!(code(&out), 1);
    for name in ["alertpath.txt", "alertpath.json", "alertpath.sarif", "alertpath.md"] {
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
    assert!(stderr(&out).contains("format_version 9 is not supported"), "{}", stderr(&out));
}

#[test]
fn unwritable_output_is_an_error_and_leaves_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let blocker = dir.path().join("file");
    std::fs::write(&blocker, "x").unwrap();
    let target = blocker.join("out.json");
    let out = scan(&["--snapshot", &healthy(), "--format", "json", "--output", target.to_str().unwrap()]);
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("out.json"), "{}", stderr(&out));
    assert!(!target.exists());
}

#[test]
fn bad_output_pairing_is_a_usage_error() {
    let out = scan(&["--snapshot", &healthy(), "--format", "json", "--format", "sarif"]);
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("stdout"));
}

#[test]
fn missing_config_file_is_an_error() {
    let out = scan(&["--snapshot", &healthy(), "--config", "/nonexistent/alertpath.toml"]);
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("/nonexistent/alertpath.toml"), "{}", stderr(&out));
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
    let ids: Vec<&str> = rules.as_array().unwrap().iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), alertpath::rules::REGISTRY.len());
    assert!(ids.contains(&"SCAN004"));
    let out = bin().arg("rules").output().unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("detector-missing"));
}
