//! `vpnsnap query`: a named question (or the user's own file) with its
//! parameters, on a read-only connection, written as table, JSON, CSV or
//! NDJSON.

use std::io::Write;

use anyhow::{Context, Result};

use super::{UsageError, database_to_read, open_current, print_table, query_error};
use crate::cli::{Cli, QueryArgs};
use crate::query::{self, Query};
use crate::time::Timestamp;

pub fn run(cli: &Cli, args: &QueryArgs) -> Result<()> {
    if args.list {
        let catalogue = query::catalogue()?;
        return print_list(&mut std::io::stdout().lock(), &catalogue).map_err(Into::into);
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
    let table =
        query::run(&db, &question, &args.all_params(), Timestamp::now()).map_err(query_error)?;
    print_table(&table, args.format)
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
