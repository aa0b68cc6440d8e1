//! Every decision about a subscription endpoint and a secret, in one place:
//! what an endpoint is (pager, AWS Chatbot, a Lambda, e-mail, other; RULES.md
//! "Pager endpoint", "Chat endpoint"), whether a function is a notifier,
//! whether a subscription counts as confirmed (RULES.md "Confirmed"), how an
//! endpoint is redacted ([`redact()`]), and the shapes of secrets
//! ([`secrets`]). Sources record raw facts through this module (redacted
//! endpoints, literals); the graph and links ask it for verdicts, with the
//! configured pager patterns.

pub mod redact;
pub mod secrets;

pub use redact::{Piece, REDACTED, redact, redact_pieces};

use crate::config::ChatConfig;
use crate::inventory::{Function, Known, SourceKind, Subscription, Unknown, UnknownKind};
use secrets::{PAGERDUTY_EVENTS_HOSTS, PAGERDUTY_INTEGRATION_SEGMENT};

/// AWS Chatbot's SNS endpoint.
pub const CHATBOT_ENDPOINT: &str = "https://global.sns-api.chatbot.amazonaws.com";

/// What a subscription delivers to.
#[derive(Debug, Clone, PartialEq)]
pub enum Kind {
    /// A pager endpoint (PagerDuty's events URL or a configured pattern).
    Pager,
    /// AWS Chatbot's SNS endpoint.
    Chatbot,
    /// A Lambda function (the endpoint names it).
    Lambda,
    /// An e-mail address.
    Email,
    /// Anything else (the protocol named).
    Other(String),
    /// The protocol, or the `https` endpoint, is unknown.
    Unknown(Unknown),
}

/// Evaluate `[pager] endpoint_patterns` against an unredacted endpoint, at
/// collection: each pattern and whether it matched. Stored with the
/// subscription ([`Subscription::pager_patterns`]) since the endpoint itself
/// is stored only redacted.
pub fn evaluate_pager_patterns(
    endpoint: &str,
    patterns: &[String],
) -> std::collections::BTreeMap<String, bool> {
    patterns
        .iter()
        .map(|p| (p.clone(), glob_match(p, endpoint)))
        .collect()
}

/// [`evaluate_pager_patterns`] for a partly known endpoint (a Terraform
/// template): a pattern whose `*` spans every unknown piece matches whatever
/// their values; a pattern that fails only on an unknown piece is left out
/// (not evaluated).
pub fn evaluate_pager_patterns_pieces(
    pieces: &[Piece],
    patterns: &[String],
) -> std::collections::BTreeMap<String, bool> {
    const UNKNOWN: char = '\u{0}';
    let marked: String = pieces
        .iter()
        .map(|p| match p {
            Piece::Text(t) => t.replace(UNKNOWN, ""),
            Piece::Unknown => UNKNOWN.to_string(),
        })
        .collect();
    let partly_unknown = marked.contains(UNKNOWN);
    patterns
        .iter()
        .filter_map(|p| match glob_match(p, &marked) {
            true => Some((p.clone(), true)),
            false if !partly_unknown => Some((p.clone(), false)),
            false => None,
        })
        .collect()
}

/// Whether a redacted `https` endpoint is a pager by a configured pattern:
/// `Ok(true)` when a pattern matched at collection (or matches the redacted
/// text, which implies a match of the original), `Ok(false)` when every
/// pattern was evaluated and none matched, and `Err` naming a pattern that
/// was not evaluated at collection.
fn matches_configured_pattern(
    sub: &Subscription,
    url: &str,
    pager_patterns: &[String],
) -> Result<bool, String> {
    let mut not_evaluated = None;
    for pattern in pager_patterns {
        match sub.pager_patterns.get(pattern) {
            Some(true) => return Ok(true),
            Some(false) => {}
            None if glob_match(pattern, url) => return Ok(true),
            None => not_evaluated = not_evaluated.or(Some(pattern)),
        }
    }
    match not_evaluated {
        Some(pattern) => Err(pattern.clone()),
        None => Ok(false),
    }
}

/// Classify a subscription's endpoint; `pager_patterns` is `[pager] endpoint_patterns`.
/// A configured pattern that was not evaluated when the endpoint was
/// collected (a snapshot made with another config) makes the class unknown:
/// the stored endpoint is redacted and cannot be matched now.
pub fn classify(sub: &Subscription, pager_patterns: &[String]) -> Kind {
    let protocol = match &sub.protocol {
        Known::Value(p) => p.to_ascii_lowercase(),
        Known::Unknown(m) => return Kind::Unknown(m.unknown.clone()),
    };
    match protocol.as_str() {
        "lambda" => Kind::Lambda,
        "email" | "email-json" => Kind::Email,
        "https" => match &sub.endpoint {
            Known::Value(url) if is_pager_url(url, &[]) => Kind::Pager,
            Known::Value(url) if is_chatbot_url(url) => Kind::Chatbot,
            Known::Value(url) => match matches_configured_pattern(sub, url, pager_patterns) {
                Ok(true) => Kind::Pager,
                Ok(false) => Kind::Other(protocol),
                Err(pattern) => Kind::Unknown(Unknown {
                    kind: UnknownKind::NotObservable,
                    expression: Some(format!(
                        "whether the endpoint matches [pager] endpoint_patterns {pattern:?} (not evaluated against the unredacted endpoint when it was collected; re-collect with this config)"
                    )),
                }),
            },
            Known::Unknown(m) => Kind::Unknown(m.unknown.clone()),
        },
        _ => Kind::Other(protocol),
    }
}

/// Whether a (redacted) URL is a pager endpoint: PagerDuty's events URL
/// `https://events(.eu)?.pagerduty.com/integration/<key>/enqueue`, or a
/// configured pattern.
pub fn is_pager_url(url: &str, patterns: &[String]) -> bool {
    let pagerduty = PAGERDUTY_EVENTS_HOSTS.iter().any(|host| {
        url.strip_prefix("https://")
            .and_then(|rest| rest.strip_prefix(host))
            .and_then(|rest| rest.strip_prefix('/'))
            .and_then(|rest| rest.strip_prefix(PAGERDUTY_INTEGRATION_SEGMENT))
            .and_then(|rest| rest.strip_prefix('/'))
            .and_then(|rest| rest.split_once('/'))
            .is_some_and(|(key, tail)| !key.is_empty() && tail.trim_end_matches('/') == "enqueue")
    });
    pagerduty || patterns.iter().any(|p| glob_match(p, url))
}

/// Whether a URL is AWS Chatbot's SNS endpoint.
pub fn is_chatbot_url(url: &str) -> bool {
    url.trim_end_matches('/') == CHATBOT_ENDPOINT
}

/// `*` matches any run of characters.
pub fn glob_match(pattern: &str, text: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    if parts.len() == 1 {
        return pattern == text;
    }
    let Some(rest) = text.strip_prefix(parts[0]) else {
        return false;
    };
    let mut rest = rest;
    for (i, part) in parts.iter().enumerate().skip(1) {
        if i == parts.len() - 1 {
            return rest.ends_with(part);
        }
        match rest.find(part) {
            Some(at) => rest = &rest[at + part.len()..],
            None => return false,
        }
    }
    true
}

/// The handler of the terraform-aws-modules notify-slack Lambda.
pub const NOTIFY_SLACK_HANDLER: &str = "notify_slack.lambda_handler";

/// The environment key holding notify-slack's webhook.
pub const SLACK_WEBHOOK_ENV: &str = "SLACK_WEBHOOK_URL";

/// Whether a function's handler is notify-slack's.
pub fn has_notify_slack_handler(function: &Function) -> bool {
    function
        .handler
        .value()
        .and_then(|h| h.as_deref())
        .is_some_and(|h| h == NOTIFY_SLACK_HANDLER)
}

/// Whether a function is a notifier (RULES.md "Notifier"): terraform-aws-modules
/// notify-slack (handler `notify_slack.lambda_handler` plus env key
/// `SLACK_WEBHOOK_URL`), or named in `[chat] notifier_functions`.
pub fn is_notifier(function: &Function, chat: &ChatConfig) -> bool {
    let named = |f: &str| {
        function.name.value().is_some_and(|n| n == f)
            || function.arn.value().is_some_and(|a| a == f)
    };
    if chat.notifier_functions.iter().any(|f| named(f)) {
        return true;
    }
    let webhook = function
        .environment
        .value()
        .is_some_and(|env| env.contains_key(SLACK_WEBHOOK_ENV));
    has_notify_slack_handler(function) && webhook
}

/// Whether a function may be a notifier although [`is_notifier`] cannot tell:
/// a notify-slack handler whose environment is unknown.
pub fn may_be_notifier(function: &Function) -> bool {
    has_notify_slack_handler(function) && function.environment.why().is_some()
}

/// Whether a subscription counts as confirmed.
#[derive(Debug, Clone, PartialEq)]
pub enum Confirmation {
    /// It is, or counts as, confirmed (why, for messages).
    Confirmed(String),
    /// It waits for confirmation and delivers nothing.
    Pending,
    /// It cannot be told.
    Unknown(Unknown),
}

/// "Confirmed" as RULES.md's Terms define it, for a subscription read from
/// `source`. Live: `PendingConfirmation = false`. Plan/HCL: `lambda` and `sqs`
/// count as confirmed; `email` is not assessed; otherwise a prior-state
/// `pending_confirmation` is used when present, else an `https` pager endpoint
/// (PagerDuty's or one of `pager_patterns`) with `endpoint_auto_confirms = true`
/// counts; anything else is as unknown as the recorded `pending_confirmation`.
pub fn confirmation(
    sub: &Subscription,
    source: SourceKind,
    pager_patterns: &[String],
) -> Confirmation {
    let recorded = || match &sub.pending_confirmation {
        Known::Value(false) => Confirmation::Confirmed("confirmed".into()),
        Known::Value(true) => Confirmation::Pending,
        Known::Unknown(m) => Confirmation::Unknown(m.unknown.clone()),
    };
    if source == SourceKind::Live {
        return recorded();
    }
    let protocol = match &sub.protocol {
        Known::Value(p) => p.to_ascii_lowercase(),
        Known::Unknown(m) => return Confirmation::Unknown(m.unknown.clone()),
    };
    match protocol.as_str() {
        "lambda" | "sqs" => {
            return Confirmation::Confirmed(format!(
                "{protocol} subscriptions need no confirmation"
            ));
        }
        "email" | "email-json" => {
            return Confirmation::Unknown(Unknown {
                kind: UnknownKind::NotObservable,
                expression: Some(format!(
                    "{}: an e-mail subscription's confirmation",
                    sub.origin.label().unwrap_or("subscription")
                )),
            });
        }
        _ => {}
    }
    if sub.pending_confirmation.value().is_some() {
        return recorded();
    }
    let auto_pager = protocol == "https"
        && sub.endpoint_auto_confirms == Some(true)
        && sub.endpoint.value().is_some()
        && classify(sub, pager_patterns) == Kind::Pager;
    if auto_pager {
        return Confirmation::Confirmed("pager endpoint with endpoint_auto_confirms".into());
    }
    recorded()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inventory::{Origin, Ref};

    fn sub(protocol: &str, endpoint: &str, auto: Option<bool>) -> Subscription {
        Subscription {
            origin: Origin::default(),
            arn: None,
            topic: Ref::arn("arn:aws:sns:us-east-1:111111111111:t"),
            protocol: Known::Value(protocol.into()),
            endpoint: Known::Value(endpoint.into()),
            endpoint_address: None,
            pager_patterns: Default::default(),
            pending_confirmation: Known::unknown(UnknownKind::KnownAfterApply, None),
            endpoint_auto_confirms: auto,
            filter_policy: Known::Value(None),
            filter_policy_scope: Known::Value(None),
        }
    }

    #[test]
    fn pager_urls_by_shape_and_by_pattern() {
        let pd = "https://events.pagerduty.com/integration/<redacted>/enqueue";
        assert!(is_pager_url(pd, &[]));
        assert!(is_pager_url(
            "https://events.eu.pagerduty.com/integration/k/enqueue/",
            &[]
        ));
        assert!(!is_pager_url(
            "https://events.pagerduty.com/integration//enqueue",
            &[]
        ));
        assert!(!is_pager_url(
            "https://events.pagerduty.com/x/k/enqueue",
            &[]
        ));
        let custom = "https://pager.example.com/hooks/<redacted>";
        assert!(!is_pager_url(custom, &[]));
        assert!(is_pager_url(
            custom,
            &["https://pager.example.com/*".to_string()]
        ));
        assert!(is_chatbot_url(
            "https://global.sns-api.chatbot.amazonaws.com/"
        ));
    }

    #[test]
    fn confirmation_in_a_plan_uses_the_configured_patterns() {
        let patterns = vec!["https://pager.example.com/*".to_string()];
        let custom = sub("https", "https://pager.example.com/hooks/x", Some(true));
        assert!(matches!(
            confirmation(&custom, SourceKind::Plan, &patterns),
            Confirmation::Confirmed(_)
        ));
        assert!(matches!(
            confirmation(&custom, SourceKind::Hcl, &[]),
            Confirmation::Unknown(_)
        ));
        let manual = sub("https", "https://pager.example.com/hooks/x", Some(false));
        assert!(matches!(
            confirmation(&manual, SourceKind::Plan, &patterns),
            Confirmation::Unknown(_)
        ));
        let mut prior = custom.clone();
        prior.pending_confirmation = Known::Value(true);
        assert_eq!(
            confirmation(&prior, SourceKind::Plan, &patterns),
            Confirmation::Pending
        );
        for p in ["lambda", "sqs", "LAMBDA"] {
            assert!(matches!(
                confirmation(&sub(p, "arn:x", None), SourceKind::Hcl, &[]),
                Confirmation::Confirmed(_)
            ));
        }
        assert!(matches!(
            confirmation(&sub("email", "a@b.c", None), SourceKind::Plan, &[]),
            Confirmation::Unknown(_)
        ));
        // Live reads PendingConfirmation only.
        assert!(matches!(
            confirmation(&custom, SourceKind::Live, &patterns),
            Confirmation::Unknown(_)
        ));
    }
}
