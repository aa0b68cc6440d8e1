//! The known-keys table: every section, key, the kind of value it takes, and
//! where it lands in [`Config`]. This is the one place to add a config key.

use std::collections::BTreeMap;

use super::Config;
use crate::inventory::StackRole;
use crate::severity::Severity;

/// How a string (or list element) is checked and normalised.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Check {
    /// Any non-empty string.
    Text,
    /// A 12-digit AWS account id.
    Account,
    /// A region name such as `eu-west-1`.
    Region,
    /// An organizational unit (`ou-…`) or root (`r-…`) id.
    OrgUnit,
    /// An SNS topic ARN.
    TopicArn,
    /// A rule id from the registry, normalised to its canonical spelling.
    RuleId,
}

/// The kind of value a key takes, and where it lands in [`Config`].
pub(super) enum Field {
    /// A list of strings.
    List(Check, fn(&mut Config) -> &mut Vec<String>),
    /// One string.
    One(Check, fn(&mut Config) -> &mut Option<String>),
    /// A GuardDuty severity score in `0.0..=10.0`.
    Score(fn(&mut Config) -> &mut f64),
    /// A positive whole number up to 1,000,000 (a limit).
    Count(fn(&mut Config) -> &mut Option<usize>),
    /// A stack role name.
    Role(fn(&mut Config) -> &mut Option<StackRole>),
    /// A table of rule id → severity name.
    Severities(fn(&mut Config) -> &mut BTreeMap<String, Severity>),
}

/// A section's keys.
pub(super) type Keys = &'static [(&'static str, Field)];

/// The array-of-tables section holding waivers.
pub(super) const WAIVER: &str = "waiver";

/// The keys a `[[waiver]]` takes.
pub(super) const WAIVER_KEYS: &[&str] =
    &["rule", "account", "region", "resource", "reason", "expires"];

/// Every section (other than `[[waiver]]`) and its keys.
pub(super) const SECTIONS: &[(&str, Keys)] = &[
    ("scope", SCOPE),
    ("guardduty", GUARDDUTY),
    ("security_hub", SECURITY_HUB),
    ("pager", PAGER),
    ("chat", CHAT),
    ("chain", CHAIN),
    ("secrets", SECRETS),
    ("root", ROOT),
    ("terraform", TERRAFORM),
    ("rules", RULES),
];

const SCOPE: Keys = &[
    (
        "regions",
        Field::List(Check::Region, |c| &mut c.scope.regions),
    ),
    (
        "accounts",
        Field::List(Check::Account, |c| &mut c.scope.accounts),
    ),
    (
        "exclude_accounts",
        Field::List(Check::Account, |c| &mut c.scope.exclude_accounts),
    ),
    (
        "organizational_units",
        Field::List(Check::OrgUnit, |c| &mut c.scope.organizational_units),
    ),
    (
        "role_name",
        Field::One(Check::Text, |c| &mut c.scope.role_name),
    ),
    (
        "external_id",
        Field::One(Check::Text, |c| &mut c.scope.external_id),
    ),
    (
        "management_role",
        Field::One(Check::Text, |c| &mut c.scope.management_role),
    ),
];

const GUARDDUTY: Keys = &[(
    "admin_account",
    Field::One(Check::Account, |c| &mut c.guardduty.admin_account),
)];

const SECURITY_HUB: Keys = &[(
    "admin_account",
    Field::One(Check::Account, |c| &mut c.security_hub.admin_account),
)];

const PAGER: Keys = &[
    ("min_severity", Field::Score(|c| &mut c.pager.min_severity)),
    (
        "endpoint_patterns",
        Field::List(Check::Text, |c| &mut c.pager.endpoint_patterns),
    ),
];

const CHAT: Keys = &[
    ("min_severity", Field::Score(|c| &mut c.chat.min_severity)),
    (
        "notifier_functions",
        Field::List(Check::Text, |c| &mut c.chat.notifier_functions),
    ),
];

const CHAIN: Keys = &[
    (
        "topics",
        Field::List(Check::TopicArn, |c| &mut c.chain.topics),
    ),
    (
        "assume_publish_allowed",
        Field::List(Check::TopicArn, |c| &mut c.chain.assume_publish_allowed),
    ),
];

const SECRETS: Keys = &[(
    "parameters",
    Field::List(Check::Text, |c| &mut c.secrets.parameters),
)];

const ROOT: Keys = &[(
    "credentials_removed",
    Field::List(Check::Account, |c| &mut c.root.credentials_removed),
)];

const TERRAFORM: Keys = &[
    ("role", Field::Role(|c| &mut c.terraform.role)),
    (
        "account_id",
        Field::One(Check::Account, |c| &mut c.terraform.account_id),
    ),
    (
        "regions",
        Field::List(Check::Region, |c| &mut c.terraform.regions),
    ),
    (
        "max_instances",
        Field::Count(|c| &mut c.terraform.max_instances),
    ),
];

const RULES: Keys = &[
    (
        "disable",
        Field::List(Check::RuleId, |c| &mut c.rules.disable),
    ),
    ("severity", Field::Severities(|c| &mut c.rules.severity)),
];

/// The keys of a known section.
pub(super) fn section(name: &str) -> Option<Keys> {
    SECTIONS.iter().find(|(n, _)| *n == name).map(|(_, k)| *k)
}

/// Every top-level name, for suggestions.
pub(super) fn section_names() -> impl Iterator<Item = &'static str> {
    SECTIONS.iter().map(|(n, _)| *n).chain([WAIVER])
}

/// `; did you mean `x`?` when a candidate is close to `got`, else empty.
pub(super) fn did_you_mean<'a>(got: &str, candidates: impl IntoIterator<Item = &'a str>) -> String {
    closest(got, candidates)
        .map(|c| format!("; did you mean `{c}`?"))
        .unwrap_or_default()
}

/// The candidate closest to `got`, if it is close enough to be a typo.
fn closest<'a>(got: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let got = got.to_ascii_lowercase();
    let limit = (got.chars().count() / 3).max(1);
    candidates
        .into_iter()
        .map(|c| (edit_distance(&got, &c.to_ascii_lowercase()), c))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// Edit distance in characters, counting a swap of neighbours as one edit
/// (optimal string alignment), so `hihg` is one edit from `high`.
fn edit_distance(a: &str, b: &str) -> usize {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = best;
        }
    }
    d[a.len()][b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions() {
        let cases = [
            ("regoins", Some("regions")),
            ("role", None),
            ("exclude_acounts", Some("exclude_accounts")),
            ("zzz", None),
            ("exlcude_accounts", Some("exclude_accounts")),
        ];
        let keys = SCOPE.iter().map(|(k, _)| *k);
        for (got, want) in cases {
            assert_eq!(closest(got, keys.clone()), want, "{got}");
        }
    }

    #[test]
    fn distances() {
        let cases = [
            ("", "", 0),
            ("abc", "", 3),
            ("hihg", "high", 1),
            ("kitten", "sitting", 3),
        ];
        for (a, b, want) in cases {
            assert_eq!(edit_distance(a, b), want, "{a} {b}");
        }
    }

    /// The shipped example sets every known key, so it documents them all.
    #[test]
    fn example_sets_every_key() {
        let text = include_str!("../../alertpath.example.toml");
        let doc = toml_edit::ImDocument::parse(text).unwrap_or_else(|e| panic!("{e}"));
        for (section, keys) in SECTIONS {
            for (key, _) in *keys {
                let found = doc.get(section).and_then(|t| t.get(key)).is_some();
                assert!(found, "alertpath.example.toml lacks {section}.{key}");
            }
        }
        let waivers = doc.get(WAIVER).and_then(|w| w.as_array_of_tables());
        for key in WAIVER_KEYS {
            let found = waivers.is_some_and(|w| w.iter().any(|t| t.contains_key(key)));
            assert!(found, "alertpath.example.toml has no waiver with `{key}`");
        }
    }

    #[test]
    fn waiver_is_not_a_plain_section() {
        assert!(section(WAIVER).is_none());
        assert!(section_names().any(|n| n == WAIVER));
    }
}
