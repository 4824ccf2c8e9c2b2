//! A run as a whole: what is written (the records each source's listing
//! gives) and the [`RunWriter`], the one `BEGIN IMMEDIATE` transaction
//! that the sources are written into and that commits them together.

use std::collections::HashSet;

use rusqlite::{OptionalExtension, Transaction, TransactionBehavior, params};

use super::summary::{SourceSummary, Writes};
use super::write::write_source;
use super::{LatestCache, StoreError};
use crate::fingerprint::PskFingerprinter;
use crate::listing::SourceResult;
use crate::time::Timestamp;

/// What started a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunKind {
    Collect,
    Import,
}

impl RunKind {
    fn as_str(self) -> &'static str {
        match self {
            RunKind::Collect => "collect",
            RunKind::Import => "import",
        }
    }
}

/// One run to write: what each source's listing gave.
#[derive(Debug)]
pub struct RunRecord {
    pub kind: RunKind,
    pub started_at: Timestamp,
    pub finished_at: Timestamp,
    pub sources: Vec<SourceResult>,
}

/// A run being written: one `BEGIN IMMEDIATE` transaction, begun when the
/// first source is written, that each source is written into as its
/// listing ends. Nothing is visible to
/// readers before [`RunWriter::commit`]; dropping the writer leaves the
/// database exactly as it was, and after a failed source write the writer
/// can only be dropped.
pub struct RunWriter<'a> {
    sqlite: &'a rusqlite::Connection,
    kind: RunKind,
    started_at: Timestamp,
    /// The PSK fingerprint key's id, checked against the database's.
    key_id: String,
    /// The transaction and the run's row, once the first source is written.
    open: Option<OpenRun<'a>>,
    writes: Writes,
    sources: HashSet<String>,
    /// Set when a source's write failed part way: such a run can only be
    /// dropped (rolled back), never committed.
    failed: bool,
    /// Sources' latest versions read before the run, used while no other
    /// connection has written since.
    latest: LatestCache,
}

/// A run whose transaction has begun.
struct OpenRun<'a> {
    tx: Transaction<'a>,
    run_id: i64,
}

pub(super) fn begin_run<'a>(
    sqlite: &'a mut rusqlite::Connection,
    kind: RunKind,
    started_at: Timestamp,
    fingerprinter: &PskFingerprinter,
    fault_after: Option<usize>,
    latest: LatestCache,
) -> RunWriter<'a> {
    RunWriter {
        sqlite,
        kind,
        started_at,
        key_id: fingerprinter.key_id(),
        open: None,
        writes: Writes::new(fault_after),
        sources: HashSet::new(),
        failed: false,
        latest,
    }
}

impl<'a> RunWriter<'a> {
    /// Writes one source's listing into the run: new versions, tombstones
    /// (complete listings only) and field changes. A source may appear once
    /// per run, and not observed earlier than its latest run. The first
    /// source begins the transaction.
    pub fn write_source(&mut self, source: &SourceResult) -> Result<SourceSummary, StoreError> {
        if self.failed {
            return Err(StoreError::RunFailed);
        }
        if !self.sources.insert(source.source.clone()) {
            return Err(StoreError::DuplicateSource(source.source.clone()));
        }
        let mut latest = std::mem::take(&mut self.latest);
        let written = self.open().and_then(|(open, writes)| {
            check_append_only(&open.tx, source)?;
            check_identity(&open.tx, source, writes)?;
            // Read before the run: still the latest if no other connection
            // has committed since (this transaction holds the write lock).
            let version = super::data_version(&open.tx)?;
            let known = latest.take(&source.source, version);
            write_source(&open.tx, open.run_id, source, known, writes)
        });
        self.latest = latest;
        self.failed = written.is_err();
        written
    }

    /// Makes the run visible, finished at `finished_at`; returns its id.
    /// Refused after a failed [`RunWriter::write_source`], which may have
    /// written part of its source.
    pub fn commit(mut self, finished_at: Timestamp) -> Result<i64, StoreError> {
        if self.failed {
            return Err(StoreError::RunFailed);
        }
        let (open, writes) = self.open()?;
        open.tx.execute(
            "UPDATE runs SET finished_at = ?1 WHERE id = ?2",
            params![finished_at.to_string(), open.run_id],
        )?;
        writes.tick()?;
        let Some(OpenRun { tx, run_id }) = self.open.take() else {
            return Err(StoreError::RunFailed);
        };
        tx.commit()?;
        Ok(run_id)
    }

    /// The run's transaction, begun (with the fingerprint key checked and
    /// the run's row inserted) on first use; and the write counter.
    fn open(&mut self) -> Result<(&OpenRun<'a>, &mut Writes), StoreError> {
        let open = match self.open.take() {
            Some(open) => open,
            None => {
                // The writer holds the store's connection exclusively (see
                // `Store::begin_run`), so no other transaction can be open.
                let tx = Transaction::new_unchecked(self.sqlite, TransactionBehavior::Immediate)?;
                check_fingerprint_key(&tx, &self.key_id, &mut self.writes)?;
                // finished_at is set again by `commit`; until then the row
                // is invisible.
                tx.execute(
                    "INSERT INTO runs (kind, started_at, finished_at, vpnsnap_version) \
                     VALUES (?1, ?2, ?2, ?3)",
                    params![
                        self.kind.as_str(),
                        self.started_at.to_string(),
                        env!("CARGO_PKG_VERSION")
                    ],
                )?;
                self.writes.tick()?;
                let run_id = tx.last_insert_rowid();
                OpenRun { tx, run_id }
            }
        };
        let open = self.open.insert(open);
        Ok((open, &mut self.writes))
    }
}

fn check_fingerprint_key(
    tx: &Transaction<'_>,
    key_id: &str,
    writes: &mut Writes,
) -> Result<(), StoreError> {
    let current = key_id.to_string();
    let stored: Option<String> = tx
        .query_row(
            "SELECT value FROM meta WHERE key = 'fingerprint_key_id'",
            [],
            |row| row.get(0),
        )
        .optional()?;
    match stored {
        Some(stored) if stored != current => {
            Err(StoreError::FingerprintKeyChanged { stored, current })
        }
        Some(_) => Ok(()),
        None => {
            tx.execute(
                "INSERT INTO meta (key, value) VALUES ('fingerprint_key_id', ?1)",
                [current],
            )?;
            writes.tick()
        }
    }
}

/// The source's identity as first recorded: the same kind always, and the
/// same region and account wherever both are known (one not known before
/// is recorded now).
fn check_identity(
    tx: &Transaction<'_>,
    source: &SourceResult,
    writes: &mut Writes,
) -> Result<(), StoreError> {
    let stored: Option<(String, Option<String>, Option<String>)> = tx
        .query_row(
            "SELECT kind, region, account FROM sources WHERE name = ?1",
            [&source.source],
            |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
        )
        .optional()?;
    let kind = source.provider.as_str();
    let Some((stored_kind, stored_region, stored_account)) = stored else {
        tx.execute(
            "INSERT INTO sources (name, kind, region, account) VALUES (?1, ?2, ?3, ?4)",
            params![source.source, kind, source.region, source.account],
        )?;
        return writes.tick();
    };
    let differs = |stored: &Option<String>, given: &Option<String>| matches!((stored, given), (Some(stored), Some(given)) if stored != given);
    if stored_kind != kind
        || differs(&stored_region, &source.region)
        || differs(&stored_account, &source.account)
    {
        return Err(StoreError::IdentityChanged {
            source_name: source.source.clone(),
            stored: identity(
                &stored_kind,
                stored_region.as_deref(),
                stored_account.as_deref(),
            ),
            given: identity(kind, source.region.as_deref(), source.account.as_deref()),
        });
    }
    if (stored_region.is_none() && source.region.is_some())
        || (stored_account.is_none() && source.account.is_some())
    {
        tx.execute(
            "UPDATE sources SET region = coalesce(region, ?2), account = coalesce(account, ?3) \
             WHERE name = ?1",
            params![source.source, source.region, source.account],
        )?;
        writes.tick()?;
    }
    Ok(())
}

/// `huaweicloud, region cn-north-4, account 0a1b` for messages.
fn identity(kind: &str, region: Option<&str>, account: Option<&str>) -> String {
    let mut text = kind.to_string();
    if let Some(region) = region {
        text.push_str(&format!(", region {region}"));
    }
    if let Some(account) = account {
        text.push_str(&format!(", account {account}"));
    }
    text
}

fn check_append_only(tx: &Transaction<'_>, source: &SourceResult) -> Result<(), StoreError> {
    let latest: Option<String> = tx.query_row(
        "SELECT max(observed_at) FROM run_sources WHERE source = ?1",
        [&source.source],
        |row| row.get(0),
    )?;
    let given = source.observed_at.to_string();
    match latest {
        Some(latest) if given < latest => Err(StoreError::NotAppendOnly {
            source_name: source.source.clone(),
            latest,
            given,
        }),
        _ => Ok(()),
    }
}
