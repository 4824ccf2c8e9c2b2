//! The history store's semantics, driven through the library: versions only
//! on change, exact change rows, tombstones, recreation, failed sources,
//! atomicity and append-only time.

use serde_json::json;
use vpnsnap::listing::SourceOutcome;
use vpnsnap::model::Status;
use vpnsnap::store::StoreError;

use crate::support::*;

fn ok(items: Vec<vpnsnap::provider::Normalized>) -> SourceOutcome {
    SourceOutcome::Complete(items.into())
}

#[test]
fn an_identical_listing_writes_no_versions() {
    let (_dir, mut store) = temp_store();
    let first = write(
        &mut store,
        vec![source(
            "hw",
            at(1, 0),
            ok(vec![item("a", Status::Active), item("b", Status::Down)]),
        )],
    );
    assert_eq!(first.sources[0].created, 2);
    let second = write(
        &mut store,
        vec![source(
            "hw",
            at(1, 1),
            ok(vec![item("b", Status::Down), item("a", Status::Active)]),
        )],
    );
    assert_eq!(second.sources[0].versions_written(), 0);
    assert_eq!(second.sources[0].unchanged, 2);
    assert_eq!(
        rows(&store, "SELECT count(*) FROM versions"),
        vec![vec!["2"]]
    );
    assert_eq!(rows(&store, "SELECT count(*) FROM runs"), vec![vec!["2"]]);
}

#[test]
fn a_status_flip_records_exactly_its_fields() {
    let (_dir, mut store) = temp_store();
    write(
        &mut store,
        vec![source("hw", at(1, 0), ok(vec![item("a", Status::Active)]))],
    );
    write(
        &mut store,
        vec![source("hw", at(1, 1), ok(vec![item("a", Status::Down)]))],
    );
    assert_eq!(
        changes(&store),
        vec![
            vec!["a", "2", "changed", "provider_status", "ACTIVE", "DOWN"],
            vec!["a", "2", "changed", "status", "ACTIVE", "DOWN"],
        ]
    );
    assert_eq!(
        rows(
            &store,
            "SELECT observed_at, previous_observed_at FROM connection_changes WHERE field = 'status'"
        ),
        vec![vec!["2026-11-01T01:00:00.000Z", "2026-11-01T00:00:00.000Z"]]
    );
    assert_eq!(
        rows(
            &store,
            "SELECT version, valid_from, coalesce(valid_to, 'NULL'), status FROM connection_versions ORDER BY version"
        ),
        vec![
            vec![
                "1",
                "2026-11-01T00:00:00.000Z",
                "2026-11-01T01:00:00.000Z",
                "ACTIVE"
            ],
            vec!["2", "2026-11-01T01:00:00.000Z", "NULL", "DOWN"],
        ]
    );
}

#[test]
fn policy_and_psk_changes_are_field_changes_null_safe() {
    let (_dir, mut store) = temp_store();
    let mut before = item("a", Status::Active);
    before.connection.psk_fingerprint = Some("1111111111111111".into());
    write(
        &mut store,
        vec![source("hw", at(1, 0), ok(vec![seal(before)]))],
    );
    let mut after = item("a", Status::Active);
    after.connection.ike.encryption_algorithm = Some("aes-256".into());
    after.connection.ipsec.pfs = None;
    after.connection.psk_fingerprint = Some("2222222222222222".into());
    write(
        &mut store,
        vec![source("hw", at(1, 1), ok(vec![seal(after)]))],
    );
    assert_eq!(
        changes(&store),
        vec![
            vec![
                "a",
                "2",
                "changed",
                "ike.encryption_algorithm",
                "aes-128",
                "aes-256"
            ],
            vec!["a", "2", "changed", "ipsec.pfs", "group14", "NULL"],
            vec![
                "a",
                "2",
                "changed",
                "psk_fingerprint",
                "1111111111111111",
                "2222222222222222"
            ],
        ]
    );
}

#[test]
fn a_change_outside_the_model_is_a_raw_field_change() {
    let (_dir, mut store) = temp_store();
    write(
        &mut store,
        vec![source("hw", at(1, 0), ok(vec![item("a", Status::Active)]))],
    );
    write(
        &mut store,
        vec![source(
            "hw",
            at(1, 1),
            ok(vec![with_raw(
                item("a", Status::Active),
                "mtu",
                json!(1400),
            )]),
        )],
    );
    assert_eq!(
        changes(&store),
        vec![vec!["a", "2", "changed", "raw.mtu", "1500", "1400"]]
    );
}

#[test]
fn a_change_of_spelling_only_records_the_raw_member_that_changed() {
    // Both spellings normalize to the same model value: the model reads
    // the member, so it is not in the unmapped remainder.
    let spelled = |algorithm: &str| {
        let mut item = item("a", Status::Active);
        let mut raw: serde_json::Value = serde_json::from_str(&item.raw_json).unwrap();
        raw["IKEArr"] = json!({"propoEncryAlgorithm": algorithm});
        item.raw_json = raw.to_string();
        seal(item)
    };
    let (_dir, mut store) = temp_store();
    write(
        &mut store,
        vec![source("hw", at(1, 0), ok(vec![spelled("3des-cbc")]))],
    );
    write(
        &mut store,
        vec![source("hw", at(1, 1), ok(vec![spelled("3des")]))],
    );
    assert_eq!(
        changes(&store),
        vec![vec![
            "a",
            "2",
            "changed",
            "raw.IKEArr.propoEncryAlgorithm",
            "3des-cbc",
            "3des"
        ]]
    );
}

#[test]
fn deletion_then_reappearance_are_events() {
    let (_dir, mut store) = temp_store();
    write(
        &mut store,
        vec![source(
            "hw",
            at(1, 0),
            ok(vec![item("a", Status::Active), item("b", Status::Active)]),
        )],
    );
    let deleted = write(
        &mut store,
        vec![source("hw", at(1, 1), ok(vec![item("a", Status::Active)]))],
    );
    assert_eq!(deleted.sources[0].deleted, 1);
    let mut back = item("b", Status::Down);
    back.connection.name = Some("renamed".into());
    let back = seal(back);
    let recreated = write(
        &mut store,
        vec![source(
            "hw",
            at(1, 2),
            ok(vec![item("a", Status::Active), back]),
        )],
    );
    assert_eq!(recreated.sources[0].recreated, 1);
    assert_eq!(
        rows(
            &store,
            "SELECT version, event, coalesce(name, 'NULL'), coalesce(status, 'NULL'), changed_fields FROM connection_events WHERE connection_id = 'b' ORDER BY version"
        ),
        vec![
            vec!["1", "created", "name-b", "ACTIVE", "[]"],
            vec!["2", "deleted", "name-b", "NULL", "[]"],
            vec![
                "3",
                "recreated",
                "renamed",
                "DOWN",
                r#"["name","provider_status","status"]"#
            ],
        ]
    );
    assert_eq!(
        rows(
            &store,
            "SELECT connection_id FROM current_connections ORDER BY connection_id"
        ),
        vec![vec!["a"], vec!["b"]]
    );
}

#[test]
fn a_failed_source_infers_nothing() {
    let (_dir, mut store) = temp_store();
    write(
        &mut store,
        vec![source("hw", at(1, 0), ok(vec![item("a", Status::Active)]))],
    );
    let failed = SourceOutcome::Failed {
        error: "HTTP 500 on page 3".into(),
        item_count: 0,
    };
    let summary = write(&mut store, vec![source("hw", at(1, 1), failed)]);
    assert_eq!(summary.sources[0].outcome, "failed");
    assert_eq!(
        rows(&store, "SELECT count(*) FROM versions"),
        vec![vec!["1"]]
    );
    assert_eq!(
        rows(
            &store,
            "SELECT outcome, coalesce(error, 'NULL') FROM run_sources ORDER BY run_id"
        ),
        vec![vec!["ok", "NULL"], vec!["failed", "HTTP 500 on page 3"]]
    );
    assert_eq!(
        rows(
            &store,
            "SELECT connection_id, last_seen FROM current_connections"
        ),
        vec![vec!["a", "2026-11-01T00:00:00.000Z"]]
    );
}

#[test]
fn a_partial_listing_stores_its_items_and_deletes_nothing() {
    let (_dir, mut store) = temp_store();
    write(
        &mut store,
        vec![source(
            "hw",
            at(1, 0),
            ok(vec![item("a", Status::Active), item("b", Status::Active)]),
        )],
    );
    let summary = write(
        &mut store,
        vec![source(
            "hw",
            at(1, 1),
            SourceOutcome::Partial(vec![item("a", Status::Down)].into()),
        )],
    );
    assert_eq!(
        (summary.sources[0].changed, summary.sources[0].deleted),
        (1, 0)
    );
    // `a` was last seen by the partial listing, `b` by the complete one.
    assert_eq!(
        rows(
            &store,
            "SELECT connection_id, status, last_seen FROM current_connections ORDER BY connection_id"
        ),
        vec![
            vec!["a", "DOWN", "2026-11-01T01:00:00.000Z"],
            vec!["b", "ACTIVE", "2026-11-01T00:00:00.000Z"],
        ]
    );
}

#[test]
fn a_fault_between_writes_leaves_the_database_unchanged() {
    let (_dir, mut store) = temp_store();
    write(
        &mut store,
        vec![source(
            "hw",
            at(1, 0),
            ok(vec![item("a", Status::Active), item("b", Status::Active)]),
        )],
    );
    let before = dump(&store);
    for fault_after in 0..6 {
        store.inject_fault_after_writes(fault_after);
        let result = try_write(
            &mut store,
            vec![source(
                "hw",
                at(1, 1),
                ok(vec![item("a", Status::Down), item("c", Status::Active)]),
            )],
        );
        assert!(
            matches!(result, Err(StoreError::InjectedFault(_))),
            "fault after {fault_after}: {result:?}"
        );
        assert_eq!(
            dump(&store),
            before,
            "fault after {fault_after} writes changed the database"
        );
    }
    // Without a fault the same run goes through.
    let summary = write(
        &mut store,
        vec![source(
            "hw",
            at(1, 1),
            ok(vec![item("a", Status::Down), item("c", Status::Active)]),
        )],
    );
    assert_eq!(
        (
            summary.sources[0].created,
            summary.sources[0].changed,
            summary.sources[0].deleted
        ),
        (1, 1, 1)
    );
}

#[test]
fn history_is_append_only() {
    let (_dir, mut store) = temp_store();
    write(
        &mut store,
        vec![source("hw", at(2, 0), ok(vec![item("a", Status::Active)]))],
    );
    let before = dump(&store);
    let error = try_write(&mut store, vec![source("hw", at(1, 0), ok(vec![]))]).unwrap_err();
    assert_eq!(
        error.to_string(),
        "source \"hw\": history is append-only, and its latest run was observed at 2026-11-02T00:00:00.000Z; \
         2026-11-01T00:00:00.000Z is earlier (pass a later --observed-at)"
    );
    assert_eq!(dump(&store), before);
}

#[test]
fn a_different_fingerprint_key_is_refused() {
    let (_dir, mut store) = temp_store();
    write(
        &mut store,
        vec![source("hw", at(1, 0), ok(vec![item("a", Status::Active)]))],
    );
    let run = vpnsnap::store::RunRecord {
        kind: vpnsnap::store::RunKind::Import,
        started_at: at(1, 1),
        finished_at: at(1, 1),
        sources: vec![source("hw", at(1, 1), ok(vec![]))],
    };
    let other = vpnsnap::fingerprint::PskFingerprinter::new(b"another key");
    assert!(matches!(
        store.write_run(&run, &other),
        Err(StoreError::FingerprintKeyChanged { .. })
    ));
    assert_eq!(rows(&store, "SELECT count(*) FROM runs"), vec![vec!["1"]]);
}

#[test]
fn the_database_file_is_owner_only_and_in_wal_mode() {
    use std::os::unix::fs::PermissionsExt;
    let (dir, store) = temp_store();
    let mode = std::fs::metadata(dir.path().join("history.db"))
        .unwrap()
        .permissions()
        .mode()
        & 0o777;
    assert_eq!(mode, 0o600);
    assert_eq!(rows(&store, "PRAGMA journal_mode"), vec![vec!["wal"]]);
    assert_eq!(rows(&store, "PRAGMA foreign_keys"), vec![vec!["1"]]);
}

#[test]
fn the_versions_table_has_a_column_per_model_field() {
    let (_dir, store) = temp_store();
    let columns: Vec<String> = rows(&store, "SELECT name FROM pragma_table_info('versions')")
        .into_iter()
        .map(|row| row[0].clone())
        .collect();
    for field in vpnsnap::model::FIELDS {
        assert!(
            columns.contains(&field.column.to_string()),
            "versions lacks column {}",
            field.column
        );
    }
}

#[test]
fn a_run_whose_second_source_fails_to_be_written_cannot_commit_the_first() {
    let (_dir, mut store) = temp_store();
    write(
        &mut store,
        vec![source("hw", at(1, 0), ok(vec![item("a", Status::Active)]))],
    );
    let before = dump(&store);
    // The run's row and source "hw" take fewer than 10 writes: the fault hits
    // source "os".
    store.inject_fault_after_writes(10);
    let mut run = store.begin_run(vpnsnap::store::RunKind::Collect, at(1, 1), &fingerprinter());
    let first = run
        .write_source(&source("hw", at(1, 1), ok(vec![item("a", Status::Down)])))
        .unwrap();
    assert_eq!(first.changed, 1);
    let second = run.write_source(&source(
        "os",
        at(1, 1),
        ok(vec![item("x", Status::Active), item("y", Status::Active)]),
    ));
    assert!(
        matches!(second, Err(StoreError::InjectedFault(10))),
        "{second:?}"
    );
    // Nothing more goes into a run that failed part way, and it cannot commit.
    let third = run.write_source(&source("tc", at(1, 1), ok(vec![item("t", Status::Active)])));
    assert!(matches!(third, Err(StoreError::RunFailed)), "{third:?}");
    let commit = run.commit(at(1, 1));
    assert!(matches!(commit, Err(StoreError::RunFailed)), "{commit:?}");
    assert_eq!(dump(&store), before);
}
