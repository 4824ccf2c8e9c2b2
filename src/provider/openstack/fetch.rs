//! Listing an OpenStack project's VPNaaS objects: the IPsec site
//! connections, then the IKE and IPsec policies, vpnservices and endpoint
//! groups they reference, each collection paged by Neutron's `limit` /
//! `marker` and followed through its `<collection>_links` `next` hrefs.
//!
//! A server with paging disabled ignores `limit` and returns everything
//! with no links: that is one page. A next link already followed, or a
//! next link after an empty page, means the paging would not end and fails
//! the listing (it proves nothing about deletions).

use std::collections::HashSet;

use serde_json::Value;

use super::client::Neutron;
use super::settings::Settings;
use crate::collector::FetchContext;
use crate::http::{FetchError, display_url};
use crate::listing::ListingBuilder;

/// One collection: its path under `/v2.0/vpn/`, its body key, and whether
/// it holds the connections themselves.
struct Collection {
    path: &'static str,
    key: &'static str,
    connections: bool,
}

/// The connections first, then what they reference.
const COLLECTIONS: [Collection; 5] = [
    Collection {
        path: "ipsec-site-connections",
        key: "ipsec_site_connections",
        connections: true,
    },
    Collection {
        path: "ikepolicies",
        key: "ikepolicies",
        connections: false,
    },
    Collection {
        path: "ipsecpolicies",
        key: "ipsecpolicies",
        connections: false,
    },
    Collection {
        path: "vpnservices",
        key: "vpnservices",
        connections: false,
    },
    Collection {
        path: "endpoint-groups",
        key: "endpoint_groups",
        connections: false,
    },
];

/// Lists every IPsec site connection of the source's project, with the
/// objects they reference, into `listing`.
pub async fn fetch(
    context: &FetchContext<'_>,
    settings: &Settings,
    listing: &mut ListingBuilder,
) -> Result<(), FetchError> {
    let mut neutron = Neutron::connect(context, settings).await?;
    for collection in &COLLECTIONS {
        list(&mut neutron, context, settings, collection, listing).await?;
    }
    Ok(())
}

async fn list(
    neutron: &mut Neutron<'_>,
    context: &FetchContext<'_>,
    settings: &Settings,
    collection: &Collection,
    listing: &mut ListingBuilder,
) -> Result<(), FetchError> {
    let mut url = neutron.url(&format!("vpn/{}", collection.path))?;
    if let Some(limit) = settings.page_size {
        url.query_pairs_mut()
            .append_pair("limit", &limit.to_string());
    }
    let mut followed = HashSet::from([url.to_string()]);
    loop {
        let shown = display_url(&url);
        let body = neutron.get(&url).await?;
        let count = match body.get(collection.key) {
            Some(Value::Array(items)) => items.len(),
            _ => {
                return Err(FetchError::Decode(format!(
                    "GET {shown}: the body has no {:?} array",
                    collection.key
                )));
            }
        };
        let next = next_link(&body, collection.key, &shown)?;
        listing.add_body(&shown, body)?;
        context
            .progress
            .page_fetched(if collection.connections { count } else { 0 });
        let Some(href) = next else {
            return Ok(());
        };
        if count == 0 {
            return Err(FetchError::Paging(format!(
                "GET {shown}: an empty page with a next link ({href}); the listing would not end"
            )));
        }
        let next_url = resolve_next(&url, neutron.base(), &href)?;
        if !followed.insert(next_url.to_string()) {
            return Err(FetchError::Paging(format!(
                "GET {shown}: the next link {} was already followed; the server does not advance \
                 the marker",
                display_url(&next_url)
            )));
        }
        url = next_url;
    }
}

/// The `href` of the `rel: "next"` entry of `<key>_links`, if any.
fn next_link(body: &Value, key: &str, shown: &str) -> Result<Option<String>, FetchError> {
    let links_key = format!("{key}_links");
    let links = match body.get(&links_key) {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::Array(links)) => links,
        Some(_) => {
            return Err(FetchError::Decode(format!(
                "GET {shown}: $.{links_key} is not an array"
            )));
        }
    };
    for (index, link) in links.iter().enumerate() {
        if link.get("rel").and_then(Value::as_str) != Some("next") {
            continue;
        }
        return match link.get("href").and_then(Value::as_str) {
            Some(href) if !href.is_empty() => Ok(Some(href.to_string())),
            _ => Err(FetchError::Decode(format!(
                "GET {shown}: $.{links_key}[{index}].href is missing or not a string"
            ))),
        };
    }
    Ok(None)
}

/// The URL a next `href` leads to. Relative hrefs resolve against the page
/// that gave them. An href on another origin than the endpoint (Neutron
/// behind a proxy that does not rewrite its links) would take the token
/// elsewhere: its query (limit, marker) is applied to the current
/// collection URL instead.
fn resolve_next(
    current: &reqwest::Url,
    base: &reqwest::Url,
    href: &str,
) -> Result<reqwest::Url, FetchError> {
    let next = current.join(href).map_err(|error| {
        FetchError::Decode(format!(
            "GET {}: the next link {href:?} is not a URL: {error}",
            display_url(current)
        ))
    })?;
    if next.origin() == base.origin() {
        return Ok(next);
    }
    tracing::debug!(
        "the next link {} is not on the endpoint's origin; following its query on {}",
        display_url(&next),
        display_url(current)
    );
    let mut rebased = current.clone();
    rebased.set_query(next.query());
    Ok(rebased)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn url(text: &str) -> reqwest::Url {
        reqwest::Url::parse(text).unwrap()
    }

    #[test]
    fn next_links_are_found_by_rel() {
        let body = json!({"ikepolicies": [], "ikepolicies_links": [
            {"rel": "previous", "href": "http://n/v2.0/vpn/ikepolicies?limit=1&marker=a&page_reverse=True"},
            {"rel": "next", "href": "http://n/v2.0/vpn/ikepolicies?limit=1&marker=b"}
        ]});
        assert_eq!(
            next_link(&body, "ikepolicies", "u").unwrap().as_deref(),
            Some("http://n/v2.0/vpn/ikepolicies?limit=1&marker=b")
        );
        let last =
            json!({"ikepolicies": [], "ikepolicies_links": [{"rel": "previous", "href": "x"}]});
        assert_eq!(next_link(&last, "ikepolicies", "u").unwrap(), None);
        assert_eq!(
            next_link(&json!({"ikepolicies": []}), "ikepolicies", "u").unwrap(),
            None
        );
        let error = next_link(
            &json!({"ikepolicies_links": [{"rel": "next"}]}),
            "ikepolicies",
            "GET u",
        )
        .unwrap_err();
        assert_eq!(
            error.to_string(),
            "undecodable response: GET GET u: $.ikepolicies_links[0].href is missing or not a string"
        );
        assert!(next_link(&json!({"ikepolicies_links": {}}), "ikepolicies", "u").is_err());
    }

    #[test]
    fn next_links_resolve_on_the_endpoint_origin_only() {
        let base = url("https://net.example:9696/v2.0");
        let current = url("https://net.example:9696/v2.0/vpn/ikepolicies?limit=2");
        assert_eq!(
            resolve_next(
                &current,
                &base,
                "https://net.example:9696/v2.0/vpn/ikepolicies?limit=2&marker=m1"
            )
            .unwrap()
            .as_str(),
            "https://net.example:9696/v2.0/vpn/ikepolicies?limit=2&marker=m1"
        );
        assert_eq!(
            resolve_next(&current, &base, "/v2.0/vpn/ikepolicies?limit=2&marker=m2")
                .unwrap()
                .as_str(),
            "https://net.example:9696/v2.0/vpn/ikepolicies?limit=2&marker=m2"
        );
        // An internal host name leaked by a proxy: only the query is taken.
        let proxied_base = url("https://cloud.example/network/v2.0");
        let proxied = url("https://cloud.example/network/v2.0/vpn/ikepolicies?limit=2");
        assert_eq!(
            resolve_next(
                &proxied,
                &proxied_base,
                "http://controller:9696/v2.0/vpn/ikepolicies?limit=2&marker=m3"
            )
            .unwrap()
            .as_str(),
            "https://cloud.example/network/v2.0/vpn/ikepolicies?limit=2&marker=m3"
        );
    }
}
