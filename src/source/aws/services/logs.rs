//! CloudWatch Logs: `DescribeMetricFilters` per log group that matters (the
//! notifiers' log groups and the trail's log group), never a full listing.

use std::collections::BTreeSet;

use crate::inventory::{MetricFilter, MetricRef, Observed, Origin};
use crate::source::aws::errors::{classify, is_not_found};
use crate::source::aws::services::Limit;

/// Metric filters on the given log groups.
pub async fn metric_filters(
    client: &aws_sdk_cloudwatchlogs::Client,
    limit: &Limit,
    groups: &BTreeSet<String>,
) -> Observed<Vec<MetricFilter>> {
    let answers = limit
        .each(groups, |group| async move {
            let listed = client
                .describe_metric_filters()
                .log_group_name(group)
                .into_paginator()
                .items()
                .send()
                .try_collect()
                .await;
            (group, listed)
        })
        .await;
    let mut out = Vec::new();
    for (group, listed) in answers {
        let filters = match listed {
            Ok(f) => f,
            Err(e) if is_not_found(&e) => continue,
            Err(e) => return Observed::Gap(classify("logs:DescribeMetricFilters", &e)),
        };
        for f in filters {
            out.push(MetricFilter {
                origin: Origin::default(),
                name: f.filter_name().unwrap_or_default().to_string().into(),
                log_group: f.log_group_name().unwrap_or(group).to_string().into(),
                pattern: f.filter_pattern().unwrap_or_default().to_string().into(),
                metrics: f
                    .metric_transformations()
                    .iter()
                    .map(|m| MetricRef {
                        namespace: m.metric_namespace().to_string(),
                        name: m.metric_name().to_string(),
                    })
                    .collect::<Vec<_>>()
                    .into(),
            });
        }
    }
    Observed::Collected(out)
}
