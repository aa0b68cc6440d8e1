//! `alertpath.toml`: scope, expectations, severity overrides and waivers.
//!
//! Loading is two-phase (see [`parse_str`]): phase one parses TOML syntax; phase two
//! walks the document, checks every key and value, and reports every error at
//! once with file:line. Unknown keys are errors. [`discover`] picks the file
//! (`--config`, else `./alertpath.toml`, else defaults).
//!
//! Layout: `load` (API, phase one), `walk` (phase two), `schema` (the known-keys
//! table: add new keys there), `check` (single values), `waiver`, `diag` (spans
//! to file:line:column). `alertpath.example.toml` documents every key.

mod check;
mod diag;
mod load;
mod schema;
mod waiver;
mod walk;

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::catalog::RuleId;
use crate::inventory::StackRole;
use crate::severity::Severity;

pub use check::{KNOWN_REGIONS, region as check_region, rule_id as check_rule_id};
pub use load::{
    ConfigError, ConfigErrors, DEFAULT_FILE, discover, discover_in, load_file, parse_str,
};

/// The effective configuration. Every field has a default.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Config {
    /// The file it was read from, if any.
    pub path: Option<String>,
    /// `[scope]`: what to scan (live).
    pub scope: ScopeConfig,
    /// `[guardduty]`.
    pub guardduty: GuardDutyConfig,
    /// `[security_hub]`.
    #[serde(default)]
    pub security_hub: SecurityHubConfig,
    /// `[pager]`.
    pub pager: PagerConfig,
    /// `[chat]`.
    pub chat: ChatConfig,
    /// `[chain]`: topics and asserted facts.
    pub chain: ChainConfig,
    /// `[secrets]`.
    pub secrets: SecretsConfig,
    /// `[root]`.
    pub root: RootConfig,
    /// `[terraform]`: the stack's role.
    pub terraform: TerraformConfig,
    /// `[rules]`: disabled rules and severity overrides.
    pub rules: RulesConfig,
    /// `[[waiver]]` entries.
    pub waivers: Vec<Waiver>,
}

/// `[scope]`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ScopeConfig {
    /// Regions to scan; empty = every enabled region of each account.
    pub regions: Vec<String>,
    /// Accounts to scan; empty = every active account.
    pub accounts: Vec<String>,
    /// Accounts to skip.
    pub exclude_accounts: Vec<String>,
    /// Organizational units to scan (with nested OUs).
    pub organizational_units: Vec<String>,
    /// The role to assume in each account.
    pub role_name: Option<String>,
    /// An external id for the role.
    pub external_id: Option<String>,
    /// A role in the management account for the ORG rules.
    pub management_role: Option<String>,
}

/// `[guardduty]`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct GuardDutyConfig {
    /// The expected delegated admin account (ORG003).
    pub admin_account: Option<String>,
}

/// `[security_hub]`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SecurityHubConfig {
    /// The Security Hub administrator, for when the scan cannot find it
    /// (no management view, and no account with Security Hub members).
    pub admin_account: Option<String>,
}

/// `[pager]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PagerConfig {
    /// Findings at or above this severity must page (ROUTE001). Default 7.0.
    pub min_severity: f64,
    /// Extra endpoint patterns (`*` wildcards) that count as a pager.
    pub endpoint_patterns: Vec<String>,
}

impl Default for PagerConfig {
    fn default() -> Self {
        PagerConfig {
            min_severity: 7.0,
            endpoint_patterns: Vec::new(),
        }
    }
}

/// `[chat]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChatConfig {
    /// Findings at or above this severity must reach chat (ROUTE002). Default 1.0.
    pub min_severity: f64,
    /// Functions (name or ARN) that count as chat notifiers.
    pub notifier_functions: Vec<String>,
}

impl Default for ChatConfig {
    fn default() -> Self {
        ChatConfig {
            min_severity: 1.0,
            notifier_functions: Vec::new(),
        }
    }
}

/// `[chain]`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ChainConfig {
    /// Extra topics (ARN) to treat as chain topics.
    pub topics: Vec<String>,
    /// Topics (ARN) whose policy is asserted to let EventBridge publish.
    pub assume_publish_allowed: Vec<String>,
}

/// `[secrets]`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SecretsConfig {
    /// SSM parameter names that hold secrets (SEC001).
    pub parameters: Vec<String>,
}

/// `[root]`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RootConfig {
    /// Accounts whose root credentials are centrally removed (ROOT001 not applicable).
    pub credentials_removed: Vec<String>,
}

/// `[terraform]`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TerraformConfig {
    /// What the stack is (the first role when `role` is a list).
    pub role: Option<StackRole>,
    /// The further roles when `role` is a list.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub more_roles: Vec<StackRole>,
    /// The stack's account.
    pub account_id: Option<String>,
    /// The stack's regions.
    pub regions: Vec<String>,
    /// `max_instances`: the most instances one `count`/`for_each` block may
    /// expand to in HCL; above it the block is SCAN004 and its presence
    /// undecided. `None`: [`DEFAULT_MAX_INSTANCES`].
    pub max_instances: Option<usize>,
}

/// The default `[terraform] max_instances`.
pub const DEFAULT_MAX_INSTANCES: usize = 10_000;

impl TerraformConfig {
    /// The effective `count`/`for_each` expansion limit per block.
    pub fn max_instances(&self) -> usize {
        self.max_instances.unwrap_or(DEFAULT_MAX_INSTANCES)
    }
}

/// `[rules]`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RulesConfig {
    /// Rule ids not to run.
    pub disable: Vec<String>,
    /// Severity overrides by rule id.
    pub severity: BTreeMap<String, Severity>,
}

/// A `[[waiver]]`: accepts a known failure, with a reason and an optional expiry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Waiver {
    /// The rule id.
    pub rule: String,
    /// The account it covers; `None` = any.
    pub account: Option<String>,
    /// The region it covers; `None` = any.
    pub region: Option<String>,
    /// The resource it covers (name, ARN or Terraform address); `None` = any.
    pub resource: Option<String>,
    /// Why the failure is accepted. Required.
    pub reason: String,
    /// The last day the waiver applies.
    pub expires: Option<NaiveDate>,
    /// Where it was declared, as `file:line`.
    pub declared_at: String,
}

impl Config {
    /// The effective severity of a rule.
    pub fn severity_of(&self, rule: RuleId, default: Severity) -> Severity {
        self.rules
            .severity
            .get(rule.as_str())
            .copied()
            .unwrap_or(default)
    }

    /// Apply `--rules` (run only these; empty = all) and `--skip-rules` (never
    /// these) to `[rules] disable`, so the one [`Config::is_disabled`] answers
    /// for config and command line alike. Ids are already checked.
    pub fn select_rules(&mut self, only: &[String], skip: &[String]) {
        let mut disable = |id: &str| {
            if !self
                .rules
                .disable
                .iter()
                .any(|d| d.eq_ignore_ascii_case(id))
            {
                self.rules.disable.push(id.to_string());
            }
        };
        if !only.is_empty() {
            for id in RuleId::ALL {
                if !only.iter().any(|o| o.eq_ignore_ascii_case(id.as_str())) {
                    disable(id.as_str());
                }
            }
        }
        for id in skip {
            disable(id);
        }
    }

    /// Whether a rule is disabled.
    pub fn is_disabled(&self, rule: RuleId) -> bool {
        self.rules.disable.iter().any(|r| rule == r.as_str())
    }
}
