//! EVT: EventBridge rules on the admin bus, and the targets the walks reach.

use crate::chain::analysis::{Analysis, FindingWalk, ReachedTarget};
use crate::chain::graph::{Dest, Endpoint, Located, Resolution, RuleHop, Walk};
use crate::chain::links::{self, Link, function_label, rule_label, topic_label};
use crate::inventory::{Alarm, EventRule, Known, Observed, Target, TargetInput, UnknownKind};
use crate::outcome::{Outcomes, ResourceKind, Subject};
use crate::rules::subjects::rule_subject;
use crate::rules::{ADMIN_ROLE, AdminLookup, Context, Rule, rule};

rule!(
    EVT001,
    "no-finding-rule",
    High,
    Admin,
    [Live, Plan, Hcl],
    ADMIN_ROLE,
    "No enabled rule on the admin's default bus in a source region matches any sample finding",
    check_evt001
);
rule!(
    EVT002,
    "finding-rule-disabled",
    High,
    Admin,
    [Live, Plan, Hcl],
    None,
    "A rule whose pattern would match findings is DISABLED",
    check_evt002
);
rule!(
    EVT003,
    "delivery-failures-unwatched",
    Medium,
    Admin,
    [Live, Plan, Hcl],
    ADMIN_ROLE,
    "A rule on a route has no FailedInvocations alarm and no dead-letter queue on its targets",
    check_evt003
);
rule!(
    EVT004,
    "target-unreachable",
    High,
    Chain,
    [Live, Plan, Hcl],
    None,
    "A rule's target cannot receive events (missing, another region, or cross-account without policy and RoleArn)",
    check_evt004
);
rule!(
    EVT005,
    "transformer-breaks-consumer",
    Low,
    Chain,
    [Live, Plan, Hcl],
    None,
    "An input transformer produces a shape the consumer cannot handle",
    check_evt005
);

/// This family's rules, in catalog order.
pub(super) const RULES: &[Rule] = &[EVT001, EVT002, EVT003, EVT004, EVT005];

/// The subject for a rule's target.
fn target_subject(rule: Located<'_, EventRule>, target: &Target) -> Subject {
    let id = target
        .id
        .value()
        .cloned()
        .unwrap_or_else(|| "target".into());
    Subject::resource(
        rule.account,
        rule.region,
        ResourceKind::EventTarget,
        format!("{}/{id}", rule_label(rule.item)),
        &target.origin,
    )
}

fn region_only(region: &str) -> Subject {
    Subject {
        region: Some(region.to_string()),
        ..Subject::global()
    }
}

/// The walk of a source region and its rules on the admin's default bus, or
/// the region-level outcome that says why there is none.
fn admin_walk<'b, 'a>(
    fw: &'b FindingWalk<'a>,
    out: &mut Outcomes,
) -> Option<(&'b Walk<'a>, &'b [RuleHop<'a>])> {
    let region = &fw.region;
    let walk = match (&fw.admin, &fw.walk) {
        (AdminLookup::NoAdmin, _) => {
            out.not_applicable(
                region_only(region),
                format!("no GuardDuty administrator in {region} (see ORG001)"),
            );
            return None;
        }
        (AdminLookup::Unknown(why), _) => {
            out.not_assessed(
                region_only(region),
                format!("GuardDuty admin unknown: {why}"),
            );
            return None;
        }
        (AdminLookup::Admin { account, .. }, None) => {
            out.not_assessed(
                Subject::region(account, region),
                "the admin's default bus was not walked",
            );
            return None;
        }
        (AdminLookup::Admin { .. }, Some(walk)) => walk,
    };
    match &walk.rules {
        Ok(hops) => Some((walk, hops.as_slice())),
        Err(why) => {
            out.not_assessed(
                Subject::region(&walk.account, &walk.region),
                format!(
                    "the rules on the default bus of admin {} in {} were not collected: {why}",
                    walk.account, walk.region
                ),
            );
            None
        }
    }
}

/// Every rule the finding walks reach (through bus forwarding too, and on
/// the Security Hub leg's buses), once each.
fn finding_rule_hops<'b, 'a>(
    analysis: &'b Analysis<'a>,
    out: &mut Outcomes,
) -> Vec<&'b RuleHop<'a>> {
    let mut hops = Vec::new();
    for fw in &analysis.finding_walks {
        if let Some((_, top)) = admin_walk(fw, out) {
            crate::chain::graph::collect_rule_hops(top, &mut hops);
        }
        for walk in fw.hub_walks() {
            if let Ok(top) = &walk.rules {
                crate::chain::graph::collect_rule_hops(top, &mut hops);
            }
        }
    }
    hops
}

fn matches_some(hop: &RuleHop<'_>) -> bool {
    hop.matched.contains(&Some(true))
}

fn match_unknown(hop: &RuleHop<'_>) -> bool {
    hop.matched.iter().any(Option::is_none)
}

fn matched_count(hop: &RuleHop<'_>) -> usize {
    hop.matched.iter().filter(|m| **m == Some(true)).count()
}

/// Why a rule's match is unknown, with the kind of unknown.
fn pattern_unknown(rule: &EventRule) -> (String, UnknownKind) {
    match &rule.event_pattern {
        Known::Unknown(m) => (
            format!(
                "event pattern of rule {}: {}",
                rule_label(rule),
                m.unknown.describe()
            ),
            m.unknown.kind,
        ),
        Known::Value(_) => (
            format!(
                "whether rule {}'s pattern matches is unknown",
                rule_label(rule)
            ),
            UnknownKind::NotObservable,
        ),
    }
}

fn check_evt001(ctx: &Context<'_>, out: &mut Outcomes) {
    for fw in &ctx.analysis().finding_walks {
        if let Some((walk, hops)) = admin_walk(fw, out) {
            judge_evt001(walk, hops, hub_finding_rule(fw), out);
        }
    }
}

/// An enabled rule of the region's Security Hub leg that matches the imported
/// findings (docs/terms.md, "Security Hub route"), as a pass message.
fn hub_finding_rule(fw: &FindingWalk<'_>) -> Result<Option<String>, String> {
    let leg = match &fw.security_hub {
        Ok(Some(leg)) => leg,
        Ok(None) => return Ok(None),
        Err(why) => return Err(why.clone()),
    };
    if !leg.hub.is_ok() {
        return Ok(None);
    }
    for bus in &leg.buses {
        let Some(Ok(rules)) = bus.walk.as_ref().map(|w| &w.rules) else {
            continue;
        };
        for hop in rules {
            let imported = hop
                .matched
                .iter()
                .skip(leg.samples)
                .any(|m| *m == Some(true));
            if imported && links::rule_enabled(hop.rule.item).is_ok() {
                return Ok(Some(format!(
                    "enabled rule {} on the default bus of Security Hub administrator {} in {} matches the `{}` events of the imported sample findings of {} (a Security Hub route)",
                    rule_label(hop.rule.item),
                    leg.account,
                    bus.region,
                    crate::samples_asff::IMPORTED_DETAIL_TYPE,
                    leg.region
                )));
            }
        }
    }
    Ok(None)
}

fn judge_evt001(
    walk: &Walk<'_>,
    hops: &[RuleHop<'_>],
    hub: Result<Option<String>, String>,
    out: &mut Outcomes,
) {
    let subject = Subject::region(&walk.account, &walk.region);
    let total = walk.events.len();
    let mut disabled = Vec::new();
    let mut unknown: Option<(String, UnknownKind)> = None;
    for hop in hops {
        let name = rule_label(hop.rule.item);
        match links::rule_enabled(hop.rule.item) {
            Link::Ok(_) if matches_some(hop) => {
                out.pass(
                    subject,
                    format!(
                        "enabled rule {name} on the default bus of admin {} matches {} of {total} sample findings",
                        walk.account,
                        matched_count(hop)
                    ),
                );
                return;
            }
            Link::Ok(_) if match_unknown(hop) => {
                unknown = unknown.or(Some(pattern_unknown(hop.rule.item)))
            }
            Link::Unknown { why, kind } if matches_some(hop) || match_unknown(hop) => {
                unknown = unknown.or(Some((format!("rule {name}: {why}"), kind)));
            }
            Link::Broken { .. } if matches_some(hop) => disabled.push(hop.rule),
            _ => {}
        }
    }
    let unknown = match hub {
        Ok(Some(message)) => {
            out.pass(subject, message);
            return;
        }
        Ok(None) => unknown,
        Err(why) => unknown.or(Some((
            format!("no rule on the admin's bus matches, and the Security Hub route is not assessed: {why}"),
            UnknownKind::NotObservable,
        ))),
    };
    if let Some((why, kind)) = unknown {
        out.not_assessed_as(subject, why, kind);
        return;
    }
    let mut message = format!(
        "no enabled rule on the default bus of admin {} in {} matches any of the {total} sample GuardDuty findings: every finding there is dropped at the first hop",
        walk.account, walk.region
    );
    if !disabled.is_empty() {
        let names: Vec<String> = disabled.iter().map(|r| rule_label(r.item)).collect();
        message.push_str(&format!(
            "; rule(s) {} match but are DISABLED (EVT002)",
            names.join(", ")
        ));
    }
    let outcome = out.fail(subject, message);
    for rule in disabled {
        outcome.with_related("a matching rule that is DISABLED", rule_subject(rule));
    }
}

fn check_evt002(ctx: &Context<'_>, out: &mut Outcomes) {
    for hop in finding_rule_hops(ctx.analysis(), out) {
        judge_evt002(hop, out);
    }
}

fn judge_evt002(hop: &RuleHop<'_>, out: &mut Outcomes) {
    let subject = rule_subject(hop.rule).attribute("state");
    let name = rule_label(hop.rule.item);
    let link = links::rule_enabled(hop.rule.item);
    if !matches_some(hop) {
        if let Link::Broken { .. } = link {
            let (why, kind) = pattern_unknown(hop.rule.item);
            out.not_assessed_as(subject, format!("rule {name} is DISABLED; {why}"), kind);
        } else {
            out.report(subject, link, Some(&format!("rule {name}")));
        }
        return;
    }
    match link {
        Link::Broken { why, .. } => {
            out.fail(
                subject,
                format!(
                    "{why}, yet its pattern matches {} of {} sample GuardDuty findings: EventBridge evaluates nothing against it, and its targets never hear of a finding",
                    matched_count(hop),
                    hop.matched.len()
                ),
            );
        }
        other => {
            out.report(subject, other, Some(&format!("rule {name}")));
        }
    }
}

fn check_evt003(ctx: &Context<'_>, out: &mut Outcomes) {
    for hop in finding_rule_hops(ctx.analysis(), out) {
        judge_evt003(ctx, hop, out);
    }
}

/// A verdict on one of EVT003's two safeguards.
enum Watch {
    Yes(String),
    No(String),
    Unknown(String, UnknownKind),
}

fn judge_evt003(ctx: &Context<'_>, hop: &RuleHop<'_>, out: &mut Outcomes) {
    let subject = rule_subject(hop.rule);
    let name = match &hop.rule.item.name {
        Known::Value(n) => n.as_str(),
        Known::Unknown(m) => {
            out.unknown(
                subject,
                &m.unknown,
                "rule name (the FailedInvocations dimension)",
            );
            return;
        }
    };
    if let Link::Broken { .. } = links::rule_enabled(hop.rule.item) {
        out.not_applicable(
            subject,
            format!(
                "rule {name} is DISABLED: it delivers nothing that could fail; a disabled rule is EVT002's"
            ),
        );
        return;
    }
    if matches!(&hop.targets, Ok(t) if t.is_empty()) {
        out.not_applicable(
            subject,
            format!("rule {name} has no targets to fail delivering to"),
        );
        return;
    }
    let alarm = failed_invocations_alarm(ctx, hop.rule, name);
    let dlq = dead_letter_queues(hop);
    match (alarm, dlq) {
        (Watch::Yes(why), _) | (_, Watch::Yes(why)) => {
            out.pass(subject, format!("rule {name}: {why}"));
        }
        (Watch::Unknown(why, kind), _) | (_, Watch::Unknown(why, kind)) => {
            out.not_assessed_as(subject, format!("rule {name}: {why}"), kind);
        }
        (Watch::No(alarm), Watch::No(dlq)) => {
            out.fail(
                subject,
                format!(
                    "rule {name} on a GuardDuty route has {alarm}, and {dlq}: when EventBridge cannot deliver a finding, it retries, drops it, and nobody hears of it"
                ),
            );
        }
    }
}

fn failed_invocations_alarm(ctx: &Context<'_>, rule: Located<'_, EventRule>, name: &str) -> Watch {
    let Some(facts) = ctx.inventory.facts(rule.account, rule.region) else {
        return Watch::Unknown(
            format!(
                "the alarms of {}/{} were not collected",
                rule.account, rule.region
            ),
            UnknownKind::NotObservable,
        );
    };
    let alarms = match &facts.alarms {
        Observed::Gap(gap) => {
            return Watch::Unknown(
                format!("alarms not collected: {}", gap.describe()),
                UnknownKind::NotObservable,
            );
        }
        Observed::Collected(alarms) => alarms,
    };
    let mut unknown = None;
    for alarm in alarms {
        match watches_failed_invocations(alarm, name) {
            Some(true) => {
                let label = alarm
                    .name
                    .value()
                    .cloned()
                    .unwrap_or_else(|| "alarm".into());
                return Watch::Yes(format!(
                    "alarm {label} watches its AWS/Events FailedInvocations metric"
                ));
            }
            Some(false) => {}
            None => unknown = unknown.or_else(|| alarm_unknown(alarm)),
        }
    }
    match unknown {
        Some((why, kind)) => Watch::Unknown(why, kind),
        None => Watch::No(format!(
            "no alarm on AWS/Events FailedInvocations (RuleName = {name}) in {}/{}",
            rule.account, rule.region
        )),
    }
}

/// Does the alarm watch `FailedInvocations` of rule `name` (or of every rule)? `None` when unknown.
fn watches_failed_invocations(alarm: &Alarm, name: &str) -> Option<bool> {
    let metric = alarm.metric_name.value()?;
    if metric.as_deref() != Some("FailedInvocations") {
        return Some(false);
    }
    let namespace = alarm.namespace.value()?;
    if namespace.as_deref() != Some("AWS/Events") {
        return Some(false);
    }
    let dims = alarm.dimensions.value()?;
    Some(
        dims.iter()
            .all(|(k, v)| (k == "RuleName" && v == name) || k == "EventBusName"),
    )
}

fn alarm_unknown(alarm: &Alarm) -> Option<(String, UnknownKind)> {
    let label = alarm
        .name
        .value()
        .cloned()
        .unwrap_or_else(|| "alarm".into());
    let unknown = match (&alarm.metric_name, &alarm.namespace, &alarm.dimensions) {
        (Known::Unknown(m), _, _) | (_, Known::Unknown(m), _) | (_, _, Known::Unknown(m)) => {
            &m.unknown
        }
        _ => return None,
    };
    Some((
        format!("the metric of alarm {label}: {}", unknown.describe()),
        unknown.kind,
    ))
}

fn dead_letter_queues(hop: &RuleHop<'_>) -> Watch {
    let targets = match &hop.targets {
        Err(gap) => {
            return Watch::Unknown(
                format!("targets not collected: {}", gap.describe()),
                UnknownKind::NotObservable,
            );
        }
        Ok(targets) => targets,
    };
    let mut missing = Vec::new();
    for t in targets {
        let id = t
            .target
            .id
            .value()
            .cloned()
            .unwrap_or_else(|| "target".into());
        match &t.target.dead_letter_arn {
            Known::Value(Some(_)) => {}
            Known::Value(None) => missing.push(id),
            Known::Unknown(m) => {
                return Watch::Unknown(
                    format!("dead-letter queue of target {id}: {}", m.unknown.describe()),
                    m.unknown.kind,
                );
            }
        }
    }
    if missing.is_empty() {
        Watch::Yes("every target has a dead-letter queue".into())
    } else {
        Watch::No(format!(
            "target(s) {} have no dead-letter queue",
            missing.join(", ")
        ))
    }
}

fn check_evt004(ctx: &Context<'_>, out: &mut Outcomes) {
    let analysis = ctx.analysis();
    for reached in &analysis.reach.targets {
        let subject = target_subject(reached.rule, reached.target).attribute("arn");
        let link =
            links::target_reachable(&analysis.graph, reached.rule, reached.target, &reached.dest);
        let context = format!("target of rule {}", rule_label(reached.rule.item));
        if let Some(outcome) = out.report(subject, link, Some(&context)) {
            outcome.with_related("the rule", rule_subject(reached.rule));
        }
    }
}

/// What an input transformer (or constant input) makes of the event.
enum Shape<'t> {
    /// No transformer: the event itself.
    Raw,
    /// A JSON object.
    Object,
    /// Anything else (a string, number or array); the input's facts.
    Plain(&'t TargetInput),
}

fn shape(target: &Target) -> Result<Shape<'_>, (String, UnknownKind)> {
    for (value, what) in [
        (&target.input_template, "input template"),
        (&target.input, "input"),
    ] {
        match value {
            Known::Unknown(m) => {
                return Err((format!("{what}: {}", m.unknown.describe()), m.unknown.kind));
            }
            Known::Value(Some(t)) if t.json_object => return Ok(Shape::Object),
            Known::Value(Some(t)) => return Ok(Shape::Plain(t)),
            Known::Value(None) => {}
        }
    }
    Ok(Shape::Raw)
}

fn check_evt005(ctx: &Context<'_>, out: &mut Outcomes) {
    let analysis = ctx.analysis();
    for reached in &analysis.reach.targets {
        let Dest::Topic(hop) = &reached.dest else {
            continue;
        };
        judge_evt005(ctx, reached, hop, out);
    }
}

fn judge_evt005(
    ctx: &Context<'_>,
    reached: &ReachedTarget<'_>,
    hop: &crate::chain::graph::TopicHop<'_>,
    out: &mut Outcomes,
) {
    let subject = target_subject(reached.rule, reached.target).attribute("input_transformer");
    let topic = topic_label(hop.topic.item);
    let template = match shape(reached.target) {
        Err((why, kind)) => {
            out.not_assessed_as(subject, why, kind);
            return;
        }
        Ok(Shape::Raw) => {
            out.pass(
                subject,
                format!("no input transformer: topic {topic} receives the event unchanged"),
            );
            return;
        }
        Ok(Shape::Object) => {
            out.pass(subject, "the input transformer produces a JSON object");
            return;
        }
        Ok(Shape::Plain(t)) => t,
    };
    let subs = match &hop.subscriptions {
        Err(gap) => {
            out.not_assessed(
                subject,
                format!("the transformer produces a plain string, and topic {topic}'s subscriptions were not collected: {}", gap.describe()),
            );
            return;
        }
        Ok(subs) => subs,
    };
    let notifiers: Vec<_> = subs
        .iter()
        .filter_map(|s| match &s.endpoint {
            Endpoint::Function(Resolution::Found(f))
                if ctx.analysis().graph.is_notifier(f.item) =>
            {
                Some(*f)
            }
            _ => None,
        })
        .collect();
    if notifiers.is_empty() {
        out.pass(
            subject,
            format!("the transformer produces a plain string, and no notify-slack notifier consumes topic {topic}"),
        );
        return;
    }
    let names: Vec<String> = notifiers.iter().map(|f| function_label(f.item)).collect();
    let outcome = out.fail(
        subject,
        format!(
            "the input transformer produces a plain string, not a JSON object ({}); topic {topic} delivers it to notify-slack notifier {}, which formats GuardDuty findings only for a JSON object with detail-type \"GuardDuty Finding\": it posts the bare text, and raises a TypeError (no Slack message at all) when the text contains \"text\", \"attachments\" or \"AlarmName\"",
            reads(template),
            names.join(", ")
        ),
    );
    outcome.with_related("the rule", rule_subject(reached.rule));
    for f in notifiers {
        outcome.with_related(
            "the notifier",
            Subject::resource(
                f.account,
                f.region,
                ResourceKind::LambdaFunction,
                function_label(f.item),
                &f.item.origin,
            ),
        );
    }
}

/// The first characters of a template, for messages.
/// What a plain-string input reads, for messages (never its text).
fn reads(input: &TargetInput) -> String {
    if input.reads.is_empty() {
        "it reads no event field".to_string()
    } else {
        let names: Vec<String> = input.reads.iter().map(|n| format!("<{n}>")).collect();
        format!("it reads {}", names.join(", "))
    }
}
