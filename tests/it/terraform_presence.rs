//! Presence that cannot be decided, outside this stack, old-style child
//! providers and report paths (issue 13), on the fixtures in the shapes public
//! modules use: `no-region`, `flag-count`, `contains-count`,
//! `other-stack`, `proxy-provider`. Each runs the binary as a
//! PR check would (no variables unless said), through the plan and the HCL.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

use crate::common::process::{bin, code};

/// Rules that judge what a stack lacks (RULES.md "Stack role").
const ABSENCE: &[&str] = &[
    "GD001", "GD004", "ORG001", "EVT001", "ROUTE001", "ROUTE002", "ROOT001", "ROOT003", "SUB005",
    "ALM001",
];

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/terraform")
        .join(name)
}

/// A scan with no AWS_* in the environment except `env`, config `config`;
/// returns the exit code and the JSON report.
fn scan_in(cwd: Option<&Path>, args: &[&str], env: &[(&str, &str)], config: &str) -> (i32, Value) {
    let dir = tempfile::tempdir().unwrap();
    let config_path = dir.path().join("alertpath.toml");
    std::fs::write(&config_path, config).unwrap();
    let mut cmd: Command = bin();
    for (k, _) in std::env::vars() {
        if k.starts_with("AWS_") {
            cmd.env_remove(k);
        }
    }
    cmd.envs(env.iter().copied());
    if let Some(cwd) = cwd {
        cmd.current_dir(cwd);
    }
    cmd.arg("scan")
        .args(args)
        .arg("--config")
        .arg(&config_path)
        .args(["--format", "json", "-q"]);
    let out = cmd.output().unwrap();
    let report: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{args:?}: {e}: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        )
    });
    (code(&out), report)
}

fn scan(args: &[&str], env: &[(&str, &str)], config: &str) -> (i32, Value) {
    scan_in(None, args, env, config)
}

fn findings<'a>(report: &'a Value, rule: &str) -> Vec<&'a Value> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == rule)
        .collect()
}

/// `rule status region` for every outcome of `rule`, sorted.
fn lines(report: &Value, rule: &str) -> Vec<String> {
    let mut out: Vec<String> = findings(report, rule)
        .iter()
        .map(|f| {
            format!(
                "{rule} {} {}",
                f["status"].as_str().unwrap_or("?"),
                f["subject"]["region"].as_str().unwrap_or("-")
            )
        })
        .collect();
    out.sort();
    out
}

/// Every outcome of every rule, as `rule status region resource`, sorted:
/// what must agree between plan and HCL.
fn verdicts(report: &Value) -> Vec<String> {
    let mut out: Vec<String> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            format!(
                "{} {} {} {}",
                f["rule"].as_str().unwrap_or("?"),
                f["status"].as_str().unwrap_or("?"),
                f["subject"]["region"].as_str().unwrap_or("-"),
                f["subject"]["resource"]["name"].as_str().unwrap_or("-")
            )
        })
        .collect();
    out.sort();
    out
}

/// Assert that two inputs judge alike: every rule that both can assess (a
/// rule's sources differ by input: SUB001 is L P only) has the same verdicts.
fn assert_agree(a: &Value, b: &Value, what: &str) {
    let not_applicable = |r: &Value| -> Vec<String> {
        verdicts(r)
            .into_iter()
            .filter(|l| l.contains(" not_applicable - "))
            .filter_map(|l| l.split(' ').next().map(str::to_string))
            .collect()
    };
    let skip: Vec<String> = not_applicable(a)
        .into_iter()
        .chain(not_applicable(b))
        .collect();
    let keep = |r: &Value| -> Vec<String> {
        verdicts(r)
            .into_iter()
            .filter(|l| !skip.iter().any(|s| l.split(' ').next() == Some(s.as_str())))
            .collect()
    };
    assert_eq!(keep(a), keep(b), "{what}");
}

/// The absence rules of `rules` do not fail.
fn assert_no_failure(report: &Value, input: &str, rules: &[&str]) {
    for rule in rules {
        for f in findings(report, rule) {
            assert_ne!(f["status"], "fail", "{input}: {rule} failed: {f}");
        }
    }
}

/// No absence rule fails.
fn assert_no_absence_failure(report: &Value, input: &str) {
    for rule in ABSENCE {
        for f in findings(report, rule) {
            assert_ne!(f["status"], "fail", "{input}: {rule} failed: {f}");
        }
    }
}

const ADMIN_TWO_REGIONS: &str = "[terraform]\nrole = \"guardduty-admin\"\naccount_id = \"222222222222\"\nregions = [\"us-east-1\", \"us-west-2\"]\n";
const ADMIN: &str = "[terraform]\nrole = \"guardduty-admin\"\naccount_id = \"222222222222\"\n";

fn plan_arg(name: &str) -> String {
    fixture(name).join("plan.json").display().to_string()
}

fn dir_arg(name: &str) -> String {
    fixture(name).display().to_string()
}

#[test]
fn provider_without_region_is_maybe_present_never_absent() {
    let plan = plan_arg("no-region");
    let dir = dir_arg("no-region");
    for args in [
        vec!["--plan", plan.as_str()],
        vec!["--terraform", dir.as_str()],
    ] {
        let (exit, report) = scan(&args, &[], ADMIN_TWO_REGIONS);
        assert_no_absence_failure(&report, args[0]);
        assert_eq!(
            lines(&report, "GD001"),
            [
                "GD001 not_assessed us-east-1",
                "GD001 not_assessed us-west-2"
            ],
            "{args:?}"
        );
        let gd001 = findings(&report, "GD001")[0]["message"].as_str().unwrap();
        assert!(
            gd001.contains("maybe present: `aws_guardduty_detector.this`"),
            "{gd001}"
        );
        // SCAN004 names each catalog resource left out; not terraform_data.
        let scan004: Vec<&str> = findings(&report, "SCAN004")
            .iter()
            .filter(|f| {
                f["message"]
                    .as_str()
                    .unwrap_or("")
                    .contains("the region of")
            })
            .map(|f| f["subject"]["resource"]["name"].as_str().unwrap_or(""))
            .collect();
        assert!(
            scan004.contains(&"aws_guardduty_detector.this")
                && scan004.contains(&"aws_sns_topic_subscription.pagerduty"),
            "{scan004:?}"
        );
        assert_eq!(scan004.len(), 7, "{scan004:?}");
        let notes = report["notes"].to_string();
        assert!(
            notes.contains("7 Terraform resources were left out")
                && notes.contains("aws_guardduty_detector.this")
                && !notes.contains("terraform_data"),
            "{notes}"
        );
        assert_eq!(exit, 3, "{args:?}: not assessed, nothing failing");
    }
}

#[test]
fn provider_without_region_takes_aws_region_and_records_it() {
    let plan = plan_arg("no-region");
    let dir = dir_arg("no-region");
    let mut seen = Vec::new();
    for args in [
        vec!["--plan", plan.as_str()],
        vec!["--terraform", dir.as_str()],
    ] {
        let evidence = tempfile::tempdir().unwrap();
        let pack = evidence.path().join("pack");
        let mut args = args.clone();
        let pack_arg = pack.display().to_string();
        args.extend(["--evidence", pack_arg.as_str()]);
        let (_, report) = scan(&args, &[("AWS_REGION", "us-west-2")], ADMIN);
        assert_eq!(
            lines(&report, "GD001"),
            ["GD001 pass us-west-2"],
            "{args:?}"
        );
        assert_eq!(lines(&report, "SCAN004"), ["SCAN004 pass -"], "{args:?}");
        let inventory: Value =
            serde_json::from_slice(&std::fs::read(pack.join("inventory.json")).unwrap()).unwrap();
        assert_eq!(
            inventory["terraform"]["environment_region"],
            serde_json::json!({"variable": "AWS_REGION", "region": "us-west-2"}),
            "{args:?}"
        );
        // A replay of the recorded inventory judges the same.
        let replay = scan(
            &["--snapshot", pack.join("inventory.json").to_str().unwrap()],
            &[],
            ADMIN,
        )
        .1;
        assert_eq!(verdicts(&replay), verdicts(&report), "{args:?}");
        seen.push(report);
    }
    assert_agree(&seen[0], &seen[1], "plan and HCL agree");
    // AWS_DEFAULT_REGION is the fallback after AWS_REGION.
    let (_, report) = scan(
        &["--terraform", dir.as_str()],
        &[("AWS_DEFAULT_REGION", "eu-west-1")],
        ADMIN,
    );
    assert_eq!(lines(&report, "GD001"), ["GD001 pass eu-west-1"]);
}

#[test]
fn feature_flag_count_is_maybe_present_and_judged_once() {
    let dir = dir_arg("flag-count");
    let (_, report) = scan(&["--terraform", dir.as_str()], &[], ADMIN);
    // ROUTE002 fails (no chat endpoint) with or without the flag: judged as present.
    assert_no_failure(
        &report,
        "hcl",
        &[
            "GD001", "GD004", "EVT001", "EVT003", "ROUTE001", "SUB004", "SUB005",
        ],
    );
    assert_eq!(lines(&report, "ROUTE002"), ["ROUTE002 fail us-east-1"]);
    // What the stack lacks in the region is undecided; the maybe-present
    // resource itself is judged as one instance (GD004 passes it: ALL).
    for rule in ["GD001", "GD004", "EVT001", "ROUTE001"] {
        let regional: Vec<&Value> = findings(&report, rule)
            .into_iter()
            .filter(|f| f["subject"]["resource"].is_null())
            .collect();
        assert!(!regional.is_empty(), "{rule}");
        for f in regional {
            assert_eq!(f["status"], "not_assessed", "{rule}: {f}");
            let message = f["message"].as_str().unwrap();
            assert!(
                message.contains("maybe present") && message.contains("var.enabled"),
                "{rule}: {message}"
            );
        }
    }
    assert_eq!(
        lines(&report, "GD004"),
        ["GD004 not_assessed us-east-1", "GD004 pass us-east-1"]
    );
    // Rules that judge what is there judge the one instance.
    assert_eq!(
        lines(&report, "SUB002"),
        ["SUB002 pass us-east-1"],
        "the subscription is judged as one instance"
    );
    // With the flag given, HCL agrees with the plan terraform made with it.
    let plan = plan_arg("flag-count");
    let with_flag = [
        "--var",
        "enabled=true",
        "--var",
        "pagerduty_integration_key=00000000000000000000000000000000",
    ];
    let mut hcl_args = vec!["--terraform", dir.as_str()];
    hcl_args.extend(with_flag);
    let hcl = scan(&hcl_args, &[], ADMIN).1;
    let plan = scan(&["--plan", plan.as_str()], &[], ADMIN).1;
    assert_eq!(lines(&plan, "GD001"), ["GD001 pass us-east-1"]);
    assert_agree(&hcl, &plan, "plan and HCL agree");
}

#[test]
fn contains_in_count_never_fails_delegated_admin() {
    let config = "[terraform]\nrole = \"management\"\naccount_id = \"222222222222\"\n";
    let dir = dir_arg("contains-count");
    let (_, hcl) = scan(&["--terraform", dir.as_str()], &[], config);
    assert_no_failure(&hcl, "hcl", &["ORG001", "ORG002", "ORG003"]);
    assert_eq!(
        lines(&hcl, "ORG001"),
        [
            "ORG001 not_assessed us-east-1",
            "ORG001 not_assessed us-west-2"
        ]
    );
    let message = findings(&hcl, "ORG001")[0]["message"].as_str().unwrap();
    assert!(
        // `contains` is evaluated; what is missing is the variable's value.
        message.contains("aws_guardduty_organization_admin_account.east")
            && message.contains("`var.regions` could not be evaluated"),
        "{message}"
    );
    let plan = plan_arg("contains-count");
    let (_, plan) = scan(&["--plan", plan.as_str()], &[], config);
    let org001 = findings(&plan, "ORG001");
    assert!(!org001.is_empty());
    assert!(org001.iter().all(|f| f["status"] == "pass"), "{org001:?}");
}

#[test]
fn another_stacks_topics_are_outside_this_stack() {
    let plan = plan_arg("other-stack");
    let dir = dir_arg("other-stack");
    let mut seen = Vec::new();
    for args in [
        vec!["--plan", plan.as_str()],
        vec!["--terraform", dir.as_str()],
    ] {
        let (_, report) = scan(&args, &[], ADMIN);
        assert_no_failure(
            &report,
            args[0],
            &["EVT001", "EVT004", "ROUTE001", "ROUTE002"],
        );
        let evt004 = findings(&report, "EVT004");
        assert_eq!(evt004.len(), 2, "{args:?}");
        for f in &evt004 {
            assert_eq!(f["status"], "not_assessed", "{f}");
            assert_eq!(f["unknown"], "outside_stack", "{f}");
            let message = f["message"].as_str().unwrap();
            assert!(
                message.contains("is outside this stack") && !message.contains("does not exist"),
                "{message}"
            );
        }
        for f in findings(&report, "ROUTE001") {
            assert_eq!(f["unknown"], "outside_stack", "{f}");
        }
        // Outside this stack does not cause exit 3; --strict-unknowns makes it.
        let mut lenient = args.clone();
        lenient.extend(["--fail-on", "critical"]);
        assert_eq!(scan(&lenient, &[], ADMIN).0, 0, "{args:?}");
        lenient.push("--strict-unknowns");
        assert_eq!(scan(&lenient, &[], ADMIN).0, 3, "{args:?}");
        seen.push(report);
    }
    assert_agree(&seen[0], &seen[1], "plan and HCL agree");
}

#[test]
fn old_style_child_provider_keeps_the_module_resources() {
    let plan = plan_arg("proxy-provider");
    let dir = dir_arg("proxy-provider");
    let (_, hcl) = scan(&["--terraform", dir.as_str()], &[], ADMIN_TWO_REGIONS);
    assert_eq!(
        lines(&hcl, "GD001"),
        ["GD001 fail us-east-1", "GD001 pass us-west-2"],
        "the module's detector is in us-west-2; us-east-1 truly has none"
    );
    let both = scan(
        &["--plan", plan.as_str(), "--terraform", dir.as_str()],
        &[],
        ADMIN_TWO_REGIONS,
    )
    .1;
    assert_agree(&both, &hcl, "plan+HCL agrees with HCL");
    // The plan alone names the proxy provider without the caller's map: the
    // module's resources are maybe present, never absent.
    let (_, alone) = scan(&["--plan", plan.as_str()], &[], ADMIN_TWO_REGIONS);
    assert_no_absence_failure(&alone, "plan");
    assert!(
        findings(&alone, "SCAN004")
            .iter()
            .any(|f| f["subject"]["resource"]["name"]
                == "module.alerts_west.aws_guardduty_detector.this"),
        "{:?}",
        lines(&alone, "SCAN004")
    );
}

/// Every JSON `location.file` and SARIF URI of a scan run from `cwd`.
fn report_paths(cwd: &Path, args: &[&str]) -> Vec<String> {
    let out_dir = tempfile::tempdir().unwrap();
    let sarif = out_dir.path().join("out.sarif");
    let json = out_dir.path().join("out.json");
    let config = out_dir.path().join("alertpath.toml");
    std::fs::write(&config, ADMIN).unwrap();
    let mut cmd = bin();
    cmd.current_dir(cwd)
        .arg("scan")
        .args(args)
        .arg("--config")
        .arg(&config)
        .args(["--format", "sarif", "--output"])
        .arg(&sarif)
        .args(["--format", "json", "--output"])
        .arg(&json)
        .arg("-q");
    let out = cmd.output().unwrap();
    assert!(
        [0, 1, 3].contains(&code(&out)),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut paths = Vec::new();
    let json: Value = serde_json::from_slice(&std::fs::read(&json).unwrap()).unwrap();
    collect(&json, "file", &mut paths);
    let sarif: Value = serde_json::from_slice(&std::fs::read(&sarif).unwrap()).unwrap();
    collect(&sarif, "uri", &mut paths);
    assert!(!paths.is_empty());
    paths
}

fn collect(v: &Value, key: &str, out: &mut Vec<String>) {
    match v {
        Value::Object(map) => {
            for (k, v) in map {
                match v {
                    Value::String(s) if k == key => out.push(s.clone()),
                    _ => collect(v, key, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|i| collect(i, key, out)),
        _ => {}
    }
}

#[test]
fn report_paths_from_another_directory_never_start_with_two_slashes() {
    // A tree outside any git repository, scanned by absolute path from
    // another directory: absolute file:// URIs.
    let tree = tempfile::tempdir().unwrap();
    for file in ["main.tf", "providers.tf", "versions.tf"] {
        std::fs::copy(fixture("flag-count").join(file), tree.path().join(file)).unwrap();
    }
    let elsewhere = tempfile::tempdir().unwrap();
    let tree_arg = tree.path().display().to_string();
    let paths = report_paths(elsewhere.path(), &["--terraform", &tree_arg]);
    let files: Vec<&String> = paths.iter().filter(|p| p.contains("main.tf")).collect();
    assert!(!files.is_empty(), "{paths:?}");
    for p in &paths {
        assert!(!p.starts_with("//"), "{p}");
    }
    for p in files {
        assert!(p.starts_with("file:///"), "{p}");
    }
    // --repo-root makes them relative to it.
    let paths = report_paths(
        elsewhere.path(),
        &["--terraform", &tree_arg, "--repo-root", &tree_arg],
    );
    assert!(paths.iter().any(|p| p == "main.tf"), "{paths:?}");
    assert!(
        paths
            .iter()
            .all(|p| !p.starts_with("//") && !p.starts_with("file:")),
        "{paths:?}"
    );
    // A tree in this repository, from another directory: relative to the
    // git top level.
    let dir = dir_arg("flag-count");
    let paths = report_paths(elsewhere.path(), &["--terraform", &dir]);
    assert!(
        paths
            .iter()
            .any(|p| p == "tests/fixtures/terraform/flag-count/main.tf"),
        "{paths:?}"
    );
    assert!(
        paths
            .iter()
            .all(|p| !p.starts_with("//") && !p.starts_with("file:")),
        "{paths:?}"
    );
}

/// A tree of `.tf` files in a temporary directory.
fn tree(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in files {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    dir
}

const PROVIDER: &str = "provider \"aws\" {\n  region = \"us-east-1\"\n}\n";
const RULE: &str = "resource \"aws_guardduty_detector\" \"this\" {\n  enable = true\n}\n\nresource \"aws_cloudwatch_event_rule\" \"guardduty\" {\n  name          = \"guardduty-finding-events\"\n  event_pattern = jsonencode({ source = [\"aws.guardduty\"] })\n}\n";

#[test]
fn a_data_source_topic_is_outside_this_stack() {
    let dir = tree(&[(
        "main.tf",
        &format!(
            "{PROVIDER}{RULE}\ndata \"aws_sns_topic\" \"central\" {{\n  name = \"central-alerts\"\n}}\n\nresource \"aws_cloudwatch_event_target\" \"central\" {{\n  rule = aws_cloudwatch_event_rule.guardduty.name\n  arn  = data.aws_sns_topic.central.arn\n}}\n"
        ),
    )]);
    let path = dir.path().display().to_string();
    let (_, report) = scan(&["--terraform", &path], &[], ADMIN);
    let evt004 = findings(&report, "EVT004");
    assert_eq!(evt004.len(), 1, "{evt004:?}");
    assert_eq!(evt004[0]["status"], "not_assessed");
    assert_eq!(evt004[0]["unknown"], "outside_stack", "{}", evt004[0]);
    assert!(
        evt004[0]["message"]
            .as_str()
            .unwrap()
            .contains("`data.aws_sns_topic.central` is outside this stack"),
        "{}",
        evt004[0]
    );
}

#[test]
fn a_resource_region_argument_comes_before_its_provider() {
    // AWS provider 6: `region` on the resource places it.
    let dir = tree(&[(
        "main.tf",
        &format!(
            "{PROVIDER}resource \"aws_guardduty_detector\" \"west\" {{\n  region = \"us-west-2\"\n  enable = true\n}}\n"
        ),
    )]);
    let path = dir.path().display().to_string();
    let config = "[terraform]\nrole = \"guardduty-admin\"\naccount_id = \"222222222222\"\nregions = [\"us-west-2\"]\n";
    let (_, report) = scan(&["--terraform", &path], &[], config);
    assert_eq!(lines(&report, "GD001"), ["GD001 pass us-west-2"]);
    assert_eq!(lines(&report, "GD002"), ["GD002 pass us-west-2"]);
}

#[test]
fn a_module_call_of_unknown_count_is_maybe_present() {
    let dir = tree(&[(
        "main.tf",
        "provider \"aws\" {\n  region = \"us-east-1\"\n}\n\nvariable \"enabled\" {\n  type = bool\n}\n\nmodule \"alerts\" {\n  source = \"./modules/alerts\"\n  count  = var.enabled ? 1 : 0\n\n  providers = {\n    aws.dst = aws\n  }\n\n  pagerduty_integration_key = \"\"\n}\n",
    )]);
    let module = dir.path().join("modules/alerts");
    std::fs::create_dir_all(&module).unwrap();
    for file in ["main.tf", "versions.tf"] {
        std::fs::copy(
            fixture("proxy-provider/modules/alerts").join(file),
            module.join(file),
        )
        .unwrap();
    }
    let path = dir.path().display().to_string();
    let (_, report) = scan(&["--terraform", &path], &[], ADMIN);
    assert_eq!(lines(&report, "GD001"), ["GD001 not_assessed us-east-1"]);
    let message = findings(&report, "GD001")[0]["message"].as_str().unwrap();
    assert!(
        message.contains("`module.alerts.aws_guardduty_detector.this`")
            && message.contains("var.enabled"),
        "{message}"
    );
    // The module's detector is judged once.
    assert_eq!(lines(&report, "GD002"), ["GD002 pass us-east-1"]);
    assert_no_failure(&report, "hcl", &["GD001", "GD004", "EVT001", "ROUTE001"]);
}
