//! `dfls check`: reads M files, runs the syntax checks on each, and renders every diagnostic in the chosen
//! format on stdout. Exit code 1 when any diagnostic is an error, 2 when a path could not be read (the
//! other paths are still checked and reported).

use std::io::{self, BufWriter, Write};
use std::path::PathBuf;

use clap::{Args, ValueEnum};

use super::{exit, inputs};
use crate::diagnostics::render::{self, Format};
use crate::diagnostics::{FileReport, Summary};
use crate::syntax;

#[derive(Debug, Args)]
pub(super) struct CheckArgs {
    /// M files (any extension), directories searched recursively for .pq, .pqm and .m files, or `-` for
    /// standard input.
    #[arg(value_name = "PATH", default_value = ".")]
    pub(super) paths: Vec<PathBuf>,

    /// The output format.
    #[arg(long, value_enum, default_value_t = OutputFormat::Human)]
    format: OutputFormat,

    /// The path to show for standard input (`-`).
    #[arg(long, value_name = "NAME")]
    stdin_filename: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum OutputFormat {
    /// Source snippets for a terminal.
    Human,
    /// One JSON document.
    Json,
    /// GitHub Actions workflow commands (annotations).
    Github,
    /// A SARIF 2.1.0 log.
    Sarif,
}

impl From<OutputFormat> for Format {
    fn from(format: OutputFormat) -> Format {
        match format {
            OutputFormat::Human => Format::Human,
            OutputFormat::Json => Format::Json,
            OutputFormat::Github => Format::Github,
            OutputFormat::Sarif => Format::Sarif,
        }
    }
}

/// Runs the check and returns the exit code.
pub(super) fn run(args: CheckArgs, color: bool) -> u8 {
    let (inputs, errors) = inputs::collect(&args.paths, args.stdin_filename.as_deref());
    let mut unreadable = !errors.is_empty();
    for error in errors {
        eprintln!("dfls: {error}");
    }
    let mut reports = Vec::with_capacity(inputs.len());
    for input in inputs {
        match input.read() {
            Ok(bytes) => {
                let checked = syntax::check_bytes(&bytes);
                let mut report =
                    FileReport { path: input.shown, text: checked.text, diagnostics: checked.diagnostics };
                report.sort();
                reports.push(report);
            }
            Err(error) => {
                eprintln!("dfls: {error}");
                unreadable = true;
            }
        }
    }

    let mut out = BufWriter::new(io::stdout().lock());
    if let Err(error) =
        render::render(args.format.into(), &reports, &mut out, color).and_then(|()| out.flush())
    {
        // A closed pipe (`dfls check | head`) is the reader's choice, not a problem to report.
        if error.kind() != io::ErrorKind::BrokenPipe {
            eprintln!("dfls: cannot write the output: {error}");
        }
        return exit::USAGE;
    }

    if unreadable {
        exit::USAGE
    } else if Summary::of(&reports).errors > 0 {
        exit::PROBLEMS
    } else {
        exit::SUCCESS
    }
}
