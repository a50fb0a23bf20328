//! REST definition payloads: an item definition as Fabric's API moves it, `{"definition": {"parts": [{"path",
//! "payload", "payloadType": "InlineBase64"}]}}`, decoded with precise diagnostics and encoded
//! deterministically, and the item folder it stands for, read and written.
//!
//! Decoding never fails: a bad part is a diagnostic at its key or value (`D100`-`D104`, `D107`, `D108`) and
//! is left out; part paths are checked against each other as [`super::part_path`] says (one spelling, inside
//! the folder, no clashes). A round trip folder -> payload -> folder is byte-exact; the folders themselves
//! are read and written by [`super::folder`].

use std::ops::Range;

use base64::Engine as _;

use super::part_path::{self, Clash};
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
    // The path of each part as the payload spells it (`./mashup.pq`), for messages.
    let mut given = Vec::new();
    let Some(root) = json.root.as_ref() else { return (parts, None, diagnostics) };
    let definition = root.get("definition").unwrap_or(root);
    let format = definition.get("format").and_then(|f| f.as_str()).map(str::to_string);
    let Some(items) = definition.get("parts").and_then(|p| p.as_array()) else {
        let range = definition.range.start..definition.range.start + 1;
        diagnostics.push(Diagnostic::new(codes::D100, range, "the definition has no `parts` array"));
        return (parts, format, diagnostics);
    };
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
        let normalized = match part_path::normalize(&path.value) {
            Ok(normalized) => normalized,
            Err(why) => {
                diagnostics.push(Diagnostic::new(
                    codes::D107,
                    path.range.clone(),
                    format!("the part path `{}` {}; the part was not read", path.value, why.reason()),
                ));
                continue;
            }
        };
        given.push(path.value.clone());
        parts.push(DecodedPart {
            part: Part { path: normalized, bytes },
            path_range: path.range.clone(),
            range: item.range.clone(),
        });
    }
    let parts = without_clashes(parts, &given, &mut diagnostics);
    diagnostics.sort_by_key(|diagnostic| diagnostic.range.start);
    (parts, format, diagnostics)
}

/// The parts without those whose path clashes with an earlier part's (`D104` the same file, `D108` a file
/// where the other needs a folder), each reported at the later part with the earlier one related.
fn without_clashes(
    parts: Vec<DecodedPart>,
    given: &[String],
    diagnostics: &mut Vec<Diagnostic>,
) -> Vec<DecodedPart> {
    let paths: Vec<&str> = parts.iter().map(|decoded| decoded.part.path.as_str()).collect();
    let conflicts = part_path::conflicts(&paths);
    let mut dropped = vec![false; parts.len()];
    for conflict in &conflicts {
        let (first, second) = (&parts[conflict.first], &parts[conflict.second]);
        let (first_given, second_given) = (&given[conflict.first], &given[conflict.second]);
        let (code, message) = match conflict.clash {
            Clash::SameFile if first_given == second_given => (
                codes::D104,
                format!("the part path `{second_given}` appears twice; Fabric rejects duplicate paths"),
            ),
            Clash::SameFile => (
                codes::D104,
                format!(
                    "the part path `{second_given}` is the same file as `{first_given}` (paths are compared \
                     without `.` and empty segments, and without case, as Windows and macOS do)"
                ),
            ),
            Clash::FileAndFolder => (
                codes::D108,
                format!(
                    "the part paths `{first_given}` and `{second_given}` need one path to be both a file and a folder"
                ),
            ),
        };
        diagnostics.push(
            Diagnostic::new(code, second.path_range.clone(), message)
                .with_related(first.path_range.clone(), "the earlier part"),
        );
        dropped[conflict.second] = true;
    }
    parts.into_iter().zip(dropped).filter(|(_, dropped)| !dropped).map(|(part, _)| part).collect()
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

/// Decodes the `definition` of an API request or answer that is already a JSON value, as [`decode`] does:
/// written out and read again, so a bad part has the same diagnostic.
pub fn decode_value(definition: &serde_json::Value) -> (Vec<DecodedPart>, Option<String>, Vec<Diagnostic>) {
    let text = serde_json::json!({ "definition": definition }).to_string();
    decode(&crate::json::parse(&text))
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
    fn part_paths_are_normalized_and_checked_against_each_other() {
        let part = |path: &str| {
            format!("{{\"path\": \"{path}\", \"payload\": \"e30=\", \"payloadType\": \"InlineBase64\"}}")
        };
        let payload = |paths: &[&str]| {
            format!(
                "{{\"definition\": {{\"parts\": [{}]}}}}",
                paths.iter().map(|p| part(p)).collect::<Vec<_>>().join(", ")
            )
        };
        let decoded = |paths: &[&str]| {
            let text = payload(paths);
            let (parts, _, diagnostics) = decode(&crate::json::parse(&text));
            let parts: Vec<String> = parts.into_iter().map(|p| p.part.path).collect();
            let found: Vec<(&str, String)> =
                diagnostics.iter().map(|d| (d.code.id, text[d.range.clone()].to_string())).collect();
            (parts, found)
        };
        assert_eq!(decoded(&["./mashup.pq", "sub//x.pq"]).0, ["mashup.pq", "sub/x.pq"]);
        for (paths, code, at) in [
            (&["mashup.pq", "./mashup.pq"][..], "D104", "\"./mashup.pq\""),
            (&["sub/x.pq", "sub//x.pq"][..], "D104", "\"sub//x.pq\""),
            (&["Mashup.pq", "mashup.pq"][..], "D104", "\"mashup.pq\""),
            (&["a", "a/b"][..], "D108", "\"a/b\""),
            (&["a/b", "a"][..], "D108", "\"a\""),
            (&["/tmp/x"][..], "D107", "\"/tmp/x\""),
            (&["../x"][..], "D107", "\"../x\""),
            (&[".git/hooks/pre-commit"][..], "D107", "\".git/hooks/pre-commit\""),
        ] {
            let (parts, found) = decoded(paths);
            assert_eq!(found, [(code, at.to_string())], "{paths:?}");
            assert_eq!(parts.len(), paths.len() - 1, "{paths:?}");
        }
    }
}
