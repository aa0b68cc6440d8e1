//! Progress on stderr while collecting: a redrawn bar when stderr is a TTY
//! (accounts done/total, account × regions, calls, gaps, ETA), plain lines every
//! few seconds otherwise, nothing under `--quiet`.

use std::io::{IsTerminal, Write};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use super::stats::Stats;

/// Shared progress counters.
#[derive(Debug)]
pub struct Progress {
    started: Instant,
    accounts_total: AtomicUsize,
    accounts_done: AtomicUsize,
    regions_total: AtomicUsize,
    regions_done: AtomicUsize,
    gaps: AtomicUsize,
    stop: AtomicBool,
    wake: tokio::sync::Notify,
    stats: Arc<Stats>,
}

impl Progress {
    /// New counters over the run's call statistics.
    pub fn new(stats: Arc<Stats>) -> Arc<Self> {
        Arc::new(Progress {
            started: Instant::now(),
            accounts_total: AtomicUsize::new(0),
            accounts_done: AtomicUsize::new(0),
            regions_total: AtomicUsize::new(0),
            regions_done: AtomicUsize::new(0),
            gaps: AtomicUsize::new(0),
            stop: AtomicBool::new(false),
            wake: tokio::sync::Notify::new(),
            stats,
        })
    }

    /// Set the number of accounts in scope.
    pub fn set_accounts(&self, n: usize) {
        self.accounts_total.store(n, Ordering::Relaxed);
    }

    /// Add account × regions to collect.
    pub fn add_regions(&self, n: usize) {
        self.regions_total.fetch_add(n, Ordering::Relaxed);
    }

    /// One account × region collected, with `gaps` gaps.
    pub fn region_done(&self, gaps: usize) {
        self.regions_done.fetch_add(1, Ordering::Relaxed);
        self.gaps.fetch_add(gaps, Ordering::Relaxed);
    }

    /// One account finished (all its regions, or it could not be reached).
    pub fn account_done(&self, gaps: usize) {
        self.accounts_done.fetch_add(1, Ordering::Relaxed);
        self.gaps.fetch_add(gaps, Ordering::Relaxed);
    }

    fn line(&self) -> String {
        let done = self.regions_done.load(Ordering::Relaxed);
        let total = self.regions_total.load(Ordering::Relaxed);
        let elapsed = self.started.elapsed().as_secs_f64();
        let eta = if done > 0 && total > done {
            format!("ETA {:.0}s", elapsed / done as f64 * (total - done) as f64)
        } else {
            "ETA -".to_string()
        };
        format!(
            "accounts {}/{}  account×regions {done}/{total}  calls {}  gaps {}  {eta}",
            self.accounts_done.load(Ordering::Relaxed),
            self.accounts_total.load(Ordering::Relaxed),
            self.stats.calls(),
            self.gaps.load(Ordering::Relaxed),
        )
    }

    fn bar(&self) -> String {
        let done = self.regions_done.load(Ordering::Relaxed);
        let total = self.regions_total.load(Ordering::Relaxed).max(1);
        let width = 24;
        let filled = (done * width / total).min(width);
        format!(
            "[{}{}] {}",
            "#".repeat(filled),
            "-".repeat(width - filled),
            self.line()
        )
    }

    /// Draw until [`Progress::finish`]; a bar on a TTY, lines every 5 s otherwise.
    pub fn spawn(self: &Arc<Self>) -> tokio::task::JoinHandle<()> {
        let me = self.clone();
        tokio::spawn(async move {
            let tty = std::io::stderr().is_terminal();
            let tick = if tty {
                Duration::from_millis(200)
            } else {
                Duration::from_secs(5)
            };
            loop {
                tokio::select! {
                    () = tokio::time::sleep(tick) => {}
                    () = me.wake.notified() => {}
                }
                if me.stop.load(Ordering::Relaxed) {
                    break;
                }
                let mut err = std::io::stderr().lock();
                if tty {
                    let _ = write!(err, "\r\x1b[2K{}", me.bar());
                } else {
                    let _ = writeln!(err, "alertpath: {}", me.line());
                }
                let _ = err.flush();
            }
            let mut err = std::io::stderr().lock();
            if tty {
                let _ = write!(err, "\r\x1b[2K");
            }
            let _ = writeln!(err, "alertpath: collected: {}", me.line());
        })
    }

    /// Stop drawing.
    pub fn finish(&self) {
        self.stop.store(true, Ordering::Relaxed);
        self.wake.notify_one();
    }
}
