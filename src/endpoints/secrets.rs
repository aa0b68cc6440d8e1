//! Secret shapes, written once: PagerDuty integration keys, Slack incoming
//! webhooks and key-like names (RULES.md SEC002), and the one SEC002 pass that
//! judges the literals both Terraform sources (plan and HCL) report.

use crate::inventory::{HardcodedSecret, Origin, SecretKind, SourceLocation};

/// Hosts of PagerDuty's Events API (`https://<host>/integration/<key>/enqueue`).
pub const PAGERDUTY_EVENTS_HOSTS: [&str; 2] = ["events.pagerduty.com", "events.eu.pagerduty.com"];

/// The path segment before a PagerDuty integration key.
pub const PAGERDUTY_INTEGRATION_SEGMENT: &str = "integration";

/// The host of Slack incoming webhooks (`https://hooks.slack.com/services/T…/B…/…`).
pub const SLACK_WEBHOOK_HOST: &str = "hooks.slack.com";

/// The path segment before a Slack webhook's secret parts.
pub const SLACK_WEBHOOK_SEGMENT: &str = "services";

/// The length of a PagerDuty integration key (hex digits, in either case).
const PAGERDUTY_KEY_LEN: usize = 32;

/// The length of a Slack webhook's team (`T…`) and hook (`B…`) ids after
/// their letter: upper-case letters and digits.
const SLACK_ID_LEN: std::ops::RangeInclusive<usize> = 8..=10;

/// The length of a Slack webhook's token (letters and digits).
const SLACK_TOKEN_LEN: usize = 24;

/// Slack's documented example webhook (<https://api.slack.com/messaging/webhooks>):
/// its parts are placeholders, never a secret.
pub const SLACK_EXAMPLE_PARTS: &str = "T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX";

/// Whether a secret part is a documentation placeholder (RULES.md SEC002):
/// one repeated character (all zeros among them), a run of `X`/`x`, or a
/// `<…>` or `${…}` marker.
pub fn is_placeholder(part: &str) -> bool {
    let mut chars = part.chars();
    let Some(first) = chars.next() else {
        return true;
    };
    chars.all(|c| c == first)
        || part.chars().all(|c| c == 'X' || c == 'x')
        || part.contains('<')
        || part.contains("${")
}

/// Whether `key` has the shape of a real PagerDuty key: 32 hex digits in
/// either case, not a placeholder.
pub fn is_pagerduty_key(key: &str) -> bool {
    key.len() == PAGERDUTY_KEY_LEN
        && key.bytes().all(|b| b.is_ascii_hexdigit())
        && !is_placeholder(key)
}

/// The byte span of a PagerDuty integration key after
/// `events(.eu)?.pagerduty.com/integration/` anywhere in `text`: 32 hex digits
/// in either case, not a placeholder ([`is_pagerduty_key`]).
pub fn pagerduty_key_span(text: &str) -> Option<(usize, usize)> {
    for host in PAGERDUTY_EVENTS_HOSTS {
        let prefix = format!("{host}/{PAGERDUTY_INTEGRATION_SEGMENT}/");
        let mut from = 0;
        while let Some(i) = text[from..].find(&prefix) {
            let start = from + i + prefix.len();
            if text
                .get(start..start + PAGERDUTY_KEY_LEN)
                .is_some_and(is_pagerduty_key)
            {
                return Some((start, start + PAGERDUTY_KEY_LEN));
            }
            from = start;
        }
    }
    None
}

/// Whether `text` holds a Slack incoming-webhook URL with a real secret's
/// shape: `hooks.slack.com/services/T…/B…/…` whose team and hook ids are
/// their letter and 8–10 upper-case letters or digits, whose token is 24
/// letters or digits, and none of whose parts is a placeholder
/// ([`is_placeholder`]; Slack's documented example is one).
pub fn contains_slack_webhook(text: &str) -> bool {
    let prefix = format!("{SLACK_WEBHOOK_HOST}/{SLACK_WEBHOOK_SEGMENT}/");
    text.match_indices(&prefix)
        .any(|(i, _)| is_real_slack_secret(&text[i + prefix.len()..]))
}

/// The `T…/B…/token` after `services/` (and anything after the token).
fn is_real_slack_secret(rest: &str) -> bool {
    let mut parts = rest.splitn(3, '/');
    let (Some(team), Some(hook), Some(tail)) = (parts.next(), parts.next(), parts.next()) else {
        return false;
    };
    let token = tail
        .split(|c: char| !c.is_ascii_alphanumeric())
        .next()
        .unwrap_or_default();
    let id = |part: &str, letter: char| {
        part.strip_prefix(letter).is_some_and(|body| {
            SLACK_ID_LEN.contains(&body.len())
                && body
                    .chars()
                    .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
                && !is_placeholder(body)
        })
    };
    id(team, 'T') && id(hook, 'B') && token.len() == SLACK_TOKEN_LEN && !is_placeholder(token)
}

/// What kind of secret a literal string holds by its shape, if any.
pub fn classify(text: &str) -> Option<SecretKind> {
    if contains_slack_webhook(text) {
        Some(SecretKind::SlackWebhook)
    } else if pagerduty_key_span(text).is_some() {
        Some(SecretKind::PagerdutyIntegrationKey)
    } else {
        None
    }
}

/// Whether a name says its value is a key (`*integration_key*`, `*routing_key*`).
pub fn is_key_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower.contains("integration_key") || lower.contains("routing_key")
}

/// Name parts (lower case) that mark an SSM parameter as holding a webhook or
/// a key (SEC001 "named like a webhook or key").
const SECRET_PARAMETER_NAME_PARTS: &[&str] = &["slack_webhook", "webhook_url", "pagerduty"];

/// The `Contains` filters the live collector gives `ssm:DescribeParameters`:
/// every name [`is_secret_parameter_name`] accepts contains one of them.
pub const SECRET_PARAMETER_NAME_FILTERS: &[&str] = &["webhook", "pagerduty", "slack"];

/// Whether an SSM parameter's name says it holds a webhook or a key.
pub fn is_secret_parameter_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    SECRET_PARAMETER_NAME_PARTS
        .iter()
        .any(|part| lower.contains(part))
}

/// Literal text from configuration. Its `Debug` never shows the value.
#[derive(Clone, PartialEq, Eq)]
pub struct LiteralText(pub String);

impl std::fmt::Debug for LiteralText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(super::REDACTED)
    }
}

/// A literal string written in Terraform configuration, as a source reports
/// it for SEC002: where it is, what name it is bound to, and its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Literal {
    /// The resource, module call, variable or provider it is written in.
    pub address: String,
    /// The top-level attribute (or block), or a variable's field
    /// (`default`, `value`): what a finding names.
    pub attribute: String,
    /// The nested blocks the literal is written in, outermost first (empty
    /// for a top-level attribute).
    pub blocks: Vec<String>,
    /// The name the value is bound to (attribute, variable or object key).
    pub name: String,
    /// The text.
    pub text: LiteralText,
    /// Whether the bound value is this literal alone (not a piece of a template
    /// or an argument of a function).
    pub whole: bool,
    /// A value supplied from outside the configuration (a plan's `variables`):
    /// judged only where the configuration showed no secret at that address.
    pub supplied: bool,
    /// Where it is written.
    pub location: Option<SourceLocation>,
}

/// The name a literal is bound to and the attribute a finding names. In a
/// nested block, a key-like name carries the meaning outward (a block's
/// `integration_key`); otherwise the enclosing block's name does, up to the
/// top-level block.
fn binding(literal: &Literal) -> (String, String) {
    if literal.blocks.is_empty() {
        return (literal.name.clone(), literal.attribute.clone());
    }
    let mut name = literal.name.clone();
    for block in literal.blocks.iter().rev() {
        if !is_key_name(&name) {
            name = block.clone();
        }
    }
    (name.clone(), name)
}

/// SEC002's facts from the literals a Terraform source reports: a secret
/// shape, or a whole value bound to a key-like name that has a PagerDuty
/// key's shape ([`is_pagerduty_key`]). One finding per (kind, address,
/// attribute); never the value.
pub fn judge(literals: &[Literal]) -> Vec<HardcodedSecret> {
    let mut out: Vec<HardcodedSecret> = Vec::new();
    for pass_supplied in [false, true] {
        for literal in literals.iter().filter(|l| l.supplied == pass_supplied) {
            let text = literal.text.0.as_str();
            let (name, attribute) = binding(literal);
            let kind = classify(text).or_else(|| {
                (literal.whole && is_key_name(&name) && is_pagerduty_key(text.trim()))
                    .then_some(SecretKind::NamedKey)
            });
            let Some(kind) = kind else {
                continue;
            };
            let at_address =
                |s: &HardcodedSecret| s.origin.address.as_deref() == Some(literal.address.as_str());
            let duplicate = if literal.supplied {
                out.iter().any(at_address)
            } else {
                out.iter()
                    .any(|s| s.kind == kind && s.attribute == attribute && at_address(s))
            };
            if !duplicate {
                out.push(HardcodedSecret {
                    kind,
                    origin: Origin {
                        address: Some(literal.address.clone()),
                        location: literal.location.clone(),
                        ..Origin::default()
                    },
                    attribute,
                });
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn literal(name: &str, text: &str, whole: bool, supplied: bool) -> Literal {
        Literal {
            address: "var.x".into(),
            attribute: "default".into(),
            blocks: Vec::new(),
            name: name.into(),
            text: LiteralText(text.into()),
            whole,
            supplied,
            location: None,
        }
    }

    #[test]
    fn a_pagerduty_key_is_a_key_in_either_case() {
        let lower = "0123456789abcdef0123456789abcdef";
        for key in [lower.to_string(), lower.to_ascii_uppercase()] {
            for host in PAGERDUTY_EVENTS_HOSTS {
                let url = format!("https://{host}/integration/{key}/enqueue");
                assert_eq!(
                    classify(&url),
                    Some(SecretKind::PagerdutyIntegrationKey),
                    "{url}"
                );
            }
        }
        assert_eq!(
            classify("https://events.pagerduty.com/integration/${var.k}/enqueue"),
            None
        );
        assert_eq!(
            classify("https://events.pagerduty.com/integration/0123456789abcdefg/enqueue"),
            None
        );
    }

    /// A made-up webhook with a real one's lengths and alphabet.
    const WEBHOOK: &str =
        "https://hooks.slack.com/services/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";
    /// A made-up PagerDuty key with a real one's shape.
    const KEY: &str = "0123456789abcdef0123456789abcdef";

    #[test]
    fn slack_webhooks_and_key_names() {
        assert_eq!(classify(WEBHOOK), Some(SecretKind::SlackWebhook));
        assert_eq!(
            classify(&format!("{WEBHOOK}?x=1")),
            Some(SecretKind::SlackWebhook)
        );
        assert_eq!(classify("https://hooks.slack.com/services/${x}"), None);
        assert!(is_key_name("pagerduty_integration_key"));
        assert!(is_key_name("ROUTING_KEY"));
        assert!(!is_key_name("slack_channel"));
    }

    #[test]
    fn documentation_placeholders_and_wrong_shapes_are_not_secrets() {
        let slack = |parts: &str| classify(&format!("https://hooks.slack.com/services/{parts}"));
        for parts in [
            SLACK_EXAMPLE_PARTS,
            "AAA/BBB/CCC",
            "T0A1B2C3D4/B0A1B2C3D4/XXXXXXXXXXXXXXXXXXXXXXXX",
            "T0A1B2C3D4/B0A1B2C3D4/xxxxXXXXxxxxXXXXxxxxXXXX",
            "T00000000/B0A1B2C3D4/Ab12Cd34Ef56Gh78Ij90Kl12",
            "T0A1B2C3D4/BAAAAAAAA/Ab12Cd34Ef56Gh78Ij90Kl12",
            "<team>/<bot>/<token>",
            // Wrong lengths or alphabet.
            "T0A1B2C/B0A1B2C3D4/Ab12Cd34Ef56Gh78Ij90Kl12",
            "T0A1B2C3D4/B0A1B2C3D4/Ab12Cd34Ef56Gh78Ij90Kl1",
            "T0A1B2C3D4/B0A1B2C3D4/Ab12Cd34Ef56Gh78Ij90Kl123",
            "t0a1b2c3d4/B0A1B2C3D4/Ab12Cd34Ef56Gh78Ij90Kl12",
        ] {
            assert_eq!(slack(parts), None, "{parts}");
        }
        assert_eq!(
            slack("T0A1B2C3D4/B0A1B2C3D4/Ab12Cd34Ef56Gh78Ij90Kl12"),
            Some(SecretKind::SlackWebhook)
        );
        let pd = |key: &str| {
            classify(&format!(
                "https://events.pagerduty.com/integration/{key}/enqueue"
            ))
        };
        for key in [
            "0".repeat(32),
            "1".repeat(32),
            "X".repeat(32),
            "f".repeat(32),
        ] {
            assert_eq!(pd(&key), None, "{key}");
            assert!(!is_pagerduty_key(&key));
        }
        assert_eq!(pd(KEY), Some(SecretKind::PagerdutyIntegrationKey));
        for placeholder in ["XXXXXXXX", "<key>", "${var.k}", "00000000"] {
            assert!(is_placeholder(placeholder), "{placeholder}");
        }
        assert!(!is_placeholder("Ab12Cd34"));
    }

    #[test]
    fn the_collector_filter_covers_every_secret_parameter_name() {
        for part in SECRET_PARAMETER_NAME_PARTS {
            assert!(is_secret_parameter_name(&format!("/alerting/{part}")));
            assert!(
                SECRET_PARAMETER_NAME_FILTERS
                    .iter()
                    .any(|f| part.contains(f)),
                "{part}"
            );
        }
        assert!(is_secret_parameter_name("/alerting/PagerDuty_key"));
        assert!(!is_secret_parameter_name("/alerting/channel"));
    }

    #[test]
    fn judging_keeps_one_finding_per_place_and_never_the_value() {
        let found = judge(&[
            literal("pagerduty_integration_key", KEY, true, false),
            literal("pagerduty_integration_key", KEY, true, false),
            literal("pagerduty_integration_key", KEY, false, false),
            literal("routing_key", " ", true, false),
            literal("routing_key", "XXXXXXXX", true, false),
            literal("routing_key", &"0".repeat(32), true, false),
            literal("pagerduty_integration_key", "abc", true, false),
            literal("", WEBHOOK, true, true),
        ]);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].kind, SecretKind::NamedKey);
        assert!(!format!("{:?}", literal("k", "SECRETVALUE", true, false)).contains("SECRET"));
        let supplied = judge(&[literal("", WEBHOOK, true, true)]);
        assert_eq!(supplied.len(), 1);
        assert_eq!(supplied[0].kind, SecretKind::SlackWebhook);
    }

    #[test]
    fn a_key_like_name_in_a_nested_block_names_the_finding() {
        let mut nested = literal("integration_key", KEY, true, false);
        nested.attribute = "pagerduty".into();
        nested.blocks = vec!["pagerduty".into(), "service".into()];
        let found = judge(&[nested.clone()]);
        assert_eq!(
            (found[0].kind, found[0].attribute.as_str()),
            (SecretKind::NamedKey, "integration_key")
        );
        nested.name = "channel".into();
        assert!(judge(&[nested.clone()]).is_empty());
        nested.text = LiteralText(WEBHOOK.into());
        let found = judge(&[nested]);
        assert_eq!(
            (found[0].kind, found[0].attribute.as_str()),
            (SecretKind::SlackWebhook, "pagerduty")
        );
    }
}
