//! Which schema `vpnsnap query` reads: a current database as it is, left
//! byte for byte unchanged; one an older vpnsnap wrote is brought to the
//! current schema by the store first (as the next collection would).

use crate::support::*;

use super::scripted;

mod embedded {
    refinery::embed_migrations!("migrations");
}

/// The latest migration vpnsnap has.
fn latest() -> i32 {
    embedded::migrations::runner()
        .get_migrations()
        .iter()
        .map(|migration| migration.version())
        .max()
        .unwrap()
}

fn applied(database: &std::path::Path) -> i32 {
    rusqlite::Connection::open(database)
        .unwrap()
        .query_row(
            "SELECT max(version) FROM refinery_schema_history",
            [],
            |row| row.get(0),
        )
        .unwrap()
}

#[test]
fn query_reads_a_current_database_without_writing() {
    let dir = tempfile::tempdir().unwrap();
    scripted(dir.path());
    let database = dir.path().join("h.db");
    let before = database_bytes(&database);
    let output = vpnsnap(
        dir.path(),
        &["--db", "h.db", "query", "runs", "--format", "csv"],
    );
    assert_eq!((output.code, output.stderr.as_str()), (0, ""));
    assert_eq!(output.stdout.lines().count(), 1 + 8, "{}", output.stdout);
    assert_eq!(database_bytes(&database), before, "the database changed");
}

#[test]
fn query_brings_an_older_database_to_the_current_schema_first() {
    let dir = tempfile::tempdir().unwrap();
    let database = dir.path().join("old.db");
    let mut sqlite = rusqlite::Connection::open(&database).unwrap();
    embedded::migrations::runner()
        .set_target(refinery::Target::Version(latest() - 1))
        .run(&mut sqlite)
        .unwrap();
    drop(sqlite);
    assert_eq!(applied(&database), latest() - 1);
    let output = vpnsnap(
        dir.path(),
        &["--db", "old.db", "query", "runs", "--format", "csv"],
    );
    assert_eq!(
        (output.code, output.stdout.as_str(), output.stderr.as_str()),
        (
            0,
            "run_id,kind,started_at,finished_at,source,provider,observed_at,outcome,item_count,created,changed,deleted,recreated,error\n",
            ""
        )
    );
    assert_eq!(applied(&database), latest());
}
