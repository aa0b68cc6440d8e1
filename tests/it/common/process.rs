//! Running the alertpath binary from tests: with a deadline (a hang fails the
//! test instead of stalling the suite), and FIFOs for stream tests.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// The alertpath binary, colour off, outside any GitHub run (no source links
/// in Markdown), whatever the environment the tests run in.
pub fn bin() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_alertpath"));
    cmd.env("NO_COLOR", "1");
    for var in [
        "GITHUB_SERVER_URL",
        "GITHUB_REPOSITORY",
        "GITHUB_SHA",
        "FORCE_COLOR",
        "CLICOLOR_FORCE",
    ] {
        cmd.env_remove(var);
    }
    cmd
}

/// The example organization's snapshot fixture.
pub fn example_snapshot() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/snapshots/example-org.json")
}

/// The exit code (the process exited normally).
pub fn code(out: &Output) -> i32 {
    out.status.code().expect("exited normally")
}

/// Run with a deadline: `None` when it had to be killed (it hung).
pub fn run_with_timeout(mut cmd: Command, limit: Duration) -> Option<Output> {
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("binary runs");
    let start = Instant::now();
    loop {
        if child.try_wait().expect("child state").is_some() {
            return Some(child.wait_with_output().expect("child output"));
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            return None;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Make a FIFO (named pipe) at `path`.
pub fn mkfifo(path: &Path) {
    let status = Command::new("mkfifo")
        .arg(path)
        .status()
        .expect("mkfifo runs");
    assert!(status.success(), "mkfifo {}", path.display());
}
