//! The organization's topology as the inventory shows it: which regions are
//! enabled, who GuardDuty's administrator is in each region, and which regions
//! are source regions (docs/terms.md, "Source region"). The walks start from it
//! and every admin-judged rule reads it.

use std::collections::BTreeSet;

use crate::config::Config;
use crate::inventory::{Inventory, Observed, RegionSlot, SourceKind, StackRole};
use crate::outcome::Subject;

/// Who GuardDuty's administrator is in one region.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AdminLookup {
    /// This account is the admin.
    Admin {
        /// The admin account.
        account: String,
        /// How it was determined, for messages.
        basis: &'static str,
    },
    /// There is no admin in this region.
    NoAdmin,
    /// It could not be determined; the reason says why.
    Unknown(String),
}

/// The inventory and config, with the organization's derived topology.
pub struct Topology<'a> {
    /// The inventory.
    pub inventory: &'a Inventory,
    /// The effective config.
    pub config: &'a Config,
}

impl<'a> Topology<'a> {
    /// The source kind of the inventory.
    pub fn source(&self) -> SourceKind {
        self.inventory.source.kind
    }

    /// The declared stack role (P/H), if any (the first, when several).
    pub fn stack_role(&self) -> Option<StackRole> {
        self.inventory
            .terraform
            .as_ref()
            .and_then(|t| t.role)
            .or(self.config.terraform.role)
    }

    /// Every declared stack role (P/H): `role` and, when it is a list, the rest.
    pub fn stack_roles(&self) -> Vec<StackRole> {
        let (first, more) = match self.inventory.terraform.as_ref() {
            Some(t) if t.role.is_some() => (t.role, t.more_roles.clone()),
            _ => (
                self.config.terraform.role,
                self.config.terraform.more_roles.clone(),
            ),
        };
        first.into_iter().chain(more).collect()
    }

    /// Whether an organization is visible, or may exist: when its accounts
    /// could not be listed (SCAN005) there is no saying that there is none.
    pub fn organization_visible(&self) -> bool {
        self.inventory.organization.is_some() || self.inventory.organization_not_listed.is_some()
    }

    /// Why the organization's accounts are unknown (SCAN005), as the reason of
    /// a not-assessed outcome; `None` when they were listed or there is no
    /// organization.
    pub fn organization_not_listed(&self) -> Option<String> {
        self.inventory.organization_not_listed.as_ref().map(|gap| {
            format!(
                "the organization's accounts could not be listed (SCAN005): {}",
                gap.describe()
            )
        })
    }

    /// Every region enabled for at least one scanned account, sorted.
    pub fn all_regions(&self) -> BTreeSet<&str> {
        self.inventory
            .accounts
            .values()
            .flat_map(|a| {
                a.regions
                    .iter()
                    .filter(|(_, slot)| matches!(slot, RegionSlot::Enabled(_)))
                    .map(|(r, _)| r.as_str())
            })
            .collect()
    }

    /// Whether a region is enabled for an account (and listed at all).
    pub fn region_enabled(&self, account: &str, region: &str) -> bool {
        matches!(
            self.inventory
                .accounts
                .get(account)
                .and_then(|a| a.regions.get(region)),
            Some(RegionSlot::Enabled(_))
        )
    }

    /// GuardDuty's administrator in `region`: from the management view when
    /// collected; else an account that holds the organization configuration; else
    /// the administrator a member reports. With no organization visible, the
    /// scanned account. When the organization's accounts could not be listed
    /// (SCAN005), no account is assumed to be the admin, and an admin whose
    /// facts were not collected leaves the admin unknown.
    pub fn admin_for(&self, region: &str) -> AdminLookup {
        let found = self.admin_lookup(region);
        let Some(why) = self.organization_not_listed() else {
            return found;
        };
        match found {
            AdminLookup::Admin { account, .. }
                if !self.inventory.accounts.contains_key(&account) =>
            {
                AdminLookup::Unknown(format!(
                    "the admin {account} in {region} was not scanned: {why}"
                ))
            }
            AdminLookup::Unknown(reason) if reason != why => {
                AdminLookup::Unknown(format!("{why}; {reason}"))
            }
            other => other,
        }
    }

    fn admin_lookup(&self, region: &str) -> AdminLookup {
        if self.inventory.organization.is_none()
            && let Some(why) = self.organization_not_listed()
        {
            return self
                .admin_from_accounts(region)
                .unwrap_or(AdminLookup::Unknown(why));
        }
        let Some(org) = &self.inventory.organization else {
            return match self.single_account() {
                Some(account) => AdminLookup::Admin {
                    account,
                    basis: "no organization visible: the scanned account",
                },
                None => AdminLookup::Unknown(
                    "no organization visible and more than one account scanned".to_string(),
                ),
            };
        };
        if let Observed::Collected(view) = &org.management_view {
            match view.guardduty_admins.get(region) {
                Some(Observed::Collected(admins)) => {
                    return admins
                        .iter()
                        .filter(|a| a.status == "ENABLED")
                        .find_map(|a| a.account.value().cloned())
                        .map(|account| AdminLookup::Admin {
                            account,
                            basis: "ListOrganizationAdminAccounts",
                        })
                        .unwrap_or(AdminLookup::NoAdmin);
                }
                Some(Observed::Gap(gap)) => {
                    if let Some(found) = self.admin_from_accounts(region) {
                        return found;
                    }
                    return AdminLookup::Unknown(gap.describe());
                }
                None => {}
            }
        }
        self.admin_from_accounts(region).unwrap_or_else(|| {
            AdminLookup::Unknown(match self.organization_not_listed() {
                Some(why) => why,
                None => format!(
                    "the management account's view of {region} was not collected, and no scanned account reports a GuardDuty administrator there"
                ),
            })
        })
    }

    fn admin_from_accounts(&self, region: &str) -> Option<AdminLookup> {
        let mut reported = None;
        for (account, _, facts) in self
            .inventory
            .region_facts()
            .filter(|(_, r, _)| *r == region)
        {
            let Some(gd) = facts.guardduty.collected() else {
                continue;
            };
            if gd.organization_configuration.is_some() {
                return Some(AdminLookup::Admin {
                    account: account.to_string(),
                    basis: "holds the GuardDuty organization configuration",
                });
            }
            if reported.is_none() {
                reported = gd.administrator.clone();
            }
        }
        reported.map(|account| AdminLookup::Admin {
            account,
            basis: "reported by a member's GetAdministratorAccount",
        })
    }

    /// The only scanned account, if exactly one (or the caller's, if scanned).
    fn single_account(&self) -> Option<String> {
        if self.inventory.accounts.len() == 1 {
            return self.inventory.accounts.keys().next().cloned();
        }
        let caller = self.inventory.source.caller.as_ref()?;
        self.inventory
            .accounts
            .contains_key(&caller.account)
            .then(|| caller.account.clone())
    }

    /// Source regions (docs/terms.md, "Source region"): regions where an admin account has an
    /// enabled detector, plus the partition's global region, among scanned regions.
    /// "An admin account" includes the admin of other regions and the configured
    /// admin, so a region that lacks a delegated admin is still a source region
    /// when the organization's admin runs a detector there (ORG001 judges it).
    ///
    /// A Terraform management stack cannot see the admin's detectors (they are
    /// in the admin's stack), so there every region of the stack is one: the
    /// stack is where each region's delegated admin is declared.
    pub fn source_regions(&self) -> BTreeSet<String> {
        if self.source() != SourceKind::Live && self.stack_roles().contains(&StackRole::Management)
        {
            return self.all_regions().into_iter().map(str::to_string).collect();
        }
        let global = self.inventory.global_region();
        let candidates = self.admin_candidates();
        // With the organization unlisted (SCAN005), a region whose admin is
        // unknown cannot be ruled out: it stays, to be reported not assessed.
        let unlisted = self.inventory.organization_not_listed.is_some();
        self.all_regions()
            .into_iter()
            .filter(|region| {
                *region == global
                    || candidates
                        .iter()
                        .any(|a| self.admin_detector_enabled(a, region))
                    || (unlisted && matches!(self.admin_for(region), AdminLookup::Unknown(_)))
            })
            .map(str::to_string)
            .collect()
    }

    fn admin_detector_enabled(&self, account: &str, region: &str) -> bool {
        self.inventory
            .facts(account, region)
            .and_then(|f| f.guardduty.collected())
            .is_some_and(|gd| {
                gd.detectors
                    .iter()
                    .any(|d| d.status.value().is_some_and(|s| s == "ENABLED"))
            })
    }

    /// The subject for an organization-level outcome.
    pub fn organization_subject(&self) -> Subject {
        match &self.inventory.organization {
            Some(org) => Subject::account(&org.management_account),
            None => Subject::global(),
        }
    }

    /// Every account that is, or is expected to be, GuardDuty's admin somewhere:
    /// admins found in any region plus `[guardduty] admin_account`.
    pub fn admin_candidates(&self) -> BTreeSet<String> {
        let mut candidates: BTreeSet<String> = self
            .all_regions()
            .into_iter()
            .filter_map(|r| match self.admin_for(r) {
                AdminLookup::Admin { account, .. } => Some(account),
                _ => None,
            })
            .collect();
        candidates.extend(self.config.guardduty.admin_account.clone());
        candidates
    }
}
