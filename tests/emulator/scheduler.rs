//! The local Fabric runs schedules: a due schedule starts its job once, with `invokeType` "Scheduled", at
//! the right instant of its time zone (across a daylight-saving change), never again after a restart; a
//! disabled one never. The looks are made at chosen instants ([`scheduler::tick`]) on schedules that start
//! in 2030, so the emulator's own scheduler, looking at today, never fires them meanwhile.

use dfls::emulator::{scheduler, Options, DEFAULT_WORKSPACE_ID};
use serde_json::{json, Value};

use crate::support::*;

fn at(text: &str) -> i64 {
    text.parse::<jiff::Timestamp>().unwrap().as_millisecond()
}

fn tick(fabric: &Fabric, instant: &str) -> Vec<String> {
    scheduler::tick(fabric.server.as_ref().unwrap().emulator(), at(instant)).unwrap()
}

fn jobs(fabric: &Fabric, item: &str) -> Vec<Value> {
    let reply =
        fabric.get(&format!("/workspaces/{DEFAULT_WORKSPACE_ID}/items/{item}/jobs/instances")).expect(200);
    reply.body["value"].as_array().unwrap().clone()
}

fn add_schedule(fabric: &Fabric, item: &str, job: &str, enabled: bool, configuration: Value) -> String {
    let path = format!("/workspaces/{DEFAULT_WORKSPACE_ID}/items/{item}/jobs/{job}/schedules");
    fabric.post(&path, &json!({"enabled": enabled, "configuration": configuration})).expect(201).location_id()
}

/// Berlin's clocks go forward on 2030-03-31: 08:00 there is 07:00 UTC the day before and 06:00 UTC that day.
#[test]
fn a_daily_schedule_fires_once_at_its_local_time_and_not_again_after_a_restart() {
    let mut fabric = Fabric::start();
    let item = fabric.create_dataflow("Sales", Some(sales_orders()));
    add_schedule(
        &fabric,
        &item,
        "Execute",
        true,
        json!({"type": "Daily", "times": ["08:00"], "startDateTime": "2030-03-30T00:00:00Z",
               "endDateTime": "2031-01-01T00:00:00Z", "localTimeZoneId": "W. Europe Standard Time"}),
    );
    assert!(tick(&fabric, "2030-03-30T06:59:59Z").is_empty(), "not before 08:00 CET");
    let fired = tick(&fabric, "2030-03-30T07:00:00Z");
    assert_eq!(fired.len(), 1, "at 08:00 CET");
    assert!(tick(&fabric, "2030-03-30T07:00:30Z").is_empty(), "a due time fires once");
    assert!(tick(&fabric, "2030-03-31T05:59:59Z").is_empty(), "not before 08:00 CEST");
    assert_eq!(tick(&fabric, "2030-03-31T06:00:00Z").len(), 1, "at 08:00 CEST, an hour earlier in UTC");

    fabric.restart(Options {
        job_seconds: 0.0,
        operation_seconds: 0.0,
        retry_after: 0,
        ..Options::default()
    });
    assert!(tick(&fabric, "2030-03-31T06:00:00Z").is_empty(), "the restart remembers what fired");
    assert!(tick(&fabric, "2030-03-31T12:00:00Z").is_empty());
    let listed = jobs(&fabric, &item);
    assert_eq!(listed.len(), 2, "{listed:?}");
    for job in &listed {
        assert_eq!(job["invokeType"], "Scheduled");
        assert_eq!(job["jobType"], "Execute");
    }
    let job = fabric.wait(&item, fired[0].as_str());
    assert_eq!(job["status"], "Completed", "{job}");
}

#[test]
fn disabled_schedules_never_fire_and_publish_schedules_run_apply_changes() {
    let fabric = Fabric::start();
    let item = fabric.create_dataflow("Sales", Some(sales_orders()));
    let every_minute = json!({"type": "Cron", "interval": 1, "startDateTime": "2030-01-01T00:00:00Z",
                              "endDateTime": "2031-01-01T00:00:00Z", "localTimeZoneId": "UTC"});
    add_schedule(&fabric, &item, "Execute", false, every_minute.clone());
    assert!(tick(&fabric, "2030-01-01T00:10:00Z").is_empty());
    assert!(jobs(&fabric, &item).is_empty());

    add_schedule(&fabric, &item, "ApplyChanges", true, every_minute);
    // The schedule was made before 2030: its first due time is its start.
    let fired = tick(&fabric, "2030-01-01T00:00:00Z");
    assert_eq!(fired.len(), 1);
    let job = fabric.wait(&item, &fired[0]);
    assert_eq!(
        (job["jobType"].as_str(), job["invokeType"].as_str()),
        (Some("ApplyChanges"), Some("Scheduled"))
    );
    // Ten due times missed (an emulator that was not running) fire as one job.
    assert_eq!(tick(&fabric, "2030-01-01T00:10:30Z").len(), 1);
    assert_eq!(tick(&fabric, "2030-01-01T00:11:00Z").len(), 1);
    assert!(tick(&fabric, "2030-01-01T00:11:59Z").is_empty());
    assert_eq!(jobs(&fabric, &item).len(), 3);
}

/// Enabling a schedule again does not fire the due times it was off for; a deleted item's schedules go
/// with it.
#[test]
fn a_changed_schedule_starts_over_and_a_deleted_item_fires_nothing() {
    let fabric = Fabric::start();
    let item = fabric.create_dataflow("Sales", Some(sales_orders()));
    let hourly = json!({"type": "Cron", "interval": 60, "startDateTime": "2020-01-01T00:00:00Z",
                        "endDateTime": "2040-01-01T00:00:00Z", "localTimeZoneId": "UTC"});
    let id = add_schedule(&fabric, &item, "Execute", false, hourly.clone());
    let path = format!("/workspaces/{DEFAULT_WORKSPACE_ID}/items/{item}/jobs/Execute/schedules/{id}");
    fabric.call("PATCH", &path, Some(&json!({"enabled": true, "configuration": hourly}))).expect(200);
    let now = jiff::Timestamp::now();
    assert!(scheduler::tick(fabric.server.as_ref().unwrap().emulator(), now.as_millisecond())
        .unwrap()
        .is_empty());
    let next_hour = now.as_millisecond() + 3_600_000;
    assert_eq!(scheduler::tick(fabric.server.as_ref().unwrap().emulator(), next_hour).unwrap().len(), 1);
    fabric.call("DELETE", &format!("/workspaces/{DEFAULT_WORKSPACE_ID}/items/{item}"), None).expect(200);
    let later = next_hour + 2 * 3_600_000;
    assert!(scheduler::tick(fabric.server.as_ref().unwrap().emulator(), later).unwrap().is_empty());
}

/// The endpoints refuse with Fabric's rules (the ones `dfls schedule` and `dfls check` apply): an IANA name
/// where Fabric takes a Windows time-zone id, a value out of bounds, a 21st schedule of an item.
#[test]
fn the_endpoints_refuse_what_fabric_refuses() {
    let fabric = Fabric::start();
    let item = fabric.create_dataflow("Sales", Some(sales_orders()));
    let path = format!("/workspaces/{DEFAULT_WORKSPACE_ID}/items/{item}/jobs/Execute/schedules");
    let configuration = |zone: &str, interval: u64| {
        json!({"type": "Cron", "interval": interval, "startDateTime": "2030-01-01T00:00:00Z",
               "endDateTime": "2031-01-01T00:00:00Z", "localTimeZoneId": zone})
    };
    let zone =
        fabric.post(&path, &json!({"enabled": true, "configuration": configuration("America/Chicago", 5)}));
    let zone = zone.expect_error(400, "InvalidRequest");
    let message = zone.body["message"].as_str().unwrap();
    assert!(
        message.contains("`configuration.localTimeZoneId`") && message.contains("Central Standard Time"),
        "{message}"
    );
    let interval = fabric.post(&path, &json!({"enabled": true, "configuration": configuration("UTC", 0)}));
    assert!(interval.expect_error(400, "InvalidRequest").body["message"]
        .as_str()
        .unwrap()
        .contains("`configuration.interval`"));
    for n in 0..20 {
        let job = if n % 2 == 0 { "Execute" } else { "ApplyChanges" };
        add_schedule(&fabric, &item, job, true, configuration("UTC", 60));
    }
    let full = fabric.post(&path, &json!({"enabled": true, "configuration": configuration("UTC", 60)}));
    full.expect_error(400, "ScheduleExceedsLimit");
}
