//! The intermediate both Terraform sources produce: resources with their
//! attribute values, which parts are unknown, what they reference, and where
//! they are written.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::inventory::{HardcodedSecret, Known, SourceLocation, Unresolved};

/// `managed` resources and `data` sources.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// `resource "…" "…"`.
    Managed,
    /// `data "…" "…"`.
    Data,
}

/// One resource instance (after `count`/`for_each` expansion).
#[derive(Debug, Clone)]
pub struct TfResource {
    /// The full address, e.g. `module.alerts["eu"].aws_sns_topic.pager[0]`.
    pub address: String,
    /// Managed or data.
    pub mode: Mode,
    /// The resource type, e.g. `aws_sns_topic`.
    pub kind: String,
    /// Known attribute values (plan: `change.after`; HCL: evaluated). Unknown
    /// attributes are absent or `null` here and marked in `unknown`.
    pub values: Value,
    /// A tree mirroring `values` with `true` where a value is unknown (plan:
    /// `after_unknown`). A whole attribute `true` means the attribute is unknown.
    pub unknown: Value,
    /// For attributes whose value is unknown or unresolved: why (the expression
    /// text for HCL, e.g. `module.x.topic_arn`; "known after apply" for plans).
    pub unknown_kind: BTreeMap<String, crate::inventory::UnknownKind>,
    /// The expression text of attributes that could not be resolved (SCAN004 and messages).
    pub expressions: BTreeMap<String, String>,
    /// Per top-level attribute: the addresses its expression references
    /// (e.g. `aws_sns_topic.pager` for `aws_sns_topic.pager.arn`), used to link
    /// resources whose ARNs are unknown at plan time.
    pub references: BTreeMap<String, Vec<String>>,
    /// Top-level attributes set explicitly in configuration (to tell an unset
    /// optional+computed attribute, whose value is the service default, from a
    /// computed one).
    pub configured: Vec<String>,
    /// The resource's region.
    pub region: Known<String>,
    /// The resource's account.
    pub account: Known<String>,
    /// Where the block is written (HCL, or `--plan` with `--terraform`).
    pub location: Option<SourceLocation>,
    /// Where each top-level attribute is written.
    pub attribute_locations: BTreeMap<String, SourceLocation>,
}

/// One Terraform stack (a root module and its modules).
#[derive(Debug, Clone, Default)]
pub struct TfStack {
    /// Every resource instance.
    pub resources: Vec<TfResource>,
    /// Literal secrets found (SEC002), never their values.
    pub hardcoded_secrets: Vec<HardcodedSecret>,
    /// Expressions that could not be resolved (SCAN004).
    pub unresolved: Vec<Unresolved>,
    /// The input files, repo-relative.
    pub inputs: Vec<String>,
}

impl TfResource {
    /// A known top-level attribute value (not unknown, not null).
    pub fn get(&self, attribute: &str) -> Option<&Value> {
        if self.is_unknown(attribute) {
            return None;
        }
        self.values.get(attribute).filter(|v| !v.is_null())
    }

    /// Whether a top-level attribute is (wholly) unknown.
    pub fn is_unknown(&self, attribute: &str) -> bool {
        self.unknown
            .get(attribute)
            .is_some_and(|u| u == &Value::Bool(true))
    }

    /// Whether an attribute is set in configuration.
    pub fn is_configured(&self, attribute: &str) -> bool {
        self.configured.iter().any(|a| a == attribute)
    }
}
