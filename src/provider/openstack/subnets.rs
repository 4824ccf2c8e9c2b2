//! The Neutron subnets that endpoint groups of type `subnet` (every local
//! group) and legacy vpnservices (`subnet_id`) name by id: fetched from the
//! networking API, so the normalizer can store their CIDRs (see
//! [`super::endpoints`]).
//!
//! `GET {endpoint}/v2.0/subnets?id=A&id=B...&fields=id&fields=cidr`: Neutron
//! returns the subnets matching any of the repeated `id` filters, with only
//! the selected fields. The ids go [`BATCH`] to a request, so that URLs stay
//! well under the request-line limits of Neutron's servers and proxies
//! (8 KiB is common), and the batches of one round go [`LANES`] at a time.
//! Each batch follows `subnets_links` like any collection.
//!
//! They are fetched after the referenced collections and before the first
//! page of connections is added, which is when the listing normalizes it;
//! a reference shown later (created while listing) has its new subnets
//! fetched before the page that needs them. A subnet Neutron does not
//! return (deleted meanwhile) is no error here: the connections naming it
//! get a warning from the normalizer and no `local_subnets`. Any failure of
//! a request fails the listing, as for every collection.

use std::collections::HashSet;

use serde_json::Value;

use super::client::Neutron;
use super::paging::Pager;
use crate::http::{FetchError, display_url};
use crate::provider::FetchContext;
use crate::provider::PageSink;
use crate::provider::RelatedKind;

/// Subnet ids in one request.
pub const BATCH: usize = 100;
/// Batch requests in flight at once.
pub const LANES: usize = 4;

const KEY: &str = "subnets";

/// The subnet ids the collected objects name, each asked for once.
#[derive(Debug, Default)]
pub struct SubnetIds {
    asked: HashSet<Box<str>>,
    /// Named but not asked for yet, in order of first appearance.
    pending: Vec<String>,
}

impl SubnetIds {
    /// Notes the subnets a collected vpnservice or endpoint group names.
    pub fn note(&mut self, kind: RelatedKind, object: &Value) {
        match kind {
            RelatedKind::VpnService => {
                if let Some(id) = object.get("subnet_id").and_then(Value::as_str) {
                    self.push(id);
                }
            }
            RelatedKind::EndpointGroup => {
                let is_subnet = object
                    .get("type")
                    .and_then(Value::as_str)
                    .is_some_and(|kind| kind.trim().eq_ignore_ascii_case("subnet"));
                let endpoints = object.get("endpoints").and_then(Value::as_array);
                if let (true, Some(endpoints)) = (is_subnet, endpoints) {
                    endpoints
                        .iter()
                        .filter_map(Value::as_str)
                        .for_each(|id| self.push(id));
                }
            }
            RelatedKind::IkePolicy
            | RelatedKind::IpsecPolicy
            | RelatedKind::Subnet
            | RelatedKind::CustomerGateway
            | RelatedKind::VpnGateway => {}
        }
    }

    fn push(&mut self, id: &str) {
        let id = id.trim();
        if !id.is_empty() && !self.asked.contains(id) {
            self.asked.insert(id.into());
            self.pending.push(id.to_string());
        }
    }

    /// The ids noted since the last call; from now on they count as asked.
    pub fn take_pending(&mut self) -> Vec<String> {
        std::mem::take(&mut self.pending)
    }
}

/// One page of subnets, as fetched.
struct Fetched {
    shown: String,
    body: Value,
}

/// Fetches the subnets `ids` and adds their bodies to `listing`, in batch
/// order.
pub async fn fetch(
    neutron: &Neutron<'_>,
    context: &FetchContext<'_>,
    ids: &[String],
    listing: &mut (dyn PageSink + Send),
) -> Result<(), FetchError> {
    if ids.is_empty() {
        return Ok(());
    }
    let batches: Vec<&[String]> = ids.chunks(BATCH).collect();
    let lane = |lane: usize| {
        let batches = &batches;
        async move {
            let mut pages = Vec::new();
            for (index, batch) in batches.iter().enumerate().skip(lane).step_by(LANES) {
                pages.push((index, fetch_batch(neutron, context, batch).await?));
            }
            Ok::<_, FetchError>(pages)
        }
    };
    // Returning early drops the other lanes, which cancels their requests.
    // One lane per LANES (try_join! takes its futures one by one).
    const _: () = assert!(LANES == 4);
    let (first, second, third, fourth) = tokio::try_join!(lane(0), lane(1), lane(2), lane(3))?;
    let mut batched: Vec<(usize, Vec<Fetched>)> = [first, second, third, fourth]
        .into_iter()
        .flatten()
        .collect();
    batched.sort_by_key(|(index, _)| *index);
    let mut returned = HashSet::new();
    for page in batched.into_iter().flat_map(|(_, pages)| pages) {
        if let Some(Value::Array(subnets)) = page.body.get(KEY) {
            returned.extend(
                subnets
                    .iter()
                    .filter_map(|subnet| subnet.get("id").and_then(Value::as_str))
                    .map(str::to_string),
            );
        }
        listing.add_body(&page.shown, page.body)?;
    }
    for id in ids.iter().filter(|id| !returned.contains(*id)) {
        tracing::info!(
            "source {}: subnet {id}, named by an endpoint group or vpnservice, was not returned \
             (deleted?); the connections using it get no local_subnets",
            context.source.name
        );
    }
    Ok(())
}

/// Every page of one batch's request.
async fn fetch_batch(
    neutron: &Neutron<'_>,
    context: &FetchContext<'_>,
    ids: &[String],
) -> Result<Vec<Fetched>, FetchError> {
    let mut url = neutron.url(KEY)?;
    {
        let mut query = url.query_pairs_mut();
        for id in ids {
            query.append_pair("id", id);
        }
        query
            .append_pair("fields", "id")
            .append_pair("fields", "cidr");
    }
    tracing::debug!("GET {} ({} subnet ids)", display_url(&url), ids.len());
    let mut pager = Pager::starting_at(url, KEY, KEY.to_string());
    let mut pages = Vec::new();
    while let Some(page) = pager.next(neutron).await? {
        context.progress.page_fetched(0);
        pages.push(Fetched {
            shown: page.shown,
            body: page.body,
        });
    }
    Ok(pages)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn subnet_ids_come_from_subnet_groups_and_vpnservices_once_each() {
        let mut ids = SubnetIds::default();
        ids.note(
            RelatedKind::EndpointGroup,
            &json!({"type": "subnet", "endpoints": ["s1", " s2 ", "", 7]}),
        );
        ids.note(
            RelatedKind::EndpointGroup,
            &json!({"type": "cidr", "endpoints": ["10.0.0.0/24"]}),
        );
        ids.note(
            RelatedKind::EndpointGroup,
            &json!({"endpoints": ["untyped"]}),
        );
        ids.note(RelatedKind::VpnService, &json!({"subnet_id": "s3"}));
        ids.note(RelatedKind::VpnService, &json!({"subnet_id": null}));
        ids.note(
            RelatedKind::IkePolicy,
            &json!({"subnet_id": "not-a-subnet"}),
        );
        assert_eq!(ids.take_pending(), ["s1", "s2", "s3"]);
        ids.note(
            RelatedKind::EndpointGroup,
            &json!({"type": "SUBNET", "endpoints": ["s1", "s4"]}),
        );
        assert_eq!(ids.take_pending(), ["s4"]);
        assert_eq!(ids.take_pending(), Vec::<String>::new());
    }
}
