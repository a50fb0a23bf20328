//! Lexical diagnostics: tokens the grammar accepts whole but M does not (unterminated literals and
//! comments, invalid escapes, malformed numbers).

use tree_sitter::Tree;

use crate::diagnostics::{codes, Diagnostic};

/// The lexical diagnostics of every token of the tree.
pub(super) fn diagnose(_tree: &Tree, _text: &str) -> Vec<Diagnostic> {
    Vec::new()
}

/// Whether a diagnostic is about a token that runs to the end of the file.
pub(super) fn runs_to_end(diagnostic: &Diagnostic) -> bool {
    [codes::M103, codes::M104, codes::M105].contains(&diagnostic.code)
}
