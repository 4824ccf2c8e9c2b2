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

/// The keys of the connections' list and show bodies.
pub const CONNECTIONS_KEY: &str = "ipsec_site_connections";
/// The key of a body that shows one connection
/// (`GET .../ipsec-site-connections/{id}`).
pub const CONNECTION_KEY: &str = "ipsec_site_connection";

/// Whether a body lists or shows connections, rather than holding only
/// objects connections reference.
pub fn is_connection_body(body: &Value) -> bool {
    body.get(CONNECTIONS_KEY).is_some() || body.get(CONNECTION_KEY).is_some()
}

/// The kinds of referenced objects a body may hold.
const RELATED_KINDS: [RelatedKind; 5] = [
    RelatedKind::IkePolicy,
    RelatedKind::IpsecPolicy,
    RelatedKind::VpnService,
    RelatedKind::EndpointGroup,
    RelatedKind::Subnet,
];

/// The keys of `kind`'s list body and show body (`{"ikepolicies": [...]}`,
/// `{"ikepolicy": {...}}`).
pub(super) fn body_keys(kind: RelatedKind) -> (&'static str, &'static str) {
    kind.body_keys()
}

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
    if let Some(list) = map.remove(CONNECTIONS_KEY) {
        page.connections
            .extend(items(list, &format!("$.{CONNECTIONS_KEY}"))?);
        recognised = true;
    }
    if let Some(single) = map.remove(CONNECTION_KEY) {
        page.connections
            .push((format!("$.{CONNECTION_KEY}"), single));
        recognised = true;
    }
    for kind in RELATED_KINDS {
        let (plural, singular) = body_keys(kind);
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
                used.insert(reference.role.to_string(), found);
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
mod endpoint_tests;
#[cfg(test)]
mod tests;
