//! Byte offsets to file:line, and copying HCL locations onto plan resources.

use std::collections::HashMap;

use crate::endpoints::secrets::Literal;
use crate::inventory::SourceLocation;
use crate::source::terraform::model::{TfResource, TfStack};

/// Line starts of one file, for offset → line:column.
#[derive(Debug, Clone)]
pub(crate) struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    /// Index the text.
    pub(crate) fn new(text: &str) -> Self {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex { starts }
    }

    /// 1-based line and column of a byte offset.
    pub(crate) fn line_col(&self, offset: usize) -> (u32, u32) {
        let line = self.starts.partition_point(|&s| s <= offset).max(1);
        let col = offset - self.starts[line - 1] + 1;
        (line as u32, col as u32)
    }
}

/// `file:line` for an offset in a file.
pub(super) fn location(file: &str, index: &LineIndex, offset: usize) -> SourceLocation {
    let (line, _) = index.line_col(offset);
    SourceLocation {
        file: file.to_string(),
        line,
        column: None,
    }
}

/// Normalize an address so plan and HCL spellings compare equal: `[0]` and
/// `["k"]` keep their form; whitespace is dropped outside quotes.
pub fn normalize_address(address: &str) -> String {
    let mut out = String::with_capacity(address.len());
    let mut in_quotes = false;
    let mut escaped = false;
    for c in address.chars() {
        if in_quotes {
            out.push(c);
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_quotes = false;
            }
        } else if c == '"' {
            in_quotes = true;
            out.push(c);
        } else if !c.is_whitespace() {
            out.push(c);
        }
    }
    out
}

/// An address without its instance keys: `module.a["x"].aws_sns_topic.t[0]`
/// → `module.a.aws_sns_topic.t`. HCL whose `count` or `for_each` it cannot
/// evaluate declares the block once; the plan expands it.
pub fn block_address(address: &str) -> String {
    let normalized = normalize_address(address);
    let mut out = String::with_capacity(normalized.len());
    let mut depth = 0usize;
    let mut in_quotes = false;
    for c in normalized.chars() {
        match c {
            '"' if depth > 0 => in_quotes = !in_quotes,
            '[' if !in_quotes => depth += 1,
            ']' if !in_quotes => depth = depth.saturating_sub(1),
            c if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out
}

/// Where things are written in an HCL stack, by address: the one answer to
/// "where in the `.tf` files is this plan object" for `--plan` with
/// `--terraform`.
pub struct SourceIndex<'a> {
    resources: HashMap<String, &'a TfResource>,
    blocks: HashMap<String, &'a TfResource>,
    literals: HashMap<(&'a str, &'a str), &'a SourceLocation>,
    assignments: HashMap<&'a str, &'a SourceLocation>,
    declarations: HashMap<String, &'a SourceLocation>,
}

impl<'a> SourceIndex<'a> {
    /// Index an HCL stack.
    pub fn new(hcl: &'a TfStack) -> Self {
        let mut index = SourceIndex {
            resources: HashMap::new(),
            blocks: HashMap::new(),
            literals: HashMap::new(),
            assignments: HashMap::new(),
            declarations: HashMap::new(),
        };
        for r in &hcl.resources {
            index
                .resources
                .entry(normalize_address(&r.address))
                .or_insert(r);
            index.blocks.entry(block_address(&r.address)).or_insert(r);
        }
        for literal in &hcl.literals {
            if let Some(location) = &literal.location {
                index
                    .literals
                    .entry((literal.address.as_str(), literal.attribute.as_str()))
                    .or_insert(location);
                index
                    .assignments
                    .entry(literal.address.as_str())
                    .or_insert(location);
            }
        }
        for (address, location) in &hcl.declarations {
            index
                .declarations
                .entry(normalize_address(address))
                .or_insert(location);
        }
        index
    }

    /// The HCL resource at a plan resource's address; an instance the source
    /// could not expand (`x.y[0]` where the HCL has `x.y`) is found by its block.
    fn resource(&self, address: &str) -> Option<&'a TfResource> {
        self.resources
            .get(&normalize_address(address))
            .or_else(|| self.blocks.get(&block_address(address)))
            .copied()
    }

    /// Where the block at `address` is written: a resource, or the
    /// declaration of a variable, local, output or module call (an instance
    /// found by its block, as [`Self::resource`]).
    pub fn declared_at(&self, address: &str) -> Option<SourceLocation> {
        if let Some(r) = self.resource(address) {
            return r.location.clone();
        }
        self.declarations
            .get(&normalize_address(address))
            .or_else(|| self.declarations.get(&block_address(address)))
            .map(|l| (*l).clone())
    }

    /// Where a plan literal is written: the HCL literal at the same address
    /// and attribute; for a value the plan got from outside its
    /// configuration (its `variables`), the `.tfvars` assignment of that
    /// variable; else the declaration of its address (a variable given with
    /// `-var` is placed at its `variable` block).
    pub fn literal_location(&self, literal: &Literal) -> Option<SourceLocation> {
        let written = self
            .literals
            .get(&(literal.address.as_str(), literal.attribute.as_str()))
            .or_else(|| {
                literal
                    .supplied
                    .then(|| self.assignments.get(literal.address.as_str()))
                    .flatten()
            });
        match written {
            Some(location) => Some((*location).clone()),
            None => self.declared_at(&literal.address),
        }
    }

    /// Copy block and attribute locations from HCL resources to the plan
    /// resources with the same address, and literal locations to the plan's
    /// literals. Plan objects without an HCL counterpart keep their (pseudo)
    /// locations.
    pub fn attach(&self, plan: &mut TfStack) {
        for resource in &mut plan.resources {
            if let Some(source) = self.resource(&resource.address) {
                resource.location = source.location.clone();
                for (attr, loc) in &source.attribute_locations {
                    resource
                        .attribute_locations
                        .insert(attr.clone(), loc.clone());
                }
            }
        }
        for literal in &mut plan.literals {
            if let Some(location) = self.literal_location(literal) {
                literal.location = Some(location);
            }
        }
    }
}

/// Copy source positions from an HCL stack onto a plan stack
/// ([`SourceIndex::attach`]), and the HCL input files onto the plan's.
pub fn attach_locations(plan: &mut TfStack, hcl: &TfStack) {
    SourceIndex::new(hcl).attach(plan);
    for input in &hcl.inputs {
        if !plan.inputs.contains(input) {
            plan.inputs.push(input.clone());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::block_address;

    #[test]
    fn a_block_address_drops_instance_keys_even_with_brackets_in_quotes() {
        assert_eq!(
            block_address(r#"module.a["x[1]"].aws_sns_topic.t[0]"#),
            "module.a.aws_sns_topic.t"
        );
        assert_eq!(block_address("aws_sns_topic.t"), "aws_sns_topic.t");
        assert_eq!(block_address("var.key"), "var.key");
    }
}
