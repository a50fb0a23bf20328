//! The files the server knows, by identity, and the unit they are checked in: the Dataflow item.
//!
//! A file is identified by its path ([`DocKey`]), whatever spelling of its `file:` URI the client used;
//! other URIs (`untitled:`) are identified by their text. An item is a folder that
//! [`discover::is_item_folder`] recognises (a `*.Dataflow` folder, or one holding both `mashup.pq` and
//! `queryMetadata.json`); any other file is checked by itself ([`ItemKey::Loose`]). [`read_item`] reads an
//! item the way `dfls check` does, except that a file the client has open is read from its buffer: the
//! buffer wins over the disk. This is the only module of the server that reads the disk.

use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::SystemTime;

use tower_lsp_server::ls_types::Uri;

use super::document::Snapshot;
use crate::definition::discover;
use crate::definition::parts::PartKind;
use crate::format::config::{self, ProjectSettings};
use crate::text;

/// The identity of a file: its path for a `file:` URI, else the URI itself.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DocKey {
    Path(PathBuf),
    Other(String),
}

impl DocKey {
    pub fn of(uri: &Uri) -> DocKey {
        let is_file = uri.scheme().as_str().eq_ignore_ascii_case("file");
        match uri.to_file_path() {
            Some(path) if is_file => DocKey::Path(path.into_owned()),
            _ => DocKey::Other(uri.as_str().to_owned()),
        }
    }

    pub fn path(&self) -> Option<&Path> {
        match self {
            DocKey::Path(path) => Some(path),
            DocKey::Other(_) => None,
        }
    }

    /// The file name (last segment), which decides what the file is.
    pub fn file_name(&self) -> &str {
        match self {
            DocKey::Path(path) => path.file_name().and_then(|name| name.to_str()).unwrap_or(""),
            DocKey::Other(uri) => uri.rsplit(['/', '\\', ':']).next().unwrap_or(uri),
        }
    }

    /// The path diagnostics and related locations name the file by (`FileReport::path`): the full path.
    pub fn shown(&self) -> String {
        match self {
            DocKey::Path(path) => path.to_string_lossy().into_owned(),
            DocKey::Other(uri) => uri.clone(),
        }
    }

    /// The URI to publish diagnostics for a file the client did not open.
    pub fn uri(&self) -> Option<Uri> {
        match self {
            DocKey::Path(path) => Uri::from_file_path(path),
            DocKey::Other(uri) => uri.parse().ok(),
        }
    }
}

/// What a file is checked with.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ItemKey {
    /// An item folder: every file in it is checked together.
    Folder(PathBuf),
    /// A file checked by itself.
    Loose(DocKey),
}

/// The item a file belongs to: its folder when that folder is an item (judged from the names on disk,
/// `on_disk` ([`Listings::of`] the folder), and those of `open` files in it, so a new buffer counts before
/// it is saved), else the file alone. Only files directly in the folder are its parts; a file deeper
/// down is a stray of no item here.
pub fn item_of<'k>(key: &DocKey, open: impl Iterator<Item = &'k DocKey>, on_disk: &[String]) -> ItemKey {
    let Some(folder) = key.path().and_then(Path::parent) else {
        return ItemKey::Loose(key.clone());
    };
    let Some(name) = folder.file_name().and_then(|name| name.to_str()) else {
        return ItemKey::Loose(key.clone());
    };
    let mut names: Vec<String> = on_disk.to_vec();
    names.extend(
        open.filter_map(|other| other.path())
            .filter(|path| path.parent() == Some(folder))
            .filter_map(|path| path.file_name().map(|name| name.to_string_lossy().into_owned())),
    );
    names.push(key.file_name().to_owned());
    if discover::is_item_folder(name, names.iter().map(String::as_str)) {
        ItemKey::Folder(folder.to_path_buf())
    } else {
        ItemKey::Loose(key.clone())
    }
}

/// A file of an item as the checks read it.
pub struct ItemFile {
    /// The path relative to the item folder, with `/` (`mashup.pq`).
    pub part_path: String,
    pub snapshot: Arc<Snapshot>,
    /// The bytes the checks read: the file's on disk (invalid UTF-8 included), or the open buffer's.
    pub bytes: Vec<u8>,
}

/// An item folder read for a check, open buffers in place of their files.
pub struct ItemFiles {
    /// The folder's own name (`Sales.Dataflow`).
    pub name: String,
    pub folder: PathBuf,
    /// The files that are parts of a Dataflow definition, sorted by part path.
    pub parts: Vec<ItemFile>,
    /// The other files, not read unless open: (part path, file).
    pub strays: Vec<(String, Arc<Snapshot>)>,
}

impl ItemFiles {
    /// Every file of the item, parts and strays.
    pub fn snapshots(&self) -> impl Iterator<Item = &Arc<Snapshot>> {
        self.parts.iter().map(|f| &f.snapshot).chain(self.strays.iter().map(|(_, s)| s))
    }
}

/// Reads an item folder: every file in it and below it except version-control and OS files (as
/// `dfls check` does), with the snapshot of an `open` buffer in place of its file, and open buffers not
/// yet saved included. A file that cannot be read is left out (and logged): a check of the rest is better
/// than none.
pub fn read_item(folder: &Path, open: &HashMap<DocKey, Arc<Snapshot>>) -> ItemFiles {
    let name = folder.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let mut item = ItemFiles { name, folder: folder.to_path_buf(), parts: Vec::new(), strays: Vec::new() };
    let mut seen = Vec::new();
    let mut pending = vec![(String::new(), folder.to_path_buf())];
    while let Some((prefix, directory)) = pending.pop() {
        let Ok(entries) = fs::read_dir(&directory) else { continue };
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let Ok(file_type) = entry.file_type() else { continue };
            if discover::is_ignored(&name) || file_type.is_symlink() && entry.path().is_dir() {
                continue;
            }
            let part_path = format!("{prefix}{name}");
            if file_type.is_dir() || entry.path().is_dir() {
                pending.push((format!("{part_path}/"), entry.path()));
                continue;
            }
            let key = DocKey::Path(entry.path());
            seen.push(key.clone());
            add(&mut item, part_path, key, open);
        }
    }
    // Buffers of new files that were never saved.
    for (key, _) in open.iter().filter(|(key, _)| !seen.contains(key)) {
        if let Some(part_path) = key.path().and_then(|path| path.strip_prefix(folder).ok()) {
            let part_path =
                part_path.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/");
            add(&mut item, part_path, key.clone(), open);
        }
    }
    item.parts.sort_by(|a, b| a.part_path.cmp(&b.part_path));
    item.strays.sort_by(|a, b| a.0.cmp(&b.0));
    item
}

fn add(item: &mut ItemFiles, part_path: String, key: DocKey, open: &HashMap<DocKey, Arc<Snapshot>>) {
    let is_part = PartKind::of(&part_path) != PartKind::Unknown;
    let snapshot = match open.get(&key) {
        Some(snapshot) => snapshot.clone(),
        None if !is_part => Arc::new(Snapshot::from_disk(uri_of(&key), key, String::new())),
        None => match read(&key) {
            Some((snapshot, bytes)) => {
                item.parts.push(ItemFile { part_path, snapshot, bytes });
                return;
            }
            None => return,
        },
    };
    if is_part {
        let bytes = snapshot.text.as_bytes().to_vec();
        item.parts.push(ItemFile { part_path, snapshot, bytes });
    } else {
        item.strays.push((part_path, snapshot));
    }
}

/// Reads a file from disk: its snapshot (the text decoded without moving offsets) and its bytes. A file
/// that is not a regular file (a FIFO, a device such as `/dev/zero`) or is larger than [`MAX_FILE_BYTES`]
/// is not read (and logged).
pub fn read(key: &DocKey) -> Option<(Arc<Snapshot>, Vec<u8>)> {
    let path = key.path()?;
    match read_bounded(path) {
        Ok(bytes) => {
            let text = text::decode(&bytes).text;
            Some((Arc::new(Snapshot::from_disk(uri_of(key), key.clone(), text)), bytes))
        }
        Err(error) => {
            eprintln!("dfls lsp: cannot read {}: {error}", path.display());
            None
        }
    }
}

/// The largest file the server reads from disk: twice the largest item definitions seen in practice.
pub const MAX_FILE_BYTES: u64 = 128 << 20;

/// The bytes of a regular file of at most [`MAX_FILE_BYTES`]; opening anything else could block (a FIFO)
/// or never end (`/dev/zero`).
fn read_bounded(path: &Path) -> std::io::Result<Vec<u8>> {
    use std::io::{Error, ErrorKind, Read};
    let metadata = fs::metadata(path)?;
    if !metadata.is_file() {
        return Err(Error::new(ErrorKind::InvalidInput, "not a regular file"));
    }
    let too_large = || {
        Error::new(
            ErrorKind::InvalidData,
            format!("larger than {} MB, the most dfls reads", MAX_FILE_BYTES >> 20),
        )
    };
    if metadata.len() > MAX_FILE_BYTES {
        return Err(too_large());
    }
    let mut bytes = Vec::with_capacity(metadata.len() as usize);
    fs::File::open(path)?.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(too_large());
    }
    Ok(bytes)
}

/// The name a file's symbols are shown under: its item folder's name without `.Dataflow`, else the file's
/// name.
pub fn item_name(key: &DocKey) -> String {
    let folder = key.path().and_then(Path::parent).and_then(Path::file_name).map(|n| n.to_string_lossy());
    match folder {
        Some(folder) if folder.ends_with(discover::ITEM_FOLDER_SUFFIX) => {
            folder.trim_end_matches(discover::ITEM_FOLDER_SUFFIX).to_owned()
        }
        _ if key.file_name() == crate::definition::parts::MASHUP => {
            folder.map(|f| f.into_owned()).unwrap_or_default()
        }
        _ => key.file_name().to_owned(),
    }
}

/// Files read from disk for requests, kept while they do not change (same modification time and length),
/// so that a request about `mashup.pq` does not read and parse the item's `queryMetadata.json` again every
/// time. Checks read the disk themselves: they need the bytes, and run once per change anyway.
#[derive(Default)]
pub struct DiskCache {
    entries: HashMap<DocKey, (Stamp, Arc<Snapshot>)>,
}

/// What tells that a file changed: its modification time and length.
type Stamp = (Option<SystemTime>, u64);

/// The most files the cache keeps; past that it starts again (items are small, and requests come from a
/// few of them at a time).
const DISK_CACHE_FILES: usize = 64;

impl DiskCache {
    /// A file's snapshot, from the cache when the file has not changed since it was read.
    pub fn read(cache: &Mutex<DiskCache>, key: &DocKey) -> Option<Arc<Snapshot>> {
        let metadata = fs::metadata(key.path()?).ok()?;
        let stamp = (metadata.modified().ok(), metadata.len());
        let cached = cache.lock().unwrap_or_else(PoisonError::into_inner).entries.get(key).cloned();
        match cached {
            Some((cached, snapshot)) if cached == stamp && stamp.0.is_some() => Some(snapshot),
            _ => {
                let (snapshot, _) = read(key)?;
                let mut cache = cache.lock().unwrap_or_else(PoisonError::into_inner);
                if cache.entries.len() >= DISK_CACHE_FILES {
                    cache.entries.clear();
                }
                cache.entries.insert(key.clone(), (stamp, snapshot.clone()));
                Some(snapshot)
            }
        }
    }
}

/// The names in folders, read once per folder when the client watches files (its notifications say when
/// a folder changed: [`Listings::forget`]), else read every time. Never read under the state's lock.
#[derive(Default)]
pub struct Listings {
    entries: Mutex<HashMap<PathBuf, Arc<[String]>>>,
    /// Whether listings are kept: only when the client reports changes to files.
    keep: std::sync::atomic::AtomicBool,
}

/// The most folders whose listings are kept; past that the cache starts again.
const LISTED_FOLDERS: usize = 1024;

impl Listings {
    /// Keeps listings from now on (the client watches files).
    pub fn keep(&self) {
        self.keep.store(true, std::sync::atomic::Ordering::Relaxed);
    }

    /// The names in a folder (none when it cannot be read).
    pub fn of(&self, folder: &Path) -> Arc<[String]> {
        let keep = self.keep.load(std::sync::atomic::Ordering::Relaxed);
        if keep {
            if let Some(names) = self.entries.lock().unwrap_or_else(PoisonError::into_inner).get(folder) {
                return names.clone();
            }
        }
        let names: Arc<[String]> = fs::read_dir(folder)
            .map(|entries| entries.flatten().map(|e| e.file_name().to_string_lossy().into_owned()).collect())
            .unwrap_or_default();
        if keep {
            let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
            if entries.len() >= LISTED_FOLDERS {
                entries.clear();
            }
            entries.insert(folder.to_path_buf(), names.clone());
        }
        names
    }

    /// Forgets the listing of a folder whose content changed.
    pub fn forget(&self, folder: &Path) {
        self.entries.lock().unwrap_or_else(PoisonError::into_inner).remove(folder);
    }
}

/// The formatting settings of files (`dfls.toml`, `.editorconfig`), read once per file when the client
/// watches files (a change to either kind of file forgets them all), else read every time.
#[derive(Default)]
pub struct SettingsCache {
    entries: Mutex<HashMap<PathBuf, Result<ProjectSettings, String>>>,
    keep: std::sync::atomic::AtomicBool,
}

/// The most files whose settings are kept.
const SETTINGS_FILES: usize = 1024;

impl SettingsCache {
    /// Keeps settings from now on (the client watches files).
    pub fn keep(&self) {
        self.keep.store(true, std::sync::atomic::Ordering::Relaxed);
    }

    /// The project's settings for a file, or why its configuration cannot be read.
    pub fn project_settings(&self, file: &Path) -> Result<ProjectSettings, String> {
        let keep = self.keep.load(std::sync::atomic::Ordering::Relaxed);
        if keep {
            if let Some(found) = self.entries.lock().unwrap_or_else(PoisonError::into_inner).get(file) {
                return found.clone();
            }
        }
        let found = config::project_settings(file, &config::RealFs).map_err(|error| error.to_string());
        if keep {
            let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
            if entries.len() >= SETTINGS_FILES {
                entries.clear();
            }
            entries.insert(file.to_path_buf(), found.clone());
        }
        found
    }

    /// Whether a file is one that settings are read from.
    pub fn is_settings_file(key: &DocKey) -> bool {
        matches!(key.file_name(), config::DFLS_TOML | config::EDITORCONFIG)
    }

    /// Forgets every file's settings (a settings file changed).
    pub fn forget_all(&self) {
        self.entries.lock().unwrap_or_else(PoisonError::into_inner).clear();
    }
}

/// The URI of a file, for one the client has not named itself.
pub fn uri_of(key: &DocKey) -> Uri {
    key.uri().unwrap_or_else(|| "file:///".parse().expect("a constant URI parses"))
}
