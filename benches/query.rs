//! Query benchmark: a generated history of 10,000 connections and 1,000,000
//! versions (1,000 runs of two sources), then each question timed through
//! the library (median of several runs, connection resolution included),
//! against the targets, with the EXPLAIN QUERY PLAN of the
//! questions that have one.
//!
//!     cargo bench --bench query               # full size; the database is cached under target/
//!     cargo bench --bench query -- --smoke    # small and quick (CI keeps it working)
//!     cargo bench --bench query -- changes    # only the questions named (and their plans)
//!     cargo bench --bench query -- --by-connection  # the rows laid out by connection (below)
//!
//! The history is written as a collector writes it, run after run (version
//! ids grow with time, so a window's versions lie together in the file).
//! `--by-connection` writes each connection's whole history at once instead,
//! as the generator did before (GENERATOR_VERSION 3): the same rows, but a
//! window's versions each on a page of its own, and a connection's together.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use rusqlite::{Transaction, params};
use vpnsnap::query::{self, Query, QueryDb};
use vpnsnap::store::Store;
use vpnsnap::time::Timestamp;

#[path = "support/synthetic.rs"]
mod synthetic;
use synthetic::Lcg;

/// Bump when the generated history or the schema changes, so a cached
/// database is rebuilt (3: migration V7; 4: written run after run, each
/// connection with a random sequence of its own).
const GENERATOR_VERSION: u32 = 4;
const RUN_SECONDS: i64 = 900;
/// The two sources; connection `index` is `SOURCES[index % 2]`'s.
const SOURCES: [&str; 2] = ["bench-a", "bench-b"];

/// A question, its parameters and its target ("" when it has none).
type Case<'a> = (&'a str, Vec<(&'a str, String)>, &'a str);

/// The order the generated rows are written in (see the module docs).
#[derive(Clone, Copy, PartialEq)]
enum Layout {
    ByRun,
    ByConnection,
}

struct Scale {
    connections: usize,
    versions_per_connection: usize,
    runs: usize,
    repeats: usize,
}

fn main() {
    let smoke = std::env::args().any(|arg| arg == "--smoke");
    let layout = if std::env::args().any(|arg| arg == "--by-connection") {
        Layout::ByConnection
    } else {
        Layout::ByRun
    };
    // Words that are not options name the questions to run (all by default).
    let only: Vec<String> = std::env::args()
        .skip(1)
        .filter(|arg| !arg.starts_with('-'))
        .collect();
    let scale = if smoke {
        Scale {
            connections: 200,
            versions_per_connection: 10,
            runs: 20,
            repeats: 3,
        }
    } else {
        Scale {
            connections: 10_000,
            versions_per_connection: 100,
            runs: 1_000,
            repeats: 15,
        }
    };
    let scratch = tempfile::tempdir().expect("a temporary directory");
    let path = if smoke {
        scratch.path().join("query-bench.db")
    } else {
        PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!(
            "query-bench-{}x{}-v{GENERATOR_VERSION}{}.db",
            scale.connections,
            scale.versions_per_connection,
            match layout {
                Layout::ByRun => "",
                Layout::ByConnection => "-by-connection",
            }
        ))
    };
    let generated = Instant::now();
    let reused = ensure_database(&path, &scale, layout);
    println!(
        "query benchmark{}: {} connections, {} versions, {} runs, {}; database {} ({:.1} s{})",
        if smoke { " (smoke)" } else { "" },
        scale.connections,
        scale.connections * scale.versions_per_connection,
        scale.runs,
        match layout {
            Layout::ByRun => "written run after run",
            Layout::ByConnection => "written connection after connection",
        },
        path.display(),
        generated.elapsed().as_secs_f64(),
        if reused { ", cached" } else { ", generated" }
    );

    let db = QueryDb::open(&path).expect("the benchmark database opens read-only");
    let middle = scale.connections / 2;
    let connection = format!("conn-{middle:05}");
    let midpoint = time_of_run(scale.runs as i64 / 2).to_string();
    let last_day = time_of_run(scale.runs as i64 - 96).to_string();
    let last_hour = time_of_run(scale.runs as i64 - 4).to_string();
    let end = time_of_run(scale.runs as i64).to_string();
    let cases: Vec<Case<'_>> = vec![
        (
            "history",
            vec![("connection", connection.clone())],
            "< 20 ms",
        ),
        (
            "status-changes",
            vec![("connection", connection.clone())],
            "< 20 ms",
        ),
        (
            "policy-changes",
            vec![("connection", connection.clone())],
            "< 20 ms",
        ),
        ("as-of", vec![("at", midpoint.clone())], "<= 25 ms"),
        ("outages", vec![("connection", connection.clone())], ""),
        ("current", vec![], "<= 15 ms"),
        ("weak-crypto", vec![], "<= 25 ms"),
        ("runs", vec![], ""),
        ("changes", vec![("since", last_hour)], "<= 15 ms"),
        ("changes", vec![("since", last_day.clone())], "<= 250 ms"),
        (
            "status-changes",
            vec![("since", last_day.clone())],
            "<= 40 ms",
        ),
        (
            "diff",
            vec![("from", last_day.clone()), ("to", end.clone())],
            "<= 150 ms",
        ),
    ];
    println!();
    // "kept": every row held as values (what `report` and the table format
    // read); "ndjson": written as SQLite gives them (`query --format ndjson`,
    // here into a sink).
    println!(
        "{:<44} {:>8} {:>12} {:>10} {:>10}",
        "question", "rows", "kept ms", "ndjson ms", "target"
    );
    let mut plans = Vec::new();
    for (name, params, target) in &cases {
        if !only.is_empty() && !only.iter().any(|wanted| wanted == name) {
            continue;
        }
        let question = query::find(name).expect("the question exists");
        let params: Vec<(String, String)> = params
            .iter()
            .map(|(name, value)| (name.to_string(), value.clone()))
            .collect();
        let repeats = if target.is_empty() && !smoke {
            3
        } else {
            scale.repeats
        };
        let (median, rows) = time(&db, &question, &params, repeats);
        let streamed = time_streamed(&db, &question, &params, repeats);
        let label = format!(
            "{name} {}",
            params
                .iter()
                .map(|(name, value)| format!("--{name} {value}"))
                .collect::<Vec<_>>()
                .join(" ")
        );
        println!(
            "{:<44} {:>8} {:>12.2} {:>10.2} {:>10}",
            label,
            rows,
            median.as_secs_f64() * 1000.0,
            streamed.as_secs_f64() * 1000.0,
            target
        );
        if !target.is_empty() {
            plans.push((label, plan(&db, &question, &params)));
        }
    }
    for (label, plan) in plans {
        println!();
        println!("EXPLAIN QUERY PLAN: {label}");
        for line in plan {
            println!("  {line}");
        }
    }
}

/// Median wall time of `repeats` runs (three of a slow question), and the row count.
fn time(
    db: &QueryDb,
    question: &Query,
    params: &[(String, String)],
    repeats: usize,
) -> (Duration, usize) {
    let now = time_of_run(1_000_000);
    let mut times = Vec::with_capacity(repeats);
    let mut rows = 0;
    let mut repeats = repeats.max(1);
    while times.len() < repeats {
        let started = Instant::now();
        let table = query::run(db, question, params, now).expect("the question runs");
        times.push(started.elapsed());
        rows = table.rows.len();
        // A question slower than half a second is timed three times.
        if started.elapsed() > Duration::from_millis(500) {
            repeats = repeats.min(3);
        }
    }
    times.sort();
    (times[times.len() / 2], rows)
}

/// Median wall time of writing the answer as NDJSON into a sink as its rows
/// are read (`repeats` times, three of a slow question).
fn time_streamed(
    db: &QueryDb,
    question: &Query,
    params: &[(String, String)],
    repeats: usize,
) -> Duration {
    let now = time_of_run(1_000_000);
    let mut times = Vec::with_capacity(repeats);
    let mut repeats = repeats.max(1);
    while times.len() < repeats {
        let started = Instant::now();
        query::bind(db, question, params, now)
            .expect("the question binds")
            .write_to(std::io::sink(), query::Format::Ndjson)
            .expect("the answer is written");
        times.push(started.elapsed());
        if started.elapsed() > Duration::from_millis(500) {
            repeats = repeats.min(3);
        }
    }
    times.sort();
    times[times.len() / 2]
}

/// The question's EXPLAIN QUERY PLAN, indented by depth.
fn plan(db: &QueryDb, question: &Query, params: &[(String, String)]) -> Vec<String> {
    let mut explained = question.clone();
    explained.sql = format!("EXPLAIN QUERY PLAN {}", question.sql);
    let table = query::run(db, &explained, params, time_of_run(1_000_000)).expect("the plan runs");
    let mut depth: Vec<(i64, usize)> = Vec::new();
    table
        .rows
        .iter()
        .map(|row| {
            let id = integer(&row[0]);
            let parent = integer(&row[1]);
            let level = depth
                .iter()
                .find(|(node, _)| *node == parent)
                .map_or(0, |(_, level)| level + 1);
            depth.push((id, level));
            let detail = match &row[3] {
                rusqlite::types::Value::Text(text) => text.clone(),
                other => format!("{other:?}"),
            };
            format!("{}{detail}", "  ".repeat(level))
        })
        .collect()
}

fn integer(value: &rusqlite::types::Value) -> i64 {
    match value {
        rusqlite::types::Value::Integer(number) => *number,
        _ => -1,
    }
}

fn time_of_run(run: i64) -> Timestamp {
    let start = Timestamp::parse_rfc3339("2026-01-01T00:00:00Z").expect("a valid time");
    Timestamp::from_unix_seconds(start.datetime().timestamp() + run * RUN_SECONDS)
        .expect("a valid time")
}

/// Creates the database unless a complete one is cached; true when reused.
fn ensure_database(path: &Path, scale: &Scale, layout: Layout) -> bool {
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
            return true;
        }
        std::fs::remove_file(path).expect("a stale cached database can be removed");
    }
    for suffix in ["-wal", "-shm"] {
        let mut side = path.as_os_str().to_owned();
        side.push(suffix);
        let _ = std::fs::remove_file(PathBuf::from(side));
    }
    // The schema, through the store's migrations; the rows go in directly.
    drop(Store::open(path).expect("the benchmark database is created"));
    let mut direct = rusqlite::Connection::open(path).expect("a second connection");
    direct
        .execute_batch("PRAGMA synchronous = OFF; PRAGMA cache_size = -200000")
        .expect("pragma");
    let tx = direct.transaction().expect("a transaction");
    generate(&tx, scale, layout);
    tx.execute(
        "INSERT INTO meta (key, value) VALUES ('bench_complete', ?1)",
        [GENERATOR_VERSION.to_string()],
    )
    .expect("meta");
    tx.commit().expect("the generated history commits");
    // No ANALYZE: the plans are those a user's database gets.
    direct
        .execute_batch("PRAGMA wal_checkpoint(TRUNCATE)")
        .expect("checkpoint");
    false
}

/// A deterministic history written straight into the tables, with the
/// store's semantics: versions chain by valid_to, tombstones carry only the
/// name, field_changes name what each version changed.
fn generate(tx: &Transaction<'_>, scale: &Scale, layout: Layout) {
    let mut random = Lcg(0x9e37);
    for run in 0..scale.runs as i64 {
        tx.execute(
            "INSERT INTO runs (id, kind, started_at, finished_at, vpnsnap_version) VALUES (?1, 'collect', ?2, ?2, 'bench')",
            params![run + 1, time_of_run(run).to_string()],
        )
        .expect("runs");
        for source in SOURCES {
            // One failed listing in fifty.
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
    let connection_insert = tx
        .prepare("INSERT INTO connections (id, source, provider, connection_id) VALUES (?1, ?2, 'huaweicloud', ?3)")
        .expect("prepare");
    let version_insert = tx
        .prepare(
            "INSERT INTO versions (id, connection, version, event, run_id, observed_at, previous_observed_at, valid_to, \
             content_hash, normalizer_version, region, account, name, status, provider_status, gateway_id, gateway_ip, \
             peer_gateway_id, peer_address, local_subnets, peer_subnets, routing, admin_state_up, ike_version, \
             ike_auth_algorithm, ike_encryption_algorithm, ike_dh_group, ike_lifetime_seconds, ike_negotiation_mode, \
             dpd_interval, dpd_timeout, dpd_action, ipsec_auth_algorithm, ipsec_encryption_algorithm, ipsec_pfs, \
             ipsec_transform_protocol, ipsec_encapsulation_mode, ipsec_lifetime_seconds, psk_fingerprint, created_at, updated_at, tags) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 1, 'cn-north-4', '0a1b2c3d', ?10, ?11, ?11, ?12, ?13, ?14, ?15, ?16, ?17, \
             'policy', 1, 'v2', ?18, ?19, ?20, 86400, 'main', 30, 15, 'hold', 'sha2-256', ?21, ?22, 'esp', 'tunnel', 3600, ?23, \
             '2025-06-26T13:41:34.626Z', ?24, '[\"env=prod\"]')",
        )
        .expect("prepare");
    let tombstone_insert = tx
        .prepare(
            "INSERT INTO versions (id, connection, version, event, run_id, observed_at, previous_observed_at, valid_to, name) \
             VALUES (?1, ?2, ?3, 'deleted', ?4, ?5, ?6, ?7, ?8)",
        )
        .expect("prepare");
    let change_insert = tx
        .prepare("INSERT INTO field_changes (version_id, field, old_value, new_value) VALUES (?1, ?2, ?3, ?4)")
        .expect("prepare");
    let mut statements = Statements {
        connection: connection_insert,
        version: version_insert,
        tombstone: tombstone_insert,
        change: change_insert,
    };
    let step = scale.runs / scale.versions_per_connection;
    let mut states: Vec<State> = (0..scale.connections).map(State::new).collect();
    let mut version_id = 0i64;
    let mut emit = |index: usize, version: usize| {
        version_id += 1;
        emit_version(
            &mut statements,
            &mut states[index],
            index,
            version,
            step,
            version_id,
            scale.versions_per_connection,
        );
    };
    match layout {
        // As a collector writes: run after run, each source's changed
        // connections in turn, so a run's versions (and their field changes)
        // lie together in the file.
        Layout::ByRun => {
            for run in 0..scale.runs {
                let version = run / step;
                if version >= scale.versions_per_connection {
                    continue;
                }
                for source in 0..SOURCES.len() {
                    for index in (run % step..scale.connections).step_by(step) {
                        if index % SOURCES.len() == source {
                            emit(index, version);
                        }
                    }
                }
            }
        }
        // Each connection's whole history at once: no store writes this;
        // kept to compare (a window's versions each on a page of their own).
        Layout::ByConnection => {
            for index in 0..scale.connections {
                for version in 0..scale.versions_per_connection {
                    emit(index, version);
                }
            }
        }
    }
}

/// The generator's prepared inserts.
struct Statements<'tx> {
    connection: rusqlite::Statement<'tx>,
    version: rusqlite::Statement<'tx>,
    tombstone: rusqlite::Statement<'tx>,
    change: rusqlite::Statement<'tx>,
}

/// One connection's state between its versions, with its own random
/// sequence, so that both layouts generate the same history.
struct State {
    status: &'static str,
    encryption: &'static str,
    psk: String,
    deleted: bool,
    random: Lcg,
}

impl State {
    fn new(index: usize) -> State {
        State {
            status: "ACTIVE",
            encryption: "aes-128",
            psk: format!("{:016x}", index * 7919),
            deleted: false,
            random: Lcg(0x9e37 ^ (index as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15)),
        }
    }
}

/// Writes connection `index`'s version `version` (0-based), observed at run
/// `version * step + index % step`, as version row `version_id`.
fn emit_version(
    statements: &mut Statements<'_>,
    state: &mut State,
    index: usize,
    version: usize,
    step: usize,
    version_id: i64,
    versions_per_connection: usize,
) {
    let connection = index as i64 + 1;
    let name = format!("vpn-{index:05}");
    if version == 0 {
        statements
            .connection
            .execute(params![
                connection,
                SOURCES[index % SOURCES.len()],
                format!("conn-{index:05}")
            ])
            .expect("connections");
    }
    let offset = index % step;
    let run = (version * step + offset) as i64;
    let observed_at = time_of_run(run).to_string();
    let previous = (run > 0).then(|| time_of_run(run - 1).to_string());
    let valid_to = (version + 1 < versions_per_connection)
        .then(|| time_of_run(((version + 1) * step + offset) as i64).to_string());
    let run_id = run + 1;
    // Every 40th version deletes the connection; the next recreates it.
    if version > 0 && version.is_multiple_of(40) && !state.deleted {
        state.deleted = true;
        statements
            .tombstone
            .execute(params![
                version_id,
                connection,
                version as i64 + 1,
                run_id,
                observed_at,
                previous,
                valid_to,
                name
            ])
            .expect("tombstone");
        return;
    }
    let event = match (version, state.deleted) {
        (0, _) => "created",
        (_, true) => "recreated",
        _ => "changed",
    };
    state.deleted = false;
    let mut changes: Vec<(&str, String, String)> = Vec::new();
    if version > 0 {
        match state.random.below(4) {
            0 | 1 => {
                let next = if state.status == "ACTIVE" {
                    "DOWN"
                } else {
                    "ACTIVE"
                };
                changes.push(("provider_status", state.status.into(), next.into()));
                changes.push(("status", state.status.into(), next.into()));
                state.status = next;
            }
            2 => {
                let next = if state.encryption == "aes-128" {
                    "aes-256"
                } else {
                    "aes-128"
                };
                changes.push((
                    "ike.encryption_algorithm",
                    state.encryption.into(),
                    next.into(),
                ));
                state.encryption = next;
            }
            _ => {
                let next = format!("{:016x}", state.random.below(usize::MAX >> 1));
                changes.push(("psk_fingerprint", state.psk.clone(), next.clone()));
                state.psk = next;
            }
        }
    }
    let weak = index.is_multiple_of(97);
    statements
        .version
        .execute(params![
            version_id,
            connection,
            version as i64 + 1,
            event,
            run_id,
            observed_at,
            previous,
            valid_to,
            vec![(version_id & 0xff) as u8; 16],
            name,
            state.status,
            format!("vgw-{:04}", index / 50),
            format!("203.0.{}.{}", index / 250 % 250, index % 250),
            format!("cgw-{index:05}"),
            format!("88.{}.{}.164", index / 250 % 250, index % 250),
            format!("[\"10.{}.{}.0/24\"]", index / 250 % 250, index % 250),
            format!("[\"192.168.{}.0/24\"]", index % 250),
            if weak { "sha1" } else { "sha2-256" },
            state.encryption,
            if weak { "group2" } else { "group15" },
            "aes-128",
            if index.is_multiple_of(89) {
                "disabled"
            } else {
                "group15"
            },
            state.psk,
            observed_at,
        ])
        .expect("versions");
    for (field, old, new) in changes {
        statements
            .change
            .execute(params![version_id, field, old, new])
            .expect("field_changes");
    }
}
