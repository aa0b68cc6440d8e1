//! Heap measurements for memory investigations (cargo feature `dhat-heap`,
//! off by default): the binary installs dhat's allocator and writes a heap
//! profile on exit, and [`mark`] prints live and peak heap bytes at named
//! points of a scan on stderr. Without the feature everything here is a no-op.

#[cfg(feature = "dhat-heap")]
use std::sync::atomic::{AtomicBool, Ordering};

#[cfg(feature = "dhat-heap")]
static PROFILING: AtomicBool = AtomicBool::new(false);

/// A running heap profiler: dropping it writes the profile
/// (`$ALERTPATH_DHAT_FILE`, default `dhat-heap.json`). Empty without the feature.
#[derive(Debug)]
pub struct Profiler {
    #[cfg(feature = "dhat-heap")]
    _inner: dhat::Profiler,
}

/// Start the heap profiler (only the binary calls this, first thing in `main`,
/// and only a binary built with `dhat-heap` has dhat's global allocator).
pub fn start() -> Option<Profiler> {
    #[cfg(feature = "dhat-heap")]
    {
        let file = std::env::var("ALERTPATH_DHAT_FILE").unwrap_or_else(|_| "dhat-heap.json".into());
        let inner = dhat::Profiler::builder().file_name(file).build();
        PROFILING.store(true, Ordering::SeqCst);
        Some(Profiler { _inner: inner })
    }
    #[cfg(not(feature = "dhat-heap"))]
    None
}

/// Print the live heap, its peak so far, and the allocations so far, at a named
/// point (when profiling; otherwise nothing).
pub fn mark(point: &str) {
    #[cfg(feature = "dhat-heap")]
    if PROFILING.load(Ordering::SeqCst) {
        let s = dhat::HeapStats::get();
        eprintln!(
            "heap {point:<28} live {:>9} KB in {:>8} blocks; peak {:>9} KB; {:>10} allocations so far",
            s.curr_bytes / 1024,
            s.curr_blocks,
            s.max_bytes / 1024,
            s.total_blocks
        );
    }
    #[cfg(not(feature = "dhat-heap"))]
    let _ = point;
}
