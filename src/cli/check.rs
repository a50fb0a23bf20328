//! `dfls check`: finds the Dataflow items, M files and REST payloads the paths name, checks each item as
//! one unit (every file by itself, then the rules that tie them together) and each loose file by itself,
//! and renders every diagnostic in the chosen format on stdout, one report per file. Items are checked in
//! parallel on every core, each file read and parsed once. Exit code 1 when any diagnostic is an error, 2
//! when a path could not be read or a JSON file named on its own is no file of a Dataflow item (the other
//! paths are still checked and reported).

use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;

use clap::{Args, ValueEnum};

use super::exit;
use super::inputs::{self, InputError, Unit};
use crate::definition::loose::LooseFile;
use crate::definition::{self, FolderItem, ItemFile, Named};
use crate::diagnostics::render::{self, Format};
use crate::diagnostics::{FileReport, Summary};

#[derive(Debug, Args)]
pub(super) struct CheckArgs {
    /// Dataflow item folders, files (an item's file stands for its item; an M file of any extension, a
    /// JSON part, a legacy dataflow-content.json or a REST payload; any other .json is recognised by its
    /// content), directories searched recursively for items, .pq, .pqm and .m files and payloads, or `-`
    /// for standard input.
    #[arg(value_name = "PATH", default_value = ".")]
    pub(super) paths: Vec<PathBuf>,

    /// The output format.
    #[arg(long, value_enum, default_value_t = OutputFormat::Human)]
    format: OutputFormat,

    /// The path to show for standard input (`-`); its name says what it is, as for a file named on its
    /// own (M unless it is a JSON part's or a `.json` name).
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
    let inputs::Collected { units, errors, notes } =
        inputs::collect(&args.paths, args.stdin_filename.as_deref());
    let mut unreadable = !errors.is_empty();
    for error in errors {
        eprintln!("dfls: {error}");
    }
    for note in notes {
        eprintln!("dfls: {note}");
    }
    let mut reports = Vec::new();
    for (unit_reports, errors) in check_all(&units) {
        reports.extend(unit_reports);
        for error in errors {
            eprintln!("dfls: {error}");
            unreadable = true;
        }
    }
    reports.sort_by(|a, b| Path::new(&a.path).cmp(Path::new(&b.path)).then_with(|| a.path.cmp(&b.path)));

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

/// Checks every unit, on as many threads as there are cores, and returns the results in unit order.
fn check_all(units: &[Unit]) -> Vec<(Vec<FileReport>, Vec<InputError>)> {
    let workers = thread::available_parallelism().map_or(1, |n| n.get()).min(units.len());
    if workers <= 1 {
        return units.iter().map(check_unit).collect();
    }
    let next = AtomicUsize::new(0);
    let mut results: Vec<Option<(Vec<FileReport>, Vec<InputError>)>> = units.iter().map(|_| None).collect();
    thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                scope.spawn(|| {
                    let mut done = Vec::new();
                    loop {
                        let index = next.fetch_add(1, Ordering::Relaxed);
                        let Some(unit) = units.get(index) else { break };
                        done.push((index, check_unit(unit)));
                    }
                    done
                })
            })
            .collect();
        for handle in handles {
            match handle.join() {
                Ok(done) => done.into_iter().for_each(|(index, result)| results[index] = Some(result)),
                Err(panic) => std::panic::resume_unwind(panic),
            }
        }
    });
    results.into_iter().map(|result| result.expect("every unit was checked")).collect()
}

/// Reads and checks one unit.
fn check_unit(unit: &Unit) -> (Vec<FileReport>, Vec<InputError>) {
    match unit {
        Unit::File(input) => match input.read() {
            Ok(bytes) => match definition::check_named(&input.shown, &bytes) {
                Named::Checked(reports) => (reports, Vec::new()),
                // Not valid JSON: that is a problem worth showing, whatever the file was meant to be.
                Named::NotDataflow(report) if Summary::of(std::slice::from_ref(&report)).errors > 0 => {
                    (vec![report], Vec::new())
                }
                Named::NotDataflow(_) => {
                    (Vec::new(), vec![InputError::NotDataflow { shown: input.shown.clone() }])
                }
            },
            Err(error) => (Vec::new(), vec![error]),
        },
        Unit::MaybePayload(input) => match input.read() {
            Ok(bytes) => (definition::check_if_payload(&input.shown, &bytes).unwrap_or_default(), Vec::new()),
            Err(error) => (Vec::new(), vec![error]),
        },
        Unit::LooseFolder(folder) => {
            let mut errors = Vec::new();
            let mut files = Vec::with_capacity(folder.files.len());
            for input in &folder.files {
                match input.read() {
                    Ok(bytes) => files.push(LooseFile { shown: input.shown.clone(), bytes }),
                    Err(error) => errors.push(error),
                }
            }
            // Siblings are read for the names they define; one that cannot be read just defines none.
            let siblings: Vec<LooseFile> = folder
                .siblings
                .iter()
                .filter_map(|input| {
                    input.read().ok().map(|bytes| LooseFile { shown: input.shown.clone(), bytes })
                })
                .collect();
            (definition::loose::check_folder(&files, &siblings), errors)
        }
        Unit::Item(item) => {
            let mut errors = Vec::new();
            let mut files = Vec::with_capacity(item.parts.len());
            for (part_path, input) in &item.parts {
                match input.read() {
                    Ok(bytes) => files.push(ItemFile {
                        part_path: part_path.clone(),
                        shown: input.shown.clone(),
                        bytes,
                        parsed: None,
                    }),
                    Err(error) => errors.push(error),
                }
            }
            let folder = FolderItem {
                name: item.name.clone(),
                shown: item.shown.clone(),
                files,
                strays: item.strays.clone(),
            };
            (definition::check_folder(folder), errors)
        }
    }
}
