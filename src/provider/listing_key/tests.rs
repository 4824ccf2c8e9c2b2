//! Listing keys: what they cover, and what they must not depend on.

use serde_json::json;

use super::*;

fn keyer(source: &str, region: Option<&str>, key: &[u8]) -> ListingKeyer {
    let context = NormalizeContext {
        source,
        region,
        account: Some("0a1b"),
    };
    ListingKeyer::new(
        ProviderKind::OpenStack,
        &context,
        &PskFingerprinter::new(key),
    )
}

fn huawei() -> ListingKeyer {
    let context = NormalizeContext {
        source: "hw",
        region: Some("cn-north-4"),
        account: None,
    };
    ListingKeyer::new(
        ProviderKind::HuaweiCloud,
        &context,
        &PskFingerprinter::new(b"k"),
    )
}

fn related(objects: &[(RelatedKind, Value)]) -> Related {
    let mut related = Related::default();
    for (kind, object) in objects {
        related.insert(*kind, object.clone(), "$").unwrap();
    }
    related
}

const TEXT: &str = r#"{"id":"c1","psk":"s3cret","ikepolicy_id":"ike-1","vpnservice_id":"vs-1"}"#;

#[test]
fn the_same_object_in_the_same_listing_has_the_same_key() {
    let none = Related::default();
    let a = keyer("os", Some("r1"), b"k");
    assert_eq!(
        a.of_text(TEXT, &none),
        keyer("os", Some("r1"), b"k").of_text(TEXT, &none)
    );
    let value: Value = serde_json::from_str(TEXT).unwrap();
    assert_eq!(a.of_value(&value, &none), a.of_value(&value.clone(), &none));
}

#[test]
fn a_key_depends_on_the_bytes_the_source_the_region_and_the_database_key() {
    let none = Related::default();
    let base = keyer("os", Some("r1"), b"k").of_text(TEXT, &none).unwrap();
    let others = [
        keyer("os", Some("r1"), b"k").of_text(&TEXT.replace("s3cret", "other"), &none),
        keyer("os", Some("r1"), b"k").of_text(&TEXT.replace("\"id\":", "\"id\" :"), &none),
        keyer("os2", Some("r1"), b"k").of_text(TEXT, &none),
        keyer("os", Some("r2"), b"k").of_text(TEXT, &none),
        keyer("os", None, b"k").of_text(TEXT, &none),
        keyer("os", Some("r1"), b"other key").of_text(TEXT, &none),
    ];
    for other in others {
        assert_ne!(other.unwrap(), base);
    }
    // The parsed value is keyed apart from the text it came as.
    let value: Value = serde_json::from_str(TEXT).unwrap();
    assert_ne!(keyer("os", Some("r1"), b"k").of_value(&value, &none), base);
}

#[test]
fn a_key_holds_no_secret_in_plain_text() {
    let key = keyer("os", Some("r1"), b"k")
        .of_text(TEXT, &Related::default())
        .unwrap();
    let hex = hex::encode(key);
    assert!(!hex.contains(&hex::encode("s3cret")));
    assert!(!String::from_utf8_lossy(&key).contains("s3cret"));
}

#[test]
fn only_an_object_is_keyed_from_its_text() {
    let keyer = keyer("os", Some("r1"), b"k");
    assert!(keyer.of_text("[1, 2]", &Related::default()).is_none());
    assert!(keyer.of_text("\"id\"", &Related::default()).is_none());
    assert!(
        keyer
            .of_text("  {\"id\": \"x\"}", &Related::default())
            .is_some()
    );
}

#[test]
fn a_change_to_a_referenced_object_changes_the_keys_of_the_connections_naming_it_only() {
    let keyer = keyer("os", Some("r1"), b"k");
    let objects = |ike_lifetime: u64, subnet_cidr: &str| {
        related(&[
            (
                RelatedKind::IkePolicy,
                json!({"id": "ike-1", "lifetime": {"value": ike_lifetime}}),
            ),
            (
                RelatedKind::IkePolicy,
                json!({"id": "ike-2", "lifetime": {"value": 3600}}),
            ),
            (
                RelatedKind::VpnService,
                json!({"id": "vs-1", "subnet_id": "sn-1"}),
            ),
            (
                RelatedKind::Subnet,
                json!({"id": "sn-1", "cidr": subnet_cidr}),
            ),
        ])
    };
    let other = r#"{"id":"c2","ikepolicy_id":"ike-2"}"#;
    let before = objects(3600, "10.0.0.0/24");
    let policy_changed = objects(7200, "10.0.0.0/24");
    let subnet_changed = objects(3600, "10.0.1.0/24");
    let key = |text: &str, related: &Related| keyer.of_text(text, related).unwrap();
    assert_ne!(key(TEXT, &before), key(TEXT, &policy_changed));
    // The subnet is named by the vpnservice the connection names.
    assert_ne!(key(TEXT, &before), key(TEXT, &subnet_changed));
    assert_eq!(key(other, &before), key(other, &policy_changed));
    assert_eq!(key(other, &before), key(other, &subnet_changed));
    // The same through the parsed value.
    let value: Value = serde_json::from_str(TEXT).unwrap();
    assert_ne!(
        keyer.of_value(&value, &before),
        keyer.of_value(&value, &subnet_changed)
    );
    // A referenced object that appears changes the key too.
    let without_policy = related(&[
        (
            RelatedKind::VpnService,
            json!({"id": "vs-1", "subnet_id": "sn-1"}),
        ),
        (
            RelatedKind::Subnet,
            json!({"id": "sn-1", "cidr": "10.0.0.0/24"}),
        ),
    ]);
    assert_ne!(key(TEXT, &before), key(TEXT, &without_policy));
}

#[test]
fn a_huawei_key_tells_whether_any_gateway_was_collected() {
    // With no gateway collected the normalizer resolves nothing; with some,
    // a connection whose gateways are missing warns instead.
    let keyer = huawei();
    let text = r#"{"id":"c1","vgw_id":"gw-1","cgw_id":"cgw-1"}"#;
    let other_gateway = related(&[(
        RelatedKind::CustomerGateway,
        json!({"id": "cgw-9", "id_value": "1.2.3.4"}),
    )]);
    assert_ne!(
        keyer.of_text(text, &Related::default()),
        keyer.of_text(text, &other_gateway)
    );
}

#[test]
fn volatile_members_are_left_out_of_a_value_key_only() {
    let keyer = huawei();
    let none = Related::default();
    let at = |sent: u64| json!({"id": "c1", "bgp_peer": {"state": "up", "num_message_sent": sent}});
    assert!(keyer.has_volatile(&at(1)));
    assert!(!keyer.has_volatile(&json!({"id": "c1"})));
    assert_eq!(keyer.of_value(&at(1), &none), keyer.of_value(&at(2), &none));
    assert_ne!(
        keyer.of_value(&at(1), &none),
        keyer.of_value(
            &json!({"id": "c1", "bgp_peer": {"state": "down", "num_message_sent": 1}}),
            &none
        )
    );
    assert_ne!(
        keyer.of_text(&at(1).to_string(), &none),
        keyer.of_text(&at(2).to_string(), &none)
    );
}

#[test]
fn top_level_strings_are_read_without_parsing_the_rest() {
    let text =
        r#"{"a":"x","b":{"c":"not top"},"d":["e"],"f":1.5,"g":null,"h":"esc\"aped","i":true}"#;
    let strings = serde_json::from_str::<TopLevelStrings>(text).unwrap().0;
    assert_eq!(strings, vec!["x", "esc\"aped"]);
}
