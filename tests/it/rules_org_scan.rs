//! ORG and SCAN rules.

use crate::common::lines::{rule_lines, rule_lines_with};
use crate::common::*;
use alertpath::inventory::*;
use alertpath::outcome::Status::*;

const UE: &str = "us-east-1";
const EW: &str = "eu-west-1";

fn org(admin_regions: &[&str]) -> Org {
    Org::new()
        .account(MGMT, &[UE, EW])
        .account(ADMIN, &[UE, EW])
        .detector(ADMIN, UE, "ENABLED", "FIFTEEN_MINUTES")
        .detector(ADMIN, EW, "ENABLED", "FIFTEEN_MINUTES")
        .admin(ADMIN, admin_regions)
}

fn set_admins(inv: &mut Inventory, region: &str, admins: Observed<Vec<GuardDutyAdmin>>) {
    let org = inv.organization.as_mut().unwrap();
    if let Observed::Collected(view) = &mut org.management_view {
        view.guardduty_admins.insert(region.into(), admins);
    }
}

fn admin_entry(account: &str) -> GuardDutyAdmin {
    GuardDutyAdmin {
        account: Known::Value(account.into()),
        status: "ENABLED".into(),
        origin: Origin::default(),
    }
}

#[test]
fn org001_fails_in_a_source_region_without_admin() {
    let mut inv = org(&[UE]).build();
    set_admins(&mut inv, EW, Observed::Collected(vec![]));
    let report = run(&inv);
    assert_eq!(
        status_at(&report, "ORG001", Some(MGMT), Some(UE), None),
        vec![Pass]
    );
    assert_eq!(
        status_at(&report, "ORG001", Some(MGMT), Some(EW), None),
        vec![Fail]
    );
}

#[test]
fn org001_gap_not_assessed_no_org_not_applicable_and_waiver() {
    let mut inv = org(&[UE]).build();
    set_admins(
        &mut inv,
        EW,
        Observed::Gap(denied("guardduty:ListOrganizationAdminAccounts")),
    );
    assert_eq!(
        status_at(&run(&inv), "ORG001", Some(MGMT), Some(EW), None),
        vec![NotAssessed]
    );
    let standalone = Org::standalone().account(ADMIN, &[UE]).build();
    assert_eq!(statuses(&run(&standalone), "ORG001"), vec![NotApplicable]);
    set_admins(&mut inv, EW, Observed::Collected(vec![]));
    let report = run_with(&inv, &with_waivers(vec![waiver("ORG001", None, Some(EW))]));
    assert_eq!(
        status_at(&report, "ORG001", Some(MGMT), Some(EW), None),
        vec![Waived]
    );
}

#[test]
fn org001_without_management_view_is_not_assessed() {
    let mut inv = org(&[UE, EW]).build();
    inv.organization.as_mut().unwrap().management_view = Observed::Gap(Gap {
        reason: GapReason::Other,
        call: None,
        message: "no --management-role given".into(),
    });
    for rule in ["ORG001", "ORG002", "ORG003"] {
        assert_eq!(statuses(&run(&inv), rule), vec![NotAssessed], "{rule}");
    }
}

#[test]
fn org002_management_account_as_admin_fails() {
    let mut inv = org(&[UE]).build();
    set_admins(&mut inv, EW, Observed::Collected(vec![admin_entry(MGMT)]));
    let report = run(&inv);
    assert_eq!(
        status_at(&report, "ORG002", Some(MGMT), Some(UE), None),
        vec![Pass]
    );
    assert_eq!(
        status_at(&report, "ORG002", Some(MGMT), Some(EW), None),
        vec![Fail]
    );
    let waived = run_with(
        &inv,
        &with_waivers(vec![waiver("ORG002", Some(MGMT), Some(EW))]),
    );
    assert_eq!(
        status_at(&waived, "ORG002", Some(MGMT), Some(EW), None),
        vec![Waived]
    );
}

#[test]
fn org003_inconsistency_between_regions_and_config() {
    let consistent = org(&[UE, EW]).build();
    assert_eq!(statuses(&run(&consistent), "ORG003"), vec![Pass]);
    let mut config = with_waivers(vec![]);
    config.guardduty.admin_account = Some("100000000009".into());
    assert_eq!(
        statuses(&run_with(&consistent, &config), "ORG003"),
        vec![Fail]
    );
    let mut split = org(&[UE]).account("100000000009", &[EW]).build();
    set_admins(
        &mut split,
        EW,
        Observed::Collected(vec![admin_entry("100000000009")]),
    );
    let report = run(&split);
    assert_eq!(statuses(&report, "ORG003"), vec![Fail]);
    let waived = run_with(&split, &with_waivers(vec![waiver("ORG003", None, None)]));
    assert_eq!(statuses(&waived, "ORG003"), vec![Waived]);
}

#[test]
fn scan001_counts_as_not_assessed_and_is_waivable() {
    let mut inv = org(&[UE, EW]).account("100000000009", &[UE]).build();
    inv.accounts.get_mut("100000000009").unwrap().access = Observed::Gap(denied("sts:AssumeRole"));
    let report = run(&inv);
    assert_eq!(
        status_at(&report, "SCAN001", Some("100000000009"), None, None),
        vec![NotAssessed]
    );
    assert_eq!(
        status_at(&report, "SCAN001", Some(ADMIN), None, None),
        vec![Pass]
    );
    let waived = run_with(
        &inv,
        &with_waivers(vec![waiver("SCAN001", Some("100000000009"), None)]),
    );
    assert_eq!(
        status_at(&waived, "SCAN001", Some("100000000009"), None, None),
        vec![Waived]
    );
}

#[test]
fn scan002_region_and_group_failures_but_not_denials() {
    let mut o = org(&[UE, EW]);
    o.facts(ADMIN, EW).topics = Observed::Gap(Gap {
        reason: GapReason::Throttled,
        call: Some("sns:ListTopics".into()),
        message: "Rate exceeded".into(),
    });
    o.facts(MGMT, EW).alarms = Observed::Gap(denied("cloudwatch:DescribeAlarms"));
    let mut inv = o.build();
    inv.accounts.get_mut(MGMT).unwrap().regions.insert(
        UE.into(),
        RegionSlot::Enabled(Box::new(Observed::Gap(Gap {
            reason: GapReason::EndpointError,
            call: None,
            message: "connection refused".into(),
        }))),
    );
    let report = run(&inv);
    assert_eq!(
        status_at(&report, "SCAN002", Some(ADMIN), Some(EW), None),
        vec![NotAssessed]
    );
    assert_eq!(
        status_at(&report, "SCAN002", Some(MGMT), Some(UE), None),
        vec![NotAssessed]
    );
    assert_eq!(
        status_at(&report, "SCAN002", Some(MGMT), Some(EW), None),
        vec![Pass]
    );
    assert_eq!(
        status_at(&report, "SCAN002", Some(ADMIN), Some(UE), None),
        vec![Pass]
    );
}

#[test]
fn scan003_names_each_denied_action() {
    let mut o = org(&[UE, EW]);
    o.facts(MGMT, EW).alarms = Observed::Gap(denied("cloudwatch:DescribeAlarms"));
    o.facts(MGMT, EW).trails = Observed::Gap(denied("cloudtrail:DescribeTrails"));
    let inv = o.build();
    let report = run(&inv);
    let denied: Vec<String> = of(&report, "SCAN003")
        .into_iter()
        .filter(|f| f.status() == NotAssessed)
        .map(|f| f.outcome.subject.resource.as_ref().unwrap().name.clone())
        .collect();
    assert_eq!(
        denied,
        vec!["cloudtrail:DescribeTrails", "cloudwatch:DescribeAlarms"]
    );
    assert_eq!(
        status_at(&report, "SCAN003", Some(ADMIN), Some(UE), None),
        vec![Pass]
    );
    let waived = run_with(
        &inv,
        &with_waivers(vec![waiver("SCAN003", Some(MGMT), Some(EW))]),
    );
    assert_eq!(
        status_at(&waived, "SCAN003", Some(MGMT), Some(EW), None),
        vec![Waived, Waived]
    );
}

#[test]
fn scan_rules_do_not_apply_to_terraform_input_and_scan004_does_not_apply_live() {
    let mut inv = org(&[UE]).build();
    assert_eq!(statuses(&run(&inv), "SCAN004"), vec![NotApplicable]);
    inv.source.kind = SourceKind::Plan;
    inv.terraform = Some(TerraformFacts {
        role: Some(StackRole::GuarddutyAdmin),
        hardcoded_secrets: vec![],
        unresolved: vec![Unresolved {
            origin: Origin {
                address: Some("module.slack".into()),
                ..Origin::default()
            },
            expression: "module.slack.this_slack_topic_arn".into(),
            reason: "registry module not downloaded".into(),
        }],
        ..TerraformFacts::default()
    });
    let report = run(&inv);
    assert_eq!(statuses(&report, "SCAN001"), vec![NotApplicable]);
    insta::assert_snapshot!(rule_lines(&report, "SCAN004"), @"not-assessed | -/-/terraform-expression/module.slack | `module.slack.this_slack_topic_arn` could not be resolved: registry module not downloaded");
}

#[test]
fn stack_role_gates_absence_rules_in_terraform_input() {
    let mut inv = org(&[UE]).build();
    inv.source.kind = SourceKind::Plan;
    let report = run(&inv);
    assert_eq!(statuses(&report, "GD001"), vec![NotApplicable]);
    assert_eq!(statuses(&report, "ORG001"), vec![NotApplicable]);
    inv.terraform = Some(TerraformFacts {
        role: Some(StackRole::Member),
        ..TerraformFacts::default()
    });
    let report = run(&inv);
    assert!(statuses(&report, "GD001").contains(&Pass));
    assert_eq!(statuses(&report, "GD004"), vec![NotApplicable]);
}

#[test]
fn unlisted_regions_are_a_gap_never_silently_skipped() {
    let mut inv = org(&[UE, EW]).build();
    inv.accounts.get_mut(MGMT).unwrap().region_discovery = Some(denied("account:ListRegions"));
    inv.accounts.get_mut(ADMIN).unwrap().region_discovery = Some(Gap {
        reason: GapReason::Timeout,
        call: Some("account:ListRegions".into()),
        message: "timed out".into(),
    });
    let report = run(&inv);
    assert_eq!(
        status_at(
            &report,
            "SCAN003",
            Some(MGMT),
            None,
            Some("account:ListRegions")
        ),
        vec![NotAssessed]
    );
    insta::assert_snapshot!(rule_lines_with(&report, "SCAN002", NotAssessed), @"not-assessed | 100000000002/-/ | the enabled regions of 100000000002 could not be listed, so only eu-west-1, us-east-1 were scanned: account:ListRegions: timed out (timed out)");

    // With only the SCAN rules enabled, the gaps alone make the scan partial.
    let mut config = with_waivers(vec![]);
    config.rules.disable = alertpath::rules::REGISTRY
        .iter()
        .map(|r| r.meta.id.to_string())
        .filter(|id| !id.starts_with("SCAN"))
        .collect();
    let report = run_with(&inv, &config);
    let code = report.exit_code(&alertpath::report::ExitPolicy {
        fail_on: Some(alertpath::severity::Severity::Critical),
        allow_partial: false,
        exit_zero: false,
        strict_unknowns: false,
    });
    assert_eq!(code, 3, "unlisted regions make the scan partial");
}
