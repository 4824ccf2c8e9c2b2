//! The synthetic Huawei Cloud estate the benchmarks and the snapshot series
//! (`examples/snapshot_series.rs`) share: realistic v5 connection objects,
//! the changes made between runs, and a deterministic generator. Included
//! with `#[path]` (benches and examples are crates of their own); an
//! includer may use only part of it.

#![allow(dead_code)]

use serde_json::{Value, json};

/// A realistic Huawei v5 connection object.
pub fn connection(index: usize) -> Value {
    json!({
        "id": format!("{:08x}-demo-4a8d-9f86-{:012x}", index, index * 7919),
        "name": format!("vpn-{index:05}"),
        "status": if index.is_multiple_of(10) { "DOWN" } else { "ACTIVE" },
        "vgw_id": format!("b32d91a4-demo-a8df-va86-{:012x}", index / 50),
        "vgw_ip": format!("0c464dad-demo-a8df-va86-{:012x}", index / 50),
        "style": "POLICY",
        "cgw_id": format!("5247ae10-demo-a8df-va86-{:012x}", index),
        "peer_subnets": [format!("192.168.{}.0/24", index % 250)],
        "tunnel_local_address": "169.254.56.225/30",
        "tunnel_peer_address": "169.254.56.226/30",
        "policy_rules": [{"rule_index": 1, "source": format!("10.{}.{}.0/24", index / 250 % 250, index % 250), "destination": [format!("192.168.{}.0/24", index % 250)]}],
        "ikepolicy": {
            "ike_version": "v2", "authentication_algorithm": "sha2-256", "encryption_algorithm": "aes-128",
            "dh_group": "group15", "authentication_method": "pre-share", "lifetime_seconds": 86400,
            "local_id_type": "ip", "local_id": format!("10.1.{}.{}", index / 250 % 250, index % 250),
            "peer_id_type": "ip", "peer_id": format!("88.{}.{}.164", index / 250 % 250, index % 250),
            "dpd": {"timeout": 15, "interval": 30, "msg": "seq-hash-notify"}
        },
        "ipsecpolicy": {
            "authentication_algorithm": "sha2-256", "encryption_algorithm": "aes-128", "pfs": "group15",
            "transform_protocol": "esp", "lifetime_seconds": 3600, "encapsulation_mode": "tunnel"
        },
        "created_at": format!("2025-06-26T13:{:02}:{:02}.626Z", index / 60 % 60, index % 60),
        "updated_at": "2025-06-26T13:41:34.626Z",
        "enterprise_project_id": "0",
        "ha_role": "master",
        "tags": [{"key": "env", "value": "prod"}, {"key": "team", "value": format!("net-{}", index % 7)}]
    })
}

/// A change an operator or the network would make.
pub fn mutate(object: &mut Value, random: &mut Lcg) {
    match random.below(3) {
        0 => {
            let down = object["status"] == "DOWN";
            object["status"] = Value::from(if down { "ACTIVE" } else { "DOWN" });
        }
        1 => {
            let aes128 = object["ikepolicy"]["encryption_algorithm"] == "aes-128";
            object["ikepolicy"]["encryption_algorithm"] =
                Value::from(if aes128 { "aes-256" } else { "aes-128" });
        }
        _ => {
            object["updated_at"] =
                Value::from(format!("2026-01-01T00:00:{:02}.000Z", random.below(60)))
        }
    }
}

/// A small deterministic generator, so that every run does the same work.
pub struct Lcg(pub u64);

impl Lcg {
    pub fn below(&mut self, bound: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 33) as usize) % bound.max(1)
    }
}
