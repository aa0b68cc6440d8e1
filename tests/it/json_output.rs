//! The JSON report v1: snapshot, the committed schema, and validation against it.

use crate::report_common as common;

use alertpath::report::{Format, RenderOptions, json, render};
use serde_json::Value;

const SCHEMA_PATH: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/schemas/report-v1.schema.json");

fn rendered() -> String {
    render(
        &common::sample_report(),
        Format::Json,
        &RenderOptions::default(),
    )
    .expect("render JSON")
}

#[test]
fn json_snapshot() {
    insta::assert_snapshot!(rendered());
}

#[test]
fn committed_schema_is_up_to_date() {
    let generated = json::schema().expect("generate schema");
    if std::env::var_os("ALERTPATH_UPDATE_SCHEMAS").is_some() {
        std::fs::write(SCHEMA_PATH, &generated).expect("write schema");
    }
    let committed = std::fs::read_to_string(SCHEMA_PATH).unwrap_or_default();
    assert!(
        committed == generated,
        "schemas/report-v1.schema.json is out of date with the Report type.\n\
         Regenerate it with: ALERTPATH_UPDATE_SCHEMAS=1 cargo test --test it json_output\n\
         and review the diff: within v1 only additive changes are allowed (docs/report-v1.md)."
    );
}

fn validator() -> jsonschema::Validator {
    let text = std::fs::read_to_string(SCHEMA_PATH).expect("committed schema");
    let schema: Value = serde_json::from_str(&text).expect("schema is JSON");
    jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .expect("schema compiles")
}

fn errors(instance: &Value) -> Vec<String> {
    validator()
        .iter_errors(instance)
        .map(|e| format!("{e} at {}", e.instance_path))
        .collect()
}

#[test]
fn rendered_json_validates_against_the_schema() {
    let report: Value = serde_json::from_str(&rendered()).expect("JSON");
    assert_eq!(errors(&report), Vec::<String>::new());
}

#[test]
fn schema_rejects_an_unknown_status() {
    let mut report: Value = serde_json::from_str(&rendered()).expect("JSON");
    report["findings"][0]["status"] = Value::from("maybe");
    assert!(!errors(&report).is_empty());
}

#[test]
fn json_round_trips() {
    let text = rendered();
    let back: alertpath::report::Report = serde_json::from_str(&text).expect("parse report");
    assert_eq!(json::render(&back).expect("render again"), text);
}
