//! Tencent Cloud VPC API 3.0 (`DescribeVpnConnections`): the `Response`
//! body and its `Error`, and one `VpnConnection` into the model.

use serde_json::{Map, Value};

use crate::model::{Connection, Status};
use crate::provider::body::{count, items, push_unique};
use crate::provider::fields::{Fields, is_null_text, json_type_name};
use crate::provider::vocabulary::{self, read};
use crate::provider::{DecodeError, NormalizeContext, Page, ProviderKind, ProviderOutput};

const IKE: &str = "IKEOptionsSpecification";
const IPSEC: &str = "IPSECOptionsSpecification";

/// Reads a `DescribeVpnConnections` body. `Response.Error` (sent with HTTP
/// 200) is a [`DecodeError`] naming the code and message.
pub fn decode_page(body: Value) -> Result<Page, DecodeError> {
    let mut response = match body {
        Value::Object(mut map) => match map.remove("Response") {
            Some(Value::Object(response)) => response,
            Some(other) => {
                let found = json_type_name(&other);
                return Err(DecodeError::new(
                    "$.Response",
                    format!("expected an object, found {found}"),
                ));
            }
            None => {
                let found = map
                    .keys()
                    .map(|key| format!("{key:?}"))
                    .collect::<Vec<_>>()
                    .join(", ");
                return Err(DecodeError::new(
                    "$",
                    format!(
                        "not a Tencent Cloud API 3.0 body: expected \"Response\" holding \"VpnConnectionSet\" \
                         and \"TotalCount\", found keys [{found}]"
                    ),
                ));
            }
        },
        other => {
            let found = json_type_name(&other);
            return Err(DecodeError::new(
                "$",
                format!("expected a JSON object, found {found}"),
            ));
        }
    };
    if let Some(error) = response.get("Error") {
        return Err(api_error(error, response.get("RequestId")));
    }
    let total_count = count(response.get("TotalCount"), "$.Response.TotalCount")?;
    let path = "$.Response.VpnConnectionSet";
    let connections = match response.remove("VpnConnectionSet") {
        None => {
            return Err(DecodeError::new(
                "$.Response",
                "no \"VpnConnectionSet\": not a DescribeVpnConnections response",
            ));
        }
        Some(Value::Null) => Vec::new(),
        Some(list) => items(list, path)?,
    };
    Ok(Page {
        connections,
        related: Vec::new(),
        total_count,
    })
}

/// The error a `Response.Error` reports.
fn api_error(error: &Value, request_id: Option<&Value>) -> DecodeError {
    let text = |key: &str| {
        error
            .get(key)
            .and_then(Value::as_str)
            .unwrap_or("?")
            .to_string()
    };
    let request = match request_id.and_then(Value::as_str) {
        Some(id) => format!(" (RequestId {id})"),
        None => String::new(),
    };
    DecodeError::new(
        "$.Response.Error",
        format!(
            "the API answered {}: {}{request}",
            text("Code"),
            text("Message")
        ),
    )
}

/// The model's status for `State` (PENDING, AVAILABLE, DELETING) and
/// `NetStatus` (AVAILABLE, UNAVAILABLE; an available tunnel without it is
/// taken as up).
fn status(state: Option<&str>, net: Option<&str>) -> Status {
    match (state, net) {
        (Some("AVAILABLE"), None | Some("AVAILABLE")) => Status::Active,
        (Some("AVAILABLE"), Some("UNAVAILABLE")) => Status::Down,
        (Some("PENDING" | "DELETING"), _) => Status::Pending,
        _ => Status::Unknown,
    }
}

/// A string value without reading it; `"null"` and empty count as absent.
fn peek_text(fields: &Fields, key: &str) -> Option<String> {
    let text = fields.peek(key)?.as_str()?;
    (!is_null_text(text)).then(|| text.trim().to_string())
}

/// Normalizes one `VpnConnection` found at `path`.
pub fn normalize(
    path: &str,
    mut object: Value,
    context: &NormalizeContext<'_>,
) -> Result<ProviderOutput, DecodeError> {
    let policies = vocabulary::index_array(&mut object, "SecurityPolicyDatabaseSet");
    let mut fields = Fields::new(object, path);
    let ike_key = |name: &str| format!("{IKE}.{name}");
    let ipsec_key = |name: &str| format!("{IPSEC}.{name}");

    let id = fields.text("VpnConnectionId").ok_or_else(|| {
        DecodeError::new(
            fields.path_of("VpnConnectionId"),
            "missing connection id (a non-empty string)",
        )
    })?;
    let state = fields.text("State");
    let net = fields.text("NetStatus");
    let status = status(state.as_deref(), net.as_deref());
    let mut connection =
        Connection::new(context.source, ProviderKind::Tencent.as_str(), &id, status);
    connection.provider_status = match (state, net) {
        (Some(state), Some(net)) => Some(format!("{state}/{net}")),
        (state, net) => state.or(net),
    };
    connection.region = context.region.map(str::to_string);
    connection.account = context.account.map(str::to_string);
    connection.name = fields.text("VpnConnectionName");
    connection.gateway_id = fields.text("VpnGatewayId");
    connection.peer_gateway_id = fields.text("CustomerGatewayId");
    connection.routing = vocabulary::read_routing(&mut fields, "RouteType");
    connection.created_at = fields.text("CreatedTime");
    connection.tags = vocabulary::read_tags(&mut fields, "TagSet", "Key", "Value");

    // The SPD: one local CIDR and its remote CIDRs per entry.
    if let Some(count) = policies {
        let mut local = Vec::new();
        let mut peer = Vec::new();
        for index in 0..count {
            if let Some(cidr) =
                fields.text(&format!("SecurityPolicyDatabaseSet.{index}.LocalCidrBlock"))
            {
                push_unique(&mut local, cidr);
            }
            let remote = fields.strings(&format!(
                "SecurityPolicyDatabaseSet.{index}.RemoteCidrBlock"
            ));
            for cidr in remote.unwrap_or_default() {
                push_unique(&mut peer, cidr);
            }
        }
        connection.local_subnets = Some(local);
        connection.peer_subnets = Some(peer);
    }

    // The IKE addresses are the gateways' addresses and, with identity type
    // ADDRESS, also the IKE identities.
    let local_address = peek_text(&fields, &ike_key("LocalAddress"));
    let remote_address = peek_text(&fields, &ike_key("RemoteAddress"));
    let ike = &mut connection.ike;
    ike.local_id = vocabulary::read_identity(
        &mut fields,
        &ike_key("LocalIdentity"),
        &ike_key("LocalAddress"),
        &ike_key("LocalFqdnName"),
    );
    ike.peer_id = vocabulary::read_identity(
        &mut fields,
        &ike_key("RemoteIdentity"),
        &ike_key("RemoteAddress"),
        &ike_key("RemoteFqdnName"),
    );
    ike.encryption_algorithm = read(
        &mut fields,
        &ike_key("PropoEncryAlgorithm"),
        vocabulary::algorithm,
    );
    ike.auth_algorithm = read(
        &mut fields,
        &ike_key("PropoAuthenAlgorithm"),
        vocabulary::algorithm,
    );
    ike.negotiation_mode = read(&mut fields, &ike_key("ExchangeMode"), vocabulary::lowercase);
    ike.dh_group = read(&mut fields, &ike_key("DhGroupName"), vocabulary::dh_group);
    ike.lifetime_seconds = fields.integer(&ike_key("IKESaLifetimeSeconds"));
    ike.version = read(&mut fields, &ike_key("IKEVersion"), vocabulary::ike_version);
    if local_address.is_some() {
        fields.take(&ike_key("LocalAddress"));
    }
    if remote_address.is_some() {
        fields.take(&ike_key("RemoteAddress"));
    }
    connection.gateway_ip = local_address;
    connection.peer_address = remote_address;

    let ipsec = &mut connection.ipsec;
    ipsec.encryption_algorithm = read(
        &mut fields,
        &ipsec_key("EncryptAlgorithm"),
        vocabulary::algorithm,
    );
    ipsec.auth_algorithm = vocabulary::read_either(
        &mut fields,
        &ipsec_key("IntegrityAlgorithm"),
        &ipsec_key("IntegrityAlgorith"),
        vocabulary::algorithm,
    );
    ipsec.pfs = vocabulary::read_tencent_pfs(&mut fields, &ipsec_key("PfsDhGroup"));
    ipsec.lifetime_seconds = fields.integer(&ipsec_key("IPSECSaLifetimeSeconds"));
    ipsec.lifetime_kilobytes = fields.integer(&ipsec_key("IPSECSaLifetimeTraffic"));

    // DPD: with DpdEnable 0 the action is `disabled` and DpdAction, which
    // then has no effect, stays unmapped.
    let dpd_enabled = fields.boolean("DpdEnable");
    connection.dpd.timeout = fields.integer("DpdTimeout");
    connection.dpd.action = match dpd_enabled {
        Some(false) => Some("disabled".to_string()),
        _ => read(&mut fields, "DpdAction", vocabulary::lowercase),
    };

    // Fingerprinted by the generic layer.
    fields.take("PreShareKey");

    let (unmapped, warnings) = fields.into_unmapped();
    Ok(ProviderOutput {
        connection,
        related: None,
        unmapped,
        unmapped_related: Value::Object(Map::new()),
        warnings,
    })
}

#[cfg(test)]
mod tests;
