//! Diagnostics from snapshots to the client: the worker that checks items, the syntax-first publication of
//! a keystroke in a large document, and pull diagnostics.
//!
//! Push (clients without pull support): every change of an item queues it for the one diagnostics
//! [`worker`], which checks items one at a time on the blocking pool. A check reads a snapshot: the
//! open buffers of the item at their current versions and the rest from disk. Its result is published
//! only if the item's generation has not moved since the snapshot (else a newer check is already queued),
//! each open file with the version the check saw, and at most once for a generation (two changes can queue an item
//! twice before the worker sees either). So results arrive in order, once, and never describe a text the
//! client no longer has.
//!
//! A full check of a large M document costs a parse from scratch and the whole name analysis (about
//! 100 ms for 10,000 lines). When an item's last check took longer than [`SYNTAX_FIRST_AFTER`], a change
//! to its M document first publishes [`check::syntax_only`] (the incrementally reparsed tree's syntax
//! diagnostics plus the last full check's other diagnostics moved through the edits), then the full
//! result when it comes. The syntax-only result of a version is never published after the full one.
//!
//! Pull: `textDocument/diagnostic` answers from the last full check when it is of the item's current
//! generation, else checks now; `resultId` is the generation, so an unchanged item is reported as such.
//! A client pulls only the documents it has open, yet a problem of the item may be in a closed file (a
//! query of `mashup.pq` without its entry in `queryMetadata.json`, which Push refuses): the check a pull
//! makes covers the whole item, and its closed files are pushed from it, as in push mode (no second
//! check, nothing on the answer's path). The push of a file is withdrawn when the client opens it, and
//! cleared with the rest when the item has no open file. A change the client does not pull for by itself
//! (a file on disk, a close) asks it to pull again (`workspace/diagnostic/refresh`), or, for a client
//! that cannot be asked, queues the item for the worker.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::mpsc::UnboundedReceiver;
use tower_lsp_server::ls_types::{
    self as lsp, DocumentDiagnosticReport, DocumentDiagnosticReportResult, FullDocumentDiagnosticReport,
    RelatedFullDocumentDiagnosticReport, RelatedUnchangedDocumentDiagnosticReport,
    UnchangedDocumentDiagnosticReport, Uri,
};
use tower_lsp_server::{jsonrpc, Client};

use super::check::{self, Files};
use super::convert::Encoding;
use super::diagnostic;
use super::document::{Language, Snapshot};
use super::siblings;
use super::state::{PerFile, Shared};
use super::task::{self, Pool};
use super::workspace::{self, DocKey, ItemKey};
use crate::cancel::Token;
use crate::diagnostics::Diagnostic;

/// A full check slower than this makes the next keystrokes publish syntax diagnostics first.
pub const SYNTAX_FIRST_AFTER: Duration = Duration::from_millis(15);

/// The diagnostics of one file from a full check.
struct CheckedFile {
    key: DocKey,
    uri: Uri,
    /// The version of the open document the check read; `None` for a file read from disk.
    version: Option<i32>,
    lsp: Vec<lsp::Diagnostic>,
    diagnostics: Vec<Diagnostic>,
}

/// A full check of an item.
struct Checked {
    generation: u64,
    elapsed: Duration,
    files: Vec<CheckedFile>,
    all: Arc<Files>,
}

/// Checks queued items one at a time and publishes the results that are still current. Runs until the
/// server stops.
pub async fn worker(shared: Arc<Shared>, client: Client, mut queue: UnboundedReceiver<ItemKey>) {
    while let Some(first) = queue.recv().await {
        // Requests that piled up during the last check are served once each.
        let mut items = vec![first];
        while let Ok(item) = queue.try_recv() {
            if !items.contains(&item) {
                items.push(item);
            }
        }
        for item in items {
            // Queued twice for one change (the worker took the first request only after both): done.
            let published = {
                let state = shared.lock();
                state.generation(&item).is_some()
                    && state.items.get(&item).and_then(|s| s.published_generation) == state.generation(&item)
            };
            if published {
                continue;
            }
            match check(&shared, &item).await {
                Ok(Some(checked)) => publish(&shared, &client, &item, checked).await,
                Ok(None) => {}
                // The item changed during the check: the change queued the next one.
                Err(error) if error.code == jsonrpc::ErrorCode::RequestCancelled => {}
                Err(error) => eprintln!("dfls lsp: {}", error.message),
            }
        }
    }
}

/// Checks an item with an open file, from a snapshot taken now. `None` when no file of it is open.
async fn check(shared: &Arc<Shared>, item: &ItemKey) -> jsonrpc::Result<Option<Checked>> {
    let (generation, open, encoding, token) = {
        let mut state = shared.lock();
        let Some(generation) = state.generation(item).filter(|_| state.is_active(item)) else {
            return Ok(None);
        };
        let token = state.items.get(item).map(|s| s.check_work.clone()).unwrap_or_default();
        (generation, state.open_snapshots(item), state.encoding, token)
    };
    let item = item.clone();
    let delay = shared.options.check_delay;
    let shared = shared.clone();
    task::run(Pool::Checks, "checking the diagnostics", token, move || {
        if !delay.is_zero() {
            crate::cancel::sleep(delay);
        }
        let start = Instant::now();
        let (files, all) = compute(&shared, &item, &open, encoding);
        Some(Checked { generation, elapsed: start.elapsed(), files, all: Arc::new(all) })
    })
    .await
}

/// The full check of an item, converted to the protocol.
fn compute(
    shared: &Shared,
    item: &ItemKey,
    open: &HashMap<DocKey, Arc<Snapshot>>,
    encoding: Encoding,
) -> (Vec<CheckedFile>, Files) {
    let (results, files) = match item {
        ItemKey::Folder(folder) => check::item(&workspace::read_item(folder, open)),
        ItemKey::Loose(key) => {
            match open.get(key).cloned().or_else(|| workspace::read(key).map(|(s, _)| s)) {
                Some(snapshot) => {
                    check::loose(&snapshot, || siblings::names_defined_by_siblings(shared, key))
                }
                None => (Vec::new(), Files::new()),
            }
        }
    };
    let checked = results
        .into_iter()
        .map(|result| {
            crate::cancel::checkpoint();
            let snapshot = &result.snapshot;
            let lsp = result
                .diagnostics
                .iter()
                .map(|d| diagnostic::to_lsp(d, snapshot, &files, encoding))
                .collect();
            CheckedFile {
                key: snapshot.key.clone(),
                uri: snapshot.uri.clone(),
                version: snapshot.version,
                lsp,
                diagnostics: result.diagnostics,
            }
        })
        .collect();
    (checked, files)
}

/// Publishes a full check if the item has not changed since its snapshot. To a client that pulls
/// diagnostics, only the files it does not have open: it pulls the others.
async fn publish(shared: &Arc<Shared>, client: &Client, item: &ItemKey, checked: Checked) {
    let _gate = shared.publish.lock().await;
    let (sends, cleared) = {
        let mut state = shared.lock();
        if state.generation(item) != Some(checked.generation)
            || !state.is_active(item)
            || state.items.get(item).and_then(|s| s.published_generation) == Some(checked.generation)
        {
            return;
        }
        let pull = state.client.pull_diagnostics;
        let mut sends = Vec::new();
        for file in checked.files {
            if pull && state.documents.contains_key(&file.key) {
                // The client pulls the documents it has open; a push would show their problems twice.
                continue;
            }
            let open = match state.documents.get_mut(&file.key) {
                Some(document) if Some(document.version) == file.version => {
                    document.set_checked(&file.diagnostics);
                    document.checked_version = file.version;
                    true
                }
                _ => false,
            };
            sends.push((file.uri, file.lsp, file.version, open));
        }
        let item_state = state.items.entry(item.clone()).or_default();
        item_state.published_generation = Some(checked.generation);
        item_state.last_check = checked.elapsed;
        item_state.files = checked.all;
        // A file not open gets a publication only when it has diagnostics or had some, so an item of clean
        // files costs one message per open file.
        sends.retain(|(uri, lsp, _, open)| *open || !lsp.is_empty() || item_state.published.contains(uri));
        let now: HashSet<Uri> =
            sends.iter().filter(|(_, lsp, ..)| !lsp.is_empty()).map(|(uri, ..)| uri.clone()).collect();
        let sent: HashSet<&Uri> = sends.iter().map(|(uri, ..)| uri).collect();
        let cleared: Vec<Uri> =
            item_state.published.iter().filter(|uri| !sent.contains(uri)).cloned().collect();
        item_state.published = now;
        (sends, cleared)
    };
    for (uri, diagnostics, version, _) in sends {
        client.publish_diagnostics(uri, diagnostics, version).await;
    }
    for uri in cleared {
        client.publish_diagnostics(uri, Vec::new(), None).await;
    }
}

/// After an edit of an open M document in push mode: publishes its syntax-only diagnostics first when its
/// item is slow to check (or the options say so), then queues the full check.
pub fn after_edit(shared: &Arc<Shared>, client: &Client, key: &DocKey) {
    let (item, syntax_first) = {
        let mut state = shared.lock();
        let Some(document) = state.documents.get(key) else { return };
        let item = document.item.clone();
        let is_m = document.language == Language::M;
        let carried = document.carried().to_vec();
        let slow = state.items.get(&item).is_some_and(|s| s.last_check >= SYNTAX_FIRST_AFTER);
        let syntax_first = if is_m && shared.options.syntax_first.unwrap_or(slow) {
            let files = state.items.get(&item).map(|s| s.files.clone()).unwrap_or_default();
            let encoding = state.encoding;
            let token = document.current_work();
            state.open_snapshot(key).map(|snapshot| (snapshot, carried, files, encoding, token))
        } else {
            None
        };
        (item, syntax_first)
    };
    if let Some((snapshot, carried, files, encoding, token)) = syntax_first {
        let shared = shared.clone();
        let client = client.clone();
        tokio::spawn(async move {
            let for_check = snapshot.clone();
            // Cancelled by the next edit: the diagnostics of a version the client has left are not wanted.
            let converted = task::run(Pool::Quick, "computing syntax diagnostics", token, move || {
                let diagnostics = check::syntax_only(&for_check, &carried);
                diagnostics
                    .iter()
                    .map(|d| diagnostic::to_lsp(d, &for_check, &files, encoding))
                    .collect::<Vec<_>>()
            })
            .await;
            let Ok(diagnostics) = converted else { return };
            let _gate = shared.publish.lock().await;
            let current = shared.lock().documents.get(&snapshot.key).is_some_and(|document| {
                Some(document.version) == snapshot.version && document.checked_version != snapshot.version
            });
            if current {
                client.publish_diagnostics(snapshot.uri.clone(), diagnostics, snapshot.version).await;
            }
        });
    }
    for item in siblings::with_open_siblings(shared, vec![item]) {
        shared.schedule(item);
    }
}

/// A client that pulls diagnostics has opened `uri`: what was pushed for it while it was closed is
/// cleared now, before the client's pull reports it, so its problems never show twice.
pub async fn withdraw(shared: &Arc<Shared>, client: &Client, uri: &Uri) {
    let _gate = shared.publish.lock().await;
    // Every item is asked (not only until one had it): the file may have moved to another item since.
    let mut pushed = false;
    for item in shared.lock().items.values_mut() {
        pushed |= item.published.remove(uri);
    }
    if pushed {
        client.publish_diagnostics(uri.clone(), Vec::new(), None).await;
    }
}

/// Clears what was published for an item none of whose files is open any more, and forgets it.
pub async fn forget(shared: &Arc<Shared>, client: &Client, item: &ItemKey) {
    let _gate = shared.publish.lock().await;
    let published = {
        let mut state = shared.lock();
        if state.is_active(item) {
            return;
        }
        state.items.remove(item).map(|s| s.published).unwrap_or_default()
    };
    for uri in published {
        client.publish_diagnostics(uri, Vec::new(), None).await;
    }
}

/// Checks an item for a pull request: a check that a change cancelled is done again on the newer
/// generation, so the answer is never "cancelled" for a reason the client did not give. A cancellation
/// without a newer generation is not a change's: it is answered as such rather than tried again (which
/// would spin for as long as the cause stays).
async fn check_current(shared: &Arc<Shared>, item: &ItemKey) -> jsonrpc::Result<Option<Checked>> {
    loop {
        let generation = shared.lock().generation(item);
        match check(shared, item).await {
            Err(error)
                if error.code == jsonrpc::ErrorCode::RequestCancelled
                    && shared.lock().generation(item) != generation => {}
            outcome => return outcome,
        }
    }
}

/// Answers `textDocument/diagnostic` for a document. A check made for it covers the whole item: the
/// item's files that are not open are pushed from it once the answer is on its way, since a client pulls
/// only the documents it has open.
pub async fn pull(
    shared: &Arc<Shared>,
    client: &Client,
    params: lsp::DocumentDiagnosticParams,
) -> jsonrpc::Result<DocumentDiagnosticReportResult> {
    let uri = &params.text_document.uri;
    let key = DocKey::of(uri);
    let item = shared.item_of(&key);
    let (active, cached) = {
        let state = shared.lock();
        let generation = state.generation(&item);
        let cached = state
            .items
            .get(&item)
            .and_then(|s| s.pulled.clone())
            .filter(|(checked, _)| Some(*checked) == generation);
        let active = state.is_active(&item);
        (active, cached)
    };
    if !active && !key.path().is_some_and(|path| path.is_file()) {
        return Err(task::unknown_document(uri));
    }
    // The generation the report is of; none for an item with no open file, which is not tracked.
    let (generation, by_file) = match cached {
        Some((generation, by_file)) => (Some(generation), by_file),
        None if active => {
            let Some(checked) = check_current(shared, &item).await? else {
                return Err(task::unknown_document(uri));
            };
            let by_file: Arc<PerFile> =
                Arc::new(checked.files.iter().map(|f| (f.key.clone(), f.lsp.clone())).collect());
            let generation = checked.generation;
            {
                let mut state = shared.lock();
                if let Some(item_state) = state.items.get_mut(&item).filter(|s| s.generation == generation) {
                    item_state.pulled = Some((generation, by_file.clone()));
                    item_state.last_check = checked.elapsed;
                }
            }
            // Not awaited: the answer does not wait for the other files' notifications.
            let (shared, client, item) = (shared.clone(), client.clone(), item.clone());
            tokio::spawn(async move { publish(&shared, &client, &item, checked).await });
            (Some(generation), by_file)
        }
        None => {
            let encoding = shared.lock().encoding;
            let item = item.clone();
            let shared = shared.clone();
            let files = task::run(Pool::Checks, "checking the diagnostics", Token::new(), move || {
                compute(&shared, &item, &HashMap::new(), encoding).0
            })
            .await?;
            (None, Arc::new(files.into_iter().map(|f| (f.key, f.lsp)).collect()))
        }
    };
    let result_id = generation.map(|generation| generation.to_string());
    if let Some(result_id) = result_id.clone().filter(|id| params.previous_result_id.as_ref() == Some(id)) {
        return Ok(DocumentDiagnosticReportResult::Report(DocumentDiagnosticReport::Unchanged(
            RelatedUnchangedDocumentDiagnosticReport {
                related_documents: None,
                unchanged_document_diagnostic_report: UnchangedDocumentDiagnosticReport { result_id },
            },
        )));
    }
    Ok(DocumentDiagnosticReportResult::Report(DocumentDiagnosticReport::Full(
        RelatedFullDocumentDiagnosticReport {
            related_documents: None,
            full_document_diagnostic_report: FullDocumentDiagnosticReport {
                result_id,
                items: by_file.get(&key).cloned().unwrap_or_default(),
            },
        },
    )))
}
