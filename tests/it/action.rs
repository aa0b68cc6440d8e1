//! Runs the GitHub Action's shell steps (`action/run.sh`) locally against a fake
//! release directory built from the real binary: download with checksum
//! verification (good and tampered), scan, summary, outputs and enforcement.
//! Needs bash, curl, tar, sha256sum (or shasum) and jq, as the runners have.

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
