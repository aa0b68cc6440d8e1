//! GuardDuty: detectors everywhere; the organization configuration and members
//! only where the account is the admin. Calls: `ListDetectors` + `GetDetector`
//! per detector; in the admin, `DescribeOrganizationConfiguration` + `ListMembers` pages.

use crate::inventory::{Detector, GuardDutyFacts, Member, Observed, OrgConfiguration, Origin};
use crate::source::aws::errors::classify;

/// Whether this account is GuardDuty's admin in the region.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AdminRole {
    /// The management view names this account.
    Admin,
    /// The management view names another account (or none).
    NotAdmin,
    /// No management view: find out from the members list (and ask who the admin is).
    Unknown,
    /// No organization visible: the account stands alone.
    Standalone,
}

/// Collect GuardDuty facts in one account × region.
pub async fn collect(
    client: &aws_sdk_guardduty::Client,
    detector_arn_prefix: &str,
    role: AdminRole,
) -> Observed<GuardDutyFacts> {
    let ids: Vec<String> = match client
        .list_detectors()
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
    {
        Ok(ids) => ids,
        Err(e) => return Observed::Gap(classify("guardduty:ListDetectors", &e)),
    };
    let mut facts = GuardDutyFacts::default();
    for id in &ids {
        let d = match client.get_detector().detector_id(id).send().await {
            Ok(d) => d,
            Err(e) => return Observed::Gap(classify("guardduty:GetDetector", &e)),
        };
        facts.detectors.push(Detector {
            origin: Origin::arn(format!("{detector_arn_prefix}/{id}")),
            id: id.clone().into(),
            status: d
                .status()
                .map(|s| s.as_str().to_string())
                .unwrap_or_default()
                .into(),
            finding_publishing_frequency: d
                .finding_publishing_frequency()
                .map(|f| f.as_str().to_string())
                .unwrap_or_default()
                .into(),
        });
    }
    let Some(detector) = ids.first() else {
        return Observed::Collected(facts);
    };
    match role {
        AdminRole::NotAdmin | AdminRole::Standalone => {}
        AdminRole::Admin => {
            facts.members = Some(members(client, detector).await);
            facts.organization_configuration =
                Some(org_configuration(client, detector, detector_arn_prefix).await);
        }
        AdminRole::Unknown => {
            let found = members(client, detector).await;
            let is_admin = found.collected().is_none_or(|m| !m.is_empty());
            if is_admin {
                facts.members = Some(found);
                facts.organization_configuration =
                    Some(org_configuration(client, detector, detector_arn_prefix).await);
            } else {
                facts.administrator = administrator(client, detector).await;
            }
        }
    }
    Observed::Collected(facts)
}

async fn members(client: &aws_sdk_guardduty::Client, detector: &str) -> Observed<Vec<Member>> {
    let pages = client
        .list_members()
        .detector_id(detector)
        .only_associated("false")
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await;
    match pages {
        Ok(members) => Observed::Collected(
            members
                .iter()
                .map(|m| Member {
                    origin: Origin::default(),
                    account_id: m.account_id().unwrap_or_default().to_string().into(),
                    relationship_status: m
                        .relationship_status()
                        .unwrap_or_default()
                        .to_string()
                        .into(),
                })
                .collect(),
        ),
        Err(e) => Observed::Gap(classify("guardduty:ListMembers", &e)),
    }
}

async fn org_configuration(
    client: &aws_sdk_guardduty::Client,
    detector: &str,
    prefix: &str,
) -> Observed<OrgConfiguration> {
    match client
        .describe_organization_configuration()
        .detector_id(detector)
        .send()
        .await
    {
        Ok(out) => {
            #[allow(deprecated)]
            let legacy = if out.auto_enable().unwrap_or(false) {
                "NEW"
            } else {
                "NONE"
            };
            let value = out
                .auto_enable_organization_members()
                .map_or(legacy.to_string(), |a| a.as_str().to_string());
            Observed::Collected(OrgConfiguration {
                origin: Origin::arn(format!("{prefix}/{detector}")),
                auto_enable_organization_members: value.into(),
            })
        }
        Err(e) => Observed::Gap(classify("guardduty:DescribeOrganizationConfiguration", &e)),
    }
}

async fn administrator(client: &aws_sdk_guardduty::Client, detector: &str) -> Option<String> {
    let out = client
        .get_administrator_account()
        .detector_id(detector)
        .send()
        .await
        .ok()?;
    out.administrator()
        .and_then(|a| a.account_id())
        .map(str::to_string)
}
