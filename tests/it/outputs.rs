//! Safe outputs (issue 12, item 1), through the CLI: a symlink keeps pointing
//! at its updated target, a FIFO and a descriptor are written directly and
//! never replaced, directories are refused before any work, one file named
//! twice or an output over an input is exit 2 before any work, and files get
//! the umask's mode. Everything lives in temp dirs; nothing here writes to the
//! real `/dev`.

use std::os::unix::fs::{FileTypeExt as _, PermissionsExt as _};
use std::path::Path;
use std::process::{Command, Output};
use std::time::Duration;

use crate::common::process::{bin, code, example_snapshot as example, mkfifo, run_with_timeout};

/// `scan --quiet --snapshot <example>` with `--format F --output P` for each pair.
fn scan_example(outputs: &[(&str, &Path)]) -> Output {
    let mut cmd = bin();
    cmd.args(["scan", "--quiet", "--snapshot"]).arg(example());
    for (format, path) in outputs {
        cmd.args(["--format", format, "--output"]).arg(path);
    }
    cmd.output().unwrap()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn is_symlink(path: &Path) -> bool {
    std::fs::symlink_metadata(path)
        .unwrap()
        .file_type()
        .is_symlink()
}

#[test]
fn a_symlink_to_a_regular_file_is_kept_and_its_target_updated() {
    let tmp = tempfile::tempdir().unwrap();
    let real_dir = tmp.path().join("real");
    std::fs::create_dir(&real_dir).unwrap();
    let real = real_dir.join("report.json");
    std::fs::write(&real, "old").unwrap();
    let link = tmp.path().join("report.json");
    std::os::unix::fs::symlink("real/report.json", &link).unwrap();
    let out = scan_example(&[("json", &link)]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert!(is_symlink(&link), "the symlink was replaced by a file");
    let written: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&real).unwrap()).unwrap();
    assert_eq!(written["report_version"], 1);
    // Written beside the target: no temporary file is left anywhere.
    assert_eq!(std::fs::read_dir(&real_dir).unwrap().count(), 1);
    assert_eq!(std::fs::read_dir(tmp.path()).unwrap().count(), 2);
}

#[test]
fn a_fifo_is_written_directly_and_stays_a_fifo() {
    let tmp = tempfile::tempdir().unwrap();
    let fifo = tmp.path().join("report.fifo");
    mkfifo(&fifo);
    let reader_path = fifo.clone();
    let (tx, rx) = std::sync::mpsc::channel();
    // Opening a FIFO for reading blocks until a writer opens it; on failure
    // the thread stays blocked and is abandoned.
    std::thread::spawn(move || {
        let text = std::fs::read_to_string(&reader_path).unwrap_or_default();
        let _ = tx.send(text);
    });
    let mut cmd = bin();
    cmd.args(["scan", "--quiet", "--format", "sarif", "--output"])
        .arg(&fifo)
        .arg("--snapshot")
        .arg(example());
    let out = run_with_timeout(cmd, Duration::from_secs(60)).expect("scan finished");
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let kind = std::fs::symlink_metadata(&fifo).unwrap().file_type();
    assert!(kind.is_fifo(), "the FIFO was replaced: {kind:?}");
    let text = rx
        .recv_timeout(Duration::from_secs(10))
        .expect("the reader got the SARIF through the FIFO");
    assert!(text.contains("\"version\": \"2.1.0\""), "{text}");
}

#[test]
fn a_symlink_to_proc_self_fd_1_writes_to_stdout_and_replaces_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let link = tmp.path().join("out");
    std::os::unix::fs::symlink("/proc/self/fd/1", &link).unwrap();
    let dev_stdout_before = std::fs::symlink_metadata("/dev/stdout").ok().map(|m| {
        use std::os::unix::fs::MetadataExt as _;
        (m.ino(), m.file_type().is_symlink())
    });
    let out = scan_example(&[("json", &link)]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON on stdout");
    assert_eq!(json["report_version"], 1);
    assert!(is_symlink(&link), "the symlink was replaced by a file");
    assert_eq!(std::fs::read_dir(tmp.path()).unwrap().count(), 1);
    let dev_stdout_after = std::fs::symlink_metadata("/dev/stdout").ok().map(|m| {
        use std::os::unix::fs::MetadataExt as _;
        (m.ino(), m.file_type().is_symlink())
    });
    assert_eq!(dev_stdout_before, dev_stdout_after);
}

#[test]
fn a_directory_output_is_refused_before_anything_is_written() {
    let tmp = tempfile::tempdir().unwrap();
    let first = tmp.path().join("first.json");
    let dir = tmp.path().join("a-dir");
    std::fs::create_dir(&dir).unwrap();
    let out = scan_example(&[("json", &first), ("sarif", &dir)]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(stderr(&out).contains("a directory"), "{}", stderr(&out));
    assert!(!first.exists(), "an output was written before the refusal");
    assert!(dir.is_dir());
}

#[test]
fn the_same_file_twice_is_refused_before_any_work() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("r.json");
    let same = tmp.path().join("./sub/../r.json");
    std::fs::create_dir(tmp.path().join("sub")).unwrap();
    let out = scan_example(&[("json", &path), ("sarif", &same)]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(stderr(&out).contains("same file"), "{}", stderr(&out));
    assert!(!path.exists());
    // A symlink and its target are one file too.
    std::fs::write(&path, "keep").unwrap();
    let link = tmp.path().join("link.json");
    std::os::unix::fs::symlink(&path, &link).unwrap();
    let out = scan_example(&[("json", &path), ("sarif", &link)]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "keep");
}

#[test]
fn an_output_over_an_input_is_refused_and_the_input_kept() {
    let tmp = tempfile::tempdir().unwrap();
    let snapshot = tmp.path().join("org.json");
    std::fs::copy(example(), &snapshot).unwrap();
    let before = std::fs::read(&snapshot).unwrap();
    let baseline = tmp.path().join("old.sarif");
    std::fs::write(&baseline, "{}").unwrap();
    let config = tmp.path().join("alertpath.toml");
    std::fs::write(&config, "").unwrap();
    for (victim, extra) in [
        (&snapshot, vec![]),
        (&baseline, vec!["--baseline".into(), baseline.clone()]),
        (&config, vec!["--config".into(), config.clone()]),
    ] {
        let out = bin()
            .args(["scan", "--quiet", "--format", "json", "--output"])
            .arg(victim)
            .arg("--snapshot")
            .arg(&snapshot)
            .args(&extra)
            .output()
            .unwrap();
        assert_eq!(code(&out), 2, "{}: {}", victim.display(), stderr(&out));
        assert!(
            stderr(&out).contains("may not replace an input"),
            "{}",
            stderr(&out)
        );
    }
    assert_eq!(std::fs::read(&snapshot).unwrap(), before);
    assert_eq!(std::fs::read_to_string(&baseline).unwrap(), "{}");
    assert_eq!(std::fs::read_to_string(&config).unwrap(), "");
}

#[test]
fn files_get_the_umask_mode() {
    let tmp = tempfile::tempdir().unwrap();
    let report = tmp.path().join("r.json");
    let pack = tmp.path().join("pack");
    let script = format!(
        "umask 027; exec \"$0\" scan --quiet --format json --output '{}' --snapshot '{}' --evidence '{}'",
        report.display(),
        example().display(),
        pack.display()
    );
    let out = Command::new("sh")
        .arg("-c")
        .arg(script)
        .arg(env!("CARGO_BIN_EXE_alertpath"))
        .output()
        .unwrap();
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&report), 0o640, "output");
    for entry in std::fs::read_dir(&pack).unwrap() {
        let path = entry.unwrap().path();
        assert_eq!(mode(&path), 0o640, "{}", path.display());
    }
}

#[test]
fn a_failing_render_writes_no_output() {
    // A baseline alertpath cannot use fails the SARIF rendering, which comes
    // after the JSON: the JSON must not be written either.
    let tmp = tempfile::tempdir().unwrap();
    let baseline = tmp.path().join("old.sarif");
    std::fs::write(&baseline, "{\"runs\": 5}").unwrap();
    let json = tmp.path().join("r.json");
    let sarif = tmp.path().join("r.sarif");
    let pack = tmp.path().join("pack");
    let out = bin()
        .args(["scan", "--quiet", "--format", "json", "--output"])
        .arg(&json)
        .args(["--format", "sarif", "--output"])
        .arg(&sarif)
        .arg("--baseline")
        .arg(&baseline)
        .arg("--evidence")
        .arg(&pack)
        .arg("--snapshot")
        .arg(example())
        .output()
        .unwrap();
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(
        !json.exists(),
        "the JSON was written before the SARIF failed"
    );
    assert!(!sarif.exists());
    assert!(!pack.exists());
    assert_eq!(std::fs::read_dir(tmp.path()).unwrap().count(), 1);
}

#[test]
fn collect_refuses_a_directory_or_its_config_as_out_before_any_work() {
    let tmp = tempfile::tempdir().unwrap();
    let config = tmp.path().join("alertpath.toml");
    std::fs::write(&config, "").unwrap();
    // An endpoint nothing listens on: reaching it would fail differently.
    // `--output`, and `--out`, its alias.
    let cases = [
        ("--output", tmp.path().to_path_buf()),
        ("--out", tmp.path().to_path_buf()),
        ("--output", config.clone()),
        ("-o", config.clone()),
    ];
    for (flag, out_path) in cases {
        let out = bin()
            .arg("collect")
            .arg(flag)
            .arg(&out_path)
            .arg("--config")
            .arg(&config)
            .args([
                "--endpoint-url",
                "http://127.0.0.1:9",
                "--max-attempts",
                "1",
                "--attempt-timeout",
                "2",
            ])
            .env("AWS_ACCESS_KEY_ID", "testing")
            .env("AWS_SECRET_ACCESS_KEY", "testing")
            .env("AWS_REGION", "us-east-1")
            .output()
            .unwrap();
        assert_eq!(code(&out), 2, "{}", stderr(&out));
        assert!(
            stderr(&out).contains("a directory")
                || stderr(&out).contains("may not replace an input"),
            "{}",
            stderr(&out)
        );
    }
    assert_eq!(std::fs::read_to_string(&config).unwrap(), "");
}
