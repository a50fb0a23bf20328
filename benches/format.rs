//! Formatter benchmark: formatting generated 1 MB section documents of realistic Dataflow Gen2 content
//! (the queries of the parse benchmark, written as one long line a step so that the formatter has to break
//! them), timed in its stages: the parse alone, the formatting of a parsed tree, both (what an editor's
//! format request costs), and `dfls fmt`'s checked formatting (which parses the output again and compares).
//!
//! Run with `cargo bench --bench format`; the README's performance table holds the figures. Each figure is
//! the median of several runs.

use std::time::{Duration, Instant};

use dfls::format::{self, Options};
use dfls::syntax;

/// One query, its names varied by `n`, laid out as Fabric writes it: each step on one line.
fn query(n: usize) -> String {
    format!(
        r##"
// Orders of region {n}, cleaned for the warehouse.
shared #"Orders {n}" = let
  Source = Sql.Database("sql-{n}.contoso.com", "Sales", [CommandTimeout = #duration(0, 0, 10, 0)]),
  Navigation = Source{{[Schema = "dbo", Item = "Orders"]}}[Data],
  #"Removed Columns" = Table.RemoveColumns(Navigation, {{"rowguid", "ModifiedDate"}}),
  #"Changed Type" = Table.TransformColumnTypes(#"Removed Columns", {{{{"OrderDate", type date}}, {{"Amount", type number}}, {{"Customer", type text}}}}),
  #"Filtered Rows" = Table.SelectRows(#"Changed Type", each [Amount] > {n} and [OrderDate] >= #date(2024, 1, 1)),
  #"Added Margin" = Table.AddColumn(#"Filtered Rows", "Margin", each try [Amount] * 0.{n} otherwise null, type nullable number),
  Lookup = #table(type table [Code = text, Label = text], {{{{"A", "Alpha #(cr,lf)"}}, {{"B", "Beta"}}}}),
  Joined = Table.NestedJoin(#"Added Margin", {{"Customer"}}, Lookup, {{"Code"}}, "Lookup", JoinKind.LeftOuter),
  Result = if Table.IsEmpty(Joined) then error Error.Record("Empty", "No rows for {n}") else Joined /* keep */
in
  Result;
[DataDestinations = {{[Definition = [Kind = "Reference", QueryName = "Orders {n}_DataDestination", IsNewTarget = true], Settings = [Kind = "Automatic", TypeSettings = [Kind = "Table"]]]}}]
shared #"Orders {n}_DataDestination" = let
  Pattern = Lakehouse.Contents([CreateNavigationProperties = false, EnableFolding = false]),
  Navigation_1 = Pattern{{[workspaceId = "00000000-0000-0000-0000-000000000000"]}}[Data],
  TableNavigation = Navigation_1{{[lakehouseId = "11111111-1111-1111-1111-111111111111"]}}[Data]{{[Id = "orders_{n}", ItemKind = "Table"]}}?[Data]?
in
  TableNavigation;
shared Fn{n} = (x as number, optional y as nullable text) as logical => x > {n} or (y ?? "") <> "";
"##
    )
}

/// Data that real dataflows embed, as in the parse benchmark: an "Enter data" table (a base64 blob) and a
/// native SQL query.
fn data_queries(n: usize) -> String {
    const BASE64: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut state = n as u64 * 2_654_435_761 + 1;
    let blob: String = (0..3000)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            BASE64[(state % 64) as usize] as char
        })
        .collect();
    format!(
        r##"
shared #"Entered data {n}" = let
  Source = Table.FromRows(Json.Document(Binary.Decompress(Binary.FromText("{blob}=", BinaryEncoding.Base64), Compression.Deflate)), let _t = ((type nullable text) meta [Serialized.Text = true]) in type table [Code = _t, Name = _t, Amount = _t]),
  #"Changed Type" = Table.TransformColumnTypes(Source, {{{{"Code", type text}}, {{"Name", type text}}, {{"Amount", Currency.Type}}}})
in
  #"Changed Type";
shared #"Native {n}" = Value.NativeQuery(Sql.Database("sql-{n}.contoso.com", "Sales"), "SELECT o.OrderId, o.OrderDate, c.Name AS Customer#(lf)FROM dbo.Orders AS o#(lf)JOIN dbo.Customers AS c ON c.CustomerId = o.CustomerId#(lf)WHERE o.OrderDate >= DATEADD(month, -{n}, GETDATE())", null, [EnableFolding = true]);
"##
    )
}

/// A section document of at least `bytes` bytes: only code (`dense`), or with one query group in four
/// also carrying an "Enter data" table and a native query, as real dataflows do.
fn document(bytes: usize, dense: bool) -> String {
    let mut text = String::from("[StagingDefinition = [Kind = \"FastCopy\"]]\nsection Section1;\n");
    let mut n = 0;
    while text.len() < bytes {
        text.push_str(&query(n));
        if !dense && n % 4 == 0 {
            text.push_str(&data_queries(n));
        }
        n += 1;
    }
    text
}

/// A preorder walk of every node with a tree cursor: the least any formatter over the tree costs.
fn walk(tree: &tree_sitter::Tree) -> usize {
    let mut cursor = tree.walk();
    let mut count = 0;
    loop {
        count += 1;
        if cursor.goto_first_child() {
            continue;
        }
        loop {
            if cursor.goto_next_sibling() {
                break;
            }
            if !cursor.goto_parent() {
                return count;
            }
        }
    }
}

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn time<T>(runs: usize, mut f: impl FnMut() -> T) -> Duration {
    median(
        (0..runs)
            .map(|_| {
                let start = Instant::now();
                std::hint::black_box(f());
                start.elapsed()
            })
            .collect(),
    )
}

fn main() {
    println!("{:<64} {:>12} {:>10}", "benchmark", "median", "MB/s");
    for (dense, name) in [(true, "dense code"), (false, "typical mix")] {
        let text = document(1 << 20, dense);
        let options = Options::default();
        let tree = syntax::parse(&text).tree;
        assert!(!tree.root_node().has_error(), "the generated document parses cleanly");
        let formatted = format::format_tree(&text, &tree, &options);
        assert_ne!(formatted, text, "the document needs formatting");
        assert_eq!(format::format(&formatted, &options), formatted, "formatting is stable");

        let runs = 15;
        let megabytes = text.len() as f64 / 1_048_576.0;
        let mut parser = syntax::new_parser();
        let rows: [(&str, Duration); 6] = [
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
