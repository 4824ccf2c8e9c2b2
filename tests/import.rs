//! `vpnsnap import` through the binary: the seeds' examples, re-imports,
//! bad input, policy edits, PSK rotations and secrets.

use std::path::Path;

use serde_json::{Value, json};

use crate::support::*;

fn fixture_arg(path: &str) -> String {
    fixture(path).display().to_string()
}

fn import(dir: &Path, source: &str, kind: &str, observed_at: &str, files: &[String]) -> Output {
    let mut args = vec![
        "--db",
        "h.db",
        "import",
        "--source",
        source,
        "--kind",
        kind,
        "--observed-at",
        observed_at,
    ];
    args.extend(files.iter().map(String::as_str));
    vpnsnap(dir, &args)
}

/// The referenced objects' bodies, the subnets included.
fn openstack_related() -> Vec<String> {
    [
        "ikepolicies",
        "ipsecpolicies",
        "vpnservices",
        "endpoint_groups",
        "subnets",
    ]
    .iter()
    .map(|name| fixture_arg(&format!("openstack/{name}.json")))
    .collect()
}

#[test]
fn openstack_subnet_ids_resolve_to_cidrs_only_with_the_subnets_body() {
    let dir = tempfile::tempdir().unwrap();
    let store_rows = |dir: &Path| {
        rows(
            &open(dir),
            "SELECT local_subnets, peer_subnets FROM current_connections",
        )
    };
    // Without the subnets body the local side is unknown: absent, with a
    // warning naming the subnet, never the id in place of a CIDR.
    let mut without: Vec<String> = vec![fixture_arg("openstack/003_list.json")];
    without.extend(
        openstack_related()
            .into_iter()
            .filter(|file| !file.ends_with("subnets.json")),
    );
    let output = import(
        dir.path(),
        "os",
        "openstack",
        "2026-11-01T00:00:00Z",
        &without,
    );
    assert_eq!(output.code, 0, "{}", output.stderr);
    assert!(
        output.stdout.contains(
            "ok, 1 connections: 1 created, 0 changed, 0 deleted, 0 recreated, 0 unchanged, 1 warnings"
        ),
        "{}",
        output.stdout
    );
    assert!(
        output.stderr.contains(
            "local_ep_group.endpoints: subnet a0ab1a4b-3d5c-4e33-9d0f-3c1a5f0c7b2e was not among \
             the collected subnets (deleted, or no subnets body imported); local_subnets left out \
             of the model"
        ),
        "{}",
        output.stderr
    );
    assert_eq!(
        store_rows(dir.path()),
        [["NULL", r#"["10.2.0.0/24","10.2.1.0/24"]"#]]
    );

    // With it (a `{"subnets": [...]}` body among the files) the CIDR.
    let mut with = vec![fixture_arg("openstack/003_list.json")];
    with.extend(openstack_related());
    let output = import(dir.path(), "os", "openstack", "2026-11-01T01:00:00Z", &with);
    assert_eq!(output.code, 0, "{}", output.stderr);
    assert!(
        output.stdout.contains(
            "ok, 1 connections: 0 created, 1 changed, 0 deleted, 0 recreated, 0 unchanged\n"
        ),
        "{}",
        output.stdout
    );
    assert_eq!(
        store_rows(dir.path()),
        [[r#"["10.1.0.0/24"]"#, r#"["10.2.0.0/24","10.2.1.0/24"]"#]]
    );

    // A singular `{"subnet": {...}}` body (a show response) serves too.
    let subnet = dir.path().join("subnet.json");
    std::fs::write(
        &subnet,
        r#"{"subnet": {"id": "a0ab1a4b-3d5c-4e33-9d0f-3c1a5f0c7b2e", "cidr": "10.1.0.0/24"}}"#,
    )
    .unwrap();
    without.push(subnet.display().to_string());
    let output = import(
        dir.path(),
        "os",
        "openstack",
        "2026-11-01T02:00:00Z",
        &without,
    );
    assert_eq!(output.code, 0, "{}", output.stderr);
    assert!(
        output.stdout.contains(
            "ok, 1 connections: 0 created, 0 changed, 0 deleted, 0 recreated, 1 unchanged\n"
        ),
        "{}",
        output.stdout
    );
}

fn open(dir: &Path) -> vpnsnap::store::Store {
    vpnsnap::store::Store::open(&dir.join("h.db")).unwrap()
}

#[test]
fn every_seed_example_imports() {
    let dir = tempfile::tempdir().unwrap();
    let cases: Vec<(&str, &str, Vec<String>, &str)> = vec![
        (
            "hw",
            "huaweicloud",
            vec![fixture_arg("huaweicloud/001_list_all.json")],
            "ok, 2 connections: 2 created",
        ),
        (
            "hw",
            "huaweicloud",
            vec![fixture_arg("huaweicloud/001_list_by_vgw_ip.json")],
            "ok, 2 connections: 1 created",
        ),
        (
            "hw",
            "huaweicloud",
            vec![fixture_arg("huaweicloud/001_list_by_vgw_id.json")],
            "ok, 2 connections: 0 created",
        ),
        (
            "hw",
            "huaweicloud",
            vec![fixture_arg("huaweicloud/000_show_corrected.json")],
            "partial, 1 connections: 1 created",
        ),
        (
            "os",
            "openstack",
            [
                vec![fixture_arg("openstack/003_list.json")],
                openstack_related(),
            ]
            .concat(),
            "ok, 1 connections: 1 created",
        ),
        (
            "os",
            "openstack",
            [
                vec![fixture_arg("openstack/002_show.json")],
                openstack_related(),
            ]
            .concat(),
            "partial, 1 connections: 0 created",
        ),
        (
            "tcl",
            "tencent-legacy",
            vec![fixture_arg("tencent-legacy/004_list.json")],
            "ok, 3 connections: 3 created",
        ),
        (
            "tc",
            "tencent",
            vec![fixture_arg("tencent/describe_vpn_connections.json")],
            "ok, 3 connections: 3 created",
        ),
    ];
    for (hour, (source, kind, files, expected)) in cases.iter().enumerate() {
        let output = import(
            dir.path(),
            source,
            kind,
            &format!("2026-11-01T{hour:02}:00:00Z"),
            files,
        );
        assert_eq!(output.code, 0, "{source} {files:?}: {}", output.stderr);
        assert!(
            output.stdout.contains(expected),
            "{source} {files:?}: expected {expected:?} in {}",
            output.stdout
        );
    }
    let store = open(dir.path());
    assert_eq!(
        rows(
            &store,
            "SELECT source, count(*) FROM current_connections GROUP BY source ORDER BY source"
        ),
        vec![
            vec!["hw", "3"],
            vec!["os", "1"],
            vec!["tc", "3"],
            vec!["tcl", "3"]
        ]
    );
}

#[test]
fn reimporting_an_identical_snapshot_writes_no_versions() {
    let dir = tempfile::tempdir().unwrap();
    let files = [
        vec![fixture_arg("openstack/003_list.json")],
        openstack_related(),
    ]
    .concat();
    assert_eq!(
        import(
            dir.path(),
            "os",
            "openstack",
            "2026-11-01T00:00:00Z",
            &files
        )
        .code,
        0
    );
    let again = import(
        dir.path(),
        "os",
        "openstack",
        "2026-11-01T01:00:00Z",
        &files,
    );
    assert_eq!(again.code, 0, "{}", again.stderr);
    assert!(
        again.stdout.contains(
            "ok, 1 connections: 0 created, 0 changed, 0 deleted, 0 recreated, 1 unchanged"
        ),
        "{}",
        again.stdout
    );
    assert_eq!(
        rows(&open(dir.path()), "SELECT count(*) FROM versions"),
        vec![vec!["1"]]
    );
}

#[test]
fn the_seed_printed_with_a_syntax_error_is_refused_with_its_position() {
    let dir = tempfile::tempdir().unwrap();
    let file = fixture_arg("huaweicloud/000_show_as_printed.json");
    let output = import(
        dir.path(),
        "hw",
        "huaweicloud",
        "2026-11-01T00:00:00Z",
        std::slice::from_ref(&file),
    );
    assert_eq!(output.code, 1);
    let text = std::fs::read_to_string(&file).unwrap();
    let error = serde_json::from_str::<Value>(&text).unwrap_err();
    let expected = format!(
        "error: {file}: invalid JSON at line {}, column {}",
        error.line(),
        error.column()
    );
    assert!(
        output.stderr.starts_with(&expected),
        "expected {expected:?}, got {:?}",
        output.stderr
    );
    assert!(
        !dir.path().join("h.db").exists()
            || rows(&open(dir.path()), "SELECT count(*) FROM runs") == vec![vec!["0"]]
    );
}

#[test]
fn an_earlier_observation_time_is_refused_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let files = vec![fixture_arg("tencent-legacy/004_list.json")];
    assert_eq!(
        import(
            dir.path(),
            "tcl",
            "tencent-legacy",
            "2026-11-02T00:00:00Z",
            &files
        )
        .code,
        0
    );
    let before = dump(&open(dir.path()));
    let output = import(
        dir.path(),
        "tcl",
        "tencent-legacy",
        "2026-11-01T00:00:00Z",
        &files,
    );
    assert_eq!(output.code, 1);
    assert!(
        output.stderr.contains("history is append-only"),
        "{}",
        output.stderr
    );
    assert_eq!(dump(&open(dir.path())), before);
}

#[test]
fn bodies_of_referenced_objects_alone_are_no_listing_and_delete_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let mut files = vec![fixture_arg("openstack/003_list.json")];
    files.extend(openstack_related());
    assert_eq!(
        import(
            dir.path(),
            "os",
            "openstack",
            "2026-11-01T00:00:00Z",
            &files
        )
        .code,
        0
    );
    let before = dump(&open(dir.path()));
    // An empty policy list is not an empty list of connections.
    let empty_policies = write_body(dir.path(), "ikepolicies.json", &json!({"ikepolicies": []}));
    let output = import(
        dir.path(),
        "os",
        "openstack",
        "2026-11-02T00:00:00Z",
        &[empty_policies],
    );
    assert_eq!(output.code, 1, "{}", output.stdout);
    assert!(
        output.stderr.contains(
            "no openstack connections among the bodies, only objects connections reference"
        ),
        "{}",
        output.stderr
    );
    assert_eq!(dump(&open(dir.path())), before);
    // An empty list of connections is one: the listing is complete and
    // every connection it lacks is deleted.
    let no_connections = write_body(
        dir.path(),
        "connections.json",
        &json!({"ipsec_site_connections": []}),
    );
    let output = import(
        dir.path(),
        "os",
        "openstack",
        "2026-11-03T00:00:00Z",
        &[no_connections],
    );
    assert_eq!(output.code, 0, "{}", output.stderr);
    assert_eq!(
        rows(
            &open(dir.path()),
            "SELECT count(*) FROM versions WHERE event = 'deleted'"
        ),
        vec![vec!["1"]]
    );
}

#[test]
fn huawei_gateway_bodies_alone_are_no_listing_and_delete_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let list = fixture_arg("huaweicloud/001_list_all.json");
    let first = import(
        dir.path(),
        "hw",
        "huaweicloud",
        "2026-11-01T00:00:00Z",
        &[list],
    );
    assert_eq!(first.code, 0, "{}", first.stderr);
    let before = dump(&open(dir.path()));
    let gateways = [
        write_body(dir.path(), "vgw.json", &json!({"vpn_gateways": []})),
        write_body(
            dir.path(),
            "cgw.json",
            &json!({"customer_gateways": [], "page_info": {"current_count": 0}, "total_count": 0}),
        ),
    ];
    let output = import(
        dir.path(),
        "hw",
        "huaweicloud",
        "2026-11-02T00:00:00Z",
        &gateways,
    );
    assert_eq!(output.code, 1, "{}", output.stdout);
    assert!(
        output
            .stderr
            .contains("no huaweicloud connections among the bodies"),
        "{}",
        output.stderr
    );
    assert_eq!(dump(&open(dir.path())), before);
}

#[test]
fn an_unknown_source_without_kind_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let output = vpnsnap(
        dir.path(),
        &[
            "--db",
            "h.db",
            "import",
            "--source",
            "nope",
            &fixture_arg("tencent-legacy/004_list.json"),
        ],
    );
    assert_eq!(output.code, 2);
    assert!(
        output
            .stderr
            .contains("source \"nope\" is not in the config: pass --kind"),
        "{}",
        output.stderr
    );
    let bad_name = vpnsnap(
        dir.path(),
        &[
            "--db", "h.db", "import", "--source", "Bad Name", "--kind", "tencent", "x.json",
        ],
    );
    assert_eq!(bad_name.code, 2);
    assert!(
        bad_name.stderr.contains("--source \"Bad Name\""),
        "{}",
        bad_name.stderr
    );
}

/// Writes a JSON body into the test's folder and returns its path.
fn write_body(dir: &Path, name: &str, body: &Value) -> String {
    let path = dir.join(name);
    std::fs::write(&path, serde_json::to_vec_pretty(body).unwrap()).unwrap();
    path.display().to_string()
}

/// Two OpenStack connections sharing one IKE policy, with distinctive PSKs.
fn openstack_estate(ike_lifetime: i64, psk_b: &str) -> (Value, Value) {
    let list: Value =
        serde_json::from_str(&std::fs::read_to_string(fixture("openstack/003_list.json")).unwrap())
            .unwrap();
    let mut first = list["ipsec_site_connections"][0].clone();
    first["psk"] = json!("Vq3-first-psk-of-the-test-estate");
    let mut second = first.clone();
    second["id"] = json!("2f1d7b7e-0000-4000-8000-00000000000b");
    second["name"] = json!("vpnconnection2");
    second["psk"] = json!(psk_b);
    let mut ikepolicies: Value = serde_json::from_str(
        &std::fs::read_to_string(fixture("openstack/ikepolicies.json")).unwrap(),
    )
    .unwrap();
    for policy in ikepolicies["ikepolicies"].as_array_mut().unwrap() {
        policy["lifetime"] = json!({"units": "seconds", "value": ike_lifetime});
    }
    (
        json!({"ipsec_site_connections": [first, second]}),
        ikepolicies,
    )
}

fn import_openstack(dir: &Path, observed_at: &str, ike_lifetime: i64, psk_b: &str) -> Output {
    let (list, ikepolicies) = openstack_estate(ike_lifetime, psk_b);
    let mut files = vec![
        write_body(dir, "list.json", &list),
        write_body(dir, "ikepolicies.json", &ikepolicies),
    ];
    files.extend(
        openstack_related()
            .into_iter()
            .filter(|file| !file.ends_with("ikepolicies.json")),
    );
    import(dir, "os", "openstack", observed_at, &files)
}

#[test]
fn an_ike_policy_edited_in_place_changes_every_connection_using_it() {
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(
        import_openstack(
            dir.path(),
            "2026-11-01T00:00:00Z",
            3600,
            "Kx7-second-psk-before"
        )
        .code,
        0
    );
    let output = import_openstack(
        dir.path(),
        "2026-11-01T01:00:00Z",
        7200,
        "Kx7-second-psk-before",
    );
    assert_eq!(output.code, 0, "{}", output.stderr);
    assert_eq!(
        changes(&open(dir.path())),
        vec![
            vec![
                "2f1d7b7e-0000-4000-8000-00000000000b",
                "2",
                "changed",
                "ike.lifetime_seconds",
                "3600",
                "7200"
            ],
            vec![
                "851f280f-5639-4ea3-81aa-e298525ab74b",
                "2",
                "changed",
                "ike.lifetime_seconds",
                "3600",
                "7200"
            ],
        ]
    );
}

#[test]
fn a_psk_rotation_is_a_fingerprint_change_and_no_psk_is_stored_or_printed() {
    let dir = tempfile::tempdir().unwrap();
    let first = import_openstack(
        dir.path(),
        "2026-11-01T00:00:00Z",
        3600,
        "Kx7-second-psk-before",
    );
    let second = import_openstack(
        dir.path(),
        "2026-11-01T01:00:00Z",
        3600,
        "Kx7-second-psk-after",
    );
    assert_eq!(
        (first.code, second.code),
        (0, 0),
        "{}{}",
        first.stderr,
        second.stderr
    );
    let store = open(dir.path());
    let rotation = changes(&store);
    assert_eq!(rotation.len(), 1, "{rotation:?}");
    assert_eq!(rotation[0][3], "psk_fingerprint");
    assert_eq!(rotation[0][4].len(), 16);
    assert_ne!(rotation[0][4], rotation[0][5]);
    assert_eq!(
        rows(
            &store,
            "SELECT DISTINCT json_extract(raw_json, '$.psk') FROM connection_versions"
        ),
        vec![vec!["[redacted]"]]
    );
    drop(store);
    let bytes = database_bytes(&dir.path().join("h.db"));
    for psk in [
        "Vq3-first-psk-of-the-test-estate",
        "Kx7-second-psk-before",
        "Kx7-second-psk-after",
    ] {
        assert!(!contains(&bytes, psk), "the database holds the PSK {psk}");
        for output in [&first, &second] {
            assert!(
                !output.stdout.contains(psk) && !output.stderr.contains(psk),
                "output shows the PSK {psk}"
            );
        }
    }
}

#[test]
fn an_import_waits_for_no_one_while_a_collection_holds_the_database() {
    let dir = tempfile::tempdir().unwrap();
    let files = [fixture_arg("huaweicloud/001_list_all.json")];
    let held =
        vpnsnap::lock::CollectionLock::acquire(&dir.path().join("h.db"), std::time::Duration::ZERO)
            .unwrap();
    let refused = import(
        dir.path(),
        "hw",
        "huaweicloud",
        "2026-11-01T08:00:00Z",
        &files,
    );
    assert_eq!(refused.code, 4, "{}", refused.stderr);
    assert!(
        refused
            .stderr
            .contains(&format!("pid {}", std::process::id())),
        "{}",
        refused.stderr
    );
    assert!(!dir.path().join("h.db").exists());
    drop(held);
    let imported = import(
        dir.path(),
        "hw",
        "huaweicloud",
        "2026-11-01T08:00:00Z",
        &files,
    );
    assert_eq!(imported.code, 0, "{}", imported.stderr);
}

/// Imports the Huawei fixture into `dir`'s h.db and expects the refusal
/// `message` (exit 2).
fn refused_import(dir: &Path, message: &str) {
    let output = import(
        dir,
        "hw",
        "huaweicloud",
        "2026-11-22T10:00:00Z",
        &[fixture_arg("huaweicloud/001_list_all.json")],
    );
    assert_eq!(output.code, 2, "{}", output.stderr);
    assert!(output.stderr.contains(message), "{}", output.stderr);
}

/// Another application's database at `dir`'s h.db, made by `sql`: its path
/// and its bytes.
fn foreign_database(dir: &Path, sql: &str) -> (std::path::PathBuf, Vec<u8>) {
    let foreign = dir.join("h.db");
    rusqlite::Connection::open(&foreign)
        .unwrap()
        .execute_batch(sql)
        .unwrap();
    let bytes = std::fs::read(&foreign).unwrap();
    (foreign, bytes)
}

#[test]
fn another_applications_database_or_a_non_sqlite_file_is_refused_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let (foreign, before) = foreign_database(
        dir.path(),
        "CREATE TABLE notes (text TEXT); INSERT INTO notes VALUES ('mine');",
    );
    refused_import(
        dir.path(),
        "h.db is another application's SQLite database (it has tables, but not vpnsnap's \
         schema); vpnsnap writes only its own: pass a new --db PATH",
    );
    assert_eq!(std::fs::read(&foreign).unwrap(), before);
    let mut names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["h.db"]);

    // Not SQLite at all: refused, and nothing is left beside it either.
    std::fs::write(&foreign, "just some text, not a database\n").unwrap();
    refused_import(dir.path(), "h.db is not a SQLite database");
    assert_eq!(
        std::fs::read_to_string(&foreign).unwrap(),
        "just some text, not a database\n"
    );
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
}

#[test]
fn a_database_marked_as_another_applications_is_refused_untouched_whatever_its_tables() {
    let dir = tempfile::tempdir().unwrap();
    // Another application that also uses refinery: its history table alone
    // made such a file pass for vpnsnap's before V9's mark.
    let (foreign, before) = foreign_database(
        dir.path(),
        "PRAGMA application_id = 305419896; \
         CREATE TABLE refinery_schema_history (version INTEGER PRIMARY KEY); \
         CREATE TABLE notes (text TEXT); INSERT INTO notes VALUES ('mine');",
    );
    refused_import(
        dir.path(),
        "h.db is another application's SQLite database (its header's application_id is \
         0x12345678, not vpnsnap's 0x76706e73); vpnsnap writes only its own: pass a new --db PATH",
    );
    assert_eq!(std::fs::read(&foreign).unwrap(), before);
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
}

#[test]
fn vpnsnap_marks_its_database_and_an_earlier_unmarked_one_when_it_opens_it() {
    let dir = tempfile::tempdir().unwrap();
    let files = [fixture_arg("huaweicloud/001_list_all.json")];
    let output = import(
        dir.path(),
        "hw",
        "huaweicloud",
        "2026-11-22T10:00:00Z",
        &files,
    );
    assert_eq!(output.code, 0, "{}", output.stderr);
    let db = dir.path().join("h.db");
    let mark = |sqlite: &rusqlite::Connection| -> i32 {
        sqlite
            .query_row("PRAGMA application_id", [], |row| row.get(0))
            .unwrap()
    };
    {
        let sqlite = rusqlite::Connection::open(&db).unwrap();
        assert_eq!(mark(&sqlite), vpnsnap::store::APPLICATION_ID);
        // As a vpnsnap before V9 left it: unmarked, V9 not applied.
        sqlite
            .execute_batch(
                "PRAGMA application_id = 0; DELETE FROM refinery_schema_history WHERE version = 9;",
            )
            .unwrap();
        assert_eq!(mark(&sqlite), 0);
    }
    let output = import(
        dir.path(),
        "hw",
        "huaweicloud",
        "2026-11-22T11:00:00Z",
        &files,
    );
    assert_eq!(output.code, 0, "{}", output.stderr);
    let sqlite = rusqlite::Connection::open(&db).unwrap();
    assert_eq!(mark(&sqlite), vpnsnap::store::APPLICATION_ID);
    let runs: i64 = sqlite
        .query_row("SELECT count(*) FROM runs", [], |row| row.get(0))
        .unwrap();
    assert_eq!(runs, 2);
}

#[test]
fn a_source_imported_under_another_kind_or_region_is_refused_and_nothing_written() {
    let dir = tempfile::tempdir().unwrap();
    // The Huawei fixture as source s, in `region`.
    let huawei_in = |region: &str, observed_at: &str| {
        let file = fixture_arg("huaweicloud/001_list_all.json");
        vpnsnap(
            dir.path(),
            &[
                "--db",
                "h.db",
                "import",
                "--source",
                "s",
                "--kind",
                "huaweicloud",
                "--region",
                region,
                "--observed-at",
                observed_at,
                &file,
            ],
        )
    };
    let output = huawei_in("cn-north-4", "2026-11-22T10:00:00Z");
    assert_eq!(output.code, 0, "{}", output.stderr);

    // The --kind typo that tombstoned every Huawei connection of s.
    let output = import(
        dir.path(),
        "s",
        "tencent",
        "2026-11-22T11:00:00Z",
        &[fixture_arg("tencent/describe_vpn_connections.json")],
    );
    assert_eq!(output.code, 2, "{}", output.stderr);
    assert!(
        output.stderr.contains(
            "source \"s\" is stored as huaweicloud, region cn-north-4, and this run lists it as \
             tencent; a source name stands for one account and region for good (its history \
             would otherwise record every connection as deleted): use a new source name. \
             Nothing was written"
        ),
        "{}",
        output.stderr
    );

    // The same kind in another region.
    let output = huawei_in("ap-southeast-1", "2026-11-22T12:00:00Z");
    assert_eq!(output.code, 2, "{}", output.stderr);
    assert!(
        output.stderr.contains(
            "is stored as huaweicloud, region cn-north-4, and this run lists it as huaweicloud, \
             region ap-southeast-1"
        ),
        "{}",
        output.stderr
    );
    let store = vpnsnap::store::Store::open(&dir.path().join("h.db")).unwrap();
    assert_eq!(
        rows(
            &store,
            "SELECT count(*) FROM versions WHERE event = 'deleted'"
        ),
        [["0"]]
    );
    assert_eq!(rows(&store, "SELECT count(*) FROM runs"), [["1"]]);
}
