//! Runs the selected rules over an inventory, applies config and waivers, and
//! builds the [`Report`].

use chrono::NaiveDate;

use crate::config::{Config, Waiver};
use crate::inventory::Inventory;
use crate::outcome::{Outcome, Outcomes, Status, Subject};
use crate::report::{AppliedWaiver, Finding, Report, RuleRun};
use crate::rules::{Context, REGISTRY, Rule};

/// Options that change how the engine judges.
#[derive(Debug, Clone)]
pub struct EngineOptions {
    /// "Today", for waiver expiry. Frozen to the scan's start when re-verifying evidence.
    pub today: NaiveDate,
    /// Expired waivers are errors instead of warnings.
    pub strict_config: bool,
}

/// The engine's errors (only under `--strict-config`).
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    /// Expired waivers under `--strict-config`.
    #[error("expired waivers (--strict-config):\n{}", .0.join("\n"))]
    ExpiredWaivers(Vec<String>),
}

/// Run every enabled rule and build the report.
pub fn run(
    inventory: &Inventory,
    config: &Config,
    options: &EngineOptions,
) -> Result<Report, EngineError> {
    let context = Context::new(inventory, config);
    let definite = crate::presence::definite(inventory);
    let definite_context = definite.as_ref().map(|d| Context::new(d, config));
    let mut rules = Vec::new();
    let mut findings = Vec::new();
    for rule in REGISTRY.iter() {
        let disabled = config.is_disabled(rule.meta.id);
        rules.push(RuleRun {
            id: rule.meta.id,
            enabled: !disabled,
            severity: config.severity_of(rule.meta.id, rule.meta.severity),
        });
        if disabled {
            continue;
        }
        // Every rule: a verdict of absence ("no rule matching root sign-in")
        // is not only the role-gated rules' (presence.rs).
        let outcomes = crate::presence::judge_absence(
            rule.meta.id,
            run_rule(rule, &context),
            definite_context.as_ref().map(|d| run_rule(rule, d)),
            inventory,
        );
        for outcome in outcomes {
            let severity = config.severity_of(rule.meta.id, rule.meta.severity);
            findings.push(Finding::new(outcome, severity));
        }
    }
    disambiguate_fingerprints(&mut findings);
    let mut warnings = Vec::new();
    let expired = apply_waivers(&mut findings, &config.waivers, options.today, &mut warnings);
    if options.strict_config && !expired.is_empty() {
        return Err(EngineError::ExpiredWaivers(expired));
    }
    let mut report = Report::new(inventory, config, rules, findings, warnings);
    report.shaped_by.waivers_expired = expired.len();
    Ok(report)
}

/// Two findings with one fingerprint would collapse into one code-scanning
/// alert. Each rule gives each subject one outcome, but an input can hold two
/// resources with one name (two Terraform topics named `gd-pager` in one
/// region): later duplicates get `:2`, `:3`, … appended, in report order,
/// which is deterministic. Returns how many were renamed. The rule, plan
/// and parity tests assert that no fingerprint carries a suffix.
pub fn disambiguate_fingerprints(findings: &mut [Finding]) -> usize {
    let mut seen: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    let mut renamed = 0;
    for f in findings.iter_mut() {
        let count = seen.entry(f.fingerprint.clone()).or_insert(0);
        *count += 1;
        if *count > 1 {
            f.fingerprint = format!("{}:{count}", f.fingerprint);
            renamed += 1;
        }
    }
    renamed
}

/// Run one rule, honouring its sources and, in Terraform input, the stack role.
pub fn run_rule(rule: &Rule, context: &Context<'_>) -> Vec<Outcome> {
    let mut outcomes = Outcomes::new(rule.meta.id);
    let source = context.source();
    if !rule.meta.sources.contains(&source) {
        outcomes.not_applicable(
            Subject::global(),
            format!(
                "{} cannot be assessed from {} input (sources: {})",
                rule.meta.id,
                source.name(),
                rule.meta.source_letters()
            ),
        );
        return outcomes.into_vec();
    }
    if source != crate::inventory::SourceKind::Live
        && let Some(roles) = rule.meta.stack_roles
    {
        let declared = context.stack_roles();
        if !declared.iter().any(|r| roles.contains(r)) {
            let why = match declared.as_slice() {
                [] => "no stack role is declared in [terraform] role".to_string(),
                [role] => format!("the stack's declared role is `{}`", role.as_str()),
                more => format!(
                    "the stack's declared roles are {}",
                    more.iter()
                        .map(|r| format!("`{}`", r.as_str()))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            };
            outcomes.not_applicable(
                Subject::global(),
                format!("{} judges what a stack lacks, and {why}", rule.meta.id),
            );
            return outcomes.into_vec();
        }
    }
    if let Some(why) = context.organization_not_listed() {
        judge_unlisted_organization(rule, context, &mut outcomes, &why);
    } else {
        (rule.check)(context, &mut outcomes);
    }
    outcomes.into_vec()
}

/// The organization's accounts are unknown (SCAN005): rules judged from the
/// management view are not assessed; rules judged in every account (and
/// GD003, whose subjects are every member) judge the scanned accounts and
/// leave the unlisted rest not assessed; the others judge what was scanned,
/// their admin lookups being unknown where the admin was not scanned.
fn judge_unlisted_organization(
    rule: &Rule,
    context: &Context<'_>,
    outcomes: &mut Outcomes,
    why: &str,
) {
    use crate::rules::{JudgedIn, RuleId};
    let subject = || Subject {
        resource: Some(crate::outcome::ResourceRef {
            kind: crate::outcome::ResourceKind::UnlistedAccounts,
            name: "organization".to_string(),
            origin: Default::default(),
            attribute: None,
        }),
        ..context.organization_subject()
    };
    match rule.meta.judged_in {
        JudgedIn::Mgmt => {
            outcomes.not_assessed(subject(), why.to_string());
        }
        JudgedIn::Every => {
            (rule.check)(context, outcomes);
            outcomes.not_assessed(
                subject(),
                format!("accounts other than the scanned ones: {why}"),
            );
        }
        _ if rule.meta.id == RuleId::GD003 => {
            (rule.check)(context, outcomes);
            outcomes.not_assessed(
                subject(),
                format!("members other than the scanned accounts: {why}"),
            );
        }
        _ => (rule.check)(context, outcomes),
    }
}

/// Apply waivers to failing findings. Returns the descriptions of expired waivers
/// (also pushed to `warnings`), and warns about waivers that matched nothing.
fn apply_waivers(
    findings: &mut [Finding],
    waivers: &[Waiver],
    today: NaiveDate,
    warnings: &mut Vec<String>,
) -> Vec<String> {
    let mut expired = Vec::new();
    for waiver in waivers {
        let is_expired = waiver.expires.is_some_and(|e| e < today);
        let mut matched = 0usize;
        for finding in findings.iter_mut() {
            if !waiver_matches(waiver, finding) {
                continue;
            }
            matched += 1;
            if is_expired || !finding.is_waivable() {
                continue;
            }
            finding.outcome.status = Status::Waived;
            finding.waiver = Some(AppliedWaiver {
                reason: waiver.reason.clone(),
                expires: waiver.expires.map(|d| d.to_string()),
                declared_at: waiver.declared_at.clone(),
            });
        }
        if is_expired {
            let text = format!(
                "{}: waiver for {} expired on {}; its findings are reported again",
                waiver.declared_at,
                waiver.rule,
                waiver.expires.map(|d| d.to_string()).unwrap_or_default()
            );
            warnings.push(text.clone());
            expired.push(text);
        } else if matched == 0 {
            warnings.push(format!(
                "{}: waiver for {} matched no finding; remove it",
                waiver.declared_at, waiver.rule
            ));
        }
    }
    expired
}

fn waiver_matches(waiver: &Waiver, finding: &Finding) -> bool {
    let subject = &finding.outcome.subject;
    waiver
        .rule
        .eq_ignore_ascii_case(finding.outcome.rule.as_str())
        && field_matches(&waiver.account, subject.account.as_deref())
        && field_matches(&waiver.region, subject.region.as_deref())
        && waiver
            .resource
            .as_ref()
            .is_none_or(|want| resource_matches(want, subject))
}

fn field_matches(want: &Option<String>, have: Option<&str>) -> bool {
    want.as_deref().is_none_or(|w| Some(w) == have)
}

fn resource_matches(want: &str, subject: &Subject) -> bool {
    let Some(resource) = &subject.resource else {
        return false;
    };
    resource.name == want
        || resource.origin.arn.as_deref() == Some(want)
        || resource.origin.address.as_deref() == Some(want)
}
