//! One module per AWS service; each turns its calls into inventory facts or gaps.

pub mod cloudtrail;
pub mod cloudwatch;
pub mod events;
pub mod guardduty;
pub mod kms;
pub mod lambda;
pub mod logs;
pub mod securityhub;
pub mod sns;
pub mod ssm;

use std::collections::BTreeMap;
use std::future::Future;
use std::sync::{Arc, Mutex, PoisonError};

use tokio::sync::Semaphore;

/// How many per-item calls of one service (a topic's attributes, a function's
/// configuration, …) one account has in flight at once, across all its
/// regions. Real AWS throttles per account, region and API; this keeps a scan
/// from bursting against one account while it fans out over many.
pub const CALLS_PER_ACCOUNT_AND_SERVICE: usize = 8;

/// One service's budget of in-flight per-item calls in one account.
#[derive(Debug, Clone)]
pub struct Limit(Arc<Semaphore>);

impl Limit {
    /// A budget of `calls` in flight.
    pub fn new(calls: usize) -> Self {
        Limit(Arc::new(Semaphore::new(calls.max(1))))
    }

    /// Run `call` for every item concurrently within the budget; the results
    /// come back in item order, so a collection stays deterministic.
    pub async fn each<T, O, F, Fut>(&self, items: impl IntoIterator<Item = T>, call: F) -> Vec<O>
    where
        F: Fn(T) -> Fut,
        Fut: Future<Output = O>,
    {
        let calls = items.into_iter().map(|item| {
            let pending = call(item);
            let budget = self.0.clone();
            async move {
                // The semaphore is never closed; without a permit the call still runs.
                let _permit = budget.acquire_owned().await.ok();
                pending.await
            }
        });
        futures_util::future::join_all(calls).await
    }
}

/// Per account: one [`Limit`] per service, shared by its regions.
#[derive(Debug, Default)]
pub struct AccountLimits {
    by_service: Mutex<BTreeMap<&'static str, Limit>>,
}

impl AccountLimits {
    /// The budget of `service` (its signing name, e.g. `sns`).
    pub fn of(&self, service: &'static str) -> Limit {
        let mut by_service = self
            .by_service
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        by_service
            .entry(service)
            .or_insert_with(|| Limit::new(CALLS_PER_ACCOUNT_AND_SERVICE))
            .clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    #[tokio::test]
    async fn each_keeps_item_order_and_at_most_the_budget_in_flight() {
        let in_flight = Arc::new(AtomicUsize::new(0));
        let most = Arc::new(AtomicUsize::new(0));
        let limit = Limit::new(3);
        let out = limit
            .each(0..20u64, |i| {
                let (in_flight, most) = (in_flight.clone(), most.clone());
                async move {
                    let now = in_flight.fetch_add(1, Ordering::SeqCst) + 1;
                    most.fetch_max(now, Ordering::SeqCst);
                    tokio::time::sleep(Duration::from_millis(20 - i)).await;
                    in_flight.fetch_sub(1, Ordering::SeqCst);
                    i * 10
                }
            })
            .await;
        assert_eq!(out, (0..20).map(|i| i * 10).collect::<Vec<_>>());
        assert_eq!(
            most.load(Ordering::SeqCst),
            3,
            "the budget is used, never exceeded"
        );
    }

    #[test]
    fn an_account_has_one_budget_per_service() {
        let limits = AccountLimits::default();
        assert!(Arc::ptr_eq(&limits.of("sns").0, &limits.of("sns").0));
        assert!(!Arc::ptr_eq(&limits.of("sns").0, &limits.of("lambda").0));
    }
}
