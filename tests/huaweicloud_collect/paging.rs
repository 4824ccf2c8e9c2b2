//! The paging checks, against a canned server that misbehaves in ways the
//! simulator does not: a marker that does not advance, pages beyond the
//! total, a short page mid-stream, counts that disagree.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use axum::extract::State;
use serde_json::{Value, json};
use vpnsnap::sim::SimServer;

use super::*;

/// Serves `pages` in turn (the last one again once they run out) and counts
/// the requests.
struct Canned {
    server: SimServer,
    served: Arc<AtomicUsize>,
}

fn canned(pages: Vec<Value>) -> Canned {
    let served = Arc::new(AtomicUsize::new(0));
    let state = (Arc::new(pages), Arc::clone(&served));
    let router = axum::Router::new()
        .fallback(
            |State((pages, served)): State<(Arc<Vec<Value>>, Arc<AtomicUsize>)>| async move {
                let index = served.fetch_add(1, Ordering::SeqCst);
                axum::Json(pages[index.min(pages.len() - 1)].clone())
            },
        )
        .with_state(state);
    Canned {
        server: SimServer::start(router).unwrap(),
        served,
    }
}

/// A list page of the connections `ids`, as the API shapes it.
fn page(ids: &[&str], next_marker: Option<&str>, total: u64) -> Value {
    let connections: Vec<Value> = ids
        .iter()
        .map(|id| json!({"id": id, "name": format!("vpn-{id}"), "status": "ACTIVE", "created_at": format!("2024-01-01T00:00:0{}.000Z", id.len())}))
        .collect();
    json!({
        "vpn_connections": connections,
        "page_info": {"next_marker": next_marker, "current_count": ids.len()},
        "request_id": "r",
        "total_count": total,
    })
}

fn run(canned: &Canned, filtered: bool) -> Collected {
    let mut source = source_at(canned.server.url(), 2);
    if filtered {
        settings(&mut source).vgw_id = Some("gw".to_string());
    }
    collect(&source)
}

fn paging_error(collected: &Collected) -> String {
    let (error, class) = failure(collected);
    assert_eq!(class, "paging", "{error}");
    error
}

#[test]
fn a_marker_that_does_not_advance_stops_the_listing() {
    let canned = canned(vec![
        page(&["a", "b"], Some("m1"), 9),
        page(&["c", "d"], Some("m1"), 9),
    ]);
    let error = paging_error(&run(&canned, false));
    assert!(error.ends_with("?limit=2&marker=m1: next_marker \"m1\" was already requested; the marker does not advance"), "{error}");
    assert_eq!(canned.served.load(Ordering::SeqCst), 2);
}

#[test]
fn more_pages_than_the_total_allows_is_an_error() {
    let canned = canned(vec![
        page(&["a", "b"], Some("m1"), 3),
        page(&["c", "d"], Some("m2"), 3),
    ]);
    let error = paging_error(&run(&canned, false));
    assert!(error.ends_with("4 connections over 2 pages, more than the total_count of 3: the server keeps returning pages"), "{error}");
    assert_eq!(canned.served.load(Ordering::SeqCst), 2);
}

#[test]
fn a_short_page_ends_the_listing_and_must_match_an_unfiltered_total() {
    let pages = vec![
        page(&["a", "b"], Some("m1"), 5),
        page(&["c"], Some("m2"), 5),
    ];
    let error = paging_error(&run(&canned(pages.clone()), false));
    assert!(error.ends_with("the listing ended after 3 connections over 2 pages but total_count is 5; if page_size (2) is above the endpoint's maximum limit, lower it"), "{error}");
    // Filtered, total_count still counts every connection of the project.
    let canned = canned(pages);
    assert_eq!(complete_ids(&run(&canned, true)), ["a", "b", "c"]);
    assert_eq!(canned.served.load(Ordering::SeqCst), 2);
}

#[test]
fn disagreeing_counts_and_a_missing_marker_are_errors() {
    let mut wrong_count = page(&["a"], Some("m1"), 1);
    wrong_count["page_info"]["current_count"] = json!(2);
    let error = paging_error(&run(&canned(vec![wrong_count]), false));
    assert!(
        error.ends_with("page_info.current_count is 2 but the page holds 1 connections"),
        "{error}"
    );

    let error = paging_error(&run(&canned(vec![page(&["a", "b"], None, 4)]), false));
    assert!(
        error.ends_with("a full page without page_info.next_marker; cannot ask for the next one"),
        "{error}"
    );

    let error = paging_error(&run(
        &canned(vec![page(&["a", "b", "c"], Some("m"), 4)]),
        false,
    ));
    assert!(
        error.ends_with("3 connections on a page asked for at most 2"),
        "{error}"
    );
}

#[test]
fn the_last_full_page_is_followed_by_an_empty_one() {
    let canned = canned(vec![page(&["a", "b"], Some("m1"), 2), page(&[], None, 2)]);
    assert_eq!(complete_ids(&run(&canned, false)), ["a", "b"]);
    assert_eq!(canned.served.load(Ordering::SeqCst), 2);
}

/// A customer-gateway list page of `ids`.
fn gateway_page(ids: &[&str], next_marker: Option<&str>, total: u64) -> Value {
    let gateways: Vec<Value> = ids
        .iter()
        .map(|id| json!({"id": id, "id_type": "ip", "id_value": "203.0.113.1"}))
        .collect();
    json!({
        "customer_gateways": gateways,
        "page_info": {"next_marker": next_marker, "current_count": ids.len()},
        "request_id": "r",
        "total_count": total,
    })
}

#[test]
fn customer_gateways_are_paged_with_the_same_checks() {
    let resolving = |canned: &Canned| {
        let mut source = source_at(canned.server.url(), 2);
        settings(&mut source).resolve_gateways = true;
        collect(&source)
    };
    let vpn_gateways = json!({"vpn_gateways": [], "request_id": "r"});
    // A short page mid-stream.
    let canned_short = canned(vec![
        vpn_gateways.clone(),
        gateway_page(&["g1", "g2"], Some("g2"), 5),
        gateway_page(&["g3"], Some("g3"), 5),
    ]);
    let error = paging_error(&resolving(&canned_short));
    assert!(
        error.ends_with(
            "the listing ended after 3 customer gateways over 2 pages but total_count is 5; if \
             page_size (2) is above the endpoint's maximum limit, lower it"
        ),
        "{error}"
    );
    assert!(
        error.contains("/customer-gateways?limit=2&marker=g2"),
        "{error}"
    );
    // A marker that does not advance.
    let canned_stuck = canned(vec![
        vpn_gateways,
        gateway_page(&["g1", "g2"], Some("g2"), 10),
    ]);
    let error = paging_error(&resolving(&canned_stuck));
    assert!(
        error.ends_with("next_marker \"g2\" was already requested; the marker does not advance"),
        "{error}"
    );
    assert_eq!(canned_stuck.served.load(Ordering::SeqCst), 3);
}

#[test]
fn gateways_the_lists_lack_are_shown_before_the_page_that_names_them() {
    // A connection created after the gateway lists were taken.
    let mut connection = page(&["a"], None, 1);
    connection["vpn_connections"][0]["cgw_id"] = json!("cgw-new");
    connection["vpn_connections"][0]["vgw_id"] = json!("vgw-new");
    connection["vpn_connections"][0]["vgw_ip"] = json!("eip-new");
    let canned = canned(vec![
        json!({"vpn_gateways": [], "request_id": "r"}),
        gateway_page(&[], None, 0),
        connection,
        json!({"vpn_gateway": {"id": "vgw-new", "eip1": {"id": "eip-new", "ip_address": "100.64.9.9"}}}),
        json!({"customer_gateway": {"id": "cgw-new", "id_type": "ip", "id_value": "203.0.113.50"}}),
    ]);
    let mut source = source_at(canned.server.url(), 2);
    settings(&mut source).resolve_gateways = true;
    let collected = collect(&source);
    assert_eq!(canned.served.load(Ordering::SeqCst), 5);
    let items = match &collected.result.outcome {
        vpnsnap::listing::SourceOutcome::Complete(items) => items.to_vec().unwrap(),
        other => panic!("{other:?}"),
    };
    let item = &items[0];
    assert_eq!(item.warnings, Vec::<String>::new());
    assert_eq!(
        item.connection.peer_address.as_deref(),
        Some("203.0.113.50")
    );
    assert_eq!(item.connection.gateway_ip.as_deref(), Some("100.64.9.9"));
}
