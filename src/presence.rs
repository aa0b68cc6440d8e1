//! Presence that cannot be decided (docs/terms.md): the one owner of how a
//! *maybe present* Terraform resource bears on the rules that judge what a
//! stack lacks.
//!
//! - An absence rule judges the *definite* inventory: the one where resources
//!   of unknown count are left out (rules that judge what is there judge them
//!   as one instance, in the full inventory).
//! - A failure of an absence rule that a maybe-present resource could satisfy
//!   (same account and region, or a region that could not be decided) is not
//!   assessed, never failed.

use std::collections::HashSet;

use crate::catalog::{Family, RuleId};
use crate::inventory::{Inventory, Observed, RegionSlot, UndecidedPresence, UnknownKind};
use crate::outcome::{Outcome, Status};

/// Resources on an alert path: any of them could complete a route.
const CHAIN: &[&str] = &[
    "aws_guardduty_detector",
    "aws_cloudwatch_event_rule",
    "aws_cloudwatch_event_target",
    "aws_sns_topic",
    "aws_sns_topic_policy",
    "aws_sns_topic_subscription",
    "aws_lambda_function",
    "aws_lambda_permission",
    "aws_cloudwatch_metric_alarm",
    "aws_cloudwatch_log_metric_filter",
    "aws_cloudtrail",
];

/// The resource types whose presence could satisfy an absence rule.
pub fn could_satisfy(rule: RuleId) -> &'static [&'static str] {
    match rule {
        RuleId::GD001 => &["aws_guardduty_detector"],
        RuleId::GD004 => &["aws_guardduty_organization_configuration"],
        _ => match rule.family() {
            Family::Org => &["aws_guardduty_organization_admin_account"],
            Family::Evt | Family::Route | Family::Sub | Family::Alm | Family::Root => CHAIN,
            _ => &[],
        },
    }
}

/// The inventory without the resources of unknown count, when there are any.
pub fn definite(inventory: &Inventory) -> Option<Inventory> {
    let maybe: HashSet<&str> = inventory
        .terraform
        .as_ref()?
        .undecided
        .iter()
        .filter(|u| u.judged_as_one)
        .filter_map(|u| u.origin.address.as_deref())
        .collect();
    if maybe.is_empty() {
        return None;
    }
    let mut out = inventory.clone();
    let keep = |address: &Option<String>| address.as_deref().is_none_or(|a| !maybe.contains(a));
    for account in out.accounts.values_mut() {
        for slot in account.regions.values_mut() {
            let RegionSlot::Enabled(observed) = slot else {
                continue;
            };
            let Observed::Collected(facts) = observed.as_mut() else {
                continue;
            };
            if let Observed::Collected(gd) = &mut facts.guardduty {
                gd.detectors.retain(|d| keep(&d.origin.address));
                if let Some(Observed::Collected(c)) = &gd.organization_configuration
                    && !keep(&c.origin.address)
                {
                    gd.organization_configuration = None;
                }
            }
            if let Observed::Collected(rules) = &mut facts.event_rules {
                rules.retain(|r| keep(&r.origin.address));
                for rule in rules.iter_mut() {
                    if let Observed::Collected(targets) = &mut rule.targets {
                        targets.retain(|t| keep(&t.origin.address));
                    }
                }
            }
            retain(&mut facts.topics, |t| keep(&t.origin.address));
            retain(&mut facts.subscriptions, |s| keep(&s.origin.address));
            retain(&mut facts.functions, |f| keep(&f.origin.address));
            retain(&mut facts.alarms, |a| keep(&a.origin.address));
            retain(&mut facts.metric_filters, |m| keep(&m.origin.address));
            retain(&mut facts.trails, |t| keep(&t.origin.address));
        }
    }
    if let Some(org) = &mut out.organization
        && let Observed::Collected(view) = &mut org.management_view
    {
        for admins in view.guardduty_admins.values_mut() {
            retain(admins, |a| keep(&a.origin.address));
        }
        let delegated: Vec<String> = view
            .guardduty_admins
            .values()
            .filter_map(Observed::collected)
            .flatten()
            .filter_map(|a| a.account.value().cloned())
            .collect();
        view.delegated_administrators = Observed::Collected(delegated);
    }
    Some(out)
}

fn retain<T>(group: &mut Observed<Vec<T>>, keep: impl FnMut(&T) -> bool) {
    if let Observed::Collected(items) = group {
        items.retain(keep);
    }
}

/// An absence rule's outcomes with every failure that a maybe-present
/// resource could satisfy turned into "not assessed", naming it.
pub fn settle(rule: RuleId, outcomes: Vec<Outcome>, inventory: &Inventory) -> Vec<Outcome> {
    let Some(tf) = &inventory.terraform else {
        return outcomes;
    };
    let kinds = could_satisfy(rule);
    if tf.undecided.is_empty() || kinds.is_empty() {
        return outcomes;
    }
    outcomes
        .into_iter()
        .map(|mut outcome| {
            if outcome.status != Status::Fail {
                return outcome;
            }
            let maybe: Vec<&UndecidedPresence> = tf
                .undecided
                .iter()
                .filter(|u| kinds.contains(&u.kind.as_str()) && could_be_at(u, &outcome))
                .collect();
            if let Some(first) = maybe.first() {
                let others = match maybe.len() {
                    1 => String::new(),
                    n => format!(" (and {} more)", n - 1),
                };
                outcome.status = Status::NotAssessed;
                outcome.unknown = Some(UnknownKind::Unresolved);
                outcome.message = format!(
                    "maybe present: `{}`{others} could satisfy it, but {} (see SCAN004); without it: {}",
                    first.origin.address.as_deref().unwrap_or(&first.kind),
                    first.reason,
                    outcome.message
                );
            }
            outcome
        })
        .collect()
}

/// Whether a maybe-present resource could be where the outcome is about.
fn could_be_at(u: &UndecidedPresence, outcome: &Outcome) -> bool {
    let same = |mine: &Option<String>, theirs: &Option<String>| match (mine, theirs) {
        (Some(a), Some(b)) => a == b,
        _ => true,
    };
    same(&u.region, &outcome.subject.region) && same(&u.account, &outcome.subject.account)
}
