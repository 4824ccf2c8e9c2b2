//! Tests of the Tencent legacy normalizer: fixtures and edge cases, exact expected values.

use serde_json::json;

use super::*;
use crate::provider::test_support::{normalize_all, strings};
use crate::provider::{Normalized, REDACTED, Related};

const LIST: &str = include_str!("../../../../tests/fixtures/tencent-legacy/004_list.json");

fn context() -> NormalizeContext<'static> {
    NormalizeContext {
        source: "tc-legacy",
        region: Some("ap-guangzhou"),
        account: Some("1250000000"),
    }
}

fn normalize_body(body: &str) -> (Option<u64>, Vec<Normalized>) {
    let page = decode_page(serde_json::from_str(body).unwrap()).unwrap();
    let normalized = normalize_all(
        ProviderKind::TencentLegacy,
        page.connections,
        &Related::default(),
        &context(),
    );
    (page.total_count, normalized)
}

fn tunnel(object: Value) -> Result<ProviderOutput, DecodeError> {
    normalize("$.data[0]", object, &context())
}

#[test]
fn seed_004_list() {
    let (total, normalized) = normalize_body(LIST);
    assert_eq!(total, Some(3));
    let ids: Vec<&str> = normalized
        .iter()
        .map(|n| n.connection.connection_id.as_str())
        .collect();
    assert_eq!(ids, ["vpnx-ol6bcqp0", "vpnx-85ao9zdy", "vpnx-p0j71qf6"]);

    let n = &normalized[0];
    let c = &n.connection;
    assert_eq!(c.provider, "tencent-legacy");
    assert_eq!(c.region.as_deref(), Some("ap-guangzhou"));
    assert_eq!(c.account.as_deref(), Some("1250000000"));
    assert_eq!(c.name.as_deref(), Some("399_vpnconn"));
    assert_eq!(c.status, Status::Active);
    assert_eq!(c.provider_status.as_deref(), Some("6"));
    assert_eq!(c.gateway_id.as_deref(), Some("vpngw-kfldykuz"));
    assert_eq!(c.gateway_ip.as_deref(), Some("183.60.249.32"));
    assert_eq!(c.peer_gateway_id.as_deref(), Some("cgw-e098slul"));
    assert_eq!(c.peer_address.as_deref(), Some("183.60.249.39"));
    assert_eq!(c.local_subnets, strings(&["10.100.2.0/24"]));
    assert_eq!(c.peer_subnets, strings(&["10.100.25.0/24"]));
    assert_eq!(c.routing, None);
    assert_eq!(c.ike.version, None);
    assert_eq!(c.ike.encryption_algorithm.as_deref(), Some("des"));
    assert_eq!(c.ike.auth_algorithm.as_deref(), Some("sha1"));
    assert_eq!(c.ike.negotiation_mode.as_deref(), Some("main"));
    assert_eq!(c.ike.dh_group.as_deref(), Some("group1"));
    assert_eq!(c.ike.lifetime_seconds, Some(86400));
    assert_eq!(c.ike.local_id.as_deref(), Some("183.60.249.32"));
    assert_eq!(c.ike.peer_id.as_deref(), Some("183.60.249.39"));
    assert_eq!(c.ipsec.encryption_algorithm.as_deref(), Some("aes-128"));
    assert_eq!(c.ipsec.auth_algorithm.as_deref(), Some("sha1"));
    assert_eq!(
        c.ipsec.pfs.as_deref(),
        Some("disabled"),
        "pfsDhGroup \"null\" is no PFS"
    );
    assert_eq!(c.ipsec.lifetime_seconds, Some(3600));
    assert_eq!(c.ipsec.lifetime_kilobytes, Some(1843200));
    assert_eq!(c.ipsec.transform_protocol.as_deref(), Some("esp"));
    assert_eq!(c.ipsec.encapsulation_mode.as_deref(), Some("tunnel"));
    assert_eq!(c.dpd, Default::default());
    assert_eq!(c.created_at.as_deref(), Some("2015-11-06 11:20:39"));
    assert_eq!(c.tags, None);
    assert_eq!(c.psk_fingerprint.as_deref().map(str::len), Some(16));
    assert_eq!(n.raw_value().unwrap()["preSharedKey"], json!(REDACTED));
    assert!(n.warnings.is_empty(), "{:?}", n.warnings);
    assert_eq!(
        n.unmapped_value(),
        json!({
            "vpcId": "gz_vpc_76", "unVpcId": "vpc-03vihbk9", "vpcName": "pan-vpc2",
            "vpcCidrBlock": "10.100.2.0/24", "vpnGwId": 547, "vpnGwName": "test-76",
            "vpnConnId": 399, "userGwId": 315, "userGwName": "9101",
            "remoteSlaIp": "169.254.112.2", "vpnProto": "ip-sec",
            "IKEArr": {"localIdentity": "address", "remoteIdentity": "address",
                       "localFqdnName": null, "remoteFqdnName": null}
        })
    );
    // Same PSK, same key: the same fingerprint.
    assert_eq!(normalized[1].connection.psk_fingerprint, c.psk_fingerprint);

    let c = &normalized[2].connection;
    assert_eq!(c.name.as_deref(), Some("292_testtest"));
    assert_eq!(c.ike.auth_algorithm.as_deref(), Some("md5"));
    assert_eq!(c.ike.encryption_algorithm.as_deref(), Some("3des"));
    assert_eq!(c.ike.dh_group.as_deref(), Some("group2"));
    assert_eq!(c.ike.lifetime_seconds, Some(11180));
    assert_eq!(c.ike.local_id.as_deref(), Some("183.60.249.42"));
    assert_eq!(c.ike.peer_id.as_deref(), Some("vpn86"));
    assert_eq!(c.ipsec.encryption_algorithm.as_deref(), Some("aes-192"));
    assert_eq!(c.ipsec.auth_algorithm.as_deref(), Some("md5"));
    assert_eq!(c.ipsec.pfs.as_deref(), Some("group1"));
    assert_eq!(c.ipsec.lifetime_seconds, Some(500));
    assert_eq!(c.ipsec.lifetime_kilobytes, Some(80000));
}

#[test]
fn statuses() {
    let cases = [
        (json!(6), Some("available"), Status::Active, "6/available"),
        (json!(6), Some("unavailable"), Status::Down, "6/unavailable"),
        (
            json!("6"),
            Some("unavailable"),
            Status::Down,
            "6/unavailable",
        ),
        (json!(6), None, Status::Active, "6"),
        (json!(6), Some("flapping"), Status::Unknown, "6/flapping"),
        (json!(0), None, Status::Pending, "0"),
        (json!("2"), None, Status::Pending, "2"),
        (
            json!(4),
            Some("unavailable"),
            Status::Pending,
            "4/unavailable",
        ),
        (json!(1), None, Status::Error, "1"),
        (json!(3), None, Status::Error, "3"),
        (json!("5"), None, Status::Error, "5"),
        (json!(9), None, Status::Unknown, "9"),
    ];
    for (code, net, expected, provider_status) in cases {
        let mut object = json!({"unVpnConnId": "vpnx-1", "vpcConnStatus": code});
        if let Some(net) = net {
            object["netStatus"] = json!(net);
        }
        let c = tunnel(object).unwrap().connection;
        assert_eq!(c.status, expected, "{provider_status}");
        assert_eq!(c.provider_status.as_deref(), Some(provider_status));
    }
    let c = tunnel(json!({"unVpnConnId": "vpnx-1"})).unwrap().connection;
    assert_eq!((c.status, c.provider_status), (Status::Unknown, None));
}

#[test]
fn array_sections_other_spelling_and_numeric_ids() {
    let output = tunnel(json!({
        "vpnConnId": 412, "vpnGwId": 98, "userGwId": "77", "vpcConnStatus": 6, "netStatus": "available",
        "IKEArr": [{"propoEncryAlgorithm": "aes-cbc-256", "dhGroupName": "dh-group14",
                    "ikeSaLifetimeSeconds": "28800", "localIdentity": "fqdn",
                    "localFqdnName": "gz.example", "localAddress": "10.0.0.1"}],
        "IPSECArr": [{"integrityAlgorithm": "sha256", "pfsDhGroup": "DH-GROUP2"},
                     {"integrityAlgorithm": "md5"}]
    }))
    .unwrap();
    let c = &output.connection;
    assert_eq!(c.connection_id, "412");
    assert_eq!(c.gateway_id.as_deref(), Some("98"));
    assert_eq!(c.peer_gateway_id.as_deref(), Some("77"));
    assert_eq!(c.ike.encryption_algorithm.as_deref(), Some("aes-256"));
    assert_eq!(c.ike.dh_group.as_deref(), Some("group14"));
    assert_eq!(c.ike.lifetime_seconds, Some(28800));
    assert_eq!(c.ike.local_id.as_deref(), Some("gz.example"));
    assert_eq!(c.ipsec.auth_algorithm.as_deref(), Some("sha2-256"));
    assert_eq!(c.ipsec.pfs.as_deref(), Some("group2"));
    assert_eq!(
        output.unmapped,
        json!({
            "IKEArr": {"0": {"localIdentity": "fqdn", "localAddress": "10.0.0.1"}},
            "IPSECArr": {"1": {"integrityAlgorithm": "md5"}}
        })
    );
    assert_eq!(
        output.warnings,
        ["$.data[0].IPSECArr: 2 proposals; only the first is in the model"]
    );
}

#[test]
fn missing_id_is_an_error_at_its_path() {
    let error = tunnel(json!({"vpnConnName": "x", "unVpnConnId": ""})).unwrap_err();
    assert_eq!(error.path, "$.data[0].unVpnConnId");
}

#[test]
fn error_codes_are_explained() {
    let error =
        decode_page(json!({"code": 4100, "message": "鉴权失败", "codeDesc": "AuthFailure"}))
            .unwrap_err();
    assert_eq!(error.path, "$.code");
    assert!(
        error
            .message
            .starts_with("the API answered code 4100 (authentication failed"),
        "{}",
        error.message
    );
    assert!(
        error.message.ends_with(": \"鉴权失败\""),
        "{}",
        error.message
    );
    let error = decode_page(json!({"code": "4500", "message": "nonce used"})).unwrap_err();
    assert!(error.message.contains("code 4500"), "{}", error.message);
    assert!(error.message.contains("replay"), "{}", error.message);
    assert!(
        error.message.contains("check the clock"),
        "{}",
        error.message
    );
    let error = decode_page(json!({"code": 4000, "message": "limit must be <= 50"})).unwrap_err();
    assert!(
        error.message.contains("invalid parameter"),
        "{}",
        error.message
    );
}

#[test]
fn body_shapes() {
    let page =
        decode_page(json!({"code": 0, "message": "", "totalCount": "0", "data": []})).unwrap();
    assert!(page.connections.is_empty());
    assert_eq!(page.total_count, Some(0));
    let page = decode_page(json!({"code": 0, "data": null})).unwrap();
    assert_eq!(page.total_count, None);
    let error = decode_page(json!({"Response": {}})).unwrap_err();
    assert_eq!(error.path, "$");
    assert!(error.message.contains("\"code\""), "{}", error.message);
    assert!(
        error.message.contains("[\"Response\"]"),
        "{}",
        error.message
    );
    let error = decode_page(json!({"code": 0, "totalCount": 1})).unwrap_err();
    assert!(error.message.contains("\"data\""), "{}", error.message);
    let error = decode_page(json!({"code": 0, "data": {"0": {}}})).unwrap_err();
    assert_eq!(error.path, "$.data");
    let error = decode_page(json!({"code": "ok"})).unwrap_err();
    assert_eq!(error.path, "$.code");
}
