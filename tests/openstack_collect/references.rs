//! Referenced objects the listing did not collect: created after their
//! collection was listed (shown by id, once), gone (404: left out, with a
//! warning), or failing (the source fails, nothing is inferred); and the
//! simulator's show route.

use vpnsnap::sim::openstack::Estate;

use super::*;

const CONNECTION_D: &str = "d0d4e7a1-2b3c-4d5e-8f60-718293a4b5c6";
const NEW_IKEPOLICY: &str = "7f3a9c2e-5b1d-4e8f-a6c4-0d2e1f3a5b7c";
const NEW_VPNSERVICE: &str = "2c4e6a8b-1d3f-4a5b-9c7d-e0f1a2b3c4d5";
const GONE_IKEPOLICY: &str = "0e9d8c7b-6a5f-4e3d-b2c1-a0f9e8d7c6b5";

/// An IKE policy shaped like the sample's, with its own id and settings.
fn new_ikepolicy(estate: &Estate) -> Value {
    let mut policy = estate.ikepolicies[0].clone();
    policy["id"] = Value::from(NEW_IKEPOLICY);
    policy["name"] = Value::from("ikepolicy-site4");
    policy["ike_version"] = Value::from("v1");
    policy["lifetime"]["value"] = Value::from(7200);
    policy
}

/// Creates connection D with a new IKE policy and a new vpnservice, as a
/// user would while a listing runs.
fn create_connection_d(estate: &mut Estate) {
    let policy = new_ikepolicy(estate);
    estate.ikepolicies.push(policy);
    let mut service = estate.vpnservices[0].clone();
    service["id"] = Value::from(NEW_VPNSERVICE);
    service["external_v4_ip"] = Value::from("172.24.4.12");
    estate.vpnservices.push(service);
    let mut connection = estate.connections[0].clone();
    connection["id"] = Value::from(CONNECTION_D);
    connection["name"] = Value::from("vpnconnection4");
    connection["ikepolicy_id"] = Value::from(NEW_IKEPOLICY);
    connection["vpnservice_id"] = Value::from(NEW_VPNSERVICE);
    estate.connections.push(connection);
}

#[test]
fn a_connection_created_after_its_references_were_listed_gets_them_shown() {
    let sim = OpenStackSim::start(OpenStackSimConfig::default()).unwrap();
    // Request 10 is the first page of connections: D, its IKE policy and its
    // vpnservice appear after those collections were listed.
    sim.edit_estate_on_request(10, create_connection_d);
    let collected = collect(&source(&sim, "region = \"RegionOne\"\npage_size = 2\n"));
    let items = &complete(&collected);
    use sample::*;
    assert_eq!(
        ids(items),
        [CONNECTION_B, CONNECTION_A, CONNECTION_C, CONNECTION_D]
    );
    let page = |path: &str, marker: Option<&str>| match marker {
        Some(marker) => neutron(&format!("{path}?limit=2&marker={marker}")),
        None => neutron(&format!("{path}?limit=2")),
    };
    assert_eq!(
        sim.requests(),
        [
            "POST /identity/v3/auth/tokens".to_string(),
            page("ikepolicies", None),
            page("ikepolicies", Some(LEGACY_IKEPOLICY)),
            // An empty page after a full one: its marker is shown.
            neutron(&format!("ikepolicies/{LEGACY_IKEPOLICY}")),
            page("ipsecpolicies", None),
            page("vpnservices", None),
            page("endpoint-groups", None),
            page("endpoint-groups", Some(PEER_GROUP_A)),
            subnets_request(&[LOCAL_SUBNET]),
            page("ipsec-site-connections", None),
            page("ipsec-site-connections", Some(CONNECTION_B)),
            // D is on this page: what it references and the listing lacks
            // is shown before the page is added.
            neutron(&format!("ikepolicies/{NEW_IKEPOLICY}")),
            neutron(&format!("vpnservices/{NEW_VPNSERVICE}")),
            page("ipsec-site-connections", Some(CONNECTION_D)),
            neutron(&format!("ipsec-site-connections/{CONNECTION_D}")),
        ]
    );
    assert_eq!(collected.pages, 12);
    for item in items {
        assert_eq!(item.warnings, Vec::<String>::new());
    }
    let d = item(items, CONNECTION_D);
    assert_eq!(d.connection.ike.version.as_deref(), Some("v1"));
    assert_eq!(d.connection.ike.lifetime_seconds, Some(7200));
    assert_eq!(
        d.connection.ike.encryption_algorithm.as_deref(),
        Some("aes-256")
    );
    assert_eq!(d.connection.gateway_ip.as_deref(), Some("172.24.4.12"));
    assert_eq!(d.connection.ipsec.lifetime_seconds, Some(3600));
    let related = d.related_value().unwrap();
    assert_eq!(related["ikepolicy"]["id"], Value::from(NEW_IKEPOLICY));
    assert_eq!(related["vpnservice"]["id"], Value::from(NEW_VPNSERVICE));
    let a = &item(items, CONNECTION_A).connection;
    assert_eq!(a.ike.version.as_deref(), Some("v2"));
    assert_eq!(a.gateway_ip.as_deref(), Some("172.24.4.11"));
}

#[test]
fn an_object_missing_from_its_listing_is_shown_once_for_every_page_using_it() {
    let sim = OpenStackSim::start(OpenStackSimConfig::default()).unwrap();
    // Request 18 is the first page of connections (one per page, after 11
    // pages of referenced objects, 4 markers shown and the subnets): all
    // three now use one new IKE policy.
    sim.edit_estate_on_request(18, |estate| {
        let policy = new_ikepolicy(estate);
        estate.ikepolicies.push(policy);
        for connection in &mut estate.connections {
            connection["ikepolicy_id"] = Value::from(NEW_IKEPOLICY);
        }
    });
    let collected = collect(&source(&sim, "region = \"RegionOne\"\npage_size = 1\n"));
    let items = &complete(&collected);
    use sample::*;
    let page = |marker: Option<&str>| match marker {
        Some(marker) => format!("GET {CONNECTIONS}?limit=1&marker={marker}"),
        None => format!("GET {CONNECTIONS}?limit=1"),
    };
    assert_eq!(
        sim.requests()[16..],
        [
            subnets_request(&[LOCAL_SUBNET]),
            page(None),
            neutron(&format!("ikepolicies/{NEW_IKEPOLICY}")),
            page(Some(CONNECTION_A)),
            page(Some(CONNECTION_B)),
            page(Some(CONNECTION_C)),
            neutron(&format!("ipsec-site-connections/{CONNECTION_C}")),
        ]
    );
    assert_eq!(sim.requests().len(), 23);
    for id in [CONNECTION_A, CONNECTION_B, CONNECTION_C] {
        let item = item(items, id);
        assert_eq!(item.warnings, Vec::<String>::new());
        assert_eq!(item.connection.ike.lifetime_seconds, Some(7200));
    }
}

#[test]
fn a_referenced_object_that_is_gone_is_asked_for_once_and_left_out_with_a_warning() {
    let sim = OpenStackSim::start(OpenStackSimConfig::default()).unwrap();
    sim.with_estate(|estate| {
        for id in [sample::CONNECTION_A, sample::CONNECTION_C] {
            estate.connection_mut(id).unwrap()["ikepolicy_id"] = Value::from(GONE_IKEPOLICY);
        }
    });
    let collected = collect(&source(&sim, "region = \"RegionOne\"\n"));
    let items = &complete(&collected);
    assert_eq!(items.len(), 3);
    // One page per collection and the subnets, then one show request,
    // answered 404 and not repeated.
    assert_eq!(
        sim.requests()[5..],
        [
            subnets_request(&[sample::LOCAL_SUBNET]),
            format!("GET {CONNECTIONS}"),
            neutron(&format!("ikepolicies/{GONE_IKEPOLICY}")),
        ]
    );
    assert_eq!(collected.pages, 7);
    for (id, index) in [(sample::CONNECTION_A, 0), (sample::CONNECTION_C, 2)] {
        let item = item(items, id);
        assert_eq!(
            item.warnings,
            [format!(
                "$.ipsec_site_connections[{index}].ikepolicy_id: ikepolicy {GONE_IKEPOLICY} was not \
                 among the collected objects; ike.* left out of the model"
            )]
        );
        let ike = &item.connection.ike;
        assert_eq!(
            (
                ike.version.as_deref(),
                ike.encryption_algorithm.as_deref(),
                ike.lifetime_seconds
            ),
            (None, None, None)
        );
        // The IPsec policy and the rest still resolve.
        assert_eq!(item.connection.ipsec.lifetime_seconds, Some(3600));
    }
    let b = item(items, sample::CONNECTION_B);
    assert_eq!(b.warnings, Vec::<String>::new());
    assert_eq!(b.connection.ike.lifetime_seconds, Some(28800));
}

#[test]
fn a_show_request_failing_beyond_retries_fails_the_source_and_deletes_nothing() {
    let sim = OpenStackSim::start(OpenStackSimConfig::default()).unwrap();
    let source = source(&sim, "region = \"RegionOne\"\n");
    let (_dir, mut store) = temp_store();
    write(&mut store, vec![collect(&source).result]);

    // D appears with new references while C is gone; showing D's IKE policy
    // fails on every attempt (one and two retries).
    let base = sim.faults().request_count();
    sim.edit_estate_on_request(base + 7, |estate| {
        create_connection_d(estate);
        estate.remove_connection(sample::CONNECTION_C);
    });
    for nth in base + 8..=base + 10 {
        sim.faults().inject(nth, Fault::ServerError);
    }
    let collected = collect(&source);
    let (error, class) = failure(&collected);
    assert_eq!(class, "server");
    let show = neutron(&format!("ikepolicies/{NEW_IKEPOLICY}"));
    assert!(
        error.starts_with(&format!(
            "server error: GET {}{}: HTTP 500 Internal Server Error: HTTPInternalServerError: \
             Request Failed: internal server error while processing your request. (request id req-",
            sim.url(),
            show.trim_start_matches("GET ")
        )),
        "{error}"
    );
    let requests = sim.requests();
    assert_eq!(
        requests[requests.len() - 4..],
        [
            format!("GET {CONNECTIONS}"),
            show.clone(),
            show.clone(),
            show
        ]
    );
    let summary = write(&mut store, vec![collected.result]);
    let counts = &summary.sources[0];
    assert_eq!(
        (
            counts.outcome.as_str(),
            counts.created,
            counts.changed,
            counts.deleted
        ),
        ("failed", 0, 0, 0)
    );
    assert_eq!(
        rows(
            &store,
            "SELECT connection_id FROM current_connections ORDER BY 1"
        ),
        [
            [sample::CONNECTION_B],
            [sample::CONNECTION_A],
            [sample::CONNECTION_C]
        ]
        .map(|row| row.map(String::from).to_vec())
        .to_vec()
    );
}

#[test]
fn the_simulator_shows_one_object_by_id_with_the_token_checked() {
    let sim = OpenStackSim::start(OpenStackSimConfig::default()).unwrap();
    let neutron = RawNeutron::login(&sim);
    let (status, body) = neutron.get(
        &format!("vpn/ikepolicies/{}", sample::SHARED_IKEPOLICY),
        false,
    );
    assert_eq!(status, 401, "{body}");

    let (status, body) = neutron.get(
        &format!("vpn/endpoint-groups/{}", sample::PEER_GROUP_B),
        true,
    );
    assert_eq!(status, 200);
    assert_eq!(
        body["endpoint_group"]["endpoints"],
        serde_json::json!(["10.3.0.0/24"])
    );
    assert_eq!(body.as_object().unwrap().len(), 1);

    for (path, kind, message) in [
        (
            "ikepolicies",
            "IKEPolicyNotFound",
            "IKEPolicy nope could not be found",
        ),
        (
            "ipsecpolicies",
            "IPsecPolicyNotFound",
            "IPsecPolicy nope could not be found",
        ),
        (
            "vpnservices",
            "VPNServiceNotFound",
            "VPNService nope could not be found",
        ),
        (
            "endpoint-groups",
            "VPNEndpointGroupNotFound",
            "Endpoint group nope could not be found",
        ),
        (
            "ipsec-site-connections",
            "IPsecSiteConnectionNotFound",
            "ipsec_site_connection nope not found",
        ),
    ] {
        let (status, body) = neutron.get(&format!("vpn/{path}/nope"), true);
        assert_eq!(status, 404);
        assert_eq!(
            body,
            serde_json::json!({"NeutronError": {"type": kind, "message": message, "detail": ""}})
        );
    }
}
