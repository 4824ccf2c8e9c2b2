//! Realistic, varied, deterministic legacy `DescribeVpnConn` tunnels for
//! the simulator, in the seed's shape: numeric and `un...` ids, status codes
//! with and without `netStatus`, lifetimes as strings, `"null"` PFS, the
//! legacy algorithm vocabulary and both `integrityAlgorith(m)` spellings.

use serde_json::{Value, json};

use crate::sim::rng::Rng;
use crate::sim::tencent::shared::{Estate, created_time, unique_id};

/// `count` tunnels for `seed`; the same arguments give the same estate.
/// About 25 tunnels share a VPC, each VPC has two gateways.
pub fn generate_estate(count: usize, seed: u64) -> Estate {
    Estate::generate(count, |index, vpcs| tunnel(seed, index, vpcs))
}

/// The `unVpcId` of VPC number `vpc` of an estate generated with `seed`.
pub fn vpc_id(seed: u64, vpc: u64) -> String {
    unique_id("vpc", seed ^ 0x4c56_5043, vpc)
}

/// The `unVpnGwId` of gateway `gateway` (0 or 1) of VPC number `vpc`.
pub fn gateway_id(seed: u64, vpc: u64, gateway: u64) -> String {
    unique_id("vpngw", seed ^ 0x4c47_5700, vpc * 2 + gateway)
}

fn tunnel(seed: u64, index: u64, vpcs: u64) -> Value {
    let mut rng = Rng::new(seed.wrapping_mul(0x2000_0003).wrapping_add(index));
    let vpc = rng.below(vpcs);
    let gateway = rng.below(2);
    let gateway_ip = format!("183.60.{}.{}", vpc % 250, 30 + gateway);
    let peer_ip = format!("183.61.{}.{}", rng.below(250), 1 + index % 250);
    let status = *rng.weighted(&[(6, 88), (0, 3), (2, 3), (4, 2), (1, 2), (3, 1), (5, 1)]);
    let fqdn_peer = rng.below(6) == 0;
    let name = rng.pick(&["vpnconn", "testtest", "branch", "idc", "backup"]);
    let mut object = json!({
        "vpcId": format!("gz_vpc_{}", 70 + vpc),
        "unVpcId": vpc_id(seed, vpc),
        "vpcName": format!("vpc-{vpc}"),
        "vpcCidrBlock": format!("10.{}.0.0/16", vpc % 250),
        "vpnGwId": 400 + vpc * 2 + gateway,
        "unVpnGwId": gateway_id(seed, vpc, gateway),
        "vpnGwName": format!("gw-{vpc}-{gateway}"),
        "vpnGwAddress": gateway_ip,
        "vpnConnId": 1000 + index,
        "unVpnConnId": unique_id("vpnx", seed, index),
        "vpnConnName": format!("{}_{name}", 1000 + index),
        "userGwId": 200 + index,
        "unUserGwId": unique_id("cgw", seed ^ 0x4c43_4757, index),
        "userGwName": peer_ip,
        "userGwAddress": peer_ip,
        "vpcConnStatus": status,
        "preSharedKey": format!("psk-{:016x}", rng.next_u64()),
        "remoteSlaIp": format!("169.254.112.{}", 1 + index % 250),
        "sourceCidr": [format!("10.{}.{}.0/24", vpc % 250, gateway)],
        "destinationCidr": [format!("10.200.{}.0/24", index % 250)],
        "vpnProto": "ip-sec",
        "createTime": created_time(&mut rng, 14, 6),
        "IKEArr": {
            "propoAuthenAlgorithm": rng.pick(&["sha", "md5", "sha256"]),
            "propoEncryAlgorithm": rng.pick(&["des-cbc", "3des-cbc", "aes-cbc-128", "aes-cbc-192", "aes-cbc-256"]),
            "exchangeMode": rng.weighted(&[("main", 4), ("aggressive", 1)]),
            "localIdentity": "address",
            "remoteIdentity": if fqdn_peer { "fqdn" } else { "address" },
            "localAddress": gateway_ip,
            "remoteAddress": if fqdn_peer { Value::Null } else { Value::from(peer_ip.clone()) },
            "localFqdnName": null,
            "remoteFqdnName": if fqdn_peer { Value::from(format!("vpn{index}")) } else { Value::Null },
            "dhGroupName": rng.pick(&["group1", "group2", "group5", "group14"]),
            "ikeSaLifetimeSeconds": rng.pick(&["86400", "28800", "11180"]).to_string(),
        },
        "IPSECArr": {
            "encryptAlgorithm": rng.pick(&["3des-cbc", "aes-cbc-128", "aes-cbc-192", "aes-cbc-256", "des-cbc"]),
            "encapMode": "tunnel",
            "securityProto": "ESP",
            "pfsDhGroup": rng.pick(&["null", "dh-group1", "dh-group2", "dh-group5"]).to_string(),
            "ipsecSaLifetimeSeconds": rng.pick(&["3600", "1800", "500"]).to_string(),
            "ipsecSaLifetimeTraffic": rng.pick(&["1843200", "80000"]).to_string(),
        },
    });
    let integrity = *rng.pick(&["sha1", "md5", "sha256"]);
    let spelling = if rng.below(4) == 0 {
        "integrityAlgorithm"
    } else {
        "integrityAlgorith"
    };
    object["IPSECArr"][spelling] = json!(integrity);
    if status == 6 && rng.below(10) < 7 {
        object["netStatus"] = json!(if rng.below(6) == 0 {
            "unavailable"
        } else {
            "available"
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
        let estate = generate_estate(400, 21);
        assert_eq!(estate.connections, generate_estate(400, 21).connections);
        let ids: std::collections::HashSet<String> = estate.ids().into_iter().collect();
        assert_eq!(ids.len(), 400);
        let mut statuses = std::collections::BTreeSet::new();
        for normalized in &normalize_estate(&estate, ProviderKind::TencentLegacy, "$.data", "gz") {
            assert!(normalized.connection.ipsec.auth_algorithm.is_some());
            statuses.insert(normalized.connection.status.as_str());
        }
        assert_eq!(
            statuses.into_iter().collect::<Vec<_>>(),
            ["ACTIVE", "DOWN", "ERROR", "PENDING"]
        );
    }
}
