//! Fabric's schedule rules, in one place for everything that needs them: the `dfls schedule` command
//! (before any call), the local Fabric's schedule endpoints and its scheduler, and `dfls check` of an
//! item's `.schedules` part (through [`check_part`]). A rule cannot differ between them.
//!
//! A schedule's `configuration` (Fabric's `ScheduleConfig`) is one of four types: `Cron` (every
//! `interval` minutes, 1 to 5,270,400), `Daily` (at `times`), `Weekly` (on `weekdays` at `times`) and
//! `Monthly` (on an `occurrence`, a day of the month or an ordinal weekday, every `recurrence` months, 1 to
//! 12, at `times`); `times` lists 1 to 100 `hh:mm`. Every type has `startDateTime` before `endDateTime`
//! (UTC) and a `localTimeZoneId`, a Windows time-zone id (IANA names are mapped, [`windows_zone`]). An
//! item keeps at most [`MAX_SCHEDULES`].
//!
//! [`next_run`] is when a schedule fires next, in its own time zone (daylight saving through `jiff`): the
//! local Fabric runs schedules by it, and the editor shows it.
//!
//! Pure: JSON values in, violations and instants out. The time-zone database is the system's (jiff reads
//! it); a zone it does not have is a schedule that never fires, never a panic.

mod check;
mod zones;

use jiff::civil::{Date, DateTime, Time, Weekday};
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp, ToSpan};
use serde_json::Value;

pub use check::check_part;

/// The most schedules Fabric keeps for an item, of all its job types together (`ScheduleExceedsLimit`
/// past it: "An item can create maximum 20 schedulers").
pub const MAX_SCHEDULES: usize = 20;
/// The longest `Cron` interval, in minutes (ten years).
pub const MAX_INTERVAL_MINUTES: u64 = 5_270_400;
/// The most `times` a schedule lists.
pub const MAX_TIMES: usize = 100;
/// The longest `Monthly` recurrence, in months.
pub const MAX_MONTHS: u64 = 12;
/// The configuration types.
pub const TYPES: [&str; 4] = ["Cron", "Daily", "Weekly", "Monthly"];
/// Fabric's day names, in week order from Monday.
pub const WEEKDAYS: [&str; 7] =
    ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];
/// The `weekIndex` values of an `OrdinalWeekday` occurrence.
pub const WEEK_INDEXES: [&str; 5] = ["First", "Second", "Third", "Fourth", "Fifth"];

/// What kind of rule a configuration breaks; each is its own diagnostic code in `dfls check`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Broken {
    /// A field is missing, of the wrong form, or out of Fabric's bounds.
    Invalid,
    /// `localTimeZoneId` is not a Windows time-zone id; `windows` is the id of an IANA name given instead.
    TimeZone { windows: Option<String> },
}

/// One rule a configuration breaks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// The JSON pointer of the offending value inside the configuration (`/times/2`); the configuration
    /// itself (`""`) when a field is missing.
    pub pointer: String,
    pub broken: Broken,
    /// A sentence that names the field: "`interval` must be 1 to 5270400 minutes, not 0".
    pub message: String,
}

fn invalid(pointer: impl Into<String>, message: String) -> Violation {
    Violation { pointer: pointer.into(), broken: Broken::Invalid, message }
}

/// Every rule of Fabric's that `configuration` breaks (none: Fabric takes it).
pub fn check_configuration(configuration: &Value) -> Vec<Violation> {
    let mut out = Vec::new();
    let Some(object) = configuration.as_object() else {
        return vec![invalid("", "a schedule's configuration must be an object".to_owned())];
    };
    let required_text = |name: &str, out: &mut Vec<Violation>| match object.get(name) {
        None | Some(Value::Null) => {
            out.push(invalid("", format!("`{name}` is required")));
            None
        }
        Some(Value::String(text)) if !text.is_empty() => Some(text.as_str()),
        Some(other) => {
            out.push(invalid(
                format!("/{name}"),
                format!("`{name}` must be a non-empty string, not {other}"),
            ));
            None
        }
    };
    let kind = required_text("type", &mut out);
    let start = required_text("startDateTime", &mut out);
    let end = required_text("endDateTime", &mut out);
    let zone = required_text("localTimeZoneId", &mut out);
    let start = start.and_then(|text| instant_or(&mut out, "startDateTime", text));
    let end = end.and_then(|text| instant_or(&mut out, "endDateTime", text));
    if let (Some(start), Some(end)) = (start, end) {
        if start >= end {
            out.push(invalid(
                "/endDateTime",
                format!("the schedule ends ({end}) before it starts ({start}): `endDateTime` must be later"),
            ));
        }
    }
    if let Some(zone) = zone {
        if windows_zone(zone) != Some(zone) {
            let windows = windows_zone(zone).map(str::to_owned);
            let message = match &windows {
                Some(id) => format!(
                    "`{zone}` is not a Windows time-zone id, which Fabric takes: its Windows id is `{id}`"
                ),
                None => format!(
                    "`{zone}` is not a Windows time-zone id (like `Central Standard Time` or `UTC`), which Fabric takes"
                ),
            };
            out.push(Violation {
                pointer: "/localTimeZoneId".to_owned(),
                broken: Broken::TimeZone { windows },
                message,
            });
        }
    }
    match kind {
        Some("Cron") => {
            let interval = object.get("interval");
            if interval.is_none_or(Value::is_null) {
                out.push(invalid("", "a Cron schedule needs `interval` (minutes)".to_owned()));
            } else if !interval.and_then(whole).is_some_and(|i| (1..=MAX_INTERVAL_MINUTES).contains(&i)) {
                out.push(invalid(
                    "/interval",
                    format!(
                        "`interval` must be 1 to {MAX_INTERVAL_MINUTES} minutes, not {}",
                        shown(interval)
                    ),
                ));
            }
        }
        Some("Daily") => check_times(object, &mut out),
        Some("Weekly") => {
            check_times(object, &mut out);
            check_weekdays(object, &mut out);
        }
        Some("Monthly") => {
            check_times(object, &mut out);
            let recurrence = object.get("recurrence");
            if recurrence.is_none_or(Value::is_null) {
                out.push(invalid(
                    "",
                    "a Monthly schedule needs `recurrence` (every 1 to 12 months)".to_owned(),
                ));
            } else if !recurrence.and_then(whole).is_some_and(|r| (1..=MAX_MONTHS).contains(&r)) {
                out.push(invalid(
                    "/recurrence",
                    format!("`recurrence` must be 1 to {MAX_MONTHS} (months), not {}", shown(recurrence)),
                ));
            }
            check_occurrence(object.get("occurrence"), &mut out);
        }
        Some(other) => out.push(invalid(
            "/type",
            format!("`{other}` is not a schedule type (Cron, Daily, Weekly or Monthly)"),
        )),
        None => {}
    }
    out
}

/// A JSON number that is a whole number at least 0.
fn whole(value: &Value) -> Option<u64> {
    value.as_u64().or_else(|| value.as_f64().filter(|f| f.fract() == 0.0 && *f >= 0.0).map(|f| f as u64))
}

fn shown(value: Option<&Value>) -> String {
    value.map_or_else(|| "nothing".to_owned(), Value::to_string)
}

fn instant_or(out: &mut Vec<Violation>, name: &str, text: &str) -> Option<Timestamp> {
    let instant = utc_instant(text);
    if instant.is_none() {
        out.push(invalid(
            format!("/{name}"),
            format!("`{name}` must be a UTC date and time like 2026-12-31T08:00:00Z, not `{text}`"),
        ));
    }
    instant
}

fn check_times(object: &serde_json::Map<String, Value>, out: &mut Vec<Violation>) {
    let Some(times) = object.get("times").filter(|t| !t.is_null()) else {
        out.push(invalid("", "`times` is required (1 to 100 times of day, \"hh:mm\")".to_owned()));
        return;
    };
    let Some(list) = times.as_array() else {
        out.push(invalid("/times", format!("`times` must be a list of \"hh:mm\", not {times}")));
        return;
    };
    if list.is_empty() || list.len() > MAX_TIMES {
        out.push(invalid(
            "/times",
            format!("`times` lists {} times; Fabric takes 1 to {MAX_TIMES}", list.len()),
        ));
    }
    for (index, time) in list.iter().enumerate() {
        if time.as_str().and_then(time_of_day).is_none() {
            out.push(invalid(
                format!("/times/{index}"),
                format!("{time} is not a time of day as Fabric takes it (\"hh:mm\", 00:00 to 23:59)"),
            ));
        }
    }
}

fn check_weekdays(object: &serde_json::Map<String, Value>, out: &mut Vec<Violation>) {
    let Some(days) = object.get("weekdays").filter(|d| !d.is_null()) else {
        out.push(invalid("", "a Weekly schedule needs `weekdays` (1 to 7 of Monday ... Sunday)".to_owned()));
        return;
    };
    let Some(list) = days.as_array() else {
        out.push(invalid("/weekdays", format!("`weekdays` must be a list of day names, not {days}")));
        return;
    };
    if list.is_empty() || list.len() > WEEKDAYS.len() {
        out.push(invalid("/weekdays", format!("`weekdays` lists {} days; Fabric takes 1 to 7", list.len())));
    }
    for (index, day) in list.iter().enumerate() {
        if !day.as_str().is_some_and(|d| WEEKDAYS.contains(&d)) {
            out.push(invalid(
                format!("/weekdays/{index}"),
                format!("{day} is not a day Fabric takes (Monday, Tuesday, ... Sunday)"),
            ));
        }
    }
}

fn check_occurrence(occurrence: Option<&Value>, out: &mut Vec<Violation>) {
    let Some(occurrence) = occurrence.filter(|o| !o.is_null()) else {
        out.push(invalid(
            "",
            "a Monthly schedule needs `occurrence` (a day of the month or an ordinal weekday)".to_owned(),
        ));
        return;
    };
    let Some(fields) = occurrence.as_object() else {
        out.push(invalid("/occurrence", format!("`occurrence` must be an object, not {occurrence}")));
        return;
    };
    match fields.get("occurrenceType").and_then(Value::as_str) {
        Some("DayOfMonth") => {
            let day = fields.get("dayOfMonth");
            if !day.and_then(whole).is_some_and(|d| (1..=31).contains(&d)) {
                let pointer = if day.is_some() { "/occurrence/dayOfMonth" } else { "/occurrence" };
                out.push(invalid(pointer, format!("`dayOfMonth` must be 1 to 31, not {}", shown(day))));
            }
        }
        Some("OrdinalWeekday") => {
            let index = fields.get("weekIndex");
            if !index.and_then(Value::as_str).is_some_and(|i| WEEK_INDEXES.contains(&i)) {
                let pointer = if index.is_some() { "/occurrence/weekIndex" } else { "/occurrence" };
                out.push(invalid(
                    pointer,
                    format!(
                        "`weekIndex` must be First, Second, Third, Fourth or Fifth, not {}",
                        shown(index)
                    ),
                ));
            }
            let (key, day) = weekday_field(fields);
            if !day.and_then(Value::as_str).is_some_and(|d| WEEKDAYS.contains(&d)) {
                let pointer =
                    if day.is_some() { format!("/occurrence/{key}") } else { "/occurrence".to_owned() };
                out.push(invalid(
                    pointer,
                    format!("`weekday` must be a day Fabric takes (Monday ... Sunday), not {}", shown(day)),
                ));
            }
        }
        other => out.push(invalid(
            if fields.contains_key("occurrenceType") { "/occurrence/occurrenceType" } else { "/occurrence" },
            format!(
                "`occurrenceType` must be DayOfMonth or OrdinalWeekday, not {}",
                other.map_or_else(|| shown(fields.get("occurrenceType")), |o| format!("\"{o}\""))
            ),
        )),
    }
}

/// The weekday of an `OrdinalWeekday` occurrence: `weekday` in the REST API, `WeekDay` in the Git
/// integration's schema.
fn weekday_field(fields: &serde_json::Map<String, Value>) -> (&'static str, Option<&Value>) {
    match fields.get("weekday") {
        Some(day) => ("weekday", Some(day)),
        None => ("WeekDay", fields.get("WeekDay")),
    }
}

/// `08:30` as a time of day: exactly `hh:mm`, 00:00 to 23:59.
pub fn time_of_day(text: &str) -> Option<Time> {
    let (hours, minutes) = text.split_once(':')?;
    if hours.len() != 2 || minutes.len() != 2 {
        return None;
    }
    let (hours, minutes) = (hours.parse::<i8>().ok()?, minutes.parse::<i8>().ok()?);
    Time::new(hours, minutes, 0, 0).ok()
}

/// A `startDateTime`/`endDateTime` as an instant: UTC, with or without the `Z` (Fabric's examples omit
/// it), with or without fractional seconds; an explicit offset is honoured.
pub fn utc_instant(text: &str) -> Option<Timestamp> {
    let text = text.trim();
    text.parse::<Timestamp>().ok().or_else(|| {
        let civil: DateTime = text.parse().ok()?;
        TimeZone::UTC.to_timestamp(civil).ok()
    })
}

/// The Windows time-zone id of `name`: a Windows id (any case) as Windows spells it, or the id of an IANA
/// name's zone; `None` for a name neither knows.
pub fn windows_zone(name: &str) -> Option<&'static str> {
    let name = name.trim();
    let exact = |table: &'static [(&'static str, &'static str)]| {
        table.binary_search_by(|(key, _)| (*key).cmp(name)).ok().map(|i| table[i])
    };
    if let Some((windows, _)) = exact(zones::WINDOWS) {
        return Some(windows);
    }
    if let Some((_, windows)) = exact(zones::IANA) {
        return Some(windows);
    }
    let folded = |table: &'static [(&'static str, &'static str)]| {
        table.iter().find(|(key, _)| key.eq_ignore_ascii_case(name)).copied()
    };
    folded(zones::WINDOWS)
        .map(|(windows, _)| windows)
        .or_else(|| folded(zones::IANA).map(|(_, windows)| windows))
}

/// The time zone a schedule's `localTimeZoneId` (or an IANA name) stands for, from the system's time-zone
/// database; `None` for an unknown name or a zone the database lacks.
pub fn time_zone(name: &str) -> Option<TimeZone> {
    let windows = windows_zone(name)?;
    if windows == "UTC" {
        return Some(TimeZone::UTC);
    }
    let iana =
        zones::WINDOWS.binary_search_by(|(key, _)| (*key).cmp(windows)).ok().map(|i| zones::WINDOWS[i].1)?;
    TimeZone::get(iana).ok()
}

/// The day of the week of a Fabric day name.
fn weekday(name: &str) -> Option<Weekday> {
    let index = WEEKDAYS.iter().position(|day| *day == name)?;
    Weekday::from_monday_one_offset(i8::try_from(index + 1).ok()?).ok()
}

/// How many days past `after` a `Daily` or `Weekly` search looks: a week and the days a time zone's
/// offset can shift a local date.
const DAYS_SEARCHED: i32 = 9;
/// How many months a `Monthly` search looks: every month of 12 recurrences of 12 months, and a year more;
/// a day that never comes in the months it runs (the 31st every 12 months from February) fires never.
const MONTHS_SEARCHED: i32 = 12 * 13;

/// The next time a schedule fires strictly after `after`: its `configuration` (Fabric's `ScheduleConfig`)
/// read in the time zone `time_zone_id` (a Windows id, or an IANA name). Times of day are local: a time
/// that a daylight-saving change skips fires at the same offset's later instant, and a time that the
/// change repeats fires once, at its first instant. Runs fall between `startDateTime` and `endDateTime`
/// (both included); `Cron` runs at the start and every `interval` minutes after it; `Monthly` counts its
/// `recurrence` from the start's month, and a day the month lacks (the 31st, a fifth Monday) is skipped.
/// `None` when the schedule fires no more, or its configuration or zone is not one Fabric takes.
pub fn next_run(configuration: &Value, time_zone_id: &str, after: Timestamp) -> Option<Timestamp> {
    if !check_configuration(configuration).iter().all(|v| matches!(v.broken, Broken::TimeZone { .. })) {
        return None;
    }
    let text = |name: &str| configuration.get(name).and_then(Value::as_str);
    let start = utc_instant(text("startDateTime")?)?;
    let end = utc_instant(text("endDateTime")?)?;
    let zone = time_zone(time_zone_id)?;
    let fits = |t: Timestamp| t > after && t >= start && t <= end;
    let from = after.max(start);
    let candidate = match text("type")? {
        "Cron" => {
            let every = i64::try_from(configuration.get("interval").and_then(whole)?).ok()? * 60;
            let elapsed = from.as_second() - start.as_second();
            let mut steps = elapsed.div_euclid(every).max(0);
            loop {
                let t = start.checked_add(SignedDuration::from_secs(steps.checked_mul(every)?)).ok()?;
                if fits(t) {
                    break Some(t);
                }
                if t > end {
                    break None;
                }
                steps += 1;
            }
        }
        kind @ ("Daily" | "Weekly") => {
            let times = local_times(configuration)?;
            let days: Option<Vec<Weekday>> = if kind == "Weekly" {
                configuration.get("weekdays")?.as_array()?.iter().map(|d| weekday(d.as_str()?)).collect()
            } else {
                None
            };
            let first = from.to_zoned_datetime(zone.clone()).date().yesterday().ok()?;
            (0..DAYS_SEARCHED)
                .filter_map(|n| first.checked_add(n.days()).ok())
                .filter(|date| days.as_ref().is_none_or(|days| days.contains(&date.weekday())))
                .find_map(|date| first_on(date, &times, &zone, &fits))
        }
        "Monthly" => {
            let times = local_times(configuration)?;
            let months = i32::try_from(configuration.get("recurrence").and_then(whole)?).ok()?;
            let occurrence = configuration.get("occurrence")?;
            let start_month = start.to_zoned_datetime(zone.clone()).date().first_of_month();
            let from_month =
                from.to_zoned_datetime(zone.clone()).date().first_of_month().checked_sub(1.month()).ok()?;
            let offset = months_between(start_month, from_month).max(0);
            (offset..offset + MONTHS_SEARCHED)
                .filter(|n| n % months == 0)
                .filter_map(|n| start_month.checked_add(n.months()).ok())
                .filter_map(|month| day_in(month, occurrence))
                .find_map(|date| first_on(date, &times, &zone, &fits))
        }
        _ => None,
    };
    candidate.filter(|t| *t <= end)
}

/// A schedule's `times`, sorted.
fn local_times(configuration: &Value) -> Option<Vec<Time>> {
    let mut times: Vec<Time> = configuration
        .get("times")?
        .as_array()?
        .iter()
        .map(|t| time_of_day(t.as_str()?))
        .collect::<Option<_>>()?;
    times.sort();
    Some(times)
}

/// The earliest of `times` on `date` in `zone` that `fits`.
fn first_on(
    date: Date,
    times: &[Time],
    zone: &TimeZone,
    fits: &impl Fn(Timestamp) -> bool,
) -> Option<Timestamp> {
    times.iter().filter_map(|time| zone.to_timestamp(date.to_datetime(*time)).ok()).find(|t| fits(*t))
}

/// Whole months from the month of `from` to the month of `to`.
fn months_between(from: Date, to: Date) -> i32 {
    (i32::from(to.year()) - i32::from(from.year())) * 12 + i32::from(to.month()) - i32::from(from.month())
}

/// The day of `month` (its first day) that a `Monthly` occurrence names, if the month has it.
fn day_in(month: Date, occurrence: &Value) -> Option<Date> {
    match occurrence.get("occurrenceType")?.as_str()? {
        "DayOfMonth" => {
            let day = i8::try_from(occurrence.get("dayOfMonth").and_then(whole)?).ok()?;
            (day <= month.days_in_month()).then(|| month.with().day(day).build().ok()).flatten()
        }
        "OrdinalWeekday" => {
            let index_name = occurrence.get("weekIndex")?.as_str()?;
            let index = WEEK_INDEXES.iter().position(|i| *i == index_name)?;
            let (_, day) = weekday_field(occurrence.as_object()?);
            let day = weekday(day?.as_str()?)?;
            let nth = month.nth_weekday_of_month(i8::try_from(index + 1).ok()?, day).ok()?;
            (nth.month() == month.month()).then_some(nth)
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests;
