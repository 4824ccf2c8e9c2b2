//! The read-only connection every question and ad-hoc statement runs on:
//! opened with `SQLITE_OPEN_READ_ONLY`, `PRAGMA query_only = 1`, an
//! authorizer that refuses writes, schema changes, ATTACH/DETACH,
//! transactions and state-changing PRAGMAs, and a check that each prepared
//! statement is read-only (which catches `VACUUM INTO`).

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rusqlite::hooks::{AuthAction, AuthContext, Authorization};
use rusqlite::types::ValueRef;
use rusqlite::{Connection as Sqlite, OpenFlags, Statement};

use super::QueryError;

/// PRAGMAs that only report, allowed without an argument.
const READ_PRAGMAS: &[&str] = &[
    "application_id",
    "auto_vacuum",
    "collation_list",
    "compile_options",
    "data_version",
    "database_list",
    "encoding",
    "foreign_key_check",
    "foreign_keys",
    "freelist_count",
    "function_list",
    "integrity_check",
    "journal_mode",
    "module_list",
    "page_count",
    "page_size",
    "pragma_list",
    "query_only",
    "quick_check",
    "schema_version",
    "table_list",
    "user_version",
];

/// PRAGMAs that describe a table or index named by their argument.
const SCHEMA_PRAGMAS: &[&str] = &[
    "foreign_key_list",
    "index_info",
    "index_list",
    "index_xinfo",
    "table_info",
    "table_xinfo",
];

/// The tables through which SQLite records schema changes.
const SCHEMA_TABLES: &[&str] = &[
    "sqlite_master",
    "sqlite_schema",
    "sqlite_temp_master",
    "sqlite_temp_schema",
];

/// A database opened for reading only.
pub struct QueryDb {
    sqlite: Sqlite,
    /// What the authorizer saw while preparing the last statement.
    seen: Arc<Mutex<Seen>>,
}

/// What the authorizer saw of a statement being prepared.
#[derive(Debug, Default)]
struct Seen {
    /// The first action refused.
    refused: Option<Refusal>,
    /// An allowed (reporting) PRAGMA: SQLite calls every PRAGMA statement
    /// not read-only, so the read-only check defers to the authorizer.
    pragma: bool,
}

#[derive(Debug)]
enum Refusal {
    /// Creating, altering or dropping anything (named by the statement).
    Schema,
    Described(String),
}

impl QueryDb {
    /// Opens the vpnsnap database at `path` read-only.
    pub fn open(path: &Path) -> Result<QueryDb, QueryError> {
        if !path.exists() {
            return Err(QueryError::NoDatabase(path.to_path_buf()));
        }
        let open_error = |source| QueryError::Open {
            path: path.to_path_buf(),
            source,
        };
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let sqlite = Sqlite::open_with_flags(path, flags).map_err(open_error)?;
        sqlite
            .busy_timeout(Duration::from_secs(10))
            .map_err(open_error)?;
        // A 64 MiB page cache (SQLite's default is 2 MiB): a question over a
        // long window reads much of the database, some of it twice. The
        // first GiB of the file is read through a memory map (read-only):
        // the questions over the whole estate read pages all over the file,
        // and copying each one into the cache had been about half their time
        // (`as-of` over 10,000 connections: 84 -> 40 ms of CPU). SQLite falls
        // back to reads where it cannot map.
        sqlite
            .execute_batch(
                "PRAGMA query_only = 1; PRAGMA cache_size = -65536; PRAGMA mmap_size = 1073741824",
            )
            .map_err(open_error)?;
        let is_vpnsnap: bool = sqlite
            .query_row(
                "SELECT count(*) = 2 FROM sqlite_schema WHERE type = 'table' AND name IN ('versions', 'run_sources')",
                [],
                |row| row.get(0),
            )
            .map_err(open_error)?;
        if !is_vpnsnap {
            return Err(QueryError::NotVpnsnap(path.to_path_buf()));
        }
        if let Some(what) = not_utf8_schema(&sqlite).map_err(open_error)? {
            return Err(QueryError::NotUtf8Schema {
                path: path.to_path_buf(),
                what,
            });
        }
        let seen = Arc::new(Mutex::new(Seen::default()));
        let slot = Arc::clone(&seen);
        sqlite.authorizer(Some(move |context: AuthContext<'_>| {
            let verdict = judge(&context.action);
            let allowed = !matches!(verdict, Verdict::Refuse(_));
            if let Ok(mut seen) = slot.lock() {
                match verdict {
                    Verdict::Allow => {}
                    Verdict::Pragma => seen.pragma = true,
                    Verdict::Refuse(refusal) => {
                        seen.refused.get_or_insert(refusal);
                    }
                }
            }
            if allowed {
                Authorization::Allow
            } else {
                Authorization::Deny
            }
        }));
        Ok(QueryDb { sqlite, seen })
    }

    /// Prepares one read-only statement; anything else is refused before it runs.
    pub fn prepare(&self, sql: &str) -> Result<Statement<'_>, QueryError> {
        if let Ok(mut seen) = self.seen.lock() {
            *seen = Seen::default();
        }
        let prepared = self.sqlite.prepare(sql);
        let (refused, pragma) = match self.seen.lock() {
            Ok(mut seen) => (seen.refused.take(), seen.pragma),
            Err(_) => (None, false),
        };
        let describe = |refusal: Refusal| match refusal {
            Refusal::Schema => format!("a schema change ({})", first_words(sql)),
            Refusal::Described(what) => what,
        };
        let statement = match (prepared, refused) {
            (_, Some(refusal)) => return Err(QueryError::Refused(describe(refusal))),
            (Err(error), None) => return Err(QueryError::from_sqlite(error, sql)),
            (Ok(statement), None) => statement,
        };
        if !statement.readonly() && !pragma {
            return Err(QueryError::Refused(format!(
                "{} (it would write)",
                first_words(sql)
            )));
        }
        Ok(statement)
    }

    /// The connection, for the library's own lookups.
    pub fn sqlite(&self) -> &Sqlite {
        &self.sqlite
    }
}

/// What the authorizer makes of one action.
enum Verdict {
    Allow,
    /// A PRAGMA that only reports.
    Pragma,
    Refuse(Refusal),
}

/// The first object of the schema whose name or SQL is not UTF-8, named
/// lossily: rusqlite's authorizer hook panics on such a name (a table's
/// column, say) before the closure sees it, and refuses the statement.
fn not_utf8_schema(sqlite: &Sqlite) -> rusqlite::Result<Option<String>> {
    let mut statement = sqlite.prepare("SELECT type, name, sql FROM sqlite_schema")?;
    let mut rows = statement.query([])?;
    while let Some(row) = rows.next()? {
        // Text as SQLite gives it in UTF-8 (whatever the database's
        // encoding), which is what the authorizer hook is handed.
        let bytes = |index| -> rusqlite::Result<Vec<u8>> {
            Ok(match row.get_ref(index)? {
                ValueRef::Text(bytes) | ValueRef::Blob(bytes) => bytes.to_vec(),
                _ => Vec::new(),
            })
        };
        let (kind, name, sql) = (bytes(0)?, bytes(1)?, bytes(2)?);
        let utf8 = |bytes: &[u8]| std::str::from_utf8(bytes).is_ok();
        if !(utf8(&kind) && utf8(&name) && utf8(&sql)) {
            let what = if utf8(&name) { "definition" } else { "name" };
            return Ok(Some(format!(
                "{what} of {} {:?}",
                String::from_utf8_lossy(&kind),
                String::from_utf8_lossy(&name)
            )));
        }
    }
    Ok(None)
}

/// Reading is allowed; so are PRAGMAs that only report. Everything else is
/// refused, and named for the error message.
fn judge(action: &AuthAction<'_>) -> Verdict {
    let refuse = |what: String| Verdict::Refuse(Refusal::Described(what));
    match *action {
        AuthAction::Select
        | AuthAction::Read { .. }
        | AuthAction::Function { .. }
        | AuthAction::Recursive => Verdict::Allow,
        AuthAction::Pragma {
            pragma_name,
            pragma_value,
        } => {
            let name = pragma_name.to_ascii_lowercase();
            let allowed = match pragma_value {
                None => {
                    READ_PRAGMAS.contains(&name.as_str()) || SCHEMA_PRAGMAS.contains(&name.as_str())
                }
                Some(_) => SCHEMA_PRAGMAS.contains(&name.as_str()),
            };
            match (allowed, pragma_value) {
                (true, _) => Verdict::Pragma,
                (false, Some(value)) => refuse(format!("PRAGMA {pragma_name} = {value}")),
                (false, None) => refuse(format!("PRAGMA {pragma_name}")),
            }
        }
        AuthAction::Insert { table_name }
        | AuthAction::Delete { table_name }
        | AuthAction::Update { table_name, .. }
            if SCHEMA_TABLES.contains(&table_name) =>
        {
            Verdict::Refuse(Refusal::Schema)
        }
        AuthAction::Insert { table_name } => refuse(format!("INSERT into {table_name}")),
        AuthAction::Update { table_name, .. } => refuse(format!("UPDATE of {table_name}")),
        AuthAction::Delete { table_name } => refuse(format!("DELETE from {table_name}")),
        AuthAction::Attach { filename } => refuse(format!("ATTACH of {filename:?}")),
        AuthAction::Detach { database_name } => refuse(format!("DETACH of {database_name}")),
        AuthAction::Transaction { .. } | AuthAction::Savepoint { .. } => {
            refuse("a transaction statement".to_string())
        }
        _ => Verdict::Refuse(Refusal::Schema),
    }
}

/// The statement's first words, to name it in a refusal.
fn first_words(sql: &str) -> String {
    let words: Vec<&str> = sql.split_whitespace().take(2).collect();
    words.join(" ").to_uppercase()
}
