//! What a packager installs beside the binary (issue 20, item 10): shell
//! completions and man pages generated from the CLI definition, through the
//! CLI.

use crate::common::process::{bin, code};

fn run(args: &[&str]) -> std::process::Output {
    bin().args(args).output().unwrap()
}

fn stdout(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The subcommands a user types, read from `--help` so a new one is covered
/// without editing this test.
fn subcommands() -> Vec<String> {
    let help = stdout(&run(&["--help"]));
    let commands = help
        .split("Commands:\n")
        .nth(1)
        .unwrap()
        .split("\n\n")
        .next()
        .unwrap();
    let names: Vec<String> = commands
        .lines()
        // A wrapped description continues deeper indented.
        .filter(|l| l.starts_with("  ") && !l.starts_with("   "))
        .filter_map(|l| l.split_whitespace().next())
        .filter(|n| *n != "help")
        .map(str::to_string)
        .collect();
    assert!(names.len() >= 8, "{help}");
    names
}

#[test]
fn cli_completions_cover_every_subcommand_and_the_scan_flags() {
    let names = subcommands();
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let out = run(&["completions", shell]);
        assert_eq!(code(&out), 0, "{shell}: {out:?}");
        let script = stdout(&out);
        for name in &names {
            assert!(script.contains(name.as_str()), "{shell}: no `{name}`");
        }
        for flag in ["fail-on", "min-severity", "group-by", "snapshot"] {
            assert!(script.contains(flag), "{shell}: no `{flag}`");
        }
    }
    let bash = stdout(&run(&["completions", "bash"]));
    assert!(bash.contains("complete -F _alertpath"), "{bash}");
    assert!(bash.contains("--fail-on"), "{bash}");
}

#[test]
fn cli_completions_for_an_unknown_shell_are_a_usage_error() {
    let out = run(&["completions", "tcsh"]);
    assert_eq!(code(&out), 2);
    assert!(out.stdout.is_empty());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("invalid value 'tcsh'"), "{err}");
    assert!(
        err.contains("[possible values: bash, elvish, fish, powershell, zsh]"),
        "{err}"
    );
}

#[test]
fn cli_man_pages_are_roff_generated_from_the_cli() {
    let top = stdout(&run(&["man"]));
    assert!(top.contains(".TH alertpath 1 "), "{top}");
    for name in subcommands() {
        // roff escapes `-` as `\-`.
        let page = format!("alertpath\\-{}(1)", name.replace('-', "\\-"));
        assert!(top.contains(&page), "no {page} in\n{top}");
    }
    let scan = run(&["man", "scan"]);
    assert_eq!(code(&scan), 0);
    let scan = stdout(&scan);
    assert!(scan.contains(".TH alertpath-scan 1 "), "{scan}");
    assert!(
        scan.contains(".SH SYNOPSIS\n\\fBalertpath scan\\fR"),
        "{scan}"
    );
    for flag in [
        "fail\\-on",
        "snapshot",
        "plan",
        "terraform",
        "min\\-severity",
        "regions",
    ] {
        assert!(
            scan.contains(&format!("\\fB\\-\\-{flag}\\fR")),
            "no --{flag}"
        );
    }
    assert!(scan.contains("Exit codes:"), "{scan}");

    let unknown = run(&["man", "nope"]);
    assert_eq!(code(&unknown), 2);
    assert!(
        String::from_utf8_lossy(&unknown.stderr).contains("no subcommand `nope`"),
        "{unknown:?}"
    );
}

#[test]
fn cli_man_dir_writes_one_page_per_subcommand() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("man1");
    let out = run(&["man", "--dir", dir.to_str().unwrap()]);
    assert_eq!(code(&out), 0, "{out:?}");
    let mut files: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    let mut expected: Vec<String> = subcommands()
        .iter()
        .map(|n| format!("alertpath-{n}.1"))
        .chain(["alertpath.1".to_string()])
        .collect();
    expected.sort();
    assert_eq!(files, expected);
    let scan = std::fs::read_to_string(dir.join("alertpath-scan.1")).unwrap();
    assert_eq!(scan, stdout(&run(&["man", "scan"])));
}
