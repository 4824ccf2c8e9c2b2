//! How a collection's [`RunReport`] is shown: the text lines and the JSON
//! object that `collect` and every run of `run` print on stdout (the HTML
//! page of `vpnsnap report` is `timeline/`).

use std::io::Write;

use serde_json::{Value, json};

use crate::runner::{FetchReport, RunReport};
use crate::store::SourceSummary;

/// The summary as text: a line for the run, one per source.
pub fn write_text(out: &mut impl Write, report: &RunReport) -> std::io::Result<()> {
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
pub fn to_json(report: &RunReport) -> Value {
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
