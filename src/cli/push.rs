//! `dfls push ITEM...`: checks each item folder (errors refuse the push unless `--force`), creates the
//! Dataflow with its definition or updates the definition of the Dataflow with the same display name
//! (`updateMetadata=true`), or says it is unchanged; `--dry-run` only says which; `--publish`,
//! `--refresh` and `--wait` chain the jobs. Exit code 1 when the check refused an item or a job failed.

use std::io::Write;
use std::path::PathBuf;

use clap::Args;
use serde_json::{json, Value};

use super::exit;
use super::remote::{self, Output, TargetArgs};
use crate::diagnostics::render::{self, Format};
use crate::fabric::deploy::{self, PushAction};
use crate::fabric::{Connection, FabricError, JobType};

#[derive(Debug, Args)]
pub(super) struct PushArgs {
    /// Item folders (`Sales.Dataflow`).
    #[arg(required = true, value_name = "ITEM")]
    items: Vec<PathBuf>,
    /// Publish (run ApplyChanges) after the push.
    #[arg(long)]
    publish: bool,
    /// Refresh (run Execute) after the push (and the publish).
    #[arg(long)]
    refresh: bool,
    /// Follow the last job to its end.
    #[arg(long)]
    wait: bool,
    /// Say what would change (with a diff of each changed part), change nothing.
    #[arg(long)]
    dry_run: bool,
    /// Push even when `dfls check` finds errors.
    #[arg(long)]
    force: bool,
    #[command(flatten)]
    target: TargetArgs,
}

pub(super) fn run(args: PushArgs, color: bool) -> u8 {
    let connection = match remote::connect(&args.target) {
        Ok(connection) => connection,
        Err(error) => return remote::fail(&error),
    };
    let mut code = exit::SUCCESS;
    let mut results = Vec::new();
    for dir in &args.items {
        match push_one(&connection, &args, dir, color) {
            Ok((item_code, result)) => {
                code = code.max(item_code);
                results.push(result);
            }
            Err(error) => {
                code = code.max(remote::fail(&error));
                results.push(json!({"path": dir, "error": error.to_string(), "errorCode": error.code()}));
            }
        }
    }
    if args.target.output == Output::Json {
        println!(
            "{}",
            json!({"target": connection.target.name, "workspace": connection.workspace, "items": results})
        );
    }
    code
}

fn push_one(
    connection: &Connection,
    args: &PushArgs,
    dir: &PathBuf,
    color: bool,
) -> Result<(u8, Value), FabricError> {
    let human = args.target.output == Output::Human;
    let local = deploy::read_local(dir)?;
    for line in &local.recovered {
        eprintln!("dfls: {line}");
    }
    let name = local.display_name.clone();
    let (reports, errors) = deploy::check(&local);
    if errors > 0 {
        let mut stderr = std::io::BufWriter::new(std::io::stderr().lock());
        let _ = render::render(Format::Human, &reports, &mut stderr, color).and_then(|()| stderr.flush());
        drop(stderr);
        if !args.force {
            eprintln!("dfls: `{name}` has {errors} error(s); not pushed (--force pushes anyway)");
            return Ok((
                exit::PROBLEMS,
                json!({"path": dir, "displayName": name, "action": "refused", "errors": errors}),
            ));
        }
        eprintln!("dfls: `{name}` has {errors} error(s); pushing anyway (--force)");
    }
    let plan = deploy::plan_push(connection, &local)?;
    let (action, changed) = match &plan.action {
        PushAction::Create => ("create", Vec::new()),
        PushAction::Update { changed } => ("update", changed.clone()),
        PushAction::Unchanged => ("unchanged", Vec::new()),
    };
    let mut result = json!({"path": dir, "displayName": name, "action": action, "changed": changed, "dryRun": args.dry_run});
    if args.dry_run {
        if human {
            match &plan.action {
                PushAction::Create => {
                    println!("would create `{name}` with {} part(s)", local.definition.parts.len())
                }
                PushAction::Update { changed } => {
                    println!("would update `{name}`: {}", changed.join(", "));
                    print!("{}", plan.diff(&local));
                }
                PushAction::Unchanged => println!("`{name}` is unchanged"),
            }
        }
        return Ok((exit::SUCCESS, result));
    }
    let item = deploy::push(connection, &local, &plan)?;
    result["id"] = json!(item.id);
    if human {
        match &plan.action {
            PushAction::Create => println!("created `{name}` ({})", item.id),
            PushAction::Update { changed } => println!("updated `{name}`: {}", changed.join(", ")),
            PushAction::Unchanged => println!("`{name}` is unchanged"),
        }
    }
    let mut code = exit::SUCCESS;
    let mut jobs = Vec::new();
    let chain: Vec<JobType> = [(args.publish, JobType::ApplyChanges), (args.refresh, JobType::Execute)]
        .into_iter()
        .filter_map(|(wanted, job)| wanted.then_some(job))
        .collect();
    for (index, job) in chain.iter().enumerate() {
        let last = index + 1 == chain.len();
        // A refresh after a publish must wait for it; the last job waits only with --wait.
        let wait = !last || args.wait;
        let data = (*job == JobType::Execute).then(|| deploy::execution_data(false, &[]));
        let (started, finished) = remote::run_job(connection, &item, *job, data, wait, args.target.output)?;
        jobs.push(
            finished
                .as_ref()
                .map_or_else(|| json!({"id": started.id, "jobType": job.name()}), remote::job_json),
        );
        if finished.as_ref().is_some_and(|f| !f.succeeded()) {
            code = exit::PROBLEMS;
            break;
        }
    }
    result["jobs"] = jobs.into();
    Ok((code, result))
}
