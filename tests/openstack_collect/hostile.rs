//! A hostile or broken Neutron through `vpnsnap collect`: an issued
//! Keystone token a server echoes in an error body reaches neither the
//! output, the logs nor the database.

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
