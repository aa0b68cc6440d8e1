//! Text and Markdown reports a person can act on (issue 20, items 1-3):
//! file:line and Terraform address on Terraform findings, a "top issues"
//! block with CRITICAL and HIGH first, identical not-assessed causes on one
//! line, CRITICAL distinct from HIGH, and no `path:` line repeating the
//! message. Snapshots of the whole outputs, through the CLI.

use std::process::Output;

use crate::common::process::{bin, example_snapshot};

/// The primer stack (plan and HCL) as the guardduty-admin stack of a known
/// account, scanned from the repository root with relative paths, so the
/// report's paths are the same on every checkout.
fn primer(args: &[&str]) -> Output {
    bin()
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args([
            "scan",
            "--plan",
            "tests/fixtures/terraform/primer/plan.json",
            "--terraform",
            "tests/fixtures/terraform/primer",
            "--config",
            "tests/fixtures/config/primer-admin.toml",
        ])
        .args(args)
        .output()
        .unwrap()
}

/// Output without its first line (the title carries the scan's time).
fn without_title(text: &str) -> String {
    let (title, rest) = text.split_once('\n').unwrap();
    assert!(title.contains("alertpath "), "{title}");
    rest.to_string()
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn terraform_text_report() {
    let out = primer(&[]);
    let text = stdout(&out);
    // The example: file:line and address, not `sns-topic team-alert`.
    assert!(
        text.contains("SNS001    tests/fixtures/terraform/primer/sns.tf:160 aws_sns_topic.pagerduty_region: rule guardduty-finding-events:"),
        "{text}"
    );
    // The worst first: the top block opens with the CRITICAL route failures.
    let top = text.split("Top issues").nth(1).unwrap();
    assert!(
        top.lines()
            .nth(1)
            .unwrap()
            .starts_with("  CRITICAL ROUTE001"),
        "{top}"
    );
    // The path line does not repeat the message's explanation.
    for line in text.lines().filter(|l| l.trim_start().starts_with("path:")) {
        assert!(!line.contains("policy does not allow"), "{line}");
    }
    insta::assert_snapshot!("terraform_text", without_title(&text));
}

#[test]
fn terraform_markdown_report() {
    let tmp = tempfile::tempdir().unwrap();
    let md = tmp.path().join("r.md");
    primer(&["-q", "-f", "markdown", "-o", md.to_str().unwrap()]);
    let markdown = std::fs::read_to_string(md).unwrap();
    let (verdict, rest) = markdown.split_once("\n\n").unwrap();
    assert!(verdict.starts_with("## alertpath: ❌"), "{verdict}");
    assert!(
        markdown.contains("| high | SNS001 | tests/fixtures/terraform/primer/sns.tf:160 aws_sns_topic.pagerduty_region |"),
        "{markdown}"
    );
    assert!(
        markdown.contains("| **CRITICAL** | ROUTE001 |"),
        "{markdown}"
    );
    insta::assert_snapshot!("terraform_markdown", without_title(rest));
}

#[test]
fn hcl_without_account_collapses_identical_causes() {
    let out = bin()
        .arg("scan")
        .arg("--terraform")
        .arg("tests/fixtures/terraform/primer")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    let text = stdout(&out);
    let scan004: Vec<&str> = text
        .lines()
        .filter(|l| l.contains("NOT-ASSESSED SCAN004"))
        .collect();
    assert_eq!(scan004.len(), 1, "{text}");
    assert!(
        scan004[0].contains("NOT-ASSESSED SCAN004   10 × terraform-expression (")
            && scan004[0]
                .ends_with("… and 7 more): the account is not known: set [terraform] account_id"),
        "{}",
        scan004[0]
    );
}

#[test]
fn live_replay_text_report() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::copy(example_snapshot(), tmp.path().join("example-org.json")).unwrap();
    let out = bin()
        .current_dir(tmp.path())
        .args(["scan", "--snapshot", "example-org.json"])
        .output()
        .unwrap();
    let text = stdout(&out);
    // One line for the three rules a timed-out region leaves unjudged.
    assert_eq!(
        text.matches("region not assessed (SCAN002): guardduty:ListDetectors")
            .count(),
        1,
        "{text}"
    );
    assert!(text.contains(
        "NOT-ASSESSED 3 rules not judged here (GD001, GD002, SEC001): region not assessed"
    ));
    insta::assert_snapshot!("live_replay_text", text);
}

#[test]
fn critical_is_painted_apart_from_high() {
    let out = primer(&["--color", "always"]);
    let text = stdout(&out);
    assert!(text.contains("\x1b[1;97;41mCRITICAL"), "{text}");
    assert!(text.contains("\x1b[31mHIGH"), "{text}");
    assert!(!text.contains("\x1b[31mCRITICAL"), "{text}");
}

#[test]
fn github_annotations_point_at_terraform_lines() {
    let out = primer(&["-f", "github"]);
    let text = stdout(&out);
    assert!(
        text.lines().all(|l| l.starts_with("::error ")
            || l.starts_with("::warning ")
            || l.starts_with("::notice ")),
        "{text}"
    );
    assert!(
        text.contains(
            "::error file=tests/fixtures/terraform/primer/sns.tf,line=160,title=SNS001 high%3A tests/fixtures/terraform/primer/sns.tf%3A160 aws_sns_topic.pagerduty_region::rule guardduty-finding-events:"
        ),
        "{text}"
    );
    insta::assert_snapshot!("terraform_github", text);
    // --min-severity narrows it as it does the text view.
    let high = stdout(&primer(&["-f", "github", "--min-severity", "high"]));
    assert!(!high.contains("::notice "), "{high}");
    assert!(high.contains("::error "), "{high}");
}

#[test]
fn markdown_links_terraform_lines_in_a_github_run() {
    let tmp = tempfile::tempdir().unwrap();
    let md = tmp.path().join("r.md");
    let mut cmd = bin();
    cmd.current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("GITHUB_SERVER_URL", "https://github.example.com/")
        .env("GITHUB_REPOSITORY", "acme/infra")
        .env("GITHUB_SHA", "0123abc")
        .args([
            "scan",
            "--plan",
            "tests/fixtures/terraform/primer/plan.json",
            "--terraform",
            "tests/fixtures/terraform/primer",
            "--config",
            "tests/fixtures/config/primer-admin.toml",
            "-q",
            "-f",
            "markdown",
            "-o",
        ])
        .arg(&md);
    cmd.output().unwrap();
    let markdown = std::fs::read_to_string(md).unwrap();
    assert!(
        markdown.contains(
            "| high | SNS001 | [tests/fixtures/terraform/primer/sns.tf:160](https://github.example.com/acme/infra/blob/0123abc/tests/fixtures/terraform/primer/sns.tf#L160) aws_sns_topic.pagerduty_region |"
        ),
        "{markdown}"
    );
    // A live finding has no file: no link.
    assert!(
        markdown.contains("| high | ROOT001 | 123456789012 / us-east-1 |"),
        "{markdown}"
    );
}

#[test]
fn group_by_rule_puts_one_rule_across_accounts_together() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::copy(example_snapshot(), tmp.path().join("example-org.json")).unwrap();
    let scan = |args: &[&str]| {
        bin()
            .current_dir(tmp.path())
            .args([
                "scan",
                "--snapshot",
                "example-org.json",
                "--group-by",
                "rule",
            ])
            .args(args)
            .output()
            .unwrap()
    };
    let text = stdout(&scan(&[]));
    let groups: Vec<&str> = text.split("\n\n").collect();
    let root001: Vec<&&str> = groups
        .iter()
        .filter(|g| g.starts_with("ROOT001 root-login-unmonitored\n"))
        .collect();
    assert_eq!(root001.len(), 1, "{text}");
    // Five accounts' failures under the one heading, each naming its scope.
    assert_eq!(
        root001[0]
            .lines()
            .filter(|l| l.starts_with("  HIGH         ROOT001   1000000000"))
            .count(),
        5
    );
    // Rules with high failures come before the medium and low ones.
    let at = |heading: &str| text.find(&format!("\n{heading}\n")).unwrap();
    assert!(at("ROOT001 root-login-unmonitored") < at("GD004 org-auto-enable-off"));
    assert!(at("GD004 org-auto-enable-off") < at("GD005 slow-finding-updates"));

    let md = tmp.path().join("r.md");
    scan(&["-q", "-f", "markdown", "-o", md.to_str().unwrap()]);
    let markdown = std::fs::read_to_string(md).unwrap();
    assert_eq!(
        markdown
            .matches("#### ROOT001 root-login-unmonitored")
            .count(),
        1,
        "{markdown}"
    );
    assert!(
        markdown.contains("| high | ROOT001 | 100000000006 / us-east-1 |"),
        "{markdown}"
    );
}

#[test]
fn a_plan_and_a_tree_that_do_not_belong_together_are_noted() {
    let scan = |dir: &str| {
        stdout(
            &bin()
                .current_dir(env!("CARGO_MANIFEST_DIR"))
                .args([
                    "scan",
                    "--plan",
                    "tests/fixtures/terraform/primer/plan.json",
                    "--terraform",
                    dir,
                ])
                .output()
                .unwrap(),
        )
    };
    let wrong = scan("tests/fixtures/terraform/healthy");
    assert!(
        wrong.contains(
            "note: --plan and --terraform tests/fixtures/terraform/healthy share only 1 of the plan's 56 resource addresses"
        ),
        "{wrong}"
    );
    assert!(!scan("tests/fixtures/terraform/primer").contains("share only"));
    // A block whose count HCL cannot expand still matches its plan instances.
    let flagged = stdout(
        &bin()
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .args([
                "scan",
                "--plan",
                "tests/fixtures/terraform/flag-count/plan.json",
                "--terraform",
                "tests/fixtures/terraform/flag-count",
            ])
            .output()
            .unwrap(),
    );
    assert!(!flagged.contains("share only"), "{flagged}");
}
