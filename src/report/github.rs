//! GitHub workflow-command annotations (`--format github`), for repositories
//! without code scanning: one `::error`/`::warning`/`::notice` line per
//! failure (and per not-assessed finding, as a warning), with
//! `file=…,line=…` when the finding has a Terraform file. GitHub shows them
//! on the run and, for files in the diff, on the pull request.
//! <https://docs.github.com/actions/reference/workflow-commands-for-github-actions>

use std::fmt::Write as _;

use super::describe;
use super::{Finding, RenderOptions, Report};
use crate::outcome::Status;
use crate::severity::Severity;

/// Render the annotations, one per line; `--min-severity` narrows the
/// failures as in the text view.
pub fn render(report: &Report, options: &RenderOptions) -> String {
    let mut out = String::new();
    for finding in describe::listed(report, options.min_severity) {
        let level = match finding.status() {
            Status::Fail => level_of(finding.severity),
            Status::NotAssessed => "warning",
            _ => continue,
        };
        let _ = writeln!(out, "{}", annotation(level, finding));
    }
    out
}

/// The command of a failure's severity.
fn level_of(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low | Severity::Info => "notice",
    }
}

/// `::error file=sns.tf,line=160,title=SNS001 high::message`.
fn annotation(level: &str, finding: &Finding) -> String {
    let o = &finding.outcome;
    let mut properties = Vec::new();
    if let Some(location) =
        describe::terraform_location(finding).filter(|l| !l.file.starts_with("file://"))
    {
        properties.push(format!("file={}", property(&location.file)));
        properties.push(format!("line={}", location.line));
    }
    let label = match finding.status() {
        Status::Fail => finding.severity.as_str(),
        other => other.label(),
    };
    let title = format!(
        "{} {label}: {}",
        o.rule,
        describe::terraform_place(finding).unwrap_or_else(|| describe::subject_label(&o.subject))
    );
    properties.push(format!("title={}", property(&title)));
    format!("::{level} {}::{}", properties.join(","), data(&o.message))
}

/// Escape a command's message (`%`, CR, LF).
fn data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escape a property value (also `:` and `,`).
fn property(text: &str) -> String {
    data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_what_would_end_the_command() {
        assert_eq!(data("50% a\nb"), "50%25 a%0Ab");
        assert_eq!(property("a:b,c"), "a%3Ab%2Cc");
    }
}
