//! The item-management operations that the command line (`dfls ls`, `dfls parameters`, `dfls schedule ...`)
//! and the language server (`dfls.list`, `dfls.parameters`, `dfls.schedule`) share: one code path from the
//! options to the calls and on to the JSON answer, so that an editor and a script see the same results and
//! the same errors. Printing for people stays with each edge.
//!
//! A schedule's options arrive as a [`Timing`] (the command line's flags, or the editor's JSON object with
//! the same names in camelCase), become a [`Schedule`] with Fabric's limits checked before any call, and a
//! [`ScheduleChange`] is applied to an item by [`change_schedule`].

use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde_json::{json, Value};

use super::client::DataflowParameter;
use super::schedule::{self, Recurrence, Schedule};
use super::target::{Api, Target};
use super::{deploy, Connection, FabricError, Item, JobInstance};
use crate::definition::{folder, parts, schedules};

/// Whether the target is an embedded local Fabric to which nothing was pushed yet (it has no state): a
/// command that only looks must not create it (a `.dfls/` folder left behind by a mistyped name).
pub fn nothing_pushed(target: &Target) -> bool {
    match &target.api {
        Api::Embedded(dir) => !dir.join(crate::emulator::STORE_FILE).is_file(),
        Api::Url(_) => false,
    }
}

/// What `dfls ls` says of an embedded local Fabric that nothing was pushed to.
pub const NOTHING_LISTED: &str =
    "no Dataflows: nothing was pushed to the local Fabric here yet (`dfls push ITEM` first)";

/// Why a command about the item `named` finds nothing in an embedded local Fabric that nothing was pushed to.
pub fn nothing_pushed_error(named: &str) -> FabricError {
    FabricError::Config(format!(
        "there is no Dataflow `{named}`: nothing was pushed to the local Fabric here yet (`dfls push ITEM` first)"
    ))
}

/// A job instance as JSON, as `--output json` prints it.
pub fn job_json(job: &JobInstance) -> Value {
    json!({
        "id": job.id,
        "jobType": job.job_type,
        "invokeType": job.invoke_type,
        "status": job.status,
        "startTimeUtc": job.start_time_utc,
        "endTimeUtc": job.end_time_utc,
        "duration": job.run_time().map(|d| d.as_secs_f64()),
        "failureReason": job.failure_reason,
    })
}

/// A timestamp of a job as the API sent it, for a table: `-` when there is none; control characters (a
/// terminal's escape sequences) shown as `?` and more than 40 characters cut, since a server can send
/// anything there.
pub fn shown_time(text: Option<&str>) -> String {
    let Some(text) = text else { return "-".to_owned() };
    let mut shown: String = text.chars().take(40).map(|c| if c.is_control() { '?' } else { c }).collect();
    if text.chars().nth(40).is_some() {
        shown.push('…');
    }
    shown
}

/// A Dataflow of the workspace with its newest job.
pub type Listed = (Item, Option<JobInstance>);

/// The workspace's Dataflows, each with its newest job.
pub fn list(connection: &Connection) -> Result<Vec<Listed>, FabricError> {
    let dataflows = connection.client.dataflows(&connection.workspace)?;
    let mut rows = Vec::new();
    for dataflow in dataflows {
        let newest = connection.client.jobs(&connection.workspace, &dataflow.id)?.into_iter().next();
        rows.push((dataflow, newest));
    }
    Ok(rows)
}

/// `{"dataflows": [{displayName, id, description, newestJob, localFolder}]}`; `folder_of` names the local
/// item folder of a display name, if the repository has one.
pub fn list_json(rows: &[Listed], folder_of: impl Fn(&str) -> Option<String>) -> Value {
    let items: Vec<Value> = rows
        .iter()
        .map(|(item, job)| {
            json!({
                "displayName": item.display_name,
                "id": item.id,
                "description": item.description,
                "newestJob": job.as_ref().map(job_json),
                "localFolder": folder_of(&item.display_name),
            })
        })
        .collect();
    json!({ "dataflows": items })
}

/// The public parameters of the Dataflow `named` names (a local item folder or a display name); `None` when
/// it does not use public parameters.
pub fn parameters(
    connection: &Connection,
    named: &str,
) -> Result<(Item, Option<Vec<DataflowParameter>>), FabricError> {
    let item = deploy::resolve(connection, named)?;
    let parameters = connection.client.dataflow_parameters(&connection.workspace, &item.id)?;
    Ok((item, parameters))
}

/// `{displayName, id, parameters: [{name, type, isRequired, description, defaultValue}] | null}`.
pub fn parameters_json(item: &Item, parameters: Option<&[DataflowParameter]>) -> Value {
    let list = parameters.map(|list| {
        list.iter()
            .map(|p| {
                json!({"name": p.name, "type": p.parameter_type, "isRequired": p.is_required,
                       "description": p.description, "defaultValue": p.default_value})
            })
            .collect::<Vec<_>>()
    });
    json!({"displayName": item.display_name, "id": item.id, "parameters": list})
}

/// The job a schedule runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ScheduleJob {
    /// The Execute job.
    #[default]
    Refresh,
    /// The ApplyChanges job.
    Publish,
}

impl ScheduleJob {
    pub fn api_name(self) -> &'static str {
        match self {
            ScheduleJob::Refresh => "Execute",
            ScheduleJob::Publish => "ApplyChanges",
        }
    }

    /// `refresh` or `publish`, as `--job` takes them.
    pub fn from_word(word: &str) -> Result<ScheduleJob, String> {
        match word {
            "refresh" => Ok(ScheduleJob::Refresh),
            "publish" => Ok(ScheduleJob::Publish),
            other => Err(format!("the job of a schedule is `refresh` or `publish`, not `{other}`")),
        }
    }
}

/// When a schedule runs, as `dfls schedule add` takes it: the command line's flags, or the editor's JSON
/// object (`{"daily": "08:00", "timeZone": "Europe/Paris"}`).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Timing {
    /// Every so many minutes (Cron).
    pub every: Option<u32>,
    /// Daily at these times (`hh:mm[,hh:mm...]`).
    pub daily: Option<String>,
    /// Weekly on these days (`monday[,friday...]`), at `at`.
    pub weekly: Option<String>,
    /// Monthly on a day of the month (`15`) or an ordinal weekday (`first-monday`), at `at`.
    pub monthly: Option<String>,
    /// The times of `weekly` and `monthly`.
    pub at: Option<String>,
    /// With `monthly`: every N months (1 to 12; default 1).
    pub every_months: Option<u32>,
    /// When the schedule starts (default: now).
    pub start: Option<String>,
    /// When it ends (default: a year after it starts).
    pub end: Option<String>,
    /// A Windows time-zone id or an IANA name (default UTC).
    pub time_zone: Option<String>,
    /// Create it turned off.
    #[serde(default)]
    pub disabled: bool,
}

impl Timing {
    /// The schedule the options describe, checked with Fabric's limits, or why it cannot be. `now` is the
    /// default start.
    pub fn schedule(&self, now: jiff::Timestamp) -> Result<Schedule, String> {
        let kinds = [
            self.every.map(|_| "--every"),
            self.daily.as_ref().map(|_| "--daily"),
            self.weekly.as_ref().map(|_| "--weekly"),
            self.monthly.as_ref().map(|_| "--monthly"),
        ];
        let given: Vec<&str> = kinds.into_iter().flatten().collect();
        if given.len() > 1 {
            return Err(format!("say when one way: {} cannot go together", given.join(" and ")));
        }
        if self.at.is_some() && self.weekly.is_none() && self.monthly.is_none() {
            return Err("--at gives the times of --weekly or --monthly".to_owned());
        }
        if self.every_months.is_some() && self.monthly.is_none() {
            return Err("--every-months goes with --monthly".to_owned());
        }
        let at = || match &self.at {
            Some(at) => schedule::times(at),
            None => Err("--weekly and --monthly need --at TIMES (hh:mm[,hh:mm...])".to_owned()),
        };
        let recurrence = match (&self.every, &self.daily, &self.weekly, &self.monthly) {
            (Some(minutes), ..) => schedule::every(*minutes)?,
            (_, Some(times), ..) => Recurrence::Daily { times: schedule::times(times)? },
            (_, _, Some(days), _) => Recurrence::Weekly { days: schedule::weekdays(days)?, times: at()? },
            (_, _, _, Some(day)) => {
                let months = self.every_months.unwrap_or(1);
                if !(1..=12).contains(&months) {
                    return Err(format!("--every-months takes 1 to 12, not {months}"));
                }
                Recurrence::Monthly { occurrence: schedule::monthly(day)?, times: at()?, months }
            }
            _ => return Err("say when: --every, --daily, --weekly or --monthly".to_owned()),
        };
        let start = match &self.start {
            Some(start) => schedule::utc(start)?,
            None => schedule::default_window(now).0,
        };
        let end = match &self.end {
            Some(end) => schedule::utc(end)?,
            None => schedule::default_window(super::time::instant(&start).unwrap_or(now)).1,
        };
        let schedule = Schedule {
            recurrence,
            start,
            end,
            time_zone: schedule::time_zone(self.time_zone.as_deref().unwrap_or("UTC"))?,
            enabled: !self.disabled,
        };
        // Fabric's rules, the very ones its endpoints and `dfls check` apply, on what would be sent.
        let violations = schedules::check_configuration(&schedule.request()["configuration"]);
        match violations.into_iter().next() {
            Some(violation) => Err(violation.message),
            None => Ok(schedule),
        }
    }
}

/// What a schedule command changes.
#[derive(Debug, Clone)]
pub enum ScheduleChange {
    /// Create a schedule (no id) or replace one's timing (an id).
    Put(Schedule),
    Remove,
    Enabled(bool),
}

/// The schedules of an item's job, and the `.schedules` written when `to_folder`.
pub struct Listing {
    pub item: Item,
    pub schedules: Vec<Value>,
    pub written: Option<PathBuf>,
}

/// Lists the schedules of the job of the Dataflow `named` names; with `to_folder`, writes the item folder's
/// `.schedules` as Fabric has them.
pub fn list_schedules(
    connection: &Connection,
    named: &str,
    job: ScheduleJob,
    to_folder: bool,
) -> Result<Listing, FabricError> {
    let dir = if to_folder { Some(folder_for_schedules(named)?) } else { None };
    let item = deploy::resolve(connection, named)?;
    let schedules = connection.client.schedules(&connection.workspace, &item.id, job.api_name())?;
    let written = match dir {
        Some(dir) => Some(write_schedules(connection, &item, &dir)?),
        None => None,
    };
    Ok(Listing { item, schedules, written })
}

/// `{displayName, id, jobType, schedules}`: Fabric's `ItemSchedule` objects as they are.
pub fn schedules_json(item: &Item, job: ScheduleJob, schedules: &[Value]) -> Value {
    json!({"displayName": item.display_name, "id": item.id, "jobType": job.api_name(), "schedules": schedules})
}

/// A changed schedule: Fabric's answer (`None` for a removal), and the `.schedules` written when asked.
pub struct Changed {
    pub item: Item,
    pub schedule: Option<Value>,
    pub written: Option<PathBuf>,
}

/// Applies a change to a schedule (`id`; none to create one) of the job of the Dataflow `named` names; with
/// `to_folder`, writes the item folder's `.schedules` as Fabric has the schedules after the change (the
/// folder is checked before anything changes).
pub fn change_schedule(
    connection: &Connection,
    named: &str,
    job: ScheduleJob,
    id: Option<&str>,
    change: &ScheduleChange,
    to_folder: bool,
) -> Result<Changed, FabricError> {
    // Fabric's schedule ids are GUIDs; anything else would be sent as a path of the API (`../..`).
    if let Some(id) = id.filter(|id| !crate::definition::guid::is_guid(id)) {
        return Err(FabricError::Config(format!(
            "`{id}` is not a schedule id (a GUID, as `dfls schedule list` shows them)"
        )));
    }
    let dir = if to_folder { Some(folder_for_schedules(named)?) } else { None };
    let job_name = job.api_name();
    let item = deploy::resolve(connection, named)?;
    let (client, workspace) = (&connection.client, &connection.workspace);
    let schedule = match (change, id) {
        (ScheduleChange::Put(schedule), None) => {
            // Fabric's limit is for the item, its refresh and publish schedules together.
            let mut existing = 0;
            for kind in [ScheduleJob::Refresh, ScheduleJob::Publish] {
                existing += client.schedules(workspace, &item.id, kind.api_name())?.len();
            }
            if existing >= schedules::MAX_SCHEDULES {
                return Err(FabricError::Config(format!(
                    "`{}` has {existing} schedules, the most Fabric keeps ({}; it would answer \
                     ScheduleExceedsLimit): remove one first",
                    item.display_name,
                    schedules::MAX_SCHEDULES
                )));
            }
            Some(client.create_schedule(workspace, &item.id, job_name, &schedule.request())?)
        }
        (ScheduleChange::Put(schedule), Some(id)) => {
            Some(client.update_schedule(workspace, &item.id, job_name, id, &schedule.request())?)
        }
        (ScheduleChange::Remove, Some(id)) => {
            client.delete_schedule(workspace, &item.id, job_name, id)?;
            None
        }
        (ScheduleChange::Enabled(enabled), Some(id)) => {
            let current = client.schedule(workspace, &item.id, job_name, id)?;
            let request = json!({"enabled": enabled, "configuration": current["configuration"]});
            Some(client.update_schedule(workspace, &item.id, job_name, id, &request)?)
        }
        (_, None) => return Err(FabricError::Config("a schedule id is needed".to_owned())),
    };
    let written = match dir {
        Some(dir) => Some(write_schedules(connection, &item, &dir)?),
        None => None,
    };
    Ok(Changed { item, schedule, written })
}

/// `{displayName, id, jobType, schedule, removed}`: Fabric's answer, or the id of the removed schedule.
pub fn changed_json(changed: &Changed, job: ScheduleJob, id: Option<&str>) -> Value {
    let removed = changed.schedule.is_none().then_some(id).flatten();
    json!({"displayName": changed.item.display_name, "id": changed.item.id, "jobType": job.api_name(),
           "schedule": changed.schedule, "removed": removed})
}

/// One schedule in words: `ID  on|off  daily at 08:00 (UTC), from ... to ..., next run ...`, its times in
/// the user's time zone (the system's; `TZ` decides) with its abbreviation, and in the schedule's own zone
/// too where that reads differently.
pub fn schedule_line(schedule: &Value) -> String {
    let configuration = &schedule["configuration"];
    let local = jiff::tz::TimeZone::system();
    let own = configuration["localTimeZoneId"].as_str().and_then(schedules::time_zone);
    let shown = |instant: jiff::Timestamp| {
        let here = instant.to_zoned_datetime(local.clone()).strftime("%Y-%m-%d %H:%M %Z").to_string();
        match &own {
            Some(zone) => {
                let there = instant.to_zoned_datetime(zone.clone()).strftime("%Y-%m-%d %H:%M %Z").to_string();
                if there == here {
                    here
                } else {
                    format!("{here} ({there} in the schedule's zone)")
                }
            }
            None => here,
        }
    };
    let time = |name: &str| match configuration[name].as_str().and_then(schedules::utc_instant) {
        Some(instant) => shown(instant),
        None => shown_time(configuration[name].as_str()),
    };
    let enabled = schedule["enabled"] == true;
    let next = if enabled {
        let zone = configuration["localTimeZoneId"].as_str().unwrap_or("UTC");
        match schedules::next_run(configuration, zone, jiff::Timestamp::now()) {
            Some(next) => format!(", next run {}", shown(next)),
            None => ", no more runs".to_owned(),
        }
    } else {
        String::new()
    };
    format!(
        "{}  {:<3}  {}, from {} to {}{next}",
        shown_time(schedule["id"].as_str()),
        if enabled { "on" } else { "off" },
        schedule::describe(configuration),
        time("startDateTime"),
        time("endDateTime"),
    )
}

/// The `$schema` of a `.schedules` part.
const SCHEDULES_SCHEMA: &str =
    "https://developer.microsoft.com/json-schemas/fabric/gitIntegration/schedules/1.0.0/schema.json";

/// The item folder `named` names, for writing its `.schedules`.
fn folder_for_schedules(named: &str) -> Result<PathBuf, FabricError> {
    folder::named_folder(Path::new(named)).ok_or_else(|| {
        FabricError::Config(format!("--to-folder needs ITEM to be the item folder, and `{named}` is not one"))
    })
}

/// Writes the item folder's `.schedules` as Fabric has the item's schedules now (refresh, then publish),
/// atomically; returns its path.
fn write_schedules(connection: &Connection, item: &Item, dir: &Path) -> Result<PathBuf, FabricError> {
    let mut schedules = Vec::new();
    for job in [ScheduleJob::Refresh, ScheduleJob::Publish] {
        for schedule in connection.client.schedules(&connection.workspace, &item.id, job.api_name())? {
            schedules.push(json!({
                "enabled": schedule["enabled"],
                "jobType": job.api_name(),
                "configuration": schedule["configuration"],
            }));
        }
    }
    let mut text =
        serde_json::to_string_pretty(&json!({"$schema": SCHEDULES_SCHEMA, "schedules": schedules}))
            .unwrap_or_default();
    text.push('\n');
    let path = dir.join(parts::SCHEDULES);
    folder::write_atomically(&path, text.as_bytes())
        .map_err(|error| FabricError::Io(format!("cannot write {}: {error}", path.display())))?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> jiff::Timestamp {
        "2026-03-01T10:00:00Z".parse().unwrap()
    }

    #[test]
    fn a_timing_from_an_editor_is_the_command_lines() {
        let timing: Timing =
            serde_json::from_value(json!({"daily": "17:30,8:00", "timeZone": "Europe/Paris"})).unwrap();
        let schedule = timing.schedule(now()).unwrap();
        assert_eq!(schedule.recurrence, Recurrence::Daily { times: vec!["08:00".into(), "17:30".into()] });
        assert_eq!(schedule.time_zone, "Romance Standard Time");
        assert_eq!(schedule.start, "2026-03-01T10:00:00Z");
        assert_eq!(schedule.end, "2027-03-01T10:00:00Z");
        assert!(schedule.enabled);
        let monthly: Timing =
            serde_json::from_value(json!({"monthly": "first-monday", "at": "06:00", "everyMonths": 2}))
                .unwrap();
        assert!(matches!(monthly.schedule(now()).unwrap().recurrence, Recurrence::Monthly { months: 2, .. }));
        assert!(serde_json::from_value::<Timing>(json!({"dialy": "08:00"})).is_err(), "a misspelt option");
    }

    #[test]
    fn timings_that_cannot_be_say_why() {
        let error =
            |value: Value| serde_json::from_value::<Timing>(value).unwrap().schedule(now()).unwrap_err();
        assert_eq!(error(json!({})), "say when: --every, --daily, --weekly or --monthly");
        assert!(error(json!({"every": 30, "daily": "08:00"})).contains("--every and --daily"));
        assert!(error(json!({"weekly": "monday"})).contains("need --at"));
        assert!(error(json!({"daily": "08:00", "at": "09:00"})).contains("--at gives"));
        assert!(error(json!({"daily": "08:00", "everyMonths": 2})).contains("--every-months goes"));
        assert!(error(json!({"monthly": "15", "at": "06:00", "everyMonths": 13})).contains("1 to 12"));
        assert!(error(json!({"every": 0})).contains("--every takes"));
        assert!(error(json!({"daily": "08:00", "timeZone": "Mars/Olympus"})).contains("not a time zone"));
        assert!(
            error(json!({"daily": "08:00", "start": "2027-01-01", "end": "2026-01-01"})).contains("before")
        );
        assert_eq!(ScheduleJob::from_word("publish"), Ok(ScheduleJob::Publish));
        assert!(ScheduleJob::from_word("execute").is_err());
    }
}
