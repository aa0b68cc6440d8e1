//! GuardDuty finding criteria (`FindingCriteria` of `CreateFilter`): the
//! condition semantics of one criterion against one finding, as GuardDuty
//! applies them to a filter. Pure: it knows nothing about suppression, routes
//! or the inventory (the chain layer's `suppression` decides what a filter hides).
//!
//! A criterion names a finding field by its dotted JSON path (`severity`,
//! `resource.instanceDetails.tags.value`); a path through an array reaches
//! every element, and the field holds when any reached value satisfies the
//! condition (for the negative operators: when none equals / matches).

use serde_json::Value;

/// A condition operator, with the deprecated names folded into the current ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Operator {
    /// `Equals` (`Eq`): the field equals one of the values.
    Equals,
    /// `NotEquals` (`Neq`): the field equals none of the values.
    NotEquals,
    /// `GreaterThan` (`Gt`).
    GreaterThan,
    /// `GreaterThanOrEqual` (`Gte`).
    GreaterThanOrEqual,
    /// `LessThan` (`Lt`).
    LessThan,
    /// `LessThanOrEqual` (`Lte`).
    LessThanOrEqual,
    /// `Matches`: the field matches one of the patterns (`*`, `?` wildcards).
    Matches,
    /// `NotMatches`: the field matches none of the patterns.
    NotMatches,
}

impl Operator {
    /// The operator of an API name (`Equals`, `Gte`, `not_equals`, ...), case and `_` insensitive.
    pub(crate) fn parse(name: &str) -> Option<Operator> {
        let key: String = name
            .chars()
            .filter(|c| *c != '_')
            .flat_map(char::to_lowercase)
            .collect();
        Some(match key.as_str() {
            "equals" | "eq" => Operator::Equals,
            "notequals" | "neq" => Operator::NotEquals,
            "greaterthan" | "gt" => Operator::GreaterThan,
            "greaterthanorequal" | "gte" => Operator::GreaterThanOrEqual,
            "lessthan" | "lt" => Operator::LessThan,
            "lessthanorequal" | "lte" => Operator::LessThanOrEqual,
            "matches" => Operator::Matches,
            "notmatches" => Operator::NotMatches,
            _ => return None,
        })
    }

    fn negative(self) -> bool {
        matches!(self, Operator::NotEquals | Operator::NotMatches)
    }
}

/// Every value a dotted field path reaches in a finding's `detail` (arrays are
/// entered; `null` counts as absent). Empty when the finding lacks the field.
pub(crate) fn field_values<'v>(detail: &'v Value, field: &str) -> Vec<&'v Value> {
    let mut current = vec![detail];
    for part in field.split('.') {
        let mut next = Vec::new();
        for value in current {
            collect(value.get(part), &mut next);
        }
        current = next;
    }
    current
}

fn collect<'v>(value: Option<&'v Value>, into: &mut Vec<&'v Value>) {
    match value {
        None | Some(Value::Null) => {}
        Some(Value::Array(items)) => {
            for item in items {
                collect(Some(item), into);
            }
        }
        Some(v) => into.push(v),
    }
}

/// Whether one condition holds for the field's values. `Ok(None)` when
/// GuardDuty's answer cannot be known: a negative operator on a field the
/// finding lacks. `Err` when an operand or a value cannot be compared.
pub(crate) fn holds(
    operator: Operator,
    operands: &[String],
    values: &[&Value],
) -> Result<Option<bool>, String> {
    if values.is_empty() {
        return Ok(if operator.negative() {
            None
        } else {
            Some(false)
        });
    }
    Ok(Some(match operator {
        Operator::Equals => values.iter().any(|v| operands.iter().any(|o| equals(v, o))),
        Operator::NotEquals => !values.iter().any(|v| operands.iter().any(|o| equals(v, o))),
        Operator::Matches => values
            .iter()
            .any(|v| operands.iter().any(|o| glob(o, &text(v)))),
        Operator::NotMatches => !values
            .iter()
            .any(|v| operands.iter().any(|o| glob(o, &text(v)))),
        Operator::GreaterThan
        | Operator::GreaterThanOrEqual
        | Operator::LessThan
        | Operator::LessThanOrEqual => {
            let [operand] = operands else {
                return Err(format!(
                    "{operator:?} takes one value, not {}",
                    operands.len()
                ));
            };
            let bound = number(operand)
                .ok_or_else(|| format!("`{operand}` is neither a number nor an RFC 3339 time"))?;
            let mut any = false;
            for value in values {
                let n = value_number(value).ok_or_else(|| {
                    format!("the finding's value `{}` is not a number", text(value))
                })?;
                any |= match operator {
                    Operator::GreaterThan => n > bound,
                    Operator::GreaterThanOrEqual => n >= bound,
                    Operator::LessThan => n < bound,
                    _ => n <= bound,
                };
            }
            any
        }
    }))
}

/// A value as GuardDuty compares it as text (`7.0` stays `7.0`, `false` is `false`).
fn text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Equality as text, or as numbers when both sides are numbers (`7` equals `7.0`).
fn equals(value: &Value, operand: &str) -> bool {
    if text(value) == operand {
        return true;
    }
    match (value.as_f64(), operand.trim().parse::<f64>()) {
        (Some(a), Ok(b)) => a == b,
        _ => false,
    }
}

/// An operand as a number: an integer or decimal, or an RFC 3339 time as epoch
/// milliseconds (GuardDuty compares time fields as epoch milliseconds; the
/// Terraform provider accepts either form).
fn number(text: &str) -> Option<f64> {
    let text = text.trim();
    text.parse::<f64>().ok().or_else(|| epoch_millis(text))
}

fn value_number(value: &Value) -> Option<f64> {
    match value {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => number(s),
        _ => None,
    }
}

#[allow(clippy::cast_precision_loss)]
fn epoch_millis(text: &str) -> Option<f64> {
    chrono::DateTime::parse_from_rfc3339(text)
        .ok()
        .map(|t| t.timestamp_millis() as f64)
}

/// `*` matches any run of characters, `?` any one character.
fn glob(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    let (mut pi, mut ti) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        match p.get(pi) {
            Some('*') => {
                star = Some((pi, ti));
                pi += 1;
            }
            Some(c) if *c == '?' || *c == t[ti] => {
                pi += 1;
                ti += 1;
            }
            _ => match star {
                Some((sp, st)) => {
                    pi = sp + 1;
                    ti = st + 1;
                    star = Some((sp, st + 1));
                }
                None => return false,
            },
        }
    }
    p[pi..].iter().all(|c| *c == '*')
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn check(op: &str, operands: &[&str], detail: &Value, field: &str) -> Option<bool> {
        let operands: Vec<String> = operands.iter().map(|s| s.to_string()).collect();
        let operator = Operator::parse(op).unwrap();
        holds(operator, &operands, &field_values(detail, field)).unwrap()
    }

    #[test]
    fn deprecated_names_fold_into_current_ones() {
        assert_eq!(Operator::parse("Gte"), Some(Operator::GreaterThanOrEqual));
        assert_eq!(
            Operator::parse("greater_than_or_equal"),
            Some(Operator::GreaterThanOrEqual)
        );
        assert_eq!(Operator::parse("Neq"), Some(Operator::NotEquals));
        assert_eq!(Operator::parse("Eq"), Some(Operator::Equals));
        assert_eq!(Operator::parse("not_matches"), Some(Operator::NotMatches));
        assert_eq!(Operator::parse("Contains"), None);
    }

    #[test]
    fn severity_bounds() {
        let d = json!({"severity": 7.0});
        assert_eq!(
            check("GreaterThanOrEqual", &["7"], &d, "severity"),
            Some(true)
        );
        assert_eq!(check("Gt", &["7"], &d, "severity"), Some(false));
        assert_eq!(check("LessThan", &["4"], &d, "severity"), Some(false));
        assert_eq!(check("Lte", &["7"], &d, "severity"), Some(true));
        assert_eq!(check("Equals", &["7"], &d, "severity"), Some(true));
    }

    #[test]
    fn arrays_and_negatives() {
        let d = json!({"resource": {"tags": [{"key": "env", "value": "dev"}, {"key": "team", "value": "sec"}]}});
        assert_eq!(
            check("Equals", &["sec"], &d, "resource.tags.value"),
            Some(true)
        );
        assert_eq!(
            check("NotEquals", &["sec"], &d, "resource.tags.value"),
            Some(false)
        );
        assert_eq!(
            check("NotEquals", &["prod"], &d, "resource.tags.value"),
            Some(true)
        );
        // A field the finding lacks: positive conditions fail, negative ones are unknown.
        assert_eq!(check("Equals", &["x"], &d, "resource.missing"), Some(false));
        assert_eq!(check("NotEquals", &["x"], &d, "resource.missing"), None);
    }

    #[test]
    fn matches_uses_wildcards() {
        let d = json!({"type": "Recon:EC2/PortProbeUnprotectedPort"});
        assert_eq!(check("Matches", &["Recon:*"], &d, "type"), Some(true));
        assert_eq!(
            check("Matches", &["Recon:EC2/Port?robe*"], &d, "type"),
            Some(true)
        );
        assert_eq!(check("NotMatches", &["Backdoor:*"], &d, "type"), Some(true));
        assert_eq!(check("Matches", &["*:IAMUser/*"], &d, "type"), Some(false));
    }

    #[test]
    fn times_compare_as_epoch_millis() {
        let d = json!({"updatedAt": "2024-03-01T11:58:31.000Z"});
        assert_eq!(
            check("GreaterThan", &["2024-01-01T00:00:00Z"], &d, "updatedAt"),
            Some(true)
        );
        assert_eq!(
            check("LessThan", &["1704067200000"], &d, "updatedAt"),
            Some(false)
        );
        let bad = holds(
            Operator::GreaterThan,
            &["soon".into()],
            &field_values(&d, "updatedAt"),
        );
        assert!(bad.is_err());
    }
}
