//! Per-rule snapshots: every rule's outcomes over every fixture, one line per
//! outcome (`input | status | subject | message`), in
//! `tests/it/snapshots/it__rule_snapshots__<RULE>.snap`. A change of status,
//! subject or wording shows up as a diff a reviewer can judge for that rule.
//!
//! Inputs: the inventory snapshots in `tests/fixtures/snapshots/` (default
//! config), and each Terraform fixture under `tests/fixtures/terraform/` read
//! as a plan, as HCL (no variable values, as in a PR check) and as plan + HCL,
//! with the stack config its README and the existing tests use. Every input is
//! judged once per test run.
//!
//! To accept an intended change: `cargo insta review`, or
//! `INSTA_UPDATE=always cargo test --test it rule_snapshots` and read the diff
//! of `tests/it/snapshots/` before committing (never commit `.snap.new`).

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use alertpath::config::Config;
use alertpath::engine::{self, EngineOptions};
use alertpath::report::Report;
use alertpath::rules::REGISTRY;
use alertpath::source;
use alertpath::source::terraform::hcl::VarInputs;

use crate::common::lines::status_label;
use crate::common::today;

const ADMIN: &str = "[terraform]\nrole = \"guardduty-admin\"\n";

/// A Terraform fixture directory and its `alertpath.toml`.
struct TfFixture {
    dir: &'static str,
    config: &'static str,
    /// Whether the directory holds `.tf` sources (else plan only).
    hcl: bool,
}

/// The Terraform fixtures that judge (the error fixtures `plan-bad-version`,
/// `truncated` and `hcl-errors` do not read), with the config of
/// `terraform_plan.rs` / `live/terraform_parity.rs`. `primer-org-root` is the
/// primer's management stack; no other test scans it, so it gets the role its
/// README gives it.
const TF_FIXTURES: &[TfFixture] = &[
    TfFixture {
        dir: "healthy",
        config: ADMIN,
        hcl: true,
    },
    TfFixture {
        dir: "securityhub",
        config: "[terraform]\nrole = [\"guardduty-admin\", \"securityhub-admin\"]\n",
        hcl: true,
    },
    TfFixture {
        dir: "parity",
        config: "[terraform]\nrole = \"guardduty-admin\"\naccount_id = \"111111111111\"\n",
        hcl: true,
    },
    TfFixture {
        dir: "parity-org-root",
        config: "[terraform]\nrole = \"management\"\naccount_id = \"123456789012\"\n",
        hcl: true,
    },
    TfFixture {
        dir: "primer",
        config: ADMIN,
        hcl: true,
    },
    TfFixture {
        dir: "cloudposse",
        config: ADMIN,
        hcl: true,
    },
    TfFixture {
        dir: "secure-baseline",
        config: ADMIN,
        hcl: true,
    },
    TfFixture {
        dir: "chatbot",
        config: ADMIN,
        hcl: true,
    },
    TfFixture {
        dir: "primer-org-root",
        config: "[terraform]\nrole = \"management\"\n",
        hcl: true,
    },
    TfFixture {
        dir: "secrets",
        config: ADMIN,
        hcl: true,
    },
    TfFixture {
        dir: "secret-vars",
        config: ADMIN,
        hcl: true,
    },
    TfFixture {
        dir: "unknowns",
        config: ADMIN,
        hcl: true,
    },
    TfFixture {
        dir: "modules",
        config: ADMIN,
        hcl: true,
    },
    TfFixture {
        dir: "custom-pager",
        config: "[terraform]\nrole = \"guardduty-admin\"\naccount_id = \"111111111111\"\n\n[pager]\nendpoint_patterns = [\"https://api.opsgenie.com/v1/json/amazonsns*\"]\n",
        hcl: true,
    },
    TfFixture {
        dir: "upper-case-key",
        config: "[terraform]\nrole = \"member\"\n",
        hcl: true,
    },
    TfFixture {
        dir: "hcl-syntax",
        config: ADMIN,
        hcl: true,
    },
    TfFixture {
        dir: "policy-arns",
        config: "[terraform]\nrole = \"guardduty-admin\"\naccount_id = \"111111111111\"\n",
        hcl: true,
    },
    TfFixture {
        dir: "severity-band",
        config: "[terraform]\nrole = \"guardduty-admin\"\naccount_id = \"111111111111\"\n",
        hcl: true,
    },
    TfFixture {
        dir: "placeholders",
        config: "[terraform]\nrole = \"guardduty-admin\"\naccount_id = \"111111111111\"\n",
        hcl: true,
    },
    TfFixture {
        dir: "functions",
        config: ADMIN,
        hcl: true,
    },
    TfFixture {
        dir: "lambda-permissions",
        config: "",
        hcl: true,
    },
    TfFixture {
        dir: "plan-v0",
        config: ADMIN,
        hcl: false,
    },
    TfFixture {
        dir: "no-region",
        config: ADMIN_222_TWO_REGIONS,
        hcl: true,
    },
    TfFixture {
        dir: "flag-count",
        config: ADMIN_222,
        hcl: true,
    },
    TfFixture {
        dir: "contains-count",
        config: "[terraform]\nrole = \"management\"\naccount_id = \"222222222222\"\n",
        hcl: true,
    },
    TfFixture {
        dir: "other-stack",
        config: ADMIN_222,
        hcl: true,
    },
    TfFixture {
        dir: "proxy-provider",
        config: ADMIN_222_TWO_REGIONS,
        hcl: true,
    },
];

/// The issue-13 fixtures' admin stack (tests/it/terraform_presence.rs).
const ADMIN_222: &str = "[terraform]\nrole = \"guardduty-admin\"\naccount_id = \"222222222222\"\n";
/// The same with two stack regions, so absence rules have regions to judge.
const ADMIN_222_TWO_REGIONS: &str = "[terraform]\nrole = \"guardduty-admin\"\naccount_id = \"222222222222\"\nregions = [\"us-east-1\", \"us-west-2\"]\n";

/// One judged input: its label (`fixture input-kind`) and report.
struct Judged {
    label: String,
    report: Report,
}

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn judge(inventory: &alertpath::inventory::Inventory, config: &Config) -> Report {
    let options = EngineOptions {
        today: today(),
        strict_config: false,
    };
    engine::run(inventory, config, &options).expect("engine runs")
}

fn snapshot_inputs() -> Vec<Judged> {
    let dir = repo().join("tests/fixtures/snapshots");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("snapshot fixtures")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    assert!(files.len() >= 3, "{files:?}");
    files
        .iter()
        .map(|path| {
            let inventory =
                source::snapshot::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            Judged {
                label: format!("{} snapshot", file_name(path)),
                report: judge(&inventory, &Config::default()),
            }
        })
        .collect()
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn terraform_inputs() -> Vec<Judged> {
    let mut out = Vec::new();
    for fixture in TF_FIXTURES {
        let dir = repo().join("tests/fixtures/terraform").join(fixture.dir);
        let config = alertpath::config::parse_str(fixture.config, "alertpath.toml")
            .unwrap_or_else(|e| panic!("{}: config: {e:?}", fixture.dir));
        let vars = VarInputs {
            account_id: config.terraform.account_id.clone(),
            max_instances: None,
            ..VarInputs::default()
        };
        let plan = dir.join("plan.json");
        // An HCL-only fixture (its README says so) has no plan.json.
        let mut kinds: Vec<(&str, Option<&Path>, Option<&Path>)> = Vec::new();
        if plan.is_file() {
            kinds.push(("plan", Some(plan.as_path()), None));
        }
        if fixture.hcl {
            kinds.push(("hcl", None, Some(dir.as_path())));
            if plan.is_file() {
                kinds.push(("plan+hcl", Some(plan.as_path()), Some(dir.as_path())));
            }
        }
        for (kind, plan, hcl) in kinds {
            let inventory = source::terraform::read(
                plan,
                hcl,
                &vars,
                &config.terraform,
                &config.pager.endpoint_patterns,
            )
            .unwrap_or_else(|e| panic!("{} {kind}: {e:#}", fixture.dir));
            out.push(Judged {
                label: format!("{} {kind}", fixture.dir),
                report: judge(&inventory, &config),
            });
        }
    }
    out
}

/// Every input, judged once per test run.
fn judged() -> &'static [Judged] {
    static JUDGED: OnceLock<Vec<Judged>> = OnceLock::new();
    JUDGED.get_or_init(|| {
        let mut all = snapshot_inputs();
        all.extend(terraform_inputs());
        all
    })
}

/// One rule's outcomes over every input: a line per outcome,
/// `input | status | subject | message`, inputs in fixture order, outcomes
/// sorted by subject; an input where the rule gave nothing says so.
fn rule_snapshot(rule: &str) -> String {
    let inputs = judged();
    let width = inputs.iter().map(|j| j.label.len()).max().unwrap_or(0);
    let mut rows: Vec<(String, String, String, String)> = Vec::new();
    for input in inputs {
        let mut of_rule: Vec<(String, String, String, String)> = input
            .report
            .findings
            .iter()
            .filter(|f| f.outcome.rule == rule)
            .map(|f| {
                (
                    input.label.clone(),
                    status_label(&f.outcome),
                    f.outcome.subject.key(),
                    f.outcome.message.clone(),
                )
            })
            .collect();
        if of_rule.is_empty() {
            of_rule.push((
                input.label.clone(),
                "-".into(),
                "-".into(),
                "(no outcome)".into(),
            ));
        }
        of_rule.sort_by(|a, b| (&a.2, &a.1, &a.3).cmp(&(&b.2, &b.1, &b.3)));
        rows.extend(of_rule);
    }
    let status_width = rows.iter().map(|r| r.1.len()).max().unwrap_or(0);
    rows.iter()
        .map(|(label, status, subject, message)| {
            format!("{label:width$} | {status:status_width$} | {subject} | {message}")
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn check(rule: &str) {
    let meta = &REGISTRY
        .iter()
        .find(|r| r.meta.id == rule)
        .unwrap_or_else(|| panic!("{rule} is not in the registry"))
        .meta;
    insta::with_settings!({
        description => format!("{rule} {}: {}", meta.name, meta.summary),
        omit_expression => true,
    }, {
        insta::assert_snapshot!(rule, rule_snapshot(rule));
    });
}

/// One test per rule id; `LISTED` is the list, in registry order.
macro_rules! rule_snapshot_tests {
    ($($rule:ident),* $(,)?) => {
        const LISTED: &[&str] = &[$(stringify!($rule)),*];
        $(
            #[test]
            #[allow(non_snake_case)]
            fn $rule() {
                check(stringify!($rule));
            }
        )*
    };
}

rule_snapshot_tests!(
    GD001, GD002, GD003, GD004, GD005, GD006, ORG001, ORG002, ORG003, EVT001, EVT002, EVT003,
    EVT004, EVT005, ROUTE001, ROUTE002, SH001, SH002, SH003, SH004, SNS001, SNS002, SNS003, SNS004,
    SNS005, SUB001, SUB002, SUB003, SUB004, SUB005, SUB006, ALM001, ALM002, ALM003, ALM004, ALM005,
    ROOT001, ROOT002, ROOT003, SEC001, SEC002, SEC003, SCAN001, SCAN002, SCAN003, SCAN004, SCAN005,
);

/// Terraform fixtures that do not read (their tests check the error).
const UNREADABLE_TF_FIXTURES: &[&str] = &["hcl-errors", "plan-bad-version", "truncated"];

#[test]
fn every_terraform_fixture_is_judged() {
    let mut dirs: Vec<String> = std::fs::read_dir(repo().join("tests/fixtures/terraform"))
        .expect("terraform fixtures")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.is_dir())
        .map(|p| file_name(&p))
        .filter(|d| !UNREADABLE_TF_FIXTURES.contains(&d.as_str()))
        .collect();
    dirs.sort();
    let mut judged: Vec<String> = TF_FIXTURES.iter().map(|f| f.dir.to_string()).collect();
    judged.sort();
    assert_eq!(dirs, judged, "add the fixture to TF_FIXTURES");
}

#[test]
fn every_rule_in_the_registry_has_a_snapshot_test() {
    let registry: Vec<&str> = REGISTRY.iter().map(|r| r.meta.id.as_str()).collect();
    assert_eq!(
        LISTED,
        registry.as_slice(),
        "add the new rule to rule_snapshot_tests!"
    );
}
