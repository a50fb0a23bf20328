//! `Changed Type` where the step is `#"Changed Type"`: a name with spaces written without its quotes. The
//! parser reads the first word as a name and stumbles on the next ("unexpected `Type`"); when the words,
//! joined by single spaces, are a quoted name the document writes elsewhere, one diagnostic says how to
//! write it, with the quoted name as the fix.

use std::collections::HashSet;
use std::ops::Range;

use tree_sitter::Node;

use crate::diagnostics::{codes, Diagnostic, Edit, Fix};
use crate::syntax::names::{decode_name, m_name, spaced_words};

/// The quoted names with a space of a document, collected on first use (only documents with syntax errors
/// need them).
#[derive(Default)]
pub(super) struct QuotedNames(Option<HashSet<String>>);

impl QuotedNames {
    fn get(&mut self, root: Node, text: &str) -> &HashSet<String> {
        self.0.get_or_insert_with(|| {
            let mut names = HashSet::new();
            crate::syntax::preorder(root, |node| {
                if node.kind() == "quoted_identifier" {
                    let name = decode_name(&text[node.byte_range()]);
                    if name.contains(' ') {
                        names.insert(name.into_owned());
                    }
                }
            });
            names
        })
    }
}

/// The diagnostic for the ERROR `node` when the name before it (the `identifier` token at
/// `identifier_before`) and the words it starts with are a quoted name of the document (the tree at `root`)
/// written without quotes; with the span it explains.
pub(super) fn unquoted_spaced_name(
    node: Node,
    identifier_before: Option<Range<usize>>,
    root: Node,
    text: &str,
    quoted: &mut QuotedNames,
) -> Option<(Diagnostic, Range<usize>)> {
    let first = identifier_before.filter(|first| first.end + 1 >= node.start_byte())?;
    let ends = spaced_words(text, first.start);
    if ends.len() < 2 {
        return None;
    }
    let names = quoted.get(root, text);
    let end = ends[1..].iter().rev().copied().find(|&end| names.contains(&text[first.start..end]))?;
    // The ERROR starts at the second word or inside the name.
    if node.start_byte() >= end {
        return None;
    }
    let span = first.start..end;
    let written = &text[span.clone()];
    let quoted_name = m_name(written);
    let message = format!("`{written}` is one name with spaces: write it quoted, `{quoted_name}`");
    let mut diagnostic = Diagnostic::new(codes::M101, span.clone(), message);
    let edit = Edit { range: span.clone(), new_text: quoted_name.clone() };
    diagnostic.fixes.push(Fix { title: format!("replace with `{quoted_name}`"), edits: vec![edit] });
    Some((diagnostic, span.start..node.end_byte().max(span.end)))
}
