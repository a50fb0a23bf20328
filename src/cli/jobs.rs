//! `dfls status ITEM [JOB]` (the newest job, or the given one: status, start, end, duration, failure
//! reason), `dfls jobs ITEM` (a table of the item's jobs, newest first) and `dfls cancel ITEM [JOB]`
//! (the given job, else the newest one still running).

use clap::Args;
use serde_json::json;

use super::exit;
use super::remote::{self, Output, TargetArgs};
use crate::fabric::{deploy, FabricError};

#[derive(Debug, Args)]
pub(super) struct StatusArgs {
    /// A local item folder, or the display name of a remote Dataflow.
    #[arg(value_name = "ITEM")]
    item: String,
    /// A job instance id [default: the newest job]
    #[arg(value_name = "JOB")]
    job: Option<String>,
    #[command(flatten)]
    target: TargetArgs,
}

#[derive(Debug, Args)]
pub(super) struct JobsArgs {
    /// A local item folder, or the display name of a remote Dataflow.
    #[arg(value_name = "ITEM")]
    item: String,
    #[command(flatten)]
    target: TargetArgs,
}

pub(super) fn status(args: StatusArgs) -> u8 {
    let result = remote::connect_existing(&args.target, &args.item).and_then(|connection| {
        let item = deploy::resolve(&connection, &args.item)?;
        Ok((deploy::job_status(&connection, &item, args.job.as_deref())?, item))
    });
    let (job, item) = match result {
        Ok(found) => found,
        Err(error) => return remote::fail(&error),
    };
    let Some(job) = job else {
        if args.target.output == Output::Json {
            println!("{}", json!({"displayName": item.display_name, "id": item.id, "job": null}));
        } else {
            println!("`{}` has no jobs yet", item.display_name);
        }
        return exit::SUCCESS;
    };
    if args.target.output == Output::Json {
        println!(
            "{}",
            json!({"displayName": item.display_name, "id": item.id, "job": remote::job_json(&job)})
        );
    } else {
        println!("{}: {} job {}", item.display_name, job.job_type, job.id);
        println!("  status:   {}", job.status);
        println!("  started:  {}", remote::shown_time(job.start_time_utc.as_deref()));
        println!("  ended:    {}", remote::shown_time(job.end_time_utc.as_deref()));
        if let Some(duration) = job.run_time() {
            println!("  duration: {}", remote::human_duration(duration));
        }
        if let Some(failure) = job.failure() {
            println!("  failure:  {failure}");
        }
    }
    if matches!(job.status.as_str(), "Failed" | "Cancelled") {
        exit::PROBLEMS
    } else {
        exit::SUCCESS
    }
}

pub(super) fn jobs(args: JobsArgs) -> u8 {
    let result = remote::connect_existing(&args.target, &args.item).and_then(|connection| {
        let item = deploy::resolve(&connection, &args.item)?;
        Ok((connection.client.jobs(&connection.workspace, &item.id)?, item))
    });
    let (jobs, item) = match result {
        Ok(found) => found,
        Err(error) => return remote::fail(&error),
    };
    if args.target.output == Output::Json {
        let jobs: Vec<_> = jobs.iter().map(remote::job_json).collect();
        println!("{}", json!({"displayName": item.display_name, "id": item.id, "jobs": jobs}));
        return exit::SUCCESS;
    }
    if jobs.is_empty() {
        println!("`{}` has no jobs yet", item.display_name);
        return exit::SUCCESS;
    }
    println!(
        "{:<36}  {:<12}  {:<9}  {:<10}  {:<27}  {:>9}  FAILURE",
        "JOB", "TYPE", "INVOKED", "STATUS", "STARTED (UTC)", "DURATION"
    );
    for job in &jobs {
        println!(
            "{:<36}  {:<12}  {:<9}  {:<10}  {:<27}  {:>9}  {}",
            job.id,
            job.job_type,
            remote::shown_time(Some(&job.invoke_type)),
            job.status,
            remote::shown_time(job.start_time_utc.as_deref()),
            job.run_time().map(remote::human_duration).unwrap_or_else(|| "-".to_owned()),
            job.failure().unwrap_or_default()
        );
    }
    exit::SUCCESS
}

pub(super) fn cancel(args: StatusArgs) -> u8 {
    let result = remote::connect_existing(&args.target, &args.item).and_then(|connection| {
        let item = deploy::resolve(&connection, &args.item)?;
        let job = match &args.job {
            Some(id) => id.clone(),
            None => connection
                .client
                .jobs(&connection.workspace, &item.id)?
                .into_iter()
                .find(|job| !job.is_finished())
                .map(|job| job.id)
                .ok_or_else(|| {
                    FabricError::Config(format!("`{}` has no job that is still running", item.display_name))
                })?,
        };
        connection.client.cancel_job(&connection.workspace, &item.id, &job)?;
        Ok((item, job))
    });
    match result {
        Ok((item, job)) => {
            if args.target.output == Output::Json {
                println!("{}", json!({"displayName": item.display_name, "id": item.id, "cancelled": job}));
            } else {
                println!("asked to cancel job {job} of `{}`", item.display_name);
            }
            exit::SUCCESS
        }
        Err(error) => remote::fail(&error),
    }
}
