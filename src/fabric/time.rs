//! Times the API sends, read without trusting them: job instance timestamps (Fabric's
//! `2023-04-22T06:35:00.7812154`, UTC without a zone, or RFC 3339 with one) and `Retry-After` (seconds, or
//! an HTTP date). A server can send anything (`1e20`, `NaN`, a year 10^400), so every value is parsed with
//! `jiff`'s checked calendar and arithmetic: what is malformed or out of range is `None`, and a wait is
//! capped, never a panic.

use std::time::Duration;

use jiff::civil::DateTime;
use jiff::fmt::rfc2822::DateTimeParser;
use jiff::tz::TimeZone;
use jiff::Timestamp;

/// The instant of a timestamp: with a zone or `Z` (RFC 3339), or without one, which Fabric means as UTC.
pub fn instant(text: &str) -> Option<Timestamp> {
    let text = text.trim();
    if let Ok(timestamp) = text.parse::<Timestamp>() {
        return Some(timestamp);
    }
    let civil: DateTime = text.parse().ok()?;
    TimeZone::UTC.to_timestamp(civil).ok()
}

/// The time from `start` to `end`; `None` when either is not a timestamp or `end` is before `start`.
pub fn elapsed(start: &str, end: &str) -> Option<Duration> {
    let span = instant(end)?.duration_since(instant(start)?);
    Duration::try_from(span).ok()
}

/// A `Retry-After` value as a wait from `now`, at most `cap`: delay-seconds (a fraction is accepted), or an
/// HTTP date (a date in the past is no wait). `None` for what is neither, or a negative or not-a-number
/// count, so the caller falls back on its own backoff.
pub fn retry_after(value: &str, now: Timestamp, cap: Duration) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<f64>() {
        // A negative count and NaN are malformed; infinity and `1e20` are simply more than the cap.
        if seconds.is_nan() || seconds < 0.0 {
            return None;
        }
        return Some(Duration::try_from_secs_f64(seconds).map_or(cap, |wait| wait.min(cap)));
    }
    static HTTP_DATE: DateTimeParser = DateTimeParser::new();
    let date = HTTP_DATE.parse_timestamp(value).ok()?;
    // A date already past means "now"; `try_from` refuses exactly the negative spans.
    Some(Duration::try_from(date.duration_since(now)).unwrap_or(Duration::ZERO).min(cap))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fabric_timestamps_with_and_without_a_zone() {
        assert_eq!(instant("1970-01-01T00:00:00"), Some(Timestamp::UNIX_EPOCH));
        assert_eq!(instant("2000-03-01T00:00:00Z").map(Timestamp::as_second), Some(951_868_800));
        assert_eq!(instant("2000-03-01T01:00:00+01:00").map(Timestamp::as_second), Some(951_868_800));
        assert_eq!(
            elapsed("2023-04-22T23:59:58.5000000", "2023-04-23T00:00:01.0000000"),
            Some(Duration::from_millis(2500))
        );
        assert_eq!(
            elapsed("2024-02-28T00:00:00", "2024-03-01T00:00:00"),
            Some(Duration::from_secs(2 * 86_400))
        );
    }

    #[test]
    fn absurd_timestamps_are_none() {
        for text in [
            "2023-01-01T1e400:00:00",
            "2023-01-01T99:00:00",
            "2023-02-30T00:00:00",
            "99999999999-01-01T00:00:00",
            "NaN",
            "",
            "2023-01-01T00:00:00.99999999999999999999999",
        ] {
            assert_eq!(instant(text), None, "{text}");
        }
        assert_eq!(elapsed("2023-01-01T00:00:00", "2023-01-01T1e400:00:00"), None);
        assert_eq!(elapsed("2023-01-02T00:00:00", "2023-01-01T00:00:00"), None, "an end before the start");
        // The widest span the calendar holds is still a duration.
        let (first, last) = (Timestamp::MIN.to_string(), Timestamp::MAX.to_string());
        assert!(elapsed(&first, &last).is_some(), "{first} to {last}");
    }

    #[test]
    fn retry_after_is_checked_and_capped() {
        let now: Timestamp = "2024-01-01T00:00:00Z".parse().unwrap();
        let cap = Duration::from_secs(60);
        assert_eq!(retry_after("3", now, cap), Some(Duration::from_secs(3)));
        assert_eq!(retry_after(" 0.5 ", now, cap), Some(Duration::from_millis(500)));
        for huge in ["1e20", "inf", "18446744073709551616", "1e308"] {
            assert_eq!(retry_after(huge, now, cap), Some(cap), "{huge}");
        }
        for malformed in ["-1", "NaN", "-inf", "soon", "", "1 2"] {
            assert_eq!(retry_after(malformed, now, cap), None, "{malformed}");
        }
        assert_eq!(retry_after("Mon, 01 Jan 2024 00:00:30 GMT", now, cap), Some(Duration::from_secs(30)));
        assert_eq!(retry_after("Wed, 01 Jan 9000 00:00:00 GMT", now, cap), Some(cap), "far in the future");
        assert_eq!(retry_after("Sun, 31 Dec 2023 00:00:00 GMT", now, cap), Some(Duration::ZERO), "past");
    }
}
