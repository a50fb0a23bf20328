//! Suppression comments: `// dfls-ignore` and `// dfls-ignore-file`.
//!
//! - `// dfls-ignore M201 M204` (codes separated by spaces or commas; none means every code) silences
//!   those name diagnostics on one line: the line of the comment when code comes before it on that line,
//!   else the next line.
//! - `// dfls-ignore-file M204` anywhere in the document silences those codes (or, with none, every
//!   name diagnostic) in the whole document.
//!
//! Only `//` comments whose text starts with the directive count, so `"// dfls-ignore"` in a text
//! literal or a sentence that mentions it does not. Words after the codes are free text (a reason).
//! Suppression applies to the name diagnostics (`M2xx`) this module produces; syntax errors cannot be
//! silenced.

use tree_sitter::Tree;

use crate::diagnostics::Diagnostic;
use crate::text::LineIndex;

const DIRECTIVE: &str = "dfls-ignore";

/// Which codes a directive names; empty means all.
type Codes = Vec<String>;

#[derive(Debug, Default)]
struct Suppressions {
    /// `dfls-ignore-file` directives.
    file: Vec<Codes>,
    /// `dfls-ignore` directives: the line they silence and the codes.
    lines: Vec<(usize, Codes)>,
}

fn covers(codes: &Codes, id: &str) -> bool {
    codes.is_empty() || codes.iter().any(|code| code == id)
}

/// Removes the diagnostics that `dfls-ignore` comments of `text` silence.
pub(super) fn apply(tree: &Tree, text: &str, diagnostics: &mut Vec<Diagnostic>) {
    if diagnostics.is_empty() || !text.contains(DIRECTIVE) {
        return;
    }
    let index = LineIndex::new(text);
    let suppressions = find(tree, text, &index);
    diagnostics.retain(|d| {
        let line = index.line_of(d.range.start);
        !suppressions.file.iter().any(|codes| covers(codes, d.code.id))
            && !suppressions.lines.iter().any(|(l, codes)| *l == line && covers(codes, d.code.id))
    });
}

fn find(tree: &Tree, text: &str, index: &LineIndex) -> Suppressions {
    let mut suppressions = Suppressions::default();
    // The directives come in the order of the text: one locator finds their comments for the size of the
    // tree (a lookup from the root for each would cost its depth).
    let mut locator = crate::syntax::locate::Locator::new(tree.root_node());
    let mut from = 0;
    while let Some(found) = text[from..].find(DIRECTIVE) {
        let at = from + found;
        from = at + DIRECTIVE.len();
        let comment = locator.descendant(at, at + 1);
        if comment.kind() != "comment" {
            continue;
        }
        let comment_text = &text[comment.byte_range()];
        let Some(body) = comment_text.strip_prefix("//") else { continue };
        let body = body.trim_start();
        let Some(rest) = body.strip_prefix(DIRECTIVE) else { continue };
        // The directive must be the comment's first word, and this occurrence must be it.
        if comment.start_byte() + (comment_text.len() - body.len()) != at {
            continue;
        }
        let (whole_file, rest) = match rest.strip_prefix("-file") {
            Some(rest) => (true, rest),
            None => (false, rest),
        };
        if rest.chars().next().is_some_and(|c| !c.is_whitespace() && c != ',' && c != ':') {
            continue;
        }
        let codes: Codes = rest
            .split(|c: char| c.is_whitespace() || c == ',' || c == ':')
            .filter(|word| !word.is_empty())
            .take_while(|word| looks_like_code(word))
            .map(str::to_string)
            .collect();
        if whole_file {
            suppressions.file.push(codes);
            continue;
        }
        let line = index.line_of(comment.start_byte());
        let line_start = index.line_start(line);
        let code_before = !text[line_start..comment.start_byte()]
            .trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}')
            .is_empty();
        suppressions.lines.push((if code_before { line } else { line + 1 }, codes));
    }
    suppressions
}

/// `M201`, `D110`: a capital letter and three digits.
fn looks_like_code(word: &str) -> bool {
    let bytes = word.as_bytes();
    bytes.len() == 4 && bytes[0].is_ascii_uppercase() && bytes[1..].iter().all(u8::is_ascii_digit)
}
