//! Requests routed to [`crate::ide`]: each handler finds the snapshots it needs, converts the request's
//! positions to byte offsets, calls the feature on the blocking pool, and converts the answer back. No
//! feature logic lives here; what is here is the protocol's shape of `ide`'s values.
//!
//! Features that cross files get the item's `mashup.pq` and `queryMetadata.json` together ([`View`]): the
//! open buffers, else the files on disk. A request about a document the server has not opened is answered
//! from the file on disk when there is one, else with an `InvalidParams` error; a position past the end of
//! the document is an `InvalidParams` error too, and a column past the end of its line means the end of
//! the line. A feature that has nothing to say answers `null`.

use std::collections::HashMap;
use std::sync::Arc;

use tower_lsp_server::jsonrpc::{Error, ErrorCode, Result};
use tower_lsp_server::ls_types::{self as lsp, *};

use super::capabilities::ClientFlags;
use super::convert::{self, Encoding, Lines};
use super::diagnostic;
use super::document::{Language, Snapshot};
use super::state::Shared;
use super::task;
use super::workspace::{DiskCache, DocKey, ItemKey};
use crate::definition::parts::{MASHUP, QUERY_METADATA};
use crate::ide::{self, FileId, FilePosition, FileRange, Item, JsonFile, MFile};
use crate::semantics::Analysis;

/// The files a request works with: the document it is about, and the item's M document and query
/// metadata when the document is one of them.
struct View {
    encoding: Encoding,
    client: ClientFlags,
    /// The document of the request.
    snapshot: Arc<Snapshot>,
    /// Which file of the item the document is; `None` for a JSON file the item features do not cover.
    file: Option<FileId>,
    mashup: Option<Arc<Snapshot>>,
    metadata: Option<Arc<Snapshot>>,
}

impl View {
    fn lines(&self) -> Lines<'_> {
        self.snapshot.lines(self.encoding)
    }

    fn offset(&self, position: Position) -> Result<usize> {
        self.lines().offset(position).map_err(task::out_of_range)
    }

    fn position(&self, position: Position) -> Result<Option<FilePosition>> {
        let offset = self.offset(position)?;
        Ok(self.file.map(|file| FilePosition { file, offset }))
    }

    fn snapshot_of(&self, file: FileId) -> Option<&Arc<Snapshot>> {
        match file {
            FileId::Mashup => self.mashup.as_ref(),
            FileId::QueryMetadata => self.metadata.as_ref(),
        }
    }

    /// The LSP location of a range of a file of the item.
    fn location(&self, range: &FileRange) -> Option<Location> {
        let snapshot = self.snapshot_of(range.file)?;
        Some(Location {
            uri: snapshot.uri.clone(),
            range: snapshot.lines(self.encoding).range(range.range.clone()),
        })
    }

    /// The item with the whole M document's analysis (made once per version and kept in the snapshot).
    fn item(&self) -> Item<'_> {
        self.item_with(self.mashup.as_ref().map(|m| m.analysis()))
    }

    /// The item with a given analysis of the M document.
    fn item_with<'a>(&'a self, analysis: Option<&'a Analysis>) -> Item<'a> {
        let mashup = match (&self.mashup, analysis) {
            (Some(m), Some(analysis)) => Some(MFile::new(&m.text, m.tree(), analysis)),
            _ => None,
        };
        let query_metadata = self.metadata.as_ref().map(|j| JsonFile::new(&j.text, j.json()));
        Item { mashup, query_metadata }
    }
}

/// The snapshot of an open document, or of the file on disk.
async fn snapshot(shared: &Arc<Shared>, key: DocKey, uri: Option<&Uri>) -> Result<Option<Arc<Snapshot>>> {
    if let Some(open) = shared.lock().open_snapshot(&key) {
        return Ok(Some(open));
    }
    let shared = shared.clone();
    let read = task::blocking("reading a file", move || DiskCache::read(&shared.disk, &key)).await?;
    match (read, uri) {
        (None, Some(uri)) => Err(task::unknown_document(uri)),
        (read, _) => Ok(read),
    }
}

/// The view of a request about `uri`.
async fn view(shared: &Arc<Shared>, uri: &Uri) -> Result<View> {
    let key = DocKey::of(uri);
    let document = snapshot(shared, key.clone(), Some(uri)).await?.expect("an error otherwise");
    let (encoding, client, item) = {
        let state = shared.lock();
        (state.encoding, state.client, state.item_of(&key))
    };
    let sibling = |name: &str| match &item {
        ItemKey::Folder(folder) => Some(DocKey::Path(folder.join(name))),
        ItemKey::Loose(_) => None,
    };
    let name = key.file_name();
    let (file, mashup, metadata) = if document.language == Language::M {
        let metadata = match sibling(QUERY_METADATA).filter(|_| name == MASHUP) {
            Some(key) => snapshot(shared, key, None).await?,
            None => None,
        };
        (Some(FileId::Mashup), Some(document.clone()), metadata)
    } else if name == QUERY_METADATA && matches!(item, ItemKey::Folder(_)) {
        let mashup = match sibling(MASHUP) {
            Some(key) => snapshot(shared, key, None).await?,
            None => None,
        };
        (Some(FileId::QueryMetadata), mashup, Some(document.clone()))
    } else {
        (None, None, None)
    };
    Ok(View { encoding, client, snapshot: document, file, mashup, metadata })
}

/// Markdown for a client that shows it, else the same text as plain text.
fn markup(value: String, client: ClientFlags) -> MarkupContent {
    let kind = if client.markdown { MarkupKind::Markdown } else { MarkupKind::PlainText };
    MarkupContent { kind, value }
}

/// LSP's `RequestFailed`: the request was valid but the server could not do it.
const REQUEST_FAILED: i64 = -32803;

/// The error of a request `ide` refused, with its reason for the user.
fn refused(message: String) -> Error {
    Error { code: ErrorCode::ServerError(REQUEST_FAILED), message: message.into(), data: None }
}

/// `textDocument/codeAction`: the quick fixes carried by the diagnostics in the request, read back from
/// their `data`.
pub async fn code_actions(
    shared: &Arc<Shared>,
    params: CodeActionParams,
) -> Result<Option<CodeActionResponse>> {
    let uri = params.text_document.uri;
    // The document must be known, even though the fixes need nothing of it.
    snapshot(shared, DocKey::of(&uri), Some(&uri)).await?;
    let wanted = |kind: &CodeActionKind| {
        params
            .context
            .only
            .as_ref()
            .is_none_or(|only| only.iter().any(|o| kind.as_str().starts_with(o.as_str())))
    };
    let mut actions = Vec::new();
    if wanted(&CodeActionKind::QUICKFIX) {
        for lsp_diagnostic in &params.context.diagnostics {
            for (index, fix) in diagnostic::fixes(lsp_diagnostic).into_iter().enumerate() {
                let changes: HashMap<Uri, Vec<TextEdit>> = [(uri.clone(), fix.edits)].into_iter().collect();
                actions.push(CodeActionOrCommand::CodeAction(CodeAction {
                    title: fix.title,
                    kind: Some(CodeActionKind::QUICKFIX),
                    diagnostics: Some(vec![lsp_diagnostic.clone()]),
                    edit: Some(WorkspaceEdit { changes: Some(changes), ..WorkspaceEdit::default() }),
                    is_preferred: Some(index == 0),
                    ..CodeAction::default()
                }));
            }
        }
    }
    Ok(Some(actions))
}

/// `textDocument/completion` in an M document.
pub async fn completion(
    shared: &Arc<Shared>,
    params: CompletionParams,
) -> Result<Option<CompletionResponse>> {
    let position = params.text_document_position;
    let view = view(shared, &position.text_document.uri).await?;
    if view.snapshot.language != Language::M {
        return Ok(None);
    }
    let offset = view.offset(position.position)?;
    task::blocking("completion", move || {
        let snapshot = &view.snapshot;
        let local;
        let analysis = match snapshot.cached_analysis() {
            Some(analysis) => analysis,
            None => {
                local = ide::analyze_around(&snapshot.text, snapshot.tree(), offset);
                &local.analysis
            }
        };
        let file = MFile::new(&snapshot.text, snapshot.tree(), analysis);
        let lines = view.lines();
        let items: Vec<lsp::CompletionItem> = ide::completion::completions(file, offset)
            .into_iter()
            .map(|item| completion_item(item, &lines, view.client))
            .collect();
        Some(CompletionResponse::List(CompletionList { is_incomplete: false, items }))
    })
    .await
}

fn completion_item(
    item: ide::completion::CompletionItem,
    lines: &Lines,
    client: ClientFlags,
) -> lsp::CompletionItem {
    use ide::completion::CompletionKind as K;
    let kind = match item.kind {
        K::Keyword => CompletionItemKind::KEYWORD,
        K::Snippet => CompletionItemKind::SNIPPET,
        K::Function => CompletionItemKind::FUNCTION,
        K::Constructor => CompletionItemKind::CONSTRUCTOR,
        K::Variable | K::Parameter => CompletionItemKind::VARIABLE,
        K::Query => CompletionItemKind::MODULE,
        K::Field => CompletionItemKind::FIELD,
        K::EnumMember => CompletionItemKind::ENUM_MEMBER,
        K::Enum => CompletionItemKind::ENUM,
        K::Type => CompletionItemKind::CLASS,
        K::Constant => CompletionItemKind::CONSTANT,
        K::Value => CompletionItemKind::VALUE,
    };
    let (new_text, format) = match (&item.snippet, client.snippets) {
        (Some(snippet), true) => (snippet.clone(), InsertTextFormat::SNIPPET),
        _ => (item.insert_text.clone(), InsertTextFormat::PLAIN_TEXT),
    };
    lsp::CompletionItem {
        label: item.label,
        kind: Some(kind),
        detail: item.detail,
        documentation: item.documentation.map(|value| Documentation::MarkupContent(markup(value, client))),
        sort_text: Some(item.sort_text),
        filter_text: item.filter_text,
        insert_text_format: Some(format),
        text_edit: Some(CompletionTextEdit::Edit(TextEdit { range: lines.range(item.replace), new_text })),
        ..lsp::CompletionItem::default()
    }
}

/// `textDocument/hover`, in M (with the analysis of the query around the cursor unless the whole
/// document's is at hand) and in `queryMetadata.json`.
pub async fn hover(shared: &Arc<Shared>, params: HoverParams) -> Result<Option<lsp::Hover>> {
    let at = params.text_document_position_params;
    let view = view(shared, &at.text_document.uri).await?;
    let Some(position) = view.position(at.position)? else { return Ok(None) };
    task::blocking("hover", move || {
        let local;
        let analysis = match (&view.mashup, position.file) {
            (Some(mashup), FileId::Mashup) => match mashup.cached_analysis() {
                Some(analysis) => Some(analysis),
                None => {
                    local = ide::analyze_around(&mashup.text, mashup.tree(), position.offset);
                    Some(&local.analysis)
                }
            },
            (Some(mashup), FileId::QueryMetadata) => Some(mashup.analysis()),
            (None, _) => None,
        };
        let item = view.item_with(analysis);
        let hover = ide::hover::hover(&item, position)?;
        Some(lsp::Hover {
            contents: HoverContents::Markup(markup(hover.markdown, view.client)),
            range: Some(view.lines().range(hover.range)),
        })
    })
    .await
}

/// `textDocument/signatureHelp` in M.
pub async fn signature_help(
    shared: &Arc<Shared>,
    params: SignatureHelpParams,
) -> Result<Option<lsp::SignatureHelp>> {
    let at = params.text_document_position_params;
    let view = view(shared, &at.text_document.uri).await?;
    let Some(position) = view.position(at.position)?.filter(|p| p.file == FileId::Mashup) else {
        return Ok(None);
    };
    task::blocking("signature help", move || {
        let snapshot = &view.snapshot;
        let local;
        let analysis = match snapshot.cached_analysis() {
            Some(analysis) => analysis,
            None => {
                local = ide::analyze_around(&snapshot.text, snapshot.tree(), position.offset);
                &local.analysis
            }
        };
        let help = ide::signature_help::signature_help(
            MFile::new(&snapshot.text, snapshot.tree(), analysis),
            position.offset,
        )?;
        let parameters = help
            .parameters
            .iter()
            .zip(&help.parameter_documentation)
            .map(|(range, documentation)| ParameterInformation {
                label: ParameterLabel::LabelOffsets(convert::label_offsets(
                    &help.label,
                    range.clone(),
                    view.encoding,
                )),
                documentation: documentation
                    .clone()
                    .map(|value| Documentation::MarkupContent(markup(value, view.client))),
            })
            .collect();
        let active = help.active_parameter.map(|index| index as u32);
        Some(lsp::SignatureHelp {
            signatures: vec![SignatureInformation {
                label: help.label,
                documentation: help
                    .documentation
                    .map(|value| Documentation::MarkupContent(markup(value, view.client))),
                parameters: Some(parameters),
                active_parameter: active,
            }],
            active_signature: Some(0),
            active_parameter: active,
        })
    })
    .await
}

/// `textDocument/definition`, across the item's files.
pub async fn definition(
    shared: &Arc<Shared>,
    params: GotoDefinitionParams,
) -> Result<Option<GotoDefinitionResponse>> {
    let at = params.text_document_position_params;
    let view = view(shared, &at.text_document.uri).await?;
    let Some(position) = view.position(at.position)? else { return Ok(None) };
    task::blocking("go to definition", move || {
        let targets = ide::navigation::goto_definition(&view.item(), position);
        if view.client.definition_links {
            let links: Vec<LocationLink> = targets
                .iter()
                .filter_map(|target| {
                    let snapshot = view.snapshot_of(target.file)?;
                    let lines = snapshot.lines(view.encoding);
                    Some(LocationLink {
                        origin_selection_range: None,
                        target_uri: snapshot.uri.clone(),
                        target_range: lines.range(target.full.clone()),
                        target_selection_range: lines.range(target.focus.clone()),
                    })
                })
                .collect();
            (!links.is_empty()).then_some(GotoDefinitionResponse::Link(links))
        } else {
            let locations: Vec<Location> = targets
                .iter()
                .filter_map(|target| {
                    view.location(&FileRange { file: target.file, range: target.focus.clone() })
                })
                .collect();
            (!locations.is_empty()).then_some(GotoDefinitionResponse::Array(locations))
        }
    })
    .await
}

/// `textDocument/references`, across the item's files.
pub async fn references(shared: &Arc<Shared>, params: ReferenceParams) -> Result<Option<Vec<Location>>> {
    let at = params.text_document_position;
    let view = view(shared, &at.text_document.uri).await?;
    let Some(position) = view.position(at.position)? else { return Ok(None) };
    let include_declaration = params.context.include_declaration;
    task::blocking("find references", move || {
        let ranges = ide::navigation::find_references(&view.item(), position, include_declaration);
        Some(ranges.iter().filter_map(|range| view.location(range)).collect())
    })
    .await
}

/// `textDocument/documentHighlight`.
pub async fn document_highlight(
    shared: &Arc<Shared>,
    params: DocumentHighlightParams,
) -> Result<Option<Vec<DocumentHighlight>>> {
    let at = params.text_document_position_params;
    let view = view(shared, &at.text_document.uri).await?;
    let Some(position) = view.position(at.position)? else { return Ok(None) };
    task::blocking("document highlights", move || {
        use ide::navigation::HighlightKind as K;
        let lines = view.lines();
        let highlights = ide::navigation::document_highlights(&view.item(), position)
            .into_iter()
            .map(|h| DocumentHighlight {
                range: lines.range(h.range),
                kind: Some(match h.kind {
                    K::Text => DocumentHighlightKind::TEXT,
                    K::Read => DocumentHighlightKind::READ,
                    K::Write => DocumentHighlightKind::WRITE,
                }),
            })
            .collect();
        Some(highlights)
    })
    .await
}

/// `textDocument/prepareRename`: the name's range and current spelling, or why it cannot be renamed.
pub async fn prepare_rename(
    shared: &Arc<Shared>,
    params: TextDocumentPositionParams,
) -> Result<Option<PrepareRenameResponse>> {
    let view = view(shared, &params.text_document.uri).await?;
    let Some(position) = view.position(params.position)? else { return Ok(None) };
    task::blocking("prepare rename", move || {
        ide::rename::prepare_rename(&view.item(), position).map(|prepared| {
            PrepareRenameResponse::RangeWithPlaceholder {
                range: view.lines().range(prepared.range),
                placeholder: prepared.placeholder,
            }
        })
    })
    .await?
    .map(Some)
    .map_err(|error| refused(error.0))
}

/// `textDocument/rename`: the edits of every file of the item that names the renamed thing.
pub async fn rename(shared: &Arc<Shared>, params: RenameParams) -> Result<Option<WorkspaceEdit>> {
    let at = params.text_document_position;
    let view = view(shared, &at.text_document.uri).await?;
    let Some(position) = view.position(at.position)? else { return Ok(None) };
    let new_name = params.new_name;
    let change = task::blocking("rename", move || {
        ide::rename::rename(&view.item(), position, &new_name).map(|change| workspace_edit(&view, &change))
    })
    .await?
    .map_err(|error| refused(error.0))?;
    Ok(Some(change))
}

/// A change to the item's files as a workspace edit: versioned document edits when the client takes
/// them (so it refuses edits of a version it no longer has), else plain changes.
fn workspace_edit(view: &View, change: &ide::SourceChange) -> WorkspaceEdit {
    let mut edits = Vec::new();
    for file in &change.files {
        let Some(snapshot) = view.snapshot_of(file.file) else { continue };
        let lines = snapshot.lines(view.encoding);
        let text_edits: Vec<TextEdit> = file
            .edits
            .iter()
            .map(|edit| TextEdit { range: lines.range(edit.range.clone()), new_text: edit.new_text.clone() })
            .collect();
        edits.push((snapshot.uri.clone(), snapshot.version, text_edits));
    }
    if view.client.document_changes {
        let documents = edits
            .into_iter()
            .map(|(uri, version, edits)| TextDocumentEdit {
                text_document: OptionalVersionedTextDocumentIdentifier { uri, version },
                edits: edits.into_iter().map(OneOf::Left).collect(),
            })
            .collect();
        WorkspaceEdit {
            document_changes: Some(DocumentChanges::Edits(documents)),
            ..WorkspaceEdit::default()
        }
    } else {
        let changes = edits.into_iter().map(|(uri, _, edits)| (uri, edits)).collect();
        WorkspaceEdit { changes: Some(changes), ..WorkspaceEdit::default() }
    }
}
