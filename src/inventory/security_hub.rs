//! Security Hub CSPM facts of one account × region: the first leg of a
//! Security Hub route (docs/terms.md, "Security Hub route").

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{AccountId, Known, Observed, Origin, Region};

/// Security Hub CSPM in one account × region.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SecurityHubFacts {
    /// Whether Security Hub is enabled (`DescribeHub` answers; Terraform
    /// `aws_securityhub_account`).
    #[serde(default)]
    pub enabled: Known<bool>,
    /// Where the hub came from.
    #[serde(default)]
    pub origin: Origin,
    /// The finding aggregator homed in this region (`ListFindingAggregators`
    /// and `GetFindingAggregator`; at most one per account).
    #[serde(default)]
    pub aggregators: Observed<Vec<FindingAggregator>>,
    /// Products whose findings are imported (`ListEnabledProductsForImport`):
    /// product-subscription ARNs such as
    /// `arn:aws:securityhub:us-east-1:111111111111:product-subscription/aws/guardduty`.
    /// `None` when the list is not observable (Terraform): Security Hub then
    /// applies its default, which turns integrations with AWS services such as
    /// GuardDuty on when the hub is enabled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub products: Option<Observed<Vec<String>>>,
    /// Member accounts of this hub (`ListMembers`); empty for a member account.
    #[serde(default)]
    pub members: Observed<Vec<SecurityHubMember>>,
    /// Automation rules (`ListAutomationRules` + `BatchGetAutomationRules`).
    #[serde(default)]
    pub automation_rules: Observed<Vec<AutomationRule>>,
    /// This account's Security Hub administrator, as a member sees it
    /// (`GetAdministratorAccount`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub administrator: Option<AccountId>,
}

/// A finding aggregator: the home (aggregation) region and what it links.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FindingAggregator {
    /// Where it came from.
    #[serde(default)]
    pub origin: Origin,
    /// `ALL_REGIONS`, `ALL_REGIONS_EXCEPT_SPECIFIED`, `SPECIFIED_REGIONS` or `NO_REGIONS`.
    pub linking_mode: Known<String>,
    /// The regions the mode lists (linked, or excluded).
    #[serde(default)]
    pub regions: Known<Vec<Region>>,
}

impl FindingAggregator {
    /// Whether findings of `region` are aggregated into `home` (the region
    /// the aggregator lives in); `None` when the mode or list is unknown.
    pub fn links(&self, home: &str, region: &str) -> Option<bool> {
        if region == home {
            return Some(true);
        }
        let mode = self.linking_mode.value()?;
        match mode.as_str() {
            "ALL_REGIONS" => Some(true),
            "NO_REGIONS" => Some(false),
            "ALL_REGIONS_EXCEPT_SPECIFIED" => {
                Some(!self.regions.value()?.iter().any(|r| r == region))
            }
            "SPECIFIED_REGIONS" => Some(self.regions.value()?.iter().any(|r| r == region)),
            _ => None,
        }
    }
}

/// A Security Hub member account (`ListMembers`, `aws_securityhub_member`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SecurityHubMember {
    /// Where it came from.
    #[serde(default)]
    pub origin: Origin,
    /// The member account.
    pub account: Known<AccountId>,
    /// `MemberStatus`: `Enabled` and `Associated` receive findings; `Created`,
    /// `Invited`, `Removed`, `Resigned`, `Deleted`, `AccountSuspended` do not.
    pub status: Known<String>,
}

impl SecurityHubMember {
    /// Whether the administrator receives this member's findings; `None` when
    /// the status is unknown.
    pub fn receives_findings(&self) -> Option<bool> {
        self.status
            .value()
            .map(|s| s.eq_ignore_ascii_case("Enabled") || s.eq_ignore_ascii_case("Associated"))
    }
}

/// A Security Hub CSPM automation rule (`BatchGetAutomationRules`,
/// `aws_securityhub_automation_rule`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AutomationRule {
    /// Where it came from.
    #[serde(default)]
    pub origin: Origin,
    /// `RuleName`.
    pub name: Known<String>,
    /// `RuleStatus`: `ENABLED` or `DISABLED`.
    pub status: Known<String>,
    /// `RuleOrder`: lower runs first.
    pub order: Known<i64>,
    /// `IsTerminal`: no later rule applies to a finding this rule matched.
    #[serde(default)]
    pub is_terminal: Known<bool>,
    /// `Criteria`: every field must hold for a finding to match.
    pub criteria: Known<Vec<AsffCriterion>>,
    /// What a `FINDING_FIELDS_UPDATE` action sets.
    pub updates: Known<FindingUpdates>,
}

/// One field of an automation rule's criteria (`AutomationRulesFindingFilters`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AsffCriterion {
    /// The criteria field as the API names it, e.g. `ProductName`,
    /// `SeverityLabel`, `WorkflowStatus`, `Type`.
    pub field: String,
    /// String filters (`Value`, `Comparison`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub strings: Vec<StringFilter>,
    /// Number filters (`Gte`, `Gt`, `Lte`, `Lt`, `Eq`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub numbers: Vec<NumberFilter>,
    /// Filters of other shapes (date, map), which alertpath does not evaluate.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub unsupported: bool,
}

/// A string filter: `EQUALS`, `PREFIX`, `NOT_EQUALS`, `PREFIX_NOT_EQUALS`,
/// `CONTAINS`, `NOT_CONTAINS`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StringFilter {
    /// The value compared.
    pub value: String,
    /// The comparison.
    pub comparison: String,
}

/// A number filter; every bound given must hold.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NumberFilter {
    /// Greater than or equal.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gte: Option<f64>,
    /// Greater than.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gt: Option<f64>,
    /// Less than or equal.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lte: Option<f64>,
    /// Less than.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lt: Option<f64>,
    /// Equal.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub eq: Option<f64>,
}

/// The finding fields an automation rule's `FINDING_FIELDS_UPDATE` action
/// sets that change what an EventBridge pattern sees.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FindingUpdates {
    /// `Workflow.Status`, e.g. `SUPPRESSED`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workflow_status: Option<String>,
    /// `Severity.Label`, e.g. `INFORMATIONAL`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub severity_label: Option<String>,
    /// `Severity.Normalized`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub severity_normalized: Option<i64>,
    /// `Types`, replacing the finding's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub types: Option<Vec<String>>,
}

/// The Security Hub delegated administrator, as `securityhub:ListOrganizationAdminAccounts`
/// reports it from the management account.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SecurityHubAdmin {
    /// The admin account id.
    pub account: Known<AccountId>,
    /// `ENABLED` or `DISABLE_IN_PROGRESS`.
    pub status: String,
    /// Where it was declared.
    #[serde(default)]
    pub origin: Origin,
}
