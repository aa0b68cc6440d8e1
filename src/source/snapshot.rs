//! Reads a saved inventory snapshot (`alertpath collect --out`, or an evidence pack).

use std::path::Path;

use serde::Deserialize;

use crate::inventory::{FORMAT_VERSION, Inventory};

/// Why a snapshot could not be read. Each names the file and, where it can, line and column.
#[derive(Debug, thiserror::Error)]
pub enum SnapshotError {
    /// The file could not be read.
    #[error("{path}: cannot read snapshot: {cause}")]
    Read {
        /// The file.
        path: String,
        /// The I/O error (in the message, so not a `source`: printed once).
        cause: std::io::Error,
    },
    /// The JSON is malformed or does not match the inventory model.
    #[error("{path}:{line}:{column}: invalid snapshot: {message}")]
    Invalid {
        /// The file.
        path: String,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What is wrong.
        message: String,
    },
    /// The snapshot is of another format version.
    #[error(
        "{path}: snapshot format_version {found} is not supported (this alertpath reads version {FORMAT_VERSION})"
    )]
    Version {
        /// The file.
        path: String,
        /// The version found, or "missing".
        found: String,
    },
}

#[derive(Deserialize)]
struct VersionProbe {
    format_version: Option<serde_json::Value>,
}

/// Read and validate a snapshot file.
pub fn read(path: &Path) -> Result<Inventory, SnapshotError> {
    let name = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|cause| SnapshotError::Read {
        path: name.clone(),
        cause,
    })?;
    parse(&text, &name)
}

/// Parse snapshot text; `name` labels errors.
pub fn parse(text: &str, name: &str) -> Result<Inventory, SnapshotError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let invalid = |e: serde_json::Error| SnapshotError::Invalid {
        path: name.to_string(),
        line: e.line(),
        column: e.column(),
        message: e.to_string(),
    };
    let probe: VersionProbe = serde_json::from_str(text).map_err(invalid)?;
    match probe.format_version {
        Some(serde_json::Value::Number(n)) if n.as_u64() == Some(u64::from(FORMAT_VERSION)) => {}
        other => {
            return Err(SnapshotError::Version {
                path: name.to_string(),
                found: other.map_or_else(|| "missing".to_string(), |v| v.to_string()),
            });
        }
    }
    serde_json::from_str(text).map_err(invalid)
}

/// Serialize an inventory as snapshot JSON (deterministic: maps are ordered).
pub fn to_json(inventory: &Inventory) -> serde_json::Result<String> {
    let mut text = serde_json::to_string_pretty(inventory)?;
    text.push('\n');
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        let inventory = Inventory::new(crate::inventory::SourceKind::Live);
        let text = to_json(&inventory).unwrap();
        assert_eq!(parse(&text, "x.json").unwrap(), inventory);
    }

    #[test]
    fn malformed_json_names_line_and_column() {
        let err = parse("{\n  \"format_version\": 1,\n  oops\n}", "org.json").unwrap_err();
        let text = err.to_string();
        assert!(text.starts_with("org.json:3:3: invalid snapshot"), "{text}");
    }

    #[test]
    fn wrong_version_is_named() {
        let err = parse(r#"{"format_version": 7}"#, "org.json").unwrap_err();
        assert!(
            err.to_string()
                .contains("format_version 7 is not supported")
        );
        let err = parse(r#"{"accounts": {}}"#, "org.json").unwrap_err();
        assert!(err.to_string().contains("format_version missing"));
    }

    #[test]
    fn schema_errors_name_the_field() {
        let text = r#"{"format_version": 1, "source": {"kind": "satellite", "tool_version": "x"}}"#;
        let err = parse(text, "org.json").unwrap_err().to_string();
        assert!(
            err.contains("org.json:1:") && err.contains("satellite"),
            "{err}"
        );
    }

    #[test]
    fn bom_is_accepted() {
        // A populated inventory, so "equal" means every account, region and
        // gap survived, not just an empty shell.
        let original = parse(
            include_str!("../../tests/fixtures/snapshots/example-org.json"),
            "example-org.json",
        )
        .unwrap();
        assert!(!original.accounts.is_empty());
        let text = format!("\u{feff}{}", to_json(&original).unwrap());
        assert_eq!(parse(&text, "x.json").unwrap(), original);
    }
}
