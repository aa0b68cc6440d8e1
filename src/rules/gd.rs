//! GD: GuardDuty detectors and membership.

use crate::chain::analysis::finding_events;
use crate::chain::suppression::{self, FilterEffect};
use crate::inventory::{Detector, GuardDutyFilter, Known, Member, Observed, SourceKind};
use crate::outcome::{Outcomes, ResourceKind, Subject};
use crate::rules::{ADMIN_ROLE, ANY_ROLE, AdminLookup, Context, Rule, rule};
use crate::samples;

rule!(
    GD001,
    "detector-missing",
    High,
    Every,
    [Live, Plan, Hcl],
    ANY_ROLE,
    "An in-scope account × enabled region has no GuardDuty detector",
    check_gd001
);
rule!(
    GD002,
    "detector-suspended",
    High,
    Every,
    [Live, Plan, Hcl],
    None,
    "A GuardDuty detector exists but is not ENABLED",
    check_gd002
);
rule!(
    GD003,
    "member-not-enrolled",
    High,
    Admin,
    [Live],
    None,
    "An active organization account is not an Enabled member of the admin's detector",
    check_gd003
);
rule!(
    GD004,
    "org-auto-enable-off",
    Medium,
    Admin,
    [Live, Plan, Hcl],
    ADMIN_ROLE,
    "The organization configuration does not auto-enable all members",
    check_gd004
);
rule!(
    GD005,
    "slow-finding-updates",
    Low,
    Admin,
    [Live, Plan, Hcl],
    ADMIN_ROLE,
    "The admin's detector publishes finding updates slower than every 15 minutes",
    check_gd005
);

rule!(
    GD006,
    "suppression-rule-hides-findings",
    High,
    Admin,
    [Live, Plan, Hcl],
    ADMIN_ROLE,
    "A GuardDuty suppression rule on the admin's detector hides sample findings at or above pager.min_severity",
    check_gd006
);

/// This family's rules, in catalog order.
pub(super) const RULES: &[Rule] = &[GD001, GD002, GD003, GD004, GD005, GD006];

/// The publishing frequency GD005 requires.
const FIFTEEN_MINUTES: &str = "FIFTEEN_MINUTES";

fn check_gd001(ctx: &Context<'_>, out: &mut Outcomes) {
    ctx.for_each_region(out, |view, out| {
        let subject = Subject::region(view.account, view.region);
        match &view.facts.guardduty {
            Observed::Gap(gap) => {
                out.not_assessed(subject, gap.describe());
            }
            Observed::Collected(gd) if gd.detectors.is_empty() => {
                out.fail(
                    subject,
                    format!(
                        "no GuardDuty detector in {} of account {}: threats there produce no findings",
                        view.region, view.account
                    ),
                );
            }
            Observed::Collected(gd) => {
                out.pass(subject, format!("{} detector(s)", gd.detectors.len()));
            }
        }
    });
}

fn detector_subject(account: &str, region: &str, detector: &Detector) -> Subject {
    let name = detector
        .id
        .value()
        .cloned()
        .or_else(|| detector.origin.label().map(str::to_string))
        .unwrap_or_else(|| "detector".to_string());
    Subject::resource(
        account,
        region,
        ResourceKind::GuarddutyDetector,
        name,
        &detector.origin,
    )
}

fn check_gd002(ctx: &Context<'_>, out: &mut Outcomes) {
    ctx.for_each_region(out, |view, out| {
        let detectors = match &view.facts.guardduty {
            Observed::Gap(gap) => {
                out.not_assessed(Subject::region(view.account, view.region), gap.describe());
                return;
            }
            Observed::Collected(gd) => &gd.detectors,
        };
        for detector in detectors {
            let subject = detector_subject(view.account, view.region, detector).attribute("enable");
            match &detector.status {
                Known::Unknown(m) => {
                    out.unknown(subject, &m.unknown, "detector status");
                }
                Known::Value(status) if status == "ENABLED" => {
                    out.pass(subject, "detector is ENABLED");
                }
                Known::Value(status) => {
                    out.fail(
                        subject,
                        format!("detector status is {status}: it produces no findings"),
                    );
                }
            }
        }
    });
}

/// How the admin's member list answers "is this account an Enabled member?".
enum Enrolment<'a> {
    Enabled,
    Status(&'a str),
    Missing,
    Unknown(String),
}

fn enrolment<'a>(members: &'a [Member], account: &str) -> Enrolment<'a> {
    let mut unknown = None;
    for member in members {
        match &member.account_id {
            Known::Value(id) if id == account => {
                return match &member.relationship_status {
                    Known::Value(s) if s.eq_ignore_ascii_case("Enabled") => Enrolment::Enabled,
                    Known::Value(s) => Enrolment::Status(s),
                    Known::Unknown(m) => Enrolment::Unknown(m.unknown.describe()),
                };
            }
            Known::Value(_) => {}
            Known::Unknown(m) => unknown = Some(m.unknown.describe()),
        }
    }
    match unknown {
        Some(why) => Enrolment::Unknown(format!("a member's account id {why}")),
        None => Enrolment::Missing,
    }
}

/// The admin of `region` and its collected member list, or a reason why not.
enum AdminMembers<'a> {
    Members(String, &'a [Member]),
    NoAdmin,
    NotAssessed(String),
}

fn admin_members<'a>(ctx: &Context<'a>, region: &str) -> AdminMembers<'a> {
    let admin = match ctx.admin_for(region) {
        AdminLookup::Admin { account, .. } => account,
        AdminLookup::NoAdmin => return AdminMembers::NoAdmin,
        AdminLookup::Unknown(why) => {
            return AdminMembers::NotAssessed(format!("GuardDuty admin unknown: {why}"));
        }
    };
    let Some(facts) = ctx.inventory.facts(&admin, region) else {
        return AdminMembers::NotAssessed(format!(
            "the admin account {admin}'s facts in {region} were not collected"
        ));
    };
    let members = match &facts.guardduty {
        Observed::Gap(gap) => return AdminMembers::NotAssessed(gap.describe()),
        Observed::Collected(gd) => &gd.members,
    };
    match members {
        Some(Observed::Collected(list)) => AdminMembers::Members(admin, list),
        Some(Observed::Gap(gap)) => AdminMembers::NotAssessed(gap.describe()),
        None => AdminMembers::NotAssessed(format!(
            "the member list of admin {admin} in {region} was not collected"
        )),
    }
}

fn check_gd003(ctx: &Context<'_>, out: &mut Outcomes) {
    if !ctx.organization_visible() {
        out.not_applicable(Subject::global(), "no organization visible");
        return;
    }
    // An account alertpath could not reach: whether a region is enabled for
    // it is unknown, so its membership is not judged (once, for the account:
    // the report folds it into SCAN001's line), never "not enabled".
    let mut unreached = std::collections::BTreeSet::new();
    for region in ctx.all_regions() {
        let region_subject = Subject {
            region: Some(region.to_string()),
            ..Subject::global()
        };
        let (admin, members) = match admin_members(ctx, region) {
            AdminMembers::Members(admin, members) => (admin, members),
            AdminMembers::NoAdmin => {
                out.not_applicable(
                    region_subject,
                    format!("no GuardDuty administrator in {region} (see ORG001)"),
                );
                continue;
            }
            AdminMembers::NotAssessed(why) => {
                out.not_assessed(region_subject, why);
                continue;
            }
        };
        for account in ctx.inventory.accounts.keys().filter(|a| **a != admin) {
            let access_gap = ctx
                .inventory
                .accounts
                .get(account)
                .and_then(|a| a.access.gap());
            if let Some(gap) = access_gap {
                if unreached.insert(account.clone()) {
                    out.not_assessed(
                        Subject::account(account),
                        format!("account not assessed (SCAN001): {}", gap.describe()),
                    );
                }
                continue;
            }
            let subject = member_subject(&admin, region, account, members);
            if !ctx.region_enabled(account, region) {
                // A region absent because the account's regions could not be
                // listed is unknown, not "not enabled".
                let unlisted = ctx
                    .inventory
                    .accounts
                    .get(account)
                    .filter(|a| !a.regions.contains_key(region))
                    .and_then(|a| a.region_discovery.as_ref());
                match unlisted {
                    Some(gap) => out.not_assessed(
                        subject,
                        format!(
                            "whether {region} is enabled for {account} is unknown: {}",
                            gap.describe()
                        ),
                    ),
                    None => out
                        .not_applicable(subject, format!("{region} is not enabled for {account}")),
                };
                continue;
            }
            match enrolment(members, account) {
                Enrolment::Enabled => {
                    out.pass(subject, format!("{account} is an Enabled member"));
                }
                Enrolment::Status(status) => {
                    out.fail(
                        subject,
                        format!(
                            "{account} is a member of admin {admin}'s detector with status {status}, not Enabled: its findings do not reach the admin"
                        ),
                    );
                }
                Enrolment::Missing => {
                    out.fail(
                        subject,
                        format!(
                            "{account} is not a member of admin {admin}'s detector in {region}: its findings do not reach the admin"
                        ),
                    );
                }
                Enrolment::Unknown(why) => {
                    out.not_assessed(subject, why);
                }
            }
        }
    }
}

fn member_subject(admin: &str, region: &str, account: &str, members: &[Member]) -> Subject {
    let origin = members
        .iter()
        .find(|m| m.account_id.value().is_some_and(|id| id == account))
        .map(|m| m.origin.clone())
        .unwrap_or_default();
    Subject::resource(
        admin,
        region,
        ResourceKind::GuarddutyMember,
        account,
        &origin,
    )
}

/// GD004 where the admin has no organization configuration at all. A Terraform
/// stack of the admin role that declares none fails (it is an absence rule); a
/// live account outside any organization has no members to auto-enable.
fn judge_missing_configuration(ctx: &Context<'_>, admin: &str, region: &str, out: &mut Outcomes) {
    let subject = Subject::region(admin, region);
    if ctx.source() != SourceKind::Live {
        out.fail(
            subject,
            format!(
                "the stack declares no aws_guardduty_organization_configuration for {region}: new and existing accounts are not enrolled automatically"
            ),
        );
    } else if !ctx.organization_visible() {
        out.not_applicable(
            subject,
            format!("no organization visible: account {admin} has no member accounts to auto-enable in {region}"),
        );
    } else {
        out.not_assessed(
            subject,
            format!(
                "no GuardDuty organization configuration collected for admin {admin} in {region}"
            ),
        );
    }
}

fn check_gd004(ctx: &Context<'_>, out: &mut Outcomes) {
    for region in ctx.all_regions() {
        let Some((admin, gd)) = admin_guardduty(ctx, region, out) else {
            continue;
        };
        let config = match &gd.organization_configuration {
            Some(Observed::Collected(c)) => c,
            Some(Observed::Gap(gap)) => {
                out.not_assessed(Subject::region(&admin, region), gap.describe());
                continue;
            }
            None => {
                judge_missing_configuration(ctx, &admin, region, out);
                continue;
            }
        };
        let subject = Subject::resource(
            &admin,
            region,
            ResourceKind::GuarddutyOrganizationConfiguration,
            config
                .origin
                .label()
                .unwrap_or("organization-configuration"),
            &config.origin,
        )
        .attribute("auto_enable_organization_members");
        match &config.auto_enable_organization_members {
            Known::Unknown(m) => {
                out.unknown(subject, &m.unknown, "auto-enable setting");
            }
            Known::Value(v) if v == "ALL" => {
                out.pass(subject, "auto-enables ALL accounts");
            }
            Known::Value(v) if v == "NEW" => judge_new(ctx, region, subject, out),
            Known::Value(v) => {
                out.fail(
                    subject,
                    format!("auto-enable is {v}: new and existing accounts are not enrolled automatically"),
                );
            }
        }
    }
}

/// `NEW` passes only when every existing account is already enrolled.
fn judge_new(ctx: &Context<'_>, region: &str, subject: Subject, out: &mut Outcomes) {
    let (admin, members) = match admin_members(ctx, region) {
        AdminMembers::Members(admin, members) => (admin, members),
        AdminMembers::NoAdmin => return,
        AdminMembers::NotAssessed(why) => {
            out.not_assessed(
                subject,
                format!("auto-enable is NEW, which covers only accounts created later; whether existing accounts are enrolled is unknown: {why}"),
            );
            return;
        }
    };
    let missing: Vec<&str> = ctx
        .inventory
        .accounts
        .keys()
        .filter(|a| **a != admin && ctx.region_enabled(a, region))
        .filter(|a| !matches!(enrolment(members, a), Enrolment::Enabled))
        .map(String::as_str)
        .collect();
    if missing.is_empty() {
        out.pass(
            subject,
            "auto-enable is NEW and every existing account is enrolled",
        );
    } else {
        out.fail(
            subject,
            format!(
                "auto-enable is NEW, and {} existing account(s) are not enrolled: {}; set ALL",
                missing.len(),
                missing.join(", ")
            ),
        );
    }
}

/// The admin of `region` and its GuardDuty facts; records why not otherwise.
fn admin_guardduty<'a>(
    ctx: &Context<'a>,
    region: &str,
    out: &mut Outcomes,
) -> Option<(String, &'a crate::inventory::GuardDutyFacts)> {
    let region_subject = Subject {
        region: Some(region.to_string()),
        ..Subject::global()
    };
    let admin = match ctx.admin_for(region) {
        AdminLookup::Admin { account, .. } => account,
        AdminLookup::NoAdmin => {
            out.not_applicable(
                region_subject,
                format!("no GuardDuty administrator in {region} (see ORG001)"),
            );
            return None;
        }
        AdminLookup::Unknown(why) => {
            out.not_assessed(region_subject, format!("GuardDuty admin unknown: {why}"));
            return None;
        }
    };
    if !ctx.region_enabled(&admin, region) {
        out.not_applicable(
            Subject::region(&admin, region),
            format!("{region} is not enabled for the admin account"),
        );
        return None;
    }
    let Some(facts) = ctx.inventory.facts(&admin, region) else {
        out.not_assessed(
            Subject::region(&admin, region),
            format!("the admin account {admin}'s facts in {region} were not collected"),
        );
        return None;
    };
    match &facts.guardduty {
        Observed::Collected(gd) => Some((admin, gd)),
        Observed::Gap(gap) => {
            out.not_assessed(Subject::region(&admin, region), gap.describe());
            None
        }
    }
}

fn check_gd005(ctx: &Context<'_>, out: &mut Outcomes) {
    for region in ctx.all_regions() {
        let Some((admin, gd)) = admin_guardduty(ctx, region, out) else {
            continue;
        };
        if gd.detectors.is_empty() {
            out.not_applicable(
                Subject::region(&admin, region),
                "the admin has no detector here (see GD001)",
            );
        }
        for detector in &gd.detectors {
            let subject = detector_subject(&admin, region, detector)
                .attribute("finding_publishing_frequency");
            match &detector.finding_publishing_frequency {
                Known::Unknown(m) => {
                    out.unknown(subject, &m.unknown, "finding publishing frequency");
                }
                Known::Value(f) if f == FIFTEEN_MINUTES => {
                    out.pass(subject, "publishes finding updates every 15 minutes");
                }
                Known::Value(f) => {
                    out.fail(
                        subject,
                        format!("publishes finding updates every {f}; updates to ongoing findings reach the bus late — set FIFTEEN_MINUTES"),
                    );
                }
            }
        }
    }
}

fn check_gd006(ctx: &Context<'_>, out: &mut Outcomes) {
    for region in ctx.source_regions() {
        let Some((admin, gd)) = admin_guardduty(ctx, &region, out) else {
            continue;
        };
        let subject = Subject::region(&admin, &region);
        if gd.detectors.is_empty() {
            out.not_applicable(subject, "the admin has no detector here (see GD001)");
            continue;
        }
        let filters = match suppression::filters_of(ctx.inventory, &admin, &region) {
            Ok(filters) => filters,
            Err(why) => {
                out.not_assessed(subject, why);
                continue;
            }
        };
        let rules: Vec<&GuardDutyFilter> = filters
            .iter()
            .filter(|f| suppression::is_suppression_rule(f) != Some(false))
            .collect();
        if rules.is_empty() {
            out.pass(
                subject,
                format!(
                    "the admin's detector in {region} has no suppression rule (ARCHIVE filter)"
                ),
            );
            continue;
        }
        let events = finding_events(ctx, &admin, &region);
        for filter in rules {
            judge_filter(ctx, &admin, &region, filter, &events, out);
        }
    }
}

/// GD006 for one suppression rule against the sample findings.
fn judge_filter(
    ctx: &Context<'_>,
    admin: &str,
    region: &str,
    filter: &GuardDutyFilter,
    events: &[serde_json::Value],
    out: &mut Outcomes,
) {
    let name = suppression::filter_label(filter);
    let subject = Subject::resource(
        admin,
        region,
        ResourceKind::GuarddutyFilter,
        &name,
        &filter.origin,
    )
    .attribute("finding_criteria");
    let pager = ctx.config.pager.min_severity;
    let mut paged = Vec::new();
    let mut below = Vec::new();
    let mut unknown = None;
    for event in events {
        let severity = samples::finding_severity(event).unwrap_or(0.0);
        match suppression::filter_hides(filter, event) {
            FilterEffect::Hides if severity >= pager => paged.push(samples::finding_label(event)),
            FilterEffect::Hides => below.push(samples::finding_label(event)),
            FilterEffect::Passes => {}
            FilterEffect::Unknown(why, kind) => {
                unknown.get_or_insert((why, kind));
            }
        }
    }
    if !paged.is_empty() {
        out.fail(
            subject,
            format!(
                "suppression rule {name} archives sample findings at or above pager.min_severity {pager:.1}: {}; archived findings are never sent to EventBridge, so they page nobody",
                paged.join(", ")
            ),
        );
    } else if let Some((why, kind)) = unknown {
        out.not_assessed_as(subject, format!("suppression rule {name}: {why}"), kind);
    } else if below.is_empty() {
        out.pass(
            subject,
            format!("suppression rule {name} hides none of the sample findings"),
        );
    } else {
        out.pass(
            subject,
            format!(
                "note: suppression rule {name} hides only sample findings below pager.min_severity {pager:.1}: {}; suppressing low-severity noise is normal, and if chat should not expect them, raise chat.min_severity (ROUTE002 names this rule for them)",
                below.join(", ")
            ),
        );
    }
}
