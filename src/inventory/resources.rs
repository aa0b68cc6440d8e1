//! The resources the rules read. Values that Terraform may not know are `Known<T>`;
//! every resource carries its `Origin`.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{AccountId, Known, Observed, Origin, Ref};

/// GuardDuty in one account × region.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GuardDutyFacts {
    /// Detectors (at most one per account × region in AWS).
    #[serde(default)]
    pub detectors: Vec<Detector>,
    /// The organization configuration; present only where this account is the admin.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organization_configuration: Option<Observed<OrgConfiguration>>,
    /// Members of this account's detector; present only where this account is the admin.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub members: Option<Observed<Vec<Member>>>,
    /// This account's administrator, as the member sees it (`GetAdministratorAccount`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub administrator: Option<AccountId>,
    /// The filters of this account's detector (`ListFilters` + `GetFilter`);
    /// those with action `ARCHIVE` are suppression rules. Collected where this
    /// account is the admin; `None` when not collected (and in snapshots written
    /// before alertpath read filters), which leaves GD006 and ROUTE not assessed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filters: Option<Observed<Vec<GuardDutyFilter>>>,
    /// The detector's publishing destinations (`ListPublishingDestinations`):
    /// findings exported to S3. Collected where this account is the admin.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub publishing_destinations: Option<Observed<Vec<PublishingDestination>>>,
}

/// A GuardDuty filter (`CreateFilter`, Terraform `aws_guardduty_filter`).
/// With action `ARCHIVE` it is a suppression rule: matching findings are
/// archived at once and never sent to EventBridge.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GuardDutyFilter {
    /// Where it came from.
    #[serde(default)]
    pub origin: Origin,
    /// The filter name.
    pub name: Known<String>,
    /// `ARCHIVE` (a suppression rule) or `NOOP` (a saved filter).
    pub action: Known<String>,
    /// The finding criteria: every criterion must hold for a finding to match.
    pub criteria: Known<Vec<FilterCriterion>>,
}

/// One criterion of a filter: a finding field and the conditions on it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FilterCriterion {
    /// The finding field, as GuardDuty names it (`severity`, `type`,
    /// `resource.resourceType`, `service.archived`, ...).
    pub field: String,
    /// The conditions on the field; all must hold.
    pub conditions: Vec<FilterCondition>,
}

/// One condition of a criterion, with the operator as the API names it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FilterCondition {
    /// `Equals`, `NotEquals`, `GreaterThan`, `GreaterThanOrEqual`, `LessThan`,
    /// `LessThanOrEqual`, `Matches`, `NotMatches`, or the deprecated `Eq`,
    /// `Neq`, `Gt`, `Gte`, `Lt`, `Lte`.
    pub operator: String,
    /// The operand(s), as text (a number, an RFC 3339 time, a string or pattern).
    pub values: Vec<String>,
}

/// A GuardDuty publishing destination: where the detector exports findings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PublishingDestination {
    /// Where it came from.
    #[serde(default)]
    pub origin: Origin,
    /// The destination id.
    pub id: Known<String>,
    /// `S3`.
    pub destination_type: Known<String>,
    /// `PUBLISHING`, `UNABLE_TO_PUBLISH_FIX_DESTINATION_PROPERTY`, `PENDING_VERIFICATION`, `STOPPED`.
    pub status: Known<String>,
}

/// A GuardDuty detector.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Detector {
    /// Where it came from.
    #[serde(default)]
    pub origin: Origin,
    /// The detector id.
    pub id: Known<String>,
    /// `ENABLED` or `DISABLED`.
    pub status: Known<String>,
    /// `FIFTEEN_MINUTES`, `ONE_HOUR` or `SIX_HOURS`.
    pub finding_publishing_frequency: Known<String>,
}

/// GuardDuty's organization configuration in the admin account.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OrgConfiguration {
    /// Where it came from.
    #[serde(default)]
    pub origin: Origin,
    /// `ALL`, `NEW` or `NONE`.
    pub auto_enable_organization_members: Known<String>,
}

/// A member of the admin's detector.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Member {
    /// Where it came from.
    #[serde(default)]
    pub origin: Origin,
    /// The member account.
    pub account_id: Known<AccountId>,
    /// `Enabled`, `Invited`, `Created`, `Removed`, `Disabled`, … (live).
    pub relationship_status: Known<String>,
}

/// An EventBridge rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EventRule {
    /// Where it came from.
    #[serde(default)]
    pub origin: Origin,
    /// The rule name.
    pub name: Known<String>,
    /// The rule ARN.
    pub arn: Known<String>,
    /// The event bus name (`default` for the default bus).
    #[serde(default = "default_bus")]
    pub event_bus: String,
    /// `ENABLED`, `DISABLED` or `ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS`.
    pub state: Known<String>,
    /// The event pattern JSON, if the rule has one (a scheduled rule has none).
    pub event_pattern: Known<Option<String>>,
    /// The service that manages the rule (`ManagedBy`), if another service does.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub managed_by: Option<String>,
    /// The rule's targets.
    pub targets: Observed<Vec<Target>>,
}

fn default_bus() -> String {
    "default".to_string()
}

/// An EventBridge rule target.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Target {
    /// Where it came from.
    #[serde(default)]
    pub origin: Origin,
    /// The target id.
    pub id: Known<String>,
    /// The target resource (topic, bus, function, API destination).
    pub arn: Ref,
    /// The role EventBridge assumes to deliver, if any.
    #[serde(default)]
    pub role_arn: Known<Option<String>>,
    /// The input transformer's template, if any, reduced to facts (never the text).
    #[serde(default)]
    pub input_template: Known<Option<super::TargetInput>>,
    /// A constant `Input`, if any, reduced to facts (never the text).
    #[serde(default)]
    pub input: Known<Option<super::TargetInput>>,
    /// The dead-letter queue ARN, if any.
    #[serde(default)]
    pub dead_letter_arn: Known<Option<String>>,
}

/// An EventBridge event bus.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EventBus {
    /// Where it came from.
    #[serde(default)]
    pub origin: Origin,
    /// The bus name.
    pub name: String,
    /// The bus ARN.
    pub arn: Known<String>,
    /// The resource policy JSON, if any.
    pub policy: Known<Option<String>>,
}

/// An SNS topic.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Topic {
    /// Where it came from.
    #[serde(default)]
    pub origin: Origin,
    /// The topic name.
    pub name: Known<String>,
    /// The topic ARN.
    pub arn: Known<String>,
    /// The topic policy JSON. `None` means the default policy.
    pub policy: Known<Option<String>>,
    /// The KMS key id, alias or ARN, if encrypted.
    pub kms_master_key_id: Known<Option<String>>,
}

/// An SNS subscription.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Subscription {
    /// Where it came from.
    #[serde(default)]
    pub origin: Origin,
    /// The subscription ARN (`PendingConfirmation` subscriptions have none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub arn: Option<String>,
    /// The topic it subscribes to.
    pub topic: Ref,
    /// `https`, `http`, `lambda`, `email`, `sqs`, …
    pub protocol: Known<String>,
    /// The endpoint, with secrets redacted (`<redacted>`). For `lambda`, the function ARN.
    pub endpoint: Known<String>,
    /// The function a `lambda` subscription references in Terraform, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub endpoint_address: Option<String>,
    /// Whether the subscription still waits for confirmation.
    pub pending_confirmation: Known<bool>,
    /// `[pager] endpoint_patterns` matched against the unredacted endpoint
    /// at collection: each pattern evaluated, and whether it matched. A
    /// pattern missing here was not evaluated (the endpoint is stored
    /// redacted, so it cannot be matched later).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub pager_patterns: BTreeMap<String, bool>,
    /// Terraform's `endpoint_auto_confirms` (P/H).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub endpoint_auto_confirms: Option<bool>,
    /// The filter policy JSON, if any.
    #[serde(default)]
    pub filter_policy: Known<Option<String>>,
    /// `MessageAttributes` (the default) or `MessageBody`.
    #[serde(default)]
    pub filter_policy_scope: Known<Option<String>>,
}

/// A Lambda function, reduced to the facts the rules need.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Function {
    /// Where it came from.
    #[serde(default)]
    pub origin: Origin,
    /// The function name.
    pub name: Known<String>,
    /// The function ARN.
    pub arn: Known<String>,
    /// The handler, e.g. `notify_slack.lambda_handler`.
    pub handler: Known<Option<String>>,
    /// `Active`, `Pending`, `Inactive` or `Failed`.
    #[serde(default)]
    pub state: Known<Option<String>>,
    /// Reserved concurrency, if set (0 disables the function).
    #[serde(default)]
    pub reserved_concurrency: Known<Option<i64>>,
    /// Environment variables reduced to facts. Values are never stored.
    #[serde(default)]
    pub environment: Known<BTreeMap<String, EnvValue>>,
    /// The resource policy JSON, if any.
    #[serde(default)]
    pub policy: Known<Option<String>>,
    /// The CloudWatch Logs group it writes to.
    #[serde(default)]
    pub log_group: Known<Option<String>>,
}

impl Function {
    /// The log group a function writes to unless its logging config names
    /// another: `/aws/lambda/<name>` (one owner for live, plan, HCL and rules).
    pub fn default_log_group(name: &str) -> String {
        format!("/aws/lambda/{name}")
    }
}

/// What an environment variable's value is, never the value itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum EnvValue {
    /// A plaintext `http(s)://` URL.
    PlaintextUrl,
    /// KMS ciphertext (base64 of an encrypted blob).
    KmsCiphertext,
    /// Empty.
    Empty,
    /// Anything else.
    Other,
    /// Unknown (P/H: known after apply or unresolved).
    Unknown,
}

impl EnvValue {
    /// Classify an environment value; the caller then drops the value. Live and
    /// Terraform sources share this, so both judge SEC003 the same way.
    pub fn of(value: &str) -> EnvValue {
        let v = value.trim();
        if v.is_empty() {
            EnvValue::Empty
        } else if v.starts_with("https://") || v.starts_with("http://") {
            EnvValue::PlaintextUrl
        } else if looks_like_kms_ciphertext(v) {
            EnvValue::KmsCiphertext
        } else {
            EnvValue::Other
        }
    }
}

/// KMS ciphertext blobs are base64 and start with the `AQI` header bytes.
fn looks_like_kms_ciphertext(v: &str) -> bool {
    v.len() >= 100
        && v.starts_with("AQI")
        && v.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '/' | '='))
}

/// A CloudWatch metric alarm.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Alarm {
    /// Where it came from.
    #[serde(default)]
    pub origin: Origin,
    /// The alarm name.
    pub name: Known<String>,
    /// The alarm ARN.
    pub arn: Known<String>,
    /// The metric namespace, e.g. `AWS/Lambda`.
    pub namespace: Known<Option<String>>,
    /// The metric name, e.g. `Errors`.
    pub metric_name: Known<Option<String>>,
    /// The metric dimensions.
    #[serde(default)]
    pub dimensions: Known<BTreeMap<String, String>>,
    /// `Sum`, `Average`, … (extended statistics such as `p99` are kept as written).
    pub statistic: Known<Option<String>>,
    /// The threshold.
    pub threshold: Known<Option<f64>>,
    /// `GreaterThanOrEqualToThreshold`, …
    pub comparison_operator: Known<String>,
    /// Whether actions run.
    pub actions_enabled: Known<bool>,
    /// Targets of `AlarmActions` (topics and others).
    pub alarm_actions: Known<Vec<Ref>>,
}

/// A CloudWatch Logs metric filter.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MetricFilter {
    /// Where it came from.
    #[serde(default)]
    pub origin: Origin,
    /// The filter name.
    pub name: Known<String>,
    /// The log group it filters.
    pub log_group: Known<String>,
    /// The filter pattern.
    pub pattern: Known<String>,
    /// The metrics it emits.
    pub metrics: Known<Vec<MetricRef>>,
}

/// A metric, by namespace and name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MetricRef {
    /// The namespace.
    pub namespace: String,
    /// The metric name.
    pub name: String,
}

/// A CloudTrail trail.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Trail {
    /// Where it came from.
    #[serde(default)]
    pub origin: Origin,
    /// The trail name.
    pub name: Known<String>,
    /// The trail ARN.
    pub arn: Known<String>,
    /// The region the trail lives in.
    pub home_region: Known<String>,
    /// Multi-region trail.
    pub is_multi_region: Known<bool>,
    /// Organization trail.
    pub is_organization_trail: Known<bool>,
    /// Includes global service events.
    pub include_global_service_events: Known<bool>,
    /// Currently logging.
    pub is_logging: Known<bool>,
    /// The CloudWatch Logs group ARN it delivers to, if any.
    pub cloudwatch_log_group_arn: Known<Option<String>>,
}

/// An SSM parameter's metadata. The value is never read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Parameter {
    /// Where it came from.
    #[serde(default)]
    pub origin: Origin,
    /// The parameter name.
    pub name: Known<String>,
    /// `String`, `StringList` or `SecureString`.
    pub parameter_type: Known<String>,
    /// Referenced by the alerting stack (P/H), or named in config.
    #[serde(default)]
    pub referenced: bool,
}

/// A KMS key used by a topic, resolved.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct KmsKey {
    /// Where it came from.
    #[serde(default)]
    pub origin: Origin,
    /// How topics name it (key id, alias, or ARN), as written on the topic.
    pub reference: String,
    /// The key ARN, when it exists.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub arn: Option<String>,
    /// `AWS` or `CUSTOMER`; `None` when the key does not exist.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_manager: Option<String>,
    /// `Enabled`, `Disabled`, `PendingDeletion`, …; `None` when the key does not exist.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_state: Option<String>,
    /// The key policy JSON, when readable.
    #[serde(default)]
    pub policy: Observed<Option<String>>,
}

#[cfg(test)]
mod tests {
    use super::EnvValue;

    #[test]
    fn env_values_become_facts() {
        assert_eq!(
            EnvValue::of("https://hooks.slack.com/services/x"),
            EnvValue::PlaintextUrl
        );
        assert_eq!(EnvValue::of(""), EnvValue::Empty);
        assert_eq!(
            EnvValue::of(&format!("AQICAH{}", "a".repeat(120))),
            EnvValue::KmsCiphertext
        );
        assert_eq!(EnvValue::of("INFO"), EnvValue::Other);
    }
}
