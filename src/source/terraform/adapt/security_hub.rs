//! Security Hub CSPM resources: `aws_securityhub_account` (the hub),
//! `aws_securityhub_finding_aggregator`, `aws_securityhub_product_subscription`,
//! `aws_securityhub_member` and `aws_securityhub_automation_rule`, as the
//! Security Hub route's facts (`aws_securityhub_organization_admin_account`
//! goes to the management view, in `mod.rs`).

use serde_json::Value;

use super::access::{Slot, bool_or, origin, req_str, slot, unknown};
use crate::inventory::{
    AsffCriterion, AutomationRule, FindingAggregator, FindingUpdates, Known, NumberFilter,
    Observed, SecurityHubFacts, SecurityHubMember, StringFilter,
};
use crate::source::terraform::model::TfResource;

/// Security Hub facts of a region: a stack declares what it manages, so the
/// lists start collected and empty; the hub is enabled only when declared.
pub(super) fn empty() -> SecurityHubFacts {
    SecurityHubFacts {
        enabled: Known::Value(false),
        // Not observable in Terraform: Security Hub's default (AWS service
        // integrations on) applies unless a subscription says more.
        products: None,
        ..SecurityHubFacts::default()
    }
}

/// Add one Security Hub resource to the region's facts.
pub(super) fn add(sh: &mut SecurityHubFacts, r: &TfResource) {
    match r.kind.as_str() {
        "aws_securityhub_account" => {
            sh.enabled = Known::Value(true);
            sh.origin = origin(r);
        }
        "aws_securityhub_finding_aggregator" => {
            if let Observed::Collected(list) = &mut sh.aggregators {
                list.push(aggregator(r));
            }
        }
        "aws_securityhub_member" => {
            if let Observed::Collected(list) = &mut sh.members {
                list.push(member(r));
            }
        }
        "aws_securityhub_automation_rule" => {
            if let Observed::Collected(list) = &mut sh.automation_rules {
                list.push(automation_rule(r));
            }
        }
        // A declared subscription keeps the integration on, which is the
        // default: nothing changes what an enabled hub imports.
        _ => {}
    }
}

/// The Terraform resource types this module reads.
pub(super) const KINDS: &[&str] = &[
    "aws_securityhub_account",
    "aws_securityhub_finding_aggregator",
    "aws_securityhub_product_subscription",
    "aws_securityhub_member",
    "aws_securityhub_automation_rule",
];

fn aggregator(r: &TfResource) -> FindingAggregator {
    let regions = match slot(r, &["specified_regions"]) {
        Slot::Value(Value::Array(items)) => Known::Value(
            items
                .iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect(),
        ),
        Slot::Value(_) | Slot::Null => Known::Value(Vec::new()),
        Slot::Unknown => unknown(r, "specified_regions"),
    };
    FindingAggregator {
        origin: origin(r),
        linking_mode: req_str(r, "linking_mode"),
        regions,
    }
}

fn member(r: &TfResource) -> SecurityHubMember {
    SecurityHubMember {
        origin: origin(r),
        account: req_str(r, "account_id"),
        // Computed by AWS (`Enabled` for an organization member, `Invited`
        // until an invitation is accepted): known after apply in a plan.
        status: req_str(r, "member_status"),
    }
}

/// `snake_case` criteria block name → the API's `PascalCase` field.
fn api_field(name: &str) -> String {
    name.split('_')
        .map(|part| {
            let mut chars = part.chars();
            chars.next().map_or_else(String::new, |c| {
                c.to_ascii_uppercase().to_string() + chars.as_str()
            })
        })
        .collect()
}

/// Criteria blocks that hold dates or maps (not evaluated).
const UNSUPPORTED: &[&str] = &[
    "first_observed_at",
    "last_observed_at",
    "created_at",
    "updated_at",
    "note_updated_at",
    "resource_tags",
    "resource_details_other",
    "user_defined_fields",
];

fn criteria(r: &TfResource) -> Known<Vec<AsffCriterion>> {
    let block = match slot(r, &["criteria", "0"]) {
        Slot::Value(Value::Object(block)) => block,
        Slot::Value(_) | Slot::Null => return Known::Value(Vec::new()),
        Slot::Unknown => return unknown(r, "criteria"),
    };
    if r.unknown
        .get("criteria")
        .is_some_and(super::access::any_unknown)
    {
        return unknown(r, "criteria");
    }
    let mut out = Vec::new();
    for (name, filters) in block {
        let Some(filters) = filters.as_array().filter(|f| !f.is_empty()) else {
            continue;
        };
        let field = api_field(name);
        if UNSUPPORTED.contains(&name.as_str()) {
            out.push(AsffCriterion {
                field,
                strings: Vec::new(),
                numbers: Vec::new(),
                unsupported: true,
            });
            continue;
        }
        let number = |f: &Value, key: &str| f.get(key).and_then(Value::as_f64);
        let (strings, numbers) = if matches!(name.as_str(), "confidence" | "criticality") {
            let numbers = filters
                .iter()
                .map(|f| NumberFilter {
                    gte: number(f, "gte"),
                    gt: number(f, "gt"),
                    lte: number(f, "lte"),
                    lt: number(f, "lt"),
                    eq: number(f, "eq"),
                })
                .collect();
            (Vec::new(), numbers)
        } else {
            let strings = filters
                .iter()
                .map(|f| StringFilter {
                    value: f
                        .get("value")
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_string(),
                    comparison: f
                        .get("comparison")
                        .and_then(Value::as_str)
                        .unwrap_or("EQUALS")
                        .to_string(),
                })
                .collect();
            (strings, Vec::new())
        };
        out.push(AsffCriterion {
            field,
            strings,
            numbers,
            unsupported: false,
        });
    }
    Known::Value(out)
}

fn updates(r: &TfResource) -> Known<FindingUpdates> {
    if r.unknown
        .get("actions")
        .is_some_and(super::access::any_unknown)
    {
        return unknown(r, "actions");
    }
    let mut updates = FindingUpdates::default();
    let actions = match slot(r, &["actions"]) {
        Slot::Value(Value::Array(actions)) => actions,
        Slot::Value(_) | Slot::Null => return Known::Value(updates),
        Slot::Unknown => return unknown(r, "actions"),
    };
    for action in actions {
        let Some(update) = action.pointer("/finding_fields_update/0") else {
            continue;
        };
        if let Some(status) = update.pointer("/workflow/0/status").and_then(Value::as_str) {
            updates.workflow_status = Some(status.to_string());
        }
        if let Some(label) = update.pointer("/severity/0/label").and_then(Value::as_str) {
            updates.severity_label = Some(label.to_string());
        }
        if let Some(types) = update.get("types").and_then(Value::as_array)
            && !types.is_empty()
        {
            updates.types = Some(
                types
                    .iter()
                    .filter_map(|t| t.as_str().map(str::to_string))
                    .collect(),
            );
        }
    }
    Known::Value(updates)
}

fn automation_rule(r: &TfResource) -> AutomationRule {
    let order = match slot(r, &["rule_order"]) {
        Slot::Value(v) => {
            super::access::whole_number(v).map_or_else(|| unknown(r, "rule_order"), Known::Value)
        }
        _ => unknown(r, "rule_order"),
    };
    let status = match slot(r, &["rule_status"]) {
        Slot::Value(Value::String(s)) => Known::Value(s.clone()),
        Slot::Null => Known::Value("ENABLED".to_string()),
        _ if !r.is_configured("rule_status") => Known::Value("ENABLED".to_string()),
        _ => unknown(r, "rule_status"),
    };
    AutomationRule {
        origin: origin(r),
        name: req_str(r, "rule_name"),
        status,
        order,
        is_terminal: bool_or(r, "is_terminal", false),
        criteria: criteria(r),
        updates: updates(r),
    }
}

#[cfg(test)]
mod tests {
    use super::api_field;

    #[test]
    fn criteria_names_become_api_fields() {
        assert_eq!(api_field("aws_account_id"), "AwsAccountId");
        assert_eq!(api_field("workflow_status"), "WorkflowStatus");
        assert_eq!(api_field("type"), "Type");
    }
}
