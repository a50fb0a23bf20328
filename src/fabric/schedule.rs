//! Refresh and publish schedules from the command line's words: a `ScheduleConfig` (`Cron` every N
//! minutes, `Daily` at times, `Weekly` on days at times, `Monthly` on a day of the month or an ordinal weekday
//! at times, every N months) built from `--every`, `--daily 08:00,17:30`, `--weekly mon,fri`,
//! `--monthly first-monday`, `--time-zone America/Chicago`. Fabric's rules themselves (limits, time zones)
//! are [`crate::definition::schedules`], which [`Schedule::request`]'s result is checked against before any
//! call. Pure.

use serde_json::{json, Value};

use crate::definition::schedules::{self, WEEKDAYS, WEEK_INDEXES};
pub use crate::definition::schedules::{MAX_INTERVAL_MINUTES, MAX_SCHEDULES};

/// How often a schedule runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Recurrence {
    /// `Cron`: every so many minutes.
    Every { minutes: u32 },
    /// `Daily`: at these times.
    Daily { times: Vec<String> },
    /// `Weekly`: on these days at these times.
    Weekly { days: Vec<&'static str>, times: Vec<String> },
    /// `Monthly`: on a day of the month, or an ordinal weekday (`first-monday`), every `months` months.
    Monthly { occurrence: Value, times: Vec<String>, months: u32 },
}

/// A schedule to create or set.
#[derive(Debug, Clone, PartialEq)]
pub struct Schedule {
    pub recurrence: Recurrence,
    /// UTC, `YYYY-MM-DDTHH:MM:SSZ`.
    pub start: String,
    pub end: String,
    /// A Windows time-zone id (`Central Standard Time`).
    pub time_zone: String,
    pub enabled: bool,
}

impl Schedule {
    /// The `CreateScheduleRequest` / `UpdateScheduleRequest` body.
    pub fn request(&self) -> Value {
        let mut configuration = json!({
            "startDateTime": self.start,
            "endDateTime": self.end,
            "localTimeZoneId": self.time_zone,
        });
        match &self.recurrence {
            Recurrence::Every { minutes } => {
                configuration["type"] = json!("Cron");
                configuration["interval"] = json!(minutes);
            }
            Recurrence::Daily { times } => {
                configuration["type"] = json!("Daily");
                configuration["times"] = json!(times);
            }
            Recurrence::Weekly { days, times } => {
                configuration["type"] = json!("Weekly");
                configuration["weekdays"] = json!(days);
                configuration["times"] = json!(times);
            }
            Recurrence::Monthly { occurrence, times, months } => {
                configuration["type"] = json!("Monthly");
                configuration["occurrence"] = occurrence.clone();
                configuration["times"] = json!(times);
                configuration["recurrence"] = json!(months);
            }
        }
        json!({ "enabled": self.enabled, "configuration": configuration })
    }
}

/// `--every MINUTES`.
pub fn every(minutes: u32) -> Result<Recurrence, String> {
    if (1..=MAX_INTERVAL_MINUTES).contains(&u64::from(minutes)) {
        Ok(Recurrence::Every { minutes })
    } else {
        Err(format!("--every takes 1 to {MAX_INTERVAL_MINUTES} minutes, not {minutes}"))
    }
}

/// `08:00,17:30`: 1 to 100 times of day, `h:mm` or `hh:mm`, written back as `hh:mm`, sorted, without repeats.
pub fn times(text: &str) -> Result<Vec<String>, String> {
    let mut times = Vec::new();
    for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let parsed = part.split_once(':').and_then(|(h, m)| {
            let (h, m) = (h.parse::<u8>().ok()?, m.parse::<u8>().ok()?);
            (h < 24 && m < 60 && part.len() <= 5).then(|| format!("{h:02}:{m:02}"))
        });
        times.push(parsed.ok_or_else(|| format!("`{part}` is not a time of day (hh:mm, 00:00 to 23:59)"))?);
    }
    times.sort();
    times.dedup();
    match times.len() {
        0 => Err("no time of day given (hh:mm[,hh:mm...])".to_owned()),
        n if n <= schedules::MAX_TIMES => Ok(times),
        n => Err(format!("{n} times of day: Fabric takes at most {}", schedules::MAX_TIMES)),
    }
}

/// `mon,wed` or `monday,wednesday` (any case): 1 to 7 days, in week order.
pub fn weekdays(text: &str) -> Result<Vec<&'static str>, String> {
    let mut days: Vec<&'static str> = Vec::new();
    for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let day =
            weekday(part).ok_or_else(|| format!("`{part}` is not a day of the week (monday ... sunday)"))?;
        if !days.contains(&day) {
            days.push(day);
        }
    }
    if days.is_empty() {
        return Err("no day of the week given (monday[,tuesday...])".to_owned());
    }
    days.sort_by_key(|day| WEEKDAYS.iter().position(|d| d == day));
    Ok(days)
}

fn weekday(word: &str) -> Option<&'static str> {
    let word = word.to_ascii_lowercase();
    WEEKDAYS.iter().copied().find(|day| {
        let day = day.to_ascii_lowercase();
        word.len() >= 3 && day.starts_with(&word)
    })
}

/// `15` (the 15th of the month) or `first-monday` ... `fifth-sunday`: a `Monthly` occurrence.
pub fn monthly(text: &str) -> Result<Value, String> {
    if let Ok(day) = text.trim().parse::<u8>() {
        return if (1..=31).contains(&day) {
            Ok(json!({ "occurrenceType": "DayOfMonth", "dayOfMonth": day }))
        } else {
            Err(format!("--monthly {day}: a day of the month is 1 to 31"))
        };
    }
    let bad = || {
        format!("--monthly takes a day of the month (1 to 31) or first-monday ... fifth-sunday, not `{text}`")
    };
    let (ordinal, day) = text.trim().split_once('-').ok_or_else(bad)?;
    let index = WEEK_INDEXES.iter().find(|i| i.eq_ignore_ascii_case(ordinal)).ok_or_else(bad)?;
    let day = weekday(day).ok_or_else(bad)?;
    Ok(json!({ "occurrenceType": "OrdinalWeekday", "weekIndex": index, "weekday": day }))
}

/// The Windows time-zone id for `--time-zone`: a Windows id (any case), or an IANA name, mapped
/// ([`schedules::windows_zone`]).
pub fn time_zone(text: &str) -> Result<String, String> {
    schedules::windows_zone(text).map(str::to_owned).ok_or_else(|| {
        format!(
            "`{}` is not a time zone: give a Windows time-zone id (`Central Standard Time`) or an IANA name \
             (`America/Chicago`)",
            text.trim()
        )
    })
}

/// A `--start`/`--end` value as Fabric's UTC `YYYY-MM-DDTHH:MM:SSZ`: RFC 3339 with a zone, or a date and time
/// without one (taken as UTC), or a date alone (its midnight, UTC).
pub fn utc(text: &str) -> Result<String, String> {
    let text = text.trim();
    let instant = super::time::instant(text)
        .or_else(|| super::time::instant(&format!("{text}T00:00:00")))
        .ok_or_else(|| format!("`{text}` is not a date and time (2026-12-31T08:00:00Z, or a date)"))?;
    Ok(instant.strftime("%Y-%m-%dT%H:%M:%SZ").to_string())
}

/// The start and end a schedule gets when none is given: from now for a year.
pub fn default_window(now: jiff::Timestamp) -> (String, String) {
    let start = now.strftime("%Y-%m-%dT%H:%M:%SZ").to_string();
    let end = now
        .checked_add(jiff::SignedDuration::from_hours(24 * 365))
        .unwrap_or(now)
        .strftime("%Y-%m-%dT%H:%M:%SZ")
        .to_string();
    (start, end)
}

/// A schedule's configuration in words: `every 30 min`, `daily at 08:00, 17:30`, `monday, friday at 09:00`,
/// `on day 15 every 2 months at 06:00`, with its time zone.
pub fn describe(configuration: &Value) -> String {
    let list = |key: &str| {
        configuration
            .get(key)
            .and_then(Value::as_array)
            .map(|items| items.iter().filter_map(Value::as_str).collect::<Vec<_>>().join(", "))
            .unwrap_or_default()
    };
    let zone = configuration.get("localTimeZoneId").and_then(Value::as_str).unwrap_or("?");
    let what = match configuration.get("type").and_then(Value::as_str).unwrap_or("") {
        "Cron" => format!("every {} min", configuration.get("interval").and_then(Value::as_u64).unwrap_or(0)),
        "Daily" => format!("daily at {}", list("times")),
        "Weekly" => format!("{} at {}", list("weekdays").to_lowercase(), list("times")),
        "Monthly" => {
            let occurrence = configuration.get("occurrence").cloned().unwrap_or(Value::Null);
            let on = match occurrence.get("occurrenceType").and_then(Value::as_str) {
                Some("DayOfMonth") => format!("on day {}", occurrence["dayOfMonth"]),
                _ => format!(
                    "on the {} {}",
                    occurrence["weekIndex"].as_str().unwrap_or("?").to_lowercase(),
                    occurrence["weekday"].as_str().unwrap_or("?")
                ),
            };
            let months = configuration.get("recurrence").and_then(Value::as_u64).unwrap_or(1);
            let every = if months == 1 { "every month".to_owned() } else { format!("every {months} months") };
            format!("{on} {every} at {}", list("times"))
        }
        other => format!("a `{other}` schedule"),
    };
    format!("{what} ({zone})")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_become_fabric_configurations() {
        assert_eq!(times("17:30, 8:00,08:00").unwrap(), ["08:00", "17:30"]);
        assert!(times("24:00").is_err() && times("8").is_err() && times("").is_err());
        let many: Vec<String> = (0..101).map(|m| format!("{:02}:{:02}", m / 60, m % 60)).collect();
        assert!(times(&many.join(",")).unwrap_err().contains("at most 100"));
        assert_eq!(weekdays("fri,Mon,monday").unwrap(), ["Monday", "Friday"]);
        assert!(weekdays("funday").is_err() && weekdays("m").is_err());
        assert_eq!(monthly("15").unwrap(), json!({"occurrenceType": "DayOfMonth", "dayOfMonth": 15}));
        assert_eq!(
            monthly("first-monday").unwrap(),
            json!({"occurrenceType": "OrdinalWeekday", "weekIndex": "First", "weekday": "Monday"})
        );
        assert!(monthly("32").is_err() && monthly("sixth-monday").is_err());
        assert!(every(0).is_err() && every(5_270_401).is_err() && every(30).is_ok());
        assert_eq!(time_zone("America/Chicago").unwrap(), "Central Standard Time");
        assert_eq!(time_zone("central standard time").unwrap(), "Central Standard Time");
        assert_eq!(time_zone("Romance Standard Time").unwrap(), "Romance Standard Time");
        assert!(time_zone("Mars/Olympus").is_err());
        assert_eq!(utc("2026-12-31").unwrap(), "2026-12-31T00:00:00Z");
        assert_eq!(utc("2026-12-31T09:00:00+01:00").unwrap(), "2026-12-31T08:00:00Z");
        assert!(utc("tomorrow").is_err());
    }

    #[test]
    fn requests_and_descriptions() {
        let schedule = Schedule {
            recurrence: Recurrence::Weekly { days: vec!["Monday", "Friday"], times: vec!["09:00".into()] },
            start: "2026-01-01T00:00:00Z".into(),
            end: "2027-01-01T00:00:00Z".into(),
            time_zone: "UTC".into(),
            enabled: true,
        };
        let request = schedule.request();
        assert_eq!(request["configuration"]["type"], "Weekly");
        assert_eq!(request["configuration"]["weekdays"], json!(["Monday", "Friday"]));
        assert_eq!(describe(&request["configuration"]), "monday, friday at 09:00 (UTC)");
        let monthly = Schedule {
            recurrence: Recurrence::Monthly {
                occurrence: monthly("first-monday").unwrap(),
                times: vec!["06:00".into()],
                months: 2,
            },
            ..schedule
        };
        assert_eq!(
            describe(&monthly.request()["configuration"]),
            "on the first Monday every 2 months at 06:00 (UTC)"
        );
    }
}
