//! One time vocabulary for every time input (issue 18, item 9): RFC 3339,
//! a date, SQLite's `YYYY-MM-DD HH:MM:SS`, spans before now, and durations
//! for `--wait`, whatever the flag; errors name the flag and the accepted
//! forms; every time printed (summaries, "next run at", log lines) is RFC
//! 3339 UTC with milliseconds.

use super::*;
use crate::support::fixture;

const FORMS: &str = "RFC 3339 (2026-11-22T10:15:00Z), a date (2026-11-22, midnight UTC), \
     SQLite's 2026-11-22 10:15:00 (UTC), now, or a span before now (2h, 1h30m, 90m, 3 days ago)";

fn import(dir: &Path, extra: &[&str]) -> Output {
    let file = fixture("huaweicloud/001_list_all.json");
    let mut args = vec![
        "--db",
        "h.db",
        "import",
        "--source",
        "hw",
        "--kind",
        "huaweicloud",
    ];
    args.extend(extra);
    args.push(file.to_str().unwrap());
    vpnsnap(dir, &args)
}

/// The first line of an import's summary.
fn first_line(output: &Output) -> &str {
    output.stdout.lines().next().unwrap_or_default()
}

#[test]
fn import_observed_at_takes_a_date_sqlites_form_and_spans() {
    let dir = tempfile::tempdir().unwrap();
    let date = import(dir.path(), &["--observed-at", "2026-11-02"]);
    assert_eq!(date.code, 0, "{}", describe(&date));
    assert_eq!(
        first_line(&date),
        "run 1 (import), observed at 2026-11-02T00:00:00.000Z"
    );
    let sqlite = import(dir.path(), &["--observed-at", "2026-12-03 20:19:25"]);
    assert_eq!(sqlite.code, 0, "{}", describe(&sqlite));
    assert_eq!(
        first_line(&sqlite),
        "run 2 (import), observed at 2026-12-03T20:19:25.000Z"
    );
    let before = chrono::Utc::now() - chrono::TimeDelta::hours(3);
    let span = import(dir.path(), &["--observed-at", "3 hours ago"]);
    let after = chrono::Utc::now() - chrono::TimeDelta::hours(3);
    assert_eq!(span.code, 0, "{}", describe(&span));
    let text = first_line(&span)
        .strip_prefix("run 3 (import), observed at ")
        .unwrap_or_else(|| panic!("{}", describe(&span)));
    let observed = chrono::DateTime::parse_from_rfc3339(text).unwrap();
    assert!(before.timestamp_millis() <= observed.timestamp_millis());
    assert!(observed.timestamp_millis() <= after.timestamp_millis());
    assert_eq!(text.len(), "2026-11-02T00:00:00.000Z".len(), "{text}");
}

#[test]
fn a_bad_time_names_the_flag_and_the_accepted_forms() {
    let dir = tempfile::tempdir().unwrap();
    let output = import(dir.path(), &["--observed-at", "yesterday"]);
    assert_eq!(output.code, 2, "{}", describe(&output));
    assert!(
        output.stderr.contains(&format!(
            "invalid value 'yesterday' for '--observed-at <TIME>': \"yesterday\" is not a time: write {FORMS}"
        )),
        "{}",
        describe(&output)
    );

    crate::query::scripted(dir.path());
    let query = vpnsnap(
        dir.path(),
        &["--db", "h.db", "query", "changes", "--since", "1x"],
    );
    assert_eq!(query.code, 2, "{}", describe(&query));
    assert_eq!(
        query.stderr,
        format!("error: --since: \"1x\" is not a time: write {FORMS}\n")
    );
}

#[test]
fn wait_takes_durations() {
    let dir = tempfile::tempdir().unwrap();
    for (run, wait) in [(1, "5m"), (2, "30s"), (3, "300"), (4, "1h30m")] {
        let output = import(dir.path(), &["--wait", wait]);
        assert_eq!(output.code, 0, "--wait {wait}: {}", describe(&output));
        assert!(
            first_line(&output).starts_with(&format!("run {run} (import)")),
            "{}",
            describe(&output)
        );
    }
    let bad = import(dir.path(), &["--wait", "5 parsecs"]);
    assert_eq!(bad.code, 2, "{}", describe(&bad));
    assert!(
        bad.stderr.contains(
            "invalid value '5 parsecs' for '--wait <DURATION>': \"5 parsecs\" is not a duration: \
             write a span (5m, 30s, 1h30m, 2 minutes) or plain seconds (300)"
        ),
        "{}",
        describe(&bad)
    );
    let (_sim, configured) = configured(&[("a", PASSWORD_ENV)]);
    let collect = vpnsnap(configured.path(), &["collect", "--wait", "2m"]);
    assert_eq!(collect.code, 0, "{}", describe(&collect));
}

#[test]
fn query_times_take_sqlites_form_and_compound_spans() {
    let dir = tempfile::tempdir().unwrap();
    crate::query::scripted(dir.path());
    let ask = |since: &str| {
        let output = vpnsnap(
            dir.path(),
            &[
                "--db",
                "h.db",
                "query",
                "status-changes",
                "--since",
                since,
                "--format",
                "csv",
            ],
        );
        assert_eq!(output.code, 0, "--since {since}: {}", describe(&output));
        output.stdout.lines().skip(1).count()
    };
    // Status changes at 01:00 (a DOWN), 02:00 (x DOWN) and 03:00 (a ACTIVE).
    assert_eq!(ask("2026-11-01 01:30:00"), 2);
    assert_eq!(ask("2026-11-01 02:00"), 2);
    assert_eq!(ask("2026-11-01 02:00:00.001"), 1);
    // Spans: all of it is long before now.
    assert_eq!(ask("1h30m"), 0);
    assert_eq!(ask("1 hour ago"), 0);
}

#[test]
fn next_run_and_log_lines_are_rfc3339_utc_with_milliseconds() {
    let (_sim, dir) = configured(&[("a", PASSWORD_ENV)]);
    let running = Running::start(dir.path(), &["-v", "run", "--schedule", "0 0 0 1 1 *"]);
    wait_until("the next run's announcement", || {
        running.stdout().starts_with("next run at ")
    });
    running.terminate();
    let output = running.finish();
    let next = output.stdout.lines().next().unwrap_or_default();
    let time = next.strip_prefix("next run at ").unwrap_or_default();
    assert!(
        time.len() == 24 && time.ends_with("-01-01T00:00:00.000Z"),
        "{}",
        describe(&output)
    );
    let logged: Vec<&str> = output.stderr.lines().collect();
    assert!(!logged.is_empty(), "{}", describe(&output));
    for line in logged {
        let (time, _) = line.split_once(' ').unwrap_or_default();
        assert!(
            time.len() == 24
                && time.ends_with('Z')
                && chrono::DateTime::parse_from_rfc3339(time).is_ok(),
            "{line}"
        );
    }
}
