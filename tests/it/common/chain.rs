//! Builders for alert-chain resources, and a complete healthy chain that tests
//! break one link of.

use std::collections::BTreeMap;

use alertpath::inventory::*;

use super::Org;

/// The PagerDuty endpoint as collected (key redacted).
pub const PAGER: &str = "https://events.pagerduty.com/integration/<redacted>/enqueue";

pub fn topic_arn(account: &str, region: &str, name: &str) -> String {
    format!("arn:aws:sns:{region}:{account}:{name}")
}

pub fn function_arn(account: &str, region: &str, name: &str) -> String {
    format!("arn:aws:lambda:{region}:{account}:function:{name}")
}

/// A topic policy letting the owner account, and `services` from that account, publish.
pub fn publish_policy(account: &str, region: &str, name: &str, services: &[&str]) -> String {
    let arn = topic_arn(account, region, name);
    serde_json::json!({
        "Version": "2012-10-17",
        "Statement": [
            {"Sid": "owner", "Effect": "Allow", "Principal": {"AWS": "*"},
             "Action": ["sns:Publish", "sns:Subscribe"], "Resource": arn,
             "Condition": {"StringEquals": {"AWS:SourceOwner": account}}},
            {"Sid": "services", "Effect": "Allow", "Principal": {"Service": services},
             "Action": "sns:Publish", "Resource": arn,
             "Condition": {"StringEquals": {"aws:SourceAccount": account}}}
        ]
    })
    .to_string()
}

pub fn topic(account: &str, region: &str, name: &str, policy: Option<String>) -> Topic {
    let arn = topic_arn(account, region, name);
    Topic {
        origin: Origin::arn(&arn),
        name: Known::Value(name.into()),
        arn: Known::Value(arn),
        policy: Known::Value(policy),
        kms_master_key_id: Known::Value(None),
    }
}

pub fn subscription(
    account: &str,
    region: &str,
    topic: &str,
    protocol: &str,
    endpoint: &str,
) -> Subscription {
    let topic_arn = topic_arn(account, region, topic);
    let arn = subscription_arn(&topic_arn, protocol, endpoint);
    Subscription {
        origin: Origin::arn(arn.clone()),
        arn: Some(arn),
        topic: Ref::arn(topic_arn),
        protocol: Known::Value(protocol.into()),
        endpoint: Known::Value(endpoint.into()),
        endpoint_address: None,
        pager_patterns: Default::default(),
        pending_confirmation: Known::Value(false),
        endpoint_auto_confirms: None,
        filter_policy: Known::Value(None),
        filter_policy_scope: Known::Value(None),
    }
}

/// A subscription ARN as SNS writes it (`<topic ARN>:<uuid>`), its id derived
/// from protocol and endpoint (FNV-1a) so two subscriptions on one topic
/// differ and snapshots stay stable.
fn subscription_arn(topic_arn: &str, protocol: &str, endpoint: &str) -> String {
    let mut hash: u32 = 0x811c_9dc5;
    for byte in protocol.bytes().chain([0]).chain(endpoint.bytes()) {
        hash = (hash ^ u32::from(byte)).wrapping_mul(0x0100_0193);
    }
    format!("{topic_arn}:{hash:08x}-0000-4000-8000-000000000000")
}

pub fn target(account: &str, region: &str, topic: &str) -> Target {
    Target {
        origin: Origin::default(),
        id: Known::Value(topic.into()),
        arn: Ref::arn(topic_arn(account, region, topic)),
        role_arn: Known::Value(None),
        input_template: Known::Value(None),
        input: Known::Value(None),
        dead_letter_arn: Known::Value(None),
    }
}

pub fn rule(
    account: &str,
    region: &str,
    name: &str,
    pattern: &str,
    targets: Vec<Target>,
) -> EventRule {
    let arn = format!("arn:aws:events:{region}:{account}:rule/{name}");
    EventRule {
        origin: Origin::arn(&arn),
        name: Known::Value(name.into()),
        arn: Known::Value(arn),
        event_bus: "default".into(),
        state: Known::Value("ENABLED".into()),
        event_pattern: Known::Value(Some(pattern.into())),
        managed_by: None,
        targets: Observed::Collected(targets),
    }
}

pub const FINDING_PATTERN: &str =
    r#"{"source":["aws.guardduty"],"detail-type":["GuardDuty Finding"]}"#;
pub const ROOT_PATTERN: &str = r#"{"detail-type":["AWS Console Sign In via CloudTrail"],"detail":{"userIdentity":{"type":["Root"]}}}"#;

/// A notify-slack notifier invocable by SNS from `topic`.
pub fn notifier(account: &str, region: &str, name: &str, topic: &str) -> Function {
    let arn = function_arn(account, region, name);
    let policy = serde_json::json!({
        "Version": "2012-10-17",
        "Statement": [{"Sid": "sns", "Effect": "Allow", "Principal": {"Service": "sns.amazonaws.com"},
            "Action": "lambda:InvokeFunction", "Resource": arn,
            "Condition": {"ArnLike": {"AWS:SourceArn": topic_arn(account, region, topic)}}}]
    })
    .to_string();
    Function {
        origin: Origin::arn(&arn),
        name: Known::Value(name.into()),
        arn: Known::Value(arn),
        handler: Known::Value(Some("notify_slack.lambda_handler".into())),
        state: Known::Value(Some("Active".into())),
        reserved_concurrency: Known::Value(None),
        environment: Known::Value(BTreeMap::from([
            ("SLACK_WEBHOOK_URL".to_string(), EnvValue::KmsCiphertext),
            ("SLACK_CHANNEL".to_string(), EnvValue::Other),
        ])),
        policy: Known::Value(Some(policy)),
        log_group: Known::Value(Some(format!("/aws/lambda/{name}"))),
    }
}

#[allow(clippy::too_many_arguments)]
pub fn alarm(
    account: &str,
    region: &str,
    name: &str,
    namespace: &str,
    metric: &str,
    dims: &[(&str, &str)],
    statistic: &str,
    actions: &[&str],
) -> Alarm {
    let arn = format!("arn:aws:cloudwatch:{region}:{account}:alarm:{name}");
    Alarm {
        origin: Origin::arn(&arn),
        name: Known::Value(name.into()),
        arn: Known::Value(arn),
        namespace: Known::Value(Some(namespace.into())),
        metric_name: Known::Value(Some(metric.into())),
        dimensions: Known::Value(
            dims.iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        ),
        statistic: Known::Value(Some(statistic.into())),
        threshold: Known::Value(Some(1.0)),
        comparison_operator: Known::Value("GreaterThanOrEqualToThreshold".into()),
        actions_enabled: Known::Value(true),
        alarm_actions: Known::Value(
            actions
                .iter()
                .map(|t| Ref::arn(topic_arn(account, region, t)))
                .collect(),
        ),
    }
}

/// The metric filter pattern the healthy chain uses for notify-slack's HTTP errors.
pub const WEBHOOK_ERROR_PATTERN: &str = "\"HTTP Error\"";

impl Org {
    /// A complete, healthy alert chain in `account`/`region` (which must exist):
    /// rule `guardduty-finding-events` → `gd-pager` (PagerDuty) and `gd-slack`
    /// (notify_slack Lambda); alarms on the notifier's Errors, the pager topic's
    /// failed notifications and the rule's failed invocations → `gd-failover`
    /// (PagerDuty), and on `gd-failover`'s failed notifications → `gd-pager`;
    /// a metric filter on the notifier's log group with its alarm; a
    /// SecureString webhook parameter. In the global region it also adds a
    /// root sign-in rule → `gd-pager`.
    pub fn healthy_chain(mut self, account: &str, region: &str) -> Self {
        let (a, r) = (account, region);
        let facts = self.facts(a, r);
        let eb = ["events.amazonaws.com"];
        let cw = ["cloudwatch.amazonaws.com"];
        facts.topics = Observed::Collected(vec![
            topic(
                a,
                r,
                "gd-pager",
                Some(publish_policy(a, r, "gd-pager", &eb)),
            ),
            topic(
                a,
                r,
                "gd-slack",
                Some(publish_policy(a, r, "gd-slack", &eb)),
            ),
            topic(
                a,
                r,
                "gd-failover",
                Some(publish_policy(a, r, "gd-failover", &cw)),
            ),
        ]);
        facts.subscriptions = Observed::Collected(vec![
            subscription(a, r, "gd-pager", "https", PAGER),
            subscription(
                a,
                r,
                "gd-slack",
                "lambda",
                &function_arn(a, r, "notify_slack"),
            ),
            subscription(a, r, "gd-failover", "https", PAGER),
        ]);
        facts.functions = Observed::Collected(vec![notifier(a, r, "notify_slack", "gd-slack")]);
        let mut rules = vec![rule(
            a,
            r,
            "guardduty-finding-events",
            FINDING_PATTERN,
            vec![target(a, r, "gd-pager"), target(a, r, "gd-slack")],
        )];
        if r == "us-east-1" {
            rules.push(rule(
                a,
                r,
                "root-sign-in",
                ROOT_PATTERN,
                vec![target(a, r, "gd-pager")],
            ));
        }
        facts.event_rules = Observed::Collected(rules);
        facts.alarms = Observed::Collected(vec![
            alarm(
                a,
                r,
                "notify-slack-errors",
                "AWS/Lambda",
                "Errors",
                &[("FunctionName", "notify_slack")],
                "Sum",
                &["gd-failover"],
            ),
            alarm(
                a,
                r,
                "gd-pager-failed",
                "AWS/SNS",
                "NumberOfNotificationsFailed",
                &[("TopicName", "gd-pager")],
                "Sum",
                &["gd-failover"],
            ),
            alarm(
                a,
                r,
                "gd-failover-failed",
                "AWS/SNS",
                "NumberOfNotificationsFailed",
                &[("TopicName", "gd-failover")],
                "Sum",
                &["gd-pager"],
            ),
            alarm(
                a,
                r,
                "gd-rule-failed",
                "AWS/Events",
                "FailedInvocations",
                &[("RuleName", "guardduty-finding-events")],
                "Sum",
                &["gd-failover"],
            ),
            alarm(
                a,
                r,
                "slack-webhook-errors",
                "alertpath/notify-slack",
                "SlackHttpErrors",
                &[],
                "Sum",
                &["gd-failover"],
            ),
        ]);
        facts.metric_filters = Observed::Collected(vec![MetricFilter {
            origin: Origin::default(),
            name: Known::Value("slack-http-errors".into()),
            log_group: Known::Value("/aws/lambda/notify_slack".into()),
            pattern: Known::Value(WEBHOOK_ERROR_PATTERN.into()),
            metrics: Known::Value(vec![MetricRef {
                namespace: "alertpath/notify-slack".into(),
                name: "SlackHttpErrors".into(),
            }]),
        }]);
        facts.parameters = Observed::Collected(vec![Parameter {
            origin: Origin::default(),
            name: Known::Value("/alerting/slack_webhook_url".into()),
            parameter_type: Known::Value("SecureString".into()),
            referenced: false,
        }]);
        self
    }

    /// A mutable topic by name in account/region.
    pub fn topic_mut(&mut self, account: &str, region: &str, name: &str) -> &mut Topic {
        match &mut self.facts(account, region).topics {
            Observed::Collected(topics) => topics
                .iter_mut()
                .find(|t| t.name.value().is_some_and(|n| n == name))
                .expect("topic exists"),
            Observed::Gap(_) => panic!("topics are a gap"),
        }
    }

    /// Mutable subscriptions of a topic (by topic name).
    pub fn subs_mut(&mut self, account: &str, region: &str, topic: &str) -> Vec<&mut Subscription> {
        let arn = topic_arn(account, region, topic);
        match &mut self.facts(account, region).subscriptions {
            Observed::Collected(subs) => subs
                .iter_mut()
                .filter(|s| s.topic.arn.value().is_some_and(|a| *a == arn))
                .collect(),
            Observed::Gap(_) => panic!("subscriptions are a gap"),
        }
    }

    /// A mutable rule by name.
    pub fn rule_mut(&mut self, account: &str, region: &str, name: &str) -> &mut EventRule {
        match &mut self.facts(account, region).event_rules {
            Observed::Collected(rules) => rules
                .iter_mut()
                .find(|r| r.name.value().is_some_and(|n| n == name))
                .expect("rule exists"),
            Observed::Gap(_) => panic!("rules are a gap"),
        }
    }

    /// A mutable alarm by name.
    pub fn alarm_mut(&mut self, account: &str, region: &str, name: &str) -> &mut Alarm {
        match &mut self.facts(account, region).alarms {
            Observed::Collected(alarms) => alarms
                .iter_mut()
                .find(|r| r.name.value().is_some_and(|n| n == name))
                .expect("alarm exists"),
            Observed::Gap(_) => panic!("alarms are a gap"),
        }
    }

    /// A mutable function by name.
    pub fn function_mut(&mut self, account: &str, region: &str, name: &str) -> &mut Function {
        match &mut self.facts(account, region).functions {
            Observed::Collected(fs) => fs
                .iter_mut()
                .find(|f| f.name.value().is_some_and(|n| n == name))
                .expect("function exists"),
            Observed::Gap(_) => panic!("functions are a gap"),
        }
    }
}

impl Org {
    /// Forward `member`'s root sign-in from its default bus in `region` to
    /// `central`'s default bus (which must have the healthy chain), with a
    /// dead-letter queue, and let `central`'s bus policy accept it.
    pub fn root_forwarding(mut self, member: &str, central: &str, region: &str) -> Self {
        let bus = format!("arn:aws:events:{region}:{central}:event-bus/default");
        let mut forward = target(central, region, "central-bus");
        forward.arn = Ref::arn(&bus);
        forward.dead_letter_arn = Known::Value(Some(format!(
            "arn:aws:sqs:{region}:{member}:root-forward-dlq"
        )));
        self.facts(member, region).event_rules = Observed::Collected(vec![rule(
            member,
            region,
            "root-sign-in-forward",
            ROOT_PATTERN,
            vec![forward],
        )]);
        let policy = serde_json::json!({
            "Version": "2012-10-17",
            "Statement": [{"Sid": "members", "Effect": "Allow",
                "Principal": {"AWS": format!("arn:aws:iam::{member}:root")},
                "Action": "events:PutEvents", "Resource": bus}]
        })
        .to_string();
        self.facts(central, region).event_buses = Observed::Collected(vec![EventBus {
            origin: Origin::arn(&bus),
            name: "default".into(),
            arn: Known::Value(bus),
            policy: Known::Value(Some(policy)),
        }]);
        self
    }
}

/// A healthy single-region org: admin with detector and chain, one member. In
/// the global region the member forwards its root sign-in to the admin's bus.
pub fn healthy_org(region: &str) -> Org {
    let org = Org::new()
        .account(super::ADMIN, &[region])
        .account(super::MEMBER, &[region])
        .admin(super::ADMIN, &[region])
        .detector(super::ADMIN, region, "ENABLED", "FIFTEEN_MINUTES")
        .detector(super::MEMBER, region, "ENABLED", "FIFTEEN_MINUTES")
        .auto_enable(super::ADMIN, region, Known::Value("ALL".into()))
        .members(super::ADMIN, region, &[(super::MEMBER, "Enabled")])
        .healthy_chain(super::ADMIN, region);
    if region == "us-east-1" {
        org.root_forwarding(super::MEMBER, super::ADMIN, region)
    } else {
        org
    }
}
