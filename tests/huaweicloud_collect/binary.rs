//! `vpnsnap collect` end to end against the simulator: the config with
//! secrets from the environment, the summary, exit codes, and what a failed
//! source tells the user.

use std::path::Path;

use serde_json::{Value, json};

use super::*;

const FINGERPRINT_KEY: &str = "binary-test-fingerprint-key";

fn write_config(dir: &Path, sim: &HuaweiSim) {
    let config = format!(
        r#"database = "history.db"
fingerprint_key = {{ env = "VPNSNAP_FINGERPRINT_KEY" }}

[[source]]
name = "hw-sim"
kind = "huaweicloud"
region = "ap-southeast-1"
endpoint = "{endpoint}"
project_id = "{DEMO_PROJECT_ID}"
access_key = "{DEMO_ACCESS_KEY}"
secret_key = {{ env = "HW_SK" }}
page_size = 3
"#,
        endpoint = sim.url()
    );
    std::fs::write(dir.join("vpnsnap.toml"), config).unwrap();
}

fn run(dir: &Path, args: &[&str], secret_key: &str) -> Output {
    vpnsnap_with_env(
        dir,
        args,
        &[
            ("HW_SK", secret_key),
            ("VPNSNAP_FINGERPRINT_KEY", FINGERPRINT_KEY),
        ],
    )
}

#[test]
fn collect_stores_the_listing_and_reports_it() {
    let sim = sim(7);
    let dir = tempfile::tempdir().unwrap();
    write_config(dir.path(), &sim);
    let out = run(
        dir.path(),
        &["collect", "--format", "json"],
        DEMO_SECRET_KEY,
    );
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    let report: Value = serde_json::from_str(&out.stdout).unwrap();
    let source = &report["sources"][0];
    assert_eq!(
        [
            &source["source"],
            &source["outcome"],
            &source["connections"],
            &source["created"],
            &source["pages"],
            &source["error"]
        ],
        [
            &json!("hw-sim"),
            &json!("ok"),
            &json!(7),
            &json!(7),
            // The VPN gateways, 3 pages of customer gateways and 3 of
            // connections (page_size 3).
            &json!(7),
            &Value::Null
        ]
    );
    let store = Store::open(&dir.path().join("history.db")).unwrap();
    let mut stored: Vec<String> = rows(&store, "SELECT connection_id FROM connections ORDER BY 1")
        .into_iter()
        .flatten()
        .collect();
    stored.sort();
    assert_eq!(stored, sorted_ids(&sim));
}

#[test]
fn a_failed_source_names_itself_the_url_and_the_cause() {
    let sim = sim(4);
    let dir = tempfile::tempdir().unwrap();
    write_config(dir.path(), &sim);

    let out = run(
        dir.path(),
        &["collect", "--source", "hw-sim"],
        "wrong-secret-value",
    );
    assert_eq!(out.code, 1, "{}{}", out.stdout, out.stderr);
    let line = out.stdout.lines().nth(1).unwrap();
    assert!(
        line.starts_with("  hw-sim (huaweicloud): FAILED after "),
        "{line}"
    );
    assert!(
        line.contains(&format!(
            "and 0 pages: authentication failed: {}/v5/{DEMO_PROJECT_ID}/vpn-gateways: HTTP 401 APIGW.0301",
            sim.url()
        )),
        "{line}"
    );
    assert!(line.contains("secret_key (from env HW_SK)"), "{line}");
    for text in [&out.stdout, &out.stderr] {
        assert!(!text.contains("wrong-secret-value") && !text.contains(DEMO_SECRET_KEY));
    }

    sim.with_estate(|estate| {
        estate.insert(json!({"id": "x1", "name": ["not", "a", "name"], "created_at": "2000-01-01T00:00:00.000Z"}));
        estate.insert(json!({"id": {}, "created_at": "2000-01-01T00:00:00.000Z"}));
    });
    let out = run(dir.path(), &["collect"], DEMO_SECRET_KEY);
    assert_eq!(out.code, 1, "{}{}", out.stdout, out.stderr);
    let line = out.stdout.lines().nth(1).unwrap();
    assert!(
        line.ends_with(&format!(
            // The VPN gateways, 2 pages of customer gateways, 3 of connections.
            "and 6 pages: {}/v5/{DEMO_PROJECT_ID}/vpn-connection?limit=3&marker={}: not a huaweicloud response body: \
             $.vpn_connections[1].id: missing connection id (a non-empty string)",
            sim.url(),
            sim.with_estate(|estate| estate.connections[2]["created_at"].as_str().unwrap().replace(':', "%3A"))
        )),
        "{line}"
    );
    let store = Store::open(&dir.path().join("history.db")).unwrap();
    assert_eq!(rows(&store, "SELECT count(*) FROM versions"), [["0"]]);
}
