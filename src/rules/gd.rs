//! GD rules.

use crate::outcome::Outcomes;
#[allow(unused_imports)]
use crate::rules::{ADMIN_ROLE, ANY_ROLE, MANAGEMENT_ROLE};
use crate::rules::{Context, rule};

rule!(
    GD001,
    "detector-missing",
    "gd",
    Gd,
    High,
    Every,
    [Live, Plan, Hcl],
    ANY_ROLE,
    "An in-scope account × enabled region has no GuardDuty detector",
    check_gd001
);
fn check_gd001(_ctx: &Context<'_>, _out: &mut Outcomes) {}

rule!(
    GD002,
    "detector-suspended",
    "gd",
    Gd,
    High,
    Every,
    [Live, Plan, Hcl],
    None,
    "A GuardDuty detector exists but is not ENABLED",
    check_gd002
);
fn check_gd002(_ctx: &Context<'_>, _out: &mut Outcomes) {}

rule!(
    GD003,
    "member-not-enrolled",
    "gd",
    Gd,
    High,
    Admin,
    [Live],
    None,
    "An active organization account is not an Enabled member of the admin's detector",
    check_gd003
);
fn check_gd003(_ctx: &Context<'_>, _out: &mut Outcomes) {}

rule!(
    GD004,
    "org-auto-enable-off",
    "gd",
    Gd,
    Medium,
    Admin,
    [Live, Plan, Hcl],
    ADMIN_ROLE,
    "The organization configuration does not auto-enable all members",
    check_gd004
);
fn check_gd004(_ctx: &Context<'_>, _out: &mut Outcomes) {}

rule!(
    GD005,
    "slow-finding-updates",
    "gd",
    Gd,
    Low,
    Admin,
    [Live, Plan, Hcl],
    ADMIN_ROLE,
    "The admin's detector publishes finding updates slower than every 15 minutes",
    check_gd005
);
fn check_gd005(_ctx: &Context<'_>, _out: &mut Outcomes) {}
