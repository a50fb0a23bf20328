; folds: see grammars/tree-sitter-powerquery/README.md
