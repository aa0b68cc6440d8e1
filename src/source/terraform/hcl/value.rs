//! Evaluated HCL values: JSON-like, plus unknowns that remember why and
//! which resources they came from.

use serde_json::{Map, Number, Value};

use crate::endpoints::Piece;
use crate::inventory::UnknownKind;
use crate::source::terraform::model::ArnPart;

/// Why a value is unknown, and which resource addresses it depends on.
#[derive(Debug, Clone, PartialEq)]
pub struct Unk {
    /// Known after apply, or unresolved by alertpath.
    pub kind: UnknownKind,
    /// The expression that could not be evaluated, e.g. `aws_sns_topic.x.arn`.
    pub expr: String,
    /// Why (for SCAN004 messages).
    pub reason: String,
    /// Resource addresses the value depends on.
    pub refs: Vec<String>,
    /// For a string template with unknown parts: its known text and unknown
    /// parts in order (so redaction can tell what of it is known).
    pub pieces: Option<Vec<Piece>>,
    /// When the only unknown parts are ARNs of resources in this stack: the
    /// string as text and those ARNs ([`ArnPart`]); `[Arn(address)]` for the
    /// ARN itself.
    pub arn: Option<Vec<ArnPart>>,
}

/// An evaluated value.
#[derive(Debug, Clone, PartialEq)]
pub enum Val {
    /// `null`.
    Null,
    /// A boolean.
    Bool(bool),
    /// A number.
    Num(f64),
    /// A string.
    Str(String),
    /// A list, tuple or set.
    List(Vec<Val>),
    /// A map or object (insertion-ordered keys).
    Map(Vec<(String, Val)>),
    /// A resource instance: configured attributes; others are known after apply.
    Resource(String, Vec<(String, Val)>),
    /// An unknown value.
    Unknown(Box<Unk>),
}

impl Val {
    /// An unknown computed by Terraform, depending on `refs`.
    pub fn after_apply(expr: impl Into<String>, refs: Vec<String>) -> Val {
        Val::Unknown(Box::new(Unk {
            kind: UnknownKind::KnownAfterApply,
            expr: expr.into(),
            reason: "known after apply".into(),
            refs,
            pieces: None,
            arn: None,
        }))
    }

    /// The `arn` of resource instance `address`, known after apply (the
    /// adapter may derive it).
    pub fn arn_of(expr: impl Into<String>, address: &str) -> Val {
        Val::Unknown(Box::new(Unk {
            kind: UnknownKind::KnownAfterApply,
            expr: expr.into(),
            reason: "known after apply".into(),
            refs: vec![address.to_string()],
            pieces: None,
            arn: Some(vec![ArnPart::Arn(address.to_string())]),
        }))
    }

    /// An expression alertpath cannot evaluate.
    pub fn unresolved(expr: impl Into<String>, reason: impl Into<String>) -> Val {
        Val::Unknown(Box::new(Unk {
            kind: UnknownKind::Unresolved,
            expr: expr.into(),
            reason: reason.into(),
            refs: Vec::new(),
            pieces: None,
            arn: None,
        }))
    }

    /// The string, if this is one.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Val::Str(s) => Some(s),
            _ => None,
        }
    }

    /// The first unknown inside this value (depth first).
    pub fn first_unknown(&self) -> Option<&Unk> {
        match self {
            Val::Unknown(u) => Some(u),
            Val::List(items) => items.iter().find_map(Val::first_unknown),
            Val::Map(m) | Val::Resource(_, m) => m.iter().find_map(|(_, v)| v.first_unknown()),
            _ => None,
        }
    }

    /// Every resource address this value depends on (through unknowns and resource objects).
    pub fn collect_refs(&self, out: &mut Vec<String>) {
        match self {
            Val::Unknown(u) => push_all(out, &u.refs),
            Val::Resource(a, m) => {
                push_all(out, std::slice::from_ref(a));
                m.iter().for_each(|(_, v)| v.collect_refs(out));
            }
            Val::List(items) => items.iter().for_each(|v| v.collect_refs(out)),
            Val::Map(m) => m.iter().for_each(|(_, v)| v.collect_refs(out)),
            _ => {}
        }
    }

    /// Attribute or key lookup (`None` when absent).
    pub fn get(&self, key: &str) -> Option<&Val> {
        match self {
            Val::Map(m) | Val::Resource(_, m) => m.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// Terraform's string conversion (`None` for collections and unknowns).
    pub fn to_tf_string(&self) -> Option<String> {
        match self {
            Val::Str(s) => Some(s.clone()),
            Val::Num(n) => Some(fmt_num(*n)),
            Val::Bool(b) => Some(b.to_string()),
            _ => None,
        }
    }

    /// Truthiness for conditions (`None` if not a boolean).
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Val::Bool(b) => Some(*b),
            Val::Str(s) if s == "true" => Some(true),
            Val::Str(s) if s == "false" => Some(false),
            _ => None,
        }
    }

    /// A JSON value (unknowns become `null`) and the mirroring unknown tree
    /// (`true` where unknown, `false`/empty elsewhere).
    pub fn to_json(&self) -> (Value, Value) {
        match self {
            Val::Null => (Value::Null, Value::Bool(false)),
            Val::Bool(b) => (Value::Bool(*b), Value::Bool(false)),
            Val::Num(n) => (num_json(*n), Value::Bool(false)),
            Val::Str(s) => (Value::String(s.clone()), Value::Bool(false)),
            Val::Unknown(_) => (Value::Null, Value::Bool(true)),
            Val::List(items) => {
                let (vals, unks): (Vec<_>, Vec<_>) = items.iter().map(Val::to_json).unzip();
                let any = unks.iter().any(has_true);
                let unk = if any {
                    Value::Array(unks)
                } else {
                    Value::Bool(false)
                };
                (Value::Array(vals), unk)
            }
            Val::Map(m) | Val::Resource(_, m) => {
                let mut vals = Map::new();
                let mut unks = Map::new();
                for (k, v) in m {
                    let (jv, ju) = v.to_json();
                    vals.insert(k.clone(), jv);
                    if has_true(&ju) {
                        unks.insert(k.clone(), ju);
                    }
                }
                let unk = if unks.is_empty() {
                    Value::Bool(false)
                } else {
                    Value::Object(unks)
                };
                (Value::Object(vals), unk)
            }
        }
    }

    /// The JSON text of this value when its only unknowns are ARNs of this
    /// stack's resources (`jsonencode({ Resource = aws_sns_topic.t.arn })`),
    /// as text and ARNs; `None` when anything else is unknown.
    pub fn json_with_arns(&self) -> Option<Vec<ArnPart>> {
        let mut arns = Vec::new();
        let json = self.json_marking_arns(&mut arns)?;
        Some(split_arn_marks(&serde_json::to_string(&json).ok()?, &arns))
    }

    /// A JSON value in which each unknown that is ARN text is a marker
    /// string naming its index in `arns`; `None` when another part is
    /// unknown or a known string could be taken for a marker.
    pub fn json_marking_arns(&self, arns: &mut Vec<Vec<ArnPart>>) -> Option<Value> {
        Some(match self {
            Val::Unknown(u) => {
                arns.push(u.arn.clone()?);
                Value::String(format!("{ARN_MARK}{}{ARN_MARK}", arns.len() - 1))
            }
            Val::Str(s) if s.contains(ARN_MARK) => return None,
            Val::List(items) => Value::Array(
                items
                    .iter()
                    .map(|v| v.json_marking_arns(arns))
                    .collect::<Option<_>>()?,
            ),
            Val::Map(m) | Val::Resource(_, m) => {
                let mut vals = Map::new();
                for (k, v) in m {
                    if k.contains(ARN_MARK) {
                        return None;
                    }
                    vals.insert(k.clone(), v.json_marking_arns(arns)?);
                }
                Value::Object(vals)
            }
            known => known.to_json().0,
        })
    }

    /// A value from JSON (for `jsondecode`, tfvars and module manifests).
    pub fn from_json(v: &Value) -> Val {
        match v {
            Value::Null => Val::Null,
            Value::Bool(b) => Val::Bool(*b),
            Value::Number(n) => Val::Num(n.as_f64().unwrap_or(0.0)),
            Value::String(s) => Val::Str(s.clone()),
            Value::Array(a) => Val::List(a.iter().map(Val::from_json).collect()),
            Value::Object(o) => Val::Map(
                o.iter()
                    .map(|(k, v)| (k.clone(), Val::from_json(v)))
                    .collect(),
            ),
        }
    }
}

fn push_all(out: &mut Vec<String>, refs: &[String]) {
    for r in refs {
        if !out.contains(r) {
            out.push(r.clone());
        }
    }
}

fn has_true(v: &Value) -> bool {
    match v {
        Value::Bool(b) => *b,
        Value::Array(a) => a.iter().any(has_true),
        Value::Object(o) => o.values().any(has_true),
        _ => false,
    }
}

/// A number as Terraform prints it (integers without a fraction).
pub(super) fn fmt_num(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        format!("{n}")
    }
}

fn num_json(n: f64) -> Value {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        Value::Number(Number::from(n as i64))
    } else {
        Number::from_f64(n).map_or(Value::Null, Value::Number)
    }
}

/// Marks an ARN's place in JSON text while it is built (a private-use
/// character, never escaped by serde_json).
pub(super) const ARN_MARK: char = '\u{E000}';

/// Split JSON text built by [`Val::json_marking_arns`] back into text and
/// ARNs: each marker string's inside becomes the ARN text it stands for,
/// JSON-escaped.
pub(super) fn split_arn_marks(text: &str, arns: &[Vec<ArnPart>]) -> Vec<ArnPart> {
    let mut parts = Vec::new();
    for (i, chunk) in text.split(ARN_MARK).enumerate() {
        if i % 2 == 0 {
            super::eval::push_arn_text(&mut parts, chunk);
            continue;
        }
        for part in chunk
            .parse::<usize>()
            .ok()
            .and_then(|n| arns.get(n))
            .into_iter()
            .flatten()
        {
            match part {
                ArnPart::Text(t) => {
                    let quoted = serde_json::to_string(t).unwrap_or_default();
                    let inner = quoted
                        .strip_prefix('"')
                        .and_then(|q| q.strip_suffix('"'))
                        .unwrap_or_default();
                    super::eval::push_arn_text(&mut parts, inner);
                }
                ArnPart::Arn(a) => parts.push(ArnPart::Arn(a.clone())),
            }
        }
    }
    parts
}
