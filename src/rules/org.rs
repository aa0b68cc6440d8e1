//! ORG: delegated administration, judged from the management account's view.

use std::collections::BTreeMap;

use crate::inventory::{ManagementView, Observed};
use crate::outcome::{Outcomes, Subject};
use crate::rules::{Context, MANAGEMENT_ROLE, Rule, rule};

rule!(
    ORG001,
    "no-delegated-admin",
    High,
    Mgmt,
    [Live, Plan, Hcl],
    MANAGEMENT_ROLE,
    "No GuardDuty delegated administrator in a source region",
    check_org001
);
rule!(
    ORG002,
    "admin-is-management-account",
    High,
    Mgmt,
    [Live, Plan, Hcl],
    MANAGEMENT_ROLE,
    "The GuardDuty delegated administrator is the management account",
    check_org002
);
rule!(
    ORG003,
    "admin-inconsistent",
    Medium,
    Mgmt,
    [Live, Plan, Hcl],
    MANAGEMENT_ROLE,
    "The delegated administrator differs between regions or from config",
    check_org003
);

/// This family's rules, in catalog order.
pub(super) const RULES: &[Rule] = &[ORG001, ORG002, ORG003];

/// The management view, or an outcome saying why the rule cannot use it.
fn management_view<'a>(
    ctx: &Context<'a>,
    out: &mut Outcomes,
) -> Option<(&'a str, &'a ManagementView)> {
    let Some(org) = &ctx.inventory.organization else {
        out.not_applicable(Subject::global(), "no organization visible");
        return None;
    };
    match &org.management_view {
        Observed::Collected(view) => Some((org.management_account.as_str(), view)),
        Observed::Gap(gap) => {
            out.not_assessed(
                Subject::account(&org.management_account),
                format!(
                    "the management account's view was not collected (give --management-role): {}",
                    gap.describe()
                ),
            );
            None
        }
    }
}

/// Per source region: the enabled admins, or why they are not known.
fn admins_by_region(
    ctx: &Context<'_>,
    view: &ManagementView,
) -> BTreeMap<String, Result<Vec<String>, String>> {
    ctx.source_regions()
        .into_iter()
        .map(|region| {
            let admins = match view.guardduty_admins.get(&region) {
                None => Err(format!("GuardDuty admins were not asked in {region}")),
                Some(Observed::Gap(gap)) => Err(gap.describe()),
                Some(Observed::Collected(list)) => {
                    let mut unknown = None;
                    let mut known = Vec::new();
                    for admin in list.iter().filter(|a| a.status == "ENABLED") {
                        match admin.account.value() {
                            Some(a) => known.push(a.clone()),
                            None => unknown = admin.account.why().map(|w| w.describe()),
                        }
                    }
                    match unknown {
                        Some(why) if known.is_empty() => Err(format!("admin account {why}")),
                        _ => Ok(known),
                    }
                }
            };
            (region, admins)
        })
        .collect()
}

fn region_subject(management: &str, region: &str) -> Subject {
    Subject::region(management, region)
}

fn check_org001(ctx: &Context<'_>, out: &mut Outcomes) {
    let Some((management, view)) = management_view(ctx, out) else {
        return;
    };
    for (region, admins) in admins_by_region(ctx, view) {
        let subject = region_subject(management, &region);
        match admins {
            Err(why) => {
                out.not_assessed(subject, why);
            }
            Ok(admins) if admins.is_empty() => {
                out.fail(
                    subject,
                    format!("no GuardDuty delegated administrator in {region}: member findings there roll up nowhere"),
                );
            }
            Ok(admins) => {
                out.pass(
                    subject,
                    format!("delegated administrator {}", admins.join(", ")),
                );
            }
        }
    }
}

fn check_org002(ctx: &Context<'_>, out: &mut Outcomes) {
    let Some((management, view)) = management_view(ctx, out) else {
        return;
    };
    for (region, admins) in admins_by_region(ctx, view) {
        let subject = region_subject(management, &region);
        match admins {
            Err(why) => {
                out.not_assessed(subject, why);
            }
            Ok(admins) if admins.is_empty() => {
                out.not_applicable(
                    subject,
                    format!("no delegated administrator in {region} (see ORG001)"),
                );
            }
            Ok(admins) if admins.iter().any(|a| a == management) => {
                out.fail(
                    subject,
                    format!("the GuardDuty administrator in {region} is the management account {management}; delegate to a security account"),
                );
            }
            Ok(admins) => {
                out.pass(
                    subject,
                    format!(
                        "administrator {} is not the management account",
                        admins.join(", ")
                    ),
                );
            }
        }
    }
}

fn check_org003(ctx: &Context<'_>, out: &mut Outcomes) {
    let Some((management, view)) = management_view(ctx, out) else {
        return;
    };
    let subject = Subject::account(management);
    let by_region = admins_by_region(ctx, view);
    let known: BTreeMap<&str, &Vec<String>> = by_region
        .iter()
        .filter_map(|(r, a)| {
            a.as_ref()
                .ok()
                .filter(|a| !a.is_empty())
                .map(|a| (r.as_str(), a))
        })
        .collect();
    if known.is_empty() {
        out.not_assessed(subject, "no region's delegated administrator is known");
        return;
    }
    let listing = known
        .iter()
        .map(|(r, a)| format!("{r}: {}", a.join("+")))
        .collect::<Vec<_>>()
        .join(", ");
    let mut distinct: Vec<&String> = known.values().flat_map(|a| a.iter()).collect();
    distinct.sort();
    distinct.dedup();
    if distinct.len() > 1 {
        out.fail(
            subject,
            format!("the delegated administrator differs between regions ({listing})"),
        );
        return;
    }
    if let Some(expected) = &ctx.config.guardduty.admin_account
        && distinct.iter().any(|a| *a != expected)
    {
        out.fail(
            subject,
            format!("the delegated administrator is not the configured {expected} ({listing})"),
        );
        return;
    }
    out.pass(
        subject,
        format!("one delegated administrator everywhere ({listing})"),
    );
}
