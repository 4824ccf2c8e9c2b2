//! Pins what normalization makes of the fixtures, byte for byte: the
//! model's fields, the redacted raw JSON, the unmapped remainders, the
//! warnings and the content hash of every connection of every provider.
//!
//! Existing databases compare content hashes with those of new listings, so
//! a change of any of these (even one that reads the same) would write a new
//! version of every connection. Speeding normalization up must leave these
//! digests as they are; a deliberate change updates them, bumps
//! [`crate::model::NORMALIZER_VERSION`] where the fields change, and says so.

use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::{NormalizeContext, Normalized, ProviderKind, Related, decode_page, normalize};
use crate::fingerprint::PskFingerprinter;

fn context() -> NormalizeContext<'static> {
    NormalizeContext {
        source: "pinned",
        region: Some("region-1"),
        account: Some("account-1"),
    }
}

fn parse(body: &str) -> Value {
    serde_json::from_str(body).unwrap()
}

/// Every connection of `bodies`, normalized as a listing would.
fn normalize_bodies(kind: ProviderKind, bodies: &[Value], related: &Related) -> Vec<Normalized> {
    bodies
        .iter()
        .flat_map(|body| decode_page(kind, body.clone()).unwrap().connections)
        .map(|(path, object)| {
            let fingerprinter = PskFingerprinter::new(b"pinned");
            normalize(kind, &path, object, related, &context(), &fingerprinter)
                .unwrap_or_else(|error| panic!("{path}: {error}"))
        })
        .collect()
}

/// `id content-hash digest-of-everything-else` for one connection.
fn line(normalized: &Normalized) -> String {
    let mut digest = Sha256::new();
    for value in normalized.connection.field_values() {
        digest.update(format!("{value:?}\x1f"));
    }
    for text in [
        normalized.raw_json.as_str(),
        normalized.related_json.as_deref().unwrap_or("-"),
        normalized.unmapped_json.as_str(),
        normalized.unmapped_related_json.as_str(),
    ] {
        digest.update(text);
        digest.update(b"\x1f");
    }
    for warning in &normalized.warnings {
        digest.update(warning);
        digest.update(b"\x1f");
    }
    format!(
        "{} {} {}",
        normalized.connection.connection_id,
        hex::encode(normalized.content_hash),
        &hex::encode(digest.finalize())[..16]
    )
}

fn lines(normalized: &[Normalized]) -> Vec<String> {
    normalized.iter().map(line).collect()
}

#[test]
fn huawei_output_is_pinned() {
    let bodies = [
        parse(include_str!(
            "../../tests/fixtures/huaweicloud/000_show_corrected.json"
        )),
        parse(include_str!(
            "../../tests/fixtures/huaweicloud/001_list_all.json"
        )),
        parse(include_str!(
            "../../tests/fixtures/huaweicloud/001_list_by_vgw_id.json"
        )),
        // A secret, BGP counters (volatile), a wrong type, an unknown routing
        // mode and untrimmed text.
        json!({"vpn_connection": {
            "id": " c9 ", "status": "PENDING_UPDATE", "style": "ROUTE", "psk": "s3cret",
            "name": "  padded  ", "ikepolicy": {"lifetime_seconds": "a day", "dh_group": "14"},
            "bgp_peer": {"state": "Established", "state_duration": "3d", "num_message_sent": 9},
            "tags": [{"key": "b", "value": 2}, {"key": "a"}], "request_id": "r-1"
        }}),
    ];
    let normalized = normalize_bodies(ProviderKind::HuaweiCloud, &bodies, &Related::default());
    assert_eq!(
        lines(&normalized),
        [
            "98c5af8a-demo-a8df-va86-ae2280a6f4c3 47c1ff7d3783881109c043d3e9476b53 7d8ccb545ae3030d",
            "228a68f0-demo-a8df-va86-a9919a3ea3de f13ff8e32f09932a2159bb83d25245bc 3e19af2cac395706",
            "a4df33ca-demo-a8df-va86-410a7dd6973f cfc510d59d6a5dfe3200126573cec620 dab58a3d53afaa10",
            "8fa335dd-demo-a8df-va86-78bb55a8bb04 5cfa765e2ccc6c13b9e034a6d134313f ba86e2fda753b01a",
            "a4df33ca-demo-a8df-va86-410a7dd6973f d90d70d3f952be5803178188f4448e11 9501887975fd984d",
            "c9 9153c550e89cee4a9bbb7b5e5423adf5 4babe019fa019481",
        ]
    );
}

#[test]
fn openstack_output_is_pinned() {
    let mut related = Related::default();
    for body in [
        include_str!("../../tests/fixtures/openstack/ikepolicies.json"),
        include_str!("../../tests/fixtures/openstack/ipsecpolicies.json"),
        include_str!("../../tests/fixtures/openstack/vpnservices.json"),
        include_str!("../../tests/fixtures/openstack/endpoint_groups.json"),
        include_str!("../../tests/fixtures/openstack/subnets.json"),
    ] {
        for (kind, path, object) in decode_page(ProviderKind::OpenStack, parse(body))
            .unwrap()
            .related
        {
            related.insert(kind, object, &path).unwrap();
        }
    }
    let bodies = [
        parse(include_str!("../../tests/fixtures/openstack/002_show.json")),
        parse(include_str!("../../tests/fixtures/openstack/003_list.json")),
    ];
    let normalized = normalize_bodies(ProviderKind::OpenStack, &bodies, &related);
    assert_eq!(
        lines(&normalized),
        [
            "851f280f-5639-4ea3-81aa-e298525ab74b 91b1a772277f43dce6e294bd78809100 d3fb1c9fd50958c4",
            "851f280f-5639-4ea3-81aa-e298525ab74b 97ec4ceaff5db5130efe1c3ffc4e5adf 94977ba14d3787a5",
        ]
    );
}

#[test]
fn tencent_output_is_pinned() {
    let bodies = [parse(include_str!(
        "../../tests/fixtures/tencent/describe_vpn_connections.json"
    ))];
    let normalized = normalize_bodies(ProviderKind::Tencent, &bodies, &Related::default());
    assert_eq!(
        lines(&normalized),
        [
            "vpnx-4vlnnzpz 012a401e54f8943dc3ab6a2115583623 06cd9bf985ba0a3b",
            "vpnx-7ac0m1qb df18e9f96eb20423d0fd119376aeeea7 e5c17ab151f75bff",
            "vpnx-q2dzs5lk 00b3caba43ed603c39f7caa09c641431 b47dfd279ecb798e",
        ]
    );
}

#[test]
fn tencent_legacy_output_is_pinned() {
    let bodies = [
        parse(include_str!(
            "../../tests/fixtures/tencent-legacy/004_list.json"
        )),
        parse(include_str!(
            "../../tests/fixtures/tencent-legacy/integrity_spellings.json"
        )),
    ];
    let normalized = normalize_bodies(ProviderKind::TencentLegacy, &bodies, &Related::default());
    assert_eq!(
        lines(&normalized),
        [
            "vpnx-ol6bcqp0 b8cac0ccf73c83116a0679d67c5d5717 d16fc60ca699c36a",
            "vpnx-85ao9zdy bd9155c455c2a08b5c9eab276595f4a0 8c779759ac1cbff2",
            "vpnx-p0j71qf6 9013d658625ed01e5608010e672cf2de 0a7429a8444a4887",
            "vpnx-m4c9t2ze 142ccebc0ea245dc1a1189f448c5033c cb3d96b893124f1b",
            "vpnx-w7h3n6ya 71dff8a2f1c8dbe26f95bc619409b4cb f15f17f153ecad7f",
        ]
    );
}
