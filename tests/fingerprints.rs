//! Every finding in a report has its own fingerprint: GitHub code scanning
//! tracks alerts by it, so two findings sharing one would merge or vanish.

mod common;

use std::collections::BTreeMap;
use std::path::Path;

fn assert_unique(report: &alertpath::report::Report, what: &str) {
    let mut seen: BTreeMap<&str, String> = BTreeMap::new();
    for f in &report.findings {
        let key = format!("{} {}", f.outcome.rule, f.outcome.subject.key());
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
