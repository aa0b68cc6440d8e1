//! Variable type constraints, for the one thing alertpath needs from them:
//! `optional(type, default)` attributes of `object({…})` types, whose
//! defaults Terraform fills into a variable's value (given or default).

use hcl_edit::expr::{Expression, ObjectKey};

use super::value::Val;

/// The shape of a type constraint, as far as defaults go.
#[derive(Debug, Clone)]
pub(super) enum TypeSpec {
    /// A primitive, `any`, or anything alertpath does not model.
    Other,
    /// `list(T)`, `set(T)` or `map(T)`: every element has type T.
    Collection(Box<TypeSpec>),
    /// `tuple([T1, T2, …])`.
    Tuple(Vec<TypeSpec>),
    /// `object({ name = T, … })`.
    Object(Vec<ObjectAttribute>),
}

/// One attribute of an `object({…})` type.
#[derive(Debug, Clone)]
pub(super) struct ObjectAttribute {
    name: String,
    spec: TypeSpec,
    /// `optional(T)` or `optional(T, default)`.
    optional: bool,
    /// The `optional(T, default)` default, unevaluated.
    default: Option<Expression>,
}

/// The spec of a `type = …` expression.
pub(super) fn parse(e: &Expression) -> TypeSpec {
    let Expression::FuncCall(f) = e else {
        return TypeSpec::Other;
    };
    let arg = f.args.iter().next();
    match (f.name.name.as_str(), arg) {
        ("list" | "set" | "map", Some(inner)) => TypeSpec::Collection(Box::new(parse(inner))),
        ("tuple", Some(Expression::Array(items))) => {
            TypeSpec::Tuple(items.iter().map(parse).collect())
        }
        ("object", Some(Expression::Object(o))) => TypeSpec::Object(
            o.iter()
                .filter_map(|(k, v)| {
                    let name = match k {
                        ObjectKey::Ident(i) => i.as_str().to_string(),
                        ObjectKey::Expression(Expression::Variable(i)) => i.as_str().to_string(),
                        ObjectKey::Expression(Expression::String(s)) => s.to_string(),
                        ObjectKey::Expression(_) => return None,
                    };
                    Some(attribute(name, v.expr()))
                })
                .collect(),
        ),
        _ => TypeSpec::Other,
    }
}

fn attribute(name: String, e: &Expression) -> ObjectAttribute {
    if let Expression::FuncCall(f) = e
        && f.name.name.as_str() == "optional"
    {
        let mut args = f.args.iter();
        return ObjectAttribute {
            name,
            spec: args.next().map_or(TypeSpec::Other, parse),
            optional: true,
            default: args.next().cloned(),
        };
    }
    ObjectAttribute {
        name,
        spec: parse(e),
        optional: false,
        default: None,
    }
}

impl TypeSpec {
    /// Whether any `optional(…)` attribute is inside (else values are left alone).
    pub(super) fn has_optional(&self) -> bool {
        match self {
            TypeSpec::Other => false,
            TypeSpec::Collection(inner) => inner.has_optional(),
            TypeSpec::Tuple(items) => items.iter().any(TypeSpec::has_optional),
            TypeSpec::Object(attrs) => attrs.iter().any(|a| a.optional || a.spec.has_optional()),
        }
    }

    /// `value` with Terraform's defaults filled in: an `optional` attribute
    /// that is absent or null takes its default (itself completed by the
    /// attribute's type), or null without one. `default` evaluates a default
    /// expression. Unknown values are left as they are.
    pub(super) fn apply(&self, value: Val, default: &mut dyn FnMut(&Expression) -> Val) -> Val {
        match (self, value) {
            (TypeSpec::Collection(inner), Val::List(items)) => {
                Val::List(items.into_iter().map(|v| inner.apply(v, default)).collect())
            }
            (TypeSpec::Collection(inner), Val::Map(entries)) => Val::Map(
                entries
                    .into_iter()
                    .map(|(k, v)| (k, inner.apply(v, default)))
                    .collect(),
            ),
            (TypeSpec::Tuple(specs), Val::List(items)) => Val::List(
                items
                    .into_iter()
                    .enumerate()
                    .map(|(i, v)| match specs.get(i) {
                        Some(spec) => spec.apply(v, default),
                        None => v,
                    })
                    .collect(),
            ),
            (TypeSpec::Object(attrs), Val::Map(mut entries)) => {
                for attr in attrs {
                    let present = entries
                        .iter()
                        .position(|(k, v)| *k == attr.name && *v != Val::Null);
                    match present {
                        Some(i) => {
                            let v = std::mem::replace(&mut entries[i].1, Val::Null);
                            entries[i].1 = attr.spec.apply(v, default);
                        }
                        None if attr.optional => {
                            let v = match &attr.default {
                                Some(e) => attr.spec.apply(default(e), default),
                                None => Val::Null,
                            };
                            match entries.iter_mut().find(|(k, _)| *k == attr.name) {
                                Some((_, slot)) => *slot = v,
                                None => entries.push((attr.name.clone(), v)),
                            }
                        }
                        None => {}
                    }
                }
                Val::Map(entries)
            }
            (_, v) => v,
        }
    }
}
