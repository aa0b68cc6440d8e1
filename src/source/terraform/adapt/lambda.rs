//! Lambda details a plan spreads over several resources: the function's
//! resource policy from `aws_lambda_permission`s, and the environment of a
//! notify-slack function whose variables are unknown at plan time.

use std::collections::{BTreeMap, HashMap};

use serde_json::{Value, json};

use super::access::{self, Slot, refs_of, slot};
use crate::endpoints;
use crate::inventory::{EnvValue, Function, Known, UnknownKind, Unresolved};
use crate::source::terraform::address::{Address, ModuleStep};
use crate::source::terraform::model::TfResource;

/// The notify-slack interface: when the plan shows the environment as unknown,
/// a `notify_slack.lambda_handler` function still has `SLACK_WEBHOOK_URL`; its
/// fact comes from what the environment references (KMS ciphertext or unknown).
pub(super) fn notify_slack_env(r: &TfResource) -> Option<BTreeMap<String, EnvValue>> {
    let handler = r.get("handler").and_then(Value::as_str)?;
    if handler != endpoints::NOTIFY_SLACK_HANDLER {
        return None;
    }
    Some(BTreeMap::from([(
        endpoints::SLACK_WEBHOOK_ENV.to_string(),
        unknown_webhook_fact(r),
    )]))
}

/// What an unknown `SLACK_WEBHOOK_URL` holds: KMS ciphertext when the
/// environment is built from an `aws_kms_ciphertext`, else unknown.
pub(super) fn unknown_webhook_fact(r: &TfResource) -> EnvValue {
    if refs_of(r, "environment", &["aws_kms_ciphertext"]).is_empty() {
        EnvValue::Unknown
    } else {
        EnvValue::KmsCiphertext
    }
}

/// The functions of one (account, region), indexed by address, name and ARN,
/// so each permission finds its function in constant time.
struct FunctionIndex {
    by_address: HashMap<String, usize>,
    by_name: HashMap<String, Vec<usize>>,
    by_arn: HashMap<String, Vec<usize>>,
    /// Each function's module instance path (`module.a["k"].`), for ties.
    modules: Vec<Vec<ModuleStep>>,
}

impl FunctionIndex {
    fn new(functions: &[&mut Function]) -> Self {
        let mut index = FunctionIndex {
            by_address: HashMap::new(),
            by_name: HashMap::new(),
            by_arn: HashMap::new(),
            modules: Vec::with_capacity(functions.len()),
        };
        for (i, f) in functions.iter().enumerate() {
            let address = f.origin.address.clone().unwrap_or_default();
            index.modules.push(module_path(&address));
            index.by_address.insert(address, i);
            if let Some(n) = f.name.value() {
                index.by_name.entry(n.clone()).or_default().push(i);
            }
            if let Some(a) = f.arn.value() {
                index.by_arn.entry(a.clone()).or_default().push(i);
            }
        }
        index
    }
}

/// The module instance path of a resource address (empty for the root
/// module, or when the address does not parse).
fn module_path(address: &str) -> Vec<ModuleStep> {
    Address::parse(address)
        .map(|a| a.modules)
        .unwrap_or_default()
}

/// Which function of a bucket a permission names.
#[derive(Debug, PartialEq)]
enum Named {
    /// Exactly this one.
    One(usize),
    /// None in this bucket.
    Nothing,
    /// Several, and nothing tells them apart.
    Ambiguous(Vec<usize>),
}

/// The function a permission names. A reference
/// (`aws_lambda_function.x.function_name`) names exactly the referenced
/// function and is never widened to same-named ones. A literal name or ARN
/// (a qualified ARN's or partial ARN's function name too) names the one
/// function with that name or ARN; when several share it (a bucket under the
/// placeholder account can hold one per stack), the one in the permission's
/// own module instance is meant; otherwise it is ambiguous.
fn named(p: &TfResource, index: &FunctionIndex) -> Named {
    let referenced = refs_of(p, "function_name", &["aws_lambda_function"]);
    if !referenced.is_empty() {
        let mut hits: Vec<usize> = referenced
            .iter()
            .filter_map(|a| index.by_address.get(*a).copied())
            .collect();
        hits.dedup();
        return match hits.as_slice() {
            [] => Named::Nothing,
            [one] => Named::One(*one),
            _ => Named::Ambiguous(hits),
        };
    }
    let Slot::Value(Value::String(s)) = slot(p, &["function_name"]) else {
        return Named::Nothing;
    };
    let mut hits: Vec<usize> = index.by_arn.get(s).cloned().unwrap_or_default();
    if hits.is_empty() {
        let name = function_name_of(s);
        hits = index.by_name.get(name).cloned().unwrap_or_default();
    }
    match hits.as_slice() {
        [] => Named::Nothing,
        [one] => Named::One(*one),
        _ => {
            let own = module_path(&p.address);
            let same: Vec<usize> = hits
                .iter()
                .copied()
                .filter(|i| index.modules.get(*i) == Some(&own))
                .collect();
            match same.as_slice() {
                [one] => Named::One(*one),
                _ => Named::Ambiguous(hits),
            }
        }
    }
}

/// The function name in a `function_name` value: a name, a full or partial
/// ARN (`…:function:NAME[:qualifier]`), or `NAME:qualifier`.
fn function_name_of(value: &str) -> &str {
    let rest = value
        .rsplit_once(":function:")
        .map_or(value, |(_, rest)| rest);
    rest.split(':').next().unwrap_or(rest)
}

/// Synthesize each function's resource-policy JSON from its permissions.
/// `topic_arns` maps topic addresses to their ARNs (for unknown `source_arn`s).
/// A permission attaches to at most one function ([`named`]); an ambiguous
/// one attaches to none, leaves each candidate's policy unknown (it may be
/// the one granting access), and is returned for SCAN004.
pub(super) fn attach_permissions(
    functions: &mut [&mut Function],
    permissions: &[&TfResource],
    topic_arns: &HashMap<String, Known<String>>,
) -> Vec<Unresolved> {
    let index = FunctionIndex::new(functions);
    let mut mine: Vec<Vec<&TfResource>> = vec![Vec::new(); functions.len()];
    let mut ambiguous: Vec<Option<String>> = vec![None; functions.len()];
    let mut unresolved = Vec::new();
    for p in permissions {
        match named(p, &index) {
            Named::One(i) => mine[i].push(p),
            Named::Nothing => {}
            Named::Ambiguous(candidates) => {
                let expression = format!("{}.function_name", p.address);
                let names: Vec<String> = candidates
                    .iter()
                    .filter_map(|i| functions.get(*i))
                    .filter_map(|f| f.origin.address.clone())
                    .collect();
                for i in &candidates {
                    if let Some(slot) = ambiguous.get_mut(*i) {
                        slot.get_or_insert_with(|| expression.clone());
                    }
                }
                unresolved.push(Unresolved {
                    origin: access::origin(p),
                    expression,
                    reason: format!(
                        "the permission could name any of {} functions ({}): it is attached to none",
                        names.len(),
                        names.join(", ")
                    ),
                });
            }
        }
    }
    for ((function, mine), ambiguous) in functions.iter_mut().zip(mine).zip(ambiguous) {
        if let Some(expression) = ambiguous {
            function.policy = Known::unknown(UnknownKind::Unresolved, Some(expression));
            continue;
        }
        if mine.is_empty() {
            continue;
        }
        attach(function, &mine, topic_arns);
    }
    unresolved
}

/// Set a function's policy from the permissions that name it.
fn attach(
    function: &mut Function,
    mine: &[&TfResource],
    topic_arns: &HashMap<String, Known<String>>,
) {
    let mut statements = Vec::new();
    let mut unknown = None;
    for p in mine {
        let source = match slot(p, &["source_arn"]) {
            Slot::Value(Value::String(s)) => Some(s.clone()),
            Slot::Value(_) | Slot::Null => None,
            Slot::Unknown => {
                let topic = refs_of(p, "source_arn", &["aws_sns_topic"])
                    .first()
                    .and_then(|a| topic_arns.get(*a))
                    .and_then(|k| k.value().cloned());
                if topic.is_none() {
                    unknown = Some(format!("{}.source_arn", p.address));
                }
                topic
            }
        };
        let principal = p
            .get("principal")
            .and_then(Value::as_str)
            .unwrap_or("*")
            .to_string();
        let principal = if principal.ends_with(".amazonaws.com") {
            json!({ "Service": principal })
        } else {
            json!({ "AWS": principal })
        };
        let mut statement = json!({
            "Sid": p.get("statement_id").and_then(Value::as_str).unwrap_or("terraform"),
            "Effect": "Allow",
            "Principal": principal,
            "Action": p.get("action").and_then(Value::as_str).unwrap_or("lambda:InvokeFunction"),
            "Resource": function.arn.value().cloned().unwrap_or_else(|| "*".to_string()),
        });
        if let (Some(source), Some(obj)) = (source, statement.as_object_mut()) {
            obj.insert(
                "Condition".to_string(),
                json!({ "ArnLike": { "AWS:SourceArn": source } }),
            );
        }
        statements.push(statement);
    }
    function.policy = match unknown {
        Some(expression) => Known::unknown(UnknownKind::KnownAfterApply, Some(expression)),
        None => Known::Value(Some(
            json!({ "Version": "2012-10-17", "Id": "default", "Statement": statements })
                .to_string(),
        )),
    };
}
