//! The scheduler: the local Fabric runs its enabled schedules. When a schedule is due
//! ([`crate::definition::schedules::next_run`] after the later of when it last fired and when it last
//! changed), it starts its job as a request would (Execute for refresh schedules, with the schedule's
//! `executionData`; ApplyChanges for publish ones) with `invokeType` "Scheduled", and records when it
//! fired in the store, in the transaction that records the job, only if no other process sharing the store
//! fired it meanwhile. So a due time fires once, never again after a restart; the due times a stopped
//! emulator missed fire as one job when it starts (as a schedule's start in the past fires at once in
//! Fabric), not one each.
//!
//! [`run`] ticks on the emulator's clock: every 15 seconds of its time, at most once a second and at
//! least every 20 milliseconds of real time. [`tick`] is one look, for tests.

use std::sync::Arc;

use serde_json::{json, Map, Value};

use super::api_jobs::{self, Invoke, APPLY_CHANGES};
use super::errors::ApiError;
use super::http::Group;
use super::store;
use super::Emulator;
use crate::definition::schedules;

/// How much of the emulator's time passes between two looks.
const TICK_MS: i64 = 15_000;

/// Looks for due schedules until the task is dropped: at once (a due schedule of an emulator that was
/// stopped fires when it starts), then every tick.
pub async fn run(emulator: Arc<Emulator>) {
    let interval = emulator
        .clock()
        .real(TICK_MS)
        .clamp(std::time::Duration::from_millis(20), std::time::Duration::from_secs(1));
    loop {
        let looking = Arc::clone(&emulator);
        let looked = tokio::task::spawn_blocking(move || tick(&looking, looking.now_ms())).await;
        if let Ok(Err(error)) = looked {
            // A busy or broken store: the next tick tries again.
            if emulator.options().log {
                eprintln!("dfls emulator: the scheduler could not look at the schedules: {}", error.message);
            }
        }
        tokio::time::sleep(interval).await;
    }
}

/// One look at `now_ms`: starts the job of every enabled schedule that is due. The ids of the jobs started.
pub fn tick(emulator: &Emulator, now_ms: i64) -> Result<Vec<String>, ApiError> {
    let due: Vec<(store::ScheduleRow, String)> = emulator
        .store
        .read(|db| Ok(store::enabled_schedules(db)?))?
        .into_iter()
        .filter(|(schedule, _)| is_due(schedule, now_ms))
        .collect();
    let options = emulator.options();
    let mut started = Vec::new();
    for (schedule, workspace) in due {
        let body = body(&schedule);
        let read = schedule.last_fired_ms;
        // The look's time is what it fired at: every due time up to it is over.
        let claim =
            |db: &rusqlite::Connection, _: i64| Ok(store::mark_fired(db, &schedule.id, read, now_ms)?);
        let target =
            (workspace.as_str(), Group::Items, schedule.item_id.as_str(), schedule.job_type.as_str());
        match api_jobs::start(emulator, &options, target, body.as_ref(), Invoke::Scheduled, &claim) {
            Ok(Some(job)) => started.push(job),
            Ok(None) => {}
            // The item went away, or the schedule's executionData is not one a run takes: that due time
            // is over (it is not tried again at every tick).
            Err(error) if error.status.is_client_error() => {
                emulator.store.write(|db| Ok(store::mark_fired(db, &schedule.id, read, now_ms)?))?;
            }
            Err(error) => return Err(error),
        }
    }
    Ok(started)
}

/// Whether a schedule has a due time after it last fired and last changed, and at or before `now_ms`.
fn is_due(schedule: &store::ScheduleRow, now_ms: i64) -> bool {
    let Ok(configuration) = serde_json::from_str::<Value>(&schedule.configuration) else { return false };
    let zone = configuration.get("localTimeZoneId").and_then(Value::as_str).unwrap_or("UTC");
    let after = schedule.last_fired_ms.unwrap_or(i64::MIN).max(schedule.changed_ms);
    let (Ok(after), Ok(now)) =
        (jiff::Timestamp::from_millisecond(after), jiff::Timestamp::from_millisecond(now_ms))
    else {
        return false;
    };
    schedules::next_run(&configuration, zone, after).is_some_and(|due| due <= now)
}

/// The request body of a schedule's job: its `executionData` for a refresh; nothing for a publish.
fn body(schedule: &store::ScheduleRow) -> Option<Map<String, Value>> {
    if schedule.job_type == APPLY_CHANGES {
        return None;
    }
    let data: Value = serde_json::from_str(schedule.execution_data.as_deref()?).ok()?;
    json!({ "executionData": data }).as_object().cloned()
}
