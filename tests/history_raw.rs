//! Raw JSON history: a changed version's raw JSON is stored as a merge patch
//! against a full row of its connection when that is exact and small, and
//! every version reads back, through the views, exactly as it was received.

use serde_json::{Value, json};
use vpnsnap::listing::SourceOutcome;
use vpnsnap::model::Status;
use vpnsnap::provider::Normalized;
use vpnsnap::store::Store;

use crate::support::*;

/// A connection whose raw JSON is big enough for a one-field change to be a
/// small patch, as real provider objects are (about a kilobyte).
fn sized(id: &str, status: Status) -> Normalized {
    with_raw(
        item(id, status),
        "description",
        json!("a site-to-site tunnel to the branch office ".repeat(5)),
    )
}

fn write_one(store: &mut Store, hour: u32, items: Vec<Normalized>) {
    write(
        store,
        vec![source(
            "hw",
            at(1, hour),
            SourceOutcome::Complete(items.into()),
        )],
    );
}

/// Per version of connection `a`: version, whether its raw row is a patch
/// (and of which version), and the raw JSON the view gives back.
fn stored(store: &Store) -> Vec<Vec<String>> {
    rows(
        store,
        "SELECT v.version, coalesce(b.version, 'full'), coalesce(cv.raw_json, 'NULL') \
         FROM versions v JOIN connection_versions cv ON cv.version_id = v.id \
         LEFT JOIN version_raw r ON r.version_id = v.id \
         LEFT JOIN versions b ON b.id = r.base_version_id \
         ORDER BY v.version",
    )
}

fn version_row(version: &str, base: &str, item: &Normalized) -> Vec<String> {
    vec![version.to_string(), base.to_string(), item.raw_json.clone()]
}

#[test]
fn changed_versions_are_patches_of_the_first_and_read_back_whole() {
    let (_dir, mut store) = temp_store();
    let first = sized("a", Status::Active);
    let second = sized("a", Status::Down);
    let third = with_raw(sized("a", Status::Active), "mtu", json!(1400));
    write_one(&mut store, 0, vec![first.clone()]);
    write_one(&mut store, 1, vec![second.clone()]);
    write_one(&mut store, 2, vec![third.clone()]);

    // Every patch is against the full first version: no chains to follow.
    assert_eq!(
        stored(&store),
        vec![
            version_row("1", "full", &first),
            version_row("2", "1", &second),
            version_row("3", "1", &third),
        ]
    );
    assert_eq!(
        rows(
            &store,
            "SELECT r.raw_json FROM version_raw r JOIN versions v ON v.id = r.version_id \
             WHERE v.version > 1 ORDER BY v.version"
        ),
        vec![vec![r#"{"status":"DOWN"}"#], vec![r#"{"mtu":1400}"#]]
    );
    assert_eq!(
        rows(
            &store,
            "SELECT version, json_extract(raw_json, '$.status'), json_extract(raw_json, '$.mtu') \
             FROM connection_versions ORDER BY version"
        ),
        vec![
            vec!["1", "ACTIVE", "1500"],
            vec!["2", "DOWN", "1500"],
            vec!["3", "ACTIVE", "1400"]
        ]
    );
    // The field changes are computed from the patched versions.
    assert_eq!(
        rows(
            &store,
            "SELECT version, field, old_value, new_value FROM connection_changes \
             WHERE field LIKE 'raw.%' ORDER BY version, field"
        ),
        vec![vec!["3", "raw.mtu", "1500", "1400"]]
    );
}

#[test]
fn a_change_to_null_cannot_be_a_patch_and_is_stored_whole() {
    let (_dir, mut store) = temp_store();
    let first = sized("a", Status::Active);
    // In a merge patch, null means "remove the member".
    let second = with_raw(sized("a", Status::Active), "mtu", Value::Null);
    write_one(&mut store, 0, vec![first.clone()]);
    write_one(&mut store, 1, vec![second.clone()]);
    assert_eq!(
        stored(&store),
        vec![
            version_row("1", "full", &first),
            version_row("2", "full", &second)
        ]
    );
    assert!(second.raw_json.contains(r#""mtu":null"#));
}

#[test]
fn a_large_change_is_stored_whole_and_later_versions_patch_against_it() {
    let (_dir, mut store) = temp_store();
    let first = sized("a", Status::Active);
    let rewritten = with_raw(
        sized("a", Status::Active),
        "description",
        json!("moved to the new data centre, new peer and new policies ".repeat(5)),
    );
    let flipped = with_raw(sized("a", Status::Down), "description", {
        let raw: Value = serde_json::from_str(&rewritten.raw_json).unwrap();
        raw["description"].clone()
    });
    write_one(&mut store, 0, vec![first.clone()]);
    write_one(&mut store, 1, vec![rewritten.clone()]);
    write_one(&mut store, 2, vec![flipped.clone()]);
    assert_eq!(
        stored(&store),
        vec![
            version_row("1", "full", &first),
            version_row("2", "full", &rewritten),
            version_row("3", "2", &flipped),
        ]
    );
}

#[test]
fn a_recreated_connection_patches_against_its_last_live_version() {
    let (_dir, mut store) = temp_store();
    let first = sized("a", Status::Active);
    let back = sized("a", Status::Down);
    write_one(
        &mut store,
        0,
        vec![first.clone(), sized("b", Status::Active)],
    );
    write_one(&mut store, 1, vec![sized("b", Status::Active)]);
    write_one(
        &mut store,
        2,
        vec![back.clone(), sized("b", Status::Active)],
    );
    let of_a = |rows: Vec<Vec<String>>| rows.into_iter().take(3).collect::<Vec<_>>();
    assert_eq!(
        of_a(rows(
            &store,
            "SELECT v.version, v.event, coalesce(b.version, 'none'), coalesce(cv.raw_json, 'NULL') \
             FROM versions v JOIN connection_versions cv ON cv.version_id = v.id \
             LEFT JOIN version_raw r ON r.version_id = v.id \
             LEFT JOIN versions b ON b.id = r.base_version_id \
             WHERE cv.connection_id = 'a' ORDER BY v.version",
        )),
        vec![
            vec!["1", "created", "none", first.raw_json.as_str()],
            vec!["2", "deleted", "none", "NULL"],
            vec!["3", "recreated", "1", back.raw_json.as_str()],
        ]
    );
}

#[test]
fn related_objects_are_patched_and_read_back_whole() {
    let (_dir, mut store) = temp_store();
    let with_related = |lifetime: u32| {
        let mut item = sized("a", Status::Active);
        item.related_json = Some(
            json!({
                "ikepolicy": {"id": "ike-1", "name": "branch-ike", "auth_algorithm": "sha256",
                              "encryption_algorithm": "aes-256", "lifetime": {"units": "seconds", "value": lifetime}},
                "ipsecpolicy": {"id": "ipsec-1", "name": "branch-ipsec", "pfs": "group14"}
            })
            .to_string(),
        );
        seal(item)
    };
    let first = with_related(3600);
    let edited = with_related(28800);
    write_one(&mut store, 0, vec![first.clone()]);
    write_one(&mut store, 1, vec![edited.clone()]);
    assert_eq!(
        rows(
            &store,
            "SELECT cv.version, coalesce(r.base_version_id, 'full'), r.related_json, cv.related_json \
             FROM connection_versions cv JOIN version_raw r ON r.version_id = cv.version_id \
             ORDER BY cv.version"
        ),
        vec![
            vec![
                "1".to_string(),
                "full".to_string(),
                first.related_json.clone().unwrap(),
                first.related_json.clone().unwrap()
            ],
            vec![
                "2".to_string(),
                "1".to_string(),
                r#"{"ikepolicy":{"lifetime":{"value":28800}}}"#.to_string(),
                edited.related_json.clone().unwrap()
            ],
        ]
    );
}
