//! Subcommands, one file each: thin layers over the library. This file
//! holds what they share: finding the config, the database and the PSK
//! fingerprint key; preparing, running and printing a collection (`collect`,
//! `run`); the database, errors and output of `query` and `sql`. A
//! subcommand's file imports this one, never another subcommand's.

pub mod collect;
pub mod completions;
pub mod config_check;
pub mod demo;
pub mod import;
pub mod man;
pub mod query;
pub mod report;
pub mod run;
pub mod simulate;
pub mod sql;
mod summary;

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context, Result};
use secrecy::ExposeSecret;

use crate::cli::{Cli, CollectionArgs, Command, SummaryFormat};
use crate::config::{Config, DEFAULT_FILE, SourceConfig};
use crate::exit::Exit;
use crate::fingerprint::PskFingerprinter;
use crate::query::{Bound, Format, QueryDb, QueryError, StreamError, Table};
use crate::runner::{self, RunReport, RunRequest};
use crate::shutdown::Shutdown;
use crate::store::Store;

/// A mistake in how vpnsnap was called or configured ([`Exit::Usage`]).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);

/// Runs the parsed command line.
pub fn run(cli: Cli) -> Result<Exit> {
    match &cli.command {
        Command::Collect(args) => collect::run(&cli, args),
        Command::Run(args) => run::run(&cli, args),
        Command::Demo(args) => demo::run(&cli, args),
        Command::Simulate(args) => simulate::run(&cli, args),
        Command::Import(args) => import::run(&cli, args).map(|()| Exit::Success),
        Command::Config(command) => config_check::run(&cli, command).map(|()| Exit::Success),
        Command::Query(args) => query::run(&cli, args).map(|()| Exit::Success),
        Command::Sql(args) => sql::run(&cli, args).map(|()| Exit::Success),
        Command::Completions(args) => completions::run(args).map(|()| Exit::Success),
        Command::Man => man::run().map(|()| Exit::Success),
        Command::Report(args) => report::run(&cli, args).map(|()| Exit::Success),
    }
}

/// Loads the config, which this command cannot do without.
pub fn require_config(cli: &Cli) -> Result<Config> {
    load_config(cli)?.ok_or_else(|| {
        UsageError(format!(
            "no config: write {DEFAULT_FILE}, or pass --config PATH or set $VPNSNAP_CONFIG"
        ))
        .into()
    })
}

/// Loads the config: the one named (which must exist), else `./vpnsnap.toml`
/// if it exists. `None` when no config was named and the default is absent.
pub fn load_config(cli: &Cli) -> Result<Option<Config>> {
    // clap has already read `$VPNSNAP_CONFIG` into `--config`.
    let named = cli.config.is_some();
    let path = crate::config::locate(cli.config.as_deref(), None);
    if !named && !path.exists() {
        return Ok(None);
    }
    let env = |name: &str| std::env::var(name).ok();
    let config = crate::config::load(&path, &env)?;
    Ok(Some(config))
}

/// The database: `--db`, else the config's `database`; a directory is
/// refused by name (SQLite would say "disk I/O error").
pub fn database_path(cli: &Cli, config: Option<&Config>) -> Result<PathBuf> {
    let (path, given_as) = match (&cli.db, config) {
        (Some(path), _) => (path.clone(), "--db".to_string()),
        (None, Some(config)) => (
            config.database.clone(),
            format!("`database` in {}", config.path.display()),
        ),
        (None, None) => {
            return Err(UsageError(format!(
                "no database given: pass --db PATH, or write a config ({DEFAULT_FILE}, --config PATH or $VPNSNAP_CONFIG)"
            ))
            .into());
        }
    };
    if path.is_dir() {
        return Err(UsageError(format!(
            "{given_as}: {} is a directory; name the database file, e.g. {}",
            path.display(),
            path.join(crate::config::DEFAULT_DATABASE).display()
        ))
        .into());
    }
    Ok(path)
}

/// The PSK fingerprinter: the config's `fingerprint_key`, else the key file
/// beside the database (created on first use).
pub fn fingerprinter(config: Option<&Config>, database: &Path) -> Result<PskFingerprinter> {
    // First of all that writes: nothing (no key file, no lock) is created
    // beside a file vpnsnap must not write.
    crate::store::check_database(database).map_err(|error| UsageError(error.to_string()))?;
    if let Some(key) = config.and_then(|config| config.fingerprint_key.as_ref()) {
        return Ok(PskFingerprinter::new(key.expose_secret().as_bytes()));
    }
    let key_file = PskFingerprinter::key_file_for(database);
    PskFingerprinter::from_key_file(&key_file).context("loading the PSK fingerprint key")
}

/// A collection prepared from the command line and the config.
pub struct Prepared {
    pub request: RunRequest,
    pub fingerprinter: Arc<PskFingerprinter>,
    pub config: Config,
}

/// Reads the config and the command line into a collection's request
/// (`collect`, `run`).
pub fn prepare_collection(cli: &Cli, args: &CollectionArgs) -> Result<Prepared> {
    let config = require_config(cli)?;
    let sources = select_sources(&config, &args.sources)?;
    let database = database_path(cli, Some(&config))?;
    let fingerprinter = Arc::new(fingerprinter(Some(&config), &database)?);
    let request = RunRequest {
        sources,
        database,
        options: runner::collect_options(&config.runtime),
        wait: args.wait,
        metrics_file: args
            .metrics_file
            .clone()
            .or_else(|| config.runtime.metrics_file.clone()),
        show_progress: !cli.quiet && std::io::stderr().is_terminal(),
        configured_sources: config
            .sources
            .iter()
            .map(|source| source.name.clone())
            .collect(),
        observed_at: None,
    };
    Ok(Prepared {
        request,
        fingerprinter,
        config,
    })
}

/// A config without sources has nothing to collect: the usage error
/// `collect`, `run` and `config check` agree on.
pub fn require_sources(config: &Config) -> Result<()> {
    if config.sources.is_empty() {
        return Err(UsageError(format!(
            "{}: no [[source]] configured; nothing to collect",
            config.path.display()
        ))
        .into());
    }
    Ok(())
}

/// The named sources in config order, or all of them; an unknown name is a
/// usage error listing the configured ones.
fn select_sources(config: &Config, names: &[String]) -> Result<Vec<SourceConfig>> {
    require_sources(config)?;
    let configured = || {
        config
            .sources
            .iter()
            .map(|source| source.name.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    if let Some(unknown) = names.iter().find(|name| config.source(name).is_none()) {
        return Err(UsageError(format!(
            "--source {unknown:?} is not in {} (configured: {})",
            config.path.display(),
            configured()
        ))
        .into());
    }
    Ok(config
        .sources
        .iter()
        .filter(|source| names.is_empty() || names.contains(&source.name))
        .cloned()
        .collect())
}

/// One collection now: stored, its summary printed, and how it ends the
/// process (`collect`, `run --once`).
pub fn collect_now(
    runtime: &tokio::runtime::Runtime,
    prepared: &Prepared,
    shutdown: &Shutdown,
    format: SummaryFormat,
    quiet: bool,
) -> Result<Exit> {
    let report = runner::collect_once(
        runtime,
        &prepared.request,
        &prepared.fingerprinter,
        shutdown,
    )?;
    print_report(&report, format, quiet)?;
    Ok(report.exit())
}

/// Prints a collection's summary in `format`: on stdout; with `quiet`
/// (`-q`), nothing when the run ended in [`Exit::Success`] and the summary
/// on stderr otherwise, so that cron mails exactly the runs that need a
/// look.
pub fn print_report(report: &RunReport, format: SummaryFormat, quiet: bool) -> Result<()> {
    fn write(out: &mut impl Write, report: &RunReport, format: SummaryFormat) -> Result<()> {
        match format {
            SummaryFormat::Text => summary::write_text(out, report)?,
            SummaryFormat::Json => writeln!(out, "{}", summary::to_json(report))?,
        }
        out.flush()?;
        Ok(())
    }
    match (quiet, report.exit()) {
        (false, _) => write(&mut std::io::stdout().lock(), report, format),
        (true, Exit::Success) => Ok(()),
        (true, _) => write(&mut std::io::stderr().lock(), report, format),
    }
}

/// The database `query` and `sql` read: `--db`, else the config's (which
/// may be absent).
pub fn database_to_read(cli: &Cli) -> Result<PathBuf> {
    let config = load_config(cli)?;
    database_path(cli, config.as_ref())
}

/// Opens the database read-only (`query`, `report`); questions are asked of it alone. A
/// database an older vpnsnap wrote lacks this version's migrations (e.g.
/// the query indexes): the store brings it up to date first, as the next
/// collection would, and it is opened read-only again.
pub fn open_current(database: &Path) -> Result<QueryDb> {
    let db = QueryDb::open(database).map_err(query_error)?;
    if !crate::store::needs_migration(db.sqlite()).unwrap_or(false) {
        return Ok(db);
    }
    drop(db);
    tracing::info!("migrating {} to the current schema", database.display());
    drop(Store::open(database)?);
    QueryDb::open(database).map_err(query_error)
}

/// A query error as the user's mistake (exit code 2) when it is one.
pub fn query_error(error: QueryError) -> anyhow::Error {
    if error.is_usage() {
        UsageError(error.to_string()).into()
    } else {
        error.into()
    }
}

/// Writes `table` to stdout: `format`, else table on a terminal and JSON otherwise.
pub fn print_table(table: &Table, format: Option<Format>) -> Result<()> {
    let stdout = std::io::stdout();
    let format = format.unwrap_or(output_format(&stdout));
    let mut out = std::io::BufWriter::new(stdout.lock());
    crate::query::write(&mut out, table, format)?;
    out.flush()?;
    Ok(())
}

/// Writes a question's answer on stdout as SQLite gives its rows (`table`
/// only once they are all read: it aligns them).
pub fn print_rows(rows: Bound<'_>, format: Option<Format>) -> Result<()> {
    let stdout = std::io::stdout();
    let format = format.unwrap_or(output_format(&stdout));
    let out = std::io::BufWriter::new(stdout.lock());
    let mut out = rows.write_to(out, format).map_err(|error| match error {
        StreamError::Query(error) => query_error(error),
        cut @ StreamError::Cut { .. } => cut.into(),
        StreamError::Write(error) => error.into(),
    })?;
    out.flush()?;
    Ok(())
}

/// The output format when none is given: a table on a terminal, else JSON.
fn output_format(stdout: &std::io::Stdout) -> Format {
    match stdout.is_terminal() {
        true => Format::Table,
        false => Format::Json,
    }
}

#[cfg(test)]
mod tests {
    /// The identifiers a file names right after `prefix` (`super::x`,
    /// `super::{x, y}`).
    fn named_after(text: &str, prefix: &str) -> Vec<String> {
        let ident = |c: char| c.is_alphanumeric() || c == '_';
        text.match_indices(prefix)
            .flat_map(|(at, _)| {
                let rest = &text[at + prefix.len()..];
                let names = match rest.strip_prefix('{') {
                    Some(group) => &group[..group.find('}').unwrap_or(group.len())],
                    None => &rest[..rest.find(|c| !ident(c)).unwrap_or(rest.len())],
                };
                names
                    .split(|c| !ident(c))
                    .filter(|name| !name.is_empty())
                    .map(String::from)
                    .collect::<Vec<_>>()
            })
            .collect()
    }

    /// What two subcommands share lives in this file or below `cmd/`.
    #[test]
    fn a_subcommand_imports_no_other_subcommand() {
        let folder = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/cmd");
        let files: Vec<_> = std::fs::read_dir(&folder)
            .unwrap()
            .map(|entry| entry.unwrap().path())
            .filter(|path| !path.ends_with("mod.rs"))
            .collect();
        let subcommands: Vec<String> = files
            .iter()
            .filter_map(|path| path.file_stem())
            .map(|stem| stem.to_string_lossy().into_owned())
            .collect();
        assert!(subcommands.contains(&"collect".to_string()));
        for path in &files {
            let text = std::fs::read_to_string(path).unwrap();
            for prefix in ["super::", "crate::cmd::"] {
                for name in named_after(&text, prefix) {
                    assert!(
                        !subcommands.contains(&name),
                        "{} names {prefix}{name}",
                        path.display()
                    );
                }
            }
        }
    }
}
