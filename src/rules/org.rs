//! ORG rules.

use crate::outcome::Outcomes;
#[allow(unused_imports)]
use crate::rules::{ADMIN_ROLE, ANY_ROLE, MANAGEMENT_ROLE};
use crate::rules::{Context, rule};

rule!(
    ORG001,
    "no-delegated-admin",
    "org",
    Org,
    High,
    Mgmt,
    [Live, Plan, Hcl],
    MANAGEMENT_ROLE,
    "No GuardDuty delegated administrator in a source region",
    check_org001
);
fn check_org001(_ctx: &Context<'_>, _out: &mut Outcomes) {}

rule!(
    ORG002,
    "admin-is-management-account",
    "org",
    Org,
    High,
    Mgmt,
    [Live, Plan, Hcl],
    MANAGEMENT_ROLE,
    "The GuardDuty delegated administrator is the management account",
    check_org002
);
fn check_org002(_ctx: &Context<'_>, _out: &mut Outcomes) {}

rule!(
    ORG003,
    "admin-inconsistent",
    "org",
    Org,
    Medium,
    Mgmt,
    [Live, Plan, Hcl],
    MANAGEMENT_ROLE,
    "The delegated administrator differs between regions or from config",
    check_org003
);
fn check_org003(_ctx: &Context<'_>, _out: &mut Outcomes) {}
