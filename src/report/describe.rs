//! Labels shared by the writers: how a subject, a scope and a walked path read.

use std::cmp::Reverse;

use super::{Finding, Report};
use crate::outcome::{Hop, Status, Subject};
use crate::severity::Severity;

/// The scope of a subject: `organization`, `account 1111`, `1111 / us-east-1`.
pub(super) fn scope_label(subject: &Subject) -> String {
    match (&subject.account, &subject.region) {
        (Some(account), Some(region)) => format!("{account} / {region}"),
        (Some(account), None) => account.clone(),
        (None, Some(region)) => format!("organization / {region}"),
        (None, None) => "organization".to_string(),
    }
}

/// What a subject is, for one line: the resource (`sns-topic gd-pager`), else its scope.
pub(super) fn subject_label(subject: &Subject) -> String {
    match &subject.resource {
        Some(resource) => format!("{} {}", resource.kind, resource.name),
        None => scope_label(subject),
    }
}

/// The short kind of a hop: `event-rule` → `rule`, `sns-topic` → `topic`.
pub(super) fn short_kind(kind: &str) -> &str {
    kind.rsplit('-').next().unwrap_or(kind)
}

/// A walked path as one chain:
/// `rule guardduty-finding-events → topic gd-pager → ✗ no confirmed subscription (SUB004)`.
pub(super) fn hop_chain(path: &[Hop]) -> String {
    let mut parts = Vec::new();
    for hop in path {
        parts.push(format!("{} {}", short_kind(hop.kind.as_str()), hop.name));
        if !hop.ok {
            parts.push(format!(
                "✗ {}",
                hop.problem.as_deref().unwrap_or("broken link")
            ));
        }
    }
    parts.join(" → ")
}

/// Failures first, then not-assessed, then waived.
fn status_rank(status: Status) -> u8 {
    match status {
        Status::Fail => 0,
        Status::NotAssessed => 1,
        Status::Waived => 2,
        Status::Pass => 3,
        Status::NotApplicable => 4,
    }
}

/// The findings people must read (fail, not-assessed, waived), ordered by
/// scope (organization first, then account, then region), then status,
/// severity (most severe first) and rule.
pub(super) fn listed(report: &Report, min: Option<Severity>) -> Vec<&Finding> {
    let mut out: Vec<&Finding> = report
        .findings
        .iter()
        .filter(|f| {
            matches!(
                f.status(),
                Status::Fail | Status::NotAssessed | Status::Waived
            )
        })
        .filter(|f| !below(f, min))
        .collect();
    out.sort_by_key(|f| {
        let s = &f.outcome.subject;
        (
            s.account.is_some(),
            s.account.clone(),
            s.region.is_some(),
            s.region.clone(),
            status_rank(f.status()),
            Reverse(f.severity),
            f.outcome.rule.as_str(),
        )
    });
    out
}

/// Whether `--min-severity` hides a finding from the people views: failures
/// and waivers under the bar. Not-assessed scope is always listed.
fn below(finding: &Finding, min: Option<Severity>) -> bool {
    matches!(finding.status(), Status::Fail | Status::Waived)
        && min.is_some_and(|min| finding.severity < min)
}

/// How many findings `--min-severity` hides, for the line that says so.
pub(super) fn hidden_below(report: &Report, min: Option<Severity>) -> usize {
    report.findings.iter().filter(|f| below(f, min)).count()
}

/// The group a finding is listed under: its account, then its region.
pub(super) fn group_of(finding: &Finding) -> (Option<&str>, Option<&str>) {
    let s = &finding.outcome.subject;
    (s.account.as_deref(), s.region.as_deref())
}

/// The group's heading: `organization`, `account 1111`, `account 1111 / us-east-1`.
pub(super) fn group_heading(group: (Option<&str>, Option<&str>)) -> String {
    match group {
        (None, None) => "organization".to_string(),
        (None, Some(region)) => format!("organization / {region}"),
        (Some(account), None) => format!("account {account}"),
        (Some(account), Some(region)) => format!("account {account} / {region}"),
    }
}

/// `fail: 2 critical, 1 high`, or `none`.
pub(super) fn failures_by_severity(report: &Report) -> String {
    let parts: Vec<String> = Severity::ALL
        .iter()
        .filter_map(|sev| {
            report
                .summary
                .fail_by_severity
                .get(sev)
                .filter(|n| **n > 0)
                .map(|n| format!("{n} {sev}"))
        })
        .collect();
    if parts.is_empty() {
        "none".to_string()
    } else {
        parts.join(", ")
    }
}

/// The status tag shown in lists: the severity for failures, else the status.
pub(super) fn tag(finding: &Finding) -> String {
    match finding.status() {
        Status::Fail => finding.severity.as_str().to_ascii_uppercase(),
        other => other.label().to_ascii_uppercase(),
    }
}

/// The coverage in one sentence, for text and Markdown: what was assessed,
/// assessed with gaps, and not assessed, and whether the organization's
/// accounts were listed at all.
pub(super) fn coverage_line(c: &super::Coverage) -> String {
    use super::OrganizationCoverage;
    let accounts = match c.organization {
        OrganizationCoverage::NotListed => format!(
            "accounts {}/{} scanned assessed, the organization's other accounts not assessed (organization not listed, SCAN005: {})",
            c.accounts_assessed,
            c.accounts_in_scope,
            c.organization_not_listed
                .as_deref()
                .unwrap_or("unknown reason")
        ),
        _ => format!(
            "accounts {}/{} assessed",
            c.accounts_assessed, c.accounts_in_scope
        ),
    };
    let mut regions = format!(
        "regions {}/{} enabled assessed",
        c.regions_assessed, c.regions_enabled
    );
    if c.regions_assessed_with_gaps > 0 {
        regions.push_str(&format!(
            ", {} assessed with gaps (SCAN002/SCAN003)",
            c.regions_assessed_with_gaps
        ));
    }
    if c.regions_not_assessed > 0 {
        regions.push_str(&format!(", {} not assessed", c.regions_not_assessed));
    }
    if c.regions_not_enabled > 0 {
        regions.push_str(&format!(", {} not enabled", c.regions_not_enabled));
    }
    format!("{accounts}, {regions}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inventory::Origin;

    fn hop(kind: &str, name: &str, problem: Option<&str>) -> Hop {
        Hop {
            kind: kind.parse().unwrap(),
            name: name.to_string(),
            origin: Origin::default(),
            ok: problem.is_none(),
            problem: problem.map(str::to_string),
        }
    }

    #[test]
    fn chain_names_each_hop_and_the_break() {
        let path = [
            hop("event-rule", "gd-events", None),
            hop(
                "sns-topic",
                "gd-pager",
                Some("no confirmed subscription (SUB004)"),
            ),
        ];
        assert_eq!(
            hop_chain(&path),
            "rule gd-events → topic gd-pager → ✗ no confirmed subscription (SUB004)"
        );
    }

    #[test]
    fn scope_of_global_subject_is_the_organization() {
        assert_eq!(scope_label(&Subject::global()), "organization");
        assert_eq!(scope_label(&Subject::region("1", "r")), "1 / r");
    }
}
