//! A deferred `data "aws_iam_policy_document"` in a plan: Terraform reads it
//! at apply when it names a resource created in the same run
//! (`resources = [aws_sns_topic.t.arn]`), so its `json` is unknown. The plan
//! still records the statements' known values, which parts are unknown, and
//! what each attribute's expression references; when every unknown part is a
//! list element whose expression references only `arn`s of resources, the
//! document is rebuilt with those ARNs as [`ArnPart::Arn`] (the adapter
//! substitutes the ARNs it derives). Dynamic blocks and unknown whole
//! attributes leave no such record: the document stays unknown. A plan
//! records references, not expressions: an element built from an ARN
//! (`"${aws_sns_topic.t.arn}:*"`) looks the same as the ARN itself, and is
//! taken to be it; with `--terraform`, the source's evaluation is used instead
//! ([`super::merge_arn_templates`]).

use serde_json::Value;

use super::address::Address;
use super::config_index::{ConfigIndex, split_traversal};
use super::hcl::{Val, policy_json};
use super::model::{ArnPart, TfResource};

/// The text and ARNs of a deferred policy document's `json`, when the plan
/// records enough to rebuild it.
pub(super) fn document_template(
    resource: &TfResource,
    address: &Address,
    config: &Value,
    index: &ConfigIndex<'_>,
) -> Option<Vec<ArnPart>> {
    let statements = resource.values.get("statement")?.as_array()?;
    let unknown = resource.unknown.get("statement");
    let expressions = config.pointer("/expressions/statement");
    let mut rebuilt = Vec::new();
    for (i, statement) in statements.iter().enumerate() {
        let unknown = unknown.and_then(|u| u.get(i));
        let expression = expressions.and_then(|e| e.get(i));
        rebuilt.push(block(statement, unknown, expression, address, index)?);
    }
    let mut body: Vec<(String, Val)> = resource
        .values
        .as_object()?
        .iter()
        .filter(|(k, _)| k.as_str() != "statement" && !resource.is_unknown(k))
        .map(|(k, v)| (k.clone(), Val::from_json(v)))
        .collect();
    body.push(("statement".into(), Val::List(rebuilt)));
    match policy_json(&Val::Map(body), &format!("{}.json", resource.address)) {
        Val::Unknown(u) => u.arn,
        _ => None,
    }
}

/// One block (a statement, a condition): its attributes with unknown list
/// elements taken from the references of their expressions.
fn block(
    values: &Value,
    unknown: Option<&Value>,
    expression: Option<&Value>,
    address: &Address,
    index: &ConfigIndex<'_>,
) -> Option<Val> {
    let mut out = Vec::new();
    for (name, value) in values.as_object()? {
        let unknown = unknown.and_then(|u| u.get(name));
        let expression = expression.and_then(|e| e.get(name));
        let val = match (value, unknown) {
            _ if !unknown.is_some_and(any_unknown) => Val::from_json(value),
            (_, Some(Value::Bool(true))) => return None,
            (Value::Array(items), Some(Value::Array(marks))) if is_block_list(items) => Val::List(
                items
                    .iter()
                    .enumerate()
                    .map(|(i, item)| {
                        block(
                            item,
                            marks.get(i),
                            expression.and_then(|e| e.get(i)),
                            address,
                            index,
                        )
                    })
                    .collect::<Option<_>>()?,
            ),
            (Value::Array(items), Some(Value::Array(marks))) => {
                list(items, marks, expression?, address, index)?
            }
            _ => return None,
        };
        out.push((name.clone(), val));
    }
    Some(Val::Map(out))
}

/// Whether anything under an `after_unknown` tree is unknown.
fn any_unknown(tree: &Value) -> bool {
    match tree {
        Value::Bool(b) => *b,
        Value::Object(map) => map.values().any(any_unknown),
        Value::Array(items) => items.iter().any(any_unknown),
        _ => false,
    }
}

/// Whether a list holds nested blocks (objects) rather than values.
fn is_block_list(items: &[Value]) -> bool {
    items.first().is_some_and(Value::is_object)
}

/// A list attribute whose unknown elements are, in order, the `arn`s its
/// expression references (`[aws_sns_topic.t.arn]`); `None` when the
/// expression references anything else or the counts differ.
fn list(
    items: &[Value],
    marks: &[Value],
    expression: &Value,
    address: &Address,
    index: &ConfigIndex<'_>,
) -> Option<Val> {
    let references: Vec<&str> = expression
        .get("references")?
        .as_array()?
        .iter()
        .filter_map(Value::as_str)
        .collect();
    let arns: Vec<&str> = references
        .iter()
        .filter_map(|r| r.strip_suffix(".arn"))
        .collect();
    // Besides the ARNs, only the resources themselves (`aws_sns_topic.t`,
    // and `aws_sns_topic.t` for `aws_sns_topic.t[0]`) may be referenced.
    let only_arns = references.iter().all(|r| {
        r.ends_with(".arn")
            || arns
                .iter()
                .any(|a| a == r || a.strip_prefix(*r).is_some_and(|k| k.starts_with('[')))
    });
    let unknown_count = marks.iter().filter(|m| **m == Value::Bool(true)).count();
    if !only_arns || arns.len() != unknown_count {
        return None;
    }
    let mut next = arns.iter();
    let mut out = Vec::new();
    for (i, item) in items.iter().enumerate() {
        if marks.get(i) == Some(&Value::Bool(true)) {
            let reference = next.next()?;
            out.push(Val::arn_of(
                format!("{reference}.arn"),
                &instance(reference, address, index)?,
            ));
        } else {
            out.push(Val::from_json(item));
        }
    }
    Some(Val::List(out))
}

/// The one managed resource instance a direct reference (`aws_sns_topic.t`,
/// `aws_sns_topic.this[0]`) names in the referring module.
fn instance(reference: &str, address: &Address, index: &ConfigIndex<'_>) -> Option<String> {
    let steps = split_traversal(reference);
    let direct = steps.len() == 2
        && !matches!(
            steps[0].0.as_str(),
            "var" | "local" | "module" | "data" | "each" | "count" | "path" | "self" | "terraform"
        );
    if !direct {
        return None;
    }
    match index
        .resolve(&address.modules, reference, address.key.as_ref(), 0)
        .as_slice()
    {
        [one] => Some(one.clone()),
        _ => None,
    }
}
