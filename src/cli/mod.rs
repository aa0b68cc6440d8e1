//! The command line: `scan`, `rules`, `explain`, … (clap derive), and their runners.

mod command_line;
mod explain;
mod live;
pub mod packaging;
mod scan;

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::config::{self, Config};
use crate::engine::{self, EngineOptions};
use crate::evidence;
use crate::output::{self, Target};
use crate::report;
use crate::report::{ExitPolicy, Format, RenderOptions, exit};
use crate::rules::{self, REGISTRY, RuleMeta};
use crate::severity::Severity;
use crate::source;

/// Proves that your AWS Organization's GuardDuty alerting reaches a human.
///
/// Exit codes: 0 ok; 1 findings at or above --fail-on; 2 usage, config or input
/// error; 3 no failing findings but some scope was not assessed.
/// `verify-evidence`: 0 verified; 1 a file or an outcome differs; 2 unreadable pack.
#[derive(Debug, Parser)]
#[command(name = "alertpath", version = VERSION.as_str(), about, long_about = None)]
pub struct Cli {
    /// The command.
    #[command(subcommand)]
    pub command: Command,
}

/// The exit codes of `scan`, shown under `scan --help`.
const EXIT_CODES: &str = "Exit codes:\n  \
    0  nothing failing at or above --fail-on, and everything assessed\n  \
    1  failures at or above --fail-on\n  \
    2  usage, config, credentials or input error (never masked)\n  \
    3  no failures, but some scope was not assessed (--allow-partial: 0)";

/// `--version`: the package version, the commit it was built from (when
/// known) and the rule catalog: `0.1.0 (commit 1a2b3c4d5e6f, 43 rules sha256:…)`.
static VERSION: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    let commit = option_env!("ALERTPATH_COMMIT")
        .map(|c| format!("commit {c}, "))
        .unwrap_or_default();
    format!(
        "{} ({commit}{} rules {})",
        env!("CARGO_PKG_VERSION"),
        REGISTRY.len(),
        rules::catalog_hash()
    )
});

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Judge an inventory (live, Terraform, or a saved snapshot) with every rule.
    #[command(after_help = EXIT_CODES)]
    Scan(Box<ScanArgs>),
    /// List every rule.
    Rules(RulesArgs),
    /// Print a rule's documentation.
    Explain(ExplainArgs),
    /// Collect the live inventory and save it as a snapshot (for `scan --snapshot`).
    Collect(Box<CollectArgs>),
    /// Print the IAM policy a principal of the set-up needs: the caller that
    /// runs alertpath, the audit role in every account, or the management
    /// account's role (README, "IAM set-up").
    InitPolicy(InitPolicyArgs),
    /// Check an evidence pack (`scan --evidence DIR`): its files (regular files
    /// directly inside it, exactly those in the manifest) and hashes, then a
    /// re-run of the rules on its inventory with the clock frozen at the scan's
    /// start, compared with report.json field by field, and the SARIF and
    /// Markdown regenerated and compared byte for byte.
    ///
    /// Exit codes: 0 every file matches and the outcomes are reproduced; 1 a file
    /// is missing, extra, altered or not a regular file, or the outcomes differ;
    /// 2 the pack cannot be read.
    VerifyEvidence(VerifyEvidenceArgs),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    Completions(packaging::CompletionsArgs),
    /// Print the man page (`alertpath man`, `alertpath man scan`), or write
    /// every page with `--dir DIR`.
    Man(packaging::ManArgs),
}

/// `alertpath init-policy`.
#[derive(Debug, Args)]
pub struct InitPolicyArgs {
    /// Whose policy: `caller` (runs alertpath: reads its own account, finds the
    /// organization, assumes the roles), `audit` (every other account),
    /// `management` (Organizations and the organization-wide administrators, in
    /// the management account). Several, comma-separated, give one policy for
    /// a principal that plays several parts (e.g. `caller,management` when
    /// alertpath runs in the management account).
    #[arg(
        long = "for",
        value_enum,
        value_delimiter = ',',
        default_value = "audit"
    )]
    pub for_: Vec<crate::source::aws::operations::PolicyFor>,
    /// The audit role's name, which the caller's policy may assume.
    #[arg(long, default_value = "alertpath-audit")]
    pub role_name: String,
    /// The management role (a name, or an ARN), which the caller's policy may
    /// assume too.
    #[arg(long)]
    pub management_role: Option<String>,
    /// The partition of the roles' ARNs.
    #[arg(long, default_value = "aws", value_parser = ["aws", "aws-us-gov", "aws-cn"])]
    pub partition: String,
}

/// `alertpath verify-evidence`.
#[derive(Debug, Args)]
pub struct VerifyEvidenceArgs {
    /// The evidence pack directory.
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,
}

/// `alertpath scan`.
#[derive(Debug, Args)]
pub struct ScanArgs {
    /// A saved inventory snapshot (from `alertpath collect`).
    #[arg(help_heading = "Input", long, value_name = "FILE")]
    pub snapshot: Option<PathBuf>,
    /// Terraform plan JSON (`terraform show -json plan.out`).
    #[arg(
        help_heading = "Input",
        long,
        value_name = "FILE",
        conflicts_with = "snapshot"
    )]
    pub plan: Option<PathBuf>,
    /// Terraform source directory (HCL). With --plan, it supplies file:line locations.
    #[arg(
        help_heading = "Input",
        long,
        value_name = "DIR",
        conflicts_with = "snapshot"
    )]
    pub terraform: Option<PathBuf>,
    /// A Terraform variable for --terraform, `NAME=VALUE`; repeatable.
    #[arg(help_heading = "Input", long = "var", value_name = "NAME=VALUE")]
    pub vars: Vec<String>,
    /// A Terraform variables file for --terraform; repeatable.
    #[arg(help_heading = "Input", long = "var-file", value_name = "FILE")]
    pub var_files: Vec<PathBuf>,
    /// The root that report paths are relative to (default: the git top level
    /// of the --terraform tree, else the current directory); files outside it
    /// are reported as absolute `file://` URIs.
    #[arg(help_heading = "Input", long, value_name = "DIR")]
    pub repo_root: Option<PathBuf>,
    /// The config file (default: ./alertpath.toml when present).
    #[arg(help_heading = "Input", long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Output format; repeat for several. Pairs in order with --output.
    #[arg(
        help_heading = "Output",
        short = 'f',
        long = "format",
        value_enum,
        value_name = "FORMAT"
    )]
    pub formats: Vec<Format>,
    /// Output file for the --format at the same position; `-` is stdout.
    #[arg(
        help_heading = "Output",
        short = 'o',
        long = "output",
        value_name = "PATH"
    )]
    pub outputs: Vec<PathBuf>,
    /// Write every requested format (all four if none) into this directory.
    #[arg(help_heading = "Output", long, value_name = "DIR")]
    pub output_dir: Option<PathBuf>,
    /// Exit 1 when a failure at or above this severity remains; `none`: never
    /// exit 1 for failures (exit 3 for unassessed scope still applies).
    #[arg(help_heading = "Exit code", long, value_name = "SEVERITY|none", default_value = "high", value_parser = fail_on)]
    pub fail_on: FailOn,
    /// Run only these rules, comma-separated (e.g. `GD001,ROUTE001`).
    #[arg(help_heading = "Rules", long = "rules", value_name = "IDS", value_delimiter = ',', value_parser = rule_id)]
    pub only_rules: Vec<String>,
    /// Never run these rules, comma-separated (added to `[rules] disable`).
    #[arg(help_heading = "Rules", long = "skip-rules", value_name = "IDS", value_delimiter = ',', value_parser = rule_id)]
    pub skip_rules: Vec<String>,
    /// List only failures and waivers at or above this severity in the text,
    /// Markdown and github views (counts stay complete; not-assessed scope is
    /// always listed). JSON and SARIF always carry every finding.
    #[arg(help_heading = "Output", long, value_name = "SEVERITY")]
    pub min_severity: Option<Severity>,
    /// Group the text and Markdown findings by account (then region) or by
    /// rule (the rule with the most severe failure first).
    #[arg(
        help_heading = "Output",
        long,
        value_enum,
        value_name = "BY",
        default_value = "account"
    )]
    pub group_by: crate::report::GroupBy,
    /// Do not exit 3 when some scope was not assessed.
    #[arg(help_heading = "Exit code", long)]
    pub allow_partial: bool,
    /// Exit 0 instead of 1 or 3 (for upload steps). Never masks 2.
    #[arg(help_heading = "Exit code", long)]
    pub exit_zero: bool,
    /// Config warnings (expired waivers) are errors.
    #[arg(help_heading = "Exit code", long)]
    pub strict_config: bool,
    /// "Known after apply" values and links to resources outside this stack
    /// count as not assessed for exit code 3.
    #[arg(help_heading = "Exit code", long)]
    pub strict_unknowns: bool,
    /// SARIF `automationDetails.id` category (default `alertpath/<source>`).
    #[arg(help_heading = "Output", long, value_name = "CATEGORY")]
    pub sarif_category: Option<String>,
    /// The previous run's SARIF of the same category: its results whose rule and
    /// subject are not assessed now are carried over, so code scanning does not
    /// close their alerts as fixed. A SARIF without alertpath's keys is refused.
    #[arg(help_heading = "Output", long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Print nothing but the requested outputs and errors.
    #[arg(help_heading = "Output", long, short)]
    pub quiet: bool,
    /// Colour: auto (a TTY, or FORCE_COLOR/CLICOLOR_FORCE set; never with
    /// NO_COLOR), always or never.
    #[arg(
        help_heading = "Output",
        long,
        value_name = "WHEN",
        default_value = "auto"
    )]
    pub color: ColorChoice,
    /// Also write an audit evidence pack into this new (or empty) directory:
    /// report, SARIF, Markdown, inventory and a manifest with hashes.
    /// `alertpath verify-evidence DIR` checks it.
    #[arg(help_heading = "Output", long, value_name = "DIR")]
    pub evidence: Option<PathBuf>,
    /// Live collection (used when no --snapshot is given).
    #[command(
        flatten,
        next_help_heading = "Live collection (no --snapshot, --plan or --terraform)"
    )]
    pub live: live::LiveArgs,
}

/// `alertpath collect`.
#[derive(Debug, Args)]
pub struct CollectArgs {
    /// Where to write the snapshot (`--out` is accepted too).
    #[arg(short = 'o', long = "output", alias = "out", value_name = "FILE")]
    pub output: PathBuf,
    /// The config file (default: ./alertpath.toml when present).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Print nothing but errors.
    #[arg(long, short)]
    pub quiet: bool,
    /// Live collection.
    #[command(flatten)]
    pub live: live::LiveArgs,
}

/// `--fail-on`: a severity, or `none` (failures never give exit 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FailOn(pub Option<Severity>);

/// Parse `--fail-on`: a severity name or `none`.
fn fail_on(s: &str) -> Result<FailOn, String> {
    if s.eq_ignore_ascii_case("none") {
        return Ok(FailOn(None));
    }
    s.parse::<Severity>()
        .map(|sev| FailOn(Some(sev)))
        .map_err(|e| format!("{e}, or none"))
}

/// Parse a `--rules`/`--skip-rules` id against the registry.
fn rule_id(s: &str) -> Result<String, String> {
    config::check_rule_id(s.trim())
}

/// When to use colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorChoice {
    /// On a TTY, or with FORCE_COLOR / CLICOLOR_FORCE set; never with NO_COLOR.
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
}

/// `alertpath rules`.
#[derive(Debug, Args)]
pub struct RulesArgs {
    /// `text` (a table) or `json`.
    #[arg(long, value_enum, default_value = "text")]
    pub format: ListFormat,
}

/// Formats for `alertpath rules`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ListFormat {
    /// A table.
    Text,
    /// JSON.
    Json,
}

/// `alertpath explain`.
#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// The rule id, e.g. GD001.
    pub rule: String,
    /// `text` (rendered for a terminal), `markdown` (the doc as written), or
    /// `auto`: text on a terminal, Markdown when piped.
    #[arg(long, value_enum, default_value = "auto")]
    pub format: ExplainFormat,
}

/// Formats for `alertpath explain`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ExplainFormat {
    /// Text on a terminal, Markdown when piped.
    Auto,
    /// Rendered for a terminal.
    Text,
    /// The Markdown doc as written.
    Markdown,
}

/// An error that ends the run with exit code 2.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);

/// Load `--config`, else `./alertpath.toml` when present, else defaults
/// ([`config::discover`]).
pub(crate) fn load_config_file(path: Option<&std::path::Path>) -> anyhow::Result<Config> {
    Ok(config::discover(path)?)
}

/// Run a parsed command line; returns the exit code. Errors print to stderr and give 2.
pub fn run(cli: Cli) -> u8 {
    let result = match cli.command {
        Command::Scan(args) => scan::scan(&args),
        Command::Rules(args) => list_rules(&args),
        Command::Explain(args) => explain(&args),
        Command::Collect(args) => live::collect(&args),
        Command::InitPolicy(args) => {
            print_stdout(&init_policy(&args));
            Ok(exit::OK)
        }
        Command::VerifyEvidence(args) => verify_evidence(&args),
        Command::Completions(args) => packaging::completions(&args),
        Command::Man(args) => packaging::man(&args),
    };
    match result {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {err:#}");
            exit::ERROR
        }
    }
}

/// The policy `init-policy` prints.
fn init_policy(args: &InitPolicyArgs) -> String {
    use crate::source::aws::operations::{AssumableRoles, policy_json};
    let roles = AssumableRoles {
        partition: args.partition.clone(),
        audit: args.role_name.clone(),
        management: args.management_role.clone(),
    };
    policy_json(&args.for_, &roles)
}

/// Whether to paint the text report: `--color always|never`, else `NO_COLOR`
/// (off), then `FORCE_COLOR` or `CLICOLOR_FORCE` (on, unless `0`; CI logs are
/// not terminals but show colour), else whether stdout is a terminal.
fn use_color(choice: ColorChoice) -> bool {
    use std::io::IsTerminal;
    let set = |name: &str| std::env::var(name).is_ok_and(|v| !v.is_empty() && v != "0");
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto if std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty()) => false,
        ColorChoice::Auto if set("FORCE_COLOR") || set("CLICOLOR_FORCE") => true,
        ColorChoice::Auto => std::io::stdout().is_terminal(),
    }
}

fn verify_evidence(args: &VerifyEvidenceArgs) -> anyhow::Result<u8> {
    match evidence::verify(&args.dir) {
        Ok(verification) => {
            print_stdout(&verification.render(&args.dir));
            Ok(verification.exit_code())
        }
        Err(err) => {
            eprintln!("error: {err}");
            Ok(evidence::exit::UNREADABLE)
        }
    }
}

fn list_rules(args: &RulesArgs) -> anyhow::Result<u8> {
    match args.format {
        ListFormat::Json => {
            let metas: Vec<&RuleMeta> = REGISTRY.iter().map(|r| &r.meta).collect();
            print_stdout(&format!("{}\n", serde_json::to_string_pretty(&metas)?));
        }
        ListFormat::Text => print_stdout(&rules::text_table()),
    }
    Ok(exit::OK)
}

fn explain(args: &ExplainArgs) -> anyhow::Result<u8> {
    match rules::find(&args.rule) {
        Some(rule) => {
            use std::io::IsTerminal;
            let text = match args.format {
                ExplainFormat::Markdown => false,
                ExplainFormat::Text => true,
                ExplainFormat::Auto => std::io::stdout().is_terminal(),
            };
            if text {
                let color = use_color(ColorChoice::Auto);
                print_stdout(&explain::render(rule.meta.doc, color));
            } else {
                print_stdout(rule.meta.doc);
            }
            Ok(exit::OK)
        }
        None => Err(UsageError(format!(
            "unknown rule `{}`; `alertpath rules` lists every rule",
            args.rule
        ))
        .into()),
    }
}

/// Write to stdout. A reader that went away (`EPIPE`, as in `alertpath scan |
/// head -c 100`) ends the output quietly; the run still finishes and exits
/// with its own code.
pub fn print_stdout(text: &str) {
    use std::io::Write as _;
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
        Err(e) => eprintln!("error: cannot write to stdout: {e}"),
    }
}
