//! The rule catalog: one reviewable registry of every rule, and the context rules read.
//!
//! Each rule is a pure, synchronous function over the inventory. Its metadata and
//! its embedded Markdown doc are declared with [`rule!`] next to the logic.

mod alm;
pub mod context;
mod evt;
mod gd;
mod org;
mod root;
pub mod route;
mod scan;
mod sec;
mod sns;
mod sub;

use schemars::JsonSchema;
use serde::Serialize;

use crate::inventory::{SourceKind, StackRole};
use crate::outcome::Outcomes;
use crate::severity::Severity;

pub use context::{AdminLookup, Context};

/// Rule families, in catalog order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, JsonSchema)]
#[serde(rename_all = "UPPERCASE")]
pub enum Family {
    /// GuardDuty detectors and membership.
    Gd,
    /// Delegated administration.
    Org,
    /// EventBridge rules on the admin bus.
    Evt,
    /// End-to-end routes.
    Route,
    /// Topic policies and encryption.
    Sns,
    /// Subscriptions and delivery.
    Sub,
    /// Notifier failover alarms.
    Alm,
    /// Root sign-in coverage.
    Root,
    /// Secrets.
    Sec,
    /// Coverage of the scan itself.
    Scan,
}

impl Family {
    /// Upper-case name, e.g. `GD`.
    pub fn as_str(self) -> &'static str {
        match self {
            Family::Gd => "GD",
            Family::Org => "ORG",
            Family::Evt => "EVT",
            Family::Route => "ROUTE",
            Family::Sns => "SNS",
            Family::Sub => "SUB",
            Family::Alm => "ALM",
            Family::Root => "ROOT",
            Family::Sec => "SEC",
            Family::Scan => "SCAN",
        }
    }
}

/// Whose facts a rule reads, and where its outcomes are reported (RULES.md "judged in").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum JudgedIn {
    /// The management account's view.
    Mgmt,
    /// GuardDuty's administrator for each region.
    Admin,
    /// Resources on a walked alert path.
    Chain,
    /// Every in-scope active account.
    Every,
    /// The scan itself.
    Scan,
}

impl JudgedIn {
    /// Lower-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            JudgedIn::Mgmt => "mgmt",
            JudgedIn::Admin => "admin",
            JudgedIn::Chain => "chain",
            JudgedIn::Every => "every",
            JudgedIn::Scan => "scan",
        }
    }
}

/// A rule's metadata.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct RuleMeta {
    /// Stable id, e.g. `GD001`. Never reused.
    pub id: &'static str,
    /// Slug name, e.g. `detector-missing`.
    pub name: &'static str,
    /// Family.
    pub family: Family,
    /// Default severity.
    pub severity: Severity,
    /// Where it is judged.
    pub judged_in: JudgedIn,
    /// The sources that can assess it.
    pub sources: &'static [SourceKind],
    /// In Terraform input, the stack roles where this "absence" rule runs.
    /// `None`: the rule judges what is there and always runs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stack_roles: Option<&'static [StackRole]>,
    /// One line: when it fails.
    pub summary: &'static str,
    /// The Markdown doc (`rules/<family>/<ID>.md`), embedded.
    #[serde(skip)]
    pub doc: &'static str,
}

impl RuleMeta {
    /// `L P H` style source letters.
    pub fn source_letters(&self) -> String {
        self.sources
            .iter()
            .map(|s| s.letter().to_string())
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// The doc's title line, without the leading `# `.
    pub fn title(&self) -> &'static str {
        self.doc
            .lines()
            .next()
            .map(|l| l.trim_start_matches('#').trim())
            .unwrap_or(self.summary)
    }

    /// The public URL of the rule's doc.
    pub fn help_uri(&self) -> String {
        format!(
            "https://github.com/alertpath/alertpath/blob/main/rules/{}/{}.md",
            self.family.as_str().to_lowercase(),
            self.id
        )
    }
}

/// A rule: metadata plus its check.
pub struct Rule {
    /// Metadata.
    pub meta: RuleMeta,
    /// The check: pure, no I/O.
    pub check: fn(&Context<'_>, &mut Outcomes),
}

/// Declare a rule: `rule!(GD001, "detector-missing", gd, Gd, High, Every, [Live, Plan, Hcl], roles, "summary", check_fn)`.
macro_rules! rule {
    ($id:ident, $name:literal, $dir:literal, $family:ident, $sev:ident, $judged:ident,
     [$($src:ident),*], $roles:expr, $summary:literal, $check:path) => {
        /// See the rule's doc.
        pub const $id: $crate::rules::Rule = $crate::rules::Rule {
            meta: $crate::rules::RuleMeta {
                id: stringify!($id),
                name: $name,
                family: $crate::rules::Family::$family,
                severity: $crate::severity::Severity::$sev,
                judged_in: $crate::rules::JudgedIn::$judged,
                sources: &[$($crate::inventory::SourceKind::$src),*],
                stack_roles: $roles,
                summary: $summary,
                doc: include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/rules/", $dir, "/", stringify!($id), ".md")),
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
]);
/// Stack roles: the GuardDuty admin's stack only.
pub(crate) const ADMIN_ROLE: Option<&[StackRole]> = Some(&[StackRole::GuarddutyAdmin]);
/// Stack roles: the management account's stack only.
pub(crate) const MANAGEMENT_ROLE: Option<&[StackRole]> = Some(&[StackRole::Management]);

/// Every rule, in catalog order. This is the one reviewable registry.
pub static REGISTRY: &[Rule] = &[
    gd::GD001,
    gd::GD002,
    gd::GD003,
    gd::GD004,
    gd::GD005,
    org::ORG001,
    org::ORG002,
    org::ORG003,
    evt::EVT001,
    evt::EVT002,
    evt::EVT003,
    evt::EVT004,
    evt::EVT005,
    route::ROUTE001,
    route::ROUTE002,
    sns::SNS001,
    sns::SNS002,
    sns::SNS003,
    sns::SNS004,
    sns::SNS005,
    sub::SUB001,
    sub::SUB002,
    sub::SUB003,
    sub::SUB004,
    sub::SUB005,
    sub::SUB006,
    alm::ALM001,
    alm::ALM002,
    alm::ALM003,
    alm::ALM004,
    alm::ALM005,
    root::ROOT001,
    root::ROOT002,
    root::ROOT003,
    sec::SEC001,
    sec::SEC002,
    sec::SEC003,
    scan::SCAN001,
    scan::SCAN002,
    scan::SCAN003,
    scan::SCAN004,
];

/// Find a rule by id (case-insensitive).
pub fn find(id: &str) -> Option<&'static Rule> {
    REGISTRY.iter().find(|r| r.meta.id.eq_ignore_ascii_case(id))
}

/// The rule table as aligned text (`alertpath rules`).
pub fn text_table() -> String {
    let mut out = format!(
        "{:<9} {:<30} {:<9} {:<6} {:<8} {}\n",
        "ID", "NAME", "SEVERITY", "JUDGED", "SOURCES", "FAILS WHEN"
    );
    for rule in REGISTRY {
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
    out
}

/// The rule table as Markdown, as the README carries it between
/// `<!-- rules:start -->` and `<!-- rules:end -->`.
pub fn markdown_table() -> String {
    let mut out = String::from(
        "| ID | name | severity | judged in | sources | fails when |\n|---|---|---|---|---|---|\n",
    );
    for rule in REGISTRY {
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
    out
}
