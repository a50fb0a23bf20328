//! One source of truth for the tree-sitter queries: the grammar's `queries/`. Neovim needs them on
//! 'runtimepath' as `queries/powerquery/`, so `editors/nvim/queries/powerquery/` holds byte-identical copies.
//! Helix reads different capture names and gives the first matching highlight pattern priority, so
//! `editors/helix/runtime/queries/powerquery/` holds the grammar's queries translated by `helix::translate`
//! (see editors/helix/README.md); this test regenerates them and compares. `DFLS_BLESS=1` rewrites both copies.

use std::path::Path;

use super::support;

const NVIM_QUERIES: [&str; 5] =
    ["highlights.scm", "folds.scm", "indents.scm", "locals.scm", "textobjects.scm"];

fn grammar_query(name: &str) -> String {
    let path = support::repo().join("grammars/tree-sitter-powerquery/queries").join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn check_copy(path: &Path, expected: &str) {
    if std::env::var_os("DFLS_BLESS").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, expected).unwrap();
        return;
    }
    let actual = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert!(
        actual == expected,
        "{} is not the grammar's query (after the editor's translation); run with DFLS_BLESS=1 to update it",
        path.display()
    );
}

pub fn neovim_queries_are_the_grammars() {
    let dir = support::repo().join("editors/nvim/queries/powerquery");
    for name in NVIM_QUERIES {
        check_copy(&dir.join(name), &grammar_query(name));
    }
    let mut present: Vec<_> =
        std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
    present.sort();
    let mut expected: Vec<_> = NVIM_QUERIES.iter().map(|s| s.to_string()).collect();
    expected.sort();
    assert_eq!(present, expected, "editors/nvim/queries/powerquery holds other files");
}

/// Neovim's capture names (nvim-treesitter's standard set, which the grammar uses) and Helix's for the same
/// thing, where they differ. Helix themes know no `@number`, `@boolean`, `@module` or `@variable.member`.
const HELIX_CAPTURES: [(&str, &str); 9] = [
    ("boolean", "constant.builtin.boolean"),
    ("function.call", "function"),
    ("function.method.call", "function.method"),
    ("keyword.conditional", "keyword.control.conditional"),
    ("keyword.exception", "keyword.control.exception"),
    ("keyword.modifier", "keyword.storage.modifier"),
    ("module", "namespace"),
    ("number", "constant.numeric"),
    ("variable.member", "variable.other.member"),
];

/// The header of each generated Helix query.
const HELIX_HEADER: &str = "; GENERATED from grammars/tree-sitter-powerquery/queries/ by tests/tools/queries.rs \
(DFLS_BLESS=1): do not edit.\n; Capture names translated to Helix's; Helix, like Neovim, lets the later of two \
patterns win.\n\n";

/// A query with its capture names (outside comments and strings) renamed by `HELIX_CAPTURES`.
fn helix_translate(query: &str) -> String {
    let mut out = String::with_capacity(query.len());
    let mut chars = query.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match c {
            ';' => {
                // A comment, to the end of the line.
                let end = query[i..].find('\n').map_or(query.len(), |n| i + n);
                out.push_str(&query[i..end]);
                while chars.peek().is_some_and(|&(j, _)| j < end) {
                    chars.next();
                }
            }
            '"' => {
                out.push(c);
                while let Some((_, d)) = chars.next() {
                    out.push(d);
                    if d == '\\' {
                        if let Some((_, e)) = chars.next() {
                            out.push(e);
                        }
                    } else if d == '"' {
                        break;
                    }
                }
            }
            '@' => {
                let start = i + 1;
                let mut end = start;
                while let Some(&(j, d)) = chars.peek() {
                    if d.is_alphanumeric() || d == '_' || d == '.' || d == '-' {
                        end = j + d.len_utf8();
                        chars.next();
                    } else {
                        break;
                    }
                }
                let name = &query[start..end];
                let renamed =
                    HELIX_CAPTURES.iter().find(|(from, _)| *from == name).map_or(name, |(_, to)| to);
                out.push('@');
                out.push_str(renamed);
            }
            _ => out.push(c),
        }
    }
    out
}

pub fn helix_queries_are_the_grammars_translated() {
    let dir = support::repo().join("editors/helix/runtime/queries/powerquery");
    check_copy(
        &dir.join("highlights.scm"),
        &(HELIX_HEADER.to_owned() + &helix_translate(&grammar_query("highlights.scm"))),
    );
    // Helix reads `@local.scope`, `@local.definition` and `@local.reference` as the grammar writes them.
    check_copy(&dir.join("locals.scm"), &grammar_query("locals.scm"));
}

pub fn helix_translation_renames_only_captures() {
    let query = "; @number in a comment\n\"@\" @operator\n((x) @number (#eq? @number \"@number\"))\n";
    assert_eq!(
        helix_translate(query),
        "; @number in a comment\n\"@\" @operator\n((x) @constant.numeric (#eq? @constant.numeric \"@number\"))\n"
    );
}

/// Every query file of every editor compiles against the grammar: node types, fields and captures exist.
pub fn every_editor_query_compiles_against_the_grammar() {
    let language = tree_sitter::Language::new(tree_sitter_powerquery::LANGUAGE);
    let dirs = ["editors/nvim/queries/powerquery", "editors/helix/runtime/queries/powerquery"];
    let mut count = 0;
    for dir in dirs {
        for entry in std::fs::read_dir(support::repo().join(dir)).unwrap() {
            let path = entry.unwrap().path();
            let source = std::fs::read_to_string(&path).unwrap();
            if let Err(e) = tree_sitter::Query::new(&language, &source) {
                panic!("{}: {e}", path.display());
            }
            count += 1;
        }
    }
    assert!(count >= 9, "only {count} query files");
}
