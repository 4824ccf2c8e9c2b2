//! `diff` between two times.

use super::*;

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
