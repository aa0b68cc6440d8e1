//! The `alertpath` binary: parse the CLI, call the library, map to an exit code.

use std::process::ExitCode;

use clap::Parser;

/// dhat's counting allocator, only in a `--features dhat-heap` build.
#[cfg(feature = "dhat-heap")]
#[global_allocator]
static ALLOC: dhat::Alloc = dhat::Alloc;

fn main() -> ExitCode {
    let _heap = alertpath::heap::start();
    let cli = alertpath::cli::Cli::parse();
    ExitCode::from(alertpath::cli::run(cli))
}
