//! The published inventory schema agrees with the code, and the fixtures conform.

use std::path::Path;

fn schema_path() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("schemas/inventory-v1.schema.json")
}

fn generated() -> String {
    let schema = schemars::schema_for!(alertpath::inventory::Inventory);
    let mut text = serde_json::to_string_pretty(&schema).expect("schema serializes");
    text.push('\n');
    text
}

#[test]
fn committed_schema_matches_the_code() {
    let path = schema_path();
    if std::env::var_os("ALERTPATH_UPDATE_SCHEMAS").is_some() {
        std::fs::write(&path, generated()).unwrap();
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated(),
        "schemas/inventory-v1.schema.json is stale; run `ALERTPATH_UPDATE_SCHEMAS=1 cargo test --test it inventory_schema`"
    );
}

#[test]
fn fixtures_conform_to_the_schema() {
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(schema_path()).unwrap()).unwrap();
    let validator = jsonschema::validator_for(&schema).expect("schema compiles");
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/snapshots");
    let mut checked = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "json") {
            let doc: serde_json::Value =
                serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
            let errors: Vec<String> = validator
                .iter_errors(&doc)
                .map(|e| format!("{}: {e}", e.instance_path))
                .collect();
            assert!(errors.is_empty(), "{}: {errors:#?}", path.display());
            checked += 1;
        }
    }
    assert!(checked >= 3, "expected the snapshot fixtures");
}

#[test]
fn schema_rejects_a_broken_snapshot() {
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(schema_path()).unwrap()).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let broken = serde_json::json!({"format_version": 1, "source": {"kind": "satellite", "tool_version": "x"}});
    assert!(!validator.is_valid(&broken));
}
