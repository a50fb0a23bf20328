//! M's date and time values as .NET holds them: a count of 100-nanosecond ticks. A date is a day number
//! (days since 0001-01-01, the proleptic Gregorian calendar), a time the ticks since midnight, a datetime
//! the ticks since 0001-01-01T00:00, a datetimezone a local datetime and an offset in minutes, a duration
//! a signed number of ticks. Conversions to and from the civil calendar, and the ISO 8601 forms the JSON
//! encoding and the M literals print.

/// Ticks (100 ns) in a second, a minute, an hour, a day.
pub const TICKS_PER_SECOND: i64 = 10_000_000;
pub const TICKS_PER_MINUTE: i64 = 60 * TICKS_PER_SECOND;
pub const TICKS_PER_HOUR: i64 = 60 * TICKS_PER_MINUTE;
pub const TICKS_PER_DAY: i64 = 24 * TICKS_PER_HOUR;

/// The last day M knows: 9999-12-31.
pub const MAX_DAY: i64 = 3_652_058;

/// A datetimezone: the local datetime (ticks) and its offset from UTC in minutes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Zoned {
    pub local: i64,
    pub offset_minutes: i32,
}

impl Zoned {
    /// The instant in UTC ticks, which comparisons and equality use.
    pub fn utc(self) -> i64 {
        self.local - i64::from(self.offset_minutes) * TICKS_PER_MINUTE
    }
}

/// Days since 0001-01-01 of a civil date, `None` when the date does not exist (or is outside 1..=9999).
pub fn days_from_civil(year: i64, month: i64, day: i64) -> Option<i64> {
    if !(1..=9999).contains(&year)
        || !(1..=12).contains(&month)
        || day < 1
        || day > days_in_month(year, month)
    {
        return None;
    }
    // Howard Hinnant's days_from_civil, shifted from 1970-01-01 to 0001-01-01.
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    Some(era * 146_097 + doe - 306)
}

/// The civil date (year, month, day) of a day number.
pub fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 306;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

pub fn is_leap_year(year: i64) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

pub fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if is_leap_year(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// `2011-12-31`.
pub fn format_date(days: i64) -> String {
    let (y, m, d) = civil_from_days(days);
    format!("{y:04}-{m:02}-{d:02}")
}

/// `10:20:30`, with the fraction of a second only when it is not zero (`10:20:30.5`).
pub fn format_time(ticks: i64) -> String {
    let seconds = ticks / TICKS_PER_SECOND;
    let fraction = ticks % TICKS_PER_SECOND;
    let mut text = format!("{:02}:{:02}:{:02}", seconds / 3600, seconds / 60 % 60, seconds % 60);
    if fraction != 0 {
        let digits = format!("{fraction:07}");
        text.push('.');
        text.push_str(digits.trim_end_matches('0'));
    }
    text
}

/// `2011-12-31T10:20:30`.
pub fn format_datetime(ticks: i64) -> String {
    format!(
        "{}T{}",
        format_date(ticks.div_euclid(TICKS_PER_DAY)),
        format_time(ticks.rem_euclid(TICKS_PER_DAY))
    )
}

/// `2011-12-31T10:20:30-08:00`.
pub fn format_datetimezone(zoned: Zoned) -> String {
    let sign = if zoned.offset_minutes < 0 { '-' } else { '+' };
    let offset = zoned.offset_minutes.abs();
    format!("{}{sign}{:02}:{:02}", format_datetime(zoned.local), offset / 60, offset % 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_round_trip() {
        assert_eq!(days_from_civil(1, 1, 1), Some(0));
        assert_eq!(days_from_civil(9999, 12, 31), Some(MAX_DAY));
        assert_eq!(days_from_civil(2023, 2, 29), None);
        for days in [0, 59, 60, 365, 730_000, 738_000, MAX_DAY] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), Some(days));
        }
        assert_eq!(format_date(days_from_civil(2011, 12, 31).unwrap()), "2011-12-31");
    }

    #[test]
    fn time_forms() {
        assert_eq!(
            format_time(10 * TICKS_PER_HOUR + 20 * TICKS_PER_MINUTE + 30 * TICKS_PER_SECOND),
            "10:20:30"
        );
        assert_eq!(format_time(30 * TICKS_PER_SECOND + TICKS_PER_SECOND / 2), "00:00:30.5");
    }
}
