//! Test helpers: a small inventory builder and engine runners.

pub mod chain;
pub mod lines;
pub mod process;

use alertpath::config::{Config, Waiver};
use alertpath::engine::{self, EngineOptions};
use alertpath::inventory::*;
use alertpath::outcome::Status;
use alertpath::report::{Finding, Report};

pub const MGMT: &str = "100000000001";
pub const ADMIN: &str = "100000000002";
pub const MEMBER: &str = "100000000003";

/// Builds inventories for rule tests.
pub struct Org {
    pub inv: Inventory,
}

impl Org {
    /// A live org with a collected, empty management view.
    pub fn new() -> Self {
        let mut inv = Inventory::new(SourceKind::Live);
        inv.organization = Some(Organization {
            id: Some("o-test".into()),
            management_account: MGMT.into(),
            management_view: Observed::Collected(ManagementView::default()),
        });
        Org { inv }
    }

    /// No organization visible.
    pub fn standalone() -> Self {
        Org {
            inv: Inventory::new(SourceKind::Live),
        }
    }

    /// Add an account with enabled, empty regions.
    pub fn account(mut self, id: &str, regions: &[&str]) -> Self {
        let regions = regions
            .iter()
            .map(|r| {
                (
                    r.to_string(),
                    RegionSlot::Enabled(Box::new(Observed::Collected(RegionFacts {
                        // Collected, as a scan does: Security Hub not enabled.
                        security_hub: Some(Observed::Collected(SecurityHubFacts::default())),
                        ..RegionFacts::default()
                    }))),
                )
            })
            .collect();
        self.inv.accounts.insert(
            id.into(),
            Account {
                name: None,
                access: Observed::Collected(AccessPath::Caller),
                regions,
                region_discovery: None,
            },
        );
        self
    }

    /// The region facts of an account × region.
    pub fn facts(&mut self, id: &str, region: &str) -> &mut RegionFacts {
        match self
            .inv
            .accounts
            .get_mut(id)
            .and_then(|a| a.regions.get_mut(region))
        {
            Some(RegionSlot::Enabled(o)) => match o.as_mut() {
                Observed::Collected(f) => f,
                Observed::Gap(_) => panic!("region is a gap"),
            },
            _ => panic!("no such enabled region {id}/{region}"),
        }
    }

    /// GuardDuty facts of an account × region.
    pub fn gd(&mut self, id: &str, region: &str) -> &mut GuardDutyFacts {
        match &mut self.facts(id, region).guardduty {
            Observed::Collected(g) => g,
            Observed::Gap(_) => panic!("guardduty is a gap"),
        }
    }

    /// A detector, with no filters (as collected: no suppression rule).
    pub fn detector(mut self, id: &str, region: &str, status: &str, freq: &str) -> Self {
        self.gd(id, region)
            .filters
            .get_or_insert(Observed::Collected(Vec::new()));
        self.gd(id, region).detectors.push(Detector {
            origin: Origin::arn(format!("arn:aws:guardduty:{region}:{id}:detector/d1")),
            id: Known::Value(format!("d-{id}")),
            status: Known::Value(status.into()),
            finding_publishing_frequency: Known::Value(freq.into()),
        });
        self
    }

    /// Declare `admin` as GuardDuty admin in `regions` (management view).
    pub fn admin(mut self, admin: &str, regions: &[&str]) -> Self {
        if let Some(org) = &mut self.inv.organization
            && let Observed::Collected(view) = &mut org.management_view
        {
            for r in regions {
                view.guardduty_admins.insert(
                    r.to_string(),
                    Observed::Collected(vec![GuardDutyAdmin {
                        account: Known::Value(admin.into()),
                        status: "ENABLED".into(),
                        origin: Origin::default(),
                    }]),
                );
            }
        }
        self
    }

    pub fn members(mut self, admin: &str, region: &str, members: &[(&str, &str)]) -> Self {
        let list = members
            .iter()
            .map(|(a, s)| Member {
                origin: Origin::default(),
                account_id: Known::Value(a.to_string()),
                relationship_status: Known::Value(s.to_string()),
            })
            .collect();
        self.gd(admin, region).members = Some(Observed::Collected(list));
        self
    }

    pub fn auto_enable(mut self, admin: &str, region: &str, value: Known<String>) -> Self {
        self.gd(admin, region).organization_configuration =
            Some(Observed::Collected(OrgConfiguration {
                origin: Origin::default(),
                auto_enable_organization_members: value,
            }));
        self
    }

    pub fn build(self) -> Inventory {
        self.inv
    }
}

pub fn denied(call: &str) -> Gap {
    Gap::access_denied(call, format!("not authorized to perform: {call}"))
}

pub fn today() -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(2026, 11, 27).unwrap()
}

/// Run the engine. Every rule test also checks that no two findings share a
/// subject (the engine would have to disambiguate their fingerprints): each
/// rule gives each subject one outcome.
pub fn run_with(inv: &Inventory, config: &Config) -> Report {
    let report = engine::run(
        inv,
        config,
        &EngineOptions {
            today: today(),
            strict_config: false,
        },
    )
    .expect("engine runs");
    for f in &report.findings {
        assert!(
            !f.fingerprint.contains(':'),
            "two findings share the subject of {} {}: {}",
            f.outcome.rule,
            f.outcome.subject.key(),
            f.outcome.message
        );
    }
    report
}

pub fn run(inv: &Inventory) -> Report {
    run_with(inv, &Config::default())
}

/// Findings of one rule.
pub fn of<'a>(report: &'a Report, rule: &str) -> Vec<&'a Finding> {
    report
        .findings
        .iter()
        .filter(|f| f.outcome.rule == rule)
        .collect()
}

/// Statuses of one rule's findings.
pub fn statuses(report: &Report, rule: &str) -> Vec<Status> {
    of(report, rule).iter().map(|f| f.status()).collect()
}

/// The single finding of `rule` for (account, region), by resource name when given.
pub fn status_at(
    report: &Report,
    rule: &str,
    account: Option<&str>,
    region: Option<&str>,
    resource: Option<&str>,
) -> Vec<Status> {
    of(report, rule)
        .into_iter()
        .filter(|f| f.outcome.subject.account.as_deref() == account)
        .filter(|f| f.outcome.subject.region.as_deref() == region)
        .filter(|f| {
            resource.is_none_or(|r| {
                f.outcome
                    .subject
                    .resource
                    .as_ref()
                    .is_some_and(|x| x.name == r)
            })
        })
        .map(|f| f.status())
        .collect()
}

pub fn waiver(rule: &str, account: Option<&str>, region: Option<&str>) -> Waiver {
    Waiver {
        rule: rule.into(),
        account: account.map(Into::into),
        region: region.map(Into::into),
        resource: None,
        reason: "accepted for the test".into(),
        expires: None,
        declared_at: "alertpath.toml:1".into(),
    }
}

pub fn with_waivers(waivers: Vec<Waiver>) -> Config {
    Config {
        waivers,
        ..Config::default()
    }
}
