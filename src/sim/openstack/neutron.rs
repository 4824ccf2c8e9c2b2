//! The simulated Neutron: `GET /network/{region}/{interface}/v2.0/vpn/{collection}`
//! and `.../{collection}/{id}`, with the token checked as keystonemiddleware
//! does, and paging as Neutron emulates it for VPNaaS: a page of `limit`
//! items after `marker`, a `next` link on every full page (the last full one
//! included), a `previous` link when a marker was given, no `*_links` at all
//! without a limit. An unknown marker gives an empty page, as Neutron does;
//! an unknown id a 404 with the `*NotFound` error Neutron raises.

use std::sync::Arc;

use axum::extract::{Path, RawQuery, State as Extract};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::Response;
use chrono::Utc;
use serde_json::{Map, Value};

use super::error::{fault_response, neutron_error, resource_not_found};
use super::keystone::{self, host, with_request_id};
use super::paging::{ListQuery, page_links, parse, start_after, url_encode};
use super::{Paging, State, lock};

/// A collection's body keys, and what Neutron says when an id is unknown.
struct Collection {
    key: &'static str,
    singular: &'static str,
    /// The `NeutronError` type of a 404 on show.
    not_found: &'static str,
    /// The message of that 404 is `{noun} {id} {missing}`.
    noun: &'static str,
    missing: &'static str,
}

/// The collection at a path under `/v2.0/vpn/`.
fn collection(path: &str) -> Option<Collection> {
    let collection = |key, singular, not_found, noun, missing| Collection {
        key,
        singular,
        not_found,
        noun,
        missing,
    };
    const GONE: &str = "could not be found";
    Some(match path {
        "ipsec-site-connections" => collection(
            "ipsec_site_connections",
            "ipsec_site_connection",
            "IPsecSiteConnectionNotFound",
            "ipsec_site_connection",
            "not found",
        ),
        "ikepolicies" => collection(
            "ikepolicies",
            "ikepolicy",
            "IKEPolicyNotFound",
            "IKEPolicy",
            GONE,
        ),
        "ipsecpolicies" => collection(
            "ipsecpolicies",
            "ipsecpolicy",
            "IPsecPolicyNotFound",
            "IPsecPolicy",
            GONE,
        ),
        "vpnservices" => collection(
            "vpnservices",
            "vpnservice",
            "VPNServiceNotFound",
            "VPNService",
            GONE,
        ),
        "endpoint-groups" => collection(
            "endpoint_groups",
            "endpoint_group",
            "VPNEndpointGroupNotFound",
            "Endpoint group",
            GONE,
        ),
        _ => return None,
    })
}

/// Checks the token and the region and interface of the path, as
/// keystonemiddleware and the router do before Neutron serves anything:
/// the response refusing the request, if any (boxed: it is large).
pub(super) fn authorize(
    state: &State,
    headers: &HeaderMap,
    region: &str,
    interface: &str,
) -> Result<(), Box<Response>> {
    let token = headers
        .get("x-auth-token")
        .and_then(|value| value.to_str().ok());
    let valid = token.is_some_and(|token| {
        lock(&state.tokens)
            .get(token)
            .is_some_and(|expires_at| *expires_at > Utc::now())
    });
    if !valid {
        let mut response = keystone::error(
            StatusCode::UNAUTHORIZED,
            "The request you have made requires authentication.",
        );
        let challenge = format!("Keystone uri=\"http://{}/identity\"", host(headers));
        if let Ok(value) = challenge.parse() {
            response.headers_mut().insert("www-authenticate", value);
        }
        return Err(Box::new(response));
    }
    let known_region = state.config.regions.iter().any(|known| known == region);
    let known_interface = ["public", "internal", "admin"].contains(&interface);
    if !(known_region && known_interface) {
        return Err(Box::new(resource_not_found()));
    }
    Ok(())
}

/// Neutron's policy refusing `get_{singular}`, when the sim is set to deny.
pub(super) fn policy(state: &State, singular: &str) -> Result<(), Box<Response>> {
    if state.denied.load(std::sync::atomic::Ordering::SeqCst) {
        return Err(Box::new(neutron_error(
            StatusCode::FORBIDDEN,
            "PolicyNotAuthorized",
            &format!("rule:get_{singular} is disallowed by policy"),
        )));
    }
    Ok(())
}

/// Checks the request as [`authorize`] does, then the collection and the
/// policy, as Neutron does before serving `collection`: the collection, or
/// the response refusing the request.
fn admit(
    state: &State,
    headers: &HeaderMap,
    region: &str,
    interface: &str,
    collection_path: &str,
) -> Result<Collection, Box<Response>> {
    authorize(state, headers, region, interface)?;
    let collection = collection(collection_path).ok_or_else(|| Box::new(resource_not_found()))?;
    policy(state, collection.singular)?;
    Ok(collection)
}

/// Any other path.
pub async fn not_found(
    Extract(state): Extract<Arc<State>>,
    headers: HeaderMap,
    uri: Uri,
) -> Response {
    let shown = uri.path_and_query().map_or("/", |path| path.as_str());
    if let Some(fault) = state.on_request("GET", shown, &headers).await {
        return fault_response(fault);
    }
    resource_not_found()
}

/// `GET .../v2.0/vpn/{collection}/{id}`: `{"<singular>": {...}}`, or 404.
pub async fn show(
    Extract(state): Extract<Arc<State>>,
    Path((region, interface, collection, id)): Path<(String, String, String, String)>,
    headers: HeaderMap,
    uri: Uri,
) -> Response {
    let shown = uri.path_and_query().map_or("/", |path| path.as_str());
    if let Some(fault) = state.on_request("GET", shown, &headers).await {
        return fault_response(fault);
    }
    let collection = match admit(&state, &headers, &region, &interface, &collection) {
        Ok(collection) => collection,
        Err(refused) => return *refused,
    };
    let object = {
        let estate = lock(&state.estate);
        estate
            .collection(collection.key)
            .unwrap_or_default()
            .iter()
            .find(|object| object["id"] == id.as_str())
            .cloned()
    };
    match object {
        Some(object) => {
            let mut body = Map::new();
            body.insert(collection.singular.to_string(), object);
            with_request_id(StatusCode::OK, Value::Object(body).to_string())
        }
        None => neutron_error(
            StatusCode::NOT_FOUND,
            collection.not_found,
            &format!("{} {id} {}", collection.noun, collection.missing),
        ),
    }
}

/// The page size of [`Paging::Endless`] when the request gives no limit.
const ENDLESS_PAGE: usize = 100;

/// A page of [`Paging::Endless`]: `limit` copies of `template` after
/// `marker`, ids `endless-{n}` counting on from the marker's.
fn endless(
    template: Option<&Value>,
    marker: Option<&str>,
    limit: usize,
    padding: usize,
) -> Vec<Value> {
    let first = marker
        .and_then(|marker| marker.strip_prefix("endless-"))
        .and_then(|n| n.parse::<usize>().ok())
        .map_or(0, |n| n + 1);
    let description = "x".repeat(padding);
    (first..first + limit)
        .map(|n| {
            let mut object = template
                .cloned()
                .unwrap_or_else(|| Value::Object(Map::new()));
            object["id"] = Value::String(format!("endless-{n}"));
            object["name"] = Value::String(format!("endless-{n}"));
            object["description"] = Value::String(description.clone());
            object
        })
        .collect()
}

/// `GET .../v2.0/vpn/{collection}?limit=&marker=`.
pub async fn list(
    Extract(state): Extract<Arc<State>>,
    Path((region, interface, collection)): Path<(String, String, String)>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    uri: Uri,
) -> Response {
    let path = uri.path().to_string();
    let shown = match &query {
        Some(query) => format!("{path}?{query}"),
        None => path.clone(),
    };
    if let Some(fault) = state.on_request("GET", &shown, &headers).await {
        return fault_response(fault);
    }
    let Collection { key, .. } = match admit(&state, &headers, &region, &interface, &collection) {
        Ok(collection) => collection,
        Err(refused) => return *refused,
    };
    let ListQuery {
        mut limit, marker, ..
    } = match parse(query.as_deref()) {
        Ok(query) => query,
        Err(refused) => return *refused,
    };
    let paging = state.config.paging;
    match paging {
        Paging::Disabled => limit = None,
        Paging::Endless { .. } => limit = Some(limit.unwrap_or(ENDLESS_PAGE)),
        Paging::Native | Paging::IgnoresMarker => {}
    }
    if let (Some(requested), Some(max)) = (limit, state.config.max_limit) {
        limit = Some(requested.min(max));
    }

    let mut body = Map::new();
    {
        let estate = lock(&state.estate);
        let made;
        let mut all = estate.collection(key).unwrap_or_default();
        if let (Paging::Endless { padding }, Some(limit)) = (paging, limit) {
            made = endless(all.first(), marker.as_deref(), limit, padding);
            all = &made;
        }
        let Some(limit) = limit else {
            body.insert(key.to_string(), Value::Array(all.to_vec()));
            return with_request_id(StatusCode::OK, Value::Object(body).to_string());
        };
        let start = match (&marker, paging) {
            (Some(marker), Paging::Native) => start_after(all, marker),
            _ => 0,
        };
        let page = &all[start.min(all.len())..(start + limit).min(all.len())];
        let links = page_links(page, limit, marker.as_deref(), |marker, extra| {
            let marker = url_encode(marker.as_str().unwrap_or_default());
            format!(
                "http://{}{path}?limit={limit}&marker={marker}{extra}",
                host(&headers)
            )
        });
        body.insert(key.to_string(), Value::Array(page.to_vec()));
        body.insert(format!("{key}_links"), Value::Array(links));
    }
    with_request_id(StatusCode::OK, Value::Object(body).to_string())
}
