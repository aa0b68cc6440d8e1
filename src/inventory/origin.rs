//! Where a resource came from: its ARN, Terraform address, and source position.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::Known;

/// Where a resource came from. Findings point at origins; SARIF locations come from them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Origin {
    /// The resource's ARN (live), when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub arn: Option<String>,
    /// The Terraform resource address (plan, HCL), e.g. `module.alerts.aws_sns_topic.pager`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    /// The source file and line of the resource block, repo-relative (HCL).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<SourceLocation>,
    /// Lines of individual attributes inside the block, by attribute name.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub attributes: std::collections::BTreeMap<String, SourceLocation>,
}

/// A position in a source file.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SourceLocation {
    /// Repo-relative path with `/` separators.
    pub file: String,
    /// 1-based line.
    pub line: u32,
    /// 1-based column, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub column: Option<u32>,
}

impl Origin {
    /// An origin known only by ARN (live collection).
    pub fn arn(arn: impl Into<String>) -> Self {
        Origin {
            arn: Some(arn.into()),
            ..Origin::default()
        }
    }

    /// The best location for an attribute: its own line, else the block's.
    pub fn location_of(&self, attribute: Option<&str>) -> Option<&SourceLocation> {
        attribute
            .and_then(|a| self.attributes.get(a))
            .or(self.location.as_ref())
    }

    /// A short label for messages: the address, else the ARN.
    pub fn label(&self) -> Option<&str> {
        self.address.as_deref().or(self.arn.as_deref())
    }
}

/// A link from one resource to another: by ARN when known, and by Terraform
/// address when the ARN is only known after apply.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Ref {
    /// The referenced ARN, or an ARN-shaped string as written.
    pub arn: Known<String>,
    /// The Terraform address the expression references, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    /// The referenced resource's name, when the ARN is unknown but ends in a
    /// known name (`arn:aws:sns:us-east-1:${account}:gd-pager`): it is then
    /// in the referencing resource's account and region, under that name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

impl Ref {
    /// A reference by a known ARN.
    pub fn arn(arn: impl Into<String>) -> Self {
        Ref {
            arn: Known::Value(arn.into()),
            address: None,
            name: None,
        }
    }

    /// A reference by ARN (known or not) and Terraform address.
    pub fn to(arn: Known<String>, address: Option<String>) -> Self {
        Ref {
            arn,
            address,
            name: None,
        }
    }
}
