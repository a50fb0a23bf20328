//! A Delta table (the format of Fabric's lakehouse tables) read from its folder through
//! [`crate::eval::sources`]: a small reader of the Delta transaction log, not delta-rs (whose smallest
//! build brings about 350 crates, a C crypto library among them: minutes of build on 2 cores).
//!
//! The table's state is its `_delta_log`: the newest complete checkpoint (`N.checkpoint.parquet`, or its
//! parts `N.checkpoint.P.T.parquet`), then each JSON commit after it (`N.json`, one action per line), in
//! order and without gaps. `add` and `remove` actions give the data files, `metaData` the schema (its
//! `schemaString`), partition columns and configuration, `protocol` the features a reader needs. Rows are
//! the data files' rows in log order, partition values filled in from `partitionValues`; column mapping
//! (`delta.columnMapping.mode` `name` or `id`) reads each column by its physical name. A table that needs a
//! reader feature dfls lacks (deletion vectors in use, v2 checkpoints, ...) is a clear error, never rows
//! that are not the table's.

use std::rc::Rc;

use arrow_schema::Schema;

use super::super::datetime::{days_from_civil, Zoned, TICKS_PER_DAY, TICKS_PER_SECOND};
use super::super::sources::Sources;
use super::super::types::MType;
use super::super::value::{Column, MError, Outcome, Table, Value};
use super::{arrow_table, new_fields, parquet};

/// The reader features this reader honours (deletion vectors only while no file has one).
const READER_FEATURES: &[&str] =
    &["columnMapping", "timestampNtz", "deletionVectors", "typeWidening-preview"];

fn delta_error(table: &str, message: impl std::fmt::Display) -> MError {
    MError::new("DataSource.Error", format!("The Delta table {table} could not be read: {message}."))
        .with_detail(Value::text(table))
}

/// A checkpoint file: its version, path, and part (number, total) when it is one of several.
struct CheckpointFile {
    version: u64,
    path: String,
    part: Option<(u32, u32)>,
}

/// A data file of the table, as an `add` action gives it.
struct DataFile {
    path: String,
    /// Column (physical name) and value, as Delta writes it (text, or null).
    partition_values: Vec<(String, Option<String>)>,
    deletion_vector: bool,
}

/// An action of the log, as much of it as reading needs.
enum Action {
    Add(DataFile),
    Remove { path: String },
    Metadata { schema_string: String, partition_columns: Vec<String>, column_mapping: bool },
    Protocol { min_reader_version: i64, reader_features: Vec<String> },
}

/// A column of the table's schema.
struct Field {
    name: String,
    /// The name in the data files (the physical name under column mapping).
    physical: String,
    /// The Delta type: `"long"`, `"timestamp"`, `{"type": "struct", ...}`.
    data_type: serde_json::Value,
}

/// The table in `folder` (ending with the path separator).
pub(crate) fn read_table(sources: &dyn Sources, folder: &str) -> Result<Table, MError> {
    let log_folder = format!("{folder}_delta_log");
    let listing = sources.folder(&log_folder)?;
    let mut commits: Vec<u64> = Vec::new();
    let mut checkpoints: Vec<CheckpointFile> = Vec::new();
    for entry in &listing.entries {
        let name = entry.name.as_str();
        if let Some(version) = name.strip_suffix(".json").and_then(version_of) {
            commits.push(version);
        } else if let Some(rest) = name.strip_suffix(".parquet") {
            let mut parts = rest.split('.');
            let (Some(version), Some("checkpoint")) = (parts.next().and_then(version_of), parts.next())
            else {
                continue;
            };
            let part = match (parts.next(), parts.next()) {
                (None, _) => None,
                (Some(part), Some(total)) => match (part.parse(), total.parse()) {
                    (Ok(part), Ok(total)) => Some((part, total)),
                    _ => continue,
                },
                // A v2 checkpoint (`N.checkpoint.UUID.parquet`): the protocol check below refuses it.
                (Some(_), None) => continue,
            };
            checkpoints.push(CheckpointFile { version, path: format!("{}{name}", listing.path), part });
        }
    }
    commits.sort_unstable();
    // The newest checkpoint that is complete: one file, or every one of its parts.
    let mut checkpoint: Option<(u64, Vec<String>)> = None;
    let mut versions: Vec<u64> = checkpoints.iter().map(|c| c.version).collect();
    versions.sort_unstable();
    versions.dedup();
    for version in versions.into_iter().rev() {
        let files: Vec<&CheckpointFile> = checkpoints.iter().filter(|c| c.version == version).collect();
        let complete = match files[0].part {
            None => files.len() == 1,
            Some((_, total)) => files.len() == total as usize,
        };
        if complete {
            let mut paths: Vec<String> = files.iter().map(|c| c.path.clone()).collect();
            paths.sort();
            checkpoint = Some((version, paths));
            break;
        }
    }
    let mut actions = Vec::new();
    let mut next = 0;
    if let Some((version, paths)) = &checkpoint {
        for path in paths {
            actions.extend(checkpoint_actions(sources, path, folder)?);
        }
        next = version + 1;
    }
    if checkpoint.is_none() && commits.is_empty() {
        return Err(delta_error(folder, "its _delta_log holds no commit"));
    }
    let start = next;
    for version in commits.into_iter().filter(|v| *v >= start) {
        if version != next {
            return Err(delta_error(folder, format!("its _delta_log has no commit {next} before {version}")));
        }
        let path = format!("{}{version:020}.json", listing.path);
        let bytes = sources.file(&path)?;
        for (line_number, line) in String::from_utf8_lossy(&bytes).lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            let json: serde_json::Value = serde_json::from_str(line).map_err(|error| {
                delta_error(
                    folder,
                    format!("line {} of commit {version} is not JSON: {error}", line_number + 1),
                )
            })?;
            actions.extend(json_action(&json));
        }
        next = version + 1;
    }
    snapshot(sources, folder, actions)
}

fn version_of(text: &str) -> Option<u64> {
    (text.len() == 20 && text.bytes().all(|b| b.is_ascii_digit())).then(|| text.parse().ok()).flatten()
}

fn json_action(json: &serde_json::Value) -> Option<Action> {
    let text = |value: &serde_json::Value| value.as_str().map(str::to_owned);
    if let Some(add) = json.get("add") {
        let partition_values = add
            .get("partitionValues")
            .and_then(|v| v.as_object())
            .map(|values| values.iter().map(|(k, v)| (k.clone(), text(v))).collect())
            .unwrap_or_default();
        return Some(Action::Add(DataFile {
            path: text(add.get("path")?)?,
            partition_values,
            deletion_vector: add.get("deletionVector").is_some_and(|dv| !dv.is_null()),
        }));
    }
    if let Some(remove) = json.get("remove") {
        return Some(Action::Remove { path: text(remove.get("path")?)? });
    }
    if let Some(metadata) = json.get("metaData") {
        let mode = metadata.pointer("/configuration/delta.columnMapping.mode").and_then(|m| m.as_str());
        return Some(Action::Metadata {
            schema_string: text(metadata.get("schemaString")?)?,
            partition_columns: metadata
                .get("partitionColumns")
                .and_then(|p| p.as_array())
                .map(|columns| columns.iter().filter_map(text).collect())
                .unwrap_or_default(),
            column_mapping: matches!(mode, Some("name" | "id")),
        });
    }
    if let Some(protocol) = json.get("protocol") {
        return Some(Action::Protocol {
            min_reader_version: protocol.get("minReaderVersion").and_then(|v| v.as_i64()).unwrap_or(1),
            reader_features: protocol
                .get("readerFeatures")
                .and_then(|f| f.as_array())
                .map(|features| features.iter().filter_map(text).collect())
                .unwrap_or_default(),
        });
    }
    None
}

/// The actions of a checkpoint file: its rows, each with one non-null action column.
fn checkpoint_actions(sources: &dyn Sources, path: &str, table: &str) -> Result<Vec<Action>, MError> {
    let (schema, batches) = parquet::batches(&sources.file(path)?)?;
    let mut actions = Vec::new();
    for batch in &batches {
        for row in 0..batch.num_rows() {
            for (i, field) in schema.fields().iter().enumerate() {
                let value = arrow_table::cell(batch.column(i).as_ref(), row)
                    .map_err(|error| delta_error(table, error.message()))?;
                if value.is_null() {
                    continue;
                }
                // The record of the action as M reads it, turned into its JSON form.
                let json = serde_json::json!({ field.name(): json_of(&value)? });
                actions.extend(json_action(&json));
            }
        }
    }
    Ok(actions)
}

/// An M value read from a checkpoint as JSON (texts, numbers, logicals, lists and records).
fn json_of(value: &Value) -> Result<serde_json::Value, MError> {
    Ok(match value {
        Value::Null => serde_json::Value::Null,
        Value::Text(text) => serde_json::Value::from(&**text),
        Value::Number(n) => serde_json::json!(n),
        Value::Logical(b) => serde_json::Value::Bool(*b),
        Value::List(list) => {
            serde_json::Value::Array(list.values()?.iter().map(json_of).collect::<Result<_, _>>()?)
        }
        Value::Record(record) => {
            let mut object = serde_json::Map::new();
            for (name, thunk) in record.names().iter().zip(record.values.iter()) {
                object.insert(name.to_string(), json_of(&thunk.force()?)?);
            }
            serde_json::Value::Object(object)
        }
        _ => serde_json::Value::Null,
    })
}

/// The table the replayed actions describe.
fn snapshot(sources: &dyn Sources, folder: &str, actions: Vec<Action>) -> Result<Table, MError> {
    let mut files: Vec<DataFile> = Vec::new();
    let mut metadata = None;
    for action in actions {
        match action {
            Action::Add(file) => {
                files.retain(|f| f.path != file.path);
                files.push(file);
            }
            Action::Remove { path } => files.retain(|f| f.path != path),
            Action::Metadata { schema_string, partition_columns, column_mapping } => {
                metadata = Some((schema_string, partition_columns, column_mapping))
            }
            Action::Protocol { min_reader_version, reader_features } => {
                if min_reader_version > 3 {
                    return Err(delta_error(
                        folder,
                        format!("it needs a reader of version {min_reader_version}"),
                    ));
                }
                if let Some(feature) = reader_features.iter().find(|f| !READER_FEATURES.contains(&f.as_str()))
                {
                    return Err(delta_error(
                        folder,
                        format!("it uses the reader feature `{feature}`, which dfls does not read yet"),
                    ));
                }
            }
        }
    }
    let Some((schema_string, partition_columns, column_mapping)) = metadata else {
        return Err(delta_error(folder, "its log has no metaData action"));
    };
    if files.iter().any(|f| f.deletion_vector) {
        return Err(delta_error(
            folder,
            "some of its rows are deleted by deletion vectors, which dfls does not read yet",
        ));
    }
    let schema: serde_json::Value = serde_json::from_str(&schema_string)
        .map_err(|error| delta_error(folder, format!("its schema is not JSON: {error}")))?;
    let fields: Vec<Field> = schema
        .get("fields")
        .and_then(|f| f.as_array())
        .ok_or_else(|| delta_error(folder, "its schema has no fields"))?
        .iter()
        .map(|field| {
            let name = field.get("name").and_then(|n| n.as_str()).unwrap_or_default().to_owned();
            let physical = field
                .pointer("/metadata/delta.columnMapping.physicalName")
                .and_then(|p| p.as_str())
                .filter(|_| column_mapping)
                .map_or_else(|| name.clone(), str::to_owned);
            Field { name, physical, data_type: field.get("type").cloned().unwrap_or_default() }
        })
        .collect();
    let mut columns: Vec<Vec<Outcome>> = fields.iter().map(|_| Vec::new()).collect();
    for DataFile { path, partition_values, .. } in &files {
        crate::cancel::checkpoint();
        let relative = percent_encoding::percent_decode_str(path).decode_utf8_lossy();
        let full = match relative.strip_prefix("file://") {
            Some(absolute) => absolute.to_owned(),
            None => format!("{folder}{}", relative.replace('/', std::path::MAIN_SEPARATOR_STR)),
        };
        let (file_schema, batches) = parquet::batches(&sources.file(&full)?)?;
        let rows: usize = batches.iter().map(|b| b.num_rows()).sum();
        for (field, column) in fields.iter().zip(columns.iter_mut()) {
            if partition_columns.contains(&field.name) {
                let raw = partition_values.iter().find(|(k, _)| *k == field.physical || *k == field.name);
                let value = partition_value(raw.and_then(|(_, v)| v.as_deref()), &field.data_type);
                column.extend(std::iter::repeat_n(value, rows));
                continue;
            }
            match position(&file_schema, &field.physical) {
                None => column.extend(std::iter::repeat_n(Ok(Value::Null), rows)),
                Some(i) => {
                    let utc = field.data_type == "timestamp";
                    for batch in &batches {
                        let array = batch.column(i);
                        column.extend(
                            (0..array.len())
                                .map(|row| arrow_table::cell(array.as_ref(), row).map(|v| in_utc(v, utc))),
                        );
                    }
                }
            }
        }
    }
    let rows = files_rows(&columns);
    let names: Vec<Rc<str>> = fields.iter().map(|f| Rc::from(f.name.as_str())).collect();
    let types = fields.iter().map(|f| m_type(&f.data_type)).collect();
    Ok(Table::new(new_fields(names)?, types, columns.into_iter().map(Column::from_outcomes).collect(), rows))
}

fn files_rows(columns: &[Vec<Outcome>]) -> usize {
    columns.first().map_or(0, Vec::len)
}

fn position(schema: &Schema, name: &str) -> Option<usize> {
    schema.fields().iter().position(|f| f.name() == name)
}

/// A Delta `timestamp` is an instant: a timestamp a writer stored without its zone (INT96) is UTC.
fn in_utc(value: Value, utc: bool) -> Value {
    match value {
        Value::DateTime(local) if utc => Value::DateTimeZone(Zoned { local, offset_minutes: 0 }),
        other => other,
    }
}

/// The M type of a Delta type.
fn m_type(data_type: &serde_json::Value) -> Rc<MType> {
    let name = match data_type.as_str() {
        Some("string") => "text",
        Some("long") => "Int64.Type",
        Some("integer") => "Int32.Type",
        Some("short") => "Int16.Type",
        Some("byte") => "Int8.Type",
        Some("float") => "Single.Type",
        Some("double") => "number",
        Some(decimal) if decimal.starts_with("decimal") => "Decimal.Type",
        Some("boolean") => "logical",
        Some("binary") => "binary",
        Some("date") => "date",
        Some("timestamp") => "datetimezone",
        Some("timestamp_ntz") => "datetime",
        _ => match data_type.get("type").and_then(|t| t.as_str()) {
            Some("struct") | Some("map") => "record",
            Some("array") => "list",
            _ => "any",
        },
    };
    let ty = MType::named(name).or_else(|| MType::primitive(name)).unwrap_or_else(MType::any);
    MType::nullable(&ty)
}

/// A partition value (Delta writes them as text) as the column's type reads it.
fn partition_value(raw: Option<&str>, data_type: &serde_json::Value) -> Outcome {
    let Some(raw) = raw else { return Ok(Value::Null) };
    let invalid =
        || MError::new("DataFormat.Error", format!("The partition value `{raw}` is not a {data_type}."));
    let kind = data_type.as_str().unwrap_or_default();
    Ok(match kind {
        "string" => Value::text(raw),
        "boolean" => Value::Logical(raw.eq_ignore_ascii_case("true")),
        "long" | "integer" | "short" | "byte" | "float" | "double" => {
            Value::Number(raw.parse().map_err(|_| invalid())?)
        }
        _ if kind.starts_with("decimal") => Value::Number(raw.parse().map_err(|_| invalid())?),
        "date" => Value::Date(date(raw).ok_or_else(invalid)?),
        "timestamp" | "timestamp_ntz" => {
            let (day, time) = raw.split_once([' ', 'T']).ok_or_else(invalid)?;
            let mut parts = time.trim_end_matches('Z').split(':');
            let mut next = || parts.next().and_then(|p| p.parse::<f64>().ok());
            let (hours, minutes, seconds) =
                (next().ok_or_else(invalid)?, next().ok_or_else(invalid)?, next().unwrap_or(0.0));
            let ticks = date(day).ok_or_else(invalid)? * TICKS_PER_DAY
                + ((hours * 3600.0 + minutes * 60.0 + seconds) * TICKS_PER_SECOND as f64).round() as i64;
            if kind == "timestamp" {
                Value::DateTimeZone(Zoned { local: ticks, offset_minutes: 0 })
            } else {
                Value::DateTime(ticks)
            }
        }
        _ => Value::text(raw),
    })
}

fn date(text: &str) -> Option<i64> {
    let mut parts = text.splitn(3, '-').map(|p| p.parse::<i64>().ok());
    days_from_civil(parts.next()??, parts.next()??, parts.next()??)
}
