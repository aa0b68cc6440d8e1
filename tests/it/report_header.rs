//! The header of the text and Markdown reports says what shaped them (issue
//! 20, item 7): the input (a snapshot says it is a replay and when it was
//! collected), the config file (auto-discovered or none), the rules run and
//! disabled, active and expired waivers, and for Terraform the stack role.

use std::path::Path;
use std::process::Output;

use crate::common::process::{bin, example_snapshot};

const CONFIG: &str = r#"[rules]
disable = ["ROOT001", "ROOT002"]

[[waiver]]
rule = "GD001"
account = "100000000003"
reason = "region being decommissioned"
expires = "2099-01-31"

[[waiver]]
rule = "GD002"
account = "100000000006"
reason = "was being fixed"
expires = "2020-01-31"
"#;

/// `scan` in `dir` (where `./alertpath.toml` is discovered) with a copy of the
/// example snapshot named `example-org.json`.
fn scan_in(dir: &Path, args: &[&str]) -> Output {
    std::fs::copy(example_snapshot(), dir.join("example-org.json")).unwrap();
    bin()
        .current_dir(dir)
        .args(["scan", "--snapshot", "example-org.json"])
        .args(args)
        .output()
        .unwrap()
}

/// The header: the lines before the first blank one (text), or the title
/// and the bullet list (Markdown).
fn text_header(out: &Output) -> String {
    let stdout = String::from_utf8_lossy(&out.stdout);
    stdout.split("\n\n").next().unwrap().to_string()
}

fn markdown_header(markdown: &str) -> String {
    let from = markdown.find("\nalertpath ").unwrap() + 1;
    let rest = &markdown[from..];
    let (title, after) = rest.split_once("\n\n").unwrap();
    let bullets = after.split("\n\n").next().unwrap();
    format!("{title}\n{bullets}")
}

#[test]
fn a_snapshot_replay_names_its_config_rules_and_waivers() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("alertpath.toml"), CONFIG).unwrap();
    let out = scan_in(tmp.path(), &[]);
    insta::assert_snapshot!("header_snapshot_text", text_header(&out));
    let md = tmp.path().join("r.md");
    scan_in(
        tmp.path(),
        &["-q", "-f", "markdown", "-o", md.to_str().unwrap()],
    );
    let markdown = std::fs::read_to_string(md).unwrap();
    insta::assert_snapshot!("header_snapshot_markdown", markdown_header(&markdown));
}

#[test]
fn without_config_the_header_says_none() {
    let tmp = tempfile::tempdir().unwrap();
    let header = text_header(&scan_in(tmp.path(), &[]));
    assert!(header.contains("config:     none (defaults)"), "{header}");
    assert!(header.contains("waivers:    none"), "{header}");
}

#[test]
fn a_stack_without_a_role_says_which_rules_did_not_apply() {
    let out = bin()
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["scan", "--terraform", "tests/fixtures/terraform/healthy"])
        .output()
        .unwrap();
    let header = text_header(&out);
    // The first line carries the scan's time; the rest is stable.
    let (title, rest) = header.split_once('\n').unwrap();
    assert!(
        title.starts_with("alertpath ") && title.contains(" — hcl scan, 20"),
        "{title}"
    );
    insta::assert_snapshot!("header_hcl_without_role", rest);

    let tmp = tempfile::tempdir().unwrap();
    let config = tmp.path().join("alertpath.toml");
    std::fs::write(&config, "[terraform]\nrole = \"guardduty-admin\"\n").unwrap();
    let out = bin()
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args([
            "scan",
            "--terraform",
            "tests/fixtures/terraform/healthy",
            "--config",
        ])
        .arg(&config)
        .output()
        .unwrap();
    let header = text_header(&out);
    assert!(header.contains("stack role: guardduty-admin"), "{header}");
}
