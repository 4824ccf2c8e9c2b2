//! From time to pixels: the window mapped onto a fixed width, versions
//! aggregated per pixel column (the most severe status in a column wins,
//! so a short outage stays visible), and the axis's ticks.

use chrono::{DateTime, Utc};

use super::data::{Millis, Segment};
use crate::model::Status;

/// A window of time drawn across `width` pixel columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Axis {
    pub start: Millis,
    pub end: Millis,
    pub width: usize,
}

/// A run of pixel columns `[x0, x1)` drawn in one status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    pub x0: usize,
    pub x1: usize,
    pub status: Status,
}

impl Axis {
    /// An axis from `start` to `end` (at least a millisecond long).
    pub fn new(start: Millis, end: Millis, width: usize) -> Axis {
        Axis {
            start,
            end: end.max(start.saturating_add(1)),
            width: width.max(1),
        }
    }

    /// The x of time `at`, clamped to the window.
    pub fn x(&self, at: Millis) -> f64 {
        let span = (self.end - self.start) as f64;
        let offset = (at.clamp(self.start, self.end) - self.start) as f64;
        offset / span * self.width as f64
    }

    /// The time at `x` (the inverse of [`Axis::x`], to the millisecond).
    pub fn time(&self, x: f64) -> Millis {
        let span = (self.end - self.start) as f64;
        self.start + (x / self.width as f64 * span).round() as Millis
    }

    /// Whether `at` lies in the window.
    pub fn contains(&self, at: Millis) -> bool {
        (self.start..=self.end).contains(&at)
    }

    /// The pixel columns `[first, last)` that the times `[from, to)`
    /// touch; empty when they miss the window. A span shorter than a
    /// column still gets the column it falls in.
    pub fn columns(&self, from: Millis, to: Millis) -> (usize, usize) {
        if to <= self.start || from > self.end || to <= from {
            return (0, 0);
        }
        let first = (self.x(from).floor() as usize).min(self.width - 1);
        let last = (self.x(to).ceil() as usize).clamp(first + 1, self.width);
        (first, last)
    }
}

/// How severe a status looks on a band: the most severe wins a column.
pub fn severity(status: Status) -> u8 {
    match status {
        Status::Active => 0,
        Status::Frozen => 1,
        Status::Unknown => 2,
        Status::Pending => 3,
        Status::Error => 4,
        Status::Down => 5,
    }
}

/// The band's spans: each pixel column in the most severe status any
/// version showed during it, runs of one status merged. A column where the
/// connection did not exist (before creation, deleted) is left out. An
/// open-ended segment runs to `known_until` (the end of what is known).
pub fn spans(axis: &Axis, segments: &[Segment], known_until: Millis) -> Vec<Span> {
    let mut columns: Vec<Option<Status>> = vec![None; axis.width];
    for segment in segments {
        let Some(status) = segment.status else {
            continue;
        };
        let to = segment.to.unwrap_or(known_until.max(segment.from));
        // The latest version observed at the window's end still shows.
        let to = if to == segment.from { to + 1 } else { to };
        let (first, last) = axis.columns(segment.from, to);
        for column in &mut columns[first..last] {
            if column.is_none_or(|shown| severity(status) > severity(shown)) {
                *column = Some(status);
            }
        }
    }
    let mut spans: Vec<Span> = Vec::new();
    for (x, column) in columns.into_iter().enumerate() {
        let Some(status) = column else { continue };
        match spans.last_mut() {
            Some(span) if span.x1 == x && span.status == status => span.x1 = x + 1,
            _ => spans.push(Span {
                x0: x,
                x1: x + 1,
                status,
            }),
        }
    }
    spans
}

/// Ranges `[x0, x1)` in whole pixels, overlapping ones merged (touching
/// ones stay apart); each keeps the indexes of what it covers.
pub fn merge_ranges(mut ranges: Vec<(usize, usize, usize)>) -> Vec<(usize, usize, Vec<usize>)> {
    ranges.sort();
    let mut merged: Vec<(usize, usize, Vec<usize>)> = Vec::new();
    for (x0, x1, item) in ranges {
        match merged.last_mut() {
            Some(last) if x0 < last.1 => {
                last.1 = last.1.max(x1);
                last.2.push(item);
            }
            _ => merged.push((x0, x1, vec![item])),
        }
    }
    merged
}

/// Tick steps, in milliseconds, from a millisecond to 30 days.
const STEPS: [Millis; 31] = [
    1,
    2,
    5,
    10,
    20,
    50,
    100,
    200,
    500,
    1_000,
    2_000,
    5_000,
    10_000,
    15_000,
    30_000,
    60_000,
    120_000,
    300_000,
    600_000,
    900_000,
    1_800_000,
    3_600_000,
    7_200_000,
    10_800_000,
    21_600_000,
    43_200_000,
    86_400_000,
    172_800_000,
    604_800_000,
    1_209_600_000,
    2_592_000_000,
];

/// The axis's ticks: at most `max` round times inside the window, each with
/// its label (precise enough to tell neighbours apart).
pub fn ticks(axis: &Axis, max: usize) -> Vec<(Millis, String)> {
    let span = axis.end - axis.start;
    let step = STEPS
        .into_iter()
        .find(|step| span / step < max.max(1) as Millis)
        .unwrap_or(STEPS[STEPS.len() - 1]);
    let format = if step >= 86_400_000 {
        "%m-%d"
    } else if step >= 60_000 {
        "%m-%d %H:%M"
    } else if step >= 1_000 {
        "%H:%M:%S"
    } else {
        "%H:%M:%S%.3f"
    };
    let first = axis.start.div_euclid(step) * step + if axis.start % step == 0 { 0 } else { step };
    (0..)
        .map(|index| first + index * step)
        .take_while(|at| *at <= axis.end)
        .filter_map(|at| {
            DateTime::<Utc>::from_timestamp_millis(at)
                .map(|time| (at, time.format(format).to_string()))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOUR: Millis = 3_600_000;

    fn segment(from: Millis, to: Option<Millis>, status: Option<Status>) -> Segment {
        Segment { from, to, status }
    }

    #[test]
    fn times_map_linearly_onto_the_width_and_clamp_outside_the_window() {
        let axis = Axis::new(0, 24 * HOUR, 960);
        assert_eq!(axis.x(0), 0.0);
        assert_eq!(axis.x(12 * HOUR), 480.0);
        assert_eq!(axis.x(24 * HOUR), 960.0);
        assert_eq!(axis.x(-HOUR), 0.0);
        assert_eq!(axis.x(30 * HOUR), 960.0);
        assert_eq!(axis.time(480.0), 12 * HOUR);
        assert_eq!(axis.columns(HOUR, 2 * HOUR), (40, 80));
        assert_eq!(axis.columns(HOUR, HOUR + 1), (40, 41));
        assert_eq!(axis.columns(-2 * HOUR, -HOUR), (0, 0));
        assert_eq!(axis.columns(23 * HOUR, 48 * HOUR), (920, 960));
        // An empty window still maps (to a millisecond).
        assert_eq!(Axis::new(5, 5, 10).end, 6);
    }

    #[test]
    fn versions_become_spans_and_the_most_severe_status_wins_a_column() {
        let axis = Axis::new(0, 10 * HOUR, 10);
        let segments = [
            segment(-HOUR, Some(3 * HOUR), Some(Status::Active)),
            // DOWN for a minute inside column 3: the whole column shows it.
            segment(3 * HOUR, Some(3 * HOUR + 60_000), Some(Status::Down)),
            segment(3 * HOUR + 60_000, Some(6 * HOUR), Some(Status::Active)),
            // Deleted: nothing drawn.
            segment(6 * HOUR, Some(8 * HOUR), None),
            segment(8 * HOUR, None, Some(Status::Pending)),
        ];
        let spans = spans(&axis, &segments, 9 * HOUR);
        let shown: Vec<(usize, usize, &str)> = spans
            .iter()
            .map(|span| (span.x0, span.x1, span.status.as_str()))
            .collect();
        assert_eq!(
            shown,
            [
                (0, 3, "ACTIVE"),
                (3, 4, "DOWN"),
                (4, 6, "ACTIVE"),
                (8, 9, "PENDING")
            ]
        );
    }

    #[test]
    fn thousands_of_versions_stay_within_one_span_per_column() {
        let axis = Axis::new(0, 1_000_000, 100);
        let segments: Vec<Segment> = (0..10_000)
            .map(|index| {
                let status = if index % 2 == 0 {
                    Status::Active
                } else {
                    Status::Down
                };
                segment(index * 100, Some(index * 100 + 100), Some(status))
            })
            .collect();
        let spans = spans(&axis, &segments, 1_000_000);
        assert_eq!(spans.len(), 1);
        assert_eq!(
            (spans[0].x0, spans[0].x1, spans[0].status),
            (0, 100, Status::Down)
        );
    }

    #[test]
    fn overlapping_ranges_merge_and_keep_what_they_cover() {
        let merged = merge_ranges(vec![(10, 12, 2), (0, 5, 0), (4, 8, 1), (12, 13, 3)]);
        assert_eq!(
            merged,
            [(0, 8, vec![0, 1]), (10, 12, vec![2]), (12, 13, vec![3])]
        );
    }

    #[test]
    fn ticks_are_round_times_labelled_at_the_steps_precision() {
        let day = Axis::new(HOUR / 2, 24 * HOUR + HOUR / 2, 960);
        let day_ticks = ticks(&day, 10);
        assert_eq!(day_ticks.len(), 8);
        assert_eq!(day_ticks[0], (3 * HOUR, "01-01 03:00".to_string()));
        let short = Axis::new(0, 1_500, 960);
        assert_eq!(ticks(&short, 10)[1], (200, "00:00:00.200".to_string()));
    }
}
