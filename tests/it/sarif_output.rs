//! SARIF output: snapshot, schema validation, GitHub's rules, baseline, and the result limit.

use crate::report_common as common;

use alertpath::report::sarif::{self, CARRIED_OVER_PREFIX, MAX_RESULTS};
use alertpath::report::{Format, RenderOptions, Report, render};
use alertpath::severity::Severity;
use serde_json::Value;

fn sarif_value(report: &Report, options: &RenderOptions) -> Value {
    let text = render(report, Format::Sarif, options).expect("render SARIF");
    serde_json::from_str(&text).expect("SARIF is JSON")
}

fn results(log: &Value) -> &Vec<Value> {
    log["runs"][0]["results"].as_array().expect("results array")
}

/// Problems GitHub would reject the file for (DESIGN.md "SARIF rules that GitHub enforces").
fn github_problems(log: &Value) -> Vec<String> {
    let mut problems = Vec::new();
    let run = &log["runs"][0];
    let id = run["automationDetails"]["id"].as_str().unwrap_or("");
    if !id.ends_with('/') {
        problems.push(format!("automationDetails.id {id:?} does not end with /"));
    }
    for rule in run["tool"]["driver"]["rules"]
        .as_array()
        .into_iter()
        .flatten()
    {
        for key in ["security-severity", "precision", "tags"] {
            if rule["properties"][key].is_null() {
                problems.push(format!("rule {} lacks properties.{key}", rule["id"]));
            }
        }
        for key in ["shortDescription", "fullDescription", "help", "helpUri"] {
            if rule[key].is_null() {
                problems.push(format!("rule {} lacks {key}", rule["id"]));
            }
        }
    }
    let all = results(log);
    if all.len() > MAX_RESULTS {
        problems.push(format!("{} results exceed {MAX_RESULTS}", all.len()));
    }
    for (i, result) in all.iter().enumerate() {
        let physical = &result["locations"][0]["physicalLocation"];
        if physical["artifactLocation"]["uri"]
            .as_str()
            .is_none_or(str::is_empty)
        {
            problems.push(format!("result {i} has no physicalLocation uri"));
        }
        if physical["region"]["startLine"]
            .as_u64()
            .is_none_or(|l| l < 1)
        {
            problems.push(format!("result {i} has no startLine >= 1"));
        }
        if result["partialFingerprints"]["primaryLocationLineHash"].is_null() {
            problems.push(format!("result {i} has no primaryLocationLineHash"));
        }
        for flow in result["codeFlows"].as_array().into_iter().flatten() {
            for thread in flow["threadFlows"].as_array().into_iter().flatten() {
                for step in thread["locations"].as_array().into_iter().flatten() {
                    if step["location"]["physicalLocation"]["artifactLocation"]["uri"].is_null() {
                        problems.push(format!(
                            "result {i} has a codeFlow step without a physicalLocation"
                        ));
                    }
                }
            }
        }
    }
    problems
}

fn schema_errors(log: &Value) -> Vec<String> {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/schemas/sarif-schema-2.1.0.json"
    ))
    .expect("vendored SARIF schema");
    let schema: Value = serde_json::from_str(&text).expect("schema is JSON");
    let validator = jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .expect("schema compiles");
    validator
        .iter_errors(log)
        .map(|e| format!("{} at {}", e, e.instance_path))
        .collect()
}

#[test]
fn sarif_snapshot() {
    let text = render(
        &common::sample_report(),
        Format::Sarif,
        &RenderOptions::default(),
    )
    .expect("render SARIF");
    // Also leave a copy for scripts/validate-sarif.sh.
    let dump = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("alertpath-sample.sarif");
    std::fs::write(&dump, &text).expect("write sample SARIF");
    // Rule docs change with every doc edit and are checked by tests/catalog.rs;
    // the snapshot keeps each rule's identity and metadata, not its text.
    let mut log: Value = serde_json::from_str(&text).expect("SARIF is JSON");
    for rule in log["runs"][0]["tool"]["driver"]["rules"]
        .as_array_mut()
        .expect("rules")
    {
        for field in ["help", "fullDescription", "shortDescription"] {
            rule.as_object_mut().expect("rule object").remove(field);
        }
    }
    insta::assert_json_snapshot!(log);
}

#[test]
fn sarif_validates_against_the_official_schema() {
    let log = sarif_value(&common::sample_report(), &RenderOptions::default());
    assert_eq!(schema_errors(&log), Vec::<String>::new());
}

#[test]
fn schema_validation_catches_a_broken_log() {
    let mut log = sarif_value(&common::sample_report(), &RenderOptions::default());
    log["runs"][0]["results"][0]["level"] = Value::from("fatal");
    assert!(!schema_errors(&log).is_empty());
}

#[test]
fn sarif_meets_githubs_rules() {
    let log = sarif_value(&common::sample_report(), &RenderOptions::default());
    assert_eq!(github_problems(&log), Vec::<String>::new());
    assert_eq!(
        log["runs"][0]["automationDetails"]["id"],
        Value::from("alertpath/live/")
    );
}

#[test]
fn results_are_failures_waivers_and_scan_findings_only() {
    let log = sarif_value(&common::sample_report(), &RenderOptions::default());
    let mut ids: Vec<(&str, &str)> = results(&log)
        .iter()
        .map(|r| {
            (
                r["ruleId"].as_str().unwrap_or(""),
                r["properties"]["status"].as_str().unwrap_or(""),
            )
        })
        .collect();
    ids.sort();
    assert_eq!(
        ids,
        [
            ("GD001", "fail"),
            ("GD001", "fail"),
            ("GD002", "waived"),
            ("ORG001", "fail"),
            ("ROUTE001", "fail"),
            ("SCAN001", "not_assessed"),
            ("SCAN002", "not_assessed"),
        ]
    );
    let waived = results(&log)
        .iter()
        .find(|r| r["ruleId"] == "GD002")
        .expect("waived result");
    assert_eq!(waived["suppressions"][0]["kind"], "external");
    assert_eq!(waived["suppressions"][0]["status"], "accepted");
}

#[test]
fn terraform_origin_points_at_the_attribute_line() {
    let log = sarif_value(&common::sample_report(), &RenderOptions::default());
    let gd001 = results(&log)
        .iter()
        .find(|r| r["ruleId"] == "GD001" && r["properties"]["region"] == "us-east-1")
        .expect("GD001 result");
    let physical = &gd001["locations"][0]["physicalLocation"];
    assert_eq!(
        physical["artifactLocation"]["uri"],
        "stacks/security/guardduty.tf"
    );
    assert_eq!(physical["region"]["startLine"], 14);
}

#[test]
fn route_path_becomes_a_code_flow_with_three_steps() {
    let log = sarif_value(&common::sample_report(), &RenderOptions::default());
    let route = results(&log)
        .iter()
        .find(|r| r["ruleId"] == "ROUTE001")
        .expect("route result");
    let steps = route["codeFlows"][0]["threadFlows"][0]["locations"]
        .as_array()
        .expect("steps");
    assert_eq!(steps.len(), 3);
    assert_eq!(
        steps[0]["location"]["physicalLocation"]["artifactLocation"]["uri"],
        "aws/111111111111/us-east-1/event-rule/guardduty-finding-events"
    );
    assert_eq!(
        steps[1]["location"]["physicalLocation"]["artifactLocation"]["uri"],
        "stacks/security/alerting.tf"
    );
}

#[test]
fn every_registry_rule_is_described_with_its_effective_severity() {
    let mut report = common::sample_report();
    for rule in &mut report.rules {
        if rule.id == "GD004" {
            rule.severity = Severity::Low;
        }
    }
    let log = sarif_value(&report, &RenderOptions::default());
    let rules = log["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .expect("rules");
    for meta in alertpath::rules::REGISTRY.iter() {
        assert!(
            rules.iter().any(|r| r["id"] == meta.meta.id.as_str()),
            "{} missing",
            meta.meta.id
        );
    }
    let gd004 = rules.iter().find(|r| r["id"] == "GD004").expect("GD004");
    assert_eq!(gd004["properties"]["security-severity"], "3.0");
    for result in results(&log) {
        let index = result["ruleIndex"].as_u64().expect("ruleIndex") as usize;
        assert_eq!(rules[index]["id"], result["ruleId"]);
    }
}

#[test]
fn category_option_sets_the_automation_id() {
    let options = RenderOptions {
        sarif_category: Some("prod-org".to_string()),
        ..RenderOptions::default()
    };
    let log = sarif_value(&common::sample_report(), &options);
    assert_eq!(log["runs"][0]["automationDetails"]["id"], "prod-org/");
}

#[test]
fn fingerprints_are_stable_across_runs() {
    let a = sarif_value(&common::sample_report(), &RenderOptions::default());
    let b = sarif_value(&common::sample_report(), &RenderOptions::default());
    let hashes = |log: &Value| -> Vec<Value> {
        results(log)
            .iter()
            .map(|r| r["partialFingerprints"]["primaryLocationLineHash"].clone())
            .collect()
    };
    assert_eq!(hashes(&a), hashes(&b));
}

/// The previous run saw the locked account and ap-southeast-2; this run could not.
fn previous_run() -> Value {
    let mut earlier = common::sample_report();
    earlier.findings.retain(|f| !f.is_scan());
    earlier.findings.push(common::failing(
        "GD001",
        common::region_subject(common::LOCKED, "us-east-1"),
        Severity::High,
    ));
    earlier.findings.push(common::failing(
        "GD001",
        common::region_subject(common::MEMBER, "ap-southeast-2"),
        Severity::High,
    ));
    earlier.findings.push(common::failing(
        "GD001",
        common::region_subject(common::MEMBER, "sa-east-1"),
        Severity::High,
    ));
    sarif_value(&earlier, &RenderOptions::default())
}

#[test]
fn baseline_carries_over_results_of_scopes_not_assessed() {
    let options = RenderOptions {
        baseline: Some(previous_run()),
        ..RenderOptions::default()
    };
    let log = sarif_value(&common::sample_report(), &options);
    let carried: Vec<&Value> = results(&log)
        .iter()
        .filter(|r| r["properties"]["carriedOver"] == true)
        .collect();
    let scopes: Vec<(&str, &str)> = carried
        .iter()
        .map(|r| {
            (
                r["properties"]["account"].as_str().unwrap_or(""),
                r["properties"]["region"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(
        scopes,
        [
            (common::LOCKED, "us-east-1"),
            (common::MEMBER, "ap-southeast-2")
        ]
    );
    for result in &carried {
        let text = result["message"]["text"].as_str().unwrap_or("");
        assert!(text.starts_with(CARRIED_OVER_PREFIX), "{text}");
    }
    assert_eq!(github_problems(&log), Vec::<String>::new());
}

#[test]
fn baseline_without_unassessed_scopes_carries_nothing() {
    let mut report = common::sample_report();
    report.findings.retain(|f| !f.is_scan());
    let options = RenderOptions {
        baseline: Some(previous_run()),
        ..RenderOptions::default()
    };
    let log = sarif_value(&report, &options);
    assert!(
        results(&log)
            .iter()
            .all(|r| r["properties"]["carriedOver"].is_null())
    );
}

#[test]
fn baseline_that_is_not_sarif_is_an_error() {
    let options = RenderOptions {
        baseline: Some(serde_json::json!({"hello": "world"})),
        ..RenderOptions::default()
    };
    assert!(sarif::render(&common::sample_report(), &options).is_err());
}

#[test]
fn over_the_limit_region_results_are_aggregated_per_rule_and_account() {
    let regions = [
        "us-east-1",
        "us-east-2",
        "us-west-1",
        "us-west-2",
        "eu-west-1",
    ];
    let mut findings = Vec::new();
    for account in 0..2_600u32 {
        let account = format!("{:012}", 100_000_000_000u64 + u64::from(account));
        for region in regions {
            for rule in ["GD001", "GD002"] {
                findings.push(common::failing(
                    rule,
                    common::region_subject(&account, region),
                    Severity::High,
                ));
            }
        }
    }
    assert!(findings.len() > MAX_RESULTS);
    let report = common::report_with(findings);
    let log = sarif_value(&report, &RenderOptions::default());
    let all = results(&log);
    assert_eq!(all.len(), 2_600 * 2);
    let first = &all[0];
    assert_eq!(first["properties"]["aggregated"], 5);
    let text = first["message"]["text"].as_str().unwrap_or("");
    assert!(text.contains("aggregated"), "{text}");
    assert!(text.contains("25000"), "{text}");
    assert_eq!(github_problems(&log), Vec::<String>::new());
}

#[test]
fn a_suppressed_route_is_a_one_step_code_flow_at_the_filter() {
    use alertpath::inventory::{
        FilterCondition, FilterCriterion, GuardDutyFilter, Known, Observed, Origin,
    };
    let mut org = crate::common::chain::healthy_org("us-east-1");
    org.gd(crate::common::ADMIN, "us-east-1").filters =
        Some(Observed::Collected(vec![GuardDutyFilter {
            origin: Origin::arn("arn:aws:guardduty:us-east-1:100000000002:detector/d1/filter/mute"),
            name: Known::Value("mute".into()),
            action: Known::Value("ARCHIVE".into()),
            criteria: Known::Value(vec![FilterCriterion {
                field: "severity".into(),
                conditions: vec![FilterCondition {
                    operator: "GreaterThanOrEqual".into(),
                    values: vec!["7".into()],
                }],
            }]),
        }]));
    let report = crate::common::run(&org.build());
    let log = sarif_value(&report, &RenderOptions::default());
    assert_eq!(schema_errors(&log), Vec::<String>::new());
    assert_eq!(github_problems(&log), Vec::<String>::new());
    let route = results(&log)
        .iter()
        .find(|r| r["ruleId"] == "ROUTE001")
        .expect("route result");
    let steps = route["codeFlows"][0]["threadFlows"][0]["locations"]
        .as_array()
        .expect("steps");
    assert_eq!(steps.len(), 1);
    assert_eq!(
        steps[0]["location"]["physicalLocation"]["artifactLocation"]["uri"],
        "aws/100000000002/us-east-1/guardduty-filter/mute"
    );
}
