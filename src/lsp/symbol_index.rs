//! The workspace symbol index: the queries of every M file under the workspace folders, kept between
//! `workspace/symbol` requests.
//!
//! The first request walks the folders (hidden and build folders skipped, at most
//! [`MAX_WORKSPACE_FILES`] files: the walk stops there) and reads and parses each file once, keeping only
//! its queries' names and locations. Later requests reuse them: when the client watches files, only the
//! files its notifications named are read again ([`SymbolIndex::changed`]); otherwise the folders are
//! walked again but a file is read again only when its modification time or length changed. Open buffers
//! are read from their snapshots on every request (they change without touching the disk). Runs on the
//! heavy pool; the index has its own lock, never the state's.

use std::collections::{HashMap, HashSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::SystemTime;

use tower_lsp_server::ls_types::Location;

use super::convert::Encoding;
use super::document::{Language, Snapshot};
use super::workspace::{self, DocKey};
use crate::definition::discover;
use crate::ide::symbols::{self, SymbolKind, WorkspaceSource};

/// The most M files a workspace search reads: a bound on the work and memory of the index.
pub const MAX_WORKSPACE_FILES: usize = 10_000;

/// A query of a file, ready to be matched and returned.
#[derive(Debug, Clone)]
pub struct IndexedSymbol {
    pub name: String,
    pub kind: SymbolKind,
    /// The item's display name.
    pub container: String,
    pub location: Location,
}

/// What tells that a file changed: its modification time and length.
type Stamp = (Option<SystemTime>, u64);

struct IndexedFile {
    stamp: Stamp,
    symbols: Vec<IndexedSymbol>,
}

/// The index of the files under the workspace folders.
#[derive(Default)]
pub struct SymbolIndex {
    /// The folders the index was built for; other folders mean a new walk.
    roots: Vec<PathBuf>,
    /// The M files found by the last walk, sorted.
    paths: Vec<PathBuf>,
    walked: bool,
    files: HashMap<PathBuf, IndexedFile>,
    /// Files the client reported changed since the last request.
    dirty: HashSet<PathBuf>,
    /// Whether the client reports changes (then the folders are not walked again).
    watched: bool,
    encoding: Encoding,
}

impl SymbolIndex {
    /// The client reports changes to files: later requests trust its notifications instead of walking.
    pub fn watch(&mut self) {
        self.watched = true;
    }

    /// A file was created, changed or deleted on disk.
    pub fn changed(&mut self, path: &Path) {
        if discover::is_m_file(path) {
            self.dirty.insert(path.to_path_buf());
        }
    }

    /// The queries matching `query` fuzzily, best first, at most `limit`: the files under `roots` (open
    /// buffers in place of their files) and open M buffers elsewhere.
    pub fn search(
        &mut self,
        roots: &[PathBuf],
        open: &HashMap<DocKey, Arc<Snapshot>>,
        encoding: Encoding,
        query: &str,
        limit: usize,
    ) -> Vec<IndexedSymbol> {
        if self.roots != roots || self.encoding != encoding {
            *self = SymbolIndex { watched: self.watched, ..SymbolIndex::default() };
            self.roots = roots.to_vec();
            self.encoding = encoding;
        }
        self.refresh();
        let mut found: Vec<(u32, usize, IndexedSymbol)> = Vec::new();
        let mut order = 0;
        let mut consider = |symbol: &IndexedSymbol, found: &mut Vec<(u32, usize, IndexedSymbol)>| {
            crate::cancel::checkpoint();
            if let Some(score) = crate::ide::fuzzy::score(query, &symbol.name) {
                found.push((score, order, symbol.clone()));
            }
            order += 1;
        };
        for path in &self.paths {
            match open.get(&DocKey::Path(path.clone())) {
                Some(snapshot) => {
                    for symbol in symbols_of(snapshot, encoding) {
                        consider(&symbol, &mut found);
                    }
                }
                None => {
                    for symbol in self.files.get(path).map(|f| f.symbols.as_slice()).unwrap_or_default() {
                        consider(symbol, &mut found);
                    }
                }
            }
        }
        // Open M buffers outside the workspace folders (or not saved yet) count too.
        let mut others: Vec<&Arc<Snapshot>> = open
            .values()
            .filter(|s| s.language == Language::M)
            .filter(|s| {
                s.key.path().is_none_or(|path| self.paths.binary_search(&path.to_path_buf()).is_err())
            })
            .collect();
        others.sort_by(|a, b| a.key.cmp(&b.key));
        for snapshot in others {
            for symbol in symbols_of(snapshot, encoding) {
                consider(&symbol, &mut found);
            }
        }
        found.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.2.name.cmp(&b.2.name)).then(a.1.cmp(&b.1)));
        found.into_iter().take(limit).map(|(_, _, symbol)| symbol).collect()
    }

    /// Brings the index up to date with the disk: with a watching client, the files it reported; else a
    /// walk, then every file whose stamp moved.
    fn refresh(&mut self) {
        if self.watched && self.walked {
            for path in std::mem::take(&mut self.dirty) {
                crate::cancel::checkpoint();
                let under_roots = self.roots.iter().any(|root| path.starts_with(root));
                let exists = path.is_file();
                match self.paths.binary_search(&path) {
                    Ok(at) if !exists => {
                        self.paths.remove(at);
                        self.files.remove(&path);
                        continue;
                    }
                    Err(at) if under_roots && exists && self.paths.len() < MAX_WORKSPACE_FILES => {
                        self.paths.insert(at, path.clone());
                    }
                    Err(_) => continue,
                    Ok(_) => {}
                }
                self.files.remove(&path);
                self.read(&path);
            }
            return;
        }
        self.paths = m_files_under(&self.roots);
        self.walked = true;
        self.dirty.clear();
        let present: HashSet<&PathBuf> = self.paths.iter().collect();
        self.files.retain(|path, _| present.contains(path));
        for path in self.paths.clone() {
            crate::cancel::checkpoint();
            self.read(&path);
        }
    }

    /// Reads and indexes a file unless it is indexed with the same stamp.
    fn read(&mut self, path: &Path) {
        let Some(stamp) = stamp(path) else { return };
        if self.files.get(path).is_some_and(|file| file.stamp == stamp && stamp.0.is_some()) {
            return;
        }
        let key = DocKey::Path(path.to_path_buf());
        let symbols = match workspace::read(&key) {
            Some((snapshot, _)) => symbols_of(&snapshot, self.encoding),
            None => Vec::new(),
        };
        self.files.insert(path.to_path_buf(), IndexedFile { stamp, symbols });
    }
}

/// The queries of one M document as symbols.
fn symbols_of(snapshot: &Snapshot, encoding: Encoding) -> Vec<IndexedSymbol> {
    let item_name = workspace::item_name(&snapshot.key);
    let source =
        WorkspaceSource { id: 0, item_name: &item_name, text: &snapshot.text, tree: snapshot.tree() };
    let lines = snapshot.lines(encoding);
    symbols::workspace_symbols("", &[source], usize::MAX)
        .into_iter()
        .map(|symbol| IndexedSymbol {
            name: symbol.name,
            kind: symbol.kind,
            container: symbol.container,
            location: Location { uri: snapshot.uri.clone(), range: lines.range(symbol.selection_range) },
        })
        .collect()
}

fn stamp(path: &Path) -> Option<Stamp> {
    let metadata = fs::metadata(path).ok()?;
    Some((metadata.modified().ok(), metadata.len()))
}

/// The M files under the folders: hidden and build folders skipped, symbolic links to folders not
/// followed, sorted; the walk stops at [`MAX_WORKSPACE_FILES`] files.
pub fn m_files_under(roots: &[PathBuf]) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut pending: Vec<PathBuf> = roots.to_vec();
    'walk: while let Some(folder) = pending.pop() {
        crate::cancel::checkpoint();
        let Ok(entries) = fs::read_dir(&folder) else { continue };
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let Ok(file_type) = entry.file_type() else { continue };
            if file_type.is_dir() {
                if !discover::is_skipped_directory(&name) {
                    pending.push(entry.path());
                }
            } else if file_type.is_file() && discover::is_m_file(Path::new(&name)) {
                files.push(entry.path());
                if files.len() >= MAX_WORKSPACE_FILES {
                    break 'walk;
                }
            }
        }
    }
    files.sort();
    files
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_walk_stops_at_its_cap_and_skips_hidden_and_build_folders() {
        let dir = tempfile::tempdir().unwrap();
        for folder in ["a", ".git", "target", "b/c"] {
            fs::create_dir_all(dir.path().join(folder)).unwrap();
            fs::write(dir.path().join(folder).join("q.pq"), "section S; shared Q = 1;").unwrap();
        }
        let found = m_files_under(&[dir.path().to_path_buf()]);
        let names: Vec<String> =
            found.iter().map(|p| p.strip_prefix(dir.path()).unwrap().display().to_string()).collect();
        assert_eq!(names, ["a/q.pq", "b/c/q.pq"]);
    }

    #[test]
    fn a_file_is_parsed_again_only_when_it_changed() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().canonicalize().unwrap();
        fs::write(root.join("one.pq"), "section S; shared Alpha = 1;").unwrap();
        let mut index = SymbolIndex::default();
        index.watch();
        let open = HashMap::new();
        let names = |index: &mut SymbolIndex| -> Vec<String> {
            index
                .search(std::slice::from_ref(&root), &open, Encoding::default(), "", 10)
                .into_iter()
                .map(|s| s.name)
                .collect()
        };
        assert_eq!(names(&mut index), ["Alpha"]);
        // A change the client did not report is not seen (nothing is read again)...
        fs::write(root.join("one.pq"), "section S; shared Beta = 1;").unwrap();
        fs::write(root.join("two.pq"), "section S; shared Gamma = 1;").unwrap();
        assert_eq!(names(&mut index), ["Alpha"]);
        // ...and a reported one is.
        index.changed(&root.join("one.pq"));
        index.changed(&root.join("two.pq"));
        assert_eq!(names(&mut index), ["Beta", "Gamma"]);
        fs::remove_file(root.join("two.pq")).unwrap();
        index.changed(&root.join("two.pq"));
        assert_eq!(names(&mut index), ["Beta"]);
    }
}
