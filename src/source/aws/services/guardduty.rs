//! GuardDuty: detectors everywhere; the organization configuration, members,
//! filters and publishing destinations only where the account is the admin.
//! Calls: `ListDetectors` + `GetDetector` per detector; in the admin,
//! `DescribeOrganizationConfiguration`, `ListMembers` pages, `ListFilters` pages
//! + `GetFilter` per filter, and `ListPublishingDestinations` pages.

use crate::inventory::Gap;
use crate::inventory::{
    Detector, FilterCondition, FilterCriterion, GuardDutyFacts, GuardDutyFilter, Member, Observed,
    OrgConfiguration, Origin, PublishingDestination,
};
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
    let Some(detector) = ids.first() else {
        return Observed::Collected(GuardDutyFacts::default());
    };
    // The detectors' settings and the admin's facts need only the detector id.
    let (detectors, mut facts) = tokio::join!(
        detectors(client, &ids, detector_arn_prefix),
        admin_facts(client, detector, detector_arn_prefix, role),
    );
    match detectors {
        Ok(detectors) => facts.detectors = detectors,
        Err(gap) => return Observed::Gap(gap),
    }
    Observed::Collected(facts)
}

/// `GetDetector` for each detector, at once.
async fn detectors(
    client: &aws_sdk_guardduty::Client,
    ids: &[String],
    detector_arn_prefix: &str,
) -> Result<Vec<Detector>, Gap> {
    let answers = futures_util::future::join_all(
        ids.iter()
            .map(|id| async move { (id, client.get_detector().detector_id(id).send().await) }),
    )
    .await;
    answers
        .into_iter()
        .map(|(id, answer)| {
            let d = answer.map_err(|e| classify("guardduty:GetDetector", &e))?;
            Ok(Detector {
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
            })
        })
        .collect()
}

/// What only the admin (or a standalone account) holds: members and the
/// organization configuration (admin), filters and publishing destinations;
/// a member's administrator. Independent calls run at once.
async fn admin_facts(
    client: &aws_sdk_guardduty::Client,
    detector: &str,
    prefix: &str,
    role: AdminRole,
) -> GuardDutyFacts {
    let mut facts = GuardDutyFacts::default();
    let admin_only = || async {
        tokio::join!(
            filters(client, detector, prefix),
            publishing_destinations(client, detector, prefix),
        )
    };
    match role {
        AdminRole::NotAdmin => {}
        AdminRole::Standalone => {
            let (filters, destinations) = admin_only().await;
            facts.filters = Some(filters);
            facts.publishing_destinations = Some(destinations);
        }
        AdminRole::Admin => {
            let (members, configuration, (filters, destinations)) = tokio::join!(
                members(client, detector),
                org_configuration(client, detector, prefix),
                admin_only(),
            );
            facts.members = Some(members);
            facts.organization_configuration = Some(configuration);
            facts.filters = Some(filters);
            facts.publishing_destinations = Some(destinations);
        }
        AdminRole::Unknown => {
            // Only the members list tells whether this account is the admin.
            let found = members(client, detector).await;
            if found.collected().is_none_or(|m| !m.is_empty()) {
                let (configuration, (filters, destinations)) =
                    tokio::join!(org_configuration(client, detector, prefix), admin_only(),);
                facts.members = Some(found);
                facts.organization_configuration = Some(configuration);
                facts.filters = Some(filters);
                facts.publishing_destinations = Some(destinations);
            } else {
                facts.administrator = administrator(client, detector).await;
            }
        }
    }
    facts
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

/// The detector's filters: `ListFilters` pages, then `GetFilter` for each.
async fn filters(
    client: &aws_sdk_guardduty::Client,
    detector: &str,
    prefix: &str,
) -> Observed<Vec<GuardDutyFilter>> {
    let names: Vec<String> = match client
        .list_filters()
        .detector_id(detector)
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
    {
        Ok(names) => names,
        Err(e) => return Observed::Gap(classify("guardduty:ListFilters", &e)),
    };
    let mut filters = Vec::new();
    for name in names {
        let out = match client
            .get_filter()
            .detector_id(detector)
            .filter_name(&name)
            .send()
            .await
        {
            Ok(out) => out,
            Err(e) => return Observed::Gap(classify("guardduty:GetFilter", &e)),
        };
        let mut criteria: Vec<FilterCriterion> = out
            .finding_criteria()
            .and_then(|c| c.criterion())
            .into_iter()
            .flatten()
            .map(|(field, condition)| FilterCriterion {
                field: field.clone(),
                conditions: conditions(condition),
            })
            .collect();
        criteria.sort_by(|a, b| a.field.cmp(&b.field));
        filters.push(GuardDutyFilter {
            origin: Origin::arn(format!("{prefix}/{detector}/filter/{name}")),
            name: name.clone().into(),
            action: out
                .action()
                .map(|a| a.as_str().to_string())
                .unwrap_or_else(|| "NOOP".to_string())
                .into(),
            criteria: criteria.into(),
        });
    }
    Observed::Collected(filters)
}

/// One API condition as operator/values pairs (current and deprecated members).
#[allow(deprecated)]
fn conditions(c: &aws_sdk_guardduty::types::Condition) -> Vec<FilterCondition> {
    let lists: [(&str, &[String]); 6] = [
        ("Equals", c.equals()),
        ("NotEquals", c.not_equals()),
        ("Matches", c.matches()),
        ("NotMatches", c.not_matches()),
        ("Eq", c.eq()),
        ("Neq", c.neq()),
    ];
    let numbers: [(&str, Option<i64>); 8] = [
        ("GreaterThan", c.greater_than()),
        ("GreaterThanOrEqual", c.greater_than_or_equal()),
        ("LessThan", c.less_than()),
        ("LessThanOrEqual", c.less_than_or_equal()),
        ("Gt", c.gt().map(i64::from)),
        ("Gte", c.gte().map(i64::from)),
        ("Lt", c.lt().map(i64::from)),
        ("Lte", c.lte().map(i64::from)),
    ];
    let mut out: Vec<FilterCondition> = lists
        .into_iter()
        .filter(|(_, values)| !values.is_empty())
        .map(|(operator, values)| FilterCondition {
            operator: operator.to_string(),
            values: values.to_vec(),
        })
        .collect();
    out.extend(numbers.into_iter().filter_map(|(operator, n)| {
        n.map(|n| FilterCondition {
            operator: operator.to_string(),
            values: vec![n.to_string()],
        })
    }));
    out
}

/// Where the detector exports findings (`ListPublishingDestinations` pages).
async fn publishing_destinations(
    client: &aws_sdk_guardduty::Client,
    detector: &str,
    prefix: &str,
) -> Observed<Vec<PublishingDestination>> {
    let mut out = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let page = match client
            .list_publishing_destinations()
            .detector_id(detector)
            .set_next_token(token.take())
            .send()
            .await
        {
            Ok(page) => page,
            Err(e) => {
                return Observed::Gap(classify("guardduty:ListPublishingDestinations", &e));
            }
        };
        for d in page.destinations() {
            let id = d.destination_id().unwrap_or_default().to_string();
            out.push(PublishingDestination {
                origin: Origin::arn(format!("{prefix}/{detector}/publishingDestination/{id}")),
                id: id.into(),
                destination_type: d
                    .destination_type()
                    .map(|t| t.as_str().to_string())
                    .unwrap_or_default()
                    .into(),
                status: d
                    .status()
                    .map(|s| s.as_str().to_string())
                    .unwrap_or_default()
                    .into(),
            });
        }
        match page.next_token() {
            Some(t) if !t.is_empty() => token = Some(t.to_string()),
            _ => break,
        }
    }
    Observed::Collected(out)
}
