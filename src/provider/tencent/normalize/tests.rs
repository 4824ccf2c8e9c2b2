//! Tests of the Tencent Cloud API 3.0 normalizer: fixtures and edge cases, exact expected values.

use serde_json::json;

use super::*;
use crate::model::Routing;
use crate::provider::test_support::{normalize_all, strings};
use crate::provider::{Normalized, REDACTED, Related};

const DESCRIBE: &str =
    include_str!("../../../../tests/fixtures/tencent/describe_vpn_connections.json");

fn context() -> NormalizeContext<'static> {
    NormalizeContext {
        source: "tc-prod",
        region: Some("ap-guangzhou"),
        account: Some("1250000001"),
    }
}

fn normalize_body(body: &str) -> (Option<u64>, Vec<Normalized>) {
    let page = decode_page(serde_json::from_str(body).unwrap()).unwrap();
    let normalized = normalize_all(
        ProviderKind::Tencent,
        page.connections,
        &Related::default(),
        &context(),
    );
    (page.total_count, normalized)
}

fn connection(object: Value) -> Result<ProviderOutput, DecodeError> {
    normalize("$.Response.VpnConnectionSet[0]", object, &context())
}

#[test]
fn available_tunnel_with_tags_and_old_integrity_spelling() {
    let (total, normalized) = normalize_body(DESCRIBE);
    assert_eq!(total, Some(3));
    assert_eq!(normalized.len(), 3);
    let n = &normalized[0];
    let c = &n.connection;
    assert_eq!(c.provider, "tencent");
    assert_eq!(c.connection_id, "vpnx-4vlnnzpz");
    assert_eq!(c.region.as_deref(), Some("ap-guangzhou"));
    assert_eq!(c.account.as_deref(), Some("1250000001"));
    assert_eq!(c.name.as_deref(), Some("hq-to-gz"));
    assert_eq!(c.status, Status::Active);
    assert_eq!(c.provider_status.as_deref(), Some("AVAILABLE/AVAILABLE"));
    assert_eq!(c.gateway_id.as_deref(), Some("vpngw-6ipmqo4i"));
    assert_eq!(c.gateway_ip.as_deref(), Some("119.28.52.60"));
    assert_eq!(c.peer_gateway_id.as_deref(), Some("cgw-e4g8b5f0"));
    assert_eq!(c.peer_address.as_deref(), Some("203.0.113.18"));
    assert_eq!(c.local_subnets, strings(&["10.0.0.0/24", "10.0.1.0/24"]));
    assert_eq!(
        c.peer_subnets,
        strings(&["192.168.10.0/24", "192.168.11.0/24"])
    );
    assert_eq!(c.routing, Some(Routing::Static));
    assert_eq!(c.admin_state_up, None);
    assert_eq!(c.ike.version.as_deref(), Some("v2"));
    assert_eq!(c.ike.auth_algorithm.as_deref(), Some("sha2-256"));
    assert_eq!(c.ike.encryption_algorithm.as_deref(), Some("aes-256"));
    assert_eq!(c.ike.dh_group.as_deref(), Some("group14"));
    assert_eq!(c.ike.lifetime_seconds, Some(86400));
    assert_eq!(c.ike.negotiation_mode.as_deref(), Some("main"));
    assert_eq!(c.ike.local_id.as_deref(), Some("119.28.52.60"));
    assert_eq!(c.ike.peer_id.as_deref(), Some("203.0.113.18"));
    assert_eq!(c.dpd.interval, None);
    assert_eq!(c.dpd.timeout, Some(30));
    assert_eq!(c.dpd.action.as_deref(), Some("clear"));
    assert_eq!(c.ipsec.encryption_algorithm.as_deref(), Some("aes-256"));
    assert_eq!(c.ipsec.auth_algorithm.as_deref(), Some("sha1"));
    assert_eq!(
        c.ipsec.pfs.as_deref(),
        Some("disabled"),
        "PfsDhGroup NULL is no PFS"
    );
    assert_eq!(c.ipsec.transform_protocol, None);
    assert_eq!(c.ipsec.encapsulation_mode, None);
    assert_eq!(c.ipsec.lifetime_seconds, Some(3600));
    assert_eq!(c.ipsec.lifetime_kilobytes, Some(1843200));
    assert_eq!(c.created_at.as_deref(), Some("2022-05-12 12:50:06"));
    assert_eq!(c.updated_at, None);
    assert_eq!(c.tags, strings(&["env=prod", "owner=netops"]));
    assert_eq!(c.psk_fingerprint.as_deref().map(str::len), Some(16));
    assert_eq!(n.raw_value().unwrap()["PreShareKey"], json!(REDACTED));
    assert!(!n.raw_value().unwrap().to_string().contains("Xh7#kq2"));
    assert!(n.warnings.is_empty(), "{:?}", n.warnings);
    assert_eq!(
        n.unmapped_value(),
        json!({
            "VpcId": "vpc-8iu2ylxd", "VpnProto": "IPSEC", "EncryptProto": "IKE/IPSec",
            "IKEOptionsSpecification": {
                "LocalIdentity": "ADDRESS", "RemoteIdentity": "ADDRESS",
                "LocalFqdnName": "", "RemoteFqdnName": ""
            },
            "EnableHealthCheck": true, "HealthCheckLocalIp": "169.254.128.1",
            "HealthCheckRemoteIp": "169.254.128.2", "HealthCheckStatus": "AVAILABLE",
            "NegotiationType": "active"
        })
    );
}

#[test]
fn unavailable_tunnel_with_string_lifetimes_and_dpd_off() {
    let (_, normalized) = normalize_body(DESCRIBE);
    let n = &normalized[1];
    let c = &n.connection;
    assert_eq!(c.connection_id, "vpnx-7ac0m1qb");
    assert_eq!(c.status, Status::Down);
    assert_eq!(c.provider_status.as_deref(), Some("AVAILABLE/UNAVAILABLE"));
    assert_eq!(c.routing, Some(Routing::Policy));
    assert_eq!(c.local_subnets, strings(&["10.0.2.0/24"]));
    assert_eq!(c.peer_subnets, strings(&["172.16.20.0/22"]));
    assert_eq!(c.gateway_ip.as_deref(), Some("119.28.52.60"));
    assert_eq!(c.peer_address, None);
    assert_eq!(c.ike.version.as_deref(), Some("v1"));
    assert_eq!(c.ike.auth_algorithm.as_deref(), Some("sha1"));
    assert_eq!(c.ike.encryption_algorithm.as_deref(), Some("aes-128"));
    assert_eq!(c.ike.dh_group.as_deref(), Some("group2"));
    assert_eq!(c.ike.lifetime_seconds, Some(28800));
    assert_eq!(c.ike.local_id.as_deref(), Some("119.28.52.60"));
    assert_eq!(c.ike.peer_id.as_deref(), Some("sh-branch.example.com"));
    assert_eq!(
        c.ipsec.encryption_algorithm.as_deref(),
        Some("aes-256-gcm-16")
    );
    assert_eq!(c.ipsec.auth_algorithm.as_deref(), Some("sha2-256"));
    assert_eq!(c.ipsec.pfs.as_deref(), Some("group14"));
    assert_eq!(c.ipsec.lifetime_seconds, Some(3600));
    assert_eq!(c.ipsec.lifetime_kilobytes, Some(4096000000));
    assert_eq!(c.dpd.action.as_deref(), Some("disabled"));
    assert_eq!(c.dpd.timeout, Some(30));
    assert_eq!(c.tags, Some(vec![]));
    assert_eq!(n.unmapped_value()["DpdAction"], json!("clear"));
    assert_eq!(
        n.unmapped_value()["IKEOptionsSpecification"],
        json!({"LocalIdentity": "ADDRESS", "RemoteIdentity": "FQDN", "RemoteAddress": "", "LocalFqdnName": ""})
    );
    assert_ne!(c.psk_fingerprint, normalized[0].connection.psk_fingerprint);
}

#[test]
fn pending_bgp_tunnel_with_both_integrity_spellings() {
    let (_, normalized) = normalize_body(DESCRIBE);
    let n = &normalized[2];
    let c = &n.connection;
    assert_eq!(c.connection_id, "vpnx-q2dzs5lk");
    assert_eq!(c.status, Status::Pending);
    assert_eq!(c.provider_status.as_deref(), Some("PENDING/UNAVAILABLE"));
    assert_eq!(c.routing, Some(Routing::Bgp));
    assert_eq!(c.local_subnets, Some(vec![]));
    assert_eq!(c.peer_subnets, Some(vec![]));
    assert_eq!(c.ike.version.as_deref(), Some("v1"));
    assert_eq!(c.ike.negotiation_mode.as_deref(), Some("aggressive"));
    assert_eq!(c.ike.auth_algorithm.as_deref(), Some("md5"));
    assert_eq!(c.ike.encryption_algorithm.as_deref(), Some("3des"));
    assert_eq!(c.ike.dh_group.as_deref(), Some("group5"));
    assert_eq!(c.ipsec.encryption_algorithm.as_deref(), Some("aes-192"));
    assert_eq!(c.ipsec.auth_algorithm.as_deref(), Some("md5"));
    assert_eq!(c.ipsec.pfs.as_deref(), Some("disabled"));
    assert_eq!(c.ipsec.lifetime_seconds, Some(14400));
    assert_eq!(c.ipsec.lifetime_kilobytes, Some(2560));
    assert_eq!(c.dpd.action.as_deref(), Some("restart"));
    assert_eq!(c.dpd.timeout, Some(60));
    assert_eq!(c.tags, strings(&["env=dr"]));
    assert!(
        n.unmapped_value()
            .get("IPSECOptionsSpecification")
            .is_none(),
        "{}",
        n.unmapped_value()
    );
    assert_eq!(
        n.unmapped_value()["BgpConfig"]["RemoteBgpAsn"],
        json!("65010")
    );
    assert!(
        n.unmapped_value()
            .get("SecurityPolicyDatabaseSet")
            .is_none(),
        "{}",
        n.unmapped_value()
    );
}

#[test]
fn disagreeing_integrity_spellings_keep_the_old_one_unmapped() {
    let output = connection(json!({
        "VpnConnectionId": "vpnx-1",
        "IPSECOptionsSpecification": {"IntegrityAlgorithm": "SHA-256", "IntegrityAlgorith": "SHA1"}
    }))
    .unwrap();
    assert_eq!(
        output.connection.ipsec.auth_algorithm.as_deref(),
        Some("sha2-256")
    );
    assert_eq!(
        output.unmapped,
        json!({"IPSECOptionsSpecification": {"IntegrityAlgorith": "SHA1"}})
    );
}

#[test]
fn statuses() {
    let cases = [
        (
            Some("AVAILABLE"),
            Some("AVAILABLE"),
            Status::Active,
            Some("AVAILABLE/AVAILABLE"),
        ),
        (
            Some("AVAILABLE"),
            Some("UNAVAILABLE"),
            Status::Down,
            Some("AVAILABLE/UNAVAILABLE"),
        ),
        (Some("AVAILABLE"), None, Status::Active, Some("AVAILABLE")),
        (Some("PENDING"), None, Status::Pending, Some("PENDING")),
        (
            Some("DELETING"),
            Some("AVAILABLE"),
            Status::Pending,
            Some("DELETING/AVAILABLE"),
        ),
        (Some("FAILED"), None, Status::Unknown, Some("FAILED")),
        (None, Some("AVAILABLE"), Status::Unknown, Some("AVAILABLE")),
        (None, None, Status::Unknown, None),
    ];
    for (state, net, expected, provider_status) in cases {
        let mut object = json!({"VpnConnectionId": "vpnx-1"});
        if let Some(state) = state {
            object["State"] = json!(state);
        }
        if let Some(net) = net {
            object["NetStatus"] = json!(net);
        }
        let c = connection(object).unwrap().connection;
        assert_eq!(c.status, expected, "{state:?} {net:?}");
        assert_eq!(c.provider_status.as_deref(), provider_status);
    }
}

#[test]
fn missing_id_is_an_error_at_its_path() {
    let error = connection(json!({"VpnConnectionName": "x"})).unwrap_err();
    assert_eq!(error.path, "$.Response.VpnConnectionSet[0].VpnConnectionId");
}

#[test]
fn error_responses_name_code_and_message() {
    let error = decode_page(json!({"Response": {
        "Error": {"Code": "AuthFailure.SignatureFailure", "Message": "The provided credentials could not be validated."},
        "RequestId": "0a1b2c3d"
    }}))
    .unwrap_err();
    assert_eq!(error.path, "$.Response.Error");
    assert_eq!(
        error.message,
        "the API answered AuthFailure.SignatureFailure: The provided credentials could not be validated. \
         (RequestId 0a1b2c3d)"
    );
}

#[test]
fn body_shapes() {
    let page = decode_page(
        json!({"Response": {"TotalCount": 0, "VpnConnectionSet": [], "RequestId": "r"}}),
    )
    .unwrap();
    assert!(page.connections.is_empty());
    assert_eq!(page.total_count, Some(0));
    let error = decode_page(json!({"code": 0, "data": []})).unwrap_err();
    assert_eq!(error.path, "$");
    assert!(error.message.contains("\"Response\""), "{}", error.message);
    assert!(
        error.message.contains("[\"code\", \"data\"]"),
        "{}",
        error.message
    );
    let error = decode_page(json!({"Response": {"TotalCount": 1, "RequestId": "r"}})).unwrap_err();
    assert_eq!(error.path, "$.Response");
    let error = decode_page(json!({"Response": {"VpnConnectionSet": {}}})).unwrap_err();
    assert_eq!(error.path, "$.Response.VpnConnectionSet");
    let error = decode_page(json!({"Response": []})).unwrap_err();
    assert_eq!(error.path, "$.Response");
}
