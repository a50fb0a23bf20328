//! An open document: the client's buffer as a ropey rope, kept in step with incremental changes; for M, the
//! tree-sitter tree edited with each change ([`syntax::Document`]); and immutable snapshots of a version
//! for the work done off the main loop.
//!
//! Edits are applied in the order the client sent them, synchronously, by the notification handler
//! (`server`), and cheaply: an edit moves the text, the rope and the old tree, and parses nothing. The
//! first reader of a version (a snapshot's [`Snapshot::tree`], on a pool thread) parses it incrementally
//! from the edited tree, and the next edit takes that tree back, so a burst of edits costs one parse and
//! the protocol loop never parses. Readers never see a half-applied change because they only ever get a
//! [`Snapshot`]. The rope
//! answers position questions in O(log n); the plain text beside it is what the parsers and checks read.
//! The diagnostics of the last full check are carried through later edits ([`OpenDocument::carried`]), so
//! that the fast syntax-only publication of a keystroke can show them at their shifted places instead of
//! hiding them until the next full check.

use std::ops::Range;
use std::sync::{Arc, OnceLock};

use ropey::Rope;
use tower_lsp_server::ls_types::{TextDocumentContentChangeEvent, Uri};
use tree_sitter::Tree;

use super::convert::{Encoding, Lines};
use super::workspace::{DocKey, ItemKey};
use crate::cancel::Token;
use crate::definition::parts::PartKind;
use crate::diagnostics::{Diagnostic, Fix};
use crate::json::{self, Json};
use crate::semantics::{self, Analysis};
use crate::syntax;

/// What language a file is, from its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Language {
    /// Power Query M: `mashup.pq`, `.pq`, `.pqm`, `.m`, and any file that is not JSON.
    M,
    /// A JSON part of an item (`queryMetadata.json`, `.platform`, `.schedules`, `*.mdf`,
    /// `dataflow-content.json`) or another `.json` file.
    Json,
}

impl Language {
    /// The language of a file by its name (the last path segment).
    pub fn of(name: &str) -> Language {
        let kind = PartKind::of(name);
        if kind.is_json() || (kind == PartKind::Unknown && name.to_ascii_lowercase().ends_with(".json")) {
            Language::Json
        } else {
            Language::M
        }
    }
}

/// The text of a document, parsed as its language needs.
enum Body {
    /// M text with its tree, reparsed incrementally.
    M(syntax::Document),
    /// JSON text, parsed on demand by snapshots.
    Text(String),
}

/// A document the client has open.
pub struct OpenDocument {
    pub uri: Uri,
    pub key: DocKey,
    pub language: Language,
    pub version: i32,
    /// The item the document is checked with.
    pub item: ItemKey,
    /// The version the last full check was published for: the syntax-only diagnostics of that version,
    /// if they come later, are not published over it.
    pub checked_version: Option<i32>,
    rope: Rope,
    body: Body,
    /// The diagnostics of the last full check of this file that were not syntax diagnostics, with their
    /// ranges moved through every edit since (a diagnostic an edit touches is dropped).
    carried: Vec<Diagnostic>,
    /// The snapshot of the current version, once taken.
    snapshot: Option<Arc<Snapshot>>,
    /// Cancelled when the next edit comes: work that only matters for this version (its syntax-first
    /// diagnostics) runs under it.
    current_work: Token,
}

impl OpenDocument {
    pub fn new(uri: Uri, key: DocKey, item: ItemKey, version: i32, text: String) -> OpenDocument {
        let language = Language::of(key.file_name());
        let rope = Rope::from_str(&text);
        let body = match language {
            Language::M => Body::M(syntax::Document::unparsed(text)),
            Language::Json => Body::Text(text),
        };
        OpenDocument {
            uri,
            key,
            language,
            version,
            item,
            checked_version: None,
            rope,
            body,
            carried: Vec::new(),
            snapshot: None,
            current_work: Token::new(),
        }
    }

    pub fn text(&self) -> &str {
        match &self.body {
            Body::M(document) => document.text(),
            Body::Text(text) => text,
        }
    }

    /// Applies the changes of one `didChange`, in order. A change with a range replaces that range
    /// (clamped to the text); one without replaces the whole text.
    pub fn apply(&mut self, version: i32, changes: Vec<TextDocumentContentChangeEvent>, encoding: Encoding) {
        self.current_work.cancel();
        self.current_work = Token::new();
        self.adopt_parsed_tree();
        for change in changes {
            match change.range {
                Some(range) => {
                    let bytes = Lines::new(&self.rope, encoding).byte_range_clamped(range);
                    self.edit(bytes, &change.text);
                }
                None => self.replace(change.text),
            }
        }
        self.version = version;
        self.snapshot = None;
    }

    fn edit(&mut self, range: Range<usize>, new_text: &str) {
        let chars = self.rope.byte_to_char(range.start)..self.rope.byte_to_char(range.end);
        self.rope.remove(chars.clone());
        self.rope.insert(chars.start, new_text);
        match &mut self.body {
            Body::M(document) => document.edit_text(range.clone(), new_text),
            Body::Text(text) => text.replace_range(range.clone(), new_text),
        }
        let shift = Shift { start: range.start, old_end: range.end, new_end: range.start + new_text.len() };
        self.carried =
            std::mem::take(&mut self.carried).into_iter().filter_map(|d| shift.diagnostic(d)).collect();
    }

    fn replace(&mut self, text: String) {
        self.rope = Rope::from_str(&text);
        self.body = match self.language {
            Language::M => Body::M(syntax::Document::unparsed(text)),
            Language::Json => Body::Text(text),
        };
        self.carried.clear();
    }

    /// Remembers the diagnostics of a full check of the current version, for [`OpenDocument::carried`].
    pub fn set_checked(&mut self, diagnostics: &[Diagnostic]) {
        self.carried = diagnostics.iter().filter(|d| !is_syntax(d)).cloned().collect();
    }

    /// The last full check's non-syntax diagnostics, moved to the current text.
    pub fn carried(&self) -> &[Diagnostic] {
        &self.carried
    }

    /// The token that work for the current version only runs under; the next edit cancels it.
    pub fn current_work(&self) -> Token {
        self.current_work.clone()
    }

    /// Takes the tree a reader parsed for the current version, if one did, as the start of the next
    /// incremental parse (else the next parse starts from the older tree, edited through both versions).
    fn adopt_parsed_tree(&mut self) {
        let Body::M(document) = &mut self.body else { return };
        if document.is_parsed() {
            return;
        }
        if let Some((tree, repairs)) = self.snapshot.as_ref().and_then(|snapshot| snapshot.tree.get()) {
            document.adopt(tree.clone(), repairs.clone());
        }
    }

    /// An immutable view of the current version, shared by every reader of that version. Cheap: the text
    /// is copied, and an M tree not yet parsed for this version is parsed by the snapshot's first reader.
    pub fn snapshot(&mut self) -> Arc<Snapshot> {
        if let Some(snapshot) = &self.snapshot {
            return snapshot.clone();
        }
        let (text, tree, base) = match &self.body {
            Body::M(document) => {
                let tree = document.edited_tree().map(|tree| (tree.clone(), document.repairs().to_vec()));
                match document.is_parsed() {
                    true => (document.text().to_owned(), tree, None),
                    false => (document.text().to_owned(), None, tree),
                }
            }
            Body::Text(text) => (text.clone(), None, None),
        };
        let snapshot = Arc::new(Snapshot {
            uri: self.uri.clone(),
            key: self.key.clone(),
            language: self.language,
            version: Some(self.version),
            text,
            rope: self.rope.clone(),
            tree: tree.map_or_else(OnceLock::new, OnceLock::from),
            base,
            analysis: OnceLock::new(),
            json: OnceLock::new(),
        });
        self.snapshot = Some(snapshot.clone());
        snapshot
    }
}

/// Whether a diagnostic is one the syntax pass of an M document produces (`M101`-`M107`), which the fast
/// syntax-only publication recomputes rather than carries.
pub fn is_syntax(diagnostic: &Diagnostic) -> bool {
    matches!(diagnostic.code.id, "M101" | "M102" | "M103" | "M104" | "M105" | "M106" | "M107")
}

/// One version of a file, open or read from disk: what every feature and check reads.
pub struct Snapshot {
    pub uri: Uri,
    pub key: DocKey,
    pub language: Language,
    /// The client's version of an open document; `None` for a file read from disk.
    pub version: Option<i32>,
    pub text: String,
    pub rope: Rope,
    /// The tree of an M document, parsed on first use, with the places its parse repaired
    /// ([`syntax::parse_repairing`]).
    tree: OnceLock<(Tree, Vec<usize>)>,
    /// For an open document, the tree its parse starts from: the last parse, edited to line up with
    /// `text`, with the places that parse repaired.
    base: Option<(Tree, Vec<usize>)>,
    analysis: OnceLock<Analysis>,
    json: OnceLock<Json>,
}

impl Snapshot {
    /// A file read from disk (`text` already decoded without moving offsets).
    pub fn from_disk(uri: Uri, key: DocKey, text: String) -> Snapshot {
        let language = Language::of(key.file_name());
        Snapshot {
            uri,
            key,
            language,
            version: None,
            rope: Rope::from_str(&text),
            text,
            tree: OnceLock::new(),
            base: None,
            analysis: OnceLock::new(),
            json: OnceLock::new(),
        }
    }

    /// The lines of the text in the negotiated encoding (a BOM of a file from disk takes no column).
    pub fn lines(&self, encoding: Encoding) -> Lines<'_> {
        if self.version.is_some() {
            Lines::new(&self.rope, encoding)
        } else {
            Lines::from_disk(&self.rope, encoding)
        }
    }

    /// The M tree, parsed on first use: incrementally from the open document's edited tree, or from
    /// scratch for a file from disk. A parse cancelled ([`crate::cancel`]) leaves it to the next reader.
    pub fn tree(&self) -> &Tree {
        let base = self.base.as_ref().map(|(tree, repairs)| (tree, repairs.as_slice()));
        &self.tree.get_or_init(|| syntax::parse_repairing(&mut syntax::new_parser(), &self.text, base)).0
    }

    /// Whether the tree has been parsed already (reading it then costs nothing).
    pub fn is_parsed(&self) -> bool {
        self.tree.get().is_some()
    }

    /// The names of the whole document, analysed once per version.
    pub fn analysis(&self) -> &Analysis {
        self.analysis.get_or_init(|| semantics::analyze(self.tree(), &self.text))
    }

    /// The analysis of the whole document if a feature already made it.
    pub fn cached_analysis(&self) -> Option<&Analysis> {
        self.analysis.get()
    }

    /// The parsed JSON of a JSON file, once per version.
    pub fn json(&self) -> &Json {
        self.json.get_or_init(|| json::parse(&self.text))
    }
}

/// A text edit, for moving byte ranges of the text before it to the text after it.
struct Shift {
    start: usize,
    old_end: usize,
    new_end: usize,
}

impl Shift {
    /// The range after the edit; `None` when the edit changed text inside it.
    fn range(&self, range: &Range<usize>) -> Option<Range<usize>> {
        if range.end <= self.start {
            Some(range.clone())
        } else if range.start >= self.old_end {
            Some(range.start - self.old_end + self.new_end..range.end - self.old_end + self.new_end)
        } else {
            None
        }
    }

    /// The diagnostic after the edit, without the related ranges and fixes the edit touched; `None` when
    /// the edit touched its range.
    fn diagnostic(&self, mut diagnostic: Diagnostic) -> Option<Diagnostic> {
        diagnostic.range = self.range(&diagnostic.range)?;
        diagnostic.related.retain_mut(|related| {
            if related.path.is_some() {
                return true;
            }
            self.range(&related.range).map(|range| related.range = range).is_some()
        });
        diagnostic.fixes =
            std::mem::take(&mut diagnostic.fixes).into_iter().filter_map(|fix| self.fix(fix)).collect();
        Some(diagnostic)
    }

    fn fix(&self, mut fix: Fix) -> Option<Fix> {
        for edit in &mut fix.edits {
            edit.range = self.range(&edit.range)?;
        }
        Some(fix)
    }
}
