//! Gateways a page of connections names that the gateway lists lacked.
//!
//! The gateways are listed before the connections, so that each page of
//! connections can be normalized as it arrives. That order has a race: a
//! connection created (with a new customer gateway) after the lists were
//! taken names a gateway the listing does not hold, and would lose its
//! `peer_address` or `gateway_ip` for one run, which history would record as
//! two changes. So before a page of connections is added to the listing,
//! every gateway it names that was not collected is shown on its own
//! (`GET .../customer-gateways/{id}`, `GET .../vpn-gateways/{id}`) and added
//! first, each id at most once per listing (as OpenStack's policies are). A
//! 404 means the gateway is gone: the listing goes on and the normalizer
//! warns about the reference. Any other failure fails the listing.

use std::collections::HashSet;

use serde_json::Value;

use super::client::{Call, Client};
use super::gateways::KINDS;
use crate::http::{FetchError, display_url};
use crate::provider::{
    DecodeError, FetchContext, PageSink, ProviderKind, RelatedKind, UndecodableBody,
};

/// The array at `key` of a body (empty when there is none).
fn items_of<'a>(body: &'a Value, key: &str) -> &'a [Value] {
    body.get(key)
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

/// The gateway ids collected or asked for so far in one listing.
#[derive(Debug, Default)]
pub struct Known {
    seen: HashSet<(RelatedKind, String)>,
}

impl Known {
    /// Records the gateways of a list or show body.
    pub fn add_body(&mut self, body: &Value) {
        for kind in KINDS {
            let (plural, singular) = kind.body_keys();
            let listed = items_of(body, plural).iter();
            for object in listed.chain(body.get(singular)) {
                if let Some(id) = object.get("id").and_then(Value::as_str) {
                    self.seen.insert((kind, id.to_string()));
                }
            }
        }
    }

    /// The gateways a page of connections names that were neither collected
    /// nor asked for yet; they count as asked for from now on.
    fn claim_missing(&mut self, page: &Value) -> Vec<(RelatedKind, String)> {
        let mut missing = Vec::new();
        for connection in items_of(page, "vpn_connections") {
            for (key, kind) in [
                ("vgw_id", RelatedKind::VpnGateway),
                ("cgw_id", RelatedKind::CustomerGateway),
            ] {
                let Some(id) = connection.get(key).and_then(Value::as_str) else {
                    continue;
                };
                // `.` and `..` are no path segment: the URL would name the
                // list instead.
                let showable = !matches!(id, "" | "." | "..");
                if showable && self.seen.insert((kind, id.to_string())) {
                    missing.push((kind, id.to_string()));
                }
            }
        }
        missing
    }
}

/// Shows each gateway `page` names that the listing lacks, and adds it to
/// `listing` (before the page itself is added).
pub async fn show_missing(
    context: &FetchContext<'_>,
    client: &Client<'_>,
    known: &mut Known,
    page: &Value,
    listing: &mut (dyn PageSink + Send),
) -> Result<(), FetchError> {
    for (kind, id) in known.claim_missing(page) {
        let call = match kind {
            RelatedKind::CustomerGateway => Call::ShowCustomerGateway,
            _ => Call::ShowVpnGateway,
        };
        let (_, singular) = kind.body_keys();
        let url = client.object_url(call, &id);
        let shown = display_url(&url);
        let what = format!("source {} {singular} {id} ({shown})", context.source.name);
        let reply = context
            .retry
            .run(&what, || client.get_object(&url, call))
            .await?;
        context.progress.page_fetched(0);
        let Some(body) = reply else {
            tracing::info!(
                "GET {shown}: HTTP 404; the {singular} {id} a connection names is gone, and is \
                 left out"
            );
            continue;
        };
        let object = body.get(singular).filter(|object| object.is_object());
        let answered = object
            .and_then(|object| object.get("id"))
            .and_then(Value::as_str);
        if answered != Some(id.as_str()) {
            let message = match (object, answered) {
                (None, _) => "missing or not an object".to_string(),
                (Some(_), answered) => format!("asked for {id:?}, the body holds {answered:?}"),
            };
            return Err(UndecodableBody {
                origin: shown,
                kind: ProviderKind::HuaweiCloud,
                error: DecodeError::new(format!("$.{singular}"), message),
            }
            .into());
        }
        listing.add_body(&shown, body)?;
    }
    Ok(())
}
