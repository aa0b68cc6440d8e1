//! KMS: `DescribeKey` + `GetKeyPolicy` for the keys chain topics use.

use std::collections::BTreeSet;

use crate::inventory::{Gap, KmsKey, Observed, Origin};
use crate::source::aws::errors::{classify, is_not_found};
use crate::source::aws::services::Limit;

/// Resolve each key reference (id, alias, or ARN) as written on a topic.
pub async fn keys(
    client: &aws_sdk_kms::Client,
    limit: &Limit,
    references: &BTreeSet<String>,
) -> Observed<Vec<KmsKey>> {
    let answers = limit
        .each(references, |reference| key(client, reference))
        .await;
    match answers.into_iter().collect::<Result<Vec<_>, _>>() {
        Ok(keys) => Observed::Collected(keys),
        Err(gap) => Observed::Gap(gap),
    }
}

/// One key reference: its metadata and policy (a missing key is recorded as such).
async fn key(client: &aws_sdk_kms::Client, reference: &String) -> Result<KmsKey, Gap> {
    let meta = match client.describe_key().key_id(reference).send().await {
        Ok(d) => d.key_metadata().cloned(),
        Err(e) if is_not_found(&e) => None,
        Err(e) => return Err(classify("kms:DescribeKey", &e)),
    };
    let Some(meta) = meta else {
        return Ok(KmsKey {
            origin: Origin::default(),
            reference: reference.clone(),
            arn: None,
            key_manager: None,
            key_state: None,
            policy: Observed::Collected(None),
        });
    };
    let arn = meta.arn().map(str::to_string);
    let policy = match client
        .get_key_policy()
        .key_id(arn.as_deref().unwrap_or(meta.key_id()))
        .policy_name("default")
        .send()
        .await
    {
        Ok(p) => Observed::Collected(p.policy().map(str::to_string)),
        Err(e) => Observed::Gap(classify("kms:GetKeyPolicy", &e)),
    };
    Ok(KmsKey {
        origin: arn.clone().map(Origin::arn).unwrap_or_default(),
        reference: reference.clone(),
        arn,
        key_manager: meta.key_manager().map(|m| m.as_str().to_string()),
        key_state: meta.key_state().map(|s| s.as_str().to_string()),
        policy,
    })
}
