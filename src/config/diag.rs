//! Error collection with file:line:column computed from byte offsets.

use std::ops::Range;

use toml_edit::{Item, Key};

use super::load::ConfigError;

/// The config text being validated, and every error found so far.
pub(super) struct Diagnostics<'a> {
    file: &'a str,
    text: &'a str,
    line_starts: Vec<usize>,
    errors: Vec<ConfigError>,
}

impl<'a> Diagnostics<'a> {
    /// Start collecting errors for `text`, read from `file`.
    pub(super) fn new(file: &'a str, text: &'a str) -> Self {
        let line_starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        Diagnostics {
            file,
            text,
            line_starts,
            errors: Vec::new(),
        }
    }

    /// 1-based line and column (in characters) of a byte offset. A leading BOM
    /// does not count as a column.
    pub(super) fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let line = self.line_starts.partition_point(|&s| s <= offset).max(1);
        let start = self.line_starts[line - 1];
        let prefix = self.text.get(start..offset).unwrap_or("");
        let column = prefix.chars().filter(|&c| c != '\u{feff}').count() + 1;
        (line, column)
    }

    /// `file:line` of a byte offset.
    pub(super) fn file_line(&self, offset: usize) -> String {
        format!("{}:{}", self.file, self.line_col(offset).0)
    }

    /// Record an error at a byte offset.
    pub(super) fn error(&mut self, offset: usize, message: impl Into<String>) {
        let (line, column) = self.line_col(offset);
        self.errors.push(ConfigError {
            file: self.file.to_string(),
            line,
            column,
            message: message.into(),
        });
    }

    /// Every error, ordered by position.
    pub(super) fn finish(mut self) -> Vec<ConfigError> {
        self.errors.sort_by_key(|e| (e.line, e.column));
        self.errors
    }
}

/// Where a key and its value start; each falls back to the other, then to the parent.
#[derive(Debug, Clone, Copy)]
pub(super) struct Place {
    /// The key's start.
    pub(super) key: usize,
    /// The value's start.
    pub(super) value: usize,
}

impl Place {
    /// The place of `key = item`, falling back to `parent` when spans are missing
    /// (implicit tables have none).
    pub(super) fn of(key: &Key, item: &Item, parent: usize) -> Place {
        let key_at = start(key.span()).unwrap_or(parent);
        let value_at = start(item.span()).unwrap_or(key_at);
        Place {
            key: key_at,
            value: value_at,
        }
    }
}

/// The start of an optional span.
pub(super) fn start(span: Option<Range<usize>>) -> Option<usize> {
    span.map(|s| s.start)
}
