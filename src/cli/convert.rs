//! `dfls convert PATH` rewrites an older Dataflow definition in the current format: a legacy
//! `dataflow-content.json` becomes `mashup.pq` + `queryMetadata.json` (and the legacy file is removed), a
//! 2024-layout `queryMetadata.json` (formatVersion "202409") is rewritten as "202502". What the current
//! format has no place for is listed; `--dry-run` shows everything without writing.

use std::path::{Path, PathBuf};

use clap::Args;

use super::exit;
use crate::definition::convert::{self, Converted};
use crate::definition::folder::write_atomically;

#[derive(Debug, Args)]
pub(super) struct ConvertArgs {
    /// The item folder, or its `dataflow-content.json` or `queryMetadata.json`.
    #[arg(value_name = "PATH")]
    path: PathBuf,

    /// Show what would be written and dropped, and write nothing.
    #[arg(long)]
    dry_run: bool,

    /// Overwrite an existing `mashup.pq` or `queryMetadata.json` that differs from the converted one.
    #[arg(long)]
    force: bool,
}

pub(super) fn run(args: ConvertArgs) -> u8 {
    let folder = if args.path.is_dir() {
        args.path.clone()
    } else {
        args.path.parent().unwrap_or(Path::new(".")).to_path_buf()
    };
    let legacy = folder.join("dataflow-content.json");
    let metadata = folder.join("queryMetadata.json");
    let (source, converted) = if legacy.is_file() {
        (
            legacy.clone(),
            std::fs::read_to_string(&legacy)
                .map_err(|e| e.to_string())
                .and_then(|text| convert::legacy_dataflow_content(&text).map_err(|e| e.to_string())),
        )
    } else if metadata.is_file() {
        if std::fs::read_to_string(&metadata).is_ok_and(|text| convert::is_current_query_metadata(&text)) {
            println!(
                "`{}` is already in the current format (formatVersion 202502): nothing to convert",
                metadata.display()
            );
            return exit::SUCCESS;
        }
        (
            metadata.clone(),
            std::fs::read_to_string(&metadata)
                .map_err(|e| e.to_string())
                .and_then(|text| convert::query_metadata_202409(&text).map_err(|e| e.to_string())),
        )
    } else {
        eprintln!(
            "dfls: `{}` holds neither a dataflow-content.json nor a queryMetadata.json",
            folder.display()
        );
        return exit::USAGE;
    };
    let converted = match converted {
        Ok(converted) => converted,
        Err(error) => {
            eprintln!("dfls: cannot convert `{}`: {error}", source.display());
            return exit::USAGE;
        }
    };
    let Converted { query_metadata, mashup, dropped } = converted;
    let mut writes = vec![(metadata.clone(), query_metadata)];
    if let Some(mashup) = mashup {
        writes.push((folder.join("mashup.pq"), mashup));
    }
    // Refuse before writing anything if a file that is not the one being converted would be overwritten.
    if !args.force {
        let conflicts: Vec<&PathBuf> = writes
            .iter()
            .filter(|(path, text)| {
                *path != source && std::fs::read(path).is_ok_and(|existing| existing != text.as_bytes())
            })
            .map(|(path, _)| path)
            .collect();
        if !conflicts.is_empty() {
            for path in conflicts {
                eprintln!("dfls: `{}` exists and differs; use --force to overwrite it", path.display());
            }
            return exit::USAGE;
        }
    }
    for name in &dropped {
        eprintln!("note: `{name}` has no place in the current format and is dropped");
    }
    if args.dry_run {
        for (path, text) in &writes {
            println!("--- {} (would be written)\n{text}", path.display());
        }
        if source == legacy {
            println!("--- {} (would be removed)", legacy.display());
        }
        return exit::SUCCESS;
    }
    for (path, text) in &writes {
        if let Err(error) = write_atomically(path, text.as_bytes()) {
            eprintln!("dfls: cannot write `{}`: {error}", path.display());
            return exit::USAGE;
        }
        eprintln!("wrote `{}`", path.display());
    }
    if source == legacy {
        if let Err(error) = std::fs::remove_file(&legacy) {
            eprintln!("dfls: converted, but cannot remove `{}`: {error}", legacy.display());
            return exit::USAGE;
        }
        eprintln!("removed `{}`", legacy.display());
    }
    exit::SUCCESS
}
