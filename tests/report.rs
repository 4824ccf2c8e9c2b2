//! `vpnsnap report` through the binary on a scripted history: one band per
//! connection with its status spans and markers at the times' positions,
//! the hatched bounds of an outage, change tooltips with old -> new, the
//! failed run with its error, a hostile name as text, no external
//! resource, and the same page for the same window.
//!
//! The history (2026-11-01 at hours 0 to 3; the window is hours 0 to 4
//! across 960 pixels, so hour h is at x = 240 h):
//! - hw/a, named `<script>alert('x')</script>`: ACTIVE, DOWN, DOWN, ACTIVE;
//! - hw/b: IKE encryption aes-128 -> aes-256 at 1, PSK rotated at 2;
//! - hw/c: deleted at 2, recreated at 3;
//! - os/x: the os listing failed at 1 (its error holds markup), x DOWN at 2.

use std::path::Path;

use vpnsnap::listing::SourceOutcome;
use vpnsnap::model::{Connection, Status};
use vpnsnap::provider::Normalized;

use crate::support::*;

pub(crate) const HOSTILE: &str = "<script>alert('x')</script>";
const SINCE: &str = "2026-11-01T00:00:00Z";
const UNTIL: &str = "2026-11-01T04:00:00Z";

fn conn(id: &str, status: Status, edit: impl FnOnce(&mut Connection)) -> Normalized {
    let mut normalized = item(id, status);
    edit(&mut normalized.connection);
    seal(normalized)
}

fn a(status: Status) -> Normalized {
    conn("a", status, |connection| {
        connection.name = Some(HOSTILE.into())
    })
}

fn b(encryption: &str, psk: &str) -> Normalized {
    conn("b", Status::Active, |connection| {
        connection.ike.encryption_algorithm = Some(encryption.into());
        connection.psk_fingerprint = Some(psk.into());
    })
}

fn c() -> Normalized {
    conn("c", Status::Active, |_| {})
}

fn x(status: Status) -> Normalized {
    conn("x", status, |_| {})
}

pub(crate) fn scripted(dir: &Path) {
    let mut store = vpnsnap::store::Store::open(&dir.join("h.db")).unwrap();
    let ok = |items: Vec<Normalized>| SourceOutcome::Complete(items.into());
    let (psk1, psk2) = ("1111111111111111", "2222222222222222");
    let runs = vec![
        vec![
            source(
                "hw",
                at(1, 0),
                ok(vec![a(Status::Active), b("aes-128", psk1), c()]),
            ),
            source("os", at(1, 0), ok(vec![x(Status::Active)])),
        ],
        vec![
            source(
                "hw",
                at(1, 1),
                ok(vec![a(Status::Down), b("aes-256", psk1), c()]),
            ),
            source(
                "os",
                at(1, 1),
                SourceOutcome::Failed {
                    error: "HTTP 500 on page 2: <b>busy</b>".into(),
                    item_count: 0,
                },
            ),
        ],
        vec![
            source(
                "hw",
                at(1, 2),
                ok(vec![a(Status::Down), b("aes-256", psk2)]),
            ),
            source("os", at(1, 2), ok(vec![x(Status::Down)])),
        ],
        vec![
            source(
                "hw",
                at(1, 3),
                ok(vec![a(Status::Active), b("aes-256", psk2), c()]),
            ),
            source("os", at(1, 3), ok(vec![x(Status::Down)])),
        ],
    ];
    for run in runs {
        write(&mut store, run);
    }
}

/// Runs `vpnsnap report` over the window; the page written.
pub(crate) fn report(dir: &Path, extra: &[&str]) -> String {
    let mut args = vec![
        "--db", "h.db", "report", "--since", SINCE, "--until", UNTIL, "-o", "r.html",
    ];
    args.extend_from_slice(extra);
    let output = vpnsnap(dir, &args);
    assert_eq!(output.code, 0, "{}", output.stderr);
    std::fs::read_to_string(dir.join("r.html")).unwrap()
}

/// The SVG of the band whose row has `id`.
fn band<'a>(html: &'a str, id: &str) -> &'a str {
    let row = &html[html.find(&format!(r#"id="{id}""#)).unwrap()..];
    let start = row.find("<svg class=\"band\"").unwrap();
    &row[start..row.find("</svg>").unwrap() + 6]
}

#[test]
fn the_page_draws_each_connection_and_stands_alone() {
    let dir = tempfile::tempdir().unwrap();
    scripted(dir.path());
    let html = report(dir.path(), &[]);

    // Self-contained: nothing fetched, our own inline script only.
    for needle in [
        "http://", "https://", "<link", "src=", "@import", "url(http",
    ] {
        assert!(!html.contains(needle), "the page contains {needle:?}");
    }
    assert_eq!(html.matches("<script").count(), 1);
    // The hostile name is text, in the band's label and the outage table.
    assert!(!html.contains(HOSTILE));
    // Its label, its filter key, its outage and five changes (created;
    // status and provider_status at hours 1 and 3).
    assert_eq!(
        html.matches("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;")
            .count(),
        8
    );

    // One band per connection, sorted by source then id: hw/a, hw/b, hw/c, os/x.
    assert_eq!(html.matches(r#"<div class="row conn""#).count(), 4);
    assert_eq!(html.matches(r#"<svg class="band""#).count(), 4);
    assert!(html.contains(r#"<details class="group" open><summary>hw (3 connections)</summary>"#));
    assert!(html.contains(r#"<details class="group" open><summary>os (1 connections)</summary>"#));

    // a: ACTIVE until hour 1, DOWN to hour 3, ACTIVE at hour 3 (the last
    // listing: nothing is known after it).
    let a_band = band(&html, "c-0");
    assert!(
        a_band.contains(r#"<rect class="st-active" x="0" y="4" width="240" height="12"></rect>"#),
        "{a_band}"
    );
    assert!(a_band.contains(r#"<rect class="st-down" x="240" y="4" width="480" height="12"><title>DOWN: 2026-11-01 01:00:00 UTC to 2026-11-01 03:00:00 UTC</title></rect>"#), "{a_band}");
    assert!(
        a_band.contains(r#"<rect class="st-active" x="720" y="4" width="1" height="12"></rect>"#),
        "{a_band}"
    );
    // The outage's start (hours 0 to 1) and end (2 to 3) hatched.
    assert!(a_band.contains(r#"<rect class="unc" x="0" y="2" width="240" height="16" fill="url(#hatch)"><title>went DOWN between 2026-11-01 00:00:00 UTC and 2026-11-01 01:00:00 UTC; down for 1h 0m to 3h 0m</title></rect>"#), "{a_band}");
    assert!(a_band.contains(r#"<rect class="unc" x="480" y="2" width="240" height="16" fill="url(#hatch)"><title>came back between 2026-11-01 02:00:00 UTC and 2026-11-01 03:00:00 UTC; down for 1h 0m to 3h 0m</title></rect>"#), "{a_band}");
    assert!(a_band.contains(r##"<use class="ev" href="#mk-created" x="0.0" y="0"><title>created 2026-11-01 00:00:00 UTC</title></use>"##));

    // b: the policy change at hour 1, the PSK rotation at hour 2.
    let b_band = band(&html, "c-1");
    assert!(b_band.contains(r##"<use class="mk mk-policy" href="#mk-policy" x="240.0" y="10"><title>ike.encryption_algorithm: aes-128 → aes-256 (observed 2026-11-01 01:00:00 UTC, changed after 2026-11-01 00:00:00 UTC)</title></use>"##), "{b_band}");
    assert!(b_band.contains(r##"<use class="mk mk-psk" href="#mk-psk" x="480.0" y="10"><title>psk_fingerprint: 1111111111111111 → 2222222222222222 (observed 2026-11-01 02:00:00 UTC, changed after 2026-11-01 01:00:00 UTC)</title></use>"##), "{b_band}");

    // c: a gap between deletion and recreation, both marked.
    let c_band = band(&html, "c-2");
    assert!(c_band.contains(r#"<rect class="st-active" x="0" y="4" width="480" height="12"></rect><rect class="st-active" x="720" y="4" width="1" height="12"></rect>"#), "{c_band}");
    assert!(c_band.contains(r##"<use class="ev" href="#mk-deleted" x="480.0" y="0"><title>deleted 2026-11-01 02:00:00 UTC</title></use>"##));
    assert!(c_band.contains(r##"<use class="ev" href="#mk-recreated" x="720.0" y="0"><title>recreated 2026-11-01 03:00:00 UTC</title></use>"##));

    // The os listing that failed at hour 1, with its error as text.
    assert!(html.contains(r#"<rect class="run-failed" x="240" y="1" width="3" height="18"><title>FAILED 2026-11-01 01:00:00 UTC: HTTP 500 on page 2: &lt;b&gt;busy&lt;/b&gt;</title></rect>"#));

    // Tables: rows link to the bands.
    assert!(html.contains(r##"<tr class="outage"><td><a href="#c-3">name-x</a> <span class="id">os / x</span></td><td>2026-11-01 00:00:00 UTC and 2026-11-01 02:00:00 UTC</td><td>still DOWN</td><td>at least 1h 0m</td></tr>"##));
    assert!(html.contains(r##"<td><a href="#c-1">name-b</a> <span class="id">hw / b</span></td><td>ike.encryption_algorithm</td><td>aes-128 → aes-256</td></tr>"##));
    assert!(html.contains("<h2>Outages in the window (2)</h2>"));
}

#[test]
fn the_same_window_gives_the_same_page_and_filters_narrow_it() {
    let dir = tempfile::tempdir().unwrap();
    scripted(dir.path());
    let generated = |html: &str| {
        let start = html.find(r#"<time class="generated">"#).unwrap();
        let end = start + html[start..].find("</time>").unwrap();
        format!("{}{}", &html[..start], &html[end..])
    };
    let first = report(dir.path(), &[]);
    let second = report(dir.path(), &[]);
    assert_eq!(generated(&first), generated(&second));

    let only_b = report(dir.path(), &["--connection", "name-b"]);
    assert_eq!(only_b.matches(r#"<div class="row conn""#).count(), 1);
    assert!(only_b.contains(r#"title="hw / b">name-b</a>"#));
    let only_os = report(dir.path(), &["--source", "os"]);
    assert_eq!(only_os.matches(r#"<div class="row conn""#).count(), 1);
    assert!(only_os.contains("1 connections in 1 sources; 4 runs (1 failed); 1 outages"));

    let unknown = vpnsnap(dir.path(), &["--db", "h.db", "report", "--source", "nope"]);
    assert_eq!(unknown.code, 2, "{}", unknown.stderr);
    assert!(
        unknown.stderr.contains("no source \"nope\""),
        "{}",
        unknown.stderr
    );
    let empty = vpnsnap(
        dir.path(),
        &["--db", "h.db", "report", "--since", UNTIL, "--until", SINCE],
    );
    assert_eq!(empty.code, 2, "{}", empty.stderr);
}
