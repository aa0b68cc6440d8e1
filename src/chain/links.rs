//! One function per link of the alert path: does this link work? Link rules
//! (EVT, SNS, SUB) report these verdicts at resource level, and the ROUTE
//! evaluator composes them along a path, so each link's semantics live here once.

use serde_json::Value;

use crate::catalog::RuleId;
use crate::chain::graph::{Dest, Graph, Located, Resolution};
use crate::endpoints::Confirmation;
use crate::inventory::{
    Alarm, EventRule, Function, KmsKey, Known, Observed, SourceKind, Subscription, Target, Topic,
    Unknown, UnknownKind,
};
use crate::pattern::{Delivery, FilterPolicy, FilterPolicyScope};
use crate::policy::{Decision, Policy, Principal, Request, publishers};

/// Whether one link works.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Link {
    /// It works (the note says why, for messages).
    Ok(String),
    /// It is broken; `rule` is the link rule that describes it.
    Broken {
        /// The link rule's id, e.g. `SNS001`.
        rule: RuleId,
        /// Why.
        why: String,
    },
    /// It cannot be judged.
    Unknown {
        /// Why.
        why: String,
        /// The kind of unknown (known-after-apply does not cause exit 3).
        kind: UnknownKind,
    },
}

impl Link {
    fn broken(rule: RuleId, why: impl Into<String>) -> Self {
        Link::Broken {
            rule,
            why: why.into(),
        }
    }

    fn unknown(u: &Unknown, what: &str) -> Self {
        Link::Unknown {
            why: format!("{what}: {}", u.describe()),
            kind: u.kind,
        }
    }

    fn not_collected(why: impl Into<String>) -> Self {
        Link::Unknown {
            why: why.into(),
            kind: UnknownKind::NotObservable,
        }
    }

    /// Whether the link works.
    pub(crate) fn is_ok(&self) -> bool {
        matches!(self, Link::Ok(_))
    }
}

/// A resource's name for messages: its name, else its address or ARN, else `kind`.
fn label(name: &Known<String>, origin: &crate::inventory::Origin, kind: &str) -> String {
    name.value()
        .cloned()
        .or_else(|| origin.label().map(str::to_string))
        .unwrap_or_else(|| kind.to_string())
}

/// A rule's name for messages.
pub(crate) fn rule_label(rule: &EventRule) -> String {
    label(&rule.name, &rule.origin, "rule")
}

/// A topic's name for messages.
pub(crate) fn topic_label(topic: &Topic) -> String {
    label(&topic.name, &topic.origin, "topic")
}

/// A function's name for messages.
pub(crate) fn function_label(function: &Function) -> String {
    label(&function.name, &function.origin, "function")
}

/// EVT002: the rule is enabled (any state but `DISABLED`).
pub(crate) fn rule_enabled(rule: &EventRule) -> Link {
    match &rule.state {
        Known::Unknown(u) => Link::unknown(&u.unknown, "rule state"),
        Known::Value(s) if s.eq_ignore_ascii_case("DISABLED") => Link::broken(
            RuleId::EVT002,
            format!("rule {} is DISABLED", rule_label(rule)),
        ),
        Known::Value(s) => Link::Ok(format!("rule is {s}")),
    }
}

/// The ARN EventBridge presents as `aws:SourceArn` for a rule.
fn rule_arn(rule: Located<'_, EventRule>) -> Option<String> {
    rule.item.arn.value().cloned().or_else(|| {
        let partition = crate::inventory::arn::partition_of_region(rule.region);
        rule.item.name.value().map(|name| {
            format!(
                "arn:{partition}:events:{}:{}:rule/{name}",
                rule.region, rule.account
            )
        })
    })
}

/// EVT004: the target can receive at all (exists, same region, cross-account
/// needs a policy and a RoleArn). The topic policy itself is SNS001's business.
pub(crate) fn target_reachable(
    graph: &Graph<'_>,
    rule: Located<'_, EventRule>,
    target: &Target,
    dest: &Dest<'_>,
) -> Link {
    match dest {
        Dest::TopicUnresolved(Resolution::Missing(what)) => {
            Link::broken(RuleId::EVT004, format!("target topic {what}"))
        }
        Dest::TopicUnresolved(Resolution::NotCollected(why)) => {
            Link::not_collected(format!("target topic not collected: {why}"))
        }
        Dest::TopicUnresolved(Resolution::Unknown(u)) | Dest::Unknown(u) => {
            Link::unknown(u, "target ARN")
        }
        Dest::TopicUnresolved(Resolution::Found(_)) => Link::Ok("topic".into()),
        Dest::Topic(hop) => topic_target_reachable(graph, rule, target, hop.topic),
        Dest::Bus {
            account, region, ..
        } => bus_target_reachable(graph, rule, account, region),
        Dest::Function(Resolution::Missing(what)) => {
            Link::broken(RuleId::EVT004, format!("target function {what}"))
        }
        Dest::Function(Resolution::Found(_)) => Link::Ok("function target".into()),
        Dest::Function(Resolution::NotCollected(why)) => Link::not_collected(why.clone()),
        Dest::Function(Resolution::Unknown(u)) => Link::unknown(u, "target function"),
        Dest::Other(what) => Link::Ok(format!("{what} (not judged)")),
    }
}

fn topic_target_reachable(
    graph: &Graph<'_>,
    rule: Located<'_, EventRule>,
    target: &Target,
    topic: Located<'_, Topic>,
) -> Link {
    let name = topic_label(topic.item);
    if topic.region != rule.region {
        return Link::broken(
            RuleId::EVT004,
            format!(
                "topic {name} is in {}, but the rule is in {}: EventBridge never delivers to an SNS topic in another region",
                topic.region, rule.region
            ),
        );
    }
    if topic.account == rule.account {
        return Link::Ok("same account and region".into());
    }
    let has_role = matches!(&target.role_arn, Known::Value(Some(_)));
    let policy = eventbridge_can_publish(graph, rule, target, topic);
    match (has_role, policy) {
        (true, Link::Ok(_)) => Link::Ok("cross-account with RoleArn and an allowing policy".into()),
        (_, Link::Unknown { why, kind }) => Link::Unknown { why, kind },
        (false, _) => Link::broken(
            RuleId::EVT004,
            format!(
                "topic {name} is in account {}, and the target has no RoleArn",
                topic.account
            ),
        ),
        (true, _) => Link::broken(
            RuleId::EVT004,
            format!(
                "topic {name} in account {} does not allow this rule to publish",
                topic.account
            ),
        ),
    }
}

fn bus_target_reachable(
    graph: &Graph<'_>,
    rule: Located<'_, EventRule>,
    account: &str,
    region: &str,
) -> Link {
    if account == rule.account {
        return Link::Ok("bus in the same account".into());
    }
    let Some(facts) = graph.inventory().facts(account, region) else {
        return Link::not_collected(format!(
            "the receiving bus in {account}/{region} was not collected"
        ));
    };
    let buses = match &facts.event_buses {
        Observed::Gap(gap) => return Link::not_collected(gap.describe()),
        Observed::Collected(b) => b,
    };
    let Some(bus) = buses.iter().find(|b| b.name == "default") else {
        return Link::not_collected(format!(
            "the default bus policy of {account}/{region} was not collected"
        ));
    };
    let policy = match &bus.policy {
        Known::Unknown(u) => return Link::unknown(&u.unknown, "bus policy"),
        Known::Value(None) => {
            return Link::broken(
                RuleId::EVT004,
                format!(
                    "the default bus of {account} has no policy allowing {}",
                    rule.account
                ),
            );
        }
        Known::Value(Some(p)) => p,
    };
    let bus_arn = bus
        .arn
        .value()
        .cloned()
        .unwrap_or_else(|| format!("arn:aws:events:{region}:{account}:event-bus/default"));
    let request = Request {
        principal: Principal::Aws {
            account: rule.account.to_string(),
            arn: None,
        },
        action: "events:PutEvents".into(),
        resource: bus_arn,
        context: Default::default(),
    };
    match evaluate_text(p_or(policy), &request) {
        Decision::Allow => Link::Ok("receiving bus policy allows the sender".into()),
        Decision::Unknown(why) => Link::not_collected(why),
        _ => Link::broken(
            RuleId::EVT004,
            format!(
                "the default bus of {account} does not allow events:PutEvents from {}",
                rule.account
            ),
        ),
    }
}

fn p_or(text: &str) -> &str {
    text
}

fn evaluate_text(policy: &str, request: &Request) -> Decision {
    match Policy::parse(policy) {
        Ok(p) => p.evaluate(request),
        Err(e) => Decision::Unknown(format!("malformed policy: {e}")),
    }
}

/// SNS001: the topic policy lets EventBridge publish from this rule to this topic.
pub(crate) fn eventbridge_can_publish(
    graph: &Graph<'_>,
    rule: Located<'_, EventRule>,
    target: &Target,
    topic: Located<'_, Topic>,
) -> Link {
    let name = topic_label(topic.item);
    if let Some(arn) = topic.item.arn.value()
        && graph
            .config()
            .chain
            .assume_publish_allowed
            .iter()
            .any(|a| a == arn)
    {
        return Link::Ok("asserted in config [chain] assume_publish_allowed".into());
    }
    match &target.role_arn {
        Known::Value(Some(role)) => {
            return Link::not_collected(format!(
                "delivery goes through role {role}, whose policy was not collected"
            ));
        }
        Known::Unknown(u) => return Link::unknown(&u.unknown, "target RoleArn"),
        Known::Value(None) => {}
    }
    let policy = match &topic.item.policy {
        Known::Unknown(u) => return Link::unknown(&u.unknown, "topic policy"),
        Known::Value(None) => {
            return Link::broken(
                RuleId::SNS001,
                format!(
                    "topic {name} has the default policy, which EventBridge cannot use (it presents no aws:SourceOwner)"
                ),
            );
        }
        Known::Value(Some(p)) => p,
    };
    let topic_arn = match &topic.item.arn {
        Known::Value(a) => a.clone(),
        Known::Unknown(u) => return Link::unknown(&u.unknown, "topic ARN"),
    };
    let Some(rule_arn) = rule_arn(rule) else {
        return Link::not_collected("the rule's ARN and name are unknown");
    };
    let request = publishers::eventbridge_to_sns(&rule_arn, rule.account, &topic_arn);
    match evaluate_text(policy, &request) {
        Decision::Allow => Link::Ok("topic policy allows events.amazonaws.com".into()),
        Decision::ExplicitDeny { sid } => Link::broken(
            RuleId::SNS001,
            format!(
                "topic {name}'s policy denies events.amazonaws.com sns:Publish (statement {})",
                sid.unwrap_or_else(|| "without Sid".into())
            ),
        ),
        Decision::ImplicitDeny => Link::broken(
            RuleId::SNS001,
            format!(
                "topic {name}'s policy does not allow events.amazonaws.com to sns:Publish to {topic_arn}{}",
                placeholder_hint(policy)
            ),
        ),
        Decision::Unknown(why) => Link::not_collected(format!("topic {name}'s policy: {why}")),
    }
}

/// A hint when a policy's Resource holds a literal placeholder region or account.
fn placeholder_hint(policy: &str) -> &'static str {
    let placeholders = [":region:", ":REGION:", ":account:", ":ACCOUNT_ID:", "${"];
    if placeholders.iter().any(|p| policy.contains(p)) {
        " (its Resource holds a literal placeholder such as `arn:aws:sns:region:…`)"
    } else {
        ""
    }
}

/// SNS002: the topic policy lets this CloudWatch alarm publish.
pub(crate) fn alarm_can_publish(alarm: Located<'_, Alarm>, topic: Located<'_, Topic>) -> Link {
    let name = topic_label(topic.item);
    let policy = match &topic.item.policy {
        Known::Unknown(u) => return Link::unknown(&u.unknown, "topic policy"),
        Known::Value(None) if alarm.account == topic.account => {
            return Link::Ok("the default policy lets same-account alarms publish".into());
        }
        Known::Value(None) => {
            return Link::broken(
                RuleId::SNS002,
                format!(
                    "topic {name} has the default policy; alarms from account {} cannot publish",
                    alarm.account
                ),
            );
        }
        Known::Value(Some(p)) => p,
    };
    let topic_arn = match &topic.item.arn {
        Known::Value(a) => a.clone(),
        Known::Unknown(u) => return Link::unknown(&u.unknown, "topic ARN"),
    };
    let alarm_arn = alarm.item.arn.value().cloned().unwrap_or_else(|| {
        format!(
            "arn:aws:cloudwatch:{}:{}:alarm:{}",
            alarm.region,
            alarm.account,
            alarm.item.name.value().cloned().unwrap_or_default()
        )
    });
    let request = publishers::cloudwatch_alarm_to_sns(&alarm_arn, alarm.account, &topic_arn);
    match evaluate_text(policy, &request) {
        Decision::Allow => Link::Ok("topic policy allows the alarm".into()),
        Decision::Unknown(why) => Link::not_collected(format!("topic {name}'s policy: {why}")),
        _ => Link::broken(
            RuleId::SNS002,
            format!(
                "topic {name}'s policy does not let alarm {} publish{}",
                alarm.item.name.value().cloned().unwrap_or_default(),
                placeholder_hint(policy)
            ),
        ),
    }
}

/// Whether a key reference names the AWS-managed SNS key.
pub(crate) fn is_aws_managed_sns_alias(key: &str) -> bool {
    key == "alias/aws/sns" || key.ends_with(":alias/aws/sns")
}

/// The resolved KMS key a topic names, if collected.
pub(crate) fn topic_key<'a>(
    graph: &Graph<'a>,
    topic: Located<'a, Topic>,
) -> Option<Result<&'a KmsKey, String>> {
    let key = topic.item.kms_master_key_id.value()?.as_deref()?;
    let facts = graph.inventory().facts(topic.account, topic.region)?;
    Some(match &facts.kms_keys {
        Observed::Gap(gap) => Err(gap.describe()),
        Observed::Collected(keys) => keys
            .iter()
            .find(|k| k.reference == key || k.arn.as_deref() == Some(key))
            .ok_or_else(|| format!("key {key} was not resolved")),
    })
}

/// SNS004 and SNS005: the topic's key lets `service` publish (`events.amazonaws.com`
/// or `cloudwatch.amazonaws.com`).
pub(crate) fn topic_key_usable(
    graph: &Graph<'_>,
    topic: Located<'_, Topic>,
    service: &str,
) -> Link {
    let name = topic_label(topic.item);
    let key = match &topic.item.kms_master_key_id {
        Known::Unknown(u) => return Link::unknown(&u.unknown, "topic KMS key"),
        Known::Value(None) => return Link::Ok("not encrypted".into()),
        Known::Value(Some(k)) => k,
    };
    if is_aws_managed_sns_alias(key) {
        return Link::broken(
            RuleId::SNS004,
            format!(
                "topic {name} is encrypted with the AWS-managed key alias/aws/sns, whose policy no service publisher can use"
            ),
        );
    }
    if graph.inventory().source.kind != SourceKind::Live {
        return Link::Ok("customer key (judged live only)".into());
    }
    let resolved = match topic_key(graph, topic) {
        Some(Ok(k)) => k,
        Some(Err(why)) => return Link::not_collected(why),
        None => return Link::not_collected(format!("key {key} was not collected")),
    };
    key_usable(&name, resolved, service)
}

fn key_usable(topic: &str, key: &KmsKey, service: &str) -> Link {
    if key.key_manager.as_deref() == Some("AWS") {
        return Link::broken(
            RuleId::SNS004,
            format!("topic {topic} is encrypted with an AWS-managed key"),
        );
    }
    match key.key_state.as_deref() {
        None => {
            return Link::broken(
                RuleId::SNS005,
                format!("topic {topic}'s key {} does not exist", key.reference),
            );
        }
        Some("Enabled") => {}
        Some(state) => {
            return Link::broken(
                RuleId::SNS005,
                format!("topic {topic}'s key {} is {state}", key.reference),
            );
        }
    }
    let policy = match &key.policy {
        Observed::Gap(gap) => return Link::not_collected(gap.describe()),
        Observed::Collected(None) => {
            return Link::not_collected(format!(
                "the policy of key {} was not read",
                key.reference
            ));
        }
        Observed::Collected(Some(p)) => p,
    };
    let arn = key.arn.clone().unwrap_or_else(|| key.reference.clone());
    let denied: Vec<String> = publishers::service_uses_kms_key(service, &arn)
        .iter()
        .filter(|r| !matches!(evaluate_text(policy, r), Decision::Allow))
        .map(|r| r.action.clone())
        .collect();
    if denied.is_empty() {
        Link::Ok("key policy lets the publisher use the key".into())
    } else {
        Link::broken(
            RuleId::SNS005,
            format!(
                "topic {topic}'s key policy does not allow {service} {}",
                denied.join(", ")
            ),
        )
    }
}

/// SUB001 and every consumer of "Confirmed" (SUB004, ALM003, routes): does
/// the subscription count as confirmed? The decision is
/// [`crate::endpoints::confirmation`] for the inventory's source, with
/// `[pager] endpoint_patterns`; a pending subscription is SUB001's link.
pub(crate) fn subscription_confirmed(graph: &Graph<'_>, sub: &Subscription) -> Link {
    match graph.confirmation(sub) {
        Confirmation::Confirmed(why) => Link::Ok(why),
        Confirmation::Pending => Link::broken(
            RuleId::SUB001,
            "subscription is PendingConfirmation and delivers nothing",
        ),
        Confirmation::Unknown(u) => Link::unknown(&u, "confirmation"),
    }
}

/// SUB006: the subscription's filter policy lets `event` through (published by
/// EventBridge: the event JSON as the body, no message attributes).
pub(crate) fn filter_passes(sub: &Subscription, event: &Value) -> Link {
    let policy = match &sub.filter_policy {
        Known::Unknown(u) => return Link::unknown(&u.unknown, "filter policy"),
        Known::Value(None) => return Link::Ok("no filter policy".into()),
        Known::Value(Some(p)) => p,
    };
    let scope = match &sub.filter_policy_scope {
        Known::Unknown(u) => return Link::unknown(&u.unknown, "filter policy scope"),
        Known::Value(Some(s)) if s == "MessageBody" => FilterPolicyScope::MessageBody,
        Known::Value(_) => FilterPolicyScope::MessageAttributes,
    };
    let parsed = match FilterPolicy::parse(policy, scope) {
        Ok(p) => p,
        Err(e) => return Link::broken(RuleId::SUB006, format!("filter policy is malformed: {e}")),
    };
    match parsed.evaluate(&event.to_string(), &Default::default()) {
        Delivery::Delivered => Link::Ok("filter policy passes the finding".into()),
        Delivery::Unknown(why) => Link::not_collected(why),
        Delivery::Filtered => filtered(scope),
    }
}

/// SUB006's failure for a filter policy that drops the finding.
fn filtered(scope: FilterPolicyScope) -> Link {
    if scope == FilterPolicyScope::MessageAttributes {
        Link::broken(
            RuleId::SUB006,
            "filter policy is scoped to MessageAttributes, and EventBridge sets none: it drops every finding",
        )
    } else {
        Link::broken(RuleId::SUB006, "filter policy drops this finding")
    }
}

/// SUB003: SNS can invoke the subscribed function.
pub(crate) fn function_invocable(
    topic: Located<'_, Topic>,
    function: &Resolution<'_, Function>,
) -> Link {
    let f = match function {
        Resolution::Found(f) => f,
        Resolution::Missing(what) => {
            return Link::broken(RuleId::SUB003, format!("subscribed function {what}"));
        }
        Resolution::NotCollected(why) => return Link::not_collected(why.clone()),
        Resolution::Unknown(u) => return Link::unknown(u, "subscribed function"),
    };
    let name = function_label(f.item);
    match &f.item.state {
        Known::Value(Some(s)) if s == "Failed" => {
            return Link::broken(
                RuleId::SUB003,
                format!("function {name} is in state Failed"),
            );
        }
        Known::Unknown(u) => return Link::unknown(&u.unknown, "function state"),
        _ => {}
    }
    match &f.item.reserved_concurrency {
        Known::Value(Some(0)) => {
            return Link::broken(
                RuleId::SUB003,
                format!("function {name} has reserved concurrency 0: it never runs"),
            );
        }
        Known::Unknown(u) => return Link::unknown(&u.unknown, "reserved concurrency"),
        _ => {}
    }
    let policy = match &f.item.policy {
        Known::Unknown(u) => return Link::unknown(&u.unknown, "function resource policy"),
        Known::Value(None) => {
            return Link::broken(
                RuleId::SUB003,
                format!(
                    "function {name} has no resource policy letting sns.amazonaws.com invoke it"
                ),
            );
        }
        Known::Value(Some(p)) => p,
    };
    let (Some(topic_arn), Some(function_arn)) = (topic.item.arn.value(), f.item.arn.value()) else {
        return Link::Unknown {
            why: "topic or function ARN is known only after apply".into(),
            kind: UnknownKind::KnownAfterApply,
        };
    };
    let request = publishers::sns_to_lambda(topic_arn, topic.account, function_arn);
    match evaluate_text(policy, &request) {
        Decision::Allow => Link::Ok("resource policy lets SNS invoke it".into()),
        Decision::Unknown(why) => Link::not_collected(why),
        _ => Link::broken(
            RuleId::SUB003,
            format!(
                "function {name}'s resource policy does not let sns.amazonaws.com invoke it from topic {}",
                topic_label(topic.item)
            ),
        ),
    }
}

/// Combine several verdicts about one resource into one: broken when any is
/// broken (naming each broken one by its label), else unknown when any is,
/// else ok. Used where one resource is judged once per counterpart (a topic
/// policy per publishing rule), so each resource yields one outcome.
pub(crate) fn combine(verdicts: Vec<(String, Link)>) -> Link {
    let mut broken = Vec::new();
    let mut unknown = None;
    let mut ok = Vec::new();
    for (label, link) in verdicts {
        match link {
            Link::Broken { rule, why } => broken.push((rule, format!("{label}: {why}"))),
            Link::Unknown { why, kind } => {
                if unknown.is_none() {
                    unknown = Some(Link::Unknown {
                        why: format!("{label}: {why}"),
                        kind,
                    });
                }
            }
            Link::Ok(why) => ok.push(format!("{label}: {why}")),
        }
    }
    if let Some((rule, _)) = broken.first() {
        let rule = *rule;
        let why = broken
            .into_iter()
            .map(|(_, w)| w)
            .collect::<Vec<_>>()
            .join("; ");
        return Link::Broken { rule, why };
    }
    unknown.unwrap_or_else(|| Link::Ok(ok.join("; ")))
}

/// A subscription whose own topic is unknown may be on `topic`: what a
/// topic with no (working) subscription then is, not "reaches nobody".
pub(crate) fn maybe_on_topic(graph: &Graph<'_>, topic: Located<'_, Topic>) -> Option<Link> {
    let (sub, unknown) = graph.unplaced_subscriptions(topic).into_iter().next()?;
    Some(unplaced_on(topic, sub, &unknown))
}

/// The link from `topic` to a subscription whose own topic is `unknown`.
pub(crate) fn unplaced_on(
    topic: Located<'_, Topic>,
    sub: &Subscription,
    unknown: &Unknown,
) -> Link {
    let what =
        sub.origin.address.clone().unwrap_or_else(|| {
            format!("a {} subscription", sub.protocol.value().map_or("", |p| p))
        });
    Link::Unknown {
        why: format!(
            "{what} may be on topic {}: its topic is {}",
            topic_label(topic.item),
            unknown.describe()
        ),
        kind: unknown.kind,
    }
}

/// SUB004's verdict on a topic: does it have a confirmed subscription?
/// `Broken` when all are pending or there are none; `Unknown` when none is
/// confirmed and some cannot be judged (or the list is a gap).
pub(crate) fn topic_confirmed(graph: &Graph<'_>, topic: Located<'_, Topic>) -> Link {
    let name = topic_label(topic.item);
    let subs = match graph.subscriptions_of(topic) {
        Err(gap) => {
            return Link::Unknown {
                why: format!("subscriptions of topic {name}: {}", gap.describe()),
                kind: UnknownKind::NotObservable,
            };
        }
        Ok(subs) => subs,
    };
    let mut unknown = None;
    let mut pending = 0;
    for sub in &subs {
        match subscription_confirmed(graph, sub.item) {
            Link::Ok(_) => {
                return Link::Ok(format!("topic {name} has a confirmed subscription"));
            }
            Link::Broken { .. } => pending += 1,
            Link::Unknown { why, kind } => unknown = Some((why, kind)),
        }
    }
    if let Some((why, kind)) = unknown {
        return Link::Unknown {
            why: format!("topic {name} has no subscription known to be confirmed: {why}"),
            kind,
        };
    }
    if let Some(maybe) = maybe_on_topic(graph, topic) {
        return maybe;
    }
    let why = if subs.is_empty() {
        format!("topic {name} has no subscription: whatever is published to it reaches nobody")
    } else {
        format!(
            "topic {name} has no confirmed subscription ({pending} pending confirmation): whatever is published to it reaches nobody"
        )
    };
    Link::Broken {
        rule: RuleId::SUB004,
        why,
    }
}
