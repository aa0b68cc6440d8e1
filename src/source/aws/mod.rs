//! The live AWS source: assumes a read-only role in every in-scope account of
//! the organization, collects every enabled region, and builds the inventory.
//!
//! Flow: [`clients`] loads the caller's config (standard chain, `--profile`,
//! `--endpoint-url`, adaptive retry, timeouts); [`discovery`] finds the
//! organization, the accounts in scope and, per account, the enabled regions;
//! [`management`] reads the management account's view as jobs need it;
//! [`region`] collects each account × region through the [`services`]
//! modules. Accounts and regions are pipelined: an account's regions are
//! queued as soon as it is reached, at most `--concurrency` tasks alive at
//! once; references into other accounts or regions are fetched last. The time
//! model and measured figures are in docs/scale.md.
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
//! `guardduty:ListOrganizationAdminAccounts` per region. Target: ≤ 15
//! (measured: 11.1 with Security Hub's `DescribeHub`, docs/scale.md).
//!
//! # Memory
//! Every client shares one HTTPS client ([`clients::shared_http_client`]) and
//! the accounts share one STS client; an account × region's clients, task and
//! responses live only while it is collected; what stays is its
//! [`RegionFacts`]. Measure with `scripts/bench.sh --slope` (`BENCH_DHAT=1`
//! for the heap per phase).
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

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::sync::Arc;

use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use crate::inventory::{
    AccessPath, Account, Caller, Gap, GapReason, Inventory, Observed, Organization, RegionFacts,
    RegionSlot, SourceKind, arn,
};
use clients::{AssumedRole, Clients, ConnectOptions};
use discovery::{AccountRegions, ScopeFilter};
use management::ManagementReader;
use region::{AdminSource, ConfigNames, FollowUp, FollowUpKind, RegionJob};
use services::guardduty::AdminRole;
use stats::{Stats, StatsSummary};

/// The default role assumed in each account.
pub const DEFAULT_ROLE_NAME: &str = "alertpath-audit";
/// The default number of collection tasks (account set-ups and account ×
/// regions) at once. Chosen for real AWS, where a call takes tens of
/// milliseconds: see docs/scale.md.
pub const DEFAULT_CONCURRENCY: usize = 64;

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
    /// Collection tasks (account set-ups and account × regions) at once.
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
    /// The account's clients (its credentials and call budgets), when reached.
    clients: Option<Clients>,
    access: Observed<AccessPath>,
    regions: AccountRegions,
    note: Option<String>,
    /// Set when the enabled regions could not be listed and no --regions was given.
    region_discovery: Option<Gap>,
}

/// How the scan reads the management account's view.
enum Management {
    /// No organization visible: every account stands alone.
    Standalone,
    /// The organization's accounts could not be listed: the caller asks the
    /// management view itself; an answer also identifies it as the
    /// management account.
    Unlisted(Arc<ManagementReader>),
    /// The organization, and its view (or why it cannot be read).
    Listed {
        id: Option<String>,
        management: String,
        reader: Result<Arc<ManagementReader>, Gap>,
    },
}

impl Management {
    /// How a job learns whether its account is GuardDuty's admin.
    fn admin_source(&self) -> AdminSource {
        match (self, self.reader()) {
            (_, Some(reader)) => AdminSource::Management(reader),
            (Management::Standalone, None) => AdminSource::Known(AdminRole::Standalone),
            (_, None) => AdminSource::Known(AdminRole::Unknown),
        }
    }

    /// The reader of the management view, when there is one.
    fn reader(&self) -> Option<Arc<ManagementReader>> {
        match self {
            Management::Unlisted(reader)
            | Management::Listed {
                reader: Ok(reader), ..
            } => Some(reader.clone()),
            _ => None,
        }
    }

    /// The organization for the inventory, its view completed over `regions`.
    async fn organization(
        self,
        caller: &Caller,
        regions: &BTreeSet<String>,
    ) -> Option<Organization> {
        match self {
            Management::Standalone => None,
            Management::Unlisted(reader) => {
                let view = reader.view(regions).await;
                let answered = view
                    .guardduty_admins
                    .values()
                    .any(|o| o.collected().is_some());
                answered.then(|| Organization {
                    id: None,
                    management_account: caller.account.clone(),
                    management_view: Observed::Collected(view),
                })
            }
            Management::Listed {
                id,
                management,
                reader,
            } => Some(Organization {
                id,
                management_account: management,
                management_view: match reader {
                    Ok(reader) => Observed::Collected(reader.view(regions).await),
                    Err(gap) => Observed::Gap(gap),
                },
            }),
        }
    }
}

/// What a collection task hands back.
enum Done {
    /// An account reached (or not), with its regions.
    Account(Box<AccountSetup>),
    /// One account × region collected.
    Region(RegionJob, Box<RegionFacts>, Vec<FollowUp>),
}

/// The profile the caller's credentials come from, when one is named.
fn caller_profile(options: &LiveOptions) -> Option<String> {
    options
        .connect
        .profile
        .clone()
        .or_else(|| std::env::var("AWS_PROFILE").ok().filter(|p| !p.is_empty()))
}

/// Collect the organization. Accounts and regions are pipelined: an
/// account's regions are collected as soon as its role is assumed and its
/// regions listed, while other accounts are still being reached; at most
/// `--concurrency` tasks (account set-ups and account × regions) run at once.
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
        .map_err(|e| {
            LiveError::Caller(errors::caller_problem(
                &e,
                caller_profile(options).as_deref(),
            ))
        })?;
    let caller = Caller {
        account: identity.account().unwrap_or_default().to_string(),
        arn: identity.arn().unwrap_or_default().to_string(),
    };

    let progress = progress::Progress::new(stats.clone());
    let drawer = options.progress.then(|| progress.spawn());

    let (found, listed_with) =
        find_organization(options, &base, &stats, &caller, &caller_clients, &partition).await;
    progress.set_accounts(found.accounts.len());
    crate::heap::mark("discovered");
    let management = match (&found.organization, listed_with) {
        (None, _) if found.not_listed.is_some() => {
            Management::Unlisted(Arc::new(ManagementReader::new(caller_clients.clone())))
        }
        (None, _) => Management::Standalone,
        (Some((id, management)), clients) => Management::Listed {
            id: id.clone(),
            management: management.clone(),
            reader: match clients {
                Some(clients) => clients,
                None => {
                    management_clients(options, &base, &stats, &caller, management, &partition)
                        .await
                }
            }
            .map(|clients| Arc::new(ManagementReader::new(clients))),
        },
    };
    let admin = management.admin_source();
    if let Some(reader) = management.reader() {
        // Asked now, beside collection, rather than after it.
        tokio::spawn(async move { reader.delegated_administrators().await });
    }

    let mut inventory = Inventory::new(SourceKind::Live);
    inventory.source.collected_at =
        Some(chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true));
    inventory.source.partition = partition.clone();
    inventory.source.caller = Some(caller.clone());
    inventory.source.notes = found.notes.clone();
    inventory.out_of_scope = found.out_of_scope.clone();
    inventory.organization_not_listed = found.not_listed.clone();

    // Accounts, then each account's regions as soon as it is reached.
    let limit = options.concurrency.max(1);
    // One STS client for every account's AssumeRole: a client per account
    // would be kept, with its runtime plugins, for the whole scan.
    let caller_sts = caller_clients.sts();
    let base = Arc::new(base);
    let wanted = Arc::new(options.regions.clone());
    let names = Arc::new(options.names.clone());
    let mut pending_accounts = found.accounts.iter();
    let mut jobs: VecDeque<(RegionJob, Clients)> = VecDeque::new();
    let mut set: JoinSet<Done> = JoinSet::new();
    let mut account_tasks = BTreeMap::new();
    // Per account: its clients (for follow-ups) and its note, in account order.
    let mut account_clients: BTreeMap<String, Clients> = BTreeMap::new();
    let mut notes: BTreeMap<String, String> = BTreeMap::new();
    let mut all_regions: BTreeSet<String> = BTreeSet::new();
    let mut regions = RegionResults::default();
    loop {
        // Fill the free slots: reached accounts' regions first (their clients
        // are alive already), then the next account.
        while set.len() < limit {
            if let Some((job, clients)) = jobs.pop_front() {
                let names = names.clone();
                let key = (job.account.clone(), job.region.clone());
                let task = set.spawn(async move {
                    let clients = clients.in_region(&job.region);
                    let (facts, follow) = region::collect(&job, &clients, &names).await;
                    Done::Region(job, Box::new(facts), follow)
                });
                regions.tasks.insert(task.id(), key);
            } else if let Some((id, name)) = pending_accounts.next() {
                let role = (id != &caller.account).then(|| {
                    Arc::new(AssumedRole::new(
                        caller_sts.clone(),
                        format!("arn:{partition}:iam::{id}:role/{}", options.role_name),
                        options.external_id.clone(),
                    ))
                });
                let (id, name, base, stats, wanted) = (
                    id.clone(),
                    name.clone(),
                    base.clone(),
                    stats.clone(),
                    wanted.clone(),
                );
                let key = (id.clone(), name.clone());
                let task = set.spawn(async move {
                    Done::Account(Box::new(
                        setup_account(id, name, role, &base, stats, &wanted).await,
                    ))
                });
                account_tasks.insert(task.id(), key);
            } else {
                break;
            }
        }
        let Some(done) = set.join_next().await else {
            break;
        };
        let setup = match done {
            Ok(Done::Region(job, facts, follow)) => {
                regions.record(&progress, Ok((job, *facts, follow)));
                continue;
            }
            Ok(Done::Account(setup)) => *setup,
            Err(error) => match account_setup(Err(error), &mut account_tasks) {
                Ok(setup) => setup,
                Err(error) => {
                    regions.record(&progress, Err(error));
                    continue;
                }
            },
        };
        if let Some(note) = setup.note.clone() {
            notes.insert(setup.id.clone(), note);
        }
        let mut account = Account {
            name: setup.name.clone(),
            access: setup.access.clone(),
            regions: BTreeMap::new(),
            region_discovery: setup.region_discovery.clone(),
        };
        for r in &setup.regions.not_enabled {
            account.regions.insert(r.clone(), RegionSlot::NotEnabled);
        }
        inventory.accounts.insert(setup.id.clone(), account);
        let Some(clients) = setup.clients else {
            progress.account_done(1);
            continue;
        };
        progress.add_regions(setup.regions.enabled.len());
        if setup.regions.enabled.is_empty() {
            progress.account_done(0);
        }
        regions
            .remaining
            .insert(setup.id.clone(), setup.regions.enabled.len());
        for region in &setup.regions.enabled {
            all_regions.insert(region.clone());
            let job = RegionJob {
                account: setup.id.clone(),
                region: region.clone(),
                partition: partition.clone(),
                global_region: global_region.clone(),
                admin: admin.clone(),
            };
            jobs.push_back((job, clients.clone()));
        }
        account_clients.insert(setup.id.clone(), clients);
    }
    inventory.source.notes.extend(notes.into_values());
    let RegionResults {
        mut collected,
        follow_ups,
        mut failed,
        ..
    } = regions;
    crate::heap::mark("accounts and regions done");

    // Resources referenced from another account or region.
    let sem = Arc::new(Semaphore::new(limit));
    let mut set = JoinSet::new();
    let mut followed = Vec::new();
    let mut follow_up_tasks = BTreeMap::new();
    for ((account, region), mut kinds) in follow_ups {
        let Some(mut facts) = collected.remove(&(account.clone(), region.clone())) else {
            continue;
        };
        let Some(clients) = account_clients.get(&account).cloned() else {
            collected.insert((account, region), facts);
            continue;
        };
        kinds.sort();
        kinds.dedup();
        let (sem, names) = (sem.clone(), names.clone());
        make_room(&mut set, limit, |done| followed.push(done)).await;
        let key = (account.clone(), region.clone());
        let task = set.spawn(async move {
            let _permit = sem.acquire_owned().await;
            let clients = clients.in_region(&region);
            region::follow_up(&mut facts, &clients, &kinds, &names).await;
            (account, region, facts)
        });
        follow_up_tasks.insert(task.id(), key);
    }
    drop(account_clients);
    make_room(&mut set, 1, |done| followed.push(done)).await;
    for done in followed {
        match done {
            Ok((account, region, facts)) => {
                collected.insert((account, region), facts);
            }
            // A panicked or cancelled follow-up took the region's facts with it.
            Err(error) => {
                if let Some((account, region)) = follow_up_tasks.remove(&error.id()) {
                    let gap = task_gap(&format!("{region} of account {account}"), &error);
                    failed.insert((account, region), gap);
                }
            }
        }
    }
    let slots = collected
        .into_iter()
        .map(|(key, facts)| (key, Observed::Collected(facts)))
        .chain(
            failed
                .into_iter()
                .map(|(key, gap)| (key, Observed::Gap(gap))),
        );
    for ((account, region), observed) in slots {
        if let Some(a) = inventory.accounts.get_mut(&account) {
            a.regions
                .insert(region, RegionSlot::Enabled(Box::new(observed)));
        }
    }
    inventory.organization = management.organization(&caller, &all_regions).await;
    crate::heap::mark("inventory built");

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

/// Phase B's results so far.
#[derive(Default)]
struct RegionResults {
    /// Per account, its regions still being collected.
    remaining: BTreeMap<String, usize>,
    /// The facts of each collected account × region.
    collected: BTreeMap<(String, String), RegionFacts>,
    /// Per account × region, what other account × regions asked of it.
    follow_ups: BTreeMap<(String, String), Vec<FollowUpKind>>,
    /// The account × region of each running task, to name a failed one.
    tasks: BTreeMap<tokio::task::Id, (String, String)>,
    /// Account × regions whose task panicked or was cancelled: gaps, never dropped.
    failed: BTreeMap<(String, String), Gap>,
}

impl RegionResults {
    /// Record one collected account × region (its task, clients and buffers
    /// are gone), or the gap a failed task leaves.
    fn record(
        &mut self,
        progress: &progress::Progress,
        done: Result<(RegionJob, RegionFacts, Vec<FollowUp>), tokio::task::JoinError>,
    ) {
        let (job, facts, follow) = match done {
            Ok(done) => done,
            Err(error) => {
                if let Some((account, region)) = self.tasks.remove(&error.id()) {
                    progress.region_done(1);
                    self.account_region_done(progress, &account);
                    let gap = task_gap(&format!("{region} of account {account}"), &error);
                    self.failed.insert((account, region), gap);
                }
                return;
            }
        };
        progress.region_done(facts.gaps().len());
        self.account_region_done(progress, &job.account);
        for FollowUp {
            account,
            region,
            kind,
        } in follow
        {
            self.follow_ups
                .entry((account, region))
                .or_default()
                .push(kind);
        }
        self.collected.insert((job.account, job.region), facts);
    }

    /// One of an account's regions is done.
    fn account_region_done(&mut self, progress: &progress::Progress, account: &str) {
        if let Some(n) = self.remaining.get_mut(account) {
            *n -= 1;
            if *n == 0 {
                progress.account_done(0);
            }
        }
    }
}

/// A failed task that was an account set-up: the account with a gap (never
/// dropped from the report). Any other task's error is handed back.
fn account_setup(
    done: Result<AccountSetup, tokio::task::JoinError>,
    tasks: &mut BTreeMap<tokio::task::Id, (String, Option<String>)>,
) -> Result<AccountSetup, tokio::task::JoinError> {
    let error = match done {
        Ok(setup) => return Ok(setup),
        Err(error) => error,
    };
    let Some((id, name)) = tasks.remove(&error.id()) else {
        return Err(error);
    };
    let access = Observed::Gap(task_gap(&format!("account {id}"), &error));
    Ok(AccountSetup {
        id,
        name,
        clients: None,
        access,
        regions: AccountRegions::default(),
        note: None,
        region_discovery: None,
    })
}

/// Wait until `set` holds fewer than `limit` tasks, handing each finished
/// task's output (or its `JoinError`, which the caller turns into a gap) to
/// `done`. Spawning only after this keeps at most `limit` tasks (and their
/// futures, clients and buffers) alive, instead of one per account or
/// account × region for the whole phase; `limit` 1 drains the set.
async fn make_room<T: 'static>(
    set: &mut JoinSet<T>,
    limit: usize,
    mut done: impl FnMut(Result<T, tokio::task::JoinError>),
) {
    while set.len() >= limit {
        match set.join_next().await {
            Some(output) => done(output),
            None => break,
        }
    }
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
            clients: None,
            access: Observed::Gap(gap),
            regions: AccountRegions::default(),
            note: None,
            region_discovery: None,
        };
    }
    let config = clients::account_config(base, role);
    let clients = Clients::new(config, stats);
    let (regions, note, region_discovery) =
        match discovery::regions(&clients.account(), wanted).await {
            Ok(r) => (r, None, None),
            Err(gap) => {
                let fallback: BTreeSet<String> = if wanted.is_empty() {
                    clients
                        .config
                        .region()
                        .map(|r| r.to_string())
                        .into_iter()
                        .collect()
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
        clients: Some(clients),
        access: Observed::Collected(access),
        regions,
        note,
        region_discovery,
    }
}

/// Finds the organization and the accounts in scope. The accounts are listed
/// with the management account's clients when `--management-role` is given
/// (the caller's when it is the management account), else with the caller's
/// (the management account, or an Organizations delegated administrator), so
/// a scan from a security account lists the whole organization. Returns the
/// management account's clients too, when they were needed.
async fn find_organization(
    options: &LiveOptions,
    base: &aws_config::SdkConfig,
    stats: &Arc<Stats>,
    caller: &Caller,
    caller_clients: &Clients,
    partition: &str,
) -> (discovery::Discovered, Option<Result<Clients, Gap>>) {
    let caller_org = caller_clients.organizations();
    if options.management_role.is_none() {
        // DescribeOrganization and ListAccounts at once, with the caller's credentials.
        let found = discovery::discover(&caller_org, &caller.account, &options.scope).await;
        return (found, None);
    }
    match discovery::describe(&caller_org).await {
        Ok((id, management)) => {
            let clients =
                management_clients(options, base, stats, caller, &management, partition).await;
            let (lister, hint) = match &clients {
                Ok(clients) => (clients.organizations(), None),
                Err(gap) => (
                    caller_org,
                    Some(format!(
                        "the management role could not be assumed ({}), so the caller's own credentials were used",
                        gap.describe()
                    )),
                ),
            };
            let listed = discovery::list_accounts(&lister).await;
            let found = discovery::list(
                &lister,
                (id, management),
                listed,
                &caller.account,
                &options.scope,
                hint,
            )
            .await;
            (found, Some(clients))
        }
        Err(not) => (discovery::undescribed(not, &caller.account), None),
    }
}

/// The management account's clients: the caller's when it is the management
/// account, else through `--management-role`; without either, the reason.
async fn management_clients(
    options: &LiveOptions,
    base: &aws_config::SdkConfig,
    stats: &Arc<Stats>,
    caller: &Caller,
    management: &str,
    partition: &str,
) -> Result<Clients, Gap> {
    if caller.account == management {
        return Ok(Clients::new(base.clone(), stats.clone()));
    }
    let Some(role) = &options.management_role else {
        return Err(Gap {
            reason: GapReason::Other,
            call: None,
            message: format!(
                "the caller ({}) is not the management account ({management}); give --management-role to read the organization's GuardDuty administration",
                caller.account
            ),
        });
    };
    let role_arn = operations::role_arn(role, partition, management);
    let sts = Clients::new(base.clone(), stats.clone()).sts();
    let assumed = Arc::new(AssumedRole::new(sts, role_arn, options.external_id.clone()));
    assumed.credentials().await?;
    Ok(Clients::new(
        clients::account_config(base, Some(assumed)),
        stats.clone(),
    ))
}

/// The gap left by a collection task that panicked or was cancelled.
fn task_gap(scope: &str, error: &tokio::task::JoinError) -> Gap {
    let what = if error.is_cancelled() {
        "was cancelled"
    } else {
        "panicked"
    };
    Gap {
        reason: GapReason::Other,
        call: None,
        message: format!("the collection task for {scope} {what}; its facts are unknown"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    /// Counts the values alive at once and the most ever alive.
    #[derive(Default)]
    struct Census {
        alive: AtomicUsize,
        most: AtomicUsize,
    }

    struct Member(Arc<Census>);

    impl Member {
        fn new(census: &Arc<Census>) -> Self {
            let now = census.alive.fetch_add(1, Ordering::SeqCst) + 1;
            census.most.fetch_max(now, Ordering::SeqCst);
            Member(census.clone())
        }
    }

    impl Drop for Member {
        fn drop(&mut self) {
            self.0.alive.fetch_sub(1, Ordering::SeqCst);
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn make_room_keeps_at_most_limit_tasks_alive_and_hands_over_every_output() {
        let census = Arc::new(Census::default());
        let mut set = JoinSet::new();
        let mut outputs = Vec::new();
        for i in 0..64u64 {
            make_room(&mut set, 4, |o| outputs.extend(o.ok())).await;
            // Created before the spawn, like a job's clients: it lives as long as its task.
            let member = Member::new(&census);
            set.spawn(async move {
                let _member = member;
                tokio::time::sleep(Duration::from_millis(1 + i % 3)).await;
                i
            });
        }
        make_room(&mut set, 1, |o| outputs.extend(o.ok())).await;
        assert!(set.is_empty());
        outputs.sort_unstable();
        assert_eq!(outputs, (0..64).collect::<Vec<_>>());
        let most = census.most.load(Ordering::SeqCst);
        assert!(most <= 4, "{most} tasks alive at once, limit 4");
        assert_eq!(census.alive.load(Ordering::SeqCst), 0);
    }

    /// A panicked collection task is a gap naming its scope, not a silent loss.
    #[tokio::test]
    async fn panicked_task_becomes_a_gap() {
        let mut set: JoinSet<()> = JoinSet::new();
        let mut scopes = BTreeMap::new();
        let handle = set.spawn(async { panic!("boom") });
        scopes.insert(handle.id(), "eu-west-1 of account 111111111111".to_string());
        let Some(Err(error)) = set.join_next_with_id().await else {
            panic!("the task should fail");
        };
        let gap = task_gap(&scopes[&error.id()], &error);
        assert_eq!(
            gap.message,
            "the collection task for eu-west-1 of account 111111111111 panicked; its facts are unknown"
        );
        let cancelled = set.spawn(std::future::pending::<()>());
        cancelled.abort();
        let Some(Err(error)) = set.join_next_with_id().await else {
            panic!("the task should be cancelled");
        };
        assert!(
            task_gap("x", &error)
                .message
                .ends_with("was cancelled; its facts are unknown")
        );
    }
}
