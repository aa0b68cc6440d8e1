//! GD rules: fail, pass, not-assessed, not-applicable and waived outcomes.

use crate::common::lines::rule_lines;
use crate::common::*;
use alertpath::inventory::*;
use alertpath::outcome::Status::*;

const UE: &str = "us-east-1";
const EW: &str = "eu-west-1";

fn base() -> Org {
    Org::new()
        .account(ADMIN, &[UE])
        .account(MEMBER, &[UE])
        .admin(ADMIN, &[UE])
        .detector(ADMIN, UE, "ENABLED", "FIFTEEN_MINUTES")
}

#[test]
fn gd001_fails_without_detector_and_passes_with_one() {
    let report = run(&base().build());
    assert_eq!(
        status_at(&report, "GD001", Some(MEMBER), Some(UE), None),
        vec![Fail]
    );
    assert_eq!(
        status_at(&report, "GD001", Some(ADMIN), Some(UE), None),
        vec![Pass]
    );
}

#[test]
fn gd001_gap_is_not_assessed_never_pass() {
    let mut org = base();
    org.facts(MEMBER, UE).guardduty = Observed::Gap(denied("guardduty:ListDetectors"));
    let report = run(&org.build());
    assert_eq!(
        status_at(&report, "GD001", Some(MEMBER), Some(UE), None),
        vec![NotAssessed]
    );
}

#[test]
fn gd001_unreachable_account_and_region_are_not_assessed() {
    let mut inv = base().account("100000000009", &[UE, EW]).build();
    let acct = inv.accounts.get_mut(MEMBER).unwrap();
    acct.access = Observed::Gap(denied("sts:AssumeRole"));
    let other = inv.accounts.get_mut("100000000009").unwrap();
    other.regions.insert(
        EW.into(),
        RegionSlot::Enabled(Box::new(Observed::Gap(Gap {
            reason: GapReason::Timeout,
            call: Some("guardduty:ListDetectors".into()),
            message: "timed out".into(),
        }))),
    );
    let report = run(&inv);
    assert_eq!(
        status_at(&report, "GD001", Some(MEMBER), None, None),
        vec![NotAssessed]
    );
    assert_eq!(
        status_at(&report, "GD001", Some("100000000009"), Some(EW), None),
        vec![NotAssessed]
    );
}

#[test]
fn gd001_region_not_enabled_is_not_applicable() {
    let mut inv = base().build();
    inv.accounts
        .get_mut(MEMBER)
        .unwrap()
        .regions
        .insert("ap-east-1".into(), RegionSlot::NotEnabled);
    let report = run(&inv);
    assert_eq!(
        status_at(&report, "GD001", Some(MEMBER), Some("ap-east-1"), None),
        vec![NotApplicable]
    );
}

#[test]
fn gd001_waiver_applies_to_its_scope_only() {
    let inv = base().account("100000000009", &[UE]).build();
    let config = with_waivers(vec![waiver("GD001", Some(MEMBER), Some(UE))]);
    let report = run_with(&inv, &config);
    assert_eq!(
        status_at(&report, "GD001", Some(MEMBER), Some(UE), None),
        vec![Waived]
    );
    assert_eq!(
        status_at(&report, "GD001", Some("100000000009"), Some(UE), None),
        vec![Fail]
    );
    let waived = &of(&report, "GD001")
        .into_iter()
        .find(|f| f.status() == Waived)
        .unwrap()
        .waiver;
    assert_eq!(waived.as_ref().unwrap().reason, "accepted for the test");
}

#[test]
fn gd002_judges_each_detector() {
    let org = base().detector(MEMBER, UE, "DISABLED", "SIX_HOURS");
    let report = run(&org.build());
    assert_eq!(
        status_at(&report, "GD002", Some(MEMBER), Some(UE), None),
        vec![Fail]
    );
    assert_eq!(
        status_at(&report, "GD002", Some(ADMIN), Some(UE), None),
        vec![Pass]
    );
}

#[test]
fn gd002_unknown_status_is_not_assessed_and_waivable_when_failing() {
    let mut org = base().detector(MEMBER, UE, "DISABLED", "SIX_HOURS");
    org.gd(ADMIN, UE).detectors[0].status =
        Known::after_apply("aws_guardduty_detector.main.enable");
    let inv = org.build();
    let report = run(&inv);
    assert_eq!(
        status_at(&report, "GD002", Some(ADMIN), Some(UE), None),
        vec![NotAssessed]
    );
    let waived = run_with(
        &inv,
        &with_waivers(vec![waiver("GD002", Some(MEMBER), None)]),
    );
    assert_eq!(
        status_at(&waived, "GD002", Some(MEMBER), Some(UE), None),
        vec![Waived]
    );
}

#[test]
fn gd003_membership() {
    let org = base().account("100000000009", &[UE]).members(
        ADMIN,
        UE,
        &[(MEMBER, "Enabled"), ("100000000009", "Invited")],
    );
    let report = run(&org.build());
    assert_eq!(
        status_at(&report, "GD003", Some(ADMIN), Some(UE), Some(MEMBER)),
        vec![Pass]
    );
    assert_eq!(
        status_at(
            &report,
            "GD003",
            Some(ADMIN),
            Some(UE),
            Some("100000000009")
        ),
        vec![Fail]
    );
}

#[test]
fn gd003_missing_member_fails_and_gap_is_not_assessed() {
    let report = run(&base().members(ADMIN, UE, &[]).build());
    assert_eq!(
        status_at(&report, "GD003", Some(ADMIN), Some(UE), Some(MEMBER)),
        vec![Fail]
    );
    let mut org = base();
    org.gd(ADMIN, UE).members = Some(Observed::Gap(denied("guardduty:ListMembers")));
    let report = run(&org.build());
    assert_eq!(statuses(&report, "GD003"), vec![NotAssessed]);
}

/// What GD003 cannot know is not assessed: an account that could not be
/// reached (once, at the account, the SCAN001 form), and a region missing
/// because the account's regions could not be listed. A region known to be
/// off stays not applicable.
#[test]
fn gd003_unreached_accounts_and_unlisted_regions_are_not_assessed() {
    const UNREACHED: &str = "100000000009";
    let org = Org::new()
        .account(ADMIN, &[UE, EW])
        .account(MEMBER, &[UE])
        .account(UNREACHED, &[])
        .admin(ADMIN, &[UE, EW])
        .detector(ADMIN, UE, "ENABLED", "FIFTEEN_MINUTES")
        .detector(ADMIN, EW, "ENABLED", "FIFTEEN_MINUTES")
        .members(ADMIN, UE, &[(MEMBER, "Enabled")])
        .members(ADMIN, EW, &[]);
    let mut inv = org.build();
    inv.accounts.get_mut(UNREACHED).expect("account").access =
        Observed::Gap(denied("sts:AssumeRole"));
    let before = run(&inv);
    assert_eq!(
        status_at(&before, "GD003", Some(ADMIN), Some(EW), Some(MEMBER)),
        vec![NotApplicable],
        "eu-west-1 is absent with no gap: not enabled"
    );
    inv.accounts
        .get_mut(MEMBER)
        .expect("account")
        .region_discovery = Some(denied("account:ListRegions"));
    let report = run(&inv);
    assert_eq!(
        status_at(&report, "GD003", Some(ADMIN), Some(EW), Some(MEMBER)),
        vec![NotAssessed]
    );
    assert_eq!(
        status_at(&report, "GD003", Some(ADMIN), Some(UE), Some(MEMBER)),
        vec![Pass]
    );
    let unreached: Vec<_> = of(&report, "GD003")
        .into_iter()
        .filter(|f| {
            f.outcome.subject.account.as_deref() == Some(UNREACHED)
                || f.outcome
                    .subject
                    .resource
                    .as_ref()
                    .is_some_and(|r| r.name == UNREACHED)
        })
        .collect();
    assert_eq!(unreached.len(), 1, "one outcome for the unreached account");
    assert_eq!(unreached[0].status(), NotAssessed);
    assert!(
        unreached[0].outcome.subject.region.is_none()
            && unreached[0]
                .outcome
                .message
                .starts_with("account not assessed (SCAN001)"),
        "{:?}",
        unreached[0].outcome
    );
}

#[test]
fn gd003_waiver_and_no_org() {
    let inv = base().members(ADMIN, UE, &[]).build();
    let report = run_with(
        &inv,
        &with_waivers(vec![waiver("GD003", Some(ADMIN), Some(UE))]),
    );
    assert_eq!(
        status_at(&report, "GD003", Some(ADMIN), Some(UE), Some(MEMBER)),
        vec![Waived]
    );
    let standalone = Org::standalone().account(ADMIN, &[UE]).build();
    assert_eq!(statuses(&run(&standalone), "GD003"), vec![NotApplicable]);
}

#[test]
fn gd003_admin_unknown_is_not_assessed() {
    let mut inv = base().build();
    inv.organization.as_mut().unwrap().management_view =
        Observed::Gap(denied("guardduty:ListOrganizationAdminAccounts"));
    assert_eq!(statuses(&run(&inv), "GD003"), vec![NotAssessed]);
}

#[test]
fn gd004_all_passes_none_fails() {
    let report = run(&base()
        .auto_enable(ADMIN, UE, Known::Value("ALL".into()))
        .build());
    assert_eq!(statuses(&report, "GD004"), vec![Pass]);
    let report = run(&base()
        .auto_enable(ADMIN, UE, Known::Value("NONE".into()))
        .build());
    assert_eq!(statuses(&report, "GD004"), vec![Fail]);
}

#[test]
fn gd004_new_depends_on_existing_enrolment() {
    let enrolled = base()
        .auto_enable(ADMIN, UE, Known::Value("NEW".into()))
        .members(ADMIN, UE, &[(MEMBER, "Enabled")]);
    assert_eq!(statuses(&run(&enrolled.build()), "GD004"), vec![Pass]);
    let missing = base()
        .auto_enable(ADMIN, UE, Known::Value("NEW".into()))
        .members(ADMIN, UE, &[]);
    let report = run(&missing.build());
    insta::assert_snapshot!(rule_lines(&report, "GD004"), @"fail | 100000000002/us-east-1/guardduty-organization-configuration/organization-configuration | auto-enable is NEW, and 1 existing account(s) are not enrolled: 100000000003; set ALL");
}

#[test]
fn gd004_unknown_is_not_assessed_and_waiver_applies() {
    let unknown = base().auto_enable(ADMIN, UE, Known::after_apply("x"));
    let report = run(&unknown.build());
    assert_eq!(statuses(&report, "GD004"), vec![NotAssessed]);
    assert_eq!(report.summary.known_after_apply, 1);
    let inv = base()
        .auto_enable(ADMIN, UE, Known::Value("NONE".into()))
        .build();
    let report = run_with(&inv, &with_waivers(vec![waiver("GD004", None, None)]));
    assert_eq!(statuses(&report, "GD004"), vec![Waived]);
}

#[test]
fn gd004_missing_config_depends_on_the_source() {
    // Live, organization visible: the admin's configuration was not collected.
    let report = run(&base().build());
    assert_eq!(statuses(&report, "GD004"), vec![NotAssessed]);
    // Live, no organization: nothing to auto-enable.
    let standalone = Org::standalone()
        .account(ADMIN, &[UE])
        .detector(ADMIN, UE, "ENABLED", "FIFTEEN_MINUTES")
        .build();
    let report = run(&standalone);
    insta::assert_snapshot!(rule_lines(&report, "GD004"), @"not-applicable | 100000000002/us-east-1/ | no organization visible: account 100000000002 has no member accounts to auto-enable in us-east-1");
    // A Terraform admin stack that declares no organization configuration fails.
    let mut stack = standalone.clone();
    stack.source.kind = SourceKind::Plan;
    stack.terraform = Some(TerraformFacts {
        role: Some(StackRole::GuarddutyAdmin),
        ..Default::default()
    });
    let report = run(&stack);
    insta::assert_snapshot!(rule_lines(&report, "GD004"), @"fail | 100000000002/us-east-1/ | the stack declares no aws_guardduty_organization_configuration for us-east-1: new and existing accounts are not enrolled automatically");
}

#[test]
fn gd005_judges_only_the_admin() {
    let org = base().detector(MEMBER, UE, "ENABLED", "SIX_HOURS");
    let report = run(&org.build());
    assert_eq!(statuses(&report, "GD005"), vec![Pass]);
    let slow = Org::new()
        .account(ADMIN, &[UE])
        .admin(ADMIN, &[UE])
        .detector(ADMIN, UE, "ENABLED", "SIX_HOURS");
    let inv = slow.build();
    assert_eq!(statuses(&run(&inv), "GD005"), vec![Fail]);
    let report = run_with(
        &inv,
        &with_waivers(vec![waiver("GD005", Some(ADMIN), Some(UE))]),
    );
    assert_eq!(statuses(&report, "GD005"), vec![Waived]);
}

#[test]
fn gd005_without_org_judges_the_scanned_account_and_unknown_is_not_assessed() {
    let mut org = Org::standalone()
        .account(ADMIN, &[UE])
        .detector(ADMIN, UE, "ENABLED", "ONE_HOUR");
    assert_eq!(statuses(&run(&org.inv.clone()), "GD005"), vec![Fail]);
    org.gd(ADMIN, UE).detectors[0].finding_publishing_frequency = Known::after_apply("f");
    assert_eq!(statuses(&run(&org.build()), "GD005"), vec![NotAssessed]);
}
