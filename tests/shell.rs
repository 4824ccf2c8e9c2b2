//! Shell conventions through the binary (issue 18, items 6 to 8): `--color`
//! and `NO_COLOR`, tables aligned by display width, completions and the man
//! page.

use std::path::Path;
use std::process::Command;

use crate::support::*;

const ESCAPE: &str = "\u{1b}[";

/// An import that logs a warning (the endpoint group names a subnet whose
/// body is not imported), with `extra` before `import`.
fn warning_import(dir: &Path, extra: &[&str]) -> Vec<String> {
    let openstack = fixture("openstack");
    let mut args: Vec<String> = extra.iter().map(ToString::to_string).collect();
    args.extend(
        [
            "--db",
            "h.db",
            "import",
            "--kind",
            "openstack",
            "--source",
            "os",
        ]
        .map(String::from),
    );
    for file in [
        "003_list.json",
        "ikepolicies.json",
        "ipsecpolicies.json",
        "vpnservices.json",
        "endpoint_groups.json",
    ] {
        args.push(openstack.join(file).to_string_lossy().into_owned());
    }
    let _ = std::fs::remove_file(dir.join("h.db"));
    args
}

#[test]
fn color_always_and_never_are_obeyed() {
    let dir = tempfile::tempdir().unwrap();
    let run = |flag: &str| {
        let args = warning_import(dir.path(), &["--color", flag]);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let output = vpnsnap(dir.path(), &args);
        assert_eq!(output.code, 0, "{}", output.stderr);
        assert!(output.stderr.contains(" WARN"), "{}", output.stderr);
        output.stderr
    };
    assert!(run("always").contains(ESCAPE));
    assert!(!run("never").contains(ESCAPE));
    assert!(!run("auto").contains(ESCAPE), "not a terminal");
    let bad = vpnsnap(dir.path(), &["--color", "sometimes", "query", "--list"]);
    assert_eq!(bad.code, 2, "{}", bad.stderr);
}

/// Runs the binary on a pseudo-terminal (util-linux `script`), `None` where
/// there is none.
fn on_a_terminal(dir: &Path, env: &str, args: &[String]) -> Option<String> {
    let available = Command::new("script").arg("--version").output();
    if !available.is_ok_and(|output| output.status.success()) {
        eprintln!("skipped: no util-linux script(1) for a pseudo-terminal");
        return None;
    }
    let quoted: Vec<String> = std::iter::once(env!("CARGO_BIN_EXE_vpnsnap").to_string())
        .chain(args.iter().cloned())
        .map(|arg| format!("'{}'", arg.replace('\'', "'\\''")))
        .collect();
    let output = Command::new("script")
        .args(["-qec", &format!("{env} {}", quoted.join(" ")), "/dev/null"])
        .current_dir(dir)
        .env_remove("NO_COLOR")
        .env_remove("RUST_LOG")
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    Some(String::from_utf8_lossy(&output.stdout).into_owned())
}

#[test]
fn no_color_is_honoured_on_a_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let args = warning_import(dir.path(), &[]);
    let Some(coloured) = on_a_terminal(dir.path(), "env", &args) else {
        return;
    };
    assert!(
        coloured.contains(" WARN") && coloured.contains(ESCAPE),
        "{coloured}"
    );
    let args = warning_import(dir.path(), &[]);
    let plain = on_a_terminal(dir.path(), "env NO_COLOR=1", &args).unwrap_or_default();
    assert!(
        plain.contains(" WARN") && !plain.contains(ESCAPE),
        "{plain}"
    );
    // --color always wins over NO_COLOR; help follows --color never.
    let args = warning_import(dir.path(), &["--color", "always"]);
    let forced = on_a_terminal(dir.path(), "env NO_COLOR=1", &args).unwrap_or_default();
    assert!(forced.contains(ESCAPE), "{forced}");
    let help = ["--color", "never", "--help"].map(String::from);
    let help = on_a_terminal(dir.path(), "env", &help).unwrap_or_default();
    assert!(help.contains("Usage:") && !help.contains(ESCAPE), "{help}");
}

#[test]
fn tables_align_chinese_names_by_display_width() {
    let dir = tempfile::tempdir().unwrap();
    crate::query::scripted(dir.path());
    let output = vpnsnap(
        dir.path(),
        &[
            "--db",
            "h.db",
            "sql",
            "--format",
            "table",
            "SELECT '北京-上海专线' AS name, 'DOWN' AS status UNION ALL SELECT 'vpn-1', 'ACTIVE'",
        ],
    );
    assert_eq!(output.code, 0, "{}", output.stderr);
    assert_eq!(
        output.stdout,
        "name           status\n\
         -------------  ------\n\
         北京-上海专线  DOWN\n\
         vpn-1          ACTIVE\n"
    );
}

#[test]
fn completions_for_every_shell_name_the_subcommands_and_flags() {
    let dir = tempfile::tempdir().unwrap();
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let output = vpnsnap(dir.path(), &["completions", shell]);
        assert_eq!(output.code, 0, "{shell}: {}", output.stderr);
        for word in ["vpnsnap", "observed-at", "completions", "color"] {
            assert!(output.stdout.contains(word), "{shell}: no {word}");
        }
        if ["bash", "zsh", "fish"].contains(&shell) {
            syntax_checked(shell, &output.stdout);
        }
    }
    let bad = vpnsnap(dir.path(), &["completions", "tcsh"]);
    assert_eq!(bad.code, 2, "{}", bad.stderr);
}

#[test]
fn man_prints_a_roff_page_with_the_subcommands() {
    let dir = tempfile::tempdir().unwrap();
    let output = vpnsnap(dir.path(), &["man"]);
    assert_eq!(output.code, 0, "{}", output.stderr);
    assert!(output.stdout.contains(".TH vpnsnap 1"), "{}", output.stdout);
    for section in [".SH NAME", ".SH SYNOPSIS", ".SH OPTIONS", ".SH SUBCOMMANDS"] {
        assert!(output.stdout.contains(section), "no {section}");
    }
    assert!(
        output.stdout.contains("vpnsnap\\-query(1)"),
        "{}",
        output.stdout
    );
}

/// `shell -n` reads `script` without running it, where `shell` is installed.
fn syntax_checked(shell: &str, script: &str) {
    use std::io::Write;
    let child = Command::new(shell)
        .arg("-n")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn();
    let Ok(mut child) = child else {
        eprintln!("{shell} not installed: its script's syntax not checked");
        return;
    };
    if let Some(mut stdin) = child.stdin.take() {
        stdin.write_all(script.as_bytes()).unwrap();
    }
    let result = child.wait_with_output().unwrap();
    assert!(
        result.status.success(),
        "{shell} -n: {}",
        String::from_utf8_lossy(&result.stderr)
    );
}
