//! Judging what real Terraform writes precisely (issue 14): documentation
//! placeholders are no secrets, a DISABLED rule is EVT002's alone, and an
//! unknown nested value is named by its path.

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
