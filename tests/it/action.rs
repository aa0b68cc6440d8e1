//! Runs the GitHub Action's shell steps (`action/run.sh`) locally against a fake
//! release directory built from the real binary: download with checksum
//! verification (good and tampered), scan, summary, outputs and enforcement;
//! and, against a fake GitHub API started by the test, the baseline artifact
//! of the scheduled workflow, carry-over and the upload decision (issue 21).
//! Needs bash, curl, tar, sha256sum (or shasum), jq, zip and unzip, as the runners have.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use alertpath::evidence::sha256_hex;

const VERSION: &str = "v0.1.0";

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn fixture(name: &str) -> PathBuf {
    root().join("tests/fixtures/snapshots").join(name)
}

/// A temp dir with a fake release `<base>/<version>/` and GitHub's files.
struct Runner {
    dir: tempfile::TempDir,
}

impl Runner {
    fn new(tamper: bool) -> Runner {
        let dir = tempfile::tempdir().unwrap();
        let staging = dir.path().join("staging");
        let release = dir.path().join("release").join(VERSION);
        std::fs::create_dir_all(&staging).unwrap();
        std::fs::create_dir_all(&release).unwrap();
        std::fs::copy(env!("CARGO_BIN_EXE_alertpath"), staging.join("alertpath")).unwrap();
        let asset = format!("alertpath-{VERSION}-x86_64-unknown-linux-musl.tar.gz");
        let status = Command::new("tar")
            .arg("-czf")
            .arg(release.join(&asset))
            .arg("-C")
            .arg(&staging)
            .arg("alertpath")
            .status()
            .unwrap();
        assert!(status.success());
        let mut hash = sha256_hex(&std::fs::read(release.join(&asset)).unwrap());
        if tamper {
            let first = if hash.starts_with('0') { "1" } else { "0" };
            hash.replace_range(..1, first);
        }
        let sums = format!(
            "{hash}  {asset}\n{}  alertpath-{VERSION}-aarch64-apple-darwin.tar.gz\n",
            "ab".repeat(32)
        );
        std::fs::write(
            release.join(format!("alertpath-{VERSION}-SHA256SUMS")),
            sums,
        )
        .unwrap();
        std::fs::create_dir_all(dir.path().join("work")).unwrap();
        Runner { dir }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn run(&self, step: &str, env: &[(&str, &str)]) -> Output {
        let mut cmd = Command::new("bash");
        cmd.arg(root().join("action/run.sh"))
            .arg(step)
            .current_dir(self.path("work"))
            .env("GITHUB_OUTPUT", self.path("output"))
            .env("GITHUB_STEP_SUMMARY", self.path("summary.md"))
            .env("RUNNER_OS", "Linux")
            .env("RUNNER_ARCH", "X64")
            .env("RUNNER_TEMP", self.path("tmp"))
            .env("NO_COLOR", "1")
            .env("ALERTPATH_VERSION", VERSION)
            .env(
                "ALERTPATH_DOWNLOAD_BASE",
                format!("file://{}", self.path("release").display()),
            )
            .env("ALERTPATH_INSTALL_DIR", self.path("bin"))
            .env_remove("GH_TOKEN")
            .env_remove("GITHUB_TOKEN");
        for (k, v) in env {
            cmd.env(k, v);
        }
        std::fs::create_dir_all(self.path("tmp")).unwrap();
        cmd.output().expect("bash runs")
    }

    /// `$GITHUB_OUTPUT` as a map (last value wins).
    fn outputs(&self) -> BTreeMap<String, String> {
        std::fs::read_to_string(self.path("output"))
            .unwrap_or_default()
            .lines()
            .filter_map(|l| l.split_once('='))
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn download(&self) -> String {
        let out = self.run("download", &[("ALERTPATH_SKIP_ATTESTATION", "1")]);
        assert!(out.status.success(), "{}", text(&out));
        self.outputs()["binary"].clone()
    }
}

fn text(out: &Output) -> String {
    format!(
        "stdout:\n{}\nstderr:\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[test]
fn download_verifies_the_checksum() {
    let runner = Runner::new(false);
    let binary = runner.download();
    assert_eq!(PathBuf::from(&binary), runner.path("bin").join("alertpath"));
    let version = Command::new(&binary).arg("--version").output().unwrap();
    assert!(String::from_utf8_lossy(&version.stdout).starts_with("alertpath "));
}

#[test]
fn download_with_a_tampered_checksum_fails() {
    let runner = Runner::new(true);
    let out = runner.run("download", &[("ALERTPATH_SKIP_ATTESTATION", "1")]);
    assert!(!out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("SHA-256 mismatch"), "{}", text(&out));
    assert!(!runner.path("bin").join("alertpath").exists());
    assert!(!runner.outputs().contains_key("binary"));
}

#[test]
fn attestation_is_not_skipped_by_default() {
    // Without the explicit test switch, the step needs `gh attestation verify`
    // to pass; the fake release has no attestation, so it must fail.
    let runner = Runner::new(false);
    let out = runner.run("download", &[("GH_TOKEN", "")]);
    assert!(!out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("attestation"), "{}", text(&out));
    assert!(!runner.outputs().contains_key("binary"));
}

#[test]
fn scan_sets_outputs_refuses_partial_upload_and_writes_the_summary() {
    let runner = Runner::new(false);
    let binary = runner.download();
    let snapshot = format!("--snapshot {}", fixture("example-org.json").display());
    let env = [
        ("ALERTPATH_BIN", binary.as_str()),
        ("INPUT_MODE", "live"),
        ("INPUT_ARGS", snapshot.as_str()),
        ("INPUT_FAIL_ON", "high"),
        ("INPUT_CATEGORY", "alertpath/org/test"),
    ];
    let out = runner.run("scan", &env);
    assert!(out.status.success(), "{}", text(&out));
    let outputs = runner.outputs();
    // The outputs must agree with the binary's own JSON report of the same input.
    let report = std::process::Command::new(env!("CARGO_BIN_EXE_alertpath"))
        .args(["scan", "--quiet", "--format", "json", "--snapshot"])
        .arg(fixture("example-org.json"))
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&report.stdout).unwrap();
    let summary = &report["summary"];
    let count = |sev: &str| {
        summary["fail_by_severity"][sev]
            .as_u64()
            .unwrap_or(0)
            .to_string()
    };
    let (critical, high, medium, low, info) = (
        count("critical"),
        count("high"),
        count("medium"),
        count("low"),
        count("info"),
    );
    let not_assessed = summary["not_assessed"].as_u64().unwrap().to_string();
    assert_ne!(high, "0", "the example org has high failures");
    for (name, want) in [
        ("critical", critical.as_str()),
        ("high", high.as_str()),
        ("medium", medium.as_str()),
        ("low", low.as_str()),
        ("info", info.as_str()),
        ("not-assessed", not_assessed.as_str()),
        ("exit-code", "1"),
        ("upload", "false"),
    ] {
        assert_eq!(outputs[name], want, "output {name}: {outputs:?}");
    }
    assert!(text(&out).contains("::warning::alertpath: SARIF not uploaded"));
    let sarif = runner.path("work").join(&outputs["sarif-file"]);
    let sarif_text = std::fs::read_to_string(&sarif).unwrap();
    assert!(
        sarif_text.contains("alertpath/org/test"),
        "category reaches SARIF"
    );
    assert!(runner.path("work").join(&outputs["json-file"]).exists());

    let summary = runner.run(
        "summary",
        &[
            ("ALERTPATH_MARKDOWN", outputs["markdown-file"].as_str()),
            ("ALERTPATH_UPLOAD_NOTE", outputs["upload-note"].as_str()),
        ],
    );
    assert!(summary.status.success(), "{}", text(&summary));
    let written = std::fs::read_to_string(runner.path("summary.md")).unwrap();
    assert!(written.starts_with("> [!WARNING]"), "{written}");
    assert!(written.contains("GD002"), "{written}");

    // With the previous SARIF as baseline, the partial scan may be uploaded.
    let baseline = runner.path("previous.sarif");
    std::fs::copy(&sarif, &baseline).unwrap();
    let mut with_baseline = env.to_vec();
    let baseline_text = baseline.display().to_string();
    with_baseline.push(("INPUT_BASELINE", baseline_text.as_str()));
    let out = runner.run("scan", &with_baseline);
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(runner.outputs()["upload"], "true");

    // fail-on is enforced after the upload, with the scan's exit code.
    let enforce = runner.run("enforce", &[("ALERTPATH_EXIT_CODE", "1")]);
    assert_eq!(enforce.status.code(), Some(1), "{}", text(&enforce));
}

#[test]
fn healthy_org_uploads_and_passes() {
    let runner = Runner::new(false);
    let binary = runner.download();
    let snapshot = format!("--snapshot {}", fixture("healthy-org.json").display());
    let out = runner.run(
        "scan",
        &[("ALERTPATH_BIN", &binary), ("INPUT_ARGS", &snapshot)],
    );
    assert!(out.status.success(), "{}", text(&out));
    let outputs = runner.outputs();
    assert_eq!(outputs["exit-code"], "0", "{outputs:?}");
    assert_eq!(outputs["upload"], "true");
    let enforce = runner.run("enforce", &[("ALERTPATH_EXIT_CODE", "0")]);
    assert_eq!(enforce.status.code(), Some(0));
}

#[test]
fn an_error_never_uploads() {
    let runner = Runner::new(false);
    let binary = runner.download();
    let missing = format!("--snapshot {}", runner.path("missing.json").display());
    let out = runner.run(
        "scan",
        &[("ALERTPATH_BIN", &binary), ("INPUT_ARGS", &missing)],
    );
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    let outputs = runner.outputs();
    assert_eq!(outputs["exit-code"], "2");
    assert_eq!(outputs["upload"], "false");
    let enforce = runner.run("enforce", &[("ALERTPATH_EXIT_CODE", "2")]);
    assert_eq!(enforce.status.code(), Some(2));
}

#[test]
fn plan_mode_needs_a_plan() {
    let runner = Runner::new(false);
    let binary = runner.download();
    let out = runner.run(
        "scan",
        &[("ALERTPATH_BIN", &binary), ("INPUT_MODE", "plan")],
    );
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(text(&out).contains("needs --plan"));
}

// ---------------------------------------------------------------------------
// Issue 21: baselines, carry-over, permissions, the unsupported runner and the
// attestation's signer. Helpers first.
// ---------------------------------------------------------------------------

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::os::unix::fs::PermissionsExt;
use std::sync::{Arc, Mutex};

use alertpath::inventory::Origin;
use alertpath::outcome::Subject;
use alertpath::outcome::fingerprint;
use serde_json::{Value, json};

const REPO: &str = "acme/security-scans";
const WORKFLOW: &str = ".github/workflows/alertpath-nightly.yml";
const CATEGORY: &str = "alertpath/org/production";
const ARTIFACT: &str = "alertpath-baseline-alertpath_org_production";
const TOKEN: &str = "ghs_test_token_not_a_secret";

/// One canned answer of the fake GitHub API: status, body, and an optional
/// redirect (the artifact zip endpoint answers 302 to blob storage).
#[derive(Clone)]
struct Answer {
    status: u16,
    body: Vec<u8>,
    location: Option<String>,
}

fn answer(status: u16, body: &Value) -> Answer {
    Answer {
        status,
        body: body.to_string().into_bytes(),
        location: None,
    }
}

/// A local HTTP server standing in for api.github.com: answers by path (the
/// query is ignored), records each request line and whether it carried the token.
struct FakeGitHub {
    url: String,
    routes: Arc<Mutex<BTreeMap<String, Answer>>>,
    requests: Arc<Mutex<Vec<(String, bool)>>>,
}

impl FakeGitHub {
    fn start() -> FakeGitHub {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let routes: Arc<Mutex<BTreeMap<String, Answer>>> = Arc::default();
        let requests: Arc<Mutex<Vec<(String, bool)>>> = Arc::default();
        let (r, q) = (routes.clone(), requests.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut first = String::new();
                if reader.read_line(&mut first).is_err() {
                    continue;
                }
                let mut authorized = false;
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                        break;
                    }
                    if line.to_ascii_lowercase().starts_with("authorization:") {
                        authorized = line.trim_end().ends_with(&format!("Bearer {TOKEN}"));
                    }
                }
                let target = first.split_whitespace().nth(1).unwrap_or("/").to_string();
                let path = target.split('?').next().unwrap_or("/").to_string();
                q.lock().unwrap().push((target, authorized));
                let found = r.lock().unwrap().get(&path).cloned();
                let reply = found.unwrap_or_else(|| answer(404, &json!({"message": "Not Found"})));
                let mut head = format!(
                    "HTTP/1.1 {} X\r\nContent-Length: {}\r\nConnection: close\r\n",
                    reply.status,
                    reply.body.len()
                );
                if let Some(location) = &reply.location {
                    head.push_str(&format!("Location: {location}\r\n"));
                }
                head.push_str("\r\n");
                let _ = stream.write_all(head.as_bytes());
                let _ = stream.write_all(&reply.body);
            }
        });
        FakeGitHub {
            url,
            routes,
            requests,
        }
    }

    fn route(&self, path: &str, reply: Answer) {
        self.routes.lock().unwrap().insert(path.to_string(), reply);
    }

    fn requests(&self) -> Vec<(String, bool)> {
        self.requests.lock().unwrap().clone()
    }

    /// The environment of a scheduled run of the nightly workflow on main.
    fn env(&self) -> Vec<(&'static str, String)> {
        vec![
            ("GITHUB_API_URL", self.url.clone()),
            ("GITHUB_REPOSITORY", REPO.to_string()),
            ("GITHUB_REF", "refs/heads/main".to_string()),
            ("GITHUB_REF_NAME", "main".to_string()),
            (
                "GITHUB_WORKFLOW_REF",
                format!("{REPO}/{WORKFLOW}@refs/heads/main"),
            ),
            ("GITHUB_RUN_ID", "9000".to_string()),
            ("GH_TOKEN", TOKEN.to_string()),
            ("INPUT_CATEGORY", CATEGORY.to_string()),
        ]
    }
}

fn with<'a>(
    base: &'a [(&'static str, String)],
    extra: &[(&'static str, &'a str)],
) -> Vec<(&'a str, &'a str)> {
    let mut env: Vec<(&str, &str)> = base.iter().map(|(k, v)| (*k, v.as_str())).collect();
    env.extend(extra.iter().copied());
    env
}

/// The example organization with edits: what changed since the last night.
fn snapshot_with(dir: &Path, name: &str, edit: impl FnOnce(&mut Value)) -> PathBuf {
    let mut value: Value =
        serde_json::from_str(&std::fs::read_to_string(fixture("example-org.json")).unwrap())
            .unwrap();
    edit(&mut value);
    let path = dir.join(name);
    std::fs::write(&path, value.to_string()).unwrap();
    path
}

/// An account whose audit role could not be assumed (SCAN001).
fn lock_account(snapshot: &mut Value, account: &str) {
    snapshot["accounts"][account]["access"] = json!({"gap": {
        "reason": "access_denied",
        "message": format!("arn:aws:iam::{account}:role/alertpath-audit could not be assumed: AccessDenied"),
        "call": "sts:AssumeRole"}});
    snapshot["accounts"][account]["regions"] = json!({});
}

/// The management account's view was not collected (no --management-role).
fn drop_management_view(snapshot: &mut Value) {
    snapshot["organization"]["management_view"] = json!({"gap": {
        "reason": "access_denied", "message": "no management role given",
        "call": "organizations:ListDelegatedAdministrators"}});
}

/// The binary's own report of a snapshot, in one format.
fn report_of(snapshot: &Path, format: &str) -> Value {
    let out = Command::new(env!("CARGO_BIN_EXE_alertpath"))
        .args([
            "scan",
            "--quiet",
            "--exit-zero",
            "--sarif-category",
            CATEGORY,
            "--format",
            format,
            "--snapshot",
        ])
        .arg(snapshot)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    serde_json::from_slice(&out.stdout).unwrap()
}

/// A result as alertpath writes it, for a subject.
fn previous_result(rule: &str, subject: &Subject, uri: &str) -> Value {
    let mut properties = json!({"status": "fail", "severity": "high"});
    if let Some(account) = &subject.account {
        properties["account"] = json!(account);
    }
    if let Some(region) = &subject.region {
        properties["region"] = json!(region);
    }
    json!({
        "ruleId": rule,
        "level": "error",
        "message": {"text": format!("{rule} failed last night")},
        "locations": [{"physicalLocation": {"artifactLocation": {"uri": uri, "uriBaseId": "%SRCROOT%"}, "region": {"startLine": 1}}}],
        "partialFingerprints": {"primaryLocationLineHash": fingerprint(rule, subject)},
        "properties": properties,
    })
}

fn sarif_log(results: Vec<Value>) -> Value {
    json!({
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "alertpath", "rules": []}},
            "automationDetails": {"id": format!("{CATEGORY}/")},
            "results": results,
        }]
    })
}

fn resource(account: &str, region: &str, kind: &str, name: &str) -> Subject {
    Subject::resource(
        account,
        region,
        kind.parse().unwrap(),
        name,
        &Origin::default(),
    )
}

fn results_of(sarif: &Value) -> &Vec<Value> {
    sarif["runs"][0]["results"].as_array().unwrap()
}

fn hashes(results: &[Value]) -> BTreeSet<String> {
    results
        .iter()
        .filter_map(|r| r["partialFingerprints"]["primaryLocationLineHash"].as_str())
        .map(str::to_string)
        .collect()
}

fn carried(sarif: &Value) -> BTreeSet<String> {
    let results: Vec<Value> = results_of(sarif)
        .iter()
        .filter(|r| r["properties"]["carriedOver"] == true)
        .cloned()
        .collect();
    hashes(&results)
}

/// Runs the Action's scan step on a snapshot with a baseline file.
fn action_scan(
    runner: &Runner,
    binary: &str,
    snapshot: &Path,
    baseline: Option<&Path>,
) -> (Output, BTreeMap<String, String>, Value) {
    let _ = std::fs::remove_file(runner.path("output"));
    let args = format!("--snapshot {}", snapshot.display());
    let baseline = baseline
        .map(|b| b.display().to_string())
        .unwrap_or_default();
    let out = runner.run(
        "scan",
        &[
            ("ALERTPATH_BIN", binary),
            ("INPUT_ARGS", &args),
            ("INPUT_CATEGORY", CATEGORY),
            ("INPUT_BASELINE", &baseline),
        ],
    );
    let outputs = runner.outputs();
    let sarif = std::fs::read_to_string(runner.path("work").join(&outputs["sarif-file"]))
        .map(|t| serde_json::from_str(&t).unwrap())
        .unwrap_or(Value::Null);
    (out, outputs, sarif)
}

use std::collections::BTreeSet;

#[test]
fn an_unsupported_runner_is_named_in_the_error() {
    let runner = Runner::new(false);
    for (os, arch, named) in [("Windows", "X64", "Windows"), ("Linux", "ARM", "ARM")] {
        let out = runner.run(
            "download",
            &[
                ("RUNNER_OS", os),
                ("RUNNER_ARCH", arch),
                ("ALERTPATH_SKIP_ATTESTATION", "1"),
            ],
        );
        assert_eq!(out.status.code(), Some(1), "{}", text(&out));
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            stdout.contains("::error::alertpath: no release binary for") && stdout.contains(named),
            "the runner gets a message naming {named}: {}",
            text(&out)
        );
    }
}

#[test]
fn the_attestation_must_come_from_the_release_workflow_for_the_tag() {
    let runner = Runner::new(false);
    let bin = runner.path("fake-gh");
    std::fs::create_dir_all(&bin).unwrap();
    let log = runner.path("gh-args");
    // A stand-in for the GitHub CLI that records its arguments and accepts.
    let script = format!(
        "#!/usr/bin/env bash\nprintf '%s\\n' \"$@\" > '{}'\nexit \"${{FAKE_GH_EXIT:-0}}\"\n",
        log.display()
    );
    std::fs::write(bin.join("gh"), script).unwrap();
    std::fs::set_permissions(bin.join("gh"), std::fs::Permissions::from_mode(0o755)).unwrap();
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let env = [
        ("PATH", path.as_str()),
        ("ALERTPATH_REPO", "alertpath/alertpath"),
        ("GH_TOKEN", "x"),
    ];
    let out = runner.run("download", &env);
    assert!(out.status.success(), "{}", text(&out));
    let args: Vec<String> = std::fs::read_to_string(&log)
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect();
    let asset = runner.path("bin").join(format!(
        "alertpath-{VERSION}-x86_64-unknown-linux-musl.tar.gz"
    ));
    let want = [
        "attestation",
        "verify",
        asset.to_str().unwrap(),
        "--repo",
        "alertpath/alertpath",
        "--signer-workflow",
        "alertpath/alertpath/.github/workflows/release.yml",
        "--source-ref",
        "refs/tags/v0.1.0",
        "--deny-self-hosted-runners",
    ];
    assert_eq!(args, want);

    // A failed verification stops the download.
    let mut failing = env.to_vec();
    failing.push(("FAKE_GH_EXIT", "1"));
    let _ = std::fs::remove_file(runner.path("output"));
    let out = runner.run("download", &failing);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(
        text(&out).contains("release.yml for refs/tags/v0.1.0"),
        "{}",
        text(&out)
    );
    assert!(!runner.outputs().contains_key("binary"));
}

/// The code-scanning API's export of an analysis: no partialFingerprints, and
/// `properties` holding only GitHub's keys, as an array or an object.
fn api_shaped(results: Vec<(&str, &str)>, array: bool) -> Value {
    let results: Vec<Value> = results
        .into_iter()
        .enumerate()
        .map(|(i, (rule, uri))| {
            let properties = if array {
                json!([{"github/alertNumber": i + 1}, {"github/alertUrl": format!("https://api.github.com/repos/{REPO}/code-scanning/alerts/{}", i + 1)}])
            } else {
                json!({"github/alertNumber": i + 1, "github/alertUrl": format!("https://api.github.com/repos/{REPO}/code-scanning/alerts/{}", i + 1)})
            };
            json!({
                "ruleId": rule,
                "rule": {"id": rule},
                "message": {"text": format!("{rule} at {uri}")},
                "locations": [{"physicalLocation": {"artifactLocation": {"uri": uri, "index": 0}}}],
                "properties": properties,
            })
        })
        .collect();
    json!({"$schema": "https://json.schemastore.org/sarif-2.1.0.json", "version": "2.1.0", "runs": [{
        "tool": {"driver": {"name": "alertpath", "semanticVersion": "0.1.0"}},
        "results": results,
    }]})
}

#[test]
fn an_api_shaped_baseline_is_placed_by_its_uri_or_refused() {
    let runner = Runner::new(false);
    let binary = runner.download();
    let example = fixture("example-org.json");
    // Account 100000000005 cannot be read: its region and resource results are
    // placed by their aws/ URI and carried with alertpath's own fingerprints.
    let carried_subjects = [
        (
            "GD001",
            Subject::region("100000000005", "us-east-1"),
            "aws/100000000005/us-east-1",
        ),
        (
            "GD002",
            resource(
                "100000000005",
                "eu-west-1",
                "guardduty-detector",
                "d0005euwest1",
            ),
            "aws/100000000005/eu-west-1/guardduty-detector/d0005euwest1",
        ),
    ];
    for array in [true, false] {
        let mut rows: Vec<(&str, &str)> =
            carried_subjects.iter().map(|(r, _, u)| (*r, *u)).collect();
        rows.push(("GD001", "aws/100000000003/eu-west-1")); // assessed now: not carried
        let baseline = runner.path("api.sarif");
        std::fs::write(&baseline, api_shaped(rows, array).to_string()).unwrap();
        let (out, outputs, sarif) = action_scan(&runner, &binary, &example, Some(&baseline));
        assert!(out.status.success(), "{}", text(&out));
        let want: BTreeSet<String> = carried_subjects
            .iter()
            .map(|(rule, subject, _)| fingerprint(rule, subject))
            .collect();
        assert_eq!(carried(&sarif), want, "array properties: {array}");
        for result in results_of(&sarif) {
            let location = &result["locations"][0]["physicalLocation"];
            assert!(
                location["region"]["startLine"].as_u64() >= Some(1),
                "{result}"
            );
        }
        assert_eq!(outputs["carried-over"], "2");
        assert_eq!(outputs["upload"], "true", "{outputs:?}");
        assert!(outputs["carry-note"].contains("2 alert(s) of the previous run were carried over"));

        // A result of the unread account whose fingerprint cannot be derived (an
        // ARN became a path segment) would close its alert: no upload, and why.
        let mut rows: Vec<(&str, &str)> =
            carried_subjects.iter().map(|(r, _, u)| (*r, *u)).collect();
        rows.push(("GD004", "aws/100000000005/eu-west-1/guardduty-organization-configuration/arn_aws_guardduty_eu-west-1_100000000005_detector_x"));
        std::fs::write(&baseline, api_shaped(rows, array).to_string()).unwrap();
        let (out, outputs, _) = action_scan(&runner, &binary, &example, Some(&baseline));
        assert!(out.status.success(), "{}", text(&out));
        assert_eq!(outputs["upload"], "false", "{outputs:?}");
        assert!(
            outputs["upload-note"].contains("not covered by the baseline"),
            "{outputs:?}"
        );
        assert!(outputs["upload-note"].contains("GD004"), "{outputs:?}");
    }

    // Results with none of alertpath's keys (no fingerprint, no alertpath
    // properties, Terraform paths) are refused, never used.
    let baseline = runner.path("foreign.sarif");
    std::fs::write(
        &baseline,
        api_shaped(vec![("GD001", "infra/guardduty/main.tf")], true).to_string(),
    )
    .unwrap();
    let (out, outputs, _) = action_scan(&runner, &binary, &example, Some(&baseline));
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        text(&out).contains("none of its 1 results carries alertpath's keys"),
        "{}",
        text(&out)
    );
    assert_eq!(outputs["upload"], "false");
}

#[test]
fn every_kind_of_not_assessed_outcome_keeps_its_previous_alert() {
    let runner = Runner::new(false);
    let binary = runner.download();
    let dir = runner.path("snapshots");
    std::fs::create_dir_all(&dir).unwrap();
    let management = "100000000001";
    // (why it is not assessed tonight, tonight's snapshot, last night's result)
    let cases: Vec<(&str, PathBuf, &str, Subject, &str)> = vec![
        (
            "SCAN001: the account's role cannot be assumed",
            snapshot_with(&dir, "locked.json", |s| lock_account(s, "100000000003")),
            "GD001",
            Subject::region("100000000003", "eu-west-1"),
            "aws/100000000003/eu-west-1",
        ),
        (
            "SCAN002: a region timed out (the example's eu-west-1 of 100000000004)",
            fixture("example-org.json"),
            "GD002",
            resource(
                "100000000004",
                "eu-west-1",
                "guardduty-detector",
                "d0004euwest1",
            ),
            "aws/100000000004/eu-west-1/guardduty-detector/d0004euwest1",
        ),
        (
            "SCAN003: a denied call (ssm:DescribeParameters in 100000000003)",
            fixture("example-org.json"),
            "SEC001",
            resource(
                "100000000003",
                "us-east-1",
                "ssm-parameter",
                "pagerduty-integration-key",
            ),
            "aws/100000000003/us-east-1/ssm-parameter/pagerduty-integration-key",
        ),
        (
            "ROOT002 at account level: another region timed out",
            fixture("example-org.json"),
            "ROOT002",
            Subject::region("100000000004", "us-east-1"),
            "aws/100000000004/us-east-1",
        ),
        (
            "ROOT003 at account level: a region could not be judged",
            fixture("example-org.json"),
            "ROOT003",
            Subject::account("100000000004"),
            "aws/100000000004",
        ),
        (
            "ORG rules without the management role",
            snapshot_with(&dir, "no-management.json", drop_management_view),
            "ORG002",
            Subject::account(management),
            "aws/100000000001",
        ),
        (
            "GuardDuty admin unknown (no management view, admin account unreadable)",
            snapshot_with(&dir, "admin-unknown.json", |s| {
                drop_management_view(s);
                lock_account(s, "100000000002");
            }),
            "EVT001",
            Subject::region("100000000002", "us-east-1"),
            "aws/100000000002/us-east-1",
        ),
    ];
    let (mut missed, mut not_uploaded) = (Vec::new(), Vec::new());
    for (why, snapshot, rule, subject, uri) in cases {
        let report = report_of(&snapshot, "json");
        let not_assessed = report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["rule"] == rule && f["status"] == "not_assessed");
        assert!(not_assessed, "{why}: {rule} must be not assessed tonight");
        // An assessed result of the same rule is never carried, and an
        // unrelated not-assessed outcome gets nothing invented.
        let baseline = runner.path("previous.sarif");
        std::fs::write(
            &baseline,
            sarif_log(vec![previous_result(rule, &subject, uri)]).to_string(),
        )
        .unwrap();
        let (out, outputs, sarif) = action_scan(&runner, &binary, &snapshot, Some(&baseline));
        assert!(out.status.success(), "{why}: {}", text(&out));
        if carried(&sarif) != BTreeSet::from([fingerprint(rule, &subject)]) {
            missed.push(why);
            continue;
        }
        if outputs["carried-over"] != "1" || outputs["upload"] != "true" {
            not_uploaded.push((why, outputs));
        }
    }
    assert!(missed.is_empty(), "not carried over: {missed:#?}");
    assert!(
        not_uploaded.is_empty(),
        "carried but not uploaded: {not_uploaded:#?}"
    );
}

#[test]
fn no_alert_closes_without_a_fresh_verdict_and_nothing_is_invented() {
    let runner = Runner::new(false);
    let binary = runner.download();
    let dir = runner.path("snapshots");
    std::fs::create_dir_all(&dir).unwrap();
    // Last night: the example organization, uploaded. Tonight: no management
    // view and the GuardDuty admin account unreadable as well.
    let last_night = runner.path("last-night.sarif");
    std::fs::write(
        &last_night,
        report_of(&fixture("example-org.json"), "sarif").to_string(),
    )
    .unwrap();
    let previous: Value =
        serde_json::from_str(&std::fs::read_to_string(&last_night).unwrap()).unwrap();
    let tonight = snapshot_with(&dir, "tonight.json", |s| {
        drop_management_view(s);
        lock_account(s, "100000000002");
    });
    let (out, outputs, sarif) = action_scan(&runner, &binary, &tonight, Some(&last_night));
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(outputs["upload"], "true", "{outputs:?}");
    let report = report_of(&tonight, "json");
    let fresh: BTreeSet<String> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["status"] != "not_assessed")
        .map(|f| f["fingerprint"].as_str().unwrap().to_string())
        .collect();
    let uploaded = hashes(results_of(&sarif));
    let carried = carried(&sarif);
    let closing: Vec<String> = hashes(results_of(&previous))
        .into_iter()
        .filter(|hash| !fresh.contains(hash) && !uploaded.contains(hash))
        .collect();
    assert!(
        closing.is_empty(),
        "last night's alerts without a verdict tonight would close: {closing:?}"
    );
    assert!(!carried.is_empty());
    assert!(
        carried.is_subset(&hashes(results_of(&previous))),
        "nothing invented"
    );
    assert!(
        carried.is_disjoint(&fresh),
        "a fresh verdict is never overridden"
    );
    assert_eq!(outputs["carried-over"], carried.len().to_string());
}

#[test]
fn a_matrix_job_without_a_category_is_refused() {
    let runner = Runner::new(false);
    let binary = runner.download();
    let snapshot = format!("--snapshot {}", fixture("healthy-org.json").display());
    let env = [
        ("ALERTPATH_BIN", binary.as_str()),
        ("INPUT_ARGS", snapshot.as_str()),
        ("ALERTPATH_JOB_TOTAL", "2"),
    ];
    let out = runner.run("scan", &env);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        text(&out).contains("set the category input, one per job"),
        "{}",
        text(&out)
    );
    assert_eq!(runner.outputs()["upload"], "false");
    let mut with_category = env.to_vec();
    with_category.push(("INPUT_CATEGORY", "alertpath/org/production/"));
    let out = runner.run("scan", &with_category);
    assert!(out.status.success(), "{}", text(&out));
    let sarif: Value = serde_json::from_str(
        &std::fs::read_to_string(runner.path("work").join(&runner.outputs()["sarif-file"]))
            .unwrap(),
    )
    .unwrap();
    assert_eq!(
        sarif["runs"][0]["automationDetails"]["id"],
        "alertpath/org/production/"
    );
}

/// The Action's scan step after its baseline step, in the nightly environment:
/// succeeds, and returns the step's outputs.
fn nightly_scan(
    runner: &Runner,
    env: &[(&'static str, String)],
    binary: &str,
    snapshot: &Path,
    state: &str,
    baseline: &str,
) -> BTreeMap<String, String> {
    let args = format!("--snapshot {}", snapshot.display());
    let out = runner.run(
        "scan",
        &with(
            env,
            &[
                ("ALERTPATH_BIN", binary),
                ("INPUT_ARGS", &args),
                ("INPUT_BASELINE", baseline),
                ("ALERTPATH_BASELINE_STATE", state),
            ],
        ),
    );
    assert!(out.status.success(), "{}", text(&out));
    runner.outputs()
}

fn artifact(id: u64, run: u64, branch: &str, fork: bool, expired: bool, created: &str) -> Value {
    json!({
        "id": id, "name": ARTIFACT, "expired": expired, "created_at": created,
        "archive_download_url": format!("https://api.github.com/repos/{REPO}/actions/artifacts/{id}/zip"),
        "workflow_run": {"id": run, "repository_id": 1, "head_repository_id": if fork { 2 } else { 1 },
                          "head_branch": branch, "head_sha": "0".repeat(40)}
    })
}

#[test]
fn the_nightly_baseline_travels_through_a_workflow_artifact() {
    let runner = Runner::new(false);
    let binary = runner.download();
    let github = FakeGitHub::start();
    let env = github.env();
    let dir = runner.path("snapshots");
    std::fs::create_dir_all(&dir).unwrap();

    // Night 1: no artifact, no analysis in code scanning: a first run, which
    // may upload although account 100000000005 is not assessed.
    github.route(
        &format!("/repos/{REPO}/actions/artifacts"),
        answer(200, &json!({"total_count": 0, "artifacts": []})),
    );
    github.route(
        &format!("/repos/{REPO}/code-scanning/analyses"),
        answer(404, &json!({"message": "no analysis found"})),
    );
    let out = runner.run("baseline", &with(&env, &[]));
    assert!(out.status.success(), "{}", text(&out));
    let outputs = runner.outputs();
    assert_eq!(outputs["state"], "first-run", "{outputs:?}");
    assert!(!outputs.contains_key("path"));
    let example = fixture("example-org.json");
    let night1 = nightly_scan(&runner, &env, &binary, &example, "first-run", "");
    assert_eq!(night1["upload"], "true", "{night1:?}");
    assert!(night1["carry-note"].starts_with("First run"), "{night1:?}");
    assert_eq!(night1["artifact-name"], ARTIFACT);
    let keep = PathBuf::from(&night1["keep-dir"]);
    let kept: Value =
        serde_json::from_str(&std::fs::read_to_string(keep.join("alertpath.sarif")).unwrap())
            .unwrap();
    assert!(keep.join("alertpath.json").exists());

    // upload-artifact zips the kept directory; the next night finds it.
    let zip = runner.path("artifact.zip");
    let status = Command::new("zip")
        .arg("-q")
        .arg("-j")
        .arg(&zip)
        .arg(keep.join("alertpath.sarif"))
        .arg(keep.join("alertpath.json"))
        .status()
        .unwrap();
    assert!(status.success());
    let artifacts = json!({"total_count": 5, "artifacts": [
        artifact(11, 101, "main", false, false, "2026-12-04T03:20:00Z"),
        artifact(12, 102, "main", true, false, "2026-12-04T05:00:00Z"),   // from a fork
        artifact(13, 103, "feature", false, false, "2026-12-04T06:00:00Z"), // another branch
        artifact(14, 104, "main", false, true, "2026-12-04T07:00:00Z"),   // expired
        artifact(15, 105, "main", false, false, "2026-12-04T08:00:00Z"),  // another workflow
    ]});
    github.route(
        &format!("/repos/{REPO}/actions/artifacts"),
        answer(200, &artifacts),
    );
    github.route(
        &format!("/repos/{REPO}/actions/runs/101"),
        answer(200, &json!({"id": 101, "path": format!("{WORKFLOW}@main")})),
    );
    github.route(
        &format!("/repos/{REPO}/actions/runs/105"),
        answer(
            200,
            &json!({"id": 105, "path": ".github/workflows/other.yml"}),
        ),
    );
    github.route(
        &format!("/repos/{REPO}/actions/artifacts/11/zip"),
        Answer {
            status: 302,
            body: Vec::new(),
            location: Some(format!("{}/blob/11.zip", github.url)),
        },
    );
    github.route(
        "/blob/11.zip",
        Answer {
            status: 200,
            body: std::fs::read(&zip).unwrap(),
            location: None,
        },
    );

    // Night 2: account 100000000003 cannot be read either.
    let _ = std::fs::remove_file(runner.path("output"));
    let out = runner.run("baseline", &with(&env, &[]));
    assert!(out.status.success(), "{}", text(&out));
    let outputs = runner.outputs();
    assert_eq!(outputs["state"], "found", "{outputs:?}");
    let baseline = outputs["path"].clone();
    let fetched: Value =
        serde_json::from_str(&std::fs::read_to_string(&baseline).unwrap()).unwrap();
    assert_eq!(fetched, kept, "the baseline is night 1's SARIF");
    let requests = github.requests();
    assert!(
        requests
            .iter()
            .filter(|(t, _)| t.starts_with("/repos/"))
            .all(|(_, authorized)| *authorized),
        "every API call carries the token: {requests:?}"
    );
    assert!(
        requests
            .iter()
            .any(|(t, _)| t.contains(&format!("name={ARTIFACT}"))),
        "{requests:?}"
    );

    let tonight = snapshot_with(&dir, "tonight.json", |s| lock_account(s, "100000000003"));
    let night2 = nightly_scan(&runner, &env, &binary, &tonight, "found", &baseline);
    assert_eq!(night2["upload"], "true", "{night2:?}");
    let sarif: Value = serde_json::from_str(
        &std::fs::read_to_string(runner.path("work").join(&night2["sarif-file"])).unwrap(),
    )
    .unwrap();
    let of_account: BTreeSet<String> = hashes(
        &results_of(&kept)
            .iter()
            .filter(|r| r["properties"]["account"] == "100000000003")
            .cloned()
            .collect::<Vec<_>>(),
    );
    assert!(!of_account.is_empty());
    assert_eq!(
        carried(&sarif),
        of_account,
        "night 1's alerts of the unread account are carried"
    );
    assert_eq!(night2["carried-over"], of_account.len().to_string());

    // The job summary says so.
    let summary = runner.run(
        "summary",
        &[
            ("ALERTPATH_MARKDOWN", night2["markdown-file"].as_str()),
            ("ALERTPATH_CARRY_NOTE", night2["carry-note"].as_str()),
        ],
    );
    assert!(summary.status.success(), "{}", text(&summary));
    let written = std::fs::read_to_string(runner.path("summary.md")).unwrap();
    assert!(
        written.contains(&format!(
            "{} alert(s) of the previous run were carried over",
            of_account.len()
        )),
        "{written}"
    );
}

#[test]
fn a_forbidden_artifact_list_fails_the_step_instead_of_looking_like_a_first_run() {
    let runner = Runner::new(false);
    let github = FakeGitHub::start();
    github.route(
        &format!("/repos/{REPO}/actions/artifacts"),
        answer(
            403,
            &json!({"message": "Resource not accessible by integration"}),
        ),
    );
    let out = runner.run("baseline", &with(&github.env(), &[]));
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(text(&out).contains("HTTP 403"), "{}", text(&out));
    assert!(text(&out).contains("'actions: read'"), "{}", text(&out));
    assert!(!runner.outputs().contains_key("state"));
}

#[test]
fn a_lost_baseline_is_not_a_first_run() {
    let runner = Runner::new(false);
    let binary = runner.download();
    let github = FakeGitHub::start();
    github.route(
        &format!("/repos/{REPO}/actions/artifacts"),
        answer(200, &json!({"total_count": 0, "artifacts": []})),
    );
    // GitHub writes categories with a trailing slash.
    github.route(
        &format!("/repos/{REPO}/code-scanning/analyses"),
        answer(
            200,
            &json!([{"id": 7, "category": format!("{CATEGORY}/"), "tool": {"name": "alertpath"}}]),
        ),
    );
    let env = github.env();
    let out = runner.run("baseline", &with(&env, &[]));
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(runner.outputs()["state"], "missing");
    assert!(
        text(&out).contains("expired or was deleted"),
        "{}",
        text(&out)
    );
    let example = fixture("example-org.json");
    let outputs = nightly_scan(&runner, &env, &binary, &example, "missing", "");
    assert_eq!(outputs["upload"], "false", "{outputs:?}");
    assert!(
        outputs["upload-note"].contains("baseline artifact was not found"),
        "{outputs:?}"
    );

    // Another category's analyses do not make this one's first run a lost baseline.
    github.route(
        &format!("/repos/{REPO}/code-scanning/analyses"),
        answer(200, &json!([{"id": 7, "category": "alertpath/org/sandbox/", "tool": {"name": "alertpath"}}])),
    );
    let out = runner.run("baseline", &with(&env, &[]));
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(runner.outputs()["state"], "first-run");
}

#[test]
fn a_failed_upload_names_the_missing_permission() {
    let runner = Runner::new(false);
    let github = FakeGitHub::start();
    let env = github.env();
    github.route(
        &format!("/repos/{REPO}/actions/runs/9000"),
        answer(
            403,
            &json!({"message": "Resource not accessible by integration"}),
        ),
    );
    let out = runner.run("upload-failed", &with(&env, &[]));
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("Add 'actions: read'"), "{}", text(&out));

    github.route(
        &format!("/repos/{REPO}/actions/runs/9000"),
        answer(200, &json!({"id": 9000})),
    );
    github.route(
        &format!("/repos/{REPO}/code-scanning/analyses"),
        answer(
            403,
            &json!({"message": "Resource not accessible by integration"}),
        ),
    );
    let out = runner.run("upload-failed", &with(&env, &[]));
    assert!(
        text(&out).contains("Add 'security-events: write'"),
        "{}",
        text(&out)
    );

    github.route(
        &format!("/repos/{REPO}/code-scanning/analyses"),
        answer(
            403,
            &json!({"message": "Code scanning is not enabled for this repository"}),
        ),
    );
    let out = runner.run("upload-failed", &with(&env, &[]));
    assert!(
        text(&out).contains("code scanning is not enabled"),
        "{}",
        text(&out)
    );
}

#[test]
fn more_results_than_code_scanning_shows_are_warned_about() {
    let runner = Runner::new(false);
    let binary = runner.download();
    // 310 accounts × 17 regions that all timed out: one SCAN002 result each.
    let regions = [
        "us-east-1",
        "us-east-2",
        "us-west-1",
        "us-west-2",
        "eu-west-1",
        "eu-west-2",
        "eu-west-3",
        "eu-central-1",
        "eu-north-1",
        "ap-south-1",
        "ap-northeast-1",
        "ap-northeast-2",
        "ap-northeast-3",
        "ap-southeast-1",
        "ap-southeast-2",
        "ca-central-1",
        "sa-east-1",
    ];
    let dir = runner.path("snapshots");
    std::fs::create_dir_all(&dir).unwrap();
    let snapshot = snapshot_with(&dir, "wide.json", |s| {
        let gap = json!({"enabled": {"gap": {"reason": "timeout", "message": "timed out", "call": "guardduty:ListDetectors"}}});
        let mut accounts = serde_json::Map::new();
        for i in 0..310u64 {
            let regions: serde_json::Map<String, Value> = regions
                .iter()
                .map(|r| (r.to_string(), gap.clone()))
                .collect();
            accounts.insert(
                (200_000_000_000 + i).to_string(),
                json!({"name": format!("a{i}"), "access": {"collected": "caller"}, "regions": regions}),
            );
        }
        s["accounts"] = Value::Object(accounts);
        s["organization"] = Value::Null;
    });
    let (out, outputs, sarif) = action_scan(&runner, &binary, &snapshot, None);
    assert!(out.status.success(), "{}", text(&out));
    let results = results_of(&sarif).len();
    assert!(results > 5_000, "{results}");
    assert_eq!(
        sarif["runs"][0]["properties"]["overShownLimit"],
        json!(results - 5_000)
    );
    assert!(
        text(&out).contains(&format!("so {} will not appear as alerts", results - 5_000)),
        "{}",
        text(&out)
    );
    assert_eq!(
        outputs["upload"], "false",
        "partial, no baseline: {outputs:?}"
    );
}
