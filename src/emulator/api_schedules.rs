//! Schedules CRUD on `items/{id}/jobs/{jobType}/schedules[/{scheduleId}]` (and the same under `dataflows`):
//! the configuration is validated as the swagger describes (`Cron`, `Daily`, `Weekly`, `Monthly` with their
//! fields, `startDateTime` before `endDateTime`, `localTimeZoneId`), at most 20 schedules an item. Schedules
//! are stored and returned; the emulator never fires them.

use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{json, Map, Value};

use super::api_items::find;
use super::api_jobs::job_type;
use super::clock;
use super::errors::ApiError;
use super::http::{empty, json_response, with_header, Ctx, Group};
use super::store::{self, ScheduleRow};

/// The most schedules an item has.
const MAX_SCHEDULES: usize = 20;
/// The owner every schedule reports: the emulator has one user.
const OWNER_ID: &str = "0ca1fab0-0000-4000-8000-0000000000aa";
const WEEKDAYS: &[&str] = &["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];

fn to_json(row: &ScheduleRow) -> Value {
    let mut body = json!({
        "id": row.id,
        "enabled": row.enabled,
        "createdDateTime": clock::job_time(row.created_ms),
        "configuration": serde_json::from_str::<Value>(&row.configuration).unwrap_or(Value::Null),
        "owner": { "id": row.owner_id, "type": "User" },
    });
    if let Some(data) = &row.execution_data {
        body["executionData"] = serde_json::from_str(data).unwrap_or(Value::Null);
    }
    body
}

fn invalid(message: impl Into<String>) -> ApiError {
    ApiError::bad_request("InvalidRequest", message)
}

/// Validates a create or update request: (enabled, configuration, executionData).
fn request(body: &Map<String, Value>) -> Result<(bool, Value, Option<Value>), ApiError> {
    let enabled = body
        .get("enabled")
        .and_then(Value::as_bool)
        .ok_or_else(|| invalid("`enabled` (a boolean) is required."))?;
    let configuration = body
        .get("configuration")
        .filter(|c| c.is_object())
        .ok_or_else(|| invalid("`configuration` (an object) is required."))?;
    let text = |name: &str| configuration.get(name).and_then(Value::as_str);
    for name in ["type", "startDateTime", "endDateTime", "localTimeZoneId"] {
        if text(name).is_none_or(str::is_empty) {
            return Err(invalid(format!("`configuration.{name}` is required.")));
        }
    }
    let (start, end) = (text("startDateTime").unwrap_or(""), text("endDateTime").unwrap_or(""));
    if start.trim_end_matches('Z') >= end.trim_end_matches('Z') {
        return Err(invalid("`startDateTime` must be before `endDateTime`."));
    }
    let times = || {
        let times =
            configuration.get("times").and_then(Value::as_array).filter(|t| (1..=100).contains(&t.len()));
        let valid = times.is_some_and(|t| t.iter().all(|time| time.as_str().is_some_and(is_time)));
        if valid {
            Ok(())
        } else {
            Err(invalid("`times` must list 1 to 100 times as \"hh:mm\"."))
        }
    };
    match text("type").unwrap_or("") {
        "Cron" => {
            let interval = configuration.get("interval").and_then(Value::as_i64);
            if !interval.is_some_and(|i| (1..=5_270_400).contains(&i)) {
                return Err(invalid("`interval` must be 1 to 5270400 minutes."));
            }
        }
        "Daily" => times()?,
        "Weekly" => {
            times()?;
            let days = configuration
                .get("weekdays")
                .and_then(Value::as_array)
                .filter(|d| (1..=7).contains(&d.len()));
            if !days.is_some_and(|d| d.iter().all(|day| day.as_str().is_some_and(|s| WEEKDAYS.contains(&s))))
            {
                return Err(invalid("`weekdays` must list 1 to 7 of Monday ... Sunday."));
            }
        }
        "Monthly" => {
            times()?;
            let recurrence = configuration.get("recurrence").and_then(Value::as_i64);
            if !recurrence.is_some_and(|r| (1..=12).contains(&r)) {
                return Err(invalid("`recurrence` must be 1 to 12."));
            }
            if !configuration.get("occurrence").is_some_and(Value::is_object) {
                return Err(invalid("`occurrence` (an object) is required."));
            }
        }
        other => {
            return Err(invalid(format!("`{other}` is not a schedule type (Cron, Daily, Weekly, Monthly).")))
        }
    }
    let data = body.get("executionData").filter(|d| !d.is_null()).cloned();
    Ok((enabled, configuration.clone(), data))
}

fn is_time(text: &str) -> bool {
    let Some((h, m)) = text.split_once(':') else { return false };
    h.len() == 2
        && m.len() == 2
        && h.parse::<u8>().is_ok_and(|h| h < 24)
        && m.parse::<u8>().is_ok_and(|m| m < 60)
}

fn location(ctx: &Ctx<'_>, ws: &str, id: &str, kind: &str, schedule: &str) -> String {
    format!("{}/workspaces/{ws}/items/{id}/jobs/{kind}/schedules/{schedule}", ctx.base)
}

fn not_found(id: &str) -> ApiError {
    let mut error = ApiError::not_found("ScheduleNotFound", "The requested schedule was not found.");
    error.related = Some((id.to_string(), "Schedule".to_string()));
    error
}

/// The schedule `schedule` of the item's `given` job type; the API's error when the workspace, the item,
/// the job type or the schedule is not there.
fn existing(
    db: &rusqlite::Connection,
    ws: &str,
    group: Group,
    id: &str,
    given: &str,
    schedule: &str,
) -> Result<ScheduleRow, ApiError> {
    let item = find(db, ws, group, id)?;
    store::schedule(db, id, &job_type(&item.item_type, given)?, schedule)?.ok_or_else(|| not_found(schedule))
}

pub fn list(ctx: &Ctx<'_>, ws: &str, group: Group, id: &str, given: &str) -> Result<Response, ApiError> {
    let rows = ctx.emulator.store.read(|db| {
        let item = find(db, ws, group, id)?;
        Ok(store::schedules(db, id, &job_type(&item.item_type, given)?)?)
    })?;
    Ok(json_response(StatusCode::OK, &ctx.page(rows.iter().map(to_json).collect())?))
}

pub fn create(ctx: &Ctx<'_>, ws: &str, group: Group, id: &str, given: &str) -> Result<Response, ApiError> {
    let body = ctx.json_body(false)?.unwrap_or_default();
    let (enabled, configuration, data) = request(&body)?;
    let row = ctx.emulator.store.write(|db| {
        let item = find(db, ws, group, id)?;
        let kind = job_type(&item.item_type, given)?;
        let count: usize = [super::api_jobs::EXECUTE, super::api_jobs::APPLY_CHANGES, kind.as_str()]
            .iter()
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .map(|k| store::schedules(db, id, k).map(|s| s.len()))
            .sum::<rusqlite::Result<usize>>()?;
        if count >= MAX_SCHEDULES {
            return Err(ApiError::bad_request(
                "ScheduleExceedsLimit",
                "An item can create maximum 20 schedulers.",
            ));
        }
        let row = ScheduleRow {
            id: clock::new_guid(),
            item_id: id.to_string(),
            job_type: kind,
            enabled,
            created_ms: clock::now_ms(),
            configuration: configuration.to_string(),
            execution_data: data.map(|d| d.to_string()),
            owner_id: OWNER_ID.to_string(),
        };
        store::put_schedule(db, &row)?;
        Ok(row)
    })?;
    let response = json_response(StatusCode::CREATED, &to_json(&row));
    Ok(with_header(response, "Location", &location(ctx, ws, id, &row.job_type, &row.id)))
}

pub fn get(
    ctx: &Ctx<'_>,
    ws: &str,
    group: Group,
    id: &str,
    given: &str,
    schedule: &str,
) -> Result<Response, ApiError> {
    let row = ctx.emulator.store.read(|db| existing(db, ws, group, id, given, schedule))?;
    Ok(json_response(StatusCode::OK, &to_json(&row)))
}

pub fn update(
    ctx: &Ctx<'_>,
    ws: &str,
    group: Group,
    id: &str,
    given: &str,
    schedule: &str,
) -> Result<Response, ApiError> {
    let body = ctx.json_body(false)?.unwrap_or_default();
    let (enabled, configuration, data) = request(&body)?;
    let row = ctx.emulator.store.write(|db| {
        let mut row = existing(db, ws, group, id, given, schedule)?;
        row.enabled = enabled;
        row.configuration = configuration.to_string();
        row.execution_data = data.map(|d| d.to_string());
        store::put_schedule(db, &row)?;
        Ok(row)
    })?;
    Ok(json_response(StatusCode::OK, &to_json(&row)))
}

pub fn delete(
    ctx: &Ctx<'_>,
    ws: &str,
    group: Group,
    id: &str,
    given: &str,
    schedule: &str,
) -> Result<Response, ApiError> {
    ctx.emulator.store.write(|db| {
        existing(db, ws, group, id, given, schedule)?;
        Ok(store::delete_schedule(db, schedule)?)
    })?;
    Ok(empty(StatusCode::OK))
}
