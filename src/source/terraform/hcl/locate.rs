//! Byte offsets to file:line, and copying HCL locations onto plan resources.

use crate::inventory::SourceLocation;
use crate::source::terraform::model::TfStack;

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

/// Copy block and attribute locations from HCL resources to the plan resources
/// with the same address (`--plan` with `--terraform`). Plan resources that
/// have no HCL counterpart keep their (pseudo) locations.
pub fn attach_locations(plan: &mut TfStack, hcl: &TfStack) {
    let by_address: std::collections::HashMap<
        String,
        &crate::source::terraform::model::TfResource,
    > = hcl
        .resources
        .iter()
        .map(|r| (normalize_address(&r.address), r))
        .collect();
    for resource in &mut plan.resources {
        if let Some(source) = by_address.get(&normalize_address(&resource.address)) {
            resource.location = source.location.clone();
            for (attr, loc) in &source.attribute_locations {
                resource
                    .attribute_locations
                    .insert(attr.clone(), loc.clone());
            }
        }
    }
    for input in &hcl.inputs {
        if !plan.inputs.contains(input) {
            plan.inputs.push(input.clone());
        }
    }
}
