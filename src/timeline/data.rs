//! What a report shows: the named questions' answers as typed rows, the
//! versions grouped into one band per connection (read by `load.rs`).

use std::collections::HashMap;

use crate::model::Status;

/// A time as milliseconds since the Unix epoch.
pub type Millis = i64;

/// One connection's band: its versions across the window.
#[derive(Debug, Clone, PartialEq)]
pub struct Band {
    pub source: String,
    pub connection_id: String,
    /// The latest name in the window.
    pub name: Option<String>,
    pub segments: Vec<Segment>,
    /// Created, deleted and recreated events in the window.
    pub events: Vec<Event>,
    /// Indexes into [`Data::changes`] of this connection's field changes.
    pub changes: Vec<usize>,
    /// Indexes into [`Data::outages`].
    pub outages: Vec<usize>,
}

/// A version's time span; `status` is `None` while the connection is deleted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Segment {
    pub from: Millis,
    /// `None`: still valid (the latest version).
    pub to: Option<Millis>,
    pub status: Option<Status>,
}

/// A created, deleted or recreated event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    pub at: Millis,
    pub event: String,
}

/// One run of one source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunMark {
    pub source: String,
    pub at: Millis,
    /// `None` when the listing was complete; the error otherwise.
    pub error: Option<String>,
    pub items: Option<i64>,
}

/// A row of `outages`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outage {
    pub source: String,
    pub connection_id: String,
    pub name: Option<String>,
    pub last_up: Option<Millis>,
    pub down: Millis,
    /// The last observation that saw it DOWN.
    pub last_down: Option<Millis>,
    pub up: Option<Millis>,
    pub min_seconds: Option<i64>,
    pub max_seconds: Option<i64>,
    pub ended_by: Option<String>,
}

/// A row of `changes`: an event (field `None`) or one field's change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub at: Millis,
    pub previous: Option<Millis>,
    pub source: String,
    pub connection_id: String,
    pub name: Option<String>,
    pub event: String,
    pub field: Option<String>,
    pub old: Option<String>,
    pub new: Option<String>,
}

/// A row of `weak-crypto` at the window's end.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Weak {
    pub source: String,
    pub connection_id: String,
    pub name: Option<String>,
    pub weakness: String,
    pub since: Option<Millis>,
}

/// Everything a report draws.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Data {
    /// By source, then connection id.
    pub bands: Vec<Band>,
    /// By source, then time.
    pub runs: Vec<RunMark>,
    pub outages: Vec<Outage>,
    pub changes: Vec<Change>,
    pub weak: Vec<Weak>,
}

impl Data {
    /// The band of a connection, by `(source, connection_id)`.
    pub fn band_index(&self) -> HashMap<(&str, &str), usize> {
        self.bands
            .iter()
            .enumerate()
            .map(|(index, band)| ((band.source.as_str(), band.connection_id.as_str()), index))
            .collect()
    }
}
