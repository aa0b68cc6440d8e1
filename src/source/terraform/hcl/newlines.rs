//! A wrapper around hcl-edit for one gap in its grammar: HCL ignores newlines
//! inside a `for` expression (`{ for … }` and `[ for … ]`, hclsyntax's
//! `finishParsingForExpr`), but hcl-edit 0.10 parses an object `for`'s key and
//! value expressions with newlines significant, so a conditional chain that
//! continues on the next line is "invalid expression".
//!
//! [`join_ignored_newlines`] rewrites the text the way HCL reads it: every
//! newline, line comment and block comment that sits directly in a
//! newline-ignoring context (parentheses, brackets, a `for` expression's
//! braces, a template's `${…}`/`%{…}`) becomes spaces of the same byte length,
//! so every span, line and column stays that of the original file. Strings,
//! heredocs and object or block bodies (where newlines separate items) are
//! left alone. The parser uses it only for a file hcl-edit rejects as it is.

/// What the scanner is inside.
#[derive(Debug, Clone, PartialEq)]
enum Frame {
    /// Expression text closed by `closer` (`None` at the top of the file);
    /// `ignore`: newlines there mean nothing to HCL.
    Code { closer: Option<u8>, ignore: bool },
    /// A quoted string template.
    Quoted,
    /// A heredoc template ending at a line holding only `delim`.
    Heredoc { delim: String },
}

/// The text with the newlines and comments HCL ignores replaced by spaces,
/// or `None` when nothing changes or the text does not scan (an unclosed
/// string, mismatched brackets): the parser's own error then stands.
pub(super) fn join_ignored_newlines(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = bytes.to_vec();
    let mut stack = vec![Frame::Code {
        closer: None,
        ignore: false,
    }];
    let mut changed = false;
    let mut i = 0;
    let mut line_start = true;
    while i < bytes.len() {
        let top = stack.last()?.clone();
        match top {
            Frame::Code { closer, ignore } => {
                let c = bytes[i];
                let blank = |out: &mut Vec<u8>, from: usize, to: usize| {
                    for b in &mut out[from..to] {
                        *b = b' ';
                    }
                };
                match c {
                    b'"' => {
                        stack.push(Frame::Quoted);
                        i += 1;
                    }
                    b'#' => {
                        let end = line_end(bytes, i);
                        if ignore {
                            blank(&mut out, i, end);
                            changed = true;
                        }
                        i = end;
                    }
                    b'/' if bytes.get(i + 1) == Some(&b'/') => {
                        let end = line_end(bytes, i);
                        if ignore {
                            blank(&mut out, i, end);
                            changed = true;
                        }
                        i = end;
                    }
                    b'/' if bytes.get(i + 1) == Some(&b'*') => {
                        let end = find(bytes, i + 2, b"*/")? + 2;
                        if ignore {
                            blank(&mut out, i, end);
                            changed = true;
                        }
                        i = end;
                    }
                    b'<' if bytes.get(i + 1) == Some(&b'<') => match heredoc_start(bytes, i) {
                        Some((delim, body)) => {
                            stack.push(Frame::Heredoc { delim });
                            i = body;
                            line_start = true;
                            continue;
                        }
                        None => i += 2,
                    },
                    b'(' | b'[' => {
                        stack.push(Frame::Code {
                            closer: Some(if c == b'(' { b')' } else { b']' }),
                            ignore: true,
                        });
                        i += 1;
                    }
                    b'{' => {
                        stack.push(Frame::Code {
                            closer: Some(b'}'),
                            ignore: starts_for(&bytes[i + 1..]),
                        });
                        i += 1;
                    }
                    b')' | b']' | b'}' => {
                        if closer != Some(c) {
                            return None;
                        }
                        stack.pop();
                        i += 1;
                    }
                    b'\r' | b'\n' => {
                        if ignore {
                            out[i] = b' ';
                            changed = true;
                        }
                        i += 1;
                    }
                    _ => i += 1,
                }
            }
            Frame::Quoted => match bytes[i] {
                b'\\' => i += 2,
                b'"' => {
                    stack.pop();
                    i += 1;
                }
                b'\n' => return None,
                _ => i = template_char(bytes, i, &mut stack),
            },
            Frame::Heredoc { delim } => {
                if line_start {
                    let end = line_end(bytes, i);
                    let line = text.get(i..end)?.trim_matches([' ', '\t', '\r']);
                    if line == delim {
                        stack.pop();
                        line_start = false;
                        i = end;
                        continue;
                    }
                }
                line_start = bytes[i] == b'\n';
                i = if line_start {
                    i + 1
                } else {
                    template_char(bytes, i, &mut stack)
                };
            }
        }
    }
    let closed = stack
        == [Frame::Code {
            closer: None,
            ignore: false,
        }];
    if !closed || !changed {
        return None;
    }
    String::from_utf8(out).ok()
}

/// One step through template text at `i`: `$${`/`%%{` are literal, `${`/`%{`
/// open a sequence whose inside is newline-ignoring code. Returns the next index.
fn template_char(bytes: &[u8], i: usize, stack: &mut Vec<Frame>) -> usize {
    let c = bytes[i];
    let next = bytes.get(i + 1).copied();
    if (c == b'$' || c == b'%') && next == Some(c) && bytes.get(i + 2) == Some(&b'{') {
        return i + 3;
    }
    if (c == b'$' || c == b'%') && next == Some(b'{') {
        stack.push(Frame::Code {
            closer: Some(b'}'),
            ignore: true,
        });
        return i + 2;
    }
    i + 1
}

/// The index of the newline ending the line at `i` (or the end of the text).
fn line_end(bytes: &[u8], i: usize) -> usize {
    bytes[i..]
        .iter()
        .position(|&b| b == b'\n')
        .map_or(bytes.len(), |p| i + p)
}

fn find(bytes: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    bytes
        .get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|p| from + p)
}

/// `<<DELIM` or `<<-DELIM` followed by a line break at `i`: the delimiter
/// and where the heredoc's first line starts.
fn heredoc_start(bytes: &[u8], i: usize) -> Option<(String, usize)> {
    let mut j = i + 2;
    if bytes.get(j) == Some(&b'-') {
        j += 1;
    }
    let start = j;
    while bytes
        .get(j)
        .is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'_' || *b == b'-')
    {
        j += 1;
    }
    if j == start || !bytes.get(start)?.is_ascii_alphabetic() && bytes[start] != b'_' {
        return None;
    }
    let delim = String::from_utf8(bytes[start..j].to_vec()).ok()?;
    match bytes.get(j) {
        Some(b'\n') => Some((delim, j + 1)),
        Some(b'\r') if bytes.get(j + 1) == Some(&b'\n') => Some((delim, j + 2)),
        _ => None,
    }
}

/// Whether the text after a `{` opens a `for` expression: `for`, a name, an
/// optional `, name`, then `in` (so a block body's `for = …` attribute is not one).
fn starts_for(rest: &[u8]) -> bool {
    let mut words = Vec::new();
    let mut i = 0;
    while words.len() < 4 && i < rest.len() {
        let c = rest[i];
        if c.is_ascii_whitespace() {
            i += 1;
        } else if c == b',' {
            words.push(",".to_string());
            i += 1;
        } else if c.is_ascii_alphabetic() || c == b'_' {
            let start = i;
            while i < rest.len()
                && (rest[i].is_ascii_alphanumeric() || matches!(rest[i], b'_' | b'-'))
            {
                i += 1;
            }
            words.push(String::from_utf8_lossy(&rest[start..i]).into_owned());
        } else {
            break;
        }
    }
    match words.as_slice() {
        [f, _, inn, ..] if f == "for" && inn == "in" => true,
        [f, k, comma, v, ..] if f == "for" && comma == "," && k != "in" && v != "in" => {
            // `for k, v in`: the fourth word is the value name; `in` follows.
            true
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_for_objects_newlines_become_spaces_of_the_same_length() {
        let src = "x = { for k, v in var.m : k => a ? v : # why\n  b ? upper(v) : lower(v)\n}\n";
        let out = join_ignored_newlines(src).unwrap();
        assert_eq!(out.len(), src.len());
        assert_eq!(
            out,
            "x = { for k, v in var.m : k => a ? v :       b ? upper(v) : lower(v) }\n"
                .replace("       b", "         b")
        );
    }

    #[test]
    fn strings_heredocs_and_object_bodies_are_left_alone() {
        // Nothing newline-ignoring changes: no rewrite.
        let src = "x = {\n a = \"s\\\"{ for\"\n b = <<EOT\n(\n EOT\n}\n";
        assert_eq!(join_ignored_newlines(src), None);
        // A heredoc inside a for keeps its lines; the for's own newlines go.
        let src = "x = [for s in l :\n<<-EOT\n  ${s}\n  EOT\n]\n";
        let out = join_ignored_newlines(src).unwrap();
        assert_eq!(out, "x = [for s in l : <<-EOT\n  ${s}\n  EOT ]\n");
        // An object nested in a for keeps its item separators.
        let src = "x = { for k in l : k => {\n a = 1\n b = 2\n}\n}\n";
        let out = join_ignored_newlines(src).unwrap();
        assert_eq!(out, "x = { for k in l : k => {\n a = 1\n b = 2\n} }\n");
    }

    #[test]
    fn a_block_body_is_not_a_for_and_bad_text_is_not_rewritten() {
        assert!(!starts_for(b"\n  for = 1\n"));
        assert!(starts_for(b" for k, v in x"));
        assert!(starts_for(b"\n for x in y"));
        assert_eq!(join_ignored_newlines("x = (a\n"), None);
        assert_eq!(join_ignored_newlines("x = \"a\nb\"\n"), None);
        assert_eq!(join_ignored_newlines("x = (a\n]"), None);
    }
}
