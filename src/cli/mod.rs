//! The command line: argument parsing (clap) and the commands. The only module that knows clap, stdout,
//! the terminal and the process exit code; each command lives in its own file and turns arguments into
//! calls of the pure modules below, then renders what they return.
//!
//! Commands: [`check`], [`pack`] (`pack` and `unpack`), [`convert`], [`fmt`], [`eval`], [`lsp`] (the language server,
//! in `crate::lsp`), [`emulator`] (the local Fabric, in `crate::emulator`), and the REST commands [`push`],
//! [`pull`], [`run`] (`publish`, `refresh`) and [`jobs`] (`status`, `jobs`, `cancel`), which share [`remote`].
//! Reading the PATH arguments: [`inputs`], over the file system side in [`walk`].

mod check;
mod convert;
mod emulator;
mod eval;
mod fmt;
mod inputs;
mod items;
mod jobs;
mod lsp;
mod pack;
mod pull;
mod push;
mod remote;
mod run;
mod schedule;
mod walk;

use std::io::IsTerminal;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

/// The process exit codes (docs/architecture.md, "Contracts with tools").
pub mod exit {
    /// Success.
    pub const SUCCESS: u8 = 0;
    /// The check found errors, or a job failed or was cancelled.
    pub const PROBLEMS: u8 = 1;
    /// A usage, file or configuration error.
    pub const USAGE: u8 = 2;
    /// The remote API refused or could not be reached.
    pub const REMOTE: u8 = 3;
}

/// Editor tooling for Microsoft Fabric Dataflow Gen2 definitions and Power Query M.
#[derive(Debug, Parser)]
// clap's own `help` subcommand refuses `dfls help --help`; this one is an ordinary subcommand.
#[command(name = "dfls", version, about, propagate_version = true, disable_help_subcommand = true)]
struct Cli {
    /// When to color the output: `auto` colors it when stdout is a terminal and `NO_COLOR` is not set.
    #[arg(long, value_enum, global = true, default_value_t = ColorChoice::Auto, value_name = "WHEN")]
    color: ColorChoice,

    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Check M files for errors and print the diagnostics.
    Check(check::CheckArgs),
    /// Print the REST definition payload (base64 parts) of an item folder.
    Pack(pack::PackArgs),
    /// Write the parts of a REST definition payload into a folder.
    Unpack(pack::UnpackArgs),
    /// Convert a legacy dataflow-content.json or a 202409 queryMetadata.json to the current format.
    Convert(convert::ConvertArgs),
    /// Format M files, the mashup.pq of item folders and the M inside legacy dataflow-content.json files.
    Fmt(fmt::FmtArgs),
    /// Run the language server on stdin and stdout.
    Lsp(lsp::LspArgs),
    /// Check item folders and push their definitions to Fabric (create or update).
    Push(push::PushArgs),
    /// Write the definition of a Dataflow from Fabric into its item folder.
    Pull(pull::PullArgs),
    /// Publish a Dataflow (the ApplyChanges job).
    Publish(run::PublishArgs),
    /// Refresh a Dataflow (the Execute job).
    Refresh(run::RefreshArgs),
    /// Show the state of a Dataflow's newest job, or of a given one.
    Status(jobs::StatusArgs),
    /// List a Dataflow's jobs.
    Jobs(jobs::JobsArgs),
    /// Cancel a Dataflow's running job.
    Cancel(jobs::StatusArgs),
    /// List the workspace's Dataflows, with their newest job and the local folder of each.
    Ls(items::LsArgs),
    /// Delete a Dataflow (asked on a terminal; --yes elsewhere).
    Delete(items::DeleteArgs),
    /// Change a Dataflow's display name or description (and its folder's .platform).
    Set(items::SetArgs),
    /// Show a Dataflow's public parameters.
    Parameters(items::ParametersArgs),
    /// List, add, set, remove, enable or disable a Dataflow's refresh (or publish) schedules.
    Schedule(schedule::ScheduleArgs),
    /// Evaluate M locally (an expression, a file, or a query of an item) and print the value.
    Eval(eval::EvalArgs),
    /// Serve the local Fabric emulator over HTTP; the first stdout line is its base URL.
    Emulator(emulator::EmulatorArgs),
    /// Print the help of dfls, or of a command (`dfls help push`).
    Help(HelpArgs),
}

#[derive(Debug, clap::Args)]
struct HelpArgs {
    /// The command to explain [default: all of them]
    #[arg(value_name = "COMMAND")]
    command: Option<String>,
}

/// `dfls help [COMMAND]`: the same text as `dfls [COMMAND] --help`.
fn help(args: HelpArgs) -> u8 {
    use clap::CommandFactory;
    let dfls = Cli::command();
    let mut argv = vec!["dfls".to_owned()];
    if let Some(name) = &args.command {
        if dfls.find_subcommand(name).is_none() {
            let names: Vec<&str> = dfls.get_subcommands().map(|command| command.get_name()).collect();
            let hint = match crate::suggest::closest(name, names, 1).first() {
                Some(near) => format!("; did you mean `{near}`?"),
                None => String::new(),
            };
            eprintln!("dfls: there is no command `{name}`{hint} (`dfls help` lists them)");
            return exit::USAGE;
        }
        argv.push(name.clone());
    }
    argv.push("--help".to_owned());
    match dfls.try_get_matches_from(argv) {
        Err(shown) => {
            let _ = shown.print();
            exit::SUCCESS
        }
        Ok(_) => exit::SUCCESS,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum ColorChoice {
    Auto,
    Always,
    Never,
}

impl ColorChoice {
    /// Whether to color what goes to stdout.
    fn for_stdout(self) -> bool {
        self.enabled(std::io::stdout().is_terminal())
    }

    /// Whether to color what goes to stderr.
    fn for_stderr(self) -> bool {
        self.enabled(std::io::stderr().is_terminal())
    }

    fn enabled(self, stream_is_terminal: bool) -> bool {
        match self {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            // An empty NO_COLOR does not count, as https://no-color.org defines it.
            ColorChoice::Auto => {
                stream_is_terminal && std::env::var_os("NO_COLOR").is_none_or(|value| value.is_empty())
            }
        }
    }
}

/// Runs dfls with the process arguments and returns the exit code (0 success, 1 problems found,
/// 2 usage, file or configuration error, 3 remote API failure).
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => {
            // `--help` and `--version` arrive here too, with exit code 0 and their text for stdout.
            let _ = error.print();
            return ExitCode::from(u8::try_from(error.exit_code()).unwrap_or(exit::USAGE));
        }
    };
    let color = cli.color.for_stdout();
    let code = match cli.command {
        Command::Check(args) => check::run(args, color),
        Command::Pack(args) => pack::pack(args),
        Command::Unpack(args) => pack::unpack(args, cli.color.for_stderr()),
        Command::Convert(args) => convert::run(args),
        Command::Fmt(args) => fmt::run(args),
        Command::Lsp(args) => lsp::run(args),
        Command::Push(args) => push::run(args, cli.color.for_stderr()),
        Command::Pull(args) => pull::run(args),
        Command::Publish(args) => run::publish(args),
        Command::Refresh(args) => run::refresh(args),
        Command::Status(args) => jobs::status(args),
        Command::Jobs(args) => jobs::jobs(args),
        Command::Cancel(args) => jobs::cancel(args),
        Command::Ls(args) => items::ls(args),
        Command::Delete(args) => items::delete(args),
        Command::Set(args) => items::set(args),
        Command::Parameters(args) => items::parameters(args),
        Command::Schedule(args) => schedule::run(args),
        Command::Eval(args) => eval::run(args),
        Command::Emulator(args) => emulator::run(args),
        Command::Help(args) => help(args),
    };
    ExitCode::from(code)
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::*;

    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn check_defaults_to_the_current_directory() {
        let cli = Cli::try_parse_from(["dfls", "check"]).unwrap();
        let Command::Check(args) = cli.command else { panic!("not parsed as check") };
        assert_eq!(args.paths, [std::path::PathBuf::from(".")]);
        assert_eq!(cli.color, ColorChoice::Auto);
    }

    #[test]
    fn color_is_accepted_after_the_command() {
        let cli = Cli::try_parse_from(["dfls", "check", "--color", "never", "-"]).unwrap();
        assert_eq!(cli.color, ColorChoice::Never);
        assert!(Cli::try_parse_from(["dfls", "check", "--format", "xml"]).is_err());
    }
}
