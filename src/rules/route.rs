//! ROUTE: end to end, per source region. Does a sample finding reach a pager
//! (ROUTE001) and a chat endpoint (ROUTE002)? Paths are enumerated over the
//! shared walk and every link is judged by [`crate::links`], so a route verdict
//! always agrees with the link rules that name the broken link.

use serde_json::Value;

use crate::analysis::FindingWalk;
use crate::graph::{Dest, Endpoint, Graph, Located, Resolution, RuleHop, SubHop, TopicHop};
use crate::inventory::{Origin, Topic, UnknownKind};
use crate::links::{self, Link};
use crate::outcome::{Hop, Outcomes, Subject};
use crate::rules::{ADMIN_ROLE, AdminLookup, Context, rule};
use crate::samples;

rule!(
    ROUTE001,
    "no-pager-route",
    "route",
    Route,
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
    "route",
    Route,
    High,
    Admin,
    [Live, Plan, Hcl],
    ADMIN_ROLE,
    "Some sample finding at or above chat.min_severity reaches no chat endpoint",
    check_route002
);

/// What a route must reach.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Goal {
    /// A pager endpoint.
    Pager,
    /// A chat endpoint (notifier or AWS Chatbot).
    Chat,
    /// Any human endpoint (pager, chat, e-mail): root sign-in coverage.
    Human,
}

impl Goal {
    fn noun(self) -> &'static str {
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
pub struct Path {
    /// The hops walked.
    pub hops: Vec<Hop>,
    problem: Option<Link>,
    end: End,
}

impl Path {
    fn ok_hops(&self) -> usize {
        self.hops.iter().take_while(|h| h.ok).count()
    }
}

/// The verdict of a route for one goal and event.
#[derive(Debug, Clone)]
pub enum Verdict {
    /// Some path works.
    Pass(Path),
    /// Every relevant path is broken; the most complete one.
    Fail(Option<Path>, String),
    /// No path works and some could not be judged.
    NotAssessed(Option<Path>, String, UnknownKind),
}

struct Walker<'g, 'a> {
    graph: &'g Graph<'a>,
    event: &'g Value,
    index: usize,
    paths: Vec<Path>,
}

impl<'a> Walker<'_, 'a> {
    fn record(&mut self, hops: &[Hop], problem: &Option<Link>, end: End) {
        self.paths.push(Path {
            hops: hops.to_vec(),
            problem: problem.clone(),
            end,
        });
    }

    fn rules(&mut self, rules: &[RuleHop<'a>], hops: &mut Vec<Hop>, problem: &Option<Link>) {
        for rule in rules {
            let matched = rule.matched.get(self.index).copied().flatten();
            if matched == Some(false) {
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
            self.step(
                hops,
                problem,
                "event-rule",
                &name,
                &rule.rule.item.origin,
                link,
                |w, hops, problem| match &rule.targets {
                    Err(gap) => {
                        let p = first(
                            problem,
                            Link::Unknown {
                                why: gap.describe(),
                                kind: UnknownKind::NotObservable,
                            },
                        );
                        w.record(hops, &p, End::Nowhere);
                    }
                    Ok(targets) if targets.is_empty() => {
                        let p = first(
                            problem,
                            Link::Broken {
                                rule: "EVT004",
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
                },
            );
        }
    }

    /// Push a hop, judge it, run `next`, pop.
    #[allow(clippy::too_many_arguments)]
    fn step(
        &mut self,
        hops: &mut Vec<Hop>,
        problem: &Option<Link>,
        kind: &str,
        name: &str,
        origin: &Origin,
        link: Link,
        next: impl FnOnce(&mut Self, &mut Vec<Hop>, &Option<Link>),
    ) {
        let (ok, text) = describe(&link);
        hops.push(Hop {
            kind: kind.to_string(),
            name: name.to_string(),
            origin: origin.clone(),
            ok,
            problem: text,
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
                self.step(
                    hops,
                    problem,
                    "sns-topic",
                    &name,
                    &topic_hop.topic.item.origin,
                    link,
                    |w, hops, problem| {
                        w.topic(topic_hop, hops, problem);
                    },
                );
            }
            Dest::Bus {
                account,
                region,
                rules,
            } => {
                let name = format!("event bus {account}/{region}");
                self.step(
                    hops,
                    problem,
                    "event-bus",
                    &name,
                    &Origin::default(),
                    reach,
                    |w, hops, problem| match rules {
                        Ok(rules) => w.rules(rules, hops, problem),
                        Err(why) => {
                            let p = first(
                                problem,
                                Link::Unknown {
                                    why: why.clone(),
                                    kind: UnknownKind::NotObservable,
                                },
                            );
                            w.record(hops, &p, End::Nowhere);
                        }
                    },
                );
            }
            Dest::Function(resolution) => {
                let (name, origin, end) = match resolution {
                    Resolution::Found(f) => (
                        links::function_label(f.item),
                        f.item.origin.clone(),
                        if self.graph.is_notifier(f.item) {
                            End::Chat
                        } else {
                            End::Elsewhere
                        },
                    ),
                    _ => ("function".to_string(), Origin::default(), End::Nowhere),
                };
                self.step(
                    hops,
                    problem,
                    "lambda-function",
                    &name,
                    &origin,
                    reach,
                    |w, hops, problem| {
                        w.record(hops, problem, end);
                    },
                );
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
                self.step(
                    hops,
                    problem,
                    "target",
                    &name,
                    &target.origin,
                    reach,
                    |w, hops, problem| {
                        w.record(hops, problem, end);
                    },
                );
            }
        }
    }

    fn topic(&mut self, topic: &TopicHop<'a>, hops: &mut Vec<Hop>, problem: &Option<Link>) {
        let subs = match &topic.subscriptions {
            Err(gap) => {
                let p = first(
                    problem,
                    Link::Unknown {
                        why: gap.describe(),
                        kind: UnknownKind::NotObservable,
                    },
                );
                return self.record(hops, &p, End::Nowhere);
            }
            Ok(subs) => subs,
        };
        if subs.is_empty() {
            let why = format!(
                "topic {} has no subscription",
                links::topic_label(topic.topic.item)
            );
            let p = first(
                problem,
                Link::Broken {
                    rule: "SUB004",
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
        let filter = links::filter_passes(sub.sub.item, self.event);
        let (kind, name, end, extra) = match &sub.endpoint {
            Endpoint::Pager => (
                "pagerduty-endpoint",
                "PagerDuty".to_string(),
                End::Pager,
                None,
            ),
            Endpoint::Chatbot => (
                "chatbot-endpoint",
                "AWS Chatbot".to_string(),
                End::Chat,
                None,
            ),
            Endpoint::Email => ("email-endpoint", "e-mail".to_string(), End::Email, None),
            Endpoint::Other(p) => (
                "subscription",
                format!("{p} endpoint"),
                End::Elsewhere,
                None,
            ),
            Endpoint::Unknown(u) => (
                "subscription",
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
                        "notifier",
                        links::function_label(f.item),
                        End::Chat,
                        Some(invocable),
                    ),
                    Resolution::Found(f) => {
                        let name = links::function_label(f.item);
                        (
                            "lambda-function",
                            format!("{name} (unclassified: satisfies no route)"),
                            End::Elsewhere,
                            Some(invocable),
                        )
                    }
                    _ => (
                        "lambda-function",
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
        self.step(
            hops,
            problem,
            kind,
            &name,
            &sub.sub.item.origin,
            link,
            |w, hops, problem| {
                w.record(hops, problem, end);
            },
        );
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

/// Enumerate every path of a walk's rules for one event.
pub fn paths(graph: &Graph<'_>, rules: &[RuleHop<'_>], event: &Value, index: usize) -> Vec<Path> {
    let mut walker = Walker {
        graph,
        event,
        index,
        paths: Vec::new(),
    };
    walker.rules(rules, &mut Vec::new(), &None);
    walker.paths
}

/// Judge a route for one goal over enumerated paths.
pub fn verdict(paths: Vec<Path>, goal: Goal) -> Verdict {
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
    if let Some(best) = unknown.iter().max_by_key(|p| p.ok_hops()) {
        let kind = if unknown.iter().all(|p| {
            matches!(
                p.problem,
                Some(Link::Unknown {
                    kind: UnknownKind::KnownAfterApply,
                    ..
                })
            )
        }) {
            UnknownKind::KnownAfterApply
        } else {
            UnknownKind::NotObservable
        };
        let why = match &best.problem {
            Some(Link::Unknown { why, .. }) => why.clone(),
            _ => String::new(),
        };
        return Verdict::NotAssessed(Some((*best).clone()), why, kind);
    }
    let best = relevant
        .iter()
        .max_by_key(|p| (p.end.satisfies(goal), p.ok_hops()))
        .or_else(|| other.iter().max_by_key(|p| p.ok_hops()))
        .cloned();
    let why = match best.as_ref().and_then(|p| p.problem.as_ref()) {
        Some(Link::Broken { rule, why }) => format!("{why} ({rule})"),
        _ if relevant.is_empty() => format!("no path leads to a {}", goal.noun()),
        _ => format!("no path reaches a {}", goal.noun()),
    };
    Verdict::Fail(best, why)
}

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
        let label = finding_label(event, severity);
        match verdict(paths(graph, rules, event, index), goal) {
            Verdict::Pass(path) => passing = passing.or(Some(path)),
            Verdict::Fail(path, why) => failing.push((label, path, why)),
            Verdict::NotAssessed(path, why, kind) => unknown.push((label, path, why, kind)),
        }
    }
    if let Some((label, path, why)) = failing.first() {
        let also = if failing.len() > 1 {
            format!(" ({} of the sample findings fail)", failing.len())
        } else {
            String::new()
        };
        let outcome = out.fail(
            subject,
            format!(
                "{label} in {region} reaches no {}: {why}{also}",
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

fn finding_label(event: &Value, severity: f64) -> String {
    let kind = event
        .pointer("/detail/type")
        .and_then(Value::as_str)
        .unwrap_or("GuardDuty finding");
    format!("{kind} (severity {severity:.1})")
}
