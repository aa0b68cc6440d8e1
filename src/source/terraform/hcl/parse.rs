//! Reading `.tf` files: BOM stripping, syntax errors with file:line:col, and
//! the blocks of one module directory.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use hcl_edit::structure::{Attribute, Block, Body};

use super::HclError;
use super::locate::LineIndex;
use crate::inventory::SourceLocation;

/// One parsed file.
#[derive(Debug)]
pub(crate) struct ParsedFile {
    /// Repo-relative path (`/` separators), or `None` for built-in module models.
    pub path: Option<String>,
    /// The text (without BOM), for expression snippets.
    pub text: String,
    /// Line index of `text`.
    pub lines: LineIndex,
}

impl ParsedFile {
    /// The location of a byte offset, if the file is a real one.
    pub(crate) fn location(&self, offset: Option<usize>) -> Option<SourceLocation> {
        let path = self.path.as_ref()?;
        Some(super::locate::location(
            path,
            &self.lines,
            offset.unwrap_or(0),
        ))
    }

    /// The source text of a span (trimmed), for messages.
    pub(crate) fn snippet(&self, span: Option<std::ops::Range<usize>>) -> String {
        span.and_then(|r| self.text.get(r))
            .map(|s| s.split_whitespace().collect::<Vec<_>>().join(" "))
            .unwrap_or_default()
    }
}

/// A block or attribute with the index of its file.
#[derive(Debug, Clone)]
pub(crate) struct Item<T> {
    /// Index into [`ModuleAst::files`].
    pub file: usize,
    /// The block or attribute.
    pub node: T,
}

/// The top-level blocks of one module directory.
#[derive(Debug, Default)]
pub(crate) struct ModuleAst {
    /// Parsed files.
    pub files: Vec<ParsedFile>,
    /// `variable` blocks by name.
    pub variables: Vec<(String, Item<Block>)>,
    /// `locals` attributes by name.
    pub locals: Vec<(String, Item<Attribute>)>,
    /// `provider` blocks.
    pub providers: Vec<Item<Block>>,
    /// `resource` blocks (type, name).
    pub resources: Vec<(String, String, Item<Block>)>,
    /// `data` blocks (type, name).
    pub data: Vec<(String, String, Item<Block>)>,
    /// `module` blocks by name.
    pub modules: Vec<(String, Item<Block>)>,
    /// `output` blocks by name.
    pub outputs: Vec<(String, Item<Block>)>,
    /// Where each name is in the lists above (the first of a repeated one),
    /// so a reference is found in constant time, not by a scan.
    pub index: AstIndex,
}

/// Positions in [`ModuleAst`]'s lists by name.
#[derive(Debug, Default)]
pub(crate) struct AstIndex {
    /// `locals` by name.
    pub locals: HashMap<String, usize>,
    /// `resource` blocks by (type, name).
    pub resources: HashMap<(String, String), usize>,
    /// `data` blocks by (type, name).
    pub data: HashMap<(String, String), usize>,
    /// `module` blocks by name.
    pub modules: HashMap<String, usize>,
}

impl ModuleAst {
    /// The `locals` attribute `name`.
    pub(crate) fn local(&self, name: &str) -> Option<&Item<Attribute>> {
        let i = *self.index.locals.get(name)?;
        self.locals.get(i).map(|(_, item)| item)
    }

    /// The `resource` (or, with `data`, `data`) block `kind.name`.
    pub(crate) fn block(&self, data: bool, kind: &str, name: &str) -> Option<&Item<Block>> {
        let (index, list) = if data {
            (&self.index.data, &self.data)
        } else {
            (&self.index.resources, &self.resources)
        };
        let i = *index.get(&(kind.to_string(), name.to_string()))?;
        list.get(i).map(|(_, _, item)| item)
    }

    /// The `module` block `name`.
    pub(crate) fn module(&self, name: &str) -> Option<&Item<Block>> {
        let i = *self.index.modules.get(name)?;
        self.modules.get(i).map(|(_, item)| item)
    }
}

/// Strip a leading UTF-8 BOM.
pub(super) fn strip_bom(text: &str) -> &str {
    text.strip_prefix('\u{feff}').unwrap_or(text)
}

/// Parse HCL text; `display` names the file in errors. Text hcl-edit rejects
/// is parsed once more with the newlines HCL ignores joined
/// ([`super::newlines`]; same byte offsets, so spans stay the file's); if that
/// fails too, hcl-edit's error on the original text stands.
pub(super) fn parse_text(text: &str, display: &str) -> Result<Body, HclError> {
    let original = hcl_edit::parser::parse_body(text);
    let e = match original {
        Ok(body) => return Ok(body),
        Err(e) => e,
    };
    if let Some(joined) = super::newlines::join_ignored_newlines(text)
        && let Ok(body) = hcl_edit::parser::parse_body(&joined)
    {
        return Ok(body);
    }
    Err(HclError::Syntax {
        file: display.to_string(),
        line: e.location().line(),
        column: e.location().column(),
        message: e.message().to_string(),
    })
}

/// Repo-relative display path with `/` separators.
pub(super) fn relative(path: &Path, repo_root: &Path) -> String {
    let abs = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    let root = std::fs::canonicalize(repo_root).unwrap_or_else(|_| repo_root.to_path_buf());
    match abs.strip_prefix(&root) {
        Ok(rel) => rel
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect::<Vec<_>>()
            .join("/"),
        Err(_) => file_uri(&abs),
    }
}

/// An absolute `file://` URI for a file outside the repository root (never a
/// path starting with `//`, which code scanning cannot place).
fn file_uri(abs: &Path) -> String {
    let parts: Vec<String> = abs
        .components()
        .filter_map(|c| match c {
            std::path::Component::Normal(p) => Some(p.to_string_lossy().into_owned()),
            _ => None,
        })
        .collect();
    format!("file:///{}", parts.join("/"))
}

/// The `.tf` files of a directory, sorted.
pub(super) fn tf_files(dir: &Path) -> Result<Vec<PathBuf>, HclError> {
    let entries = std::fs::read_dir(dir).map_err(|e| HclError::Io {
        path: dir.display().to_string(),
        message: e.to_string(),
    })?;
    let mut files: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_file() && p.extension().is_some_and(|x| x == "tf"))
        .collect();
    files.sort();
    Ok(files)
}

/// Parse every `.tf` file of a module directory.
pub(super) fn parse_module_dir(dir: &Path, repo_root: &Path) -> Result<ModuleAst, HclError> {
    if !dir.is_dir() {
        return Err(HclError::MissingDir(dir.display().to_string()));
    }
    let mut sources = Vec::new();
    for path in tf_files(dir)? {
        let text = std::fs::read_to_string(&path).map_err(|e| HclError::Io {
            path: path.display().to_string(),
            message: e.to_string(),
        })?;
        sources.push((Some(relative(&path, repo_root)), text));
    }
    parse_module_sources(sources)
}

/// Parse a module given as (path, text) pairs (path `None` for built-in models).
pub(super) fn parse_module_sources(
    sources: Vec<(Option<String>, String)>,
) -> Result<ModuleAst, HclError> {
    let mut ast = ModuleAst::default();
    for (path, text) in sources {
        let text = strip_bom(&text).to_string();
        let display = path.clone().unwrap_or_else(|| "<built-in module>".into());
        let body = parse_text(&text, &display)?;
        let file = ast.files.len();
        ast.files.push(ParsedFile {
            path,
            lines: LineIndex::new(&text),
            text,
        });
        collect(&mut ast, file, body);
    }
    Ok(ast)
}

fn label(block: &Block, i: usize) -> String {
    block
        .labels
        .get(i)
        .map(|l| l.as_str().to_string())
        .unwrap_or_default()
}

fn collect(ast: &mut ModuleAst, file: usize, body: Body) {
    for block in body.into_blocks() {
        let item = |node: Block| Item { file, node };
        match block.ident.as_str() {
            "variable" => ast.variables.push((label(&block, 0), item(block))),
            "locals" => {
                for attr in block.body.into_attributes() {
                    let name = attr.key.as_str().to_string();
                    ast.index
                        .locals
                        .entry(name.clone())
                        .or_insert(ast.locals.len());
                    ast.locals.push((name, Item { file, node: attr }));
                }
            }
            "provider" => ast.providers.push(item(block)),
            "resource" | "data" => {
                let key = (label(&block, 0), label(&block, 1));
                let (index, list) = if block.ident.as_str() == "data" {
                    (&mut ast.index.data, &mut ast.data)
                } else {
                    (&mut ast.index.resources, &mut ast.resources)
                };
                index.entry(key.clone()).or_insert(list.len());
                list.push((key.0, key.1, item(block)));
            }
            "module" => {
                let name = label(&block, 0);
                ast.index
                    .modules
                    .entry(name.clone())
                    .or_insert(ast.modules.len());
                ast.modules.push((name, item(block)));
            }
            "output" => ast.outputs.push((label(&block, 0), item(block))),
            _ => {}
        }
    }
}
