//! `vpnsnap query` and `vpnsnap sql` on a scripted history: exact rows for
//! every question, each output format parsed back, connection resolution,
//! parameter errors, and read-only enforcement.
//!
//! The history (times are 2026-11-01 at hour 0, 1, 2, 3; sources hw and os):
//! - hw/a "name-a": ACTIVE, DOWN, DOWN, ACTIVE (down for two runs);
//! - hw/b "name-b": IKE encryption aes-128 -> aes-256 at 1, PSK rotated at 2;
//! - hw/c "name-c" (IKE sha1): deleted at 2, recreated unchanged at 3;
//! - os/x "name-a-dr" (IKEv1 aggressive, DH group2): the os listing failed
//!   at 1, x was DOWN at 2 and still is.

use std::path::Path;

use rusqlite::types::Value;
use vpnsnap::listing::SourceOutcome;
use vpnsnap::model::{Connection, Status};
use vpnsnap::provider::Normalized;
use vpnsnap::query::{self, QueryDb};
use vpnsnap::time::Timestamp;

use crate::support::*;

mod changes;
mod diff;
mod estate;
mod indexes;
mod schema;

fn conn(id: &str, status: Status, edit: impl FnOnce(&mut Connection)) -> Normalized {
    let mut normalized = item(id, status);
    edit(&mut normalized.connection);
    seal(normalized)
}

fn a(status: Status) -> Normalized {
    conn("a", status, |_| {})
}

fn b(encryption: &str, psk: &str) -> Normalized {
    conn("b", Status::Active, |connection| {
        connection.ike.encryption_algorithm = Some(encryption.into());
        connection.psk_fingerprint = Some(psk.into());
    })
}

fn c() -> Normalized {
    conn("c", Status::Active, |connection| {
        connection.ike.auth_algorithm = Some("sha1".into());
    })
}

fn x(status: Status) -> Normalized {
    conn("x", status, |connection| {
        connection.name = Some("name-a-dr".into());
        connection.ike.version = Some("v1".into());
        connection.ike.negotiation_mode = Some("aggressive".into());
        connection.ike.dh_group = Some("group2".into());
    })
}

const PSK1: &str = "1111111111111111";
const PSK2: &str = "2222222222222222";

/// Writes the scripted history into `dir/h.db` and closes it.
pub fn scripted(dir: &Path) {
    let mut store = vpnsnap::store::Store::open(&dir.join("h.db")).unwrap();
    let ok = |items: Vec<Normalized>| SourceOutcome::Complete(items.into());
    let runs = vec![
        vec![
            source(
                "hw",
                at(1, 0),
                ok(vec![a(Status::Active), b("aes-128", PSK1), c()]),
            ),
            source("os", at(1, 0), ok(vec![x(Status::Active)])),
        ],
        vec![
            source(
                "hw",
                at(1, 1),
                ok(vec![a(Status::Down), b("aes-256", PSK1), c()]),
            ),
            source(
                "os",
                at(1, 1),
                SourceOutcome::Failed {
                    error: "HTTP 500 on page 2".into(),
                    item_count: 0,
                },
            ),
        ],
        vec![
            source(
                "hw",
                at(1, 2),
                ok(vec![a(Status::Down), b("aes-256", PSK2)]),
            ),
            source("os", at(1, 2), ok(vec![x(Status::Down)])),
        ],
        vec![
            source(
                "hw",
                at(1, 3),
                ok(vec![a(Status::Active), b("aes-256", PSK2), c()]),
            ),
            source("os", at(1, 3), ok(vec![x(Status::Down)])),
        ],
    ];
    for run in runs {
        write(&mut store, run);
    }
}

fn history() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    scripted(dir.path());
    dir
}

fn now() -> Timestamp {
    at(1, 4)
}

/// Runs a named question through the library; rows as strings, NULL as "NULL".
fn ask(dir: &Path, name: &str, params: &[(&str, &str)]) -> Vec<Vec<String>> {
    let table = try_ask(dir, name, params).unwrap_or_else(|error| panic!("{name}: {error}"));
    table
        .rows
        .into_iter()
        .map(|row| row.into_iter().map(|value| text(&value)).collect())
        .collect()
}

fn try_ask(
    dir: &Path,
    name: &str,
    params: &[(&str, &str)],
) -> Result<query::Table, query::QueryError> {
    let db = QueryDb::open(&dir.join("h.db"))?;
    let question = query::find(name)?;
    let params: Vec<(String, String)> = params
        .iter()
        .map(|(name, value)| (name.to_string(), value.to_string()))
        .collect();
    query::run(&db, &question, &params, now())
}

fn columns(dir: &Path, name: &str, params: &[(&str, &str)]) -> Vec<String> {
    try_ask(dir, name, params).unwrap().columns
}

fn text(value: &Value) -> String {
    match value {
        Value::Null => "NULL".into(),
        Value::Integer(number) => number.to_string(),
        Value::Real(number) => number.to_string(),
        Value::Text(text) => text.clone(),
        Value::Blob(bytes) => format!("<{} bytes>", bytes.len()),
    }
}

fn row(values: &[&str]) -> Vec<String> {
    values.iter().map(|value| value.to_string()).collect()
}

const T0: &str = "2026-11-01T00:00:00.000Z";
const T1: &str = "2026-11-01T01:00:00.000Z";
const T2: &str = "2026-11-01T02:00:00.000Z";
const T3: &str = "2026-11-01T03:00:00.000Z";
