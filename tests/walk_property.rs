//! A property of `dfls check`'s directory search (`src/cli/walk.rs`, `src/cli/inputs.rs`), run on the real
//! binary: a random tree of folders, Dataflow item folders, `.pq` and `.json` files (some with errors),
//! symbolic links (to files, to folders, to items, to an ancestor — a loop —, to nothing), FIFOs and, where
//! permissions apply (not as root), folders that cannot be read. `dfls check` of its root must
//!
//! - end (a FIFO opened would block it for ever: the run has a deadline);
//! - report each file under one path only: every folder is entered once, however many links lead to it (a
//!   link to a file is an entry of its own, under its own name, as the README says);
//! - report errors exactly for the broken files and items the tree reaches, and nothing else;
//! - mention folders met again through a link in one line, exactly when some folder is reached twice;
//! - exit 2 when something could not be read (a FIFO or dangling link with a name the search reads, a
//!   folder that cannot be listed), else 1 exactly when a checked file has an error, else 0.
//!
//! The expectation is computed from the tree as generated, by a breadth-first reading of the rules that
//! shares nothing with the search's code. A failing case names its seed (see `common::property`).

#![cfg(unix)]

mod common;

use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};
use std::fs;
use std::os::unix::fs::{symlink, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::property::for_each_case;
use common::Random;

/// M that is fine as a loose file, and M with a syntax error.
const CLEAN_M: &str = "1";
const BROKEN_M: &str = "let in";

/// A folder of the generated tree; index 0 is the root.
struct Folder {
    /// Relative to the root.
    path: PathBuf,
    /// A Dataflow item (`mashup.pq` and `queryMetadata.json`, nothing else).
    item: bool,
    /// For an item: its `mashup.pq` has a syntax error.
    broken: bool,
    /// Listed as mode 000 (holding a broken file that must never be reported).
    unreadable: bool,
    entries: Vec<(String, Entry)>,
}

enum Entry {
    Folder(usize),
    /// A regular `.pq` (`broken` or not) or `.json` (`{`, which a search leaves alone) file.
    File {
        broken: bool,
    },
    /// A symbolic link to a folder.
    LinkToFolder(usize),
    /// A symbolic link to a file: the file's folder and name.
    LinkToFile(usize, String),
    /// A symbolic link to nothing.
    Dangling,
    Fifo,
}

struct Tree {
    folders: Vec<Folder>,
}

impl Tree {
    /// Folders where entries can be added: the readable ones that are not items.
    fn plain(&self) -> Vec<usize> {
        (0..self.folders.len()).filter(|&f| !self.folders[f].item && !self.folders[f].unreadable).collect()
    }

    /// Whether a link may point at `folder`: a path through a folder that cannot be read cannot be
    /// followed, which is not what this property is about.
    fn linkable(&self, folder: usize) -> bool {
        let path = &self.folders[folder].path;
        !self
            .folders
            .iter()
            .any(|other| other.unreadable && path.starts_with(&other.path) && &other.path != path)
    }
}

fn pick(random: &mut Random, from: &[usize]) -> usize {
    from[random.below(from.len())]
}

fn generate(random: &mut Random, unreadable_allowed: bool) -> Tree {
    let mut tree = Tree {
        folders: vec![Folder {
            path: PathBuf::new(),
            item: false,
            broken: false,
            unreadable: false,
            entries: Vec::new(),
        }],
    };
    let mut n = 0;
    let mut name = |prefix: &str, suffix: &str| {
        n += 1;
        format!("{prefix}{n}{suffix}")
    };
    for _ in 0..1 + random.below(7) {
        let parent = pick(random, &tree.plain());
        let (item, unreadable) = match random.below(6) {
            0 | 1 => (true, false),
            2 if unreadable_allowed => (false, true),
            _ => (false, false),
        };
        let folder_name = match (item, unreadable) {
            (true, _) => name("I", ".Dataflow"),
            (_, true) => name("u", ""),
            _ => name("d", ""),
        };
        let path = tree.folders[parent].path.join(&folder_name);
        let index = tree.folders.len();
        tree.folders.push(Folder {
            path,
            item,
            broken: random.below(2) == 0,
            unreadable,
            entries: Vec::new(),
        });
        tree.folders[parent].entries.push((folder_name, Entry::Folder(index)));
    }
    for _ in 0..1 + random.below(8) {
        let parent = pick(random, &tree.plain());
        let entry = if random.below(3) == 0 {
            (name("j", ".json"), Entry::File { broken: false })
        } else {
            (name("f", ".pq"), Entry::File { broken: random.below(2) == 0 })
        };
        tree.folders[parent].entries.push(entry);
    }
    for _ in 0..random.below(2) {
        let parent = pick(random, &tree.plain());
        let suffix = [".pq", ".json", ""][random.below(3)];
        tree.folders[parent].entries.push((name("p", suffix), Entry::Fifo));
    }
    for _ in 0..random.below(6) {
        let parent = pick(random, &tree.plain());
        let files: Vec<(usize, String)> = tree
            .folders
            .iter()
            .enumerate()
            .filter(|(f, _)| tree.linkable(*f))
            .flat_map(|(f, folder)| {
                folder
                    .entries
                    .iter()
                    .filter(|(_, e)| matches!(e, Entry::File { .. }))
                    .map(move |(n, _)| (f, n.clone()))
            })
            .collect();
        let folders: Vec<usize> = (0..tree.folders.len()).filter(|&f| tree.linkable(f)).collect();
        let entry = match random.below(6) {
            0 => (name("l", [".pq", ".json", ""][random.below(3)]), Entry::Dangling),
            1 | 2 if !files.is_empty() => {
                let (folder, file) = files[random.below(files.len())].clone();
                let suffix = if file.ends_with(".pq") { ".pq" } else { ".json" };
                (name("l", suffix), Entry::LinkToFile(folder, file))
            }
            // Often an ancestor of the link: a loop.
            3 => {
                let ancestors: Vec<usize> = folders
                    .iter()
                    .copied()
                    .filter(|&f| tree.folders[parent].path.starts_with(&tree.folders[f].path))
                    .collect();
                (name("l", ""), Entry::LinkToFolder(pick(random, &ancestors)))
            }
            _ => (name("l", ""), Entry::LinkToFolder(pick(random, &folders))),
        };
        tree.folders[parent].entries.push(entry);
    }
    tree
}

/// Writes the tree under `root`; folders that cannot be read are made so last.
fn build(tree: &Tree, root: &Path, item: &[(String, Vec<u8>)]) {
    for folder in &tree.folders {
        let dir = root.join(&folder.path);
        fs::create_dir_all(&dir).unwrap();
        if folder.item {
            for (name, bytes) in item {
                let bytes = if folder.broken && name == "mashup.pq" {
                    b"section Section1; shared Q = let in;".to_vec()
                } else {
                    bytes.clone()
                };
                fs::write(dir.join(name), bytes).unwrap();
            }
        }
        if folder.unreadable {
            fs::write(dir.join("hidden.pq"), BROKEN_M).unwrap();
        }
        for (name, entry) in &folder.entries {
            let path = dir.join(name);
            match entry {
                Entry::Folder(_) => {}
                Entry::File { broken } => {
                    let text = if name.ends_with(".json") {
                        "{"
                    } else if *broken {
                        BROKEN_M
                    } else {
                        CLEAN_M
                    };
                    fs::write(path, text).unwrap();
                }
                Entry::LinkToFolder(target) => symlink(root.join(&tree.folders[*target].path), path).unwrap(),
                Entry::LinkToFile(target, file) => {
                    symlink(root.join(&tree.folders[*target].path).join(file), path).unwrap()
                }
                Entry::Dangling => symlink(dir.join("nothing-here"), path).unwrap(),
                Entry::Fifo => {
                    let status = Command::new("mkfifo").arg(&path).status().expect("mkfifo runs");
                    assert!(status.success());
                }
            }
        }
    }
    set_unreadable(tree, root, true);
}

fn set_unreadable(tree: &Tree, root: &Path, unreadable: bool) {
    for folder in tree.folders.iter().filter(|folder| folder.unreadable) {
        let mode = if unreadable { 0o000 } else { 0o755 };
        fs::set_permissions(root.join(&folder.path), fs::Permissions::from_mode(mode)).unwrap();
    }
}

/// What `dfls check ROOT` must do with a tree.
#[derive(Debug, Default)]
struct Expected {
    /// The broken units reached: an item's folder, or a loose file's canonical folder and name.
    broken: BTreeSet<PathBuf>,
    /// Something reached could not be read (exit 2).
    unreadable: bool,
    /// Some folder is reached twice: the search says so once.
    again: bool,
}

fn expect(tree: &Tree, root: &Path) -> Expected {
    let canonical = |folder: usize| fs::canonicalize(root.join(&tree.folders[folder].path)).unwrap();
    let mut expected = Expected::default();
    let mut arrivals: HashMap<usize, usize> = HashMap::from([(0, 1)]);
    let mut queue = VecDeque::from([0]);
    while let Some(index) = queue.pop_front() {
        let folder = &tree.folders[index];
        if folder.unreadable {
            expected.unreadable = true;
            continue;
        }
        if folder.item {
            if folder.broken {
                expected.broken.insert(canonical(index));
            }
            continue;
        }
        for (name, entry) in &folder.entries {
            let read = name.ends_with(".pq") || name.ends_with(".json");
            match entry {
                Entry::Folder(target) | Entry::LinkToFolder(target) => {
                    let count = arrivals.entry(*target).or_insert(0);
                    *count += 1;
                    if *count == 1 {
                        queue.push_back(*target);
                    }
                }
                Entry::File { broken } if *broken => {
                    expected.broken.insert(canonical(index).join(name));
                }
                Entry::File { .. } => {}
                Entry::LinkToFile(target, file) => {
                    let target_broken = tree.folders[*target]
                        .entries
                        .iter()
                        .any(|(n, e)| n == file && matches!(e, Entry::File { broken: true }));
                    if target_broken {
                        expected.broken.insert(canonical(index).join(name));
                    }
                }
                // A `.json` link to nothing is a possible payload that cannot be read, as a `.pq` is an M
                // file that cannot be read.
                Entry::Dangling | Entry::Fifo if read => expected.unreadable = true,
                Entry::Dangling | Entry::Fifo => {}
            }
        }
    }
    expected.again = arrivals.values().any(|&count| count > 1);
    expected
}

/// Whether permissions keep a folder of mode 000 from being listed (not for root).
fn permissions_apply(scratch: &Path) -> bool {
    let probe = scratch.join("probe");
    fs::create_dir(&probe).unwrap();
    fs::set_permissions(&probe, fs::Permissions::from_mode(0o000)).unwrap();
    let refused = fs::read_dir(&probe).is_err();
    fs::set_permissions(&probe, fs::Permissions::from_mode(0o755)).unwrap();
    fs::remove_dir(&probe).unwrap();
    refused
}

/// Runs `dfls check --format json root` in `dir`, killed after a deadline; (exit code, stdout, stderr).
fn check(dir: &Path) -> (i32, String, String) {
    let out = fs::File::create(dir.join("stdout")).unwrap();
    let err = fs::File::create(dir.join("stderr")).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_dfls"))
        .args(["check", "--format", "json", "root"])
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(out)
        .stderr(err)
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("`dfls check` did not end within 30 s: a FIFO was opened, or a loop followed");
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let read = |name: &str| fs::read_to_string(dir.join(name)).unwrap();
    (status.code().expect("an exit code, not a signal"), read("stdout"), read("stderr"))
}

#[test]
fn the_directory_search_ends_reads_each_file_once_and_reports_what_it_reaches() {
    let scratch = tempfile::tempdir().unwrap();
    let unreadable_allowed = permissions_apply(scratch.path());
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/Sales Orders.Dataflow");
    let item: Vec<(String, Vec<u8>)> = ["mashup.pq", "queryMetadata.json"]
        .iter()
        .map(|name| (name.to_string(), fs::read(example.join(name)).unwrap()))
        .collect();
    for_each_case(
        "the_directory_search_ends_reads_each_file_once_and_reports_what_it_reaches",
        40,
        |random| {
            let dir = tempfile::tempdir().unwrap();
            let root = dir.path().join("root");
            let tree = generate(random, unreadable_allowed);
            build(&tree, &root, &item);
            let expected = expect(&tree, &root);
            let (code, stdout, stderr) = check(dir.path());
            set_unreadable(&tree, &root, false);

            let report: serde_json::Value = serde_json::from_str(&stdout)
                .unwrap_or_else(|_| panic!("JSON on stdout: {stdout}\n{stderr}"));
            // Each file under one path: (canonical folder, name) -> the paths it was shown with.
            let mut shown: BTreeMap<PathBuf, BTreeSet<String>> = BTreeMap::new();
            let mut broken = BTreeSet::new();
            for diagnostic in report["diagnostics"].as_array().unwrap() {
                let path = diagnostic["path"].as_str().unwrap();
                let full = dir.path().join(path);
                let parent = fs::canonicalize(full.parent().unwrap()).unwrap();
                let identity = parent.join(full.file_name().unwrap());
                shown.entry(identity.clone()).or_default().insert(path.to_string());
                if diagnostic["severity"] == "error" {
                    let in_item = parent.extension().is_some_and(|extension| extension == "Dataflow");
                    broken.insert(if in_item { parent } else { identity });
                }
            }
            for (identity, paths) in &shown {
                assert_eq!(paths.len(), 1, "{} reported under several paths: {paths:?}", identity.display());
            }
            assert_eq!(broken, expected.broken, "the units with errors\n{stdout}\n{stderr}");
            let again =
                stderr.lines().filter(|line| line.contains("met again through a symbolic link")).count();
            assert_eq!(again, usize::from(expected.again), "folders met again, said once\n{stderr}");
            let expected_code = if expected.unreadable {
                2
            } else if expected.broken.is_empty() {
                0
            } else {
                1
            };
            assert_eq!(code, expected_code, "exit code\n{stdout}\n{stderr}");
        },
    );
}
