//! Readable terminal output.
//!
//! Failures, not-assessed and waived findings are listed, grouped by account
//! then region (organization- and scan-level first). Passes are only counted.
//! ANSI colour is used only when the caller says so (TTY and no `NO_COLOR`).

use std::fmt::Write as _;

use super::describe::{self, Entry};
use super::{Finding, GroupBy, RenderOptions, Report};
use crate::outcome::Status;
use crate::severity::Severity;

const RESET: &str = "\x1b[0m";
const BOLD: &str = "\x1b[1m";
const DIM: &str = "\x1b[2m";
const RED: &str = "\x1b[31m";
const YELLOW: &str = "\x1b[33m";
const BLUE: &str = "\x1b[34m";
const MAGENTA: &str = "\x1b[35m";
const GREEN: &str = "\x1b[32m";
/// Bold white on red: CRITICAL stands out from HIGH's red.
const CRITICAL: &str = "\x1b[1;97;41m";

/// Paints text when colour is on.
struct Paint {
    color: bool,
}

impl Paint {
    fn paint(&self, code: &str, text: &str) -> String {
        if self.color {
            format!("{code}{text}{RESET}")
        } else {
            text.to_string()
        }
    }
}

/// Render the report for a terminal, every finding listed.
pub fn render(report: &Report, color: bool) -> String {
    render_with(
        report,
        &RenderOptions {
            color,
            ..RenderOptions::default()
        },
    )
}

/// Render the report for a terminal with `options` (colour, `--min-severity`).
pub fn render_with(report: &Report, options: &RenderOptions) -> String {
    let paint = Paint {
        color: options.color,
    };
    let mut out = String::new();
    header(&mut out, report, &paint);
    findings(&mut out, report, &paint, options);
    notes(&mut out, report, &paint);
    summary(&mut out, report, &paint);
    out
}

fn header(out: &mut String, report: &Report, paint: &Paint) {
    let _ = writeln!(out, "{}", paint.paint(BOLD, &describe::title(report)));
    for (label, text) in describe::shaping(report) {
        let _ = writeln!(out, "  {:<11} {text}", format!("{label}:"));
    }
    out.push('\n');
}

fn findings(out: &mut String, report: &Report, paint: &Paint, options: &RenderOptions) {
    let min = options.min_severity;
    let by = options.group_by;
    let listed = describe::listed(report, min);
    let hidden = describe::hidden_below(report, min);
    if hidden > 0
        && let Some(min) = min
    {
        let _ = writeln!(
            out,
            "{}\n",
            paint.paint(
                DIM,
                &format!("{hidden} finding(s) below {min} not listed (--min-severity)")
            )
        );
    }
    if listed.is_empty() {
        let _ = writeln!(
            out,
            "{}\n",
            paint.paint(GREEN, "No failures, nothing unassessed, nothing waived.")
        );
        return;
    }
    top_issues(out, &listed, paint);
    let unjudged = unjudged_by_unreached_account(&listed);
    let unlisted = unjudged_by_unlisted_organization(&listed);
    let shown: Vec<&Finding> = listed
        .iter()
        .copied()
        .filter(|f| {
            !(folded_into_scan001(f, &unjudged)
                || (!unlisted.is_empty() && is_unlisted_accounts(f)))
        })
        .collect();
    let shown = describe::ordered(shown, by);
    let entries = match by {
        GroupBy::Account => describe::account_entries(&shown),
        GroupBy::Rule => shown.iter().map(|f| Entry::One(f)).collect(),
    };
    let mut current: Option<String> = None;
    for entry in entries {
        let finding = entry.first();
        let heading = describe::entry_heading(&entry, by);
        if current.as_ref() != Some(&heading) {
            if current.is_some() {
                out.push('\n');
            }
            let _ = writeln!(out, "{}", paint.paint(BOLD, &heading));
            current = Some(heading);
        }
        match entry {
            Entry::One(finding) => {
                let folded = if finding.outcome.rule == crate::catalog::RuleId::SCAN005 {
                    Some(&unlisted)
                } else {
                    unjudged.get(finding_account(finding))
                };
                line(out, finding, paint, folded, by);
            }
            Entry::Repeated(repeated) => {
                let tag = format!("{:<12}", describe::tag(finding));
                let _ = writeln!(
                    out,
                    "  {} {:<9} {}: {}",
                    paint.paint(color_of(finding), &tag),
                    finding.outcome.rule,
                    repeated.place(None),
                    repeated.message().replace('\n', " ")
                );
                if !finding.outcome.path.is_empty() {
                    let _ = writeln!(out, "               path: {}", repeated.path());
                }
            }
            Entry::Many { findings, cause } => {
                let tag = format!("{:<12}", describe::tag(finding));
                let _ = writeln!(
                    out,
                    "  {} {}: {}",
                    paint.paint(color_of(finding), &tag),
                    describe::collapsed_subjects(&findings),
                    cause.replace('\n', " ")
                );
            }
        }
    }
    out.push('\n');
}

/// How many top issues are listed before the full list.
const TOP_ISSUES: usize = 10;

/// The CRITICAL and HIGH failures first, one line each, before the groups; a
/// failure repeated in several scopes on one line; after each rule's lines,
/// its fix.
fn top_issues(out: &mut String, listed: &[&Finding], paint: &Paint) {
    let top = describe::top_entries(listed);
    if top.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "{}",
        paint.paint(
            BOLD,
            &format!(
                "Top issues ({} critical or high; `alertpath explain RULE` for more):",
                top.iter().map(describe::Entry::len).sum::<usize>()
            )
        )
    );
    let shown = &top[..top.len().min(TOP_ISSUES)];
    for (i, entry) in shown.iter().enumerate() {
        let finding = entry.first();
        let (place, message) = describe::top_line(entry);
        let _ = writeln!(
            out,
            "  {} {:<9} {place}: {}",
            paint.paint(color_of(finding), &format!("{:<8}", describe::tag(finding))),
            finding.outcome.rule,
            describe::one_line(&message, 110)
        );
        if describe::ends_rule(shown, i) {
            for (rule, fix) in describe::fixes_after(shown, i) {
                let label = if rule == finding.outcome.rule {
                    "fix:".to_string()
                } else {
                    format!("fix ({rule}):")
                };
                let _ = writeln!(
                    out,
                    "{:11}{} {}",
                    "",
                    paint.paint(GREEN, &label),
                    describe::one_line(&fix, 320)
                );
            }
        }
    }
    if top.len() > TOP_ISSUES {
        let more: usize = top[TOP_ISSUES..].iter().map(Entry::len).sum();
        let _ = writeln!(out, "  … and {more} more below");
    }
    out.push('\n');
}

/// Whether a finding is a rule's "accounts that were not listed" outcome (SCAN005).
fn is_unlisted_accounts(finding: &Finding) -> bool {
    finding
        .outcome
        .subject
        .resource
        .as_ref()
        .is_some_and(|r| r.kind == crate::outcome::ResourceKind::UnlistedAccounts)
}

/// The rules left unjudged for the organization's unlisted accounts: listed
/// on the SCAN005 line, so the unlisted organization takes one line.
fn unjudged_by_unlisted_organization<'a>(listed: &[&'a Finding]) -> Vec<&'a str> {
    let scan005 = listed.iter().any(|f| {
        f.outcome.rule == crate::catalog::RuleId::SCAN005 && f.status() == Status::NotAssessed
    });
    if !scan005 {
        return Vec::new();
    }
    listed
        .iter()
        .filter(|f| is_unlisted_accounts(f))
        .map(|f| f.outcome.rule.as_str())
        .collect()
}

fn finding_account(finding: &Finding) -> &str {
    finding.outcome.subject.account.as_deref().unwrap_or("")
}

/// Whether a finding is the account-level SCAN001 of an account that could
/// not be reached.
fn is_unreached_account(finding: &Finding) -> bool {
    let s = &finding.outcome.subject;
    finding.outcome.rule == crate::catalog::RuleId::SCAN001
        && finding.status() == Status::NotAssessed
        && s.account.is_some()
        && s.region.is_none()
        && s.resource.is_none()
}

/// Per unreached account (SCAN001), the other rules whose account-level
/// outcome is "not assessed": they are listed on the SCAN001 line, so the
/// account takes one line, not one per rule.
fn unjudged_by_unreached_account<'a>(
    listed: &[&'a Finding],
) -> std::collections::BTreeMap<&'a str, Vec<&'a str>> {
    let mut map: std::collections::BTreeMap<&str, Vec<&str>> = listed
        .iter()
        .filter(|f| is_unreached_account(f))
        .map(|f| (finding_account(f), Vec::new()))
        .collect();
    for f in listed {
        if f.outcome.rule == crate::catalog::RuleId::SCAN001 || f.status() != Status::NotAssessed {
            continue;
        }
        let s = &f.outcome.subject;
        if s.region.is_none()
            && s.resource.is_none()
            && let Some(rules) = map.get_mut(finding_account(f))
        {
            rules.push(f.outcome.rule.as_str());
        }
    }
    map
}

fn folded_into_scan001(
    finding: &Finding,
    unjudged: &std::collections::BTreeMap<&str, Vec<&str>>,
) -> bool {
    let s = &finding.outcome.subject;
    finding.outcome.rule != crate::catalog::RuleId::SCAN001
        && finding.status() == Status::NotAssessed
        && s.region.is_none()
        && s.resource.is_none()
        && unjudged.contains_key(finding_account(finding))
}

fn color_of(finding: &Finding) -> &'static str {
    match finding.status() {
        Status::NotAssessed => MAGENTA,
        Status::Waived => DIM,
        _ => match finding.severity {
            Severity::Critical => CRITICAL,
            Severity::High => RED,
            Severity::Medium => YELLOW,
            Severity::Low | Severity::Info => BLUE,
        },
    }
}

fn line(
    out: &mut String,
    finding: &Finding,
    paint: &Paint,
    unjudged: Option<&Vec<&str>>,
    by: GroupBy,
) {
    let outcome = &finding.outcome;
    let tag = format!("{:<12}", describe::tag(finding));
    // Grouped by rule, the heading no longer names the scope: the line does.
    let subject = match by {
        GroupBy::Account => describe::finding_label(finding),
        GroupBy::Rule => describe::top_place(finding),
    };
    let mut message = outcome.message.replace('\n', "\n                 ");
    let folds = is_unreached_account(finding)
        || (finding.outcome.rule == crate::catalog::RuleId::SCAN005
            && finding.status() == Status::NotAssessed);
    if folds && let Some(rules) = unjudged.filter(|r| !r.is_empty()) {
        message.push_str(&format!("; leaves unjudged: {}", rules.join(", ")));
    }
    let _ = writeln!(
        out,
        "  {} {:<9} {subject}: {message}",
        paint.paint(color_of(finding), &tag),
        outcome.rule
    );
    if !outcome.path.is_empty() {
        let _ = writeln!(
            out,
            "               path: {}",
            describe::hop_chain(&outcome.path)
        );
    }
    if let Some(waiver) = &finding.waiver {
        let expires = waiver
            .expires
            .as_deref()
            .map(|e| format!(", expires {e}"))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "               waived: {} ({}{expires})",
            waiver.reason, waiver.declared_at
        );
    }
}

fn notes(out: &mut String, report: &Report, paint: &Paint) {
    for note in &report.notes {
        let _ = writeln!(out, "note: {note}");
    }
    for warning in &report.warnings {
        let _ = writeln!(out, "{} {warning}", paint.paint(YELLOW, "warning:"));
    }
    if !report.notes.is_empty() || !report.warnings.is_empty() {
        out.push('\n');
    }
}

fn summary(out: &mut String, report: &Report, paint: &Paint) {
    let s = &report.summary;
    let counts = format!(
        "{} fail, {} pass, {} not-assessed, {} not-applicable, {} waived",
        s.fail, s.pass, s.not_assessed, s.not_applicable, s.waived
    );
    let c = &report.coverage;
    let _ = writeln!(
        out,
        "{} {counts}; failures by severity: {}; {} warning(s)",
        paint.paint(BOLD, "Summary:"),
        describe::failures_by_severity(report),
        report.warnings.len()
    );
    let _ = writeln!(
        out,
        "{} {}",
        paint.paint(BOLD, "Coverage:"),
        describe::coverage_line(c)
    );
}
