//! Code actions: every fix the diagnostics carry, and rewrites of names between bare and `#"..."`.
//!
//! Fixes are computed once, by the check that found the problem, and travel in [`Diagnostic::fixes`]
//! (best first: the first is the preferred one); an action applies one of them to the diagnostic's file.
//! The rewrites are computed here:
//!
//! - a step, query or field name written as several words (`Removed columns = ...`, a syntax error) is
//!   written `#"Removed columns"`, with every use of the same words in the query;
//! - a field name with characters only a quoted name may hold (`[Sales %]`, reported by the parser) is
//!   written `[#"Sales %"]`;
//! - a quoted name that does not need its quotes (`#"Source"`) is written bare, everywhere it is used.

use std::ops::Range;

use super::context::Context;
use super::lex::{Lexer, TokenKind};
use super::{FileId, Item, SourceChange};
use crate::diagnostics::{Diagnostic, Edit};
use crate::semantics::Resolution;
use crate::syntax::names::{decode_name, is_regular_identifier, m_name};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CodeActionKind {
    /// Fixes a diagnostic.
    QuickFix,
    /// Rewrites code without changing what it means.
    RefactorRewrite,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeAction {
    pub title: String,
    pub kind: CodeActionKind,
    /// The diagnostic the action fixes: its index in the diagnostics given.
    pub diagnostic: Option<usize>,
    /// Whether the action is the one to apply without asking ("fix all" and auto-fix pick these).
    pub preferred: bool,
    pub change: SourceChange,
}

/// The code actions for a byte range of a file of the item. `diagnostics` are that file's diagnostics (of
/// every kind: syntax, names, schema, cross-file); those that touch the range offer their fixes.
pub fn code_actions(
    item: &Item,
    file: FileId,
    range: Range<usize>,
    diagnostics: &[Diagnostic],
) -> Vec<CodeAction> {
    let mut actions = Vec::new();
    for (index, diagnostic) in diagnostics.iter().enumerate() {
        let touches = diagnostic.range.start <= range.end && range.start <= diagnostic.range.end;
        if !touches {
            continue;
        }
        for (rank, fix) in diagnostic.fixes.iter().enumerate() {
            let mut change = SourceChange::default();
            for edit in &fix.edits {
                change.push(file, edit.clone());
            }
            actions.push(CodeAction {
                title: fix.title.clone(),
                kind: CodeActionKind::QuickFix,
                diagnostic: Some(index),
                preferred: rank == 0,
                change,
            });
        }
        if file == FileId::Mashup {
            if let Some(action) = quote_field_name(item, diagnostic, index) {
                actions.push(action);
            }
        }
    }
    if file == FileId::Mashup {
        actions.extend(quote_multi_word_names(item, range.clone()));
        actions.extend(unquote(item, range));
    }
    actions
}

/// `Removed columns = ...`: the name written as words, quoted, with the same words elsewhere in the query.
fn quote_multi_word_names(item: &Item, range: Range<usize>) -> Vec<CodeAction> {
    // A name written as words is a syntax error: without one there is nothing to quote.
    let Some(file) = item.mashup.filter(|file| file.tree.root_node().has_error()) else { return Vec::new() };
    let context = Context::at(file.tree, file.text, range.start);
    let mut actions = Vec::new();
    for frame in &context.frames {
        for binding in frame.bindings.iter().filter(|b| b.needs_quotes) {
            let touches = binding.name_range.start <= range.end && range.start <= binding.name_range.end;
            if !touches {
                continue;
            }
            let words: Vec<&str> = binding.name.split(' ').collect();
            let written = m_name(&binding.name);
            let scan = context.frames[0].start
                ..context.frames[0].end.unwrap_or(file.text.len()).max(binding.name_range.end);
            let mut change = SourceChange::default();
            for occurrence in word_sequences(file.text, scan, &words) {
                change.push(FileId::Mashup, Edit { range: occurrence, new_text: written.clone() });
            }
            actions.push(CodeAction {
                title: format!("write `{}` as `{written}`", binding.name),
                kind: CodeActionKind::QuickFix,
                diagnostic: None,
                preferred: true,
                change,
            });
        }
    }
    actions
}

/// The ranges where `words` appear as consecutive names separated by single spaces.
fn word_sequences(text: &str, range: Range<usize>, words: &[&str]) -> Vec<Range<usize>> {
    let tokens: Vec<_> = Lexer::new(text, range).filter(|t| t.kind != TokenKind::Comment).collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i + words.len() <= tokens.len() {
        let candidate = &tokens[i..i + words.len()];
        let same =
            candidate.iter().zip(words).all(|(t, w)| {
                matches!(t.kind, TokenKind::Identifier | TokenKind::Keyword | TokenKind::Number)
                    && t.text(text) == *w
            }) && candidate.windows(2).all(|pair| &text[pair[0].range.end..pair[1].range.start] == " ");
        if same {
            out.push(candidate[0].range.start..candidate[words.len() - 1].range.end);
            i += words.len();
        } else {
            i += 1;
        }
    }
    out
}

/// `[Sales %]`: the parser's diagnostic names the field; the action quotes it.
fn quote_field_name(item: &Item, diagnostic: &Diagnostic, index: usize) -> Option<CodeAction> {
    let file = item.mashup?;
    let suggestion = diagnostic.message.rsplit_once("must be quoted: `#\"")?.1.strip_suffix("\"`")?;
    // The name as written: on the diagnostic's line, the occurrence that holds the offending character.
    let line_start = file.text[..diagnostic.range.start].rfind(['\n', '\r']).map_or(0, |at| at + 1);
    let line_end = file.text[diagnostic.range.start..]
        .find(['\n', '\r'])
        .map_or(file.text.len(), |at| diagnostic.range.start + at);
    let line = &file.text[line_start..line_end];
    let found = line
        .match_indices(suggestion)
        .map(|(at, _)| line_start + at..line_start + at + suggestion.len())
        .find(|r| r.start <= diagnostic.range.start && diagnostic.range.start < r.end)?;
    let written = m_name(suggestion);
    let mut change = SourceChange::default();
    change.push(FileId::Mashup, Edit { range: found, new_text: written.clone() });
    Some(CodeAction {
        title: format!("write the field name as `{written}`"),
        kind: CodeActionKind::QuickFix,
        diagnostic: Some(index),
        preferred: true,
        change,
    })
}

/// `#"Source"`: the quotes are not needed; the name is written bare wherever it is written quoted.
fn unquote(item: &Item, range: Range<usize>) -> Option<CodeAction> {
    let file = item.mashup?;
    let analysis = file.analysis;
    let (name, occurrences) = if let Some(def) = analysis.definition_named_at(range.start) {
        (analysis.name_of(def).to_string(), analysis.occurrences(def))
    } else {
        let reference = analysis.reference_at(range.start)?;
        let name = analysis.name(reference.name).to_string();
        match reference.resolution {
            Resolution::Definition(def) => (name, analysis.occurrences(def)),
            _ => (name, vec![reference.range.clone()]),
        }
    };
    let quoted: Vec<Range<usize>> =
        occurrences.into_iter().filter(|r| file.text[r.clone()].starts_with("#\"")).collect();
    let at_cursor = quoted.iter().any(|r| r.start <= range.start && range.start <= r.end);
    if !at_cursor || !is_regular_identifier(&name) || decode_name(&file.text[quoted[0].clone()]) != name {
        return None;
    }
    let mut change = SourceChange::default();
    for occurrence in quoted {
        change.push(FileId::Mashup, Edit { range: occurrence, new_text: name.clone() });
    }
    Some(CodeAction {
        title: format!("write `{}` without quotes", m_name(&name)),
        kind: CodeActionKind::RefactorRewrite,
        diagnostic: None,
        preferred: false,
        change,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ide::apply_edits;
    use crate::ide::fixture::{dedent, Fixture};

    /// Renders each action (title, kind) and the M document after it.
    fn check(fixture: &str, expect: &str) {
        let fixture = Fixture::parse(fixture);
        let mut diagnostics = crate::syntax::parse(&fixture.mashup).diagnostics;
        diagnostics.extend(fixture.analysis.diagnostics().iter().cloned());
        let offset = fixture.offset();
        let actions = code_actions(&fixture.item(), FileId::Mashup, offset..offset, &diagnostics);
        let mut out = Vec::new();
        for action in actions {
            out.push(format!(
                "{:?} {}{}",
                action.kind,
                action.title,
                if action.preferred { " (preferred)" } else { "" }
            ));
            out.push(apply_edits(&fixture.mashup, action.change.edits(FileId::Mashup)).replace("\r\n", "\n"));
        }
        assert_eq!(out.join("\n"), dedent(expect));
    }

    #[test]
    fn fixes_of_diagnostics() {
        check(
            "let Source = 1, b = Sorce$0 + 1 in b",
            r#"
            QuickFix replace with `Source` (preferred)
            let Source = 1, b = Source + 1 in b
            "#,
        );
        check(
            "let a = Table.AddColum$0(t) in a",
            r#"
            QuickFix replace with `Table.AddColumn` (preferred)
            let a = Table.AddColumn(t) in a
            QuickFix replace with `Table.Column`
            let a = Table.Column(t) in a
            "#,
        );
    }

    #[test]
    fn quoting_names_written_as_words() {
        check(
            "let\r\n  Source = 1,\r\n  Removed co$0lumns = Source,\r\n  Next = Removed columns\r\nin\r\n  Next",
            r##"
            QuickFix write `Removed columns` as `#"Removed columns"` (preferred)
            let
              Source = 1,
              #"Removed columns" = Source,
              Next = #"Removed columns"
            in
              Next
            "##,
        );
        check(
            "let t = Table.SelectRows(x, each [Sales $0%] > 0) in t",
            r##"
            QuickFix write the field name as `#"Sales %"` (preferred)
            let t = Table.SelectRows(x, each [#"Sales %"] > 0) in t
            "##,
        );
    }

    #[test]
    fn unquoting() {
        check(
            "let #\"Source\" = 1, b = #\"Sou$0rce\" + Source in b",
            r#"
            RefactorRewrite write `Source` without quotes
            let Source = 1, b = Source + Source in b
            "#,
        );
        check("let #\"Sales Orders\" = 1 in #\"Sales$0 Orders\"", "");
    }
}
