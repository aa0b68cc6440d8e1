//! SARIF 2.1.0 writer (placeholder).

use super::{RenderOptions, Report};

/// Render the report as SARIF.
pub fn render(_report: &Report, _options: &RenderOptions) -> anyhow::Result<String> {
    Ok(String::new())
}
