//! `dfls schedule list|add|set|remove|enable|disable ITEM ...`: the schedules of a Dataflow's refresh
//! (Execute) job, or of its publish (ApplyChanges) job with `--job publish`, through Fabric's Job Scheduler.
//! Everything is validated with Fabric's limits before any call; the calls are [`crate::fabric::manage`]'s, which
//! the language server's `dfls.schedule` runs too.

use clap::{Args, Subcommand, ValueEnum};

use super::exit;
use super::remote::{self, Output, TargetArgs};
use crate::fabric::manage::{self, ScheduleChange, ScheduleJob, Timing};
use crate::fabric::schedule::Schedule;

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

impl From<Job> for ScheduleJob {
    fn from(job: Job) -> ScheduleJob {
        match job {
            Job::Refresh => ScheduleJob::Refresh,
            Job::Publish => ScheduleJob::Publish,
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
struct TimingArgs {
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
    /// With --monthly: every N months (1 to 12) [default: 1]
    #[arg(long, value_name = "N", requires = "monthly")]
    every_months: Option<u32>,
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
    timing: TimingArgs,
}

#[derive(Debug, Args)]
struct Set {
    #[command(flatten)]
    common: Common,
    /// The schedule's id.
    #[arg(value_name = "ID")]
    id: String,
    #[command(flatten)]
    timing: TimingArgs,
}

/// The schedule the options describe, or why it cannot be ([`Timing::schedule`], as for the editor).
fn schedule_of(timing: &TimingArgs) -> Result<Schedule, String> {
    let timing = Timing {
        every: timing.every,
        daily: timing.daily.clone(),
        weekly: timing.weekly.clone(),
        monthly: timing.monthly.clone(),
        at: timing.at.clone(),
        every_months: timing.every_months,
        start: timing.start.clone(),
        end: timing.end.clone(),
        time_zone: Some(timing.time_zone.clone()),
        disabled: timing.disabled,
    };
    timing.schedule(jiff::Timestamp::now())
}

pub(super) fn run(args: ScheduleArgs) -> u8 {
    match args.command {
        ScheduleCommand::List(common) => list(&common),
        ScheduleCommand::Add(add) => match schedule_of(&add.timing) {
            Ok(schedule) => change(&add.common, None, ScheduleChange::Put(schedule)),
            Err(message) => usage(&message),
        },
        ScheduleCommand::Set(set) => match schedule_of(&set.timing) {
            Ok(schedule) => change(&set.common, Some(&set.id), ScheduleChange::Put(schedule)),
            Err(message) => usage(&message),
        },
        ScheduleCommand::Remove(named) => change(&named.common, Some(&named.id), ScheduleChange::Remove),
        ScheduleCommand::Enable(named) => {
            change(&named.common, Some(&named.id), ScheduleChange::Enabled(true))
        }
        ScheduleCommand::Disable(named) => {
            change(&named.common, Some(&named.id), ScheduleChange::Enabled(false))
        }
    }
}

fn usage(message: &str) -> u8 {
    eprintln!("dfls: error: {message}");
    exit::USAGE
}

fn list(common: &Common) -> u8 {
    let job = ScheduleJob::from(common.job);
    let result = remote::connect_existing(&common.target, &common.item)
        .and_then(|connection| manage::list_schedules(&connection, &common.item, job, common.to_folder));
    let listing = match result {
        Ok(listing) => listing,
        Err(error) => return remote::fail(&error),
    };
    if let Some(path) = &listing.written {
        eprintln!("dfls: wrote {}", path.display());
    }
    if common.target.output == Output::Json {
        println!("{}", manage::schedules_json(&listing.item, job, &listing.schedules));
        return exit::SUCCESS;
    }
    if listing.schedules.is_empty() {
        println!("`{}` has no {} schedule", listing.item.display_name, job.api_name());
        return exit::SUCCESS;
    }
    for schedule in &listing.schedules {
        println!("{}", manage::schedule_line(schedule));
    }
    exit::SUCCESS
}

fn change(common: &Common, id: Option<&str>, change: ScheduleChange) -> u8 {
    let job = ScheduleJob::from(common.job);
    let result = remote::connect_existing(&common.target, &common.item).and_then(|connection| {
        manage::change_schedule(&connection, &common.item, job, id, &change, common.to_folder)
    });
    let changed = match result {
        Ok(changed) => changed,
        Err(error) => return remote::fail(&error),
    };
    if let Some(path) = &changed.written {
        eprintln!("dfls: wrote {}", path.display());
    }
    if common.target.output == Output::Json {
        println!("{}", manage::changed_json(&changed, job, id));
        return exit::SUCCESS;
    }
    match &changed.schedule {
        Some(schedule) => println!("`{}`: {}", changed.item.display_name, manage::schedule_line(schedule)),
        None => println!("`{}`: removed schedule {}", changed.item.display_name, id.unwrap_or("?")),
    }
    exit::SUCCESS
}
