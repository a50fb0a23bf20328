//! `dfls check` over 1,000 generated Dataflow items of realistic size, through the real binary: discovery,
//! reading, M syntax, JSON schemas and cross-file rules, JSON output. Run with `cargo bench --bench check`;
//! the README's performance table holds the figure. Each item has eight queries (about 9 KB of M), their
//! metadata with query groups, and a `.platform`.
//!
//! Then `dfls check` and `dfls fmt --check` on adversarial M files (`cargo bench --bench check -- deep` for
//! these alone): every construct nested 100,000 levels deep, with and without syntax errors, many errors at
//! depth, one-line files of 1 and 10 MB, and the issue's 2,000 lists missing a comma.

use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

const ITEMS: usize = 1_000;
const QUERIES_PER_ITEM: usize = 8;

/// A GUID that is stable for the same inputs.
fn guid(item: usize, n: usize) -> String {
    let x =
        (item as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ (n as u64).wrapping_mul(0xC2B2_AE3D_27D4_EB4F);
    format!(
        "{:08x}-{:04x}-4{:03x}-8{:03x}-{:012x}",
        x >> 32,
        (x >> 16) & 0xFFFF,
        x & 0xFFF,
        (x >> 20) & 0xFFF,
        x & 0xFFFF_FFFF_FFFF
    )
}

fn item(dir: &Path, item: usize) {
    let name = format!("Item {item:04}");
    let folder = dir.join(format!("{name}.Dataflow"));
    std::fs::create_dir_all(&folder).unwrap();
    let mut mashup = String::from("[StagingDefinition = [Kind = \"FastCopy\"]]\nsection Section1;\n");
    let mut queries = String::new();
    for n in 0..QUERIES_PER_ITEM {
        let query = format!("Query {n}");
        write!(
            mashup,
            r#"shared #"{query}" = let
  Source = Sql.Database("sql-{item}.contoso.com", "Sales"),
  Navigation = Source{{[Schema = "dbo", Item = "Orders{n}"]}}[Data],
  #"Removed columns" = Table.RemoveColumns(Navigation, {{"rowguid", "ModifiedDate"}}),
  #"Changed column type" = Table.TransformColumnTypes(#"Removed columns", {{{{"OrderDate", type date}}, {{"Amount", Currency.Type}}, {{"Quantity", Int64.Type}}}}),
  #"Filtered rows" = Table.SelectRows(#"Changed column type", each [Amount] > {n} and [OrderDate] >= #date(2024, 1, 1)),
  #"Added margin" = Table.AddColumn(#"Filtered rows", "Margin", each try [Amount] * 0.{n} otherwise null, type nullable number),
  Grouped = Table.Group(#"Added margin", {{"Customer"}}, {{{{"Total", each List.Sum([Amount]), type number}}}})
in
  Grouped;
"#
        )
        .unwrap();
        if n > 0 {
            queries.push_str(",\n");
        }
        let group = if n % 2 == 0 { guid(item, 100) } else { guid(item, 101) };
        write!(
            queries,
            r#"    "{query}": {{"queryId": "{}", "queryName": "{query}", "queryGroupId": "{group}", "loadEnabled": {}}}"#,
            guid(item, n),
            n % 3 != 0
        )
        .unwrap();
    }
    std::fs::write(folder.join("mashup.pq"), mashup).unwrap();
    std::fs::write(
        folder.join("queryMetadata.json"),
        format!(
            r#"{{
  "formatVersion": "202502",
  "computeEngineSettings": {{}},
  "name": "{name}",
  "queryGroups": [
    {{"id": "{}", "name": "Staging", "order": 0}},
    {{"id": "{}", "name": "Output", "order": 1}}
  ],
  "documentLocale": "en-US",
  "queriesMetadata": {{
{queries}
  }},
  "connections": []
}}
"#,
            guid(item, 100),
            guid(item, 101)
        ),
    )
    .unwrap();
    std::fs::write(
        folder.join(".platform"),
        format!(
            r#"{{
  "$schema": "https://developer.microsoft.com/json-schemas/fabric/gitIntegration/platformProperties/2.0.0/schema.json",
  "metadata": {{"type": "Dataflow", "displayName": "{name}"}},
  "config": {{"version": "2.0", "logicalId": "{}"}}
}}
"#,
            guid(item, 999)
        ),
    )
    .unwrap();
}

fn main() {
    if !std::env::args().any(|arg| arg == "deep") {
        items();
    }
    deep();
}

fn items() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    for i in 0..ITEMS {
        item(dir.path(), i);
    }
    let bytes: u64 = walk_size(dir.path());
    let binary = env!("CARGO_BIN_EXE_dfls");
    let mut runs: Vec<Duration> = Vec::new();
    for _ in 0..5 {
        let start = Instant::now();
        let output = Command::new(binary)
            .args(["check", ".", "--format", "json"])
            .current_dir(dir.path())
            .output()
            .unwrap();
        runs.push(start.elapsed());
        let report: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON output");
        assert_eq!(
            report["summary"]["errors"], 0,
            "the generated items are clean: {}",
            &report["diagnostics"][0]
        );
        assert!(output.status.success());
    }
    runs.sort();
    println!(
        "dfls check, {ITEMS} items ({} files, {:.1} MB): median {:.0} ms (fastest {:.0} ms)",
        ITEMS * 3,
        bytes as f64 / 1_048_576.0,
        runs[runs.len() / 2].as_secs_f64() * 1e3,
        runs[0].as_secs_f64() * 1e3
    );
}

fn walk_size(dir: &Path) -> u64 {
    let mut total = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let entry = entry.unwrap();
        let meta = entry.metadata().unwrap();
        total += if meta.is_dir() { walk_size(&entry.path()) } else { meta.len() };
    }
    total
}

/// How deep the adversarial files nest.
const DEPTH: usize = 100_000;

fn nest(open: &str, middle: &str, close: &str) -> String {
    format!("{}{middle}{}", open.repeat(DEPTH), close.repeat(DEPTH))
}

/// The adversarial files: a name and the text.
fn adversarial() -> Vec<(&'static str, String)> {
    vec![
        ("parentheses", nest("(", "1", ")")),
        ("unclosed parentheses", nest("(", "1", "")),
        ("lists", nest("{", "1", "}")),
        ("unclosed lists", nest("{", "1", "")),
        ("records", nest("[a=", "1", "]")),
        ("unclosed records", nest("[a=", "1", "")),
        ("lets", nest("let x = ", "1", " in x")),
        ("lets without in", nest("let x = ", "1", "")),
        ("each", nest("each ", "1", "")),
        ("each without a body", nest("each ", ")", "")),
        ("ifs", nest("if x then ", "1", " else 2")),
        ("ifs without else", nest("if x then ", "1", "")),
        ("functions", nest("(x) => ", "x", "")),
        ("functions without a body", nest("(x) => ", ",", "")),
        ("try", nest("try ", "1", "")),
        ("try without a body", nest("try ", "1 otherwise", "")),
        ("calls", nest("f(", "x", ")")),
        ("unclosed calls", nest("f(", "x", "")),
        ("list types", format!("type {}", nest("{", "number", "}"))),
        ("record types", format!("type {}", nest("[a = ", "number", "]"))),
        ("function types", format!("type {}", nest("function (x as ", "number", ") as number"))),
        ("unclosed function types", format!("type {}", nest("function (x as ", "number", ""))),
        ("types in types", nest("type [a = ", "number", "]")),
        ("a binary chain", format!("1{}", " + 1".repeat(DEPTH))),
        ("a binary chain of errors", format!("1{}", " + 1 1".repeat(DEPTH))),
        ("field access", format!("x{}", "[a]".repeat(DEPTH))),
        ("lists missing a comma", format!("section S; shared A = {};", nest("{1 2, ", "3", "}"))),
        ("unclosed lists missing a comma", format!("section S; shared A = {}", "{1 2, ".repeat(DEPTH))),
        ("errors at depth", nest("(", &"1 2 3 4 ".repeat(DEPTH), ")")),
        ("field accesses without each, deep", format!("f({})", nest("(", &"[a] + ".repeat(DEPTH), "1)"))),
        ("operators from other languages", format!("x = {}c", "a != b && ".repeat(DEPTH))),
        ("field names to quote, unclosed", format!("{{{}", "[Order-ID ".repeat(DEPTH))),
        ("a let with `;` between 5,000 bindings", format!("let {}in a", "a = 1; ".repeat(5_000))),
        (
            "2,000 lists missing a comma (the issue's)",
            format!("section S; shared A = {}3{};", "{1 2, ".repeat(2_000), "}".repeat(2_000)),
        ),
        ("1 MB on one line", format!("section S; shared A = {{{}1}};", "1, ".repeat(350_000))),
        (
            "1 MB on one line, 200,000 errors",
            format!("section S; shared A = {{{}1}};", "1 2, ".repeat(200_000)),
        ),
        ("10 MB on one line", format!("section S; shared A = {{{}1}};", "1, ".repeat(3_500_000))),
    ]
}

/// `dfls check` and `dfls fmt --check` on each adversarial file: the best of three runs of each.
fn deep() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let binary = env!("CARGO_BIN_EXE_dfls");
    let best_of_three = |args: &[&str]| {
        let mut best = Duration::MAX;
        let mut diagnostics = 0;
        for _ in 0..3 {
            let start = Instant::now();
            let output = Command::new(binary).args(args).current_dir(dir.path()).output().unwrap();
            best = best.min(start.elapsed());
            assert!(output.status.code().is_some_and(|code| code <= 1), "{args:?}: {output:?}");
            if args[0] == "check" {
                let report: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON output");
                diagnostics = report["diagnostics"].as_array().unwrap().len();
            }
        }
        (best, diagnostics)
    };
    println!("\n{:<44} {:>9} {:>11} {:>9} {:>9}", "file", "size", "diagnostics", "check", "fmt");
    for (name, text) in adversarial() {
        std::fs::write(dir.path().join("deep.pq"), &text).unwrap();
        let (check, diagnostics) = best_of_three(&["check", "--format", "json", "deep.pq"]);
        let (fmt, _) = best_of_three(&["fmt", "--check", "deep.pq"]);
        println!(
            "{name:<44} {:>6} KB {diagnostics:>11} {:>6} ms {:>6} ms",
            text.len() / 1024,
            check.as_millis(),
            fmt.as_millis()
        );
    }
}
