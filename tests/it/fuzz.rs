//! Property/fuzz tests on stable Rust (proptest) for the six input parsers:
//! snapshot, plan, HCL, config, event pattern (and filter policy) and IAM
//! policy. Each replays its committed corpus in `tests/fuzz/corpus/<parser>/`
//! (plus the fixtures named in `fixture_seeds`) and then mutates it (byte flips, token insertions from a per-parser
//! dictionary, truncation, duplication, deep nesting, huge numbers). The
//! property: the parser, and what runs on its output, returns (Ok or Err)
//! and never panics, overflows the stack or runs away.
//!
//! CI runs a bounded number of cases (a few seconds each). A longer local run:
//! `ALERTPATH_FUZZ_SECONDS=300 nice cargo test --test it fuzz::<parser> -- --nocapture`
//! loops with fresh seeds for that long and prints the cases run and crashes
//! found. A crash found becomes a corpus file, so CI replays it.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestCaseError, TestRng, TestRunner};

/// Cases per parser in CI (each case is one mutated input).
const CI_CASES: u32 = 256;

/// Committed fixtures that also seed a parser's corpus, read where they are
/// (repository-relative) rather than copied into `tests/fuzz/corpus/`.
fn fixture_seeds(parser: &str) -> &'static [&'static str] {
    match parser {
        "snapshot" => &["tests/fixtures/snapshots/healthy-org.json"],
        "plan" => &[
            "tests/fixtures/terraform/parity-org-root/plan.json",
            "tests/fixtures/terraform/primer-org-root/plan.json",
            "tests/fixtures/terraform/unknowns/plan.json",
            "tests/fixtures/terraform/plan-v0/plan.json",
        ],
        "hcl" => &[
            "tests/fixtures/terraform/healthy/us-east-1.tf",
            "tests/fixtures/terraform/unknowns/main.tf",
        ],
        _ => &[],
    }
}

fn corpus(parser: &str) -> Vec<(String, Vec<u8>)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = root.join("tests/fuzz/corpus").join(parser);
    // A parser seeded only by fixtures has no corpus directory.
    let mut files: Vec<PathBuf> = match std::fs::read_dir(&dir) {
        Ok(entries) => entries.map(|e| e.unwrap().path()).collect(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
        Err(e) => panic!("{}: {e}", dir.display()),
    };
    files.sort();
    files.extend(fixture_seeds(parser).iter().map(|f| root.join(f)));
    assert!(!files.is_empty(), "empty corpus {}", dir.display());
    files
        .into_iter()
        .map(|p| {
            let name = p.strip_prefix(root).unwrap_or(&p).display().to_string();
            let bytes = std::fs::read(&p).unwrap_or_else(|e| panic!("{name}: {e}"));
            (name, bytes)
        })
        .collect()
}

/// One edit of an input.
#[derive(Debug, Clone)]
enum Mutation {
    /// Set the byte at (position mod len).
    Flip(usize, u8),
    /// Insert a dictionary token at a position.
    Token(usize, usize),
    /// Remove a span.
    Delete(usize, usize),
    /// Keep only a prefix.
    Truncate(usize),
    /// Repeat a span in place.
    Duplicate(usize, usize, u8),
    /// Wrap a span in `depth` levels of nesting.
    Nest(usize, usize, u16),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        4 => (any::<usize>(), any::<u8>()).prop_map(|(p, b)| Mutation::Flip(p, b)),
        6 => (any::<usize>(), any::<usize>()).prop_map(|(p, t)| Mutation::Token(p, t)),
        2 => (any::<usize>(), 0..64_usize).prop_map(|(p, n)| Mutation::Delete(p, n)),
        1 => any::<usize>().prop_map(Mutation::Truncate),
        1 => (any::<usize>(), 0..256_usize, 1..8_u8).prop_map(|(p, n, k)| Mutation::Duplicate(p, n, k)),
        1 => (any::<usize>(), 0..64_usize, 1..400_u16).prop_map(|(p, n, d)| Mutation::Nest(p, n, d)),
    ]
}

fn apply(input: &mut Vec<u8>, m: &Mutation, dictionary: &[&str], nest: (&str, &str)) {
    let len = input.len();
    let at = |p: usize| if len == 0 { 0 } else { p % (len + 1) };
    match *m {
        Mutation::Flip(p, b) if len > 0 => input[p % len] = b,
        Mutation::Flip(..) => input.push(0),
        Mutation::Token(p, t) => {
            let token = dictionary[t % dictionary.len()].as_bytes();
            let p = at(p);
            input.splice(p..p, token.iter().copied());
        }
        Mutation::Delete(p, n) => {
            let p = at(p);
            let end = (p + n).min(len);
            input.drain(p..end);
        }
        Mutation::Truncate(p) => input.truncate(at(p)),
        Mutation::Duplicate(p, n, k) => {
            let p = at(p);
            let span: Vec<u8> = input[p..(p + n).min(len)].to_vec();
            for _ in 0..k {
                input.splice(p..p, span.iter().copied());
            }
        }
        Mutation::Nest(p, n, depth) => {
            let p = at(p);
            let end = (p + n).min(len);
            let close: Vec<u8> = nest.1.repeat(usize::from(depth)).into_bytes();
            input.splice(end..end, close);
            let open: Vec<u8> = nest.0.repeat(usize::from(depth)).into_bytes();
            input.splice(p..p, open);
        }
    }
}

/// A parser under test: its corpus directory, dictionary, nesting pair and
/// the code that must not panic.
struct Target {
    name: &'static str,
    dictionary: &'static [&'static [&'static str]],
    nest: (&'static str, &'static str),
    run: fn(&[u8]),
}

const JSON_TOKENS: &[&str] = &[
    "{",
    "}",
    "[",
    "]",
    "\"",
    ":",
    ",",
    "null",
    "true",
    "false",
    "0",
    "-0",
    "1e308",
    "1e999",
    "-1e999",
    "1.5e300",
    "18446744073709551616",
    "-9223372036854775809",
    "0.0000001",
    "\"\\u0000\"",
    "\"\\ud800\"",
    "\"*\"",
    "\"?\"",
    "{}",
    "[]",
    "\"\"",
    "\"us-east-1\"",
    "\"arn:aws:sns:*:*:*\"",
    "\"111111111111\"",
    "\"not-an-account\"",
];

const SNAPSHOT_TOKENS: &[&str] = &[
    "\"format_version\": 1,",
    "\"gap\"",
    "\"collected\"",
    "\"enabled\"",
    "\"not_enabled\"",
    "\"organization\"",
    "\"organization_not_listed\"",
    "\"accounts\"",
    "\"regions\"",
    "\"access\"",
    "\"guardduty\"",
    "\"event_rules\"",
    "\"topics\"",
    "\"subscriptions\"",
    "\"unknown\"",
    "\"after_apply\"",
    "\"reason\"",
    "\"call\"",
    "\"message\"",
    "\"caller\"",
];

const PLAN_TOKENS: &[&str] = &[
    "\"format_version\": \"1.2\",",
    "\"planned_values\"",
    "\"resource_changes\"",
    "\"configuration\"",
    "\"prior_state\"",
    "\"after_unknown\"",
    "\"after\"",
    "\"before\"",
    "\"module_calls\"",
    "\"root_module\"",
    "\"child_modules\"",
    "\"expressions\"",
    "\"references\"",
    "\"constant_value\"",
    "\"provider_config\"",
    "\"address\"",
    "\"aws_sns_topic\"",
    "\"aws_cloudwatch_event_rule\"",
    "\"count\"",
    "\"for_each\"",
    "\"index\"",
    "\"mode\"",
    "\"managed\"",
    "\"data\"",
    "\"module.a.module.b\"",
];

const HCL_TOKENS: &[&str] = &[
    "{",
    "}",
    "[",
    "]",
    "(",
    ")",
    "\"",
    "${",
    "%{",
    "~}",
    "\n",
    "=",
    ",",
    ".",
    "...",
    "?",
    ":",
    "=>",
    "*",
    "[*]",
    "count",
    "count.index",
    "for_each",
    "each.key",
    "each.value",
    "var.x",
    "local.names",
    "module.child.x",
    "self",
    "null",
    "1e308",
    "1.5e300",
    "-1",
    "100000000",
    "for x in var.m :",
    "if",
    "else",
    "endif",
    "endfor",
    "<<EOT\n",
    "\nEOT\n",
    "<<-EOT\n",
    "resource \"aws_sns_topic\" \"z\" {\n",
    "module \"m\" {\n",
    "source = \"./\"\n",
    "variable \"x\" {\n",
    "locals {\n",
    "dynamic \"statement\" {\n",
    "content {\n",
    "jsonencode(",
    "merge(",
    "lookup(",
    "try(",
    "can(",
    "format(\"%s\", ",
    "range(",
    "element(",
    "concat(",
    "flatten(",
    "tolist(",
    "toset(",
    "replace(",
    "regex(\"(\", ",
    "# comment\n",
    "/* c */",
    "\\u0000",
    "\u{feff}",
];

const CONFIG_TOKENS: &[&str] = &[
    "[",
    "]",
    "[[",
    "]]",
    "=",
    "\"",
    "'",
    "\n",
    ",",
    "{",
    "}",
    "true",
    "1e308",
    "-1",
    "nan",
    "inf",
    "1979-05-27",
    "[scope]\n",
    "[terraform]\n",
    "[guardduty]\n",
    "[pager]\n",
    "[[waivers]]\n",
    "rule = \"GD001\"\n",
    "expires = 2020-01-01\n",
    "account = \"1\"\n",
    "min_severity = 99\n",
    "regions = [\"xx\"]\n",
    "role = \"nobody\"\n",
    "\"\"\"",
    "'''",
    "\\u0000",
    "admin_account = \"not-an-account\"\n",
];

const PATTERN_TOKENS: &[&str] = &[
    "{\"numeric\": [\">\", 1e308]}",
    "{\"numeric\": [\"<\", \"x\"]}",
    "{\"prefix\": \"\"}",
    "{\"suffix\": 1}",
    "{\"anything-but\": {\"prefix\": []}}",
    "{\"anything-but\": []}",
    "{\"exists\": \"yes\"}",
    "{\"cidr\": \"999.1.1.1/99\"}",
    "{\"cidr\": \"::/129\"}",
    "{\"wildcard\": \"****\"}",
    "{\"wildcard\": \"\\\\*\"}",
    "{\"equals-ignore-case\": []}",
    "\"$or\"",
    "[{\"$or\": []}]",
    "\"detail\"",
    "\"source\"",
    "\"severity\"",
];

const POLICY_TOKENS: &[&str] = &[
    "\"Statement\"",
    "\"Effect\"",
    "\"Allow\"",
    "\"Deny\"",
    "\"Principal\"",
    "\"NotPrincipal\"",
    "\"Action\"",
    "\"NotAction\"",
    "\"Resource\"",
    "\"NotResource\"",
    "\"Condition\"",
    "\"StringLike\"",
    "\"ArnLike\"",
    "\"ForAllValues:StringEquals\"",
    "\"NumericLessThan\"",
    "\"DateGreaterThan\"",
    "\"IpAddress\"",
    "\"Bool\"",
    "\"Null\"",
    "\"IfExists\"",
    "\"aws:SourceArn\"",
    "\"AWS\"",
    "\"Service\"",
    "\"Federated\"",
    "\"*\"",
    "\"sns:*\"",
    "\"s?s:Pub*\"",
    "\"${aws:username}\"",
];

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn run_snapshot(bytes: &[u8]) {
    if let Ok(inventory) = alertpath::source::snapshot::parse(&text(bytes), "fuzz.json") {
        let config = alertpath::config::Config::default();
        let options = alertpath::engine::EngineOptions {
            today: crate::common::today(),
            strict_config: false,
        };
        if let Ok(report) = alertpath::engine::run(&inventory, &config, &options) {
            let _ = alertpath::report::text::render(&report, false);
        }
    }
}

fn run_plan(bytes: &[u8]) {
    if let Ok(stack) = alertpath::source::terraform::plan::parse(&text(bytes), "fuzz.json") {
        let config = alertpath::config::Config::default();
        let _ = alertpath::source::terraform::adapt::adapt(
            &stack,
            &config.terraform,
            alertpath::inventory::SourceKind::Plan,
        );
    }
}

fn run_hcl(bytes: &[u8]) {
    thread_local! {
        static DIR: tempfile::TempDir = tempfile::tempdir().expect("tempdir");
    }
    DIR.with(|dir| {
        std::fs::write(dir.path().join("main.tf"), bytes).expect("write main.tf");
        let vars = alertpath::source::terraform::hcl::VarInputs {
            var_files: Vec::new(),
            vars: Vec::new(),
            account_id: None,
            max_instances: None,
            ..Default::default()
        };
        if let Ok(stack) =
            alertpath::source::terraform::hcl::read_dir(dir.path(), &vars, dir.path())
        {
            let config = alertpath::config::Config::default();
            let _ = alertpath::source::terraform::adapt::adapt(
                &stack,
                &config.terraform,
                alertpath::inventory::SourceKind::Hcl,
            );
        }
    });
}

fn run_config(bytes: &[u8]) {
    let _ = alertpath::config::parse_str(&text(bytes), "fuzz.toml");
}

fn run_pattern(bytes: &[u8]) {
    use alertpath::pattern::{EventPattern, FilterPolicy, FilterPolicyScope};
    let json = text(bytes);
    if let Ok(pattern) = EventPattern::parse(&json) {
        for sample in alertpath::samples::guardduty_findings() {
            let _ = pattern.matches(&sample.value());
        }
    }
    for scope in [
        FilterPolicyScope::MessageBody,
        FilterPolicyScope::MessageAttributes,
    ] {
        if let Ok(policy) = FilterPolicy::parse(&json, scope) {
            let body = alertpath::samples::guardduty_findings()[0].json;
            let _ = policy.evaluate(body, &std::collections::BTreeMap::new());
        }
    }
}

fn run_policy(bytes: &[u8]) {
    use alertpath::policy::{Policy, publishers};
    if let Ok(policy) = Policy::parse(&text(bytes)) {
        let request = publishers::eventbridge_to_sns(
            "arn:aws:events:us-east-1:111111111111:rule/r",
            "111111111111",
            "arn:aws:sns:us-east-1:111111111111:gd-pager",
        );
        let _ = policy.evaluate(&request);
        let _ = policy.public_grants(&["sns:Publish", "sns:Subscribe"]);
    }
}

const SNAPSHOT: Target = Target {
    name: "snapshot",
    dictionary: &[JSON_TOKENS, SNAPSHOT_TOKENS],
    nest: ("[", "]"),
    run: run_snapshot,
};
const PLAN: Target = Target {
    name: "plan",
    dictionary: &[JSON_TOKENS, PLAN_TOKENS],
    nest: ("{\"a\":", "}"),
    run: run_plan,
};
const HCL: Target = Target {
    name: "hcl",
    dictionary: &[HCL_TOKENS],
    nest: ("[", "]"),
    run: run_hcl,
};
const CONFIG: Target = Target {
    name: "config",
    dictionary: &[CONFIG_TOKENS],
    nest: ("[", "]"),
    run: run_config,
};
const PATTERN: Target = Target {
    name: "pattern",
    dictionary: &[JSON_TOKENS, PATTERN_TOKENS],
    nest: ("{\"d\":", "}"),
    run: run_pattern,
};
const POLICY: Target = Target {
    name: "policy",
    dictionary: &[JSON_TOKENS, POLICY_TOKENS],
    nest: ("[", "]"),
    run: run_policy,
};

/// Run one input; a panic is a crash (reported with the input's head).
fn check(target: &Target, input: &[u8]) -> Result<(), String> {
    catch_unwind(AssertUnwindSafe(|| (target.run)(input))).map_err(|e| {
        let what = e
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| e.downcast_ref::<&str>().map(|s| (*s).to_string()))
            .unwrap_or_default();
        format!(
            "{} panicked ({what}) on input starting {:?}",
            target.name,
            String::from_utf8_lossy(&input[..input.len().min(200)])
        )
    })
}

/// Mutate the corpus with `cases` cases from one seed; returns the crashes.
fn mutate(target: &Target, seeds: &[(String, Vec<u8>)], cases: u32, seed: u64) -> Vec<String> {
    let dictionary: Vec<&str> = target.dictionary.concat();
    let config = Config {
        cases,
        failure_persistence: None,
        max_shrink_iters: 64,
        ..Config::default()
    };
    let mut bytes = [0_u8; 32];
    bytes[..8].copy_from_slice(&seed.to_le_bytes());
    let rng = TestRng::from_seed(RngAlgorithm::ChaCha, &bytes);
    let mut runner = TestRunner::new_with_rng(config, rng);
    let strategy = (0..seeds.len(), proptest::collection::vec(mutation(), 1..8));
    let mut crashes = Vec::new();
    let result = runner.run(&strategy, |(index, mutations)| {
        let mut input = seeds[index].1.clone();
        for m in &mutations {
            apply(&mut input, m, &dictionary, target.nest);
        }
        check(target, &input).map_err(TestCaseError::fail)
    });
    if let Err(e) = result {
        crashes.push(e.to_string());
    }
    crashes
}

/// Replay the corpus, then mutate: bounded in CI, or for
/// `ALERTPATH_FUZZ_SECONDS` with fresh seeds.
fn fuzz(target: &Target) {
    let seeds = corpus(target.name);
    for (name, input) in &seeds {
        if let Err(crash) = check(target, input) {
            panic!("corpus file {name}: {crash}");
        }
    }
    let seconds: u64 = std::env::var("ALERTPATH_FUZZ_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    if seconds == 0 {
        let crashes = mutate(target, &seeds, CI_CASES, 11);
        assert!(crashes.is_empty(), "{}", crashes.join("\n"));
        return;
    }
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let start = Instant::now();
    let (mut rounds, mut crashes) = (0_u64, Vec::new());
    let base = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(1, |d| d.as_secs());
    while Instant::now() < deadline {
        crashes.extend(mutate(target, &seeds, 64, base + rounds));
        rounds += 1;
    }
    eprintln!(
        "fuzz {}: {} s, {} cases, {} crash(es)",
        target.name,
        start.elapsed().as_secs(),
        rounds * 64,
        crashes.len()
    );
    assert!(crashes.is_empty(), "{}", crashes.join("\n"));
}

#[test]
fn snapshot() {
    fuzz(&SNAPSHOT);
}

#[test]
fn plan() {
    fuzz(&PLAN);
}

#[test]
fn hcl() {
    fuzz(&HCL);
}

#[test]
fn config() {
    fuzz(&CONFIG);
}

#[test]
fn pattern() {
    fuzz(&PATTERN);
}

#[test]
fn policy() {
    fuzz(&POLICY);
}
