//! The language server driven through the protocol: in process with [`support::TestServer`] (framed
//! messages over an in-memory pipe), over real stdio by spawning `dfls lsp`, and by a real editor
//! (headless Neovim, when `nvim` is installed; CI installs it).

#[path = "../common/mod.rs"]
mod common;
mod support;

mod commands;
mod deep;
mod features;
mod formatting;
mod item_diagnostics;
mod nvim;
mod properties;
mod protocol;
mod responsive;
mod siblings;
mod stdio;
