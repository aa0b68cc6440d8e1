//! The evidence pack: `scan --evidence` then `verify-evidence` round-trips, any
//! altered, missing or extra file fails naming it, and the re-run freezes the
//! clock at the scan's start so an expired-by-now waiver keeps its verdict.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use alertpath::config;
use alertpath::engine::{self, EngineOptions};
use alertpath::evidence::{self, PackInput};
use alertpath::outcome::Status;
use alertpath::report::RenderOptions;
use alertpath::source::snapshot;

fn bin() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_alertpath"));
    cmd.env("NO_COLOR", "1");
    cmd
}

fn example() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/snapshots/example-org.json")
}

fn code(out: &Output) -> i32 {
    out.status.code().expect("exited normally")
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn make_pack(dir: &Path) {
    let out = bin()
        .args(["scan", "--quiet", "--format", "json", "--output"])
        .arg(dir.with_extension("out.json"))
        .arg("--snapshot")
        .arg(example())
        .arg("--evidence")
        .arg(dir)
        .output()
        .expect("binary runs");
    assert_eq!(
        code(&out),
        1,
        "the example org has failures: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn verify(dir: &Path) -> Output {
    bin()
        .arg("verify-evidence")
        .arg(dir)
        .output()
        .expect("binary runs")
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
    }
}

#[test]
fn round_trip_verifies() {
    let tmp = tempfile::tempdir().unwrap();
    let pack = tmp.path().join("pack");
    make_pack(&pack);
    let mut names: Vec<String> = std::fs::read_dir(&pack)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "inventory.json",
            "manifest.json",
            "report.json",
            "report.md",
            "report.sarif"
        ]
    );
    // The snapshot is copied in byte for byte.
    assert_eq!(
        std::fs::read(pack.join("inventory.json")).unwrap(),
        std::fs::read(example()).unwrap()
    );
    let manifest = evidence::read_manifest(&pack).unwrap();
    assert_eq!(manifest.rule_catalog_sha256, evidence::rule_catalog_hash());
    assert_eq!(manifest.files.len(), 4);
    assert!(
        manifest.caller.is_some(),
        "the caller comes from the snapshot"
    );
    assert!(manifest.command_line.iter().any(|a| a == "--evidence"));
    let out = verify(&pack);
    assert_eq!(code(&out), 0, "{}", stdout(&out));
    assert!(stdout(&out).contains("VERIFIED"), "{}", stdout(&out));
}

#[test]
fn any_altered_missing_or_extra_file_fails_naming_it() {
    let tmp = tempfile::tempdir().unwrap();
    let pack = tmp.path().join("pack");
    make_pack(&pack);
    for name in ["inventory.json", "report.json", "report.md", "report.sarif"] {
        let altered = tmp.path().join(format!("altered-{name}"));
        copy_dir(&pack, &altered);
        let mut bytes = std::fs::read(altered.join(name)).unwrap();
        bytes.push(b' ');
        std::fs::write(altered.join(name), bytes).unwrap();
        let out = verify(&altered);
        assert_eq!(code(&out), 1, "{name}: {}", stdout(&out));
        assert!(
            stdout(&out).contains(&format!("{name}: altered")),
            "{}",
            stdout(&out)
        );

        let missing = tmp.path().join(format!("missing-{name}"));
        copy_dir(&pack, &missing);
        std::fs::remove_file(missing.join(name)).unwrap();
        let out = verify(&missing);
        assert_eq!(code(&out), 1, "{name}: {}", stdout(&out));
        assert!(stdout(&out).contains(&format!("{name}: missing")));
    }
    let extra = tmp.path().join("extra");
    copy_dir(&pack, &extra);
    std::fs::write(extra.join("notes.txt"), "hi").unwrap();
    let out = verify(&extra);
    assert_eq!(code(&out), 1);
    assert!(stdout(&out).contains("notes.txt: extra file"));
}

#[test]
fn changed_outcomes_fail_even_with_rewritten_hashes() {
    let tmp = tempfile::tempdir().unwrap();
    let pack = tmp.path().join("pack");
    make_pack(&pack);
    // Turn every failure into a pass, and fix the manifest's hash to match:
    // only the re-run catches it.
    let report = std::fs::read_to_string(pack.join("report.json")).unwrap();
    let doctored = report.replace("\"status\": \"fail\"", "\"status\": \"pass\"");
    assert_ne!(report, doctored);
    std::fs::write(pack.join("report.json"), &doctored).unwrap();
    let mut manifest = evidence::read_manifest(&pack).unwrap();
    manifest.files.insert(
        "report.json".to_string(),
        evidence::sha256_hex(doctored.as_bytes()),
    );
    std::fs::write(
        pack.join("manifest.json"),
        serde_json::to_string_pretty(&manifest).unwrap(),
    )
    .unwrap();
    let out = verify(&pack);
    assert_eq!(code(&out), 1, "{}", stdout(&out));
    assert!(
        stdout(&out).contains("+ only in the re-run: GD002"),
        "{}",
        stdout(&out)
    );
    assert!(stdout(&out).contains("NOT VERIFIED"));
}

#[test]
fn unreadable_packs_exit_two() {
    let tmp = tempfile::tempdir().unwrap();
    assert_eq!(code(&verify(&tmp.path().join("absent"))), 2);
    std::fs::write(tmp.path().join("manifest.json"), "{ not json").unwrap();
    let out = verify(tmp.path());
    assert_eq!(code(&out), 2);
    assert!(String::from_utf8_lossy(&out.stderr).contains("invalid manifest"));
}

#[test]
fn evidence_needs_a_new_or_empty_directory() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("old.txt"), "x").unwrap();
    let out = bin()
        .args(["scan", "--quiet", "--snapshot"])
        .arg(example())
        .arg("--evidence")
        .arg(tmp.path())
        .output()
        .unwrap();
    assert_eq!(code(&out), 2);
    assert!(String::from_utf8_lossy(&out.stderr).contains("new or empty directory"));
}

#[test]
fn an_expired_by_now_waiver_keeps_its_verdict() {
    // A scan made on 2020-01-01 with a waiver that expired on 2020-06-01: the
    // waiver applied then, and verifying today must not bring the failure back.
    let toml = r#"
[[waiver]]
rule = "GD002"
account = "100000000006"
region = "eu-west-1"
reason = "Decommissioning in H1 2020."
expires = 2020-06-01
"#;
    let config = config::parse_str(toml, "alertpath.toml").unwrap();
    let inventory = snapshot::read(&example()).unwrap();
    let started_at = chrono::DateTime::parse_from_rfc3339("2020-01-01T08:00:00Z")
        .unwrap()
        .to_utc();
    let options = EngineOptions {
        today: started_at.date_naive(),
        strict_config: true,
    };
    let report = engine::run(&inventory, &config, &options).unwrap();
    let waived = |r: &alertpath::report::Report| {
        r.findings
            .iter()
            .filter(|f| f.outcome.rule == "GD002" && f.status() == Status::Waived)
            .count()
    };
    assert_eq!(waived(&report), 1, "the waiver applies on the scan's date");
    // Control: judged today, the waiver has expired and the failure is back.
    let now = EngineOptions {
        today: chrono::Utc::now().date_naive(),
        strict_config: false,
    };
    assert_eq!(waived(&engine::run(&inventory, &config, &now).unwrap()), 0);

    let tmp = tempfile::tempdir().unwrap();
    let pack = tmp.path().join("pack");
    let args = vec!["alertpath".to_string(), "scan".to_string()];
    evidence::write(
        &pack,
        &PackInput {
            inventory: &inventory,
            snapshot_file: Some(&example()),
            report: &report,
            config: &config,
            render: &RenderOptions::default(),
            args: &args,
            started_at,
            finished_at: started_at,
            engine: &options,
        },
    )
    .unwrap();
    let manifest = evidence::read_manifest(&pack).unwrap();
    assert_eq!(manifest.today.to_string(), "2020-01-01");
    assert_eq!(manifest.config.waivers.len(), 1);
    let out = verify(&pack);
    assert_eq!(code(&out), 0, "{}", stdout(&out));
}
