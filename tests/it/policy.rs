//! The shipped IAM policy is derived from the one list of operations, and
//! every call the collector makes is on that list.

use std::path::Path;

use alertpath::source::aws::operations::{self, actions};

#[test]
fn committed_policy_equals_generated() {
    let committed = std::fs::read_to_string("policy/alertpath-audit-policy.json").unwrap();
    assert_eq!(
        committed,
        operations::policy_json(),
        "policy/alertpath-audit-policy.json is stale: run `alertpath init-policy > policy/alertpath-audit-policy.json`"
    );
}

#[test]
fn init_policy_prints_the_policy() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_alertpath"))
        .arg("init-policy")
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        operations::policy_json()
    );
}

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Every `"service:Operation"` the collector names in a gap is listed, and
/// every client call `.operation_name()` made on a service client maps to a
/// listed operation.
#[test]
fn every_call_in_the_collector_is_listed() {
    let listed = actions();
    let mut files = Vec::new();
    rust_files(Path::new("src/source/aws"), &mut files);
    let mut named = 0;
    for file in files.iter().filter(|f| !f.ends_with("operations.rs")) {
        let text = std::fs::read_to_string(file).unwrap();
        for (i, _) in text.match_indices("classify(\"") {
            let rest = &text[i + 10..];
            let action = &rest[..rest.find('"').unwrap()];
            named += 1;
            assert!(
                listed.iter().any(|a| a == action),
                "{}: {action} is not in operations.rs",
                file.display()
            );
        }
    }
    assert!(named > 20, "found only {named} classified calls");
}
