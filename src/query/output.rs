//! Writing a result: an aligned text table, JSON (an array of objects keyed
//! by column name, in column order), CSV with a header row, or NDJSON (one
//! object per line). Times are written as stored: RFC3339 UTC.

use std::io::{self, Write};

use rusqlite::types::Value;
use unicode_width::UnicodeWidthStr;

/// A result: column names and rows.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    pub columns: Vec<String>,
    pub rows: Vec<Vec<Value>>,
    /// Per column: it holds JSON text, written as JSON by `json`/`ndjson`.
    pub json_columns: Vec<bool>,
}

/// An output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Aligned columns for reading (NULL shows as empty)
    Table,
    /// An array of objects keyed by column name
    Json,
    /// RFC 4180 CSV with a header row (NULL is an empty field)
    Csv,
    /// One JSON object per line
    Ndjson,
}

/// Writes `table` in `format`.
pub fn write(out: &mut impl Write, table: &Table, format: Format) -> io::Result<()> {
    match format {
        Format::Table => write_table(out, table),
        Format::Json => {
            if table.rows.is_empty() {
                return writeln!(out, "[]");
            }
            writeln!(out, "[")?;
            for (index, row) in table.rows.iter().enumerate() {
                let separator = if index + 1 < table.rows.len() {
                    ","
                } else {
                    ""
                };
                writeln!(out, "{}{separator}", json_object(table, row))?;
            }
            writeln!(out, "]")
        }
        Format::Ndjson => {
            for row in &table.rows {
                writeln!(out, "{}", json_object(table, row))?;
            }
            Ok(())
        }
        Format::Csv => {
            let header: Vec<String> = table
                .columns
                .iter()
                .map(|column| csv_field(column))
                .collect();
            writeln!(out, "{}", header.join(","))?;
            for row in &table.rows {
                let fields: Vec<String> = row.iter().map(|value| csv_field(&text(value))).collect();
                writeln!(out, "{}", fields.join(","))?;
            }
            Ok(())
        }
    }
}

/// A value as text: NULL empty, blobs in hex.
fn text(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::Integer(number) => number.to_string(),
        Value::Real(number) => number.to_string(),
        Value::Text(text) => text.clone(),
        Value::Blob(bytes) => hex::encode(bytes),
    }
}

fn json_value(value: &Value, is_json: bool) -> serde_json::Value {
    match value {
        Value::Null => serde_json::Value::Null,
        Value::Integer(number) => serde_json::Value::from(*number),
        Value::Real(number) => serde_json::Value::from(*number),
        Value::Text(text) if is_json => {
            serde_json::from_str(text).unwrap_or_else(|_| serde_json::Value::from(text.as_str()))
        }
        Value::Text(text) => serde_json::Value::from(text.as_str()),
        Value::Blob(bytes) => serde_json::Value::from(hex::encode(bytes)),
    }
}

/// One row as a JSON object with keys in column order (serde_json's map
/// would sort them).
fn json_object(table: &Table, row: &[Value]) -> String {
    let members: Vec<String> = table
        .columns
        .iter()
        .zip(row)
        .enumerate()
        .map(|(index, (column, value))| {
            let is_json = table.json_columns.get(index).copied().unwrap_or(false);
            format!(
                "{}:{}",
                serde_json::Value::from(column.as_str()),
                json_value(value, is_json)
            )
        })
        .collect();
    format!("{{{}}}", members.join(","))
}

fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) || text.starts_with(' ') || text.ends_with(' ') {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
}

fn write_table(out: &mut impl Write, table: &Table) -> io::Result<()> {
    let cells: Vec<Vec<String>> = table
        .rows
        .iter()
        .map(|row| {
            row.iter()
                .map(|value| text(value).replace('\n', "\\n").replace('\r', "\\r"))
                .collect()
        })
        .collect();
    // Display width, not characters: a CJK character takes two columns.
    let mut widths: Vec<usize> = table.columns.iter().map(|column| column.width()).collect();
    for row in &cells {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.width());
        }
    }
    let line = |cells: &[String]| -> String {
        let padded: Vec<String> = cells
            .iter()
            .zip(&widths)
            .map(|(cell, width)| {
                format!("{cell}{}", " ".repeat(width.saturating_sub(cell.width())))
            })
            .collect();
        padded.join("  ").trim_end().to_string()
    };
    writeln!(out, "{}", line(&table.columns))?;
    let rules: Vec<String> = widths.iter().map(|width| "-".repeat(*width)).collect();
    writeln!(out, "{}", line(&rules))?;
    for row in &cells {
        writeln!(out, "{}", line(row))?;
    }
    if cells.is_empty() {
        writeln!(out, "(no rows)")?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Table {
        Table {
            columns: vec!["name".into(), "n".into(), "fields".into()],
            rows: vec![
                vec![
                    Value::Text("a, \"b\"".into()),
                    Value::Integer(3),
                    Value::Text("[\"x\"]".into()),
                ],
                vec![Value::Null, Value::Integer(-1), Value::Text("[]".into())],
            ],
            json_columns: vec![false, false, true],
        }
    }

    fn written(format: Format) -> String {
        let mut out = Vec::new();
        write(&mut out, &sample(), format).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn each_format_writes_exactly() {
        assert_eq!(
            written(Format::Json),
            "[\n{\"name\":\"a, \\\"b\\\"\",\"n\":3,\"fields\":[\"x\"]},\n{\"name\":null,\"n\":-1,\"fields\":[]}\n]\n"
        );
        assert_eq!(
            written(Format::Ndjson),
            "{\"name\":\"a, \\\"b\\\"\",\"n\":3,\"fields\":[\"x\"]}\n{\"name\":null,\"n\":-1,\"fields\":[]}\n"
        );
        assert_eq!(
            written(Format::Csv),
            "name,n,fields\n\"a, \"\"b\"\"\",3,\"[\"\"x\"\"]\"\n,-1,[]\n"
        );
        assert_eq!(
            written(Format::Table),
            "name    n   fields\n------  --  ------\na, \"b\"  3   [\"x\"]\n        -1  []\n"
        );
    }

    #[test]
    fn tables_align_by_display_width() {
        let table = Table {
            columns: vec!["name".into(), "status".into()],
            rows: vec![
                vec![
                    Value::Text("北京-上海专线".into()),
                    Value::Text("DOWN".into()),
                ],
                vec![Value::Text("vpn-1".into()), Value::Text("ACTIVE".into())],
            ],
            json_columns: vec![false, false],
        };
        let mut out = Vec::new();
        write(&mut out, &table, Format::Table).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "name           status\n-------------  ------\n北京-上海专线  DOWN\nvpn-1          ACTIVE\n"
        );
    }
}
