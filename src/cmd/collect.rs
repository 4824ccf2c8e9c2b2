//! `vpnsnap collect`: fetch the configured sources concurrently, store them
//! as one run, print a summary per source.

use std::io::Write;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use serde_json::{Value, json};

use super::{Exit, UsageError};
use crate::cli::{Cli, CollectArgs, SummaryFormat};
use crate::collector::{self, CollectOptions, Collected, SourceProgress};
use crate::config::{Config, SourceConfig};
use crate::store::{RunKind, RunRecord, RunSummary, SourceSummary, Store};
use crate::time::Timestamp;

pub fn run(cli: &Cli, args: &CollectArgs) -> Result<Exit> {
    let config = super::require_config(cli)?;
    let sources = select_sources(&config, &args.sources)?;
    let database = super::database_path(cli, Some(&config))?;
    let fingerprinter = Arc::new(super::fingerprinter(Some(&config), &database)?);
    // Opened (and migrated) before fetching, so a database problem fails
    // before any request; no transaction is held while fetching.
    let mut store = Store::open(&database)?;
    let runtime = tokio::runtime::Runtime::new().context("starting the async runtime")?;

    let started_at = Timestamp::now();
    let clock = Instant::now();
    let progress: Vec<Arc<SourceProgress>> = sources.iter().map(|_| Arc::default()).collect();
    let options = CollectOptions::default();
    let collected = runtime.block_on(collector::collect(
        &sources,
        &options,
        Arc::clone(&fingerprinter),
        &progress,
    ));
    let (results, reports): (Vec<_>, Vec<_>) = collected
        .into_iter()
        .map(|collected| {
            let Collected {
                result,
                duration,
                error_class,
                pages,
            } = collected;
            (result, (duration, error_class, pages))
        })
        .unzip();
    let run = RunRecord {
        kind: RunKind::Collect,
        started_at,
        finished_at: Timestamp::now(),
        sources: results,
    };
    let summary = store
        .write_run(&run, &fingerprinter)
        .with_context(|| format!("storing the run into {}", database.display()))?;
    let exit = exit_for(&summary);
    let report = RunReport {
        summary: &summary,
        started_at,
        duration: clock.elapsed(),
        sources: &reports,
        exit,
    };
    let mut out = std::io::stdout().lock();
    match args.format {
        SummaryFormat::Text => report.print_text(&mut out)?,
        SummaryFormat::Json => writeln!(out, "{}", report.to_json())?,
    }
    Ok(exit)
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

/// 0 when every source is ok, 3 when some failed, 1 when all did.
pub fn exit_for(summary: &RunSummary) -> Exit {
    let failed = summary
        .sources
        .iter()
        .filter(|source| source.outcome == "failed")
        .count();
    match failed {
        0 => Exit::Success,
        n if n == summary.sources.len() => Exit::NothingStored,
        _ => Exit::SomeSourcesFailed,
    }
}

/// What `collect` prints: the store's summary with each fetch's duration,
/// page count and failure class.
struct RunReport<'a> {
    summary: &'a RunSummary,
    started_at: Timestamp,
    duration: Duration,
    sources: &'a [(Duration, Option<&'static str>, u64)],
    exit: Exit,
}

impl RunReport<'_> {
    fn print_text(&self, out: &mut impl Write) -> std::io::Result<()> {
        writeln!(
            out,
            "run {} (collect) at {}: {} sources in {:.1}s",
            self.summary.run_id,
            self.started_at,
            self.summary.sources.len(),
            self.duration.as_secs_f64()
        )?;
        for (source, (duration, _, pages)) in self.summary.sources.iter().zip(self.sources) {
            let seconds = duration.as_secs_f64();
            match &source.error {
                Some(error) => writeln!(
                    out,
                    "  {} ({}): FAILED after {seconds:.1}s and {pages} pages: {error}",
                    source.source, source.provider
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

    fn to_json(&self) -> Value {
        let sources: Vec<Value> = self
            .summary
            .sources
            .iter()
            .zip(self.sources)
            .map(|(source, (duration, class, pages))| {
                source_json(source, *duration, *class, *pages)
            })
            .collect();
        json!({
            "run_id": self.summary.run_id,
            "started_at": self.started_at.to_string(),
            "duration_seconds": self.duration.as_secs_f64(),
            "exit_code": self.exit.code(),
            "sources": sources,
        })
    }
}

fn source_json(
    source: &SourceSummary,
    duration: Duration,
    error_class: Option<&'static str>,
    pages: u64,
) -> Value {
    json!({
        "source": source.source,
        "provider": source.provider,
        "outcome": source.outcome,
        "connections": source.items,
        "new_versions": source.versions_written() - source.deleted,
        "created": source.created,
        "changed": source.changed,
        "recreated": source.recreated,
        "deleted": source.deleted,
        "unchanged": source.unchanged,
        "warnings": source.warnings,
        "pages": pages,
        "duration_seconds": duration.as_secs_f64(),
        "error": source.error,
        "error_class": error_class,
    })
}
