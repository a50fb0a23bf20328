//! Syntax fixtures and the parser's guarantees.
//!
//! `tests/fixtures/syntax/ok/*.pq` must parse with no diagnostic at all; each `err/*.pq` has a snapshot of
//! its diagnostics (code, range, message, and the line it points at) in `tests/snapshots/`. Update the
//! snapshots with `cargo insta review` (or `INSTA_UPDATE=always cargo test --test syntax`) and read the diff.
//! The other tests feed the parser what users never should: deep nesting, huge files, random bytes and
//! mutated M, and assert that it never panics and that every range lies inside the text.

mod common;

use common::Random;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use dfls::diagnostics::Diagnostic;
use dfls::syntax::{self, Document};
use dfls::text::LineIndex;

fn fixtures(kind: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/syntax").join(kind);
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.expect("a readable directory entry").path())
        .filter(|path| path.extension().is_some_and(|e| e == "pq"))
        .collect();
    paths.sort();
    assert!(!paths.is_empty(), "no fixtures in {}", dir.display());
    paths
}

/// Renders diagnostics for a snapshot: one line per diagnostic, then the source line with a caret.
fn render(text: &str, diagnostics: &[Diagnostic]) -> String {
    let index = LineIndex::new(text);
    let mut out = String::new();
    for d in diagnostics {
        let start = index.line_column(text, d.range.start);
        let end = index.line_column(text, d.range.end);
        writeln!(
            out,
            "{} {} {}:{}-{}:{} {}",
            d.code.id,
            d.severity.as_str(),
            start.line,
            start.column,
            end.line,
            end.column,
            d.message
        )
        .unwrap();
        let line = index.line_range(text, start.line as usize - 1);
        let source_line = text[line.clone()].trim_start_matches('\u{feff}');
        writeln!(out, "  | {source_line}").unwrap();
        let width = if start.line == end.line { (end.column - start.column).max(1) } else { 1 };
        writeln!(out, "  | {}{}", " ".repeat(start.column as usize - 1), "^".repeat(width as usize)).unwrap();
        for related in &d.related {
            let at = index.line_column(text, related.range.start);
            writeln!(out, "  = {}:{}: {}", at.line, at.column, related.message).unwrap();
        }
    }
    if out.is_empty() {
        out.push_str("(no diagnostics)\n");
    }
    out
}

#[test]
fn valid_fixtures_parse_without_diagnostics() {
    let mut failures = Vec::new();
    for path in fixtures("ok") {
        let checked = syntax::check_bytes(&std::fs::read(&path).unwrap());
        if !checked.diagnostics.is_empty() {
            failures.push(format!("{}:\n{}", path.display(), render(&checked.text, &checked.diagnostics)));
        }
    }
    assert!(failures.is_empty(), "valid M got diagnostics:\n{}", failures.join("\n"));
}

#[test]
fn error_fixtures_match_their_snapshots() {
    for path in fixtures("err") {
        let checked = syntax::check_bytes(&std::fs::read(&path).unwrap());
        assert!(!checked.diagnostics.is_empty(), "{} has no diagnostic", path.display());
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        insta::with_settings!({ prepend_module_to_snapshot => false, input_file => &path, omit_expression => true }, {
            insta::assert_snapshot!(format!("syntax_err__{name}"), render(&checked.text, &checked.diagnostics));
        });
    }
}

/// Every range inside the text and on character boundaries; related ranges too.
fn assert_ranges_inside(text: &str, diagnostics: &[Diagnostic], context: &str) {
    for d in diagnostics {
        for range in std::iter::once(&d.range).chain(d.related.iter().map(|r| &r.range)) {
            assert!(
                range.start <= range.end && range.end <= text.len(),
                "{context}: range {range:?} outside a text of {} bytes ({})",
                text.len(),
                d.message
            );
            assert!(
                text.is_char_boundary(range.start) && text.is_char_boundary(range.end),
                "{context}: range {range:?} splits a character ({})",
                d.message
            );
        }
    }
}

#[test]
fn deep_nesting_is_a_deep_tree_not_a_stack_overflow() {
    let depth = 100_000;
    for (open, close) in [("(", ")"), ("{", "}"), ("[a=", "]")] {
        let text = format!("{}1{}", open.repeat(depth), close.repeat(depth));
        let parse = syntax::parse(&text);
        assert!(parse.diagnostics.is_empty(), "{open}: {:?}", parse.diagnostics.first());
        // Unbalanced: one closer short, so the diagnostics walk a huge ERROR-laden tree.
        let broken = &text[..text.len() - 1];
        let parse = syntax::parse(broken);
        assert!(!parse.diagnostics.is_empty(), "{open}: the missing closer is reported");
        assert_ranges_inside(broken, &parse.diagnostics, open);
    }
    let text = format!("{}1", "-".repeat(depth));
    assert!(syntax::parse(&text).diagnostics.is_empty());
    let text = format!("{}x{}", "let a = ".repeat(10_000), " in a".repeat(10_000));
    assert!(syntax::parse(&text).diagnostics.is_empty());
}

#[test]
fn odd_files_give_clean_results_or_clear_diagnostics() {
    assert!(syntax::check_bytes(b"").diagnostics.is_empty());
    assert!(syntax::check_bytes(b"// only a comment").diagnostics.is_empty());
    assert!(syntax::check_bytes(b"/* only a comment */").diagnostics.is_empty());
    assert!(syntax::check_bytes(b"\xef\xbb\xbf").diagnostics.is_empty());

    let binary = syntax::check_bytes(b"PK\x03\x04\x00\x00\x08\x00section");
    assert_eq!(binary.diagnostics.len(), 1);
    assert_eq!(binary.diagnostics[0].code.id, "M108");
    assert!(binary.diagnostics[0].message.contains("offset 4"), "{}", binary.diagnostics[0].message);

    let checked = syntax::check_bytes(b"section S;\nshared A = \"caf\xe9\";\nshared B = 1 +;\n");
    let codes: Vec<&str> = checked.diagnostics.iter().map(|d| d.code.id).collect();
    assert_eq!(codes, ["M100", "M102"], "{:?}", checked.diagnostics);
    assert!(checked.diagnostics[0].message.contains("offset 26"), "{}", checked.diagnostics[0].message);
    assert_eq!(checked.diagnostics[0].range, 26..27);
}

#[test]
fn crlf_and_bom_do_not_shift_ranges() {
    let lf = "section S;\nshared A = let\n  a = 1\n  b = 2\nin\n  a;\n";
    let crlf = format!("\u{feff}{}", lf.replace('\n', "\r\n"));
    let positions = |text: &str| {
        let index = LineIndex::new(text);
        syntax::parse(text)
            .diagnostics
            .iter()
            .map(|d| {
                (d.code.id, index.line_column(text, d.range.start), index.line_column(text, d.range.end))
            })
            .collect::<Vec<_>>()
    };
    let expected = positions(lf);
    assert!(!expected.is_empty());
    assert_eq!(positions(&crlf), expected);
}

#[test]
fn large_files_parse() {
    // About 50 MB of realistic members: must finish (in seconds, not minutes) and report the one error.
    let member = "shared #\"Query {n}\" = let Source = Table.FromRows({{{1, \"a\"}, {2, \"b\"}}}), Typed = Table.TransformColumnTypes(Source, {{\"Column1\", Int64.Type}}) in Typed;\n";
    let mut text = String::from("section Section1;\n");
    let mut n = 0;
    while text.len() < 50 << 20 {
        text.push_str(&member.replace("{n}", &n.to_string()));
        n += 1;
    }
    text.push_str("shared Broken = (1 + ;\n");
    let parse = syntax::parse(&text);
    assert_eq!(parse.diagnostics.len(), 1, "{:?}", parse.diagnostics);
    assert!(parse.diagnostics[0].range.start > 50 << 20);
}

/// Four megabytes of symbols with no space between them lex as one name, with one diagnostic for its first
/// bad character (the lexical pass checks the name once and skips the rest of it).
#[test]
fn a_huge_name_of_symbols_is_one_diagnostic() {
    let text = format!("x = a{}", "→".repeat((4 << 20) / 3));
    let parse = syntax::parse(&text);
    let codes: Vec<&str> = parse.diagnostics.iter().map(|d| d.code.id).collect();
    assert_eq!(codes, ["M109"], "{:?}", &parse.diagnostics[..parse.diagnostics.len().min(3)]);
    assert_eq!(parse.diagnostics[0].range, 5..8);
}

/// A flood of errors (every `)` stray) shows the first hundred and counts the rest where the next one was.
#[test]
fn a_flood_of_errors_is_limited_to_a_hundred_and_the_rest_counted() {
    let strays = 150;
    let text = format!("section Section1;\nshared Q = 1{};\n", ")".repeat(strays));
    let parse = syntax::parse(&text);
    let limit = syntax::MAX_SYNTAX_ERRORS;
    assert_eq!(parse.diagnostics.len(), limit + 1, "{:#?}", &parse.diagnostics[limit - 2..]);
    assert!(parse.diagnostics[..limit].iter().all(|d| d.code.id == "M101"), "{:#?}", parse.diagnostics);
    let count = &parse.diagnostics[limit];
    assert_eq!(count.code.id, "M110");
    let first_stray = text.find(')').unwrap();
    assert_eq!(count.range, first_stray + limit..first_stray + limit, "where the 101st `)` is");
    assert!(count.message.contains(&format!("{} more", strays - limit)), "{}", count.message);
    // At the limit, nothing is counted.
    let text = format!("section Section1;\nshared Q = 1{};\n", ")".repeat(limit));
    assert!(syntax::parse(&text).diagnostics.iter().all(|d| d.code.id == "M101"));
}

const PIECES: &[&str] = &[
    "let",
    "in",
    "if",
    "then",
    "else",
    "each",
    "try",
    "otherwise",
    "catch",
    "error",
    "section",
    "shared",
    "type",
    "meta",
    "as",
    "is",
    "and",
    "or",
    "not",
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
    "-",
    "*",
    "/",
    "&",
    "??",
    "<>",
    "<=",
    "..",
    "...",
    "@",
    "!",
    "?",
    "_",
    "x",
    "Table.AddColumn",
    "#\"a b\"",
    "#\"",
    "\"",
    "\"t\"",
    "#(cr)",
    "#(",
    "1",
    "0x",
    "1e",
    ".5",
    "/*",
    "*/",
    "//",
    "\n",
    "\r\n",
    " ",
    "\t",
    "é",
    "\u{feff}",
    "\u{a0}",
    "#table",
    "#date",
    "nullable",
    "optional",
    "[A B]",
    "...",
];

fn check_no_panic(text: &str, context: &str) {
    let parse = syntax::parse(text);
    assert_ranges_inside(text, &parse.diagnostics, context);
}

#[test]
fn random_and_mutated_input_never_panics() {
    let seeds: Vec<String> = fixtures("ok")
        .into_iter()
        .chain(fixtures("err"))
        .map(|path| String::from_utf8_lossy(&std::fs::read(path).unwrap()).into_owned())
        .collect();
    let mut random = Random(0x5eed_1234_abcd_ef01);
    for round in 0..1500 {
        let text = if round % 3 == 0 {
            // Random token soup.
            (0..random.below(80)).map(|_| PIECES[random.below(PIECES.len())]).collect::<Vec<_>>().join(" ")
        } else {
            // A fixture with a few pieces inserted, deleted or replaced at random character boundaries.
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
        check_no_panic(&text, &format!("round {round}: {text:?}"));
    }
    // Raw random bytes, through the byte entry point.
    for round in 0..300 {
        let bytes: Vec<u8> = (0..random.below(200)).map(|_| random.next() as u8).collect();
        let checked = syntax::check_bytes(&bytes);
        assert_ranges_inside(&checked.text, &checked.diagnostics, &format!("bytes round {round}: {bytes:?}"));
    }
}

#[test]
fn incremental_edits_agree_with_a_full_parse() {
    let mut random = Random(42);
    let base = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/syntax/ok/lakehouse-destination.pq"),
    )
    .unwrap();
    let mut document = Document::new(base.clone());
    for step in 0..300 {
        let text = document.text().to_owned();
        let mut at = random.below(text.len() + 1);
        while !text.is_char_boundary(at) {
            at -= 1;
        }
        let mut end = (at + random.below(4)).min(text.len());
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        let piece = PIECES[random.below(PIECES.len())];
        document.edit(at..end, piece);
        let mut expected = text.clone();
        expected.replace_range(at..end, piece);
        assert_eq!(document.text(), expected);
        let full = syntax::parse(&expected);
        assert_eq!(
            document.tree().root_node().to_sexp(),
            full.tree.root_node().to_sexp(),
            "step {step}: the incremental tree differs from a full parse of {expected:?} (edit {at}..{end} -> {piece:?})"
        );
        assert_eq!(document.diagnostics(), full.diagnostics, "step {step}");
        // Drift back towards valid text now and then, so the edits do not only pile up errors.
        if step % 50 == 49 {
            document = Document::new(base.clone());
        }
    }
}
