//! text writer (placeholder).

use super::Report;

/// Render the report.
pub fn render(report: &Report, _color: bool) -> String {
    format!("{} findings\n", report.findings.len())
}
