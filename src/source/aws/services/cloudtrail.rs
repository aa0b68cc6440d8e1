//! CloudTrail, in the partition's global region only (root sign-in lands
//! there): `DescribeTrails` with shadow trails (an organization trail shows in
//! every member) and `GetTrailStatus` per trail.

use crate::inventory::{Known, Observed, Origin, Trail};
use crate::source::aws::errors::classify;
use crate::source::aws::services::Limit;

/// Trails visible from this account × region.
pub async fn trails(client: &aws_sdk_cloudtrail::Client, limit: &Limit) -> Observed<Vec<Trail>> {
    let listed = match client
        .describe_trails()
        .include_shadow_trails(true)
        .send()
        .await
    {
        Ok(l) => l,
        Err(e) => return Observed::Gap(classify("cloudtrail:DescribeTrails", &e)),
    };
    let statuses = limit
        .each(listed.trail_list(), |t| {
            let name = t
                .trail_arn()
                .filter(|a| !a.is_empty())
                .or(t.name())
                .unwrap_or_default();
            client.get_trail_status().name(name).send()
        })
        .await;
    let mut out = Vec::new();
    for (t, status) in listed.trail_list().iter().zip(statuses) {
        let arn = t.trail_arn().unwrap_or_default().to_string();
        let is_logging = match status {
            Ok(s) => s.is_logging().unwrap_or(false),
            Err(e) => return Observed::Gap(classify("cloudtrail:GetTrailStatus", &e)),
        };
        out.push(Trail {
            origin: Origin::arn(arn.clone()),
            name: t.name().unwrap_or_default().to_string().into(),
            arn: arn.into(),
            home_region: t.home_region().unwrap_or_default().to_string().into(),
            is_multi_region: t.is_multi_region_trail().unwrap_or(false).into(),
            is_organization_trail: t.is_organization_trail().unwrap_or(false).into(),
            include_global_service_events: t
                .include_global_service_events()
                .unwrap_or(false)
                .into(),
            is_logging: is_logging.into(),
            cloudwatch_log_group_arn: Known::Value(
                t.cloud_watch_logs_log_group_arn().map(str::to_string),
            ),
        });
    }
    Observed::Collected(out)
}
