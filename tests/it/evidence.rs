//! The evidence pack: `scan --evidence` then `verify-evidence` round-trips, any
//! altered, missing or extra file fails naming it, and the re-run freezes the
//! clock at the scan's start so an expired-by-now waiver keeps its verdict.

use std::path::Path;
use std::process::Output;
use std::time::Duration;

use crate::common::process::{bin, code, example_snapshot as example, mkfifo, run_with_timeout};

use alertpath::config;
use alertpath::engine::{self, EngineOptions};
use alertpath::evidence::{self, PackInput};
use alertpath::outcome::Status;
use alertpath::report::RenderOptions;
use alertpath::source::snapshot;

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
    // The judged inventory, as alertpath stores it (never the input's raw bytes).
    // It names the snapshot it was replayed from, as the report header does.
    let mut judged = snapshot::read(&example()).unwrap();
    judged.source.snapshot = Some(example().display().to_string());
    assert_eq!(
        std::fs::read_to_string(pack.join("inventory.json")).unwrap(),
        snapshot::to_json(&judged).unwrap()
    );
    let manifest = evidence::read_manifest(&pack).unwrap();
    assert_eq!(manifest.rule_catalog_sha256, evidence::rule_catalog_hash());
    assert_eq!(manifest.files.len(), 4);
    assert!(
        manifest.caller.is_some(),
        "the caller comes from the snapshot"
    );
    // The command line's shape only: no path, no value.
    assert_eq!(
        manifest.command_line,
        [
            "alertpath",
            "scan",
            "--quiet",
            "--format",
            "<value>",
            "--output",
            "<value>",
            "--snapshot",
            "<value>",
            "--evidence",
            "<value>"
        ]
    );
    let out = verify(&pack);
    assert_eq!(code(&out), 0, "{}", stdout(&out));
    assert!(stdout(&out).contains("VERIFIED"), "{}", stdout(&out));
}

/// The manifest records the command line's shape, not its values: a value no
/// word list recognises as secret (credentials in an endpoint URL) is not
/// stored anywhere in the pack.
#[test]
fn the_pack_stores_no_argument_value() {
    let tmp = tempfile::tempdir().unwrap();
    let pack = tmp.path().join("pack");
    let out = bin()
        .args(["scan", "--quiet", "--snapshot"])
        .arg(example())
        .args(["--endpoint-url", "http://ci:Zq7Kx2pass@127.0.0.1:9"])
        .arg("--evidence")
        .arg(&pack)
        .output()
        .expect("binary runs");
    assert_eq!(code(&out), 1, "{}", String::from_utf8_lossy(&out.stderr));
    for entry in std::fs::read_dir(&pack).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(
            !text.contains("Zq7Kx2pass"),
            "{} holds the value",
            path.display()
        );
    }
    let manifest = evidence::read_manifest(&pack).unwrap();
    let at = manifest
        .command_line
        .iter()
        .position(|a| a == "--endpoint-url")
        .expect("the flag is recorded");
    assert_eq!(manifest.command_line[at + 1], "<value>");
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

/// Run `verify-evidence` with a deadline: `None` when it had to be killed (it hung).
fn verify_with_timeout(dir: &Path) -> Option<Output> {
    let mut cmd = bin();
    cmd.arg("verify-evidence").arg(dir);
    run_with_timeout(cmd, Duration::from_secs(30))
}

fn all_output(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn rewrite_manifest(pack: &Path, edit: impl FnOnce(&mut evidence::Manifest)) {
    let mut manifest = evidence::read_manifest(pack).unwrap();
    edit(&mut manifest);
    std::fs::write(
        pack.join("manifest.json"),
        serde_json::to_string_pretty(&manifest).unwrap(),
    )
    .unwrap();
}

/// Replace a pack file's bytes and fix its hash in the manifest.
fn tamper(pack: &Path, name: &str, bytes: &[u8]) {
    std::fs::write(pack.join(name), bytes).unwrap();
    rewrite_manifest(pack, |m| {
        m.files
            .insert(name.to_string(), evidence::sha256_hex(bytes));
    });
}

fn refused(out: &Output) {
    let c = code(out);
    assert!(c == 1 || c == 2, "exit {c}: {}", all_output(out));
    assert!(!stdout(out).contains("VERIFIED:") || stdout(out).contains("NOT VERIFIED"));
}

#[test]
fn manifest_names_outside_the_pack_are_refused_without_reading_them() {
    let tmp = tempfile::tempdir().unwrap();
    let pack = tmp.path().join("pack");
    make_pack(&pack);
    let outside = tmp.path().join("outside.txt");
    std::fs::write(&outside, "not evidence\n").unwrap();
    let outside_hash = evidence::sha256_hex(b"not evidence\n");
    // A FIFO outside the pack: opening it would hang the verifier.
    let fifo = tmp.path().join("outside.fifo");
    mkfifo(&fifo);
    let names = [
        "../outside.txt".to_string(),
        outside.display().to_string(),
        "../outside.fifo".to_string(),
        fifo.display().to_string(),
    ];
    for name in names {
        for hash in [outside_hash.clone(), "0".repeat(64)] {
            let case = tmp.path().join("case");
            let _ = std::fs::remove_dir_all(&case);
            copy_dir(&pack, &case);
            rewrite_manifest(&case, |m| {
                m.files.insert(name.clone(), hash.clone());
            });
            let out = verify_with_timeout(&case).unwrap_or_else(|| panic!("{name}: hung"));
            refused(&out);
            if hash != outside_hash {
                assert!(
                    !all_output(&out).contains(&outside_hash),
                    "{name}: printed the hash of a file outside the pack: {}",
                    all_output(&out)
                );
            }
        }
    }
}

#[test]
fn symlinks_fifos_and_directories_in_the_pack_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let pack = tmp.path().join("pack");
    make_pack(&pack);
    // A symlink to an identical copy outside the pack: right content, wrong kind.
    let copy = tmp.path().join("report.md");
    std::fs::copy(pack.join("report.md"), &copy).unwrap();
    let linked = tmp.path().join("linked");
    copy_dir(&pack, &linked);
    std::fs::remove_file(linked.join("report.md")).unwrap();
    std::os::unix::fs::symlink(&copy, linked.join("report.md")).unwrap();
    let out = verify_with_timeout(&linked).expect("no hang");
    assert_eq!(code(&out), 1, "{}", all_output(&out));
    assert!(
        stdout(&out).contains("report.md: not a regular file"),
        "{}",
        stdout(&out)
    );

    // A FIFO in place of a file, and a symlink to a FIFO outside: neither hangs.
    let fifo_pack = tmp.path().join("fifo");
    copy_dir(&pack, &fifo_pack);
    std::fs::remove_file(fifo_pack.join("report.md")).unwrap();
    mkfifo(&fifo_pack.join("report.md"));
    let out = verify_with_timeout(&fifo_pack).expect("a FIFO in the pack hung the verifier");
    assert_eq!(code(&out), 1, "{}", all_output(&out));

    let outside_fifo = tmp.path().join("endless");
    mkfifo(&outside_fifo);
    let to_fifo = tmp.path().join("to-fifo");
    copy_dir(&pack, &to_fifo);
    std::fs::remove_file(to_fifo.join("inventory.json")).unwrap();
    std::os::unix::fs::symlink(&outside_fifo, to_fifo.join("inventory.json")).unwrap();
    let out = verify_with_timeout(&to_fifo).expect("a symlink to a FIFO hung the verifier");
    refused(&out);

    // The manifest itself as a symlink is unreadable.
    let manifest_link = tmp.path().join("manifest-link");
    copy_dir(&pack, &manifest_link);
    let real_manifest = tmp.path().join("manifest.json");
    std::fs::rename(manifest_link.join("manifest.json"), &real_manifest).unwrap();
    std::os::unix::fs::symlink(&real_manifest, manifest_link.join("manifest.json")).unwrap();
    let out = verify_with_timeout(&manifest_link).expect("no hang");
    assert_eq!(code(&out), 2, "{}", all_output(&out));
}

#[test]
fn every_tamper_with_a_rehashed_manifest_fails() {
    let tmp = tempfile::tempdir().unwrap();
    let pack = tmp.path().join("pack");
    make_pack(&pack);
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(pack.join("report.json")).unwrap()).unwrap();
    let first_fail = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .position(|f| f["status"] == "fail")
        .expect("the example org has a failure");
    type Edit = Box<dyn Fn(&mut serde_json::Value)>;
    let edits: Vec<(&str, Edit)> = vec![
        (
            "severity",
            Box::new(move |r| r["findings"][first_fail]["severity"] = "low".into()),
        ),
        (
            "message",
            Box::new(move |r| r["findings"][first_fail]["message"] = "all good".into()),
        ),
        ("summary", Box::new(|r| r["summary"]["fail"] = 0.into())),
        (
            "coverage",
            Box::new(|r| r["coverage"]["accounts_assessed"] = 999.into()),
        ),
    ];
    for (what, edit) in edits {
        let case = tmp.path().join(format!("report-{what}"));
        copy_dir(&pack, &case);
        let mut doctored = report.clone();
        edit(&mut doctored);
        let text = serde_json::to_string_pretty(&doctored).unwrap() + "\n";
        tamper(&case, "report.json", text.as_bytes());
        let out = verify(&case);
        assert_eq!(code(&out), 1, "{what}: {}", stdout(&out));
        assert!(stdout(&out).contains(what), "{what}: {}", stdout(&out));
    }

    let sarif = tmp.path().join("sarif-emptied");
    copy_dir(&pack, &sarif);
    tamper(
        &sarif,
        "report.sarif",
        b"{\"version\":\"2.1.0\",\"runs\":[]}\n",
    );
    let out = verify(&sarif);
    assert_eq!(code(&out), 1, "{}", stdout(&out));
    assert!(stdout(&out).contains("report.sarif: not the rendering"));

    let markdown = tmp.path().join("markdown-replaced");
    copy_dir(&pack, &markdown);
    tamper(&markdown, "report.md", b"# All green\n");
    let out = verify(&markdown);
    assert_eq!(code(&out), 1, "{}", stdout(&out));
    assert!(stdout(&out).contains("report.md: not the rendering"));

    let removed = tmp.path().join("removed");
    copy_dir(&pack, &removed);
    for name in ["report.sarif", "report.md"] {
        std::fs::remove_file(removed.join(name)).unwrap();
    }
    rewrite_manifest(&removed, |m| {
        m.files.remove("report.sarif");
        m.files.remove("report.md");
    });
    let out = verify(&removed);
    assert_eq!(code(&out), 1, "{}", stdout(&out));
    assert!(stdout(&out).contains("report.sarif: not listed in the manifest"));
}

#[test]
fn sarif_category_and_baseline_are_kept_and_checked() {
    let tmp = tempfile::tempdir().unwrap();
    // A baseline SARIF from an earlier run.
    let baseline = tmp.path().join("old.sarif");
    let out = bin()
        .args(["scan", "--quiet", "--sarif-category", "org/audit"])
        .args(["--format", "sarif", "--output"])
        .arg(&baseline)
        .arg("--snapshot")
        .arg(example())
        .output()
        .unwrap();
    assert_eq!(code(&out), 1);
    let pack = tmp.path().join("pack");
    let out = bin()
        .args([
            "scan",
            "--quiet",
            "--sarif-category",
            "org/audit",
            "--baseline",
        ])
        .arg(&baseline)
        .arg("--snapshot")
        .arg(example())
        .arg("--evidence")
        .arg(&pack)
        .output()
        .unwrap();
    assert_eq!(code(&out), 1, "{}", String::from_utf8_lossy(&out.stderr));
    let manifest = evidence::read_manifest(&pack).unwrap();
    assert_eq!(manifest.sarif_category.as_deref(), Some("org/audit"));
    assert_eq!(manifest.baseline.as_deref(), Some("baseline.sarif"));
    assert!(manifest.files.contains_key("baseline.sarif"));
    let out = verify(&pack);
    assert_eq!(code(&out), 0, "{}", stdout(&out));
    // Another category recorded: the SARIF cannot be regenerated as it is.
    let case = tmp.path().join("category");
    copy_dir(&pack, &case);
    rewrite_manifest(&case, |m| m.sarif_category = Some("other".to_string()));
    let out = verify(&case);
    assert_eq!(code(&out), 1, "{}", stdout(&out));
    assert!(stdout(&out).contains("report.sarif: "), "{}", stdout(&out));
    // The baseline dropped from the pack and the manifest: the carried-over
    // results in the SARIF are no longer reproduced.
    let case = tmp.path().join("no-baseline");
    copy_dir(&pack, &case);
    std::fs::remove_file(case.join("baseline.sarif")).unwrap();
    rewrite_manifest(&case, |m| {
        m.baseline = None;
        m.files.remove("baseline.sarif");
    });
    let out = verify(&case);
    assert_eq!(code(&out), 1, "{}", stdout(&out));
    assert!(stdout(&out).contains("report.sarif: not the rendering"));
}
