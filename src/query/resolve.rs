//! Finding the one connection a user means: a provider id or a name, exact
//! match first (ids, then names), then a unique case-insensitive substring
//! of either. Names are the connections' latest ones (a deleted connection
//! keeps its last name).

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
    let candidates = load(sqlite, source)?;
    let exact_id: Vec<&Candidate> = candidates
        .iter()
        .filter(|candidate| candidate.connection_id == text)
        .collect();
    let exact_name: Vec<&Candidate> = candidates
        .iter()
        .filter(|candidate| candidate.name.as_deref() == Some(text))
        .collect();
    let needle = text.to_lowercase();
    let substring: Vec<&Candidate> = candidates
        .iter()
        .filter(|candidate| {
            candidate.connection_id.to_lowercase().contains(&needle)
                || candidate
                    .name
                    .as_ref()
                    .is_some_and(|name| name.to_lowercase().contains(&needle))
        })
        .collect();
    let matches = [exact_id, exact_name, substring]
        .into_iter()
        .find(|matches| !matches.is_empty())
        .unwrap_or_default();
    match matches.as_slice() {
        [] => Err(QueryError::NoSuchConnection {
            text: text.to_string(),
            source_name: source.map(String::from),
        }),
        [one] => Ok((*one).clone()),
        many => {
            let mut listed: Vec<String> = many.iter().map(ToString::to_string).collect();
            listed.sort();
            Err(QueryError::AmbiguousConnection {
                text: text.to_string(),
                candidates: listed,
            })
        }
    }
}

fn load(sqlite: &Sqlite, source: Option<&str>) -> Result<Vec<Candidate>, QueryError> {
    let mut statement = sqlite
        .prepare_cached(
            "SELECT c.id, c.source, c.connection_id, v.name \
             FROM connections c JOIN versions v ON v.connection = c.id AND v.valid_to IS NULL \
             WHERE ?1 IS NULL OR c.source = ?1",
        )
        .map_err(|error| QueryError::from_sqlite(error, "resolving a connection"))?;
    let rows = statement
        .query_map([source], |row| {
            Ok(Candidate {
                id: row.get(0)?,
                source: row.get(1)?,
                connection_id: row.get(2)?,
                name: row.get(3)?,
            })
        })
        .and_then(|rows| rows.collect::<Result<Vec<_>, _>>())
        .map_err(|error| QueryError::from_sqlite(error, "resolving a connection"))?;
    Ok(rows)
}
