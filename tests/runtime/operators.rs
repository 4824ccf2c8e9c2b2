//! What operators running vpnsnap from cron and systemd rely on (issue 18):
//! `-q` silent when all is well, a metrics series for a source that never
//! succeeded and a non-zero exit when the metrics file cannot be written,
//! schedules explained and refused alike from the config and the command
//! line, SIGTERM as normal operation, and `import --wait`.

use std::time::Duration;

use vpnsnap::store::Store;

use super::*;
use crate::support::{fixture, rows};

#[test]
fn quiet_collect_prints_nothing_when_every_source_is_ok_and_the_summary_on_stderr_otherwise() {
    let (_sim, dir) = configured(&[("a", PASSWORD_ENV), ("b", OTHER_PASSWORD_ENV)]);
    let ok = vpnsnap(dir.path(), &["-q", "collect"]);
    assert_eq!(ok.code, 0, "{}", describe(&ok));
    assert_eq!((ok.stdout.as_str(), ok.stderr.as_str()), ("", ""));

    let failed = vpnsnap_other(dir.path(), &["-q", "collect"], WRONG_PASSWORD);
    assert_eq!(failed.code, 3, "{}", describe(&failed));
    assert_eq!(failed.stdout, "", "{}", describe(&failed));
    // The failing source's error log line, then the summary.
    let lines: Vec<&str> = failed.stderr.lines().collect();
    assert_eq!(lines.len(), 4, "{}", describe(&failed));
    assert!(
        lines[0].contains(" ERROR source b: authentication failed: "),
        "{lines:?}"
    );
    let lines = &lines[1..];
    assert!(lines[0].starts_with("run 2 (collect) at "), "{lines:?}");
    assert!(
        lines[1].starts_with("  a (openstack): ok, 3 connections, 0 new versions"),
        "{lines:?}"
    );
    assert!(
        lines[2].starts_with("  b (openstack): FAILED after "),
        "{lines:?}"
    );

    // `run --once` is collect: the same silence.
    let once = vpnsnap(dir.path(), &["-q", "run", "--once", "--format", "json"]);
    assert_eq!(once.code, 0, "{}", describe(&once));
    assert_eq!((once.stdout.as_str(), once.stderr.as_str()), ("", ""));
}

#[test]
fn a_source_that_never_succeeded_has_a_last_success_of_0() {
    let (_sim, dir) = configured(&[("a", PASSWORD_ENV), ("b", OTHER_PASSWORD_ENV)]);
    let output = vpnsnap_other(
        dir.path(),
        &["collect", "--metrics-file", "vpnsnap.prom"],
        WRONG_PASSWORD,
    );
    assert_eq!(output.code, 3, "{}", describe(&output));
    let metrics = std::fs::read_to_string(dir.path().join("vpnsnap.prom")).unwrap();
    let last_success: Vec<&str> = metrics
        .lines()
        .filter(|line| line.starts_with("vpnsnap_source_last_success_timestamp_seconds{"))
        .collect();
    assert_eq!(last_success.len(), 2, "{metrics}");
    assert!(
        last_success[0].starts_with(
            "vpnsnap_source_last_success_timestamp_seconds{source=\"a\",provider=\"openstack\"} 1"
        ),
        "{metrics}"
    );
    assert_eq!(
        last_success[1],
        "vpnsnap_source_last_success_timestamp_seconds{source=\"b\",provider=\"openstack\"} 0"
    );
}

#[test]
fn the_metrics_file_is_readable_by_the_node_exporter_under_a_umask_of_0077() {
    use std::os::unix::fs::PermissionsExt;

    let (_sim, dir) = configured(&[("a", PASSWORD_ENV)]);
    // As the units under contrib/systemd run it (UMask=0077).
    let output = Command::new("sh")
        .args(["-c", "umask 0077 && exec \"$0\" \"$@\""])
        .arg(env!("CARGO_BIN_EXE_vpnsnap"))
        .args(["-q", "collect", "--metrics-file", "vpnsnap.prom"])
        .current_dir(dir.path())
        .env_remove("VPNSNAP_CONFIG")
        .env_remove("RUST_LOG")
        .envs(env(DEMO_PASSWORD))
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    let mode = |name: &str| {
        std::fs::metadata(dir.path().join(name))
            .unwrap()
            .permissions()
            .mode()
            & 0o777
    };
    assert_eq!(format!("{:o}", mode("vpnsnap.prom")), "644");
    // The database stays the owner's alone.
    assert_eq!(format!("{:o}", mode("vpnsnap.db")), "600");
}

#[test]
fn a_metrics_file_that_cannot_be_written_exits_5_after_storing_the_run() {
    let (_sim, dir) = configured(&[("a", PASSWORD_ENV)]);
    let unwritable = "no-such-folder/vpnsnap.prom";
    let collect = vpnsnap(dir.path(), &["-q", "collect", "--metrics-file", unwritable]);
    assert_eq!(collect.code, 5, "{}", describe(&collect));
    assert!(
        collect.stderr.contains(&format!(
            "writing the metrics file {unwritable}: No such file or directory"
        )),
        "{}",
        describe(&collect)
    );
    // The run itself was stored, and its summary printed even with -q.
    assert!(
        collect.stderr.contains("run 1 (collect) at "),
        "{}",
        describe(&collect)
    );
    let json = vpnsnap(
        dir.path(),
        &["collect", "--format", "json", "--metrics-file", unwritable],
    );
    assert_eq!(json.code, 5, "{}", describe(&json));
    assert!(
        json.stdout.contains("\"exit_code\":5"),
        "{}",
        describe(&json)
    );

    // The scheduler stops at the first run whose metrics it cannot write.
    let running = Running::start(
        dir.path(),
        &[
            "run",
            "--schedule",
            "* * * * * *",
            "--metrics-file",
            unwritable,
        ],
    );
    let output = running.finish();
    assert_eq!(output.code, 5, "{}", describe(&output));
    assert!(
        output
            .stderr
            .contains("stopping: the metrics file could not be written"),
        "{}",
        describe(&output)
    );
    let store = Store::open(&dir.path().join("vpnsnap.db")).unwrap();
    assert_eq!(rows(&store, "SELECT count(*) FROM runs"), [["3"]]);
}

#[test]
fn schedules_are_explained_alike_and_one_without_a_future_time_is_a_config_error() {
    let (sim, dir) = configured(&[("a", PASSWORD_ENV)]);
    let five = vpnsnap(dir.path(), &["run", "--schedule", "*/15 * * * *"]);
    assert_eq!(five.code, 2, "{}", describe(&five));
    assert!(
        five.stderr.contains(
            "error: --schedule \"*/15 * * * *\" is not a valid cron expression: it has 5 fields, \
             and 6 or 7 are needed"
        ),
        "{}",
        describe(&five)
    );
    let never = vpnsnap(dir.path(), &["run", "--schedule", "0 0 0 30 2 *"]);
    assert_eq!(never.code, 2, "{}", describe(&never));
    assert!(
        never
            .stderr
            .contains("error: --schedule \"0 0 0 30 2 *\" names no time in the future"),
        "{}",
        describe(&never)
    );

    write_config(
        dir.path(),
        "schedule = \"0 0 0 30 2 *\"",
        &[source("a", &sim, PASSWORD_ENV)],
    );
    for args in [&["run"][..], &["config", "check"]] {
        let output = vpnsnap(dir.path(), args);
        assert_eq!(output.code, 2, "{args:?}: {}", describe(&output));
        assert!(
            output
                .stderr
                .contains("\"schedule\": \"0 0 0 30 2 *\" names no time in the future"),
            "{args:?}: {}",
            describe(&output)
        );
    }
    assert!(!dir.path().join("vpnsnap.db").exists());
}

/// Runs the scheduler (`extra` before `run`), waits until it has announced
/// its next run, sends SIGTERM and returns what it printed.
fn terminated(dir: &Path, extra: &[&str]) -> Output {
    let mut args = extra.to_vec();
    args.extend(["run", "--schedule", "0 0 0 1 1 *"]);
    let running = Running::start(dir, &args);
    wait_until("the next run's announcement", || {
        running.stdout().starts_with("next run at ")
    });
    running.terminate();
    running.finish()
}

#[test]
fn sigterm_is_normal_operation_logged_at_info() {
    let (_sim, dir) = configured(&[("a", PASSWORD_ENV)]);
    let quiet = terminated(dir.path(), &[]);
    assert_eq!(quiet.code, 0, "{}", describe(&quiet));
    assert_eq!(quiet.stderr, "", "{}", describe(&quiet));

    let verbose = terminated(dir.path(), &["-v"]);
    assert_eq!(verbose.code, 0, "{}", describe(&verbose));
    assert!(
        verbose
            .stderr
            .contains(" INFO SIGTERM received: stopping (a second signal exits at once)"),
        "{}",
        describe(&verbose)
    );
}

#[test]
fn an_import_waits_with_wait_for_the_collection_holding_the_database() {
    let dir = tempfile::tempdir().unwrap();
    let database = dir.path().join("h.db");
    let held = vpnsnap::lock::CollectionLock::acquire(&database, Duration::ZERO).unwrap();
    let release = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(1500));
        drop(held);
    });
    let file = fixture("huaweicloud/001_list_all.json");
    let started = Instant::now();
    let output = crate::support::vpnsnap(
        dir.path(),
        &[
            "--db",
            "h.db",
            "import",
            "--source",
            "hw",
            "--kind",
            "huaweicloud",
            "--wait",
            "30",
            &file.to_string_lossy(),
        ],
    );
    release.join().unwrap();
    assert_eq!(output.code, 0, "{}", describe(&output));
    assert!(
        output.stdout.starts_with("run 1 (import)"),
        "{}",
        describe(&output)
    );
    assert!(started.elapsed() >= Duration::from_millis(1500));
}
