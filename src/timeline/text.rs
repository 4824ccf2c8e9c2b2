//! Text on the page: the one escaping function every string from the
//! database goes through, and how times and durations are written.

use chrono::{DateTime, Utc};

use super::data::Millis;

/// `text` safe inside HTML and SVG, as element content and as a quoted
/// attribute value: `&`, `<`, `>`, `"` and `'` become character references.
/// Every string that came from a provider or the database is written
/// through this function.
pub fn escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&#39;"),
            c => escaped.push(c),
        }
    }
    escaped
}

/// A time as stored (`2026-11-22T10:15:00.000Z`).
pub fn time(at: Millis) -> String {
    match DateTime::<Utc>::from_timestamp_millis(at) {
        Some(time) => time.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string(),
        None => format!("{at} ms"),
    }
}

/// A time for people (`2026-11-22 10:15:00 UTC`, milliseconds when there are some).
pub fn short_time(at: Millis) -> String {
    let format = if at % 1000 == 0 {
        "%Y-%m-%d %H:%M:%S UTC"
    } else {
        "%Y-%m-%d %H:%M:%S%.3f UTC"
    };
    match DateTime::<Utc>::from_timestamp_millis(at) {
        Some(time) => time.format(format).to_string(),
        None => format!("{at} ms"),
    }
}

/// A duration in seconds for people: `45s`, `12m 5s`, `3h 20m`, `2d 4h`.
pub fn duration(seconds: i64) -> String {
    let seconds = seconds.max(0);
    let (days, hours, minutes, rest) = (
        seconds / 86_400,
        seconds % 86_400 / 3_600,
        seconds % 3_600 / 60,
        seconds % 60,
    );
    match (days, hours, minutes) {
        (0, 0, 0) => format!("{rest}s"),
        (0, 0, _) if rest == 0 => format!("{minutes}m"),
        (0, 0, _) => format!("{minutes}m {rest}s"),
        (0, _, _) => format!("{hours}h {minutes}m"),
        _ => format!("{days}d {hours}h"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_and_both_quotes_are_escaped_and_the_rest_kept() {
        assert_eq!(
            escape("<script>alert('x')</script>"),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"
        );
        assert_eq!(escape("a \"b\" & c → d"), "a &quot;b&quot; &amp; c → d");
        assert_eq!(escape("&amp;"), "&amp;amp;");
        assert_eq!(escape("vpn-東京 ✓"), "vpn-東京 ✓");
        assert_eq!(escape(""), "");
    }

    #[test]
    fn times_and_durations_read_as_people_write_them() {
        assert_eq!(time(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(short_time(90_000), "1970-01-01 00:01:30 UTC");
        assert_eq!(short_time(1_250), "1970-01-01 00:00:01.250 UTC");
        assert_eq!(duration(45), "45s");
        assert_eq!(duration(600), "10m");
        assert_eq!(duration(725), "12m 5s");
        assert_eq!(duration(12_000), "3h 20m");
        assert_eq!(duration(187_200), "2d 4h");
        assert_eq!(duration(-5), "0s");
    }
}
