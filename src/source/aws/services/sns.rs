//! SNS: `GetTopicAttributes` only for chain topics (rule targets, alarm
//! actions, config), `ListSubscriptions` once (pages) when there is one,
//! keeping those on chain topics, and `GetSubscriptionAttributes` for their confirmed subscriptions
//! (filter policy). Endpoints are redacted here, at collection time.

use std::collections::BTreeSet;

use crate::endpoints;
use crate::inventory::{Gap, Known, Observed, Origin, Ref, Subscription, Topic};

/// A subscription as `ListSubscriptions` returns it (endpoint unredacted:
/// it never leaves this module and the region's collection).
pub type ListedSubscription = aws_sdk_sns::types::Subscription;
use crate::source::aws::errors::{classify, is_not_found};
use crate::source::aws::services::Limit;

/// Topics by ARN; a topic that does not exist is left out (EVT004 sees it missing).
pub async fn topics(
    client: &aws_sdk_sns::Client,
    limit: &Limit,
    arns: &BTreeSet<String>,
) -> Observed<Vec<Topic>> {
    let answers = limit
        .each(arns, |arn| async move {
            (
                arn,
                client.get_topic_attributes().topic_arn(arn).send().await,
            )
        })
        .await;
    let mut out = Vec::new();
    for (arn, answer) in answers {
        match answer {
            Ok(a) => {
                let attrs = a.attributes();
                let get = |k: &str| attrs.and_then(|m| m.get(k)).map(String::to_string);
                out.push(Topic {
                    origin: Origin::arn(arn.clone()),
                    name: arn
                        .rsplit(':')
                        .next()
                        .unwrap_or_default()
                        .to_string()
                        .into(),
                    arn: arn.clone().into(),
                    policy: Known::Value(get("Policy")),
                    kms_master_key_id: Known::Value(
                        get("KmsMasterKeyId").filter(|k| !k.is_empty()),
                    ),
                });
            }
            Err(e) if is_not_found(&e) => {}
            Err(e) => return Observed::Gap(classify("sns:GetTopicAttributes", &e)),
        }
    }
    Observed::Collected(out)
}

/// Every subscription of the region, from one paginated `ListSubscriptions`
/// (read beside the topics' attributes: it needs no topic).
pub async fn listing(client: &aws_sdk_sns::Client) -> Result<Vec<ListedSubscription>, Gap> {
    client
        .list_subscriptions()
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
        .map_err(|e| classify("sns:ListSubscriptions", &e))
}

/// The function a listed `lambda` subscription on one of `topics` invokes.
pub fn subscribed_functions<'a>(
    listed: &'a [ListedSubscription],
    topics: &'a BTreeSet<String>,
) -> impl Iterator<Item = String> + 'a {
    listed
        .iter()
        .filter(|s| topics.contains(s.topic_arn().unwrap_or_default()))
        .filter(|s| s.protocol() == Some("lambda"))
        .filter_map(|s| s.endpoint().map(endpoints::redact))
}

/// The listed subscriptions on `topics`, with their attributes.
pub async fn on_topics(
    client: &aws_sdk_sns::Client,
    limit: &Limit,
    listed: &[ListedSubscription],
    topics: &BTreeSet<String>,
    pager_patterns: &[String],
) -> Observed<Vec<Subscription>> {
    let on_chain = listed
        .iter()
        .filter(|s| topics.contains(s.topic_arn().unwrap_or_default()));
    described(client, limit, on_chain, "", pager_patterns).await
}

/// Subscriptions of one topic (`ListSubscriptionsByTopic`), for topics found late.
pub async fn subscriptions_of(
    client: &aws_sdk_sns::Client,
    limit: &Limit,
    topic: &str,
    pager_patterns: &[String],
) -> Observed<Vec<Subscription>> {
    let listed = client
        .list_subscriptions_by_topic()
        .topic_arn(topic)
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await;
    let listed = match listed {
        Ok(l) => l,
        Err(e) if is_not_found(&e) => return Observed::Collected(Vec::new()),
        Err(e) => return Observed::Gap(classify("sns:ListSubscriptionsByTopic", &e)),
    };
    described(client, limit, listed.iter(), topic, pager_patterns).await
}

/// Listed subscriptions with their attributes, read concurrently within the
/// account's budget; the first failure (in listing order) is the gap. `topic`
/// stands in for a listing entry without its topic ARN.
async fn described<'a>(
    client: &aws_sdk_sns::Client,
    limit: &Limit,
    listed: impl Iterator<Item = &'a ListedSubscription>,
    topic: &str,
    pager_patterns: &[String],
) -> Observed<Vec<Subscription>> {
    let answers = limit
        .each(listed, |s| {
            subscription(
                client,
                s.topic_arn().filter(|t| !t.is_empty()).unwrap_or(topic),
                s.subscription_arn(),
                s.protocol(),
                s.endpoint(),
                pager_patterns,
            )
        })
        .await;
    match answers.into_iter().collect::<Result<Vec<_>, _>>() {
        Ok(subs) => Observed::Collected(subs),
        Err(gap) => Observed::Gap(gap),
    }
}

async fn subscription(
    client: &aws_sdk_sns::Client,
    topic: &str,
    arn: Option<&str>,
    protocol: Option<&str>,
    endpoint: Option<&str>,
    pager_patterns: &[String],
) -> Result<Subscription, crate::inventory::Gap> {
    let raw = endpoint.unwrap_or_default();
    let pager_matches = if protocol.is_some_and(|p| p.eq_ignore_ascii_case("https")) {
        endpoints::evaluate_pager_patterns(raw, pager_patterns)
    } else {
        Default::default()
    };
    let endpoint = endpoints::redact(raw);
    let confirmed_arn = arn.filter(|a| a.starts_with("arn:"));
    let mut sub = Subscription {
        origin: Origin {
            arn: confirmed_arn.map(str::to_string),
            ..Origin::default()
        },
        arn: confirmed_arn.map(str::to_string),
        topic: Ref::arn(topic),
        protocol: protocol.unwrap_or_default().to_string().into(),
        endpoint: endpoint.into(),
        endpoint_address: None,
        pager_patterns: pager_matches,
        pending_confirmation: Known::Value(confirmed_arn.is_none()),
        endpoint_auto_confirms: None,
        filter_policy: Known::Value(None),
        filter_policy_scope: Known::Value(None),
    };
    let Some(arn) = confirmed_arn else {
        return Ok(sub);
    };
    match client
        .get_subscription_attributes()
        .subscription_arn(arn)
        .send()
        .await
    {
        Ok(a) => {
            let attrs = a.attributes();
            let get = |k: &str| attrs.and_then(|m| m.get(k)).map(String::to_string);
            sub.filter_policy = Known::Value(get("FilterPolicy").filter(|p| !p.is_empty()));
            sub.filter_policy_scope = Known::Value(get("FilterPolicyScope"));
            if let Some(p) = get("PendingConfirmation") {
                sub.pending_confirmation = Known::Value(p == "true");
            }
            Ok(sub)
        }
        Err(e) if is_not_found(&e) => Ok(sub),
        Err(e) => Err(classify("sns:GetSubscriptionAttributes", &e)),
    }
}
