//! Phase two: walk the parsed document, check every key and value against the
//! [schema](super::schema), and fill a [`Config`]. Every error is collected; the
//! caller discards the result when there are any.

use std::collections::BTreeMap;

use toml_edit::{ImDocument, Item, TableLike, Value};

use super::Config;
use super::check;
use super::diag::{Diagnostics, Place};
use super::schema::{self, Check, Field, Keys, WAIVER};
use super::waiver;
use crate::severity::Severity;

/// One `key = item` of a table, with its place.
pub(super) struct Entry<'t> {
    /// The key.
    pub(super) key: &'t str,
    /// The value or sub-table.
    pub(super) item: &'t Item,
    /// Where key and value start.
    pub(super) place: Place,
}

/// The entries of a table, in document order. `parent` is the fallback offset.
pub(super) fn entries(table: &dyn TableLike, parent: usize) -> Vec<Entry<'_>> {
    table
        .iter()
        .filter_map(|(name, _)| table.get_key_value(name))
        .map(|(key, item)| Entry {
            key: key.get(),
            item,
            place: Place::of(key, item, parent),
        })
        .collect()
}

/// Walk the whole document.
pub(super) fn document(doc: &ImDocument<&str>, diag: &mut Diagnostics<'_>) -> Config {
    let mut config = Config::default();
    for entry in entries(doc.as_table(), 0) {
        if entry.key == WAIVER {
            config.waivers = waiver::all(&entry, diag);
        } else if let Some(keys) = schema::section(entry.key) {
            section(&entry, keys, diag, &mut config);
        } else {
            unknown_top(&entry, diag);
        }
    }
    config
}

/// Report an unknown top-level key or table.
fn unknown_top(entry: &Entry<'_>, diag: &mut Diagnostics<'_>) {
    let what = if entry.item.is_table_like() {
        format!("unknown table `[{}]`", entry.key)
    } else {
        format!(
            "unknown key `{}` (top-level keys belong in a section)",
            entry.key
        )
    };
    let hint = schema::did_you_mean(entry.key, schema::section_names());
    diag.error(entry.place.key, format!("{what}{hint}"));
}

/// Walk one known section.
fn section(entry: &Entry<'_>, keys: Keys, diag: &mut Diagnostics<'_>, config: &mut Config) {
    let Some(table) = entry.item.as_table_like() else {
        let found = item_type(entry.item);
        diag.error(
            entry.place.value,
            format!("`{}` must be a table, found {found}", entry.key),
        );
        return;
    };
    for sub in entries(table, entry.place.key) {
        let path = format!("{}.{}", entry.key, sub.key);
        match keys.iter().find(|(k, _)| *k == sub.key) {
            Some((_, field)) => value(&path, field, &sub, diag, config),
            None => {
                let hint = schema::did_you_mean(sub.key, keys.iter().map(|(k, _)| *k));
                diag.error(
                    sub.place.key,
                    format!("unknown key `{}` in [{}]{hint}", sub.key, entry.key),
                );
            }
        }
    }
}

/// Check one known key's value and store it.
fn value(
    path: &str,
    field: &Field,
    entry: &Entry<'_>,
    diag: &mut Diagnostics<'_>,
    config: &mut Config,
) {
    let at = entry.place.value;
    match field {
        Field::Severities(set) => severities(path, entry, diag, set(config)),
        _ => match entry.item.as_value() {
            None => {
                let msg = format!(
                    "{path}: expected {}, found {}",
                    expected(field),
                    item_type(entry.item)
                );
                diag.error(at, msg);
            }
            Some(v) => scalar(path, field, v, at, diag, config),
        },
    }
}

/// Check a value (not a table) for a field and store it.
fn scalar(
    path: &str,
    field: &Field,
    v: &Value,
    at: usize,
    diag: &mut Diagnostics<'_>,
    config: &mut Config,
) {
    let stored = match field {
        Field::List(check, set) => list(path, *check, v, at, diag).map(|l| *set(config) = l),
        Field::One(check, set) => one(path, *check, v).map(|s| *set(config) = Some(s)),
        Field::Score(set) => check::score(v)
            .map(|n| *set(config) = n)
            .map_err(|m| format!("{path}: {m}")),
        Field::Count(set) => check::count(v)
            .map(|n| *set(config) = Some(n))
            .map_err(|m| format!("{path}: {m}")),
        Field::Role(set) => stack_roles(path, v).map(|roles| {
            let mut roles = roles.into_iter();
            *set(config) = roles.next();
            config.terraform.more_roles = roles.collect();
        }),
        Field::Severities(_) => Ok(()),
    };
    if let Err(message) = stored {
        diag.error(at, message);
    }
}

/// A list of checked strings. Element errors are reported here, at the element;
/// the returned `Err` is for the list itself.
fn list(
    path: &str,
    check: Check,
    v: &Value,
    at: usize,
    diag: &mut Diagnostics<'_>,
) -> Result<Vec<String>, String> {
    let Value::Array(array) = v else {
        return Err(format!(
            "{path}: expected a list of strings, found {}",
            check::type_name(v)
        ));
    };
    let mut out = Vec::new();
    for element in array.iter() {
        let element_at = element.span().map_or(at, |s| s.start);
        match one(path, check, element) {
            Ok(s) => out.push(s),
            Err(m) => diag.error(element_at, m),
        }
    }
    Ok(out)
}

/// One checked string.
fn one(path: &str, check: Check, v: &Value) -> Result<String, String> {
    let s = as_str(path, v, check::expected(check))?;
    check::string(check, s).map_err(|m| format!("{path}: {m}"))
}

/// A stack role, or a non-empty list of them (`["guardduty-admin",
/// "securityhub-admin"]`: one stack can play several roles).
fn stack_roles(path: &str, v: &Value) -> Result<Vec<crate::inventory::StackRole>, String> {
    let texts: Vec<&str> = match v {
        Value::Array(items) if !items.is_empty() => items
            .iter()
            .map(|item| as_str(path, item, "a stack role string or a list of them"))
            .collect::<Result<_, _>>()?,
        other => vec![as_str(
            path,
            other,
            "a stack role string or a list of them",
        )?],
    };
    texts
        .into_iter()
        .map(|s| check::stack_role(s).map_err(|m| format!("{path}: {m}")))
        .collect()
}

/// The string inside a value, or a type error.
pub(super) fn as_str<'v>(path: &str, v: &'v Value, expected: &str) -> Result<&'v str, String> {
    match v {
        Value::String(s) => Ok(s.value()),
        other => Err(format!(
            "{path}: expected {expected}, found {}",
            check::type_name(other)
        )),
    }
}

/// `[rules.severity]`: rule id = "severity".
fn severities(
    path: &str,
    entry: &Entry<'_>,
    diag: &mut Diagnostics<'_>,
    out: &mut BTreeMap<String, Severity>,
) {
    let Some(table) = entry.item.as_table_like() else {
        let msg = format!(
            "{path}: expected a table of rule id = \"severity\", found {}",
            item_type(entry.item)
        );
        diag.error(entry.place.value, msg);
        return;
    };
    for sub in entries(table, entry.place.key) {
        let id =
            check::rule_id(sub.key).map_err(|m| diag.error(sub.place.key, format!("{path}: {m}")));
        let sev = sub
            .item
            .as_value()
            .ok_or_else(|| {
                format!(
                    "{path}.{}: expected a severity name, found {}",
                    sub.key,
                    item_type(sub.item)
                )
            })
            .and_then(|v| as_str(&format!("{path}.{}", sub.key), v, "a severity name"))
            .and_then(|s| check::severity(s).map_err(|m| format!("{path}.{}: {m}", sub.key)))
            .map_err(|m| diag.error(sub.place.value, m));
        if let (Ok(id), Ok(sev)) = (id, sev) {
            out.insert(id, sev);
        }
    }
}

/// What a field expects, for type errors on tables.
fn expected(field: &Field) -> &'static str {
    match field {
        Field::List(..) => "a list of strings",
        Field::One(check, _) => check::expected(*check),
        Field::Score(_) => "a number",
        Field::Count(_) => "a whole number",
        Field::Role(_) => "a stack role string or a list of them",
        Field::Severities(_) => "a table",
    }
}

/// An item's TOML type, for messages.
pub(super) fn item_type(item: &Item) -> &'static str {
    match item {
        Item::None => "nothing",
        Item::Value(v) => check::type_name(v),
        Item::Table(_) => "a table",
        Item::ArrayOfTables(_) => "an array of tables",
    }
}
