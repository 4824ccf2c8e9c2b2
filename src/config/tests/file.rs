//! Locating and reading the file, the top-level keys, and the file as a whole.

use super::*;

// ---- locating and reading the file ----

#[test]
fn locate_prefers_the_flag_then_the_variable_then_the_current_folder() {
    let flag = Path::new("/a/flag.toml");
    let variable = std::ffi::OsStr::new("/b/env.toml");
    assert_eq!(
        locate(Some(flag), Some(variable)),
        PathBuf::from("/a/flag.toml")
    );
    assert_eq!(locate(None, Some(variable)), PathBuf::from("/b/env.toml"));
    assert_eq!(
        locate(None, Some(std::ffi::OsStr::new(""))),
        PathBuf::from("vpnsnap.toml")
    );
    assert_eq!(locate(None, None), PathBuf::from("vpnsnap.toml"));
}

#[test]
fn a_missing_file_is_not_found_and_a_folder_is_a_read_error() {
    let dir = tempfile::tempdir().unwrap();
    let missing = load(&dir.path().join("vpnsnap.toml"), &env).unwrap_err();
    assert!(missing.is_not_found());
    assert_contains(&missing.to_string(), "vpnsnap.toml not found");

    let folder = load(dir.path(), &env).unwrap_err();
    assert!(!folder.is_not_found());
    assert!(matches!(folder, ConfigError::Read { .. }), "{folder:?}");
}

#[test]
fn load_reads_the_file_and_resolves_against_its_folder() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("vpnsnap.toml");
    fs::write(&path, "database = \"db/history.db\"\n").unwrap();
    let config = load(&path, &env).unwrap();
    assert_eq!(config.path, path);
    assert_eq!(config.database, dir.path().join("db/history.db"));
}

// ---- top-level keys ----

#[test]
fn an_empty_file_gives_the_defaults() {
    let config = load_ok("");
    assert_eq!(config.path, PathBuf::from(PATH));
    assert_eq!(config.database, PathBuf::from("/etc/vpnsnap/vpnsnap.db"));
    assert!(config.schedule.is_none());
    assert!(config.fingerprint_key.is_none());
    assert!(config.sources.is_empty());
}

#[test]
fn top_level_keys_resolve() {
    let config = load_ok(
        r#"
database = "data/vpnsnap.db"
schedule = "0 */15 * * * *"
fingerprint_key = { env = "VPNSNAP_FINGERPRINT_KEY" }
"#,
    );
    assert_eq!(
        config.database,
        PathBuf::from("/etc/vpnsnap/data/vpnsnap.db")
    );
    assert_eq!(
        config.schedule.as_ref().map(|schedule| schedule.source()),
        Some("0 */15 * * * *")
    );
    let key = config.fingerprint_key.as_ref().unwrap();
    assert_eq!(key.expose_secret(), "fingerprint-key-value");
    assert_eq!(
        key.origin(),
        &Origin::Env("VPNSNAP_FINGERPRINT_KEY".to_string())
    );

    let absolute = load_ok("database = \"/var/lib/vpnsnap/v.db\"");
    assert_eq!(absolute.database, PathBuf::from("/var/lib/vpnsnap/v.db"));
}

#[test]
fn a_bad_cron_expression_is_refused_with_the_reason() {
    let five_fields = load_err("schedule = \"*/15 * * * *\"");
    assert_contains(
        &five_fields,
        "vpnsnap.toml:1: \"schedule\": \"*/15 * * * *\" is not a valid cron expression: it has 5 fields, and 6 or 7 are needed",
    );
    let bad_minute = load_err("\nschedule = \"0 61 * * * *\"");
    assert_contains(
        &bad_minute,
        "vpnsnap.toml:2: \"schedule\": \"0 61 * * * *\" is not a valid cron expression: ",
    );
    assert_contains(&bad_minute, "('61' specified.)");
}

#[test]
fn unknown_top_level_keys_are_named_with_a_suggestion() {
    let message = load_err("\n\ndatabse = \"x.db\"");
    assert_eq!(
        message,
        "vpnsnap.toml:3: unknown key \"databse\" (did you mean \"database\"? \
         top-level keys: database, schedule, fingerprint_key, max_concurrency, max_retries, \
         timeout_seconds, source_deadline_seconds, max_response_bytes, max_pages, max_objects, max_referenced_bytes, metrics_file, source)"
    );
}

#[test]
fn a_top_level_key_after_a_source_gets_a_hint() {
    let message = load_err(&format!("{HUAWEI}schedule = \"0 0 * * * *\"\n"));
    assert_contains(
        &message,
        "vpnsnap.toml:9: source \"hw\": unknown key \"schedule\" (keys for huaweicloud: name, kind, region, endpoint, \
         project_id, access_key, secret_key, security_token, auth_token, vgw_id, vgw_ip, enterprise_project_id, \
         page_size, resolve_gateways, ca_file, tls_roots); top-level keys go before the first [[source]]",
    );
}

#[test]
fn toml_syntax_errors_keep_the_message_and_give_the_line() {
    let message = load_err("database = \"x.db\"\n\n[[source]]\nname = \"unterminated\n");
    assert_eq!(
        message,
        "vpnsnap.toml:4: invalid TOML: invalid basic string, expected `\"`"
    );
    let duplicate = load_err("database = \"a\"\ndatabase = \"b\"\n");
    assert_eq!(duplicate, "vpnsnap.toml:2: invalid TOML: duplicate key");
}

// ---- the whole file ----

#[test]
fn the_example_fixture_loads_all_four_kinds() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/config/valid.toml");
    let config = load(&path, &env).unwrap();
    let names: Vec<(&str, ProviderKind)> = config
        .sources
        .iter()
        .map(|source| (source.name.as_str(), source.kind))
        .collect();
    assert_eq!(
        names,
        [
            ("hw-cn-north-4", ProviderKind::HuaweiCloud),
            ("os-region-one", ProviderKind::OpenStack),
            ("tc-guangzhou", ProviderKind::Tencent),
            ("tc-legacy-shanghai", ProviderKind::TencentLegacy),
        ]
    );
    assert_eq!(config.database, path.with_file_name("data/vpnsnap.db"));
    assert_eq!(huawei(&config.sources[0]).page_size, 500);
    assert_eq!(
        openstack(&config.sources[1]).interface,
        openstack::Interface::Internal
    );
    assert_eq!(
        tencent(&config.sources[2]).vpc_id.as_deref(),
        Some("vpc-2at5y1pn")
    );
    assert_eq!(
        config.sources[3].endpoint_or_default().as_deref(),
        Some("https://vpc.api.qcloud.example/v2/index.php")
    );
}

#[test]
fn every_problem_of_the_file_is_reported_in_file_order() {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/config/invalid-typo.toml");
    let error = load(&path, &env).unwrap_err();
    let lines: Vec<(usize, Option<&str>, Option<&str>)> = error
        .problems()
        .iter()
        .map(|problem| {
            (
                problem.line,
                problem.source_label.as_deref(),
                problem.key.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        lines,
        [
            (11, Some("source \"hw-cn-north-4\""), Some("pagesize")),
            (18, Some("source \"tc-guangzhou\""), Some("secret_key")),
            (21, Some("source \"hw-cn-north-4\""), Some("name")),
        ]
    );
    let message = error.to_string();
    assert_eq!(message.lines().count(), 3);
    assert!(!message.contains("do-not-write-me-here"));
    assert!(
        message.starts_with(&format!("{}:11: ", path.display())),
        "{message}"
    );
}

#[test]
fn odd_documents_are_errors_not_panics() {
    let cases = [
        (
            "source = 1",
            "vpnsnap.toml:1: \"source\": must be an array of tables ([[source]]), not an integer",
        ),
        (
            "source = [1]",
            "vpnsnap.toml:1: \"source\": must be an array of tables ([[source]]), not an integer",
        ),
        (
            "[source]\nname = \"a\"",
            "vpnsnap.toml:1: \"source\": must be an array of tables ([[source]]), not a table",
        ),
        (
            "database = 1",
            "vpnsnap.toml:1: \"database\": must be a string, not an integer",
        ),
        (
            "database = \"\"",
            "vpnsnap.toml:1: \"database\": must not be empty",
        ),
        (
            "schedule = true",
            "vpnsnap.toml:1: \"schedule\": must be a string, not a boolean",
        ),
        (
            "fingerprint_key = []",
            "vpnsnap.toml:1: \"fingerprint_key\": must be { env = \"VAR\" } or { file = \"PATH\" }, not an array",
        ),
        (
            "[[source]]",
            "vpnsnap.toml:1: [[source]] #1: missing required key \"name\"",
        ),
        (
            "[[source]]\nname = 1",
            "vpnsnap.toml:2: [[source]] #1: \"name\": must be a string, not an integer",
        ),
        (
            "[[source]]\nname = \"a\"\nkind = \"tencent\"\nregion = 1979-05-27",
            "vpnsnap.toml:4: source \"a\": \"region\": must be a string, not a datetime",
        ),
    ];
    for (text, expected) in cases {
        assert_eq!(load_err(text), expected, "for {text}");
    }
    assert!(load_from_str("\u{feff}", Path::new("vpnsnap.toml"), &env).is_ok());
    for text in [
        "a.b.c = 1",
        "x = \"\\u0000\"",
        "[[source]]\n[[source]]",
        "= 1",
        "\"\" = 1",
    ] {
        assert!(
            load_from_str(text, Path::new("vpnsnap.toml"), &env).is_err(),
            "for {text:?}"
        );
    }
}

#[test]
fn finish_refuses_a_known_key_that_was_never_read() {
    let text = "used = \"a\"\nasked = \"b\"\n";
    let document = toml::de::DeTable::parse(text).unwrap();
    let ctx = Context {
        text,
        file: "vpnsnap.toml".to_string(),
        dir: PathBuf::from("/etc/vpnsnap"),
        env: &env,
        top_level_keys: &TOP_LEVEL_KEYS,
    };
    let mut keys = SourceKeys::new(
        &ctx,
        document.get_ref(),
        document.span(),
        Some("source \"s\"".to_string()),
        "keys for a test".to_string(),
        "S".to_string(),
    );
    assert_eq!(keys.optional_text("used").unwrap().as_deref(), Some("a"));
    assert!(keys.has("asked"));
    let message = keys.finish().unwrap_err().to_string();
    assert_eq!(
        message,
        "vpnsnap.toml:2: source \"s\": \"asked\" is not used with the other keys given here; remove it"
    );
}

#[test]
fn runtime_keys_are_read_with_defaults_and_ranges() {
    let config = load_ok(
        "max_concurrency = 2\nmax_retries = 0\ntimeout_seconds = 5\n\
         source_deadline_seconds = 60\nmax_response_bytes = 1048576\n\
         max_referenced_bytes = 33554432\nmetrics_file = \"metrics/vpnsnap.prom\"",
    );
    assert_eq!(
        config.runtime,
        RuntimeSettings {
            max_concurrency: 2,
            max_retries: 0,
            timeout_seconds: 5,
            source_deadline_seconds: 60,
            max_response_bytes: 1_048_576,
            max_pages: 20_000,
            max_objects: 100_000,
            max_referenced_bytes: 33_554_432,
            metrics_file: Some(PathBuf::from("/etc/vpnsnap/metrics/vpnsnap.prom")),
        }
    );
    assert_eq!(load_ok("").runtime, RuntimeSettings::default());
    assert_eq!(
        u64::from(RuntimeSettings::default().max_response_bytes),
        crate::http::DEFAULT_MAX_RESPONSE_BYTES
    );
    assert_eq!(
        u64::from(RuntimeSettings::default().max_referenced_bytes),
        crate::listing::DEFAULT_MAX_REFERENCED_BYTES
    );
    assert_eq!(
        load_err("max_referenced_bytes = 0"),
        "vpnsnap.toml:1: \"max_referenced_bytes\": must be an integer of at least 1024, not 0"
    );
    assert_eq!(
        load_err("max_response_bytes = 1000"),
        "vpnsnap.toml:1: \"max_response_bytes\": must be an integer of at least 1024, not 1000"
    );
    assert_eq!(
        load_err("max_concurrency = 0"),
        "vpnsnap.toml:1: \"max_concurrency\": must be an integer from 1 to 64, not 0"
    );
}
