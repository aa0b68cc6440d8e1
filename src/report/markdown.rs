//! Markdown for `$GITHUB_STEP_SUMMARY`: a verdict, counts, coverage, then the
//! findings people must read, grouped by account and region.
//!
//! GitHub refuses step summaries over 1 MiB, so the detail sections share a
//! byte budget ([`MAX_BYTES`]); when it runs out, the rest is omitted and a
//! note says how many findings were left out and where to find them.

use std::fmt::Write as _;

use super::describe::{self, group_of};
use super::{Finding, GroupBy, RenderOptions, Report};
use crate::outcome::Status;
use crate::severity::Severity;

/// GitHub's limit for one step summary.
pub const MAX_BYTES: usize = 1024 * 1024;
/// Room kept for the truncation note and closing sections.
const RESERVE: usize = 4 * 1024;

/// Render the report as Markdown, every finding listed.
pub fn render(report: &Report) -> String {
    render_with(report, &RenderOptions::default())
}

/// Render the report as Markdown with `options` (`--min-severity`).
pub fn render_with(report: &Report, options: &RenderOptions) -> String {
    let min = options.min_severity;
    let mut head = String::new();
    verdict(&mut head, report);
    counts(&mut head, report);
    coverage(&mut head, report);
    let hidden = describe::hidden_below(report, min);
    if hidden > 0
        && let Some(min) = min
    {
        let _ = writeln!(
            head,
            "_{hidden} finding(s) below {min} not listed (`--min-severity`); the JSON and SARIF reports list every finding._\n"
        );
    }
    let tail = warnings(report);
    let budget = MAX_BYTES.saturating_sub(head.len() + tail.len() + RESERVE);
    let mut details = Details::new(budget);
    top_issues(&mut details, report, min);
    failures(&mut details, report, options);
    routes(&mut details, report, min);
    not_assessed(&mut details, report, min);
    waived(&mut details, report, min);
    let mut out = head;
    out.push_str(&details.text);
    if details.omitted > 0 {
        let _ = writeln!(
            out,
            "> [!NOTE]\n> Truncated: {} findings were omitted to keep this summary under GitHub's 1 MiB limit. \
             The JSON report (`alertpath.json`) and the SARIF report (`alertpath.sarif`) list every finding.\n",
            details.omitted
        );
    }
    out.push_str(&tail);
    out
}

/// Detail sections under a byte budget.
struct Details {
    text: String,
    budget: usize,
    omitted: usize,
    full: bool,
}

impl Details {
    fn new(budget: usize) -> Self {
        Details {
            text: String::new(),
            budget,
            omitted: 0,
            full: false,
        }
    }

    /// Append a block if it fits; once one does not, nothing more is added.
    fn push(&mut self, block: &str) -> bool {
        if self.full || self.text.len() + block.len() > self.budget {
            self.full = true;
            return false;
        }
        self.text.push_str(block);
        true
    }

    /// Append one finding's block, or count it as omitted.
    fn item(&mut self, block: &str) {
        self.items(block, 1);
    }

    /// Append a block that stands for `findings` findings, or count them as
    /// omitted.
    fn items(&mut self, block: &str, findings: usize) {
        if !self.push(block) {
            self.omitted += findings;
        }
    }
}

/// Escape a table cell: `|` and newlines would break the row.
pub fn cell(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('|', "\\|")
        .replace("\r\n", "<br>")
        .replace(['\n', '\r'], "<br>")
}

fn verdict(out: &mut String, report: &Report) {
    let s = &report.summary;
    let line = if s.fail > 0 {
        format!(
            "❌ {} failing ({}), {} not assessed",
            s.fail,
            describe::failures_by_severity(report),
            s.not_assessed
        )
    } else if s.not_assessed > 0 {
        format!("⚠️ No failures, but {} not assessed", s.not_assessed)
    } else {
        "✅ GuardDuty alerting reaches a human on every assessed path".to_string()
    };
    let _ = writeln!(out, "## alertpath: {line}\n");
    let _ = writeln!(out, "{}\n", describe::title(report));
    for (label, text) in describe::shaping(report) {
        let _ = writeln!(out, "- **{label}:** {}", text.replace('\n', " "));
    }
    out.push('\n');
}

fn counts(out: &mut String, report: &Report) {
    let s = &report.summary;
    out.push_str("| Status | Count |\n|---|---:|\n");
    for (label, n) in [
        ("fail", s.fail),
        ("pass", s.pass),
        ("not-assessed", s.not_assessed),
        ("not-applicable", s.not_applicable),
        ("waived", s.waived),
    ] {
        let _ = writeln!(out, "| {label} | {n} |");
    }
    out.push_str("\n| Severity | Failures |\n|---|---:|\n");
    for sev in Severity::ALL {
        let n = s.fail_by_severity.get(&sev).copied().unwrap_or(0);
        let _ = writeln!(out, "| {sev} | {n} |");
    }
    out.push('\n');
}

fn coverage(out: &mut String, report: &Report) {
    let _ = writeln!(
        out,
        "**Coverage:** {}.\n",
        describe::coverage_line(&report.coverage)
    );
}

fn failures(details: &mut Details, report: &Report, options: &RenderOptions) {
    let (min, by, links) = (
        options.min_severity,
        options.group_by,
        options.source_links.as_deref(),
    );
    let failing: Vec<&Finding> = describe::listed(report, min)
        .into_iter()
        .filter(|f| f.status() == Status::Fail)
        .collect();
    if failing.is_empty() {
        return;
    }
    details.push("### Failures\n");
    let ordered = describe::ordered(failing, by);
    let entries = match by {
        GroupBy::Account => describe::account_entries(&ordered),
        GroupBy::Rule => ordered.iter().map(|f| describe::Entry::One(f)).collect(),
    };
    let mut current: Option<String> = None;
    for entry in entries {
        let heading = describe::entry_heading(&entry, by);
        if current.as_ref() != Some(&heading) {
            details.push(&format!(
                "\n#### {heading}\n\n| Severity | Rule | Subject | Message |\n|---|---|---|---|\n"
            ));
            current = Some(heading);
        }
        let finding = entry.first();
        let (subject, message) = match &entry {
            describe::Entry::Repeated(r) => (cell(&r.place(Some(PLACES))), r.message()),
            _ => (
                match by {
                    GroupBy::Account => linked_label(finding, links),
                    GroupBy::Rule => match describe::terraform_place(finding) {
                        Some(_) => linked_label(finding, links),
                        None => cell(&describe::top_place(finding)),
                    },
                },
                finding.outcome.message.clone(),
            ),
        };
        details.items(
            &format!(
                "| {} | {} | {} | {} |\n",
                severity_cell(finding.severity),
                finding.outcome.rule,
                subject,
                cell(&message)
            ),
            entry.len(),
        );
    }
    details.push("\n");
}

/// How many places a repeated failure's row names before `… and N more`
/// (the JSON and SARIF reports hold one result per place).
const PLACES: usize = 100;

/// A finding's label in a table cell; with `links` (a GitHub run), its
/// repo-relative Terraform file:line links to that line of the commit.
fn linked_label(finding: &Finding, links: Option<&str>) -> String {
    let label = cell(&describe::finding_label(finding));
    let Some(base) = links else { return label };
    let Some(location) = describe::terraform_location(finding)
        .filter(|l| !l.file.contains("://") && !l.file.starts_with('/'))
    else {
        return label;
    };
    let at = format!("{}:{}", location.file, location.line);
    let url = format!("{base}{}#L{}", location.file, location.line)
        .replace(' ', "%20")
        .replace(')', "%29");
    match label.strip_prefix(&cell(&at)) {
        Some(rest) => format!("[{}]({url}){rest}", cell(&at)),
        None => label,
    }
}

/// A severity in a table: CRITICAL in bold capitals, so it stands apart from high.
fn severity_cell(severity: Severity) -> String {
    match severity {
        Severity::Critical => "**CRITICAL**".to_string(),
        other => other.to_string(),
    }
}

/// How many top issues are listed.
const TOP_ISSUES: usize = 10;

/// The CRITICAL and HIGH failures first, one line each (a failure repeated in
/// several scopes on one line), and after each rule's lines its fix.
fn top_issues(details: &mut Details, report: &Report, min: Option<Severity>) {
    let listed = describe::listed(report, min);
    let top = describe::top_entries(&listed);
    if top.is_empty() {
        return;
    }
    details.push(&format!(
        "### Top issues\n\n{} critical or high failure(s), each rule with its fix; `alertpath explain RULE` tells more.\n\n",
        top.iter().map(describe::Entry::len).sum::<usize>()
    ));
    let shown = &top[..top.len().min(TOP_ISSUES)];
    for (i, entry) in shown.iter().enumerate() {
        let finding = entry.first();
        let (place, message) = describe::top_line(entry);
        let rule = finding.outcome.rule;
        let mut block = format!(
            "- {} **{}** `{}`: {}\n",
            severity_cell(finding.severity),
            rule,
            place.replace('`', "'"),
            describe::one_line(&message, 160)
        );
        if describe::ends_rule(shown, i) {
            for (fixed, fix) in describe::fixes_after(shown, i) {
                let label = if fixed == rule {
                    "Fix".to_string()
                } else {
                    format!("Fix ({fixed})")
                };
                block.push_str(&format!(
                    "  - **{label}:** {}\n",
                    describe::one_line(&fix, 320)
                ));
            }
        }
        details.items(&block, entry.len());
    }
    if top.len() > TOP_ISSUES {
        details.push(&format!(
            "- … and {} more under Failures\n",
            top[TOP_ISSUES..]
                .iter()
                .map(describe::Entry::len)
                .sum::<usize>()
        ));
    }
    details.push("\n");
}

fn routes(details: &mut Details, report: &Report, min: Option<Severity>) {
    let routes: Vec<&Finding> = describe::listed(report, min)
        .into_iter()
        .filter(|f| f.is_route() && !f.outcome.path.is_empty())
        .collect();
    if routes.is_empty() {
        return;
    }
    details.push("### Routes\n\n");
    for finding in routes {
        let o = &finding.outcome;
        details.push(&format!(
            "- **{}** {} ({}): `{}`\n",
            o.rule,
            describe::scope_label(&o.subject),
            finding.status().label(),
            describe::hop_chain(&o.path).replace('`', "'")
        ));
    }
    details.push("\n");
}

fn not_assessed(details: &mut Details, report: &Report, min: Option<Severity>) {
    let items: Vec<&Finding> = describe::listed(report, min)
        .into_iter()
        .filter(|f| f.status() == Status::NotAssessed)
        .collect();
    if items.is_empty() {
        return;
    }
    details.push("### Not assessed\n\n");
    let one = |details: &mut Details, finding: &Finding| {
        let o = &finding.outcome;
        details.item(&format!(
            "- **{}** {}: {}\n",
            o.rule,
            describe::finding_label(finding),
            o.message.replace('\n', " ")
        ));
    };
    for entry in describe::collapse(&items) {
        match entry {
            describe::Entry::One(finding) => one(details, finding),
            describe::Entry::Repeated(r) => r.findings.iter().for_each(|f| one(details, f)),
            describe::Entry::Many { findings, cause } => {
                let first = findings[0];
                details.item(&format!(
                    "- {} · {}: {}\n",
                    describe::group_heading(group_of(first)),
                    describe::collapsed_subjects(&findings)
                        .split_whitespace()
                        .collect::<Vec<_>>()
                        .join(" "),
                    cause.replace('\n', " ")
                ));
            }
        }
    }
    details.push("\n");
}

fn waived(details: &mut Details, report: &Report, min: Option<Severity>) {
    let items: Vec<&Finding> = describe::listed(report, min)
        .into_iter()
        .filter(|f| f.status() == Status::Waived)
        .collect();
    if items.is_empty() {
        return;
    }
    details.push("### Waived\n\n| Rule | Subject | Reason | Expires | Declared at |\n|---|---|---|---|---|\n");
    for finding in items {
        let o = &finding.outcome;
        let (reason, expires, declared) = finding
            .waiver
            .as_ref()
            .map(|w| {
                (
                    w.reason.as_str(),
                    w.expires.as_deref().unwrap_or("never"),
                    w.declared_at.as_str(),
                )
            })
            .unwrap_or(("", "", ""));
        details.item(&format!(
            "| {} | {} | {} | {} | {} |\n",
            o.rule,
            cell(&describe::subject_label(&o.subject)),
            cell(reason),
            cell(expires),
            cell(declared)
        ));
    }
    details.push("\n");
}

fn warnings(report: &Report) -> String {
    let mut out = String::new();
    if report.warnings.is_empty() && report.notes.is_empty() {
        return out;
    }
    out.push_str("### Warnings\n\n");
    for warning in report.warnings.iter().chain(&report.notes) {
        let _ = writeln!(out, "- {}", warning.replace('\n', " "));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_escape_pipes_and_newlines() {
        assert_eq!(cell("a | b\nc"), "a \\| b<br>c");
    }

    #[test]
    fn details_stop_at_the_budget_and_count_the_rest() {
        let mut d = Details::new(10);
        d.item("12345");
        d.item("123456");
        d.item("1");
        assert_eq!(d.text, "12345");
        assert_eq!(d.omitted, 2);
    }
}
