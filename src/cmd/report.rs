//! `vpnsnap report`: the window from the command line, the page drawn by
//! [`crate::timeline`] from the read-only database, written to a file.

use anyhow::{Context, Result};
use chrono::TimeDelta;

use super::{UsageError, database_to_read, open_current, query_error};
use crate::cli::{Cli, ReportArgs};

use crate::time::{Timestamp, parse_time};
use crate::timeline::{self, Request, TimelineError};

pub fn run(cli: &Cli, args: &ReportArgs) -> Result<()> {
    let now = Timestamp::now();
    let time = |flag: &str, text: &str| {
        parse_time(text, now).map_err(|message| UsageError(format!("--{flag}: {message}")))
    };
    let until = match &args.until {
        Some(text) => time("until", text)?,
        None => now,
    };
    let since = match &args.since {
        Some(text) => time("since", text)?,
        None => day_before(until),
    };
    if since >= until {
        return Err(UsageError(format!(
            "--since {since} is not before --until {until}: the window is empty"
        ))
        .into());
    }
    let database = database_to_read(cli)?;
    let db = open_current(&database)?;
    let request = Request {
        since,
        until,
        sources: args.sources.clone(),
        connections: args.connections.clone(),
        database: database.display().to_string(),
        generated_at: now,
    };
    let report = timeline::render(&db, &request).map_err(report_error)?;
    std::fs::write(&args.output, &report.html)
        .with_context(|| format!("writing the report to {}", args.output.display()))?;
    println!(
        "wrote {} ({} KiB): {} connections, {} outages, {} changes, {} runs ({} failed), {since} to {until}",
        args.output.display(),
        report.html.len().div_ceil(1024),
        report.connections,
        report.outages,
        report.changes,
        report.runs,
        report.failed_runs
    );
    Ok(())
}

/// 24 hours before `until` (the start of time if there is no such time).
fn day_before(until: Timestamp) -> Timestamp {
    until
        .datetime()
        .checked_sub_signed(TimeDelta::hours(24))
        .map_or(until, Timestamp::from_datetime)
}

/// A question's usage error (unknown source or connection) exits 2.
fn report_error(error: TimelineError) -> anyhow::Error {
    match error {
        TimelineError::Query(error) => query_error(error),
        other => other.into(),
    }
}
