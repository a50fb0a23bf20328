//! How Dataflow items are recognised among files and folders, for commands that search a tree
//! (`dfls check DIR`) or are handed one file.
//!
//! An item is a folder named `*.Dataflow` or any folder holding both `mashup.pq` and
//! `queryMetadata.json`; a `dataflow-content.json` outside such a folder is a legacy item by itself; a JSON
//! file holding `{"definition": {"parts": [...]}}` is a REST payload ([`super::payload::is_payload`]). Files
//! that version control and operating systems leave in folders are never parts. Pure predicates over
//! names and bytes: the walking itself (IO) is the caller's.

use super::part_path::STAGING_FOLDER;
use super::parts::{LEGACY_CONTENT, MASHUP, QUERY_METADATA};

/// The suffix of item folders in Fabric's Git layout.
pub const ITEM_FOLDER_SUFFIX: &str = ".Dataflow";

/// The extensions of M files searched for in directories (by `dfls check` and the language server's
/// workspace symbols). A file named explicitly is read whatever its extension.
const M_EXTENSIONS: &[&str] = &["pq", "pqm", "m"];

/// Directories a search skips besides hidden ones: build output and JavaScript dependencies, which hold
/// copies or unrelated files, never the user's sources.
const SKIPPED_DIRECTORIES: &[&str] = &["target", "node_modules"];

/// Whether a search of directories skips this one (hidden, build output, dependencies).
pub fn is_skipped_directory(name: &str) -> bool {
    name.starts_with('.') || SKIPPED_DIRECTORIES.contains(&name)
}

/// Whether a search of directories reads this file as M, by its extension.
pub fn is_m_file(path: &std::path::Path) -> bool {
    path.extension()
        .and_then(|extension| extension.to_str())
        .is_some_and(|extension| M_EXTENSIONS.iter().any(|m| extension.eq_ignore_ascii_case(m)))
}

/// Files and folders of version control systems and operating systems, never parts of an item.
const IGNORED: &[&str] = &[
    ".git",
    ".gitignore",
    ".gitattributes",
    ".gitkeep",
    ".svn",
    ".hg",
    ".DS_Store",
    "Thumbs.db",
    "desktop.ini",
];

/// Whether a file or folder in an item folder is left out of the item: version-control and OS files,
/// editor backups (`x~`, `.x.swp`), and what an interrupted dfls write left ([`is_dfls_leftover`]).
pub fn is_ignored(name: &str) -> bool {
    IGNORED.contains(&name)
        || name.ends_with('~')
        || (name.starts_with('.') && name.ends_with(".swp"))
        || is_dfls_leftover(name)
}

/// Whether a file or folder is dfls's own, left by a write that was interrupted: the staging folder of a
/// folder update, or the temporary file of a one-file write ([`is_temporary`]). Never a part.
pub fn is_dfls_leftover(name: &str) -> bool {
    name == STAGING_FOLDER || is_temporary(name)
}

/// Whether a file name is that of the temporary file of a one-file write: `.NAME.dfls-PID.tmp`.
pub fn is_temporary(name: &str) -> bool {
    let Some(inner) = name.strip_prefix('.').and_then(|n| n.strip_suffix(".tmp")) else { return false };
    inner.rsplit_once(".dfls-").is_some_and(|(target, pid)| {
        !target.is_empty() && !pid.is_empty() && pid.bytes().all(|b| b.is_ascii_digit())
    })
}

/// Whether a folder with this name and these entries is a Dataflow item.
pub fn is_item_folder<'n>(name: &str, mut entries: impl Iterator<Item = &'n str>) -> bool {
    if name.ends_with(ITEM_FOLDER_SUFFIX) && name.len() > ITEM_FOLDER_SUFFIX.len() {
        return true;
    }
    let (mut mashup, mut metadata) = (false, false);
    entries.any(|entry| {
        mashup |= entry == MASHUP;
        metadata |= entry == QUERY_METADATA;
        mashup && metadata
    })
}

/// Whether a file outside any item folder is a legacy item.
pub fn is_legacy_content(name: &str) -> bool {
    name == LEGACY_CONTENT
}

/// Whether a JSON file found in a search may be a REST payload and is worth parsing: it mentions
/// `"parts"`. The decision is [`super::payload::is_payload`] on the parsed file.
pub fn may_be_payload(bytes: &[u8]) -> bool {
    bytes.windows(7).any(|window| window == b"\"parts\"")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn item_folders() {
        assert!(is_item_folder("Sales.Dataflow", std::iter::empty()));
        assert!(!is_item_folder(".Dataflow", std::iter::empty()));
        assert!(is_item_folder("sales", ["x", "queryMetadata.json", "mashup.pq"].into_iter()));
        assert!(!is_item_folder("sales", ["mashup.pq", "other.json"].into_iter()));
    }

    #[test]
    fn ignored_files() {
        for name in [
            ".git",
            ".DS_Store",
            "mashup.pq~",
            ".mashup.pq.swp",
            "Thumbs.db",
            ".dfls-update",
            ".mashup.pq.dfls-42.tmp",
        ] {
            assert!(is_ignored(name), "{name}");
        }
        for name in [
            ".platform",
            ".schedules",
            "notes.txt",
            ".vscode",
            ".x.dfls-.tmp",
            "..dfls-1.tmp",
            ".a.dfls-1x.tmp",
        ] {
            assert!(!is_ignored(name), "{name}");
        }
    }

    #[test]
    fn payload_candidates() {
        assert!(may_be_payload(br#"{"definition": {"parts": []}}"#));
        assert!(!may_be_payload(br#"{"dependencies": {}}"#));
    }
}
