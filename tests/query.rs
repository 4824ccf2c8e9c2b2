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
use vpnsnap::model::{Connection, Status};
use vpnsnap::provider::Normalized;
use vpnsnap::query::{self, QueryDb};
use vpnsnap::store::SourceOutcome;
use vpnsnap::time::Timestamp;

use crate::support::*;

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

#[test]
fn current_is_the_live_estate_with_last_seen() {
    let dir = history();
    assert_eq!(
        columns(dir.path(), "current", &[]),
        [
            "source",
            "connection_id",
            "name",
            "status",
            "provider_status",
            "gateway_ip",
            "peer_address",
            "last_seen"
        ]
    );
    assert_eq!(
        ask(dir.path(), "current", &[]),
        vec![
            row(&["hw", "a", "name-a", "ACTIVE", "ACTIVE", "NULL", "NULL", T3]),
            row(&["hw", "b", "name-b", "ACTIVE", "ACTIVE", "NULL", "NULL", T3]),
            row(&["hw", "c", "name-c", "ACTIVE", "ACTIVE", "NULL", "NULL", T3]),
            row(&["os", "x", "name-a-dr", "DOWN", "DOWN", "NULL", "NULL", T3]),
        ]
    );
    assert_eq!(
        ask(dir.path(), "current", &[("status", "down")]),
        vec![row(&[
            "os",
            "x",
            "name-a-dr",
            "DOWN",
            "DOWN",
            "NULL",
            "NULL",
            T3
        ])]
    );
    assert_eq!(ask(dir.path(), "current", &[("source", "hw")]).len(), 3);
}

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
            "up_observed_at",
            "min_duration_seconds",
            "max_duration_seconds",
            "ended_by"
        ]
    );
    let a_outage = row(&["hw", "a", "name-a", T0, T1, T3, "3600", "10800", "ACTIVE"]);
    // Still down: seen DOWN at hours 2 and 3, no upper bound yet.
    let x_outage = row(&[
        "os",
        "x",
        "name-a-dr",
        T0,
        T2,
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
fn history_lists_every_version_with_its_event() {
    let dir = history();
    assert_eq!(
        columns(dir.path(), "history", &[("connection", "c")]),
        [
            "version",
            "valid_from",
            "valid_to",
            "event",
            "status",
            "changed_fields"
        ]
    );
    assert_eq!(
        ask(dir.path(), "history", &[("connection", "c")]),
        vec![
            row(&["1", T0, T2, "created", "ACTIVE", "[]"]),
            row(&["2", T2, T3, "deleted", "NULL", "[]"]),
            row(&["3", T3, "NULL", "recreated", "ACTIVE", "[]"]),
        ]
    );
    assert_eq!(
        ask(dir.path(), "history", &[("connection", "a")]),
        vec![
            row(&["1", T0, T1, "created", "ACTIVE", "[]"]),
            row(&[
                "2",
                T1,
                T3,
                "changed",
                "DOWN",
                r#"["provider_status","status"]"#
            ]),
            row(&[
                "3",
                T3,
                "NULL",
                "changed",
                "ACTIVE",
                r#"["provider_status","status"]"#
            ]),
        ]
    );
}

#[test]
fn as_of_is_the_estate_as_last_observed_then() {
    let dir = history();
    assert_eq!(
        columns(dir.path(), "as-of", &[("at", "now")]),
        columns(dir.path(), "current", &[])
    );
    // c was deleted by 02:30; os was last observed at hour 2.
    assert_eq!(
        ask(dir.path(), "as-of", &[("at", "2026-11-01T02:30:00Z")]),
        vec![
            row(&["hw", "a", "name-a", "DOWN", "DOWN", "NULL", "NULL", T2]),
            row(&["hw", "b", "name-b", "ACTIVE", "ACTIVE", "NULL", "NULL", T2]),
            row(&["os", "x", "name-a-dr", "DOWN", "DOWN", "NULL", "NULL", T2]),
        ]
    );
    // At 01:30 the os listing of hour 1 had failed: x was last seen at hour 0.
    assert_eq!(
        ask(
            dir.path(),
            "as-of",
            &[("at", "2026-11-01T01:30:00Z"), ("source", "os")]
        ),
        vec![row(&[
            "os",
            "x",
            "name-a-dr",
            "ACTIVE",
            "ACTIVE",
            "NULL",
            "NULL",
            T0
        ])]
    );
    assert_eq!(
        ask(dir.path(), "as-of", &[("at", "2026-11-01T01:30:00Z")]).len(),
        4
    );
    assert!(ask(dir.path(), "as-of", &[("at", "2026-10-31")]).is_empty());
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

#[test]
fn diff_lists_added_removed_and_changed_fields_between_two_times() {
    let dir = history();
    assert_eq!(
        columns(dir.path(), "diff", &[("from", "now"), ("to", "now")]),
        [
            "source",
            "connection_id",
            "name",
            "change",
            "field",
            "old_value",
            "new_value"
        ]
    );
    assert_eq!(
        ask(
            dir.path(),
            "diff",
            &[
                ("from", "2026-11-01T00:30:00Z"),
                ("to", "2026-11-01T02:30:00Z")
            ]
        ),
        vec![
            row(&[
                "hw",
                "a",
                "name-a",
                "changed",
                "provider_status",
                "ACTIVE",
                "DOWN"
            ]),
            row(&["hw", "a", "name-a", "changed", "status", "ACTIVE", "DOWN"]),
            row(&[
                "hw",
                "b",
                "name-b",
                "changed",
                "ike.encryption_algorithm",
                "aes-128",
                "aes-256"
            ]),
            row(&[
                "hw",
                "b",
                "name-b",
                "changed",
                "psk_fingerprint",
                PSK1,
                PSK2
            ]),
            row(&["hw", "c", "name-c", "removed", "NULL", "NULL", "NULL"]),
            row(&[
                "os",
                "x",
                "name-a-dr",
                "changed",
                "provider_status",
                "ACTIVE",
                "DOWN"
            ]),
            row(&[
                "os",
                "x",
                "name-a-dr",
                "changed",
                "status",
                "ACTIVE",
                "DOWN"
            ]),
        ]
    );
    // a changed back; c was recreated as it was: neither differs.
    assert_eq!(
        ask(
            dir.path(),
            "diff",
            &[
                ("from", "2026-11-01T00:30:00Z"),
                ("to", "2026-11-01T03:00:00Z")
            ]
        ),
        vec![
            row(&[
                "hw",
                "b",
                "name-b",
                "changed",
                "ike.encryption_algorithm",
                "aes-128",
                "aes-256"
            ]),
            row(&[
                "hw",
                "b",
                "name-b",
                "changed",
                "psk_fingerprint",
                PSK1,
                PSK2
            ]),
            row(&[
                "os",
                "x",
                "name-a-dr",
                "changed",
                "provider_status",
                "ACTIVE",
                "DOWN"
            ]),
            row(&[
                "os",
                "x",
                "name-a-dr",
                "changed",
                "status",
                "ACTIVE",
                "DOWN"
            ]),
        ]
    );
    assert_eq!(
        ask(
            dir.path(),
            "diff",
            &[("from", "2026-11-01T02:30:00Z"), ("to", "now")]
        ),
        vec![
            row(&[
                "hw",
                "a",
                "name-a",
                "changed",
                "provider_status",
                "DOWN",
                "ACTIVE"
            ]),
            row(&["hw", "a", "name-a", "changed", "status", "DOWN", "ACTIVE"]),
            row(&["hw", "c", "name-c", "added", "NULL", "NULL", "NULL"]),
        ]
    );
}

#[test]
fn weak_crypto_names_each_weakness_and_since_when() {
    let dir = history();
    assert_eq!(
        ask(dir.path(), "weak-crypto", &[]),
        vec![
            // Recreated at hour 3: in place since then.
            row(&[
                "hw",
                "c",
                "name-c",
                "IKE integrity sha1",
                "ike.auth_algorithm",
                "sha1",
                T3
            ]),
            row(&[
                "os",
                "x",
                "name-a-dr",
                "IKE DH group2",
                "ike.dh_group",
                "group2",
                T0
            ]),
            row(&[
                "os",
                "x",
                "name-a-dr",
                "IKEv1 aggressive mode",
                "ike.negotiation_mode",
                "aggressive",
                T0
            ]),
        ]
    );
    assert_eq!(ask(dir.path(), "weak-crypto", &[("source", "os")]).len(), 2);
}

#[test]
fn runs_show_each_sources_outcome_newest_first() {
    let dir = history();
    let run = |id: &str, at: &str, source: &str, outcome: &str, counts: [&str; 5], error: &str| {
        let mut values = vec![id, "collect", at, at, source, "huaweicloud", at, outcome];
        values.extend(counts);
        values.push(error);
        row(&values)
    };
    assert_eq!(
        ask(dir.path(), "runs", &[("limit", "3")]),
        vec![
            run("4", T3, "hw", "ok", ["3", "0", "1", "0", "1"], "NULL"),
            run("4", T3, "os", "ok", ["1", "0", "0", "0", "0"], "NULL"),
            run("3", T2, "hw", "ok", ["2", "0", "1", "1", "0"], "NULL"),
            run("3", T2, "os", "ok", ["1", "0", "1", "0", "0"], "NULL"),
            run("2", T1, "hw", "ok", ["3", "0", "2", "0", "0"], "NULL"),
            run(
                "2",
                T1,
                "os",
                "failed",
                ["0", "0", "0", "0", "0"],
                "HTTP 500 on page 2"
            ),
        ]
    );
    assert_eq!(ask(dir.path(), "runs", &[]).len(), 8);
}

#[test]
fn connections_resolve_by_id_then_name_then_unique_substring() {
    let dir = history();
    let first_status = |text: &str| ask(dir.path(), "status-changes", &[("connection", text)]);
    assert_eq!(first_status("x")[0][3], "x");
    assert_eq!(first_status("name-a")[0][3], "a");
    // Case-insensitive substring, unique among ids and names.
    assert_eq!(first_status("A-DR")[0][3], "x");
    let ambiguous = try_ask(dir.path(), "history", &[("connection", "-a")])
        .unwrap_err()
        .to_string();
    assert_eq!(
        ambiguous,
        "connection \"-a\" is ambiguous; it matches:\n  a (source hw, name \"name-a\")\n  \
         x (source os, name \"name-a-dr\")\npass the provider id, a longer part of the name, or --source"
    );
    assert_eq!(
        try_ask(dir.path(), "history", &[("connection", "nope")])
            .unwrap_err()
            .to_string(),
        "no connection matches \"nope\" by provider id or name"
    );
    // --source narrows the candidates.
    assert_eq!(
        try_ask(
            dir.path(),
            "outages",
            &[("connection", "-a"), ("source", "os")]
        )
        .unwrap()
        .rows
        .len(),
        1
    );
}

#[test]
fn parameters_are_checked_before_anything_runs() {
    let dir = history();
    let error = |name: &str, params: &[(&str, &str)]| {
        try_ask(dir.path(), name, params).unwrap_err().to_string()
    };
    assert_eq!(
        error("history", &[]),
        "query history needs --param connection=... (provider id or name)"
    );
    assert_eq!(
        error("current", &[("since", "2h")]),
        "query current has no parameter \"since\"; its parameters are: source, status"
    );
    assert_eq!(
        error("current", &[("status", "up")]),
        "parameter status: \"up\" is not a status; the statuses are ACTIVE, DOWN, PENDING, ERROR, FROZEN, UNKNOWN"
    );
    assert!(
        error("as-of", &[("at", "yesterday")])
            .starts_with("parameter at: \"yesterday\" is not a time")
    );
    assert_eq!(
        error("runs", &[("limit", "ten")]),
        "parameter limit: \"ten\" is not a whole number"
    );
    assert!(
        error("nope", &[])
            .starts_with("no question called \"nope\"; the questions are: as-of, changes,")
    );
}
