//! Schedules CRUD on `items/{id}/jobs/{jobType}/schedules[/{scheduleId}]` (and the same under `dataflows`):
//! the configuration is validated with Fabric's rules ([`crate::definition::schedules`]: `Cron`, `Daily`,
//! `Weekly`, `Monthly` with their fields and bounds, `startDateTime` before `endDateTime`, a Windows
//! `localTimeZoneId`), at most 20 schedules an item. Schedules are stored and returned; the scheduler
//! (`scheduler`) fires the enabled ones.

use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{json, Map, Value};

use super::api_items::find;
use super::api_jobs::job_type;
use super::clock;
use super::errors::ApiError;
use super::http::{empty, json_response, with_header, Ctx, Group};
use super::store::{self, ScheduleRow};
use crate::definition::schedules::{self, MAX_SCHEDULES};

/// The owner every schedule reports: the emulator has one user.
const OWNER_ID: &str = "0ca1fab0-0000-4000-8000-0000000000aa";

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
    // Fabric's rules, the very ones `dfls schedule` and `dfls check` apply; the first broken one answers.
    if let Some(violation) = schedules::check_configuration(configuration).into_iter().next() {
        let field = violation.pointer.trim_start_matches('/').replace('/', ".");
        let message = if field.is_empty() {
            format!("The schedule's configuration is not valid: {}.", violation.message)
        } else {
            format!("`configuration.{field}` is not valid: {}.", violation.message)
        };
        return Err(invalid(message));
    }
    let data = body.get("executionData").filter(|d| !d.is_null()).cloned();
    Ok((enabled, configuration.clone(), data))
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
        let now = ctx.emulator.now_ms();
        let row = ScheduleRow {
            id: clock::new_guid(),
            item_id: id.to_string(),
            job_type: kind,
            enabled,
            created_ms: now,
            configuration: configuration.to_string(),
            execution_data: data.map(|d| d.to_string()),
            owner_id: OWNER_ID.to_string(),
            changed_ms: now,
            last_fired_ms: None,
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
        // Due times before the change are not the new schedule's (nor those of a schedule that was off).
        row.changed_ms = ctx.emulator.now_ms();
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
