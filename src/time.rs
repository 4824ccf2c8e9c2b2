//! Times: UTC instants written as RFC3339 with milliseconds
//! (`2026-11-22T10:15:00.000Z`), one fixed width so that text order is time
//! order in SQL, and the one format every output time is written in; and
//! (in `input`) the one vocabulary of times and durations users type.

mod input;

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Datelike, SecondsFormat, Utc};

pub use input::{DURATION_FORMS, TIME_FORMS, parse_duration, parse_time};

/// A UTC instant at millisecond precision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(DateTime<Utc>);

impl Timestamp {
    /// The current time. Only commands call this; the library is handed its clock.
    pub fn now() -> Timestamp {
        Timestamp::from_datetime(Utc::now())
    }

    /// Truncates to milliseconds, the precision stored.
    pub fn from_datetime(instant: DateTime<Utc>) -> Timestamp {
        let millis = instant.timestamp_millis();
        Timestamp(DateTime::from_timestamp_millis(millis).unwrap_or(instant))
    }

    pub fn from_unix_seconds(seconds: i64) -> Option<Timestamp> {
        DateTime::from_timestamp(seconds, 0).map(Timestamp)
    }

    pub fn datetime(self) -> DateTime<Utc> {
        self.0
    }

    /// `span` later; `None` past the end of time.
    pub fn checked_add(self, span: std::time::Duration) -> Option<Timestamp> {
        let span = chrono::TimeDelta::from_std(span).ok()?;
        self.0
            .checked_add_signed(span)
            .map(Timestamp::from_datetime)
    }

    /// `span` earlier; `None` before the start of time.
    pub fn checked_sub(self, span: std::time::Duration) -> Option<Timestamp> {
        let span = chrono::TimeDelta::from_std(span).ok()?;
        self.0
            .checked_sub_signed(span)
            .map(Timestamp::from_datetime)
    }

    /// Parses RFC3339 with any offset, e.g. `2026-11-22T10:15:00+08:00`,
    /// within [`Timestamp::storable`]'s years.
    pub fn parse_rfc3339(text: &str) -> Result<Timestamp, String> {
        DateTime::parse_from_rfc3339(text.trim())
            .map(|instant| Timestamp::from_datetime(instant.with_timezone(&Utc)))
            .map_err(|error| {
                format!(
                    "{text:?} is not an RFC3339 time ({error}); write e.g. 2026-11-22T10:15:00Z"
                )
            })
            .and_then(|time| time.storable(text))
    }

    /// `self` if its year is 0000 to 9999: the database keeps times as
    /// fixed-width text and compares them as text, which orders only
    /// four-digit years correctly. `text` names the input in the error.
    pub fn storable(self, text: &str) -> Result<Timestamp, String> {
        if (0..=9999).contains(&self.0.year()) {
            Ok(self)
        } else {
            Err(format!(
                "{text:?} is outside the years 0000 to 9999 that stored times can hold"
            ))
        }
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0.to_rfc3339_opts(SecondsFormat::Millis, true))
    }
}

impl FromStr for Timestamp {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Timestamp::parse_rfc3339(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_offsets_and_writes_fixed_width_utc() {
        let time = Timestamp::parse_rfc3339("2026-11-22T18:15:00+08:00").unwrap();
        assert_eq!(time.to_string(), "2026-11-22T10:15:00.000Z");
        let precise = Timestamp::parse_rfc3339("2026-11-22T10:15:00.123456Z").unwrap();
        assert_eq!(precise.to_string(), "2026-11-22T10:15:00.123Z");
        assert!(
            Timestamp::parse_rfc3339("yesterday")
                .unwrap_err()
                .contains("RFC3339")
        );
    }
}
