//! API 3.0 (`kind = "tencent"`) against the simulator: paging with
//! concurrency, filters, every error class, an estate changing while it is
//! listed, and a failed page inferring nothing.

use serde_json::json;
use vpnsnap::config::{Identifier, Origin, Secret, SourceConfig};
use vpnsnap::provider::tencent::Settings;
use vpnsnap::provider::{ProviderKind, SourceSettings};
use vpnsnap::sim::tencent::{
    DEMO_REGION, DEMO_SECRET_ID, DEMO_SECRET_KEY, Estate, TencentSim, TencentSimConfig,
    generate_estate,
};
use vpnsnap::sim::{CommonFault, Fault};

use super::*;
use crate::support::{contains, database_bytes, fixture, rows, temp_store, vpnsnap_with_env};

fn start(estate: Estate) -> TencentSim {
    TencentSim::start(TencentSimConfig {
        estate,
        ..TencentSimConfig::default()
    })
    .unwrap()
}

fn source(sim: &TencentSim, edit: impl FnOnce(&mut Settings)) -> SourceConfig {
    let mut settings = Settings {
        secret_id: Identifier::new(DEMO_SECRET_ID, Origin::Literal),
        secret_key: Secret::new(DEMO_SECRET_KEY, Origin::Env("TC_SECRET_KEY".into())),
        token: None,
        vpc_id: None,
        vpn_gateway_id: None,
        page_size: 100,
    };
    edit(&mut settings);
    SourceConfig {
        tls: Default::default(),
        name: "tc-gz".into(),
        kind: ProviderKind::Tencent,
        region: DEMO_REGION.into(),
        account: None,
        endpoint: Some(sim.url()),
        settings: SourceSettings::Tencent(settings),
    }
}

fn page_size(size: u32) -> impl FnOnce(&mut Settings) {
    move |settings| settings.page_size = size
}

#[tokio::test]
async fn pages_across_several_pages_concurrently_into_the_store() {
    let sim = start(generate_estate(237, 1));
    let collected = collect(&source(&sim, page_size(20))).await;
    let expected = sorted(sim.with_estate(|estate| estate.ids()));
    assert_eq!(complete_ids(&collected), expected);
    assert_eq!(expected.len(), 237);
    assert_eq!(collected.pages, 12);
    assert_eq!(sim.faults().request_count(), 12);

    let (_dir, mut store) = temp_store();
    let summary = store_run(&mut store, vec![collected]);
    assert_eq!(
        (
            summary.sources[0].outcome.as_str(),
            summary.sources[0].created
        ),
        ("ok", 237)
    );
    assert_eq!(summary.sources[0].warnings, 0);
}

#[tokio::test]
async fn an_empty_estate_is_a_complete_empty_listing() {
    let sim = start(Estate::default());
    let collected = collect(&source(&sim, |_| {})).await;
    assert_eq!(complete_ids(&collected), Vec::<String>::new());
    assert_eq!(sim.faults().request_count(), 1);
}

#[tokio::test]
async fn filters_by_vpc_and_gateway() {
    let sim = start(generate_estate(120, 2));
    let (vpc, gateway) = sim.with_estate(|estate| {
        let first = &estate.connections[0];
        (
            first["VpcId"].as_str().unwrap().to_string(),
            first["VpnGatewayId"].as_str().unwrap().to_string(),
        )
    });
    let ids_where = |key: &str, value: &str| {
        sim.with_estate(|estate| {
            sorted(
                estate
                    .connections
                    .iter()
                    .filter(|c| c[key] == json!(value))
                    .map(|c| c["VpnConnectionId"].as_str().unwrap().to_string())
                    .collect(),
            )
        })
    };
    let by_vpc = ids_where("VpcId", &vpc);
    let by_gateway = ids_where("VpnGatewayId", &gateway);
    assert!(by_vpc.len() > by_gateway.len() && !by_gateway.is_empty());

    let collected = collect(&source(&sim, |s| {
        s.vpc_id = Some(vpc.clone());
        s.page_size = 5;
    }))
    .await;
    assert_eq!(complete_ids(&collected), by_vpc);
    let collected = collect(&source(&sim, |s| s.vpn_gateway_id = Some(gateway.clone()))).await;
    assert_eq!(complete_ids(&collected), by_gateway);
}

#[tokio::test]
async fn temporary_credentials_send_their_token() {
    let sim = TencentSim::start(TencentSimConfig {
        token: Some("session-token-1".into()),
        estate: generate_estate(3, 3),
        ..TencentSimConfig::default()
    })
    .unwrap();
    let with_token = source(&sim, |s| {
        s.token = Some(Secret::new(
            "session-token-1",
            Origin::Env("TC_TOKEN".into()),
        ))
    });
    assert_eq!(complete_ids(&collect(&with_token).await).len(), 3);
    let (error, class) = failure(&collect(&source(&sim, |_| {})).await);
    assert_eq!(class, "auth");
    assert!(error.contains("AuthFailure.TokenFailure"), "{error}");
}

#[tokio::test]
async fn a_wrong_key_is_an_authentication_error_and_not_retried() {
    let sim = start(generate_estate(3, 4));
    let wrong = source(&sim, |s| {
        s.secret_key = Secret::new("not-the-key", Origin::Env("TC_SECRET_KEY".into()))
    });
    let (error, class) = failure(&collect(&wrong).await);
    assert_eq!(class, "auth");
    assert!(
        error.starts_with(&format!(
            "authentication failed: {} DescribeVpnConnections Offset=0: AuthFailure.SignatureFailure: ",
            sim.url()
        )),
        "{error}"
    );
    assert!(
        error.ends_with("; check secret_id and secret_key"),
        "{error}"
    );
    assert!(!error.contains("not-the-key"), "{error}");
    assert_eq!(sim.faults().request_count(), 1);

    let unknown = source(&sim, |s| {
        s.secret_id = Identifier::new("AKIDunknown", Origin::Literal)
    });
    let (error, class) = failure(&collect(&unknown).await);
    assert_eq!(class, "auth");
    assert!(error.contains("AuthFailure.SecretIdNotFound"), "{error}");
}

#[tokio::test]
async fn a_clock_more_than_five_minutes_off_is_reported_as_such() {
    let sim = start(generate_estate(3, 5));
    sim.set_clock_skew(301);
    let (error, class) = failure(&collect(&source(&sim, |_| {})).await);
    assert_eq!(class, "auth");
    assert!(error.contains("AuthFailure.SignatureExpire"), "{error}");
    assert!(error.ends_with("check this machine's clock"), "{error}");
    sim.set_clock_skew(-250);
    assert_eq!(complete_ids(&collect(&source(&sim, |_| {})).await).len(), 3);
}

#[tokio::test]
async fn an_unknown_region_is_a_configuration_error() {
    let sim = start(generate_estate(3, 6));
    let mut elsewhere = source(&sim, |_| {});
    elsewhere.region = "ap-shanghai".into();
    let (error, class) = failure(&collect(&elsewhere).await);
    assert_eq!(class, "config");
    assert!(error.contains("UnsupportedRegion"), "{error}");
    assert!(error.ends_with("check the source's region"), "{error}");
}

#[tokio::test]
async fn a_limit_above_the_maximum_is_refused() {
    let sim = start(generate_estate(3, 7));
    let (error, class) = failure(&collect(&source(&sim, page_size(101))).await);
    assert_eq!(class, "rejected");
    assert!(
        error.contains(
            "InvalidParameterValue: The value of `Limit` must be between 1 and 100, not 101."
        ),
        "{error}"
    );
}

#[tokio::test]
async fn throttling_server_errors_and_hangs_are_retried() {
    let sim = start(generate_estate(50, 8));
    inject_retried_faults(sim.faults());
    let collected = collect_with(&source(&sim, page_size(10)), &options(3, 300)).await;
    assert_eq!(complete_ids(&collected).len(), 50);
    assert_eq!(collected.pages, 5);
    assert_eq!(sim.faults().request_count(), 8);
}

#[tokio::test]
async fn throttling_that_outlasts_the_retries_fails_as_throttled() {
    let sim = start(generate_estate(5, 9));
    throttle(sim.faults(), 1..=3);
    let (error, class) = failure(&collect_with(&source(&sim, |_| {}), &options(2, 2000)).await);
    assert_eq!(class, "throttled");
    assert!(error.contains("RequestLimitExceeded"), "{error}");
    assert_eq!(sim.faults().request_count(), 3);
}

#[tokio::test]
async fn a_malformed_body_fails_the_source_naming_the_page() {
    let sim = start(generate_estate(30, 10));
    sim.faults().inject(1, Fault::MalformedBody);
    let (error, class) = failure(&collect(&source(&sim, page_size(10))).await);
    assert_eq!(class, "decode");
    assert!(
        error.starts_with(&format!(
            "undecodable response: {} DescribeVpnConnections Offset=0: not JSON: ",
            sim.url()
        )),
        "{error}"
    );
}

#[tokio::test]
async fn a_failed_page_infers_no_deletions() {
    let sim = start(generate_estate(45, 11));
    let (_dir, mut store) = temp_store();
    let first = collect(&source(&sim, page_size(10))).await;
    store_run(&mut store, vec![first]);
    // One page of the next listing fails for good; the others succeed.
    let before = sim.faults().request_count();
    sim.faults().inject(before + 3, Fault::ServerError);
    let failed = collect_with(&source(&sim, page_size(10)), &options(0, 2000)).await;
    let (error, class) = failure(&failed);
    assert_eq!(class, "server");
    assert!(error.contains("InternalError"), "{error}");
    assert_failure_kept_history(&mut store, failed, "45");
    assert_eq!(
        rows(
            &store,
            "SELECT count(*) FROM versions WHERE event = 'deleted'"
        ),
        vec![vec!["0"]]
    );
}

#[tokio::test]
async fn an_estate_changing_once_while_listed_is_listed_again() {
    let sim = start(generate_estate(40, 12));
    let extra = generate_estate(41, 12).connections.pop().unwrap();
    sim.on_page_served(Some(Box::new(move |served, estate: &mut Estate| {
        if served == 1 {
            estate.connections.insert(0, extra.clone());
        }
    })));
    let collected = collect(&source(&sim, page_size(10))).await;
    let expected = sorted(sim.with_estate(|estate| estate.ids()));
    assert_eq!(expected.len(), 41);
    assert_eq!(complete_ids(&collected), expected);
}

#[tokio::test]
async fn an_estate_that_keeps_changing_fails_rather_than_leaving_a_gap() {
    let sim = start(generate_estate(40, 13));
    sim.on_page_served(Some(Box::new(|served, estate: &mut Estate| {
        // A connection disappears after every page.
        let _ = served;
        estate.connections.remove(0);
    })));
    let (error, class) = failure(&collect(&source(&sim, page_size(10))).await);
    assert_eq!(class, "paging");
    assert!(
        error.contains("listed 2 times and the estate changed during each listing"),
        "{error}"
    );
}

#[tokio::test]
async fn the_fixture_normalizes_end_to_end_without_its_secrets() {
    let body: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(fixture("tencent/describe_vpn_connections.json")).unwrap(),
    )
    .unwrap();
    let connections = body["Response"]["VpnConnectionSet"]
        .as_array()
        .unwrap()
        .clone();
    let sim = start(Estate::new(connections));
    let collected = collect(&source(&sim, page_size(2))).await;
    let (dir, mut store) = temp_store();
    store_run(&mut store, vec![collected]);
    assert_eq!(
        rows(
            &store,
            "SELECT connection_id, status, provider_status, ipsec_auth_algorithm, coalesce(ipsec_pfs, 'NULL'), \
             ike_lifetime_seconds FROM current_connections ORDER BY connection_id"
        ),
        vec![
            vec![
                "vpnx-4vlnnzpz",
                "ACTIVE",
                "AVAILABLE/AVAILABLE",
                "sha1",
                "disabled",
                "86400"
            ],
            vec![
                "vpnx-7ac0m1qb",
                "DOWN",
                "AVAILABLE/UNAVAILABLE",
                "sha2-256",
                "group14",
                "28800"
            ],
            vec![
                "vpnx-q2dzs5lk",
                "PENDING",
                "PENDING/UNAVAILABLE",
                "md5",
                "disabled",
                "86400"
            ],
        ]
    );
    drop(store);
    let bytes = database_bytes(&dir.path().join("history.db"));
    for psk in [
        "Xh7#kq2!Lp9@wT4z",
        "9fQ$2mZr!c8Vb1Ke",
        "Rt5^nW0%yJ3#pB6q",
        DEMO_SECRET_KEY,
    ] {
        assert!(!contains(&bytes, psk), "{psk} is in the database");
    }
}

#[test]
fn the_binary_collects_end_to_end() {
    let sim = start(generate_estate(130, 14));
    let dir = tempfile::tempdir().unwrap();
    let config = format!(
        "database = \"history.db\"\n\n[[source]]\nname = \"tc-gz\"\nkind = \"tencent\"\nregion = \"{DEMO_REGION}\"\n\
         endpoint = \"{}\"\nsecret_id = \"{DEMO_SECRET_ID}\"\nsecret_key = {{ env = \"TC_SECRET_KEY\" }}\n",
        sim.url()
    );
    std::fs::write(dir.path().join("vpnsnap.toml"), config).unwrap();
    let args = ["--config", "vpnsnap.toml", "collect", "--format", "json"];
    let output = vpnsnap_with_env(dir.path(), &args, &[("TC_SECRET_KEY", DEMO_SECRET_KEY)]);
    assert_eq!(output.code, 0, "{}{}", output.stdout, output.stderr);
    let summary: serde_json::Value = serde_json::from_str(&output.stdout).unwrap();
    let source = &summary["sources"][0];
    assert_eq!(
        (
            &source["outcome"],
            &source["connections"],
            &source["created"],
            &source["pages"]
        ),
        (&json!("ok"), &json!(130), &json!(130), &json!(2))
    );
    assert!(!output.stderr.contains(DEMO_SECRET_KEY));

    let output = vpnsnap_with_env(dir.path(), &args, &[("TC_SECRET_KEY", "wrong")]);
    assert_eq!(output.code, 1, "{}{}", output.stdout, output.stderr);
    let summary: serde_json::Value = serde_json::from_str(&output.stdout).unwrap();
    assert_eq!(summary["sources"][0]["error_class"], json!("auth"));
    assert_eq!(summary["sources"][0]["deleted"], json!(0));
}

#[tokio::test]
async fn a_redirect_fails_the_source_and_the_token_goes_nowhere_else() {
    let sim = TencentSim::start(TencentSimConfig {
        token: Some("session-token-1".into()),
        estate: generate_estate(3, 3),
        ..TencentSimConfig::default()
    })
    .unwrap();
    let (port, elsewhere) = crate::support::counting_listener();
    sim.faults()
        .inject(1, Fault::Common(CommonFault::Redirect { port }));
    let with_token = source(&sim, |s| {
        s.token = Some(Secret::new(
            "session-token-1",
            Origin::Env("TC_TOKEN".into()),
        ))
    });
    let (error, class) = failure(&collect(&with_token).await);
    assert_eq!(class, "redirect");
    assert_eq!(
        error,
        crate::support::redirect_error(
            &format!("{} DescribeVpnConnections Offset=0", sim.url()),
            port
        )
    );
    assert_eq!(elsewhere.load(std::sync::atomic::Ordering::SeqCst), 0);
    assert_eq!(sim.faults().request_count(), 1);
}

#[tokio::test]
async fn an_error_page_never_carries_a_psk_or_the_secret_key_into_the_error() {
    let sim = start(generate_estate(3, 3));
    sim.faults().inject(
        1,
        Fault::Common(CommonFault::Body {
            status: 418,
            body: format!(
                "<html>PreSharedKey=TopSecretPsk-3 for {}</html>",
                vpnsnap::sim::tencent::DEMO_SECRET_KEY
            ),
        }),
    );
    let (error, class) = failure(&collect(&source(&sim, |_| {})).await);
    assert_eq!(class, "rejected");
    assert_eq!(
        error,
        format!(
            "request refused: {} DescribeVpnConnections Offset=0: HTTP 418 I'm a teapot: \
             <html>PreSharedKey=[redacted] for [redacted]</html>",
            sim.url()
        )
    );
}
