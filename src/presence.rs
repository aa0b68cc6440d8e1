//! Presence that cannot be decided (docs/terms.md): the one owner of how a
//! *maybe present* Terraform resource bears on the rules that judge what a
//! stack lacks.
//!
//! - An absence rule judges the *definite* inventory, where resources of
//!   unknown count are left out, and the full one, where each is one
//!   instance: a failure that their presence would turn is not assessed.
//!   Rules that judge what is there judge them as one instance.
//! - A failure of an absence rule that a resource whose region could not be
//!   decided could satisfy (same account, any region) is not assessed.
//! - No absence rule fails on a resource whose presence is undecided.

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

/// The resource types whose presence could satisfy an absence rule: what the
/// rule finds missing when it fails.
pub fn could_satisfy(rule: RuleId) -> &'static [&'static str] {
    const ALARMS: &[&str] = &[
        "aws_cloudwatch_metric_alarm",
        "aws_cloudwatch_log_metric_filter",
    ];
    match rule {
        RuleId::GD001 => &["aws_guardduty_detector"],
        RuleId::GD006 => &["aws_guardduty_detector", "aws_guardduty_filter"],
        RuleId::GD004 => &["aws_guardduty_organization_configuration"],
        RuleId::EVT001 => &["aws_guardduty_detector", "aws_cloudwatch_event_rule"],
        RuleId::EVT003 | RuleId::SUB005 | RuleId::ALM001 | RuleId::ALM005 => ALARMS,
        RuleId::SUB004 => &["aws_sns_topic_subscription", "aws_lambda_function"],
        RuleId::SEC003 => CHAIN,
        _ => match rule.family() {
            Family::Gd => &["aws_guardduty_detector"],
            Family::Org => &["aws_guardduty_organization_admin_account"],
            Family::Route | Family::Root => CHAIN,
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

/// An absence rule's outcomes: judged on the definite inventory, except
/// that a failure the resources of unknown count would turn (judged on the
/// full inventory, the subject does not fail) is not assessed, and subjects
/// only the full inventory has (the maybe-present resources themselves) are
/// judged there, a failure among them not assessed. Then every failure that a
/// resource whose region is unknown could satisfy is not assessed.
pub fn judge_absence(
    rule: RuleId,
    full: Vec<Outcome>,
    definite: Option<Vec<Outcome>>,
    inventory: &Inventory,
) -> Vec<Outcome> {
    let Some(tf) = &inventory.terraform else {
        return full;
    };
    let outcomes = match definite {
        None => full,
        Some(definite) => {
            let maybe: Vec<&UndecidedPresence> =
                tf.undecided.iter().filter(|u| u.judged_as_one).collect();
            let kinds = could_satisfy(rule);
            let causes_at = |o: &Outcome| -> Vec<&UndecidedPresence> {
                let mut causes: Vec<&UndecidedPresence> = maybe
                    .iter()
                    .copied()
                    .filter(|u| could_be_at(u, o))
                    .collect();
                // The resources the rule looks for first.
                causes.sort_by_key(|u| !kinds.contains(&u.kind.as_str()));
                causes
            };
            let mut out = Vec::with_capacity(definite.len());
            for mut d in definite {
                if finds_absence(&d) {
                    match full
                        .iter()
                        .find(|f| f.subject.key() == d.subject.key() && f.status == d.status)
                    {
                        // The same verdict even with them present: judged as present.
                        Some(f) => d = f.clone(),
                        None => {
                            let causes = causes_at(&d);
                            mark(&mut d, &causes);
                        }
                    }
                }
                out.push(d);
            }
            for mut f in full {
                if out.iter().any(|d| d.subject.key() == f.subject.key()) {
                    continue;
                }
                if finds_absence(&f) {
                    let causes = causes_at(&f);
                    mark(&mut f, &causes);
                }
                out.push(f);
            }
            out
        }
    };
    let kinds = could_satisfy(rule);
    let unplaced: Vec<&UndecidedPresence> = tf
        .undecided
        .iter()
        .filter(|u| !u.judged_as_one && kinds.contains(&u.kind.as_str()))
        .collect();
    if unplaced.is_empty() {
        return outcomes;
    }
    outcomes
        .into_iter()
        .map(|mut outcome| {
            if finds_absence(&outcome) {
                let causes: Vec<&UndecidedPresence> = unplaced
                    .iter()
                    .copied()
                    .filter(|u| could_be_at(u, &outcome))
                    .collect();
                if !causes.is_empty() {
                    mark(&mut outcome, &causes);
                }
            }
            outcome
        })
        .collect()
}

/// Whether an outcome rests on something being absent: a failure, or "not
/// applicable" in an account (the rule found nothing there to judge, e.g.
/// "the admin has no detector here"). A stack-role gate is global and is not.
fn finds_absence(outcome: &Outcome) -> bool {
    match outcome.status {
        Status::Fail => true,
        Status::NotApplicable => outcome.subject.account.is_some(),
        _ => false,
    }
}

/// A verdict of absence made "not assessed" because `causes` are maybe present.
fn mark(outcome: &mut Outcome, causes: &[&UndecidedPresence]) {
    outcome.status = Status::NotAssessed;
    outcome.unknown = Some(UnknownKind::Unresolved);
    outcome.message = match causes.first() {
        Some(first) => {
            let others = match causes.len() {
                1 => String::new(),
                n => format!(" (and {} more)", n - 1),
            };
            format!(
                "maybe present: `{}`{others} could change this, but {} (see SCAN004); as declared: {}",
                first.origin.address.as_deref().unwrap_or(&first.kind),
                first.reason,
                outcome.message
            )
        }
        None => format!(
            "maybe present (a `count`/`for_each` that could not be evaluated, see SCAN004); as declared: {}",
            outcome.message
        ),
    };
}

/// Whether a maybe-present resource could be where the outcome is about.
fn could_be_at(u: &UndecidedPresence, outcome: &Outcome) -> bool {
    let same = |mine: &Option<String>, theirs: &Option<String>| match (mine, theirs) {
        (Some(a), Some(b)) => a == b,
        _ => true,
    };
    same(&u.region, &outcome.subject.region) && same(&u.account, &outcome.subject.account)
}
