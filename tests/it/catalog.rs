//! The rule catalog: unique ids, a doc for every rule and a rule for every doc,
//! required doc sections, and the README's rule table in sync.

use std::collections::BTreeSet;
use std::path::Path;

use alertpath::rules::{REGISTRY, RuleId};

const SECTIONS: [&str; 5] = [
    "## What it checks",
    "## Why it matters",
    "## How to fix",
    "## Evidence collected",
    "## References",
];

#[test]
fn ids_and_names_are_unique() {
    let ids: BTreeSet<_> = REGISTRY.iter().map(|r| r.meta.id).collect();
    assert_eq!(ids.len(), REGISTRY.len());
    let names: BTreeSet<_> = REGISTRY.iter().map(|r| r.meta.name).collect();
    assert_eq!(names.len(), REGISTRY.len());
    for rule in REGISTRY.iter() {
        assert!(
            rule.meta.id.as_str().starts_with(rule.meta.family.as_str()),
            "{} is not in family {}",
            rule.meta.id,
            rule.meta.family.as_str()
        );
    }
}

/// Every id (one per doc) has exactly one registered check, in catalog order.
#[test]
fn every_id_has_one_rule_in_catalog_order() {
    let registered: Vec<RuleId> = REGISTRY.iter().map(|r| r.meta.id).collect();
    assert_eq!(
        registered,
        RuleId::ALL,
        "a rule doc without a rule, or a rule registered twice"
    );
    let families: Vec<&str> = REGISTRY.iter().map(|r| r.meta.family.as_str()).collect();
    let mut sorted = families.clone();
    sorted.dedup();
    assert_eq!(
        sorted,
        [
            "GD", "ORG", "EVT", "ROUTE", "SH", "SNS", "SUB", "ALM", "ROOT", "SEC", "SCAN"
        ],
        "families out of catalog order"
    );
}

#[test]
fn rule_ids_parse_case_insensitively_and_reject_unknown_ids() {
    assert_eq!("gd001".parse::<RuleId>(), Ok(RuleId::GD001));
    assert_eq!("SCAN004".parse::<RuleId>(), Ok(RuleId::SCAN004));
    assert!("GD999".parse::<RuleId>().is_err());
    assert!("".parse::<RuleId>().is_err());
    let json = serde_json::to_string(&RuleId::ROUTE001).unwrap();
    assert_eq!(json, "\"ROUTE001\"");
    assert_eq!(
        serde_json::from_str::<RuleId>(&json).unwrap(),
        RuleId::ROUTE001
    );
    assert!(serde_json::from_str::<RuleId>("\"NOPE001\"").is_err());
}

#[test]
fn every_rule_has_a_doc_with_the_required_sections() {
    for rule in REGISTRY.iter() {
        let m = &rule.meta;
        let title = format!("# {}: {}\n", m.id, m.name);
        assert!(
            m.doc.starts_with(&title),
            "{}: doc must start with `{title}`",
            m.id
        );
        let mut last = 0;
        for section in SECTIONS {
            let at = m
                .doc
                .find(section)
                .unwrap_or_else(|| panic!("{}: missing `{section}`", m.id));
            assert!(at > last, "{}: `{section}` out of order", m.id);
            last = at;
        }
        let header = format!(
            "**Severity:** {} · **Family:** {} · **Judged in:** {} · **Sources:** {}",
            m.severity.as_str(),
            m.family.as_str(),
            m.judged_in.as_str(),
            m.source_letters()
        );
        assert!(
            m.doc.contains(&header),
            "{}: doc header must read `{header}`",
            m.id
        );
    }
}

#[test]
fn every_doc_has_a_rule() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("rules");
    let known: BTreeSet<String> = REGISTRY
        .iter()
        .map(|r| format!("{}/{}.md", r.meta.family.as_str().to_lowercase(), r.meta.id))
        .collect();
    for family in std::fs::read_dir(&root).unwrap() {
        let family = family.unwrap();
        for doc in std::fs::read_dir(family.path()).unwrap() {
            let doc = doc.unwrap();
            let rel = format!(
                "{}/{}",
                family.file_name().to_string_lossy(),
                doc.file_name().to_string_lossy()
            );
            assert!(
                known.contains(&rel),
                "rules/{rel} has no rule in the registry"
            );
        }
    }
}

#[test]
fn readme_rule_table_is_in_sync() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md");
    let readme = std::fs::read_to_string(&path).unwrap();
    let (start, end) = ("<!-- rules:start -->\n", "<!-- rules:end -->");
    let from = readme.find(start).expect("README has <!-- rules:start -->") + start.len();
    let to = readme.find(end).expect("README has <!-- rules:end -->");
    let table = alertpath::rules::markdown_table();
    if std::env::var_os("ALERTPATH_UPDATE_README").is_some() {
        let updated = format!("{}{}{}", &readme[..from], table, &readme[to..]);
        std::fs::write(&path, updated).unwrap();
        return;
    }
    assert_eq!(
        &readme[from..to],
        table,
        "README rule table is stale; run `ALERTPATH_UPDATE_README=1 cargo test --test it catalog`"
    );
}

/// Every rule's fix, as reports quote it: one sentence from its doc's `## How
/// to fix`: a sentence, not a paragraph.
#[test]
fn every_rule_has_a_one_sentence_fix() {
    for rule in REGISTRY.iter() {
        let m = &rule.meta;
        let fix = m.fix();
        assert!(
            fix.len() >= 20 && fix.len() <= 320,
            "{}: fix `{fix}` is not one short sentence",
            m.id
        );
        assert!(fix.ends_with('.'), "{}: `{fix}`", m.id);
        assert!(!fix.contains('\n'), "{}: `{fix}`", m.id);
        let section = m.doc.split("## How to fix").nth(1).unwrap();
        let first_words: String = fix.chars().take(15).collect();
        assert!(section.contains(&first_words), "{}: `{fix}`", m.id);
    }
}
