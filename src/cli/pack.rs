//! `dfls pack ITEM_DIR` prints the REST definition payload of an item folder (finishing or undoing first an
//! update that a killed `pull` or `unpack` left); `dfls unpack PAYLOAD --to DIR` writes a payload's parts
//! into a folder all or nothing ([`folder::write_folder`]), refusing to overwrite files that differ unless
//! `--force`, and writing nothing at all when the payload has errors (bad base64, clashing or unsafe part
//! paths, ...).

use std::io::{self, BufWriter, Read, Write};
use std::path::PathBuf;

use clap::Args;

use super::exit;
use crate::definition::folder;
use crate::definition::payload::{self, Definition};
use crate::diagnostics::{render, FileReport, Severity};

#[derive(Debug, Args)]
pub(super) struct PackArgs {
    /// The item folder (`Sales.Dataflow/`), or a file of it.
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
    let Some(item) = folder::named_folder(&args.item) else {
        if args.item.exists() {
            eprintln!("dfls: `{}` is not an item folder nor a file of one", args.item.display());
        } else {
            eprintln!("dfls: there is no file or folder `{}`", args.item.display());
        }
        return exit::USAGE;
    };
    let args = PackArgs { item };
    match folder::recover(&args.item) {
        Ok(recovery) => {
            for line in recovery.describe(&args.item) {
                eprintln!("dfls: {line}");
            }
        }
        Err(error) => {
            eprintln!("dfls: cannot finish an interrupted update of `{}`: {error}", args.item.display());
            return exit::USAGE;
        }
    }
    match folder::read_folder(&args.item) {
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
        // One write for the whole report, not one per piece of each snippet.
        let mut stderr = BufWriter::new(io::stderr().lock());
        let _ = render::human(&[report], &mut stderr, color)
            .and_then(|()| writeln!(stderr, "dfls: nothing was written"))
            .and_then(|()| stderr.flush());
        return exit::PROBLEMS;
    }
    let definition = Definition { format, parts: parts.into_iter().map(|p| p.part).collect() };
    let written = folder::write_folder(&definition, &args.to, args.force);
    if let Ok(outcome) = &written {
        for line in outcome.recovered.describe(&args.to) {
            eprintln!("dfls: {line}");
        }
    }
    match written {
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
