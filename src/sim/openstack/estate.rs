//! What the simulated Neutron holds: IPsec site connections and the IKE /
//! IPsec policies, vpnservices and endpoint groups they reference, the
//! subnets that `subnet` endpoint groups name, as the JSON objects the API
//! returns, and a small sample shaped like the seeds.

use serde_json::{Value, json};

/// The project every simulated object belongs to (the seeds' project).
pub const DEMO_PROJECT_ID: &str = "10039663455a446d8ba2cbb058b0f578";

/// The collections of a simulated Neutron, in the order the API returns
/// them (insertion order, as Neutron on SQLite does).
#[derive(Debug, Clone, Default)]
pub struct Estate {
    pub connections: Vec<Value>,
    pub ikepolicies: Vec<Value>,
    pub ipsecpolicies: Vec<Value>,
    pub vpnservices: Vec<Value>,
    pub endpoint_groups: Vec<Value>,
    /// The networking API's subnets (`GET /v2.0/subnets`), which local
    /// endpoint groups (type `subnet`) and legacy vpnservices name by id.
    pub subnets: Vec<Value>,
}

/// The ids of [`Estate::sample`]'s objects, for tests and scripts.
pub mod sample {
    /// Uses the shared IKE policy (with [`CONNECTION_B`]).
    pub const CONNECTION_A: &str = "851f280f-5639-4ea3-81aa-e298525ab74b";
    /// Uses the shared IKE policy (with [`CONNECTION_A`]).
    pub const CONNECTION_B: &str = "6bd0c1f3-3f33-4b39-9f6e-9d2a0c1a7e21";
    /// The legacy connection: its own IKE policy, `peer_cidrs` instead of
    /// endpoint groups.
    pub const CONNECTION_C: &str = "c7e3a9d4-1f2b-4c3d-8e5f-6a7b8c9d0e1f";
    pub const SHARED_IKEPOLICY: &str = "9b00d6b0-6c93-4ca5-9747-b8ade7bb514f";
    pub const LEGACY_IKEPOLICY: &str = "5522aff7-1b3c-48dd-9c3c-b50f016b73db";
    pub const IPSECPOLICY: &str = "e6e23d0c-9519-4d52-8ea4-5b1f96d857b1";
    pub const VPNSERVICE: &str = "5c561d9d-eaea-45f6-ae3e-08d1a7080828";
    pub const LOCAL_GROUP: &str = "3e1815dd-e212-43d0-8f13-b494fa553e68";
    pub const PEER_GROUP_A: &str = "9ad5a7e0-6dac-41b4-b20d-a7b8645fddf1";
    pub const PEER_GROUP_B: &str = "0b7f5a52-8f0e-4f7e-a1b0-2d6c4e8f9a31";
    /// The subnet [`LOCAL_GROUP`] names, `10.1.0.0/24`.
    pub const LOCAL_SUBNET: &str = "a0ab1a4b-3d5c-4e33-9d0f-3c1a5f0c7b2e";
    /// [`LOCAL_SUBNET`]'s CIDR.
    pub const LOCAL_SUBNET_CIDR: &str = "10.1.0.0/24";
}

impl Estate {
    /// Three connections in the seeds' shape: A and B share an IKE policy
    /// (lifetime 28800 s), C is a legacy one with `peer_cidrs`.
    pub fn sample() -> Estate {
        use sample::*;
        let connection = |id: &str, name: &str, ike: &str, peer: Option<&str>, address: &str| {
            owned(json!({
                "id": id, "name": name, "description": "", "status": "ACTIVE",
                "admin_state_up": true, "psk": format!("psk-of-{name}"), "initiator": "bi-directional",
                "auth_mode": "psk", "mtu": 1500, "route_mode": "static",
                "peer_address": address, "peer_id": address,
                "peer_cidrs": if peer.is_some() { json!([]) } else { json!(["10.9.0.0/16"]) },
                "local_ep_group_id": peer.map(|_| LOCAL_GROUP), "peer_ep_group_id": peer,
                "ikepolicy_id": ike, "ipsecpolicy_id": IPSECPOLICY, "vpnservice_id": VPNSERVICE,
                "dpd": {"action": "hold", "interval": 30, "timeout": 120}
            }))
        };
        Estate {
            connections: vec![
                connection(
                    CONNECTION_A,
                    "vpnconnection1",
                    SHARED_IKEPOLICY,
                    Some(PEER_GROUP_A),
                    "172.24.4.226",
                ),
                connection(
                    CONNECTION_B,
                    "vpnconnection2",
                    SHARED_IKEPOLICY,
                    Some(PEER_GROUP_B),
                    "172.24.4.227",
                ),
                connection(
                    CONNECTION_C,
                    "vpnconnection3",
                    LEGACY_IKEPOLICY,
                    None,
                    "198.51.100.7",
                ),
            ],
            ikepolicies: vec![
                ikepolicy(
                    SHARED_IKEPOLICY,
                    "ikepolicy-site1",
                    "v2",
                    "sha256",
                    "aes-256",
                    "group14",
                    28800,
                ),
                ikepolicy(
                    LEGACY_IKEPOLICY,
                    "ikepolicy-legacy",
                    "v1",
                    "sha1",
                    "3des",
                    "group2",
                    3600,
                ),
            ],
            ipsecpolicies: vec![ipsecpolicy(
                IPSECPOLICY,
                "ipsecpolicy-site1",
                "sha256",
                "aes-256",
                "group14",
                3600,
            )],
            vpnservices: vec![vpnservice(VPNSERVICE, "vpnservice-router1", "172.24.4.11")],
            endpoint_groups: vec![
                endpoint_group(LOCAL_GROUP, "site1-local", "subnet", &[LOCAL_SUBNET]),
                endpoint_group(
                    PEER_GROUP_A,
                    "site1-peers",
                    "cidr",
                    &["10.2.0.0/24", "10.2.1.0/24"],
                ),
                endpoint_group(PEER_GROUP_B, "site2-peers", "cidr", &["10.3.0.0/24"]),
            ],
            subnets: vec![subnet(LOCAL_SUBNET, "private-subnet", LOCAL_SUBNET_CIDR)],
        }
    }

    /// The objects of a collection by its body key (`ipsec_site_connections`,
    /// `ikepolicies`, `ipsecpolicies`, `vpnservices`, `endpoint_groups`).
    pub fn collection(&self, key: &str) -> Option<&[Value]> {
        Some(match key {
            "ipsec_site_connections" => &self.connections,
            "ikepolicies" => &self.ikepolicies,
            "ipsecpolicies" => &self.ipsecpolicies,
            "vpnservices" => &self.vpnservices,
            "endpoint_groups" => &self.endpoint_groups,
            _ => return None,
        })
    }

    /// The connection with this id, to edit in place.
    pub fn connection_mut(&mut self, id: &str) -> Option<&mut Value> {
        by_id(&mut self.connections, id)
    }

    /// The IKE policy with this id, to edit in place.
    pub fn ikepolicy_mut(&mut self, id: &str) -> Option<&mut Value> {
        by_id(&mut self.ikepolicies, id)
    }

    /// The vpnservice with this id, to edit in place.
    pub fn vpnservice_mut(&mut self, id: &str) -> Option<&mut Value> {
        by_id(&mut self.vpnservices, id)
    }

    /// Removes the subnet with this id; whether it was there.
    pub fn remove_subnet(&mut self, id: &str) -> bool {
        let before = self.subnets.len();
        self.subnets.retain(|object| object["id"] != id);
        self.subnets.len() != before
    }

    /// Removes the connection with this id; whether it was there.
    pub fn remove_connection(&mut self, id: &str) -> bool {
        let before = self.connections.len();
        self.connections.retain(|object| object["id"] != id);
        self.connections.len() != before
    }
}

fn by_id<'a>(objects: &'a mut [Value], id: &str) -> Option<&'a mut Value> {
    objects.iter_mut().find(|object| object["id"] == id)
}

/// Adds the project fields every Neutron object carries.
pub(super) fn owned(mut object: Value) -> Value {
    object["tenant_id"] = json!(DEMO_PROJECT_ID);
    object["project_id"] = json!(DEMO_PROJECT_ID);
    object
}

pub(super) fn ikepolicy(
    id: &str,
    name: &str,
    version: &str,
    auth: &str,
    encryption: &str,
    pfs: &str,
    lifetime: u64,
) -> Value {
    owned(json!({
        "id": id, "name": name, "description": "", "auth_algorithm": auth,
        "encryption_algorithm": encryption, "pfs": pfs, "phase1_negotiation_mode": "main",
        "ike_version": version, "lifetime": {"units": "seconds", "value": lifetime}
    }))
}

pub(super) fn ipsecpolicy(
    id: &str,
    name: &str,
    auth: &str,
    encryption: &str,
    pfs: &str,
    lifetime: u64,
) -> Value {
    owned(json!({
        "id": id, "name": name, "description": "", "auth_algorithm": auth,
        "encryption_algorithm": encryption, "pfs": pfs, "transform_protocol": "esp",
        "encapsulation_mode": "tunnel", "lifetime": {"units": "seconds", "value": lifetime}
    }))
}

pub(super) fn vpnservice(id: &str, name: &str, external_ip: &str) -> Value {
    owned(json!({
        "id": id, "name": name, "description": "", "router_id": format!("router-of-{id}"),
        "subnet_id": null, "flavor_id": null, "admin_state_up": true, "status": "ACTIVE",
        "external_v4_ip": external_ip, "external_v6_ip": null
    }))
}

pub(super) fn endpoint_group(id: &str, name: &str, kind: &str, endpoints: &[&str]) -> Value {
    owned(json!({"id": id, "name": name, "description": "", "type": kind, "endpoints": endpoints}))
}

/// A subnet as `GET /v2.0/subnets` returns it: an IPv4 `/24` (or any CIDR
/// given) with its gateway on the first address.
pub fn subnet(id: &str, name: &str, cidr: &str) -> Value {
    let gateway = cidr
        .split_once('/')
        .and_then(|(network, _)| network.strip_suffix(".0"))
        .map(|prefix| format!("{prefix}.1"));
    owned(json!({
        "id": id, "name": name, "description": "", "network_id": format!("network-of-{id}"),
        "ip_version": 4, "cidr": cidr, "gateway_ip": gateway, "enable_dhcp": true,
        "subnetpool_id": null, "ipv6_ra_mode": null, "ipv6_address_mode": null,
        "allocation_pools": [], "host_routes": [], "dns_nameservers": [], "service_types": [],
        "tags": [], "revision_number": 0
    }))
}
