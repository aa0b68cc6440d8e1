//! Loading `alertpath.toml`: valid files, every kind of error, and the shipped example.

use std::collections::BTreeMap;
use std::path::Path;

use alertpath::config::{
    ChainConfig, ChatConfig, Config, ConfigErrors, GuardDutyConfig, PagerConfig, RootConfig,
    RulesConfig, ScopeConfig, SecretsConfig, TerraformConfig, Waiver, discover_in, load_file,
    parse_str,
};
use alertpath::inventory::StackRole;
use alertpath::severity::Severity;
use chrono::NaiveDate;

const FULL: &str = r#"
[scope]
regions = ["us-east-1", "eu-west-1"]
accounts = ["111111111111"]
exclude_accounts = ["222222222222"]
organizational_units = ["ou-ab12-cd34ef56", "r-ab12"]
role_name = "Audit"
external_id = "x-1"
management_role = "OrgAudit"

[guardduty]
admin_account = "333333333333"

[pager]
min_severity = 8
endpoint_patterns = ["https://pager.example.com/*"]

[chat]
min_severity = 2.5
notifier_functions = ["to-teams"]

[chain]
topics = ["arn:aws:sns:eu-west-1:333333333333:alerts"]
assume_publish_allowed = ["arn:aws:sns:us-east-1:333333333333:root"]

[secrets]
parameters = ["/slack/hook"]

[root]
credentials_removed = ["444444444444"]

[terraform]
role = "guardduty-admin"
account_id = "333333333333"
regions = ["eu-west-1"]
max_instances = 500

[rules]
disable = ["gd005"]

[rules.severity]
org003 = "HIGH"

[[waiver]]
rule = "GD001"
account = "222222222222"
region = "ap-east-1"
resource = "detector/abc"
reason = "blocked by SCP"

[[waiver]]
rule = "ORG003"
reason = "migrating"
expires = 2027-01-31
"#;

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

fn expected_full() -> Config {
    Config {
        path: Some("full.toml".into()),
        scope: ScopeConfig {
            regions: strings(&["us-east-1", "eu-west-1"]),
            accounts: strings(&["111111111111"]),
            exclude_accounts: strings(&["222222222222"]),
            organizational_units: strings(&["ou-ab12-cd34ef56", "r-ab12"]),
            role_name: Some("Audit".into()),
            external_id: Some("x-1".into()),
            management_role: Some("OrgAudit".into()),
        },
        security_hub: Default::default(),
        guardduty: GuardDutyConfig {
            admin_account: Some("333333333333".into()),
        },
        pager: PagerConfig {
            min_severity: 8.0,
            endpoint_patterns: strings(&["https://pager.example.com/*"]),
        },
        chat: ChatConfig {
            min_severity: 2.5,
            notifier_functions: strings(&["to-teams"]),
        },
        chain: ChainConfig {
            topics: strings(&["arn:aws:sns:eu-west-1:333333333333:alerts"]),
            assume_publish_allowed: strings(&["arn:aws:sns:us-east-1:333333333333:root"]),
        },
        secrets: SecretsConfig {
            parameters: strings(&["/slack/hook"]),
        },
        root: RootConfig {
            credentials_removed: strings(&["444444444444"]),
        },
        terraform: TerraformConfig {
            role: Some(StackRole::GuarddutyAdmin),
            account_id: Some("333333333333".into()),
            regions: strings(&["eu-west-1"]),
            max_instances: Some(500),
            more_roles: Vec::new(),
        },
        rules: RulesConfig {
            // Rule ids are normalised to their canonical spelling.
            disable: strings(&["GD005"]),
            severity: BTreeMap::from([("ORG003".to_string(), Severity::High)]),
        },
        waivers: vec![
            Waiver {
                rule: "GD001".into(),
                account: Some("222222222222".into()),
                region: Some("ap-east-1".into()),
                resource: Some("detector/abc".into()),
                reason: "blocked by SCP".into(),
                expires: None,
                declared_at: "full.toml:44".into(),
            },
            Waiver {
                rule: "ORG003".into(),
                account: None,
                region: None,
                resource: None,
                reason: "migrating".into(),
                expires: NaiveDate::from_ymd_opt(2027, 1, 31),
                declared_at: "full.toml:51".into(),
            },
        ],
    }
}

#[test]
fn full_config_round_trips() {
    let config = parse_str(FULL, "full.toml").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(config, expected_full());
}

#[test]
fn empty_file_is_the_default() {
    let config = parse_str("# nothing\n", "e.toml").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        config,
        Config {
            path: Some("e.toml".into()),
            ..Config::default()
        }
    );
}

/// Errors as (line, column, message) for compact assertions.
fn errors(text: &str) -> Vec<(usize, usize, String)> {
    match parse_str(text, "t.toml") {
        Ok(config) => panic!("expected errors, got {config:?}"),
        Err(ConfigErrors(errors)) => errors
            .into_iter()
            .map(|e| {
                assert_eq!(e.file, "t.toml");
                (e.line, e.column, e.message)
            })
            .collect(),
    }
}

#[test]
fn reports_every_error_at_once() {
    let text = r#"[scope]
regoins = ["eu-west-1"]

[pager]
min_severity = 11.0

[rules.severity]
GD001 = "severe"

[[waiver]]
rule = "GD002"
"#;
    let got = errors(text);
    let at: Vec<(usize, usize)> = got.iter().map(|(l, c, _)| (*l, *c)).collect();
    assert_eq!(at, [(2, 1), (5, 16), (8, 9), (10, 1)], "{got:?}");
    assert!(got[0].2.contains("regoins"));
    assert!(got[1].2.contains("out of range"));
    assert!(got[2].2.contains("severe"));
    assert!(got[3].2.contains("reason"));
}

/// One bad file each: (what, text, line, column, fragments of the one error).
const SINGLE_ERRORS: &[(&str, &str, usize, usize, &[&str])] = &[
    (
        "unknown key with suggestion",
        "[scope]\nexclude_acounts = []\n",
        2,
        1,
        &[
            "unknown key `exclude_acounts`",
            "did you mean `exclude_accounts`?",
        ],
    ),
    (
        "unknown key without suggestion",
        "[pager]\nfoo = 1\n",
        2,
        1,
        &["unknown key `foo` in [pager]"],
    ),
    (
        "unknown table",
        "[termform]\nrole = \"member\"\n",
        1,
        2,
        &["unknown table `[termform]`", "did you mean `terraform`?"],
    ),
    (
        "syntax error",
        "[scope]\nregions = [\"eu-west-1\"\nrole_name = \"x\"\n",
        3,
        1,
        &["TOML syntax error"],
    ),
    (
        "missing reason",
        "\n[[waiver]]\nrule = \"GD001\"\naccount = \"111111111111\"\n",
        2,
        1,
        &["waiver for GD001 has no `reason`"],
    ),
    (
        "empty reason",
        "[[waiver]]\nrule = \"GD001\"\nreason = \"  \"\n",
        3,
        10,
        &["waiver.reason", "must not be empty"],
    ),
    (
        "missing rule",
        "[[waiver]]\nreason = \"x\"\n",
        1,
        1,
        &["waiver has no `rule`"],
    ),
    (
        "bad date string",
        "[[waiver]]\nrule = \"GD001\"\nreason = \"x\"\nexpires = \"31/01/2027\"\n",
        4,
        11,
        &["waiver.expires", "not a date"],
    ),
    (
        "date-time instead of date",
        "[[waiver]]\nrule = \"GD001\"\nreason = \"x\"\nexpires = 2027-01-31T10:00:00\n",
        4,
        11,
        &["not a date"],
    ),
    (
        "unknown rule id in waiver",
        "[[waiver]]\nrule = \"GD01\"\nreason = \"x\"\n",
        2,
        8,
        &["unknown rule id `GD01`", "did you mean `GD001`?"],
    ),
    (
        "ROUTE rules cannot be waived",
        "[[waiver]]\nrule = \"ROUTE001\"\nreason = \"x\"\n",
        2,
        8,
        &["never changes a ROUTE outcome"],
    ),
    (
        "unknown rule id in disable",
        "[rules]\ndisable = [\"GD001\", \"NOPE9\"]\n",
        2,
        21,
        &["rules.disable", "unknown rule id `NOPE9`"],
    ),
    (
        "unknown rule id as severity key",
        "[rules.severity]\nXYZ001 = \"low\"\n",
        2,
        1,
        &["unknown rule id `XYZ001`"],
    ),
    (
        "bad severity",
        "[rules.severity]\nGD001 = \"hihg\"\n",
        2,
        9,
        &["unknown severity `hihg`", "did you mean `high`?"],
    ),
    (
        "string where list expected",
        "[scope]\nregions = \"eu-west-1\"\n",
        2,
        11,
        &[
            "scope.regions",
            "expected a list of strings, found a string",
        ],
    ),
    (
        "unquoted account id",
        "[root]\ncredentials_removed = [123456789012]\n",
        2,
        24,
        &["quoted 12-digit account id", "found an integer"],
    ),
    (
        "short account id",
        "[guardduty]\nadmin_account = \"12345\"\n",
        2,
        17,
        &["`12345` is not an account id"],
    ),
    (
        "bad region",
        "[terraform]\nregions = [\"eu-west-1\", \"euwest1\"]\n",
        2,
        25,
        &["`euwest1` is not a region name"],
    ),
    (
        "bad region in waiver",
        "[[waiver]]\nrule = \"GD001\"\nreason = \"x\"\nregion = \"Ireland\"\n",
        4,
        10,
        &["not a region name"],
    ),
    (
        "bad stack role",
        "[terraform]\nrole = \"admin\"\n",
        2,
        8,
        &["unknown stack role `admin`"],
    ),
    (
        "min_severity negative",
        "[chat]\nmin_severity = -1\n",
        2,
        16,
        &["chat.min_severity", "out of range"],
    ),
    (
        "min_severity wrong type",
        "[chat]\nmin_severity = \"high\"\n",
        2,
        16,
        &["expected a number, found a string"],
    ),
    (
        "bad topic ARN",
        "[chain]\nassume_publish_allowed = [\"alerts\"]\n",
        2,
        27,
        &["not an SNS topic ARN"],
    ),
    (
        "section that is not a table",
        "scope = 3\n",
        1,
        9,
        &["`scope` must be a table"],
    ),
    (
        "top-level key",
        "min_severity = 3\n",
        1,
        1,
        &["unknown key `min_severity`"],
    ),
    (
        "single [waiver] table",
        "[waiver]\nrule = \"GD001\"\nreason = \"x\"\n",
        1,
        2,
        &["write `[[waiver]]`"],
    ),
    (
        "unknown waiver key",
        "[[waiver]]\nrule = \"GD001\"\nreason = \"x\"\nexpiry = 2027-01-31\n",
        4,
        1,
        &[
            "unknown key `expiry` in [[waiver]]",
            "did you mean `expires`?",
        ],
    ),
    (
        "dotted key in an implicit table",
        "pager.min_severity = 3\npager.bogus = 1\n",
        2,
        7,
        &["unknown key `bogus`"],
    ),
];

#[test]
fn single_errors() {
    for (what, text, line, column, fragments) in SINGLE_ERRORS {
        let got = errors(text);
        assert_eq!(got.len(), 1, "{what}: {got:?}");
        let (l, c, message) = &got[0];
        assert_eq!((*l, *c), (*line, *column), "{what}: {message}");
        for fragment in *fragments {
            assert!(
                message.contains(fragment),
                "{what}: `{message}` lacks `{fragment}`"
            );
        }
    }
}

#[test]
fn error_display_is_file_line_column() {
    let err = parse_str("[scope]\nx = 1\n", "cfg/alertpath.toml").unwrap_err();
    assert_eq!(
        err.to_string(),
        "cfg/alertpath.toml:2:1: unknown key `x` in [scope]"
    );
}

#[test]
fn bom_at_file_start_is_accepted() {
    let config = parse_str("\u{feff}[pager]\nmin_severity = 5.0\n", "bom.toml")
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(config.pager.min_severity, 5.0);
    // Columns on the first line do not count the BOM.
    let got = errors("\u{feff}bogus = 1\n");
    assert_eq!((got[0].0, got[0].1), (1, 1));
}

#[test]
fn date_string_and_scope_less_waiver_are_accepted() {
    let text = "[[waiver]]\nrule = \"GD005\"\nreason = \"accepted everywhere\"\nexpires = \"2027-01-31\"\n";
    let config = parse_str(text, "w.toml").unwrap_or_else(|e| panic!("{e}"));
    let waiver = &config.waivers[0];
    assert_eq!(waiver.expires, NaiveDate::from_ymd_opt(2027, 1, 31));
    assert_eq!(
        (&waiver.account, &waiver.region, &waiver.resource),
        (&None, &None, &None)
    );
    assert_eq!(waiver.declared_at, "w.toml:1");
}

#[test]
fn inline_waivers_are_accepted() {
    let text = "waiver = [{ rule = \"GD001\", reason = \"x\" }]\n";
    let config = parse_str(text, "i.toml").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(config.waivers.len(), 1);
}

#[test]
fn example_file_parses_cleanly() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("alertpath.example.toml");
    let config = load_file(&path).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(config.waivers.len(), 2);
    assert!(config.waivers.iter().any(|w| w.expires.is_some()));
    assert_eq!(config.terraform.role, Some(StackRole::GuarddutyAdmin));
}

#[test]
fn discover_explicit_default_and_none() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    // Nothing there: the defaults.
    assert_eq!(discover_in(dir.path(), None), Ok(Config::default()));

    // An explicit path must exist, and the error names it.
    let missing = dir.path().join("nope.toml");
    let err = discover_in(dir.path(), Some(&missing)).unwrap_err();
    assert!(err.to_string().contains("nope.toml"), "{err}");

    // ./alertpath.toml is read when present.
    let default = dir.path().join("alertpath.toml");
    std::fs::write(&default, "[pager]\nmin_severity = 9.0\n").unwrap_or_else(|e| panic!("{e}"));
    let config = discover_in(dir.path(), None).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(config.pager.min_severity, 9.0);
    assert_eq!(config.path, Some(default.display().to_string()));

    // An explicit path wins over it.
    let other = dir.path().join("other.toml");
    std::fs::write(&other, "").unwrap_or_else(|e| panic!("{e}"));
    let config = discover_in(dir.path(), Some(&other)).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(config.pager.min_severity, 7.0);
}

#[test]
fn a_stack_can_declare_several_roles() {
    let text = "[terraform]\nrole = [\"guardduty-admin\", \"securityhub-admin\"]\n";
    let config = parse_str(text, "r.toml").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(config.terraform.role, Some(StackRole::GuarddutyAdmin));
    assert_eq!(config.terraform.more_roles, [StackRole::SecurityhubAdmin]);
    let bad = parse_str("[terraform]\nrole = [\"guardduty-admin\", 3]\n", "r.toml");
    assert!(bad.is_err());
}
