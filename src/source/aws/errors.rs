//! Classifies a failed SDK call into a [`Gap`]: access denied (naming the IAM
//! action), throttled after retries, timeout, endpoint error, unsupported
//! operation. A failed call is always a gap, never an empty list.

use aws_credential_types::provider::error::CredentialsError;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_runtime_api::http::Response as HttpResponse;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;

use crate::inventory::{Gap, GapReason};

/// The longest error message kept in a gap.
const MAX_MESSAGE: usize = 240;

/// The service error code of a failed call, if the service answered with one.
pub fn code<E: ProvideErrorMetadata>(err: &SdkError<E, HttpResponse>) -> Option<&str> {
    match err {
        SdkError::ServiceError(s) => s.err().code(),
        _ => None,
    }
}

/// Whether the service said the resource does not exist (`NotFound`,
/// `ResourceNotFoundException`, `NotFoundException`, …).
pub fn is_not_found<E: ProvideErrorMetadata>(err: &SdkError<E, HttpResponse>) -> bool {
    code(err).is_some_and(|c| c.contains("NotFound") || c == "NoSuchEntity")
}

/// Classify by error code and HTTP status. `call` is `service:Operation`.
pub fn classify<E>(call: &str, err: &SdkError<E, HttpResponse>) -> Gap
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    let (reason, message) = match err {
        SdkError::TimeoutError(_) => (GapReason::Timeout, "no answer within the timeout".into()),
        SdkError::DispatchFailure(d) => {
            let reason = if d.is_timeout() {
                GapReason::Timeout
            } else {
                GapReason::EndpointError
            };
            (reason, readable(err))
        }
        SdkError::ResponseError(r) => (
            status_reason(r.raw().status().as_u16()),
            format!("unreadable response (HTTP {})", r.raw().status().as_u16()),
        ),
        SdkError::ServiceError(s) => {
            let status = s.raw().status().as_u16();
            let code = s.err().code();
            let reason = code.map_or_else(|| status_reason(status), |c| code_reason(c, status));
            let text = match (code, s.err().message()) {
                (Some(c), Some(m)) => format!("{c}: {m}"),
                (Some(c), None) => c.to_string(),
                (None, Some(m)) => format!("HTTP {status}: {m}"),
                (None, None) => format!("HTTP {status}"),
            };
            (reason, text)
        }
        _ => (GapReason::Other, readable(err)),
    };
    Gap {
        reason,
        call: Some(call.to_string()),
        message: truncate(&message),
    }
}

/// An error and its causes as one readable line (`dispatch failure: io error:
/// Connection refused`), never the SDK's debug struct.
pub fn readable(err: &(dyn std::error::Error + 'static)) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut next = Some(err);
    while let Some(e) = next {
        let text = e.to_string();
        if !text.is_empty() && !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        next = e.source();
    }
    parts.join(": ")
}

/// Why the caller could not be identified (`sts:GetCallerIdentity` failed),
/// as one line that names the cause and the command that fixes it: no
/// credentials, an unknown profile, an expired or missing SSO session, expired
/// or invalid keys. Anything else is the call's classified gap. `profile` is
/// `--profile`, else `AWS_PROFILE`, when one was named.
pub fn caller_problem<E>(err: &SdkError<E, HttpResponse>, profile: Option<&str>) -> String
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    let chain = readable(err);
    let credentials = credentials_error(err);
    let login = match profile {
        Some(p) => format!("aws sso login --profile {p}"),
        None => "aws sso login --profile NAME".to_string(),
    };
    if let Some(p) = profile
        && (chain.contains(&format!("profile `{p}` was not defined"))
            || (matches!(credentials, Some(CredentialsError::CredentialsNotLoaded(_)))
                && !profile_is_defined(p)))
    {
        return format!(
            "AWS profile `{p}` is not defined in the AWS config or credentials file; \
             create it with `aws configure --profile {p}` (or `aws configure sso --profile {p}`), \
             or name another with --profile"
        );
    }
    let sso = ["SSO token", "SSO session", "cached SSO token"];
    if sso.iter().any(|s| chain.contains(s))
        || code(err).is_some_and(|c| c == "UnauthorizedException") && chain.contains("SSO")
    {
        return format!(
            "the AWS SSO session{} has expired or was never started; run `{login}`",
            profile
                .map(|p| format!(" of profile `{p}`"))
                .unwrap_or_default()
        );
    }
    if let Some(c) = code(err) {
        if c == "ExpiredToken" || c == "ExpiredTokenException" {
            return format!(
                "the AWS session credentials have expired; refresh them (`{login}` for SSO, \
                 or new temporary keys)"
            );
        }
        if c == "InvalidClientTokenId"
            || c == "SignatureDoesNotMatch"
            || c == "UnrecognizedClientException"
        {
            return format!(
                "AWS rejected the access key ({c}); check AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY \
                 or the profile's keys (`aws configure{}`)",
                profile
                    .map(|p| format!(" --profile {p}"))
                    .unwrap_or_default()
            );
        }
    }
    if matches!(credentials, Some(CredentialsError::CredentialsNotLoaded(_))) {
        return "no AWS credentials found (environment, AWS config files, SSO, web identity, \
                container or instance metadata); run `aws configure`, or `aws sso login --profile NAME` \
                and pass --profile NAME"
            .to_string();
    }
    classify("sts:GetCallerIdentity", err).describe()
}

/// The credentials provider's error inside an SDK error, if that is what failed.
fn credentials_error<'a>(
    err: &'a (dyn std::error::Error + 'static),
) -> Option<&'a CredentialsError> {
    let mut next = Some(err);
    while let Some(e) = next {
        if let Some(found) = e.downcast_ref::<CredentialsError>() {
            return Some(found);
        }
        next = e.source();
    }
    None
}

/// Whether a profile is named in the AWS config or credentials file
/// (`AWS_CONFIG_FILE`, `AWS_SHARED_CREDENTIALS_FILE`, else `~/.aws/…`) as a
/// `[profile NAME]` or `[NAME]` section header. Only used to explain a chain
/// that found no credentials, never to decide what to load.
fn profile_is_defined(profile: &str) -> bool {
    let home = std::env::var_os("HOME").map(std::path::PathBuf::from);
    let file = |var: &str, default: &str| {
        std::env::var_os(var)
            .map(std::path::PathBuf::from)
            .or_else(|| home.as_ref().map(|h| h.join(".aws").join(default)))
    };
    let headers = [format!("[profile {profile}]"), format!("[{profile}]")];
    [
        file("AWS_CONFIG_FILE", "config"),
        file("AWS_SHARED_CREDENTIALS_FILE", "credentials"),
    ]
    .into_iter()
    .flatten()
    .filter_map(|path| std::fs::read_to_string(path).ok())
    .any(|text| {
        text.lines().any(|line| {
            let squeezed: String = line.split_whitespace().collect::<Vec<_>>().join(" ");
            headers.contains(&squeezed)
        })
    })
}

/// A gap for a credentials failure that is not an SDK error (e.g. no credentials).
pub fn other(call: &str, message: impl std::fmt::Display) -> Gap {
    Gap {
        reason: GapReason::Other,
        call: Some(call.to_string()),
        message: truncate(&message.to_string()),
    }
}

fn code_reason(code: &str, status: u16) -> GapReason {
    let denied = [
        "AccessDenied",
        "AuthorizationError",
        "UnauthorizedOperation",
    ];
    let throttled = [
        "Throttl",
        "TooManyRequests",
        "RequestLimitExceeded",
        "SlowDown",
        "RateExceeded",
    ];
    if denied.iter().any(|d| code.starts_with(d)) {
        GapReason::AccessDenied
    } else if throttled.iter().any(|t| code.contains(t)) {
        GapReason::Throttled
    } else if code == "OptInRequired" {
        GapReason::OptInRequired
    } else if code == "RequestTimeout" || code == "RequestTimeoutException" {
        GapReason::Timeout
    } else if code.starts_with("UnknownOperation") || code == "InvalidAction" {
        GapReason::Unsupported
    } else {
        status_reason(status)
    }
}

fn status_reason(status: u16) -> GapReason {
    match status {
        403 => GapReason::AccessDenied,
        429 => GapReason::Throttled,
        404 | 501 => GapReason::Unsupported,
        500..=599 => GapReason::EndpointError,
        _ => GapReason::Other,
    }
}

fn truncate(text: &str) -> String {
    let one_line = text.replace(['\n', '\r'], " ");
    match one_line.char_indices().nth(MAX_MESSAGE) {
        Some((i, _)) => format!("{}…", &one_line[..i]),
        None => one_line,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_map_to_reasons() {
        assert_eq!(
            code_reason("AccessDeniedException", 400),
            GapReason::AccessDenied
        );
        assert_eq!(
            code_reason("AuthorizationError", 403),
            GapReason::AccessDenied
        );
        assert_eq!(
            code_reason("ThrottlingException", 400),
            GapReason::Throttled
        );
        assert_eq!(code_reason("Throttling", 400), GapReason::Throttled);
        assert_eq!(
            code_reason("TooManyRequestsException", 429),
            GapReason::Throttled
        );
        assert_eq!(
            code_reason("InternalFailure", 500),
            GapReason::EndpointError
        );
        assert_eq!(code_reason("Whatever", 404), GapReason::Unsupported);
        assert_eq!(status_reason(400), GapReason::Other);
    }

    #[test]
    fn messages_are_one_bounded_line() {
        let long = "x\n".repeat(500);
        let t = truncate(&long);
        assert!(!t.contains('\n'));
        assert!(t.chars().count() <= MAX_MESSAGE + 1);
    }
}
