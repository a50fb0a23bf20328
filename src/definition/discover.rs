//! How Dataflow items are recognised among files and folders, for commands that search a tree
//! (`dfls check DIR`) or are handed one file.
//!
//! An item is a folder named `*.Dataflow` or any folder holding both `mashup.pq` and
//! `queryMetadata.json`; a `dataflow-content.json` outside such a folder is a legacy item by itself; a JSON
//! file holding `{"definition": {"parts": [...]}}` is a REST payload ([`super::payload::is_payload`]). A
//! JSON file named on its own under another name is recognised by its content ([`json_part_kind`]). Files
//! that version control and operating systems leave in folders are never parts. Pure predicates over
//! names, bytes and parsed JSON: the walking itself (IO) is the caller's.

use super::part_path::STAGING_FOLDER;
use super::parts::{PartKind, LEGACY_CONTENT, MASHUP, QUERY_METADATA};
use crate::json::Json;

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
/// editors' working files ([`is_editor_file`]), and what an interrupted dfls write left
/// ([`is_dfls_leftover`]). The one list: `dfls check`, `pack`, `push` and the language server all ask it,
/// so nothing packed is a file that Fabric refuses as a part.
pub fn is_ignored(name: &str) -> bool {
    IGNORED.contains(&name) || is_editor_file(name) || is_dfls_leftover(name)
}

/// Whether a file name is one an editor keeps beside the file it edits: backups (`x~`), Vim's swap files
/// (`.x.swp`, then `.x.swo`, ... down to `.x.swa`) and the file it writes to test a folder (`4913`), Emacs's
/// auto-save and lock files (`#x#`, `.#x`), and macOS's resource forks on foreign disks (`._x`).
pub fn is_editor_file(name: &str) -> bool {
    let vim_swap =
        name.strip_prefix('.').and_then(|n| n.get(n.len().saturating_sub(4)..)).is_some_and(|ext| {
            let ext = ext.as_bytes();
            ext.len() == 4 && &ext[..3] == b".sw" && (b'a'..=b'p').contains(&ext[3])
        });
    name.ends_with('~')
        || vim_swap
        || name == "4913"
        || (name.len() > 2 && name.starts_with('#') && name.ends_with('#'))
        || (name.len() > 2 && (name.starts_with(".#") || name.starts_with("._")))
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

/// Which part of a Dataflow item a JSON file is, by what it holds, for a file whose name does not say
/// (`legacy.json`, `metadata-backup.json`): `None` when it is none of them. A REST payload is recognised
/// before this ([`super::payload::is_payload`]). The keys looked for are the ones each kind cannot do
/// without, so a file of one kind is never taken for another:
///
/// - a legacy `dataflow-content.json`: `editingSessionMashup`;
/// - `queryMetadata.json`: `formatVersion`, `queriesMetadata` or `editingSession` (the 2024 layout);
/// - `.platform` and `.schedules`: their `$schema` URL, or without one `metadata` and `config`, or
///   `schedules`;
/// - a Mapping Data Flow (`.mdf`): `"properties": {"type": "MappingDataFlow"}`.
pub fn json_part_kind(json: &Json) -> Option<PartKind> {
    let root = json.root.as_ref()?;
    root.as_object()?;
    let has = |key: &str| root.get(key).is_some();
    if has("editingSessionMashup") {
        return Some(PartKind::LegacyContent);
    }
    if has("formatVersion") || has("queriesMetadata") || has("editingSession") {
        return Some(PartKind::QueryMetadata);
    }
    if let Some(url) = root.get("$schema").and_then(|schema| schema.as_str()) {
        if url.contains("/gitIntegration/platformProperties/") {
            return Some(PartKind::Platform);
        }
        if url.contains("/gitIntegration/schedules/") {
            return Some(PartKind::Schedules);
        }
    }
    if has("metadata") && has("config") {
        return Some(PartKind::Platform);
    }
    if has("schedules") {
        return Some(PartKind::Schedules);
    }
    let mdf = root.get("properties").and_then(|p| p.get("type")).and_then(|t| t.as_str());
    (mdf == Some("MappingDataFlow")).then_some(PartKind::Mdf)
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
            ".mashup.pq.swo",
            ".queryMetadata.json.swa",
            "4913",
            "#mashup.pq#",
            ".#mashup.pq",
            "._mashup.pq",
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
            ".swp",
            "mashup.swp",
            ".mashup.pq.swq",
            "#",
            ".x.dfls-.tmp",
            "..dfls-1.tmp",
            ".a.dfls-1x.tmp",
        ] {
            assert!(!is_ignored(name), "{name}");
        }
    }

    #[test]
    fn json_files_are_recognised_by_their_content() {
        let kind = |text: &str| json_part_kind(&crate::json::parse(text));
        let platform = r#"{"$schema": "https://developer.microsoft.com/json-schemas/fabric/gitIntegration/platformProperties/2.0.0/schema.json"}"#;
        let schedules = r#"{"$schema": "https://developer.microsoft.com/json-schemas/fabric/gitIntegration/schedules/1.0.0/schema.json"}"#;
        for (text, expected) in [
            (r#"{"editingSessionMashup": {"mashupDocument": "section S;"}}"#, Some(PartKind::LegacyContent)),
            (r#"{"formatVersion": "202502", "name": "N"}"#, Some(PartKind::QueryMetadata)),
            (r#"{"formatVersion": "202409", "editingSession": {}}"#, Some(PartKind::QueryMetadata)),
            (r#"{"queriesMetadata": {}}"#, Some(PartKind::QueryMetadata)),
            (platform, Some(PartKind::Platform)),
            (r#"{"metadata": {"type": "Dataflow"}, "config": {}}"#, Some(PartKind::Platform)),
            (schedules, Some(PartKind::Schedules)),
            (r#"{"schedules": []}"#, Some(PartKind::Schedules)),
            (r#"{"name": "t", "properties": {"type": "MappingDataFlow"}}"#, Some(PartKind::Mdf)),
            (r#"{"name": "package", "dependencies": {}}"#, None),
            (r#"{"$schema": "https://json.schemastore.org/package.json"}"#, None),
            ("[1, 2]", None),
            ("", None),
        ] {
            assert_eq!(kind(text), expected, "{text}");
        }
        // A file cut short is still recognised by what is there.
        assert_eq!(kind(r#"{"formatVersion": "202502", "name": "Sal"#), Some(PartKind::QueryMetadata));
    }

    #[test]
    fn payload_candidates() {
        assert!(may_be_payload(br#"{"definition": {"parts": []}}"#));
        assert!(!may_be_payload(br#"{"dependencies": {}}"#));
    }
}
