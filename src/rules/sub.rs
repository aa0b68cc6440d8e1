//! SUB: subscriptions and delivery, on chain and failover topics.

use serde_json::Value;

use crate::chain::analysis::Analysis;
use crate::chain::graph::{Endpoint, Graph, Located};
use crate::chain::links::{self, Link, topic_label};
use crate::inventory::{Alarm, Known, Observed, Subscription, Topic};
use crate::outcome::{Outcomes, Subject};
use crate::rules::subjects::{alarm_label, subscription_subject, topic_subject};
use crate::rules::{ADMIN_ROLE, Context, Rule, rule};

rule!(
    SUB001,
    "subscription-pending",
    Medium,
    Chain,
    [Live, Plan],
    None,
    "A subscription on a chain or failover topic is PendingConfirmation",
    check_sub001
);
rule!(
    SUB002,
    "subscription-plain-http",
    High,
    Chain,
    [Live, Plan, Hcl],
    None,
    "A subscription on a chain or failover topic uses an http:// endpoint",
    check_sub002
);
rule!(
    SUB003,
    "subscriber-unusable",
    High,
    Chain,
    [Live, Plan, Hcl],
    None,
    "A lambda subscription's function is missing, failed, throttled to 0, or does not let SNS invoke it",
    check_sub003
);
rule!(
    SUB004,
    "topic-dead-end",
    High,
    Chain,
    [Live, Plan, Hcl],
    ADMIN_ROLE,
    "A chain or failover topic has no confirmed subscription",
    check_sub004
);
rule!(
    SUB005,
    "pager-delivery-unwatched",
    Medium,
    Chain,
    [Live, Plan, Hcl],
    ADMIN_ROLE,
    "A topic with a pager endpoint has no alarm on NumberOfNotificationsFailed",
    check_sub005
);
rule!(
    SUB006,
    "filter-policy-drops-findings",
    High,
    Chain,
    [Live, Plan, Hcl],
    None,
    "A subscription's filter policy would drop the sample findings",
    check_sub006
);

/// This family's rules, in catalog order.
pub(super) const RULES: &[Rule] = &[SUB001, SUB002, SUB003, SUB004, SUB005, SUB006];

/// Whether a topic is a chain topic (reached by a walk or named in config).
fn is_chain_topic(analysis: &Analysis<'_>, topic: &Topic) -> bool {
    analysis
        .reach
        .topics
        .iter()
        .any(|t| std::ptr::eq(t.topic.item, topic))
}

/// Every chain and failover topic with its subscriptions; a topic whose
/// subscriptions could not be listed is reported not assessed and skipped.
fn for_each_subscription<'a>(
    analysis: &'a Analysis<'a>,
    out: &mut Outcomes,
    mut f: impl FnMut(Located<'a, Topic>, Located<'a, Subscription>, &mut Outcomes),
) {
    for topic in analysis.reach.chain_and_failover_topics() {
        match analysis.graph.subscriptions_of(topic) {
            Err(gap) => {
                out.not_assessed(topic_subject(topic), gap.describe());
            }
            Ok(subs) => {
                for sub in subs {
                    f(topic, sub, out);
                }
            }
        }
    }
}

fn check_sub001(ctx: &Context<'_>, out: &mut Outcomes) {
    let analysis = ctx.analysis();
    for_each_subscription(analysis, out, |topic, sub, out| {
        let subject = subscription_subject(topic, sub.item).attribute("pending_confirmation");
        let link = match links::subscription_confirmed(&analysis.graph, sub.item) {
            Link::Broken { rule, why } => Link::Broken {
                rule,
                why: format!(
                    "subscription on topic {}: {why}; SNS deletes it if it is never confirmed",
                    topic_label(topic.item)
                ),
            },
            other => other,
        };
        out.report(subject, link, None);
    });
}

fn check_sub002(ctx: &Context<'_>, out: &mut Outcomes) {
    let analysis = ctx.analysis();
    for_each_subscription(analysis, out, |topic, sub, out| {
        let subject = subscription_subject(topic, sub.item).attribute("endpoint");
        match &sub.item.protocol {
            Known::Unknown(u) => {
                out.unknown(subject, &u.unknown, "subscription protocol");
            }
            Known::Value(p) if p.eq_ignore_ascii_case("http") => {
                out.fail(
                    subject,
                    format!(
                        "subscription on topic {} delivers findings over plain http:// ({}): use https",
                        topic_label(topic.item),
                        sub.item.endpoint.value().map_or("endpoint unknown", String::as_str)
                    ),
                );
            }
            Known::Value(p) => {
                out.pass(subject, format!("protocol {p}"));
            }
        }
    });
}

fn check_sub003(ctx: &Context<'_>, out: &mut Outcomes) {
    let analysis = ctx.analysis();
    let graph = &analysis.graph;
    for_each_subscription(analysis, out, |topic, sub, out| {
        let Endpoint::Function(function) = graph.endpoint(sub) else {
            return;
        };
        let subject = subscription_subject(topic, sub.item).attribute("endpoint");
        out.report(subject, links::function_invocable(topic, &function), None);
    });
}

fn check_sub004(ctx: &Context<'_>, out: &mut Outcomes) {
    let analysis = ctx.analysis();
    for topic in analysis.reach.chain_and_failover_topics() {
        out.report(
            topic_subject(topic),
            links::topic_confirmed(&analysis.graph, topic),
            None,
        );
    }
}

/// Does the alarm watch `AWS/SNS` `NumberOfNotificationsFailed` for topic `name`?
fn watches_failed_notifications(alarm: &Alarm, name: &str) -> Option<bool> {
    let namespace = alarm.namespace.value()?.as_deref();
    let metric = alarm.metric_name.value()?.as_deref();
    if namespace != Some("AWS/SNS") || metric != Some("NumberOfNotificationsFailed") {
        return Some(false);
    }
    let dims = alarm.dimensions.value()?;
    Some(match dims.get("TopicName") {
        Some(topic) => topic == name,
        None => dims.is_empty(),
    })
}

/// Whether the topic has a pager subscription: `Ok(true)`, `Ok(false)`, or
/// `Err(why)` when some endpoint is unknown and none is known to be a pager.
fn has_pager(
    graph: &Graph<'_>,
    subs: &[Located<'_, Subscription>],
) -> Result<bool, crate::inventory::Unknown> {
    let endpoints: Vec<Endpoint<'_>> = subs.iter().map(|s| graph.endpoint(*s)).collect();
    if endpoints.iter().any(|e| matches!(e, Endpoint::Pager)) {
        return Ok(true);
    }
    match endpoints.into_iter().find_map(|e| match e {
        Endpoint::Unknown(u) => Some(u),
        _ => None,
    }) {
        Some(unknown) => Err(unknown),
        None => Ok(false),
    }
}

fn check_sub005(ctx: &Context<'_>, out: &mut Outcomes) {
    let analysis = ctx.analysis();
    let graph = &analysis.graph;
    for topic in analysis.reach.chain_and_failover_topics() {
        let subject = topic_subject(topic);
        let subs = match graph.subscriptions_of(topic) {
            Err(gap) => {
                out.not_assessed(subject, gap.describe());
                continue;
            }
            Ok(subs) => subs,
        };
        match has_pager(graph, &subs) {
            Ok(false) => continue,
            Err(unknown) => {
                // Keep the unknown's kind: "known after apply" must not cause exit 3.
                out.unknown(
                    subject,
                    &unknown,
                    "a subscription endpoint, so whether the topic pages",
                );
                continue;
            }
            Ok(true) => {}
        }
        sub005_topic(ctx, topic, subject, out);
    }
}

fn sub005_topic(
    ctx: &Context<'_>,
    topic: Located<'_, Topic>,
    subject: Subject,
    out: &mut Outcomes,
) {
    let name = match &topic.item.name {
        Known::Value(n) => n,
        Known::Unknown(u) => {
            out.unknown(subject, &u.unknown, "topic name");
            return;
        }
    };
    let Some(facts) = ctx.inventory.facts(topic.account, topic.region) else {
        out.not_assessed(subject, "the topic's account and region were not collected");
        return;
    };
    let alarms = match &facts.alarms {
        Observed::Gap(gap) => {
            out.not_assessed(subject, gap.describe());
            return;
        }
        Observed::Collected(alarms) => alarms,
    };
    let verdicts: Vec<(&Alarm, Option<bool>)> = alarms
        .iter()
        .map(|a| (a, watches_failed_notifications(a, name)))
        .collect();
    if let Some((alarm, _)) = verdicts.iter().find(|(_, v)| *v == Some(true)) {
        out.pass(
            subject,
            format!(
                "alarm {} watches NumberOfNotificationsFailed of topic {name}",
                alarm_label(alarm)
            ),
        );
    } else if let Some((alarm, _)) = verdicts.iter().find(|(_, v)| v.is_none()) {
        out.not_assessed(
            subject,
            format!(
                "alarm {}'s metric or dimensions are unknown; no other alarm watches NumberOfNotificationsFailed of topic {name}",
                alarm_label(alarm)
            ),
        );
    } else {
        out.fail(
            subject,
            format!(
                "topic {name} delivers to a pager endpoint, but no alarm in {}/{} watches AWS/SNS NumberOfNotificationsFailed (TopicName = {name}): a deleted or rejected integration fails silently",
                topic.account, topic.region
            ),
        );
    }
}

fn check_sub006(ctx: &Context<'_>, out: &mut Outcomes) {
    let analysis = ctx.analysis();
    let reaching = analysis.events_by_topic();
    let fallback: Vec<Value> = analysis
        .finding_walks
        .first()
        .and_then(|w| w.walk.as_ref())
        .map(|w| w.events.clone())
        .unwrap_or_default();
    for_each_subscription(analysis, out, |topic, sub, out| {
        let subject = subscription_subject(topic, sub.item).attribute("filter_policy");
        if !is_chain_topic(analysis, topic.item) {
            sub006_failover(sub.item, subject, out);
            return;
        }
        let events: Vec<&Value> = match reaching.get(&std::ptr::from_ref(topic.item)) {
            Some(list) if !list.is_empty() => list.clone(),
            _ => fallback.iter().collect(),
        };
        sub006_chain(topic, sub.item, &events, subject, out);
    });
}

/// A chain topic's subscription: fails when its filter policy passes none of
/// the sample events that reach the topic (narrowing by severity is left to ROUTE).
fn sub006_chain(
    topic: Located<'_, Topic>,
    sub: &Subscription,
    events: &[&Value],
    subject: Subject,
    out: &mut Outcomes,
) {
    let mut broken = None;
    let mut unknown = None;
    for event in events {
        match links::filter_passes(sub, event) {
            Link::Ok(why) => {
                out.pass(subject, why);
                return;
            }
            Link::Broken { why, .. } => broken = Some(why),
            Link::Unknown { why, kind } => unknown = Some((why, kind)),
        }
    }
    match (unknown, broken) {
        (Some((why, kind)), _) => {
            out.not_assessed_as(subject, why, kind);
        }
        (None, Some(why)) => {
            out.fail(
                subject,
                format!(
                    "subscription on topic {}: {why}; none of the {} sample events reaching the topic gets through",
                    topic_label(topic.item),
                    events.len()
                ),
            );
        }
        (None, None) => {
            out.not_assessed(subject, "no sample event reaches this topic");
        }
    }
}

/// A failover-only topic receives CloudWatch alarm notifications, not findings:
/// no filter passes; a MessageAttributes-scoped filter drops them all (CloudWatch
/// sets no message attributes); a body filter is not judged.
fn sub006_failover(sub: &Subscription, subject: Subject, out: &mut Outcomes) {
    match (&sub.filter_policy, &sub.filter_policy_scope) {
        (Known::Unknown(u), _) | (_, Known::Unknown(u)) => {
            out.unknown(subject, &u.unknown, "filter policy");
        }
        (Known::Value(None), _) => {
            out.pass(subject, "no filter policy");
        }
        (Known::Value(Some(_)), Known::Value(Some(scope))) if scope == "MessageBody" => {
            out.not_assessed(
                subject,
                "a message-body filter on a failover topic is not judged: alertpath has no sample alarm notification",
            );
        }
        (Known::Value(Some(_)), Known::Value(_)) => {
            out.fail(
                subject,
                "filter policy is scoped to MessageAttributes, and CloudWatch alarm notifications carry none: it drops every failover alarm",
            );
        }
    }
}
