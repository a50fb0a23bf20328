//! Items, through the core group (`/workspaces/{ws}/items...`) and the Dataflow group
//! (`/workspaces/{ws}/dataflows...`, type fixed to `Dataflow`): list with type filter and pagination,
//! create with or without definition, get, update, delete (soft by default), getDefinition,
//! updateDefinition (`updateMetadata`), and the Dataflow extras: parameters and executeQuery.
//!
//! Display names are unique per type in a workspace, without case (`ItemDisplayNameAlreadyInUse`). A
//! Dataflow definition is checked for its required parts when it arrives; every definition update makes the
//! dataflow unpublished until a publishing job completes (see `api_jobs`).

use axum::http::StatusCode;
use axum::response::Response;
use base64::Engine as _;
use rusqlite::Connection;
use serde_json::{json, Map, Value};

use super::api_workspaces::workspace_not_found;
use super::errors::ApiError;
use super::http::{json_response, Ctx, Group};
use super::store::{self, ItemRow};
use super::validate::{self, Decoded, DATAFLOW};
use super::{clock, lro, parameters};
use crate::definition::parts::{MASHUP, PLATFORM, QUERY_METADATA};
use crate::definition::payload::INLINE_BASE64;

/// The item types Fabric's `ItemType` enum names (common/definitions.json of the official specs).
const ITEM_TYPES: &[&str] = &[
    "Dashboard",
    "Report",
    "SemanticModel",
    "PaginatedReport",
    "Datamart",
    "Lakehouse",
    "Eventhouse",
    "Environment",
    "KQLDatabase",
    "KQLQueryset",
    "KQLDashboard",
    "DataPipeline",
    "Notebook",
    "SparkJobDefinition",
    "MLExperiment",
    "MLModel",
    "Warehouse",
    "Eventstream",
    "SQLEndpoint",
    "MirroredWarehouse",
    "MirroredDatabase",
    "Reflex",
    "GraphQLApi",
    "MountedDataFactory",
    "SQLDatabase",
    "CopyJob",
    "VariableLibrary",
    "Dataflow",
    "ApacheAirflowJob",
    "WarehouseSnapshot",
    "DigitalTwinBuilder",
    "DigitalTwinBuilderFlow",
    "MirroredAzureDatabricksCatalog",
    "Map",
    "AnomalyDetector",
    "UserDataFunction",
    "GraphModel",
    "GraphQuerySet",
    "SnowflakeDatabase",
    "OperationsAgent",
    "CosmosDBDatabase",
    "Ontology",
    "EventSchemaSet",
    "DataAgent",
    "MirroredCatalog",
    "AppBackend",
    "OrgApp",
    "OrgAppAudience",
    "DataBuildToolJob",
    "AzureDatabricksStorage",
    "Plan",
];

/// The longest description Fabric takes.
const MAX_DESCRIPTION: usize = 256;

/// The `Item` JSON.
pub fn to_json(item: &ItemRow) -> Value {
    json!({
        "id": item.id,
        "type": item.item_type,
        "displayName": item.display_name,
        "description": item.description,
        "workspaceId": item.workspace_id,
    })
}

fn item_type(name: &str) -> Result<&'static str, ApiError> {
    ITEM_TYPES
        .iter()
        .find(|known| **known == name)
        .copied()
        .ok_or_else(|| ApiError::bad_request("InvalidItemType", format!("`{name}` is not an item type.")))
}

/// The live item `id` of workspace `ws`, addressed through `group`.
pub fn find(db: &Connection, ws: &str, group: Group, id: &str) -> Result<ItemRow, ApiError> {
    if store::workspace(db, ws)?.is_none() {
        return Err(workspace_not_found(ws));
    }
    store::item(db, ws, id)?
        .filter(|item| group == Group::Items || item.item_type == DATAFLOW)
        .ok_or_else(|| ApiError::item_not_found(id))
}

fn text_field<'a>(body: &'a Map<String, Value>, name: &str) -> Result<Option<&'a str>, ApiError> {
    match body.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(text)) => Ok(Some(text)),
        Some(other) => Err(ApiError::bad_request(
            "InvalidRequest",
            format!("The field `{name}` must be a string, not {}.", super::http::json_type(other)),
        )),
    }
}

fn check_description(description: &str) -> Result<(), ApiError> {
    if description.chars().count() > MAX_DESCRIPTION {
        return Err(ApiError::bad_request(
            "InvalidRequest",
            format!("The description has more than {MAX_DESCRIPTION} characters."),
        ));
    }
    Ok(())
}

fn check_name(name: &str) -> Result<(), ApiError> {
    if name.trim().is_empty() || name.chars().count() > 256 {
        return Err(ApiError::bad_request("InvalidRequest", "A display name must have 1 to 256 characters."));
    }
    Ok(())
}

/// Refuses a display name a live item of the type has, or one soft-deleted too recently.
fn name_free(
    ctx: &Ctx<'_>,
    db: &Connection,
    ws: &str,
    item_type: &str,
    name: &str,
    except: Option<&str>,
) -> Result<(), ApiError> {
    if store::name_taken(db, ws, item_type, name, except)? {
        return Err(ApiError::bad_request(
            "ItemDisplayNameAlreadyInUse",
            format!("Requested '{name}' is already in use"),
        ));
    }
    let window = lro::seconds_to_ms(ctx.options.name_reservation_seconds);
    if window > 0 {
        if let Some(deleted) = store::last_deleted(db, ws, item_type, name)? {
            if clock::now_ms() < deleted + window {
                return Err(ApiError::bad_request(
                    "ItemDisplayNameNotAvailableYet",
                    format!(
                        "The name '{name}' was used by an item deleted recently; it is not available yet."
                    ),
                ));
            }
        }
    }
    Ok(())
}

pub fn list(ctx: &Ctx<'_>, ws: &str, group: Group) -> Result<Response, ApiError> {
    let filter = match group {
        Group::Dataflows => Some(DATAFLOW),
        Group::Items => ctx.query("type").map(item_type).transpose()?,
    };
    let rows = ctx.emulator.store.read(|db| {
        if store::workspace(db, ws)?.is_none() {
            return Err(workspace_not_found(ws));
        }
        Ok(store::items(db, ws, filter)?)
    })?;
    Ok(json_response(StatusCode::OK, &ctx.page(rows.iter().map(to_json).collect())?))
}

pub fn create(ctx: &Ctx<'_>, ws: &str, group: Group) -> Result<Response, ApiError> {
    let body = ctx.json_body(false)?.unwrap_or_default();
    let kind = match (group, text_field(&body, "type")?) {
        (Group::Dataflows, None) => DATAFLOW,
        (Group::Dataflows, Some(given)) if given == DATAFLOW => DATAFLOW,
        (Group::Dataflows, Some(given)) => {
            return Err(ApiError::bad_request(
                "InvalidItemType",
                format!("The Dataflow API creates dataflows, not `{given}`."),
            ))
        }
        (Group::Items, Some(given)) => item_type(given)?,
        (Group::Items, None) => {
            return Err(ApiError::bad_request("InvalidRequest", "The field `type` is required."))
        }
    };
    let name = text_field(&body, "displayName")?
        .ok_or_else(|| ApiError::bad_request("InvalidRequest", "The field `displayName` is required."))?;
    check_name(name)?;
    let mut description = text_field(&body, "description")?.map(str::to_string);
    if body.get("definition").is_some_and(|d| !d.is_null())
        && body.get("creationPayload").is_some_and(|c| !c.is_null())
    {
        return Err(ApiError::bad_request(
            "InvalidRequest",
            "Use either `creationPayload` or `definition`, not both.",
        ));
    }
    let mut logical_id = None;
    let decoded = match body.get("definition").filter(|d| !d.is_null()) {
        Some(definition) => {
            let decoded = validate::decode(definition)?;
            if kind == DATAFLOW {
                validate::dataflow_parts(&decoded.parts)?;
            }
            if let Some(platform) = platform_of(kind, &decoded.parts)? {
                if let Some(other) = platform.item_type.as_deref().filter(|other| *other != kind) {
                    return Err(ApiError::bad_request(
                        "InvalidPlatformFile",
                        format!("The `.platform` part says type `{other}`, but the item is a {kind}."),
                    ));
                }
                if description.is_none() {
                    description = platform.description;
                }
                logical_id = platform.logical_id;
            }
            decoded
        }
        None if kind == DATAFLOW => Decoded { format: None, parts: validate::empty_dataflow(name) },
        None => Decoded::default(),
    };
    let description = description.unwrap_or_default();
    check_description(&description)?;
    // Fabric gives every item a logical id (the one Git integration writes); keep a given one.
    let logical_id = Some(logical_id.unwrap_or_else(clock::new_guid));
    let item = ItemRow {
        id: clock::new_guid(),
        workspace_id: ws.to_string(),
        item_type: kind.to_string(),
        display_name: name.to_string(),
        description,
        definition_version: 1,
        format: decoded.format.clone(),
        logical_id,
    };
    ctx.emulator.store.write(|db| {
        if store::workspace(db, ws)?.is_none() {
            return Err(workspace_not_found(ws));
        }
        name_free(ctx, db, ws, kind, name, None)?;
        store::insert_item(db, &item)?;
        store::replace_parts(db, &item.id, &decoded.parts)?;
        Ok(())
    })?;
    lro::answer(ctx, StatusCode::CREATED, Some(to_json(&item)), decoded.size())
}

/// What the `.platform` part of a definition says. Only dataflows are read strictly: for other item types,
/// whose parts the emulator keeps opaque, a `.platform` that is not JSON is stored and not applied.
fn platform_of(item_type: &str, parts: &[(String, Vec<u8>)]) -> Result<Option<validate::Platform>, ApiError> {
    let Some((_, bytes)) = parts.iter().find(|(path, _)| path == PLATFORM) else { return Ok(None) };
    if item_type == DATAFLOW {
        validate::platform(bytes).map(Some)
    } else {
        Ok(validate::platform(bytes).ok())
    }
}

pub fn get(ctx: &Ctx<'_>, ws: &str, group: Group, id: &str) -> Result<Response, ApiError> {
    let item = ctx.emulator.store.read(|db| find(db, ws, group, id))?;
    Ok(json_response(StatusCode::OK, &to_json(&item)))
}

pub fn update(ctx: &Ctx<'_>, ws: &str, group: Group, id: &str) -> Result<Response, ApiError> {
    let body = ctx.json_body(false)?.unwrap_or_default();
    let name = text_field(&body, "displayName")?.map(str::to_string);
    let description = text_field(&body, "description")?.map(str::to_string);
    if let Some(name) = &name {
        check_name(name)?;
    }
    if let Some(description) = &description {
        check_description(description)?;
    }
    let item = ctx.emulator.store.write(|db| {
        let mut item = find(db, ws, group, id)?;
        if let Some(name) = name {
            name_free(ctx, db, ws, &item.item_type, &name, Some(id))?;
            item.display_name = name;
        }
        if let Some(description) = description {
            item.description = description;
        }
        store::update_item(db, &item)?;
        // getDefinition's `.platform` says what the item is called now, as Fabric's does.
        let mut parts = store::parts(db, id)?;
        let mut changed = false;
        for (_, bytes) in parts.iter_mut().filter(|(path, _)| path == PLATFORM) {
            let name = Some(item.display_name.as_str());
            if let Some(written) =
                crate::definition::parts::platform_with(bytes, name, Some(&item.description))
            {
                *bytes = written;
                changed = true;
            }
        }
        if changed {
            store::replace_parts(db, id, &parts)?;
        }
        Ok(item)
    })?;
    Ok(json_response(StatusCode::OK, &to_json(&item)))
}

pub fn delete(ctx: &Ctx<'_>, ws: &str, group: Group, id: &str) -> Result<Response, ApiError> {
    let hard = ctx.query_flag("hardDelete")?;
    ctx.emulator.store.write(|db| {
        find(db, ws, group, id)?;
        Ok(store::delete_item(db, id, hard)?)
    })?;
    Ok(super::http::empty(StatusCode::OK))
}

/// The parts JSON of a definition.
fn parts_json(parts: &[(String, Vec<u8>)]) -> Vec<Value> {
    parts
        .iter()
        .map(|(path, bytes)| {
            json!({
                "path": path,
                "payload": base64::engine::general_purpose::STANDARD.encode(bytes),
                "payloadType": INLINE_BASE64,
            })
        })
        .collect()
}

pub fn get_definition(ctx: &Ctx<'_>, ws: &str, group: Group, id: &str) -> Result<Response, ApiError> {
    let (item, stored) = ctx.emulator.store.read(|db| {
        let item = find(db, ws, group, id)?;
        let parts = store::parts(db, id)?;
        Ok((item, parts))
    })?;
    let parts = validate::definition_parts(&item, stored);
    let size = parts.iter().map(|(_, bytes)| bytes.len()).sum();
    let mut definition = json!({ "parts": parts_json(&parts) });
    if let Some(format) = &item.format {
        definition["format"] = format.clone().into();
    }
    lro::answer(ctx, StatusCode::OK, Some(json!({ "definition": definition })), size)
}

pub fn update_definition(ctx: &Ctx<'_>, ws: &str, group: Group, id: &str) -> Result<Response, ApiError> {
    let update_metadata = ctx.query_flag("updateMetadata")?;
    let body = ctx.json_body(false)?.unwrap_or_default();
    let definition = body
        .get("definition")
        .ok_or_else(|| ApiError::bad_request("InvalidRequest", "The field `definition` is required."))?;
    let decoded = validate::decode(definition)?;
    let size = decoded.size();
    // The parts are checked before the write transaction (a large definition takes a while), against the
    // item's type, which never changes.
    let item_type = ctx.emulator.store.read(|db| Ok(find(db, ws, group, id)?.item_type))?;
    if item_type == DATAFLOW {
        validate::dataflow_parts(&decoded.parts)?;
    }
    ctx.emulator.store.write(|db| {
        let mut item = find(db, ws, group, id)?;
        let platform = match decoded.parts.iter().find(|(path, _)| path == PLATFORM) {
            Some((_, bytes)) if update_metadata => {
                platform_of(&item.item_type, &decoded.parts)?.map(|platform| (platform, bytes.clone()))
            }
            _ => None,
        };
        let old = store::parts(db, id)?;
        let mut parts: Vec<(String, Vec<u8>)> =
            decoded.parts.iter().filter(|(path, _)| path != PLATFORM).cloned().collect();
        match platform {
            Some((platform, bytes)) => {
                if let Some(kind) = platform.item_type.as_deref().filter(|kind| *kind != item.item_type) {
                    return Err(ApiError::bad_request(
                        "InvalidPlatformFile",
                        format!(
                            "The `.platform` part says type `{kind}`, but the item is a {}.",
                            item.item_type
                        ),
                    ));
                }
                if let Some(name) = platform.display_name {
                    check_name(&name)?;
                    name_free(ctx, db, ws, &item.item_type, &name, Some(id))?;
                    item.display_name = name;
                }
                if let Some(description) = platform.description {
                    check_description(&description)?;
                    item.description = description;
                }
                if platform.logical_id.is_some() {
                    item.logical_id = platform.logical_id;
                }
                parts.push((PLATFORM.to_string(), bytes));
            }
            None => parts.extend(old.into_iter().filter(|(path, _)| path == PLATFORM)),
        }
        item.definition_version += 1;
        if decoded.format.is_some() {
            item.format = decoded.format.clone();
        }
        store::update_item(db, &item)?;
        store::replace_parts(db, id, &parts)?;
        Ok(())
    })?;
    lro::answer(ctx, StatusCode::OK, None, size)
}

pub fn parameters(ctx: &Ctx<'_>, ws: &str, id: &str) -> Result<Response, ApiError> {
    let parts = ctx.emulator.store.read(|db| {
        find(db, ws, Group::Dataflows, id)?;
        Ok(store::parts(db, id)?)
    })?;
    let part = |name: &str| parts.iter().find(|(path, _)| path == name).map(|(_, bytes)| bytes.as_slice());
    if !part(QUERY_METADATA).is_some_and(parameters::is_parametric) {
        return Err(ApiError::bad_request(
            "DataflowNotParametricError",
            "The dataflow does not use public parameters (`\"parametric\": true` in queryMetadata.json).",
        ));
    }
    let mashup = String::from_utf8_lossy(part(MASHUP).unwrap_or_default()).into_owned();
    Ok(json_response(StatusCode::OK, &ctx.page(parameters::discover(&mashup))?))
}

pub fn execute_query(ctx: &Ctx<'_>, ws: &str, id: &str) -> Result<Response, ApiError> {
    ctx.emulator.store.read(|db| find(db, ws, Group::Dataflows, id))?;
    let body = ctx.json_body(false)?.unwrap_or_default();
    let query = text_field(&body, "queryName")?
        .ok_or_else(|| ApiError::bad_request("InvalidRequest", "The field `queryName` is required."))?;
    Err(ApiError::bad_request(
        "DataflowExecuteQueryError",
        format!("The local Fabric emulator cannot evaluate M, so it cannot run the query `{query}`; use a real Fabric workspace."),
    ))
}
