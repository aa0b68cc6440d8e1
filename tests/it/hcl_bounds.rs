//! Issue 11 item 6: bounds on untrusted HCL, through the CLI. A module that
//! calls itself, or a module cycle, is SCAN004 naming the cycle (it overflowed
//! the stack: SIGABRT); `count`/`for_each` above `[terraform] max_instances`
//! (default 10,000) is SCAN004 with the block's presence undecided
//! (`count = 1.5e300` panicked with "capacity overflow"; `count = 100000000`
//! grew past 5 GB).

use std::process::{Command, Output};

use serde_json::Value;

fn tree(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (path, text) in files {
        let p = dir.path().join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    dir
}

const PROVIDER: &str = "provider \"aws\" {\n  region = \"us-east-1\"\n}\n";

fn scan(dir: &tempfile::TempDir, config: &str) -> (Output, Value) {
    let config_path = dir.path().join("alertpath.toml");
    std::fs::write(&config_path, config).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_alertpath"))
        .args(["scan", "--format", "json", "--terraform"])
        .arg(dir.path())
        .arg("--config")
        .arg(&config_path)
        .output()
        .unwrap();
    let report = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "no JSON report ({e}); status {:?}; stderr: {}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out, report)
}

/// The SCAN004 messages of a report.
fn scan004(report: &Value) -> Vec<String> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "SCAN004" && f["status"] == "not_assessed")
        .map(|f| f["message"].as_str().unwrap().to_string())
        .collect()
}

const ADMIN: &str = "[terraform]\nrole = \"guardduty-admin\"\naccount_id = \"111111111111\"\n";

#[test]
fn a_module_calling_itself_is_scan004_naming_the_cycle() {
    let dir = tree(&[(
        "main.tf",
        &format!("{PROVIDER}module \"again\" {{\n  source = \"./\"\n}}\n"),
    )]);
    let (out, report) = scan(&dir, ADMIN);
    assert_eq!(
        out.status.code(),
        Some(3),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let messages = scan004(&report);
    assert!(
        messages
            .iter()
            .any(|m| m.contains("module cycle") && m.contains(". -> .")),
        "{messages:?}"
    );
}

#[test]
fn a_module_cycle_is_scan004_naming_the_cycle() {
    let dir = tree(&[
        (
            "main.tf",
            &format!("{PROVIDER}module \"a\" {{\n  source = \"./modules/a\"\n}}\n"),
        ),
        (
            "modules/a/main.tf",
            "module \"b\" {\n  source = \"../b\"\n}\n",
        ),
        (
            "modules/b/main.tf",
            "module \"a\" {\n  source = \"../a\"\n}\n",
        ),
    ]);
    let (out, report) = scan(&dir, ADMIN);
    assert_eq!(
        out.status.code(),
        Some(3),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let messages = scan004(&report);
    assert!(
        messages
            .iter()
            .any(|m| m.contains("module cycle: modules/a -> modules/b -> modules/a")),
        "{messages:?}"
    );
}

fn topic_with_count(count: &str) -> tempfile::TempDir {
    tree(&[(
        "main.tf",
        &format!(
            "{PROVIDER}resource \"aws_sns_topic\" \"many\" {{\n  count = {count}\n  name  = \"t-${{count.index}}\"\n}}\n"
        ),
    )])
}

#[test]
fn huge_counts_are_bounded_and_scan004() {
    for count in ["1.5e300", "100000000", "10001"] {
        let dir = topic_with_count(count);
        let started = std::time::Instant::now();
        let (out, report) = scan(&dir, ADMIN);
        // The block is maybe present (judged as one instance): not an error.
        assert!(
            matches!(out.status.code(), Some(1 | 3)),
            "count = {count}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            started.elapsed().as_secs() < 20,
            "count = {count} took {:?}",
            started.elapsed()
        );
        let messages = scan004(&report);
        assert!(
            messages
                .iter()
                .any(|m| m.contains("above the limit of 10000 instances per block")),
            "count = {count}: {messages:?}"
        );
    }
    // At the limit, and with a raised limit, the instances are expanded.
    let (out, report) = scan(&topic_with_count("3"), ADMIN);
    assert_ne!(out.status.code(), Some(2));
    assert!(scan004(&report).is_empty(), "{:?}", scan004(&report));
    let (out, report) = scan(
        &topic_with_count("10001"),
        &format!("{ADMIN}max_instances = 20000\n"),
    );
    assert_ne!(out.status.code(), Some(2));
    assert!(scan004(&report).is_empty(), "{:?}", scan004(&report));
}

#[test]
fn large_for_each_is_bounded_and_scan004() {
    let dir = tree(&[(
        "main.tf",
        &format!(
            "{PROVIDER}locals {{\n  names = toset([\"a\", \"b\", \"c\"])\n}}\nresource \"aws_sns_topic\" \"each\" {{\n  for_each = local.names\n  name     = each.key\n}}\n"
        ),
    )]);
    let (out, report) = scan(&dir, &format!("{ADMIN}max_instances = 2\n"));
    // The block is maybe present (judged as one instance): not an error.
    assert!(
        matches!(out.status.code(), Some(1 | 3)),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let messages = scan004(&report);
    assert!(
        messages
            .iter()
            .any(|m| m.contains("above the limit of 2 instances per block")),
        "{messages:?}"
    );
}

/// A chain of 5,000 locals (each naming the next) is evaluated to a bounded
/// depth: SCAN004 names the limit (it overflowed the stack at about 2,000).
#[test]
fn a_long_chain_of_references_is_bounded() {
    let n = 5000;
    let mut text = format!("{PROVIDER}locals {{\n");
    for i in 0..n {
        text.push_str(&format!("  a{i} = local.a{}\n", i + 1));
    }
    text.push_str(&format!(
        "  a{n} = \"deep\"\n}}\nresource \"aws_sns_topic\" \"t\" {{\n  name = local.a0\n}}\n"
    ));
    let dir = tree(&[("main.tf", &text)]);
    let (out, report) = scan(&dir, ADMIN);
    // The stack lacks the chain (exit 1); what matters is that it exits at all.
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let messages = scan004(&report);
    assert!(
        messages
            .iter()
            .any(|m| m.contains("references nest more than 256 deep")),
        "{messages:?}"
    );
}
