//! Realistic, varied, deterministic API 3.0 `VpnConnection` objects for the
//! simulator: statuses, routing types, algorithm spellings, lifetimes as
//! numbers and as strings, both spellings of `IntegrityAlgorith(m)`, "NULL"
//! PFS, tags and BGP settings, spread over VPCs and gateways.

use serde_json::{Value, json};

use super::shared::{Estate, created_time, unique_id};
use crate::sim::rng::Rng;

/// `count` connections for `seed`; the same arguments give the same estate.
/// About 25 connections share a VPC, each VPC has two gateways.
pub fn generate_estate(count: usize, seed: u64) -> Estate {
    Estate::generate(count, |index, vpcs| connection(seed, index, vpcs))
}

/// The VPC id of VPC number `vpc` of an estate generated with `seed`.
pub fn vpc_id(seed: u64, vpc: u64) -> String {
    unique_id("vpc", seed ^ 0x5650_4300, vpc)
}

/// The id of gateway `gateway` (0 or 1) of VPC number `vpc`.
pub fn gateway_id(seed: u64, vpc: u64, gateway: u64) -> String {
    unique_id("vpngw", seed ^ 0x4757_0000, vpc * 2 + gateway)
}

fn connection(seed: u64, index: u64, vpcs: u64) -> Value {
    let mut rng = Rng::new(seed.wrapping_mul(0x1000_0001).wrapping_add(index));
    let vpc = rng.below(vpcs);
    let gateway = rng.below(2);
    let gateway_ip = format!("119.28.{}.{}", vpc % 250, 10 + gateway);
    let peer_ip = format!("203.0.{}.{}", rng.below(250), 1 + index % 250);
    let route = *rng.weighted(&[("StaticRoute", 6), ("Policy", 3), ("Bgp", 1)]);
    let state = *rng.weighted(&[("AVAILABLE", 90), ("PENDING", 6), ("DELETING", 4)]);
    let net = *rng.weighted(&[("AVAILABLE", 85), ("UNAVAILABLE", 15)]);
    let fqdn_peer = rng.below(5) == 0;
    let site = rng.pick(&["hq", "branch", "dc", "lab", "store", "partner"]);
    let mut spd = Vec::new();
    if route != "Bgp" {
        for entry in 0..1 + rng.below(2) {
            spd.push(json!({
                "LocalCidrBlock": format!("10.{}.{}.0/24", vpc % 250, entry + 2 * gateway),
                "RemoteCidrBlock": [format!("192.168.{}.0/24", index % 250)],
            }));
        }
    }
    let lifetime = |rng: &mut Rng, seconds: u64| -> Value {
        if rng.below(3) == 0 {
            Value::from(seconds.to_string())
        } else {
            Value::from(seconds)
        }
    };
    let ike_lifetime = *rng.pick(&[86400, 28800, 3600]);
    let ipsec_lifetime = *rng.pick(&[3600, 1800, 14400]);
    let mut ipsec = json!({
        "EncryptAlgorithm": rng.pick(&["AES-CBC-128", "AES-CBC-256", "3DES-CBC", "AES256GCM128", "SM4-CBC"]),
        "IPSECSaLifetimeSeconds": lifetime(&mut rng, ipsec_lifetime),
        "PfsDhGroup": rng.pick(&["NULL", "null", "DH-GROUP2", "DH-GROUP14", "DH-GROUP24"]),
        "IPSECSaLifetimeTraffic": lifetime(&mut rng, 1_843_200),
    });
    let integrity = *rng.pick(&["SHA1", "MD5", "SHA-256", "SHA-512"]);
    match rng.below(3) {
        0 => ipsec["IntegrityAlgorith"] = json!(integrity),
        1 => ipsec["IntegrityAlgorithm"] = json!(integrity),
        _ => {
            ipsec["IntegrityAlgorith"] = json!(integrity);
            ipsec["IntegrityAlgorithm"] = json!(integrity);
        }
    }
    let dpd = rng.below(4) != 0;
    let mut object = json!({
        "VpnConnectionId": unique_id("vpnx", seed, index),
        "VpnConnectionName": format!("{site}-{index:05}"),
        "VpcId": vpc_id(seed, vpc),
        "VpnGatewayId": gateway_id(seed, vpc, gateway),
        "CustomerGatewayId": unique_id("cgw", seed ^ 0x4347_5700, index),
        "PreShareKey": format!("psk-{:016x}", rng.next_u64()),
        "VpnProto": "IPSEC",
        "EncryptProto": "IKE/IPSec",
        "RouteType": route,
        "CreatedTime": created_time(&mut rng, 18, 8),
        "State": state,
        "NetStatus": net,
        "SecurityPolicyDatabaseSet": spd,
        "IKEOptionsSpecification": {
            "PropoEncryAlgorithm": rng.pick(&["AES-CBC-128", "AES-CBC-192", "AES-CBC-256", "3DES-CBC", "DES-CBC"]),
            "PropoAuthenAlgorithm": rng.pick(&["SHA", "MD5", "SHA-256", "SHA-384"]),
            "ExchangeMode": rng.weighted(&[("MAIN", 4), ("AGGRESSIVE", 1)]),
            "LocalIdentity": "ADDRESS",
            "RemoteIdentity": if fqdn_peer { "FQDN" } else { "ADDRESS" },
            "LocalAddress": gateway_ip,
            "RemoteAddress": if fqdn_peer { String::new() } else { peer_ip },
            "LocalFqdnName": "",
            "RemoteFqdnName": if fqdn_peer { format!("{site}-{index}.example.com") } else { String::new() },
            "DhGroupName": rng.pick(&["GROUP1", "GROUP2", "GROUP5", "GROUP14", "GROUP24"]),
            "IKESaLifetimeSeconds": lifetime(&mut rng, ike_lifetime),
            "IKEVersion": rng.weighted(&[("IKEV1", 2), ("IKEV2", 3)]),
        },
        "IPSECOptionsSpecification": ipsec,
        "EnableHealthCheck": false,
        "HealthCheckLocalIp": "",
        "HealthCheckRemoteIp": "",
        "DpdEnable": u8::from(dpd),
        "DpdTimeout": "30",
        "DpdAction": rng.pick(&["clear", "restart"]),
        "TagSet": [{"Key": "site", "Value": site}],
        "NegotiationType": rng.pick(&["active", "passive"]),
    });
    if route == "Bgp" {
        object["BgpConfig"] = json!({
            "TunnelCidr": format!("169.254.{}.0/30", index % 250),
            "LocalBgpIp": format!("169.254.{}.1", index % 250),
            "RemoteBgpIp": format!("169.254.{}.2", index % 250),
            "LocalBgpAsn": "139341",
            "RemoteBgpAsn": (64512 + index % 1000).to_string(),
        });
    }
    object
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::provider::ProviderKind;
    use crate::sim::tencent::shared::normalize_estate;

    #[test]
    fn estates_are_deterministic_varied_and_normalize() {
        let estate = generate_estate(400, 11);
        assert_eq!(estate.connections, generate_estate(400, 11).connections);
        assert_ne!(estate.connections, generate_estate(400, 12).connections);
        let ids: std::collections::HashSet<String> = estate.ids().into_iter().collect();
        assert_eq!(ids.len(), 400);
        let mut statuses = std::collections::BTreeSet::new();
        for normalized in &normalize_estate(
            &estate,
            ProviderKind::Tencent,
            "$.Response.VpnConnectionSet",
            "ap-guangzhou",
        ) {
            statuses.insert(normalized.connection.status.as_str());
        }
        assert_eq!(
            statuses.into_iter().collect::<Vec<_>>(),
            ["ACTIVE", "DOWN", "PENDING"]
        );
    }
}
