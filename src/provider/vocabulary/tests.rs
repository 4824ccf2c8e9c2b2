//! Tests of the shared algorithm vocabulary: fixtures and edge cases, exact expected values.

use super::*;
use serde_json::json;

fn some(text: &str) -> Option<String> {
    Some(text.to_string())
}

#[test]
fn absent_values() {
    for raw in ["", "  ", "null", "NULL", "Null"] {
        assert_eq!(lowercase(raw), None, "{raw:?}");
        assert_eq!(algorithm(raw), None, "{raw:?}");
        assert_eq!(dh_group(raw), None, "{raw:?}");
        assert_eq!(pfs(raw), None, "{raw:?}");
        assert_eq!(ike_version(raw), None, "{raw:?}");
    }
}

#[test]
fn lowercase_trims() {
    assert_eq!(lowercase(" ESP "), some("esp"));
    assert_eq!(lowercase("Tunnel"), some("tunnel"));
    assert_eq!(lowercase("AGGRESSIVE"), some("aggressive"));
}

#[test]
fn encryption_algorithms() {
    let cases = [
        ("aes-cbc-128", "aes-128"),
        ("AES-CBC-128", "aes-128"),
        ("aes-cbc-192", "aes-192"),
        ("AES-CBC-256", "aes-256"),
        ("aes-128", "aes-128"),
        ("aes-192", "aes-192"),
        ("aes-256", "aes-256"),
        ("aes-128-gcm-16", "aes-128-gcm-16"),
        ("aes-256-gcm-16", "aes-256-gcm-16"),
        ("AES128GCM128", "aes-128-gcm-16"),
        ("AES192GCM128", "aes-192-gcm-16"),
        ("AES256GCM128", "aes-256-gcm-16"),
        ("3des-cbc", "3des"),
        ("3DES-CBC", "3des"),
        ("3des", "3des"),
        ("des-cbc", "des"),
        ("DES-CBC", "des"),
        ("SM4", "sm4"),
        ("aes-128-ctr", "aes-128-ctr"),
        (" Blowfish ", "blowfish"),
    ];
    for (raw, expected) in cases {
        assert_eq!(algorithm(raw), some(expected), "{raw:?}");
    }
}

#[test]
fn integrity_algorithms() {
    let cases = [
        ("sha", "sha1"),
        ("SHA", "sha1"),
        ("sha1", "sha1"),
        ("SHA1", "sha1"),
        ("md5", "md5"),
        ("MD5", "md5"),
        ("sha256", "sha2-256"),
        ("SHA-256", "sha2-256"),
        ("sha2-256", "sha2-256"),
        ("sha384", "sha2-384"),
        ("SHA-384", "sha2-384"),
        ("sha512", "sha2-512"),
        ("SHA-512", "sha2-512"),
        ("sha2-512", "sha2-512"),
        ("SM3", "sm3"),
    ];
    for (raw, expected) in cases {
        assert_eq!(algorithm(raw), some(expected), "{raw:?}");
    }
}

#[test]
fn dh_groups() {
    for number in 1..=21 {
        let expected = format!("group{number}");
        for raw in [
            format!("group{number}"),
            format!("GROUP{number}"),
            format!("dh-group{number}"),
            format!("DH-GROUP{number}"),
            format!("{number}"),
        ] {
            assert_eq!(dh_group(&raw), Some(expected.clone()), "{raw:?}");
        }
    }
    assert_eq!(dh_group("DH-GROUP24"), some("group24"));
    assert_eq!(dh_group("modp2048"), some("modp2048"));
    assert_eq!(dh_group("group"), some("group"));
}

#[test]
fn tencent_pfs_null_means_disabled() {
    let mut fields = Fields::new(
        json!({"a": "NULL", "b": "null", "c": "DH-GROUP2", "d": ""}),
        "$",
    );
    assert_eq!(read_tencent_pfs(&mut fields, "a"), some("disabled"));
    assert_eq!(read_tencent_pfs(&mut fields, "b"), some("disabled"));
    assert_eq!(read_tencent_pfs(&mut fields, "c"), some("group2"));
    assert_eq!(read_tencent_pfs(&mut fields, "d"), None);
    assert_eq!(read_tencent_pfs(&mut fields, "missing"), None);
}

#[test]
fn pfs_groups_and_off() {
    assert_eq!(pfs("group15"), some("group15"));
    assert_eq!(pfs("dh-group1"), some("group1"));
    assert_eq!(pfs("DH-GROUP14"), some("group14"));
    for off in ["disable", "disabled", "DISABLED", "none", "off"] {
        assert_eq!(pfs(off), some("disabled"), "{off:?}");
    }
    assert_eq!(pfs("null"), None);
    assert_eq!(pfs("NULL"), None);
}

#[test]
fn ike_versions() {
    for raw in ["v1", "V1", "ikev1", "IKEV1", "1"] {
        assert_eq!(ike_version(raw), some("v1"), "{raw:?}");
    }
    for raw in ["v2", "ikev2", "IKEV2", "IKEv2", "2"] {
        assert_eq!(ike_version(raw), some("v2"), "{raw:?}");
    }
    assert_eq!(ike_version("IKEv3"), some("ikev3"));
}

#[test]
fn routing_modes() {
    assert_eq!(routing("POLICY"), Some(Routing::Policy));
    assert_eq!(routing("Policy"), Some(Routing::Policy));
    assert_eq!(routing("STATIC"), Some(Routing::Static));
    assert_eq!(routing("StaticRoute"), Some(Routing::Static));
    assert_eq!(routing("static"), Some(Routing::Static));
    assert_eq!(routing("BGP"), Some(Routing::Bgp));
    assert_eq!(routing("Bgp"), Some(Routing::Bgp));
    assert_eq!(routing("ROUTE"), None);
}

#[test]
fn readers_consume_what_they_map() {
    let mut fields = Fields::new(
        json!({
            "enc": "AES-CBC-256", "route": "ROUTE", "style": "STATIC",
            "ipsec": {"new": "SHA-256", "old": "sha256", "pfs": "NULL"},
            "ike": {"new": "SHA1", "old": "MD5"},
            "id": {"kind": "FQDN", "addr": "1.2.3.4", "fqdn": "gw.example"},
            "tags": [{"k": "env", "v": "prod"}, {"k": "app", "v": ""}, {"k": "bare"}],
            "bad_tags": ["x"]
        }),
        "$.c",
    );
    assert_eq!(read(&mut fields, "enc", algorithm), some("aes-256"));
    assert_eq!(read(&mut fields, "ipsec.pfs", pfs), None);
    assert_eq!(read_routing(&mut fields, "route"), None);
    assert_eq!(read_routing(&mut fields, "style"), Some(Routing::Static));
    assert_eq!(
        read_either(&mut fields, "ipsec.new", "ipsec.old", algorithm),
        some("sha2-256")
    );
    assert_eq!(
        read_either(&mut fields, "ike.new", "ike.old", algorithm),
        some("sha1")
    );
    assert_eq!(
        read_either(&mut fields, "ike.missing", "ike.old", algorithm),
        some("md5")
    );
    assert_eq!(
        read_identity(&mut fields, "id.kind", "id.addr", "id.fqdn"),
        some("gw.example")
    );
    assert_eq!(
        read_tags(&mut fields, "tags", "k", "v"),
        Some(vec![
            "app=".to_string(),
            "bare".to_string(),
            "env=prod".to_string()
        ])
    );
    assert_eq!(read_tags(&mut fields, "bad_tags", "k", "v"), None);
    let (unmapped, warnings) = fields.into_unmapped();
    assert_eq!(
        unmapped,
        json!({"route": "ROUTE", "id": {"kind": "FQDN", "addr": "1.2.3.4"}, "bad_tags": ["x"]})
    );
    assert_eq!(warnings.len(), 2, "{warnings:?}");
    assert!(
        warnings[0].starts_with("$.c.route: not a known routing mode"),
        "{warnings:?}"
    );
    assert!(
        warnings[1].starts_with("$.c.bad_tags: expected a list of {k, v}"),
        "{warnings:?}"
    );
}

#[test]
fn identity_without_a_type_uses_what_is_there() {
    let mut fields = Fields::new(
        json!({"addr": null, "fqdn": "peer.example", "kind2": "user"}),
        "$",
    );
    assert_eq!(
        read_identity(&mut fields, "kind", "addr", "fqdn"),
        some("peer.example")
    );
    assert_eq!(read_identity(&mut fields, "kind2", "addr", "fqdn"), None);
    assert_eq!(fields.warnings().len(), 1);
}

#[test]
fn arrays_are_indexed_for_dotted_reading() {
    let mut object =
        json!({"rules": [{"source": "a"}, {"source": "b", "index": 2}], "none": [], "one": {}});
    assert_eq!(index_array(&mut object, "rules"), Some(2));
    assert_eq!(index_array(&mut object, "none"), Some(0));
    assert_eq!(index_array(&mut object, "one"), None);
    assert_eq!(index_array(&mut object, "missing"), None);
    let mut fields = Fields::new(object, "$");
    assert_eq!(fields.text("rules.0.source"), some("a"));
    assert_eq!(fields.text("rules.1.source"), some("b"));
    assert_eq!(
        fields.into_unmapped().0,
        json!({"rules": {"1": {"index": 2}}})
    );
}

#[test]
fn empty_tag_list_is_known_empty() {
    let mut fields = Fields::new(json!({"tags": []}), "$");
    assert_eq!(read_tags(&mut fields, "tags", "key", "value"), Some(vec![]));
    assert_eq!(fields.into_unmapped().0, json!({}));
}
