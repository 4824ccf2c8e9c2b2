//! Resolving connections' gateways (issue 21): the VPN gateways and customer
//! gateways are listed before the connections, each connection gets its
//! peer's address and its gateway's IP, an edit of a customer gateway is a
//! change of every connection using it, and a missing IAM permission names
//! itself and the key that turns resolution off.

use serde_json::{Value, json};
use vpnsnap::listing::SourceOutcome;
use vpnsnap::provider::Normalized;
use vpnsnap::sim::Fault;

use super::*;

fn resolving(sim: &HuaweiSim, page_size: u32) -> SourceConfig {
    let mut source = source(sim, page_size);
    settings(&mut source).resolve_gateways = true;
    source
}

fn items(collected: &Collected) -> Vec<Normalized> {
    match &collected.result.outcome {
        SourceOutcome::Complete(items) => items.to_vec().expect("the listing reads back"),
        other => panic!("expected a complete listing, got {other:?}"),
    }
}

/// The simulator's gateway objects, by id.
fn gateways(sim: &HuaweiSim) -> (Vec<Value>, Vec<Value>) {
    sim.with_estate(|estate| {
        (
            estate.vpn_gateways.clone(),
            estate.customer_gateways.clone(),
        )
    })
}

fn by_id<'a>(objects: &'a [Value], id: &str) -> &'a Value {
    objects
        .iter()
        .find(|object| object["id"] == id)
        .unwrap_or_else(|| panic!("no object {id}"))
}

#[test]
fn every_connection_gets_its_peer_address_and_gateway_ip() {
    let sim = sim(45);
    let (vpn_gateways, customer_gateways) = gateways(&sim);
    assert_eq!(vpn_gateways.len(), 3);
    let before = sim.faults().request_count();
    let collected = collect(&resolving(&sim, 20));
    // The VPN gateways, 3 pages of customer gateways, 3 of connections.
    assert_eq!(sim.faults().request_count() - before, 7);
    let requests = sim.requests();
    assert_eq!(
        requests[..4],
        [
            format!("GET /v5/{DEMO_PROJECT_ID}/vpn-gateways"),
            format!("GET /v5/{DEMO_PROJECT_ID}/customer-gateways?limit=20"),
            format!(
                "GET /v5/{DEMO_PROJECT_ID}/customer-gateways?limit=20&marker={}",
                customer_gateways[19]["id"].as_str().unwrap()
            ),
            format!(
                "GET /v5/{DEMO_PROJECT_ID}/customer-gateways?limit=20&marker={}",
                customer_gateways[39]["id"].as_str().unwrap()
            ),
        ]
    );
    let items = items(&collected);
    assert_eq!(items.len(), 45);
    let (mut public, mut private, mut fqdn) = (0, 0, 0);
    for item in &items {
        assert_eq!(item.warnings, Vec::<String>::new(), "{}", item.raw_json);
        let raw = item.raw_value().unwrap();
        let connection = &item.connection;
        let peer = by_id(&customer_gateways, raw["cgw_id"].as_str().unwrap());
        assert_eq!(
            connection.peer_address.as_deref(),
            peer["id_value"].as_str()
        );
        fqdn += usize::from(peer["id_type"] == "fqdn");
        let gateway = by_id(&vpn_gateways, raw["vgw_id"].as_str().unwrap());
        let expected = if gateway["network_type"] == "public" {
            public += 1;
            assert_eq!(raw["vgw_ip"], gateway["eip1"]["id"]);
            gateway["eip1"]["ip_address"].as_str()
        } else {
            private += 1;
            assert_eq!(raw["vgw_ip"], gateway["access_private_ip_1"]);
            gateway["access_private_ip_1"].as_str()
        };
        assert_eq!(connection.gateway_ip.as_deref(), expected);
        assert_eq!(connection.peer_gateway_id.as_deref(), peer["id"].as_str());
        assert_eq!(connection.gateway_id.as_deref(), gateway["id"].as_str());
        // Stored with the version, without the gateway's connection counters.
        let related = item.related_value().unwrap();
        assert_eq!(related["customer_gateway"], *peer);
        assert_eq!(related["vpn_gateway"]["id"], gateway["id"]);
        assert!(
            related["vpn_gateway"]
                .get("used_connection_number")
                .is_none()
        );
        assert!(related["vpn_gateway"].get("flavor").is_some());
    }
    assert!(
        public > 0 && private > 0 && fqdn > 0,
        "{public} {private} {fqdn}"
    );
}

#[test]
fn resolve_gateways_false_reads_the_connections_alone() {
    let sim = sim(10);
    let before = sim.faults().request_count();
    let collected = collect(&source(&sim, 200));
    assert_eq!(sim.faults().request_count() - before, 1);
    for item in items(&collected) {
        let raw = item.raw_value().unwrap();
        assert_eq!(item.connection.peer_address, None);
        assert_eq!(
            item.connection.gateway_ip.as_deref(),
            raw["vgw_ip"].as_str()
        );
        assert_eq!(item.related_json, None);
    }
}

/// Huawei's API lets a customer gateway's name and certificate be edited in
/// place (a new address is a new customer gateway): such an edit is a change
/// of every connection using it, and nothing else changes.
#[test]
fn a_customer_gateway_edited_in_place_changes_every_connection_using_it() {
    let sim = sim(6);
    // Two connections on one customer gateway.
    let (shared, other) = sim.with_estate(|estate| {
        let shared = estate.connections[0]["cgw_id"].clone();
        estate.connections[1]["cgw_id"] = shared.clone();
        let ids = (
            estate.connections[0]["id"].clone(),
            estate.connections[1]["id"].clone(),
        );
        (shared.as_str().unwrap().to_string(), ids)
    });
    let source = resolving(&sim, 200);
    let (_dir, mut store) = temp_store();
    store_run(&mut store, collect(&source));
    sim.with_estate(|estate| {
        let gateway = estate.customer_gateway_mut(&shared).unwrap();
        gateway["name"] = json!("branch-renamed");
        gateway["updated_at"] = json!("2026-11-20T08:00:00Z");
    });
    let summary = store_run(&mut store, collect(&source));
    assert_eq!(summary.sources[0].changed, 2, "{summary:?}");
    let changes = rows(
        &store,
        "SELECT connection_id, field, new_value FROM connection_changes \
         WHERE event = 'changed' ORDER BY connection_id, field",
    );
    let mut expected = Vec::new();
    for id in [&other.0, &other.1] {
        let id = id.as_str().unwrap().to_string();
        expected.push(vec![
            id.clone(),
            "related.customer_gateway.name".to_string(),
            "branch-renamed".to_string(),
        ]);
        expected.push(vec![
            id,
            "related.customer_gateway.updated_at".to_string(),
            "2026-11-20T08:00:00Z".to_string(),
        ]);
    }
    expected.sort();
    assert_eq!(changes, expected);
    // A VPN gateway's connection counters change with every connection
    // added: not a change of the others.
    sim.with_estate(|estate| {
        for gateway in &mut estate.vpn_gateways {
            gateway["used_connection_number"] = json!(99);
            gateway["updated_at"] = json!("2026-11-21T08:00:00Z");
        }
    });
    let summary = store_run(&mut store, collect(&source));
    assert_eq!(summary.sources[0].changed, 0, "{summary:?}");
}

#[test]
fn a_missing_permission_names_the_action_and_the_key() {
    for (collection, action) in [
        ("vpn-gateways", "vpn:vpnGateways:list"),
        ("customer-gateways", "vpn:customerGateways:list"),
    ] {
        let sim = sim(3);
        let source = resolving(&sim, 200);
        let (_dir, mut store) = temp_store();
        store_run(&mut store, collect(&source));
        sim.deny(collection);
        let collected = collect(&source);
        let (error, class) = failure(&collected);
        assert_eq!(class, "auth", "{error}");
        assert!(error.contains(&format!("/{collection}")), "{error}");
        assert!(
            error.contains(&format!("the IAM permission {action}")),
            "{error}"
        );
        assert!(error.contains("resolve_gateways = false"), "{error}");
        let summary = store_run(&mut store, collected);
        assert_eq!(summary.sources[0].deleted, 0);
        // Turned off, the source lists its connections again.
        let mut off = source.clone();
        settings(&mut off).resolve_gateways = false;
        assert_eq!(items(&collect(&off)).len(), 3);
    }
}

#[test]
fn a_failing_customer_gateway_page_fails_the_listing() {
    let sim = sim(5);
    let source = resolving(&sim, 2);
    let (_dir, mut store) = temp_store();
    store_run(&mut store, collect(&source));
    // The second page of customer gateways fails beyond the retries.
    let next = sim.faults().request_count() + 3;
    for nth in next..next + 3 {
        sim.faults().inject(nth, Fault::ServerError);
    }
    let collected = collect(&source);
    let (error, class) = failure(&collected);
    assert_eq!(class, "server", "{error}");
    assert!(
        error.contains("/customer-gateways?limit=2&marker="),
        "{error}"
    );
    let summary = store_run(&mut store, collected);
    assert_eq!(summary.sources[0].deleted, 0);
}

#[test]
fn saved_gateway_bodies_import_as_a_live_collect_stores_them() {
    let sim = sim(12);
    let source = resolving(&sim, 200);
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("collected.db")).unwrap();
    store_run(&mut store, collect(&source));
    let (vpn_gateways, customer_gateways) = gateways(&sim);
    let connections = sim.with_estate(|estate| estate.connections.clone());
    let bodies = [
        ("connections.json", json!({"vpn_connections": connections})),
        ("vpn-gateways.json", json!({"vpn_gateways": vpn_gateways})),
        (
            "customer-gateways.json",
            json!({"customer_gateways": customer_gateways}),
        ),
    ];
    let mut args = vec![
        "--db",
        "imported.db",
        "import",
        "--source",
        "hw",
        "--kind",
        "huaweicloud",
        "--region",
        "ap-southeast-1",
        "--account",
        DEMO_PROJECT_ID,
        "--observed-at",
        "2026-11-01T00:00:00Z",
    ];
    for (name, body) in &bodies {
        std::fs::write(dir.path().join(name), body.to_string()).unwrap();
        args.push(name);
    }
    let output = vpnsnap(dir.path(), &args);
    assert_eq!(output.code, 0, "{}{}", output.stdout, output.stderr);
    assert!(!output.stderr.contains("WARN"), "{}", output.stderr);
    let imported = Store::open(&dir.path().join("imported.db")).unwrap();
    let stored = "SELECT cc.connection_id, cc.peer_address, cc.gateway_ip, cc.related_json, cc.raw_json, \
                  hex(v.content_hash) FROM current_connections cc \
                  JOIN versions v ON v.id = cc.version_id ORDER BY 1";
    let collected = rows(&store, stored);
    assert_eq!(collected.len(), 12);
    assert!(
        collected
            .iter()
            .all(|row| row[1] != "NULL" && row[3] != "NULL")
    );
    assert_eq!(rows(&imported, stored), collected);
}

#[test]
fn customer_gateways_are_asked_for_at_most_200_a_page() {
    let sim = HuaweiSim::start(HuaweiSimConfig {
        max_limit: 2000,
        estate: generate_estate(3, 5),
        ..HuaweiSimConfig::default()
    })
    .unwrap();
    let collected = collect(&resolving(&sim, 1000));
    assert_eq!(items(&collected).len(), 3);
    assert_eq!(
        sim.requests()[..3],
        [
            format!("GET /v5/{DEMO_PROJECT_ID}/vpn-gateways"),
            format!("GET /v5/{DEMO_PROJECT_ID}/customer-gateways?limit=200"),
            format!("GET /v5/{DEMO_PROJECT_ID}/vpn-connection?limit=1000"),
        ]
    );
}

#[test]
fn a_gateway_gone_from_the_project_is_asked_for_once_and_warned_about() {
    let sim = sim(4);
    let connection = sim.with_estate(|estate| {
        estate.connections[0]["cgw_id"] = json!("cgw-deleted");
        estate.connections[1]["cgw_id"] = json!("cgw-deleted");
        estate.connections[0]["id"].as_str().unwrap().to_string()
    });
    let collected = collect(&resolving(&sim, 200));
    let shown: Vec<String> = sim
        .requests()
        .into_iter()
        .filter(|request| request.contains("/customer-gateways/"))
        .collect();
    assert_eq!(
        shown,
        [format!(
            "GET /v5/{DEMO_PROJECT_ID}/customer-gateways/cgw-deleted"
        )]
    );
    let items = items(&collected);
    assert_eq!(items.len(), 4);
    let item = items
        .iter()
        .find(|item| item.connection.connection_id == connection)
        .unwrap();
    assert_eq!(item.connection.peer_address, None);
    assert_eq!(item.warnings.len(), 1, "{:?}", item.warnings);
    assert!(
        item.warnings[0].contains("customer_gateway cgw-deleted was not among the collected"),
        "{:?}",
        item.warnings
    );
}
