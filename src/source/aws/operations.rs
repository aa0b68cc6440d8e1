//! The one list of AWS operations the live collector can call. The shipped IAM
//! policy (`policy/alertpath-audit-policy.json`) and `alertpath init-policy`
//! are both derived from it, and a test checks that every call the collector
//! makes is listed here.

use serde_json::{Value, json};

/// One API operation: its IAM service prefix, operation name, and why alertpath calls it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Operation {
    /// The IAM service prefix, e.g. `sns`.
    pub service: &'static str,
    /// The operation (and IAM action) name, e.g. `ListSubscriptions`.
    pub name: &'static str,
    /// Why alertpath needs it.
    pub why: &'static str,
    /// Called only in the management account (through `--management-role`).
    pub management_only: bool,
}

const fn op(service: &'static str, name: &'static str, why: &'static str) -> Operation {
    Operation {
        service,
        name,
        why,
        management_only: false,
    }
}

const fn mgmt(service: &'static str, name: &'static str, why: &'static str) -> Operation {
    Operation {
        service,
        name,
        why,
        management_only: true,
    }
}

/// Every operation the collector can call. Read-only, and never a call that
/// returns a secret value (no `ssm:GetParameter`, no `lambda:ListFunctions`).
pub const OPERATIONS: &[Operation] = &[
    op("sts", "GetCallerIdentity", "who runs the scan"),
    op(
        "sts",
        "AssumeRole",
        "reach each account through the audit role",
    ),
    op(
        "organizations",
        "DescribeOrganization",
        "is an organization visible",
    ),
    op("organizations", "ListAccounts", "the accounts in scope"),
    op("organizations", "ListRoots", "resolve --ou scopes"),
    op(
        "organizations",
        "ListOrganizationalUnitsForParent",
        "nested OUs for --ou",
    ),
    op(
        "organizations",
        "ListAccountsForParent",
        "accounts of an OU for --ou",
    ),
    mgmt(
        "organizations",
        "ListDelegatedAdministrators",
        "ORG001-ORG003",
    ),
    op(
        "account",
        "ListRegions",
        "regions enabled per account (opt-in)",
    ),
    mgmt(
        "guardduty",
        "ListOrganizationAdminAccounts",
        "GuardDuty admin per region",
    ),
    op("guardduty", "ListDetectors", "GD001"),
    op("guardduty", "GetDetector", "GD002, GD005"),
    op(
        "guardduty",
        "GetAdministratorAccount",
        "the admin as a member sees it",
    ),
    op("guardduty", "DescribeOrganizationConfiguration", "GD004"),
    op("guardduty", "ListMembers", "GD003"),
    op(
        "guardduty",
        "ListFilters",
        "suppression rules (GD006, ROUTE)",
    ),
    op(
        "guardduty",
        "GetFilter",
        "suppression rule criteria (GD006, ROUTE)",
    ),
    op(
        "guardduty",
        "ListPublishingDestinations",
        "findings exported to S3 (ROUTE hints)",
    ),
    op("events", "ListRules", "EVT001, EVT002, ROOT001-ROOT003"),
    op("events", "ListTargetsByRule", "targets of matching rules"),
    op(
        "events",
        "DescribeEventBus",
        "default bus policy (forwarding)",
    ),
    op("sns", "GetTopicAttributes", "chain topic policy and key"),
    op("sns", "ListSubscriptions", "subscriptions of chain topics"),
    op(
        "sns",
        "GetSubscriptionAttributes",
        "filter policies (SUB006)",
    ),
    op(
        "sns",
        "ListSubscriptionsByTopic",
        "subscriptions of topics found in another account or region",
    ),
    op(
        "lambda",
        "GetFunctionConfiguration",
        "subscribed functions (SUB003, SEC003)",
    ),
    op(
        "lambda",
        "GetFunctionConcurrency",
        "reserved concurrency 0 (SUB003)",
    ),
    op(
        "lambda",
        "GetPolicy",
        "may SNS invoke the function (SUB003)",
    ),
    op(
        "cloudwatch",
        "DescribeAlarms",
        "ALM001-ALM004, EVT003, SUB005",
    ),
    op("logs", "DescribeMetricFilters", "ALM005, ROOT001"),
    op("cloudtrail", "DescribeTrails", "ROOT001"),
    op("cloudtrail", "GetTrailStatus", "ROOT001"),
    op("ssm", "DescribeParameters", "SEC001 (metadata only)"),
    op("kms", "DescribeKey", "SNS004, SNS005"),
    op("kms", "GetKeyPolicy", "SNS005"),
    mgmt(
        "securityhub",
        "ListOrganizationAdminAccounts",
        "the Security Hub administrator (Security Hub route)",
    ),
    op("securityhub", "DescribeHub", "Security Hub enabled (SH001)"),
    op(
        "securityhub",
        "ListEnabledProductsForImport",
        "GuardDuty integration on (SH001)",
    ),
    op(
        "securityhub",
        "ListFindingAggregators",
        "cross-region aggregation (SH002)",
    ),
    op(
        "securityhub",
        "GetFindingAggregator",
        "linked regions (SH002)",
    ),
    op("securityhub", "ListMembers", "Security Hub members (SH003)"),
    op(
        "securityhub",
        "GetAdministratorAccount",
        "the Security Hub administrator as a member sees it",
    ),
    op(
        "securityhub",
        "ListAutomationRules",
        "automation rules (SH004)",
    ),
    op(
        "securityhub",
        "BatchGetAutomationRules",
        "automation rule criteria and actions (SH004)",
    ),
];

/// `service:Operation` of every listed operation, sorted.
pub fn actions() -> Vec<String> {
    let mut all: Vec<String> = OPERATIONS
        .iter()
        .map(|o| format!("{}:{}", o.service, o.name))
        .collect();
    all.sort();
    all.dedup();
    all
}

/// Whether the collector may call `service:Operation`.
pub fn is_listed(service: &str, name: &str) -> bool {
    OPERATIONS
        .iter()
        .any(|o| o.service == service && o.name == name)
}

/// The IAM policy document the audit role needs, derived from [`OPERATIONS`].
pub fn policy_document() -> Value {
    json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Sid": "AlertpathReadOnlyAudit",
            "Effect": "Allow",
            "Action": actions(),
            "Resource": "*"
        }]
    })
}

/// The policy as pretty JSON with a trailing newline (the committed file's text).
pub fn policy_json() -> String {
    let mut text = serde_json::to_string_pretty(&policy_document()).unwrap_or_default();
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_secret_reading_or_write_operation_is_listed() {
        for o in OPERATIONS {
            assert!(
                ["Get", "BatchGet", "List", "Describe", "AssumeRole"]
                    .iter()
                    .any(|p| o.name.starts_with(p)),
                "{}:{} is not read-only",
                o.service,
                o.name
            );
        }
        assert!(!is_listed("ssm", "GetParameter"));
        assert!(!is_listed("lambda", "ListFunctions"));
        assert!(!is_listed("lambda", "GetFunction"));
    }
}
