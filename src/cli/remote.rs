//! What the REST commands (`push`, `pull`, `publish`, `refresh`, `status`, `jobs`, `cancel`) share: the
//! target options, the connection (announced on stderr, so stdout stays clean for `--output json`), the
//! exit code of an error, and following a job with a spinner on a terminal or plain lines elsewhere.

use std::io::IsTerminal;
use std::path::Path;
use std::time::{Duration, Instant};

use clap::{Args, ValueEnum};
use serde_json::{json, Value};

use super::exit;
use crate::fabric::client::StartedJob;
use crate::fabric::http::Policy;
use crate::fabric::{self, Config, Connection, FabricError, Item, JobInstance, JobType, Overrides};

/// The options of every REST command.
#[derive(Debug, Clone, Args)]
pub(super) struct TargetArgs {
    /// The target of dfls.toml to talk to [default: `default-target`, else `local`, the local Fabric]
    #[arg(long, value_name = "TARGET")]
    pub target: Option<String>,
    /// The workspace (an id or a display name), instead of the target's.
    #[arg(long, value_name = "WORKSPACE")]
    pub workspace: Option<String>,
    /// How to print the result: text for people, or one JSON document for scripts.
    #[arg(long, value_enum, default_value_t = Output::Human)]
    pub output: Output,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(super) enum Output {
    Human,
    Json,
}

/// Reads the configuration found from the current folder and connects to the target, saying which.
pub(super) fn connect(args: &TargetArgs) -> Result<Connection, FabricError> {
    let config = Config::load(Path::new("."))?;
    let overrides = Overrides { target: args.target.clone(), workspace: args.workspace.clone() };
    let target = config.target(&overrides)?;
    eprintln!("dfls: {}", target.describe());
    fabric::connect(target, Policy::default())
}

/// The exit code of an error: 2 for configuration and local files, 3 for the API.
pub(super) fn exit_code(error: &FabricError) -> u8 {
    match error {
        FabricError::Config(_) | FabricError::Io(_) | FabricError::Auth(_) => exit::USAGE,
        FabricError::Api(_)
        | FabricError::Unreachable { .. }
        | FabricError::Protocol(_)
        | FabricError::OperationFailed { .. } => exit::REMOTE,
    }
}

/// Prints an error and returns its exit code.
pub(super) fn fail(error: &FabricError) -> u8 {
    eprintln!("dfls: error: {error}");
    exit_code(error)
}

/// A job instance as JSON for `--output json`.
pub(super) fn job_json(job: &JobInstance) -> Value {
    json!({
        "id": job.id,
        "jobType": job.job_type,
        "status": job.status,
        "startTimeUtc": job.start_time_utc,
        "endTimeUtc": job.end_time_utc,
        "duration": duration(job).map(|d| d.as_secs_f64()),
        "failureReason": job.failure_reason,
    })
}

/// A job's run time, from its timestamps (Fabric's `2023-04-22T06:35:00.7812154`, no zone: UTC).
pub(super) fn duration(job: &JobInstance) -> Option<Duration> {
    let start = seconds_of(job.start_time_utc.as_deref()?)?;
    let end = seconds_of(job.end_time_utc.as_deref()?)?;
    (end >= start).then(|| Duration::from_secs_f64(end - start))
}

/// Seconds since the epoch of `YYYY-MM-DDTHH:MM:SS[.fffffff][Z]`.
fn seconds_of(text: &str) -> Option<f64> {
    let text = text.trim_end_matches('Z');
    let (date, time) = text.split_once('T')?;
    let mut date = date.split('-').map(|p| p.parse::<i64>().ok());
    let (y, m, d) = (date.next()??, date.next()??, date.next()??);
    let mut time = time.split(':');
    let (h, min) = (time.next()?.parse::<f64>().ok()?, time.next()?.parse::<f64>().ok()?);
    let s = time.next()?.parse::<f64>().ok()?;
    // Days from the civil date (Howard Hinnant's algorithm).
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (m + if m > 2 { -3 } else { 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some(days as f64 * 86_400.0 + h * 3600.0 + min * 60.0 + s)
}

/// A duration for people: `4.2 s`, `3 min 5 s`.
pub(super) fn human_duration(duration: Duration) -> String {
    let secs = duration.as_secs_f64();
    if secs < 60.0 {
        format!("{secs:.1} s")
    } else {
        format!("{} min {} s", (secs / 60.0) as u64, (secs % 60.0) as u64)
    }
}

/// One line about a job: `Completed in 4.2 s`, `Failed after 3.0 s: DataflowNeverPublishedError: ...`.
pub(super) fn job_line(job: &JobInstance) -> String {
    let mut line = format!("{} {} {}", job.job_type, job.id, job.status);
    if let Some(duration) = duration(job) {
        line.push_str(&format!(" ({})", human_duration(duration)));
    }
    if let Some(failure) = job.failure() {
        line.push_str(&format!(": {failure}"));
    }
    line
}

/// Starts a job and, when `wait`, follows it to its end with a spinner (terminal) or a line per change of
/// state. Returns the job's last known state, or just its id when not waiting.
pub(super) fn run_job(
    connection: &Connection,
    item: &Item,
    job: JobType,
    execution_data: Option<Value>,
    wait: bool,
    output: Output,
) -> Result<(StartedJob, Option<JobInstance>), FabricError> {
    let started = fabric::deploy::start_job(connection, item, job, execution_data)?;
    let human = output == Output::Human;
    if human {
        println!("{} of `{}` started: job {}", job.verb(), item.display_name, started.id);
    }
    if !wait {
        return Ok((started, None));
    }
    let clock = Instant::now();
    let spinner = (human && std::io::stderr().is_terminal()).then(|| {
        let bar = indicatif::ProgressBar::new_spinner();
        bar.enable_steady_tick(Duration::from_millis(120));
        bar
    });
    let mut last = String::new();
    let mut progress = |state: &JobInstance| {
        let elapsed = clock.elapsed().as_secs();
        match &spinner {
            Some(bar) => bar.set_message(format!(
                "{} `{}`: {} ({elapsed} s)",
                job.verb(),
                item.display_name,
                state.status
            )),
            None if human && state.status != last => {
                eprintln!("{} `{}`: {} ({elapsed} s)", job.verb(), item.display_name, state.status)
            }
            None => {}
        }
        last = state.status.clone();
    };
    let finished =
        connection.client.wait_job(&connection.workspace, &item.id, &started, &mut progress, &|| false);
    if let Some(bar) = spinner {
        bar.finish_and_clear();
    }
    let finished = finished?;
    if human {
        println!("{}", job_line(&finished));
    }
    Ok((started, Some(finished)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fabric_timestamps_give_durations() {
        let job = JobInstance {
            id: "j".into(),
            item_id: String::new(),
            job_type: "Execute".into(),
            invoke_type: "Manual".into(),
            status: "Completed".into(),
            start_time_utc: Some("2023-04-22T23:59:58.5000000".into()),
            end_time_utc: Some("2023-04-23T00:00:01.0000000".into()),
            failure_reason: None,
        };
        assert_eq!(duration(&job), Some(Duration::from_secs_f64(2.5)));
        assert_eq!(seconds_of("1970-01-01T00:00:00"), Some(0.0));
        assert_eq!(seconds_of("2000-03-01T00:00:00Z"), Some(951_868_800.0));
        assert_eq!(human_duration(Duration::from_secs(125)), "2 min 5 s");
    }
}
