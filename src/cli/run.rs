//! `dfls publish ITEM` (the ApplyChanges job) and `dfls refresh ITEM` (the Execute job, with the
//! dataflow's public parameters as `--param NAME=VALUE` and `--skip-publish` for `SkipApplyChanges`).
//! ITEM is a local item folder or a remote display name. `--wait` follows the job to its end; a failed or
//! cancelled job exits 1.

use clap::Args;
use serde_json::json;

use super::exit;
use super::remote::{self, Output, TargetArgs};
use crate::fabric::{deploy, JobType};

#[derive(Debug, Args)]
pub(super) struct PublishArgs {
    /// A local item folder, or the display name of a remote Dataflow.
    #[arg(value_name = "ITEM")]
    item: String,
    /// Follow the job to its end.
    #[arg(long)]
    wait: bool,
    #[command(flatten)]
    target: TargetArgs,
}

#[derive(Debug, Args)]
pub(super) struct RefreshArgs {
    /// A local item folder, or the display name of a remote Dataflow.
    #[arg(value_name = "ITEM")]
    item: String,
    /// A public parameter of the dataflow for this run (repeatable).
    #[arg(long = "param", value_name = "NAME=VALUE", value_parser = parameter)]
    params: Vec<(String, String)>,
    /// Run the last published version, without publishing changes first (`SkipApplyChanges`).
    #[arg(long)]
    skip_publish: bool,
    /// Follow the job to its end.
    #[arg(long)]
    wait: bool,
    #[command(flatten)]
    target: TargetArgs,
}

fn parameter(text: &str) -> Result<(String, String), String> {
    match text.split_once('=') {
        Some((name, value)) if !name.trim().is_empty() => Ok((name.trim().to_owned(), value.to_owned())),
        _ => Err(format!("`{text}` is not NAME=VALUE")),
    }
}

pub(super) fn publish(args: PublishArgs) -> u8 {
    run(&args.item, JobType::ApplyChanges, None, &[], args.wait, &args.target)
}

pub(super) fn refresh(args: RefreshArgs) -> u8 {
    let data = deploy::execution_data(args.skip_publish, &args.params);
    run(&args.item, JobType::Execute, Some(data), &args.params, args.wait, &args.target)
}

fn run(
    item: &str,
    job: JobType,
    data: Option<serde_json::Value>,
    parameters: &[(String, String)],
    wait: bool,
    target: &TargetArgs,
) -> u8 {
    let result = remote::connect_existing(target, item).and_then(|connection| {
        let item = deploy::resolve(&connection, item)?;
        deploy::check_parameters(&connection, &item, parameters)?;
        let (started, finished) = remote::run_job(&connection, &item, job, data, wait, target.output)?;
        Ok((item, started, finished))
    });
    let (item, started, finished) = match result {
        Ok(done) => done,
        Err(error) => return remote::fail(&error),
    };
    if target.output == Output::Json {
        let job_value = finished
            .as_ref()
            .map_or_else(|| json!({"id": started.id, "jobType": job.name()}), remote::job_json);
        println!("{}", json!({"displayName": item.display_name, "id": item.id, "job": job_value}));
    }
    match finished {
        Some(finished) if !finished.succeeded() => exit::PROBLEMS,
        _ => exit::SUCCESS,
    }
}
