//! The language server driven through the protocol: in process with [`support::TestServer`] (framed
//! messages over an in-memory pipe) and over real stdio by spawning `dfls lsp`. The server in real editors is
//! tested by `tests/tools/` (headless Neovim, Emacs, VS Code in code-server).

#[path = "../common/mod.rs"]
mod common;
mod support;

mod commands;
mod deep;
mod features;
mod formatting;
mod item_diagnostics;
mod manage;
mod properties;
mod protocol;
mod responsive;
mod siblings;
mod stdio;
