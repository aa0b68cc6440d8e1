//! Replays the differential corpus in `tests/corpus/` against alertpath's
//! evaluators: resource policies (`policy.jsonl`), EventBridge patterns
//! (`event_pattern.jsonl`), SNS filter policies (`sns_filter.jsonl`) and
//! CloudWatch Logs filter patterns (`logfilter.jsonl`). Every case carries its
//! expected answer and where that answer comes from (a reference engine run by
//! `scripts/corpus/*`, or an AWS documentation page); see
//! `tests/corpus/README.md`.

use std::collections::BTreeMap;

use alertpath::logfilter::FilterPattern;
use alertpath::pattern::{Delivery, EventPattern, FilterPolicy, FilterPolicyScope};
use alertpath::policy::{Decision, Policy, Principal, Request};
use serde_json::Value;

/// The cases of one corpus file, each checked to name its expected answer and source.
fn load(file: &str) -> Vec<Value> {
    let path = format!("{}/tests/corpus/{file}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str::<Value>(l).unwrap_or_else(|e| panic!("{path}: {e}: {l}")))
        .inspect(|case| {
            for field in ["id", "expected", "source"] {
                assert!(
                    case[field].as_str().is_some_and(|s| !s.is_empty()),
                    "{file}: case without {field}: {case}"
                );
            }
        })
        .collect()
}

/// Runs `answer` on every case and fails listing each disagreement.
fn replay(file: &str, minimum: usize, answer: impl Fn(&Value) -> String) {
    let cases = load(file);
    assert!(
        cases.len() >= minimum,
        "{file}: {} cases, want at least {minimum}",
        cases.len()
    );
    let mismatches: Vec<String> = cases
        .iter()
        .filter_map(|case| {
            let got = answer(case);
            let want = case["expected"].as_str().unwrap_or_default();
            (got != want).then(|| {
                format!(
                    "{}: expected {want}, alertpath says {got} ({})",
                    case["id"].as_str().unwrap_or_default(),
                    case["source"].as_str().unwrap_or_default()
                )
            })
        })
        .collect();
    assert!(
        mismatches.is_empty(),
        "{file}: {} of {} cases disagree:\n{}",
        mismatches.len(),
        cases.len(),
        mismatches.join("\n")
    );
}

fn request(case: &Value) -> Request {
    let r = &case["request"];
    let principal = match (&r["principal"]["service"], &r["principal"]["aws"]) {
        (Value::String(service), _) => Principal::Service(service.clone()),
        (_, Value::Object(aws)) => Principal::Aws {
            account: aws["account"].as_str().unwrap_or_default().to_string(),
            arn: aws.get("arn").and_then(Value::as_str).map(str::to_string),
        },
        _ => Principal::Anonymous,
    };
    let context: BTreeMap<String, Vec<String>> = r["context"]
        .as_object()
        .map(|m| {
            m.iter()
                .map(|(k, v)| {
                    let values = v
                        .as_array()
                        .map(|a| {
                            a.iter()
                                .filter_map(|x| x.as_str().map(str::to_string))
                                .collect()
                        })
                        .unwrap_or_default();
                    (k.to_ascii_lowercase(), values)
                })
                .collect()
        })
        .unwrap_or_default();
    Request {
        principal,
        action: r["action"].as_str().unwrap_or_default().to_string(),
        resource: r["resource"].as_str().unwrap_or_default().to_string(),
        context,
    }
}

#[test]
fn resource_policies_agree_with_the_corpus() {
    replay("policy.jsonl", 300, |case| {
        match Policy::from_value(&case["policy"]) {
            Err(e) => format!("invalid ({e})"),
            Ok(policy) => match policy.evaluate(&request(case)) {
                Decision::Allow => "Allow",
                Decision::ExplicitDeny { .. } => "ExplicitDeny",
                Decision::ImplicitDeny => "ImplicitDeny",
                Decision::Unknown(_) => "Unknown",
            }
            .to_string(),
        }
    });
}

#[test]
fn event_patterns_agree_with_the_corpus() {
    replay(
        "event_pattern.jsonl",
        300,
        |case| match EventPattern::from_value(&case["pattern"]) {
            Err(_) => "invalid".into(),
            Ok(pattern) if pattern.matches(&case["event"]) => "match".into(),
            Ok(_) => "no_match".into(),
        },
    );
}

#[test]
fn sns_filter_policies_agree_with_the_corpus() {
    replay("sns_filter.jsonl", 300, |case| {
        let scope = match case["scope"].as_str() {
            Some("MessageBody") => FilterPolicyScope::MessageBody,
            _ => FilterPolicyScope::MessageAttributes,
        };
        let policy = match FilterPolicy::parse(&case["policy"].to_string(), scope) {
            Ok(p) => p,
            Err(_) => return "invalid".into(),
        };
        let attributes: BTreeMap<String, String> = case["attributes"]
            .as_object()
            .map(|m| {
                m.iter()
                    .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string()))
                    .collect()
            })
            .unwrap_or_default();
        let body = case["body"].as_str().unwrap_or_default();
        match policy.evaluate(body, &attributes) {
            Delivery::Delivered => "delivered",
            Delivery::Filtered => "filtered",
            Delivery::Unknown(_) => "unknown",
        }
        .into()
    });
}

#[test]
fn log_filter_patterns_agree_with_the_documentation() {
    let documented = load("logfilter.jsonl")
        .iter()
        .filter(|c| {
            c["source"]
                .as_str()
                .is_some_and(|s| s.contains("docs.aws.amazon.com"))
        })
        .count();
    assert!(
        documented >= 100,
        "{documented} documentation-derived cases"
    );
    replay("logfilter.jsonl", 100, |case| {
        let pattern = case["pattern"].as_str().unwrap_or_default();
        match FilterPattern::parse(pattern) {
            Err(_) => "invalid".into(),
            Ok(p) if p.matches(case["message"].as_str().unwrap_or_default()) => "match".into(),
            Ok(_) => "no_match".into(),
        }
    });
}

/// Rewrites every string equal to `from` and adds `extra` to every
/// subscription attribute map (objects holding `endpoint_auto_confirms`).
fn rewrite(value: &mut Value, from: &str, to: &str, extra: &[(&str, &str)]) {
    match value {
        Value::String(s) if s == from => *s = to.to_string(),
        Value::Array(items) => items.iter_mut().for_each(|v| rewrite(v, from, to, extra)),
        Value::Object(map) => {
            if map.contains_key("endpoint_auto_confirms") {
                for (k, v) in extra {
                    map.insert((*k).to_string(), Value::String((*v).to_string()));
                }
            }
            map.values_mut().for_each(|v| rewrite(v, from, to, extra));
        }
        _ => {}
    }
}

/// Issue 15 item 6: in a plan, an event pattern or filter policy the service
/// would reject is SCAN004 (naming it and the constraint), and what it would
/// match is not assessed rather than passed or failed.
#[test]
fn plan_patterns_the_services_reject_are_scan004() {
    let dir = tempfile::tempdir().expect("tempdir");
    let fixture = format!(
        "{}/tests/fixtures/terraform/healthy/plan.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let mut plan: Value =
        serde_json::from_str(&std::fs::read_to_string(fixture).expect("fixture")).expect("JSON");
    let valid = r#"{"detail-type":["GuardDuty Finding"],"source":["aws.guardduty"]}"#;
    let invalid = r#"{"detail":{"severity":[{"numeric":[">=",5,"<=",5]}]},"detail-type":["GuardDuty Finding"],"source":["aws.guardduty"]}"#;
    let filter = r#"{"type":[{"anything-but":{"suffix":"DNS"}}]}"#;
    rewrite(&mut plan, valid, invalid, &[("filter_policy", filter)]);
    let plan_path = dir.path().join("plan.json");
    std::fs::write(&plan_path, plan.to_string()).expect("write plan");
    let config = dir.path().join("alertpath.toml");
    std::fs::write(&config, "[terraform]\nrole = \"guardduty-admin\"\n").expect("write config");
    let report_path = dir.path().join("report.json");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_alertpath"))
        .args(["scan", "--plan"])
        .arg(&plan_path)
        .arg("--config")
        .arg(&config)
        .args(["--format", "json", "--output"])
        .arg(&report_path)
        .arg("-q")
        .output()
        .expect("binary runs");
    let report: Value = serde_json::from_str(
        &std::fs::read_to_string(&report_path)
            .unwrap_or_else(|_| panic!("no report: {}", String::from_utf8_lossy(&out.stderr))),
    )
    .expect("report JSON");
    let findings = report["findings"].as_array().expect("findings");
    let of =
        |rule: &str| -> Vec<&Value> { findings.iter().filter(|f| f["rule"] == rule).collect() };
    let scan004: Vec<String> = of("SCAN004")
        .iter()
        .filter(|f| f["status"] != "pass")
        .map(|f| f["message"].as_str().unwrap_or_default().to_string())
        .collect();
    for region in ["west", "east"] {
        assert!(
            scan004.iter().any(|m| m
                .contains(&format!("guardduty_findings_{region}.event_pattern"))
                && m.contains("EventBridge rejects")
                && m.contains("lower bound must be less than the upper bound")),
            "{region}: {scan004:#?}"
        );
    }
    assert!(
        scan004.iter().any(|m| m.contains(".filter_policy")
            && m.contains("SNS rejects")
            && m.contains("anything-but with a value list or prefix only")),
        "{scan004:#?}"
    );
    // What the rejected rules would match is not assessed: EVT001 neither passes nor fails.
    let evt001: Vec<&str> = of("EVT001")
        .iter()
        .map(|f| f["status"].as_str().unwrap_or_default())
        .collect();
    assert!(
        !evt001.is_empty() && evt001.iter().all(|s| *s != "pass" && *s != "fail"),
        "EVT001: {evt001:?}"
    );
    assert_eq!(out.status.code(), Some(3), "not assessed exits 3");
}
