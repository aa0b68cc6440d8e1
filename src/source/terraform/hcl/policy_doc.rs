//! `data "aws_iam_policy_document"` evaluated to the policy JSON it produces.

use serde_json::{Map, Value, json};

use super::eval::merge_unknown;
use super::value::{ARN_MARK, Val, split_arn_marks};
use crate::source::terraform::model::ArnPart;

/// The policy JSON of an evaluated `aws_iam_policy_document` body, as a string
/// value; unknown if any part is unknown (with the text and ARNs the adapter
/// can substitute when the only unknown parts are ARNs of this stack's
/// resources, `resources = [aws_sns_topic.t.arn]`).
pub(crate) fn policy_json(body: &Val, text: &str) -> Val {
    if body.first_unknown().is_some() {
        let inner: Vec<Val> = body
            .first_unknown()
            .map(|u| Val::Unknown(Box::new(u.clone())))
            .into_iter()
            .collect();
        let mut all: Vec<&Val> = inner.iter().collect();
        all.push(body);
        return match merge_unknown(&all, text) {
            Some(Val::Unknown(mut u)) => {
                u.arn = document_with_arns(body);
                Val::Unknown(u)
            }
            other => other.unwrap_or(Val::Null),
        };
    }
    let (j, _) = body.to_json();
    Val::Str(serde_json::to_string(&document(&j)).unwrap_or_default())
}

/// The document's text and ARNs when its only unknown parts are ARNs; the
/// documents it merges (`source_policy_documents`, …) must be known.
fn document_with_arns(body: &Val) -> Option<Vec<ArnPart>> {
    let mut arns = Vec::new();
    let j = body.json_marking_arns(&mut arns)?;
    let merged_known = [
        "source_policy_documents",
        "override_policy_documents",
        "source_json",
        "override_json",
    ]
    .iter()
    .all(|k| j.get(*k).is_none_or(|v| !v.to_string().contains(ARN_MARK)));
    if !merged_known {
        return None;
    }
    let text = serde_json::to_string(&document(&j)).ok()?;
    Some(split_arn_marks(&text, &arns))
}

/// The policy document an evaluated body (as JSON) produces.
fn document(j: &Value) -> Value {
    let mut statements: Vec<Value> = Vec::new();
    if let Some(Value::Array(sources)) = j.get("source_policy_documents") {
        for s in sources.iter().filter_map(Value::as_str) {
            if let Ok(doc) = serde_json::from_str::<Value>(s)
                && let Some(st) = doc.get("Statement")
            {
                match st {
                    Value::Array(a) => statements.extend(a.iter().cloned()),
                    other => statements.push(other.clone()),
                }
            }
        }
    }
    for st in j
        .get("statement")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let stmt = statement(st);
        let sid = stmt.get("Sid").cloned();
        if sid.is_some() {
            statements.retain(|s| s.get("Sid") != sid.as_ref());
        }
        statements.push(stmt);
    }
    let mut doc = Map::new();
    doc.insert(
        "Version".into(),
        j.get("version")
            .filter(|v| !v.is_null())
            .cloned()
            .unwrap_or(json!("2012-10-17")),
    );
    if let Some(id) = j.get("policy_id").filter(|v| !v.is_null()) {
        doc.insert("Id".into(), id.clone());
    }
    doc.insert("Statement".into(), Value::Array(statements));
    Value::Object(doc)
}

fn one_or_many(v: &Value) -> Option<Value> {
    match v {
        Value::Array(a) if a.is_empty() => None,
        Value::Array(a) if a.len() == 1 => Some(a[0].clone()),
        Value::Null => None,
        other => Some(other.clone()),
    }
}

fn statement(st: &Value) -> Value {
    let mut out = Map::new();
    if let Some(sid) = st
        .get("sid")
        .filter(|v| !v.is_null() && v.as_str() != Some(""))
    {
        out.insert("Sid".into(), sid.clone());
    }
    out.insert(
        "Effect".into(),
        st.get("effect")
            .filter(|v| !v.is_null())
            .cloned()
            .unwrap_or(json!("Allow")),
    );
    for (from, to) in [
        ("actions", "Action"),
        ("not_actions", "NotAction"),
        ("resources", "Resource"),
        ("not_resources", "NotResource"),
    ] {
        if let Some(v) = st.get(from).and_then(one_or_many) {
            out.insert(to.into(), v);
        }
    }
    for (from, to) in [
        ("principals", "Principal"),
        ("not_principals", "NotPrincipal"),
    ] {
        if let Some(Value::Array(ps)) = st.get(from) {
            let mut p = Map::new();
            let mut star = false;
            for block in ps {
                let kind = block
                    .get("type")
                    .and_then(Value::as_str)
                    .unwrap_or("AWS")
                    .to_string();
                let ids = block.get("identifiers").cloned().unwrap_or(Value::Null);
                if kind == "*" {
                    star = true;
                    continue;
                }
                let merged = match (p.remove(&kind), ids) {
                    (Some(Value::Array(mut a)), Value::Array(b)) => {
                        a.extend(b);
                        Value::Array(a)
                    }
                    (_, ids) => ids,
                };
                p.insert(kind, merged);
            }
            let p: Map<String, Value> = p
                .into_iter()
                .filter_map(|(k, v)| one_or_many(&v).map(|v| (k, v)))
                .collect();
            if star && p.is_empty() {
                out.insert(to.into(), json!("*"));
            } else if !p.is_empty() {
                out.insert(to.into(), Value::Object(p));
            }
        }
    }
    if let Some(Value::Array(conds)) = st.get("condition") {
        let mut c: Map<String, Value> = Map::new();
        for cond in conds {
            let test = cond
                .get("test")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string();
            let var = cond
                .get("variable")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string();
            let values = cond
                .get("values")
                .and_then(one_or_many)
                .unwrap_or(Value::Null);
            if let Value::Object(m) = c.entry(test).or_insert_with(|| Value::Object(Map::new())) {
                m.insert(var, values);
            }
        }
        if !c.is_empty() {
            out.insert("Condition".into(), Value::Object(c));
        }
    }
    Value::Object(out)
}
