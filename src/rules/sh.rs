//! SH: the Security Hub route's first leg (docs/terms.md, "Security Hub
//! route"), per source region. Each rule reads the leg the shared analysis
//! computed ([`crate::chain::security_hub`]), so its verdict agrees with the
//! link ROUTE names.

use crate::chain::analysis::FindingWalk;
use crate::chain::links::Link;
use crate::chain::security_hub::{self, HubLeg, member_receives};
use crate::outcome::{Outcomes, ResourceKind, Subject};
use crate::rules::{Context, Rule, SECURITYHUB_ROLE, rule};
use crate::samples;

rule!(
    SH001,
    "guardduty-not-imported",
    High,
    Admin,
    [Live, Plan, Hcl],
    SECURITYHUB_ROLE,
    "Security Hub in the Security Hub administrator is off in a source region, or does not import GuardDuty findings",
    check_sh001
);
rule!(
    SH002,
    "region-not-aggregated",
    High,
    Admin,
    [Live, Plan, Hcl],
    SECURITYHUB_ROLE,
    "A source region is not linked to the Security Hub administrator's finding aggregator",
    check_sh002
);
rule!(
    SH003,
    "member-not-enabled",
    High,
    Admin,
    [Live, Plan, Hcl],
    SECURITYHUB_ROLE,
    "An account is not an Enabled or Associated Security Hub member of the Security Hub administrator",
    check_sh003
);
rule!(
    SH004,
    "automation-rule-hides-findings",
    High,
    Admin,
    [Live, Plan, Hcl],
    None,
    "A Security Hub automation rule changes a sample finding so that a matching EventBridge pattern no longer matches it",
    check_sh004
);

/// This family's rules, in catalog order.
pub(super) const RULES: &[Rule] = &[SH001, SH002, SH003, SH004];

fn region_only(region: &str) -> Subject {
    Subject {
        region: Some(region.to_string()),
        ..Subject::global()
    }
}

/// The region's Security Hub leg, or the region-level outcome that says why
/// there is none.
fn leg<'b, 'a>(fw: &'b FindingWalk<'a>, out: &mut Outcomes) -> Option<&'b HubLeg<'a>> {
    match &fw.security_hub {
        Ok(Some(leg)) => Some(leg),
        Ok(None) if fw.walk.is_none() => None,
        Ok(None) => {
            out.not_applicable(
                region_only(&fw.region),
                "no Security Hub administrator: findings are not routed through Security Hub",
            );
            None
        }
        Err(why) => {
            out.not_assessed(
                region_only(&fw.region),
                format!("the Security Hub route is not assessed: {why}"),
            );
            None
        }
    }
}

/// Report a Security Hub link: its own rule's failure, or a pass that says
/// what holds (another rule's broken link is not this rule's concern).
fn report_link(out: &mut Outcomes, subject: Subject, link: Link, holds: String) {
    match link {
        Link::Ok(note) if note.is_empty() => {
            out.pass(subject, holds);
        }
        Link::Ok(note) => {
            out.pass(subject, format!("{holds} ({note})"));
        }
        other => {
            out.report(subject, other, Some(&holds));
        }
    }
}

fn hub_subject(leg: &HubLeg<'_>) -> Subject {
    Subject::resource(
        &leg.account,
        &leg.region,
        ResourceKind::SecurityHub,
        "hub",
        &leg.hub_origin,
    )
}

fn check_sh001(ctx: &Context<'_>, out: &mut Outcomes) {
    for fw in &ctx.analysis().finding_walks {
        let Some(leg) = leg(fw, out) else { continue };
        report_link(
            out,
            hub_subject(leg),
            leg.imports.clone(),
            format!(
                "Security Hub of administrator {} imports the GuardDuty findings of {}",
                leg.account, leg.region
            ),
        );
    }
}

fn check_sh002(ctx: &Context<'_>, out: &mut Outcomes) {
    for fw in &ctx.analysis().finding_walks {
        let Some(leg) = leg(fw, out) else { continue };
        let aggregated: Vec<_> = leg
            .buses
            .iter()
            .filter_map(|b| b.aggregator.as_ref().map(|a| (b, a)))
            .collect();
        if aggregated.is_empty() {
            let homes = security_hub::aggregators(ctx.inventory, &leg.account).unwrap_or_default();
            let message = if homes.iter().any(|(home, _)| *home == leg.region) {
                format!(
                    "{} is the home region of the finding aggregator",
                    leg.region
                )
            } else {
                "no finding aggregator: findings stay in their own region".to_string()
            };
            let subject = Subject::region(&leg.account, &leg.region);
            if homes.is_empty() {
                out.not_applicable(subject, message);
            } else {
                out.pass(subject, message);
            }
            continue;
        }
        for (bus, (name, origin, link)) in aggregated {
            let subject = Subject::resource(
                &leg.account,
                &bus.region,
                ResourceKind::SecurityHubAggregator,
                name,
                origin,
            );
            let subject = Subject {
                region: Some(leg.region.clone()),
                ..subject
            };
            report_link(
                out,
                subject,
                link.clone(),
                format!("{name} links {}", leg.region),
            );
        }
    }
}

fn check_sh003(ctx: &Context<'_>, out: &mut Outcomes) {
    for fw in &ctx.analysis().finding_walks {
        let Some(leg) = leg(fw, out) else { continue };
        let sh = match security_hub::hub_facts(ctx.inventory, &leg.account, &leg.region) {
            Ok(sh) => sh,
            Err(why) => {
                out.not_assessed(Subject::region(&leg.account, &leg.region), why);
                continue;
            }
        };
        let others: Vec<&String> = ctx
            .inventory
            .accounts
            .keys()
            .filter(|a| **a != leg.account)
            .collect();
        if others.is_empty() {
            out.not_applicable(
                Subject::region(&leg.account, &leg.region),
                "no account other than the Security Hub administrator is in scope",
            );
            continue;
        }
        for member in others {
            let origin = sh
                .members
                .collected()
                .and_then(|m| {
                    m.iter()
                        .find(|x| x.account.value() == Some(member))
                        .map(|x| x.origin.clone())
                })
                .unwrap_or_default();
            let subject = Subject::resource(
                &leg.account,
                &leg.region,
                ResourceKind::SecurityHubMember,
                member,
                &origin,
            );
            report_link(
                out,
                subject,
                member_receives(ctx.inventory, sh, &leg.account, member),
                format!(
                    "account {member} is an enabled Security Hub member of {} in {}",
                    leg.account, leg.region
                ),
            );
        }
    }
}

fn check_sh004(ctx: &Context<'_>, out: &mut Outcomes) {
    let min = ctx.config.pager.min_severity;
    for fw in &ctx.analysis().finding_walks {
        let Some(leg) = leg(fw, out) else { continue };
        let Some(walk) = &fw.walk else { continue };
        let subject = Subject::region(&leg.account, &leg.region);
        let mut broken: Vec<String> = Vec::new();
        let mut first_rule = None;
        for bus in &leg.buses {
            let Some(Ok(rules)) = bus.walk.as_ref().map(|w| &w.rules) else {
                continue;
            };
            for hop in rules {
                for (index, automated) in leg.automation.iter().enumerate() {
                    let severity = walk
                        .events
                        .get(index)
                        .and_then(samples::finding_severity)
                        .unwrap_or(0.0);
                    let now = hop.matched.get(index).copied().flatten();
                    let before = hop.matched.get(leg.samples + index).copied().flatten();
                    if severity >= min && now == Some(false) && before == Some(true) {
                        first_rule.get_or_insert_with(|| automated.changed_by.first().cloned());
                        let label = walk
                            .events
                            .get(index)
                            .map(samples::finding_label)
                            .unwrap_or_default();
                        broken.push(format!(
                            "{label}: {} takes it out of rule {}'s pattern in {}",
                            automated.label(),
                            crate::chain::links::rule_label(hop.rule.item),
                            bus.region
                        ));
                    }
                }
            }
        }
        if let Some(Some((name, origin, _))) = first_rule {
            let subject = Subject::resource(
                &leg.account,
                &leg.automation_region,
                ResourceKind::SecurityHubAutomationRule,
                &name,
                &origin,
            );
            let subject = Subject {
                region: Some(leg.region.clone()),
                ..subject
            };
            out.fail(
                subject,
                format!(
                    "Security Hub automation rules in {} change sample findings of {} at or above pager.min_severity {min:.1} before the event is sent: {}",
                    leg.automation_region,
                    leg.region,
                    broken.join("; ")
                ),
            );
            continue;
        }
        if let Some((why, kind)) = leg.automation.iter().find_map(|a| a.unknown.clone()) {
            out.not_assessed_as(subject, why, kind);
            continue;
        }
        let changed = leg.automation.iter().any(|a| !a.changed_by.is_empty());
        let message = if changed {
            "automation rules change sample findings, but every EventBridge pattern that matched them still does"
        } else {
            "no automation rule changes a sample finding"
        };
        out.pass(subject, message);
    }
}
