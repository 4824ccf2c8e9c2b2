//! Writing one source's listing into a run: compare it with the latest
//! versions and write new versions, tombstones and field changes.

use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

use rusqlite::types::ValueRef;
use rusqlite::{CachedStatement, OptionalExtension, Transaction, params};
use serde_json::Value;

use super::StoreError;
use super::columns::{field_columns, read_field_values};
use super::diff::{FieldChange, model_changes, raw_changes, related_changes};
use super::listing_keys::ListingKeys;
use super::raw::{INSERT_FULL_RAW, RawForm, form_for, insert_raw, read_raw};
use super::summary::{Outcome, SourceSummary, Writes};
use crate::listing::{KnownVersions, SourceOutcome, SourceResult};
use crate::model::{FIELDS, NORMALIZER_VERSION};
use crate::provider::{CONTENT_HASH_BYTES, ListingKey, Normalized, ProviderKind, volatile_paths};

/// The latest version of a connection of the source being written.
#[derive(Debug)]
pub(super) struct Latest {
    connection: i64,
    version_id: i64,
    version: i64,
    deleted: bool,
    hash: Option<[u8; CONTENT_HASH_BYTES]>,
    listing_key: Option<ListingKey>,
}

/// A source's connections' latest versions, by connection id.
pub(super) type LatestVersions = HashMap<Box<str>, Latest>;

/// Writes one source's listing; `latest` is its connections' latest
/// versions when already read in this transaction's view (else they are
/// read here).
pub(super) fn write_source(
    tx: &Transaction<'_>,
    run_id: i64,
    source: &SourceResult,
    latest: Option<LatestVersions>,
    writes: &mut Writes,
) -> Result<SourceSummary, StoreError> {
    let mut summary = SourceSummary {
        source: source.source.clone(),
        provider: source.provider.as_str().to_string(),
        outcome: Outcome::from(&source.outcome),
        warnings: source.warnings.len(),
        ..SourceSummary::default()
    };
    let observed_at = source.observed_at.to_string();
    let previous_observed_at: Option<String> = tx.query_row(
        "SELECT max(observed_at) FROM run_sources WHERE source = ?1 AND outcome = 'ok'",
        [&source.source],
        |row| row.get(0),
    )?;
    let (listed, complete) = match &source.outcome {
        SourceOutcome::Complete(listed) => (listed, true),
        SourceOutcome::Partial(listed) => (listed, false),
        SourceOutcome::Failed { error, item_count } => {
            summary.items = *item_count;
            summary.error = Some(error.clone());
            insert_run_source(tx, run_id, source, &summary, writes)?;
            return Ok(summary);
        }
    };
    summary.items = listed.len();
    let context = VersionContext {
        run_id,
        kind: source.provider,
        observed_at: &observed_at,
        previous_observed_at: previous_observed_at.as_deref(),
    };
    let mut latest = match latest {
        Some(latest) => latest,
        None => load_latest(tx, &source.source)?,
    };
    let entries = listed.entries()?;
    let mut statements = Statements::prepare(tx)?;
    let mut keys = ListingKeys::default();
    let mut seen = HashSet::with_capacity(entries.len());
    for (index, entry) in entries.iter().enumerate() {
        let connection_id = entry.connection_id.as_str();
        if !seen.insert(connection_id) {
            return Err(StoreError::DuplicateConnection {
                source_name: source.source.clone(),
                connection_id: connection_id.to_string(),
            });
        }
        let previous = latest.remove(connection_id);
        let unchanged = previous
            .as_ref()
            .is_some_and(|previous| !previous.deleted && previous.hash == Some(entry.content_hash));
        if entry.unchanged && !unchanged {
            // Passed over as its latest version, which is no longer latest.
            return Err(StoreError::StaleListing {
                source_name: source.source.clone(),
                connection_id: connection_id.to_string(),
            });
        }
        match previous {
            None => {
                statements.connection.execute(params![
                    source.source,
                    source.provider.as_str(),
                    connection_id
                ])?;
                writes.tick()?;
                let connection = tx.last_insert_rowid();
                let item = listed.get(index)?;
                let version = NewVersion {
                    connection,
                    version: 1,
                    event: "created",
                    raw_form: RawForm::Full,
                };
                let version_id =
                    insert_version(&mut statements, tx, &context, &version, &item, &[], writes)?;
                keys.set(
                    tx,
                    connection,
                    version_id,
                    entry.listing_key.as_ref(),
                    writes,
                )?;
                summary.created += 1;
            }
            Some(previous) if unchanged => {
                if previous.listing_key != entry.listing_key {
                    keys.set(
                        tx,
                        previous.connection,
                        previous.version_id,
                        entry.listing_key.as_ref(),
                        writes,
                    )?;
                }
                summary.unchanged += 1;
            }
            Some(previous) => {
                let item = listed.get(index)?;
                // A recreated connection is compared with its last live version.
                let (event, compare_with) = if previous.deleted {
                    ("recreated", last_live_version(tx, previous.connection)?)
                } else {
                    ("changed", Some(previous.version_id))
                };
                let (changes, raw_form) = match compare_with {
                    Some(version_id) => changes_since(tx, &context, version_id, &item)?,
                    None => (Vec::new(), RawForm::Full),
                };
                supersede(tx, previous.version_id, &observed_at, writes)?;
                let version = NewVersion {
                    connection: previous.connection,
                    version: previous.version + 1,
                    event,
                    raw_form,
                };
                let version_id = insert_version(
                    &mut statements,
                    tx,
                    &context,
                    &version,
                    &item,
                    &changes,
                    writes,
                )?;
                keys.set(
                    tx,
                    previous.connection,
                    version_id,
                    entry.listing_key.as_ref(),
                    writes,
                )?;
                if previous.deleted {
                    summary.recreated += 1;
                } else {
                    summary.changed += 1;
                }
            }
        }
    }
    if complete {
        let mut absent: Vec<(&Box<str>, &Latest)> = latest
            .iter()
            .filter(|(_, latest)| !latest.deleted)
            .collect();
        absent.sort_by(|a, b| a.0.cmp(b.0));
        for (_, previous) in absent {
            insert_tombstone(tx, &context, previous, &mut keys, writes)?;
            summary.deleted += 1;
        }
    }
    keys.flush(tx, writes)?;
    insert_run_source(tx, run_id, source, &summary, writes)?;
    Ok(summary)
}

fn insert_run_source(
    tx: &Transaction<'_>,
    run_id: i64,
    source: &SourceResult,
    summary: &SourceSummary,
    writes: &mut Writes,
) -> Result<(), StoreError> {
    let warnings =
        (!source.warnings.is_empty()).then(|| Value::from(source.warnings.clone()).to_string());
    tx.execute(
        "INSERT INTO run_sources (run_id, source, provider, observed_at, outcome, item_count, \
         created, changed, deleted, recreated, error, warnings) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
        params![
            run_id,
            source.source,
            source.provider.as_str(),
            source.observed_at.to_string(),
            summary.outcome,
            summary.items as i64,
            summary.created as i64,
            summary.changed as i64,
            summary.deleted as i64,
            summary.recreated as i64,
            summary.error,
            warnings,
        ],
    )?;
    writes.tick()
}

/// `source`'s connections' latest versions, with their listing keys. The
/// latest versions' index covers what is read (migration V7); without
/// statistics the planner took the versions' unique index instead and read
/// every version's row (measured 38-45 ms against 3-6 ms for 10,000
/// connections with 200 runs of history).
pub(super) fn load_latest(
    sqlite: &rusqlite::Connection,
    source: &str,
) -> Result<LatestVersions, StoreError> {
    let mut statement = sqlite.prepare_cached(
        "SELECT c.connection_id, c.id, v.id, v.version, v.event, v.content_hash, k.listing_key \
         FROM connections c \
         JOIN versions v INDEXED BY versions_latest_covering ON v.connection = c.id AND v.valid_to IS NULL \
         LEFT JOIN listing_keys k ON k.connection = c.id AND k.version_id = v.id \
         WHERE c.source = ?1",
    )?;
    let mut rows = statement.query([source])?;
    let mut latest = HashMap::new();
    while let Some(row) = rows.next()? {
        // A hash or key of another length is not one vpnsnap wrote: it
        // equals no listed connection's, which is then normalized and
        // written as changed.
        let bytes = |index| -> rusqlite::Result<Option<[u8; 16]>> {
            let value = row.get_ref(index)?;
            Ok(match value {
                ValueRef::Blob(blob) => blob.try_into().ok(),
                _ => None,
            })
        };
        latest.insert(
            row.get::<_, String>(0)?.into_boxed_str(),
            Latest {
                connection: row.get(1)?,
                version_id: row.get(2)?,
                version: row.get(3)?,
                deleted: matches!(row.get_ref(4)?, ValueRef::Text(b"deleted")),
                hash: bytes(5)?,
                listing_key: bytes(6)?,
            },
        );
    }
    Ok(latest)
}

/// What a listing needs of `latest` to pass over unchanged connections.
pub(super) fn known_versions(latest: &LatestVersions) -> KnownVersions {
    let mut known = KnownVersions::default();
    for (connection_id, latest) in latest {
        if let (false, Some(hash), Some(key)) = (latest.deleted, latest.hash, latest.listing_key) {
            known.insert(key, connection_id, hash);
        }
    }
    known
}

fn last_live_version(tx: &Transaction<'_>, connection: i64) -> Result<Option<i64>, StoreError> {
    Ok(tx
        .query_row(
            "SELECT id FROM versions WHERE connection = ?1 AND event <> 'deleted' ORDER BY version DESC LIMIT 1",
            [connection],
            |row| row.get(0),
        )
        .optional()?)
}

struct VersionContext<'a> {
    run_id: i64,
    kind: ProviderKind,
    observed_at: &'a str,
    previous_observed_at: Option<&'a str>,
}

/// The field changes from a stored version to a newly listed item, and how
/// the item's raw JSON is to be stored (perhaps as a patch of that version's).
fn changes_since(
    tx: &Transaction<'_>,
    context: &VersionContext<'_>,
    version_id: i64,
    item: &Normalized,
) -> Result<(Vec<FieldChange>, RawForm), StoreError> {
    let old_values = read_field_values(tx, version_id)?;
    let mut changes = model_changes(&old_values, &item.connection.field_values());
    let stored = read_raw(tx, version_id)?;
    let old_raw = stored.as_ref().and_then(|stored| stored.raw.as_ref());
    let old_related = stored.as_ref().and_then(|stored| stored.related.as_ref());
    let new_raw = item.raw_value();
    let new_related = item.related_value();
    let volatile = volatile_paths(context.kind);
    changes.extend(raw_changes(
        "raw",
        old_raw,
        new_raw.as_ref(),
        &item.unmapped_value(),
        volatile,
    ));
    changes.extend(related_changes(
        old_related,
        new_related.as_ref(),
        &item.unmapped_related_value(),
    ));
    if changes.is_empty() {
        // The content changed but no model field did, and nothing outside
        // the model: a member the model reads changed only its spelling
        // (legacy 3des-cbc -> 3des both normalize to 3des). The version
        // explains itself by the raw members that changed.
        let whole = |value: &Option<serde_json::Value>| value.clone().unwrap_or_default();
        changes.extend(raw_changes(
            "raw",
            old_raw,
            new_raw.as_ref(),
            &whole(&new_raw),
            volatile,
        ));
        changes.extend(raw_changes(
            "related",
            old_related,
            new_related.as_ref(),
            &whole(&new_related),
            &[],
        ));
    }
    let raw_form = match &stored {
        Some(stored) => form_for(tx, stored, new_raw.as_ref(), new_related.as_ref(), item)?,
        None => RawForm::Full,
    };
    Ok((changes, raw_form))
}

fn supersede(
    tx: &Transaction<'_>,
    version_id: i64,
    observed_at: &str,
    writes: &mut Writes,
) -> Result<(), StoreError> {
    tx.prepare_cached("UPDATE versions SET valid_to = ?1 WHERE id = ?2")?
        .execute(params![observed_at, version_id])?;
    writes.tick()
}

/// Which version of which connection is written, and how its raw JSON is
/// stored. Writing it returns its id.
struct NewVersion<'a> {
    connection: i64,
    version: i64,
    event: &'a str,
    raw_form: RawForm,
}

/// The statements every new version is written with, prepared once per
/// source: looking a statement up in the connection's cache for every row
/// hashed its SQL text (a kilobyte for a version's) each time.
struct Statements<'tx> {
    connection: CachedStatement<'tx>,
    version: CachedStatement<'tx>,
    raw: CachedStatement<'tx>,
}

impl<'tx> Statements<'tx> {
    fn prepare(tx: &'tx Transaction<'_>) -> Result<Statements<'tx>, StoreError> {
        static VERSION_SQL: OnceLock<String> = OnceLock::new();
        let version_sql = VERSION_SQL.get_or_init(|| {
            let placeholders: Vec<String> =
                (9..9 + FIELDS.len()).map(|index| format!("?{index}")).collect();
            format!(
                "INSERT INTO versions (connection, version, event, run_id, observed_at, previous_observed_at, \
                 content_hash, normalizer_version, {}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, {})",
                field_columns(),
                placeholders.join(", ")
            )
        });
        Ok(Statements {
            connection: tx.prepare_cached(
                "INSERT INTO connections (source, provider, connection_id) VALUES (?1, ?2, ?3)",
            )?,
            version: tx.prepare_cached(version_sql)?,
            raw: tx.prepare_cached(INSERT_FULL_RAW)?,
        })
    }
}

fn insert_version(
    statements: &mut Statements<'_>,
    tx: &Transaction<'_>,
    context: &VersionContext<'_>,
    version: &NewVersion<'_>,
    item: &Normalized,
    changes: &[FieldChange],
    writes: &mut Writes,
) -> Result<i64, StoreError> {
    let statement = &mut statements.version;
    statement.raw_bind_parameter(1, version.connection)?;
    statement.raw_bind_parameter(2, version.version)?;
    statement.raw_bind_parameter(3, version.event)?;
    statement.raw_bind_parameter(4, context.run_id)?;
    statement.raw_bind_parameter(5, context.observed_at)?;
    statement.raw_bind_parameter(6, context.previous_observed_at)?;
    statement.raw_bind_parameter(7, item.content_hash.as_slice())?;
    statement.raw_bind_parameter(8, NORMALIZER_VERSION)?;
    // Bound from borrowed values: a version is written without copying them.
    for (offset, value) in item.connection.field_refs().into_iter().enumerate() {
        statement.raw_bind_parameter(9 + offset, value)?;
    }
    statement.raw_execute()?;
    writes.tick()?;
    let version_id = tx.last_insert_rowid();
    insert_raw(tx, &mut statements.raw, version_id, &version.raw_form, item)?;
    writes.tick()?;
    insert_changes(tx, version_id, changes, writes)?;
    Ok(version_id)
}

fn insert_changes(
    tx: &Transaction<'_>,
    version_id: i64,
    changes: &[FieldChange],
    writes: &mut Writes,
) -> Result<(), StoreError> {
    if changes.is_empty() {
        return Ok(());
    }
    let mut statement = tx.prepare_cached(
        "INSERT INTO field_changes (version_id, field, old_value, new_value) VALUES (?1, ?2, ?3, ?4)",
    )?;
    for change in changes {
        statement.execute(params![
            version_id,
            change.field,
            change.old_value,
            change.new_value
        ])?;
        writes.tick()?;
    }
    Ok(())
}

/// A tombstone: event `deleted`, no content but the name it last had.
fn insert_tombstone(
    tx: &Transaction<'_>,
    context: &VersionContext<'_>,
    previous: &Latest,
    keys: &mut ListingKeys,
    writes: &mut Writes,
) -> Result<(), StoreError> {
    supersede(tx, previous.version_id, context.observed_at, writes)?;
    if previous.listing_key.is_some() {
        keys.set(tx, previous.connection, previous.version_id, None, writes)?;
    }
    tx.prepare_cached(
        "INSERT INTO versions (connection, version, event, run_id, observed_at, previous_observed_at, name) \
         SELECT ?1, ?2, 'deleted', ?3, ?4, ?5, name FROM versions WHERE id = ?6",
    )?
    .execute(params![
        previous.connection,
        previous.version + 1,
        context.run_id,
        context.observed_at,
        context.previous_observed_at,
        previous.version_id
    ])?;
    writes.tick()
}
