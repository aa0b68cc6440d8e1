//! The alert graph: derived from the inventory, it resolves the links of the
//! alert path — rule → target → (bus → rule →)* topic → subscription → function,
//! and function → covering alarm → action topic — and walks them from a bus
//! with sample events. Links resolve by ARN, by Terraform address, and by
//! (account, region, name), so Terraform stacks whose ARNs are only known after
//! apply still link up.

use std::collections::{BTreeSet, HashMap};

use serde_json::Value;

use crate::config::Config;
use crate::endpoints;
use crate::inventory::arn::Arn;
use crate::inventory::{
    Alarm, EventRule, Function, Gap, Inventory, Known, Observed, Ref, RegionFacts, RegionSlot,
    Subscription, Target, Topic, Unknown,
};
use crate::pattern::EventPattern;

/// A resource together with the account and region it lives in.
#[derive(Debug)]
pub struct Located<'a, T> {
    /// The account.
    pub account: &'a str,
    /// The region.
    pub region: &'a str,
    /// The resource.
    pub item: &'a T,
}

impl<T> Clone for Located<'_, T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T> Copy for Located<'_, T> {}

/// The outcome of resolving a link.
#[derive(Debug, Clone)]
pub enum Resolution<'a, T> {
    /// The linked resource.
    Found(Located<'a, T>),
    /// The link points at nothing that exists (the message says what was looked for).
    Missing(String),
    /// The link points into scope that was not collected.
    NotCollected(String),
    /// The link's value is unknown.
    Unknown(Unknown),
}

/// Where a subscription delivers.
#[derive(Debug, Clone)]
pub enum Endpoint<'a> {
    /// A pager endpoint (PagerDuty events URL or a configured pattern).
    Pager,
    /// AWS Chatbot's SNS endpoint.
    Chatbot,
    /// A Lambda function.
    Function(Resolution<'a, Function>),
    /// An e-mail address.
    Email,
    /// Anything else (protocol named).
    Other(String),
    /// The protocol or endpoint is unknown.
    Unknown(Unknown),
}

/// A subscription reached by the walk.
#[derive(Debug, Clone)]
pub struct SubHop<'a> {
    /// The subscription.
    pub sub: Located<'a, Subscription>,
    /// Where it delivers.
    pub endpoint: Endpoint<'a>,
}

/// A topic reached by the walk, with its subscriptions.
#[derive(Debug, Clone)]
pub struct TopicHop<'a> {
    /// The topic.
    pub topic: Located<'a, Topic>,
    /// Its subscriptions; a gap when they could not be listed.
    pub subscriptions: Result<Vec<SubHop<'a>>, &'a Gap>,
}

/// Where a rule target delivers.
#[derive(Debug, Clone)]
pub enum Dest<'a> {
    /// An SNS topic that resolved.
    Topic(TopicHop<'a>),
    /// An SNS topic that did not resolve (the resolution says why).
    TopicUnresolved(Resolution<'a, Topic>),
    /// Another event bus (forwarding), with the rules walked there.
    Bus {
        /// The bus's account.
        account: String,
        /// The bus's region.
        region: String,
        /// Rules on that bus matching the events; a gap when not collected.
        rules: Result<Vec<RuleHop<'a>>, String>,
    },
    /// A Lambda function target.
    Function(Resolution<'a, Function>),
    /// Anything else (the ARN's service named).
    Other(String),
    /// The target ARN is unknown.
    Unknown(Unknown),
}

/// A target of a rule reached by the walk.
#[derive(Debug, Clone)]
pub struct TargetHop<'a> {
    /// The target.
    pub target: &'a Target,
    /// Where it delivers.
    pub dest: Dest<'a>,
}

/// A rule reached by the walk.
#[derive(Debug, Clone)]
pub struct RuleHop<'a> {
    /// The rule.
    pub rule: Located<'a, EventRule>,
    /// Per event: does the pattern match (None: unknown pattern)?
    pub matched: Vec<Option<bool>>,
    /// Why matching is unknown or failed (malformed pattern), if it is.
    pub pattern_problem: Option<String>,
    /// Its targets; a gap when they could not be listed.
    pub targets: Result<Vec<TargetHop<'a>>, &'a Gap>,
}

/// A walk from one bus with a set of events.
#[derive(Debug, Clone)]
pub struct Walk<'a> {
    /// The account of the starting bus.
    pub account: String,
    /// The region of the starting bus.
    pub region: String,
    /// The events walked, in order (their index matches `RuleHop::matched`).
    pub events: Vec<Value>,
    /// Rules on the starting bus that match any event (or whose pattern is unknown).
    pub rules: Result<Vec<RuleHop<'a>>, String>,
}

type Key = (String, String, String);

/// One kind of resource, indexed the three ways a link can name it: ARN,
/// Terraform address, and (account, region, name).
struct Index<'a, T> {
    by_arn: HashMap<&'a str, Located<'a, T>>,
    by_address: HashMap<&'a str, Located<'a, T>>,
    by_key: HashMap<Key, Located<'a, T>>,
}

impl<'a, T> Index<'a, T> {
    fn new() -> Self {
        Index {
            by_arn: HashMap::new(),
            by_address: HashMap::new(),
            by_key: HashMap::new(),
        }
    }

    fn insert(
        &mut self,
        located: Located<'a, T>,
        arn: Option<&'a String>,
        address: Option<&'a str>,
        name: Option<&'a String>,
    ) {
        if let Some(arn) = arn {
            self.by_arn.insert(arn.as_str(), located);
        }
        if let Some(address) = address {
            self.by_address.insert(address, located);
        }
        if let Some(name) = name {
            self.by_key
                .insert(key(located.account, located.region, name), located);
        }
    }
}

/// Indexes over the inventory for link resolution.
pub struct Graph<'a> {
    inventory: &'a Inventory,
    config: &'a Config,
    topics: Index<'a, Topic>,
    functions: Index<'a, Function>,
}

impl<'a> Graph<'a> {
    /// Index an inventory.
    pub fn new(inventory: &'a Inventory, config: &'a Config) -> Self {
        let mut g = Graph {
            inventory,
            config,
            topics: Index::new(),
            functions: Index::new(),
        };
        for (account, region, facts) in inventory.region_facts() {
            for topic in facts.topics.collected().into_iter().flatten() {
                let located = Located {
                    account,
                    region,
                    item: topic,
                };
                g.topics.insert(
                    located,
                    topic.arn.value(),
                    topic.origin.address.as_deref(),
                    topic.name.value(),
                );
            }
            for function in facts.functions.collected().into_iter().flatten() {
                let located = Located {
                    account,
                    region,
                    item: function,
                };
                g.functions.insert(
                    located,
                    function.arn.value(),
                    function.origin.address.as_deref(),
                    function.name.value(),
                );
            }
        }
        g
    }

    /// The inventory.
    pub fn inventory(&self) -> &'a Inventory {
        self.inventory
    }

    /// The config.
    pub fn config(&self) -> &'a Config {
        self.config
    }

    /// Resolve a reference to a topic.
    pub fn resolve_topic(&self, link: &Ref) -> Resolution<'a, Topic> {
        self.resolve(link, "sns", &self.topics, |f| f.topics.gap())
    }

    /// Resolve a reference to a function (ARN, qualified ARN, address or name).
    pub fn resolve_function(&self, link: &Ref) -> Resolution<'a, Function> {
        let link = match &link.arn {
            Known::Value(arn) => Ref {
                arn: Known::Value(unqualified_function_arn(arn)),
                ..link.clone()
            },
            Known::Unknown(_) => link.clone(),
        };
        let found = self.resolve(&link, "lambda", &self.functions, |f| f.functions.gap());
        match found {
            // The source looked the function up and found it absent.
            Resolution::Unknown(u)
                if u.kind == crate::inventory::UnknownKind::OutsideStack
                    && link
                        .arn
                        .value()
                        .is_some_and(|arn| self.confirmed_absent(arn)) =>
            {
                Resolution::Missing(format!(
                    "`{}` does not exist",
                    link.arn.value().map(String::as_str).unwrap_or_default()
                ))
            }
            Resolution::Missing(what) => {
                let absent = link
                    .arn
                    .value()
                    .is_some_and(|arn| self.confirmed_absent(arn));
                if absent || self.inventory.source.kind == crate::inventory::SourceKind::Live {
                    Resolution::Missing(what)
                } else {
                    Resolution::NotCollected(format!("{what} is not declared in this stack"))
                }
            }
            other => other,
        }
    }

    fn confirmed_absent(&self, arn: &str) -> bool {
        self.inventory
            .region_facts()
            .any(|(_, _, f)| f.absent_functions.iter().any(|a| a == arn))
    }

    fn resolve<T>(
        &self,
        link: &Ref,
        service: &str,
        index: &Index<'a, T>,
        group_gap: impl Fn(&'a RegionFacts) -> Option<&'a Gap>,
    ) -> Resolution<'a, T> {
        if let Some(found) = link
            .address
            .as_deref()
            .and_then(|a| index.by_address.get(a))
        {
            return Resolution::Found(*found);
        }
        let terraform = self.inventory.source.kind != crate::inventory::SourceKind::Live;
        let arn = match &link.arn {
            Known::Value(arn) => arn,
            Known::Unknown(m) => return Resolution::Unknown(m.unknown.clone()),
        };
        if let Some(found) = index.by_arn.get(arn.as_str()) {
            return Resolution::Found(*found);
        }
        let Some(parsed) = Arn::parse(arn).filter(|a| a.service == service) else {
            return Resolution::Missing(format!("`{arn}` is not a {service} ARN"));
        };
        if let Some(found) = index
            .by_key
            .get(&key(parsed.account, parsed.region, parsed.name()))
        {
            return Resolution::Found(*found);
        }
        if terraform {
            // A literal or data-source ARN the stack does not declare: it
            // belongs to another stack (docs/terms.md, "outside this stack").
            return outside_stack(arn);
        }
        let Some(account) = self.inventory.accounts.get(parsed.account) else {
            return Resolution::NotCollected(format!(
                "`{arn}` is in account {}, which was not collected",
                parsed.account
            ));
        };
        match account.regions.get(parsed.region) {
            None | Some(RegionSlot::NotEnabled) if account.regions.is_empty() => {
                Resolution::NotCollected(format!(
                    "`{arn}`: account {} was not assessed",
                    parsed.account
                ))
            }
            None | Some(RegionSlot::NotEnabled) => Resolution::Missing(format!(
                "`{arn}` names region `{}`, where account {} has nothing",
                parsed.region, parsed.account
            )),
            Some(RegionSlot::Enabled(observed)) => match observed.as_ref() {
                Observed::Gap(gap) => Resolution::NotCollected(gap.describe()),
                Observed::Collected(facts) => match group_gap(facts) {
                    Some(gap) => Resolution::NotCollected(gap.describe()),
                    None => Resolution::Missing(format!("`{arn}` does not exist")),
                },
            },
        }
    }

    /// Classify a subscription's endpoint (the decision is [`endpoints::classify`],
    /// with `[pager] endpoint_patterns`); a Lambda endpoint is resolved.
    pub fn endpoint(&self, sub: Located<'a, Subscription>) -> Endpoint<'a> {
        match endpoints::classify(sub.item, &self.config.pager.endpoint_patterns) {
            endpoints::Kind::Lambda => Endpoint::Function(self.resolve_function(&Ref::to(
                sub.item.endpoint.clone(),
                sub.item.endpoint_address.clone(),
            ))),
            endpoints::Kind::Pager => Endpoint::Pager,
            endpoints::Kind::Chatbot => Endpoint::Chatbot,
            endpoints::Kind::Email => Endpoint::Email,
            endpoints::Kind::Other(protocol) => Endpoint::Other(protocol),
            endpoints::Kind::Unknown(u) => Endpoint::Unknown(u),
        }
    }

    /// Whether a subscription counts as confirmed for this inventory's source
    /// (the decision is [`endpoints::confirmation`], with `[pager] endpoint_patterns`).
    pub fn confirmation(&self, sub: &Subscription) -> endpoints::Confirmation {
        endpoints::confirmation(
            sub,
            self.inventory.source.kind,
            &self.config.pager.endpoint_patterns,
        )
    }

    /// Subscriptions on a topic (matched by topic ARN, address, or account/region/name).
    pub fn subscriptions_of(
        &self,
        topic: Located<'a, Topic>,
    ) -> Result<Vec<Located<'a, Subscription>>, &'a Gap> {
        Ok(self
            .placements(topic)?
            .into_iter()
            .filter(|(_, placed)| matches!(placed, Placement::On))
            .map(|(s, _)| Located {
                account: topic.account,
                region: topic.region,
                item: s,
            })
            .collect())
    }

    /// The subscriptions in `topic`'s account and region whose own topic is
    /// unknown (`topic_arn = var.x` with no value, a Chatbot configuration
    /// whose topic list is unknown): each may be on `topic`.
    pub fn unplaced_subscriptions(
        &self,
        topic: Located<'a, Topic>,
    ) -> Vec<(&'a Subscription, Unknown)> {
        self.placements(topic)
            .unwrap_or_default()
            .into_iter()
            .filter_map(|(s, placed)| match placed {
                Placement::Maybe(u) => Some((s, u)),
                _ => None,
            })
            .collect()
    }

    /// Where each subscription of `topic`'s account and region stands with
    /// respect to `topic`: the one decision of which subscriptions are on it.
    fn placements(
        &self,
        topic: Located<'a, Topic>,
    ) -> Result<Vec<(&'a Subscription, Placement)>, &'a Gap> {
        let Some(facts) = self.inventory.facts(topic.account, topic.region) else {
            return Ok(Vec::new());
        };
        let subs = match &facts.subscriptions {
            Observed::Collected(subs) => subs,
            Observed::Gap(gap) => return Err(gap),
        };
        Ok(subs
            .iter()
            .map(|s| {
                let placed = match self.resolve_topic(&s.topic) {
                    Resolution::Found(t) if std::ptr::eq(t.item, topic.item) => Placement::On,
                    Resolution::Unknown(u) => match named_here(&s.topic, topic.item) {
                        Some(true) => Placement::On,
                        Some(false) => Placement::Elsewhere,
                        None => Placement::Maybe(u),
                    },
                    _ => Placement::Elsewhere,
                };
                (s, placed)
            })
            .collect())
    }

    /// Whether a function is a notifier ([`endpoints::is_notifier`] with `[chat]`).
    pub fn is_notifier(&self, function: &Function) -> bool {
        endpoints::is_notifier(function, &self.config.chat)
    }

    /// Alarms in the function's account and region that cover it (docs/terms.md, "covers").
    pub fn covering_alarms(&self, function: Located<'a, Function>) -> Vec<Located<'a, Alarm>> {
        let Some(facts) = self.inventory.facts(function.account, function.region) else {
            return Vec::new();
        };
        let name = function.item.name.value();
        facts
            .alarms
            .collected()
            .into_iter()
            .flatten()
            .filter(|alarm| alarm_covers(alarm, name.map(String::as_str)) == Some(true))
            .map(|alarm| Located {
                account: function.account,
                region: function.region,
                item: alarm,
            })
            .collect()
    }

    /// Walk from a bus with events: the rules there that match, and everything downstream.
    pub fn walk(&self, account: &str, region: &str, events: Vec<Value>) -> Walk<'a> {
        let mut visited = BTreeSet::new();
        let rules = self.rules_on_bus(account, region, &events, &mut visited);
        Walk {
            account: account.to_string(),
            region: region.to_string(),
            events,
            rules,
        }
    }

    fn rules_on_bus(
        &self,
        account: &str,
        region: &str,
        events: &[Value],
        visited: &mut BTreeSet<(String, String)>,
    ) -> Result<Vec<RuleHop<'a>>, String> {
        if !visited.insert((account.to_string(), region.to_string())) {
            return Ok(Vec::new());
        }
        let Some((acct_key, account_entry)) = self.inventory.accounts.get_key_value(account) else {
            return Err(format!("account {account} was not collected"));
        };
        if let Some(gap) = account_entry.access.gap() {
            return Err(gap.describe());
        }
        let (region_key, slot) = account_entry
            .regions
            .get_key_value(region)
            .ok_or_else(|| format!("{region} of {account} was not collected"))?;
        let facts = match slot {
            RegionSlot::NotEnabled => return Err(format!("{region} is not enabled for {account}")),
            RegionSlot::Enabled(observed) => match observed.as_ref() {
                Observed::Collected(f) => f,
                Observed::Gap(gap) => return Err(gap.describe()),
            },
        };
        let rules = match &facts.event_rules {
            Observed::Collected(rules) => rules,
            Observed::Gap(gap) => return Err(gap.describe()),
        };
        let mut hops = Vec::new();
        for rule in rules.iter().filter(|r| r.event_bus == "default") {
            let (matched, pattern_problem) = match_rule(rule, events);
            if !matched.iter().any(|m| *m != Some(false)) {
                continue;
            }
            let located = Located {
                account: acct_key.as_str(),
                region: region_key.as_str(),
                item: rule,
            };
            let targets = match &rule.targets {
                Observed::Gap(gap) => Err(gap),
                Observed::Collected(targets) => Ok(targets
                    .iter()
                    .map(|t| TargetHop {
                        target: t,
                        dest: self.dest(t, events, visited),
                    })
                    .collect()),
            };
            hops.push(RuleHop {
                rule: located,
                matched,
                pattern_problem,
                targets,
            });
        }
        Ok(hops)
    }

    fn dest(
        &self,
        target: &Target,
        events: &[Value],
        visited: &mut BTreeSet<(String, String)>,
    ) -> Dest<'a> {
        if let Some(address) = &target.arn.address {
            if let Some(topic) = self.topics.by_address.get(address.as_str()) {
                return Dest::Topic(self.topic_hop(*topic));
            }
            if let Some(function) = self.functions.by_address.get(address.as_str()) {
                return Dest::Function(Resolution::Found(*function));
            }
        }
        let arn = match &target.arn.arn {
            Known::Value(arn) => arn,
            Known::Unknown(m) => return Dest::Unknown(m.unknown.clone()),
        };
        let service = Arn::parse(arn)
            .map(|a| a.service.to_string())
            .unwrap_or_default();
        match service.as_str() {
            "sns" => match self.resolve_topic(&target.arn) {
                Resolution::Found(t) => Dest::Topic(self.topic_hop(t)),
                unresolved => Dest::TopicUnresolved(unresolved),
            },
            "lambda" => Dest::Function(self.resolve_function(&target.arn)),
            "events" => match Arn::parse(arn) {
                Some(bus) if bus.resource == "event-bus/default" => Dest::Bus {
                    account: bus.account.to_string(),
                    region: bus.region.to_string(),
                    rules: self.rules_on_bus(bus.account, bus.region, events, visited),
                },
                _ => Dest::Other(format!("event bus `{arn}` (only default buses are walked)")),
            },
            "" => Dest::Other(format!("`{arn}` (not an ARN)")),
            other => Dest::Other(format!("{other} target")),
        }
    }

    /// A topic with its subscriptions and their endpoints.
    pub fn topic_hop(&self, topic: Located<'a, Topic>) -> TopicHop<'a> {
        TopicHop {
            topic,
            subscriptions: self.subscriptions_of(topic).map(|subs| {
                subs.into_iter()
                    .map(|sub| SubHop {
                        sub,
                        endpoint: self.endpoint(sub),
                    })
                    .collect()
            }),
        }
    }
}

/// Where a subscription stands with respect to one topic.
enum Placement {
    /// On the topic.
    On,
    /// On another topic, or on none that exists.
    Elsewhere,
    /// Its topic is unknown: it may be on this one.
    Maybe(Unknown),
}

/// Whether a reference whose ARN is unknown names `topic` by its known
/// name (in the referencing resource's account and region, where the caller
/// looks); `None` when either name is unknown.
fn named_here(link: &Ref, topic: &Topic) -> Option<bool> {
    let name = link.name.as_deref()?;
    topic.name.value().map(|t| t == name)
}

fn key(account: &str, region: &str, name: &str) -> Key {
    (account.to_string(), region.to_string(), name.to_string())
}

/// `arn:…:function:name:alias` → `arn:…:function:name`.
fn unqualified_function_arn(arn: &str) -> String {
    let parts: Vec<&str> = arn.split(':').collect();
    if parts.len() > 7 && parts[5] == "function" {
        parts[..7].join(":")
    } else {
        arn.to_string()
    }
}

/// Match a rule's pattern against each event.
fn match_rule(rule: &EventRule, events: &[Value]) -> (Vec<Option<bool>>, Option<String>) {
    match &rule.event_pattern {
        Known::Unknown(m) => (vec![None; events.len()], Some(m.unknown.describe())),
        Known::Value(None) => (vec![Some(false); events.len()], None),
        Known::Value(Some(text)) => match EventPattern::parse(text) {
            Ok(pattern) => (
                events.iter().map(|e| Some(pattern.matches(e))).collect(),
                None,
            ),
            Err(e) => (vec![Some(false); events.len()], Some(e.to_string())),
        },
    }
}

/// Does the alarm cover function `name` (docs/terms.md, "covers")? `None` when unknown.
pub(crate) fn alarm_covers(alarm: &Alarm, name: Option<&str>) -> Option<bool> {
    let namespace = alarm.namespace.value()?.as_deref();
    let metric = alarm.metric_name.value()?.as_deref();
    if namespace != Some("AWS/Lambda") || metric != Some("Errors") {
        return Some(false);
    }
    let dims = alarm.dimensions.value()?;
    let scoped = match dims.get("FunctionName") {
        None => dims.is_empty(),
        Some(f) => Some(f.as_str()) == name,
    };
    Some(scoped && alarm_can_fire(alarm)?)
}

/// Whether an `Errors` alarm's comparison and threshold can ever fire.
pub(crate) fn alarm_can_fire(alarm: &Alarm) -> Option<bool> {
    let comparison = alarm.comparison_operator.value()?;
    let threshold = (*alarm.threshold.value()?)?;
    let statistic = alarm.statistic.value()?.as_deref().unwrap_or("Sum");
    // Errors per datapoint: Average/Minimum/Maximum of a 0/1-per-invocation metric stay ≤ 1.
    let max = match statistic {
        "Average" | "Minimum" | "Maximum" => 1.0,
        _ => f64::INFINITY,
    };
    Some(match comparison.as_str() {
        "GreaterThanOrEqualToThreshold" => threshold <= max,
        "GreaterThanThreshold" => threshold < max,
        _ => false,
    })
}

/// Every rule hop of a walk, following bus forwarding, once each (added to `acc`).
pub(crate) fn collect_rule_hops<'b, 'a>(hops: &'b [RuleHop<'a>], acc: &mut Vec<&'b RuleHop<'a>>) {
    for hop in hops {
        if !acc.iter().any(|h| std::ptr::eq(h.rule.item, hop.rule.item)) {
            acc.push(hop);
        }
        let Ok(targets) = &hop.targets else { continue };
        for target in targets {
            if let Dest::Bus {
                rules: Ok(rules), ..
            } = &target.dest
            {
                collect_rule_hops(rules, acc);
            }
        }
    }
}

/// A link to a resource outside the Terraform stack: not assessed, of the
/// kind that does not cause exit 3 unless `--strict-unknowns`.
fn outside_stack<'a, T>(what: &str) -> Resolution<'a, T> {
    Resolution::Unknown(crate::inventory::Unknown {
        kind: crate::inventory::UnknownKind::OutsideStack,
        expression: Some(what.to_string()),
    })
}
