//! Readable terminal output.
//!
//! Failures, not-assessed and waived findings are listed, grouped by account
//! then region (organization- and scan-level first). Passes are only counted.
//! ANSI colour is used only when the caller says so (TTY and no `NO_COLOR`).

use std::fmt::Write as _;

use super::describe::{self, group_heading, group_of};
use super::{Finding, Report};
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

/// Render the report for a terminal.
pub fn render(report: &Report, color: bool) -> String {
    let paint = Paint { color };
    let mut out = String::new();
    header(&mut out, report, &paint);
    findings(&mut out, report, &paint);
    notes(&mut out, report, &paint);
    summary(&mut out, report, &paint);
    out
}

fn header(out: &mut String, report: &Report, paint: &Paint) {
    let when = report.started_at.as_deref().unwrap_or("unknown time");
    let title = format!(
        "alertpath {} — {} scan, {when}",
        report.tool_version,
        report.source.kind.name()
    );
    let _ = writeln!(out, "{}\n", paint.paint(BOLD, &title));
}

fn findings(out: &mut String, report: &Report, paint: &Paint) {
    let listed = describe::listed(report);
    if listed.is_empty() {
        let _ = writeln!(
            out,
            "{}\n",
            paint.paint(GREEN, "No failures, nothing unassessed, nothing waived.")
        );
        return;
    }
    let mut current = None;
    for finding in listed {
        let group = group_of(finding);
        if current != Some(group) {
            if current.is_some() {
                out.push('\n');
            }
            let _ = writeln!(out, "{}", paint.paint(BOLD, &group_heading(group)));
            current = Some(group);
        }
        line(out, finding, paint);
    }
    out.push('\n');
}

fn color_of(finding: &Finding) -> &'static str {
    match finding.status() {
        Status::NotAssessed => MAGENTA,
        Status::Waived => DIM,
        _ => match finding.severity {
            Severity::Critical | Severity::High => RED,
            Severity::Medium => YELLOW,
            Severity::Low | Severity::Info => BLUE,
        },
    }
}

fn line(out: &mut String, finding: &Finding, paint: &Paint) {
    let outcome = &finding.outcome;
    let tag = format!("{:<12}", describe::tag(finding));
    let subject = describe::subject_label(&outcome.subject);
    let message = outcome.message.replace('\n', "\n                 ");
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
