//! OpenStack Neutron VPNaaS v2.0: the connection, policy, vpnservice,
//! endpoint-group and subnet bodies, and one `ipsec_site_connection` into
//! the model.
//!
//! A connection names its IKE and IPsec policies, its vpnservice and its
//! endpoint groups only by id; their settings come from the referenced
//! objects in [`Related`]. The objects actually used are returned by role
//! (`ikepolicy`, `ipsecpolicy`, `vpnservice`, `local_ep_group`,
//! `peer_ep_group`, and `subnets`: the `{id, cidr}` of each subnet an
//! endpoint group or vpnservice resolved to, see [`super::endpoints`]) so an
//! edit made to a policy in place is recorded too.
//! The `*_id` references themselves stay in the unmapped remainder, so
//! pointing a connection at another policy is recorded as a change.

use serde_json::{Map, Value};

use super::endpoints::{self, Subnets};
use crate::model::{Connection, Status};
use crate::provider::body::{items, top_object};
use crate::provider::fields::Fields;
use crate::provider::vocabulary::{self, read};
use crate::provider::{
    DecodeError, NormalizeContext, Page, ProviderKind, ProviderOutput, Related, RelatedKind,
};

/// The related bodies: list key, show key, kind.
const RELATED_BODIES: [(&str, &str, RelatedKind); 5] = [
    ("ikepolicies", "ikepolicy", RelatedKind::IkePolicy),
    ("ipsecpolicies", "ipsecpolicy", RelatedKind::IpsecPolicy),
    ("vpnservices", "vpnservice", RelatedKind::VpnService),
    (
        "endpoint_groups",
        "endpoint_group",
        RelatedKind::EndpointGroup,
    ),
    ("subnets", "subnet", RelatedKind::Subnet),
];

/// Reads any VPNaaS body: connections (`ipsec_site_connections` or
/// `ipsec_site_connection`) and referenced objects (`ikepolicies`,
/// `ipsecpolicies`, `vpnservices`, `endpoint_groups`, the networking API's
/// `subnets`, and their singular show forms); one body may hold several of
/// them. `*_links` are paging,
/// not content. A `NeutronError` body is a [`DecodeError`].
pub fn decode_page(body: Value) -> Result<Page, DecodeError> {
    let mut map = top_object(body)?;
    if let Some(error) = map.get("NeutronError") {
        return Err(neutron_error(error));
    }
    let mut page = Page::default();
    let mut recognised = false;
    if let Some(list) = map.remove("ipsec_site_connections") {
        page.connections
            .extend(items(list, "$.ipsec_site_connections")?);
        recognised = true;
    }
    if let Some(single) = map.remove("ipsec_site_connection") {
        page.connections
            .push(("$.ipsec_site_connection".to_string(), single));
        recognised = true;
    }
    for (plural, singular, kind) in RELATED_BODIES {
        if let Some(list) = map.remove(plural) {
            let found = items(list, &format!("$.{plural}"))?;
            page.related
                .extend(found.into_iter().map(|(path, object)| (kind, path, object)));
            recognised = true;
        }
        if let Some(single) = map.remove(singular) {
            page.related.push((kind, format!("$.{singular}"), single));
            recognised = true;
        }
    }
    if recognised {
        return Ok(page);
    }
    let found = map
        .keys()
        .map(|key| format!("{key:?}"))
        .collect::<Vec<_>>()
        .join(", ");
    Err(DecodeError::new(
        "$",
        format!(
            "not an OpenStack VPNaaS body: expected \"ipsec_site_connections\", \"ipsec_site_connection\", \
             \"ikepolicies\", \"ipsecpolicies\", \"vpnservices\", \"endpoint_groups\" or \"subnets\" (or \
             a singular form), found keys [{found}]"
        ),
    ))
}

/// The error a `NeutronError` body reports.
fn neutron_error(error: &Value) -> DecodeError {
    let text = |key: &str| {
        error
            .get(key)
            .and_then(Value::as_str)
            .unwrap_or("?")
            .to_string()
    };
    let message = match error {
        Value::String(message) => message.clone(),
        _ => format!("{}: {}", text("type"), text("message")),
    };
    DecodeError::new(
        "$.NeutronError",
        format!("the body is a Neutron API error, not connections: {message}"),
    )
}

/// The model's status for Neutron's `status`.
fn status(raw: &str) -> Status {
    match raw {
        "ACTIVE" => Status::Active,
        "DOWN" => Status::Down,
        "ERROR" => Status::Error,
        "BUILD" => Status::Pending,
        // `PENDING CREATE` (with a space) is how the seed documentation prints it.
        pending if pending.starts_with("PENDING_") || pending.starts_with("PENDING ") => {
            Status::Pending
        }
        _ => Status::Unknown,
    }
}

/// A referenced object: its role in `related`, the connection's key naming
/// it, its kind, and which model fields depend on it (for the warning).
pub(super) struct Reference {
    role: &'static str,
    pub(super) key: &'static str,
    pub(super) kind: RelatedKind,
    feeds: &'static str,
}

/// The references a connection's normalization resolves; the listing
/// fetches any of them it has not collected (see `fetch`).
pub(super) const REFERENCES: [Reference; 5] = [
    Reference {
        role: "ikepolicy",
        key: "ikepolicy_id",
        kind: RelatedKind::IkePolicy,
        feeds: "ike.*",
    },
    Reference {
        role: "ipsecpolicy",
        key: "ipsecpolicy_id",
        kind: RelatedKind::IpsecPolicy,
        feeds: "ipsec.*",
    },
    Reference {
        role: "vpnservice",
        key: "vpnservice_id",
        kind: RelatedKind::VpnService,
        feeds: "gateway_ip",
    },
    Reference {
        role: "local_ep_group",
        key: "local_ep_group_id",
        kind: RelatedKind::EndpointGroup,
        feeds: "local_subnets",
    },
    Reference {
        role: "peer_ep_group",
        key: "peer_ep_group_id",
        kind: RelatedKind::EndpointGroup,
        feeds: "peer_subnets",
    },
];

/// Normalizes one `ipsec_site_connection` found at `path`, resolving its
/// references in `related`.
pub fn normalize(
    path: &str,
    object: Value,
    related: &Related,
    context: &NormalizeContext<'_>,
) -> Result<ProviderOutput, DecodeError> {
    let mut fields = Fields::new(object, path);
    let id = fields.text("id").ok_or_else(|| {
        DecodeError::new(
            fields.path_of("id"),
            "missing connection id (a non-empty string)",
        )
    })?;

    // The referenced objects, looked up before `vpnservice_id` is read.
    let mut warnings = Vec::new();
    let mut used = Map::new();
    for reference in &REFERENCES {
        let Some(target) = fields.peek(reference.key).and_then(Value::as_str) else {
            continue;
        };
        match related.get(reference.kind, target) {
            Some(found) => {
                used.insert(reference.role.to_string(), found.clone());
            }
            None => warnings.push(format!(
                "{}: {} {target} was not among the collected objects; {} left out of the model",
                fields.path_of(reference.key),
                reference.role,
                reference.feeds
            )),
        }
    }

    let provider_status = fields.text("status");
    let status = provider_status.as_deref().map_or(Status::Unknown, status);
    let mut connection = Connection::new(
        context.source,
        ProviderKind::OpenStack.as_str(),
        &id,
        status,
    );
    connection.provider_status = provider_status;
    connection.region = context.region.map(str::to_string);
    let project = fields.text("project_id");
    let tenant = fields.text("tenant_id");
    connection.account = project
        .or(tenant)
        .or_else(|| context.account.map(str::to_string));
    connection.name = fields.text("name");
    connection.gateway_id = fields.text("vpnservice_id");
    connection.peer_address = fields.text("peer_address");
    connection.admin_state_up = fields.boolean("admin_state_up");
    connection.routing = vocabulary::read_routing(&mut fields, "route_mode");
    connection.dpd.action = read(&mut fields, "dpd.action", vocabulary::lowercase);
    connection.dpd.interval = fields.integer("dpd.interval");
    connection.dpd.timeout = fields.integer("dpd.timeout");
    connection.ike.local_id = fields.text("local_id");
    connection.ike.peer_id = fields.text("peer_id");
    // Fingerprinted by the generic layer.
    fields.take("psk");

    let mut related_output = used.clone();
    let mut referenced = Fields::new(Value::Object(used), format!("{path} (related)"));
    for reference in &REFERENCES {
        // The connection's `*_id` records which object it is.
        referenced.take(&format!("{}.id", reference.role));
    }

    let ike = &mut connection.ike;
    ike.version = read(
        &mut referenced,
        "ikepolicy.ike_version",
        vocabulary::ike_version,
    );
    ike.auth_algorithm = read(
        &mut referenced,
        "ikepolicy.auth_algorithm",
        vocabulary::algorithm,
    );
    ike.encryption_algorithm = read(
        &mut referenced,
        "ikepolicy.encryption_algorithm",
        vocabulary::algorithm,
    );
    ike.dh_group = read(&mut referenced, "ikepolicy.pfs", vocabulary::dh_group);
    ike.negotiation_mode = read(
        &mut referenced,
        "ikepolicy.phase1_negotiation_mode",
        vocabulary::lowercase,
    );
    ike.lifetime_seconds = lifetime(&mut referenced, "ikepolicy.lifetime", "seconds");

    let ipsec = &mut connection.ipsec;
    ipsec.auth_algorithm = read(
        &mut referenced,
        "ipsecpolicy.auth_algorithm",
        vocabulary::algorithm,
    );
    ipsec.encryption_algorithm = read(
        &mut referenced,
        "ipsecpolicy.encryption_algorithm",
        vocabulary::algorithm,
    );
    ipsec.pfs = read(&mut referenced, "ipsecpolicy.pfs", vocabulary::pfs);
    ipsec.transform_protocol = read(
        &mut referenced,
        "ipsecpolicy.transform_protocol",
        vocabulary::lowercase,
    );
    ipsec.encapsulation_mode = read(
        &mut referenced,
        "ipsecpolicy.encapsulation_mode",
        vocabulary::lowercase,
    );
    ipsec.lifetime_seconds = lifetime(&mut referenced, "ipsecpolicy.lifetime", "seconds");
    ipsec.lifetime_kilobytes = lifetime(&mut referenced, "ipsecpolicy.lifetime", "kilobytes");

    connection.gateway_ip = referenced
        .text("vpnservice.external_v4_ip")
        .or_else(|| referenced.text("vpnservice.external_v6_ip"));
    // Endpoint groups are read by type (see `endpoints`); before endpoint
    // groups, the vpnservice's `subnet_id` was the local side.
    let mut subnets = Subnets::new(related);
    if referenced.has("local_ep_group") {
        connection.local_subnets =
            subnets.group(&mut referenced, "local_ep_group", "local_subnets");
    } else if !fields.has("local_ep_group_id") {
        connection.local_subnets = subnets.vpnservice(&mut referenced);
    }
    if referenced.has("peer_ep_group") {
        connection.peer_subnets = subnets.group(&mut referenced, "peer_ep_group", "peer_subnets");
    }
    endpoints::add_related(&mut related_output, subnets);
    let related_output = (!related_output.is_empty()).then_some(Value::Object(related_output));
    let has_peer_cidrs = fields
        .peek("peer_cidrs")
        .and_then(Value::as_array)
        .is_some_and(|cidrs| !cidrs.is_empty());
    if connection.peer_subnets.is_none() && has_peer_cidrs {
        connection.peer_subnets = fields.strings("peer_cidrs");
    }

    let (unmapped, connection_warnings) = fields.into_unmapped();
    let (unmapped_related, related_warnings) = referenced.into_unmapped();
    warnings.extend(connection_warnings);
    warnings.extend(related_warnings);
    Ok(ProviderOutput {
        connection,
        related: related_output,
        unmapped,
        unmapped_related,
        warnings,
    })
}

/// Reads a Neutron `lifetime` (`{"units": ..., "value": ...}`) at `key`
/// when its units are `units`; other units leave it in place.
fn lifetime(fields: &mut Fields, key: &str, units: &str) -> Option<i64> {
    let units_key = format!("{key}.units");
    let given = fields
        .peek(&units_key)?
        .as_str()?
        .trim()
        .to_ascii_lowercase();
    if given != units {
        return None;
    }
    let value = fields.integer(&format!("{key}.value"))?;
    fields.take(&units_key);
    Some(value)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::model::Routing;
    use crate::provider::test_support::{normalize_all, strings};
    use crate::provider::{Normalized, REDACTED};

    const SHOW: &str = include_str!("../../../tests/fixtures/openstack/002_show.json");
    const LIST: &str = include_str!("../../../tests/fixtures/openstack/003_list.json");
    const RELATED_FIXTURES: [&str; 5] = [
        include_str!("../../../tests/fixtures/openstack/ikepolicies.json"),
        include_str!("../../../tests/fixtures/openstack/ipsecpolicies.json"),
        include_str!("../../../tests/fixtures/openstack/vpnservices.json"),
        include_str!("../../../tests/fixtures/openstack/endpoint_groups.json"),
        include_str!("../../../tests/fixtures/openstack/subnets.json"),
    ];
    const LOCAL_SUBNET: &str = "a0ab1a4b-3d5c-4e33-9d0f-3c1a5f0c7b2e";
    const PROJECT: &str = "10039663455a446d8ba2cbb058b0f578";

    fn context() -> NormalizeContext<'static> {
        NormalizeContext {
            source: "os-lab",
            region: Some("RegionOne"),
            account: Some("context-project"),
        }
    }

    fn decode(body: &str) -> Page {
        decode_page(serde_json::from_str(body).unwrap()).unwrap()
    }

    /// The related fixtures, as the collector would gather them.
    fn related() -> Related {
        let mut related = Related::default();
        for body in RELATED_FIXTURES {
            for (kind, path, object) in decode(body).related {
                related.insert(kind, object, &path).unwrap();
            }
        }
        related
    }

    fn normalize_body(body: &str, related: &Related) -> Vec<Normalized> {
        normalize_all(
            ProviderKind::OpenStack,
            decode(body).connections,
            related,
            &context(),
        )
    }

    #[test]
    fn related_fixtures_decode_by_kind() {
        let kinds: Vec<(RelatedKind, String)> = RELATED_FIXTURES
            .iter()
            .flat_map(|body| decode(body).related)
            .map(|(kind, path, _)| (kind, path))
            .collect();
        assert_eq!(
            kinds,
            [
                (RelatedKind::IkePolicy, "$.ikepolicies[0]".to_string()),
                (RelatedKind::IkePolicy, "$.ikepolicies[1]".to_string()),
                (RelatedKind::IpsecPolicy, "$.ipsecpolicies[0]".to_string()),
                (RelatedKind::IpsecPolicy, "$.ipsecpolicies[1]".to_string()),
                (RelatedKind::VpnService, "$.vpnservices[0]".to_string()),
                (
                    RelatedKind::EndpointGroup,
                    "$.endpoint_groups[0]".to_string()
                ),
                (
                    RelatedKind::EndpointGroup,
                    "$.endpoint_groups[1]".to_string()
                ),
                (RelatedKind::Subnet, "$.subnets[0]".to_string()),
            ]
        );
        assert_eq!(related().len(), 8);
    }

    #[test]
    fn one_body_may_hold_several_kinds() {
        let page = decode_page(json!({
            "ipsec_site_connection": {"id": "c1"},
            "ikepolicy": {"id": "i1"},
            "endpoint_groups": [{"id": "e1"}],
            "endpoint_groups_links": [{"href": "http://neutron/v2.0/vpn/endpoint-groups?marker=e1", "rel": "next"}]
        }))
        .unwrap();
        assert_eq!(
            page.connections,
            [("$.ipsec_site_connection".to_string(), json!({"id": "c1"}))]
        );
        let related: Vec<(RelatedKind, &str)> = page
            .related
            .iter()
            .map(|(kind, path, _)| (*kind, path.as_str()))
            .collect();
        assert_eq!(
            related,
            [
                (RelatedKind::IkePolicy, "$.ikepolicy"),
                (RelatedKind::EndpointGroup, "$.endpoint_groups[0]")
            ]
        );
        assert_eq!(page.total_count, None);
    }

    #[test]
    fn seed_002_show_with_related_objects() {
        let normalized = normalize_body(SHOW, &related());
        let [n] = &normalized[..] else {
            panic!("expected one connection")
        };
        let c = &n.connection;
        assert_eq!(c.provider, "openstack");
        assert_eq!(c.connection_id, "851f280f-5639-4ea3-81aa-e298525ab74b");
        assert_eq!(c.region.as_deref(), Some("RegionOne"));
        assert_eq!(c.account.as_deref(), Some(PROJECT));
        assert_eq!(c.name.as_deref(), Some("vpnconnection1"));
        assert_eq!(c.status, Status::Down);
        assert_eq!(c.provider_status.as_deref(), Some("DOWN"));
        assert_eq!(
            c.gateway_id.as_deref(),
            Some("5c561d9d-eaea-45f6-ae3e-08d1a7080828")
        );
        assert_eq!(c.gateway_ip.as_deref(), Some("172.24.4.11"));
        assert_eq!(c.peer_gateway_id, None);
        assert_eq!(c.peer_address.as_deref(), Some("172.24.4.226"));
        assert_eq!(c.local_subnets, strings(&["10.1.0.0/24"]));
        assert_eq!(c.peer_subnets, strings(&["10.2.0.0/24", "10.2.1.0/24"]));
        assert_eq!(c.routing, Some(Routing::Static));
        assert_eq!(c.admin_state_up, Some(true));
        assert_eq!(c.ike.version.as_deref(), Some("v2"));
        assert_eq!(c.ike.auth_algorithm.as_deref(), Some("sha2-256"));
        assert_eq!(c.ike.encryption_algorithm.as_deref(), Some("aes-256"));
        assert_eq!(c.ike.dh_group.as_deref(), Some("group14"));
        assert_eq!(c.ike.lifetime_seconds, Some(28800));
        assert_eq!(c.ike.negotiation_mode.as_deref(), Some("main"));
        assert_eq!(c.ike.local_id, None);
        assert_eq!(c.ike.peer_id.as_deref(), Some("172.24.4.226"));
        assert_eq!(c.dpd.action.as_deref(), Some("hold"));
        assert_eq!(c.dpd.interval, Some(30));
        assert_eq!(c.dpd.timeout, Some(120));
        assert_eq!(c.ipsec.auth_algorithm.as_deref(), Some("sha2-256"));
        assert_eq!(c.ipsec.encryption_algorithm.as_deref(), Some("aes-256"));
        assert_eq!(c.ipsec.pfs.as_deref(), Some("group14"));
        assert_eq!(c.ipsec.transform_protocol.as_deref(), Some("esp"));
        assert_eq!(c.ipsec.encapsulation_mode.as_deref(), Some("tunnel"));
        assert_eq!(c.ipsec.lifetime_seconds, Some(3600));
        assert_eq!(c.ipsec.lifetime_kilobytes, None);
        assert_eq!(c.tags, None);
        assert_eq!(c.created_at, None);
        assert_eq!(c.psk_fingerprint.as_deref().map(str::len), Some(16));
        assert_eq!(n.raw_value().unwrap()["psk"], json!(REDACTED));
        assert!(n.warnings.is_empty(), "{:?}", n.warnings);

        // The references stay raw, so re-pointing the connection is a recorded change.
        assert_eq!(
            n.unmapped_value(),
            json!({
                "initiator": "bi-directional",
                "auth_mode": "psk",
                "peer_cidrs": [],
                "mtu": 1500,
                "peer_ep_group_id": "9ad5a7e0-6dac-41b4-b20d-a7b8645fddf1",
                "ikepolicy_id": "9b00d6b0-6c93-4ca5-9747-b8ade7bb514f",
                "ipsecpolicy_id": "e6e23d0c-9519-4d52-8ea4-5b1f96d857b1",
                "local_ep_group_id": "3e1815dd-e212-43d0-8f13-b494fa553e68",
                "description": ""
            })
        );
        let related = &n.related_value().unwrap();
        let roles: Vec<&str> = related
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(
            roles,
            [
                "ikepolicy",
                "ipsecpolicy",
                "local_ep_group",
                "peer_ep_group",
                "subnets",
                "vpnservice"
            ]
        );
        // Only what the model reads of a subnet, whatever else its body held.
        assert_eq!(
            related["subnets"],
            json!([{"id": LOCAL_SUBNET, "cidr": "10.1.0.0/24"}])
        );
        assert_eq!(related["ikepolicy"]["name"], json!("ikepolicy-site1"));
        assert_eq!(
            related["peer_ep_group"]["id"],
            json!("9ad5a7e0-6dac-41b4-b20d-a7b8645fddf1")
        );
        let owner = json!({"tenant_id": PROJECT, "project_id": PROJECT});
        let with_owner = |extra: Value| {
            let mut object = owner.clone();
            object
                .as_object_mut()
                .unwrap()
                .extend(extra.as_object().unwrap().clone());
            object
        };
        assert_eq!(
            n.unmapped_related_value(),
            json!({
                "ikepolicy": with_owner(json!({
                    "name": "ikepolicy-site1", "description": "IKE policy for the Frankfurt office"
                })),
                "ipsecpolicy": with_owner(json!({"name": "ipsecpolicy-site1", "description": ""})),
                "vpnservice": with_owner(json!({
                    "name": "vpnservice-router1", "description": "",
                    "router_id": "66e3b16c-8ce5-40fb-bb49-ab6d8dc3f2aa", "subnet_id": null, "flavor_id": null,
                    "admin_state_up": true, "status": "ACTIVE", "external_v6_ip": "2001:db8::11"
                })),
                "local_ep_group": with_owner(json!({
                    "name": "site1-local", "description": "private subnet behind router1", "type": "subnet"
                })),
                "peer_ep_group": with_owner(json!({"name": "site1-peers", "description": "", "type": "cidr"}))
            })
        );
    }

    #[test]
    fn seed_003_list_without_related_objects_warns() {
        let normalized = normalize_body(LIST, &Related::default());
        let [n] = &normalized[..] else {
            panic!("expected one connection")
        };
        let c = &n.connection;
        assert_eq!(c.connection_id, "851f280f-5639-4ea3-81aa-e298525ab74b");
        assert_eq!(c.status, Status::Pending);
        assert_eq!(c.provider_status.as_deref(), Some("PENDING CREATE"));
        assert_eq!(
            c.gateway_id.as_deref(),
            Some("5c561d9d-eaea-45f6-ae3e-08d1a7080828")
        );
        assert_eq!(c.gateway_ip, None);
        assert_eq!(c.ike.peer_id.as_deref(), Some("172.24.4.226"));
        assert_eq!(c.ike.version, None);
        assert_eq!(c.ike.encryption_algorithm, None);
        assert_eq!(c.ipsec.pfs, None);
        assert_eq!(c.local_subnets, None);
        assert_eq!(c.peer_subnets, None);
        assert_eq!(c.dpd.action.as_deref(), Some("hold"));
        assert_eq!(n.related_value(), None);
        assert_eq!(n.unmapped_related_value(), json!({}));
        assert_eq!(
            n.warnings,
            [
                "$.ipsec_site_connections[0].ikepolicy_id: ikepolicy 9b00d6b0-6c93-4ca5-9747-b8ade7bb514f \
                 was not among the collected objects; ike.* left out of the model",
                "$.ipsec_site_connections[0].ipsecpolicy_id: ipsecpolicy e6e23d0c-9519-4d52-8ea4-5b1f96d857b1 \
                 was not among the collected objects; ipsec.* left out of the model",
                "$.ipsec_site_connections[0].vpnservice_id: vpnservice 5c561d9d-eaea-45f6-ae3e-08d1a7080828 \
                 was not among the collected objects; gateway_ip left out of the model",
                "$.ipsec_site_connections[0].local_ep_group_id: local_ep_group 3e1815dd-e212-43d0-8f13-b494fa553e68 \
                 was not among the collected objects; local_subnets left out of the model",
                "$.ipsec_site_connections[0].peer_ep_group_id: peer_ep_group 9ad5a7e0-6dac-41b4-b20d-a7b8645fddf1 \
                 was not among the collected objects; peer_subnets left out of the model",
            ]
        );
    }

    #[test]
    fn a_policy_edited_in_place_shows_in_unmapped_related() {
        let before = normalize_body(SHOW, &related());
        let mut edited = Related::default();
        for body in RELATED_FIXTURES {
            for (kind, path, mut object) in decode(body).related {
                if object["id"] == json!("9b00d6b0-6c93-4ca5-9747-b8ade7bb514f") {
                    object["name"] = json!("ikepolicy-site1-renamed");
                    object["lifetime"]["value"] = json!(14400);
                }
                edited.insert(kind, object, &path).unwrap();
            }
        }
        let after = normalize_body(SHOW, &edited);
        assert_eq!(before[0].connection.ike.lifetime_seconds, Some(28800));
        assert_eq!(after[0].connection.ike.lifetime_seconds, Some(14400));
        assert_eq!(
            before[0].unmapped_related_value()["ikepolicy"]["name"],
            json!("ikepolicy-site1")
        );
        assert_eq!(
            after[0].unmapped_related_value()["ikepolicy"]["name"],
            json!("ikepolicy-site1-renamed")
        );
        assert_eq!(before[0].unmapped_value(), after[0].unmapped_value());
    }

    #[test]
    fn kilobyte_lifetimes_peer_cidrs_and_legacy_subnet() {
        let mut related = related();
        let service = json!({"id": "svc-legacy", "subnet_id": "5b7c1e8a-0000-4000-8000-000000000001",
                             "external_v4_ip": null, "external_v6_ip": "2001:db8::20"});
        related
            .insert(RelatedKind::VpnService, service, "$.vpnservice")
            .unwrap();
        let subnet =
            json!({"id": "5b7c1e8a-0000-4000-8000-000000000001", "cidr": "192.168.7.0/24"});
        related
            .insert(RelatedKind::Subnet, subnet, "$.subnet")
            .unwrap();
        let object = json!({
            "id": "c-legacy", "status": "BUILD", "tenant_id": "tenant-only",
            "vpnservice_id": "svc-legacy", "ipsecpolicy_id": "2f6bfd2a-5a3a-4b1e-9a47-0c6fbb3d9c11",
            "ikepolicy_id": "5522aff7-1b3c-48dd-9c3c-b50f016b73db",
            "peer_cidrs": ["10.9.0.0/16", "10.10.0.0/16"], "route_mode": "static"
        });
        let output = normalize("$.ipsec_site_connection", object, &related, &context()).unwrap();
        let c = &output.connection;
        assert_eq!(c.status, Status::Pending);
        assert_eq!(c.account.as_deref(), Some("tenant-only"));
        assert_eq!(c.gateway_ip.as_deref(), Some("2001:db8::20"));
        assert_eq!(c.local_subnets, strings(&["192.168.7.0/24"]));
        assert_eq!(c.peer_subnets, strings(&["10.9.0.0/16", "10.10.0.0/16"]));
        assert_eq!(c.ike.version.as_deref(), Some("v1"));
        assert_eq!(c.ike.auth_algorithm.as_deref(), Some("sha1"));
        assert_eq!(c.ike.encryption_algorithm.as_deref(), Some("3des"));
        assert_eq!(c.ike.dh_group.as_deref(), Some("group2"));
        assert_eq!(c.ipsec.lifetime_seconds, None);
        assert_eq!(c.ipsec.lifetime_kilobytes, Some(4608000));
        assert_eq!(c.ipsec.transform_protocol.as_deref(), Some("ah-esp"));
        assert_eq!(c.ipsec.encapsulation_mode.as_deref(), Some("transport"));
        assert_eq!(c.ipsec.pfs.as_deref(), Some("group5"));
        assert!(output.warnings.is_empty(), "{:?}", output.warnings);
        assert_eq!(
            output.unmapped,
            json!({"ipsecpolicy_id": "2f6bfd2a-5a3a-4b1e-9a47-0c6fbb3d9c11",
                   "ikepolicy_id": "5522aff7-1b3c-48dd-9c3c-b50f016b73db"})
        );
        assert_eq!(
            output.unmapped_related["vpnservice"],
            json!({"external_v4_ip": null})
        );
    }

    #[test]
    fn statuses_and_account_fallback() {
        let cases = [
            ("ACTIVE", Status::Active),
            ("DOWN", Status::Down),
            ("ERROR", Status::Error),
            ("BUILD", Status::Pending),
            ("PENDING_CREATE", Status::Pending),
            ("PENDING_UPDATE", Status::Pending),
            ("PENDING_DELETE", Status::Pending),
            ("PENDING CREATE", Status::Pending),
            ("PENDING", Status::Unknown),
            ("SHUTOFF", Status::Unknown),
        ];
        for (raw, expected) in cases {
            let object = json!({"id": "c1", "status": raw});
            let output = normalize(
                "$.ipsec_site_connection",
                object,
                &Related::default(),
                &context(),
            )
            .unwrap();
            assert_eq!(output.connection.status, expected, "{raw}");
            assert_eq!(output.connection.provider_status.as_deref(), Some(raw));
            assert_eq!(
                output.connection.account.as_deref(),
                Some("context-project")
            );
            assert!(output.warnings.is_empty());
        }
    }

    #[test]
    fn missing_id_and_error_bodies() {
        let object = json!({"name": "no id"});
        let error = normalize(
            "$.ipsec_site_connections[1]",
            object,
            &Related::default(),
            &context(),
        )
        .unwrap_err();
        assert_eq!(error.path, "$.ipsec_site_connections[1].id");

        let error = decode_page(json!({"NeutronError": {
            "type": "IPsecSiteConnectionNotFound",
            "message": "IPsec site connection 851f280f could not be found",
            "detail": ""
        }}))
        .unwrap_err();
        assert_eq!(error.path, "$.NeutronError");
        assert_eq!(
            error.message,
            "the body is a Neutron API error, not connections: IPsecSiteConnectionNotFound: \
             IPsec site connection 851f280f could not be found"
        );

        let error = decode_page(json!({"networks": []})).unwrap_err();
        assert_eq!(error.path, "$");
        assert!(
            error.message.contains("\"ipsec_site_connections\""),
            "{}",
            error.message
        );
        assert!(
            error.message.contains("[\"networks\"]"),
            "{}",
            error.message
        );
        let error = decode_page(json!({"ikepolicies": {"id": "x"}})).unwrap_err();
        assert_eq!(error.path, "$.ikepolicies");
    }
}
