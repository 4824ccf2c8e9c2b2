//! Tests of the Huawei Cloud normalizer: fixtures and edge cases, exact expected values.

use serde_json::json;

use super::*;
use crate::model::Routing;
use crate::provider::test_support::{normalize_all, strings};
use crate::provider::{Normalized, REDACTED, Related};

const SHOW_AS_PRINTED: &str =
    include_str!("../../../../tests/fixtures/huaweicloud/000_show_as_printed.json");
const SHOW_CORRECTED: &str =
    include_str!("../../../../tests/fixtures/huaweicloud/000_show_corrected.json");
const LIST_ALL: &str = include_str!("../../../../tests/fixtures/huaweicloud/001_list_all.json");
const LIST_BY_VGW_IP: &str =
    include_str!("../../../../tests/fixtures/huaweicloud/001_list_by_vgw_ip.json");
const LIST_BY_VGW_ID: &str =
    include_str!("../../../../tests/fixtures/huaweicloud/001_list_by_vgw_id.json");

fn context() -> NormalizeContext<'static> {
    NormalizeContext {
        source: "hw-prod",
        region: Some("eu-west-101"),
        account: Some("0b5a8f9e2d3c4b1a9e8d7c6b5a4f3e2d"),
    }
}

/// Decodes a body and normalizes every connection through the generic entry point.
fn normalize_body(body: &str) -> (Page, Vec<Normalized>) {
    let body: Value = serde_json::from_str(body).unwrap();
    let mut page = decode_page(body).unwrap();
    let connections = std::mem::take(&mut page.connections);
    let normalized = normalize_all(
        ProviderKind::HuaweiCloud,
        connections,
        &Related::default(),
        &context(),
    );
    (page, normalized)
}

fn connection(object: Value) -> ProviderOutput {
    normalize(
        "$.vpn_connections[0]",
        object,
        &Related::default(),
        &context(),
    )
    .unwrap()
}

#[test]
fn seed_000_as_printed_is_not_json() {
    assert!(serde_json::from_str::<Value>(SHOW_AS_PRINTED).is_err());
}

#[test]
fn seed_000_corrected_show_body() {
    let (page, normalized) = normalize_body(SHOW_CORRECTED);
    assert_eq!(page.total_count, None);
    assert_eq!(normalized.len(), 1);
    let n = &normalized[0];
    let c = &n.connection;
    assert_eq!(c.source, "hw-prod");
    assert_eq!(c.provider, "huaweicloud");
    assert_eq!(c.connection_id, "98c5af8a-demo-a8df-va86-ae2280a6f4c3");
    assert_eq!(c.region.as_deref(), Some("eu-west-101"));
    assert_eq!(
        c.account.as_deref(),
        Some("0b5a8f9e2d3c4b1a9e8d7c6b5a4f3e2d")
    );
    assert_eq!(c.name.as_deref(), Some("vpn-1655"));
    assert_eq!(c.status, Status::Down);
    assert_eq!(c.provider_status.as_deref(), Some("DOWN"));
    assert_eq!(
        c.gateway_id.as_deref(),
        Some("b32d91a4-demo-a8df-va86-e907174eb11d")
    );
    assert_eq!(
        c.gateway_ip.as_deref(),
        Some("0c464dad-demo-a8df-va86-c22bb0eb0bde")
    );
    assert_eq!(
        c.peer_gateway_id.as_deref(),
        Some("5247ae10-demo-a8df-va86-dd36659a7f5d")
    );
    assert_eq!(c.peer_address, None);
    assert_eq!(c.routing, Some(Routing::Policy));
    assert_eq!(c.local_subnets, strings(&["10.0.0.0/24"]));
    assert_eq!(c.peer_subnets, strings(&["192.168.0.0/24"]));
    assert_eq!(c.admin_state_up, None);
    assert_eq!(c.ike.version.as_deref(), Some("v2"));
    assert_eq!(c.ike.auth_algorithm.as_deref(), Some("sha2-256"));
    assert_eq!(c.ike.encryption_algorithm.as_deref(), Some("aes-128"));
    assert_eq!(c.ike.dh_group.as_deref(), Some("group15"));
    assert_eq!(c.ike.lifetime_seconds, Some(86400));
    assert_eq!(c.ike.negotiation_mode, None);
    assert_eq!(c.ike.local_id.as_deref(), Some("10.***.***.134"));
    assert_eq!(c.ike.peer_id.as_deref(), Some("88.***.***.164"));
    assert_eq!(c.dpd.interval, Some(30));
    assert_eq!(c.dpd.timeout, Some(15));
    assert_eq!(c.dpd.action, None);
    assert_eq!(c.ipsec.auth_algorithm.as_deref(), Some("sha2-256"));
    assert_eq!(c.ipsec.encryption_algorithm.as_deref(), Some("aes-128"));
    assert_eq!(c.ipsec.pfs.as_deref(), Some("group15"));
    assert_eq!(c.ipsec.transform_protocol.as_deref(), Some("esp"));
    assert_eq!(c.ipsec.encapsulation_mode.as_deref(), Some("tunnel"));
    assert_eq!(c.ipsec.lifetime_seconds, Some(3600));
    assert_eq!(c.ipsec.lifetime_kilobytes, None);
    assert_eq!(c.psk_fingerprint, None);
    assert_eq!(c.created_at.as_deref(), Some("2025-06-26T13:41:34.626Z"));
    assert_eq!(c.updated_at.as_deref(), Some("2025-06-26T13:41:34.626Z"));
    assert_eq!(c.tags, Some(vec![]));
    // peer_subnets came from the connection, so the rule's destinations stay unmapped.
    assert_eq!(
        n.unmapped_value(),
        json!({
            "tunnel_local_address": "169.254.56.225/30",
            "tunnel_peer_address": "169.254.56.226/30",
            "policy_rules": {"0": {"rule_index": 1, "destination": ["192.168.0.0/24"]}},
            "ikepolicy": {
                "authentication_method": "pre-share",
                "local_id_type": "ip",
                "peer_id_type": "ip",
                "dpd": {"msg": "seq-hash-notify"}
            },
            "enterprise_project_id": "0",
            "ha_role": "master",
            "eip_id": "07f1efbf-01f5-4231-b22c-171005a352d4",
            "type": "ROUTE",
            "route_mode": "BGP"
        })
    );
    assert_eq!(n.unmapped_related_value(), json!({}));
    assert_eq!(n.related_value(), None);
    assert!(n.warnings.is_empty(), "{:?}", n.warnings);
}

#[test]
fn seed_001_list_all() {
    let (page, normalized) = normalize_body(LIST_ALL);
    assert_eq!(page.total_count, Some(2));
    assert!(page.related.is_empty());
    let [first, second] = &normalized[..] else {
        panic!("expected two connections")
    };

    let c = &first.connection;
    assert_eq!(c.connection_id, "228a68f0-demo-a8df-va86-a9919a3ea3de");
    assert_eq!(c.status, Status::Down);
    assert_eq!(c.routing, Some(Routing::Static));
    assert_eq!(c.local_subnets, None);
    assert_eq!(c.peer_subnets, strings(&["192.168.1.0/24"]));
    assert_eq!(c.ike.local_id.as_deref(), Some("10.1.1.216"));
    assert_eq!(c.ike.peer_id.as_deref(), Some("10.0.1.67"));
    assert_eq!(c.tags, None);
    assert_eq!(first.unmapped_value()["enable_nqa"], json!(true));
    assert_eq!(
        first.unmapped_value()["tunnel_local_address"],
        json!("169.254.149.2/30")
    );
    assert!(first.unmapped_value().get("name").is_none());
    assert!(first.unmapped_value().get("ipsecpolicy").is_none());

    // No peer_subnets: the policy rules' destinations are the peer subnets.
    let c = &second.connection;
    assert_eq!(c.connection_id, "a4df33ca-demo-a8df-va86-410a7dd6973f");
    assert_eq!(c.name.as_deref(), Some("vpn-15ea"));
    assert_eq!(c.routing, Some(Routing::Policy));
    assert_eq!(c.local_subnets, strings(&["10.0.0.0/24"]));
    assert_eq!(c.peer_subnets, strings(&["192.168.44.0/24"]));
    assert_eq!(c.ike.lifetime_seconds, Some(3600));
    assert_eq!(c.dpd.interval, Some(30));
    assert_eq!(c.dpd.timeout, Some(15));
    assert_eq!(
        second.unmapped_value()["policy_rules"],
        json!({"0": {"rule_index": 1}})
    );
    assert_eq!(second.unmapped_value()["ha_role"], json!("master"));
}

#[test]
fn seed_001_filtered_lists() {
    for body in [LIST_BY_VGW_IP, LIST_BY_VGW_ID] {
        let (page, normalized) = normalize_body(body);
        assert_eq!(page.total_count, Some(12));
        let ids: Vec<&str> = normalized
            .iter()
            .map(|n| n.connection.connection_id.as_str())
            .collect();
        assert_eq!(
            ids,
            [
                "8fa335dd-demo-a8df-va86-78bb55a8bb04",
                "a4df33ca-demo-a8df-va86-410a7dd6973f"
            ]
        );
        let c = &normalized[0].connection;
        assert_eq!(
            c.gateway_id.as_deref(),
            Some("02217fb1-demo-a8df-va86-806ea291a8f2")
        );
        assert_eq!(
            c.gateway_ip.as_deref(),
            Some("f5acac2c-demo-a8df-va86-72b819a5f525")
        );
        assert_eq!(
            c.peer_gateway_id.as_deref(),
            Some("eba04567-demo-a8df-va86-5b0352f89af0")
        );
        assert_eq!(c.peer_subnets, strings(&["192.168.44.0/24"]));
        assert_eq!(c.ike.peer_id.as_deref(), Some("10.***.***.9"));
        assert_eq!(c.created_at.as_deref(), Some("2022-12-11T14:24:25.115Z"));
        assert_eq!(normalized[0].unmapped_value()["enable_nqa"], json!(false));
    }
}

#[test]
fn statuses() {
    let cases = [
        ("ACTIVE", Status::Active),
        ("DOWN", Status::Down),
        ("ERROR", Status::Error),
        ("PENDING_CREATE", Status::Pending),
        ("PENDING_UPDATE", Status::Pending),
        ("PENDING_DELETE", Status::Pending),
        ("FREEZED", Status::Frozen),
        ("UNKNOWN", Status::Unknown),
        ("REBOOTING", Status::Unknown),
    ];
    for (raw, expected) in cases {
        let output = connection(json!({"id": "c1", "status": raw}));
        assert_eq!(output.connection.status, expected, "{raw}");
        assert_eq!(output.connection.provider_status.as_deref(), Some(raw));
    }
    let output = connection(json!({"id": "c1"}));
    assert_eq!(output.connection.status, Status::Unknown);
    assert_eq!(output.connection.provider_status, None);
}

#[test]
fn bgp_connection_with_tags_drops_volatile_counters() {
    let output = connection(json!({
        "id": "c2", "status": "ACTIVE", "style": "BGP",
        "tunnel_local_address": "169.254.70.1/30",
        "peer_subnets": ["172.16.0.0/16", "172.17.0.0/16"],
        "ikepolicy": {"ike_version": "v1", "phase1_negotiation_mode": "MAIN", "dh_group": "group14"},
        "ipsecpolicy": {"pfs": "disable", "transform_protocol": "ESP"},
        "bgp_peer": {
            "peer_ip_address": "169.254.70.2", "peer_asn": 65001, "state": "Established",
            "state_duration": "3d 4h", "num_received_routes": 2,
            "num_message_received": 18231, "num_message_sent": 18227
        },
        "tags": [{"key": "team", "value": "net"}, {"key": "env", "value": "prod"}]
    }));
    let c = &output.connection;
    assert_eq!(c.status, Status::Active);
    assert_eq!(c.routing, Some(Routing::Bgp));
    assert_eq!(c.peer_subnets, strings(&["172.16.0.0/16", "172.17.0.0/16"]));
    assert_eq!(c.ike.version.as_deref(), Some("v1"));
    assert_eq!(c.ike.negotiation_mode.as_deref(), Some("main"));
    assert_eq!(c.ipsec.pfs.as_deref(), Some("disabled"));
    assert_eq!(c.ipsec.transform_protocol.as_deref(), Some("esp"));
    assert_eq!(c.tags, strings(&["env=prod", "team=net"]));
    assert_eq!(
        output.unmapped,
        json!({
            "tunnel_local_address": "169.254.70.1/30",
            "bgp_peer": {
                "peer_ip_address": "169.254.70.2", "peer_asn": 65001,
                "state": "Established", "num_received_routes": 2
            }
        })
    );
}

#[test]
fn wrong_types_warn_and_stay_unmapped() {
    let output = connection(json!({
        "id": "c3", "style": "ROUTE", "ikepolicy": {"lifetime_seconds": "a day"}, "tags": "env=prod"
    }));
    assert_eq!(output.connection.routing, None);
    assert_eq!(output.connection.ike.lifetime_seconds, None);
    assert_eq!(output.connection.tags, None);
    assert_eq!(
        output.unmapped,
        json!({"style": "ROUTE", "ikepolicy": {"lifetime_seconds": "a day"}, "tags": "env=prod"})
    );
    assert_eq!(output.warnings.len(), 2, "{:?}", output.warnings);
    assert!(
        output.warnings[0].starts_with("$.vpn_connections[0].style: "),
        "{:?}",
        output.warnings
    );
    assert!(
        output.warnings[1]
            .starts_with("$.vpn_connections[0].ikepolicy.lifetime_seconds: expected an integer"),
        "{:?}",
        output.warnings
    );
}

#[test]
fn a_psk_is_fingerprinted_and_redacted() {
    let body = json!({"vpn_connection": {"id": "c4", "status": "ACTIVE", "psk": "s3cret-psk"}});
    let (_, normalized) = normalize_body(&body.to_string());
    let n = &normalized[0];
    assert_eq!(n.raw_value().unwrap()["psk"], json!(REDACTED));
    let fingerprint = n.connection.psk_fingerprint.as_deref().unwrap();
    assert_eq!(fingerprint.len(), 16);
    assert!(!n.raw_value().unwrap().to_string().contains("s3cret-psk"));
    assert_eq!(n.unmapped_value(), json!({}));
}

#[test]
fn missing_id_is_an_error_at_its_path() {
    let error = normalize(
        "$.vpn_connections[2]",
        json!({"name": "x"}),
        &Related::default(),
        &context(),
    )
    .unwrap_err();
    assert_eq!(error.path, "$.vpn_connections[2].id");
    let error = normalize(
        "$.vpn_connections[0]",
        json!({"id": ""}),
        &Related::default(),
        &context(),
    )
    .unwrap_err();
    assert_eq!(error.path, "$.vpn_connections[0].id");
}

#[test]
fn error_bodies_carry_the_provider_code() {
    let error = decode_page(json!({
        "error_code": "VPN.0010", "error_msg": "The token is invalid.", "request_id": "req-1"
    }))
    .unwrap_err();
    assert_eq!(error.path, "$");
    assert_eq!(
        error.message,
        "the body is a Huawei Cloud API error, not connections: VPN.0010: The token is invalid. (request id req-1)"
    );
    let error = decode_page(json!({"code": "APIGW.0301", "message": "verify aksk signature fail"}))
        .unwrap_err();
    assert!(
        error
            .message
            .contains("APIGW.0301: verify aksk signature fail"),
        "{}",
        error.message
    );
}

#[test]
fn unexpected_bodies() {
    let error = decode_page(json!({"vpn_gateway_list": []})).unwrap_err();
    assert_eq!(error.path, "$");
    assert!(
        error.message.contains("\"vpn_connections\""),
        "{}",
        error.message
    );
    assert!(
        error.message.contains("[\"vpn_gateway_list\"]"),
        "{}",
        error.message
    );
    let error = decode_page(json!([])).unwrap_err();
    assert_eq!(error.message, "expected a JSON object, found an array");
    let error = decode_page(json!({"vpn_connections": {}})).unwrap_err();
    assert_eq!(error.path, "$.vpn_connections");
    let error = decode_page(json!({"vpn_connections": [], "total_count": "many"})).unwrap_err();
    assert_eq!(error.path, "$.total_count");
}

#[test]
fn pages_keep_objects_as_received() {
    let page = decode_page(json!({
        "vpn_connections": [{"id": "a", "psk": "p"}, {"id": "b"}],
        "page_info": {"next_marker": "2022-12-09T07:24:27.674Z", "current_count": 2},
        "total_count": 2
    }))
    .unwrap();
    assert_eq!(
        page.connections[0],
        (
            "$.vpn_connections[0]".to_string(),
            json!({"id": "a", "psk": "p"})
        )
    );
    assert_eq!(page.connections[1].0, "$.vpn_connections[1]");
    let page = decode_page(json!({"vpn_connections": [], "total_count": 0})).unwrap();
    assert!(page.connections.is_empty());
    assert_eq!(page.total_count, Some(0));
}
