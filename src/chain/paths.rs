//! The one path enumerator: every path of a walk (or of an alarm's action
//! topic) from hop to hop, each link judged by [`crate::chain::links`], and the verdict
//! of a route for a goal. ROUTE judges pager and chat routes with it; ROOT
//! judges "reaches a human" ([`Goal::Human`]) with it, so both families read
//! the same links the same way.

use serde_json::Value;

use crate::catalog::RuleId;
use crate::chain::graph::{
    Dest, Endpoint, Graph, Located, Resolution, RuleHop, SubHop, TopicHop, Walk,
};
use crate::chain::links::{self, Link};
use crate::chain::security_hub::{Automated, HubBus, HubLeg};
use crate::chain::suppression::{self, Suppression};
use crate::inventory::{Origin, Topic, UnknownKind};
use crate::outcome::{Hop, ResourceKind};
use crate::samples_asff::IMPORTED_DETAIL_TYPE;

/// What a route must reach.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Goal {
    /// A pager endpoint.
    Pager,
    /// A chat endpoint (notifier or AWS Chatbot).
    Chat,
    /// Any human endpoint (pager, chat, e-mail): root sign-in coverage.
    Human,
}

impl Goal {
    /// What the goal is called in messages, e.g. `pager endpoint`.
    pub(crate) fn noun(self) -> &'static str {
        match self {
            Goal::Pager => "pager endpoint",
            Goal::Chat => "chat endpoint",
            Goal::Human => "human endpoint",
        }
    }
}

/// Where a path ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum End {
    Pager,
    Chat,
    Email,
    /// An endpoint that satisfies no route (the path is irrelevant).
    Elsewhere,
    /// The path ends before any endpoint (dead end, unknown, missing).
    Nowhere,
}

impl End {
    fn satisfies(self, goal: Goal) -> bool {
        match goal {
            Goal::Pager => self == End::Pager,
            Goal::Chat => self == End::Chat,
            Goal::Human => matches!(self, End::Pager | End::Chat | End::Email),
        }
    }

    fn relevant(self, goal: Goal) -> bool {
        self.satisfies(goal) || self == End::Nowhere
    }
}

/// One enumerated path: its hops, its first problem, and where it ends.
#[derive(Debug, Clone)]
pub(crate) struct Path {
    /// The hops walked.
    pub hops: Vec<Hop>,
    problem: Option<Link>,
    end: End,
    /// Why the path stops where no link is broken: a forwarded-to bus on
    /// which no rule matches the event.
    dead_end: Option<String>,
}

impl Path {
    fn ok_hops(&self) -> usize {
        self.hops.iter().take_while(|h| h.ok).count()
    }

    /// What the path reaches, for messages: its last hop, with the topic it
    /// hangs off (`a pager endpoint on topic gd-pager`, `notifier notify_slack`).
    pub(crate) fn reached(&self) -> String {
        let Some(last) = self.hops.last() else {
            return "nothing".into();
        };
        let end = match last.kind {
            ResourceKind::PagerdutyEndpoint => "a pager endpoint".to_string(),
            ResourceKind::EmailEndpoint => "an e-mail subscription".to_string(),
            ResourceKind::Notifier => format!("notifier {}", last.name),
            ResourceKind::LambdaFunction => format!("function {}", last.name),
            _ => last.name.clone(),
        };
        match self.hops.iter().rev().nth(1) {
            Some(topic) if topic.kind == ResourceKind::SnsTopic => {
                format!("{end} on topic {}", topic.name)
            }
            _ => end,
        }
    }
}

/// The verdict of a route for one goal and event.
#[derive(Debug, Clone)]
pub(crate) enum Verdict {
    /// Some path works.
    Pass(Path),
    /// Every relevant path is broken; the most complete one.
    Fail(Option<Path>, String),
    /// No path works and some could not be judged.
    NotAssessed(Option<Path>, String, UnknownKind),
}

/// The hop about to be pushed: what it is, its name and where it came from.
struct At<'o> {
    kind: ResourceKind,
    name: &'o str,
    origin: &'o Origin,
}

struct Walker<'g, 'a> {
    graph: &'g Graph<'a>,
    /// The event walked, for filter policies; `None` for an alarm's
    /// notification (filter policies are not judged against it).
    event: Option<&'g Value>,
    /// The event's index in the walk's precomputed rule matches.
    index: usize,
    /// On a Security Hub bus: the index of the sample as imported (before
    /// automation rules) and the automation rules that changed it, so a rule
    /// the change took the sample out of is named (SH004).
    automated: Option<(usize, String)>,
    paths: Vec<Path>,
}

impl<'a> Walker<'_, 'a> {
    fn record(&mut self, hops: &[Hop], problem: &Option<Link>, end: End) {
        self.paths.push(Path {
            hops: hops.to_vec(),
            problem: problem.clone(),
            end,
            dead_end: None,
        });
    }

    /// End a path where what comes next could not be read (a gap): not
    /// observable, unless an earlier link already broke the path.
    fn record_unreadable(&mut self, hops: &[Hop], problem: &Option<Link>, why: String) {
        let problem = first(
            problem,
            Link::Unknown {
                why,
                kind: UnknownKind::NotObservable,
            },
        );
        self.record(hops, &problem, End::Nowhere);
    }

    fn rules(&mut self, rules: &[RuleHop<'a>], hops: &mut Vec<Hop>, problem: &Option<Link>) {
        for rule in rules {
            let matched = rule.matched.get(self.index).copied().flatten();
            if matched == Some(false) {
                self.automation_broke(rule, hops, problem);
                continue;
            }
            let link = match matched {
                None => Link::Unknown {
                    why: rule
                        .pattern_problem
                        .clone()
                        .unwrap_or_else(|| "pattern unknown".into()),
                    kind: UnknownKind::Unresolved,
                },
                Some(_) => links::rule_enabled(rule.rule.item),
            };
            let name = links::rule_label(rule.rule.item);
            let at = At {
                kind: ResourceKind::EventRule,
                name: &name,
                origin: &rule.rule.item.origin,
            };
            self.step(hops, problem, at, link, |w, hops, problem| {
                match &rule.targets {
                    Err(gap) => {
                        w.record_unreadable(hops, problem, gap.describe());
                    }
                    Ok(targets) if targets.is_empty() => {
                        let p = first(
                            problem,
                            Link::Broken {
                                rule: RuleId::EVT004,
                                why: format!("rule {name} has no targets"),
                            },
                        );
                        w.record(hops, &p, End::Nowhere);
                    }
                    Ok(targets) => {
                        for target in targets {
                            let reach = links::target_reachable(
                                w.graph,
                                rule.rule,
                                target.target,
                                &target.dest,
                            );
                            w.dest(rule.rule, target.target, &target.dest, reach, hops, problem);
                        }
                    }
                }
            });
        }
    }

    /// On a Security Hub bus, a rule the imported sample matched but the
    /// sample changed by automation rules does not: the automation rule is the
    /// path's broken link (SH004).
    fn automation_broke(
        &mut self,
        rule: &RuleHop<'a>,
        hops: &mut Vec<Hop>,
        problem: &Option<Link>,
    ) {
        let Some((original, automation)) = &self.automated else {
            return;
        };
        if rule.matched.get(*original).copied().flatten() != Some(true) {
            return;
        }
        let name = links::rule_label(rule.rule.item);
        let link = Link::Broken {
            rule: RuleId::SH004,
            why: format!(
                "{automation} before the event is sent, so the imported finding no longer matches rule {name}"
            ),
        };
        let at = At {
            kind: ResourceKind::EventRule,
            name: &name,
            origin: &rule.rule.item.origin,
        };
        self.step(hops, problem, at, link, |w, hops, problem| {
            w.record(hops, problem, End::Nowhere);
        });
    }

    /// Push a hop, judge it, run `next`, pop.
    fn step(
        &mut self,
        hops: &mut Vec<Hop>,
        problem: &Option<Link>,
        at: At<'_>,
        link: Link,
        next: impl FnOnce(&mut Self, &mut Vec<Hop>, &Option<Link>),
    ) {
        let (ok, text) = describe(&link);
        hops.push(Hop {
            kind: at.kind,
            name: at.name.to_string(),
            origin: at.origin.clone(),
            ok,
            problem: text,
            rule: match &link {
                Link::Broken { rule, .. } => Some(*rule),
                _ => None,
            },
        });
        let problem = if problem.is_some() || ok {
            problem.clone()
        } else {
            Some(link)
        };
        next(self, hops, &problem);
        hops.pop();
    }

    fn dest(
        &mut self,
        rule: Located<'a, crate::inventory::EventRule>,
        target: &crate::inventory::Target,
        dest: &Dest<'a>,
        reach: Link,
        hops: &mut Vec<Hop>,
        problem: &Option<Link>,
    ) {
        match dest {
            Dest::Topic(topic_hop) => {
                let publish =
                    links::eventbridge_can_publish(self.graph, rule, target, topic_hop.topic);
                let key =
                    links::topic_key_usable(self.graph, topic_hop.topic, "events.amazonaws.com");
                let link = [reach, publish, key]
                    .into_iter()
                    .find(|l| !l.is_ok())
                    .unwrap_or(Link::Ok(String::new()));
                let name = links::topic_label(topic_hop.topic.item);
                let at = At {
                    kind: ResourceKind::SnsTopic,
                    name: &name,
                    origin: &topic_hop.topic.item.origin,
                };
                self.step(hops, problem, at, link, |w, hops, problem| {
                    w.topic(topic_hop, hops, problem);
                });
            }
            Dest::Bus {
                account,
                region,
                rules,
            } => {
                let name = format!("event bus {account}/{region}");
                let origin = Origin::default();
                let at = At {
                    kind: ResourceKind::EventBus,
                    name: &name,
                    origin: &origin,
                };
                self.step(hops, problem, at, reach, |w, hops, problem| match rules {
                    Ok(rules) => {
                        let before = w.paths.len();
                        w.rules(rules, hops, problem);
                        if w.paths.len() == before {
                            w.record(hops, problem, End::Nowhere);
                            if let Some(path) = w.paths.last_mut() {
                                path.dead_end = Some(format!(
                                    "no rule on the default bus of {account} in {region} matches the event"
                                ));
                            }
                        }
                    }
                    Err(why) => {
                        w.record_unreadable(hops, problem, why.clone());
                    }
                });
            }
            Dest::Function(resolution) => {
                let (name, origin, end) = match resolution {
                    Resolution::Found(f) if self.graph.is_notifier(f.item) => (
                        links::function_label(f.item),
                        f.item.origin.clone(),
                        End::Chat,
                    ),
                    Resolution::Found(f) => (
                        format!(
                            "{} (unclassified: satisfies no route)",
                            links::function_label(f.item)
                        ),
                        f.item.origin.clone(),
                        End::Elsewhere,
                    ),
                    _ => ("function".to_string(), Origin::default(), End::Nowhere),
                };
                let at = At {
                    kind: ResourceKind::LambdaFunction,
                    name: &name,
                    origin: &origin,
                };
                self.step(hops, problem, at, reach, |w, hops, problem| {
                    w.record(hops, problem, end);
                });
            }
            Dest::TopicUnresolved(_) | Dest::Unknown(_) | Dest::Other(_) => {
                let name = match &target.arn.arn {
                    crate::inventory::Known::Value(arn) => arn.clone(),
                    crate::inventory::Known::Unknown(_) => target
                        .arn
                        .address
                        .clone()
                        .unwrap_or_else(|| "target".into()),
                };
                let end = if matches!(dest, Dest::Other(_)) {
                    End::Elsewhere
                } else {
                    End::Nowhere
                };
                let at = At {
                    kind: ResourceKind::Target,
                    name: &name,
                    origin: &target.origin,
                };
                self.step(hops, problem, at, reach, |w, hops, problem| {
                    w.record(hops, problem, end);
                });
            }
        }
    }

    fn topic(&mut self, topic: &TopicHop<'a>, hops: &mut Vec<Hop>, problem: &Option<Link>) {
        let subs = match &topic.subscriptions {
            Err(gap) => {
                return self.record_unreadable(hops, problem, gap.describe());
            }
            Ok(subs) => subs,
        };
        // A subscription whose own topic is unknown may deliver from here:
        // walked to its endpoint, with that doubt on the path.
        for (sub, unknown) in self.graph.unplaced_subscriptions(topic.topic) {
            let located = Located {
                account: topic.topic.account,
                region: topic.topic.region,
                item: sub,
            };
            let hop = SubHop {
                sub: located,
                endpoint: self.graph.endpoint(located),
            };
            let doubt = first(problem, links::unplaced_on(topic.topic, sub, &unknown));
            self.subscription(topic.topic, &hop, hops, &doubt);
        }
        if subs.is_empty() {
            let why = format!(
                "topic {} has no subscription",
                links::topic_label(topic.topic.item)
            );
            let p = first(
                problem,
                Link::Broken {
                    rule: RuleId::SUB004,
                    why,
                },
            );
            return self.record(hops, &p, End::Nowhere);
        }
        for sub in subs {
            self.subscription(topic.topic, sub, hops, problem);
        }
    }

    fn subscription(
        &mut self,
        topic: Located<'a, Topic>,
        sub: &SubHop<'a>,
        hops: &mut Vec<Hop>,
        problem: &Option<Link>,
    ) {
        let confirmed = links::subscription_confirmed(self.graph, sub.sub.item);
        let filter = match self.event {
            Some(event) => links::filter_passes(sub.sub.item, event),
            None => Link::Ok(String::new()),
        };
        let (kind, name, end, extra) = match &sub.endpoint {
            Endpoint::Pager => (
                ResourceKind::PagerdutyEndpoint,
                "PagerDuty".to_string(),
                End::Pager,
                None,
            ),
            Endpoint::Chatbot => (
                ResourceKind::ChatbotEndpoint,
                "AWS Chatbot".to_string(),
                End::Chat,
                None,
            ),
            Endpoint::Email => (
                ResourceKind::EmailEndpoint,
                "e-mail".to_string(),
                End::Email,
                None,
            ),
            Endpoint::Other(p) => (
                ResourceKind::Subscription,
                format!("{p} endpoint"),
                End::Elsewhere,
                None,
            ),
            Endpoint::Unknown(u) => (
                ResourceKind::Subscription,
                "endpoint".to_string(),
                End::Nowhere,
                Some(Link::Unknown {
                    why: format!("endpoint: {}", u.describe()),
                    kind: u.kind,
                }),
            ),
            Endpoint::Function(resolution) => {
                let invocable = links::function_invocable(topic, resolution);
                match resolution {
                    Resolution::Found(f) if self.graph.is_notifier(f.item) => (
                        ResourceKind::Notifier,
                        links::function_label(f.item),
                        End::Chat,
                        Some(invocable),
                    ),
                    Resolution::Found(f) => {
                        let name = links::function_label(f.item);
                        (
                            ResourceKind::LambdaFunction,
                            format!("{name} (unclassified: satisfies no route)"),
                            End::Elsewhere,
                            Some(invocable),
                        )
                    }
                    _ => (
                        ResourceKind::LambdaFunction,
                        "function".to_string(),
                        End::Nowhere,
                        Some(invocable),
                    ),
                }
            }
        };
        let link = [Some(confirmed), Some(filter), extra]
            .into_iter()
            .flatten()
            .find(|l| !l.is_ok())
            .unwrap_or(Link::Ok(String::new()));
        let at = At {
            kind,
            name: &name,
            origin: &sub.sub.item.origin,
        };
        self.step(hops, problem, at, link, |w, hops, problem| {
            w.record(hops, problem, end);
        });
    }
}

fn first(problem: &Option<Link>, link: Link) -> Option<Link> {
    problem.clone().or(Some(link))
}

fn describe(link: &Link) -> (bool, Option<String>) {
    match link {
        Link::Ok(_) => (true, None),
        Link::Broken { rule, why } => (false, Some(format!("{why} ({rule})"))),
        Link::Unknown { why, .. } => (false, Some(format!("not assessed: {why}"))),
    }
}

/// Enumerate every path of a walk's rules for its event `index`. A GuardDuty
/// finding first meets the suppression rules of the bus account's detector
/// ([`suppression::suppression`]): a suppressed finding reaches nothing, and
/// its one path names the filter as the first broken link (GD006).
pub(crate) fn paths(
    graph: &Graph<'_>,
    walk: &Walk<'_>,
    rules: &[RuleHop<'_>],
    index: usize,
) -> Vec<Path> {
    let Some(event) = walk.events.get(index) else {
        return Vec::new();
    };
    let mut walker = Walker {
        graph,
        event: Some(event),
        index,
        automated: None,
        paths: Vec::new(),
    };
    suppressed_or(&mut walker, walk, event, |w, hops, problem| {
        w.rules(rules, hops, problem);
    });
    walker.paths
}

/// Start a GuardDuty finding's path at the suppression rules of the bus
/// account's detector ([`suppression::suppression`]): a suppressed finding
/// reaches nothing, and its one path names the filter as the first broken link
/// (GD006); otherwise `next` continues the path.
fn suppressed_or<'a>(
    walker: &mut Walker<'_, 'a>,
    walk: &Walk<'_>,
    event: &Value,
    next: impl FnOnce(&mut Walker<'_, 'a>, &mut Vec<Hop>, &Option<Link>),
) {
    let mut hops = Vec::new();
    match suppression::suppression(walker.graph.inventory(), &walk.account, &walk.region, event) {
        Suppression::Delivered => next(walker, &mut hops, &None),
        Suppression::Hidden(filter) => {
            let name = suppression::filter_label(filter);
            let link = Link::Broken {
                rule: RuleId::GD006,
                why: format!(
                    "suppression rule {name} (GuardDuty filter with action ARCHIVE) archives the finding, so it is never sent to EventBridge"
                ),
            };
            let at = At {
                kind: ResourceKind::GuarddutyFilter,
                name: &name,
                origin: &filter.origin,
            };
            walker.step(&mut hops, &None, at, link, |w, hops, problem| {
                w.record(hops, problem, End::Nowhere);
            });
        }
        Suppression::Unknown(filter, why, kind) => {
            let name = filter.map_or_else(
                || "GuardDuty filters".to_string(),
                suppression::filter_label,
            );
            let origin = filter.map(|f| f.origin.clone()).unwrap_or_default();
            let at = At {
                kind: ResourceKind::GuarddutyFilter,
                name: &name,
                origin: &origin,
            };
            walker.step(&mut hops, &None, at, Link::Unknown { why, kind }, next);
        }
    }
}

/// Enumerate every path of a source region's Security Hub leg for sample
/// `index` (docs/terms.md, "Security Hub route"): the GuardDuty admin's
/// suppression rules, the Security Hub administrator's hub in the region
/// (SH001, SH003), what its automation rules did to the sample, then each
/// default bus the imported finding reaches (the region's own, and through a
/// finding aggregator its home region's, SH002) with the rules matching the
/// wrapped sample. `Err` is a leg that cannot be assessed: one path, not
/// assessed.
pub(crate) fn hub_paths(
    graph: &Graph<'_>,
    walk: &Walk<'_>,
    leg: &Result<Option<HubLeg<'_>>, String>,
    index: usize,
) -> Vec<Path> {
    let Some(event) = walk.events.get(index) else {
        return Vec::new();
    };
    let leg = match leg {
        Ok(None) => return Vec::new(),
        Ok(Some(leg)) => leg,
        Err(why) => {
            let mut walker = Walker {
                graph,
                event: None,
                index,
                automated: None,
                paths: Vec::new(),
            };
            let origin = Origin::default();
            let at = At {
                kind: ResourceKind::SecurityHub,
                name: "Security Hub",
                origin: &origin,
            };
            let link = Link::Unknown {
                why: format!("the Security Hub route: {why}"),
                kind: UnknownKind::NotObservable,
            };
            walker.step(&mut Vec::new(), &None, at, link, |w, hops, problem| {
                w.record(hops, problem, End::Nowhere);
            });
            return walker.paths;
        }
    };
    let mut all = Vec::new();
    for bus in &leg.buses {
        let mut walker = Walker {
            graph,
            event: None,
            index,
            automated: None,
            paths: Vec::new(),
        };
        suppressed_or(&mut walker, walk, event, |w, hops, problem| {
            w.hub_bus(leg, bus, index, hops, problem);
        });
        all.extend(walker.paths);
    }
    all
}

impl<'a> Walker<'_, 'a> {
    fn hub_bus(
        &mut self,
        leg: &HubLeg<'a>,
        bus: &HubBus<'a>,
        index: usize,
        hops: &mut Vec<Hop>,
        problem: &Option<Link>,
    ) {
        let name = format!("Security Hub {}/{}", leg.account, leg.region);
        let at = At {
            kind: ResourceKind::SecurityHub,
            name: &name,
            origin: &leg.hub_origin,
        };
        self.step(hops, problem, at, leg.hub.clone(), |w, hops, problem| {
            let automated = leg.automation.get(index).cloned().unwrap_or_default();
            match &automated.unknown {
                Some((why, kind)) => {
                    let name = format!("automation rules in {}", leg.automation_region);
                    let origin = Origin::default();
                    let at = At {
                        kind: ResourceKind::SecurityHubAutomationRule,
                        name: &name,
                        origin: &origin,
                    };
                    let link = Link::Unknown {
                        why: why.clone(),
                        kind: *kind,
                    };
                    w.step(hops, problem, at, link, |w, hops, problem| {
                        w.hub_aggregator(leg, bus, index, &automated, hops, problem);
                    });
                }
                None => w.hub_aggregator(leg, bus, index, &automated, hops, problem),
            }
        });
    }

    fn hub_aggregator(
        &mut self,
        leg: &HubLeg<'a>,
        bus: &HubBus<'a>,
        index: usize,
        automated: &Automated,
        hops: &mut Vec<Hop>,
        problem: &Option<Link>,
    ) {
        match &bus.aggregator {
            Some((name, origin, link)) => {
                let at = At {
                    kind: ResourceKind::SecurityHubAggregator,
                    name,
                    origin,
                };
                self.step(hops, problem, at, link.clone(), |w, hops, problem| {
                    w.hub_rules(leg, bus, index, automated, hops, problem);
                });
            }
            None => self.hub_rules(leg, bus, index, automated, hops, problem),
        }
    }

    fn hub_rules(
        &mut self,
        leg: &HubLeg<'a>,
        bus: &HubBus<'a>,
        index: usize,
        automated: &Automated,
        hops: &mut Vec<Hop>,
        problem: &Option<Link>,
    ) {
        let Some(walk) = &bus.walk else {
            return self.record(hops, problem, End::Nowhere);
        };
        let rules = match &walk.rules {
            Ok(rules) => rules,
            Err(why) => return self.record_unreadable(hops, problem, why.clone()),
        };
        let mut walker = Walker {
            graph: self.graph,
            event: walk.events.get(index),
            index,
            automated: (!automated.changed_by.is_empty())
                .then(|| (leg.samples + index, automated.label())),
            paths: Vec::new(),
        };
        walker.rules(rules, hops, problem);
        if walker.paths.is_empty() {
            walker.record(hops, problem, End::Nowhere);
            if let Some(path) = walker.paths.last_mut() {
                path.dead_end = Some(format!(
                    "no rule on the default bus of Security Hub administrator {} in {} matches the `{}` event of the finding",
                    leg.account, bus.region, IMPORTED_DETAIL_TYPE
                ));
            }
        }
        self.paths.extend(walker.paths);
    }
}

/// Enumerate every path from a topic an alarm publishes to: its subscriptions,
/// with no event (filter policies are not judged against a notification).
pub(crate) fn topic_paths(graph: &Graph<'_>, topic: &TopicHop<'_>) -> Vec<Path> {
    let mut walker = Walker {
        graph,
        event: None,
        index: 0,
        automated: None,
        paths: Vec::new(),
    };
    let name = links::topic_label(topic.topic.item);
    let at = At {
        kind: ResourceKind::SnsTopic,
        name: &name,
        origin: &topic.topic.item.origin,
    };
    walker.step(
        &mut Vec::new(),
        &None,
        at,
        Link::Ok(String::new()),
        |w, hops, problem| w.topic(topic, hops, problem),
    );
    walker.paths
}

/// Judge a route for one goal over enumerated paths.
pub(crate) fn verdict(paths: Vec<Path>, goal: Goal) -> Verdict {
    if paths.is_empty() {
        return Verdict::Fail(
            None,
            "no enabled rule on the bus matches the event (EVT001)".into(),
        );
    }
    let (relevant, other): (Vec<Path>, Vec<Path>) =
        paths.into_iter().partition(|p| p.end.relevant(goal));
    if let Some(ok) = relevant
        .iter()
        .find(|p| p.problem.is_none() && p.end.satisfies(goal))
    {
        return Verdict::Pass(ok.clone());
    }
    let unknown: Vec<&Path> = relevant
        .iter()
        .filter(|p| matches!(p.problem, Some(Link::Unknown { .. })))
        .collect();
    if let Some(best) = most_complete(unknown.iter().copied(), |p| p.ok_hops()) {
        // The kind of the path named, unless it is "known after apply" while
        // another is not (that one decides whether the scan is partial).
        let kinds: Vec<UnknownKind> = unknown.iter().filter_map(|p| unknown_kind(p)).collect();
        let kind = match unknown_kind(best) {
            Some(kind) if !kind.is_soft() => kind,
            best_kind => kinds
                .iter()
                .copied()
                .find(|k| !k.is_soft())
                .or(best_kind)
                .unwrap_or(UnknownKind::KnownAfterApply),
        };
        let why = match &best.problem {
            Some(Link::Unknown { why, .. }) => why.clone(),
            _ => String::new(),
        };
        return Verdict::NotAssessed(Some(best.clone()), why, kind);
    }
    let best = most_complete(relevant.iter(), |p| (p.end.satisfies(goal), p.ok_hops()))
        .or_else(|| most_complete(other.iter(), |p| p.ok_hops()))
        .cloned();
    let why = match best.as_ref().map(|p| (&p.problem, &p.dead_end)) {
        Some((Some(Link::Broken { rule, why }), _)) => format!("{why} ({rule})"),
        Some((None, Some(dead_end))) => dead_end.clone(),
        Some(_) if relevant.is_empty() => match &best {
            Some(path) => format!(
                "no path leads to a {}: the walk ends at {}{}",
                goal.noun(),
                path.reached(),
                unrecognised_notifier_hint(path, goal)
            ),
            None => format!("no path leads to a {}", goal.noun()),
        },
        _ if relevant.is_empty() => format!("no path leads to a {}", goal.noun()),
        _ => format!("no path reaches a {}", goal.noun()),
    };
    Verdict::Fail(best, why)
}

/// How to tell alertpath that the function a chat route ends at is a
/// notifier (a custom Lambda EventBridge or SNS invokes directly).
fn unrecognised_notifier_hint(path: &Path, goal: Goal) -> &'static str {
    let ends_at_function = path
        .hops
        .last()
        .is_some_and(|hop| hop.kind == ResourceKind::LambdaFunction);
    if goal == Goal::Chat && ends_at_function {
        "; if that function posts to chat, name it in `[chat] notifier_functions`"
    } else {
        ""
    }
}

/// The first path with the greatest key: among equally complete paths, the
/// first walked is named, whichever goal is judged.
fn most_complete<'p, K: Ord>(
    paths: impl Iterator<Item = &'p Path>,
    key: impl Fn(&Path) -> K,
) -> Option<&'p Path> {
    let mut best: Option<(&Path, K)> = None;
    for path in paths {
        let k = key(path);
        if best.as_ref().is_none_or(|(_, b)| k > *b) {
            best = Some((path, k));
        }
    }
    best.map(|(path, _)| path)
}

fn unknown_kind(path: &Path) -> Option<UnknownKind> {
    match &path.problem {
        Some(Link::Unknown { kind, .. }) => Some(*kind),
        _ => None,
    }
}
