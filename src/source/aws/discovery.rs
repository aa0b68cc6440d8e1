//! Discovery: who the caller is, whether an organization is visible, which
//! accounts are in scope (`State = ACTIVE`, falling back to `Status` only when
//! `State` is absent; `--accounts`, `--exclude-accounts`, `--ou` with nested
//! OUs), and which regions each account has enabled (`account:ListRegions`).

use std::collections::{BTreeMap, BTreeSet};

use crate::inventory::{Gap, OutOfScopeAccount};
use crate::source::aws::errors::{classify, code};

/// Filters on the organization's accounts.
#[derive(Debug, Clone, Default)]
pub struct ScopeFilter {
    /// Only these accounts (`--accounts`).
    pub accounts: Vec<String>,
    /// Never these accounts (`--exclude-accounts`).
    pub exclude: Vec<String>,
    /// Only accounts under these OUs or roots, nested OUs included (`--ou`).
    pub ous: Vec<String>,
}

/// What discovery found.
#[derive(Debug, Clone)]
pub struct Discovered {
    /// The organization (id, management account), if visible.
    pub organization: Option<(Option<String>, String)>,
    /// In-scope accounts: id → name.
    pub accounts: BTreeMap<String, Option<String>>,
    /// Accounts seen but not scanned.
    pub out_of_scope: Vec<OutOfScopeAccount>,
    /// Statements for the report.
    pub notes: Vec<String>,
    /// Set when the organization's accounts could not be listed (SCAN005):
    /// `accounts` then holds the caller's account alone, and nothing about
    /// the rest of the organization can be judged.
    pub not_listed: Option<Gap>,
}

/// The organization `DescribeOrganization` named: its id (when given) and
/// management account.
pub type Organization = (Option<String>, String);

/// Why `DescribeOrganization` named no organization.
#[derive(Debug, Clone)]
pub enum NotDescribed {
    /// The caller is in no organization.
    NoOrganization,
    /// The call failed: whether there is an organization is unknown.
    Unknown(Gap),
}

/// `organizations:DescribeOrganization` (any account of an organization may
/// call it). Only `AWSOrganizationsNotInUseException` means "no organization".
pub async fn describe(org: &aws_sdk_organizations::Client) -> Result<Organization, NotDescribed> {
    match org.describe_organization().send().await {
        Ok(d) => match d.organization() {
            Some(o) => Ok((
                o.id().map(str::to_string),
                o.master_account_id().unwrap_or_default().to_string(),
            )),
            None => Err(NotDescribed::Unknown(Gap {
                reason: crate::inventory::GapReason::Other,
                call: Some("organizations:DescribeOrganization".to_string()),
                message: "the answer named no organization".to_string(),
            })),
        },
        Err(e) if code(&e) == Some("AWSOrganizationsNotInUseException") => {
            Err(NotDescribed::NoOrganization)
        }
        Err(e) => Err(NotDescribed::Unknown(classify(
            "organizations:DescribeOrganization",
            &e,
        ))),
    }
}

/// Find the organization and the accounts in scope with one client (the
/// caller's, when it is the management account or an Organizations delegated
/// administrator): `DescribeOrganization` and `ListAccounts` at once. Any
/// failure of `DescribeOrganization`, `ListAccounts` or the `--ou` resolution
/// (after the SDK's retries) leaves the caller's account alone in scope with
/// [`Discovered::not_listed`] set (SCAN005), never a one-account organization.
pub async fn discover(
    org: &aws_sdk_organizations::Client,
    caller_account: &str,
    filter: &ScopeFilter,
) -> Discovered {
    // Both at once: ListAccounts does not need DescribeOrganization's answer
    // (without an organization it fails too, and its answer is dropped).
    let (described, listed) = tokio::join!(describe(org), list_accounts(org));
    match described {
        Ok((id, management)) => {
            let hint = (management != caller_account).then(|| {
                format!(
                    "the caller ({caller_account}) is not the management account ({management}): give --management-role, a role there that may list the accounts (`alertpath init-policy --for management` prints its policy)"
                )
            });
            list(org, (id, management), listed, caller_account, filter, hint).await
        }
        Err(not) => undescribed(not, caller_account),
    }
}

/// What discovery found when `DescribeOrganization` named no organization.
pub fn undescribed(not: NotDescribed, caller_account: &str) -> Discovered {
    match not {
        NotDescribed::NoOrganization => no_organization(caller_account),
        NotDescribed::Unknown(gap) => not_listed(caller_account, None, gap, None),
    }
}

/// Every account of the organization (`ListAccounts`, all pages).
pub async fn list_accounts(
    org: &aws_sdk_organizations::Client,
) -> Result<Vec<aws_sdk_organizations::types::Account>, Gap> {
    org.list_accounts()
        .into_paginator()
        .send()
        .try_collect()
        .await
        .map(|pages| {
            pages
                .iter()
                .flat_map(|p| p.accounts().to_vec())
                .collect::<Vec<_>>()
        })
        .map_err(|e| classify("organizations:ListAccounts", &e))
}

/// The accounts in scope of a described organization, from `listed` (its
/// `ListAccounts` answer) and, for `--ou`, more calls through `org`. A
/// failure is SCAN005; `hint` says how to fix it.
pub async fn list(
    org: &aws_sdk_organizations::Client,
    organization: Organization,
    listed: Result<Vec<aws_sdk_organizations::types::Account>, Gap>,
    caller_account: &str,
    filter: &ScopeFilter,
    hint: Option<String>,
) -> Discovered {
    let organization = Some(organization);
    let listed = match listed {
        Ok(l) => l,
        Err(gap) => return not_listed(caller_account, organization, gap, hint),
    };
    if let Some(gap) = incomplete(&listed, caller_account, organization.as_ref()) {
        return not_listed(caller_account, organization, gap, None);
    }
    let under_ous = if filter.ous.is_empty() {
        None
    } else {
        match accounts_under(org, &filter.ous).await {
            Ok(set) => Some(set),
            Err(gap) => return not_listed(caller_account, organization, gap, hint),
        }
    };
    let mut accounts = BTreeMap::new();
    let mut out_of_scope = Vec::new();
    for a in &listed {
        let id = a.id().unwrap_or_default().to_string();
        let name = a.name().map(str::to_string);
        #[allow(deprecated)]
        let state = match (a.state(), a.status()) {
            (Some(s), _) => s.as_str().to_string(),
            (None, Some(s)) => s.as_str().to_string(),
            (None, None) => "UNKNOWN".to_string(),
        };
        let reason = if state != "ACTIVE" {
            Some(format!("state {state}"))
        } else if !filter.accounts.is_empty() && !filter.accounts.contains(&id) {
            Some("not listed in --accounts".to_string())
        } else if filter.exclude.contains(&id) {
            Some("excluded by --exclude-accounts".to_string())
        } else if under_ous.as_ref().is_some_and(|set| !set.contains(&id)) {
            Some("outside the --ou scope".to_string())
        } else {
            None
        };
        match reason {
            Some(reason) => out_of_scope.push(OutOfScopeAccount { id, name, reason }),
            None => {
                accounts.insert(id, name);
            }
        }
    }
    let mut notes = Vec::new();
    for wanted in &filter.accounts {
        if !listed.iter().any(|a| a.id() == Some(wanted.as_str())) {
            notes.push(format!(
                "--accounts names {wanted}, which is not in the organization"
            ));
        }
    }
    Discovered {
        organization,
        accounts,
        out_of_scope,
        notes,
        not_listed: None,
    }
}

/// A listing that misses the caller's own account or the management account
/// is incomplete (both are always members): a broken pagination, a proxy, or
/// an emulator answering a member account with nothing. Scanning only what it
/// named would drop the rest of the organization silently.
fn incomplete(
    listed: &[aws_sdk_organizations::types::Account],
    caller: &str,
    organization: Option<&(Option<String>, String)>,
) -> Option<Gap> {
    let management = organization.map(|(_, m)| m.as_str());
    let missing = [
        ("the caller's account", Some(caller)),
        ("the management account", management),
    ]
    .into_iter()
    .find_map(|(who, id)| {
        let id = id.filter(|id| !id.is_empty())?;
        (!listed.iter().any(|a| a.id() == Some(id))).then(|| format!("{who} {id}"))
    })?;
    Some(Gap {
        reason: crate::inventory::GapReason::Other,
        call: Some("organizations:ListAccounts".to_string()),
        message: format!(
            "the answer names {} account(s) but not {missing}, so the listing is incomplete",
            listed.len()
        ),
    })
}

/// Organizations answered that the caller is in no organization: its account
/// stands alone and is its own GuardDuty admin.
fn no_organization(caller: &str) -> Discovered {
    Discovered {
        organization: None,
        accounts: BTreeMap::from([(caller.to_string(), None)]),
        out_of_scope: Vec::new(),
        notes: vec![format!(
            "no organization visible (the caller's account is not in an organization): scanned the caller's account {caller} alone and treated it as the GuardDuty admin"
        )],
        not_listed: None,
    }
}

/// The organization's accounts are unknown (SCAN005): the caller's account is
/// still collected and judged, and nothing else is assumed.
fn not_listed(
    caller: &str,
    organization: Option<(Option<String>, String)>,
    mut gap: Gap,
    hint: Option<String>,
) -> Discovered {
    // A denial is what a missing role or permission looks like; a timeout is not.
    if let Some(hint) = hint.filter(|_| gap.reason == crate::inventory::GapReason::AccessDenied) {
        gap.message = format!("{}; {hint}", gap.message);
    }
    Discovered {
        organization,
        accounts: BTreeMap::from([(caller.to_string(), None)]),
        out_of_scope: Vec::new(),
        notes: vec![format!(
            "the organization's accounts could not be listed ({}): scanned the caller's account {caller} only; the rest of the organization is not assessed (SCAN005)",
            gap.describe()
        )],
        not_listed: Some(gap),
    }
}

/// Every account under the given OUs or roots, nested OUs included.
async fn accounts_under(
    org: &aws_sdk_organizations::Client,
    parents: &[String],
) -> Result<BTreeSet<String>, Gap> {
    let mut found = BTreeSet::new();
    let mut queue: Vec<String> = parents.to_vec();
    let mut seen = BTreeSet::new();
    while let Some(parent) = queue.pop() {
        if !seen.insert(parent.clone()) {
            continue;
        }
        let accounts = org
            .list_accounts_for_parent()
            .parent_id(&parent)
            .into_paginator()
            .send()
            .try_collect()
            .await
            .map_err(|e| classify("organizations:ListAccountsForParent", &e))?;
        found.extend(
            accounts
                .iter()
                .flat_map(|p| p.accounts())
                .filter_map(|a| a.id().map(str::to_string)),
        );
        let children = org
            .list_organizational_units_for_parent()
            .parent_id(&parent)
            .into_paginator()
            .send()
            .try_collect()
            .await
            .map_err(|e| classify("organizations:ListOrganizationalUnitsForParent", &e))?;
        queue.extend(
            children
                .iter()
                .flat_map(|p| p.organizational_units())
                .filter_map(|o| o.id().map(str::to_string)),
        );
    }
    Ok(found)
}

/// Regions of one account: enabled ones, and the ones not enabled (opt-in).
#[derive(Debug, Clone, Default)]
pub struct AccountRegions {
    /// Enabled regions.
    pub enabled: BTreeSet<String>,
    /// Regions not enabled for this account.
    pub not_enabled: BTreeSet<String>,
}

/// `account:ListRegions` for an account (pages), narrowed to `wanted` when given.
pub async fn regions(
    client: &aws_sdk_account::Client,
    wanted: &[String],
) -> Result<AccountRegions, Gap> {
    let listed = client
        .list_regions()
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
        .map_err(|e| classify("account:ListRegions", &e))?;
    let mut out = AccountRegions::default();
    for r in listed {
        let Some(name) = r.region_name() else {
            continue;
        };
        if !wanted.is_empty() && !wanted.iter().any(|w| w == name) {
            continue;
        }
        let enabled = matches!(
            r.region_opt_status().map(|s| s.as_str()),
            Some("ENABLED" | "ENABLED_BY_DEFAULT")
        );
        if enabled {
            out.enabled.insert(name.to_string());
        } else {
            out.not_enabled.insert(name.to_string());
        }
    }
    for w in wanted {
        if !out.enabled.contains(w) && !out.not_enabled.contains(w) {
            out.not_enabled.insert(w.clone());
        }
    }
    Ok(out)
}
