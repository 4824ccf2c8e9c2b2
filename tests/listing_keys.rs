//! Listing keys (migration V8): a listing passes over the connections
//! unchanged since their latest stored versions, and what it stores is
//! exactly what normalizing every connection stores.

use std::sync::Arc;

use serde_json::{Value, json};
use vpnsnap::listing::{
    ListingBuilder, ListingContext, ListingLimits, SourceOutcome, SourceResult,
};
use vpnsnap::provider::ProviderKind;
use vpnsnap::sim::huaweicloud::{Estate, generate_estate};
use vpnsnap::store::{RunKind, RunRecord, Store, StoreError};

use crate::support::*;

/// One run of `bodies` (JSON text) into `store` as an import makes it
/// (bodies added on one thread while the latest versions are read on
/// another); with `known`, passing over what the store's latest versions
/// say is unchanged. Returns how many connections were passed over.
pub(crate) fn run(
    store: &mut Store,
    known: bool,
    source: &str,
    kind: ProviderKind,
    day: u32,
    bodies: &[String],
) -> usize {
    let read = || {
        let mut builder = ListingBuilder::deferred(context(source, kind, day));
        for (index, body) in bodies.iter().enumerate() {
            builder.add_text(&format!("body {index}"), body.clone())?;
        }
        Ok(builder)
    };
    let result = vpnsnap::import::finish_knowing(read, || match known {
        true => store.known_versions(source),
        false => Ok(Default::default()),
    })
    .unwrap()
    .unwrap();
    write_result(store, result, day)
}

/// Adds `bodies` to `builder` and writes its listing into `store` as the
/// run of `day`. Returns how many connections were passed over.
pub(crate) fn write_listing(
    store: &mut Store,
    mut builder: ListingBuilder,
    day: u32,
    bodies: &[String],
) -> usize {
    for (index, body) in bodies.iter().enumerate() {
        builder
            .add_text(&format!("body {index}"), body.clone())
            .unwrap();
    }
    write_result(store, builder.finish().unwrap(), day)
}

/// Writes `result` into `store` as the run of `day`. Returns how many
/// connections were passed over.
fn write_result(store: &mut Store, result: SourceResult, day: u32) -> usize {
    let passed_over = match &result.outcome {
        SourceOutcome::Complete(listed) | SourceOutcome::Partial(listed) => listed
            .entries()
            .unwrap()
            .iter()
            .filter(|entry| entry.unchanged)
            .count(),
        SourceOutcome::Failed { .. } => 0,
    };
    let record = RunRecord {
        kind: RunKind::Import,
        started_at: at(day, 0),
        finished_at: at(day, 0),
        sources: vec![result],
    };
    store.write_run(&record, &fingerprinter()).unwrap();
    passed_over
}

pub(crate) fn context(source: &str, kind: ProviderKind, day: u32) -> ListingContext {
    ListingContext {
        source: source.into(),
        kind,
        region: Some("region-1".into()),
        account: Some("0a1b2c".into()),
        observed_at: at(day, 0),
        fingerprinter: fingerprinter(),
        limits: ListingLimits::default(),
    }
}

/// Everything stored, the listing keys (the dump's last table) aside.
pub(crate) fn history(store: &Store) -> Vec<Vec<String>> {
    dump(store)
        .into_iter()
        .take_while(|row| row.first().is_none_or(|cell| cell != "-- listing_keys"))
        .collect()
}

/// Two stores fed the same runs: one passing over what its keys say is
/// unchanged, one normalizing everything.
pub(crate) struct Pair {
    _dirs: (tempfile::TempDir, tempfile::TempDir),
    pub(crate) keyed: Store,
    plain: Store,
}

impl Pair {
    pub(crate) fn new() -> Pair {
        let (keyed_dir, keyed) = temp_store();
        let (plain_dir, plain) = temp_store();
        Pair {
            _dirs: (keyed_dir, plain_dir),
            keyed,
            plain,
        }
    }

    /// Runs `bodies` into both, checks they store the same history, and
    /// returns how many connections the keyed store passed over.
    pub(crate) fn run(
        &mut self,
        source: &str,
        kind: ProviderKind,
        day: u32,
        bodies: &[String],
    ) -> usize {
        let passed = run(&mut self.keyed, true, source, kind, day, bodies);
        assert_eq!(run(&mut self.plain, false, source, kind, day, bodies), 0);
        assert_eq!(history(&self.keyed), history(&self.plain), "run {day}");
        passed
    }
}

pub(crate) fn huawei_bodies(estate: &Estate) -> Vec<String> {
    vec![
        json!({"vpn_gateways": estate.vpn_gateways}).to_string(),
        json!({"customer_gateways": estate.customer_gateways, "total_count": estate.customer_gateways.len()})
            .to_string(),
        // Pretty-printed, as a saved file may be.
        serde_json::to_string_pretty(&json!({
            "vpn_connections": estate.connections,
            "page_info": {"current_count": estate.connections.len()},
            "total_count": estate.connections.len(),
            "request_id": "r-1",
        }))
        .unwrap(),
    ]
}

/// Edits between runs, and how many connections each leaves unchanged.
fn huawei_series() -> Vec<(Estate, usize)> {
    let mut estate = generate_estate(40, 7);
    // A connection naming a customer gateway that is not listed: it warns,
    // so it is normalized (and its warning reported) by every run.
    estate.connections[0]["cgw_id"] = json!("cgw-that-is-not-listed");
    let bgp: Vec<String> = estate
        .connections
        .iter()
        .filter(|connection| connection.get("bgp_peer").is_some())
        .map(|connection| connection["id"].as_str().unwrap().to_string())
        .collect();
    assert!(!bgp.is_empty(), "the generated estate has BGP connections");
    for id in &bgp {
        estate.get_mut(id).unwrap()["bgp_peer"]["num_message_sent"] = json!(0);
    }
    let mut series = vec![(estate.clone(), 0)];
    let all = 40 - 1;
    next(&mut series, &mut estate, &bgp, &|_| {}, all);
    next(
        &mut series,
        &mut estate,
        &bgp,
        &|estate| {
            for index in [3, 5] {
                let down = estate.connections[index]["status"] == "DOWN";
                estate.connections[index]["status"] = json!(if down { "ACTIVE" } else { "DOWN" });
            }
        },
        all - 2,
    );
    next(
        &mut series,
        &mut estate,
        &bgp,
        &|estate| {
            estate.connections.remove(10);
        },
        all - 1,
    );
    let removed = series[2].0.connections[10].clone();
    next(
        &mut series,
        &mut estate,
        &bgp,
        &|estate| estate.connections.push(removed.clone()),
        all - 1,
    );
    // A customer gateway renamed in place: the connections using it change.
    let gateway = series[0].0.connections[20]["cgw_id"]
        .as_str()
        .unwrap()
        .to_string();
    let using = series[0]
        .0
        .connections
        .iter()
        .filter(|connection| connection["cgw_id"] == gateway.as_str())
        .count();
    next(
        &mut series,
        &mut estate,
        &bgp,
        &|estate| {
            estate.customer_gateway_mut(&gateway).unwrap()["name"] = json!("renamed");
        },
        all - using,
    );
    next(&mut series, &mut estate, &bgp, &|_| {}, all);
    series
}

/// The next estate of a series: `edit` made, and the BGP connections'
/// message counters moved on (they change on every call, and change
/// nothing).
fn next(
    series: &mut Vec<(Estate, usize)>,
    estate: &mut Estate,
    bgp: &[String],
    edit: &dyn Fn(&mut Estate),
    unchanged: usize,
) {
    for id in bgp {
        let sent = series.len() * 7;
        if let Some(connection) = estate.get_mut(id) {
            connection["bgp_peer"]["num_message_sent"] = json!(sent);
        }
    }
    edit(estate);
    series.push((estate.clone(), unchanged));
}

#[test]
fn passing_over_unchanged_connections_stores_exactly_what_normalizing_them_stores() {
    let mut pair = Pair::new();
    for (day, (estate, unchanged)) in huawei_series().iter().enumerate() {
        let day = day as u32 + 1;
        let passed = pair.run("hw", ProviderKind::HuaweiCloud, day, &huawei_bodies(estate));
        assert_eq!(passed, *unchanged, "run {day}");
    }
    let keyed = &pair.keyed;
    // The BGP connections were passed over despite their counters.
    let bgp = rows(
        keyed,
        "SELECT count(*) FROM current_connections WHERE raw_json LIKE '%bgp_peer%'",
    );
    assert_ne!(bgp[0][0], "0");
    // Every live connection but the warning one has a key; the tombstoned
    // and recreated one has its new version's.
    let keys = rows(
        keyed,
        "SELECT count(*) FROM listing_keys k JOIN versions v ON v.connection = k.connection \
         AND v.valid_to IS NULL AND v.event <> 'deleted'",
    );
    assert_eq!(keys, vec![vec!["39".to_string()]]);
    let warned = rows(
        keyed,
        "SELECT warnings FROM run_sources ORDER BY run_id DESC LIMIT 1",
    );
    assert!(
        warned[0][0].contains("cgw-that-is-not-listed"),
        "{warned:?}"
    );
}

fn openstack_bodies(lifetime: u64, cidr: &str) -> Vec<String> {
    openstack_bodies_with(lifetime, cidr, "")
}

/// `padding` goes around the endpoint groups' subnet ids, which the
/// normalizer trims.
fn openstack_bodies_with(lifetime: u64, cidr: &str, padding: &str) -> Vec<String> {
    let read = |name: &str| -> Value {
        serde_json::from_str(
            &std::fs::read_to_string(fixture(&format!("openstack/{name}.json"))).unwrap(),
        )
        .unwrap()
    };
    let mut list = read("003_list");
    let first = list["ipsec_site_connections"][0].clone();
    let connections: Vec<Value> = (0..6)
        .map(|index| {
            let mut connection = first.clone();
            connection["id"] = json!(format!("os-conn-{index}"));
            connection["name"] = json!(format!("os-{index}"));
            connection
        })
        .collect();
    list["ipsec_site_connections"] = json!(connections);
    let mut ike = read("ikepolicies");
    for policy in ike["ikepolicies"].as_array_mut().unwrap() {
        policy["lifetime"]["value"] = json!(lifetime);
    }
    let mut subnets = read("subnets");
    subnets["subnets"][0]["cidr"] = json!(cidr);
    let mut groups = read("endpoint_groups");
    for group in groups["endpoint_groups"].as_array_mut().unwrap() {
        if group["type"] == "subnet" {
            for endpoint in group["endpoints"].as_array_mut().unwrap() {
                *endpoint = json!(format!("{padding}{}{padding}", endpoint.as_str().unwrap()));
            }
        }
    }
    // Referenced objects after the page, as saved files may hold them.
    vec![
        list.to_string(),
        ike.to_string(),
        read("ipsecpolicies").to_string(),
        read("vpnservices").to_string(),
        groups.to_string(),
        subnets.to_string(),
    ]
}

#[test]
fn a_referenced_object_that_changes_makes_its_connections_normalized_again() {
    let mut pair = Pair::new();
    let series = [
        (openstack_bodies(3600, "10.1.0.0/24"), 0),
        (openstack_bodies(3600, "10.1.0.0/24"), 6),
        (openstack_bodies(7200, "10.1.0.0/24"), 0),
        (openstack_bodies(7200, "10.1.0.0/24"), 6),
        (openstack_bodies(7200, "10.2.0.0/24"), 0),
        (openstack_bodies(7200, "10.2.0.0/24"), 6),
    ];
    for (day, (bodies, unchanged)) in series.iter().enumerate() {
        let day = day as u32 + 1;
        let passed = pair.run("os", ProviderKind::OpenStack, day, bodies);
        assert_eq!(passed, *unchanged, "run {day}");
    }
    let keyed = &pair.keyed;
    // The policy and the subnet each made a version of every connection.
    let versions = rows(keyed, "SELECT count(*) FROM versions");
    assert_eq!(versions, vec![vec!["18".to_string()]]);
}

#[test]
fn a_subnet_named_with_spaces_around_its_id_still_counts_in_the_key() {
    // The normalizer trims an endpoint group's subnet ids before looking
    // them up: the key must cover the subnet found that way.
    let mut pair = Pair::new();
    let series = [
        (openstack_bodies_with(3600, "10.1.0.0/24", " "), 0),
        (openstack_bodies_with(3600, "10.1.0.0/24", " "), 6),
        (openstack_bodies_with(3600, "10.9.0.0/24", " "), 0),
    ];
    for (day, (bodies, unchanged)) in series.iter().enumerate() {
        let day = day as u32 + 1;
        let passed = pair.run("os", ProviderKind::OpenStack, day, bodies);
        assert_eq!(passed, *unchanged, "run {day}");
    }
    let keyed = &pair.keyed;
    let local = rows(
        keyed,
        "SELECT DISTINCT local_subnets FROM current_connections",
    );
    assert_eq!(local, vec![vec!["[\"10.9.0.0/24\"]".to_string()]]);
}

#[test]
fn a_database_without_keys_gets_them_by_the_next_run_and_passes_over_after() {
    let (_dir, mut store) = temp_store();
    let bodies = huawei_bodies(&huawei_series()[0].0);
    run(
        &mut store,
        false,
        "hw",
        ProviderKind::HuaweiCloud,
        1,
        &bodies,
    );
    // As after migration V8, or for a connection whose key was dropped.
    store
        .sqlite()
        .execute("DELETE FROM listing_keys", [])
        .unwrap();
    let before = history(&store);
    assert_eq!(
        run(
            &mut store,
            true,
            "hw",
            ProviderKind::HuaweiCloud,
            2,
            &bodies
        ),
        0
    );
    assert_eq!(
        run(
            &mut store,
            true,
            "hw",
            ProviderKind::HuaweiCloud,
            3,
            &bodies
        ),
        39
    );
    // Nothing but the runs was written.
    let versions = |store: &Store| rows(store, "SELECT * FROM versions ORDER BY id");
    assert_eq!(versions(&store), {
        let (_other_dir, mut other) = temp_store();
        run(
            &mut other,
            false,
            "hw",
            ProviderKind::HuaweiCloud,
            1,
            &bodies,
        );
        versions(&other)
    });
    assert!(before.len() < history(&store).len());
}

#[test]
fn a_listing_taken_before_another_writer_stored_the_source_is_refused_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("history.db");
    let mut store = Store::open(&path).unwrap();
    let series = huawei_series();
    let first = huawei_bodies(&series[0].0);
    run(
        &mut store,
        false,
        "hw",
        ProviderKind::HuaweiCloud,
        1,
        &first,
    );
    // The listing passes over connections as of run 1 ...
    let known = Arc::new(store.known_versions("hw").unwrap());
    let mut builder =
        ListingBuilder::deferred_knowing(context("hw", ProviderKind::HuaweiCloud, 3), known);
    for (index, body) in first.iter().enumerate() {
        builder
            .add_text(&format!("body {index}"), body.clone())
            .unwrap();
    }
    let listing = builder.finish().unwrap();
    // ... while another connection (no lock: a program of the user's own)
    // stores a change to one of them.
    let mut other = Store::open(&path).unwrap();
    run(
        &mut other,
        false,
        "hw",
        ProviderKind::HuaweiCloud,
        2,
        &huawei_bodies(&series[2].0),
    );
    let before = dump(&store);
    let record = RunRecord {
        kind: RunKind::Import,
        started_at: at(3, 0),
        finished_at: at(3, 0),
        sources: vec![listing],
    };
    let error = store.write_run(&record, &fingerprinter()).unwrap_err();
    assert!(matches!(error, StoreError::StaleListing { .. }), "{error}");
    assert!(error.to_string().contains("run again"), "{error}");
    assert_eq!(dump(&store), before);
}

#[test]
fn a_large_listing_keyed_on_two_threads_passes_over_the_same_connections() {
    // From 2,000 connections an import prepares the texts on two threads
    // (keyed, and normalized unless passed over) before adding them in
    // order.
    let mut estate = generate_estate(2_500, 11);
    let mut pair = Pair::new();
    let mut expected = 0;
    for day in 1..=3 {
        if day == 3 {
            for index in [0, 1_249, 1_250, 2_499] {
                estate.connections[index]["name"] = json!(format!("renamed-{index}"));
            }
        }
        let bodies = huawei_bodies(&estate);
        let passed = pair.run("hw", ProviderKind::HuaweiCloud, day, &bodies);
        assert_eq!(passed, expected, "run {day}");
        expected = if day == 1 { 2_500 } else { 2_500 - 4 };
    }
}

#[test]
fn a_key_left_behind_by_a_writer_that_does_not_keep_keys_is_not_used() {
    // An earlier vpnsnap (a rollback) writes versions without touching the
    // keys: the key left behind names a version that is no longer the
    // latest, and must not pass over a connection that went back to it.
    let estate = generate_estate(3, 5);
    let mut down = estate.clone();
    down.connections[0]["status"] = json!("DOWN");
    let (_keyed_dir, mut keyed) = temp_store();
    let (_plain_dir, mut plain) = temp_store();
    let runs = [&estate, &down, &estate];
    let mut first_keys = Vec::new();
    for (day, estate) in runs.iter().enumerate() {
        let day = day as u32 + 1;
        if day == 2 {
            first_keys = rows(
                &keyed,
                "SELECT connection, version_id, hex(listing_key) FROM listing_keys",
            );
        }
        let bodies = huawei_bodies(estate);
        let passed = run(
            &mut keyed,
            true,
            "hw",
            ProviderKind::HuaweiCloud,
            day,
            &bodies,
        );
        run(
            &mut plain,
            false,
            "hw",
            ProviderKind::HuaweiCloud,
            day,
            &bodies,
        );
        if day == 2 {
            // As if the older writer had stored run 2: its keys are run 1's.
            for row in &first_keys {
                keyed
                    .sqlite()
                    .execute(
                        "UPDATE listing_keys SET version_id = ?2, listing_key = unhex(?3) \
                         WHERE connection = ?1",
                        rusqlite::params![row[0], row[1], row[2]],
                    )
                    .unwrap();
            }
        }
        if day == 3 {
            assert_eq!(passed, 2, "the connection that went back is normalized");
        }
        assert_eq!(history(&keyed), history(&plain), "run {day}");
    }
    let statuses = rows(
        &keyed,
        "SELECT status FROM current_connections ORDER BY connection_id",
    );
    assert!(!statuses.iter().any(|row| row[0] == "DOWN"), "{statuses:?}");
}

/// A fault injected before any one of a keyed run's writes (versions,
/// tombstone, listing keys stored and deleted, the run's rows) leaves the
/// database exactly as it was; without faults the same listing is stored.
#[test]
fn a_fault_at_any_write_of_a_keyed_run_leaves_the_database_as_it_was() {
    let (_dir, mut store) = temp_store();
    let series = huawei_series();
    run(
        &mut store,
        true,
        "hw",
        ProviderKind::HuaweiCloud,
        1,
        &huawei_bodies(&series[0].0),
    );
    // Two connections change (new keys), one is gone (its key deleted).
    let mut estate = series[0].0.clone();
    for index in [3, 5] {
        let down = estate.connections[index]["status"] == "DOWN";
        estate.connections[index]["status"] = json!(if down { "ACTIVE" } else { "DOWN" });
    }
    estate.connections.remove(10);
    let bodies = huawei_bodies(&estate);
    let read = || {
        let mut builder = ListingBuilder::deferred(context("hw", ProviderKind::HuaweiCloud, 2));
        for (index, body) in bodies.iter().enumerate() {
            builder.add_text(&format!("body {index}"), body.clone())?;
        }
        Ok(builder)
    };
    let result = vpnsnap::import::finish_knowing(read, || store.known_versions("hw"))
        .unwrap()
        .unwrap();
    let record = RunRecord {
        kind: RunKind::Import,
        started_at: at(2, 0),
        finished_at: at(2, 0),
        sources: vec![result],
    };
    let before = dump(&store);
    let mut faults = 0;
    let summary = loop {
        store.inject_fault_after_writes(faults);
        match store.write_run(&record, &fingerprinter()) {
            Err(StoreError::InjectedFault(_)) => {
                assert_eq!(dump(&store), before, "fault after {faults} writes");
                faults += 1;
            }
            Ok(summary) => break summary,
            Err(other) => panic!("fault after {faults} writes: {other}"),
        }
    };
    let source = &summary.sources[0];
    assert_eq!((source.changed, source.deleted), (2, 1));
    // The run's row, the source's, two versions superseded and written with
    // their raw JSON and changes, a tombstone and its superseding, and two
    // statements of listing keys: more than a dozen places to fail.
    assert!(faults > 12, "{faults}");
    let keys = rows(
        &store,
        "SELECT count(*) FROM listing_keys k JOIN versions v ON v.id = k.version_id \
         AND v.valid_to IS NULL",
    );
    assert_eq!(keys, vec![vec!["38".to_string()]]);
}
