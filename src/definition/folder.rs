//! Item folders on disk: read as a definition, and updated from one all or nothing. The IO of
//! [`super`], shared by `dfls pack`/`unpack`, `pull` and `push`.
//!
//! An update never writes a file in place and never leaves old and new files mixed:
//!
//! 1. Every part path is checked against every other ([`part_path::check_all`]) and against the folder
//!    (no symbolic link on the way, no file where a folder is needed); any problem refuses the whole
//!    update before anything is written.
//! 2. The new files are written, synced, into the staging folder `.dfls-update/` inside the item folder.
//! 3. The journal (`.dfls-update/journal`: which staged file becomes which part) is written and renamed
//!    into place: that rename is the commit.
//! 4. Each staged file is renamed over its part, then the staging folder is removed.
//!
//! A process killed before the commit leaves a staging folder without journal: the next command that
//! reads or writes the folder ([`recover`], run by `pack`, `unpack`, `pull` and `push`) removes it, and the
//! folder is all old. Killed after the commit, the next command finishes the renames, and the folder is
//! all new. Between the kill and that command the staging folder is the only trace; `dfls check` and
//! [`read_folder`] never read it. [`recover`] also removes the temporary files of interrupted single-file
//! writes (`.NAME.dfls-PID.tmp`, from [`write_atomically`]).
//!
//! For the fault-injection test only, `DFLS_TEST_WRITE_PAUSE_MS` makes an update pause that long after
//! each of its steps, so that a kill at a random time lands in every phase.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::discover;
use super::part_path::{self, STAGING_FOLDER};
use super::parts::PartKind;
use super::payload::{Definition, Part};

/// The journal of an update, inside the staging folder; its presence means the update is committed.
const JOURNAL: &str = "journal";
/// A marker in the staging folder: the update created the item folder (a roll back removes it again).
const CREATED_MARKER: &str = "created";

/// Reads an item folder as a definition: every file (recursively, hidden ones included, since `.platform`
/// and `.schedules` are parts), with relative POSIX paths, sorted. Version-control and OS files, editor
/// backups, symbolic links, the staging folder and dfls's temporary files are not parts.
pub fn read_folder(dir: &Path) -> io::Result<Definition> {
    let mut parts = Vec::new();
    for (file, path) in files_under(dir)? {
        if discover::is_temporary(file_name(&path)) {
            continue;
        }
        parts.push(Part { path, bytes: fs::read(&file)? });
    }
    parts.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(Definition { format: None, parts })
}

/// The regular files under `dir` with their relative POSIX paths, not entering `.git`, the staging folder
/// or symbolic links, and leaving out what [`discover::is_ignored`] leaves out except temporary files
/// (which [`recover`] looks for).
fn files_under(dir: &Path) -> io::Result<Vec<(PathBuf, String)>> {
    let mut files = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(current) = pending.pop() {
        for entry in fs::read_dir(&current)? {
            let entry = entry?;
            let file_type = entry.file_type()?;
            let name = entry.file_name().to_string_lossy().into_owned();
            if discover::is_ignored(&name) && !discover::is_temporary(&name) {
                continue;
            }
            if file_type.is_dir() {
                pending.push(entry.path());
            } else if file_type.is_file() {
                let relative = entry.path().strip_prefix(dir).expect("walked from `dir`").to_path_buf();
                let path = relative
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy())
                    .collect::<Vec<_>>()
                    .join("/");
                files.push((entry.path(), path));
            }
        }
    }
    Ok(files)
}

fn file_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// What writing a definition into a folder did or would do.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct WriteOutcome {
    pub created: Vec<String>,
    pub updated: Vec<String>,
    pub unchanged: Vec<String>,
    /// Files that differ from the definition and were left alone (nothing was written at all then).
    pub conflicts: Vec<String>,
    /// What was left of an interrupted update, and has been finished or undone first.
    pub recovered: Recovery,
}

/// What [`recover`] found and did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Recovery {
    /// Parts a committed but interrupted update had not yet put in place, now written.
    pub completed: Vec<String>,
    /// An update that had not committed was undone: its staged files removed, the folder is as it was.
    pub rolled_back: bool,
    /// Temporary files of interrupted single-file writes, now removed (relative paths).
    pub removed: Vec<String>,
}

impl Recovery {
    pub fn is_empty(&self) -> bool {
        self.completed.is_empty() && !self.rolled_back && self.removed.is_empty()
    }

    /// One line per thing done, for stderr.
    pub fn describe(&self, dir: &Path) -> Vec<String> {
        let dir = dir.display();
        let mut lines = Vec::new();
        if !self.completed.is_empty() {
            lines.push(format!(
                "finished an interrupted update of {dir}: wrote {}",
                self.completed.join(", ")
            ));
        }
        if self.rolled_back {
            lines.push(format!("undid an interrupted update of {dir}: the folder is as it was before it"));
        }
        if !self.removed.is_empty() {
            lines.push(format!(
                "removed temporary files an interrupted write left in {dir}: {}",
                self.removed.join(", ")
            ));
        }
        lines
    }
}

/// One staged file of an update and the part it becomes.
#[derive(Debug, Serialize, Deserialize)]
struct Entry {
    /// The file's name in the staging folder: its index.
    staged: String,
    /// The normalized part path.
    path: String,
}

/// Finishes or undoes an update of `dir` that a killed process left (see the module's header), and
/// removes temporary files of interrupted single-file writes. Nothing to do when the folder is clean.
pub fn recover(dir: &Path) -> io::Result<Recovery> {
    let mut recovery = Recovery::default();
    if !dir.is_dir() {
        return Ok(recovery);
    }
    let staging = dir.join(STAGING_FOLDER);
    match fs::symlink_metadata(&staging) {
        Ok(meta) if meta.is_dir() => match fs::read(staging.join(JOURNAL)) {
            Ok(journal) => {
                let entries: Vec<Entry> = serde_json::from_slice(&journal).map_err(|error| {
                    refused(format!(
                        "the journal of an interrupted update in {} is damaged: {error}",
                        staging.display()
                    ))
                })?;
                put_in_place(dir, &staging, &entries)?;
                recovery.completed = entries.into_iter().map(|entry| entry.path).collect();
                fs::remove_dir_all(&staging)?;
                sync_folder(dir);
            }
            Err(error) if error.kind() == io::ErrorKind::NotFound => {
                let created = staging.join(CREATED_MARKER).exists();
                fs::remove_dir_all(&staging)?;
                recovery.rolled_back = true;
                if created {
                    // Only when nothing else is in it: the folder did not exist before.
                    let _ = fs::remove_dir(dir);
                }
            }
            Err(error) => return Err(error),
        },
        Ok(_) => {
            return Err(refused(format!(
                "{} is not dfls's staging folder (a file or a link has its name); remove it",
                staging.display()
            )))
        }
        Err(error) if error.kind() == io::ErrorKind::NotFound => {}
        Err(error) => return Err(error),
    }
    if dir.is_dir() {
        for (file, path) in files_under(dir)? {
            if discover::is_temporary(file_name(&path)) {
                fs::remove_file(&file)?;
                recovery.removed.push(path);
            }
        }
        recovery.removed.sort();
    }
    Ok(recovery)
}

/// Writes a definition's parts into a folder, all or nothing (see the module's header). Without `force`,
/// when any existing file differs from its part nothing at all is written and the outcome lists the
/// conflicts; with it, they are overwritten. Part paths are normalized (`./mashup.pq` is `mashup.pq`);
/// a set of paths that clash, a path that would leave the folder or enter `.git`, and a part that would be
/// written through a symbolic link are refused, with every problem named, before anything is written.
/// Files of the folder that are not parts are left alone.
pub fn write_folder(definition: &Definition, dir: &Path, force: bool) -> io::Result<WriteOutcome> {
    let given: Vec<&str> = definition.parts.iter().map(|part| part.path.as_str()).collect();
    let paths = part_path::check_all(&given)
        .map_err(|problems| refused(format!("nothing was written: {}", problems.join("; "))))?;
    if dir.exists() && !dir.is_dir() {
        return Err(refused(format!("{} is not a folder", dir.display())));
    }
    let mut outcome = WriteOutcome { recovered: recover(dir)?, ..WriteOutcome::default() };
    let places = paths.iter().map(|path| check_place(dir, path)).collect::<Vec<_>>();
    let problems: Vec<String> = places.iter().filter_map(|place| place.as_ref().err().cloned()).collect();
    if !problems.is_empty() {
        return Err(refused(format!("nothing was written: {}", problems.join("; "))));
    }
    let mut writes: Vec<(&str, &[u8])> = Vec::new();
    for (part, path) in definition.parts.iter().zip(&paths) {
        match fs::read(join(dir, path)) {
            Ok(existing) if existing == part.bytes => outcome.unchanged.push(path.clone()),
            Ok(_) if force => {
                outcome.updated.push(path.clone());
                writes.push((path, &part.bytes));
            }
            Ok(_) => outcome.conflicts.push(path.clone()),
            Err(error) if error.kind() == io::ErrorKind::NotFound => {
                outcome.created.push(path.clone());
                writes.push((path, &part.bytes));
            }
            Err(error) => return Err(error),
        }
    }
    if !outcome.conflicts.is_empty() {
        outcome.created.clear();
        outcome.updated.clear();
        return Ok(outcome);
    }
    if !writes.is_empty() {
        update(dir, &writes)?;
    }
    Ok(outcome)
}

/// Steps 2-4 of the module's header.
fn update(dir: &Path, writes: &[(&str, &[u8])]) -> io::Result<()> {
    let created = !dir.exists();
    fs::create_dir_all(dir)?;
    let staging = dir.join(STAGING_FOLDER);
    if let Err(error) = fs::create_dir(&staging) {
        return Err(if error.kind() == io::ErrorKind::AlreadyExists {
            refused(format!(
                "another dfls is updating {} (or remove {} if none is)",
                dir.display(),
                staging.display()
            ))
        } else {
            error
        });
    }
    let staged = stage(dir, &staging, writes, created);
    let entries = match staged {
        Ok(entries) => entries,
        Err(error) => {
            // Not committed: undo, so that the folder is as it was.
            let _ = fs::remove_dir_all(&staging);
            if created {
                let _ = fs::remove_dir(dir);
            }
            return Err(error);
        }
    };
    // Committed: from here a failure leaves the journal for the next command to finish.
    let finish = put_in_place(dir, &staging, &entries).and_then(|()| fs::remove_dir_all(&staging));
    finish.map_err(|error| {
        io::Error::new(
            error.kind(),
            format!(
                "{error}; the update is recorded in {} and the next dfls command on the folder finishes it",
                staging.display()
            ),
        )
    })?;
    sync_folder(dir);
    Ok(())
}

/// Writes the new files into the staging folder, then the journal (the commit).
fn stage(dir: &Path, staging: &Path, writes: &[(&str, &[u8])], created: bool) -> io::Result<Vec<Entry>> {
    if created {
        write_synced(&staging.join(CREATED_MARKER), b"")?;
    }
    let mut entries = Vec::with_capacity(writes.len());
    for (index, (path, bytes)) in writes.iter().enumerate() {
        let staged = staging.join(index.to_string());
        write_synced(&staged, bytes)?;
        // An updated file keeps its permissions.
        if let Ok(meta) = fs::metadata(join(dir, path)) {
            fs::set_permissions(&staged, meta.permissions())?;
        }
        entries.push(Entry { staged: index.to_string(), path: path.to_string() });
        pause();
    }
    let journal = serde_json::to_vec(&entries).map_err(io::Error::other)?;
    let pending = staging.join("journal.tmp");
    write_synced(&pending, &journal)?;
    fs::rename(&pending, staging.join(JOURNAL))?;
    sync_folder(staging);
    pause();
    Ok(entries)
}

/// Renames each staged file over its part. An entry whose staged file is gone was put in place already
/// (by an earlier, interrupted run). The journal is checked as the parts were: it may have been tampered with.
fn put_in_place(dir: &Path, staging: &Path, entries: &[Entry]) -> io::Result<()> {
    for entry in entries {
        let path = part_path::normalize(&entry.path).map_err(|why| {
            refused(format!(
                "the journal in {}: the part path `{}` {}",
                staging.display(),
                entry.path,
                why.reason()
            ))
        })?;
        if entry.staged.is_empty() || !entry.staged.bytes().all(|b| b.is_ascii_digit()) {
            return Err(refused(format!(
                "the journal in {} names a staged file `{}`",
                staging.display(),
                entry.staged
            )));
        }
        let staged = staging.join(&entry.staged);
        match fs::symlink_metadata(&staged) {
            Ok(meta) if meta.is_file() => {}
            Ok(_) => return Err(refused(format!("{} is not a staged file", staged.display()))),
            Err(error) if error.kind() == io::ErrorKind::NotFound => continue,
            Err(error) => return Err(error),
        }
        check_place(dir, &path).map_err(refused)?;
        let target = join(dir, &path);
        if let Some(parent) = target.parent() {
            fs::create_dir_all(parent)?;
        }
        fs::rename(&staged, &target)?;
        pause();
    }
    Ok(())
}

/// Whether a part can be written at its place in `dir`: no symbolic link on the way (nothing is written
/// outside the folder through one), folders where the path needs folders, a regular file (or nothing)
/// at its end. `Err` says what is in the way.
fn check_place(dir: &Path, path: &str) -> Result<(), String> {
    let segments: Vec<&str> = path.split('/').collect();
    let mut at = dir.to_path_buf();
    for (index, segment) in segments.iter().enumerate() {
        at.push(segment);
        let shown = segments[..=index].join("/");
        let meta = match fs::symlink_metadata(&at) {
            Ok(meta) => meta,
            Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(()),
            Err(error) => return Err(format!("`{shown}` cannot be read: {error}")),
        };
        let last = index + 1 == segments.len();
        if meta.file_type().is_symlink() {
            return Err(format!(
                "`{shown}` is a symbolic link, and dfls does not write the part `{path}` through links"
            ));
        }
        if !last && !meta.is_dir() {
            return Err(format!("`{shown}` is a file, but the part `{path}` needs it to be a folder"));
        }
        if last && !meta.is_file() {
            return Err(format!(
                "`{shown}` is a folder or a special file, where the part `{path}` is a file"
            ));
        }
    }
    Ok(())
}

/// A normalized part path under `dir`.
fn join(dir: &Path, path: &str) -> PathBuf {
    let mut joined = dir.to_path_buf();
    joined.extend(path.split('/'));
    joined
}

fn refused(message: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, message)
}

fn write_synced(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut file = fs::File::create(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

/// Makes the renames in a folder durable, where the platform can (a folder cannot be opened on Windows).
fn sync_folder(dir: &Path) {
    if let Ok(folder) = fs::File::open(dir) {
        let _ = folder.sync_all();
    }
}

/// The pause of the fault-injection test (`DFLS_TEST_WRITE_PAUSE_MS`); none otherwise.
fn pause() {
    static PAUSE: OnceLock<Option<Duration>> = OnceLock::new();
    let pause = PAUSE.get_or_init(|| {
        std::env::var("DFLS_TEST_WRITE_PAUSE_MS")
            .ok()
            .and_then(|ms| ms.parse().ok())
            .map(Duration::from_millis)
    });
    if let Some(pause) = pause {
        std::thread::sleep(*pause);
    }
}

/// Writes one file through a temporary file in the same directory and a rename, so a reader never sees
/// half of it (`dfls fmt` and `dfls convert`).
pub fn write_atomically(target: &Path, bytes: &[u8]) -> io::Result<()> {
    let parent = target.parent().unwrap_or(Path::new("."));
    fs::create_dir_all(parent)?;
    let name = target.file_name().map_or_else(|| "part".into(), |n| n.to_string_lossy().into_owned());
    let temporary = parent.join(format!(".{name}.dfls-{}.tmp", std::process::id()));
    let result = fs::write(&temporary, bytes).and_then(|()| fs::rename(&temporary, target));
    if result.is_err() {
        let _ = fs::remove_file(&temporary);
    }
    result
}

/// The item folder a command line's ITEM names, if it names one: the folder itself, or the folder holding
/// the item file named (`Sales.Dataflow/mashup.pq`, as `dfls check` takes it).
pub fn named_folder(item: &Path) -> Option<PathBuf> {
    if item.is_dir() {
        return Some(item.to_path_buf());
    }
    let name = item.file_name()?.to_str()?;
    if PartKind::of(name) == PartKind::Unknown || !item.is_file() {
        return None;
    }
    match item.parent() {
        Some(parent) if parent.as_os_str().is_empty() => Some(PathBuf::from(".")),
        parent => parent.map(Path::to_path_buf),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn part(path: &str, bytes: &[u8]) -> Part {
        Part { path: path.into(), bytes: bytes.to_vec() }
    }

    fn definition() -> Definition {
        Definition {
            format: None,
            parts: vec![
                part(".platform", b"{\"a\": 1}\n"),
                part("mashup.pq", "section S;\r\nshared Café = 1;".as_bytes()),
                part("sub/MDF transform.mdf", &[0, 159, 146, 150]),
            ],
        }
    }

    /// Every file under a folder, staging folder and temporaries included, with its bytes.
    fn everything(dir: &Path) -> Vec<(String, Vec<u8>)> {
        let mut found = Vec::new();
        let mut pending = vec![dir.to_path_buf()];
        while let Some(current) = pending.pop() {
            for entry in fs::read_dir(&current).unwrap() {
                let entry = entry.unwrap();
                let relative = entry.path().strip_prefix(dir).unwrap().to_string_lossy().replace('\\', "/");
                if entry.file_type().unwrap().is_dir() {
                    pending.push(entry.path());
                    found.push((relative + "/", Vec::new()));
                } else {
                    found.push((relative, fs::read(entry.path()).unwrap_or_default()));
                }
            }
        }
        found.sort();
        found
    }

    #[test]
    fn folders_round_trip_byte_for_byte() {
        let dir = tempfile::tempdir().unwrap();
        let written = write_folder(&definition(), dir.path(), false).unwrap();
        assert_eq!(written.created.len(), 3);
        let read = read_folder(dir.path()).unwrap();
        assert_eq!(read.parts, definition().parts);
        // Unchanged files are not rewritten; a changed one blocks everything without force.
        let again = write_folder(&definition(), dir.path(), false).unwrap();
        assert_eq!(again.unchanged.len(), 3);
        fs::write(dir.path().join("mashup.pq"), "edited").unwrap();
        let mut changed = definition();
        changed.parts[0].bytes = b"{}".to_vec();
        let refused = write_folder(&changed, dir.path(), false).unwrap();
        assert_eq!(refused.conflicts, vec![".platform".to_string(), "mashup.pq".to_string()]);
        assert_eq!(fs::read_to_string(dir.path().join("mashup.pq")).unwrap(), "edited");
        let forced = write_folder(&changed, dir.path(), true).unwrap();
        assert_eq!(forced.updated.len(), 2);
        assert_eq!(read_folder(dir.path()).unwrap().parts, changed.parts);
        assert!(!dir.path().join(STAGING_FOLDER).exists());
    }

    /// Each of these was written, or half written, before the whole set was checked first.
    #[test]
    fn refused_part_sets_write_nothing() {
        for paths in [
            &["a", "a/b"][..],
            &["a/b", "a"],
            &["mashup.pq", "./mashup.pq"],
            &["sub/x.pq", "sub//x.pq"],
            &["ok.pq", "/tmp/x"],
            &["ok.pq", "../evil"],
            &["ok.pq", "a/../../evil"],
            &["ok.pq", "C:\\evil"],
            &["ok.pq", ""],
            &["ok.pq", ".git/hooks/pre-commit"],
        ] {
            let dir = tempfile::tempdir().unwrap();
            let target = dir.path().join("item");
            let definition =
                Definition { format: None, parts: paths.iter().map(|p| part(p, b"x")).collect() };
            let error = write_folder(&definition, &target, true).expect_err(&format!("{paths:?}"));
            assert!(error.to_string().contains("nothing was written"), "{paths:?}: {error}");
            let named = paths
                .iter()
                .filter(|p| !p.is_empty() && **p != "ok.pq")
                .all(|p| error.to_string().contains(*p));
            assert!(named, "{paths:?}: {error}");
            assert!(!target.exists(), "{paths:?}");
            assert!(everything(dir.path()).is_empty(), "{paths:?}");
        }
    }

    #[test]
    fn aliased_paths_are_written_once_under_their_one_spelling() {
        let dir = tempfile::tempdir().unwrap();
        let definition =
            Definition { format: None, parts: vec![part("./mashup.pq", b"m"), part("sub//x.pq", b"x")] };
        let outcome = write_folder(&definition, dir.path(), false).unwrap();
        assert_eq!(outcome.created, ["mashup.pq", "sub/x.pq"]);
        assert_eq!(
            everything(dir.path()),
            [
                ("mashup.pq".to_string(), b"m".to_vec()),
                ("sub/".to_string(), vec![]),
                ("sub/x.pq".to_string(), b"x".to_vec())
            ]
        );
    }

    #[cfg(unix)]
    #[test]
    fn nothing_is_written_through_a_symbolic_link() {
        let dir = tempfile::tempdir().unwrap();
        let (target, outside) = (dir.path().join("item"), dir.path().join("outside"));
        fs::create_dir_all(&target).unwrap();
        fs::create_dir_all(&outside).unwrap();
        std::os::unix::fs::symlink(&outside, target.join("sub")).unwrap();
        std::os::unix::fs::symlink(outside.join("file"), target.join("linked.pq")).unwrap();
        for path in ["sub/evil", "linked.pq"] {
            let definition =
                Definition { format: None, parts: vec![part("ok.pq", b"x"), part(path, b"evil")] };
            let error = write_folder(&definition, &target, true).unwrap_err();
            assert!(error.to_string().contains("symbolic link"), "{error}");
            assert!(error.to_string().contains(path), "{error}");
            assert!(everything(&outside).is_empty());
            assert!(!target.join("ok.pq").exists());
        }
    }

    #[test]
    fn a_file_in_the_way_of_a_folder_refuses_the_update() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("a"), "mine").unwrap();
        let definition = Definition { format: None, parts: vec![part("b.pq", b"x"), part("a/b", b"x")] };
        let error = write_folder(&definition, dir.path(), true).unwrap_err();
        assert!(error.to_string().contains("`a` is a file"), "{error}");
        assert_eq!(everything(dir.path()), [("a".to_string(), b"mine".to_vec())]);
    }

    #[test]
    fn an_uncommitted_update_is_undone_and_a_committed_one_finished() {
        let dir = tempfile::tempdir().unwrap();
        write_folder(&definition(), dir.path(), false).unwrap();
        let before = everything(dir.path());
        // Killed while staging: a staged file, no journal.
        fs::create_dir(dir.path().join(STAGING_FOLDER)).unwrap();
        fs::write(dir.path().join(STAGING_FOLDER).join("0"), "new").unwrap();
        fs::write(dir.path().join(".mashup.pq.dfls-4242.tmp"), "half").unwrap();
        assert!(read_folder(dir.path()).unwrap().parts == definition().parts, "leftovers are never read");
        let recovery = recover(dir.path()).unwrap();
        assert!(recovery.rolled_back && recovery.completed.is_empty());
        assert_eq!(recovery.removed, [".mashup.pq.dfls-4242.tmp"]);
        assert_eq!(everything(dir.path()), before);
        // Killed after the commit, with one of two renames done.
        let staging = dir.path().join(STAGING_FOLDER);
        fs::create_dir(&staging).unwrap();
        fs::write(staging.join("1"), "new platform").unwrap();
        fs::write(dir.path().join("mashup.pq"), "new mashup").unwrap();
        fs::write(
            staging.join(JOURNAL),
            r#"[{"staged":"0","path":"mashup.pq"},{"staged":"1","path":".platform"}]"#,
        )
        .unwrap();
        let recovery = recover(dir.path()).unwrap();
        assert_eq!(recovery.completed, ["mashup.pq", ".platform"]);
        assert_eq!(fs::read_to_string(dir.path().join(".platform")).unwrap(), "new platform");
        assert_eq!(fs::read_to_string(dir.path().join("mashup.pq")).unwrap(), "new mashup");
        assert!(!staging.exists());
        assert!(recover(dir.path()).unwrap().is_empty());
    }

    #[test]
    fn a_tampered_journal_writes_nothing_outside() {
        let dir = tempfile::tempdir().unwrap();
        let item = dir.path().join("item");
        let staging = item.join(STAGING_FOLDER);
        fs::create_dir_all(&staging).unwrap();
        fs::write(staging.join("0"), "evil").unwrap();
        fs::write(staging.join(JOURNAL), r#"[{"staged":"0","path":"../evil"}]"#).unwrap();
        assert!(recover(&item).is_err());
        assert!(!dir.path().join("evil").exists());
    }

    #[test]
    fn a_created_folder_is_removed_when_its_update_is_undone() {
        let dir = tempfile::tempdir().unwrap();
        let item = dir.path().join("item");
        fs::create_dir_all(item.join(STAGING_FOLDER)).unwrap();
        fs::write(item.join(STAGING_FOLDER).join(CREATED_MARKER), "").unwrap();
        assert!(recover(&item).unwrap().rolled_back);
        assert!(!item.exists());
    }
}
