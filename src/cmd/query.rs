//! `vpnsnap query`: a named question (or the user's own file) with its
//! parameters, on a read-only connection, written as table, JSON, CSV or
//! NDJSON.

use std::io::Write;

use anyhow::{Context, Result};

use super::{UsageError, database_to_read, open_current, print_rows, print_table, query_error};
use crate::cli::{Cli, QueryArgs};
use crate::query::{self, Format, Query, QueryError, Table};
use crate::time::Timestamp;

pub fn run(cli: &Cli, args: &QueryArgs) -> Result<()> {
    if args.list {
        let catalogue = query::catalogue()?;
        return match args.format {
            None | Some(Format::Table) => {
                print_list(&mut std::io::stdout().lock(), &catalogue).map_err(Into::into)
            }
            format => print_table(&list_table(&catalogue), format),
        };
    }
    let question = match (&args.name, &args.file) {
        (_, Some(path)) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("reading the question file {}", path.display()))?;
            let name = path
                .file_stem()
                .map(|stem| stem.to_string_lossy().into_owned())
                .unwrap_or_else(|| path.display().to_string());
            Query::parse(&name, &text).map_err(query_error)?
        }
        (Some(name), None) => query::find(name).map_err(query_error)?,
        (None, None) => {
            return Err(UsageError("name a question, or pass --list or --file".into()).into());
        }
    };
    let database = database_to_read(cli)?;
    let db = open_current(&database)?;
    let rows = query::bind(&db, &question, &args.all_params(), Timestamp::now())
        .map_err(|error| name_the_flag(error, args))?;
    print_rows(rows, args.format)
}

/// A bad value given by a friendly flag (`--since 1x`), or a reversed pair
/// (`--from now --to 2h`), is reported under the flags' names, as the user
/// typed them.
fn name_the_flag(error: QueryError, args: &QueryArgs) -> anyhow::Error {
    match error {
        QueryError::BadValue { name, message } if args.flag_given(&name) => {
            UsageError(format!("--{name}: {message}")).into()
        }
        QueryError::Reversed {
            earlier,
            earlier_at,
            later,
            later_at,
        } => {
            let flag = |name: String| match args.flag_given(&name) {
                true => format!("--{name}"),
                false => name,
            };
            query_error(QueryError::Reversed {
                earlier: flag(earlier),
                earlier_at,
                later: flag(later),
                later_at,
            })
        }
        other => query_error(other),
    }
}

/// The catalogue as a result for `--list --format json|ndjson|csv`: one row
/// per question, its parameters a JSON array of `{name, kind, required,
/// description}`.
fn list_table(catalogue: &[Query]) -> Table {
    use rusqlite::types::Value;
    let rows = catalogue
        .iter()
        .map(|question| {
            let params: Vec<serde_json::Value> = question
                .params
                .iter()
                .map(|param| {
                    serde_json::json!({
                        "name": param.name,
                        "kind": param.kind.as_str(),
                        "required": param.required,
                        "description": param.description,
                    })
                })
                .collect();
            vec![
                Value::Text(question.name.clone()),
                Value::Text(question.description.clone()),
                Value::Text(serde_json::Value::from(params).to_string()),
            ]
        })
        .collect();
    Table {
        columns: ["name", "description", "params"].map(String::from).to_vec(),
        rows,
        json_columns: vec![false, false, true],
    }
}

fn print_list(out: &mut impl Write, catalogue: &[Query]) -> std::io::Result<()> {
    for (index, question) in catalogue.iter().enumerate() {
        if index > 0 {
            writeln!(out)?;
        }
        writeln!(out, "{}", question.name)?;
        writeln!(out, "  {}", question.description)?;
        for param in &question.params {
            writeln!(
                out,
                "  --param {}=<{}>{}  {}",
                param.name,
                param.kind.as_str(),
                if param.required { " (required)" } else { "" },
                param.description
            )?;
        }
    }
    Ok(())
}
