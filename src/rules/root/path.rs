//! ROOT's verdicts: does a walk, or a CloudTrail → metric filter → alarm →
//! topic chain, reach a human? Walks and topics are judged by the one path
//! enumerator ([`crate::chain::paths`], [`Goal::Human`]) that ROUTE uses; the trail,
//! filter and alarm links before the topic are ROOT's own.

use crate::chain::graph::{Graph, Located, Resolution, Walk};
use crate::chain::links::{self, Link};
use crate::chain::paths::{self, Goal};
use crate::inventory::{Alarm, Known, Observed, Ref, Trail, UnknownKind};
use crate::logfilter::FilterPattern;

/// Whether something reaches a human.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Verdict {
    /// It does; the text names the endpoint.
    Covered(String),
    /// It does not; the text names the first broken link.
    Broken(String),
    /// It cannot be judged; the text says why, and the kind of unknown
    /// (known-after-apply does not cause exit 3).
    Unknown(String, UnknownKind),
}

impl Verdict {
    fn rank(&self) -> u8 {
        match self {
            Verdict::Covered(_) => 2,
            Verdict::Unknown(..) => 1,
            Verdict::Broken(_) => 0,
        }
    }

    /// The text of the verdict.
    pub(super) fn text(&self) -> &str {
        match self {
            Verdict::Covered(t) | Verdict::Broken(t) | Verdict::Unknown(t, _) => t,
        }
    }
}

/// The best of several alternatives: any covered path wins, then an unknown
/// one, then the first broken one. `none` is the verdict for no alternatives.
pub(super) fn best(
    verdicts: impl IntoIterator<Item = Verdict>,
    none: impl FnOnce() -> Verdict,
) -> Verdict {
    let mut best: Option<Verdict> = None;
    for v in verdicts {
        if best.as_ref().is_none_or(|b| v.rank() > b.rank()) {
            best = Some(v);
        }
    }
    best.unwrap_or_else(none)
}

type Step = Result<(), Verdict>;

/// A link as a step: `Err` stops the path with the link's verdict.
fn gate(link: Link) -> Step {
    match link {
        Link::Ok(_) => Ok(()),
        Link::Broken { rule, why } => Err(Verdict::Broken(format!("{why} ({rule})"))),
        Link::Unknown { why, kind } => Err(Verdict::Unknown(why, kind)),
    }
}

fn flat(result: Result<Verdict, Verdict>) -> Verdict {
    match result {
        Ok(v) | Err(v) => v,
    }
}

/// A route verdict for [`Goal::Human`] as ROOT's verdict.
fn from_route(verdict: paths::Verdict) -> Verdict {
    match verdict {
        paths::Verdict::Pass(path) => Verdict::Covered(path.reached()),
        paths::Verdict::Fail(_, why) => Verdict::Broken(why),
        paths::Verdict::NotAssessed(_, why, kind) => Verdict::Unknown(why, kind),
    }
}

/// Does a walk (with one event) reach a human? Its paths are enumerated by
/// the one path enumerator ([`crate::chain::paths`]), as ROUTE's are.
pub(super) fn walk_verdict(graph: &Graph<'_>, walk: &Walk<'_>) -> Verdict {
    if walk.events.is_empty() {
        return Verdict::Unknown("no event walked".into(), UnknownKind::NotObservable);
    }
    let rules = match &walk.rules {
        Err(why) => {
            return Verdict::Unknown(
                format!(
                    "the default bus of {} in {} could not be read: {why}",
                    walk.account, walk.region
                ),
                UnknownKind::NotObservable,
            );
        }
        Ok(rules) => rules,
    };
    let found = paths::paths(graph, walk, rules, 0);
    if found.is_empty() {
        return Verdict::Broken(format!(
            "no rule on the default bus of {} in {} matches the event",
            walk.account, walk.region
        ));
    }
    from_route(paths::verdict(found, Goal::Human))
}

/// Whether the Security Hub leg (docs/terms.md, "Security Hub route") carries
/// the GuardDuty walk's one finding to a human.
pub(super) fn hub_verdict(
    graph: &Graph<'_>,
    walk: &Walk<'_>,
    leg: &Result<Option<crate::chain::security_hub::HubLeg<'_>>, String>,
) -> Verdict {
    let found = paths::hub_paths(graph, walk, leg, 0);
    if found.is_empty() {
        return Verdict::Broken(format!("no Security Hub route in {}", walk.region));
    }
    from_route(paths::verdict(found, Goal::Human))
}

/// Does one of `trails` deliver the root sign-in record to a metric filter with
/// an alarm that reaches a human?
pub(super) fn trails_verdict(
    graph: &Graph<'_>,
    trails: &[Located<'_, Trail>],
    global: &str,
) -> Verdict {
    best(
        trails.iter().map(|t| flat(trail_path(graph, *t, global))),
        || Verdict::Broken("no CloudTrail trail receives the account's events".into()),
    )
}

fn known_bool(value: &Known<bool>, what: &str) -> Result<bool, Verdict> {
    match value {
        Known::Value(v) => Ok(*v),
        Known::Unknown(m) => Err(Verdict::Unknown(
            format!("{what}: {}", m.unknown.describe()),
            m.unknown.kind,
        )),
    }
}

fn trail_path(
    graph: &Graph<'_>,
    trail: Located<'_, Trail>,
    global: &str,
) -> Result<Verdict, Verdict> {
    let t = trail.item;
    let name = t
        .name
        .value()
        .cloned()
        .or_else(|| t.origin.label().map(str::to_string))
        .unwrap_or_else(|| "trail".into());
    if !known_bool(&t.is_logging, &format!("whether trail {name} is logging"))? {
        return Err(Verdict::Broken(format!("trail {name} is not logging")));
    }
    if !known_bool(
        &t.is_multi_region,
        &format!("trail {name}'s multi-region setting"),
    )? {
        let home = match &t.home_region {
            Known::Value(h) => h.as_str(),
            Known::Unknown(m) => {
                return Err(Verdict::Unknown(
                    format!("trail {name}'s home region: {}", m.unknown.describe()),
                    m.unknown.kind,
                ));
            }
        };
        let global_events = known_bool(
            &t.include_global_service_events,
            &format!("trail {name}'s global service events"),
        )?;
        if home != global || !global_events {
            return Err(Verdict::Broken(format!(
                "trail {name} is single-region in {home}{}: console sign-in events (in {global}) never reach it",
                if global_events {
                    ""
                } else {
                    " without global service events"
                }
            )));
        }
    }
    let group_arn = match &t.cloudwatch_log_group_arn {
        Known::Value(Some(arn)) => arn,
        Known::Value(None) => {
            return Err(Verdict::Broken(format!(
                "trail {name} delivers to no CloudWatch Logs group"
            )));
        }
        Known::Unknown(m) => {
            return Err(Verdict::Unknown(
                format!("trail {name}'s log group: {}", m.unknown.describe()),
                m.unknown.kind,
            ));
        }
    };
    log_group_path(graph, group_arn, trail.account, trail.region)
}

/// (account, region, name) of a log group ARN, defaulting to the trail's scope.
fn log_group_of<'s>(
    arn: &'s str,
    account: &'s str,
    region: &'s str,
) -> (&'s str, &'s str, &'s str) {
    match crate::inventory::arn::Arn::parse(arn) {
        Some(a) => {
            let name = a.resource.strip_prefix("log-group:").unwrap_or(a.resource);
            let name = name.strip_suffix(":*").unwrap_or(name);
            let acct = if a.account.is_empty() {
                account
            } else {
                a.account
            };
            let reg = if a.region.is_empty() {
                region
            } else {
                a.region
            };
            (acct, reg, name)
        }
        None => (account, region, arn),
    }
}

fn log_group_path(
    graph: &Graph<'_>,
    group_arn: &str,
    account: &str,
    region: &str,
) -> Result<Verdict, Verdict> {
    let (account, region, group) = log_group_of(group_arn, account, region);
    let facts = graph.inventory().facts(account, region).ok_or_else(|| {
        Verdict::Unknown(
            format!("log group {group}'s account {account} in {region} was not collected"),
            UnknownKind::NotObservable,
        )
    })?;
    let filters = match &facts.metric_filters {
        Observed::Gap(gap) => {
            return Err(Verdict::Unknown(
                format!("metric filters in {account}/{region}: {}", gap.describe()),
                UnknownKind::NotObservable,
            ));
        }
        Observed::Collected(f) => f,
    };
    let alarms = match &facts.alarms {
        Observed::Gap(gap) => {
            return Err(Verdict::Unknown(
                format!("alarms in {account}/{region}: {}", gap.describe()),
                UnknownKind::NotObservable,
            ));
        }
        Observed::Collected(a) => a,
    };
    let on_group = filters.iter().filter(|f| match &f.log_group {
        Known::Value(g) => g == group,
        Known::Unknown(_) => true,
    });
    let record = crate::samples_logs::root_console_login_record();
    // A filter whose pattern rules the record out explains a failure worse
    // than one that matched (or may match) and broke further on.
    let verdicts: Vec<(bool, Verdict)> = on_group
        .map(|filter| filter_verdict(graph, filter, group, record, alarms, account, region))
        .collect();
    let any_further = verdicts.iter().any(|(further, _)| *further);
    Ok(best(
        verdicts
            .into_iter()
            .filter(|(further, _)| *further || !any_further)
            .map(|(_, verdict)| verdict),
        || Verdict::Broken(format!("log group {group} has no metric filter")),
    ))
}

/// One metric filter's verdict, and whether it got past its pattern (it
/// matches the record, or may: its pattern or log group is unknown).
fn filter_verdict(
    graph: &Graph<'_>,
    filter: &crate::inventory::MetricFilter,
    group: &str,
    record: &str,
    alarms: &[Alarm],
    account: &str,
    region: &str,
) -> (bool, Verdict) {
    let fname = filter
        .name
        .value()
        .cloned()
        .unwrap_or_else(|| "metric filter".into());
    if let Known::Unknown(m) = &filter.log_group {
        let why = format!(
            "metric filter {fname}'s log group: {}",
            m.unknown.describe()
        );
        return (true, Verdict::Unknown(why, m.unknown.kind));
    }
    let pattern = match &filter.pattern {
        Known::Value(p) => p,
        Known::Unknown(m) => {
            let why = format!("metric filter {fname}'s pattern: {}", m.unknown.describe());
            return (true, Verdict::Unknown(why, m.unknown.kind));
        }
    };
    match FilterPattern::parse(pattern) {
        Err(e) => (
            false,
            Verdict::Broken(format!("metric filter {fname}'s pattern is malformed: {e}")),
        ),
        Ok(p) if !p.matches(record) => (
            false,
            Verdict::Broken(format!(
                "metric filter {fname} on log group {group} does not match a root console sign-in record"
            )),
        ),
        Ok(_) => (
            true,
            metrics_verdict(graph, &filter.metrics, &fname, alarms, account, region),
        ),
    }
}

fn metrics_verdict(
    graph: &Graph<'_>,
    metrics: &Known<Vec<crate::inventory::MetricRef>>,
    filter: &str,
    alarms: &[Alarm],
    account: &str,
    region: &str,
) -> Verdict {
    let metrics = match metrics {
        Known::Value(m) => m,
        Known::Unknown(m) => {
            return Verdict::Unknown(
                format!("metric filter {filter}'s metric: {}", m.unknown.describe()),
                m.unknown.kind,
            );
        }
    };
    let on_metric = alarms.iter().filter(|a| {
        metrics.iter().any(|m| {
            a.namespace.value().and_then(|n| n.as_deref()) == Some(m.namespace.as_str())
                && a.metric_name.value().and_then(|n| n.as_deref()) == Some(m.name.as_str())
        })
    });
    best(
        on_metric.map(|alarm| {
            flat(alarm_path(
                graph,
                Located {
                    account,
                    region,
                    item: alarm,
                },
            ))
        }),
        || Verdict::Broken(format!("no alarm watches the metric of filter {filter}")),
    )
}

fn alarm_path(graph: &Graph<'_>, alarm: Located<'_, Alarm>) -> Result<Verdict, Verdict> {
    let name = alarm
        .item
        .name
        .value()
        .cloned()
        .unwrap_or_else(|| "alarm".into());
    if !known_bool(
        &alarm.item.actions_enabled,
        &format!("alarm {name}'s actions"),
    )? {
        return Err(Verdict::Broken(format!(
            "alarm {name} has actions disabled"
        )));
    }
    match crate::chain::graph::alarm_can_fire(alarm.item) {
        None => {
            return Err(Verdict::Unknown(
                format!("alarm {name}'s threshold or comparison is unknown"),
                UnknownKind::NotObservable,
            ));
        }
        Some(false) => return Err(Verdict::Broken(format!("alarm {name} can never fire"))),
        Some(true) => {}
    }
    let actions = match &alarm.item.alarm_actions {
        Known::Value(a) => a,
        Known::Unknown(m) => {
            return Err(Verdict::Unknown(
                format!("alarm {name}'s actions: {}", m.unknown.describe()),
                m.unknown.kind,
            ));
        }
    };
    Ok(best(
        actions
            .iter()
            .map(|action| flat(action_path(graph, alarm, action))),
        || Verdict::Broken(format!("alarm {name} has no action")),
    ))
}

fn action_path(
    graph: &Graph<'_>,
    alarm: Located<'_, Alarm>,
    action: &Ref,
) -> Result<Verdict, Verdict> {
    let topic = match graph.resolve_topic(action) {
        Resolution::Found(t) => t,
        Resolution::Missing(what) => return Err(Verdict::Broken(format!("alarm action {what}"))),
        Resolution::NotCollected(why) => {
            return Err(Verdict::Unknown(why, UnknownKind::NotObservable));
        }
        Resolution::Unknown(u) => {
            return Err(Verdict::Unknown(
                format!("alarm action: {}", u.describe()),
                u.kind,
            ));
        }
    };
    gate(links::alarm_can_publish(alarm, topic))?;
    gate(links::topic_key_usable(
        graph,
        topic,
        "cloudwatch.amazonaws.com",
    ))?;
    let hop = graph.topic_hop(topic);
    Ok(from_route(paths::verdict(
        paths::topic_paths(graph, &hop),
        Goal::Human,
    )))
}
