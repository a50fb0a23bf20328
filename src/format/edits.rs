//! Formatting as small text edits, for editors: the whole document, a range, or what was just typed.
//!
//! A language server that answers a formatting request with one edit replacing the whole document moves
//! the cursor, collapses undo history into one step and makes every folded region unfold. The formatter
//! only ever changes whitespace between tokens (its guarantee, checked by [`super::verify`]), so the
//! formatted text has the same non-whitespace characters as the input, in the same order. [`whitespace_edits`]
//! walks both texts along those characters and emits one edit per run of whitespace that differs: the
//! smallest set of edits there is, found in one linear pass.
//!
//! Range and on-type formatting format the whole document (the layout of a line can depend on what
//! encloses it) and keep only the edits inside the section members and `let` bindings that the range or
//! the typed character touches. Each edit replaces one whitespace run on its own, so any subset of them
//! is a consistent edit of the document.

use std::ops::Range;

use tree_sitter::{InputEdit, Node, Point, Tree};

use super::Options;

/// One replacement of a byte range of the input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextEdit {
    pub range: Range<usize>,
    pub new_text: String,
}

/// The edits that turn `old` into `new`, where `new` differs from `old` only in whitespace between
/// non-whitespace characters (as formatted text does). When it differs in anything else, one edit from
/// the first to the last differing byte: still correct, just not minimal.
pub fn whitespace_edits(old: &str, new: &str) -> Vec<TextEdit> {
    if old == new {
        return Vec::new();
    }
    let (mut i, mut j) = (0, 0);
    let mut edits = Vec::new();
    loop {
        // A run of whitespace in each text (either may be empty), then one other character in each.
        let old_run = i..i + whitespace_len(&old[i..]);
        let new_run = j..j + whitespace_len(&new[j..]);
        if old[old_run.clone()] != new[new_run.clone()] {
            edits.push(TextEdit { range: old_run.clone(), new_text: new[new_run.clone()].to_owned() });
        }
        (i, j) = (old_run.end, new_run.end);
        match (old[i..].chars().next(), new[j..].chars().next()) {
            (None, None) => return edits,
            (Some(x), Some(y)) if x == y => (i, j) = (i + x.len_utf8(), j + y.len_utf8()),
            _ => return vec![common_edit(old, new)],
        }
    }
}

/// One edit replacing what lies between the common start and the common end of two texts.
pub fn common_edit(old: &str, new: &str) -> TextEdit {
    let prefix = old.bytes().zip(new.bytes()).take_while(|(x, y)| x == y).count();
    let max_suffix = old.len().min(new.len()) - prefix;
    let suffix =
        old.bytes().rev().zip(new.bytes().rev()).take(max_suffix).take_while(|(x, y)| x == y).count();
    // Keep both ends on character boundaries of both texts.
    let mut start = prefix;
    while !old.is_char_boundary(start) || !new.is_char_boundary(start) {
        start -= 1;
    }
    let (mut old_end, mut new_end) = (old.len() - suffix, new.len() - suffix);
    while !old.is_char_boundary(old_end) || !new.is_char_boundary(new_end) {
        old_end += 1;
        new_end += 1;
    }
    TextEdit { range: start..old_end, new_text: new[start..new_end].to_owned() }
}

/// The length of the whitespace at the start of `text`.
fn whitespace_len(text: &str) -> usize {
    text.find(|c: char| !c.is_whitespace()).unwrap_or(text.len())
}

/// The edits that format the whole of `text` (whose tree is `tree`), or why it was not formatted.
pub fn format_edits(text: &str, tree: &Tree, options: &Options) -> Result<Vec<TextEdit>, super::FormatError> {
    format_some(text, tree, options, |_| true)
}

/// The edits that format the section members and `let` bindings `range` touches (and the range itself
/// where it lies outside any of them).
pub fn range_edits(
    text: &str,
    tree: &Tree,
    options: &Options,
    range: Range<usize>,
) -> Result<Vec<TextEdit>, super::FormatError> {
    let wanted = statements_around(tree, range.start, range.end);
    format_some(text, tree, options, |edit| touches(&edit.range, &wanted))
}

/// The edits of formatting the whole text that `keep` keeps, checked: the text with them applied must
/// mean what the text meant (its tree, trivia aside, is the same).
fn format_some(
    text: &str,
    tree: &Tree,
    options: &Options,
    keep: impl Fn(&TextEdit) -> bool,
) -> Result<Vec<TextEdit>, super::FormatError> {
    let (formatted, proven) = super::format_tree_proven(text, tree, options);
    let edits: Vec<TextEdit> = whitespace_edits(text, &formatted).into_iter().filter(keep).collect();
    // Proven: each edit changes one gap between the input's tokens the way the whole formatting does, which
    // keeps the meaning gap by gap, so any subset of them does too.
    if proven {
        return Ok(edits);
    }
    let (Some(first), Some(last)) = (edits.first(), edits.last()) else { return Ok(edits) };
    // One edit from the first change to the last, for an incremental reparse of the new text.
    let span = first.range.start..last.range.end;
    let mut changed = String::with_capacity(span.len());
    let mut at = span.start;
    for edit in &edits {
        changed.push_str(&text[at..edit.range.start]);
        changed.push_str(&edit.new_text);
        at = edit.range.end;
    }
    let after_text = [&text[..span.start], &changed, &text[span.end..]].concat();
    let new_end = span.start + changed.len();
    let mut edited = tree.clone();
    edited.edit(&InputEdit {
        start_byte: span.start,
        old_end_byte: span.end,
        new_end_byte: new_end,
        start_position: point_at(text, span.start),
        old_end_position: point_at(text, span.end),
        new_end_position: point_at(&after_text, new_end),
    });
    let mut parser = crate::syntax::new_parser();
    let after = crate::syntax::parse_tree(&mut parser, &after_text, Some(&edited));
    if let Err(detail) = super::verify::equivalent(text, tree, &after_text, &after) {
        // Inside a syntax error, tree-sitter's recovery after an incremental reparse may lex the same
        // characters otherwise than a full parse does (`=>` as `=` and `>`); what the text means is what a
        // full parse reads, so only a difference that a full parse confirms is one.
        let confirmed = !tree.root_node().has_error() || {
            let full = crate::syntax::parse_tree(&mut parser, &after_text, None);
            super::verify::equivalent(text, tree, &after_text, &full).is_err()
        };
        if confirmed {
            return Err(super::FormatError::ChangedMeaning { detail });
        }
    }
    Ok(edits)
}

/// tree-sitter's row and byte column of an offset.
fn point_at(text: &str, offset: usize) -> Point {
    let before = &text.as_bytes()[..offset];
    let row = before.iter().filter(|&&b| b == b'\n').count();
    let line_start = before.iter().rposition(|&b| b == b'\n').map_or(0, |at| at + 1);
    Point { row, column: offset - line_start }
}

/// The character that ends a section member.
pub const ON_TYPE_TRIGGER: &str = ";";
/// Other characters after which [`on_type_edits`] formats.
pub const MORE_ON_TYPE_TRIGGERS: [&str; 1] = ["\n"];

/// The edits after `typed` was typed just before `offset`: the member or binding the typed character
/// ends or follows is formatted, except the whitespace at the cursor itself, which is the user's (a
/// line break just typed stays, and so does the indentation the editor gave the new line).
pub fn on_type_edits(
    text: &str,
    tree: &Tree,
    options: &Options,
    offset: usize,
    typed: &str,
) -> Result<Vec<TextEdit>, super::FormatError> {
    let before = text[..offset.min(text.len())].trim_end_matches(char::is_whitespace).len();
    // The start of the last character before the cursor (not its last byte: it may be `é`).
    let Some((end, _)) = text[..before].char_indices().next_back() else { return Ok(Vec::new()) };
    // The last character before the cursor; before a `,` that ends a binding, the binding it ends.
    let anchor = if typed != ON_TYPE_TRIGGER && text[end..].starts_with(',') {
        text[..end].trim_end_matches(char::is_whitespace).len().saturating_sub(1)
    } else {
        end
    };
    let wanted = statements_around(tree, anchor, anchor);
    if wanted.start == wanted.end {
        return Ok(Vec::new());
    }
    let cursor_run = before..offset + whitespace_len(&text[offset.min(text.len())..]);
    format_some(text, tree, options, |edit| {
        touches(&edit.range, &wanted) && !overlaps_or_meets(&edit.range, &cursor_run)
    })
}

/// Whether an edit of a whitespace run belongs to `wanted`: inside it, or the run just before or after.
fn touches(edit: &Range<usize>, wanted: &Range<usize>) -> bool {
    edit.start <= wanted.end && edit.end >= wanted.start
}

fn overlaps_or_meets(a: &Range<usize>, b: &Range<usize>) -> bool {
    a.start <= b.end && b.start <= a.end
}

/// The smallest range holding `start..end` and every section member or `let` binding that encloses
/// either end (the innermost one of each). Inside no member or binding, `start..end` itself.
fn statements_around(tree: &Tree, start: usize, end: usize) -> Range<usize> {
    let mut range = start..end;
    for offset in [start, end] {
        if let Some(statement) = enclosing_statement(tree, offset) {
            range.start = range.start.min(statement.start_byte());
            range.end = range.end.max(statement.end_byte());
        }
    }
    range
}

/// The innermost section member or `let` binding whose bytes hold `offset` (its end included).
fn enclosing_statement(tree: &Tree, offset: usize) -> Option<Node<'_>> {
    // The nodes around the offset from one descent: climbing with `Node::parent()` would descend from the
    // root again at each step. At a token's end, the token itself is found only when nothing starts there.
    let path = crate::syntax::locate::path_to(tree.root_node(), offset, offset);
    path.into_iter().rev().find(|node| matches!(node.kind(), "binding" | "section_member"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn apply(text: &str, edits: &[TextEdit]) -> String {
        let mut out = text.to_owned();
        for edit in edits.iter().rev() {
            out.replace_range(edit.range.clone(), &edit.new_text);
        }
        out
    }

    fn parse(text: &str) -> Tree {
        crate::syntax::parse_tree(&mut crate::syntax::new_parser(), text, None)
    }

    #[test]
    fn whitespace_edits_are_one_per_changed_run() {
        let old = "let  a=1 ,\n    b = 2 in b";
        let new = "let a = 1,\n  b = 2\nin b";
        let edits = whitespace_edits(old, new);
        assert_eq!(apply(old, &edits), new);
        // `let  a`, `a=`, `=1`, `1 ,`, the indentation, `2 in`.
        assert_eq!(edits.len(), 6, "{edits:?}");
        assert!(edits.iter().all(|e| old[e.range.clone()].chars().all(char::is_whitespace)));
    }

    #[test]
    fn whitespace_inside_tokens_is_never_touched() {
        let old = "x = \"a  b\"  &  \"c\"";
        let new = "x = \"a  b\" & \"c\"";
        let edits = whitespace_edits(old, new);
        assert_eq!(apply(old, &edits), new);
        assert_eq!(edits.len(), 2);
    }

    #[test]
    fn other_differences_become_one_edit_between_common_ends() {
        let old = "abc déf ghi";
        let new = "abc dèf ghi";
        let edits = whitespace_edits(old, new);
        assert_eq!(edits.len(), 1);
        assert_eq!(apply(old, &edits), new);
        assert_eq!(apply("ab", &whitespace_edits("ab", "ab c")), "ab c");
        assert_eq!(apply("ab c", &whitespace_edits("ab c", "ab")), "ab");
        assert_eq!(apply("é", &[common_edit("é", "è")]), "è");
    }

    #[test]
    fn formatting_edits_give_the_formatted_text() {
        let text = "section S;\r\nshared   A = let x=1,y=  2 in x+y;\r\n// note\r\nshared B=  A ;\r\n";
        let options = Options::default();
        let edits = format_edits(text, &parse(text), &options).unwrap();
        assert_eq!(apply(text, &edits), super::super::format(text, &options));
        assert!(edits.len() > 3);
    }

    #[test]
    fn range_formatting_keeps_to_the_members_it_touches() {
        let text = "section S;\nshared A =  1;\nshared B =  2;\nshared C =  3;\n";
        let b = text.find("2").unwrap();
        let edits = range_edits(text, &parse(text), &Options::default(), b..b).unwrap();
        assert_eq!(apply(text, &edits), "section S;\nshared A =  1;\nshared B = 2;\nshared C =  3;\n");
        // A range over two members formats both.
        let a = text.find("1").unwrap();
        let edits = range_edits(text, &parse(text), &Options::default(), a..b).unwrap();
        assert_eq!(apply(text, &edits), "section S;\nshared A = 1;\nshared B = 2;\nshared C =  3;\n");
    }

    #[test]
    fn range_formatting_inside_a_let_keeps_to_the_binding() {
        let text = "section S;\nshared A = let\n    x  =  1,\n    y  =  2\n  in\n    x;\n";
        let y = text.find("y").unwrap();
        let edits = range_edits(text, &parse(text), &Options::default(), y..y + 1).unwrap();
        let formatted = apply(text, &edits);
        assert!(formatted.contains("y = 2"), "{formatted}");
        assert!(formatted.contains("x  =  1"), "{formatted}");
    }

    #[test]
    fn on_type_formats_the_member_just_ended_and_keeps_the_cursor_line() {
        let text = "section S;\nshared A =  1;\nshared B  =  2;";
        let edits = on_type_edits(text, &parse(text), &Options::default(), text.len(), ";").unwrap();
        assert_eq!(apply(text, &edits), "section S;\nshared A =  1;\nshared B = 2;");

        let text = "section S;\nshared A = let\n    x  =  1,\n    ";
        let edits = on_type_edits(text, &parse(text), &Options::default(), text.len(), "\n").unwrap();
        let formatted = apply(text, &edits);
        assert!(formatted.ends_with(",\n    "), "the new line and its indentation stay: {formatted:?}");

        // A line break after a complete binding formats that binding only.
        let text = "section S;\nshared A = let\n    x  =  1,\n    y  =  2\n  in\n    x;\n";
        let offset = text.find("1,\n").unwrap() + 3;
        let edits = on_type_edits(text, &parse(text), &Options::default(), offset, "\n").unwrap();
        let formatted = apply(text, &edits);
        assert!(formatted.contains("x = 1,\n    y  =  2"), "{formatted}");
        assert!(formatted.contains("y  =  2"), "{formatted}");
    }

    #[test]
    fn on_type_after_a_non_ascii_character_does_not_split_it() {
        let text = "section S;\nshared A = 1;\nshared B =  é\n";
        let edits = on_type_edits(text, &parse(text), &Options::default(), text.len(), "\n").unwrap();
        assert!(apply(text, &edits).ends_with("é\n"));
    }

    #[test]
    fn on_type_at_the_start_or_outside_statements_does_nothing() {
        let text = "\n";
        assert!(on_type_edits(text, &parse(text), &Options::default(), 1, "\n").unwrap().is_empty());
        let text = "1  +  2\n";
        assert!(on_type_edits(text, &parse(text), &Options::default(), text.len(), "\n").unwrap().is_empty());
    }
}
