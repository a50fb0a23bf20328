//! Parse benchmark: full parse + syntax diagnostics of generated section documents of 1 MB and 10 MB with
//! realistic Dataflow Gen2 content, and an incremental reparse after a one-character edit.
//!
//! Run with `cargo bench --bench parse`; the README's performance table holds the figures. Each figure is
//! the median of several runs, so one slow run (the other core busy) does not move it.
//!
//! The last lines put the M figures beside tree-sitter's own floor on this machine: the time per token of
//! parsing a megabyte of JSON with tree-sitter-json, about the simplest grammar there is, through the same
//! runtime. What a token of M costs above that is the grammar's; the rest is the runtime's.

use std::time::{Duration, Instant};

mod common;

use common::{document, median, time, Content};

use dfls::syntax::{self, Document};

fn main() {
    println!("{:<56} {:>12} {:>10}", "benchmark", "median", "MB/s");
    for (content, name) in [(Content::Dense, "dense code"), (Content::Typical, "typical mix")] {
        for (label, size, runs) in [("1 MB", 1 << 20, 15), ("10 MB", 10 << 20, 5)] {
            let text = document(size, content);
            let parse = syntax::parse(&text);
            assert!(
                parse.diagnostics.is_empty(),
                "the generated document parses cleanly: {:?}",
                &parse.diagnostics[..1]
            );
            let elapsed = time(runs, || syntax::parse(&text));
            let megabytes = text.len() as f64 / 1_048_576.0;
            println!(
                "{:<56} {:>9.1} ms {:>10.1}",
                format!("full parse + syntax diagnostics, {label}, {name}"),
                elapsed.as_secs_f64() * 1e3,
                megabytes / elapsed.as_secs_f64()
            );
        }
    }

    println!();
    for (content, name) in [(Content::Dense, "M, dense code"), (Content::Typical, "M, typical mix")] {
        let text = document(1 << 20, content);
        let elapsed = time(15, || syntax::parse(&text));
        per_token(name, &syntax::parse(&text).tree, elapsed);
    }
    let text = examples_document(1 << 20);
    let elapsed = time(15, || syntax::parse(&text));
    println!(
        "{:<56} {:>9.1} ms {:>10.1}",
        "full parse + syntax diagnostics, 1 MB of the examples",
        elapsed.as_secs_f64() * 1e3,
        text.len() as f64 / 1_048_576.0 / elapsed.as_secs_f64()
    );
    per_token("M, the examples", &syntax::parse(&text).tree, elapsed);
    let json = json_document(1 << 20);
    let mut parser = tree_sitter::Parser::new();
    parser.set_language(&tree_sitter_json::LANGUAGE.into()).expect("tree-sitter-json matches the runtime");
    let elapsed = time(15, || parser.parse(&json, None));
    let tree = parser.parse(&json, None).expect("no timeout or cancellation is set");
    assert!(!tree.root_node().has_error(), "the generated JSON parses cleanly");
    per_token("JSON, tree-sitter-json (floor)", &tree, elapsed);
    println!();

    // A keystroke in the middle of a 1 MB document: insert a digit into a number, then take it out again,
    // so every run edits the same text.
    for (content, name) in [(Content::Dense, "dense code"), (Content::Typical, "typical mix")] {
        let text = document(1 << 20, content);
        let at = text.len() / 2 + text[text.len() / 2..].find("> ").expect("a comparison follows") + 2;
        let mut document = Document::new(text);
        let mut reparse = Vec::new();
        let mut diagnose = Vec::new();
        for run in 0..200 {
            let start = Instant::now();
            if run % 2 == 0 {
                document.edit(at..at, "7");
            } else {
                document.edit(at..at + 1, "");
            }
            reparse.push(start.elapsed());
            let start = Instant::now();
            std::hint::black_box(document.diagnostics());
            diagnose.push(start.elapsed());
        }
        println!(
            "{:<56} {:>9.3} ms",
            format!("incremental reparse after 1 char, 1 MB, {name}"),
            median(reparse).as_secs_f64() * 1e3
        );
        println!(
            "{:<56} {:>9.3} ms",
            format!("syntax diagnostics after the edit, 1 MB, {name}"),
            median(diagnose).as_secs_f64() * 1e3
        );
    }
}

/// Prints the time per token of one parse of `tree`'s text.
fn per_token(name: &str, tree: &tree_sitter::Tree, elapsed: Duration) {
    let mut tokens = 0usize;
    syntax::preorder(tree.root_node(), |node| tokens += usize::from(node.child_count() == 0));
    println!(
        "{:<56} {:>9.0} ns {:>10}",
        format!("full parse per token, 1 MB {name}"),
        elapsed.as_secs_f64() * 1e9 / tokens as f64,
        format!("{}k tok", tokens / 1000)
    );
}

/// A JSON document of at least `bytes` bytes: an array of small records, like a REST answer.
fn json_document(bytes: usize) -> String {
    let mut text = String::from("[\n");
    let mut n = 0;
    while text.len() < bytes {
        text.push_str(&format!(
            "  {{\"name\": \"Orders {n}\", \"id\": {n}, \"enabled\": true, \"tags\": [\"sales\", \"emea\", null], \"rate\": 1.5}},\n"
        ));
        n += 1;
    }
    text.push_str("  {}\n]\n");
    text
}

/// A section document of at least `bytes` bytes made of the members of every clean `mashup.pq` in the
/// repository's examples and item fixtures, which reproduce the forms Fabric writes, repeated.
fn examples_document(bytes: usize) -> String {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut folders = vec![root.join("examples"), root.join("tests/fixtures")];
    let mut paths = Vec::new();
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).expect("a repository folder").flatten() {
            let path = entry.path();
            if path.is_dir() {
                folders.push(path);
            } else if path.file_name().is_some_and(|name| name == "mashup.pq") {
                paths.push(path);
            }
        }
    }
    paths.sort();
    let mut members = String::new();
    for path in paths {
        let Ok(text) = std::fs::read_to_string(&path) else { continue };
        let Some(at) = text.find("section Section1;") else { continue };
        if syntax::parse(&text).diagnostics.is_empty() {
            members.push_str(&text[at + "section Section1;".len()..]);
            members.push('\n');
        }
    }
    assert!(members.len() > 1000, "the examples hold queries");
    let mut text = String::from("section Section1;\n");
    while text.len() < bytes {
        text.push_str(&members);
    }
    assert!(syntax::parse(&text).diagnostics.is_empty(), "repeated members parse cleanly");
    text
}
