//! ROOT: root sign-in and root API call coverage.

mod path;

use std::collections::BTreeSet;

use crate::chain::graph::{Graph, Located, Walk};
use crate::inventory::UnknownKind;
use crate::inventory::{Known, Observed, RegionSlot, SourceKind, Trail};
use crate::outcome::{Outcomes, Subject};
use crate::rules::{ANY_ROLE, AdminLookup, Context, Rule, rule};
use crate::samples;

use path::Verdict;

rule!(
    ROOT001,
    "root-login-unmonitored",
    High,
    Every,
    [Live, Plan, Hcl],
    ANY_ROLE,
    "An account's root console sign-in reaches no human",
    check_root001
);
rule!(
    ROOT002,
    "root-rule-wrong-region",
    Medium,
    Every,
    [Live, Plan, Hcl],
    None,
    "A rule matching root sign-in exists only outside the global region",
    check_root002
);
rule!(
    ROOT003,
    "root-api-calls-unmonitored",
    Low,
    Every,
    [Live, Plan, Hcl],
    ANY_ROLE,
    "In some enabled region, root API calls reach no human",
    check_root003
);

/// This family's rules, in catalog order.
pub(super) const RULES: &[Rule] = &[ROOT001, ROOT002, ROOT003];

/// The account's access gap as a not-assessed outcome; `true` when reported.
fn account_unreadable(ctx: &Context<'_>, account: &str, out: &mut Outcomes) -> bool {
    let gap = ctx
        .inventory
        .accounts
        .get(account)
        .and_then(|a| a.access.gap());
    if let Some(gap) = gap {
        out.not_assessed(
            Subject::account(account),
            format!("account not assessed (SCAN001): {}", gap.describe()),
        );
    }
    gap.is_some()
}

/// "Region was not scanned", with how to include it for this source.
fn not_scanned(ctx: &Context<'_>, region: &str, account: &str) -> String {
    let hint = if ctx.source() == SourceKind::Live {
        "include it in --regions"
    } else {
        "it is not one of this stack's regions; if the stack manages it, list it in `[terraform] regions`"
    };
    format!("{region} of account {account} was not scanned ({hint})")
}

/// Why an account's region has no walk: not scanned, not enabled, or a gap.
fn region_unreadable(ctx: &Context<'_>, account: &str, region: &str) -> String {
    match ctx
        .inventory
        .accounts
        .get(account)
        .and_then(|a| a.regions.get(region))
    {
        None => not_scanned(ctx, region, account),
        Some(RegionSlot::NotEnabled) => format!("{region} is not enabled for account {account}"),
        Some(RegionSlot::Enabled(o)) => match o.gap() {
            Some(gap) => format!(
                "{region} of account {account} not assessed (SCAN002): {}",
                gap.describe()
            ),
            None => format!("{region} of account {account} was not collected"),
        },
    }
}

fn check_root001(ctx: &Context<'_>, out: &mut Outcomes) {
    let global = ctx.inventory.global_region();
    let analysis = ctx.analysis();
    for account in ctx.inventory.accounts.keys() {
        let subject = Subject::region(account, global);
        if ctx
            .config
            .root
            .credentials_removed
            .iter()
            .any(|a| a == account)
        {
            out.not_applicable(
                subject,
                format!(
                    "exempt: account {account} is listed in config [root] credentials_removed (its root credentials are centrally removed; alertpath does not verify this)"
                ),
            );
            continue;
        }
        if account_unreadable(ctx, account, out) {
            continue;
        }
        let bus = match analysis.root_walks.iter().find(|w| w.account == *account) {
            Some(walk) => path::walk_verdict(&analysis.graph, walk),
            None => Verdict::Unknown(
                region_unreadable(ctx, account, global),
                UnknownKind::NotObservable,
            ),
        };
        let trail = trail_verdict(ctx, &analysis.graph, account);
        report_root001(out, subject, account, bus, trail);
    }
}

fn report_root001(
    out: &mut Outcomes,
    subject: Subject,
    account: &str,
    bus: Verdict,
    trail: Verdict,
) {
    let both = format!(
        "EventBridge (default bus in the global region): {}; CloudTrail: {}",
        bus.text(),
        trail.text()
    );
    match path::best([bus.clone(), trail.clone()], || bus.clone()) {
        Verdict::Covered(via) => {
            let how = if matches!(bus, Verdict::Covered(_)) {
                "an EventBridge rule"
            } else {
                "a CloudTrail metric filter and alarm"
            };
            out.pass(
                subject,
                format!("root console sign-in of account {account} reaches {via} through {how}"),
            );
        }
        Verdict::Unknown(_, kind) => {
            out.not_assessed(
                subject,
                format!("whether root console sign-in of account {account} reaches a human could not be judged: {both}"),
            )
            .unknown = Some(kind);
        }
        Verdict::Broken(_) => {
            out.fail(
                subject,
                format!("root console sign-in of account {account} reaches no human: {both}"),
            );
        }
    }
}

/// Trails that receive `account`'s events: those listed in its own regions
/// (organization trails appear there too, as shadow trails) and organization
/// trails of the management account. Gaps and unknowns become verdicts of their
/// own; a trail whose log group is in an unscanned account is not assessed.
fn trail_verdict(ctx: &Context<'_>, graph: &Graph<'_>, account: &str) -> Verdict {
    let mut trails: Vec<Located<'_, Trail>> = Vec::new();
    let mut problems: Vec<Verdict> = Vec::new();
    let management = ctx
        .inventory
        .organization
        .as_ref()
        .map(|o| o.management_account.as_str())
        .filter(|m| *m != account);
    for (owner, region, facts) in ctx.inventory.region_facts() {
        let own = owner == account;
        if !own && Some(owner) != management {
            continue;
        }
        let listed = match &facts.trails {
            Observed::Gap(gap) => {
                problems.push(Verdict::Unknown(
                    format!("trails in {owner}/{region}: {}", gap.describe()),
                    UnknownKind::NotObservable,
                ));
                continue;
            }
            Observed::Collected(t) => t,
        };
        for trail in listed {
            if !own {
                match &trail.is_organization_trail {
                    Known::Value(true) => {}
                    Known::Value(false) => continue,
                    Known::Unknown(m) => {
                        problems.push(Verdict::Unknown(
                            format!(
                                "whether a management-account trail is an organization trail: {}",
                                m.unknown.describe()
                            ),
                            m.unknown.kind,
                        ));
                        continue;
                    }
                }
            }
            let duplicate = trails.iter().any(|t| {
                std::ptr::eq(t.item, trail)
                    || (t.item.arn.value().is_some() && t.item.arn.value() == trail.arn.value())
            });
            if !duplicate {
                trails.push(Located {
                    account: owner,
                    region,
                    item: trail,
                });
            }
        }
    }
    let global = ctx.inventory.global_region();
    let found = path::trails_verdict(graph, &trails, global);
    path::best(std::iter::once(found).chain(problems), || {
        Verdict::Broken("no CloudTrail trail".into())
    })
}

/// The rules on `account`'s default bus in `region` that match the root sign-in sample.
fn root_rules<'a>(graph: &Graph<'a>, account: &str, region: &str) -> Result<Vec<String>, String> {
    let event = samples::root_console_sign_in().with_accounts(account, region, account);
    let walk: Walk<'a> = graph.walk(account, region, vec![event]);
    let rules = walk.rules?;
    Ok(rules
        .iter()
        .filter(|hop| hop.rule.account == account && hop.rule.region == region)
        .filter(|hop| hop.matched.first() == Some(&Some(true)))
        .map(|hop| crate::chain::links::rule_label(hop.rule.item))
        .collect())
}

fn check_root002(ctx: &Context<'_>, out: &mut Outcomes) {
    let global = ctx.inventory.global_region();
    let graph = &ctx.analysis().graph;
    for (account, acct) in &ctx.inventory.accounts {
        if account_unreadable(ctx, account, out) {
            continue;
        }
        let subject = Subject::region(account, global);
        let mut elsewhere: Vec<String> = Vec::new();
        let mut in_global: Option<Result<Vec<String>, String>> = None;
        let mut gaps: Vec<String> = Vec::new();
        for (region, slot) in &acct.regions {
            if matches!(slot, RegionSlot::NotEnabled) {
                continue;
            }
            match root_rules(graph, account, region) {
                Ok(rules) if region == global => in_global = Some(Ok(rules)),
                Ok(rules) => elsewhere.extend(rules.into_iter().map(|r| format!("{r} ({region})"))),
                Err(why) if region == global => in_global = Some(Err(why)),
                Err(why) => gaps.push(format!("{region}: {why}")),
            }
        }
        let unscanned = not_scanned(ctx, global, account);
        judge_root002(out, subject, unscanned, global, in_global, elsewhere, gaps);
    }
}

fn judge_root002(
    out: &mut Outcomes,
    subject: Subject,
    unscanned: String,
    global: &str,
    in_global: Option<Result<Vec<String>, String>>,
    elsewhere: Vec<String>,
    gaps: Vec<String>,
) {
    match in_global {
        Some(Ok(rules)) if !rules.is_empty() => {
            out.pass(
                subject,
                format!("root sign-in rule(s) in {global}: {}", rules.join(", ")),
            );
        }
        Some(Err(why)) => {
            out.not_assessed(
                subject,
                format!("the rules in {global} could not be read: {why}"),
            );
        }
        None if !elsewhere.is_empty() => {
            out.not_assessed(
                subject,
                format!(
                    "{unscanned}; root sign-in rule(s) elsewhere: {}",
                    elsewhere.join(", ")
                ),
            );
        }
        _ if !elsewhere.is_empty() => {
            out.fail(
                subject,
                format!(
                    "rule(s) matching root console sign-in exist only outside {global}: {}. Console sign-in events arrive only in {global}, so these never fire",
                    elsewhere.join(", ")
                ),
            );
        }
        _ if !gaps.is_empty() => {
            out.not_assessed(
                subject,
                format!("event rules could not be read in {}", gaps.join("; ")),
            );
        }
        _ => {
            out.not_applicable(subject, "no rule matching root sign-in in any region");
        }
    }
}

/// Whether root API calls in `account`/`region` reach a human.
fn root_api_verdict(ctx: &Context<'_>, graph: &Graph<'_>, account: &str, region: &str) -> Verdict {
    let event = samples::root_api_call().with_accounts(account, region, account);
    let own = path::walk_verdict(graph, &graph.walk(account, region, vec![event]));
    let guardduty = match ctx.admin_for(region) {
        AdminLookup::Admin { account: admin, .. } => {
            let finding =
                samples::root_credential_usage_finding().with_accounts(&admin, region, account);
            let walk = graph.walk(&admin, region, vec![finding]);
            let hub_admin = crate::chain::security_hub::hub_admin(ctx.inventory, ctx.config);
            let leg = crate::chain::security_hub::leg(graph, &hub_admin, region, &walk.events);
            let hub = path::hub_verdict(graph, &walk, &leg);
            path::best([path::walk_verdict(graph, &walk), hub], || {
                Verdict::Broken(String::new())
            })
        }
        AdminLookup::NoAdmin => Verdict::Broken(format!("no GuardDuty administrator in {region}")),
        AdminLookup::Unknown(why) => Verdict::Unknown(
            format!("GuardDuty administrator in {region}: {why}"),
            UnknownKind::NotObservable,
        ),
    };
    path::best([own, guardduty], || Verdict::Broken(String::new()))
}

fn check_root003(ctx: &Context<'_>, out: &mut Outcomes) {
    let graph = &ctx.analysis().graph;
    for (account, acct) in &ctx.inventory.accounts {
        if account_unreadable(ctx, account, out) {
            continue;
        }
        let mut uncovered: BTreeSet<String> = BTreeSet::new();
        let mut unknown: Vec<(String, UnknownKind)> = Vec::new();
        let mut covered = 0;
        for (region, slot) in &acct.regions {
            let verdict = match slot {
                RegionSlot::NotEnabled => continue,
                RegionSlot::Enabled(o) => match o.gap() {
                    Some(gap) => Verdict::Unknown(
                        format!("not assessed (SCAN002): {}", gap.describe()),
                        UnknownKind::NotObservable,
                    ),
                    None => root_api_verdict(ctx, graph, account, region),
                },
            };
            match verdict {
                Verdict::Covered(_) => covered += 1,
                Verdict::Broken(_) => {
                    uncovered.insert(region.clone());
                }
                Verdict::Unknown(why, kind) => unknown.push((format!("{region} ({why})"), kind)),
            }
        }
        judge_root003(out, account, covered, uncovered, unknown);
    }
}

fn judge_root003(
    out: &mut Outcomes,
    account: &str,
    covered: usize,
    uncovered: BTreeSet<String>,
    unknown: Vec<(String, UnknownKind)>,
) {
    let subject = Subject::account(account);
    // Known-after-apply (or outside this stack) only when every unknown region
    // is (no exit 3 by default).
    let kind = if !unknown.is_empty() && unknown.iter().all(|(_, k)| k.is_soft()) {
        unknown
            .iter()
            .map(|(_, k)| *k)
            .find(|k| *k == UnknownKind::KnownAfterApply)
            .unwrap_or(UnknownKind::OutsideStack)
    } else {
        UnknownKind::NotObservable
    };
    let unknown: Vec<String> = unknown.into_iter().map(|(text, _)| text).collect();
    let unknown_note = if unknown.is_empty() {
        String::new()
    } else {
        format!("; not assessed in {}", unknown.join(", "))
    };
    if !uncovered.is_empty() {
        out.fail(
            subject,
            format!(
                "root API calls in account {account} reach no human in {}: no rule on the default bus matches a root `AWS API Call via CloudTrail` on a route, and no GuardDuty route carries Policy:IAMUser/RootCredentialUsage{unknown_note}",
                uncovered.into_iter().collect::<Vec<_>>().join(", ")
            ),
        );
    } else if !unknown.is_empty() {
        out.not_assessed(
            subject,
            format!(
                "root API call coverage of account {account} could not be judged in {}",
                unknown.join(", ")
            ),
        )
        .unknown = Some(kind);
    } else if covered == 0 {
        out.not_applicable(subject, format!("account {account} has no enabled region"));
    } else {
        out.pass(subject, format!("root API calls reach a human in all {covered} enabled region(s) of account {account}"));
    }
}
