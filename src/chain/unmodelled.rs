//! Paths alertpath sees but does not follow: when no route is found, the
//! ROUTE finding names them, so "reaches no pager endpoint" is not the whole
//! story when the admin account delivers findings some other way. Three kinds:
//! an EventBridge rule managed by another service (`ManagedBy`), a target or
//! subscription alertpath cannot classify (Step Functions, Kinesis, Firehose,
//! an SQS queue read by unknown code, ...), and GuardDuty findings exported to
//! S3 through a publishing destination.

use serde_json::Value;

use crate::chain::graph::{Dest, Endpoint, Graph, RuleHop, Walk};
use crate::chain::links;
use crate::chain::suppression::{self, Suppression};
use crate::inventory::Known;
use crate::inventory::arn::Arn;

/// What the walk of event `index` shows that alertpath does not follow, one
/// sentence each. Empty when the finding is suppressed (a suppressed finding
/// reaches no integration at all).
pub(crate) fn unmodelled_paths(graph: &Graph<'_>, walk: &Walk<'_>, index: usize) -> Vec<String> {
    let Some(event) = walk.events.get(index) else {
        return Vec::new();
    };
    let inventory = graph.inventory();
    if matches!(
        suppression::suppression(inventory, &walk.account, &walk.region, event),
        Suppression::Hidden(_)
    ) {
        return Vec::new();
    }
    let mut seen = Vec::new();
    if let Ok(rules) = &walk.rules {
        rules_seen(rules, index, &mut seen);
    }
    if is_finding(event) {
        exports_seen(graph, &walk.account, &walk.region, &mut seen);
    }
    seen.dedup();
    seen
}

fn is_finding(event: &Value) -> bool {
    crate::samples::finding_severity(event).is_some()
}

fn rules_seen(rules: &[RuleHop<'_>], index: usize, seen: &mut Vec<String>) {
    for hop in rules {
        if hop.matched.get(index).copied().flatten() == Some(false) {
            continue;
        }
        let name = links::rule_label(hop.rule.item);
        if let Some(service) = &hop.rule.item.managed_by {
            seen.push(format!(
                "EventBridge rule {name} is managed by {service}; what that service does with the finding is not modelled"
            ));
        }
        let Ok(targets) = &hop.targets else { continue };
        for target in targets {
            match &target.dest {
                Dest::Other(_) => {
                    let arn = target.target.arn.arn.value().cloned().unwrap_or_default();
                    seen.push(format!(
                        "rule {name} sends it to {} `{arn}`, which alertpath cannot classify",
                        what(&arn)
                    ));
                }
                Dest::Bus {
                    rules: Ok(rules), ..
                } => rules_seen(rules, index, seen),
                Dest::Topic(topic) => {
                    let Ok(subs) = &topic.subscriptions else {
                        continue;
                    };
                    for sub in subs {
                        let Endpoint::Other(protocol) = &sub.endpoint else {
                            continue;
                        };
                        let endpoint = match &sub.sub.item.endpoint {
                            Known::Value(e) => format!(" `{e}`"),
                            Known::Unknown(_) => String::new(),
                        };
                        seen.push(format!(
                            "topic {} delivers it to a {protocol} subscription{endpoint}, read by code alertpath cannot classify",
                            links::topic_label(topic.topic.item)
                        ));
                    }
                }
                _ => {}
            }
        }
    }
}

/// A target's kind for messages, from its ARN's service.
fn what(arn: &str) -> String {
    match Arn::parse(arn).map(|a| a.service) {
        Some("states") => "a Step Functions state machine".to_string(),
        Some("kinesis") => "a Kinesis stream".to_string(),
        Some("firehose") => "a Firehose delivery stream".to_string(),
        Some("sqs") => "an SQS queue".to_string(),
        Some("events") => "an event bus or API destination".to_string(),
        Some(service) => format!("a {service} target"),
        None => "a target".to_string(),
    }
}

fn exports_seen(graph: &Graph<'_>, account: &str, region: &str, seen: &mut Vec<String>) {
    let Some(gd) = graph
        .inventory()
        .facts(account, region)
        .and_then(|f| f.guardduty.collected())
    else {
        return;
    };
    let Some(destinations) = gd
        .publishing_destinations
        .as_ref()
        .and_then(|d| d.collected())
    else {
        return;
    };
    for d in destinations {
        let kind = d.destination_type.value().map_or("S3", String::as_str);
        let id = d.id.value().map_or("", String::as_str);
        let status = d.status.value().map_or("", String::as_str);
        seen.push(format!(
            "GuardDuty exports findings to {kind} through publishing destination {id} ({status}); whoever reads that export is not modelled"
        ));
    }
}
