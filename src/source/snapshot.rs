//! Reads a saved inventory snapshot (`alertpath collect --out`, or an evidence pack).

use std::path::Path;

use crate::inventory::{FORMAT_VERSION, Inventory};
use crate::source::kind::InputKind;

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
    /// The file is another kind of input (a report, a plan, ...).
    #[error("{path}: not an inventory snapshot: this is {what}; {remedy}")]
    Kind {
        /// The file.
        path: String,
        /// What the file is.
        what: &'static str,
        /// Which flag takes it.
        remedy: &'static str,
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
    let value: serde_json::Value = serde_json::from_str(text).map_err(invalid)?;
    let Some(top) = value.as_object() else {
        let found = match &value {
            serde_json::Value::Null => "null",
            serde_json::Value::Array(_) => "an array",
            _ => "a single value",
        };
        return Err(SnapshotError::Invalid {
            path: name.to_string(),
            line: 1,
            column: 1,
            message: format!(
                "the file holds {found}, not a JSON object; a snapshot is the object `alertpath collect --out` writes"
            ),
        });
    };
    let kind = crate::source::kind::detect(&value);
    if !matches!(kind, InputKind::Snapshot | InputKind::Unknown) {
        return Err(SnapshotError::Kind {
            path: name.to_string(),
            what: kind.describe(),
            remedy: kind.remedy(),
        });
    }
    match top.get("format_version").cloned() {
        Some(serde_json::Value::Number(n)) if n.as_u64() == Some(u64::from(FORMAT_VERSION)) => {}
        other => {
            return Err(SnapshotError::Version {
                path: name.to_string(),
                found: other.map_or_else(|| "missing".to_string(), |v| v.to_string()),
            });
        }
    }
    let inventory: Inventory = serde_json::from_str(text).map_err(invalid)?;
    // Live inventories name real accounts; Terraform ones may carry placeholders.
    let live = inventory.source.kind == crate::inventory::SourceKind::Live;
    let ids = inventory
        .accounts
        .keys()
        .chain(
            inventory
                .organization
                .as_ref()
                .map(|o| &o.management_account),
        )
        .chain(inventory.source.caller.as_ref().map(|c| &c.account));
    for id in ids.filter(|_| live) {
        if !crate::inventory::is_account_id(id) {
            return Err(SnapshotError::Invalid {
                path: name.to_string(),
                line: 1,
                column: 1,
                message: format!(
                    "`{}` is not a 12-digit account id",
                    id.chars().take(40).collect::<String>()
                ),
            });
        }
    }
    Ok(inventory)
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
