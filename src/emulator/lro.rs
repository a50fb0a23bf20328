//! Long-running operations: the answer of create, getDefinition and updateDefinition (200/201 at once, or
//! 202 + `Location` + `x-ms-operation-id` + `Retry-After`, by [`LroMode`]), and `GET /operations/{id}` and
//! `/operations/{id}/result`.
//!
//! The work is done (in the store) when the request is answered; the operation then reports `Running` with a
//! growing `percentComplete` until `operation_seconds` have passed, and `Succeeded` after, computed from the
//! stored times, so it progresses across processes and restarts. A succeeded operation with a result has a
//! `Location` to `/result`; one without has none, and its `/result` is 400 `OperationHasNoResult`.
//!
//! Operations do not stay forever: one that ended longer than `operation_retention_seconds` ago is
//! `EntityNotFound`, and each new one clears the expired ones and keeps the results within
//! `operation_results_budget` bytes ([`store::Store::expire_operations`]).

use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{json, Value};

use super::errors::ApiError;
use super::http::{empty, json_response, with_header, Ctx};
use super::store::{self, OperationRow};
use super::{clock, LroMode, LRO_AUTO_THRESHOLD};

/// Answers a long-running operation whose work is done: `status` with `result` (or an empty body) at once,
/// or 202 with an operation that holds the result. `size` is the number of definition bytes moved.
pub fn answer(
    ctx: &Ctx<'_>,
    status: StatusCode,
    result: Option<Value>,
    size: usize,
) -> Result<Response, ApiError> {
    let long = match ctx.options.lro {
        LroMode::Always => true,
        LroMode::Never => false,
        LroMode::Auto => size > LRO_AUTO_THRESHOLD,
    };
    if !long {
        return Ok(match result {
            Some(body) => json_response(status, &body),
            None => empty(status),
        });
    }
    let now = ctx.emulator.now_ms();
    let row = OperationRow {
        id: clock::new_guid(),
        created_ms: now,
        done_ms: now + seconds_to_ms(ctx.options.operation_seconds),
        result: result.map(|value| value.to_string()),
        error: ctx.options.faults.operations_fail.as_ref().map(|message| {
            json!({"errorCode": "UnknownError", "message": message, "requestId": clock::new_guid()})
                .to_string()
        }),
    };
    ctx.emulator.store.write(|db| Ok(store::insert_operation(db, &row)?))?;
    let retention = seconds_to_ms(ctx.options.operation_retention_seconds);
    ctx.emulator.store.expire_operations(
        now - retention,
        ctx.options.operation_results_budget,
        Some(&row.id),
    )?;
    let response = empty(StatusCode::ACCEPTED);
    let response = with_header(response, "Location", &format!("{}/operations/{}", ctx.base, row.id));
    let response = with_header(response, "x-ms-operation-id", &row.id);
    Ok(with_header(response, "Retry-After", &ctx.options.retry_after.to_string()))
}

/// Seconds (from options) to whole milliseconds.
pub fn seconds_to_ms(seconds: f64) -> i64 {
    if seconds.is_finite() && seconds > 0.0 {
        // Bounded above by a year, so the cast cannot overflow.
        (seconds.min(31_536_000.0) * 1000.0).round() as i64
    } else {
        0
    }
}

/// A kept operation: one that ended longer ago than the retention is gone, even before it is deleted.
fn find(ctx: &Ctx<'_>, id: &str) -> Result<OperationRow, ApiError> {
    let retention = seconds_to_ms(ctx.options.operation_retention_seconds);
    ctx.emulator
        .store
        .read(|db| Ok(store::operation(db, id)?))?
        .filter(|row| row.done_ms + retention > ctx.emulator.now_ms())
        .ok_or_else(|| {
            ApiError::not_found(
                "EntityNotFound",
                format!(
                    "No operation has the id {id} (operations are kept for {} s after they end).",
                    retention / 1000
                ),
            )
        })
}

/// `GET /operations/{id}`.
pub fn state(ctx: &Ctx<'_>, id: &str) -> Result<Response, ApiError> {
    let row = find(ctx, id)?;
    let now = ctx.emulator.now_ms();
    let own = format!("{}/operations/{}", ctx.base, row.id);
    let mut body = json!({
        "createdTimeUtc": clock::lro_time(row.created_ms),
        "lastUpdatedTimeUtc": clock::lro_time(now.min(row.done_ms)),
    });
    let mut location = None;
    let mut retry = false;
    if now < row.done_ms {
        let total = (row.done_ms - row.created_ms).max(1);
        let percent = ((now - row.created_ms).max(0) * 100 / total).min(99);
        body["status"] = "Running".into();
        body["percentComplete"] = percent.into();
        location = Some(own);
        retry = true;
    } else if let Some(error) = &row.error {
        body["status"] = "Failed".into();
        body["percentComplete"] = 100.into();
        body["error"] = serde_json::from_str(error).unwrap_or(Value::Null);
    } else {
        body["status"] = "Succeeded".into();
        body["percentComplete"] = 100.into();
        if row.result.is_some() {
            location = Some(format!("{own}/result"));
        }
    }
    let mut response = json_response(StatusCode::OK, &body);
    response = with_header(response, "x-ms-operation-id", &row.id);
    if let Some(location) = location {
        response = with_header(response, "Location", &location);
    }
    if retry {
        response = with_header(response, "Retry-After", &ctx.options.retry_after.to_string());
    }
    Ok(response)
}

/// `GET /operations/{id}/result`.
pub fn result(ctx: &Ctx<'_>, id: &str) -> Result<Response, ApiError> {
    let row = find(ctx, id)?;
    if ctx.emulator.now_ms() < row.done_ms {
        return Err(ApiError::bad_request(
            "OperationNotCompleted",
            "The operation is still running; poll its state first.",
        ));
    }
    if row.error.is_some() {
        return Err(ApiError::bad_request(
            "OperationFailed",
            "The operation failed; its state has the error.",
        ));
    }
    match &row.result {
        Some(result) => {
            Ok(json_response(StatusCode::OK, &serde_json::from_str(result).unwrap_or(Value::Null)))
        }
        None => Err(ApiError::bad_request("OperationHasNoResult", "The operation has no result.")),
    }
}
