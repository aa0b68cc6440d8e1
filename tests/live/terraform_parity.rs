//! Terraform ↔ live parity. One organization, described twice:
//! `tests/fixtures/terraform/parity` (planned by real terraform; the stack of
//! the GuardDuty delegated admin 111111111111) and the same resources built in
//! moto by `seed.py parity`, scanned live from the management account. For
//! every rule whose sources include L and the Terraform input's (P or H), the
//! statuses per (account, region) of the stack's account must agree, except
//! where [`EXCEPTIONS`] says why not. An exception that no longer matches a
//! difference fails the test, so the table cannot go stale.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::process::Command;

use alertpath::inventory::SourceKind;
use alertpath::rules::REGISTRY;
use serde_json::Value;

use crate::harness::{Harness, root};

/// The stack's account: the only account a Terraform scan of it judges.
const STACK_ACCOUNT: &str = "111111111111";
const REGIONS: &str = "us-west-2,us-east-1";
const CONFIG: &str = "[terraform]\nrole = \"guardduty-admin\"\naccount_id = \"111111111111\"\n";

/// A Terraform input compared with the live scan.
struct Input {
    name: &'static str,
    sources: &'static [SourceKind],
    args: &'static [&'static str],
}

/// Paths are relative to the fixture directory.
const INPUTS: &[Input] = &[
    Input {
        name: "plan",
        sources: &[SourceKind::Plan],
        args: &["--plan", "plan.json"],
    },
    Input {
        name: "hcl",
        sources: &[SourceKind::Hcl],
        // No values for the sensitive variables, as in a PR check.
        args: &["--terraform", "."],
    },
    Input {
        name: "plan+hcl",
        sources: &[SourceKind::Plan, SourceKind::Hcl],
        args: &["--plan", "plan.json", "--terraform", "."],
    },
];

/// Rules whose outcomes may differ between live and a Terraform input.
struct Exception {
    rule: &'static str,
    inputs: &'static [&'static str],
    reason: &'static str,
}

const EXCEPTIONS: &[Exception] = &[
    Exception {
        rule: "SUB001",
        inputs: &["plan", "plan+hcl"],
        reason: "whether an http:// subscription is confirmed is known only after apply (its endpoint must answer \
                 SNS); moto confirms every subscription at once",
    },
    Exception {
        rule: "SEC001",
        inputs: &["hcl"],
        reason: "the type of a `data \"aws_ssm_parameter\"` is read from AWS when planning; the HCL alone cannot know \
                 it, so it is not assessed",
    },
    Exception {
        rule: "ORG001",
        inputs: &["plan", "hcl", "plan+hcl"],
        reason: "judged in the management account (live: 123456789012); in a delegated admin's stack they are \
                 not applicable, so the stack's account has no ORG outcome in either source (primer-org-root \
                 tests them from Terraform)",
    },
    Exception {
        rule: "ORG002",
        inputs: &["plan", "hcl", "plan+hcl"],
        reason: "as ORG001",
    },
    Exception {
        rule: "ORG003",
        inputs: &["plan", "hcl", "plan+hcl"],
        reason: "as ORG001",
    },
];

/// (rule, region) → the set of statuses, for the stack's account.
type Outcomes = BTreeMap<(String, String), BTreeSet<String>>;

fn outcomes(report: &Value) -> Outcomes {
    let mut out = Outcomes::new();
    for f in report["findings"].as_array().expect("findings") {
        let s = |v: &Value| v.as_str().unwrap_or("").to_string();
        if s(&f["subject"]["account"]) != STACK_ACCOUNT {
            continue;
        }
        out.entry((s(&f["rule"]), s(&f["subject"]["region"])))
            .or_default()
            .insert(s(&f["status"]));
    }
    out
}

fn fixture() -> PathBuf {
    root().join("tests/fixtures/terraform/parity")
}

/// The rules the fixture breaks in us-west-2 ("PARITY BREAK: <rule>").
fn planted_breaks() -> BTreeSet<String> {
    let text = std::fs::read_to_string(fixture().join("us-west-2.tf")).expect("us-west-2.tf");
    text.match_indices("PARITY BREAK: ")
        .map(|(i, m)| {
            text[i + m.len()..]
                .chars()
                .take_while(char::is_ascii_alphanumeric)
                .collect()
        })
        .collect()
}

fn terraform_scan(input: &Input, dir: &std::path::Path) -> Value {
    let config = dir.join(format!("{}.toml", input.name.replace('+', "-")));
    std::fs::write(&config, CONFIG).expect("write config");
    let out = Command::new(env!("CARGO_BIN_EXE_alertpath"))
        .arg("scan")
        .args(input.args)
        .args(["--format", "json", "--config"])
        .arg(&config)
        .current_dir(fixture())
        .output()
        .expect("run alertpath");
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}: the parity stack has failures; stderr: {}",
        input.name,
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("JSON report")
}

fn compared(input: &Input) -> Vec<&'static str> {
    REGISTRY
        .iter()
        .map(|r| &r.meta)
        .filter(|m| m.sources.contains(&SourceKind::Live))
        .filter(|m| input.sources.iter().any(|s| m.sources.contains(s)))
        .map(|m| m.id)
        .collect()
}

fn rows(outcomes: &Outcomes, rule: &str) -> BTreeMap<String, BTreeSet<String>> {
    outcomes
        .iter()
        .filter(|((r, _), _)| r == rule)
        .map(|((_, region), s)| (region.clone(), s.clone()))
        .collect()
}

#[test]
fn terraform_and_live_agree() {
    let h = Harness::start();
    let manifest = h.seed(&["parity"]);
    assert_eq!(manifest["security_account"], STACK_ACCOUNT);
    let out = h.alertpath(&["scan", "--quiet", "--format", "json", "--regions", REGIONS]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "live: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let live_report: Value = serde_json::from_slice(&out.stdout).expect("live JSON report");
    let live = outcomes(&live_report);

    // The planted breaks fail live in us-west-2 (so parity is not all-pass),
    // and the healthy region has no failure in any compared rule.
    let breaks = planted_breaks();
    assert!(breaks.len() >= 7, "PARITY BREAK markers: {breaks:?}");
    for rule in &breaks {
        let statuses = live.get(&(rule.clone(), "us-west-2".into()));
        assert!(
            statuses.is_some_and(|s| s.contains("fail")),
            "live: {rule} should fail in us-west-2: {statuses:?}"
        );
    }

    let dir = tempfile::tempdir().expect("tempdir");
    let mut problems = Vec::new();
    let mut compared_rows = 0;
    for input in INPUTS {
        let tf = outcomes(&terraform_scan(input, dir.path()));
        for rule in &breaks {
            let statuses = tf.get(&(rule.clone(), "us-west-2".into()));
            if !statuses.is_some_and(|s| s.contains("fail")) {
                problems.push(format!(
                    "{}: {rule} should fail in us-west-2: {statuses:?}",
                    input.name
                ));
            }
        }
        for rule in compared(input) {
            let (l, t) = (rows(&live, rule), rows(&tf, rule));
            let excepted = EXCEPTIONS
                .iter()
                .find(|e| e.rule == rule && e.inputs.contains(&input.name));
            match (l == t, l.is_empty(), excepted) {
                (true, false, None) => compared_rows += l.len(),
                (true, true, None) => problems.push(format!(
                    "{}: {rule} has no outcome for {STACK_ACCOUNT} in either source",
                    input.name
                )),
                (true, false, Some(e)) => problems.push(format!(
                    "{}: {rule} agrees now; remove its exception ({})",
                    input.name, e.reason
                )),
                (true, true, Some(_)) | (false, _, Some(_)) => {}
                (false, _, None) => problems.push(format!(
                    "{}: {rule} differs\n    live: {l:?}\n    terraform: {t:?}",
                    input.name
                )),
            }
        }
    }
    assert!(problems.is_empty(), "parity:\n  {}", problems.join("\n  "));
    eprintln!(
        "parity: {compared_rows} (input, rule, region) rows agree; {} exceptions",
        EXCEPTIONS.len()
    );
    // 3 inputs × ~30 rules × 1–2 regions: a floor well under the real count.
    assert!(compared_rows >= 120, "only {compared_rows} rows compared");
}
