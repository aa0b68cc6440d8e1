//! Amazon EventBridge event-pattern matching and Amazon SNS subscription
//! filter policies, implemented as one small engine with two dialects.
//!
//! Semantics follow the public AWS documentation ("Event patterns",
//! "Content filtering in Amazon EventBridge event patterns", "Comparison
//! operators for use in event patterns" and the SNS "subscription filter
//! policy" pages):
//!
//! * a pattern is a JSON object; every key must be present in the event
//!   (logical AND), leaf values are arrays of alternatives (logical OR);
//! * if the event value is an array, the field matches when any element
//!   matches; objects inside arrays are matched element by element;
//! * a field absent from the event only matches `{"exists": false}`
//!   (`anything-but` does **not** match an absent field);
//! * numbers are compared numerically (`5` equals `5.0`), strings are never
//!   equal to numbers.
//!
//! Two behaviours follow AWS's own engine, event-ruler (v2.0.1,
//! `JsonRuleCompiler`), which compiles a pattern into sub-rules keyed by the
//! dot-joined path of each field:
//!
//! * **`$or` expansion.** Each `$or` branch forks the sub-rules built so far;
//!   a condition on a path that already has one *replaces* it, so of two
//!   conditions on the same path the later one in document order wins (a
//!   branch's `severity` overrides the parent's `severity` written before the
//!   `$or`). LocalStack's EventBridge and SNS engines do the same.
//! * **Dotted keys.** `{"detail": {"state.status": [..]}}` and
//!   `{"detail": {"state": {"status": [..]}}}` are the same rule, and both
//!   match an event holding either `detail.state.status` nested or a literal
//!   `"state.status"` key (event-ruler README, "Caveat: Compiled rules and JSON
//!   keys with dots"). For SNS `MessageBody` filter policies AWS documents
//!   neither reading, so when the two readings disagree the answer is
//!   [`Delivery::Unknown`].

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::net::IpAddr;

use serde_json::{Map, Value};

/// Maximum nesting depth accepted in a pattern (guards against stack abuse).
const MAX_DEPTH: usize = 64;

/// Error returned for a malformed event pattern or filter policy.
///
/// `path` is a JSON-path-like location (`$.detail.severity[0].numeric`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid event pattern at {path}: {message}")]
pub struct PatternError {
    /// Location of the problem inside the pattern, rooted at `$`.
    pub path: String,
    /// Human-readable description of the problem.
    pub message: String,
}

impl PatternError {
    fn new(path: &str, message: impl Into<String>) -> Self {
        Self {
            path: path.to_string(),
            message: message.into(),
        }
    }
}

/// A compiled Amazon EventBridge event pattern.
#[derive(Debug, Clone)]
pub struct EventPattern {
    /// The `$or`-expanded sub-rules; the pattern matches when any does.
    alternatives: Vec<ObjectPattern>,
}

impl EventPattern {
    /// Parses and validates an event pattern from JSON text.
    pub fn parse(json: &str) -> Result<Self, PatternError> {
        Self::from_value(&parse_json(json)?)
    }

    /// Validates and compiles an event pattern from a JSON value.
    pub fn from_value(value: &Value) -> Result<Self, PatternError> {
        let root = parse_root(value, Dialect::EventBridge)?;
        let alternatives = compile(&root, KeyReading::Dotted, "$")?;
        Ok(Self { alternatives })
    }

    /// Returns whether `event` (a full EventBridge event) matches the pattern.
    pub fn matches(&self, event: &Value) -> bool {
        let ctx = Ctx {
            numeric_strings: false,
        };
        let event = expand_dotted_keys(event);
        any_matches(&self.alternatives, &event, ctx)
    }
}

/// SNS subscription filter policy scope.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FilterPolicyScope {
    /// The policy applies to message attributes (SNS default).
    MessageAttributes,
    /// The policy applies to the (JSON) message body.
    MessageBody,
}

/// Whether SNS delivers a message to a subscription.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Delivery {
    /// The filter policy lets the message through.
    Delivered,
    /// The filter policy drops the message.
    Filtered,
    /// The answer depends on behaviour AWS does not document; the reason says which.
    Unknown(String),
}

/// A compiled Amazon SNS subscription filter policy.
#[derive(Debug, Clone)]
pub struct FilterPolicy {
    scope: FilterPolicyScope,
    /// `None` for the empty policy `{}`, which filters nothing.
    compiled: Option<CompiledPolicy>,
}

/// A non-empty filter policy, compiled under both readings of dotted keys.
#[derive(Debug, Clone)]
struct CompiledPolicy {
    /// Keys taken literally (`"a.b"` is one property name).
    literal: Vec<ObjectPattern>,
    /// Keys split at dots, as EventBridge does (MessageBody scope only).
    dotted: Vec<ObjectPattern>,
    /// Whether any key of the policy contains a dot.
    has_dotted_key: bool,
}

impl FilterPolicy {
    /// Parses and validates a filter policy for the given scope.
    ///
    /// The empty policy `{}` is accepted and delivers every message.
    pub fn parse(json: &str, scope: FilterPolicyScope) -> Result<Self, PatternError> {
        let value = parse_json(json)?;
        if value.as_object().is_some_and(Map::is_empty) {
            return Ok(Self {
                scope,
                compiled: None,
            });
        }
        let dialect = match scope {
            FilterPolicyScope::MessageAttributes => Dialect::SnsAttributes,
            FilterPolicyScope::MessageBody => Dialect::SnsBody,
        };
        let root = parse_root(&value, dialect)?;
        let literal = compile(&root, KeyReading::Literal, "$")?;
        let dotted = match scope {
            FilterPolicyScope::MessageBody => compile(&root, KeyReading::Dotted, "$")?,
            FilterPolicyScope::MessageAttributes => Vec::new(),
        };
        Ok(Self {
            scope,
            compiled: Some(CompiledPolicy {
                literal,
                dotted,
                has_dotted_key: root.has_dotted_key(),
            }),
        })
    }

    /// Would SNS deliver a message with this body (JSON, if it parses; else a
    /// raw string) and these message attributes (name -> string value)?
    ///
    /// With scope `MessageBody`, a body that is not a JSON object never
    /// matches a non-empty policy, and a dotted key (in the policy or the
    /// body) whose literal and nested readings give different answers is
    /// [`Delivery::Unknown`]. With scope `MessageAttributes`, attribute
    /// values are strings; numeric operators and numeric exact values parse
    /// them as numbers, and attribute names are always literal.
    pub fn evaluate(&self, body: &str, attributes: &BTreeMap<String, String>) -> Delivery {
        let Some(compiled) = &self.compiled else {
            return Delivery::Delivered;
        };
        let delivered = |yes: bool| {
            if yes {
                Delivery::Delivered
            } else {
                Delivery::Filtered
            }
        };
        match self.scope {
            FilterPolicyScope::MessageAttributes => {
                let map: Map<String, Value> = attributes
                    .iter()
                    .map(|(k, v)| (k.clone(), Value::String(v.clone())))
                    .collect();
                let ctx = Ctx {
                    numeric_strings: true,
                };
                delivered(any_matches(&compiled.literal, &Value::Object(map), ctx))
            }
            FilterPolicyScope::MessageBody => match serde_json::from_str::<Value>(body) {
                Ok(value @ Value::Object(_)) => {
                    let ctx = Ctx {
                        numeric_strings: false,
                    };
                    let literal = any_matches(&compiled.literal, &value, ctx);
                    let expanded = expand_dotted_keys(&value);
                    if !compiled.has_dotted_key && matches!(expanded, Cow::Borrowed(_)) {
                        return delivered(literal);
                    }
                    let dotted = any_matches(&compiled.dotted, &expanded, ctx);
                    if literal == dotted {
                        delivered(literal)
                    } else {
                        Delivery::Unknown(
                            "the filter policy or the message uses a key containing `.`; AWS does not document whether SNS reads it as a nested path (LocalStack does), and the two readings disagree".into(),
                        )
                    }
                }
                _ => Delivery::Filtered,
            },
        }
    }
}

// ---------------------------------------------------------------------------
// Compiled representation
// ---------------------------------------------------------------------------

/// Which flavour of the pattern language is being parsed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Dialect {
    EventBridge,
    SnsAttributes,
    SnsBody,
}

impl Dialect {
    fn allows_wildcard(self) -> bool {
        self == Dialect::EventBridge
    }

    fn allows_nesting(self) -> bool {
        self != Dialect::SnsAttributes
    }
}

/// Matching options.
#[derive(Debug, Clone, Copy)]
struct Ctx {
    /// Treat string leaves that parse as numbers as numbers (SNS attributes).
    numeric_strings: bool,
}

/// A pattern object as written: its entries in document order.
#[derive(Debug, Clone)]
struct ParsedObject {
    entries: Vec<Entry>,
}

/// One key of a pattern object.
#[derive(Debug, Clone)]
enum Entry {
    /// A field: `key: [..]` or `key: {..}`.
    Field(String, ParsedField),
    /// `"$or": [{..}, {..}, ..]`.
    AnyOf(Vec<ParsedObject>),
}

/// A field's value as written.
#[derive(Debug, Clone)]
enum ParsedField {
    Nested(ParsedObject),
    Leaf(Vec<Matcher>),
}

/// One `$or`-free sub-rule: all `fields` must match.
#[derive(Debug, Clone, Default)]
struct ObjectPattern {
    fields: Vec<(String, FieldPattern)>,
}

#[derive(Debug, Clone)]
enum FieldPattern {
    Nested(ObjectPattern),
    Leaf(Vec<Matcher>),
}

/// How a key containing `.` is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum KeyReading {
    /// As one name.
    Literal,
    /// As a path of nested names (EventBridge).
    Dotted,
}

/// At most this many `$or` sub-rules per pattern (EventBridge limits pattern
/// complexity far below this).
const MAX_ALTERNATIVES: usize = 4096;

#[derive(Debug, Clone)]
enum Matcher {
    Exact(Scalar),
    Prefix(TextMatch),
    Suffix(TextMatch),
    /// Stored lower-cased.
    EqualsIgnoreCase(String),
    Wildcard(Wildcard),
    AnythingBut(AnythingBut),
    Numeric(NumericRange),
    Exists(bool),
    Cidr(Cidr),
}

#[derive(Debug, Clone, PartialEq)]
enum Scalar {
    Str(String),
    Num(f64),
    Bool(bool),
    Null,
}

/// Prefix/suffix operand; lower-cased when `ignore_case`.
#[derive(Debug, Clone)]
struct TextMatch {
    text: String,
    ignore_case: bool,
}

#[derive(Debug, Clone)]
enum AnythingBut {
    Values(Vec<Scalar>),
    Prefix(Vec<String>),
    Suffix(Vec<String>),
    /// Stored lower-cased.
    IgnoreCase(Vec<String>),
    Wildcard(Vec<Wildcard>),
}

/// `*`-glob: literal segments separated by wildcards.
#[derive(Debug, Clone)]
struct Wildcard {
    segments: Vec<String>,
}

#[derive(Debug, Clone, Copy)]
struct Bound {
    value: f64,
    inclusive: bool,
}

#[derive(Debug, Clone, Copy, Default)]
struct NumericRange {
    lower: Option<Bound>,
    upper: Option<Bound>,
    /// Written as two (operator, number) pairs rather than `["=", n]`.
    from_pairs: bool,
}

#[derive(Debug, Clone, Copy)]
enum Cidr {
    V4 { network: u32, bits: u32 },
    V6 { network: u128, bits: u32 },
}

// ---------------------------------------------------------------------------
// Parsing
// ---------------------------------------------------------------------------

fn parse_json(json: &str) -> Result<Value, PatternError> {
    serde_json::from_str(json).map_err(|e| PatternError::new("$", format!("not valid JSON: {e}")))
}

fn parse_root(value: &Value, dialect: Dialect) -> Result<ParsedObject, PatternError> {
    match value {
        Value::Object(map) => parse_object(map, "$", dialect, 0),
        other => Err(PatternError::new(
            "$",
            format!("pattern must be a JSON object, found {}", type_name(other)),
        )),
    }
}

fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn parse_object(
    map: &Map<String, Value>,
    path: &str,
    dialect: Dialect,
    depth: usize,
) -> Result<ParsedObject, PatternError> {
    if depth > MAX_DEPTH {
        return Err(PatternError::new(path, "pattern is nested too deeply"));
    }
    if map.is_empty() {
        return Err(PatternError::new(path, "empty objects are not allowed"));
    }
    let mut pattern = ParsedObject {
        entries: Vec::new(),
    };
    for (key, value) in map {
        let child = format!("{path}.{key}");
        if let Some(alternatives) = or_alternatives(key, value) {
            if alternatives.len() < 2 {
                return Err(PatternError::new(
                    &child,
                    "$or needs at least two alternatives (EventBridge and SNS reject a single-branch $or)",
                ));
            }
            pattern.entries.push(Entry::AnyOf(parse_or(
                alternatives,
                &child,
                dialect,
                depth,
            )?));
            continue;
        }
        let field = match value {
            Value::Array(items) => ParsedField::Leaf(parse_leaf(items, &child, dialect)?),
            Value::Object(inner) if dialect.allows_nesting() => {
                ParsedField::Nested(parse_object(inner, &child, dialect, depth + 1)?)
            }
            Value::Object(_) => {
                return Err(PatternError::new(
                    &child,
                    "nested keys are only allowed with the MessageBody filter policy scope",
                ));
            }
            other => {
                return Err(PatternError::new(
                    &child,
                    format!(
                        "match values must be in an array or a nested object, found {}",
                        type_name(other)
                    ),
                ));
            }
        };
        pattern.entries.push(Entry::Field(key.clone(), field));
    }
    Ok(pattern)
}

/// `"$or": [ {..}, {..} ]` is a disjunction; any other `$or` value is an
/// ordinary field named `$or`.
fn or_alternatives<'a>(key: &str, value: &'a Value) -> Option<&'a [Value]> {
    match value {
        Value::Array(items)
            if key == "$or" && !items.is_empty() && items.iter().all(Value::is_object) =>
        {
            Some(items)
        }
        _ => None,
    }
}

fn parse_or(
    alternatives: &[Value],
    path: &str,
    dialect: Dialect,
    depth: usize,
) -> Result<Vec<ParsedObject>, PatternError> {
    let mut parsed = Vec::with_capacity(alternatives.len());
    for (i, alt) in alternatives.iter().enumerate() {
        if let Value::Object(map) = alt {
            parsed.push(parse_object(
                map,
                &format!("{path}[{i}]"),
                dialect,
                depth + 1,
            )?);
        }
    }
    Ok(parsed)
}

fn parse_leaf(items: &[Value], path: &str, dialect: Dialect) -> Result<Vec<Matcher>, PatternError> {
    if items.is_empty() {
        return Err(PatternError::new(path, "empty arrays are not allowed"));
    }
    items
        .iter()
        .enumerate()
        .map(|(i, item)| parse_matcher(item, &format!("{path}[{i}]"), dialect))
        .collect()
}

fn parse_matcher(item: &Value, path: &str, dialect: Dialect) -> Result<Matcher, PatternError> {
    match item {
        Value::Object(map) => parse_operator(map, path, dialect),
        Value::Array(_) => Err(PatternError::new(path, "nested arrays are not allowed")),
        scalar => parse_scalar(scalar, path).map(Matcher::Exact),
    }
}

fn parse_scalar(value: &Value, path: &str) -> Result<Scalar, PatternError> {
    match value {
        Value::String(s) => Ok(Scalar::Str(s.clone())),
        Value::Number(_) => parse_number(value, path).map(Scalar::Num),
        Value::Bool(b) => Ok(Scalar::Bool(*b)),
        Value::Null => Ok(Scalar::Null),
        other => Err(PatternError::new(
            path,
            format!(
                "expected a string, number, boolean or null, found {}",
                type_name(other)
            ),
        )),
    }
}

fn parse_number(value: &Value, path: &str) -> Result<f64, PatternError> {
    match value.as_f64() {
        Some(n) if n.is_finite() => Ok(n),
        _ => Err(PatternError::new(
            path,
            format!("expected a finite number, found {}", type_name(value)),
        )),
    }
}

fn parse_string<'a>(value: &'a Value, path: &str, what: &str) -> Result<&'a str, PatternError> {
    value.as_str().ok_or_else(|| {
        PatternError::new(
            path,
            format!("{what} requires a string, found {}", type_name(value)),
        )
    })
}

fn parse_operator(
    map: &Map<String, Value>,
    path: &str,
    dialect: Dialect,
) -> Result<Matcher, PatternError> {
    let mut entries = map.iter();
    let (Some((name, arg)), None) = (entries.next(), entries.next()) else {
        return Err(PatternError::new(
            path,
            format!(
                "an operator object must have exactly one key, found {}",
                map.len()
            ),
        ));
    };
    let path = format!("{path}.{name}");
    let path = path.as_str();
    match name.as_str() {
        "prefix" => parse_text_match(arg, path, "prefix").map(Matcher::Prefix),
        "suffix" => parse_text_match(arg, path, "suffix").map(Matcher::Suffix),
        "equals-ignore-case" => parse_string(arg, path, "equals-ignore-case")
            .map(|s| Matcher::EqualsIgnoreCase(s.to_lowercase())),
        "wildcard" => {
            require_wildcard(dialect, path)?;
            parse_wildcard(parse_string(arg, path, "wildcard")?, path).map(Matcher::Wildcard)
        }
        "anything-but" => parse_anything_but(arg, path, dialect).map(Matcher::AnythingBut),
        "numeric" => parse_numeric(arg, path).map(Matcher::Numeric),
        "exists" => match arg {
            Value::Bool(b) => Ok(Matcher::Exists(*b)),
            other => Err(PatternError::new(
                path,
                format!("exists requires true or false, found {}", type_name(other)),
            )),
        },
        "cidr" => parse_cidr(parse_string(arg, path, "cidr")?, path, dialect).map(Matcher::Cidr),
        other => Err(PatternError::new(
            path,
            format!("unknown operator \"{other}\""),
        )),
    }
}

fn require_wildcard(dialect: Dialect, path: &str) -> Result<(), PatternError> {
    if dialect.allows_wildcard() {
        Ok(())
    } else {
        Err(PatternError::new(
            path,
            "wildcard is not supported in SNS filter policies",
        ))
    }
}

/// `"x"` or `{"equals-ignore-case": "x"}`.
fn parse_text_match(arg: &Value, path: &str, what: &str) -> Result<TextMatch, PatternError> {
    match arg {
        Value::String(s) => Ok(TextMatch {
            text: s.clone(),
            ignore_case: false,
        }),
        Value::Object(map) if map.len() == 1 => match map.get("equals-ignore-case") {
            Some(inner) => {
                let inner_path = format!("{path}.equals-ignore-case");
                let text = parse_string(inner, &inner_path, what)?.to_lowercase();
                Ok(TextMatch {
                    text,
                    ignore_case: true,
                })
            }
            None => Err(PatternError::new(
                path,
                format!("{what} only accepts a string or {{\"equals-ignore-case\": string}}"),
            )),
        },
        other => Err(PatternError::new(
            path,
            format!(
                "{what} requires a string or {{\"equals-ignore-case\": string}}, found {}",
                type_name(other)
            ),
        )),
    }
}

fn parse_anything_but(
    arg: &Value,
    path: &str,
    dialect: Dialect,
) -> Result<AnythingBut, PatternError> {
    match arg {
        Value::String(_) | Value::Number(_) => {
            Ok(AnythingBut::Values(vec![parse_scalar(arg, path)?]))
        }
        Value::Array(items) => parse_anything_but_list(items, path),
        Value::Object(map) => parse_anything_but_operator(map, path, dialect),
        other => Err(PatternError::new(
            path,
            format!(
                "anything-but requires a string, number, list or operator object, found {}",
                type_name(other)
            ),
        )),
    }
}

fn parse_anything_but_list(items: &[Value], path: &str) -> Result<AnythingBut, PatternError> {
    if items.is_empty() {
        return Err(PatternError::new(
            path,
            "anything-but list must not be empty",
        ));
    }
    let all_strings = items.iter().all(Value::is_string);
    let all_numbers = items.iter().all(Value::is_number);
    if !all_strings && !all_numbers {
        return Err(PatternError::new(
            path,
            "anything-but list must contain only strings or only numbers",
        ));
    }
    let values = items
        .iter()
        .enumerate()
        .map(|(i, v)| parse_scalar(v, &format!("{path}[{i}]")))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(AnythingBut::Values(values))
}

fn parse_anything_but_operator(
    map: &Map<String, Value>,
    path: &str,
    dialect: Dialect,
) -> Result<AnythingBut, PatternError> {
    let mut entries = map.iter();
    let (Some((name, arg)), None) = (entries.next(), entries.next()) else {
        return Err(PatternError::new(
            path,
            format!(
                "anything-but operator object must have exactly one key, found {}",
                map.len()
            ),
        ));
    };
    let path = format!("{path}.{name}");
    let strings = || string_list(arg, &path, name);
    let affixes = || {
        let list = strings()?;
        if list.iter().any(String::is_empty) {
            return Err(PatternError::new(
                &path,
                format!(
                    "anything-but {name} must not be empty (\"Null prefix/suffix not allowed\")"
                ),
            ));
        }
        Ok(list)
    };
    if dialect != Dialect::EventBridge && matches!(name.as_str(), "suffix" | "equals-ignore-case") {
        return Err(PatternError::new(
            &path,
            format!(
                "SNS filter policies support anything-but with a value list or prefix only, not {name}"
            ),
        ));
    }
    match name.as_str() {
        "prefix" => Ok(AnythingBut::Prefix(affixes()?)),
        "suffix" => Ok(AnythingBut::Suffix(affixes()?)),
        "equals-ignore-case" => Ok(AnythingBut::IgnoreCase(
            strings()?.iter().map(|s| s.to_lowercase()).collect(),
        )),
        "wildcard" => {
            require_wildcard(dialect, &path)?;
            let globs = strings()?
                .iter()
                .map(|s| parse_wildcard(s, &path))
                .collect::<Result<Vec<_>, _>>()?;
            Ok(AnythingBut::Wildcard(globs))
        }
        other => Err(PatternError::new(
            &path,
            format!("unknown anything-but operator \"{other}\""),
        )),
    }
}

/// A string or a non-empty list of strings.
fn string_list(arg: &Value, path: &str, what: &str) -> Result<Vec<String>, PatternError> {
    match arg {
        Value::String(s) => Ok(vec![s.clone()]),
        Value::Array(items) if !items.is_empty() => items
            .iter()
            .enumerate()
            .map(|(i, v)| parse_string(v, &format!("{path}[{i}]"), what).map(str::to_string))
            .collect(),
        Value::Array(_) => Err(PatternError::new(path, "empty arrays are not allowed")),
        other => Err(PatternError::new(
            path,
            format!(
                "{what} requires a string or list of strings, found {}",
                type_name(other)
            ),
        )),
    }
}

fn parse_wildcard(text: &str, path: &str) -> Result<Wildcard, PatternError> {
    let mut segments = vec![String::new()];
    let mut previous_was_star = false;
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match c {
            '*' if previous_was_star => {
                return Err(PatternError::new(
                    path,
                    "consecutive wildcard characters are not allowed",
                ));
            }
            '*' => {
                segments.push(String::new());
                previous_was_star = true;
                continue;
            }
            '\\' => match chars.next() {
                Some(escaped @ ('*' | '\\')) => push_char(&mut segments, escaped),
                _ => {
                    return Err(PatternError::new(
                        path,
                        "invalid escape: a backslash may only precede '*' or '\\'",
                    ));
                }
            },
            other => push_char(&mut segments, other),
        }
        previous_was_star = false;
    }
    Ok(Wildcard { segments })
}

fn push_char(segments: &mut [String], c: char) {
    if let Some(last) = segments.last_mut() {
        last.push(c);
    }
}

fn parse_numeric(arg: &Value, path: &str) -> Result<NumericRange, PatternError> {
    let items = match arg {
        Value::Array(items) if !items.is_empty() => items,
        Value::Array(_) => return Err(PatternError::new(path, "empty arrays are not allowed")),
        other => {
            return Err(PatternError::new(
                path,
                format!(
                    "numeric requires an array like [\">\", 0, \"<=\", 5], found {}",
                    type_name(other)
                ),
            ));
        }
    };
    if items.len() % 2 != 0 || items.len() > 4 {
        return Err(PatternError::new(
            path,
            "numeric requires one or two (operator, number) pairs",
        ));
    }
    let mut range = NumericRange::default();
    if let [first, _, second, _] = items.as_slice() {
        check_range_order(first, second, path)?;
        range.from_pairs = true;
    }
    for (pair_index, pair) in items.chunks(2).enumerate() {
        let [op, operand] = pair else {
            return Err(PatternError::new(
                path,
                "numeric operator without an operand",
            ));
        };
        let op_path = format!("{path}[{}]", pair_index * 2);
        let operand_path = format!("{path}[{}]", pair_index * 2 + 1);
        let op = parse_string(op, &op_path, "numeric operator")?;
        let value = parse_number(operand, &operand_path)?;
        apply_numeric_op(&mut range, op, value, items.len(), &op_path)?;
    }
    check_range(&range, path)?;
    Ok(range)
}

fn apply_numeric_op(
    range: &mut NumericRange,
    op: &str,
    value: f64,
    item_count: usize,
    path: &str,
) -> Result<(), PatternError> {
    let (slot, inclusive) = match op {
        "=" if item_count == 2 => {
            let bound = Some(Bound {
                value,
                inclusive: true,
            });
            range.lower = bound;
            range.upper = bound;
            return Ok(());
        }
        "=" => {
            return Err(PatternError::new(
                path,
                "\"=\" cannot be combined with other numeric operators",
            ));
        }
        ">" => (&mut range.lower, false),
        ">=" => (&mut range.lower, true),
        "<" => (&mut range.upper, false),
        "<=" => (&mut range.upper, true),
        other => {
            return Err(PatternError::new(
                path,
                format!("unknown numeric operator \"{other}\" (expected =, <, <=, >, >=)"),
            ));
        }
    };
    if slot.is_some() {
        return Err(PatternError::new(
            path,
            format!("numeric range has two bounds on the same side (\"{op}\")"),
        ));
    }
    *slot = Some(Bound { value, inclusive });
    Ok(())
}

/// A two-sided range is written lower bound first (`>`/`>=`), then upper
/// bound (`<`/`<=`): event-ruler (`JsonRuleCompiler.processNumericMatchExpression`)
/// rejects `["<", 5, ">", 1]` ("Too many elements in numeric expression") and
/// `[">", 1, ">", 5]` ("Bad numeric range operator").
fn check_range_order(first: &Value, second: &Value, path: &str) -> Result<(), PatternError> {
    // Other malformed pairs ("=" with a second pair, two bounds on one side)
    // are reported by `apply_numeric_op`.
    let upper_first = matches!(first.as_str(), Some("<" | "<="));
    let lower_second = matches!(second.as_str(), Some(">" | ">="));
    if upper_first && lower_second {
        return Err(PatternError::new(
            &format!("{path}[0]"),
            "a numeric range must give its lower bound (\">\" or \">=\") first and its upper bound (\"<\" or \"<=\") second",
        ));
    }
    Ok(())
}

/// The lower bound must be strictly below the upper bound: event-ruler's
/// `Range.between` rejects equal bounds too ("Bottom must be less than top"),
/// so `[">=", 5, "<=", 5]` is invalid (write `["=", 5]`).
fn check_range(range: &NumericRange, path: &str) -> Result<(), PatternError> {
    if let (Some(lower), Some(upper)) = (range.lower, range.upper) {
        let single_equality = lower.inclusive && upper.inclusive && lower.value == upper.value;
        if lower.value >= upper.value && !single_equality {
            return Err(PatternError::new(
                path,
                "numeric lower bound must be less than the upper bound",
            ));
        }
        if single_equality && range.from_pairs {
            return Err(PatternError::new(
                path,
                "numeric lower bound must be less than the upper bound (use [\"=\", n] for one value)",
            ));
        }
    }
    Ok(())
}

/// A CIDR block. EventBridge rejects a block naming a single address (`/32`
/// for IPv4, `/128` for IPv6): event-ruler's `CIDR.cidr` requires "IPv4 mask
/// bits must be < 32" and "IPv6 mask bits must be < 128".
fn parse_cidr(text: &str, path: &str, dialect: Dialect) -> Result<Cidr, PatternError> {
    let invalid = || PatternError::new(path, format!("invalid CIDR block \"{text}\""));
    let (address, bits) = text.split_once('/').ok_or_else(invalid)?;
    let address: IpAddr = address.trim().parse().map_err(|_| invalid())?;
    let bits: u32 = bits.trim().parse().map_err(|_| invalid())?;
    let single_address = match address {
        IpAddr::V4(_) => bits == 32,
        IpAddr::V6(_) => bits == 128,
    };
    if single_address && dialect == Dialect::EventBridge {
        return Err(PatternError::new(
            path,
            format!(
                "CIDR block \"{text}\" names a single address; EventBridge requires IPv4 mask bits < 32 and IPv6 mask bits < 128"
            ),
        ));
    }
    match address {
        IpAddr::V4(v4) if bits <= 32 => Ok(Cidr::V4 {
            network: u32::from(v4) & mask_v4(bits),
            bits,
        }),
        IpAddr::V6(v6) if bits <= 128 => Ok(Cidr::V6 {
            network: u128::from(v6) & mask_v6(bits),
            bits,
        }),
        _ => Err(invalid()),
    }
}

fn mask_v4(bits: u32) -> u32 {
    u32::MAX.checked_shl(32 - bits).unwrap_or(0)
}

fn mask_v6(bits: u32) -> u128 {
    u128::MAX.checked_shl(128 - bits).unwrap_or(0)
}

// ---------------------------------------------------------------------------
// Compilation: `$or` expansion and dotted keys
// ---------------------------------------------------------------------------

/// One sub-rule as (field path, matchers), one entry per path.
type Conjunction = Vec<(Vec<String>, Vec<Matcher>)>;

impl ParsedObject {
    /// Whether any key (at any depth, `$or` branches included) contains a dot.
    fn has_dotted_key(&self) -> bool {
        self.entries.iter().any(|entry| match entry {
            Entry::Field(key, field) => {
                key.contains('.')
                    || matches!(field, ParsedField::Nested(inner) if inner.has_dotted_key())
            }
            Entry::AnyOf(branches) => branches.iter().any(ParsedObject::has_dotted_key),
        })
    }
}

/// Expands a parsed pattern into its `$or`-free sub-rules the way event-ruler
/// does: walking the entries in document order, each `$or` branch forks the
/// sub-rules built so far, and a condition on a path that already has one
/// replaces it. `path` names the pattern in errors.
fn compile(
    root: &ParsedObject,
    reading: KeyReading,
    path: &str,
) -> Result<Vec<ObjectPattern>, PatternError> {
    let conjunctions = expand(root, &[], reading, vec![Vec::new()], path)?;
    Ok(conjunctions.iter().map(build_tree).collect())
}

fn expand(
    object: &ParsedObject,
    prefix: &[String],
    reading: KeyReading,
    mut acc: Vec<Conjunction>,
    path: &str,
) -> Result<Vec<Conjunction>, PatternError> {
    for entry in &object.entries {
        match entry {
            Entry::Field(key, field) => {
                let mut field_path = prefix.to_vec();
                match reading {
                    KeyReading::Literal => field_path.push(key.clone()),
                    KeyReading::Dotted => field_path.extend(key.split('.').map(str::to_string)),
                }
                match field {
                    ParsedField::Leaf(matchers) => {
                        for conjunction in &mut acc {
                            set_condition(conjunction, &field_path, matchers);
                        }
                    }
                    ParsedField::Nested(inner) => {
                        acc = expand(inner, &field_path, reading, acc, path)?;
                    }
                }
            }
            Entry::AnyOf(branches) => {
                let mut forked = Vec::new();
                for branch in branches {
                    forked.extend(expand(branch, prefix, reading, acc.clone(), path)?);
                    if forked.len() > MAX_ALTERNATIVES {
                        return Err(PatternError::new(
                            path,
                            format!("$or expands to more than {MAX_ALTERNATIVES} sub-rules"),
                        ));
                    }
                }
                acc = forked;
            }
        }
    }
    Ok(acc)
}

/// Sets the condition on `path`, replacing an earlier one on the same path.
fn set_condition(conjunction: &mut Conjunction, path: &[String], matchers: &[Matcher]) {
    match conjunction.iter_mut().find(|(p, _)| p.as_slice() == path) {
        Some((_, existing)) => *existing = matchers.to_vec(),
        None => conjunction.push((path.to_vec(), matchers.to_vec())),
    }
}

/// Rebuilds the nested matching tree of one sub-rule.
fn build_tree(conjunction: &Conjunction) -> ObjectPattern {
    let mut root = ObjectPattern::default();
    for (path, matchers) in conjunction {
        root.insert(path, matchers);
    }
    root
}

impl ObjectPattern {
    fn insert(&mut self, path: &[String], matchers: &[Matcher]) {
        match path {
            [] => {}
            [key] => self
                .fields
                .push((key.clone(), FieldPattern::Leaf(matchers.to_vec()))),
            [key, rest @ ..] => {
                let existing = self.fields.iter_mut().find_map(|(k, f)| match f {
                    FieldPattern::Nested(object) if k == key => Some(object),
                    _ => None,
                });
                match existing {
                    Some(object) => object.insert(rest, matchers),
                    None => {
                        let mut object = ObjectPattern::default();
                        object.insert(rest, matchers);
                        self.fields
                            .push((key.clone(), FieldPattern::Nested(object)));
                    }
                }
            }
        }
    }
}

/// The event with every key containing `.` moved to the nested path it
/// names, merged with what is already there (event-ruler reads `"a.b": 1` and
/// `"a": {"b": 1}` alike). Borrowed unchanged when no key contains a dot.
fn expand_dotted_keys(value: &Value) -> Cow<'_, Value> {
    if !has_dotted_event_key(value) {
        return Cow::Borrowed(value);
    }
    Cow::Owned(expanded(value))
}

fn has_dotted_event_key(value: &Value) -> bool {
    let mut stack = vec![value];
    while let Some(v) = stack.pop() {
        match v {
            Value::Object(map) => {
                if map.keys().any(|k| k.contains('.')) {
                    return true;
                }
                stack.extend(map.values());
            }
            Value::Array(items) => stack.extend(items),
            _ => {}
        }
    }
    false
}

fn expanded(value: &Value) -> Value {
    match value {
        Value::Object(map) => {
            let mut out = Map::new();
            for (key, v) in map {
                let segments: Vec<&str> = key.split('.').collect();
                merge_at(&mut out, &segments, expanded(v));
            }
            Value::Object(out)
        }
        Value::Array(items) => Value::Array(items.iter().map(expanded).collect()),
        other => other.clone(),
    }
}

/// Puts `value` at `path` under `map`; where something is already there, two
/// objects merge and anything else becomes an array of both (each one then
/// counts as a value of that path, as in event-ruler's flattened view).
fn merge_at(map: &mut Map<String, Value>, path: &[&str], value: Value) {
    let Some((first, rest)) = path.split_first() else {
        return;
    };
    let value = if rest.is_empty() {
        value
    } else {
        let mut inner = Map::new();
        merge_at(&mut inner, rest, value);
        Value::Object(inner)
    };
    match map.get_mut(*first) {
        None => {
            map.insert((*first).to_string(), value);
        }
        Some(Value::Object(existing)) if value.is_object() => {
            if let Value::Object(new) = value {
                for (k, v) in new {
                    merge_at(existing, &[k.as_str()], v);
                }
            }
        }
        Some(existing) => {
            let old = existing.take();
            let mut items = match old {
                Value::Array(items) => items,
                other => vec![other],
            };
            items.push(value);
            *existing = Value::Array(items);
        }
    }
}

/// Whether any sub-rule matches `value`.
fn any_matches(alternatives: &[ObjectPattern], value: &Value, ctx: Ctx) -> bool {
    alternatives
        .iter()
        .any(|alt| alt.matches_one(Some(value), ctx))
}

// ---------------------------------------------------------------------------
// Matching
// ---------------------------------------------------------------------------

impl ObjectPattern {
    /// Matches a value that may be an array of candidate objects.
    fn matches(&self, value: Option<&Value>, ctx: Ctx) -> bool {
        match value {
            Some(Value::Array(_)) => {
                let candidates = flatten(value);
                if candidates.is_empty() {
                    self.matches_one(None, ctx)
                } else {
                    candidates
                        .into_iter()
                        .any(|c| self.matches_one(Some(c), ctx))
                }
            }
            other => self.matches_one(other, ctx),
        }
    }

    /// Matches one (non-array) value; non-objects behave like `{}`.
    fn matches_one(&self, value: Option<&Value>, ctx: Ctx) -> bool {
        let object = value.and_then(Value::as_object);
        self.fields
            .iter()
            .all(|(key, field)| field.matches(object.and_then(|o| o.get(key)), ctx))
    }
}

impl FieldPattern {
    fn matches(&self, value: Option<&Value>, ctx: Ctx) -> bool {
        match self {
            FieldPattern::Nested(object) => object.matches(value, ctx),
            FieldPattern::Leaf(matchers) => {
                let leaves: Vec<&Value> = flatten(value)
                    .into_iter()
                    .filter(|v| !v.is_object())
                    .collect();
                matchers.iter().any(|m| m.matches(&leaves, ctx))
            }
        }
    }
}

/// Flattens (nested) arrays iteratively, preserving order.
fn flatten(value: Option<&Value>) -> Vec<&Value> {
    let mut out = Vec::new();
    let mut stack: Vec<&Value> = value.into_iter().collect();
    while let Some(v) = stack.pop() {
        match v {
            Value::Array(items) => stack.extend(items.iter().rev()),
            other => out.push(other),
        }
    }
    out
}

impl Matcher {
    /// `leaves` are the scalar values of the field (empty when absent).
    fn matches(&self, leaves: &[&Value], ctx: Ctx) -> bool {
        match self {
            Matcher::Exists(expected) => leaves.is_empty() != *expected,
            _ => leaves.iter().any(|leaf| self.matches_leaf(leaf, ctx)),
        }
    }

    fn matches_leaf(&self, leaf: &Value, ctx: Ctx) -> bool {
        match self {
            Matcher::Exact(scalar) => scalar.equals(leaf, ctx),
            Matcher::Prefix(t) => leaf.as_str().is_some_and(|s| t.is_prefix_of(s)),
            Matcher::Suffix(t) => leaf.as_str().is_some_and(|s| t.is_suffix_of(s)),
            Matcher::EqualsIgnoreCase(l) => leaf.as_str().is_some_and(|s| s.to_lowercase() == *l),
            Matcher::Wildcard(w) => leaf.as_str().is_some_and(|s| w.matches(s)),
            Matcher::AnythingBut(a) => !a.excludes(leaf, ctx),
            Matcher::Numeric(r) => leaf_number(leaf, ctx).is_some_and(|n| r.contains(n)),
            Matcher::Cidr(c) => leaf.as_str().is_some_and(|s| c.contains(s)),
            Matcher::Exists(_) => false,
        }
    }
}

fn leaf_number(leaf: &Value, ctx: Ctx) -> Option<f64> {
    match leaf {
        Value::Number(n) => n.as_f64(),
        Value::String(s) if ctx.numeric_strings => {
            s.trim().parse::<f64>().ok().filter(|n| n.is_finite())
        }
        _ => None,
    }
}

impl Scalar {
    fn equals(&self, leaf: &Value, ctx: Ctx) -> bool {
        match (self, leaf) {
            (Scalar::Str(a), Value::String(b)) => a == b,
            (Scalar::Num(a), _) => leaf_number(leaf, ctx) == Some(*a),
            (Scalar::Bool(a), Value::Bool(b)) => a == b,
            (Scalar::Null, Value::Null) => true,
            _ => false,
        }
    }
}

impl TextMatch {
    fn is_prefix_of(&self, s: &str) -> bool {
        if self.ignore_case {
            s.to_lowercase().starts_with(&self.text)
        } else {
            s.starts_with(&self.text)
        }
    }

    fn is_suffix_of(&self, s: &str) -> bool {
        if self.ignore_case {
            s.to_lowercase().ends_with(&self.text)
        } else {
            s.ends_with(&self.text)
        }
    }
}

impl AnythingBut {
    /// Whether `leaf` is one of the excluded values. Operators on text never
    /// exclude non-string leaves.
    fn excludes(&self, leaf: &Value, ctx: Ctx) -> bool {
        let text = leaf.as_str();
        match self {
            AnythingBut::Values(values) => values.iter().any(|v| v.equals(leaf, ctx)),
            AnythingBut::Prefix(ps) => {
                text.is_some_and(|s| ps.iter().any(|p| s.starts_with(p.as_str())))
            }
            AnythingBut::Suffix(ss) => {
                text.is_some_and(|s| ss.iter().any(|x| s.ends_with(x.as_str())))
            }
            AnythingBut::IgnoreCase(ls) => text.is_some_and(|s| ls.contains(&s.to_lowercase())),
            AnythingBut::Wildcard(ws) => text.is_some_and(|s| ws.iter().any(|w| w.matches(s))),
        }
    }
}

impl Wildcard {
    fn matches(&self, text: &str) -> bool {
        let Some((first, rest)) = self.segments.split_first() else {
            return text.is_empty();
        };
        let Some((last, middle)) = rest.split_last() else {
            return text == first;
        };
        let Some(remaining) = text.strip_prefix(first.as_str()) else {
            return false;
        };
        let Some(mut remaining) = remaining.strip_suffix(last.as_str()) else {
            return false;
        };
        for segment in middle {
            match remaining.split_once(segment.as_str()) {
                Some((_, after)) => remaining = after,
                None => return false,
            }
        }
        true
    }
}

impl NumericRange {
    fn contains(&self, n: f64) -> bool {
        let above = self.lower.is_none_or(|b| {
            if b.inclusive {
                n >= b.value
            } else {
                n > b.value
            }
        });
        let below = self.upper.is_none_or(|b| {
            if b.inclusive {
                n <= b.value
            } else {
                n < b.value
            }
        });
        above && below
    }
}

impl Cidr {
    fn contains(&self, text: &str) -> bool {
        match (self, text.trim().parse::<IpAddr>()) {
            (Cidr::V4 { network, bits }, Ok(IpAddr::V4(ip))) => {
                u32::from(ip) & mask_v4(*bits) == *network
            }
            (Cidr::V6 { network, bits }, Ok(IpAddr::V6(ip))) => {
                u128::from(ip) & mask_v6(*bits) == *network
            }
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// (case name, pattern, event, expected match)
    type Case = (&'static str, Value, Value, bool);

    fn run(cases: &[Case]) {
        for (name, pattern, event, expected) in cases {
            let compiled = EventPattern::from_value(pattern)
                .unwrap_or_else(|e| panic!("{name}: pattern rejected: {e}"));
            assert_eq!(
                compiled.matches(event),
                *expected,
                "case {name}: pattern {pattern} event {event}"
            );
        }
    }

    fn detail(d: Value) -> Value {
        json!({"source": "aws.test", "detail-type": "Test", "detail": d})
    }

    #[test]
    fn exact_values_and_arrays_as_or() {
        run(&[
            // Docs "Event patterns": { "source": ["aws.ec2", "aws.fargate"] }
            (
                "source OR ec2",
                json!({"source": ["aws.ec2", "aws.fargate"]}),
                json!({"source": "aws.ec2"}),
                true,
            ),
            (
                "source OR fargate",
                json!({"source": ["aws.ec2", "aws.fargate"]}),
                json!({"source": "aws.fargate"}),
                true,
            ),
            (
                "source OR miss",
                json!({"source": ["aws.ec2", "aws.fargate"]}),
                json!({"source": "aws.s3"}),
                false,
            ),
            (
                "case sensitive",
                json!({"source": ["aws.ec2"]}),
                json!({"source": "AWS.EC2"}),
                false,
            ),
            ("number equality", json!({"n": [5]}), json!({"n": 5}), true),
            ("5 vs 5.0", json!({"n": [5]}), json!({"n": 5.0}), true),
            ("5.0 vs 5", json!({"n": [5.0]}), json!({"n": 5}), true),
            (
                "3.018e2 vs 301.8",
                json!({"n": [3.018e2]}),
                json!({"n": 301.8}),
                true,
            ),
            (
                "string is not number",
                json!({"n": ["5"]}),
                json!({"n": 5}),
                false,
            ),
            (
                "number is not string",
                json!({"n": [5]}),
                json!({"n": "5"}),
                false,
            ),
            ("bool true", json!({"b": [true]}), json!({"b": true}), true),
            (
                "bool mismatch",
                json!({"b": [true]}),
                json!({"b": false}),
                false,
            ),
            (
                "bool vs string",
                json!({"b": [true]}),
                json!({"b": "true"}),
                false,
            ),
            // Docs "Matching null values and empty strings": "responseElements": [null]
            (
                "null value",
                json!({"detail": {"responseElements": [null]}}),
                detail(json!({"responseElements": null})),
                true,
            ),
            (
                "null vs missing",
                json!({"detail": {"responseElements": [null]}}),
                detail(json!({})),
                false,
            ),
            // Docs: "eventVersion": [""]
            (
                "empty string",
                json!({"detail": {"eventVersion": [""]}}),
                detail(json!({"eventVersion": ""})),
                true,
            ),
            (
                "empty string vs null",
                json!({"detail": {"eventVersion": [""]}}),
                detail(json!({"eventVersion": null})),
                false,
            ),
            (
                "missing field fails",
                json!({"source": ["aws.ec2"], "region": ["us-east-1"]}),
                json!({"source": "aws.ec2"}),
                false,
            ),
            (
                "all fields AND",
                json!({"source": ["aws.ec2"], "region": ["us-east-1"]}),
                json!({"source": "aws.ec2", "region": "us-east-1", "x": 1}),
                true,
            ),
        ]);
    }

    #[test]
    fn nested_objects() {
        let p = json!({"source": ["aws.ec2"], "detail-type": ["EC2 Instance State-change Notification"], "detail": {"state": ["terminated"]}});
        let ev = |state: Value| json!({"source": "aws.ec2", "detail-type": "EC2 Instance State-change Notification", "detail": {"state": state, "instance-id": "i-1"}});
        run(&[
            // Docs "Event patterns" example pattern with "detail": {"state": ["terminated"]}
            ("nested match", p.clone(), ev(json!("terminated")), true),
            ("nested mismatch", p.clone(), ev(json!("running")), false),
            (
                "nested missing parent",
                p.clone(),
                json!({"source": "aws.ec2", "detail-type": "EC2 Instance State-change Notification"}),
                false,
            ),
            (
                "nested parent is scalar",
                p.clone(),
                json!({"source": "aws.ec2", "detail-type": "EC2 Instance State-change Notification", "detail": "terminated"}),
                false,
            ),
            (
                "deep nesting",
                json!({"a": {"b": {"c": {"d": ["x"]}}}}),
                json!({"a": {"b": {"c": {"d": "x"}}}}),
                true,
            ),
            (
                "leaf pattern on object value",
                json!({"detail": ["terminated"]}),
                json!({"detail": {"state": "terminated"}}),
                false,
            ),
        ]);
    }

    #[test]
    fn array_valued_event_fields() {
        // Docs "Arrays in EventBridge event patterns": "resources" pattern vs event array.
        let p = json!({"resources": [
            "arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f",
            "arn:aws:ec2:us-east-1:111122223333:instance/i-b188560f",
            "arn:aws:ec2:us-east-1:444455556666:instance/i-b188560f"
        ]});
        run(&[
            (
                "resources any element",
                p.clone(),
                json!({"resources": [
                    "arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f",
                    "arn:aws:ec2:us-east-1:123456789012:instance/i-b188560a"
                ]}),
                true,
            ),
            (
                "resources no element",
                p.clone(),
                json!({"resources": ["arn:aws:ec2:us-east-1:999999999999:instance/i-x"]}),
                false,
            ),
            ("empty event array", p, json!({"resources": []}), false),
            (
                "nested arrays flattened",
                json!({"a": ["x"]}),
                json!({"a": [["y"], ["x"]]}),
                true,
            ),
            (
                "numeric on array",
                json!({"a": [{"numeric": [">", 10]}]}),
                json!({"a": [1, 2, 11]}),
                true,
            ),
            (
                "objects in array",
                json!({"items": {"name": ["b"]}}),
                json!({"items": [{"name": "a"}, {"name": "b"}]}),
                true,
            ),
            // Fields of one pattern object must match within the same array element.
            (
                "array element consistency",
                json!({"items": {"name": ["a"], "v": ["2"]}}),
                json!({"items": [{"name": "a", "v": "1"}, {"name": "b", "v": "2"}]}),
                false,
            ),
            (
                "array element consistency ok",
                json!({"items": {"name": ["b"], "v": ["2"]}}),
                json!({"items": [{"name": "a", "v": "1"}, {"name": "b", "v": "2"}]}),
                true,
            ),
        ]);
    }

    #[test]
    fn prefix_and_suffix() {
        run(&[
            // Docs: { "time": [ { "prefix": "2017-10-02" } ] }
            (
                "prefix",
                json!({"time": [{"prefix": "2017-10-02"}]}),
                json!({"time": "2017-10-02T18:43:48Z"}),
                true,
            ),
            (
                "prefix miss",
                json!({"time": [{"prefix": "2017-10-02"}]}),
                json!({"time": "2017-10-03T18:43:48Z"}),
                false,
            ),
            (
                "prefix on number",
                json!({"n": [{"prefix": "1"}]}),
                json!({"n": 12}),
                false,
            ),
            // Docs: {"detail": {"service" : [{ "prefix": { "equals-ignore-case": "EventB" }}]}}
            (
                "prefix ignore case",
                json!({"detail": {"service": [{"prefix": {"equals-ignore-case": "EventB"}}]}}),
                detail(json!({"service": "eventbridge"})),
                true,
            ),
            (
                "prefix ignore case upper",
                json!({"detail": {"service": [{"prefix": {"equals-ignore-case": "EventB"}}]}}),
                detail(json!({"service": "EVENTBRIDGE"})),
                true,
            ),
            (
                "prefix ignore case miss",
                json!({"detail": {"service": [{"prefix": {"equals-ignore-case": "EventB"}}]}}),
                detail(json!({"service": "sns"})),
                false,
            ),
            // Docs: { "FileName": [ { "suffix": ".png" } ] }
            (
                "suffix",
                json!({"FileName": [{"suffix": ".png"}]}),
                json!({"FileName": "image.png"}),
                true,
            ),
            (
                "suffix case sensitive",
                json!({"FileName": [{"suffix": ".png"}]}),
                json!({"FileName": "image.PNG"}),
                false,
            ),
            // Docs: {"detail": {"FileName" : [{ "suffix": { "equals-ignore-case": ".png" }}]}}
            (
                "suffix ignore case",
                json!({"detail": {"FileName": [{"suffix": {"equals-ignore-case": ".png"}}]}}),
                detail(json!({"FileName": "photo.PNG"})),
                true,
            ),
            (
                "suffix ignore case miss",
                json!({"detail": {"FileName": [{"suffix": {"equals-ignore-case": ".png"}}]}}),
                detail(json!({"FileName": "photo.jpg"})),
                false,
            ),
        ]);
    }

    #[test]
    fn anything_but() {
        run(&[
            // Docs: "state": [ { "anything-but": "initializing" } ]
            (
                "string",
                json!({"detail": {"state": [{"anything-but": "initializing"}]}}),
                detail(json!({"state": "running"})),
                true,
            ),
            (
                "string excluded",
                json!({"detail": {"state": [{"anything-but": "initializing"}]}}),
                detail(json!({"state": "initializing"})),
                false,
            ),
            (
                "missing field",
                json!({"detail": {"state": [{"anything-but": "initializing"}]}}),
                detail(json!({})),
                false,
            ),
            // Docs: "x-limit": [ { "anything-but": 123 } ]
            (
                "number",
                json!({"detail": {"x-limit": [{"anything-but": 123}]}}),
                detail(json!({"x-limit": 456})),
                true,
            ),
            (
                "number excluded 123.0",
                json!({"detail": {"x-limit": [{"anything-but": 123}]}}),
                detail(json!({"x-limit": 123.0})),
                false,
            ),
            // Docs: "state": [ { "anything-but": [ "stopped", "overloaded" ] } ]
            (
                "string list",
                json!({"detail": {"state": [{"anything-but": ["stopped", "overloaded"]}]}}),
                detail(json!({"state": "running"})),
                true,
            ),
            (
                "string list excluded",
                json!({"detail": {"state": [{"anything-but": ["stopped", "overloaded"]}]}}),
                detail(json!({"state": "overloaded"})),
                false,
            ),
            // Docs: "x-limit": [ { "anything-but": [ 100, 200, 300 ] } ]
            (
                "number list",
                json!({"detail": {"x-limit": [{"anything-but": [100, 200, 300]}]}}),
                detail(json!({"x-limit": 150})),
                true,
            ),
            (
                "number list excluded",
                json!({"detail": {"x-limit": [{"anything-but": [100, 200, 300]}]}}),
                detail(json!({"x-limit": 200})),
                false,
            ),
            // Docs: "state": [ { "anything-but": { "prefix": "init" } } ]
            (
                "prefix",
                json!({"detail": {"state": [{"anything-but": {"prefix": "init"}}]}}),
                detail(json!({"state": "running"})),
                true,
            ),
            (
                "prefix excluded",
                json!({"detail": {"state": [{"anything-but": {"prefix": "init"}}]}}),
                detail(json!({"state": "initializing"})),
                false,
            ),
            // Docs: "Region": [ { "anything-but": {"prefix": "us-" } } ]
            (
                "prefix region",
                json!({"region": [{"anything-but": {"prefix": "us-"}}]}),
                json!({"region": "eu-west-1"}),
                true,
            ),
            // Docs: "FileName": [ { "anything-but": { "suffix": ".txt" } } ]
            (
                "suffix",
                json!({"detail": {"FileName": [{"anything-but": {"suffix": ".txt"}}]}}),
                detail(json!({"FileName": "a.png"})),
                true,
            ),
            (
                "suffix excluded",
                json!({"detail": {"FileName": [{"anything-but": {"suffix": ".txt"}}]}}),
                detail(json!({"FileName": "a.txt"})),
                false,
            ),
            // Docs: "state": [{ "anything-but": { "equals-ignore-case": "initializing" }}]
            (
                "ignore case",
                json!({"state": [{"anything-but": {"equals-ignore-case": "initializing"}}]}),
                json!({"state": "running"}),
                true,
            ),
            (
                "ignore case excluded",
                json!({"state": [{"anything-but": {"equals-ignore-case": "initializing"}}]}),
                json!({"state": "INITIALIZING"}),
                false,
            ),
            (
                "ignore case list",
                json!({"state": [{"anything-but": {"equals-ignore-case": ["Stopped", "OverLoaded"]}}]}),
                json!({"state": "STOPPED"}),
                false,
            ),
            // Docs: "FilePath" : [{ "anything-but": { "wildcard": "*/lib/*" }}]
            (
                "wildcard",
                json!({"FilePath": [{"anything-but": {"wildcard": "*/lib/*"}}]}),
                json!({"FilePath": "/usr/bin/x"}),
                true,
            ),
            (
                "wildcard excluded",
                json!({"FilePath": [{"anything-but": {"wildcard": "*/lib/*"}}]}),
                json!({"FilePath": "/usr/lib/x"}),
                false,
            ),
            (
                "array: one element not excluded",
                json!({"state": [{"anything-but": "a"}]}),
                json!({"state": ["a", "b"]}),
                true,
            ),
            (
                "array: all excluded",
                json!({"state": [{"anything-but": "a"}]}),
                json!({"state": ["a", "a"]}),
                false,
            ),
            (
                "type mismatch not excluded",
                json!({"state": [{"anything-but": "5"}]}),
                json!({"state": 5}),
                true,
            ),
        ]);
    }

    #[test]
    fn numeric() {
        // Docs: "c-count": [ { "numeric": [ ">", 0, "<=", 5 ] } ], "d-count": [ { "numeric": [ "<", 10 ] } ],
        // "x-limit": [ { "numeric": [ "=", 3.018e2 ] } ] against c-count 5, d-count 7, x-limit 301.8
        let docs = json!({"detail": {
            "c-count": [{"numeric": [">", 0, "<=", 5]}],
            "d-count": [{"numeric": ["<", 10]}],
            "x-limit": [{"numeric": ["=", 3.018e2]}]
        }});
        run(&[
            (
                "docs example",
                docs.clone(),
                detail(json!({"c-count": 5, "d-count": 7, "x-limit": 301.8})),
                true,
            ),
            (
                "docs example c-count 0",
                docs.clone(),
                detail(json!({"c-count": 0, "d-count": 7, "x-limit": 301.8})),
                false,
            ),
            (
                "docs example d-count 10",
                docs,
                detail(json!({"c-count": 5, "d-count": 10, "x-limit": 301.8})),
                false,
            ),
            (
                "= 5 vs 5.0",
                json!({"n": [{"numeric": ["=", 5]}]}),
                json!({"n": 5.0}),
                true,
            ),
            (
                ">= inclusive",
                json!({"n": [{"numeric": [">=", 7]}]}),
                json!({"n": 7.0}),
                true,
            ),
            (
                "> exclusive",
                json!({"n": [{"numeric": [">", 7]}]}),
                json!({"n": 7}),
                false,
            ),
            (
                "negative",
                json!({"n": [{"numeric": ["<", 0]}]}),
                json!({"n": -2.5}),
                true,
            ),
            (
                "string is not numeric",
                json!({"n": [{"numeric": [">", 0]}]}),
                json!({"n": "8"}),
                false,
            ),
            (
                "missing",
                json!({"n": [{"numeric": [">", 0]}]}),
                json!({}),
                false,
            ),
            (
                "OR with exact",
                json!({"n": [{"numeric": [">", 100]}, 3]}),
                json!({"n": 3}),
                true,
            ),
        ]);
    }

    #[test]
    fn exists() {
        run(&[
            // Docs: "detail": { "state": [ { "exists": true } ] }
            (
                "exists true present",
                json!({"detail": {"state": [{"exists": true}]}}),
                detail(json!({"state": "running"})),
                true,
            ),
            (
                "exists true absent",
                json!({"detail": {"state": [{"exists": true}]}}),
                detail(json!({})),
                false,
            ),
            (
                "exists true null value",
                json!({"detail": {"state": [{"exists": true}]}}),
                detail(json!({"state": null})),
                true,
            ),
            // Docs: "c-count": [ { "exists": false } ]
            (
                "exists false absent",
                json!({"detail": {"c-count": [{"exists": false}]}}),
                detail(json!({})),
                true,
            ),
            (
                "exists false present",
                json!({"detail": {"c-count": [{"exists": false}]}}),
                detail(json!({"c-count": 1})),
                false,
            ),
            (
                "exists false parent missing",
                json!({"detail": {"c-count": [{"exists": false}]}}),
                json!({"source": "x"}),
                true,
            ),
            (
                "exists false empty array",
                json!({"a": [{"exists": false}]}),
                json!({"a": []}),
                true,
            ),
            (
                "exists true on object (not a leaf)",
                json!({"detail": [{"exists": true}]}),
                detail(json!({"a": 1})),
                false,
            ),
            (
                "exists false OR value",
                json!({"a": [{"exists": false}, "x"]}),
                json!({"a": "x"}),
                true,
            ),
        ]);
    }

    #[test]
    fn equals_ignore_case() {
        run(&[
            // Docs: "name": [ { "equals-ignore-case": "alice" } ]
            (
                "lower",
                json!({"name": [{"equals-ignore-case": "alice"}]}),
                json!({"name": "Alice"}),
                true,
            ),
            (
                "upper",
                json!({"name": [{"equals-ignore-case": "alice"}]}),
                json!({"name": "ALICE"}),
                true,
            ),
            (
                "not substring",
                json!({"name": [{"equals-ignore-case": "alice"}]}),
                json!({"name": "alice2"}),
                false,
            ),
            (
                "detail-type",
                json!({"detail-type": [{"equals-ignore-case": "guardduty finding"}]}),
                json!({"detail-type": "GuardDuty Finding"}),
                true,
            ),
        ]);
    }

    #[test]
    fn wildcard() {
        let arn = json!({"EventBusArn": [{"wildcard": "arn:aws:events:us-east-1:*:event-bus/*"}]});
        run(&[
            // Docs: "EventBusArn": [ { "wildcard": "arn:aws:events:us-east-1:*:event-bus/*" } ]
            (
                "arn",
                arn.clone(),
                json!({"EventBusArn": "arn:aws:events:us-east-1:123456789012:event-bus/default"}),
                true,
            ),
            (
                "arn other region",
                arn,
                json!({"EventBusArn": "arn:aws:events:eu-west-1:123456789012:event-bus/default"}),
                false,
            ),
            // Docs: "Filename": [ { "wildcard": "*.png" } ]
            (
                "suffix glob",
                json!({"f": [{"wildcard": "*.png"}]}),
                json!({"f": "a.png"}),
                true,
            ),
            (
                "star matches empty",
                json!({"f": [{"wildcard": "a*b"}]}),
                json!({"f": "ab"}),
                true,
            ),
            (
                "no overlap",
                json!({"f": [{"wildcard": "ab*ba"}]}),
                json!({"f": "aba"}),
                false,
            ),
            (
                "middle segments in order",
                json!({"f": [{"wildcard": "*a*b*"}]}),
                json!({"f": "xbxa"}),
                false,
            ),
            (
                "no star is exact",
                json!({"f": [{"wildcard": "abc"}]}),
                json!({"f": "abc"}),
                true,
            ),
            // JSON "a\\*b" is the glob a\*b: a literal asterisk.
            (
                "escaped star literal",
                json!({"f": [{"wildcard": "a\\*b"}]}),
                json!({"f": "a*b"}),
                true,
            ),
            (
                "escaped star not glob",
                json!({"f": [{"wildcard": "a\\*b"}]}),
                json!({"f": "axb"}),
                false,
            ),
            (
                "escaped backslash",
                json!({"f": [{"wildcard": "a\\\\*"}]}),
                json!({"f": "a\\xyz"}),
                true,
            ),
            (
                "non-string",
                json!({"f": [{"wildcard": "*"}]}),
                json!({"f": 1}),
                false,
            ),
        ]);
    }

    #[test]
    fn cidr() {
        run(&[
            // Docs: "sourceIPAddress": [ { "cidr": "10.0.0.0/24" } ]
            (
                "v4 in",
                json!({"detail": {"sourceIPAddress": [{"cidr": "10.0.0.0/24"}]}}),
                detail(json!({"sourceIPAddress": "10.0.0.255"})),
                true,
            ),
            (
                "v4 out",
                json!({"detail": {"sourceIPAddress": [{"cidr": "10.0.0.0/24"}]}}),
                detail(json!({"sourceIPAddress": "10.0.1.1"})),
                false,
            ),
            // Docs: "sourceIPAddress": [ { "cidr": "2001:db8::/64" } ]
            (
                "v6 in",
                json!({"ip": [{"cidr": "2001:db8::/64"}]}),
                json!({"ip": "2001:db8::1"}),
                true,
            ),
            (
                "v6 out",
                json!({"ip": [{"cidr": "2001:db8::/64"}]}),
                json!({"ip": "2001:db9::1"}),
                false,
            ),
            (
                "family mismatch",
                json!({"ip": [{"cidr": "10.0.0.0/8"}]}),
                json!({"ip": "::1"}),
                false,
            ),
            (
                "/0 matches all v4",
                json!({"ip": [{"cidr": "0.0.0.0/0"}]}),
                json!({"ip": "203.0.113.9"}),
                true,
            ),
            (
                "/31 pair",
                json!({"ip": [{"cidr": "203.0.113.8/31"}]}),
                json!({"ip": "203.0.113.9"}),
                true,
            ),
            (
                "not an ip",
                json!({"ip": [{"cidr": "10.0.0.0/8"}]}),
                json!({"ip": "AWS Internal"}),
                false,
            ),
        ]);
    }

    /// Issue 15 item 4: a field repeated inside a `$or` branch. event-ruler
    /// forks the sub-rules per branch and the later condition on a path
    /// replaces the earlier one (document order), as LocalStack does too.
    #[test]
    fn repeated_field_in_or_branch_replaces_the_parent_condition() {
        let before = json!({"detail": {"severity": [{"numeric": [">=", 7]}],
            "$or": [{"severity": [{"numeric": ["<", 9]}]}, {"type": ["X"]}]}});
        let after = json!({"detail": {"$or": [{"severity": [{"numeric": ["<", 9]}]}, {"type": ["X"]}],
            "severity": [{"numeric": [">=", 7]}]}});
        run(&[
            // The issue's example: the branch's `< 9` replaces the parent's `>= 7`.
            (
                "branch replaces parent",
                before.clone(),
                detail(json!({"severity": 2})),
                true,
            ),
            (
                "branch still bounds",
                before.clone(),
                detail(json!({"severity": 9.5})),
                false,
            ),
            (
                "other branch keeps parent",
                before.clone(),
                detail(json!({"severity": 9.5, "type": "X"})),
                true,
            ),
            (
                "other branch needs parent",
                before,
                detail(json!({"severity": 2, "type": "X"})),
                true,
            ),
            // Written after the `$or`, the parent's condition replaces the branch's.
            (
                "parent after $or wins",
                after.clone(),
                detail(json!({"severity": 2})),
                false,
            ),
            (
                "parent after $or",
                after,
                detail(json!({"severity": 9.5})),
                true,
            ),
        ]);
    }

    /// Issue 15 item 5: dotted keys name nested fields in EventBridge
    /// (event-ruler README "Caveat: Compiled rules and JSON keys with dots").
    #[test]
    fn dotted_keys_match_nested_fields() {
        let nested = detail(json!({"service": {"action": {"actionType": "PORT_PROBE"}}}));
        let literal = detail(json!({"service.action.actionType": "PORT_PROBE"}));
        let other = detail(json!({"service": {"action": {"actionType": "DNS_REQUEST"}}}));
        let dotted = json!({"detail": {"service.action.actionType": ["PORT_PROBE"]}});
        let top = json!({"detail.service.action.actionType": ["PORT_PROBE"]});
        let plain = json!({"detail": {"service": {"action": {"actionType": ["PORT_PROBE"]}}}});
        run(&[
            (
                "dotted pattern, nested event",
                dotted.clone(),
                nested.clone(),
                true,
            ),
            (
                "dotted pattern, dotted event",
                dotted.clone(),
                literal.clone(),
                true,
            ),
            ("dotted pattern, other value", dotted, other.clone(), false),
            (
                "top-level dotted pattern",
                top.clone(),
                nested.clone(),
                true,
            ),
            ("top-level dotted, other", top, other, false),
            ("nested pattern, dotted event", plain, literal, true),
        ]);
    }

    /// Issue 15 item 5, SNS side: AWS does not document dotted keys in
    /// MessageBody policies, so disagreeing readings are Unknown.
    #[test]
    fn sns_body_dotted_keys_are_unknown_when_readings_disagree() {
        let policy = |p: &str| {
            FilterPolicy::parse(p, FilterPolicyScope::MessageBody)
                .unwrap_or_else(|e| panic!("{p}: {e}"))
        };
        let none = BTreeMap::new();
        let dotted = policy(r#"{"detail.severity": [{"numeric": [">=", 7]}]}"#);
        assert!(matches!(
            dotted.evaluate(&finding_body(8.0), &none),
            Delivery::Unknown(_)
        ));
        // Both readings drop a low-severity finding: a definite answer.
        assert_eq!(
            dotted.evaluate(&finding_body(2.0), &none),
            Delivery::Filtered
        );
        // A literal dotted key in the body with a nested policy disagrees too.
        let nested = policy(r#"{"detail": {"severity": [{"numeric": [">=", 7]}]}}"#);
        let body = json!({"detail.severity": 8}).to_string();
        assert!(matches!(
            nested.evaluate(&body, &none),
            Delivery::Unknown(_)
        ));
        assert_eq!(
            nested.evaluate(&finding_body(8.0), &none),
            Delivery::Delivered
        );
        // MessageAttributes names are literal: no ambiguity.
        let attrs = FilterPolicy::parse(r#"{"a.b": ["x"]}"#, FilterPolicyScope::MessageAttributes)
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            attrs.evaluate("", &attrs_of(&[("a.b", "x")])),
            Delivery::Delivered
        );
    }

    fn attrs_of(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    /// Issue 15 item 6: patterns the services reject at creation.
    #[test]
    fn patterns_the_services_reject_are_errors() {
        let rejected = [
            (r#"{"ip": [{"cidr": "10.0.0.1/32"}]}"#, "single address"),
            (r#"{"ip": [{"cidr": "2001:db8::1/128"}]}"#, "single address"),
            (
                r#"{"n": [{"numeric": [">=", 5, "<=", 5]}]}"#,
                "less than the upper bound",
            ),
            (r#"{"n": [{"numeric": ["<", 5, ">", 1]}]}"#, "lower bound"),
            (r#"{"n": [{"numeric": ["<=", 5, ">=", 1]}]}"#, "lower bound"),
            (r#"{"n": [{"numeric": [">", 1, ">", 5]}]}"#, "same side"),
            (r#"{"a": ["x"], "$or": [{"b": ["y"]}]}"#, "at least two"),
            (
                r#"{"a": [{"anything-but": {"prefix": ""}}]}"#,
                "must not be empty",
            ),
            (
                r#"{"a": [{"anything-but": {"suffix": ["x", ""]}}]}"#,
                "must not be empty",
            ),
        ];
        for (pattern, fragment) in rejected {
            match EventPattern::parse(pattern) {
                Ok(_) => panic!("accepted: {pattern}"),
                Err(e) => assert!(e.to_string().contains(fragment), "{pattern}: {e}"),
            }
        }
        for pattern in [
            r#"{"ip": [{"cidr": "10.0.0.0/31"}]}"#,
            r#"{"ip": [{"cidr": "2001:db8::/127"}]}"#,
            r#"{"n": [{"numeric": [">=", 5, "<=", 5.5]}]}"#,
            r#"{"n": [{"numeric": ["=", 5]}]}"#,
            r#"{"a": [{"prefix": ""}]}"#,
        ] {
            assert!(EventPattern::parse(pattern).is_ok(), "rejected: {pattern}");
        }
        let sns_rejected = [
            r#"{"a": [{"anything-but": {"suffix": "x"}}]}"#,
            r#"{"a": [{"anything-but": {"equals-ignore-case": "x"}}]}"#,
            r#"{"a": [{"anything-but": {"prefix": ""}}]}"#,
            r#"{"a": [{"numeric": [">=", 5, "<=", 5]}]}"#,
            r#"{"$or": [{"a": ["x"]}]}"#,
        ];
        for scope in [
            FilterPolicyScope::MessageAttributes,
            FilterPolicyScope::MessageBody,
        ] {
            for policy in sns_rejected {
                assert!(
                    FilterPolicy::parse(policy, scope).is_err(),
                    "{scope:?} accepted: {policy}"
                );
            }
            assert!(
                FilterPolicy::parse(r#"{"a": [{"anything-but": {"prefix": "x"}}]}"#, scope).is_ok()
            );
        }
        // SNS documents no single-address CIDR limit.
        assert!(
            FilterPolicy::parse(
                r#"{"ip": [{"cidr": "10.0.0.1/32"}]}"#,
                FilterPolicyScope::MessageAttributes
            )
            .is_ok()
        );
    }

    #[test]
    fn or_operator() {
        // Docs: "detail": { "$or": [ { "c-count": [...] }, { "d-count": [...] }, { "x-limit": [...] } ] }
        let p = json!({"detail": {"$or": [
            {"c-count": [{"numeric": [">", 0, "<=", 5]}]},
            {"d-count": [{"numeric": ["<", 10]}]},
            {"x-limit": [{"numeric": ["=", 3.018e2]}]}
        ]}});
        // Docs: "source": [ "aws.ec2" ], "$or": [ { "metricName": [...] }, { "namespace": [...] } ]
        let top = json!({"source": ["aws.ec2"], "$or": [
            {"metricName": ["CPUUtilization", "ReadLatency"]},
            {"namespace": ["AWS/EC2", "AWS/ES"]}
        ]});
        run(&[
            (
                "first alternative",
                p.clone(),
                detail(json!({"c-count": 3})),
                true,
            ),
            (
                "last alternative",
                p.clone(),
                detail(json!({"x-limit": 301.8})),
                true,
            ),
            (
                "no alternative",
                p.clone(),
                detail(json!({"c-count": 9, "d-count": 12})),
                false,
            ),
            (
                "top-level or metric",
                top.clone(),
                json!({"source": "aws.ec2", "metricName": "ReadLatency"}),
                true,
            ),
            (
                "top-level or namespace",
                top.clone(),
                json!({"source": "aws.ec2", "namespace": "AWS/ES"}),
                true,
            ),
            (
                "top-level or AND source",
                top.clone(),
                json!({"source": "aws.s3", "namespace": "AWS/ES"}),
                false,
            ),
            (
                "top-level or none",
                top,
                json!({"source": "aws.ec2", "namespace": "AWS/S3"}),
                false,
            ),
            (
                "$or plain field",
                json!({"$or": ["x"]}),
                json!({"$or": "x"}),
                true,
            ),
        ]);
    }

    fn assert_err(pattern: &str, path: &str, fragment: &str) {
        match EventPattern::parse(pattern) {
            Ok(_) => panic!("pattern {pattern} unexpectedly accepted"),
            Err(e) => {
                assert_eq!(e.path, path, "path for {pattern}: {e}");
                assert!(e.message.contains(fragment), "message for {pattern}: {e}");
            }
        }
    }

    #[test]
    fn malformed_patterns_are_errors() {
        let cases: &[(&str, &str, &str)] = &[
            ("not json", "$", "not valid JSON"),
            ("[]", "$", "must be a JSON object"),
            ("\"aws.ec2\"", "$", "must be a JSON object"),
            ("5", "$", "must be a JSON object"),
            ("null", "$", "must be a JSON object"),
            ("{}", "$", "empty objects"),
            (r#"{"detail": {}}"#, "$.detail", "empty objects"),
            (
                r#"{"source": "aws.guardduty"}"#,
                "$.source",
                "must be in an array",
            ),
            (r#"{"source": 5}"#, "$.source", "must be in an array"),
            (r#"{"source": []}"#, "$.source", "empty arrays"),
            (r#"{"a": [[1]]}"#, "$.a[0]", "nested arrays"),
            (
                r#"{"a": [{"regex": "x"}]}"#,
                "$.a[0].regex",
                "unknown operator",
            ),
            (r#"{"a": [{}]}"#, "$.a[0]", "exactly one key"),
            (
                r#"{"a": [{"prefix": "a", "suffix": "b"}]}"#,
                "$.a[0]",
                "exactly one key",
            ),
            (
                r#"{"a": [{"prefix": 5}]}"#,
                "$.a[0].prefix",
                "requires a string",
            ),
            (
                r#"{"a": [{"prefix": {"foo": "x"}}]}"#,
                "$.a[0].prefix",
                "only accepts",
            ),
            (
                r#"{"a": [{"suffix": {"equals-ignore-case": 1}}]}"#,
                "$.a[0].suffix.equals-ignore-case",
                "requires a string",
            ),
            (
                r#"{"a": [{"equals-ignore-case": ["x"]}]}"#,
                "$.a[0].equals-ignore-case",
                "requires a string",
            ),
            (
                r#"{"a": [{"exists": "true"}]}"#,
                "$.a[0].exists",
                "true or false",
            ),
            (
                r#"{"a": [{"numeric": []}]}"#,
                "$.a[0].numeric",
                "empty arrays",
            ),
            (
                r#"{"a": [{"numeric": 5}]}"#,
                "$.a[0].numeric",
                "requires an array",
            ),
            (r#"{"a": [{"numeric": [">"]}]}"#, "$.a[0].numeric", "pairs"),
            (
                r#"{"a": [{"numeric": [">", "5"]}]}"#,
                "$.a[0].numeric[1]",
                "finite number",
            ),
            (
                r#"{"a": [{"numeric": [5, ">"]}]}"#,
                "$.a[0].numeric[0]",
                "requires a string",
            ),
            (
                r#"{"a": [{"numeric": ["!=", 5]}]}"#,
                "$.a[0].numeric[0]",
                "unknown numeric operator",
            ),
            (
                r#"{"a": [{"numeric": ["=", 1, "<", 5]}]}"#,
                "$.a[0].numeric[0]",
                "cannot be combined",
            ),
            (
                r#"{"a": [{"numeric": [">", 1, ">", 2]}]}"#,
                "$.a[0].numeric[2]",
                "same side",
            ),
            (
                r#"{"a": [{"numeric": [">", 5, "<", 1]}]}"#,
                "$.a[0].numeric",
                "less than",
            ),
            (
                r#"{"a": [{"numeric": [">", 1, "<", 2, ">", 0]}]}"#,
                "$.a[0].numeric",
                "pairs",
            ),
            (
                r#"{"a": [{"anything-but": []}]}"#,
                "$.a[0].anything-but",
                "must not be empty",
            ),
            (
                r#"{"a": [{"anything-but": ["x", 1]}]}"#,
                "$.a[0].anything-but",
                "only strings or only numbers",
            ),
            (
                r#"{"a": [{"anything-but": true}]}"#,
                "$.a[0].anything-but",
                "requires",
            ),
            (
                r#"{"a": [{"anything-but": {"numeric": [">", 1]}}]}"#,
                "$.a[0].anything-but.numeric",
                "unknown anything-but operator",
            ),
            (
                r#"{"a": [{"anything-but": {"prefix": []}}]}"#,
                "$.a[0].anything-but.prefix",
                "empty arrays",
            ),
            (
                r#"{"a": [{"anything-but": {"prefix": 1}}]}"#,
                "$.a[0].anything-but.prefix",
                "requires",
            ),
            (
                r#"{"a": [{"wildcard": "a**b"}]}"#,
                "$.a[0].wildcard",
                "consecutive",
            ),
            (
                r#"{"a": [{"wildcard": "a\\b"}]}"#,
                "$.a[0].wildcard",
                "invalid escape",
            ),
            (
                r#"{"a": [{"anything-but": {"wildcard": "**"}}]}"#,
                "$.a[0].anything-but.wildcard",
                "consecutive",
            ),
            (
                r#"{"a": [{"cidr": "10.0.0.0/33"}]}"#,
                "$.a[0].cidr",
                "invalid CIDR",
            ),
            (
                r#"{"a": [{"cidr": "10.0.0.0"}]}"#,
                "$.a[0].cidr",
                "invalid CIDR",
            ),
            (
                r#"{"a": [{"cidr": "nope/8"}]}"#,
                "$.a[0].cidr",
                "invalid CIDR",
            ),
            (
                r#"{"a": [{"cidr": 10}]}"#,
                "$.a[0].cidr",
                "requires a string",
            ),
            (
                r#"{"$or": [{"a": ["x"]}, {"b": "y"}]}"#,
                "$.$or[1].b",
                "must be in an array",
            ),
            (
                r#"{"detail": {"severity": [{"numeric": [">=", "seven"]}]}}"#,
                "$.detail.severity[0].numeric[1]",
                "finite number",
            ),
        ];
        for (pattern, path, fragment) in cases {
            assert_err(pattern, path, fragment);
        }
    }

    #[test]
    fn error_display_names_path() {
        let err = EventPattern::parse(r#"{"detail": {"severity": [{"numeric": [">=", "7"]}]}}"#)
            .expect_err("must be rejected");
        assert_eq!(
            err.to_string(),
            "invalid event pattern at $.detail.severity[0].numeric[1]: expected a finite number, found a string"
        );
    }

    #[test]
    fn too_deep_pattern_is_error() {
        let mut value = json!(["x"]);
        for _ in 0..200 {
            value = json!({ "a": value });
        }
        let err = EventPattern::from_value(&value).expect_err("too deep");
        assert!(err.message.contains("nested too deeply"), "{err}");
    }

    #[test]
    fn never_panics_on_truncated_or_odd_input() {
        let seeds = [
            r#"{"source":["aws.guardduty"],"detail":{"severity":[{"numeric":[">=",7,"<",9.5]}],"type":[{"wildcard":"*\\*x"}]}}"#,
            r#"{"$or":[{"a":[{"anything-but":{"prefix":["x","y"]}}]},{"b":[{"cidr":"2001:db8::/64"}]}]}"#,
            r#"{"a":[{"prefix":{"equals-ignore-case":"ÄÖ"}},{"suffix":"ß"},null,true,1e308]}"#,
        ];
        let events = [
            json!(null),
            json!([]),
            json!({"source": ["aws.guardduty", 1, null, {"x": []}]}),
            json!({"detail": [[[{"severity": 8}]]], "a": "äöx", "b": "2001:db8::5"}),
        ];
        for seed in seeds {
            for end in 0..=seed.len() {
                let Some(text) = seed.get(..end) else {
                    continue;
                };
                if let Ok(p) = EventPattern::parse(text) {
                    for ev in &events {
                        let _ = p.matches(ev);
                    }
                }
                for scope in [
                    FilterPolicyScope::MessageAttributes,
                    FilterPolicyScope::MessageBody,
                ] {
                    if let Ok(p) = FilterPolicy::parse(text, scope) {
                        let _ = p.evaluate(text, &BTreeMap::new());
                    }
                }
            }
        }
        assert!(EventPattern::parse(r#"{"a":[1e400]}"#).is_err());
    }

    // ---------------------------------------------------------------------
    // SNS filter policies
    // ---------------------------------------------------------------------

    fn attrs(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    /// An EventBridge-delivered GuardDuty finding as SNS receives it: JSON
    /// body, no message attributes.
    fn finding_body(severity: f64) -> String {
        json!({
            "version": "0",
            "id": "cd2d702e-ab31-411b-9344-793ce56b1bc7",
            "detail-type": "GuardDuty Finding",
            "source": "aws.guardduty",
            "account": "111111111111",
            "time": "2024-03-01T12:00:00Z",
            "region": "us-east-1",
            "resources": [],
            "detail": {"schemaVersion": "2.0", "accountId": "222222222222", "severity": severity,
                        "type": "CryptoCurrency:EC2/BitcoinTool.B!DNS"}
        })
        .to_string()
    }

    type SnsCase = (
        &'static str,
        &'static str,
        String,
        BTreeMap<String, String>,
        bool,
    );

    fn run_sns(scope: FilterPolicyScope, cases: Vec<SnsCase>) {
        for (name, policy, body, attributes, expected) in cases {
            let compiled = FilterPolicy::parse(policy, scope)
                .unwrap_or_else(|e| panic!("{name}: policy rejected: {e}"));
            let delivered = match compiled.evaluate(&body, &attributes) {
                Delivery::Delivered => true,
                Delivery::Filtered => false,
                Delivery::Unknown(why) => panic!("case {name}: unknown: {why}"),
            };
            assert_eq!(delivered, expected, "case {name}");
        }
    }

    #[test]
    fn sns_message_attributes_scope() {
        let none = BTreeMap::new;
        let shop = || {
            attrs(&[
                ("store", "example_corp"),
                ("event", "order_placed"),
                ("price_usd", "210.75"),
                ("customer_interests", "soccer"),
            ])
        };
        use FilterPolicyScope::MessageAttributes as Attr;
        run_sns(
            Attr,
            vec![
                // EventBridge -> SNS publishes carry NO message attributes: dropped.
                (
                    "guardduty finding dropped",
                    r#"{"source": ["aws.guardduty"]}"#,
                    finding_body(8.0),
                    none(),
                    false,
                ),
                (
                    "severity attr dropped",
                    r#"{"severity": [{"numeric": [">=", 7]}]}"#,
                    finding_body(8.0),
                    none(),
                    false,
                ),
                (
                    "anything-but needs attribute",
                    r#"{"event": [{"anything-but": "order_cancelled"}]}"#,
                    finding_body(8.0),
                    none(),
                    false,
                ),
                (
                    "exists false satisfied by absence",
                    r#"{"store": [{"exists": false}]}"#,
                    finding_body(8.0),
                    none(),
                    true,
                ),
                (
                    "empty policy delivers all",
                    "{}",
                    finding_body(8.0),
                    none(),
                    true,
                ),
                // SNS docs example policy style
                (
                    "store exact",
                    r#"{"store": ["example_corp"], "event": [{"anything-but": "order_cancelled"}]}"#,
                    String::new(),
                    shop(),
                    true,
                ),
                (
                    "price numeric",
                    r#"{"price_usd": [{"numeric": [">=", 100]}]}"#,
                    String::new(),
                    shop(),
                    true,
                ),
                (
                    "price numeric miss",
                    r#"{"price_usd": [{"numeric": ["<", 100]}]}"#,
                    String::new(),
                    shop(),
                    false,
                ),
                (
                    "price exact number",
                    r#"{"price_usd": [210.75]}"#,
                    String::new(),
                    shop(),
                    true,
                ),
                (
                    "prefix",
                    r#"{"store": [{"prefix": "example"}]}"#,
                    String::new(),
                    shop(),
                    true,
                ),
                (
                    "suffix",
                    r#"{"store": [{"suffix": "_corp"}]}"#,
                    String::new(),
                    shop(),
                    true,
                ),
                (
                    "equals-ignore-case",
                    r#"{"store": [{"equals-ignore-case": "EXAMPLE_CORP"}]}"#,
                    String::new(),
                    shop(),
                    true,
                ),
                (
                    "anything-but excluded",
                    r#"{"event": [{"anything-but": ["order_placed"]}]}"#,
                    String::new(),
                    shop(),
                    false,
                ),
                (
                    "exists true",
                    r#"{"store": [{"exists": true}]}"#,
                    String::new(),
                    shop(),
                    true,
                ),
                (
                    "exists false present",
                    r#"{"store": [{"exists": false}]}"#,
                    String::new(),
                    shop(),
                    false,
                ),
                (
                    "or",
                    r#"{"$or": [{"store": ["x"]}, {"event": ["order_placed"]}]}"#,
                    String::new(),
                    shop(),
                    true,
                ),
                (
                    "cidr",
                    r#"{"ip": [{"cidr": "10.0.0.0/8"}]}"#,
                    String::new(),
                    attrs(&[("ip", "10.1.2.3")]),
                    true,
                ),
                (
                    "body ignored",
                    r#"{"source": ["aws.guardduty"]}"#,
                    finding_body(8.0),
                    attrs(&[("source", "aws.guardduty")]),
                    true,
                ),
            ],
        );
    }

    #[test]
    fn sns_message_body_scope() {
        use FilterPolicyScope::MessageBody as Body;
        let none = BTreeMap::new;
        let severe = r#"{"detail": {"severity": [{"numeric": [">=", 7]}]}}"#;
        run_sns(
            Body,
            vec![
                ("sev 8.0 passes", severe, finding_body(8.0), none(), true),
                ("sev 7.0 passes", severe, finding_body(7.0), none(), true),
                ("sev 5.0 dropped", severe, finding_body(5.0), none(), false),
                (
                    "source and type",
                    r#"{"source": ["aws.guardduty"], "detail": {"type": [{"prefix": "CryptoCurrency:"}]}}"#,
                    finding_body(5.0),
                    none(),
                    true,
                ),
                (
                    "numeric string not a number in body",
                    severe,
                    r#"{"detail": {"severity": "8"}}"#.to_string(),
                    none(),
                    false,
                ),
                (
                    "raw string body dropped",
                    severe,
                    "severity 8".to_string(),
                    none(),
                    false,
                ),
                (
                    "raw body with exists false",
                    r#"{"a": [{"exists": false}]}"#,
                    "plain text".to_string(),
                    none(),
                    false,
                ),
                (
                    "attributes ignored",
                    r#"{"source": ["aws.guardduty"]}"#,
                    "{}".to_string(),
                    attrs(&[("source", "aws.guardduty")]),
                    false,
                ),
            ],
        );
    }

    #[test]
    fn sns_policy_errors() {
        use FilterPolicyScope::{MessageAttributes, MessageBody};
        let cases: &[(&str, FilterPolicyScope, &str)] = &[
            (
                r#"{"detail": {"severity": [{"numeric": [">=", 7]}]}}"#,
                MessageAttributes,
                "$.detail",
            ),
            (
                r#"{"a": [{"wildcard": "x*"}]}"#,
                MessageAttributes,
                "$.a[0].wildcard",
            ),
            (
                r#"{"a": [{"wildcard": "x*"}]}"#,
                MessageBody,
                "$.a[0].wildcard",
            ),
            (
                r#"{"a": [{"anything-but": {"wildcard": "x*"}}]}"#,
                MessageBody,
                "$.a[0].anything-but.wildcard",
            ),
            (r#"{"a": "x"}"#, MessageBody, "$.a"),
            ("[]", MessageBody, "$"),
            ("nope", MessageAttributes, "$"),
        ];
        for (policy, scope, path) in cases {
            let err = FilterPolicy::parse(policy, *scope).expect_err(policy);
            assert_eq!(err.path, *path, "{policy}: {err}");
        }
    }
}
