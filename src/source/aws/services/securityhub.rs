//! Security Hub CSPM in one account × region: `DescribeHub` (an
//! `InvalidAccessException` "not subscribed" means not enabled); when enabled,
//! at once: `ListFindingAggregators` + `GetFindingAggregator` each,
//! `ListEnabledProductsForImport`, `ListMembers` (all, not only associated),
//! `ListAutomationRules` + `BatchGetAutomationRules`, and
//! `GetAdministratorAccount`.

use aws_sdk_securityhub::Client;
use aws_sdk_securityhub::error::ProvideErrorMetadata;
use aws_sdk_securityhub::types::{
    AutomationRulesConfig, AutomationRulesFindingFilters, NumberFilter as SdkNumberFilter,
    StringFilter as SdkStringFilter,
};

use crate::inventory::arn::Arn;
use crate::inventory::{
    AsffCriterion, AutomationRule, FindingAggregator, FindingUpdates, Gap, NumberFilter, Observed,
    Origin, SecurityHubFacts, SecurityHubMember, StringFilter,
};
use crate::source::aws::errors::classify;

/// Collect Security Hub facts in one account × region.
pub async fn collect(client: &Client, region: &str) -> Observed<SecurityHubFacts> {
    let hub = match client.describe_hub().send().await {
        Ok(hub) => hub,
        Err(e) if e.code() == Some("InvalidAccessException") => {
            // "Account is not subscribed to AWS Security Hub".
            return Observed::Collected(SecurityHubFacts {
                enabled: false.into(),
                ..SecurityHubFacts::default()
            });
        }
        Err(e) => return Observed::Gap(classify("securityhub:DescribeHub", &e)),
    };
    let (aggregators, products, members, automation_rules, administrator) = tokio::join!(
        aggregators(client, region),
        products(client),
        members(client),
        automation_rules(client),
        administrator(client),
    );
    Observed::Collected(SecurityHubFacts {
        enabled: true.into(),
        origin: hub.hub_arn().map(Origin::arn).unwrap_or_default(),
        aggregators,
        products: Some(products),
        members,
        automation_rules,
        administrator,
    })
}

/// The account's finding aggregator when this region is its home region.
/// `ListFindingAggregators` lists it from every region; its ARN names the
/// home region, where it is recorded (once).
async fn aggregators(client: &Client, region: &str) -> Observed<Vec<FindingAggregator>> {
    let arns: Vec<String> = match client
        .list_finding_aggregators()
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
    {
        Ok(list) => list
            .iter()
            .filter_map(|a| a.finding_aggregator_arn().map(str::to_string))
            .filter(|arn| Arn::parse(arn).is_some_and(|a| a.region == region))
            .collect(),
        Err(e) => return Observed::Gap(classify("securityhub:ListFindingAggregators", &e)),
    };
    let answers = futures_util::future::join_all(arns.iter().map(|arn| async move {
        (
            arn,
            client
                .get_finding_aggregator()
                .finding_aggregator_arn(arn)
                .send()
                .await,
        )
    }))
    .await;
    let mut found = Vec::new();
    for (arn, answer) in answers {
        match answer {
            Ok(a) => found.push(FindingAggregator {
                origin: Origin::arn(arn.clone()),
                linking_mode: a
                    .region_linking_mode()
                    .unwrap_or_default()
                    .to_string()
                    .into(),
                regions: a.regions().to_vec().into(),
            }),
            Err(e) => return Observed::Gap(classify("securityhub:GetFindingAggregator", &e)),
        }
    }
    Observed::Collected(found)
}

async fn products(client: &Client) -> Observed<Vec<String>> {
    match client
        .list_enabled_products_for_import()
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
    {
        Ok(list) => Observed::Collected(list),
        Err(e) => Observed::Gap(classify("securityhub:ListEnabledProductsForImport", &e)),
    }
}

async fn members(client: &Client) -> Observed<Vec<SecurityHubMember>> {
    match client
        .list_members()
        .only_associated(false)
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
    {
        Ok(list) => Observed::Collected(
            list.iter()
                .filter_map(|m| {
                    Some(SecurityHubMember {
                        origin: Origin::default(),
                        account: m.account_id()?.to_string().into(),
                        status: m.member_status().unwrap_or_default().to_string().into(),
                    })
                })
                .collect(),
        ),
        Err(e) => Observed::Gap(classify("securityhub:ListMembers", &e)),
    }
}

async fn administrator(client: &Client) -> Option<String> {
    // A member's view of its administrator; an error (or none) says nothing.
    let answer = client.get_administrator_account().send().await.ok()?;
    answer
        .administrator()
        .and_then(|a| a.account_id())
        .map(str::to_string)
}

async fn automation_rules(client: &Client) -> Observed<Vec<AutomationRule>> {
    let mut arns = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let page = match client
            .list_automation_rules()
            .set_next_token(token.take())
            .send()
            .await
        {
            Ok(p) => p,
            Err(e) => return Observed::Gap(classify("securityhub:ListAutomationRules", &e)),
        };
        arns.extend(
            page.automation_rules_metadata()
                .iter()
                .filter_map(|r| r.rule_arn().map(str::to_string)),
        );
        match page.next_token() {
            Some(t) if !t.is_empty() => token = Some(t.to_string()),
            _ => break,
        }
    }
    let mut rules = Vec::new();
    // BatchGetAutomationRules takes at most 100 ARNs.
    for chunk in arns.chunks(100) {
        let answer = match client
            .batch_get_automation_rules()
            .set_automation_rules_arns(Some(chunk.to_vec()))
            .send()
            .await
        {
            Ok(a) => a,
            Err(e) => return Observed::Gap(classify("securityhub:BatchGetAutomationRules", &e)),
        };
        if let Some(failed) = answer.unprocessed_automation_rules().first() {
            return Observed::Gap(Gap {
                reason: crate::inventory::GapReason::Other,
                call: Some("securityhub:BatchGetAutomationRules".into()),
                message: format!(
                    "rule {} was not processed: {}",
                    failed.rule_arn().unwrap_or_default(),
                    failed.error_message().unwrap_or_default()
                ),
            });
        }
        rules.extend(answer.rules().iter().map(automation_rule));
    }
    Observed::Collected(rules)
}

fn automation_rule(rule: &AutomationRulesConfig) -> AutomationRule {
    let mut updates = FindingUpdates::default();
    for action in rule.actions() {
        let Some(update) = action.finding_fields_update() else {
            continue;
        };
        if let Some(status) = update.workflow().and_then(|w| w.status()) {
            updates.workflow_status = Some(status.as_str().to_string());
        }
        if let Some(severity) = update.severity() {
            updates.severity_label = severity.label().map(|l| l.as_str().to_string());
            updates.severity_normalized = severity.normalized().map(i64::from);
        }
        if !update.types().is_empty() {
            updates.types = Some(update.types().to_vec());
        }
    }
    AutomationRule {
        origin: rule.rule_arn().map(Origin::arn).unwrap_or_default(),
        name: rule.rule_name().unwrap_or_default().to_string().into(),
        status: rule
            .rule_status()
            .map_or("ENABLED".to_string(), |s| s.as_str().to_string())
            .into(),
        order: i64::from(rule.rule_order().unwrap_or_default()).into(),
        is_terminal: rule.is_terminal().unwrap_or(false).into(),
        criteria: rule.criteria().map(criteria).unwrap_or_default().into(),
        updates: updates.into(),
    }
}

fn strings(field: &str, filters: &[SdkStringFilter]) -> Option<AsffCriterion> {
    (!filters.is_empty()).then(|| AsffCriterion {
        field: field.to_string(),
        strings: filters
            .iter()
            .map(|f| StringFilter {
                value: f.value().unwrap_or_default().to_string(),
                comparison: f
                    .comparison()
                    .map_or("EQUALS".to_string(), |c| c.as_str().to_string()),
            })
            .collect(),
        numbers: Vec::new(),
        unsupported: false,
    })
}

fn numbers(field: &str, filters: &[SdkNumberFilter]) -> Option<AsffCriterion> {
    (!filters.is_empty()).then(|| AsffCriterion {
        field: field.to_string(),
        strings: Vec::new(),
        numbers: filters
            .iter()
            .map(|f| NumberFilter {
                gte: f.gte(),
                gt: f.gt(),
                lte: f.lte(),
                lt: f.lt(),
                eq: f.eq(),
            })
            .collect(),
        unsupported: false,
    })
}

fn unsupported(field: &str, present: bool) -> Option<AsffCriterion> {
    present.then(|| AsffCriterion {
        field: field.to_string(),
        strings: Vec::new(),
        numbers: Vec::new(),
        unsupported: true,
    })
}

/// The criteria of an automation rule, field by field as the API names them.
fn criteria(f: &AutomationRulesFindingFilters) -> Vec<AsffCriterion> {
    [
        strings("ProductArn", f.product_arn()),
        strings("AwsAccountId", f.aws_account_id()),
        strings("Id", f.id()),
        strings("GeneratorId", f.generator_id()),
        strings("Type", f.r#type()),
        unsupported("FirstObservedAt", !f.first_observed_at().is_empty()),
        unsupported("LastObservedAt", !f.last_observed_at().is_empty()),
        unsupported("CreatedAt", !f.created_at().is_empty()),
        unsupported("UpdatedAt", !f.updated_at().is_empty()),
        numbers("Confidence", f.confidence()),
        numbers("Criticality", f.criticality()),
        strings("Title", f.title()),
        strings("Description", f.description()),
        strings("SourceUrl", f.source_url()),
        strings("ProductName", f.product_name()),
        strings("CompanyName", f.company_name()),
        strings("SeverityLabel", f.severity_label()),
        strings("ResourceType", f.resource_type()),
        strings("ResourceId", f.resource_id()),
        strings("ResourcePartition", f.resource_partition()),
        strings("ResourceRegion", f.resource_region()),
        unsupported("ResourceTags", !f.resource_tags().is_empty()),
        unsupported(
            "ResourceDetailsOther",
            !f.resource_details_other().is_empty(),
        ),
        strings("ComplianceStatus", f.compliance_status()),
        strings(
            "ComplianceSecurityControlId",
            f.compliance_security_control_id(),
        ),
        strings(
            "ComplianceAssociatedStandardsId",
            f.compliance_associated_standards_id(),
        ),
        strings("VerificationState", f.verification_state()),
        strings("WorkflowStatus", f.workflow_status()),
        strings("RecordState", f.record_state()),
        strings(
            "RelatedFindingsProductArn",
            f.related_findings_product_arn(),
        ),
        strings("RelatedFindingsId", f.related_findings_id()),
        strings("NoteText", f.note_text()),
        unsupported("NoteUpdatedAt", !f.note_updated_at().is_empty()),
        strings("NoteUpdatedBy", f.note_updated_by()),
        unsupported("UserDefinedFields", !f.user_defined_fields().is_empty()),
        strings("ResourceApplicationArn", f.resource_application_arn()),
        strings("ResourceApplicationName", f.resource_application_name()),
        strings("AwsAccountName", f.aws_account_name()),
    ]
    .into_iter()
    .flatten()
    .collect()
}
