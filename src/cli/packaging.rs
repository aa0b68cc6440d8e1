//! What a packager installs beside the binary, generated from the clap
//! definition so it never drifts from the flags: shell completion scripts
//! (`alertpath completions SHELL`) and man pages (`alertpath man`).

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use clap::{Args, CommandFactory};
use clap_complete::Shell;

use super::{Cli, print_stdout};
use crate::report::exit;

/// `alertpath completions`.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_name = "SHELL")]
    pub shell: Shell,
}

/// `alertpath man`.
#[derive(Debug, Args)]
pub struct ManArgs {
    /// Print this subcommand's page (`alertpath-scan(1)`) instead of the
    /// top-level `alertpath(1)`.
    #[arg(value_name = "SUBCOMMAND", conflicts_with = "dir")]
    pub subcommand: Option<String>,
    /// Write every page (`alertpath.1`, `alertpath-scan.1`, …) into DIR
    /// instead of printing one.
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
}

/// The CLI definition with its name fixed, as completions and pages name it.
fn command() -> clap::Command {
    let mut cmd = Cli::command();
    cmd.build();
    cmd
}

/// The subcommands that get a page (not clap's `help`).
fn subcommands(cmd: &clap::Command) -> impl Iterator<Item = &clap::Command> {
    cmd.get_subcommands()
        .filter(|c| c.get_name() != "help" && !c.is_hide_set())
}

/// Print the completion script for a shell.
pub fn completions(args: &CompletionsArgs) -> anyhow::Result<u8> {
    let mut cmd = command();
    let mut out = Vec::new();
    clap_complete::generate(args.shell, &mut cmd, "alertpath", &mut out);
    print_stdout(&String::from_utf8(out).context("the completion script is not UTF-8")?);
    Ok(exit::OK)
}

/// Print one man page, or write them all under `--dir`.
pub fn man(args: &ManArgs) -> anyhow::Result<u8> {
    let cmd = command();
    if let Some(dir) = &args.dir {
        let written = write_pages(&cmd, dir)?;
        eprintln!("wrote {written} man page(s) to {}", dir.display());
        return Ok(exit::OK);
    }
    let page = match &args.subcommand {
        None => cmd,
        Some(name) => {
            let names: Vec<&str> = subcommands(&cmd).map(|c| c.get_name()).collect();
            let Some(sub) = subcommands(&cmd).find(|c| c.get_name() == name) else {
                return Err(super::UsageError(format!(
                    "no subcommand `{name}`; known: {}",
                    names.join(", ")
                ))
                .into());
            };
            // Built, a subcommand is displayed as `alertpath-scan`.
            sub.clone()
        }
    };
    print_stdout(&render(page)?);
    Ok(exit::OK)
}

/// One command's page: every page names the same source, `alertpath 0.1.0`
/// (a subcommand has no version of its own).
fn page(cmd: clap::Command) -> clap_mangen::Man {
    clap_mangen::Man::new(cmd).source(format!("alertpath {}", env!("CARGO_PKG_VERSION")))
}

/// One command's page in roff.
fn render(cmd: clap::Command) -> anyhow::Result<String> {
    let mut out = Vec::new();
    page(cmd)
        .render(&mut out)
        .context("cannot render the man page")?;
    String::from_utf8(out).context("the man page is not UTF-8")
}

/// Write `alertpath.1` and `alertpath-<sub>.1` for every subcommand into
/// `dir` (created when missing); returns how many pages were written.
fn write_pages(cmd: &clap::Command, dir: &Path) -> anyhow::Result<usize> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let pages: Vec<&clap::Command> = std::iter::once(cmd).chain(subcommands(cmd)).collect();
    for cmd_page in &pages {
        let man = page((*cmd_page).clone());
        let path = dir.join(man.get_filename());
        let mut out = Vec::new();
        man.render(&mut out)
            .and_then(|()| std::fs::write(&path, out))
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    Ok(pages.len())
}
