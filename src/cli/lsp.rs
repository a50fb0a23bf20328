//! `dfls lsp`: runs the language server on stdin and stdout until the client exits. Everything is in
//! [`crate::lsp`]; this only maps the outcome to an exit code.

use clap::Args;

use super::exit;

#[derive(Debug, Args)]
pub(super) struct LspArgs {
    /// Accepted for clients that pass it (VS Code's language client does); stdio is the only transport.
    #[arg(long)]
    stdio: bool,
}

pub(super) fn run(_args: LspArgs) -> u8 {
    match crate::lsp::run_stdio() {
        Ok(()) => exit::SUCCESS,
        Err(error) => {
            eprintln!("dfls lsp: {error}");
            exit::USAGE
        }
    }
}
