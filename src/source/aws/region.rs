//! Collects one account × region, in dependency order: GuardDuty; EventBridge
//! rules matching a sample and their targets; the default bus; alarms; then the
//! chain topics those name (plus config), their subscriptions, subscribed
//! functions, the keys of the topics; trails (global region only); metric
//! filters of notifier and trail log groups; secret-named SSM parameters;
//! Security Hub CSPM (hub, aggregator, products, members, automation rules).
//! References into another account or region become [`FollowUp`]s.

use std::collections::BTreeSet;
use std::sync::Arc;

use crate::inventory::arn::Arn;
use crate::inventory::{Function, Observed, RegionFacts};
use crate::source::aws::clients::Clients;
use crate::source::aws::management::ManagementReader;
use crate::source::aws::services::guardduty::AdminRole;
use crate::source::aws::services::{
    cloudtrail, cloudwatch, events, guardduty, kms, lambda, logs, securityhub, sns, ssm,
};

/// Names from config that widen collection.
#[derive(Debug, Clone, Default)]
pub struct ConfigNames {
    /// Topics (ARN) to treat as chain topics.
    pub topics: Vec<String>,
    /// SSM parameter names that hold secrets.
    pub parameters: Vec<String>,
    /// `[pager] endpoint_patterns`, evaluated against each endpoint before it
    /// is redacted.
    pub pager_patterns: Vec<String>,
}

/// One account × region to collect.
#[derive(Debug, Clone)]
pub struct RegionJob {
    /// The account.
    pub account: String,
    /// The region.
    pub region: String,
    /// The partition.
    pub partition: String,
    /// The partition's global region.
    pub global_region: String,
    /// How to learn whether the account is GuardDuty's admin here.
    pub admin: AdminSource,
}

/// How a job learns whether its account is GuardDuty's admin in its region.
#[derive(Debug, Clone)]
pub enum AdminSource {
    /// Known before collection (no organization, or no management view).
    Known(AdminRole),
    /// Asked of the management view when the job needs it; admins the view
    /// could not read leave it [`AdminRole::Unknown`].
    Management(Arc<ManagementReader>),
}

impl AdminSource {
    /// The account's role in the region.
    pub async fn role(&self, account: &str, region: &str) -> AdminRole {
        match self {
            AdminSource::Known(role) => *role,
            AdminSource::Management(reader) => match reader.is_admin(account, region).await {
                Some(true) => AdminRole::Admin,
                Some(false) => AdminRole::NotAdmin,
                None => AdminRole::Unknown,
            },
        }
    }
}

/// A resource found in another account or region, fetched after the main pass.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct FollowUp {
    /// The account holding it.
    pub account: String,
    /// The region holding it.
    pub region: String,
    /// What it is.
    pub kind: FollowUpKind,
}

/// Kinds of follow-up.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum FollowUpKind {
    /// An SNS topic ARN.
    Topic(String),
    /// A CloudWatch Logs group name.
    LogGroup(String),
}

/// The function an `AWS/Lambda` `Errors` alarm names in its `FunctionName` dimension.
fn lambda_errors_function(alarm: &crate::inventory::Alarm) -> Option<&str> {
    let namespace = alarm.namespace.value()?.as_deref()?;
    let metric = alarm.metric_name.value()?.as_deref()?;
    if namespace != "AWS/Lambda" || metric != "Errors" {
        return None;
    }
    alarm
        .dimensions
        .value()?
        .get("FunctionName")
        .map(String::as_str)
}

/// Split ARNs into those local to (account, region) and follow-ups elsewhere.
fn split_local(
    arns: impl IntoIterator<Item = String>,
    service: &str,
    job: &RegionJob,
    follow: &mut Vec<FollowUp>,
) -> BTreeSet<String> {
    let mut local = BTreeSet::new();
    for arn in arns {
        let Some(parsed) = Arn::parse(&arn) else {
            continue;
        };
        if parsed.service != service {
            continue;
        }
        if parsed.account == job.account && parsed.region == job.region {
            local.insert(arn);
        } else if service == "sns" {
            follow.push(FollowUp {
                account: parsed.account.to_string(),
                region: parsed.region.to_string(),
                kind: FollowUpKind::Topic(arn.clone()),
            });
        }
    }
    local
}

/// Collect one account × region. Calls that do not depend on each other run
/// at once; each dependency is followed as soon as its input arrives.
pub async fn collect(
    job: &RegionJob,
    clients: &Clients,
    names: &ConfigNames,
) -> (RegionFacts, Vec<FollowUp>) {
    let mut follow = Vec::new();
    let mut facts = RegionFacts::default();
    let detector_prefix = format!(
        "arn:{}:guardduty:{}:{}:detector",
        job.partition, job.region, job.account
    );
    let ev = clients.events();
    let (events_limit, trail_limit) = (clients.limit("events"), clients.limit("cloudtrail"));
    let (alarm_client, ssm_client) = (clients.cloudwatch(), clients.ssm());
    let security_hub;
    (
        facts.guardduty,
        facts.event_rules,
        facts.event_buses,
        facts.alarms,
        facts.trails,
        facts.parameters,
        security_hub,
    ) = tokio::join!(
        async {
            let role = job.admin.role(&job.account, &job.region).await;
            guardduty::collect(&clients.guardduty(), &detector_prefix, role).await
        },
        events::rules(&ev, &events_limit, &job.account, &job.region),
        events::default_bus(&ev),
        cloudwatch::alarms(&alarm_client),
        async {
            if job.region == job.global_region {
                cloudtrail::trails(&clients.cloudtrail(), &trail_limit).await
            } else {
                Observed::default()
            }
        },
        ssm::parameters(&ssm_client, &names.parameters),
        async { securityhub::collect(&clients.securityhub(), &job.region).await },
    );
    facts.security_hub = Some(security_hub);

    let mut referenced: Vec<String> = names.topics.clone();
    let mut targeted_functions = Vec::new();
    if let Some(rules) = facts.event_rules.collected() {
        for t in rules.iter().filter_map(|r| r.targets.collected()).flatten() {
            if let Some(arn) = t.arn.arn.value() {
                referenced.push(arn.clone());
                targeted_functions.push(arn.clone());
            }
        }
    }
    if let Some(alarms) = facts.alarms.collected() {
        for a in alarms {
            if let Some(actions) = a.alarm_actions.value() {
                referenced.extend(actions.iter().filter_map(|r| r.arn.value().cloned()));
            }
            // ALM002 asks whether an Errors alarm's function exists: look it up,
            // so "not found" is a confirmed absence, not a function we skipped.
            if let Some(name) = lambda_errors_function(a) {
                targeted_functions.push(format!(
                    "arn:{}:lambda:{}:{}:function:{name}",
                    job.partition, job.region, job.account
                ));
            }
        }
    }
    let topic_arns = split_local(referenced, "sns", job, &mut follow);
    let sns_client = clients.sns();
    let sns_limit = clients.limit("sns");
    // The topics' attributes and the region's subscriptions need only the ARNs.
    let listing = async {
        if topic_arns.is_empty() {
            Ok(Vec::new())
        } else {
            sns::listing(&sns_client).await
        }
    };
    let (topics, listing) =
        tokio::join!(sns::topics(&sns_client, &sns_limit, &topic_arns), listing);
    facts.topics = topics;
    let found: BTreeSet<String> = facts
        .topics
        .collected()
        .map(|t| t.iter().filter_map(|t| t.arn.value().cloned()).collect())
        .unwrap_or_default();

    // Then at once: the subscriptions' attributes, the topics' keys, the
    // subscribed (and alarmed) functions, and the metric filters of the log
    // groups those functions write to by default and of the trail.
    let mut function_arns: Vec<String> = targeted_functions;
    if let Ok(listed) = &listing {
        function_arns.extend(sns::subscribed_functions(listed, &found));
    }
    let function_arns = split_local(function_arns, "lambda", job, &mut follow);
    let trail_groups = trail_log_groups(&facts, job, &mut follow);
    let default_groups: BTreeSet<String> = function_arns
        .iter()
        .filter_map(|arn| default_log_group(arn))
        .chain(trail_groups.iter().cloned())
        .collect();
    let keys = topic_keys(&facts);
    let subscriptions = async {
        match &listing {
            Ok(listed) => {
                sns::on_topics(
                    &sns_client,
                    &sns_limit,
                    listed,
                    &found,
                    &names.pager_patterns,
                )
                .await
            }
            Err(gap) => Observed::Gap(gap.clone()),
        }
    };
    let (kms_client, kms_limit) = (clients.kms(), clients.limit("kms"));
    let (lambda_client, lambda_limit) = (clients.lambda(), clients.limit("lambda"));
    let (logs_client, logs_limit) = (clients.logs(), clients.limit("logs"));
    let ((functions, absent), subscriptions, kms_keys, mut filters) = tokio::join!(
        lambda::functions(&lambda_client, &lambda_limit, &function_arns),
        subscriptions,
        kms::keys(&kms_client, &kms_limit, &keys),
        logs::metric_filters(&logs_client, &logs_limit, &default_groups),
    );
    (facts.functions, facts.absent_functions) = (functions, absent);
    (facts.subscriptions, facts.kms_keys) = (subscriptions, kms_keys);

    // A function that logs elsewhere (its logging config) is read now; the
    // filters kept are those of the functions found and of the trail.
    let mut groups = trail_groups;
    if let Some(functions) = facts.functions.collected() {
        groups.extend(
            functions
                .iter()
                .filter_map(|f| f.log_group.value().cloned().flatten()),
        );
    }
    let elsewhere: BTreeSet<String> = groups.difference(&default_groups).cloned().collect();
    if !elsewhere.is_empty() {
        let more = logs::metric_filters(&logs_client, &logs_limit, &elsewhere).await;
        merge(&mut filters, more);
    }
    if let Observed::Collected(list) = &mut filters {
        list.retain(|f| f.log_group.value().is_some_and(|g| groups.contains(g)));
        list.sort_by(|a, b| a.log_group.value().cmp(&b.log_group.value()));
    }
    facts.metric_filters = filters;
    (facts, follow)
}

/// The trail's log groups in this account × region (others become follow-ups).
fn trail_log_groups(
    facts: &RegionFacts,
    job: &RegionJob,
    follow: &mut Vec<FollowUp>,
) -> BTreeSet<String> {
    let mut groups = BTreeSet::new();
    let Some(trails) = facts.trails.collected() else {
        return groups;
    };
    for arn in trails
        .iter()
        .filter_map(|t| t.cloudwatch_log_group_arn.value().cloned().flatten())
    {
        let Some(parsed) = Arn::parse(&arn) else {
            continue;
        };
        let name = log_group_name(parsed.resource);
        if parsed.account == job.account && parsed.region == job.region {
            groups.insert(name);
        } else {
            follow.push(FollowUp {
                account: parsed.account.to_string(),
                region: parsed.region.to_string(),
                kind: FollowUpKind::LogGroup(name),
            });
        }
    }
    groups
}

/// The log group a function writes to unless its logging config says
/// otherwise: `/aws/lambda/<name>` (`function:NAME[:QUALIFIER]`).
fn default_log_group(function_arn: &str) -> Option<String> {
    let resource = Arn::parse(function_arn)?.resource;
    let name = resource.strip_prefix("function:")?.split(':').next()?;
    Some(Function::default_log_group(name))
}

/// `log-group:NAME[:*]` → `NAME`.
fn log_group_name(resource: &str) -> String {
    let name = resource.strip_prefix("log-group:").unwrap_or(resource);
    name.strip_suffix(":*").unwrap_or(name).to_string()
}

fn topic_keys(facts: &RegionFacts) -> BTreeSet<String> {
    facts
        .topics
        .collected()
        .map(|topics| {
            topics
                .iter()
                .filter_map(|t| t.kms_master_key_id.value().cloned().flatten())
                .collect()
        })
        .unwrap_or_default()
}

/// Fetch follow-ups for one account × region and merge them into its facts.
pub async fn follow_up(
    facts: &mut RegionFacts,
    clients: &Clients,
    items: &[FollowUpKind],
    names: &ConfigNames,
) {
    let topics: BTreeSet<String> = items
        .iter()
        .filter_map(|k| match k {
            FollowUpKind::Topic(arn) => Some(arn.clone()),
            FollowUpKind::LogGroup(_) => None,
        })
        .filter(|arn| {
            !facts
                .topics
                .collected()
                .is_some_and(|t| t.iter().any(|t| t.arn.value() == Some(arn)))
        })
        .collect();
    if !topics.is_empty() {
        let sns_client = clients.sns();
        let sns_limit = clients.limit("sns");
        let fetched = sns::topics(&sns_client, &sns_limit, &topics).await;
        merge(&mut facts.topics, fetched);
        for arn in &topics {
            let subs =
                sns::subscriptions_of(&sns_client, &sns_limit, arn, &names.pager_patterns).await;
            merge(&mut facts.subscriptions, subs);
        }
        let keys = topic_keys(facts);
        facts.kms_keys = kms::keys(&clients.kms(), &clients.limit("kms"), &keys).await;
    }
    let groups: BTreeSet<String> = items
        .iter()
        .filter_map(|k| match k {
            FollowUpKind::LogGroup(name) => Some(name.clone()),
            FollowUpKind::Topic(_) => None,
        })
        .collect();
    if !groups.is_empty() {
        let filters = logs::metric_filters(&clients.logs(), &clients.limit("logs"), &groups).await;
        merge(&mut facts.metric_filters, filters);
    }
}

fn merge<T: PartialEq>(into: &mut Observed<Vec<T>>, more: Observed<Vec<T>>) {
    match (into, more) {
        (Observed::Collected(have), Observed::Collected(more)) => {
            for item in more {
                if !have.contains(&item) {
                    have.push(item);
                }
            }
        }
        (Observed::Gap(_), _) => {}
        (slot, Observed::Gap(gap)) => *slot = Observed::Gap(gap),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_function_logs_to_its_name_by_default() {
        assert_eq!(
            default_log_group("arn:aws:lambda:us-east-1:111111111111:function:notify_slack:live")
                .as_deref(),
            Some("/aws/lambda/notify_slack")
        );
        assert_eq!(default_log_group("not-an-arn"), None);
    }

    #[test]
    fn log_group_names_come_from_arns() {
        assert_eq!(log_group_name("log-group:org-trail:*"), "org-trail");
        assert_eq!(log_group_name("log-group:/aws/x"), "/aws/x");
    }
}
