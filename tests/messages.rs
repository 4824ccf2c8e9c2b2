//! What the user reads when something is wrong (issue 18, items 11 and 12):
//! each cause once, a directory called a directory, an unknown source
//! named with the known ones, and `config check` agreeing with `collect`.

use std::path::Path;

use crate::support::{Output, fixture, vpnsnap};

fn describe(output: &Output) -> String {
    format!(
        "exit {}\nstdout:\n{}\nstderr:\n{}",
        output.code, output.stdout, output.stderr
    )
}

/// Imports the Huawei fixture into `h.db` as source `hw`.
fn import_fixture(dir: &Path) -> Output {
    import_fixture_with(dir, &[])
}

/// [`import_fixture`] with more global options (`-q`).
fn import_fixture_with(dir: &Path, options: &[&str]) -> Output {
    let file = fixture("huaweicloud/001_list_all.json");
    let mut args = vec!["--db", "h.db"];
    args.extend(options);
    let file = file.to_string_lossy();
    args.extend(["import", "--source", "hw", "--kind", "huaweicloud", &file]);
    vpnsnap(dir, &args)
}

#[test]
fn a_cause_is_printed_once() {
    let dir = tempfile::tempdir().unwrap();
    let output = vpnsnap(
        dir.path(),
        &[
            "--db",
            "h.db",
            "import",
            "--source",
            "hw",
            "--kind",
            "huaweicloud",
            "nope.json",
        ],
    );
    assert_eq!(output.code, 1, "{}", describe(&output));
    assert_eq!(
        output.stderr,
        "error: nope.json: cannot read: No such file or directory (os error 2)\n"
    );
}

#[test]
fn a_database_path_that_is_a_directory_is_called_one() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("state")).unwrap();
    let expected = format!(
        "error: --db: state is a directory; name the database file, e.g. {}\n",
        Path::new("state").join("vpnsnap.db").display()
    );
    for args in [
        &["--db", "state", "query", "current"][..],
        &["--db", "state", "sql", "SELECT 1"],
        &[
            "--db",
            "state",
            "import",
            "--source",
            "hw",
            "--kind",
            "huaweicloud",
            "x.json",
        ],
    ] {
        let output = vpnsnap(dir.path(), args);
        assert_eq!(output.code, 2, "{args:?}: {}", describe(&output));
        assert_eq!(output.stderr, expected, "{args:?}");
    }
    // The config's `database` too, named as such.
    std::fs::write(dir.path().join("vpnsnap.toml"), "database = \"state\"\n").unwrap();
    let output = vpnsnap(dir.path(), &["query", "current"]);
    assert_eq!(output.code, 2, "{}", describe(&output));
    assert!(
        output.stderr.starts_with("error: `database` in ")
            && output.stderr.contains("vpnsnap.toml: ")
            && output
                .stderr
                .contains("state is a directory; name the database file"),
        "{}",
        describe(&output)
    );
}

#[test]
fn an_unknown_source_is_an_error_naming_the_known_ones() {
    let dir = tempfile::tempdir().unwrap();
    let imported = import_fixture(dir.path());
    assert_eq!(imported.code, 0, "{}", describe(&imported));
    let output = vpnsnap(
        dir.path(),
        &["--db", "h.db", "query", "current", "--source", "nope"],
    );
    assert_eq!(output.code, 2, "{}", describe(&output));
    assert_eq!(output.stdout, "");
    assert_eq!(
        output.stderr,
        "error: no source \"nope\" in the database; its sources are: hw\n"
    );
    let known = vpnsnap(
        dir.path(),
        &[
            "--db", "h.db", "query", "current", "--source", "hw", "--format", "csv",
        ],
    );
    assert_eq!(known.code, 0, "{}", describe(&known));
    assert!(known.stdout.lines().count() > 1, "{}", describe(&known));
}

#[test]
fn config_check_refuses_a_config_without_sources_as_collect_does() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("vpnsnap.toml"), "").unwrap();
    let check = vpnsnap(dir.path(), &["config", "check"]);
    let collect = vpnsnap(dir.path(), &["collect"]);
    assert_eq!(check.code, 2, "{}", describe(&check));
    assert_eq!(collect.code, 2, "{}", describe(&collect));
    assert_eq!(check.stdout, "");
    assert!(
        check
            .stderr
            .ends_with("vpnsnap.toml: no [[source]] configured; nothing to collect\n"),
        "{}",
        describe(&check)
    );
    assert_eq!(check.stderr, collect.stderr);
}

/// A database a newer vpnsnap migrated further is refused untouched by a
/// writer, and `-q import` prints nothing when it succeeds.
#[test]
fn a_newer_vpnsnaps_database_is_not_written_and_a_quiet_import_is_silent() {
    let dir = tempfile::tempdir().unwrap();
    let quiet = import_fixture_with(dir.path(), &["-q"]);
    assert_eq!(quiet.code, 0, "{}", describe(&quiet));
    assert_eq!(quiet.stdout, "", "{}", describe(&quiet));
    assert_eq!(quiet.stderr, "", "{}", describe(&quiet));

    let path = dir.path().join("h.db");
    let sqlite = rusqlite::Connection::open(&path).unwrap();
    sqlite
        .execute_batch(
            "INSERT INTO refinery_schema_history (version, name, applied_on, checksum) \
             VALUES (999, 'from_the_future', '2030-01-01T00:00:00Z', '0')",
        )
        .unwrap();
    let dump = |sqlite: &rusqlite::Connection| -> Vec<(i64, String)> {
        let mut statement = sqlite
            .prepare("SELECT id, observed_at FROM versions ORDER BY id")
            .unwrap();
        statement
            .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    };
    let before = dump(&sqlite);
    let output = import_fixture(dir.path());
    assert_eq!(output.code, 1, "{}", describe(&output));
    assert!(
        output
            .stderr
            .contains("h.db was written by a newer vpnsnap (its schema is at migration V999; this vpnsnap knows up to V"),
        "{}",
        describe(&output)
    );
    assert!(
        output.stderr.contains("Nothing was written"),
        "{}",
        describe(&output)
    );
    assert_eq!(dump(&sqlite), before);
    let runs: i64 = sqlite
        .query_row("SELECT count(*) FROM runs", [], |row| row.get(0))
        .unwrap();
    assert_eq!(runs, 1);
}
