//! A bound statement's rows: kept whole as a [`Table`] (the report's
//! questions, the aligned table format), or written one at a time as SQLite
//! gives them ([`Bound::write_to`]: JSON, NDJSON, CSV), so that an answer of
//! any length is never held in memory.

use std::io::{self, Write};

use rusqlite::Statement;
use rusqlite::types::{Value, ValueRef};

use super::QueryError;
use super::output::{Format, RowWriter, Table, write};

/// A statement with its parameters bound, ready to give its rows.
pub struct Bound<'db> {
    statement: Statement<'db>,
    /// The SQL, for the line and column of an error.
    sql: String,
    columns: Vec<String>,
    json_columns: Vec<bool>,
}

/// What can go wrong writing an answer as it is read.
#[derive(Debug, thiserror::Error)]
pub enum StreamError {
    /// The question failed before any row was written.
    #[error(transparent)]
    Query(#[from] QueryError),
    /// The question failed after `written` rows had been written: the
    /// output holds them and is incomplete.
    #[error(
        "{error} (after {written} {}: the output above is incomplete)",
        if *written == 1 { "row" } else { "rows" }
    )]
    Cut { error: QueryError, written: usize },
    #[error("writing the answer: {0}")]
    Write(#[from] io::Error),
}

impl<'db> Bound<'db> {
    /// `statement` of `sql`, whose columns holding JSON `json_columns` tells.
    pub(super) fn new(
        statement: Statement<'db>,
        sql: &str,
        json_columns: impl FnOnce(&[String]) -> Vec<bool>,
    ) -> Bound<'db> {
        let columns: Vec<String> = statement
            .column_names()
            .into_iter()
            .map(String::from)
            .collect();
        Bound {
            json_columns: json_columns(&columns),
            statement,
            sql: sql.to_string(),
            columns,
        }
    }

    /// Every row, kept (text that is not UTF-8 with U+FFFD for its invalid
    /// bytes).
    pub fn table(mut self) -> Result<Table, QueryError> {
        let mut rows = Vec::new();
        self.each_row(|cells| {
            rows.push(cells.iter().map(owned).collect());
            Ok::<_, QueryError>(())
        })?;
        Ok(Table {
            columns: self.columns,
            rows,
            json_columns: self.json_columns,
        })
    }

    /// Writes the rows to `out` in `format` as they are read; a table
    /// (aligned columns) needs every row first and is kept, then written.
    pub fn write_to<W: Write>(mut self, mut out: W, format: Format) -> Result<W, StreamError> {
        if format == Format::Table {
            let table = self.table()?;
            write(&mut out, &table, format)?;
            return Ok(out);
        }
        let mut writer = RowWriter::new(out, format, &self.columns, &self.json_columns)?;
        let mut written = 0;
        let read = self.each_row(|cells| {
            writer.row(cells).map_err(StreamError::from)?;
            written += 1;
            Ok(())
        });
        match read {
            Err(StreamError::Query(error)) if written > 0 => {
                Err(StreamError::Cut { error, written })
            }
            Err(error) => Err(error),
            Ok(()) => Ok(writer.finish()?),
        }
    }

    /// Hands each row to `row` as borrowed values.
    fn each_row<E: From<QueryError>>(
        &mut self,
        mut row: impl FnMut(&[ValueRef<'_>]) -> Result<(), E>,
    ) -> Result<(), E> {
        let count = self.columns.len();
        let mut cursor = self.statement.raw_query();
        loop {
            match cursor.next() {
                Ok(Some(next)) => {
                    let cells = (0..count)
                        .map(|index| next.get_ref(index))
                        .collect::<Result<Vec<_>, _>>()
                        .map_err(|error| QueryError::from_sqlite(error, &self.sql))?;
                    row(&cells)?;
                }
                Ok(None) => return Ok(()),
                Err(error) => return Err(QueryError::from_sqlite(error, &self.sql).into()),
            }
        }
    }
}

/// A borrowed value kept (text that is not UTF-8 with U+FFFD for its
/// invalid bytes; rusqlite's own conversion panics on it).
fn owned(value: &ValueRef<'_>) -> Value {
    match *value {
        ValueRef::Text(bytes) => Value::Text(String::from_utf8_lossy(bytes).into_owned()),
        other => Value::from(other),
    }
}
