//! The read-only connection every question and ad-hoc statement runs on:
//! opened with `SQLITE_OPEN_READ_ONLY`, `PRAGMA query_only = 1`, an
//! authorizer that refuses writes, schema changes, ATTACH/DETACH,
//! transactions and state-changing PRAGMAs, and a check that each prepared
//! statement is read-only (which catches `VACUUM INTO`).

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rusqlite::hooks::{AuthAction, AuthContext, Authorization};
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

/// A database opened for reading only.
pub struct QueryDb {
    sqlite: Sqlite,
    /// What the authorizer last refused, for the error message.
    refused: Arc<Mutex<Option<String>>>,
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
        sqlite
            .execute_batch("PRAGMA query_only = 1")
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
        let refused = Arc::new(Mutex::new(None));
        let slot = Arc::clone(&refused);
        sqlite.authorizer(Some(move |context: AuthContext<'_>| {
            match refusal(&context.action) {
                None => Authorization::Allow,
                Some(what) => {
                    if let Ok(mut slot) = slot.lock() {
                        slot.get_or_insert(what);
                    }
                    Authorization::Deny
                }
            }
        }));
        Ok(QueryDb { sqlite, refused })
    }

    /// Prepares one read-only statement; anything else is refused before it runs.
    pub fn prepare(&self, sql: &str) -> Result<Statement<'_>, QueryError> {
        if let Ok(mut slot) = self.refused.lock() {
            *slot = None;
        }
        let statement = self.sqlite.prepare(sql).map_err(|error| {
            let refused = self.refused.lock().ok().and_then(|mut slot| slot.take());
            match refused {
                Some(what) => QueryError::Refused(what),
                None => QueryError::from_sqlite(error, sql),
            }
        })?;
        if !statement.readonly() {
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

/// What an action would do, if it is not plain reading.
fn refusal(action: &AuthAction<'_>) -> Option<String> {
    match *action {
        AuthAction::Select
        | AuthAction::Read { .. }
        | AuthAction::Function { .. }
        | AuthAction::Recursive => None,
        AuthAction::Pragma {
            pragma_name,
            pragma_value,
        } => {
            let name = pragma_name.to_ascii_lowercase();
            let allowed = match pragma_value {
                None => READ_PRAGMAS.contains(&name.as_str()) || SCHEMA_PRAGMAS.contains(&name.as_str()),
                Some(_) => SCHEMA_PRAGMAS.contains(&name.as_str()),
            };
            match (allowed, pragma_value) {
                (true, _) => None,
                (false, Some(value)) => Some(format!("PRAGMA {pragma_name} = {value}")),
                (false, None) => Some(format!("PRAGMA {pragma_name}")),
            }
        }
        AuthAction::Insert { table_name } => Some(format!("INSERT into {table_name}")),
        AuthAction::Update { table_name, .. } => Some(format!("UPDATE of {table_name}")),
        AuthAction::Delete { table_name } => Some(format!("DELETE from {table_name}")),
        AuthAction::Attach { filename } => Some(format!("ATTACH of {filename:?}")),
        AuthAction::Detach { database_name } => Some(format!("DETACH of {database_name}")),
        AuthAction::Transaction { .. } | AuthAction::Savepoint { .. } => {
            Some("a transaction statement".to_string())
        }
        ref other => Some(format!("a schema change ({other:?})")),
    }
}

/// The statement's first words, to name it in a refusal.
fn first_words(sql: &str) -> String {
    let words: Vec<&str> = sql.split_whitespace().take(2).collect();
    words.join(" ").to_uppercase()
}
