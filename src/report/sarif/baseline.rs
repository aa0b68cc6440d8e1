//! `--baseline`: reading the previous run's SARIF and carrying over what this
//! run could not re-check.
//!
//! **The lifecycle it protects.** Code scanning closes, as fixed, every alert of
//! a category that is missing from the next upload. An outcome this run could
//! not assess must therefore keep its previous alerts: every baseline result
//! whose (rule, subject) lies within a not-assessed outcome's (rule, subject) is
//! re-emitted, marked as carried over. SCAN001 (an account) and SCAN002 (an
//! account × region) stand for every rule of their scope. Nothing is invented:
//! only results the baseline holds are carried, and a result this run judged
//! afresh (pass, fail, waived, not applicable) is never carried.
//!
//! **Covered.** A not-assessed outcome is *covered* when every baseline result
//! that may belong to it could be placed (its account and region are known,
//! from alertpath's `properties` or from an `aws/<account>/<region>/…` URI) and,
//! if it needs carrying, has a fingerprint (its own `primaryLocationLineHash`,
//! or one recomputed from the rule and a full `aws/…` resource URI). A baseline
//! result that cannot be placed leaves every not-assessed outcome of its rule
//! uncovered: uploading could close its alert. [`Coverage`] counts both, and the
//! GitHub Action uploads a partial scan only when nothing is uncovered.
//!
//! **What is refused.** A baseline that is not a SARIF log, was written by
//! another tool, belongs to another category, or whose results carry none of
//! alertpath's keys (`properties.account`/`region`/`status`,
//! `primaryLocationLineHash`, an `aws/…` URI) is an error, never silently used.
//! The code-scanning REST API's SARIF export is such a file: it keeps only a
//! subset (result `properties` hold `github/alertNumber`, sometimes as an
//! array, and no `partialFingerprints`). Use the previous run's own SARIF,
//! which the Action keeps as a workflow artifact.

use std::collections::{BTreeMap, BTreeSet};

use anyhow::{Context as _, bail};
use serde_json::{Map, Value, json};

use super::model::{Region, SarifResult};
use super::{AGGREGATED_MARKER, CARRIED_OVER_PREFIX, LINE_HASH, category_key, line_hash};
use crate::catalog::RuleId;
use crate::outcome::fingerprint;
use crate::outcome::{Status, Subject};
use crate::report::{Finding, Report};

/// At most this many reasons are listed in the SARIF's `baseline.uncoveredReasons`.
const MAX_REASONS: usize = 5;

/// Where a baseline result lies: its account (`None`: the organization) and region.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Place {
    account: Option<String>,
    region: Option<String>,
    /// Regions of an aggregated account-level result.
    regions: Vec<String>,
}

/// How a baseline result relates to a not-assessed outcome.
enum Relation<'a> {
    /// Another rule or another subject.
    Unrelated,
    /// Within the outcome's subject, with this fingerprint.
    Belongs(&'a str),
    /// It may be the outcome's, but alertpath cannot tell or cannot carry it.
    Unknown(String),
}

/// One result of the baseline, with what alertpath could learn about it.
#[derive(Debug, Clone)]
struct Previous {
    result: SarifResult,
    /// `None`: the result cannot be placed.
    place: Option<Place>,
    /// Its `primaryLocationLineHash`, or one recomputed from a full `aws/…` URI.
    fingerprint: Option<String>,
}

/// A previous run's SARIF, read and checked.
#[derive(Debug, Clone)]
pub struct Baseline {
    results: Vec<Previous>,
}

/// What the carry-over did, written to the run's `properties.baseline`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Coverage {
    /// Not-assessed outcomes in this run.
    pub not_assessed: usize,
    /// Of which: covered (see the module doc).
    pub covered: usize,
    /// Of which: not covered; uploading could close one of their alerts.
    pub uncovered: usize,
    /// Baseline results carried over.
    pub carried_over: usize,
    /// Why outcomes are uncovered (the first few).
    pub uncovered_reasons: Vec<String>,
}

impl Coverage {
    /// As the run's `properties.baseline` object.
    pub fn to_json(&self) -> Value {
        json!({
            "notAssessed": self.not_assessed,
            "covered": self.covered,
            "uncovered": self.uncovered,
            "carriedOver": self.carried_over,
            "uncoveredReasons": self.uncovered_reasons,
        })
    }
}

impl Baseline {
    /// Read a baseline SARIF log for a run of `category`.
    pub fn read(value: &Value, category: &str) -> anyhow::Result<Baseline> {
        let runs = value
            .get("runs")
            .and_then(Value::as_array)
            .context("--baseline is not a SARIF log: it has no `runs` array")?;
        let mut results = Vec::new();
        for (r, run) in runs.iter().enumerate() {
            let tool = run
                .pointer("/tool/driver/name")
                .and_then(Value::as_str)
                .unwrap_or("alertpath");
            if tool != "alertpath" {
                bail!("--baseline: run {r} was written by {tool:?}, not alertpath");
            }
            if let Some(id) = run.pointer("/automationDetails/id").and_then(Value::as_str)
                && category_key(id) != category_key(category)
            {
                bail!(
                    "--baseline is the SARIF of category {:?}, but this run's category is {:?}: \
                     pass the previous SARIF of the same category",
                    category_key(id),
                    category_key(category)
                );
            }
            let raw = run.get("results").and_then(Value::as_array);
            for (i, result) in raw.into_iter().flatten().enumerate() {
                results.push(
                    Previous::read(result)
                        .with_context(|| format!("--baseline: run {r}, result {i}"))?,
                );
            }
        }
        let alertpaths = results.iter().filter(|p| p.is_alertpaths()).count();
        if !results.is_empty() && alertpaths == 0 {
            bail!(
                "--baseline: none of its {} results carries alertpath's keys \
                 (properties.account/region/status, partialFingerprints.{LINE_HASH}, an aws/<account>/<region>/… location). \
                 It looks like the code-scanning API's SARIF export, which keeps only a subset of each result; \
                 refusing to use it. Pass the previous run's own SARIF (the Action keeps it as a workflow artifact).",
                results.len()
            );
        }
        Ok(Baseline { results })
    }

    /// Carry over the baseline results of every not-assessed outcome, given this
    /// run's results; returns the carried results and the coverage.
    pub fn carry_over(
        &self,
        report: &Report,
        current: &[SarifResult],
        index: &BTreeMap<RuleId, usize>,
    ) -> (Vec<SarifResult>, Coverage) {
        let assessed: BTreeSet<&str> = report
            .findings
            .iter()
            .filter(|f| f.status() != Status::NotAssessed && !is_scope_gap(f))
            .map(|f| f.fingerprint.as_str())
            .collect();
        let mut seen: BTreeSet<String> = current.iter().filter_map(line_hash).collect();
        let mut carried = Vec::new();
        let mut coverage = Coverage::default();
        for finding in &report.findings {
            let gap = is_scope_gap(finding);
            let not_assessed = finding.status() == Status::NotAssessed;
            if !gap && !not_assessed {
                continue;
            }
            let mut problems = Vec::new();
            for previous in &self.results {
                let hash = match previous.relation(finding, gap) {
                    Relation::Unrelated => continue,
                    Relation::Unknown(problem) => {
                        problems.push(problem);
                        continue;
                    }
                    Relation::Belongs(hash) => hash,
                };
                if assessed.contains(hash) || !seen.insert(hash.to_string()) {
                    continue;
                }
                carried.push(previous.carried(hash, index));
            }
            if not_assessed {
                coverage.not_assessed += 1;
                if problems.is_empty() {
                    coverage.covered += 1;
                } else {
                    coverage.uncovered += 1;
                    for problem in problems {
                        let reason = format!(
                            "{} ({}): {problem}",
                            finding.outcome.rule,
                            finding.outcome.subject.key()
                        );
                        if coverage.uncovered_reasons.len() < MAX_REASONS
                            && !coverage.uncovered_reasons.contains(&reason)
                        {
                            coverage.uncovered_reasons.push(reason);
                        }
                    }
                }
            }
        }
        coverage.carried_over = carried.len();
        (carried, coverage)
    }
}

/// SCAN001 and SCAN002, not assessed or waived: a whole account or account ×
/// region went unread, so they stand for every rule there.
fn is_scope_gap(finding: &Finding) -> bool {
    matches!(finding.outcome.rule, RuleId::SCAN001 | RuleId::SCAN002)
        && matches!(finding.status(), Status::NotAssessed | Status::Waived)
}

impl Previous {
    fn read(raw: &Value) -> anyhow::Result<Previous> {
        let mut raw = raw.clone();
        // The code-scanning API writes `properties` as an array (GitHub's OpenAPI
        // example) or an object of `github/…` keys: neither is alertpath's.
        if let Some(object) = raw.as_object_mut()
            && object.get("properties").is_some_and(|p| !p.is_object())
        {
            object.insert("properties".into(), Value::Object(Map::new()));
        }
        let result: SarifResult =
            serde_json::from_value(raw).context("not a SARIF result alertpath can read")?;
        let place = place_from_properties(&result).or_else(|| place_from_uri(&result));
        let fingerprint = line_hash(&result).or_else(|| recomputed_fingerprint(&result));
        Ok(Previous {
            result,
            place,
            fingerprint,
        })
    }

    /// Whether the result carries any of alertpath's keys.
    fn is_alertpaths(&self) -> bool {
        self.place.is_some() || line_hash(&self.result).is_some()
    }

    /// Whether this result is one of the finding's: same rule (any rule for a
    /// scope gap) and within its subject.
    fn relation(&self, finding: &Finding, scope_gap: bool) -> Relation<'_> {
        let rule = &self.result.rule_id;
        if !scope_gap && finding.outcome.rule != rule.as_str() {
            return Relation::Unrelated;
        }
        let subject = &finding.outcome.subject;
        let belongs = if subject.resource.is_some() {
            match (&self.fingerprint, &self.place) {
                (Some(hash), _) => *hash == finding.fingerprint,
                (None, Some(place)) if !within(place, subject) => false,
                (None, _) => {
                    return Relation::Unknown(format!(
                        "a baseline {rule} result has no fingerprint, and none can be derived from its location"
                    ));
                }
            }
        } else {
            match &self.place {
                Some(place) => within(place, subject),
                None => {
                    return Relation::Unknown(format!(
                        "a baseline {rule} result cannot be placed in an account and region"
                    ));
                }
            }
        };
        match (&self.fingerprint, belongs) {
            (_, false) => Relation::Unrelated,
            (Some(hash), true) => Relation::Belongs(hash),
            (None, true) => Relation::Unknown(format!(
                "a baseline {rule} result has no fingerprint, and none can be derived from its location"
            )),
        }
    }

    fn carried(&self, hash: &str, index: &BTreeMap<RuleId, usize>) -> SarifResult {
        let mut result = self.result.clone();
        result.rule_index = result
            .rule_id
            .parse::<RuleId>()
            .ok()
            .and_then(|id| index.get(&id).copied());
        if !result.message.text.starts_with(CARRIED_OVER_PREFIX) {
            result.message.text = format!("{CARRIED_OVER_PREFIX}{}", result.message.text);
        }
        result
            .partial_fingerprints
            .insert(LINE_HASH.to_string(), hash.to_string());
        // GitHub needs a line; alertpath's pseudo paths use line 1.
        for location in &mut result.locations {
            if let Some(physical) = &mut location.physical_location
                && physical.region.is_none()
            {
                physical.region = Some(Region {
                    start_line: 1,
                    start_column: None,
                });
            }
        }
        if let Some(place) = &self.place {
            if let Some(account) = &place.account {
                result
                    .properties
                    .entry("account")
                    .or_insert_with(|| json!(account));
            }
            if let Some(region) = &place.region {
                result
                    .properties
                    .entry("region")
                    .or_insert_with(|| json!(region));
            }
        }
        result.properties.insert("carriedOver".into(), json!(true));
        result
    }
}

/// Whether a place lies within a subject without a resource: the same account
/// (any, for the organization) and the same region (any, for no region).
fn within(place: &Place, subject: &Subject) -> bool {
    if subject
        .account
        .as_ref()
        .is_some_and(|account| place.account.as_ref() != Some(account))
    {
        return false;
    }
    match &subject.region {
        None => true,
        Some(region) => {
            place.region.as_ref() == Some(region)
                || (place.region.is_none() && place.regions.contains(region))
        }
    }
}

/// alertpath's own `properties.account`/`region` (and `regions` of an aggregate).
fn place_from_properties(result: &SarifResult) -> Option<Place> {
    let properties = &result.properties;
    let text = |key: &str| {
        properties
            .get(key)
            .and_then(Value::as_str)
            .map(str::to_string)
    };
    let ours = ["account", "region", "status", "severity"]
        .iter()
        .any(|k| properties.contains_key(*k));
    if !ours {
        return None;
    }
    let regions = properties
        .get("regions")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default();
    Some(Place {
        account: text("account"),
        region: text("region"),
        regions,
    })
}

/// The pseudo path alertpath writes for cloud resources, split into segments:
/// `aws/<account|organization>[/<region>][/<kind>/<name>]`.
fn aws_segments(result: &SarifResult) -> Option<Vec<&str>> {
    let uri = result
        .locations
        .first()?
        .physical_location
        .as_ref()?
        .artifact_location
        .uri
        .as_deref()?;
    let rest = uri.strip_prefix("aws/")?;
    let segments: Vec<&str> = rest.split('/').collect();
    (segments.len() <= 4 && segments.iter().all(|s| !s.is_empty())).then_some(segments)
}

fn place_from_uri(result: &SarifResult) -> Option<Place> {
    let segments = aws_segments(result)?;
    let account = match segments[0] {
        "organization" => None,
        account => Some(account.to_string()),
    };
    let region = segments
        .get(1)
        .filter(|s| is_region(s))
        .map(|s| s.to_string());
    Some(Place {
        account,
        region,
        regions: Vec::new(),
    })
}

/// A fingerprint from the rule and an `aws/…` URI, as [`fingerprint`]
/// computes it for the subject the URI names. `None` for an aggregate of
/// region results (its fingerprint differs), told by its message, and for a
/// segment with `_`, which may stand for a character the path could not hold
/// (an ARN as a name): a guessed fingerprint would close the real alert.
fn recomputed_fingerprint(result: &SarifResult) -> Option<String> {
    let segments = aws_segments(result)?;
    if segments.iter().any(|s| s.contains('_')) {
        return None;
    }
    let account = (segments[0] != "organization").then(|| segments[0].to_string());
    let (region, resource) = match segments.as_slice() {
        [_] if !result.message.text.contains(AGGREGATED_MARKER) => (None, None),
        [_, region] if is_region(region) => (Some(*region), None),
        [_, region, kind, name] if is_region(region) => (Some(*region), Some((*kind, *name))),
        [_, kind, name] if !is_region(kind) => (None, Some((*kind, *name))),
        _ => return None,
    };
    // A kind this build does not know cannot be fingerprinted: leave it out
    // (uncovered) rather than guess.
    let resource = match resource {
        Some((kind, name)) => Some((kind.parse::<crate::outcome::ResourceKind>().ok()?, name)),
        None => None,
    };
    let subject = Subject {
        account,
        region: region.map(str::to_string),
        resource: resource.map(|(kind, name)| crate::outcome::ResourceRef {
            kind,
            name: name.to_string(),
            origin: Default::default(),
            attribute: None,
        }),
    };
    Some(fingerprint(&result.rule_id, &subject))
}

/// `us-east-1`, `ap-southeast-2`, `us-gov-west-1`, `cn-north-1`: two letters,
/// words, and a number.
fn is_region(segment: &str) -> bool {
    let parts: Vec<&str> = segment.split('-').collect();
    parts.len() >= 3
        && parts[0].len() == 2
        && parts[0].chars().all(|c| c.is_ascii_lowercase())
        && parts[parts.len() - 1].chars().all(|c| c.is_ascii_digit())
        && parts[1..parts.len() - 1]
            .iter()
            .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_lowercase()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn log(tool: &str, category: &str, properties: Value) -> Value {
        json!({"version": "2.1.0", "runs": [{
            "tool": {"driver": {"name": tool}},
            "automationDetails": {"id": category},
            "results": [{
                "ruleId": "GD001",
                "message": {"text": "no detector"},
                "locations": [{"physicalLocation": {"artifactLocation": {"uri": "aws/1/us-east-1"}}}],
                "properties": properties,
            }]
        }]})
    }

    fn error(value: &Value, category: &str) -> String {
        format!("{:#}", Baseline::read(value, category).unwrap_err())
    }

    #[test]
    fn another_tool_or_category_is_refused_and_trailing_slashes_do_not_count() {
        let ours = log("alertpath", "alertpath/org/prod/", json!({"account": "1"}));
        assert!(Baseline::read(&ours, "alertpath/org/prod").is_ok());
        assert!(Baseline::read(&ours, "alertpath/org/prod//").is_ok());
        assert!(error(&ours, "alertpath/org/sandbox").contains("category \"alertpath/org/prod\""));
        let theirs = log("CodeQL", "alertpath/org/prod/", json!({"account": "1"}));
        assert!(error(&theirs, "alertpath/org/prod").contains("not alertpath"));
    }

    #[test]
    fn array_properties_are_read_and_placed_by_the_uri() {
        let api = log("alertpath", "c/", json!([{"github/alertNumber": 3}]));
        let baseline = Baseline::read(&api, "c").unwrap();
        let previous = &baseline.results[0];
        assert_eq!(
            previous.place,
            Some(Place {
                account: Some("1".into()),
                region: Some("us-east-1".into()),
                regions: Vec::new()
            })
        );
        assert_eq!(
            previous.fingerprint.as_deref(),
            Some(fingerprint("GD001", &Subject::region("1", "us-east-1")).as_str())
        );
    }

    #[test]
    fn an_organization_subject_with_a_region_holds_only_that_region() {
        let subject = Subject {
            account: None,
            region: Some("us-east-1".into()),
            resource: None,
        };
        let place = |region: &str| Place {
            account: Some("2".into()),
            region: Some(region.into()),
            regions: Vec::new(),
        };
        assert!(within(&place("us-east-1"), &subject));
        assert!(!within(&place("eu-west-1"), &subject));
        let aggregate = Place {
            account: Some("2".into()),
            region: None,
            regions: vec!["us-east-1".into()],
        };
        assert!(within(&aggregate, &subject));
        assert!(!within(&aggregate, &Subject::region("3", "us-east-1")));
    }

    #[test]
    fn regions_are_told_from_kinds() {
        for region in ["us-east-1", "ap-southeast-2", "us-gov-west-1", "cn-north-1"] {
            assert!(is_region(region), "{region}");
        }
        for kind in [
            "sns-topic",
            "guardduty-detector",
            "iam-user",
            "1",
            "us-east",
        ] {
            assert!(!is_region(kind), "{kind}");
        }
    }
}
