//! `dfls pack ITEM_DIR` prints the REST definition payload of an item folder; `dfls unpack PAYLOAD --to DIR`
//! writes a payload's parts into a folder, atomically per file, refusing to overwrite files that differ
//! unless `--force`, and writing nothing at all when the payload has errors.

use std::io::{self, Read, Write};
use std::path::PathBuf;

use clap::Args;

use super::exit;
use crate::definition::payload::{self, Definition};
use crate::diagnostics::{render, FileReport, Severity};

#[derive(Debug, Args)]
pub(super) struct PackArgs {
    /// The item folder (`Sales.Dataflow/`).
    #[arg(value_name = "ITEM_DIR")]
    item: PathBuf,
}

#[derive(Debug, Args)]
pub(super) struct UnpackArgs {
    /// The payload file (`{"definition": {"parts": [...]}}`), or `-` for standard input.
    #[arg(value_name = "PAYLOAD")]
    payload: PathBuf,

    /// The folder to write the parts into (created if needed).
    #[arg(long, value_name = "DIR")]
    to: PathBuf,

    /// Overwrite files whose content differs from the payload's.
    #[arg(long)]
    force: bool,
}

pub(super) fn pack(args: PackArgs) -> u8 {
    if !args.item.is_dir() {
        eprintln!("dfls: `{}` is not an item folder", args.item.display());
        return exit::USAGE;
    }
    match payload::read_folder(&args.item) {
        Ok(definition) => {
            let text = payload::encode(&definition);
            match io::stdout().lock().write_all(text.as_bytes()) {
                Ok(()) => exit::SUCCESS,
                Err(error) => {
                    eprintln!("dfls: cannot write the payload: {error}");
                    exit::USAGE
                }
            }
        }
        Err(error) => {
            eprintln!("dfls: cannot read `{}`: {error}", args.item.display());
            exit::USAGE
        }
    }
}

pub(super) fn unpack(args: UnpackArgs, color: bool) -> u8 {
    let shown = args.payload.display().to_string();
    let bytes = if shown == "-" {
        let mut bytes = Vec::new();
        io::stdin().lock().read_to_end(&mut bytes).map(|_| bytes)
    } else {
        std::fs::read(&args.payload)
    };
    let bytes = match bytes {
        Ok(bytes) => bytes,
        Err(error) => {
            eprintln!("dfls: cannot read `{shown}`: {error}");
            return exit::USAGE;
        }
    };
    let decoded = crate::text::decode(&bytes);
    let json = crate::json::parse(&decoded.text);
    let (parts, format, mut diagnostics) = payload::decode(&json);
    diagnostics.extend(json.diagnostics.iter().cloned());
    if diagnostics.iter().any(|d| d.severity == Severity::Error) {
        let mut report = FileReport { path: shown, text: decoded.text, diagnostics };
        report.sort();
        let _ = render::human(&[report], &mut io::stderr().lock(), color);
        eprintln!("dfls: nothing was written");
        return exit::PROBLEMS;
    }
    let definition = Definition { format, parts: parts.into_iter().map(|p| p.part).collect() };
    match payload::write_folder(&definition, &args.to, args.force) {
        Ok(outcome) if !outcome.conflicts.is_empty() => {
            eprintln!(
                "dfls: these files in `{}` differ from the payload; nothing was written (use --force to overwrite):",
                args.to.display()
            );
            for path in &outcome.conflicts {
                eprintln!("  {path}");
            }
            exit::USAGE
        }
        Ok(outcome) => {
            eprintln!(
                "wrote `{}`: {} created, {} updated, {} unchanged",
                args.to.display(),
                outcome.created.len(),
                outcome.updated.len(),
                outcome.unchanged.len()
            );
            exit::SUCCESS
        }
        Err(error) => {
            eprintln!("dfls: cannot write `{}`: {error}", args.to.display());
            exit::USAGE
        }
    }
}
