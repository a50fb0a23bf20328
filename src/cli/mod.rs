//! The command line: argument parsing (clap) and the commands. The only module that knows clap, stdout and
//! the process exit code.

use std::process::ExitCode;

/// Runs dfls with the process arguments and returns the exit code (0 success, 1 problems found,
/// 2 usage, file or configuration error, 3 remote API failure).
pub fn main() -> ExitCode {
    ExitCode::from(2)
}
