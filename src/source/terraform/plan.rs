//! Reads `terraform show -json` output (format versions 0.x and 1.x) into a
//! [`TfStack`]: values from `resource_changes[].change.after` (then
//! `planned_values` and `prior_state` for what is not changing), unknowns from
//! `after_unknown` and deferred data sources, references and region/account
//! from `configuration`. Values stay in memory; only the adapter reduces them
//! to facts, and SEC002 judges configuration literals, never `after`.

use std::collections::{BTreeMap, HashSet};
use std::path::Path;

use serde_json::{Map, Value};

use super::address::Address;
use super::config_index::ConfigIndex;
use super::model::{Mode, TfResource, TfStack};
use super::secrets;
use crate::inventory::{Known, UnknownKind};
use crate::source::kind::InputKind;

/// A reserved key in [`TfResource::values`] holding the prior state's
/// `pending_confirmation` of an existing subscription (docs/terms.md, "Confirmed").
pub const PRIOR_PENDING_CONFIRMATION: &str = "$prior.pending_confirmation";

/// Why a plan could not be read. Each names the file.
#[derive(Debug, thiserror::Error)]
pub enum PlanError {
    /// The file could not be read.
    #[error("{path}: cannot read Terraform plan: {cause}")]
    Read {
        /// The file.
        path: String,
        /// The I/O error (in the message, so not a `source`: printed once).
        cause: std::io::Error,
    },
    /// The file is not valid JSON (e.g. truncated).
    #[error("{path}:{line}:{column}: invalid Terraform plan JSON: {message}")]
    Invalid {
        /// The file.
        path: String,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What is wrong (never a value from the file).
        message: String,
    },
    /// The JSON is not `terraform show -json` output of a plan.
    #[error("{path}: not a Terraform plan: {message}")]
    Shape {
        /// The file.
        path: String,
        /// What is missing.
        message: String,
    },
    /// An unsupported `format_version`.
    #[error(
        "{path}: Terraform JSON format_version {found} is not supported (alertpath reads 0.x and 1.x)"
    )]
    Version {
        /// The file.
        path: String,
        /// The version found, or "missing".
        found: String,
    },
}

/// Read a plan file.
pub fn read(path: &Path) -> Result<TfStack, PlanError> {
    let name = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|cause| PlanError::Read {
        path: name.clone(),
        cause,
    })?;
    parse(&text, &name)
}

/// Parse plan JSON text; `name` labels errors and the stack's input.
pub fn parse(text: &str, name: &str) -> Result<TfStack, PlanError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let plan: Value = serde_json::from_str(text).map_err(|e| PlanError::Invalid {
        path: name.to_string(),
        line: e.line(),
        column: e.column(),
        message: describe_json_error(&e),
    })?;
    if !plan.is_object() {
        return Err(PlanError::Shape {
            path: name.to_string(),
            message: "the top level is not an object".to_string(),
        });
    }
    let kind = crate::source::kind::detect(&plan);
    if !matches!(kind, InputKind::Plan | InputKind::Unknown) {
        return Err(PlanError::Shape {
            path: name.to_string(),
            message: format!("this is {}; {}", kind.describe(), kind.remedy()),
        });
    }
    check_version(&plan, name)?;
    if kind != InputKind::Plan {
        return Err(PlanError::Shape {
            path: name.to_string(),
            message: "it has no planned_values (an object), resource_changes (an array) or configuration (an object), each of its type; pass `terraform show -json PLANFILE` output".to_string(),
        });
    }
    Ok(build(&plan, name))
}

/// serde_json's message without any echoed input (it never echoes values, but
/// keep only the category to be sure).
fn describe_json_error(e: &serde_json::Error) -> String {
    use serde_json::error::Category;
    match e.classify() {
        Category::Eof => "unexpected end of file (truncated?)".to_string(),
        Category::Syntax if e.to_string().contains("recursion limit") => {
            "nested more than 128 levels deep (the limit alertpath reads)".to_string()
        }
        Category::Syntax => "syntax error".to_string(),
        Category::Data => "unexpected data".to_string(),
        Category::Io => "read error".to_string(),
    }
}

fn check_version(plan: &Value, name: &str) -> Result<(), PlanError> {
    let found = plan.get("format_version");
    let ok = found
        .and_then(Value::as_str)
        .and_then(|v| v.split('.').next())
        .is_some_and(|major| major == "0" || major == "1");
    if ok {
        return Ok(());
    }
    Err(PlanError::Version {
        path: name.to_string(),
        found: match found {
            None => "missing".to_string(),
            Some(Value::String(s)) => format!("\"{}\"", s.chars().take(20).collect::<String>()),
            Some(_) => "(not a string)".to_string(),
        },
    })
}

/// One resource instance as found in the plan, before configuration is applied.
struct Raw<'a> {
    address: String,
    parsed: Option<Address>,
    mode: Mode,
    kind: String,
    values: Value,
    unknown: Value,
    prior: Option<&'a Value>,
}

fn build(plan: &Value, name: &str) -> TfStack {
    let mut raws: Vec<Raw<'_>> = Vec::new();
    let mut seen: HashSet<String> = HashSet::new();
    for rc in plan
        .get("resource_changes")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        if let Some(raw) = from_change(rc)
            && seen.insert(raw.address.clone())
        {
            raws.push(raw);
        }
    }
    let mut extras = Vec::new();
    if let Some(root) = plan.pointer("/planned_values/root_module") {
        collect_module_values(root, &mut extras);
    }
    if let Some(root) = plan.pointer("/prior_state/values/root_module") {
        collect_module_values(root, &mut extras);
    }
    for r in extras {
        let Some(address) = r.get("address").and_then(Value::as_str) else {
            continue;
        };
        if seen.insert(address.to_string()) {
            raws.push(Raw {
                address: address.to_string(),
                parsed: Address::parse(address).ok(),
                mode: mode_of(r),
                kind: str_of(r, "type"),
                values: r.get("values").cloned().unwrap_or(Value::Null),
                unknown: Value::Object(Map::new()),
                prior: None,
            });
        }
    }
    let index = ConfigIndex::new(plan, raws.iter().filter_map(|r| r.parsed.as_ref()));
    let mut stack = TfStack {
        inputs: vec![name.to_string()],
        ..TfStack::default()
    };
    for raw in raws {
        stack.resources.push(finish(raw, &index));
    }
    secrets::plan_literals(plan, &mut stack.literals);
    stack
}

fn str_of(v: &Value, key: &str) -> String {
    v.get(key)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

fn mode_of(v: &Value) -> Mode {
    if v.get("mode").and_then(Value::as_str) == Some("data") {
        Mode::Data
    } else {
        Mode::Managed
    }
}

fn collect_module_values<'a>(module: &'a Value, out: &mut Vec<&'a Value>) {
    for r in module
        .get("resources")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        out.push(r);
    }
    for child in module
        .get("child_modules")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        collect_module_values(child, out);
    }
}

const DEFERRED: [&str; 2] = [
    "read_because_config_unknown",
    "read_because_dependency_pending",
];

fn from_change(rc: &Value) -> Option<Raw<'_>> {
    let address = rc.get("address")?.as_str()?.to_string();
    let change = rc.get("change")?;
    let actions: Vec<&str> = change
        .get("actions")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    if actions == ["delete"] || actions == ["forget"] {
        return None;
    }
    let mode = mode_of(rc);
    let mut values = change.get("after").cloned().unwrap_or(Value::Null);
    if values.is_null() {
        values = Value::Object(Map::new());
    }
    let mut unknown = change
        .get("after_unknown")
        .cloned()
        .unwrap_or_else(|| Value::Object(Map::new()));
    let reason = rc.get("action_reason").and_then(Value::as_str);
    if mode == Mode::Data && actions == ["read"] && reason.is_none_or(|r| DEFERRED.contains(&r)) {
        mark_deferred(&values, &mut unknown);
    }
    let prior = change.get("before").filter(|b| !b.is_null());
    Some(Raw {
        parsed: Address::parse(&address).ok(),
        address,
        mode,
        kind: str_of(rc, "type"),
        values,
        unknown,
        prior,
    })
}

/// A deferred data source: every attribute without a known value is unknown,
/// and its results (`json`, `value`, `arn`, …) are unknown even if absent.
fn mark_deferred(values: &Value, unknown: &mut Value) {
    if !unknown.is_object() {
        *unknown = Value::Object(Map::new());
    }
    let Some(map) = unknown.as_object_mut() else {
        return;
    };
    for key in ["json", "value", "arn", "id", "type", "minified_json"] {
        if values.get(key).is_none_or(Value::is_null) {
            map.insert(key.to_string(), Value::Bool(true));
        }
    }
    if let Some(obj) = values.as_object() {
        for (k, v) in obj {
            if v.is_null() {
                map.insert(k.clone(), Value::Bool(true));
            }
        }
    }
}

/// One resource instance with its configuration, references and placement.
/// A region its provider does not give stays unknown; the adapter applies the
/// remaining fallbacks and reports what is still unknown (SCAN004).
fn finish(raw: Raw<'_>, index: &ConfigIndex<'_>) -> TfResource {
    let mut resource = TfResource {
        address: raw.address,
        mode: raw.mode,
        kind: raw.kind,
        values: raw.values,
        unknown: raw.unknown,
        unknown_kind: BTreeMap::new(),
        expressions: BTreeMap::new(),
        templates: BTreeMap::new(),
        arn_templates: BTreeMap::new(),
        references: BTreeMap::new(),
        configured: Vec::new(),
        region: Known::unknown(UnknownKind::Unresolved, None),
        presence: None,
        account: Known::unknown(UnknownKind::NotObservable, None),
        location: None,
        attribute_locations: BTreeMap::new(),
    };
    if let Some(prior) = raw.prior
        && let Some(pending) = prior.get("pending_confirmation")
        && let Some(map) = resource.values.as_object_mut()
    {
        map.insert(PRIOR_PENDING_CONFIRMATION.to_string(), pending.clone());
    }
    if let Some(obj) = resource.unknown.as_object() {
        for (k, v) in obj {
            if v == &Value::Bool(true) {
                resource
                    .unknown_kind
                    .insert(k.clone(), UnknownKind::KnownAfterApply);
            }
        }
    }
    let config = raw.parsed.as_ref().and_then(|a| index.resource_config(a));
    if let (Some(addr), Some(config)) = (raw.parsed.as_ref(), config) {
        index.apply_expressions(addr, config, &mut resource);
        if resource.mode == Mode::Data
            && resource.kind == "aws_iam_policy_document"
            && resource.is_unknown("json")
            && let Some(parts) =
                super::plan_policy::document_template(&resource, addr, config, index)
        {
            resource.arn_templates.insert("json".to_string(), parts);
        }
    }
    let own_region = resource
        .values
        .get("region")
        .and_then(Value::as_str)
        .filter(|_| !resource.is_unknown("region"))
        .map(str::to_string);
    let provider_key = config
        .and_then(|c| c.get("provider_config_key"))
        .and_then(Value::as_str)
        .unwrap_or("aws");
    let provider = index.provider(provider_key);
    resource.region = match own_region {
        Some(r) => Known::Value(r),
        None => provider.region.clone(),
    };
    resource.account = provider.account.clone();
    resource
}
