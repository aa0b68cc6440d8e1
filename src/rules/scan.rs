//! SCAN: coverage of the scan itself. Their failures count as not assessed (exit 3).

use crate::inventory::{Gap, GapReason, Observed, RegionSlot};
use crate::outcome::{Outcomes, ResourceKind, Subject};
use crate::rules::{Context, Rule, rule};

rule!(
    SCAN001,
    "account-not-assessed",
    High,
    Scan,
    [Live],
    None,
    "The role could not be assumed in an active account",
    check_scan001
);
rule!(
    SCAN002,
    "region-not-assessed",
    Medium,
    Scan,
    [Live],
    None,
    "Calls in an enabled region failed",
    check_scan002
);
rule!(
    SCAN003,
    "permission-missing",
    Medium,
    Scan,
    [Live],
    None,
    "A specific call was denied",
    check_scan003
);
rule!(
    SCAN004,
    "terraform-unresolved",
    Low,
    Scan,
    [Plan, Hcl],
    None,
    "A value the rules need could not be resolved from Terraform",
    check_scan004
);

rule!(
    SCAN005,
    "organization-not-listed",
    High,
    Scan,
    [Live],
    None,
    "The organization's accounts could not be listed",
    check_scan005
);

/// This family's rules, in catalog order.
pub(super) const RULES: &[Rule] = &[SCAN001, SCAN002, SCAN003, SCAN004, SCAN005];

fn check_scan001(ctx: &Context<'_>, out: &mut Outcomes) {
    for (id, account) in &ctx.inventory.accounts {
        let subject = Subject::account(id);
        match account.access.gap() {
            Some(gap) => {
                out.fail(
                    subject,
                    format!("account {id} was not assessed: {}", gap.describe()),
                );
            }
            None => {
                out.pass(subject, "account assessed");
            }
        }
    }
}

fn is_denied(gap: &Gap) -> bool {
    gap.reason == GapReason::AccessDenied
}

fn check_scan002(ctx: &Context<'_>, out: &mut Outcomes) {
    for (id, account) in &ctx.inventory.accounts {
        if account.access.gap().is_some() {
            continue;
        }
        if let Some(gap) = account.region_discovery.as_ref().filter(|g| !is_denied(g)) {
            out.fail(
                Subject::account(id),
                format!(
                    "the enabled regions of {id} could not be listed, so only {} were scanned: {}",
                    scanned_regions(account),
                    gap.describe()
                ),
            );
        }
        for (region, slot) in &account.regions {
            let subject = Subject::region(id, region);
            let RegionSlot::Enabled(observed) = slot else {
                continue;
            };
            let failed: Vec<String> = match observed.as_ref() {
                Observed::Gap(gap) if !is_denied(gap) => vec![gap.describe()],
                Observed::Gap(_) => Vec::new(),
                Observed::Collected(facts) => facts
                    .gaps()
                    .into_iter()
                    .filter(|(_, g)| !is_denied(g))
                    .map(|(group, g)| format!("{group}: {}", g.describe()))
                    .collect(),
            };
            if failed.is_empty() {
                out.pass(
                    subject,
                    "every call succeeded or was only denied (see SCAN003)",
                );
            } else {
                out.fail(
                    subject,
                    format!(
                        "{region} of {id} was not fully assessed: {}",
                        failed.join("; ")
                    ),
                );
            }
        }
    }
}

fn check_scan003(ctx: &Context<'_>, out: &mut Outcomes) {
    if let Some(org) = &ctx.inventory.organization {
        let subject = Subject::account(&org.management_account);
        let denied: Vec<&Gap> = org
            .gaps()
            .into_iter()
            .map(|(_, g)| g)
            .filter(|g| is_denied(g))
            .collect();
        let caller_is_management = ctx
            .inventory
            .source
            .caller
            .as_ref()
            .is_some_and(|c| c.account == org.management_account);
        let policy = if caller_is_management {
            "the policy of the principal that runs alertpath (`alertpath init-policy --for caller,management` prints it)"
        } else {
            "the management role's policy (`alertpath init-policy --for management` prints it)"
        };
        report_denied(out, subject, &denied, policy);
    }
    for (id, account) in &ctx.inventory.accounts {
        let policy = whose_policy(ctx, id);
        if account.access.gap().is_some() {
            continue;
        }
        if let Some(gap) = account.region_discovery.as_ref().filter(|g| is_denied(g)) {
            let outcome = out.fail(
                Subject::account(id),
                format!(
                    "{} was denied, so only {} of {id} were scanned; add it to {policy}",
                    gap.call.as_deref().unwrap_or("account:ListRegions"),
                    scanned_regions(account)
                ),
            );
            outcome.subject.resource = Some(crate::outcome::ResourceRef {
                kind: ResourceKind::IamAction,
                name: gap
                    .call
                    .clone()
                    .unwrap_or_else(|| "account:ListRegions".into()),
                origin: Default::default(),
                attribute: None,
            });
        }
        for (region, slot) in &account.regions {
            let RegionSlot::Enabled(observed) = slot else {
                continue;
            };
            let denied: Vec<&Gap> = match observed.as_ref() {
                Observed::Gap(gap) => vec![gap],
                Observed::Collected(facts) => facts.gaps().into_iter().map(|(_, g)| g).collect(),
            }
            .into_iter()
            .filter(|g| is_denied(g))
            .collect();
            report_denied(out, Subject::region(id, region), &denied, policy);
        }
    }
}

/// Whose policy lacks an action denied in `account`: the caller reads its own
/// account with its own credentials, every other account through the audit role.
fn whose_policy(ctx: &Context<'_>, account: &str) -> &'static str {
    let caller = ctx.inventory.source.caller.as_ref();
    if caller.is_some_and(|c| c.account == account) {
        "the policy of the principal that runs alertpath (`alertpath init-policy --for caller` prints it)"
    } else {
        "the audit role's policy (`alertpath init-policy` prints it)"
    }
}

/// One finding per denied IAM action in a scope, naming the policy to add it
/// to; a pass when none.
fn report_denied(out: &mut Outcomes, subject: Subject, denied: &[&Gap], policy: &str) {
    if denied.is_empty() {
        out.pass(subject, "no call was denied");
        return;
    }
    let mut actions: Vec<&str> = denied
        .iter()
        .map(|g| g.call.as_deref().unwrap_or("an unnamed call"))
        .collect();
    actions.sort_unstable();
    actions.dedup();
    for action in actions {
        let mut s = subject.clone();
        s.resource = Some(crate::outcome::ResourceRef {
            kind: ResourceKind::IamAction,
            name: action.to_string(),
            origin: Default::default(),
            attribute: None,
        });
        out.fail(s, format!("{action} was denied; add it to {policy}"));
    }
}

fn check_scan004(ctx: &Context<'_>, out: &mut Outcomes) {
    let unresolved = ctx
        .inventory
        .terraform
        .as_ref()
        .map(|t| t.unresolved.as_slice())
        .unwrap_or_default();
    if unresolved.is_empty() {
        out.pass(Subject::global(), "every value the rules need was resolved");
        return;
    }
    for item in unresolved {
        let subject = Subject {
            resource: Some(crate::outcome::ResourceRef {
                kind: ResourceKind::TerraformExpression,
                name: item.origin.label().unwrap_or(&item.expression).to_string(),
                origin: item.origin.clone(),
                attribute: None,
            }),
            ..Subject::global()
        };
        out.fail(
            subject,
            format!(
                "`{}` could not be resolved: {}",
                item.expression, item.reason
            ),
        );
    }
}

/// The regions of an account that were scanned, for messages.
fn scanned_regions(account: &crate::inventory::Account) -> String {
    let regions: Vec<&str> = account.regions.keys().map(String::as_str).collect();
    if regions.is_empty() {
        "no region".to_string()
    } else {
        regions.join(", ")
    }
}

/// The subject is the organization as a whole (no account), so that with
/// `--baseline` it stands for every rule in every account (see
/// `report::sarif::baseline`).
fn check_scan005(ctx: &Context<'_>, out: &mut Outcomes) {
    let subject = Subject::global();
    match &ctx.inventory.organization_not_listed {
        Some(gap) => {
            let scanned: Vec<&str> = ctx.inventory.accounts.keys().map(String::as_str).collect();
            out.fail(
                subject,
                format!(
                    "the organization's accounts could not be listed: {}; only {} was scanned, and nothing about the other accounts or the organization as a whole was judged",
                    gap.describe(),
                    if scanned.is_empty() { "no account".to_string() } else { scanned.join(", ") }
                ),
            );
        }
        None if ctx.inventory.organization.is_none() => {
            out.not_applicable(subject, "no organization visible");
        }
        None => {
            out.pass(subject, "the organization's accounts were listed");
        }
    }
}
