use serde_json::json;

use super::*;

fn at(text: &str) -> Timestamp {
    text.parse().unwrap()
}

fn config(kind: &str, extra: Value) -> Value {
    let mut configuration = json!({
        "type": kind,
        "startDateTime": "2026-01-01T00:00:00Z",
        "endDateTime": "2028-01-01T00:00:00Z",
        "localTimeZoneId": "UTC",
    });
    for (key, value) in extra.as_object().unwrap() {
        configuration[key] = value.clone();
    }
    configuration
}

fn pointers(configuration: &Value) -> Vec<String> {
    check_configuration(configuration).into_iter().map(|v| v.pointer).collect()
}

#[test]
fn the_tables_are_sorted_for_binary_search() {
    for table in [zones::WINDOWS, zones::IANA] {
        assert!(table.windows(2).all(|pair| pair[0].0 < pair[1].0));
    }
    // Every IANA name maps to a Windows id the first table has.
    for (iana, windows) in zones::IANA {
        assert!(zones::WINDOWS.binary_search_by(|(k, _)| k.cmp(windows)).is_ok(), "{iana} -> {windows}");
    }
}

#[test]
fn windows_ids_and_iana_names() {
    assert_eq!(windows_zone("Central Standard Time"), Some("Central Standard Time"));
    assert_eq!(windows_zone("central standard time"), Some("Central Standard Time"));
    assert_eq!(windows_zone("America/Chicago"), Some("Central Standard Time"));
    assert_eq!(windows_zone("Europe/Lisbon"), Some("GMT Standard Time"));
    assert_eq!(windows_zone("Tasmania Standard Time"), Some("Tasmania Standard Time"));
    assert_eq!(windows_zone("UTC"), Some("UTC"));
    assert_eq!(windows_zone("Mars/Olympus"), None);
    assert_eq!(windows_zone("Mars Standard Time"), None);
}

#[test]
fn fabric_takes_a_valid_configuration_of_each_type() {
    for configuration in [
        config("Cron", json!({"interval": 30})),
        config("Daily", json!({"times": ["08:00", "17:30"]})),
        config("Weekly", json!({"times": ["09:00"], "weekdays": ["Monday", "Friday"]})),
        config(
            "Monthly",
            json!({"times": ["06:00"], "recurrence": 2,
                   "occurrence": {"occurrenceType": "OrdinalWeekday", "weekIndex": "First", "weekday": "Monday"}}),
        ),
        config(
            "Monthly",
            json!({"times": ["06:00"], "recurrence": 1,
                                 "occurrence": {"occurrenceType": "DayOfMonth", "dayOfMonth": 31}}),
        ),
    ] {
        assert_eq!(check_configuration(&configuration), [], "{configuration}");
    }
}

#[test]
fn each_broken_rule_is_one_violation_at_its_value() {
    assert_eq!(pointers(&config("Cron", json!({"interval": 0}))), ["/interval"]);
    assert_eq!(pointers(&config("Cron", json!({"interval": 5_270_401}))), ["/interval"]);
    assert_eq!(pointers(&config("Cron", json!({}))), [""]);
    assert_eq!(
        pointers(&config("Daily", json!({"times": ["08:00", "24:00", "8:00"]}))),
        ["/times/1", "/times/2"]
    );
    let many: Vec<String> = (0..101).map(|m| format!("{:02}:{:02}", m / 60, m % 60)).collect();
    assert_eq!(pointers(&config("Daily", json!({"times": many}))), ["/times"]);
    assert_eq!(pointers(&config("Daily", json!({"times": []}))), ["/times"]);
    assert_eq!(
        pointers(&config("Weekly", json!({"times": ["09:00"], "weekdays": ["Monday", "Funday"]}))),
        ["/weekdays/1"]
    );
    assert_eq!(
        pointers(&config(
            "Monthly",
            json!({"times": ["06:00"], "recurrence": 13, "occurrence": {"occurrenceType": "DayOfMonth", "dayOfMonth": 32}})
        )),
        ["/recurrence", "/occurrence/dayOfMonth"]
    );
    assert_eq!(
        pointers(&config(
            "Monthly",
            json!({"times": ["06:00"], "recurrence": 1,
                   "occurrence": {"occurrenceType": "OrdinalWeekday", "weekIndex": "Sixth", "weekday": "Monday"}})
        )),
        ["/occurrence/weekIndex"]
    );
    let mut backwards = config("Cron", json!({"interval": 5}));
    backwards["endDateTime"] = json!("2025-01-01T00:00:00Z");
    let violations = check_configuration(&backwards);
    assert_eq!(violations.len(), 1);
    assert_eq!(violations[0].pointer, "/endDateTime");
    assert!(violations[0].message.contains("before it starts"), "{}", violations[0].message);
    assert_eq!(pointers(&config("Hourly", json!({}))), ["/type"]);
    assert_eq!(pointers(&json!({"type": "Cron", "interval": 5})), ["", "", ""]);
}

#[test]
fn a_time_zone_must_be_a_windows_id() {
    let mut iana = config("Cron", json!({"interval": 5}));
    iana["localTimeZoneId"] = json!("America/Chicago");
    let violations = check_configuration(&iana);
    assert_eq!(violations.len(), 1);
    assert_eq!(violations[0].pointer, "/localTimeZoneId");
    assert_eq!(violations[0].broken, Broken::TimeZone { windows: Some("Central Standard Time".into()) });
    iana["localTimeZoneId"] = json!("Mars Standard Time");
    assert_eq!(check_configuration(&iana)[0].broken, Broken::TimeZone { windows: None });
}

#[test]
fn cron_runs_from_the_start_every_interval() {
    let every = config("Cron", json!({"interval": 90}));
    assert_eq!(next_run(&every, "UTC", at("2025-06-01T00:00:00Z")), Some(at("2026-01-01T00:00:00Z")));
    assert_eq!(next_run(&every, "UTC", at("2026-01-01T00:00:00Z")), Some(at("2026-01-01T01:30:00Z")));
    assert_eq!(next_run(&every, "UTC", at("2026-01-01T01:29:59Z")), Some(at("2026-01-01T01:30:00Z")));
    // The end is the last run (730 days are a whole number of 90 minutes), then there are no more.
    assert_eq!(next_run(&every, "UTC", at("2027-12-31T23:59:00Z")), Some(at("2028-01-01T00:00:00Z")));
    assert_eq!(next_run(&every, "UTC", at("2028-01-01T00:00:00Z")), None);
}

/// A daily schedule in Chicago fires at 08:00 Chicago time on both sides of the change to daylight
/// saving time (2026-03-08 at 02:00 local): 14:00 UTC in winter, 13:00 UTC in summer; 02:30 does not
/// exist that day and fires at 03:30 CDT (the later instant); 01:30 exists twice on 2026-11-01 and
/// fires once, at the first.
#[test]
fn a_daily_schedule_keeps_its_local_time_across_daylight_saving_changes() {
    let mut daily = config("Daily", json!({"times": ["08:00"]}));
    daily["localTimeZoneId"] = json!("Central Standard Time");
    let zone = "Central Standard Time";
    assert_eq!(next_run(&daily, zone, at("2026-03-07T12:00:00Z")), Some(at("2026-03-07T14:00:00Z")));
    assert_eq!(next_run(&daily, zone, at("2026-03-07T14:00:00Z")), Some(at("2026-03-08T13:00:00Z")));
    // The IANA name gives the same zone.
    assert_eq!(
        next_run(&daily, "America/Chicago", at("2026-03-08T00:00:00Z")),
        Some(at("2026-03-08T13:00:00Z"))
    );
    let skipped = config("Daily", json!({"times": ["02:30"]}));
    assert_eq!(next_run(&skipped, zone, at("2026-03-08T06:00:00Z")), Some(at("2026-03-08T08:30:00Z")));
    let repeated = config("Daily", json!({"times": ["01:30"]}));
    let first = next_run(&repeated, zone, at("2026-11-01T05:00:00Z")).unwrap();
    assert_eq!(first, at("2026-11-01T06:30:00Z"));
    assert_eq!(next_run(&repeated, zone, first), Some(at("2026-11-02T07:30:00Z")));
}

#[test]
fn weekly_and_monthly_schedules() {
    let weekly = config("Weekly", json!({"times": ["09:00", "18:00"], "weekdays": ["Monday", "Friday"]}));
    // 2026-01-07 is a Wednesday.
    assert_eq!(next_run(&weekly, "UTC", at("2026-01-07T10:00:00Z")), Some(at("2026-01-09T09:00:00Z")));
    assert_eq!(next_run(&weekly, "UTC", at("2026-01-09T09:00:00Z")), Some(at("2026-01-09T18:00:00Z")));
    assert_eq!(next_run(&weekly, "UTC", at("2026-01-09T18:00:00Z")), Some(at("2026-01-12T09:00:00Z")));
    let first_monday = config(
        "Monthly",
        json!({"times": ["06:00"], "recurrence": 2,
               "occurrence": {"occurrenceType": "OrdinalWeekday", "weekIndex": "First", "weekday": "Monday"}}),
    );
    // Every two months from January 2026: 2026-01-05, then 2026-03-02.
    assert_eq!(next_run(&first_monday, "UTC", at("2025-12-01T00:00:00Z")), Some(at("2026-01-05T06:00:00Z")));
    assert_eq!(next_run(&first_monday, "UTC", at("2026-01-05T06:00:00Z")), Some(at("2026-03-02T06:00:00Z")));
    let day_31 = config(
        "Monthly",
        json!({"times": ["06:00"], "recurrence": 1, "occurrence": {"occurrenceType": "DayOfMonth", "dayOfMonth": 31}}),
    );
    // February and April have no 31st.
    assert_eq!(next_run(&day_31, "UTC", at("2026-01-31T06:00:00Z")), Some(at("2026-03-31T06:00:00Z")));
    let fifth_friday = config(
        "Monthly",
        json!({"times": ["06:00"], "recurrence": 1,
               "occurrence": {"occurrenceType": "OrdinalWeekday", "weekIndex": "Fifth", "weekday": "Friday"}}),
    );
    // January 2026 has five Fridays (the 30th); February, March and April have four; May five.
    let next = next_run(&fifth_friday, "UTC", at("2026-01-01T00:00:00Z")).unwrap();
    assert_eq!(next, at("2026-01-30T06:00:00Z"));
    assert_eq!(next_run(&fifth_friday, "UTC", next), Some(at("2026-05-29T06:00:00Z")));
}

#[test]
fn nothing_fires_for_what_fabric_would_refuse() {
    assert_eq!(next_run(&config("Cron", json!({"interval": 0})), "UTC", at("2026-02-01T00:00:00Z")), None);
    assert_eq!(next_run(&json!("Cron"), "UTC", at("2026-02-01T00:00:00Z")), None);
    assert_eq!(
        next_run(&config("Cron", json!({"interval": 5})), "Mars/Olympus", at("2026-02-01T00:00:00Z")),
        None
    );
    // The end of the calendar is not a panic.
    let mut far = config("Cron", json!({"interval": MAX_INTERVAL_MINUTES}));
    far["endDateTime"] = json!("9999-12-31T23:59:59Z");
    assert!(next_run(&far, "UTC", at("9999-06-01T00:00:00Z")).is_none_or(|t| t <= at("9999-12-31T23:59:59Z")));
}
