//! A realistic report for the output tests: three accounts, several regions,
//! every status, a SCAN001 and SCAN002, a ROUTE finding with a 3-hop path, and a
//! Terraform-origin finding with file:line.

use std::collections::BTreeMap;

use alertpath::inventory::{Origin, SourceInfo, SourceKind, SourceLocation};
use alertpath::outcome::{Hop, Outcome, Related, Status, Subject};
use alertpath::report::{AppliedWaiver, Coverage, Finding, Report, RuleRun, Summary};
use alertpath::rules::REGISTRY;
use alertpath::severity::Severity;

/// The GuardDuty admin account.
pub const ADMIN: &str = "111111111111";
/// A member account.
pub const MEMBER: &str = "222222222222";
/// An account whose role could not be assumed.
pub const LOCKED: &str = "333333333333";

fn outcome(rule: &str, status: Status, subject: Subject, message: &str) -> Outcome {
    Outcome {
        rule: rule.parse().unwrap(),
        status,
        subject,
        message: message.to_string(),
        unknown: None,
        related: Vec::new(),
        path: Vec::new(),
    }
}

fn finding(outcome: Outcome, severity: Severity) -> Finding {
    Finding::new(outcome, severity)
}

fn terraform_origin() -> Origin {
    Origin {
        arn: None,
        address: Some("module.guardduty[\"us-east-1\"].aws_guardduty_detector.this".to_string()),
        location: Some(SourceLocation {
            file: "stacks/security/guardduty.tf".to_string(),
            line: 12,
            column: Some(1),
        }),
        attributes: BTreeMap::from([(
            "enable".to_string(),
            SourceLocation {
                file: "stacks/security/guardduty.tf".to_string(),
                line: 14,
                column: Some(3),
            },
        )]),
    }
}

fn arn(service: &str, account: &str, region: &str, resource: &str) -> Origin {
    Origin::arn(format!("arn:aws:{service}:{region}:{account}:{resource}"))
}

fn hop(kind: &str, name: &str, origin: Origin, problem: Option<&str>) -> Hop {
    Hop {
        kind: kind.parse().unwrap(),
        name: name.to_string(),
        origin,
        ok: problem.is_none(),
        problem: problem.map(str::to_string),
        // The link rule a problem ends with, e.g. `… (SNS001)`.
        rule: problem
            .and_then(|p| p.rsplit_once('('))
            .and_then(|(_, id)| id.trim_end_matches(')').parse().ok()),
    }
}

fn route_finding() -> Finding {
    let rule = arn(
        "events",
        ADMIN,
        "us-east-1",
        "rule/guardduty-finding-events",
    );
    let topic_origin = Origin {
        location: Some(SourceLocation {
            file: "stacks/security/alerting.tf".to_string(),
            line: 40,
            column: None,
        }),
        ..arn("sns", ADMIN, "us-east-1", "gd-pager")
    };
    let subscription = arn("sns", ADMIN, "us-east-1", "gd-pager:6b0c4a1e");
    let mut route = outcome(
        "ROUTE001",
        Status::Fail,
        Subject::region(ADMIN, "us-east-1"),
        "Severity 7.0+ findings reach no pager endpoint: topic gd-pager has no confirmed PagerDuty subscription (SUB004)",
    );
    route.path = vec![
        hop("event-rule", "guardduty-finding-events", rule, None),
        hop("sns-topic", "gd-pager", topic_origin, None),
        hop(
            "sns-subscription",
            "pagerduty",
            subscription.clone(),
            Some("no confirmed PagerDuty subscription (SUB004)"),
        ),
    ];
    route.related = vec![Related {
        label: "the unconfirmed subscription".to_string(),
        subject: Subject::resource(
            ADMIN,
            "us-east-1",
            "sns-subscription".parse().unwrap(),
            "pagerduty",
            &subscription,
        ),
    }];
    finding(route, Severity::Critical)
}

fn findings() -> Vec<Finding> {
    let detector = Subject::resource(
        ADMIN,
        "us-east-1",
        "guardduty-detector".parse().unwrap(),
        "this",
        &terraform_origin(),
    )
    .attribute("enable");
    let mut waived = finding(
        outcome(
            "GD002",
            Status::Fail,
            Subject::resource(
                MEMBER,
                "eu-west-1",
                "guardduty-detector".parse().unwrap(),
                "8ab4c2",
                &arn("guardduty", MEMBER, "eu-west-1", "detector/8ab4c2"),
            ),
            "Detector is not a member of the organization's administrator",
        ),
        Severity::High,
    );
    waived.outcome.status = Status::Waived;
    waived.waiver = Some(AppliedWaiver {
        reason: "eu-west-1 is being decommissioned | see TICKET-42".to_string(),
        expires: Some("2030-01-01".to_string()),
        declared_at: "alertpath.toml:21".to_string(),
    });
    vec![
        finding(
            outcome(
                "GD001",
                Status::Fail,
                detector,
                "GuardDuty detector is disabled (`enable = false`)",
            ),
            Severity::High,
        ),
        finding(
            outcome(
                "GD001",
                Status::Pass,
                Subject::region(MEMBER, "us-east-1"),
                "Detector enabled",
            ),
            Severity::High,
        ),
        finding(
            outcome(
                "GD001",
                Status::Pass,
                Subject::region(MEMBER, "us-west-2"),
                "Detector enabled",
            ),
            Severity::High,
        ),
        finding(
            outcome(
                "GD001",
                Status::Fail,
                Subject::region(MEMBER, "us-west-2"),
                "No detector in this region\nGuardDuty findings here go nowhere | fix: enable it",
            ),
            Severity::High,
        ),
        waived,
        finding(
            outcome(
                "ORG001",
                Status::Fail,
                Subject::global(),
                "No delegated GuardDuty administrator is registered for the organization",
            ),
            Severity::Critical,
        ),
        finding(
            outcome(
                "ORG002",
                Status::NotApplicable,
                Subject::global(),
                "No organization visible",
            ),
            Severity::Medium,
        ),
        finding(
            outcome(
                "GD003",
                Status::NotAssessed,
                Subject::region(ADMIN, "us-west-2"),
                "guardduty:ListMembers was denied",
            ),
            Severity::Medium,
        ),
        finding(
            outcome(
                "SCAN001",
                Status::Fail,
                Subject::account(LOCKED),
                "Could not assume role alertpath-audit in account 333333333333: AccessDenied",
            ),
            Severity::High,
        ),
        finding(
            outcome(
                "SCAN002",
                Status::Fail,
                Subject::region(MEMBER, "ap-southeast-2"),
                "Calls in ap-southeast-2 timed out after retries",
            ),
            Severity::Medium,
        ),
        route_finding(),
    ]
}

fn rules() -> Vec<RuleRun> {
    let mut rules: Vec<RuleRun> = REGISTRY
        .iter()
        .map(|r| RuleRun {
            id: r.meta.id,
            enabled: true,
            severity: r.meta.severity,
        })
        .collect();
    rules.push(RuleRun {
        id: alertpath::rules::RuleId::ROUTE001,
        enabled: true,
        severity: Severity::Critical,
    });
    rules
}

/// An empty report shell with the given findings.
pub fn report_with(findings: Vec<Finding>) -> Report {
    let summary = Summary::of(&findings);
    Report {
        report_version: alertpath::report::REPORT_VERSION,
        tool_version: "0.1.0".to_string(),
        source: SourceInfo {
            kind: SourceKind::Live,
            tool_version: "0.1.0".to_string(),
            collected_at: Some("2025-01-02T03:04:05Z".to_string()),
            partition: "aws".to_string(),
            caller: None,
            inputs: Vec::new(),
            snapshot: None,
            notes: Vec::new(),
        },
        started_at: Some("2025-01-02T03:04:05Z".to_string()),
        finished_at: Some("2025-01-02T03:05:00Z".to_string()),
        config_file: Some("alertpath.toml".to_string()),
        coverage: Coverage {
            accounts_in_scope: 3,
            accounts_assessed: 2,
            regions_enabled: 6,
            regions_assessed: 5,
            regions_assessed_with_gaps: 0,
            regions_not_assessed: 1,
            regions_not_enabled: 2,
            organization: alertpath::report::OrganizationCoverage::Listed,
            organization_not_listed: None,
            out_of_scope: Vec::new(),
        },
        rules: rules(),
        findings,
        summary,
        warnings: Vec::new(),
        notes: Vec::new(),
        stats: None,
        shaped_by: alertpath::report::ShapedBy::default(),
    }
}

/// The realistic report.
pub fn sample_report() -> Report {
    let mut report = report_with(findings());
    report.warnings =
        vec!["alertpath.toml:30: waiver for GD005 matched no finding; remove it".to_string()];
    report
}

/// A subject used by synthetic reports.
pub fn region_subject(account: &str, region: &str) -> Subject {
    Subject::region(account, region)
}

/// A synthetic failing finding.
pub fn failing(rule: &str, subject: Subject, severity: Severity) -> Finding {
    finding(
        outcome(rule, Status::Fail, subject, "synthetic failure"),
        severity,
    )
}
