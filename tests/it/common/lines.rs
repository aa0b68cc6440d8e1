//! One readable line per outcome, `status | subject | message`, for exact
//! assertions (insta snapshots) instead of `.contains(` checks on a message.

use alertpath::outcome::{Outcome, Status};
use alertpath::report::Report;
use serde_json::Value;

/// `status | account/region/kind/name | message`; a not-assessed outcome
/// caused by an unknown value names the kind after the status.
pub fn outcome_line(outcome: &Outcome) -> String {
    format!(
        "{} | {} | {}",
        status_label(outcome),
        outcome.subject.key(),
        outcome.message
    )
}

/// The status as shown to people, with the unknown kind when there is one.
pub fn status_label(outcome: &Outcome) -> String {
    match outcome.unknown {
        Some(kind) => format!(
            "{} ({})",
            outcome.status.label(),
            serde_json::to_value(kind)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default()
        ),
        None => outcome.status.label().to_string(),
    }
}

/// The lines of one rule's findings, sorted by subject, one per line.
pub fn rule_lines(report: &Report, rule: &str) -> String {
    sorted(
        report
            .findings
            .iter()
            .filter(|f| f.outcome.rule == rule)
            .map(|f| outcome_line(&f.outcome))
            .collect(),
    )
}

/// The lines of one rule's findings in a JSON report (`--format json`).
pub fn json_rule_lines(report: &Value, rule: &str) -> String {
    sorted(
        report["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .filter(|f| f["rule"] == rule)
            .map(|f| {
                let outcome: Outcome =
                    serde_json::from_value(f.clone()).expect("a finding is an outcome");
                outcome_line(&outcome)
            })
            .collect(),
    )
}

/// The lines of one rule's findings with one status.
pub fn rule_lines_with(report: &Report, rule: &str, status: Status) -> String {
    sorted(
        report
            .findings
            .iter()
            .filter(|f| f.outcome.rule == rule && f.status() == status)
            .map(|f| outcome_line(&f.outcome))
            .collect(),
    )
}

fn sorted(mut lines: Vec<String>) -> String {
    lines.sort();
    lines.join("\n")
}
