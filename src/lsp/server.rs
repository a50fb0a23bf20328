//! The language server: the protocol's entry points, in the order the client sends them.
//!
//! Notifications that change documents (`didOpen`, `didChange`, `didClose`, `didChangeWatchedFiles`) run
//! on the main loop and apply their change synchronously at the start of the handler, before any
//! `.await`, so changes are applied in the order they were sent and a request that follows a change sees
//! it. Everything else reads snapshots: diagnostics on the worker ([`publish`]), requests on the blocking
//! pool through [`features`], where a panic becomes an error response. Nothing here computes a feature.

use std::path::PathBuf;
use std::sync::{Arc, PoisonError};

use serde_json::Value;
use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::*;
use tower_lsp_server::{Client, LanguageServer};

use super::capabilities::{self, ClientFlags};
use super::convert::Encoding;
use super::document::OpenDocument;
use super::features;
use super::publish;
use super::state::Shared;
use super::task;
use super::workspace::{self, DocKey, ItemKey, SettingsCache};

/// The server behind tower-lsp-server's service.
pub struct Server {
    client: Client,
    shared: Arc<Shared>,
}

impl Server {
    pub fn new(client: Client, shared: Arc<Shared>) -> Server {
        Server { client, shared }
    }

    /// After a file at `key` appeared, changed or went (on disk or as a buffer): decides again the item of
    /// every open document in its folder (a new `mashup.pq` can make a folder an item), and marks changed
    /// the items involved. Returns them.
    fn refresh_items_near(&self, key: &DocKey) -> Vec<ItemKey> {
        let folder = key.path().and_then(|p| p.parent()).map(PathBuf::from);
        // Read before the lock: no disk IO while the state is held.
        let listing = folder.as_deref().map(|folder| self.shared.listings.of(folder)).unwrap_or_default();
        let key_item = self.shared.item_of(key);
        let mut state = self.shared.lock();
        let mut touched = Vec::new();
        let in_folder: Vec<DocKey> = state
            .documents
            .keys()
            .filter(|k| folder.is_some() && k.path().and_then(|p| p.parent()) == folder.as_deref())
            .cloned()
            .collect();
        for doc in in_folder {
            let item = workspace::item_of(&doc, state.documents.keys(), &listing);
            let document = state.documents.get_mut(&doc).expect("listed above");
            if document.item != item {
                touched.push(document.item.clone());
                document.item = item.clone();
            }
            touched.push(item);
        }
        touched.push(state.item_of_open(key).unwrap_or(key_item));
        touched.sort();
        touched.dedup();
        for item in &touched {
            if state.is_active(item) {
                state.touch(item);
            }
        }
        touched
    }

    /// After a change to items: check them again (push), or ask the client to pull again (pull). A change
    /// of the buffer `edited` (opened, edited, closed) needs no refresh when no other file of its item is
    /// open: the client pulls the document it changes by itself.
    async fn changed(&self, items: Vec<ItemKey>, edited: Option<&DocKey>) {
        let items = super::siblings::with_open_siblings(&self.shared, items);
        let (pull, refresh, unpulled) = {
            let state = self.shared.lock();
            let others_open = |item: &&ItemKey| {
                state.documents.values().any(|d| &d.item == *item && Some(&d.key) != edited)
            };
            let refresh = state.client.diagnostic_refresh && items.iter().any(|item| others_open(&item));
            // A pull client that cannot be asked to pull again: the worker pushes the closed files of the
            // items it will not pull by itself (it pulls the document it changed).
            let unpulled: Vec<ItemKey> =
                match state.client.pull_diagnostics && !state.client.diagnostic_refresh {
                    true => items.iter().filter(others_open).cloned().collect(),
                    false => Vec::new(),
                };
            (state.client.pull_diagnostics, refresh, unpulled)
        };
        for item in items {
            let active = self.shared.lock().is_active(&item);
            if !active {
                publish::forget(&self.shared, &self.client, &item).await;
            } else if !pull || unpulled.contains(&item) {
                self.shared.schedule(item);
            }
        }
        if pull && refresh {
            // Not awaited here: a slow answer must not hold the handler, and with it the next messages.
            let client = self.client.clone();
            tokio::spawn(async move {
                let _ = client.workspace_diagnostic_refresh().await;
            });
        }
    }

    /// `window/workDoneProgress/cancel`: cancels the job whose progress it is.
    pub async fn progress_cancel(&self, params: WorkDoneProgressCancelParams) {
        super::commands::cancel_progress(&self.shared, params);
    }

    /// A debugging request that panics, for the tests that show a panic does not stop the server.
    /// Answered only when [`super::Options::debug_requests`] is set.
    pub async fn debug_panic(&self, _params: Value) -> Result<Value> {
        if !self.shared.options.debug_requests {
            return Err(tower_lsp_server::jsonrpc::Error::method_not_found());
        }
        task::blocking("dfls/debugPanic", || -> Value { panic!("dfls/debugPanic was asked to panic") }).await
    }

    /// A debugging request that works for `{"ms": N}` milliseconds on a pool (`"pool": "quick"` (the
    /// default), `"heavy"` or `"checks"`), stopping early when cancelled, for the tests of scheduling and
    /// cancellation. Answered only when [`super::Options::debug_requests`] is set.
    pub async fn debug_sleep(&self, params: Value) -> Result<Value> {
        if !self.shared.options.debug_requests {
            return Err(tower_lsp_server::jsonrpc::Error::method_not_found());
        }
        let ms = params.get("ms").and_then(Value::as_u64).unwrap_or(0).min(60_000);
        let pool = match params.get("pool").and_then(Value::as_str) {
            Some("heavy") => task::Pool::Heavy,
            Some("checks") => task::Pool::Checks,
            _ => task::Pool::Quick,
        };
        task::run(pool, "dfls/debugSleep", crate::cancel::Token::new(), move || {
            crate::cancel::sleep(std::time::Duration::from_millis(ms));
            Value::Null
        })
        .await
    }
}

impl LanguageServer for Server {
    async fn initialize(&self, params: InitializeParams) -> Result<InitializeResult> {
        let capabilities = &params.capabilities;
        let encoding =
            Encoding::negotiate(capabilities.general.as_ref().and_then(|g| g.position_encodings.as_deref()));
        let client = ClientFlags::of(capabilities);
        let mut roots: Vec<PathBuf> = params
            .workspace_folders
            .iter()
            .flatten()
            .filter_map(|folder| DocKey::of(&folder.uri).path().map(PathBuf::from))
            .collect();
        #[allow(deprecated)]
        if roots.is_empty() {
            roots.extend(params.root_uri.as_ref().and_then(|uri| DocKey::of(uri).path().map(PathBuf::from)));
        }
        {
            let mut state = self.shared.lock();
            state.encoding = encoding;
            state.client = client;
            state.roots = roots;
        }
        Ok(InitializeResult {
            capabilities: capabilities::server(client, encoding),
            server_info: Some(ServerInfo {
                name: "dfls".to_owned(),
                version: Some(env!("CARGO_PKG_VERSION").to_owned()),
            }),
            offset_encoding: None,
        })
    }

    async fn initialized(&self, _: InitializedParams) {
        let watch = self.shared.lock().client.watch_files;
        if watch {
            // What the client reports is what the caches need: the files of items, and the settings.
            let watchers = [
                "**/*.{pq,pqm,m,mdf,json}",
                "**/.platform",
                "**/.schedules",
                "**/dfls.toml",
                "**/.editorconfig",
            ]
            .into_iter()
            .map(|glob| FileSystemWatcher { glob_pattern: GlobPattern::String(glob.to_owned()), kind: None })
            .collect();
            let options = DidChangeWatchedFilesRegistrationOptions { watchers };
            let registration = Registration {
                id: "dfls-watched-files".to_owned(),
                method: "workspace/didChangeWatchedFiles".to_owned(),
                register_options: serde_json::to_value(options).ok(),
            };
            match self.client.register_capability(vec![registration]).await {
                Ok(()) => {
                    self.shared.listings.keep();
                    self.shared.settings.keep();
                    self.shared.symbols.lock().unwrap_or_else(PoisonError::into_inner).watch();
                }
                Err(error) => eprintln!("dfls lsp: the client refused the file watchers: {}", error.message),
            }
        }
    }

    async fn shutdown(&self) -> Result<()> {
        Ok(())
    }

    async fn did_open(&self, params: DidOpenTextDocumentParams) {
        let document = params.text_document;
        let key = DocKey::of(&document.uri);
        let uri = document.uri.clone();
        // Parsed before the state is locked; its item is decided with the other open files of its folder.
        let opened = task::guard("opening a document", || {
            OpenDocument::new(
                document.uri,
                key.clone(),
                ItemKey::Loose(key.clone()),
                document.version,
                document.text,
            )
        });
        let Some(open) = opened else { return };
        let (previous, pull) = {
            let mut state = self.shared.lock();
            (state.documents.insert(key.clone(), open), state.client.pull_diagnostics)
        };
        // Its item decided before the first `.await`: a pull of it served meanwhile must not see the
        // provisional loose item, which has no generation (the pull failed as an unknown document).
        let mut items = self.refresh_items_near(&key);
        // Opened twice without a close: the new buffer replaces the old.
        items.extend(previous.map(|previous| previous.item));
        if pull {
            publish::withdraw(&self.shared, &self.client, &uri).await;
        }
        self.changed(items, Some(&key)).await;
    }

    async fn did_change(&self, params: DidChangeTextDocumentParams) {
        let key = DocKey::of(&params.text_document.uri);
        let pull = {
            let mut state = self.shared.lock();
            let encoding = state.encoding;
            let Some(document) = state.documents.get_mut(&key) else {
                eprintln!(
                    "dfls lsp: didChange for a document that is not open: {}",
                    params.text_document.uri.as_str()
                );
                return;
            };
            let version = params.text_document.version;
            let applied =
                task::guard("applying an edit", || document.apply(version, params.content_changes, encoding));
            let item = document.item.clone();
            if applied.is_none() {
                // The buffer is in no known state: forget it until the client opens it again.
                eprintln!("dfls lsp: {} is closed; reopen it to go on", params.text_document.uri.as_str());
                state.documents.remove(&key);
            }
            state.touch(&item);
            state.client.pull_diagnostics
        };
        if pull {
            let item = self.shared.item_of(&key);
            self.changed(vec![item], Some(&key)).await;
        } else {
            publish::after_edit(&self.shared, &self.client, &key);
        }
    }

    async fn did_close(&self, params: DidCloseTextDocumentParams) {
        let key = DocKey::of(&params.text_document.uri);
        let Some(closed) = self.shared.lock().documents.remove(&key) else { return };
        self.shared.semantic_tokens.lock().unwrap_or_else(PoisonError::into_inner).remove(&key);
        self.shared.token_caches.lock().unwrap_or_else(PoisonError::into_inner).remove(&key);
        // The file is read from disk again, and the folder may no longer be an item without the buffer.
        let mut items = self.refresh_items_near(&key);
        if !items.contains(&closed.item) {
            let mut state = self.shared.lock();
            if state.is_active(&closed.item) {
                state.touch(&closed.item);
            }
            items.push(closed.item);
        }
        self.changed(items, Some(&key)).await;
    }

    async fn did_change_workspace_folders(&self, params: DidChangeWorkspaceFoldersParams) {
        let mut state = self.shared.lock();
        for removed in params.event.removed {
            if let Some(path) = DocKey::of(&removed.uri).path() {
                state.roots.retain(|root| root != path);
            }
        }
        for added in params.event.added {
            if let Some(path) = DocKey::of(&added.uri).path() {
                state.roots.push(path.to_path_buf());
            }
        }
    }

    async fn did_change_watched_files(&self, params: DidChangeWatchedFilesParams) {
        let mut items = Vec::new();
        for event in params.changes {
            let key = DocKey::of(&event.uri);
            if SettingsCache::is_settings_file(&key) {
                self.shared.settings.forget_all();
                continue;
            }
            if let Some(path) = key.path() {
                self.shared.symbols.lock().unwrap_or_else(PoisonError::into_inner).changed(path);
            }
            if let Some(folder) = key.path().and_then(|path| path.parent()) {
                self.shared.listings.forget(folder);
            }
            items.extend(self.refresh_items_near(&key));
        }
        items.sort();
        items.dedup();
        self.changed(items, None).await;
    }

    async fn diagnostic(&self, params: DocumentDiagnosticParams) -> Result<DocumentDiagnosticReportResult> {
        publish::pull(&self.shared, &self.client, params).await
    }

    async fn code_action(&self, params: CodeActionParams) -> Result<Option<CodeActionResponse>> {
        features::code_actions(&self.shared, params).await
    }

    async fn completion(&self, params: CompletionParams) -> Result<Option<CompletionResponse>> {
        features::completion(&self.shared, params).await
    }

    async fn hover(&self, params: HoverParams) -> Result<Option<Hover>> {
        features::hover(&self.shared, params).await
    }

    async fn signature_help(&self, params: SignatureHelpParams) -> Result<Option<SignatureHelp>> {
        features::signature_help(&self.shared, params).await
    }

    async fn goto_definition(&self, params: GotoDefinitionParams) -> Result<Option<GotoDefinitionResponse>> {
        features::definition(&self.shared, params).await
    }

    async fn references(&self, params: ReferenceParams) -> Result<Option<Vec<Location>>> {
        features::references(&self.shared, params).await
    }

    async fn document_highlight(
        &self,
        params: DocumentHighlightParams,
    ) -> Result<Option<Vec<DocumentHighlight>>> {
        features::document_highlight(&self.shared, params).await
    }

    async fn prepare_rename(
        &self,
        params: TextDocumentPositionParams,
    ) -> Result<Option<PrepareRenameResponse>> {
        features::prepare_rename(&self.shared, params).await
    }

    async fn rename(&self, params: RenameParams) -> Result<Option<WorkspaceEdit>> {
        features::rename(&self.shared, params).await
    }

    async fn folding_range(&self, params: FoldingRangeParams) -> Result<Option<Vec<FoldingRange>>> {
        features::folding_range(&self.shared, params).await
    }

    async fn selection_range(&self, params: SelectionRangeParams) -> Result<Option<Vec<SelectionRange>>> {
        features::selection_range(&self.shared, params).await
    }

    async fn semantic_tokens_full(
        &self,
        params: SemanticTokensParams,
    ) -> Result<Option<SemanticTokensResult>> {
        features::semantic_tokens_full(&self.shared, params).await
    }

    async fn semantic_tokens_full_delta(
        &self,
        params: SemanticTokensDeltaParams,
    ) -> Result<Option<SemanticTokensFullDeltaResult>> {
        features::semantic_tokens_full_delta(&self.shared, params).await
    }

    async fn semantic_tokens_range(
        &self,
        params: SemanticTokensRangeParams,
    ) -> Result<Option<SemanticTokensRangeResult>> {
        features::semantic_tokens_range(&self.shared, params).await
    }

    async fn document_symbol(&self, params: DocumentSymbolParams) -> Result<Option<DocumentSymbolResponse>> {
        features::document_symbol(&self.shared, params).await
    }

    async fn execute_command(&self, params: ExecuteCommandParams) -> Result<Option<Value>> {
        super::commands::execute(&self.shared, &self.client, params).await
    }

    async fn code_lens(&self, params: CodeLensParams) -> Result<Option<Vec<CodeLens>>> {
        features::code_lens(&self.shared, &self.client, params).await
    }

    async fn formatting(&self, params: DocumentFormattingParams) -> Result<Option<Vec<TextEdit>>> {
        features::formatting(&self.shared, params).await
    }

    async fn range_formatting(&self, params: DocumentRangeFormattingParams) -> Result<Option<Vec<TextEdit>>> {
        features::range_formatting(&self.shared, params).await
    }

    async fn on_type_formatting(
        &self,
        params: DocumentOnTypeFormattingParams,
    ) -> Result<Option<Vec<TextEdit>>> {
        features::on_type_formatting(&self.shared, params).await
    }

    async fn symbol(&self, params: WorkspaceSymbolParams) -> Result<Option<WorkspaceSymbolResponse>> {
        features::workspace_symbol(&self.shared, params).await
    }
}
