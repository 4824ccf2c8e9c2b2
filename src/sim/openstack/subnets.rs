//! The simulated networking API's subnets: `GET .../v2.0/subnets` with
//! repeated `id` filters (a subnet matching any of them; unknown ids are
//! simply absent, as in Neutron), repeated `fields` selectors (only those
//! attributes are returned), and Neutron's native paging (`limit` /
//! `marker`, `pagination_max_limit` applied with or without a `limit`, a
//! `next` link on every full page that keeps the filters; none of it when
//! paging is disabled), and
//! `GET .../v2.0/subnets/{id}`. The token, region and policy are checked as
//! for the VPNaaS routes.

use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::Ordering;

use axum::extract::{Path, RawQuery, State as Extract};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::Response;
use serde_json::{Map, Value, json};

use super::error::{fault_response, neutron_error};
use super::keystone::{host, with_request_id};
use super::neutron::{authorize, policy};
use super::paging::{page_links, parse, start_after, url_encode};
use super::{Paging, State, lock};
use crate::sim::Fault;

/// `subnet` reduced to the `fields` asked for (all of it if none).
fn select(subnet: &Value, fields: &[String]) -> Value {
    if fields.is_empty() {
        return subnet.clone();
    }
    let Some(object) = subnet.as_object() else {
        return subnet.clone();
    };
    let selected: Map<String, Value> = object
        .iter()
        .filter(|(key, _)| fields.iter().any(|field| field == *key))
        .map(|(key, value)| (key.clone(), value.clone()))
        .collect();
    Value::Object(selected)
}

/// Checks what Neutron checks before serving a subnet request.
fn admit(state: &State, headers: &HeaderMap, region: &str, interface: &str) -> Option<Response> {
    if let Err(refused) = authorize(state, headers, region, interface) {
        return Some(*refused);
    }
    if let Err(refused) = policy(state, "subnet") {
        return Some(*refused);
    }
    state
        .subnets_failing
        .load(Ordering::SeqCst)
        .then(|| fault_response(Fault::ServerError))
}

/// `GET .../v2.0/subnets?id=..&fields=..&limit=&marker=`.
pub async fn list(
    Extract(state): Extract<Arc<State>>,
    Path((region, interface)): Path<(String, String)>,
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
    if let Some(refused) = admit(&state, &headers, &region, &interface) {
        return refused;
    }
    let query = match parse(query.as_deref()) {
        Ok(query) => query,
        Err(refused) => return *refused,
    };
    let limit = match (query.limit, state.config.max_limit) {
        _ if state.config.paging == Paging::Disabled => None,
        (Some(limit), Some(max)) => Some(limit.min(max)),
        (None, Some(max)) => Some(max),
        (limit, None) => limit,
    };
    let wanted: HashSet<&str> = query.ids.iter().map(String::as_str).collect();
    let mut body = Map::new();
    {
        let estate = lock(&state.estate);
        let matching: Vec<&Value> = estate
            .subnets
            .iter()
            .filter(|subnet| {
                wanted.is_empty() || subnet["id"].as_str().is_some_and(|id| wanted.contains(id))
            })
            .collect();
        let start = query
            .marker
            .as_deref()
            .map_or(0, |marker| start_after(&matching, marker));
        let end = limit.map_or(matching.len(), |limit| {
            start.saturating_add(limit).min(matching.len())
        });
        let page = &matching[start.min(end)..end];
        let subnets = page
            .iter()
            .map(|subnet| select(subnet, &query.fields))
            .collect();
        body.insert("subnets".to_string(), Value::Array(subnets));
        if let Some(limit) = limit {
            let links = page_links(page, limit, query.marker.as_deref(), |marker, extra| {
                let separator = if query.kept.is_empty() { "" } else { "&" };
                format!(
                    "http://{}{path}?{}{separator}limit={limit}&marker={}{extra}",
                    host(&headers),
                    query.kept,
                    url_encode(marker.as_str().unwrap_or_default())
                )
            });
            body.insert("subnets_links".to_string(), Value::Array(links));
        }
    }
    with_request_id(StatusCode::OK, Value::Object(body).to_string())
}

/// `GET .../v2.0/subnets/{id}`: `{"subnet": {...}}`, or 404 `SubnetNotFound`.
pub async fn show(
    Extract(state): Extract<Arc<State>>,
    Path((region, interface, id)): Path<(String, String, String)>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    uri: Uri,
) -> Response {
    let shown = uri.path_and_query().map_or("/", |path| path.as_str());
    if let Some(fault) = state.on_request("GET", shown, &headers).await {
        return fault_response(fault);
    }
    if let Some(refused) = admit(&state, &headers, &region, &interface) {
        return refused;
    }
    let query = match parse(query.as_deref()) {
        Ok(query) => query,
        Err(refused) => return *refused,
    };
    let subnet = lock(&state.estate)
        .subnets
        .iter()
        .find(|subnet| subnet["id"] == id.as_str())
        .map(|subnet| select(subnet, &query.fields));
    match subnet {
        Some(subnet) => with_request_id(StatusCode::OK, json!({"subnet": subnet}).to_string()),
        None => neutron_error(
            StatusCode::NOT_FOUND,
            "SubnetNotFound",
            &format!("Subnet {id} could not be found."),
        ),
    }
}
