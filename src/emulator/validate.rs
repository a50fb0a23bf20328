//! Item definitions as the emulator takes and gives them: decoding a request's `definition` (with dfls's own
//! payload decoder, so a bad part is a clear 400), the parts a Dataflow definition must have, the `.platform`
//! part (read on create and on `updateMetadata=true`, synthesized on getDefinition when the stored one no
//! longer matches the item), and the check ApplyChanges runs: dfls's item checker, whose errors become the
//! job's `failureReason`.

use serde_json::{json, Value};

use super::errors::ApiError;
use super::store::ItemRow;
use crate::definition::item::{check_folder, FolderItem};
use crate::definition::parts::{PartKind, LEGACY_CONTENT, MASHUP, PLATFORM, QUERY_METADATA};
use crate::definition::{guid, payload};
use crate::diagnostics::Severity;
use crate::text::LineIndex;

/// The item type of dataflows.
pub const DATAFLOW: &str = "Dataflow";
/// The `$schema` of a synthesized `.platform`.
pub const PLATFORM_SCHEMA: &str =
    "https://developer.microsoft.com/json-schemas/fabric/gitIntegration/platformProperties/2.0.0/schema.json";

/// A decoded request definition.
#[derive(Debug, Clone, Default)]
pub struct Decoded {
    pub format: Option<String>,
    pub parts: Vec<(String, Vec<u8>)>,
}

impl Decoded {
    /// The number of decoded bytes.
    pub fn size(&self) -> usize {
        self.parts.iter().map(|(_, bytes)| bytes.len()).sum()
    }
}

/// Decodes an `ItemDefinition` JSON value (`{"format"?, "parts": [...]}`).
pub fn decode(definition: &Value) -> Result<Decoded, ApiError> {
    if !definition.is_object() {
        return Err(ApiError::bad_request("InvalidRequest", "`definition` must be an object with `parts`."));
    }
    let (parts, format, diagnostics) = payload::decode_value(definition);
    if let Some(first) = diagnostics.first() {
        let mut error = ApiError::bad_request(
            "CorruptedPayload",
            format!("The definition is not valid: {}.", first.message),
        );
        for diagnostic in &diagnostics[1..] {
            error = error.with_detail("CorruptedPayload", diagnostic.message.clone());
        }
        return Err(error);
    }
    Ok(Decoded { format, parts: parts.into_iter().map(|p| (p.part.path, p.part.bytes)).collect() })
}

/// Checks that the parts make a Dataflow definition: `mashup.pq` and `queryMetadata.json` (or a legacy
/// `dataflow-content.json`), JSON parts that are JSON, and no part a Dataflow does not have.
pub fn dataflow_parts(parts: &[(String, Vec<u8>)]) -> Result<(), ApiError> {
    let has = |name: &str| parts.iter().any(|(path, _)| path == name);
    for (path, bytes) in parts {
        let kind = PartKind::of(path);
        if kind == PartKind::Unknown {
            return Err(ApiError::bad_request(
                "InvalidDefinitionParts",
                format!("`{path}` is not a part of a Dataflow definition (mashup.pq, queryMetadata.json, .platform, .schedules, *.mdf)."),
            ));
        }
        if matches!(
            kind,
            PartKind::QueryMetadata
                | PartKind::Platform
                | PartKind::Schedules
                | PartKind::LegacyContent
                | PartKind::Mdf
        ) {
            if let Err(error) = serde_json::from_slice::<Value>(bytes) {
                return Err(ApiError::bad_request(
                    "CorruptedPayload",
                    format!("The part `{path}` is not valid JSON: {error}."),
                ));
            }
        }
        if kind == PartKind::Mashup && std::str::from_utf8(bytes).is_err() {
            return Err(ApiError::bad_request(
                "CorruptedPayload",
                format!("The part `{path}` is not UTF-8 text."),
            ));
        }
    }
    if has(LEGACY_CONTENT) || (has(MASHUP) && has(QUERY_METADATA)) {
        return Ok(());
    }
    let missing: Vec<&str> = [MASHUP, QUERY_METADATA].into_iter().filter(|name| !has(name)).collect();
    Err(ApiError::bad_request(
        "InvalidDefinitionParts",
        format!(
            "A Dataflow definition needs `{MASHUP}` and `{QUERY_METADATA}`; missing: {}.",
            missing.join(", ")
        ),
    ))
}

/// What a `.platform` part says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Platform {
    pub item_type: Option<String>,
    pub display_name: Option<String>,
    pub description: Option<String>,
    pub logical_id: Option<String>,
}

/// Reads a `.platform` part.
pub fn platform(bytes: &[u8]) -> Result<Platform, ApiError> {
    let value: Value = serde_json::from_slice(bytes).map_err(|error| {
        ApiError::bad_request("CorruptedPayload", format!("The part `.platform` is not valid JSON: {error}."))
    })?;
    let text = |pointer: &str| value.pointer(pointer).and_then(Value::as_str).map(str::to_string);
    Ok(Platform {
        item_type: text("/metadata/type"),
        display_name: text("/metadata/displayName"),
        description: text("/metadata/description"),
        logical_id: text("/config/logicalId"),
    })
}

/// A `.platform` for an item, as Fabric's Git integration writes one (two-space indentation).
pub fn synthesize_platform(item: &ItemRow) -> Vec<u8> {
    let mut metadata = json!({ "type": item.item_type, "displayName": item.display_name });
    if !item.description.is_empty() {
        metadata["description"] = item.description.clone().into();
    }
    let body = json!({
        "$schema": PLATFORM_SCHEMA,
        "metadata": metadata,
        "config": { "version": "2.0", "logicalId": item.logical_id.clone().unwrap_or_else(|| guid::ZERO.to_string()) },
    });
    serde_json::to_string_pretty(&body).unwrap_or_default().into_bytes()
}

/// The definition of an item as getDefinition returns it: the stored parts, then `.platform`, the stored one
/// byte-exactly when it still matches the item, else a synthesized one.
pub fn definition_parts(item: &ItemRow, stored: Vec<(String, Vec<u8>)>) -> Vec<(String, Vec<u8>)> {
    let mut platform_part = None;
    let mut parts = Vec::with_capacity(stored.len() + 1);
    for (path, bytes) in stored {
        if path == PLATFORM {
            platform_part = Some(bytes);
        } else {
            parts.push((path, bytes));
        }
    }
    let matches = |bytes: &Vec<u8>| {
        platform(bytes).is_ok_and(|p| {
            p.item_type.as_deref() == Some(item.item_type.as_str())
                && p.display_name.as_deref() == Some(item.display_name.as_str())
                && p.description.as_deref().unwrap_or("") == item.description
                && p.logical_id == item.logical_id
        })
    };
    let platform_bytes = platform_part.filter(matches).unwrap_or_else(|| synthesize_platform(item));
    parts.push((PLATFORM.to_string(), platform_bytes));
    parts
}

/// The definition of a Dataflow created without one: an empty section and its metadata.
pub fn empty_dataflow(name: &str) -> Vec<(String, Vec<u8>)> {
    let metadata = json!({
        "formatVersion": "202502",
        "computeEngineSettings": {},
        "name": name,
        "queryGroups": [],
        "documentLocale": "en-US",
        "queriesMetadata": {},
        "connections": [],
    });
    vec![
        (
            QUERY_METADATA.to_string(),
            serde_json::to_string_pretty(&metadata).unwrap_or_default().into_bytes(),
        ),
        (MASHUP.to_string(), b"section Section1;\n".to_vec()),
    ]
}

/// Runs dfls's item checker over a definition; `Some(text)` lists its errors (at most 20, one a line, as
/// `path:line:column: CODE message`), `None` when it has none.
pub fn check(item: &ItemRow, parts: &[(String, Vec<u8>)]) -> Option<String> {
    let folder = format!("{}.Dataflow", item.display_name);
    let parts = parts.iter().map(|(path, bytes)| (path.as_str(), bytes.as_slice()));
    let reports = check_folder(FolderItem::of_parts(folder.clone(), folder, parts));
    let mut lines = Vec::new();
    let mut total = 0;
    for report in &reports {
        let index = LineIndex::new(&report.text);
        for diagnostic in report.diagnostics.iter().filter(|d| d.severity == Severity::Error) {
            total += 1;
            if lines.len() < 20 {
                let at = index.line_column(&report.text, diagnostic.range.start);
                lines.push(format!(
                    "{}:{}:{}: {} {}",
                    report.path, at.line, at.column, diagnostic.code.id, diagnostic.message
                ));
            }
        }
    }
    if total == 0 {
        return None;
    }
    if total > lines.len() {
        lines.push(format!("... and {} more", total - lines.len()));
    }
    Some(format!("The dataflow has {total} error(s):\n{}", lines.join("\n")))
}
