//! SNS: topic policies and encryption of chain and failover topics.

use crate::graph::{Located, Resolution};
use crate::inventory::{Alarm, Known, Topic};
use crate::links::{self, Link, rule_label, topic_label};
use crate::outcome::{Outcomes, Subject};
use crate::policy::Policy;
use crate::rules::evt::{report_link, rule_subject};
use crate::rules::{Context, rule};

rule!(
    SNS001,
    "eventbridge-cannot-publish",
    "sns",
    Sns,
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
    "sns",
    Sns,
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
    "sns",
    Sns,
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
    "sns",
    Sns,
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
    "sns",
    Sns,
    High,
    Chain,
    [Live],
    None,
    "A chain or failover topic's customer key is missing, disabled, or does not let the publisher use it",
    check_sns005
);

/// The publishing service of chain topics (EventBridge).
const EVENTS: &str = "events.amazonaws.com";
/// The publishing service of failover topics (CloudWatch alarms).
const CLOUDWATCH: &str = "cloudwatch.amazonaws.com";

/// The subject for a topic, pointing at `attribute`.
fn topic_subject(topic: Located<'_, Topic>, attribute: &str) -> Subject {
    Subject::resource(
        topic.account,
        topic.region,
        "sns-topic",
        topic_label(topic.item),
        &topic.item.origin,
    )
    .attribute(attribute)
}

fn alarm_subject(alarm: Located<'_, Alarm>) -> Subject {
    let name = alarm
        .item
        .name
        .value()
        .cloned()
        .unwrap_or_else(|| "alarm".into());
    Subject::resource(
        alarm.account,
        alarm.region,
        "cloudwatch-alarm",
        name,
        &alarm.item.origin,
    )
}

fn check_sns001(ctx: &Context<'_>, out: &mut Outcomes) {
    let analysis = ctx.analysis();
    for reached in &analysis.reach.topics {
        for (rule, target) in &reached.publishers {
            let link =
                links::eventbridge_can_publish(&analysis.graph, *rule, target, reached.topic);
            let context = format!(
                "EventBridge rule {} publishing to topic {}",
                rule_label(rule.item),
                topic_label(reached.topic.item)
            );
            let subject = topic_subject(reached.topic, "policy");
            if let Some(outcome) = report_link(out, "SNS001", subject, link, &context) {
                outcome.with_related("the publishing rule", rule_subject(*rule));
            }
        }
    }
}

fn check_sns002(ctx: &Context<'_>, out: &mut Outcomes) {
    let analysis = ctx.analysis();
    let reach = &analysis.reach;
    for alarm in &reach.error_alarms {
        let Known::Value(actions) = &alarm.item.alarm_actions else {
            continue;
        };
        for action in actions {
            let Resolution::Found(topic) = analysis.graph.resolve_topic(action) else {
                continue;
            };
            if !reach
                .failover_topics
                .iter()
                .any(|t| std::ptr::eq(t.item, topic.item))
            {
                continue;
            }
            let context = format!(
                "alarm {} publishing to failover topic {}",
                alarm.item.name.value().cloned().unwrap_or_default(),
                topic_label(topic.item)
            );
            let link = links::alarm_can_publish(*alarm, topic);
            if let Some(outcome) = report_link(
                out,
                "SNS002",
                topic_subject(topic, "policy"),
                link,
                &context,
            ) {
                outcome.with_related("the alarm", alarm_subject(*alarm));
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
    let subject = topic_subject(topic, "policy");
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
        report_link(
            out,
            "SNS004",
            topic_subject(topic, "kms_master_key_id"),
            link,
            &context,
        );
    }
}

fn check_sns005(ctx: &Context<'_>, out: &mut Outcomes) {
    let graph = &ctx.analysis().graph;
    for (topic, service) in topics_with_services(ctx) {
        let subject = topic_subject(topic, "kms_master_key_id");
        let context = format!(
            "topic {}'s KMS key, for publisher {service}",
            topic_label(topic.item)
        );
        match links::topic_key_usable(graph, topic, service) {
            Link::Broken { rule, why } if rule != "SNS005" => {
                out.not_applicable(subject, format!("{context}: {why} ({rule} judges it)"));
            }
            link => {
                report_link(out, "SNS005", subject, link, &context);
            }
        }
    }
}

/// Whether the topic's key resolved to a customer-managed key (so SNS004 is
/// answered even when SNS005 cannot read its policy).
fn customer_managed(graph: &crate::graph::Graph<'_>, topic: Located<'_, Topic>) -> bool {
    matches!(
        links::topic_key(graph, topic),
        Some(Ok(key)) if key.key_manager.as_deref() == Some("CUSTOMER")
    )
}
