//! The analysts' database: every view reads with the SQLite analysts'
//! machines already have (the system `sqlite3` binary, Python's `sqlite3`
//! module), and a database written before migration V6 (raw JSON as SQLite
//! JSONB) is converted to JSON text and reads exactly as before.

use std::io::Write;
use std::path::Path;
use std::process::Command;

use serde_json::json;
use vpnsnap::listing::SourceOutcome;
use vpnsnap::model::Status;
use vpnsnap::provider::Normalized;
use vpnsnap::store::Store;

use crate::support::*;

mod before_v6 {
    refinery::embed_migrations!("migrations");
}

/// A connection with a kilobyte-sized raw object (as real ones are), so a
/// one-field change is stored as a patch.
fn sized(id: &str, status: Status) -> Normalized {
    with_raw(
        item(id, status),
        "description",
        json!("a site-to-site tunnel to the branch office ".repeat(5)),
    )
}

/// `sized`, referencing an IKE policy (as OpenStack's related objects).
fn with_policy(id: &str, encryption: &str) -> Normalized {
    let mut item = sized(id, Status::Active);
    item.related_json = Some(
        json!({"ikepolicy": {"id": "ike-1", "name": "ike-shared",
                             "encryption_algorithm": encryption,
                             "description": "the policy every branch tunnel uses ".repeat(4)}})
        .to_string(),
    );
    seal(item)
}

/// A history with every kind of event: changed (stored as patches), deleted,
/// recreated, and a referenced object edited in place.
fn write_history(store: &mut Store) {
    let runs: [Vec<Normalized>; 4] = [
        vec![
            sized("a", Status::Active),
            sized("b", Status::Active),
            with_policy("c", "aes-128"),
        ],
        vec![
            sized("a", Status::Down),
            sized("b", Status::Active),
            with_policy("c", "aes-256"),
        ],
        vec![
            with_raw(sized("a", Status::Active), "mtu", json!(1400)),
            with_policy("c", "aes-256"),
        ],
        vec![
            with_raw(sized("a", Status::Active), "mtu", json!(1400)),
            sized("b", Status::Down),
            with_policy("c", "aes-256"),
        ],
    ];
    for (hour, items) in runs.into_iter().enumerate() {
        write(
            store,
            vec![source(
                "hw",
                at(1, hour as u32),
                SourceOutcome::Complete(items.into()),
            )],
        );
    }
}

/// The system `sqlite3` binary and its version; the test fails (it does not
/// skip) where there is none, as CI installs it.
fn system_sqlite3() -> String {
    let output = Command::new("sqlite3")
        .arg("-version")
        .output()
        .unwrap_or_else(|error| {
            panic!(
                "the system sqlite3 binary is needed by this test ({error}): install it, \
                 e.g. `apt-get install sqlite3` (.ci/run does)"
            )
        });
    assert!(output.status.success(), "sqlite3 -version failed");
    let version = String::from_utf8_lossy(&output.stdout);
    version.split_whitespace().next().unwrap_or("?").to_string()
}

/// Runs `sql` with the system `sqlite3` on `database`, failing on any error.
fn sqlite3(database: &Path, sql: &str) -> String {
    // No ~/.sqliterc, list mode without headers: the output is parsed.
    let output = Command::new("sqlite3")
        .args([
            "-init",
            "/dev/null",
            "-batch",
            "-list",
            "-noheader",
            "-bail",
        ])
        .arg(database)
        .arg(sql)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success() && stderr.is_empty(),
        "system sqlite3 {} failed on `{sql}`: {stderr}",
        system_sqlite3()
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// What an analyst does first with the system `sqlite3`: every view in full,
/// and a member of every version's raw JSON read with `json_extract`.
fn read_as_an_analyst(database: &Path, expect_versions: usize) {
    // Straight to the process's stderr, past the test harness's capture, so
    // that the version shows in CI's log.
    let _ = writeln!(
        std::io::stderr(),
        "analysts_db: reading {} with the system sqlite3 {}",
        database.display(),
        system_sqlite3()
    );
    let views = sqlite3(
        database,
        "SELECT name FROM sqlite_master WHERE type = 'view' ORDER BY name",
    );
    let views: Vec<&str> = views.lines().collect();
    assert_eq!(
        views,
        [
            "connection_changes",
            "connection_events",
            "connection_versions",
            "current_connections"
        ]
    );
    for view in views {
        let all = sqlite3(database, &format!("SELECT * FROM {view}"));
        assert!(!all.is_empty(), "{view} is empty");
    }
    // The name as the provider spelt it, read from every version's raw JSON
    // (tombstones have none), agrees with the normalized name.
    let counts = sqlite3(
        database,
        "SELECT count(*), count(raw_json), \
         count(*) FILTER (WHERE raw_json IS NOT NULL AND json_extract(raw_json, \
           CASE provider WHEN 'tencent' THEN '$.VpnConnectionName' \
                         WHEN 'tencent-legacy' THEN '$.vpnConnName' \
                         ELSE '$.name' END) IS NOT name) \
         FROM connection_versions",
    );
    let counts: Vec<usize> = counts
        .trim()
        .split('|')
        .map(|n| n.parse().unwrap())
        .collect();
    assert_eq!(counts[0], expect_versions, "versions read: {counts:?}");
    assert!(counts[1] > 0 && counts[1] <= counts[0], "{counts:?}");
    assert_eq!(counts[2], 0, "names json_extract reads differently");
    let related = sqlite3(
        database,
        "SELECT count(*) FROM connection_versions \
         WHERE json_extract(related_json, '$.ikepolicy.name') IS NOT NULL",
    );
    assert_ne!(related.trim(), "0", "no related objects were read");
}

#[test]
fn every_view_reads_with_the_system_sqlite3() {
    let (dir, mut store) = temp_store();
    write_history(&mut store);
    let events = rows(
        &store,
        "SELECT group_concat(event) FROM (SELECT event FROM versions ORDER BY id)",
    );
    assert_eq!(
        events[0][0],
        "created,created,created,changed,changed,changed,deleted,recreated"
    );
    let patches = rows(
        &store,
        "SELECT count(*) FILTER (WHERE base_version_id IS NOT NULL), \
                count(*) FILTER (WHERE typeof(raw_json) <> 'text') FROM version_raw",
    );
    assert_ne!(patches[0][0], "0", "the history has no patches to read");
    assert_eq!(patches[0][1], "0", "raw JSON stored as other than text");
    let objects = "SELECT version_id || char(9) || coalesce(raw_json, 'NULL') || char(9) || \
                   coalesce(related_json, 'NULL') FROM connection_versions ORDER BY version_id";
    let bundled: Vec<String> = rows(&store, objects).into_iter().flatten().collect();
    drop(store);
    let database = dir.path().join("history.db");
    read_as_an_analyst(&database, 8);
    // The objects read the same with the system SQLite as with vpnsnap's.
    let system = sqlite3(&database, objects);
    assert_eq!(system.lines().collect::<Vec<_>>(), bundled);
}

#[test]
fn the_demo_database_reads_with_the_system_sqlite3_and_python() {
    let dir = tempfile::tempdir().unwrap();
    let demo = vpnsnap(dir.path(), &["demo"]);
    assert_eq!(demo.code, 0, "{}{}", demo.stdout, demo.stderr);
    let database = dir.path().join("vpnsnap-demo.db");
    let versions = sqlite3(&database, "SELECT count(*) FROM versions");
    read_as_an_analyst(&database, versions.trim().parse().unwrap());

    // Python's standard sqlite3 module (the one Datasette and notebooks use).
    let script = "import sqlite3, sys\n\
        db = sqlite3.connect(sys.argv[1])\n\
        print(sqlite3.sqlite_version)\n\
        for (view,) in db.execute(\"SELECT name FROM sqlite_master WHERE type = 'view'\").fetchall():\n\
        \x20   db.execute(f'SELECT * FROM {view}').fetchall()\n";
    match Command::new("python3")
        .arg("-c")
        .arg(script)
        .arg(&database)
        .output()
    {
        Ok(output) => {
            assert!(
                output.status.success(),
                "python3's sqlite3 module failed: {}",
                String::from_utf8_lossy(&output.stderr)
            );
            let _ = writeln!(
                std::io::stderr(),
                "analysts_db: python3's sqlite3 module (SQLite {}) read every view",
                String::from_utf8_lossy(&output.stdout).trim()
            );
        }
        Err(error) => eprintln!("skipped the Python check: no python3 ({error})"),
    }
}

/// Copies a database written by this version into one at migration V4,
/// raw JSON converted to JSONB as V4 and V5 stored it (V5's `sources` is
/// filled in by V5 itself from the runs and versions).
fn as_written_before_v6(current: &Path, old: &Path) {
    let mut sqlite = rusqlite::Connection::open(old).unwrap();
    before_v6::migrations::runner()
        .set_target(refinery::Target::Version(4))
        .run(&mut sqlite)
        .unwrap();
    sqlite
        .execute("ATTACH DATABASE ?1 AS current", [current.to_str().unwrap()])
        .unwrap();
    sqlite
        .execute_batch(
            "BEGIN;
             INSERT INTO meta SELECT * FROM current.meta;
             INSERT INTO runs SELECT * FROM current.runs;
             INSERT INTO run_sources SELECT * FROM current.run_sources;
             INSERT INTO connections SELECT * FROM current.connections;
             INSERT INTO versions SELECT * FROM current.versions;
             INSERT INTO field_changes SELECT * FROM current.field_changes;
             INSERT INTO version_raw (version_id, raw_jsonb, related_jsonb, base_version_id)
               SELECT version_id, jsonb(raw_json), jsonb(related_json), base_version_id
               FROM current.version_raw;
             COMMIT;
             DETACH DATABASE current;",
        )
        .unwrap();
}

fn every_version(sqlite: &rusqlite::Connection) -> Vec<Vec<String>> {
    let mut statement = sqlite
        .prepare("SELECT * FROM connection_versions ORDER BY version_id")
        .unwrap();
    let columns = statement.column_count();
    statement
        .query_map([], |row| {
            (0..columns)
                .map(|index| {
                    let value: rusqlite::types::Value = row.get(index)?;
                    Ok(format!("{value:?}"))
                })
                .collect()
        })
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

#[test]
fn a_jsonb_database_is_migrated_to_text_and_reads_the_same() {
    let (dir, mut store) = temp_store();
    write_history(&mut store);
    let written = every_version(store.sqlite());
    drop(store);
    let old = dir.path().join("at-v4.db");
    as_written_before_v6(&dir.path().join("history.db"), &old);
    let before = {
        let sqlite = rusqlite::Connection::open(&old).unwrap();
        let kinds = sqlite
            .query_row(
                "SELECT count(*) FILTER (WHERE typeof(raw_jsonb) = 'blob'), \
                 count(*) FILTER (WHERE base_version_id IS NOT NULL), \
                 count(related_jsonb) FILTER (WHERE base_version_id IS NOT NULL) \
                 FROM version_raw",
                [],
                |row| Ok((row.get::<_, i64>(0)?, row.get::<_, i64>(1)?, row.get(2)?)),
            )
            .unwrap();
        assert_eq!(
            kinds,
            (7, 4, 1),
            "JSONB rows: full, patched, related patched"
        );
        every_version(&sqlite)
    };
    assert_eq!(before, written);

    let store = Store::open(&old).unwrap();
    assert_eq!(every_version(store.sqlite()), before);
    assert_eq!(
        rows(&store, "SELECT * FROM sources"),
        [["hw", "huaweicloud", "NULL", "NULL"]]
    );
    assert_eq!(
        rows(
            &store,
            "SELECT count(*) FILTER (WHERE typeof(raw_json) = 'text'), \
             count(*) FILTER (WHERE base_version_id IS NOT NULL) FROM version_raw"
        ),
        [["7", "4"]]
    );
    drop(store);
    read_as_an_analyst(&old, 8);
}

#[test]
fn a_migration_that_cannot_convert_leaves_the_database_as_it_was() {
    let (dir, mut store) = temp_store();
    write_history(&mut store);
    drop(store);
    let old = dir.path().join("at-v4.db");
    as_written_before_v6(&dir.path().join("history.db"), &old);
    let sqlite = rusqlite::Connection::open(&old).unwrap();
    // Not JSONB: the conversion cannot read it.
    sqlite
        .execute(
            "UPDATE version_raw SET raw_jsonb = x'ff00ff00' WHERE version_id = 2",
            [],
        )
        .unwrap();
    drop(sqlite);
    let before = sqlite3(&old, ".dump");

    let error = Store::open(&old).err().expect("the migration fails");
    let message = format!("{error:#}");
    assert!(message.contains("cannot migrate the database"), "{message}");
    assert!(
        message.contains(
            "(pending, applied together or not at all: V5__source_identity, V6__raw_json_text, \
             V7__query_summaries, V8__listing_keys, V9__application_id)"
        ),
        "{message}"
    );
    assert!(message.contains("malformed JSON"), "{message}");
    let sqlite = rusqlite::Connection::open(&old).unwrap();
    let (latest, blobs): (i64, i64) = sqlite
        .query_row(
            "SELECT (SELECT max(version) FROM refinery_schema_history), \
             (SELECT count(*) FROM version_raw WHERE typeof(raw_jsonb) = 'blob')",
            [],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
        .unwrap();
    assert_eq!((latest, blobs), (4, 7));
    drop(sqlite);
    assert!(
        sqlite3(&old, ".dump") == before,
        "the database's content changed"
    );
}

#[test]
fn two_processes_opening_an_old_database_at_once_both_succeed() {
    let (dir, mut store) = temp_store();
    write_history(&mut store);
    drop(store);
    let old = dir.path().join("at-v4.db");
    as_written_before_v6(&dir.path().join("history.db"), &old);
    // A query beside a collect: each opens (and would migrate) at once.
    let openers: Vec<_> = (0..4)
        .map(|_| {
            let old = old.clone();
            std::thread::spawn(move || Store::open(&old).map(drop))
        })
        .collect();
    for opener in openers {
        let opened = opener.join().unwrap();
        assert!(opened.is_ok(), "{:#}", opened.unwrap_err());
    }
    let store = Store::open(&old).unwrap();
    // The latest migration (V6 when this test was written).
    let latest = before_v6::migrations::runner()
        .get_migrations()
        .iter()
        .map(|migration| migration.version())
        .max()
        .unwrap();
    assert_eq!(
        rows(&store, "SELECT max(version) FROM refinery_schema_history"),
        [[latest.to_string()]]
    );
}

#[test]
fn the_raw_json_is_stored_as_sqlite_itself_writes_it() {
    // The store writes the normalizer's compact text as it is (no json()
    // round trip on insert): it must be valid JSON, and the very text
    // SQLite's json() makes of it, for every kind of value.
    let tricky = json!({
        "unicode": "é 中 \u{1F600}",
        "control": "tab\tnew\nline\u{1}",
        "quotes": "\"quoted\" \\ back",
        "floats": [1.5e300, -0.0, 1e-7, 0.1, 100.0],
        "integers": [0, -1, 18446744073709551615_u64, -9223372036854775808_i64],
        "nested": {"empty": {}, "list": [[], [null, true, false]]},
    });
    let (dir, mut store) = temp_store();
    for (hour, edit) in [json!(1), json!(2)].into_iter().enumerate() {
        let mut value = tricky.clone();
        value["edit"] = edit;
        let items = vec![with_raw(sized("a", Status::Active), "tricky", value)];
        write(
            &mut store,
            vec![source(
                "hw",
                at(1, hour as u32),
                SourceOutcome::Complete(items.into()),
            )],
        );
    }
    let differ = "SELECT count(*) FROM version_raw WHERE raw_json IS NOT json(raw_json) \
                  OR related_json IS NOT json(related_json) OR NOT json_valid(raw_json)";
    assert_eq!(rows(&store, differ), [["0"]]);
    assert_eq!(
        rows(
            &store,
            "SELECT count(*) FROM version_raw WHERE base_version_id IS NOT NULL"
        ),
        [["1"]],
        "the second version is stored as a patch"
    );
    drop(store);
    assert_eq!(sqlite3(&dir.path().join("history.db"), differ).trim(), "0");
}
