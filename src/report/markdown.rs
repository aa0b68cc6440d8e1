//! markdown writer (placeholder).

use super::Report;

/// Render the report.
pub fn render(report: &Report) -> String {
    format!("{} findings\n", report.findings.len())
}
