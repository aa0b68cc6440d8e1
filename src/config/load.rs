//! Two-phase loading of `alertpath.toml`, in the style of cargo-deny.
//!
//! 1. Parse TOML syntax with `toml_edit` (which keeps spans). A syntax error is
//!    one [`ConfigError`] carrying the parser's message.
//! 2. Walk the document against the known-keys table and check every key and
//!    value, collecting *every* error. Only a document with no errors becomes a
//!    [`Config`].
//!
//! Every error carries `file:line:column`.

use std::path::Path;

use toml_edit::ImDocument;

use super::Config;
use super::diag::Diagnostics;
use super::walk;

/// The config file read when no path is given and it exists.
pub const DEFAULT_FILE: &str = "alertpath.toml";

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

/// Every error found in one config file, ordered by position.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", .0.iter().map(|e| e.to_string()).collect::<Vec<_>>().join("\n"))]
pub struct ConfigErrors(pub Vec<ConfigError>);

/// Load and validate a config file.
pub fn load_file(path: &Path) -> Result<Config, ConfigErrors> {
    let file = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| {
        ConfigErrors(vec![ConfigError {
            file: file.clone(),
            line: 1,
            column: 1,
            message: format!("cannot read config file: {e}"),
        }])
    })?;
    parse_str(&text, &file)
}

/// Parse and validate config text; `file` names it in errors and in
/// [`Config::path`] and each waiver's `declared_at`.
pub fn parse_str(text: &str, file: &str) -> Result<Config, ConfigErrors> {
    let mut diag = Diagnostics::new(file, text);
    let doc = match ImDocument::parse(text) {
        Ok(doc) => doc,
        Err(e) => {
            diag.error(e.span().map_or(0, |s| s.start), syntax_message(e.message()));
            return Err(ConfigErrors(diag.finish()));
        }
    };
    let config = walk::document(&doc, &mut diag);
    let errors = diag.finish();
    if errors.is_empty() {
        Ok(Config {
            path: Some(file.to_string()),
            ..config
        })
    } else {
        Err(ConfigErrors(errors))
    }
}

/// The parser's message on one line.
fn syntax_message(message: &str) -> String {
    let flat = message.split_whitespace().collect::<Vec<_>>().join(" ");
    format!("TOML syntax error: {flat}")
}

/// The config to use: `explicit` (which must exist), else `./alertpath.toml`
/// when present, else [`Config::default`].
pub fn discover(explicit: Option<&Path>) -> Result<Config, ConfigErrors> {
    discover_in(Path::new("."), explicit)
}

/// [`discover`], looking for the default file in `dir` instead of the current directory.
pub fn discover_in(dir: &Path, explicit: Option<&Path>) -> Result<Config, ConfigErrors> {
    if let Some(path) = explicit {
        return load_file(path);
    }
    let default = dir.join(DEFAULT_FILE);
    if default.is_file() {
        load_file(&default)
    } else {
        Ok(Config::default())
    }
}
