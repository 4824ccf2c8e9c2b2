//! `vpnsnap import`: saved API responses of one source, stored as one run.

use std::io::Write;

use anyhow::{Context, Result};

use super::UsageError;
use crate::cli::{Cli, ImportArgs};

use crate::import::{ImportRequest, read_listing};
use crate::lock::CollectionLock;
use crate::store::{RunKind, RunRecord, RunSummary, Store};
use crate::time::Timestamp;

pub fn run(cli: &Cli, args: &ImportArgs) -> Result<()> {
    let started_at = Timestamp::now();
    crate::config::validate_source_name(&args.source)
        .map_err(|message| UsageError(format!("--source {:?}: {message}", args.source)))?;
    let config = super::load_config(cli)?;
    let configured = config
        .as_ref()
        .and_then(|config| config.source(&args.source));
    let kind = match (args.kind, configured) {
        (Some(kind), Some(source)) if kind != source.kind => {
            return Err(UsageError(format!(
                "--kind {kind} contradicts the config, where source {:?} is {}",
                args.source, source.kind
            ))
            .into());
        }
        (Some(kind), _) => kind,
        (None, Some(source)) => source.kind,
        (None, None) => {
            return Err(UsageError(format!(
                "source {:?} is not in the config: pass --kind ({})",
                args.source,
                crate::provider::ProviderKind::names()
            ))
            .into());
        }
    };
    let database = super::database_path(cli, config.as_ref())?;
    let fingerprinter = super::fingerprinter(config.as_ref(), &database)?;
    let request = ImportRequest {
        source: args.source.clone(),
        kind,
        region: args
            .region
            .clone()
            .or_else(|| configured.map(|source| source.region.clone())),
        account: args
            .account
            .clone()
            .or_else(|| configured.and_then(|source| source.account.clone())),
        observed_at: args.observed_at.unwrap_or(started_at),
        files: args.files.clone(),
    };
    // The same lock as collections: an import never interleaves with a run,
    // so the latest versions read here are still the latest when it is
    // stored. An existing database is opened (and migrated) first, so that
    // the connections unchanged since its latest versions are passed over
    // without normalizing; a new one is created only once the files read.
    let _lock = CollectionLock::acquire(&database, args.wait)?;
    let mut store = match database.exists() {
        true => Some(Store::open(&database)?),
        false => None,
    };
    let listing = read_listing(&request, &fingerprinter, || match &mut store {
        Some(store) => store.known_versions(&args.source),
        None => Ok(Default::default()),
    })??;
    for warning in &listing.warnings {
        tracing::warn!("{warning}");
    }
    let mut store = match store {
        Some(store) => store,
        None => Store::open(&database)?,
    };
    let run = RunRecord {
        kind: RunKind::Import,
        started_at,
        finished_at: Timestamp::now(),
        sources: vec![listing],
    };
    let summary = store
        .write_run(&run, &fingerprinter)
        .with_context(|| format!("storing the import into {}", database.display()))?;
    // Freeing the listing (each new or changed connection normalized, with
    // its raw JSON) was about 4% of a first import of 10,000 connections:
    // it is freed on a thread of its own while the summary is printed and
    // the database closed (here, if no thread can be started), and the
    // process may exit before that thread is done. It owns nothing but
    // memory (an import's listing is held in memory, never spooled); the
    // lock and the database are closed here, in order.
    let _ = std::thread::Builder::new()
        .name("free-listing".into())
        .spawn(move || drop(run));
    // `-q`: errors only; a stored import has none to show.
    if !cli.quiet {
        print_summary(&mut std::io::stdout().lock(), &summary, &request)?;
    }
    Ok(())
}

fn print_summary(
    out: &mut impl Write,
    summary: &RunSummary,
    request: &ImportRequest,
) -> std::io::Result<()> {
    writeln!(
        out,
        "run {} (import), observed at {}",
        summary.run_id, request.observed_at
    )?;
    for source in &summary.sources {
        writeln!(
            out,
            "  {} ({}): {}, {} connections: {} created, {} changed, {} deleted, {} recreated, {} unchanged{}",
            source.source,
            source.provider,
            source.outcome,
            source.items,
            source.created,
            source.changed,
            source.deleted,
            source.recreated,
            source.unchanged,
            match source.warnings {
                0 => String::new(),
                count => format!(", {count} warnings"),
            }
        )?;
    }
    Ok(())
}
