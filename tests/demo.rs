//! The built-in estate: the four simulators, the config written for them,
//! and the demo's scripted history collected through the real collectors.

use std::sync::Arc;
use std::time::Duration;

use vpnsnap::collector::CollectOptions;
use vpnsnap::demo::{Scale, Simulators, script};
use vpnsnap::fingerprint::PskFingerprinter;
use vpnsnap::http::RetryPolicy;
use vpnsnap::runner::{self, RunRequest};
use vpnsnap::shutdown::Shutdown;
use vpnsnap::store::Store;

use crate::support::{contains, database_bytes, rows, vpnsnap};

fn fast_options() -> CollectOptions {
    CollectOptions {
        max_concurrency: 4,
        retry: RetryPolicy {
            max_retries: 1,
            base_delay: Duration::from_millis(5),
            max_delay: Duration::from_millis(20),
        },
        request_timeout: Duration::from_secs(5),
        source_deadline: Duration::from_secs(30),
        max_response_bytes: vpnsnap::http::DEFAULT_MAX_RESPONSE_BYTES,
        limits: vpnsnap::listing::ListingLimits::default(),
    }
}

#[test]
fn the_scripted_history_is_collected_through_all_four_providers() {
    let dir = tempfile::tempdir().unwrap();
    let database = dir.path().join("demo.db");
    let config_path = dir.path().join("demo.toml");
    let sims = Simulators::start(Scale::Demo).unwrap();
    let secrets = sims.write_config(&config_path, &database, "").unwrap();
    let text = std::fs::read_to_string(&config_path).unwrap();
    assert!(!text.contains(vpnsnap::sim::huaweicloud::DEMO_SECRET_KEY));
    assert!(!text.contains(vpnsnap::sim::openstack::DEMO_PASSWORD));
    assert!(secrets.join("huawei-secret-key").exists());

    let env = |_: &str| None;
    let config = vpnsnap::config::load(&config_path, &env).unwrap();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let request = RunRequest {
        sources: config.sources.clone(),
        database: database.clone(),
        options: fast_options(),
        // Not zero: another test spawning a process at that moment holds a
        // copy of the lock's descriptor until its exec.
        wait: Duration::from_secs(10),
        metrics_file: None,
        show_progress: false,
        configured_sources: Vec::new(),
        observed_at: None,
    };
    let fingerprinter = Arc::new(PskFingerprinter::new(b"demo-test"));
    let mut outcomes = Vec::new();
    for run in 1..=6 {
        script::before_run(&sims, run);
        let report =
            runner::collect_once(&runtime, &request, &fingerprinter, &Shutdown::never()).unwrap();
        outcomes.push(
            report
                .summary
                .sources
                .iter()
                .map(|source| format!("{}:{}", source.source, source.outcome))
                .collect::<Vec<_>>()
                .join(" "),
        );
    }
    let all_ok = "hw-demo:ok os-demo:ok tc-demo:ok tcl-demo:ok";
    let legacy_down = "hw-demo:ok os-demo:ok tc-demo:ok tcl-demo:failed";
    assert_eq!(
        outcomes,
        vec![all_ok, all_ok, legacy_down, all_ok, all_ok, all_ok]
    );

    let store = Store::open(&database).unwrap();
    let events = rows(
        &store,
        "SELECT r.id, c.source, v.event, coalesce(group_concat(f.field, ',' ORDER BY f.field), '') \
         FROM versions v JOIN connections c ON c.id = v.connection \
         JOIN runs r ON r.id = v.run_id \
         LEFT JOIN field_changes f ON f.version_id = v.id \
         WHERE r.id > 1 GROUP BY v.id ORDER BY r.id, c.source, v.event, 4",
    );
    let summary: Vec<String> = events.iter().map(|row| row.join(" ")).collect();
    assert_eq!(
        summary,
        vec![
            "2 hw-demo changed provider_status,status",
            "2 os-demo changed ike.lifetime_seconds",
            "2 os-demo changed ike.lifetime_seconds",
            "3 hw-demo changed related.customer_gateway.name,related.customer_gateway.updated_at",
            "3 tc-demo changed psk_fingerprint",
            "4 hw-demo changed ike.encryption_algorithm",
            "4 hw-demo changed provider_status,status",
            "4 os-demo deleted ",
            "5 hw-demo created ",
            "5 os-demo changed provider_status,status",
            "5 tc-demo created ",
            "6 os-demo changed provider_status,status",
            "6 tcl-demo changed provider_status,status",
        ]
    );
}

#[test]
fn the_demo_command_prints_what_the_queries_answer_on_its_database() {
    let dir = tempfile::tempdir().unwrap();
    let output = vpnsnap(dir.path(), &["--db", "demo.db", "demo", "--runs", "6"]);
    assert_eq!(output.code, 0, "{}", output.stderr);
    let printed = output.stdout;
    for (run, line) in [
        (
            "run 3 at ",
            "hw-demo 5 conns/1 new versions, os-demo 3 conns/0 new versions, tc-demo 4 conns/1 new versions, tcl-demo FAILED",
        ),
        (
            "run 6 at ",
            "hw-demo 6 conns/0 new versions, os-demo 2 conns/1 new versions, tc-demo 5 conns/0 new versions, tcl-demo 3 conns/1 new versions",
        ),
    ] {
        let found = printed
            .lines()
            .filter_map(|printed| printed.strip_prefix(run))
            .filter_map(|rest| rest.split_once(": "))
            .any(|(_, rest)| rest == line);
        assert!(found, "missing {run}...: {line:?} in\n{printed}");
    }
    // The timeline of the whole history, beside the database: a band per
    // connection and the failed Tencent legacy run.
    assert!(printed.contains("== The timeline: "), "{printed}");
    let report = std::fs::read_to_string(dir.path().join("demo-report.html")).unwrap();
    assert_eq!(report.matches(r#"<div class="row conn""#).count(), 17);
    assert_eq!(report.matches("<title>FAILED ").count(), 1);
    for question in [
        "current",
        "status-changes",
        "outages",
        "policy-changes",
        "weak-crypto",
    ] {
        let answer = vpnsnap(
            dir.path(),
            &["--db", "demo.db", "query", question, "--format", "table"],
        );
        assert_eq!(answer.code, 0, "{}", answer.stderr);
        let table = answer.stdout;
        assert!(
            table.lines().count() > 2,
            "{question} answered nothing:\n{table}"
        );
        let section = format!("query {question}\n{table}");
        assert!(
            printed.contains(&section),
            "the demo's {question} differs from the query's:\n{table}\n--- demo printed ---\n{printed}"
        );
    }
    // A second demo into the same --db is refused rather than mixed in.
    let again = vpnsnap(dir.path(), &["--db", "demo.db", "demo"]);
    assert_eq!(again.code, 2, "{}", again.stderr);
    // No secret reaches the output or the database.
    let database = database_bytes(&dir.path().join("demo.db"));
    for secret in [
        vpnsnap::sim::huaweicloud::DEMO_SECRET_KEY,
        vpnsnap::sim::openstack::DEMO_PASSWORD,
        vpnsnap::sim::tencent::DEMO_SECRET_KEY,
        vpnsnap::sim::tencent_legacy::DEMO_SECRET_KEY,
    ] {
        assert!(!printed.contains(secret));
        assert!(!contains(&database, secret));
    }
}

/// Issue 18, item 15: the demo's runs are recorded an hour apart, the last
/// now, so the questions about time answer as they would in production.
#[test]
fn the_demos_runs_are_recorded_an_hour_apart_ending_now() {
    let dir = tempfile::tempdir().unwrap();
    let before = chrono::Utc::now();
    let output = vpnsnap(dir.path(), &["--db", "demo.db", "demo", "--runs", "6"]);
    let after = chrono::Utc::now();
    assert_eq!(output.code, 0, "{}", output.stderr);
    let ask = |args: &[&str]| {
        let mut all = vec!["--db", "demo.db"];
        all.extend(args);
        all.extend(["--format", "csv"]);
        let answer = vpnsnap(dir.path(), &all);
        assert_eq!(answer.code, 0, "{args:?}: {}", answer.stderr);
        answer
            .stdout
            .lines()
            .skip(1)
            .map(String::from)
            .collect::<Vec<_>>()
    };
    let times: Vec<chrono::DateTime<chrono::FixedOffset>> = ask(&[
        "sql",
        "SELECT DISTINCT observed_at FROM run_sources ORDER BY observed_at",
    ])
    .iter()
    .map(|time| chrono::DateTime::parse_from_rfc3339(time).unwrap())
    .collect();
    assert_eq!(times.len(), 6, "{times:?}");
    for pair in times.windows(2) {
        assert_eq!((pair[1] - pair[0]).num_seconds(), 3600, "{times:?}");
    }
    let last = times[5].with_timezone(&chrono::Utc);
    assert!(
        before <= last && last <= after,
        "{last} not within the demo"
    );
    let printed = output.stdout;
    assert!(
        printed.contains(&format!(
            "run 6 at {}: ",
            times[5].format("%Y-%m-%dT%H:%M:%S%.3fZ")
        )),
        "{printed}"
    );

    // The last two runs' changes (runs 5 and 6), not the whole history.
    let changed_at: std::collections::BTreeSet<String> =
        ask(&["query", "changes", "--since", "2h"])
            .iter()
            .filter_map(|row| row.split(',').next().map(String::from))
            .collect();
    let recent: Vec<String> = times[4..]
        .iter()
        .map(|time| time.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string())
        .collect();
    assert_eq!(changed_at.into_iter().collect::<Vec<_>>(), recent);
    // Three hours ago: after run 3, before run 4 deleted an OpenStack
    // connection and run 5 created two.
    let then = ask(&["query", "as-of", "--at", "3 hours ago"]);
    assert_eq!(then.len(), 15, "{then:?}");
    // The hw connection down in runs 2 and 3 was down for one to three hours.
    let outages = ask(&["query", "outages", "--source", "hw-demo"]);
    assert!(
        outages
            .iter()
            .any(|row| row.contains("vpn-dc-00004") && row.ends_with(",3600,10800,ACTIVE")),
        "{outages:?}"
    );
}

#[test]
fn simulate_serves_until_sigterm_and_its_config_collects_all_four_providers() {
    let dir = tempfile::tempdir().unwrap();
    let mut simulate = std::process::Command::new(env!("CARGO_BIN_EXE_vpnsnap"))
        .args(["simulate", "--config-out", "sim.toml", "--scale", "30"])
        .current_dir(dir.path())
        .env_remove("VPNSNAP_CONFIG")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // The config is written once the simulators listen.
    let started = std::time::Instant::now();
    while !dir.path().join("sim.toml").exists() {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "no config written"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    std::thread::sleep(Duration::from_millis(200));
    let collected = vpnsnap(
        dir.path(),
        &["--config", "sim.toml", "collect", "--format", "json"],
    );
    let stopped = std::process::Command::new("kill")
        .args(["-TERM", &simulate.id().to_string()])
        .status()
        .unwrap();
    assert!(stopped.success());
    let status = simulate.wait().unwrap();
    assert_eq!(collected.code, 0, "{}", collected.stderr);
    let summary: serde_json::Value = serde_json::from_str(&collected.stdout).unwrap();
    let connections: Vec<(String, u64)> = summary["sources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|source| {
            (
                source["source"].as_str().unwrap().to_string(),
                source["connections"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        connections,
        vec![
            ("hw-demo".to_string(), 30),
            ("os-demo".to_string(), 30),
            ("tc-demo".to_string(), 30),
            ("tcl-demo".to_string(), 30),
        ]
    );
    assert_eq!(status.code(), Some(0));
}

#[test]
fn the_demo_never_overwrites_a_config_or_secret_beside_its_database() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("vpnsnap.toml"), "# production config\n").unwrap();
    let output = vpnsnap(dir.path(), &["--db", "vpnsnap.db", "demo", "--runs", "2"]);
    assert_eq!(output.code, 2, "{}", output.stderr);
    assert!(
        output.stderr.contains(
            "vpnsnap.toml exists: the demo writes its config and secrets beside the database \
             and never overwrites a file; pass a --db PATH whose .toml does not exist"
        ),
        "{}",
        output.stderr
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("vpnsnap.toml")).unwrap(),
        "# production config\n"
    );
    assert!(!dir.path().join("vpnsnap.db").exists());

    // A secret file alone in the way stops it too, untouched.
    let other = dir.path().join("other.toml.secrets");
    std::fs::create_dir(&other).unwrap();
    std::fs::write(other.join("openstack-password"), "mine").unwrap();
    let output = vpnsnap(dir.path(), &["--db", "other.db", "demo", "--runs", "2"]);
    assert_eq!(output.code, 2, "{}", output.stderr);
    assert!(
        output.stderr.contains("openstack-password exists"),
        "{}",
        output.stderr
    );
    assert_eq!(
        std::fs::read_to_string(other.join("openstack-password")).unwrap(),
        "mine"
    );
    assert!(!dir.path().join("other.toml").exists());

    // The default demo replaces its own previous files and runs again.
    for _ in 0..2 {
        let output = vpnsnap(dir.path(), &["demo", "--runs", "2"]);
        assert_eq!(output.code, 0, "{}", output.stderr);
    }
}
