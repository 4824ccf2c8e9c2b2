//! Listing by offset and limit (both Tencent Cloud APIs): the first page
//! gives the total, the remaining pages are fetched concurrently (bounded),
//! and the result is accepted only when it adds up.
//!
//! A listing is complete only when no page failed, every page announced the
//! same total, and the number of distinct connection ids equals that total.
//! A total that moves, or ids that do not add up, mean the estate changed
//! while it was being listed (offsets shift under inserts and deletes): the
//! listing is taken once more from the start, and if that one does not add
//! up either the source fails for this run instead of storing a listing
//! with a silent gap.
//!
//! Pages are fed to the [`PageSink`] in offset order as they arrive
//! (a page that comes early waits for the ones before it), so a large
//! listing streams instead of accumulating. A pass that does not add up,
//! or fails, resets the listing: what it holds is only ever a whole one.

use std::collections::{BTreeMap, HashSet};
use std::future::Future;

use serde_json::Value;
use tokio::task::JoinSet;

use crate::http::FetchError;
use crate::provider::PageSink;
use crate::provider::SourceProgress;

/// Page requests of one source in flight at the same time.
pub const PAGE_CONCURRENCY: usize = 4;
/// Listings tried before giving up on an estate that keeps changing.
pub const MAX_LISTINGS: u32 = 2;
/// More pages than this is not a plausible total.
pub const MAX_PAGES: u64 = 100_000;

/// One page, fetched and checked for an API error.
#[derive(Debug)]
pub struct OffsetPage {
    /// Names the page in errors: the display URL and the offset.
    pub origin: String,
    /// The body, fed to the listing in offset order.
    pub body: Value,
    /// The total the page announced.
    pub total: u64,
    /// The connection ids on the page, in order.
    pub ids: Vec<String>,
}

/// How to page.
#[derive(Debug, Clone, Copy)]
pub struct OffsetPaging {
    /// The limit of every request.
    pub page_size: u32,
    /// Page requests in flight at once (at least 1).
    pub concurrency: usize,
}

/// What one pass over the pages found.
enum Pass {
    /// Every page, fed to the listing in offset order, adding up to the total.
    Whole,
    /// Why the pages do not make one listing.
    Changed(String),
}

/// Lists every page through `fetch_page(offset)` (which applies the retry
/// policy itself) into `listing`; see the module docs.
pub async fn list<F, Fut>(
    paging: OffsetPaging,
    fetch_page: F,
    progress: &SourceProgress,
    listing: &mut (dyn PageSink + Send),
) -> Result<(), FetchError>
where
    F: Fn(u64) -> Fut,
    Fut: Future<Output = Result<OffsetPage, FetchError>> + Send + 'static,
{
    let mut first_reason = None;
    for pass in 1..=MAX_LISTINGS {
        let listed = list_once(paging, &fetch_page, progress, listing).await;
        if !matches!(listed, Ok(Pass::Whole)) {
            let reset = listing.reset();
            // The pass's own error says more than one from the reset.
            if listed.is_ok() {
                reset?;
            }
        }
        match listed? {
            Pass::Whole => return Ok(()),
            Pass::Changed(reason) => {
                if pass < MAX_LISTINGS {
                    tracing::warn!("{reason}; the estate changed while listing, listing again");
                }
                first_reason.get_or_insert(reason);
            }
        }
    }
    Err(FetchError::Paging(format!(
        "{}; listed {MAX_LISTINGS} times and the estate changed during each listing, so this \
         run has no complete listing of the source (nothing is inferred from it)",
        first_reason.unwrap_or_default()
    )))
}

async fn list_once<F, Fut>(
    paging: OffsetPaging,
    fetch_page: &F,
    progress: &SourceProgress,
    listing: &mut (dyn PageSink + Send),
) -> Result<Pass, FetchError>
where
    F: Fn(u64) -> Fut,
    Fut: Future<Output = Result<OffsetPage, FetchError>> + Send + 'static,
{
    let page_size = u64::from(paging.page_size.max(1));
    let first = fetch_page(0).await?;
    progress.page_fetched(first.ids.len());
    check_size(&first, page_size)?;
    let total = first.total;
    if total.div_ceil(page_size) > MAX_PAGES {
        return Err(FetchError::Paging(format!(
            "{}: a total of {total} connections would take more than {MAX_PAGES} pages of {page_size}",
            first.origin
        )));
    }
    let first_origin = first.origin.clone();
    let mut pages = 0usize;
    let mut distinct: HashSet<String> = HashSet::new();
    // Pages that arrived before the ones ahead of them, by offset.
    let mut early = BTreeMap::from([(0, first)]);
    let mut next_to_feed = 0;
    let mut offsets = (page_size..total).step_by(usize::try_from(page_size).unwrap_or(usize::MAX));
    let mut in_flight = JoinSet::new();
    loop {
        while let Some(page) = early.remove(&next_to_feed) {
            pages += 1;
            distinct.extend(page.ids);
            listing.add_body(&page.origin, page.body)?;
            next_to_feed += page_size;
        }
        // Pages waiting for a slow one ahead of them count against the
        // window too, so one stalled page cannot make the rest pile up.
        let window = paging.concurrency.max(1);
        while in_flight.len() < window && in_flight.len() + early.len() < 4 * window {
            let Some(offset) = offsets.next() else { break };
            let page = fetch_page(offset);
            in_flight.spawn(async move { (offset, page.await) });
        }
        let Some(joined) = in_flight.join_next().await else {
            break;
        };
        // Returning drops the set, which cancels the requests still in flight.
        let (offset, page) = joined.map_err(|error| {
            FetchError::Paging(format!("a page request ended abnormally: {error}"))
        })?;
        let page = page?;
        progress.page_fetched(page.ids.len());
        check_size(&page, page_size)?;
        if page.total != total {
            return Ok(Pass::Changed(format!(
                "{}: the total went from {total} to {} between the first page and the page at offset {offset}",
                page.origin, page.total
            )));
        }
        early.insert(offset, page);
    }
    if u64::try_from(distinct.len()).ok() != Some(total) {
        return Ok(Pass::Changed(format!(
            "{first_origin}: {pages} pages hold {} distinct connections but the total is {total}",
            distinct.len()
        )));
    }
    Ok(Pass::Whole)
}

/// A page holding more items than asked for is not paging as documented.
fn check_size(page: &OffsetPage, page_size: u64) -> Result<(), FetchError> {
    if u64::try_from(page.ids.len()).unwrap_or(u64::MAX) > page_size {
        return Err(FetchError::Paging(format!(
            "{}: {} connections on a page of at most {page_size}",
            page.origin,
            page.ids.len()
        )));
    }
    Ok(())
}

/// The ids of the items of the array at `pointer` in `body`: for each item
/// the first of `id_keys` that holds a non-empty string or a number.
/// `where_` (a JSON path such as `$.data`) names the array in errors.
pub fn page_ids(
    body: &Value,
    pointer: &str,
    where_: &str,
    id_keys: &[&str],
) -> Result<Vec<String>, String> {
    let items = match body.pointer(pointer) {
        Some(Value::Array(items)) => items,
        Some(Value::Null) => return Ok(Vec::new()),
        Some(_) => return Err(format!("{where_}: not an array")),
        None => return Err(format!("{where_}: missing")),
    };
    items
        .iter()
        .enumerate()
        .map(|(index, item)| {
            id_keys
                .iter()
                .find_map(|key| match item.get(key) {
                    Some(Value::String(id)) if !id.trim().is_empty() => Some(id.trim().to_string()),
                    Some(Value::Number(id)) => Some(id.to_string()),
                    _ => None,
                })
                .ok_or_else(|| format!("{where_}[{index}]: no {}", id_keys.join(" or ")))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicU64, Ordering};

    use serde_json::json;

    use super::*;
    use crate::provider::{ProviderKind, VecSink};

    type PageFuture =
        std::pin::Pin<Box<dyn Future<Output = Result<OffsetPage, FetchError>> + Send>>;

    /// A fake API over `ids`, answering offsets from pages of `size`;
    /// `total_of(call)` gives the total announced on each call.
    fn fake(
        ids: Vec<String>,
        size: usize,
        total_of: impl Fn(u64) -> u64 + Send + Sync + 'static,
    ) -> (Arc<AtomicU64>, impl Fn(u64) -> PageFuture) {
        let calls = Arc::new(AtomicU64::new(0));
        let counter = Arc::clone(&calls);
        let total_of = Arc::new(total_of);
        let fetch = move |offset: u64| {
            let call = counter.fetch_add(1, Ordering::SeqCst) + 1;
            let start = usize::try_from(offset).unwrap().min(ids.len());
            let page: Vec<String> = ids[start..(start + size).min(ids.len())].to_vec();
            let total = total_of(call);
            let body = json!({"Response": {"TotalCount": total, "RequestId": "r",
                "VpnConnectionSet": page.iter().map(|id| json!({"VpnConnectionId": id})).collect::<Vec<_>>()}});
            Box::pin(async move {
                if offset == 999 {
                    return Err(FetchError::Server("unreachable".into()));
                }
                Ok(OffsetPage {
                    origin: format!("fake offset {offset}"),
                    body,
                    total,
                    ids: page,
                })
            }) as PageFuture
        };
        (calls, fetch)
    }

    fn names(ids: &[&str]) -> Vec<String> {
        ids.iter().map(|id| id.to_string()).collect()
    }

    fn paging(size: u32) -> OffsetPaging {
        OffsetPaging {
            page_size: size,
            concurrency: 2,
        }
    }

    #[tokio::test]
    async fn pages_are_fetched_until_the_total() {
        let (calls, fetch) = fake(names(&["a", "b", "c", "d", "e"]), 2, |_| 5);
        let progress = SourceProgress::default();
        let mut listing = VecSink::new(ProviderKind::Tencent);
        list(paging(2), fetch, &progress, &mut listing)
            .await
            .unwrap();
        assert_eq!(calls.load(Ordering::SeqCst), 3);
        assert_eq!(listing.connection_count(), 5);
        assert_eq!((progress.pages(), progress.items()), (3, 5));
    }

    #[tokio::test]
    async fn pages_that_arrive_early_wait_for_the_ones_before_them() {
        let (_, fetch) = fake(names(&["a", "b", "c", "d", "e", "f", "g"]), 2, |_| 7);
        // The page at offset 2 answers last of all.
        let slow_second = move |offset: u64| {
            let page = fetch(offset);
            Box::pin(async move {
                if offset == 2 {
                    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                }
                page.await
            }) as PageFuture
        };
        let mut listing = VecSink::new(ProviderKind::Tencent);
        list(
            paging(2),
            slow_second,
            &SourceProgress::default(),
            &mut listing,
        )
        .await
        .unwrap();
        // The bodies in the order the sink took them.
        let ids: Vec<String> = listing
            .bodies
            .iter()
            .flat_map(|(_, body)| {
                let page = crate::provider::decode_page(ProviderKind::Tencent, body.clone());
                page.unwrap().connections
            })
            .map(|(_, object)| object["VpnConnectionId"].as_str().unwrap().to_string())
            .collect();
        assert_eq!(ids, ["a", "b", "c", "d", "e", "f", "g"]);
    }

    #[tokio::test]
    async fn an_empty_first_page_is_an_empty_listing() {
        let (calls, fetch) = fake(Vec::new(), 2, |_| 0);
        let mut listing = VecSink::new(ProviderKind::Tencent);
        list(paging(2), fetch, &SourceProgress::default(), &mut listing)
            .await
            .unwrap();
        assert_eq!(calls.load(Ordering::SeqCst), 1);
        assert_eq!(listing.connection_count(), 0);
    }

    #[tokio::test]
    async fn a_short_page_mid_stream_relists_then_fails() {
        // The total says 6 but only 5 ids exist: the last page is short.
        let (calls, fetch) = fake(names(&["a", "b", "c", "d", "e"]), 2, |_| 6);
        let mut listing = VecSink::new(ProviderKind::Tencent);
        let error = list(paging(2), fetch, &SourceProgress::default(), &mut listing)
            .await
            .unwrap_err();
        assert_eq!(calls.load(Ordering::SeqCst), 6);
        assert_eq!(
            error.to_string(),
            "inconsistent paging: fake offset 0: 3 pages hold 5 distinct connections but the total is 6; \
             listed 2 times and the estate changed during each listing, so this run has no complete \
             listing of the source (nothing is inferred from it)"
        );
        assert_eq!(listing.connection_count(), 0);
    }

    #[tokio::test]
    async fn a_total_that_moves_once_is_listed_again() {
        // The second call (the first listing's second page) sees one more.
        let (calls, fetch) = fake(
            names(&["a", "b", "c"]),
            2,
            |call| if call == 2 { 4 } else { 3 },
        );
        let mut listing = VecSink::new(ProviderKind::Tencent);
        list(paging(2), fetch, &SourceProgress::default(), &mut listing)
            .await
            .unwrap();
        assert_eq!(calls.load(Ordering::SeqCst), 4);
        assert_eq!(listing.connection_count(), 3);
    }

    #[tokio::test]
    async fn repeated_ids_across_pages_do_not_add_up() {
        let (_, fetch) = fake(names(&["a", "b", "b", "c"]), 2, |_| 4);
        let mut listing = VecSink::new(ProviderKind::Tencent);
        let error = list(paging(2), fetch, &SourceProgress::default(), &mut listing)
            .await
            .unwrap_err();
        assert!(matches!(error, FetchError::Paging(_)), "{error}");
        assert_eq!(listing.connection_count(), 0);
    }

    #[tokio::test]
    async fn a_failed_page_fails_the_listing() {
        // 1000 items in pages of 999: the page at offset 999 fails.
        let ids: Vec<String> = (0..1000).map(|n| format!("id-{n}")).collect();
        let (_, fetch) = fake(ids, 999, |_| 1000);
        let mut listing = VecSink::new(ProviderKind::Tencent);
        let error = list(paging(999), fetch, &SourceProgress::default(), &mut listing)
            .await
            .unwrap_err();
        assert!(matches!(error, FetchError::Server(_)), "{error}");
        assert_eq!(listing.connection_count(), 0);
    }

    #[test]
    fn ids_are_read_from_either_key() {
        let body = json!({"data": [{"unVpnConnId": "vpnx-1", "vpnConnId": 1}, {"vpnConnId": 2}]});
        assert_eq!(
            page_ids(&body, "/data", "$.data", &["unVpnConnId", "vpnConnId"]).unwrap(),
            ["vpnx-1", "2"]
        );
        let body = json!({"data": [{"unVpnConnId": ""}]});
        assert_eq!(
            page_ids(&body, "/data", "$.data", &["unVpnConnId", "vpnConnId"]).unwrap_err(),
            "$.data[0]: no unVpnConnId or vpnConnId"
        );
        assert_eq!(
            page_ids(&json!({}), "/data", "$.data", &["id"]).unwrap_err(),
            "$.data: missing"
        );
    }
}
