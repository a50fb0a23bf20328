//! The editor set-ups in `editors/`, tested in the real editors: the Neovim plugin in Debian's Neovim (0.7) and
//! in Neovim 0.11, the Emacs mode with Debian's eglot, and the editors' copies of the tree-sitter queries
//! against the grammar's. The VS Code extension is typechecked, bundled and packaged by `.ci/run` (npm), and
//! tested end to end in code-server by `editors/vscode/test/e2e.mjs` (not part of `cargo test`).
//!
//! A missing editor fails the test under `CI=true` and is skipped with a note otherwise.

mod emacs;
mod nvim;
mod queries;
mod support;
