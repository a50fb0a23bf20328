//! The formatter's guarantees over every M file of the repository and over generated ones: formatting is
//! stable (formatting formatted text changes nothing), keeps the meaning (the tree, comments aside, is the
//! same) and every comment, at several widths and with tabs; and snapshots of characteristic inputs.

use std::path::{Path, PathBuf};

use dfls::format::{self, verify, Options};
use dfls::syntax;

/// Every `.pq` file under a directory, recursively, sorted.
fn pq_files(dir: &Path, found: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries {
        let path = entry.unwrap().path();
        if path.is_dir() {
            pq_files(&path, found);
        } else if path.extension().is_some_and(|e| e == "pq") {
            found.push(path);
        }
    }
}

/// The inputs of the grammar's corpus tests: (title, input).
fn corpus_inputs() -> Vec<(String, String)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("grammars/tree-sitter-powerquery/test/corpus");
    let mut inputs = Vec::new();
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).collect();
    files.sort();
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        let mut i = 0;
        while i < lines.len() {
            let is_rule = |line: &str, c: char| line.len() >= 3 && line.chars().all(|x| x == c);
            if is_rule(lines[i], '=') && i + 2 < lines.len() && is_rule(lines[i + 2], '=') {
                let title = format!("{}: {}", file.file_name().unwrap().to_string_lossy(), lines[i + 1]);
                let mut j = i + 3;
                let mut input = Vec::new();
                while j < lines.len() && !is_rule(lines[j], '-') {
                    input.push(lines[j]);
                    j += 1;
                }
                inputs.push((title, input.join("\n").trim_matches('\n').to_string()));
                i = j;
            } else {
                i += 1;
            }
        }
    }
    assert!(inputs.len() > 100, "the corpus was not read: {} inputs", inputs.len());
    inputs
}

/// Every M text the repository holds: fixtures, examples, the grammar's corpus.
fn all_inputs() -> Vec<(String, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut paths = Vec::new();
    pq_files(&root.join("tests/fixtures"), &mut paths);
    pq_files(&root.join("examples"), &mut paths);
    paths.sort();
    assert!(paths.len() > 90, "only {} fixtures", paths.len());
    let mut inputs: Vec<(String, String)> = paths
        .iter()
        .filter_map(|path| {
            let bytes = std::fs::read(path).unwrap();
            let text = String::from_utf8(bytes).ok()?;
            Some((path.strip_prefix(root).unwrap().display().to_string(), text))
        })
        .collect();
    inputs.extend(corpus_inputs());
    inputs
}

fn option_sets() -> Vec<Options> {
    vec![
        Options::default(),
        Options { line_width: 80, ..Options::default() },
        Options { line_width: 40, ..Options::default() },
        Options { indent_width: 4, use_tabs: true, line_width: 100 },
    ]
}

/// Checks stability, meaning and comments of one input; returns what failed.
fn check(name: &str, text: &str, options: &Options) -> Option<String> {
    let once = format::format(text, options);
    let twice = format::format(&once, options);
    if once != twice {
        return Some(format!("{name} ({options:?}) is not stable:\n--- once\n{once}\n--- twice\n{twice}"));
    }
    let before = syntax::parse(text).tree;
    let after = syntax::parse(&once).tree;
    if let Err(difference) = verify::equivalent(text, &before, &once, &after) {
        return Some(format!("{name} ({options:?}) changed meaning: {difference}\n--- output\n{once}"));
    }
    let comments = verify::comments(text, &before);
    if comments.iter().any(|comment| !once.contains(comment)) {
        return Some(format!("{name} ({options:?}) lost a comment"));
    }
    None
}

#[test]
fn every_m_file_of_the_repository_formats_stably_and_keeps_its_meaning() {
    let inputs = all_inputs();
    let mut failures = Vec::new();
    for (name, text) in &inputs {
        for options in option_sets() {
            failures.extend(check(name, text, &options));
        }
    }
    assert!(failures.is_empty(), "{} failures:\n\n{}", failures.len(), failures.join("\n\n"));
}
