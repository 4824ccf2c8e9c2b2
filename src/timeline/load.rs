//! Reading a report's data through the named questions (`timeline`,
//! `runs`, `outages`, `changes`, `weak-crypto`): the same answers `vpnsnap
//! query` gives, turned into [`Data`].

use std::collections::HashMap;

use rusqlite::types::Value;

use super::data::{Band, Change, Data, Event, Millis, Outage, RunMark, Segment, Weak};
use super::{Request, TimelineError};
use crate::model::Status;
use crate::query::{self, QueryDb, Table};
use crate::time::Timestamp;

/// Reads the window's data for the request's sources and connections.
pub fn load(db: &QueryDb, request: &Request) -> Result<Data, TimelineError> {
    let since = request.since.to_string();
    let until = request.until.to_string();
    let wanted = Wanted::resolve(db, request)?;
    let mut data = Data::default();
    for source in wanted.sources() {
        let with_source = |mut params: Vec<(String, String)>| {
            if let Some(source) = source {
                params.push(("source".into(), source.to_string()));
            }
            params
        };
        let window = || {
            with_source(vec![
                ("since".into(), since.clone()),
                ("until".into(), until.clone()),
            ])
        };
        let ask = |name: &str, params: Vec<(String, String)>| -> Result<Table, TimelineError> {
            let question = query::find(name)?;
            Ok(query::run(db, &question, &params, request.until)?)
        };
        read_versions(&ask("timeline", window())?, &wanted, &mut data.bands)?;
        read_runs(&ask("runs", window())?, &mut data.runs)?;
        read_outages(&ask("outages", window())?, &wanted, &mut data.outages)?;
        read_changes(&ask("changes", window())?, &wanted, &mut data.changes)?;
        let at = with_source(vec![("at".into(), until.clone())]);
        read_weak(&ask("weak-crypto", at)?, &wanted, &mut data.weak)?;
    }
    data.bands
        .sort_by(|a, b| (&a.source, &a.connection_id).cmp(&(&b.source, &b.connection_id)));
    data.runs
        .sort_by(|a, b| (&a.source, a.at).cmp(&(&b.source, b.at)));
    data.outages.sort_by(|a, b| {
        (a.down, &a.source, &a.connection_id).cmp(&(b.down, &b.source, &b.connection_id))
    });
    data.changes.sort_by(|a, b| {
        (a.at, &a.source, &a.connection_id).cmp(&(b.at, &b.source, &b.connection_id))
    });
    let index: HashMap<(String, String), usize> = data
        .band_index()
        .into_iter()
        .map(|((source, id), index)| ((source.to_string(), id.to_string()), index))
        .collect();
    for (position, change) in data.changes.iter().enumerate() {
        let key = (change.source.clone(), change.connection_id.clone());
        if let Some(&band) = index.get(&key) {
            data.bands[band].changes.push(position);
        }
    }
    for (position, outage) in data.outages.iter().enumerate() {
        let key = (outage.source.clone(), outage.connection_id.clone());
        if let Some(&band) = index.get(&key) {
            data.bands[band].outages.push(position);
        }
    }
    Ok(data)
}

/// The sources and connections a request names (empty: all).
struct Wanted {
    sources: Vec<String>,
    connections: Vec<(String, String)>,
}

impl Wanted {
    fn resolve(db: &QueryDb, request: &Request) -> Result<Wanted, TimelineError> {
        for source in &request.sources {
            query::check_source(db.sqlite(), source)?;
        }
        let connections = request
            .connections
            .iter()
            .map(|text| {
                let source = match request.sources.as_slice() {
                    [only] => Some(only.as_str()),
                    _ => None,
                };
                query::resolve(db.sqlite(), text, source)
                    .map(|found| (found.source, found.connection_id))
            })
            .collect::<Result<_, _>>()?;
        Ok(Wanted {
            sources: request.sources.clone(),
            connections,
        })
    }

    /// Each source to ask about, `None` for all at once.
    fn sources(&self) -> Vec<Option<&str>> {
        if self.sources.is_empty() {
            vec![None]
        } else {
            self.sources
                .iter()
                .map(|source| Some(source.as_str()))
                .collect()
        }
    }

    fn keeps(&self, source: &str, connection_id: &str) -> bool {
        self.connections.is_empty()
            || self
                .connections
                .iter()
                .any(|(s, id)| s == source && id == connection_id)
    }
}

/// A row of a table, its values found by column name.
struct Row<'a> {
    table: &'a Table,
    values: &'a [Value],
}

impl<'a> Row<'a> {
    fn value(&self, column: &str) -> Option<&'a Value> {
        let index = self.table.columns.iter().position(|name| name == column)?;
        self.values.get(index)
    }

    fn text(&self, column: &str) -> Option<String> {
        match self.value(column)? {
            Value::Text(text) => Some(text.clone()),
            Value::Integer(number) => Some(number.to_string()),
            Value::Real(number) => Some(number.to_string()),
            Value::Null | Value::Blob(_) => None,
        }
    }

    /// A column the question always fills.
    fn required(&self, column: &str) -> Result<String, TimelineError> {
        self.text(column).ok_or_else(|| TimelineError::Stored {
            column: column.to_string(),
            value: "NULL".into(),
        })
    }

    fn integer(&self, column: &str) -> Option<i64> {
        match self.value(column)? {
            Value::Integer(number) => Some(*number),
            _ => None,
        }
    }

    fn time(&self, column: &str) -> Result<Option<Millis>, TimelineError> {
        self.text(column)
            .map(|text| {
                Timestamp::parse_rfc3339(&text)
                    .map(|time| time.datetime().timestamp_millis())
                    .map_err(|_| TimelineError::Stored {
                        column: column.to_string(),
                        value: text,
                    })
            })
            .transpose()
    }

    fn required_time(&self, column: &str) -> Result<Millis, TimelineError> {
        self.time(column)?.ok_or_else(|| TimelineError::Stored {
            column: column.to_string(),
            value: "NULL".into(),
        })
    }
}

fn rows(table: &Table) -> impl Iterator<Item = Row<'_>> {
    table.rows.iter().map(move |values| Row { table, values })
}

fn read_versions(
    table: &Table,
    wanted: &Wanted,
    bands: &mut Vec<Band>,
) -> Result<(), TimelineError> {
    for row in rows(table) {
        let source = row.required("source")?;
        let connection_id = row.required("connection_id")?;
        if !wanted.keeps(&source, &connection_id) {
            continue;
        }
        let event = row.required("event")?;
        let from = row.required_time("valid_from")?;
        let status = match event.as_str() {
            "deleted" => None,
            _ => Some(parse_status(&row.required("status")?)?),
        };
        let segment = Segment {
            from,
            to: row.time("valid_to")?,
            status,
        };
        let same = bands
            .last()
            .is_some_and(|band| band.source == source && band.connection_id == connection_id);
        if !same {
            bands.push(Band {
                source,
                connection_id,
                name: None,
                segments: Vec::new(),
                events: Vec::new(),
                changes: Vec::new(),
                outages: Vec::new(),
            });
        }
        if let Some(band) = bands.last_mut() {
            if let Some(name) = row.text("name") {
                band.name = Some(name);
            }
            band.segments.push(segment);
            if matches!(event.as_str(), "created" | "deleted" | "recreated") {
                band.events.push(Event { at: from, event });
            }
        }
    }
    Ok(())
}

fn parse_status(text: &str) -> Result<Status, TimelineError> {
    Status::ALL
        .into_iter()
        .find(|status| status.as_str() == text)
        .ok_or_else(|| TimelineError::Stored {
            column: "status".into(),
            value: text.to_string(),
        })
}

fn read_runs(table: &Table, runs: &mut Vec<RunMark>) -> Result<(), TimelineError> {
    for row in rows(table) {
        // A run none of whose sources is asked about has a NULL source.
        let Some(source) = row.text("source") else {
            continue;
        };
        let failed = row.text("outcome").as_deref() != Some("ok");
        runs.push(RunMark {
            source,
            at: row.required_time("observed_at")?,
            error: failed.then(|| row.text("error").unwrap_or_else(|| "failed".into())),
            items: row.integer("item_count"),
        });
    }
    Ok(())
}

fn read_outages(
    table: &Table,
    wanted: &Wanted,
    outages: &mut Vec<Outage>,
) -> Result<(), TimelineError> {
    for row in rows(table) {
        let source = row.required("source")?;
        let connection_id = row.required("connection_id")?;
        if !wanted.keeps(&source, &connection_id) {
            continue;
        }
        let down = row.required_time("down_observed_at")?;
        outages.push(Outage {
            source,
            connection_id,
            name: row.text("name"),
            last_up: row.time("last_up_observed_at")?,
            down,
            last_down: row.time("last_down_observed_at")?,
            up: row.time("up_observed_at")?,
            min_seconds: row.integer("min_duration_seconds"),
            max_seconds: row.integer("max_duration_seconds"),
            ended_by: row.text("ended_by"),
        });
    }
    Ok(())
}

fn read_changes(
    table: &Table,
    wanted: &Wanted,
    changes: &mut Vec<Change>,
) -> Result<(), TimelineError> {
    for row in rows(table) {
        let source = row.required("source")?;
        let connection_id = row.required("connection_id")?;
        if !wanted.keeps(&source, &connection_id) {
            continue;
        }
        changes.push(Change {
            at: row.required_time("observed_at")?,
            previous: row.time("previous_observed_at")?,
            source,
            connection_id,
            name: row.text("name"),
            event: row.required("event")?,
            field: row.text("field"),
            old: row.text("old_value"),
            new: row.text("new_value"),
        });
    }
    Ok(())
}

fn read_weak(table: &Table, wanted: &Wanted, weak: &mut Vec<Weak>) -> Result<(), TimelineError> {
    for row in rows(table) {
        let source = row.required("source")?;
        let connection_id = row.required("connection_id")?;
        if !wanted.keeps(&source, &connection_id) {
            continue;
        }
        weak.push(Weak {
            source,
            connection_id,
            name: row.text("name"),
            weakness: row.required("weakness")?,
            since: row.time("since")?,
        });
    }
    Ok(())
}
