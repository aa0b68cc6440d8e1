//! ROUTE: end to end, per source region. Does a sample finding reach a pager
//! (ROUTE001) and a chat endpoint (ROUTE002)? Paths are enumerated by
//! [`crate::chain::paths`] over the shared walk, and every link is judged by
//! [`crate::chain::links`], so a route verdict always agrees with the link rules that
//! name the broken link.

use crate::chain::analysis::FindingWalk;
use crate::chain::paths::{Goal, Verdict, hub_paths, paths, verdict};
use crate::chain::unmodelled::unmodelled_paths;
use crate::outcome::{Outcomes, Subject};
use crate::rules::{ADMIN_ROLE, AdminLookup, Context, Rule, rule};
use crate::samples;

rule!(
    ROUTE001,
    "no-pager-route",
    Critical,
    Admin,
    [Live, Plan, Hcl],
    ADMIN_ROLE,
    "Some sample finding at or above pager.min_severity reaches no pager endpoint",
    check_route001
);
rule!(
    ROUTE002,
    "no-chat-route",
    High,
    Admin,
    [Live, Plan, Hcl],
    ADMIN_ROLE,
    "Some sample finding at or above chat.min_severity reaches no chat endpoint",
    check_route002
);

/// This family's rules, in catalog order.
pub(super) const RULES: &[Rule] = &[ROUTE001, ROUTE002];

fn check_route001(ctx: &Context<'_>, out: &mut Outcomes) {
    check_route(ctx, out, Goal::Pager, ctx.config.pager.min_severity);
}

fn check_route002(ctx: &Context<'_>, out: &mut Outcomes) {
    check_route(ctx, out, Goal::Chat, ctx.config.chat.min_severity);
}

fn check_route(ctx: &Context<'_>, out: &mut Outcomes, goal: Goal, min_severity: f64) {
    let analysis = ctx.analysis();
    if analysis.finding_walks.is_empty() {
        out.not_assessed(
            Subject::global(),
            "no source region: no GuardDuty admin with an enabled detector was found",
        );
    }
    for fw in &analysis.finding_walks {
        judge_region(ctx, out, fw, goal, min_severity);
    }
}

fn judge_region(
    ctx: &Context<'_>,
    out: &mut Outcomes,
    fw: &FindingWalk<'_>,
    goal: Goal,
    min_severity: f64,
) {
    let region = fw.region.as_str();
    let (admin, walk) = match (&fw.admin, &fw.walk) {
        (AdminLookup::Admin { account, .. }, Some(walk)) => (account.as_str(), walk),
        (AdminLookup::NoAdmin, _) => {
            out.not_applicable(
                Subject {
                    region: Some(region.to_string()),
                    ..Subject::global()
                },
                format!("no GuardDuty administrator in {region} (see ORG001)"),
            );
            return;
        }
        (AdminLookup::Unknown(why), _) => {
            out.not_assessed(
                Subject {
                    region: Some(region.to_string()),
                    ..Subject::global()
                },
                format!("GuardDuty admin unknown: {why}"),
            );
            return;
        }
        (AdminLookup::Admin { .. }, None) => return,
    };
    let subject = Subject::region(admin, region);
    let rules = match &walk.rules {
        Ok(rules) => rules,
        Err(why) => {
            out.not_assessed(
                subject,
                format!("the admin's bus in {region} could not be read: {why}"),
            );
            return;
        }
    };
    let graph = &ctx.analysis().graph;
    let mut failing = Vec::new();
    let mut unknown = Vec::new();
    let mut passing = None;
    for (index, event) in walk.events.iter().enumerate() {
        let severity = samples::finding_severity(event).unwrap_or(0.0);
        if severity < min_severity {
            continue;
        }
        let label = samples::finding_label(event);
        let mut all = paths(graph, walk, rules, index);
        all.extend(hub_paths(graph, walk, &fw.security_hub, index));
        match verdict(all, goal) {
            Verdict::Pass(path) => passing = passing.or(Some(path)),
            Verdict::Fail(path, why) => failing.push((label, path, why, index)),
            Verdict::NotAssessed(path, why, kind) => unknown.push((label, path, why, kind)),
        }
    }
    if let Some((label, path, why, index)) = failing.first() {
        let also = if failing.len() > 1 {
            format!(" ({} of the sample findings fail)", failing.len())
        } else {
            String::new()
        };
        let seen = unmodelled_paths(graph, walk, *index);
        let hint = if seen.is_empty() {
            String::new()
        } else {
            format!(
                ". alertpath saw paths it does not follow: {}",
                seen.join("; ")
            )
        };
        let outcome = out.fail(
            subject,
            format!(
                "{label} in {region} reaches no {}: {why}{also}{hint}",
                goal.noun()
            ),
        );
        outcome.path = path.as_ref().map(|p| p.hops.clone()).unwrap_or_default();
        return;
    }
    if let Some((label, path, why, kind)) = unknown.first() {
        let outcome = out.not_assessed(
            subject,
            format!("{label} in {region}: {}: {why}", goal.noun()),
        );
        outcome.unknown = Some(*kind);
        outcome.path = path.as_ref().map(|p| p.hops.clone()).unwrap_or_default();
        return;
    }
    match passing {
        Some(path) => {
            let outcome = out.pass(
                subject,
                format!(
                    "every sample finding at or above severity {min_severity} reaches a {}",
                    goal.noun()
                ),
            );
            outcome.path = path.hops;
        }
        None => {
            out.not_applicable(
                subject,
                format!("no sample finding is at or above severity {min_severity}"),
            );
        }
    }
}
