//! Field-level differences between two versions of a connection.
//!
//! Model fields are compared NULL-safely (a change from or to absent counts)
//! under their dotted names. The raw JSON is compared leaf by leaf, and a
//! changed leaf is recorded as `raw.<path>` (or `related.<role>.<path>`) only
//! when the model does not cover it, so one change is never recorded twice.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::model::{FIELDS, FieldValue};

/// One changed field: values as text, `None` for absent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldChange {
    pub field: String,
    pub old_value: Option<String>,
    pub new_value: Option<String>,
}

/// Changes between two sets of model field values (in [`FIELDS`] order).
pub fn model_changes(old: &[Option<FieldValue>], new: &[Option<FieldValue>]) -> Vec<FieldChange> {
    FIELDS
        .iter()
        .zip(old.iter().zip(new))
        .filter(|(_, (old, new))| old != new)
        .map(|(field, (old, new))| FieldChange {
            field: field.name.to_string(),
            old_value: old.as_ref().map(FieldValue::display),
            new_value: new.as_ref().map(FieldValue::display),
        })
        .collect()
}

/// Changes of the raw JSON outside the model. `new_unmapped` is what the
/// normalizer did not read of `new`: a leaf present in `new` but not in
/// `new_unmapped` is covered by a model field (or volatile) and skipped.
pub fn raw_changes(
    prefix: &str,
    old: Option<&Value>,
    new: Option<&Value>,
    new_unmapped: &Value,
    volatile: &[&str],
) -> Vec<FieldChange> {
    let old_leaves = leaves(old);
    let new_leaves = leaves(new);
    let unmapped_leaves = leaves(Some(new_unmapped));
    let mut changes = Vec::new();
    let paths: std::collections::BTreeSet<&String> =
        old_leaves.keys().chain(new_leaves.keys()).collect();
    for path in paths {
        let old_value = old_leaves.get(path);
        let new_value = new_leaves.get(path);
        if old_value == new_value || volatile.contains(&path.as_str()) {
            continue;
        }
        let covered_by_model = new_value.is_some() && !unmapped_leaves.contains_key(path);
        if covered_by_model {
            continue;
        }
        changes.push(FieldChange {
            field: format!("{prefix}.{path}"),
            old_value: old_value.map(leaf_text),
            new_value: new_value.map(leaf_text),
        });
    }
    changes
}

/// Changes of the referenced objects outside the model, as [`raw_changes`],
/// except that an object a version gains or loses whole (a role present on
/// one side only: a connection that now references a vpnservice, or whose
/// gateways are now resolved) is one change, `related.<role>`, with the
/// object as JSON text, rather than one per leaf.
pub fn related_changes(
    old: Option<&Value>,
    new: Option<&Value>,
    new_unmapped: &Value,
) -> Vec<FieldChange> {
    let empty = serde_json::Map::new();
    let roles = |value: Option<&Value>| value.and_then(Value::as_object).unwrap_or(&empty).clone();
    let (old_roles, new_roles) = (roles(old), roles(new));
    let mut changes = Vec::new();
    let mut old_common = serde_json::Map::new();
    let mut new_common = serde_json::Map::new();
    let names: std::collections::BTreeSet<&String> =
        old_roles.keys().chain(new_roles.keys()).collect();
    for name in names {
        match (old_roles.get(name), new_roles.get(name)) {
            (Some(old), Some(new)) => {
                old_common.insert(name.clone(), old.clone());
                new_common.insert(name.clone(), new.clone());
            }
            (old, new) => changes.push(FieldChange {
                field: format!("related.{name}"),
                old_value: old.map(Value::to_string),
                new_value: new.map(Value::to_string),
            }),
        }
    }
    let (old_common, new_common) = (Value::Object(old_common), Value::Object(new_common));
    changes.extend(raw_changes(
        "related",
        old.map(|_| &old_common),
        new.map(|_| &new_common),
        new_unmapped,
        &[],
    ));
    changes.sort_by(|a, b| a.field.cmp(&b.field));
    changes
}

/// Flattens objects into dotted paths; arrays and scalars are leaves.
fn leaves(value: Option<&Value>) -> BTreeMap<String, &Value> {
    fn walk<'a>(value: &'a Value, path: &mut String, out: &mut BTreeMap<String, &'a Value>) {
        match value {
            Value::Object(map) if !map.is_empty() => {
                for (key, child) in map {
                    let before = path.len();
                    if !path.is_empty() {
                        path.push('.');
                    }
                    path.push_str(key);
                    walk(child, path, out);
                    path.truncate(before);
                }
            }
            leaf => {
                out.insert(path.clone(), leaf);
            }
        }
    }
    let mut out = BTreeMap::new();
    if let Some(value) = value {
        walk(value, &mut String::new(), &mut out);
    }
    out.remove("");
    out
}

/// A raw leaf as change text: strings as they are, anything else as JSON
/// (`null` included: a member present with the value null is not absent).
fn leaf_text(value: &&Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn model_changes_count_changes_from_and_to_absent() {
        let mut old = vec![None; FIELDS.len()];
        let mut new = old.clone();
        let status = FIELDS
            .iter()
            .position(|field| field.name == "status")
            .unwrap();
        let pfs = FIELDS
            .iter()
            .position(|field| field.name == "ipsec.pfs")
            .unwrap();
        old[status] = Some(FieldValue::Text("ACTIVE".into()));
        new[status] = Some(FieldValue::Text("DOWN".into()));
        new[pfs] = Some(FieldValue::Text("group14".into()));
        assert_eq!(
            model_changes(&old, &new),
            vec![
                FieldChange {
                    field: "status".into(),
                    old_value: Some("ACTIVE".into()),
                    new_value: Some("DOWN".into())
                },
                FieldChange {
                    field: "ipsec.pfs".into(),
                    old_value: None,
                    new_value: Some("group14".into())
                },
            ]
        );
    }

    #[test]
    fn an_object_gained_or_lost_whole_is_one_change() {
        let old = json!({"ikepolicy": {"id": "i", "name": "a"}, "vpnservice": {"id": "v", "x": 1}});
        let new = json!({"ikepolicy": {"id": "i", "name": "b"},
                         "customer_gateway": {"id": "c", "name": "hq", "bgp_asn": 65000}});
        let unmapped = json!({"ikepolicy": {"name": "b"}, "customer_gateway": {"name": "hq"}});
        let changes = related_changes(Some(&old), Some(&new), &unmapped);
        let fields: Vec<_> = changes.iter().map(|change| change.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "related.customer_gateway",
                "related.ikepolicy.name",
                "related.vpnservice"
            ]
        );
        assert_eq!(changes[0].old_value, None);
        assert_eq!(
            changes[0].new_value.as_deref(),
            Some(r#"{"bgp_asn":65000,"id":"c","name":"hq"}"#)
        );
        assert_eq!(changes[2].old_value.as_deref(), Some(r#"{"id":"v","x":1}"#));
        assert_eq!(changes[2].new_value, None);
        // From nothing at all.
        let changes = related_changes(None, Some(&new), &unmapped);
        assert_eq!(changes.len(), 2, "{changes:?}");
    }

    #[test]
    fn raw_changes_skip_what_the_model_covers() {
        let old =
            json!({"name": "a", "mtu": 1500, "dpd": {"msg": "x", "timeout": 15}, "gone": true});
        let new = json!({"name": "b", "mtu": 1400, "dpd": {"msg": "y", "timeout": 30}, "bgp": {"state_duration": 9}});
        let unmapped = json!({"mtu": 1400, "dpd": {"msg": "y"}});
        let changes = raw_changes(
            "raw",
            Some(&old),
            Some(&new),
            &unmapped,
            &["bgp.state_duration"],
        );
        let fields: Vec<_> = changes.iter().map(|change| change.field.as_str()).collect();
        assert_eq!(fields, ["raw.dpd.msg", "raw.gone", "raw.mtu"]);
        assert_eq!(changes[1].new_value, None);
        assert_eq!(changes[2].old_value.as_deref(), Some("1500"));
    }

    #[test]
    fn a_member_set_to_null_is_present_not_absent() {
        let text = |change: &FieldChange| {
            (
                change.field.clone(),
                change.old_value.clone(),
                change.new_value.clone(),
            )
        };
        let old = json!({"description": null, "mtu": null});
        let new = json!({"mtu": 1400, "peer_id": null});
        let unmapped = new.clone();
        let changes: Vec<_> = raw_changes("raw", Some(&old), Some(&new), &unmapped, &[])
            .iter()
            .map(text)
            .collect();
        assert_eq!(
            changes,
            [
                ("raw.description".into(), Some("null".into()), None),
                ("raw.mtu".into(), Some("null".into()), Some("1400".into())),
                ("raw.peer_id".into(), None, Some("null".into())),
            ]
        );
    }
}
