//! The shipped IAM policy is derived from the one list of operations, and
//! every call the collector makes is on that list.

use std::path::Path;

use alertpath::source::aws::operations::{self, actions};

/// `init-policy` with these arguments.
fn init_policy(args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_alertpath"))
        .arg("init-policy")
        .args(args)
        .output()
        .unwrap()
}

/// Each committed policy is what `init-policy --for …` prints, and the default
/// is the audit role's.
#[test]
fn committed_policies_equal_generated() {
    for (principal, file) in [
        ("audit", "policy/alertpath-audit-policy.json"),
        ("caller", "policy/alertpath-caller-policy.json"),
        ("management", "policy/alertpath-management-policy.json"),
    ] {
        let committed = std::fs::read_to_string(file).unwrap();
        let printed = init_policy(&["--for", principal]);
        assert!(printed.status.success());
        assert_eq!(
            String::from_utf8(printed.stdout).unwrap(),
            committed,
            "{file} is stale: run `alertpath init-policy --for {principal} > {file}`"
        );
        let default = operations::policy_json(
            &[operations::PolicyFor::Audit],
            &operations::AssumableRoles::default(),
        );
        if principal == "audit" {
            assert_eq!(committed, default);
            assert_eq!(String::from_utf8(init_policy(&[]).stdout).unwrap(), default);
        }
    }
}

/// The caller may assume only the roles it is told of; the audit role may
/// assume nothing; several principals make one policy; a wrong name is a
/// usage error.
#[test]
fn init_policy_scopes_each_principal() {
    let json = |args: &[&str]| -> serde_json::Value {
        let out = init_policy(args);
        assert!(out.status.success(), "{args:?}");
        serde_json::from_slice(&out.stdout).unwrap()
    };
    let statements = |v: &serde_json::Value| v["Statement"].as_array().unwrap().clone();
    let caller = json(&[
        "--for",
        "caller",
        "--role-name",
        "AuditRO",
        "--management-role",
        "OrgRO",
        "--partition",
        "aws-us-gov",
    ]);
    let assume = statements(&caller)
        .into_iter()
        .find(|s| s["Action"] == serde_json::json!(["sts:AssumeRole"]))
        .expect("an AssumeRole statement");
    assert_eq!(
        assume["Resource"],
        serde_json::json!([
            "arn:aws-us-gov:iam::*:role/AuditRO",
            "arn:aws-us-gov:iam::*:role/OrgRO"
        ])
    );
    let audit = json(&["--for", "audit"]).to_string();
    assert!(
        !audit.contains("sts:") && !audit.contains("organizations:"),
        "{audit}"
    );
    let both = json(&["--for", "audit,management"]);
    let sids: Vec<String> = statements(&both)
        .iter()
        .map(|s| s["Sid"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        sids,
        ["AlertpathReadOneAccount", "AlertpathReadOrganization"]
    );
    let bad = init_policy(&["--for", "auditor"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("caller, audit, management"));
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
