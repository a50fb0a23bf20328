//! What the embedded schemas say about a place in a file, for editors: the properties an object may
//! have (with descriptions, types and allowed values), the values a property takes, and its description.
//!
//! The schema is chosen as [`super::validate`] chooses it (by `formatVersion`, `$schema`, ...). A place is
//! a path of keys and array indexes from the root; `$ref`s (local, `#/definitions/...`), `allOf`, `anyOf`
//! and `oneOf` are followed, `properties`, `additionalProperties` and `items` descended. Pure and
//! infallible: an unknown place has no properties.

use std::sync::LazyLock;

use serde_json::Value as Serde;

use super::{choose, compiled, SchemaKind};
use crate::json::Value;

/// A step of a path into a JSON document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PathStep {
    Key(String),
    Index(usize),
}

/// A property an object may have, as its schema describes it.
#[derive(Debug, Clone, PartialEq)]
pub struct PropertyInfo {
    pub name: String,
    pub description: Option<String>,
    pub required: bool,
    /// The JSON types the value may have (`string`, `boolean`, `object`, ...).
    pub types: Vec<String>,
    /// The values it may take (`enum` or `const`), when the schema lists them.
    pub values: Vec<Serde>,
}

macro_rules! schema_json {
    ($file:literal) => {
        LazyLock::new(|| {
            serde_json::from_str(include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/schemas/", $file)))
                .expect("the embedded schemas are JSON (a test validates with them)")
        })
    };
}

static PLATFORM_2_0_0: LazyLock<Serde> =
    schema_json!("fabric/gitIntegration/platformProperties/2.0.0/schema.json");
static PLATFORM_2_1_0: LazyLock<Serde> =
    schema_json!("fabric/gitIntegration/platformProperties/2.1.0/schema.json");
static SCHEDULES_1_0_0: LazyLock<Serde> = schema_json!("fabric/gitIntegration/schedules/1.0.0/schema.json");
static QUERY_METADATA_202502: LazyLock<Serde> = schema_json!("dataflow/queryMetadata.202502.schema.json");
static QUERY_METADATA_202409: LazyLock<Serde> = schema_json!("dataflow/queryMetadata.202409.schema.json");
static LEGACY_DATAFLOW_CONTENT: LazyLock<Serde> =
    schema_json!("dataflow/dataflow-content.legacy.schema.json");

/// The schema (as JSON) a file of this kind is validated against, given the file's root value (which
/// picks the version); without a root, the current version.
pub fn schema_json(kind: SchemaKind, root: Option<&Value>) -> &'static Serde {
    let chosen = match root {
        Some(root) => choose(kind, root).schema,
        None => match kind {
            SchemaKind::QueryMetadata => &compiled::QUERY_METADATA_202502,
            SchemaKind::Platform => &compiled::PLATFORM_2_0_0,
            SchemaKind::Schedules => &compiled::SCHEDULES_1_0_0,
            SchemaKind::LegacyDataflowContent => &compiled::LEGACY_DATAFLOW_CONTENT,
        },
    };
    let table: [(&compiled::Schema, &LazyLock<Serde>); 6] = [
        (&compiled::PLATFORM_2_0_0, &PLATFORM_2_0_0),
        (&compiled::PLATFORM_2_1_0, &PLATFORM_2_1_0),
        (&compiled::SCHEDULES_1_0_0, &SCHEDULES_1_0_0),
        (&compiled::QUERY_METADATA_202502, &QUERY_METADATA_202502),
        (&compiled::QUERY_METADATA_202409, &QUERY_METADATA_202409),
        (&compiled::LEGACY_DATAFLOW_CONTENT, &LEGACY_DATAFLOW_CONTENT),
    ];
    let json = table
        .iter()
        .find(|(schema, _)| std::ptr::eq(*schema, chosen))
        .map_or(&QUERY_METADATA_202502, |(_, json)| json);
    json
}

/// How deep `$ref` and combinators are followed (a guard against cycles).
const MAX_EXPANSION: usize = 32;

/// The schemas that apply at a path of the document: each `$ref` resolved, `allOf`/`anyOf`/`oneOf`
/// expanded.
pub fn schemas_at<'s>(schema: &'s Serde, path: &[PathStep]) -> Vec<&'s Serde> {
    let mut current = expand(schema, schema);
    for step in path {
        let mut next = Vec::new();
        for node in current {
            let child = match step {
                PathStep::Key(key) => node
                    .get("properties")
                    .and_then(|p| p.get(key.as_str()))
                    .or_else(|| node.get("additionalProperties").filter(|a| a.is_object())),
                PathStep::Index(_) => node.get("items").filter(|i| i.is_object()),
            };
            if let Some(child) = child {
                next.extend(expand(schema, child));
            }
        }
        current = next;
    }
    current
}

/// A schema with its `$ref`s resolved and its combinators expanded: every schema that applies.
fn expand<'s>(root: &'s Serde, node: &'s Serde) -> Vec<&'s Serde> {
    let mut out = Vec::new();
    let mut pending = vec![(node, 0)];
    while let Some((node, depth)) = pending.pop() {
        if depth > MAX_EXPANSION {
            continue;
        }
        out.push(node);
        if let Some(target) = node.get("$ref").and_then(Serde::as_str).and_then(|r| resolve(root, r)) {
            pending.push((target, depth + 1));
        }
        for combinator in ["allOf", "anyOf", "oneOf"] {
            for part in node.get(combinator).and_then(Serde::as_array).into_iter().flatten() {
                pending.push((part, depth + 1));
            }
        }
    }
    out
}

/// A local reference: `#/definitions/QueryMetadata`.
fn resolve<'s>(root: &'s Serde, reference: &str) -> Option<&'s Serde> {
    let pointer = reference.strip_prefix('#')?;
    root.pointer(pointer)
}

/// The properties the schema names for the object at a path, in the schema's order.
pub fn properties(schema: &Serde, path: &[PathStep]) -> Vec<PropertyInfo> {
    let applicable = schemas_at(schema, path);
    let required: Vec<&str> = applicable
        .iter()
        .filter_map(|s| s.get("required").and_then(Serde::as_array))
        .flatten()
        .filter_map(Serde::as_str)
        .collect();
    let mut out: Vec<PropertyInfo> = Vec::new();
    for node in &applicable {
        let Some(properties) = node.get("properties").and_then(Serde::as_object) else { continue };
        for name in properties.keys() {
            if out.iter().any(|p| p.name == *name) {
                continue;
            }
            let mut path = path.to_vec();
            path.push(PathStep::Key(name.clone()));
            out.push(PropertyInfo {
                name: name.clone(),
                description: description(schema, &path),
                required: required.contains(&name.as_str()),
                types: types(schema, &path),
                values: values(schema, &path),
            });
        }
    }
    out
}

/// The description of the value at a path (the first schema that has one).
pub fn description(schema: &Serde, path: &[PathStep]) -> Option<String> {
    schemas_at(schema, path)
        .iter()
        .find_map(|s| s.get("description").and_then(Serde::as_str))
        .map(str::to_string)
}

/// The JSON types the value at a path may have.
pub fn types(schema: &Serde, path: &[PathStep]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for node in schemas_at(schema, path) {
        let found: Vec<&str> = match node.get("type") {
            Some(Serde::String(t)) => vec![t.as_str()],
            Some(Serde::Array(ts)) => ts.iter().filter_map(Serde::as_str).collect(),
            _ => Vec::new(),
        };
        for t in found {
            if !out.iter().any(|o| o == t) {
                out.push(t.to_string());
            }
        }
    }
    out
}

/// The values the value at a path may take, when the schema lists them (`enum`, `const`).
pub fn values(schema: &Serde, path: &[PathStep]) -> Vec<Serde> {
    let mut out: Vec<Serde> = Vec::new();
    for node in schemas_at(schema, path) {
        if let Some(constant) = node.get("const") {
            out.push(constant.clone());
        }
        for value in node.get("enum").and_then(Serde::as_array).into_iter().flatten() {
            if !out.contains(value) {
                out.push(value.clone());
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(k: &str) -> PathStep {
        PathStep::Key(k.to_string())
    }

    #[test]
    fn properties_descriptions_and_values() {
        let schema = schema_json(SchemaKind::QueryMetadata, None);
        let top: Vec<String> = properties(schema, &[]).into_iter().map(|p| p.name).collect();
        assert!(
            top.contains(&"queriesMetadata".to_string()) && top.contains(&"formatVersion".to_string()),
            "{top:?}"
        );
        let entry = properties(schema, &[key("queriesMetadata"), key("Sales")]);
        let query_id = entry.iter().find(|p| p.name == "queryId").unwrap();
        assert!(query_id.required);
        assert_eq!(query_id.description.as_deref(), Some("The query's GUID."));
        assert_eq!(values(schema, &[key("formatVersion")]), [Serde::String("202502".to_string())]);
        let schedules = schema_json(SchemaKind::Schedules, None);
        let path = [key("schedules"), PathStep::Index(0), key("configuration"), key("type")];
        assert_eq!(values(schedules, &path).len(), 4);
        assert_eq!(types(schedules, &[key("schedules"), PathStep::Index(0), key("enabled")]), ["boolean"]);
        assert!(properties(schema, &[key("nothing"), key("here")]).is_empty());
    }

    #[test]
    fn the_version_follows_the_file() {
        let json = crate::json::parse(r#"{"formatVersion": "202409"}"#);
        let schema = schema_json(SchemaKind::QueryMetadata, json.root.as_ref());
        assert_eq!(values(schema, &[key("formatVersion")]), [Serde::String("202409".to_string())]);
    }
}
