//! API call statistics, counted by an SDK interceptor on every client: calls
//! (HTTP attempts) by service and operation, retries, throttles and failures.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::interceptors::context::{
    AfterDeserializationInterceptorContextRef, BeforeTransmitInterceptorContextRef,
    FinalizerInterceptorContextRef,
};
use aws_smithy_runtime_api::client::orchestrator::Metadata;
use aws_smithy_runtime_api::client::retries::RequestAttempts;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;
use serde::Serialize;

/// Counters for one operation.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct OpCounts {
    /// Operations started (one per SDK call, whatever the retries).
    pub operations: u64,
    /// HTTP requests sent (attempts, retries included).
    pub calls: u64,
    /// Attempts answered with a throttling error.
    pub throttles: u64,
    /// Operations that failed after retries.
    pub failures: u64,
}

/// Shared counters for one collection run.
#[derive(Debug)]
pub struct Stats {
    started: Instant,
    calls: AtomicU64,
    failures: AtomicU64,
    by_op: Mutex<BTreeMap<String, OpCounts>>,
}

/// A summary of a run's statistics, as printed by `--stats` and stored in the JSON report.
#[derive(Debug, Clone, Serialize)]
pub struct StatsSummary {
    /// Wall time of the collection, in seconds.
    pub wall_seconds: f64,
    /// HTTP requests sent.
    pub api_calls: u64,
    /// Retried attempts (calls beyond the first per operation).
    pub retries: u64,
    /// Attempts answered with a throttling error.
    pub throttles: u64,
    /// Operations that failed after retries (including expected NotFound answers).
    pub failures: u64,
    /// API calls per second of wall time.
    pub calls_per_second: f64,
    /// Enabled account × region pairs collected.
    pub account_regions: u64,
    /// API calls per enabled account × region.
    pub calls_per_account_region: f64,
    /// Counters by `service:Operation`.
    pub by_operation: BTreeMap<String, OpCounts>,
}

impl Default for Stats {
    fn default() -> Self {
        Stats {
            started: Instant::now(),
            calls: AtomicU64::new(0),
            failures: AtomicU64::new(0),
            by_op: Mutex::new(BTreeMap::new()),
        }
    }
}

impl Stats {
    /// HTTP requests sent so far.
    pub fn calls(&self) -> u64 {
        self.calls.load(Ordering::Relaxed)
    }

    /// Operations failed so far.
    pub fn failures(&self) -> u64 {
        self.failures.load(Ordering::Relaxed)
    }

    fn bump(&self, key: String, f: impl FnOnce(&mut OpCounts)) {
        if let Ok(mut map) = self.by_op.lock() {
            f(map.entry(key).or_default());
        }
    }

    /// The summary, given the number of enabled account × region pairs.
    pub fn summary(&self, account_regions: u64) -> StatsSummary {
        let by_operation = self.by_op.lock().map(|m| m.clone()).unwrap_or_default();
        let operations: u64 = by_operation.values().map(|c| c.operations).sum();
        let api_calls: u64 = by_operation.values().map(|c| c.calls).sum();
        let wall = self.started.elapsed().as_secs_f64();
        StatsSummary {
            wall_seconds: round2(wall),
            api_calls,
            retries: api_calls.saturating_sub(operations),
            throttles: by_operation.values().map(|c| c.throttles).sum(),
            failures: by_operation.values().map(|c| c.failures).sum(),
            calls_per_second: round2(api_calls as f64 / wall.max(0.001)),
            account_regions,
            calls_per_account_region: round2(api_calls as f64 / account_regions.max(1) as f64),
            by_operation,
        }
    }
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

impl StatsSummary {
    /// The text `--stats` prints.
    pub fn render(&self) -> String {
        let mut out = format!(
            "API calls: {} in {:.2}s ({:.1} calls/s), {} account×region ({:.2} calls each); retries {}, throttles {}, failed operations {}\n",
            self.api_calls,
            self.wall_seconds,
            self.calls_per_second,
            self.account_regions,
            self.calls_per_account_region,
            self.retries,
            self.throttles,
            self.failures
        );
        for (op, c) in &self.by_operation {
            out.push_str(&format!(
                "  {op:<48} {:>7} calls {:>5} retries {:>5} throttles {:>5} failed\n",
                c.calls,
                c.calls.saturating_sub(c.operations),
                c.throttles,
                c.failures
            ));
        }
        out
    }
}

/// The interceptor registered on every client of one service.
#[derive(Debug, Clone)]
pub struct CallCounter {
    /// The IAM service prefix (`sns`, `cloudwatch`, …).
    pub service: &'static str,
    /// The shared counters.
    pub stats: Arc<Stats>,
}

impl CallCounter {
    fn key(&self, cfg: &ConfigBag) -> String {
        let op = cfg.load::<Metadata>().map_or("unknown", |m| m.name());
        format!("{}:{op}", self.service)
    }
}

fn is_throttle(status: u16, body: &[u8]) -> bool {
    if status == 429 {
        return true;
    }
    if status < 400 {
        return false;
    }
    let text = String::from_utf8_lossy(&body[..body.len().min(2048)]);
    [
        "Throttl",
        "TooManyRequests",
        "RequestLimitExceeded",
        "SlowDown",
    ]
    .iter()
    .any(|m| text.contains(m))
}

impl Intercept for CallCounter {
    fn name(&self) -> &'static str {
        "alertpath-call-counter"
    }

    fn read_before_transmit(
        &self,
        _ctx: &BeforeTransmitInterceptorContextRef<'_>,
        _rc: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        self.stats.calls.fetch_add(1, Ordering::Relaxed);
        let first = cfg
            .load::<RequestAttempts>()
            .is_none_or(|a| a.attempts() <= 1);
        self.stats.bump(self.key(cfg), |c| {
            c.calls += 1;
            if first {
                c.operations += 1;
            }
        });
        Ok(())
    }

    fn read_after_deserialization(
        &self,
        ctx: &AfterDeserializationInterceptorContextRef<'_>,
        _rc: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let response = ctx.response();
        let status = response.status().as_u16();
        let header = ["x-amzn-errortype", "x-amzn-query-error"]
            .iter()
            .filter_map(|h| response.headers().get(*h))
            .collect::<Vec<_>>()
            .join(" ");
        let body = response.body().bytes().unwrap_or_default();
        if is_throttle(status, header.as_bytes()) || is_throttle(status, body) {
            self.stats.bump(self.key(cfg), |c| c.throttles += 1);
        }
        Ok(())
    }

    fn read_after_execution(
        &self,
        ctx: &FinalizerInterceptorContextRef<'_>,
        _rc: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        if matches!(ctx.output_or_error(), Some(Err(_))) {
            self.stats.failures.fetch_add(1, Ordering::Relaxed);
            self.stats.bump(self.key(cfg), |c| c.failures += 1);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn throttles_are_recognised() {
        assert!(is_throttle(429, b""));
        assert!(is_throttle(400, b"{\"__type\":\"ThrottlingException\"}"));
        assert!(!is_throttle(400, b"{\"__type\":\"ValidationException\"}"));
        assert!(!is_throttle(200, b"Throttling"));
    }

    #[test]
    fn summary_divides_safely() {
        let s = Stats::default().summary(0);
        assert_eq!(s.api_calls, 0);
        assert_eq!(s.calls_per_account_region, 0.0);
    }
}
