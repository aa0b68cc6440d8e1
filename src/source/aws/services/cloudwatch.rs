//! CloudWatch: `DescribeAlarms` once per account × region (pages), metric alarms only.

use std::collections::BTreeMap;

use crate::inventory::{Alarm, Known, Observed, Origin, Ref};
use crate::source::aws::errors::classify;

/// Every metric alarm.
pub async fn alarms(client: &aws_sdk_cloudwatch::Client) -> Observed<Vec<Alarm>> {
    let listed = client
        .describe_alarms()
        .into_paginator()
        .send()
        .try_collect()
        .await;
    let pages = match listed {
        Ok(p) => p,
        Err(e) => return Observed::Gap(classify("cloudwatch:DescribeAlarms", &e)),
    };
    let mut out = Vec::new();
    for a in pages.iter().flat_map(|p| p.metric_alarms()) {
        let arn = a.alarm_arn().unwrap_or_default().to_string();
        let dimensions: BTreeMap<String, String> = a
            .dimensions()
            .iter()
            .filter_map(|d| Some((d.name()?.to_string(), d.value()?.to_string())))
            .collect();
        let statistic = a
            .statistic()
            .map(|s| s.as_str().to_string())
            .or_else(|| a.extended_statistic().map(str::to_string));
        out.push(Alarm {
            origin: Origin::arn(arn.clone()),
            name: a.alarm_name().unwrap_or_default().to_string().into(),
            arn: arn.into(),
            namespace: Known::Value(a.namespace().map(str::to_string)),
            metric_name: Known::Value(a.metric_name().map(str::to_string)),
            dimensions: Known::Value(dimensions),
            statistic: Known::Value(statistic),
            threshold: Known::Value(a.threshold()),
            comparison_operator: a
                .comparison_operator()
                .map(|c| c.as_str().to_string())
                .unwrap_or_default()
                .into(),
            actions_enabled: a.actions_enabled().unwrap_or(true).into(),
            alarm_actions: Known::Value(a.alarm_actions().iter().map(Ref::arn).collect()),
        });
    }
    Observed::Collected(out)
}
