//! The subset of SARIF 2.1.0 that alertpath writes and GitHub code scanning reads.
//!
//! Field names follow the SARIF spec (camelCase). Every type also deserializes,
//! so a previous run's log can be read back for `--baseline`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// A SARIF property bag.
pub type PropertyBag = Map<String, Value>;

/// The top-level SARIF log.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Log {
    /// The schema URI.
    #[serde(rename = "$schema", default)]
    pub schema: String,
    /// Always `2.1.0`.
    pub version: String,
    /// One run per scan.
    pub runs: Vec<Run>,
}

/// One run of the tool.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Run {
    /// The tool and its rules.
    pub tool: Tool,
    /// The run's category (`<category>/`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub automation_details: Option<AutomationDetails>,
    /// Always `utf16CodeUnits`, as GitHub expects.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub column_kind: Option<String>,
    /// Where `%SRCROOT%` points.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub original_uri_base_ids: BTreeMap<String, ArtifactLocation>,
    /// The results.
    #[serde(default)]
    pub results: Vec<SarifResult>,
    /// Run-level facts (coverage, aggregation).
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub properties: PropertyBag,
}

/// `tool`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Tool {
    /// The tool itself.
    pub driver: Driver,
}

/// `tool.driver`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Driver {
    /// `alertpath`.
    pub name: String,
    /// The version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// The semantic version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub semantic_version: Option<String>,
    /// The project's home page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub information_uri: Option<String>,
    /// Every rule.
    #[serde(default)]
    pub rules: Vec<ReportingDescriptor>,
}

/// A rule's description (`reportingDescriptor`).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReportingDescriptor {
    /// The rule id, e.g. `GD001`.
    pub id: String,
    /// The slug name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// One line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub short_description: Option<Message>,
    /// The doc's title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub full_description: Option<Message>,
    /// The embedded doc as text and Markdown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub help: Option<MultiformatMessage>,
    /// The doc's URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub help_uri: Option<String>,
    /// The default level.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_configuration: Option<ReportingConfiguration>,
    /// Tags, `security-severity`, `precision`.
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub properties: PropertyBag,
}

/// `reportingConfiguration`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ReportingConfiguration {
    /// `error`, `warning` or `note`.
    pub level: String,
}

/// A plain-text message.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Message {
    /// The text.
    pub text: String,
}

/// A message in text and Markdown.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct MultiformatMessage {
    /// Plain text.
    pub text: String,
    /// Markdown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub markdown: Option<String>,
}

/// `automationDetails`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AutomationDetails {
    /// `<category>/`.
    pub id: String,
}

/// One result.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SarifResult {
    /// The rule id.
    pub rule_id: String,
    /// The rule's index in `tool.driver.rules`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule_index: Option<usize>,
    /// Always `fail`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// From the effective severity.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub level: Option<String>,
    /// What is wrong, where.
    pub message: Message,
    /// Exactly one location, with a physicalLocation.
    #[serde(default)]
    pub locations: Vec<Location>,
    /// `primaryLocationLineHash`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub partial_fingerprints: BTreeMap<String, String>,
    /// Related resources.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub related_locations: Vec<Location>,
    /// The walked path (ROUTE).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub code_flows: Vec<CodeFlow>,
    /// Waivers.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub suppressions: Vec<Suppression>,
    /// `account`, `region`, `status`, and `carriedOver` for baseline results.
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub properties: PropertyBag,
}

/// A location.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Location {
    /// Id, for related locations.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<usize>,
    /// The file (or pseudo path) and line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub physical_location: Option<PhysicalLocation>,
    /// ARN, account, region.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub logical_locations: Vec<LogicalLocation>,
    /// What this location is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<Message>,
}

/// `physicalLocation`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PhysicalLocation {
    /// The file.
    pub artifact_location: ArtifactLocation,
    /// The line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<Region>,
}

/// `artifactLocation`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ArtifactLocation {
    /// A repo-relative URI.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uri: Option<String>,
    /// `%SRCROOT%`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uri_base_id: Option<String>,
    /// A description (for `originalUriBaseIds`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<Message>,
}

/// `region`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Region {
    /// 1-based line.
    pub start_line: u32,
    /// 1-based column.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_column: Option<u32>,
}

/// `logicalLocation`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LogicalLocation {
    /// Short name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// ARN or `account/region/kind/name`.
    pub fully_qualified_name: String,
    /// `resource`, `region`, `account`, `organization`.
    pub kind: String,
}

/// `codeFlow`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CodeFlow {
    /// One thread: the walked path.
    pub thread_flows: Vec<ThreadFlow>,
}

/// `threadFlow`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ThreadFlow {
    /// Inline locations, one per hop.
    pub locations: Vec<ThreadFlowLocation>,
}

/// `threadFlowLocation`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ThreadFlowLocation {
    /// The hop.
    pub location: Location,
}

/// `suppression`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Suppression {
    /// `external`: declared in alertpath.toml.
    pub kind: String,
    /// `accepted`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// The waiver's reason.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub justification: Option<String>,
}
