//! The HCL source (`--terraform DIR`): `.tf` files parsed with hcl-edit
//! (keeping spans for file:line), evaluated as far as alertpath can without
//! Terraform, into the same [`TfStack`] the plan source produces.

mod eval;
mod expand;
mod functions;
mod functions_pure;
mod literals;
mod locate;
mod modules;
mod newlines;
mod parse;
mod policy_doc;
mod registry;
mod types;
mod value;
mod vendored;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::rc::Rc;

pub use functions::FUNCTIONS;
pub use locate::{SourceIndex, attach_locations, block_address, normalize_address};
pub(crate) use policy_doc::policy_json;
pub use value::Val;

use super::model::TfStack;
use parse::ModuleAst;

/// Variable inputs for the root module, in Terraform's precedence order
/// (defaults < `terraform.tfvars` < `*.auto.tfvars` < `var_files` < `vars`),
/// and the configured account.
#[derive(Debug, Clone, Default)]
pub struct VarInputs {
    /// `--var-file` paths, in order.
    pub var_files: Vec<PathBuf>,
    /// `--var name=value` pairs, in order.
    pub vars: Vec<(String, String)>,
    /// `[terraform] account_id`: the value of `data.aws_caller_identity…account_id`
    /// and the account of resources whose provider names none.
    pub account_id: Option<String>,
    /// `[terraform] max_instances`: the most instances one `count`/`for_each`
    /// block expands to; `None`: [`crate::config::DEFAULT_MAX_INSTANCES`].
    pub max_instances: Option<usize>,
    /// `AWS_REGION`/`AWS_DEFAULT_REGION` at scan time (the CLI reads the
    /// environment; `None` in tests unless given): the last fallback for a
    /// resource's region.
    pub environment_region: Option<crate::inventory::EnvironmentRegion>,
    /// `--repo-root`: report paths are relative to it (default:
    /// [`super::repo_root`] of the scanned directory).
    pub repo_root: Option<PathBuf>,
}

/// Errors reading HCL (all exit 2).
#[derive(Debug, thiserror::Error)]
pub enum HclError {
    /// A syntax error.
    #[error("{file}:{line}:{column}: HCL syntax error: {message}")]
    Syntax {
        /// Repo-relative file.
        file: String,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// The parser's message.
        message: String,
    },
    /// The directory does not exist.
    #[error("Terraform directory {0} does not exist or is not a directory")]
    MissingDir(String),
    /// The directory holds no `.tf` file.
    #[error("Terraform directory {0} contains no .tf files")]
    NoFiles(String),
    /// A file could not be read.
    #[error("cannot read {path}: {message}")]
    Io {
        /// The path.
        path: String,
        /// The error.
        message: String,
    },
    /// A `--var` is malformed; it is named by position only, since the
    /// argument may hold a secret.
    #[error(
        "invalid --var number {0}: expected NAME=VALUE (the argument is not shown: it may hold a secret)"
    )]
    BadVar(usize),
}

/// State shared by every module instance of one read.
pub struct Global {
    /// What has been found so far.
    pub(crate) stack: TfStack,
    /// The root module directory.
    pub(crate) root_dir: PathBuf,
    /// Where repo-relative paths start.
    pub(crate) repo_root: PathBuf,
    /// `[terraform] account_id`.
    pub(crate) account: Option<String>,
    /// `.terraform/modules/modules.json`: module key → directory.
    pub(crate) manifest: HashMap<String, String>,
    /// Parsed module directories.
    pub(crate) cache: HashMap<PathBuf, Rc<ModuleAst>>,
    /// Parsed built-in module models.
    pub(crate) builtins: HashMap<String, Rc<ModuleAst>>,
    /// Syntax errors met in child modules.
    pub(crate) errors: Vec<HclError>,
    /// The most instances one `count`/`for_each` block expands to.
    pub(crate) max_instances: usize,
    /// Canonical directories of the module calls being evaluated, root first:
    /// a call into one of them is a cycle.
    pub(crate) ancestry: Vec<PathBuf>,
    /// How deep references (locals, resources, module calls) nest right now.
    pub(crate) depth: usize,
}

/// Read and evaluate the Terraform configuration in `dir`; file paths are
/// relative to `repo_root`.
pub fn read_dir(dir: &Path, vars: &VarInputs, repo_root: &Path) -> Result<TfStack, HclError> {
    if !dir.is_dir() {
        return Err(HclError::MissingDir(dir.display().to_string()));
    }
    if parse::tf_files(dir)?.is_empty() {
        return Err(HclError::NoFiles(dir.display().to_string()));
    }
    let ast = Rc::new(parse::parse_module_dir(dir, repo_root)?);
    let mut g = Global {
        stack: TfStack::default(),
        root_dir: dir.to_path_buf(),
        repo_root: repo_root.to_path_buf(),
        account: vars.account_id.clone(),
        manifest: registry::read_manifest(dir),
        cache: HashMap::new(),
        builtins: HashMap::new(),
        errors: Vec::new(),
        max_instances: vars
            .max_instances
            .unwrap_or(crate::config::DEFAULT_MAX_INSTANCES),
        ancestry: vec![std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf())],
        depth: 0,
    };
    g.stack.inputs = ast.files.iter().filter_map(|f| f.path.clone()).collect();
    let root_vars = root_variables(&mut g, dir, vars, repo_root)?;
    {
        let mut root =
            modules::ModuleEval::new(&mut g, ast, String::new(), Vec::new(), dir.to_path_buf());
        root.vars = root_vars;
        root.run();
    }
    if let Some(e) = g.errors.into_iter().next() {
        return Err(e);
    }
    let mut stack = g.stack;
    stack.resources.sort_by(|a, b| a.address.cmp(&b.address));
    stack.inputs.sort();
    Ok(stack)
}

/// A scope with nothing in it, for tfvars and literal values.
struct EmptyScope;

impl eval::Scope for EmptyScope {
    fn lookup(&mut self, _: &str, _: &[String], _: &str) -> Option<(Val, usize)> {
        None
    }
    fn read_file(&mut self, path: &str) -> Result<String, String> {
        Err(format!("file({path}) is not available here"))
    }
}

/// Evaluate a self-contained expression (tests and `--var`).
pub fn eval_literal(text: &str) -> Result<Val, HclError> {
    let src = format!("x = {text}\n");
    let body = parse::parse_text(&src, "<expression>")?;
    let Some(attr) = body.get_attribute("x") else {
        return Ok(Val::Null);
    };
    let mut ctx = eval::Ctx::new(&src);
    Ok(eval::eval(&mut EmptyScope, &mut ctx, &attr.value))
}

fn root_variables(
    g: &mut Global,
    dir: &Path,
    vars: &VarInputs,
    repo_root: &Path,
) -> Result<HashMap<String, Val>, HclError> {
    let mut files: Vec<PathBuf> = Vec::new();
    let tfvars = dir.join("terraform.tfvars");
    if tfvars.is_file() {
        files.push(tfvars);
    }
    let mut auto: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| HclError::Io {
            path: dir.display().to_string(),
            message: e.to_string(),
        })?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.ends_with(".auto.tfvars"))
        })
        .collect();
    auto.sort();
    files.extend(auto);
    files.extend(vars.var_files.iter().cloned());
    let mut out = HashMap::new();
    for path in files {
        let text = std::fs::read_to_string(&path).map_err(|e| HclError::Io {
            path: path.display().to_string(),
            message: e.to_string(),
        })?;
        let text = parse::strip_bom(&text).to_string();
        let rel = parse::relative(&path, repo_root);
        let body = parse::parse_text(&text, &rel)?;
        let lines = locate::LineIndex::new(&text);
        if !g.stack.inputs.contains(&rel) {
            g.stack.inputs.push(rel.clone());
        }
        for attr in body.attributes() {
            let name = attr.key.as_str().to_string();
            let loc = hcl_edit::Span::span(attr).map(|r| locate::location(&rel, &lines, r.start));
            let address = format!("var.{name}");
            let at = literals::Place {
                address: &address,
                attribute: &name,
                blocks: &[],
                location: &loc,
            };
            literals::record(g, &attr.value, &name, &at);
            let mut ctx = eval::Ctx::new(&text);
            out.insert(name, eval::eval(&mut EmptyScope, &mut ctx, &attr.value));
        }
    }
    for (k, v) in &vars.vars {
        let value = if v.trim_start().starts_with(['[', '{']) {
            // Named by the variable, never by its value (it may be a secret).
            eval_literal(v).map_err(|e| match e {
                HclError::Syntax {
                    line,
                    column,
                    message,
                    ..
                } => HclError::Syntax {
                    file: format!("--var {k}"),
                    line,
                    column,
                    message,
                },
                other => other,
            })?
        } else {
            Val::Str(v.clone())
        };
        out.insert(k.clone(), value);
    }
    Ok(out)
}

/// Parse `NAME=VALUE` from `--var`.
pub fn parse_var(arg: &str, position: usize) -> Result<(String, String), HclError> {
    match arg.split_once('=') {
        Some((k, v)) if !k.trim().is_empty() => Ok((k.trim().to_string(), v.to_string())),
        _ => Err(HclError::BadVar(position)),
    }
}
