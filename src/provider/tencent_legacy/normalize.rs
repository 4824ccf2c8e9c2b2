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
mod tests;
