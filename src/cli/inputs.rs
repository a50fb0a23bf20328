//! What a command reads: expanding PATH arguments (files, directories searched recursively, `-` for
//! standard input) into sorted units of work (a file checked by itself, a Dataflow item folder, a folder's
//! loose M files, a JSON file that may be a REST payload), the path each file is shown with, and reading
//! their bytes. Items are recognised with [`crate::definition::discover`]; a file named on the command line
//! inside an item folder stands for its whole item, since the rules tie the item's files together, and a
//! loose M file named on its own brings its folder's other M files along for the names they define. Shared
//! by the commands that take files (`check`, `fmt`).
//!
//! The file system side is [`super::walk`]: links are followed with each folder entered once, the kernel's
//! folders are left out, FIFOs and devices are never opened. What a search leaves out is said once: one
//! line for all the folders that could not be read, one for the links that led back, one for the kernel's
//! folders, instead of a line per file.

use std::fmt;
use std::fs;
use std::io::{self, Read};
use std::path::{Component, Path, PathBuf};

use super::walk::{self, Enter, Entry, Folders, Kind};
use crate::definition::discover;
use crate::definition::parts::PartKind;

/// The name standard input is shown with when `--stdin-filename` does not give one.
const STDIN_NAME: &str = "<stdin>";

/// One file to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Input {
    /// The path shown to the user: relative to the current directory when under it, `/` separators.
    pub(super) shown: String,
    source: Source,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Source {
    Stdin,
    File(PathBuf),
}

/// A path that could not be listed or read, or that is not a file to read.
#[derive(Debug)]
pub(super) enum InputError {
    /// The path does not exist, or listing or reading it failed.
    Unreadable { shown: String, error: io::Error },
    /// A FIFO, a socket or a device: opening it could block forever or read without end.
    NotAFile { shown: String, kind: &'static str },
    /// Folders a search met and could not list: said once, with the first of them.
    UnreadableFolders { count: usize, example: String, error: io::Error },
    /// A JSON file named on its own that is valid JSON but no file of a Dataflow item: nothing was checked.
    NotDataflow { shown: String },
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            InputError::Unreadable { shown, error } => write!(f, "cannot read `{shown}`: {error}"),
            InputError::NotAFile { shown, kind } => write!(
                f,
                "`{shown}` is {kind}, not a file; skipped (to check what a pipe carries, pass `-` and redirect it)"
            ),
            InputError::UnreadableFolders { count, example, error } => {
                write!(f, "skipped {count} folders that could not be read, e.g. `{example}`: {error}")
            }
            InputError::NotDataflow { shown } => write!(
                f,
                "`{shown}` is valid JSON but no file of a Dataflow item (a queryMetadata.json, .platform, \
                 .schedules, Mapping Data Flow, legacy dataflow-content.json or REST definition payload), so it \
                 was not checked"
            ),
        }
    }
}

impl Input {
    /// The file's path; `None` for standard input.
    pub(super) fn path(&self) -> Option<&Path> {
        match &self.source {
            Source::File(path) => Some(path),
            Source::Stdin => None,
        }
    }

    /// Reads the whole file, or all of standard input. A path that is not a regular file (a FIFO put in
    /// its place since the search, a device named on the command line) is an error, never a read that
    /// blocks or does not end.
    pub(super) fn read(&self) -> Result<Vec<u8>, InputError> {
        let bytes = match &self.source {
            Source::File(path) => match walk::read_regular_file(path) {
                Ok(bytes) => Ok(bytes),
                Err(walk::ReadError::NotAFile(kind)) => {
                    return Err(InputError::NotAFile { shown: self.shown.clone(), kind })
                }
                Err(walk::ReadError::Io(error)) => Err(error),
            },
            Source::Stdin => {
                let mut bytes = Vec::new();
                io::stdin().lock().read_to_end(&mut bytes).map(|_| bytes)
            }
        };
        bytes.map_err(|error| InputError::Unreadable { shown: self.shown.clone(), error })
    }
}

/// A unit of work: what is checked together.
#[derive(Debug)]
pub(super) enum Unit {
    /// A file checked by itself: an M file, a JSON part, a legacy `dataflow-content.json`, a payload, or
    /// standard input.
    File(Input),
    /// A `.json` file found by a search, checked only if it is a REST payload.
    MaybePayload(Input),
    /// A Dataflow item folder.
    Item(ItemInput),
    /// The loose M files a search found in one folder outside items, checked together: each sees the
    /// names its siblings define ([`crate::definition::loose`]).
    LooseFolder(LooseFolderInput),
}

/// A folder's loose M files.
#[derive(Debug)]
pub(super) struct LooseFolderInput {
    /// The folder's shown path.
    pub(super) shown: String,
    pub(super) files: Vec<Input>,
    /// The folder's other M files, read only for the names they define: the siblings of a file named on
    /// its own (a search checks them all, and leaves this empty).
    pub(super) siblings: Vec<Input>,
}

/// A Dataflow item folder and its files.
#[derive(Debug)]
pub(super) struct ItemInput {
    /// The folder's own name (`Sales.Dataflow`).
    pub(super) name: String,
    /// The folder's shown path.
    pub(super) shown: String,
    /// The files that are parts of a Dataflow definition: (part path, file).
    pub(super) parts: Vec<(String, Input)>,
    /// The other files, not read: (part path, shown path).
    pub(super) strays: Vec<(String, String)>,
}

impl Unit {
    /// The shown path of the file or folder.
    fn shown(&self) -> &str {
        match self {
            Unit::File(input) | Unit::MaybePayload(input) => &input.shown,
            Unit::Item(item) => &item.shown,
            Unit::LooseFolder(folder) => &folder.shown,
        }
    }
}

/// What PATH arguments expand to.
#[derive(Debug, Default)]
pub(super) struct Collected {
    /// The units, sorted by shown path and without repeats.
    pub(super) units: Vec<Unit>,
    /// Paths that do not exist, could not be listed, or are not files (exit code 2).
    pub(super) errors: Vec<InputError>,
    /// What the search left out on purpose, said once each (the kernel's folders, folders met again
    /// through a link).
    pub(super) notes: Vec<String>,
}

/// Expands PATH arguments into the units they name, and what could not be read. `stdin_name` is the shown
/// path of `-`.
pub(super) fn collect(paths: &[PathBuf], stdin_name: Option<&str>) -> Collected {
    // Without a current directory, paths are shown as given.
    let cwd = std::env::current_dir().ok();
    let mut search = Search::new(cwd.as_deref());
    for path in paths {
        if path.as_os_str() == "-" {
            let shown = stdin_name
                .map_or_else(|| STDIN_NAME.to_owned(), |name| shown_path(Path::new(name), search.cwd));
            search.units.push(Unit::File(Input { shown, source: Source::Stdin }));
            continue;
        }
        match fs::metadata(path) {
            Ok(metadata) if metadata.is_dir() => search.search(path),
            Ok(metadata) if metadata.is_file() => search.named_file(path),
            Ok(metadata) => search.errors.push(InputError::NotAFile {
                shown: shown_path(path, search.cwd),
                kind: walk::kind_in_words(&metadata.file_type()),
            }),
            Err(error) => {
                search.errors.push(InputError::Unreadable { shown: shown_path(path, search.cwd), error })
            }
        }
    }
    search.finish()
}

/// A search in progress: what it found, and what it met on the way.
struct Search<'a> {
    cwd: Option<&'a Path>,
    folders: Folders,
    units: Vec<Unit>,
    errors: Vec<InputError>,
    /// Folders that could not be listed: (shown path, why).
    unreadable: Vec<(String, io::Error)>,
    /// The kernel's folders met, shown.
    system: Vec<String>,
    /// Folders met again through a link, shown.
    again: Vec<String>,
}

impl<'a> Search<'a> {
    fn new(cwd: Option<&'a Path>) -> Search<'a> {
        Search {
            cwd,
            folders: Folders::new(),
            units: Vec::new(),
            errors: Vec::new(),
            unreadable: Vec::new(),
            system: Vec::new(),
            again: Vec::new(),
        }
    }

    fn file(&self, path: PathBuf) -> Input {
        Input { shown: shown_path(&path, self.cwd), source: Source::File(path) }
    }

    /// Whether to search a folder reached through `link` or not; a folder left out is remembered for the
    /// notes. A folder met again where no link was involved (two overlapping PATH arguments) needs no
    /// word: its units are there already. A loop does, whichever of its two paths came first.
    fn enter(&mut self, folder: &Path, link: bool) -> bool {
        match self.folders.enter(folder, link) {
            Enter::Yes => true,
            Enter::Again { linked } => {
                if linked {
                    self.again.push(shown_path(folder, self.cwd));
                }
                false
            }
            Enter::System => {
                self.system.push(shown_path(folder, self.cwd));
                false
            }
        }
    }

    /// The entries of a folder; a folder that cannot be listed is remembered for the summary.
    fn list(&mut self, folder: &Path) -> Option<Vec<Entry>> {
        match walk::list(folder) {
            Ok(entries) => Some(entries),
            Err(error) => {
                self.unreadable.push((shown_path(folder, self.cwd), error));
                None
            }
        }
    }

    /// A file named on the command line: its whole item when it is in an item folder, else the file.
    fn named_file(&mut self, path: &Path) {
        let parent = match path.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => parent,
            _ => Path::new("."),
        };
        // `.` and `..` have no name of their own; the canonical path has.
        let name = fs::canonicalize(parent)
            .ok()
            .and_then(|canonical| canonical.file_name().map(|name| name.to_string_lossy().into_owned()));
        if let (Some(name), Ok(entries)) = (name, walk::list(parent)) {
            if discover::is_item_folder(&name, entries.iter().map(|entry| entry.name.as_str())) {
                // Two files of one item name it twice: the units are made one when sorted.
                let item = self.item(parent, name, entries);
                self.units.push(Unit::Item(item));
                return;
            }
        }
        let input = self.file(path.to_path_buf());
        // A loose M file sees the names its siblings define, as when its folder is searched.
        if is_m_file(path) {
            let own = path.file_name();
            let siblings: Vec<Input> = walk::list(parent)
                .unwrap_or_default()
                .into_iter()
                .filter(|entry| {
                    matches!(entry.kind, Kind::File)
                        && is_m_file(&entry.path)
                        && entry.path.file_name() != own
                })
                .map(|entry| self.file(entry.path))
                .collect();
            if !siblings.is_empty() {
                let shown = input.shown.clone();
                self.units.push(Unit::LooseFolder(LooseFolderInput { shown, files: vec![input], siblings }));
                return;
            }
        }
        self.units.push(Unit::File(input));
    }

    /// Adds the items, M files, legacy files and possible payloads under `root`, skipping hidden and build
    /// directories; an item folder is not searched further. Symbolic links are followed, each folder
    /// entered once, so a link loop ends; the kernel's folders are never entered.
    fn search(&mut self, root: &Path) {
        if !self.enter(root, false) {
            return;
        }
        let mut directories = vec![root.to_path_buf()];
        while let Some(directory) = directories.pop() {
            let Some(entries) = self.list(&directory) else { continue };
            let name = match directory.file_name() {
                Some(name) if directory != root => Some(name.to_string_lossy().into_owned()),
                _ => fs::canonicalize(&directory).ok().and_then(|canonical| {
                    canonical.file_name().map(|name| name.to_string_lossy().into_owned())
                }),
            };
            if let Some(name) = name {
                if discover::is_item_folder(&name, entries.iter().map(|entry| entry.name.as_str())) {
                    let item = self.item(&directory, name, entries);
                    self.units.push(Unit::Item(item));
                    continue;
                }
            }
            let mut loose = Vec::new();
            for entry in entries {
                let wanted = is_m_file(&entry.path) || discover::is_legacy_content(&entry.name);
                match entry.kind {
                    Kind::Dir => {
                        if !is_skipped_directory(&entry.name) && self.enter(&entry.path, entry.is_link) {
                            directories.push(entry.path);
                        }
                    }
                    // Only files the search would read are worth a word; other sockets and FIFOs are
                    // none of its business.
                    Kind::Special(kind) if wanted || has_extension(&entry.path, "json") => self
                        .errors
                        .push(InputError::NotAFile { shown: shown_path(&entry.path, self.cwd), kind }),
                    Kind::Special(_) => {}
                    Kind::File | Kind::Missing if wanted && is_m_file(&entry.path) => {
                        loose.push(self.file(entry.path));
                    }
                    Kind::File | Kind::Missing if wanted => {
                        let input = self.file(entry.path);
                        self.units.push(Unit::File(input));
                    }
                    Kind::File | Kind::Missing if has_extension(&entry.path, "json") => {
                        let input = self.file(entry.path);
                        self.units.push(Unit::MaybePayload(input));
                    }
                    Kind::File | Kind::Missing => {}
                }
            }
            if !loose.is_empty() {
                let shown = shown_path(&directory, self.cwd);
                self.units.push(Unit::LooseFolder(LooseFolderInput {
                    shown,
                    files: loose,
                    siblings: Vec::new(),
                }));
            }
        }
    }

    /// An item folder: every file in it and below it, except version-control and OS files, sorted by part
    /// path. A part that is a FIFO, socket or device is an error and left out.
    fn item(&mut self, directory: &Path, name: String, entries: Vec<Entry>) -> ItemInput {
        let mut item =
            ItemInput { name, shown: shown_path(directory, self.cwd), parts: Vec::new(), strays: Vec::new() };
        let mut pending = vec![(String::new(), entries)];
        while let Some((prefix, entries)) = pending.pop() {
            for entry in entries {
                if discover::is_ignored(&entry.name) {
                    continue;
                }
                let part_path = format!("{prefix}{}", entry.name);
                let known = PartKind::of(&part_path) != PartKind::Unknown;
                match entry.kind {
                    Kind::Dir => {
                        if self.enter(&entry.path, entry.is_link) {
                            if let Some(entries) = self.list(&entry.path) {
                                pending.push((format!("{part_path}/"), entries));
                            }
                        }
                    }
                    Kind::Special(kind) if known => self
                        .errors
                        .push(InputError::NotAFile { shown: shown_path(&entry.path, self.cwd), kind }),
                    Kind::File | Kind::Missing if known => {
                        let input = self.file(entry.path);
                        item.parts.push((part_path, input));
                    }
                    _ => item.strays.push((part_path, shown_path(&entry.path, self.cwd))),
                }
            }
        }
        item.parts.sort_by(|a, b| a.0.cmp(&b.0));
        item.strays.sort();
        item
    }

    /// Makes the loose M files named on their own in one folder one unit, so that their siblings are read
    /// once for all of them (a commit hook may name hundreds of files of one folder).
    fn merge_named_loose_files(&mut self) {
        let (named, mut units): (Vec<Unit>, Vec<Unit>) = std::mem::take(&mut self.units)
            .into_iter()
            .partition(|unit| matches!(unit, Unit::LooseFolder(folder) if !folder.siblings.is_empty()));
        let mut by_folder: std::collections::BTreeMap<PathBuf, LooseFolderInput> = Default::default();
        for unit in named {
            let Unit::LooseFolder(folder) = unit else { continue };
            let parent =
                folder.files[0].path().and_then(Path::parent).map(Path::to_path_buf).unwrap_or_default();
            match by_folder.entry(parent) {
                std::collections::btree_map::Entry::Vacant(entry) => {
                    entry.insert(folder);
                }
                std::collections::btree_map::Entry::Occupied(mut entry) => {
                    let merged = entry.get_mut();
                    for file in folder.files {
                        if !merged.files.iter().any(|known| known.shown == file.shown) {
                            merged.files.push(file);
                        }
                    }
                }
            }
        }
        for mut folder in by_folder.into_values() {
            let named: std::collections::HashSet<&str> =
                folder.files.iter().map(|f| f.shown.as_str()).collect();
            let siblings = std::mem::take(&mut folder.siblings);
            folder.siblings = siblings.into_iter().filter(|s| !named.contains(s.shown.as_str())).collect();
            units.push(Unit::LooseFolder(folder));
        }
        self.units = units;
    }

    /// The units sorted, and the folders left out said once each.
    fn finish(mut self) -> Collected {
        // A file named on its own that a searched folder holds too is checked with its folder.
        let in_folders: std::collections::HashSet<String> = self
            .units
            .iter()
            .filter_map(|unit| match unit {
                Unit::LooseFolder(folder) if folder.siblings.is_empty() => {
                    Some(folder.files.iter().map(|f| f.shown.clone()))
                }
                _ => None,
            })
            .flatten()
            .collect();
        self.units.retain(|unit| match unit {
            Unit::File(input) => !in_folders.contains(&input.shown),
            Unit::LooseFolder(named) if !named.siblings.is_empty() => {
                !named.files.iter().any(|f| in_folders.contains(&f.shown))
            }
            _ => true,
        });
        self.merge_named_loose_files();
        self.units.sort_by(|a, b| {
            Path::new(a.shown()).cmp(Path::new(b.shown())).then_with(|| a.shown().cmp(b.shown()))
        });
        self.units.dedup_by(|a, b| a.shown() == b.shown());
        let mut unreadable = self.unreadable.into_iter();
        match (unreadable.next(), unreadable.len()) {
            (None, _) => {}
            (Some((shown, error)), 0) => self.errors.push(InputError::Unreadable { shown, error }),
            (Some((example, error)), more) => {
                self.errors.push(InputError::UnreadableFolders { count: more + 1, example, error })
            }
        }
        let mut notes = Vec::new();
        self.system.sort();
        if !self.system.is_empty() {
            notes.push(format!(
                "skipped {}: the kernel's folders hold no sources",
                self.system.iter().map(|shown| format!("`{shown}`")).collect::<Vec<_>>().join(", ")
            ));
        }
        if let Some(example) = self.again.first() {
            notes.push(format!(
                "skipped {} met again through a symbolic link (a loop, or a second path to it), e.g. `{example}`",
                plural(self.again.len(), "folder", "folders")
            ));
        }
        Collected { units: self.units, errors: self.errors, notes }
    }
}

fn plural(count: usize, one: &str, many: &str) -> String {
    format!("{count} {}", if count == 1 { one } else { many })
}

use crate::definition::discover::{is_m_file, is_skipped_directory};

fn has_extension(path: &Path, wanted: &str) -> bool {
    path.extension().and_then(|extension| extension.to_str()).is_some_and(|e| e.eq_ignore_ascii_case(wanted))
}

/// The path shown for `path`: relative to `cwd` when it is under it, without `.` components, with `/`
/// separators on every platform.
fn shown_path(path: &Path, cwd: Option<&Path>) -> String {
    let path = match cwd {
        Some(cwd) if path.is_absolute() => path.strip_prefix(cwd).unwrap_or(path),
        _ => path,
    };
    let mut prefix = String::new();
    let mut parts = Vec::new();
    for component in path.components() {
        match component {
            Component::Prefix(prefix_component) => {
                prefix.push_str(&prefix_component.as_os_str().to_string_lossy());
            }
            Component::RootDir => prefix.push('/'),
            Component::CurDir => {}
            Component::ParentDir => parts.push(String::from("..")),
            Component::Normal(part) => parts.push(part.to_string_lossy().into_owned()),
        }
    }
    let shown = prefix + &parts.join("/");
    if shown.is_empty() {
        String::from(".")
    } else {
        shown
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shown_paths_are_relative_with_slashes() {
        let cwd = Path::new("/home/user/repo");
        assert_eq!(shown_path(Path::new("./a/b.pq"), Some(cwd)), "a/b.pq");
        assert_eq!(shown_path(Path::new("/home/user/repo/a/b.pq"), Some(cwd)), "a/b.pq");
        assert_eq!(shown_path(Path::new("/elsewhere/b.pq"), Some(cwd)), "/elsewhere/b.pq");
        assert_eq!(shown_path(Path::new("../x.pq"), Some(cwd)), "../x.pq");
        assert_eq!(shown_path(Path::new("."), Some(cwd)), ".");
    }

    #[test]
    fn m_files_and_skipped_directories() {
        assert!(is_m_file(Path::new("a/mashup.pq")));
        assert!(is_m_file(Path::new("a/Query.PQM")));
        assert!(is_m_file(Path::new("x.m")));
        assert!(!is_m_file(Path::new("queryMetadata.json")));
        assert!(!is_m_file(Path::new("pq")));
        assert!(is_skipped_directory(".git"));
        assert!(is_skipped_directory("node_modules"));
        assert!(!is_skipped_directory("Sales Orders.Dataflow"));
    }
}
