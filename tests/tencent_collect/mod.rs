//! Collecting from the Tencent Cloud simulators: API 3.0 (`api3`) and the
//! legacy API (`legacy`), through the library and, end to end, the binary.
//! The helpers here collect with millisecond retries, plan the faults both
//! APIs are tested with, and check that a failed run kept history.

mod api3;
mod legacy;

use std::sync::Arc;
use std::time::Duration;

use vpnsnap::collector::{self, CollectOptions, Collected};
use vpnsnap::config::SourceConfig;
use vpnsnap::http::RetryPolicy;
use vpnsnap::provider::SourceProgress;
use vpnsnap::sim::{Fault, Faults};
use vpnsnap::store::{RunKind, RunRecord, RunSummary, Store};
use vpnsnap::time::Timestamp;

use crate::support::{complete_ids, failure, fingerprinter, rows};

/// Retries after 1-4 ms, a request timeout of `timeout_ms`.
pub fn options(max_retries: u32, timeout_ms: u64) -> CollectOptions {
    CollectOptions {
        max_concurrency: 4,
        retry: RetryPolicy {
            max_retries,
            base_delay: Duration::from_millis(2),
            max_delay: Duration::from_millis(4),
        },
        request_timeout: Duration::from_millis(timeout_ms),
        source_deadline: Duration::from_secs(30),
        max_response_bytes: vpnsnap::http::DEFAULT_MAX_RESPONSE_BYTES,
        limits: vpnsnap::listing::ListingLimits::default(),
    }
}

/// Collects one source with `options`.
pub async fn collect_with(source: &SourceConfig, options: &CollectOptions) -> Collected {
    let progress = Arc::new(SourceProgress::default());
    collector::collect_source(source, options, &fingerprinter(), &progress).await
}

/// Collects one source with three quick retries and a 2 s request timeout.
pub async fn collect(source: &SourceConfig) -> Collected {
    collect_with(source, &options(3, 2000)).await
}

/// Stores the results as one collect run.
pub fn store_run(store: &mut Store, collected: Vec<Collected>) -> RunSummary {
    let now = Timestamp::now();
    let run = RunRecord {
        kind: RunKind::Collect,
        started_at: now,
        finished_at: now,
        sources: collected.into_iter().map(|c| c.result).collect(),
    };
    store.write_run(&run, &fingerprinter()).unwrap()
}

/// `ids`, sorted.
pub fn sorted(mut ids: Vec<String>) -> Vec<String> {
    ids.sort();
    ids
}

/// Throttles each of the `nths` requests (asking for no wait).
pub fn throttle(faults: &Faults, nths: std::ops::RangeInclusive<u64>) {
    for nth in nths {
        faults.inject(
            nth,
            Fault::Throttle {
                retry_after_seconds: 0,
            },
        );
    }
}

/// One of each retried fault: request 2 throttled, 3 a server error, 4
/// hanging.
pub fn inject_retried_faults(faults: &Faults) {
    throttle(faults, 2..=2);
    faults.inject(3, Fault::ServerError);
    faults.inject(4, Fault::Hang);
}

/// Asserts that storing `failed` recorded a failure, deleted nothing and
/// left the `connections` connections of the earlier run current.
pub fn assert_failure_kept_history(store: &mut Store, failed: Collected, connections: &str) {
    let summary = store_run(store, vec![failed]);
    assert_eq!(
        (
            summary.sources[0].outcome.as_str(),
            summary.sources[0].deleted
        ),
        ("failed", 0)
    );
    assert_eq!(
        rows(store, "SELECT count(*) FROM current_connections"),
        vec![vec![connections]]
    );
}
