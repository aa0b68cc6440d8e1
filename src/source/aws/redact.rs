//! Secrets never enter the inventory: subscription endpoints are redacted at
//! collection time, and Lambda environment values are reduced to facts.

/// The replacement for a secret.
pub const REDACTED: &str = "<redacted>";

/// Redact an HTTP(S) endpoint: userinfo, the query string, and every token-like
/// path segment (`https://events.pagerduty.com/integration/<redacted>/enqueue`).
/// Non-URL endpoints (ARNs, e-mail addresses) are returned unchanged.
pub fn endpoint(endpoint: &str) -> String {
    let lower = endpoint.to_ascii_lowercase();
    let scheme_len = if lower.starts_with("https://") {
        8
    } else if lower.starts_with("http://") {
        7
    } else {
        return endpoint.to_string();
    };
    let (scheme, rest) = endpoint.split_at(scheme_len);
    let rest = rest.split('#').next().unwrap_or_default();
    let (before_query, had_query) = match rest.split_once('?') {
        Some((b, _)) => (b, true),
        None => (rest, false),
    };
    let (authority, path) = match before_query.find('/') {
        Some(i) => before_query.split_at(i),
        None => (before_query, ""),
    };
    let host = match authority.rsplit_once('@') {
        Some((_, host)) => format!("{REDACTED}@{host}"),
        None => authority.to_string(),
    };
    let path: Vec<String> = path
        .split('/')
        .map(|seg| {
            if is_token_like(seg) {
                REDACTED.to_string()
            } else {
                seg.to_string()
            }
        })
        .collect();
    let mut out = format!("{scheme}{host}{}", path.join("/"));
    if had_query {
        out.push('?');
        out.push_str(REDACTED);
    }
    out
}

/// A path segment that looks like a key: long, with digits, or hex/base64-ish.
fn is_token_like(seg: &str) -> bool {
    if seg.len() < 8 {
        return false;
    }
    let digits = seg.chars().filter(char::is_ascii_digit).count();
    let alnum = seg
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '=' | '+' | '.' | '~'));
    let hex = seg.chars().all(|c| c.is_ascii_hexdigit());
    (hex && seg.len() >= 16)
        || (alnum && (digits >= 2 || seg.len() >= 16))
        || seg.chars().any(|c| c == '%')
}

/// KMS ciphertext blobs are base64 of a binary starting 0x01 0x02 (`AQI…`).
#[cfg(test)]
mod tests {
    use super::*;
    use crate::inventory::EnvValue;

    #[test]
    fn pagerduty_key_is_redacted() {
        assert_eq!(
            endpoint(
                "https://events.pagerduty.com/integration/0123456789abcdef0123456789abcdef/enqueue"
            ),
            "https://events.pagerduty.com/integration/<redacted>/enqueue"
        );
    }

    #[test]
    fn userinfo_query_and_tokens_are_redacted() {
        let r = endpoint("https://user:pw@api.opsgenie.com/v1/json/sns?apiKey=SECRET123");
        assert_eq!(
            r,
            "https://<redacted>@api.opsgenie.com/v1/json/sns?<redacted>"
        );
        let r = endpoint(
            "https://alert.victorops.com/integrations/cloudwatch/20131130/alert/aB3dE5gH7jK9/routing",
        );
        assert!(!r.contains("aB3dE5gH7jK9"), "{r}");
        assert!(r.contains("/integrations/cloudwatch/"), "{r}");
        let r = endpoint("https://hooks.slack.com/services/T000LEAK/B000LEAK/SECRETLEAKMARKER");
        assert!(!r.contains("SECRETLEAKMARKER"), "{r}");
    }

    #[test]
    fn non_urls_are_unchanged() {
        let arn = "arn:aws:lambda:us-east-1:123456789012:function:notify_slack";
        assert_eq!(endpoint(arn), arn);
        assert_eq!(endpoint("ops@example.com"), "ops@example.com");
        assert_eq!(
            endpoint("https://global.sns-api.chatbot.amazonaws.com"),
            "https://global.sns-api.chatbot.amazonaws.com"
        );
    }

    #[test]
    fn env_values_become_facts() {
        assert_eq!(
            EnvValue::of("https://hooks.slack.com/services/x"),
            EnvValue::PlaintextUrl
        );
        assert_eq!(EnvValue::of(""), EnvValue::Empty);
        assert_eq!(
            EnvValue::of(&format!("AQICAH{}", "a".repeat(120))),
            EnvValue::KmsCiphertext
        );
        assert_eq!(EnvValue::of("INFO"), EnvValue::Other);
    }
}
