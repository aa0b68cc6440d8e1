//! SEC002: literal secrets written in `.tf` and `.tfvars` files. Values are
//! never kept, only the kind and where.

use hcl_edit::expr::Expression;
use hcl_edit::template::Element;

use super::Global;
use crate::inventory::{HardcodedSecret, Origin, SecretKind, SourceLocation};

/// Whether a name marks its value as a key (`*integration_key*`, `*routing_key*`).
pub fn is_key_name(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    n.contains("integration_key") || n.contains("routing_key")
}

/// The kind of secret a literal string looks like.
pub fn classify(literal: &str) -> Option<SecretKind> {
    if let Some(i) = literal.find("hooks.slack.com/services/")
        && literal[i + "hooks.slack.com/services/".len()..]
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphanumeric())
    {
        return Some(SecretKind::SlackWebhook);
    }
    for host in [
        "events.pagerduty.com/integration/",
        "events.eu.pagerduty.com/integration/",
    ] {
        let mut rest = literal;
        while let Some(i) = rest.find(host) {
            let after = &rest[i + host.len()..];
            if after.len() >= 32
                && after.as_bytes()[..32]
                    .iter()
                    .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
            {
                return Some(SecretKind::PagerdutyIntegrationKey);
            }
            rest = after;
        }
    }
    None
}

/// The literal strings in an expression (template literals included), and
/// whether the whole expression is one literal.
fn literals(e: &Expression, out: &mut Vec<String>) -> bool {
    match e {
        Expression::String(s) => {
            out.push(s.to_string());
            true
        }
        Expression::StringTemplate(t) => {
            let mut whole = true;
            for el in t.iter() {
                match el {
                    Element::Literal(s) => out.push(s.to_string()),
                    Element::Interpolation(i) => {
                        whole = false;
                        literals(&i.expr, out);
                    }
                    Element::Directive(_) => whole = false,
                }
            }
            whole
        }
        Expression::HeredocTemplate(h) => {
            for el in h.template.iter() {
                if let Element::Literal(s) = el {
                    out.push(s.to_string());
                }
            }
            false
        }
        Expression::Array(a) => {
            a.iter().for_each(|x| {
                literals(x, out);
            });
            false
        }
        Expression::Object(o) => {
            o.iter().for_each(|(_, v)| {
                literals(v.expr(), out);
            });
            false
        }
        Expression::Parenthesis(p) => literals(p.inner(), out),
        Expression::FuncCall(f) => {
            f.args.iter().for_each(|x| {
                literals(x, out);
            });
            false
        }
        Expression::Conditional(c) => {
            literals(&c.true_expr, out);
            literals(&c.false_expr, out);
            false
        }
        _ => false,
    }
}

/// Record a finding for every literal secret in `e`, bound to `name` at `origin`.
pub fn scan_expr(
    g: &mut Global,
    e: &Expression,
    name: &str,
    origin: &str,
    location: Option<SourceLocation>,
    _text: &str,
) {
    let mut lits = Vec::new();
    let whole = literals(e, &mut lits);
    let mut kind = lits.iter().find_map(|l| classify(l));
    if kind.is_none() && whole && is_key_name(name) && lits.iter().any(|l| !l.trim().is_empty()) {
        kind = Some(SecretKind::NamedKey);
    }
    if let Some(kind) = kind {
        record(g, kind, name, origin, location);
    }
}

/// Record one finding (deduplicated).
pub fn record(
    g: &mut Global,
    kind: SecretKind,
    attribute: &str,
    origin: &str,
    location: Option<SourceLocation>,
) {
    let secret = HardcodedSecret {
        kind,
        origin: Origin {
            address: Some(origin.to_string()),
            location,
            ..Origin::default()
        },
        attribute: attribute.to_string(),
    };
    if !g.stack.hardcoded_secrets.contains(&secret) {
        g.stack.hardcoded_secrets.push(secret);
    }
}
