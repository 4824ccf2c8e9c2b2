//! What changed: `status-changes`, `outages`, `policy-changes` and
//! `changes`.

use super::*;

#[test]
fn status_changes_bound_each_change_by_two_observations() {
    let dir = history();
    assert_eq!(
        columns(dir.path(), "status-changes", &[]),
        [
            "observed_at",
            "previous_observed_at",
            "source",
            "connection_id",
            "name",
            "from_status",
            "to_status"
        ]
    );
    let went_down = row(&[T1, T0, "hw", "a", "name-a", "ACTIVE", "DOWN"]);
    // os failed at hour 1: its previous complete listing was at hour 0.
    let x_down = row(&[T2, T0, "os", "x", "name-a-dr", "ACTIVE", "DOWN"]);
    let came_back = row(&[T3, T2, "hw", "a", "name-a", "DOWN", "ACTIVE"]);
    assert_eq!(
        ask(dir.path(), "status-changes", &[]),
        vec![went_down.clone(), x_down.clone(), came_back.clone()]
    );
    assert_eq!(
        ask(dir.path(), "status-changes", &[("connection", "a")]),
        vec![went_down.clone(), came_back.clone()]
    );
    assert_eq!(
        ask(dir.path(), "status-changes", &[("to", "DOWN")]),
        vec![went_down, x_down.clone()]
    );
    assert_eq!(
        ask(
            dir.path(),
            "status-changes",
            &[
                ("since", "2026-11-01T01:30:00Z"),
                ("until", "2026-11-01T02:00:00Z")
            ]
        ),
        vec![x_down]
    );
    // Relative: 2h before hour 4 is hour 2.
    assert_eq!(
        ask(
            dir.path(),
            "status-changes",
            &[("since", "2h ago"), ("source", "hw")]
        ),
        vec![came_back]
    );
}

#[test]
fn outages_give_one_row_per_down_interval_with_duration_bounds() {
    let dir = history();
    assert_eq!(
        columns(dir.path(), "outages", &[]),
        [
            "source",
            "connection_id",
            "name",
            "last_up_observed_at",
            "down_observed_at",
            "last_down_observed_at",
            "up_observed_at",
            "min_duration_seconds",
            "max_duration_seconds",
            "ended_by"
        ]
    );
    let a_outage = row(&[
        "hw", "a", "name-a", T0, T1, T2, T3, "3600", "10800", "ACTIVE",
    ]);
    // Still down: seen DOWN at hours 2 and 3, no upper bound yet.
    let x_outage = row(&[
        "os",
        "x",
        "name-a-dr",
        T0,
        T2,
        T3,
        "NULL",
        "3600",
        "NULL",
        "NULL",
    ]);
    assert_eq!(
        ask(dir.path(), "outages", &[]),
        vec![a_outage.clone(), x_outage.clone()]
    );
    assert_eq!(
        ask(dir.path(), "outages", &[("connection", "name-a")]),
        vec![a_outage]
    );
    assert_eq!(
        ask(dir.path(), "outages", &[("since", "2026-11-01T03:30:00Z")]),
        vec![x_outage]
    );
    assert!(ask(dir.path(), "outages", &[("until", "2026-11-01T00:30:00Z")]).is_empty());
}

#[test]
fn policy_changes_list_ike_ipsec_dpd_and_psk_fields() {
    let dir = history();
    let expected = vec![
        row(&[
            T1,
            T0,
            "hw",
            "b",
            "name-b",
            "ike.encryption_algorithm",
            "aes-128",
            "aes-256",
        ]),
        row(&[T2, T1, "hw", "b", "name-b", "psk_fingerprint", PSK1, PSK2]),
    ];
    assert_eq!(ask(dir.path(), "policy-changes", &[]), expected);
    assert_eq!(
        ask(dir.path(), "policy-changes", &[("connection", "name-b")]),
        expected
    );
    assert!(ask(dir.path(), "policy-changes", &[("connection", "a")]).is_empty());
    assert_eq!(
        columns(dir.path(), "policy-changes", &[]),
        [
            "observed_at",
            "previous_observed_at",
            "source",
            "connection_id",
            "name",
            "field",
            "old_value",
            "new_value"
        ]
    );
}

#[test]
fn changes_list_events_and_field_changes_oldest_first() {
    let dir = history();
    let created = |source: &str, id: &str, name: &str| {
        row(&[
            T0, "NULL", source, id, name, "1", "created", "NULL", "NULL", "NULL",
        ])
    };
    assert_eq!(
        ask(dir.path(), "changes", &[]),
        vec![
            created("hw", "a", "name-a"),
            created("hw", "b", "name-b"),
            created("hw", "c", "name-c"),
            created("os", "x", "name-a-dr"),
            row(&[
                T1,
                T0,
                "hw",
                "a",
                "name-a",
                "2",
                "changed",
                "provider_status",
                "ACTIVE",
                "DOWN"
            ]),
            row(&[
                T1, T0, "hw", "a", "name-a", "2", "changed", "status", "ACTIVE", "DOWN"
            ]),
            row(&[
                T1,
                T0,
                "hw",
                "b",
                "name-b",
                "2",
                "changed",
                "ike.encryption_algorithm",
                "aes-128",
                "aes-256"
            ]),
            row(&[
                T2,
                T1,
                "hw",
                "b",
                "name-b",
                "3",
                "changed",
                "psk_fingerprint",
                PSK1,
                PSK2
            ]),
            row(&[
                T2, T1, "hw", "c", "name-c", "2", "deleted", "NULL", "NULL", "NULL"
            ]),
            row(&[
                T2,
                T0,
                "os",
                "x",
                "name-a-dr",
                "2",
                "changed",
                "provider_status",
                "ACTIVE",
                "DOWN"
            ]),
            row(&[
                T2,
                T0,
                "os",
                "x",
                "name-a-dr",
                "2",
                "changed",
                "status",
                "ACTIVE",
                "DOWN"
            ]),
            row(&[
                T3,
                T2,
                "hw",
                "a",
                "name-a",
                "3",
                "changed",
                "provider_status",
                "DOWN",
                "ACTIVE"
            ]),
            row(&[
                T3, T2, "hw", "a", "name-a", "3", "changed", "status", "DOWN", "ACTIVE"
            ]),
            row(&[
                T3,
                T2,
                "hw",
                "c",
                "name-c",
                "3",
                "recreated",
                "NULL",
                "NULL",
                "NULL"
            ]),
        ]
    );
    assert_eq!(
        ask(
            dir.path(),
            "changes",
            &[
                ("since", "2026-11-01T02:00:00Z"),
                ("until", "2026-11-01T02:00:00Z"),
                ("source", "hw")
            ]
        ),
        vec![
            row(&[
                T2,
                T1,
                "hw",
                "b",
                "name-b",
                "3",
                "changed",
                "psk_fingerprint",
                PSK1,
                PSK2
            ]),
            row(&[
                T2, T1, "hw", "c", "name-c", "2", "deleted", "NULL", "NULL", "NULL"
            ]),
        ]
    );
}

/// A connection recreated with other content: its `recreated` row, then
/// the fields the recreation changed; created and deleted versions carry
/// no field changes (the question's one pass relies on it).
#[test]
fn changes_show_a_recreation_and_the_fields_it_changed() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = vpnsnap::store::Store::open(&dir.path().join("h.db")).unwrap();
    let ok = |items: Vec<Normalized>| SourceOutcome::Complete(items.into());
    for (hour, items) in [
        (0, vec![a(Status::Active)]),
        (1, vec![]),
        (2, vec![a(Status::Down)]),
    ] {
        write(&mut store, vec![source("hw", at(1, hour), ok(items))]);
    }
    let with_fields: i64 = store
        .sqlite()
        .query_row(
            "SELECT count(*) FROM field_changes fc JOIN versions v ON v.id = fc.version_id \
             WHERE v.event IN ('created', 'deleted')",
            [],
            |row| row.get(0),
        )
        .unwrap();
    assert_eq!(with_fields, 0);
    drop(store);
    let (t0, t1, t2) = (
        at(1, 0).to_string(),
        at(1, 1).to_string(),
        at(1, 2).to_string(),
    );
    let recreated = |field: &str, old: &str, new: &str| {
        row(&[
            &t2,
            &t1,
            "hw",
            "a",
            "name-a",
            "3",
            "recreated",
            field,
            old,
            new,
        ])
    };
    assert_eq!(
        ask(dir.path(), "changes", &[("since", &t2)]),
        vec![
            recreated("NULL", "NULL", "NULL"),
            recreated("provider_status", "ACTIVE", "DOWN"),
            recreated("status", "ACTIVE", "DOWN"),
        ]
    );
    assert_eq!(
        ask(dir.path(), "changes", &[]),
        vec![
            row(&[
                &t0, "NULL", "hw", "a", "name-a", "1", "created", "NULL", "NULL", "NULL"
            ]),
            row(&[
                &t1, &t0, "hw", "a", "name-a", "2", "deleted", "NULL", "NULL", "NULL"
            ]),
            recreated("NULL", "NULL", "NULL"),
            recreated("provider_status", "ACTIVE", "DOWN"),
            recreated("status", "ACTIVE", "DOWN"),
        ]
    );
}
