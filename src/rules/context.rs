//! What rules read: the inventory, the config, and derived lookups such as
//! "who is GuardDuty's admin in this region".

use std::collections::BTreeSet;

use crate::config::Config;
use crate::inventory::{Inventory, Observed, RegionSlot, SourceKind, StackRole};
use crate::outcome::Subject;

/// Everything a rule may read. Rules do no I/O.
pub struct Context<'a> {
    /// The inventory.
    pub inventory: &'a Inventory,
    /// The effective config.
    pub config: &'a Config,
}

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

impl<'a> Context<'a> {
    /// A context over an inventory and config.
    pub fn new(inventory: &'a Inventory, config: &'a Config) -> Self {
        Context { inventory, config }
    }

    /// The source kind of the inventory.
    pub fn source(&self) -> SourceKind {
        self.inventory.source.kind
    }

    /// The declared stack role (P/H), if any.
    pub fn stack_role(&self) -> Option<StackRole> {
        self.inventory
            .terraform
            .as_ref()
            .and_then(|t| t.role)
            .or(self.config.terraform.role)
    }

    /// Whether an organization is visible.
    pub fn organization_visible(&self) -> bool {
        self.inventory.organization.is_some()
    }

    /// Every region name that appears for any account, sorted.
    pub fn all_regions(&self) -> BTreeSet<&str> {
        self.inventory
            .accounts
            .values()
            .flat_map(|a| a.regions.keys().map(String::as_str))
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
    /// scanned account.
    pub fn admin_for(&self, region: &str) -> AdminLookup {
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
            AdminLookup::Unknown(format!(
                "the management account's view of {region} was not collected, and no scanned account reports a GuardDuty administrator there"
            ))
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

    /// Source regions (RULES.md "Terms"): regions where the admin has an enabled
    /// detector, plus the partition's global region, restricted to scanned regions.
    pub fn source_regions(&self) -> BTreeSet<String> {
        let global = self.inventory.global_region();
        self.all_regions()
            .into_iter()
            .filter(|region| {
                *region == global
                    || match self.admin_for(region) {
                        AdminLookup::Admin { account, .. } => {
                            self.admin_detector_enabled(&account, region)
                        }
                        _ => false,
                    }
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
}
