//! Paging, failures that must not delete, a policy edited in place, and
//! `vpnsnap collect` end to end.

use super::*;

#[test]
fn password_login_pages_one_by_one_and_resolves_the_referenced_objects() {
    let sim = OpenStackSim::start(OpenStackSimConfig::default()).unwrap();
    let collected = collect(&source(&sim, "region = \"RegionOne\"\npage_size = 1\n"));
    let items = &complete(&collected);
    use sample::*;
    assert_eq!(ids(items), [CONNECTION_B, CONNECTION_A, CONNECTION_C]);
    let page = |path: &str, marker: Option<&str>| match marker {
        Some(marker) => neutron(&format!("{path}?limit=1&marker={marker}")),
        None => neutron(&format!("{path}?limit=1")),
    };
    let mut expected = vec!["POST /identity/v3/auth/tokens".to_string()];
    // The referenced objects first, then the connections (every reference
    // collected: no show requests).
    for (path, ids) in [
        ("ikepolicies", vec![SHARED_IKEPOLICY, LEGACY_IKEPOLICY]),
        ("ipsecpolicies", vec![IPSECPOLICY]),
        ("vpnservices", vec![VPNSERVICE]),
        (
            "endpoint-groups",
            vec![LOCAL_GROUP, PEER_GROUP_A, PEER_GROUP_B],
        ),
        (
            "ipsec-site-connections",
            vec![CONNECTION_A, CONNECTION_B, CONNECTION_C],
        ),
    ] {
        if path == "ipsec-site-connections" {
            // The subnet the local endpoint group names, before the connections.
            expected.push(subnets_request(&[LOCAL_SUBNET]));
        }
        // Every full page has a next link: the last page is an empty one,
        // and its marker is shown to tell the end from a deleted marker.
        let last = *ids.last().unwrap();
        expected.push(page(path, None));
        expected.extend(ids.into_iter().map(|id| page(path, Some(id))));
        expected.push(neutron(&format!("{path}/{last}")));
    }
    assert_eq!(sim.requests(), expected);
    assert_eq!(collected.pages, 16);

    let a = &item(items, CONNECTION_A).connection;
    assert_eq!(a.name.as_deref(), Some("vpnconnection1"));
    assert_eq!(a.gateway_ip.as_deref(), Some("172.24.4.11"));
    assert_eq!(a.local_subnets, Some(vec![LOCAL_SUBNET_CIDR.to_string()]));
    assert_eq!(
        a.peer_subnets,
        Some(vec!["10.2.0.0/24".to_string(), "10.2.1.0/24".to_string()])
    );
    assert_eq!(a.ike.version.as_deref(), Some("v2"));
    assert_eq!(a.ike.lifetime_seconds, Some(28800));
    assert_eq!(a.ipsec.encryption_algorithm.as_deref(), Some("aes-256"));
    assert_eq!(a.ipsec.lifetime_seconds, Some(3600));
    let c = &item(items, CONNECTION_C).connection;
    assert_eq!(c.peer_subnets, Some(vec!["10.9.0.0/16".to_string()]));
    assert_eq!(c.local_subnets, None);
    assert_eq!(c.ike.version.as_deref(), Some("v1"));
    assert_eq!(c.ike.encryption_algorithm.as_deref(), Some("3des"));
    for item in items {
        assert!(item.warnings.is_empty(), "{:?}", item.warnings);
        assert_eq!(
            item.connection.psk_fingerprint.as_deref().map(str::len),
            Some(16)
        );
        assert!(!item.raw_json.contains("psk-of-"), "{}", item.raw_json);
    }
    let related = item(items, CONNECTION_A).related_value().unwrap();
    assert_eq!(related["ikepolicy"]["id"], Value::from(SHARED_IKEPOLICY));
    assert_eq!(related["peer_ep_group"]["name"], Value::from("site1-peers"));
    assert_eq!(
        related["subnets"],
        serde_json::json!([{"id": LOCAL_SUBNET, "cidr": LOCAL_SUBNET_CIDR}])
    );
}

#[test]
fn an_ikepolicy_edited_in_place_is_a_change_of_both_connections_using_it() {
    let sim = OpenStackSim::start(OpenStackSimConfig::default()).unwrap();
    let source = source(&sim, "region = \"RegionOne\"\npage_size = 2\n");
    let (_dir, mut store) = temp_store();
    write(&mut store, vec![collect(&source).result]);
    sim.with_estate(|estate| {
        let policy = estate.ikepolicy_mut(sample::SHARED_IKEPOLICY).unwrap();
        policy["lifetime"]["value"] = Value::from(14400);
    });
    let summary = write(&mut store, vec![collect(&source).result]);
    assert_eq!(summary.sources[0].changed, 2);
    assert_eq!(summary.sources[0].unchanged, 1);
    let second: Vec<Vec<String>> = changes(&store)
        .into_iter()
        .filter(|row| row[1] == "2")
        .collect();
    assert_eq!(
        second,
        [sample::CONNECTION_B, sample::CONNECTION_A].map(|id| {
            [id, "2", "changed", "ike.lifetime_seconds", "28800", "14400"]
                .map(String::from)
                .to_vec()
        })
    );
    // The policy's raw JSON is kept with the version, stored as a patch of
    // the first version's objects (the view applies it).
    assert_eq!(
        rows(
            &store,
            "SELECT cv.connection_id, json_extract(cv.related_json, '$.ikepolicy.lifetime.value'), \
             json_extract(cv.related_json, '$.ikepolicy.name'), r.related_json \
             FROM connection_versions cv JOIN version_raw r ON r.version_id = cv.version_id \
             WHERE cv.version = 2 AND r.base_version_id IS NOT NULL ORDER BY 1"
        ),
        [
            [
                sample::CONNECTION_B,
                "14400",
                "ikepolicy-site1",
                r#"{"ikepolicy":{"lifetime":{"value":14400}}}"#
            ],
            [
                sample::CONNECTION_A,
                "14400",
                "ikepolicy-site1",
                r#"{"ikepolicy":{"lifetime":{"value":14400}}}"#
            ]
        ]
    );
}

#[test]
fn server_errors_are_retried_and_a_failure_mid_listing_deletes_nothing() {
    let sim = OpenStackSim::start(OpenStackSimConfig::default()).unwrap();
    let source = source(&sim, "region = \"RegionOne\"\npage_size = 1\n");
    let (_dir, mut store) = temp_store();
    write(&mut store, vec![collect(&source).result]);

    // Requests: the login, 11 pages of referenced objects and 4 markers
    // shown after their empty last pages, the subnets, then the
    // connections' pages from base + 18 on.
    // One 500 on the second page of connections: retried, and the listing
    // completes unchanged.
    let base = sim.faults().request_count();
    sim.faults().inject(base + 19, Fault::ServerError);
    let collected = collect(&source);
    assert_eq!(complete(&collected).len(), 3);
    let summary = write(&mut store, vec![collected.result]);
    assert_eq!(summary.sources[0].unchanged, 3);

    // The third page of connections fails on every attempt, while C is
    // gone: the source fails, and neither C nor anything else is deleted.
    sim.with_estate(|estate| estate.remove_connection(sample::CONNECTION_C));
    let base = sim.faults().request_count();
    for nth in base + 20..=base + 22 {
        sim.faults().inject(nth, Fault::ServerError);
    }
    let collected = collect(&source);
    let (error, class) = failure(&collected);
    assert_eq!(class, "server");
    assert!(
        error.starts_with(&format!(
            "server error: GET {}{CONNECTIONS}?limit=1&marker={}: HTTP 500 Internal Server Error: \
             HTTPInternalServerError: Request Failed: internal server error while processing your request. (request id req-",
            sim.url(),
            sample::CONNECTION_B
        )),
        "{error}"
    );
    let summary = write(&mut store, vec![collected.result]);
    assert_eq!(summary.sources[0].deleted, 0);
    assert_eq!(
        rows(
            &store,
            "SELECT count(*) FROM versions WHERE event = 'deleted'"
        ),
        [["0"]]
    );
    assert_eq!(
        rows(&store, "SELECT count(*) FROM current_connections"),
        [["3"]]
    );
}

#[test]
fn a_next_link_that_does_not_advance_is_a_paging_error() {
    let sim = OpenStackSim::start(OpenStackSimConfig {
        paging: Paging::IgnoresMarker,
        ..OpenStackSimConfig::default()
    })
    .unwrap();
    let collected = collect(&source(&sim, "region = \"RegionOne\"\npage_size = 2\n"));
    let (error, class) = failure(&collected);
    assert_eq!(class, "paging");
    assert!(error.contains("was already followed"), "{error}");
    assert_eq!(sim.requests().len(), 3);
}

#[test]
fn a_limit_cut_by_the_server_an_empty_listing_and_a_bad_body() {
    // pagination_max_limit = 1: asked for 3, the pages hold 1 and the next
    // links carry the server's limit.
    let sim = OpenStackSim::start(OpenStackSimConfig {
        max_limit: Some(1),
        ..OpenStackSimConfig::default()
    })
    .unwrap();
    let source = source(&sim, "region = \"RegionOne\"\npage_size = 3\n");
    let collected = collect(&source);
    assert_eq!(complete(&collected).len(), 3);
    // The login, 11 pages of referenced objects and the 4 markers of their
    // empty last pages shown, the subnets (paged by the server's limit too:
    // the filters kept in the next link), then the connections.
    let subnets = subnets_request(&[sample::LOCAL_SUBNET]);
    assert_eq!(
        sim.requests()[16..],
        [
            subnets.clone(),
            format!("{subnets}&limit=1&marker={}", sample::LOCAL_SUBNET),
            format!(
                "GET /network/RegionOne/public/v2.0/subnets/{}",
                sample::LOCAL_SUBNET
            ),
            format!("GET {CONNECTIONS}?limit=3"),
            format!("GET {CONNECTIONS}?limit=1&marker={}", sample::CONNECTION_A),
            format!("GET {CONNECTIONS}?limit=1&marker={}", sample::CONNECTION_B),
            format!("GET {CONNECTIONS}?limit=1&marker={}", sample::CONNECTION_C),
            format!("GET {CONNECTIONS}/{}", sample::CONNECTION_C),
        ]
    );

    // A project without connections: an empty first page, a complete listing.
    sim.with_estate(|estate| estate.connections.clear());
    let collected = collect(&source);
    assert_eq!(complete(&collected).len(), 0);

    // A body cut short: a decode error naming the URL.
    let base = sim.faults().request_count();
    sim.faults().inject(base + 20, Fault::MalformedBody);
    let collected = collect(&source);
    let (error, class) = failure(&collected);
    assert_eq!(class, "decode");
    assert!(
        error.starts_with(&format!(
            "undecodable response: GET {}{CONNECTIONS}?limit=3: HTTP 200 OK with a body that is not JSON",
            sim.url()
        )),
        "{error}"
    );
}

#[test]
fn a_throttled_request_is_retried_after_the_pause_asked_for() {
    let sim = OpenStackSim::start(OpenStackSimConfig::default()).unwrap();
    sim.faults().inject(
        2,
        Fault::Throttle {
            retry_after_seconds: 0,
        },
    );
    let collected = collect(&source(&sim, "region = \"RegionOne\"\n"));
    assert_eq!(complete(&collected).len(), 3);
    assert_eq!(
        sim.requests()[1..3],
        [neutron("ikepolicies"), neutron("ikepolicies")]
    );
}

#[test]
fn vpnsnap_collect_end_to_end_records_a_deletion_and_no_secrets() {
    let sim = OpenStackSim::start(OpenStackSimConfig::default()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let config = format!(
        "[[source]]\nname = \"os\"\nkind = \"openstack\"\nregion = \"RegionOne\"\n{}page_size = 2\n",
        password_keys(&sim)
    );
    std::fs::write(dir.path().join("vpnsnap.toml"), config).unwrap();
    let run = || {
        vpnsnap_with_env(
            dir.path(),
            &["collect", "--format", "json"],
            &[(PASSWORD_ENV, DEMO_PASSWORD)],
        )
    };
    let output = run();
    assert_eq!(output.code, 0, "{}\n{}", output.stdout, output.stderr);
    let summary: Value = serde_json::from_str(&output.stdout).unwrap();
    let first = &summary["sources"][0];
    assert_eq!(
        (
            first["outcome"].as_str(),
            first["connections"].as_u64(),
            first["created"].as_u64()
        ),
        (Some("ok"), Some(3), Some(3))
    );
    assert_eq!(first["pages"].as_u64(), Some(9));

    sim.with_estate(|estate| estate.remove_connection(sample::CONNECTION_C));
    let output = run();
    assert_eq!(output.code, 0, "{}\n{}", output.stdout, output.stderr);
    let summary: Value = serde_json::from_str(&output.stdout).unwrap();
    assert_eq!(summary["sources"][0]["deleted"].as_u64(), Some(1));

    let database = dir.path().join("vpnsnap.db");
    let store = Store::open(&database).unwrap();
    assert_eq!(
        rows(
            &store,
            "SELECT connection_id, event FROM connection_events WHERE version = 2"
        ),
        [[sample::CONNECTION_C, "deleted"]]
    );
    drop(store);
    let bytes = database_bytes(&database);
    for secret in ["psk-of-vpnconnection1", DEMO_PASSWORD] {
        assert!(!contains(&bytes, secret), "the database holds {secret}");
        assert!(!output.stdout.contains(secret) && !output.stderr.contains(secret));
    }
}

#[test]
fn a_marker_deleted_while_listing_fails_the_listing_instead_of_deleting_the_rest() {
    let sim = OpenStackSim::start(OpenStackSimConfig::default()).unwrap();
    let source = source(&sim, "region = \"RegionOne\"\npage_size = 1\n");
    let (_dir, mut store) = temp_store();
    write(&mut store, vec![collect(&source).result]);

    // Requests: the login, 11 pages of referenced objects and 4 markers
    // shown, the subnets, then the connections one per page: A at base + 18. A is
    // deleted before the page after it (marker A) is asked for; Neutron
    // then answers an empty page, which alone would end the listing
    // without B and C.
    let base = sim.faults().request_count();
    sim.edit_estate_on_request(base + 19, |estate| {
        assert!(estate.remove_connection(sample::CONNECTION_A));
    });
    let collected = collect(&source);
    let (error, class) = failure(&collected);
    assert_eq!(class, "paging");
    assert_eq!(
        error,
        format!(
            "inconsistent paging: GET {}{CONNECTIONS}?limit=1&marker={}: an empty page after marker \
             {}, which was deleted while listing; Neutron returns nothing after a marker it no \
             longer has, so the rest of the collection is unknown and this listing proves no \
             deletions",
            sim.url(),
            sample::CONNECTION_A,
            sample::CONNECTION_A
        )
    );
    let summary = write(&mut store, vec![collected.result]);
    assert_eq!(summary.sources[0].deleted, 0);
    assert_eq!(
        rows(&store, "SELECT count(*) FROM current_connections"),
        [["3"]]
    );

    // The next listing sees A gone, and records exactly that.
    let collected = collect(&source);
    assert_eq!(complete(&collected).len(), 2);
    let summary = write(&mut store, vec![collected.result]);
    assert_eq!(summary.sources[0].deleted, 1);
}
