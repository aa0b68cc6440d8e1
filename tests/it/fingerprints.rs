//! Every finding in a report has its own fingerprint: GitHub code scanning
//! tracks alerts by it, so two findings sharing one would merge or vanish.

use crate::common;
use std::collections::BTreeMap;
use std::path::Path;

fn assert_unique(report: &alertpath::report::Report, what: &str) {
    let mut seen: BTreeMap<&str, String> = BTreeMap::new();
    for f in &report.findings {
        let key = format!("{} {}", f.outcome.rule, f.outcome.subject.key());
        assert!(
            !f.fingerprint.contains(':'),
            "{what}: `{key}` needed disambiguating"
        );
        if let Some(first) = seen.insert(f.fingerprint.as_str(), key.clone()) {
            panic!("{what}: fingerprint shared by `{first}` and `{key}`");
        }
    }
}

#[test]
fn fixture_reports_have_unique_fingerprints() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/snapshots");
    for name in ["example-org.json", "healthy-org.json", "primer.json"] {
        let inventory = alertpath::source::snapshot::read(&dir.join(name)).unwrap();
        assert_unique(&common::run(&inventory), name);
    }
}

#[test]
fn healthy_builder_report_has_unique_fingerprints() {
    assert_unique(
        &common::run(&common::chain::healthy_org("us-east-1").build()),
        "healthy_org",
    );
}

/// Two resources with one name (possible in a Terraform input, not in AWS)
/// keep distinct fingerprints: later ones get `:2`, `:3`, … in report order.
#[test]
fn duplicate_names_get_distinct_fingerprints() {
    use alertpath::outcome::{Outcomes, Subject};
    use alertpath::report::Finding;
    use alertpath::severity::Severity;
    let subject = Subject::region("111111111111", "us-east-1");
    let mut outcomes = Outcomes::new(alertpath::rules::RuleId::EVT002);
    for message in ["a", "b", "c"] {
        outcomes.pass(subject.clone(), message);
    }
    let mut findings: Vec<Finding> = outcomes
        .into_vec()
        .into_iter()
        .map(|o| Finding::new(o, Severity::High))
        .collect();
    let base = findings[0].fingerprint.clone();
    assert_eq!(
        alertpath::engine::disambiguate_fingerprints(&mut findings),
        2
    );
    let got: Vec<&str> = findings.iter().map(|f| f.fingerprint.as_str()).collect();
    assert_eq!(
        got,
        [base.clone(), format!("{base}:2"), format!("{base}:3")]
    );
}
