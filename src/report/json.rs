//! The JSON report v1 writer and its published schema (`schemas/report-v1.schema.json`).

use super::Report;

/// Render the report as pretty JSON.
pub fn render(report: &Report) -> anyhow::Result<String> {
    let mut text = serde_json::to_string_pretty(report)?;
    text.push('\n');
    Ok(text)
}

/// The JSON Schema of the v1 report, pretty-printed, as committed in
/// `schemas/report-v1.schema.json`.
pub fn schema() -> anyhow::Result<String> {
    let schema = schemars::schema_for!(Report);
    let mut text = serde_json::to_string_pretty(&schema)?;
    text.push('\n');
    Ok(text)
}
