//! `vpnsnap collect`: exit codes with failing sources (and no deletions
//! inferred for them), the deadline cutting off a hang, a throttled request
//! retried after the pause asked for, the metrics file and the JSON summary.

use serde_json::Value;
use vpnsnap::sim::Fault;
use vpnsnap::sim::openstack::sample;
use vpnsnap::store::Store;

use super::*;
use crate::support::rows;

/// Parses the `--format json` summary and checks it has exactly the
/// documented keys.
fn summary(output: &Output) -> Value {
    let summary: Value = serde_json::from_str(&output.stdout)
        .unwrap_or_else(|error| panic!("not JSON ({error}): {}", describe(output)));
    let keys = |value: &Value| {
        let mut keys: Vec<String> = value.as_object().unwrap().keys().cloned().collect();
        keys.sort();
        keys
    };
    assert_eq!(
        keys(&summary),
        [
            "duration_seconds",
            "exit_code",
            "run_id",
            "sources",
            "started_at"
        ]
    );
    for source in summary["sources"].as_array().unwrap() {
        assert_eq!(
            keys(source),
            [
                "changed",
                "connections",
                "created",
                "deleted",
                "duration_seconds",
                "error",
                "error_class",
                "new_versions",
                "outcome",
                "pages",
                "provider",
                "recreated",
                "source",
                "unchanged",
                "warnings"
            ]
        );
    }
    assert_eq!(summary["exit_code"].as_i64(), Some(i64::from(output.code)));
    summary
}

/// One source of a summary: its name, outcome, (connections, created,
/// deleted, unchanged, pages) and error class (`-` for none).
#[derive(Debug, PartialEq, Eq)]
struct Outcome {
    source: String,
    outcome: String,
    numbers: [u64; 5],
    class: String,
}

fn outcomes(summary: &Value) -> Vec<Outcome> {
    summary["sources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|source| Outcome {
            source: source["source"].as_str().unwrap().to_string(),
            outcome: source["outcome"].as_str().unwrap().to_string(),
            numbers: ["connections", "created", "deleted", "unchanged", "pages"]
                .map(|key| source[key].as_u64().unwrap()),
            class: source["error_class"].as_str().unwrap_or("-").to_string(),
        })
        .collect()
}

fn row(source: &str, outcome: &str, numbers: [u64; 5], class: &str) -> Outcome {
    Outcome {
        source: source.into(),
        outcome: outcome.into(),
        numbers,
        class: class.into(),
    }
}

#[test]
fn one_failing_source_of_three_exits_3_stores_the_others_and_deletes_nothing_of_it() {
    let (sim, dir) = configured(&[
        ("a", PASSWORD_ENV),
        ("b", PASSWORD_ENV),
        ("c", OTHER_PASSWORD_ENV),
    ]);
    let json = ["collect", "--format", "json"];

    let first = vpnsnap(dir.path(), &json);
    assert_eq!(first.code, 0, "{}", describe(&first));
    assert_eq!(
        outcomes(&summary(&first)),
        [
            row("a", "ok", [3, 3, 0, 0, 6], "-"),
            row("b", "ok", [3, 3, 0, 0, 6], "-"),
            row("c", "ok", [3, 3, 0, 0, 6], "-"),
        ]
    );

    // C's connection goes away: a and b record its deletion; c, whose
    // login now fails, must record nothing about its connections.
    sim.with_estate(|estate| estate.remove_connection(sample::CONNECTION_C));
    std::fs::create_dir(dir.path().join("metrics")).unwrap();
    let second = vpnsnap_other(
        dir.path(),
        &[
            "-vv",
            "collect",
            "--format",
            "json",
            "--metrics-file",
            "metrics/vpnsnap.prom",
        ],
        WRONG_PASSWORD,
    );
    assert_eq!(second.code, 3, "{}", describe(&second));
    let report = summary(&second);
    assert_eq!(
        outcomes(&report),
        [
            row("a", "ok", [2, 0, 1, 2, 6], "-"),
            row("b", "ok", [2, 0, 1, 2, 6], "-"),
            row("c", "failed", [0, 0, 0, 0, 0], "auth"),
        ]
    );
    let error = report["sources"][2]["error"].as_str().unwrap();
    assert!(
        error.starts_with("authentication failed: "),
        "c's error: {error}"
    );
    assert_eq!(report["sources"][0]["error"], Value::Null);
    assert!(second.stderr.contains("source c: authentication failed: "));

    let store = Store::open(&dir.path().join("vpnsnap.db")).unwrap();
    assert_eq!(
        rows(
            &store,
            "SELECT c.source, count(*), max(v.version), \
             sum(v.event = 'deleted'), sum(v.valid_to IS NULL) \
             FROM versions v JOIN connections c ON c.id = v.connection \
             GROUP BY c.source ORDER BY c.source"
        ),
        [
            ["a", "4", "2", "1", "3"],
            ["b", "4", "2", "1", "3"],
            ["c", "3", "1", "0", "3"],
        ]
    );
    assert_eq!(
        rows(
            &store,
            "SELECT run_id, source, outcome, item_count, deleted, error IS NOT NULL \
             FROM run_sources ORDER BY run_id, source"
        ),
        [
            ["1", "a", "ok", "3", "0", "0"],
            ["1", "b", "ok", "3", "0", "0"],
            ["1", "c", "ok", "3", "0", "0"],
            ["2", "a", "ok", "2", "1", "0"],
            ["2", "b", "ok", "2", "1", "0"],
            ["2", "c", "failed", "0", "0", "1"],
        ]
    );
    drop(store);

    let metrics = std::fs::read_to_string(dir.path().join("metrics/vpnsnap.prom")).unwrap();
    let lines: Vec<&str> = metrics.lines().collect();
    for line in [
        "vpnsnap_source_up{source=\"a\",provider=\"openstack\"} 1",
        "vpnsnap_source_up{source=\"b\",provider=\"openstack\"} 1",
        "vpnsnap_source_up{source=\"c\",provider=\"openstack\"} 0",
        "vpnsnap_source_last_run_outcome{source=\"c\",outcome=\"failed\"} 1",
        "vpnsnap_source_last_run_outcome{source=\"c\",outcome=\"ok\"} 0",
        "vpnsnap_source_connections{source=\"a\",provider=\"openstack\"} 2",
        "vpnsnap_source_versions_written{source=\"a\",provider=\"openstack\"} 1",
        "vpnsnap_source_deletions{source=\"a\",provider=\"openstack\"} 1",
        "vpnsnap_source_deletions{source=\"c\",provider=\"openstack\"} 0",
        "vpnsnap_run_exit_code 3",
    ] {
        assert!(lines.contains(&line), "no {line:?} in\n{metrics}");
    }
    // c succeeded in the first run: its last success is still reported.
    assert_eq!(
        lines
            .iter()
            .filter(|line| line.starts_with("vpnsnap_source_last_success_timestamp_seconds{"))
            .count(),
        3,
        "{metrics}"
    );
    let names: Vec<String> = std::fs::read_dir(dir.path().join("metrics"))
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["vpnsnap.prom"]);

    // Every source refused: exit 1, the failures still recorded as a run.
    sim.set_denied(true);
    let third = vpnsnap(dir.path(), &json);
    assert_eq!(third.code, 1, "{}", describe(&third));
    assert_eq!(
        outcomes(&summary(&third)),
        [
            row("a", "failed", [0, 0, 0, 0, 0], "auth"),
            row("b", "failed", [0, 0, 0, 0, 0], "auth"),
            row("c", "failed", [0, 0, 0, 0, 0], "auth"),
        ]
    );
    let store = Store::open(&dir.path().join("vpnsnap.db")).unwrap();
    assert_eq!(
        rows(
            &store,
            "SELECT (SELECT count(*) FROM runs), (SELECT count(*) FROM versions)"
        ),
        [["3", "11"]]
    );
}

#[test]
fn an_unknown_source_is_a_usage_error_naming_the_configured_ones() {
    let (sim, dir) = configured(&[("a", PASSWORD_ENV), ("b", PASSWORD_ENV)]);
    let output = vpnsnap(
        dir.path(),
        &["collect", "--source", "a", "--source", "nope"],
    );
    assert_eq!(output.code, 2, "{}", describe(&output));
    assert!(
        output.stderr.contains("--source \"nope\" is not in ")
            && output.stderr.contains("(configured: a, b)"),
        "{}",
        describe(&output)
    );
    assert_eq!(output.stdout, "");
    assert_eq!(sim.faults().request_count(), 0);
    assert!(!dir.path().join("vpnsnap.db").exists());
}

#[test]
fn a_hanging_source_is_cut_off_at_its_deadline_and_the_others_are_stored() {
    let quick = sim();
    let hanging = sim();
    // Request 1 is the login; the connections listing never answers.
    hanging.faults().inject(2, Fault::Hang);
    let dir = tempfile::tempdir().unwrap();
    write_config(
        dir.path(),
        "source_deadline_seconds = 1",
        &[
            source("a", &quick, PASSWORD_ENV),
            source("slow", &hanging, PASSWORD_ENV),
            source("b", &quick, PASSWORD_ENV),
        ],
    );
    let output = vpnsnap(dir.path(), &["collect", "--format", "json"]);
    assert_eq!(output.code, 3, "{}", describe(&output));
    let report = summary(&output);
    assert_eq!(
        outcomes(&report),
        [
            row("a", "ok", [3, 3, 0, 0, 6], "-"),
            row("slow", "failed", [0, 0, 0, 0, 0], "deadline"),
            row("b", "ok", [3, 3, 0, 0, 6], "-"),
        ]
    );
    assert_eq!(
        report["sources"][1]["error"].as_str(),
        Some("cut off after 1s: the source took longer than source_deadline_seconds")
    );
    assert_eq!(hanging.faults().request_count(), 2);
    let store = Store::open(&dir.path().join("vpnsnap.db")).unwrap();
    assert_eq!(
        rows(
            &store,
            "SELECT source, outcome, error FROM run_sources WHERE source = 'slow'"
        ),
        [[
            "slow",
            "failed",
            "cut off after 1s: the source took longer than source_deadline_seconds"
        ]]
    );
}

#[test]
fn a_throttled_request_is_retried_after_the_retry_after_and_the_listing_stored() {
    let sim = sim();
    sim.faults().inject(
        2,
        Fault::Throttle {
            retry_after_seconds: 1,
        },
    );
    let dir = tempfile::tempdir().unwrap();
    write_config(dir.path(), "", &[source("os", &sim, PASSWORD_ENV)]);
    let output = vpnsnap(dir.path(), &["collect", "--format", "json"]);
    assert_eq!(output.code, 0, "{}", describe(&output));
    assert_eq!(
        outcomes(&summary(&output)),
        [row("os", "ok", [3, 3, 0, 0, 6], "-")]
    );
    // The first Neutron request is the IKE policies' (referenced objects first).
    let ikepolicies = "GET /network/RegionOne/public/v2.0/vpn/ikepolicies";
    let requests = sim.requests();
    assert_eq!(requests.len(), 8, "{requests:#?}");
    assert_eq!(requests[1..3], [ikepolicies, ikepolicies]);
    // One warning, naming the request once.
    let warnings: Vec<&str> = output
        .stderr
        .lines()
        .filter(|line| line.contains(" WARN "))
        .collect();
    assert_eq!(warnings.len(), 1, "{}", describe(&output));
    assert!(
        warnings[0].ends_with(": throttled failure; retry 1 of 4 in 1.0s"),
        "{}",
        describe(&output)
    );
    assert_eq!(
        warnings[0].matches("/vpn/ikepolicies").count(),
        1,
        "{}",
        warnings[0]
    );
}

#[test]
fn a_run_of_some_sources_keeps_the_others_in_the_metrics_file() {
    let (_sim, dir) = configured(&[("a", PASSWORD_ENV), ("b", PASSWORD_ENV)]);
    let first = vpnsnap(dir.path(), &["collect"]);
    assert_eq!(first.code, 0, "{}", describe(&first));
    let only_a = vpnsnap(
        dir.path(),
        &["collect", "--source", "a", "--metrics-file", "vpnsnap.prom"],
    );
    assert_eq!(only_a.code, 0, "{}", describe(&only_a));
    let metrics = std::fs::read_to_string(dir.path().join("vpnsnap.prom")).unwrap();
    let lines: Vec<&str> = metrics.lines().collect();
    // b was not collected by this run: its figures are those of its last
    // stored run (the first), and it has no fetch duration.
    for line in [
        "vpnsnap_source_up{source=\"a\",provider=\"openstack\"} 1",
        "vpnsnap_source_up{source=\"b\",provider=\"openstack\"} 1",
        "vpnsnap_source_connections{source=\"b\",provider=\"openstack\"} 3",
        "vpnsnap_source_versions_written{source=\"a\",provider=\"openstack\"} 0",
        "vpnsnap_source_versions_written{source=\"b\",provider=\"openstack\"} 3",
        "vpnsnap_source_last_run_outcome{source=\"b\",outcome=\"ok\"} 1",
    ] {
        assert!(lines.contains(&line), "no {line:?} in\n{metrics}");
    }
    let durations: Vec<&&str> = lines
        .iter()
        .filter(|line| line.starts_with("vpnsnap_source_duration_seconds{"))
        .collect();
    assert_eq!(durations.len(), 1, "{metrics}");
    assert!(durations[0].contains("source=\"a\""), "{metrics}");
}
