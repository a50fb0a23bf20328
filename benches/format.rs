//! Formatter benchmark: formatting generated 1 MB section documents of realistic Dataflow Gen2 content
//! (the queries of the parse benchmark, written as one long line a step so that the formatter has to break
//! them), timed in its stages: the parse alone, the formatting of a parsed tree, both (what an editor's
//! format request costs), and `dfls fmt`'s checked formatting (which parses the output again and compares).
//!
//! Run with `cargo bench --bench format`; the README's performance table holds the figures. Each figure is
//! the median of several runs.

mod common;

use common::{document, time, Content};
use std::time::Duration;

use dfls::format::{self, Options};
use dfls::syntax;

/// A preorder walk of every node (the one the syntax layer uses): the least any formatter over the tree costs.
fn walk(tree: &tree_sitter::Tree) -> usize {
    let mut count = 0;
    syntax::preorder(tree.root_node(), |_| count += 1);
    count
}

fn main() {
    println!("{:<64} {:>12} {:>10}", "benchmark", "median", "MB/s");
    for (dense, name) in [(true, "dense code"), (false, "typical mix")] {
        let text = document(1 << 20, if dense { Content::Dense } else { Content::Typical });
        let options = Options::default();
        let tree = syntax::parse(&text).tree;
        assert!(!tree.root_node().has_error(), "the generated document parses cleanly");
        let formatted = format::format_tree(&text, &tree, &options);
        assert_ne!(formatted, text, "the document needs formatting");
        assert_eq!(format::format(&formatted, &options), formatted, "formatting is stable");

        let runs = 15;
        let megabytes = text.len() as f64 / 1_048_576.0;
        let mut parser = syntax::new_parser();
        let rows: [(&str, Duration); 8] = [
            ("parse (the tree only)", time(runs, || parser.parse(&text, None))),
            ("a bare cursor walk over every node", time(runs, || walk(&tree))),
            (
                "format a parsed tree (a language server's request)",
                time(runs, || format::format_tree(&text, &tree, &options)),
            ),
            ("parse + format", time(runs, || format::format(&text, &options))),
            ("parse + format, already formatted", time(runs, || format::format(&formatted, &options))),
            (
                "parse + format + parse + compare (dfls fmt)",
                time(runs, || format::format_checked(&text, &options)),
            ),
            (
                "LSP formatting: format + check + whitespace edits",
                time(runs, || format::edits::format_edits(&text, &tree, &options)),
            ),
            (
                "LSP range formatting of one member",
                time(runs, || {
                    format::edits::range_edits(&text, &tree, &options, text.len() / 2..text.len() / 2)
                }),
            ),
        ];
        for (label, elapsed) in rows {
            println!(
                "{:<64} {:>9.1} ms {:>10.1}",
                format!("{label}, 1 MB {name}"),
                elapsed.as_secs_f64() * 1e3,
                megabytes / elapsed.as_secs_f64()
            );
        }
    }
}
