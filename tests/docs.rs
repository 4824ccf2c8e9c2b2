//! What the README and the repository's scripts promise a new user (issue
//! 18, item 14): the README's config example works copied verbatim, the
//! files `vpnsnap demo` leaves in the current folder are ignored by git, and
//! `tests/fixtures/import-seeds.sh` imports without a warning.

use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The first fenced block of `language` after the line `heading` in the README.
fn readme_block(heading: &str, language: &str) -> String {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let (_, after) = readme.split_once(&format!("\n{heading}\n")).unwrap();
    let (_, block) = after.split_once(&format!("```{language}\n")).unwrap();
    block.split_once("```").unwrap().0.to_string()
}

fn run(dir: &Path, command: &mut Command) -> (i32, String, String) {
    let output = command
        .current_dir(dir)
        .env_remove("VPNSNAP_CONFIG")
        .env_remove("RUST_LOG")
        .env_remove("VPNSNAP_FINGERPRINT_KEY")
        .output()
        .unwrap();
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn the_readmes_config_example_loads_as_written() {
    let dir = tempfile::tempdir().unwrap();
    let example = readme_block("## Configuration: `vpnsnap.toml`", "toml");
    // The one thing the example cannot make true here: its secret file.
    let secret_file = dir.path().join("hw.sk");
    std::fs::write(&secret_file, "Hw-Secret-Key-Value\n").unwrap();
    assert!(example.contains("\"/etc/vpnsnap/hw.sk\""), "{example}");
    let config = example.replace("/etc/vpnsnap/hw.sk", &secret_file.to_string_lossy());
    std::fs::write(dir.path().join("vpnsnap.toml"), config).unwrap();
    let (code, stdout, stderr) = run(
        dir.path(),
        Command::new(env!("CARGO_BIN_EXE_vpnsnap"))
            .args(["config", "check"])
            .env("HW_ACCESS_KEY", "HWACCESSKEYEXAMPLE"),
    );
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stdout.contains("fingerprint_key not set: the key file beside the database is used"),
        "{stdout}"
    );
}

#[test]
fn the_demos_files_are_ignored_by_git() {
    let root = root();
    let (code, _, stderr) = run(&root, Command::new("git").args(["rev-parse", "--git-dir"]));
    if code != 0 {
        eprintln!("skipped: not a git checkout ({stderr})");
        return;
    }
    for path in [
        "vpnsnap-demo.toml",
        "vpnsnap-demo.toml.secrets/huaweicloud-secret-key",
        "vpnsnap-demo.db",
        "vpnsnap-demo.db-wal",
        "vpnsnap-demo.db.fingerprint-key",
        "vpnsnap-demo.db.lock",
    ] {
        let (code, _, stderr) = run(
            &root,
            Command::new("git").args(["check-ignore", "--no-index", "-q", path]),
        );
        assert_eq!(code, 0, "{path} is not ignored by git {stderr}");
    }
}

#[test]
fn the_seeds_script_imports_without_warnings() {
    let dir = tempfile::tempdir().unwrap();
    let database = dir.path().join("seeds.db");
    let (code, stdout, stderr) = run(
        dir.path(),
        Command::new("bash")
            .arg(root().join("tests/fixtures/import-seeds.sh"))
            .arg(&database)
            .env("VPNSNAP", env!("CARGO_BIN_EXE_vpnsnap")),
    );
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    assert_eq!(stderr, "", "{stdout}");
    assert_eq!(stdout.matches("run ").count(), 7, "{stdout}");
    assert!(!stdout.contains("warnings"), "{stdout}");
}
