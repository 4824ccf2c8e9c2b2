//! The model's fields as `versions` columns: written from a [`FieldRef`]
//! (lists as JSON arrays, booleans as 0/1) and read back as a
//! [`FieldValue`].

use std::sync::OnceLock;

use rusqlite::types::{ToSqlOutput, Value as SqlValue, ValueRef};
use rusqlite::{ToSql, Transaction};

use super::StoreError;
use crate::model::{FIELDS, FieldKind, FieldRef, FieldValue};

/// The model's values of the stored version `version_id`, in [`FIELDS`] order.
pub(super) fn read_field_values(
    tx: &Transaction<'_>,
    version_id: i64,
) -> Result<Vec<Option<FieldValue>>, StoreError> {
    static SQL: OnceLock<String> = OnceLock::new();
    let sql = SQL.get_or_init(|| format!("SELECT {} FROM versions WHERE id = ?1", field_columns()));
    let mut statement = tx.prepare_cached(sql)?;
    let values = statement.query_row([version_id], |row| {
        FIELDS
            .iter()
            .enumerate()
            .map(|(index, field)| {
                let value: SqlValue = row.get(index)?;
                Ok(field_value_from_sql(field.kind, value))
            })
            .collect::<rusqlite::Result<Vec<_>>>()
    })?;
    Ok(values)
}

/// A stored column value back as a model value.
fn field_value_from_sql(kind: FieldKind, value: SqlValue) -> Option<FieldValue> {
    match (kind, value) {
        (_, SqlValue::Null) => None,
        (FieldKind::Boolean, SqlValue::Integer(number)) => Some(FieldValue::Boolean(number != 0)),
        (_, SqlValue::Integer(number)) => Some(FieldValue::Integer(number)),
        (FieldKind::List, SqlValue::Text(text)) => {
            Some(match serde_json::from_str::<Vec<String>>(&text) {
                Ok(items) => FieldValue::List(items),
                Err(_) => FieldValue::Text(text),
            })
        }
        (_, SqlValue::Text(text)) => Some(FieldValue::Text(text)),
        (_, SqlValue::Real(number)) => Some(FieldValue::Text(number.to_string())),
        (_, SqlValue::Blob(bytes)) => Some(FieldValue::Text(hex::encode(bytes))),
    }
}

/// The model's columns, comma-separated, in [`FIELDS`] order.
pub(super) fn field_columns() -> String {
    FIELDS
        .iter()
        .map(|field| field.column)
        .collect::<Vec<_>>()
        .join(", ")
}

impl ToSql for FieldRef<'_> {
    /// Lists as JSON arrays, booleans as 0/1 (as `field_value_from_sql` reads them back).
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(match *self {
            FieldRef::Text(text) => ToSqlOutput::Borrowed(ValueRef::Text(text.as_bytes())),
            FieldRef::Integer(number) => ToSqlOutput::Owned(SqlValue::Integer(number)),
            FieldRef::Boolean(flag) => ToSqlOutput::Owned(SqlValue::Integer(i64::from(flag))),
            FieldRef::List(items) => ToSqlOutput::Owned(SqlValue::Text(
                serde_json::to_string(items)
                    .map_err(|error| rusqlite::Error::ToSqlConversionFailure(error.into()))?,
            )),
        })
    }
}
