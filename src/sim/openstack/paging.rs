//! Neutron's list requests as the simulated routes read and page them: the
//! query (`limit`, `marker`, filters), the page after a marker and the
//! `next` / `previous` links with their percent-encoded values. Shared by the
//! VPNaaS and subnets listings.

use std::borrow::Borrow;

use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{Value, json};

use super::error::neutron_error;

/// What a list request asked for.
#[derive(Default)]
pub(super) struct ListQuery {
    /// `id` filters (an object matching any of them).
    pub ids: Vec<String>,
    /// `fields` selectors (only those attributes are returned).
    pub fields: Vec<String>,
    pub limit: Option<usize>,
    pub marker: Option<String>,
    /// The query without `limit` and `marker`, `&`-joined, for links.
    pub kept: String,
}

/// Reads a list request's query; a `limit` that is not a number is
/// Neutron's 400. A query that does not parse is read as empty.
pub(super) fn parse(query: Option<&str>) -> Result<ListQuery, Box<Response>> {
    let mut parsed = ListQuery::default();
    let Some(query) = query else {
        return Ok(parsed);
    };
    let Ok(url) = reqwest::Url::parse(&format!("http://sim/?{query}")) else {
        return Ok(parsed);
    };
    let mut kept = Vec::new();
    for (name, value) in url.query_pairs() {
        match name.as_ref() {
            "limit" => match value.parse::<usize>() {
                Ok(0) => {}
                Ok(number) => parsed.limit = Some(number),
                Err(_) => {
                    return Err(Box::new(neutron_error(
                        StatusCode::BAD_REQUEST,
                        "BadRequest",
                        &format!(
                            "Bad limit request: Limit must be an integer 0 or greater and not '{value}'"
                        ),
                    )));
                }
            },
            "marker" => parsed.marker = Some(value.into_owned()),
            other => {
                kept.push(format!("{}={}", url_encode(other), url_encode(&value)));
                match other {
                    "id" => parsed.ids.push(value.into_owned()),
                    "fields" if !value.is_empty() => parsed.fields.push(value.into_owned()),
                    _ => {}
                }
            }
        }
    }
    parsed.kept = kept.join("&");
    Ok(parsed)
}

/// Where the page after `marker` starts in `all`: after the object with
/// that id, or at the end when no object has it (Neutron then returns an
/// empty page).
pub(super) fn start_after<T: Borrow<Value>>(all: &[T], marker: &str) -> usize {
    all.iter()
        .position(|object| object.borrow()["id"] == marker)
        .map_or(all.len(), |index| index + 1)
}

/// The links of a page: `next` after a full page, `previous` when a marker
/// was given; `link(marker, extra)` makes each URL.
pub(super) fn page_links<T: Borrow<Value>>(
    page: &[T],
    limit: usize,
    marker: Option<&str>,
    link: impl Fn(&Value, &str) -> String,
) -> Vec<Value> {
    let mut links = Vec::new();
    if page.len() == limit
        && let Some(last) = page.last()
    {
        links.push(json!({"rel": "next", "href": link(&last.borrow()["id"], "")}));
    }
    if let Some(marker) = marker {
        let first = page
            .first()
            .map_or(json!(marker), |first| first.borrow()["id"].clone());
        links.push(json!({"rel": "previous", "href": link(&first, "&page_reverse=True")}));
    }
    links
}

/// Percent-encodes a query value (everything but RFC 3986 unreserved).
pub(super) fn url_encode(value: &str) -> String {
    value
        .bytes()
        .map(|byte| match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                char::from(byte).to_string()
            }
            other => format!("%{other:02X}"),
        })
        .collect()
}
