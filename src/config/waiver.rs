//! `[[waiver]]` entries: a rule, an optional scope (account, region, resource),
//! a required reason and an optional expiry.
//!
//! A waiver with a rule and no scope is allowed: it waives that rule everywhere,
//! still shows each waived finding (with its reason) in every report and in SARIF
//! `suppressions`, and warns when it matches nothing. That differs from
//! `[rules] disable`, which does not run the rule at all. ROUTE rules cannot be
//! waived (docs/terms.md, Route rules): assert a fact under `[chain]` instead.

use chrono::NaiveDate;
use toml_edit::{Item, TableLike, Value};

use super::Waiver;
use super::check;
use super::diag::{Diagnostics, start};
use super::schema::{self, Check, WAIVER_KEYS};
use super::walk::{Entry, as_str, entries, item_type};

/// A waiver's fields as read, before the required ones are known to be there.
#[derive(Default)]
struct Draft {
    rule: Option<String>,
    account: Option<String>,
    region: Option<String>,
    resource: Option<String>,
    reason: Option<String>,
    expires: Option<NaiveDate>,
    /// Some field had an error (already reported).
    broken: bool,
}

/// Every waiver in the `waiver` entry (`[[waiver]]` or an inline array of tables).
pub(super) fn all(entry: &Entry<'_>, diag: &mut Diagnostics<'_>) -> Vec<Waiver> {
    let tables = tables(entry.item, entry.place.key);
    if tables.is_empty() && !is_empty_array(entry.item) {
        let found = item_type(entry.item);
        let msg =
            format!("`waiver` must be an array of tables (write `[[waiver]]`), found {found}");
        diag.error(entry.place.key, msg);
    }
    tables
        .into_iter()
        .filter_map(|(table, at)| one(table, at, diag))
        .collect()
}

/// The tables of an array of tables or of an inline array, each with its start.
fn tables(item: &Item, fallback: usize) -> Vec<(&dyn TableLike, usize)> {
    match item {
        Item::ArrayOfTables(aot) => aot
            .iter()
            .map(|t| (t as &dyn TableLike, start(t.span()).unwrap_or(fallback)))
            .collect(),
        Item::Value(Value::Array(array)) => array
            .iter()
            .filter_map(|v| {
                v.as_inline_table()
                    .map(|t| (t as &dyn TableLike, start(v.span()).unwrap_or(fallback)))
            })
            .collect(),
        _ => Vec::new(),
    }
}

fn is_empty_array(item: &Item) -> bool {
    item.as_array().is_some_and(|a| a.is_empty())
}

/// One waiver; `None` when it has errors (all reported).
fn one(table: &dyn TableLike, at: usize, diag: &mut Diagnostics<'_>) -> Option<Waiver> {
    let mut draft = Draft::default();
    for entry in entries(table, at) {
        field(&entry, diag, &mut draft);
    }
    let rule = required_rule(draft.rule.take(), table.contains_key("rule"), at, diag);
    let reason = required_reason(
        draft.reason.take(),
        table.contains_key("reason"),
        rule.as_deref(),
        at,
        diag,
    );
    let (rule, reason) = (rule?, reason?);
    if draft.broken {
        return None;
    }
    Some(Waiver {
        rule,
        account: draft.account,
        region: draft.region,
        resource: draft.resource,
        reason,
        expires: draft.expires,
        declared_at: diag.file_line(at),
    })
}

/// The rule, reporting it missing unless it was present (and its error reported).
fn required_rule(
    rule: Option<String>,
    present: bool,
    at: usize,
    diag: &mut Diagnostics<'_>,
) -> Option<String> {
    if !present {
        diag.error(at, "waiver has no `rule`: name the rule id it waives");
    }
    rule
}

/// The reason, reporting it missing unless it was present (and its error reported).
fn required_reason(
    reason: Option<String>,
    present: bool,
    rule: Option<&str>,
    at: usize,
    diag: &mut Diagnostics<'_>,
) -> Option<String> {
    if !present {
        let which = rule.map(|r| format!(" for {r}")).unwrap_or_default();
        diag.error(
            at,
            format!("waiver{which} has no `reason`: say why the failure is accepted"),
        );
    }
    reason
}

/// Check one `key = value` of a waiver into the draft.
fn field(entry: &Entry<'_>, diag: &mut Diagnostics<'_>, draft: &mut Draft) {
    let path = format!("waiver.{}", entry.key);
    let parsed = match entry.item.as_value() {
        None => Err(format!(
            "{path}: expected a value, found {}",
            item_type(entry.item)
        )),
        Some(v) => store(entry.key, &path, v, draft),
    };
    match parsed {
        Ok(true) => {}
        Ok(false) => {
            let hint = schema::did_you_mean(entry.key, WAIVER_KEYS.iter().copied());
            diag.error(
                entry.place.key,
                format!("unknown key `{}` in [[waiver]]{hint}", entry.key),
            );
            draft.broken = true;
        }
        Err(message) => {
            diag.error(entry.place.value, message);
            draft.broken = true;
        }
    }
}

/// Store a known key's value; `Ok(false)` for an unknown key.
fn store(key: &str, path: &str, v: &Value, draft: &mut Draft) -> Result<bool, String> {
    let checked = |check: Check| -> Result<Option<String>, String> {
        let s = as_str(path, v, check::expected(check))?;
        check::string(check, s)
            .map(Some)
            .map_err(|m| format!("{path}: {m}"))
    };
    match key {
        "rule" => draft.rule = Some(waivable_rule(path, v)?),
        "account" => draft.account = checked(Check::Account)?,
        "region" => draft.region = checked(Check::Region)?,
        "resource" => draft.resource = checked(Check::Text)?,
        "reason" => draft.reason = checked(Check::Text).map_err(|_| empty_reason(path, v))?,
        "expires" => draft.expires = Some(check::date(v).map_err(|m| format!("{path}: {m}"))?),
        _ => return Ok(false),
    }
    Ok(true)
}

/// The message for a reason that is not a non-empty string.
fn empty_reason(path: &str, v: &Value) -> String {
    match v {
        Value::String(_) => format!("{path}: must not be empty: say why the failure is accepted"),
        other => format!(
            "{path}: expected a string, found {}",
            check::type_name(other)
        ),
    }
}

/// A rule id that exists and may be waived.
fn waivable_rule(path: &str, v: &Value) -> Result<String, String> {
    let s = as_str(path, v, "a rule id string")?;
    let id = check::rule_id(s).map_err(|m| format!("{path}: {m}"))?;
    if id
        .parse::<crate::catalog::RuleId>()
        .is_ok_and(|id| id.family() == crate::catalog::Family::Route)
    {
        return Err(format!(
            "{path}: a waiver never changes a ROUTE outcome; assert a fact under [chain] (e.g. assume_publish_allowed) instead"
        ));
    }
    Ok(id)
}
