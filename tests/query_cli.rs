//! `vpnsnap query` and `vpnsnap sql` through the binary: every output format
//! parsed back, --list and --file, error messages with SQLite's position,
//! and read-only enforcement (every kind of write is refused and the
//! database file is byte for byte unchanged).

use std::path::Path;

use crate::query::scripted;
use crate::support::*;

fn history() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    scripted(dir.path());
    dir
}

fn run_ok(dir: &Path, args: &[&str]) -> String {
    let mut all = vec!["--db", "h.db"];
    all.extend(args);
    let output = vpnsnap(dir, &all);
    assert_eq!(output.code, 0, "{args:?}: {}", output.stderr);
    output.stdout
}

fn run_err(dir: &Path, args: &[&str]) -> Output {
    let mut all = vec!["--db", "h.db"];
    all.extend(args);
    let output = vpnsnap(dir, &all);
    assert_ne!(output.code, 0, "{args:?} succeeded: {}", output.stdout);
    output
}

const COLUMNS: [&str; 7] = [
    "observed_at",
    "previous_observed_at",
    "source",
    "connection_id",
    "name",
    "from_status",
    "to_status",
];

/// status-changes of connection a, NULL as "".
fn expected() -> Vec<Vec<String>> {
    [
        [
            "2026-11-01T01:00:00.000Z",
            "2026-11-01T00:00:00.000Z",
            "hw",
            "a",
            "name-a",
            "ACTIVE",
            "DOWN",
        ],
        [
            "2026-11-01T03:00:00.000Z",
            "2026-11-01T02:00:00.000Z",
            "hw",
            "a",
            "name-a",
            "DOWN",
            "ACTIVE",
        ],
    ]
    .iter()
    .map(|row| row.iter().map(|value| value.to_string()).collect())
    .collect()
}

fn from_json_objects(objects: Vec<serde_json::Value>) -> Vec<Vec<String>> {
    objects
        .iter()
        .map(|object| {
            let object = object.as_object().unwrap();
            assert_eq!(object.len(), COLUMNS.len());
            COLUMNS
                .iter()
                .map(|column| match &object[*column] {
                    serde_json::Value::Null => String::new(),
                    serde_json::Value::String(text) => text.clone(),
                    other => other.to_string(),
                })
                .collect()
        })
        .collect()
}

/// A small RFC 4180 reader: quoted fields, doubled quotes.
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    for line in text.lines() {
        let mut fields = Vec::new();
        let mut field = String::new();
        let mut quoted = false;
        let mut chars = line.chars().peekable();
        while let Some(ch) = chars.next() {
            match (ch, quoted) {
                ('"', true) if chars.peek() == Some(&'"') => {
                    chars.next();
                    field.push('"');
                }
                ('"', _) => quoted = !quoted,
                (',', false) => fields.push(std::mem::take(&mut field)),
                (ch, _) => field.push(ch),
            }
        }
        fields.push(field);
        rows.push(fields);
    }
    rows
}

/// Cuts table rows at the columns the rule line marks.
fn parse_table(text: &str) -> Vec<Vec<String>> {
    let lines: Vec<&str> = text.lines().collect();
    let mut spans = Vec::new();
    let mut start = None;
    for (index, ch) in lines[1].char_indices().chain([(lines[1].len(), ' ')]) {
        match (ch, start) {
            ('-', None) => start = Some(index),
            (' ', Some(begin)) => {
                spans.push(begin);
                start = None;
            }
            _ => {}
        }
    }
    [&lines[..1], &lines[2..]]
        .concat()
        .iter()
        .map(|line| {
            spans
                .iter()
                .enumerate()
                .map(|(index, begin)| {
                    let end = spans
                        .get(index + 1)
                        .copied()
                        .unwrap_or(line.len())
                        .min(line.len());
                    line.get(*begin..end).unwrap_or_default().trim().to_string()
                })
                .collect()
        })
        .collect()
}

#[test]
fn every_output_format_parses_back_to_the_same_rows() {
    let dir = history();
    let base = ["query", "status-changes", "--connection", "a", "--format"];
    let with = |format: &str| {
        let mut args = base.to_vec();
        args.push(format);
        run_ok(dir.path(), &args)
    };
    let json = with("json");
    assert!(
        json.starts_with(
            "[\n{\"observed_at\":\"2026-11-01T01:00:00.000Z\",\"previous_observed_at\":"
        ),
        "{json}"
    );
    let parsed: Vec<serde_json::Value> = serde_json::from_str(&json).unwrap();
    assert_eq!(from_json_objects(parsed), expected());

    let ndjson = with("ndjson");
    let parsed: Vec<serde_json::Value> = ndjson
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    assert_eq!(from_json_objects(parsed), expected());

    let csv = parse_csv(&with("csv"));
    assert_eq!(csv[0], COLUMNS);
    assert_eq!(csv[1..], expected());

    let table = parse_table(&with("table"));
    assert_eq!(table[0], COLUMNS);
    assert_eq!(table[1..], expected());

    // Piped (not a terminal) without --format: JSON.
    assert_eq!(run_ok(dir.path(), &base[..4]), json);
}

#[test]
fn json_columns_are_json_and_nulls_are_null() {
    let dir = history();
    let out = run_ok(
        dir.path(),
        &[
            "query",
            "history",
            "--connection",
            "c",
            "--format",
            "ndjson",
        ],
    );
    assert_eq!(
        out,
        "{\"version\":1,\"valid_from\":\"2026-11-01T00:00:00.000Z\",\"valid_to\":\"2026-11-01T02:00:00.000Z\",\"event\":\"created\",\"status\":\"ACTIVE\",\"changed_fields\":[]}\n\
         {\"version\":2,\"valid_from\":\"2026-11-01T02:00:00.000Z\",\"valid_to\":\"2026-11-01T03:00:00.000Z\",\"event\":\"deleted\",\"status\":null,\"changed_fields\":[]}\n\
         {\"version\":3,\"valid_from\":\"2026-11-01T03:00:00.000Z\",\"valid_to\":null,\"event\":\"recreated\",\"status\":\"ACTIVE\",\"changed_fields\":[]}\n"
    );
}

#[test]
fn list_shows_every_question_and_file_runs_a_users_own() {
    let dir = history();
    let list = run_ok(dir.path(), &["query", "--list"]);
    for name in [
        "as-of",
        "changes",
        "current",
        "diff",
        "history",
        "outages",
        "policy-changes",
        "runs",
        "status-changes",
        "timeline",
        "weak-crypto",
    ] {
        assert!(
            list.lines().any(|line| line == name),
            "--list lacks {name}:\n{list}"
        );
    }
    assert!(list.contains("  --param connection=<connection> (required)  provider id or name"));

    std::fs::write(
        dir.path().join("mine.sql"),
        "-- Versions of one connection.\n-- :connection connection required  which\n\
         SELECT version, event FROM versions WHERE connection = :connection ORDER BY version",
    )
    .unwrap();
    let out = run_ok(
        dir.path(),
        &[
            "query",
            "--file",
            "mine.sql",
            "--param",
            "connection=c",
            "--format",
            "csv",
        ],
    );
    assert_eq!(out, "version,event\n1,created\n2,deleted\n3,recreated\n");

    std::fs::write(dir.path().join("bad.sql"), "-- Writes.\nDELETE FROM runs").unwrap();
    let refused = run_err(dir.path(), &["query", "--file", "bad.sql"]);
    assert_eq!(refused.code, 2);
    assert!(
        refused.stderr.contains("refused: DELETE from runs"),
        "{}",
        refused.stderr
    );
}

#[test]
fn usage_errors_exit_2_and_say_what_to_do() {
    let dir = history();
    let ambiguous = run_err(dir.path(), &["query", "history", "--connection", "name-"]);
    assert_eq!(ambiguous.code, 2);
    assert_eq!(
        ambiguous.stderr,
        "error: connection \"name-\" is ambiguous; it matches:\n  a (source hw, name \"name-a\")\n  \
         b (source hw, name \"name-b\")\n  c (source hw, name \"name-c\")\n  x (source os, name \"name-a-dr\")\n\
         pass the provider id, a longer part of the name, or --source\n"
    );
    let unknown = run_err(dir.path(), &["query", "history", "--connection", "zzz"]);
    assert_eq!(
        (unknown.code, unknown.stderr.as_str()),
        (
            2,
            "error: no connection matches \"zzz\" by provider id or name\n"
        )
    );
    let flag = run_err(dir.path(), &["query", "current", "--at", "now"]);
    assert_eq!(
        (flag.code, flag.stderr.as_str()),
        (
            2,
            "error: query current has no parameter \"at\"; its parameters are: source, status\n"
        )
    );
}

#[test]
fn sql_errors_show_sqlites_message_and_position() {
    let dir = history();
    let output = run_err(dir.path(), &["sql", "SELECT id,\n  nonsense FROM runs"]);
    assert_eq!(output.code, 1);
    assert_eq!(
        output.stderr,
        "error: SQL error: no such column: nonsense at line 2, column 3:\n    nonsense FROM runs\n    ^\n"
    );
    let syntax = run_err(dir.path(), &["sql", "SELEC 1"]);
    assert_eq!(
        syntax.stderr,
        "error: SQL error: near \"SELEC\": syntax error at line 1, column 1:\n  SELEC 1\n  ^\n"
    );
}

#[test]
fn sql_reads_views_tables_and_schema() {
    let dir = history();
    assert_eq!(
        run_ok(
            dir.path(),
            &[
                "sql",
                "--format",
                "csv",
                "SELECT source, count(*) AS n FROM current_connections GROUP BY source"
            ]
        ),
        "source,n\nhw,3\nos,1\n"
    );
    assert_eq!(
        run_ok(
            dir.path(),
            &[
                "sql",
                "--format",
                "csv",
                "SELECT name FROM pragma_table_info('meta')"
            ]
        ),
        "name\nkey\nvalue\n"
    );
    assert_eq!(
        run_ok(
            dir.path(),
            &["sql", "--format", "csv", "PRAGMA journal_mode"]
        ),
        "journal_mode\nwal\n"
    );
    assert!(
        run_ok(
            dir.path(),
            &["sql", "--format", "csv", "PRAGMA table_info(runs)"]
        )
        .contains(",kind,TEXT,1,,0\n")
    );
}

#[test]
fn sql_refuses_every_kind_of_write_and_leaves_the_file_untouched() {
    let dir = history();
    let database = dir.path().join("h.db");
    let before = database_bytes(&database);
    let cases = [
        ("INSERT INTO meta VALUES ('k', 'v')", "INSERT into meta"),
        ("REPLACE INTO meta VALUES ('k', 'v')", "INSERT into meta"),
        (
            "WITH x AS (SELECT 1) INSERT INTO meta SELECT 'k', 'v' FROM x",
            "INSERT into meta",
        ),
        ("UPDATE versions SET status = 'ERROR'", "UPDATE of versions"),
        ("DELETE FROM field_changes", "DELETE from field_changes"),
        ("CREATE TABLE t (x)", "a schema change (CREATE TABLE)"),
        ("CREATE TEMP TABLE t (x)", "a schema change (CREATE TEMP)"),
        (
            "CREATE INDEX i ON runs (kind)",
            "a schema change (CREATE INDEX)",
        ),
        ("CREATE VIEW v AS SELECT 1", "a schema change (CREATE VIEW)"),
        ("DROP TABLE runs", "a schema change (DROP TABLE)"),
        (
            "DROP VIEW current_connections",
            "a schema change (DROP VIEW)",
        ),
        (
            "ALTER TABLE runs ADD COLUMN y",
            "a schema change (ALTER TABLE)",
        ),
        ("ATTACH 'other.db' AS other", "ATTACH of \"other.db\""),
        ("DETACH main", "DETACH of main"),
        (
            "PRAGMA journal_mode = delete",
            "PRAGMA journal_mode = delete",
        ),
        ("PRAGMA query_only = 0", "PRAGMA query_only = 0"),
        ("PRAGMA user_version = 7", "PRAGMA user_version = 7"),
        (
            "PRAGMA wal_checkpoint(TRUNCATE)",
            "PRAGMA wal_checkpoint = TRUNCATE",
        ),
        ("PRAGMA optimize", "PRAGMA optimize"),
        ("VACUUM", "VACUUM (it would write)"),
        ("VACUUM INTO 'copy.db'", "VACUUM INTO (it would write)"),
        ("REINDEX", "a schema change (REINDEX)"),
        ("ANALYZE", "a schema change (ANALYZE)"),
        ("BEGIN IMMEDIATE", "a transaction statement"),
        ("SAVEPOINT s", "a transaction statement"),
    ];
    for (sql, what) in cases {
        let output = run_err(dir.path(), &["sql", sql]);
        assert_eq!(output.code, 2, "{sql}: {}", output.stderr);
        assert!(
            output
                .stderr
                .starts_with(&format!("error: refused: {what}")),
            "{sql}: {}",
            output.stderr
        );
        assert!(
            output.stderr.contains("nothing was changed"),
            "{sql}: {}",
            output.stderr
        );
    }
    let several = run_err(dir.path(), &["sql", "SELECT 1; SELECT 2"]);
    assert_eq!(
        several.stderr,
        "error: SQL error: give one statement at a time\n"
    );
    let hidden = run_err(dir.path(), &["sql", "SELECT 1; DELETE FROM runs"]);
    assert!(
        hidden
            .stderr
            .starts_with("error: refused: DELETE from runs"),
        "{}",
        hidden.stderr
    );
    assert!(!dir.path().join("copy.db").exists());
    assert!(!dir.path().join("other.db").exists());
    assert_eq!(database_bytes(&database), before, "the database changed");
    assert_eq!(
        run_ok(
            dir.path(),
            &["sql", "--format", "csv", "SELECT count(*) AS n FROM meta"]
        ),
        "n\n1\n"
    );
}

/// Text that is not UTF-8 (an analyst's CAST, a damaged row) is shown with
/// U+FFFD for its invalid bytes in every format; rusqlite's own conversion
/// had panicked on it.
#[test]
fn text_that_is_not_utf8_is_shown_with_replacement_characters() {
    let dir = history();
    let sql = "SELECT CAST(x'ff41' AS TEXT) AS t, 2 AS n";
    let with = |format: &str| run_ok(dir.path(), &["sql", "--format", format, sql]);
    assert_eq!(with("ndjson"), "{\"t\":\"\u{FFFD}A\",\"n\":2}\n");
    assert_eq!(with("json"), "[\n{\"t\":\"\u{FFFD}A\",\"n\":2}\n]\n");
    assert_eq!(with("csv"), "t,n\n\u{FFFD}A,2\n");
    assert_eq!(with("table"), "t   n\n--  -\n\u{FFFD}A  2\n");
}

/// Rows are written as they are read: an SQL error after some of them
/// leaves those on stdout, and the error says the output is incomplete;
/// one before the first row leaves nothing (not even CSV's header).
#[test]
fn an_error_after_rows_were_written_says_the_output_is_incomplete() {
    let dir = history();
    let sql = "SELECT n, json_extract(x, '$.a') AS a FROM \
               (SELECT 1 AS n, '{\"a\":1}' AS x UNION ALL SELECT 2, 'nope')";
    let cut = run_err(dir.path(), &["sql", "--format", "csv", sql]);
    assert_eq!(cut.code, 1);
    assert_eq!(cut.stdout, "n,a\n1,1\n");
    assert_eq!(
        cut.stderr,
        "error: SQL error: malformed JSON (after 1 row: the output above is incomplete)\n"
    );
    let first = "SELECT json_extract('nope', '$.a') AS a";
    let failed = run_err(dir.path(), &["sql", "--format", "csv", first]);
    assert_eq!(failed.code, 1);
    assert_eq!(failed.stdout, "");
    assert_eq!(failed.stderr, "error: SQL error: malformed JSON\n");
}

/// A schema edited by another tool to hold a name that is not UTF-8 (a
/// table's column here) is refused when the database is opened, with the
/// object named: rusqlite's authorizer hook had panicked on the column's
/// name (a panic message on stderr, then "access to t.\u{FFFD}b is
/// prohibited").
#[test]
fn a_schema_name_that_is_not_utf8_is_refused_by_name_without_a_panic() {
    let dir = history();
    let sqlite = rusqlite::Connection::open(dir.path().join("h.db")).unwrap();
    sqlite
        .execute_batch(
            "CREATE TABLE t (ab INTEGER); INSERT INTO t VALUES (1);
             PRAGMA writable_schema = ON;
             UPDATE sqlite_schema SET sql = CAST(x'435245415445205441424c4520742028ff62' AS TEXT)
                 || ' INTEGER)' WHERE name = 't';",
        )
        .unwrap();
    drop(sqlite);
    let before = std::fs::read(dir.path().join("h.db")).unwrap();
    let expected = "error: h.db: the schema's definition of table \"t\" is not UTF-8 text \
                    (vpnsnap writes none; another tool edited the database): vpnsnap does not \
                    read it; rename or drop that object with the sqlite3 shell\n";
    for args in [
        &["sql", "SELECT * FROM t"][..],
        &["sql", "SELECT count(*) FROM versions"][..],
        &["query", "current"][..],
    ] {
        let refused = run_err(dir.path(), args);
        assert_eq!(refused.code, 1, "{args:?}");
        assert_eq!(refused.stdout, "", "{args:?}");
        assert_eq!(refused.stderr, expected, "{args:?}");
    }
    assert!(std::fs::read(dir.path().join("h.db")).unwrap() == before);
}
