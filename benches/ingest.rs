//! Ingest benchmark: a synthetic Huawei estate imported run after run, with a
//! share of connections changed per run. Prints seconds per run, versions
//! written and the database size against its target.
//!
//!     cargo bench --bench ingest               # 10,000 connections x 200 runs, 1% changed
//!     cargo bench --bench ingest -- --smoke    # small and quick (CI keeps it working)

use std::time::{Duration, Instant};

use serde_json::{Value, json};
use vpnsnap::fingerprint::PskFingerprinter;
use vpnsnap::listing::{ListingBuilder, ListingContext};
use vpnsnap::provider::ProviderKind;
use vpnsnap::store::{RunKind, RunRecord, Store};
use vpnsnap::time::Timestamp;

#[path = "support/synthetic.rs"]
mod synthetic;
use synthetic::{Lcg, connection, mutate};

const PAGE_SIZE: usize = 200;

struct Scale {
    connections: usize,
    runs: usize,
    changed_per_run: usize,
}

fn main() {
    let smoke = std::env::args().any(|arg| arg == "--smoke");
    let mut scale = if smoke {
        Scale {
            connections: 1_000,
            runs: 5,
            changed_per_run: 10,
        }
    } else {
        Scale {
            connections: 10_000,
            runs: 200,
            changed_per_run: 100,
        }
    };
    // VPNSNAP_BENCH_RUNS shortens the series (e.g. 1 to profile the first run).
    if let Some(runs) = std::env::var("VPNSNAP_BENCH_RUNS")
        .ok()
        .and_then(|runs| runs.parse().ok())
    {
        scale.runs = runs;
    }
    let dir = tempfile::tempdir().expect("a temporary directory");
    // VPNSNAP_BENCH_DB keeps the database for inspection (e.g. dbstat).
    let path = std::env::var_os("VPNSNAP_BENCH_DB")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| dir.path().join("bench.db"));
    let mut store = Store::open(&path).expect("the benchmark database opens");
    let fingerprinter = PskFingerprinter::new(b"bench");
    let mut estate: Vec<Value> = (0..scale.connections).map(connection).collect();
    let mut random = Lcg(0x5eed);

    let first_snapshot_bytes: usize = estate.iter().map(|object| object.to_string().len()).sum();
    let mut changed_version_bytes = 0usize;
    let mut versions_written = 0usize;
    let mut change_runs = Vec::new();
    let mut first_run = Duration::ZERO;
    let start = Timestamp::parse_rfc3339("2026-01-01T00:00:00Z").expect("a valid time");
    for run in 0..scale.runs {
        if run > 0 {
            for _ in 0..scale.changed_per_run {
                let index = random.below(estate.len());
                mutate(&mut estate[index], &mut random);
                changed_version_bytes += estate[index].to_string().len();
            }
        }
        let observed_at =
            Timestamp::from_unix_seconds(start.datetime().timestamp() + run as i64 * 900)
                .expect("a valid time");
        let (elapsed, written) = ingest(&mut store, &fingerprinter, &estate, observed_at);
        versions_written += written;
        if run > 0 {
            change_runs.push(elapsed);
        } else {
            first_run = elapsed;
        }
    }
    let unchanged_at =
        Timestamp::from_unix_seconds(start.datetime().timestamp() + scale.runs as i64 * 900)
            .expect("a valid time");
    let size_before = database_bytes(&store, &path);
    let (unchanged_elapsed, unchanged_written) =
        ingest(&mut store, &fingerprinter, &estate, unchanged_at);
    let growth = database_bytes(&store, &path).saturating_sub(size_before);

    let database = database_bytes(&store, &path);
    let baseline = first_snapshot_bytes + changed_version_bytes;
    let ratio = database as f64 / baseline as f64;
    let mean = change_runs.iter().sum::<Duration>().as_secs_f64() / change_runs.len().max(1) as f64;
    let worst = change_runs
        .iter()
        .max()
        .copied()
        .unwrap_or_default()
        .as_secs_f64();
    println!(
        "ingest benchmark{}: {} connections, {} runs, {} changed per run",
        if smoke { " (smoke)" } else { "" },
        scale.connections,
        scale.runs,
        scale.changed_per_run
    );
    println!("{:<44} {:>14} {:>14}", "measure", "value", "target");
    let row =
        |name: &str, value: String, target: &str| println!("{name:<44} {value:>14} {target:>14}");
    row(
        "no-change run: seconds",
        format!("{:.3}", unchanged_elapsed.as_secs_f64()),
        "< 1.000",
    );
    row(
        "no-change run: versions written",
        unchanged_written.to_string(),
        "0",
    );
    row(
        "no-change run: database growth (bytes)",
        growth.to_string(),
        "",
    );
    row("run with changes: mean seconds", format!("{mean:.3}"), "");
    row("run with changes: worst seconds", format!("{worst:.3}"), "");
    row(
        "ingest throughput (connections/s, mean)",
        format!("{:.0}", scale.connections as f64 / mean.max(f64::EPSILON)),
        "> 150000",
    );
    row(
        "first run, every connection new (conn/s)",
        format!(
            "{:.0}",
            scale.connections as f64 / first_run.as_secs_f64().max(f64::EPSILON)
        ),
        "> 50000",
    );
    row("version rows written", versions_written.to_string(), "");
    row(
        "raw JSON: first snapshot + changes (bytes)",
        baseline.to_string(),
        "",
    );
    row("database size (bytes)", database.to_string(), "");
    row(
        "database size / raw baseline",
        format!("{ratio:.2}x"),
        "< 1.50x",
    );
}

/// One run as `vpnsnap import` does it: the stored versions' listing keys
/// read, then the estate as list-body pages (JSON text), through decode,
/// key (and, for connections new or changed, normalize and hash) and store.
fn ingest(
    store: &mut Store,
    fingerprinter: &PskFingerprinter,
    estate: &[Value],
    observed_at: Timestamp,
) -> (Duration, usize) {
    let pages: Vec<String> = estate
        .chunks(PAGE_SIZE)
        .map(|page| {
            json!({
                "vpn_connections": page,
                "page_info": {"next_marker": "x", "current_count": page.len()},
                "request_id": "bench",
                "total_count": estate.len(),
            })
            .to_string()
        })
        .collect();
    let started = Instant::now();
    let context = ListingContext {
        source: "bench".into(),
        kind: ProviderKind::HuaweiCloud,
        region: Some("cn-north-4".into()),
        account: Some("0a1b2c3d".into()),
        observed_at,
        fingerprinter: fingerprinter.clone(),
        limits: vpnsnap::listing::ListingLimits::default(),
    };
    // As an import: the pages split on a second thread while the latest
    // versions are read.
    let read = move || {
        let mut builder = ListingBuilder::deferred(context);
        for (index, page) in pages.into_iter().enumerate() {
            builder.add_text(&format!("page {index}"), page)?;
        }
        Ok(builder)
    };
    let listing = vpnsnap::import::finish_knowing(read, || store.known_versions("bench"))
        .expect("the benchmark database reads")
        .expect("the benchmark's listing normalizes");
    let run = RunRecord {
        kind: RunKind::Import,
        started_at: observed_at,
        finished_at: observed_at,
        sources: vec![listing],
    };
    let summary = store
        .write_run(&run, fingerprinter)
        .expect("the benchmark's run is stored");
    (
        started.elapsed(),
        summary
            .sources
            .iter()
            .map(|source| source.versions_written())
            .sum(),
    )
}

fn database_bytes(store: &Store, path: &std::path::Path) -> u64 {
    store
        .sqlite()
        .execute_batch("PRAGMA wal_checkpoint(TRUNCATE)")
        .expect("the WAL checkpoints");
    std::fs::metadata(path)
        .map(|metadata| metadata.len())
        .unwrap_or(0)
}
