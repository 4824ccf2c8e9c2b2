//! Tencent Cloud legacy VPC API v2 (`DescribeVpnConn`): the
//! `{code, message, totalCount, data}` body, and one tunnel into the model.

use serde_json::{Map, Value};

use crate::model::{Connection, Status};
use crate::provider::body::{items, top_object};
use crate::provider::fields::{Fields, json_type_name};
use crate::provider::vocabulary::{self, read};
use crate::provider::{DecodeError, NormalizeContext, Page, ProviderKind, ProviderOutput};

/// Reads a `DescribeVpnConn` body. A non-zero `code` is a [`DecodeError`]
/// naming the code, what it means, and the provider's message.
pub fn decode_page(body: Value) -> Result<Page, DecodeError> {
    let mut map = top_object(body)?;
    let Some(code) = map.get("code") else {
        let found = map
            .keys()
            .map(|key| format!("{key:?}"))
            .collect::<Vec<_>>()
            .join(", ");
        return Err(DecodeError::new(
            "$",
            format!(
                "not a Tencent Cloud DescribeVpnConn body: expected \"code\", \"totalCount\" and \"data\", \
                 found keys [{found}]"
            ),
        ));
    };
    let code = integer(code).ok_or_else(|| {
        DecodeError::new(
            "$.code",
            format!("expected an integer, found {}", json_type_name(code)),
        )
    })?;
    if code != 0 {
        let message = map.get("message").and_then(Value::as_str).unwrap_or("");
        return Err(DecodeError::new(
            "$.code",
            format!(
                "the API answered code {code} ({}): {message:?}",
                meaning(code)
            ),
        ));
    }
    let total_count = match map.get("totalCount") {
        None | Some(Value::Null) => None,
        Some(total) => Some(
            integer(total)
                .and_then(|total| u64::try_from(total).ok())
                .ok_or_else(|| {
                    DecodeError::new(
                        "$.totalCount",
                        format!(
                            "expected a non-negative integer, found {}",
                            json_type_name(total)
                        ),
                    )
                })?,
        ),
    };
    let connections = match map.remove("data") {
        None => {
            return Err(DecodeError::new(
                "$",
                "code 0 but no \"data\" list of tunnels",
            ));
        }
        Some(Value::Null) => Vec::new(),
        Some(list) => items(list, "$.data")?,
    };
    Ok(Page {
        connections,
        related: Vec::new(),
        total_count,
    })
}

/// A number, or a string holding one (the legacy API mixes both).
fn integer(value: &Value) -> Option<i64> {
    match value {
        Value::Number(number) => number.as_i64(),
        Value::String(text) => text.trim().parse().ok(),
        _ => None,
    }
}

/// What a legacy error code means, and what to do about it.
pub(super) fn meaning(code: i64) -> &'static str {
    match code {
        4000 => "invalid parameter",
        4100 => {
            "authentication failed: check the SecretId and SecretKey, and how the request is signed"
        }
        4200 => "the request has expired",
        4300 => "access denied: the key may not call DescribeVpnConn",
        4400 => "quota exceeded",
        4500 => {
            "request rejected as a replay: the Nonce was reused or the Timestamp is more than 2 hours \
             off (check the clock)"
        }
        _ => "an API error",
    }
}

/// The model's status for `vpcConnStatus` (0 creating, 1 create error, 2
/// modifying, 3 modify error, 4 deleting, 5 delete error, 6 running) and
/// `netStatus` (`available`/`unavailable`; a running tunnel without it is
/// taken as up).
fn status(code: Option<i64>, net: Option<&str>) -> Status {
    match code {
        Some(6) => match net.map(str::to_ascii_lowercase).as_deref() {
            None | Some("available") => Status::Active,
            Some("unavailable") => Status::Down,
            Some(_) => Status::Unknown,
        },
        Some(0 | 2 | 4) => Status::Pending,
        Some(1 | 3 | 5) => Status::Error,
        _ => Status::Unknown,
    }
}

/// Normalizes one tunnel of `data`, found at `path`.
pub fn normalize(
    path: &str,
    mut object: Value,
    context: &NormalizeContext<'_>,
) -> Result<ProviderOutput, DecodeError> {
    // `IKEArr`/`IPSECArr` are documented as arrays but arrive as objects:
    // accept both, reading an array's first element.
    let ike_proposals = vocabulary::index_array(&mut object, "IKEArr");
    let ipsec_proposals = vocabulary::index_array(&mut object, "IPSECArr");
    let mut fields = Fields::new(object, path);
    let ike_at = section(&mut fields, "IKEArr", ike_proposals);
    let ipsec_at = section(&mut fields, "IPSECArr", ipsec_proposals);
    let key = |name: &str, at: &str| format!("{at}.{name}");

    let id = fields
        .text("unVpnConnId")
        .or_else(|| fields.text("vpnConnId"))
        .ok_or_else(|| {
            DecodeError::new(
                fields.path_of("unVpnConnId"),
                "missing connection id (neither unVpnConnId nor vpnConnId is present)",
            )
        })?;
    let code = fields.integer("vpcConnStatus");
    let net = fields.text("netStatus");
    let mut connection = Connection::new(
        context.source,
        ProviderKind::TencentLegacy.as_str(),
        &id,
        status(code, net.as_deref()),
    );
    connection.provider_status = match (code, net) {
        (Some(code), Some(net)) => Some(format!("{code}/{net}")),
        (Some(code), None) => Some(code.to_string()),
        (None, net) => net,
    };
    connection.region = context.region.map(str::to_string);
    connection.account = context.account.map(str::to_string);
    connection.name = fields.text("vpnConnName");
    connection.gateway_id = fields.text("unVpnGwId").or_else(|| fields.text("vpnGwId"));
    connection.gateway_ip = fields.text("vpnGwAddress");
    connection.peer_gateway_id = fields
        .text("unUserGwId")
        .or_else(|| fields.text("userGwId"));
    connection.peer_address = fields.text("userGwAddress");
    connection.local_subnets = fields.strings("sourceCidr");
    connection.peer_subnets = fields.strings("destinationCidr");
    connection.created_at = fields.text("createTime");

    let ike = &mut connection.ike;
    ike.encryption_algorithm = read(
        &mut fields,
        &key("propoEncryAlgorithm", &ike_at),
        vocabulary::algorithm,
    );
    ike.auth_algorithm = read(
        &mut fields,
        &key("propoAuthenAlgorithm", &ike_at),
        vocabulary::algorithm,
    );
    ike.negotiation_mode = read(
        &mut fields,
        &key("exchangeMode", &ike_at),
        vocabulary::lowercase,
    );
    ike.dh_group = read(
        &mut fields,
        &key("dhGroupName", &ike_at),
        vocabulary::dh_group,
    );
    ike.lifetime_seconds = fields.integer(&key("ikeSaLifetimeSeconds", &ike_at));
    ike.local_id = vocabulary::read_identity(
        &mut fields,
        &key("localIdentity", &ike_at),
        &key("localAddress", &ike_at),
        &key("localFqdnName", &ike_at),
    );
    ike.peer_id = vocabulary::read_identity(
        &mut fields,
        &key("remoteIdentity", &ike_at),
        &key("remoteAddress", &ike_at),
        &key("remoteFqdnName", &ike_at),
    );

    let ipsec = &mut connection.ipsec;
    ipsec.encryption_algorithm = read(
        &mut fields,
        &key("encryptAlgorithm", &ipsec_at),
        vocabulary::algorithm,
    );
    ipsec.auth_algorithm = vocabulary::read_either(
        &mut fields,
        &key("integrityAlgorithm", &ipsec_at),
        &key("integrityAlgorith", &ipsec_at),
        vocabulary::algorithm,
    );
    ipsec.pfs = vocabulary::read_tencent_pfs(&mut fields, &key("pfsDhGroup", &ipsec_at));
    ipsec.lifetime_seconds = fields.integer(&key("ipsecSaLifetimeSeconds", &ipsec_at));
    ipsec.lifetime_kilobytes = fields.integer(&key("ipsecSaLifetimeTraffic", &ipsec_at));
    ipsec.transform_protocol = read(
        &mut fields,
        &key("securityProto", &ipsec_at),
        vocabulary::lowercase,
    );
    ipsec.encapsulation_mode = read(
        &mut fields,
        &key("encapMode", &ipsec_at),
        vocabulary::lowercase,
    );

    // Fingerprinted by the generic layer.
    fields.take("preSharedKey");

    let (unmapped, warnings) = fields.into_unmapped();
    Ok(ProviderOutput {
        connection,
        related: None,
        unmapped,
        unmapped_related: Value::Object(Map::new()),
        warnings,
    })
}

/// Where a proposal section is read from: `key` itself when it is an object,
/// `key.0` when it was an array (see [`vocabulary::index_array`]); a second
/// proposal stays unmapped, with a warning.
fn section(fields: &mut Fields, key: &str, proposals: Option<usize>) -> String {
    match proposals {
        Some(count) if count > 1 => {
            fields.warn(
                key,
                &format!("{count} proposals; only the first is in the model"),
            );
            format!("{key}.0")
        }
        Some(_) => format!("{key}.0"),
        None => key.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::provider::test_support::{normalize_all, strings};
    use crate::provider::{Normalized, REDACTED, Related};

    const LIST: &str = include_str!("../../../tests/fixtures/tencent-legacy/004_list.json");

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
        let error =
            decode_page(json!({"code": 4000, "message": "limit must be <= 50"})).unwrap_err();
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
}
