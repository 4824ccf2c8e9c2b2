//! The raw JSON of versions (`version_raw`): stored in full, or as a JSON
//! merge patch (RFC 7396) against an earlier full row of the same connection.
//!
//! A change usually touches a field or two of a kilobyte-sized object, so a
//! patch keeps history growing with what changed rather than with object
//! size. Plain SQL still reads every version: a patch's base is always a full
//! row, so one `json_patch(base, patch)` gives the object back (the views do
//! it). A patch is stored only when SQLite's own `json_patch` returns exactly
//! the object received, and only when it is at most half the object's size.

use rusqlite::{OptionalExtension, Statement, Transaction, params};
use serde_json::{Map, Value};

use super::StoreError;
use crate::provider::Normalized;

/// A version's raw and related JSON as received (patch applied), and the
/// full row a later version of the connection patches against.
pub(super) struct StoredRaw {
    pub raw: Option<Value>,
    pub related: Option<Value>,
    base_id: i64,
    /// The base row's objects when the version is a patch (else its own).
    base: Option<(Option<Value>, Option<Value>)>,
}

impl StoredRaw {
    fn base_objects(&self) -> (Option<&Value>, Option<&Value>) {
        match &self.base {
            Some((raw, related)) => (raw.as_ref(), related.as_ref()),
            None => (self.raw.as_ref(), self.related.as_ref()),
        }
    }
}

/// Reads a stored version's raw JSON, `None` if the version has no raw row
/// (a tombstone).
pub(super) fn read_raw(
    tx: &Transaction<'_>,
    version_id: i64,
) -> Result<Option<StoredRaw>, StoreError> {
    type Texts = (
        i64,
        Option<String>,
        Option<String>,
        Option<String>,
        Option<String>,
    );
    let texts: Option<Texts> = tx
        .prepare_cached(
            "SELECT r.base_version_id, \
             CASE WHEN r.base_version_id IS NULL THEN r.raw_json \
                  ELSE json_patch(b.raw_json, r.raw_json) END, \
             CASE WHEN r.base_version_id IS NULL THEN r.related_json \
                  ELSE json_patch(b.related_json, r.related_json) END, \
             b.raw_json, b.related_json \
             FROM version_raw r LEFT JOIN version_raw b ON b.version_id = r.base_version_id \
             WHERE r.version_id = ?1",
        )?
        .query_row([version_id], |row| {
            Ok((
                row.get::<_, Option<i64>>(0)?.unwrap_or(version_id),
                row.get(1)?,
                row.get(2)?,
                row.get(3)?,
                row.get(4)?,
            ))
        })
        .optional()?;
    let Some((base_id, raw, related, base_raw, base_related)) = texts else {
        return Ok(None);
    };
    let parse = |text: Option<String>| text.and_then(|text| serde_json::from_str(&text).ok());
    let base = (base_id != version_id).then(|| (parse(base_raw), parse(base_related)));
    let (raw, related) = (parse(raw), parse(related));
    Ok(Some(StoredRaw {
        raw,
        related,
        base_id,
        base,
    }))
}

/// How a new version's raw JSON is stored.
pub(super) enum RawForm {
    /// The objects themselves.
    Full,
    /// Merge patches of the full row `base_id`, checked to be exact.
    Patch {
        base_id: i64,
        raw: String,
        related: Option<String>,
    },
}

/// How to store `item`'s objects (`new_raw`, `new_related` parsed) given the
/// version it follows: a patch of that version's full row when the patch is
/// exact and at most half the objects' size, else in full.
pub(super) fn form_for(
    tx: &Transaction<'_>,
    stored: &StoredRaw,
    new_raw: Option<&Value>,
    new_related: Option<&Value>,
    item: &Normalized,
) -> Result<RawForm, StoreError> {
    let (base_raw, base_related) = stored.base_objects();
    let (Some(base_raw), Some(new_raw)) = (base_raw, new_raw) else {
        return Ok(RawForm::Full);
    };
    let raw = merge_patch(base_raw, new_raw).to_string();
    let related = match (base_related, new_related) {
        (_, None) => None,
        (Some(base_related), Some(related)) => Some(merge_patch(base_related, related).to_string()),
        // json_patch(NULL, patch) is NULL: nothing to patch against.
        (None, Some(_)) => return Ok(RawForm::Full),
    };
    let patch_size = raw.len() + related.as_ref().map_or(0, String::len);
    let full_size = item.raw_json.len() + item.related_json.as_ref().map_or(0, String::len);
    if patch_size * 2 > full_size
        || !patch_is_exact(tx, stored.base_id, &raw, related.as_deref(), item)?
    {
        return Ok(RawForm::Full);
    }
    Ok(RawForm::Patch {
        base_id: stored.base_id,
        raw,
        related,
    })
}

/// The statement a version's raw JSON is written in full with (given
/// prepared to [`insert_raw`]).
pub(super) const INSERT_FULL_RAW: &str =
    "INSERT INTO version_raw (version_id, raw_json, related_json) VALUES (?1, ?2, ?3)";

/// Writes a new version's raw JSON in the form chosen for it; `full` is
/// [`INSERT_FULL_RAW`] prepared.
pub(super) fn insert_raw(
    tx: &Transaction<'_>,
    full: &mut Statement<'_>,
    version_id: i64,
    form: &RawForm,
    item: &Normalized,
) -> Result<(), StoreError> {
    match form {
        RawForm::Full => full.execute(params![version_id, item.raw_json, item.related_json])?,
        RawForm::Patch {
            base_id,
            raw,
            related,
        } => tx
            .prepare_cached(
                "INSERT INTO version_raw (version_id, raw_json, related_json, base_version_id) \
                 VALUES (?1, ?2, ?3, ?4)",
            )?
            .execute(params![version_id, raw, related, base_id])?,
    };
    Ok(())
}

/// Whether SQLite's `json_patch` turns the base row into exactly the item's
/// objects (key order included): what every later reader will compute.
fn patch_is_exact(
    tx: &Transaction<'_>,
    base_id: i64,
    raw_patch: &str,
    related_patch: Option<&str>,
    item: &Normalized,
) -> Result<bool, StoreError> {
    let exact: Option<bool> = tx
        .prepare_cached(
            "SELECT json_patch(raw_json, ?2) IS json(?3) \
             AND json_patch(related_json, ?4) IS json(?5) \
             FROM version_raw WHERE version_id = ?1 AND base_version_id IS NULL",
        )?
        .query_row(
            params![
                base_id,
                raw_patch,
                item.raw_json,
                related_patch,
                item.related_json
            ],
            |row| row.get(0),
        )
        .optional()?;
    Ok(exact == Some(true))
}

/// The RFC 7396 merge patch that turns `base` into `target`: changed and new
/// members as they are in `target`, removed members as `null`, objects
/// compared member by member and anything else replaced whole. A `null` in
/// `target` cannot be expressed (it means removal): `patch_is_exact` then
/// fails and the version is stored in full.
fn merge_patch(base: &Value, target: &Value) -> Value {
    let (Value::Object(base), Value::Object(target)) = (base, target) else {
        return target.clone();
    };
    let mut patch = Map::new();
    for (key, value) in target {
        match base.get(key) {
            Some(old) if old == value => {}
            Some(old) => {
                patch.insert(key.clone(), merge_patch(old, value));
            }
            None => {
                patch.insert(key.clone(), value.clone());
            }
        }
    }
    for key in base.keys() {
        if !target.contains_key(key) {
            patch.insert(key.clone(), Value::Null);
        }
    }
    Value::Object(patch)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn merge_patch_holds_only_what_changed() {
        let base = json!({"id": "a", "status": "ACTIVE", "ike": {"dh": "group14", "life": 86400},
                          "tags": ["x", "y"], "gone": 1});
        let target = json!({"id": "a", "status": "DOWN", "ike": {"dh": "group20", "life": 86400},
                            "tags": ["x"], "new": true});
        assert_eq!(
            merge_patch(&base, &target),
            json!({"status": "DOWN", "ike": {"dh": "group20"}, "tags": ["x"], "new": true, "gone": null})
        );
        assert_eq!(merge_patch(&base, &base), json!({}));
        assert_eq!(merge_patch(&json!([1]), &json!({"a": 1})), json!({"a": 1}));
    }
}
