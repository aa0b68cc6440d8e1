//! The literal strings written in `.tf` and `.tfvars` files, recorded for
//! SEC002's one pass ([`crate::endpoints::secrets::judge`]); the evaluator
//! judges nothing itself.

use hcl_edit::expr::{Expression, ObjectKey};
use hcl_edit::template::Element;

use super::Global;
use crate::endpoints::secrets::{Literal, LiteralText};
use crate::inventory::SourceLocation;

/// Where the literals of one expression are written.
pub(super) struct Place<'a> {
    /// The resource, module call or variable.
    pub address: &'a str,
    /// The top-level attribute (or block), or a variable's field.
    pub attribute: &'a str,
    /// The nested blocks the expression is written in, outermost first.
    pub blocks: &'a [String],
    /// Where it is written.
    pub location: &'a Option<SourceLocation>,
}

/// Record every literal string in `e`, bound to `name` at `place`.
pub(super) fn record(g: &mut Global, e: &Expression, name: &str, place: &Place<'_>) {
    collect(e, name, true, place, &mut g.stack.literals);
}

fn push(out: &mut Vec<Literal>, place: &Place<'_>, name: &str, text: String, whole: bool) {
    out.push(Literal {
        address: place.address.to_string(),
        attribute: place.attribute.to_string(),
        blocks: place.blocks.to_vec(),
        name: name.to_string(),
        text: LiteralText(text),
        whole,
        supplied: false,
        location: place.location.clone(),
    });
}

/// The literals of `e`; `whole` says whether `e` is the whole value bound to
/// `name` (a list item or an object member is, a template piece is not).
fn collect(e: &Expression, name: &str, whole: bool, place: &Place<'_>, out: &mut Vec<Literal>) {
    match e {
        Expression::String(s) => push(out, place, name, s.to_string(), whole),
        Expression::StringTemplate(t) => {
            let only_text = t.iter().all(|el| matches!(el, Element::Literal(_)));
            if only_text {
                let text: String = t
                    .iter()
                    .filter_map(|el| match el {
                        Element::Literal(s) => Some(s.to_string()),
                        _ => None,
                    })
                    .collect();
                push(out, place, name, text, whole);
                return;
            }
            for el in t.iter() {
                match el {
                    Element::Literal(s) => push(out, place, name, s.to_string(), false),
                    Element::Interpolation(i) => collect(&i.expr, name, false, place, out),
                    Element::Directive(_) => {}
                }
            }
        }
        Expression::HeredocTemplate(h) => {
            for el in h.template.iter() {
                if let Element::Literal(s) = el {
                    push(out, place, name, s.to_string(), false);
                }
            }
        }
        Expression::Array(a) => a.iter().for_each(|x| collect(x, name, whole, place, out)),
        Expression::Object(o) => {
            for (k, v) in o.iter() {
                let key = match k {
                    ObjectKey::Ident(i) => Some(i.as_str().to_string()),
                    ObjectKey::Expression(Expression::String(s)) => Some(s.to_string()),
                    ObjectKey::Expression(Expression::Variable(i)) => Some(i.as_str().to_string()),
                    ObjectKey::Expression(_) => None,
                };
                match key {
                    Some(key) => collect(v.expr(), &key, whole, place, out),
                    None => collect(v.expr(), name, false, place, out),
                }
            }
        }
        Expression::Parenthesis(p) => collect(p.inner(), name, whole, place, out),
        Expression::FuncCall(f) => f
            .args
            .iter()
            .for_each(|x| collect(x, name, false, place, out)),
        Expression::Conditional(c) => {
            collect(&c.true_expr, name, false, place, out);
            collect(&c.false_expr, name, false, place, out);
        }
        _ => {}
    }
}
