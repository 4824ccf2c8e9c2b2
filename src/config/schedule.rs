//! Cron schedules (`schedule` in the config, `run --schedule`): parsed, and
//! explained the same way wherever they come from when they are not valid,
//! including one that names no time in the future.

use std::str::FromStr;

use chrono::Utc;
use cron::Schedule;

/// Parses a cron expression (seconds first) that names at least one time
/// after now. The error says why not, for the user: the field count when
/// it is wrong, else the parser's reason without its caret diagram.
pub fn parse_schedule(expression: &str) -> Result<Schedule, String> {
    let schedule = Schedule::from_str(expression).map_err(|error| {
        let fields = expression.split_whitespace().count();
        let reason = if !(6..=7).contains(&fields) {
            format!(
                "it has {fields} fields, and 6 or 7 are needed, seconds first \
                 (sec min hour day-of-month month day-of-week [year])"
            )
        } else {
            error
                .to_string()
                .lines()
                .map(str::trim)
                .filter(|line| !line.is_empty() && *line != expression.trim())
                .rfind(|line| !line.chars().all(|c| c == '^'))
                .unwrap_or("invalid syntax")
                .to_string()
        };
        format!(
            "{expression:?} is not a valid cron expression: {reason}; \
             e.g. \"0 */15 * * * *\" runs every 15 minutes"
        )
    })?;
    if schedule.upcoming(Utc).next().is_none() {
        return Err(format!(
            "{expression:?} names no time in the future (a day that does not exist, \
             or a year that has passed), so it would never collect; \
             e.g. \"0 */15 * * * *\" runs every 15 minutes"
        ));
    }
    Ok(schedule)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn five_fields_are_explained() {
        assert_eq!(
            parse_schedule("*/15 * * * *").unwrap_err(),
            "\"*/15 * * * *\" is not a valid cron expression: it has 5 fields, and 6 or 7 are \
             needed, seconds first (sec min hour day-of-month month day-of-week [year]); \
             e.g. \"0 */15 * * * *\" runs every 15 minutes"
        );
    }

    #[test]
    fn a_schedule_with_no_future_time_is_refused() {
        for expression in ["0 0 0 30 2 *", "0 0 0 1 1 * 2001"] {
            let error = parse_schedule(expression).unwrap_err();
            assert!(
                error.starts_with(&format!("{expression:?} names no time in the future")),
                "{error}"
            );
        }
        assert!(parse_schedule("0 */15 * * * *").is_ok());
    }
}
