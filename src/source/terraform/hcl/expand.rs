//! `count` and `for_each` expansion into instance addresses and bindings.

use hcl_edit::structure::Block;

use super::modules::ModuleEval;
use super::parse::Item;
use super::value::Val;

/// How a resource or module call is repeated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Shape {
    /// No `count` / `for_each`.
    Single,
    /// `count`: a list of instances.
    Count,
    /// `for_each`: a map of instances.
    ForEach,
}

/// One instance.
#[derive(Debug, Clone)]
pub(super) struct Instance {
    /// The instance key (`for_each` key or `count` index as text; empty if single).
    pub key: String,
    /// The full instance address.
    pub address: String,
    /// `count` / `each` bindings for the body.
    pub bindings: Vec<(String, Val)>,
}

/// The instances of a block.
#[derive(Debug, Clone)]
pub(super) struct Expansion {
    /// Single, count or for_each.
    pub shape: Shape,
    /// The instances, in order.
    pub instances: Vec<Instance>,
}

/// An instance key as written in addresses: `[0]` or `["key"]` (JSON-escaped).
pub(super) fn key_suffix(key: &Val) -> String {
    match key {
        Val::Num(n) => format!("[{}]", super::value::fmt_num(*n)),
        other => format!(
            "[{}]",
            serde_json::to_string(&other.to_tf_string().unwrap_or_default()).unwrap_or_default()
        ),
    }
}

/// A number for a message: whole numbers as written, huge ones as `1.5e300`.
fn big_num(n: f64) -> String {
    if n < 1e15 {
        super::value::fmt_num(n)
    } else {
        format!("{n:e}")
    }
}

/// The error for an expansion above `[terraform] max_instances`: SCAN004, and
/// the block's presence undecided.
fn over_limit(expr: &str, what: &str, max: usize) -> Val {
    super::eval::error(
        expr,
        format!(
            "{what} is above the limit of {max} instances per block ([terraform] max_instances)"
        ),
    )
}

/// Expand a block's `count` / `for_each`; `Err` carries the unknown that prevented it.
pub(super) fn instances(
    m: &mut ModuleEval,
    item: &Item<Block>,
    base: &str,
) -> Result<Expansion, Val> {
    let body = &item.node.body;
    if let Some(attr) = body.get_attribute("count") {
        let v = m.eval_in(item.file, &attr.value, Vec::new()).0;
        let n = match &v {
            Val::Num(n) if *n > m.g.max_instances as f64 => {
                return Err(over_limit(
                    &format!("{base} count"),
                    &format!("count = {}", big_num(*n)),
                    m.g.max_instances,
                ));
            }
            Val::Num(n) if *n >= 0.0 => *n as usize,
            Val::Unknown(_) => return Err(v),
            _ => {
                return Err(super::eval::error(
                    format!("{base} count"),
                    "count is not a number",
                ));
            }
        };
        let instances = (0..n)
            .map(|i| Instance {
                key: i.to_string(),
                address: format!("{base}[{i}]"),
                bindings: vec![(
                    "count".into(),
                    Val::Map(vec![("index".into(), Val::Num(i as f64))]),
                )],
            })
            .collect();
        return Ok(Expansion {
            shape: Shape::Count,
            instances,
        });
    }
    if let Some(attr) = body.get_attribute("for_each") {
        let v = m.eval_in(item.file, &attr.value, Vec::new()).0;
        let pairs: Vec<(String, Val)> = match &v {
            Val::Map(entries) => entries.clone(),
            Val::List(items) => {
                let mut out = Vec::new();
                for i in items {
                    match i.to_tf_string() {
                        Some(s) => out.push((s.clone(), Val::Str(s))),
                        None => {
                            return Err(super::eval::merge_unknown(
                                &[i],
                                &format!("{base} for_each"),
                            )
                            .unwrap_or_else(|| {
                                super::eval::error(
                                    format!("{base} for_each"),
                                    "for_each over a set of non-strings",
                                )
                            }));
                        }
                    }
                }
                out
            }
            Val::Unknown(_) => return Err(v),
            _ => {
                return Err(super::eval::error(
                    format!("{base} for_each"),
                    "for_each is not a map or set",
                ));
            }
        };
        if pairs.len() > m.g.max_instances {
            return Err(over_limit(
                &format!("{base} for_each"),
                &format!("for_each over {} elements", pairs.len()),
                m.g.max_instances,
            ));
        }
        let instances = pairs
            .into_iter()
            .map(|(k, value)| Instance {
                address: format!("{base}{}", key_suffix(&Val::Str(k.clone()))),
                bindings: vec![(
                    "each".into(),
                    Val::Map(vec![
                        ("key".into(), Val::Str(k.clone())),
                        ("value".into(), value),
                    ]),
                )],
                key: k,
            })
            .collect();
        return Ok(Expansion {
            shape: Shape::ForEach,
            instances,
        });
    }
    Ok(Expansion {
        shape: Shape::Single,
        instances: vec![Instance {
            key: String::new(),
            address: base.to_string(),
            bindings: Vec::new(),
        }],
    })
}

/// A block whose `count` / `for_each` could not be evaluated (`unknown`), as
/// one instance of unknown count (docs/terms.md, "Presence that cannot be
/// decided"): addressed without a key, its `count.index` / `each.*` unknown
/// for the same reason, so rules that judge what is there judge it once.
pub(super) fn one_of_unknown_count(item: &Item<Block>, base: &str, unknown: &Val) -> Expansion {
    let (shape, binding) = if item.node.body.get_attribute("for_each").is_some() {
        (
            Shape::ForEach,
            (
                "each".to_string(),
                Val::Map(vec![
                    ("key".into(), unknown.clone()),
                    ("value".into(), unknown.clone()),
                ]),
            ),
        )
    } else {
        (
            Shape::Count,
            (
                "count".to_string(),
                Val::Map(vec![("index".into(), unknown.clone())]),
            ),
        )
    };
    Expansion {
        shape,
        instances: vec![Instance {
            key: if shape == Shape::Count {
                "0".into()
            } else {
                "?".into()
            },
            address: base.to_string(),
            bindings: vec![binding],
        }],
    }
}

/// The value a reference to the whole block sees: the instance, a list or a map.
pub(super) fn shape_value(shape: Shape, vals: Vec<(String, Val)>) -> Val {
    match shape {
        Shape::Single => vals.into_iter().next().map_or(Val::Null, |(_, v)| v),
        Shape::Count => Val::List(vals.into_iter().map(|(_, v)| v).collect()),
        Shape::ForEach => Val::Map(vals),
    }
}
