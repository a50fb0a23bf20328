//! Workspaces, just enough to hold items: list, get, create (`/v1/workspaces[/{id}]`).

use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{json, Value};

use super::clock;
use super::errors::ApiError;
use super::http::{json_response, with_header, Ctx};
use super::store::{self, WorkspaceRow};

fn to_json(row: &WorkspaceRow) -> Value {
    json!({ "id": row.id, "displayName": row.display_name, "description": row.description, "type": "Workspace" })
}

pub fn workspace_not_found(id: &str) -> ApiError {
    let mut error = ApiError::not_found("WorkspaceNotFound", "The requested workspace was not found.");
    error.related = Some((id.to_string(), "Workspace".to_string()));
    error
}

pub fn list(ctx: &Ctx<'_>) -> Result<Response, ApiError> {
    let rows = ctx.emulator.store.read(|db| Ok(store::workspaces(db)?))?;
    Ok(json_response(StatusCode::OK, &ctx.page(rows.iter().map(to_json).collect())?))
}

pub fn get(ctx: &Ctx<'_>, id: &str) -> Result<Response, ApiError> {
    let row = ctx
        .emulator
        .store
        .read(|db| Ok(store::workspace(db, id)?))?
        .ok_or_else(|| workspace_not_found(id))?;
    Ok(json_response(StatusCode::OK, &to_json(&row)))
}

pub fn create(ctx: &Ctx<'_>) -> Result<Response, ApiError> {
    let body = ctx.json_body(false)?.unwrap_or_default();
    let name = body
        .get("displayName")
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|name| !name.is_empty())
        .ok_or_else(|| ApiError::bad_request("InvalidRequest", "The field `displayName` is required."))?;
    let description = body.get("description").and_then(Value::as_str).unwrap_or("").to_string();
    let row = WorkspaceRow { id: clock::new_guid(), display_name: name.to_string(), description };
    ctx.emulator.store.write(|db| {
        if store::workspaces(db)?.iter().any(|w| w.display_name.eq_ignore_ascii_case(&row.display_name)) {
            return Err(ApiError::new(
                StatusCode::CONFLICT,
                "WorkspaceNameAlreadyExists",
                format!("A workspace named `{}` already exists.", row.display_name),
            ));
        }
        Ok(store::insert_workspace(db, &row)?)
    })?;
    let response = json_response(StatusCode::CREATED, &to_json(&row));
    Ok(with_header(response, "Location", &format!("{}/workspaces/{}", ctx.base, row.id)))
}
