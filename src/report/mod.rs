//! The report: every finding of one scan, plus coverage and summary. Writers for
//! each output format are separate modules over this one type.

mod describe;
pub mod github;
pub mod json;
pub mod markdown;
pub mod sarif;
pub mod text;

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::catalog::{Family, RuleId};
use crate::config::Config;
use crate::inventory::{
    Inventory, OutOfScopeAccount, RegionSlot, SourceInfo, SourceKind, StackRole, UnknownKind,
};
use crate::outcome::{Outcome, Status, fingerprint};
use crate::severity::Severity;

/// The JSON report format version.
pub const REPORT_VERSION: u32 = 1;

/// One scan's results.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct Report {
    /// Report format version ([`REPORT_VERSION`]).
    pub report_version: u32,
    /// The alertpath version.
    pub tool_version: String,
    /// The input that was judged.
    pub source: SourceInfo,
    /// When the scan started (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub started_at: Option<String>,
    /// When the scan finished (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finished_at: Option<String>,
    /// The config file used, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub config_file: Option<String>,
    /// What was in scope and what could be read.
    pub coverage: Coverage,
    /// Every rule and whether it ran.
    pub rules: Vec<RuleRun>,
    /// Every outcome: failures, passes, not-assessed, not-applicable and waived.
    pub findings: Vec<Finding>,
    /// Counts per status, and failures per severity.
    pub summary: Summary,
    /// Config and waiver warnings.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
    /// Statements from the source (e.g. "no organization visible").
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    /// API call statistics (live).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stats: Option<serde_json::Value>,
    /// What shaped the outcomes besides the input and the rules run: the
    /// declared stack role and the waivers.
    #[serde(default)]
    pub shaped_by: ShapedBy,
}

/// What shaped the outcomes besides the input and the rules run.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ShapedBy {
    /// `[terraform] role`, for Terraform input (rules judging what a stack
    /// lacks apply only to a declared role).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stack_role: Option<StackRole>,
    /// `[[waiver]]` entries in config.
    #[serde(default)]
    pub waivers: usize,
    /// Of which had expired on the scan's day: their findings are reported again.
    #[serde(default)]
    pub waivers_expired: usize,
}

/// What was in scope and what could be read.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
pub struct Coverage {
    /// Accounts in scope.
    pub accounts_in_scope: usize,
    /// Accounts whose facts were read.
    pub accounts_assessed: usize,
    /// Enabled account × region pairs.
    pub regions_enabled: usize,
    /// Enabled account × region pairs whose facts were all read.
    pub regions_assessed: usize,
    /// Enabled account × region pairs whose GuardDuty and EventBridge facts
    /// were read but some other call failed or was denied (SCAN002/SCAN003).
    #[serde(default)]
    pub regions_assessed_with_gaps: usize,
    /// Enabled account × region pairs not assessed: the account was not
    /// reached, or the region's GuardDuty or EventBridge facts were not read.
    #[serde(default)]
    pub regions_not_assessed: usize,
    /// Account × region pairs not enabled (opt-in), not applicable.
    pub regions_not_enabled: usize,
    /// Whether the organization's accounts were listed.
    #[serde(default)]
    pub organization: OrganizationCoverage,
    /// Why the organization's accounts were not listed (SCAN005).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organization_not_listed: Option<String>,
    /// Accounts seen but not scanned, and why.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub out_of_scope: Vec<OutOfScopeAccount>,
}

/// Whether the scan knows the organization's accounts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum OrganizationCoverage {
    /// The organization's accounts were listed: the scope is known.
    Listed,
    /// Organizations answered that there is no organization.
    NoOrganization,
    /// The accounts could not be listed (SCAN005): the scope is unknown, and
    /// the counts cover the scanned accounts only.
    NotListed,
    /// Terraform input: no organization to list.
    #[default]
    NotApplicable,
}

/// How much of one enabled account × region was read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RegionCoverage {
    /// Every call succeeded.
    Assessed,
    /// GuardDuty and EventBridge were read; some other call failed or was denied.
    AssessedWithGaps,
    /// The region's GuardDuty or EventBridge facts (or the account) were not read.
    NotAssessed,
}

impl RegionCoverage {
    /// The one answer to "was this region assessed": a region counts as
    /// assessed when its GuardDuty and EventBridge facts were read.
    pub fn of(
        account: &crate::inventory::Account,
        observed: &crate::inventory::Observed<crate::inventory::RegionFacts>,
    ) -> Self {
        if account.access.collected().is_none() {
            return RegionCoverage::NotAssessed;
        }
        let Some(facts) = observed.collected() else {
            return RegionCoverage::NotAssessed;
        };
        if facts.guardduty.collected().is_none() || facts.event_rules.collected().is_none() {
            RegionCoverage::NotAssessed
        } else if facts.gaps().is_empty() {
            RegionCoverage::Assessed
        } else {
            RegionCoverage::AssessedWithGaps
        }
    }
}

/// A rule as configured for this run.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct RuleRun {
    /// The rule id.
    pub id: RuleId,
    /// Whether it ran (false when disabled in config).
    pub enabled: bool,
    /// The effective severity.
    pub severity: Severity,
}

/// One outcome with its effective severity, fingerprint and waiver.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct Finding {
    /// The outcome.
    #[serde(flatten)]
    pub outcome: Outcome,
    /// The effective severity (after overrides).
    pub severity: Severity,
    /// A stable hash of rule, account, region and resource.
    pub fingerprint: String,
    /// The waiver that covers it, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub waiver: Option<AppliedWaiver>,
}

/// A waiver applied to a finding.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct AppliedWaiver {
    /// Why the failure is accepted.
    pub reason: String,
    /// When the waiver expires, if it does.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires: Option<String>,
    /// Where it was declared (`file:line`).
    pub declared_at: String,
}

/// Counts per status, and failures per severity.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
pub struct Summary {
    /// Failing outcomes (excluding SCAN, which count as not assessed).
    pub fail: usize,
    /// Passing outcomes.
    pub pass: usize,
    /// Not-assessed outcomes, including SCAN findings.
    pub not_assessed: usize,
    /// Of which: values known only after `terraform apply`.
    pub known_after_apply: usize,
    /// Not-applicable outcomes.
    pub not_applicable: usize,
    /// Waived failures.
    pub waived: usize,
    /// Failing outcomes per effective severity.
    pub fail_by_severity: BTreeMap<Severity, usize>,
}

impl Finding {
    /// Wrap an outcome. A SCAN rule's failure is a not-assessed outcome: it
    /// drives exit code 3, never 1.
    pub fn new(mut outcome: Outcome, severity: Severity) -> Self {
        if outcome.rule.family() == Family::Scan && outcome.status == Status::Fail {
            outcome.status = Status::NotAssessed;
        }
        let fingerprint = fingerprint(outcome.rule.as_str(), &outcome.subject);
        Finding {
            outcome,
            severity,
            fingerprint,
            waiver: None,
        }
    }

    /// The status (after waivers).
    pub fn status(&self) -> Status {
        self.outcome.status
    }

    /// Whether this is a SCAN-family finding (coverage of the scan itself).
    pub fn is_scan(&self) -> bool {
        self.outcome.rule.family() == Family::Scan
    }

    /// Whether this is a ROUTE finding (waivers never change those).
    pub fn is_route(&self) -> bool {
        self.outcome.rule.family() == Family::Route
    }

    /// Whether a waiver may cover it: failures, and SCAN findings, but never ROUTE.
    pub fn is_waivable(&self) -> bool {
        !self.is_route()
            && (self.outcome.status == Status::Fail
                || (self.is_scan() && self.outcome.status == Status::NotAssessed))
    }

    /// Whether it is "known after apply".
    pub fn is_after_apply(&self) -> bool {
        self.outcome.unknown == Some(UnknownKind::KnownAfterApply)
    }

    /// Whether it is "known after apply" or "outside this stack", which do not
    /// cause exit 3 by default (only with `--strict-unknowns`).
    pub fn is_soft_unknown(&self) -> bool {
        self.outcome.unknown.is_some_and(UnknownKind::is_soft)
    }
}

impl Report {
    /// Build a report from the engine's findings.
    pub fn new(
        inventory: &Inventory,
        config: &Config,
        rules: Vec<RuleRun>,
        findings: Vec<Finding>,
        warnings: Vec<String>,
    ) -> Self {
        let summary = Summary::of(&findings);
        Report {
            report_version: REPORT_VERSION,
            tool_version: env!("CARGO_PKG_VERSION").to_string(),
            source: inventory.source.clone(),
            started_at: inventory.source.collected_at.clone(),
            finished_at: None,
            config_file: config.path.clone(),
            coverage: Coverage::of(inventory),
            rules,
            findings,
            summary,
            warnings,
            notes: inventory.source.notes.clone(),
            stats: None,
            shaped_by: ShapedBy {
                stack_role: config
                    .terraform
                    .role
                    .filter(|_| inventory.source.kind != SourceKind::Live),
                waivers: config.waivers.len(),
                waivers_expired: 0,
            },
        }
    }

    /// The SARIF category: `--sarif-category`, else `alertpath/<source>`.
    pub fn default_category(&self) -> String {
        format!("alertpath/{}", self.source.kind.name())
    }
}

impl Summary {
    /// Count findings.
    pub fn of(findings: &[Finding]) -> Self {
        let mut s = Summary::default();
        for f in findings {
            match f.status() {
                Status::Fail => {
                    s.fail += 1;
                    *s.fail_by_severity.entry(f.severity).or_default() += 1;
                }
                Status::Pass => s.pass += 1,
                Status::NotAssessed => {
                    s.not_assessed += 1;
                    if f.is_after_apply() {
                        s.known_after_apply += 1;
                    }
                }
                Status::NotApplicable => s.not_applicable += 1,
                Status::Waived => s.waived += 1,
            }
        }
        s
    }
}

impl Coverage {
    /// Measure coverage of an inventory.
    pub fn of(inventory: &Inventory) -> Self {
        let organization = match (&inventory.organization_not_listed, &inventory.organization) {
            (Some(_), _) => OrganizationCoverage::NotListed,
            _ if inventory.source.kind != SourceKind::Live => OrganizationCoverage::NotApplicable,
            (None, Some(_)) => OrganizationCoverage::Listed,
            (None, None) => OrganizationCoverage::NoOrganization,
        };
        let mut c = Coverage {
            accounts_in_scope: inventory.accounts.len(),
            out_of_scope: inventory.out_of_scope.clone(),
            organization,
            organization_not_listed: inventory
                .organization_not_listed
                .as_ref()
                .map(|g| g.describe()),
            ..Coverage::default()
        };
        for account in inventory.accounts.values() {
            if account.access.collected().is_some() {
                c.accounts_assessed += 1;
            }
            for slot in account.regions.values() {
                match slot {
                    RegionSlot::NotEnabled => c.regions_not_enabled += 1,
                    RegionSlot::Enabled(observed) => {
                        c.regions_enabled += 1;
                        match RegionCoverage::of(account, observed) {
                            RegionCoverage::Assessed => c.regions_assessed += 1,
                            RegionCoverage::AssessedWithGaps => c.regions_assessed_with_gaps += 1,
                            RegionCoverage::NotAssessed => c.regions_not_assessed += 1,
                        }
                    }
                }
            }
        }
        c
    }
}

/// How the exit code is computed (DESIGN.md "Exit codes").
#[derive(Debug, Clone, Copy)]
pub struct ExitPolicy {
    /// Failures at or above this severity give exit 1; `None`: failures never do.
    pub fail_on: Option<Severity>,
    /// Not-assessed scope does not give exit 3.
    pub allow_partial: bool,
    /// 1 and 3 become 0 (2 is never masked; it never reaches here).
    pub exit_zero: bool,
    /// "Known after apply" values and links outside this stack count as not
    /// assessed for exit 3.
    pub strict_unknowns: bool,
}

/// Exit codes, part of the interface.
pub mod exit {
    /// Nothing at or above `--fail-on`, and everything assessed.
    pub const OK: u8 = 0;
    /// Findings at or above `--fail-on`.
    pub const FINDINGS: u8 = 1;
    /// Usage, config or input error.
    pub const ERROR: u8 = 2;
    /// No failing findings, but some scope was not assessed.
    pub const NOT_ASSESSED: u8 = 3;
}

impl Report {
    /// The exit code for this report under a policy.
    pub fn exit_code(&self, policy: &ExitPolicy) -> u8 {
        let failing = self.findings.iter().any(|f| {
            f.status() == Status::Fail && policy.fail_on.is_some_and(|min| f.severity >= min)
        });
        let partial = self.findings.iter().any(|f| {
            f.status() == Status::NotAssessed && (policy.strict_unknowns || !f.is_soft_unknown())
        });
        let code = if failing {
            exit::FINDINGS
        } else if partial && !policy.allow_partial {
            exit::NOT_ASSESSED
        } else {
            exit::OK
        };
        if policy.exit_zero { exit::OK } else { code }
    }
}

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Readable terminal output.
    Text,
    /// The versioned JSON report.
    Json,
    /// SARIF 2.1.0 for GitHub code scanning.
    Sarif,
    /// Markdown for `$GITHUB_STEP_SUMMARY`.
    Markdown,
    /// GitHub workflow-command annotations (`::error file=…,line=…::…`).
    Github,
}

impl Format {
    /// The file name used under `--output-dir`.
    pub fn default_file_name(self) -> &'static str {
        match self {
            Format::Text => "alertpath.txt",
            Format::Json => "alertpath.json",
            Format::Sarif => "alertpath.sarif",
            Format::Markdown => "alertpath.md",
            Format::Github => "alertpath.annotations.txt",
        }
    }
}

/// Options for writers.
#[derive(Debug, Clone, Default)]
pub struct RenderOptions {
    /// Use ANSI colour (text, on a TTY only).
    pub color: bool,
    /// `--sarif-category`.
    pub sarif_category: Option<String>,
    /// Previous SARIF for `--baseline`: results of not-assessed scopes are carried over.
    pub baseline: Option<serde_json::Value>,
    /// `--min-severity`: the text, Markdown and github views list failures and
    /// waivers at or above it only. JSON and SARIF ignore it.
    pub min_severity: Option<Severity>,
    /// Where Markdown links a Terraform file:line (`…/blob/<sha>/`), from
    /// `GITHUB_SERVER_URL`, `GITHUB_REPOSITORY` and `GITHUB_SHA` in a workflow.
    /// Never in an evidence pack, whose Markdown must not depend on the
    /// environment.
    pub source_links: Option<String>,
    /// `--group-by`: how the text and Markdown views group findings.
    pub group_by: GroupBy,
}

/// How the text and Markdown views group findings (`--group-by`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum GroupBy {
    /// By account, then region (organization-level first).
    #[default]
    Account,
    /// By rule, the rule with the most severe failure first: one rule's
    /// findings across accounts read as one group.
    Rule,
}

impl RenderOptions {
    /// The `source_links` base of a GitHub Actions run: all three variables
    /// set and non-empty, else `None`.
    pub fn github_source_links() -> Option<String> {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        let server = var("GITHUB_SERVER_URL")?;
        let repo = var("GITHUB_REPOSITORY")?;
        let sha = var("GITHUB_SHA")?;
        Some(format!(
            "{}/{repo}/blob/{sha}/",
            server.trim_end_matches('/')
        ))
    }
}

/// Render a report in one format.
pub fn render(report: &Report, format: Format, options: &RenderOptions) -> anyhow::Result<String> {
    match format {
        Format::Text => Ok(text::render_with(report, options)),
        Format::Json => json::render(report),
        Format::Sarif => sarif::render(report, options),
        Format::Markdown => Ok(markdown::render_with(report, options)),
        Format::Github => Ok(github::render(report, options)),
    }
}
