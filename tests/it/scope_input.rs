//! Issue 11 ("never lose scope silently, never crash on input"), through the
//! CLI: coverage that tells the truth (item 2), input-kind detection (item 3)
//! and readable messages (item 4). Each test failed on the code before it.

use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use serde_json::{Value, json};

fn bin() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_alertpath"));
    cmd.env("NO_COLOR", "1");
    cmd
}

fn snapshot_fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/snapshots")
        .join(name)
}

fn plan_fixture(dir: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/terraform")
        .join(dir)
        .join("plan.json")
}

fn scan(args: &[&str]) -> Output {
    bin().arg("scan").args(args).output().expect("binary runs")
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn write(dir: &tempfile::TempDir, name: &str, text: &str) -> String {
    let path = dir.path().join(name);
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

/// Exit 2 and one `error:` line that contains every `wanted` piece.
fn assert_rejected(out: &Output, wanted: &[&str]) {
    let err = stderr(out);
    assert_eq!(out.status.code(), Some(2), "stderr: {err}");
    for piece in wanted {
        assert!(err.contains(piece), "missing {piece:?} in: {err}");
    }
    assert!(out.stdout.is_empty(), "nothing judged: {}", stdout(out));
}

// ---- item 2: coverage ----------------------------------------------------

/// One region whose GuardDuty and EventBridge calls failed is "not assessed",
/// one with a denied SNS call is "assessed with gaps", in JSON, text and Markdown.
#[test]
fn coverage_counts_dead_and_gappy_regions_truthfully() {
    let dir = tempfile::tempdir().unwrap();
    let mut inventory: Value = serde_json::from_str(
        &std::fs::read_to_string(snapshot_fixture("healthy-org.json")).unwrap(),
    )
    .unwrap();
    let gap = |call: &str, reason: &str| json!({"gap": {"reason": reason, "call": call, "message": "HTTP 500"}});
    let facts = |region: &str| format!("/accounts/200000000003/regions/{region}/enabled/collected");
    let dead = inventory.pointer_mut(&facts("us-east-1")).unwrap();
    dead["guardduty"] = gap("guardduty:ListDetectors", "endpoint_error");
    dead["event_rules"] = gap("events:ListRules", "endpoint_error");
    let gappy = inventory.pointer_mut(&facts("eu-west-1")).unwrap();
    gappy["topics"] = gap("sns:ListTopics", "access_denied");
    let path = write(&dir, "org.json", &inventory.to_string());

    let out = scan(&["--snapshot", &path, "--format", "json"]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let c = &report["coverage"];
    assert_eq!(
        (
            &c["regions_enabled"],
            &c["regions_assessed"],
            &c["regions_assessed_with_gaps"],
            &c["regions_not_assessed"]
        ),
        (&json!(6), &json!(4), &json!(1), &json!(1)),
        "{c}"
    );
    let text = stdout(&scan(&["--snapshot", &path]));
    assert!(
        text.contains(
            "Coverage: accounts 3/3 assessed, regions 4/6 enabled assessed, 1 assessed with gaps (SCAN002/SCAN003), 1 not assessed"
        ),
        "{text}"
    );
    let markdown = stdout(&scan(&["--snapshot", &path, "--format", "markdown"]));
    assert!(
        markdown.contains("**Coverage:** accounts 3/3 assessed, regions 4/6 enabled assessed, 1 assessed with gaps (SCAN002/SCAN003), 1 not assessed."),
        "{markdown}"
    );
}

// ---- item 3: input kinds -------------------------------------------------

/// A state, a schema dump, a bare version object, a report and a snapshot
/// given to --plan are exit 2 with a message naming what the file is.
#[test]
fn plan_flag_rejects_what_is_not_a_plan() {
    let dir = tempfile::tempdir().unwrap();
    let state = write(
        &dir,
        "state.json",
        r#"{"format_version":"1.0","terraform_version":"1.9.5","values":{"root_module":{"resources":[]}}}"#,
    );
    assert_rejected(
        &scan(&["--plan", &state]),
        &[
            "not a Terraform plan",
            "Terraform state",
            "terraform show -json tfplan",
        ],
    );
    let empty_state = write(
        &dir,
        "empty-state.json",
        r#"{"format_version":"1.0","terraform_version":"1.9.5"}"#,
    );
    assert_rejected(&scan(&["--plan", &empty_state]), &["Terraform state"]);
    let schema = write(
        &dir,
        "schema.json",
        r#"{"format_version":"1.0","provider_schemas":{"registry.terraform.io/hashicorp/aws":{}}}"#,
    );
    assert_rejected(
        &scan(&["--plan", &schema]),
        &["`terraform providers schema -json` output"],
    );
    let bare = write(&dir, "bare.json", r#"{"format_version":"1.0"}"#);
    assert_rejected(
        &scan(&["--plan", &bare]),
        &["no planned_values (an object), resource_changes (an array) or configuration"],
    );
    let mistyped = write(
        &dir,
        "mistyped.json",
        r#"{"format_version":"1.2","resource_changes":{}}"#,
    );
    assert_rejected(&scan(&["--plan", &mistyped]), &["not a Terraform plan"]);
    let report = write(
        &dir,
        "report.json",
        &stdout(&scan(&[
            "--snapshot",
            snapshot_fixture("healthy-org.json").to_str().unwrap(),
            "--format",
            "json",
        ])),
    );
    assert_rejected(&scan(&["--plan", &report]), &["an alertpath JSON report"]);
    let snapshot = snapshot_fixture("healthy-org.json");
    assert_rejected(
        &scan(&["--plan", snapshot.to_str().unwrap()]),
        &["alertpath inventory snapshot", "pass it with --snapshot"],
    );
    // A real plan still reads.
    let plan = plan_fixture("healthy");
    let out = scan(&["--plan", plan.to_str().unwrap(), "--format", "json"]);
    assert_ne!(out.status.code(), Some(2), "{}", stderr(&out));
}

/// A report, a plan or `null` given to --snapshot say what they are.
#[test]
fn snapshot_flag_names_what_the_file_is() {
    let dir = tempfile::tempdir().unwrap();
    let report = write(
        &dir,
        "report.json",
        &stdout(&scan(&[
            "--snapshot",
            snapshot_fixture("healthy-org.json").to_str().unwrap(),
            "--format",
            "json",
        ])),
    );
    assert_rejected(
        &scan(&["--snapshot", &report]),
        &["not an inventory snapshot: this is an alertpath JSON report"],
    );
    let plan = plan_fixture("healthy");
    assert_rejected(
        &scan(&["--snapshot", plan.to_str().unwrap()]),
        &["this is a Terraform plan", "pass it with --plan"],
    );
    let null = write(&dir, "null.json", "null");
    let out = scan(&["--snapshot", &null]);
    assert_rejected(&out, &["holds null, not a JSON object"]);
    assert!(!stderr(&out).contains("VersionProbe"), "{}", stderr(&out));
    let sarif = write(&dir, "prev.sarif", r#"{"version":"2.1.0","runs":[]}"#);
    assert_rejected(
        &scan(&["--snapshot", &sarif]),
        &["a SARIF log", "--baseline"],
    );
}

// ---- item 4: messages ----------------------------------------------------

/// A plan nested past the JSON reader's depth limit says so, not "syntax error".
#[test]
fn plan_recursion_limit_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let deep = format!(
        r#"{{"format_version":"1.2","planned_values":{}{}}}"#,
        "[".repeat(200),
        "]".repeat(200)
    );
    let path = write(&dir, "deep.json", &deep);
    let out = scan(&["--plan", &path]);
    assert_rejected(&out, &["nested more than 128 levels deep"]);
    assert!(!stderr(&out).contains("syntax error"));
}

/// Account ids are checked when the flags are parsed, whatever the input.
#[test]
fn invalid_account_ids_are_rejected() {
    let snapshot = snapshot_fixture("healthy-org.json");
    for flag in ["--accounts", "--exclude-accounts"] {
        let out = scan(&[
            "--snapshot",
            snapshot.to_str().unwrap(),
            flag,
            "not-an-account",
        ]);
        assert_rejected(&out, &["`not-an-account` is not a 12-digit account id"]);
    }
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(&snapshot)
        .unwrap()
        .replace("200000000003", "not-an-account");
    let path = write(&dir, "bad-ids.json", &text);
    assert_rejected(
        &scan(&["--snapshot", &path]),
        &["`not-an-account` is not a 12-digit account id"],
    );
}

/// An account whose role could not be assumed takes one text line naming the
/// reason and the rules it leaves unjudged (it took one line per rule).
#[test]
fn unassessed_account_is_one_text_line() {
    let out = scan(&[
        "--snapshot",
        snapshot_fixture("example-org.json").to_str().unwrap(),
    ]);
    let text = stdout(&out);
    let lines: Vec<&str> = text
        .lines()
        .filter(|l| l.starts_with("  ") && l.contains("100000000005:"))
        .collect();
    assert_eq!(lines.len(), 1, "{text}");
    assert!(
        lines[0].contains("sts:AssumeRole: access denied")
            && lines[0].contains("leaves unjudged: GD001, GD002"),
        "{}",
        lines[0]
    );
}

/// A dropped connection reads as a sentence, not the SDK's debug struct.
#[test]
fn dropped_connection_is_a_readable_error() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming().take(16) {
            drop(stream);
        }
    });
    let out = bin()
        .args(["scan", "--max-attempts", "1", "--endpoint-url"])
        .arg(format!("http://127.0.0.1:{port}"))
        .env("AWS_ACCESS_KEY_ID", "test")
        .env("AWS_SECRET_ACCESS_KEY", "test")
        .env("AWS_REGION", "us-east-1")
        .env_remove("AWS_PROFILE")
        .env("AWS_CONFIG_FILE", "/nonexistent")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
        .output()
        .unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.starts_with("error: cannot identify the caller (sts:GetCallerIdentity): sts:GetCallerIdentity: endpoint error (dispatch failure"),
        "{err}"
    );
    for debug in ["DispatchFailure", "ConnectorError", "{", "Some("] {
        assert!(!err.contains(debug), "debug output {debug:?} in: {err}");
    }
}

/// A reader that goes away (`| head -c 100`) ends the run quietly: no panic,
/// and the exit code is the run's own.
#[test]
fn broken_pipe_on_stdout_is_quiet() {
    let snapshot = snapshot_fixture("example-org.json");
    let mut child = bin()
        .args([
            "scan",
            "--snapshot",
            snapshot.to_str().unwrap(),
            "--format",
            "json",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut head = [0_u8; 100];
    child.stdout.take().unwrap().read_exact(&mut head).unwrap();
    // The read end is closed; the report (~100 kB) is larger than a pipe buffer.
    let out = child.wait_with_output().unwrap();
    let err = stderr(&out);
    assert!(!err.contains("panicked"), "{err}");
    assert!(err.is_empty(), "{err}");
    assert_eq!(out.status.code(), Some(1), "example org fails: {err}");
}

// ---- item 1, offline: a snapshot of a scan whose listing failed ----------

/// The healthy org as a delegated-admin caller (200000000002) saw it when
/// `ListAccounts` failed: only its own account, no organization.
fn not_listed_snapshot(dir: &tempfile::TempDir) -> String {
    let mut inventory: Value = serde_json::from_str(
        &std::fs::read_to_string(snapshot_fixture("healthy-org.json")).unwrap(),
    )
    .unwrap();
    let accounts = inventory["accounts"].as_object_mut().unwrap();
    accounts.retain(|id, _| id == "200000000002");
    inventory["organization"] = Value::Null;
    inventory["organization_not_listed"] = json!({
        "reason": "throttled",
        "call": "organizations:ListAccounts",
        "message": "ThrottlingException: Rate exceeded"
    });
    write(dir, "not-listed.json", &inventory.to_string())
}

/// SCAN005 and exit 3: the caller, which holds the GuardDuty organization
/// configuration, is judged as admin of its own chain; every other account
/// and the organization-wide rules are not assessed; with `--baseline`, the
/// other accounts' previous alerts are carried over, not closed.
#[test]
fn unlisted_organization_judges_the_caller_and_carries_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    let path = not_listed_snapshot(&dir);
    let out = scan(&["--snapshot", &path, "--format", "json"]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let findings = report["findings"].as_array().unwrap();
    let of = |rule: &str| -> Vec<(String, String)> {
        findings
            .iter()
            .filter(|f| f["rule"] == rule)
            .map(|f| {
                (
                    f["status"].as_str().unwrap().to_string(),
                    f["message"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    };
    assert_eq!(
        of("SCAN005"),
        [(
            "not_assessed".to_string(),
            "the organization's accounts could not be listed: organizations:ListAccounts: throttled after retries (ThrottlingException: Rate exceeded); only 200000000002 was scanned, and nothing about the other accounts or the organization as a whole was judged".to_string()
        )]
    );
    let why = "the organization's accounts could not be listed (SCAN005): organizations:ListAccounts: throttled after retries (ThrottlingException: Rate exceeded)";
    assert_eq!(
        of("ORG001"),
        [("not_assessed".to_string(), why.to_string())]
    );
    assert!(of("GD001").contains(&(
        "not_assessed".to_string(),
        format!("accounts other than the scanned ones: {why}")
    )));
    assert!(of("GD003").contains(&(
        "not_assessed".to_string(),
        format!("members other than the scanned accounts: {why}")
    )));
    // The caller's own chain is judged: it holds the organization configuration.
    assert!(
        of("ROUTE001").iter().all(|(s, _)| s == "pass") && !of("ROUTE001").is_empty(),
        "{:?}",
        of("ROUTE001")
    );
    assert_eq!(report["coverage"]["organization"], "not_listed");
    // In text, the unlisted organization takes one line naming the rules it leaves unjudged.
    let text = stdout(&scan(&["--snapshot", &path]));
    let lines: Vec<&str> = text
        .lines()
        .filter(|l| l.starts_with("  ") && l.contains("could not be listed"))
        .collect();
    assert_eq!(lines.len(), 1, "{text}");
    assert!(
        lines[0].contains("leaves unjudged: GD001, GD002, GD003, ORG001"),
        "{}",
        lines[0]
    );

    // A previous alert of an account this run could not list is carried over.
    let baseline = dir.path().join("prev.sarif");
    let previous = json!({
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "alertpath", "rules": []}},
            "automationDetails": {"id": "alertpath/live/"},
            "results": [{
                "ruleId": "GD001",
                "level": "error",
                "message": {"text": "no GuardDuty detector in us-east-1 of account 200000000003"},
                "locations": [{"physicalLocation": {"artifactLocation": {"uri": "aws/200000000003/us-east-1"}, "region": {"startLine": 1}}}],
                "partialFingerprints": {"primaryLocationLineHash": "0123456789abcdef"},
                "properties": {"account": "200000000003", "region": "us-east-1", "status": "fail"}
            }]
        }]
    });
    std::fs::write(&baseline, previous.to_string()).unwrap();
    let sarif = dir.path().join("now.sarif");
    let out = scan(&[
        "--snapshot",
        &path,
        "--baseline",
        baseline.to_str().unwrap(),
        "--format",
        "sarif",
        "--output",
        sarif.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    let log: Value = serde_json::from_str(&std::fs::read_to_string(&sarif).unwrap()).unwrap();
    let carried: Vec<&Value> = log["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["partialFingerprints"]["primaryLocationLineHash"] == "0123456789abcdef")
        .collect();
    assert_eq!(carried.len(), 1, "{}", log["runs"][0]["properties"]);
}
