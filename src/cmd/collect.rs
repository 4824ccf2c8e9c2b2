//! `vpnsnap collect`: fetch the configured sources concurrently, store them
//! as one run, print a summary per source.

use std::io::{IsTerminal, Write};
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result};
use serde_json::{Value, json};

use super::UsageError;
use crate::cli::{Cli, CollectArgs, CollectionArgs, SummaryFormat};
use crate::collector::CollectOptions;
use crate::config::{Config, SourceConfig};
use crate::exit::Exit;
use crate::fingerprint::PskFingerprinter;
use crate::runner::{self, FetchReport, RunReport, RunRequest};
use crate::shutdown::Shutdown;
use crate::store::SourceSummary;

pub fn run(cli: &Cli, args: &CollectArgs) -> Result<Exit> {
    let prepared = prepare(cli, &args.run)?;
    let runtime = tokio::runtime::Runtime::new().context("starting the async runtime")?;
    let shutdown = Shutdown::on_signals(&runtime);
    collect_now(&runtime, &prepared, &shutdown, args.run.format)
}

/// One collection now: stored, its summary printed, and collect's exit
/// status (`collect`, `run --once`).
pub fn collect_now(
    runtime: &tokio::runtime::Runtime,
    prepared: &Prepared,
    shutdown: &Shutdown,
    format: SummaryFormat,
) -> Result<Exit> {
    let report = runner::collect_once(
        runtime,
        &prepared.request,
        &prepared.fingerprinter,
        shutdown,
    )?;
    print_report(&report, format)?;
    Ok(report.exit())
}

/// A run's request from the command line and the config.
pub struct Prepared {
    pub request: RunRequest,
    pub fingerprinter: Arc<PskFingerprinter>,
    pub config: Config,
}

/// Reads the config and the command line into a run request.
pub fn prepare(cli: &Cli, args: &CollectionArgs) -> Result<Prepared> {
    let config = super::require_config(cli)?;
    let sources = select_sources(&config, &args.sources)?;
    let database = super::database_path(cli, Some(&config))?;
    let fingerprinter = Arc::new(super::fingerprinter(Some(&config), &database)?);
    let request = RunRequest {
        sources,
        database,
        options: CollectOptions::from_settings(&config.runtime),
        wait: Duration::from_secs(args.wait),
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
    };
    Ok(Prepared {
        request,
        fingerprinter,
        config,
    })
}

/// Prints the summary on stdout in `format`.
pub fn print_report(report: &RunReport, format: SummaryFormat) -> Result<()> {
    let mut out = std::io::stdout().lock();
    match format {
        SummaryFormat::Text => print_text(&mut out, report)?,
        SummaryFormat::Json => writeln!(out, "{}", report_json(report))?,
    }
    out.flush()?;
    Ok(())
}

/// The named sources in config order, or all of them; an unknown name is a
/// usage error listing the configured ones.
pub fn select_sources(config: &Config, names: &[String]) -> Result<Vec<SourceConfig>> {
    if config.sources.is_empty() {
        return Err(UsageError(format!(
            "{}: no [[source]] configured; nothing to collect",
            config.path.display()
        ))
        .into());
    }
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

fn print_text(out: &mut impl Write, report: &RunReport) -> std::io::Result<()> {
    writeln!(
        out,
        "run {} (collect) at {}: {} sources in {:.1}s",
        report.summary.run_id,
        report.started_at,
        report.summary.sources.len(),
        report.duration.as_secs_f64()
    )?;
    for (source, fetch) in report.summary.sources.iter().zip(&report.fetches) {
        let seconds = fetch.duration.as_secs_f64();
        match &source.error {
            Some(error) => writeln!(
                out,
                "  {} ({}): FAILED after {seconds:.1}s and {} pages: {error}",
                source.source, source.provider, fetch.pages
            )?,
            None => writeln!(
                out,
                "  {} ({}): {}, {} connections, {} new versions ({} created, {} changed, {} recreated), {} deleted, {seconds:.1}s{}",
                source.source,
                source.provider,
                source.outcome,
                source.items,
                source.versions_written() - source.deleted,
                source.created,
                source.changed,
                source.recreated,
                source.deleted,
                match source.warnings {
                    0 => String::new(),
                    count => format!(", {count} warnings (-v shows them)"),
                }
            )?,
        }
    }
    Ok(())
}

/// The summary as one JSON object.
pub fn report_json(report: &RunReport) -> Value {
    let sources: Vec<Value> = report
        .summary
        .sources
        .iter()
        .zip(&report.fetches)
        .map(|(source, fetch)| source_json(source, fetch))
        .collect();
    json!({
        "run_id": report.summary.run_id,
        "started_at": report.started_at.to_string(),
        "duration_seconds": report.duration.as_secs_f64(),
        "exit_code": report.exit().code(),
        "sources": sources,
    })
}

fn source_json(source: &SourceSummary, fetch: &FetchReport) -> Value {
    json!({
        "source": source.source,
        "provider": source.provider,
        "outcome": source.outcome.as_str(),
        "connections": source.items,
        "new_versions": source.versions_written() - source.deleted,
        "created": source.created,
        "changed": source.changed,
        "recreated": source.recreated,
        "deleted": source.deleted,
        "unchanged": source.unchanged,
        "warnings": source.warnings,
        "pages": fetch.pages,
        "duration_seconds": fetch.duration.as_secs_f64(),
        "error": source.error,
        "error_class": fetch.error_class,
    })
}
