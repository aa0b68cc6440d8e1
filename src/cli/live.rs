//! The live flags (`LiveArgs`, flattened into `scan` and `collect`) and their
//! runners.

use std::time::Duration;

use clap::Args;

use crate::cli::{CollectArgs, UsageError};
use crate::config::Config;
use crate::report::exit;
use crate::source::aws::clients::ConnectOptions;
use crate::source::aws::discovery::ScopeFilter;
use crate::source::aws::region::ConfigNames;
use crate::source::aws::{self, Collected, LiveOptions};

/// Flags of a live collection.
#[derive(Debug, Clone, Args)]
pub struct LiveArgs {
    /// The AWS profile to use (default: the standard credential chain).
    #[arg(long, value_name = "NAME")]
    pub profile: Option<String>,
    /// Send every AWS call to this endpoint (an emulator); AWS_ENDPOINT_URL works too.
    #[arg(long, value_name = "URL")]
    pub endpoint_url: Option<String>,
    /// Only these regions, comma-separated (default: every region enabled per account).
    #[arg(long, value_name = "REGIONS", value_delimiter = ',', value_parser = region_name)]
    pub regions: Vec<String>,
    /// Only these accounts, comma-separated.
    #[arg(long, value_name = "IDS", value_delimiter = ',', value_parser = account_id)]
    pub accounts: Vec<String>,
    /// Never these accounts, comma-separated.
    #[arg(long, value_name = "IDS", value_delimiter = ',', value_parser = account_id)]
    pub exclude_accounts: Vec<String>,
    /// Only accounts under these OUs (or roots), nested OUs included; comma-separated.
    #[arg(long, value_name = "OU_IDS", value_delimiter = ',')]
    pub ou: Vec<String>,
    /// The role assumed in each account [default: alertpath-audit].
    #[arg(long, value_name = "NAME")]
    pub role_name: Option<String>,
    /// The external id the role requires.
    #[arg(long, value_name = "ID")]
    pub external_id: Option<String>,
    /// A role (name or ARN) in the management account, when the caller is not
    /// it: the accounts are listed and the organization-wide views read
    /// through it (`alertpath init-policy --for management`).
    #[arg(long, value_name = "ROLE")]
    pub management_role: Option<String>,
    /// Collection tasks (account set-ups and account × regions) at once.
    #[arg(long, value_name = "N", default_value_t = aws::DEFAULT_CONCURRENCY)]
    pub concurrency: usize,
    /// Seconds before one attempt of a call times out.
    #[arg(long, value_name = "SECS", default_value_t = 10.0)]
    pub attempt_timeout: f64,
    /// Attempts per call, retries included (adaptive retry).
    #[arg(long, value_name = "N", default_value_t = 3)]
    pub max_attempts: u32,
    /// Print API call statistics on stderr.
    #[arg(long)]
    pub stats: bool,
}

/// `--accounts` / `--exclude-accounts` values: 12-digit account ids, checked
/// when the flags are parsed, whatever the input.
fn account_id(id: &str) -> Result<String, String> {
    if crate::inventory::is_account_id(id) {
        Ok(id.to_string())
    } else {
        Err(format!("`{id}` is not a 12-digit account id"))
    }
}

/// `--regions` values: known region names, checked by the same function as
/// `[scope] regions` in config ([`crate::config::check_region`]).
fn region_name(name: &str) -> Result<String, String> {
    crate::config::check_region(name.trim())
}

impl LiveArgs {
    /// Options for the collector: flags first, then `[scope]` in config.
    pub fn options(&self, config: &Config, quiet: bool) -> Result<LiveOptions, UsageError> {
        if !(self.attempt_timeout > 0.0 && self.attempt_timeout <= 3600.0) {
            return Err(UsageError(
                "--attempt-timeout must be between 0 and 3600 seconds".into(),
            ));
        }
        let or = |flag: &Vec<String>, conf: &Vec<String>| {
            if flag.is_empty() {
                conf.clone()
            } else {
                flag.clone()
            }
        };
        let scope = &config.scope;
        Ok(LiveOptions {
            connect: ConnectOptions {
                profile: self.profile.clone(),
                endpoint_url: self.endpoint_url.clone(),
                attempt_timeout: Duration::from_secs_f64(self.attempt_timeout),
                max_attempts: self.max_attempts.max(1),
            },
            regions: or(&self.regions, &scope.regions),
            scope: ScopeFilter {
                accounts: or(&self.accounts, &scope.accounts),
                exclude: or(&self.exclude_accounts, &scope.exclude_accounts),
                ous: or(&self.ou, &scope.organizational_units),
            },
            role_name: self
                .role_name
                .clone()
                .or_else(|| scope.role_name.clone())
                .unwrap_or_else(|| aws::DEFAULT_ROLE_NAME.to_string()),
            external_id: self
                .external_id
                .clone()
                .or_else(|| scope.external_id.clone()),
            management_role: self
                .management_role
                .clone()
                .or_else(|| scope.management_role.clone()),
            concurrency: self.concurrency.max(1),
            progress: !quiet,
            names: ConfigNames {
                topics: config.chain.topics.clone(),
                parameters: config.secrets.parameters.clone(),
                pager_patterns: config.pager.endpoint_patterns.clone(),
            },
        })
    }
}

/// Run a live collection on a fresh tokio runtime; prints `--stats` on stderr.
pub(crate) fn run_live(args: &LiveArgs, config: &Config, quiet: bool) -> anyhow::Result<Collected> {
    let options = args.options(config, quiet)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let collected = runtime.block_on(aws::collect(&options))?;
    if args.stats {
        eprint!("{}", collected.stats.render());
    }
    Ok(collected)
}

/// `alertpath collect --output FILE`.
pub(crate) fn collect(args: &CollectArgs) -> anyhow::Result<u8> {
    let target = crate::output::target::resolve(&args.output).map_err(UsageError)?;
    let config_file = args
        .config
        .clone()
        .unwrap_or_else(|| crate::config::DEFAULT_FILE.into());
    let inputs = crate::output::Inputs {
        files: vec![("config", config_file)],
        ..crate::output::Inputs::default()
    };
    crate::output::check_not_input(&target, &inputs).map_err(|e| UsageError(e.0))?;
    let config = super::load_config_file(args.config.as_deref())?;
    let collected = run_live(&args.live, &config, args.quiet)?;
    let text = crate::source::snapshot::to_json(&collected.inventory)?;
    target.write(text.as_bytes())?;
    if !args.quiet {
        eprintln!("wrote {}", args.output.display());
    }
    Ok(exit::OK)
}
