//! The simulated project's VPN gateways and customer gateways, in the
//! documented v5 shapes (`GET /v5/{project_id}/vpn-gateways`, not paged, and
//! `GET /v5/{project_id}/customer-gateways?limit=&marker=`), generated to
//! match the generated connections: every connection's `vgw_id` and
//! `cgw_id` name one of them, and its `vgw_ip` is an EIP id of its gateway
//! (public gateways) or one of its private access IPs (private ones).

use axum::http::StatusCode;
use serde_json::{Value, json};

use super::DEFAULT_LIMIT;
use super::answer::{Answer, json_answer, read_limit};
use super::verify;
use crate::sim::rng::Rng;

fn text<'a>(object: &'a Value, key: &str) -> &'a str {
    object.get(key).and_then(Value::as_str).unwrap_or("")
}

/// VPN gateways for `gateways` (`(id, address)`, the address being what the
/// connections' `vgw_ip` holds) and one customer gateway per connection;
/// connections on a public gateway get its EIP's id as `vgw_ip`. Every
/// seventh customer gateway is identified by FQDN.
pub fn generate(
    connections: &mut [Value],
    gateways: &[(String, String)],
    seed: u64,
) -> (Vec<Value>, Vec<Value>) {
    // Its own sequence: the connections stay what they were before
    // gateways were generated.
    let mut rng = Rng::new(seed ^ 0x9a7e_3a75_0000_0001);
    let mut vpn_gateways = Vec::with_capacity(gateways.len());
    for (index, (id, address)) in gateways.iter().enumerate() {
        let public = index % 2 == 0;
        let mut gateway = json!({
            "id": id,
            "name": format!("vpngw-{index:04}"),
            "network_type": if public { "public" } else { "private" },
            "status": "ACTIVE",
            "attachment_type": "vpc",
            "ip_version": "ipv4",
            "vpc_id": rng.uuid(),
            "local_subnets": [format!("172.{}.0.0/16", 16 + index % 16)],
            "connect_subnet": rng.uuid(),
            "bgp_asn": 64512,
            "flavor": "Professional1",
            "availability_zone_ids": ["ap-southeast-1a", "ap-southeast-1b"],
            "connection_number": 200,
            "used_connection_number": 0,
            "used_connection_group": 0,
            "enterprise_project_id": "0",
            "created_at": "2021-01-01T00:00:00.000Z",
            "updated_at": "2021-01-01T00:00:00.000Z"
        });
        if public {
            let eip = |rng: &mut Rng, ip: &str| {
                json!({"id": rng.uuid(), "ip_version": 4, "type": "5_bgp", "ip_address": ip,
                       "charge_mode": "bandwidth", "bandwidth_id": rng.uuid(),
                       "bandwidth_size": 300, "bandwidth_name": "vpngw-bandwidth"})
            };
            gateway["eip1"] = eip(&mut rng, address);
            gateway["eip2"] = eip(&mut rng, &format!("{address}1"));
        } else {
            gateway["access_vpc_id"] = gateway["vpc_id"].clone();
            gateway["access_subnet_id"] = gateway["connect_subnet"].clone();
            gateway["access_private_ip_1"] = json!(address);
            gateway["access_private_ip_2"] = json!(format!("{address}1"));
        }
        vpn_gateways.push(gateway);
    }
    let mut customer_gateways = Vec::with_capacity(connections.len());
    for (index, connection) in connections.iter_mut().enumerate() {
        let gateway = vpn_gateways
            .iter_mut()
            .find(|gateway| text(gateway, "id") == text(connection, "vgw_id"));
        if let Some(gateway) = gateway {
            if let Some(eip) = gateway.get("eip1").and_then(|eip| eip.get("id")) {
                connection["vgw_ip"] = eip.clone();
            }
            if let Some(used) = gateway.get_mut("used_connection_number") {
                *used = json!(used.as_u64().unwrap_or(0) + 1);
            }
        }
        let peer = connection
            .pointer("/ikepolicy/peer_id")
            .and_then(Value::as_str)
            .unwrap_or("203.0.113.1")
            .to_string();
        let (id_type, id_value) = if index % 7 == 3 {
            ("fqdn", format!("branch-{index:05}.example.net"))
        } else {
            ("ip", peer)
        };
        customer_gateways.push(json!({
            "id": text(connection, "cgw_id"),
            "name": format!("cgw-{index:05}"),
            "id_type": id_type,
            "id_value": id_value,
            "bgp_asn": 65000 + index as u64 % 500,
            "created_at": text(connection, "created_at"),
            "updated_at": text(connection, "created_at"),
            "tags": []
        }));
    }
    order(&mut customer_gateways);
    (vpn_gateways, customer_gateways)
}

/// Customer gateways in the API's order (by id, which the marker follows).
pub fn order(customer_gateways: &mut [Value]) {
    customer_gateways.sort_by(|a, b| text(a, "id").cmp(text(b, "id")));
}

/// One page of customer gateways after `marker` (an id), at most `limit`.
pub fn page<'a>(customer_gateways: &'a [Value], limit: usize, marker: Option<&str>) -> &'a [Value] {
    let start = match marker {
        Some(marker) => customer_gateways.partition_point(|gateway| text(gateway, "id") <= marker),
        None => 0,
    };
    let end = (start + limit).min(customer_gateways.len());
    &customer_gateways[start..end]
}

/// `GET .../customer-gateways?limit=&marker=`: paged like the connections,
/// the marker being the last id of a page.
pub(super) fn answer_page(customer_gateways: &[Value], query: &str, request_id: &str) -> Answer {
    let mut limit = DEFAULT_LIMIT as usize;
    let mut marker = None;
    for (key, value) in verify::query_pairs(query) {
        let value = String::from_utf8_lossy(&value).into_owned();
        match key.as_slice() {
            b"limit" => match read_limit(&value, DEFAULT_LIMIT, request_id) {
                Ok(asked) => limit = asked.unwrap_or(limit),
                Err(answer) => return answer,
            },
            b"marker" => marker = Some(value),
            _ => {}
        }
    }
    let page = page(customer_gateways, limit, marker.as_deref());
    let mut page_info = json!({"current_count": page.len()});
    if let Some(last) = page.last().and_then(|last| last.get("id")) {
        page_info["next_marker"] = last.clone();
    }
    json_answer(
        &json!({"customer_gateways": page, "page_info": page_info,
                "total_count": customer_gateways.len(), "request_id": request_id}),
        request_id,
    )
}

/// `GET .../customer-gateways/{id}` (`customer`) or `.../vpn-gateways/{id}`.
pub(super) fn answer_show(objects: &[Value], id: &str, customer: bool, request_id: &str) -> Answer {
    let key = match customer {
        true => "customer_gateway",
        false => "vpn_gateway",
    };
    match objects.iter().find(|object| object["id"] == id) {
        Some(object) => json_answer(&json!({key: object, "request_id": request_id}), request_id),
        None => Answer::error(
            StatusCode::NOT_FOUND,
            "VPN.0004",
            &format!("{key} {id} not found"),
            request_id,
        ),
    }
}
