//! The file system side of a search ([`super::inputs`]): directory entries and what each is once symbolic
//! links are followed, which folders a search enters, and reading a file only when it is a regular one.
//!
//! - A folder is entered once, however many links lead to it: folders are known by device and inode
//!   (their canonical path where there are no inodes), so a link loop ends the first time round. Whether a
//!   link led to a folder the first time is kept, so that a loop met first from its link's end is still
//!   one to mention.
//! - The kernel's folders, `/proc`, `/sys` and `/dev` where they are file systems of their own, are never
//!   entered: they hold no sources, millions of entries, and files that never end.
//! - A FIFO, socket or device is never opened: a FIFO blocks `open` until a writer comes, a device may read
//!   without end. Files are opened non-blocking and checked again through the open handle, so a FIFO put in
//!   place of a file after the search does not block either.

use std::collections::HashMap;
use std::fs;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

/// What a directory entry is, after following a symbolic link.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    Dir,
    File,
    /// A FIFO, socket or device, in words (`a FIFO (named pipe)`).
    Special(&'static str),
    /// A symbolic link to nothing, or an entry that vanished: reading it says why.
    Missing,
}

/// A directory entry.
#[derive(Debug)]
pub(super) struct Entry {
    pub(super) name: String,
    pub(super) path: PathBuf,
    pub(super) kind: Kind,
    /// Whether the entry is a symbolic link (`kind` is what it leads to).
    pub(super) is_link: bool,
}

/// The entries of a directory, sorted by name.
pub(super) fn list(directory: &Path) -> io::Result<Vec<Entry>> {
    let mut entries = Vec::new();
    for entry in fs::read_dir(directory)? {
        let entry = entry?;
        let path = entry.path();
        let file_type = entry.file_type()?;
        let is_link = file_type.is_symlink();
        let kind = if is_link {
            fs::metadata(&path).map_or(Kind::Missing, |metadata| kind_of(&metadata.file_type()))
        } else {
            kind_of(&file_type)
        };
        entries.push(Entry { name: entry.file_name().to_string_lossy().into_owned(), path, kind, is_link });
    }
    entries.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(entries)
}

fn kind_of(file_type: &fs::FileType) -> Kind {
    if file_type.is_dir() {
        Kind::Dir
    } else if file_type.is_file() {
        Kind::File
    } else {
        Kind::Special(kind_in_words(file_type))
    }
}

/// What a file that is neither a regular file nor a folder is, for a message.
pub(super) fn kind_in_words(file_type: &fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if file_type.is_fifo() {
            return "a FIFO (named pipe)";
        } else if file_type.is_socket() {
            return "a socket";
        } else if file_type.is_char_device() {
            return "a character device";
        } else if file_type.is_block_device() {
            return "a block device";
        }
    }
    let _ = file_type;
    "not a regular file"
}

/// Whether a search may enter a folder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Enter {
    Yes,
    /// It was entered before, through another path (a link loop, or two links to one folder). `linked`
    /// when a symbolic link led there this time or the first time: a loop whose link was met before the
    /// folder's own path is one too; two overlapping PATH arguments are not.
    Again {
        linked: bool,
    },
    /// One of the kernel's folders.
    System,
}

/// The folders one command has entered, and the kernel's.
pub(super) struct Folders {
    /// Each folder entered, with whether a symbolic link led to it.
    entered: HashMap<FolderId, bool>,
    /// The devices of `/proc`, `/sys` and `/dev` that are mounted file systems of their own.
    #[cfg(unix)]
    system_devices: Vec<u64>,
}

#[cfg(unix)]
type FolderId = (u64, u64);
#[cfg(not(unix))]
type FolderId = PathBuf;

impl Folders {
    pub(super) fn new() -> Folders {
        Folders {
            entered: HashMap::new(),
            #[cfg(unix)]
            system_devices: system_devices(),
        }
    }

    /// Whether to enter `folder`, reached through a symbolic link or not, and if so, remembers it. A folder
    /// whose metadata cannot be read is entered: listing it fails and says why.
    pub(super) fn enter(&mut self, folder: &Path, through_link: bool) -> Enter {
        let Ok(metadata) = fs::metadata(folder) else { return Enter::Yes };
        #[cfg(unix)]
        let id = {
            use std::os::unix::fs::MetadataExt;
            if self.system_devices.contains(&metadata.dev()) {
                return Enter::System;
            }
            (metadata.dev(), metadata.ino())
        };
        #[cfg(not(unix))]
        let id = {
            let _ = metadata;
            fs::canonicalize(folder).unwrap_or_else(|_| folder.to_path_buf())
        };
        match self.entered.entry(id) {
            std::collections::hash_map::Entry::Vacant(vacant) => {
                vacant.insert(through_link);
                Enter::Yes
            }
            std::collections::hash_map::Entry::Occupied(first) => {
                Enter::Again { linked: through_link || *first.get() }
            }
        }
    }
}

/// The devices of `/proc`, `/sys` and `/dev` when they are not the root's, that is when each is a
/// mount point (procfs, sysfs, devtmpfs on Linux; devfs on macOS). Any folder on those devices is
/// theirs, even where they are mounted a second time (a chroot's `proc`).
#[cfg(unix)]
fn system_devices() -> Vec<u64> {
    use std::os::unix::fs::MetadataExt;
    let Ok(root) = fs::metadata("/") else { return Vec::new() };
    ["/proc", "/sys", "/dev"]
        .iter()
        .filter_map(|path| fs::metadata(path).ok())
        .map(|metadata| metadata.dev())
        .filter(|&device| device != root.dev())
        .collect()
}

/// Why a file was not read.
#[derive(Debug)]
pub(super) enum ReadError {
    /// It is a FIFO, socket or device (in words).
    NotAFile(&'static str),
    Io(io::Error),
}

/// Reads a regular file whole. Anything else is refused before it is read, and opened without blocking
/// (a FIFO with no writer would block `open` for ever).
pub(super) fn read_regular_file(path: &Path) -> Result<Vec<u8>, ReadError> {
    let kind = fs::metadata(path).map_err(ReadError::Io)?.file_type();
    if !kind.is_file() {
        return Err(ReadError::NotAFile(kind_in_words(&kind)));
    }
    let mut options = fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        // Non-blocking only matters for the open itself: reads of a regular file never block.
        let nonblocking = rustix::fs::OFlags::NONBLOCK.bits();
        options.custom_flags(i32::try_from(nonblocking).unwrap_or(0));
    }
    let mut file = options.open(path).map_err(ReadError::Io)?;
    let metadata = file.metadata().map_err(ReadError::Io)?;
    if !metadata.is_file() {
        return Err(ReadError::NotAFile(kind_in_words(&metadata.file_type())));
    }
    let mut bytes = Vec::with_capacity(usize::try_from(metadata.len()).unwrap_or(0).min(1 << 30));
    file.read_to_end(&mut bytes).map_err(ReadError::Io)?;
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_folder_is_entered_once() {
        let dir = tempfile::tempdir().unwrap();
        let mut folders = Folders::new();
        assert_eq!(folders.enter(dir.path(), false), Enter::Yes);
        assert_eq!(folders.enter(&dir.path().join("."), false), Enter::Again { linked: false });
        // Reached first through a link, then by its own path: a loop met from its far end.
        let linked = dir.path().join("sub");
        fs::create_dir(&linked).unwrap();
        assert_eq!(folders.enter(&linked, true), Enter::Yes);
        assert_eq!(folders.enter(&linked, false), Enter::Again { linked: true });
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn the_kernel_folders_are_not_entered() {
        let mut folders = Folders::new();
        for path in ["/proc", "/proc/self", "/sys", "/dev"] {
            if Path::new(path).exists() {
                assert_eq!(folders.enter(Path::new(path), false), Enter::System, "{path}");
            }
        }
    }

    #[cfg(unix)]
    #[test]
    fn devices_are_not_read() {
        assert!(matches!(
            read_regular_file(Path::new("/dev/null")),
            Err(ReadError::NotAFile("a character device"))
        ));
        assert!(matches!(read_regular_file(Path::new("/")), Err(ReadError::NotAFile(_))));
    }
}
