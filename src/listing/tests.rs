//! The listing builder's unit tests: both builders alike, error classes,
//! the limits, resets and bodies that do not decode.

use serde_json::json;

use super::*;

fn context() -> ListingContext {
    ListingContext {
        source: "hw".into(),
        kind: ProviderKind::HuaweiCloud,
        region: Some("cn-north-4".into()),
        account: None,
        observed_at: Timestamp::parse_rfc3339("2026-01-01T00:00:00Z").unwrap(),
        fingerprinter: PskFingerprinter::new(b"test"),
        limits: ListingLimits::default(),
    }
}

fn page(ids: &[&str]) -> Value {
    let connections: Vec<Value> = ids
        .iter()
        .map(|id| json!({"id": id, "name": format!("vpn-{id}"), "status": "ACTIVE", "psk": "secret"}))
        .collect();
    json!({ "vpn_connections": connections })
}

fn listed_ids(result: SourceResult) -> Vec<String> {
    match result.outcome {
        SourceOutcome::Complete(listed) => listed
            .keys()
            .unwrap()
            .into_iter()
            .map(|(id, _)| id)
            .collect(),
        other => panic!("expected a complete listing, got {other:?}"),
    }
}

#[test]
fn a_streaming_builder_gives_what_a_deferred_one_gives() {
    let pages = [page(&["b", "a"]), page(&["c", "a"])];
    let mut deferred = ListingBuilder::deferred(context());
    let mut threaded = ListingBuilder::streaming(context()).unwrap();
    for (index, body) in pages.iter().enumerate() {
        deferred
            .add_body(&format!("page {index}"), body.clone())
            .unwrap();
        threaded
            .add_body(&format!("page {index}"), body.clone())
            .unwrap();
    }
    let deferred = listed_ids(deferred.finish().unwrap());
    let threaded = threaded.finish().unwrap();
    assert_eq!(listed_ids(threaded), deferred);
    assert_eq!(deferred, ["b", "a", "c"]);
}

#[test]
fn listing_errors_keep_their_error_class_through_fetch_error() {
    let class = |error: ListingError| FetchError::from(error).class();
    assert_eq!(class(ListingError::Stopped), "local");
    assert_eq!(class(ListingError::Panicked), "local");
    assert_eq!(
        class(ListingError::NoConnections {
            kind: ProviderKind::OpenStack
        }),
        "decode"
    );
    let conflict = ListingError::Conflict {
        first: "a".into(),
        second: "b".into(),
        connection_id: "c".into(),
    };
    assert_eq!(class(conflict), "decode");
    let undecodable = UndecodableBody {
        origin: "page 1".into(),
        kind: ProviderKind::Tencent,
        error: crate::provider::DecodeError::new("$", "not an object"),
    };
    assert_eq!(
        FetchError::from(undecodable).to_string(),
        "page 1: not a tencent response body: $: not an object"
    );
    assert_eq!(
        class(ListingError::Decode(UndecodableBody {
            origin: "page 2".into(),
            kind: ProviderKind::Tencent,
            error: crate::provider::DecodeError::new("$", "x"),
        })),
        "decode"
    );
}

#[test]
fn a_listing_stops_at_its_page_and_object_limits() {
    let limited = |max_pages, max_objects| ListingContext {
        limits: ListingLimits {
            max_pages,
            max_objects,
            ..ListingLimits::default()
        },
        ..context()
    };
    // Pages: every body counts, resets do not give them back.
    let mut listing = ListingBuilder::deferred(limited(3, 100));
    listing.add_body("p1", page(&["a"])).unwrap();
    listing.reset().unwrap();
    listing.add_body("p2", page(&["b"])).unwrap();
    listing.add_body("p3", page(&["c"])).unwrap();
    let error = listing.add_body("p4", page(&["d"])).unwrap_err();
    assert_eq!(
        error.to_string(),
        "more than 3 response bodies in one listing (max_pages): the server's paging does \
         not end"
    );
    assert_eq!(FetchError::from(error).class(), "paging");
    // Objects of one collection, on the normalizer's thread too.
    let mut listing = ListingBuilder::streaming(limited(100, 5)).unwrap();
    listing.add_body("p1", page(&["a", "b", "c"])).unwrap();
    let error = listing
        .add_body("p2", page(&["d", "e", "f"]))
        .err()
        .or_else(|| listing.finish().err())
        .expect("past the object limit");
    assert_eq!(
        error.to_string(),
        "more than 5 huaweicloud connections in one listing (max_objects): the server's \
         paging does not end"
    );
}

#[test]
fn referenced_objects_stop_a_listing_at_its_memory_limit_whatever_their_count() {
    // Three IKE policies of 4 KiB each: far below max_objects, but past a
    // limit of 10 KiB on the third.
    let limited = ListingContext {
        source: "os".into(),
        kind: ProviderKind::OpenStack,
        limits: ListingLimits {
            max_referenced_bytes: 10 * 1024,
            ..ListingLimits::default()
        },
        ..context()
    };
    let policies = |first: usize, count: usize| {
        let objects: Vec<Value> = (first..first + count)
            .map(|n| json!({"id": format!("ike-{n}"), "description": "x".repeat(4096)}))
            .collect();
        json!({ "ikepolicies": objects })
    };
    let url = |n: usize| format!("https://neutron.example/v2.0/vpn/ikepolicies?limit=1&page={n}");
    for builder in [
        ListingBuilder::deferred(limited.clone()),
        ListingBuilder::streaming(limited.clone()).unwrap(),
    ] {
        let mut listing = builder;
        listing.add_body(&url(1), policies(0, 2)).unwrap();
        // A reset gives the memory back: two more fit again.
        listing.reset().unwrap();
        listing.add_body(&url(1), policies(0, 1)).unwrap();
        listing.add_body(&url(2), policies(1, 1)).unwrap();
        let error = listing
            .add_body(&url(3), policies(2, 1))
            .err()
            .or_else(|| listing.finish().err())
            .expect("past the memory limit");
        assert_eq!(
            error.to_string(),
            format!(
                "the referenced objects (OpenStack policies, vpnservices, endpoint groups, \
                 subnets; Huawei Cloud gateways) of one listing take more than 10240 bytes of memory (max_referenced_bytes) after {}: \
                 the server's collections are too large or do not end",
                url(3)
            )
        );
        assert_eq!(FetchError::from(error).class(), "too_large");
    }
}

#[test]
fn a_reset_discards_what_the_thread_was_given_before_it() {
    let mut threaded = ListingBuilder::streaming(context()).unwrap();
    threaded.add_body("first pass", page(&["x", "y"])).unwrap();
    threaded.reset().unwrap();
    threaded.add_body("second pass", page(&["z"])).unwrap();
    let result = threaded.finish().unwrap();
    assert_eq!(listed_ids(result), ["z"]);
}

#[test]
fn a_body_that_does_not_decode_fails_a_later_add_or_the_finish() {
    let mut threaded = ListingBuilder::streaming(context()).unwrap();
    threaded
        .add_body("https://vpn.example/bad", json!({"unexpected": []}))
        .unwrap();
    // The thread stops at the error; it surfaces once the channel closes.
    let mut error = None;
    for _ in 0..100 {
        if let Err(failed) = threaded.add_body("next", page(&["a"])) {
            error = Some(failed);
            break;
        }
    }
    let error = match error {
        Some(error) => error,
        None => threaded.finish().unwrap_err(),
    };
    assert!(
        matches!(&error, ListingError::Decode(body) if body.origin == "https://vpn.example/bad"),
        "{error}"
    );
}

#[test]
fn a_split_list_body_fails_as_the_whole_body_parsed_at_once_fails() {
    // The connections of a list body given as text are taken out without
    // being parsed; one that does not parse must fail the listing with the
    // whole body's error, and one too deep for the whole body too.
    let deep = format!(
        r#"{{"vpn_connections":[{{"id":"a","x":{}{}}}]}}"#,
        "[".repeat(126),
        "]".repeat(126)
    );
    let bodies = [
        r#"{"vpn_connections":[{"id":"a","name":"\ud800"}]}"#.to_string(),
        r#"{"vpn_connections":[{"id":"a","mtu":1e999}]}"#.to_string(),
        r#"{"vpn_connections": [{"id": "a"}, {"id": "b", "name": "x" "y"}]}"#.to_string(),
        deep,
    ];
    for body in bodies {
        let whole = serde_json::from_str::<Value>(&body).unwrap_err();
        let expected = format!(
            "saved.json: invalid JSON at line {}, column {}: {}",
            whole.line(),
            whole.column(),
            whole.to_string().split(" at line ").next().unwrap()
        );
        let mut builder = ListingBuilder::deferred(context());
        let error = builder
            .add_text("saved.json", body.clone())
            .and_then(|()| builder.finish().map(drop))
            .unwrap_err();
        assert_eq!(error.to_string(), expected, "{body}");
    }
    // Around serde_json's nesting limit, a split body parses exactly when
    // the whole body does.
    let mut outcomes = Vec::new();
    for depth in 120..130 {
        let body = format!(
            r#"{{"vpn_connections":[{{"id":"a","x":{}{}}}]}}"#,
            "[".repeat(depth),
            "]".repeat(depth)
        );
        let whole = serde_json::from_str::<Value>(&body).is_ok();
        let mut builder = ListingBuilder::deferred(context());
        let split = builder
            .add_text("saved.json", body)
            .and_then(|()| builder.finish().map(drop))
            .is_ok();
        assert_eq!(split, whole, "depth {depth}");
        outcomes.push(whole);
    }
    assert!(outcomes.contains(&true) && outcomes.contains(&false));
}

/// The whole-body JSON error of `body` as the listing reports it.
fn whole_body_error(origin: &str, body: &str) -> String {
    let whole = serde_json::from_str::<Value>(body).unwrap_err();
    format!(
        "{origin}: invalid JSON at line {}, column {}: {}",
        whole.line(),
        whole.column(),
        whole.to_string().split(" at line ").next().unwrap()
    )
}

#[test]
fn a_malformed_split_body_fails_with_its_json_error_before_any_other() {
    // Connections that fail otherwise (a conflict, a missing id) in the
    // same body or an earlier file: the malformed body's JSON error is
    // reported, as when a body that is not JSON was refused whole.
    let conflict =
        r#"{"vpn_connections":[{"id":"a","name":"x"},{"id":"a","name":"y"},{"id":"b",}]}"#;
    let no_id = r#"{"vpn_connections":[{"name":"x"},{"id":"b" "c"}]}"#;
    for body in [conflict, no_id] {
        let mut builder = ListingBuilder::deferred(context());
        builder.add_text("saved.json", body.to_string()).unwrap();
        let error = builder.finish().map(drop).unwrap_err();
        assert_eq!(error.to_string(), whole_body_error("saved.json", body));
    }
    let earlier = r#"{"vpn_connections":[{"name":"x"}]}"#;
    let malformed = r#"{"vpn_connections":[{"id":"b",}]}"#;
    let mut builder = ListingBuilder::deferred(context());
    builder.add_text("one.json", earlier.to_string()).unwrap();
    builder.add_text("two.json", malformed.to_string()).unwrap();
    let error = builder.finish().map(drop).unwrap_err();
    assert_eq!(error.to_string(), whole_body_error("two.json", malformed));
    // Listed as they come (a collection), likewise.
    let mut builder = ListingBuilder::streaming(context()).unwrap();
    let error = match builder.add_text("page", conflict.to_string()) {
        Err(error) => error,
        Ok(()) => builder.finish().map(drop).unwrap_err(),
    };
    assert_eq!(error.to_string(), whole_body_error("page", conflict));
}

#[test]
fn a_split_list_body_lists_what_the_parsed_body_lists() {
    let body = page(&["a", "b", "c"]);
    let text = serde_json::to_string_pretty(&body).unwrap();
    let mut split = ListingBuilder::deferred(context());
    split.add_text("page.json", text).unwrap();
    let mut parsed = ListingBuilder::deferred(context());
    parsed.add_body("page.json", body).unwrap();
    let (split, parsed) = (split.finish().unwrap(), parsed.finish().unwrap());
    let items = |result: SourceResult| match result.outcome {
        SourceOutcome::Complete(listed) => listed.to_vec().unwrap(),
        other => panic!("expected a complete listing, got {other:?}"),
    };
    let (split, parsed) = (items(split), items(parsed));
    assert_eq!(split.len(), 3);
    for (split, parsed) in split.iter().zip(&parsed) {
        assert_eq!(split.raw_json, parsed.raw_json);
        assert_eq!(split.content_hash, parsed.content_hash);
    }
}

#[test]
fn preparing_ahead_fills_every_slot_before_an_error_and_leaves_small_listings_alone() {
    use crate::provider::{ListingKeyer, Related};
    use normalizing::{Keying, Object, PREPARE_AHEAD_MIN, Prepared, prepare_ahead};

    let context = context();
    let keyer = ListingKeyer::new(
        context.kind,
        &context.normalize_context(),
        &context.fingerprinter,
    );
    let known = KnownVersions::default();
    let keying = Keying {
        context: &context,
        keyer: &keyer,
        known: &known,
    };
    let related = Related::default();
    let waiting = |count: usize| -> Vec<(String, String, Object)> {
        let ids: Vec<String> = (0..count).map(|index| format!("c{index}")).collect();
        let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
        let Value::Array(connections) = page(&ids)["vpn_connections"].take() else {
            unreachable!("page() lists its connections")
        };
        connections
            .into_iter()
            .enumerate()
            .map(|(index, object)| {
                let path = format!("$.vpn_connections[{index}]");
                ("body".to_string(), path, Object::Parsed(object))
            })
            .collect()
    };
    let normalized = |object: &Object, id: &str| match object {
        Object::Ready(Ok(Prepared::Normalized(normalized, _))) => {
            normalized.connection.connection_id == id
        }
        _ => false,
    };

    let mut few = waiting(PREPARE_AHEAD_MIN - 1);
    prepare_ahead(&mut few, &keying, &related);
    assert!(
        few.iter()
            .all(|(_, _, object)| matches!(object, Object::Parsed(_)))
    );

    let mut many = waiting(3_000);
    prepare_ahead(&mut many, &keying, &related);
    for (index, (_, _, object)) in many.iter().enumerate() {
        assert!(
            normalized(object, &format!("c{index}")),
            "{index}: {object:?}"
        );
    }

    // An undecodable connection: every one before it is prepared, and it
    // holds its error.
    let mut failing = waiting(3_000);
    failing[1_000].2 = Object::Parsed(json!({"id": "", "status": "ACTIVE"}));
    prepare_ahead(&mut failing, &keying, &related);
    for (index, (_, _, object)) in failing[..1_000].iter().enumerate() {
        assert!(
            normalized(object, &format!("c{index}")),
            "{index}: {object:?}"
        );
    }
    assert!(
        matches!(&failing[1_000].2, Object::Ready(Err(_))),
        "{:?}",
        failing[1_000].2
    );
}

#[test]
fn a_streaming_builder_refuses_latest_versions_given_at_its_finish() {
    let builder = ListingBuilder::streaming(context()).unwrap();
    let error = builder.finish_knowing(Arc::default()).unwrap_err();
    assert!(matches!(error, ListingError::KnownAtFinish), "{error}");
}
