//! Name analysis benchmark: `semantics::analyze` (scopes, resolution, M2xx checks) of generated section
//! documents of 1,000 and 10,000 lines and of 1 MB with realistic Dataflow Gen2 queries (about 83 bytes a
//! line), next to the parse of the same text for scale; and the editor queries on the 10,000-line document.
//!
//! Run with `cargo bench --bench semantics`. Each figure is the median of several runs.

mod common;

use common::time;

use dfls::semantics;
use dfls::syntax;

/// One query of a realistic section document (13 lines), its names varied by `n`. It uses the previous
/// query, so members refer to each other as real dataflows do.
fn query(n: usize) -> String {
    let previous = if n == 0 { "Region".to_string() } else { format!("#\"Orders {}\"", n - 1) };
    format!(
        r##"shared #"Orders {n}" = let
    Source = Sql.Database("sql-{n}.contoso.com", "Sales", [CommandTimeout = #duration(0, 0, 10, 0)]),
    Navigation = Source{{[Schema = "dbo", Item = "Orders"]}}[Data],
    #"Removed Columns" = Table.RemoveColumns(Navigation, {{"rowguid", "ModifiedDate"}}),
    #"Changed Type" = Table.TransformColumnTypes(#"Removed Columns", {{{{"OrderDate", type date}}, {{"Amount", Currency.Type}}}}),
    #"Filtered Rows" = Table.SelectRows(#"Changed Type", each [Amount] > {n} and [Region] = Region),
    #"Added Margin" = Table.AddColumn(#"Filtered Rows", "Margin", each try [Amount] * 0.{n} otherwise null, type nullable number),
    Lookup = let _t = ((type nullable text) meta [Serialized.Text = true]) in #table(type table [Code = _t, Label = _t], {{{{"A", "Alpha"}}}}),
    Joined = Table.NestedJoin(#"Added Margin", {{"Customer"}}, Lookup, {{"Code"}}, "Lookup", JoinKind.LeftOuter),
    Combined = if Table.IsEmpty(Joined) then {previous} else Joined,
    Result = List.Accumulate({{1, 2, 3}}, Combined, (state, current) => Table.AddIndexColumn(state, "I" & Text.From(current), 0, 1))
in
    Result;
"##
    )
}

/// A section document of at least `lines` lines and `bytes` bytes.
fn document(lines: usize, bytes: usize) -> String {
    let mut text = String::from(
        "[StagingDefinition = [Kind = \"FastCopy\"]]\nsection Section1;\nshared Region = \"EMEA\" meta [IsParameterQuery = true, Type = \"Text\"];\n",
    );
    let mut n = 0;
    let mut line_count = text.lines().count();
    while line_count < lines || text.len() < bytes {
        let query = query(n);
        line_count += query.lines().count();
        text.push_str(&query);
        n += 1;
    }
    text
}

/// An editor query on the analysis, returning something so that it is not optimised away.
type Query<'a> = Box<dyn Fn() -> usize + 'a>;

fn main() {
    println!("{:<60} {:>12}", "benchmark", "median");
    let documents = [
        ("1,000 lines", document(1_000, 0)),
        ("10,000 lines", document(10_000, 0)),
        ("1 MB", document(0, 1 << 20)),
    ];
    for (label, text) in documents {
        let parse = syntax::parse(&text);
        assert!(parse.diagnostics.is_empty(), "the generated document parses cleanly");
        let analysis = semantics::analyze(&parse.tree, &text);
        assert!(analysis.diagnostics().is_empty(), "{:?}", &analysis.diagnostics()[..1]);
        let parse_time = time(9, || syntax::parse(&text));
        let analyze_time = time(21, || semantics::analyze(&parse.tree, &text));
        println!(
            "{:<60} {:>9.2} ms",
            format!("parse, {label} ({} KB), for scale", text.len() / 1024),
            parse_time.as_secs_f64() * 1e3
        );
        println!(
            "{:<60} {:>9.2} ms",
            format!(
                "analyze, {label} ({} definitions, {} references)",
                analysis.definitions().len(),
                analysis.references().len()
            ),
            analyze_time.as_secs_f64() * 1e3
        );
    }

    let text = document(10_000, 0);
    let parse = syntax::parse(&text);
    let analysis = semantics::analyze(&parse.tree, &text);
    let middle = text.len() / 2 + text[text.len() / 2..].find("Table.AddColumn(").unwrap() + 20;
    let queries: [(&str, Query); 4] = [
        (
            "definition_at + references_to",
            Box::new(|| analysis.definition_at(middle).map_or(0, |d| analysis.references_to(d).count())),
        ),
        (
            "occurrences of the parameter Region",
            Box::new(|| {
                let region = analysis.definition_at(text.find("Region").unwrap()).unwrap();
                analysis.occurrences(region).len()
            }),
        ),
        ("visible_at (completion)", Box::new(|| analysis.visible_at(middle).len())),
        (
            "invocation_at (signature help)",
            Box::new(|| analysis.invocation_at(middle).map_or(0, |i| i.argument)),
        ),
    ];
    for (name, query) in queries {
        let elapsed = time(101, &query);
        println!("{:<60} {:>9.3} ms", format!("{name}, 10,000 lines"), elapsed.as_secs_f64() * 1e3);
    }
}
