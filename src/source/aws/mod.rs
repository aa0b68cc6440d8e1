//! The live AWS source: assumes a read-only role in every in-scope account of
//! the organization, collects every enabled region, and builds the inventory.
//!
//! Flow: [`clients`] loads the caller's config (standard chain, `--profile`,
//! `--endpoint-url`, adaptive retry, timeouts); [`discovery`] finds the
//! organization, the accounts in scope and, per account, the enabled regions;
//! [`management`] reads the management account's view; [`region`] collects each
//! account × region through the [`services`] modules, fanned out with a bounded
//! semaphore; references into other accounts or regions are fetched last.
//! Every failed call becomes a [`crate::inventory::Gap`] ([`errors`]), never an
//! empty list. [`stats`] counts calls; [`progress`] reports on stderr.
//!
//! # Call budget per account × region
//! Healthy member account (2 regions), average per account × region:
//! `sts:AssumeRole` ½ and `account:ListRegions` ½ (once per account);
//! `guardduty:ListDetectors` 1 + `GetDetector` 1; `events:ListRules` 1 +
//! `ListTargetsByRule` per rule matching a sample (the root sign-in rule:
//! ½); `events:DescribeEventBus` 1; `cloudwatch:DescribeAlarms` 1;
//! `sns:GetTopicAttributes` per chain topic + `ListSubscriptions` 1 when there
//! is one (+ `GetSubscriptionAttributes` per confirmed subscription) (~1½);
//! `ssm:DescribeParameters` 1; `cloudtrail:DescribeTrails` + `GetTrailStatus`
//! per trail in the global region only (1); about 10 in all. The admin account
//! adds per region `DescribeOrganizationConfiguration` 1 + `ListMembers`
//! pages (50 members a page), and for its chain: 3 calls per subscribed
//! function, `DescribeMetricFilters` per notifier log group, and
//! `kms:DescribeKey` + `GetKeyPolicy` per topic key. The organization adds
//! `sts:GetCallerIdentity`, `organizations:DescribeOrganization`,
//! `ListAccounts` (20 a page), `ListDelegatedAdministrators`, and
//! `guardduty:ListOrganizationAdminAccounts` per region. Target: ≤ 15.
//!
//! Trails are read only in the partition's global region (root sign-in lands
//! there); other regions' `trails` are empty by design.

pub mod clients;
pub mod discovery;
pub mod errors;
pub mod management;
pub mod operations;
pub mod progress;
pub mod region;
pub mod services;
pub mod stats;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use crate::inventory::{
    AccessPath, Account, Caller, Gap, GapReason, Inventory, Observed, Organization, RegionFacts,
    RegionSlot, SourceKind, arn,
};
use clients::{AssumedRole, Clients, ConnectOptions};
use discovery::{AccountRegions, ScopeFilter};
use region::{ConfigNames, FollowUp, FollowUpKind, RegionJob};
use services::guardduty::AdminRole;
use stats::{Stats, StatsSummary};

/// The default role assumed in each account.
pub const DEFAULT_ROLE_NAME: &str = "alertpath-audit";
/// The default number of account × regions collected at once.
pub const DEFAULT_CONCURRENCY: usize = 16;

/// Everything a live collection needs.
#[derive(Debug, Clone)]
pub struct LiveOptions {
    /// Credentials, endpoint, retries and timeouts.
    pub connect: ConnectOptions,
    /// Only these regions (still per-account opt-in aware); empty = all enabled.
    pub regions: Vec<String>,
    /// Account filters.
    pub scope: ScopeFilter,
    /// The role to assume in each account.
    pub role_name: String,
    /// The external id for the role, if any.
    pub external_id: Option<String>,
    /// A role (name or ARN) reaching the management account.
    pub management_role: Option<String>,
    /// Account × regions collected at once.
    pub concurrency: usize,
    /// Show progress on stderr.
    pub progress: bool,
    /// Names from config.
    pub names: ConfigNames,
}

/// A collected inventory with its call statistics.
#[derive(Debug)]
pub struct Collected {
    /// The inventory.
    pub inventory: Inventory,
    /// Call statistics.
    pub stats: StatsSummary,
}

/// Errors that stop a live collection (exit code 2).
#[derive(Debug, thiserror::Error)]
pub enum LiveError {
    /// The caller's identity could not be read: no credentials, or the endpoint is unreachable.
    #[error("cannot identify the caller (sts:GetCallerIdentity): {0}")]
    Caller(String),
}

struct AccountSetup {
    id: String,
    name: Option<String>,
    config: Option<aws_config::SdkConfig>,
    access: Observed<AccessPath>,
    regions: AccountRegions,
    note: Option<String>,
    /// Set when the enabled regions could not be listed and no --regions was given.
    region_discovery: Option<Gap>,
}

/// Collect the organization.
pub async fn collect(options: &LiveOptions) -> Result<Collected, LiveError> {
    let stats = Arc::new(Stats::default());
    let base = clients::load_base(&options.connect, "us-east-1").await;
    let base_region = base
        .region()
        .map_or("us-east-1".to_string(), |r| r.to_string());
    let partition = arn::partition_of_region(&base_region).to_string();
    let global_region = arn::global_region(&partition).to_string();
    let caller_clients = Clients::new(base.clone(), stats.clone());
    let identity = caller_clients
        .sts()
        .get_caller_identity()
        .send()
        .await
        .map_err(|e| LiveError::Caller(errors::classify("sts:GetCallerIdentity", &e).describe()))?;
    let caller = Caller {
        account: identity.account().unwrap_or_default().to_string(),
        arn: identity.arn().unwrap_or_default().to_string(),
    };

    let progress = progress::Progress::new(stats.clone());
    let drawer = options.progress.then(|| progress.spawn());

    let found = match discovery::discover(
        &caller_clients.organizations(),
        &caller.account,
        &options.scope,
    )
    .await
    {
        Ok(found) => found,
        Err(gap) => {
            let mut d = discovery::Discovered {
                organization: None,
                accounts: BTreeMap::from([(caller.account.clone(), None)]),
                out_of_scope: Vec::new(),
                notes: Vec::new(),
            };
            d.notes.push(format!(
                "--ou could not be resolved ({}): scanned the caller's account alone",
                gap.describe()
            ));
            d
        }
    };
    progress.set_accounts(found.accounts.len());

    // Phase A: reach each account and list its regions.
    let sem = Arc::new(Semaphore::new(options.concurrency.max(1)));
    let mut set = JoinSet::new();
    for (id, name) in &found.accounts {
        let role = (id != &caller.account).then(|| {
            Arc::new(AssumedRole::new(
                caller_clients.sts(),
                format!("arn:{partition}:iam::{id}:role/{}", options.role_name),
                options.external_id.clone(),
            ))
        });
        let (id, name, base, stats, sem) = (
            id.clone(),
            name.clone(),
            base.clone(),
            stats.clone(),
            sem.clone(),
        );
        let wanted = options.regions.clone();
        set.spawn(async move {
            let _permit = sem.acquire_owned().await;
            setup_account(id, name, role, &base, stats, &wanted).await
        });
    }
    let mut setups = Vec::new();
    while let Some(joined) = set.join_next().await {
        if let Ok(setup) = joined {
            setups.push(setup);
        }
    }
    setups.sort_by(|a, b| a.id.cmp(&b.id));

    // The management account's view.
    let all_regions: BTreeSet<String> = setups
        .iter()
        .flat_map(|s| s.regions.enabled.iter().cloned())
        .collect();
    let organization = match &found.organization {
        None => None,
        Some((org_id, management)) => Some(Organization {
            id: org_id.clone(),
            management_account: management.clone(),
            management_view: management_view(
                options,
                &base,
                &stats,
                &caller,
                management,
                &partition,
                &all_regions,
            )
            .await,
        }),
    };

    // Phase B: every account × region.
    let mut inventory = Inventory::new(SourceKind::Live);
    inventory.source.collected_at =
        Some(chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true));
    inventory.source.partition = partition.clone();
    inventory.source.caller = Some(caller.clone());
    inventory.source.notes = found.notes.clone();
    inventory.out_of_scope = found.out_of_scope.clone();
    let names = Arc::new(options.names.clone());
    let mut set = JoinSet::new();
    let mut account_configs = BTreeMap::new();
    for setup in setups {
        inventory.source.notes.extend(setup.note.clone());
        let mut account = Account {
            name: setup.name.clone(),
            access: setup.access.clone(),
            regions: BTreeMap::new(),
            region_discovery: setup.region_discovery.clone(),
        };
        for r in &setup.regions.not_enabled {
            account.regions.insert(r.clone(), RegionSlot::NotEnabled);
        }
        let Some(config) = setup.config else {
            progress.account_done(1);
            inventory.accounts.insert(setup.id.clone(), account);
            continue;
        };
        progress.add_regions(setup.regions.enabled.len());
        if setup.regions.enabled.is_empty() {
            progress.account_done(0);
        }
        for region in &setup.regions.enabled {
            let job = RegionJob {
                account: setup.id.clone(),
                region: region.clone(),
                partition: partition.clone(),
                global_region: global_region.clone(),
                admin: admin_role(organization.as_ref(), &setup.id, region),
            };
            let clients = Clients::new(clients::region_config(&config, region), stats.clone());
            let (sem, names) = (sem.clone(), names.clone());
            set.spawn(async move {
                let _permit = sem.acquire_owned().await;
                let (facts, follow) = region::collect(&job, &clients, &names).await;
                (job, facts, follow)
            });
        }
        account_configs.insert(setup.id.clone(), (config, setup.regions.enabled.len()));
        inventory.accounts.insert(setup.id.clone(), account);
    }
    let mut collected: BTreeMap<(String, String), RegionFacts> = BTreeMap::new();
    let mut follow_ups: BTreeMap<(String, String), Vec<FollowUpKind>> = BTreeMap::new();
    let mut remaining: BTreeMap<String, usize> = account_configs
        .iter()
        .map(|(id, (_, n))| (id.clone(), *n))
        .collect();
    while let Some(joined) = set.join_next().await {
        let Ok((job, facts, follow)) = joined else {
            continue;
        };
        progress.region_done(facts.gaps().len());
        if let Some(n) = remaining.get_mut(&job.account) {
            *n -= 1;
            if *n == 0 {
                progress.account_done(0);
            }
        }
        for FollowUp {
            account,
            region,
            kind,
        } in follow
        {
            follow_ups.entry((account, region)).or_default().push(kind);
        }
        collected.insert((job.account, job.region), facts);
    }

    // Phase C: resources referenced from another account or region.
    let mut set = JoinSet::new();
    for ((account, region), mut kinds) in follow_ups {
        let Some(mut facts) = collected.remove(&(account.clone(), region.clone())) else {
            continue;
        };
        let Some((config, _)) = account_configs.get(&account) else {
            collected.insert((account, region), facts);
            continue;
        };
        kinds.sort();
        kinds.dedup();
        let clients = Clients::new(clients::region_config(config, &region), stats.clone());
        let sem = sem.clone();
        set.spawn(async move {
            let _permit = sem.acquire_owned().await;
            region::follow_up(&mut facts, &clients, &kinds).await;
            (account, region, facts)
        });
    }
    while let Some(joined) = set.join_next().await {
        if let Ok((account, region, facts)) = joined {
            collected.insert((account, region), facts);
        }
    }
    for ((account, region), facts) in collected {
        if let Some(a) = inventory.accounts.get_mut(&account) {
            a.regions.insert(
                region,
                RegionSlot::Enabled(Box::new(Observed::Collected(facts))),
            );
        }
    }
    inventory.organization = organization;

    progress.finish();
    if let Some(drawer) = drawer {
        let _ = drawer.await;
    }
    let account_regions = inventory
        .accounts
        .values()
        .flat_map(|a| a.regions.values())
        .filter(|s| matches!(s, RegionSlot::Enabled(_)))
        .count() as u64;
    Ok(Collected {
        inventory,
        stats: stats.summary(account_regions),
    })
}

async fn setup_account(
    id: String,
    name: Option<String>,
    role: Option<Arc<AssumedRole>>,
    base: &aws_config::SdkConfig,
    stats: Arc<Stats>,
    wanted: &[String],
) -> AccountSetup {
    let access = match &role {
        None => AccessPath::Caller,
        Some(r) => AccessPath::AssumedRole {
            role_arn: r.role_arn().to_string(),
        },
    };
    if let Some(r) = &role
        && let Err(gap) = r.credentials().await
    {
        return AccountSetup {
            id,
            name,
            config: None,
            access: Observed::Gap(gap),
            regions: AccountRegions::default(),
            note: None,
            region_discovery: None,
        };
    }
    let config = clients::account_config(base, role);
    let clients = Clients::new(config.clone(), stats);
    let (regions, note, region_discovery) =
        match discovery::regions(&clients.account(), wanted).await {
            Ok(r) => (r, None, None),
            Err(gap) => {
                let fallback: BTreeSet<String> = if wanted.is_empty() {
                    config.region().map(|r| r.to_string()).into_iter().collect()
                } else {
                    wanted.iter().cloned().collect()
                };
                let note = format!(
                    "account {id}: {}; scanned {} without knowing which regions are enabled",
                    gap.describe(),
                    fallback.iter().cloned().collect::<Vec<_>>().join(", ")
                );
                // Without --regions, other enabled regions went unscanned: a gap.
                let discovery = wanted.is_empty().then(|| gap.clone());
                (
                    AccountRegions {
                        enabled: fallback,
                        not_enabled: BTreeSet::new(),
                    },
                    Some(note),
                    discovery,
                )
            }
        };
    AccountSetup {
        id,
        name,
        config: Some(config),
        access: Observed::Collected(access),
        regions,
        note,
        region_discovery,
    }
}

async fn management_view(
    options: &LiveOptions,
    base: &aws_config::SdkConfig,
    stats: &Arc<Stats>,
    caller: &Caller,
    management: &str,
    partition: &str,
    regions: &BTreeSet<String>,
) -> Observed<crate::inventory::ManagementView> {
    let config = if caller.account == management {
        base.clone()
    } else if let Some(role) = &options.management_role {
        let role_arn = if role.starts_with("arn:") {
            role.clone()
        } else {
            format!("arn:{partition}:iam::{management}:role/{role}")
        };
        let sts = Clients::new(base.clone(), stats.clone()).sts();
        let assumed = Arc::new(AssumedRole::new(sts, role_arn, options.external_id.clone()));
        if let Err(gap) = assumed.credentials().await {
            return Observed::Gap(gap);
        }
        clients::account_config(base, Some(assumed))
    } else {
        return Observed::Gap(Gap {
            reason: GapReason::Other,
            call: None,
            message: format!(
                "the caller ({}) is not the management account ({management}); give --management-role to read the organization's GuardDuty administration",
                caller.account
            ),
        });
    };
    Observed::Collected(management::view(&Clients::new(config, stats.clone()), regions).await)
}

fn admin_role(organization: Option<&Organization>, account: &str, region: &str) -> AdminRole {
    let Some(org) = organization else {
        return AdminRole::Standalone;
    };
    match org
        .management_view
        .collected()
        .and_then(|v| management::admin_in(v, region))
    {
        Some(Some(admin)) if admin == account => AdminRole::Admin,
        Some(_) => AdminRole::NotAdmin,
        None => AdminRole::Unknown,
    }
}
