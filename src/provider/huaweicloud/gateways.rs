//! Huawei Cloud customer gateways and VPN gateways: the objects a connection
//! names only by id (`cgw_id`, `vgw_id`), as an OpenStack connection names
//! its policies. They are listed before the connections (see `list`), held
//! as related objects, and resolved by the normalizer:
//!
//! - `peer_address` is the customer gateway's `id_value`: its IP address
//!   when `id_type` is `ip`, its FQDN when `id_type` is `fqdn` (the model's
//!   `peer_address` holds either, as Neutron's does).
//! - `gateway_ip` is the address `vgw_ip` names: the API documents `vgw_ip`
//!   as the id of one of the VPN gateway's EIPs (`eip1`, `eip2`, public
//!   gateways) or as one of its private access IPs (`access_private_ip_1`,
//!   `_2`, private gateways). An id is resolved to the EIP's `ip_address`.
//!
//! Field names as in Huawei Cloud's API reference (VPN v5, "Querying the VPN
//! Gateway List" and "Querying the Customer Gateway List", checked
//! 2026-12-04): `vpn_gateways[]` with `eip1`/`eip2` (`id`, `ip_address`),
//! `access_private_ip_1`/`_2`, `used_connection_number`,
//! `used_connection_group`; `customer_gateways[]` with `id_type` (`ip` or
//! `fqdn`) and `id_value`, paged by `limit` (0 to 200) and `marker`
//! (`page_info.next_marker`), `total_count`. No difference from the issue's
//! description was found.
//!
//! The objects a connection uses are stored with its version (`related`:
//! `customer_gateway`, `vpn_gateway`), so an address edited in place shows
//! as a change of every connection using it. A listing without any gateway
//! objects (`resolve_gateways = false`, or an import of connection bodies
//! alone) resolves nothing and reads the connection alone, as before.

use std::net::IpAddr;

use serde_json::{Map, Value};

use crate::provider::fields::Fields;
use crate::provider::{Related, RelatedKind};

/// What is kept of a VPN gateway: its identity, network, addresses and
/// settings. The rest changes without the gateway's configuration changing
/// and would make a new version of every connection on it: the counters of
/// connections on it (`used_connection_number`, `used_connection_group`,
/// changed by any connection added or deleted), `updated_at` (bumped with
/// them), `availability_zone_ids` (given only while ACTIVE), and the EIPs'
/// bandwidth and billing. `status` stays: a FAULT gateway matters in a
/// postmortem. Kept as received where present; dropped when the body is
/// read (see `decode_page`).
pub const KEPT_GATEWAY_MEMBERS: [&str; 20] = [
    "id",
    "name",
    "network_type",
    "status",
    "attachment_type",
    "ip_version",
    "certificate_id",
    "er_id",
    "vpc_id",
    "local_subnets",
    "local_subnets_v6",
    "connect_subnet",
    "access_vpc_id",
    "access_subnet_id",
    "bgp_asn",
    "flavor",
    "ha_mode",
    "enterprise_project_id",
    "access_private_ip_1",
    "access_private_ip_2",
];

/// What is kept of a VPN gateway's `eip1` / `eip2`: which address it is.
pub const KEPT_EIP_MEMBERS: [&str; 4] = ["id", "ip_address", "ip_version", "type"];

/// The two related kinds, in the order they are listed.
pub const KINDS: [RelatedKind; 2] = [RelatedKind::VpnGateway, RelatedKind::CustomerGateway];

/// Whether a body lists or shows gateways (not connections).
pub fn is_gateway_body(body: &Value) -> bool {
    KINDS.iter().any(|kind| {
        let (plural, singular) = kind.body_keys();
        body.get(plural).is_some() || body.get(singular).is_some()
    })
}

/// A VPN gateway object as it is kept (see [`KEPT_GATEWAY_MEMBERS`]).
pub fn kept_members(gateway: Value) -> Value {
    let Value::Object(mut members) = gateway else {
        return gateway;
    };
    let mut kept = Map::new();
    for key in KEPT_GATEWAY_MEMBERS {
        if let Some(value) = members.remove(key) {
            kept.insert(key.to_string(), value);
        }
    }
    for eip in ["eip1", "eip2"] {
        if let Some(Value::Object(mut members)) = members.remove(eip) {
            let mut address = Map::new();
            for key in KEPT_EIP_MEMBERS {
                if let Some(value) = members.remove(key) {
                    address.insert(key.to_string(), value);
                }
            }
            kept.insert(eip.to_string(), Value::Object(address));
        }
    }
    Value::Object(kept)
}

/// What resolving a connection's gateways gave.
#[derive(Debug, Default)]
pub struct Resolved {
    pub peer_address: Option<String>,
    pub gateway_ip: Option<String>,
    /// The objects used, by role (`customer_gateway`, `vpn_gateway`).
    pub related: Option<Value>,
    /// What the model does not cover of `related`.
    pub unmapped_related: Value,
    pub warnings: Vec<String>,
}

/// Resolves the connection's `cgw_id` and `vgw_id` (read, not taken, from
/// `fields`) and its `vgw_ip` against the collected gateways; `None` when
/// the listing holds no gateways at all (resolution is off).
pub fn resolve(
    path: &str,
    fields: &Fields,
    vgw_ip: Option<&str>,
    related: &Related,
) -> Option<Resolved> {
    if !KINDS.iter().any(|kind| related.has_any(*kind)) {
        return None;
    }
    let mut resolved = Resolved::default();
    let mut used = Map::new();
    let mut lookup = |key: &str, kind: RelatedKind, role: &str, feeds: &str| {
        let id = fields.peek(key).and_then(Value::as_str)?;
        match related.get(kind, id) {
            Some(object) => {
                used.insert(role.to_string(), object);
                Some(())
            }
            None => {
                resolved.warnings.push(format!(
                    "{}: {role} {id} was not among the collected {role}s; {feeds} left out of \
                     the model",
                    fields.path_of(key)
                ));
                None
            }
        }
    };
    lookup(
        "cgw_id",
        RelatedKind::CustomerGateway,
        "customer_gateway",
        "peer_address",
    );
    let gateway_found = lookup(
        "vgw_id",
        RelatedKind::VpnGateway,
        "vpn_gateway",
        "gateway_ip",
    )
    .is_some();

    let related_output = (!used.is_empty()).then(|| Value::Object(used.clone()));
    let mut referenced = Fields::new(Value::Object(used), format!("{path} (related)"));
    // The connection's `cgw_id` / `vgw_id` record which objects these are.
    referenced.take("customer_gateway.id");
    referenced.take("vpn_gateway.id");
    resolved.peer_address = referenced.text("customer_gateway.id_value");
    if let Some(vgw_ip) = vgw_ip {
        resolved.gateway_ip = match address_named(&mut referenced, vgw_ip) {
            Some(address) => Some(address),
            // An address as such (a private gateway's access IP) stands.
            None if vgw_ip.parse::<IpAddr>().is_ok() => Some(vgw_ip.to_string()),
            None => {
                if gateway_found {
                    resolved.warnings.push(format!(
                        "{}: {vgw_ip} is neither an EIP nor a private access IP of VPN gateway \
                         {}; gateway_ip left out of the model",
                        fields.path_of("vgw_ip"),
                        fields.peek("vgw_id").and_then(Value::as_str).unwrap_or("?"),
                    ));
                }
                None
            }
        };
    }
    let (unmapped_related, warnings) = referenced.into_unmapped();
    resolved.warnings.extend(warnings);
    resolved.related = related_output;
    resolved.unmapped_related = unmapped_related;
    Some(resolved)
}

/// The address of the VPN gateway's EIP whose id is `vgw_ip`, or `vgw_ip`
/// itself when it is one of the gateway's private access IPs; the member
/// that gave it is taken (it went into the model).
fn address_named(gateway: &mut Fields, vgw_ip: &str) -> Option<String> {
    for eip in ["eip1", "eip2"] {
        let id = gateway
            .peek(&format!("vpn_gateway.{eip}.id"))
            .and_then(Value::as_str);
        if id == Some(vgw_ip) {
            return gateway.text(&format!("vpn_gateway.{eip}.ip_address"));
        }
    }
    for private in ["access_private_ip_1", "access_private_ip_2"] {
        let key = format!("vpn_gateway.{private}");
        if gateway.peek(&key).and_then(Value::as_str) == Some(vgw_ip) {
            return gateway.text(&key);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn related() -> Related {
        let mut related = Related::default();
        let objects = [
            (
                RelatedKind::CustomerGateway,
                json!({"id": "cgw-ip", "id_type": "ip", "id_value": "203.0.113.9", "name": "hq"}),
            ),
            (
                RelatedKind::CustomerGateway,
                json!({"id": "cgw-fqdn", "id_type": "fqdn", "id_value": "branch.example.net"}),
            ),
            (
                RelatedKind::VpnGateway,
                json!({"id": "vgw-public", "network_type": "public",
                       "eip1": {"id": "eip-1", "ip_address": "100.64.0.10"},
                       "eip2": {"id": "eip-2", "ip_address": "100.64.0.11"}}),
            ),
            (
                RelatedKind::VpnGateway,
                json!({"id": "vgw-private", "network_type": "private",
                       "access_private_ip_1": "10.0.0.5", "access_private_ip_2": "10.0.0.6"}),
            ),
        ];
        for (kind, object) in objects {
            related.insert(kind, object, "$").unwrap();
        }
        related
    }

    fn resolve_one(connection: Value, related: &Related) -> Option<Resolved> {
        let vgw_ip = connection
            .get("vgw_ip")
            .and_then(Value::as_str)
            .map(str::to_string);
        let fields = Fields::new(connection, "$.vpn_connections[0]");
        resolve("$.vpn_connections[0]", &fields, vgw_ip.as_deref(), related)
    }

    #[test]
    fn peers_by_ip_or_fqdn_and_gateways_by_eip_id_or_private_ip() {
        let related = related();
        let cases = [
            (
                "cgw-ip",
                "vgw-public",
                "eip-1",
                "203.0.113.9",
                "100.64.0.10",
            ),
            (
                "cgw-fqdn",
                "vgw-public",
                "eip-2",
                "branch.example.net",
                "100.64.0.11",
            ),
            (
                "cgw-ip",
                "vgw-private",
                "10.0.0.6",
                "203.0.113.9",
                "10.0.0.6",
            ),
        ];
        for (cgw, vgw, vgw_ip, peer, address) in cases {
            let connection = json!({"cgw_id": cgw, "vgw_id": vgw, "vgw_ip": vgw_ip});
            let resolved = resolve_one(connection, &related).unwrap();
            assert_eq!(resolved.warnings, Vec::<String>::new());
            assert_eq!(resolved.peer_address.as_deref(), Some(peer));
            assert_eq!(resolved.gateway_ip.as_deref(), Some(address));
            let used = resolved.related.unwrap();
            assert_eq!(used["customer_gateway"]["id"], json!(cgw));
            assert_eq!(used["vpn_gateway"]["id"], json!(vgw));
            // What went into the model is not in the remainder again.
            let unmapped = resolved.unmapped_related.to_string();
            assert!(!unmapped.contains(peer), "{unmapped}");
            assert!(!unmapped.contains(&format!("\"{cgw}\"")), "{unmapped}");
            assert!(!unmapped.contains(&format!("\"{address}\"")), "{unmapped}");
        }
    }

    #[test]
    fn what_cannot_be_resolved_is_left_out_with_a_warning() {
        let related = related();
        let connection = json!({"cgw_id": "cgw-gone", "vgw_id": "vgw-public", "vgw_ip": "eip-9"});
        let resolved = resolve_one(connection, &related).unwrap();
        assert_eq!(resolved.peer_address, None);
        assert_eq!(resolved.gateway_ip, None);
        assert_eq!(
            resolved.warnings,
            [
                "$.vpn_connections[0].cgw_id: customer_gateway cgw-gone was not among the \
                 collected customer_gateways; peer_address left out of the model",
                "$.vpn_connections[0].vgw_ip: eip-9 is neither an EIP nor a private access IP of \
                 VPN gateway vgw-public; gateway_ip left out of the model"
            ]
        );
        // An address stands as given, even on a gateway not collected.
        let connection = json!({"cgw_id": "cgw-ip", "vgw_id": "vgw-gone", "vgw_ip": "192.0.2.1"});
        let resolved = resolve_one(connection, &related).unwrap();
        assert_eq!(resolved.gateway_ip.as_deref(), Some("192.0.2.1"));
        assert_eq!(resolved.warnings.len(), 1, "{:?}", resolved.warnings);
    }

    #[test]
    fn nothing_is_resolved_without_gateway_objects() {
        let connection = json!({"cgw_id": "cgw-ip", "vgw_id": "vgw-public", "vgw_ip": "eip-1"});
        assert!(resolve_one(connection, &Related::default()).is_none());
    }

    #[test]
    fn a_gateway_is_kept_without_what_changes_by_itself() {
        let gateway = json!({"id": "g", "status": "ACTIVE", "used_connection_number": 3,
                             "used_connection_group": 1, "connection_number": 200,
                             "updated_at": "t", "availability_zone_ids": ["az1"],
                             "eip1": {"id": "e", "ip_address": "100.64.0.1", "bandwidth_size": 300,
                                      "charge_mode": "traffic"}});
        assert_eq!(
            kept_members(gateway),
            json!({"id": "g", "status": "ACTIVE",
                   "eip1": {"id": "e", "ip_address": "100.64.0.1"}})
        );
    }
}
