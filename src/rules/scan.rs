//! SCAN rules.

use crate::outcome::Outcomes;
#[allow(unused_imports)]
use crate::rules::{ADMIN_ROLE, ANY_ROLE, MANAGEMENT_ROLE};
use crate::rules::{Context, rule};

rule!(
    SCAN001,
    "account-not-assessed",
    "scan",
    Scan,
    High,
    Scan,
    [Live],
    None,
    "The role could not be assumed in an active account",
    check_scan001
);
fn check_scan001(_ctx: &Context<'_>, _out: &mut Outcomes) {}

rule!(
    SCAN002,
    "region-not-assessed",
    "scan",
    Scan,
    Medium,
    Scan,
    [Live],
    None,
    "Calls in an enabled region failed",
    check_scan002
);
fn check_scan002(_ctx: &Context<'_>, _out: &mut Outcomes) {}

rule!(
    SCAN003,
    "permission-missing",
    "scan",
    Scan,
    Medium,
    Scan,
    [Live],
    None,
    "A specific call was denied",
    check_scan003
);
fn check_scan003(_ctx: &Context<'_>, _out: &mut Outcomes) {}

rule!(
    SCAN004,
    "terraform-unresolved",
    "scan",
    Scan,
    Low,
    Scan,
    [Plan, Hcl],
    None,
    "A value the rules need could not be resolved from Terraform",
    check_scan004
);
fn check_scan004(_ctx: &Context<'_>, _out: &mut Outcomes) {}
