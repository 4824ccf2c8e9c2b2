//! Shared helpers for the integration tests.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

use serde_json::{Value, json};
use vpnsnap::collector::Collected;
use vpnsnap::fingerprint::PskFingerprinter;
use vpnsnap::listing::{SourceOutcome, SourceResult};
use vpnsnap::model::{Connection, Status};
use vpnsnap::provider::content::content_hash;
use vpnsnap::provider::{Normalized, ProviderKind};
use vpnsnap::store::{RunKind, RunRecord, RunSummary, Store};
use vpnsnap::time::Timestamp;

pub fn fingerprinter() -> PskFingerprinter {
    PskFingerprinter::new(b"integration-test-key")
}

/// `2026-11-0{day}T{hour}:00:00Z`, for readable test times.
pub fn at(day: u32, hour: u32) -> Timestamp {
    Timestamp::parse_rfc3339(&format!("2026-11-{day:02}T{hour:02}:00:00Z")).unwrap()
}

/// A Huawei-like connection as a collector would hand it to the store.
pub fn item(id: &str, status: Status) -> Normalized {
    let mut connection = Connection::new("hw", "huaweicloud", id, status);
    connection.name = Some(format!("name-{id}"));
    connection.provider_status = Some(status.as_str().to_string());
    connection.ike.encryption_algorithm = Some("aes-128".into());
    connection.ipsec.pfs = Some("group14".into());
    let raw =
        json!({"id": id, "name": format!("name-{id}"), "status": status.as_str(), "mtu": 1500});
    seal(Normalized {
        connection,
        raw_json: raw.to_string(),
        related_json: None,
        content_hash: [0; 16],
        unmapped_json: json!({"mtu": 1500}).to_string(),
        unmapped_related_json: json!({}).to_string(),
        warnings: Vec::new(),
    })
}

/// Recomputes the content hash after a test edited the item.
pub fn seal(mut item: Normalized) -> Normalized {
    let raw: Value = serde_json::from_str(&item.raw_json).unwrap();
    item.content_hash = content_hash(
        ProviderKind::HuaweiCloud,
        &item.connection,
        &raw,
        &raw.to_string(),
        item.related_json.as_deref(),
    );
    item
}

pub fn with_raw(mut item: Normalized, key: &str, value: Value) -> Normalized {
    let mut raw: Value = serde_json::from_str(&item.raw_json).unwrap();
    raw[key] = value.clone();
    item.raw_json = raw.to_string();
    let mut unmapped = item.unmapped_value();
    unmapped[key] = value;
    item.unmapped_json = unmapped.to_string();
    seal(item)
}

pub fn source(name: &str, observed_at: Timestamp, outcome: SourceOutcome) -> SourceResult {
    SourceResult {
        source: name.to_string(),
        provider: ProviderKind::HuaweiCloud,
        region: None,
        account: None,
        observed_at,
        outcome,
        warnings: Vec::new(),
    }
}

pub fn write(store: &mut Store, sources: Vec<SourceResult>) -> RunSummary {
    try_write(store, sources).unwrap()
}

pub fn try_write(
    store: &mut Store,
    sources: Vec<SourceResult>,
) -> Result<RunSummary, vpnsnap::store::StoreError> {
    let started_at = sources
        .first()
        .map(|source| source.observed_at)
        .unwrap_or_else(Timestamp::now);
    let run = RunRecord {
        kind: RunKind::Collect,
        started_at,
        finished_at: started_at,
        sources,
    };
    store.write_run(&run, &fingerprinter())
}

pub fn temp_store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("history.db")).unwrap();
    (dir, store)
}

/// Rows of a query as strings, for exact comparisons.
pub fn rows(store: &Store, sql: &str) -> Vec<Vec<String>> {
    let mut statement = store.sqlite().prepare(sql).unwrap();
    let columns = statement.column_count();
    statement
        .query_map([], |row| {
            (0..columns)
                .map(|index| {
                    let value: rusqlite::types::Value = row.get(index)?;
                    Ok(match value {
                        rusqlite::types::Value::Null => "NULL".to_string(),
                        rusqlite::types::Value::Integer(number) => number.to_string(),
                        rusqlite::types::Value::Real(number) => number.to_string(),
                        rusqlite::types::Value::Text(text) => text,
                        rusqlite::types::Value::Blob(bytes) => format!("<{} bytes>", bytes.len()),
                    })
                })
                .collect()
        })
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

/// The field changes recorded, as (connection_id, version, event, field, old, new).
pub fn changes(store: &Store) -> Vec<Vec<String>> {
    rows(
        store,
        "SELECT connection_id, version, event, field, coalesce(old_value, 'NULL'), coalesce(new_value, 'NULL') \
         FROM connection_changes ORDER BY connection_id, version, field",
    )
}

/// Every table's content, to prove a failed write changed nothing.
pub fn dump(store: &Store) -> Vec<Vec<String>> {
    let mut all = Vec::new();
    for table in [
        "meta",
        "runs",
        "run_sources",
        "connections",
        "versions",
        "version_raw",
        "field_changes",
        "listing_keys",
    ] {
        all.push(vec![format!("-- {table}")]);
        all.extend(rows(store, &format!("SELECT * FROM {table} ORDER BY 1, 2")));
    }
    all
}

/// The connection ids of a complete listing, sorted.
pub fn complete_ids(collected: &Collected) -> Vec<String> {
    match &collected.result.outcome {
        SourceOutcome::Complete(items) => {
            let mut ids: Vec<String> = items
                .keys()
                .expect("the listing reads back")
                .into_iter()
                .map(|(id, _)| id)
                .collect();
            ids.sort();
            ids
        }
        other => panic!("expected a complete listing, got {other:?}"),
    }
}

/// The error of a failed collection, and its class (`none` if it has none).
pub fn failure(collected: &Collected) -> (String, &'static str) {
    match &collected.result.outcome {
        SourceOutcome::Failed { error, .. } => {
            (error.clone(), collected.error_class.unwrap_or("none"))
        }
        other => panic!("expected a failure, got {other:?}"),
    }
}

pub fn fixture(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(path)
}

/// The output of one `vpnsnap` invocation.
pub struct Output {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// Runs the binary with `args`, no config unless the args name one, in `dir`.
pub fn vpnsnap(dir: &Path, args: &[&str]) -> Output {
    vpnsnap_with_env(dir, args, &[])
}

/// Like [`vpnsnap`], with extra environment variables.
pub fn vpnsnap_with_env(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_vpnsnap"))
        .args(args)
        .current_dir(dir)
        .env_remove("VPNSNAP_CONFIG")
        .env_remove("RUST_LOG")
        .envs(env.iter().copied())
        .output()
        .expect("the vpnsnap binary runs");
    Output {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// Every byte of the database and its WAL, for secret scans.
pub fn database_bytes(database: &Path) -> Vec<u8> {
    let mut bytes = std::fs::read(database).unwrap_or_default();
    let mut wal = database.as_os_str().to_owned();
    wal.push("-wal");
    bytes.extend(std::fs::read(PathBuf::from(wal)).unwrap_or_default());
    bytes
}

pub fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|window| window == needle.as_bytes())
}

/// A listener on 127.0.0.1 that counts the connections made to it (and
/// answers none): where a test's hostile server redirects requests to.
pub fn counting_listener() -> (u16, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let count = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let seen = std::sync::Arc::clone(&count);
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            seen.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            drop(stream);
        }
    });
    (port, count)
}

/// The error a redirect to [`counting_listener`]'s `port` gives, after
/// `origin: `.
pub fn redirect_error(origin: &str, port: u16) -> String {
    format!(
        "redirect not followed: {origin}: HTTP 307 Temporary Redirect to \
         \"http://127.0.0.1:{port}/stolen\"; vpnsnap follows no redirects, so that credentials \
         never leave the endpoint they are for: configure the endpoint the API answers on"
    )
}
