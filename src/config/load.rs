//! Two-phase loading of `alertpath.toml` (placeholder until the loader lands).

use super::Config;

/// One configuration error, with its place.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{line}:{column}: {message}")]
pub struct ConfigError {
    /// The file.
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
    /// What is wrong.
    pub message: String,
}

/// Every error found in one config file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", .0.iter().map(|e| e.to_string()).collect::<Vec<_>>().join("\n"))]
pub struct ConfigErrors(pub Vec<ConfigError>);

/// Load and validate a config file.
pub fn load_file(path: &std::path::Path) -> Result<Config, ConfigErrors> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        ConfigErrors(vec![ConfigError {
            file: path.display().to_string(),
            line: 1,
            column: 1,
            message: format!("cannot read: {e}"),
        }])
    })?;
    parse_str(&text, &path.display().to_string())
}

/// Parse and validate config text; `file` names it in errors.
pub fn parse_str(_text: &str, file: &str) -> Result<Config, ConfigErrors> {
    Ok(Config {
        path: Some(file.to_string()),
        ..Config::default()
    })
}
