//! The command line: `scan`, `rules`, `explain`, … (clap derive), and their runners.

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
#[command(name = "alertpath", version, about, long_about = None)]
pub struct Cli {
    /// The command.
    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Judge an inventory (live, Terraform, or a saved snapshot) with every rule.
    Scan(Box<ScanArgs>),
    /// List every rule.
    Rules(RulesArgs),
    /// Print a rule's documentation.
    Explain(ExplainArgs),
    /// Collect the live inventory and save it as a snapshot (for `scan --snapshot`).
    Collect(Box<CollectArgs>),
    /// Print the IAM policy the audit role needs.
    InitPolicy,
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
    #[arg(long, value_name = "FILE")]
    pub snapshot: Option<PathBuf>,
    /// Terraform plan JSON (`terraform show -json plan.out`).
    #[arg(long, value_name = "FILE", conflicts_with = "snapshot")]
    pub plan: Option<PathBuf>,
    /// Terraform source directory (HCL). With --plan, it supplies file:line locations.
    #[arg(long, value_name = "DIR", conflicts_with = "snapshot")]
    pub terraform: Option<PathBuf>,
    /// A Terraform variable for --terraform, `NAME=VALUE`; repeatable.
    #[arg(long = "var", value_name = "NAME=VALUE")]
    pub vars: Vec<String>,
    /// A Terraform variables file for --terraform; repeatable.
    #[arg(long = "var-file", value_name = "FILE")]
    pub var_files: Vec<PathBuf>,
    /// The config file (default: ./alertpath.toml when present).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Output format; repeat for several. Pairs in order with --output.
    #[arg(long = "format", value_enum, value_name = "FORMAT")]
    pub formats: Vec<Format>,
    /// Output file for the --format at the same position; `-` is stdout.
    #[arg(long = "output", value_name = "PATH")]
    pub outputs: Vec<PathBuf>,
    /// Write every requested format (all four if none) into this directory.
    #[arg(long, value_name = "DIR")]
    pub output_dir: Option<PathBuf>,
    /// Exit 1 when a failure at or above this severity remains.
    #[arg(long, value_name = "SEVERITY", default_value = "high")]
    pub fail_on: Severity,
    /// Do not exit 3 when some scope was not assessed.
    #[arg(long)]
    pub allow_partial: bool,
    /// Exit 0 instead of 1 or 3 (for upload steps). Never masks 2.
    #[arg(long)]
    pub exit_zero: bool,
    /// Config warnings (expired waivers) are errors.
    #[arg(long)]
    pub strict_config: bool,
    /// "Known after apply" values count as not assessed for exit code 3.
    #[arg(long)]
    pub strict_unknowns: bool,
    /// SARIF `automationDetails.id` category (default `alertpath/<source>`).
    #[arg(long, value_name = "CATEGORY")]
    pub sarif_category: Option<String>,
    /// The previous run's SARIF of the same category: its results whose rule and
    /// subject are not assessed now are carried over, so code scanning does not
    /// close their alerts as fixed. A SARIF without alertpath's keys is refused.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Print nothing but the requested outputs and errors.
    #[arg(long, short)]
    pub quiet: bool,
    /// Colour: auto (TTY only), always or never.
    #[arg(long, value_name = "WHEN", default_value = "auto")]
    pub color: ColorChoice,
    /// Also write an audit evidence pack into this new (or empty) directory:
    /// report, SARIF, Markdown, inventory and a manifest with hashes.
    /// `alertpath verify-evidence DIR` checks it.
    #[arg(long, value_name = "DIR")]
    pub evidence: Option<PathBuf>,
    /// Live collection (used when no --snapshot is given).
    #[command(flatten)]
    pub live: crate::cli_live::LiveArgs,
}

/// `alertpath collect`.
#[derive(Debug, Args)]
pub struct CollectArgs {
    /// Where to write the snapshot.
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
    /// The config file (default: ./alertpath.toml when present).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Print nothing but errors.
    #[arg(long, short)]
    pub quiet: bool,
    /// Live collection.
    #[command(flatten)]
    pub live: crate::cli_live::LiveArgs,
}

/// When to use colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorChoice {
    /// On a TTY, unless NO_COLOR is set.
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
}

/// An error that ends the run with exit code 2.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);

/// Run a parsed command line; returns the exit code. Errors print to stderr and give 2.
pub fn run(cli: Cli) -> u8 {
    let result = match cli.command {
        Command::Scan(args) => scan(&args),
        Command::Rules(args) => list_rules(&args),
        Command::Explain(args) => explain(&args),
        Command::Collect(args) => crate::cli_live::collect(&args),
        Command::InitPolicy => {
            print_stdout(&crate::source::aws::operations::policy_json());
            Ok(exit::OK)
        }
        Command::VerifyEvidence(args) => verify_evidence(&args),
    };
    match result {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {err:#}");
            exit::ERROR
        }
    }
}

fn load_config(args: &ScanArgs) -> anyhow::Result<Config> {
    load_config_file(args.config.as_deref())
}

/// Load `--config`, else `./alertpath.toml` when present, else defaults.
pub(crate) fn load_config_file(path: Option<&std::path::Path>) -> anyhow::Result<Config> {
    match path {
        Some(path) => Ok(config::load_file(path)?),
        None if std::path::Path::new("alertpath.toml").exists() => {
            Ok(config::load_file(std::path::Path::new("alertpath.toml"))?)
        }
        None => Ok(Config::default()),
    }
}

/// The files and directories a scan reads, which no output may replace.
fn scan_inputs(args: &ScanArgs) -> output::Inputs {
    let mut files: Vec<(&'static str, PathBuf)> = Vec::new();
    let flags = [
        ("--snapshot", &args.snapshot),
        ("--plan", &args.plan),
        ("--baseline", &args.baseline),
    ];
    for (flag, path) in flags {
        if let Some(path) = path {
            files.push((flag, path.clone()));
        }
    }
    match &args.config {
        Some(path) => files.push(("--config", path.clone())),
        None => files.push(("config", PathBuf::from(config::DEFAULT_FILE))),
    }
    for path in &args.var_files {
        files.push(("--var-file", path.clone()));
    }
    output::Inputs {
        files,
        terraform_dir: args.terraform.clone(),
        evidence_dir: args.evidence.clone(),
    }
}

fn scan(args: &ScanArgs) -> anyhow::Result<u8> {
    let started_at = chrono::Utc::now();
    let plan = output::plan_targets(
        &args.formats,
        &args.outputs,
        args.output_dir.as_deref(),
        &scan_inputs(args),
    )
    .map_err(|e| UsageError(e.0))?;
    if let Some(dir) = &args.evidence {
        evidence::check_target(dir).map_err(UsageError)?;
    }
    let config = load_config(args)?;
    let offline = args.snapshot.is_some() || args.plan.is_some() || args.terraform.is_some();
    let (inventory, stats) = if offline {
        (load_inventory(args, &config)?, None)
    } else {
        let collected = crate::cli_live::run_live(&args.live, &config, args.quiet)?;
        (collected.inventory, Some(collected.stats))
    };
    let options = EngineOptions {
        today: started_at.date_naive(),
        strict_config: args.strict_config,
    };
    let mut report = engine::run(&inventory, &config, &options)?;
    // The report carries what the outputs need: keep the inventory only for an
    // evidence pack, so it is not held alongside the rendered reports.
    let inventory = args.evidence.is_some().then_some(inventory);
    crate::heap::mark("rules judged");
    if let Some(stats) = &stats {
        report.stats = serde_json::to_value(stats).ok();
    }
    let finished_at = chrono::Utc::now();
    report.finished_at = Some(finished_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true));
    for warning in &report.warnings {
        eprintln!("warning: {warning}");
    }
    let render_options = RenderOptions {
        color: use_color(args.color),
        sarif_category: args.sarif_category.clone(),
        baseline: read_baseline(args.baseline.as_deref())?,
    };
    // Render everything (outputs and the evidence pack) before writing anything.
    let rendered = render_outputs(&report, &plan, &render_options, args.quiet)?;
    let pack = match &inventory {
        Some(inventory) => {
            let command_line: Vec<String> = std::env::args().collect();
            Some(evidence::render(&evidence::PackInput {
                inventory,
                report: &report,
                config: &config,
                render: &render_options,
                args: &command_line,
                started_at,
                finished_at,
                engine: &options,
            })?)
        }
        None => None,
    };
    // Stage every file output (a temporary file beside each), then write the
    // pack, then commit: a failure before the commits leaves no output.
    let staged = rendered
        .iter()
        .map(|(target, text)| target.stage(text.as_bytes()))
        .collect::<anyhow::Result<Vec<_>>>()?;
    if let (Some(dir), Some(pack)) = (&args.evidence, &pack) {
        pack.write(dir)?;
        if !args.quiet {
            eprintln!("wrote evidence pack {}", dir.display());
        }
    }
    for output in staged {
        let shown = matches!(output.target(), Target::File { .. } | Target::Stream { .. })
            .then(|| output.target().display_path());
        output.commit()?;
        if let Some(path) = shown.filter(|_| !args.quiet) {
            eprintln!("wrote {path}");
        }
    }
    crate::heap::mark("reports written");
    Ok(report.exit_code(&ExitPolicy {
        fail_on: args.fail_on,
        allow_partial: args.allow_partial,
        exit_zero: args.exit_zero,
        strict_unknowns: args.strict_unknowns,
    }))
}

fn read_baseline(path: Option<&std::path::Path>) -> anyhow::Result<Option<serde_json::Value>> {
    use anyhow::Context as _;
    let Some(path) = path else { return Ok(None) };
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("{}: cannot read baseline", path.display()))?;
    let value: serde_json::Value = serde_json::from_str(&text).map_err(|e| {
        UsageError(format!(
            "{}:{}:{}: baseline is not valid JSON: {e}",
            path.display(),
            e.line(),
            e.column()
        ))
    })?;
    Ok(Some(value))
}

fn load_inventory(args: &ScanArgs, config: &Config) -> anyhow::Result<crate::inventory::Inventory> {
    if let Some(snapshot) = &args.snapshot {
        return Ok(source::snapshot::read(snapshot)?);
    }
    if args.plan.is_some() || args.terraform.is_some() {
        let vars = source::terraform::hcl::VarInputs {
            var_files: args.var_files.clone(),
            vars: args
                .vars
                .iter()
                .enumerate()
                .map(|(i, v)| source::terraform::hcl::parse_var(v, i + 1))
                .collect::<Result<_, _>>()?,
            account_id: config.terraform.account_id.clone(),
            max_instances: config.terraform.max_instances,
        };
        return source::terraform::read(
            args.plan.as_deref(),
            args.terraform.as_deref(),
            &vars,
            &config.terraform,
            &config.pager.endpoint_patterns,
        );
    }
    Err(
        UsageError("give an input: --snapshot FILE, --plan FILE or --terraform DIR".to_string())
            .into(),
    )
}

/// Render every planned output, plus the text summary on stdout when no
/// output goes there (and not `--quiet`). Nothing is written here.
fn render_outputs(
    report: &crate::report::Report,
    plan: &[(Format, Target)],
    options: &RenderOptions,
    quiet: bool,
) -> anyhow::Result<Vec<(Target, String)>> {
    let mut rendered = Vec::with_capacity(plan.len() + 1);
    for (format, target) in plan {
        let file_options = RenderOptions {
            color: options.color && *target == Target::Stdout,
            ..options.clone()
        };
        rendered.push((
            target.clone(),
            report::render(report, *format, &file_options)?,
        ));
    }
    if !quiet && !plan.iter().any(|(_, t)| *t == Target::Stdout) {
        rendered.push((Target::Stdout, report::text::render(report, options.color)));
    }
    Ok(rendered)
}

fn use_color(choice: ColorChoice) -> bool {
    use std::io::IsTerminal;
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            std::env::var_os("NO_COLOR").is_none() && std::io::stdout().is_terminal()
        }
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
            print_stdout(rule.meta.doc);
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
