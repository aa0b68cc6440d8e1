//! Terraform resource addresses: `module.a["k"].module.b[0].data.aws_x.y["z"]`.
//!
//! Instance keys are quoted strings (which may contain dots, brackets and
//! escaped quotes) or integers, so an address cannot be split on `.`.

use std::fmt;

/// An instance key: `[0]` or `["name"]`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum InstanceKey {
    /// A `count` index.
    Int(i64),
    /// A `for_each` key.
    Str(String),
}

impl InstanceKey {
    /// The key from a plan's `index` field (a number or a string).
    pub fn from_json(value: &serde_json::Value) -> Option<Self> {
        match value {
            serde_json::Value::Number(n) => n.as_i64().map(InstanceKey::Int),
            serde_json::Value::String(s) => Some(InstanceKey::Str(s.clone())),
            _ => None,
        }
    }
}

impl fmt::Display for InstanceKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            InstanceKey::Int(i) => write!(f, "[{i}]"),
            InstanceKey::Str(s) => {
                f.write_str("[\"")?;
                for c in s.chars() {
                    match c {
                        '"' => f.write_str("\\\"")?,
                        '\\' => f.write_str("\\\\")?,
                        '\n' => f.write_str("\\n")?,
                        c => write!(f, "{c}")?,
                    }
                }
                f.write_str("\"]")
            }
        }
    }
}

/// One module call in a module path: `module.<name>[<key>]`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ModuleStep {
    /// The module call's name.
    pub name: String,
    /// The instance key, for `count`/`for_each` module calls.
    pub key: Option<InstanceKey>,
}

/// A parsed resource instance address.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Address {
    /// The module instance path, outermost first (empty for the root module).
    pub modules: Vec<ModuleStep>,
    /// Whether it is a `data` source.
    pub data: bool,
    /// The resource type, e.g. `aws_sns_topic`.
    pub kind: String,
    /// The resource name.
    pub name: String,
    /// The instance key, if any.
    pub key: Option<InstanceKey>,
}

/// Why an address could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid Terraform address at byte {at}: {message}")]
pub struct AddressError {
    /// Byte offset of the problem.
    pub at: usize,
    /// What is wrong.
    pub message: String,
}

struct Cursor<'a> {
    text: &'a str,
    pos: usize,
}

impl Cursor<'_> {
    fn err(&self, message: impl Into<String>) -> AddressError {
        AddressError {
            at: self.pos,
            message: message.into(),
        }
    }

    fn peek(&self) -> Option<char> {
        self.text[self.pos..].chars().next()
    }

    fn eat(&mut self, c: char) -> bool {
        if self.peek() == Some(c) {
            self.pos += c.len_utf8();
            true
        } else {
            false
        }
    }

    fn ident(&mut self) -> Result<String, AddressError> {
        let rest = &self.text[self.pos..];
        let len = rest
            .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '-'))
            .unwrap_or(rest.len());
        if len == 0 {
            return Err(self.err("expected a name"));
        }
        self.pos += len;
        Ok(rest[..len].to_string())
    }

    fn key(&mut self) -> Result<Option<InstanceKey>, AddressError> {
        if !self.eat('[') {
            return Ok(None);
        }
        let key = if self.eat('"') {
            let mut s = String::new();
            loop {
                let Some(c) = self.peek() else {
                    return Err(self.err("unterminated string key"));
                };
                self.pos += c.len_utf8();
                match c {
                    '"' => break,
                    '\\' => {
                        let Some(e) = self.peek() else {
                            return Err(self.err("unterminated escape"));
                        };
                        self.pos += e.len_utf8();
                        s.push(match e {
                            'n' => '\n',
                            't' => '\t',
                            other => other,
                        });
                    }
                    c => s.push(c),
                }
            }
            InstanceKey::Str(s)
        } else {
            let rest = &self.text[self.pos..];
            let len = rest
                .find(|c: char| !(c.is_ascii_digit() || c == '-'))
                .unwrap_or(rest.len());
            let n = rest[..len]
                .parse::<i64>()
                .map_err(|_| self.err("expected a number or a quoted key"))?;
            self.pos += len;
            InstanceKey::Int(n)
        };
        if !self.eat(']') {
            return Err(self.err("expected `]`"));
        }
        Ok(Some(key))
    }
}

impl Address {
    /// Parse a full resource instance address.
    pub fn parse(text: &str) -> Result<Self, AddressError> {
        let mut c = Cursor { text, pos: 0 };
        let modules = parse_modules(&mut c)?;
        let mut data = false;
        let mut kind = c.ident()?;
        if kind == "data" {
            if !c.eat('.') {
                return Err(c.err("expected `.` after `data`"));
            }
            data = true;
            kind = c.ident()?;
        }
        if !c.eat('.') {
            return Err(c.err("expected `.` after the resource type"));
        }
        let name = c.ident()?;
        let key = c.key()?;
        if c.pos != text.len() {
            return Err(c.err("unexpected text after the address"));
        }
        Ok(Address {
            modules,
            data,
            kind,
            name,
            key,
        })
    }

    /// The address of the module instance the resource lives in (`""` for root).
    pub fn module_address(&self) -> String {
        module_path_string(&self.modules)
    }

    /// `aws_x.y` or `data.aws_x.y`, without module path or key.
    pub fn local_name(&self) -> String {
        if self.data {
            format!("data.{}.{}", self.kind, self.name)
        } else {
            format!("{}.{}", self.kind, self.name)
        }
    }
}

/// Parse a module instance address (`module.a["x"].module.b`); `""` is the root.
pub fn parse_module_path(text: &str) -> Result<Vec<ModuleStep>, AddressError> {
    let mut c = Cursor { text, pos: 0 };
    let modules = parse_modules(&mut c)?;
    if c.pos != text.len() {
        return Err(c.err("unexpected text after the module path"));
    }
    Ok(modules)
}

fn parse_modules(c: &mut Cursor<'_>) -> Result<Vec<ModuleStep>, AddressError> {
    let mut modules = Vec::new();
    while c.text[c.pos..].starts_with("module.") {
        c.pos += "module.".len();
        let name = c.ident()?;
        let key = c.key()?;
        modules.push(ModuleStep { name, key });
        if c.pos < c.text.len() && !c.eat('.') {
            return Err(c.err("expected `.` after a module step"));
        }
    }
    Ok(modules)
}

/// Render a module path as Terraform writes it.
pub fn module_path_string(modules: &[ModuleStep]) -> String {
    let mut out = String::new();
    for (i, step) in modules.iter().enumerate() {
        if i > 0 {
            out.push('.');
        }
        out.push_str("module.");
        out.push_str(&step.name);
        if let Some(key) = &step.key {
            out.push_str(&key.to_string());
        }
    }
    out
}

impl fmt::Display for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for step in &self.modules {
            write!(f, "module.{}", step.name)?;
            if let Some(key) = &step.key {
                write!(f, "{key}")?;
            }
            f.write_str(".")?;
        }
        f.write_str(&self.local_name())?;
        if let Some(key) = &self.key {
            write!(f, "{key}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_nested_module_with_quoted_key() {
        let text = r#"module.notify_slack["team \"b\""].module.lambda.aws_lambda_function.this[0]"#;
        let a = Address::parse(text).unwrap();
        assert_eq!(a.modules.len(), 2);
        assert_eq!(a.modules[0].name, "notify_slack");
        assert_eq!(
            a.modules[0].key,
            Some(InstanceKey::Str("team \"b\"".into()))
        );
        assert_eq!(a.modules[1].key, None);
        assert_eq!(a.kind, "aws_lambda_function");
        assert_eq!(a.name, "this");
        assert_eq!(a.key, Some(InstanceKey::Int(0)));
        assert_eq!(a.to_string(), text);
        assert_eq!(
            a.module_address(),
            r#"module.notify_slack["team \"b\""].module.lambda"#
        );
    }

    #[test]
    fn keys_with_dots_and_brackets_are_one_key() {
        let text = r#"module.x["team.a"].aws_sns_topic.t["a].b"]"#;
        let a = Address::parse(text).unwrap();
        assert_eq!(a.modules[0].key, Some(InstanceKey::Str("team.a".into())));
        assert_eq!(a.key, Some(InstanceKey::Str("a].b".into())));
        assert_eq!(a.to_string(), text);
    }

    #[test]
    fn data_sources_and_root_resources() {
        let a = Address::parse("data.aws_iam_policy_document.pager").unwrap();
        assert!(a.data && a.modules.is_empty() && a.key.is_none());
        assert_eq!(a.local_name(), "data.aws_iam_policy_document.pager");
        let b = Address::parse(r#"aws_lambda_permission.p["AllowExecutionFromSNS"]"#).unwrap();
        assert_eq!(
            b.key,
            Some(InstanceKey::Str("AllowExecutionFromSNS".into()))
        );
    }

    #[test]
    fn rejects_malformed() {
        assert!(Address::parse(r#"module.x["open.aws_sns_topic.t"#).is_err());
        assert!(Address::parse("aws_sns_topic").is_err());
        assert!(Address::parse("aws_sns_topic.t[x]").is_err());
        assert!(Address::parse("aws_sns_topic.t.extra").is_err());
    }

    #[test]
    fn module_paths() {
        let p = parse_module_path(r#"module.a[1].module.b["k.k"]"#).unwrap();
        assert_eq!(p.len(), 2);
        assert_eq!(module_path_string(&p), r#"module.a[1].module.b["k.k"]"#);
        assert!(parse_module_path("").unwrap().is_empty());
    }
}
