//! Issue 11 item 1: a failed Organizations listing (ListAccounts,
//! DescribeOrganization, an unresolvable --ou) is SCAN005 and exit 3, with
//! coverage that does not claim the organization. The caller (the management
//! account, as the harness's test credentials are) is never judged as the
//! GuardDuty admin: before the fix these runs exited 1 with ROUTE001
//! failures, or 0, with `accounts 1/1 assessed`.

use serde_json::{Value, json};

use super::harness::{Harness, status_of};
use super::{REGIONS, json_report};

/// Scan (JSON and text); returns (exit code, JSON report, text report).
fn scan_both(h: &Harness, extra: &[&str]) -> (i32, Value, String) {
    let mut args = vec![
        "scan",
        "--quiet",
        "--format",
        "json",
        "--regions",
        REGIONS,
        "--max-attempts",
        "2",
    ];
    args.extend_from_slice(extra);
    let out = h.alertpath(&args);
    let code = out.status.code().unwrap_or(-1);
    let report = json_report(&out);
    let mut text_args: Vec<&str> = args.clone();
    text_args[3] = "text";
    let text = String::from_utf8_lossy(&h.alertpath(&text_args).stdout).to_string();
    (code, report, text)
}

fn scan005_messages(report: &Value) -> Vec<String> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "SCAN005" && f["status"] == "not_assessed")
        .map(|f| f["message"].as_str().unwrap().to_string())
        .collect()
}

/// What every failed listing must look like: exit 3, one SCAN005 naming the
/// call, coverage that does not claim the organization, no ROUTE/EVT/GD003
/// verdict about an admin that was not scanned, and the caller still judged.
fn assert_not_listed(
    case: &str,
    (code, report, text): &(i32, Value, String),
    call: &str,
    caller: &str,
) {
    let summary = &report["summary"];
    assert_eq!(*code, 3, "{case}: exit code; summary {summary}");
    let messages = scan005_messages(report);
    assert_eq!(messages.len(), 1, "{case}: {messages:?}");
    assert!(messages[0].contains(call), "{case}: {}", messages[0]);
    let coverage = &report["coverage"];
    assert_eq!(coverage["organization"], "not_listed", "{case}: {coverage}");
    assert!(
        coverage["organization_not_listed"]
            .as_str()
            .unwrap()
            .contains(call),
        "{case}: {coverage}"
    );
    assert!(
        text.contains(
            "the organization's other accounts not assessed (organization not listed, SCAN005"
        ),
        "{case}: text coverage:\n{text}"
    );
    // The caller's own account is still collected and judged.
    assert_eq!(
        status_of(report, "GD001", caller, "us-east-1"),
        ["pass"],
        "{case}"
    );
    // Nothing about the (unscanned) admin is passed or failed.
    for rule in ["ROUTE001", "ROUTE002", "EVT001", "GD003", "GD004"] {
        let judged: Vec<&Value> = report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["rule"] == rule && (f["status"] == "pass" || f["status"] == "fail"))
            .collect();
        assert!(judged.is_empty(), "{case}: {rule} judged: {judged:?}");
    }
    // Organization-wide and other-account outcomes are not assessed for SCAN005.
    for rule in ["ORG001", "GD001"] {
        let unlisted: Vec<&Value> = report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| {
                f["rule"] == rule
                    && f["status"] == "not_assessed"
                    && f["message"].as_str().unwrap().contains("SCAN005")
            })
            .collect();
        assert_eq!(unlisted.len(), 1, "{case}: {rule}");
    }
}

#[test]
fn failed_organization_listing_is_scan005() {
    let h = Harness::start();
    let m = h.seed(&["healthy", "--accounts", "3", "--regions", REGIONS]);
    let management = m["management_account"].as_str().unwrap().to_string();

    h.faults(
        &json!([{"service": "organizations", "operation": "ListAccounts", "kind": "http500"}]),
    );
    let run = scan_both(&h, &[]);
    assert_not_listed(
        "ListAccounts 500",
        &run,
        "organizations:ListAccounts",
        &management,
    );

    h.faults(&json!([{"service": "organizations", "operation": "ListAccounts", "kind": "access_denied"}]));
    let run = scan_both(&h, &[]);
    assert_not_listed(
        "ListAccounts denied",
        &run,
        "organizations:ListAccounts",
        &management,
    );

    h.faults(&json!([{"service": "organizations", "operation": "DescribeOrganization", "kind": "throttle"}]));
    let run = scan_both(&h, &[]);
    assert_not_listed(
        "DescribeOrganization throttled",
        &run,
        "organizations:DescribeOrganization",
        &management,
    );

    h.faults(&json!([]));
    let run = scan_both(&h, &["--ou", "ou-zzzz-99999999"]);
    assert_not_listed(
        "unresolvable --ou",
        &run,
        "organizations:ListAccountsForParent",
        &management,
    );

    // Control: the same org, listed, is assessed whole and passes.
    let (code, report, _) = scan_both(&h, &[]);
    assert_eq!(code, 0, "{}", report["summary"]);
    assert_eq!(report["coverage"]["organization"], "listed");
    assert_eq!(status_of(&report, "SCAN005", "", ""), ["pass"]);
}
