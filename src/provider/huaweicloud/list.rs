//! Listing every connection of a Huawei Cloud source (and, first, the
//! gateways they name): pages by `limit` + `marker` until a short or empty
//! page, each page retried on its own, and the checks that keep a
//! misbehaving server from looping or from passing off a truncated listing
//! as complete.

use std::collections::HashSet;

use serde_json::Value;

use super::client::{Call, Client, Endpoint};
use super::normalize::decode_page;
use super::settings::Settings;
use super::show::{Known, show_missing};
use crate::http::{FetchError, display_url};
use crate::provider::FetchContext;
use crate::provider::body::count;
use crate::provider::{DecodeError, ProviderKind};
use crate::provider::{PageSink, UndecodableBody};

/// Lists the source's connections into `listing`: first, unless
/// `resolve_gateways = false`, the project's VPN gateways and customer
/// gateways (see [`super::gateways`]), so that every page of connections
/// can be normalized as it arrives.
pub async fn fetch(
    context: &FetchContext<'_>,
    settings: &Settings,
    listing: &mut (dyn PageSink + Send),
) -> Result<(), FetchError> {
    let endpoint = context.source.endpoint_or_default().ok_or_else(|| {
        FetchError::Config(format!("source {}: no endpoint", context.source.name))
    })?;
    let client = Client::new(
        context.client.clone(),
        Endpoint::parse(&endpoint)?,
        settings,
    );
    if !settings.resolve_gateways {
        return list_pages(context, &client, Collection::Connections, None, listing).await;
    }
    let mut known = Known::default();
    list_vpn_gateways(context, &client, &mut known, listing).await?;
    let customer_gateways = Collection::CustomerGateways;
    list_pages(
        context,
        &client,
        customer_gateways,
        Some(&mut known),
        listing,
    )
    .await?;
    list_pages(
        context,
        &client,
        Collection::Connections,
        Some(&mut known),
        listing,
    )
    .await
}

/// The largest `limit` of `GET .../customer-gateways` (the connection list
/// takes up to 2000 in some editions).
const CUSTOMER_GATEWAYS_MAX_LIMIT: u32 = 200;

/// The collections listed by `limit` + `marker`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Collection {
    Connections,
    CustomerGateways,
}

impl Collection {
    /// The body key of the items, and what they are called in messages.
    fn key_and_noun(self) -> (&'static str, &'static str) {
        match self {
            Collection::Connections => ("vpn_connections", "connections"),
            Collection::CustomerGateways => ("customer_gateways", "customer gateways"),
        }
    }
}

/// `GET /v5/{project_id}/vpn-gateways`: one body, not paged.
async fn list_vpn_gateways(
    context: &FetchContext<'_>,
    client: &Client<'_>,
    known: &mut Known,
    listing: &mut (dyn PageSink + Send),
) -> Result<(), FetchError> {
    let url = client.vpn_gateways_url();
    let shown = display_url(&url);
    let what = format!("source {} VPN gateways ({shown})", context.source.name);
    let body = context
        .retry
        .run(&what, || client.get(&url, Call::ListVpnGateways))
        .await?;
    if !matches!(body.get("vpn_gateways"), Some(Value::Array(_))) {
        return Err(UndecodableBody {
            origin: shown,
            kind: ProviderKind::HuaweiCloud,
            error: DecodeError::new("$.vpn_gateways", "missing or not an array"),
        }
        .into());
    }
    known.add_body(&body);
    listing.add_body(&shown, body)?;
    context.progress.page_fetched(0);
    Ok(())
}

/// Lists one paged collection into `listing`: pages by `limit` + `marker`
/// until a short or empty page, each page retried on its own. With `known`
/// (gateways are resolved), gateway pages are recorded in it, and the
/// gateways a page of connections names that the lists lacked are shown
/// before the page (see [`super::show`]).
async fn list_pages(
    context: &FetchContext<'_>,
    client: &Client<'_>,
    collection: Collection,
    mut known: Option<&mut Known>,
    listing: &mut (dyn PageSink + Send),
) -> Result<(), FetchError> {
    let settings = client.settings();
    let limit = match collection {
        Collection::Connections => settings.page_size,
        // The customer gateway list takes a limit of 0 to 200 only.
        Collection::CustomerGateways => settings.page_size.min(CUSTOMER_GATEWAYS_MAX_LIMIT),
    };
    let (key, noun) = collection.key_and_noun();
    // The source's filters narrow the connections only.
    let filtered = collection == Collection::Connections
        && (settings.vgw_id.is_some()
            || settings.vgw_ip.is_some()
            || !settings.enterprise_project_ids.is_empty());
    let mut marker: Option<String> = None;
    let mut markers_sent: HashSet<String> = HashSet::new();
    let mut received: u64 = 0;
    let mut most_announced: Option<u64> = None;
    for page in 1u64.. {
        let (url, call, what) = match collection {
            Collection::Connections => (
                client.list_url(limit, marker.as_deref()),
                Call::List,
                "page",
            ),
            Collection::CustomerGateways => (
                client.customer_gateways_url(limit, marker.as_deref()),
                Call::ListCustomerGateways,
                "customer gateways page",
            ),
        };
        let shown = display_url(&url);
        let what = format!("source {} {what} {page} ({shown})", context.source.name);
        let body = context.retry.run(&what, || client.get(&url, call)).await?;
        let info = page_info(&shown, &body, key)?;
        let items = info.items as u64;
        if let Some(current) = info.current_count
            && current != items
        {
            return Err(FetchError::Paging(format!(
                "{shown}: page_info.current_count is {current} but the page holds {items} {noun}"
            )));
        }
        if items > u64::from(limit) {
            return Err(FetchError::Paging(format!(
                "{shown}: {items} {noun} on a page asked for at most {limit}"
            )));
        }
        if let Some(known) = known.as_deref_mut() {
            match collection {
                Collection::CustomerGateways => known.add_body(&body),
                Collection::Connections => {
                    show_missing(context, client, known, &body, listing).await?;
                }
            }
        }
        listing.add_body(&shown, body)?;
        let counted = match collection {
            Collection::Connections => info.items,
            Collection::CustomerGateways => 0,
        };
        context.progress.page_fetched(counted);
        tracing::debug!("{what}: {} {noun}", info.items);
        received += items;
        most_announced = most_announced.max(info.total_count);
        if let Some(total) = most_announced
            && received > total
        {
            return Err(FetchError::Paging(format!(
                "{shown}: {received} {noun} over {page} pages, more than the total_count of \
                 {total}: the server keeps returning pages"
            )));
        }
        if items < u64::from(limit) {
            // The last page. Unfiltered, total_count counts what the listing
            // should hold: fewer means the server cut the pages short (a
            // limit above its maximum?), and a short listing must not pass
            // for a complete one.
            if let Some(total) = info.total_count
                && !filtered
                && received < total
            {
                return Err(FetchError::Paging(format!(
                    "{shown}: the listing ended after {received} {noun} over {page} pages \
                     but total_count is {total}; if page_size ({limit}) is above the endpoint's \
                     maximum limit, lower it"
                )));
            }
            return Ok(());
        }
        let next = info.next_marker.ok_or_else(|| {
            FetchError::Paging(format!(
                "{shown}: a full page without page_info.next_marker; cannot ask for the next one"
            ))
        })?;
        if !markers_sent.insert(next.clone()) {
            return Err(FetchError::Paging(format!(
                "{shown}: next_marker {next:?} was already requested; the marker does not advance"
            )));
        }
        marker = Some(next);
    }
    Ok(())
}

/// What a list body says about its page.
#[derive(Debug)]
struct PageInfo {
    items: usize,
    current_count: Option<u64>,
    next_marker: Option<String>,
    total_count: Option<u64>,
}

/// Reads the paging fields of a list body; anything else (a show body, an
/// error body, a wrong shape) is a decode error naming the JSON path.
fn page_info(origin: &str, body: &Value, key: &str) -> Result<PageInfo, UndecodableBody> {
    let decode_error = |error| UndecodableBody {
        origin: origin.to_string(),
        kind: ProviderKind::HuaweiCloud,
        error,
    };
    let Some(Value::Array(connections)) = body.get(key) else {
        // Let the body reader say what the body is instead.
        return Err(decode_error(match decode_page(body.clone()) {
            Err(error) => error,
            Ok(_) => DecodeError::new(
                format!("$.{key}"),
                format!("missing: a list response holds the {key} array"),
            ),
        }));
    };
    let page_info = match body.get("page_info") {
        None | Some(Value::Null) => None,
        Some(Value::Object(map)) => Some(map),
        Some(_) => {
            return Err(decode_error(DecodeError::new(
                "$.page_info",
                "expected an object",
            )));
        }
    };
    let current_count = count(
        page_info.and_then(|info| info.get("current_count")),
        "$.page_info.current_count",
    )
    .map_err(decode_error)?;
    let next_marker = match page_info.and_then(|info| info.get("next_marker")) {
        None | Some(Value::Null) => None,
        Some(Value::String(marker)) if marker.is_empty() => None,
        Some(Value::String(marker)) => Some(marker.clone()),
        Some(_) => {
            return Err(decode_error(DecodeError::new(
                "$.page_info.next_marker",
                "expected a string",
            )));
        }
    };
    let total_count = count(body.get("total_count"), "$.total_count").map_err(decode_error)?;
    Ok(PageInfo {
        items: connections.len(),
        current_count,
        next_marker,
        total_count,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn page_info_reads_the_documented_fields() {
        let body = json!({
            "vpn_connections": [{"id": "a"}, {"id": "b"}],
            "page_info": {"next_marker": "2022-12-09T07:24:27.674Z", "current_count": 2},
            "request_id": "r", "total_count": 12
        });
        let info = page_info("u", &body, "vpn_connections").unwrap();
        assert_eq!(info.items, 2);
        assert_eq!(info.current_count, Some(2));
        assert_eq!(
            info.next_marker.as_deref(),
            Some("2022-12-09T07:24:27.674Z")
        );
        assert_eq!(info.total_count, Some(12));
    }

    #[test]
    fn page_info_names_the_path_of_a_wrong_shape() {
        let cases = [
            (
                json!({"vpn_connections": [], "page_info": {"current_count": "2"}}),
                "u: not a huaweicloud response body: $.page_info.current_count: expected a non-negative integer, found a string",
            ),
            (
                json!({"vpn_connections": [], "page_info": {"next_marker": 5}}),
                "u: not a huaweicloud response body: $.page_info.next_marker: expected a string",
            ),
            (
                json!({"vpn_connection": {"id": "a"}}),
                "u: not a huaweicloud response body: $.vpn_connections: missing: a list response holds the vpn_connections array",
            ),
            (
                json!({"vpn_connections": {"id": "a"}}),
                "u: not a huaweicloud response body: $.vpn_connections: expected an array, found an object",
            ),
        ];
        for (body, expected) in cases {
            assert_eq!(
                page_info("u", &body, "vpn_connections")
                    .unwrap_err()
                    .to_string(),
                expected
            );
        }
    }
}
