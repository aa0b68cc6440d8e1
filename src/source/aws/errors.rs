//! Classifies a failed SDK call into a [`Gap`]: access denied (naming the IAM
//! action), throttled after retries, timeout, endpoint error, unsupported
//! operation. A failed call is always a gap, never an empty list.

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
