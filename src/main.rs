//! The `alertpath` binary: parse the CLI, call the library, map to an exit code.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = alertpath::cli::Cli::parse();
    ExitCode::from(alertpath::cli::run(cli))
}
