//! What the client can do (read once from `initialize`) and what the server offers in return.
//!
//! The server offers every feature `ide` has, incremental text sync, the negotiated position encoding, and
//! diagnostics the way the client prefers: pulled (`textDocument/diagnostic`) when the client supports
//! that, else pushed (`textDocument/publishDiagnostics`), never both for one file, so a client that merges
//! the two does not show a problem twice. A pull client pulls only the documents it has open: the closed
//! files of an item with an open file are pushed to it (`publish`), rather than answered through
//! `workspace/diagnostic`, which VS Code's client polls every 2 s and other editors do not send.

use tower_lsp_server::ls_types::{
    ClientCapabilities, CodeActionKind, CodeActionOptions, CodeActionProviderCapability, CodeLensOptions,
    CompletionOptions, DiagnosticOptions, DiagnosticServerCapabilities, DocumentOnTypeFormattingOptions,
    ExecuteCommandOptions, FoldingRangeProviderCapability, HoverProviderCapability, MarkupKind, OneOf,
    RenameOptions, ResourceOperationKind, SelectionRangeProviderCapability, SemanticTokensFullOptions,
    SemanticTokensOptions, SemanticTokensServerCapabilities, ServerCapabilities, SignatureHelpOptions,
    TextDocumentSyncCapability, TextDocumentSyncKind, TextDocumentSyncOptions, WorkDoneProgressOptions,
    WorkspaceFoldersServerCapabilities, WorkspaceServerCapabilities,
};

use super::convert::Encoding;
use crate::ide;

/// The client capabilities the server acts on.
#[derive(Debug, Clone, Copy, Default)]
pub struct ClientFlags {
    /// The client pulls diagnostics (`textDocument.diagnostic`): the server does not push them.
    pub pull_diagnostics: bool,
    /// The client accepts `workspace/diagnostic/refresh`, to re-pull after a change in another file.
    pub diagnostic_refresh: bool,
    /// The client lets the server register file watchers (`workspace.didChangeWatchedFiles`).
    pub watch_files: bool,
    /// The client inserts snippets in completion items.
    pub snippets: bool,
    /// The client shows markdown in hovers and documentation.
    pub markdown: bool,
    /// The client takes `documentChanges` in workspace edits.
    pub document_changes: bool,
    /// The client renames files in workspace edits (`resourceOperations` holds `rename`).
    pub rename_files: bool,
    /// The client takes `LocationLink`s for go to definition.
    pub definition_links: bool,
    /// The client supports hierarchical document symbols.
    pub hierarchical_symbols: bool,
    /// The client shows work-done progress the server creates (`window.workDoneProgress`).
    pub work_done_progress: bool,
    /// The client accepts `workspace/codeLens/refresh`.
    pub code_lens_refresh: bool,
}

impl ClientFlags {
    pub fn of(capabilities: &ClientCapabilities) -> ClientFlags {
        let text = capabilities.text_document.as_ref();
        let workspace = capabilities.workspace.as_ref();
        ClientFlags {
            work_done_progress: capabilities
                .window
                .as_ref()
                .and_then(|w| w.work_done_progress)
                .unwrap_or(false),
            code_lens_refresh: workspace
                .and_then(|w| w.code_lens.as_ref())
                .and_then(|c| c.refresh_support)
                .unwrap_or(false),
            pull_diagnostics: text.is_some_and(|t| t.diagnostic.is_some()),
            diagnostic_refresh: workspace
                .and_then(|w| w.diagnostics.as_ref())
                .and_then(|d| d.refresh_support)
                .unwrap_or(false),
            watch_files: workspace
                .and_then(|w| w.did_change_watched_files.as_ref())
                .and_then(|w| w.dynamic_registration)
                .unwrap_or(false),
            snippets: text
                .and_then(|t| t.completion.as_ref())
                .and_then(|c| c.completion_item.as_ref())
                .and_then(|i| i.snippet_support)
                .unwrap_or(false),
            markdown: text
                .and_then(|t| t.hover.as_ref())
                .and_then(|h| h.content_format.as_ref())
                .is_some_and(|formats| formats.contains(&MarkupKind::Markdown)),
            document_changes: workspace
                .and_then(|w| w.workspace_edit.as_ref())
                .and_then(|e| e.document_changes)
                .unwrap_or(false),
            rename_files: workspace
                .and_then(|w| w.workspace_edit.as_ref())
                .and_then(|e| e.resource_operations.as_ref())
                .is_some_and(|operations| operations.contains(&ResourceOperationKind::Rename)),
            definition_links: text
                .and_then(|t| t.definition.as_ref())
                .and_then(|d| d.link_support)
                .unwrap_or(false),
            hierarchical_symbols: text
                .and_then(|t| t.document_symbol.as_ref())
                .and_then(|s| s.hierarchical_document_symbol_support)
                .unwrap_or(false),
        }
    }
}

/// The capabilities the server announces.
pub fn server(client: ClientFlags, encoding: Encoding) -> ServerCapabilities {
    ServerCapabilities {
        position_encoding: Some(encoding.kind()),
        text_document_sync: Some(TextDocumentSyncCapability::Options(TextDocumentSyncOptions {
            open_close: Some(true),
            change: Some(TextDocumentSyncKind::INCREMENTAL),
            ..TextDocumentSyncOptions::default()
        })),
        diagnostic_provider: client.pull_diagnostics.then(|| {
            DiagnosticServerCapabilities::Options(DiagnosticOptions {
                // Not the server's name: VS Code's client files pushed diagnostics under the client's name
                // ("dfls") and pulled ones under this identifier, and one owner for both would let the
                // clearing of a closed file's push, when it opens, wipe the problems its pull reported.
                identifier: Some("dfls-pull-diagnostics".to_owned()),
                // A change in one file of an item changes the cross-file diagnostics of the others.
                inter_file_dependencies: true,
                workspace_diagnostics: false,
                work_done_progress_options: WorkDoneProgressOptions::default(),
            })
        }),
        code_action_provider: Some(CodeActionProviderCapability::Options(CodeActionOptions {
            code_action_kinds: Some(vec![CodeActionKind::QUICKFIX, CodeActionKind::REFACTOR_REWRITE]),
            resolve_provider: Some(false),
            ..CodeActionOptions::default()
        })),
        workspace: Some(WorkspaceServerCapabilities {
            workspace_folders: Some(WorkspaceFoldersServerCapabilities {
                supported: Some(true),
                change_notifications: Some(OneOf::Left(true)),
            }),
            file_operations: None,
        }),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        folding_range_provider: Some(FoldingRangeProviderCapability::Simple(true)),
        selection_range_provider: Some(SelectionRangeProviderCapability::Simple(true)),
        document_symbol_provider: Some(OneOf::Left(true)),
        workspace_symbol_provider: Some(OneOf::Left(true)),
        semantic_tokens_provider: Some(SemanticTokensServerCapabilities::SemanticTokensOptions(
            SemanticTokensOptions {
                legend: super::tokens::legend(),
                range: Some(true),
                full: Some(SemanticTokensFullOptions::Delta { delta: Some(true) }),
                work_done_progress_options: WorkDoneProgressOptions::default(),
            },
        )),
        signature_help_provider: Some(SignatureHelpOptions {
            trigger_characters: Some(vec!["(".to_owned(), ",".to_owned()]),
            retrigger_characters: Some(vec![")".to_owned()]),
            work_done_progress_options: WorkDoneProgressOptions::default(),
        }),
        definition_provider: Some(OneOf::Left(true)),
        references_provider: Some(OneOf::Left(true)),
        document_highlight_provider: Some(OneOf::Left(true)),
        rename_provider: Some(OneOf::Right(RenameOptions {
            prepare_provider: Some(true),
            work_done_progress_options: WorkDoneProgressOptions::default(),
        })),
        completion_provider: Some(CompletionOptions {
            trigger_characters: Some(
                ide::completion::TRIGGER_CHARACTERS.iter().map(char::to_string).collect(),
            ),
            resolve_provider: Some(false),
            ..CompletionOptions::default()
        }),
        execute_command_provider: Some(ExecuteCommandOptions {
            commands: super::commands::COMMANDS.iter().map(|c| (*c).to_owned()).collect(),
            work_done_progress_options: WorkDoneProgressOptions::default(),
        }),
        code_lens_provider: Some(CodeLensOptions { resolve_provider: Some(false) }),
        document_formatting_provider: Some(OneOf::Left(true)),
        document_range_formatting_provider: Some(OneOf::Left(true)),
        document_on_type_formatting_provider: Some(DocumentOnTypeFormattingOptions {
            first_trigger_character: crate::format::edits::ON_TYPE_TRIGGER.to_owned(),
            more_trigger_character: Some(
                crate::format::edits::MORE_ON_TYPE_TRIGGERS.iter().map(|c| (*c).to_owned()).collect(),
            ),
        }),
        ..ServerCapabilities::default()
    }
}
