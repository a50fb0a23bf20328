//! `dfls fmt`: formats M files, the `mashup.pq` of item folders and the M inside legacy
//! `dataflow-content.json` files, in place (each file written atomically, and only when it changes), or
//! with `--check` lists the files that would change, or with `--diff` prints what would change; `-`
//! formats standard input to standard output.
//!
//! Options come from the flags, then the project's `dfls.toml` `[format]` and `.editorconfig` files found
//! from each file's folder ([`crate::format::config`]), then the defaults. A file is only written when the
//! formatter's own check ([`crate::format::verify`]) found the output to mean what the input meant. Exit
//! code 1 when `--check` or `--diff` found files to format, 2 when a file could not be read, was not
//! text, or could not be written, or a configuration file is wrong (the other files are still handled).

use std::collections::HashMap;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use clap::Args;

use super::exit;
use super::inputs::{self, Input, Unit};
use crate::definition::discover;
use crate::definition::folder::write_atomically;
use crate::definition::parts::PartKind;
use crate::format::config::{self, ConfigError, ProjectSettings, RealFs};
use crate::format::{self, legacy, Settings};
use crate::text::diff;

#[derive(Debug, Args)]
pub(super) struct FmtArgs {
    /// M files (.pq, .pqm, .m, or any file named explicitly), Dataflow item folders (their mashup.pq),
    /// legacy dataflow-content.json files (the M inside), directories searched recursively for them, or
    /// `-` for standard input (formatted to standard output).
    #[arg(value_name = "PATH", default_value = ".")]
    pub(super) paths: Vec<PathBuf>,

    /// Write nothing; list the files that are not formatted and exit with 1 if there is any.
    #[arg(long)]
    check: bool,

    /// Write nothing; print a unified diff of the changes formatting would make, and exit with 1 if there
    /// is any.
    #[arg(long)]
    diff: bool,

    /// Columns of one level of indentation (default: from dfls.toml, .editorconfig, else 2).
    #[arg(long, value_name = "N")]
    indent_width: Option<usize>,

    /// Indent with tabs (`--use-tabs=false`: with spaces).
    #[arg(long, value_name = "BOOL", num_args = 0..=1, require_equals = true, default_missing_value = "true")]
    use_tabs: Option<bool>,

    /// The line width to fit (default: from dfls.toml, .editorconfig, else 120).
    #[arg(long, value_name = "N")]
    line_width: Option<usize>,

    /// The path standard input (`-`) stands for: its folder's configuration applies, and a name
    /// `dataflow-content.json` formats the M inside the JSON.
    #[arg(long, value_name = "NAME")]
    stdin_filename: Option<String>,
}

/// What to do with formatted text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Write,
    Check,
    Diff,
}

/// The result of formatting one file.
struct Outcome {
    /// The new bytes of the file.
    new: String,
    /// The text shown in a diff: the file, or the M inside a legacy file.
    shown_old: String,
    shown_new: String,
    /// The name in a diff's headers.
    diff_name: String,
    syntax_errors: bool,
}

struct Run {
    mode: Mode,
    explicit: Settings,
    /// Project settings by folder, so each folder's configuration is read once.
    settings: HashMap<PathBuf, Result<ProjectSettings, ConfigError>>,
    cwd: PathBuf,
    changed: usize,
    unchanged: usize,
    /// Whether any file (not standard input) was formatted, for the summary.
    files: bool,
    failed: bool,
    out: io::StdoutLock<'static>,
}

/// Runs the command and returns the exit code.
pub(super) fn run(args: FmtArgs) -> u8 {
    let mode = match (args.check, args.diff) {
        (_, true) => Mode::Diff,
        (true, false) => Mode::Check,
        (false, false) => Mode::Write,
    };
    let explicit =
        Settings { indent_width: args.indent_width, use_tabs: args.use_tabs, line_width: args.line_width };
    let inputs::Collected { units, errors, notes } =
        inputs::collect(&args.paths, args.stdin_filename.as_deref());
    let mut run = Run {
        mode,
        explicit,
        settings: HashMap::new(),
        cwd: std::env::current_dir().unwrap_or_default(),
        changed: 0,
        unchanged: 0,
        files: false,
        failed: !errors.is_empty(),
        out: io::stdout().lock(),
    };
    for error in errors {
        eprintln!("dfls: {error}");
    }
    for note in notes {
        eprintln!("dfls: {note}");
    }
    for unit in &units {
        match unit {
            Unit::File(input) => {
                let name = input.path().map_or_else(
                    || args.stdin_filename.clone().unwrap_or_default(),
                    |path| path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default(),
                );
                if discover::is_legacy_content(file_name(&name)) {
                    run.file(input, true, args.stdin_filename.as_deref());
                } else if input.path().is_some() && has_json_extension(&name) {
                    eprintln!(
                        "dfls: {}: not an M file or a legacy dataflow-content.json; skipped",
                        input.shown
                    );
                } else {
                    run.file(input, false, args.stdin_filename.as_deref());
                }
            }
            // A JSON file found by a search is a REST payload at most: its M is base64, not formatted.
            Unit::MaybePayload(_) => {}
            Unit::LooseFolder(folder) => {
                for input in &folder.files {
                    run.file(input, false, None);
                }
            }
            Unit::Item(item) => {
                for (part_path, input) in &item.parts {
                    match PartKind::of(part_path) {
                        PartKind::Mashup => run.file(input, false, None),
                        PartKind::LegacyContent => run.file(input, true, None),
                        _ => {}
                    }
                }
            }
        }
    }
    run.finish()
}

fn file_name(name: &str) -> &str {
    name.rsplit(['/', '\\']).next().unwrap_or(name)
}

fn has_json_extension(name: &str) -> bool {
    Path::new(name).extension().is_some_and(|e| e.eq_ignore_ascii_case("json"))
}

impl Run {
    fn file(&mut self, input: &Input, legacy: bool, stdin_name: Option<&str>) {
        let bytes = match input.read() {
            Ok(bytes) => bytes,
            Err(error) => return self.fail(&error.to_string()),
        };
        // The configuration of the folder the file is in; the M of a legacy item is a `mashup.pq` there.
        let path = match input.path() {
            Some(path) => self.cwd.join(path),
            None => self.cwd.join(stdin_name.unwrap_or("stdin.pq")),
        };
        let config_path = if legacy { path.with_file_name("mashup.pq") } else { path };
        let options = match self.project_settings(&config_path) {
            Ok(settings) => settings.options(self.explicit, Settings::default()),
            Err(error) => return self.fail(&format!("{}: {error}", input.shown)),
        };
        let outcome = if legacy {
            legacy::format_legacy(&bytes, &options).map(|formatted| Outcome {
                new: formatted.json,
                shown_old: formatted.old_m,
                shown_new: formatted.new_m,
                diff_name: format!("{}#mashupDocument", input.shown),
                syntax_errors: formatted.syntax_errors,
            })
        } else {
            format::format_bytes(&bytes, &options)
                .map(|formatted| Outcome {
                    new: formatted.text.clone(),
                    shown_old: String::from_utf8_lossy(&bytes).into_owned(),
                    shown_new: formatted.text,
                    diff_name: input.shown.clone(),
                    syntax_errors: formatted.syntax_errors,
                })
                .map_err(legacy::LegacyError::Format)
        };
        let outcome = match outcome {
            Ok(outcome) => outcome,
            Err(legacy::LegacyError::Format(error)) => {
                return self.fail(&format!("{}: {error}", input.shown))
            }
            Err(error) => return self.fail(&format!("{}: {error}", input.shown)),
        };
        if outcome.syntax_errors {
            eprintln!(
                "dfls: {}: has syntax errors; the parts that hold them were left as they are (see `dfls check`)",
                input.shown
            );
        }
        let changed = outcome.new.as_bytes() != bytes.as_slice();
        self.files |= input.path().is_some();
        if changed {
            self.changed += 1;
        } else {
            self.unchanged += 1;
        }
        let result = match (self.mode, input.path()) {
            (Mode::Check, _) => {
                if changed {
                    writeln!(self.out, "{}", input.shown)
                } else {
                    Ok(())
                }
            }
            (Mode::Diff, _) => {
                let name = &outcome.diff_name;
                let diff = diff::unified(
                    &outcome.shown_old,
                    &outcome.shown_new,
                    &format!("a/{name}"),
                    &format!("b/{name}"),
                );
                self.out.write_all(diff.as_bytes())
            }
            (Mode::Write, None) => self.out.write_all(outcome.new.as_bytes()).and_then(|()| self.out.flush()),
            (Mode::Write, Some(path)) => {
                if changed {
                    if let Err(error) = write_atomically(path, outcome.new.as_bytes()) {
                        return self.fail(&format!("cannot write `{}`: {error}", input.shown));
                    }
                }
                Ok(())
            }
        };
        if let Err(error) = result {
            if error.kind() != io::ErrorKind::BrokenPipe {
                self.fail(&format!("cannot write the output: {error}"));
            }
        }
    }

    fn project_settings(&mut self, file: &Path) -> Result<ProjectSettings, ConfigError> {
        let key = file.parent().map(Path::to_path_buf).unwrap_or_default();
        // `.editorconfig` sections may depend on the file's name, so only the name `mashup.pq` is shared.
        let shareable = file.file_name().is_some_and(|n| n == "mashup.pq");
        if shareable {
            if let Some(known) = self.settings.get(&key) {
                return known.clone();
            }
        }
        let settings = config::project_settings(file, &RealFs);
        if shareable {
            self.settings.insert(key, settings.clone());
        }
        settings
    }

    fn fail(&mut self, message: &str) {
        eprintln!("dfls: {message}");
        self.failed = true;
    }

    fn finish(mut self) -> u8 {
        let _ = self.out.flush();
        if self.mode == Mode::Write && self.files {
            let files = |n: usize| if n == 1 { "file" } else { "files" };
            eprintln!(
                "dfls: {} {} formatted, {} {} already formatted",
                self.changed,
                files(self.changed),
                self.unchanged,
                files(self.unchanged)
            );
        }
        if self.failed {
            exit::USAGE
        } else if self.mode != Mode::Write && self.changed > 0 {
            exit::PROBLEMS
        } else {
            exit::SUCCESS
        }
    }
}
