//! Loose M files see each other, in the editor as in `dfls check`: a folder of `.pq`, `.pqm` and `.m` files
//! outside any item is one section ([`crate::definition::loose`]), each expression file defining its file's
//! name (`Load.pq` is `Load`) and each section document its `shared` members.
//!
//! For an open loose file the server asks the other files of its folder (open buffers as they are, the
//! others as on disk) for the names they define, only when one of its names is unknown; only the names
//! are kept, per file and modification time ([`SiblingNames`]), so a folder of hundreds of files is parsed
//! once. Go to definition, find references and rename follow a name from the file that uses it into the
//! sibling that defines it and every sibling that uses it.

use std::collections::{HashMap, HashSet};
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::SystemTime;

use super::document::{Language, Snapshot};
use super::state::Shared;
use super::workspace::{self, DiskCache, DocKey};
use crate::definition::discover;
use crate::definition::loose;
use crate::semantics::{Analysis, DefinitionKind, ReferenceKind, Resolution};

/// The most files of a folder looked at as siblings; a larger folder is not a project of loose queries.
pub const SIBLING_FILES: usize = 1_000;

/// What tells that a file changed: its modification time and length.
type Stamp = (Option<SystemTime>, u64);

/// The names a file defines, as read at a stamp.
type Read = (Stamp, Arc<[String]>);

/// The names each loose file on disk defines for its siblings, by path, with the stamp they were read at.
#[derive(Default)]
pub struct SiblingNames {
    entries: Mutex<HashMap<PathBuf, Read>>,
}

/// The other loose M files of the folder of `key` (none for a file that is not on disk).
pub fn sibling_keys(shared: &Shared, key: &DocKey) -> Vec<DocKey> {
    let Some(folder) = key.path().and_then(Path::parent) else { return Vec::new() };
    let own = key.file_name();
    let mut keys: Vec<DocKey> = shared
        .listings
        .of(folder)
        .iter()
        .filter(|name| name.as_str() != own && discover::is_m_file(Path::new(name.as_str())))
        .take(SIBLING_FILES)
        .map(|name| DocKey::Path(folder.join(name)))
        .collect();
    // A sibling open but not saved yet counts too.
    keys.extend(
        shared
            .lock()
            .documents
            .keys()
            .filter(|other| {
                other.path().and_then(Path::parent) == Some(folder)
                    && other.file_name() != own
                    && other.path().is_some_and(discover::is_m_file)
            })
            .cloned(),
    );
    keys.sort();
    keys.dedup();
    keys
}

/// The snapshot of a sibling: its open buffer, else the file on disk.
fn snapshot_of(shared: &Shared, key: &DocKey) -> Option<Arc<Snapshot>> {
    if let Some(open) = shared.lock().open_snapshot(key) {
        return Some(open);
    }
    DiskCache::read(&shared.disk, key)
}

/// The names every sibling of `key` defines.
pub fn names_defined_by_siblings(shared: &Shared, key: &DocKey) -> HashSet<String> {
    let mut names = HashSet::new();
    for sibling in sibling_keys(shared, key) {
        crate::cancel::checkpoint();
        names.extend(names_of(shared, &sibling).iter().cloned());
    }
    names
}

/// The names one sibling defines: from its buffer when it is open, else from the cache or the disk.
fn names_of(shared: &Shared, key: &DocKey) -> Arc<[String]> {
    if let Some(open) = shared.lock().open_snapshot(key) {
        return loose::names_defined(&key.shown(), open.tree(), &open.text).into();
    }
    let Some(path) = key.path() else { return Arc::from([]) };
    let Ok(metadata) = std::fs::metadata(path) else { return Arc::from([]) };
    let stamp = (metadata.modified().ok(), metadata.len());
    let cached =
        shared.sibling_names.entries.lock().unwrap_or_else(PoisonError::into_inner).get(path).cloned();
    if let Some((cached, names)) = cached {
        if cached == stamp && stamp.0.is_some() {
            return names;
        }
    }
    let Some((snapshot, _)) = workspace::read(key) else { return Arc::from([]) };
    let names: Arc<[String]> = loose::names_defined(&key.shown(), snapshot.tree(), &snapshot.text).into();
    let mut entries = shared.sibling_names.entries.lock().unwrap_or_else(PoisonError::into_inner);
    if entries.len() >= 16 * SIBLING_FILES {
        entries.clear();
    }
    entries.insert(path.to_path_buf(), (stamp, names.clone()));
    names
}

/// The name at `offset` of a loose file that siblings may define or use: an unknown name used there, or
/// a `shared` member it defines (a section document's members are its siblings' names).
pub fn name_at(analysis: &Analysis, offset: usize) -> Option<(String, Range<usize>)> {
    let touches = |range: &Range<usize>| range.start <= offset && offset <= range.end;
    if let Some(reference) = analysis.references().iter().find(|r| touches(&r.range)) {
        let plain = matches!(reference.kind, ReferenceKind::Plain | ReferenceKind::Inclusive);
        let shared_member = reference.resolution.definition().is_some_and(|def| {
            matches!(analysis.definition(def).kind, DefinitionKind::SectionMember { shared: true, .. })
        });
        if plain && (reference.resolution == Resolution::Unresolved || shared_member) {
            return Some((analysis.name(reference.name).to_string(), reference.range.clone()));
        }
        return None;
    }
    let definition = analysis.definitions().iter().find(|d| {
        touches(&d.name_range) && matches!(d.kind, DefinitionKind::SectionMember { shared: true, .. })
    })?;
    Some((analysis.name(definition.name).to_string(), definition.name_range.clone()))
}

/// A file and where a name is written in it.
pub type Written = (Arc<Snapshot>, Vec<Range<usize>>);

/// Where a sibling defines a name.
pub struct Found {
    pub snapshot: Arc<Snapshot>,
    /// The whole definition (the whole file for an expression file).
    pub full: Range<usize>,
    /// The name (the start of the file for an expression file, whose name is its file's).
    pub focus: Range<usize>,
    /// Whether the name is the file's own (an expression file): renaming it renames the file.
    pub is_file_name: bool,
}

/// The siblings of `key` that define `name`.
pub fn definitions(shared: &Shared, key: &DocKey, name: &str) -> Vec<Found> {
    let mut found = Vec::new();
    for sibling in sibling_keys(shared, key) {
        crate::cancel::checkpoint();
        if !names_of(shared, &sibling).iter().any(|defined| defined == name) {
            continue;
        }
        let Some(snapshot) = snapshot_of(shared, &sibling).filter(|s| s.language == Language::M) else {
            continue;
        };
        if loose::is_expression(snapshot.tree()) {
            let full = 0..snapshot.text.len();
            found.push(Found { snapshot, full, focus: 0..0, is_file_name: true });
            continue;
        }
        let analysis = snapshot.analysis();
        let member = analysis.definitions().iter().find(|d| {
            matches!(d.kind, DefinitionKind::SectionMember { shared: true, .. })
                && analysis.name(d.name) == name
        });
        if let Some(member) = member {
            let (full, focus) = (member.range.clone(), member.name_range.clone());
            found.push(Found { snapshot, full, focus, is_file_name: false });
        }
    }
    found
}

/// Where `name`, as a name siblings share, is written in one file: its unknown uses, and in a section
/// document that defines it as a `shared` member, the member's name (when `declaration`) and the uses
/// that resolve to it.
pub fn occurrences(analysis: &Analysis, name: &str, declaration: bool) -> Vec<Range<usize>> {
    let Some(id) = analysis.find_name(name) else { return Vec::new() };
    let member = analysis
        .definitions()
        .iter()
        .position(|d| d.name == id && matches!(d.kind, DefinitionKind::SectionMember { shared: true, .. }));
    let mut ranges: Vec<Range<usize>> = analysis
        .references()
        .iter()
        .filter(|r| r.name == id && matches!(r.kind, ReferenceKind::Plain | ReferenceKind::Inclusive))
        .filter(|r| match r.resolution {
            Resolution::Unresolved => true,
            Resolution::Definition(def) => Some(def.0 as usize) == member,
            _ => false,
        })
        .map(|r| r.range.clone())
        .collect();
    if let (Some(member), true) = (member, declaration) {
        ranges.push(analysis.definitions()[member].name_range.clone());
    }
    ranges.sort_by_key(|r| r.start);
    ranges
}

/// Every place in the siblings of `key` (the file itself left to the caller) where `name` is written as a
/// name they share, by snapshot.
pub fn sibling_occurrences(shared: &Shared, key: &DocKey, name: &str, declaration: bool) -> Vec<Written> {
    let mut found = Vec::new();
    for sibling in sibling_keys(shared, key) {
        crate::cancel::checkpoint();
        let Some(snapshot) = snapshot_of(shared, &sibling).filter(|s| s.language == Language::M) else {
            continue;
        };
        // Most siblings do not mention the name at all: a text search spares their analysis. A quoted name
        // may escape any character (`#"a#(tab)b"`, `#"say ""hi"""`): only the part before the first `"` or
        // control character is sure to be written as it is, and a file with `#(` escapes is always analysed.
        let plain = name.split(|c: char| c == '"' || c.is_control()).next().unwrap_or(name);
        if !snapshot.text.contains(plain) && !snapshot.text.contains("#(") {
            continue;
        }
        let ranges = occurrences(snapshot.analysis(), name, declaration);
        if !ranges.is_empty() {
            found.push((snapshot, ranges));
        }
    }
    found
}

/// `items`, and with each loose file among them the other open loose files of its folder (marked changed):
/// what a file defines changes what its siblings' names resolve to.
pub fn with_open_siblings(
    shared: &Shared,
    mut items: Vec<super::workspace::ItemKey>,
) -> Vec<super::workspace::ItemKey> {
    use super::workspace::ItemKey;
    let folders: Vec<PathBuf> = items
        .iter()
        .filter_map(|item| match item {
            ItemKey::Loose(key) if key.path().is_some_and(discover::is_m_file) => {
                key.path().and_then(Path::parent).map(Path::to_path_buf)
            }
            _ => None,
        })
        .collect();
    if folders.is_empty() {
        return items;
    }
    let mut state = shared.lock();
    let mut added = Vec::new();
    for document in state.documents.values() {
        if let ItemKey::Loose(key) = &document.item {
            let folder = key.path().and_then(Path::parent);
            if folder.is_some_and(|folder| folders.iter().any(|f| f == folder))
                && !items.contains(&document.item)
                && !added.contains(&document.item)
            {
                added.push(document.item.clone());
            }
        }
    }
    // A new generation, or the check of the sibling would be taken for one already published.
    for item in &added {
        state.touch(item);
    }
    items.extend(added);
    items
}

// The requests, for an open loose M file: what they add to what the file itself answers.

use tower_lsp_server::ls_types::{
    DocumentChangeOperation, DocumentChanges, GotoDefinitionResponse, Location, LocationLink, OneOf,
    OptionalVersionedTextDocumentIdentifier, RenameFile, ResourceOp, TextDocumentEdit, TextEdit, Uri,
    WorkspaceEdit,
};

use super::capabilities::ClientFlags;
use super::convert::Encoding;
use crate::syntax::names::{decode_name, m_name};

/// Go to definition on a name a sibling defines: that sibling's member, or the start of the file whose
/// name it is.
pub fn goto_definition(
    shared: &Shared,
    snapshot: &Arc<Snapshot>,
    offset: usize,
    encoding: Encoding,
    links: bool,
) -> Option<GotoDefinitionResponse> {
    let (name, origin) = name_at(snapshot.analysis(), offset)?;
    let found = definitions(shared, &snapshot.key, &name);
    if found.is_empty() {
        return None;
    }
    let origin = snapshot.lines(encoding).range(origin);
    Some(if links {
        GotoDefinitionResponse::Link(
            found
                .iter()
                .map(|f| {
                    let lines = f.snapshot.lines(encoding);
                    LocationLink {
                        origin_selection_range: Some(origin),
                        target_uri: f.snapshot.uri.clone(),
                        target_range: lines.range(f.full.clone()),
                        target_selection_range: lines.range(f.focus.clone()),
                    }
                })
                .collect(),
        )
    } else {
        GotoDefinitionResponse::Array(
            found
                .iter()
                .map(|f| Location {
                    uri: f.snapshot.uri.clone(),
                    range: f.snapshot.lines(encoding).range(f.focus.clone()),
                })
                .collect(),
        )
    })
}

/// Find references on a name the file shares with its siblings: where the file and every sibling write
/// it (with the declaration: the member that defines it, or the start of the file named so).
pub fn references(
    shared: &Shared,
    snapshot: &Arc<Snapshot>,
    offset: usize,
    declaration: bool,
    encoding: Encoding,
) -> Vec<Location> {
    let Some((name, _)) = name_at(snapshot.analysis(), offset) else { return Vec::new() };
    let mut locations = Vec::new();
    let mut add = |snapshot: &Snapshot, ranges: &[Range<usize>]| {
        let lines = snapshot.lines(encoding);
        locations.extend(
            ranges.iter().map(|r| Location { uri: snapshot.uri.clone(), range: lines.range(r.clone()) }),
        );
    };
    add(snapshot, &occurrences(snapshot.analysis(), &name, declaration));
    for (sibling, ranges) in sibling_occurrences(shared, &snapshot.key, &name, declaration) {
        add(&sibling, &ranges);
    }
    if declaration {
        for found in definitions(shared, &snapshot.key, &name).into_iter().filter(|f| f.is_file_name) {
            add(&found.snapshot, std::slice::from_ref(&found.focus));
        }
    }
    locations
}

/// What a rename at `offset` renames when the name is one siblings share: the range and the name;
/// `None` when the file's own rename applies.
pub fn prepare_rename(
    shared: &Shared,
    snapshot: &Arc<Snapshot>,
    offset: usize,
) -> Option<(Range<usize>, String)> {
    let (name, range) = name_at(snapshot.analysis(), offset)?;
    let shared_by_siblings = !definitions(shared, &snapshot.key, &name).is_empty()
        || !sibling_occurrences(shared, &snapshot.key, &name, false).is_empty();
    shared_by_siblings.then_some((range, name))
}

/// Rename of a name siblings share, in every file that writes it; a name that is an expression file's own
/// is renamed with its file (`Load.pq` becomes `Extract.pq`), which needs a client that renames files.
/// `None` when the name is not shared with a sibling (the file's own rename applies).
pub fn rename(
    shared: &Shared,
    snapshot: &Arc<Snapshot>,
    offset: usize,
    new_name: &str,
    encoding: Encoding,
    client: ClientFlags,
) -> Option<Result<WorkspaceEdit, String>> {
    let (old, _) = name_at(snapshot.analysis(), offset)?;
    // Each sibling is read and analysed once: what defines the name and where it is written.
    let defined = definitions(shared, &snapshot.key, &old);
    let written_in = sibling_occurrences(shared, &snapshot.key, &old, true);
    if defined.is_empty() && written_in.is_empty() {
        return None;
    }
    Some(rename_shared(shared, snapshot, &old, new_name, (defined, written_in), encoding, client))
}

fn rename_shared(
    shared: &Shared,
    snapshot: &Arc<Snapshot>,
    old: &str,
    new_name: &str,
    (defined, written_in): (Vec<Found>, Vec<Written>),
    encoding: Encoding,
    client: ClientFlags,
) -> Result<WorkspaceEdit, String> {
    let trimmed = new_name.trim();
    let new = decode_name(trimmed).into_owned();
    if new.is_empty() || new.chars().any(char::is_control) {
        return Err(format!("`{trimmed}` is not a name"));
    }
    if new == old {
        return Ok(WorkspaceEdit::default());
    }
    if names_defined_by_siblings(shared, &snapshot.key).contains(&new)
        || loose::names_defined(&snapshot.key.shown(), snapshot.tree(), &snapshot.text).contains(&new)
    {
        return Err(format!("`{}` is already the name of a query of this folder", m_name(&new)));
    }
    let written = m_name(&new);
    let mut files: Vec<Written> = vec![(snapshot.clone(), occurrences(snapshot.analysis(), old, true))];
    files.extend(written_in);
    let mut renames = Vec::new();
    for found in defined.into_iter().filter(|f| f.is_file_name) {
        renames.push(file_rename(&found.snapshot, &new, client)?);
    }
    let edits = files.into_iter().filter(|(_, ranges)| !ranges.is_empty()).map(|(snapshot, ranges)| {
        let lines = snapshot.lines(encoding);
        let edits: Vec<TextEdit> = ranges
            .iter()
            .map(|r| TextEdit { range: lines.range(r.clone()), new_text: written.clone() })
            .collect();
        (snapshot.uri.clone(), snapshot.version, edits)
    });
    if client.document_changes {
        let mut operations: Vec<DocumentChangeOperation> = edits
            .map(|(uri, version, edits)| {
                DocumentChangeOperation::Edit(TextDocumentEdit {
                    text_document: OptionalVersionedTextDocumentIdentifier { uri, version },
                    edits: edits.into_iter().map(OneOf::Left).collect(),
                })
            })
            .collect();
        // The files are renamed after their edits, which name them by their old URIs.
        operations.extend(renames.into_iter().map(|(old_uri, new_uri)| {
            DocumentChangeOperation::Op(ResourceOp::Rename(RenameFile {
                old_uri,
                new_uri,
                options: None,
                annotation_id: None,
            }))
        }));
        Ok(WorkspaceEdit {
            document_changes: Some(DocumentChanges::Operations(operations)),
            ..WorkspaceEdit::default()
        })
    } else {
        let changes = edits.map(|(uri, _, edits)| (uri, edits)).collect();
        Ok(WorkspaceEdit { changes: Some(changes), ..WorkspaceEdit::default() })
    }
}

/// The old and new URIs of an expression file renamed after its new name, or why it cannot be.
fn file_rename(snapshot: &Snapshot, new: &str, client: ClientFlags) -> Result<(Uri, Uri), String> {
    let path = snapshot.key.path().ok_or("the file has no path")?;
    let file = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    if !client.rename_files || !client.document_changes {
        return Err(format!("the name is the one of the file `{file}`: rename the file (this editor cannot rename files in a rename)"));
    }
    if new.chars().any(|c| matches!(c, '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|')) {
        return Err(format!("`{new}` cannot be a file name, which `{file}` needs"));
    }
    let extension = path.extension().map(|e| format!(".{}", e.to_string_lossy())).unwrap_or_default();
    let target = path.with_file_name(format!("{new}{extension}"));
    if target.exists() {
        return Err(format!("`{}` exists already", target.display()));
    }
    Ok((snapshot.uri.clone(), workspace::uri_of(&DocKey::Path(target))))
}
