//! An import of 2,000 connections or more prepares them on two threads
//! (keyed, and parsed and normalized unless passed over) and adds them in
//! listing order: what it stores, warns of and fails with is what one
//! thread gives. One thread here is a streaming builder, which normalizes
//! each body's connections in order as the body comes.

use std::sync::Arc;

use serde_json::json;
use vpnsnap::listing::ListingBuilder;
use vpnsnap::provider::ProviderKind;
use vpnsnap::sim::huaweicloud::{Estate, generate_estate};
use vpnsnap::store::Store;

use crate::listing_keys::{Pair, context, huawei_bodies, write_listing};
use crate::support::*;

/// A run of `bodies` into `store` through a streaming builder (one thread),
/// passing over what the store's latest versions say is unchanged.
fn one_thread_run(store: &mut Store, day: u32, bodies: &[String]) -> usize {
    let known = Arc::new(store.known_versions("hw").unwrap());
    let builder =
        ListingBuilder::streaming_knowing(context("hw", ProviderKind::HuaweiCloud, day), known)
            .unwrap();
    write_listing(store, builder, day, bodies)
}

/// The error a listing of `bodies` fails with, on two threads (a deferred
/// builder) or one (a streaming builder).
fn listing_error(two_threads: bool, bodies: &[String]) -> String {
    let context = context("hw", ProviderKind::HuaweiCloud, 1);
    let mut builder = match two_threads {
        true => ListingBuilder::deferred(context),
        false => ListingBuilder::streaming(context).unwrap(),
    };
    for (index, body) in bodies.iter().enumerate() {
        // A streaming builder may return its error from a later body.
        if let Err(error) = builder.add_text(&format!("body {index}"), body.clone()) {
            return error.to_string();
        }
    }
    builder.finish().unwrap_err().to_string()
}

#[test]
fn a_large_listing_prepared_on_two_threads_stores_and_warns_as_one_thread() {
    let mut estate = generate_estate(2_500, 13);
    // Connections that warn, two of them at the ends of neighbouring
    // chunks (prepared at once by the two threads) and one late: every run
    // reports them, in listing order.
    for index in [63, 64, 2_400] {
        estate.connections[index]["cgw_id"] = json!(format!("cgw-not-listed-{index}"));
    }
    let bgp: Vec<usize> = (0..estate.connections.len())
        .filter(|index| estate.connections[*index].get("bgp_peer").is_some())
        .collect();
    assert!(bgp.len() > 100, "{}", bgp.len());
    for index in &bgp {
        estate.connections[*index]["bgp_peer"]["num_message_sent"] = json!(0);
    }
    let mut pair = Pair::new();
    let (_dir, mut one_thread) = temp_store();
    for day in 1..=3 {
        match day {
            2 => {
                for index in [0, 1_249, 1_250, 2_499] {
                    estate.connections[index]["name"] = json!(format!("renamed-{index}"));
                }
                // Volatile counters: the texts differ, the value keys do not.
                for index in &bgp {
                    estate.connections[*index]["bgp_peer"]["num_message_sent"] = json!(day);
                }
            }
            3 => {
                estate.connections.remove(1_700);
                estate.connections[2_000]["name"] = json!("renamed-again");
            }
            _ => {}
        }
        let bodies = huawei_bodies(&estate);
        let passed = pair.run("hw", ProviderKind::HuaweiCloud, day, &bodies);
        assert_eq!(one_thread_run(&mut one_thread, day, &bodies), passed);
        let expected = match day {
            1 => 0,
            2 => 2_500 - 3 - 4,
            _ => 2_499 - 3 - 1,
        };
        assert_eq!(passed, expected, "run {day}");
        // Keys included.
        assert_eq!(dump(&one_thread), dump(&pair.keyed), "run {day}");
    }
    let warnings = rows(
        &pair.keyed,
        "SELECT warnings FROM run_sources ORDER BY run_id DESC LIMIT 1",
    );
    let places: Vec<usize> = [
        "cgw-not-listed-63",
        "cgw-not-listed-64",
        "cgw-not-listed-2400",
    ]
    .iter()
    .map(|gateway| warnings[0][0].find(gateway).unwrap())
    .collect();
    assert!(places.is_sorted(), "{warnings:?}");
}

#[test]
fn a_large_listing_prepared_on_two_threads_fails_at_its_first_error_in_order() {
    let estate = generate_estate(2_500, 17);
    let with = |edit: &dyn Fn(&mut Estate)| {
        let mut estate = estate.clone();
        edit(&mut estate);
        huawei_bodies(&estate)
    };
    let unnamed = |estate: &mut Estate, index: usize| estate.connections[index]["id"] = json!("");
    let missing_id = |index: usize| {
        format!(
            "body 2: not a huaweicloud response body: $.vpn_connections[{index}].id: missing \
             connection id (a non-empty string)"
        )
    };
    let fails = |bodies: &[String], expected: &str| {
        assert_eq!(listing_error(true, bodies), expected);
        assert_eq!(listing_error(false, bodies), expected);
    };
    // Undecodable connections at the end of one chunk of 64 and the start
    // of the next, which the other thread meets first: the first in order.
    fails(
        &with(&|estate| {
            unnamed(estate, 704);
            unnamed(estate, 703);
        }),
        &missing_id(703),
    );
    // Far apart, in each half: the first half's.
    fails(
        &with(&|estate| {
            unnamed(estate, 2_100);
            unnamed(estate, 700);
        }),
        &missing_id(700),
    );
    // One in the second half only.
    fails(&with(&|estate| unnamed(estate, 2_100)), &missing_id(2_100));
    // A conflict (a connection listed twice, with other content) before an
    // undecodable connection: the conflict.
    fails(
        &with(&|estate| {
            let mut twin = estate.connections[300].clone();
            twin["name"] = json!("twin");
            estate.connections[1_000] = twin;
            unnamed(estate, 1_900);
        }),
        &format!(
            "body 2 and body 2 both hold connection {:?} with different content; one listing \
             holds each connection once",
            estate.connections[300]["id"].as_str().unwrap()
        ),
    );
}
