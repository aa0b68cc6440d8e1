//! SARIF 2.1.0 writer for GitHub code scanning.
//!
//! **Why a hand-written model.** The SARIF types in [`model`] are a small serde
//! model of the subset GitHub reads, not the `serde-sarif` crate: serde-sarif
//! 0.8's manifest omits serde's `derive` feature, so it fails to compile unless
//! every crate using it enables that feature itself (upstream PR #798 is open),
//! and a small hand-written model is what zizmor chose. The model also
//! deserializes, which `--baseline` needs to read the previous run back.
//!
//! **What becomes a result.** Every `fail` or `waived` finding, plus SCAN
//! findings that are `not_assessed` (they are actionable). Other not-assessed,
//! pass and not-applicable outcomes stay in the JSON and text reports. Waived
//! findings carry an `external`/`accepted` suppression, never dropped.
//!
//! **GitHub's rules** (DESIGN.md): every result has a physicalLocation (the
//! Terraform file:line, else a pseudo path such as `aws/<account>/<region>/<kind>/<name>`
//! at line 1), a `primaryLocationLineHash`, and at most [`MAX_RESULTS`] results
//! per run; the run carries `automationDetails.id = "<category>/"`.
//!
//! **`--baseline`** ([`baseline`]): the previous run's results of every outcome
//! not assessed now are carried over, and `runs[0].properties.baseline` says
//! how many not-assessed outcomes are covered, so the Action knows whether an
//! upload could close an alert it could not re-check.

pub mod baseline;
mod locate;
pub mod model;

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value, json};

use self::model::{
    AutomationDetails, CodeFlow, Driver, Location, Log, Message, MultiformatMessage,
    ReportingConfiguration, ReportingDescriptor, Run, SarifResult, Suppression, ThreadFlow,
    ThreadFlowLocation, Tool,
};
use super::{Finding, RenderOptions, Report};
use crate::catalog::RuleId;
use crate::outcome::fingerprint;
use crate::outcome::{Status, Subject};
use crate::rules::{REGISTRY, RuleMeta};
use crate::severity::Severity;

/// GitHub rejects runs with more results than this.
pub const MAX_RESULTS: usize = 25_000;
/// GitHub keeps and shows only this many results of a run (the most severe);
/// a run with more records `properties.overShownLimit`, and the Action warns.
pub const MAX_SHOWN_RESULTS: usize = 5_000;
/// The `$schema` written into every log.
pub const SCHEMA_URI: &str = "https://json.schemastore.org/sarif-2.1.0.json";
/// The project's home page (`tool.driver.informationUri`).
pub const INFORMATION_URI: &str = "https://github.com/alertpath/alertpath";
/// The message prefix of a result re-emitted from `--baseline`.
pub const CARRIED_OVER_PREFIX: &str = "(carried over: not assessed in this run) ";
/// The words of an aggregated result's message that tell it from an
/// account-level result when its properties are gone (the code-scanning API export).
const AGGREGATED_MARKER: &str = "are aggregated into this one";
/// The fingerprint key GitHub reads.
const LINE_HASH: &str = "primaryLocationLineHash";

/// Render the report as pretty SARIF JSON.
pub fn render(report: &Report, options: &RenderOptions) -> anyhow::Result<String> {
    let log = build(report, options)?;
    let mut text = serde_json::to_string_pretty(&log)?;
    text.push('\n');
    Ok(text)
}

/// Build the SARIF log for a report.
pub fn build(report: &Report, options: &RenderOptions) -> anyhow::Result<Log> {
    let rules = descriptors(report);
    let index: BTreeMap<RuleId, usize> = REGISTRY
        .iter()
        .enumerate()
        .map(|(i, r)| (r.meta.id, i))
        .collect();
    let findings: Vec<&Finding> = report.findings.iter().filter(|f| is_result(f)).collect();
    let mut properties = Map::new();
    let mut results = if findings.len() > MAX_RESULTS {
        properties.insert("aggregated".into(), json!(true));
        aggregate(&findings, &index)
    } else {
        findings.iter().map(|f| result_of(f, &index)).collect()
    };
    let category = options
        .sarif_category
        .clone()
        .unwrap_or_else(|| report.default_category());
    if let Some(baseline) = &options.baseline {
        let baseline = baseline::Baseline::read(baseline, &category)?;
        let (carried, coverage) = baseline.carry_over(report, &results, &index);
        if !carried.is_empty() {
            properties.insert("carriedOver".into(), json!(carried.len()));
        }
        properties.insert("baseline".into(), coverage.to_json());
        results.extend(carried);
    }
    if results.len() > MAX_RESULTS {
        properties.insert("omittedResults".into(), json!(results.len() - MAX_RESULTS));
        results.truncate(MAX_RESULTS);
    }
    if results.len() > MAX_SHOWN_RESULTS {
        properties.insert(
            "overShownLimit".into(),
            json!(results.len() - MAX_SHOWN_RESULTS),
        );
    }
    Ok(Log {
        schema: SCHEMA_URI.to_string(),
        version: "2.1.0".to_string(),
        runs: vec![Run {
            tool: Tool {
                driver: driver(report, rules),
            },
            automation_details: Some(AutomationDetails {
                id: automation_id(&category),
            }),
            column_kind: Some("utf16CodeUnits".to_string()),
            original_uri_base_ids: locate::original_uri_base_ids(),
            results,
            properties,
        }],
    })
}

/// `<category>/`: GitHub reads the category up to the last `/`.
fn automation_id(category: &str) -> String {
    format!("{}/", category_key(category))
}

/// A category without its trailing `/`s: `alertpath/org/prod/` and
/// `alertpath/org/prod` are one category (GitHub's API writes the former).
pub fn category_key(category: &str) -> &str {
    category.trim_end_matches('/')
}

/// Whether a finding becomes a SARIF result.
pub fn is_result(finding: &Finding) -> bool {
    match finding.status() {
        Status::Fail | Status::Waived => true,
        Status::NotAssessed => finding.is_scan(),
        Status::Pass | Status::NotApplicable => false,
    }
}

fn driver(report: &Report, rules: Vec<ReportingDescriptor>) -> Driver {
    Driver {
        name: "alertpath".to_string(),
        version: Some(report.tool_version.clone()),
        semantic_version: Some(report.tool_version.clone()),
        information_uri: Some(INFORMATION_URI.to_string()),
        rules,
    }
}

/// Every rule of the registry, with this run's effective severity.
fn descriptors(report: &Report) -> Vec<ReportingDescriptor> {
    REGISTRY
        .iter()
        .map(|rule| describe_rule(&rule.meta, effective_severity(report, rule.meta.id)))
        .collect()
}

/// The rule's effective severity from `report.rules`, if the run lists it.
fn effective_severity(report: &Report, id: RuleId) -> Option<Severity> {
    report
        .rules
        .iter()
        .find(|r| r.id == id)
        .map(|r| r.severity)
        .or_else(|| {
            report
                .findings
                .iter()
                .find(|f| f.outcome.rule == id)
                .map(|f| f.severity)
        })
}

/// `precision` per family. Most rules read facts directly (`high`). ROUTE
/// judges paths against sample events and classifies endpoints by pattern, and
/// SEC recognises secrets by shape: both are heuristics, so `medium`.
fn precision(family: &str) -> &'static str {
    match family {
        "ROUTE" | "SEC" => "medium",
        _ => "high",
    }
}

fn rule_properties(family: &str, severity: Severity) -> Map<String, Value> {
    let mut properties = Map::new();
    properties.insert(
        "tags".into(),
        json!(["security", family.to_ascii_lowercase()]),
    );
    properties.insert(
        "security-severity".into(),
        json!(severity.security_severity()),
    );
    properties.insert("precision".into(), json!(precision(family)));
    properties
}

fn describe_rule(meta: &RuleMeta, severity: Option<Severity>) -> ReportingDescriptor {
    let severity = severity.unwrap_or(meta.severity);
    ReportingDescriptor {
        id: meta.id.to_string(),
        name: Some(meta.name.to_string()),
        short_description: Some(text(meta.summary)),
        full_description: Some(text(meta.title())),
        help: Some(MultiformatMessage {
            text: meta.doc.to_string(),
            markdown: Some(meta.doc.to_string()),
        }),
        help_uri: Some(meta.help_uri()),
        default_configuration: Some(ReportingConfiguration {
            level: severity.sarif_level().to_string(),
        }),
        properties: rule_properties(meta.family.as_str(), severity),
    }
}

fn text(s: &str) -> Message {
    Message {
        text: s.to_string(),
    }
}

/// One finding as one result.
fn result_of(finding: &Finding, index: &BTreeMap<RuleId, usize>) -> SarifResult {
    let outcome = &finding.outcome;
    let subject = &outcome.subject;
    let related_locations = outcome
        .related
        .iter()
        .enumerate()
        .map(|(i, related)| Location {
            id: Some(i + 1),
            physical_location: Some(locate::physical_location(&related.subject)),
            logical_locations: locate::logical_locations(&related.subject),
            message: Some(text(&format!(
                "{}: {}",
                related.label,
                locate::describe(&related.subject)
            ))),
        })
        .collect();
    SarifResult {
        rule_id: outcome.rule.to_string(),
        rule_index: index.get(&outcome.rule).copied(),
        kind: Some("fail".to_string()),
        level: Some(finding.severity.sarif_level().to_string()),
        message: text(&format!(
            "{} ({})",
            outcome.message,
            locate::describe(subject)
        )),
        locations: vec![Location {
            id: None,
            physical_location: Some(locate::physical_location(subject)),
            logical_locations: locate::logical_locations(subject),
            message: None,
        }],
        partial_fingerprints: BTreeMap::from([(
            LINE_HASH.to_string(),
            finding.fingerprint.clone(),
        )]),
        related_locations,
        code_flows: code_flows(finding),
        suppressions: suppressions(finding),
        properties: result_properties(subject, finding.status(), finding.severity),
    }
}

fn result_properties(subject: &Subject, status: Status, severity: Severity) -> Map<String, Value> {
    let mut properties = Map::new();
    if let Some(account) = &subject.account {
        properties.insert("account".into(), json!(account));
    }
    if let Some(region) = &subject.region {
        properties.insert("region".into(), json!(region));
    }
    properties.insert("status".into(), json!(status));
    properties.insert("severity".into(), json!(severity));
    properties
}

/// ROUTE findings: the walked path as one thread flow of inline locations.
fn code_flows(finding: &Finding) -> Vec<CodeFlow> {
    let outcome = &finding.outcome;
    if !finding.is_route() || outcome.path.is_empty() {
        return Vec::new();
    }
    let locations = outcome
        .path
        .iter()
        .map(|hop| ThreadFlowLocation {
            location: Location {
                id: None,
                physical_location: Some(locate::hop_location(hop, &outcome.subject)),
                logical_locations: Vec::new(),
                message: Some(text(&locate::hop_message(hop))),
            },
        })
        .collect();
    vec![CodeFlow {
        thread_flows: vec![ThreadFlow { locations }],
    }]
}

fn suppressions(finding: &Finding) -> Vec<Suppression> {
    match (&finding.waiver, finding.status()) {
        (Some(waiver), Status::Waived) => vec![Suppression {
            kind: "external".to_string(),
            status: Some("accepted".to_string()),
            justification: Some(waiver.reason.clone()),
        }],
        _ => Vec::new(),
    }
}

/// Over [`MAX_RESULTS`]: region-level findings become one result per
/// (rule, account, status); account- and organization-level findings stay.
fn aggregate(findings: &[&Finding], index: &BTreeMap<RuleId, usize>) -> Vec<SarifResult> {
    let mut results = Vec::new();
    let mut groups: BTreeMap<(RuleId, String, &'static str), Vec<&Finding>> = BTreeMap::new();
    for finding in findings {
        let subject = &finding.outcome.subject;
        match (&subject.account, &subject.region) {
            (Some(account), Some(_)) => groups
                .entry((
                    finding.outcome.rule,
                    account.clone(),
                    finding.status().label(),
                ))
                .or_default()
                .push(finding),
            _ => results.push(result_of(finding, index)),
        }
    }
    for ((rule, account, _), members) in groups {
        let status = members.first().map_or(Status::Fail, |f| f.status());
        results.push(aggregated_result(rule, &account, status, &members, index));
    }
    results
}

fn aggregated_result(
    rule: RuleId,
    account: &str,
    status: Status,
    members: &[&Finding],
    index: &BTreeMap<RuleId, usize>,
) -> SarifResult {
    let severity = members
        .iter()
        .map(|f| f.severity)
        .max()
        .unwrap_or(Severity::Medium);
    let regions: BTreeSet<&str> = members
        .iter()
        .filter_map(|f| f.outcome.subject.region.as_deref())
        .collect();
    let regions: Vec<&str> = regions.into_iter().collect();
    let subject = Subject::account(account);
    let message = format!(
        "{} region-level {} results of {rule} in account {account} {AGGREGATED_MARKER}, \
         because this scan exceeds GitHub's limit of {MAX_RESULTS} results per run. Regions: {}. \
         The JSON report lists each one.",
        members.len(),
        status.label(),
        regions.join(", ")
    );
    let reasons: BTreeSet<&str> = members
        .iter()
        .filter_map(|f| f.waiver.as_ref().map(|w| w.reason.as_str()))
        .collect();
    let suppressions = if status == Status::Waived {
        vec![Suppression {
            kind: "external".to_string(),
            status: Some("accepted".to_string()),
            justification: Some(reasons.into_iter().collect::<Vec<_>>().join("; ")),
        }]
    } else {
        Vec::new()
    };
    let mut properties = result_properties(&subject, status, severity);
    properties.insert("aggregated".into(), json!(members.len()));
    properties.insert("regions".into(), json!(regions));
    SarifResult {
        rule_id: rule.to_string(),
        rule_index: index.get(&rule).copied(),
        kind: Some("fail".to_string()),
        level: Some(severity.sarif_level().to_string()),
        message: text(&message),
        locations: vec![Location {
            id: None,
            physical_location: Some(locate::physical_location(&subject)),
            logical_locations: locate::logical_locations(&subject),
            message: None,
        }],
        partial_fingerprints: BTreeMap::from([(
            LINE_HASH.to_string(),
            fingerprint(&format!("{rule}:aggregated:{}", status.label()), &subject),
        )]),
        related_locations: Vec::new(),
        code_flows: Vec::new(),
        suppressions,
        properties,
    }
}

fn line_hash(result: &SarifResult) -> Option<String> {
    result.partial_fingerprints.get(LINE_HASH).cloned()
}
