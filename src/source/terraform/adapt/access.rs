//! Reading a [`TfResource`]'s values with their known-ness: a value, `null`,
//! or unknown (with why), plus reference lookups and provider defaults.

use serde_json::Value;

use crate::inventory::{Known, Origin, UnknownKind};
use crate::source::terraform::address::Address;
use crate::source::terraform::model::TfResource;

/// One attribute (or nested path) of a resource.
#[derive(Debug, Clone, Copy)]
pub(super) enum Slot<'a> {
    /// A known, non-null value.
    Value(&'a Value),
    /// Known to be null or absent.
    Null,
    /// Unknown (known after apply, or unresolved).
    Unknown,
}

/// Service defaults for optional+computed attributes: an unset value is the
/// default, even though a plan shows it as unknown.
const DEFAULTS: &[(&str, &str, &str)] = &[(
    "aws_guardduty_detector",
    "finding_publishing_frequency",
    "SIX_HOURS",
)];

/// The provider default of an unset optional+computed attribute.
pub(super) fn provider_default(kind: &str, attribute: &str) -> Option<&'static str> {
    DEFAULTS
        .iter()
        .find(|(k, a, _)| *k == kind && *a == attribute)
        .map(|(_, _, v)| *v)
}

/// Walk `path` (object keys, or array indexes as digits) in values and unknowns.
pub(super) fn slot<'a>(r: &'a TfResource, path: &[&str]) -> Slot<'a> {
    let mut value = Some(&r.values);
    let mut unknown = Some(&r.unknown);
    for step in path {
        if unknown == Some(&Value::Bool(true)) {
            return Slot::Unknown;
        }
        unknown = unknown.and_then(|u| child(u, step));
        value = value.and_then(|v| child(v, step));
    }
    if unknown == Some(&Value::Bool(true)) {
        return Slot::Unknown;
    }
    match value {
        Some(v) if !v.is_null() => Slot::Value(v),
        _ => Slot::Null,
    }
}

fn child<'a>(v: &'a Value, step: &str) -> Option<&'a Value> {
    match v {
        Value::Object(map) => map.get(step),
        Value::Array(items) => step.parse::<usize>().ok().and_then(|i| items.get(i)),
        _ => None,
    }
}

/// Whether anything under a value tree is unknown.
pub(super) fn any_unknown(tree: &Value) -> bool {
    match tree {
        Value::Bool(b) => *b,
        Value::Object(map) => map.values().any(any_unknown),
        Value::Array(items) => items.iter().any(any_unknown),
        _ => false,
    }
}

/// An unknown value for an attribute, saying why.
pub(super) fn unknown<T>(r: &TfResource, attribute: &str) -> Known<T> {
    unknown_at(r, &[attribute])
}

/// An unknown value at a path (attribute, then nested block names and
/// indexes), saying why: the attribute's expression when the source has one,
/// else the path itself (`address.block[0].arn`). A nested block has no
/// expression of its own, so an empty one is never named.
pub(super) fn unknown_at<T>(r: &TfResource, path: &[&str]) -> Known<T> {
    let attribute = path.first().copied().unwrap_or_default();
    let kind = r
        .unknown_kind
        .get(attribute)
        .copied()
        .unwrap_or(UnknownKind::KnownAfterApply);
    let expression = r
        .expressions
        .get(attribute)
        .filter(|e| !e.trim().is_empty())
        .cloned()
        .unwrap_or_else(|| {
            let mut text = r.address.clone();
            for step in path {
                if step.parse::<usize>().is_ok() {
                    text.push_str(&format!("[{step}]"));
                } else {
                    text.push('.');
                    text.push_str(step);
                }
            }
            text
        });
    Known::unknown(kind, Some(expression))
}

/// A required string: unknown when unknown or null.
pub(super) fn req_str(r: &TfResource, attribute: &str) -> Known<String> {
    match slot(r, &[attribute]) {
        Slot::Value(Value::String(s)) => Known::Value(s.clone()),
        Slot::Value(other) => Known::Value(other.to_string()),
        _ => unknown(r, attribute),
    }
}

/// An optional string at a path: `None` when null; the provider default when
/// unset in configuration and unknown.
pub(super) fn opt_str(r: &TfResource, path: &[&str]) -> Known<Option<String>> {
    let Some(attribute) = path.first() else {
        return Known::Value(None);
    };
    match slot(r, path) {
        Slot::Value(Value::String(s)) => Known::Value(Some(s.clone())),
        Slot::Value(other) => Known::Value(Some(other.to_string())),
        Slot::Null => Known::Value(None),
        Slot::Unknown => match provider_default(&r.kind, attribute) {
            Some(d) if !r.is_configured(attribute) => Known::Value(Some(d.to_string())),
            _ => unknown_at(r, path),
        },
    }
}

/// A boolean with a default for null.
pub(super) fn bool_or(r: &TfResource, attribute: &str, default: bool) -> Known<bool> {
    match slot(r, &[attribute]) {
        Slot::Value(Value::Bool(b)) => Known::Value(*b),
        Slot::Value(_) | Slot::Null => Known::Value(default),
        Slot::Unknown => unknown(r, attribute),
    }
}

/// A number, `None` when null.
pub(super) fn opt_f64(r: &TfResource, attribute: &str) -> Known<Option<f64>> {
    match slot(r, &[attribute]) {
        Slot::Value(v) => Known::Value(number(v)),
        Slot::Null => Known::Value(None),
        Slot::Unknown => unknown(r, attribute),
    }
}

/// A number attribute's value: a JSON number, or a string Terraform converts
/// to one (`threshold = "1"` in HCL is the number 1 in the plan).
pub(super) fn number(v: &Value) -> Option<f64> {
    match v {
        Value::String(s) => s.trim().parse::<f64>().ok().filter(|n| n.is_finite()),
        other => other.as_f64(),
    }
}

/// A whole-number attribute's value ([`number`] without a fraction).
pub(super) fn whole_number(v: &Value) -> Option<i64> {
    number(v)
        .filter(|n| n.fract() == 0.0 && n.abs() < 9.0e15)
        .map(|n| n as i64)
}

/// The resource's origin: address and source positions (when the source has them).
pub(super) fn origin(r: &TfResource) -> Origin {
    Origin {
        arn: r.get("arn").and_then(Value::as_str).map(str::to_string),
        address: Some(r.address.clone()),
        location: r.location.clone(),
        attributes: r.attribute_locations.clone(),
    }
}

/// The resource type of an address.
pub(super) fn kind_of(address: &str) -> Option<String> {
    Address::parse(address).ok().map(|a| {
        if a.data {
            format!("data.{}", a.kind)
        } else {
            a.kind
        }
    })
}

/// The addresses an attribute references whose type is one of `kinds`
/// (`data.<type>` for data sources).
pub(super) fn refs_of<'a>(r: &'a TfResource, attribute: &str, kinds: &[&str]) -> Vec<&'a str> {
    r.references
        .get(attribute)
        .into_iter()
        .flatten()
        .filter(|a| kind_of(a).is_some_and(|k| kinds.contains(&k.as_str())))
        .map(String::as_str)
        .collect()
}

/// The first referenced address of one of `kinds`.
pub(super) fn ref_of(r: &TfResource, attribute: &str, kinds: &[&str]) -> Option<String> {
    refs_of(r, attribute, kinds)
        .first()
        .map(|a| (*a).to_string())
}

#[cfg(test)]
mod tests {
    use super::{number, whole_number};
    use serde_json::json;

    #[test]
    fn numbers_written_as_strings_are_numbers() {
        assert_eq!(number(&json!("1")), Some(1.0));
        assert_eq!(number(&json!(" 0.5 ")), Some(0.5));
        assert_eq!(number(&json!(2)), Some(2.0));
        assert_eq!(number(&json!("one")), None);
        assert_eq!(number(&json!("NaN")), None);
        assert_eq!(whole_number(&json!("0")), Some(0));
        assert_eq!(whole_number(&json!("1.5")), None);
    }
}
