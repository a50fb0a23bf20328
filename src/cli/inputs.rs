//! The M files a command reads: expanding PATH arguments (files, directories searched recursively, `-` for
//! standard input) into a sorted list, the path each is shown with, and reading their bytes. Shared by the
//! commands that take files (`check` now, `fmt` later).

use std::fmt;
use std::fs;
use std::io::{self, Read};
use std::path::{Component, Path, PathBuf};

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

/// Expands PATH arguments into the files they name, sorted by shown path and without repeats, and the
/// paths that do not exist or could not be listed. `stdin_name` is the shown path of `-`.
pub(super) fn collect(paths: &[PathBuf], stdin_name: Option<&str>) -> (Vec<Input>, Vec<InputError>) {
    // Without a current directory, paths are shown as given.
    let cwd = std::env::current_dir().ok();
    let cwd = cwd.as_deref();
    let mut inputs = Vec::new();
    let mut errors = Vec::new();
    for path in paths {
        if path.as_os_str() == "-" {
            let shown =
                stdin_name.map_or_else(|| STDIN_NAME.to_owned(), |name| shown_path(Path::new(name), cwd));
            inputs.push(Input { shown, source: Source::Stdin });
            continue;
        }
        match fs::metadata(path) {
            Ok(metadata) if metadata.is_dir() => search(path, cwd, &mut inputs, &mut errors),
            Ok(_) => inputs.push(file(path.clone(), cwd)),
            Err(error) => errors.push(InputError { shown: shown_path(path, cwd), error }),
        }
    }
    inputs.sort_by(|a, b| Path::new(&a.shown).cmp(Path::new(&b.shown)).then_with(|| a.shown.cmp(&b.shown)));
    inputs.dedup_by(|a, b| a.shown == b.shown);
    (inputs, errors)
}

fn file(path: PathBuf, cwd: Option<&Path>) -> Input {
    Input { shown: shown_path(&path, cwd), source: Source::File(path) }
}

/// Adds the M files under `root`, skipping hidden and build directories. Symbolic links to directories
/// are not followed, so a link cycle cannot make the search endless.
fn search(root: &Path, cwd: Option<&Path>, inputs: &mut Vec<Input>, errors: &mut Vec<InputError>) {
    let mut directories = vec![root.to_path_buf()];
    while let Some(directory) = directories.pop() {
        let entries = match fs::read_dir(&directory) {
            Ok(entries) => entries,
            Err(error) => {
                errors.push(InputError { shown: shown_path(&directory, cwd), error });
                continue;
            }
        };
        for entry in entries {
            let entry = match entry {
                Ok(entry) => entry,
                Err(error) => {
                    errors.push(InputError { shown: shown_path(&directory, cwd), error });
                    continue;
                }
            };
            let path = entry.path();
            let is_dir = match entry.file_type() {
                Ok(file_type) if file_type.is_symlink() => {
                    if fs::metadata(&path).is_ok_and(|metadata| metadata.is_dir()) {
                        continue;
                    }
                    false
                }
                Ok(file_type) => file_type.is_dir(),
                Err(error) => {
                    errors.push(InputError { shown: shown_path(&path, cwd), error });
                    continue;
                }
            };
            if is_dir {
                if !is_skipped_directory(&entry.file_name().to_string_lossy()) {
                    directories.push(path);
                }
            } else if is_m_file(&path) {
                inputs.push(file(path, cwd));
            }
        }
    }
}

fn is_skipped_directory(name: &str) -> bool {
    name.starts_with('.') || SKIPPED_DIRECTORIES.contains(&name)
}

fn is_m_file(path: &Path) -> bool {
    path.extension()
        .and_then(|extension| extension.to_str())
        .is_some_and(|extension| M_EXTENSIONS.iter().any(|m| extension.eq_ignore_ascii_case(m)))
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
        let cwd = Path::new("/work/repo");
        assert_eq!(shown_path(Path::new("./a/b.pq"), Some(cwd)), "a/b.pq");
        assert_eq!(shown_path(Path::new("/work/repo/a/b.pq"), Some(cwd)), "a/b.pq");
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
