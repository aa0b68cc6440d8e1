//! Lambda: only functions subscribed to chain topics (or targeted by a matching
//! rule), never `ListFunctions`. Per function, at once: `GetFunctionConfiguration`
//! (environment reduced to facts at once), `GetFunctionConcurrency`, `GetPolicy`.

use std::collections::{BTreeMap, BTreeSet};

use crate::inventory::{Function, Gap, Known, Observed, Origin};
use crate::source::aws::errors::{classify, is_not_found};
use crate::source::aws::services::Limit;

/// The functions (by ARN) and the ones confirmed absent.
pub async fn functions(
    client: &aws_sdk_lambda::Client,
    limit: &Limit,
    arns: &BTreeSet<String>,
) -> (Observed<Vec<Function>>, Vec<String>) {
    let answers = limit
        .each(
            arns,
            |arn| async move { (arn, function(client, arn).await) },
        )
        .await;
    let mut found = Vec::new();
    let mut absent = Vec::new();
    for (arn, answer) in answers {
        match answer {
            Ok(Some(f)) => found.push(f),
            Ok(None) => absent.push(arn.clone()),
            Err(gap) => return (Observed::Gap(gap), absent),
        }
    }
    (Observed::Collected(found), absent)
}

async fn function(client: &aws_sdk_lambda::Client, arn: &str) -> Result<Option<Function>, Gap> {
    // The three calls need only the ARN: one round trip, not three.
    let (conf, concurrency, policy) = tokio::join!(
        client
            .get_function_configuration()
            .function_name(arn)
            .send(),
        client.get_function_concurrency().function_name(arn).send(),
        client.get_policy().function_name(arn).send(),
    );
    let conf = match conf {
        Ok(c) => c,
        Err(e) if is_not_found(&e) => return Ok(None),
        Err(e) => return Err(classify("lambda:GetFunctionConfiguration", &e)),
    };
    // Values are reduced to facts here and never stored.
    let environment: BTreeMap<String, crate::inventory::EnvValue> = conf
        .environment()
        .and_then(|e| e.variables())
        .map(|vars| {
            vars.iter()
                .map(|(k, v)| (k.clone(), crate::inventory::EnvValue::of(v)))
                .collect()
        })
        .unwrap_or_default();
    let name = conf.function_name().unwrap_or_default().to_string();
    let function_arn = conf.function_arn().unwrap_or(arn).to_string();
    let log_group = conf
        .logging_config()
        .and_then(|l| l.log_group())
        .map(str::to_string)
        .or_else(|| Some(Function::default_log_group(&name)));
    let reserved = match concurrency {
        Ok(c) => c.reserved_concurrent_executions().map(i64::from),
        Err(e) if is_not_found(&e) => None,
        Err(e) => return Err(classify("lambda:GetFunctionConcurrency", &e)),
    };
    let policy = match policy {
        Ok(p) => p.policy().map(str::to_string),
        Err(e) if is_not_found(&e) => None,
        Err(e) => return Err(classify("lambda:GetPolicy", &e)),
    };
    Ok(Some(Function {
        origin: Origin::arn(function_arn.clone()),
        name: name.into(),
        arn: function_arn.into(),
        handler: Known::Value(conf.handler().map(str::to_string)),
        state: Known::Value(conf.state().map(|s| s.as_str().to_string())),
        reserved_concurrency: Known::Value(reserved),
        environment: Known::Value(environment),
        policy: Known::Value(policy),
        log_group: Known::Value(log_group),
    }))
}
