//! REST definition payloads: an item definition as Fabric's API moves it, `{"definition": {"parts": [{"path",
//! "payload", "payloadType": "InlineBase64"}]}}`, decoded with precise diagnostics and encoded
//! deterministically, and the item folder it stands for, read and written.
//!
//! Decoding never fails: a bad part is a diagnostic at its key or value (`D101`-`D105`) and is left out;
//! a round trip folder -> payload -> folder is byte-exact. Writing a folder is atomic per file and refuses to
//! overwrite a file whose content differs unless forced.

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::{Path, PathBuf};

use base64::Engine as _;

use crate::diagnostics::{codes, Diagnostic};
use crate::json::{Json, JsonString, Kind};

/// The only payload type Fabric defines.
pub const INLINE_BASE64: &str = "InlineBase64";

/// One file of an item definition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part {
    /// The relative POSIX path (`mashup.pq`, `.platform`, `MDF transform.mdf`).
    pub path: String,
    pub bytes: Vec<u8>,
}

/// An item definition: its parts, in order, and the optional `format`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Definition {
    pub format: Option<String>,
    pub parts: Vec<Part>,
}

/// A part decoded from a payload, with where it came from in the payload's text.
#[derive(Debug, Clone)]
pub struct DecodedPart {
    pub part: Part,
    /// The range of the part's `path` string in the payload.
    pub path_range: Range<usize>,
    /// The range of the part object in the payload.
    pub range: Range<usize>,
}

/// Whether a parsed JSON document looks like a REST definition payload: an object with `definition.parts`
/// (a getDefinition response or an updateDefinition request) or with `parts` at the top (an ItemDefinition).
pub fn is_payload(json: &Json) -> bool {
    let Some(root) = json.root.as_ref() else { return false };
    root.get("definition").and_then(|d| d.get("parts")).is_some()
        || root.get("parts").is_some_and(|p| p.as_array().is_some())
}

/// Decodes the parts of a payload. Diagnostics point into the payload's text.
pub fn decode(json: &Json) -> (Vec<DecodedPart>, Option<String>, Vec<Diagnostic>) {
    let mut diagnostics = Vec::new();
    let mut parts = Vec::new();
    let Some(root) = json.root.as_ref() else { return (parts, None, diagnostics) };
    let definition = root.get("definition").unwrap_or(root);
    let format = definition.get("format").and_then(|f| f.as_str()).map(str::to_string);
    let Some(items) = definition.get("parts").and_then(|p| p.as_array()) else {
        let range = definition.range.start..definition.range.start + 1;
        diagnostics.push(Diagnostic::new(codes::D100, range, "the definition has no `parts` array"));
        return (parts, format, diagnostics);
    };
    let mut seen: BTreeMap<String, Range<usize>> = BTreeMap::new();
    for item in items {
        let Kind::Object(_) = item.kind else {
            diagnostics.push(Diagnostic::new(
                codes::D100,
                item.range.clone(),
                format!(
                    "a part must be an object with `path`, `payload` and `payloadType`, found {}",
                    item.type_name()
                ),
            ));
            continue;
        };
        let opening = item.range.start..item.range.start + 1;
        let Some(path) = item.get("path").and_then(|p| p.as_string()) else {
            diagnostics.push(Diagnostic::new(codes::D100, opening, "this part has no `path` string"));
            continue;
        };
        match item.get("payloadType").map(|t| (t, t.as_str())) {
            Some((_, Some(INLINE_BASE64))) => {}
            Some((value, shown)) => {
                let found = shown.map_or_else(|| value.type_name().to_string(), |s| format!("\"{s}\""));
                diagnostics.push(Diagnostic::new(
                    codes::D103,
                    value.range.clone(),
                    format!("`payloadType` must be \"{INLINE_BASE64}\", found {found}; the part `{}` was not read", path.value),
                ));
                continue;
            }
            None => {
                diagnostics.push(Diagnostic::new(
                    codes::D103,
                    path.range.clone(),
                    format!(
                        "the part `{}` has no `payloadType` (\"{INLINE_BASE64}\"); it was not read",
                        path.value
                    ),
                ));
                continue;
            }
        }
        let Some(payload) = item.get("payload").and_then(|p| p.as_string()) else {
            diagnostics.push(Diagnostic::new(
                codes::D100,
                path.range.clone(),
                format!("the part `{}` has no `payload` string", path.value),
            ));
            continue;
        };
        let bytes = match decode_base64(payload) {
            Ok(bytes) => bytes,
            Err(diagnostic) => {
                diagnostics.push(*diagnostic);
                continue;
            }
        };
        if let Some(first) = seen.get(&path.value) {
            diagnostics.push(
                Diagnostic::new(
                    codes::D104,
                    path.range.clone(),
                    format!("the part path `{}` appears twice; Fabric rejects duplicate paths", path.value),
                )
                .with_related(first.clone(), "the first part with this path"),
            );
            continue;
        }
        seen.insert(path.value.clone(), path.range.clone());
        parts.push(DecodedPart {
            part: Part { path: path.value.clone(), bytes },
            path_range: path.range.clone(),
            range: item.range.clone(),
        });
    }
    (parts, format, diagnostics)
}

/// Decodes a base64 payload string; a bad character is reported where it stands in the payload text.
fn decode_base64(payload: &JsonString) -> Result<Vec<u8>, Box<Diagnostic>> {
    // Line breaks inside base64 are tolerated (some tools wrap), as Fabric does; nothing else is.
    let compact: String = payload.value.chars().filter(|c| !matches!(c, '\r' | '\n')).collect();
    base64::engine::general_purpose::STANDARD.decode(compact.as_bytes()).map_err(|error| {
        let (range, detail) = match error {
            base64::DecodeError::InvalidByte(offset, byte) => {
                // The byte may start a character of several bytes (outside ASCII): the range and the
                // message are about that character.
                let at =
                    crate::text::floor_char_boundary(&payload.value, nth_kept_offset(&payload.value, offset));
                let character = payload.value[at..].chars().next().unwrap_or(byte as char);
                (
                    payload.source_range(at..at + character.len_utf8()),
                    format!("`{character}` at character {} is not base64", offset + 1),
                )
            }
            base64::DecodeError::InvalidLength(length) => {
                (payload.range.clone(), format!("its length {length} is not a multiple of 4"))
            }
            base64::DecodeError::InvalidLastSymbol(offset, byte) => {
                let at = nth_kept_offset(&payload.value, offset);
                (payload.source_range(at..at + 1), format!("the last symbol `{}` is not valid", byte as char))
            }
            base64::DecodeError::InvalidPadding => {
                (payload.range.clone(), "its `=` padding is wrong".to_string())
            }
        };
        Box::new(Diagnostic::new(codes::D101, range, format!("the payload is not valid base64: {detail}")))
    })
}

/// The offset in `text` of the `n`th byte that is not a line break.
fn nth_kept_offset(text: &str, n: usize) -> usize {
    text.bytes()
        .enumerate()
        .filter(|(_, b)| !matches!(b, b'\r' | b'\n'))
        .nth(n)
        .map_or(text.len(), |(at, _)| at)
}

/// The payload of a definition, as the REST API takes it: `{"definition": {"parts": [...]}}`, parts in the
/// given order, pretty-printed with a final newline.
pub fn encode(definition: &Definition) -> String {
    let payload = serde_json::json!({ "definition": definition_value(definition) });
    let mut text = serde_json::to_string_pretty(&payload).expect("a JSON value always serializes");
    text.push('\n');
    text
}

/// A definition as the API's JSON value: `{"format"?, "parts": [{"path", "payload", "payloadType"}]}`.
pub fn definition_value(definition: &Definition) -> serde_json::Value {
    let parts: Vec<serde_json::Value> = definition
        .parts
        .iter()
        .map(|part| {
            serde_json::json!({
                "path": part.path,
                "payload": base64::engine::general_purpose::STANDARD.encode(&part.bytes),
                "payloadType": INLINE_BASE64,
            })
        })
        .collect();
    let mut inner = serde_json::Map::new();
    if let Some(format) = &definition.format {
        inner.insert("format".into(), format.clone().into());
    }
    inner.insert("parts".into(), parts.into());
    inner.into()
}

/// Files that operating systems and editors leave in folders; never parts of an item.
const NOT_PARTS: &[&str] = &[".DS_Store", "Thumbs.db", "desktop.ini"];

/// Reads an item folder as a definition: every file (recursively, hidden ones included, since `.platform`
/// and `.schedules` are parts), with relative POSIX paths, sorted; OS litter and editor backups excluded.
pub fn read_folder(dir: &Path) -> std::io::Result<Definition> {
    let mut files = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(current) = pending.pop() {
        for entry in std::fs::read_dir(&current)? {
            let entry = entry?;
            let file_type = entry.file_type()?;
            let name = entry.file_name().to_string_lossy().into_owned();
            if file_type.is_dir() {
                if name != ".git" {
                    pending.push(entry.path());
                }
            } else if file_type.is_file() && !NOT_PARTS.contains(&name.as_str()) && !name.ends_with('~') {
                files.push(entry.path());
            }
        }
    }
    let mut parts = Vec::with_capacity(files.len());
    for file in files {
        let relative = file.strip_prefix(dir).expect("walked from `dir`");
        let path =
            relative.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/");
        parts.push(Part { path, bytes: std::fs::read(&file)? });
    }
    parts.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(Definition { format: None, parts })
}

/// What writing a definition into a folder did or would do.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct WriteOutcome {
    pub created: Vec<String>,
    pub updated: Vec<String>,
    pub unchanged: Vec<String>,
    /// Files that differ from the definition and were left alone (nothing was written at all then).
    pub conflicts: Vec<String>,
}

/// Writes a definition's parts into a folder. Without `force`, when any existing file differs from its
/// part nothing at all is written and the outcome lists the conflicts; with it, they are overwritten.
/// Each file is written to a temporary file beside it and renamed into place, so a reader never sees half
/// a file. A part path that would leave the folder (`..`, absolute) is refused.
pub fn write_folder(definition: &Definition, dir: &Path, force: bool) -> std::io::Result<WriteOutcome> {
    let mut outcome = WriteOutcome::default();
    let mut writes: Vec<(PathBuf, &Part)> = Vec::new();
    for part in &definition.parts {
        let target = safe_join(dir, &part.path).ok_or_else(|| {
            std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                format!("the part path `{}` leaves the item folder", part.path),
            )
        })?;
        match std::fs::read(&target) {
            Ok(existing) if existing == part.bytes => outcome.unchanged.push(part.path.clone()),
            Ok(_) => {
                if force {
                    outcome.updated.push(part.path.clone());
                    writes.push((target, part));
                } else {
                    outcome.conflicts.push(part.path.clone());
                }
            }
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
                outcome.created.push(part.path.clone());
                writes.push((target, part));
            }
            Err(error) => return Err(error),
        }
    }
    if !outcome.conflicts.is_empty() {
        outcome.created.clear();
        outcome.updated.clear();
        return Ok(outcome);
    }
    for (target, part) in writes {
        write_atomically(&target, &part.bytes)?;
    }
    Ok(outcome)
}

/// Joins a relative POSIX part path to a folder, refusing paths that would leave it.
fn safe_join(dir: &Path, relative: &str) -> Option<PathBuf> {
    let mut path = dir.to_path_buf();
    for component in relative.split('/') {
        match component {
            "" | "." => {}
            ".." => return None,
            c if c.contains('\\') || c.contains(':') => return None,
            c => path.push(c),
        }
    }
    (path != dir).then_some(path)
}

/// Writes a file through a temporary file in the same directory and a rename.
pub fn write_atomically(target: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let parent = target.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent)?;
    let name = target.file_name().map_or_else(|| "part".into(), |n| n.to_string_lossy().into_owned());
    let temporary = parent.join(format!(".{name}.dfls-{}.tmp", std::process::id()));
    let result = std::fs::write(&temporary, bytes).and_then(|()| std::fs::rename(&temporary, target));
    if result.is_err() {
        let _ = std::fs::remove_file(&temporary);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    fn definition() -> Definition {
        Definition {
            format: None,
            parts: vec![
                Part { path: ".platform".into(), bytes: b"{\"a\": 1}\n".to_vec() },
                Part {
                    path: "mashup.pq".into(),
                    bytes: "section S;\r\nshared Café = 1;".as_bytes().to_vec(),
                },
                Part { path: "sub/MDF transform.mdf".into(), bytes: vec![0, 159, 146, 150] },
            ],
        }
    }

    #[test]
    fn encode_then_decode_is_the_identity() {
        let text = encode(&definition());
        let json = crate::json::parse(&text);
        assert!(is_payload(&json));
        let (parts, format, diagnostics) = decode(&json);
        assert!(diagnostics.is_empty(), "{diagnostics:?}");
        assert_eq!(format, None);
        assert_eq!(parts.into_iter().map(|p| p.part).collect::<Vec<_>>(), definition().parts);
    }

    #[test]
    fn bad_parts_are_diagnosed_where_they_are() {
        let text = r#"{"definition": {"parts": [
            {"path": "mashup.pq", "payload": "c2VjdGlvbiBTOw==", "payloadType": "InlineBase64"},
            {"path": "queryMetadata.json", "payload": "e30*", "payloadType": "InlineBase64"},
            {"path": ".platform", "payload": "e30=", "payloadType": "Inline"},
            {"path": "mashup.pq", "payload": "e30=", "payloadType": "InlineBase64"},
            {"payload": "e30="}
        ]}}"#;
        let json = crate::json::parse(text);
        let (parts, _, diagnostics) = decode(&json);
        assert_eq!(parts.len(), 1);
        let codes: Vec<&str> = diagnostics.iter().map(|d| d.code.id).collect();
        assert_eq!(codes, ["D101", "D103", "D104", "D100"]);
        assert_eq!(&text[diagnostics[0].range.clone()], "*");
        assert_eq!(&text[diagnostics[1].range.clone()], "\"Inline\"");
    }

    #[test]
    fn a_character_outside_ascii_in_base64_is_reported_whole() {
        // The range was the first byte of the character only (not a character boundary), and the message
        // showed that byte as a Latin-1 character.
        let text = "{\"definition\": {\"parts\": [{\"path\": \"mashup.pq\", \"payload\": \"c2Vj\u{a0}dGlv\", \"payloadType\": \"InlineBase64\"}]}}";
        let json = crate::json::parse(text);
        let (_, _, diagnostics) = decode(&json);
        assert_eq!(diagnostics[0].code.id, "D101");
        assert_eq!(&text[diagnostics[0].range.clone()], "\u{a0}");
        assert!(diagnostics[0].message.contains("`\u{a0}` at character 5"), "{}", diagnostics[0].message);
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
        std::fs::write(dir.path().join("mashup.pq"), "edited").unwrap();
        let mut changed = definition();
        changed.parts[0].bytes = b"{}".to_vec();
        let refused = write_folder(&changed, dir.path(), false).unwrap();
        assert_eq!(refused.conflicts, vec![".platform".to_string(), "mashup.pq".to_string()]);
        assert_eq!(std::fs::read_to_string(dir.path().join("mashup.pq")).unwrap(), "edited");
        let forced = write_folder(&changed, dir.path(), true).unwrap();
        assert_eq!(forced.updated.len(), 2);
        assert_eq!(read_folder(dir.path()).unwrap().parts, changed.parts);
    }

    #[test]
    fn part_paths_cannot_escape_the_folder() {
        let dir = tempfile::tempdir().unwrap();
        for path in ["../evil", "a/../../evil", "C:\\evil", ""] {
            let definition =
                Definition { format: None, parts: vec![Part { path: path.into(), bytes: vec![] }] };
            assert!(write_folder(&definition, dir.path(), true).is_err(), "{path}");
        }
    }
}
