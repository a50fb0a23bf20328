//! Power Query M support for the [tree-sitter] parsing library: the grammar, its node types and its queries.
//!
//! ```
//! let mut parser = tree_sitter::Parser::new();
//! parser
//!     .set_language(&tree_sitter_powerquery::LANGUAGE.into())
//!     .expect("the grammar's ABI matches the tree-sitter library");
//! let tree = parser.parse("section Section1;\nshared Query = 1 + 2;", None).unwrap();
//! assert!(!tree.root_node().has_error());
//! ```
//!
//! [tree-sitter]: https://tree-sitter.github.io/

use tree_sitter_language::LanguageFn;

extern "C" {
    fn tree_sitter_powerquery() -> *const ();
}

/// The tree-sitter [`LanguageFn`] for this grammar.
pub const LANGUAGE: LanguageFn = unsafe { LanguageFn::from_raw(tree_sitter_powerquery) };

/// The content of the [`node-types.json`] file for this grammar.
///
/// [`node-types.json`]: https://tree-sitter.github.io/tree-sitter/using-parsers/6-static-node-types
pub const NODE_TYPES: &str = include_str!("../../src/node-types.json");

/// Syntax highlighting: also the source of the dfls language server's semantic tokens.
pub const HIGHLIGHTS_QUERY: &str = include_str!("../../queries/highlights.scm");
/// Foldable regions.
pub const FOLDS_QUERY: &str = include_str!("../../queries/folds.scm");
/// Scopes, definitions and references.
pub const LOCALS_QUERY: &str = include_str!("../../queries/locals.scm");
/// Indentation rules (nvim-treesitter and Helix conventions).
pub const INDENTS_QUERY: &str = include_str!("../../queries/indents.scm");
/// Text objects (functions, parameters, calls, comments).
pub const TEXTOBJECTS_QUERY: &str = include_str!("../../queries/textobjects.scm");

#[cfg(test)]
mod tests {
    #[test]
    fn the_grammar_loads() {
        let mut parser = tree_sitter::Parser::new();
        parser
            .set_language(&super::LANGUAGE.into())
            .expect("the grammar's ABI matches the tree-sitter library");
    }
}
