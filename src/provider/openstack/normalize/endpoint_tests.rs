//! Endpoint groups and vpnservice subnets resolved through `normalize`
//! (see `endpoints.rs`).

use serde_json::json;

use super::normalize;
use crate::provider::test_support::strings;
use crate::provider::{NormalizeContext, ProviderOutput, Related, RelatedKind};

const PATH: &str = "$.ipsec_site_connection";

fn context() -> NormalizeContext<'static> {
    NormalizeContext {
        source: "os",
        region: None,
        account: None,
    }
}

/// Subnets s1 (10.1.0.0/24), s2 (10.1.1.0/24) and one without a cidr;
/// the groups and the vpnservice given.
fn related(groups: &[serde_json::Value], service_subnet: Option<&str>) -> Related {
    let mut related = Related::default();
    for subnet in [
        json!({"id": "s1", "cidr": "10.1.0.0/24", "name": "a"}),
        json!({"id": "s2", "cidr": "10.1.1.0/24"}),
        json!({"id": "s-no-cidr", "cidr": null}),
    ] {
        related
            .insert(RelatedKind::Subnet, subnet, "$.subnets")
            .unwrap();
    }
    for group in groups {
        related
            .insert(
                RelatedKind::EndpointGroup,
                group.clone(),
                "$.endpoint_group",
            )
            .unwrap();
    }
    let service = json!({"id": "svc", "subnet_id": service_subnet, "external_v4_ip": "192.0.2.1"});
    related
        .insert(RelatedKind::VpnService, service, "$.vpnservice")
        .unwrap();
    related
}

fn group(id: &str, kind: Option<&str>, endpoints: serde_json::Value) -> serde_json::Value {
    match kind {
        Some(kind) => json!({"id": id, "type": kind, "endpoints": endpoints}),
        None => json!({"id": id, "endpoints": endpoints}),
    }
}

fn run(related: &Related, local: Option<&str>, peer: Option<&str>) -> ProviderOutput {
    let object = json!({"id": "c1", "vpnservice_id": "svc",
                        "local_ep_group_id": local, "peer_ep_group_id": peer});
    normalize(PATH, object, related, &context()).unwrap()
}

#[test]
fn subnet_groups_resolve_in_endpoint_order_on_either_side() {
    let related = related(
        &[
            group("local", Some("subnet"), json!(["s2", "s1"])),
            group("peer", Some("SUBNET"), json!(["s1"])),
        ],
        None,
    );
    let output = run(&related, Some("local"), Some("peer"));
    let c = &output.connection;
    assert_eq!(c.local_subnets, strings(&["10.1.1.0/24", "10.1.0.0/24"]));
    assert_eq!(c.peer_subnets, strings(&["10.1.0.0/24"]));
    assert_eq!(output.warnings, Vec::<String>::new());
    assert_eq!(
        output.related.unwrap()["subnets"],
        json!([{"id": "s2", "cidr": "10.1.1.0/24"}, {"id": "s1", "cidr": "10.1.0.0/24"}])
    );
    // The ids went into the model; the types stay in the remainder.
    assert_eq!(
        output.unmapped_related,
        json!({"local_ep_group": {"type": "subnet"}, "peer_ep_group": {"type": "SUBNET"},
               "vpnservice": {"subnet_id": null}})
    );
}

#[test]
fn a_missing_subnet_leaves_the_side_absent_with_a_warning_never_ids() {
    let related = related(
        &[
            group(
                "local",
                Some("subnet"),
                json!(["s1", "gone-1", "s-no-cidr"]),
            ),
            group("peer", Some("cidr"), json!(["10.2.0.0/24"])),
        ],
        None,
    );
    let output = run(&related, Some("local"), Some("peer"));
    let c = &output.connection;
    assert_eq!(c.local_subnets, None);
    assert_eq!(c.peer_subnets, strings(&["10.2.0.0/24"]));
    assert_eq!(
        output.warnings,
        [
            "$.ipsec_site_connection (related).local_ep_group.endpoints: subnets gone-1, \
          s-no-cidr were not among the collected subnets (deleted, or no subnets body \
          imported); local_subnets left out of the model"
        ]
    );
    assert_eq!(output.related.unwrap().get("subnets"), None);
    assert_eq!(
        output.unmapped_related["local_ep_group"],
        json!({"type": "subnet", "endpoints": ["s1", "gone-1", "s-no-cidr"]})
    );
}

#[test]
fn groups_of_other_or_no_type_hold_no_cidrs() {
    let related = related(
        &[
            group("local", Some("router"), json!(["r1"])),
            group("peer", None, json!(["10.2.0.0/24"])),
            group("bad", Some("subnet"), json!("s1")),
        ],
        None,
    );
    let output = run(&related, Some("local"), Some("peer"));
    assert_eq!(output.connection.local_subnets, None);
    assert_eq!(output.connection.peer_subnets, None);
    assert_eq!(
        output.warnings,
        [
            "$.ipsec_site_connection (related).local_ep_group.type: an endpoint group of \
             type \"router\" holds no CIDRs; local_subnets left out of the model",
            "$.ipsec_site_connection (related).peer_ep_group.type: the endpoint group has \
             no type, so its endpoints may be CIDRs or subnet ids; peer_subnets left out of \
             the model",
        ]
    );
    let output = run(&related, Some("bad"), None);
    assert_eq!(output.connection.local_subnets, None);
    assert_eq!(
        output.warnings,
        [
            "$.ipsec_site_connection (related).local_ep_group.endpoints: expected a list of \
          subnet ids (strings), found a string; local_subnets left out of the model"
        ]
    );
}

#[test]
fn the_legacy_vpnservice_subnet_resolves_or_warns() {
    let output = run(&related(&[], Some("s2")), None, None);
    assert_eq!(output.connection.local_subnets, strings(&["10.1.1.0/24"]));
    assert_eq!(output.warnings, Vec::<String>::new());
    assert_eq!(
        output.related.unwrap()["subnets"],
        json!([{"id": "s2", "cidr": "10.1.1.0/24"}])
    );

    let output = run(&related(&[], Some("gone-2")), None, None);
    assert_eq!(output.connection.local_subnets, None);
    assert_eq!(
        output.warnings,
        [
            "$.ipsec_site_connection (related).vpnservice.subnet_id: subnet gone-2 was not \
          among the collected subnets (deleted, or no subnets body imported); local_subnets \
          left out of the model"
        ]
    );
    assert_eq!(
        output.unmapped_related,
        json!({"vpnservice": {"subnet_id": "gone-2"}})
    );
}
