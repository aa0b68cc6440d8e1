//! `alertpath explain RULE` for a terminal: the rule's Markdown doc rendered
//! as text (headings in bold, `**` markers dropped, paragraphs and list items
//! wrapped, code blocks indented), instead of raw Markdown. Piped, the doc is
//! printed as Markdown, unchanged.

/// The width paragraphs are wrapped to.
const WIDTH: usize = 88;

const BOLD: &str = "\x1b[1m";
const RESET: &str = "\x1b[0m";

/// Render a rule doc for a terminal; `color` paints headings and bold text.
pub(super) fn render(doc: &str, color: bool) -> String {
    let bold = |text: &str| {
        if color {
            format!("{BOLD}{text}{RESET}")
        } else {
            text.to_string()
        }
    };
    let mut out = String::new();
    let mut in_code = false;
    let mut paragraph: Vec<&str> = Vec::new();
    let flush = |paragraph: &mut Vec<&str>, out: &mut String| {
        if !paragraph.is_empty() {
            out.push_str(&wrap(&inline(&paragraph.join(" "), color), "", ""));
            paragraph.clear();
        }
    };
    let blank = |out: &mut String| {
        if !out.is_empty() && !out.ends_with("\n\n") {
            out.push('\n');
        }
    };
    for line in doc.lines() {
        if line.trim_start().starts_with("```") {
            flush(&mut paragraph, &mut out);
            blank(&mut out);
            in_code = !in_code;
            continue;
        }
        if in_code {
            out.push_str(&format!("    {line}\n"));
            continue;
        }
        if let Some(title) = line.strip_prefix("# ") {
            flush(&mut paragraph, &mut out);
            out.push_str(&format!("{}\n", bold(title.trim())));
        } else if let Some(heading) = line.strip_prefix("## ") {
            flush(&mut paragraph, &mut out);
            blank(&mut out);
            out.push_str(&format!("{}\n", bold(heading.trim())));
        } else if let Some(item) = line.strip_prefix("- ") {
            flush(&mut paragraph, &mut out);
            out.push_str(&wrap(&inline(item, color), "  • ", "    "));
        } else if line.trim().is_empty() {
            flush(&mut paragraph, &mut out);
            blank(&mut out);
        } else {
            paragraph.push(line.trim());
        }
    }
    flush(&mut paragraph, &mut out);
    out
}

/// `**bold**` painted (or its markers dropped without colour).
fn inline(text: &str, color: bool) -> String {
    let mut out = String::new();
    for (i, part) in text.split("**").enumerate() {
        if i % 2 == 1 && color {
            out.push_str(&format!("{BOLD}{part}{RESET}"));
        } else {
            out.push_str(part);
        }
    }
    out
}

/// Words wrapped to [`WIDTH`] visible characters, the first line after
/// `first`, the others after `rest`.
fn wrap(text: &str, first: &str, rest: &str) -> String {
    let visible = |s: &str| s.replace(BOLD, "").replace(RESET, "").chars().count();
    let mut out = String::new();
    let mut line = first.to_string();
    let mut empty = true;
    for word in text.split_whitespace() {
        if !empty && visible(&line) + 1 + visible(word) > WIDTH {
            out.push_str(line.trim_end());
            out.push('\n');
            line = rest.to_string();
            empty = true;
        }
        if !empty {
            line.push(' ');
        }
        line.push_str(word);
        empty = false;
    }
    out.push_str(line.trim_end());
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_headings_lists_code_and_wraps() {
        let doc = "# GD001: x\n\n**Severity:** high\n\n## How to fix\nword \
                   word word word word word word word word word word word word word word word word word word\n\n\
                   - a **b** c\n\n```hcl\nresource \"x\" \"y\" {}\n```\n";
        let text = render(doc, false);
        assert!(
            text.starts_with("GD001: x\n\nSeverity: high\n\nHow to fix\n"),
            "{text}"
        );
        assert!(text.contains("\n  • a b c\n"), "{text}");
        assert!(text.contains("\n    resource \"x\" \"y\" {}\n"), "{text}");
        assert!(!text.contains("```") && !text.contains("**"), "{text}");
        assert!(text.lines().all(|l| l.chars().count() <= WIDTH), "{text}");
    }
}
