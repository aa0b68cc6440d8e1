//! The HCL native syntax's expression grammar (hashicorp/hcl
//! `hclsyntax/spec.md`: conditionals, `for`, splat, templates, heredocs,
//! operators), with the spec's newline rule: newlines are ignored inside
//! parentheses, brackets, `for` expressions and template sequences, and
//! separate items in object constructors and bodies.

use std::path::{Path, PathBuf};

use alertpath::source::terraform::hcl::{self, HclError, VarInputs};
use serde_json::json;

fn eval(text: &str) -> serde_json::Value {
    match hcl::eval_literal(text) {
        Ok(v) => v.to_json().0,
        Err(e) => panic!("{text}: {e}"),
    }
}

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn a_conditional_chain_in_an_object_for_continues_on_the_next_line() {
    // The issue's shape: `terraform validate` accepts it.
    let text = r#"{ for k, v in { a = "Mixed", b = "Case" } : k => "up" == "keep" ? v :
      "up" == "up" ? upper(v) : lower(v)
    }"#;
    assert_eq!(eval(text), json!({"a": "MIXED", "b": "CASE"}));
    // Key, `=>`, value, grouping `...` and `if` each on their own line.
    let text = r#"{
      for s in ["a-1", "b-2", "a-3"] :
      split("-", s)[0]
      =>
      s
      ...
      if s != "b-2"
    }"#;
    assert_eq!(eval(text), json!({"a": ["a-1", "a-3"]}));
}

#[test]
fn for_expressions_ignore_newlines_and_comments() {
    let text = "[for x in [1, 2, 3] :\n  # doubled\n  x * 2 // twice\n  if x /* odd */ != 2\n]";
    assert_eq!(eval(text), json!([2, 6]));
    let text = "{ for i, v in [\"a\", \"b\"] :\n v\n =>\n i\n}";
    assert_eq!(eval(text), json!({"a": 0, "b": 1}));
    // A nested object keeps its newline item separators.
    let text = "{ for k in [\"x\"] : k => {\n a = 1\n b = k\n }\n}";
    assert_eq!(eval(text), json!({"x": {"a": 1, "b": "x"}}));
    // A for inside a for.
    let text = "[for a in [1, 2] : [for b in [10, 20] :\n a + b\n ]\n]";
    assert_eq!(eval(text), json!([[11, 21], [12, 22]]));
}

#[test]
fn conditionals_nest_and_bind_loosest() {
    assert_eq!(eval("1 + 1 == 2 ? \"a\" : \"b\""), json!("a"));
    assert_eq!(eval("false ? 1 : true ? 2 : 3"), json!(2));
    assert_eq!(eval("(true ?\n \"y\" :\n \"n\")"), json!("y"));
    assert_eq!(
        eval("[true ? \"y\" : \"n\",\n false ? 1 : 2]"),
        json!(["y", 2])
    );
}

#[test]
fn operators_continue_across_newlines_inside_brackets() {
    assert_eq!(eval("(1 +\n 2 *\n 3)"), json!(7));
    assert_eq!(eval("[1 +\n 2, 10 %\n 4]"), json!([3, 2]));
    assert_eq!(eval("(true &&\n !false ||\n false)"), json!(true));
    assert_eq!(eval("tolist([\n 1 < 2,\n 3 >= 3\n])"), json!([true, true]));
    assert_eq!(eval("format(\"%s-%s\",\n \"a\",\n \"b\"\n)"), json!("a-b"));
    assert_eq!(eval("-(2 - 5)"), json!(3));
}

#[test]
fn splat_operators() {
    let list = "[{ id = \"a\", t = { n = 1 } }, { id = \"b\", t = { n = 2 } }]";
    assert_eq!(eval(&format!("{list}.*.id")), json!(["a", "b"]));
    assert_eq!(eval(&format!("{list}[*].t.n")), json!([1, 2]));
    assert_eq!(eval("[{ id = \"a\" }][*].id"), json!(["a"]));
}

#[test]
fn templates_interpolations_directives_and_escapes() {
    assert_eq!(eval(r#""a-${1 + 1}-b""#), json!("a-2-b"));
    assert_eq!(
        eval(r#""$${literal} %%{literal}""#),
        json!("${literal} %{literal}")
    );
    assert_eq!(
        eval(r#""%{ for x in ["a", "b"] }${x},%{ endfor }""#),
        json!("a,b,")
    );
    assert_eq!(
        eval(r#""%{ if true }yes%{ else }no%{ endif }""#),
        json!("yes")
    );
    // An interpolation may span lines.
    assert_eq!(eval("\"x${\n 1 +\n 2\n}y\""), json!("x3y"));
}

#[test]
fn heredocs_plain_indented_and_inside_a_for() {
    assert_eq!(eval("<<EOT\nline ${1}\nEOT\n"), json!("line 1\n"));
    assert_eq!(eval("<<-EOT\n    a\n      b\n    EOT\n"), json!("a\n  b\n"));
    let text = "[for s in [\"x\", \"y\"] :\n  <<-EOT\n  ${s}!\n  EOT\n]";
    assert_eq!(eval(text), json!(["x!\n", "y!\n"]));
}

#[test]
fn invalid_hcl_stays_a_syntax_error_at_its_place() {
    // Newlines separate object items: a value cannot continue on the next line.
    let err = hcl::eval_literal("{ a = true ?\n 1 : 2 }").unwrap_err();
    assert!(matches!(err, HclError::Syntax { line: 1, .. }), "{err}");
    // An unclosed for is reported, not rewritten into something else.
    let err = hcl::eval_literal("{ for k in [] : k => k\n").unwrap_err();
    assert!(matches!(err, HclError::Syntax { .. }), "{err}");
}

/// The fixture in cloudposse/terraform-null-label's shape reads, with the
/// values the shaped tags and id give (a syntax error before the wrapper).
#[test]
fn label_module_fixture_reads_with_its_values() {
    let dir = repo().join("tests/fixtures/terraform/hcl-syntax");
    let stack = hcl::read_dir(&dir, &VarInputs::default(), Path::new(&repo())).expect("reads");
    let find = |a: &str| {
        stack
            .resources
            .iter()
            .find(|r| r.address == a)
            .unwrap_or_else(|| panic!("{a}"))
    };
    let topic = find("aws_sns_topic.pager");
    assert_eq!(topic.values["name"], json!("ACME-GUARDDUTY-pager"));
    assert_eq!(topic.values["tags"], json!({"Team": "SECOPS"}));
    let rule = find("aws_cloudwatch_event_rule.findings");
    assert_eq!(rule.values["name"], json!("ACME-GUARDDUTY-findings"));
    let pattern: serde_json::Value =
        serde_json::from_str(rule.values["event_pattern"].as_str().expect("string")).expect("json");
    assert_eq!(
        pattern["detail"]["severity"],
        json!([{"numeric": [">=", 7]}])
    );
    // Locations still point into the original file (same byte offsets).
    let loc = rule.location.as_ref().expect("location");
    assert_eq!(
        (loc.file.as_str(), loc.line),
        ("tests/fixtures/terraform/hcl-syntax/main.tf", 20)
    );
    assert!(stack.unresolved.is_empty(), "{:?}", stack.unresolved);
}
