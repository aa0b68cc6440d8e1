//! An EventBridge target's constant `Input` or input-transformer template,
//! reduced at collection to the facts the rules need. The one owner of that
//! reduction: the text never enters the inventory, since a constant input can
//! carry a PagerDuty routing key or a webhook URL (issue 12).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The longest placeholder name kept in [`TargetInput::reads`].
const MAX_PLACEHOLDER: usize = 64;

/// What a target input makes of the event: whether it is a JSON object, and
/// which `<placeholder>`s a template reads. Never the text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TargetInput {
    /// Whether it produces a JSON object (`{…}`); otherwise a string, number or array.
    pub json_object: bool,
    /// The `<placeholder>`s a transformer template reads, in order of first
    /// use (names of the input paths map, or `aws.events.*`); none for a constant input.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reads: Vec<String>,
}

impl TargetInput {
    /// Reduce an input transformer's `InputTemplate`.
    pub fn from_template(template: &str) -> Self {
        TargetInput {
            json_object: is_object_text(template),
            reads: placeholders(template),
        }
    }

    /// Reduce a constant `Input` (JSON text; placeholders mean nothing there).
    pub fn from_constant(input: &str) -> Self {
        TargetInput {
            json_object: is_object_text(input),
            reads: Vec::new(),
        }
    }
}

/// Whether a template or input produces a JSON object: it starts with `{`
/// once leading whitespace and quotes (also escaped `\"`, as in a
/// JSON-encoded string) are trimmed.
pub fn is_object_text(text: &str) -> bool {
    text.trim_start_matches(|c: char| c == '"' || c == '\\' || c.is_whitespace())
        .starts_with('{')
}

/// The `<name>` placeholders of a template, each once, in order of first use.
/// Only names EventBridge accepts (letters, digits, `_`, `-`, `.`) are kept.
fn placeholders(template: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut rest = template;
    while let Some(open) = rest.find('<') {
        let after = &rest[open + 1..];
        let Some(close) = after.find(['>', '<']) else {
            break;
        };
        let name = &after[..close];
        let valid = !name.is_empty()
            && name.len() <= MAX_PLACEHOLDER
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'));
        if after[close..].starts_with('>') && valid && !out.iter().any(|n| n == name) {
            out.push(name.to_string());
        }
        rest = &after[close..];
    }
    out
}

/// Older snapshots stored the text; it is reduced as it is read, so it
/// reaches no output.
#[derive(Deserialize)]
#[serde(untagged)]
enum Stored {
    Text(String),
    Facts {
        json_object: bool,
        #[serde(default)]
        reads: Vec<String>,
    },
}

impl<'de> Deserialize<'de> for TargetInput {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(match Stored::deserialize(deserializer)? {
            Stored::Text(text) => TargetInput::from_template(&text),
            Stored::Facts { json_object, reads } => TargetInput { json_object, reads },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_shape_and_placeholders_only() {
        let t = TargetInput::from_template(r#""GuardDuty <type> in <region>: <type> R0UT1NGKEY""#);
        assert!(!t.json_object);
        assert_eq!(t.reads, ["type", "region"]);
        assert!(TargetInput::from_template(r#""{\"text\": \"<title>\"}""#).json_object);
        let c = TargetInput::from_constant(r#"{"routing_key":"abc<def>"}"#);
        assert!(c.json_object);
        assert!(c.reads.is_empty());
        assert_eq!(placeholders("a < b <c d> <ok>"), ["ok"]);
    }

    #[test]
    fn old_text_is_reduced_on_read() {
        let t: TargetInput = serde_json::from_str(r#""\"key R0UT1NG <region>\"""#).unwrap();
        assert_eq!(
            t,
            TargetInput {
                json_object: false,
                reads: vec!["region".into()]
            }
        );
        let json = serde_json::to_string(&t).unwrap();
        assert!(!json.contains("R0UT1NG"));
        let back: TargetInput = serde_json::from_str(&json).unwrap();
        assert_eq!(back, t);
    }
}
