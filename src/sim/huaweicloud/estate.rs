//! The simulated project's connections: the objects in the documented v5
//! shape, kept newest first (the API's order, which its `created_at` marker
//! relies on), a page query over them, and a deterministic generator of
//! realistic estates.

use serde_json::{Value, json};

use crate::sim::rng::Rng;

/// The connections of the simulated project, as `vpn_connection` objects.
/// Edit them freely inside [`super::HuaweiSim::with_estate`]; the order is
/// restored afterwards.
#[derive(Debug, Clone, Default)]
pub struct Estate {
    pub connections: Vec<Value>,
    /// `vpn_gateway` objects (`GET .../vpn-gateways`).
    pub vpn_gateways: Vec<Value>,
    /// `customer_gateway` objects (`GET .../customer-gateways`), by id.
    pub customer_gateways: Vec<Value>,
}

/// What a list request asks for.
#[derive(Debug, Default)]
pub(super) struct ListQuery {
    pub limit: usize,
    pub marker: Option<String>,
    pub vgw_id: Option<String>,
    pub vgw_ip: Option<String>,
    pub enterprise_project_ids: Vec<String>,
}

fn text<'a>(connection: &'a Value, key: &str) -> &'a str {
    connection.get(key).and_then(Value::as_str).unwrap_or("")
}

impl Estate {
    /// Connections without gateway objects: the gateway lists are empty.
    pub fn new(connections: Vec<Value>) -> Estate {
        let mut estate = Estate {
            connections,
            ..Estate::default()
        };
        estate.order();
        estate
    }

    pub fn len(&self) -> usize {
        self.connections.len()
    }

    pub fn is_empty(&self) -> bool {
        self.connections.is_empty()
    }

    /// The connection with this `id`.
    pub fn get(&self, id: &str) -> Option<&Value> {
        self.connections.iter().find(|c| text(c, "id") == id)
    }

    /// The connection with this `id`, to edit in place.
    pub fn get_mut(&mut self, id: &str) -> Option<&mut Value> {
        self.connections.iter_mut().find(|c| text(c, "id") == id)
    }

    /// Deletes the connection with this `id`, returning it.
    pub fn remove(&mut self, id: &str) -> Option<Value> {
        let index = self.connections.iter().position(|c| text(c, "id") == id)?;
        Some(self.connections.remove(index))
    }

    /// Adds a connection, replacing one with the same `id`.
    pub fn insert(&mut self, connection: Value) {
        let id = text(&connection, "id").to_string();
        match self.get_mut(&id) {
            Some(existing) => *existing = connection,
            None => self.connections.push(connection),
        }
    }

    /// The ids, newest first.
    pub fn ids(&self) -> Vec<String> {
        self.connections
            .iter()
            .map(|c| text(c, "id").to_string())
            .collect()
    }

    /// Newest `created_at` first, then by id.
    pub(super) fn order(&mut self) {
        self.connections.sort_by(|a, b| {
            text(b, "created_at")
                .cmp(text(a, "created_at"))
                .then_with(|| text(a, "id").cmp(text(b, "id")))
        });
        super::gateways::order(&mut self.customer_gateways);
    }

    /// The customer gateway with this `id`, to edit in place.
    pub fn customer_gateway_mut(&mut self, id: &str) -> Option<&mut Value> {
        self.customer_gateways
            .iter_mut()
            .find(|c| text(c, "id") == id)
    }

    /// One page: the matching connections created before the marker (all
    /// when there is none), at most `limit` of them.
    pub(super) fn page(&self, query: &ListQuery) -> Vec<&Value> {
        let start = match &query.marker {
            Some(marker) => self
                .connections
                .partition_point(|c| text(c, "created_at") >= marker.as_str()),
            None => 0,
        };
        self.connections[start..]
            .iter()
            .filter(|c| {
                query
                    .vgw_id
                    .as_deref()
                    .is_none_or(|id| text(c, "vgw_id") == id)
                    && query
                        .vgw_ip
                        .as_deref()
                        .is_none_or(|ip| text(c, "vgw_ip") == ip)
                    && (query.enterprise_project_ids.is_empty()
                        || query
                            .enterprise_project_ids
                            .iter()
                            .any(|ep| text(c, "enterprise_project_id") == ep))
            })
            .take(query.limit)
            .collect()
    }
}

/// `count` varied, realistic connections in the documented shape, the same
/// for the same `seed`: statuses mostly `ACTIVE`, policy, static and BGP
/// styles, a spread of algorithms, gateways shared by about 20 connections
/// each (half public, named by an EIP id in `vgw_ip`, half private), a
/// customer gateway per connection, a few enterprise projects, distinct
/// creation times.
pub fn generate_estate(count: usize, seed: u64) -> Estate {
    let mut rng = Rng::new(seed);
    let gateways: Vec<(String, String)> = (0..count / 20 + 1)
        .map(|index| {
            (
                rng.uuid(),
                format!("100.{}.{}.10", 64 + index / 250 % 64, index % 250),
            )
        })
        .collect();
    let projects: Vec<String> = std::iter::once("0".to_string())
        .chain((0..3).map(|_| rng.uuid()))
        .collect();
    let mut connections = Vec::with_capacity(count);
    for index in 0..count {
        let (vgw_id, vgw_ip) = rng.pick(&gateways);
        connections.push(connection(&mut rng, index, vgw_id, vgw_ip, &projects));
    }
    let (vpn_gateways, customer_gateways) =
        super::gateways::generate(&mut connections, &gateways, seed);
    let mut estate = Estate {
        connections,
        vpn_gateways,
        customer_gateways,
    };
    estate.order();
    estate
}

fn connection(
    rng: &mut Rng,
    index: usize,
    vgw_id: &str,
    vgw_ip: &str,
    projects: &[String],
) -> Value {
    let status = match rng.below(100) {
        0..=74 => "ACTIVE",
        75..=89 => "DOWN",
        90..=93 => "PENDING_UPDATE",
        94..=95 => "ERROR",
        96 => "FREEZED",
        97 => "PENDING_CREATE",
        _ => "UNKNOWN",
    };
    let style = *rng.pick(&["POLICY", "POLICY", "STATIC", "STATIC", "BGP"]);
    let peer = format!("10.{}.{}.0/24", 16 + index / 256 % 200, index % 256);
    let local = format!("172.{}.{}.0/24", 16 + rng.below(16), rng.below(256));
    let tunnel = 4 * (index % 16_000) as u64;
    // Distinct creation times, one to two hours apart, from 2021 on.
    let created = 1_609_459_200_000u64 + index as u64 * 3_600_000 + rng.next_u64() % 3_600_000;
    let updated = created + rng.next_u64() % 86_400_000;
    let ike_version = *rng.pick(&["v1", "v2", "v2", "v2"]);
    let mut object = json!({
        "id": rng.uuid(),
        "name": format!("vpn-{}-{index:05}", rng.pick(&["hq", "branch", "dc", "partner", "lab"])),
        "status": status,
        "vgw_id": vgw_id,
        "vgw_ip": vgw_ip,
        "style": style,
        "cgw_id": rng.uuid(),
        "ikepolicy": {
            "ike_version": ike_version,
            "authentication_algorithm": rng.pick(&["sha2-256", "sha2-256", "sha2-384", "sha2-512", "sha1", "md5"]),
            "encryption_algorithm": rng.pick(&["aes-128", "aes-256", "aes-256-gcm-16", "aes-192", "3des"]),
            "dh_group": rng.pick(&["group14", "group15", "group16", "group19", "group20", "group2"]),
            "authentication_method": "pre-share",
            "lifetime_seconds": rng.pick(&[3600, 28800, 86400]),
            "local_id_type": "ip",
            "local_id": vgw_ip,
            "peer_id_type": "ip",
            "peer_id": format!("203.0.{}.{}", index / 250 % 256, index % 250 + 1),
            "dpd": {"timeout": 15, "interval": 30, "msg": "seq-hash-notify"}
        },
        "ipsecpolicy": {
            "authentication_algorithm": rng.pick(&["sha2-256", "sha2-256", "sha2-512", "sha1"]),
            "encryption_algorithm": rng.pick(&["aes-128", "aes-256", "aes-256-gcm-16", "3des"]),
            "pfs": rng.pick(&["group14", "group15", "group19", "disable"]),
            "transform_protocol": "esp",
            "lifetime_seconds": rng.pick(&[1800, 3600, 7200]),
            "encapsulation_mode": "tunnel"
        },
        "created_at": millis_to_text(created),
        "updated_at": millis_to_text(updated),
        "enterprise_project_id": rng.pick(projects),
        "ha_role": if index.is_multiple_of(2) { "master" } else { "slave" },
        "tags": if rng.below(3) == 0 {
            json!([{"key": "env", "value": rng.pick(&["prod", "staging", "dev"])}])
        } else {
            json!([])
        }
    });
    if ike_version == "v1" {
        object["ikepolicy"]["phase1_negotiation_mode"] = json!(rng.pick(&["main", "aggressive"]));
    }
    match style {
        "POLICY" => {
            object["policy_rules"] =
                json!([{"rule_index": 1, "source": local, "destination": [peer]}]);
        }
        _ => {
            object["peer_subnets"] = json!([peer]);
            object["tunnel_local_address"] = json!(format!(
                "169.254.{}.{}/30",
                tunnel / 256 % 256,
                tunnel % 256 + 1
            ));
            object["tunnel_peer_address"] = json!(format!(
                "169.254.{}.{}/30",
                tunnel / 256 % 256,
                tunnel % 256 + 2
            ));
        }
    }
    if style == "STATIC" {
        object["enable_nqa"] = json!(rng.below(2) == 0);
    }
    if style == "BGP" {
        object["bgp_peer"] = json!({
            "peer_ip_address": format!("169.254.{}.{}", tunnel / 256 % 256, tunnel % 256 + 2),
            "peer_asn": 64_512 + rng.below(1000),
            "state": if status == "ACTIVE" { "Established" } else { "Idle" }
        });
    }
    object
}

/// `2021-01-01T00:00:00.000Z` from milliseconds since the epoch.
fn millis_to_text(millis: u64) -> String {
    let millis = i64::try_from(millis).unwrap_or(i64::MAX);
    chrono::DateTime::from_timestamp_millis(millis)
        .map(|instant| instant.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generation_is_deterministic_varied_and_newest_first() {
        let estate = generate_estate(500, 7);
        assert_eq!(estate.len(), 500);
        assert_eq!(estate.ids(), generate_estate(500, 7).ids());
        assert_ne!(estate.ids(), generate_estate(500, 8).ids());
        let created: Vec<&str> = estate
            .connections
            .iter()
            .map(|c| text(c, "created_at"))
            .collect();
        assert!(created.windows(2).all(|pair| pair[0] > pair[1]));
        let distinct = |key: &str| {
            let mut values: Vec<String> = estate
                .connections
                .iter()
                .map(|c| c[key].to_string())
                .collect();
            values.sort();
            values.dedup();
            values.len()
        };
        assert_eq!(distinct("id"), 500);
        assert_eq!(distinct("style"), 3);
        assert!(distinct("status") >= 5);
        assert_eq!(distinct("enterprise_project_id"), 4);
    }

    #[test]
    fn pages_follow_the_marker_and_filters() {
        let estate = generate_estate(50, 1);
        let all = |query: &ListQuery| {
            estate
                .page(query)
                .into_iter()
                .map(|c| text(c, "id").to_string())
                .collect::<Vec<_>>()
        };
        let first = all(&ListQuery {
            limit: 20,
            ..ListQuery::default()
        });
        assert_eq!(first, estate.ids()[..20]);
        let marker = text(estate.get(&first[19]).unwrap(), "created_at").to_string();
        let second = all(&ListQuery {
            limit: 20,
            marker: Some(marker),
            ..ListQuery::default()
        });
        assert_eq!(second, estate.ids()[20..40]);
        let vgw = text(&estate.connections[3], "vgw_id").to_string();
        let expected: Vec<String> = estate
            .connections
            .iter()
            .filter(|c| text(c, "vgw_id") == vgw)
            .map(|c| text(c, "id").to_string())
            .collect();
        assert_eq!(
            all(&ListQuery {
                limit: 200,
                vgw_id: Some(vgw),
                ..ListQuery::default()
            }),
            expected
        );
    }
}
