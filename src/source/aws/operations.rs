//! The one list of AWS operations the live collector can call, and who calls
//! each: the principal that runs alertpath (the caller), the audit role in
//! every account, or the management account's role. The shipped IAM policies
//! (`policy/alertpath-*-policy.json`) and `alertpath init-policy --for …` are
//! all derived from it; a static test checks that every call in the collector
//! is listed, and a live test checks each principal's calls against its policy.

use serde_json::{Value, json};

/// Which principal makes a call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Caller {
    /// The principal that runs alertpath, with its own credentials (who it is,
    /// the organization, assuming the other roles).
    Scanner,
    /// Whoever reads one account: the audit role in every account, and the
    /// scanner in its own account.
    Account,
    /// The management account (through `--management-role`, or the scanner
    /// when it runs there): Organizations listings and the organization-wide
    /// administrator views.
    Management,
}

/// One API operation: its IAM service prefix, operation name, and why alertpath calls it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Operation {
    /// The IAM service prefix, e.g. `sns`.
    pub service: &'static str,
    /// The operation (and IAM action) name, e.g. `ListSubscriptions`.
    pub name: &'static str,
    /// Why alertpath needs it.
    pub why: &'static str,
    /// Who calls it.
    pub by: Caller,
}

const fn caller(service: &'static str, name: &'static str, why: &'static str) -> Operation {
    Operation {
        service,
        name,
        why,
        by: Caller::Scanner,
    }
}

const fn account(service: &'static str, name: &'static str, why: &'static str) -> Operation {
    Operation {
        service,
        name,
        why,
        by: Caller::Account,
    }
}

const fn management(service: &'static str, name: &'static str, why: &'static str) -> Operation {
    Operation {
        service,
        name,
        why,
        by: Caller::Management,
    }
}

/// Every operation the collector can call. Read-only, and never a call that
/// returns a secret value (no `ssm:GetParameter`, no `lambda:ListFunctions`).
pub const OPERATIONS: &[Operation] = &[
    caller("sts", "GetCallerIdentity", "who runs the scan"),
    caller(
        "sts",
        "AssumeRole",
        "reach each account through the audit role, and the management role",
    ),
    caller(
        "organizations",
        "DescribeOrganization",
        "is an organization visible, and its management account",
    ),
    management("organizations", "ListAccounts", "the accounts in scope"),
    management("organizations", "ListRoots", "resolve --ou scopes"),
    management(
        "organizations",
        "ListOrganizationalUnitsForParent",
        "nested OUs for --ou",
    ),
    management(
        "organizations",
        "ListAccountsForParent",
        "accounts of an OU for --ou",
    ),
    management(
        "organizations",
        "ListDelegatedAdministrators",
        "ORG001-ORG003",
    ),
    account(
        "account",
        "ListRegions",
        "regions enabled per account (opt-in)",
    ),
    management(
        "guardduty",
        "ListOrganizationAdminAccounts",
        "GuardDuty admin per region",
    ),
    account("guardduty", "ListDetectors", "GD001"),
    account("guardduty", "GetDetector", "GD002, GD005"),
    account(
        "guardduty",
        "GetAdministratorAccount",
        "the admin as a member sees it",
    ),
    account("guardduty", "DescribeOrganizationConfiguration", "GD004"),
    account("guardduty", "ListMembers", "GD003"),
    account(
        "guardduty",
        "ListFilters",
        "suppression rules (GD006, ROUTE)",
    ),
    account(
        "guardduty",
        "GetFilter",
        "suppression rule criteria (GD006, ROUTE)",
    ),
    account(
        "guardduty",
        "ListPublishingDestinations",
        "findings exported to S3 (ROUTE hints)",
    ),
    account("events", "ListRules", "EVT001, EVT002, ROOT001-ROOT003"),
    account("events", "ListTargetsByRule", "targets of matching rules"),
    account(
        "events",
        "DescribeEventBus",
        "default bus policy (forwarding)",
    ),
    account("sns", "GetTopicAttributes", "chain topic policy and key"),
    account("sns", "ListSubscriptions", "subscriptions of chain topics"),
    account(
        "sns",
        "GetSubscriptionAttributes",
        "filter policies (SUB006)",
    ),
    account(
        "sns",
        "ListSubscriptionsByTopic",
        "subscriptions of topics found in another account or region",
    ),
    account(
        "lambda",
        "GetFunctionConfiguration",
        "subscribed functions (SUB003, SEC003)",
    ),
    account(
        "lambda",
        "GetFunctionConcurrency",
        "reserved concurrency 0 (SUB003)",
    ),
    account(
        "lambda",
        "GetPolicy",
        "may SNS invoke the function (SUB003)",
    ),
    account(
        "cloudwatch",
        "DescribeAlarms",
        "ALM001-ALM004, EVT003, SUB005",
    ),
    account("logs", "DescribeMetricFilters", "ALM005, ROOT001"),
    account("cloudtrail", "DescribeTrails", "ROOT001"),
    account("cloudtrail", "GetTrailStatus", "ROOT001"),
    account("ssm", "DescribeParameters", "SEC001 (metadata only)"),
    account("kms", "DescribeKey", "SNS004, SNS005"),
    account("kms", "GetKeyPolicy", "SNS005"),
    management(
        "securityhub",
        "ListOrganizationAdminAccounts",
        "the Security Hub administrator (Security Hub route)",
    ),
    account("securityhub", "DescribeHub", "Security Hub enabled (SH001)"),
    account(
        "securityhub",
        "ListEnabledProductsForImport",
        "GuardDuty integration on (SH001)",
    ),
    account(
        "securityhub",
        "ListFindingAggregators",
        "cross-region aggregation (SH002)",
    ),
    account(
        "securityhub",
        "GetFindingAggregator",
        "linked regions (SH002)",
    ),
    account("securityhub", "ListMembers", "Security Hub members (SH003)"),
    account(
        "securityhub",
        "GetAdministratorAccount",
        "the Security Hub administrator as a member sees it",
    ),
    account(
        "securityhub",
        "ListAutomationRules",
        "automation rules (SH004)",
    ),
    account(
        "securityhub",
        "BatchGetAutomationRules",
        "automation rule criteria and actions (SH004)",
    ),
];

/// `service:Operation` of every listed operation, sorted.
pub fn actions() -> Vec<String> {
    sorted_actions(OPERATIONS.iter())
}

/// `service:Operation` of the operations `by` calls, sorted.
pub fn actions_by(by: Caller) -> Vec<String> {
    sorted_actions(OPERATIONS.iter().filter(|o| o.by == by))
}

fn sorted_actions<'a>(ops: impl Iterator<Item = &'a Operation>) -> Vec<String> {
    let mut all: Vec<String> = ops.map(|o| format!("{}:{}", o.service, o.name)).collect();
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

/// A principal of alertpath's set-up, and the policy it needs
/// (`alertpath init-policy --for …`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, clap::ValueEnum)]
pub enum PolicyFor {
    /// The principal that runs alertpath (a CI role): it reads its own
    /// account, finds the organization, and assumes the other roles.
    Caller,
    /// The read-only role assumed in every other account (`--role-name`).
    Audit,
    /// The role in the management account (`--management-role`), or the
    /// caller when it runs in the management account.
    Management,
}

/// The roles the caller's policy lets it assume.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssumableRoles {
    /// The partition of the role ARNs (`aws`, `aws-us-gov`, `aws-cn`).
    pub partition: String,
    /// The audit role's name (`--role-name`).
    pub audit: String,
    /// The management role, a name or an ARN (`--management-role`), if any.
    pub management: Option<String>,
}

impl Default for AssumableRoles {
    fn default() -> Self {
        AssumableRoles {
            partition: "aws".to_string(),
            audit: "alertpath-audit".to_string(),
            management: None,
        }
    }
}

impl AssumableRoles {
    /// The role ARNs: a name becomes the role of that name in any account of
    /// the partition; an ARN is kept.
    pub fn arns(&self) -> Vec<String> {
        let mut arns: Vec<String> = std::iter::once(&self.audit)
            .chain(self.management.as_ref())
            .map(|role| role_arn(role, &self.partition, "*"))
            .collect();
        arns.dedup();
        arns
    }
}

/// A role given as a name or an ARN (`--management-role`), as an ARN: a name
/// is the role of that name in `account` of `partition`.
pub fn role_arn(role: &str, partition: &str, account: &str) -> String {
    if role.starts_with("arn:") {
        role.to_string()
    } else {
        format!("arn:{partition}:iam::{account}:role/{role}")
    }
}

/// The IAM policy the given principals need, derived from [`OPERATIONS`]:
/// one statement per kind of access, each listed once however many
/// principals share it.
pub fn policy_document(principals: &[PolicyFor], roles: &AssumableRoles) -> Value {
    let wants = |p: PolicyFor| principals.contains(&p);
    let assume = "sts:AssumeRole";
    let mut statements = Vec::new();
    if wants(PolicyFor::Caller) {
        let own: Vec<String> = actions_by(Caller::Scanner)
            .into_iter()
            .filter(|a| a != assume)
            .collect();
        statements.push(statement("AlertpathFindOrganization", own, json!("*")));
        statements.push(statement(
            "AlertpathAssumeItsRoles",
            vec![assume.to_string()],
            json!(roles.arns()),
        ));
    }
    if wants(PolicyFor::Caller) || wants(PolicyFor::Audit) {
        statements.push(statement(
            "AlertpathReadOneAccount",
            actions_by(Caller::Account),
            json!("*"),
        ));
    }
    if wants(PolicyFor::Management) {
        statements.push(statement(
            "AlertpathReadOrganization",
            actions_by(Caller::Management),
            json!("*"),
        ));
    }
    json!({ "Version": "2012-10-17", "Statement": statements })
}

fn statement(sid: &str, actions: Vec<String>, resource: Value) -> Value {
    json!({ "Sid": sid, "Effect": "Allow", "Action": actions, "Resource": resource })
}

/// A policy as pretty JSON with a trailing newline (the committed files' text).
pub fn policy_json(principals: &[PolicyFor], roles: &AssumableRoles) -> String {
    let mut text =
        serde_json::to_string_pretty(&policy_document(principals, roles)).unwrap_or_default();
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

    fn actions_of(doc: &Value) -> Vec<(String, String)> {
        let mut out = Vec::new();
        for st in doc["Statement"].as_array().into_iter().flatten() {
            let resources: Vec<String> = match &st["Resource"] {
                Value::String(r) => vec![r.clone()],
                Value::Array(rs) => rs
                    .iter()
                    .filter_map(|r| r.as_str().map(String::from))
                    .collect(),
                _ => Vec::new(),
            };
            for a in st["Action"].as_array().into_iter().flatten() {
                for r in &resources {
                    out.push((a.as_str().unwrap_or_default().to_string(), r.clone()));
                }
            }
        }
        out
    }

    #[test]
    fn the_audit_role_may_assume_nothing_and_list_no_organization() {
        let doc = policy_document(&[PolicyFor::Audit], &AssumableRoles::default());
        let actions = actions_of(&doc);
        assert!(actions.iter().any(|(a, _)| a == "guardduty:ListDetectors"));
        assert!(
            actions
                .iter()
                .all(|(a, _)| !a.starts_with("sts:") && !a.starts_with("organizations:")),
            "{actions:?}"
        );
        assert!(
            !actions
                .iter()
                .any(|(a, _)| a.ends_with(":ListOrganizationAdminAccounts"))
        );
    }

    #[test]
    fn the_caller_may_assume_only_the_named_roles() {
        let roles = AssumableRoles {
            management: Some("arn:aws:iam::111111111111:role/org-read".to_string()),
            ..AssumableRoles::default()
        };
        let doc = policy_document(&[PolicyFor::Caller], &roles);
        let assume: Vec<String> = actions_of(&doc)
            .into_iter()
            .filter(|(a, _)| a == "sts:AssumeRole")
            .map(|(_, r)| r)
            .collect();
        assert_eq!(
            assume,
            [
                "arn:aws:iam::*:role/alertpath-audit",
                "arn:aws:iam::111111111111:role/org-read"
            ]
        );
        let actions = actions_of(&doc);
        assert!(
            actions
                .iter()
                .any(|(a, _)| a == "organizations:DescribeOrganization")
        );
        assert!(actions.iter().any(|(a, _)| a == "sns:ListSubscriptions"));
        assert!(
            !actions
                .iter()
                .any(|(a, _)| a == "organizations:ListAccounts")
        );
    }

    #[test]
    fn principals_together_share_statements() {
        let both = policy_document(
            &[PolicyFor::Audit, PolicyFor::Management],
            &AssumableRoles::default(),
        );
        let sids: Vec<&str> = both["Statement"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|s| s["Sid"].as_str())
            .collect();
        assert_eq!(
            sids,
            ["AlertpathReadOneAccount", "AlertpathReadOrganization"]
        );
        assert!(
            actions_of(&both)
                .iter()
                .any(|(a, _)| a == "organizations:ListAccounts")
        );
    }
}
