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
    // The issue's example: file:line and address, not `sns-topic team-alert`.
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

/// Scan the example organization's snapshot from a temporary directory.
fn example(args: &[&str]) -> (tempfile::TempDir, Output) {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::copy(example_snapshot(), tmp.path().join("example-org.json")).unwrap();
    let out = bin()
        .current_dir(tmp.path())
        .args(["scan", "--snapshot", "example-org.json"])
        .args(args)
        .output()
        .unwrap();
    (tmp, out)
}

/// The "Top issues" block of a text report.
fn top_block(text: &str) -> &str {
    let start = text.find("Top issues (").expect("a top issues block");
    let rest = &text[start..];
    &rest[..rest.find("\n\n").unwrap()]
}

/// Issue 20, item 1: each top issue says the fix of its rule, the first
/// sentence of the rule doc's `## How to fix` (as `alertpath explain` shows
/// it), once per rule, in text and Markdown.
#[test]
fn top_issues_say_the_fix() {
    let (_tmp, out) = example(&[]);
    let text = stdout(&out);
    let top = top_block(&text);
    let explain = |rule: &str| stdout(&bin().args(["explain", rule]).output().unwrap());
    let mut rules: Vec<&str> = top
        .lines()
        .skip(1)
        .filter(|l| l.starts_with("  HIGH") || l.starts_with("  CRITICAL"))
        .map(|l| l.split_whitespace().nth(1).unwrap())
        .collect();
    rules.dedup();
    assert_eq!(
        rules,
        ["EVT004", "ROOT001", "GD003", "GD001", "GD002"],
        "{top}"
    );
    let fixes: Vec<&str> = top
        .lines()
        .filter_map(|l| l.trim_start().strip_prefix("fix: "))
        .collect();
    assert_eq!(fixes.len(), rules.len(), "one fix per rule:\n{top}");
    for (rule, fix) in rules.iter().zip(&fixes) {
        let doc = explain(rule);
        let section = doc.split("How to fix").nth(1).unwrap();
        let flat = section.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(
            flat.starts_with(fix.trim_end_matches('.')),
            "{rule}: `{fix}` is not the start of its doc's fix:\n{flat}"
        );
    }
    assert!(
        top.contains(
            "  HIGH     GD001     100000000003 / eu-west-1: no GuardDuty detector in eu-west-1 of account 100000000003: threats there produce no findings\n           fix: Create a detector in every enabled region of every account."
        ),
        "{top}"
    );

    let (tmp, _) = example(&["-q", "-f", "markdown", "-o", "r.md"]);
    let markdown = std::fs::read_to_string(tmp.path().join("r.md")).unwrap();
    let top = markdown
        .split("### Top issues\n")
        .nth(1)
        .unwrap()
        .split("\n### ")
        .next()
        .unwrap();
    assert_eq!(top.matches("  - **Fix:** ").count(), rules.len(), "{top}");
    assert!(
        top.contains(
            "- high **GD001** `100000000003 / eu-west-1`: no GuardDuty detector in eu-west-1 of account 100000000003: threats there produce no findings\n  - **Fix:** Create a detector in every enabled region of every account.\n"
        ),
        "{top}"
    );
}

/// Issue 20, item 2, generalised: a failure that reads the same in several
/// accounts (ROOT001 in four accounts of the example organization, its
/// message differing only by the account id) is one line in the text and
/// Markdown views, listing the accounts, while JSON and SARIF keep one
/// result per account.
#[test]
fn a_failure_repeated_in_several_accounts_is_one_line() {
    let (tmp, out) = example(&["--output-dir", "out"]);
    let text = stdout(&out);
    let repeated = "HIGH         ROOT001   in 4 accounts / us-east-1 (100000000002, 100000000003, 100000000004, 100000000006): root console sign-in of account ‹account› reaches no human: EventBridge (default bus in the global region): no rule on the default bus of ‹account› in us-east-1 matches the event; CloudTrail: no CloudTrail trail receives the account's events";
    assert!(
        text.contains(&format!("\nin several accounts or regions\n  {repeated}\n")),
        "{text}"
    );
    let root001: Vec<&str> = text
        .lines()
        .filter(|l| l.starts_with("  HIGH         ROOT001"))
        .collect();
    // The four identical ones, and account 1's, whose cause differs (EVT004).
    assert_eq!(root001.len(), 2, "{text}");
    assert!(root001[1].contains("100000000001 / us-east-1: "), "{text}");
    // In the top issues too, with the list of accounts.
    let top = top_block(&text);
    assert_eq!(
        top.matches("ROOT001   in 4 accounts / us-east-1").count(),
        1,
        "{top}"
    );

    let markdown = std::fs::read_to_string(tmp.path().join("out/alertpath.md")).unwrap();
    assert!(
        markdown.contains("#### in several accounts or regions\n\n| Severity | Rule | Subject | Message |\n|---|---|---|---|\n| high | ROOT001 | in 4 accounts / us-east-1 (100000000002, 100000000003, 100000000004, 100000000006) | root console sign-in of account ‹account› reaches no human:"),
        "{markdown}"
    );
    assert_eq!(
        markdown.matches("| high | ROOT001 |").count(),
        2,
        "{markdown}"
    );

    // JSON and SARIF: one result per account, as code scanning needs.
    let json: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(tmp.path().join("out/alertpath.json")).unwrap(),
    )
    .unwrap();
    let failing = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "ROOT001" && f["status"] == "fail")
        .count();
    assert_eq!(failing, 5);
    let sarif: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(tmp.path().join("out/alertpath.sarif")).unwrap(),
    )
    .unwrap();
    let results = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["ruleId"] == "ROOT001" && r["level"] == "error")
        .count();
    assert_eq!(results, 5);
}
