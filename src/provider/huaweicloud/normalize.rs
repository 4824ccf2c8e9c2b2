//! Huawei Cloud VPN API v5: the list and show bodies, their error bodies,
//! and one `vpn_connection` object into the model.

use serde_json::{Map, Value};

use super::gateways::{self, KINDS as GATEWAY_KINDS};
use crate::model::{Connection, Status};
use crate::provider::body::{count, items, push_unique, top_object};
use crate::provider::fields::Fields;
use crate::provider::vocabulary::{self, read};
use crate::provider::{
    DecodeError, NormalizeContext, Page, ProviderKind, ProviderOutput, Related, RelatedKind,
};

/// The key of a body that shows one connection (`GET .../vpn-connection/{id}`).
pub const SINGLE_OBJECT_KEY: &str = "vpn_connection";

/// The key of a list body's connections (`GET .../vpn-connection`).
pub const CONNECTIONS_KEY: &str = "vpn_connections";

/// Reads a list body (`vpn_connections`, `page_info`, `total_count`) or a
/// show body (`vpn_connection`), or a body of the gateways connections name
/// (`customer_gateways`, `vpn_gateways`, or one `customer_gateway` /
/// `vpn_gateway`). An error body (`error_code`/`error_msg`, or
/// `code`/`message` from the API gateway) is a [`DecodeError`] carrying the
/// provider's code and message.
pub fn decode_page(body: Value) -> Result<Page, DecodeError> {
    let mut map = top_object(body)?;
    if let Some(message) = api_error(&map) {
        return Err(DecodeError::new("$", message));
    }
    let mut gateways = Page::default();
    let mut gateway_body = false;
    for kind in GATEWAY_KINDS {
        let (plural, singular) = kind.body_keys();
        let mut found = Vec::new();
        if let Some(list) = map.remove(plural) {
            found = items(list, &format!("$.{plural}"))?;
            gateway_body = true;
        }
        if let Some(single) = map.remove(singular) {
            found.push((format!("$.{singular}"), single));
            gateway_body = true;
        }
        gateways
            .related
            .extend(found.into_iter().map(|(path, object)| {
                let object = match kind {
                    RelatedKind::VpnGateway => gateways::kept_members(object),
                    _ => object,
                };
                (kind, path, object)
            }));
    }
    if gateway_body {
        if map.contains_key(CONNECTIONS_KEY) || map.contains_key(SINGLE_OBJECT_KEY) {
            return Err(DecodeError::new(
                "$",
                "a body holds both connections and gateways; the API answers each in its own",
            ));
        }
        return Ok(gateways);
    }
    if let Some(list) = map.remove(CONNECTIONS_KEY) {
        return Ok(Page {
            connections: items(list, "$.vpn_connections")?,
            related: Vec::new(),
            total_count: count(map.get("total_count"), "$.total_count")?,
        });
    }
    if let Some(single) = map.remove(SINGLE_OBJECT_KEY) {
        return Ok(Page {
            connections: vec![("$.vpn_connection".to_string(), single)],
            ..Page::default()
        });
    }
    let found = map
        .keys()
        .map(|key| format!("{key:?}"))
        .collect::<Vec<_>>()
        .join(", ");
    Err(DecodeError::new(
        "$",
        format!(
            "not a Huawei Cloud VPN connection body: expected \"vpn_connections\" (list) or \
             \"vpn_connection\" (show), or \"customer_gateways\" / \"vpn_gateways\", found keys \
             [{found}]"
        ),
    ))
}

/// The error a body reports, if it is an error body.
fn api_error(map: &Map<String, Value>) -> Option<String> {
    let (code, message) = if map.contains_key("error_code") {
        (map.get("error_code"), map.get("error_msg"))
    } else if map.contains_key("code") && map.contains_key("message") {
        (map.get("code"), map.get("message"))
    } else {
        return None;
    };
    let request = match map.get("request_id").and_then(Value::as_str) {
        Some(id) => format!(" (request id {id})"),
        None => String::new(),
    };
    Some(format!(
        "the body is a Huawei Cloud API error, not connections: {}: {}{request}",
        plain(code),
        plain(message)
    ))
}

/// A JSON value for a message: strings without quotes, absent as `?`.
fn plain(value: Option<&Value>) -> String {
    match value {
        Some(Value::String(text)) => text.clone(),
        Some(other) => other.to_string(),
        None => "?".to_string(),
    }
}

/// The model's status for Huawei's `status`.
fn status(raw: &str) -> Status {
    match raw {
        "ACTIVE" => Status::Active,
        "DOWN" => Status::Down,
        "ERROR" => Status::Error,
        "FREEZED" => Status::Frozen,
        pending if pending.starts_with("PENDING_") => Status::Pending,
        _ => Status::Unknown,
    }
}

/// Whether a body lists or shows connections (not only gateways).
pub fn is_connection_body(body: &Value) -> bool {
    !gateways::is_gateway_body(body)
}

/// Normalizes one `vpn_connection` object found at `path`, resolving its
/// gateways in `related` (see [`gateways`]).
pub fn normalize(
    path: &str,
    mut object: Value,
    related: &Related,
    context: &NormalizeContext<'_>,
) -> Result<ProviderOutput, DecodeError> {
    let rules = vocabulary::index_array(&mut object, "policy_rules");
    let mut fields = Fields::new(object, path);

    let id = fields.text("id").ok_or_else(|| {
        DecodeError::new(
            fields.path_of("id"),
            "missing connection id (a non-empty string)",
        )
    })?;
    let provider_status = fields.text("status");
    let status = provider_status.as_deref().map_or(Status::Unknown, status);
    let mut connection = Connection::new(
        context.source,
        ProviderKind::HuaweiCloud.as_str(),
        &id,
        status,
    );
    connection.provider_status = provider_status;
    connection.region = context.region.map(str::to_string);
    connection.account = context.account.map(str::to_string);
    connection.name = fields.text("name");
    let vgw_ip = fields.text("vgw_ip");
    let resolved = gateways::resolve(path, &fields, vgw_ip.as_deref(), related);
    connection.gateway_id = fields.text("vgw_id");
    connection.peer_gateway_id = fields.text("cgw_id");
    let mut resolved = match resolved {
        Some(resolved) => {
            connection.gateway_ip = resolved.gateway_ip.clone();
            connection.peer_address = resolved.peer_address.clone();
            resolved
        }
        // Nothing to resolve against: `vgw_ip` as the API gave it.
        None => {
            connection.gateway_ip = vgw_ip;
            gateways::Resolved {
                unmapped_related: Value::Object(Map::new()),
                ..gateways::Resolved::default()
            }
        }
    };
    connection.routing = vocabulary::read_routing(&mut fields, "style");

    // Policy rules give the local subnets (sources) and, when the connection
    // has no `peer_subnets` of its own, the peer subnets (destinations).
    // Each rule's `rule_index` stays in the remainder (`policy_rules.0.rule_index`).
    connection.peer_subnets = fields.strings("peer_subnets");
    if let Some(rules) = rules {
        let use_destinations = connection.peer_subnets.is_none();
        let mut sources = Vec::new();
        let mut destinations = Vec::new();
        for index in 0..rules {
            if let Some(source) = fields.text(&format!("policy_rules.{index}.source")) {
                push_unique(&mut sources, source);
            }
            if use_destinations {
                let found = fields.strings(&format!("policy_rules.{index}.destination"));
                for destination in found.unwrap_or_default() {
                    push_unique(&mut destinations, destination);
                }
            }
        }
        connection.local_subnets = Some(sources);
        if use_destinations {
            connection.peer_subnets = Some(destinations);
        }
    }

    let ike = &mut connection.ike;
    ike.version = read(
        &mut fields,
        "ikepolicy.ike_version",
        vocabulary::ike_version,
    );
    ike.auth_algorithm = read(
        &mut fields,
        "ikepolicy.authentication_algorithm",
        vocabulary::algorithm,
    );
    ike.encryption_algorithm = read(
        &mut fields,
        "ikepolicy.encryption_algorithm",
        vocabulary::algorithm,
    );
    ike.dh_group = read(&mut fields, "ikepolicy.dh_group", vocabulary::dh_group);
    ike.lifetime_seconds = fields.integer("ikepolicy.lifetime_seconds");
    ike.negotiation_mode = read(
        &mut fields,
        "ikepolicy.phase1_negotiation_mode",
        vocabulary::lowercase,
    );
    ike.local_id = fields.text("ikepolicy.local_id");
    ike.peer_id = fields.text("ikepolicy.peer_id");
    // Huawei has no DPD action; `ikepolicy.dpd.msg` stays unmapped.
    connection.dpd.interval = fields.integer("ikepolicy.dpd.interval");
    connection.dpd.timeout = fields.integer("ikepolicy.dpd.timeout");

    let ipsec = &mut connection.ipsec;
    ipsec.auth_algorithm = read(
        &mut fields,
        "ipsecpolicy.authentication_algorithm",
        vocabulary::algorithm,
    );
    ipsec.encryption_algorithm = read(
        &mut fields,
        "ipsecpolicy.encryption_algorithm",
        vocabulary::algorithm,
    );
    ipsec.pfs = read(&mut fields, "ipsecpolicy.pfs", vocabulary::pfs);
    ipsec.transform_protocol = read(
        &mut fields,
        "ipsecpolicy.transform_protocol",
        vocabulary::lowercase,
    );
    ipsec.encapsulation_mode = read(
        &mut fields,
        "ipsecpolicy.encapsulation_mode",
        vocabulary::lowercase,
    );
    ipsec.lifetime_seconds = fields.integer("ipsecpolicy.lifetime_seconds");

    connection.created_at = fields.text("created_at");
    connection.updated_at = fields.text("updated_at");
    connection.tags = vocabulary::read_tags(&mut fields, "tags", "key", "value");

    // Counters that change on every call (see `provider::volatile_paths`)
    // are dropped, so they never show up as changes in the unmapped
    // remainder; `bgp_peer.state` and `num_received_routes` stay.
    for volatile in crate::provider::volatile_paths(ProviderKind::HuaweiCloud) {
        fields.take(volatile);
    }
    // Not documented, but if a PSK ever appears the generic layer has
    // fingerprinted it already.
    fields.take("psk");

    let (unmapped, mut warnings) = fields.into_unmapped();
    warnings.append(&mut resolved.warnings);
    Ok(ProviderOutput {
        connection,
        related: resolved.related,
        unmapped,
        unmapped_related: resolved.unmapped_related,
        warnings,
    })
}

#[cfg(test)]
mod tests;
