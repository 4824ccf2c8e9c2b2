//! The estate at a time: `current`, `as-of`, `history`, `weak-crypto`,
//! `runs`, connection resolution and parameter checks.

use super::*;

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
