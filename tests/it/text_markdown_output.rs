//! Text and Markdown output: snapshots, colour, escaping and the 1 MiB limit.

use crate::report_common as common;

use alertpath::report::markdown::MAX_BYTES;
use alertpath::report::{Format, RenderOptions, render};
use alertpath::severity::Severity;

fn text(color: bool) -> String {
    let options = RenderOptions {
        color,
        ..RenderOptions::default()
    };
    render(&common::sample_report(), Format::Text, &options).expect("render text")
}

#[test]
fn text_snapshot() {
    insta::assert_snapshot!(text(false));
}

#[test]
fn text_uses_ansi_only_when_asked() {
    assert!(!text(false).contains('\x1b'));
    assert!(text(true).contains("\x1b[31m"));
}

#[test]
fn text_lists_failures_first_and_only_counts_passes() {
    let out = text(false);
    assert!(!out.contains("Detector enabled"), "passes are not listed");
    let org = out.find("\norganization\n").expect("organization group");
    let admin = out
        .find("account 111111111111 / us-east-1")
        .expect("admin group");
    assert!(org < admin, "organization-level findings come first");
    assert!(out.contains(
        "path: rule guardduty-finding-events → topic gd-pager → subscription pagerduty ✗"
    ));
    assert!(out.contains("Summary: 4 fail, 2 pass, 3 not-assessed, 1 not-applicable, 1 waived"));
    assert!(out.contains("accounts 2/3 assessed, regions 5/6 enabled assessed"));
}

fn markdown(report: &alertpath::report::Report) -> String {
    render(report, Format::Markdown, &RenderOptions::default()).expect("render markdown")
}

#[test]
fn markdown_snapshot() {
    insta::assert_snapshot!(markdown(&common::sample_report()));
}

#[test]
fn markdown_escapes_pipes_and_newlines_in_cells() {
    let out = markdown(&common::sample_report());
    assert!(out.contains(
        "No detector in this region<br>GuardDuty findings here go nowhere \\| fix: enable it"
    ));
    assert!(out.contains("decommissioned \\| see TICKET-42"));
}

#[test]
fn markdown_of_a_huge_report_stays_under_one_mib() {
    let mut findings = Vec::new();
    for i in 0..100_000u64 {
        let account = format!("{:012}", 100_000_000_000 + i / 20);
        let region = format!("region-{}", i % 20);
        let mut finding = common::failing(
            "GD001",
            common::region_subject(&account, &region),
            Severity::High,
        );
        // Distinct failures: identical ones share one row (below).
        finding.outcome.message = format!("synthetic failure {i}");
        findings.push(finding);
    }
    let out = markdown(&common::report_with(findings));
    assert!(out.len() <= MAX_BYTES, "{} bytes", out.len());
    assert!(
        out.len() > MAX_BYTES / 2,
        "the budget is used, {} bytes",
        out.len()
    );
    let note = out
        .lines()
        .find(|l| l.contains("findings were omitted"))
        .expect("truncation note");
    let omitted: usize = note
        .split_whitespace()
        .find_map(|w| w.parse().ok())
        .expect("omitted count");
    let rows = out
        .lines()
        .filter(|l| l.starts_with("| high | GD001 |"))
        .count();
    assert_eq!(rows + omitted, 100_000);
    assert!(note.contains("JSON"));
}

/// The same failure in 100,000 account × region pairs is one row naming the
/// first places and how many more, not 100,000 rows.
#[test]
fn markdown_of_one_failure_repeated_everywhere_is_one_row() {
    let findings = (0..100_000u64)
        .map(|i| {
            let account = format!("{:012}", 100_000_000_000 + i / 20);
            let region = format!("region-{}", i % 20);
            common::failing(
                "GD001",
                common::region_subject(&account, &region),
                Severity::High,
            )
        })
        .collect();
    let out = markdown(&common::report_with(findings));
    assert!(out.len() < 64 * 1024, "{} bytes", out.len());
    assert!(!out.contains("omitted"));
    let rows: Vec<&str> = out
        .lines()
        .filter(|l| l.starts_with("| high | GD001 |"))
        .collect();
    assert_eq!(rows.len(), 1, "{out}");
    assert!(
        rows[0].contains(
            "| in 100000 accounts and regions (100000000000 / region-0, 100000000000 / region-1, "
        ),
        "{}",
        &rows[0][..200]
    );
    assert!(rows[0].contains(", … and 99900 more) | synthetic failure |"));
}

#[test]
fn markdown_of_a_small_report_is_not_truncated() {
    assert!(!markdown(&common::sample_report()).contains("omitted"));
}
