//! One mapper per Terraform resource type: a [`TfResource`] to the inventory
//! resource the rules read. Values are reduced to facts here; secrets are dropped
//! or redacted.

use std::collections::{BTreeMap, HashMap};

use serde_json::Value;

use super::access::{
    Slot, bool_or, kind_of, opt_f64, opt_str, origin, ref_of, refs_of, req_str, slot, unknown,
};
use crate::endpoints;
use crate::inventory::{
    Alarm, Detector, EnvValue, EventRule, FilterCondition, FilterCriterion, Function,
    GuardDutyFilter, Known, MetricFilter, MetricRef, OrgConfiguration, Parameter, Ref,
    Subscription, Target, TargetInput, Topic, Trail,
};
use crate::source::terraform::model::{ArnPart, TfResource};
use crate::source::terraform::plan::PRIOR_PENDING_CONFIRMATION;

/// Known `json` of `data.aws_iam_policy_document` sources, by address.
pub(super) type PolicyDocs = HashMap<String, Known<String>>;

const TOPIC: &[&str] = &["aws_sns_topic"];

/// A policy attribute: its value, else the JSON of a referenced policy document.
pub(super) fn policy(r: &TfResource, attribute: &str, docs: &PolicyDocs) -> Known<Option<String>> {
    match slot(r, &[attribute]) {
        Slot::Value(Value::String(s)) if !s.is_empty() => Known::Value(Some(s.clone())),
        Slot::Value(_) | Slot::Null => Known::Value(None),
        Slot::Unknown if !r.is_configured(attribute) && r.kind == "aws_sns_topic" => {
            // Unset: the topic gets the default policy (an aws_sns_topic_policy may override it).
            Known::Value(None)
        }
        Slot::Unknown => {
            for doc in refs_of(r, attribute, &["data.aws_iam_policy_document"]) {
                if let Some(Known::Value(json)) = docs.get(doc) {
                    return Known::Value(Some(json.clone()));
                }
            }
            unknown(r, attribute)
        }
    }
}

/// A link: the ARN value (or unknown) and the referenced address of `kinds`.
pub(super) fn link(r: &TfResource, attribute: &str, kinds: &[&str]) -> Ref {
    let address = ref_of(r, attribute, kinds).or_else(|| arn_of_address(r, attribute, kinds));
    let arn = match req_str(r, attribute) {
        // An unknown ARN read from a data source of a linked kind names a
        // resource this stack does not declare: outside this stack.
        Known::Unknown(_) if address.is_none() => {
            let data_kinds: Vec<String> = kinds.iter().map(|k| format!("data.{k}")).collect();
            let data: Vec<&str> = data_kinds.iter().map(String::as_str).collect();
            match ref_of(r, attribute, &data) {
                Some(source) => {
                    Known::unknown(crate::inventory::UnknownKind::OutsideStack, Some(source))
                }
                None => req_str(r, attribute),
            }
        }
        known => known,
    };
    let name = match (&arn, &address) {
        (Known::Unknown(_), None) => r.templates.get(attribute).and_then(|t| arn_tail_name(t)),
        _ => None,
    };
    Ref { arn, address, name }
}

/// The resource whose ARN an attribute is, when its value is exactly that
/// ARN (HCL, or a plan with `--terraform`, records it through a local:
/// `topic_arn = local.topic_arn`, `local.topic_arn = aws_sns_topic.t.arn`).
fn arn_of_address(r: &TfResource, attribute: &str, kinds: &[&str]) -> Option<String> {
    let mut parts = r
        .arn_templates
        .get(attribute)?
        .iter()
        .filter(|p| !matches!(p, ArnPart::Text(t) if t.is_empty()));
    let (Some(ArnPart::Arn(address)), None) = (parts.next(), parts.next()) else {
        return None;
    };
    kind_of(address)
        .is_some_and(|k| kinds.contains(&k.as_str()))
        .then(|| address.clone())
}

/// The resource name an ARN template ends in, when the text after its last
/// `:` is known (`arn:aws:sns:us-east-1:${account}:gd-pager` → `gd-pager`).
fn arn_tail_name(template: &[endpoints::Piece]) -> Option<String> {
    match template.last()? {
        endpoints::Piece::Text(text) => {
            let (_, name) = text.rsplit_once(':')?;
            (!name.is_empty() && !name.contains('/')).then(|| name.to_string())
        }
        endpoints::Piece::Unknown => None,
    }
}

/// `aws_guardduty_detector`.
pub(super) fn detector(r: &TfResource) -> Detector {
    let status =
        bool_or(r, "enable", true).map(|on| if *on { "ENABLED" } else { "DISABLED" }.to_string());
    let frequency = match opt_str(r, &["finding_publishing_frequency"]) {
        Known::Value(Some(f)) => Known::Value(f),
        Known::Value(None) => Known::Value("SIX_HOURS".to_string()),
        Known::Unknown(m) => Known::Unknown(m),
    };
    Detector {
        origin: origin(r),
        id: req_str(r, "id"),
        status,
        finding_publishing_frequency: frequency,
    }
}

/// The condition attributes of an `aws_guardduty_filter` criterion, with the
/// API operator each stands for.
const FILTER_CONDITIONS: &[(&str, &str)] = &[
    ("equals", "Equals"),
    ("not_equals", "NotEquals"),
    ("greater_than", "GreaterThan"),
    ("greater_than_or_equal", "GreaterThanOrEqual"),
    ("less_than", "LessThan"),
    ("less_than_or_equal", "LessThanOrEqual"),
    ("matches", "Matches"),
    ("not_matches", "NotMatches"),
];

/// `aws_guardduty_filter`: `action`, and `finding_criteria { criterion { field, equals, ... } }`.
pub(super) fn guardduty_filter(r: &TfResource) -> GuardDutyFilter {
    GuardDutyFilter {
        origin: origin(r),
        name: req_str(r, "name"),
        action: req_str(r, "action"),
        criteria: filter_criteria(r),
    }
}

fn filter_criteria(r: &TfResource) -> Known<Vec<FilterCriterion>> {
    if r.unknown
        .get("finding_criteria")
        .is_some_and(super::access::any_unknown)
    {
        return criteria_unknown(r);
    }
    let list = match slot(r, &["finding_criteria", "0", "criterion"]) {
        Slot::Unknown => return criteria_unknown(r),
        Slot::Null => return Known::Value(Vec::new()),
        Slot::Value(v) => v.as_array().map(Vec::len).unwrap_or_default(),
    };
    let mut criteria = Vec::new();
    for i in 0..list {
        let index = i.to_string();
        let at = |attr: &'static str| ["finding_criteria", "0", "criterion", index.as_str(), attr];
        let field = match slot(r, &at("field")) {
            Slot::Value(Value::String(f)) => f.clone(),
            _ => return criteria_unknown(r),
        };
        let mut conditions = Vec::new();
        for (attribute, operator) in FILTER_CONDITIONS {
            let values = match slot(r, &at(attribute)) {
                Slot::Null => continue,
                Slot::Unknown => return criteria_unknown(r),
                Slot::Value(Value::Array(items)) => {
                    let texts: Vec<String> = items
                        .iter()
                        .filter_map(|v| match v {
                            Value::String(s) => Some(s.clone()),
                            Value::Number(n) => Some(n.to_string()),
                            _ => None,
                        })
                        .collect();
                    if texts.is_empty() {
                        continue;
                    }
                    texts
                }
                Slot::Value(Value::String(s)) if s.is_empty() => continue,
                Slot::Value(Value::String(s)) => vec![s.clone()],
                Slot::Value(other) => vec![other.to_string()],
            };
            conditions.push(FilterCondition {
                operator: (*operator).to_string(),
                values,
            });
        }
        criteria.push(FilterCriterion { field, conditions });
    }
    Known::Value(criteria)
}

/// Unknown criteria, named by the block (a nested block has no expression text).
fn criteria_unknown(r: &TfResource) -> Known<Vec<FilterCriterion>> {
    match unknown::<Vec<FilterCriterion>>(r, "finding_criteria") {
        Known::Unknown(mut m) => {
            if m.unknown.expression.as_deref().is_none_or(str::is_empty) {
                m.unknown.expression = Some(format!("{}.finding_criteria", r.address));
            }
            Known::Unknown(m)
        }
        known => known,
    }
}

/// `aws_guardduty_organization_configuration` (deprecated `auto_enable = true` → `NEW`).
pub(super) fn org_configuration(r: &TfResource) -> OrgConfiguration {
    let members = match opt_str(r, &["auto_enable_organization_members"]) {
        Known::Value(Some(v)) => Known::Value(v),
        other => match slot(r, &["auto_enable"]) {
            Slot::Value(Value::Bool(true)) => Known::Value("NEW".to_string()),
            Slot::Value(Value::Bool(false)) => Known::Value("NONE".to_string()),
            _ => match other {
                Known::Unknown(m) => Known::Unknown(m),
                Known::Value(_) => unknown(r, "auto_enable_organization_members"),
            },
        },
    };
    OrgConfiguration {
        origin: origin(r),
        auto_enable_organization_members: members,
    }
}

/// `aws_sns_topic`.
pub(super) fn topic(r: &TfResource, docs: &PolicyDocs) -> Topic {
    Topic {
        origin: origin(r),
        name: req_str(r, "name"),
        arn: req_str(r, "arn"),
        policy: policy(r, "policy", docs),
        // `""` is no key, as the provider and SNS treat it (Cloud Posse's
        // sns-topic passes `""` when encryption is off).
        kms_master_key_id: opt_str(r, &["kms_master_key_id"])
            .map(|key| key.clone().filter(|k| !k.is_empty())),
    }
}

/// The redacted endpoint: a known value, or a template whose unknown parts
/// all lie in what redaction removes (RULES.md "Pager endpoint with an unknown
/// key": `https://events.pagerduty.com/integration/${var.key}/enqueue`).
fn endpoint(r: &TfResource) -> Known<String> {
    match req_str(r, "endpoint") {
        Known::Unknown(u) => r
            .templates
            .get("endpoint")
            .and_then(|pieces| endpoints::redact_pieces(pieces))
            .map_or(Known::Unknown(u), Known::Value),
        known => known.map(|e| endpoints::redact(e)),
    }
}

/// `aws_sns_topic_subscription`: raw facts (protocol, redacted endpoint,
/// `endpoint_auto_confirms`, a prior state's `pending_confirmation`); whether
/// it counts as confirmed is [`endpoints::confirmation`]'s decision.
pub(super) fn subscription(r: &TfResource, pager_patterns: &[String]) -> Subscription {
    let protocol = req_str(r, "protocol");
    let https = protocol
        .value()
        .is_some_and(|p| p.eq_ignore_ascii_case("https"));
    let pager_matches = match req_str(r, "endpoint") {
        _ if !https => Default::default(),
        Known::Value(raw) => endpoints::evaluate_pager_patterns(&raw, pager_patterns),
        Known::Unknown(_) => r
            .templates
            .get("endpoint")
            .map(|pieces| endpoints::evaluate_pager_patterns_pieces(pieces, pager_patterns))
            .unwrap_or_default(),
    };
    let endpoint = endpoint(r);
    let auto_confirms = match slot(r, &["endpoint_auto_confirms"]) {
        Slot::Value(Value::Bool(b)) => Some(*b),
        _ => None,
    };
    let lower = protocol.value().map(|p| p.to_ascii_lowercase());
    let pending = match r
        .values
        .get(PRIOR_PENDING_CONFIRMATION)
        .and_then(Value::as_bool)
    {
        Some(p) => Known::Value(p),
        None => unknown(r, "pending_confirmation"),
    };
    let endpoint_address = if lower.as_deref() == Some("lambda") {
        ref_of(r, "endpoint", &["aws_lambda_function"])
    } else {
        None
    };
    let scope = match opt_str(r, &["filter_policy_scope"]) {
        Known::Unknown(_) if !r.is_configured("filter_policy_scope") => Known::Value(None),
        other => other,
    };
    Subscription {
        origin: origin(r),
        arn: r.get("arn").and_then(Value::as_str).map(str::to_string),
        topic: link(r, "topic_arn", TOPIC),
        protocol,
        endpoint,
        endpoint_address,
        pager_patterns: pager_matches,
        pending_confirmation: pending,
        endpoint_auto_confirms: auto_confirms,
        filter_policy: opt_str(r, &["filter_policy"]),
        filter_policy_scope: scope,
    }
}

/// The Terraform types of an AWS Chatbot channel configuration (AWS and
/// AWS Cloud Control providers); each names the topics it delivers in
/// `sns_topic_arns`.
pub(super) const CHATBOT_CONFIGURATIONS: &[&str] = &[
    "aws_chatbot_slack_channel_configuration",
    "aws_chatbot_teams_channel_configuration",
    "awscc_chatbot_slack_channel_configuration",
    "awscc_chatbot_microsoft_teams_channel_configuration",
];

/// An AWS Chatbot channel configuration as the subscriptions AWS creates for
/// it: Chatbot subscribes itself to each topic in `sns_topic_arns` (`https`
/// to its endpoint, confirmed by AWS), which Terraform never declares.
pub(super) fn chatbot_subscriptions(r: &TfResource) -> Vec<Subscription> {
    let subscription = |topic: Ref| Subscription {
        origin: origin(r),
        arn: None,
        topic,
        protocol: Known::Value("https".to_string()),
        endpoint: Known::Value(endpoints::CHATBOT_ENDPOINT.to_string()),
        endpoint_address: None,
        pager_patterns: BTreeMap::new(),
        pending_confirmation: Known::Value(false),
        endpoint_auto_confirms: None,
        filter_policy: Known::Value(None),
        filter_policy_scope: Known::Value(None),
    };
    let count = match r.values.get("sns_topic_arns") {
        Some(Value::Array(items)) => items.len(),
        // The whole list is unknown: one subscription that may be on any topic.
        _ if r.is_unknown("sns_topic_arns") => {
            let arn = unknown(r, "sns_topic_arns");
            return vec![subscription(Ref::to(arn, None))];
        }
        _ => 0,
    };
    let topics = refs_of(r, "sns_topic_arns", TOPIC);
    (0..count)
        .filter_map(|i| {
            let arn = match opt_str(r, &["sns_topic_arns", &i.to_string()]) {
                Known::Value(Some(arn)) => Known::Value(arn),
                Known::Value(None) => return None,
                Known::Unknown(m) => Known::Unknown(m),
            };
            // Each element's reference, when the references line up with them.
            let address = match topics.len() {
                n if n == count => topics.get(i).map(|a| (*a).to_string()),
                _ => None,
            };
            Some(subscription(Ref::to(arn, address)))
        })
        .collect()
}

/// `aws_cloudwatch_event_rule` (targets attached later).
pub(super) fn event_rule(r: &TfResource) -> EventRule {
    let state = match slot(r, &["state"]) {
        Slot::Value(Value::String(s)) => Known::Value(s.clone()),
        _ => match slot(r, &["is_enabled"]) {
            Slot::Value(Value::Bool(b)) => {
                Known::Value(if *b { "ENABLED" } else { "DISABLED" }.to_string())
            }
            Slot::Unknown if r.is_configured("is_enabled") => unknown(r, "is_enabled"),
            _ if r.is_configured("state") && r.is_unknown("state") => unknown(r, "state"),
            _ => Known::Value("ENABLED".to_string()),
        },
    };
    EventRule {
        origin: origin(r),
        name: req_str(r, "name"),
        arn: req_str(r, "arn"),
        event_bus: bus_name(r),
        state,
        event_pattern: opt_str(r, &["event_pattern"]),
        managed_by: None,
        targets: crate::inventory::Observed::Collected(Vec::new()),
    }
}

/// The event bus name of a rule or target (`default` when unset or unknown).
pub(super) fn bus_name(r: &TfResource) -> String {
    match slot(r, &["event_bus_name"]) {
        Slot::Value(Value::String(s)) => s.rsplit('/').next().unwrap_or(s).to_string(),
        _ => "default".to_string(),
    }
}

/// `aws_cloudwatch_event_target`.
pub(super) fn target(r: &TfResource) -> Target {
    Target {
        origin: origin(r),
        id: req_str(r, "target_id"),
        arn: link(
            r,
            "arn",
            &[
                "aws_sns_topic",
                "aws_lambda_function",
                "aws_cloudwatch_event_bus",
                "aws_cloudwatch_event_api_destination",
                "aws_sqs_queue",
            ],
        ),
        role_arn: opt_str(r, &["role_arn"]),
        input_template: opt_str(r, &["input_transformer", "0", "input_template"])
            .map(|t| t.as_deref().map(TargetInput::from_template)),
        input: opt_str(r, &["input"]).map(|t| t.as_deref().map(TargetInput::from_constant)),
        dead_letter_arn: opt_str(r, &["dead_letter_config", "0", "arn"]),
    }
}

/// `aws_cloudwatch_metric_alarm`.
pub(super) fn alarm(r: &TfResource) -> Alarm {
    let dimensions = match slot(r, &["dimensions"]) {
        Slot::Unknown => unknown(r, "dimensions"),
        Slot::Null => Known::Value(BTreeMap::new()),
        Slot::Value(v) => {
            if r.unknown
                .get("dimensions")
                .is_some_and(super::access::any_unknown)
            {
                unknown(r, "dimensions")
            } else {
                Known::Value(
                    v.as_object()
                        .into_iter()
                        .flatten()
                        .filter_map(|(k, v)| v.as_str().map(|s| (k.clone(), s.to_string())))
                        .collect(),
                )
            }
        }
    };
    let statistic = match opt_str(r, &["statistic"]) {
        Known::Value(None) => opt_str(r, &["extended_statistic"]),
        other => other,
    };
    Alarm {
        origin: origin(r),
        name: req_str(r, "alarm_name"),
        arn: req_str(r, "arn"),
        namespace: opt_str(r, &["namespace"]),
        metric_name: opt_str(r, &["metric_name"]),
        dimensions,
        statistic,
        threshold: opt_f64(r, "threshold"),
        comparison_operator: req_str(r, "comparison_operator"),
        actions_enabled: bool_or(r, "actions_enabled", true),
        alarm_actions: actions(r, "alarm_actions"),
    }
}

/// A list of ARNs as links; references fill in addresses when the ARNs are unknown.
fn actions(r: &TfResource, attribute: &str) -> Known<Vec<Ref>> {
    let refs = refs_of(r, attribute, TOPIC);
    let by_ref = |i: usize, n: usize| -> Option<String> {
        if refs.len() == n || refs.len() == 1 {
            refs.get(i.min(refs.len().saturating_sub(1)))
                .map(|a| (*a).to_string())
        } else {
            None
        }
    };
    match slot(r, &[attribute]) {
        Slot::Null => Known::Value(Vec::new()),
        Slot::Unknown if refs.is_empty() => unknown(r, attribute),
        Slot::Unknown => Known::Value(
            refs.iter()
                .map(|a| Ref::to(unknown(r, attribute), Some((*a).to_string())))
                .collect(),
        ),
        Slot::Value(v) => {
            let items = v.as_array().cloned().unwrap_or_default();
            let n = items.len();
            Known::Value(
                items
                    .iter()
                    .enumerate()
                    .map(|(i, item)| {
                        let index = i.to_string();
                        let arn = match slot(r, &[attribute, &index]) {
                            Slot::Value(Value::String(s)) => Known::Value(s.clone()),
                            _ => unknown(r, attribute),
                        };
                        let _ = item;
                        Ref::to(arn, by_ref(i, n))
                    })
                    .collect(),
            )
        }
    }
}

/// `aws_cloudwatch_log_metric_filter`.
pub(super) fn metric_filter(r: &TfResource) -> MetricFilter {
    let metrics = match slot(r, &["metric_transformation"]) {
        Slot::Unknown => unknown(r, "metric_transformation"),
        Slot::Null => Known::Value(Vec::new()),
        Slot::Value(v) => Known::Value(
            v.as_array()
                .into_iter()
                .flatten()
                .filter_map(|m| {
                    Some(MetricRef {
                        namespace: m.get("namespace")?.as_str()?.to_string(),
                        name: m.get("name")?.as_str()?.to_string(),
                    })
                })
                .collect(),
        ),
    };
    MetricFilter {
        origin: origin(r),
        name: req_str(r, "name"),
        log_group: req_str(r, "log_group_name"),
        pattern: req_str(r, "pattern"),
        metrics,
    }
}

/// `aws_lambda_function` (policy filled in from permissions later).
/// `module_env` gives facts for env keys a module's documented interface sets
/// when the plan shows the variables as unknown.
pub(super) fn function(r: &TfResource, module_env: Option<BTreeMap<String, EnvValue>>) -> Function {
    let environment = match slot(r, &["environment", "0", "variables"]) {
        Slot::Unknown => match module_env {
            Some(env) => Known::Value(env),
            None => unknown(r, "environment"),
        },
        Slot::Null => Known::Value(BTreeMap::new()),
        Slot::Value(v) => {
            let unknowns = r.unknown.pointer("/environment/0/variables");
            Known::Value(
                v.as_object()
                    .into_iter()
                    .flatten()
                    .map(|(k, v)| {
                        let is_unknown = unknowns
                            .and_then(|u| u.get(k))
                            .is_some_and(|u| u == &Value::Bool(true));
                        let fact = match v.as_str() {
                            _ if is_unknown && k == endpoints::SLACK_WEBHOOK_ENV => {
                                super::lambda::unknown_webhook_fact(r)
                            }
                            _ if is_unknown => EnvValue::Unknown,
                            Some(s) => EnvValue::of(s),
                            None => EnvValue::Other,
                        };
                        (k.clone(), fact)
                    })
                    .collect(),
            )
        }
    };
    let name = req_str(r, "function_name");
    let log_group = match opt_str(r, &["logging_config", "0", "log_group"]) {
        Known::Value(Some(g)) => Known::Value(Some(g)),
        _ => name.map(|n| Some(Function::default_log_group(n))),
    };
    let reserved = match slot(r, &["reserved_concurrent_executions"]) {
        Slot::Value(v) => Known::Value(super::access::whole_number(v).filter(|n| *n >= 0)),
        Slot::Null => Known::Value(None),
        Slot::Unknown => unknown(r, "reserved_concurrent_executions"),
    };
    Function {
        origin: origin(r),
        name,
        arn: req_str(r, "arn"),
        handler: opt_str(r, &["handler"]),
        state: Known::Value(None),
        reserved_concurrency: reserved,
        environment,
        policy: Known::Value(None),
        log_group,
    }
}

/// `aws_cloudtrail`.
pub(super) fn trail(r: &TfResource, region: &str) -> Trail {
    Trail {
        origin: origin(r),
        name: req_str(r, "name"),
        arn: req_str(r, "arn"),
        home_region: match req_str(r, "home_region") {
            Known::Value(v) => Known::Value(v),
            Known::Unknown(_) => Known::Value(region.to_string()),
        },
        is_multi_region: bool_or(r, "is_multi_region_trail", false),
        is_organization_trail: bool_or(r, "is_organization_trail", false),
        include_global_service_events: bool_or(r, "include_global_service_events", true),
        is_logging: bool_or(r, "enable_logging", true),
        cloudwatch_log_group_arn: opt_str(r, &["cloud_watch_logs_group_arn"]),
    }
}

/// `aws_ssm_parameter` and `data "aws_ssm_parameter"`: metadata only, never the value.
pub(super) fn parameter(r: &TfResource, referenced: bool) -> Parameter {
    Parameter {
        origin: origin(r),
        name: req_str(r, "name"),
        parameter_type: req_str(r, "type"),
        referenced,
    }
}
