//! Event patterns and filter policies that EventBridge or SNS would reject at
//! creation. In a plan or HCL tree such a value means `terraform apply` fails,
//! so what the rule or subscription would match is not assessed: the value
//! becomes unresolved and is reported by SCAN004, naming the constraint.

use crate::inventory::{Known, Observed, RegionFacts, UnknownKind, Unresolved};
use crate::pattern::{EventPattern, FilterPolicy, FilterPolicyScope};

/// Replaces every invalid `event_pattern` / `filter_policy` in `facts` with an
/// unresolved value and returns one SCAN004 item per replaced value.
pub(super) fn reject_invalid(facts: &mut RegionFacts) -> Vec<Unresolved> {
    let mut rejected = Vec::new();
    if let Observed::Collected(rules) = &mut facts.event_rules {
        for rule in rules {
            let Known::Value(Some(text)) = &rule.event_pattern else {
                continue;
            };
            if let Err(e) = EventPattern::parse(text) {
                let expression = attribute(&rule.origin, "event_pattern");
                rejected.push(Unresolved {
                    origin: rule.origin.clone(),
                    expression: expression.clone(),
                    reason: format!(
                        "EventBridge rejects this event pattern at creation, so `terraform apply` would fail and what the rule matches is not assessed: {e}"
                    ),
                });
                rule.event_pattern = Known::unknown(UnknownKind::Unresolved, Some(expression));
            }
        }
    }
    if let Observed::Collected(subscriptions) = &mut facts.subscriptions {
        for sub in subscriptions {
            let Known::Value(Some(text)) = &sub.filter_policy else {
                continue;
            };
            let scope = match &sub.filter_policy_scope {
                Known::Value(Some(s)) if s == "MessageBody" => FilterPolicyScope::MessageBody,
                Known::Value(_) => FilterPolicyScope::MessageAttributes,
                Known::Unknown(_) => continue,
            };
            if let Err(e) = FilterPolicy::parse(text, scope) {
                let expression = attribute(&sub.origin, "filter_policy");
                rejected.push(Unresolved {
                    origin: sub.origin.clone(),
                    expression: expression.clone(),
                    reason: format!(
                        "SNS rejects this filter policy at creation, so `terraform apply` would fail and what the subscription delivers is not assessed: {e}"
                    ),
                });
                sub.filter_policy = Known::unknown(UnknownKind::Unresolved, Some(expression));
            }
        }
    }
    rejected
}

/// `<address>.<attribute>`, or the attribute alone when the address is unknown.
fn attribute(origin: &crate::inventory::Origin, name: &str) -> String {
    match origin.label() {
        Some(label) => format!("{label}.{name}"),
        None => name.to_string(),
    }
}
