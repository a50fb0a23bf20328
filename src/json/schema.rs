//! JSON schema validation of a Dataflow item's JSON files (`J1xx`): the schemas are embedded in the
//! binary, and each violation becomes a diagnostic at the offending key or value, in plain words.
//!
//! [`validate`] picks the schema from the file itself, then reports:
//!
//! - `queryMetadata.json` by `formatVersion`: "202502" (the current layout) and "202409" (the 2024
//!   layout under `editingSession.editingSessionMashup`, with an info `J107` that `dfls convert` upgrades
//!   it); any other string is `J106` and the rest of the file is checked as 202502; a missing or
//!   non-string version is the schema's own error, checked as 202502.
//! - `.platform` by `$schema`: platformProperties 2.0.0 or 2.1.0; a missing or unknown `$schema` is a warning
//!   (`J108`) and the file is checked against 2.0.0.
//! - `.schedules` against schedules 1.0.0 (a missing or other `$schema` is `J108` too).
//! - a legacy `dataflow-content.json` against dfls's schema of it.
//!
//! Duplicate keys (`J105`) are found on the [`Json`] tree, which still has them. Submodules: [`compiled`]
//! holds the embedded schemas, [`messages`] words the validator's errors, [`duplicates`] finds repeated
//! keys. Pure: no IO; never panics on input.

mod compiled;
mod duplicates;
pub mod introspect;
mod messages;
#[cfg(test)]
mod tests;

use crate::diagnostics::{codes, Diagnostic, Severity};

use self::compiled::Schema;
use self::messages::Skip;
use super::{Json, Value};

/// The JSON files dfls knows a schema for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SchemaKind {
    /// `queryMetadata.json`, formatVersion "202502" or the earlier "202409".
    QueryMetadata,
    /// `.platform`, by its `$schema` (platformProperties 2.0.0 or 2.1.0).
    Platform,
    /// `.schedules` (schedules 1.0.0).
    Schedules,
    /// A legacy `dataflow-content.json`.
    LegacyDataflowContent,
}

/// The `formatVersion` of `queryMetadata.json` that Fabric writes today.
pub const CURRENT_FORMAT_VERSION: &str = "202502";
/// The `formatVersion` of the 2024 Git-integration layout, which dfls still reads.
pub const FORMAT_VERSION_2024: &str = "202409";

/// Validates a parsed JSON file against its schema. A file with syntax errors is not validated (its
/// syntax diagnostics say enough); values nested deeper than `json::MAX_DEPTH` are validated as `null`
/// (see [`Json::to_serde`]). The diagnostics come sorted by position.
pub fn validate(kind: SchemaKind, json: &Json) -> Vec<Diagnostic> {
    if json.diagnostics.iter().any(|d| d.severity == Severity::Error) {
        return Vec::new();
    }
    let (Some(root), Some(instance)) = (json.root.as_ref(), json.to_serde()) else {
        return Vec::new();
    };
    let choice = choose(kind, root);
    let mut diagnostics = duplicates::find(root);
    diagnostics.extend(choice.notes);
    diagnostics.extend(messages::diagnostics(choice.schema.validator(), json, &instance, choice.skip));
    diagnostics.sort_by_key(|d| (d.range.start, d.range.end));
    diagnostics
}

/// The schema a file is validated with, what choosing it found to say, and the schema errors that those
/// notes already cover.
struct Choice {
    schema: &'static Schema,
    notes: Vec<Diagnostic>,
    skip: Skip,
}

fn choose(kind: SchemaKind, root: &Value) -> Choice {
    let plain = |schema| Choice { schema, notes: Vec::new(), skip: Skip::Nothing };
    match kind {
        SchemaKind::QueryMetadata => choose_query_metadata(root),
        SchemaKind::Platform => choose_by_schema_url(
            root,
            &[
                (compiled::PLATFORM_2_0_0_URL, &compiled::PLATFORM_2_0_0),
                (compiled::PLATFORM_2_1_0_URL, &compiled::PLATFORM_2_1_0),
            ],
            "platformProperties",
            "2.0.0 or 2.1.0",
            "2.0.0",
        ),
        SchemaKind::Schedules => choose_by_schema_url(
            root,
            &[(compiled::SCHEDULES_1_0_0_URL, &compiled::SCHEDULES_1_0_0)],
            "schedules",
            "1.0.0",
            "1.0.0",
        ),
        SchemaKind::LegacyDataflowContent => plain(&compiled::LEGACY_DATAFLOW_CONTENT),
    }
}

fn choose_query_metadata(root: &Value) -> Choice {
    let version = root.as_object().and_then(|_| root.get("formatVersion"));
    let mut choice =
        Choice { schema: &compiled::QUERY_METADATA_202502, notes: Vec::new(), skip: Skip::Nothing };
    let Some((value, text)) = version.and_then(|v| Some((v, v.as_string()?))) else {
        // Missing or not a string: the 202502 schema's own errors say so.
        return choice;
    };
    match text.value.as_str() {
        CURRENT_FORMAT_VERSION => {}
        FORMAT_VERSION_2024 => {
            choice.schema = &compiled::QUERY_METADATA_202409;
            choice.notes.push(Diagnostic::new(
                codes::J107,
                value.range.clone(),
                format!(
                    "formatVersion \"{FORMAT_VERSION_2024}\" is the 2024 layout; `dfls convert` can upgrade this \
                     file to \"{CURRENT_FORMAT_VERSION}\""
                ),
            ));
        }
        other => {
            choice.skip = Skip::At("/formatVersion");
            choice.notes.push(Diagnostic::new(
                codes::J106,
                value.range.clone(),
                format!(
                    "`formatVersion` must be \"{CURRENT_FORMAT_VERSION}\", found {}",
                    messages::shown(&serde_json::Value::String(other.to_string()))
                ),
            ));
        }
    }
    choice
}

/// Chooses among versions of a Microsoft schema by the file's `$schema` URL, falling back (with a `J108`
/// warning) to `fallback` when it is missing or unknown.
fn choose_by_schema_url(
    root: &Value,
    known: &[(&str, &'static Schema)],
    family: &str,
    versions: &str,
    fallback: &str,
) -> Choice {
    let fallback_schema = known[0].1;
    let mut choice = Choice { schema: fallback_schema, notes: Vec::new(), skip: Skip::Nothing };
    if root.as_object().is_none() {
        // The schema's type error says what is wrong.
        return choice;
    }
    match root.get("$schema") {
        None => {
            choice.skip = Skip::RequiredAtRoot("$schema");
            choice.notes.push(Diagnostic::new(
                codes::J108,
                root.range.start..root.range.start + 1,
                format!("the file has no `$schema`; it was checked against {family} {fallback}"),
            ));
        }
        Some(value) => {
            let Some(url) = value.as_str() else { return choice };
            match known.iter().find(|(known_url, _)| *known_url == url) {
                Some((_, schema)) => choice.schema = schema,
                None => choice.notes.push(Diagnostic::new(
                    codes::J108,
                    value.range.clone(),
                    format!(
                        "`$schema` is not a {family} schema dfls knows ({versions}); the file was checked \
                         against {family} {fallback}"
                    ),
                )),
            }
        }
    }
    choice
}
