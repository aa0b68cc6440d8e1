//! The Terraform functions these stacks use. Anything else is unresolved.

use super::eval::{Scope, error, merge_unknown};
use super::functions_pure;
use super::value::{Val, fmt_num};

/// The functions evaluated (besides `try` and `can`, which the evaluator
/// handles), with Terraform's semantics.
pub const FUNCTIONS: &[&str] = &[
    "jsonencode",
    "jsondecode",
    "file",
    "format",
    "concat",
    "merge",
    "lookup",
    "element",
    "length",
    "tobool",
    "lower",
    "upper",
    "replace",
    "tostring",
    "tolist",
    "toset",
    "coalesce",
    "compact",
    "distinct",
    "flatten",
    "keys",
    "values",
    "join",
    "split",
    "trimspace",
    "tonumber",
    "tomap",
    "contains",
    "basename",
    "startswith",
    "endswith",
    "templatefile",
    "coalescelist",
    "one",
    "alltrue",
    "anytrue",
    "regex",
    "trimprefix",
    "trimsuffix",
];

/// Call function `name` on evaluated arguments; `text` is the call's source.
pub(super) fn call(scope: &mut dyn Scope, name: &str, args: Vec<Val>, text: &str) -> Val {
    if !FUNCTIONS.contains(&name) && !functions_pure::NAMES.contains(&name) {
        return Val::unresolved(
            text,
            format!("function `{name}` is not evaluated by alertpath"),
        );
    }
    // `jsonencode`/`length`/collections of partly unknown values: unknown as a whole.
    let any_unknown = args.iter().any(|a| a.first_unknown().is_some());
    let lenient = matches!(
        name,
        "concat"
            | "merge"
            | "tolist"
            | "toset"
            | "tomap"
            | "flatten"
            | "compact"
            | "distinct"
            | "coalesce"
            | "lookup"
            | "element"
            | "keys"
            | "values"
            | "length"
            | "tobool"
    );
    if any_unknown && !lenient {
        let refs: Vec<&Val> = args.iter().collect();
        let merged = merge_top(&refs, text);
        return match (name, args.as_slice(), merged) {
            // A policy naming its own topic or rule: the adapter may derive the ARNs.
            ("jsonencode", [v], Val::Unknown(mut u)) => {
                u.arn = v.json_with_arns();
                Val::Unknown(u)
            }
            (_, _, merged) => merged,
        };
    }
    let r = match name {
        "jsonencode" => {
            one(&args).map(|v| Val::Str(serde_json::to_string(&v.to_json().0).unwrap_or_default()))
        }
        "jsondecode" => str_arg(&args, 0).and_then(|s| {
            serde_json::from_str::<serde_json::Value>(s)
                .map(|j| Val::from_json(&j))
                .map_err(|e| format!("invalid JSON: {e}"))
        }),
        "file" => str_arg(&args, 0).and_then(|p| scope.read_file(p).map(Val::Str)),
        "format" => format(&args),
        "concat" => {
            let mut out = Vec::new();
            for a in &args {
                match a {
                    Val::List(items) => out.extend(items.iter().cloned()),
                    Val::Unknown(_) => return a.clone(),
                    _ => return error(text, "concat of a non-list"),
                }
            }
            Ok(Val::List(out))
        }
        "merge" => {
            let mut out: Vec<(String, Val)> = Vec::new();
            for a in &args {
                match a {
                    Val::Map(m) | Val::Resource(_, m) => {
                        for (k, v) in m {
                            out.retain(|(x, _)| x != k);
                            out.push((k.clone(), v.clone()));
                        }
                    }
                    Val::Null => {}
                    Val::Unknown(_) => return a.clone(),
                    _ => return error(text, "merge of a non-map"),
                }
            }
            Ok(Val::Map(out))
        }
        "lookup" => match (args.first(), args.get(1)) {
            (Some(Val::Unknown(_)), _) => return args[0].clone(),
            (_, Some(k @ Val::Unknown(_))) => return k.clone(),
            (Some(m), Some(k)) => {
                let key = k.to_tf_string().unwrap_or_default();
                match (m.get(&key), args.get(2)) {
                    (Some(v), _) => Ok(v.clone()),
                    (None, Some(d)) => Ok(d.clone()),
                    (None, None) => Err(format!("no key `{key}`")),
                }
            }
            _ => Err("lookup needs two arguments".into()),
        },
        "element" => match (args.first(), args.get(1)) {
            (Some(u @ Val::Unknown(_)), _) | (_, Some(u @ Val::Unknown(_))) => return u.clone(),
            (Some(Val::List(items)), Some(Val::Num(i))) if !items.is_empty() => {
                Ok(items[(*i as usize) % items.len()].clone())
            }
            _ => Err("element needs a non-empty list and a number".into()),
        },
        // The length of a collection whose elements are unknown is known.
        "length" => one(&args).and_then(|v| match v {
            Val::Unknown(_) => Ok(v.clone()),
            Val::List(i) => Ok(Val::Num(i.len() as f64)),
            Val::Map(m) | Val::Resource(_, m) => Ok(Val::Num(m.len() as f64)),
            Val::Str(s) => Ok(Val::Num(s.chars().count() as f64)),
            _ => Err("length of a non-collection".into()),
        }),
        "tobool" => one(&args).and_then(|v| match v {
            Val::Unknown(_) | Val::Bool(_) | Val::Null => Ok(v.clone()),
            Val::Str(s) if s == "true" => Ok(Val::Bool(true)),
            Val::Str(s) if s == "false" => Ok(Val::Bool(false)),
            _ => Err("tobool of a value that is not true or false".into()),
        }),
        "lower" => str_arg(&args, 0).map(|s| Val::Str(s.to_lowercase())),
        "upper" => str_arg(&args, 0).map(|s| Val::Str(s.to_uppercase())),
        "trimspace" => str_arg(&args, 0).map(|s| Val::Str(s.trim().to_string())),
        "replace" => match (str_arg(&args, 0), str_arg(&args, 1), str_arg(&args, 2)) {
            (Ok(s), Ok(from), Ok(to))
                if from.len() > 2 && from.starts_with('/') && from.ends_with('/') =>
            {
                regex::Regex::new(&from[1..from.len() - 1])
                    .map(|re| Val::Str(re.replace_all(s, to).into_owned()))
                    .map_err(|e| format!("invalid regular expression: {e}"))
            }
            (Ok(s), Ok(from), Ok(to)) => Ok(Val::Str(s.replace(from, to))),
            _ => Err("replace needs three strings".into()),
        },
        "tostring" => one(&args).and_then(|v| match v {
            Val::Null => Ok(Val::Null),
            v => v
                .to_tf_string()
                .map(Val::Str)
                .ok_or_else(|| "cannot convert to string".into()),
        }),
        "tonumber" => one(&args).and_then(|v| match v {
            Val::Num(_) | Val::Null => Ok(v.clone()),
            Val::Str(s) => s.parse().map(Val::Num).map_err(|_| "not a number".into()),
            _ => Err("cannot convert to number".into()),
        }),
        "tolist" | "toset" => one(&args).and_then(|v| match v {
            Val::List(items) => {
                let mut items = items.clone();
                if name == "toset" {
                    dedup(&mut items);
                }
                Ok(Val::List(items))
            }
            Val::Unknown(_) => Ok(v.clone()),
            _ => Err(format!("{name} of a non-list")),
        }),
        "tomap" => one(&args).and_then(|v| match v {
            Val::Map(_) | Val::Unknown(_) => Ok(v.clone()),
            _ => Err("tomap of a non-map".into()),
        }),
        "coalesce" => {
            for a in &args {
                match a {
                    Val::Unknown(_) => return a.clone(),
                    Val::Null => {}
                    Val::Str(s) if s.is_empty() => {}
                    v => return v.clone(),
                }
            }
            Err("no non-null argument".into())
        }
        "compact" => one(&args).and_then(|v| match v {
            Val::List(items) => Ok(Val::List(
                items
                    .iter()
                    .filter(|x| !matches!(x, Val::Null) && x.as_str() != Some(""))
                    .cloned()
                    .collect(),
            )),
            Val::Unknown(_) => Ok(v.clone()),
            _ => Err("compact of a non-list".into()),
        }),
        "distinct" => one(&args).and_then(|v| match v {
            Val::List(items) => {
                let mut items = items.clone();
                dedup(&mut items);
                Ok(Val::List(items))
            }
            Val::Unknown(_) => Ok(v.clone()),
            _ => Err("distinct of a non-list".into()),
        }),
        "flatten" => one(&args).map(|v| {
            let mut out = Vec::new();
            flatten(v, &mut out);
            Val::List(out)
        }),
        "keys" | "values" => one(&args).and_then(|v| match v {
            Val::Map(m) | Val::Resource(_, m) => Ok(Val::List(
                m.iter()
                    .map(|(k, x)| {
                        if name == "keys" {
                            Val::Str(k.clone())
                        } else {
                            x.clone()
                        }
                    })
                    .collect(),
            )),
            Val::Unknown(_) => Ok(v.clone()),
            _ => Err(format!("{name} of a non-map")),
        }),
        "join" => match (str_arg(&args, 0), args.get(1)) {
            (Ok(sep), Some(Val::List(items))) => items
                .iter()
                .map(|i| {
                    i.to_tf_string()
                        .ok_or_else(|| "join of a non-string".to_string())
                })
                .collect::<Result<Vec<_>, _>>()
                .map(|parts| Val::Str(parts.join(sep))),
            _ => Err("join needs a separator and a list".into()),
        },
        "split" => match (str_arg(&args, 0), str_arg(&args, 1)) {
            (Ok(sep), Ok(s)) => Ok(Val::List(
                s.split(sep).map(|p| Val::Str(p.to_string())).collect(),
            )),
            _ => Err("split needs two strings".into()),
        },
        "contains" => match (args.first(), args.get(1)) {
            (Some(Val::List(items)), Some(v)) => Ok(Val::Bool(items.contains(v))),
            _ => Err("contains needs a list and a value".into()),
        },
        "basename" => str_arg(&args, 0).map(|p| Val::Str(basename(p))),
        "startswith" | "endswith" => match (str_arg(&args, 0), str_arg(&args, 1)) {
            (Ok(s), Ok(affix)) => Ok(Val::Bool(if name == "startswith" {
                s.starts_with(affix)
            } else {
                s.ends_with(affix)
            })),
            _ => Err(format!("{name} needs two strings")),
        },
        "trimprefix" | "trimsuffix" => match (str_arg(&args, 0), str_arg(&args, 1)) {
            (Ok(s), Ok(affix)) => Ok(Val::Str(
                if name == "trimprefix" {
                    s.strip_prefix(affix)
                } else {
                    s.strip_suffix(affix)
                }
                .unwrap_or(s)
                .to_string(),
            )),
            _ => Err(format!("{name} needs two strings")),
        },
        "templatefile" => match (str_arg(&args, 0), args.get(1)) {
            (Ok(path), Some(Val::Map(vars))) => scope
                .read_file(path)
                .and_then(|template| super::eval::render_template_file(scope, &template, vars)),
            _ => Err("templatefile needs a path and an object of variables".into()),
        },
        "coalescelist" => {
            for a in &args {
                match a {
                    Val::Unknown(_) => return a.clone(),
                    Val::List(items) if items.is_empty() => {}
                    Val::List(_) => return a.clone(),
                    _ => return error(text, "coalescelist of a non-list"),
                }
            }
            Err("no non-empty list".into())
        }
        "one" => one(&args).and_then(|v| match v {
            Val::List(items) if items.len() <= 1 => Ok(items.first().cloned().unwrap_or(Val::Null)),
            Val::List(_) => Err("one() of a list with more than one element".into()),
            Val::Null => Ok(Val::Null),
            _ => Err("one() of a non-list".into()),
        }),
        "alltrue" | "anytrue" => one(&args).and_then(|v| match v {
            Val::List(items) => {
                let bools = items
                    .iter()
                    .map(|i| i.as_bool().ok_or("not a boolean"))
                    .collect::<Result<Vec<bool>, _>>()?;
                Ok(Val::Bool(if name == "alltrue" {
                    bools.iter().all(|b| *b)
                } else {
                    bools.iter().any(|b| *b)
                }))
            }
            _ => Err(format!("{name} of a non-list")),
        }),
        "regex" => match (str_arg(&args, 0), str_arg(&args, 1)) {
            (Ok(pattern), Ok(s)) => regex_match(pattern, s),
            _ => Err("regex needs a pattern and a string".into()),
        },
        _ if functions_pure::NAMES.contains(&name) => functions_pure::call(name, &args),
        _ => Err(format!("function `{name}` is not evaluated")),
    };
    match r {
        Ok(v) if any_unknown && lenient && v.first_unknown().is_some() => v,
        Ok(v) => v,
        Err(e) => error(text, e),
    }
}

fn merge_top(vals: &[&Val], text: &str) -> Val {
    let inner: Vec<Val> = vals
        .iter()
        .filter_map(|v| v.first_unknown().map(|u| Val::Unknown(Box::new(u.clone()))))
        .collect();
    let refs: Vec<&Val> = inner.iter().chain(vals.iter().copied()).collect();
    merge_unknown(&refs, text).unwrap_or(Val::Null)
}

fn dedup(items: &mut Vec<Val>) {
    let mut seen: Vec<Val> = Vec::new();
    items.retain(|i| {
        if seen.contains(i) {
            false
        } else {
            seen.push(i.clone());
            true
        }
    });
}

fn flatten(v: &Val, out: &mut Vec<Val>) {
    match v {
        Val::List(items) => items.iter().for_each(|i| flatten(i, out)),
        other => out.push(other.clone()),
    }
}

fn one(args: &[Val]) -> Result<&Val, String> {
    args.first().ok_or_else(|| "missing argument".to_string())
}

/// Argument `i` as a string.
pub(super) fn str_arg(args: &[Val], i: usize) -> Result<&str, String> {
    match args.get(i) {
        Some(Val::Str(s)) => Ok(s),
        _ => Err(format!("argument {} is not a string", i + 1)),
    }
}

fn format(args: &[Val]) -> Result<Val, String> {
    let spec = str_arg(args, 0)?;
    let mut out = String::new();
    let mut next = 1;
    let mut chars = spec.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        // Skip flags/width/precision; support the verbs these stacks use.
        let mut verb = None;
        for v in chars.by_ref() {
            if v.is_ascii_alphabetic() || v == '%' {
                verb = Some(v);
                break;
            }
        }
        match verb {
            Some('%') => out.push('%'),
            Some(v) => {
                let arg = args.get(next).ok_or("too few arguments for format")?;
                next += 1;
                match v {
                    's' | 'v' | 'd' | 't' | 'f' | 'g' => match arg {
                        Val::Num(n) if v == 'd' => out.push_str(&fmt_num(n.trunc())),
                        a => out.push_str(&a.to_tf_string().ok_or("format of a non-primitive")?),
                    },
                    'q' => out.push_str(
                        &serde_json::to_string(&arg.to_tf_string().unwrap_or_default())
                            .unwrap_or_default(),
                    ),
                    _ => return Err(format!("format verb %{v} is not evaluated")),
                }
            }
            None => return Err("incomplete format verb".into()),
        }
    }
    Ok(Val::Str(out))
}

/// Terraform's `basename`: the last element of a path, trailing separators
/// ignored (`""` → `.`, all separators → `/`).
fn basename(path: &str) -> String {
    if path.is_empty() {
        return ".".into();
    }
    let trimmed = path.trim_end_matches('/');
    if trimmed.is_empty() {
        return "/".into();
    }
    trimmed.rsplit('/').next().unwrap_or(trimmed).to_string()
}

/// Terraform's `regex`: the first match; with no capture groups the matched
/// text, with unnamed groups a list of them, with named groups an object.
/// No match is an error (so `can(regex(…))` is false).
fn regex_match(pattern: &str, s: &str) -> Result<Val, String> {
    let re = regex::Regex::new(pattern).map_err(|e| format!("invalid regular expression: {e}"))?;
    let caps = re
        .captures(s)
        .ok_or_else(|| "pattern did not match any part of the given string".to_string())?;
    let group = |i: usize| {
        caps.get(i)
            .map_or(Val::Null, |m| Val::Str(m.as_str().into()))
    };
    if re.captures_len() == 1 {
        return Ok(group(0));
    }
    let names: Vec<Option<&str>> = re.capture_names().skip(1).collect();
    if names.iter().all(Option::is_some) {
        return Ok(Val::Map(
            names
                .iter()
                .enumerate()
                .filter_map(|(i, n)| n.map(|n| (n.to_string(), group(i + 1))))
                .collect(),
        ));
    }
    if names.iter().any(Option::is_some) {
        return Err("named and unnamed capture groups cannot be mixed".into());
    }
    Ok(Val::List((1..re.captures_len()).map(group).collect()))
}
