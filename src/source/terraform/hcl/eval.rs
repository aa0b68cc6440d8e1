//! Expression evaluation over hcl-edit's syntax tree, with unknowns.

use hcl_edit::Span;
use hcl_edit::expr::{
    BinaryOperator, Expression, ForExpr, ObjectKey, TraversalOperator, UnaryOperator,
};
use hcl_edit::template::{Directive, Element, Template};

use super::functions;
use super::value::{Unk, Val};
use crate::endpoints::Piece;
use crate::inventory::UnknownKind;
use crate::source::terraform::model::ArnPart;

/// What an expression can refer to outside itself.
pub(super) trait Scope {
    /// Resolve a reference `root.names…`: the value and how many of `names` it consumed.
    /// `None` when the root is not known.
    fn lookup(&mut self, root: &str, names: &[String], text: &str) -> Option<(Val, usize)>;
    /// Read a file for `file()` (relative to the root module directory).
    fn read_file(&mut self, path: &str) -> Result<String, String>;
}

/// Per-evaluation state: the source text, local bindings (`for` variables,
/// `each`, `count`, dynamic iterators) and the resources touched.
pub(super) struct Ctx<'a> {
    /// The text of the file the expression is in.
    pub src: &'a str,
    /// Local bindings, innermost last.
    pub bindings: Vec<(String, Val)>,
    /// Resource addresses referenced.
    pub refs: Vec<String>,
}

impl<'a> Ctx<'a> {
    /// A context over a file's text.
    pub(super) fn new(src: &'a str) -> Self {
        Ctx {
            src,
            bindings: Vec::new(),
            refs: Vec::new(),
        }
    }

    /// The (whitespace-normalized) text of a span.
    pub(super) fn text(&self, span: Option<std::ops::Range<usize>>) -> String {
        span.and_then(|r| self.src.get(r))
            .map(|s| s.split_whitespace().collect::<Vec<_>>().join(" "))
            .unwrap_or_else(|| "<expression>".into())
    }

    fn binding(&self, name: &str) -> Option<&Val> {
        self.bindings
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v)
    }
}

/// An evaluation error value (skipped by `try`).
pub(super) fn error(expr: impl Into<String>, reason: impl Into<String>) -> Val {
    Val::Unknown(Box::new(Unk {
        kind: UnknownKind::Unresolved,
        expr: expr.into(),
        reason: format!("error: {}", reason.into()),
        refs: Vec::new(),
        pieces: None,
        arn: None,
    }))
}

/// Whether a value is an evaluation error.
pub(super) fn is_error(v: &Val) -> bool {
    matches!(v, Val::Unknown(u) if u.reason.starts_with("error: "))
}

/// Merge the unknowns of several values into one unknown (first kind wins).
pub(super) fn merge_unknown(vals: &[&Val], expr: &str) -> Option<Val> {
    let mut first: Option<Unk> = None;
    let mut refs = Vec::new();
    for v in vals {
        v.collect_refs(&mut refs);
        if first.is_none()
            && let Val::Unknown(u) = v
        {
            first = Some((**u).clone());
        }
    }
    first.map(|mut u| {
        if u.expr.is_empty() {
            u.expr = expr.to_string();
        }
        u.refs = refs;
        u.pieces = None;
        u.arn = None;
        Val::Unknown(Box::new(u))
    })
}

/// Evaluate an expression.
pub(super) fn eval(scope: &mut dyn Scope, ctx: &mut Ctx, e: &Expression) -> Val {
    match e {
        Expression::Null(_) => Val::Null,
        Expression::Bool(b) => Val::Bool(**b),
        Expression::Number(n) => Val::Num(n.as_f64().unwrap_or(0.0)),
        Expression::String(s) => Val::Str(s.to_string()),
        Expression::Array(a) => Val::List(a.iter().map(|x| eval(scope, ctx, x)).collect()),
        Expression::Object(o) => {
            let mut out = Vec::new();
            for (k, v) in o.iter() {
                let key = match k {
                    ObjectKey::Ident(i) => Val::Str(i.as_str().to_string()),
                    ObjectKey::Expression(Expression::Variable(i)) => {
                        Val::Str(i.as_str().to_string())
                    }
                    ObjectKey::Expression(x) => eval(scope, ctx, x),
                };
                let value = eval(scope, ctx, v.expr());
                match key.to_tf_string() {
                    Some(k) => out.push((k, value)),
                    None => {
                        return merge_unknown(&[&key], &ctx.text(o.span())).unwrap_or_else(|| {
                            error(ctx.text(o.span()), "object key is not a string")
                        });
                    }
                }
            }
            Val::Map(out)
        }
        Expression::StringTemplate(t) => eval_template(scope, ctx, t, &ctx.text(t.span())),
        Expression::HeredocTemplate(h) => {
            let mut h = (**h).clone();
            h.dedent();
            let text = ctx.text(h.span());
            eval_template(scope, ctx, &h.template, &text)
        }
        Expression::Parenthesis(p) => eval(scope, ctx, p.inner()),
        Expression::Variable(v) => traverse(scope, ctx, v.as_str(), &[], &ctx.text(v.span())),
        Expression::Conditional(c) => {
            let cond = eval(scope, ctx, &c.cond_expr);
            match cond.as_bool() {
                Some(true) => eval(scope, ctx, &c.true_expr),
                Some(false) => eval(scope, ctx, &c.false_expr),
                None => {
                    let t = eval(scope, ctx, &c.true_expr);
                    let f = eval(scope, ctx, &c.false_expr);
                    if t == f && t.first_unknown().is_none() {
                        return t;
                    }
                    let text = ctx.text(c.span());
                    merge_unknown(&[&cond, &t, &f], &text)
                        .unwrap_or_else(|| error(text, "condition is not a boolean"))
                }
            }
        }
        Expression::FuncCall(f) => {
            let name = f.name.name.as_str();
            let text = ctx.text(f.span());
            if f.name.is_namespaced() {
                return Val::unresolved(text, "provider functions are not evaluated");
            }
            if name == "try" || name == "can" {
                for arg in f.args.iter() {
                    let v = eval(scope, ctx, arg);
                    if !is_error(&v) {
                        return if name == "can" {
                            if v.first_unknown().is_some() {
                                v
                            } else {
                                Val::Bool(true)
                            }
                        } else {
                            v
                        };
                    }
                }
                return if name == "can" {
                    Val::Bool(false)
                } else {
                    error(text, "no argument of try() succeeded")
                };
            }
            let mut args: Vec<Val> = f.args.iter().map(|a| eval(scope, ctx, a)).collect();
            if f.args.expand_final()
                && let Some(Val::List(items)) = args.pop()
            {
                args.extend(items);
            }
            functions::call(scope, name, args, &text)
        }
        Expression::Traversal(t) => {
            let text = ctx.text(t.span());
            let ops: Vec<&TraversalOperator> = t.operators.iter().map(|o| &**o).collect();
            match &t.expr {
                Expression::Variable(root) => traverse(scope, ctx, root.as_str(), &ops, &text),
                other => {
                    let base = eval(scope, ctx, other);
                    apply_ops(scope, ctx, base, &ops, &text)
                }
            }
        }
        Expression::UnaryOp(u) => {
            let v = eval(scope, ctx, &u.expr);
            let text = ctx.text(u.span());
            match (*u.operator, &v) {
                (_, Val::Unknown(_)) => v,
                (UnaryOperator::Not, _) => v
                    .as_bool()
                    .map_or_else(|| error(text, "not a boolean"), |b| Val::Bool(!b)),
                (UnaryOperator::Neg, Val::Num(n)) => Val::Num(-n),
                _ => error(text, "not a number"),
            }
        }
        Expression::BinaryOp(b) => {
            let text = ctx.text(b.span());
            let l = eval(scope, ctx, &b.lhs_expr);
            let op = *b.operator.value();
            if op == BinaryOperator::And && l.as_bool() == Some(false) {
                return Val::Bool(false);
            }
            if op == BinaryOperator::Or && l.as_bool() == Some(true) {
                return Val::Bool(true);
            }
            let r = eval(scope, ctx, &b.rhs_expr);
            binary(op, &l, &r, &text)
        }
        Expression::ForExpr(f) => eval_for(scope, ctx, f),
    }
}

fn binary(op: BinaryOperator, l: &Val, r: &Val, text: &str) -> Val {
    use BinaryOperator as B;
    if let Some(u) = merge_unknown(&[l, r], text) {
        return u;
    }
    let num = |v: &Val| match v {
        Val::Num(n) => Some(*n),
        Val::Str(s) => s.parse::<f64>().ok(),
        _ => None,
    };
    match op {
        B::Eq => Val::Bool(loose_eq(l, r)),
        B::NotEq => Val::Bool(!loose_eq(l, r)),
        B::And | B::Or => match (l.as_bool(), r.as_bool()) {
            (Some(a), Some(b)) => Val::Bool(if op == B::And { a && b } else { a || b }),
            _ => error(text, "not a boolean"),
        },
        _ => match (num(l), num(r)) {
            (Some(a), Some(b)) => match op {
                B::Less => Val::Bool(a < b),
                B::LessEq => Val::Bool(a <= b),
                B::Greater => Val::Bool(a > b),
                B::GreaterEq => Val::Bool(a >= b),
                B::Plus => Val::Num(a + b),
                B::Minus => Val::Num(a - b),
                B::Mul => Val::Num(a * b),
                B::Div => Val::Num(a / b),
                _ => Val::Num(a % b),
            },
            _ => error(text, "not a number"),
        },
    }
}

fn loose_eq(l: &Val, r: &Val) -> bool {
    match (l, r) {
        (Val::Num(a), Val::Str(b)) | (Val::Str(b), Val::Num(a)) => {
            b.parse::<f64>().ok() == Some(*a)
        }
        _ => l == r,
    }
}

/// A template's value: a string when every part is known; otherwise an
/// unknown that keeps the template's known text and unknown parts in order
/// (and, when those parts are all ARNs of this stack's resources, the text
/// and ARNs the adapter can substitute).
fn eval_template(scope: &mut dyn Scope, ctx: &mut Ctx, t: &Template, text: &str) -> Val {
    let mut out = Rendered {
        pieces: Vec::new(),
        unknowns: Vec::new(),
        arn: Some(Vec::new()),
    };
    render(scope, ctx, t, &mut out);
    let Rendered {
        pieces,
        unknowns,
        arn,
    } = out;
    if unknowns.is_empty() {
        let known: String = pieces
            .iter()
            .filter_map(|p| match p {
                Piece::Text(s) => Some(s.as_str()),
                Piece::Unknown => None,
            })
            .collect();
        return Val::Str(known);
    }
    let refs: Vec<&Val> = unknowns.iter().collect();
    match merge_unknown(&refs, text) {
        Some(Val::Unknown(mut u)) => {
            u.pieces = Some(pieces);
            u.arn = arn;
            Val::Unknown(u)
        }
        other => other.unwrap_or(Val::Null),
    }
}

/// What a template renders to so far.
struct Rendered {
    /// Known text and unknown parts, in order.
    pieces: Vec<Piece>,
    /// The unknown values, in order.
    unknowns: Vec<Val>,
    /// The text with the ARNs of this stack's resources it interpolates;
    /// `None` once any other part is unknown.
    arn: Option<Vec<ArnPart>>,
}

impl Rendered {
    /// Append known text (merging adjacent text).
    fn text(&mut self, s: &str) {
        match self.pieces.last_mut() {
            Some(Piece::Text(last)) => last.push_str(s),
            _ => self.pieces.push(Piece::Text(s.to_string())),
        }
        if let Some(arn) = &mut self.arn {
            push_arn_text(arn, s);
        }
    }

    /// Record an unknown part: its own pieces when it is a partially known
    /// template itself, else one unknown piece.
    fn unknown(&mut self, v: Val) {
        match &v {
            Val::Unknown(u) if u.pieces.is_some() => {
                for p in u.pieces.iter().flatten() {
                    match p {
                        Piece::Text(s) => match self.pieces.last_mut() {
                            Some(Piece::Text(last)) => last.push_str(s),
                            _ => self.pieces.push(Piece::Text(s.clone())),
                        },
                        Piece::Unknown => self.pieces.push(Piece::Unknown),
                    }
                }
            }
            _ => self.pieces.push(Piece::Unknown),
        }
        self.arn = match (self.arn.take(), &v) {
            (Some(mut arn), Val::Unknown(u)) => u.arn.as_ref().map(|parts| {
                for p in parts {
                    match p {
                        ArnPart::Text(s) => push_arn_text(&mut arn, s),
                        ArnPart::Arn(a) => arn.push(ArnPart::Arn(a.clone())),
                    }
                }
                arn
            }),
            _ => None,
        };
        self.unknowns.push(v);
    }
}

/// Append text to ARN parts (merging adjacent text).
pub(super) fn push_arn_text(parts: &mut Vec<ArnPart>, s: &str) {
    match parts.last_mut() {
        Some(ArnPart::Text(last)) => last.push_str(s),
        _ => parts.push(ArnPart::Text(s.to_string())),
    }
}

fn render(scope: &mut dyn Scope, ctx: &mut Ctx, t: &Template, out: &mut Rendered) {
    for el in t.iter() {
        match el {
            Element::Literal(s) => out.text(s),
            Element::Interpolation(i) => {
                let v = eval(scope, ctx, &i.expr);
                match v.to_tf_string() {
                    Some(s) => out.text(&s),
                    None if matches!(v, Val::Unknown(_)) => out.unknown(v),
                    None => out.unknown(error(ctx.text(i.expr.span()), "cannot convert to string")),
                }
            }
            Element::Directive(d) => match &**d {
                Directive::If(i) => {
                    let c = eval(scope, ctx, &i.if_expr.cond_expr);
                    match c.as_bool() {
                        Some(true) => render(scope, ctx, &i.if_expr.template, out),
                        Some(false) => {
                            if let Some(e) = &i.else_expr {
                                render(scope, ctx, &e.template, out);
                            }
                        }
                        None => {
                            out.pieces.push(Piece::Unknown);
                            out.unknowns.push(c);
                            out.arn = None;
                        }
                    }
                }
                Directive::For(f) => {
                    let fe = &f.for_expr;
                    let coll = eval(scope, ctx, &fe.collection_expr);
                    let Some(items) = iter_items(&coll) else {
                        out.pieces.push(Piece::Unknown);
                        out.unknowns.push(coll);
                        out.arn = None;
                        continue;
                    };
                    for (k, v) in items {
                        let n = ctx.bindings.len();
                        if let Some(kv) = &fe.key_var {
                            ctx.bindings.push((kv.as_str().to_string(), k));
                        }
                        ctx.bindings.push((fe.value_var.as_str().to_string(), v));
                        render(scope, ctx, &fe.template, out);
                        ctx.bindings.truncate(n);
                    }
                }
            },
        }
    }
}

/// `templatefile`: parse `text` as a template and render it with `vars` as
/// its only variables (a template sees no `var.`, `local.` or resources).
pub(super) fn render_template_file(
    scope: &mut dyn Scope,
    text: &str,
    vars: &[(String, Val)],
) -> Result<Val, String> {
    let template = hcl_edit::parser::parse_template(text)
        .map_err(|e| format!("template syntax error: {}", e.message()))?;
    let mut isolated = TemplateScope { outer: scope };
    let mut ctx = Ctx::new(text);
    ctx.bindings = vars.to_vec();
    let whole = format!("templatefile({} bytes)", text.len());
    let v = eval_template(&mut isolated, &mut ctx, &template, &whole);
    match &v {
        Val::Unknown(u) if u.reason.starts_with("error: ") => {
            Err(u.reason.trim_start_matches("error: ").to_string())
        }
        _ => Ok(v),
    }
}

/// The scope of a `templatefile` template: its variables only, and files.
struct TemplateScope<'s> {
    outer: &'s mut dyn Scope,
}

impl Scope for TemplateScope<'_> {
    fn lookup(&mut self, _: &str, _: &[String], _: &str) -> Option<(Val, usize)> {
        None
    }
    fn read_file(&mut self, path: &str) -> Result<String, String> {
        self.outer.read_file(path)
    }
}

/// Key/value pairs of a list (index keys) or map; `None` if not iterable.
pub(super) fn iter_items(v: &Val) -> Option<Vec<(Val, Val)>> {
    match v {
        Val::List(items) => Some(
            items
                .iter()
                .enumerate()
                .map(|(i, v)| (Val::Num(i as f64), v.clone()))
                .collect(),
        ),
        Val::Map(m) | Val::Resource(_, m) => Some(
            m.iter()
                .map(|(k, v)| (Val::Str(k.clone()), v.clone()))
                .collect(),
        ),
        Val::Null => Some(Vec::new()),
        _ => None,
    }
}

fn eval_for(scope: &mut dyn Scope, ctx: &mut Ctx, f: &ForExpr) -> Val {
    let text = ctx.text(f.span());
    let coll = eval(scope, ctx, &f.intro.collection_expr);
    let Some(items) = iter_items(&coll) else {
        return merge_unknown(&[&coll], &text).unwrap_or_else(|| error(text, "cannot iterate"));
    };
    let mut list = Vec::new();
    let mut map: Vec<(String, Val)> = Vec::new();
    for (k, v) in items {
        let n = ctx.bindings.len();
        if let Some(kv) = &f.intro.key_var {
            ctx.bindings.push((kv.as_str().to_string(), k));
        }
        ctx.bindings
            .push((f.intro.value_var.as_str().to_string(), v));
        let keep = match &f.cond {
            Some(c) => eval(scope, ctx, &c.expr),
            None => Val::Bool(true),
        };
        match keep.as_bool() {
            Some(false) => {}
            Some(true) => {
                let value = eval(scope, ctx, &f.value_expr);
                match &f.key_expr {
                    Some(ke) => {
                        let key = eval(scope, ctx, ke);
                        let Some(key) = key.to_tf_string() else {
                            ctx.bindings.truncate(n);
                            return merge_unknown(&[&key], &text)
                                .unwrap_or_else(|| error(&text, "key is not a string"));
                        };
                        if f.grouping {
                            match map.iter_mut().find(|(k, _)| *k == key) {
                                Some((_, Val::List(g))) => g.push(value),
                                _ => map.push((key, Val::List(vec![value]))),
                            }
                        } else {
                            map.retain(|(k, _)| *k != key);
                            map.push((key, value));
                        }
                    }
                    None => list.push(value),
                }
            }
            None => {
                ctx.bindings.truncate(n);
                return merge_unknown(&[&keep], &text)
                    .unwrap_or_else(|| error(&text, "condition is not a boolean"));
            }
        }
        ctx.bindings.truncate(n);
    }
    if f.key_expr.is_some() {
        Val::Map(map)
    } else {
        Val::List(list)
    }
}

fn traverse(
    scope: &mut dyn Scope,
    ctx: &mut Ctx,
    root: &str,
    ops: &[&TraversalOperator],
    text: &str,
) -> Val {
    if let Some(v) = ctx.binding(root).cloned() {
        return apply_ops(scope, ctx, v, ops, text);
    }
    let names: Vec<String> = ops
        .iter()
        .take(3)
        .map_while(|o| match o {
            TraversalOperator::GetAttr(n) => Some(n.as_str().to_string()),
            _ => None,
        })
        .collect();
    match scope.lookup(root, &names, text) {
        Some((v, used)) => {
            if let Val::Resource(a, _) = &v
                && !ctx.refs.contains(a)
            {
                ctx.refs.push(a.clone());
            }
            apply_ops(scope, ctx, v, &ops[used.min(ops.len())..], text)
        }
        None => Val::unresolved(text, format!("unknown reference `{root}`")),
    }
}

fn apply_ops(
    scope: &mut dyn Scope,
    ctx: &mut Ctx,
    mut v: Val,
    ops: &[&TraversalOperator],
    text: &str,
) -> Val {
    for (i, op) in ops.iter().enumerate() {
        if let Val::Resource(a, _) = &v
            && !ctx.refs.contains(a)
        {
            ctx.refs.push(a.clone());
        }
        if matches!(v, Val::Unknown(_)) {
            return v;
        }
        v = match op {
            TraversalOperator::GetAttr(n) => get_attr(&v, n.as_str(), text),
            TraversalOperator::Index(e) => {
                let key = eval(scope, ctx, e);
                index(&v, &key, text)
            }
            TraversalOperator::LegacyIndex(n) => index(&v, &Val::Num(**n as f64), text),
            TraversalOperator::AttrSplat(_) | TraversalOperator::FullSplat(_) => {
                let items = match v {
                    Val::List(items) => items,
                    Val::Null => Vec::new(),
                    other => vec![other],
                };
                let rest = &ops[i + 1..];
                return Val::List(
                    items
                        .into_iter()
                        .map(|x| apply_ops(scope, ctx, x, rest, text))
                        .collect(),
                );
            }
        };
    }
    v
}

fn get_attr(v: &Val, name: &str, text: &str) -> Val {
    match v {
        Val::Resource(addr, m) => m
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, x)| x.clone())
            .unwrap_or_else(|| match (name, id_source_of(name, addr)) {
                ("arn", _) | ("id", Some("arn")) => Val::arn_of(text, addr),
                ("id", Some(attribute)) => m.iter().find(|(k, _)| k == attribute).map_or_else(
                    || Val::after_apply(text, vec![addr.clone()]),
                    |(_, x)| x.clone(),
                ),
                _ => Val::after_apply(text, vec![addr.clone()]),
            }),
        Val::Map(m) => m.iter().find(|(k, _)| k == name).map_or_else(
            || error(text, format!("no attribute `{name}`")),
            |(_, x)| x.clone(),
        ),
        Val::Null => error(text, "attribute of null"),
        _ => error(text, format!("`{name}` of a non-object")),
    }
}

/// The attribute a resource's `id` equals, for types whose provider sets
/// the id to it (`aws_cloudwatch_log_metric_filter.f.id` is the filter's
/// name; an alarm's `metric_name` is often written that way).
fn id_source(kind: &str) -> Option<&'static str> {
    match kind {
        "aws_cloudwatch_log_metric_filter" | "aws_cloudwatch_log_group" | "aws_ssm_parameter" => {
            Some("name")
        }
        "aws_cloudwatch_metric_alarm" => Some("alarm_name"),
        "aws_lambda_function" => Some("function_name"),
        "aws_sns_topic" => Some("arn"),
        _ => None,
    }
}

/// [`id_source`] of the resource at `address`, asked only for `id` (the
/// address is parsed by the one Terraform address parser).
fn id_source_of(name: &str, address: &str) -> Option<&'static str> {
    if name != "id" {
        return None;
    }
    let address = crate::source::terraform::address::Address::parse(address).ok()?;
    id_source(&address.kind)
}

fn index(v: &Val, key: &Val, text: &str) -> Val {
    if let Some(u) = merge_unknown(&[key], text) {
        return u;
    }
    match (v, key) {
        (Val::List(items), k) => match k.to_tf_string().and_then(|s| s.parse::<usize>().ok()) {
            Some(i) => items
                .get(i)
                .cloned()
                .unwrap_or_else(|| error(text, "index out of range")),
            None => error(text, "list index is not a number"),
        },
        (Val::Map(_) | Val::Resource(..), k) => match k.to_tf_string() {
            Some(s) => v
                .get(&s)
                .cloned()
                .unwrap_or_else(|| error(text, format!("no key `{s}`"))),
            None => error(text, "map key is not a string"),
        },
        _ => error(text, "index of a non-collection"),
    }
}

#[cfg(test)]
mod tests {
    use super::{id_source, id_source_of};

    #[test]
    fn an_instance_address_names_its_resource_type() {
        assert_eq!(
            id_source_of(
                "id",
                "module.m[\"a.b\"].aws_cloudwatch_log_metric_filter.root_usage[0]"
            ),
            Some("name")
        );
        assert_eq!(id_source_of("id", "aws_sns_topic.t"), Some("arn"));
        assert_eq!(
            id_source_of("id", "data.aws_ssm_parameter.p[\"x\"]"),
            Some("name")
        );
        assert_eq!(
            id_source_of("id", "data.aws_subnet.default[\"subnet-1\"]"),
            None
        );
        assert_eq!(id_source_of("id", "odd"), None);
        assert_eq!(id_source_of("name", "aws_sns_topic.t"), None);
    }

    #[test]
    fn only_types_whose_id_is_a_name_or_arn_have_one() {
        assert_eq!(id_source("aws_cloudwatch_log_metric_filter"), Some("name"));
        assert_eq!(id_source("aws_cloudwatch_metric_alarm"), Some("alarm_name"));
        assert_eq!(id_source("aws_sns_topic"), Some("arn"));
        assert_eq!(id_source("aws_guardduty_detector"), None);
    }
}
