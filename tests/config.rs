//! The config through the binary: `config check`, errors with exit code 2,
//! and `import` taking kind, region and database from the config.

use crate::support::*;

const CONFIG: &str = r#"database = "history/vpn.db"
fingerprint_key = { file = "fp.key" }

[[source]]
name = "tcl"
kind = "tencent-legacy"
region = "gz"
secret_id = "AKIDexample"
secret_key = { env = "VPNSNAP_TEST_TC_SECRET" }
"#;

fn with_secret(dir: &std::path::Path, args: &[&str]) -> Output {
    vpnsnap_with_env(
        dir,
        args,
        &[("VPNSNAP_TEST_TC_SECRET", "Tc-Secret-Value-77")],
    )
}

fn setup() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("vpnsnap.toml"), CONFIG).unwrap();
    std::fs::write(dir.path().join("fp.key"), "Fingerprint-Key-Value-99\n").unwrap();
    std::fs::create_dir(dir.path().join("history")).unwrap();
    dir
}

#[test]
fn config_check_shows_secrets_as_stars() {
    let dir = setup();
    let output = with_secret(dir.path(), &["config", "check"]);
    assert_eq!(output.code, 0, "{}", output.stderr);
    assert!(output.stdout.contains("***"), "{}", output.stdout);
    assert!(output.stdout.contains("AKIDexample"), "{}", output.stdout);
    for secret in ["Tc-Secret-Value-77", "Fingerprint-Key-Value-99"] {
        assert!(
            !output.stdout.contains(secret) && !output.stderr.contains(secret),
            "config check printed {secret}"
        );
    }
}

#[test]
fn a_literal_secret_is_a_configuration_error_naming_line_source_and_key() {
    let dir = setup();
    let config = CONFIG.replace(
        r#"secret_key = { env = "VPNSNAP_TEST_TC_SECRET" }"#,
        r#"secret_key = "Literal-Secret-5""#,
    );
    std::fs::write(dir.path().join("vpnsnap.toml"), config).unwrap();
    let output = with_secret(dir.path(), &["config", "check"]);
    assert_eq!(output.code, 2);
    assert!(
        output.stderr.contains("vpnsnap.toml:9:"),
        "{}",
        output.stderr
    );
    assert!(output.stderr.contains("\"tcl\""), "{}", output.stderr);
    assert!(output.stderr.contains("secret_key"), "{}", output.stderr);
    assert!(output.stderr.contains("{ env = "), "{}", output.stderr);
    assert!(
        !output.stderr.contains("Literal-Secret-5"),
        "{}",
        output.stderr
    );
}

#[test]
fn import_takes_kind_region_database_and_key_from_the_config() {
    let dir = setup();
    let file = fixture("tencent-legacy/004_list.json")
        .display()
        .to_string();
    let output = with_secret(
        dir.path(),
        &[
            "import",
            "--source",
            "tcl",
            "--observed-at",
            "2026-11-01T00:00:00Z",
            &file,
        ],
    );
    assert_eq!(output.code, 0, "{}", output.stderr);
    assert!(
        output
            .stdout
            .contains("tcl (tencent-legacy): ok, 3 connections: 3 created"),
        "{}",
        output.stdout
    );
    let database = dir.path().join("history/vpn.db");
    let store = vpnsnap::store::Store::open(&database).unwrap();
    assert_eq!(
        rows(&store, "SELECT DISTINCT region FROM current_connections"),
        vec![vec!["gz"]]
    );
    assert!(!vpnsnap::fingerprint::PskFingerprinter::key_file_for(&database).exists());
    let expected = vpnsnap::fingerprint::PskFingerprinter::new(b"Fingerprint-Key-Value-99")
        .fingerprint("tencent");
    assert_eq!(
        rows(
            &store,
            "SELECT DISTINCT psk_fingerprint FROM current_connections"
        ),
        vec![vec![expected]]
    );
}

#[test]
fn a_named_config_that_does_not_exist_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let output = vpnsnap(dir.path(), &["--config", "missing.toml", "config", "check"]);
    assert_eq!(output.code, 2, "{}", output.stderr);
    assert!(output.stderr.contains("missing.toml"), "{}", output.stderr);
}

#[test]
fn a_secret_file_others_may_read_is_warned_about_once() {
    use std::os::unix::fs::PermissionsExt;
    let dir = setup();
    let key = dir.path().join("fp.key");
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o644)).unwrap();
    let output = with_secret(dir.path(), &["config", "check"]);
    assert_eq!(output.code, 0, "{}", output.stderr);
    let warning = format!(
        "{}: holds a secret but is readable by its group and others (mode 644); chmod 600 it",
        key.display()
    );
    assert_eq!(
        output.stderr.matches(&warning).count(),
        1,
        "{}",
        output.stderr
    );

    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o600)).unwrap();
    let output = with_secret(dir.path(), &["config", "check"]);
    assert_eq!(output.code, 0, "{}", output.stderr);
    assert!(!output.stderr.contains("chmod 600"), "{}", output.stderr);
}
