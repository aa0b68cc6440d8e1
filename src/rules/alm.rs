//! ALM: notifier failover alarms (docs/terms.md, "covers").

use crate::catalog::RuleId;
use crate::chain::analysis::Analysis;
use crate::chain::graph::{Endpoint, Graph, Located, Resolution, alarm_can_fire, alarm_covers};
use crate::chain::links::{self, Link, combine, function_label, topic_label};
use crate::inventory::arn::partition_of_region;
use crate::inventory::{Alarm, Function, Known, MetricFilter, Observed, Ref, Topic, UnknownKind};
use crate::logfilter::FilterPattern;
use crate::outcome::Outcomes;
use crate::rules::subjects::{alarm_label, alarm_subject, function_subject};
use crate::rules::{ADMIN_ROLE, Context, Rule, rule};
use crate::samples_logs;

rule!(
    ALM001,
    "notifier-unwatched",
    High,
    Chain,
    [Live, Plan, Hcl],
    ADMIN_ROLE,
    "A notifier on a route has no alarm that covers its errors",
    check_alm001
);
rule!(
    ALM002,
    "alarm-watches-nothing",
    High,
    Chain,
    [Live, Plan, Hcl],
    None,
    "An Errors alarm with a topic action covers no existing function",
    check_alm002
);
rule!(
    ALM003,
    "alarm-no-failover",
    High,
    Chain,
    [Live, Plan, Hcl],
    None,
    "A notifier's covering alarm cannot raise a failover",
    check_alm003
);
rule!(
    ALM004,
    "alarm-average-statistic",
    Low,
    Chain,
    [Live, Plan, Hcl],
    None,
    "A notifier's covering alarm uses Average with threshold >= 1",
    check_alm004
);
rule!(
    ALM005,
    "webhook-failures-invisible",
    Medium,
    Chain,
    [Live, Plan, Hcl],
    ADMIN_ROLE,
    "A notify-slack notifier's webhook errors reach no metric filter and alarm",
    check_alm005
);

/// This family's rules, in catalog order.
pub(super) const RULES: &[Rule] = &[ALM001, ALM002, ALM003, ALM004, ALM005];

/// Notifiers the walks reach.
fn notifiers<'a>(analysis: &'a Analysis<'a>) -> Vec<Located<'a, Function>> {
    analysis
        .reach
        .functions
        .iter()
        .filter(|f| analysis.graph.is_notifier(f.item))
        .copied()
        .collect()
}

/// The alarms of an account × region, or why they are not known.
fn alarms_of<'a>(ctx: &Context<'a>, account: &str, region: &str) -> Result<&'a [Alarm], String> {
    let facts = ctx
        .inventory
        .facts(account, region)
        .ok_or_else(|| format!("{account}/{region} was not collected"))?;
    match &facts.alarms {
        Observed::Collected(alarms) => Ok(alarms),
        Observed::Gap(gap) => Err(gap.describe()),
    }
}

fn unknown_link(why: impl Into<String>, kind: UnknownKind) -> Link {
    Link::Unknown {
        why: why.into(),
        kind,
    }
}

/// ALM002's verdict: does this `Errors` alarm cover some existing function?
fn watches_existing(graph: &Graph<'_>, alarm: Located<'_, Alarm>) -> Link {
    let label = alarm_label(alarm.item);
    let namespace = match &alarm.item.namespace {
        Known::Unknown(u) => return unknown_link(u.unknown.describe(), u.unknown.kind),
        Known::Value(ns) => ns.as_deref().unwrap_or("(none)"),
    };
    if namespace != "AWS/Lambda" {
        return Link::Broken {
            rule: RuleId::ALM002,
            why: format!(
                "alarm {label} watches Errors in namespace `{namespace}`, not `AWS/Lambda`: no Lambda function reports there, so it never fires"
            ),
        };
    }
    match alarm_can_fire(alarm.item) {
        None => {
            return unknown_link(
                format!("alarm {label}'s comparison, threshold or statistic is unknown"),
                unknown_kind_of(alarm.item),
            );
        }
        Some(false) => {
            return Link::Broken {
                rule: RuleId::ALM002,
                why: format!(
                    "alarm {label}'s comparison and threshold can never fire on Lambda Errors"
                ),
            };
        }
        Some(true) => {}
    }
    let dims = match &alarm.item.dimensions {
        Known::Unknown(u) => return unknown_link(u.unknown.describe(), u.unknown.kind),
        Known::Value(d) => d,
    };
    let Some(name) = dims.get("FunctionName") else {
        return if dims.is_empty() {
            Link::Ok(format!(
                "alarm {label} watches the account-wide Errors aggregate in {}",
                alarm.region
            ))
        } else {
            Link::Broken {
                rule: RuleId::ALM002,
                why: format!(
                    "alarm {label}'s dimensions name no FunctionName and are not empty: they match no Lambda Errors metric"
                ),
            }
        };
    };
    let arn = format!(
        "arn:{}:lambda:{}:{}:function:{name}",
        partition_of_region(alarm.region),
        alarm.region,
        alarm.account
    );
    match graph.resolve_function(&Ref::arn(arn)) {
        Resolution::Found(f) => Link::Ok(format!(
            "alarm {label} watches function {}",
            function_label(f.item)
        )),
        Resolution::Missing(_) => Link::Broken {
            rule: RuleId::ALM002,
            why: format!(
                "alarm {label} watches FunctionName `{name}`, which matches no function in {}/{}",
                alarm.account, alarm.region
            ),
        },
        Resolution::NotCollected(why) => unknown_link(
            format!("function `{name}` of alarm {label}: {why}"),
            UnknownKind::NotObservable,
        ),
        Resolution::Unknown(u) => unknown_link(u.describe(), u.kind),
    }
}

fn unknown_kind_of(alarm: &Alarm) -> UnknownKind {
    [
        alarm.comparison_operator.why(),
        alarm.threshold.why(),
        alarm.statistic.why(),
    ]
    .into_iter()
    .flatten()
    .map(|u| u.kind)
    .next()
    .unwrap_or(UnknownKind::NotObservable)
}

fn check_alm002(ctx: &Context<'_>, out: &mut Outcomes) {
    let analysis = ctx.analysis();
    for alarm in &analysis.reach.error_alarms {
        let subject = alarm_subject(*alarm).attribute("dimensions");
        match watches_existing(&analysis.graph, *alarm) {
            Link::Ok(why) => {
                out.pass(subject, why);
            }
            Link::Broken { why, .. } => {
                out.fail(subject, why);
            }
            Link::Unknown { why, kind } => {
                out.not_assessed_as(subject, why, kind);
            }
        }
    }
}

fn check_alm001(ctx: &Context<'_>, out: &mut Outcomes) {
    let analysis = ctx.analysis();
    for notifier in notifiers(analysis) {
        alm001_notifier(ctx, analysis, notifier, out);
    }
}

fn alm001_notifier(
    ctx: &Context<'_>,
    analysis: &Analysis<'_>,
    notifier: Located<'_, Function>,
    out: &mut Outcomes,
) {
    let subject = function_subject(notifier);
    let name = match &notifier.item.name {
        Known::Value(n) => n.as_str(),
        Known::Unknown(u) => {
            out.unknown(subject, &u.unknown, "function name");
            return;
        }
    };
    let alarms = match alarms_of(ctx, notifier.account, notifier.region) {
        Ok(a) => a,
        Err(why) => {
            out.not_assessed(subject, why);
            return;
        }
    };
    let covering = analysis.graph.covering_alarms(notifier);
    if !covering.is_empty() {
        let names: Vec<String> = covering.iter().map(|a| alarm_label(a.item)).collect();
        out.pass(
            subject,
            format!("notifier {name} is covered by {}", names.join(", ")),
        );
        return;
    }
    if let Some(alarm) = alarms
        .iter()
        .find(|a| alarm_covers(a, Some(name)).is_none())
    {
        out.not_assessed(
            subject,
            format!(
                "alarm {}'s metric, dimensions or comparison is unknown, and no other alarm covers notifier {name}",
                alarm_label(alarm)
            ),
        );
        return;
    }
    let intended = intended_alarms(ctx, notifier);
    let hint = match intended.as_slice() {
        [] => String::new(),
        list => format!(
            "; {} probably meant to watch it (see ALM002)",
            list.iter()
                .map(|a| format!("alarm {}", alarm_label(a.item)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    let outcome = out.fail(
        subject,
        format!(
            "no alarm covers notifier {name} (AWS/Lambda Errors with FunctionName = {name} or no dimensions): when it breaks, chat alerts stop silently{hint}"
        ),
    );
    for alarm in intended {
        outcome.with_related("the alarm likely meant to cover it", alarm_subject(alarm));
    }
}

/// The one "intended alarm" decision (ALM001, ALM003, ALM004): the alarms
/// that probably meant to watch `notifier`. Only a notifier no alarm covers
/// (and whose alarms' coverage is all known) has any: the `Errors` alarms with
/// a topic action in its account and region that watch nothing (ALM002).
fn intended_alarms<'a>(
    ctx: &'a Context<'_>,
    notifier: Located<'a, Function>,
) -> Vec<Located<'a, Alarm>> {
    let analysis = ctx.analysis();
    let graph: &Graph<'a> = &analysis.graph;
    if !graph.covering_alarms(notifier).is_empty() {
        return Vec::new();
    }
    let name = notifier.item.name.value().map(String::as_str);
    let coverage_unknown = alarms_of(ctx, notifier.account, notifier.region)
        .map_or(true, |alarms| {
            alarms.iter().any(|a| alarm_covers(a, name).is_none())
        });
    if name.is_none() || coverage_unknown {
        return Vec::new();
    }
    analysis
        .reach
        .error_alarms
        .iter()
        .filter(|a| a.account == notifier.account && a.region == notifier.region)
        .filter(|a| matches!(watches_existing(graph, **a), Link::Broken { .. }))
        .map(|a| Located {
            account: a.account,
            region: a.region,
            item: a.item,
        })
        .collect()
}

/// The alarms ALM003 and ALM004 judge for a notifier: those that cover it, or
/// else the alarms it was probably meant to have ([`intended_alarms`]), marked
/// `true`. `None` when there are neither.
fn judged_alarms<'a>(
    ctx: &'a Context<'_>,
    notifier: Located<'a, Function>,
) -> Option<Vec<(Located<'a, Alarm>, bool)>> {
    let graph: &Graph<'a> = &ctx.analysis().graph;
    let covering = graph.covering_alarms(notifier);
    if !covering.is_empty() {
        return Some(covering.into_iter().map(|a| (a, false)).collect());
    }
    let intended = intended_alarms(ctx, notifier);
    (!intended.is_empty()).then(|| intended.into_iter().map(|a| (a, true)).collect())
}

/// The note an intended alarm's ALM003/ALM004 message carries.
fn as_intended(notifier: &Function) -> String {
    format!(
        " (judged as the alarm intended for notifier {}, which ALM001 names: it covers no function, see ALM002)",
        function_label(notifier)
    )
}

/// Whether `notifier` is subscribed to `topic`.
fn served_by(graph: &Graph<'_>, topic: Located<'_, Topic>, notifier: &Function) -> bool {
    graph.subscriptions_of(topic).is_ok_and(|subs| {
        subs.iter().any(|s| {
            matches!(graph.endpoint(*s), Endpoint::Function(Resolution::Found(f)) if std::ptr::eq(f.item, notifier))
        })
    })
}

/// ALM003's verdict (also ALM005's for its alarm): can this alarm raise a
/// failover that does not depend on `notifier`?
fn failover_verdict(graph: &Graph<'_>, alarm: Located<'_, Alarm>, notifier: &Function) -> Link {
    let label = alarm_label(alarm.item);
    let broken = |why: String| Link::Broken {
        rule: RuleId::ALM003,
        why,
    };
    match &alarm.item.actions_enabled {
        Known::Unknown(u) => return unknown_link(u.unknown.describe(), u.unknown.kind),
        Known::Value(false) => return broken(format!("alarm {label}'s actions are disabled")),
        Known::Value(true) => {}
    }
    let actions = match &alarm.item.alarm_actions {
        Known::Unknown(u) => return unknown_link(u.unknown.describe(), u.unknown.kind),
        Known::Value(a) if a.is_empty() => {
            return broken(format!("alarm {label} has no alarm action"));
        }
        Known::Value(a) => a,
    };
    let mut problems = Vec::new();
    let mut unknown = None;
    for action in actions {
        match graph.resolve_topic(action) {
            Resolution::Found(topic) if served_by(graph, topic, notifier) => {
                problems.push(format!(
                    "topic {} is served by notifier {} itself",
                    topic_label(topic.item),
                    function_label(notifier)
                ))
            }
            Resolution::Found(topic) => match links::topic_confirmed(graph, topic) {
                Link::Ok(_) => {
                    return Link::Ok(format!(
                        "alarm {label} acts on topic {}, which has a confirmed subscription",
                        topic_label(topic.item)
                    ));
                }
                Link::Broken { .. } => problems.push(format!(
                    "topic {} is a dead end (no confirmed subscription)",
                    topic_label(topic.item)
                )),
                Link::Unknown { why, kind } => unknown = Some((why, kind)),
            },
            Resolution::Missing(what) => problems.push(format!("action {what}")),
            Resolution::NotCollected(why) => unknown = Some((why, UnknownKind::NotObservable)),
            Resolution::Unknown(u) => unknown = Some((u.describe(), u.kind)),
        }
    }
    match unknown {
        Some((why, kind)) => unknown_link(format!("alarm {label}'s action: {why}"), kind),
        None => broken(format!(
            "alarm {label} raises no failover: {}",
            problems.join("; ")
        )),
    }
}

/// One alarm's verdicts, labelled by the notifier each is about.
type Verdicts = Vec<(String, Link)>;

fn check_alm003(ctx: &Context<'_>, out: &mut Outcomes) {
    let analysis = ctx.analysis();
    // One outcome per alarm (an account-wide Errors alarm covers several
    // notifiers), its verdict combined over the notifiers it covers.
    let mut per_alarm: Vec<(Located<'_, Alarm>, Verdicts, String)> = Vec::new();
    for notifier in notifiers(analysis) {
        let Some(judged) = judged_alarms(ctx, notifier) else {
            no_covering_alarm(out, notifier);
            continue;
        };
        for (alarm, intended) in judged {
            let label = format!("notifier {}", function_label(notifier.item));
            let verdict = failover_verdict(&analysis.graph, alarm, notifier.item);
            match per_alarm
                .iter_mut()
                .find(|(a, _, _)| std::ptr::eq(a.item, alarm.item))
            {
                Some((_, verdicts, _)) => verdicts.push((label, verdict)),
                None => {
                    let note = if intended {
                        as_intended(notifier.item)
                    } else {
                        String::new()
                    };
                    per_alarm.push((alarm, vec![(label, verdict)], note));
                }
            }
        }
    }
    for (alarm, verdicts, note) in per_alarm {
        let subject = alarm_subject(alarm).attribute("alarm_actions");
        let (who, verdict) = match <[_; 1]>::try_from(verdicts) {
            Ok([(label, verdict)]) => (label, verdict),
            Err(many) => ("any of these notifiers".to_string(), combine(many)),
        };
        match verdict {
            Link::Ok(why) => {
                out.pass(subject, format!("{why}{note}"));
            }
            Link::Broken { why, .. } => {
                out.fail(
                    subject,
                    format!("{why}: when {who} breaks, nobody is told{note}"),
                );
            }
            Link::Unknown { why, kind } => {
                out.not_assessed_as(subject, format!("{why}{note}"), kind);
            }
        }
    }
}

/// ALM003 and ALM004 judge covering alarms; a notifier with none is ALM001's
/// failure, and these rules say so instead of staying silent.
fn no_covering_alarm(out: &mut Outcomes, notifier: Located<'_, Function>) {
    out.not_applicable(
        function_subject(notifier),
        format!(
            "no alarm covers notifier {} (see ALM001)",
            function_label(notifier.item)
        ),
    );
}

fn check_alm004(ctx: &Context<'_>, out: &mut Outcomes) {
    let analysis = ctx.analysis();
    let mut seen: Vec<*const Alarm> = Vec::new();
    for notifier in notifiers(analysis) {
        let Some(judged) = judged_alarms(ctx, notifier) else {
            no_covering_alarm(out, notifier);
            continue;
        };
        for (alarm, intended) in judged {
            if seen.contains(&std::ptr::from_ref(alarm.item)) {
                continue;
            }
            seen.push(std::ptr::from_ref(alarm.item));
            let note = if intended {
                as_intended(notifier.item)
            } else {
                String::new()
            };
            alm004_alarm(alarm, &note, out);
        }
    }
}

fn alm004_alarm(alarm: Located<'_, Alarm>, note: &str, out: &mut Outcomes) {
    let subject = alarm_subject(alarm).attribute("statistic");
    let statistic = match &alarm.item.statistic {
        Known::Unknown(u) => {
            out.unknown(subject, &u.unknown, "alarm statistic");
            return;
        }
        Known::Value(s) => s.as_deref().unwrap_or("Sum"),
    };
    let threshold = match &alarm.item.threshold {
        Known::Unknown(u) => {
            out.unknown(subject, &u.unknown, "alarm threshold");
            return;
        }
        Known::Value(t) => t.unwrap_or(0.0),
    };
    if statistic == "Average" && threshold >= 1.0 {
        out.fail(
            subject,
            format!(
                "alarm {} uses Average with threshold {threshold}: it fires only when every invocation in the period fails; use Sum{note}",
                alarm_label(alarm.item)
            ),
        );
    } else {
        out.pass(
            subject,
            format!("statistic {statistic}, threshold {threshold}{note}"),
        );
    }
}

/// The notifier's log group, or why it is unknown.
fn log_group(function: &Function) -> Result<String, (String, UnknownKind)> {
    match (&function.log_group, &function.name) {
        (Known::Value(Some(group)), _) => Ok(group.clone()),
        (Known::Value(None), Known::Value(name)) => Ok(Function::default_log_group(name)),
        (Known::Unknown(u), _) | (Known::Value(None), Known::Unknown(u)) => Err((
            format!("log group: {}", u.unknown.describe()),
            u.unknown.kind,
        )),
    }
}

/// Does the pattern match some delivery-error line and no success line?
fn pattern_catches_errors(pattern: &str) -> Result<bool, String> {
    let parsed = FilterPattern::parse(pattern).map_err(|e| e.to_string())?;
    let errors = samples_logs::notify_slack_error_lines()
        .iter()
        .any(|l| parsed.matches(l));
    let successes = samples_logs::notify_slack_success_lines()
        .iter()
        .any(|l| parsed.matches(l));
    Ok(errors && !successes)
}

fn check_alm005(ctx: &Context<'_>, out: &mut Outcomes) {
    let analysis = ctx.analysis();
    for notifier in notifiers(analysis)
        .into_iter()
        .filter(|n| crate::endpoints::has_notify_slack_handler(n.item))
    {
        let subject = function_subject(notifier).attribute("logging_config");
        match alm005_verdict(ctx, &analysis.graph, notifier) {
            Link::Ok(why) => {
                out.pass(subject, why);
            }
            Link::Broken { why, .. } => {
                out.fail(subject, why);
            }
            Link::Unknown { why, kind } => {
                out.not_assessed_as(subject, why, kind);
            }
        }
    }
}

fn alm005_verdict(ctx: &Context<'_>, graph: &Graph<'_>, notifier: Located<'_, Function>) -> Link {
    let name = function_label(notifier.item);
    let group = match log_group(notifier.item) {
        Ok(g) => g,
        Err((why, kind)) => return unknown_link(why, kind),
    };
    let Some(facts) = ctx.inventory.facts(notifier.account, notifier.region) else {
        return unknown_link(
            "the notifier's region was not collected",
            UnknownKind::NotObservable,
        );
    };
    let filters = match &facts.metric_filters {
        Observed::Gap(gap) => return unknown_link(gap.describe(), UnknownKind::NotObservable),
        Observed::Collected(f) => f,
    };
    let alarms = match &facts.alarms {
        Observed::Gap(gap) => return unknown_link(gap.describe(), UnknownKind::NotObservable),
        Observed::Collected(a) => a,
    };
    let mut problems = Vec::new();
    let mut unknown = None;
    let on_group = filters.iter().filter(|f| match &f.log_group {
        Known::Value(g) => *g == group,
        Known::Unknown(u) => {
            unknown = Some((
                format!("a metric filter's log group: {}", u.unknown.describe()),
                u.unknown.kind,
            ));
            false
        }
    });
    let on_group: Vec<&MetricFilter> = on_group.collect();
    for filter in on_group {
        match filter_verdict(graph, notifier, filter, alarms) {
            Link::Ok(why) => return Link::Ok(why),
            Link::Broken { why, .. } => problems.push(why),
            Link::Unknown { why, kind } => unknown = Some((why, kind)),
        }
    }
    if let Some((why, kind)) = unknown {
        return unknown_link(why, kind);
    }
    if problems.is_empty() {
        problems.push(format!("no metric filter on log group {group}"));
    }
    Link::Broken {
        rule: RuleId::ALM005,
        why: format!(
            "notifier {name} logs Slack HTTP errors and returns success, so Errors misses a revoked webhook, and nothing watches its log: {}",
            problems.join("; ")
        ),
    }
}

fn filter_verdict(
    graph: &Graph<'_>,
    notifier: Located<'_, Function>,
    filter: &MetricFilter,
    alarms: &[Alarm],
) -> Link {
    let label = filter
        .name
        .value()
        .cloned()
        .unwrap_or_else(|| "metric filter".into());
    let broken = |why: String| Link::Broken {
        rule: RuleId::ALM005,
        why,
    };
    let pattern = match &filter.pattern {
        Known::Unknown(u) => return unknown_link(u.unknown.describe(), u.unknown.kind),
        Known::Value(p) => p,
    };
    match pattern_catches_errors(pattern) {
        Err(e) => {
            return unknown_link(
                format!("filter {label}'s pattern cannot be evaluated ({e})"),
                UnknownKind::NotObservable,
            );
        }
        Ok(false) => {
            return broken(format!(
                "filter {label}'s pattern `{pattern}` matches no sample delivery-error line, or also matches successful deliveries"
            ));
        }
        Ok(true) => {}
    }
    let metrics = match &filter.metrics {
        Known::Unknown(u) => return unknown_link(u.unknown.describe(), u.unknown.kind),
        Known::Value(m) => m,
    };
    let mut problems = Vec::new();
    let mut unknown = None;
    for alarm in alarms.iter().filter(|a| {
        metrics.iter().any(|m| {
            a.namespace.value().and_then(|n| n.as_deref()) == Some(m.namespace.as_str())
                && a.metric_name.value().and_then(|n| n.as_deref()) == Some(m.name.as_str())
        })
    }) {
        let located = Located {
            account: notifier.account,
            region: notifier.region,
            item: alarm,
        };
        match failover_verdict(graph, located, notifier.item) {
            Link::Ok(_) => {
                return Link::Ok(format!(
                    "filter {label} catches webhook errors and alarm {} raises a failover",
                    alarm_label(alarm)
                ));
            }
            Link::Broken { why, .. } => problems.push(why),
            Link::Unknown { why, kind } => unknown = Some((why, kind)),
        }
    }
    if let Some((why, kind)) = unknown {
        return unknown_link(why, kind);
    }
    if problems.is_empty() {
        return broken(format!("no alarm watches the metric of filter {label}"));
    }
    broken(problems.join("; "))
}
