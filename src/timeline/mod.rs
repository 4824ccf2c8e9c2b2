//! `vpnsnap report`: one self-contained HTML page for a postmortem, a
//! status band per connection across a window (grouped by source), the
//! uncertainty of each outage's start and end hatched, created, deleted,
//! recreated and change markers, each source's collector runs, and tables of
//! outages, changes and weak crypto.
//!
//! It reads the database through the catalogue's named questions
//! (`timeline`, `runs`, `outages`, `changes`, `weak-crypto`) on the
//! read-only [`QueryDb`], as `vpnsnap query` does: no history logic of its
//! own. The page has no external resource: inline SVG drawn here, inline CSS
//! and a little inline JavaScript, and every string from the database goes
//! through [`escape`].

mod data;
mod html;
mod load;
mod scale;
mod svg;
mod tables;
mod text;

use crate::query::{self, QueryDb, QueryError};
use crate::time::Timestamp;

pub use data::Data;
pub use html::WIDTH;
pub use tables::MAX_ROWS;
pub use text::escape;

/// What to draw.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    pub since: Timestamp,
    pub until: Timestamp,
    /// Only these sources (empty: all).
    pub sources: Vec<String>,
    /// Only these connections, by provider id or name (empty: all).
    pub connections: Vec<String>,
    /// The database as the header names it.
    pub database: String,
    /// The time of generation the header gives.
    pub generated_at: Timestamp,
}

/// A written report and what it shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    pub html: String,
    pub connections: usize,
    pub outages: usize,
    pub changes: usize,
    pub runs: usize,
    pub failed_runs: usize,
}

/// What can go wrong drawing a report.
#[derive(Debug, thiserror::Error)]
pub enum TimelineError {
    #[error(transparent)]
    Query(#[from] QueryError),
    #[error("the database holds {value:?} in {column}, which the report cannot read")]
    Stored { column: String, value: String },
    #[error("writing the page failed")]
    Format(#[from] std::fmt::Error),
}

/// Reads the window's data and draws the page.
pub fn render(db: &QueryDb, request: &Request) -> Result<Report, TimelineError> {
    let data = load(db, request)?;
    let html = draw(&data, request)?;
    Ok(Report {
        html,
        connections: data.bands.len(),
        outages: data.outages.len(),
        changes: data.changes.len(),
        runs: data.runs.len(),
        failed_runs: data.runs.iter().filter(|run| run.error.is_some()).count(),
    })
}

/// Reads what the page shows (the named questions' answers, grouped).
pub fn load(db: &QueryDb, request: &Request) -> Result<Data, TimelineError> {
    load::load(db, request)
}

/// Draws the page from what [`load`] read.
pub fn draw(data: &Data, request: &Request) -> Result<String, TimelineError> {
    Ok(html::page(data, request)?)
}

/// The first and last observation the database recorded (any run of any
/// source), through the `runs` question; `None` when it has no run.
pub fn recorded_span(
    db: &QueryDb,
    now: Timestamp,
) -> Result<Option<(Timestamp, Timestamp)>, TimelineError> {
    let question = query::find("runs")?;
    let every = vec![("limit".to_string(), i64::MAX.to_string())];
    let table = query::run(db, &question, &every, now)?;
    let Some(column) = table.columns.iter().position(|name| name == "observed_at") else {
        return Ok(None);
    };
    let times: Vec<Timestamp> = table
        .rows
        .iter()
        .filter_map(|row| match row.get(column) {
            Some(rusqlite::types::Value::Text(text)) => Timestamp::parse_rfc3339(text).ok(),
            _ => None,
        })
        .collect();
    Ok(times.iter().min().copied().zip(times.iter().max().copied()))
}
