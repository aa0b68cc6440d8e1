//! The intermediate both Terraform sources produce: resources with their
//! attribute values, which parts are unknown, what they reference, and where
//! they are written.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::endpoints::Piece;
use crate::endpoints::secrets::{self, Literal};
use crate::inventory::{HardcodedSecret, Known, Origin, SourceLocation};

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
    /// For unknown string attributes built from a template (HCL): the
    /// template's known text and unknown parts, in order.
    pub templates: BTreeMap<String, Vec<Piece>>,
    /// For unknown string attributes whose only unknown parts are ARNs of
    /// resources in this stack (a policy naming its own topic or rule): the
    /// text and those ARNs, in order. The adapter substitutes the ARNs it
    /// derives ([`ArnPart`]).
    pub arn_templates: BTreeMap<String, Vec<ArnPart>>,
    /// Per top-level attribute: the addresses its expression references
    /// (e.g. `aws_sns_topic.pager` for `aws_sns_topic.pager.arn`), used to link
    /// resources whose ARNs are unknown at plan time.
    pub references: BTreeMap<String, Vec<String>>,
    /// Top-level attributes set explicitly in configuration (to tell an unset
    /// optional+computed attribute, whose value is the service default, from a
    /// computed one).
    pub configured: Vec<String>,
    /// The resource's region (its own `region`, else its provider's), or
    /// unknown; the adapter applies the remaining fallbacks.
    pub region: Known<String>,
    /// Why the resource is *maybe present* (a `count`/`for_each` that could
    /// not be evaluated, here or on a module call above it); `None` when its
    /// presence is decided.
    pub presence: Option<String>,
    /// The resource's account.
    pub account: Known<String>,
    /// Where the block is written (HCL, or `--plan` with `--terraform`).
    pub location: Option<SourceLocation>,
    /// Where each top-level attribute is written.
    pub attribute_locations: BTreeMap<String, SourceLocation>,
}

/// A part of a string that is known except for ARNs of resources in this
/// stack (e.g. `jsonencode({ Resource = aws_sns_topic.t.arn })`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ArnPart {
    /// Known text, as written.
    Text(String),
    /// The `arn` of the resource instance at this address; inside the JSON
    /// text of a policy, so it is written JSON-escaped.
    Arn(String),
}

/// One Terraform stack (a root module and its modules).
#[derive(Debug, Clone, Default)]
pub struct TfStack {
    /// Every resource instance.
    pub resources: Vec<TfResource>,
    /// Literal strings written in the configuration, for SEC002's one pass
    /// ([`TfStack::hardcoded_secrets`]).
    pub literals: Vec<Literal>,
    /// What the source could not resolve, and what each item blocks; the
    /// adapter derives SCAN004 from it.
    pub unresolved: Vec<Unresolvable>,
    /// The input files, repo-relative.
    pub inputs: Vec<String>,
    /// Where each `variable`, `locals` entry, `output` and `module` call is
    /// declared, by address (`var.key`, `module.alerts.local.name`,
    /// `output.topic_arn`, `module.alerts`): HCL only.
    pub declarations: BTreeMap<String, SourceLocation>,
    /// `AWS_REGION`/`AWS_DEFAULT_REGION` at scan time, the last fallback for
    /// a resource's region.
    pub environment_region: Option<crate::inventory::EnvironmentRegion>,
}

/// What an unresolved expression keeps from being known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Blocks {
    /// An attribute of a resource.
    Attribute {
        /// The resource type (`data.` prefix for data sources).
        kind: String,
        /// The top-level attribute.
        attribute: String,
    },
    /// Whether, and how often, a resource or module call is present (its
    /// `count` or `for_each`).
    Presence {
        /// The resource type (`data.` prefix for data sources); `None` for a
        /// module call, which may hold any resource.
        kind: Option<String>,
    },
    /// A module call whose module was not read (not downloaded, an unknown
    /// source, a cycle).
    Module,
}

/// One thing a Terraform source could not resolve.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unresolvable {
    /// Where: the resource, module call or provider, and the place in the source.
    pub origin: Origin,
    /// The expression that could not be resolved.
    pub expression: String,
    /// Why.
    pub reason: String,
    /// What it blocks.
    pub blocks: Blocks,
}

impl TfStack {
    /// SEC002's facts: the literals judged by the one pass both sources share.
    pub fn hardcoded_secrets(&self) -> Vec<HardcodedSecret> {
        secrets::judge(&self.literals)
    }
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
