//! [`TfStack`] + `[terraform]` config → [`Inventory`]. One adapter for plan and
//! HCL, so both are judged identically.
//!
//! The stack is one account (config `account_id`, else the providers', else a
//! placeholder) × the regions where it has resources plus config `regions`.
//! `role = "management"` makes the organization visible; other roles (and no
//! role) leave it invisible, so the stack account is treated as the admin.

mod access;
mod arns;
mod lambda;
mod patterns;
mod placement;
mod resources;
mod security_hub;

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use crate::config::TerraformConfig;
use crate::inventory::{
    AccessPath, Account, GuardDutyAdmin, Inventory, Known, ManagementView, Observed, Organization,
    RegionFacts, RegionSlot, SecurityHubAdmin, SourceKind, StackRole, TerraformFacts, Unresolved,
};
use crate::source::terraform::attributes;
use crate::source::terraform::model::{Blocks, Mode, TfResource, TfStack};

/// The account used when neither config nor providers name one.
pub const PLACEHOLDER_ACCOUNT: &str = "000000000000";

/// Turn a stack into an inventory of source `kind` (Plan or Hcl), with no
/// `[pager] endpoint_patterns` (see [`adapt_with_pager_patterns`]).
pub fn adapt(stack: &TfStack, config: &TerraformConfig, kind: SourceKind) -> Inventory {
    adapt_with_pager_patterns(stack, config, kind, &[])
}

/// Turn a stack into an inventory of source `kind` (Plan or Hcl); each
/// subscription's endpoint is matched against `pager_patterns` (`[pager]
/// endpoint_patterns`) before it is redacted.
pub fn adapt_with_pager_patterns(
    stack: &TfStack,
    config: &TerraformConfig,
    kind: SourceKind,
    pager_patterns: &[String],
) -> Inventory {
    let mut inventory = Inventory::new(kind);
    inventory.source.inputs = stack.inputs.clone();
    let stack_account = match &config.account_id {
        Some(a) => a.clone(),
        None => match stack
            .resources
            .iter()
            .find_map(|r| r.account.value())
            .cloned()
            .or_else(|| caller_account(stack))
        {
            Some(a) => a,
            None => {
                inventory.source.notes.push(format!(
                    "the stack's account is not known (no `[terraform] account_id`, no provider assume_role or allowed_account_ids): using placeholder {PLACEHOLDER_ACCOUNT}"
                ));
                PLACEHOLDER_ACCOUNT.to_string()
            }
        },
    };
    let mut facts: BTreeMap<(String, String), RegionFacts> = BTreeMap::new();
    for region in &config.regions {
        facts
            .entry((stack_account.clone(), region.clone()))
            .or_default();
    }
    let fallback = placement::Fallback::new(config, stack.environment_region.as_ref());
    let mut placed: Vec<(&TfResource, String, String)> = Vec::new();
    let mut undecided = Vec::new();
    let mut left_out = Vec::new();
    let mut from_environment = 0usize;
    for r in &stack.resources {
        let account = r
            .account
            .value()
            .cloned()
            .unwrap_or_else(|| stack_account.clone());
        let region = match fallback.region_of(r) {
            placement::Placed::Region { region, from_env } => {
                from_environment += usize::from(from_env && matters(r));
                region
            }
            placement::Placed::Unknown(expression) => {
                if matters(r) {
                    let why = placement::region_unknown(&expression);
                    undecided.push(placement::undecided(r, &account, None, &why, false));
                    left_out.push(placement::left_out(r, &expression));
                }
                continue;
            }
        };
        if let Some(why) = &r.presence
            && matters(r)
        {
            undecided.push(placement::undecided(r, &account, Some(&region), why, true));
        }
        if is_mapped(r) {
            facts.entry((account.clone(), region.clone())).or_default();
        }
        placed.push((r, account, region));
    }
    if !left_out.is_empty() {
        inventory
            .source
            .notes
            .push(placement::left_out_note(&undecided));
    }
    let environment_region = (from_environment > 0)
        .then(|| stack.environment_region.clone())
        .flatten();
    if let Some(env) = &environment_region {
        inventory.source.notes.push(format!(
            "{from_environment} Terraform resources whose provider names no region were placed in {} from {}",
            env.region, env.variable
        ));
    }
    let completed = complete_policies(&placed);
    let placed: Vec<(&TfResource, String, String)> = placed
        .into_iter()
        .zip(&completed)
        .map(|((r, account, region), done)| (done.as_ref().unwrap_or(r), account, region))
        .collect();
    let mut admins: BTreeMap<String, Vec<GuardDutyAdmin>> = BTreeMap::new();
    let mut resolved = Resolved::new();
    let mut hub_admins = Vec::new();
    let ambiguous = fill(
        &placed,
        &mut facts,
        &mut admins,
        &mut hub_admins,
        &mut resolved,
        pager_patterns,
    );
    let mut rejected = Vec::new();
    for ((account, region), region_facts) in &mut facts {
        if account != PLACEHOLDER_ACCOUNT {
            arns::derive_facts(region_facts, account, region);
        }
        rejected.extend(patterns::reject_invalid(region_facts));
        // The stack declares every filter it has: none declared is none.
        if let Observed::Collected(g) = &mut region_facts.guardduty
            && g.filters.is_none()
        {
            g.filters = Some(Observed::Collected(Vec::new()));
        }
        // Likewise Security Hub: no `aws_securityhub_account` here is no hub.
        region_facts
            .security_hub
            .get_or_insert_with(|| Observed::Collected(security_hub::empty()));
    }
    for ((account, region), region_facts) in facts {
        inventory
            .accounts
            .entry(account)
            .or_insert_with(|| Account {
                name: None,
                access: Observed::Collected(AccessPath::Terraform),
                regions: BTreeMap::new(),
                region_discovery: None,
            })
            .regions
            .insert(
                region,
                RegionSlot::Enabled(Box::new(Observed::Collected(region_facts))),
            );
    }
    if config.role == Some(StackRole::Management)
        || config.more_roles.contains(&StackRole::Management)
    {
        inventory.organization = Some(organization(&inventory, &stack_account, admins, hub_admins));
    }
    inventory.terraform = Some(TerraformFacts {
        role: config.role,
        more_roles: config.more_roles.clone(),
        hardcoded_secrets: stack.hardcoded_secrets(),
        unresolved: scan004(stack, &resolved)
            .into_iter()
            .chain(left_out)
            .chain(rejected)
            .chain(ambiguous)
            .collect(),
        undecided,
        environment_region,
    });
    inventory
}

/// Per placed resource: a copy whose policies name ARNs of this stack's
/// resources, with the ARNs the adapter derives substituted (`None` when
/// nothing changes). Under the placeholder account nothing is derived.
fn complete_policies(placed: &[(&TfResource, String, String)]) -> Vec<Option<TfResource>> {
    let arns: HashMap<&str, String> = placed
        .iter()
        .filter(|(_, account, _)| account != PLACEHOLDER_ACCOUNT)
        .filter_map(|(r, account, region)| {
            arns::of_resource(r, account, region).map(|arn| (r.address.as_str(), arn))
        })
        .collect();
    placed
        .iter()
        .map(|(r, _, _)| {
            if r.arn_templates.is_empty() {
                None
            } else {
                arns::substitute(r, &arns)
            }
        })
        .collect()
}

/// (address, attribute) pairs the source left unknown that the adapter made
/// known facts (a template endpoint whose unknown part is redacted anyway).
type Resolved = HashSet<(String, String)>;

/// SCAN004's items, derived after adaptation from what the source could not
/// resolve: an attribute only when the rules read it and it is still unknown;
/// presence (`count`/`for_each`) and undownloaded modules always, since they
/// leave no inventory field to carry the unknown. Resources whose region is
/// unknown are named by the adapter itself ([`placement::left_out`]).
fn scan004(stack: &TfStack, resolved: &Resolved) -> Vec<Unresolved> {
    stack
        .unresolved
        .iter()
        .filter(|u| match &u.blocks {
            Blocks::Attribute { kind, attribute } => {
                let address = u.origin.address.clone().unwrap_or_default();
                attributes::needed(kind).contains(&attribute.as_str())
                    && !resolved.contains(&(address, attribute.clone()))
            }
            // Whether a resource no rule reads is present decides nothing.
            Blocks::Presence { kind: Some(kind) } => kind_matters(kind),
            Blocks::Presence { kind: None } | Blocks::Module => true,
        })
        .map(|u| Unresolved {
            origin: u.origin.clone(),
            expression: u.expression.clone(),
            reason: u.reason.clone(),
        })
        .fold(Vec::new(), |mut items: Vec<Unresolved>, item| {
            // An attribute built from an unevaluable `count.index` repeats
            // the block's own item: one finding per cause and place.
            let same = |i: &Unresolved| {
                i.origin.address == item.origin.address
                    && i.expression == item.expression
                    && i.reason == item.reason
            };
            if !items.iter().any(same) {
                items.push(item);
            }
            items
        })
}

/// The account `data "aws_caller_identity"` reports (the plan's credentials).
fn caller_account(stack: &TfStack) -> Option<String> {
    stack
        .resources
        .iter()
        .filter(|r| r.mode == Mode::Data && r.kind == "aws_caller_identity")
        .find_map(|r| r.get("account_id").and_then(serde_json::Value::as_str))
        .map(str::to_string)
}

const MAPPED: &[&str] = &[
    "aws_guardduty_detector",
    "aws_guardduty_organization_configuration",
    "aws_guardduty_organization_admin_account",
    "aws_guardduty_member",
    "aws_guardduty_filter",
    "aws_securityhub_account",
    "aws_securityhub_finding_aggregator",
    "aws_securityhub_product_subscription",
    "aws_securityhub_member",
    "aws_securityhub_automation_rule",
    "aws_securityhub_organization_admin_account",
    "aws_sns_topic",
    "aws_sns_topic_policy",
    "aws_sns_topic_subscription",
    "aws_cloudwatch_event_rule",
    "aws_cloudwatch_event_target",
    "aws_cloudwatch_metric_alarm",
    "aws_cloudwatch_log_metric_filter",
    "aws_lambda_function",
    "aws_lambda_permission",
    "aws_cloudtrail",
    "aws_ssm_parameter",
];

fn is_mapped(r: &TfResource) -> bool {
    r.mode == Mode::Managed && is_mapped_kind(&r.kind)
}

/// A managed resource type the adapter maps ([`MAPPED`], and the AWS Chatbot
/// configurations, which become subscriptions).
fn is_mapped_kind(kind: &str) -> bool {
    MAPPED.contains(&kind) || resources::CHATBOT_CONFIGURATIONS.contains(&kind)
}

/// Whether a resource matters to the catalog: a mapped managed resource, or a
/// data source the adapter reads (not `terraform_remote_state`, `random_*`,
/// `terraform_data`, policy documents, …). Only these are reported when their
/// region or presence is undecided.
fn matters(r: &TfResource) -> bool {
    matters_as(r.mode, &r.kind)
}

/// [`matters`] for a resource type (`data.` prefix for data sources).
fn kind_matters(kind: &str) -> bool {
    match kind.strip_prefix("data.") {
        Some(data) => matters_as(Mode::Data, data),
        None => matters_as(Mode::Managed, kind),
    }
}

fn matters_as(mode: Mode, kind: &str) -> bool {
    match mode {
        Mode::Managed => is_mapped_kind(kind),
        Mode::Data => kind == "aws_ssm_parameter",
    }
}

fn organization(
    inventory: &Inventory,
    management: &str,
    admins: BTreeMap<String, Vec<GuardDutyAdmin>>,
    hub_admins: Vec<SecurityHubAdmin>,
) -> Organization {
    let regions: BTreeSet<String> = inventory
        .accounts
        .values()
        .flat_map(|a| a.regions.keys().cloned())
        .chain(admins.keys().cloned())
        .collect();
    let delegated: BTreeSet<String> = admins
        .values()
        .flatten()
        .filter_map(|a| a.account.value().cloned())
        .collect();
    let mut view = ManagementView {
        guardduty_admins: BTreeMap::new(),
        delegated_administrators: Observed::Collected(delegated.into_iter().collect()),
        securityhub_admins: Some(Observed::Collected(hub_admins)),
    };
    for region in regions {
        let list = admins.get(&region).cloned().unwrap_or_default();
        view.guardduty_admins
            .insert(region, Observed::Collected(list));
    }
    Organization {
        id: None,
        management_account: management.to_string(),
        management_view: Observed::Collected(view),
    }
}

type Facts = BTreeMap<(String, String), RegionFacts>;

fn fill(
    placed: &[(&TfResource, String, String)],
    facts: &mut Facts,
    admins: &mut BTreeMap<String, Vec<GuardDutyAdmin>>,
    hub_admins: &mut Vec<SecurityHubAdmin>,
    resolved: &mut Resolved,
    pager_patterns: &[String],
) -> Vec<Unresolved> {
    let docs: resources::PolicyDocs = placed
        .iter()
        .filter(|(r, _, _)| r.mode == Mode::Data && r.kind == "aws_iam_policy_document")
        .map(|(r, _, _)| (r.address.clone(), access::req_str(r, "json")))
        .collect();
    let referenced: HashSet<&str> = placed
        .iter()
        .flat_map(|(r, _, _)| r.references.values().flatten().map(String::as_str))
        .collect();
    let mut later: Vec<&(&TfResource, String, String)> = Vec::new();
    for entry in placed {
        let (r, account, region) = entry;
        let key = (account.clone(), region.clone());
        let managed = r.mode == Mode::Managed;
        match (managed, r.kind.as_str()) {
            (true, "aws_guardduty_detector") => {
                with_gd(facts, &key, |g| g.detectors.push(resources::detector(r)));
            }
            (true, "aws_guardduty_organization_configuration") => {
                with_gd(facts, &key, |g| {
                    g.organization_configuration =
                        Some(Observed::Collected(resources::org_configuration(r)));
                });
            }
            // `aws_guardduty_member` declares an invitation; which existing
            // accounts are enrolled is not knowable from Terraform, so the
            // detector's member list stays "not collected" (GD004 `NEW` is then
            // not assessed rather than passed).
            (true, "aws_guardduty_member") => {}
            (true, "aws_guardduty_filter") => {
                with_gd(facts, &key, |g| {
                    if let Some(Observed::Collected(filters)) = &mut g.filters {
                        filters.push(resources::guardduty_filter(r));
                    } else {
                        g.filters = Some(Observed::Collected(vec![resources::guardduty_filter(r)]));
                    }
                });
            }
            (true, kind) if security_hub::KINDS.contains(&kind) => {
                let sh = at(facts, &key)
                    .security_hub
                    .get_or_insert_with(|| Observed::Collected(security_hub::empty()));
                if let Observed::Collected(sh) = sh {
                    security_hub::add(sh, r);
                }
            }
            (true, "aws_securityhub_organization_admin_account") => {
                hub_admins.push(SecurityHubAdmin {
                    account: access::req_str(r, "admin_account_id"),
                    status: "ENABLED".to_string(),
                    origin: access::origin(r),
                });
            }
            (true, "aws_guardduty_organization_admin_account") => {
                admins
                    .entry(region.clone())
                    .or_default()
                    .push(GuardDutyAdmin {
                        account: access::req_str(r, "admin_account_id"),
                        status: "ENABLED".to_string(),
                        origin: access::origin(r),
                    });
            }
            (true, "aws_sns_topic") => {
                push(&mut at(facts, &key).topics, resources::topic(r, &docs))
            }
            (true, kind) if resources::CHATBOT_CONFIGURATIONS.contains(&kind) => {
                for sub in resources::chatbot_subscriptions(r) {
                    push(&mut at(facts, &key).subscriptions, sub);
                }
            }
            (true, "aws_sns_topic_subscription") => {
                let sub = resources::subscription(r, pager_patterns);
                if r.is_unknown("endpoint") && sub.endpoint.value().is_some() {
                    resolved.insert((r.address.clone(), "endpoint".to_string()));
                }
                push(&mut at(facts, &key).subscriptions, sub);
            }
            (true, "aws_cloudwatch_event_rule") => {
                push(&mut at(facts, &key).event_rules, resources::event_rule(r));
            }
            (true, "aws_cloudwatch_metric_alarm") => {
                push(&mut at(facts, &key).alarms, resources::alarm(r))
            }
            (true, "aws_cloudwatch_log_metric_filter") => {
                push(
                    &mut at(facts, &key).metric_filters,
                    resources::metric_filter(r),
                );
            }
            (true, "aws_lambda_function") => push(
                &mut at(facts, &key).functions,
                resources::function(r, lambda::notify_slack_env(r)),
            ),
            (true, "aws_cloudtrail") => {
                push(&mut at(facts, &key).trails, resources::trail(r, region))
            }
            (true, "aws_ssm_parameter") => push(
                &mut at(facts, &key).parameters,
                resources::parameter(r, referenced.contains(r.address.as_str())),
            ),
            (
                true,
                "aws_sns_topic_policy" | "aws_cloudwatch_event_target" | "aws_lambda_permission",
            )
            | (false, "aws_ssm_parameter") => {
                later.push(entry);
            }
            _ => {}
        }
    }
    let mut permissions: BTreeMap<(String, String), Vec<&TfResource>> = BTreeMap::new();
    for (r, account, region) in later {
        let key = (account.clone(), region.clone());
        match r.kind.as_str() {
            "aws_sns_topic_policy" => topic_policy(at(facts, &key), r, &docs),
            "aws_cloudwatch_event_target" => attach_target(at(facts, &key), r),
            "aws_ssm_parameter" => read_parameter(at(facts, &key), r),
            _ => permissions.entry(key).or_default().push(r),
        }
    }
    let topic_arns: HashMap<String, Known<String>> = facts
        .values()
        .flat_map(|f| f.topics.collected().into_iter().flatten())
        .filter_map(|t| t.origin.address.clone().map(|a| (a, t.arn.clone())))
        .collect();
    let mut ambiguous = Vec::new();
    for (key, perms) in permissions {
        if let Some(Observed::Collected(functions)) = facts.get_mut(&key).map(|f| &mut f.functions)
        {
            let mut refs: Vec<&mut crate::inventory::Function> = functions.iter_mut().collect();
            ambiguous.extend(lambda::attach_permissions(&mut refs, &perms, &topic_arns));
        }
    }
    ambiguous
}

fn at<'f>(facts: &'f mut Facts, key: &(String, String)) -> &'f mut RegionFacts {
    facts.entry(key.clone()).or_default()
}

fn with_gd(
    facts: &mut Facts,
    key: &(String, String),
    f: impl FnOnce(&mut crate::inventory::GuardDutyFacts),
) {
    if let Observed::Collected(g) = &mut at(facts, key).guardduty {
        f(g);
    }
}

fn push<T>(group: &mut Observed<Vec<T>>, item: T) {
    if let Observed::Collected(list) = group {
        list.push(item);
    }
}

/// `aws_sns_topic_policy`: overrides the policy of the topic it names.
fn topic_policy(facts: &mut RegionFacts, r: &TfResource, docs: &resources::PolicyDocs) {
    let by_ref = access::ref_of(r, "arn", &["aws_sns_topic"]);
    let arn = r.get("arn").and_then(serde_json::Value::as_str);
    let Observed::Collected(topics) = &mut facts.topics else {
        return;
    };
    let found = topics.iter_mut().find(|t| {
        (by_ref.is_some() && t.origin.address == by_ref)
            || (arn.is_some() && t.arn.value().map(String::as_str) == arn)
    });
    if let Some(topic) = found {
        topic.policy = resources::policy(r, "policy", docs);
    }
}

/// `data "aws_ssm_parameter"`: a parameter the stack reads. When the stack
/// also manages a parameter of that name here, that resource (what apply
/// writes) stands for it, marked referenced; otherwise the read one is added.
fn read_parameter(facts: &mut RegionFacts, r: &TfResource) {
    let read = resources::parameter(r, true);
    let Observed::Collected(parameters) = &mut facts.parameters else {
        return;
    };
    let managed = parameters
        .iter_mut()
        .find(|p| read.name.value().is_some() && p.name.value() == read.name.value());
    match managed {
        Some(p) => p.referenced = true,
        None => parameters.push(read),
    }
}

/// `aws_cloudwatch_event_target`: attach to its rule (by reference, or name + bus).
fn attach_target(facts: &mut RegionFacts, r: &TfResource) {
    let by_ref = access::ref_of(r, "rule", &["aws_cloudwatch_event_rule"]);
    let name = r.get("rule").and_then(serde_json::Value::as_str);
    let bus = resources::bus_name(r);
    let Observed::Collected(rules) = &mut facts.event_rules else {
        return;
    };
    let found = rules.iter_mut().find(|rule| {
        (by_ref.is_some() && rule.origin.address == by_ref)
            || (name.is_some()
                && rule.name.value().map(String::as_str) == name
                && rule.event_bus == bus)
    });
    if let Some(rule) = found
        && let Observed::Collected(targets) = &mut rule.targets
    {
        targets.push(resources::target(r));
    }
}
