//! Lambda details a plan spreads over several resources: the function's
//! resource policy from `aws_lambda_permission`s, and the environment of a
//! notify-slack function whose variables are unknown at plan time.

use std::collections::{BTreeMap, HashMap};

use serde_json::{Value, json};

use super::access::{Slot, refs_of, slot};
use crate::endpoints;
use crate::inventory::{EnvValue, Function, Known, UnknownKind};
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

/// Whether a permission names a function (by reference, name or ARN).
fn permits(p: &TfResource, f: &Function) -> bool {
    let address = f.origin.address.as_deref().unwrap_or_default();
    if refs_of(p, "function_name", &["aws_lambda_function"]).contains(&address) {
        return true;
    }
    match slot(p, &["function_name"]) {
        Slot::Value(Value::String(s)) => {
            f.name.value().is_some_and(|n| n == s) || f.arn.value().is_some_and(|a| a == s)
        }
        _ => false,
    }
}

/// Synthesize each function's resource-policy JSON from its permissions.
/// `topic_arns` maps topic addresses to their ARNs (for unknown `source_arn`s).
pub(super) fn attach_permissions(
    functions: &mut [&mut Function],
    permissions: &[&TfResource],
    topic_arns: &HashMap<String, Known<String>>,
) {
    for function in functions.iter_mut() {
        let mine: Vec<&&TfResource> = permissions
            .iter()
            .filter(|p| permits(p, function))
            .collect();
        if mine.is_empty() {
            continue;
        }
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
}
