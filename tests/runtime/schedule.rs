//! `vpnsnap run`: runs on the schedule one after the other until SIGTERM,
//! `--once` with collect's exit code, and no schedule at all.

use vpnsnap::store::Store;

use super::*;
use crate::support::rows;

#[test]
fn runs_every_second_without_overlap_until_sigterm_then_exits_0() {
    let (_sim, dir) = configured(&[("os", PASSWORD_ENV)]);
    let running = Running::start(dir.path(), &["run", "--schedule", "* * * * * *"]);
    let runs_printed = || {
        running
            .stdout()
            .lines()
            .filter(|line| line.starts_with("run "))
            .count()
    };
    wait_until("two runs", || runs_printed() >= 2);
    running.terminate();
    let output = running.finish();
    assert_eq!(output.code, 0, "{}", describe(&output));
    assert!(
        output.stdout.starts_with("next run at "),
        "{}",
        describe(&output)
    );

    let store = Store::open(&dir.path().join("vpnsnap.db")).unwrap();
    let runs = rows(
        &store,
        "SELECT id, kind, started_at, finished_at FROM runs ORDER BY id",
    );
    assert!(runs.len() >= 2, "{runs:?}");
    for pair in runs.windows(2) {
        assert!(pair[1][2] >= pair[0][3], "runs overlapped: {runs:?}");
    }
    assert!(runs.iter().all(|run| run[1] == "collect"), "{runs:?}");
    // The estate did not change: one version per connection.
    assert_eq!(rows(&store, "SELECT count(*) FROM versions"), [["3"]]);
    assert_eq!(
        rows(
            &store,
            "SELECT count(*) FROM run_sources WHERE outcome = 'ok' AND item_count = 3"
        ),
        [[runs.len().to_string()]]
    );
}

#[test]
fn run_once_exits_with_collects_code_and_no_schedule_is_a_usage_error() {
    let (_sim, dir) = configured(&[("a", PASSWORD_ENV), ("b", OTHER_PASSWORD_ENV)]);
    let once = vpnsnap_other(dir.path(), &["run", "--once"], WRONG_PASSWORD);
    assert_eq!(once.code, 3, "{}", describe(&once));
    assert!(
        once.stdout.starts_with("run 1 (collect) at "),
        "{}",
        describe(&once)
    );

    let unscheduled = vpnsnap(dir.path(), &["run"]);
    assert_eq!(unscheduled.code, 2, "{}", describe(&unscheduled));
    assert!(
        unscheduled
            .stderr
            .contains("no schedule: set `schedule` in ")
            && unscheduled.stderr.contains("or pass --schedule \"CRON\""),
        "{}",
        describe(&unscheduled)
    );
    let bad = vpnsnap(dir.path(), &["run", "--schedule", "every minute"]);
    assert_eq!(bad.code, 2, "{}", describe(&bad));
    assert!(
        bad.stderr.contains(
            "--schedule \"every minute\" is not a valid cron expression: it has 2 fields"
        ),
        "{}",
        describe(&bad)
    );

    let store = Store::open(&dir.path().join("vpnsnap.db")).unwrap();
    assert_eq!(rows(&store, "SELECT count(*) FROM runs"), [["1"]]);
}
