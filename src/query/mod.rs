//! Questions about the history: the catalogue of named questions embedded
//! from `queries/*.sql` (and users' own files in the same shape), binding
//! their named parameters, and running them, or ad-hoc SQL, on a read-only
//! connection.
//!
//! Parameters are bound by name through SQLite; user input never becomes
//! SQL text.

mod catalogue;
mod database;
mod output;
mod resolve;
mod rows;

use std::path::PathBuf;

use rusqlite::types::Value;

pub use catalogue::{Param, ParamKind, Query, catalogue, find};
pub use database::QueryDb;
pub use output::{Format, RowWriter, Table, write};
pub use resolve::{Candidate, check_source, resolve};
pub use rows::{Bound, StreamError};

use crate::model::Status;
use crate::time::{Timestamp, parse_time};

/// What can go wrong asking a question. [`QueryError::is_usage`] tells the
/// caller's mistakes (exit code 2) from failures.
#[derive(Debug, thiserror::Error)]
pub enum QueryError {
    #[error("no question called {name:?}; the questions are: {known} (see vpnsnap query --list)")]
    UnknownQuery { name: String, known: String },
    #[error("query {query}: {message}")]
    Header { query: String, message: String },
    #[error("query {query} has no parameter {name:?}; its parameters are: {known}")]
    UnknownParam {
        query: String,
        name: String,
        known: String,
    },
    #[error("query {query} needs --param {name}=... ({description})")]
    MissingParam {
        query: String,
        name: String,
        description: String,
    },
    #[error("parameter {name} is given twice")]
    DuplicateParam { name: String },
    #[error("parameter {name}: {message}")]
    BadValue { name: String, message: String },
    #[error(
        "{earlier} ({earlier_at}) is later than {later} ({later_at}): {earlier} must be the earlier time; swap them"
    )]
    Reversed {
        earlier: String,
        earlier_at: String,
        later: String,
        later_at: String,
    },
    #[error(
        "the SQL uses :{name}, which the file's header does not declare (add a line `-- :{name} text ...`)"
    )]
    UndeclaredParam { name: String },
    #[error("no connection matches {text:?} by provider id or name{}", source_name.as_ref().map(|source| format!(" in source {source:?}")).unwrap_or_default())]
    NoSuchConnection {
        text: String,
        source_name: Option<String>,
    },
    #[error("no source {name:?} in the database; its sources are: {known}")]
    UnknownSource { name: String, known: String },
    #[error("connection {text:?} is ambiguous; it matches:\n  {}\npass the provider id, a longer part of the name, or --source", candidates.join("\n  "))]
    AmbiguousConnection {
        text: String,
        candidates: Vec<String>,
    },
    #[error(
        "refused: {0}. vpnsnap opens the database read-only: writes, schema changes, ATTACH/DETACH, \
         transactions and PRAGMAs that change state are not allowed; nothing was changed"
    )]
    Refused(String),
    #[error("SQL error: {message}{}", position.as_ref().map(|(line, column, text)| format!(" at line {line}, column {column}:\n  {text}\n  {}^", " ".repeat(column.saturating_sub(1)))).unwrap_or_default())]
    Sql {
        message: String,
        /// Line and column (from 1) and the line's text.
        position: Option<(usize, usize, String)>,
    },
    #[error("no database at {0} (vpnsnap collect or import creates it; or pass --db PATH)")]
    NoDatabase(PathBuf),
    #[error("{0} is not a vpnsnap database (it has no versions and run_sources tables)")]
    NotVpnsnap(PathBuf),
    #[error(
        "{path}: the schema's {what} is not UTF-8 text (vpnsnap writes none; another tool edited \
         the database): vpnsnap does not read it; rename or drop that object with the sqlite3 shell"
    )]
    NotUtf8Schema { path: PathBuf, what: String },
    #[error("cannot open the database {path} read-only: {source}")]
    Open {
        path: PathBuf,
        source: rusqlite::Error,
    },
}

impl QueryError {
    /// The user asked for something that cannot be answered as asked.
    pub fn is_usage(&self) -> bool {
        !matches!(
            self,
            QueryError::Sql { .. }
                | QueryError::Open { .. }
                | QueryError::NotVpnsnap(_)
                | QueryError::NotUtf8Schema { .. }
        )
    }

    /// SQLite's message, with the line and column when SQLite gives an offset.
    pub fn from_sqlite(error: rusqlite::Error, sql: &str) -> QueryError {
        match error {
            rusqlite::Error::SqlInputError { msg, offset, .. } => {
                let offset = usize::try_from(offset).unwrap_or(0).min(sql.len());
                let before = sql.get(..offset).unwrap_or(sql);
                let line = before.matches('\n').count() + 1;
                let line_start = before.rfind('\n').map_or(0, |index| index + 1);
                let column = before[line_start..].chars().count() + 1;
                let text = sql[line_start..]
                    .lines()
                    .next()
                    .unwrap_or_default()
                    .to_string();
                QueryError::Sql {
                    message: msg,
                    position: Some((line, column, text)),
                }
            }
            rusqlite::Error::MultipleStatement => QueryError::Sql {
                message: "give one statement at a time".into(),
                position: None,
            },
            rusqlite::Error::SqliteFailure(_, Some(message)) => QueryError::Sql {
                message,
                position: None,
            },
            other => QueryError::Sql {
                message: other.to_string(),
                position: None,
            },
        }
    }
}

/// Runs `query` with the given `(name, value)` parameters, every row kept;
/// relative times count back from `now`.
pub fn run(
    db: &QueryDb,
    query: &Query,
    given: &[(String, String)],
    now: Timestamp,
) -> Result<Table, QueryError> {
    bind(db, query, given, now)?.table()
}

/// Prepares `query` with the given `(name, value)` parameters bound
/// (checked first: unknown, missing, repeated, bad or reversed ones are
/// refused); its rows are then kept or written as they come ([`Bound`]).
pub fn bind<'db>(
    db: &'db QueryDb,
    query: &Query,
    given: &[(String, String)],
    now: Timestamp,
) -> Result<Bound<'db>, QueryError> {
    for (index, (name, _)) in given.iter().enumerate() {
        if query.param(name).is_none() {
            let known: Vec<&str> = query
                .params
                .iter()
                .map(|param| param.name.as_str())
                .collect();
            return Err(QueryError::UnknownParam {
                query: query.name.clone(),
                name: name.clone(),
                known: if known.is_empty() {
                    "none".into()
                } else {
                    known.join(", ")
                },
            });
        }
        if given[..index].iter().any(|(earlier, _)| earlier == name) {
            return Err(QueryError::DuplicateParam { name: name.clone() });
        }
    }
    let value_of = |name: &str| {
        given
            .iter()
            .find(|(given, _)| given == name)
            .map(|(_, value)| value.as_str())
    };
    let source = query.param("source").and_then(|_| value_of("source"));
    if let Some(source) = source {
        check_source(db.sqlite(), source)?;
    }
    let mut bound = Vec::with_capacity(query.params.len());
    for param in &query.params {
        let value = match value_of(&param.name) {
            Some(text) => bind_value(db, param, text, source, now)?,
            None if param.required => {
                return Err(QueryError::MissingParam {
                    query: query.name.clone(),
                    name: param.name.clone(),
                    description: param.description.clone(),
                });
            }
            None => Value::Null,
        };
        bound.push((param.name.as_str(), value));
    }
    check_order(query, &bound)?;
    let mut statement = db.prepare(&query.sql)?;
    for index in 1..=statement.parameter_count() {
        let name = statement.parameter_name(index).unwrap_or("?");
        let bare = name.trim_start_matches([':', '@', '$']);
        let Some((_, value)) = bound.iter().find(|(name, _)| *name == bare) else {
            return Err(QueryError::UndeclaredParam {
                name: bare.to_string(),
            });
        };
        statement
            .raw_bind_parameter(index, value)
            .map_err(|error| QueryError::from_sqlite(error, &query.sql))?;
    }
    let json_columns = |columns: &[String]| {
        columns
            .iter()
            .map(|column| query.json_columns.contains(column))
            .collect()
    };
    Ok(Bound::new(statement, &query.sql, json_columns))
}

/// The pairs of time parameters whose first must not come after the
/// second: reversed, `diff` would list everything as removed and a window
/// would answer with nothing.
const ORDERED: [(&str, &str); 2] = [("from", "to"), ("since", "until")];

/// Refuses a reversed pair of [`ORDERED`] times (a status-changes' `from`
/// and `to` are statuses, not times). Bound times are stored times,
/// fixed-width text whose order is time order.
fn check_order(query: &Query, bound: &[(&str, Value)]) -> Result<(), QueryError> {
    let time = |name: &str| {
        let is_time = query
            .param(name)
            .is_some_and(|param| param.kind == ParamKind::Time);
        bound.iter().find_map(|(bound, value)| match value {
            Value::Text(text) if is_time && *bound == name => Some(text.as_str()),
            _ => None,
        })
    };
    for (earlier, later) in ORDERED {
        if let (Some(first), Some(second)) = (time(earlier), time(later))
            && first > second
        {
            return Err(QueryError::Reversed {
                earlier: earlier.to_string(),
                earlier_at: first.to_string(),
                later: later.to_string(),
                later_at: second.to_string(),
            });
        }
    }
    Ok(())
}

/// Runs one ad-hoc read-only statement, every row kept.
pub fn run_sql(db: &QueryDb, sql: &str) -> Result<Table, QueryError> {
    bind_sql(db, sql)?.table()
}

/// Prepares one ad-hoc read-only statement (its rows then kept or written
/// as they come).
pub fn bind_sql<'db>(db: &'db QueryDb, sql: &str) -> Result<Bound<'db>, QueryError> {
    let statement = db.prepare(sql)?;
    Ok(Bound::new(statement, sql, |columns| {
        vec![false; columns.len()]
    }))
}

fn bind_value(
    db: &QueryDb,
    param: &Param,
    text: &str,
    source: Option<&str>,
    now: Timestamp,
) -> Result<Value, QueryError> {
    let bad = |message: String| QueryError::BadValue {
        name: param.name.clone(),
        message,
    };
    Ok(match param.kind {
        ParamKind::Text => Value::Text(text.to_string()),
        ParamKind::Time => Value::Text(parse_time(text, now).map_err(bad)?.to_string()),
        ParamKind::Integer => Value::Integer(
            text.trim()
                .parse()
                .map_err(|_| bad(format!("{text:?} is not a whole number")))?,
        ),
        ParamKind::Status => {
            let upper = text.trim().to_ascii_uppercase();
            if !Status::ALL.iter().any(|status| status.as_str() == upper) {
                return Err(bad(format!(
                    "{text:?} is not a status; the statuses are {}",
                    Status::ALL.map(Status::as_str).join(", ")
                )));
            }
            Value::Text(upper)
        }
        ParamKind::Connection => Value::Integer(resolve(db.sqlite(), text, source)?.id),
    })
}
