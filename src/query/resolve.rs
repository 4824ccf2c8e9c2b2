//! Finding the one connection a user means: a provider id or a name, exact
//! match first (ids, then names), then a unique case-insensitive substring
//! of either. Names are the connections' latest ones (a deleted connection
//! keeps its last name). And the source a user names: one the database
//! knows.

use rusqlite::Connection as Sqlite;

use super::QueryError;

/// A connection a name could mean.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    /// `connections.id`, what questions bind.
    pub id: i64,
    pub source: String,
    pub connection_id: String,
    pub name: Option<String>,
}

impl std::fmt::Display for Candidate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} (source {}", self.connection_id, self.source)?;
        match &self.name {
            Some(name) => write!(f, ", name {name:?})"),
            None => write!(f, ", no name)"),
        }
    }
}

/// The connection `text` means, among those of `source` when given.
pub fn resolve(sqlite: &Sqlite, text: &str, source: Option<&str>) -> Result<Candidate, QueryError> {
    // Exact matches first, each one index seek; a substring reads them all.
    let mut matches = load(sqlite, BY_ID, text, source)?;
    if matches.is_empty() {
        matches = load(sqlite, BY_NAME, text, source)?;
    }
    if matches.is_empty() {
        let needle = text.to_lowercase();
        matches = load(sqlite, ALL, "", source)?
            .into_iter()
            .filter(|candidate| {
                candidate.connection_id.to_lowercase().contains(&needle)
                    || candidate
                        .name
                        .as_ref()
                        .is_some_and(|name| name.to_lowercase().contains(&needle))
            })
            .collect();
    }
    match matches.len() {
        0 => Err(QueryError::NoSuchConnection {
            text: text.to_string(),
            source_name: source.map(String::from),
        }),
        1 => Ok(matches.remove(0)),
        _ => {
            let mut listed: Vec<String> = matches.iter().map(ToString::to_string).collect();
            listed.sort();
            Err(QueryError::AmbiguousConnection {
                text: text.to_string(),
                candidates: listed,
            })
        }
    }
}

/// `source` is one the database has a run of; else the error lists those
/// it has, as for an unknown connection (a typo would otherwise answer
/// with no rows).
pub fn check_source(sqlite: &Sqlite, source: &str) -> Result<(), QueryError> {
    const SOURCES: &str = "SELECT DISTINCT source FROM run_sources ORDER BY source";
    let known: Vec<String> = sqlite
        .prepare_cached(SOURCES)
        .and_then(|mut statement| {
            statement
                .query_map([], |row| row.get(0))?
                .collect::<Result<_, _>>()
        })
        .map_err(|error| QueryError::from_sqlite(error, SOURCES))?;
    if known.iter().any(|name| name == source) {
        return Ok(());
    }
    Err(QueryError::UnknownSource {
        name: source.to_string(),
        known: if known.is_empty() {
            "none yet".into()
        } else {
            known.join(", ")
        },
    })
}

const SELECT: &str = "SELECT c.id, c.source, c.connection_id, v.name \
     FROM connections c JOIN versions v ON v.connection = c.id AND v.valid_to IS NULL \
     WHERE (?2 IS NULL OR c.source = ?2)";
const BY_ID: &str = " AND c.connection_id = ?1";
const BY_NAME: &str = " AND v.name = ?1";
const ALL: &str = " AND ?1 = ''";

fn load(
    sqlite: &Sqlite,
    condition: &str,
    text: &str,
    source: Option<&str>,
) -> Result<Vec<Candidate>, QueryError> {
    let sql = format!("{SELECT}{condition}");
    let mut statement = sqlite
        .prepare_cached(&sql)
        .map_err(|error| QueryError::from_sqlite(error, &sql))?;
    let rows = statement
        .query_map(rusqlite::params![text, source], |row| {
            Ok(Candidate {
                id: row.get(0)?,
                source: row.get(1)?,
                connection_id: row.get(2)?,
                name: row.get(3)?,
            })
        })
        .and_then(|rows| rows.collect::<Result<Vec<_>, _>>())
        .map_err(|error| QueryError::from_sqlite(error, &sql))?;
    Ok(rows)
}
