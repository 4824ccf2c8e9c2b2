//! A collection passes over the connections unchanged since the stored
//! versions, through the HTTP path (bodies parsed as they come, normalized
//! on the listing's own thread).

use std::sync::Arc;

use serde_json::json;
use vpnsnap::collector;
use vpnsnap::listing::SourceOutcome;
use vpnsnap::provider::SourceProgress;
use vpnsnap::time::Timestamp;

use super::*;

/// Collects `source` as a run does: with the store's listing keys.
fn collect_knowing(store: &mut Store, source: &SourceConfig) -> (Collected, usize) {
    let known = Arc::new(store.known_versions(&source.name).unwrap());
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let mut collected = None;
    runtime
        .block_on(collector::collect(
            std::slice::from_ref(source),
            &options(2),
            Arc::new(fingerprinter()),
            &[Arc::new(SourceProgress::default())],
            &[known],
            Some(Timestamp::now()),
            |_, result| {
                collected = Some(result);
                Ok::<(), ()>(())
            },
        ))
        .unwrap();
    let collected = collected.unwrap();
    let passed = match &collected.result.outcome {
        SourceOutcome::Complete(listed) => listed
            .entries()
            .unwrap()
            .iter()
            .filter(|entry| entry.unchanged)
            .count(),
        other => panic!("expected a complete listing, got {other:?}"),
    };
    (collected, passed)
}

#[test]
fn a_collection_passes_over_what_has_not_changed_and_stores_what_has() {
    let sim = sim(30);
    let mut source = source(&sim, 7);
    // Gateways resolved: referenced objects are part of the keys.
    settings(&mut source).resolve_gateways = true;
    let (_dir, mut store) = temp_store();
    let (first, passed) = collect_knowing(&mut store, &source);
    assert_eq!(passed, 0);
    store_run(&mut store, first);
    let (second, passed) = collect_knowing(&mut store, &source);
    assert_eq!(passed, 30);
    let summary = store_run(&mut store, second);
    assert_eq!(summary.sources[0].versions_written(), 0);

    // One connection changes, and one customer gateway is renamed.
    let (changed, gateway) = sim.with_estate(|estate| {
        let changed = estate.connections[4]["id"].as_str().unwrap().to_string();
        estate.connections[4]["name"] = json!("renamed-connection");
        let gateway = estate.connections[9]["cgw_id"]
            .as_str()
            .unwrap()
            .to_string();
        estate.customer_gateway_mut(&gateway).unwrap()["name"] = json!("renamed-gateway");
        (changed, gateway)
    });
    let using = sim.with_estate(|estate| {
        estate
            .connections
            .iter()
            .filter(|connection| connection["cgw_id"] == gateway.as_str())
            .filter(|connection| connection["id"] != changed.as_str())
            .count()
    });
    let (third, passed) = collect_knowing(&mut store, &source);
    assert_eq!(passed, 30 - 1 - using);
    let summary = store_run(&mut store, third);
    assert_eq!(summary.sources[0].changed, 1 + using);
    let (fourth, passed) = collect_knowing(&mut store, &source);
    assert_eq!(passed, 30);
    store_run(&mut store, fourth);
}
