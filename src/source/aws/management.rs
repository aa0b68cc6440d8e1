//! The management account's view: GuardDuty `ListOrganizationAdminAccounts`
//! in each region, Organizations `ListDelegatedAdministrators`, and Security
//! Hub's `ListOrganizationAdminAccounts`. Read with
//! the caller's credentials when the caller is the management account, else
//! through `--management-role`; without either it is a gap with the reason.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex, PoisonError};

use tokio::sync::OnceCell;

use crate::inventory::{GuardDutyAdmin, ManagementView, Observed, Origin, SecurityHubAdmin};
use crate::source::aws::clients::Clients;
use crate::source::aws::errors::classify;

/// The GuardDuty service principal.
const GUARDDUTY_PRINCIPAL: &str = "guardduty.amazonaws.com";

/// One region's admins, asked once and shared.
type AdminsOnce = Arc<OnceCell<Observed<Vec<GuardDutyAdmin>>>>;

/// The management view, read as the scan needs it: a region's GuardDuty
/// admins are asked the first time any account × region there needs them
/// (once, shared by every account), so collection never waits for the whole
/// view; [`ManagementReader::view`] completes it for the report.
#[derive(Debug)]
pub struct ManagementReader {
    clients: Clients,
    admins: Mutex<BTreeMap<String, AdminsOnce>>,
    delegated: OnceCell<Observed<Vec<String>>>,
}

impl ManagementReader {
    /// A reader with the management account's clients.
    pub fn new(clients: Clients) -> Self {
        ManagementReader {
            clients,
            admins: Mutex::new(BTreeMap::new()),
            delegated: OnceCell::new(),
        }
    }

    /// GuardDuty's organization admins in `region` (asked once).
    pub async fn admins(&self, region: &str) -> Observed<Vec<GuardDutyAdmin>> {
        let cell = {
            let mut admins = self.admins.lock().unwrap_or_else(PoisonError::into_inner);
            admins.entry(region.to_string()).or_default().clone()
        };
        cell.get_or_init(|| async {
            let clients = self.clients.in_region(region);
            list_admins(&clients).await
        })
        .await
        .clone()
    }

    /// Whether `account` is the enabled admin in `region`; `None` when the
    /// admins could not be read.
    pub async fn is_admin(&self, account: &str, region: &str) -> Option<bool> {
        match self.admins(region).await {
            Observed::Collected(admins) => Some(enabled_admin(&admins).as_deref() == Some(account)),
            Observed::Gap(_) => None,
        }
    }

    /// The whole view over `regions` (asking the regions no collection asked)
    /// and the delegated administrators.
    pub async fn view(&self, regions: &BTreeSet<String>) -> ManagementView {
        let delegated = self.delegated_administrators();
        let admins = futures_util::future::join_all(
            regions
                .iter()
                .map(|region| async move { (region.clone(), self.admins(region).await) }),
        );
        let securityhub = async {
            match regions.first() {
                Some(region) => Some(securityhub_admins(&self.clients.in_region(region)).await),
                None => None,
            }
        };
        let (delegated_administrators, admins, securityhub_admins) =
            tokio::join!(delegated, admins, securityhub);
        ManagementView {
            guardduty_admins: admins.into_iter().collect(),
            delegated_administrators,
            securityhub_admins,
        }
    }

    /// Organizations' delegated administrators for GuardDuty (asked once).
    pub async fn delegated_administrators(&self) -> Observed<Vec<String>> {
        self.delegated
            .get_or_init(|| async {
                let delegated = self
                    .clients
                    .organizations()
                    .list_delegated_administrators()
                    .service_principal(GUARDDUTY_PRINCIPAL)
                    .into_paginator()
                    .items()
                    .send()
                    .try_collect()
                    .await;
                match delegated {
                    Ok(list) => Observed::Collected(
                        list.iter()
                            .filter_map(|d| d.id().map(str::to_string))
                            .collect(),
                    ),
                    Err(e) => {
                        Observed::Gap(classify("organizations:ListDelegatedAdministrators", &e))
                    }
                }
            })
            .await
            .clone()
    }
}

/// `ListOrganizationAdminAccounts` in one region.
async fn list_admins(clients: &Clients) -> Observed<Vec<GuardDutyAdmin>> {
    let listed = clients
        .guardduty()
        .list_organization_admin_accounts()
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await;
    match listed {
        Ok(list) => Observed::Collected(
            list.iter()
                .filter_map(|a| {
                    Some(GuardDutyAdmin {
                        account: a.admin_account_id()?.to_string().into(),
                        status: a
                            .admin_status()
                            .map_or("ENABLED".to_string(), |s| s.as_str().to_string()),
                        origin: Origin::default(),
                    })
                })
                .collect(),
        ),
        Err(e) => Observed::Gap(classify("guardduty:ListOrganizationAdminAccounts", &e)),
    }
}

/// Security Hub's `ListOrganizationAdminAccounts` (one delegated
/// administrator for the organization; asked in the scan's first region).
async fn securityhub_admins(clients: &Clients) -> Observed<Vec<SecurityHubAdmin>> {
    let listed = clients
        .securityhub()
        .list_organization_admin_accounts()
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await;
    match listed {
        Ok(list) => Observed::Collected(
            list.iter()
                .filter_map(|a| {
                    Some(SecurityHubAdmin {
                        account: a.account_id()?.to_string().into(),
                        status: a
                            .status()
                            .map_or("ENABLED".to_string(), |s| s.as_str().to_string()),
                        origin: Origin::default(),
                    })
                })
                .collect(),
        ),
        Err(e) => Observed::Gap(classify("securityhub:ListOrganizationAdminAccounts", &e)),
    }
}

/// The enabled admin among `admins`, if any.
fn enabled_admin(admins: &[GuardDutyAdmin]) -> Option<String> {
    admins
        .iter()
        .filter(|a| a.status == "ENABLED")
        .find_map(|a| a.account.value().cloned())
}
