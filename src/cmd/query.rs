//! `vpnsnap query`: a named question (or the user's own file) with its
//! parameters, on a read-only connection, written as table, JSON, CSV or
//! NDJSON. Also what `sql` shares: opening the database and the output.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;

use anyhow::{Context, Result};

use super::UsageError;
use crate::cli::{Cli, QueryArgs};
use crate::query::{self, Format, Query, QueryDb, QueryError, Table};
use crate::store::Store;
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
            Query::parse(&name, &text).map_err(usage)?
        }
        (Some(name), None) => query::find(name).map_err(usage)?,
        (None, None) => {
            return Err(UsageError("name a question, or pass --list or --file".into()).into());
        }
    };
    let database = database(cli)?;
    migrate_if_behind(&database)?;
    let db = QueryDb::open(&database).map_err(usage)?;
    let table = query::run(&db, &question, &args.all_params(), Timestamp::now()).map_err(usage)?;
    print(&table, args.format)
}

/// The database path from `--db` or the config.
pub fn database(cli: &Cli) -> Result<PathBuf> {
    let config = super::load_config(cli)?;
    super::database_path(cli, config.as_ref())
}

/// A database written by an older vpnsnap gets this version's migrations
/// (e.g. the query indexes) before it is read.
fn migrate_if_behind(database: &std::path::Path) -> Result<()> {
    if !database.exists() {
        return Ok(());
    }
    let behind = {
        let db = QueryDb::open(database).map_err(usage)?;
        crate::store::needs_migration(db.sqlite()).unwrap_or(false)
    };
    if behind {
        tracing::info!("migrating {} to the current schema", database.display());
        Store::open(database)?;
    }
    Ok(())
}

/// A query error as the user's mistake (exit code 2) when it is one.
pub fn usage(error: QueryError) -> anyhow::Error {
    if error.is_usage() {
        UsageError(error.to_string()).into()
    } else {
        error.into()
    }
}

/// Writes `table` to stdout: `format`, else table on a terminal and JSON otherwise.
pub fn print(table: &Table, format: Option<Format>) -> Result<()> {
    let stdout = std::io::stdout();
    let format = format.unwrap_or(if stdout.is_terminal() {
        Format::Table
    } else {
        Format::Json
    });
    let mut out = std::io::BufWriter::new(stdout.lock());
    query::write(&mut out, table, format)?;
    out.flush()?;
    Ok(())
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
