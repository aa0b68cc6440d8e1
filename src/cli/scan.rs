//! `alertpath scan`: load the config and the inventory (snapshot, plan/HCL or
//! live), run the rules, and render and write every output.

use std::path::PathBuf;

use super::*;

fn load_config(args: &ScanArgs) -> anyhow::Result<Config> {
    let mut config = load_config_file(args.config.as_deref())?;
    config.select_rules(&args.only_rules, &args.skip_rules);
    Ok(config)
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

pub(super) fn scan(args: &ScanArgs) -> anyhow::Result<u8> {
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
        let collected = super::live::run_live(&args.live, &config, args.quiet)?;
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
    // The text report on stdout lists the warnings: print them once.
    if !text_on_stdout(&plan, args.quiet) {
        for warning in &report.warnings {
            eprintln!("warning: {warning}");
        }
    }
    let render_options = RenderOptions {
        color: use_color(args.color),
        sarif_category: args.sarif_category.clone(),
        baseline: read_baseline(args.baseline.as_deref())?,
        min_severity: args.min_severity,
        source_links: RenderOptions::github_source_links(),
        group_by: args.group_by,
    };
    // Render everything (outputs and the evidence pack) before writing anything.
    let rendered = render_outputs(&report, &plan, &render_options, args.quiet)?;
    let pack = match &inventory {
        Some(inventory) => {
            let args: Vec<String> = std::env::args_os()
                .map(|a| a.to_string_lossy().into_owned())
                .collect();
            let command_line = super::command_line::shape(&args);
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
        fail_on: args.fail_on.0,
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
        let mut inventory = source::snapshot::read(snapshot)?;
        inventory.source.snapshot = Some(snapshot.display().to_string());
        return Ok(inventory);
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
            environment_region: source::terraform::environment_region(),
            repo_root: args.repo_root.clone(),
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

/// Whether the text report goes to stdout: asked for there, or the summary
/// printed when no output goes to stdout (and not `--quiet`).
fn text_on_stdout(plan: &[(Format, Target)], quiet: bool) -> bool {
    let stdout = plan.iter().find(|(_, t)| *t == Target::Stdout);
    match stdout {
        Some((format, _)) => *format == Format::Text,
        None => !quiet,
    }
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
        rendered.push((
            Target::Stdout,
            report::render(report, Format::Text, options)?,
        ));
    }
    Ok(rendered)
}
