//! The rules: every rule's check, registered with its metadata, and the context
//! rules read.
//!
//! Each rule is a pure, synchronous function over the inventory. Its metadata is
//! declared with [`rule!`] next to the logic, and each family lists its rules in
//! its `RULES`; the registry is built from the families. Ids and docs come from
//! [`crate::catalog`].

mod alm;
pub mod context;
mod evt;
mod gd;
mod org;
mod report;
mod root;
pub mod route;
mod scan;
mod sec;
mod sh;
mod sns;
mod sub;
mod subjects;

use std::sync::LazyLock;

use crate::inventory::StackRole;
use crate::outcome::Outcomes;

pub use crate::catalog::{Family, JudgedIn, RuleId, RuleMeta};
pub use context::{AdminLookup, Context};

/// A rule: metadata plus its check.
pub struct Rule {
    /// Metadata.
    pub meta: RuleMeta,
    /// The check: pure, no I/O.
    pub check: fn(&Context<'_>, &mut Outcomes),
}

/// Declare a rule: `rule!(GD001, "detector-missing", High, Every, [Live, Plan, Hcl], roles, "summary", check_fn)`.
/// Its id, family and doc come from `rules/<family>/<ID>.md` (see [`RuleId`]).
macro_rules! rule {
    ($id:ident, $name:literal, $sev:ident, $judged:ident,
     [$($src:ident),*], $roles:expr, $summary:literal, $check:path) => {
        /// See the rule's doc.
        pub(crate) const $id: $crate::rules::Rule = $crate::rules::Rule {
            meta: $crate::rules::RuleMeta {
                id: $crate::catalog::RuleId::$id,
                name: $name,
                family: $crate::catalog::RuleId::$id.family(),
                severity: $crate::severity::Severity::$sev,
                judged_in: $crate::rules::JudgedIn::$judged,
                sources: &[$($crate::inventory::SourceKind::$src),*],
                stack_roles: $roles,
                summary: $summary,
                doc: $crate::catalog::RuleId::$id.doc(),
            },
            check: $check,
        };
    };
}
pub(crate) use rule;

/// Stack roles: any declared role.
pub(crate) const ANY_ROLE: Option<&[StackRole]> = Some(&[
    StackRole::GuarddutyAdmin,
    StackRole::Management,
    StackRole::Member,
    StackRole::SecurityhubAdmin,
]);
/// Stack roles: the GuardDuty admin's stack only.
pub(crate) const ADMIN_ROLE: Option<&[StackRole]> = Some(&[StackRole::GuarddutyAdmin]);
/// Stack roles: the Security Hub administrator's stack only.
pub(crate) const SECURITYHUB_ROLE: Option<&[StackRole]> = Some(&[StackRole::SecurityhubAdmin]);
/// Stack roles: the management account's stack only.
pub(crate) const MANAGEMENT_ROLE: Option<&[StackRole]> = Some(&[StackRole::Management]);

/// Every rule, in catalog order: the families' `RULES`, ordered by [`RuleId`].
/// A test checks that every id has exactly one rule.
pub static REGISTRY: LazyLock<Vec<&'static Rule>> = LazyLock::new(|| {
    let mut rules: Vec<&'static Rule> = [
        gd::RULES,
        org::RULES,
        evt::RULES,
        route::RULES,
        sh::RULES,
        sns::RULES,
        sub::RULES,
        alm::RULES,
        root::RULES,
        sec::RULES,
        scan::RULES,
    ]
    .into_iter()
    .flatten()
    .collect();
    rules.sort_by_key(|rule| rule.meta.id);
    rules
});

/// Find a rule by id (case-insensitive).
pub fn find(id: &str) -> Option<&'static Rule> {
    let id: RuleId = id.parse().ok()?;
    REGISTRY.iter().copied().find(|r| r.meta.id == id)
}

/// The rule table as aligned text (`alertpath rules`).
pub fn text_table() -> String {
    let mut out = format!(
        "{:<9} {:<30} {:<9} {:<6} {:<8} {}\n",
        "ID", "NAME", "SEVERITY", "JUDGED", "SOURCES", "FAILS WHEN"
    );
    for rule in REGISTRY.iter() {
        let m = &rule.meta;
        out.push_str(&format!(
            "{:<9} {:<30} {:<9} {:<6} {:<8} {}\n",
            m.id,
            m.name,
            m.severity.as_str(),
            m.judged_in.as_str(),
            m.source_letters(),
            m.summary
        ));
    }
    out.push('\n');
    for line in legend() {
        out.push_str(&line);
        out.push('\n');
    }
    out
}

/// A short hash of the rule catalog (each rule's id, severity, scope, sources,
/// stack roles, summary and doc), so `--version` tells two builds whose
/// verdicts may differ apart: `sha256:` and 12 hex digits.
pub fn catalog_hash() -> String {
    use sha2::{Digest, Sha256};
    let mut hasher = Sha256::new();
    for rule in REGISTRY.iter() {
        let m = &rule.meta;
        let roles = m
            .stack_roles
            .map(|roles| {
                roles
                    .iter()
                    .map(|r| r.as_str())
                    .collect::<Vec<_>>()
                    .join(",")
            })
            .unwrap_or_default();
        for part in [
            m.id.as_str(),
            m.severity.as_str(),
            m.judged_in.as_str(),
            &m.source_letters(),
            &roles,
            m.summary,
            m.doc,
        ] {
            hasher.update(part.as_bytes());
            hasher.update([0u8]);
        }
    }
    let digest = hasher.finalize();
    let hex: String = digest.iter().take(6).map(|b| format!("{b:02x}")).collect();
    format!("sha256:{hex}")
}

/// What the `SOURCES` and `JUDGED` columns mean, one line each, for `alertpath
/// rules` and the README's table (docs/terms.md has the full definitions).
pub fn legend() -> Vec<String> {
    use crate::catalog::JudgedIn;
    let judged = [
        (JudgedIn::Mgmt, "the management account's view"),
        (
            JudgedIn::Admin,
            "GuardDuty's delegated administrator, per region",
        ),
        (JudgedIn::Chain, "the resources on a walked alert path"),
        (JudgedIn::Every, "every in-scope active account"),
        (JudgedIn::Scan, "the scan itself (what could not be read)"),
    ];
    vec![
        "Sources (where a rule can be judged): L = live AWS (also a saved snapshot), \
         P = Terraform plan JSON, H = Terraform HCL."
            .to_string(),
        format!(
            "Judged in (whose facts a rule reads): {}.",
            judged
                .iter()
                .map(|(j, what)| format!("{} = {what}", j.as_str()))
                .collect::<Vec<_>>()
                .join("; ")
        ),
    ]
}

/// The rule table as Markdown, as the README carries it between
/// `<!-- rules:start -->` and `<!-- rules:end -->`.
pub fn markdown_table() -> String {
    let mut out = String::from(
        "| ID | name | severity | judged in | sources | fails when |\n|---|---|---|---|---|---|\n",
    );
    for rule in REGISTRY.iter() {
        let m = &rule.meta;
        out.push_str(&format!(
            "| [{}](rules/{}/{}.md) | {} | {} | {} | {} | {} |\n",
            m.id,
            m.family.as_str().to_lowercase(),
            m.id,
            m.name,
            m.severity.as_str(),
            m.judged_in.as_str(),
            m.source_letters(),
            m.summary
        ));
    }
    out.push('\n');
    for line in legend() {
        out.push_str(&line);
        out.push_str("\n\n");
    }
    out.truncate(out.trim_end().len());
    out.push('\n');
    out
}
