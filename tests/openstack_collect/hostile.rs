//! A hostile or broken Neutron through `vpnsnap collect`: referenced
//! collections that never end stop at `max_referenced_bytes` without a
//! deletion, and an issued Keystone token a server echoes in an error body
//! reaches neither the output, the logs nor the database.

use super::*;

/// Writes a config of one source `os` against `sim` with `top` as the
/// top-level keys, and returns the command running `vpnsnap collect`.
fn configure(dir: &Path, sim: &OpenStackSim, top: &str) -> impl Fn() -> Output {
    let config = format!(
        "{top}[[source]]\nname = \"os\"\nkind = \"openstack\"\nregion = \"RegionOne\"\n{}",
        password_keys(sim)
    );
    std::fs::write(dir.join("vpnsnap.toml"), config).unwrap();
    let dir = dir.to_path_buf();
    move || {
        vpnsnap_with_env(
            &dir,
            &["-vv", "collect", "--format", "json"],
            &[(PASSWORD_ENV, DEMO_PASSWORD)],
        )
    }
}

fn only_source(output: &Output) -> Value {
    let summary: Value = serde_json::from_str(&output.stdout)
        .unwrap_or_else(|_| panic!("{}\n{}", output.stdout, output.stderr));
    summary["sources"][0].clone()
}

#[test]
fn endless_referenced_collections_stop_at_the_memory_limit_and_delete_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let top = "max_referenced_bytes = 1048576\n";
    let sim = OpenStackSim::start(OpenStackSimConfig::default()).unwrap();
    let output = configure(dir.path(), &sim, top)();
    assert_eq!(output.code, 0, "{}\n{}", output.stdout, output.stderr);
    assert_eq!(only_source(&output)["created"].as_u64(), Some(3));

    // The same project behind a server whose IKE policies never end, each
    // with 4 KiB of description: a little over 4 KiB of text held each, so
    // the third page of 100 passes 1 MiB, long before max_objects (100,000).
    let endless = OpenStackSim::start(OpenStackSimConfig {
        paging: Paging::Endless { padding: 4096 },
        ..OpenStackSimConfig::default()
    })
    .unwrap();
    let output = configure(dir.path(), &endless, top)();
    assert_eq!(output.code, 1, "{}\n{}", output.stdout, output.stderr);
    let failed = only_source(&output);
    let expected = format!(
        "the referenced objects (OpenStack policies, vpnservices, endpoint groups, subnets; Huawei \
         Cloud gateways) of one listing take more than 1048576 bytes of memory (max_referenced_bytes) after {}{IKEPOLICIES}\
         ?limit=100&marker=endless-199: the server's collections are too large or do not end",
        endless.url()
    );
    assert_eq!(
        (
            failed["outcome"].as_str(),
            failed["error_class"].as_str(),
            failed["error"].as_str(),
            failed["deleted"].as_u64()
        ),
        (
            Some("failed"),
            Some("too_large"),
            Some(expected.as_str()),
            Some(0)
        )
    );
    // The login and three pages, and at most what the fetch could take
    // while the listing's thread normalized the third: the 4 bodies the
    // channel holds and one being read. Nothing after the listing failed.
    let requests = endless.requests();
    assert!((4..=9).contains(&requests.len()), "{requests:#?}");
    assert!(
        requests[1..]
            .iter()
            .all(|request| request.starts_with(&format!("GET {IKEPOLICIES}")))
    );

    let store = Store::open(&dir.path().join("vpnsnap.db")).unwrap();
    assert_eq!(
        rows(
            &store,
            "SELECT run_id, outcome, error FROM run_sources ORDER BY run_id"
        ),
        [
            ["1".to_string(), "ok".to_string(), "NULL".to_string()],
            ["2".to_string(), "failed".to_string(), expected]
        ]
    );
    assert_eq!(
        rows(&store, "SELECT count(*) FROM current_connections"),
        [["3"]]
    );
    assert_eq!(
        rows(
            &store,
            "SELECT count(*) FROM versions WHERE event = 'deleted'"
        ),
        [["0"]]
    );
}

#[test]
fn an_issued_token_echoed_in_an_error_body_is_kept_out_of_every_output() {
    let sim = OpenStackSim::start(OpenStackSimConfig::default()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let collect = configure(dir.path(), &sim, "");
    // Request 1 is the login; 2 lists the IKE policies, with the token.
    sim.echo_token_on_request(2);
    let output = collect();
    assert_eq!(output.code, 1, "{}\n{}", output.stdout, output.stderr);
    let failed = only_source(&output);
    let error = failed["error"].as_str().unwrap();
    assert_eq!(
        error,
        format!(
            "request refused: GET {}{IKEPOLICIES}: HTTP 400 Bad Request: InvalidInput: Invalid \
             input for operation: token [redacted] is not valid here.",
            sim.url()
        )
    );
    let tokens = sim.issued_tokens();
    assert_eq!(tokens.len(), 1);
    let token = &tokens[0];
    assert!(token.len() >= 32, "{token}");
    assert!(!output.stdout.contains(token.as_str()), "{}", output.stdout);
    assert!(!output.stderr.contains(token.as_str()), "{}", output.stderr);
    assert!(
        output.stderr.contains("token [redacted] is not valid here"),
        "{}",
        output.stderr
    );
    let database = dir.path().join("vpnsnap.db");
    let store = Store::open(&database).unwrap();
    assert_eq!(rows(&store, "SELECT error FROM run_sources"), [[error]]);
    drop(store);
    assert!(!contains(&database_bytes(&database), token));
}
