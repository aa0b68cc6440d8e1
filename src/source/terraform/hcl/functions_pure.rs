//! More of Terraform's built-in functions: pure string, number and
//! collection functions that public modules use in names and `for_each`
//! keys (`chomp`, `title`, `substr`, `zipmap`, `range`, `setunion`, `max`,
//! `sha256`, …). [`super::functions`] owns the dispatch and how unknown
//! arguments propagate; these see known arguments only.

use sha2::{Digest, Sha256};

use super::functions::str_arg as string;
use super::value::Val;

/// The functions this module evaluates.
pub(super) const NAMES: &[&str] = &[
    "chomp",
    "title",
    "trim",
    "substr",
    "strrev",
    "strcontains",
    "indent",
    "formatlist",
    "sort",
    "reverse",
    "range",
    "zipmap",
    "index",
    "slice",
    "setunion",
    "setintersection",
    "setsubtract",
    "chunklist",
    "max",
    "min",
    "abs",
    "ceil",
    "floor",
    "sum",
    "signum",
    "pow",
    "parseint",
    "sha256",
    "sensitive",
    "nonsensitive",
];

/// Evaluate `name` (one of [`NAMES`]) on known arguments.
pub(super) fn call(name: &str, args: &[Val]) -> Result<Val, String> {
    match name {
        "chomp" => string(args, 0).map(|s| Val::Str(s.trim_end_matches(['\n', '\r']).into())),
        "title" => string(args, 0).map(|s| Val::Str(title(s))),
        "trim" => match (string(args, 0), string(args, 1)) {
            (Ok(s), Ok(cut)) => Ok(Val::Str(s.trim_matches(|c| cut.contains(c)).into())),
            _ => Err("trim needs two strings".into()),
        },
        "substr" => substr(args),
        "strrev" => string(args, 0).map(|s| Val::Str(s.chars().rev().collect())),
        "strcontains" => match (string(args, 0), string(args, 1)) {
            (Ok(s), Ok(part)) => Ok(Val::Bool(s.contains(part))),
            _ => Err("strcontains needs two strings".into()),
        },
        "indent" => match (number(args, 0), string(args, 1)) {
            (Ok(n), Ok(s)) => {
                let pad = " ".repeat(n.max(0.0) as usize);
                Ok(Val::Str(s.replace('\n', &format!("\n{pad}"))))
            }
            _ => Err("indent needs a number and a string".into()),
        },
        "formatlist" => formatlist(args),
        "sort" => list(args, 0).and_then(|items| {
            let mut strings = items
                .iter()
                .map(|v| v.to_tf_string().ok_or("sort of a non-string"))
                .collect::<Result<Vec<String>, _>>()?;
            strings.sort();
            Ok(Val::List(strings.into_iter().map(Val::Str).collect()))
        }),
        "reverse" => list(args, 0).map(|items| Val::List(items.iter().rev().cloned().collect())),
        "range" => range(args),
        "zipmap" => match (list(args, 0), list(args, 1)) {
            (Ok(keys), Ok(values)) if keys.len() == values.len() => keys
                .iter()
                .zip(values)
                .map(|(k, v)| {
                    k.to_tf_string()
                        .map(|k| (k, v.clone()))
                        .ok_or_else(|| "zipmap key is not a string".to_string())
                })
                .collect::<Result<Vec<_>, _>>()
                .map(Val::Map),
            _ => Err("zipmap needs two lists of one length".into()),
        },
        "index" => match (list(args, 0), args.get(1)) {
            (Ok(items), Some(wanted)) => items
                .iter()
                .position(|v| v == wanted)
                .map(|i| Val::Num(i as f64))
                .ok_or_else(|| "index: the value is not in the list".into()),
            _ => Err("index needs a list and a value".into()),
        },
        "slice" => match (list(args, 0), number(args, 1), number(args, 2)) {
            (Ok(items), Ok(from), Ok(to)) if from >= 0.0 && from <= to => items
                .get(from as usize..to as usize)
                .map(|s| Val::List(s.to_vec()))
                .ok_or_else(|| "slice out of range".into()),
            _ => Err("slice needs a list and two indexes".into()),
        },
        "setunion" | "setintersection" | "setsubtract" => sets(name, args),
        "chunklist" => match (list(args, 0), number(args, 1)) {
            (Ok(items), Ok(n)) if n >= 1.0 => Ok(Val::List(
                items
                    .chunks(n as usize)
                    .map(|c| Val::List(c.to_vec()))
                    .collect(),
            )),
            (Ok(items), Ok(n)) if (0.0..1.0).contains(&n) => {
                Ok(Val::List(vec![Val::List(items.to_vec())]))
            }
            _ => Err("chunklist needs a list and a size".into()),
        },
        "max" | "min" => {
            let numbers = numbers(args)?;
            let pick = if name == "max" { f64::max } else { f64::min };
            numbers
                .into_iter()
                .reduce(pick)
                .map(Val::Num)
                .ok_or_else(|| format!("{name} of no numbers"))
        }
        "abs" => number(args, 0).map(|n| Val::Num(n.abs())),
        "ceil" => number(args, 0).map(|n| Val::Num(n.ceil())),
        "floor" => number(args, 0).map(|n| Val::Num(n.floor())),
        "signum" => number(args, 0).map(|n| Val::Num(if n == 0.0 { 0.0 } else { n.signum() })),
        "pow" => match (number(args, 0), number(args, 1)) {
            (Ok(b), Ok(e)) => Ok(Val::Num(b.powf(e))),
            _ => Err("pow needs two numbers".into()),
        },
        "sum" => list(args, 0).and_then(|items| numbers(items).map(|n| Val::Num(n.iter().sum()))),
        "parseint" => match (string(args, 0), number(args, 1)) {
            (Ok(s), Ok(base)) if (2.0..=62.0).contains(&base) && base <= 36.0 => {
                i64::from_str_radix(s, base as u32)
                    .map(|n| Val::Num(n as f64))
                    .map_err(|e| format!("parseint: {e}"))
            }
            _ => Err("parseint needs a string and a base from 2 to 36".into()),
        },
        "sha256" => string(args, 0).map(|s| {
            let digest = Sha256::digest(s.as_bytes());
            Val::Str(digest.iter().map(|b| format!("{b:02x}")).collect())
        }),
        "sensitive" | "nonsensitive" => args
            .first()
            .cloned()
            .ok_or_else(|| format!("{name} needs an argument")),
        _ => Err(format!("function `{name}` is not evaluated")),
    }
}

fn number(args: &[Val], i: usize) -> Result<f64, String> {
    match args.get(i) {
        Some(Val::Num(n)) => Ok(*n),
        Some(Val::Str(s)) => s
            .trim()
            .parse()
            .map_err(|_| format!("argument {} is not a number", i + 1)),
        _ => Err(format!("argument {} is not a number", i + 1)),
    }
}

fn numbers(values: &[Val]) -> Result<Vec<f64>, String> {
    (0..values.len()).map(|i| number(values, i)).collect()
}

fn list(args: &[Val], i: usize) -> Result<&[Val], String> {
    match args.get(i) {
        Some(Val::List(items)) => Ok(items),
        _ => Err(format!("argument {} is not a list", i + 1)),
    }
}

/// Terraform's `title`: the first letter of each word upper-cased.
fn title(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut start = true;
    for c in s.chars() {
        if start {
            out.extend(c.to_uppercase());
        } else {
            out.push(c);
        }
        start = !c.is_alphanumeric();
    }
    out
}

/// `substr(string, offset, length)`: offsets in characters; a negative
/// offset counts from the end, a length of -1 takes the rest.
fn substr(args: &[Val]) -> Result<Val, String> {
    let s = string(args, 0)?;
    let (offset, length) = (number(args, 1)?, number(args, 2)?);
    let chars: Vec<char> = s.chars().collect();
    let n = chars.len() as i64;
    let start = if offset < 0.0 {
        (n + offset as i64).max(0)
    } else {
        (offset as i64).min(n)
    };
    let end = if length < 0.0 {
        n
    } else {
        (start + length as i64).min(n)
    };
    Ok(Val::Str(
        chars[start as usize..end.max(start) as usize]
            .iter()
            .collect(),
    ))
}

/// `formatlist(spec, args…)`: `format` over lists of equal length (a
/// string argument repeats).
fn formatlist(args: &[Val]) -> Result<Val, String> {
    let spec = string(args, 0)?;
    let rest = &args[1..];
    let rows = rest
        .iter()
        .filter_map(|a| match a {
            Val::List(items) => Some(items.len()),
            _ => None,
        })
        .max()
        .unwrap_or(1);
    let mut out = Vec::with_capacity(rows);
    for row in 0..rows {
        let mut text = String::new();
        let mut values = rest.iter().map(|a| match a {
            Val::List(items) => items.get(row).and_then(Val::to_tf_string),
            other => other.to_tf_string(),
        });
        let mut chars = spec.chars().peekable();
        while let Some(c) = chars.next() {
            match (c, chars.peek()) {
                ('%', Some('%')) => {
                    chars.next();
                    text.push('%');
                }
                ('%', Some('s' | 'd' | 'v')) => {
                    chars.next();
                    let value = values
                        .next()
                        .flatten()
                        .ok_or_else(|| "formatlist: too few values".to_string())?;
                    text.push_str(&value);
                }
                ('%', _) => return Err("formatlist: only %s, %d and %v are evaluated".into()),
                (c, _) => text.push(c),
            }
        }
        out.push(Val::Str(text));
    }
    Ok(Val::List(out))
}

/// `range(limit)`, `range(start, limit)`, `range(start, limit, step)`.
fn range(args: &[Val]) -> Result<Val, String> {
    let n = numbers(args)?;
    let (start, limit, step) = match n.as_slice() {
        [limit] => (0.0, *limit, 1.0),
        [start, limit] => (*start, *limit, if start <= limit { 1.0 } else { -1.0 }),
        [start, limit, step] if *step != 0.0 => (*start, *limit, *step),
        _ => return Err("range needs one to three numbers and a non-zero step".into()),
    };
    let mut out = Vec::new();
    let mut x = start;
    while (step > 0.0 && x < limit) || (step < 0.0 && x > limit) {
        if out.len() >= 1024 {
            return Err("range of more than 1024 elements".into());
        }
        out.push(Val::Num(x));
        x += step;
    }
    Ok(Val::List(out))
}

/// `setunion`, `setintersection`, `setsubtract` over lists, keeping the
/// first list's order.
fn sets(name: &str, args: &[Val]) -> Result<Val, String> {
    let lists = (0..args.len())
        .map(|i| list(args, i))
        .collect::<Result<Vec<&[Val]>, _>>()?;
    let Some((first, rest)) = lists.split_first() else {
        return Err(format!("{name} needs a list"));
    };
    let mut out: Vec<Val> = Vec::new();
    let mut push = |v: &Val| {
        if !out.contains(v) {
            out.push(v.clone());
        }
    };
    match name {
        "setunion" => lists.iter().flat_map(|l| l.iter()).for_each(&mut push),
        "setintersection" => first
            .iter()
            .filter(|v| rest.iter().all(|l| l.contains(v)))
            .for_each(&mut push),
        _ => first
            .iter()
            .filter(|v| rest.iter().all(|l| !l.contains(v)))
            .for_each(&mut push),
    }
    Ok(Val::List(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &str) -> Val {
        Val::Str(v.into())
    }

    fn strs(items: &[&str]) -> Val {
        Val::List(items.iter().map(|i| s(i)).collect())
    }

    #[test]
    fn strings() {
        assert_eq!(call("chomp", &[s("a\n\n")]), Ok(s("a")));
        assert_eq!(call("title", &[s("hello world-x")]), Ok(s("Hello World-X")));
        assert_eq!(call("trim", &[s("?!hi!?"), s("!?")]), Ok(s("hi")));
        assert_eq!(
            call("substr", &[s("hello world"), Val::Num(1.0), Val::Num(4.0)]),
            Ok(s("ello"))
        );
        assert_eq!(
            call("substr", &[s("hello"), Val::Num(-3.0), Val::Num(-1.0)]),
            Ok(s("llo"))
        );
        assert_eq!(
            call("formatlist", &[s("%s-%s"), strs(&["a", "b"]), s("x")]),
            Ok(strs(&["a-x", "b-x"]))
        );
    }

    #[test]
    fn collections_and_numbers() {
        assert_eq!(
            call("zipmap", &[strs(&["a", "b"]), strs(&["1", "2"])]),
            Ok(Val::Map(vec![("a".into(), s("1")), ("b".into(), s("2"))]))
        );
        assert_eq!(
            call("range", &[Val::Num(3.0)]),
            Ok(Val::List(vec![Val::Num(0.0), Val::Num(1.0), Val::Num(2.0)]))
        );
        assert_eq!(
            call("setsubtract", &[strs(&["a", "b", "c"]), strs(&["b"])]),
            Ok(strs(&["a", "c"]))
        );
        assert_eq!(
            call("max", &[Val::Num(2.0), Val::Num(7.0)]),
            Ok(Val::Num(7.0))
        );
        assert_eq!(call("sort", &[strs(&["b", "a"])]), Ok(strs(&["a", "b"])));
        assert_eq!(
            call("sha256", &[s("")]),
            Ok(s(
                "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
            ))
        );
        assert!(call("range", &[Val::Num(1e9)]).is_err());
    }
}
