//! `dfls schedule list|add|set|remove|enable|disable ITEM ...`: the schedules of a Dataflow's refresh
//! (Execute) job, or of its publish (ApplyChanges) job with `--job publish`, through Fabric's Job Scheduler.
//! Everything is validated with Fabric's limits before any call ([`crate::fabric::schedule`]).

use clap::{Args, Subcommand, ValueEnum};
use serde_json::{json, Value};

use super::exit;
use super::remote::{self, Output, TargetArgs};
use crate::definition::schedules;
use crate::fabric::schedule::{self, Recurrence, Schedule};
use crate::fabric::{deploy, FabricError};

#[derive(Debug, Args)]
pub(super) struct ScheduleArgs {
    #[command(subcommand)]
    command: ScheduleCommand,
}

#[derive(Debug, Subcommand)]
enum ScheduleCommand {
    /// List the schedules (`--output json`: Fabric's ItemSchedule objects).
    List(Common),
    /// Add a schedule.
    Add(Add),
    /// Replace a schedule's timing (the same options as add).
    Set(Set),
    /// Remove a schedule.
    Remove(Named),
    /// Turn a schedule on.
    Enable(Named),
    /// Turn a schedule off.
    Disable(Named),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Job {
    /// The Execute job.
    Refresh,
    /// The ApplyChanges job.
    Publish,
}

impl Job {
    fn api_name(self) -> &'static str {
        match self {
            Job::Refresh => "Execute",
            Job::Publish => "ApplyChanges",
        }
    }
}

#[derive(Debug, Args)]
struct Common {
    /// A local item folder (or a file of one), or the display name of a remote Dataflow.
    #[arg(value_name = "ITEM")]
    item: String,
    /// The job the schedule runs.
    #[arg(long, value_enum, default_value_t = Job::Refresh)]
    job: Job,
    /// Also write the item folder's `.schedules` (what Git integration keeps) as Fabric has the schedules after
    /// the change; ITEM must be the folder.
    #[arg(long)]
    to_folder: bool,
    #[command(flatten)]
    target: TargetArgs,
}

#[derive(Debug, Args)]
struct Named {
    #[command(flatten)]
    common: Common,
    /// The schedule's id (`dfls schedule list` shows them).
    #[arg(value_name = "ID")]
    id: String,
}

#[derive(Debug, Args)]
struct Timing {
    /// Every MINUTES minutes (Cron).
    #[arg(long, value_name = "MINUTES", conflicts_with_all = ["daily", "weekly", "monthly"])]
    every: Option<u32>,
    /// Daily at these times (hh:mm[,hh:mm...]).
    #[arg(long, value_name = "TIMES", conflicts_with_all = ["weekly", "monthly"])]
    daily: Option<String>,
    /// Weekly on these days (monday[,friday...]), at --at.
    #[arg(long, value_name = "DAYS", requires = "at", conflicts_with = "monthly")]
    weekly: Option<String>,
    /// Monthly on a day of the month (15) or an ordinal weekday (first-monday), at --at.
    #[arg(long, value_name = "DAY", requires = "at")]
    monthly: Option<String>,
    /// The times of --weekly and --monthly (hh:mm[,hh:mm...]).
    #[arg(long, value_name = "TIMES")]
    at: Option<String>,
    /// With --monthly: every N months (1 to 12).
    #[arg(long, value_name = "N", default_value_t = 1, requires = "monthly")]
    every_months: u32,
    /// When the schedule starts (a date, or a date and time; UTC unless it has a zone) [default: now]
    #[arg(long, value_name = "DATETIME")]
    start: Option<String>,
    /// When it ends [default: a year after it starts]
    #[arg(long, value_name = "DATETIME")]
    end: Option<String>,
    /// The time zone of the times: a Windows id (`Central Standard Time`) or an IANA name (`America/Chicago`).
    #[arg(long, value_name = "TZ", default_value = "UTC")]
    time_zone: String,
    /// Create it turned off.
    #[arg(long)]
    disabled: bool,
}

#[derive(Debug, Args)]
struct Add {
    #[command(flatten)]
    common: Common,
    #[command(flatten)]
    timing: Timing,
}

#[derive(Debug, Args)]
struct Set {
    #[command(flatten)]
    common: Common,
    /// The schedule's id.
    #[arg(value_name = "ID")]
    id: String,
    #[command(flatten)]
    timing: Timing,
}

/// The schedule the options describe, or why it cannot be.
fn schedule_of(timing: &Timing) -> Result<Schedule, String> {
    let at = || schedule::times(timing.at.as_deref().unwrap_or(""));
    let recurrence = match (&timing.every, &timing.daily, &timing.weekly, &timing.monthly) {
        (Some(minutes), ..) => schedule::every(*minutes)?,
        (_, Some(times), ..) => Recurrence::Daily { times: schedule::times(times)? },
        (_, _, Some(days), _) => Recurrence::Weekly { days: schedule::weekdays(days)?, times: at()? },
        (_, _, _, Some(day)) => {
            if !(1..=12).contains(&timing.every_months) {
                return Err(format!("--every-months takes 1 to 12, not {}", timing.every_months));
            }
            Recurrence::Monthly {
                occurrence: schedule::monthly(day)?,
                times: at()?,
                months: timing.every_months,
            }
        }
        _ => return Err("say when: --every, --daily, --weekly or --monthly".to_owned()),
    };
    let (default_start, _) = schedule::default_window(jiff::Timestamp::now());
    let start = match &timing.start {
        Some(start) => schedule::utc(start)?,
        None => default_start,
    };
    let end = match &timing.end {
        Some(end) => schedule::utc(end)?,
        None => {
            let start_instant = crate::fabric::time::instant(&start).unwrap_or_else(jiff::Timestamp::now);
            schedule::default_window(start_instant).1
        }
    };
    let schedule = Schedule {
        recurrence,
        start,
        end,
        time_zone: schedule::time_zone(&timing.time_zone)?,
        enabled: !timing.disabled,
    };
    // Fabric's rules, the very ones its endpoints and `dfls check` apply, on what would be sent.
    let violations = schedules::check_configuration(&schedule.request()["configuration"]);
    match violations.into_iter().next() {
        Some(violation) => Err(violation.message),
        None => Ok(schedule),
    }
}

pub(super) fn run(args: ScheduleArgs) -> u8 {
    match args.command {
        ScheduleCommand::List(common) => list(&common),
        ScheduleCommand::Add(add) => match schedule_of(&add.timing) {
            Ok(schedule) => change(&add.common, None, Change::Put(schedule)),
            Err(message) => usage(&message),
        },
        ScheduleCommand::Set(set) => match schedule_of(&set.timing) {
            Ok(schedule) => change(&set.common, Some(&set.id), Change::Put(schedule)),
            Err(message) => usage(&message),
        },
        ScheduleCommand::Remove(named) => change(&named.common, Some(&named.id), Change::Remove),
        ScheduleCommand::Enable(named) => change(&named.common, Some(&named.id), Change::Enabled(true)),
        ScheduleCommand::Disable(named) => change(&named.common, Some(&named.id), Change::Enabled(false)),
    }
}

fn usage(message: &str) -> u8 {
    eprintln!("dfls: error: {message}");
    exit::USAGE
}

fn list(common: &Common) -> u8 {
    let job = common.job.api_name();
    let result = remote::connect_existing(&common.target, &common.item).and_then(|connection| {
        let item = deploy::resolve(&connection, &common.item)?;
        let schedules = connection.client.schedules(&connection.workspace, &item.id, job)?;
        if common.to_folder {
            write_folder(&connection, &item, &common.item)?;
        }
        Ok((schedules, item))
    });
    let (schedules, item) = match result {
        Ok(found) => found,
        Err(error) => return remote::fail(&error),
    };
    if common.target.output == Output::Json {
        println!(
            "{}",
            json!({"displayName": item.display_name, "id": item.id, "jobType": job, "schedules": schedules})
        );
        return exit::SUCCESS;
    }
    if schedules.is_empty() {
        println!("`{}` has no {} schedule", item.display_name, common.job.api_name());
        return exit::SUCCESS;
    }
    for schedule in &schedules {
        println!("{}", line(schedule));
    }
    exit::SUCCESS
}

/// One schedule in words: `ID  on|off  daily at 08:00 (UTC), from ... to ..., next run ...`, its times in
/// the user's time zone (the system's; `TZ` decides) with its abbreviation, and in the schedule's own zone
/// too where that reads differently.
fn line(schedule: &Value) -> String {
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
        None => remote::shown_time(configuration[name].as_str()),
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
        remote::shown_time(schedule["id"].as_str()),
        if enabled { "on" } else { "off" },
        schedule::describe(configuration),
        time("startDateTime"),
        time("endDateTime"),
    )
}

/// The `$schema` of a `.schedules` part.
const SCHEDULES_SCHEMA: &str =
    "https://developer.microsoft.com/json-schemas/fabric/gitIntegration/schedules/1.0.0/schema.json";

/// Writes the item folder's `.schedules` as Fabric has the item's schedules now (refresh, then publish),
/// atomically. ITEM must name a folder, which is checked before any change is made ([`folder_of`]).
fn write_folder(
    connection: &crate::fabric::Connection,
    item: &crate::fabric::Item,
    named: &str,
) -> Result<(), FabricError> {
    let dir = folder_of(named)?;
    let mut schedules = Vec::new();
    for job in [Job::Refresh, Job::Publish] {
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
    let path = dir.join(crate::definition::parts::SCHEDULES);
    crate::definition::folder::write_atomically(&path, text.as_bytes())
        .map_err(|error| FabricError::Io(format!("cannot write {}: {error}", path.display())))?;
    eprintln!("dfls: wrote {}", path.display());
    Ok(())
}

/// The item folder ITEM names, for `--to-folder`.
fn folder_of(named: &str) -> Result<std::path::PathBuf, FabricError> {
    crate::definition::folder::named_folder(std::path::Path::new(named)).ok_or_else(|| {
        FabricError::Config(format!("--to-folder needs ITEM to be the item folder, and `{named}` is not one"))
    })
}

enum Change {
    Put(Schedule),
    Remove,
    Enabled(bool),
}

fn change(common: &Common, id: Option<&str>, change: Change) -> u8 {
    let job = common.job.api_name();
    // Fabric's schedule ids are GUIDs; anything else would be sent as a path of the API (`../..`).
    if let Some(id) = id.filter(|id| !crate::definition::guid::is_guid(id)) {
        return usage(&format!("`{id}` is not a schedule id (a GUID, as `dfls schedule list` shows them)"));
    }
    if common.to_folder {
        if let Err(error) = folder_of(&common.item) {
            return remote::fail(&error);
        }
    }
    let result = remote::connect_existing(&common.target, &common.item).and_then(|connection| {
        let item = deploy::resolve(&connection, &common.item)?;
        let (client, workspace) = (&connection.client, &connection.workspace);
        let answer = match (&change, id) {
            (Change::Put(schedule), None) => {
                // Fabric's limit is for the item, its refresh and publish schedules together.
                let mut existing = 0;
                for kind in [Job::Refresh, Job::Publish] {
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
                Some(client.create_schedule(workspace, &item.id, job, &schedule.request())?)
            }
            (Change::Put(schedule), Some(id)) => {
                Some(client.update_schedule(workspace, &item.id, job, id, &schedule.request())?)
            }
            (Change::Remove, Some(id)) => {
                client.delete_schedule(workspace, &item.id, job, id)?;
                None
            }
            (Change::Enabled(enabled), Some(id)) => {
                let current = client.schedule(workspace, &item.id, job, id)?;
                let request = json!({"enabled": enabled, "configuration": current["configuration"]});
                Some(client.update_schedule(workspace, &item.id, job, id, &request)?)
            }
            (_, None) => return Err(FabricError::Config("a schedule id is needed".to_owned())),
        };
        if common.to_folder {
            write_folder(&connection, &item, &common.item)?;
        }
        Ok((item, answer))
    });
    match result {
        Ok((item, answer)) => {
            if common.target.output == Output::Json {
                let removed = answer.is_none().then_some(id).flatten();
                println!(
                    "{}",
                    json!({"displayName": item.display_name, "id": item.id, "jobType": job, "schedule": answer,
                           "removed": removed})
                );
            } else {
                match answer {
                    Some(schedule) => println!("`{}`: {}", item.display_name, line(&schedule)),
                    None => println!("`{}`: removed schedule {}", item.display_name, id.unwrap_or("?")),
                }
            }
            exit::SUCCESS
        }
        Err(error) => remote::fail(&error),
    }
}
