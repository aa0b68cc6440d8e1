//! Subjects that several rule families report on, built one way: an
//! EventBridge rule, a topic, a subscription, an alarm, a function.

use crate::chain::graph::Located;
use crate::chain::links::{function_label, rule_label, topic_label};
use crate::inventory::{Alarm, EventRule, Function, Subscription, Topic};
use crate::outcome::{ResourceKind, Subject};

/// An EventBridge rule.
pub(crate) fn rule_subject(rule: Located<'_, EventRule>) -> Subject {
    Subject::resource(
        rule.account,
        rule.region,
        ResourceKind::EventRule,
        rule_label(rule.item),
        &rule.item.origin,
    )
}

/// A topic.
pub(crate) fn topic_subject(topic: Located<'_, Topic>) -> Subject {
    Subject::resource(
        topic.account,
        topic.region,
        ResourceKind::SnsTopic,
        topic_label(topic.item),
        &topic.item.origin,
    )
}

/// A subscription: `<topic>/<protocol>:<endpoint>` (endpoints are redacted).
pub(crate) fn subscription_subject(topic: Located<'_, Topic>, sub: &Subscription) -> Subject {
    let protocol = sub.protocol.value().map_or("unknown", String::as_str);
    let endpoint = sub
        .endpoint
        .value()
        .map_or("(unknown endpoint)", String::as_str);
    Subject::resource(
        topic.account,
        topic.region,
        ResourceKind::SnsSubscription,
        format!("{}/{protocol}:{endpoint}", topic_label(topic.item)),
        &sub.origin,
    )
}

/// An alarm's name for messages and subjects: its name, else its Terraform
/// label, else `alarm`.
pub(crate) fn alarm_label(alarm: &Alarm) -> String {
    alarm
        .name
        .value()
        .cloned()
        .or_else(|| alarm.origin.label().map(str::to_string))
        .unwrap_or_else(|| "alarm".to_string())
}

/// An alarm.
pub(crate) fn alarm_subject(alarm: Located<'_, Alarm>) -> Subject {
    Subject::resource(
        alarm.account,
        alarm.region,
        ResourceKind::CloudwatchAlarm,
        alarm_label(alarm.item),
        &alarm.item.origin,
    )
}

/// A function.
pub(crate) fn function_subject(function: Located<'_, Function>) -> Subject {
    Subject::resource(
        function.account,
        function.region,
        ResourceKind::LambdaFunction,
        function_label(function.item),
        &function.item.origin,
    )
}
