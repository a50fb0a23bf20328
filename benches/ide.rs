//! Editor features on a 10,000-line section document (about 800 queries of realistic Dataflow Gen2
//! steps): completion and hover, each measured two ways, given the parsed tree:
//!
//! - "analysis included": the analysis the feature needs is made in the measured time, with
//!   `ide::analyze_around` (only the query around the cursor);
//! - "analysis cached": the whole document's analysis is made once, as a server keeps it per version.
//!
//! Completion is also measured with a text left open (typed at the cursor, 100 lines above it, at the start
//! of the document), where the rest of the file reads as text and code swapped.
//!
//! Targets: completion under 20 ms, hover under 5 ms, analysis included. The whole document's analysis
//! and a few other features are shown for scale. Run with `cargo bench --bench ide`; each figure is the
//! median of many runs.

mod common;

use common::time;
use std::time::Duration;

use dfls::ide::{self, completion, hover, signature_help, FileId, FilePosition, Item, MFile};
use dfls::semantics;
use dfls::syntax;

/// One query of a realistic section document (13 lines), its names varied by `n`.
fn query(n: usize) -> String {
    let previous = if n == 0 { "Region".to_string() } else { format!("#\"Orders {}\"", n - 1) };
    format!(
        r##"shared #"Orders {n}" = let
    Source = #table({{"OrderDate", "Amount", "Region", "Customer"}}, {{}}),
    Navigation = Table.Buffer(Source),
    #"Removed Columns" = Table.RemoveColumns(Navigation, {{"Customer"}}),
    #"Changed Type" = Table.TransformColumnTypes(#"Removed Columns", {{{{"OrderDate", type date}}, {{"Amount", Currency.Type}}}}),
    #"Filtered Rows" = Table.SelectRows(#"Changed Type", each [Amount] > {n} and [Region] = Region),
    #"Added Margin" = Table.AddColumn(#"Filtered Rows", "Margin", each try [Amount] * 0.{n} otherwise null, type nullable number),
    Lookup = let _t = ((type nullable text) meta [Serialized.Text = true]) in #table(type table [Code = _t, Label = _t], {{{{"A", "Alpha"}}}}),
    Joined = Table.NestedJoin(#"Added Margin", {{"Region"}}, Lookup, {{"Code"}}, "Lookup", JoinKind.LeftOuter),
    Combined = if Table.IsEmpty(Joined) then {previous} else Joined,
    Result = List.Accumulate({{1, 2, 3}}, Combined, (state, current) => Table.AddIndexColumn(state, "I" & Text.From(current), 0, 1))
in
    Result;
"##
    )
}

fn document(lines: usize) -> String {
    let mut text = String::from(
        "[StagingDefinition = [Kind = \"FastCopy\"]]\nsection Section1;\nshared Region = \"EMEA\" meta [IsParameterQuery = true, Type = \"Text\"];\n",
    );
    let mut n = 0;
    while text.lines().count() < lines {
        text.push_str(&query(n));
        n += 1;
    }
    text
}

fn report(name: &str, elapsed: Duration, target_ms: Option<f64>) {
    let ms = elapsed.as_secs_f64() * 1e3;
    let verdict = match target_ms {
        Some(target) if ms < target => format!("  (target < {target} ms: met)"),
        Some(target) => format!("  (target < {target} ms: MISSED)"),
        None => String::new(),
    };
    println!("{name:<70} {ms:>9.3} ms{verdict}");
}

fn main() {
    let text = document(10_000);
    let tree = syntax::parse(&text).tree;
    let lines = text.lines().count();
    println!("document: {lines} lines, {} KB\n", text.len() / 1024);

    // Cursors in a query in the middle of the document.
    let middle = text.len() / 2;
    let query_start = middle + text[middle..].find("shared #\"Orders").expect("a query after the middle");
    let find = |needle: &str| query_start + text[query_start..].find(needle).expect("in the query");
    let expression = find("Table.AddColumn(") + "Table.Add".len(); // typing a library name
    let columns = find("each try [") + "each try [".len(); // column names of the step
    let argument = find("JoinKind.LeftOuter"); // the enum a parameter takes
    let library_name = find("Table.NestedJoin") + 3;
    let step_reference = find("Table.RemoveColumns(Navigation") + "Table.RemoveColumns(Nav".len();
    let query_reference = find("then #\"Orders") + "then #\"Ord".len();

    let whole = semantics::analyze(&tree, &text);
    report(
        "semantics::analyze, the whole document (for scale)",
        time(11, || semantics::analyze(&tree, &text)),
        None,
    );
    report(
        "ide::analyze_around (the query at the cursor)",
        time(201, || ide::analyze_around(&text, &tree, expression)),
        None,
    );
    println!();

    let cases: [(&str, usize); 3] = [
        ("completion of a library name", expression),
        ("completion of columns in each [", columns),
        ("completion of an enum argument", argument),
    ];
    for (name, offset) in cases {
        let cached = MFile::new(&text, &tree, &whole);
        let count = completion::completions(cached, offset).len();
        report(
            &format!("{name} ({count} items), analysis cached"),
            time(51, || completion::completions(cached, offset)),
            Some(20.0),
        );
        report(
            &format!("{name}, analysis included"),
            time(51, || {
                let local = ide::analyze_around(&text, &tree, offset);
                completion::completions(MFile::new(&text, &tree, &local.analysis), offset).len()
            }),
            Some(20.0),
        );
    }
    println!();
    unclosed_text(&text, query_start);
    println!();
    let hovers: [(&str, usize); 3] = [
        ("hover on a library function", library_name),
        ("hover on a step", step_reference),
        ("hover on a query", query_reference),
    ];
    for (name, offset) in hovers {
        let position = FilePosition { file: FileId::Mashup, offset };
        let cached = Item::mashup(MFile::new(&text, &tree, &whole));
        assert!(hover::hover(&cached, position).is_some(), "{name}");
        report(&format!("{name}, analysis cached"), time(201, || hover::hover(&cached, position)), Some(5.0));
        report(
            &format!("{name}, analysis included"),
            time(201, || {
                let local = ide::analyze_around(&text, &tree, offset);
                hover::hover(&Item::mashup(MFile::new(&text, &tree, &local.analysis)), position)
                    .map(|h| h.markdown.len())
            }),
            Some(5.0),
        );
    }
    println!();
    let cached = MFile::new(&text, &tree, &whole);
    let signature_at = find("\"Lookup\", JoinKind") + 3;
    report(
        "signature help, analysis cached",
        time(201, || signature_help::signature_help(cached, signature_at)),
        None,
    );
    report(
        "document symbols, whole document",
        time(11, || ide::symbols::document_symbols(cached).len()),
        None,
    );
    report(
        "semantic tokens, whole document",
        time(11, || ide::semantic_tokens::semantic_tokens(&text, &tree, Some(&whole), None).len()),
        None,
    );
    let window = find("Source = ")..find("in\n    Result;");
    report(
        "semantic tokens, one query (a range, as editors ask for the visible part)",
        time(101, || {
            ide::semantic_tokens::semantic_tokens(&text, &tree, Some(&whole), Some(window.clone())).len()
        }),
        None,
    );
    report(
        "folding ranges, whole document",
        time(11, || ide::folding::folding_ranges(&text, &tree).len()),
        None,
    );
    let item = Item::mashup(cached);
    let region = FilePosition { file: FileId::Mashup, offset: text.find("Region").expect("the parameter") };
    report(
        "find references of a parameter used by every query",
        time(21, || ide::navigation::find_references(&item, region, true).len()),
        None,
    );
    report(
        "rename a step (with the resolution check: reparse and reanalyse)",
        time(5, || {
            ide::rename::rename(&item, FilePosition { file: FileId::Mashup, offset: step_reference }, "Nav")
                .map(|c| c.files.len())
        }),
        None,
    );
}

/// Completion, analysis included, while a text is left open: typed at the cursor (the rest of the file
/// is then read as text and code swapped), or 100 lines above it, or at the start of the document.
fn unclosed_text(text: &str, query_start: usize) {
    let at_cursor = {
        let step = query_start + text[query_start..].find("    Navigation = ").expect("a step");
        let mut edited = text.to_string();
        edited.insert_str(step, "    Typed = \"some text being typed\n");
        (edited, step + "    Typed = \"some text being".len())
    };
    let cursor = query_start + text[query_start..].find("Table.Buffer(").expect("a call") + "Table.Buf".len();
    let above = {
        let line = text[..cursor].match_indices('\n').rev().nth(100).map_or(0, |(at, _)| at + 1);
        let quote = line + text[line..].find("{\"").expect("a list of texts") + 1;
        let mut edited = text.to_string();
        edited.insert(quote, '"');
        (edited, cursor + 1)
    };
    let start = {
        let header = text.find("section Section1;\n").expect("the header") + "section Section1;\n".len();
        let mut edited = text.to_string();
        edited.insert_str(header, "shared Open = \"abc;\n");
        (edited, cursor + "shared Open = \"abc;\n".len())
    };
    for (name, (text, offset)) in [
        ("completion in a text being typed (left open)", at_cursor),
        ("completion with a text left open 100 lines above", above),
        ("completion with a text left open at the start", start),
    ] {
        let started = std::time::Instant::now();
        let tree = syntax::parse(&text).tree;
        report("  (for scale: syntax::parse of that document, once)", started.elapsed(), None);
        report(
            &format!("{name}, analysis included"),
            time(5, || {
                let local = ide::analyze_around(&text, &tree, offset);
                completion::completions(MFile::new(&text, &tree, &local.analysis), offset).len()
            }),
            Some(20.0),
        );
    }
}
