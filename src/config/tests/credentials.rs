//! Identifiers and secrets: literal, from the environment, from files.

use super::*;

// ---- credentials ----

#[test]
fn a_literal_secret_is_refused_with_the_fix_and_without_the_value() {
    let message = load_err(&HUAWEI.replace("{ env = \"HW_SECRET_KEY\" }", "\"s3cr3t-literal\""));
    assert_eq!(
        message,
        "vpnsnap.toml:8: source \"hw\": \"secret_key\": is a secret and cannot be written in the config file; \
         write secret_key = { env = \"HW_SECRET_KEY\" } or secret_key = { file = \"/path/to/file\" }"
    );
    let fingerprint = load_err("fingerprint_key = \"s3cr3t-literal\"");
    assert_contains(
        &fingerprint,
        "fingerprint_key = { env = \"VPNSNAP_FINGERPRINT_KEY\" }",
    );
    assert!(!fingerprint.contains("s3cr3t-literal"));
}

#[test]
fn missing_variables_and_unreadable_files_are_named() {
    let unset = load_err(&HUAWEI.replace("HW_SECRET_KEY", "HW_UNSET"));
    assert_eq!(
        unset,
        "vpnsnap.toml:8: source \"hw\": \"secret_key\": environment variable HW_UNSET is not set or is empty"
    );
    let empty = load_err(&HUAWEI.replace("HW_ACCESS_KEY", "EMPTY"));
    assert_eq!(
        empty,
        "vpnsnap.toml:7: source \"hw\": \"access_key\": environment variable EMPTY is not set or is empty"
    );
    let text = HUAWEI.replace("env = \"HW_SECRET_KEY\"", "file = \"missing/hw.sk\"");
    let file = load_from_str(&text, Path::new(PATH), &env)
        .unwrap_err()
        .to_string();
    assert_eq!(
        file,
        "/etc/vpnsnap/vpnsnap.toml:8: source \"hw\": \"secret_key\": \
         cannot read file /etc/vpnsnap/missing/hw.sk: No such file or directory (os error 2)",
    );
}

#[test]
fn empty_and_non_text_secret_files_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("empty"), " \n").unwrap();
    fs::write(dir.path().join("binary"), [0xff, 0xfe, 0x00]).unwrap();
    let path = dir.path().join("vpnsnap.toml");
    for (file, reason) in [("empty", "is empty"), ("binary", "it is not UTF-8 text")] {
        let text = HUAWEI.replace("env = \"HW_SECRET_KEY\"", &format!("file = \"{file}\""));
        let message = load_from_str(&text, &path, &env).unwrap_err().to_string();
        assert_contains(&message, &format!("{}", dir.path().join(file).display()));
        assert_contains(&message, reason);
    }
}

#[test]
fn values_from_the_environment_are_trimmed() {
    let config = load_ok(&HUAWEI.replace("HW_ACCESS_KEY", "PADDED"));
    let huaweicloud::Auth::AccessKey { access_key, .. } = &huawei(&config.sources[0]).auth else {
        panic!("expected AK/SK");
    };
    assert_eq!(access_key.as_str(), "padded-value");
}

#[test]
fn env_and_file_tables_are_checked() {
    let cases = [
        (
            "{ evn = \"X\" }",
            "\"secret_key\": unknown key \"evn\" (did you mean \"env\"? expected { env = \"VAR\" } or { file = \"PATH\" })",
        ),
        (
            "{ env = \"X\", file = \"y\" }",
            "\"secret_key\": give env or file, not both",
        ),
        (
            "{}",
            "\"secret_key\": expected { env = \"VAR\" } or { file = \"PATH\" }, not an empty table",
        ),
        (
            "{ env = 3 }",
            "\"secret_key\": env must be a non-empty string",
        ),
        (
            "{ env = \"\" }",
            "\"secret_key\": env must be a non-empty string",
        ),
        (
            "42",
            "\"secret_key\": must be { env = \"VAR\" } or { file = \"PATH\" }, not an integer",
        ),
    ];
    for (value, expected) in cases {
        let message = load_err(&HUAWEI.replace("{ env = \"HW_SECRET_KEY\" }", value));
        assert_eq!(
            message,
            format!("vpnsnap.toml:8: source \"hw\": {expected}"),
            "for {value}"
        );
    }
}

#[test]
fn errors_never_show_a_secret() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("vpnsnap.toml");
    fs::write(dir.path().join("hw.sk"), "file-secret-value\n").unwrap();
    // Secrets that resolve, in a file whose every source then fails.
    let text = r#"fingerprint_key = { env = "VPNSNAP_FINGERPRINT_KEY" }
[[source]]
name = "hw"
kind = "huaweicloud"
region = "cn-north-4"
project_id = "p"
access_key = { env = "HW_ACCESS_KEY" }
secret_key = { file = "hw.sk" }
bogus = 1
[[source]]
name = "tc"
kind = "tencent"
region = "r"
secret_id = "id"
secret_key = { env = "TC_SECRET_KEY" }
page_size = { env = "TC_TOKEN" }
"#;
    let message = load_from_str(text, &path, &env).unwrap_err().to_string();
    assert_eq!(message.lines().count(), 2, "{message}");
    for secret in SECRET_VALUES {
        assert!(!message.contains(secret), "{secret} shown in:\n{message}");
    }
}
