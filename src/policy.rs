//! Evaluator for AWS resource policies (SNS topic policies, Lambda resource
//! policies, KMS key policies).
//!
//! It answers two questions alertpath's rules ask:
//! 1. "Can principal P do action A on resource R with request context C?"
//!    ([`Policy::evaluate`] returning a [`Decision`]).
//! 2. "Which Allow statements are public?" ([`Policy::public_grants`]).
//!
//! Anything the evaluator does not understand (an unsupported condition
//! operator, a policy variable) yields [`Decision::Unknown`], never
//! [`Decision::Allow`].

use std::collections::BTreeMap;

use serde_json::{Map, Value};

/// A policy document that could not be parsed or is structurally invalid.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid policy: {0}")]
pub struct PolicyError(pub String);

/// How many times a policy may be wrapped in a JSON string before we give up.
const MAX_STRING_NESTING: usize = 4;

/// The number of colon-separated components of an ARN.
const ARN_COMPONENTS: usize = 6;

/// Condition keys whose positive, wildcard-free match pins the caller.
const PINNING_KEYS: [&str; 6] = [
    "aws:sourceowner",
    "aws:sourceaccount",
    "aws:sourcearn",
    "aws:principalorgid",
    "aws:principalaccount",
    "aws:principalarn",
];

/// A parsed resource policy: an ordered list of statements.
#[derive(Debug, Clone)]
pub struct Policy {
    statements: Vec<Statement>,
    /// Version 2012-10-17 enables `${...}` policy variables.
    variables_enabled: bool,
}

/// The principal making a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Principal {
    /// An AWS service principal such as `events.amazonaws.com`.
    Service(String),
    /// An IAM identity in `account`; `arn` is the user/role ARN when known.
    Aws {
        /// The 12-digit account ID.
        account: String,
        /// The identity's ARN, if known.
        arn: Option<String>,
    },
    /// An unauthenticated caller.
    Anonymous,
}

/// One request to evaluate against a policy.
#[derive(Debug, Clone)]
pub struct Request {
    /// Who is asking.
    pub principal: Principal,
    /// The action, e.g. `sns:Publish` (matched case-insensitively).
    pub action: String,
    /// The ARN of the resource acted upon.
    pub resource: String,
    /// Request context: lower-cased condition keys to their values.
    pub context: BTreeMap<String, Vec<String>>,
}

/// The outcome of evaluating a request against a policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// An Allow statement applies and no Deny does.
    Allow,
    /// A Deny statement applies; `sid` is its Sid, if any.
    ExplicitDeny {
        /// The Sid of the first matching Deny statement.
        sid: Option<String>,
    },
    /// No statement allows the request.
    ImplicitDeny,
    /// The answer depends on something the evaluator does not support.
    Unknown(String),
}

/// An Allow statement that grants actions to everyone without pinning the caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicGrant {
    /// The statement's Sid, if any.
    pub sid: Option<String>,
    /// The requested actions this statement grants publicly.
    pub actions: Vec<String>,
    /// Why the statement is considered public.
    pub reason: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Effect {
    Allow,
    Deny,
}

/// The Principal / NotPrincipal element of a statement.
#[derive(Debug, Clone)]
enum PrincipalElement {
    Principal(PrincipalSet),
    NotPrincipal(PrincipalSet),
}

/// The principals named by a Principal or NotPrincipal element.
#[derive(Debug, Clone, Default)]
struct PrincipalSet {
    /// `"*"` was given as the whole element.
    everyone: bool,
    aws: Vec<String>,
    service: Vec<String>,
}

/// Action/NotAction or Resource/NotResource.
#[derive(Debug, Clone)]
enum Patterns {
    Only(Vec<String>),
    Not(Vec<String>),
    /// Resource omitted: the resource the policy is attached to.
    Implied,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum BaseOp {
    StringEquals,
    StringNotEquals,
    StringEqualsIgnoreCase,
    StringNotEqualsIgnoreCase,
    StringLike,
    StringNotLike,
    ArnEquals,
    ArnLike,
    ArnNotEquals,
    ArnNotLike,
    Bool,
    Null,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SetOp {
    Single,
    ForAnyValue,
    ForAllValues,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Operator {
    base: BaseOp,
    set: SetOp,
    if_exists: bool,
}

/// One `operator: { key: values }` entry of a Condition block.
#[derive(Debug, Clone)]
struct Condition {
    /// `None` when the operator is not supported.
    operator: Option<Operator>,
    raw_operator: String,
    /// Lower-cased condition key.
    key: String,
    values: Vec<String>,
}

#[derive(Debug, Clone)]
struct Statement {
    sid: Option<String>,
    effect: Effect,
    principal: PrincipalElement,
    actions: Patterns,
    resources: Patterns,
    conditions: Vec<Condition>,
}

/// Three-valued result of matching a statement or condition.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Truth {
    True,
    False,
    Unknown(String),
}

fn err(msg: impl Into<String>) -> PolicyError {
    PolicyError(msg.into())
}

impl Policy {
    /// Parses a policy from JSON text; a JSON string holding the policy
    /// (double-encoded, as some APIs return) is accepted too.
    pub fn parse(text: &str) -> Result<Self, PolicyError> {
        let text = text.trim_start_matches('\u{feff}');
        let value: Value = serde_json::from_str(text).map_err(|e| err(format!("not JSON: {e}")))?;
        Self::from_value(&value)
    }

    /// Builds a policy from a JSON object, or from a JSON string holding the policy.
    pub fn from_value(value: &Value) -> Result<Self, PolicyError> {
        Self::from_value_nested(value, 0)
    }

    fn from_value_nested(value: &Value, depth: usize) -> Result<Self, PolicyError> {
        match value {
            Value::Object(map) => Self::from_object(map),
            Value::String(inner) if depth < MAX_STRING_NESTING => {
                let inner = inner.trim_start_matches('\u{feff}');
                let parsed: Value = serde_json::from_str(inner)
                    .map_err(|e| err(format!("string does not hold JSON: {e}")))?;
                Self::from_value_nested(&parsed, depth + 1)
            }
            Value::String(_) => Err(err("policy is encoded as a string too many times")),
            _ => Err(err("policy must be a JSON object")),
        }
    }

    fn from_object(map: &Map<String, Value>) -> Result<Self, PolicyError> {
        let variables_enabled = match map.get("Version") {
            None => false,
            Some(Value::String(v)) if v == "2008-10-17" => false,
            Some(Value::String(v)) if v == "2012-10-17" => true,
            Some(other) => return Err(err(format!("unsupported Version {other}"))),
        };
        let statements = match map.get("Statement") {
            Some(Value::Array(items)) => items.iter().map(Statement::parse).collect(),
            Some(item @ Value::Object(_)) => Statement::parse(item).map(|s| vec![s]),
            Some(_) => Err(err("Statement must be an object or an array")),
            None => Err(err("missing Statement")),
        }?;
        Ok(Self {
            statements,
            variables_enabled,
        })
    }

    /// Evaluates `request`: an applicable Deny wins, then an applicable Allow,
    /// otherwise implicit deny. Unsupported conditions that could change the
    /// answer yield [`Decision::Unknown`].
    pub fn evaluate(&self, request: &Request) -> Decision {
        let mut allowed = false;
        let mut allow_unknown: Option<String> = None;
        let mut deny_unknown: Option<String> = None;
        for statement in &self.statements {
            match (
                statement.effect,
                statement.applies(request, self.variables_enabled),
            ) {
                (_, Truth::False) => {}
                (Effect::Deny, Truth::True) => {
                    return Decision::ExplicitDeny {
                        sid: statement.sid.clone(),
                    };
                }
                (Effect::Deny, Truth::Unknown(why)) => {
                    deny_unknown.get_or_insert(why);
                }
                (Effect::Allow, Truth::True) => allowed = true,
                (Effect::Allow, Truth::Unknown(why)) => {
                    allow_unknown.get_or_insert(why);
                }
            }
        }
        match (allowed, deny_unknown, allow_unknown) {
            (true, Some(why), _) => Decision::Unknown(format!("a Deny statement may apply: {why}")),
            (true, None, _) => Decision::Allow,
            (false, _, Some(why)) => {
                Decision::Unknown(format!("an Allow statement may apply: {why}"))
            }
            (false, _, None) => Decision::ImplicitDeny,
        }
    }

    /// Allow statements granting any of `actions` to everyone without a pinning condition.
    pub fn public_grants(&self, actions: &[&str]) -> Vec<PublicGrant> {
        self.statements
            .iter()
            .filter_map(|statement| statement.public_grant(actions))
            .collect()
    }
}

impl Statement {
    fn parse(value: &Value) -> Result<Self, PolicyError> {
        let map = value
            .as_object()
            .ok_or_else(|| err("each statement must be an object"))?;
        let sid = match map.get("Sid") {
            Some(Value::String(s)) => Some(s.clone()),
            _ => None,
        };
        let context = sid.as_deref().unwrap_or("<no Sid>");
        let effect = match map.get("Effect").and_then(Value::as_str) {
            Some("Allow") => Effect::Allow,
            Some("Deny") => Effect::Deny,
            _ => {
                return Err(err(format!(
                    "statement {context}: Effect must be Allow or Deny"
                )));
            }
        };
        let principal = parse_principal_element(map, context)?;
        let actions = parse_patterns(map, "Action", "NotAction", context)?
            .ok_or_else(|| err(format!("statement {context}: missing Action or NotAction")))?;
        let resources =
            parse_patterns(map, "Resource", "NotResource", context)?.unwrap_or(Patterns::Implied);
        let conditions = match map.get("Condition") {
            None => Vec::new(),
            Some(block) => parse_conditions(block, context)?,
        };
        Ok(Self {
            sid,
            effect,
            principal,
            actions,
            resources,
            conditions,
        })
    }

    /// Whether this statement applies to `request`.
    fn applies(&self, request: &Request, variables_enabled: bool) -> Truth {
        let matches = self.principal.matches(&request.principal)
            && self.actions.matches(&request.action, action_match);
        if !matches {
            return Truth::False;
        }
        let mut result = match self.resources.matches_resource(request, variables_enabled) {
            Truth::False => return Truth::False,
            Truth::Unknown(why) => {
                let sid = self.sid.as_deref().unwrap_or("<no Sid>");
                Truth::Unknown(format!("statement {sid}: {why}"))
            }
            Truth::True => Truth::True,
        };
        for condition in &self.conditions {
            match condition.evaluate(request, variables_enabled) {
                Truth::False => return Truth::False,
                Truth::Unknown(why) if result == Truth::True => {
                    let sid = self.sid.as_deref().unwrap_or("<no Sid>");
                    result = Truth::Unknown(format!("statement {sid}: {why}"));
                }
                _ => {}
            }
        }
        result
    }

    fn public_grant(&self, actions: &[&str]) -> Option<PublicGrant> {
        if self.effect != Effect::Allow {
            return None;
        }
        let who = self.principal.public_description()?;
        let granted: Vec<String> = actions
            .iter()
            .filter(|action| self.actions.matches(action, action_match))
            .map(|action| (*action).to_string())
            .collect();
        if granted.is_empty() || self.conditions.iter().any(Condition::pins_caller) {
            return None;
        }
        let reason = if self.conditions.is_empty() {
            format!("{who} with no condition")
        } else {
            format!("{who}; no condition pins the caller to an account, organization or ARN")
        };
        Some(PublicGrant {
            sid: self.sid.clone(),
            actions: granted,
            reason,
        })
    }
}

/// Reads a string or an array of strings.
fn string_list(value: &Value, what: &str) -> Result<Vec<String>, PolicyError> {
    match value {
        Value::String(s) => Ok(vec![s.clone()]),
        Value::Array(items) => items
            .iter()
            .map(|item| {
                item.as_str()
                    .map(str::to_string)
                    .ok_or_else(|| err(format!("{what} must hold only strings")))
            })
            .collect(),
        _ => Err(err(format!(
            "{what} must be a string or an array of strings"
        ))),
    }
}

fn parse_patterns(
    map: &Map<String, Value>,
    positive: &str,
    negative: &str,
    context: &str,
) -> Result<Option<Patterns>, PolicyError> {
    let what = |name: &str| format!("statement {context}: {name}");
    match (map.get(positive), map.get(negative)) {
        (Some(_), Some(_)) => Err(err(format!(
            "statement {context}: both {positive} and {negative}"
        ))),
        (Some(v), None) => Ok(Some(Patterns::Only(string_list(v, &what(positive))?))),
        (None, Some(v)) => Ok(Some(Patterns::Not(string_list(v, &what(negative))?))),
        (None, None) => Ok(None),
    }
}

fn parse_principal_element(
    map: &Map<String, Value>,
    context: &str,
) -> Result<PrincipalElement, PolicyError> {
    match (map.get("Principal"), map.get("NotPrincipal")) {
        (Some(_), Some(_)) => Err(err(format!(
            "statement {context}: both Principal and NotPrincipal"
        ))),
        (Some(v), None) => Ok(PrincipalElement::Principal(parse_principal_set(
            v, context,
        )?)),
        (None, Some(v)) => Ok(PrincipalElement::NotPrincipal(parse_principal_set(
            v, context,
        )?)),
        (None, None) => Err(err(format!(
            "statement {context}: missing Principal or NotPrincipal"
        ))),
    }
}

fn parse_principal_set(value: &Value, context: &str) -> Result<PrincipalSet, PolicyError> {
    match value {
        Value::String(s) if s == "*" => Ok(PrincipalSet {
            everyone: true,
            ..PrincipalSet::default()
        }),
        Value::Object(map) => {
            let mut set = PrincipalSet::default();
            for (kind, names) in map {
                let names = string_list(names, &format!("statement {context}: Principal {kind}"))?;
                match kind.as_str() {
                    "AWS" => set.aws.extend(names),
                    "Service" => set.service.extend(names),
                    // Federated / CanonicalUser principals never match the
                    // principals this evaluator models.
                    _ => {}
                }
            }
            Ok(set)
        }
        _ => Err(err(format!(
            "statement {context}: Principal must be \"*\" or an object"
        ))),
    }
}

fn parse_conditions(block: &Value, context: &str) -> Result<Vec<Condition>, PolicyError> {
    let block = block
        .as_object()
        .ok_or_else(|| err(format!("statement {context}: Condition must be an object")))?;
    let mut conditions = Vec::new();
    for (raw_operator, entries) in block {
        let entries = entries.as_object().ok_or_else(|| {
            err(format!(
                "statement {context}: condition {raw_operator} must be an object"
            ))
        })?;
        for (key, values) in entries {
            conditions.push(Condition {
                operator: parse_operator(raw_operator),
                raw_operator: raw_operator.clone(),
                key: key.to_ascii_lowercase(),
                values: condition_values(values, context, key)?,
            });
        }
    }
    Ok(conditions)
}

/// Condition values: a scalar or an array of scalars, rendered as strings.
fn condition_values(value: &Value, context: &str, key: &str) -> Result<Vec<String>, PolicyError> {
    let scalar = |v: &Value| match v {
        Value::String(s) => Ok(s.clone()),
        Value::Bool(b) => Ok(b.to_string()),
        Value::Number(n) => Ok(n.to_string()),
        _ => Err(err(format!(
            "statement {context}: condition key {key} has a non-scalar value"
        ))),
    };
    match value {
        Value::Array(items) => items.iter().map(scalar).collect(),
        other => scalar(other).map(|s| vec![s]),
    }
}

/// Parses `[ForAnyValue:|ForAllValues:]Name[IfExists]`; `None` if unsupported.
fn parse_operator(raw: &str) -> Option<Operator> {
    let (set, rest) = if let Some(rest) = raw.strip_prefix("ForAnyValue:") {
        (SetOp::ForAnyValue, rest)
    } else if let Some(rest) = raw.strip_prefix("ForAllValues:") {
        (SetOp::ForAllValues, rest)
    } else {
        (SetOp::Single, raw)
    };
    let (if_exists, name) = match rest.strip_suffix("IfExists") {
        Some(name) => (true, name),
        None => (false, rest),
    };
    let base = match name {
        "StringEquals" => BaseOp::StringEquals,
        "StringNotEquals" => BaseOp::StringNotEquals,
        "StringEqualsIgnoreCase" => BaseOp::StringEqualsIgnoreCase,
        "StringNotEqualsIgnoreCase" => BaseOp::StringNotEqualsIgnoreCase,
        "StringLike" => BaseOp::StringLike,
        "StringNotLike" => BaseOp::StringNotLike,
        "ArnEquals" => BaseOp::ArnEquals,
        "ArnLike" => BaseOp::ArnLike,
        "ArnNotEquals" => BaseOp::ArnNotEquals,
        "ArnNotLike" => BaseOp::ArnNotLike,
        "Bool" => BaseOp::Bool,
        "Null" => BaseOp::Null,
        _ => return None,
    };
    if base == BaseOp::Null && (if_exists || set != SetOp::Single) {
        return None;
    }
    Some(Operator {
        base,
        set,
        if_exists,
    })
}

impl PrincipalElement {
    fn matches(&self, principal: &Principal) -> bool {
        match self {
            Self::Principal(set) => set.matches(principal),
            Self::NotPrincipal(set) => !set.matches(principal),
        }
    }

    /// Describes how this element grants to everyone, or `None` if it does not.
    fn public_description(&self) -> Option<&'static str> {
        match self {
            Self::Principal(set) if set.everyone => Some("Principal \"*\""),
            Self::Principal(set) if set.aws.iter().any(|a| a == "*") => {
                Some("Principal {\"AWS\":\"*\"}")
            }
            Self::NotPrincipal(set) if !set.everyone && !set.aws.iter().any(|a| a == "*") => {
                Some("NotPrincipal (everyone except the listed principals)")
            }
            _ => None,
        }
    }
}

impl PrincipalSet {
    fn matches(&self, principal: &Principal) -> bool {
        if self.everyone || self.aws.iter().any(|a| a == "*") {
            return true;
        }
        match principal {
            Principal::Service(name) => self.service.iter().any(|s| s.eq_ignore_ascii_case(name)),
            Principal::Aws { account, arn } => self
                .aws
                .iter()
                .any(|entry| aws_entry_matches(entry, account, arn.as_deref())),
            Principal::Anonymous => false,
        }
    }
}

/// Matches an `AWS` principal entry: an account ID, an account root ARN, or an exact ARN.
fn aws_entry_matches(entry: &str, account: &str, arn: Option<&str>) -> bool {
    if entry == account {
        return true;
    }
    if let Some(root_account) = root_arn_account(entry) {
        return root_account == account;
    }
    arn == Some(entry)
}

/// `arn:<partition>:iam::<account>:root` -> `<account>`.
fn root_arn_account(entry: &str) -> Option<&str> {
    let parts: Vec<&str> = entry.splitn(6, ':').collect();
    match parts.as_slice() {
        ["arn", _, "iam", "", account, "root"] => Some(account),
        _ => None,
    }
}

impl Patterns {
    fn matches(&self, value: &str, matcher: fn(&str, &str) -> bool) -> bool {
        match self {
            Self::Only(patterns) => patterns.iter().any(|p| matcher(p, value)),
            Self::Not(patterns) => !patterns.iter().any(|p| matcher(p, value)),
            Self::Implied => true,
        }
    }

    /// Whether the Resource / NotResource element covers the request's
    /// resource. With policy variables enabled (Version 2012-10-17), `${key}`
    /// in a pattern is replaced by the request's single value for `key` (or
    /// the default in `${key, 'default'}`), and `${$}` by `$`; a variable that
    /// cannot be replaced (absent or multi-valued key, a literal `*` or `?`)
    /// makes the answer Unknown, never a match or a miss.
    fn matches_resource(&self, request: &Request, variables_enabled: bool) -> Truth {
        let (patterns, negated) = match self {
            Self::Implied => return Truth::True,
            Self::Only(patterns) => (patterns, false),
            Self::Not(patterns) => (patterns, true),
        };
        let mut unknown: Option<String> = None;
        for pattern in patterns {
            let pattern = if variables_enabled {
                match substitute_variables(pattern, request) {
                    Ok(p) => p,
                    Err(why) => {
                        unknown.get_or_insert(why);
                        continue;
                    }
                }
            } else {
                pattern.clone()
            };
            if arn_match(&pattern, &request.resource) {
                return truth(!negated);
            }
        }
        match unknown {
            Some(why) => Truth::Unknown(why),
            None => truth(negated),
        }
    }
}

/// Replaces the policy variables of a Resource pattern from the request
/// context (IAM "policy variables": `${aws:SourceAccount}`, defaults written
/// `${key, 'default'}`, and the special `${$}`). Replaced text is literal: a
/// `*` or `?` in it (including `${*}` and `${?}`) would not be a wildcard, which
/// the matcher cannot express, so such a substitution is reported instead.
fn substitute_variables(pattern: &str, request: &Request) -> Result<String, String> {
    let mut out = String::with_capacity(pattern.len());
    let mut rest = pattern;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(end) = after.find('}') else {
            return Err(format!(
                "unterminated policy variable in Resource `{pattern}`"
            ));
        };
        let inner = after[..end].trim();
        let value = match inner {
            "*" | "?" | "$" => inner.to_string(),
            _ => variable_value(inner, request).ok_or_else(|| {
                format!("policy variable `${{{inner}}}` in Resource `{pattern}` has no single value in the request")
            })?,
        };
        if value.contains(['*', '?']) {
            return Err(format!(
                "policy variable `${{{inner}}}` in Resource `{pattern}` stands for a literal `*` or `?`, which is not modelled"
            ));
        }
        out.push_str(&value);
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

/// The value of `key` or `key, 'default'` for substitution: the request's
/// single value, else the default, else `None`.
fn variable_value(inner: &str, request: &Request) -> Option<String> {
    let (key, default) = match inner.split_once(',') {
        Some((key, default)) => {
            let default = default.trim();
            let quoted = default
                .strip_prefix('\'')
                .and_then(|d| d.strip_suffix('\''))?;
            (key.trim(), Some(quoted.to_string()))
        }
        None => (inner, None),
    };
    match context_values(request, &key.to_ascii_lowercase()) {
        Some(values) if values.len() == 1 => values.into_iter().next(),
        Some(_) => None,
        None => default,
    }
}

/// Action match: `*` / `?` wildcards, case-insensitive.
fn action_match(pattern: &str, action: &str) -> bool {
    glob_match(pattern, action, true)
}

/// ARN match, case-sensitive: `*` and `?` stay within one colon-separated
/// segment, except a `*` ending a segment (followed by `:` or the end of the
/// pattern), which may expand beyond colon boundaries as AWS documents.
fn arn_match(pattern: &str, arn: &str) -> bool {
    wildcard_match(pattern, arn, false, true)
}

/// Wildcard match without segments: `*` matches any run of characters, `?` exactly one.
fn glob_match(pattern: &str, text: &str, ignore_case: bool) -> bool {
    wildcard_match(pattern, text, ignore_case, false)
}

/// Dynamic-programming wildcard match (no backtracking blow-up, no panics).
fn wildcard_match(pattern: &str, text: &str, ignore_case: bool, segmented: bool) -> bool {
    let fold = |s: &str| -> Vec<char> {
        if ignore_case {
            s.to_lowercase().chars().collect()
        } else {
            s.chars().collect()
        }
    };
    let (p, t) = (fold(pattern), fold(text));
    // row[j]: the pattern prefix seen so far matches t[..j].
    let mut row = vec![false; t.len() + 1];
    row[0] = true;
    for (i, &pc) in p.iter().enumerate() {
        let mut next = vec![false; t.len() + 1];
        if pc == '*' {
            let crosses = !segmented || matches!(p.get(i + 1), None | Some(':'));
            next[0] = row[0];
            for (j, &tc) in t.iter().enumerate() {
                next[j + 1] = row[j + 1] || (next[j] && (crosses || tc != ':'));
            }
        } else {
            for (j, &tc) in t.iter().enumerate() {
                let single = pc == '?' && !(segmented && tc == ':');
                next[j + 1] = row[j] && (single || pc == tc);
            }
        }
        row = next;
    }
    row.last().copied().unwrap_or(false)
}

impl BaseOp {
    fn is_negated(self) -> bool {
        matches!(
            self,
            Self::StringNotEquals
                | Self::StringNotEqualsIgnoreCase
                | Self::StringNotLike
                | Self::ArnNotEquals
                | Self::ArnNotLike
        )
    }

    /// Whether the positive form of this operator matches `value` against `pattern`.
    fn positive_match(self, pattern: &str, value: &str) -> bool {
        match self {
            Self::StringEquals | Self::StringNotEquals => pattern == value,
            Self::StringEqualsIgnoreCase | Self::StringNotEqualsIgnoreCase => {
                pattern.to_lowercase() == value.to_lowercase()
            }
            Self::StringLike | Self::StringNotLike => glob_match(pattern, value, false),
            Self::ArnEquals | Self::ArnLike | Self::ArnNotEquals | Self::ArnNotLike => {
                arn_match(pattern, value)
            }
            Self::Bool => pattern.eq_ignore_ascii_case(value),
            Self::Null => false,
        }
    }

    fn is_arn(self) -> bool {
        matches!(
            self,
            Self::ArnEquals | Self::ArnLike | Self::ArnNotEquals | Self::ArnNotLike
        )
    }

    fn is_pinning(self) -> bool {
        matches!(
            self,
            Self::StringEquals
                | Self::StringEqualsIgnoreCase
                | Self::StringLike
                | Self::ArnEquals
                | Self::ArnLike
        )
    }
}

impl Condition {
    fn evaluate(&self, request: &Request, variables_enabled: bool) -> Truth {
        let Some(op) = self.operator else {
            return Truth::Unknown(format!(
                "unsupported condition operator `{}` on `{}`",
                self.raw_operator, self.key
            ));
        };
        if variables_enabled && self.values.iter().any(|v| v.contains("${")) {
            return Truth::Unknown(format!(
                "policy variables in condition `{}` on `{}` are not supported",
                self.raw_operator, self.key
            ));
        }
        let present = context_values(request, &self.key);
        if op.base == BaseOp::Null {
            return self.evaluate_null(present.is_some());
        }
        match present {
            None => truth(absent_result(op)),
            Some(values) => self.match_present(op, &values),
        }
    }

    /// `Null: true` holds when the key is absent, `Null: false` when present.
    fn evaluate_null(&self, present: bool) -> Truth {
        let mut result = false;
        for value in &self.values {
            match value.to_ascii_lowercase().as_str() {
                "true" => result |= !present,
                "false" => result |= present,
                other => {
                    return Truth::Unknown(format!(
                        "Null condition on `{}` has non-boolean value `{other}`",
                        self.key
                    ));
                }
            }
        }
        truth(result)
    }

    fn match_present(&self, op: Operator, context: &[String]) -> Truth {
        let negated = op.base.is_negated();
        let value_ok = |value: &String| {
            let any = any_truth(
                self.values
                    .iter()
                    .map(|pattern| self.positive_match(op.base, pattern, value)),
            );
            if negated { not_truth(any) } else { any }
        };
        if op.set == SetOp::Single && context.len() > 1 {
            return Truth::Unknown(format!(
                "`{}` on `{}` has no set operator but the request holds {} values; AWS does not document that case",
                self.raw_operator,
                self.key,
                context.len()
            ));
        }
        let each = context.iter().map(value_ok);
        match op.set {
            SetOp::ForAllValues => all_truth(each),
            SetOp::ForAnyValue => any_truth(each),
            SetOp::Single if negated => all_truth(each),
            SetOp::Single => any_truth(each),
        }
    }

    /// The positive form of `base` on one (pattern, value) pair. An Arn*
    /// pattern with fewer than six colon-separated components is Unknown
    /// unless its leading components already differ: the IAM documentation matches each of the six ARN
    /// components separately for Arn* condition operators and does not say
    /// what a shorter pattern does (the "trailing `*` crosses colons" rule is
    /// documented for the Resource element only).
    fn positive_match(&self, base: BaseOp, pattern: &str, value: &str) -> Truth {
        let components = pattern.split(':').count();
        if base.is_arn() && components < ARN_COMPONENTS {
            // Every reading compares the components before the last one
            // separately; only a mismatch there decides.
            let leading = pattern.split(':').take(components - 1);
            let mismatch = leading
                .zip(value.split(':'))
                .any(|(p, v)| !wildcard_match(p, v, false, true));
            if mismatch || value.split(':').count() < components {
                return Truth::False;
            }
            return Truth::Unknown(format!(
                "`{}` pattern `{pattern}` on `{}` has fewer than six ARN components; AWS does not document how it matches",
                self.raw_operator, self.key
            ));
        }
        truth(base.positive_match(pattern, value))
    }

    /// A positive, non-IfExists, wildcard-free match on a caller-identifying key.
    fn pins_caller(&self) -> bool {
        let Some(op) = self.operator else {
            return false;
        };
        op.base.is_pinning()
            && op.set != SetOp::ForAllValues
            && !op.if_exists
            && PINNING_KEYS.contains(&self.key.as_str())
            && !self.values.is_empty()
            && self
                .values
                .iter()
                .all(|v| !v.contains(['*', '?']) && !v.contains("${"))
    }
}

/// Result of an operator when its key is absent from the request context.
///
/// The set operator decides first: `ForAnyValue` is false and `ForAllValues`
/// true for an absent key, with or without `IfExists` (IAM "Condition
/// operators": "ForAnyValue … If the key … is not present, the condition
/// returns false"; `@cloud-copilot/iam-simulate` agrees). Only a single-valued
/// operator becomes true through `IfExists`.
fn absent_result(op: Operator) -> bool {
    match op.set {
        SetOp::ForAllValues => true,
        SetOp::ForAnyValue => false,
        SetOp::Single => op.if_exists || op.base.is_negated(),
    }
}

fn truth(value: bool) -> Truth {
    if value { Truth::True } else { Truth::False }
}

/// Three-valued OR: True if any is True, else Unknown if any is Unknown.
fn any_truth(items: impl Iterator<Item = Truth>) -> Truth {
    let mut unknown = None;
    for item in items {
        match item {
            Truth::True => return Truth::True,
            Truth::Unknown(why) => {
                unknown.get_or_insert(why);
            }
            Truth::False => {}
        }
    }
    unknown.map_or(Truth::False, Truth::Unknown)
}

/// Three-valued AND: False if any is False, else Unknown if any is Unknown.
fn all_truth(items: impl Iterator<Item = Truth>) -> Truth {
    let mut unknown = None;
    for item in items {
        match item {
            Truth::False => return Truth::False,
            Truth::Unknown(why) => {
                unknown.get_or_insert(why);
            }
            Truth::True => {}
        }
    }
    unknown.map_or(Truth::True, Truth::Unknown)
}

fn not_truth(value: Truth) -> Truth {
    match value {
        Truth::True => Truth::False,
        Truth::False => Truth::True,
        unknown => unknown,
    }
}

/// Values of `key` (lower-cased) in the request context, or derived from the
/// principal (`aws:PrincipalAccount`, `aws:PrincipalArn`) when not given.
fn context_values(request: &Request, key: &str) -> Option<Vec<String>> {
    let explicit = request
        .context
        .iter()
        .find(|(k, v)| k.eq_ignore_ascii_case(key) && !v.is_empty())
        .map(|(_, v)| v.clone());
    explicit.or_else(|| match (&request.principal, key) {
        (Principal::Aws { account, .. }, "aws:principalaccount") => Some(vec![account.clone()]),
        (Principal::Aws { arn: Some(arn), .. }, "aws:principalarn") => Some(vec![arn.clone()]),
        _ => None,
    })
}

/// One table of what each publisher presents (docs/terms.md, "Publishing principals").
pub mod publishers {
    use super::{Principal, Request};
    use std::collections::BTreeMap;

    fn service_request(
        service: &str,
        action: &str,
        resource: &str,
        context: &[(&str, &str)],
    ) -> Request {
        Request {
            principal: Principal::Service(service.to_string()),
            action: action.to_string(),
            resource: resource.to_string(),
            context: context
                .iter()
                .map(|(k, v)| (k.to_ascii_lowercase(), vec![(*v).to_string()]))
                .collect::<BTreeMap<_, _>>(),
        }
    }

    /// EventBridge rule publishing to a topic: Service events.amazonaws.com,
    /// aws:SourceArn = rule ARN, aws:SourceAccount = rule account. It does NOT
    /// present aws:SourceOwner.
    pub fn eventbridge_to_sns(rule_arn: &str, rule_account: &str, topic_arn: &str) -> Request {
        service_request(
            "events.amazonaws.com",
            "sns:Publish",
            topic_arn,
            &[
                ("aws:sourcearn", rule_arn),
                ("aws:sourceaccount", rule_account),
            ],
        )
    }

    /// CloudWatch alarm publishing: Service cloudwatch.amazonaws.com,
    /// aws:SourceArn = alarm ARN, aws:SourceAccount = alarm account, and
    /// aws:SourceOwner = alarm account (so a same-account alarm publishes under
    /// the SNS default policy's owner statement).
    pub fn cloudwatch_alarm_to_sns(
        alarm_arn: &str,
        alarm_account: &str,
        topic_arn: &str,
    ) -> Request {
        cloudwatch_alarm_to_sns_as_owner(alarm_arn, alarm_account, topic_arn)
    }

    /// The "default owner statement" case: the CloudWatch alarm request with
    /// aws:SourceOwner = alarm account. Identical to [`cloudwatch_alarm_to_sns`],
    /// named for call sites that rely on the SourceOwner key.
    pub fn cloudwatch_alarm_to_sns_as_owner(
        alarm_arn: &str,
        alarm_account: &str,
        topic_arn: &str,
    ) -> Request {
        service_request(
            "cloudwatch.amazonaws.com",
            "sns:Publish",
            topic_arn,
            &[
                ("aws:sourcearn", alarm_arn),
                ("aws:sourceaccount", alarm_account),
                ("aws:sourceowner", alarm_account),
            ],
        )
    }

    /// SNS invoking a Lambda: Service sns.amazonaws.com, action
    /// lambda:InvokeFunction, aws:SourceArn = topic ARN, aws:SourceAccount =
    /// topic account.
    pub fn sns_to_lambda(topic_arn: &str, topic_account: &str, function_arn: &str) -> Request {
        service_request(
            "sns.amazonaws.com",
            "lambda:InvokeFunction",
            function_arn,
            &[
                ("aws:sourcearn", topic_arn),
                ("aws:sourceaccount", topic_account),
            ],
        )
    }

    /// A service using a KMS key for a topic: one Request per action needed
    /// (`kms:GenerateDataKey`, `kms:Decrypt`), resource = key ARN, principal =
    /// Service(service), empty context.
    pub fn service_uses_kms_key(service: &str, key_arn: &str) -> Vec<Request> {
        ["kms:GenerateDataKey", "kms:Decrypt"]
            .iter()
            .map(|action| service_request(service, action, key_arn, &[]))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::publishers::*;
    use super::*;
    use serde_json::json;

    const ACCT: &str = "111111111111";
    const TOPIC: &str = "arn:aws:sns:us-west-2:111111111111:team-notification";
    const RULE: &str = "arn:aws:events:us-west-2:111111111111:rule/guardduty-findings";
    const ALARM: &str = "arn:aws:cloudwatch:us-west-2:111111111111:alarm:lambda-errors";
    const FUNCTION: &str = "arn:aws:lambda:us-west-2:111111111111:function:pagerduty";
    const KEY: &str = "arn:aws:kms:us-west-2:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab";

    const PRIMER: &str = r#"{"Version":"2012-10-17","Id":"__default_policy_ID","Statement":[{"Sid":"general_policy","Effect":"Allow","Principal":{"AWS":"*"},"Action":["sns:Subscribe","sns:SetTopicAttributes","sns:RemovePermission","sns:Receive","sns:Publish","sns:ListSubscriptionsByTopic","sns:GetTopicAttributes","sns:DeleteTopic","sns:AddPermission"],"Resource":"arn:aws:sns:region:111111111111:team-notification","Condition":{"StringEquals":{"AWS:SourceOwner":"111111111111"}}},{"Sid":"allow_cw","Effect":"Allow","Principal":{"Service":"events.amazonaws.com"},"Action":"sns:Publish","Resource":"arn:aws:sns:region:111111111111:team-notification"}]}"#;

    const SNS_DEFAULT: &str = r#"{"Version":"2008-10-17","Id":"__default_policy_ID","Statement":[{"Sid":"__default_statement_ID","Effect":"Allow","Principal":{"AWS":"*"},"Action":["SNS:GetTopicAttributes","SNS:SetTopicAttributes","SNS:AddPermission","SNS:RemovePermission","SNS:DeleteTopic","SNS:Subscribe","SNS:ListSubscriptionsByTopic","SNS:Publish"],"Resource":"arn:aws:sns:us-west-2:111111111111:team-notification","Condition":{"StringEquals":{"AWS:SourceOwner":"111111111111"}}}]}"#;

    fn policy(text: &str) -> Policy {
        match Policy::parse(text) {
            Ok(p) => p,
            Err(e) => panic!("test policy does not parse: {e}\n{text}"),
        }
    }

    /// Statement list -> policy text.
    fn stmts(statements: serde_json::Value) -> String {
        json!({"Version": "2012-10-17", "Statement": statements}).to_string()
    }

    fn account(acct: &str, action: &str, resource: &str) -> Request {
        Request {
            principal: Principal::Aws {
                account: acct.to_string(),
                arn: None,
            },
            action: action.to_string(),
            resource: resource.to_string(),
            context: BTreeMap::new(),
        }
    }

    fn role(acct: &str, arn: &str, action: &str) -> Request {
        Request {
            principal: Principal::Aws {
                account: acct.to_string(),
                arn: Some(arn.to_string()),
            },
            ..account(acct, action, TOPIC)
        }
    }

    fn with_ctx(mut request: Request, key: &str, values: &[&str]) -> Request {
        let values = values.iter().map(|v| v.to_string()).collect();
        request.context.insert(key.to_ascii_lowercase(), values);
        request
    }

    fn eb() -> Request {
        eventbridge_to_sns(RULE, ACCT, TOPIC)
    }

    fn alarm() -> Request {
        cloudwatch_alarm_to_sns(ALARM, ACCT, TOPIC)
    }

    fn deny(sid: &str) -> Decision {
        Decision::ExplicitDeny {
            sid: Some(sid.to_string()),
        }
    }

    fn is_unknown(d: &Decision) -> bool {
        matches!(d, Decision::Unknown(_))
    }

    type Case = (&'static str, String, Request, Decision);

    fn run(cases: Vec<Case>) {
        for (name, text, request, expected) in cases {
            let got = policy(&text).evaluate(&request);
            let ok = match &expected {
                Decision::Unknown(_) => is_unknown(&got),
                _ => got == expected,
            };
            assert!(ok, "case `{name}`: expected {expected:?}, got {got:?}");
        }
    }

    fn allow_all_sns() -> serde_json::Value {
        json!({"Sid": "all", "Effect": "Allow", "Principal": "*", "Action": "sns:*", "Resource": "*"})
    }

    /// Issue 15 item 1: `ForAnyValue:…IfExists` on an absent key is false.
    #[test]
    fn for_any_value_if_exists_with_absent_key_is_false() {
        let condition =
            json!({"ForAnyValue:StringEqualsIfExists": {"aws:PrincipalOrgID": "o-abc"}});
        let allow = json!({"Sid": "org", "Effect": "Allow", "Principal": {"Service": "events.amazonaws.com"}, "Action": "sns:Publish", "Resource": TOPIC, "Condition": condition});
        let deny_org = json!({"Sid": "org", "Effect": "Deny", "Principal": "*", "Action": "sns:Publish", "Resource": TOPIC, "Condition": condition});
        let for_all = json!({"Effect": "Allow", "Principal": "*", "Action": "sns:Publish", "Resource": TOPIC, "Condition": {"ForAllValues:StringEqualsIfExists": {"aws:PrincipalOrgID": "o-abc"}}});
        let single = json!({"Effect": "Allow", "Principal": "*", "Action": "sns:Publish", "Resource": TOPIC, "Condition": {"StringEqualsIfExists": {"aws:PrincipalOrgID": "o-abc"}}});
        run(vec![
            (
                "Allow, key absent",
                stmts(json!([allow])),
                eb(),
                Decision::ImplicitDeny,
            ),
            (
                "Allow, key present",
                stmts(json!([allow])),
                with_ctx(eb(), "aws:PrincipalOrgID", &["o-abc"]),
                Decision::Allow,
            ),
            (
                "Deny, key absent",
                stmts(json!([allow_all_sns(), deny_org])),
                eb(),
                Decision::Allow,
            ),
            (
                "ForAllValues, key absent",
                stmts(json!([for_all])),
                eb(),
                Decision::Allow,
            ),
            (
                "single-valued IfExists, key absent",
                stmts(json!([single])),
                eb(),
                Decision::Allow,
            ),
        ]);
    }

    /// Issue 15 item 2: policy variables in Resource / NotResource are
    /// substituted from the request context, or Unknown.
    #[test]
    fn resource_policy_variables() {
        let deny_var = |element: &str| {
            let mut s =
                json!({"Sid": "var", "Effect": "Deny", "Principal": "*", "Action": "sns:Publish"});
            if let Some(map) = s.as_object_mut() {
                map.insert(
                    element.into(),
                    json!("arn:aws:sns:us-west-2:${aws:SourceAccount}:*"),
                );
            }
            stmts(json!([allow_all_sns(), s]))
        };
        let allow_var = |resource: &str| {
            stmts(
                json!([{"Effect": "Allow", "Principal": "*", "Action": "sns:Publish", "Resource": resource}]),
            )
        };
        let foreign = eventbridge_to_sns(
            "arn:aws:events:us-west-2:999999999999:rule/x",
            "999999999999",
            TOPIC,
        );
        let no_key = account("222222222222", "sns:Publish", TOPIC);
        run(vec![
            (
                "Deny Resource, same account",
                deny_var("Resource"),
                eb(),
                deny("var"),
            ),
            (
                "Deny Resource, other account",
                deny_var("Resource"),
                foreign.clone(),
                Decision::Allow,
            ),
            (
                "Deny NotResource, same account",
                deny_var("NotResource"),
                eb(),
                Decision::Allow,
            ),
            (
                "Deny NotResource, other account",
                deny_var("NotResource"),
                foreign.clone(),
                deny("var"),
            ),
            (
                "Allow Resource",
                allow_var("arn:aws:sns:us-west-2:${aws:SourceAccount}:team-notification"),
                eb(),
                Decision::Allow,
            ),
            (
                "Allow Resource, other account",
                allow_var("arn:aws:sns:us-west-2:${aws:SourceAccount}:team-notification"),
                foreign,
                Decision::ImplicitDeny,
            ),
            (
                "default value",
                allow_var(
                    "arn:aws:sns:us-west-2:${aws:PrincipalOrgID, '111111111111'}:team-notification",
                ),
                eb(),
                Decision::Allow,
            ),
            (
                "absent key",
                allow_var("arn:aws:sns:us-west-2:${aws:SourceAccount}:team-notification"),
                no_key.clone(),
                Decision::Unknown(String::new()),
            ),
            (
                "absent key in Deny",
                deny_var("Resource"),
                no_key,
                Decision::Unknown(String::new()),
            ),
            (
                "literal ${*}",
                allow_var("arn:aws:sns:us-west-2:111111111111:${*}"),
                eb(),
                Decision::Unknown(String::new()),
            ),
        ]);
        // Version 2008-10-17 has no variables: the text is literal and never matches.
        let old = json!({"Version": "2008-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "sns:Publish", "Resource": "arn:aws:sns:us-west-2:${aws:SourceAccount}:team-notification"}]});
        assert_eq!(
            policy(&old.to_string()).evaluate(&eb()),
            Decision::ImplicitDeny
        );
    }

    /// Issue 15 item 3: Arn* condition patterns with fewer than six components are Unknown.
    #[test]
    fn short_arn_condition_patterns_are_unknown() {
        let arn_condition = |op: &str, value: &str| {
            stmts(
                json!([{"Effect": "Allow", "Principal": "*", "Action": "sns:Publish", "Resource": TOPIC,
                "Condition": {op: {"aws:SourceArn": value}}}]),
            )
        };
        let unknown = Decision::Unknown(String::new());
        run(vec![
            (
                "events star",
                arn_condition("ArnLike", "arn:aws:events:*"),
                eb(),
                unknown.clone(),
            ),
            (
                "bare star",
                arn_condition("ArnLike", "*"),
                eb(),
                unknown.clone(),
            ),
            (
                "arn star",
                arn_condition("ArnEquals", "arn:*"),
                eb(),
                unknown.clone(),
            ),
            (
                "region star",
                arn_condition("ArnLike", "arn:aws:events:us-west-2:*"),
                eb(),
                unknown.clone(),
            ),
            (
                "negated",
                arn_condition("ArnNotLike", "arn:aws:events:*"),
                eb(),
                unknown,
            ),
            // Leading components that differ decide under every reading.
            (
                "other service",
                arn_condition("ArnLike", "arn:aws:sns:*"),
                eb(),
                Decision::ImplicitDeny,
            ),
            (
                "other partition",
                arn_condition("ArnLike", "arn:aws-cn:*"),
                eb(),
                Decision::ImplicitDeny,
            ),
            (
                "six components",
                arn_condition("ArnLike", "arn:aws:events:*:*:*"),
                eb(),
                Decision::Allow,
            ),
        ]);
    }

    #[test]
    fn effects_and_elements() {
        let deny_publish = json!({"Sid": "no", "Effect": "Deny", "Principal": "*", "Action": "sns:Publish", "Resource": TOPIC});
        let not_action = json!({"Effect": "Allow", "Principal": "*", "NotAction": "sns:DeleteTopic", "Resource": TOPIC});
        let not_resource = json!({"Sid": "other", "Effect": "Deny", "Principal": "*", "Action": "*", "NotResource": TOPIC});
        let not_principal = json!({"Sid": "outsiders", "Effect": "Deny", "NotPrincipal": {"AWS": "arn:aws:iam::111111111111:root"}, "Action": "*", "Resource": "*"});
        let other_topic = "arn:aws:sns:us-west-2:111111111111:other";
        run(vec![
            (
                "deny beats allow",
                stmts(json!([allow_all_sns(), deny_publish])),
                eb(),
                deny("no"),
            ),
            (
                "deny only matches its action",
                stmts(json!([allow_all_sns(), deny_publish])),
                account(ACCT, "sns:Subscribe", TOPIC),
                Decision::Allow,
            ),
            (
                "no statement -> implicit deny",
                stmts(json!([deny_publish])),
                account(ACCT, "sns:Subscribe", TOPIC),
                Decision::ImplicitDeny,
            ),
            (
                "NotAction allows others",
                stmts(json!([not_action])),
                eb(),
                Decision::Allow,
            ),
            (
                "NotAction excludes listed",
                stmts(json!([not_action])),
                account(ACCT, "sns:DeleteTopic", TOPIC),
                Decision::ImplicitDeny,
            ),
            (
                "NotResource spares listed",
                stmts(json!([allow_all_sns(), not_resource])),
                eb(),
                Decision::Allow,
            ),
            (
                "NotResource denies others",
                stmts(json!([allow_all_sns(), not_resource])),
                eventbridge_to_sns(RULE, ACCT, other_topic),
                deny("other"),
            ),
            (
                "NotPrincipal spares owner",
                stmts(json!([allow_all_sns(), not_principal])),
                account(ACCT, "sns:Publish", TOPIC),
                Decision::Allow,
            ),
            (
                "NotPrincipal denies stranger",
                stmts(json!([allow_all_sns(), not_principal])),
                account("222222222222", "sns:Publish", TOPIC),
                deny("outsiders"),
            ),
            (
                "NotPrincipal denies services",
                stmts(json!([allow_all_sns(), not_principal])),
                eb(),
                deny("outsiders"),
            ),
            (
                "statement as object",
                stmts(allow_all_sns()),
                eb(),
                Decision::Allow,
            ),
            (
                "empty statement list",
                stmts(json!([])),
                eb(),
                Decision::ImplicitDeny,
            ),
        ]);
    }

    #[test]
    fn principals() {
        let grant = |principal: serde_json::Value| {
            stmts(
                json!({"Effect": "Allow", "Principal": principal, "Action": "sns:Publish", "Resource": TOPIC}),
            )
        };
        let stranger = account("222222222222", "sns:Publish", TOPIC);
        let role_arn = "arn:aws:iam::111111111111:role/ops";
        run(vec![
            (
                "star matches service",
                grant(json!("*")),
                eb(),
                Decision::Allow,
            ),
            (
                "AWS star matches service",
                grant(json!({"AWS": "*"})),
                eb(),
                Decision::Allow,
            ),
            (
                "AWS star matches anonymous",
                grant(json!({"AWS": "*"})),
                Request {
                    principal: Principal::Anonymous,
                    ..eb()
                },
                Decision::Allow,
            ),
            (
                "account id",
                grant(json!({"AWS": ACCT})),
                account(ACCT, "sns:Publish", TOPIC),
                Decision::Allow,
            ),
            (
                "root arn",
                grant(json!({"AWS": ["arn:aws:iam::111111111111:root"]})),
                role(ACCT, role_arn, "sns:Publish"),
                Decision::Allow,
            ),
            (
                "other account",
                grant(json!({"AWS": ACCT})),
                stranger,
                Decision::ImplicitDeny,
            ),
            (
                "account does not match service",
                grant(json!({"AWS": ACCT})),
                eb(),
                Decision::ImplicitDeny,
            ),
            (
                "exact role arn",
                grant(json!({"AWS": role_arn})),
                role(ACCT, role_arn, "sns:Publish"),
                Decision::Allow,
            ),
            (
                "role arn is not the account",
                grant(json!({"AWS": role_arn})),
                account(ACCT, "sns:Publish", TOPIC),
                Decision::ImplicitDeny,
            ),
            (
                "matching service",
                grant(json!({"Service": "events.amazonaws.com"})),
                eb(),
                Decision::Allow,
            ),
            (
                "other service",
                grant(json!({"Service": "events.amazonaws.com"})),
                alarm(),
                Decision::ImplicitDeny,
            ),
            (
                "federated never matches",
                grant(json!({"Federated": "cognito-identity.amazonaws.com"})),
                eb(),
                Decision::ImplicitDeny,
            ),
            (
                "anonymous needs star",
                grant(json!({"Service": "events.amazonaws.com"})),
                Request {
                    principal: Principal::Anonymous,
                    ..eb()
                },
                Decision::ImplicitDeny,
            ),
        ]);
    }

    #[test]
    fn actions_and_resources() {
        let grant = |action: &str, resource: &str| {
            stmts(
                json!({"Effect": "Allow", "Principal": "*", "Action": action, "Resource": resource}),
            )
        };
        let elsewhere = "arn:aws:sns:us-west-2:222222222222:team-notification";
        run(vec![
            (
                "upper-case action",
                grant("SNS:Publish", TOPIC),
                eb(),
                Decision::Allow,
            ),
            (
                "mixed-case request action",
                grant("sns:publish", TOPIC),
                Request {
                    action: "SNS:PUBLISH".into(),
                    ..eb()
                },
                Decision::Allow,
            ),
            (
                "service wildcard",
                grant("sns:*", TOPIC),
                eb(),
                Decision::Allow,
            ),
            ("full wildcard", grant("*", TOPIC), eb(), Decision::Allow),
            (
                "question mark",
                grant("sns:Publis?", TOPIC),
                eb(),
                Decision::Allow,
            ),
            (
                "other service action",
                grant("sqs:*", TOPIC),
                eb(),
                Decision::ImplicitDeny,
            ),
            (
                "prefix wildcard",
                grant("sns:Get*", TOPIC),
                eb(),
                Decision::ImplicitDeny,
            ),
            (
                "region and name wildcard",
                grant("sns:Publish", "arn:aws:sns:*:111111111111:*"),
                eb(),
                Decision::Allow,
            ),
            (
                "wildcard keeps account",
                grant("sns:Publish", "arn:aws:sns:*:111111111111:*"),
                Request {
                    resource: elsewhere.into(),
                    ..eb()
                },
                Decision::ImplicitDeny,
            ),
            (
                "single-char wildcard",
                grant("sns:Publish", "arn:aws:sns:us-west-?:111111111111:team-*"),
                eb(),
                Decision::Allow,
            ),
            (
                "resource case-sensitive",
                grant(
                    "sns:Publish",
                    "arn:aws:sns:us-west-2:111111111111:Team-Notification",
                ),
                eb(),
                Decision::ImplicitDeny,
            ),
            (
                "mid-segment star stays in segment",
                grant("sns:Publish", "arn:aws:sns:us-west-2*notification"),
                eb(),
                Decision::ImplicitDeny,
            ),
            (
                "mid-segment star within segment",
                grant("sns:Publish", "arn:aws:sns:us-*-2:111111111111:team-*"),
                eb(),
                Decision::Allow,
            ),
            (
                "segment-ending star crosses colons",
                grant("sns:Publish", "arn:aws:sns:us-west-2*:team-notification"),
                eb(),
                Decision::Allow,
            ),
            (
                "short pattern ending in star",
                grant("sns:Publish", "arn:aws:sns:*"),
                eb(),
                Decision::Allow,
            ),
            (
                "question mark never matches colon",
                grant(
                    "sns:Publish",
                    "arn:aws:sns:us-west-2?111111111111:team-notification",
                ),
                eb(),
                Decision::ImplicitDeny,
            ),
            (
                "placeholder region",
                grant(
                    "sns:Publish",
                    "arn:aws:sns:region:111111111111:team-notification",
                ),
                eb(),
                Decision::ImplicitDeny,
            ),
        ]);
    }

    #[test]
    fn primer_policy_and_sns_default() {
        let fixed = PRIMER.replace(":region:", ":us-west-2:");
        let cross_alarm = cloudwatch_alarm_to_sns(
            "arn:aws:cloudwatch:us-west-2:222222222222:alarm:x",
            "222222222222",
            TOPIC,
        );
        run(vec![
            (
                "primer placeholder blocks EventBridge",
                PRIMER.into(),
                eb(),
                Decision::ImplicitDeny,
            ),
            (
                "primer placeholder blocks alarm",
                PRIMER.into(),
                alarm(),
                Decision::ImplicitDeny,
            ),
            (
                "primer fixed lets EventBridge",
                fixed.clone(),
                eb(),
                Decision::Allow,
            ),
            (
                "primer fixed lets same-account alarm",
                fixed,
                alarm(),
                Decision::Allow,
            ),
            (
                "default policy: same-account alarm",
                SNS_DEFAULT.into(),
                alarm(),
                Decision::Allow,
            ),
            (
                "default policy: owner statement via as_owner",
                SNS_DEFAULT.into(),
                cloudwatch_alarm_to_sns_as_owner(ALARM, ACCT, TOPIC),
                Decision::Allow,
            ),
            (
                "default policy: EventBridge lacks SourceOwner",
                SNS_DEFAULT.into(),
                eb(),
                Decision::ImplicitDeny,
            ),
            (
                "default policy: cross-account alarm",
                SNS_DEFAULT.into(),
                cross_alarm,
                Decision::ImplicitDeny,
            ),
        ]);
    }

    #[test]
    fn conditions() {
        let cond = |condition: serde_json::Value| {
            stmts(
                json!({"Effect": "Allow", "Principal": {"Service": "events.amazonaws.com"}, "Action": "sns:Publish", "Resource": TOPIC, "Condition": condition}),
            )
        };
        let rule_like = cond(
            json!({"ArnLike": {"aws:SourceArn": "arn:aws:events:us-west-2:111111111111:rule/*"}}),
        );
        let east_rule =
            eventbridge_to_sns("arn:aws:events:us-east-1:111111111111:rule/x", ACCT, TOPIC);
        let no_ctx = Request {
            context: BTreeMap::new(),
            ..eb()
        };
        let multi = with_ctx(
            eb(),
            "aws:SourceArn",
            &[
                "arn:aws:events:us-west-2:111111111111:rule/a",
                "arn:aws:events:us-east-1:999999999999:rule/b",
            ],
        );
        run(vec![
            (
                "ArnLike satisfied",
                rule_like.clone(),
                eb(),
                Decision::Allow,
            ),
            (
                "ArnLike other region",
                rule_like,
                east_rule,
                Decision::ImplicitDeny,
            ),
            (
                "ArnEquals exact",
                cond(json!({"ArnEquals": {"aws:SourceArn": RULE}})),
                eb(),
                Decision::Allow,
            ),
            (
                "key case-insensitive",
                cond(json!({"StringEquals": {"AWS:SOURCEACCOUNT": ACCT}})),
                eb(),
                Decision::Allow,
            ),
            (
                "values are OR",
                cond(json!({"StringEquals": {"aws:SourceAccount": ["222222222222", ACCT]}})),
                eb(),
                Decision::Allow,
            ),
            (
                "keys are AND",
                cond(
                    json!({"StringEquals": {"aws:SourceAccount": ACCT, "aws:SourceArn": "arn:aws:events:us-west-2:111111111111:rule/other"}}),
                ),
                eb(),
                Decision::ImplicitDeny,
            ),
            (
                "operators are AND",
                cond(
                    json!({"StringEquals": {"aws:SourceAccount": ACCT}, "ArnLike": {"aws:SourceArn": "arn:aws:events:*:222222222222:*"}}),
                ),
                eb(),
                Decision::ImplicitDeny,
            ),
            (
                "StringEquals case-sensitive",
                cond(json!({"StringEquals": {"aws:SourceArn": RULE.to_uppercase()}})),
                eb(),
                Decision::ImplicitDeny,
            ),
            (
                "StringEqualsIgnoreCase",
                cond(json!({"StringEqualsIgnoreCase": {"aws:SourceArn": RULE.to_uppercase()}})),
                eb(),
                Decision::Allow,
            ),
            (
                "StringNotEqualsIgnoreCase",
                cond(json!({"StringNotEqualsIgnoreCase": {"aws:SourceArn": RULE.to_uppercase()}})),
                eb(),
                Decision::ImplicitDeny,
            ),
            (
                "StringLike",
                cond(json!({"StringLike": {"aws:SourceArn": "*:rule/guardduty-*"}})),
                eb(),
                Decision::Allow,
            ),
            (
                "StringNotLike",
                cond(json!({"StringNotLike": {"aws:SourceArn": "*:rule/guardduty-*"}})),
                eb(),
                Decision::ImplicitDeny,
            ),
            (
                "StringNotEquals present",
                cond(json!({"StringNotEquals": {"aws:SourceAccount": "222222222222"}})),
                eb(),
                Decision::Allow,
            ),
            (
                "ArnNotLike present",
                cond(json!({"ArnNotLike": {"aws:SourceArn": "arn:aws:events:*:111111111111:*"}})),
                eb(),
                Decision::ImplicitDeny,
            ),
            (
                "ArnNotEquals present",
                cond(json!({"ArnNotEquals": {"aws:SourceArn": "arn:aws:events:*:222222222222:*"}})),
                eb(),
                Decision::Allow,
            ),
            (
                "absent key fails positive",
                cond(json!({"StringEquals": {"aws:PrincipalOrgID": "o-123"}})),
                eb(),
                Decision::ImplicitDeny,
            ),
            (
                "absent key passes negated",
                cond(json!({"StringNotEquals": {"aws:PrincipalOrgID": "o-123"}})),
                eb(),
                Decision::Allow,
            ),
            (
                "IfExists absent",
                cond(json!({"StringEqualsIfExists": {"aws:SourceAccount": ACCT}})),
                no_ctx.clone(),
                Decision::Allow,
            ),
            (
                "IfExists present match",
                cond(json!({"StringEqualsIfExists": {"aws:SourceAccount": ACCT}})),
                eb(),
                Decision::Allow,
            ),
            (
                "IfExists present mismatch",
                cond(json!({"StringEqualsIfExists": {"aws:SourceAccount": "222222222222"}})),
                eb(),
                Decision::ImplicitDeny,
            ),
            (
                "ArnLikeIfExists mismatch",
                cond(
                    json!({"ArnLikeIfExists": {"aws:SourceArn": "arn:aws:events:*:222222222222:*"}}),
                ),
                eb(),
                Decision::ImplicitDeny,
            ),
            (
                "ForAnyValue one matches",
                cond(
                    json!({"ForAnyValue:ArnLike": {"aws:SourceArn": "arn:aws:events:us-west-2:111111111111:*"}}),
                ),
                multi.clone(),
                Decision::Allow,
            ),
            (
                "ForAllValues not all match",
                cond(
                    json!({"ForAllValues:ArnLike": {"aws:SourceArn": "arn:aws:events:us-west-2:111111111111:*"}}),
                ),
                multi.clone(),
                Decision::ImplicitDeny,
            ),
            (
                "ForAllValues all match",
                cond(
                    json!({"ForAllValues:ArnLike": {"aws:SourceArn": ["arn:aws:events:us-west-2:111111111111:*", "arn:aws:events:*:999999999999:*"]}}),
                ),
                multi,
                Decision::Allow,
            ),
            (
                "ForAllValues absent key",
                cond(json!({"ForAllValues:StringEquals": {"aws:PrincipalOrgID": "o-123"}})),
                eb(),
                Decision::Allow,
            ),
            (
                "ForAnyValue absent key",
                cond(json!({"ForAnyValue:StringEquals": {"aws:PrincipalOrgID": "o-123"}})),
                eb(),
                Decision::ImplicitDeny,
            ),
            (
                "ForAnyValue negated absent",
                cond(json!({"ForAnyValue:StringNotEquals": {"aws:PrincipalOrgID": "o-123"}})),
                eb(),
                Decision::ImplicitDeny,
            ),
            (
                "Null true on absent",
                cond(json!({"Null": {"aws:SourceOwner": "true"}})),
                eb(),
                Decision::Allow,
            ),
            (
                "Null false on absent",
                cond(json!({"Null": {"aws:SourceOwner": false}})),
                eb(),
                Decision::ImplicitDeny,
            ),
            (
                "Null false on present",
                cond(json!({"Null": {"aws:SourceArn": "false"}})),
                eb(),
                Decision::Allow,
            ),
            (
                "Bool",
                cond(json!({"Bool": {"aws:SecureTransport": true}})),
                with_ctx(eb(), "aws:SecureTransport", &["TRUE"]),
                Decision::Allow,
            ),
            (
                "Bool absent",
                cond(json!({"Bool": {"aws:SecureTransport": "true"}})),
                eb(),
                Decision::ImplicitDeny,
            ),
            (
                "PrincipalAccount derived",
                stmts(
                    json!({"Effect": "Allow", "Principal": "*", "Action": "sns:Publish", "Resource": TOPIC, "Condition": {"StringEquals": {"aws:PrincipalAccount": ACCT}}}),
                ),
                account(ACCT, "sns:Publish", TOPIC),
                Decision::Allow,
            ),
        ]);
    }

    #[test]
    fn unsupported_conditions_are_never_allow() {
        let unknown_op = json!({"Sid": "ip", "Effect": "Allow", "Principal": "*", "Action": "sns:Publish", "Resource": TOPIC, "Condition": {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}});
        let typo = json!({"Effect": "Allow", "Principal": "*", "Action": "sns:Publish", "Resource": TOPIC, "Condition": {"StringEqual": {"aws:SourceAccount": ACCT}}});
        let unknown_and_false = json!({"Effect": "Allow", "Principal": "*", "Action": "sns:Publish", "Resource": TOPIC, "Condition": {"DateGreaterThan": {"aws:CurrentTime": "2020-01-01T00:00:00Z"}, "StringEquals": {"aws:SourceAccount": "222222222222"}}});
        let unknown_deny = json!({"Sid": "maybe", "Effect": "Deny", "Principal": "*", "Action": "sns:Publish", "Resource": TOPIC, "Condition": {"NotIpAddress": {"aws:SourceIp": "10.0.0.0/8"}}});
        let sure_deny = json!({"Sid": "sure", "Effect": "Deny", "Principal": "*", "Action": "sns:Publish", "Resource": TOPIC});
        let variable = json!({"Effect": "Allow", "Principal": "*", "Action": "sns:Publish", "Resource": TOPIC, "Condition": {"StringEquals": {"aws:SourceAccount": "${aws:PrincipalAccount}"}}});
        let unknown = Decision::Unknown(String::new());
        run(vec![
            (
                "unknown operator on Allow",
                stmts(json!([unknown_op])),
                eb(),
                unknown.clone(),
            ),
            ("operator typo", stmts(json!([typo])), eb(), unknown.clone()),
            (
                "NullIfExists unsupported",
                stmts(
                    json!({"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*", "Condition": {"NullIfExists": {"aws:SourceArn": "false"}}}),
                ),
                eb(),
                unknown.clone(),
            ),
            (
                "unknown AND false is false",
                stmts(json!([unknown_and_false])),
                eb(),
                Decision::ImplicitDeny,
            ),
            (
                "unknown Allow, definite Allow",
                stmts(json!([unknown_op, allow_all_sns()])),
                eb(),
                Decision::Allow,
            ),
            (
                "definite Deny beats unknown Allow",
                stmts(json!([unknown_op, sure_deny])),
                eb(),
                deny("sure"),
            ),
            (
                "unknown Deny over Allow",
                stmts(json!([allow_all_sns(), unknown_deny])),
                eb(),
                unknown.clone(),
            ),
            (
                "unknown Deny without Allow",
                stmts(json!([unknown_deny])),
                eb(),
                Decision::ImplicitDeny,
            ),
            ("policy variable", stmts(json!([variable])), eb(), unknown),
        ]);
        let reason = policy(&stmts(json!([unknown_op]))).evaluate(&eb());
        assert!(
            matches!(&reason, Decision::Unknown(r) if r.contains("IpAddress") && r.contains("ip")),
            "{reason:?}"
        );
    }

    #[test]
    fn lambda_and_kms_policies() {
        let lambda = json!({"Version": "2012-10-17", "Id": "default", "Statement": [{"Sid": "sns-invoke", "Effect": "Allow", "Principal": {"Service": "sns.amazonaws.com"}, "Action": "lambda:InvokeFunction", "Resource": FUNCTION, "Condition": {"ArnLike": {"AWS:SourceArn": TOPIC}}}]}).to_string();
        let wrong_topic = "arn:aws:sns:us-west-2:111111111111:other-topic";
        let kms = json!({"Version": "2012-10-17", "Statement": [
            {"Sid": "root", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111111111111:root"}, "Action": "kms:*", "Resource": "*"},
            {"Sid": "events", "Effect": "Allow", "Principal": {"Service": "events.amazonaws.com"}, "Action": ["kms:GenerateDataKey*", "kms:Decrypt"], "Resource": "*"}
        ]}).to_string();
        run(vec![
            (
                "lambda right topic",
                lambda.clone(),
                sns_to_lambda(TOPIC, ACCT, FUNCTION),
                Decision::Allow,
            ),
            (
                "lambda wrong topic",
                lambda.clone(),
                sns_to_lambda(wrong_topic, ACCT, FUNCTION),
                Decision::ImplicitDeny,
            ),
            (
                "lambda wrong function",
                lambda,
                sns_to_lambda(TOPIC, ACCT, &format!("{FUNCTION}-2")),
                Decision::ImplicitDeny,
            ),
        ]);
        let kms = policy(&kms);
        let requests = service_uses_kms_key("events.amazonaws.com", KEY);
        let actions: Vec<&str> = requests.iter().map(|r| r.action.as_str()).collect();
        assert_eq!(actions, ["kms:GenerateDataKey", "kms:Decrypt"]);
        for request in &requests {
            assert_eq!(kms.evaluate(request), Decision::Allow, "{}", request.action);
        }
        for request in service_uses_kms_key("cloudwatch.amazonaws.com", KEY) {
            assert_eq!(
                kms.evaluate(&request),
                Decision::ImplicitDeny,
                "{}",
                request.action
            );
        }
    }

    #[test]
    fn publishers_table() {
        let keys = |r: &Request| r.context.keys().cloned().collect::<Vec<_>>();
        assert_eq!(keys(&eb()), ["aws:sourceaccount", "aws:sourcearn"]);
        assert_eq!(
            keys(&alarm()),
            ["aws:sourceaccount", "aws:sourcearn", "aws:sourceowner"]
        );
        assert_eq!(
            eb().principal,
            Principal::Service("events.amazonaws.com".into())
        );
        assert_eq!(
            alarm().principal,
            Principal::Service("cloudwatch.amazonaws.com".into())
        );
        let invoke = sns_to_lambda(TOPIC, ACCT, FUNCTION);
        assert_eq!(
            (invoke.action.as_str(), invoke.resource.as_str()),
            ("lambda:InvokeFunction", FUNCTION)
        );
        assert_eq!(
            invoke.context.get("aws:sourcearn"),
            Some(&vec![TOPIC.to_string()])
        );
    }

    #[test]
    fn parse_forms() {
        let double = serde_json::to_string(&SNS_DEFAULT).unwrap_or_default();
        let triple = serde_json::to_string(&double).unwrap_or_default();
        let forms: Vec<(&str, Result<Policy, PolicyError>)> = vec![
            ("plain text", Policy::parse(SNS_DEFAULT)),
            ("double-encoded text", Policy::parse(&double)),
            ("triple-encoded text", Policy::parse(&triple)),
            (
                "value object",
                serde_json::from_str(SNS_DEFAULT)
                    .map_err(|e| PolicyError(e.to_string()))
                    .and_then(|v| Policy::from_value(&v)),
            ),
            ("value string", Policy::from_value(&json!(SNS_DEFAULT))),
            (
                "missing version",
                Policy::parse(&json!({"Statement": allow_all_sns()}).to_string()),
            ),
            ("BOM", Policy::parse(&format!("\u{feff}{SNS_DEFAULT}"))),
        ];
        for (name, parsed) in forms {
            match parsed {
                Ok(p) => assert_eq!(p.evaluate(&alarm()), Decision::Allow, "{name}"),
                Err(e) => panic!("{name}: {e}"),
            }
        }
    }

    #[test]
    fn parse_errors_never_panic() {
        let mut deep = json!(SNS_DEFAULT);
        for _ in 0..6 {
            deep = json!(deep.to_string());
        }
        let bad = [
            "",
            "null",
            "42",
            "[]",
            "\"not json\"",
            "{",
            "{}",
            r#"{"Version":"2013-01-01","Statement":[]}"#,
            r#"{"Statement":"x"}"#,
            r#"{"Statement":[1]}"#,
            r#"{"Statement":{"Effect":"allow","Principal":"*","Action":"*"}}"#,
            r#"{"Statement":{"Effect":"Allow","Action":"*"}}"#,
            r#"{"Statement":{"Effect":"Allow","Principal":"*"}}"#,
            r#"{"Statement":{"Effect":"Allow","Principal":"123","Action":"*"}}"#,
            r#"{"Statement":{"Effect":"Allow","Principal":"*","Action":"*","NotAction":"*"}}"#,
            r#"{"Statement":{"Effect":"Allow","Principal":"*","Action":[1]}}"#,
            r#"{"Statement":{"Effect":"Allow","Principal":"*","Action":"*","Condition":[]}}"#,
            r#"{"Statement":{"Effect":"Allow","Principal":"*","Action":"*","Condition":{"StringEquals":"x"}}}"#,
            r#"{"Statement":{"Effect":"Allow","Principal":"*","Action":"*","Condition":{"StringEquals":{"k":{"a":1}}}}}"#,
            r#"{"Statement":{"Effect":"Allow","Principal":{"AWS":{"x":1}},"Action":"*"}}"#,
        ];
        for text in bad {
            assert!(Policy::parse(text).is_err(), "accepted: {text}");
        }
        for (cut, _) in PRIMER.char_indices() {
            if let Ok(p) = Policy::parse(&PRIMER[..cut]) {
                let _ = p.evaluate(&eb());
            }
        }
        assert!(Policy::from_value(&deep).is_err());
        assert!(Policy::from_value(&json!(null)).is_err());
        let message = Policy::parse("{}")
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(message.starts_with("invalid policy: "), "{message}");
    }

    #[test]
    fn odd_inputs_evaluate_without_panic() {
        let p = policy(&stmts(
            json!({"Effect": "Allow", "Principal": "*", "Action": ["", "**?*", "é*"], "Resource": ["", "*:*", "arn:::::", "ü?"], "Condition": {"StringLike": {"aws:SourceArn": ["", "*", "?"]}, "ArnLike": {"aws:SourceArn": ":::::::"}}}),
        ));
        for text in ["", "é", "ü", ":::::", "arn:aws:sns:us-west-2:1:a:b:c", "*"] {
            let request = with_ctx(account(text, text, text), "aws:SourceArn", &[text]);
            let _ = p.evaluate(&request);
        }
        assert!(glob_match("a*b?c", "aXXbYc", false));
        assert!(!glob_match("a*b?c", "aXXbc", false));
        assert!(glob_match("", "", false));
        assert!(!glob_match("", "a", false));
        assert!(glob_match("***", "", false));
        assert!(glob_match("SNS:*", "sns:publish", true));
        assert!(!glob_match("a*", "b", false));
        assert!(glob_match(&"*a".repeat(50), &"a".repeat(200), false));
        assert!(!glob_match(&"*a".repeat(50), &"b".repeat(200), false));
    }

    #[test]
    fn public_grants_table() {
        let topic_actions = ["sns:Publish", "sns:Subscribe"];
        let grant = |principal: serde_json::Value,
                     action: &str,
                     condition: Option<serde_json::Value>| {
            let mut s = json!({"Sid": "s", "Effect": "Allow", "Principal": principal, "Action": action, "Resource": TOPIC});
            if let (Some(c), Some(map)) = (condition, s.as_object_mut()) {
                map.insert("Condition".into(), c);
            }
            stmts(json!([s]))
        };
        let aws_star = || json!({"AWS": "*"});
        let cases: Vec<(&str, String, Option<Vec<&str>>)> = vec![
            (
                "AWS star, no condition",
                grant(aws_star(), "sns:Publish", None),
                Some(vec!["sns:Publish"]),
            ),
            (
                "bare star, sns:*",
                grant(json!("*"), "sns:*", None),
                Some(vec!["sns:Publish", "sns:Subscribe"]),
            ),
            (
                "star action",
                grant(json!("*"), "*", None),
                Some(vec!["sns:Publish", "sns:Subscribe"]),
            ),
            (
                "SourceOwner pins",
                grant(
                    aws_star(),
                    "sns:Publish",
                    Some(json!({"StringEquals": {"aws:SourceOwner": ACCT}})),
                ),
                None,
            ),
            (
                "SourceOwner key case",
                grant(
                    aws_star(),
                    "sns:Publish",
                    Some(json!({"StringEquals": {"AWS:SourceOwner": ACCT}})),
                ),
                None,
            ),
            (
                "ArnLike concrete SourceArn pins",
                grant(
                    aws_star(),
                    "sns:Publish",
                    Some(json!({"ArnLike": {"aws:SourceArn": RULE}})),
                ),
                None,
            ),
            (
                "OrgID pins",
                grant(
                    aws_star(),
                    "sns:Publish",
                    Some(json!({"StringEquals": {"aws:PrincipalOrgID": "o-abc123"}})),
                ),
                None,
            ),
            (
                "ForAnyValue pins",
                grant(
                    aws_star(),
                    "sns:Publish",
                    Some(json!({"ForAnyValue:StringEquals": {"aws:PrincipalOrgID": "o-abc123"}})),
                ),
                None,
            ),
            (
                "StringLike wildcard account",
                grant(
                    aws_star(),
                    "sns:Publish",
                    Some(json!({"StringLike": {"aws:SourceAccount": "*"}})),
                ),
                Some(vec!["sns:Publish"]),
            ),
            (
                "ArnLike wildcard account",
                grant(
                    aws_star(),
                    "sns:Publish",
                    Some(json!({"ArnLike": {"aws:SourceArn": "arn:aws:events:*:*:rule/*"}})),
                ),
                Some(vec!["sns:Publish"]),
            ),
            (
                "IfExists pins nothing",
                grant(
                    aws_star(),
                    "sns:Publish",
                    Some(json!({"StringEqualsIfExists": {"aws:SourceOwner": ACCT}})),
                ),
                Some(vec!["sns:Publish"]),
            ),
            (
                "negated pins nothing",
                grant(
                    aws_star(),
                    "sns:Publish",
                    Some(json!({"StringNotEquals": {"aws:SourceAccount": "222222222222"}})),
                ),
                Some(vec!["sns:Publish"]),
            ),
            (
                "ForAllValues pins nothing",
                grant(
                    aws_star(),
                    "sns:Publish",
                    Some(json!({"ForAllValues:StringEquals": {"aws:PrincipalOrgID": "o-abc123"}})),
                ),
                Some(vec!["sns:Publish"]),
            ),
            (
                "other key pins nothing",
                grant(
                    aws_star(),
                    "sns:Publish",
                    Some(json!({"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}})),
                ),
                Some(vec!["sns:Publish"]),
            ),
            (
                "not the asked action",
                grant(aws_star(), "sns:GetTopicAttributes", None),
                None,
            ),
            (
                "service principal",
                grant(
                    json!({"Service": "events.amazonaws.com"}),
                    "sns:Publish",
                    None,
                ),
                None,
            ),
            (
                "account principal",
                grant(json!({"AWS": ACCT}), "sns:Publish", None),
                None,
            ),
            (
                "AWS list with star",
                grant(json!({"AWS": [ACCT, "*"]}), "sns:Publish", None),
                Some(vec!["sns:Publish"]),
            ),
            (
                "NotPrincipal allow",
                stmts(
                    json!({"Sid": "s", "Effect": "Allow", "NotPrincipal": {"AWS": ACCT}, "Action": "sns:Publish", "Resource": TOPIC}),
                ),
                Some(vec!["sns:Publish"]),
            ),
            (
                "deny is never a grant",
                stmts(
                    json!({"Sid": "s", "Effect": "Deny", "Principal": "*", "Action": "sns:Publish", "Resource": TOPIC}),
                ),
                None,
            ),
        ];
        for (name, text, expected) in cases {
            let grants = policy(&text).public_grants(&topic_actions);
            let got: Option<Vec<&str>> = grants
                .first()
                .map(|g| g.actions.iter().map(String::as_str).collect());
            assert_eq!(got, expected, "case `{name}`: {grants:?}");
            assert!(
                grants
                    .iter()
                    .all(|g| g.sid.as_deref() == Some("s") && !g.reason.is_empty()),
                "{name}"
            );
        }
        assert!(policy(SNS_DEFAULT).public_grants(&topic_actions).is_empty());
        assert!(policy(PRIMER).public_grants(&topic_actions).is_empty());
    }
}
