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
use super::siblings;
use super::state::Shared;
use super::task::{self, Pool};
use super::workspace::{DiskCache, DocKey, ItemKey};
use crate::cancel::Token;
use crate::definition::parts::{PartKind, MASHUP, QUERY_METADATA};
use crate::ide::{self, FileId, FilePosition, FileRange, Item, JsonFile, MFile};
use crate::json::schema::SchemaKind;
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
    /// Whether the document is a loose M file, whose siblings define names for it ([`super::siblings`]).
    loose: bool,
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
    let item = shared.item_of(&key);
    let (encoding, client) = {
        let state = shared.lock();
        (state.encoding, state.client)
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
    } else if let ItemKey::Folder(_) = item {
        // A JSON part: `queryMetadata.json` is a file of the item's features; the others get the item's
        // M document and metadata for what they say about queries.
        let mashup = match sibling(MASHUP) {
            Some(key) => snapshot(shared, key, None).await?,
            None => None,
        };
        if name == QUERY_METADATA {
            (Some(FileId::QueryMetadata), mashup, Some(document.clone()))
        } else {
            let metadata = match sibling(QUERY_METADATA) {
                Some(key) => snapshot(shared, key, None).await?,
                None => None,
            };
            (None, mashup, metadata)
        }
    } else {
        (None, None, None)
    };
    let loose = matches!(item, ItemKey::Loose(_)) && document.language == Language::M;
    Ok(View { encoding, client, snapshot: document, file, mashup, metadata, loose })
}

/// The schema a JSON document is validated with, by its name (`None` for M and other JSON).
fn schema_of(snapshot: &Snapshot) -> Option<SchemaKind> {
    (snapshot.language == Language::Json).then(|| PartKind::of(snapshot.key.file_name()).schema()).flatten()
}

/// Markdown for a client that shows it, else the same text as plain text.
fn markup(value: String, client: ClientFlags) -> MarkupContent {
    let kind = if client.markdown { MarkupKind::Markdown } else { MarkupKind::PlainText };
    MarkupContent { kind, value }
}

/// LSP's `RequestFailed`: the request was valid but the server could not do it.
const REQUEST_FAILED: i64 = -32803;

/// The error of a request `ide` refused, with its reason for the user.
pub(super) fn refused(message: String) -> Error {
    Error { code: ErrorCode::ServerError(REQUEST_FAILED), message: message.into(), data: None }
}

/// `textDocument/codeAction`: the quick fixes carried by the diagnostics in the request, read back from
/// their `data`, then `ide`'s own actions for the range (quoting and unquoting names).
pub async fn code_actions(
    shared: &Arc<Shared>,
    params: CodeActionParams,
) -> Result<Option<CodeActionResponse>> {
    let uri = params.text_document.uri;
    let view = view(shared, &uri).await?;
    let range = view.lines().byte_range(params.range).map_err(task::out_of_range)?;
    let only = params.context.only;
    let wanted = move |kind: &CodeActionKind| {
        only.as_ref().is_none_or(|only| only.iter().any(|o| kind.as_str().starts_with(o.as_str())))
    };
    let context = params.context.diagnostics;
    let mut actions = Vec::new();
    if wanted(&CodeActionKind::QUICKFIX) {
        for lsp_diagnostic in &context {
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
    let Some(file) = view.file else { return Ok(Some(actions)) };
    let own = task::blocking("code actions", move || {
        let lines = view.lines();
        // The request's diagnostics without their fixes (those are above): some actions are about them.
        let diagnostics: Vec<_> = context.iter().filter_map(|d| diagnostic::from_lsp(d, &lines)).collect();
        ide::code_actions::code_actions(&view.item(), file, range, &diagnostics)
            .into_iter()
            .filter_map(|action| {
                let kind = match action.kind {
                    ide::code_actions::CodeActionKind::QuickFix => CodeActionKind::QUICKFIX,
                    ide::code_actions::CodeActionKind::RefactorRewrite => CodeActionKind::REFACTOR_REWRITE,
                };
                wanted(&kind).then(|| {
                    CodeActionOrCommand::CodeAction(CodeAction {
                        title: action.title,
                        kind: Some(kind),
                        diagnostics: action.diagnostic.and_then(|i| context.get(i)).map(|d| vec![d.clone()]),
                        edit: Some(workspace_edit(&view, &action.change)),
                        is_preferred: Some(action.preferred),
                        ..CodeAction::default()
                    })
                })
            })
            .collect::<Vec<_>>()
    })
    .await?;
    actions.extend(own);
    Ok(Some(actions))
}

/// `textDocument/completion` in an M document.
pub async fn completion(
    shared: &Arc<Shared>,
    params: CompletionParams,
) -> Result<Option<CompletionResponse>> {
    let position = params.text_document_position;
    let view = view(shared, &position.text_document.uri).await?;
    let offset = view.offset(position.position)?;
    if let Some(kind) = schema_of(&view.snapshot) {
        return task::blocking("completion", move || {
            let file = JsonFile::new(&view.snapshot.text, view.snapshot.json());
            let lines = view.lines();
            let items: Vec<lsp::CompletionItem> =
                ide::json_parts::completions(file, kind, &view.item(), offset)
                    .into_iter()
                    .map(|item| completion_item(item, &lines, view.client))
                    .collect();
            Some(CompletionResponse::List(CompletionList { is_incomplete: false, items }))
        })
        .await;
    }
    if view.snapshot.language != Language::M {
        return Ok(None);
    }
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
    let offset = view.offset(at.position)?;
    if let (None, Some(kind)) = (view.file, schema_of(&view.snapshot)) {
        return task::blocking("hover", move || {
            let file = JsonFile::new(&view.snapshot.text, view.snapshot.json());
            let hover = ide::json_parts::hover_json(file, kind, &view.item(), offset)?;
            Some(lsp::Hover {
                contents: HoverContents::Markup(markup(hover.markdown, view.client)),
                range: Some(view.lines().range(hover.range)),
            })
        })
        .await;
    }
    let Some(position) = view.file.map(|file| FilePosition { file, offset }) else { return Ok(None) };
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
    let shared = shared.clone();
    task::blocking("go to definition", move || {
        let targets = ide::navigation::goto_definition(&view.item(), position);
        if targets.is_empty() && view.loose {
            let links = view.client.definition_links;
            return siblings::goto_definition(&shared, &view.snapshot, position.offset, view.encoding, links);
        }
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
    // The whole item's names are analysed: expensive work, kept away from the quick requests.
    let shared = shared.clone();
    task::heavy("find references", move || {
        let ranges = ide::navigation::find_references(&view.item(), position, include_declaration);
        let mut locations: Vec<Location> = ranges.iter().filter_map(|range| view.location(range)).collect();
        if view.loose {
            for location in siblings::references(
                &shared,
                &view.snapshot,
                position.offset,
                include_declaration,
                view.encoding,
            ) {
                if !locations.contains(&location) {
                    locations.push(location);
                }
            }
        }
        Some(locations)
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
    let shared = shared.clone();
    task::blocking("prepare rename", move || {
        if view.loose {
            if let Some((range, placeholder)) =
                siblings::prepare_rename(&shared, &view.snapshot, position.offset)
            {
                return Ok(PrepareRenameResponse::RangeWithPlaceholder {
                    range: view.lines().range(range),
                    placeholder,
                });
            }
        }
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
    let shared = shared.clone();
    let change = task::heavy("rename", move || {
        if view.loose {
            let (encoding, client) = (view.encoding, view.client);
            if let Some(change) =
                siblings::rename(&shared, &view.snapshot, position.offset, &new_name, encoding, client)
            {
                return change;
            }
        }
        ide::rename::rename(&view.item(), position, &new_name)
            .map(|change| workspace_edit(&view, &change))
            .map_err(|error| error.0)
    })
    .await?
    .map_err(refused)?;
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

/// `textDocument/foldingRange` in M: a fold ends on the line before its last when that line only closes
/// it (`]`, `)`, `}`), so the closing bracket stays visible.
pub async fn folding_range(
    shared: &Arc<Shared>,
    params: FoldingRangeParams,
) -> Result<Option<Vec<FoldingRange>>> {
    let view = view(shared, &params.text_document.uri).await?;
    if view.snapshot.language != Language::M {
        return Ok(None);
    }
    task::blocking("folding ranges", move || {
        let snapshot = &view.snapshot;
        let lines = view.lines();
        let folds = ide::folding::folding_ranges(&snapshot.text, snapshot.tree());
        let ranges = folds
            .into_iter()
            .filter_map(|fold| {
                let start_line = lines.position(fold.range.start).line;
                let end = lines.position(fold.range.end);
                // The text of the fold's last line, up to the fold's end.
                let last = &snapshot.text
                    [lines.content_start(end.line as usize).min(fold.range.end)..fold.range.end];
                let closes_only = !last.trim().is_empty()
                    && last.trim().chars().all(|c| matches!(c, ')' | ']' | '}' | ';' | ','));
                let end_line = if closes_only { end.line.saturating_sub(1) } else { end.line };
                (end_line > start_line).then(|| FoldingRange {
                    start_line,
                    end_line,
                    kind: Some(match fold.kind {
                        ide::folding::FoldKind::Comment => FoldingRangeKind::Comment,
                        ide::folding::FoldKind::Region => FoldingRangeKind::Region,
                    }),
                    ..FoldingRange::default()
                })
            })
            .collect();
        Some(ranges)
    })
    .await
}

/// `textDocument/selectionRange` in M: for each position, the ranges around it, innermost first, as the
/// protocol's chain of parents.
pub async fn selection_range(
    shared: &Arc<Shared>,
    params: SelectionRangeParams,
) -> Result<Option<Vec<SelectionRange>>> {
    let view = view(shared, &params.text_document.uri).await?;
    if view.snapshot.language != Language::M {
        return Ok(None);
    }
    let offsets = params.positions.iter().map(|p| view.offset(*p)).collect::<Result<Vec<usize>>>()?;
    task::blocking("selection ranges", move || {
        let snapshot = &view.snapshot;
        let lines = view.lines();
        let chains = ide::selection::selection_ranges(&snapshot.text, snapshot.tree(), &offsets);
        let ranges = chains
            .into_iter()
            .zip(&offsets)
            .map(|(chain, &offset)| {
                // Outermost first, so each range is built around its parent. `ide` bounds the chain (a
                // deeper one would nest the response, and its drop, as deep).
                let mut selection: Option<SelectionRange> = None;
                for range in chain.into_iter().rev() {
                    selection =
                        Some(SelectionRange { range: lines.range(range), parent: selection.map(Box::new) });
                }
                selection
                    .unwrap_or_else(|| SelectionRange { range: lines.range(offset..offset), parent: None })
            })
            .collect();
        Some(ranges)
    })
    .await
}

/// The semantic tokens of an M document, or of a range of it.
async fn tokens(
    shared: &Arc<Shared>,
    uri: &Uri,
    range: Option<lsp::Range>,
) -> Result<Option<Vec<lsp::SemanticToken>>> {
    let view = view(shared, uri).await?;
    if view.snapshot.language != Language::M {
        return Ok(None);
    }
    let range = match range {
        Some(range) => Some(view.lines().byte_range(range).map_err(task::out_of_range)?),
        None => None,
    };
    // A range is what the client shows (quick); the whole file of a large document is expensive.
    let pool = if range.is_some() { Pool::Quick } else { Pool::Heavy };
    let shared = shared.clone();
    let key = DocKey::of(uri);
    task::run(pool, "semantic tokens", Token::new(), move || {
        let snapshot = &view.snapshot;
        let (text, tree, analysis) = (&snapshot.text, snapshot.tree(), Some(snapshot.analysis()));
        let tokens = match range {
            Some(range) => ide::semantic_tokens::semantic_tokens(text, tree, analysis, Some(range)),
            None => {
                // The document's cache is taken for the computation (a request for the same document at
                // the same time computes without it) and put back with this version's members.
                let caches = || shared.token_caches.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
                let mut cache = caches().remove(&key).unwrap_or_default();
                let tokens = ide::semantic_tokens::semantic_tokens_cached(text, tree, analysis, &mut cache);
                let mut caches = caches();
                // One cache a document, for the documents the client shows: a few.
                if caches.len() >= 64 {
                    caches.clear();
                }
                caches.insert(key, cache);
                tokens
            }
        };
        Some(super::tokens::encode(&tokens, &view.lines()))
    })
    .await
}

/// `textDocument/semanticTokens/full`: the tokens, kept with a result id for a later delta.
pub async fn semantic_tokens_full(
    shared: &Arc<Shared>,
    params: SemanticTokensParams,
) -> Result<Option<SemanticTokensResult>> {
    let uri = params.text_document.uri;
    let Some(data) = tokens(shared, &uri, None).await? else { return Ok(None) };
    let result_id = remember_tokens(shared, &uri, &data);
    Ok(Some(SemanticTokensResult::Tokens(SemanticTokens { result_id: Some(result_id), data })))
}

/// `textDocument/semanticTokens/full/delta`: the edit from the answer the client has (its result id) to
/// the tokens now, a few integers for a keystroke instead of the whole file's; the whole tokens when the
/// server no longer has that answer.
pub async fn semantic_tokens_full_delta(
    shared: &Arc<Shared>,
    params: SemanticTokensDeltaParams,
) -> Result<Option<SemanticTokensFullDeltaResult>> {
    let uri = params.text_document.uri;
    let Some(data) = tokens(shared, &uri, None).await? else { return Ok(None) };
    let previous = shared
        .semantic_tokens
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .get(&DocKey::of(&uri))
        .filter(|(id, _)| *id == params.previous_result_id)
        .map(|(_, tokens)| tokens.clone());
    let result_id = remember_tokens(shared, &uri, &data);
    Ok(Some(match previous {
        Some(previous) => SemanticTokensFullDeltaResult::TokensDelta(SemanticTokensDelta {
            result_id: Some(result_id),
            edits: vec![super::tokens::delta(&previous, &data)],
        }),
        None => SemanticTokensFullDeltaResult::Tokens(SemanticTokens { result_id: Some(result_id), data }),
    }))
}

/// Keeps a document's last whole-file tokens under a new result id, and returns the id.
fn remember_tokens(shared: &Shared, uri: &Uri, data: &[lsp::SemanticToken]) -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(1);
    let id = NEXT.fetch_add(1, Ordering::Relaxed).to_string();
    let mut kept = shared.semantic_tokens.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    // One answer a document, for the documents the client shows: a few.
    if kept.len() >= 64 {
        kept.clear();
    }
    kept.insert(DocKey::of(uri), (id.clone(), Arc::new(data.to_vec())));
    id
}

/// `textDocument/semanticTokens/range`.
pub async fn semantic_tokens_range(
    shared: &Arc<Shared>,
    params: SemanticTokensRangeParams,
) -> Result<Option<SemanticTokensRangeResult>> {
    let data = tokens(shared, &params.text_document.uri, Some(params.range)).await?;
    Ok(data.map(|data| SemanticTokensRangeResult::Tokens(SemanticTokens { result_id: None, data })))
}

fn symbol_kind(kind: ide::symbols::SymbolKind) -> SymbolKind {
    use ide::symbols::SymbolKind as K;
    match kind {
        K::Section => SymbolKind::NAMESPACE,
        K::Query => SymbolKind::MODULE,
        K::FunctionQuery | K::Function => SymbolKind::FUNCTION,
        K::Step => SymbolKind::VARIABLE,
    }
}

/// `textDocument/documentSymbol` in M: the outline, nested when the client takes it, else flat.
pub async fn document_symbol(
    shared: &Arc<Shared>,
    params: DocumentSymbolParams,
) -> Result<Option<DocumentSymbolResponse>> {
    let view = view(shared, &params.text_document.uri).await?;
    if view.snapshot.language != Language::M {
        return Ok(None);
    }
    task::blocking("document symbols", move || {
        let snapshot = &view.snapshot;
        let file = MFile::new(&snapshot.text, snapshot.tree(), snapshot.analysis());
        let symbols = ide::symbols::document_symbols(file);
        let lines = view.lines();
        if view.client.hierarchical_symbols {
            Some(DocumentSymbolResponse::Nested(nested_symbol(symbols, &lines)))
        } else {
            let mut flat = Vec::new();
            flat_symbols(symbols, &snapshot.uri, &lines, &mut flat);
            Some(DocumentSymbolResponse::Flat(flat))
        }
    })
    .await
}

/// The protocol's nested symbols for `ide`'s, converted with a stack rather than a recursion (`ide` bounds
/// the depth of the outline, and nothing here should depend on it).
#[allow(deprecated, reason = "the protocol's DocumentSymbol still has the `deprecated` field")]
fn nested_symbol(symbols: Vec<ide::symbols::DocumentSymbol>, lines: &Lines) -> Vec<lsp::DocumentSymbol> {
    /// A symbol converted but for its children: those still to convert, and those done.
    struct Open {
        symbol: lsp::DocumentSymbol,
        to_convert: std::vec::IntoIter<ide::symbols::DocumentSymbol>,
        converted: Vec<lsp::DocumentSymbol>,
    }
    let mut roots = Vec::new();
    let mut to_convert = symbols.into_iter();
    let mut stack: Vec<Open> = Vec::new();
    loop {
        let next = match stack.last_mut() {
            Some(open) => open.to_convert.next(),
            None => to_convert.next(),
        };
        if let Some(mut symbol) = next {
            let children = std::mem::take(&mut symbol.children);
            let converted = lsp::DocumentSymbol {
                name: symbol.name,
                detail: symbol.detail,
                kind: symbol_kind(symbol.kind),
                tags: None,
                deprecated: None,
                range: lines.range(symbol.range),
                selection_range: lines.range(symbol.selection_range),
                children: None,
            };
            stack.push(Open { symbol: converted, to_convert: children.into_iter(), converted: Vec::new() });
            continue;
        }
        let Some(done) = stack.pop() else { return roots };
        let mut symbol = done.symbol;
        symbol.children = (!done.converted.is_empty()).then_some(done.converted);
        match stack.last_mut() {
            Some(parent) => parent.converted.push(symbol),
            None => roots.push(symbol),
        }
    }
}

/// The protocol's flat symbols for `ide`'s, each with the name of the symbol it is in, in the order of the
/// outline; with a stack rather than a recursion.
#[allow(deprecated, reason = "the protocol's SymbolInformation still has the `deprecated` field")]
fn flat_symbols(
    symbols: Vec<ide::symbols::DocumentSymbol>,
    uri: &Uri,
    lines: &Lines,
    out: &mut Vec<SymbolInformation>,
) {
    // The symbols still to list, each with the name of its container; last in, first out.
    let mut stack: Vec<(ide::symbols::DocumentSymbol, Option<std::rc::Rc<str>>)> =
        symbols.into_iter().rev().map(|symbol| (symbol, None)).collect();
    while let Some((mut symbol, container)) = stack.pop() {
        out.push(SymbolInformation {
            name: symbol.name.clone(),
            kind: symbol_kind(symbol.kind),
            tags: None,
            deprecated: None,
            location: Location { uri: uri.clone(), range: lines.range(symbol.selection_range.clone()) },
            container_name: container.as_deref().map(str::to_owned),
        });
        let name: std::rc::Rc<str> = symbol.name.into();
        let children = std::mem::take(&mut symbol.children);
        stack.extend(children.into_iter().rev().map(|child| (child, Some(name.clone()))));
    }
}

/// How many workspace symbols a search returns at most.
const WORKSPACE_SYMBOLS: usize = 256;

/// `workspace/symbol`: the queries of every M document under the workspace folders (open buffers in
/// place of their files) whose names match the query fuzzily.
pub async fn workspace_symbol(
    shared: &Arc<Shared>,
    params: WorkspaceSymbolParams,
) -> Result<Option<WorkspaceSymbolResponse>> {
    let (roots, open, encoding) = {
        let mut state = shared.lock();
        let keys: Vec<DocKey> = state.documents.keys().cloned().collect();
        let open: HashMap<DocKey, Arc<Snapshot>> =
            keys.into_iter().filter_map(|key| state.open_snapshot(&key).map(|s| (key, s))).collect();
        (state.roots.clone(), open, state.encoding)
    };
    let shared = shared.clone();
    task::heavy("workspace symbols", move || {
        let found = shared.symbols.lock().unwrap_or_else(std::sync::PoisonError::into_inner).search(
            &roots,
            &open,
            encoding,
            &params.query,
            WORKSPACE_SYMBOLS,
        );
        #[allow(deprecated, reason = "the protocol's SymbolInformation still has the `deprecated` field")]
        let symbols = found
            .into_iter()
            .map(|symbol| SymbolInformation {
                name: symbol.name,
                kind: symbol_kind(symbol.kind),
                tags: None,
                deprecated: None,
                location: symbol.location,
                container_name: Some(symbol.container),
            })
            .collect();
        Some(WorkspaceSymbolResponse::Flat(symbols))
    })
    .await
}

/// The formatting options of a document: the project's `dfls.toml` and `.editorconfig` (read once per
/// folder and kept until a watched file or a save says they changed), then what the client's request says.
/// Runs on a pool thread: it may read the disk.
fn format_options(
    shared: &Shared,
    snapshot: &Snapshot,
    options: &FormattingOptions,
) -> Result<crate::format::Options> {
    use crate::format::Settings;
    let editor = Settings::from_editor(options.tab_size, options.insert_spaces);
    let project = match snapshot.key.path() {
        Some(path) => shared.settings.project_settings(path).map_err(refused)?,
        None => crate::format::config::ProjectSettings::default(),
    };
    Ok(project.options(Settings::default(), editor))
}

/// Which edits a formatting request wants.
enum FormatScope {
    Document,
    Range(lsp::Range),
    OnType(Position, String),
}

/// `textDocument/formatting`, `rangeFormatting` and `onTypeFormatting`: the formatter's result as the
/// few edits that change whitespace ([`crate::format::edits`]), never one edit replacing the document.
/// A legacy `dataflow-content.json` gets its M document formatted (whole-document requests only).
async fn format_request(
    shared: &Arc<Shared>,
    uri: &Uri,
    options: &FormattingOptions,
    scope: FormatScope,
) -> Result<Option<Vec<TextEdit>>> {
    use crate::format::edits;
    let snapshot = snapshot(shared, DocKey::of(uri), Some(uri)).await?.expect("an error otherwise");
    let encoding = shared.lock().encoding;
    let options = options.clone();
    // On-type formatting follows a keystroke and formats one member; the others may format everything.
    let pool = if matches!(scope, FormatScope::OnType(..)) { Pool::Quick } else { Pool::Heavy };
    let shared = shared.clone();
    task::run(pool, "formatting", Token::new(), move || {
        let options = format_options(&shared, &snapshot, &options)?;
        let lines = snapshot.lines(encoding);
        let text = snapshot.text.as_str();
        let found = match (snapshot.language, scope) {
            (Language::M, FormatScope::Document) => edits::format_edits(text, snapshot.tree(), &options),
            (Language::M, FormatScope::Range(range)) => {
                let range = lines.byte_range(range).map_err(task::out_of_range)?;
                edits::range_edits(text, snapshot.tree(), &options, range)
            }
            (Language::M, FormatScope::OnType(position, typed)) => {
                let offset = lines.offset(position).map_err(task::out_of_range)?;
                edits::on_type_edits(text, snapshot.tree(), &options, offset, &typed)
            }
            (Language::Json, FormatScope::Document)
                if PartKind::of(snapshot.key.file_name()) == PartKind::LegacyContent =>
            {
                match crate::format::legacy::format_legacy(text.as_bytes(), &options) {
                    Ok(formatted) if formatted.json == text => Ok(Vec::new()),
                    Ok(formatted) => Ok(vec![edits::common_edit(text, &formatted.json)]),
                    Err(error) => return Err(refused(format!("not formatted: {error}"))),
                }
            }
            _ => return Ok(None),
        };
        let found = found.map_err(|error| refused(error.to_string()))?;
        // The edits come in order: their positions are counted along the text.
        let mut positions = convert::Sequential::new(lines);
        Ok(Some(
            found
                .into_iter()
                .map(|edit| TextEdit { range: positions.range(edit.range), new_text: edit.new_text })
                .collect(),
        ))
    })
    .await?
}

/// `textDocument/formatting`.
pub async fn formatting(
    shared: &Arc<Shared>,
    params: DocumentFormattingParams,
) -> Result<Option<Vec<TextEdit>>> {
    format_request(shared, &params.text_document.uri, &params.options, FormatScope::Document).await
}

/// `textDocument/rangeFormatting`: the members and bindings the range touches.
pub async fn range_formatting(
    shared: &Arc<Shared>,
    params: DocumentRangeFormattingParams,
) -> Result<Option<Vec<TextEdit>>> {
    format_request(shared, &params.text_document.uri, &params.options, FormatScope::Range(params.range)).await
}

/// `textDocument/onTypeFormatting`: after `;` or a line break, the member or binding just written.
pub async fn on_type_formatting(
    shared: &Arc<Shared>,
    params: DocumentOnTypeFormattingParams,
) -> Result<Option<Vec<TextEdit>>> {
    let at = params.text_document_position;
    let scope = FormatScope::OnType(at.position, params.ch);
    format_request(shared, &at.text_document.uri, &params.options, scope).await
}

/// `textDocument/codeLens`: on the `section` line of an item's `mashup.pq`, the deploy commands, the
/// last job seen and the next scheduled refresh ([`super::commands::code_lenses`]).
pub async fn code_lens(
    shared: &Arc<Shared>,
    client: &tower_lsp_server::Client,
    params: CodeLensParams,
) -> Result<Option<Vec<CodeLens>>> {
    let uri = params.text_document.uri;
    let key = DocKey::of(&uri);
    if key.file_name() != MASHUP {
        return Ok(None);
    }
    let snapshot = snapshot(shared, key, Some(&uri)).await?.expect("an error otherwise");
    let encoding = shared.lock().encoding;
    let line = section_keyword(snapshot.tree().root_node())
        .map_or(0, |offset| snapshot.lines(encoding).position(offset).line);
    Ok(Some(super::commands::code_lenses(shared, client, &uri, line)))
}

/// The offset of the first `section` keyword of a document.
fn section_keyword(root: tree_sitter::Node) -> Option<usize> {
    let mut cursor = root.walk();
    let section = root.children(&mut cursor).find(|child| child.kind() == "section")?;
    let mut cursor = section.walk();
    let keyword = section.children(&mut cursor).find(|child| !child.is_named() && child.kind() == "section");
    keyword.map(|keyword| keyword.start_byte())
}
