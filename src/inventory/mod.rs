//! The inventory: every fact the rules read, per account × region, in one
//! provider-neutral, serde-serializable model. Every source (live AWS, Terraform
//! plan, HCL, snapshot) produces this shape.

pub mod arn;
mod known;
mod origin;
mod resources;
mod security_hub;
mod target_input;

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

pub use known::{Gap, GapReason, Known, Observed, Unknown, UnknownKind, UnknownMarker};
pub use origin::{Origin, Ref, SourceLocation};
pub use resources::*;
pub use security_hub::*;
pub use target_input::{TargetInput, is_object_text};

/// The snapshot format version this build reads and writes.
pub const FORMAT_VERSION: u32 = 1;

/// An AWS account id (12 digits).
pub type AccountId = String;
/// Whether `id` is an AWS account id: exactly 12 ASCII digits.
pub fn is_account_id(id: &str) -> bool {
    id.len() == 12 && id.bytes().all(|b| b.is_ascii_digit())
}

/// An AWS region name, e.g. `us-east-1`.
pub type Region = String;

/// Everything alertpath knows about one organization (or one stack).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Inventory {
    /// Snapshot format version; must equal [`FORMAT_VERSION`].
    pub format_version: u32,
    /// Which source made this inventory, and when.
    pub source: SourceInfo,
    /// The organization, when visible; `None` when no organization is visible
    /// (the scanned account is then treated as the GuardDuty admin).
    #[serde(default)]
    pub organization: Option<Organization>,
    /// Set when the organization's accounts could not be listed
    /// (`DescribeOrganization`, `ListAccounts` or `--ou` resolution failed,
    /// SCAN005): `accounts` then holds only the caller's account, and no
    /// outcome about other accounts or the organization as a whole is judged.
    /// `organization` is set only when the organization was still identified.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organization_not_listed: Option<Gap>,
    /// In-scope accounts by id.
    #[serde(default)]
    pub accounts: BTreeMap<AccountId, Account>,
    /// Accounts seen but out of scope (not ACTIVE, or excluded), counted and listed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub out_of_scope: Vec<OutOfScopeAccount>,
    /// Terraform-only facts (P/H sources).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub terraform: Option<TerraformFacts>,
}

/// Which source made the inventory.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SourceInfo {
    /// The input kind.
    pub kind: SourceKind,
    /// The alertpath version that produced it.
    pub tool_version: String,
    /// When collection started (RFC 3339), if the source has a time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub collected_at: Option<String>,
    /// The partition (`aws`, `aws-us-gov`, `aws-cn`).
    #[serde(default = "default_partition")]
    pub partition: String,
    /// Who collected it (live).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub caller: Option<Caller>,
    /// The input files (plan, HCL directory), repo-relative.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub inputs: Vec<String>,
    /// The snapshot file this inventory was replayed from (`scan --snapshot`),
    /// as given on the command line; `None` when collected or read now.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub snapshot: Option<String>,
    /// Statements the source wants in the report, e.g. "no organization visible:
    /// scanned the caller's account alone and treated it as the admin".
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

fn default_partition() -> String {
    "aws".to_string()
}

/// The kinds of input that make an inventory.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum SourceKind {
    /// Live AWS APIs (L).
    Live,
    /// `terraform show -json` plan output (P).
    Plan,
    /// Terraform HCL source (H).
    Hcl,
}

impl SourceKind {
    /// The one-letter code used in the rule table: L, P or H.
    pub fn letter(self) -> char {
        match self {
            SourceKind::Live => 'L',
            SourceKind::Plan => 'P',
            SourceKind::Hcl => 'H',
        }
    }

    /// Lower-case name, as in `alertpath/<source>` SARIF categories.
    pub fn name(self) -> &'static str {
        match self {
            SourceKind::Live => "live",
            SourceKind::Plan => "plan",
            SourceKind::Hcl => "hcl",
        }
    }
}

/// The identity that ran the collection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Caller {
    /// The caller's account.
    pub account: AccountId,
    /// The caller's ARN.
    pub arn: String,
}

/// The organization as the management account sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Organization {
    /// The organization id (`o-…`), when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The management account.
    pub management_account: AccountId,
    /// The management account's view of GuardDuty administration. A gap when
    /// the management account could not be reached (no `--management-role`).
    pub management_view: Observed<ManagementView>,
}

/// What only the management account can see.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ManagementView {
    /// GuardDuty `ListOrganizationAdminAccounts`, asked in each region.
    #[serde(default)]
    pub guardduty_admins: BTreeMap<Region, Observed<Vec<GuardDutyAdmin>>>,
    /// Organizations `ListDelegatedAdministrators` for `guardduty.amazonaws.com`.
    #[serde(default)]
    pub delegated_administrators: Observed<Vec<AccountId>>,
    /// Security Hub `ListOrganizationAdminAccounts` (asked once: Security Hub
    /// has one delegated administrator for the organization). `None` when not
    /// collected (snapshots written before alertpath read Security Hub).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub securityhub_admins: Option<Observed<Vec<SecurityHubAdmin>>>,
}

/// One GuardDuty organization admin account, as `ListOrganizationAdminAccounts` reports it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GuardDutyAdmin {
    /// The admin account id (may be unknown in a plan).
    pub account: Known<AccountId>,
    /// `ENABLED` or `DISABLE_IN_PROGRESS`.
    #[serde(default = "enabled_status")]
    pub status: String,
    /// Where it was declared.
    #[serde(default)]
    pub origin: Origin,
}

fn enabled_status() -> String {
    "ENABLED".to_string()
}

/// An account seen in the organization but not scanned.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OutOfScopeAccount {
    /// The account id.
    pub id: AccountId,
    /// The account name, if known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Why it is out of scope, e.g. "state SUSPENDED" or "excluded by --exclude-accounts".
    pub reason: String,
}

/// One in-scope account.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Account {
    /// The account name, if known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// How alertpath reached the account: a gap when the role could not be assumed (SCAN001).
    #[serde(default)]
    pub access: Observed<AccessPath>,
    /// Regions and what was collected there.
    #[serde(default)]
    pub regions: BTreeMap<Region, RegionSlot>,
    /// Set when the account's enabled regions could not be listed: only the
    /// regions in `regions` were scanned, and others may exist (SCAN002/SCAN003).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region_discovery: Option<Gap>,
}

/// How the account's facts were read.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum AccessPath {
    /// With the caller's own credentials.
    #[default]
    Caller,
    /// Through an assumed role.
    AssumedRole {
        /// The role ARN.
        role_arn: String,
    },
    /// From Terraform source (no access involved).
    Terraform,
}

/// One region of an account.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum RegionSlot {
    /// The region is not enabled for this account (opt-in): not applicable.
    NotEnabled,
    /// The region is enabled; its facts, or a gap when the whole region failed (SCAN002).
    Enabled(Box<Observed<RegionFacts>>),
}

impl RegionSlot {
    /// The region's facts when enabled and collected.
    pub fn facts(&self) -> Option<&RegionFacts> {
        match self {
            RegionSlot::Enabled(observed) => observed.collected(),
            RegionSlot::NotEnabled => None,
        }
    }
}

/// Facts about one account × region. Each group is collected on its own, so a
/// denied call leaves a gap in its group alone.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RegionFacts {
    /// GuardDuty detectors and, in an admin account, its organization view.
    #[serde(default)]
    pub guardduty: Observed<GuardDutyFacts>,
    /// EventBridge rules with their targets.
    #[serde(default)]
    pub event_rules: Observed<Vec<EventRule>>,
    /// EventBridge buses (policy of the default bus, for forwarding).
    #[serde(default)]
    pub event_buses: Observed<Vec<EventBus>>,
    /// SNS topics.
    #[serde(default)]
    pub topics: Observed<Vec<Topic>>,
    /// SNS subscriptions.
    #[serde(default)]
    pub subscriptions: Observed<Vec<Subscription>>,
    /// Lambda functions subscribed to chain topics (never every function).
    #[serde(default)]
    pub functions: Observed<Vec<Function>>,
    /// Functions looked up and confirmed absent (ARN or name).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub absent_functions: Vec<String>,
    /// CloudWatch metric alarms.
    #[serde(default)]
    pub alarms: Observed<Vec<Alarm>>,
    /// CloudWatch Logs metric filters on the log groups that matter.
    #[serde(default)]
    pub metric_filters: Observed<Vec<MetricFilter>>,
    /// CloudTrail trails visible in this region.
    #[serde(default)]
    pub trails: Observed<Vec<Trail>>,
    /// SSM parameters (metadata only, never values).
    #[serde(default)]
    pub parameters: Observed<Vec<Parameter>>,
    /// KMS keys used by topics, resolved.
    #[serde(default)]
    pub kms_keys: Observed<Vec<KmsKey>>,
    /// Security Hub CSPM (the Security Hub route's first leg). `None` when not
    /// collected (snapshots written before alertpath read Security Hub): the
    /// Security Hub leg is then not assessed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub security_hub: Option<Observed<SecurityHubFacts>>,
}

/// Terraform-only facts.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TerraformFacts {
    /// The declared stack role, from config `[terraform] role`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<StackRole>,
    /// Further roles the stack plays (`role` given as a list, e.g.
    /// `["guardduty-admin", "securityhub-admin"]`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub more_roles: Vec<StackRole>,
    /// Literal secrets found in the source (SEC002): where, never the value.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub hardcoded_secrets: Vec<HardcodedSecret>,
    /// Values the rules need that could not be resolved (SCAN004).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unresolved: Vec<Unresolved>,
    /// Resources whose presence could not be decided (docs/terms.md,
    /// "Presence that cannot be decided"): an unknown region, or a
    /// `count`/`for_each` that could not be evaluated. Absence rules they could
    /// satisfy are not assessed, never failed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub undecided: Vec<UndecidedPresence>,
    /// The region taken from `AWS_REGION`/`AWS_DEFAULT_REGION` for resources
    /// whose provider names none, recorded so a replay reproduces it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub environment_region: Option<EnvironmentRegion>,
}

/// A resource that is *maybe present*.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UndecidedPresence {
    /// The resource (address, and place in the source when known).
    pub origin: Origin,
    /// Its Terraform type, e.g. `aws_guardduty_detector`.
    pub kind: String,
    /// Its account, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account: Option<AccountId>,
    /// Its region; `None` when the region is what could not be decided.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<Region>,
    /// Whether it is in the inventory as one instance of unknown count (rules
    /// that judge what is there judge it; absence rules do not count it).
    #[serde(default)]
    pub judged_as_one: bool,
    /// Why its presence is undecided.
    pub reason: String,
}

/// A region read from the environment at scan time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EnvironmentRegion {
    /// The variable it came from: `AWS_REGION` or `AWS_DEFAULT_REGION`.
    pub variable: String,
    /// The region.
    pub region: Region,
}

/// What one Terraform stack is (docs/terms.md, "Stack role").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum StackRole {
    /// The GuardDuty delegated admin's security stack.
    GuarddutyAdmin,
    /// The organization management account's stack.
    Management,
    /// A member account's stack.
    Member,
    /// The Security Hub administrator's stack (the Security Hub route).
    SecurityhubAdmin,
}

impl StackRole {
    /// The role as `[terraform] role` writes it, e.g. `guardduty-admin`.
    pub fn as_str(self) -> &'static str {
        match self {
            StackRole::GuarddutyAdmin => "guardduty-admin",
            StackRole::Management => "management",
            StackRole::Member => "member",
            StackRole::SecurityhubAdmin => "securityhub-admin",
        }
    }
}

/// A secret written as a literal in Terraform.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct HardcodedSecret {
    /// What kind of secret it looks like.
    pub kind: SecretKind,
    /// Where it is written (resource or variable), with the attribute's line.
    pub origin: Origin,
    /// The attribute or variable holding it.
    pub attribute: String,
}

/// Kinds of secret alertpath recognises.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum SecretKind {
    /// A Slack incoming-webhook URL.
    SlackWebhook,
    /// A PagerDuty integration key in an events URL.
    PagerdutyIntegrationKey,
    /// A value bound to a name like `*integration_key*` or `*routing_key*`.
    NamedKey,
}

/// A value the rules need that alertpath could not resolve (SCAN004).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Unresolved {
    /// Where the expression is.
    pub origin: Origin,
    /// The expression, e.g. `module.slack.this_sns_topic_arn`.
    pub expression: String,
    /// Why, e.g. "registry module not downloaded".
    pub reason: String,
}

impl Inventory {
    /// An empty inventory for a source.
    pub fn new(kind: SourceKind) -> Self {
        Inventory {
            format_version: FORMAT_VERSION,
            source: SourceInfo {
                kind,
                tool_version: env!("CARGO_PKG_VERSION").to_string(),
                collected_at: None,
                partition: default_partition(),
                caller: None,
                inputs: Vec::new(),
                snapshot: None,
                notes: Vec::new(),
            },
            organization: None,
            organization_not_listed: None,
            accounts: BTreeMap::new(),
            out_of_scope: Vec::new(),
            terraform: None,
        }
    }

    /// Every collected account × region, in order.
    pub fn region_facts(&self) -> impl Iterator<Item = (&str, &str, &RegionFacts)> {
        self.accounts.iter().flat_map(|(id, account)| {
            account
                .regions
                .iter()
                .filter_map(move |(r, slot)| slot.facts().map(|f| (id.as_str(), r.as_str(), f)))
        })
    }

    /// The facts of one account × region, when collected.
    pub fn facts(&self, account: &str, region: &str) -> Option<&RegionFacts> {
        self.accounts.get(account)?.regions.get(region)?.facts()
    }

    /// The partition's global region.
    pub fn global_region(&self) -> &'static str {
        arn::global_region(&self.source.partition)
    }
}

impl RegionFacts {
    /// Every collection gap in this region, by fact group.
    pub fn gaps(&self) -> Vec<(&'static str, &Gap)> {
        let mut gaps: Vec<(&'static str, &Gap)> = [
            ("guardduty", self.guardduty.gap()),
            ("event rules", self.event_rules.gap()),
            ("event buses", self.event_buses.gap()),
            ("topics", self.topics.gap()),
            ("subscriptions", self.subscriptions.gap()),
            ("functions", self.functions.gap()),
            ("alarms", self.alarms.gap()),
            ("metric filters", self.metric_filters.gap()),
            ("trails", self.trails.gap()),
            ("parameters", self.parameters.gap()),
            ("kms keys", self.kms_keys.gap()),
        ]
        .into_iter()
        .filter_map(|(group, gap)| gap.map(|g| (group, g)))
        .collect();
        if let Some(gd) = self.guardduty.collected() {
            if let Some(Observed::Gap(g)) = &gd.organization_configuration {
                gaps.push(("guardduty organization configuration", g));
            }
            if let Some(Observed::Gap(g)) = &gd.members {
                gaps.push(("guardduty members", g));
            }
            if let Some(Observed::Gap(g)) = &gd.filters {
                gaps.push(("guardduty filters", g));
            }
            if let Some(Observed::Gap(g)) = &gd.publishing_destinations {
                gaps.push(("guardduty publishing destinations", g));
            }
        }
        if let Some(Observed::Gap(g)) = &self.security_hub {
            gaps.push(("security hub", g));
        }
        if let Some(Observed::Collected(sh)) = &self.security_hub {
            let groups = [
                ("security hub finding aggregators", sh.aggregators.gap()),
                ("security hub members", sh.members.gap()),
                ("security hub automation rules", sh.automation_rules.gap()),
                (
                    "security hub products",
                    sh.products.as_ref().and_then(Observed::gap),
                ),
            ];
            gaps.extend(groups.into_iter().filter_map(|(n, g)| g.map(|g| (n, g))));
        }
        if let Some(rules) = self.event_rules.collected() {
            gaps.extend(
                rules
                    .iter()
                    .filter_map(|r| r.targets.gap().map(|g| ("event targets", g))),
            );
        }
        if let Some(keys) = self.kms_keys.collected() {
            gaps.extend(
                keys.iter()
                    .filter_map(|k| k.policy.gap().map(|g| ("kms key policy", g))),
            );
        }
        gaps
    }
}

impl Organization {
    /// Every collection gap in the management account's view.
    pub fn gaps(&self) -> Vec<(String, &Gap)> {
        match &self.management_view {
            Observed::Gap(g) => vec![("management account view".to_string(), g)],
            Observed::Collected(view) => {
                let mut gaps: Vec<(String, &Gap)> = view
                    .guardduty_admins
                    .iter()
                    .filter_map(|(region, o)| {
                        o.gap()
                            .map(|g| (format!("GuardDuty admins in {region}"), g))
                    })
                    .collect();
                if let Some(g) = view.delegated_administrators.gap() {
                    gaps.push(("delegated administrators".to_string(), g));
                }
                if let Some(Observed::Gap(g)) = &view.securityhub_admins {
                    gaps.push(("Security Hub administrators".to_string(), g));
                }
                gaps
            }
        }
    }
}
