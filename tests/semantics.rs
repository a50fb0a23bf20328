//! Name-resolution fixtures and guarantees.
//!
//! `tests/fixtures/semantics/ok/*.pq` must give no diagnostic at all (syntax or names); each `err/*.pq`
//! has a snapshot of its name diagnostics (code, range, message, related locations and every fix) in
//! `tests/snapshots/`. Update the snapshots with `cargo insta review` (or
//! `INSTA_UPDATE=always cargo test --test semantics`) and read the diff. The example items of the
//! repository must give no name error, and the analysis must survive deep nesting and random input.

mod common;

use common::Random;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use dfls::diagnostics::{Diagnostic, Severity};
use dfls::semantics::{self, Analysis};
use dfls::syntax;
use dfls::text::LineIndex;

fn fixtures(kind: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/semantics").join(kind);
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.expect("a readable directory entry").path())
        .filter(|path| path.extension().is_some_and(|e| e == "pq"))
        .collect();
    paths.sort();
    assert!(!paths.is_empty(), "no fixtures in {}", dir.display());
    paths
}

/// Parses and analyses a text: the one place these tests call the API.
fn check(text: &str) -> (Vec<Diagnostic>, Analysis) {
    let parse = syntax::parse(text);
    let analysis = semantics::analyze(&parse.tree, text);
    (parse.diagnostics, analysis)
}

/// Renders diagnostics for a snapshot: one line per diagnostic, the source line with a caret, related
/// locations and every fix.
fn render(text: &str, diagnostics: &[Diagnostic], _analysis: &Analysis) -> String {
    let index = LineIndex::new(text);
    let at = |offset: usize| {
        let position = index.line_column(text, offset);
        format!("{}:{}", position.line, position.column)
    };
    let mut out = String::new();
    for d in diagnostics {
        let start = index.line_column(text, d.range.start);
        let end = index.line_column(text, d.range.end);
        writeln!(
            out,
            "{} {} {}-{} {}",
            d.code.id,
            d.severity.as_str(),
            at(d.range.start),
            at(d.range.end),
            d.message
        )
        .unwrap();
        let line = index.line_range(text, start.line as usize - 1);
        let source_line = text[line].trim_start_matches('\u{feff}');
        writeln!(out, "  | {source_line}").unwrap();
        let width = if start.line == end.line { (end.column - start.column).max(1) } else { 1 };
        writeln!(out, "  | {}{}", " ".repeat(start.column as usize - 1), "^".repeat(width as usize)).unwrap();
        for related in &d.related {
            writeln!(out, "  = {}: {}", at(related.range.start), related.message).unwrap();
        }
        for fix in &d.fixes {
            let edits: Vec<String> = fix
                .edits
                .iter()
                .map(|e| format!("{}-{} -> {:?}", at(e.range.start), at(e.range.end), e.new_text))
                .collect();
            writeln!(out, "  fix: {} ({})", fix.title, edits.join(", ")).unwrap();
        }
    }
    if out.is_empty() {
        out.push_str("(no diagnostics)\n");
    }
    out
}

#[test]
fn valid_fixtures_have_no_diagnostics() {
    let mut failures = Vec::new();
    for path in fixtures("ok") {
        let text = std::fs::read_to_string(&path).unwrap();
        let (syntax_diagnostics, analysis) = check(&text);
        let mut all = syntax_diagnostics;
        all.extend(analysis.diagnostics().iter().cloned());
        if !all.is_empty() {
            failures.push(format!("{}:\n{}", path.display(), render(&text, &all, &analysis)));
        }
    }
    assert!(failures.is_empty(), "valid M got diagnostics:\n{}", failures.join("\n"));
}

#[test]
fn error_fixtures_match_their_snapshots() {
    for path in fixtures("err") {
        let text = std::fs::read_to_string(&path).unwrap();
        let (_, analysis) = check(&text);
        assert!(!analysis.diagnostics().is_empty(), "{} has no name diagnostic", path.display());
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        insta::with_settings!({ prepend_module_to_snapshot => false, input_file => &path, omit_expression => true }, {
            insta::assert_snapshot!(format!("semantics_err__{name}"), render(&text, analysis.diagnostics(), &analysis));
        });
    }
}

/// The M of every example item: the `mashup.pq` files and the document inside legacy JSON items.
fn example_documents() -> Vec<(String, String)> {
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    let mut documents = Vec::new();
    let mut items: Vec<PathBuf> = std::fs::read_dir(&examples).unwrap().map(|e| e.unwrap().path()).collect();
    items.sort();
    for item in items {
        let mashup = item.join("mashup.pq");
        if let Ok(text) = std::fs::read_to_string(&mashup) {
            documents.push((mashup.display().to_string(), text));
        }
        let legacy = item.join("dataflow-content.json");
        if let Ok(text) = std::fs::read_to_string(&legacy) {
            let json: serde_json::Value = serde_json::from_str(&text).unwrap();
            let m = json["editingSessionMashup"]["mashupDocument"].as_str().expect("a legacy item holds M");
            documents.push((legacy.display().to_string(), m.to_string()));
        }
    }
    assert!(documents.len() >= 3, "{documents:?}");
    documents
}

#[test]
fn examples_have_no_name_errors() {
    let mut failures = Vec::new();
    for (path, text) in example_documents() {
        let (_, analysis) = check(&text);
        let errors: Vec<Diagnostic> =
            analysis.diagnostics().iter().filter(|d| d.severity == Severity::Error).cloned().collect();
        if !errors.is_empty() {
            failures.push(format!("{path}:\n{}", render(&text, &errors, &analysis)));
        }
    }
    assert!(failures.is_empty(), "real M got name errors:\n{}", failures.join("\n"));
}

/// Every range of an analysis lies inside the text, on character boundaries.
fn assert_ranges_inside(text: &str, analysis: &Analysis, context: &str) {
    let mut ranges: Vec<std::ops::Range<usize>> = Vec::new();
    for d in analysis.diagnostics() {
        ranges.push(d.range.clone());
        ranges.extend(d.related.iter().map(|r| r.range.clone()));
        for fix in &d.fixes {
            ranges.extend(fix.edits.iter().map(|e| e.range.clone()));
        }
    }
    for def in analysis.definitions() {
        ranges.extend([def.name_range.clone(), def.range.clone()]);
    }
    ranges.extend(analysis.references().iter().map(|r| r.range.clone()));
    ranges.extend(analysis.scopes().iter().map(|s| s.range.clone()));
    for invocation in analysis.invocations() {
        ranges.extend([invocation.range.clone(), invocation.arguments_range.clone()]);
    }
    for range in ranges {
        assert!(
            range.start <= range.end && range.end <= text.len(),
            "{context}: range {range:?} outside a text of {} bytes",
            text.len()
        );
        assert!(
            text.is_char_boundary(range.start) && text.is_char_boundary(range.end),
            "{context}: {range:?}"
        );
    }
}

const PIECES: &[&str] = &[
    "let",
    "in",
    "each",
    "try",
    "catch",
    "otherwise",
    "section",
    "shared",
    "type",
    "(",
    ")",
    "[",
    "]",
    "{",
    "}",
    ",",
    ";",
    "=",
    "=>",
    "+",
    "@",
    "!",
    "?",
    "_",
    "x",
    "Source",
    "Table.AddColumn",
    "#\"a b\"",
    "#\"",
    "\"",
    "(e) =>",
    "#date",
    "optional",
    "[A B]",
    "...",
    "S!x",
    "// dfls-ignore",
    "\n",
    "é",
];

#[test]
fn random_and_mutated_input_never_panics() {
    let seeds: Vec<String> = fixtures("ok")
        .into_iter()
        .chain(fixtures("err"))
        .map(|path| std::fs::read_to_string(path).unwrap())
        .collect();
    let mut random = Random(0x5eed_5e3a_171c_5000);
    for round in 0..600 {
        let text = if round % 3 == 0 {
            (0..random.below(60)).map(|_| PIECES[random.below(PIECES.len())]).collect::<Vec<_>>().join(" ")
        } else {
            let mut text = seeds[random.below(seeds.len())].clone();
            for _ in 0..1 + random.below(4) {
                let mut at = random.below(text.len() + 1);
                while !text.is_char_boundary(at) {
                    at -= 1;
                }
                let mut end = (at + random.below(8)).min(text.len());
                while !text.is_char_boundary(end) {
                    end -= 1;
                }
                let piece = if random.below(3) == 0 { "" } else { PIECES[random.below(PIECES.len())] };
                text.replace_range(at..end, piece);
            }
            text
        };
        let context = format!("round {round}: {text:?}");
        let (_, analysis) = check(&text);
        assert_ranges_inside(&text, &analysis, &context);
        // The queries answer anywhere.
        for offset in [0, text.len() / 3, text.len() / 2, text.len()] {
            let _ = analysis.visible_at(offset);
            let _ = analysis.invocation_at(offset);
            if let Some(def) = analysis.definition_at(offset) {
                assert!(!analysis.occurrences(def).is_empty(), "{context}");
            }
        }
    }
}
