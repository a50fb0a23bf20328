//! Checking a very large `mashup.pq` a piece at a time, so that its memory is that of a piece.
//!
//! tree-sitter's tree takes about twenty bytes a byte of text, and the name analysis adds about a third of
//! that: a generated 50 MB item (45,000 queries) took 1.4 GB to check whole. Above [`PIECES_ABOVE`] the
//! section document is cut between members ([`syntax::members::member_ends`]: only where its lexing is
//! certain; otherwise it is checked whole) into pieces of about [`PIECE_SIZE`], and each piece is parsed
//! and analysed with the section declaration in front of it, then dropped. The parser reads only the
//! declaration and the piece (tree-sitter's included ranges), in a text of the whole file's length that
//! holds nothing else, so every offset is the file's own.
//!
//! What a piece cannot see is put together afterwards: a name one piece does not know but another
//! piece's member defines is not unknown; a member defined in two pieces is a duplicate (`M203`); the
//! syntax errors and name findings of all pieces are limited as those of one file are. Two things differ
//! from the whole check, both about how a finding is worded or silenced, never whether it is found: the
//! "did you mean" of an unknown name offers the names of its own piece only, and a `dfls-ignore-file`
//! comment silences its own piece (and every piece, when it is above the section declaration).

use std::collections::{HashMap, HashSet};
use std::ops::Range;

use super::mashup::{self, Mashup};
use crate::diagnostics::{codes, Diagnostic, Severity};
use crate::semantics;
use crate::syntax::{self, members, names};

/// The size above which a `mashup.pq` is checked in pieces.
pub const PIECES_ABOVE: usize = 16 << 20;
/// About how much M a piece holds (whole members: a piece ends after the member that reaches it).
pub const PIECE_SIZE: usize = 4 << 20;

/// What checking a document in pieces found.
#[derive(Debug)]
pub struct InPieces {
    /// The syntax diagnostics, limited as a file's are ([`syntax::limit_errors`]), sorted.
    pub syntax: Vec<Diagnostic>,
    /// The name findings, limited as a file's are ([`semantics::limit_findings`]), sorted.
    pub names: Vec<Diagnostic>,
    /// The section and all its members, as [`mashup::extract`] reads them.
    pub mashup: Mashup,
}

/// Checks `text`, a section document, in pieces of about `piece_size` bytes; `None` when it cannot be
/// cut with certainty (then it is checked whole).
pub fn check(text: &str, piece_size: usize) -> Option<InPieces> {
    let (header_end, ends) = members::member_ends(text)?;
    let pieces = pieces(header_end, &ends, piece_size);
    let points = Points::new(text);
    let mut parser = syntax::new_parser();
    let mut buffer = String::with_capacity(text.len());
    // Copied from, not made a space at a time, for every piece.
    let spaces = " ".repeat(text.len());
    let mut syntax_found = Vec::new();
    let mut unknown: Vec<(Diagnostic, Option<String>)> = Vec::new();
    let mut mashup: Option<Mashup> = None;
    let mut first_definition: HashMap<String, Range<usize>> = HashMap::new();
    let mut duplicates = Vec::new();
    for (index, (context, piece)) in pieces.iter().enumerate() {
        crate::cancel::checkpoint();
        // The declaration, then as many spaces as the file has bytes before the piece's context (the
        // parser skips them), then the context and the piece: a text of the piece's end length whose
        // offsets are the file's. What is found in the context is the previous piece's to report.
        buffer.clear();
        buffer.push_str(&text[..header_end]);
        buffer.push_str(&spaces[header_end..*context]);
        buffer.push_str(&text[*context..piece.end]);
        let ranges = [points.range(0..header_end), points.range(*context..piece.end)];
        parser.set_included_ranges(&ranges).expect("ranges in order, not overlapping");
        let tree = syntax::parse_tree(&mut parser, &buffer, None);
        let found = syntax::diagnose_unlimited(&tree, &buffer);
        // The declaration's own problems are reported by the first piece only.
        let ours = |range: &Range<usize>| index == 0 || range.start >= piece.start;
        syntax_found.extend(found.into_iter().filter(|d| ours(&d.range)));
        let analysis = semantics::analyze_unlimited(&tree, &buffer);
        for diagnostic in analysis.diagnostics() {
            if !ours(&diagnostic.range) {
                continue;
            }
            let name = (diagnostic.code == codes::M201)
                .then(|| names::decode_name(&buffer[diagnostic.range.clone()]).into_owned());
            unknown.push((diagnostic.clone(), name));
        }
        let mut read = mashup::extract(&tree, &buffer, &|range| range);
        for section in &mut read.sections {
            section.members.retain(|member| ours(&member.name_range));
        }
        // A member defined again in a later piece (the piece's own analysis finds those within it).
        for member in read.sections.iter().flat_map(|section| &section.members) {
            match first_definition.get(&member.name) {
                Some(first) if first.start < piece.start => {
                    duplicates.push((member.name.clone(), member.name_range.clone(), first.clone()))
                }
                Some(_) => {}
                None => {
                    first_definition.insert(member.name.clone(), member.name_range.clone());
                }
            }
        }
        match &mut mashup {
            None => mashup = Some(read),
            Some(whole) => {
                if let Some(section) = whole.sections.first_mut() {
                    section.members.extend(read.sections.into_iter().flat_map(|section| section.members));
                }
            }
        }
    }
    let mashup = mashup.unwrap_or_default();
    let section_name = mashup.sections.first().map_or(String::new(), |s| s.name.clone());
    let defined: HashSet<&str> = first_definition.keys().map(String::as_str).collect();
    let mut names: Vec<Diagnostic> = unknown
        .into_iter()
        .filter(|(_, name)| name.as_deref().is_none_or(|name| !defined.contains(name)))
        .map(|(diagnostic, _)| diagnostic)
        .collect();
    for (name, range, first) in duplicates {
        let shown = names::m_name(&name);
        let message = format!("section `{}` already has a member `{shown}`", names::m_name(&section_name));
        names.push(
            Diagnostic::new(codes::M203, range, message)
                .with_related(first, format!("`{shown}` is first defined here")),
        );
    }
    names.sort_by(|a, b| {
        (a.range.start, a.range.end, a.code.id).cmp(&(b.range.start, b.range.end, b.code.id))
    });
    semantics::limit_findings(&mut names);
    syntax_found.sort_by_key(|d| (d.range.start, d.range.end));
    Some(InPieces { syntax: syntax_found, names, mashup })
}

/// Whether the pieces' syntax diagnostics leave the list of members reliable (no error among them).
pub fn complete(syntax: &[Diagnostic]) -> bool {
    !syntax.iter().any(|d| d.severity == Severity::Error)
}

/// The pieces: runs of whole members from `header_end`, each ending after the member that reaches
/// `piece_size`, each with where its context starts: the member before it, parsed with it so that the
/// parser's recovery from a malformed first member (an empty one, `;;`) is what it is in the whole file
/// rather than a blame on the section declaration.
fn pieces(header_end: usize, ends: &[usize], piece_size: usize) -> Vec<(usize, Range<usize>)> {
    let mut pieces = Vec::new();
    let (mut start, mut context) = (header_end, header_end);
    let mut previous_end = header_end;
    for &end in ends {
        if end - start >= piece_size {
            pieces.push((context, start..end));
            (start, context) = (end, previous_end);
        }
        previous_end = end;
    }
    if let Some(&last) = ends.last() {
        if last > start {
            pieces.push((context, start..last));
        }
    }
    if pieces.is_empty() {
        pieces.push((header_end, header_end..header_end));
    }
    pieces
}

/// tree-sitter's points (row, byte column) of offsets, through the offsets where lines start.
struct Points {
    line_starts: Vec<usize>,
}

impl Points {
    fn new(text: &str) -> Self {
        let newlines = text.bytes().enumerate().filter(|&(_, b)| b == b'\n').map(|(at, _)| at + 1);
        Points { line_starts: std::iter::once(0).chain(newlines).collect() }
    }

    fn range(&self, range: Range<usize>) -> tree_sitter::Range {
        tree_sitter::Range {
            start_byte: range.start,
            end_byte: range.end,
            start_point: self.point(range.start),
            end_point: self.point(range.end),
        }
    }

    fn point(&self, at: usize) -> tree_sitter::Point {
        let row = self.line_starts.partition_point(|&start| start <= at) - 1;
        tree_sitter::Point { row, column: at - self.line_starts[row] }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// (code, range) of diagnostics, for comparing findings apart from their wording.
    fn found(diagnostics: &[Diagnostic]) -> Vec<(&'static str, Range<usize>)> {
        diagnostics.iter().map(|d| (d.code.id, d.range.clone())).collect()
    }

    /// Every M file of the repository's tests and examples that is a section document: cut into pieces
    /// of one member each, it has the syntax errors and members it has whole, and, without syntax errors,
    /// the same name findings.
    #[test]
    fn pieces_find_what_the_whole_finds() {
        let root = concat!(env!("CARGO_MANIFEST_DIR"), "/");
        let mut files = Vec::new();
        let mut folders = vec![format!("{root}tests/fixtures"), format!("{root}examples")];
        while let Some(folder) = folders.pop() {
            for entry in std::fs::read_dir(&folder).unwrap().flatten() {
                let path = entry.path();
                if path.is_dir() {
                    folders.push(path.to_string_lossy().into_owned());
                } else if path.extension().is_some_and(|e| e == "pq" || e == "m") {
                    files.push(path);
                }
            }
        }
        let (mut compared, mut names_compared) = (0, 0);
        for path in files {
            let Ok(text) = std::fs::read_to_string(&path) else { continue };
            let Some(pieces) = check(&text, 1) else { continue };
            compared += 1;
            let whole = syntax::parse(&text);
            let analysis = semantics::analyze(&whole.tree, &text);
            let shown = path.display();
            assert_eq!(found(&pieces.syntax), found(&whole.diagnostics), "syntax of {shown}");
            // Around a syntax error, what the name analysis reports depends on the fixes of the other
            // syntax errors it is given (a piece has only its own): compared where there are none.
            if whole.diagnostics.is_empty() {
                names_compared += 1;
                assert_eq!(found(&pieces.names), found(analysis.diagnostics()), "names of {shown}");
            }
            let members = |m: &Mashup| -> Vec<(String, Range<usize>)> {
                m.sections
                    .iter()
                    .flat_map(|s| &s.members)
                    .map(|m| (m.name.clone(), m.name_range.clone()))
                    .collect()
            };
            let whole_mashup = mashup::extract(&whole.tree, &text, &|range| range);
            assert_eq!(members(&pieces.mashup), members(&whole_mashup), "members of {shown}");
        }
        assert!(compared >= 20 && names_compared >= 10, "only {compared} section documents compared");
    }

    /// Names that only another piece defines resolve; a member defined in two pieces is a duplicate; and
    /// the findings of all pieces are limited together.
    #[test]
    fn what_pieces_cannot_see_is_put_together() {
        let text = "section S;\nshared A = B + 1;\nshared B = let x = 1 in Unknown;\nshared A = 2;\n";
        let pieces = check(text, 1).unwrap();
        let whole = syntax::parse(text);
        let analysis = semantics::analyze(&whole.tree, text);
        assert_eq!(found(&pieces.names), found(analysis.diagnostics()));
        let codes: Vec<&str> = pieces.names.iter().map(|d| d.code.id).collect();
        assert_eq!(codes, ["M204", "M201", "M203"], "{:#?}", pieces.names);
        assert_eq!(pieces.names[2].message, analysis.diagnostics()[2].message);

        let members: String = (0..300).map(|i| format!("shared Q{i} = Missing{i};\n")).collect();
        let text = format!("section S;\n{members}");
        let pieces = check(&text, 1).unwrap();
        let whole = syntax::parse(&text);
        assert_eq!(found(&pieces.names), found(semantics::analyze(&whole.tree, &text).diagnostics()));
        assert_eq!(pieces.names.last().unwrap().code.id, "M207");
    }
}
