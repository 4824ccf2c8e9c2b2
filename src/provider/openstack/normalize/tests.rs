//! Tests of the OpenStack normalizer: fixtures and edge cases, exact expected values.

use serde_json::json;

use super::*;
use crate::model::Routing;
use crate::provider::test_support::{normalize_all, strings};
use crate::provider::{Normalized, REDACTED};

const SHOW: &str = include_str!("../../../../tests/fixtures/openstack/002_show.json");
const LIST: &str = include_str!("../../../../tests/fixtures/openstack/003_list.json");
const RELATED_FIXTURES: [&str; 5] = [
    include_str!("../../../../tests/fixtures/openstack/ikepolicies.json"),
    include_str!("../../../../tests/fixtures/openstack/ipsecpolicies.json"),
    include_str!("../../../../tests/fixtures/openstack/vpnservices.json"),
    include_str!("../../../../tests/fixtures/openstack/endpoint_groups.json"),
    include_str!("../../../../tests/fixtures/openstack/subnets.json"),
];
const LOCAL_SUBNET: &str = "a0ab1a4b-3d5c-4e33-9d0f-3c1a5f0c7b2e";
const PROJECT: &str = "10039663455a446d8ba2cbb058b0f578";

fn context() -> NormalizeContext<'static> {
    NormalizeContext {
        source: "os-lab",
        region: Some("RegionOne"),
        account: Some("context-project"),
    }
}

fn decode(body: &str) -> Page {
    decode_page(serde_json::from_str(body).unwrap()).unwrap()
}

/// The related fixtures, as the collector would gather them.
fn related() -> Related {
    let mut related = Related::default();
    for body in RELATED_FIXTURES {
        for (kind, path, object) in decode(body).related {
            related.insert(kind, object, &path).unwrap();
        }
    }
    related
}

fn normalize_body(body: &str, related: &Related) -> Vec<Normalized> {
    normalize_all(
        ProviderKind::OpenStack,
        decode(body).connections,
        related,
        &context(),
    )
}

#[test]
fn related_fixtures_decode_by_kind() {
    let kinds: Vec<(RelatedKind, String)> = RELATED_FIXTURES
        .iter()
        .flat_map(|body| decode(body).related)
        .map(|(kind, path, _)| (kind, path))
        .collect();
    assert_eq!(
        kinds,
        [
            (RelatedKind::IkePolicy, "$.ikepolicies[0]".to_string()),
            (RelatedKind::IkePolicy, "$.ikepolicies[1]".to_string()),
            (RelatedKind::IpsecPolicy, "$.ipsecpolicies[0]".to_string()),
            (RelatedKind::IpsecPolicy, "$.ipsecpolicies[1]".to_string()),
            (RelatedKind::VpnService, "$.vpnservices[0]".to_string()),
            (
                RelatedKind::EndpointGroup,
                "$.endpoint_groups[0]".to_string()
            ),
            (
                RelatedKind::EndpointGroup,
                "$.endpoint_groups[1]".to_string()
            ),
            (RelatedKind::Subnet, "$.subnets[0]".to_string()),
        ]
    );
    assert_eq!(related().len(), 8);
}

#[test]
fn one_body_may_hold_several_kinds() {
    let page = decode_page(json!({
        "ipsec_site_connection": {"id": "c1"},
        "ikepolicy": {"id": "i1"},
        "endpoint_groups": [{"id": "e1"}],
        "endpoint_groups_links": [{"href": "http://neutron/v2.0/vpn/endpoint-groups?marker=e1", "rel": "next"}]
    }))
    .unwrap();
    assert_eq!(
        page.connections,
        [("$.ipsec_site_connection".to_string(), json!({"id": "c1"}))]
    );
    let related: Vec<(RelatedKind, &str)> = page
        .related
        .iter()
        .map(|(kind, path, _)| (*kind, path.as_str()))
        .collect();
    assert_eq!(
        related,
        [
            (RelatedKind::IkePolicy, "$.ikepolicy"),
            (RelatedKind::EndpointGroup, "$.endpoint_groups[0]")
        ]
    );
    assert_eq!(page.total_count, None);
}

#[test]
fn seed_002_show_with_related_objects() {
    let normalized = normalize_body(SHOW, &related());
    let [n] = &normalized[..] else {
        panic!("expected one connection")
    };
    let c = &n.connection;
    assert_eq!(c.provider, "openstack");
    assert_eq!(c.connection_id, "851f280f-5639-4ea3-81aa-e298525ab74b");
    assert_eq!(c.region.as_deref(), Some("RegionOne"));
    assert_eq!(c.account.as_deref(), Some(PROJECT));
    assert_eq!(c.name.as_deref(), Some("vpnconnection1"));
    assert_eq!(c.status, Status::Down);
    assert_eq!(c.provider_status.as_deref(), Some("DOWN"));
    assert_eq!(
        c.gateway_id.as_deref(),
        Some("5c561d9d-eaea-45f6-ae3e-08d1a7080828")
    );
    assert_eq!(c.gateway_ip.as_deref(), Some("172.24.4.11"));
    assert_eq!(c.peer_gateway_id, None);
    assert_eq!(c.peer_address.as_deref(), Some("172.24.4.226"));
    assert_eq!(c.local_subnets, strings(&["10.1.0.0/24"]));
    assert_eq!(c.peer_subnets, strings(&["10.2.0.0/24", "10.2.1.0/24"]));
    assert_eq!(c.routing, Some(Routing::Static));
    assert_eq!(c.admin_state_up, Some(true));
    assert_eq!(c.ike.version.as_deref(), Some("v2"));
    assert_eq!(c.ike.auth_algorithm.as_deref(), Some("sha2-256"));
    assert_eq!(c.ike.encryption_algorithm.as_deref(), Some("aes-256"));
    assert_eq!(c.ike.dh_group.as_deref(), Some("group14"));
    assert_eq!(c.ike.lifetime_seconds, Some(28800));
    assert_eq!(c.ike.negotiation_mode.as_deref(), Some("main"));
    assert_eq!(c.ike.local_id, None);
    assert_eq!(c.ike.peer_id.as_deref(), Some("172.24.4.226"));
    assert_eq!(c.dpd.action.as_deref(), Some("hold"));
    assert_eq!(c.dpd.interval, Some(30));
    assert_eq!(c.dpd.timeout, Some(120));
    assert_eq!(c.ipsec.auth_algorithm.as_deref(), Some("sha2-256"));
    assert_eq!(c.ipsec.encryption_algorithm.as_deref(), Some("aes-256"));
    assert_eq!(c.ipsec.pfs.as_deref(), Some("group14"));
    assert_eq!(c.ipsec.transform_protocol.as_deref(), Some("esp"));
    assert_eq!(c.ipsec.encapsulation_mode.as_deref(), Some("tunnel"));
    assert_eq!(c.ipsec.lifetime_seconds, Some(3600));
    assert_eq!(c.ipsec.lifetime_kilobytes, None);
    assert_eq!(c.tags, None);
    assert_eq!(c.created_at, None);
    assert_eq!(c.psk_fingerprint.as_deref().map(str::len), Some(16));
    assert_eq!(n.raw_value().unwrap()["psk"], json!(REDACTED));
    assert!(n.warnings.is_empty(), "{:?}", n.warnings);

    // The references stay raw, so re-pointing the connection is a recorded change.
    assert_eq!(
        n.unmapped_value(),
        json!({
            "initiator": "bi-directional",
            "auth_mode": "psk",
            "peer_cidrs": [],
            "mtu": 1500,
            "peer_ep_group_id": "9ad5a7e0-6dac-41b4-b20d-a7b8645fddf1",
            "ikepolicy_id": "9b00d6b0-6c93-4ca5-9747-b8ade7bb514f",
            "ipsecpolicy_id": "e6e23d0c-9519-4d52-8ea4-5b1f96d857b1",
            "local_ep_group_id": "3e1815dd-e212-43d0-8f13-b494fa553e68",
            "description": ""
        })
    );
    let related = &n.related_value().unwrap();
    let roles: Vec<&str> = related
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        roles,
        [
            "ikepolicy",
            "ipsecpolicy",
            "local_ep_group",
            "peer_ep_group",
            "subnets",
            "vpnservice"
        ]
    );
    // Only what the model reads of a subnet, whatever else its body held.
    assert_eq!(
        related["subnets"],
        json!([{"id": LOCAL_SUBNET, "cidr": "10.1.0.0/24"}])
    );
    assert_eq!(related["ikepolicy"]["name"], json!("ikepolicy-site1"));
    assert_eq!(
        related["peer_ep_group"]["id"],
        json!("9ad5a7e0-6dac-41b4-b20d-a7b8645fddf1")
    );
    let owner = json!({"tenant_id": PROJECT, "project_id": PROJECT});
    let with_owner = |extra: Value| {
        let mut object = owner.clone();
        object
            .as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        object
    };
    assert_eq!(
        n.unmapped_related_value(),
        json!({
            "ikepolicy": with_owner(json!({
                "name": "ikepolicy-site1", "description": "IKE policy for the Frankfurt office"
            })),
            "ipsecpolicy": with_owner(json!({"name": "ipsecpolicy-site1", "description": ""})),
            "vpnservice": with_owner(json!({
                "name": "vpnservice-router1", "description": "",
                "router_id": "66e3b16c-8ce5-40fb-bb49-ab6d8dc3f2aa", "subnet_id": null, "flavor_id": null,
                "admin_state_up": true, "status": "ACTIVE", "external_v6_ip": "2001:db8::11"
            })),
            "local_ep_group": with_owner(json!({
                "name": "site1-local", "description": "private subnet behind router1", "type": "subnet"
            })),
            "peer_ep_group": with_owner(json!({"name": "site1-peers", "description": "", "type": "cidr"}))
        })
    );
}

#[test]
fn seed_003_list_without_related_objects_warns() {
    let normalized = normalize_body(LIST, &Related::default());
    let [n] = &normalized[..] else {
        panic!("expected one connection")
    };
    let c = &n.connection;
    assert_eq!(c.connection_id, "851f280f-5639-4ea3-81aa-e298525ab74b");
    assert_eq!(c.status, Status::Pending);
    assert_eq!(c.provider_status.as_deref(), Some("PENDING CREATE"));
    assert_eq!(
        c.gateway_id.as_deref(),
        Some("5c561d9d-eaea-45f6-ae3e-08d1a7080828")
    );
    assert_eq!(c.gateway_ip, None);
    assert_eq!(c.ike.peer_id.as_deref(), Some("172.24.4.226"));
    assert_eq!(c.ike.version, None);
    assert_eq!(c.ike.encryption_algorithm, None);
    assert_eq!(c.ipsec.pfs, None);
    assert_eq!(c.local_subnets, None);
    assert_eq!(c.peer_subnets, None);
    assert_eq!(c.dpd.action.as_deref(), Some("hold"));
    assert_eq!(n.related_value(), None);
    assert_eq!(n.unmapped_related_value(), json!({}));
    assert_eq!(
        n.warnings,
        [
            "$.ipsec_site_connections[0].ikepolicy_id: ikepolicy 9b00d6b0-6c93-4ca5-9747-b8ade7bb514f \
             was not among the collected objects; ike.* left out of the model",
            "$.ipsec_site_connections[0].ipsecpolicy_id: ipsecpolicy e6e23d0c-9519-4d52-8ea4-5b1f96d857b1 \
             was not among the collected objects; ipsec.* left out of the model",
            "$.ipsec_site_connections[0].vpnservice_id: vpnservice 5c561d9d-eaea-45f6-ae3e-08d1a7080828 \
             was not among the collected objects; gateway_ip left out of the model",
            "$.ipsec_site_connections[0].local_ep_group_id: local_ep_group 3e1815dd-e212-43d0-8f13-b494fa553e68 \
             was not among the collected objects; local_subnets left out of the model",
            "$.ipsec_site_connections[0].peer_ep_group_id: peer_ep_group 9ad5a7e0-6dac-41b4-b20d-a7b8645fddf1 \
             was not among the collected objects; peer_subnets left out of the model",
        ]
    );
}

#[test]
fn a_policy_edited_in_place_shows_in_unmapped_related() {
    let before = normalize_body(SHOW, &related());
    let mut edited = Related::default();
    for body in RELATED_FIXTURES {
        for (kind, path, mut object) in decode(body).related {
            if object["id"] == json!("9b00d6b0-6c93-4ca5-9747-b8ade7bb514f") {
                object["name"] = json!("ikepolicy-site1-renamed");
                object["lifetime"]["value"] = json!(14400);
            }
            edited.insert(kind, object, &path).unwrap();
        }
    }
    let after = normalize_body(SHOW, &edited);
    assert_eq!(before[0].connection.ike.lifetime_seconds, Some(28800));
    assert_eq!(after[0].connection.ike.lifetime_seconds, Some(14400));
    assert_eq!(
        before[0].unmapped_related_value()["ikepolicy"]["name"],
        json!("ikepolicy-site1")
    );
    assert_eq!(
        after[0].unmapped_related_value()["ikepolicy"]["name"],
        json!("ikepolicy-site1-renamed")
    );
    assert_eq!(before[0].unmapped_value(), after[0].unmapped_value());
}

#[test]
fn kilobyte_lifetimes_peer_cidrs_and_legacy_subnet() {
    let mut related = related();
    let service = json!({"id": "svc-legacy", "subnet_id": "5b7c1e8a-0000-4000-8000-000000000001",
                         "external_v4_ip": null, "external_v6_ip": "2001:db8::20"});
    related
        .insert(RelatedKind::VpnService, service, "$.vpnservice")
        .unwrap();
    let subnet = json!({"id": "5b7c1e8a-0000-4000-8000-000000000001", "cidr": "192.168.7.0/24"});
    related
        .insert(RelatedKind::Subnet, subnet, "$.subnet")
        .unwrap();
    let object = json!({
        "id": "c-legacy", "status": "BUILD", "tenant_id": "tenant-only",
        "vpnservice_id": "svc-legacy", "ipsecpolicy_id": "2f6bfd2a-5a3a-4b1e-9a47-0c6fbb3d9c11",
        "ikepolicy_id": "5522aff7-1b3c-48dd-9c3c-b50f016b73db",
        "peer_cidrs": ["10.9.0.0/16", "10.10.0.0/16"], "route_mode": "static"
    });
    let output = normalize("$.ipsec_site_connection", object, &related, &context()).unwrap();
    let c = &output.connection;
    assert_eq!(c.status, Status::Pending);
    assert_eq!(c.account.as_deref(), Some("tenant-only"));
    assert_eq!(c.gateway_ip.as_deref(), Some("2001:db8::20"));
    assert_eq!(c.local_subnets, strings(&["192.168.7.0/24"]));
    assert_eq!(c.peer_subnets, strings(&["10.9.0.0/16", "10.10.0.0/16"]));
    assert_eq!(c.ike.version.as_deref(), Some("v1"));
    assert_eq!(c.ike.auth_algorithm.as_deref(), Some("sha1"));
    assert_eq!(c.ike.encryption_algorithm.as_deref(), Some("3des"));
    assert_eq!(c.ike.dh_group.as_deref(), Some("group2"));
    assert_eq!(c.ipsec.lifetime_seconds, None);
    assert_eq!(c.ipsec.lifetime_kilobytes, Some(4608000));
    assert_eq!(c.ipsec.transform_protocol.as_deref(), Some("ah-esp"));
    assert_eq!(c.ipsec.encapsulation_mode.as_deref(), Some("transport"));
    assert_eq!(c.ipsec.pfs.as_deref(), Some("group5"));
    assert!(output.warnings.is_empty(), "{:?}", output.warnings);
    assert_eq!(
        output.unmapped,
        json!({"ipsecpolicy_id": "2f6bfd2a-5a3a-4b1e-9a47-0c6fbb3d9c11",
               "ikepolicy_id": "5522aff7-1b3c-48dd-9c3c-b50f016b73db"})
    );
    assert_eq!(
        output.unmapped_related["vpnservice"],
        json!({"external_v4_ip": null})
    );
}

#[test]
fn statuses_and_account_fallback() {
    let cases = [
        ("ACTIVE", Status::Active),
        ("DOWN", Status::Down),
        ("ERROR", Status::Error),
        ("BUILD", Status::Pending),
        ("PENDING_CREATE", Status::Pending),
        ("PENDING_UPDATE", Status::Pending),
        ("PENDING_DELETE", Status::Pending),
        ("PENDING CREATE", Status::Pending),
        ("PENDING", Status::Unknown),
        ("SHUTOFF", Status::Unknown),
    ];
    for (raw, expected) in cases {
        let object = json!({"id": "c1", "status": raw});
        let output = normalize(
            "$.ipsec_site_connection",
            object,
            &Related::default(),
            &context(),
        )
        .unwrap();
        assert_eq!(output.connection.status, expected, "{raw}");
        assert_eq!(output.connection.provider_status.as_deref(), Some(raw));
        assert_eq!(
            output.connection.account.as_deref(),
            Some("context-project")
        );
        assert!(output.warnings.is_empty());
    }
}

#[test]
fn missing_id_and_error_bodies() {
    let object = json!({"name": "no id"});
    let error = normalize(
        "$.ipsec_site_connections[1]",
        object,
        &Related::default(),
        &context(),
    )
    .unwrap_err();
    assert_eq!(error.path, "$.ipsec_site_connections[1].id");

    let error = decode_page(json!({"NeutronError": {
        "type": "IPsecSiteConnectionNotFound",
        "message": "IPsec site connection 851f280f could not be found",
        "detail": ""
    }}))
    .unwrap_err();
    assert_eq!(error.path, "$.NeutronError");
    assert_eq!(
        error.message,
        "the body is a Neutron API error, not connections: IPsecSiteConnectionNotFound: \
         IPsec site connection 851f280f could not be found"
    );

    let error = decode_page(json!({"networks": []})).unwrap_err();
    assert_eq!(error.path, "$");
    assert!(
        error.message.contains("\"ipsec_site_connections\""),
        "{}",
        error.message
    );
    assert!(
        error.message.contains("[\"networks\"]"),
        "{}",
        error.message
    );
    let error = decode_page(json!({"ikepolicies": {"id": "x"}})).unwrap_err();
    assert_eq!(error.path, "$.ikepolicies");
}
