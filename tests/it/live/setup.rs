//! Issue 20 item 9: the documented IAM set-up works on a real organization.
//! alertpath runs as a CI role in the security account (not the management
//! account), lists the organization through `--management-role`, and reaches
//! every other account through the audit role. Each principal's calls, as the
//! fault proxy saw them, are allowed by the policy `alertpath init-policy
//! --for …` prints for it, and by nothing broader: the audit role assumes
//! nothing, and the caller assumes only the two named roles. A listing that
//! leaves out the caller's own account is incomplete (SCAN005).

use alertpath::policy::{Decision, Policy, Principal, Request};
use serde_json::{Value, json};

use super::REGIONS;
use super::harness::{Harness, outcomes};

const CI_ROLE: &str = "alertpath-ci";
const MANAGEMENT_ROLE: &str = "alertpath-management";

/// What AWS answers a member account that calls a management-only API.
fn member_is_denied_management_calls(h: &Harness, member: &str) {
    let denied = [
        ("organizations", "ListAccounts"),
        ("organizations", "ListRoots"),
        ("organizations", "ListAccountsForParent"),
        ("organizations", "ListDelegatedAdministrators"),
        ("guardduty", "ListOrganizationAdminAccounts"),
        ("securityhub", "ListOrganizationAdminAccounts"),
    ];
    let rules: Vec<Value> = denied
        .iter()
        .map(|(service, operation)| {
            json!({"account": member, "service": service, "operation": operation, "kind": "access_denied"})
        })
        .collect();
    h.faults(&Value::Array(rules));
}

fn scan_args(extra: &[&str]) -> Vec<String> {
    let mut args: Vec<String> = ["scan", "--quiet", "--format", "json", "--regions", REGIONS]
        .iter()
        .map(|s| s.to_string())
        .collect();
    args.extend(extra.iter().map(|s| s.to_string()));
    args
}

fn init_policy(args: &[&str]) -> Value {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_alertpath"))
        .arg("init-policy")
        .args(args)
        .output()
        .expect("run init-policy");
    assert!(out.status.success(), "init-policy {args:?}");
    serde_json::from_slice(&out.stdout).expect("init-policy prints JSON")
}

/// Whether an identity policy attached to a principal of `account` allows
/// `action` on `resource` (the resource-policy evaluator, with every statement
/// granted to that principal).
fn allows(policy: &Value, account: &str, action: &str, resource: &str) -> bool {
    let mut granted = policy.clone();
    for statement in granted["Statement"].as_array_mut().expect("statements") {
        statement["Principal"] = json!({"AWS": "*"});
    }
    let policy = Policy::from_value(&granted).expect("a valid policy");
    let request = Request {
        principal: Principal::Aws {
            account: account.to_string(),
            arn: None,
        },
        action: action.to_string(),
        resource: resource.to_string(),
        context: Default::default(),
    };
    policy.evaluate(&request) == Decision::Allow
}

/// The messages of the SCAN005 (organization not listed) outcomes.
fn scan005(report: &Value) -> Vec<String> {
    report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["rule"] == "SCAN005" && f["status"] == "not_assessed")
        .filter_map(|f| f["message"].as_str().map(str::to_string))
        .collect()
}

/// The role name and account of an assumed-role session ARN.
fn role_of(principal: &str) -> Option<(&str, &str)> {
    let rest = principal.strip_prefix("arn:aws:sts::")?;
    let (account, rest) = rest.split_once(":assumed-role/")?;
    Some((rest.split('/').next()?, account))
}

#[test]
fn a_scan_from_the_security_account_uses_each_role_within_its_policy() {
    let h = Harness::start();
    let m = h.seed(&["healthy", "--accounts", "3", "--regions", REGIONS]);
    let security = m["security_account"].as_str().unwrap().to_string();
    let management = m["management_account"].as_str().unwrap().to_string();
    let scan_as_management = h.alertpath(
        &scan_args(&[])
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>(),
    );
    let expected = outcomes(&super::json_report(&scan_as_management));
    assert_eq!(scan_as_management.status.code(), Some(0));

    let ci = h.assume(&format!("arn:aws:iam::{security}:role/{CI_ROLE}"));

    // moto answers a member account's ListAccounts with no account at all (AWS
    // denies it): a listing without the caller's own account is incomplete,
    // SCAN005, never a scan of nothing that passes.
    let args = scan_args(&[]);
    let out = h.alertpath_as(&ci, &args.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(out.status.code(), Some(3));
    let report = super::json_report(&out);
    assert_eq!(report["coverage"]["organization"], "not_listed");
    assert!(
        scan005(&report)[0].contains(&format!(
            "the answer names 0 account(s) but not the caller's account {security}, so the listing is incomplete"
        )),
        "{:?}",
        scan005(&report)
    );

    h.reset_proxy();
    member_is_denied_management_calls(&h, &security);

    // Without --management-role a member account cannot list the
    // organization: SCAN005, saying what to give.
    let args = scan_args(&[]);
    let out = h.alertpath_as(&ci, &args.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(out.status.code(), Some(3));
    let report = super::json_report(&out);
    let scan005 = scan005(&report);
    assert_eq!(scan005.len(), 1, "{scan005:?}");
    assert!(
        scan005[0].contains(&format!(
            "the caller ({security}) is not the management account ({management}): give --management-role"
        )),
        "{}",
        scan005[0]
    );

    // With it, the whole organization, judged as from the management account.
    h.reset_proxy();
    member_is_denied_management_calls(&h, &security);
    let args = scan_args(&["--management-role", MANAGEMENT_ROLE]);
    let out = h.alertpath_as(&ci, &args.iter().map(String::as_str).collect::<Vec<_>>());
    let report = super::json_report(&out);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}\n{}",
        report["summary"],
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(outcomes(&report), expected);

    // Every call, by the principal that made it, within that principal's policy.
    let policies = [
        (
            CI_ROLE,
            init_policy(&["--for", "caller", "--management-role", MANAGEMENT_ROLE]),
        ),
        ("alertpath-audit", init_policy(&["--for", "audit"])),
        (MANAGEMENT_ROLE, init_policy(&["--for", "management"])),
    ];
    let stats = h.proxy_stats();
    let by_principal = stats["requests_by_principal"].as_object().unwrap();
    let mut seen_roles = Vec::new();
    for (principal, calls) in by_principal {
        let (role, account) =
            role_of(principal).unwrap_or_else(|| panic!("an unexpected principal: {principal}"));
        let (_, policy) = policies
            .iter()
            .find(|(name, _)| *name == role)
            .unwrap_or_else(|| panic!("calls by an unexpected role {principal}: {calls}"));
        seen_roles.push(role.to_string());
        for call in calls.as_object().unwrap().keys() {
            let action = call.replacen('.', ":", 1);
            if action == "sts:AssumeRole" {
                for target in stats["roles_assumed_by_principal"][principal.as_str()]
                    .as_array()
                    .unwrap()
                {
                    let target = target.as_str().unwrap();
                    assert!(
                        allows(policy, account, &action, target),
                        "{role} assumed {target}, which its policy does not allow"
                    );
                }
            } else {
                assert!(
                    allows(policy, account, &action, "*"),
                    "{role} called {action}, which its policy does not allow"
                );
            }
        }
    }
    seen_roles.sort();
    seen_roles.dedup();
    assert_eq!(seen_roles, ["alertpath-audit", CI_ROLE, MANAGEMENT_ROLE]);
    // The organization was listed by the management role, not the caller.
    let listed_by = |role: &str| {
        by_principal.iter().any(|(p, calls)| {
            role_of(p).is_some_and(|(r, _)| r == role)
                && calls.get("organizations.ListAccounts").is_some()
        })
    };
    assert!(listed_by(MANAGEMENT_ROLE) && !listed_by(CI_ROLE));
}
