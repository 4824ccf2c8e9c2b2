//! Two collections on one database (the second refused with the holder's
//! pid, or waiting for it), and SIGTERM in the middle of a run or of that
//! wait: nothing stored, the database untouched.

use std::time::Duration;

use vpnsnap::sim::Fault;
use vpnsnap::store::Store;

use super::*;
use crate::support::{dump, rows};

/// The database file and its WAL, byte for byte.
fn database_files(dir: &Path) -> (Vec<u8>, Option<Vec<u8>>) {
    (
        std::fs::read(dir.join("vpnsnap.db")).unwrap(),
        std::fs::read(dir.join("vpnsnap.db-wal")).ok(),
    )
}

fn dump_of(dir: &Path) -> Vec<Vec<String>> {
    dump(&Store::open(&dir.join("vpnsnap.db")).unwrap())
}

#[test]
fn a_second_collection_is_refused_with_the_holders_pid_or_waits_for_it() {
    let sim = sim();
    // 1 s per request until the other two collections have found the lock
    // held: the first holds it at least that long.
    sim.faults().set_latency(Duration::from_secs(1));
    let dir = tempfile::tempdir().unwrap();
    write_config(dir.path(), "", &[source("os", &sim, PASSWORD_ENV)]);

    let first = Running::start(dir.path(), &["collect"]);
    // The lock is taken before the first request.
    wait_until("the first collection's login", || {
        sim.faults().request_count() >= 1
    });
    let waiting = Running::start(dir.path(), &["-v", "collect", "--wait", "30"]);
    // --wait 0: refused at once, naming the first.
    let refused = vpnsnap(dir.path(), &["collect", "--wait", "0"]);
    assert_eq!(refused.code, 4, "{}", describe(&refused));
    let database = dir.path().join("vpnsnap.db");
    assert!(
        refused.stderr.contains(&format!(
            "error: another collection holds {}: pid {} (started ",
            database.display(),
            first.pid()
        )),
        "{}",
        describe(&refused)
    );
    assert_eq!(refused.stdout, "");
    let first_pid = first.pid();
    wait_until("the second collection to wait", || {
        waiting.stderr.lock().unwrap().contains(&format!(
            "waiting up to 30s for another collection (pid {first_pid} (started "
        ))
    });
    sim.faults().set_latency(Duration::ZERO);

    let first = first.finish();
    assert_eq!(first.code, 0, "{}", describe(&first));
    let waited = waiting.finish();
    assert_eq!(waited.code, 0, "{}", describe(&waited));

    let store = Store::open(&database).unwrap();
    let runs = rows(
        &store,
        "SELECT id, started_at, finished_at FROM runs ORDER BY id",
    );
    assert_eq!(runs.len(), 2, "{runs:?}");
    assert!(runs[1][1] >= runs[0][2], "the runs overlapped: {runs:?}");
    assert_eq!(
        rows(
            &store,
            "SELECT run_id, outcome, item_count, created, deleted FROM run_sources ORDER BY run_id"
        ),
        [["1", "ok", "3", "3", "0"], ["2", "ok", "3", "0", "0"]]
    );
    assert_eq!(
        rows(&store, "SELECT count(*), max(version) FROM versions"),
        [["3", "1"]]
    );
}

#[test]
fn sigterm_while_fetching_stores_nothing_and_leaves_the_database_as_it_was() {
    let (sim, dir) = configured(&[("os", PASSWORD_ENV)]);
    let first = vpnsnap(dir.path(), &["collect"]);
    assert_eq!(first.code, 0, "{}", describe(&first));
    let before = dump_of(dir.path());
    let files = database_files(dir.path());

    // The second run's connections listing never answers: it is
    // mid-fetch for as long as the test needs.
    let hang_at = sim.faults().request_count() + 2;
    sim.faults().inject(hang_at, Fault::Hang);
    let running = Running::start(dir.path(), &["collect"]);
    wait_until("the hanging request", || {
        sim.faults().request_count() >= hang_at
    });
    running.terminate();
    let output = running.finish();
    assert_eq!(output.code, 1, "{}", describe(&output));
    assert!(
        output
            .stderr
            .contains("error: interrupted while fetching: nothing from this run was stored"),
        "{}",
        describe(&output)
    );
    assert_eq!(output.stdout, "");
    assert_eq!(sim.faults().request_count(), hang_at);
    assert!(database_files(dir.path()) == files, "the database changed");
    assert_eq!(dump_of(dir.path()), before);

    // The lock went with the process.
    let again = vpnsnap(dir.path(), &["collect", "--wait", "0"]);
    assert_eq!(again.code, 0, "{}", describe(&again));
}

#[test]
fn sigterm_while_waiting_for_the_lock_ends_the_wait() {
    let (sim, dir) = configured(&[("os", PASSWORD_ENV)]);
    // The holder hangs on its connections listing until it is stopped.
    sim.faults().inject(2, Fault::Hang);
    let holder = Running::start(dir.path(), &["collect"]);
    wait_until("the holder's hanging request", || {
        sim.faults().request_count() >= 2
    });

    let mut waiting = Running::start(dir.path(), &["-v", "collect", "--wait", "600"]);
    wait_until("the second collection to wait", || {
        waiting.has_exited()
            || waiting
                .stderr
                .lock()
                .unwrap()
                .contains("waiting up to 600s")
    });
    waiting.terminate();
    let output = waiting.finish();
    assert_eq!(output.code, 1, "{}", describe(&output));
    assert!(
        output.stderr.contains(&format!(
            "error: interrupted while waiting for another collection (pid {} (started ",
            holder.pid()
        )),
        "{}",
        describe(&output)
    );
    // Only the holder ever reached the simulator.
    assert_eq!(sim.faults().request_count(), 2);

    holder.terminate();
    let held = holder.finish();
    assert_eq!(held.code, 1, "{}", describe(&held));
    let store = Store::open(&dir.path().join("vpnsnap.db")).unwrap();
    assert_eq!(rows(&store, "SELECT count(*) FROM runs"), [["0"]]);
}
