//! Registry modules real stacks call, read without `.terraform/modules`: the
//! vendored Cloud Posse label, SNS topic and GuardDuty modules (fixture
//! `cloudposse`, its README lists what each link must give). Before they were
//! vendored, every resource gated on `module.this.enabled` was SCAN004 and the
//! chain was not assessed.

use serde_json::Value;

use crate::common::process::{bin, code};

/// An HCL-only scan of the `cloudposse` fixture as the GuardDuty admin stack.
fn scan() -> Value {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = dir.path().join("alertpath.toml");
    std::fs::write(&config, "[terraform]\nrole = \"guardduty-admin\"\n").expect("config");
    let out = bin()
        .args(["scan", "--format", "json", "--config"])
        .arg(&config)
        .arg("--terraform")
        .arg(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/terraform/cloudposse"
        ))
        .env_remove("AWS_REGION")
        .env_remove("AWS_DEFAULT_REGION")
        .output()
        .expect("run alertpath");
    assert_eq!(code(&out), 1, "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("a JSON report")
}

/// (status, message) of a rule's outcomes on a named resource, or on no
/// resource when `resource` is empty.
fn outcomes(report: &Value, rule: &str, resource: &str) -> Vec<(String, String)> {
    report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["rule"] == rule)
        .filter(|f| {
            f["subject"]["resource"]["name"]
                .as_str()
                .unwrap_or_default()
                == resource
        })
        .map(|f| {
            (
                f["status"].as_str().unwrap_or_default().to_string(),
                f["message"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

fn statuses(report: &Value, rule: &str, resource: &str) -> Vec<String> {
    outcomes(report, rule, resource)
        .into_iter()
        .map(|(status, _)| status)
        .collect()
}

#[test]
fn cloud_posse_modules_are_read_without_terraform_init() {
    let report = scan();
    let unresolved: Vec<&Value> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["rule"] == "SCAN004" && f["status"] != "pass")
        .collect();
    assert!(unresolved.is_empty(), "{unresolved:#?}");

    // cloudposse/guardduty/aws's own topic policy grants CloudWatch, not
    // EventBridge, and sns-topic encrypts with the AWS-managed key.
    let pager = "eg-ue2-prod-guardduty-guardduty";
    let sns001 = outcomes(&report, "SNS001", pager);
    assert_eq!(sns001.len(), 1, "{sns001:?}");
    assert_eq!(sns001[0].0, "fail");
    assert!(
        sns001[0]
            .1
            .contains("does not allow events.amazonaws.com to sns:Publish"),
        "{}",
        sns001[0].1
    );
    assert_eq!(statuses(&report, "SNS004", pager), ["fail"]);
    assert_eq!(statuses(&report, "ROUTE001", ""), ["fail"]);

    // The chat topic the user configured for EventBridge works end to end.
    let chat = "eg-ue2-prod-guardduty-chat";
    assert_eq!(statuses(&report, "SNS001", chat), ["pass"]);
    // encryption_enabled = false gives kms_master_key_id = "": no key.
    assert_eq!(
        outcomes(&report, "SNS004", chat),
        [(
            "pass".to_string(),
            format!("topic {chat}'s KMS key: not encrypted")
        )]
    );
    assert_eq!(statuses(&report, "ROUTE002", ""), ["pass"]);

    // A finding inside a vendored module is placed at the stack's module call.
    let location = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| f["rule"] == "SNS004" && f["status"] == "fail")
        .and_then(|f| f["subject"]["resource"]["origin"]["location"].as_object())
        .cloned()
        .unwrap_or_default();
    assert_eq!(location.get("line").and_then(Value::as_u64), Some(8));
    assert!(
        location
            .get("file")
            .and_then(Value::as_str)
            .is_some_and(|f| f.ends_with("cloudposse/main.tf")),
        "{location:?}"
    );
}
