//! The JSON report v1 writer.

use super::Report;

/// Render the report as pretty JSON.
pub fn render(report: &Report) -> anyhow::Result<String> {
    let mut text = serde_json::to_string_pretty(report)?;
    text.push('\n');
    Ok(text)
}
