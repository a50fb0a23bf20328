//! Checking one file of an item by itself: `mashup.pq` through [`crate::syntax`], the JSON parts through
//! [`crate::json::parse`] and their schema, and the M document inside a legacy `dataflow-content.json`,
//! whose diagnostics are mapped back through the JSON string's escapes onto the JSON file.
//!
//! Each file is decoded and parsed exactly once; what the cross-file rules need (the mashup model, the
//! parsed JSON) is kept beside the file's report in [`Checked`]. Pure: bytes in, report out.

use std::ops::Range;

use super::mashup::{self, Mashup};
use super::parts::PartKind;
use super::pieces;
use crate::diagnostics::{codes, Diagnostic, FileReport, Severity};
use crate::json::{self, schema, Json};
use crate::semantics;
use crate::syntax;
use crate::text;

/// A checked file and what the cross-file rules read from it.
#[derive(Debug)]
pub struct Checked {
    pub kind: PartKind,
    /// The part path (`mashup.pq`), or the file name of a file checked alone.
    pub part_path: String,
    pub report: FileReport,
    pub content: Content,
}

/// What a checked file holds for the cross-file rules.
#[derive(Debug)]
pub enum Content {
    /// Nothing readable: a binary file, an unknown part.
    Nothing,
    M(MashupContent),
    Json(JsonContent),
    /// A legacy `dataflow-content.json`: the JSON, and the M document of its `mashupDocument`.
    Legacy(JsonContent, Option<MashupContent>),
}

#[derive(Debug)]
pub struct MashupContent {
    pub mashup: Mashup,
    /// Whether the M parsed without syntax errors; rules that conclude something is absent need that. Name
    /// errors (`M2xx`) do not count: they leave the list of members reliable.
    pub complete: bool,
}

#[derive(Debug)]
pub struct JsonContent {
    /// The parsed file; its syntax diagnostics have moved to the report.
    pub json: Json,
    /// Whether the JSON parsed without errors.
    pub complete: bool,
}

/// Checks one file. `in_payload` says the bytes were decoded from a REST payload part, whose encoding
/// problems are `D102` rather than `M100`.
pub fn check(kind: PartKind, part_path: &str, shown: String, bytes: &[u8], in_payload: bool) -> Checked {
    let (report, content) = match kind {
        PartKind::Mashup => check_m(shown, bytes, part_path, in_payload),
        PartKind::Unknown => {
            (FileReport { path: shown, text: String::new(), diagnostics: Vec::new() }, Content::Nothing)
        }
        PartKind::LegacyContent => {
            let (mut report, json) = check_json(shown, bytes, part_path, kind);
            match json {
                Some(json) => {
                    let m = check_embedded_m(&json.json, &mut report.diagnostics);
                    (report, Content::Legacy(json, m))
                }
                None => (report, Content::Nothing),
            }
        }
        _ => {
            let (report, json) = check_json(shown, bytes, part_path, kind);
            (report, json.map_or(Content::Nothing, Content::Json))
        }
    };
    Checked { kind, part_path: part_path.to_string(), report, content }
}

/// The name diagnostics (`M2xx`: unknown names, argument counts, duplicates, unused steps) of parsed M.
pub(crate) fn name_diagnostics(tree: &tree_sitter::Tree, text: &str) -> Vec<Diagnostic> {
    semantics::analyze(tree, text).diagnostics().to_vec()
}

/// M text its caller already parsed and analysed.
#[derive(Debug, Clone)]
pub struct ParsedM {
    /// The tree of the file's bytes, which must be valid UTF-8 (an editor's buffer).
    pub tree: tree_sitter::Tree,
    /// The name diagnostics of its analysis ([`semantics::Analysis::diagnostics`]).
    pub names: Vec<Diagnostic>,
}

/// Checks a `mashup.pq` whose tree and name analysis are at hand: what [`check`] finds, without parsing
/// or analysing again. Bytes that are not UTF-8 text are checked from scratch.
pub fn check_parsed_m(part_path: &str, shown: String, bytes: &[u8], parsed: &ParsedM) -> Checked {
    let text = match std::str::from_utf8(bytes) {
        Ok(text) if !text::looks_binary(bytes) => text,
        _ => return check(PartKind::Mashup, part_path, shown, bytes, false),
    };
    let mut diagnostics = syntax::diagnose(&parsed.tree, text);
    let content = m_content(&parsed.tree, text, &diagnostics);
    diagnostics.extend(parsed.names.iter().cloned());
    let report = FileReport { path: shown, text: text.to_owned(), diagnostics };
    Checked { kind: PartKind::Mashup, part_path: part_path.to_string(), report, content }
}

/// What the cross-file rules read from checked M, given its syntax diagnostics. Only syntax errors make
/// the list of queries unreliable; a name error (`M2xx`) leaves every member where it is.
fn m_content(tree: &tree_sitter::Tree, text: &str, syntax_diagnostics: &[Diagnostic]) -> Content {
    Content::M(MashupContent {
        mashup: mashup::extract(tree, text, &|range| range),
        complete: !syntax_diagnostics.iter().any(|d| d.severity == Severity::Error),
    })
}

fn check_m(shown: String, bytes: &[u8], part_path: &str, in_payload: bool) -> (FileReport, Content) {
    let (text, mut diagnostics, content) = match check_m_in_pieces(bytes) {
        Some(checked) => checked,
        None => {
            let checked = syntax::check_bytes(bytes);
            let content = match &checked.tree {
                Some(tree) => m_content(tree, &checked.text, &checked.diagnostics),
                None => Content::Nothing,
            };
            let mut diagnostics = checked.diagnostics;
            if let Some(tree) = &checked.tree {
                diagnostics.extend(name_diagnostics(tree, &checked.text));
            }
            (checked.text, diagnostics, content)
        }
    };
    if in_payload {
        // In a payload the bytes came from base64: saying so (D102) tells where to fix them.
        diagnostics.retain(|d| d.code != codes::M100);
        diagnostics.extend(not_utf8(bytes, &text::decode(bytes).invalid, part_path));
    }
    (FileReport { path: shown, text, diagnostics }, content)
}

/// A `mashup.pq` above [`pieces::PIECES_ABOVE`] checked a piece at a time ([`pieces`]): its text, its
/// diagnostics (syntax, then names) and its content; `None` for a smaller one, or one that cannot be cut.
fn check_m_in_pieces(bytes: &[u8]) -> Option<(String, Vec<Diagnostic>, Content)> {
    if bytes.len() <= pieces::PIECES_ABOVE || text::looks_binary(bytes) {
        return None;
    }
    let decoded = text::decode(bytes);
    let checked = pieces::check(&decoded.text, pieces::PIECE_SIZE)?;
    let mut diagnostics = syntax::with_encoding_problems(bytes, &decoded, checked.syntax);
    syntax::limit_errors(&mut diagnostics);
    let complete = pieces::complete(&diagnostics);
    diagnostics.extend(checked.names);
    Some((decoded.text, diagnostics, Content::M(MashupContent { mashup: checked.mashup, complete })))
}

/// Parses a JSON file and validates it against its schema.
fn check_json(
    shown: String,
    bytes: &[u8],
    part_path: &str,
    kind: PartKind,
) -> (FileReport, Option<JsonContent>) {
    let decoded = text::decode(bytes);
    if text::looks_binary(bytes) {
        let diagnostic = Diagnostic::new(
            codes::J100,
            0..0,
            format!("`{part_path}` is a binary file (it holds NUL bytes), not JSON; it was not checked"),
        );
        return (FileReport { path: shown, text: decoded.text, diagnostics: vec![diagnostic] }, None);
    }
    let mut diagnostics = not_utf8(bytes, &decoded.invalid, part_path);
    let mut json = json::parse(&decoded.text);
    if let Some(schema) = kind.schema() {
        diagnostics.extend(schema::validate(schema, &json));
    }
    if kind == PartKind::Schedules {
        // The schedule rules wait for the syntax and schema errors inside a schedule to be fixed.
        let faulted: Vec<Range<usize>> =
            diagnostics.iter().chain(&json.diagnostics).map(|d| d.range.clone()).collect();
        diagnostics.extend(super::schedules::check_part(&json, &faulted));
    }
    let complete = json.diagnostics.is_empty() && decoded.invalid.is_empty();
    diagnostics.append(&mut json.diagnostics);
    (FileReport { path: shown, text: decoded.text, diagnostics }, Some(JsonContent { json, complete }))
}

/// One `D102` for each run of bytes that is not UTF-8.
pub(super) fn not_utf8(bytes: &[u8], invalid: &[Range<usize>], part_path: &str) -> Vec<Diagnostic> {
    invalid
        .iter()
        .map(|range| {
            let shown: Vec<String> =
                bytes[range.clone()].iter().take(4).map(|b| format!("0x{b:02X}")).collect();
            let more = if range.len() > 4 { " ..." } else { "" };
            Diagnostic::new(
                codes::D102,
                range.clone(),
                format!(
                    "`{part_path}` is not valid UTF-8 (byte{} {}{more} at offset {}); the rest of it was checked",
                    if range.len() == 1 { "" } else { "s" },
                    shown.join(" "),
                    range.start
                ),
            )
        })
        .collect()
}

/// The JSON pointer of the M document in a legacy `dataflow-content.json`.
pub const MASHUP_DOCUMENT: &str = "/editingSessionMashup/mashupDocument";

/// Parses the M document of a legacy item and adds its diagnostics, with every range (related ones and
/// fix edits included) mapped from the decoded M text to the JSON source.
fn check_embedded_m(json: &Json, diagnostics: &mut Vec<Diagnostic>) -> Option<MashupContent> {
    let document = json.locate(MASHUP_DOCUMENT)?.value.as_string()?;
    let parse = syntax::parse(&document.value);
    let map = |range: Range<usize>| document.source_range(range);
    let complete = !parse.diagnostics.iter().any(|d| d.severity == Severity::Error);
    let names = name_diagnostics(&parse.tree, &document.value);
    for mut diagnostic in parse.diagnostics.into_iter().chain(names) {
        diagnostic.range = map(diagnostic.range);
        for related in &mut diagnostic.related {
            related.range = map(related.range.clone());
        }
        for fix in &mut diagnostic.fixes {
            for edit in &mut fix.edits {
                edit.range = map(edit.range.clone());
                // The new text lands inside a JSON string literal.
                let quoted = serde_json::to_string(&edit.new_text).expect("a string serializes");
                edit.new_text = quoted[1..quoted.len() - 1].to_string();
            }
        }
        diagnostics.push(diagnostic);
    }
    Some(MashupContent { mashup: mashup::extract(&parse.tree, &document.value, &map), complete })
}
