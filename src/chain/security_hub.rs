//! The Security Hub route's first leg (docs/terms.md, "Security Hub route"):
//! who the Security Hub administrator is, whether its hub imports a source
//! region's GuardDuty findings, which default buses receive the imported
//! finding (the region's own, and the home region of a finding aggregator that
//! links it), and what the administrator's automation rules do to the finding
//! before the event is sent. The ASFF wrapping itself is
//! [`crate::samples_asff`]'s; the paths are enumerated by [`crate::chain::paths`].

use serde_json::Value;

use crate::catalog::RuleId;
use crate::chain::graph::{Graph, Walk};
use crate::chain::links::Link;
use crate::config::Config;
use crate::inventory::{
    AsffCriterion, AutomationRule, FindingAggregator, FindingUpdates, Inventory, Known,
    NumberFilter, Observed, Origin, SecurityHubFacts, UnknownKind,
};
use crate::samples_asff::{self, asff_finding_mut};

/// Who the Security Hub administrator is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum HubAdmin {
    /// This account.
    Admin(String),
    /// No Security Hub administrator: there is no Security Hub leg.
    NoAdmin,
    /// It cannot be told (the reason says why): the leg is not assessed.
    Unknown(String),
}

/// The one decision on who the Security Hub administrator is: the
/// management view's `ListOrganizationAdminAccounts`; else an account whose
/// hub has members; else the administrator a member reports
/// (`GetAdministratorAccount`); else `[security_hub] admin_account` from
/// config; else, with no organization visible or in a Terraform stack, the
/// account whose hub is enabled. With no Security Hub facts collected at all
/// (a snapshot written before alertpath read Security Hub) it is unknown.
pub(crate) fn hub_admin(inventory: &Inventory, config: &Config) -> HubAdmin {
    let view = inventory
        .organization
        .as_ref()
        .and_then(|o| o.management_view.collected());
    if let Some(Some(Observed::Collected(admins))) = view.map(|v| &v.securityhub_admins)
        && let Some(account) = admins
            .iter()
            .filter(|a| a.status.eq_ignore_ascii_case("ENABLED"))
            .find_map(|a| a.account.value())
    {
        return HubAdmin::Admin(account.clone());
    }
    let hubs: Vec<(&str, &SecurityHubFacts)> = inventory
        .region_facts()
        .filter_map(|(account, _, facts)| match &facts.security_hub {
            Some(Observed::Collected(sh)) => Some((account, sh)),
            _ => None,
        })
        .collect();
    if let Some((account, _)) = hubs.iter().find(|(_, sh)| {
        sh.members
            .collected()
            .is_some_and(|members| !members.is_empty())
    }) {
        return HubAdmin::Admin((*account).to_string());
    }
    if let Some(admin) = hubs.iter().find_map(|(_, sh)| sh.administrator.as_ref()) {
        return HubAdmin::Admin(admin.clone());
    }
    if let Some(admin) = &config.security_hub.admin_account {
        return HubAdmin::Admin(admin.clone());
    }
    let single = inventory.organization.is_none() || inventory.terraform.is_some();
    if single
        && let Some((account, _)) = hubs
            .iter()
            .find(|(_, sh)| sh.enabled.value() == Some(&true))
    {
        return HubAdmin::Admin((*account).to_string());
    }
    let collected_somewhere = inventory
        .region_facts()
        .any(|(_, _, f)| f.security_hub.is_some());
    if !collected_somewhere && inventory.terraform.is_none() {
        return HubAdmin::Unknown(
            "the Security Hub facts were not collected (a snapshot written before alertpath read Security Hub): collect it again".into(),
        );
    }
    HubAdmin::NoAdmin
}

/// What the automation rules did to one wrapped sample.
#[derive(Debug, Clone, Default)]
pub struct Automated {
    /// The rules that changed it, with what they set, in order applied.
    pub changed_by: Vec<(String, Origin, String)>,
    /// Why the outcome cannot be told, if it cannot.
    pub unknown: Option<(String, UnknownKind)>,
}

impl Automated {
    /// The rules that changed the finding, for messages.
    pub(crate) fn label(&self) -> String {
        self.changed_by
            .iter()
            .map(|(name, _, what)| format!("automation rule {name} (sets {what})"))
            .collect::<Vec<_>>()
            .join(", then ")
    }
}

/// An automation rule's name for messages.
pub(crate) fn automation_rule_label(rule: &AutomationRule) -> String {
    rule.name
        .value()
        .cloned()
        .or_else(|| rule.origin.label().map(str::to_string))
        .unwrap_or_else(|| "automation rule".into())
}

/// The values of an automation-rule criteria field in an ASFF finding;
/// `None` for a field alertpath does not model.
fn asff_values<'v>(finding: &'v Value, field: &str) -> Option<Vec<&'v Value>> {
    let at = |pointer: &str| finding.pointer(pointer).into_iter().collect::<Vec<_>>();
    let each = |pointer: &str, key: &str| -> Vec<&'v Value> {
        finding
            .pointer(pointer)
            .and_then(Value::as_array)
            .map(|items| items.iter().filter_map(|i| i.get(key)).collect())
            .unwrap_or_default()
    };
    Some(match field {
        "ProductArn" | "AwsAccountId" | "Id" | "GeneratorId" | "Title" | "Description"
        | "ProductName" | "CompanyName" | "RecordState" => at(&format!("/{field}")),
        "Type" => finding
            .get("Types")
            .and_then(Value::as_array)
            .map(|t| t.iter().collect())
            .unwrap_or_default(),
        "SeverityLabel" => at("/Severity/Label"),
        "WorkflowStatus" => at("/Workflow/Status"),
        "ResourceType" => each("/Resources", "Type"),
        "ResourceId" => each("/Resources", "Id"),
        "ResourcePartition" => each("/Resources", "Partition"),
        "ResourceRegion" => each("/Resources", "Region"),
        // Fields a GuardDuty finding never carries.
        "ComplianceStatus"
        | "ComplianceSecurityControlId"
        | "ComplianceAssociatedStandardsId"
        | "VerificationState"
        | "Confidence"
        | "Criticality"
        | "SourceUrl"
        | "NoteText"
        | "RelatedFindingsId"
        | "RelatedFindingsProductArn" => Vec::new(),
        _ => return None,
    })
}

fn string_holds(comparison: &str, expected: &str, actual: &str) -> Option<bool> {
    Some(match comparison {
        "EQUALS" => actual == expected,
        "PREFIX" => actual.starts_with(expected),
        "CONTAINS" => actual.contains(expected),
        "NOT_EQUALS" => actual != expected,
        "PREFIX_NOT_EQUALS" => !actual.starts_with(expected),
        "NOT_CONTAINS" => !actual.contains(expected),
        _ => return None,
    })
}

fn is_negative(comparison: &str) -> bool {
    comparison.starts_with("NOT_") || comparison == "PREFIX_NOT_EQUALS"
}

fn number_holds(filter: &NumberFilter, value: f64) -> bool {
    filter.gte.is_none_or(|b| value >= b)
        && filter.gt.is_none_or(|b| value > b)
        && filter.lte.is_none_or(|b| value <= b)
        && filter.lt.is_none_or(|b| value < b)
        && filter.eq.is_none_or(|b| (value - b).abs() < f64::EPSILON)
}

/// Whether one criteria field holds for a finding: positive string filters
/// are ORed, negative ones ANDed; number filters are ORed.
fn criterion_holds(criterion: &AsffCriterion, finding: &Value) -> Result<bool, String> {
    let field = &criterion.field;
    if criterion.unsupported {
        return Err(format!(
            "a date or map filter on `{field}`, which alertpath does not evaluate"
        ));
    }
    let Some(values) = asff_values(finding, field) else {
        return Err(format!(
            "a criterion on `{field}`, which the sample findings do not carry"
        ));
    };
    let texts: Vec<&str> = values.iter().filter_map(|v| v.as_str()).collect();
    let (negative, positive): (Vec<_>, Vec<_>) = criterion
        .strings
        .iter()
        .partition(|f| is_negative(&f.comparison));
    if !positive.is_empty() {
        let mut any = false;
        for f in &positive {
            for t in &texts {
                any |= string_holds(&f.comparison, &f.value, t)
                    .ok_or_else(|| format!("`{field}`: unknown comparison `{}`", f.comparison))?;
            }
        }
        if !any {
            return Ok(false);
        }
    }
    if !negative.is_empty() {
        if texts.is_empty() {
            return Err(format!(
                "a negative filter on `{field}`, which the GuardDuty finding lacks"
            ));
        }
        for f in &negative {
            for t in &texts {
                let holds = string_holds(&f.comparison, &f.value, t)
                    .ok_or_else(|| format!("`{field}`: unknown comparison `{}`", f.comparison))?;
                if !holds {
                    return Ok(false);
                }
            }
        }
    }
    if !criterion.numbers.is_empty() {
        let numbers: Vec<f64> = values.iter().filter_map(|v| v.as_f64()).collect();
        if !criterion
            .numbers
            .iter()
            .any(|f| numbers.iter().any(|n| number_holds(f, *n)))
        {
            return Ok(false);
        }
    }
    Ok(true)
}

/// Whether an automation rule's criteria match an ASFF finding.
pub(crate) fn criteria_match(rule: &AutomationRule, finding: &Value) -> Result<bool, String> {
    let criteria = match &rule.criteria {
        Known::Value(c) => c,
        Known::Unknown(m) => return Err(format!("criteria: {}", m.unknown.describe())),
    };
    for criterion in criteria {
        if !criterion_holds(criterion, finding)? {
            return Ok(false);
        }
    }
    Ok(true)
}

/// Security Hub's normalized score for a label set by an update.
fn label_normalized(label: &str) -> i64 {
    match label {
        "LOW" => 1,
        "MEDIUM" => 40,
        "HIGH" => 70,
        "CRITICAL" => 90,
        _ => 0,
    }
}

/// Apply an update to an ASFF finding; what it set, for messages.
fn apply_updates(updates: &FindingUpdates, finding: &mut Value) -> Vec<String> {
    let mut set = Vec::new();
    if let Some(status) = &updates.workflow_status {
        finding["Workflow"]["Status"] = Value::String(status.clone());
        set.push(format!("Workflow.Status {status}"));
    }
    if let Some(label) = &updates.severity_label {
        finding["Severity"]["Label"] = Value::String(label.clone());
        finding["Severity"]["Normalized"] = Value::from(label_normalized(label));
        set.push(format!("Severity.Label {label}"));
    }
    if let Some(normalized) = updates.severity_normalized {
        finding["Severity"]["Normalized"] = Value::from(normalized);
        set.push(format!("Severity.Normalized {normalized}"));
    }
    if let Some(types) = &updates.types {
        finding["Types"] = Value::from(types.clone());
        set.push(format!("Types {}", types.join(", ")));
    }
    set
}

/// The one decision on what automation rules do to a wrapped sample: the
/// `ENABLED` rules in `RuleOrder`, each matched against the finding as the
/// rules before it left it, a matching rule with `IsTerminal` stopping the
/// rest. Returns the changed event.
pub(crate) fn apply_automation_rules(
    rules: &[AutomationRule],
    event: &Value,
) -> (Value, Automated) {
    let mut event = event.clone();
    let mut automated = Automated::default();
    let mut ordered: Vec<&AutomationRule> = Vec::new();
    for rule in rules {
        let name = automation_rule_label(rule);
        match (&rule.status, &rule.order) {
            (Known::Value(s), _) if s.eq_ignore_ascii_case("DISABLED") => {}
            (Known::Unknown(m), _) | (_, Known::Unknown(m)) => {
                automated.unknown.get_or_insert((
                    format!("automation rule {name}: {}", m.unknown.describe()),
                    m.unknown.kind,
                ));
            }
            _ => ordered.push(rule),
        }
    }
    ordered.sort_by_key(|r| r.order.value().copied().unwrap_or_default());
    for rule in ordered {
        let name = automation_rule_label(rule);
        let Some(finding) = asff_finding_mut(&mut event) else {
            break;
        };
        match criteria_match(rule, finding) {
            Ok(false) => continue,
            Err(why) => {
                automated.unknown.get_or_insert((
                    format!("automation rule {name}: {why}"),
                    UnknownKind::NotObservable,
                ));
                continue;
            }
            Ok(true) => {}
        }
        match &rule.updates {
            Known::Value(updates) => {
                let set = apply_updates(updates, finding);
                if !set.is_empty() {
                    automated
                        .changed_by
                        .push((name.clone(), rule.origin.clone(), set.join(", ")));
                }
            }
            Known::Unknown(m) => {
                automated.unknown.get_or_insert((
                    format!("automation rule {name}: actions {}", m.unknown.describe()),
                    m.unknown.kind,
                ));
            }
        }
        match &rule.is_terminal {
            Known::Value(true) => break,
            Known::Value(false) => {}
            Known::Unknown(m) => {
                automated.unknown.get_or_insert((
                    format!(
                        "automation rule {name}: IsTerminal {}",
                        m.unknown.describe()
                    ),
                    m.unknown.kind,
                ));
            }
        }
    }
    (event, automated)
}

/// An aggregator hop: its name, origin and link (SH002).
pub(crate) type AggregatorHop = (String, Origin, Link);

/// A default bus the imported finding reaches: the source region's own, or a
/// finding aggregator's home region.
pub struct HubBus<'a> {
    /// The bus's region.
    pub region: String,
    /// The aggregator hop (its name, origin and link) when the bus is a home
    /// region's.
    pub(crate) aggregator: Option<AggregatorHop>,
    /// The walk from the bus with the wrapped samples, the changed ones first
    /// (`0..n`) then as imported (`n..2n`); `None` behind a broken aggregator.
    pub walk: Option<Walk<'a>>,
}

/// The Security Hub leg of one source region.
pub struct HubLeg<'a> {
    /// The Security Hub administrator.
    pub account: String,
    /// The source region.
    pub region: String,
    /// Where the hub came from.
    pub hub_origin: Origin,
    /// The hub link: enabled, importing GuardDuty, the member enabled (SH001, SH003).
    pub(crate) hub: Link,
    /// Whether the hub imports GuardDuty findings (SH001).
    pub(crate) imports: Link,
    /// What automation rules did to each sample (by event index).
    pub automation: Vec<Automated>,
    /// Which region's automation rules apply.
    pub automation_region: String,
    /// The buses the imported finding reaches.
    pub buses: Vec<HubBus<'a>>,
    /// How many samples.
    pub samples: usize,
}

pub(crate) fn hub_facts<'i>(
    inventory: &'i Inventory,
    account: &str,
    region: &str,
) -> Result<&'i SecurityHubFacts, String> {
    let facts = inventory.facts(account, region).ok_or_else(|| {
        format!("{region} of Security Hub administrator {account} was not collected")
    })?;
    match &facts.security_hub {
        Some(Observed::Collected(sh)) => Ok(sh),
        Some(Observed::Gap(gap)) => Err(gap.describe()),
        None => Err(format!(
            "the Security Hub facts of {account} in {region} were not collected (a snapshot written before alertpath read Security Hub): collect it again"
        )),
    }
}

/// Whether the hub of the administrator in `region` imports GuardDuty
/// findings (SH001): enabled, and the GuardDuty integration on.
pub(crate) fn hub_imports(sh: &SecurityHubFacts, account: &str, region: &str) -> Link {
    match &sh.enabled {
        Known::Unknown(m) => {
            return Link::Unknown {
                why: format!("whether Security Hub is enabled: {}", m.unknown.describe()),
                kind: m.unknown.kind,
            };
        }
        Known::Value(false) => {
            return Link::Broken {
                rule: RuleId::SH001,
                why: format!(
                    "Security Hub is not enabled in {region} in administrator {account}, so GuardDuty findings there are not imported"
                ),
            };
        }
        Known::Value(true) => {}
    }
    match &sh.products {
        None => Link::Ok("AWS service integrations are on by default".into()),
        Some(Observed::Gap(gap)) => Link::Unknown {
            why: gap.describe(),
            kind: UnknownKind::NotObservable,
        },
        Some(Observed::Collected(products)) => {
            if products.iter().any(|p| p.ends_with("/aws/guardduty")) {
                Link::Ok(String::new())
            } else {
                Link::Broken {
                    rule: RuleId::SH001,
                    why: format!(
                        "the GuardDuty integration of Security Hub is off in {region} in administrator {account} (no aws/guardduty product subscription)"
                    ),
                }
            }
        }
    }
}

/// Whether the hub receives `member`'s findings (SH003). `member` that is
/// not an in-scope account (a placeholder sample member) is not judged.
pub(crate) fn member_receives(
    inventory: &Inventory,
    sh: &SecurityHubFacts,
    admin: &str,
    member: &str,
) -> Link {
    if member == admin || !inventory.accounts.contains_key(member) {
        return Link::Ok(String::new());
    }
    let members = match &sh.members {
        Observed::Collected(m) => m,
        Observed::Gap(gap) => {
            return Link::Unknown {
                why: gap.describe(),
                kind: UnknownKind::NotObservable,
            };
        }
    };
    match members
        .iter()
        .find(|m| m.account.value().is_some_and(|a| a == member))
    {
        None if inventory.terraform.is_some() => Link::Unknown {
            why: format!("Security Hub membership of {member} is not declared in this stack"),
            kind: UnknownKind::OutsideStack,
        },
        None => Link::Broken {
            rule: RuleId::SH003,
            why: format!("account {member} is not a Security Hub member of {admin}"),
        },
        Some(m) => match (m.receives_findings(), m.status.value()) {
            (Some(true), _) => Link::Ok(String::new()),
            (Some(false), Some(status)) => Link::Broken {
                rule: RuleId::SH003,
                why: format!(
                    "account {member} is a Security Hub member of {admin} with status {status}, not Enabled or Associated"
                ),
            },
            _ => Link::Unknown {
                why: format!("Security Hub member status of {member} is unknown"),
                kind: UnknownKind::KnownAfterApply,
            },
        },
    }
}

/// Every finding aggregator of the administrator: (home region, aggregator),
/// or why some could not be read.
pub(crate) fn aggregators<'i>(
    inventory: &'i Inventory,
    account: &str,
) -> Result<Vec<(&'i str, &'i FindingAggregator)>, String> {
    let mut found = Vec::new();
    let Some(entry) = inventory.accounts.get(account) else {
        return Ok(found);
    };
    for (region, slot) in &entry.regions {
        let Some(facts) = slot.facts() else { continue };
        match &facts.security_hub {
            Some(Observed::Collected(sh)) => match &sh.aggregators {
                Observed::Collected(list) => {
                    found.extend(list.iter().map(|a| (region.as_str(), a)));
                }
                Observed::Gap(gap) => return Err(gap.describe()),
            },
            Some(Observed::Gap(gap)) => return Err(gap.describe()),
            None => {}
        }
    }
    Ok(found)
}

/// An aggregator's name for messages.
pub(crate) fn aggregator_label(home: &str, aggregator: &FindingAggregator) -> String {
    aggregator
        .origin
        .label()
        .map(str::to_string)
        .unwrap_or_else(|| format!("finding aggregator in {home}"))
}

/// Whether the aggregator homed in `home` links `region` (SH002).
pub(crate) fn aggregator_links(home: &str, aggregator: &FindingAggregator, region: &str) -> Link {
    match aggregator.links(home, region) {
        Some(true) => Link::Ok(String::new()),
        Some(false) => Link::Broken {
            rule: RuleId::SH002,
            why: format!(
                "{} does not link {region}, so GuardDuty findings of {region} never reach {home}",
                aggregator_label(home, aggregator)
            ),
        },
        None => Link::Unknown {
            why: format!(
                "the linked regions of {} are unknown",
                aggregator_label(home, aggregator)
            ),
            kind: UnknownKind::KnownAfterApply,
        },
    }
}

/// The Security Hub leg of source region `region`, for the GuardDuty admin-bus
/// `events` (as [`crate::samples`] builds them). `Ok(None)` when there is no
/// Security Hub administrator; `Err` when the leg cannot be assessed.
pub(crate) fn leg<'a>(
    graph: &Graph<'a>,
    admin: &HubAdmin,
    region: &str,
    events: &[Value],
) -> Result<Option<HubLeg<'a>>, String> {
    let inventory = graph.inventory();
    let account = match admin {
        HubAdmin::Admin(a) => a.as_str(),
        HubAdmin::NoAdmin => return Ok(None),
        HubAdmin::Unknown(why) => return Err(why.clone()),
    };
    let sh = hub_facts(inventory, account, region)?;
    let member = events
        .first()
        .and_then(|e| e.pointer("/detail/accountId"))
        .and_then(Value::as_str)
        .unwrap_or_default();
    let imports = hub_imports(sh, account, region);
    let hub = [
        imports.clone(),
        member_receives(inventory, sh, account, member),
    ]
    .into_iter()
    .find(|l| !l.is_ok())
    .unwrap_or(Link::Ok(String::new()));
    let aggregators = aggregators(inventory, account)?;
    let linked_home = aggregators
        .iter()
        .find(|(home, a)| *home != region && a.links(home, region) == Some(true))
        .map(|(home, _)| *home);
    let automation_region = linked_home.unwrap_or(region).to_string();
    let rules: Result<&[AutomationRule], String> =
        hub_facts(inventory, account, &automation_region).and_then(|f| match &f.automation_rules {
            Observed::Collected(r) => Ok(r.as_slice()),
            Observed::Gap(g) => Err(g.describe()),
        });
    let mut automation = Vec::new();
    // The home regions of aggregators first: with cross-region aggregation
    // the rule is meant to be there, so that path is named when both fail.
    let mut bus_regions: Vec<(String, Option<AggregatorHop>)> = Vec::new();
    for (home, aggregator) in &aggregators {
        if *home == region {
            continue;
        }
        bus_regions.push((
            (*home).to_string(),
            Some((
                aggregator_label(home, aggregator),
                aggregator.origin.clone(),
                aggregator_links(home, aggregator, region),
            )),
        ));
    }
    bus_regions.push((region.to_string(), None));
    let mut buses = Vec::new();
    for (bus_region, aggregator) in bus_regions {
        let broken = aggregator.as_ref().is_some_and(|(_, _, l)| !l.is_ok());
        let mut changed = Vec::new();
        let mut original = Vec::new();
        for event in events {
            let Some(wrapped) = samples_asff::asff_finding_event(event, account, &bus_region)
            else {
                continue;
            };
            let (after, automated) = match &rules {
                Ok(rules) => apply_automation_rules(rules, &wrapped),
                Err(why) => (
                    wrapped.clone(),
                    Automated {
                        changed_by: Vec::new(),
                        unknown: Some((
                            format!("automation rules in {automation_region}: {why}"),
                            UnknownKind::NotObservable,
                        )),
                    },
                ),
            };
            if buses.is_empty() {
                automation.push(automated);
            }
            changed.push(after);
            original.push(wrapped);
        }
        let samples = changed.len();
        changed.extend(original);
        let walk = (!broken).then(|| graph.walk(account, &bus_region, changed));
        buses.push((
            samples,
            HubBus {
                region: bus_region,
                aggregator,
                walk,
            },
        ));
    }
    let samples = buses.first().map_or(0, |(n, _)| *n);
    Ok(Some(HubLeg {
        account: account.to_string(),
        region: region.to_string(),
        hub_origin: sh.origin.clone(),
        hub,
        imports,
        automation,
        automation_region,
        buses: buses.into_iter().map(|(_, b)| b).collect(),
        samples,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inventory::StringFilter;
    use crate::samples;

    fn imported(index: usize) -> Value {
        let sample = samples::guardduty_findings()[index].with_accounts(
            "111111111111",
            "us-east-1",
            "222222222222",
        );
        samples_asff::asff_finding_event(&sample, "111111111111", "us-east-1")
            .unwrap_or(Value::Null)
    }

    fn rule(order: i64, criteria: Vec<AsffCriterion>, updates: FindingUpdates) -> AutomationRule {
        AutomationRule {
            origin: Origin::default(),
            name: Known::Value(format!("rule-{order}")),
            status: Known::Value("ENABLED".into()),
            order: Known::Value(order),
            is_terminal: Known::Value(false),
            criteria: Known::Value(criteria),
            updates: Known::Value(updates),
        }
    }

    fn strings(field: &str, filters: &[(&str, &str)]) -> AsffCriterion {
        AsffCriterion {
            field: field.into(),
            strings: filters
                .iter()
                .map(|(value, comparison)| StringFilter {
                    value: value.to_string(),
                    comparison: comparison.to_string(),
                })
                .collect(),
            numbers: Vec::new(),
            unsupported: false,
        }
    }

    fn finding(event: &Value) -> Value {
        event
            .pointer("/detail/findings/0")
            .cloned()
            .unwrap_or(Value::Null)
    }

    #[test]
    fn positive_filters_are_ored_and_negative_ones_anded() {
        let high = finding(&imported(2));
        let any = rule(
            1,
            vec![strings(
                "SeverityLabel",
                &[("LOW", "EQUALS"), ("HIGH", "EQUALS")],
            )],
            FindingUpdates::default(),
        );
        assert_eq!(criteria_match(&any, &high), Ok(true));
        let neither = rule(
            1,
            vec![strings(
                "SeverityLabel",
                &[("HIGH", "NOT_EQUALS"), ("LOW", "NOT_EQUALS")],
            )],
            FindingUpdates::default(),
        );
        assert_eq!(criteria_match(&neither, &high), Ok(false));
        let prefix = rule(
            1,
            vec![strings("Type", &[("TTPs/", "PREFIX")])],
            FindingUpdates::default(),
        );
        assert_eq!(criteria_match(&prefix, &high), Ok(true));
        let unknown = rule(
            1,
            vec![strings("ResourceTags", &[("x", "EQUALS")])],
            FindingUpdates::default(),
        );
        assert!(criteria_match(&unknown, &high).is_err());
    }

    #[test]
    fn rules_apply_in_order_and_a_terminal_match_stops_the_rest() {
        let suppress = FindingUpdates {
            workflow_status: Some("SUPPRESSED".into()),
            ..FindingUpdates::default()
        };
        let lower = FindingUpdates {
            severity_label: Some("LOW".into()),
            ..FindingUpdates::default()
        };
        let guardduty = || vec![strings("ProductName", &[("GuardDuty", "EQUALS")])];
        // Rule 2 (lower) runs first, so rule 1's criterion on HIGH no longer holds.
        let rules = [
            rule(
                2,
                vec![strings("SeverityLabel", &[("HIGH", "EQUALS")])],
                suppress.clone(),
            ),
            rule(1, guardduty(), lower.clone()),
        ];
        let (event, automated) = apply_automation_rules(&rules, &imported(2));
        assert_eq!(
            event.pointer("/detail/findings/0/Severity/Label"),
            Some(&Value::from("LOW"))
        );
        assert_eq!(
            event.pointer("/detail/findings/0/Workflow/Status"),
            Some(&Value::from("NEW"))
        );
        assert_eq!(
            automated.label(),
            "automation rule rule-1 (sets Severity.Label LOW)"
        );
        // A terminal first rule keeps the second from applying.
        let mut first = rule(1, guardduty(), FindingUpdates::default());
        first.is_terminal = Known::Value(true);
        let (event, automated) =
            apply_automation_rules(&[first, rule(2, guardduty(), suppress)], &imported(2));
        assert_eq!(
            event.pointer("/detail/findings/0/Workflow/Status"),
            Some(&Value::from("NEW"))
        );
        assert!(automated.changed_by.is_empty());
        // A disabled rule does nothing.
        let mut off = rule(1, guardduty(), lower);
        off.status = Known::Value("DISABLED".into());
        let (_, automated) = apply_automation_rules(&[off], &imported(2));
        assert!(automated.changed_by.is_empty() && automated.unknown.is_none());
    }

    #[test]
    fn an_aggregator_links_by_mode() {
        let agg = |mode: &str, regions: &[&str]| FindingAggregator {
            origin: Origin::default(),
            linking_mode: Known::Value(mode.into()),
            regions: Known::Value(regions.iter().map(|r| r.to_string()).collect()),
        };
        assert_eq!(
            agg("ALL_REGIONS", &[]).links("us-east-1", "eu-west-1"),
            Some(true)
        );
        assert_eq!(
            agg("NO_REGIONS", &[]).links("us-east-1", "eu-west-1"),
            Some(false)
        );
        assert_eq!(
            agg("NO_REGIONS", &[]).links("us-east-1", "us-east-1"),
            Some(true)
        );
        assert_eq!(
            agg("SPECIFIED_REGIONS", &["eu-west-1"]).links("us-east-1", "eu-west-1"),
            Some(true)
        );
        assert_eq!(
            agg("ALL_REGIONS_EXCEPT_SPECIFIED", &["eu-west-1"]).links("us-east-1", "eu-west-1"),
            Some(false)
        );
    }
}
