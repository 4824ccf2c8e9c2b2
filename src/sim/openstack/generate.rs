//! A deterministic generator of large, varied simulated estates (for the
//! demo and the benchmarks): statuses, algorithms, subnets and names drawn
//! from a seeded sequence, every reference resolvable.

use serde_json::{Value, json};

use super::estate::{
    Estate, endpoint_group, ikepolicy, ipsecpolicy, owned, subnet as subnet_object, vpnservice,
};
use crate::sim::rng::Rng;

const CITIES: [&str; 12] = [
    "frankfurt",
    "paris",
    "madrid",
    "warsaw",
    "oslo",
    "dublin",
    "milan",
    "vienna",
    "prague",
    "lisbon",
    "zurich",
    "helsinki",
];

/// `count` connections with varied statuses, algorithms, subnets and names,
/// the same for the same `seed`. About one in ten is a legacy connection
/// with `peer_cidrs`; the others have endpoint groups of their own (peer:
/// type `cidr`). Policies are shared (six of each kind); one vpnservice
/// serves forty connections, with one local endpoint group (type `subnet`)
/// naming one subnet of its own (a distinct `10.x.y.0/24`).
pub fn generate_estate(count: usize, seed: u64) -> Estate {
    let mut rng = Rng::new(seed);
    let mut estate = Estate::default();
    let ike_variants = [
        ("v2", "sha256", "aes-256", "group14", 28800),
        ("v2", "sha384", "aes-256", "group19", 86400),
        ("v2", "sha256", "aes-128", "group14", 3600),
        ("v1", "sha1", "aes-128", "group5", 28800),
        ("v1", "sha1", "3des", "group2", 3600),
        ("v2", "sha512", "aes-192", "group20", 14400),
    ];
    for (index, (version, auth, encryption, pfs, lifetime)) in ike_variants.into_iter().enumerate()
    {
        let id = rng.uuid();
        let name = format!("ike-{version}-{encryption}-{index}");
        estate.ikepolicies.push(ikepolicy(
            &id, &name, version, auth, encryption, pfs, lifetime,
        ));
        let id = rng.uuid();
        let name = format!("ipsec-{encryption}-{index}");
        estate
            .ipsecpolicies
            .push(ipsecpolicy(&id, &name, auth, encryption, pfs, lifetime / 8));
    }
    let services = count.div_ceil(40).max(1);
    let mut service_groups = Vec::with_capacity(services);
    for index in 0..services {
        let id = rng.uuid();
        let ip = format!("172.24.{}.{}", index / 250, index % 250 + 1);
        estate
            .vpnservices
            .push(vpnservice(&id, &format!("vpnservice-{index}"), &ip));
        let group = rng.uuid();
        let subnet = rng.uuid();
        // Distinct /24s for up to 10,240 vpnservices, clear of the peers' 10.16-10.215.
        let cidr = format!("10.{}.{}.0/24", 216 + (index / 256) % 40, index % 256);
        estate
            .subnets
            .push(subnet_object(&subnet, &format!("private-{index}"), &cidr));
        estate.endpoint_groups.push(endpoint_group(
            &group,
            &format!("local-{index}"),
            "subnet",
            &[&subnet],
        ));
        service_groups.push((id, group));
    }
    for index in 0..count {
        let id = rng.uuid();
        let city = rng.pick(&CITIES);
        let name = format!("site-{city}-{index}");
        let status = match rng.below(100) {
            0..75 => "ACTIVE",
            75..87 => "DOWN",
            87..92 => "PENDING_CREATE",
            92..97 => "ERROR",
            _ => "PENDING_UPDATE",
        };
        let (service, local_group) = &service_groups[index / 40];
        let ike = rng.pick(&estate.ikepolicies)["id"].clone();
        let ipsec = rng.pick(&estate.ipsecpolicies)["id"].clone();
        let mut cidrs = vec![format!(
            "10.{}.{}.0/24",
            16 + (index / 256) % 200,
            index % 256
        )];
        for extra in 0..rng.below(3) {
            cidrs.push(format!(
                "192.168.{}.0/24",
                (index * 3 + extra as usize) % 256
            ));
        }
        let peer_address = format!("203.0.{}.{}", 113 + (index / 250) % 10, index % 250 + 1);
        let legacy = rng.below(10) == 0;
        let (local, peer, peer_cidrs) = if legacy {
            (Value::Null, Value::Null, json!(cidrs))
        } else {
            let group = rng.uuid();
            let refs: Vec<&str> = cidrs.iter().map(String::as_str).collect();
            estate.endpoint_groups.push(endpoint_group(
                &group,
                &format!("peers-{index}"),
                "cidr",
                &refs,
            ));
            (json!(local_group), json!(group), json!([]))
        };
        estate.connections.push(owned(json!({
            "id": id, "name": name, "description": format!("to the {city} office"), "status": status,
            "admin_state_up": status != "DOWN" || rng.below(2) == 0,
            "psk": format!("psk-{:016x}", rng.next_u64()),
            "initiator": rng.pick(&["bi-directional", "bi-directional", "response-only"]),
            "auth_mode": "psk", "mtu": if rng.below(4) == 0 { 1400 } else { 1500 },
            "route_mode": "static", "peer_address": peer_address, "peer_id": peer_address,
            "peer_cidrs": peer_cidrs, "local_ep_group_id": local, "peer_ep_group_id": peer,
            "ikepolicy_id": ike, "ipsecpolicy_id": ipsec, "vpnservice_id": service,
            "dpd": {"action": rng.pick(&["hold", "hold", "restart", "clear"]),
                    "interval": if rng.below(2) == 0 { 30 } else { 10 }, "timeout": 120}
        })));
    }
    estate
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generation_is_deterministic_and_consistent() {
        let estate = generate_estate(100, 7);
        assert_eq!(estate.connections.len(), 100);
        assert_eq!(estate.vpnservices.len(), 3);
        assert_eq!(estate.ikepolicies.len(), 6);
        assert_eq!(estate.subnets.len(), 3);
        let cidrs: Vec<&Value> = estate.subnets.iter().map(|s| &s["cidr"]).collect();
        assert_eq!(cidrs, ["10.216.0.0/24", "10.216.1.0/24", "10.216.2.0/24"]);
        assert_eq!(generate_estate(100, 7).connections, estate.connections);
        assert_ne!(generate_estate(100, 8).connections, estate.connections);
        let ids: std::collections::HashSet<&Value> = estate
            .connections
            .iter()
            .map(|object| &object["id"])
            .collect();
        assert_eq!(ids.len(), 100);
        // Every reference resolves.
        for connection in &estate.connections {
            for (key, collection) in [
                ("ikepolicy_id", &estate.ikepolicies),
                ("ipsecpolicy_id", &estate.ipsecpolicies),
                ("vpnservice_id", &estate.vpnservices),
                ("local_ep_group_id", &estate.endpoint_groups),
                ("peer_ep_group_id", &estate.endpoint_groups),
            ] {
                let reference = &connection[key];
                assert!(
                    reference.is_null()
                        || collection.iter().any(|object| &object["id"] == reference),
                    "{key} {reference}"
                );
            }
        }
        // Every subnet a `subnet` endpoint group names exists.
        for group in &estate.endpoint_groups {
            if group["type"] == "subnet" {
                for id in group["endpoints"].as_array().unwrap() {
                    assert!(estate.subnets.iter().any(|s| &s["id"] == id), "{id}");
                }
            }
        }
        let statuses: std::collections::BTreeSet<&str> = estate
            .connections
            .iter()
            .filter_map(|object| object["status"].as_str())
            .collect();
        assert!(statuses.len() >= 4, "{statuses:?}");
    }
}
