//! Report benchmark: `vpnsnap report` over 30 days of hourly runs of 2,000
//! connections (two sources, one listing in fifty failed), timed through
//! the library (reading the questions' answers, then drawing the page;
//! median of three), with the page's size, against the issue's targets
//! (under 2 s, under 10 MB). Two histories: about one change per
//! connection every three days, and a stress case of one every ten hours
//! (72 versions per connection, the rate of `benches/query.rs`).
//!
//!     cargo bench --bench report               # full size; databases cached under target/
//!     cargo bench --bench report -- --smoke    # small and quick (CI keeps it working)

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use rusqlite::{Transaction, params};
use vpnsnap::query::QueryDb;
use vpnsnap::store::Store;
use vpnsnap::time::Timestamp;
use vpnsnap::timeline::{self, Request};

#[path = "support/synthetic.rs"]
mod synthetic;
use synthetic::Lcg;

/// Bump when the generated history changes, so a cached database is rebuilt.
const GENERATOR_VERSION: u32 = 2;
const RUN_SECONDS: i64 = 3_600;

struct Scale {
    connections: usize,
    runs: usize,
    versions_per_connection: usize,
}

fn main() {
    let smoke = std::env::args().any(|arg| arg == "--smoke");
    let scales = if smoke {
        vec![Scale {
            connections: 100,
            runs: 48,
            versions_per_connection: 6,
        }]
    } else {
        vec![
            Scale {
                connections: 2_000,
                runs: 720,
                versions_per_connection: 10,
            },
            Scale {
                connections: 2_000,
                runs: 720,
                versions_per_connection: 72,
            },
        ]
    };
    let scratch = tempfile::tempdir().expect("a temporary directory");
    println!(
        "{:<34} {:>9} {:>8} {:>8} {:>8} {:>10} {:>10}",
        "history", "outages", "read s", "draw s", "total s", "size MB", "targets"
    );
    for scale in scales {
        let path = if smoke {
            scratch.path().join("report-bench.db")
        } else {
            PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!(
                "report-bench-{}x{}x{}-v{GENERATOR_VERSION}.db",
                scale.connections, scale.runs, scale.versions_per_connection
            ))
        };
        ensure_database(&path, &scale);
        let db = QueryDb::open(&path).expect("the benchmark database opens read-only");
        let request = Request {
            since: time_of_run(0),
            until: time_of_run(scale.runs as i64),
            sources: Vec::new(),
            connections: Vec::new(),
            database: path.display().to_string(),
            generated_at: time_of_run(scale.runs as i64),
        };
        let mut timings = Vec::new();
        let mut last = (0, 0);
        for _ in 0..3 {
            let started = Instant::now();
            let data = timeline::load(&db, &request).expect("the report's questions run");
            let read = started.elapsed();
            let html = timeline::draw(&data, &request).expect("the page is drawn");
            timings.push((read, started.elapsed() - read, started.elapsed()));
            last = (html.len(), data.outages.len());
            if smoke {
                assert!(html.contains(r#"<svg class="band""#));
            }
        }
        let median = |pick: fn(&(Duration, Duration, Duration)) -> Duration| {
            let mut values: Vec<Duration> = timings.iter().map(pick).collect();
            values.sort();
            values[values.len() / 2].as_secs_f64()
        };
        println!(
            "{:<34} {:>9} {:>8.2} {:>8.2} {:>8.2} {:>10.2} {:>10}",
            format!(
                "{} conns x {} runs, {} versions each",
                scale.connections, scale.runs, scale.versions_per_connection
            ),
            last.1,
            median(|t| t.0),
            median(|t| t.1),
            median(|t| t.2),
            last.0 as f64 / 1_000_000.0,
            "< 2 s, < 10 MB"
        );
    }
}

fn time_of_run(run: i64) -> Timestamp {
    let start = Timestamp::parse_rfc3339("2026-01-01T00:00:00Z").expect("a valid time");
    Timestamp::from_unix_seconds(start.datetime().timestamp() + run * RUN_SECONDS)
        .expect("a valid time")
}

/// Creates the database unless a complete one is cached.
fn ensure_database(path: &Path, scale: &Scale) {
    if path.exists() {
        let complete: Option<String> = rusqlite::Connection::open(path).ok().and_then(|sqlite| {
            sqlite
                .query_row(
                    "SELECT value FROM meta WHERE key = 'bench_complete'",
                    [],
                    |row| row.get(0),
                )
                .ok()
        });
        if complete.as_deref() == Some(&GENERATOR_VERSION.to_string()) {
            return;
        }
        std::fs::remove_file(path).expect("a stale cached database can be removed");
    }
    drop(Store::open(path).expect("the benchmark database is created"));
    let mut direct = rusqlite::Connection::open(path).expect("a second connection");
    direct
        .execute_batch("PRAGMA synchronous = OFF")
        .expect("pragma");
    let tx = direct.transaction().expect("a transaction");
    generate(&tx, scale);
    tx.execute(
        "INSERT INTO meta (key, value) VALUES ('bench_complete', ?1)",
        [GENERATOR_VERSION.to_string()],
    )
    .expect("meta");
    tx.commit().expect("the generated history commits");
    direct
        .execute_batch("PRAGMA wal_checkpoint(TRUNCATE)")
        .expect("checkpoint");
}

/// A deterministic history with the store's semantics: versions chain by
/// valid_to, field_changes name what each version changed.
fn generate(tx: &Transaction<'_>, scale: &Scale) {
    let sources = ["bench-a", "bench-b"];
    let mut random = Lcg(0x5eed);
    for run in 0..scale.runs as i64 {
        tx.execute(
            "INSERT INTO runs (id, kind, started_at, finished_at, vpnsnap_version) VALUES (?1, 'collect', ?2, ?2, 'bench')",
            params![run + 1, time_of_run(run).to_string()],
        )
        .expect("runs");
        for source in sources {
            let failed = random.below(50) == 0 && run > 0;
            tx.execute(
                "INSERT INTO run_sources (run_id, source, provider, observed_at, outcome, item_count, error) \
                 VALUES (?1, ?2, 'huaweicloud', ?3, ?4, ?5, ?6)",
                params![
                    run + 1,
                    source,
                    time_of_run(run).to_string(),
                    if failed { "failed" } else { "ok" },
                    if failed { 0 } else { scale.connections as i64 / 2 },
                    failed.then_some("HTTP 503 on page 7"),
                ],
            )
            .expect("run_sources");
        }
    }
    let mut connection_insert = tx
        .prepare("INSERT INTO connections (id, source, provider, connection_id) VALUES (?1, ?2, 'huaweicloud', ?3)")
        .expect("prepare");
    let mut version_insert = tx
        .prepare(
            "INSERT INTO versions (id, connection, version, event, run_id, observed_at, previous_observed_at, valid_to, \
             name, status, ike_auth_algorithm, ike_encryption_algorithm, ipsec_pfs, psk_fingerprint) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, 'group15', ?13)",
        )
        .expect("prepare");
    let mut change_insert = tx
        .prepare("INSERT INTO field_changes (version_id, field, old_value, new_value) VALUES (?1, ?2, ?3, ?4)")
        .expect("prepare");
    let mut version_id = 0i64;
    let step = scale.runs / scale.versions_per_connection;
    for index in 0..scale.connections {
        let connection = index as i64 + 1;
        connection_insert
            .execute(params![
                connection,
                sources[index % 2],
                format!("conn-{index:05}")
            ])
            .expect("connections");
        let (mut status, mut encryption) = ("ACTIVE", "aes-128");
        let mut psk = format!("{:016x}", index * 7919);
        // The first version at run 0, the others at random runs of their step.
        let runs: Vec<usize> = (0..scale.versions_per_connection)
            .map(|version| match version {
                0 => 0,
                _ => version * step + random.below(step),
            })
            .collect();
        for (version, &run) in runs.iter().enumerate() {
            version_id += 1;
            let mut changes: Vec<(&str, String, String)> = Vec::new();
            if version > 0 {
                match random.below(4) {
                    0 | 1 => {
                        let next = if status == "ACTIVE" { "DOWN" } else { "ACTIVE" };
                        changes.push(("provider_status", status.into(), next.into()));
                        changes.push(("status", status.into(), next.into()));
                        status = next;
                    }
                    2 => {
                        let next = if encryption == "aes-128" {
                            "aes-256"
                        } else {
                            "aes-128"
                        };
                        changes.push(("ike.encryption_algorithm", encryption.into(), next.into()));
                        encryption = next;
                    }
                    _ => {
                        let next = format!("{:016x}", random.below(usize::MAX >> 1));
                        changes.push(("psk_fingerprint", psk.clone(), next.clone()));
                        psk = next;
                    }
                }
            }
            version_insert
                .execute(params![
                    version_id,
                    connection,
                    version as i64 + 1,
                    if version == 0 { "created" } else { "changed" },
                    run as i64 + 1,
                    time_of_run(run as i64).to_string(),
                    (run > 0).then(|| time_of_run(run as i64 - 1).to_string()),
                    runs.get(version + 1)
                        .map(|next| time_of_run(*next as i64).to_string()),
                    format!("vpn-{index:05}"),
                    status,
                    if index % 97 == 0 { "sha1" } else { "sha2-256" },
                    encryption,
                    psk,
                ])
                .expect("versions");
            for (field, old, new) in changes {
                change_insert
                    .execute(params![version_id, field, old, new])
                    .expect("field_changes");
            }
        }
    }
}
