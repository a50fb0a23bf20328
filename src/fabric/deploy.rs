//! The deploy loop over a connection: push a local item folder (create or update its definition), pull a
//! remote definition into a folder, run and follow publish and refresh jobs, read job instances.
//!
//! Local items are matched to remote ones by display name (from `.platform`) and type, as Fabric's Git
//! integration and fabric-cicd do. Nothing local is lost: a push reads only; a pull writes every file
//! atomically and, without `force`, writes nothing at all when any local file differs from the remote.

use std::path::{Path, PathBuf};

use serde_json::{json, Value};

use super::client::{Item, JobInstance, JobType, StartedJob};
use super::error::FabricError;
use super::target::Connection;
use crate::definition::folder::{self, WriteOutcome};
use crate::definition::parts::{PartKind, PLATFORM};
use crate::definition::payload::{self, Definition};
use crate::definition::{check_folder, FolderItem};
use crate::diagnostics::{FileReport, Severity};

/// A local item folder, read.
#[derive(Debug, Clone)]
pub struct LocalItem {
    pub dir: PathBuf,
    pub display_name: String,
    pub description: String,
    /// The parts of a Dataflow definition in the folder (other files are not sent).
    pub definition: Definition,
    /// What was left of an interrupted update of the folder and was finished or undone before reading it,
    /// in words (nothing when the folder was clean).
    pub recovered: Vec<String>,
}

/// Reads an item folder: its parts, and its display name from `.platform` (else the folder's name
/// without `.Dataflow`). An update of the folder that a killed `pull` left is finished or undone first
/// ([`folder::recover`]), so that what is read is never half old, half new.
pub fn read_local(dir: &Path) -> Result<LocalItem, FabricError> {
    let dir = &folder::named_folder(dir).ok_or_else(|| match dir.exists() {
        true => FabricError::Io(format!("`{}` is not an item folder nor a file of one", dir.display())),
        false => FabricError::Io(format!("there is no file or folder `{}`", dir.display())),
    })?;
    let recovered = folder::recover(dir).map_err(|error| {
        FabricError::Io(format!("cannot finish an interrupted update of {}: {error}", dir.display()))
    })?;
    let all = folder::read_folder(dir).map_err(|error| {
        FabricError::Io(format!("cannot read the item folder {}: {error}", dir.display()))
    })?;
    let parts: Vec<payload::Part> =
        all.parts.into_iter().filter(|part| PartKind::of(&part.path) != PartKind::Unknown).collect();
    if parts.is_empty() {
        return Err(FabricError::Io(format!("{} holds no part of a Dataflow definition", dir.display())));
    }
    let platform: Option<Value> =
        parts.iter().find(|p| p.path == PLATFORM).and_then(|p| serde_json::from_slice(&p.bytes).ok());
    let (display_name, description) = names_of(dir, platform.as_ref());
    Ok(LocalItem {
        dir: dir.to_path_buf(),
        display_name,
        description,
        definition: Definition { format: None, parts },
        recovered: recovered.describe(dir),
    })
}

/// The display name and description of an item folder: from its `.platform` (`metadata`), else the folder's
/// name without `.Dataflow` and no description.
fn names_of(dir: &Path, platform: Option<&Value>) -> (String, String) {
    let metadata = platform.and_then(|p| p.get("metadata"));
    let folder_name = dir
        .canonicalize()
        .unwrap_or_else(|_| dir.to_path_buf())
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let display_name = metadata
        .and_then(|m| m.get("displayName"))
        .and_then(Value::as_str)
        .map(str::to_owned)
        .unwrap_or_else(|| folder_name.strip_suffix(".Dataflow").unwrap_or(&folder_name).to_owned());
    let description =
        metadata.and_then(|m| m.get("description")).and_then(Value::as_str).unwrap_or_default().to_owned();
    (display_name, description)
}

/// The display name of an item folder, reading only its `.platform` (and writing nothing, unlike
/// [`read_local`]).
pub fn local_display_name(dir: &Path) -> String {
    let platform: Option<Value> =
        std::fs::read(dir.join(PLATFORM)).ok().and_then(|bytes| serde_json::from_slice(&bytes).ok());
    names_of(dir, platform.as_ref()).0
}

/// `dfls check` on a local item: its reports, and how many errors they hold.
pub fn check(item: &LocalItem) -> (Vec<FileReport>, usize) {
    let name = item.dir.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let parts = item.definition.parts.iter().map(|part| (part.path.as_str(), part.bytes.as_slice()));
    let reports = check_folder(FolderItem::of_parts(name, item.dir.display().to_string(), parts));
    let errors =
        reports.iter().flat_map(|r| &r.diagnostics).filter(|d| d.severity == Severity::Error).count();
    (reports, errors)
}

/// Sets the display name or description in an item folder's `.platform` (`metadata.displayName`,
/// `metadata.description`), written atomically; the other properties keep their order. A folder without a
/// `.platform` gets none: its name is its folder's.
pub fn update_platform(
    dir: &Path,
    display_name: Option<&str>,
    description: Option<&str>,
) -> Result<bool, FabricError> {
    let path = dir.join(PLATFORM);
    let bytes = match std::fs::read(&path) {
        Ok(bytes) => bytes,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(false),
        Err(error) => return Err(FabricError::Io(format!("cannot read {}: {error}", path.display()))),
    };
    let written =
        crate::definition::parts::platform_with(&bytes, display_name, description).ok_or_else(|| {
            FabricError::Io(format!(
                "{} is not JSON with a `metadata` object; it was not changed",
                path.display()
            ))
        })?;
    folder::write_atomically(&path, &written)
        .map_err(|error| FabricError::Io(format!("cannot write {}: {error}", path.display())))?;
    Ok(true)
}

/// What a push does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PushAction {
    /// No Dataflow of that name: create it with the definition.
    Create,
    /// Update the definition: these parts differ, are new, or are gone from the folder.
    Update { changed: Vec<String> },
    /// The remote definition is the local one: nothing to send.
    Unchanged,
}

/// A push, decided.
#[derive(Debug, Clone)]
pub struct PushPlan {
    pub remote: Option<Item>,
    /// The remote definition, when there is a remote item.
    pub remote_definition: Option<Definition>,
    pub action: PushAction,
}

impl PushPlan {
    /// A unified diff, remote to local, of each changed part that is text.
    pub fn diff(&self, item: &LocalItem) -> String {
        let PushAction::Update { changed } = &self.action else { return String::new() };
        let mut out = String::new();
        for path in changed {
            let local = item.definition.parts.iter().find(|p| &p.path == path).map(|p| p.bytes.as_slice());
            let remote = self
                .remote_definition
                .iter()
                .flat_map(|d| &d.parts)
                .find(|p| &p.path == path)
                .map(|p| p.bytes.as_slice());
            match (
                std::str::from_utf8(remote.unwrap_or_default()),
                std::str::from_utf8(local.unwrap_or_default()),
            ) {
                (Ok(old), Ok(new)) => {
                    // A part one side has not is /dev/null there, as `diff -N` shows it.
                    let name = |side: &str, present: bool| {
                        if present {
                            format!("{side}/{path}")
                        } else {
                            "/dev/null".to_owned()
                        }
                    };
                    out.push_str(&crate::text::diff::unified(
                        old,
                        new,
                        &name("remote", remote.is_some()),
                        &name("local", local.is_some()),
                    ))
                }
                _ => out.push_str(&format!("Binary part {path} differs\n")),
            }
        }
        out
    }
}

/// Decides what pushing `item` does: looks the Dataflow up by name and compares definitions.
pub fn plan_push(connection: &Connection, item: &LocalItem) -> Result<PushPlan, FabricError> {
    let client = &connection.client;
    let Some(remote) = client.find_dataflow(&connection.workspace, &item.display_name)? else {
        return Ok(PushPlan { remote: None, remote_definition: None, action: PushAction::Create });
    };
    let current = client.get_definition(&connection.workspace, &remote.id)?;
    let mut changed: Vec<String> = item
        .definition
        .parts
        .iter()
        .filter(|local| !current.parts.iter().any(|r| r.path == local.path && r.bytes == local.bytes))
        .map(|part| part.path.clone())
        .collect();
    // A part Fabric has and the folder no longer has goes with the update (the definition is replaced
    // whole); `.platform` excepted, which getDefinition always returns.
    changed.extend(
        current
            .parts
            .iter()
            .filter(|r| r.path != PLATFORM && !item.definition.parts.iter().any(|l| l.path == r.path))
            .map(|part| part.path.clone()),
    );
    // The description and display name are the item's: a changed `.platform` carries them, and the update
    // (`updateMetadata=true`) sets the item's metadata from it, as Fabric's getDefinition then says.
    let action = if changed.is_empty() { PushAction::Unchanged } else { PushAction::Update { changed } };
    Ok(PushPlan { remote: Some(remote), remote_definition: Some(current), action })
}

/// Carries out a push plan; returns the remote item.
pub fn push(connection: &Connection, item: &LocalItem, plan: &PushPlan) -> Result<Item, FabricError> {
    let client = &connection.client;
    match (&plan.action, &plan.remote) {
        (PushAction::Create, _) => client.create_dataflow(
            &connection.workspace,
            &item.display_name,
            &item.description,
            &item.definition,
        ),
        (PushAction::Update { .. }, Some(remote)) => {
            client.update_definition(&connection.workspace, &remote.id, &item.definition, true)?;
            Ok(remote.clone())
        }
        (_, Some(remote)) => Ok(remote.clone()),
        (_, None) => Err(FabricError::Protocol("a plan without a remote item".to_owned())),
    }
}

/// The remote Dataflow an argument names: a local item folder (by its display name) or a display name.
pub fn resolve(connection: &Connection, item: &str) -> Result<Item, FabricError> {
    let name = match folder::named_folder(Path::new(item)) {
        Some(dir) => read_local(&dir)?.display_name,
        None => item.to_owned(),
    };
    let dataflows = connection.client.dataflows(&connection.workspace)?;
    if let Some(found) = dataflows.iter().find(|dataflow| dataflow.display_name == name) {
        return Ok(found.clone());
    }
    let names: Vec<&str> = dataflows.iter().map(|dataflow| dataflow.display_name.as_str()).collect();
    let hint = match crate::suggest::closest(&name, names.iter().copied(), 3).as_slice() {
        [] => "; push it first".to_owned(),
        [one] => format!("; did you mean `{one}`?"),
        several => format!(
            "; did you mean one of {}?",
            several.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ")
        ),
    };
    // A name that reads as a path (`Sales.Dataflow`, `items/Sales`) is most likely a folder that is not there.
    let path_like = item.ends_with(".Dataflow") || item.ends_with(".Dataflow/") || item.contains(['/', '\\']);
    let local = if path_like && !Path::new(item).exists() {
        format!("there is no folder `{item}`, and ")
    } else {
        String::new()
    };
    Err(FabricError::Config(format!(
        "{local}there is no Dataflow named `{name}` in workspace {} of {}{hint}",
        connection.workspace, connection.target.name
    )))
}

/// Where a pull writes, and what it wrote.
#[derive(Debug)]
pub struct Pulled {
    pub item: Item,
    pub dir: PathBuf,
    pub outcome: WriteOutcome,
}

/// Pulls the definition of `item` (a local item folder or a remote display name) into `to` (default:
/// the local folder, or `<name>.Dataflow` in the current folder). Without `force`, nothing is written
/// when a local file differs from the remote (the outcome's `conflicts` say which).
pub fn pull(
    connection: &Connection,
    item: &str,
    to: Option<&Path>,
    force: bool,
) -> Result<Pulled, FabricError> {
    let remote = resolve(connection, item)?;
    let dir = match to {
        Some(to) => to.to_path_buf(),
        None => match folder::named_folder(Path::new(item)) {
            Some(dir) => dir,
            None => PathBuf::from(format!("{}.Dataflow", safe_folder_name(&remote.display_name))),
        },
    };
    let definition = connection.client.get_definition(&connection.workspace, &remote.id)?;
    let outcome = folder::write_folder(&definition, &dir, force)
        .map_err(|error| FabricError::Io(format!("cannot write into {}: {error}", dir.display())))?;
    Ok(Pulled { item: remote, dir, outcome })
}

/// A display name as a folder name: path separators and reserved characters become `_`.
fn safe_folder_name(name: &str) -> String {
    name.chars()
        .map(|c| if matches!(c, '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|') { '_' } else { c })
        .collect()
}

/// Checks `--param` values against the public parameters of a Dataflow before a refresh is started, since
/// Fabric runs with an unknown or misspelt name as if it were not given: every name must be one of the
/// dataflow's parameters (names are case-sensitive), values must fit a number or logical parameter, every
/// required parameter needs a value (the run fails without one), and a dataflow without public parameters
/// takes none.
pub fn check_parameters(
    connection: &Connection,
    item: &Item,
    parameters: &[(String, String)],
) -> Result<(), FabricError> {
    let Some(declared) = connection.client.dataflow_parameters(&connection.workspace, &item.id)? else {
        if parameters.is_empty() {
            return Ok(());
        }
        return Err(FabricError::Config(format!(
            "`{}` does not use public parameters, so `--param {}` would be ignored; turn them on with \
             `\"parametric\": true` in its queryMetadata.json (and mark parameter queries with \
             `meta [IsParameterQuery = true, ...]`)",
            item.display_name,
            parameters.iter().map(|(name, _)| name.as_str()).collect::<Vec<_>>().join(", ")
        )));
    };
    let names: Vec<&str> = declared.iter().map(|parameter| parameter.name.as_str()).collect();
    let mut problems = Vec::new();
    for (name, value) in parameters {
        let Some(parameter) = declared.iter().find(|parameter| &parameter.name == name) else {
            let hint = match crate::suggest::closest(name, names.iter().copied(), 1).first() {
                Some(near) => format!(" (did you mean `{near}`?)"),
                None => String::new(),
            };
            problems.push(format!("`{}` has no parameter `{name}`{hint}", item.display_name));
            continue;
        };
        let fits = match parameter.parameter_type.as_str() {
            "Number" => value.trim().parse::<f64>().is_ok_and(f64::is_finite),
            "Integer" => value.trim().parse::<i64>().is_ok(),
            "Boolean" => matches!(value.trim(), "true" | "false"),
            _ => true,
        };
        if !fits {
            problems.push(format!(
                "parameter `{name}` is a {} and `{value}` is not one",
                parameter.parameter_type.to_lowercase()
            ));
        }
    }
    let missing: Vec<String> = declared
        .iter()
        .filter(|parameter| {
            parameter.is_required && !parameters.iter().any(|(name, _)| *name == parameter.name)
        })
        .map(|parameter| format!("`{}`", parameter.name))
        .collect();
    if !missing.is_empty() {
        problems.push(format!(
            "the required parameter(s) {} need a value (`--param NAME=VALUE`), or the run fails",
            missing.join(", ")
        ));
    }
    if problems.is_empty() {
        return Ok(());
    }
    let known = if names.is_empty() {
        "it declares none".to_owned()
    } else {
        format!(
            "its parameters are {}",
            names.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ")
        )
    };
    Err(FabricError::Config(format!("{}; {known}", problems.join("; "))))
}

/// The `executionData` of a refresh: `ApplyChangesIfNeeded` (or `SkipApplyChanges`), and the public
/// parameters as `{parameterName, type: "Automatic", value}` with numbers and booleans typed.
pub fn execution_data(skip_publish: bool, parameters: &[(String, String)]) -> Value {
    let option = if skip_publish { "SkipApplyChanges" } else { "ApplyChangesIfNeeded" };
    let mut data = json!({ "executeOption": option });
    if !parameters.is_empty() {
        data["parameters"] = parameters
            .iter()
            .map(|(name, value)| json!({ "parameterName": name, "type": "Automatic", "value": typed(value) }))
            .collect();
    }
    data
}

/// A parameter value from the command line: `true`/`false`, a number, else text.
fn typed(value: &str) -> Value {
    match value {
        "true" => Value::Bool(true),
        "false" => Value::Bool(false),
        _ => value
            .parse::<i64>()
            .map(Value::from)
            .or_else(|_| value.parse::<f64>().ok().filter(|f| f.is_finite()).map(Value::from).ok_or(()))
            .unwrap_or_else(|()| Value::String(value.to_owned())),
    }
}

/// Starts a publish or a refresh of a remote item.
pub fn start_job(
    connection: &Connection,
    item: &Item,
    job: JobType,
    execution_data: Option<Value>,
) -> Result<StartedJob, FabricError> {
    connection.client.run_job(&connection.workspace, &item.id, job, execution_data)
}

/// The job of an item: the one with this id, else the newest.
pub fn job_status(
    connection: &Connection,
    item: &Item,
    job: Option<&str>,
) -> Result<Option<JobInstance>, FabricError> {
    match job {
        Some(id) => connection.client.job(&connection.workspace, &item.id, id).map(Some),
        None => Ok(connection.client.jobs(&connection.workspace, &item.id)?.into_iter().next()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refresh_parameters_are_typed() {
        let data = execution_data(
            false,
            &[
                ("Region".into(), "EMEA".into()),
                ("Limit".into(), "25".into()),
                ("Rate".into(), "0.5".into()),
                ("On".into(), "true".into()),
            ],
        );
        assert_eq!(
            data,
            json!({"executeOption": "ApplyChangesIfNeeded", "parameters": [
                {"parameterName": "Region", "type": "Automatic", "value": "EMEA"},
                {"parameterName": "Limit", "type": "Automatic", "value": 25},
                {"parameterName": "Rate", "type": "Automatic", "value": 0.5},
                {"parameterName": "On", "type": "Automatic", "value": true}]})
        );
        assert_eq!(execution_data(true, &[]), json!({"executeOption": "SkipApplyChanges"}));
    }

    #[test]
    fn local_items_are_named_by_their_platform_file() {
        let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/Sales Orders.Dataflow");
        let item = read_local(&example).unwrap();
        assert_eq!(item.display_name, "Sales Orders");
        assert!(item.definition.parts.iter().any(|p| p.path == "mashup.pq"));
        let (_, errors) = check(&item);
        assert_eq!(errors, 0);
        assert_eq!(safe_folder_name("a/b:c"), "a_b_c");
    }
}
