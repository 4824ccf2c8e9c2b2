//! Writing a result: an aligned text table, JSON (an array of objects keyed
//! by column name, in column order), CSV with a header row, or NDJSON (one
//! object per line). Times are written as stored: RFC3339 UTC.

use std::borrow::Cow;
use std::io::{self, Write};

use rusqlite::types::{Value, ValueRef};
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
    if format == Format::Table {
        return write_table(out, table);
    }
    let mut writer = RowWriter::new(out, format, &table.columns, &table.json_columns)?;
    let mut cells = Vec::with_capacity(table.columns.len());
    for row in &table.rows {
        cells.clear();
        cells.extend(row.iter().map(ValueRef::from));
        writer.row(&cells)?;
    }
    writer.finish()?;
    Ok(())
}

/// Writes rows in a format that needs no look ahead (JSON, NDJSON, CSV) as
/// they come, so that an answer of any length is never held whole. The
/// bytes are those [`write`] gives for the same rows.
pub struct RowWriter<W: Write> {
    out: W,
    format: Format,
    /// Per column, its name as a JSON string followed by `:`.
    keys: Vec<String>,
    /// CSV's header line, written with the first row (or alone).
    csv_header: String,
    json_columns: Vec<bool>,
    rows: usize,
}

impl<W: Write> RowWriter<W> {
    /// A writer of rows with `columns`; `format` must not be
    /// [`Format::Table`], whose widths need every row first. Nothing is
    /// written before the first row or [`RowWriter::finish`], so that a
    /// question failing at once leaves no output.
    pub fn new(
        out: W,
        format: Format,
        columns: &[String],
        json_columns: &[bool],
    ) -> io::Result<RowWriter<W>> {
        debug_assert!(format != Format::Table, "a table is written whole");
        let header: Vec<String> = columns.iter().map(|column| csv_field(column)).collect();
        Ok(RowWriter {
            out,
            format,
            csv_header: format!("{}\n", header.join(",")),
            keys: columns
                .iter()
                .map(|column| format!("{}:", serde_json::Value::from(column.as_str())))
                .collect(),
            json_columns: json_columns.to_vec(),
            rows: 0,
        })
    }

    /// Writes one row (a value per column).
    pub fn row(&mut self, row: &[ValueRef<'_>]) -> io::Result<()> {
        match self.format {
            Format::Json => {
                let separator: &[u8] = if self.rows == 0 { b"[\n" } else { b",\n" };
                self.out.write_all(separator)?;
                self.json_object(row)?;
            }
            Format::Ndjson => {
                self.json_object(row)?;
                self.out.write_all(b"\n")?;
            }
            Format::Csv => {
                if self.rows == 0 {
                    self.out.write_all(self.csv_header.as_bytes())?;
                }
                for (index, value) in row.iter().enumerate() {
                    if index > 0 {
                        self.out.write_all(b",")?;
                    }
                    self.out.write_all(csv_field(&text(value)).as_bytes())?;
                }
                self.out.write_all(b"\n")?;
            }
            Format::Table => unreachable!("RowWriter::new refuses tables"),
        }
        self.rows += 1;
        Ok(())
    }

    /// Ends the output (JSON's closing bracket) and gives the writer back.
    pub fn finish(mut self) -> io::Result<W> {
        match self.format {
            Format::Json => {
                let end: &[u8] = if self.rows == 0 { b"[]\n" } else { b"\n]\n" };
                self.out.write_all(end)?;
            }
            Format::Csv if self.rows == 0 => self.out.write_all(self.csv_header.as_bytes())?,
            _ => {}
        }
        Ok(self.out)
    }

    /// One row as a JSON object with keys in column order (serde_json's
    /// map would sort them).
    fn json_object(&mut self, row: &[ValueRef<'_>]) -> io::Result<()> {
        self.out.write_all(b"{")?;
        for (index, value) in row.iter().enumerate() {
            if index > 0 {
                self.out.write_all(b",")?;
            }
            let key = self.keys.get(index).map_or("\"\":", String::as_str);
            self.out.write_all(key.as_bytes())?;
            let is_json = self.json_columns.get(index).copied().unwrap_or(false);
            write_json_value(&mut self.out, value, is_json)?;
        }
        self.out.write_all(b"}")
    }
}

/// A value as text: NULL empty, blobs in hex, text that is not UTF-8 with
/// U+FFFD for its invalid bytes.
fn text<'a>(value: &ValueRef<'a>) -> Cow<'a, str> {
    match *value {
        ValueRef::Null => Cow::Borrowed(""),
        ValueRef::Integer(number) => Cow::Owned(number.to_string()),
        ValueRef::Real(number) => Cow::Owned(number.to_string()),
        ValueRef::Text(bytes) => String::from_utf8_lossy(bytes),
        ValueRef::Blob(bytes) => Cow::Owned(hex::encode(bytes)),
    }
}

fn write_json_value(out: &mut impl Write, value: &ValueRef<'_>, is_json: bool) -> io::Result<()> {
    match *value {
        ValueRef::Null => out.write_all(b"null"),
        ValueRef::Integer(number) => write!(out, "{number}"),
        ValueRef::Real(number) => write!(out, "{}", serde_json::Value::from(number)),
        ValueRef::Text(bytes) => {
            let text = String::from_utf8_lossy(bytes);
            match is_json {
                // A JSON column's text as JSON (compact), or as a string if
                // it is not JSON after all.
                true => match serde_json::from_str::<serde_json::Value>(&text) {
                    Ok(json) => write!(out, "{json}"),
                    Err(_) => write!(out, "{}", serde_json::Value::from(text.as_ref())),
                },
                false => serde_json::to_writer(&mut *out, text.as_ref()).map_err(io::Error::from),
            }
        }
        ValueRef::Blob(bytes) => write!(out, "\"{}\"", hex::encode(bytes)),
    }
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
                .map(|value| {
                    text(&ValueRef::from(value))
                        .replace('\n', "\\n")
                        .replace('\r', "\\r")
                })
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
