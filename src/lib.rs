//! # dfls: editor tooling for Microsoft Fabric Dataflow Gen2 definitions
//!
//! One binary that is a language server for Dataflow Gen2 items (`mashup.pq`, `queryMetadata.json`,
//! `.platform`, ...), a checker for pre-commit and CI, a Fabric REST client, and a local Fabric emulator.
//! The design is `docs/architecture.md`; this is the module map a new engineer reads first.
//!
//! ## Modules, from the bottom up
//!
//! | module | owns | may use |
//! |---|---|---|
//! | [`text`] | bytes to text without moving offsets; offsets to lines and columns; line diffs (`similar`); the percent-encoding of URI components | std |
//! | [`cancel`] | cooperative cancellation: a token per computation, checkpoints in long loops that unwind when it is cancelled; any module may check it | std |
//! | [`config`] | `dfls.toml`: the one upward search and the one reader (`toml`), for the formatter and the Fabric targets | `text` |
//! | [`suggest`] | "did you mean": the names closest to an unknown one, by edit distance | std |
//! | [`diagnostics`] | the ONE diagnostic model, the code registry, the renderers (human, JSON, GitHub, SARIF) | `text` |
//! | [`syntax`] | M on tree-sitter: parse, incremental reparse, syntax and lexical diagnostics (`M1xx`), the text as their fixes make it | `diagnostics`, `text` |
//! | [`json`] | JSON on tree-sitter-json with positions; schema validation (`J1xx`) | `syntax` (the tree walkers), `diagnostics`, `text` |
//! | [`library`] | the M standard library catalog (functions, types, enums, Fabric connectors) | std |
//! | [`semantics`] | scopes, definitions, references and name resolution; name diagnostics (`M2xx`) | `syntax`, `library`, `suggest`, `diagnostics`, `text` |
//! | [`definition`] | a Dataflow item as one unit: discovery (the one list of files that are never parts), parts and payloads, parameter queries, part paths checked against each other, item folders read and written all or nothing, conversion, cross-file rules (`D1xx`); Fabric's schedule rules (limits, Windows time zones, when a schedule fires next) for the CLI, the emulator and the checker of `.schedules` | `syntax`, `json`, `semantics`, `diagnostics`, `text` |
//! | [`format`] | the M formatter: layout in a width, comments and broken parts kept, options from `dfls.toml` (through `config`) and `.editorconfig` | `syntax`, `json`, `text`, `config`, `definition` (the legacy JSON pointer) |
//! | [`ide`] | every editor feature as pure functions over byte offsets: completion, hover, signature help, navigation, rename, symbols, folding, selection, semantic tokens, code actions, JSON completion and hover | `syntax`, `json`, `library`, `semantics`, `definition` (read-only views), `diagnostics`, `text` |
//! | [`eval`] | the M evaluator: the tree lowered to expressions, values (lazy lists, records and columnar tables), errors as values, the operators, the language, the standard library by category (`eval/library/`), vectorized kernels for `each` functions over whole columns (`eval/kernels/`), the printed forms (JSON, M, table, CSV, Parquet, Arrow), the data sources (`eval/sources.rs`); pure and cancellable, on a thread of its own with a large stack | `syntax`, `semantics`, `library`, `suggest`, `diagnostics`, `text` |
//! | [`fabric`] | the Fabric REST client (reqwest): `dfls.toml` targets, tokens, retries, long-running operations, items, definitions and jobs; push, pull, publish, refresh; listing, parameters and schedule changes for the command line and the server alike | `config`, `definition`, `diagnostics`, `text`, `suggest` (did you mean a Dataflow, a parameter), `emulator` (the embedded target) |
//! | [`lsp`] | `dfls lsp`, the language server (tower-lsp-server, tokio): buffers as ropes, incremental reparse, item checks with open buffers overlaid, positions converted in `lsp::convert` only, requests routed to `ide` and `format`; the deploy and Dataflow commands (list, parameters, schedules) and the "Next refresh" lens through `fabric` | `ide`, `format`, `fabric`, `definition`, `semantics`, `syntax`, `json`, `diagnostics`, `text` |
//! | [`emulator`] | the local Fabric: the REST API (workspaces, items, definitions, the Dataflow group, long-running operations, jobs, schedules) over HTTP (axum), state in SQLite (rusqlite), job states computed from stored times, a scheduler that runs due schedules, a clock that can run fast, fault injection; embedded (a background thread) or served by `dfls emulator` | `definition` (payloads, parameter queries, the item checker ApplyChanges runs, the schedule rules), `diagnostics`, `text` |
//! | [`cli`] | the command line (clap): `dfls check`, `dfls fmt`, `dfls lsp`, `dfls push`, `dfls emulator`, ... | everything |
//!
//! ## Invariants
//!
//! - **Parsing never fails.** Any byte string gives a tree plus diagnostics; every error of a file is
//!   reported, not just the first; lexical problems are diagnostics with ranges.
//! - **One grammar.** grammars/tree-sitter-powerquery is the parser here and the highlighter in editors.
//! - **Byte offsets inside.** Ranges are byte offsets into the text; [`text::LineIndex`] is the one place
//!   that makes lines and columns of them (columns in Unicode scalar values; CRLF and a BOM never shift a
//!   range). Invalid UTF-8 is decoded without moving any offset ([`text::decode`]).
//! - **One diagnostic model.** Every check returns [`diagnostics::Diagnostic`]s with a stable code
//!   documented in docs/diagnostics.md; renderers and the server read the same values.
//! - **The core is pure.** `text`, `diagnostics`, `syntax`, `json`, `library`, `semantics`, `definition`,
//!   `format`, `ide`, `eval` and `config` do no IO, never panic on input, and never recurse on the depth of the
//!   input, so 100,000 nested parentheses are just a deep tree. IO is at the edges: `cli` and `lsp`
//!   (files, the terminal, the protocol), `fabric` (HTTP, token commands) and `emulator` (an HTTP server,
//!   SQLite); and in three named places below them, because several edges need the very same IO and it
//!   must happen one way: [`definition::folder`] (item folders read, and written all or nothing),
//!   [`config::RealFs`] (reading `dfls.toml` and `.editorconfig` for the search, which itself goes through
//!   the [`config::ConfigFs`] its caller passes) and [`eval::sources::local`] (the files, folders, local
//!   lakehouse and allowed web addresses an evaluation reads, through the [`eval::sources::Sources`] its
//!   caller passes). [`definition::schedules`] reads the system's time-zone
//!   database, through `jiff` (which caches it), to say when a schedule fires.
//! - **Long work is cancellable.** Loops whose length grows with the input call [`cancel::checkpoint`],
//!   so the language server can stop a computation whose result nobody wants any more (a cancelled
//!   request, a superseded version); outside the server nothing is ever cancelled.
//! - **Linear in the tree.** No walk asks a node for its parent or siblings (tree-sitter finds them by
//!   descending from the root again, so a walk that climbs costs the square of the depth): walks keep
//!   what they need on their own stack, and lookups by offset go through [`syntax::locate`]. Results that
//!   nest (the outline, selection chains) have a bounded depth.
//! - **Only the edges know protocols.** Only `cli` knows clap and the terminal; only `lsp` knows LSP types; only
//!   `fabric` knows the HTTP client and only `emulator` the HTTP server and SQLite. The language server's stdout
//!   is its protocol channel (logs go to stderr).

pub mod cancel;
pub mod cli;
pub mod config;
pub mod definition;
pub mod diagnostics;
pub mod emulator;
pub mod eval;
pub mod fabric;
pub mod format;
pub mod ide;
pub mod json;
pub mod library;
pub mod lsp;
pub mod semantics;
pub mod suggest;
pub mod syntax;
pub mod text;

#[cfg(test)]
mod architecture_document {
    /// `docs/architecture.md` lays out every module of the crate (a line `  NAME/` of its layout, or `NAME.rs`),
    /// so that a module
    /// cannot be added, or renamed, without the architecture document following.
    #[test]
    fn names_every_module() {
        let document = include_str!("../docs/architecture.md");
        let modules = include_str!("lib.rs").lines().filter_map(|line| line.strip_prefix("pub mod "));
        let mut missing = Vec::new();
        for module in modules.map(|m| m.trim_end_matches(';')) {
            if !document.contains(&format!("\n  {module}/ ")) && !document.contains(&format!("{module}.rs")) {
                missing.push(module);
            }
        }
        assert!(missing.is_empty(), "docs/architecture.md does not lay out {missing:?}");
    }
}
