//! The primer's setup (shared/reference/sns-guardduty-primer.md) as a snapshot
//! gives exactly the committed, hand-reasoned outcome list.

use std::path::Path;

type Row = (String, String, String, String, String);

fn expected() -> Vec<Row> {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/snapshots/primer.expected");
    let text = std::fs::read_to_string(path).unwrap();
    let mut rows: Vec<Row> = text
        .lines()
        .map(|l| l.split('#').next().unwrap_or("").trim())
        .filter(|l| !l.is_empty())
        .map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            assert_eq!(f.len(), 5, "malformed line: {l}");
            (
                f[0].into(),
                f[1].into(),
                f[2].into(),
                f[3].into(),
                f[4].into(),
            )
        })
        .collect();
    rows.sort();
    rows
}

fn actual() -> Vec<Row> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/snapshots/primer.json");
    let inventory = alertpath::source::snapshot::read(&path).unwrap();
    let config = alertpath::config::Config::default();
    let options = alertpath::engine::EngineOptions {
        today: chrono::NaiveDate::from_ymd_opt(2026, 11, 27).unwrap(),
        strict_config: false,
    };
    let report = alertpath::engine::run(&inventory, &config, &options).unwrap();
    let status = |f: &alertpath::report::Finding| {
        serde_json::to_value(f.status())
            .unwrap()
            .as_str()
            .unwrap()
            .to_string()
    };
    let dash = |s: Option<&String>| s.cloned().unwrap_or_else(|| "-".into());
    let mut rows: Vec<Row> = report
        .findings
        .iter()
        .map(|f| {
            let s = &f.outcome.subject;
            (
                f.outcome.rule.to_string(),
                status(f),
                dash(s.account.as_ref()),
                dash(s.region.as_ref()),
                s.resource
                    .as_ref()
                    .map(|r| r.name.clone())
                    .unwrap_or_else(|| "-".into()),
            )
        })
        .collect();
    rows.sort();
    rows
}

#[test]
fn primer_gives_exactly_the_committed_outcomes() {
    let (want, got) = (expected(), actual());
    let missing: Vec<&Row> = want.iter().filter(|r| !got.contains(r)).collect();
    let extra: Vec<&Row> = got.iter().filter(|r| !want.contains(r)).collect();
    assert!(
        missing.is_empty() && extra.is_empty() && want.len() == got.len(),
        "primer outcomes differ from tests/fixtures/snapshots/primer.expected\nmissing: {missing:#?}\nunexpected: {extra:#?}"
    );
}

#[test]
fn the_primers_known_mistakes_are_caught() {
    let got = actual();
    let fails = |rule: &str| got.iter().filter(|r| r.0 == rule && r.1 == "fail").count();
    assert!(
        fails("SNS001") > 0,
        "placeholder Resource arn:aws:sns:region:…"
    );
    assert!(
        fails("ALM002") > 0,
        "alarm namespace notify-slack-notifications"
    );
    // What the primer does right passes.
    for rule in ["ORG001", "ORG002", "SUB002", "SUB003", "SEC001"] {
        assert_eq!(fails(rule), 0, "{rule}");
    }
}
