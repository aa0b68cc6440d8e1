//! CloudWatch Logs filter-pattern evaluator.
//!
//! Implements the pattern syntax used by metric filters, subscription filters,
//! `FilterLogEvents` and Live Tail (AWS page "Filter pattern syntax for metric
//! filters, subscription filters, filter log events, and Live Tail"):
//!
//! * the empty pattern, which matches every event;
//! * term patterns (`ERROR -Exiting`, `?ERROR ?WARN`, `"exact phrase"`),
//!   matched as case-sensitive substrings of the raw message;
//! * JSON patterns (`{ $.a.b = "x" && $.n > 3 }`), evaluated against the
//!   message parsed as JSON;
//! * space-delimited patterns (`[ip, user, ..., status_code = 4*, bytes]`).
//!
//! Regular-expression patterns (`%...%`) are not supported and are reported
//! as a [`FilterError`].

use std::cmp::Ordering;

use serde_json::Value;

/// A pattern that could not be parsed, with the 1-based character column of
/// the problem.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid filter pattern at column {column}: {message}")]
pub struct FilterError {
    /// 1-based character column in the pattern where the problem was found.
    pub column: usize,
    /// Human-readable description of the problem.
    pub message: String,
}

/// A parsed CloudWatch Logs filter pattern, ready to be matched against log
/// event messages.
#[derive(Debug, Clone)]
pub struct FilterPattern {
    kind: Kind,
}

impl FilterPattern {
    /// Parses a filter pattern; returns an error with a column for malformed
    /// or unsupported patterns. Never panics.
    pub fn parse(pattern: &str) -> Result<Self, FilterError> {
        let mut cur = Cursor::new(pattern);
        if cur.chars.len() > MAX_PATTERN_CHARS {
            return Err(cur.err_at(
                MAX_PATTERN_CHARS,
                format!("pattern is longer than {MAX_PATTERN_CHARS} characters"),
            ));
        }
        cur.skip_ws();
        let kind = match cur.peek() {
            None => Kind::All,
            Some('{') => Kind::Json(parse_json_pattern(&mut cur)?),
            Some('[') => Kind::Delimited(parse_delimited_pattern(&mut cur)?),
            Some(_) => Kind::Terms(parse_term_pattern(&mut cur)?),
        };
        Ok(Self { kind })
    }

    /// Does this pattern match one log event's message?
    pub fn matches(&self, message: &str) -> bool {
        match &self.kind {
            Kind::All => true,
            Kind::Terms(terms) => terms.matches(message),
            Kind::Json(expr) => match serde_json::from_str::<Value>(message) {
                Ok(doc) => expr.eval(&doc),
                Err(_) => false,
            },
            Kind::Delimited(pattern) => pattern.matches(message),
        }
    }
}

/// AWS rejects filter patterns longer than this.
const MAX_PATTERN_CHARS: usize = 1024;
/// Maximum nesting of parentheses in a JSON pattern.
const MAX_DEPTH: usize = 64;
/// Upper bound on alignment attempts for space-delimited patterns.
const ALIGN_BUDGET: u32 = 100_000;

#[derive(Debug, Clone)]
enum Kind {
    All,
    Terms(TermPattern),
    Json(JsonExpr),
    Delimited(DelimitedPattern),
}

// ---------------------------------------------------------------------------
// Cursor shared by all parsers
// ---------------------------------------------------------------------------

struct Cursor {
    chars: Vec<char>,
    pos: usize,
}

impl Cursor {
    fn new(pattern: &str) -> Self {
        Self {
            chars: pattern.chars().collect(),
            pos: 0,
        }
    }

    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    fn peek_at(&self, offset: usize) -> Option<char> {
        self.chars.get(self.pos + offset).copied()
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.pos += 1;
        Some(c)
    }

    fn at_end(&self) -> bool {
        self.pos >= self.chars.len()
    }

    fn skip_ws(&mut self) {
        while self.peek().is_some_and(char::is_whitespace) {
            self.pos += 1;
        }
    }

    fn starts_with(&self, text: &str) -> bool {
        text.chars()
            .enumerate()
            .all(|(i, c)| self.peek_at(i) == Some(c))
    }

    fn eat(&mut self, text: &str) -> bool {
        let found = self.starts_with(text);
        if found {
            self.pos += text.chars().count();
        }
        found
    }

    /// Consumes an upper-case keyword only when it is not followed by a word
    /// character.
    fn eat_keyword(&mut self, word: &str) -> bool {
        let len = word.chars().count();
        let bounded = !self.peek_at(len).is_some_and(is_word_char);
        bounded && self.eat(word)
    }

    fn take_while(&mut self, keep: impl Fn(char) -> bool) -> String {
        let start = self.pos;
        while self.peek().is_some_and(&keep) {
            self.pos += 1;
        }
        self.chars[start..self.pos].iter().collect()
    }

    fn expect(&mut self, c: char, what: &str) -> Result<(), FilterError> {
        if self.peek() == Some(c) {
            self.pos += 1;
            Ok(())
        } else {
            Err(self.err(format!("expected {what}, found {}", self.describe())))
        }
    }

    fn describe(&self) -> String {
        match self.peek() {
            Some(c) => format!("'{c}'"),
            None => "end of pattern".to_string(),
        }
    }

    fn err(&self, message: impl Into<String>) -> FilterError {
        self.err_at(self.pos, message)
    }

    fn err_at(&self, pos: usize, message: impl Into<String>) -> FilterError {
        FilterError {
            column: pos + 1,
            message: message.into(),
        }
    }

    /// Reads a double-quoted string starting at the opening quote. `\"` and
    /// `\\` are unescaped; other backslashes are kept literally.
    fn quoted(&mut self) -> Result<String, FilterError> {
        let open = self.pos;
        self.expect('"', "'\"'")?;
        let mut out = String::new();
        loop {
            match self.bump() {
                None => return Err(self.err_at(open, "unterminated quoted string")),
                Some('"') => return Ok(out),
                Some('\\') => match self.peek() {
                    Some(c @ ('"' | '\\')) => {
                        self.pos += 1;
                        out.push(c);
                    }
                    _ => out.push('\\'),
                },
                Some(c) => out.push(c),
            }
        }
    }
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

fn is_regex_literal(text: &str) -> bool {
    text.len() >= 2 && text.starts_with('%') && text.ends_with('%')
}

fn regex_unsupported(cur: &Cursor, pos: usize) -> FilterError {
    cur.err_at(pos, "regular-expression patterns (%...%) are not supported")
}

// ---------------------------------------------------------------------------
// Values shared by JSON and space-delimited patterns
// ---------------------------------------------------------------------------

/// `*` at the start and/or end of a string matches any text; an inner `*`
/// is literal (the docs: "Ev*ent will only match the actual string Ev*ent").
#[derive(Debug, Clone, PartialEq)]
struct Glob {
    any_prefix: bool,
    any_suffix: bool,
    text: String,
}

impl Glob {
    fn new(raw: &str) -> Self {
        let (any_prefix, rest) = match raw.strip_prefix('*') {
            Some(rest) => (true, rest),
            None => (false, raw),
        };
        let (any_suffix, text) = match rest.strip_suffix('*') {
            Some(text) => (true, text),
            None => (false, rest),
        };
        Self {
            any_prefix,
            any_suffix,
            text: text.to_string(),
        }
    }

    fn matches(&self, value: &str) -> bool {
        match (self.any_prefix, self.any_suffix) {
            (true, true) => value.contains(&self.text),
            (true, false) => value.ends_with(&self.text),
            (false, true) => value.starts_with(&self.text),
            (false, false) => value == self.text,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CmpOp {
    Eq,
    Ne,
    Lt,
    Gt,
    Le,
    Ge,
}

impl CmpOp {
    fn is_relational(self) -> bool {
        !matches!(self, CmpOp::Eq | CmpOp::Ne)
    }

    fn accepts(self, ordering: Ordering) -> bool {
        match self {
            CmpOp::Eq => ordering == Ordering::Equal,
            CmpOp::Ne => ordering != Ordering::Equal,
            CmpOp::Lt => ordering == Ordering::Less,
            CmpOp::Gt => ordering == Ordering::Greater,
            CmpOp::Le => ordering != Ordering::Greater,
            CmpOp::Ge => ordering != Ordering::Less,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Literal {
    /// An unquoted number; `text` is kept for comparisons with strings.
    Number { value: f64, text: String },
    /// A quoted or unquoted string, with edge wildcards.
    Text(Glob),
}

fn parse_op(cur: &mut Cursor) -> Result<CmpOp, FilterError> {
    let start = cur.pos;
    let op = if cur.eat("!=") {
        CmpOp::Ne
    } else if cur.eat("<=") {
        CmpOp::Le
    } else if cur.eat(">=") {
        CmpOp::Ge
    } else if cur.eat("=") {
        CmpOp::Eq
    } else if cur.eat("<") {
        CmpOp::Lt
    } else if cur.eat(">") {
        CmpOp::Gt
    } else {
        return Err(cur.err(format!("expected an operator, found {}", cur.describe())));
    };
    if cur.peek() == Some('=') {
        return Err(cur.err_at(start, "invalid operator; use =, !=, <, >, <= or >="));
    }
    Ok(op)
}

/// Parses the value after an operator. `stop` tells where an unquoted value
/// ends.
fn parse_literal(
    cur: &mut Cursor,
    op: CmpOp,
    stop: impl Fn(char) -> bool,
) -> Result<Literal, FilterError> {
    cur.skip_ws();
    let start = cur.pos;
    let literal = if cur.peek() == Some('"') {
        Literal::Text(Glob::new(&cur.quoted()?))
    } else {
        bare_literal(cur, stop)?
    };
    if op.is_relational() && !matches!(literal, Literal::Number { .. }) {
        return Err(cur.err_at(start, "operators <, >, <=, >= need a numeric value"));
    }
    Ok(literal)
}

fn bare_literal(cur: &mut Cursor, stop: impl Fn(char) -> bool) -> Result<Literal, FilterError> {
    let start = cur.pos;
    if cur.peek().is_some_and(|c| "=!<>".contains(c)) {
        return Err(cur.err("invalid operator; use =, !=, <, >, <= or >="));
    }
    let text = cur.take_while(|c| !c.is_whitespace() && !stop(c));
    if text.is_empty() {
        return Err(cur.err(format!("expected a value, found {}", cur.describe())));
    }
    if is_regex_literal(&text) {
        return Err(regex_unsupported(cur, start));
    }
    Ok(match parse_number(&text) {
        Some(value) => Literal::Number { value, text },
        None => Literal::Text(Glob::new(&text)),
    })
}

/// Number syntax from the docs: optional sign, integer or decimal, optional
/// exponent.
fn parse_number(text: &str) -> Option<f64> {
    let unsigned = text.strip_prefix(['+', '-']).unwrap_or(text);
    let (mantissa, exponent) = match unsigned.split_once(['e', 'E']) {
        Some((m, e)) => (m, Some(e)),
        None => (unsigned, None),
    };
    let (int_part, frac_part) = match mantissa.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (mantissa, None),
    };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let exponent_ok = exponent.is_none_or(|e| digits(e.strip_prefix(['+', '-']).unwrap_or(e)));
    let valid = digits(int_part) && frac_part.is_none_or(digits) && exponent_ok;
    if !valid {
        return None;
    }
    text.strip_prefix('+').unwrap_or(text).parse().ok()
}

// ---------------------------------------------------------------------------
// Term patterns
// ---------------------------------------------------------------------------

#[derive(Debug, Clone, Default)]
struct TermPattern {
    required: Vec<String>,
    any_of: Vec<String>,
    excluded: Vec<String>,
}

impl TermPattern {
    /// All plain terms present, at least one `?term` present (if any were
    /// given), and no `-term` present.
    fn matches(&self, message: &str) -> bool {
        let has = |term: &String| message.contains(term.as_str());
        self.required.iter().all(has)
            && (self.any_of.is_empty() || self.any_of.iter().any(has))
            && !self.excluded.iter().any(has)
    }
}

fn parse_term_pattern(cur: &mut Cursor) -> Result<TermPattern, FilterError> {
    let mut pattern = TermPattern::default();
    loop {
        cur.skip_ws();
        let Some(first) = cur.peek() else {
            return Ok(pattern);
        };
        let list = match first {
            '?' => &mut pattern.any_of,
            '-' => &mut pattern.excluded,
            _ => &mut pattern.required,
        };
        if matches!(first, '?' | '-') {
            cur.pos += 1;
            cur.skip_ws();
        }
        list.push(parse_term(cur, first)?);
    }
}

fn parse_term(cur: &mut Cursor, prefix: char) -> Result<String, FilterError> {
    let start = cur.pos;
    match cur.peek() {
        None => Err(cur.err(format!("expected a term after '{prefix}'"))),
        Some('"') => cur.quoted(),
        Some(_) => {
            let term = cur.take_while(|c| !c.is_whitespace());
            if is_regex_literal(&term) {
                return Err(regex_unsupported(cur, start));
            }
            Ok(term)
        }
    }
}

// ---------------------------------------------------------------------------
// JSON patterns
// ---------------------------------------------------------------------------

#[derive(Debug, Clone)]
enum JsonExpr {
    Or(Vec<JsonExpr>),
    And(Vec<JsonExpr>),
    Cond(JsonCond),
}

#[derive(Debug, Clone)]
struct JsonCond {
    selector: Vec<Step>,
    test: JsonTest,
}

#[derive(Debug, Clone, PartialEq)]
enum Step {
    Key(String),
    Index(usize),
    AnyIndex,
}

#[derive(Debug, Clone)]
enum JsonTest {
    IsNull,
    IsTrue,
    IsFalse,
    NotExists,
    Compare(CmpOp, Literal),
}

impl JsonExpr {
    fn eval(&self, doc: &Value) -> bool {
        match self {
            JsonExpr::Or(items) => items.iter().any(|e| e.eval(doc)),
            JsonExpr::And(items) => items.iter().all(|e| e.eval(doc)),
            JsonExpr::Cond(cond) => cond.eval(doc),
        }
    }
}

impl JsonCond {
    fn eval(&self, doc: &Value) -> bool {
        let found = resolve(doc, &self.selector);
        match &self.test {
            JsonTest::NotExists => found.is_empty(),
            JsonTest::IsNull => found.iter().any(|v| v.is_null()),
            JsonTest::IsTrue => found.iter().any(|v| v.as_bool() == Some(true)),
            JsonTest::IsFalse => found.iter().any(|v| v.as_bool() == Some(false)),
            JsonTest::Compare(op, lit) => found.iter().any(|v| compare_json(v, *op, lit)),
        }
    }
}

/// All values the selector reaches (more than one only through `[*]`).
fn resolve<'a>(doc: &'a Value, steps: &[Step]) -> Vec<&'a Value> {
    let mut current = vec![doc];
    for step in steps {
        current = current
            .into_iter()
            .flat_map(|value| step_into(value, step))
            .collect();
    }
    current
}

fn step_into<'a>(value: &'a Value, step: &Step) -> Vec<&'a Value> {
    match (step, value) {
        (Step::Key(key), Value::Object(map)) => map.get(key).into_iter().collect(),
        (Step::Index(i), Value::Array(items)) => items.get(*i).into_iter().collect(),
        (Step::AnyIndex, Value::Array(items)) => items.iter().collect(),
        _ => Vec::new(),
    }
}

/// Compares one JSON value. Only strings, numbers and booleans can compare;
/// null, arrays and objects fail both `=` and `!=` (per the docs).
fn compare_json(value: &Value, op: CmpOp, lit: &Literal) -> bool {
    let Some(text) = scalar_text(value) else {
        return false;
    };
    match lit {
        Literal::Number {
            value: n,
            text: raw,
        } => match value.as_f64() {
            Some(actual) => actual.partial_cmp(n).is_some_and(|o| op.accepts(o)),
            None if op == CmpOp::Eq => text == *raw,
            None if op == CmpOp::Ne => text != *raw,
            None => false,
        },
        Literal::Text(glob) => match op {
            CmpOp::Eq => glob.matches(&text),
            CmpOp::Ne => !glob.matches(&text),
            _ => false,
        },
    }
}

fn scalar_text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn parse_json_pattern(cur: &mut Cursor) -> Result<JsonExpr, FilterError> {
    cur.expect('{', "'{'")?;
    let expr = parse_json_or(cur, 0)?;
    cur.skip_ws();
    cur.expect('}', "'}', '&&' or '||'")?;
    expect_end(cur)?;
    Ok(expr)
}

fn expect_end(cur: &mut Cursor) -> Result<(), FilterError> {
    cur.skip_ws();
    if cur.at_end() {
        Ok(())
    } else {
        Err(cur.err(format!("unexpected {} after the pattern", cur.describe())))
    }
}

fn parse_json_or(cur: &mut Cursor, depth: usize) -> Result<JsonExpr, FilterError> {
    let mut items = vec![parse_json_and(cur, depth)?];
    loop {
        cur.skip_ws();
        if !cur.eat("||") {
            break;
        }
        items.push(parse_json_and(cur, depth)?);
    }
    Ok(collapse(items, JsonExpr::Or))
}

fn parse_json_and(cur: &mut Cursor, depth: usize) -> Result<JsonExpr, FilterError> {
    let mut items = vec![parse_json_unary(cur, depth)?];
    loop {
        cur.skip_ws();
        if !cur.eat("&&") {
            break;
        }
        items.push(parse_json_unary(cur, depth)?);
    }
    Ok(collapse(items, JsonExpr::And))
}

/// Unwraps a one-element list; wraps longer lists with `wrap`.
fn collapse<T>(mut items: Vec<T>, wrap: fn(Vec<T>) -> T) -> T {
    if items.len() == 1
        && let Some(only) = items.pop()
    {
        return only;
    }
    wrap(items)
}

fn parse_json_unary(cur: &mut Cursor, depth: usize) -> Result<JsonExpr, FilterError> {
    cur.skip_ws();
    if cur.peek() != Some('(') {
        return Ok(JsonExpr::Cond(parse_json_cond(cur)?));
    }
    if depth >= MAX_DEPTH {
        return Err(cur.err("parentheses are nested too deeply"));
    }
    let open = cur.pos;
    cur.pos += 1;
    let inner = parse_json_or(cur, depth + 1)?;
    cur.skip_ws();
    if cur.peek() != Some(')') {
        let found = cur.describe();
        return Err(cur.err_at(open, format!("unbalanced '(': expected ')', found {found}")));
    }
    cur.pos += 1;
    Ok(inner)
}

fn parse_json_cond(cur: &mut Cursor) -> Result<JsonCond, FilterError> {
    let selector = parse_selector(cur)?;
    cur.skip_ws();
    let test = if cur.eat_keyword("IS") {
        cur.skip_ws();
        parse_is_test(cur)?
    } else if cur.eat_keyword("NOT") {
        cur.skip_ws();
        if !cur.eat_keyword("EXISTS") {
            return Err(cur.err("expected EXISTS after NOT"));
        }
        JsonTest::NotExists
    } else {
        let op = parse_op(cur)?;
        let lit = parse_literal(cur, op, |c| matches!(c, ')' | '}' | '&' | '|'))?;
        JsonTest::Compare(op, lit)
    };
    Ok(JsonCond { selector, test })
}

fn parse_is_test(cur: &mut Cursor) -> Result<JsonTest, FilterError> {
    if cur.eat_keyword("NULL") {
        Ok(JsonTest::IsNull)
    } else if cur.eat_keyword("TRUE") {
        Ok(JsonTest::IsTrue)
    } else if cur.eat_keyword("FALSE") {
        Ok(JsonTest::IsFalse)
    } else {
        Err(cur.err("expected NULL, TRUE or FALSE after IS"))
    }
}

fn parse_selector(cur: &mut Cursor) -> Result<Vec<Step>, FilterError> {
    if cur.peek() != Some('$') {
        return Err(cur.err(format!(
            "expected a selector starting with '$', found {}",
            cur.describe()
        )));
    }
    let start = cur.pos;
    cur.pos += 1;
    let mut steps = Vec::new();
    while let Some(c) = cur.peek() {
        match c {
            '.' => steps.push(parse_key_step(cur)?),
            '[' => steps.push(parse_index_step(cur)?),
            _ => break,
        }
    }
    if steps.is_empty() {
        return Err(cur.err_at(start, "selector must name a property, e.g. $.field"));
    }
    Ok(steps)
}

fn parse_key_step(cur: &mut Cursor) -> Result<Step, FilterError> {
    cur.pos += 1;
    let key = cur.take_while(|c| is_word_char(c) || c == '-');
    if key.is_empty() {
        return Err(cur.err("expected a property name after '.'"));
    }
    Ok(Step::Key(key))
}

fn parse_index_step(cur: &mut Cursor) -> Result<Step, FilterError> {
    cur.pos += 1;
    let step = if cur.eat("*") {
        Step::AnyIndex
    } else {
        let start = cur.pos;
        let digits = cur.take_while(|c| c.is_ascii_digit());
        let index = digits
            .parse::<usize>()
            .map_err(|_| cur.err_at(start, "expected an array index or '*' inside [ ]"))?;
        Step::Index(index)
    };
    cur.expect(']', "']'")?;
    Ok(step)
}

// ---------------------------------------------------------------------------
// Space-delimited patterns
// ---------------------------------------------------------------------------

#[derive(Debug, Clone)]
struct DelimitedPattern {
    fields: Vec<Field>,
}

#[derive(Debug, Clone)]
enum Field {
    /// `...`: any number of tokens, including none.
    Ellipsis,
    /// Exactly one token, optionally named and constrained.
    Slot {
        name: Option<String>,
        cond: Option<FieldExpr>,
    },
}

#[derive(Debug, Clone)]
enum FieldExpr {
    Or(Vec<FieldExpr>),
    And(Vec<FieldExpr>),
    /// `name` alone (always true) or `name OP value`.
    Leaf {
        name: String,
        test: Option<(CmpOp, Literal)>,
    },
}

impl FieldExpr {
    fn first_name(&self) -> Option<&str> {
        match self {
            FieldExpr::Or(items) | FieldExpr::And(items) => items.first()?.first_name(),
            FieldExpr::Leaf { name, .. } => Some(name),
        }
    }

    fn eval(&self, lookup: &dyn Fn(&str) -> Option<String>) -> bool {
        match self {
            FieldExpr::Or(items) => items.iter().any(|e| e.eval(lookup)),
            FieldExpr::And(items) => items.iter().all(|e| e.eval(lookup)),
            FieldExpr::Leaf { name, test } => match (lookup(name), test) {
                (None, _) => false,
                (Some(_), None) => true,
                (Some(value), Some((op, lit))) => compare_token(&value, *op, lit),
            },
        }
    }
}

/// Compares one space-delimited token: numerically when both sides are
/// numbers, otherwise as text (with edge wildcards).
fn compare_token(token: &str, op: CmpOp, lit: &Literal) -> bool {
    match lit {
        Literal::Number { value, text } => match parse_number(token) {
            Some(actual) => actual.partial_cmp(value).is_some_and(|o| op.accepts(o)),
            None if op == CmpOp::Eq => token == text,
            None if op == CmpOp::Ne => token != text,
            None => false,
        },
        Literal::Text(glob) => match op {
            CmpOp::Eq => glob.matches(token),
            CmpOp::Ne => !glob.matches(token),
            _ => false,
        },
    }
}

impl DelimitedPattern {
    fn matches(&self, message: &str) -> bool {
        let tokens = split_fields(message);
        let mut aligner = Aligner {
            fields: &self.fields,
            tokens: &tokens,
            binding: vec![None; self.fields.len()],
            budget: ALIGN_BUDGET,
        };
        aligner.align(0, 0)
    }
}

/// The token bound to the first field called `name`, if any.
fn value_of(
    fields: &[Field],
    name: &str,
    tokens: &[String],
    binding: &[Option<usize>],
) -> Option<String> {
    let index = fields.iter().position(|f| match f {
        Field::Slot { name: Some(n), .. } => n == name,
        _ => false,
    })?;
    let token = (*binding.get(index)?)?;
    tokens.get(token).cloned()
}

/// Backtracking assignment of tokens to fields (ellipses absorb any run).
struct Aligner<'a> {
    fields: &'a [Field],
    tokens: &'a [String],
    binding: Vec<Option<usize>>,
    budget: u32,
}

impl Aligner<'_> {
    fn align(&mut self, field: usize, token: usize) -> bool {
        if self.budget == 0 {
            return false;
        }
        self.budget -= 1;
        match self.fields.get(field) {
            None => token == self.tokens.len() && self.conditions_hold(),
            Some(Field::Ellipsis) => {
                (token..=self.tokens.len()).any(|next| self.align(field + 1, next))
            }
            Some(Field::Slot { .. }) if token < self.tokens.len() => {
                self.binding[field] = Some(token);
                let ok = self.align(field + 1, token + 1);
                self.binding[field] = None;
                ok
            }
            Some(Field::Slot { .. }) => false,
        }
    }

    fn conditions_hold(&self) -> bool {
        let lookup = |name: &str| value_of(self.fields, name, self.tokens, &self.binding);
        self.fields.iter().all(|field| match field {
            Field::Slot {
                cond: Some(cond), ..
            } => cond.eval(&lookup),
            _ => true,
        })
    }
}

/// Splits a log line into fields: whitespace-separated, with `"..."` and
/// `[...]` kept as one field (without the delimiters).
fn split_fields(message: &str) -> Vec<String> {
    let mut fields = Vec::new();
    let mut chars = message.chars().peekable();
    while let Some(&c) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
            continue;
        }
        let closer = match c {
            '"' => Some('"'),
            '[' => Some(']'),
            _ => None,
        };
        let mut field = String::new();
        if let Some(close) = closer {
            chars.next();
            field.extend(chars.by_ref().take_while(|&ch| ch != close));
        } else {
            while let Some(ch) = chars.next_if(|ch| !ch.is_whitespace()) {
                field.push(ch);
            }
        }
        fields.push(field);
    }
    fields
}

fn parse_delimited_pattern(cur: &mut Cursor) -> Result<DelimitedPattern, FilterError> {
    let open = cur.pos;
    cur.expect('[', "'['")?;
    let mut fields = Vec::new();
    loop {
        cur.skip_ws();
        fields.push(parse_field(cur)?);
        cur.skip_ws();
        match cur.bump() {
            Some(',') => continue,
            Some(']') => break,
            Some(c) => {
                return Err(cur.err_at(cur.pos - 1, format!("expected ',' or ']', found '{c}'")));
            }
            None => return Err(cur.err_at(open, "unbalanced '[': missing ']'")),
        }
    }
    expect_end(cur)?;
    if matches!(fields.as_slice(), [Field::Slot { name: None, .. }]) {
        return Err(cur.err_at(open, "space-delimited pattern needs at least one field"));
    }
    Ok(DelimitedPattern { fields })
}

fn parse_field(cur: &mut Cursor) -> Result<Field, FilterError> {
    if cur.eat("...") || cur.eat("\u{2026}") {
        return Ok(Field::Ellipsis);
    }
    if matches!(cur.peek(), Some(',' | ']') | None) {
        return Ok(Field::Slot {
            name: None,
            cond: None,
        });
    }
    let cond = parse_field_or(cur)?;
    let name = cond.first_name().map(str::to_string);
    let cond = match &cond {
        FieldExpr::Leaf { test: None, .. } => None,
        _ => Some(cond),
    };
    Ok(Field::Slot { name, cond })
}

fn parse_field_or(cur: &mut Cursor) -> Result<FieldExpr, FilterError> {
    let mut items = vec![parse_field_and(cur)?];
    loop {
        cur.skip_ws();
        if !cur.eat("||") {
            break;
        }
        items.push(parse_field_and(cur)?);
    }
    Ok(collapse(items, FieldExpr::Or))
}

fn parse_field_and(cur: &mut Cursor) -> Result<FieldExpr, FilterError> {
    let mut items = vec![parse_field_leaf(cur)?];
    loop {
        cur.skip_ws();
        if !cur.eat("&&") {
            break;
        }
        items.push(parse_field_leaf(cur)?);
    }
    Ok(collapse(items, FieldExpr::And))
}

fn parse_field_leaf(cur: &mut Cursor) -> Result<FieldExpr, FilterError> {
    cur.skip_ws();
    let name = cur.take_while(|c| is_word_char(c) || c == '$');
    if name.is_empty() {
        return Err(cur.err(format!("expected a field name, found {}", cur.describe())));
    }
    cur.skip_ws();
    let test = if cur.peek().is_some_and(|c| "=!<>".contains(c)) {
        let op = parse_op(cur)?;
        let lit = parse_literal(cur, op, |c| matches!(c, ',' | ']' | '&' | '|'))?;
        Some((op, lit))
    } else {
        None
    };
    Ok(FieldExpr::Leaf { name, test })
}

#[cfg(test)]
mod tests {
    use super::*;

    const ROOT_RECORD: &str = include_str!("../samples/logs/cloudtrail-root-console-login.json");
    const SLACK_ERRORS: &str = include_str!("../samples/logs/notify-slack-http-error.log");
    const SLACK_SUCCESS: &str = include_str!("../samples/logs/notify-slack-success.log");

    fn matches(pattern: &str, message: &str) -> bool {
        match FilterPattern::parse(pattern) {
            Ok(p) => p.matches(message),
            Err(e) => panic!("pattern {pattern:?} failed to parse: {e}"),
        }
    }

    fn check_table(table: &[(&str, &str, bool)]) {
        for (pattern, message, expected) in table {
            assert_eq!(
                matches(pattern, message),
                *expected,
                "pattern {pattern:?} on {message:?}"
            );
        }
    }

    #[test]
    fn term_examples_from_docs() {
        check_table(&[
            ("", "anything at all", true),
            ("", "", true),
            ("ERROR", "[ERROR] A fatal exception has occurred", true),
            ("ERROR", "Exiting with ERRORCODE: -1", true),
            ("ERROR", "error in lower case", false),
            (
                "\"ERROR\" - \"Exiting\"",
                "Exiting with ERRORCODE: -1",
                false,
            ),
            (
                "\"ERROR\" - \"Exiting\"",
                "[ERROR] A fatal exception has occurred",
                true,
            ),
            (
                "ERROR Exception",
                "[ERROR] Caught IllegalArgumentException",
                true,
            ),
            ("ERROR Exception", "[ERROR] Unhandled Exception", true),
            ("ERROR Exception", "[ERROR] Unhandled failure", false),
            (
                "Failed to process the request",
                "[WARN] Failed to process the request",
                true,
            ),
            (
                "Failed to process the request",
                "[ERROR] Unable to continue: Failed to process the request",
                true,
            ),
            (
                "\"Failed to process the request\"",
                "[WARN] Failed to process request",
                false,
            ),
        ]);
    }

    #[test]
    fn or_examples_from_docs() {
        let lines = ["ERROR WARN message", "ERROR message", "WARN message"];
        let table: [(&str, [bool; 3]); 6] = [
            ("ERROR", [true, true, false]),
            ("?ERROR ?WARN", [true, true, true]),
            ("ERROR WARN", [true, false, false]),
            ("ERROR -WARN", [false, true, false]),
            ("[w1=ERROR, w2]", [false, true, false]),
            ("[w1=ERROR || w1=WARN, w2]", [false, true, true]),
        ];
        for (pattern, expected) in table {
            for (line, want) in lines.iter().zip(expected) {
                assert_eq!(matches(pattern, line), want, "{pattern:?} on {line:?}");
            }
        }
        // The docs claim `[w1!=ERROR&&w1!=WARN, w2]` matches line 1; with
        // positional fields it cannot (line 1 has three words, w1 = ERROR).
        for line in lines {
            assert!(!matches("[w1!=ERROR&&w1!=WARN, w2]", line));
        }
        assert!(matches("[w1!=ERROR&&w1!=WARN, w2]", "INFO message"));
        check_table(&[
            ("{$.foo = bar}", r#"{"foo": "bar"}"#, true),
            ("{$.foo = bar}", r#"{"foo": "baz"}"#, false),
            ("{$.foo = baz }", r#"{"foo": "baz"}"#, true),
            ("{$.foo = bar || $.foo = baz }", r#"{"foo": "bar"}"#, true),
            ("{$.foo = bar || $.foo = baz }", r#"{"foo": "baz"}"#, true),
            ("{$.foo = bar || $.foo = baz }", r#"{"foo": "qux"}"#, false),
        ]);
    }

    const DOC_JSON: &str = r#"{"eventType":"UpdateTrail","sourceIPAddress":"111.111.111.111",
        "arrayKey":["value","another value"],
        "objectList":[{"name":"a","id":1},{"name":"b","id":2}],
        "SomeObject":null,"ThisFlag":true}"#;

    #[test]
    fn json_examples_from_docs() {
        let table: &[(&str, bool)] = &[
            (r#"{ $.eventType = "UpdateTrail" }"#, true),
            ("{ $.eventType = UpdateTrail }", true),
            (r#"{ $.eventType != "UpdateTrail" }"#, false),
            ("{ $.sourceIPAddress != 123.123.* }", true),
            ("{ $.sourceIPAddress = 111.111.* }", true),
            (r#"{ $.arrayKey[0] = "value" }"#, true),
            (r#"{ $.arrayKey[1] = "value" }"#, false),
            (r#"{ $.eventType[0] = "value" }"#, false),
            ("{ $.objectList[1].id = 2 }", true),
            ("{ $.objectList[0].id = 2 }", false),
            ("{ $.SomeObject IS NULL }", true),
            ("{ $.ThisFlag IS NULL }", false),
            ("{ $.SomeOtherObject NOT EXISTS }", true),
            ("{ $.SomeObject NOT EXISTS }", false),
            ("{ $.ThisFlag IS TRUE }", true),
            ("{ $.ThisFlag IS FALSE }", false),
            (r#"{ $.arrayKey[*] = "another value" }"#, true),
            (r#"{ $.objectList[*].name = "b" }"#, true),
        ];
        for (pattern, want) in table {
            assert_eq!(matches(pattern, DOC_JSON), *want, "{pattern:?}");
        }
    }

    const COMPOUND_JSON: &str = r#"{"user":{"id":1,"email":"John.Stiles@example.com"},
        "users":[{"id":2,"email":"John.Doe@example.com"},{"id":3,"email":"Jane.Doe@example.com"}],
        "actions":["GET","PUT","DELETE"],
        "coordinates":[[0,1,2],[4,5,6],[7,8,9]]}"#;

    #[test]
    fn compound_examples_from_docs() {
        let table: &[(&str, bool)] = &[
            (
                r#"{ ($.user.id = 1) && ($.users[0].email = "John.Doe@example.com") }"#,
                true,
            ),
            (
                r#"{ ($.user.id = 2 && $.users[0].email = "nonmatch") || $.actions[2] = "GET" }"#,
                false,
            ),
            (
                r#"{ $.user.email = "John.Stiles@example.com" || $.coordinates[0][1] = nonmatch && $.actions[2] = nomatch }"#,
                true,
            ),
            (
                r#"{ ($.user.email = "John.Stiles@example.com" || $.coordinates[0][1] = nonmatch) && $.actions[2] = nomatch }"#,
                false,
            ),
            ("{ $.coordinates[2][0] = 7 }", true),
        ];
        for (pattern, want) in table {
            assert_eq!(matches(pattern, COMPOUND_JSON), *want, "{pattern:?}");
        }
    }

    #[test]
    fn selector_on_array_or_object_never_matches() {
        let line = r#"{"users": [1, 2, 3], "obj": {"a": 1}}"#;
        check_table(&[
            ("{$.users = 1}", line, false),
            ("{$.users != 1}", line, false),
            ("{$.obj != 1}", line, false),
            ("{$.missing != 1}", line, false),
        ]);
    }

    #[test]
    fn numeric_examples_from_docs() {
        let line = r#"{"latency": 1500, "numbers": [5], "errorCode": 400,
            "processes": [{}, {}, {}, {}, {"averageRuntime": 50.25}]}"#;
        let table: &[(&str, bool)] = &[
            ("{ $.latency >= 500 }", true),
            ("{ $.numbers[0] < 10e3 }", true),
            ("{ $.numbers[0] < 10e-3 }", false),
            ("{ $.processes[4].averageRuntime <= 55.5 }", true),
            ("{ $.errorCode = 400 }", true),
            ("{ $.errorCode != 500 }", true),
            ("{ $.errorCode != 400 }", false),
            ("{ $.latency > +1000 }", true),
            ("{ $.latency < -1 }", false),
            ("{ $.latency = * }", true),
            ("{ $.nothing = * }", false),
        ];
        for (pattern, want) in table {
            assert_eq!(matches(pattern, line), *want, "{pattern:?}");
        }
    }

    #[test]
    fn wildcard_examples_from_docs() {
        check_table(&[
            ("{ $.e = *Event }", r#"{"e":"PutEvent"}"#, true),
            ("{ $.e = *Event }", r#"{"e":"GetEvent"}"#, true),
            ("{ $.e = Event* }", r#"{"e":"EventId"}"#, true),
            ("{ $.e = Event* }", r#"{"e":"EventName"}"#, true),
            ("{ $.e = Event* }", r#"{"e":"PutEvent"}"#, false),
            ("{ $.e = Ev*ent }", r#"{"e":"Event"}"#, false),
            ("{ $.e = Ev*ent }", r#"{"e":"Ev*ent"}"#, true),
            (r#"{ $.e = "*html*" }"#, r#"{"e":"GET /a.html"}"#, true),
        ]);
    }

    #[test]
    fn numbers_compare_with_string_values_as_text() {
        let line = r#"{"recipientAccountId":"123456789012","code":"400"}"#;
        check_table(&[
            ("{ $.recipientAccountId = 123456789012 }", line, true),
            ("{ $.recipientAccountId != 123456789012 }", line, false),
            ("{ $.code > 300 }", line, false),
        ]);
    }

    const APACHE: [&str; 4] = [
        r#"127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] "GET /apache_pb.gif HTTP/1.0" 200 1534"#,
        r#"127.0.0.1 - frank [10/Oct/2000:13:35:22 -0700] "GET /apache_pb.gif HTTP/1.0" 500 5324"#,
        r#"127.0.0.1 - frank [10/Oct/2000:13:50:35 -0700] "GET /apache_pb.gif HTTP/1.0" 200 4355"#,
        r#"127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] "GET /index.html HTTP/1.0" 404 534"#,
    ];

    #[test]
    fn space_delimited_examples_from_docs() {
        let table: &[(&str, [bool; 4])] = &[
            (
                "[ip, user, username, timestamp, request, status_code, bytes]",
                [true; 4],
            ),
            ("[..., status_code, bytes]", [true; 4]),
            ("[ip, user, ..., status_code, bytes]", [true; 4]),
            ("[ip, user, ...]", [true; 4]),
            ("[ip, user, username]", [false; 4]),
            (
                "[ip, user, username, timestamp, request, status_code, bytes > 1000]",
                [true, true, true, false],
            ),
            (
                "[ip, user, username, timestamp, request, status_code = 200, bytes]",
                [true, false, true, false],
            ),
            (
                "[ip, user, username, timestamp, request, status_code = 4*, bytes]",
                [false, false, false, true],
            ),
            (
                "[ip, user, username, timestamp, request = *html*, status_code = 4*, bytes]",
                [false, false, false, true],
            ),
            (
                "[ip, user, username, timestamp, request, status_code = 403 || status_code = 404, bytes]",
                [false, false, false, true],
            ),
            (
                "[ip, user, username, timestamp, request, status_code = 5* && bytes > 1000, bytes]",
                [false, true, false, false],
            ),
            (
                "[..., request=*.html*, status_code=4*,]",
                [false, false, false, true],
            ),
            (
                "[..., status_code != 200, bytes]",
                [false, true, false, true],
            ),
            ("[..., status_code != 200, ...]", [true; 4]),
        ];
        for (pattern, expected) in table {
            for (line, want) in APACHE.iter().zip(expected) {
                assert_eq!(matches(pattern, line), *want, "{pattern:?} on {line:?}");
            }
        }
        // Parses, though with six fields it cannot align with seven tokens.
        let six = "[ip, user, username, timestamp, request, status_code = 4* && bytes > 1000]";
        assert!(APACHE.iter().all(|line| !matches(six, line)));
    }

    #[test]
    fn split_fields_groups_quotes_and_brackets() {
        assert_eq!(
            split_fields(APACHE[0]),
            [
                "127.0.0.1",
                "-",
                "frank",
                "10/Oct/2000:13:25:15 -0700",
                "GET /apache_pb.gif HTTP/1.0",
                "200",
                "1534"
            ]
        );
        assert_eq!(
            split_fields("  a \"unterminated b"),
            ["a", "unterminated b"]
        );
    }

    const ROOT_USAGE: &str = r#"{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != "AwsServiceEvent" }"#;

    #[test]
    fn cis_root_usage_filter_matches_root_console_login() {
        check_table(&[
            (ROOT_USAGE, ROOT_RECORD, true),
            (
                r#"{ ($.eventName = "ConsoleLogin") && ($.userIdentity.type = "Root") }"#,
                ROOT_RECORD,
                true,
            ),
            (r#"{ $.userIdentity.type = "IAMUser" }"#, ROOT_RECORD, false),
            (
                r#"{ $.responseElements.ConsoleLogin = "Success" }"#,
                ROOT_RECORD,
                true,
            ),
            (
                r#"{ $.eventSource = "signin.amazonaws.com" }"#,
                ROOT_RECORD,
                true,
            ),
            ("{ $.recipientAccountId = 123456789012 }", ROOT_RECORD, true),
            ("{ $.requestParameters IS NULL }", ROOT_RECORD, true),
            ("{ $.readOnly IS FALSE }", ROOT_RECORD, true),
        ]);
        let invoked = ROOT_RECORD.replacen(
            r#""type":"Root","#,
            r#""type":"Root","invokedBy":"support.amazonaws.com","#,
            1,
        );
        assert!(!matches(ROOT_USAGE, &invoked));
        let service = ROOT_RECORD.replace("AwsConsoleSignIn", "AwsServiceEvent");
        assert!(!matches(ROOT_USAGE, &service));
        assert!(!matches(ROOT_USAGE, "[ERROR] not json"));
    }

    const SLACK_ERROR_PATTERN: &str = r#""HTTP Error" "result""#;

    #[test]
    fn notify_slack_error_lines_match_term_pattern() {
        let errors: Vec<&str> = SLACK_ERRORS.lines().filter(|l| !l.is_empty()).collect();
        let successes: Vec<&str> = SLACK_SUCCESS.lines().filter(|l| !l.is_empty()).collect();
        assert_eq!(errors.len(), 3);
        assert!(!successes.is_empty());
        for pattern in [
            SLACK_ERROR_PATTERN,
            "ERROR",
            "?\"HTTP Error 4\" ?\"HTTP Error 5\"",
        ] {
            assert!(errors.iter().all(|l| matches(pattern, l)), "{pattern}");
            assert!(successes.iter().all(|l| !matches(pattern, l)), "{pattern}");
        }
        assert!(errors.iter().all(|l| matches("[level = ERROR, ...]", l)));
    }

    fn parse_err(pattern: &str) -> FilterError {
        match FilterPattern::parse(pattern) {
            Ok(_) => panic!("{pattern:?} should not parse"),
            Err(e) => e,
        }
    }

    #[test]
    fn malformed_patterns_are_errors_with_columns() {
        let table: &[(&str, usize)] = &[
            ("{ $.a = ", 9),
            ("{ $.a == 1 }", 7),
            ("{ ($.a = 1 }", 3),
            ("{ $.a = 1 ) }", 11),
            ("{ (($.a = 1) }", 3),
            ("{ $.a = 1", 10),
            ("{ }", 3),
            ("{ a = 1 }", 3),
            ("{ $ = 1 }", 3),
            ("{ $.a[x] = 1 }", 7),
            ("{ $.a < abc }", 9),
            ("{ $.a IS MAYBE }", 10),
            ("{ $.a NOT THERE }", 11),
            ("{ $.a EXISTS }", 7),
            ("{ $.a = 1 } trailing", 13),
            ("{ $.a = 1 &&  }", 15),
            ("{ $.a = %re% }", 9),
            ("\"unterminated", 1),
            ("ERROR -", 8),
            ("%ERROR%", 1),
            ("[a, b", 1),
            ("[a b]", 4),
            ("[a, b = ]", 9),
            ("[a, b >= x]", 10),
            ("[]", 1),
        ];
        for (pattern, column) in table {
            let err = parse_err(pattern);
            assert_eq!(err.column, *column, "{pattern:?}: {err}");
            assert!(
                err.to_string()
                    .starts_with("invalid filter pattern at column")
            );
        }
        let long = "a".repeat(MAX_PATTERN_CHARS + 1);
        assert!(FilterPattern::parse(&long).is_err());
        let deep = format!("{{ {}$.a = 1{} }}", "(".repeat(200), ")".repeat(200));
        assert!(FilterPattern::parse(&deep).is_err());
    }

    #[test]
    fn arbitrary_input_never_panics() {
        let alphabet: Vec<char> = "{}[]()$.*=!<>&|?-\" ,\\%a1eISNOTEXISTUL…é\t"
            .chars()
            .collect();
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = |bound: usize| {
            seed = seed
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            ((seed >> 33) as usize) % bound
        };
        let messages = [
            ROOT_RECORD,
            APACHE[0],
            "",
            "{",
            "[[",
            "\"",
            r#"{"a":[1,{"b":null}]}"#,
        ];
        for _ in 0..5_000 {
            let len = next(24);
            let pattern: String = (0..len).map(|_| alphabet[next(alphabet.len())]).collect();
            if let Ok(p) = FilterPattern::parse(&pattern) {
                for m in messages {
                    let _ = p.matches(m);
                }
            }
        }
    }

    #[test]
    fn many_ellipses_stay_bounded() {
        let pattern = format!("[{}x = nomatch]", "..., a, ".repeat(40));
        let line = "w ".repeat(200);
        assert!(!matches(&pattern, &line));
    }
}
