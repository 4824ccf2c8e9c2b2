//! Collecting from the Huawei Cloud simulator: whole listings over many page
//! sizes, filters, both authentication forms, and history through the store.
//! The error classes, the signature checks, misbehaving paging and the
//! binary have their own files.

mod binary;
mod errors;
mod gateways;
mod keys;
mod paging;
mod signature;

use std::time::Duration;

use vpnsnap::collector::{self, CollectOptions, Collected};
use vpnsnap::config::{Identifier, Origin, Secret, SourceConfig};
use vpnsnap::http::RetryPolicy;
use vpnsnap::provider::SourceProgress;
use vpnsnap::provider::huaweicloud::Settings;
use vpnsnap::provider::huaweicloud::settings::Auth;
use vpnsnap::provider::{ProviderKind, SourceSettings};
use vpnsnap::sim::huaweicloud::{
    DEMO_ACCESS_KEY, DEMO_AUTH_TOKEN, DEMO_PROJECT_ID, DEMO_SECRET_KEY, HuaweiSim, HuaweiSimConfig,
    generate_estate,
};
use vpnsnap::store::{RunKind, RunRecord, RunSummary, Store};
use vpnsnap::time::Timestamp;

use crate::support::*;

/// A simulator serving `count` generated connections.
pub fn sim(count: usize) -> HuaweiSim {
    HuaweiSim::start(HuaweiSimConfig {
        estate: generate_estate(count, 42),
        ..HuaweiSimConfig::default()
    })
    .unwrap()
}

/// A source of `sim` signing with the demo keys, the secret key "from env HW_SK".
pub fn source(sim: &HuaweiSim, page_size: u32) -> SourceConfig {
    source_at(sim.url(), page_size)
}

/// The same source at any endpoint.
pub fn source_at(endpoint: String, page_size: u32) -> SourceConfig {
    SourceConfig {
        tls: Default::default(),
        name: "hw".to_string(),
        kind: ProviderKind::HuaweiCloud,
        region: "ap-southeast-1".to_string(),
        account: Some(DEMO_PROJECT_ID.to_string()),
        endpoint: Some(endpoint),
        settings: SourceSettings::HuaweiCloud(Settings {
            project_id: DEMO_PROJECT_ID.to_string(),
            auth: Auth::AccessKey {
                access_key: Identifier::new(DEMO_ACCESS_KEY, Origin::Literal),
                secret_key: Secret::new(DEMO_SECRET_KEY, Origin::Env("HW_SK".to_string())),
                security_token: None,
            },
            vgw_id: None,
            vgw_ip: None,
            enterprise_project_ids: Vec::new(),
            page_size,
            // The request counts of these tests are the connection pages;
            // `gateways.rs` turns resolution on.
            resolve_gateways: false,
        }),
    }
}

pub fn settings(source: &mut SourceConfig) -> &mut Settings {
    match &mut source.settings {
        SourceSettings::HuaweiCloud(settings) => settings,
        other => panic!("not a Huawei source: {other:?}"),
    }
}

/// Millisecond retries, so that retried faults cost nothing.
pub fn options(max_retries: u32) -> CollectOptions {
    CollectOptions {
        max_concurrency: 4,
        retry: RetryPolicy {
            max_retries,
            base_delay: Duration::from_millis(1),
            max_delay: Duration::from_millis(5),
        },
        request_timeout: Duration::from_secs(10),
        source_deadline: Duration::from_secs(60),
        max_response_bytes: vpnsnap::http::DEFAULT_MAX_RESPONSE_BYTES,
        limits: vpnsnap::listing::ListingLimits::default(),
    }
}

pub fn collect_with(source: &SourceConfig, options: &CollectOptions) -> Collected {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(collector::collect_source(
        source,
        options,
        &fingerprinter(),
        &SourceProgress::default(),
    ))
}

pub fn collect(source: &SourceConfig) -> Collected {
    collect_with(source, &options(2))
}

pub fn sorted_ids(sim: &HuaweiSim) -> Vec<String> {
    let mut ids = sim.with_estate(|estate| estate.ids());
    ids.sort();
    ids
}

pub fn store_run(store: &mut Store, collected: Collected) -> RunSummary {
    let run = RunRecord {
        kind: RunKind::Collect,
        started_at: collected.result.observed_at,
        finished_at: Timestamp::now(),
        sources: vec![collected.result],
    };
    store.write_run(&run, &fingerprinter()).unwrap()
}

#[test]
fn every_page_size_lists_the_whole_estate() {
    let sim = sim(7);
    let expected = sorted_ids(&sim);
    // (page size, requests): full pages are followed until a short or empty one.
    for (page_size, requests) in [(1, 8), (2, 4), (3, 3), (7, 2), (200, 1)] {
        let before = sim.faults().request_count();
        let collected = collect(&source(&sim, page_size));
        assert_eq!(complete_ids(&collected), expected, "page size {page_size}");
        assert_eq!(
            sim.faults().request_count() - before,
            requests,
            "page size {page_size}"
        );
        assert_eq!(collected.pages, requests, "page size {page_size}");
    }
    // Each page asks for the same limit with the previous page's last created_at.
    let marker = sim.with_estate(|estate| {
        estate.connections[6]["created_at"]
            .as_str()
            .unwrap()
            .replace(':', "%3A")
    });
    let list = format!("GET /v5/{DEMO_PROJECT_ID}/vpn-connection");
    assert_eq!(
        sim.requests()[sim.requests().len() - 3..],
        [
            format!("{list}?limit=7"),
            format!("{list}?limit=7&marker={marker}"),
            format!("{list}?limit=200"),
        ]
    );
}

#[test]
fn an_empty_project_is_a_complete_empty_listing() {
    let sim = sim(0);
    let collected = collect(&source(&sim, 200));
    assert_eq!(complete_ids(&collected), Vec::<String>::new());
    assert_eq!(sim.faults().request_count(), 1);
}

#[test]
fn filters_reach_the_server_and_narrow_the_listing() {
    let sim = sim(60);
    let (vgw_id, vgw_ip, project) = sim.with_estate(|estate| {
        let first = &estate.connections[0];
        (
            first["vgw_id"].as_str().unwrap().to_string(),
            first["vgw_ip"].as_str().unwrap().to_string(),
            first["enterprise_project_id"].as_str().unwrap().to_string(),
        )
    });
    let matching = |test: &dyn Fn(&serde_json::Value) -> bool| {
        let mut ids: Vec<String> = sim.with_estate(|estate| {
            estate
                .connections
                .iter()
                .filter(|c| test(c))
                .map(|c| c["id"].as_str().unwrap().to_string())
                .collect()
        });
        ids.sort();
        ids
    };

    let mut by_gateway = source(&sim, 2);
    settings(&mut by_gateway).vgw_id = Some(vgw_id.clone());
    let expected = matching(&|c| c["vgw_id"] == vgw_id.as_str());
    assert!(!expected.is_empty() && expected.len() < 60);
    assert_eq!(complete_ids(&collect(&by_gateway)), expected);

    let mut by_ip = source(&sim, 200);
    settings(&mut by_ip).vgw_ip = Some(vgw_ip.parse().unwrap());
    assert_eq!(
        complete_ids(&collect(&by_ip)),
        matching(&|c| c["vgw_ip"] == vgw_ip.as_str())
    );
    assert_eq!(
        sim.requests().last().unwrap(),
        &format!("GET /v5/{DEMO_PROJECT_ID}/vpn-connection?limit=200&vgw_ip={vgw_ip}")
    );

    let other = sim.with_estate(|estate| {
        estate
            .connections
            .iter()
            .map(|c| c["enterprise_project_id"].as_str().unwrap().to_string())
            .find(|ep| *ep != project)
            .unwrap()
    });
    let mut by_projects = source(&sim, 5);
    settings(&mut by_projects).enterprise_project_ids = vec![project.clone(), other.clone()];
    let expected = matching(&|c| {
        c["enterprise_project_id"] == project.as_str()
            || c["enterprise_project_id"] == other.as_str()
    });
    assert!(expected.len() < 60);
    assert_eq!(complete_ids(&collect(&by_projects)), expected);
}

#[test]
fn token_and_temporary_credentials_authenticate() {
    let sim = HuaweiSim::start(HuaweiSimConfig {
        estate: generate_estate(3, 1),
        keys: vpnsnap::sim::huaweicloud::KeyPair {
            access_key: DEMO_ACCESS_KEY.to_string(),
            secret_key: DEMO_SECRET_KEY.to_string(),
            security_token: Some("temporary-security-token".to_string()),
        },
        ..HuaweiSimConfig::default()
    })
    .unwrap();
    let expected = sorted_ids(&sim);

    let mut token = source(&sim, 2);
    settings(&mut token).auth = Auth::Token {
        auth_token: Secret::new(DEMO_AUTH_TOKEN, Origin::Env("HW_TOKEN".to_string())),
    };
    assert_eq!(complete_ids(&collect(&token)), expected);

    let mut temporary = source(&sim, 2);
    let with_token = |value: &str| Auth::AccessKey {
        access_key: Identifier::new(DEMO_ACCESS_KEY, Origin::Literal),
        secret_key: Secret::new(DEMO_SECRET_KEY, Origin::Env("HW_SK".to_string())),
        security_token: Some(Secret::new(value, Origin::Env("HW_STS".to_string()))),
    };
    settings(&mut temporary).auth = with_token("temporary-security-token");
    assert_eq!(complete_ids(&collect(&temporary)), expected);

    settings(&mut temporary).auth = with_token("expired-security-token");
    let (error, class) = failure(&collect(&temporary));
    assert_eq!(class, "auth");
    assert!(
        error.contains("security_token (from env HW_STS; temporary credentials expire)"),
        "{error}"
    );
    assert!(!error.contains("expired-security-token"), "{error}");
}

#[test]
fn a_failure_on_page_3_of_5_infers_nothing_and_keeps_history() {
    let sim = sim(9);
    let (_dir, mut store) = temp_store();
    let first = collect(&source(&sim, 2));
    assert_eq!(first.pages, 5);
    let summary = store_run(&mut store, first);
    assert_eq!(summary.sources[0].created, 9);
    let versions = "SELECT c.connection_id, v.version, v.event, v.status, coalesce(v.valid_to, '-') \
                    FROM versions v JOIN connections c ON c.id = v.connection ORDER BY 1, 2";
    let history = rows(&store, versions);

    // One connection goes, one changes; then page 3 fails for good.
    let (gone, changed) = sim.with_estate(|estate| {
        let gone = estate.connections[0]["id"].as_str().unwrap().to_string();
        let changed = estate.connections[8]["id"].as_str().unwrap().to_string();
        estate.remove(&gone);
        estate.get_mut(&changed).unwrap()["status"] = "ERROR".into();
        (gone, changed)
    });
    let before = sim.faults().request_count();
    sim.faults()
        .inject(before + 3, vpnsnap::sim::Fault::ServerError);
    let failed = collect_with(&source(&sim, 2), &options(0));
    let (error, class) = failure(&failed);
    assert_eq!(class, "server");
    assert!(
        error.contains("HTTP 500 VPN.0002: Internal server error (request id "),
        "{error}"
    );
    assert_eq!(failed.pages, 2);
    let summary = store_run(&mut store, failed);
    assert_eq!(summary.sources[0].outcome, "failed");
    assert_eq!(
        (summary.sources[0].deleted, summary.sources[0].changed),
        (0, 0)
    );
    assert_eq!(rows(&store, versions), history);
    assert_eq!(
        rows(
            &store,
            "SELECT outcome, item_count FROM run_sources WHERE run_id = 2"
        ),
        [["failed", "4"]]
    );

    // The next complete listing records both.
    let summary = store_run(&mut store, collect(&source(&sim, 2)));
    assert_eq!(
        (summary.sources[0].deleted, summary.sources[0].changed),
        (1, 1)
    );
    let events = rows(
        &store,
        "SELECT c.connection_id, v.event FROM versions v JOIN connections c ON c.id = v.connection \
         WHERE v.run_id = 3 ORDER BY v.event",
    );
    assert_eq!(
        events,
        [
            [changed, "changed".to_string()],
            [gone, "deleted".to_string()]
        ]
    );
}
