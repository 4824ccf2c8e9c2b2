//! The history store: opening the database (file mode, pragmas, then
//! migrations) and the entry points for writing a run and reading back.
//!
//! Schema and semantics are documented in `migrations/` and in the README
//! ("The database, for analysts").

mod columns;
mod diff;
mod listing_keys;
mod raw;
mod run;
mod summary;
mod write;

use std::collections::HashMap;
use std::fs;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection as Sqlite, OpenFlags, OptionalExtension};

pub use run::{RunKind, RunRecord, RunWriter};
pub use summary::{Outcome, RunSummary, SourceSummary};

use crate::fingerprint::PskFingerprinter;
use crate::listing::KnownVersions;
use crate::time::Timestamp;

mod embedded {
    refinery::embed_migrations!("migrations");
}

/// How long a writer waits for another writer's transaction before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// Errors of the store; callers branch on them (e.g. append-only refusals are
/// the user's to fix, SQLite errors are not).
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot create the database file {path}: {source}")]
    Create {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot open the database {path}: {source}")]
    Open {
        path: PathBuf,
        source: rusqlite::Error,
    },
    #[error(
        "{path} is not a SQLite database ({source}); vpnsnap writes only its own: pass a new --db PATH"
    )]
    NotSqlite {
        path: PathBuf,
        source: rusqlite::Error,
    },
    #[error(
        "{path} is another application's SQLite database (it has tables, but not vpnsnap's \
         schema); vpnsnap writes only its own: pass a new --db PATH"
    )]
    Foreign { path: PathBuf },
    #[error(
        "{path} is another application's SQLite database (its header's application_id is \
         {id:#010x}, not vpnsnap's {APPLICATION_ID:#010x}); vpnsnap writes only its own: pass a \
         new --db PATH"
    )]
    MarkedForeign { path: PathBuf, id: i32 },
    #[error(
        "{path} was written by a newer vpnsnap (its schema is at migration V{applied}; this \
         vpnsnap knows up to V{known}): writing it with this version could break what the newer \
         one keeps. Nothing was written: use that version of vpnsnap or a later one"
    )]
    NewerSchema {
        path: PathBuf,
        applied: i64,
        known: i64,
    },
    #[error("cannot migrate the database {path} to the current schema{pending}: {source}")]
    Migrate {
        path: PathBuf,
        /// ` (pending, applied together or not at all: V6__raw_json_text)`,
        /// or empty when none was pending.
        pending: String,
        source: Box<refinery::Error>,
    },
    #[error(
        "source {source_name:?}: history is append-only, and its latest run was observed at {latest}; \
         {given} is earlier (pass a later --observed-at)"
    )]
    NotAppendOnly {
        source_name: String,
        latest: String,
        given: String,
    },
    #[error(
        "the PSK fingerprint key differs from the one this database was written with \
         (key id {stored}, now {current}); every fingerprint would change. Restore the \
         original key (the fingerprint_key setting or the key file beside the database)"
    )]
    FingerprintKeyChanged { stored: String, current: String },
    #[error(
        "source {source_name:?} is stored as {stored}, and this run lists it as {given}; a \
         source name stands for one account and region for good (its history would otherwise \
         record every connection as deleted): use a new source name. Nothing was written"
    )]
    IdentityChanged {
        source_name: String,
        stored: String,
        given: String,
    },
    #[error(
        "source {source_name:?}: connection {connection_id:?} was passed over as unchanged since \
         its latest stored version, which is no longer its latest (another process wrote the \
         source while the listing was taken); nothing was written: run again"
    )]
    StaleListing {
        source_name: String,
        connection_id: String,
    },
    #[error("source {0:?} appears twice in one run")]
    DuplicateSource(String),
    #[error("source {source_name:?}: connection {connection_id:?} is listed twice in one run")]
    DuplicateConnection {
        source_name: String,
        connection_id: String,
    },
    /// A listing's spool, read while its source is written.
    #[error(transparent)]
    Spool(#[from] crate::listing::SpoolError),
    #[error("an earlier source of this run failed to be written; the run cannot be committed")]
    RunFailed,
    #[error("injected fault after {0} writes (test hook)")]
    InjectedFault(usize),
    #[error(transparent)]
    Sqlite(#[from] rusqlite::Error),
}

/// An open history database.
pub struct Store {
    sqlite: Sqlite,
    fault_after_writes: Option<usize>,
    /// The latest versions read by [`Store::known_versions`], kept for the
    /// next run to write while no other connection has written since.
    latest: LatestCache,
}

/// Sources' latest versions as read at one `PRAGMA data_version` (which
/// changes when another connection commits).
#[derive(Default)]
pub(crate) struct LatestCache {
    data_version: Option<i64>,
    by_source: HashMap<String, write::LatestVersions>,
}

impl LatestCache {
    /// The latest versions of `source` if they were read at
    /// `data_version`, taken out of the cache.
    fn take(&mut self, source: &str, data_version: i64) -> Option<write::LatestVersions> {
        match self.data_version == Some(data_version) {
            true => self.by_source.remove(source),
            false => None,
        }
    }
}

fn data_version(sqlite: &Sqlite) -> Result<i64, rusqlite::Error> {
    sqlite.query_row("PRAGMA data_version", [], |row| row.get(0))
}

impl Store {
    /// Opens (creating it with mode 0600 if absent) the database at `path`,
    /// sets the pragmas and applies pending migrations. Another
    /// application's database, or a file that is not SQLite, is refused
    /// untouched ([`check_database`]).
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        if path.exists() {
            check_database(path)?;
        } else {
            create_owner_only(path)?;
        }
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let mut sqlite =
            Sqlite::open_with_flags(path, flags).map_err(|source| StoreError::Open {
                path: path.into(),
                source,
            })?;
        // A newer vpnsnap's database is left alone (before any pragma):
        // refinery would pass over the migrations it does not know and this
        // version would write rows that the newer schema may not expect.
        let _ = sqlite.busy_timeout(BUSY_TIMEOUT);
        refuse_newer(&sqlite, path)?;
        set_pragmas_waiting(&sqlite).map_err(|source| StoreError::Open {
            path: path.into(),
            source,
        })?;
        // All pending migrations and their history rows in one transaction
        // (refinery's default commits each migration and its history row
        // apart): a failure or a crash leaves the database as it was.
        let pending = pending_migrations(&sqlite);
        let migrated = embedded::migrations::runner()
            .set_grouped(true)
            .run(&mut sqlite);
        // refinery reads what was applied outside its transaction: another
        // process (a query beside a collect) may have migrated the database
        // in between, which leaves nothing to do here.
        if let Err(source) = migrated
            && needs_migration(&sqlite).unwrap_or(true)
        {
            return Err(StoreError::Migrate {
                path: path.into(),
                pending: match pending.is_empty() {
                    true => String::new(),
                    false => format!(" (pending, applied together or not at all: {pending})"),
                },
                source: Box::new(source),
            });
        }
        // A newer vpnsnap's `query` may have migrated it meanwhile.
        refuse_newer(&sqlite, path)?;
        Ok(Store {
            sqlite,
            fault_after_writes: None,
            latest: LatestCache::default(),
        })
    }

    /// What a listing of `source` needs to pass over the connections
    /// unchanged since their latest stored versions.
    /// The versions read are kept for the next run's write of `source`,
    /// which reads them again only if another connection wrote meanwhile.
    pub fn known_versions(&mut self, source: &str) -> Result<KnownVersions, StoreError> {
        let before = data_version(&self.sqlite)?;
        let latest = write::load_latest(&self.sqlite, source)?;
        let known = write::known_versions(&latest);
        // Kept only if no other connection committed while it was read.
        let version = data_version(&self.sqlite)?;
        if version == before {
            if self.latest.data_version != Some(version) {
                self.latest = LatestCache {
                    data_version: Some(version),
                    by_source: HashMap::new(),
                };
            }
            self.latest.by_source.insert(source.to_string(), latest);
        }
        Ok(known)
    }

    /// The underlying SQLite connection, for reading.
    pub fn sqlite(&self) -> &Sqlite {
        &self.sqlite
    }

    /// When each source's listing last succeeded (`ok` or `partial`).
    pub fn last_successes(&self) -> Result<HashMap<String, Timestamp>, StoreError> {
        let mut statement = self.sqlite.prepare(
            "SELECT source, max(observed_at) FROM run_sources \
             WHERE outcome IN ('ok', 'partial') GROUP BY source",
        )?;
        let rows = statement.query_map([], |row| {
            Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?))
        })?;
        let mut last = HashMap::new();
        for row in rows {
            let (source, observed_at) = row?;
            if let Ok(at) = Timestamp::parse_rfc3339(&observed_at) {
                last.insert(source, at);
            }
        }
        Ok(last)
    }

    /// What the latest run of `source` recorded for it (counts, outcome,
    /// error), if it was ever collected or imported.
    pub fn last_source_summary(&self, source: &str) -> Result<Option<SourceSummary>, StoreError> {
        let summary = self
            .sqlite
            .query_row(
                "SELECT provider, outcome, item_count, created, changed, deleted, recreated, \
                 error, coalesce(json_array_length(warnings), 0) \
                 FROM run_sources WHERE source = ?1 ORDER BY run_id DESC LIMIT 1",
                [source],
                |row| {
                    let count = |index: usize| -> rusqlite::Result<usize> {
                        Ok(usize::try_from(row.get::<_, i64>(index)?).unwrap_or(0))
                    };
                    Ok(SourceSummary {
                        source: source.to_string(),
                        provider: row.get(0)?,
                        outcome: row.get(1)?,
                        items: count(2)?,
                        created: count(3)?,
                        changed: count(4)?,
                        deleted: count(5)?,
                        recreated: count(6)?,
                        unchanged: 0,
                        warnings: count(8)?,
                        error: row.get(7)?,
                    })
                },
            )
            .optional()?;
        Ok(summary)
    }

    /// Test hook: make the next run ([`Store::write_run`] or
    /// [`Store::begin_run`]) fail after `writes` statements, as a crash
    /// between writes would.
    #[doc(hidden)]
    pub fn inject_fault_after_writes(&mut self, writes: usize) {
        self.fault_after_writes = Some(writes);
    }

    /// Starts writing a run (see [`RunWriter`]): sources are written into
    /// it as their listings end, and nothing is visible before its commit.
    /// The database is not touched (nor locked) before the first source.
    pub fn begin_run(
        &mut self,
        kind: RunKind,
        started_at: Timestamp,
        fingerprinter: &PskFingerprinter,
    ) -> RunWriter<'_> {
        let fault_after = self.fault_after_writes.take();
        let latest = std::mem::take(&mut self.latest);
        run::begin_run(
            &mut self.sqlite,
            kind,
            started_at,
            fingerprinter,
            fault_after,
            latest,
        )
    }

    /// Writes one run in one transaction: all of it or, on any error, none.
    pub fn write_run(
        &mut self,
        run: &RunRecord,
        fingerprinter: &PskFingerprinter,
    ) -> Result<RunSummary, StoreError> {
        let mut writer = self.begin_run(run.kind, run.started_at, fingerprinter);
        let sources = run
            .sources
            .iter()
            .map(|source| writer.write_source(source))
            .collect::<Result<Vec<_>, _>>()?;
        let run_id = writer.commit(run.finished_at)?;
        Ok(RunSummary { run_id, sources })
    }
}

/// vpnsnap's mark in a database's header (`PRAGMA application_id`, set by
/// migration V9): "vpns" in ASCII.
pub const APPLICATION_ID: i32 = 0x7670_6e73;

/// Whether the file at `path` may be written as a vpnsnap database: absent,
/// empty, marked as vpnsnap's ([`APPLICATION_ID`]), or unmarked with
/// vpnsnap's schema (any version; a database written before V9). Another
/// application's mark refuses it. It is read only (a header read, no pragma
/// set, no journal change), so a refused file stays
/// byte-identical; callers check before creating anything beside it (the
/// lock, the fingerprint key file).
pub fn check_database(path: &Path) -> Result<(), StoreError> {
    if !path.exists() {
        return Ok(());
    }
    let not_sqlite = |source| StoreError::NotSqlite {
        path: path.into(),
        source,
    };
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let sqlite = Sqlite::open_with_flags(path, flags).map_err(not_sqlite)?;
    // The header's mark first: read without loading the schema, which a
    // statement on sqlite_master parses whole (every table, index and
    // view), on a connection opened for nothing else.
    let id: i32 = sqlite
        .query_row("PRAGMA application_id", [], |row| row.get(0))
        .map_err(not_sqlite)?;
    match id {
        APPLICATION_ID => return Ok(()),
        0 => {}
        id => {
            return Err(StoreError::MarkedForeign {
                path: path.into(),
                id,
            });
        }
    }
    // Unmarked: new, empty, written before V9, or another application's.
    let (objects, ours): (i64, i64) = sqlite
        .query_row(
            "SELECT count(*), count(*) FILTER (WHERE name = 'refinery_schema_history') \
             FROM sqlite_master",
            [],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
        .map_err(not_sqlite)?;
    if objects > 0 && ours == 0 {
        return Err(StoreError::Foreign { path: path.into() });
    }
    Ok(())
}

/// Whether the database lacks migrations this version of vpnsnap has (so
/// that a reader can bring it up to date with [`Store::open`] first).
pub fn needs_migration(sqlite: &Sqlite) -> Result<bool, rusqlite::Error> {
    Ok(applied_migration(sqlite)? < latest_migration())
}

/// [`StoreError::NewerSchema`] if the database has a migration newer than
/// this version of vpnsnap knows. A history that cannot be read (none yet,
/// or a lock) refuses nothing: [`Store::open`] asks again after migrating.
fn refuse_newer(sqlite: &Sqlite, path: &Path) -> Result<(), StoreError> {
    let Ok(applied) = applied_migration(sqlite) else {
        return Ok(());
    };
    let known = latest_migration();
    match applied > known {
        true => Err(StoreError::NewerSchema {
            path: path.into(),
            applied,
            known,
        }),
        false => Ok(()),
    }
}

/// The latest migration this version of vpnsnap has.
fn latest_migration() -> i64 {
    // Once per process: refinery's runner parses every embedded migration's
    // name and checksums its SQL.
    static LATEST: std::sync::OnceLock<i64> = std::sync::OnceLock::new();
    *LATEST.get_or_init(|| {
        embedded::migrations::runner()
            .get_migrations()
            .iter()
            .map(|migration| i64::from(migration.version()))
            .max()
            .unwrap_or(0)
    })
}

/// The latest migration applied to the database (0 for a new one).
fn applied_migration(sqlite: &Sqlite) -> Result<i64, rusqlite::Error> {
    let applied: Option<i64> = sqlite.query_row(
        "SELECT max(version) FROM refinery_schema_history",
        [],
        |row| row.get(0),
    )?;
    Ok(applied.unwrap_or(0))
}

/// The names of the migrations not yet applied (`V6__raw_json_text, ...`),
/// for the error if applying them fails.
fn pending_migrations(sqlite: &Sqlite) -> String {
    // A new database has no history table yet: every migration is pending.
    let applied = applied_migration(sqlite).unwrap_or(0);
    let mut pending: Vec<_> = embedded::migrations::runner()
        .get_migrations()
        .iter()
        .filter(|migration| i64::from(migration.version()) > applied)
        .map(|migration| (migration.version(), migration.to_string()))
        .collect();
    pending.sort();
    let names: Vec<_> = pending.into_iter().map(|(_, name)| name).collect();
    names.join(", ")
}

fn create_owner_only(path: &Path) -> Result<(), StoreError> {
    fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .map(drop)
        .or_else(|error| match error.kind() {
            std::io::ErrorKind::AlreadyExists => Ok(()),
            _ => Err(error),
        })
        .map_err(|source| StoreError::Create {
            path: path.to_path_buf(),
            source,
        })
}

/// Pragmas for every connection, outside any transaction and before migrating.
/// [`set_pragmas`], tried again while another connection holds a lock for
/// up to [`BUSY_TIMEOUT`]: SQLite answers a switch to WAL with "database is
/// locked" at once, without its busy handler, while another process opens
/// (and migrates) the same database (a query beside a collect).
fn set_pragmas_waiting(sqlite: &Sqlite) -> rusqlite::Result<()> {
    let started = std::time::Instant::now();
    let mut pause = Duration::from_millis(5);
    loop {
        match set_pragmas(sqlite) {
            Err(rusqlite::Error::SqliteFailure(error, _))
                if matches!(
                    error.code,
                    rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked
                ) && started.elapsed() < BUSY_TIMEOUT =>
            {
                std::thread::sleep(pause);
                pause = (pause * 2).min(Duration::from_millis(100));
            }
            other => return other,
        }
    }
}

fn set_pragmas(sqlite: &Sqlite) -> rusqlite::Result<()> {
    sqlite.busy_timeout(BUSY_TIMEOUT)?;
    // Takes effect only while the database is empty: 16 KiB pages waste less
    // space around rows of a kilobyte or two (the raw JSON): measured 1.52x the raw
    // JSON baseline against 1.59x with 8 KiB pages (benches/ingest.rs).
    sqlite.execute_batch("PRAGMA page_size = 16384")?;
    let mode: String = sqlite.query_row("PRAGMA journal_mode = WAL", [], |row| row.get(0))?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(rusqlite::Error::InvalidParameterName(format!(
            "journal_mode is {mode}, WAL could not be enabled"
        )));
    }
    sqlite.execute_batch("PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL;")?;
    Ok(())
}
