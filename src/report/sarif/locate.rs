//! Where a SARIF result points: the Terraform file:line when known, else a
//! stable repo-relative pseudo path, plus logical locations for ARN, account
//! and region.

use std::collections::BTreeMap;

use super::model::{ArtifactLocation, LogicalLocation, Message, PhysicalLocation, Region};
use crate::inventory::SourceLocation;
use crate::inventory::arn::Arn;
use crate::outcome::{Hop, Subject};

/// The base id every artifact location is relative to.
pub(super) const SRCROOT: &str = "%SRCROOT%";

/// `originalUriBaseIds`: `%SRCROOT%` is the repository root.
pub(super) fn original_uri_base_ids() -> BTreeMap<String, ArtifactLocation> {
    BTreeMap::from([(
        SRCROOT.to_string(),
        ArtifactLocation {
            uri: None,
            uri_base_id: None,
            description: Some(Message {
                text: "The repository root: Terraform paths are relative to it; \
                       paths under aws/ name cloud resources that have no source file."
                    .to_string(),
            }),
        },
    )])
}

/// The physical location of a subject: its resource's file:line (the
/// attribute's line when known), else its pseudo path at line 1.
pub(super) fn physical_location(subject: &Subject) -> PhysicalLocation {
    let source = subject
        .resource
        .as_ref()
        .and_then(|r| r.origin.location_of(r.attribute.as_deref()));
    match source {
        Some(location) => file_location(location),
        None if subject
            .resource
            .as_ref()
            .is_some_and(|r| r.origin.address.is_some()) =>
        {
            let address = subject
                .resource
                .as_ref()
                .and_then(|r| r.origin.address.as_deref())
                .unwrap_or_default();
            pseudo_location(&terraform_pseudo_path(address))
        }
        None => {
            let (kind, name) = subject
                .resource
                .as_ref()
                .map(|r| (Some(r.kind.as_str()), Some(r.name.as_str())))
                .unwrap_or((None, None));
            pseudo_location(&pseudo_path(
                subject.account.as_deref(),
                subject.region.as_deref(),
                kind,
                name,
            ))
        }
    }
}

/// The physical location of a hop: its file:line, else a pseudo path in the
/// hop's own account and region (from its ARN), else the finding's.
pub(super) fn hop_location(hop: &Hop, finding: &Subject) -> PhysicalLocation {
    if let Some(location) = hop.origin.location.as_ref() {
        return file_location(location);
    }
    let arn = hop.origin.arn.as_deref().and_then(Arn::parse);
    let account = arn
        .as_ref()
        .map(|a| a.account)
        .filter(|a| !a.is_empty())
        .or(finding.account.as_deref());
    let region = arn
        .as_ref()
        .map(|a| a.region)
        .filter(|r| !r.is_empty())
        .or(finding.region.as_deref());
    pseudo_location(&pseudo_path(
        account,
        region,
        Some(hop.kind.as_str()),
        Some(&hop.name),
    ))
}

/// The message of a hop: `sns-topic gd-pager: ✗ why (RULE)` or `… ✓`.
pub(super) fn hop_message(hop: &Hop) -> String {
    let verdict = if hop.ok {
        "link works".to_string()
    } else {
        format!(
            "broken: {}",
            hop.problem.as_deref().unwrap_or("broken link")
        )
    };
    let origin = hop
        .origin
        .label()
        .map(|l| format!(" [{l}]"))
        .unwrap_or_default();
    format!("{} {}{origin}: {verdict}", hop.kind, hop.name)
}

fn file_location(location: &SourceLocation) -> PhysicalLocation {
    // A file outside the repository root is an absolute `file://` URI, with
    // no base id; every other path is relative to %SRCROOT%.
    let (uri, uri_base_id) = match location.file.strip_prefix("file:///") {
        Some(abs) => (format!("file:///{}", encode_path(abs)), None),
        None => (encode_path(&location.file), Some(SRCROOT.to_string())),
    };
    PhysicalLocation {
        artifact_location: ArtifactLocation {
            uri: Some(uri),
            uri_base_id,
            description: None,
        },
        region: Some(Region {
            start_line: location.line.max(1),
            start_column: location.column.filter(|c| *c >= 1),
        }),
    }
}

fn pseudo_location(path: &str) -> PhysicalLocation {
    PhysicalLocation {
        artifact_location: ArtifactLocation {
            uri: Some(path.to_string()),
            uri_base_id: Some(SRCROOT.to_string()),
            description: None,
        },
        region: Some(Region {
            start_line: 1,
            start_column: None,
        }),
    }
}

/// `terraform/<address>` for a Terraform resource without a source position
/// (`--plan` alone): stable across runs, one URI-safe segment.
pub(super) fn terraform_pseudo_path(address: &str) -> String {
    format!("terraform/{}", sanitize(address))
}

/// `aws/<account>/<region>/<kind>/<name>`, shortened for wider scopes:
/// `aws/<account>/<region>`, `aws/<account>`, `aws/organization`.
pub(super) fn pseudo_path(
    account: Option<&str>,
    region: Option<&str>,
    kind: Option<&str>,
    name: Option<&str>,
) -> String {
    let mut segments = vec!["aws".to_string()];
    segments.push(sanitize(account.unwrap_or("organization")));
    segments.extend(region.map(sanitize));
    segments.extend(kind.map(sanitize));
    segments.extend(name.map(sanitize));
    segments.join("/")
}

/// One URI-safe path segment: letters, digits, `.`, `_` and `-`; anything else is `_`.
fn sanitize(segment: &str) -> String {
    let clean: String = segment
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                c
            } else {
                '_'
            }
        })
        .collect();
    if clean.is_empty() || clean.chars().all(|c| c == '.') {
        "_".to_string()
    } else {
        clean
    }
}

/// Percent-encode a repo-relative file path for a URI reference.
fn encode_path(file: &str) -> String {
    let trimmed = file.trim_start_matches("./").replace('\\', "/");
    let mut out = String::with_capacity(trimmed.len());
    for byte in trimmed.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~/".contains(&byte) {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// Logical locations: the resource (ARN, address, or key), its region, its account.
pub(super) fn logical_locations(subject: &Subject) -> Vec<LogicalLocation> {
    let mut out = Vec::new();
    if let Some(resource) = &subject.resource {
        let fully_qualified_name = resource
            .origin
            .arn
            .clone()
            .or_else(|| resource.origin.address.clone())
            .unwrap_or_else(|| subject.key());
        out.push(LogicalLocation {
            name: Some(resource.name.clone()),
            fully_qualified_name,
            kind: "resource".to_string(),
        });
    }
    if let (Some(account), Some(region)) = (&subject.account, &subject.region) {
        out.push(LogicalLocation {
            name: Some(region.clone()),
            fully_qualified_name: format!("{account}/{region}"),
            kind: "region".to_string(),
        });
    }
    match &subject.account {
        Some(account) => out.push(LogicalLocation {
            name: Some(account.clone()),
            fully_qualified_name: account.clone(),
            kind: "account".to_string(),
        }),
        None => out.push(LogicalLocation {
            name: Some("organization".to_string()),
            fully_qualified_name: "organization".to_string(),
            kind: "organization".to_string(),
        }),
    }
    out
}

/// Where a subject is, for messages: `account 1111, region us-east-1, arn:…`.
pub(super) fn describe(subject: &Subject) -> String {
    let mut parts = Vec::new();
    if let Some(resource) = &subject.resource {
        let origin = resource
            .origin
            .label()
            .map(|l| format!(" ({l})"))
            .unwrap_or_default();
        parts.push(format!("{} {}{origin}", resource.kind, resource.name));
    }
    match &subject.account {
        Some(account) => parts.push(format!("account {account}")),
        None => parts.push("organization".to_string()),
    }
    if let Some(region) = &subject.region {
        parts.push(format!("region {region}"));
    }
    parts.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pseudo_paths_narrow_with_the_subject() {
        assert_eq!(pseudo_path(None, None, None, None), "aws/organization");
        assert_eq!(pseudo_path(Some("1"), None, None, None), "aws/1");
        assert_eq!(
            pseudo_path(
                Some("1"),
                Some("eu-west-1"),
                Some("sns-topic"),
                Some("a b/c:d")
            ),
            "aws/1/eu-west-1/sns-topic/a_b_c_d"
        );
        assert_eq!(pseudo_path(Some(".."), None, None, None), "aws/_");
    }

    #[test]
    fn file_paths_are_percent_encoded() {
        assert_eq!(
            encode_path("./stacks/my stack/a.tf"),
            "stacks/my%20stack/a.tf"
        );
    }
}
