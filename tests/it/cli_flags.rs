//! Command-line edges (issue 20): region validation with suggestions, rule
//! selection, `--fail-on none`, `--min-severity`, short flags, warnings once.

use std::process::{Command, Output};

use crate::common::process::{bin, code, example_snapshot};

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A command with no AWS credentials, no config and no instance metadata, so
/// a run that reached the network would fail fast and differently.
fn offline(mut cmd: Command, dir: &std::path::Path) -> Command {
    let empty = dir.join("empty");
    std::fs::write(&empty, "").unwrap();
    for var in [
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_PROFILE",
        "AWS_DEFAULT_PROFILE",
        "AWS_ENDPOINT_URL",
    ] {
        cmd.env_remove(var);
    }
    cmd.env("AWS_CONFIG_FILE", &empty)
        .env("AWS_SHARED_CREDENTIALS_FILE", &empty)
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_REGION", "us-east-1")
        .current_dir(dir);
    cmd
}

fn scan_example(args: &[&str]) -> Output {
    bin()
        .arg("scan")
        .arg("--snapshot")
        .arg(example_snapshot())
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn a_mistyped_region_is_an_error_with_a_suggestion() {
    let tmp = tempfile::tempdir().unwrap();
    for (regions, want) in [
        (
            "useast1",
            "`useast1` is not a region name (like `eu-west-1`); did you mean `us-east-1`?",
        ),
        (
            "eu-west-1,us-east-9",
            "`us-east-9` is not a known AWS region; did you mean `us-east-1`?",
        ),
    ] {
        let mut cmd = offline(bin(), tmp.path());
        cmd.args(["scan", "--regions", regions]);
        let out = cmd.output().unwrap();
        assert_eq!(code(&out), 2, "{regions}: {}", stderr(&out));
        assert!(stderr(&out).contains(want), "{regions}: {}", stderr(&out));
    }
}

#[test]
fn config_regions_are_checked_by_the_same_list() {
    let tmp = tempfile::tempdir().unwrap();
    let config = tmp.path().join("alertpath.toml");
    std::fs::write(
        &config,
        "[scope]\nregions = [\"eu-west-1\", \"us-east-9\"]\n",
    )
    .unwrap();
    let out = offline(bin(), tmp.path())
        .args(["collect", "--output", "inv.json"])
        .output()
        .unwrap();
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("alertpath.toml:2")
            && stderr(&out)
                .contains("`us-east-9` is not a known AWS region; did you mean `us-east-1`?"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn fail_on_none_never_exits_one() {
    let out = scan_example(&["--fail-on", "none", "--allow-partial"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    // Unassessed scope still gives 3.
    assert_eq!(code(&scan_example(&["--fail-on", "none"])), 3);
    let out = scan_example(&["--fail-on", "nothing"]);
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("or none"), "{}", stderr(&out));
}

#[test]
fn short_format_and_output_flags() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("r.json");
    let out = scan_example(&["-q", "-f", "json", "-o", path.to_str().unwrap()]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    assert_eq!(report["report_version"], 1);
}

fn json_report(args: &[&str]) -> (Output, serde_json::Value) {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("r.json");
    let mut all = vec!["-q", "--format", "json", "--output", path.to_str().unwrap()];
    all.extend_from_slice(args);
    let out = scan_example(&all);
    let text = std::fs::read_to_string(&path).unwrap_or_default();
    (out, serde_json::from_str(&text).unwrap_or_default())
}

fn enabled_rules(report: &serde_json::Value) -> Vec<String> {
    report["rules"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["enabled"] == true)
        .map(|r| r["id"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn rules_and_skip_rules_select_what_runs() {
    let (out, report) = json_report(&[
        "--rules",
        "gd001,ROUTE001,ROOT001",
        "--skip-rules",
        "ROOT001",
    ]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert_eq!(enabled_rules(&report), ["GD001", "ROUTE001"]);
    let rules: std::collections::BTreeSet<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    assert_eq!(rules, ["GD001", "ROUTE001"].into_iter().collect());

    let (_, report) = json_report(&["--skip-rules", "ROOT001,ROOT002"]);
    let enabled = enabled_rules(&report);
    assert!(!enabled.iter().any(|r| r == "ROOT001" || r == "ROOT002"));
    assert!(enabled.len() > 30, "{enabled:?}");
}

#[test]
fn an_unknown_rule_id_is_an_error_with_a_suggestion() {
    for flag in ["--rules", "--skip-rules"] {
        let out = scan_example(&[flag, "GD001,ROUTE01"]);
        assert_eq!(code(&out), 2, "{flag}");
        assert!(
            stderr(&out).contains("unknown rule id `ROUTE01`; did you mean `ROUTE001`?"),
            "{flag}: {}",
            stderr(&out)
        );
    }
}

#[test]
fn min_severity_narrows_the_people_views_only() {
    let out = scan_example(&["--min-severity", "high"]);
    let text = stdout(&out);
    assert_eq!(code(&out), 1);
    assert!(text.contains("  HIGH "), "{text}");
    assert!(
        !text.contains("  MEDIUM ") && !text.contains("  LOW "),
        "{text}"
    );
    assert!(
        text.contains("2 finding(s) below high not listed (--min-severity)"),
        "{text}"
    );
    // Not-assessed scope is always listed, and the counts stay complete.
    assert!(text.contains("NOT-ASSESSED SCAN001"), "{text}");
    assert!(text.contains("failures by severity: 10 high, 1 medium, 1 low"));

    let tmp = tempfile::tempdir().unwrap();
    let md = tmp.path().join("r.md");
    let out = scan_example(&[
        "--min-severity",
        "high",
        "-f",
        "markdown",
        "-o",
        md.to_str().unwrap(),
    ]);
    assert_eq!(code(&out), 1);
    let md = std::fs::read_to_string(md).unwrap();
    assert!(!md.contains("| medium | GD004 |"), "{md}");
    assert!(md.contains("2 finding(s) below high not listed"), "{md}");

    // JSON (and SARIF) carry everything.
    let (_, report) = json_report(&["--min-severity", "critical"]);
    let medium_failures = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["status"] == "fail" && f["severity"] == "medium")
        .count();
    assert_eq!(medium_failures, 1);
}

#[test]
fn warnings_are_printed_once() {
    let tmp = tempfile::tempdir().unwrap();
    let config = tmp.path().join("alertpath.toml");
    std::fs::write(
        &config,
        "[[waiver]]\nrule = \"GD001\"\naccount = \"999999999999\"\nreason = \"gone\"\n",
    )
    .unwrap();
    let warning = "waiver for GD001 matched no finding";
    let count =
        |out: &Output| stdout(out).matches(warning).count() + stderr(out).matches(warning).count();
    // The text report on stdout carries it.
    let out = scan_example(&["--config", config.to_str().unwrap()]);
    assert_eq!(count(&out), 1, "{}\n{}", stdout(&out), stderr(&out));
    assert!(stdout(&out).contains(warning));
    // No text report on stdout: stderr carries it.
    let json = tmp.path().join("r.json");
    let out = scan_example(&[
        "--config",
        config.to_str().unwrap(),
        "-q",
        "-f",
        "json",
        "-o",
        json.to_str().unwrap(),
    ]);
    assert_eq!(count(&out), 1, "{}", stderr(&out));
    assert!(stderr(&out).contains(warning));
}

#[test]
fn force_color_paints_without_a_terminal_and_no_color_wins() {
    let paint = |vars: &[(&str, &str)]| {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_alertpath"));
        for var in ["NO_COLOR", "FORCE_COLOR", "CLICOLOR_FORCE"] {
            cmd.env_remove(var);
        }
        cmd.envs(vars.iter().copied())
            .arg("scan")
            .arg("--snapshot")
            .arg(example_snapshot());
        stdout(&cmd.output().unwrap()).contains('\x1b')
    };
    assert!(!paint(&[]), "stdout is not a terminal");
    assert!(paint(&[("FORCE_COLOR", "1")]));
    assert!(paint(&[("CLICOLOR_FORCE", "1")]));
    assert!(!paint(&[("FORCE_COLOR", "0")]));
    assert!(!paint(&[("FORCE_COLOR", "1"), ("NO_COLOR", "1")]));
}

#[test]
fn rules_table_ends_with_its_legend() {
    let out = bin().arg("rules").output().unwrap();
    let text = stdout(&out);
    let tail: Vec<&str> = text.lines().rev().take(2).collect();
    assert!(
        tail[1].starts_with("Sources (where a rule can be judged): L = live AWS"),
        "{text}"
    );
    assert!(
        tail[0].starts_with("Judged in (whose facts a rule reads): mgmt = ")
            && tail[0].contains("every = every in-scope active account"),
        "{text}"
    );
}

#[test]
fn scan_help_is_grouped_and_lists_the_exit_codes() {
    let out = bin().args(["scan", "--help"]).output().unwrap();
    let help = stdout(&out);
    let at = |heading: &str| {
        help.find(&format!("\n{heading}"))
            .unwrap_or_else(|| panic!("{heading} in {help}"))
    };
    assert!(at("Input:") < at("Output:"));
    assert!(at("Output:") < at("Exit code:"));
    assert!(at("Rules:") < at("Live collection"));
    assert!(at("Exit codes:") > at("Live collection"));
    assert!(help.contains("3  no failures, but some scope was not assessed"));
}

#[test]
fn version_names_the_commit_and_the_catalog() {
    let out = bin().arg("--version").output().unwrap();
    let version = stdout(&out);
    let catalog = format!(
        "{} rules {})",
        alertpath::rules::REGISTRY.len(),
        alertpath::rules::catalog_hash()
    );
    assert!(
        version.starts_with(&format!("alertpath {} (", env!("CARGO_PKG_VERSION"))),
        "{version}"
    );
    assert!(version.trim_end().ends_with(&catalog), "{version}");
    let hash = alertpath::rules::catalog_hash();
    assert!(
        hash.len() == 19 && hash[7..].bytes().all(|b| b.is_ascii_hexdigit()),
        "{hash}"
    );
    // Built from a git checkout, it names the commit.
    let checkout = Command::new("git")
        .args(["rev-parse", "--short=12", "HEAD"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .ok()
        .filter(|o| o.status.success());
    if checkout.is_some() && std::env::var_os("ALERTPATH_COMMIT").is_none() {
        assert!(version.contains("(commit "), "{version}");
    }
}

#[test]
fn explain_renders_for_a_terminal_and_keeps_markdown_when_piped() {
    let run = |args: &[&str]| stdout(&bin().arg("explain").args(args).output().unwrap());
    let text = run(&["sns001", "--format", "text"]);
    assert!(
        text.starts_with("SNS001: eventbridge-cannot-publish\n\n"),
        "{text}"
    );
    assert!(text.contains("\nHow to fix\n"), "{text}");
    assert!(
        text.contains("\n    data \"aws_iam_policy_document\" \"pager\" {\n"),
        "{text}"
    );
    assert!(!text.contains("```") && !text.contains("## ") && !text.contains("**"));
    // Piped (not a terminal), the doc is printed as written.
    let piped = run(&["SNS001"]);
    assert!(
        piped.starts_with("# SNS001: eventbridge-cannot-publish\n"),
        "{piped}"
    );
    assert_eq!(piped, run(&["SNS001", "--format", "markdown"]));
}
