//! EventBridge on the default bus: `ListRules` (pages), then `ListTargetsByRule`
//! only for rules whose pattern matches a sample event (GuardDuty findings,
//! as Security Hub imports them too, root sign-in, root API call), and `DescribeEventBus` for the bus policy.

use serde_json::Value;

use crate::inventory::{EventBus, EventRule, Known, Observed, Origin, Ref, Target, TargetInput};
use crate::pattern::EventPattern;
use crate::samples;
use crate::source::aws::errors::classify;
use crate::source::aws::services::Limit;

/// The sample events a rule must match for its targets to be read.
pub fn sample_events(account: &str, region: &str) -> Vec<Value> {
    let mut events: Vec<Value> = samples::guardduty_findings()
        .iter()
        .chain([
            samples::root_credential_usage_finding(),
            samples::root_console_sign_in(),
            samples::root_api_call(),
        ])
        .flat_map(|s| [s.with_accounts(account, region, account), s.value()])
        .collect();
    // The findings as Security Hub imports them (a Security Hub route).
    let imported: Vec<Value> = samples::guardduty_findings()
        .iter()
        .filter_map(|s| {
            let finding = s.with_accounts(account, region, account);
            crate::samples_asff::asff_finding_event(&finding, account, region)
        })
        .collect();
    events.extend(imported);
    events.dedup();
    events
}

/// Whether a rule's pattern matches any sample (an unparsable pattern counts, to be safe).
pub fn is_interesting(pattern: Option<&str>, events: &[Value]) -> bool {
    let Some(pattern) = pattern else {
        return false;
    };
    match EventPattern::parse(pattern) {
        Ok(p) => events.iter().any(|e| p.matches(e)),
        Err(_) => true,
    }
}

/// The default bus's matching rules with their targets.
pub async fn rules(
    client: &aws_sdk_eventbridge::Client,
    limit: &Limit,
    account: &str,
    region: &str,
) -> Observed<Vec<EventRule>> {
    let events = sample_events(account, region);
    let mut rules = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let page = client
            .list_rules()
            .event_bus_name("default")
            .set_next_token(token.take())
            .send()
            .await;
        let page = match page {
            Ok(p) => p,
            Err(e) => return Observed::Gap(classify("events:ListRules", &e)),
        };
        for r in page.rules() {
            if !is_interesting(r.event_pattern(), &events) {
                continue;
            }
            let name = r.name().unwrap_or_default().to_string();
            let arn = r.arn().unwrap_or_default().to_string();
            rules.push(EventRule {
                origin: Origin::arn(arn.clone()),
                name: name.clone().into(),
                arn: arn.into(),
                event_bus: r.event_bus_name().unwrap_or("default").to_string(),
                state: r
                    .state()
                    .map(|s| s.as_str().to_string())
                    .unwrap_or_default()
                    .into(),
                event_pattern: Known::Value(r.event_pattern().map(str::to_string)),
                managed_by: r.managed_by().map(str::to_string),
                targets: Observed::Collected(Vec::new()),
            });
        }
        match page.next_token() {
            Some(t) if !t.is_empty() => token = Some(t.to_string()),
            _ => break,
        }
    }
    // Each matching rule's targets, concurrently within the account's budget.
    let names: Vec<String> = rules
        .iter()
        .map(|r| r.name.value().cloned().unwrap_or_default())
        .collect();
    let targets = limit
        .each(&names, |name| targets(client, name.as_str()))
        .await;
    for (rule, targets) in rules.iter_mut().zip(targets) {
        rule.targets = targets;
    }
    Observed::Collected(rules)
}

async fn targets(client: &aws_sdk_eventbridge::Client, rule: &str) -> Observed<Vec<Target>> {
    let mut out = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let page = client
            .list_targets_by_rule()
            .rule(rule)
            .event_bus_name("default")
            .set_next_token(token.take())
            .send()
            .await;
        let page = match page {
            Ok(p) => p,
            Err(e) => return Observed::Gap(classify("events:ListTargetsByRule", &e)),
        };
        for t in page.targets() {
            out.push(Target {
                origin: Origin::default(),
                id: t.id().to_string().into(),
                arn: Ref::arn(t.arn()),
                role_arn: Known::Value(t.role_arn().map(str::to_string)),
                input_template: Known::Value(
                    t.input_transformer()
                        .map(|i| TargetInput::from_template(i.input_template())),
                ),
                input: Known::Value(t.input().map(TargetInput::from_constant)),
                dead_letter_arn: Known::Value(
                    t.dead_letter_config()
                        .and_then(|d| d.arn())
                        .map(str::to_string),
                ),
            });
        }
        match page.next_token() {
            Some(t) if !t.is_empty() => token = Some(t.to_string()),
            _ => break,
        }
    }
    Observed::Collected(out)
}

/// The default bus and its policy.
pub async fn default_bus(client: &aws_sdk_eventbridge::Client) -> Observed<Vec<EventBus>> {
    match client.describe_event_bus().name("default").send().await {
        Ok(b) => Observed::Collected(vec![EventBus {
            origin: Origin {
                arn: b.arn().map(str::to_string),
                ..Origin::default()
            },
            name: b.name().unwrap_or("default").to_string(),
            arn: b.arn().unwrap_or_default().to_string().into(),
            policy: Known::Value(b.policy().map(str::to_string)),
        }]),
        Err(e) => Observed::Gap(classify("events:DescribeEventBus", &e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guardduty_and_root_patterns_are_interesting() {
        let events = sample_events("111111111111", "us-east-1");
        let gd = r#"{"source":["aws.guardduty"],"detail-type":["GuardDuty Finding"]}"#;
        let root = r#"{"detail-type":["AWS Console Sign In via CloudTrail"],"detail":{"userIdentity":{"type":["Root"]}}}"#;
        let other = r#"{"source":["aws.ec2"]}"#;
        assert!(is_interesting(Some(gd), &events));
        assert!(is_interesting(Some(root), &events));
        assert!(!is_interesting(Some(other), &events));
        assert!(!is_interesting(None, &events));
    }
}
