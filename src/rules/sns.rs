//! SNS: topic policies and encryption of chain and failover topics.

use crate::catalog::RuleId;
use crate::chain::graph::{Located, Resolution};
use crate::chain::links::{self, Link, rule_label, topic_label};
use crate::inventory::{Known, Topic};
use crate::outcome::Outcomes;
use crate::policy::Policy;
use crate::rules::subjects::{alarm_subject, rule_subject, topic_subject};
use crate::rules::{Context, Rule, rule};

rule!(
    SNS001,
    "eventbridge-cannot-publish",
    High,
    Chain,
    [Live, Plan, Hcl],
    None,
    "A topic targeted by a route's rule does not let EventBridge publish to it",
    check_sns001
);
rule!(
    SNS002,
    "alarm-cannot-publish",
    High,
    Chain,
    [Live, Plan, Hcl],
    None,
    "A failover topic's policy does not let the CloudWatch alarm publish",
    check_sns002
);
rule!(
    SNS003,
    "topic-public",
    High,
    Chain,
    [Live, Plan, Hcl],
    None,
    "A chain or failover topic allows Principal * to publish, subscribe or receive without a pinning condition",
    check_sns003
);
rule!(
    SNS004,
    "topic-key-unusable",
    High,
    Chain,
    [Live, Plan, Hcl],
    None,
    "A chain or failover topic is encrypted with the AWS-managed SNS key",
    check_sns004
);
rule!(
    SNS005,
    "topic-key-denies-publisher",
    High,
    Chain,
    [Live],
    None,
    "A chain or failover topic's customer key is missing, disabled, or does not let the publisher use it",
    check_sns005
);

/// This family's rules, in catalog order.
pub(super) const RULES: &[Rule] = &[SNS001, SNS002, SNS003, SNS004, SNS005];

/// The publishing service of chain topics (EventBridge).
const EVENTS: &str = "events.amazonaws.com";
/// The publishing service of failover topics (CloudWatch alarms).
const CLOUDWATCH: &str = "cloudwatch.amazonaws.com";

fn check_sns001(ctx: &Context<'_>, out: &mut Outcomes) {
    let analysis = ctx.analysis();
    for reached in &analysis.reach.topics {
        if reached.publishers.is_empty() {
            continue;
        }
        let verdicts = reached
            .publishers
            .iter()
            .map(|(rule, target)| {
                let link =
                    links::eventbridge_can_publish(&analysis.graph, *rule, target, reached.topic);
                (format!("rule {}", rule_label(rule.item)), link)
            })
            .collect();
        let context = format!(
            "EventBridge publishing to topic {}",
            topic_label(reached.topic.item)
        );
        let subject = topic_subject(reached.topic).attribute("policy");
        if let Some(outcome) = out.report(subject, links::combine(verdicts), Some(&context)) {
            for (rule, _) in &reached.publishers {
                outcome.with_related("a publishing rule", rule_subject(*rule));
            }
        }
    }
}

fn check_sns002(ctx: &Context<'_>, out: &mut Outcomes) {
    let analysis = ctx.analysis();
    let reach = &analysis.reach;
    for topic in &reach.failover_topics {
        let alarms: Vec<Located<'_, crate::inventory::Alarm>> = reach
            .error_alarms
            .iter()
            .filter(|alarm| match &alarm.item.alarm_actions {
                Known::Value(actions) => actions.iter().any(|a| {
                    matches!(analysis.graph.resolve_topic(a), Resolution::Found(t) if std::ptr::eq(t.item, topic.item))
                }),
                Known::Unknown(_) => false,
            })
            .copied()
            .collect();
        if alarms.is_empty() {
            continue;
        }
        let verdicts = alarms
            .iter()
            .map(|alarm| {
                let name = alarm.item.name.value().cloned().unwrap_or_default();
                (
                    format!("alarm {name}"),
                    links::alarm_can_publish(*alarm, *topic),
                )
            })
            .collect();
        let context = format!(
            "alarms publishing to failover topic {}",
            topic_label(topic.item)
        );
        if let Some(outcome) = out.report(
            topic_subject(*topic).attribute("policy"),
            links::combine(verdicts),
            Some(&context),
        ) {
            for alarm in &alarms {
                outcome.with_related("a publishing alarm", alarm_subject(*alarm));
            }
        }
    }
}

/// The actions SNS003 treats as exposing a topic.
const PUBLIC_ACTIONS: [&str; 3] = ["sns:Publish", "sns:Subscribe", "sns:Receive"];

fn check_sns003(ctx: &Context<'_>, out: &mut Outcomes) {
    for topic in ctx.analysis().reach.chain_and_failover_topics() {
        judge_sns003(topic, out);
    }
}

fn judge_sns003(topic: Located<'_, Topic>, out: &mut Outcomes) {
    let subject = topic_subject(topic).attribute("policy");
    let name = topic_label(topic.item);
    let text = match &topic.item.policy {
        Known::Unknown(m) => {
            out.unknown(subject, &m.unknown, "topic policy");
            return;
        }
        Known::Value(None) => {
            out.pass(
                subject,
                format!("topic {name} has the default policy, which admits only its own account"),
            );
            return;
        }
        Known::Value(Some(text)) => text,
    };
    let policy = match Policy::parse(text) {
        Ok(p) => p,
        Err(e) => {
            out.not_assessed(subject, format!("topic {name}'s policy is malformed: {e}"));
            return;
        }
    };
    let grants = policy.public_grants(&PUBLIC_ACTIONS);
    if grants.is_empty() {
        out.pass(
            subject,
            format!("topic {name}'s policy grants publish, subscribe and receive to no unpinned Principal *"),
        );
        return;
    }
    let described: Vec<String> = grants
        .iter()
        .map(|g| {
            format!(
                "statement {} allows {} to Principal * ({})",
                g.sid.as_deref().unwrap_or("without Sid"),
                g.actions.join(", "),
                g.reason
            )
        })
        .collect();
    out.fail(
        subject,
        format!(
            "topic {name} is public: {}. Anyone can inject fake alerts or subscribe to read findings; pin the statement with aws:SourceAccount, aws:PrincipalOrgID or aws:SourceArn",
            described.join("; ")
        ),
    );
}

/// Chain and failover topics with the service that publishes to each.
fn topics_with_services<'b>(ctx: &'b Context<'_>) -> Vec<(Located<'b, Topic>, &'static str)> {
    let reach = &ctx.analysis().reach;
    let chain = reach.topics.iter().map(|t| (t.topic, EVENTS));
    let failover = reach.failover_topics.iter().map(|t| (*t, CLOUDWATCH));
    chain.chain(failover).collect()
}

fn check_sns004(ctx: &Context<'_>, out: &mut Outcomes) {
    let graph = &ctx.analysis().graph;
    let mut seen: Vec<&Topic> = Vec::new();
    for (topic, service) in topics_with_services(ctx) {
        if seen.iter().any(|t| std::ptr::eq(*t, topic.item)) {
            continue;
        }
        seen.push(topic.item);
        let link = match links::topic_key_usable(graph, topic, service) {
            Link::Unknown { .. } if customer_managed(graph, topic) => {
                Link::Ok("customer-managed (whether it is usable is SNS005's question)".into())
            }
            link => link,
        };
        let context = format!("topic {}'s KMS key", topic_label(topic.item));
        out.report(
            topic_subject(topic).attribute("kms_master_key_id"),
            link,
            Some(&context),
        );
    }
}

fn check_sns005(ctx: &Context<'_>, out: &mut Outcomes) {
    let graph = &ctx.analysis().graph;
    let all = topics_with_services(ctx);
    let mut seen: Vec<&Topic> = Vec::new();
    for (topic, _) in &all {
        if seen.iter().any(|t| std::ptr::eq(*t, topic.item)) {
            continue;
        }
        seen.push(topic.item);
        let subject = topic_subject(*topic).attribute("kms_master_key_id");
        let context = format!("topic {}'s KMS key", topic_label(topic.item));
        let verdicts: Vec<(String, Link)> = all
            .iter()
            .filter(|(t, _)| std::ptr::eq(t.item, topic.item))
            .map(|(_, service)| {
                (
                    format!("for {service}"),
                    links::topic_key_usable(graph, *topic, service),
                )
            })
            .collect();
        match links::combine(verdicts) {
            Link::Broken { rule, why } if rule != RuleId::SNS005 => {
                out.not_applicable(subject, format!("{context}: {why} ({rule} judges it)"));
            }
            link => {
                out.report(subject, link, Some(&context));
            }
        }
    }
}

/// Whether the topic's key resolved to a customer-managed key (so SNS004 is
/// answered even when SNS005 cannot read its policy).
fn customer_managed(graph: &crate::chain::graph::Graph<'_>, topic: Located<'_, Topic>) -> bool {
    matches!(
        links::topic_key(graph, topic),
        Some(Ok(key)) if key.key_manager.as_deref() == Some("CUSTOMER")
    )
}
