//! The catalogue of named questions: `queries/*.sql`, embedded at build time
//! (see `build.rs`), and the header comment every question file opens with.
//!
//! A header is the file's leading `--` comment lines: a description, then one
//! line per named parameter, `-- :name kind [required] what it does`, where
//! kind is `text`, `time`, `connection`, `status` or `integer`, and
//! optionally `-- json-columns: a, b` naming the columns that hold JSON
//! (written as JSON, not as strings, by `--format json`/`ndjson`).

use super::QueryError;

/// `(name, file text)` of every `queries/*.sql`, sorted by name.
const EMBEDDED: &[(&str, &str)] = include!(concat!(env!("OUT_DIR"), "/queries.rs"));

/// How a parameter's text is read and bound.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamKind {
    /// Bound as given.
    Text,
    /// RFC3339 or relative (`2h`, `3d ago`), bound as stored times are written.
    Time,
    /// A provider id or name, resolved to one connection and bound as its
    /// `connections.id`.
    Connection,
    /// A status (any case), bound in upper case.
    Status,
    /// A decimal integer.
    Integer,
}

impl ParamKind {
    fn parse(word: &str) -> Option<ParamKind> {
        Some(match word {
            "text" => ParamKind::Text,
            "time" => ParamKind::Time,
            "connection" => ParamKind::Connection,
            "status" => ParamKind::Status,
            "integer" => ParamKind::Integer,
            _ => return None,
        })
    }

    /// The kind's name as written in headers.
    pub fn as_str(self) -> &'static str {
        match self {
            ParamKind::Text => "text",
            ParamKind::Time => "time",
            ParamKind::Connection => "connection",
            ParamKind::Status => "status",
            ParamKind::Integer => "integer",
        }
    }
}

/// A named parameter of a question (`:name` in its SQL).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Param {
    pub name: String,
    pub kind: ParamKind,
    pub required: bool,
    pub description: String,
}

/// One question: its name, header and SQL.
#[derive(Debug, Clone)]
pub struct Query {
    pub name: String,
    pub description: String,
    pub params: Vec<Param>,
    /// Columns holding JSON text.
    pub json_columns: Vec<String>,
    pub sql: String,
}

impl Query {
    /// Parses a question file; `name` is its file name without `.sql`.
    pub fn parse(name: &str, text: &str) -> Result<Query, QueryError> {
        let header_error = |message: String| QueryError::Header {
            query: name.to_string(),
            message,
        };
        let mut description: Vec<&str> = Vec::new();
        let mut params: Vec<Param> = Vec::new();
        let mut json_columns = Vec::new();
        for line in text.lines() {
            let Some(comment) = line.trim_start().strip_prefix("--") else {
                break;
            };
            let comment = comment.trim();
            if let Some(declaration) = comment.strip_prefix(':') {
                let param = parse_param(declaration).map_err(header_error)?;
                if params.iter().any(|other| other.name == param.name) {
                    return Err(header_error(format!(
                        "parameter :{} is declared twice",
                        param.name
                    )));
                }
                params.push(param);
            } else if let Some(columns) = comment.strip_prefix("json-columns:") {
                json_columns.extend(
                    columns
                        .split(',')
                        .map(str::trim)
                        .filter(|column| !column.is_empty())
                        .map(String::from),
                );
            } else if params.is_empty() && !comment.is_empty() {
                description.push(comment);
            }
        }
        if description.is_empty() {
            return Err(header_error(
                "the file must open with a comment describing the question".into(),
            ));
        }
        Ok(Query {
            name: name.to_string(),
            description: description.join(" "),
            params,
            json_columns,
            sql: text.to_string(),
        })
    }

    /// The declared parameter called `name`.
    pub fn param(&self, name: &str) -> Option<&Param> {
        self.params.iter().find(|param| param.name == name)
    }
}

/// `name kind [required] description` (after the `:`).
fn parse_param(declaration: &str) -> Result<Param, String> {
    let mut words = declaration.splitn(2, char::is_whitespace);
    let name = words.next().unwrap_or_default();
    if name.is_empty()
        || !name
            .bytes()
            .all(|byte| byte.is_ascii_alphanumeric() || byte == b'_')
    {
        return Err(format!(
            "parameter line \":{declaration}\": a name of letters, digits and _ must follow the colon"
        ));
    }
    let rest = words.next().unwrap_or_default().trim_start();
    let (kind_word, rest) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
    let kind = ParamKind::parse(kind_word).ok_or_else(|| {
        format!(
            "parameter :{name}: kind {kind_word:?} is not one of text, time, connection, status, integer"
        )
    })?;
    let rest = rest.trim_start();
    let (required, description) = match rest.strip_prefix("required") {
        Some(after) if after.is_empty() || after.starts_with(char::is_whitespace) => {
            (true, after.trim())
        }
        _ => (false, rest.trim()),
    };
    Ok(Param {
        name: name.to_string(),
        kind,
        required,
        description: description.to_string(),
    })
}

/// Every embedded question, sorted by name.
pub fn catalogue() -> Result<Vec<Query>, QueryError> {
    EMBEDDED
        .iter()
        .map(|(name, text)| Query::parse(name, text))
        .collect()
}

/// The embedded question called `name`.
pub fn find(name: &str) -> Result<Query, QueryError> {
    match EMBEDDED.iter().find(|(embedded, _)| *embedded == name) {
        Some((name, text)) => Query::parse(name, text),
        None => Err(QueryError::UnknownQuery {
            name: name.to_string(),
            known: EMBEDDED
                .iter()
                .map(|(name, _)| *name)
                .collect::<Vec<_>>()
                .join(", "),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_embedded_question_parses_and_declares_what_its_sql_uses() {
        let queries = catalogue().unwrap();
        let names: Vec<&str> = queries.iter().map(|query| query.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "as-of",
                "changes",
                "current",
                "diff",
                "history",
                "outages",
                "policy-changes",
                "runs",
                "status-changes",
                "timeline",
                "weak-crypto"
            ]
        );
        let sqlite = rusqlite::Connection::open_in_memory().unwrap();
        for migration in [
            include_str!("../../migrations/V1__history.sql"),
            include_str!("../../migrations/V2__query_indexes.sql"),
            include_str!("../../migrations/V3__current_connections_last_seen.sql"),
            include_str!("../../migrations/V4__raw_json_patches.sql"),
            include_str!("../../migrations/V5__source_identity.sql"),
            include_str!("../../migrations/V6__raw_json_text.sql"),
        ] {
            sqlite.execute_batch(migration).unwrap();
        }
        for query in &queries {
            let statement = sqlite
                .prepare(&query.sql)
                .unwrap_or_else(|error| panic!("{}: {error}", query.name));
            let mut used: Vec<String> = (1..=statement.parameter_count())
                .filter_map(|index| statement.parameter_name(index))
                .map(|name| name.trim_start_matches(':').to_string())
                .collect();
            used.sort();
            let mut declared: Vec<String> = query
                .params
                .iter()
                .map(|param| param.name.clone())
                .collect();
            declared.sort();
            assert_eq!(
                used, declared,
                "{}: parameters used vs declared",
                query.name
            );
            assert!(statement.readonly(), "{} is not read-only", query.name);
        }
    }

    #[test]
    fn a_header_gives_description_parameters_and_json_columns() {
        let query = Query::parse(
            "q",
            "-- What it asks,\n-- over two lines.\n--\n-- :connection connection required  the connection\n\
             -- :since time only after\n-- json-columns: a, b\nSELECT 1",
        )
        .unwrap();
        assert_eq!(query.description, "What it asks, over two lines.");
        assert_eq!(
            query.params,
            vec![
                Param {
                    name: "connection".into(),
                    kind: ParamKind::Connection,
                    required: true,
                    description: "the connection".into()
                },
                Param {
                    name: "since".into(),
                    kind: ParamKind::Time,
                    required: false,
                    description: "only after".into()
                },
            ]
        );
        assert_eq!(query.json_columns, ["a", "b"]);
    }

    #[test]
    fn bad_headers_are_refused_with_the_reason() {
        let error = |text: &str| Query::parse("q", text).unwrap_err().to_string();
        assert_eq!(
            error("SELECT 1"),
            "query q: the file must open with a comment describing the question"
        );
        assert_eq!(
            error("-- d\n-- :x date\nSELECT :x"),
            "query q: parameter :x: kind \"date\" is not one of text, time, connection, status, integer"
        );
        assert_eq!(
            error("-- d\n-- :x text\n-- :x time\nSELECT :x"),
            "query q: parameter :x is declared twice"
        );
    }
}
