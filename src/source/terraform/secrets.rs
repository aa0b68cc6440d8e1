//! SEC002 facts from a plan: literals in `configuration` (resource attributes,
//! module call arguments, provider configs, variable defaults) and URL-shaped
//! secrets in the plan's `variables`. Never `after`, which also holds values
//! resolved from SSM. Only where and what kind are kept, never the value.

use serde_json::Value;

use crate::inventory::{HardcodedSecret, Origin, SecretKind};

/// What kind of secret a literal string looks like, if any.
pub fn classify_literal(text: &str) -> Option<SecretKind> {
    if let Some(i) = text.find("hooks.slack.com/services/") {
        let rest = &text[i + "hooks.slack.com/services/".len()..];
        if rest
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphanumeric())
        {
            return Some(SecretKind::SlackWebhook);
        }
    }
    if pagerduty_key_span(text).is_some() {
        return Some(SecretKind::PagerdutyIntegrationKey);
    }
    None
}

/// The byte span of a 32-hex-digit key after `events(.eu)?.pagerduty.com/integration/`.
pub fn pagerduty_key_span(text: &str) -> Option<(usize, usize)> {
    for host in [
        "events.pagerduty.com/integration/",
        "events.eu.pagerduty.com/integration/",
    ] {
        let mut from = 0;
        while let Some(i) = text[from..].find(host) {
            let start = from + i + host.len();
            let rest = &text.as_bytes()[start..];
            if rest.len() >= 32 && rest[..32].iter().all(u8::is_ascii_hexdigit) {
                return Some((start, start + 32));
            }
            from = start;
        }
    }
    None
}

/// Whether a name says its value is a key (`*integration_key*`, `*routing_key*`).
pub fn is_key_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower.contains("integration_key") || lower.contains("routing_key")
}

fn origin(address: String) -> Origin {
    Origin {
        address: Some(address),
        ..Origin::default()
    }
}

fn push(out: &mut Vec<HardcodedSecret>, kind: SecretKind, address: &str, attribute: &str) {
    let dup = out.iter().any(|s| {
        s.kind == kind && s.attribute == attribute && s.origin.address.as_deref() == Some(address)
    });
    if !dup {
        out.push(HardcodedSecret {
            kind,
            origin: origin(address.to_string()),
            attribute: attribute.to_string(),
        });
    }
}

/// Judge a literal (any JSON value) bound to `name` at `address.attribute`.
fn judge_literal(
    value: &Value,
    name: &str,
    address: &str,
    attribute: &str,
    out: &mut Vec<HardcodedSecret>,
) {
    match value {
        Value::String(s) => {
            if let Some(kind) = classify_literal(s) {
                push(out, kind, address, attribute);
            } else if is_key_name(name) && !s.trim().is_empty() {
                push(out, SecretKind::NamedKey, address, attribute);
            }
        }
        Value::Array(items) => items
            .iter()
            .for_each(|v| judge_literal(v, name, address, attribute, out)),
        Value::Object(map) => {
            for (k, v) in map {
                judge_literal(v, k, address, attribute, out);
            }
        }
        _ => {}
    }
}

/// Walk an expressions object: `constant_value`s, nested blocks (arrays of
/// expression objects) and nested attributes.
fn judge_expressions(
    exprs: &Value,
    address: &str,
    top: Option<&str>,
    out: &mut Vec<HardcodedSecret>,
) {
    match exprs {
        Value::Object(map) => {
            for (name, expr) in map {
                let attribute = top.unwrap_or(name);
                if let Some(constant) = expr.get("constant_value") {
                    judge_literal(constant, name, address, attribute, out);
                } else if expr.is_object() || expr.is_array() {
                    judge_expressions(expr, address, Some(attribute), out);
                }
            }
        }
        Value::Array(items) => items
            .iter()
            .for_each(|v| judge_expressions(v, address, top, out)),
        _ => {}
    }
}

fn scan_module(module: &Value, prefix: &str, out: &mut Vec<HardcodedSecret>) {
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
            judge_expressions(exprs, &join(address), None, out);
        }
    }
    if let Some(vars) = module.get("variables").and_then(Value::as_object) {
        for (name, var) in vars {
            if let Some(default) = var.get("default") {
                judge_literal(default, name, &join(&format!("var.{name}")), "default", out);
            }
        }
    }
    if let Some(calls) = module.get("module_calls").and_then(Value::as_object) {
        for (name, call) in calls {
            let address = join(&format!("module.{name}"));
            if let Some(exprs) = call.get("expressions") {
                judge_expressions(exprs, &address, None, out);
            }
            if let Some(child) = call.get("module") {
                scan_module(child, &address, out);
            }
        }
    }
}

/// Every SEC002 fact of a plan.
pub fn scan_plan(plan: &Value, out: &mut Vec<HardcodedSecret>) {
    if let Some(root) = plan.pointer("/configuration/root_module") {
        scan_module(root, "", out);
    }
    if let Some(providers) = plan
        .pointer("/configuration/provider_config")
        .and_then(Value::as_object)
    {
        for (key, provider) in providers {
            if let Some(exprs) = provider.get("expressions") {
                judge_expressions(exprs, &format!("provider.{key}"), None, out);
            }
        }
    }
    // Values given on the command line or in tfvars: only URL-shaped secrets
    // (a named key passed with -var is the safe pattern, not a literal).
    if let Some(vars) = plan.get("variables").and_then(Value::as_object) {
        for (name, var) in vars {
            let address = format!("var.{name}");
            let Some(value) = var.get("value") else {
                continue;
            };
            let mut found = Vec::new();
            judge_literal(value, "", &address, "value", &mut found);
            for s in found {
                let already = out
                    .iter()
                    .any(|o| o.origin.address.as_deref() == Some(address.as_str()));
                if !already {
                    out.push(s);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_literals() {
        assert_eq!(
            classify_literal("https://hooks.slack.com/services/T0/B0/x"),
            Some(SecretKind::SlackWebhook)
        );
        let key = "0123456789abcdef0123456789abcdef";
        assert_eq!(
            classify_literal(&format!(
                "https://events.eu.pagerduty.com/integration/{key}/enqueue"
            )),
            Some(SecretKind::PagerdutyIntegrationKey)
        );
        assert_eq!(
            classify_literal("https://events.pagerduty.com/integration/${var.k}/enqueue"),
            None
        );
        assert!(is_key_name("pagerduty_integration_key"));
        assert!(!is_key_name("slack_channel"));
    }
}
