//! The literals of a plan, for SEC002's one pass ([`crate::endpoints::secrets::judge`]):
//! `constant_value`s in `configuration` (resource attributes, module call
//! arguments, provider configs, variable defaults) and the values in the
//! plan's `variables`. Never `after`, which also holds values resolved from SSM.

use serde_json::Value;

use crate::endpoints::secrets::{Literal, LiteralText};

/// Where a plan literal is written.
struct Place<'a> {
    address: &'a str,
    attribute: &'a str,
    blocks: &'a [String],
    supplied: bool,
}

/// Record the strings of a literal (any JSON value) bound to `name`; object
/// members are bound to their keys.
fn literals_of(value: &Value, name: &str, place: &Place<'_>, out: &mut Vec<Literal>) {
    match value {
        Value::String(s) => out.push(Literal {
            address: place.address.to_string(),
            attribute: place.attribute.to_string(),
            blocks: place.blocks.to_vec(),
            name: name.to_string(),
            text: LiteralText(s.clone()),
            whole: true,
            supplied: place.supplied,
            location: None,
        }),
        Value::Array(items) => items.iter().for_each(|v| literals_of(v, name, place, out)),
        Value::Object(map) => {
            for (k, v) in map {
                literals_of(v, k, place, out);
            }
        }
        _ => {}
    }
}

/// Walk an expressions object: `constant_value`s, and nested blocks (arrays
/// of expression objects, recorded with the blocks they are written in).
fn expression_literals(exprs: &Value, address: &str, blocks: &[String], out: &mut Vec<Literal>) {
    match exprs {
        Value::Object(map) => {
            for (name, expr) in map {
                if let Some(constant) = expr.get("constant_value") {
                    let place = Place {
                        address,
                        attribute: blocks.first().unwrap_or(name),
                        blocks,
                        supplied: false,
                    };
                    literals_of(constant, name, &place, out);
                } else if expr.is_object() || expr.is_array() {
                    let mut inner = blocks.to_vec();
                    inner.push(name.clone());
                    expression_literals(expr, address, &inner, out);
                }
            }
        }
        Value::Array(items) => items
            .iter()
            .for_each(|v| expression_literals(v, address, blocks, out)),
        _ => {}
    }
}

fn module_literals(module: &Value, prefix: &str, out: &mut Vec<Literal>) {
    let join = |local: &str| {
        if prefix.is_empty() {
            local.to_string()
        } else {
            format!("{prefix}.{local}")
        }
    };
    for r in module
        .get("resources")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let Some(address) = r.get("address").and_then(Value::as_str) else {
            continue;
        };
        if let Some(exprs) = r.get("expressions") {
            expression_literals(exprs, &join(address), &[], out);
        }
    }
    if let Some(vars) = module.get("variables").and_then(Value::as_object) {
        for (name, var) in vars {
            if let Some(default) = var.get("default") {
                let address = join(&format!("var.{name}"));
                let place = Place {
                    address: &address,
                    attribute: "default",
                    blocks: &[],
                    supplied: false,
                };
                literals_of(default, name, &place, out);
            }
        }
    }
    if let Some(calls) = module.get("module_calls").and_then(Value::as_object) {
        for (name, call) in calls {
            let address = join(&format!("module.{name}"));
            if let Some(exprs) = call.get("expressions") {
                expression_literals(exprs, &address, &[], out);
            }
            if let Some(child) = call.get("module") {
                module_literals(child, &address, out);
            }
        }
    }
}

/// Every literal of a plan SEC002 judges.
pub fn plan_literals(plan: &Value, out: &mut Vec<Literal>) {
    if let Some(root) = plan.pointer("/configuration/root_module") {
        module_literals(root, "", out);
    }
    if let Some(providers) = plan
        .pointer("/configuration/provider_config")
        .and_then(Value::as_object)
    {
        for (key, provider) in providers {
            if let Some(exprs) = provider.get("expressions") {
                expression_literals(exprs, &format!("provider.{key}"), &[], out);
            }
        }
    }
    // Values given on the command line or in tfvars: bound to no name (a key
    // passed with -var is the safe pattern, not a literal), so only their
    // shape counts.
    if let Some(vars) = plan.get("variables").and_then(Value::as_object) {
        for (name, var) in vars {
            let address = format!("var.{name}");
            if let Some(value) = var.get("value") {
                let place = Place {
                    address: &address,
                    attribute: "value",
                    blocks: &[],
                    supplied: true,
                };
                literals_of(value, "", &place, out);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::endpoints::secrets::judge;
    use crate::inventory::SecretKind;

    #[test]
    fn plan_literals_are_judged_by_the_shared_pass() {
        let plan = serde_json::json!({
            "configuration": {"root_module": {
                "resources": [{
                    "address": "aws_sns_topic_subscription.p",
                    "expressions": {"endpoint": {"constant_value":
                        "https://events.pagerduty.com/integration/0123456789ABCDEF0123456789ABCDEF/enqueue"}}
                }],
                "variables": {"routing_key": {"default": "0123456789abcdef0123456789abcdef"}}
            }},
            "variables": {
                "routing_key": {"value": "0123456789abcdef0123456789abcdef"},
                "hook": {"value": "https://hooks.slack.com/services/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"},
                "doc_hook": {"value": "https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX"}
            }
        });
        let mut literals = Vec::new();
        plan_literals(&plan, &mut literals);
        let found: Vec<(SecretKind, String)> = judge(&literals)
            .into_iter()
            .map(|s| (s.kind, s.origin.address.unwrap_or_default()))
            .collect();
        assert_eq!(
            found,
            [
                (
                    SecretKind::PagerdutyIntegrationKey,
                    "aws_sns_topic_subscription.p".to_string()
                ),
                (SecretKind::NamedKey, "var.routing_key".to_string()),
                (SecretKind::SlackWebhook, "var.hook".to_string()),
            ]
        );
    }
}
