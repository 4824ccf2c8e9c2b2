//! Tests of the provider dispatch: normalizing through it, and the kinds.

use super::*;
use serde_json::json;

#[test]
fn huawei_bgp_counters_change_neither_the_hash_nor_the_unmapped_fields() {
    let bgp = |received: u64, duration: &str| {
        json!({"id": "c1", "status": "ACTIVE", "style": "BGP", "bgp_peer": {
            "peer_ip_address": "169.254.70.2", "state": "Established",
            "state_duration": duration, "num_message_received": received,
            "num_message_sent": received, "num_received_routes": 2
        }})
    };
    let context = NormalizeContext {
        source: "hw",
        region: None,
        account: None,
    };
    let fingerprinter = PskFingerprinter::new(b"test");
    let normalized = |object| {
        normalize(
            ProviderKind::HuaweiCloud,
            "$",
            object,
            &Related::default(),
            &context,
            &fingerprinter,
        )
        .unwrap()
    };
    let first = normalized(bgp(18231, "3d 4h"));
    let later = normalized(bgp(18999, "3d 5h"));
    assert_eq!(first.content_hash, later.content_hash);
    assert_eq!(
        later.unmapped_value(),
        json!({"bgp_peer": {"peer_ip_address": "169.254.70.2", "state": "Established",
                            "num_received_routes": 2}})
    );
    let routes_changed = normalized(json!({"id": "c1", "status": "ACTIVE", "style": "BGP",
        "bgp_peer": {"peer_ip_address": "169.254.70.2", "state": "Established",
                     "num_received_routes": 3}}));
    assert_ne!(first.content_hash, routes_changed.content_hash);
}

#[test]
fn kinds_round_trip_through_their_names() {
    for kind in ProviderKind::ALL {
        assert_eq!(kind.as_str().parse::<ProviderKind>(), Ok(kind));
    }
    assert!("aws".parse::<ProviderKind>().is_err());
}

#[test]
fn any_kinds_show_key_makes_a_body_single() {
    assert!(is_single_object_body(
        &json!({"vpn_connection": {"id": "a"}})
    ));
    assert!(is_single_object_body(
        &json!({"ipsec_site_connection": {"id": "a"}})
    ));
    // A stray show key of another kind beside a list still counts: a
    // partial listing is the safe reading.
    assert!(is_single_object_body(
        &json!({"vpn_connections": [], "ipsec_site_connection": {"id": "a"}})
    ));
    assert!(!is_single_object_body(&json!({"vpn_connections": []})));
    assert!(!is_single_object_body(
        &json!({"Response": {"VpnConnectionSet": []}})
    ));
}
