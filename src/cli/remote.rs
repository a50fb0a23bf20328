//! What the REST commands (`push`, `pull`, `publish`, `refresh`, `status`, `jobs`, `cancel`) share: the
//! target options, the connection (announced on stderr, so stdout stays clean for `--output json`), the
//! exit code of an error, and following a job with a spinner on a terminal or plain lines elsewhere.

use std::io::IsTerminal;
use std::path::Path;
use std::time::{Duration, Instant};

use clap::{Args, ValueEnum};
use serde_json::Value;

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

/// The target the configuration found from the current folder and the options name.
fn target(args: &TargetArgs) -> Result<fabric::Target, FabricError> {
    let config = Config::load(Path::new("."))?;
    config.target(&Overrides { target: args.target.clone(), workspace: args.workspace.clone() })
}

/// Reads the configuration found from the current folder and connects to the target, saying which.
pub(super) fn connect(args: &TargetArgs) -> Result<Connection, FabricError> {
    let target = target(args)?;
    eprintln!("dfls: {}", target.describe());
    fabric::connect(target, Policy::from_env()?)
}

/// Connects as [`connect`] for a command about an item that must already be there (`publish`, `refresh`,
/// `status`, `jobs`, `cancel`, `pull`): an embedded local Fabric that has no state yet is not created for it
/// (a mistyped command must not leave a `.dfls/` folder behind); the command is told nothing was pushed there.
pub(super) fn connect_existing(args: &TargetArgs, item: &str) -> Result<Connection, FabricError> {
    let target = target(args)?;
    eprintln!("dfls: {}", target.describe());
    if fabric::manage::nothing_pushed(&target) {
        return Err(fabric::manage::nothing_pushed_error(item));
    }
    fabric::connect(target, Policy::from_env()?)
}

/// Whether the target is an embedded local Fabric to which nothing was pushed yet (it has no state): a command
/// that only lists can say so without creating it.
pub(super) fn nothing_pushed(args: &TargetArgs) -> Result<bool, FabricError> {
    Ok(fabric::manage::nothing_pushed(&target(args)?))
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

pub(super) use crate::fabric::manage::{job_json, shown_time};

/// A duration for people: `4.2 s`, `3 min 5 s`, `26 h 3 min`.
pub(super) fn human_duration(duration: Duration) -> String {
    let secs = duration.as_secs();
    if secs < 60 {
        format!("{:.1} s", duration.as_secs_f64())
    } else if secs < 3600 {
        format!("{} min {} s", secs / 60, secs % 60)
    } else {
        format!("{} h {} min", secs / 3600, secs % 3600 / 60)
    }
}

/// One line about a job: `Completed in 4.2 s`, `Failed after 3.0 s: DataflowNeverPublishedError: ...`.
pub(super) fn job_line(job: &JobInstance) -> String {
    let mut line = format!("{} {} {}", job.job_type, job.id, job.status);
    if let Some(duration) = job.run_time() {
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
        let job = |start: &str, end: &str| JobInstance {
            id: "j".into(),
            item_id: String::new(),
            job_type: "Execute".into(),
            invoke_type: "Manual".into(),
            status: "Completed".into(),
            start_time_utc: Some(start.into()),
            end_time_utc: Some(end.into()),
            failure_reason: None,
        };
        let finished = job("2023-04-22T23:59:58.5000000", "2023-04-23T00:00:01.0000000");
        assert_eq!(finished.run_time(), Some(Duration::from_millis(2500)));
        assert!(job_line(&finished).ends_with("Completed (2.5 s)"), "{}", job_line(&finished));
        // A timestamp from a hostile server: no duration, and the line and the JSON are still made.
        let absurd = job("2023-01-01T00:00:00", "2023-01-01T1e400:00:00");
        assert_eq!(absurd.run_time(), None);
        assert!(job_line(&absurd).ends_with("Completed"), "{}", job_line(&absurd));
        assert_eq!(job_json(&absurd)["duration"], Value::Null);
        assert_eq!(human_duration(Duration::from_secs(125)), "2 min 5 s");
        assert_eq!(human_duration(Duration::from_secs(93_780)), "26 h 3 min");
        assert!(human_duration(Duration::MAX).ends_with(" min"), "no overflow");
        assert_eq!(shown_time(Some("2023-01-01T1e400:00:00")), "2023-01-01T1e400:00:00", "shown as given");
        assert_eq!(shown_time(Some("\u{1b}[2J")), "?[2J");
        assert_eq!(shown_time(Some(&"9".repeat(100))), format!("{}…", "9".repeat(40)));
        assert_eq!(shown_time(None), "-");
    }
}
