//! The one vocabulary of times and durations a user types, whatever the
//! flag (`--since`, `--until`, `--at`, `--from`, `--to`,
//! `import --observed-at`, `--wait`):
//!
//! - a time: RFC 3339 with any offset (`2026-11-22T10:15:00Z`), a date
//!   (`2026-11-22`, midnight UTC), SQLite's `2026-11-22 10:15:00` (UTC, as
//!   `datetime()` writes it), `now`, or a span before now (`2h`, `1h30m`,
//!   `90m`, `2h ago`, `1 hour ago`, `3 days ago`, `1w`);
//! - a duration: a span (`5m`, `30s`, `1h30m`, `2 minutes`) or plain
//!   seconds (`300`).
//!
//! The clock is passed in. Errors quote the input and list the accepted
//! forms; the caller prefixes the flag.

use std::time::Duration;

use chrono::{NaiveDate, NaiveDateTime, TimeDelta};

use super::Timestamp;

/// The accepted forms of a time, for messages and help.
pub const TIME_FORMS: &str = "RFC 3339 (2026-11-22T10:15:00Z), a date (2026-11-22, midnight UTC), \
     SQLite's 2026-11-22 10:15:00 (UTC), now, or a span before now (2h, 1h30m, 90m, 3 days ago)";

/// The accepted forms of a duration, for messages and help.
pub const DURATION_FORMS: &str = "a span (5m, 30s, 1h30m, 2 minutes) or plain seconds (300)";

/// Parses `text` as a time, spans counting back from `now`; years outside
/// 0000 to 9999 are refused (see [`Timestamp::storable`]).
pub fn parse_time(text: &str, now: Timestamp) -> Result<Timestamp, String> {
    parse_any(text, now).and_then(|time| time.storable(text))
}

/// Parses `text` as a duration: a span, or a whole number of seconds.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let trimmed = text.trim();
    if !trimmed.is_empty() && trimmed.bytes().all(|byte| byte.is_ascii_digit()) {
        return trimmed
            .parse()
            .map(Duration::from_secs)
            .map_err(|_| format!("{text:?} is too many seconds"));
    }
    span(&trimmed.to_ascii_lowercase())
        .and_then(|span| span.to_std().ok())
        .ok_or_else(|| format!("{text:?} is not a duration: write {DURATION_FORMS}"))
}

fn parse_any(text: &str, now: Timestamp) -> Result<Timestamp, String> {
    let trimmed = text.trim();
    if trimmed.eq_ignore_ascii_case("now") {
        return Ok(now);
    }
    if let Ok(time) = Timestamp::parse_rfc3339(trimmed) {
        return Ok(time);
    }
    if let Ok(date) = NaiveDate::parse_from_str(trimmed, "%Y-%m-%d")
        && let Some(midnight) = date.and_hms_opt(0, 0, 0)
    {
        return Ok(Timestamp::from_datetime(midnight.and_utc()));
    }
    // SQLite's datetime() form, with or without fractional seconds.
    for format in ["%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%d %H:%M"] {
        if let Ok(time) = NaiveDateTime::parse_from_str(trimmed, format) {
            return Ok(Timestamp::from_datetime(time.and_utc()));
        }
    }
    let lower = trimmed.to_ascii_lowercase();
    let before = lower
        .strip_suffix("ago")
        .map_or(lower.as_str(), str::trim_end);
    if let Some(ago) = span(before) {
        return now
            .datetime()
            .checked_sub_signed(ago)
            .map(Timestamp::from_datetime)
            .ok_or_else(|| format!("{text:?} reaches before the earliest time there is"));
    }
    Err(format!("{text:?} is not a time: write {TIME_FORMS}"))
}

/// One or more `<number><unit>` parts, spaces allowed between and within
/// them (`1h30m`, `1 hour 30 minutes`, `90m`); lower-case input.
fn span(text: &str) -> Option<TimeDelta> {
    let mut rest = text.trim();
    if rest.is_empty() {
        return None;
    }
    let mut total = TimeDelta::zero();
    while !rest.is_empty() {
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        let number: i64 = rest[..digits].parse().ok()?;
        rest = rest[digits..].trim_start();
        let letters = rest.bytes().take_while(u8::is_ascii_alphabetic).count();
        let seconds = match &rest[..letters] {
            "s" | "sec" | "secs" | "second" | "seconds" => 1,
            "m" | "min" | "mins" | "minute" | "minutes" => 60,
            "h" | "hr" | "hrs" | "hour" | "hours" => 3_600,
            "d" | "day" | "days" => 86_400,
            "w" | "week" | "weeks" => 604_800,
            _ => return None,
        };
        rest = rest[letters..].trim_start();
        total = total.checked_add(&TimeDelta::try_seconds(number.checked_mul(seconds)?)?)?;
    }
    Some(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> Timestamp {
        Timestamp::parse_rfc3339("2026-11-22T10:15:00Z").unwrap()
    }

    fn parsed(text: &str) -> String {
        parse_time(text, now()).unwrap().to_string()
    }

    #[test]
    fn rfc3339_with_any_offset() {
        assert_eq!(
            parsed("2026-11-22T18:15:00+08:00"),
            "2026-11-22T10:15:00.000Z"
        );
        assert_eq!(parsed("2026-11-22T10:15:00.5Z"), "2026-11-22T10:15:00.500Z");
    }

    #[test]
    fn a_date_is_midnight_utc() {
        assert_eq!(parsed("2026-11-02"), "2026-11-02T00:00:00.000Z");
    }

    #[test]
    fn sqlites_datetime_form_is_utc() {
        assert_eq!(parsed("2026-12-03 20:19:25"), "2026-12-03T20:19:25.000Z");
        assert_eq!(parsed("2026-12-03 20:19:25.25"), "2026-12-03T20:19:25.250Z");
        assert_eq!(parsed("2026-12-03 20:19"), "2026-12-03T20:19:00.000Z");
    }

    #[test]
    fn now_is_the_clock_given() {
        assert_eq!(parsed("now"), "2026-11-22T10:15:00.000Z");
        assert_eq!(parsed(" NOW "), "2026-11-22T10:15:00.000Z");
    }

    #[test]
    fn spans_count_back_from_now() {
        assert_eq!(parsed("2h"), "2026-11-22T08:15:00.000Z");
        assert_eq!(parsed("1h30m"), "2026-11-22T08:45:00.000Z");
        assert_eq!(parsed("90m"), "2026-11-22T08:45:00.000Z");
        assert_eq!(parsed("1 hour ago"), "2026-11-22T09:15:00.000Z");
        assert_eq!(parsed("3 days ago"), "2026-11-19T10:15:00.000Z");
        assert_eq!(parsed("3d ago"), "2026-11-19T10:15:00.000Z");
        assert_eq!(parsed("1 hour 30 minutes ago"), "2026-11-22T08:45:00.000Z");
        assert_eq!(parsed("1w"), "2026-11-15T10:15:00.000Z");
        assert_eq!(parsed("45s"), "2026-11-22T10:14:15.000Z");
    }

    #[test]
    fn anything_else_is_refused_with_the_accepted_forms() {
        for text in [
            "yesterday",
            "2h later",
            "h",
            "-2h",
            "2h-",
            "ago",
            "",
            "5",
            "1h 30",
        ] {
            let error = parse_time(text, now()).unwrap_err();
            assert_eq!(
                error,
                format!("{text:?} is not a time: write {TIME_FORMS}"),
                "{text}"
            );
        }
        assert_eq!(
            parse_time("99999999999999d", now()).unwrap_err(),
            "\"99999999999999d\" is not a time: write ".to_string() + TIME_FORMS
        );
    }

    #[test]
    fn times_outside_four_digit_years_are_refused() {
        for text in ["+10000-01-01", "3000000d"] {
            assert_eq!(
                parse_time(text, now()).unwrap_err(),
                format!("{text:?} is outside the years 0000 to 9999 that stored times can hold")
            );
        }
        assert!(parse_time("9999-12-31", now()).is_ok());
    }

    #[test]
    fn durations_are_spans_or_seconds() {
        assert_eq!(parse_duration("5m"), Ok(Duration::from_secs(300)));
        assert_eq!(parse_duration("30s"), Ok(Duration::from_secs(30)));
        assert_eq!(parse_duration("300"), Ok(Duration::from_secs(300)));
        assert_eq!(parse_duration("0"), Ok(Duration::ZERO));
        assert_eq!(parse_duration("1h30m"), Ok(Duration::from_secs(5_400)));
        assert_eq!(parse_duration("2 minutes"), Ok(Duration::from_secs(120)));
        for text in ["5 minutes ago", "-5", "5x", "", "1.5m"] {
            assert_eq!(
                parse_duration(text).unwrap_err(),
                format!("{text:?} is not a duration: write {DURATION_FORMS}")
            );
        }
    }
}
