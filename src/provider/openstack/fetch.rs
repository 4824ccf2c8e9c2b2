//! Listing an OpenStack project's VPNaaS objects: first the IKE and IPsec
//! policies, vpnservices and endpoint groups that connections reference,
//! then the subnets those name (see [`super::subnets`]), then the IPsec site
//! connections, each collection fully paged (see [`super::paging`]).
//!
//! The referenced collections come first so that each page of connections
//! can be normalized as soon as it arrives: everything it references has
//! been collected already, and nothing needs to wait for the end of the
//! listing. That order has a race the opposite one did not: a connection
//! created (with a new policy, vpnservice or endpoint group) after those
//! collections were listed references an object the listing does not
//! hold, and would lose its `ike.*`, `ipsec.*`, gateway or subnets, which
//! history would record as a change. So before a page of connections is
//! added to the listing, every id it references that was not collected yet
//! is shown on its own (`GET /v2.0/vpn/ikepolicies/{id}` and the like) and
//! added first. Each id is asked for at most once per listing. A 404 means
//! the object is gone (or not visible to the project): the listing goes on
//! and the normalizer warns about the reference it cannot resolve. Any
//! other failure fails the listing, as for a page. Subnets that a shown
//! object names and the listing lacks are fetched then too, before the page.

use std::collections::{HashMap, HashSet};

use serde_json::Value;
use serde_json::value::RawValue;

use super::client::{Neutron, Shown};
use super::normalize::{CONNECTIONS_KEY, REFERENCES, body_keys};
use super::paging::Pager;
use super::settings::Settings;
use super::subnets::{self, SubnetIds};
use crate::http::{FetchError, display_url};
use crate::provider::FetchContext;
use crate::provider::PageSink;
use crate::provider::RelatedKind;

/// The collections of objects connections reference, listed before the
/// connections in this order: their paths under `/v2.0/vpn/` and kinds
/// (their body keys are [`body_keys`]).
const REFERENCED: [(&str, RelatedKind); 4] = [
    ("ikepolicies", RelatedKind::IkePolicy),
    ("ipsecpolicies", RelatedKind::IpsecPolicy),
    ("vpnservices", RelatedKind::VpnService),
    ("endpoint-groups", RelatedKind::EndpointGroup),
];

const CONNECTIONS_PATH: &str = "ipsec-site-connections";

/// Lists every IPsec site connection of the source's project, with the
/// objects they reference, into `listing`.
pub async fn fetch(
    context: &FetchContext<'_>,
    settings: &Settings,
    listing: &mut (dyn PageSink + Send),
) -> Result<(), FetchError> {
    let neutron = Neutron::connect(context, settings).await?;
    let mut known = Known::default();
    for (path, kind) in REFERENCED {
        let (key, _) = body_keys(kind);
        let mut pager = Pager::new(&neutron, path, key, settings.page_size)?;
        while let Some(page) = pager.next(&neutron).await? {
            if let Some(Value::Array(objects)) = page.body.get(key) {
                objects
                    .iter()
                    .for_each(|object| known.add_object(kind, object));
            }
            listing.add_body(&page.shown, page.body)?;
            context.progress.page_fetched(0);
        }
    }
    let named = known.subnets.take_pending();
    subnets::fetch(&neutron, context, &named, listing).await?;
    let mut pager = Pager::new(
        &neutron,
        CONNECTIONS_PATH,
        CONNECTIONS_KEY,
        settings.page_size,
    )?;
    // The connections' pages go to the listing as text (split there, each
    // connection parsed alone): the largest bodies are never held as trees.
    while let Some(page) = pager.next_text(&neutron).await? {
        for (kind, id) in known.claim_missing(page.items()) {
            show(&neutron, context, kind, &id, &mut known, listing).await?;
        }
        let named = known.subnets.take_pending();
        subnets::fetch(&neutron, context, &named, listing).await?;
        let count = page.count();
        listing.add_text(&page.shown, page.text)?;
        context.progress.page_fetched(count);
    }
    Ok(())
}

/// Shows the `kind` object `id` and adds it to `listing`; leaves it out
/// when Neutron says it is gone.
async fn show(
    neutron: &Neutron<'_>,
    context: &FetchContext<'_>,
    kind: RelatedKind,
    id: &str,
    known: &mut Known,
    listing: &mut (dyn PageSink + Send),
) -> Result<(), FetchError> {
    let Some((path, _)) = REFERENCED.iter().find(|(_, listed)| *listed == kind) else {
        // Every kind a reference names is listed above.
        return Ok(());
    };
    let (_, singular) = body_keys(kind);
    let url = neutron.object_url(&format!("vpn/{path}"), id)?;
    let shown = display_url(&url);
    let reply = neutron.show(&url).await?;
    context.progress.page_fetched(0);
    match reply {
        Shown::Gone(error) => {
            tracing::info!(
                "GET {shown}: {error}; the {singular} {id} a connection references is gone, and \
                 is left out"
            );
            Ok(())
        }
        Shown::Object(body) => {
            let Some(object) = body.get(singular).filter(|object| object.is_object()) else {
                return Err(FetchError::Decode(format!(
                    "GET {shown}: the body has no {singular:?} object"
                )));
            };
            known.add_object(kind, object);
            listing.add_body(&shown, body)?;
            Ok(())
        }
    }
}

/// The ids of the referenced objects collected so far, and of those
/// already asked for (found or gone), by kind; and the subnets they name.
#[derive(Debug, Default)]
struct Known {
    ids: HashMap<RelatedKind, HashSet<Box<str>>>,
    subnets: SubnetIds,
}

impl Known {
    /// Records a collected object's id (one without an id is the listing's
    /// to reject) and the subnets it names.
    fn add_object(&mut self, kind: RelatedKind, object: &Value) {
        if let Some(id) = object.get("id").and_then(Value::as_str) {
            self.insert(kind, id);
        }
        self.subnets.note(kind, object);
    }

    /// Whether `id` was new.
    fn insert(&mut self, kind: RelatedKind, id: &str) -> bool {
        let ids = self.ids.entry(kind).or_default();
        if ids.contains(id) {
            return false;
        }
        ids.insert(id.into())
    }

    /// The references of a page's connections (each its JSON text) that
    /// are neither collected nor asked for yet, each once, in the order
    /// they first appear; from now on they count as asked for. Ids that
    /// cannot name one object in a URL path (empty, `.`, `..`) are not
    /// asked for: the normalizer reports them unresolved.
    fn claim_missing<'t>(
        &mut self,
        connections: impl IntoIterator<Item = &'t str>,
    ) -> Vec<(RelatedKind, String)> {
        let mut missing = Vec::new();
        for connection in connections {
            // Only the reference members are parsed: no tree of the object.
            let Ok(members) = serde_json::from_str::<HashMap<String, &RawValue>>(connection) else {
                continue;
            };
            for reference in &REFERENCES {
                let id = members
                    .get(reference.key)
                    .and_then(|id| serde_json::from_str::<Value>(id.get()).ok());
                let Some(Value::String(id)) = id else {
                    continue;
                };
                let id = id.as_str();
                if !matches!(id, "" | "." | "..") && self.insert(reference.kind, id) {
                    missing.push((reference.kind, id.to_string()));
                }
            }
        }
        missing
    }
}

#[cfg(test)]
mod tests {
    use super::super::paging::members;
    use super::*;
    use serde_json::json;

    #[test]
    fn missing_references_are_claimed_once_in_order_of_appearance() {
        let mut known = Known::default();
        known.add_object(RelatedKind::IkePolicy, &json!({"id": "ike-1"}));
        known.add_object(RelatedKind::IpsecPolicy, &json!({"id": "ipsec-1"}));
        known.add_object(RelatedKind::VpnService, &json!({"name": "no id"}));
        let page = json!({CONNECTIONS_KEY: [
            {"id": "c1", "ikepolicy_id": "ike-1", "ipsecpolicy_id": "ipsec-2",
             "vpnservice_id": "vpn-1", "local_ep_group_id": "eg-1", "peer_ep_group_id": "eg-2"},
            // eg-1 again, and an IPsec policy id that is an IKE policy's.
            {"id": "c2", "ikepolicy_id": "ike-2", "ipsecpolicy_id": "ike-1",
             "vpnservice_id": "vpn-1", "local_ep_group_id": "eg-1", "peer_ep_group_id": null},
            // Nothing to show: a legacy connection, and ids no URL can name.
            {"id": "c3", "ikepolicy_id": "", "ipsecpolicy_id": "..", "vpnservice_id": 7},
            "not an object"
        ]});
        let text = page.to_string();
        let (connections, _) = members(&text, CONNECTIONS_KEY, "u").unwrap();
        let connections: Vec<&str> = connections.iter().map(|raw| raw.get()).collect();
        assert_eq!(
            known.claim_missing(connections.iter().copied()),
            [
                (RelatedKind::IpsecPolicy, "ipsec-2"),
                (RelatedKind::VpnService, "vpn-1"),
                (RelatedKind::EndpointGroup, "eg-1"),
                (RelatedKind::EndpointGroup, "eg-2"),
                (RelatedKind::IkePolicy, "ike-2"),
                (RelatedKind::IpsecPolicy, "ike-1"),
            ]
            .map(|(kind, id)| (kind, id.to_string()))
        );
        // Asked for once: a later page referencing them asks for nothing.
        assert_eq!(known.claim_missing(connections.iter().copied()), []);
        assert_eq!(known.claim_missing([]), []);
    }
}
