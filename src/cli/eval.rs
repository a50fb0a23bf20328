//! `dfls eval [EXPR | FILE | -]`: evaluates M locally and prints the value (README, "dfls eval").
//!
//! The argument is a file or an item folder when one exists at that path, `-` for standard input, and
//! otherwise the expression itself. Evaluation runs on a thread of its own with a large stack
//! ([`crate::eval::run_on_large_stack`]), under a cancellation token that `--timeout` cancels. Exit codes:
//! 0 a value, 1 an error value (printed in the chosen format) or a timeout, 2 usage (and syntax errors),
//! 3 a data source that cannot be reached from here (an error whose reason starts with `DataSource.`).
//! The sources are this machine's ([`Local`]): its files and folders, and the lakehouse folder and web
//! addresses `[eval]` of the dfls.toml found from the working directory configures.

use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::time::Duration;

use clap::{Args, ValueEnum};

use super::exit;
use crate::eval::render::columnar::Refusal;
use crate::eval::sources::local::Local;
use crate::eval::sources::Sources;
use crate::eval::value::Value;
use crate::eval::{self, render, Request, Setup};

#[derive(Debug, Args)]
pub(super) struct EvalArgs {
    /// An M expression, an M file, an item folder (or its mashup.pq), or `-` for standard input.
    #[arg(value_name = "EXPR|FILE|-")]
    input: String,

    /// The shared member of a section document (a query of an item) to evaluate.
    #[arg(long, value_name = "NAME")]
    query: Option<String>,

    /// Override a parameter query: NAME=VALUE, VALUE read as the kind of value the parameter has.
    #[arg(long = "param", value_name = "NAME=VALUE")]
    parameters: Vec<String>,

    /// How to print the value [default: table on a terminal, json otherwise].
    #[arg(long, value_enum)]
    format: Option<EvalFormat>,

    /// The rows a table shows in the `table` format.
    #[arg(long, value_name = "N", default_value_t = 20)]
    rows: usize,

    /// Stop the evaluation after this many seconds.
    #[arg(long, value_name = "SECONDS")]
    timeout: Option<f64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum EvalFormat {
    /// An aligned table with column types, the first rows and the row count.
    Table,
    /// The value as an M literal.
    M,
    /// The JSON encoding (README, "dfls eval").
    Json,
    /// A table as CSV.
    Csv,
    /// A table as a Parquet file (snappy).
    Parquet,
    /// A table as an Arrow IPC stream.
    Arrow,
}

/// What the evaluation thread hands back: what to print, where, and the exit code.
struct Printed {
    stdout: Vec<u8>,
    stderr: String,
    code: u8,
}

pub(super) fn run(args: EvalArgs) -> u8 {
    let (text, origin) = match read_input(&args.input) {
        Ok(read) => read,
        Err(message) => {
            eprintln!("dfls eval: {message}");
            return exit::USAGE;
        }
    };
    let mut parameters = Vec::new();
    for parameter in &args.parameters {
        let Some((name, value)) = parameter.split_once('=') else {
            eprintln!("dfls eval: --param takes NAME=VALUE, not `{parameter}`");
            return exit::USAGE;
        };
        parameters.push((name.to_owned(), value.to_owned()));
    }
    if let Some(seconds) = args.timeout {
        if !(seconds.is_finite() && seconds > 0.0) {
            eprintln!("dfls eval: --timeout takes a positive number of seconds, not {seconds}");
            return exit::USAGE;
        }
    }
    let format = args.format.unwrap_or(if std::io::stdout().is_terminal() {
        EvalFormat::Table
    } else {
        EvalFormat::Json
    });
    let local = match std::env::current_dir()
        .map_err(|e| e.to_string())
        .and_then(|folder| crate::config::load(&folder, &crate::config::RealFs).map_err(|e| e.to_string()))
    {
        // A relative lakehouse folder is relative to the dfls.toml.
        Ok(project) => Local {
            lakehouse: project
                .file
                .eval
                .lakehouse
                .as_ref()
                .map(|folder| project.root.clone().unwrap_or_default().join(folder)),
            web: project.file.eval.web.clone(),
            ..Local::default()
        },
        Err(message) => {
            eprintln!("dfls eval: {message}");
            return exit::USAGE;
        }
    };
    let request = Request { text, query: args.query.clone(), parameters };
    let token = crate::cancel::Token::new();
    if let Some(seconds) = args.timeout {
        let timer = token.clone();
        std::thread::spawn(move || {
            std::thread::sleep(Duration::from_secs_f64(seconds));
            timer.cancel();
        });
    }
    let rows = args.rows;
    let printed = eval::run_on_large_stack(move || {
        let sources: Rc<dyn Sources> = Rc::new(local);
        let work =
            || eval::sources::with_sources(sources, || evaluate_and_print(&request, &origin, format, rows));
        match crate::cancel::run(&token, work) {
            Ok(printed) => printed,
            Err(crate::cancel::Cancelled) => Printed {
                stdout: Vec::new(),
                stderr: format!(
                    "dfls eval: the evaluation was stopped after {} seconds (--timeout)\n",
                    args.timeout.unwrap_or_default()
                ),
                code: exit::PROBLEMS,
            },
        }
    });
    let mut out = std::io::stdout().lock();
    if let Err(error) = std::io::Write::write_all(&mut out, &printed.stdout).and_then(|()| out.flush()) {
        eprintln!("dfls eval: cannot write the output: {error}");
        return exit::PROBLEMS;
    }
    eprint!("{}", printed.stderr);
    printed.code
}

/// Reads the argument: standard input, a file, an item folder's mashup.pq, or the expression itself.
/// Returns the text and the name to show in messages.
fn read_input(input: &str) -> Result<(String, String), String> {
    if input == "-" {
        let mut bytes = Vec::new();
        std::io::stdin().read_to_end(&mut bytes).map_err(|e| format!("cannot read standard input: {e}"))?;
        return Ok((crate::text::decode(&bytes).text, "<stdin>".to_owned()));
    }
    let path = Path::new(input);
    let file: Option<PathBuf> = if path.is_dir() {
        let mashup = path.join("mashup.pq");
        let legacy = path.join("dataflow-content.json");
        if mashup.is_file() {
            Some(mashup)
        } else if legacy.is_file() {
            Some(legacy)
        } else {
            return Err(format!("{input} is a folder without a mashup.pq or a dataflow-content.json"));
        }
    } else if path.is_file() {
        Some(path.to_owned())
    } else if input.ends_with(".pq") || input.ends_with(".m") || input.ends_with(".Dataflow") {
        return Err(format!("there is no file or folder {input}"));
    } else {
        None
    };
    match file {
        Some(file) => {
            let bytes = std::fs::read(&file).map_err(|e| format!("cannot read {}: {e}", file.display()))?;
            let text = crate::text::decode(&bytes).text;
            // A legacy item: its section document is the `mashupDocument` string inside the JSON.
            if file.file_name().is_some_and(|name| name == "dataflow-content.json") {
                let converted = crate::definition::convert::legacy_dataflow_content(&text)
                    .map_err(|e| format!("{}: {e}", file.display()))?;
                let mashup =
                    converted.mashup.ok_or_else(|| format!("{} holds no mashup document", file.display()))?;
                return Ok((mashup, format!("{}#mashupDocument", file.display())));
            }
            Ok((text, file.display().to_string()))
        }
        None => Ok((input.to_owned(), "<expression>".to_owned())),
    }
}

/// What a table format prints instead of a table it cannot write: an error in a cell (exit 1), or a value
/// that is not a table it can write (usage, exit 2).
fn refused(refusal: Refusal) -> Printed {
    match refusal {
        Ok(error) => Printed {
            stdout: Vec::new(),
            stderr: format!("dfls eval: a cell is an error: {}: {}\n", error.reason(), error.message()),
            code: exit::PROBLEMS,
        },
        Err(message) => {
            Printed { stdout: Vec::new(), stderr: format!("dfls eval: {message}\n"), code: exit::USAGE }
        }
    }
}

fn evaluate_and_print(request: &Request, origin: &str, format: EvalFormat, rows: usize) -> Printed {
    let outcome = match eval::evaluate(request) {
        Ok(outcome) => outcome,
        Err(Setup::Syntax(error)) => {
            let index = crate::text::LineIndex::new(&request.text);
            let at = index.line_column(&request.text, error.range.start);
            return Printed {
                stdout: Vec::new(),
                stderr: format!("{origin}:{}:{}: {}\n", at.line, at.column, error.message),
                code: exit::USAGE,
            };
        }
        Err(Setup::Request(message)) => {
            return Printed {
                stdout: Vec::new(),
                stderr: format!("dfls eval: {message}\n"),
                code: exit::USAGE,
            }
        }
    };
    let code = match &outcome {
        Ok(_) => exit::SUCCESS,
        Err(error) if error.reason().starts_with("DataSource.") => exit::REMOTE,
        Err(_) => exit::PROBLEMS,
    };
    let table_bytes = |write: fn(&Value) -> Result<Vec<u8>, Refusal>| match &outcome {
        Err(_) => Ok((render::m_outcome(&outcome) + "\n").into_bytes()),
        Ok(value) => write(value).map_err(refused),
    };
    let stdout = match format {
        EvalFormat::Json => (render::json(&outcome).pretty() + "\n").into_bytes(),
        EvalFormat::M => (render::m_outcome(&outcome) + "\n").into_bytes(),
        EvalFormat::Table => render::text_table(&outcome, rows).into_bytes(),
        EvalFormat::Csv => match table_bytes(|value| render::csv(value).map(String::into_bytes)) {
            Ok(bytes) => bytes,
            Err(printed) => return printed,
        },
        EvalFormat::Parquet => match table_bytes(render::columnar::parquet) {
            Ok(bytes) => bytes,
            Err(printed) => return printed,
        },
        EvalFormat::Arrow => match table_bytes(render::columnar::arrow_stream) {
            Ok(bytes) => bytes,
            Err(printed) => return printed,
        },
    };
    Printed { stdout, stderr: String::new(), code }
}
