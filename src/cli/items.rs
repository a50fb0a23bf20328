//! `dfls ls` (the workspace's Dataflows, each with its newest job and the local item folder that matches it),
//! `dfls delete ITEM` (asked on a terminal, `--yes` elsewhere), `dfls set ITEM --display-name/--description`
//! (PATCH, and the folder's `.platform` with it) and `dfls parameters ITEM` (the public parameters).

use std::io::{BufRead, IsTerminal, Write};
use std::path::Path;

use clap::Args;
use serde_json::{json, Value};

use super::exit;
use super::inputs::{self, Unit};
use super::remote::{self, Output, TargetArgs};
use crate::definition::folder;
use crate::fabric::{deploy, manage, Config, FabricError};

#[derive(Debug, Args)]
pub(super) struct LsArgs {
    #[command(flatten)]
    target: TargetArgs,
}

#[derive(Debug, Args)]
pub(super) struct DeleteArgs {
    /// A local item folder (or a file of one), or the display name of a remote Dataflow.
    #[arg(value_name = "ITEM")]
    item: String,
    /// Delete without asking (needed where there is no terminal to ask on).
    #[arg(long)]
    yes: bool,
    #[command(flatten)]
    target: TargetArgs,
}

#[derive(Debug, Args)]
pub(super) struct SetArgs {
    /// A local item folder (or a file of one), or the display name of a remote Dataflow.
    #[arg(value_name = "ITEM")]
    item: String,
    /// The new display name.
    #[arg(long, value_name = "NAME")]
    display_name: Option<String>,
    /// The new description.
    #[arg(long, value_name = "TEXT")]
    description: Option<String>,
    #[command(flatten)]
    target: TargetArgs,
}

#[derive(Debug, Args)]
pub(super) struct ParametersArgs {
    /// A local item folder (or a file of one), or the display name of a remote Dataflow.
    #[arg(value_name = "ITEM")]
    item: String,
    #[command(flatten)]
    target: TargetArgs,
}

/// The display names of the item folders under the repository root, with their shown paths.
fn local_items() -> Vec<(String, String)> {
    let Ok(config) = Config::load(Path::new(".")) else { return Vec::new() };
    let collected = inputs::collect(std::slice::from_ref(&config.root), None);
    collected
        .units
        .into_iter()
        .filter_map(|unit| match unit {
            Unit::Item(item) => {
                let name = deploy::local_display_name(Path::new(&item.shown));
                Some((name, item.shown))
            }
            _ => None,
        })
        .collect()
}

pub(super) fn ls(args: LsArgs) -> u8 {
    match remote::nothing_pushed(&args.target) {
        Ok(true) => {
            if args.target.output == Output::Json {
                println!("{}", json!({ "dataflows": [] }));
            } else {
                println!("{}", manage::NOTHING_LISTED);
            }
            return exit::SUCCESS;
        }
        Ok(false) => {}
        Err(error) => return remote::fail(&error),
    }
    let result = remote::connect(&args.target).and_then(|connection| manage::list(&connection));
    let rows = match result {
        Ok(rows) => rows,
        Err(error) => return remote::fail(&error),
    };
    let local = local_items();
    let folder_of =
        |name: &str| local.iter().find(|(local, _)| local == name).map(|(_, shown)| shown.clone());
    if args.target.output == Output::Json {
        println!("{}", manage::list_json(&rows, folder_of));
        return exit::SUCCESS;
    }
    if rows.is_empty() {
        println!("no Dataflows in this workspace");
        return exit::SUCCESS;
    }
    println!("{:<30}  {:<36}  {:<30}  {:<27}  LOCAL FOLDER", "NAME", "ID", "NEWEST JOB", "ENDED (UTC)");
    for (item, job) in &rows {
        let (newest, ended) = match job {
            Some(job) => {
                (format!("{} {}", job.job_type, job.status), remote::shown_time(job.end_time_utc.as_deref()))
            }
            None => ("-".to_owned(), "-".to_owned()),
        };
        println!(
            "{:<30}  {:<36}  {:<30}  {:<27}  {}",
            remote::shown_time(Some(&item.display_name)),
            item.id,
            newest,
            ended,
            folder_of(&item.display_name).unwrap_or_else(|| "-".to_owned())
        );
        if !item.description.is_empty() {
            println!("    {}", remote::shown_time(Some(&item.description)));
        }
    }
    exit::SUCCESS
}

pub(super) fn delete(args: DeleteArgs) -> u8 {
    let result = remote::connect_existing(&args.target, &args.item).and_then(|connection| {
        let item = deploy::resolve(&connection, &args.item)?;
        let namesakes = connection
            .client
            .dataflows(&connection.workspace)?
            .into_iter()
            .filter(|other| other.display_name == item.display_name)
            .count();
        if namesakes > 1 {
            return Err(FabricError::Config(format!(
                "{namesakes} Dataflows are named `{}`: dfls deletes none of them (delete one in Fabric by its id)",
                item.display_name
            )));
        }
        if !args.yes {
            confirm(&format!(
                "Delete the Dataflow `{}` ({}) from workspace {} of {}?",
                item.display_name, item.id, connection.workspace, connection.target.name
            ))?;
        }
        connection.client.delete_dataflow(&connection.workspace, &item.id)?;
        Ok(item)
    });
    match result {
        Ok(item) => {
            if args.target.output == Output::Json {
                println!("{}", json!({"displayName": item.display_name, "id": item.id, "deleted": true}));
            } else {
                println!("deleted `{}` ({})", item.display_name, item.id);
            }
            exit::SUCCESS
        }
        Err(error) => remote::fail(&error),
    }
}

/// Asks a yes-or-no question on the terminal; refuses where there is none to ask on.
fn confirm(question: &str) -> Result<(), FabricError> {
    if !std::io::stdin().is_terminal() || !std::io::stderr().is_terminal() {
        return Err(FabricError::Config(format!("{question} Not without a terminal to ask on: pass --yes")));
    }
    eprint!("{question} [y/N] ");
    let _ = std::io::stderr().flush();
    let mut answer = String::new();
    let _ = std::io::stdin().lock().read_line(&mut answer);
    if matches!(answer.trim(), "y" | "Y" | "yes" | "Yes") {
        Ok(())
    } else {
        Err(FabricError::Config("not deleted".to_owned()))
    }
}

pub(super) fn set(args: SetArgs) -> u8 {
    if args.display_name.is_none() && args.description.is_none() {
        eprintln!("dfls: error: nothing to set: pass --display-name NAME or --description TEXT");
        return exit::USAGE;
    }
    let result = remote::connect_existing(&args.target, &args.item).and_then(|connection| {
        let item = deploy::resolve(&connection, &args.item)?;
        let updated = connection.client.update_dataflow(
            &connection.workspace,
            &item.id,
            args.display_name.as_deref(),
            args.description.as_deref(),
        )?;
        // A local folder says the same as Fabric from now on, or the next push would change it back.
        let platform = match folder::named_folder(Path::new(&args.item)) {
            Some(dir) => {
                deploy::update_platform(&dir, args.display_name.as_deref(), args.description.as_deref())?
                    .then(|| dir.join(crate::definition::parts::PLATFORM).display().to_string())
            }
            None => None,
        };
        Ok((updated, platform))
    });
    match result {
        Ok((item, platform)) => {
            if args.target.output == Output::Json {
                println!(
                    "{}",
                    json!({"displayName": item.display_name, "id": item.id, "description": item.description,
                           "platformUpdated": platform})
                );
            } else {
                println!("set `{}` ({}): description {:?}", item.display_name, item.id, item.description);
                if let Some(platform) = platform {
                    println!("updated {platform}");
                }
            }
            exit::SUCCESS
        }
        Err(error) => remote::fail(&error),
    }
}

pub(super) fn parameters(args: ParametersArgs) -> u8 {
    let result =
        remote::connect_existing(&args.target, &args.item).and_then(|c| manage::parameters(&c, &args.item));
    let (item, parameters) = match result {
        Ok(found) => found,
        Err(error) => return remote::fail(&error),
    };
    if args.target.output == Output::Json {
        println!("{}", manage::parameters_json(&item, parameters.as_deref()));
        return exit::SUCCESS;
    }
    let Some(parameters) = parameters else {
        println!(
            "`{}` does not use public parameters (`\"parametric\": true` in queryMetadata.json turns them on)",
            item.display_name
        );
        return exit::SUCCESS;
    };
    if parameters.is_empty() {
        println!("`{}` declares no public parameter", item.display_name);
        return exit::SUCCESS;
    }
    println!("{:<30}  {:<10}  {:<8}  DEFAULT", "PARAMETER", "TYPE", "REQUIRED");
    for parameter in &parameters {
        println!(
            "{:<30}  {:<10}  {:<8}  {}",
            parameter.name,
            parameter.parameter_type,
            if parameter.is_required { "yes" } else { "no" },
            parameter.default_value.as_ref().map_or_else(|| "-".to_owned(), Value::to_string)
        );
    }
    exit::SUCCESS
}
