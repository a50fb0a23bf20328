; locals: see grammars/tree-sitter-powerquery/README.md
