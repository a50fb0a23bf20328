//! `dfls pull ITEM`: writes the remote definition of a Dataflow into its item folder. ITEM is a local item
//! folder (matched by its display name) or a remote display name (written to `<name>.Dataflow`, or
//! `--to DIR`). The folder is updated all or nothing ([`crate::definition::folder::write_folder`]); a local
//! file that differs from the remote one is a conflict, and then nothing is written unless `--force` (exit
//! code 1).

use std::path::PathBuf;

use clap::Args;
use serde_json::json;

use super::exit;
use super::remote::{self, Output, TargetArgs};
use crate::fabric::deploy;

#[derive(Debug, Args)]
pub(super) struct PullArgs {
    /// A local item folder, or the display name of a remote Dataflow.
    #[arg(value_name = "ITEM")]
    item: String,
    /// The folder to write into.
    #[arg(long, value_name = "DIR")]
    to: Option<PathBuf>,
    /// Overwrite local files that differ from the remote.
    #[arg(long)]
    force: bool,
    #[command(flatten)]
    target: TargetArgs,
}

pub(super) fn run(args: PullArgs) -> u8 {
    let pulled = remote::connect_existing(&args.target, &args.item)
        .and_then(|connection| deploy::pull(&connection, &args.item, args.to.as_deref(), args.force));
    let pulled = match pulled {
        Ok(pulled) => pulled,
        Err(error) => return remote::fail(&error),
    };
    let outcome = &pulled.outcome;
    for line in outcome.recovered.describe(&pulled.dir) {
        eprintln!("dfls: {line}");
    }
    let code = if outcome.conflicts.is_empty() { exit::SUCCESS } else { exit::PROBLEMS };
    if args.target.output == Output::Json {
        println!(
            "{}",
            json!({"displayName": pulled.item.display_name, "id": pulled.item.id, "dir": pulled.dir,
                   "created": outcome.created, "updated": outcome.updated, "unchanged": outcome.unchanged,
                   "conflicts": outcome.conflicts})
        );
        return code;
    }
    let dir = pulled.dir.display();
    if !outcome.conflicts.is_empty() {
        eprintln!(
            "dfls: not pulled: these files of {dir} differ from `{}` and would be overwritten: {} (--force overwrites them)",
            pulled.item.display_name,
            outcome.conflicts.join(", ")
        );
        return code;
    }
    for (what, files) in [("created", &outcome.created), ("updated", &outcome.updated)] {
        for file in files.iter() {
            println!("{what} {dir}/{file}");
        }
    }
    if outcome.created.is_empty() && outcome.updated.is_empty() {
        println!("{dir} is up to date with `{}`", pulled.item.display_name);
    }
    code
}
