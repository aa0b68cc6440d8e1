//! `Known<T>` (a value, or unknown with why) and `Observed<T>` (collected, or a gap).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A value that may be unknown: a Terraform "known after apply" attribute, or an
/// expression alertpath could not evaluate. Serialized as the plain value when
/// known, and as `{"$unknown": {...}}` when not.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum Known<T> {
    /// The value is not known; the reason says why.
    Unknown(UnknownMarker),
    /// The value is known.
    Value(T),
}

/// The serialized form of an unknown value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UnknownMarker {
    /// Why the value is unknown.
    #[serde(rename = "$unknown")]
    pub unknown: Unknown,
}

/// Why a value is unknown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Unknown {
    /// The kind of unknown.
    pub kind: UnknownKind,
    /// The expression or attribute that could not be resolved, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expression: Option<String>,
}

/// The kinds of unknown value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum UnknownKind {
    /// Terraform computes it when the plan is applied.
    KnownAfterApply,
    /// alertpath could not evaluate the expression (SCAN004).
    Unresolved,
    /// The source cannot observe this value at all.
    NotObservable,
    /// A literal or data-source ARN of a resource the Terraform stack does not
    /// declare: it belongs to another stack. Like "known after apply", it does
    /// not cause exit 3 unless `--strict-unknowns` is given.
    OutsideStack,
}

impl<T> Known<T> {
    /// An unknown value of the given kind.
    pub fn unknown(kind: UnknownKind, expression: Option<String>) -> Self {
        Known::Unknown(UnknownMarker {
            unknown: Unknown { kind, expression },
        })
    }

    /// A value Terraform only knows after apply.
    pub fn after_apply(expression: impl Into<String>) -> Self {
        Self::unknown(UnknownKind::KnownAfterApply, Some(expression.into()))
    }

    /// The value, if known.
    pub fn value(&self) -> Option<&T> {
        match self {
            Known::Value(v) => Some(v),
            Known::Unknown(_) => None,
        }
    }

    /// Why the value is unknown, if it is.
    pub fn why(&self) -> Option<&Unknown> {
        match self {
            Known::Value(_) => None,
            Known::Unknown(m) => Some(&m.unknown),
        }
    }

    /// Map a known value.
    pub fn map<U>(&self, f: impl FnOnce(&T) -> U) -> Known<U> {
        match self {
            Known::Value(v) => Known::Value(f(v)),
            Known::Unknown(m) => Known::Unknown(m.clone()),
        }
    }
}

impl<T> From<T> for Known<T> {
    fn from(value: T) -> Self {
        Known::Value(value)
    }
}

impl<T: Default> Default for Known<T> {
    fn default() -> Self {
        Known::Value(T::default())
    }
}

impl UnknownKind {
    /// Whether a not-assessed outcome of this kind leaves the exit code alone
    /// unless `--strict-unknowns`: "known after apply" and "outside this stack".
    pub fn is_soft(self) -> bool {
        matches!(
            self,
            UnknownKind::KnownAfterApply | UnknownKind::OutsideStack
        )
    }
}

impl Unknown {
    /// A human-readable reason, used in "not assessed" messages.
    pub fn describe(&self) -> String {
        let what = match self.kind {
            UnknownKind::KnownAfterApply => "known after apply",
            UnknownKind::Unresolved => "unresolved (see SCAN004)",
            UnknownKind::NotObservable => "not observable from this source",
            UnknownKind::OutsideStack => "outside this stack",
        };
        match &self.expression {
            Some(e) => format!("`{e}` is {what}"),
            None => what.to_string(),
        }
    }
}

/// A fact that was collected, or a gap saying why it could not be.
/// A failed call is a gap, never an empty list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Observed<T> {
    /// The fact was collected.
    Collected(T),
    /// The fact could not be collected.
    Gap(Gap),
}

impl<T> Observed<T> {
    /// The collected value, if any.
    pub fn collected(&self) -> Option<&T> {
        match self {
            Observed::Collected(v) => Some(v),
            Observed::Gap(_) => None,
        }
    }

    /// The gap, if the fact was not collected.
    pub fn gap(&self) -> Option<&Gap> {
        match self {
            Observed::Collected(_) => None,
            Observed::Gap(g) => Some(g),
        }
    }
}

impl<T: Default> Default for Observed<T> {
    fn default() -> Self {
        Observed::Collected(T::default())
    }
}

/// Why a fact could not be collected.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Gap {
    /// The class of failure.
    pub reason: GapReason,
    /// The API call that failed, as `service:Operation` (also the IAM action).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub call: Option<String>,
    /// A short description of the failure. Never contains a secret.
    pub message: String,
}

/// The classes of collection failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum GapReason {
    /// The call, or the role assumption, was denied.
    AccessDenied,
    /// The region is not enabled for the account.
    OptInRequired,
    /// Throttled, still, after retries.
    Throttled,
    /// The call timed out after retries.
    Timeout,
    /// The endpoint could not be reached or answered with a server error.
    EndpointError,
    /// The endpoint does not implement the operation.
    Unsupported,
    /// Anything else.
    Other,
}

impl Gap {
    /// A gap for a denied call.
    pub fn access_denied(call: impl Into<String>, message: impl Into<String>) -> Self {
        Gap {
            reason: GapReason::AccessDenied,
            call: Some(call.into()),
            message: message.into(),
        }
    }

    /// A one-line description: "sns:ListTopics: access denied (…)".
    pub fn describe(&self) -> String {
        let reason = match self.reason {
            GapReason::AccessDenied => "access denied",
            GapReason::OptInRequired => "region not enabled",
            GapReason::Throttled => "throttled after retries",
            GapReason::Timeout => "timed out",
            GapReason::EndpointError => "endpoint error",
            GapReason::Unsupported => "operation not supported by the endpoint",
            GapReason::Other => "failed",
        };
        match &self.call {
            Some(call) => format!("{call}: {reason} ({})", self.message),
            None => format!("{reason} ({})", self.message),
        }
    }
}
