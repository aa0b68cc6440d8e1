//! The management account's view: GuardDuty `ListOrganizationAdminAccounts`
//! in each region and Organizations `ListDelegatedAdministrators`. Read with
//! the caller's credentials when the caller is the management account, else
//! through `--management-role`; without either it is a gap with the reason.

use std::collections::{BTreeMap, BTreeSet};

use crate::inventory::{GuardDutyAdmin, ManagementView, Observed, Origin};
use crate::source::aws::clients::Clients;
use crate::source::aws::errors::classify;

/// The GuardDuty service principal.
const GUARDDUTY_PRINCIPAL: &str = "guardduty.amazonaws.com";

/// Read the management view in the given regions.
pub async fn view(management: &Clients, regions: &BTreeSet<String>) -> ManagementView {
    let org = management.organizations();
    let delegated = org
        .list_delegated_administrators()
        .service_principal(GUARDDUTY_PRINCIPAL)
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await;
    let delegated_administrators = match delegated {
        Ok(list) => Observed::Collected(
            list.iter()
                .filter_map(|d| d.id().map(str::to_string))
                .collect(),
        ),
        Err(e) => Observed::Gap(classify("organizations:ListDelegatedAdministrators", &e)),
    };
    let mut guardduty_admins = BTreeMap::new();
    for region in regions {
        let clients = Clients::new(
            super::clients::region_config(&management.config, region),
            management.stats.clone(),
        );
        let listed = clients
            .guardduty()
            .list_organization_admin_accounts()
            .into_paginator()
            .items()
            .send()
            .try_collect()
            .await;
        let admins = match listed {
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
        };
        guardduty_admins.insert(region.clone(), admins);
    }
    ManagementView {
        guardduty_admins,
        delegated_administrators,
    }
}

/// The enabled admin account in a region, per the view (`None`: no admin or not known).
pub fn admin_in(view: &ManagementView, region: &str) -> Option<Option<String>> {
    match view.guardduty_admins.get(region)? {
        Observed::Collected(admins) => Some(
            admins
                .iter()
                .filter(|a| a.status == "ENABLED")
                .find_map(|a| a.account.value().cloned()),
        ),
        Observed::Gap(_) => None,
    }
}
