//! Converting older Dataflow definitions to the current format (`queryMetadata.json` formatVersion "202502" +
//! `mashup.pq`): a legacy single-part `dataflow-content.json`, or a `queryMetadata.json` in the 2024 layout
//! (formatVersion "202409", everything under `editingSession.editingSessionMashup`).
//!
//! Pure: text in, text out. What the current format has no place for is listed in [`Converted::dropped`], so
//! the command can say exactly what the conversion leaves behind.

use crate::json::{self, Kind, Member, Value};

/// The result of a conversion.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Converted {
    /// The new `queryMetadata.json`, formatVersion "202502".
    pub query_metadata: String,
    /// The M document, for a legacy item; `None` when converting a `queryMetadata.json` (its `mashup.pq` stays).
    pub mashup: Option<String>,
    /// Properties of the old file that the current format has no place for, as readable paths
    /// (`connectionOverrides[0].provider`, `queriesMetadata.Sales.fieldsMetadata`).
    pub dropped: Vec<String>,
}

/// Why a file cannot be converted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConvertError(pub String);

impl std::fmt::Display for ConvertError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Parses a file to convert; it must be valid JSON of reasonable depth.
fn read(text: &str, file: &str) -> Result<Value, ConvertError> {
    let parsed = json::parse(text);
    if let Some(first) = parsed.diagnostics.first() {
        return Err(ConvertError(format!("{file} is not valid JSON: {}", first.message)));
    }
    let root = parsed.root.ok_or_else(|| ConvertError(format!("{file} is empty")))?;
    if json::depth(&root) > json::MAX_DEPTH {
        return Err(ConvertError(format!("{file} nests deeper than {} levels", json::MAX_DEPTH)));
    }
    Ok(root)
}

/// Converts a legacy `dataflow-content.json`.
pub fn legacy_dataflow_content(text: &str) -> Result<Converted, ConvertError> {
    let root = read(text, "dataflow-content.json")?;
    let mashup = root
        .get("editingSessionMashup")
        .filter(|m| m.as_object().is_some())
        .ok_or_else(|| ConvertError("dataflow-content.json has no `editingSessionMashup` object".into()))?;
    let document = mashup
        .get("mashupDocument")
        .and_then(Value::as_str)
        .ok_or_else(|| ConvertError("`editingSessionMashup` has no `mashupDocument` string".into()))?;
    let mut dropped = Vec::new();
    let query_metadata =
        current_metadata(mashup, None, "editingSessionMashup", &["mashupDocument"], &mut dropped);
    Ok(Converted { query_metadata, mashup: Some(document.to_string()), dropped })
}

/// Whether a `queryMetadata.json` is already in the current format (formatVersion "202502"): nothing to
/// convert, which is not an error.
pub fn is_current_query_metadata(text: &str) -> bool {
    read(text, "queryMetadata.json")
        .is_ok_and(|root| root.get("formatVersion").and_then(Value::as_str) == Some("202502"))
}

/// Converts a `queryMetadata.json` in the 2024 layout (formatVersion "202409").
pub fn query_metadata_202409(text: &str) -> Result<Converted, ConvertError> {
    let root = read(text, "queryMetadata.json")?;
    match root.get("formatVersion").and_then(Value::as_str) {
        Some("202409") => {}
        Some("202502") => {
            return Err(ConvertError("queryMetadata.json is already in the current format (202502)".into()))
        }
        Some(other) => {
            return Err(ConvertError(format!(
                "queryMetadata.json has formatVersion \"{other}\"; only \"202409\" converts"
            )))
        }
        None => return Err(ConvertError("queryMetadata.json has no `formatVersion`".into())),
    }
    let session = root.get("editingSession").filter(|s| s.as_object().is_some());
    let mashup =
        session.and_then(|s| s.get("editingSessionMashup")).filter(|m| m.as_object().is_some()).ok_or_else(
            || ConvertError("queryMetadata.json has no `editingSession.editingSessionMashup` object".into()),
        )?;
    let mut dropped = Vec::new();
    for member in members(&root) {
        if !matches!(member.key.value.as_str(), "formatVersion" | "editingSession") {
            dropped.push(member.key.value.clone());
        }
    }
    for member in session.map(members).unwrap_or_default() {
        if !matches!(member.key.value.as_str(), "editingSessionMashup" | "computeEngineSettings") {
            dropped.push(format!("editingSession.{}", member.key.value));
        }
    }
    let compute = session.and_then(|s| s.get("computeEngineSettings"));
    let query_metadata =
        current_metadata(mashup, compute, "editingSession.editingSessionMashup", &[], &mut dropped);
    Ok(Converted { query_metadata, mashup: None, dropped })
}

/// Per-query properties the current format keeps.
const QUERY_KEPT: &[&str] = &["queryId", "queryName", "queryGroupId", "isHidden", "loadEnabled"];

/// The members of an object value (none for other values).
fn members(value: &Value) -> &[Member] {
    value.as_object().unwrap_or_default()
}

/// Builds a 202502 `queryMetadata.json` from an `editingSessionMashup` object, keeping the order of
/// queries, groups and connections as they were.
fn current_metadata(
    mashup: &Value,
    compute: Option<&Value>,
    prefix: &str,
    consumed: &[&str],
    dropped: &mut Vec<String>,
) -> String {
    let present = |key: &str| mashup.get(key).filter(|v| !matches!(v.kind, Kind::Null));
    let mut out: Vec<(String, Ordered)> = vec![("formatVersion".into(), Ordered::text("202502"))];
    let compute =
        compute.or_else(|| present("computeEngineSettings")).map_or(Ordered::Object(vec![]), Ordered::of);
    out.push(("computeEngineSettings".into(), compute));
    let name = present("mashupName").and_then(Value::as_str).unwrap_or("Dataflow");
    out.push(("name".into(), Ordered::text(name)));
    out.push(("queryGroups".into(), present("queryGroups").map_or(Ordered::Array(vec![]), Ordered::of)));
    for key in ["documentLocale", "gatewayObjectId"] {
        if let Some(value) = present(key) {
            out.push((key.into(), Ordered::of(value)));
        }
    }
    let mut queries = Vec::new();
    for query in present("queriesMetadata").map(members).unwrap_or_default() {
        let name = &query.key.value;
        let mut kept = Vec::new();
        for key in QUERY_KEPT {
            if let Some(value) = query.value.get(key).filter(|v| !matches!(v.kind, Kind::Null)) {
                kept.push((key.to_string(), Ordered::of(value)));
            }
        }
        for member in members(&query.value) {
            if !QUERY_KEPT.contains(&member.key.value.as_str()) && !is_empty(&member.value) {
                dropped.push(format!("{prefix}.queriesMetadata.{name}.{}", member.key.value));
            }
        }
        queries.push((name.clone(), Ordered::Object(kept)));
    }
    out.push(("queriesMetadata".into(), Ordered::Object(queries)));
    // Connections: the current format keeps the path and kind of each overridden connection.
    let mut connections = Vec::new();
    for (i, connection) in
        present("connectionOverrides").and_then(Value::as_array).unwrap_or_default().iter().enumerate()
    {
        let mut kept = Vec::new();
        for key in ["path", "kind"] {
            if let Some(value) = connection.get(key).filter(|v| !matches!(v.kind, Kind::Null)) {
                kept.push((key.to_string(), Ordered::of(value)));
            }
        }
        for member in members(connection) {
            if !matches!(member.key.value.as_str(), "path" | "kind") && !is_empty(&member.value) {
                dropped.push(format!("{prefix}.connectionOverrides[{i}].{}", member.key.value));
            }
        }
        connections.push(Ordered::Object(kept));
    }
    out.push(("connections".into(), Ordered::Array(connections)));
    for key in ["fastCombine", "allowNativeQueries", "skipAutomaticTypeAndHeaderDetection", "parametric"] {
        if let Some(value) = present(key).filter(|v| v.as_bool().is_some()) {
            out.push((key.to_string(), Ordered::of(value)));
        }
    }
    let handled = [
        "mashupName",
        "queryGroups",
        "documentLocale",
        "gatewayObjectId",
        "queriesMetadata",
        "connectionOverrides",
        "computeEngineSettings",
        "fastCombine",
        "allowNativeQueries",
        "skipAutomaticTypeAndHeaderDetection",
        "parametric",
    ];
    for member in members(mashup) {
        let key = member.key.value.as_str();
        if !handled.contains(&key) && !consumed.contains(&key) && !is_empty(&member.value) {
            dropped.push(format!("{prefix}.{key}"));
        }
    }
    let mut text = String::new();
    Ordered::Object(out).write(&mut text, 0);
    text.push('\n');
    text
}

/// Whether a value carries nothing worth reporting as dropped.
fn is_empty(value: &Value) -> bool {
    match &value.kind {
        Kind::Null => true,
        Kind::Array(items) => items.is_empty(),
        Kind::Object(members) => members.is_empty(),
        _ => false,
    }
}

/// JSON whose object members keep the order they were built in (serde_json sorts them), so the converted
/// file reads like the ones Fabric writes.
enum Ordered {
    Object(Vec<(String, Ordered)>),
    Array(Vec<Ordered>),
    /// A scalar, as JSON text.
    Scalar(String),
}

impl Ordered {
    fn text(text: &str) -> Ordered {
        Ordered::Scalar(serde_json::Value::String(text.to_string()).to_string())
    }

    /// A copy of a parsed value, members in their order. The callers checked the depth (`read`).
    fn of(value: &Value) -> Ordered {
        match &value.kind {
            Kind::Object(members) => Ordered::Object(
                members.iter().map(|m| (m.key.value.clone(), Ordered::of(&m.value))).collect(),
            ),
            Kind::Array(items) => Ordered::Array(items.iter().map(Ordered::of).collect()),
            Kind::String(string) => Ordered::text(&string.value),
            Kind::Number(number) => Ordered::Scalar(number.clone()),
            Kind::Bool(value) => Ordered::Scalar(value.to_string()),
            Kind::Null => Ordered::Scalar("null".into()),
        }
    }

    fn write(&self, out: &mut String, indent: usize) {
        let pad = |n: usize| "  ".repeat(n);
        match self {
            Ordered::Object(members) if members.is_empty() => out.push_str("{}"),
            Ordered::Object(members) => {
                out.push_str("{\n");
                for (i, (key, value)) in members.iter().enumerate() {
                    out.push_str(&pad(indent + 1));
                    out.push_str(&serde_json::Value::String(key.clone()).to_string());
                    out.push_str(": ");
                    value.write(out, indent + 1);
                    out.push_str(if i + 1 < members.len() { ",\n" } else { "\n" });
                }
                out.push_str(&pad(indent));
                out.push('}');
            }
            Ordered::Array(items) if items.is_empty() => out.push_str("[]"),
            Ordered::Array(items) => {
                out.push_str("[\n");
                for (i, item) in items.iter().enumerate() {
                    out.push_str(&pad(indent + 1));
                    item.write(out, indent + 1);
                    out.push_str(if i + 1 < items.len() { ",\n" } else { "\n" });
                }
                out.push_str(&pad(indent));
                out.push(']');
            }
            Ordered::Scalar(text) => out.push_str(text),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn legacy_content_becomes_two_parts() {
        let legacy = r#"{"editingSessionMashup": {
            "mashupName": "Inventory", "mashupDocument": "section Section1;\r\nshared A = 1;",
            "queryGroups": [], "documentLocale": "en-US", "gatewayObjectId": null,
            "queriesMetadata": {"A": {"queryId": "8b9c0d1e-2f3a-4b4c-9d6e-7f8091a2b3c4", "queryName": "A", "loadEnabled": false, "entityName": "A"}},
            "connectionOverrides": [{"path": "p", "kind": "OData", "provider": "CdsA"}],
            "trustedConnections": null, "fastCombine": true, "allowNativeQueries": true,
            "hostProperties": {"DataflowRefreshOutputFileFormat": "Parquet"}}}"#;
        let converted = legacy_dataflow_content(legacy).unwrap();
        assert_eq!(converted.mashup.as_deref(), Some("section Section1;\r\nshared A = 1;"));
        let metadata: serde_json::Value = serde_json::from_str(&converted.query_metadata).unwrap();
        assert_eq!(metadata["formatVersion"], "202502");
        assert_eq!(metadata["name"], "Inventory");
        assert_eq!(metadata["queriesMetadata"]["A"]["loadEnabled"], false);
        assert_eq!(metadata["connections"][0]["kind"], "OData");
        assert_eq!(metadata["fastCombine"], true);
        assert!(converted.query_metadata.starts_with(
            "{\n  \"formatVersion\": \"202502\",\n  \"computeEngineSettings\": {},\n  \"name\""
        ));
        assert_eq!(
            converted.dropped,
            [
                "editingSessionMashup.queriesMetadata.A.entityName",
                "editingSessionMashup.connectionOverrides[0].provider",
                "editingSessionMashup.hostProperties",
            ]
        );
    }

    #[test]
    fn layout_202409_is_flattened() {
        let old = r#"{"formatVersion": "202409", "lastModified": "2024-10-01T00:00:00Z",
            "editingSession": {"computeEngineSettings": {"allowFastCopy": true},
              "editingSessionMashup": {"mashupName": "Sales", "queryGroups": [{"id": "g", "name": "G"}],
                "queriesMetadata": {"Sales": {"queryId": "4d5e6f7a-8b9c-4d0e-9f2a-3b4c5d6e7f80", "queryName": "Sales", "queryGroupId": "g", "fieldsMetadata": {"x": 1}}},
                "connectionOverrides": [], "allowNativeQueries": false}}}"#;
        let converted = query_metadata_202409(old).unwrap();
        assert_eq!(converted.mashup, None);
        let metadata: serde_json::Value = serde_json::from_str(&converted.query_metadata).unwrap();
        assert_eq!(metadata["computeEngineSettings"]["allowFastCopy"], true);
        assert_eq!(metadata["queriesMetadata"]["Sales"]["queryGroupId"], "g");
        assert_eq!(metadata["allowNativeQueries"], false);
        assert_eq!(
            converted.dropped,
            ["lastModified", "editingSession.editingSessionMashup.queriesMetadata.Sales.fieldsMetadata"]
        );
        assert!(query_metadata_202409(&converted.query_metadata).is_err());
    }
}
