//! The server's mutable state: the negotiated settings, the open documents, and for each item with an
//! open file its generation and what was published for it.
//!
//! One `std::sync::Mutex` guards it ([`Shared::lock`]); it is held only for short, synchronous steps (apply
//! an edit, take a snapshot, decide whether a result is current) and never across an `.await`. The
//! generation of an item counts its changes (an edit of an open file, an open, a close, a change on disk):
//! a check computed for an older generation is stale and dropped instead of published.

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use tokio::sync::mpsc::UnboundedSender;
use tower_lsp_server::ls_types::{self as lsp, Uri};

use super::capabilities::ClientFlags;
use super::check::Files;
use super::convert::Encoding;
use super::document::{OpenDocument, Snapshot};
use super::symbol_index::SymbolIndex;
use super::workspace::{self, DiskCache, DocKey, ItemKey, Listings, SettingsCache};
use super::Options;
use crate::cancel::Token;

/// A document's last whole-file semantic tokens, with the result id they were sent under.
pub type KeptTokens = (String, Arc<Vec<lsp::SemanticToken>>);

/// What every handler and background task shares.
pub struct Shared {
    state: Mutex<State>,
    /// Held while deciding that a result is current and sending it, so publications never overtake
    /// each other.
    pub publish: tokio::sync::Mutex<()>,
    /// Items to check, for the diagnostics worker.
    pub queue: UnboundedSender<ItemKey>,
    pub options: Options,
    /// Files read from disk for requests.
    pub disk: Mutex<DiskCache>,
    /// The names in folders, for deciding which files make an item.
    pub listings: Listings,
    /// The formatting settings of files.
    pub settings: SettingsCache,
    /// The queries of the M files under the workspace folders.
    pub symbols: Mutex<SymbolIndex>,
    /// Each document's last whole-file semantic tokens and their result id, for deltas.
    pub semantic_tokens: Mutex<HashMap<DocKey, KeptTokens>>,
    /// Each document's tokens of its section members, by their text, so that a whole-file request after
    /// an edit queries only the members that changed.
    pub token_caches: Mutex<HashMap<DocKey, crate::ide::semantic_tokens::TokenCache>>,
    /// The jobs the editor's commands started and followed.
    pub jobs: Mutex<super::commands::Jobs>,
    /// The refresh schedules of items, for the "Next refresh" lens.
    pub next_refresh: super::next_refresh::NextRefresh,
    /// The names loose M files on disk define for their siblings.
    pub sibling_names: super::siblings::SiblingNames,
}

impl Shared {
    pub fn new(queue: UnboundedSender<ItemKey>, options: Options) -> Shared {
        Shared {
            state: Mutex::new(State::default()),
            publish: tokio::sync::Mutex::new(()),
            queue,
            options,
            disk: Mutex::new(DiskCache::default()),
            listings: Listings::default(),
            settings: SettingsCache::default(),
            symbols: Mutex::new(SymbolIndex::default()),
            semantic_tokens: Mutex::new(HashMap::new()),
            token_caches: Mutex::new(HashMap::new()),
            jobs: super::commands::new_jobs(),
            next_refresh: super::next_refresh::NextRefresh::default(),
            sibling_names: super::siblings::SiblingNames::default(),
        }
    }

    /// The state. A panic elsewhere while it was held does not make it unusable: every change to it is
    /// a single step that leaves it consistent.
    pub fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The item of any file: an open document's, else decided from the disk (read without the lock) and
    /// the open files.
    pub fn item_of(&self, key: &DocKey) -> ItemKey {
        if let Some(item) = self.lock().item_of_open(key) {
            return item;
        }
        let listing = key.path().and_then(std::path::Path::parent).map(|folder| self.listings.of(folder));
        let state = self.lock();
        state.item_of_open(key).unwrap_or_else(|| {
            workspace::item_of(key, state.documents.keys(), listing.as_deref().unwrap_or_default())
        })
    }

    /// Asks the worker to check an item.
    pub fn schedule(&self, item: ItemKey) {
        // The worker only stops when the server does; a check requested then is not needed.
        let _ = self.queue.send(item);
    }
}

#[derive(Default)]
pub struct State {
    pub encoding: Encoding,
    pub client: ClientFlags,
    /// The workspace folders, for workspace symbols.
    pub roots: Vec<PathBuf>,
    pub documents: HashMap<DocKey, OpenDocument>,
    pub items: HashMap<ItemKey, ItemState>,
    /// The last generation given to any item: generations are never reused, even by an item forgotten
    /// and seen again, so a result of long ago can never pass for current.
    last_generation: u64,
}

/// The LSP diagnostics of each file of an item.
pub type PerFile = HashMap<DocKey, Vec<lsp::Diagnostic>>;

/// What the server keeps for an item with at least one open file.
#[derive(Default)]
pub struct ItemState {
    pub generation: u64,
    /// The URIs diagnostics were last published for, to clear those that no longer have any.
    pub published: HashSet<Uri>,
    /// How long the last full check took: a slow item gets syntax diagnostics first on a keystroke.
    pub last_check: Duration,
    /// The files of the last check, for related locations of diagnostics carried through edits.
    pub files: Arc<Files>,
    /// The last full check's LSP diagnostics per file, for pull diagnostics, with its generation.
    pub pulled: Option<(u64, Arc<PerFile>)>,
    /// The generation whose full check was published last: a second check of it (queued by two changes
    /// that the worker saw only after both) is neither run nor published again.
    pub published_generation: Option<u64>,
    /// The token checks of the current generation run under; the next change cancels it, since their
    /// result would be dropped as stale anyway.
    pub check_work: Token,
}

impl State {
    /// Marks an item changed, cancels the checks of its previous generation, and returns its new generation.
    pub fn touch(&mut self, item: &ItemKey) -> u64 {
        self.last_generation += 1;
        let generation = self.last_generation;
        let state = self.items.entry(item.clone()).or_default();
        state.generation = generation;
        state.check_work.cancel();
        state.check_work = Token::new();
        generation
    }

    pub fn generation(&self, item: &ItemKey) -> Option<u64> {
        self.items.get(item).map(|state| state.generation)
    }

    /// The item an open document belongs to, as decided when it was opened or the folder last changed.
    pub fn item_of_open(&self, key: &DocKey) -> Option<ItemKey> {
        self.documents.get(key).map(|document| document.item.clone())
    }

    /// Whether an item has an open file.
    pub fn is_active(&self, item: &ItemKey) -> bool {
        self.documents.values().any(|document| &document.item == item)
    }

    /// Snapshots of the open documents of an item.
    pub fn open_snapshots(&mut self, item: &ItemKey) -> HashMap<DocKey, Arc<Snapshot>> {
        self.documents
            .iter_mut()
            .filter(|(_, document)| &document.item == item)
            .map(|(key, document)| (key.clone(), document.snapshot()))
            .collect()
    }

    /// The snapshot of an open document, or `None`.
    pub fn open_snapshot(&mut self, key: &DocKey) -> Option<Arc<Snapshot>> {
        self.documents.get_mut(key).map(OpenDocument::snapshot)
    }
}
