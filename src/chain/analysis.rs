//! The walks every alert-path rule shares, computed once per scan: from the
//! GuardDuty admin's default bus in each source region with the sample findings,
//! and from each account's own default bus in the global region with the root
//! sign-in sample; plus what those walks reach (chain topics, subscriptions,
//! functions) and the failover topics.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use crate::chain::graph::{Dest, Graph, Located, Resolution, RuleHop, SubHop, TargetHop, Walk};
use crate::chain::security_hub::{self, HubLeg};
use crate::chain::topology::{AdminLookup, Topology};
use crate::inventory::{Alarm, EventRule, Function, Known, Ref, Target, Topic};
use crate::samples;

/// The GuardDuty walk of one source region.
pub struct FindingWalk<'a> {
    /// The source region.
    pub region: String,
    /// Who the admin is there.
    pub admin: AdminLookup,
    /// The walk from the admin's default bus, when there is an admin.
    pub walk: Option<Walk<'a>>,
    /// The Security Hub leg (docs/terms.md, "Security Hub route"): `Ok(None)`
    /// when there is no Security Hub administrator, `Err` when the leg
    /// cannot be assessed.
    pub security_hub: Result<Option<HubLeg<'a>>, String>,
}

/// A target reached by a walk, with its rule.
pub struct ReachedTarget<'a> {
    /// The rule.
    pub rule: Located<'a, EventRule>,
    /// The target.
    pub target: &'a Target,
    /// Where it delivers.
    pub dest: Dest<'a>,
}

/// A topic reached by a walk, with the rules and targets that deliver to it.
pub struct ReachedTopic<'a> {
    /// The topic.
    pub topic: Located<'a, Topic>,
    /// The rules (with their target) that deliver to it.
    pub publishers: Vec<(Located<'a, EventRule>, &'a Target)>,
}

/// Everything the walks reach, deduplicated.
#[derive(Default)]
pub struct Reach<'a> {
    /// Rules reached.
    pub rules: Vec<Located<'a, EventRule>>,
    /// Targets reached.
    pub targets: Vec<ReachedTarget<'a>>,
    /// Chain topics: reached topics and those named in `[chain] topics`.
    pub topics: Vec<ReachedTopic<'a>>,
    /// Subscriptions on chain topics, with their topic.
    pub subscriptions: Vec<(Located<'a, Topic>, SubHop<'a>)>,
    /// Functions reached through subscriptions or targets.
    pub functions: Vec<Located<'a, Function>>,
    /// Failover topics: action topics of alarms on an `Errors` metric in chain scope.
    pub failover_topics: Vec<Located<'a, Topic>>,
    /// Alarms on an `Errors` metric with a topic action, in chain scope (ALM002's scope).
    pub error_alarms: Vec<Located<'a, Alarm>>,
    /// (account, region) pairs the walks reached.
    pub scopes: BTreeSet<(String, String)>,
}

/// The shared walks and what they reach.
pub struct Analysis<'a> {
    /// The graph.
    pub graph: Graph<'a>,
    /// One GuardDuty walk per source region.
    pub finding_walks: Vec<FindingWalk<'a>>,
    /// One root sign-in walk per account whose global region was collected.
    pub root_walks: Vec<Walk<'a>>,
    /// What the walks reach.
    pub reach: Reach<'a>,
}

impl<'a> Analysis<'a> {
    /// Compute the walks for a context.
    pub fn new(ctx: &Topology<'a>) -> Self {
        let graph = Graph::new(ctx.inventory, ctx.config);
        let hub_admin = security_hub::hub_admin(ctx.inventory, ctx.config);
        let finding_walks: Vec<FindingWalk<'a>> = ctx
            .source_regions()
            .into_iter()
            .map(|region| {
                let admin = ctx.admin_for(&region);
                let walk = match &admin {
                    AdminLookup::Admin { account, .. } => {
                        Some(graph.walk(account, &region, finding_events(ctx, account, &region)))
                    }
                    _ => None,
                };
                let security_hub = match &walk {
                    Some(walk) => security_hub::leg(&graph, &hub_admin, &region, &walk.events),
                    None => Ok(None),
                };
                FindingWalk {
                    region,
                    admin,
                    walk,
                    security_hub,
                }
            })
            .collect();
        let global = ctx.inventory.global_region();
        let root_walks: Vec<Walk<'a>> = ctx
            .inventory
            .accounts
            .iter()
            .filter(|(id, _)| ctx.inventory.facts(id, global).is_some())
            .map(|(id, _)| {
                let event = samples::root_console_sign_in().with_accounts(id, global, id);
                graph.walk(id, global, vec![event])
            })
            .collect();
        let mut reach = Reach::default();
        for walk in finding_walks
            .iter()
            .filter_map(|w| w.walk.as_ref())
            .chain(root_walks.iter())
        {
            if let Ok(rules) = &walk.rules {
                collect_rules(&mut reach, rules);
            }
        }
        for fw in &finding_walks {
            for walk in fw.hub_walks() {
                if let Ok(rules) = &walk.rules {
                    collect_rules(&mut reach, rules);
                }
            }
        }
        add_config_topics(&graph, &mut reach);
        add_failover(&graph, &mut reach);
        Analysis {
            graph,
            finding_walks,
            root_walks,
            reach,
        }
    }
}

impl<'a> Analysis<'a> {
    /// Which sample events reach each topic on the walks (GuardDuty and root
    /// sign-in), following bus forwarding: what a subscription's filter
    /// policy is judged against.
    pub fn events_by_topic(&'a self) -> TopicEvents<'a> {
        let mut reaching = TopicEvents::new();
        for walk in self
            .finding_walks
            .iter()
            .filter_map(|w| w.walk.as_ref())
            .chain(self.root_walks.iter())
        {
            collect_walk(walk, &mut reaching);
        }
        for fw in &self.finding_walks {
            let samples = match &fw.security_hub {
                Ok(Some(leg)) => leg.samples,
                _ => 0,
            };
            for walk in fw.hub_walks() {
                if let Ok(rules) = &walk.rules {
                    // The samples as automation rules left them: what is sent.
                    let sent: Vec<usize> = (0..samples).collect();
                    collect_events(&walk.events, rules, &sent, &mut reaching);
                }
            }
        }
        reaching
    }
}

impl<'a> FindingWalk<'a> {
    /// The walks from the Security Hub administrator's buses (the source
    /// region's own, and a linking aggregator's home region's).
    pub fn hub_walks(&self) -> impl Iterator<Item = &Walk<'a>> {
        self.security_hub
            .as_ref()
            .ok()
            .and_then(Option::as_ref)
            .into_iter()
            .flat_map(|leg| leg.buses.iter().filter_map(|b| b.walk.as_ref()))
    }
}

/// The sample events that reach each topic on the walks, by topic address.
pub(crate) type TopicEvents<'a> = BTreeMap<*const Topic, Vec<&'a Value>>;

fn collect_walk<'a>(walk: &'a Walk<'a>, into: &mut TopicEvents<'a>) {
    if let Ok(rules) = &walk.rules {
        let all: Vec<usize> = (0..walk.events.len()).collect();
        collect_events(&walk.events, rules, &all, into);
    }
}

fn collect_events<'a>(
    events: &'a [Value],
    rules: &'a [RuleHop<'a>],
    reaching: &[usize],
    into: &mut TopicEvents<'a>,
) {
    for hop in rules {
        let matched: Vec<usize> = reaching
            .iter()
            .copied()
            .filter(|i| hop.matched.get(*i).copied().flatten() != Some(false))
            .collect();
        let Ok(targets) = &hop.targets else { continue };
        for target in targets {
            match &target.dest {
                Dest::Topic(t) => {
                    let list = into.entry(std::ptr::from_ref(t.topic.item)).or_default();
                    for i in &matched {
                        if let Some(e) = events.get(*i)
                            && !list.iter().any(|x| std::ptr::eq(*x, e))
                        {
                            list.push(e);
                        }
                    }
                }
                Dest::Bus {
                    rules: Ok(rules), ..
                } => collect_events(events, rules, &matched, into),
                _ => {}
            }
        }
    }
}

/// The sample findings as the admin's bus in `region` receives them.
pub(crate) fn finding_events(
    ctx: &Topology<'_>,
    admin: &str,
    region: &str,
) -> Vec<serde_json::Value> {
    let member = ctx
        .inventory
        .accounts
        .keys()
        .find(|a| a.as_str() != admin)
        .map(String::as_str)
        .unwrap_or("222222222222");
    samples::guardduty_findings()
        .iter()
        .map(|s| s.with_accounts(admin, region, member))
        .collect()
}

fn same<T>(a: &T, b: &T) -> bool {
    std::ptr::eq(a, b)
}

fn collect_rules<'a>(reach: &mut Reach<'a>, rules: &[RuleHop<'a>]) {
    for hop in rules {
        reach
            .scopes
            .insert((hop.rule.account.to_string(), hop.rule.region.to_string()));
        if !reach.rules.iter().any(|r| same(r.item, hop.rule.item)) {
            reach.rules.push(hop.rule);
        }
        let Ok(targets) = &hop.targets else { continue };
        for target in targets {
            collect_target(reach, hop.rule, target);
        }
    }
}

fn collect_target<'a>(reach: &mut Reach<'a>, rule: Located<'a, EventRule>, hop: &TargetHop<'a>) {
    if !reach.targets.iter().any(|t| same(t.target, hop.target)) {
        reach.targets.push(ReachedTarget {
            rule,
            target: hop.target,
            dest: hop.dest.clone(),
        });
    }
    match &hop.dest {
        Dest::Topic(topic_hop) => {
            let topic = topic_hop.topic;
            add_topic(reach, topic, Some((rule, hop.target)));
            if let Ok(subs) = &topic_hop.subscriptions {
                for sub in subs {
                    add_subscription(reach, topic, sub);
                }
            }
        }
        Dest::Bus {
            rules: Ok(rules), ..
        } => collect_rules(reach, rules),
        Dest::Function(Resolution::Found(f)) => add_function(reach, *f),
        _ => {}
    }
}

fn add_topic<'a>(
    reach: &mut Reach<'a>,
    topic: Located<'a, Topic>,
    publisher: Option<(Located<'a, EventRule>, &'a Target)>,
) {
    reach
        .scopes
        .insert((topic.account.to_string(), topic.region.to_string()));
    match reach
        .topics
        .iter_mut()
        .find(|t| same(t.topic.item, topic.item))
    {
        Some(existing) => {
            if let Some(p) = publisher
                && !existing.publishers.iter().any(|(_, t)| same(*t, p.1))
            {
                existing.publishers.push(p);
            }
        }
        None => reach.topics.push(ReachedTopic {
            topic,
            publishers: publisher.into_iter().collect(),
        }),
    }
}

fn add_subscription<'a>(reach: &mut Reach<'a>, topic: Located<'a, Topic>, sub: &SubHop<'a>) {
    if reach
        .subscriptions
        .iter()
        .any(|(_, s)| same(s.sub.item, sub.sub.item))
    {
        return;
    }
    if let crate::chain::graph::Endpoint::Function(Resolution::Found(f)) = &sub.endpoint {
        add_function(reach, *f);
    }
    reach.subscriptions.push((topic, sub.clone()));
}

fn add_function<'a>(reach: &mut Reach<'a>, function: Located<'a, Function>) {
    reach
        .scopes
        .insert((function.account.to_string(), function.region.to_string()));
    if !reach.functions.iter().any(|f| same(f.item, function.item)) {
        reach.functions.push(function);
    }
}

fn add_config_topics<'a>(graph: &Graph<'a>, reach: &mut Reach<'a>) {
    for arn in &graph.config().chain.topics {
        if let Resolution::Found(topic) = graph.resolve_topic(&Ref::arn(arn.clone())) {
            add_topic(reach, topic, None);
            let hop = graph.topic_hop(topic);
            if let Ok(subs) = &hop.subscriptions {
                for sub in subs {
                    add_subscription(reach, topic, sub);
                }
            }
        }
    }
}

/// Alarms on an `Errors` metric with a topic action in chain scope, and their action topics.
fn add_failover<'a>(graph: &Graph<'a>, reach: &mut Reach<'a>) {
    let scopes: Vec<(String, String)> = reach.scopes.iter().cloned().collect();
    for (account, region) in scopes {
        let Some((acct, reg, facts)) = graph
            .inventory()
            .region_facts()
            .find(|(a, r, _)| *a == account && *r == region)
        else {
            continue;
        };
        for alarm in facts.alarms.collected().into_iter().flatten() {
            let is_errors = alarm.metric_name.value().and_then(|m| m.as_deref()) == Some("Errors");
            let actions = match &alarm.alarm_actions {
                Known::Value(actions) => actions,
                Known::Unknown(_) => continue,
            };
            let topics: Vec<Located<'a, Topic>> = actions
                .iter()
                .filter_map(|a| match graph.resolve_topic(a) {
                    Resolution::Found(t) => Some(t),
                    _ => None,
                })
                .collect();
            let has_topic_action = actions.iter().any(|a| {
                a.arn.value().is_some_and(|arn| arn.contains(":sns:")) || !topics.is_empty()
            });
            if !is_errors || !has_topic_action {
                continue;
            }
            reach.error_alarms.push(Located {
                account: acct,
                region: reg,
                item: alarm,
            });
            for topic in topics {
                if !reach
                    .failover_topics
                    .iter()
                    .any(|t| same(t.item, topic.item))
                {
                    reach.failover_topics.push(topic);
                }
            }
        }
    }
}

impl Reach<'_> {
    /// Chain and failover topics together, deduplicated.
    pub fn chain_and_failover_topics(&self) -> Vec<Located<'_, Topic>> {
        let mut all: Vec<Located<'_, Topic>> = self.topics.iter().map(|t| t.topic).collect();
        for t in &self.failover_topics {
            if !all.iter().any(|x| std::ptr::eq(x.item, t.item)) {
                all.push(*t);
            }
        }
        all
    }
}
