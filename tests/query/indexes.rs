//! Migration V7's covering indexes: they hold every version they should
//! after changes, deletions and recreations, the estate-wide questions read
//! them, and a database at V6 is migrated to them and answers the same.

use std::path::Path;

use super::{T0, ask, history};

/// Each question the indexes serve, with parameters that give rows.
const QUESTIONS: &[(&str, &[(&str, &str)])] = &[
    ("current", &[]),
    ("as-of", &[("at", "2026-11-01T02:00:00.000Z")]),
    ("weak-crypto", &[]),
    ("weak-crypto", &[("at", "2026-11-01T01:00:00.000Z")]),
    ("changes", &[("since", T0)]),
    ("changes", &[]),
    ("status-changes", &[("since", T0)]),
    ("status-changes", &[]),
    ("status-changes", &[("connection", "a"), ("since", T0)]),
    ("diff", &[("from", T0), ("to", "2026-11-01T03:00:00.000Z")]),
    ("history", &[("connection", "c")]),
    ("outages", &[]),
];

fn answers(dir: &Path) -> Vec<Vec<Vec<String>>> {
    QUESTIONS
        .iter()
        .map(|(name, params)| ask(dir, name, params))
        .collect()
}

fn sqlite(dir: &Path) -> rusqlite::Connection {
    rusqlite::Connection::open(dir.join("h.db")).unwrap()
}

fn one(sqlite: &rusqlite::Connection, sql: &str) -> String {
    sqlite
        .query_row(sql, [], |row| row.get::<_, rusqlite::types::Value>(0))
        .map(|value| match value {
            rusqlite::types::Value::Integer(number) => number.to_string(),
            rusqlite::types::Value::Text(text) => text,
            other => format!("{other:?}"),
        })
        .unwrap()
}

/// The columns of an index, in order.
fn index_columns(sqlite: &rusqlite::Connection, index: &str) -> Vec<String> {
    let mut statement = sqlite
        .prepare("SELECT name FROM pragma_index_info(?1) ORDER BY seqno")
        .unwrap();
    statement
        .query_map([index], |row| row.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

fn indexes_of_versions(sqlite: &rusqlite::Connection) -> Vec<String> {
    let mut statement = sqlite
        .prepare(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'versions' \
             AND sql IS NOT NULL ORDER BY name",
        )
        .unwrap();
    statement
        .query_map([], |row| row.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

fn plan(dir: &Path, name: &str, params: &[(&str, &str)]) -> String {
    let db = vpnsnap::query::QueryDb::open(&dir.join("h.db")).unwrap();
    let mut question = vpnsnap::query::find(name).unwrap();
    question.sql = format!("EXPLAIN QUERY PLAN {}", question.sql);
    let params: Vec<(String, String)> = params
        .iter()
        .map(|(name, value)| (name.to_string(), value.to_string()))
        .collect();
    let table = vpnsnap::query::run(&db, &question, &params, super::now()).unwrap();
    table
        .rows
        .iter()
        .map(|row| super::text(&row[3]))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn the_covering_indexes_hold_every_version_after_changes_deletions_and_recreations() {
    let dir = history();
    let sqlite = sqlite(dir.path());
    // Every index entry agrees with its row (valid_to set when a version is
    // superseded takes it out of the partial index, and so on).
    assert_eq!(one(&sqlite, "PRAGMA integrity_check"), "ok");
    // One latest version per connection (a's third after DOWN and back, c's
    // recreation after its tombstone), read from the index alone.
    assert_eq!(
        one(
            &sqlite,
            "SELECT group_concat(connection || ':' || version || ':' || event, ' ') FROM \
             (SELECT connection, version, event FROM versions INDEXED BY versions_latest_covering \
              WHERE valid_to IS NULL ORDER BY connection)"
        ),
        "1:3:changed 2:3:changed 3:3:recreated 4:2:changed"
    );
    assert_eq!(
        one(
            &sqlite,
            "SELECT count(*) FROM versions INDEXED BY versions_by_time WHERE observed_at >= ''"
        ),
        one(&sqlite, "SELECT count(*) FROM versions")
    );
    // The estate-wide questions read them without the table.
    assert!(
        plan(dir.path(), "current", &[]).contains("COVERING INDEX versions_latest_covering"),
        "{}",
        plan(dir.path(), "current", &[])
    );
    assert!(
        plan(dir.path(), "weak-crypto", &[]).contains("COVERING INDEX versions_latest_covering")
    );
    for name in ["changes", "status-changes"] {
        let plan = plan(dir.path(), name, &[("since", T0)]);
        assert!(
            plan.contains("COVERING INDEX versions_by_time"),
            "{name}: {plan}"
        );
    }
}

#[test]
fn a_v6_database_is_migrated_to_the_v7_indexes_and_answers_the_same() {
    let dir = history();
    let at_v7 = answers(dir.path());
    // The same history with V6's indexes, as an earlier vpnsnap left it
    // (and without V8's table).
    sqlite(dir.path())
        .execute_batch(
            "DROP INDEX versions_latest_covering;
             CREATE INDEX versions_latest ON versions (connection) WHERE valid_to IS NULL;
             DROP INDEX versions_by_time;
             CREATE INDEX versions_by_time ON versions (observed_at);
             DROP TABLE listing_keys;
             DELETE FROM refinery_schema_history WHERE version >= 7;",
        )
        .unwrap();
    let v6 = sqlite(dir.path());
    assert_eq!(
        indexes_of_versions(&v6),
        [
            "versions_by_connection_time",
            "versions_by_time",
            "versions_latest",
            "versions_latest_by_name"
        ]
    );
    // This version's questions answer the same on V6's indexes...
    assert_eq!(answers(dir.path()), at_v7);
    drop(v6);
    // ...and the store brings the database to V7.
    drop(vpnsnap::store::Store::open(&dir.path().join("h.db")).unwrap());
    let v7 = sqlite(dir.path());
    assert_eq!(
        one(
            &v7,
            "SELECT count(*) FROM refinery_schema_history WHERE version = 7"
        ),
        "1"
    );
    assert_eq!(
        indexes_of_versions(&v7),
        [
            "versions_by_connection_time",
            "versions_by_time",
            "versions_latest_by_name",
            "versions_latest_covering"
        ]
    );
    assert_eq!(
        index_columns(&v7, "versions_by_time"),
        [
            "observed_at",
            "connection",
            "version",
            "event",
            "previous_observed_at",
            "name"
        ]
    );
    assert_eq!(
        index_columns(&v7, "versions_latest_covering")[..7],
        [
            "connection",
            "valid_to",
            "event",
            "version",
            "content_hash",
            "observed_at",
            "name"
        ]
    );
    assert_eq!(one(&v7, "PRAGMA integrity_check"), "ok");
    assert_eq!(answers(dir.path()), at_v7);
}
