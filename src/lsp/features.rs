//! Requests routed to [`crate::ide`]: each handler finds the document's snapshot, converts the request's
//! positions to byte offsets, calls the feature on the blocking pool, and converts the answer back. No
//! feature logic lives here; what is here is the protocol's shape of `ide`'s values.
//!
//! A request about a document the server has not opened is answered from the file on disk when there is
//! one, else with an `InvalidParams` error; a position past the end of the document is an `InvalidParams`
//! error too, and a column past the end of its line means the end of the line.

use std::collections::HashMap;
use std::sync::Arc;

use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::{self as lsp, *};

use super::capabilities::ClientFlags;
use super::convert::{Encoding, Lines};
use super::diagnostic;
use super::document::{Language, Snapshot};
use super::state::Shared;
use super::task;
use super::workspace::{self, DocKey};
use crate::ide::{self, MFile};

/// What a request about one document works with.
struct Context {
    snapshot: Arc<Snapshot>,
    encoding: Encoding,
    client: ClientFlags,
}

impl Context {
    fn lines(&self) -> Lines<'_> {
        self.snapshot.lines(self.encoding)
    }

    fn offset(&self, position: Position) -> Result<usize> {
        self.lines().offset(position).map_err(task::out_of_range)
    }
}

/// The snapshot of an open document, or of the file on disk.
async fn context(shared: &Arc<Shared>, uri: &Uri) -> Result<Context> {
    let key = DocKey::of(uri);
    let (open, encoding, client) = {
        let mut state = shared.lock();
        (state.open_snapshot(&key), state.encoding, state.client)
    };
    let snapshot = match open {
        Some(snapshot) => snapshot,
        None => {
            let uri = uri.clone();
            task::blocking("reading the document", move || {
                workspace::read(&key).map(|(snapshot, _)| snapshot)
            })
            .await?
            .ok_or_else(|| task::unknown_document(&uri))?
        }
    };
    Ok(Context { snapshot, encoding, client })
}

/// `textDocument/codeAction`: the quick fixes carried by the diagnostics in the request, read back from
/// their `data`.
pub async fn code_actions(
    shared: &Arc<Shared>,
    params: CodeActionParams,
) -> Result<Option<CodeActionResponse>> {
    let uri = params.text_document.uri;
    let context = context(shared, &uri).await?;
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
            let fixes = diagnostic::fixes(lsp_diagnostic);
            for (index, fix) in fixes.iter().enumerate() {
                let changes: HashMap<Uri, Vec<TextEdit>> =
                    [(uri.clone(), fix.edits.clone())].into_iter().collect();
                actions.push(CodeActionOrCommand::CodeAction(CodeAction {
                    title: fix.title.clone(),
                    kind: Some(CodeActionKind::QUICKFIX),
                    diagnostics: Some(vec![lsp_diagnostic.clone()]),
                    edit: Some(WorkspaceEdit { changes: Some(changes), ..WorkspaceEdit::default() }),
                    is_preferred: Some(index == 0),
                    ..CodeAction::default()
                }));
            }
        }
    }
    let _ = context;
    Ok(Some(actions))
}

/// `textDocument/completion` in an M document.
pub async fn completion(
    shared: &Arc<Shared>,
    params: CompletionParams,
) -> Result<Option<CompletionResponse>> {
    let position = params.text_document_position;
    let context = context(shared, &position.text_document.uri).await?;
    if context.snapshot.language != Language::M {
        return Ok(None);
    }
    let offset = context.offset(position.position)?;
    task::blocking("completion", move || {
        let snapshot = &context.snapshot;
        let local;
        let analysis = match snapshot.cached_analysis() {
            Some(analysis) => analysis,
            None => {
                local = ide::analyze_around(&snapshot.text, snapshot.tree(), offset);
                &local.analysis
            }
        };
        let file = MFile::new(&snapshot.text, snapshot.tree(), analysis);
        let lines = context.lines();
        let items: Vec<lsp::CompletionItem> = ide::completion::completions(file, offset)
            .into_iter()
            .map(|item| completion_item(item, &lines, context.client))
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
        K::Variable => CompletionItemKind::VARIABLE,
        K::Parameter => CompletionItemKind::VARIABLE,
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
        documentation: item.documentation.map(|value| markup(value, client)),
        sort_text: Some(item.sort_text),
        filter_text: item.filter_text,
        insert_text_format: Some(format),
        text_edit: Some(CompletionTextEdit::Edit(TextEdit { range: lines.range(item.replace), new_text })),
        ..lsp::CompletionItem::default()
    }
}

/// Markdown for a client that shows it, else the same text as plain text.
fn markup(value: String, client: ClientFlags) -> Documentation {
    let kind = if client.markdown { MarkupKind::Markdown } else { MarkupKind::PlainText };
    Documentation::MarkupContent(MarkupContent { kind, value })
}
