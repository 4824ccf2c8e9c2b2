//! Subnets: local endpoint groups (type `subnet`) and legacy vpnservices
//! name subnets by id, which the collector resolves to CIDRs through the
//! networking API (batched), a deleted subnet leaves the side absent with a
//! warning, and a failing subnets route fails the source; and the
//! simulator's subnets route.

use std::collections::HashMap;

use serde_json::json;
use vpnsnap::sim::openstack::{generate_estate, subnet};

use super::*;

const LEGACY_SUBNET: &str = "5b7c1e8a-0000-4000-8000-000000000001";

#[test]
fn a_generated_estate_gets_every_local_subnet_as_a_cidr_in_batches_of_100() {
    // 120 connections: 3 vpnservices, each with a local group naming a
    // subnet of its own; the first group names 101 more: 104 ids, asked
    // for in two requests (100 ids and 4).
    let mut estate = generate_estate(120, 11);
    assert_eq!(estate.subnets.len(), 3);
    for index in 0..101 {
        let id = format!("00000000-0000-4000-8000-{index:012}");
        let cidr = format!("10.250.{index}.0/24");
        estate
            .subnets
            .push(subnet(&id, &format!("extra-{index}"), &cidr));
        estate.endpoint_groups[0]["endpoints"]
            .as_array_mut()
            .unwrap()
            .push(json!(id));
    }
    let cidr_of_subnet: HashMap<&str, &str> = estate
        .subnets
        .iter()
        .map(|s| (s["id"].as_str().unwrap(), s["cidr"].as_str().unwrap()))
        .collect();
    let cidrs_of_group: HashMap<&str, Vec<String>> = estate
        .endpoint_groups
        .iter()
        .filter(|group| group["type"] == "subnet")
        .map(|group| {
            let endpoints = group["endpoints"].as_array().unwrap();
            let cidrs = endpoints
                .iter()
                .map(|id| cidr_of_subnet[id.as_str().unwrap()].to_string())
                .collect();
            (group["id"].as_str().unwrap(), cidrs)
        })
        .collect();
    assert_eq!(cidrs_of_group.len(), 3);
    let expected: HashMap<String, Option<Vec<String>>> = estate
        .connections
        .iter()
        .map(|c| {
            let local = c["local_ep_group_id"]
                .as_str()
                .map(|group| cidrs_of_group[group].clone());
            (c["id"].as_str().unwrap().to_string(), local)
        })
        .collect();
    let sim = OpenStackSim::start(OpenStackSimConfig {
        estate: estate.clone(),
        ..OpenStackSimConfig::default()
    })
    .unwrap();
    let collected = collect(&source(&sim, "region = \"RegionOne\"\n"));
    let items = complete(&collected);
    assert_eq!(items.len(), 120);
    for item in &items {
        let id = item.connection.connection_id.as_str();
        assert_eq!(item.connection.local_subnets, expected[id], "{id}");
        assert_eq!(item.warnings, Vec::<String>::new(), "{id}");
    }
    // The first group's subnets in its order: its own, then the 101.
    let first_group = estate.endpoint_groups[0]["id"].as_str().unwrap();
    let local = &cidrs_of_group[first_group];
    assert_eq!(local.len(), 102);
    assert_eq!(local[1..3], ["10.250.0.0/24", "10.250.1.0/24"]);
    assert_eq!(local[101], "10.250.100.0/24");
    // Legacy connections (no endpoint groups) have no local side here.
    let legacy = expected.values().filter(|local| local.is_none()).count();
    assert_eq!(legacy, 15);

    // The two batches went at once, so in either order.
    let mut batches: Vec<usize> = sim
        .requests()
        .iter()
        .filter(|request| request.contains("/v2.0/subnets?"))
        .map(|request| {
            assert!(request.ends_with("&fields=id&fields=cidr"), "{request}");
            request.matches("id=").count()
        })
        .collect();
    batches.sort_unstable();
    assert_eq!(batches, [4, 100]);
    // Login, 4 referenced collections, 2 subnet batches, the connections.
    assert_eq!(sim.requests().len(), 8);
    assert_eq!(collected.pages, 7);
}

#[test]
fn a_deleted_subnet_leaves_local_subnets_absent_with_a_warning_and_no_failure() {
    let sim = OpenStackSim::start(OpenStackSimConfig::default()).unwrap();
    let source = source(&sim, "region = \"RegionOne\"\n");
    let (_dir, mut store) = temp_store();
    write(&mut store, vec![collect(&source).result]);

    assert!(sim.with_estate(|estate| estate.remove_subnet(sample::LOCAL_SUBNET)));
    let collected = collect(&source);
    let items = &complete(&collected);
    use sample::*;
    assert_eq!(
        sim.requests()[sim.requests().len() - 2],
        subnets_request(&[LOCAL_SUBNET])
    );
    for (id, index) in [(CONNECTION_A, 0), (CONNECTION_B, 1)] {
        let item = item(items, id);
        assert_eq!(item.connection.local_subnets, None);
        assert_eq!(
            item.warnings,
            [format!(
                "$.ipsec_site_connections[{index}] (related).local_ep_group.endpoints: subnet \
                 {LOCAL_SUBNET} was not among the collected subnets (deleted, or no subnets body \
                 imported); local_subnets left out of the model"
            )]
        );
        // The peer side does not depend on it.
        assert!(item.connection.peer_subnets.is_some());
    }
    assert_eq!(item(items, CONNECTION_C).warnings, Vec::<String>::new());
    // A and B change: their local side is no longer known.
    let summary = write(&mut store, vec![collected.result]);
    let counts = &summary.sources[0];
    assert_eq!(
        (counts.changed, counts.unchanged, counts.deleted),
        (2, 1, 0)
    );
    assert_eq!(
        rows(
            &store,
            "SELECT count(*) FROM current_connections WHERE local_subnets IS NULL"
        ),
        [["3"]]
    );
}

#[test]
fn a_subnets_route_failing_beyond_retries_fails_the_source_and_deletes_nothing() {
    let sim = OpenStackSim::start(OpenStackSimConfig::default()).unwrap();
    let source = source(&sim, "region = \"RegionOne\"\n");
    let (_dir, mut store) = temp_store();
    write(&mut store, vec![collect(&source).result]);

    sim.with_estate(|estate| estate.remove_connection(sample::CONNECTION_C));
    sim.set_subnets_failing(true);
    let before = sim.requests().len();
    let collected = collect(&source);
    let (error, class) = failure(&collected);
    assert_eq!(class, "server");
    let request = subnets_request(&[sample::LOCAL_SUBNET]);
    assert!(
        error.starts_with(&format!(
            "server error: GET {}{}: HTTP 500 Internal Server Error: HTTPInternalServerError: \
             Request Failed: internal server error while processing your request. (request id req-",
            sim.url(),
            request.trim_start_matches("GET ")
        )),
        "{error}"
    );
    // Tried three times (two retries); the connections were never asked for.
    let requests = sim.requests();
    assert_eq!(requests[before + 5..], [&request; 3].map(String::clone));
    let summary = write(&mut store, vec![collected.result]);
    let counts = &summary.sources[0];
    assert_eq!((counts.outcome.as_str(), counts.deleted), ("failed", 0));
    assert_eq!(
        rows(&store, "SELECT count(*) FROM current_connections"),
        [["3"]]
    );
}

#[test]
fn a_legacy_vpnservice_subnet_is_fetched_with_the_groups_subnets() {
    let sim = OpenStackSim::start(OpenStackSimConfig::default()).unwrap();
    sim.with_estate(|estate| {
        estate.vpnservice_mut(sample::VPNSERVICE).unwrap()["subnet_id"] = json!(LEGACY_SUBNET);
        estate
            .subnets
            .push(subnet(LEGACY_SUBNET, "legacy", "192.168.50.0/24"));
    });
    let collected = collect(&source(&sim, "region = \"RegionOne\"\n"));
    let items = &complete(&collected);
    // The vpnservices are listed before the endpoint groups.
    assert_eq!(
        sim.requests()[5],
        subnets_request(&[LEGACY_SUBNET, sample::LOCAL_SUBNET])
    );
    let c = item(items, sample::CONNECTION_C);
    assert_eq!(
        c.connection.local_subnets,
        Some(vec!["192.168.50.0/24".to_string()])
    );
    assert_eq!(
        c.related_value().unwrap()["subnets"],
        json!([{"id": LEGACY_SUBNET, "cidr": "192.168.50.0/24"}])
    );
    // A connection with a local group takes the group's subnet.
    let a = item(items, sample::CONNECTION_A);
    assert_eq!(
        a.connection.local_subnets,
        Some(vec![sample::LOCAL_SUBNET_CIDR.to_string()])
    );
}

#[test]
fn the_simulator_filters_subnets_by_id_and_selects_fields_with_the_token_checked() {
    let sim = OpenStackSim::start(OpenStackSimConfig::default()).unwrap();
    sim.with_estate(|estate| {
        estate
            .subnets
            .push(subnet(LEGACY_SUBNET, "legacy", "192.168.50.0/24"));
    });
    let neutron = RawNeutron::login(&sim);
    let (status, _) = neutron.get("subnets", false);
    assert_eq!(status, 401);

    // Repeated ids (an unknown one absent), two fields selected.
    let query = format!(
        "?id={LEGACY_SUBNET}&id=nope&id={}&fields=id&fields=cidr",
        sample::LOCAL_SUBNET
    );
    let (status, body) = neutron.get(&format!("subnets{query}"), true);
    assert_eq!(status, 200);
    assert_eq!(
        body,
        json!({"subnets": [
            {"id": sample::LOCAL_SUBNET, "cidr": sample::LOCAL_SUBNET_CIDR},
            {"id": LEGACY_SUBNET, "cidr": "192.168.50.0/24"}
        ]})
    );
    // No filter: every subnet, whole.
    let (_, body) = neutron.get("subnets", true);
    assert_eq!(body["subnets"].as_array().unwrap().len(), 2);
    assert_eq!(body["subnets"][1]["gateway_ip"], json!("192.168.50.1"));

    let (status, body) = neutron.get("subnets/nope", true);
    assert_eq!(status, 404);
    assert_eq!(
        body,
        json!({"NeutronError": {"type": "SubnetNotFound",
               "message": "Subnet nope could not be found.", "detail": ""}})
    );
    sim.set_denied(true);
    let (status, body) = neutron.get("subnets", true);
    assert_eq!(status, 403);
    assert_eq!(
        body["NeutronError"]["message"],
        json!("rule:get_subnet is disallowed by policy")
    );
}
