//! Times given to questions: RFC3339 (`2026-11-22T10:15:00Z`, any offset), a
//! date (`2026-11-22`, midnight UTC), `now`, or a time before now (`2h`,
//! `90m ago`, `3 days ago`, `1w`). The clock is passed in.

use chrono::{NaiveDate, TimeDelta};

use crate::time::Timestamp;

/// Parses `text` as a time, relative forms counting back from `now`;
/// years outside 0000 to 9999 are refused (see [`Timestamp::storable`]).
pub fn parse_time(text: &str, now: Timestamp) -> Result<Timestamp, String> {
    parse_any(text, now).and_then(|time| time.storable(text))
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
    if let Some(ago) = relative(trimmed) {
        return now
            .datetime()
            .checked_sub_signed(ago)
            .map(Timestamp::from_datetime)
            .ok_or_else(|| format!("{text:?} reaches before the earliest time there is"));
    }
    Err(format!(
        "{text:?} is not a time: write RFC3339 (2026-11-22T10:15:00Z), a date (2026-11-22), \
         now, or a time before now (30m, 2h, 3d ago, 1w)"
    ))
}

/// `<number><unit>` or `<number> <unit>`, optionally followed by `ago`.
fn relative(text: &str) -> Option<TimeDelta> {
    let lower = text.to_ascii_lowercase();
    let body = lower
        .strip_suffix("ago")
        .map(str::trim_end)
        .unwrap_or(&lower);
    let digits = body.bytes().take_while(u8::is_ascii_digit).count();
    let number: i64 = body[..digits].parse().ok()?;
    let seconds = match body[digits..].trim_start() {
        "s" | "sec" | "secs" | "second" | "seconds" => 1,
        "m" | "min" | "mins" | "minute" | "minutes" => 60,
        "h" | "hr" | "hrs" | "hour" | "hours" => 3_600,
        "d" | "day" | "days" => 86_400,
        "w" | "week" | "weeks" => 604_800,
        _ => return None,
    };
    TimeDelta::try_seconds(number.checked_mul(seconds)?)
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
    fn absolute_forms_are_written_as_stored_times() {
        assert_eq!(
            parsed("2026-11-22T18:15:00+08:00"),
            "2026-11-22T10:15:00.000Z"
        );
        assert_eq!(parsed("2026-11-20"), "2026-11-20T00:00:00.000Z");
        assert_eq!(parsed("now"), "2026-11-22T10:15:00.000Z");
    }

    #[test]
    fn relative_forms_count_back_from_now() {
        assert_eq!(parsed("2h"), "2026-11-22T08:15:00.000Z");
        assert_eq!(parsed("3d ago"), "2026-11-19T10:15:00.000Z");
        assert_eq!(parsed("90 minutes ago"), "2026-11-22T08:45:00.000Z");
        assert_eq!(parsed("1w"), "2026-11-15T10:15:00.000Z");
        assert_eq!(parsed("45s"), "2026-11-22T10:14:15.000Z");
    }

    #[test]
    fn anything_else_is_refused_with_the_accepted_forms() {
        for text in ["yesterday", "2h later", "h", "-2h", "99999999999999d", ""] {
            let error = parse_time(text, now()).unwrap_err();
            assert!(
                error.contains("is not a time") || error.contains("earliest"),
                "{text}: {error}"
            );
        }
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
}
