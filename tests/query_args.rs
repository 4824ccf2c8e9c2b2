//! `vpnsnap query`'s arguments through the binary (issue 18, item 13):
//! `--list` honours `--format`, and a reversed pair of times (`diff --from
//! now --to 2h`, `--since` after `--until`) is refused rather than answered
//! with everything removed or nothing at all.

use crate::query::scripted;
use crate::support::*;

#[test]
fn list_honours_format() {
    let dir = tempfile::tempdir().unwrap();
    let json = vpnsnap(dir.path(), &["query", "--list", "--format", "json"]);
    assert_eq!(json.code, 0, "{}", json.stderr);
    let list: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    let diff = list
        .as_array()
        .unwrap()
        .iter()
        .find(|question| question["name"] == "diff")
        .unwrap();
    assert_eq!(
        diff["params"],
        serde_json::json!([
            {"name": "from", "kind": "time", "required": true, "description": "the earlier point in time"},
            {"name": "to", "kind": "time", "required": true, "description": "the later point in time"},
        ])
    );
    let ndjson = vpnsnap(dir.path(), &["query", "--list", "--format", "ndjson"]);
    assert_eq!(ndjson.code, 0, "{}", ndjson.stderr);
    assert_eq!(
        ndjson.stdout.lines().count(),
        list.as_array().unwrap().len()
    );
    let csv = vpnsnap(dir.path(), &["query", "--list", "--format", "csv"]);
    assert_eq!(csv.stdout.lines().next(), Some("name,description,params"));
    // Text stays the default, as before.
    let text = vpnsnap(dir.path(), &["query", "--list"]);
    assert!(text.stdout.contains("\ndiff\n"), "{}", text.stdout);
}

#[test]
fn a_reversed_pair_of_times_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    scripted(dir.path());
    let diff = vpnsnap(
        dir.path(),
        &[
            "--db",
            "h.db",
            "query",
            "diff",
            "--from",
            "now",
            "--to",
            "2026-11-01T02:00:00Z",
        ],
    );
    assert_eq!(diff.code, 2, "{}", diff.stdout);
    assert_eq!(diff.stdout, "");
    let (_, message) = diff.stderr.split_once("error: --from (").unwrap();
    assert!(
        message.ends_with(
            ") is later than --to (2026-11-01T02:00:00.000Z): --from must be the earlier time; swap them\n"
        ),
        "{}",
        diff.stderr
    );

    let window = vpnsnap(
        dir.path(),
        &[
            "--db",
            "h.db",
            "query",
            "changes",
            "--param",
            "since=2026-11-02",
            "--until",
            "2026-11-01",
        ],
    );
    assert_eq!(window.code, 2, "{}", window.stdout);
    assert_eq!(
        window.stderr,
        "error: since (2026-11-02T00:00:00.000Z) is later than --until (2026-11-01T00:00:00.000Z): \
         since must be the earlier time; swap them\n"
    );

    // Equal times are a valid (empty) diff; status-changes' from/to are statuses.
    let same = vpnsnap(
        dir.path(),
        &[
            "--db",
            "h.db",
            "query",
            "diff",
            "--from",
            "2026-11-01",
            "--to",
            "2026-11-01",
        ],
    );
    assert_eq!(
        (same.code, same.stdout.as_str()),
        (0, "[]\n"),
        "{}",
        same.stderr
    );
    let statuses = vpnsnap(
        dir.path(),
        &[
            "--db",
            "h.db",
            "query",
            "status-changes",
            "--from",
            "DOWN",
            "--to",
            "ACTIVE",
            "--format",
            "csv",
        ],
    );
    assert_eq!(statuses.code, 0, "{}", statuses.stderr);
    assert_eq!(statuses.stdout.lines().count(), 2, "{}", statuses.stdout);
}
