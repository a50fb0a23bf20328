//! Syntax from other languages inside a syntax error: `!=`, `==`, `&&`, `||`, `!x` and `'text'`. People who
//! write SQL, C#, Python or Excel formulas type these by habit, and the parser's recovery around them reads
//! as noise ("unexpected `=`; expected an expression"); one diagnostic that says what M writes instead, with
//! the replacement as a fix, explains the whole error.

use std::ops::Range;

use tree_sitter::Node;

use crate::diagnostics::{codes, Diagnostic, Edit, Fix};

/// Every foreign operator or quote among the tokens (and the characters no token takes) of the ERROR
/// `node`, each a diagnostic with its fix; empty when there is none. Text literals and comments are single
/// tokens, so what they hold is never looked at.
pub(super) fn foreign_syntax(node: Node, text: &str) -> Vec<Diagnostic> {
    let mut found: Vec<Diagnostic> = Vec::new();
    crate::syntax::preorder(node, |leaf| {
        if leaf.child_count() == 0 && !leaf.is_missing() {
            // Both `=` of a `==` find it, and the closing `'` of a fixed `'text'` is part of it.
            let covered = |at: usize| found.last().is_some_and(|last| at < covered_end(last));
            if !covered(leaf.start_byte()) {
                found.extend(foreign_at(leaf.start_byte(), text).filter(|d| !covered(d.range.start)));
            }
        }
    });
    found
}

/// Where what a diagnostic's first fix replaces ends (else the diagnostic's own end).
pub(super) fn covered_end(diagnostic: &Diagnostic) -> usize {
    let fixed = diagnostic.fixes.first().into_iter().flat_map(|fix| &fix.edits).map(|edit| edit.range.end);
    fixed.chain([diagnostic.range.end]).max().expect("one value at least")
}

/// The foreign syntax that starts at, or around, the token at `at`.
fn foreign_at(at: usize, text: &str) -> Option<Diagnostic> {
    let rest = &text[at..];
    let previous = text[..at].chars().next_back();
    let (span, replacement, message) = match rest.chars().next()? {
        '!' if rest.starts_with("!=") => {
            (at..at + 2, "<>", "`!=` is not an M operator: M writes “not equal” as `<>`".to_string())
        }
        // `Section1!Member` is M; a `!` after a name is section access, not negation.
        '!' if !previous.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '"') => {
            (at..at + 1, "not", "`!` is not an M operator: M writes negation as `not`".to_string())
        }
        // `a!=b` reads as the section access `a!`, then an unexpected `=`.
        '=' if previous == Some('!') => {
            (at - 1..at + 1, "<>", "`!=` is not an M operator: M writes “not equal” as `<>`".to_string())
        }
        '=' if previous == Some('=') => (at - 1..at + 1, "=", double_equals()),
        '=' if rest.starts_with("==") => (at..at + 2, "=", double_equals()),
        '&' if previous == Some('&') => {
            (at - 1..at + 1, "and", "`&&` is not an M operator: M writes `and`".into())
        }
        '&' if rest.starts_with("&&") => {
            (at..at + 2, "and", "`&&` is not an M operator: M writes `and`".into())
        }
        '|' if rest.starts_with("||") => {
            (at..at + 2, "or", "`||` is not an M operator: M writes `or`".into())
        }
        '|' => (at..at + 1, "or", "`|` is not an M operator: M writes `or`".into()),
        '\'' => return Some(single_quoted(at, text)),
        _ => return None,
    };
    let new_text = spaced(replacement, text, &span);
    let fix = Fix {
        title: format!("replace with `{}`", new_text.trim()),
        edits: vec![Edit { range: span.clone(), new_text }],
    };
    let mut diagnostic = Diagnostic::new(codes::M101, span, message);
    diagnostic.fixes.push(fix);
    Some(diagnostic)
}

fn double_equals() -> String {
    "`==` is not an M operator: M compares with a single `=`".to_string()
}

/// `'text'`: M text is between double quotes. The fix, when the closing `'` is on the same line, makes it a
/// text literal.
fn single_quoted(open: usize, text: &str) -> Diagnostic {
    let message = "`'` does not start text in M: text is written between double quotes `\"`";
    let mut diagnostic = Diagnostic::new(codes::M101, open..open + 1, message);
    diagnostic.fixes.extend(crate::syntax::lexical::requoted_text(text, open..open + 1, &['\'']));
    diagnostic
}

/// A word operator in place of a symbol one needs spaces where the symbol had none (`a&&b` → `a and b`).
fn spaced(replacement: &str, text: &str, span: &Range<usize>) -> String {
    let word = replacement.starts_with(|c: char| c.is_ascii_alphabetic());
    let needs_space = |c: Option<char>| word && c.is_some_and(|c| !c.is_whitespace() && c != '(' && c != ')');
    let before = if needs_space(text[..span.start].chars().next_back()) { " " } else { "" };
    let after = if needs_space(text[span.end..].chars().next()) { " " } else { "" };
    format!("{before}{replacement}{after}")
}

#[cfg(test)]
mod tests {
    use crate::syntax;

    /// The one diagnostic of `text`, with its fix's replacement applied.
    fn fixed(text: &str) -> (String, String) {
        let diagnostics = syntax::parse(text).diagnostics;
        assert_eq!(diagnostics.len(), 1, "{text}: {diagnostics:?}");
        let diagnostic = &diagnostics[0];
        let edit = &diagnostic.fixes.first().unwrap_or_else(|| panic!("{text}: no fix")).edits[0];
        let mut result = text.to_string();
        result.replace_range(edit.range.clone(), &edit.new_text);
        (diagnostic.message.clone(), result)
    }

    #[test]
    fn fixes_write_what_m_writes() {
        assert_eq!(fixed("a!=b").1, "a<>b");
        assert_eq!(fixed("a == b").1, "a = b");
        assert_eq!(fixed("a&&b").1, "a and b");
        assert_eq!(fixed("a || b").1, "a or b");
        assert_eq!(fixed("a | b").1, "a or b");
        assert_eq!(fixed("if !x then 1 else 2").1, "if not x then 1 else 2");
        assert_eq!(fixed("if !(x) then 1 else 2").1, "if not(x) then 1 else 2");
        assert_eq!(fixed("{'say \"hi\"'}").1, "{\"say \"\"hi\"\"\"}");
        // What was between the quotes is the text: a `#(` in it is not an escape.
        assert_eq!(fixed("{'a#(lf)b'}").1, "{\"a#(#)(lf)b\"}");
        assert!(syntax::parse(&fixed("a&&b").1).diagnostics.is_empty());
    }

    #[test]
    fn only_outside_text_and_not_section_access() {
        // Inside text and comments the same characters are text.
        assert!(syntax::parse("\"a != b && c\" // x || y").diagnostics.is_empty());
        // A `!` after a name is section access with its member missing, not a negation.
        let diagnostics = syntax::parse("section S; shared a = 1; shared b = S! + 1;").diagnostics;
        assert!(diagnostics.iter().all(|d| !d.message.contains("negation")), "{diagnostics:?}");
        // A `'` with no closing one on its line: the message, and no fix to guess.
        let diagnostics = syntax::parse("x = 'a\n").diagnostics;
        assert!(diagnostics[0].message.contains("double quotes") && diagnostics[0].fixes.is_empty());
    }
}
