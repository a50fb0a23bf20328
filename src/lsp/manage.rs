//! `dfls.list`, `dfls.parameters` and `dfls.schedule` through `workspace/executeCommand`, on the code path of
//! `dfls ls`, `dfls parameters` and `dfls schedule` ([`crate::fabric::manage`]): the same calls, the same JSON
//! answer (what `--output json` prints) and the same error sentences, Fabric's error code included. Each answer
//! also has a `message`: the result in lines of text, for an editor that shows it as it is; a schedule list has
//! `summaries` (each schedule in words) and `nextRuns` (when each fires next, UTC, `null` when disabled).
//!
//! Arguments: `[uri]` or `[uri, options]`. The file names the item (its item folder) and where `dfls.toml` is
//! found from; `"item": NAME` names a remote Dataflow by its display name instead; `"target": NAME` a target.
//! Without a URI (`[options]` or nothing, as Helix's `:lsp-workspace-command` sends), `dfls.toml` is found from
//! the first workspace folder and `item` names the Dataflow; `"show": true` (the default without arguments)
//! also sends the answer as `window/showMessage`, for an editor that shows nothing of an answer.
//! `dfls.schedule` takes `"action"`: `list` (the default), `add`, `set`, `remove`, `enable` or `disable`;
//! `"id"` (all but `list` and `add`); `"job"`: `refresh` (default) or `publish`; `"toFolder": true`; and for
//! `add` and `set` the timing of `dfls schedule add` in camelCase: `every`, `daily`, `weekly`, `monthly`,
//! `at`, `everyMonths`, `start`, `end`, `timeZone`, `disabled`.
//!
//! They run on the command's thread ([`super::commands`]), never on the protocol loop. A schedule command
//! refreshes the item's "Next refresh" lens ([`super::next_refresh`]).

use std::path::Path;

use serde_json::{json, Map, Value};

use super::commands::{CommandOptions, Context, Refusal};
use super::next_refresh::next_run;
use crate::fabric::http::Policy;
use crate::fabric::manage::{self, ScheduleChange, ScheduleJob, Timing};
use crate::fabric::{self, schedule, Connection, FabricError};

/// The commands of this module.
pub const COMMANDS: [&str; 3] = ["dfls.list", "dfls.parameters", "dfls.schedule"];

/// The keys of `dfls.schedule`'s options that are not its timing.
const SCHEDULE_KEYS: [&str; 6] = ["action", "id", "job", "toFolder", "target", "item"];

/// Runs one of [`COMMANDS`].
pub(super) fn run(context: &Context, command: &str, options: &CommandOptions) -> Result<Value, Refusal> {
    let target = context.target(options.target.clone())?;
    let target_name = target.name.clone();
    let empty_local = manage::nothing_pushed(&target);
    let named = options.item.clone().unwrap_or_else(|| context.folder.to_string_lossy().into_owned());
    if command != "dfls.list" && options.item.is_none() && !is_item_folder(&context.folder) {
        return Err(format!(
            "{command} needs a file of an item folder, or the Dataflow's name: {{\"item\": NAME}}"
        )
        .into());
    }
    if empty_local {
        if command == "dfls.list" {
            let message = manage::NOTHING_LISTED;
            return Ok(json!({"dataflows": [], "message": message, "target": target_name}));
        }
        return Err(manage::nothing_pushed_error(&named).into());
    }
    // A schedule's options are checked before any connection, as on the command line.
    let schedule = match command {
        "dfls.schedule" => Some(ScheduleCommand::of(&options.all)?),
        _ => None,
    };
    let connection = fabric::connect(target, Policy::from_env()?)?;
    let mut answer = match (command, schedule) {
        ("dfls.list", _) => list(context, &connection)?,
        ("dfls.parameters", _) => parameters(&connection, &named)?,
        (_, Some(schedule)) => schedule.run(context, &connection, &named)?,
        _ => return Err(format!("dfls runs no command `{command}`").into()),
    };
    answer["target"] = json!(target_name);
    Ok(answer)
}

/// Whether a folder is a Dataflow item's (the command had a file of one, not just the workspace folder).
fn is_item_folder(folder: &Path) -> bool {
    let name = folder.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let entries: Vec<String> = std::fs::read_dir(folder)
        .map(|dir| dir.flatten().map(|e| e.file_name().to_string_lossy().into_owned()).collect())
        .unwrap_or_default();
    crate::definition::discover::is_item_folder(&name, entries.iter().map(String::as_str))
}

fn list(context: &Context, connection: &Connection) -> Result<Value, FabricError> {
    let rows = manage::list(connection)?;
    let root = fabric::Config::load(&context.folder)?.root;
    let local = local_items(&root);
    let folder_of = |name: &str| local.iter().find(|(local, _)| local == name).map(|(_, dir)| dir.clone());
    let mut answer = manage::list_json(&rows, folder_of);
    let lines: Vec<String> = rows
        .iter()
        .map(|(item, job)| match job {
            Some(job) => format!("{}  ({} {})", item.display_name, job.job_type, job.status),
            None => format!("{}  (no job yet)", item.display_name),
        })
        .collect();
    answer["message"] =
        json!(if lines.is_empty() { "no Dataflows in this workspace".to_owned() } else { lines.join("\n") });
    Ok(answer)
}

/// The display names and folders of the item folders under the repository root (those with a `mashup.pq`).
fn local_items(root: &Path) -> Vec<(String, String)> {
    super::symbol_index::m_files_under(&[root.to_owned()])
        .into_iter()
        .filter(|file| file.file_name().is_some_and(|name| name == crate::definition::parts::MASHUP))
        .filter_map(|file| file.parent().map(Path::to_owned))
        .map(|dir| (fabric::deploy::local_display_name(&dir), dir.to_string_lossy().into_owned()))
        .collect()
}

fn parameters(connection: &Connection, named: &str) -> Result<Value, FabricError> {
    let (item, parameters) = manage::parameters(connection, named)?;
    let mut answer = manage::parameters_json(&item, parameters.as_deref());
    let message = match &parameters {
        None => format!(
            "`{}` does not use public parameters (`\"parametric\": true` in queryMetadata.json turns them on)",
            item.display_name
        ),
        Some(list) if list.is_empty() => format!("`{}` declares no public parameter", item.display_name),
        Some(list) => list
            .iter()
            .map(|p| {
                let default = p.default_value.as_ref().map_or_else(|| "-".to_owned(), Value::to_string);
                let required = if p.is_required { "required" } else { "optional" };
                format!("{}: {}, {required}, default {default}", p.name, p.parameter_type)
            })
            .collect::<Vec<_>>()
            .join("\n"),
    };
    answer["message"] = json!(message);
    Ok(answer)
}

/// A `dfls.schedule` command, its options read and checked.
struct ScheduleCommand {
    job: ScheduleJob,
    id: Option<String>,
    to_folder: bool,
    /// `None`: list.
    change: Option<ScheduleChange>,
}

impl ScheduleCommand {
    fn of(options: &Value) -> Result<ScheduleCommand, String> {
        let text = |key: &str| -> Result<Option<String>, String> {
            match options.get(key) {
                None | Some(Value::Null) => Ok(None),
                Some(Value::String(text)) => Ok(Some(text.clone())),
                Some(other) => Err(format!("the schedule option `{key}` is a string, not {other}")),
            }
        };
        let action = text("action")?.unwrap_or_else(|| "list".to_owned());
        let job = ScheduleJob::from_word(text("job")?.as_deref().unwrap_or("refresh"))?;
        let id = text("id")?;
        let to_folder = options.get("toFolder").and_then(Value::as_bool).unwrap_or(false);
        let timing = || -> Result<ScheduleChange, String> {
            let mut rest: Map<String, Value> = options.as_object().cloned().unwrap_or_default();
            rest.retain(|key, _| !SCHEDULE_KEYS.contains(&key.as_str()));
            let timing: Timing = serde_json::from_value(Value::Object(rest))
                .map_err(|error| format!("the schedule's options: {error}"))?;
            Ok(ScheduleChange::Put(timing.schedule(jiff::Timestamp::now())?))
        };
        let change = match action.as_str() {
            "list" => None,
            "add" => Some(timing()?),
            "set" => Some(timing()?),
            "remove" => Some(ScheduleChange::Remove),
            "enable" => Some(ScheduleChange::Enabled(true)),
            "disable" => Some(ScheduleChange::Enabled(false)),
            other => {
                return Err(format!(
                    "`{other}` is not a schedule action: list, add, set, remove, enable or disable"
                ))
            }
        };
        let needs_id = !matches!(action.as_str(), "list" | "add");
        if needs_id && id.is_none() {
            return Err(format!("`{action}` needs the schedule's `id` (the list shows them)"));
        }
        if !needs_id && id.is_some() {
            return Err(format!("`{action}` takes no schedule `id`"));
        }
        Ok(ScheduleCommand { job, id, to_folder, change })
    }

    fn run(self, context: &Context, connection: &Connection, named: &str) -> Result<Value, FabricError> {
        let lenses = &context.shared.next_refresh;
        let Some(change) = self.change else {
            let listing = manage::list_schedules(connection, named, self.job, self.to_folder)?;
            if self.job == ScheduleJob::Refresh && named == context.folder.to_string_lossy() {
                lenses.store(&context.folder, Some(listing.schedules.clone()));
                context.refresh_lenses();
            }
            let mut answer = manage::schedules_json(&listing.item, self.job, &listing.schedules);
            // For editors that list them: each schedule in words, and when it fires next (UTC).
            let now = jiff::Timestamp::now();
            let summaries: Vec<String> =
                listing.schedules.iter().map(|s| schedule::describe(&s["configuration"])).collect();
            let next_runs: Vec<Option<String>> = listing
                .schedules
                .iter()
                .map(|s| next_run(s, now).map(|t| t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()))
                .collect();
            answer["summaries"] = json!(summaries);
            answer["nextRuns"] = json!(next_runs);
            let lines: Vec<String> = listing.schedules.iter().map(manage::schedule_line).collect();
            answer["message"] = json!(if lines.is_empty() {
                format!("`{}` has no {} schedule", listing.item.display_name, self.job.api_name())
            } else {
                lines.join("\n")
            });
            answer["written"] = json!(listing.written.map(|path| path.to_string_lossy().into_owned()));
            return Ok(answer);
        };
        let id = self.id.as_deref();
        let changed = manage::change_schedule(connection, named, self.job, id, &change, self.to_folder);
        // Whatever happened, what the lens shows may be out of date now.
        lenses.forget(&context.folder);
        context.refresh_lenses();
        let changed = changed?;
        let mut answer = manage::changed_json(&changed, self.job, id);
        answer["message"] = json!(match &changed.schedule {
            Some(schedule) => format!("`{}`: {}", changed.item.display_name, manage::schedule_line(schedule)),
            None => format!("`{}`: removed schedule {}", changed.item.display_name, id.unwrap_or("?")),
        });
        answer["written"] = json!(changed.written.map(|path| path.to_string_lossy().into_owned()));
        Ok(answer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schedule_options_are_checked_before_any_call() {
        let of = |value: Value| ScheduleCommand::of(&value);
        let list = of(json!({})).unwrap();
        assert!(list.change.is_none() && list.job == ScheduleJob::Refresh);
        let add = of(json!({"action": "add", "every": 30, "job": "publish", "target": "dev"})).unwrap();
        assert!(matches!(add.change, Some(ScheduleChange::Put(_))) && add.job == ScheduleJob::Publish);
        assert!(of(json!({"action": "remove"})).err().unwrap().contains("needs the schedule's `id`"));
        assert!(of(json!({"action": "add", "id": "x", "every": 5})).err().unwrap().contains("takes no"));
        assert!(of(json!({"action": "pause", "id": "x"})).err().unwrap().contains("not a schedule action"));
        assert!(of(json!({"action": "add", "every": 0})).err().unwrap().contains("--every takes 1 to"));
        assert!(of(json!({"action": "add", "daily": "8"})).err().unwrap().contains("not a time of day"));
        assert!(of(json!({"action": "add", "dialy": "08:00"}))
            .err()
            .unwrap()
            .contains("unknown field `dialy`"));
        assert!(of(json!({"action": "enable", "id": 3})).err().unwrap().contains("is a string"));
    }
}
