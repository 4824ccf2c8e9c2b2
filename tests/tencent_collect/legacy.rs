//! The legacy API (`kind = "tencent-legacy"`) against its simulator: both
//! signature methods, paging with concurrency, filters, each error class,
//! an estate changing while listed, a failed page, and the seed's example
//! normalized end to end.

use serde_json::json;
use vpnsnap::config::{Identifier, Origin, Secret, SourceConfig};
use vpnsnap::provider::tencent_legacy::Settings;
use vpnsnap::provider::tencent_legacy::settings::SignatureMethod;
use vpnsnap::provider::{ProviderKind, SourceSettings};
use vpnsnap::sim::tencent::Estate;
use vpnsnap::sim::tencent_legacy::{
    DEMO_SECRET_ID, DEMO_SECRET_KEY, TencentLegacySim, TencentLegacySimConfig, generate_estate,
};
use vpnsnap::sim::{CommonFault, Fault};

use super::*;
use crate::support::{fixture, rows, temp_store, vpnsnap_with_env};

fn start(estate: Estate) -> TencentLegacySim {
    TencentLegacySim::start(TencentLegacySimConfig {
        estate,
        ..TencentLegacySimConfig::default()
    })
    .unwrap()
}

fn source(sim: &TencentLegacySim, edit: impl FnOnce(&mut Settings)) -> SourceConfig {
    let mut settings = Settings {
        secret_id: Identifier::new(DEMO_SECRET_ID, Origin::Literal),
        secret_key: Secret::new(DEMO_SECRET_KEY, Origin::Env("TC_SECRET_KEY".into())),
        signature_method: SignatureMethod::HmacSha256,
        vpc_id: None,
        vpn_gateway_id: None,
        page_size: 50,
    };
    edit(&mut settings);
    SourceConfig {
        tls: Default::default(),
        name: "tc-legacy".into(),
        kind: ProviderKind::TencentLegacy,
        region: "gz".into(),
        account: None,
        endpoint: Some(sim.url()),
        settings: SourceSettings::TencentLegacy(settings),
    }
}

fn page_size(size: u32) -> impl FnOnce(&mut Settings) {
    move |settings| settings.page_size = size
}

/// The tunnels of a fixture body, served as the estate.
fn fixture_estate(name: &str) -> Estate {
    let text = std::fs::read_to_string(fixture(&format!("tencent-legacy/{name}"))).unwrap();
    let body: serde_json::Value = serde_json::from_str(&text).unwrap();
    Estate::new(body["data"].as_array().unwrap().clone())
}

#[tokio::test]
async fn pages_concurrently_with_either_signature_method() {
    let sim = start(generate_estate(137, 1));
    let expected = sorted(sim.with_estate(|estate| estate.ids()));
    assert_eq!(expected.len(), 137);
    for method in [SignatureMethod::HmacSha256, SignatureMethod::HmacSha1] {
        let before = sim.faults().request_count();
        let collected = collect(&source(&sim, |s| {
            s.signature_method = method;
            s.page_size = 20;
        }))
        .await;
        assert_eq!(complete_ids(&collected), expected, "{method:?}");
        assert_eq!(collected.pages, 7);
        assert_eq!(sim.faults().request_count() - before, 7);
    }
}

#[tokio::test]
async fn filters_by_vpc_and_gateway() {
    let sim = start(generate_estate(90, 2));
    let first = sim.with_estate(|estate| estate.connections[3].clone());
    let ids_where = |key: &str| {
        sim.with_estate(|estate| {
            sorted(
                estate
                    .connections
                    .iter()
                    .filter(|c| c[key] == first[key])
                    .map(|c| c["unVpnConnId"].as_str().unwrap().to_string())
                    .collect(),
            )
        })
    };
    let vpc = first["unVpcId"].as_str().unwrap().to_string();
    let collected = collect(&source(&sim, |s| {
        s.vpc_id = Some(vpc);
        s.page_size = 3;
    }))
    .await;
    assert_eq!(complete_ids(&collected), ids_where("unVpcId"));
    let gateway = first["unVpnGwId"].as_str().unwrap().to_string();
    let collected = collect(&source(&sim, |s| s.vpn_gateway_id = Some(gateway))).await;
    assert_eq!(complete_ids(&collected), ids_where("unVpnGwId"));
    assert!(ids_where("unVpnGwId").len() < ids_where("unVpcId").len());
}

#[tokio::test]
async fn a_wrong_key_is_code_4100_and_not_retried() {
    let sim = start(generate_estate(3, 3));
    let wrong = source(&sim, |s| {
        s.secret_key = Secret::new("not-the-key", Origin::Env("TC_SECRET_KEY".into()))
    });
    let (error, class) = failure(&collect(&wrong).await);
    assert_eq!(class, "auth");
    assert!(
        error.starts_with(&format!(
            "authentication failed: {} DescribeVpnConn offset=0: code 4100 (authentication failed: \
             check the SecretId and SecretKey",
            sim.url()
        )),
        "{error}"
    );
    assert!(!error.contains("not-the-key"), "{error}");
    assert_eq!(sim.faults().request_count(), 1);
}

#[tokio::test]
async fn a_clock_hours_off_is_code_4500_and_says_so() {
    let sim = start(generate_estate(3, 4));
    sim.set_clock_skew(-7300);
    let (error, class) = failure(&collect(&source(&sim, |_| {})).await);
    assert_eq!(class, "auth");
    assert!(
        error.contains("code 4500 (request rejected as a replay"),
        "{error}"
    );
    assert!(error.contains("check the clock"), "{error}");
}

#[tokio::test]
async fn a_limit_above_50_is_refused() {
    let sim = start(generate_estate(3, 5));
    let (error, class) = failure(&collect(&source(&sim, page_size(51))).await);
    assert_eq!(class, "rejected");
    assert!(
        error
            .ends_with("code 4000 (invalid parameter): \"limit must be between 1 and 50, not 51\""),
        "{error}"
    );
}

#[tokio::test]
async fn quota_server_errors_and_hangs_are_retried_and_malformed_bodies_fail() {
    let sim = start(generate_estate(40, 6));
    inject_retried_faults(sim.faults());
    let collected = collect_with(&source(&sim, page_size(10)), &options(3, 300)).await;
    assert_eq!(complete_ids(&collected).len(), 40);
    assert_eq!(sim.faults().request_count(), 7);

    sim.faults().inject_next(Fault::MalformedBody);
    let (error, class) = failure(&collect(&source(&sim, page_size(10))).await);
    assert_eq!(class, "decode");
    assert!(
        error.contains("DescribeVpnConn offset=0: not JSON"),
        "{error}"
    );
}

#[tokio::test]
async fn a_quota_that_outlasts_the_retries_fails_as_throttled() {
    let sim = start(generate_estate(3, 7));
    throttle(sim.faults(), 1..=2);
    let (error, class) = failure(&collect_with(&source(&sim, |_| {}), &options(1, 2000)).await);
    assert_eq!(class, "throttled");
    assert!(error.contains("code 4400 (quota exceeded)"), "{error}");
}

#[tokio::test]
async fn estate_changes_while_listing_relist_once_then_fail() {
    let sim = start(generate_estate(30, 8));
    sim.on_page_served(Some(Box::new(|served, estate: &mut Estate| {
        if served == 1 {
            estate.connections.pop();
        }
    })));
    let collected = collect(&source(&sim, page_size(10))).await;
    assert_eq!(complete_ids(&collected).len(), 29);

    sim.on_page_served(Some(Box::new(|_, estate: &mut Estate| {
        estate.connections.pop();
    })));
    let (error, class) = failure(&collect(&source(&sim, page_size(10))).await);
    assert_eq!(class, "paging");
    assert!(error.contains("the total went from"), "{error}");
}

#[tokio::test]
async fn a_failed_page_infers_no_deletions() {
    let sim = start(generate_estate(35, 9));
    let (_dir, mut store) = temp_store();
    store_run(
        &mut store,
        vec![collect(&source(&sim, page_size(10))).await],
    );
    let before = sim.faults().request_count();
    sim.faults().inject(before + 2, Fault::ServerError);
    let failed = collect_with(&source(&sim, page_size(10)), &options(0, 2000)).await;
    assert_eq!(failure(&failed).1, "server");
    assert_failure_kept_history(&mut store, failed, "35");
}

#[tokio::test]
async fn the_seed_example_and_both_integrity_spellings_normalize() {
    let mut estate = fixture_estate("004_list.json");
    estate
        .connections
        .extend(fixture_estate("integrity_spellings.json").connections);
    let sim = start(estate);
    let collected = collect(&source(&sim, page_size(2))).await;
    let (_dir, mut store) = temp_store();
    let summary = store_run(&mut store, vec![collected]);
    assert_eq!(summary.sources[0].warnings, 0);
    assert_eq!(
        rows(
            &store,
            "SELECT connection_id, status, provider_status, ike_encryption_algorithm, ike_auth_algorithm, \
             ike_dh_group, coalesce(ike_lifetime_seconds, 'NULL'), ipsec_encryption_algorithm, \
             ipsec_auth_algorithm, coalesce(ipsec_pfs, 'NULL'), ipsec_lifetime_seconds, \
             coalesce(ipsec_lifetime_kilobytes, 'NULL') \
             FROM current_connections ORDER BY connection_id"
        ),
        vec![
            vec![
                "vpnx-85ao9zdy",
                "ACTIVE",
                "6",
                "des",
                "sha1",
                "group1",
                "86400",
                "aes-128",
                "sha1",
                "disabled",
                "3600",
                "1843200"
            ],
            vec![
                "vpnx-m4c9t2ze",
                "DOWN",
                "6/unavailable",
                "aes-256",
                "sha2-256",
                "group14",
                "28800",
                "aes-256",
                "sha2-256",
                "group2",
                "1800",
                "1843200"
            ],
            vec![
                "vpnx-ol6bcqp0",
                "ACTIVE",
                "6",
                "des",
                "sha1",
                "group1",
                "86400",
                "aes-128",
                "sha1",
                "disabled",
                "3600",
                "1843200"
            ],
            vec![
                "vpnx-p0j71qf6",
                "ACTIVE",
                "6",
                "3des",
                "md5",
                "group2",
                "11180",
                "aes-192",
                "md5",
                "group1",
                "500",
                "80000"
            ],
            vec![
                "vpnx-w7h3n6ya",
                "ERROR",
                "1",
                "3des",
                "md5",
                "group2",
                "NULL",
                "3des",
                "md5",
                "disabled",
                "3600",
                "NULL"
            ],
        ]
    );
    assert_eq!(
        rows(
            &store,
            "SELECT DISTINCT json_extract(raw_json, '$.preSharedKey') FROM current_connections"
        ),
        vec![vec!["[redacted]"]]
    );
}

#[test]
fn the_binary_collects_end_to_end_with_hmac_sha1() {
    let sim = start(generate_estate(75, 10));
    let dir = tempfile::tempdir().unwrap();
    let config = format!(
        "database = \"history.db\"\n\n[[source]]\nname = \"tc-legacy\"\nkind = \"tencent-legacy\"\nregion = \"gz\"\n\
         endpoint = \"{}\"\nsecret_id = \"{DEMO_SECRET_ID}\"\nsecret_key = {{ env = \"TC_SECRET_KEY\" }}\n\
         signature_method = \"HmacSHA1\"\n",
        sim.url()
    );
    std::fs::write(dir.path().join("vpnsnap.toml"), config).unwrap();
    let args = ["--config", "vpnsnap.toml", "collect", "--format", "json"];
    let output = vpnsnap_with_env(dir.path(), &args, &[("TC_SECRET_KEY", DEMO_SECRET_KEY)]);
    assert_eq!(output.code, 0, "{}{}", output.stdout, output.stderr);
    let summary: serde_json::Value = serde_json::from_str(&output.stdout).unwrap();
    let source = &summary["sources"][0];
    assert_eq!(
        (&source["outcome"], &source["connections"], &source["pages"]),
        (&json!("ok"), &json!(75), &json!(2))
    );
    assert!(!output.stderr.contains(DEMO_SECRET_KEY));
}

#[tokio::test]
async fn a_redirect_fails_the_source_and_the_signed_query_goes_nowhere_else() {
    let sim = start(generate_estate(3, 3));
    let (port, elsewhere) = crate::support::counting_listener();
    sim.faults()
        .inject(1, Fault::Common(CommonFault::Redirect { port }));
    let (error, class) = failure(&collect(&source(&sim, |_| {})).await);
    assert_eq!(class, "redirect");
    assert!(error.starts_with("redirect not followed: "), "{error}");
    assert!(
        error.ends_with(&format!(
            ": HTTP 307 Temporary Redirect to \"http://127.0.0.1:{port}/stolen\"; vpnsnap follows \
             no redirects, so that credentials never leave the endpoint they are for: configure \
             the endpoint the API answers on"
        )),
        "{error}"
    );
    assert!(
        !error.contains("Signature=") || error.contains("Signature=***"),
        "{error}"
    );
    assert_eq!(elsewhere.load(std::sync::atomic::Ordering::SeqCst), 0);
    assert_eq!(sim.faults().request_count(), 1);
}
