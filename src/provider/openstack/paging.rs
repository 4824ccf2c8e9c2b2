//! One Neutron collection paged by `limit` / `marker` and followed
//! through its `<collection>_links` `next` hrefs.
//!
//! A server with paging disabled ignores `limit` and returns everything
//! with no links: that is one page. A next link already followed, or a
//! next link after an empty page, means the paging would not end and fails
//! the listing (it proves nothing about deletions).
//!
//! VPNaaS does not page in its database: Neutron loads the whole list and
//! returns what follows the marker, and nothing at all when the marker is
//! not in the list. So an empty page after a marker is either the end (the
//! page before was exactly full) or a marker deleted while listing, which
//! would cut the listing short and turn the rest into false deletions. One
//! show request on the marker tells them apart; a gone marker fails the
//! listing.

use std::collections::{HashMap, HashSet};
use std::ops::Range;

use serde_json::Value;
use serde_json::value::RawValue;

use super::client::{Neutron, Shown, parse};
use crate::http::{FetchError, display_url};

/// One page of a collection.
pub struct Page {
    /// The URL it came from, credentials masked.
    pub shown: String,
    pub body: Value,
}

/// One page of a collection as its JSON text: checked, and read for its
/// object count and links, without a parsed tree (a page of 25,000
/// connections is 19 MB of text and was about 96 MB as a tree).
pub struct TextPage {
    /// The URL it came from, credentials masked.
    pub shown: String,
    pub text: String,
    /// Where each object of its collection array lies in `text`.
    items: Vec<Range<usize>>,
}

impl TextPage {
    /// How many objects its collection array holds.
    pub fn count(&self) -> usize {
        self.items.len()
    }

    /// The text of each object of its collection array, in order.
    pub fn items(&self) -> impl Iterator<Item = &str> {
        self.items
            .iter()
            .filter_map(|range| self.text.get(range.clone()))
    }
}

/// Walks one collection's pages.
pub struct Pager {
    /// The collection's body key, e.g. `ikepolicies`.
    key: &'static str,
    /// The next page to GET; `None` once the last page was returned.
    next: Option<reqwest::Url>,
    /// Every page URL requested so far.
    followed: HashSet<String>,
    /// The collection's path under `/v2.0/` (`vpn/ikepolicies`, `subnets`),
    /// under which each object is shown by id.
    objects: String,
}

impl Pager {
    /// The pages of `{endpoint}/v2.0/vpn/{path}`, whose body holds the
    /// array `key`, `limit` objects at a time (if given).
    pub fn new(
        neutron: &Neutron<'_>,
        path: &'static str,
        key: &'static str,
        limit: Option<u32>,
    ) -> Result<Pager, FetchError> {
        let objects = format!("vpn/{path}");
        let mut url = neutron.url(&objects)?;
        if let Some(limit) = limit {
            url.query_pairs_mut()
                .append_pair("limit", &limit.to_string());
        }
        Ok(Pager::starting_at(url, key, objects))
    }

    /// The pages from `url` on (a collection URL with its filters), whose
    /// body holds the array `key`, each object shown at
    /// `{endpoint}/v2.0/{objects}/{id}`.
    pub fn starting_at(url: reqwest::Url, key: &'static str, objects: String) -> Pager {
        Pager {
            key,
            followed: HashSet::from([url.to_string()]),
            next: Some(url),
            objects,
        }
    }

    /// The next page, parsed, or `None` after the last one.
    pub async fn next(&mut self, neutron: &Neutron<'_>) -> Result<Option<Page>, FetchError> {
        let Some(TextPage { shown, text, .. }) = self.next_text(neutron).await? else {
            return Ok(None);
        };
        let body = parse(&text, &shown)?;
        Ok(Some(Page { shown, body }))
    }

    /// The next page as its JSON text, or `None` after the last one.
    pub async fn next_text(
        &mut self,
        neutron: &Neutron<'_>,
    ) -> Result<Option<TextPage>, FetchError> {
        let Some(url) = self.next.take() else {
            return Ok(None);
        };
        let shown = display_url(&url);
        let text = neutron.get_text(&url).await?;
        let (items, links) = members(&text, self.key, &shown)?;
        // Kept as places in the text, which the page then owns: read once.
        let items: Vec<Range<usize>> = items
            .iter()
            .map(|item| {
                // Borrowed from `text`: never before its start.
                let start = (item.get().as_ptr() as usize).saturating_sub(text.as_ptr() as usize);
                start..start + item.get().len()
            })
            .collect();
        let count = items.len();
        if count == 0 {
            self.check_marker(neutron, &url, &shown).await?;
        }
        if let Some(href) = next_link(links.as_ref(), self.key, &shown)? {
            if count == 0 {
                return Err(FetchError::Paging(format!(
                    "GET {shown}: an empty page with a next link ({href}); the listing would not end"
                )));
            }
            let next_url = resolve_next(&url, neutron.base(), &href)?;
            if !self.followed.insert(next_url.to_string()) {
                return Err(FetchError::Paging(format!(
                    "GET {shown}: the next link {} was already followed; the server does not \
                     advance the marker",
                    display_url(&next_url)
                )));
            }
            self.next = Some(next_url);
        }
        Ok(Some(TextPage { shown, text, items }))
    }

    /// After an empty page reached by a marker: fails unless the marker
    /// still exists (see the module docs).
    async fn check_marker(
        &self,
        neutron: &Neutron<'_>,
        page: &reqwest::Url,
        shown: &str,
    ) -> Result<(), FetchError> {
        let Some(marker) = page
            .query_pairs()
            .find(|(name, _)| name == "marker")
            .map(|(_, value)| value.into_owned())
        else {
            return Ok(());
        };
        let object = neutron.object_url(&self.objects, &marker)?;
        match neutron.show(&object).await? {
            Shown::Object(_) => Ok(()),
            Shown::Gone(_) => Err(FetchError::Paging(format!(
                "GET {shown}: an empty page after marker {marker}, which was deleted while \
                 listing; Neutron returns nothing after a marker it no longer has, so the rest \
                 of the collection is unknown and this listing proves no deletions"
            ))),
        }
    }
}

/// The `href` of the `rel: "next"` entry of `<key>_links`, if any.
/// The objects of the array `key` in a page's JSON `text`, each as its
/// text, and its `{key}_links` parsed (small).
pub fn members<'t>(
    text: &'t str,
    key: &str,
    shown: &str,
) -> Result<(Vec<&'t RawValue>, Option<Value>), FetchError> {
    let no_array = || FetchError::Decode(format!("GET {shown}: the body has no {key:?} array"));
    // Not an object, or a member that is not JSON: as a parsed body, no array.
    let members: HashMap<String, &RawValue> = serde_json::from_str(text).map_err(|_| no_array())?;
    let items = members
        .get(key)
        .and_then(|items| serde_json::from_str::<Vec<&RawValue>>(items.get()).ok())
        .ok_or_else(no_array)?;
    let links = members
        .get(&format!("{key}_links"))
        .map(|links| serde_json::from_str::<Value>(links.get()))
        .transpose()
        .map_err(|_| no_array())?;
    Ok((items, links))
}

/// The next page's href in a page's `{key}_links`, if any.
fn next_link(links: Option<&Value>, key: &str, shown: &str) -> Result<Option<String>, FetchError> {
    let links_key = format!("{key}_links");
    let links = match links {
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
    fn a_page_text_gives_its_objects_and_links_or_says_it_has_no_array() {
        let text = r#"{"ikepolicies": [{"id": "a"}, "odd", {"id": "b\u0022"}],
            "ikepolicies_links": [{"rel": "next", "href": "h"}], "other": {"x": [1]}}"#;
        let (items, links) = members(text, "ikepolicies", "u").unwrap();
        let items: Vec<&str> = items.iter().map(|item| item.get()).collect();
        assert_eq!(
            items,
            [r#"{"id": "a"}"#, r#""odd""#, r#"{"id": "b\u0022"}"#]
        );
        assert_eq!(links, Some(json!([{"rel": "next", "href": "h"}])));
        let (items, links) = members(r#"{"ikepolicies": []}"#, "ikepolicies", "u").unwrap();
        assert!(items.is_empty() && links.is_none());
        for text in [
            r#"{"ikepolicies": {}}"#,
            r#"{"ipsecpolicies": []}"#,
            r#"[{"ikepolicies": []}]"#,
            "null",
        ] {
            let error = members(text, "ikepolicies", "u").unwrap_err().to_string();
            assert!(
                error.contains("GET u: the body has no \"ikepolicies\" array"),
                "{text}: {error}"
            );
        }
    }

    #[test]
    fn next_links_are_found_by_rel() {
        let body = json!({"ikepolicies": [], "ikepolicies_links": [
            {"rel": "previous", "href": "http://n/v2.0/vpn/ikepolicies?limit=1&marker=a&page_reverse=True"},
            {"rel": "next", "href": "http://n/v2.0/vpn/ikepolicies?limit=1&marker=b"}
        ]});
        assert_eq!(
            next_link(body.get("ikepolicies_links"), "ikepolicies", "u")
                .unwrap()
                .as_deref(),
            Some("http://n/v2.0/vpn/ikepolicies?limit=1&marker=b")
        );
        let last =
            json!({"ikepolicies": [], "ikepolicies_links": [{"rel": "previous", "href": "x"}]});
        assert_eq!(
            next_link(last.get("ikepolicies_links"), "ikepolicies", "u").unwrap(),
            None
        );
        assert_eq!(next_link(None, "ikepolicies", "u").unwrap(), None);
        let error = next_link(Some(&json!([{"rel": "next"}])), "ikepolicies", "GET u").unwrap_err();
        assert_eq!(
            error.to_string(),
            "undecodable response: GET GET u: $.ikepolicies_links[0].href is missing or not a string"
        );
        assert!(next_link(Some(&json!({})), "ikepolicies", "u").is_err());
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
