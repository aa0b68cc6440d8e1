//! What a rule says about one subject: fail, pass, not assessed or not applicable.
//!
//! A rule cannot produce an outcome without a [`Subject`], and every subject
//! resolves to a location, so every SARIF result gets a physicalLocation.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::catalog::RuleId;
use crate::inventory::{Origin, UnknownKind};

/// The verdict of one rule on one subject, before waivers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// The link is broken.
    Fail,
    /// The link works.
    Pass,
    /// The rule could not judge: a gap, or an unknown value.
    NotAssessed,
    /// The rule does not apply here.
    NotApplicable,
    /// A failure covered by a valid waiver (set by the engine only).
    Waived,
}

impl Status {
    /// Lower-case name with a hyphen, as shown to people.
    pub fn label(self) -> &'static str {
        match self {
            Status::Fail => "fail",
            Status::Pass => "pass",
            Status::NotAssessed => "not-assessed",
            Status::NotApplicable => "not-applicable",
            Status::Waived => "waived",
        }
    }
}

/// What an outcome is about. Subjects are the only way to build an outcome.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Subject {
    /// The account, if the outcome is about one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account: Option<String>,
    /// The region, if the outcome is regional.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// The resource, if the outcome is about one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource: Option<ResourceRef>,
}

/// What kind of resource a subject or a walked hop is. Written kebab-case in
/// reports, SARIF pseudo paths and fingerprints (`sns-topic`), as before it was
/// typed, so fingerprints are unchanged.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum ResourceKind {
    /// A GuardDuty detector.
    GuarddutyDetector,
    /// A member of the admin's detector.
    GuarddutyMember,
    /// GuardDuty's organization configuration.
    GuarddutyOrganizationConfiguration,
    /// A GuardDuty filter (an `ARCHIVE` filter is a suppression rule).
    GuarddutyFilter,
    /// Security Hub CSPM in an account × region (the Security Hub route's first hop).
    SecurityHub,
    /// A Security Hub finding aggregator.
    SecurityHubAggregator,
    /// A Security Hub member account.
    SecurityHubMember,
    /// A Security Hub automation rule.
    SecurityHubAutomationRule,
    /// An EventBridge bus (a forwarding hop).
    EventBus,
    /// An EventBridge rule.
    EventRule,
    /// A rule's target.
    EventTarget,
    /// A target that is neither a topic, a bus nor a function (a hop).
    Target,
    /// An SNS topic.
    SnsTopic,
    /// An SNS subscription.
    SnsSubscription,
    /// A subscription endpoint that satisfies no route, or is unknown (a hop).
    Subscription,
    /// A PagerDuty endpoint (a hop).
    PagerdutyEndpoint,
    /// AWS Chatbot's endpoint (a hop).
    ChatbotEndpoint,
    /// An e-mail endpoint (a hop).
    EmailEndpoint,
    /// A Lambda function.
    LambdaFunction,
    /// A notify-slack notifier (a hop).
    Notifier,
    /// A CloudWatch alarm.
    CloudwatchAlarm,
    /// An SSM parameter.
    SsmParameter,
    /// A Terraform variable (SEC002).
    TerraformVariable,
    /// A Terraform resource (SEC002).
    TerraformResource,
    /// A Terraform expression (SCAN004).
    TerraformExpression,
    /// An IAM action that was denied (SCAN003).
    IamAction,
    /// The organization's accounts that could not be listed (SCAN005).
    UnlistedAccounts,
}

impl ResourceKind {
    /// Every kind.
    pub const ALL: [ResourceKind; 27] = [
        ResourceKind::GuarddutyDetector,
        ResourceKind::GuarddutyMember,
        ResourceKind::GuarddutyOrganizationConfiguration,
        ResourceKind::GuarddutyFilter,
        ResourceKind::SecurityHub,
        ResourceKind::SecurityHubAggregator,
        ResourceKind::SecurityHubMember,
        ResourceKind::SecurityHubAutomationRule,
        ResourceKind::EventBus,
        ResourceKind::EventRule,
        ResourceKind::EventTarget,
        ResourceKind::Target,
        ResourceKind::SnsTopic,
        ResourceKind::SnsSubscription,
        ResourceKind::Subscription,
        ResourceKind::PagerdutyEndpoint,
        ResourceKind::ChatbotEndpoint,
        ResourceKind::EmailEndpoint,
        ResourceKind::LambdaFunction,
        ResourceKind::Notifier,
        ResourceKind::CloudwatchAlarm,
        ResourceKind::SsmParameter,
        ResourceKind::TerraformVariable,
        ResourceKind::TerraformResource,
        ResourceKind::TerraformExpression,
        ResourceKind::IamAction,
        ResourceKind::UnlistedAccounts,
    ];

    /// The kind as written, e.g. `sns-topic`.
    pub fn as_str(self) -> &'static str {
        match self {
            ResourceKind::GuarddutyDetector => "guardduty-detector",
            ResourceKind::GuarddutyMember => "guardduty-member",
            ResourceKind::GuarddutyOrganizationConfiguration => {
                "guardduty-organization-configuration"
            }
            ResourceKind::GuarddutyFilter => "guardduty-filter",
            ResourceKind::SecurityHub => "security-hub",
            ResourceKind::SecurityHubAggregator => "security-hub-aggregator",
            ResourceKind::SecurityHubMember => "security-hub-member",
            ResourceKind::SecurityHubAutomationRule => "security-hub-automation-rule",
            ResourceKind::EventBus => "event-bus",
            ResourceKind::EventRule => "event-rule",
            ResourceKind::EventTarget => "event-target",
            ResourceKind::Target => "target",
            ResourceKind::SnsTopic => "sns-topic",
            ResourceKind::SnsSubscription => "sns-subscription",
            ResourceKind::Subscription => "subscription",
            ResourceKind::PagerdutyEndpoint => "pagerduty-endpoint",
            ResourceKind::ChatbotEndpoint => "chatbot-endpoint",
            ResourceKind::EmailEndpoint => "email-endpoint",
            ResourceKind::LambdaFunction => "lambda-function",
            ResourceKind::Notifier => "notifier",
            ResourceKind::CloudwatchAlarm => "cloudwatch-alarm",
            ResourceKind::SsmParameter => "ssm-parameter",
            ResourceKind::TerraformVariable => "terraform-variable",
            ResourceKind::TerraformResource => "terraform-resource",
            ResourceKind::TerraformExpression => "terraform-expression",
            ResourceKind::IamAction => "iam-action",
            ResourceKind::UnlistedAccounts => "unlisted-accounts",
        }
    }
}

impl std::fmt::Display for ResourceKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(self.as_str())
    }
}

impl std::str::FromStr for ResourceKind {
    type Err = String;

    /// Parse a kind as written (`sns-topic`).
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        ResourceKind::ALL
            .into_iter()
            .find(|k| k.as_str() == text)
            .ok_or_else(|| format!("unknown resource kind `{text}`"))
    }
}

/// A resource an outcome points at.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ResourceRef {
    /// The kind, e.g. `sns-topic`, `guardduty-detector`, `event-rule`.
    pub kind: ResourceKind,
    /// A readable name (topic name, detector id, member account id).
    pub name: String,
    /// Where the resource came from.
    #[serde(default)]
    pub origin: Origin,
    /// The attribute to change, when the finding is about one (e.g. `policy`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attribute: Option<String>,
}

impl ResourceRef {
    /// What identifies the resource in fingerprints. Its readable name, except
    /// for a subscription: its name carries the endpoint, which is stored
    /// redacted, so two subscriptions (two PagerDuty services on one topic)
    /// could share it. A subscription is identified by its Terraform address
    /// (plan, HCL), else its ARN (live); a pending subscription has neither
    /// and keeps its name (duplicates then get `:2` suffixes in the report).
    pub fn identity(&self) -> &str {
        match self.kind {
            ResourceKind::SnsSubscription => self
                .origin
                .address
                .as_deref()
                .or(self.origin.arn.as_deref())
                .unwrap_or(&self.name),
            _ => &self.name,
        }
    }
}

impl Subject {
    /// The scan or the organization as a whole.
    pub fn global() -> Self {
        Subject::default()
    }

    /// One account.
    pub fn account(account: &str) -> Self {
        Subject {
            account: Some(account.to_string()),
            ..Subject::default()
        }
    }

    /// One account × region.
    pub fn region(account: &str, region: &str) -> Self {
        Subject {
            account: Some(account.to_string()),
            region: Some(region.to_string()),
            resource: None,
        }
    }

    /// One resource in an account × region.
    pub fn resource(
        account: &str,
        region: &str,
        kind: ResourceKind,
        name: impl Into<String>,
        origin: &Origin,
    ) -> Self {
        Subject {
            account: Some(account.to_string()),
            region: Some(region.to_string()),
            resource: Some(ResourceRef {
                kind,
                name: name.into(),
                origin: origin.clone(),
                attribute: None,
            }),
        }
    }

    /// Point at one attribute of the resource (for file:line of the attribute).
    pub fn attribute(mut self, attribute: &str) -> Self {
        if let Some(r) = &mut self.resource {
            r.attribute = Some(attribute.to_string());
        }
        self
    }

    /// A stable identity for fingerprints: account/region/kind/identity
    /// (see [`ResourceRef::identity`]).
    pub fn key(&self) -> String {
        let resource = self
            .resource
            .as_ref()
            .map(|r| format!("{}/{}", r.kind, r.identity()))
            .unwrap_or_default();
        format!(
            "{}/{}/{}",
            self.account.as_deref().unwrap_or("-"),
            self.region.as_deref().unwrap_or("-"),
            resource
        )
    }
}

/// One step of a walked alert path (ROUTE findings).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Hop {
    /// The kind of resource, e.g. `event-rule`, `sns-topic`.
    pub kind: ResourceKind,
    /// Its readable name.
    pub name: String,
    /// Where it came from.
    #[serde(default)]
    pub origin: Origin,
    /// Whether this link works.
    pub ok: bool,
    /// Why the link is broken, and the link rule's id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub problem: Option<String>,
    /// The link rule that describes why this link is broken (its fix is the
    /// fix of a path that breaks here).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule: Option<RuleId>,
}

/// A related location shown beside a finding.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Related {
    /// What the location is, e.g. "the alarm meant to cover it".
    pub label: String,
    /// The related resource.
    pub subject: Subject,
}

/// One rule's verdict on one subject.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Outcome {
    /// The rule id, e.g. `GD001`.
    pub rule: RuleId,
    /// The verdict.
    pub status: Status,
    /// What it is about.
    pub subject: Subject,
    /// A human-readable message. Never contains a secret.
    pub message: String,
    /// For not-assessed outcomes caused by an unknown value: which kind.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unknown: Option<UnknownKind>,
    /// Related locations.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub related: Vec<Related>,
    /// The walked path, for ROUTE findings.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub path: Vec<Hop>,
}

/// Collects the outcomes of one rule. Rules call `fail`, `pass`, `not_assessed`
/// and `not_applicable`; each requires a subject.
#[derive(Debug)]
pub struct Outcomes {
    rule: RuleId,
    items: Vec<Outcome>,
}

impl Outcomes {
    /// An empty collector for a rule.
    pub fn new(rule: RuleId) -> Self {
        Outcomes {
            rule,
            items: Vec::new(),
        }
    }

    fn push(&mut self, status: Status, subject: Subject, message: String) -> &mut Outcome {
        self.items.push(Outcome {
            rule: self.rule,
            status,
            subject,
            message,
            unknown: None,
            related: Vec::new(),
            path: Vec::new(),
        });
        let last = self.items.len() - 1;
        &mut self.items[last]
    }

    /// A broken link.
    pub fn fail(&mut self, subject: Subject, message: impl Into<String>) -> &mut Outcome {
        self.push(Status::Fail, subject, message.into())
    }

    /// A working link.
    pub fn pass(&mut self, subject: Subject, message: impl Into<String>) -> &mut Outcome {
        self.push(Status::Pass, subject, message.into())
    }

    /// The rule could not judge; the message says why.
    pub fn not_assessed(&mut self, subject: Subject, reason: impl Into<String>) -> &mut Outcome {
        self.push(Status::NotAssessed, subject, reason.into())
    }

    /// Not assessed because of an unknown value of this kind (a
    /// known-after-apply value does not cause exit 3).
    pub fn not_assessed_as(
        &mut self,
        subject: Subject,
        reason: impl Into<String>,
        kind: UnknownKind,
    ) -> &mut Outcome {
        let outcome = self.push(Status::NotAssessed, subject, reason.into());
        outcome.unknown = Some(kind);
        outcome
    }

    /// Not assessed because of an unknown value: `<what>: <why>`.
    pub fn unknown(
        &mut self,
        subject: Subject,
        why: &crate::inventory::Unknown,
        what: &str,
    ) -> &mut Outcome {
        self.not_assessed_as(subject, format!("{what}: {}", why.describe()), why.kind)
    }

    /// The rule does not apply; the message says why.
    pub fn not_applicable(&mut self, subject: Subject, reason: impl Into<String>) -> &mut Outcome {
        self.push(Status::NotApplicable, subject, reason.into())
    }

    /// The rule these outcomes belong to.
    pub fn rule(&self) -> RuleId {
        self.rule
    }

    /// The collected outcomes.
    pub fn into_vec(self) -> Vec<Outcome> {
        self.items
    }
}

impl Outcome {
    /// Add a related location.
    pub fn with_related(&mut self, label: impl Into<String>, subject: Subject) -> &mut Self {
        self.related.push(Related {
            label: label.into(),
            subject,
        });
        self
    }
}

/// The stable fingerprint of a finding: a hash of rule, account, region and resource.
pub fn fingerprint(rule: &str, subject: &Subject) -> String {
    let mut hasher = Sha256::new();
    hasher.update(rule.as_bytes());
    hasher.update(b"\0");
    hasher.update(subject.key().as_bytes());
    let digest = hasher.finalize();
    digest[..16].iter().map(|b| format!("{b:02x}")).collect()
}
