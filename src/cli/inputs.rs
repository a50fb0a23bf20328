//! What a command reads: expanding PATH arguments (files, directories searched recursively, `-` for
//! standard input) into sorted units of work (a file checked by itself, a Dataflow item folder, a JSON file
//! that may be a REST payload), the path each file is shown with, and reading their bytes. Items are
//! recognised with [`crate::definition::discover`]; a file named on the command line inside an item folder
//! stands for its whole item, since the rules tie the item's files together. Shared by the commands that
//! take files (`check`, `fmt`).

use std::fmt;
use std::fs;
use std::io::{self, Read};
use std::path::{Component, Path, PathBuf};

use crate::definition::discover;
use crate::definition::parts::PartKind;

/// The extensions of M files searched for in directories. A file named explicitly is read whatever its
/// extension.
const M_EXTENSIONS: &[&str] = &["pq", "pqm", "m"];

/// Directories a search skips besides hidden ones: build output and JavaScript dependencies, which hold
/// copies or unrelated files, never the user's sources.
const SKIPPED_DIRECTORIES: &[&str] = &["target", "node_modules"];

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

/// A path that could not be listed or read.
#[derive(Debug)]
pub(super) struct InputError {
    shown: String,
    error: io::Error,
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "cannot read `{}`: {}", self.shown, self.error)
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

    /// Reads the whole file, or all of standard input.
    pub(super) fn read(&self) -> Result<Vec<u8>, InputError> {
        let bytes = match &self.source {
            Source::File(path) => fs::read(path),
            Source::Stdin => {
                let mut bytes = Vec::new();
                io::stdin().lock().read_to_end(&mut bytes).map(|_| bytes)
            }
        };
        bytes.map_err(|error| InputError { shown: self.shown.clone(), error })
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
        }
    }
}

/// Expands PATH arguments into the units they name, sorted by shown path and without repeats, and the
/// paths that do not exist or could not be listed. `stdin_name` is the shown path of `-`.
pub(super) fn collect(paths: &[PathBuf], stdin_name: Option<&str>) -> (Vec<Unit>, Vec<InputError>) {
    // Without a current directory, paths are shown as given.
    let cwd = std::env::current_dir().ok();
    let cwd = cwd.as_deref();
    let mut units = Vec::new();
    let mut errors = Vec::new();
    for path in paths {
        if path.as_os_str() == "-" {
            let shown =
                stdin_name.map_or_else(|| STDIN_NAME.to_owned(), |name| shown_path(Path::new(name), cwd));
            units.push(Unit::File(Input { shown, source: Source::Stdin }));
            continue;
        }
        match fs::metadata(path) {
            Ok(metadata) if metadata.is_dir() => search(path, cwd, &mut units, &mut errors),
            Ok(_) => units.push(named_file(path, cwd, &mut errors)),
            Err(error) => errors.push(InputError { shown: shown_path(path, cwd), error }),
        }
    }
    units.sort_by(|a, b| {
        Path::new(a.shown()).cmp(Path::new(b.shown())).then_with(|| a.shown().cmp(b.shown()))
    });
    units.dedup_by(|a, b| a.shown() == b.shown());
    (units, errors)
}

fn file(path: PathBuf, cwd: Option<&Path>) -> Input {
    Input { shown: shown_path(&path, cwd), source: Source::File(path) }
}

/// A file named on the command line: its whole item when it is in an item folder, else the file.
fn named_file(path: &Path, cwd: Option<&Path>, errors: &mut Vec<InputError>) -> Unit {
    let parent = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    // `.` and `..` have no name of their own; the canonical path has.
    let name = fs::canonicalize(parent)
        .ok()
        .and_then(|canonical| canonical.file_name().map(|name| name.to_string_lossy().into_owned()));
    if let (Some(name), Ok(entries)) = (name, list(parent)) {
        if discover::is_item_folder(&name, entries.iter().map(|entry| entry.name.as_str())) {
            return Unit::Item(item(parent, name, entries, cwd, errors));
        }
    }
    Unit::File(file(path.to_path_buf(), cwd))
}

/// A directory entry, with symbolic links to directories marked so they are not followed.
struct Entry {
    name: String,
    path: PathBuf,
    is_dir: bool,
    is_dir_link: bool,
}

/// The entries of a directory, sorted by name.
fn list(directory: &Path) -> io::Result<Vec<Entry>> {
    let mut entries = Vec::new();
    for entry in fs::read_dir(directory)? {
        let entry = entry?;
        let path = entry.path();
        let file_type = entry.file_type()?;
        let is_dir_link = file_type.is_symlink() && fs::metadata(&path).is_ok_and(|m| m.is_dir());
        entries.push(Entry {
            name: entry.file_name().to_string_lossy().into_owned(),
            path,
            is_dir: file_type.is_dir(),
            is_dir_link,
        });
    }
    entries.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(entries)
}

/// Adds the items, M files, legacy files and possible payloads under `root`, skipping hidden and build
/// directories; an item folder is not searched further. Symbolic links to directories are not followed,
/// so a link cycle cannot make the search endless.
fn search(root: &Path, cwd: Option<&Path>, units: &mut Vec<Unit>, errors: &mut Vec<InputError>) {
    let mut directories = vec![root.to_path_buf()];
    while let Some(directory) = directories.pop() {
        let entries = match list(&directory) {
            Ok(entries) => entries,
            Err(error) => {
                errors.push(InputError { shown: shown_path(&directory, cwd), error });
                continue;
            }
        };
        let name = match directory.file_name() {
            Some(name) if directory != root => Some(name.to_string_lossy().into_owned()),
            _ => fs::canonicalize(&directory)
                .ok()
                .and_then(|canonical| canonical.file_name().map(|name| name.to_string_lossy().into_owned())),
        };
        if let Some(name) = name {
            if discover::is_item_folder(&name, entries.iter().map(|entry| entry.name.as_str())) {
                units.push(Unit::Item(item(&directory, name, entries, cwd, errors)));
                continue;
            }
        }
        for entry in entries {
            if entry.is_dir_link {
                continue;
            }
            if entry.is_dir {
                if !is_skipped_directory(&entry.name) {
                    directories.push(entry.path);
                }
            } else if is_m_file(&entry.path) || discover::is_legacy_content(&entry.name) {
                units.push(Unit::File(file(entry.path, cwd)));
            } else if has_extension(&entry.path, "json") {
                units.push(Unit::MaybePayload(file(entry.path, cwd)));
            }
        }
    }
}

/// An item folder: every file in it and below it, except version-control and OS files, sorted by part
/// path.
fn item(
    directory: &Path,
    name: String,
    entries: Vec<Entry>,
    cwd: Option<&Path>,
    errors: &mut Vec<InputError>,
) -> ItemInput {
    let mut item =
        ItemInput { name, shown: shown_path(directory, cwd), parts: Vec::new(), strays: Vec::new() };
    let mut pending = vec![(String::new(), entries)];
    while let Some((prefix, entries)) = pending.pop() {
        for entry in entries {
            if discover::is_ignored(&entry.name) || entry.is_dir_link {
                continue;
            }
            let part_path = format!("{prefix}{}", entry.name);
            if entry.is_dir {
                match list(&entry.path) {
                    Ok(entries) => pending.push((format!("{part_path}/"), entries)),
                    Err(error) => errors.push(InputError { shown: shown_path(&entry.path, cwd), error }),
                }
            } else if PartKind::of(&part_path) == PartKind::Unknown {
                item.strays.push((part_path, shown_path(&entry.path, cwd)));
            } else {
                item.parts.push((part_path, file(entry.path, cwd)));
            }
        }
    }
    item.parts.sort_by(|a, b| a.0.cmp(&b.0));
    item.strays.sort();
    item
}

fn is_skipped_directory(name: &str) -> bool {
    name.starts_with('.') || SKIPPED_DIRECTORIES.contains(&name)
}

fn is_m_file(path: &Path) -> bool {
    M_EXTENSIONS.iter().any(|m| has_extension(path, m))
}

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
