//! Evaluating one module instance: variables, locals, providers, resources
//! (with `count`/`for_each`), data sources and child modules.

use crate::inventory::arn::partition_of_region;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::rc::Rc;

use hcl_edit::Span;
use hcl_edit::expr::Expression;
use hcl_edit::structure::{Block, Body};

use super::eval::{self, Ctx, Scope};
use super::expand::{self, Instance};
use super::parse::{Item, ModuleAst};
use super::value::Val;
use super::{Global, literals, policy_doc, registry, types};
use crate::inventory::{Known, Origin, SourceLocation};
use crate::source::terraform::model::{Blocks, Mode, TfResource, Unresolvable};

/// Where one top-level attribute came from: its span in the file, the
/// references its expression makes, and the expression's text.
pub(super) type AttributeSource = (Option<std::ops::Range<usize>>, Vec<String>, String);

/// A block body's attributes and nested blocks, evaluated, in order.
pub(super) type Attributes = Vec<(String, Val)>;

/// The deepest chain of nested module calls evaluated.
const MAX_MODULE_DEPTH: usize = 64;
/// The deepest chain of references (a local naming a local naming …) evaluated.
const MAX_REFERENCE_DEPTH: usize = 256;

/// A provider configuration as a module instance sees it.
#[derive(Debug, Clone)]
pub(super) struct Provider {
    /// Its `region`.
    pub region: Val,
    /// Its account, from `assume_role.role_arn` or `allowed_account_ids`.
    pub account: Option<String>,
}

/// One module instance being evaluated.
pub(super) struct ModuleEval<'g> {
    pub(super) g: &'g mut Global,
    pub(super) ast: Rc<ModuleAst>,
    /// Address prefix, e.g. `module.a["k"].`.
    pub(super) prefix: String,
    /// Module call names from the root, for `.terraform/modules/modules.json` keys.
    pub(super) key_path: Vec<String>,
    /// The module's directory (`path.module`).
    pub(super) dir: PathBuf,
    /// Input variable values.
    pub(super) vars: HashMap<String, Val>,
    /// Provider configurations by `aws` / `aws.<alias>`.
    pub(super) providers: HashMap<String, Provider>,
    /// For built-in module models: every location is the module call's.
    pub(super) location_override: Option<SourceLocation>,
    /// Why this module instance's resources are maybe present: a `count` /
    /// `for_each` of it, or of a module call above it, that could not be
    /// evaluated.
    pub(super) undecided: Option<String>,
    locals: HashMap<String, Option<Val>>,
    resources: HashMap<String, Option<Val>>,
    modules: HashMap<String, Option<Val>>,
}

impl<'g> ModuleEval<'g> {
    /// A module instance ready to [`run`](Self::run).
    pub(super) fn new(
        g: &'g mut Global,
        ast: Rc<ModuleAst>,
        prefix: String,
        key_path: Vec<String>,
        dir: PathBuf,
    ) -> Self {
        ModuleEval {
            g,
            ast,
            prefix,
            key_path,
            dir,
            vars: HashMap::new(),
            providers: HashMap::new(),
            location_override: None,
            undecided: None,
            locals: HashMap::new(),
            resources: HashMap::new(),
            modules: HashMap::new(),
        }
    }

    /// Evaluate every provider, resource, data source and module call; return the outputs.
    pub(super) fn run(&mut self) -> Val {
        self.declare();
        self.init_variables();
        self.init_providers();
        let ast = self.ast.clone();
        for (t, n, _) in &ast.data {
            self.resource(&format!("data.{t}.{n}"));
        }
        for (t, n, _) in &ast.resources {
            self.resource(&format!("{t}.{n}"));
        }
        for (n, _) in &ast.modules {
            self.module_call(n);
        }
        let mut outputs = Vec::new();
        for (name, item) in &ast.outputs {
            let v = item
                .node
                .body
                .get_attribute("value")
                .map_or(Val::Null, |a| {
                    self.eval_in(item.file, &a.value, Vec::new()).0
                });
            outputs.push((name.clone(), v));
        }
        Val::Map(outputs)
    }

    /// Evaluate an expression of file `file` with bindings; also the resources it touched.
    pub(super) fn eval_in(
        &mut self,
        file: usize,
        e: &Expression,
        bindings: Vec<(String, Val)>,
    ) -> (Val, Vec<String>) {
        let ast = self.ast.clone();
        let text = ast.files.get(file).map_or("", |f| f.text.as_str());
        let mut ctx = Ctx::new(text);
        ctx.bindings = bindings;
        let v = eval::eval(self, &mut ctx, e);
        (v, ctx.refs)
    }

    fn location(
        &self,
        file: usize,
        span: Option<std::ops::Range<usize>>,
    ) -> Option<SourceLocation> {
        if let Some(l) = &self.location_override {
            return Some(l.clone());
        }
        self.ast
            .files
            .get(file)
            .and_then(|f| f.location(span.map(|r| r.start)))
    }

    /// Record where this instance's variables, locals, outputs and module
    /// calls are declared ([`TfStack::declarations`]).
    ///
    /// [`TfStack::declarations`]: crate::source::terraform::model::TfStack::declarations
    fn declare(&mut self) {
        let ast = self.ast.clone();
        let blocks = ast
            .variables
            .iter()
            .map(|(n, i)| (format!("var.{n}"), i.file, i.node.span()))
            .chain(
                ast.locals
                    .iter()
                    .map(|(n, i)| (format!("local.{n}"), i.file, i.node.span())),
            )
            .chain(
                ast.outputs
                    .iter()
                    .map(|(n, i)| (format!("output.{n}"), i.file, i.node.span())),
            )
            .chain(
                ast.modules
                    .iter()
                    .map(|(n, i)| (format!("module.{n}"), i.file, i.node.span())),
            );
        for (address, file, span) in blocks {
            if let Some(location) = self.location(file, span) {
                self.g
                    .stack
                    .declarations
                    .entry(format!("{}{address}", self.prefix))
                    .or_insert(location);
            }
        }
    }

    fn init_variables(&mut self) {
        let ast = self.ast.clone();
        for (name, item) in &ast.variables {
            let default = item.node.body.get_attribute("default");
            if let Some(d) = default
                && (self.prefix.is_empty() || self.location_override.is_none())
            {
                let loc = self.location(item.file, d.span());
                let origin = format!("{}var.{name}", self.prefix);
                let at = literals::Place {
                    address: &origin,
                    attribute: "default",
                    blocks: &[],
                    location: &loc,
                };
                literals::record(self.g, &d.value, name, &at);
            }
            let v = match (self.vars.remove(name), default) {
                (Some(given), _) => given,
                (None, Some(d)) => self.eval_in(item.file, &d.value, Vec::new()).0,
                (None, None) => {
                    Val::unresolved(format!("var.{name}"), "no value given for the variable")
                }
            };
            let v = match item
                .node
                .body
                .get_attribute("type")
                .map(|t| types::parse(&t.value))
            {
                Some(spec) if spec.has_optional() => {
                    let file = item.file;
                    spec.apply(v, &mut |e| self.eval_in(file, e, Vec::new()).0)
                }
                _ => v,
            };
            self.vars.insert(name.clone(), v);
        }
    }

    fn init_providers(&mut self) {
        let ast = self.ast.clone();
        for item in &ast.providers {
            let b = &item.node;
            let name = b
                .labels
                .first()
                .map(|l| l.as_str().to_string())
                .unwrap_or_default();
            let alias = b
                .body
                .get_attribute("alias")
                .and_then(|a| a.value.as_str().map(str::to_string));
            let key = alias.map_or(name.clone(), |a| format!("{name}.{a}"));
            if self.providers.contains_key(&key) && is_proxy(&b.body) {
                // A proxy block in a child module (`provider "aws" { alias =
                // "dst" }`, before `configuration_aliases`): the configuration
                // is the one the caller passed in `providers`.
                continue;
            }
            let region = match b.body.get_attribute("region") {
                Some(a) => self.eval_in(item.file, &a.value, Vec::new()).0,
                None => Val::unresolved(
                    format!("provider \"{key}\" region"),
                    "the provider block sets no region (AWS_REGION at apply time)",
                ),
            };
            let mut account = None;
            for ar in b.body.get_blocks("assume_role") {
                if let Some(a) = ar.body.get_attribute("role_arn")
                    && let Val::Str(arn) = self.eval_in(item.file, &a.value, Vec::new()).0
                {
                    account = arn
                        .split(':')
                        .nth(4)
                        .filter(|s| s.len() == 12)
                        .map(str::to_string);
                }
            }
            if account.is_none()
                && let Some(a) = b.body.get_attribute("allowed_account_ids")
                && let Val::List(ids) = self.eval_in(item.file, &a.value, Vec::new()).0
                && ids.len() == 1
            {
                account = ids[0].to_tf_string();
            }
            self.providers.insert(key, Provider { region, account });
        }
    }

    fn provider_for(&self, body: &Body, file: usize, kind: &str) -> Provider {
        let key = body
            .get_attribute("provider")
            .map(|a| self.ast.files[file].snippet(a.value.span()))
            .unwrap_or_else(|| kind.split('_').next().unwrap_or("aws").to_string());
        self.providers
            .get(&key)
            .cloned()
            .unwrap_or_else(|| Provider {
                region: Val::unresolved(
                    format!("provider {key}"),
                    format!("no provider configuration `{key}`"),
                ),
                account: None,
            })
    }

    fn local(&mut self, name: &str, text: &str) -> Val {
        match self.locals.get(name) {
            Some(Some(v)) => return v.clone(),
            Some(None) => return Val::unresolved(text, "cyclic local value"),
            None => {}
        }
        let ast = self.ast.clone();
        let Some(item) = ast.local(name) else {
            return eval::error(text, format!("no local `{name}`"));
        };
        if let Some(too_deep) = self.too_deep(text) {
            return too_deep;
        }
        self.locals.insert(name.to_string(), None);
        self.g.depth += 1;
        let v = self.eval_in(item.file, &item.node.value, Vec::new()).0;
        self.g.depth -= 1;
        self.locals.insert(name.to_string(), Some(v.clone()));
        v
    }

    /// The value of a resource or data source (`type.name` / `data.type.name`), evaluating it once.
    pub(super) fn resource(&mut self, key: &str) -> Val {
        match self.resources.get(key) {
            Some(Some(v)) => return v.clone(),
            Some(None) => {
                return Val::after_apply(
                    format!("{}{key}", self.prefix),
                    vec![format!("{}{key}", self.prefix)],
                );
            }
            None => {}
        }
        let ast = self.ast.clone();
        let (mode, rest) = match key.strip_prefix("data.") {
            Some(r) => (Mode::Data, r),
            None => (Mode::Managed, key),
        };
        let Some((kind, item)) = rest
            .split_once('.')
            .and_then(|(t, n)| Some((t, ast.block(mode == Mode::Data, t, n)?)))
        else {
            return eval::error(key, "no such resource");
        };
        if let Some(too_deep) = self.too_deep(key) {
            return too_deep;
        }
        self.resources.insert(key.to_string(), None);
        self.g.depth += 1;
        let base = format!("{}{key}", self.prefix);
        let (expansion, undecided) = match expand::instances(self, item, &base) {
            Err(unknown) => {
                let location = self.location(item.file, item.node.span());
                let kind = match mode {
                    Mode::Data => format!("data.{kind}"),
                    Mode::Managed => kind.to_string(),
                };
                let blocks = Blocks::Presence { kind: Some(kind) };
                self.unresolved(&base, location, &unknown, blocks);
                let why = presence_reason(&unknown);
                (expand::one_of_unknown_count(item, &base, &unknown), why)
            }
            Ok(expansion) => (expansion, None),
        };
        let inherited = self.undecided.clone();
        let outer = std::mem::replace(&mut self.undecided, undecided.or(inherited));
        let mut vals = Vec::new();
        for inst in expansion.instances {
            vals.push((inst.key.clone(), self.instance(kind, mode, item, inst)));
        }
        self.undecided = outer;
        let v = expand::shape_value(expansion.shape, vals);
        self.g.depth -= 1;
        self.resources.insert(key.to_string(), Some(v.clone()));
        v
    }

    /// An error when references (locals, resources, module calls) already
    /// nest [`MAX_REFERENCE_DEPTH`] deep: a chain that long is not evaluated,
    /// so untrusted HCL cannot overflow the stack.
    fn too_deep(&self, text: &str) -> Option<Val> {
        (self.g.depth >= MAX_REFERENCE_DEPTH).then(|| {
            eval::error(
                text,
                format!("references nest more than {MAX_REFERENCE_DEPTH} deep"),
            )
        })
    }

    /// Record what could not be resolved in `v`, and what it blocks.
    fn unresolved(
        &mut self,
        address: &str,
        location: Option<SourceLocation>,
        v: &Val,
        blocks: Blocks,
    ) {
        if let Some(u) = v.first_unknown() {
            self.g.stack.unresolved.push(Unresolvable {
                origin: Origin {
                    address: Some(address.to_string()),
                    location,
                    ..Origin::default()
                },
                expression: u.expr.clone(),
                reason: u.reason.trim_start_matches("error: ").to_string(),
                blocks,
            });
        }
    }

    fn instance(&mut self, kind: &str, mode: Mode, item: &Item<Block>, inst: Instance) -> Val {
        let address = inst.address.clone();
        let provider = self.provider_for(&item.node.body, item.file, kind);
        let (mut attrs, per_attr) =
            self.eval_body(&item.node.body, item.file, inst.bindings.clone(), true);
        match (mode, kind) {
            (Mode::Data, "aws_iam_policy_document") => {
                let body = Val::Map(attrs.clone());
                attrs.push((
                    "json".into(),
                    policy_doc::policy_json(&body, &format!("{address}.json")),
                ));
            }
            (Mode::Data, "aws_caller_identity") => {
                let acct = self.account(&provider, &address);
                attrs.push(("account_id".into(), acct.clone()));
                attrs.push(("id".into(), acct));
            }
            (Mode::Data, "aws_region") => {
                attrs.push(("name".into(), provider.region.clone()));
                attrs.push(("region".into(), provider.region.clone()));
                attrs.push(("id".into(), provider.region.clone()));
            }
            (Mode::Data, "aws_partition") => {
                // The provider's region decides the partition (aws-us-gov, aws-cn).
                let partition = match &provider.region {
                    Val::Str(region) => Val::Str(partition_of_region(region).to_string()),
                    Val::Unknown(_) => provider.region.clone(),
                    _ => Val::Str("aws".into()),
                };
                let suffix = match &partition {
                    Val::Str(p) if p == "aws-cn" => Val::Str("amazonaws.com.cn".into()),
                    Val::Str(_) => Val::Str("amazonaws.com".into()),
                    other => other.clone(),
                };
                attrs.push(("partition".into(), partition.clone()));
                attrs.push(("id".into(), partition));
                attrs.push(("dns_suffix".into(), suffix));
            }
            _ => {}
        }
        let full_kind = if mode == Mode::Data {
            format!("data.{kind}")
        } else {
            kind.to_string()
        };
        let mut res = TfResource {
            address: address.clone(),
            mode,
            kind: kind.to_string(),
            values: serde_json::Value::Null,
            unknown: serde_json::Value::Null,
            unknown_kind: Default::default(),
            expressions: Default::default(),
            templates: Default::default(),
            arn_templates: Default::default(),
            references: Default::default(),
            configured: Vec::new(),
            region: match attrs.iter().find(|(k, _)| k == "region") {
                // The resource's own `region` (AWS provider 6) comes first.
                Some((_, Val::Str(own))) => Known::Value(own.clone()),
                _ => known(&provider.region),
            },
            presence: self.undecided.clone(),
            account: match &provider.account {
                Some(a) => Known::Value(a.clone()),
                None => match &self.g.account {
                    Some(a) => Known::Value(a.clone()),
                    None => Known::unknown(
                        crate::inventory::UnknownKind::Unresolved,
                        Some("account".into()),
                    ),
                },
            },
            location: self.location(item.file, item.node.span()),
            attribute_locations: Default::default(),
        };
        for (name, (span, refs, text)) in &per_attr {
            res.configured.push(name.clone());
            if let Some(l) = self.location(item.file, span.clone()) {
                res.attribute_locations.insert(name.clone(), l);
            }
            let value = attrs.iter().find(|(k, _)| k == name).map(|(_, v)| v);
            let mut refs = refs.clone();
            if let Some(v) = value {
                v.collect_refs(&mut refs);
            }
            refs.retain(|r| *r != address);
            if !refs.is_empty() {
                res.references.insert(name.clone(), refs);
            }
            if let Some(Val::Unknown(u)) = value
                && let Some(pieces) = &u.pieces
            {
                res.templates.insert(name.clone(), pieces.clone());
            }
            if let Some(u) = value.and_then(Val::first_unknown) {
                res.unknown_kind.insert(name.clone(), u.kind);
                res.expressions.insert(name.clone(), text.clone());
                if u.kind == crate::inventory::UnknownKind::Unresolved {
                    let loc = res
                        .attribute_locations
                        .get(name)
                        .cloned()
                        .or(res.location.clone());
                    let blocks = Blocks::Attribute {
                        kind: full_kind.clone(),
                        attribute: name.clone(),
                    };
                    self.unresolved(&address, loc, value.unwrap_or(&Val::Null), blocks);
                }
            }
        }
        // Values known but for ARNs of this stack's resources (configured, or
        // computed like a policy document's `json`): the adapter may complete them.
        for (name, value) in &attrs {
            if let Val::Unknown(u) = value
                && let Some(parts) = &u.arn
            {
                res.arn_templates.insert(name.clone(), parts.clone());
            }
        }
        let obj = Val::Map(attrs.clone());
        let (values, unknown) = obj.to_json();
        res.values = values;
        res.unknown = if unknown == serde_json::Value::Bool(false) {
            serde_json::Value::Object(Default::default())
        } else {
            unknown
        };
        if self.location_override.is_none() {
            for flat in flat_attributes(&item.node.body) {
                let loc = self.location(item.file, flat.attr.span());
                let at = literals::Place {
                    address: &address,
                    attribute: flat.top(),
                    blocks: &flat.blocks,
                    location: &loc,
                };
                literals::record(self.g, &flat.attr.value, &flat.name, &at);
            }
        }
        self.g.stack.resources.push(res);
        Val::Resource(address, attrs)
    }

    fn account(&self, provider: &Provider, address: &str) -> Val {
        match provider.account.as_ref().or(self.g.account.as_ref()) {
            Some(a) => Val::Str(a.clone()),
            None => Val::unresolved(
                format!("{address}.account_id"),
                "the account is not known: set [terraform] account_id",
            ),
        }
    }

    /// Evaluate a block body: attributes and nested blocks (as lists of objects,
    /// like plan JSON), with each top-level attribute's span, references and text.
    pub(super) fn eval_body(
        &mut self,
        body: &Body,
        file: usize,
        bindings: Vec<(String, Val)>,
        top: bool,
    ) -> (Attributes, Vec<(String, AttributeSource)>) {
        let mut attrs: Vec<(String, Val)> = Vec::new();
        let mut meta = Vec::new();
        for attr in body.attributes() {
            let name = attr.key.as_str();
            if top && matches!(name, "count" | "for_each" | "provider" | "depends_on") {
                continue;
            }
            let (v, refs) = self.eval_in(file, &attr.value, bindings.clone());
            let text = self.ast.files[file].snippet(attr.value.span());
            meta.push((name.to_string(), (attr.span(), refs, text)));
            attrs.push((name.to_string(), v));
        }
        for block in body.blocks() {
            let ident = block.ident.as_str();
            if top && matches!(ident, "lifecycle" | "provisioner" | "connection") {
                continue;
            }
            let (name, items) = if ident == "dynamic" {
                let name = block
                    .labels
                    .first()
                    .map(|l| l.as_str().to_string())
                    .unwrap_or_default();
                (name.clone(), self.dynamic(block, file, &bindings, &name))
            } else {
                let (inner, _) = self.eval_body(&block.body, file, bindings.clone(), false);
                (ident.to_string(), vec![Val::Map(inner)])
            };
            if !meta.iter().any(|(n, _)| *n == name) {
                meta.push((name.clone(), (block.span(), Vec::new(), String::new())));
            }
            match attrs.iter_mut().find(|(n, _)| *n == name) {
                Some((_, Val::List(list))) => list.extend(items),
                _ => attrs.push((name, Val::List(items))),
            }
        }
        (attrs, meta)
    }

    fn dynamic(
        &mut self,
        block: &Block,
        file: usize,
        bindings: &[(String, Val)],
        name: &str,
    ) -> Vec<Val> {
        let iterator = block
            .body
            .get_attribute("iterator")
            .map(|a| self.ast.files[file].snippet(a.value.span()))
            .unwrap_or_else(|| name.to_string());
        let coll = block.body.get_attribute("for_each").map_or(Val::Null, |a| {
            self.eval_in(file, &a.value, bindings.to_vec()).0
        });
        let Some(items) = eval::iter_items(&coll) else {
            return vec![coll];
        };
        let Some(content) = block.body.get_blocks("content").next() else {
            return Vec::new();
        };
        items
            .into_iter()
            .map(|(k, v)| {
                let mut b = bindings.to_vec();
                b.push((
                    iterator.clone(),
                    Val::Map(vec![("key".into(), k), ("value".into(), v)]),
                ));
                Val::Map(self.eval_body(&content.body, file, b, false).0)
            })
            .collect()
    }

    /// The value of `module.<name>` (its outputs), evaluating the call once.
    pub(super) fn module_call(&mut self, name: &str) -> Val {
        match self.modules.get(name) {
            Some(Some(v)) => return v.clone(),
            Some(None) => {
                return Val::unresolved(format!("module.{name}"), "cyclic module reference");
            }
            None => {}
        }
        if let Some(too_deep) = self.too_deep(&format!("module.{name}")) {
            return too_deep;
        }
        self.modules.insert(name.to_string(), None);
        let ast = self.ast.clone();
        self.g.depth += 1;
        let v = match ast.module(name) {
            Some(item) => self.call_module(name, item),
            None => eval::error(format!("module.{name}"), "no such module"),
        };
        self.g.depth -= 1;
        self.modules.insert(name.to_string(), Some(v.clone()));
        v
    }

    fn call_module(&mut self, name: &str, item: &Item<Block>) -> Val {
        let base = format!("{}module.{name}", self.prefix);
        let call_loc = self.location(item.file, item.node.span());
        let body = &item.node.body;
        let source = body
            .get_attribute("source")
            .and_then(|a| a.value.as_str().map(str::to_string))
            .unwrap_or_default();
        let version = body
            .get_attribute("version")
            .and_then(|a| a.value.as_str().map(str::to_string));
        let mut key_path = self.key_path.clone();
        key_path.push(name.to_string());
        let inputs: Vec<String> = body
            .attributes()
            .map(|a| a.key.as_str().to_string())
            .collect();
        let resolved = registry::resolve(
            self.g,
            &self.dir,
            &source,
            version.as_deref(),
            &key_path,
            &inputs,
        );
        // Literals passed as module inputs (for SEC002).
        if self.location_override.is_none() {
            for flat in flat_attributes(body) {
                if !matches!(
                    flat.top(),
                    "source" | "version" | "providers" | "count" | "for_each" | "depends_on"
                ) {
                    let loc = self.location(item.file, flat.attr.span());
                    let at = literals::Place {
                        address: &base,
                        attribute: flat.top(),
                        blocks: &flat.blocks,
                        location: &loc,
                    };
                    literals::record(self.g, &flat.attr.value, &flat.name, &at);
                }
            }
        }
        let (ast, dir, builtin) = match resolved {
            Ok(r) => r,
            Err(reason) => {
                let v = Val::unresolved(format!("module.{name}"), reason);
                self.unresolved(&base, call_loc, &v, Blocks::Module);
                return v;
            }
        };
        let canonical = std::fs::canonicalize(&dir).unwrap_or_else(|_| dir.clone());
        if !builtin && let Some(cycle) = self.module_cycle(&canonical) {
            let v = Val::unresolved(format!("module.{name}"), cycle);
            self.unresolved(&base, call_loc, &v, Blocks::Module);
            return v;
        }
        let providers = self.child_providers(body, item.file);
        let (expansion, undecided) = match expand::instances(self, item, &base) {
            Ok(e) => (e, self.undecided.clone()),
            Err(unknown) => {
                let blocks = Blocks::Presence { kind: None };
                self.unresolved(&base, call_loc.clone(), &unknown, blocks);
                let why = presence_reason(&unknown);
                (expand::one_of_unknown_count(item, &base, &unknown), why)
            }
        };
        let mut vals = Vec::new();
        if !builtin {
            self.g.ancestry.push(canonical);
        }
        for inst in expansion.instances {
            let mut vars = HashMap::new();
            for attr in body.attributes() {
                let n = attr.key.as_str();
                if matches!(
                    n,
                    "source" | "version" | "providers" | "count" | "for_each" | "depends_on"
                ) {
                    continue;
                }
                let v = self
                    .eval_in(item.file, &attr.value, inst.bindings.clone())
                    .0;
                vars.insert(n.to_string(), v);
            }
            let mut child = ModuleEval::new(
                self.g,
                ast.clone(),
                format!("{}.", inst.address),
                key_path.clone(),
                dir.clone(),
            );
            child.vars = vars;
            child.providers = providers.clone();
            child.undecided = undecided.clone();
            if builtin {
                child.location_override = call_loc.clone();
            }
            vals.push((inst.key.clone(), child.run()));
        }
        if !builtin {
            self.g.ancestry.pop();
        }
        expand::shape_value(expansion.shape, vals)
    }

    /// Why calling the module in `dir` (canonical) cannot be evaluated: it is
    /// already being evaluated (a cycle, named by the root-relative module
    /// directories), or modules nest deeper than [`MAX_MODULE_DEPTH`].
    fn module_cycle(&self, dir: &Path) -> Option<String> {
        let ancestry = &self.g.ancestry;
        let root = ancestry.first()?;
        let label = |d: &Path| match d.strip_prefix(root) {
            Ok(rel) if rel.as_os_str().is_empty() => ".".to_string(),
            Ok(rel) => rel.display().to_string(),
            Err(_) => d.display().to_string(),
        };
        if let Some(start) = ancestry.iter().position(|d| d == dir) {
            let chain: Vec<String> = ancestry[start..]
                .iter()
                .map(|d| label(d))
                .chain(std::iter::once(label(dir)))
                .collect();
            return Some(format!("module cycle: {}", chain.join(" -> ")));
        }
        (ancestry.len() >= MAX_MODULE_DEPTH).then(|| {
            format!(
                "modules nest more than {MAX_MODULE_DEPTH} deep at {}",
                label(dir)
            )
        })
    }

    fn child_providers(&self, body: &Body, file: usize) -> HashMap<String, Provider> {
        let mut out = HashMap::new();
        if let Some(p) = self.providers.get("aws") {
            out.insert("aws".to_string(), p.clone());
        }
        if let Some(attr) = body.get_attribute("providers")
            && let Some(obj) = attr.value.as_object()
        {
            let f = &self.ast.files[file];
            for (k, v) in obj.iter() {
                let child_key = f.snippet(k.span()).trim_matches('"').to_string();
                let parent_key = f.snippet(v.expr().span());
                if let Some(p) = self.providers.get(&parent_key) {
                    out.insert(child_key, p.clone());
                }
            }
        }
        out
    }
}

/// Whether a provider block is a proxy: empty, or only `alias` (and
/// `version`), so in a child module it stands for what the caller passes.
fn is_proxy(body: &Body) -> bool {
    body.blocks().next().is_none()
        && body
            .attributes()
            .all(|a| matches!(a.key.as_str(), "alias" | "version"))
}

/// Why a block whose `count` / `for_each` is `unknown` is maybe present.
fn presence_reason(unknown: &Val) -> Option<String> {
    let u = unknown.first_unknown()?;
    Some(format!(
        "`{}` could not be evaluated ({})",
        u.expr,
        u.reason.trim_start_matches("error: ")
    ))
}

/// An attribute of a block body, with the nested blocks it is written in.
struct Flat {
    /// Enclosing nested blocks, outermost first (a `dynamic` block by its
    /// label); empty for a top-level attribute.
    blocks: Vec<String>,
    /// The attribute's name.
    name: String,
    /// The attribute.
    attr: hcl_edit::structure::Attribute,
}

impl Flat {
    /// The top-level attribute or block it belongs to.
    fn top(&self) -> &str {
        self.blocks.first().unwrap_or(&self.name)
    }
}

/// Every attribute of a body, nested blocks' attributes included.
fn flat_attributes(body: &Body) -> Vec<Flat> {
    let mut out: Vec<Flat> = body
        .attributes()
        .map(|a| Flat {
            blocks: Vec::new(),
            name: a.key.as_str().to_string(),
            attr: a.clone(),
        })
        .collect();
    for b in body.blocks() {
        let block = if b.ident.as_str() == "dynamic" {
            b.labels
                .first()
                .map(|l| l.as_str().to_string())
                .unwrap_or_default()
        } else {
            b.ident.as_str().to_string()
        };
        for mut inner in flat_attributes(&b.body) {
            inner.blocks.insert(0, block.clone());
            out.push(inner);
        }
    }
    out
}

fn known(v: &Val) -> Known<String> {
    match v {
        Val::Str(s) => Known::Value(s.clone()),
        Val::Unknown(u) => Known::unknown(u.kind, Some(u.expr.clone())),
        _ => Known::unknown(
            crate::inventory::UnknownKind::Unresolved,
            Some("region".into()),
        ),
    }
}

impl Scope for ModuleEval<'_> {
    fn lookup(&mut self, root: &str, names: &[String], text: &str) -> Option<(Val, usize)> {
        let first = names.first().map(String::as_str);
        match (root, first) {
            ("var", Some(n)) => Some((
                self.vars
                    .get(n)
                    .cloned()
                    .unwrap_or_else(|| eval::error(text, format!("no variable `{n}`"))),
                1,
            )),
            ("local", Some(n)) => Some((self.local(n, text), 1)),
            ("module", Some(n)) => Some((self.module_call(n), 1)),
            ("data", Some(t)) => names
                .get(1)
                .map(|n| (self.resource(&format!("data.{t}.{n}")), 2)),
            ("path", Some("module")) => Some((Val::Str(self.dir.display().to_string()), 1)),
            ("path", Some("root")) => Some((Val::Str(self.g.root_dir.display().to_string()), 1)),
            // Terraform's `path.cwd` is absolute (`basename(path.cwd)` names the stack).
            ("path", Some("cwd")) => Some((
                Val::Str(
                    std::fs::canonicalize(&self.g.root_dir)
                        .unwrap_or_else(|_| self.g.root_dir.clone())
                        .display()
                        .to_string(),
                ),
                1,
            )),
            ("terraform", Some("workspace")) => Some((Val::Str("default".into()), 1)),
            (t, Some(n)) if self.ast.block(false, t, n).is_some() => {
                Some((self.resource(&format!("{t}.{n}")), 1))
            }
            (t, Some(_)) if t.contains('_') => {
                Some((eval::error(text, format!("no resource `{text}`")), 1))
            }
            _ => None,
        }
    }

    /// A file for `file()`/`templatefile()`: a relative path is Terraform's,
    /// relative to the root module directory (where `terraform` runs), or
    /// relative to the current directory, which `path.module` values are.
    /// Only files inside the scanned tree are read.
    fn read_file(&mut self, path: &str) -> Result<String, String> {
        let p = Path::new(path);
        let candidates = [self.g.root_dir.join(p), p.to_path_buf()];
        let tree =
            std::fs::canonicalize(&self.g.repo_root).unwrap_or_else(|_| self.g.repo_root.clone());
        let mut outside = false;
        for c in candidates {
            let Ok(real) = std::fs::canonicalize(&c) else {
                continue;
            };
            if !real.starts_with(&tree) {
                outside = true;
                continue;
            }
            if let Ok(text) = std::fs::read_to_string(&real) {
                return Ok(text);
            }
        }
        if outside {
            return Err(format!(
                "file {path} is outside the scanned tree {}: it is not read",
                tree.display()
            ));
        }
        Err(format!("cannot read file {path}"))
    }
}
