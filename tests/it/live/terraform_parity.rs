//! Terraform ↔ live parity. One organization, described twice: as two
//! Terraform stacks planned by real terraform (`tests/fixtures/terraform/parity`,
//! the GuardDuty delegated admin 111111111111, and `parity-org-root`, the
//! management account 123456789012) and as the same resources built in moto
//! by `seed.py parity`, scanned live from the management account. For every
//! rule whose sources include L and the Terraform input's (P or H), the
//! statuses per region of each stack's account must agree, except where
//! [`EXCEPTIONS`] says why not, and each rule must have an outcome in some
//! stack. An exception that no longer matches a difference fails the test, so
//! the table cannot go stale.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::process::Command;

use alertpath::inventory::SourceKind;
use alertpath::rules::REGISTRY;
use serde_json::Value;

use super::harness::{Harness, root};

const REGIONS: &str = "us-west-2,us-east-1";

/// A Terraform stack of the organization.
struct Stack {
    /// The fixture directory under tests/fixtures/terraform.
    dir: &'static str,
    /// The stack's account: the only account a scan of it judges.
    account: &'static str,
    /// Its alertpath.toml.
    config: &'static str,
}

const STACKS: &[Stack] = &[
    Stack {
        dir: "parity",
        account: "111111111111",
        config: "[terraform]\nrole = \"guardduty-admin\"\naccount_id = \"111111111111\"\n",
    },
    Stack {
        dir: "parity-org-root",
        account: "123456789012",
        config: "[terraform]\nrole = \"management\"\naccount_id = \"123456789012\"\n",
    },
];

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

/// Rules whose outcomes may differ between live and a stack's Terraform input.
struct Exception {
    stack: &'static str,
    rule: &'static str,
    inputs: &'static [&'static str],
    reason: &'static str,
}

const EVERY_INPUT: &[&str] = &["plan", "hcl", "plan+hcl"];

const EXCEPTIONS: &[Exception] = &[
    Exception {
        stack: "parity",
        rule: "SUB001",
        inputs: &["plan", "plan+hcl"],
        reason: "whether an http:// subscription is confirmed is known only after apply (its endpoint must answer \
                 SNS); moto confirms every subscription at once",
    },
    Exception {
        stack: "parity",
        rule: "SEC001",
        inputs: &["hcl"],
        reason: "the type of a `data \"aws_ssm_parameter\"` is read from AWS when planning; the HCL alone cannot know \
                 it, so it is not assessed",
    },
    Exception {
        stack: "parity-org-root",
        rule: "ROOT003",
        inputs: EVERY_INPUT,
        reason: "the management account's root API calls are covered through GuardDuty's RootCredentialUsage \
                 finding on the admin's bus, which is in the other stack: one stack alone cannot see it",
    },
];

/// (rule, region) → the set of statuses, for the stack's account.
type Outcomes = BTreeMap<(String, String), BTreeSet<String>>;

fn outcomes(report: &Value, account: &str) -> Outcomes {
    let mut out = Outcomes::new();
    for f in report["findings"].as_array().expect("findings") {
        let s = |v: &Value| v.as_str().unwrap_or("").to_string();
        assert!(!s(&f["fingerprint"]).contains(':'), "shared subject: {f}");
        if s(&f["subject"]["account"]) != account {
            continue;
        }
        out.entry((s(&f["rule"]), s(&f["subject"]["region"])))
            .or_default()
            .insert(s(&f["status"]));
    }
    out
}

fn fixture(dir: &str) -> PathBuf {
    root().join("tests/fixtures/terraform").join(dir)
}

/// The rules the fixture breaks in us-west-2 ("PARITY BREAK: <rule>").
fn planted_breaks() -> BTreeSet<String> {
    let text =
        std::fs::read_to_string(fixture("parity").join("us-west-2.tf")).expect("us-west-2.tf");
    text.match_indices("PARITY BREAK: ")
        .map(|(i, m)| {
            text[i + m.len()..]
                .chars()
                .take_while(char::is_ascii_alphanumeric)
                .collect()
        })
        .collect()
}

fn terraform_scan(stack: &Stack, input: &Input, dir: &std::path::Path) -> Value {
    let config = dir.join(format!(
        "{}-{}.toml",
        stack.dir,
        input.name.replace('+', "-")
    ));
    std::fs::write(&config, stack.config).expect("write config");
    let out = Command::new(env!("CARGO_BIN_EXE_alertpath"))
        .arg("scan")
        .args(input.args)
        .args(["--format", "json", "--config"])
        .arg(&config)
        .current_dir(fixture(stack.dir))
        .output()
        .expect("run alertpath");
    assert_eq!(
        out.status.code(),
        Some(1),
        "{} {}: both stacks have failures; stderr: {}",
        stack.dir,
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
        // The parity stacks declare no Security Hub: the SH rules are not
        // applicable in both sources, with no account to compare by.
        .filter(|m| m.family != alertpath::rules::Family::Sh)
        .map(|m| m.id.as_str())
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
    assert_eq!(manifest["security_account"], STACKS[0].account);
    assert_eq!(manifest["management_account"], STACKS[1].account);
    let out = h.alertpath(&["scan", "--quiet", "--format", "json", "--regions", REGIONS]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "live: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let live_report: Value = serde_json::from_slice(&out.stdout).expect("live JSON report");

    // The planted breaks fail live in us-west-2, so parity is not all-pass.
    let breaks = planted_breaks();
    assert!(breaks.len() >= 7, "PARITY BREAK markers: {breaks:?}");
    let admin_live = outcomes(&live_report, STACKS[0].account);
    for rule in &breaks {
        let statuses = admin_live.get(&(rule.clone(), "us-west-2".into()));
        assert!(
            statuses.is_some_and(|s| s.contains("fail")),
            "live: {rule} should fail in us-west-2: {statuses:?}"
        );
    }

    let dir = tempfile::tempdir().expect("tempdir");
    let mut problems = Vec::new();
    let mut compared_rows = 0;
    let mut covered = BTreeSet::new();
    for stack in STACKS {
        let live = outcomes(&live_report, stack.account);
        for input in INPUTS {
            let tf = outcomes(&terraform_scan(stack, input, dir.path()), stack.account);
            let at = format!("{} {}", stack.dir, input.name);
            if stack.dir == "parity" {
                for rule in &breaks {
                    let statuses = tf.get(&(rule.clone(), "us-west-2".into()));
                    if !statuses.is_some_and(|s| s.contains("fail")) {
                        problems.push(format!(
                            "{at}: {rule} should fail in us-west-2: {statuses:?}"
                        ));
                    }
                }
            }
            for rule in compared(input) {
                let (l, t) = (rows(&live, rule), rows(&tf, rule));
                let excepted = EXCEPTIONS.iter().find(|e| {
                    e.stack == stack.dir && e.rule == rule && e.inputs.contains(&input.name)
                });
                match (l == t, l.is_empty(), excepted) {
                    (true, false, None) => {
                        compared_rows += l.len();
                        covered.insert((input.name, rule));
                    }
                    // Nothing to judge for this account in either source.
                    (true, true, None) | (false, _, Some(_)) => {}
                    (true, _, Some(e)) => problems.push(format!(
                        "{at}: {rule} agrees now; remove its exception ({})",
                        e.reason
                    )),
                    (false, _, None) => problems.push(format!(
                        "{at}: {rule} differs\n    live: {l:?}\n    terraform: {t:?}"
                    )),
                }
            }
        }
    }
    // Every compared rule agrees on some outcome in some stack, for each input.
    for input in INPUTS {
        for rule in compared(input) {
            let excepted = EXCEPTIONS
                .iter()
                .any(|e| e.rule == rule && e.inputs.contains(&input.name));
            if !excepted && !covered.contains(&(input.name, rule)) {
                problems.push(format!(
                    "{}: {rule} has no outcome in any stack's account",
                    input.name
                ));
            }
        }
    }
    assert!(problems.is_empty(), "parity:\n  {}", problems.join("\n  "));
    eprintln!(
        "parity: {compared_rows} (stack, input, rule, region) rows agree; {} exceptions",
        EXCEPTIONS.len()
    );
    // 2 stacks × 3 inputs × up to ~30 rules × 1–2 regions: a floor well under
    // the real count.
    assert!(compared_rows >= 150, "only {compared_rows} rows compared");
}
