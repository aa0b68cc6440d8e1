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
    let mut judged = 0usize;
    let mut failing = Vec::new();
    let mut unknown = Vec::new();
    let mut passing = None;
    for (index, event) in walk.events.iter().enumerate() {
        let severity = samples::finding_severity(event).unwrap_or(0.0);
        if severity < min_severity {
            continue;
        }
        judged += 1;
        let sample = samples::finding_short(event);
        let mut all = paths(graph, walk, rules, index);
        all.extend(hub_paths(graph, walk, &fw.security_hub, index));
        match verdict(all, goal) {
            Verdict::Pass(path) => passing = passing.or(Some(path)),
            Verdict::Fail(path, why) => failing.push((sample, path, why, index)),
            Verdict::NotAssessed(path, why, kind) => unknown.push((sample, path, why, kind)),
        }
    }
    let noun = goal.noun();
    if let Some((_, path, _, _)) = failing.first() {
        let mut seen: Vec<String> = Vec::new();
        for (_, _, _, index) in &failing {
            for hint in unmodelled_paths(graph, walk, *index) {
                if !seen.contains(&hint) {
                    seen.push(hint);
                }
            }
        }
        let hint = if seen.is_empty() {
            String::new()
        } else {
            format!(
                ". alertpath saw paths it does not follow: {}",
                seen.join("; ")
            )
        };
        let breaks = by_reason(failing.iter().map(|(s, _, why, _)| (s, why)));
        let outcome = out.fail(
            subject,
            format!(
                "{} of {judged} sample findings at or above severity {min_severity} in {region} reach no {noun}: {breaks}{hint}",
                failing.len()
            ),
        );
        outcome.path = path.as_ref().map(|p| p.hops.clone()).unwrap_or_default();
        return;
    }
    if let Some((_, path, _, kind)) = unknown.first() {
        let undecided = by_reason(unknown.iter().map(|(s, _, why, _)| (s, why)));
        let outcome = out.not_assessed(
            subject,
            format!(
                "{} of {judged} sample findings at or above severity {min_severity} in {region} could not be judged for a {noun}: {undecided}",
                unknown.len()
            ),
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

/// Samples and the reason each fails (or is undecided), grouped by reason in
/// the order first met: `9.5 Trojan:…: why (EVT001); 7.0 Backdoor:…, 8.0
/// CryptoCurrency:…: why (SNS001)`. Every sample is named, each distinct break
/// once, with its first broken link.
fn by_reason<'s>(items: impl Iterator<Item = (&'s String, &'s String)>) -> String {
    let mut groups: Vec<(&String, Vec<&String>)> = Vec::new();
    for (sample, why) in items {
        match groups.iter_mut().find(|(w, _)| *w == why) {
            Some((_, samples)) => samples.push(sample),
            None => groups.push((why, vec![sample])),
        }
    }
    groups
        .iter()
        .map(|(why, samples)| {
            let names: Vec<&str> = samples.iter().map(|s| s.as_str()).collect();
            format!("{}: {why}", names.join(", "))
        })
        .collect::<Vec<_>>()
        .join("; ")
}
