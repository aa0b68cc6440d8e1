//! Redaction of subscription endpoints (RULES.md "Redaction"): userinfo, the
//! query string, and every token-like or secret-position path segment of an
//! HTTP(S) endpoint. Known strings and partially known ones (a Terraform
//! template with unresolved parts) go through the same function, so an
//! endpoint whose unknown parts all lie in what redaction removes is known.

use super::secrets::{
    PAGERDUTY_EVENTS_HOSTS, PAGERDUTY_INTEGRATION_SEGMENT, SLACK_WEBHOOK_HOST,
    SLACK_WEBHOOK_SEGMENT,
};

/// The replacement for a secret.
pub const REDACTED: &str = "<redacted>";

/// A piece of a partially known string (a template's literal text or an
/// interpolation whose value is not known).
#[derive(Clone, PartialEq, Eq)]
pub enum Piece {
    /// Known text.
    Text(String),
    /// A part whose value is not known.
    Unknown,
}

impl std::fmt::Debug for Piece {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Piece::Text(t) => write!(f, "Text({})", redact(t)),
            Piece::Unknown => f.write_str("Unknown"),
        }
    }
}

/// Stands for an unknown piece while redacting (never in HCL or URL text).
const MARK: char = '\u{0}';

/// Redact an endpoint. Non-URL endpoints (ARNs, e-mail addresses) are
/// returned unchanged.
pub fn redact(endpoint: &str) -> String {
    // Without marks nothing is unknown, so this never falls back; if it did,
    // the whole endpoint would be withheld rather than shown.
    redact_marked(&endpoint.replace(MARK, "")).unwrap_or_else(|| REDACTED.to_string())
}

/// The redacted endpoint of a partially known string, when every unknown
/// piece lies in a part that redaction removes (the query string, or a secret
/// path segment such as the PagerDuty key in `/integration/<key>/enqueue`);
/// `None` when an unknown piece would remain.
pub fn redact_pieces(pieces: &[Piece]) -> Option<String> {
    let marked: String = pieces
        .iter()
        .map(|p| match p {
            Piece::Text(t) => t.replace(MARK, ""),
            Piece::Unknown => MARK.to_string(),
        })
        .collect();
    redact_marked(&marked)
}

/// Redact a string in which [`MARK`] stands for unknown text; `None` when a
/// mark survives (or a non-URL holds one).
fn redact_marked(endpoint: &str) -> Option<String> {
    let known = |s: &str| !s.contains(MARK);
    let lower = endpoint.to_ascii_lowercase();
    let scheme_len = if lower.starts_with("https://") {
        8
    } else if lower.starts_with("http://") {
        7
    } else {
        return known(endpoint).then(|| endpoint.to_string());
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
    if !known(authority) {
        return None;
    }
    let (host, redacted_host) = match authority.rsplit_once('@') {
        Some((_, host)) => (host, format!("{REDACTED}@{host}")),
        None => (authority, authority.to_string()),
    };
    let host = host.to_ascii_lowercase();
    let recognised = is_recognised_host(&host);
    let segments: Vec<&str> = path.split('/').collect();
    let mut out_segments = Vec::with_capacity(segments.len());
    for (i, seg) in segments.iter().enumerate() {
        if !recognised && !seg.is_empty() {
            // Another service: where its secret sits is not known, so every
            // path segment goes (`/k/Zq7Kx2/notify`, `/alert/SecretTokenHere`).
            out_segments.push(REDACTED);
        } else if is_secret_position(&host, &segments[..i]) || (known(seg) && is_token_like(seg)) {
            out_segments.push(REDACTED);
        } else if known(seg) {
            out_segments.push(seg);
        } else {
            return None;
        }
    }
    let mut out = format!("{scheme}{redacted_host}{}", out_segments.join("/"));
    if had_query {
        out.push('?');
        out.push_str(REDACTED);
    }
    Some(out)
}

/// Whether redaction knows where the secrets of this host's URLs sit
/// (PagerDuty's events API, Slack webhooks, AWS Chatbot); any other host's
/// path is redacted whole.
fn is_recognised_host(host: &str) -> bool {
    PAGERDUTY_EVENTS_HOSTS.contains(&host)
        || host == SLACK_WEBHOOK_HOST
        || super::CHATBOT_ENDPOINT.strip_prefix("https://") == Some(host)
}

/// Whether the path segment after `before` (which starts with the empty
/// segment before the first `/`) holds a secret by its position: the key of a
/// PagerDuty events URL, or any part of a Slack webhook after `/services/`.
fn is_secret_position(host: &str, before: &[&str]) -> bool {
    let pagerduty = PAGERDUTY_EVENTS_HOSTS.contains(&host)
        && matches!(before, ["", segment] if *segment == PAGERDUTY_INTEGRATION_SEGMENT);
    let slack = host == SLACK_WEBHOOK_HOST
        && before.len() >= 2
        && before[0].is_empty()
        && before[1] == SLACK_WEBHOOK_SEGMENT;
    pagerduty || slack
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

#[cfg(test)]
mod tests {
    use super::*;

    fn text(s: &str) -> Piece {
        Piece::Text(s.to_string())
    }

    #[test]
    fn pagerduty_key_is_redacted_in_either_case() {
        for key in [
            "0123456789abcdef0123456789abcdef",
            "0123456789ABCDEF0123456789ABCDEF",
        ] {
            assert_eq!(
                redact(&format!(
                    "https://events.pagerduty.com/integration/{key}/enqueue"
                )),
                "https://events.pagerduty.com/integration/<redacted>/enqueue"
            );
        }
        // The key's position is secret whatever its shape.
        assert_eq!(
            redact("https://events.eu.pagerduty.com/integration/short/enqueue"),
            "https://events.eu.pagerduty.com/integration/<redacted>/enqueue"
        );
    }

    #[test]
    fn userinfo_query_and_tokens_are_redacted() {
        let r = redact("https://user:pw@api.opsgenie.com/v1/json/sns?apiKey=SECRET123");
        assert_eq!(
            r,
            "https://<redacted>@api.opsgenie.com/<redacted>/<redacted>/<redacted>?<redacted>"
        );
        let r = redact(
            "https://alert.victorops.com/integrations/cloudwatch/20131130/alert/aB3dE5gH7jK9/routing",
        );
        assert_eq!(
            r,
            "https://alert.victorops.com/<redacted>/<redacted>/<redacted>/<redacted>/<redacted>/<redacted>"
        );
        // Short or letters-only secrets of other services go too.
        assert_eq!(
            redact("https://hooks.example.com/k/Zq7Kx2/notify"),
            "https://hooks.example.com/<redacted>/<redacted>/<redacted>"
        );
        assert_eq!(
            redact("https://ops.example.com/alert/SecretTokenHere"),
            "https://ops.example.com/<redacted>/<redacted>"
        );
        let r = redact("https://hooks.slack.com/services/T000LEAK/B000LEAK/SECRET");
        assert_eq!(
            r,
            "https://hooks.slack.com/services/<redacted>/<redacted>/<redacted>"
        );
    }

    #[test]
    fn non_urls_are_unchanged() {
        let arn = "arn:aws:lambda:us-east-1:123456789012:function:notify_slack";
        assert_eq!(redact(arn), arn);
        assert_eq!(redact("ops@example.com"), "ops@example.com");
        assert_eq!(
            redact("https://global.sns-api.chatbot.amazonaws.com"),
            "https://global.sns-api.chatbot.amazonaws.com"
        );
    }

    #[test]
    fn a_template_unknown_only_in_what_redaction_removes_is_known() {
        let pd = [
            text("https://events.pagerduty.com/integration/"),
            Piece::Unknown,
            text("/enqueue"),
        ];
        assert_eq!(
            redact_pieces(&pd).as_deref(),
            Some("https://events.pagerduty.com/integration/<redacted>/enqueue")
        );
        let slack = [text("https://hooks.slack.com/services/"), Piece::Unknown];
        assert_eq!(
            redact_pieces(&slack).as_deref(),
            Some("https://hooks.slack.com/services/<redacted>")
        );
        let query = [
            text("https://api.opsgenie.com/v1/json/sns?apiKey="),
            Piece::Unknown,
        ];
        assert_eq!(
            redact_pieces(&query).as_deref(),
            Some("https://api.opsgenie.com/<redacted>/<redacted>/<redacted>?<redacted>")
        );
        // Another service's path is redacted whole, unknown parts included.
        assert_eq!(
            redact_pieces(&[text("https://example.com/"), Piece::Unknown]).as_deref(),
            Some("https://example.com/<redacted>")
        );
        // An unknown host, scheme or path outside the secret stays unknown.
        for pieces in [
            vec![
                text("https://"),
                Piece::Unknown,
                text("/integration/abc/enqueue"),
            ],
            vec![
                Piece::Unknown,
                text("://events.pagerduty.com/integration/abc/enqueue"),
            ],
            vec![
                text("https://events.pagerduty.com/integration/"),
                Piece::Unknown,
                text("/"),
                Piece::Unknown,
            ],
            vec![Piece::Unknown],
        ] {
            assert_eq!(redact_pieces(&pieces), None, "{pieces:?}");
        }
    }
}
