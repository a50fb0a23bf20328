//! `dfls check` and `dfls fmt` on what no one should write but someone will: every construct of M nested
//! 20,000 levels deep, with and without syntax errors, many errors at depth, a megabyte on one line, and
//! deep JSON parts. Each run must end (no stack overflow, no panic) with the right exit code and a
//! well-formed report, within a budget far above what it takes (tenths of a second in a release build)
//! and far below what the walks that climbed the tree took (minutes, or hours: 2,000 lists missing a
//! comma took 399 s). The budgets are generous because the tests run the debug build on a loaded machine;
//! benches/check.rs has the real figures.

use std::path::Path;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use serde_json::Value;

/// How deep the constructs nest.
const DEPTH: usize = 20_000;
/// How long one run of the debug binary may take.
const BUDGET: Duration = Duration::from_secs(30);

/// Runs `dfls` in `dir` and returns its output and how long it took.
fn dfls(dir: &Path, args: &[&str]) -> (Output, Duration) {
    let started = Instant::now();
    let output = Command::new(env!("CARGO_BIN_EXE_dfls"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("the dfls binary runs");
    (output, started.elapsed())
}

/// `name` repeated to `DEPTH` levels around `middle`: `open` before, `close` after.
fn nest(open: &str, middle: &str, close: &str) -> String {
    format!("{}{middle}{}", open.repeat(DEPTH), close.repeat(DEPTH))
}

/// Deep documents without a syntax error.
fn valid() -> Vec<(&'static str, String)> {
    vec![
        ("parentheses", nest("(", "1", ")")),
        ("lists", nest("{", "1", "}")),
        ("records", nest("[a = ", "1", "]")),
        ("lets", nest("let x = ", "1", " in x")),
        ("each", nest("each ", "_", "")),
        ("if", nest("if true then ", "1", " else 2")),
        ("functions", nest("(x) => ", "x", "")),
        ("try", nest("try ", "1", " otherwise 2")),
        ("calls", nest("Number.From(", "1", ")")),
        ("signs", nest("-", "1", "")),
        ("not", nest("not ", "true", "")),
        ("list types", format!("type {}", nest("{", "number", "}"))),
        ("record types", format!("type {}", nest("[a = ", "number", "]"))),
        ("function types", format!("type {}", nest("function (x as ", "number", ") as number"))),
        ("nullable types", format!("type {}", nest("nullable ", "number", ""))),
        ("a binary chain", format!("1{}", " + 1".repeat(DEPTH))),
        ("field access", format!("[a = 1]{}", "[a]".repeat(DEPTH))),
        ("metadata", format!("1{}", " meta []".repeat(DEPTH))),
        ("a date with many signs", format!("#date({}2024, 1, 1)", "- ".repeat(DEPTH))),
        ("a megabyte on one line", format!("section S; shared A = {{{}1}};", "1, ".repeat(350_000))),
        (
            "a section of many queries",
            format!(
                "section S;\n{}",
                (0..DEPTH)
                    .map(|n| format!("shared Q{n} = let a = {{1, {n}}}, b = a in b;\n"))
                    .collect::<String>()
            ),
        ),
        // Each binding was found among the let's children by a search (quadratic: 100,000 steps took
        // minutes in the debug build).
        (
            "a let of many steps",
            format!(
                "section S; shared A = let {} in {{{}}};",
                (0..5 * DEPTH).map(|n| format!("s{n} = {n}")).collect::<Vec<_>>().join(", "),
                (0..5 * DEPTH).map(|n| format!("s{n}")).collect::<Vec<_>>().join(", ")
            ),
        ),
    ]
}

/// Deep documents with syntax errors (and some with many name errors).
fn broken() -> Vec<(&'static str, String)> {
    vec![
        ("unclosed parentheses", nest("(", "1", "")),
        ("unclosed lists", nest("{", "1", "")),
        ("unclosed records", nest("[a = ", "1", "")),
        ("lets without in", nest("let x = ", "1", "")),
        ("each without a body", nest("each ", ")", "")),
        ("ifs without else", nest("if x then ", "1", "")),
        ("functions without a body", nest("(x) => ", ",", "")),
        ("try without a body", nest("try ", "1 otherwise", "")),
        ("unclosed calls", nest("f(", "x", "")),
        ("unclosed list types", format!("type {}", nest("{", "number", ""))),
        ("unclosed record types", format!("type {}", nest("[a = ", "number", ""))),
        ("unclosed function types", format!("type {}", nest("function (x as ", "number", ""))),
        ("types in types", nest("type [a = ", "number", "]")),
        ("lists missing a comma", format!("section S; shared A = {};", nest("{1 2, ", "3", "}"))),
        ("unclosed lists missing a comma", format!("section S; shared A = {}", "{1 2, ".repeat(DEPTH))),
        ("errors at depth", nest("(", &"1 2 3 4 ".repeat(DEPTH), ")")),
        ("a binary chain of errors", format!("1{}", " + 1 1".repeat(DEPTH))),
        ("field accesses without each, deep", format!("f({})", nest("(", &"[a] + ".repeat(DEPTH), "1)"))),
        ("operators from other languages", format!("x = {}c", "a != b && ".repeat(DEPTH))),
        ("single quotes", format!("{{{}1}}", "'a', ".repeat(DEPTH))),
        ("field names to quote", format!("[{}]", "Order-ID = 1, ".repeat(DEPTH))),
        ("field names to quote, unclosed", format!("{{{}", "[Order-ID ".repeat(DEPTH))),
        ("broken members", format!("section S;\n{}", "shared A = (1 2;\n".repeat(DEPTH))),
        // Each unknown name searched the names in scope and the library for suggestions (31 s in a
        // release build); only the hundred shown get them now.
        (
            "a flood of unknown names",
            format!(
                "section S; shared A = {{{}}};",
                (0..5 * DEPTH).map(|n| format!("Unknown{n}")).collect::<Vec<_>>().join(", ")
            ),
        ),
        // tree-sitter recovers from each missing value by re-reading the error it is in: 160,000 of them
        // took a quarter of an hour; the check now gives up the rest of the file after its budget.
        (
            "a flood of fields without values",
            format!("section S; shared A = [{}];", "a = , ".repeat(3 * DEPTH)),
        ),
        (
            "a megabyte on one line with errors",
            format!("section S; shared A = {{{}1}};", "1 2, ".repeat(200_000)),
        ),
    ]
}

/// Checks `text` as an M file: the exit code says whether it has problems, the JSON report is complete
/// and points inside the text, and it took less than the budget.
fn check(dir: &Path, name: &str, text: &str, has_errors: bool) -> Value {
    std::fs::write(dir.join("deep.pq"), text).unwrap();
    let (output, elapsed) = dfls(dir, &["check", "--format", "json", "deep.pq"]);
    assert!(elapsed < BUDGET, "{name}: dfls check took {elapsed:?}");
    let expected = if has_errors { 1 } else { 0 };
    assert_eq!(output.status.code(), Some(expected), "{name}: {}", String::from_utf8_lossy(&output.stderr));
    let report: Value = serde_json::from_slice(&output.stdout).expect("one JSON document");
    let diagnostics = report["diagnostics"].as_array().unwrap();
    let errors = report["summary"]["errors"].as_u64().unwrap();
    assert_eq!(errors > 0, has_errors, "{name}: {} errors", errors);
    let lines = text.lines().count().max(1) as u64;
    for diagnostic in diagnostics {
        for end in ["start", "end"] {
            let line = diagnostic[end]["line"].as_u64().unwrap();
            assert!((1..=lines).contains(&line), "{name}: {diagnostic}");
        }
    }
    report
}

/// Formats `text` in place, then checks that the result is formatted: both within the budget.
fn format(dir: &Path, name: &str, text: &str) {
    std::fs::write(dir.join("deep.pq"), text).unwrap();
    let (output, elapsed) = dfls(dir, &["fmt", "deep.pq"]);
    assert!(elapsed < BUDGET, "{name}: dfls fmt took {elapsed:?}");
    assert_eq!(output.status.code(), Some(0), "{name}: {}", String::from_utf8_lossy(&output.stderr));
    let (again, elapsed) = dfls(dir, &["fmt", "--check", "deep.pq"]);
    assert!(elapsed < BUDGET, "{name}: dfls fmt --check took {elapsed:?}");
    assert_eq!(again.status.code(), Some(0), "{name}: formatting is not stable");
}

#[test]
fn deep_valid_documents_are_checked_and_formatted() {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in valid() {
        let report = check(dir.path(), name, &text, false);
        assert!(report["diagnostics"].as_array().unwrap().is_empty(), "{name}: {report}");
        format(dir.path(), name, &text);
    }
}

#[test]
fn deep_broken_documents_are_checked_and_formatted() {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in broken() {
        check(dir.path(), name, &text, true);
        format(dir.path(), name, &text);
    }
}

/// The case of the issue: 2,000 lists, each missing a comma, nested. The walk that climbed the tree for
/// each error took 399 s on it; each error is reported once, the first hundred shown and the rest counted.
#[test]
fn two_thousand_lists_missing_a_comma() {
    let dir = tempfile::tempdir().unwrap();
    let text = format!("section S; shared A = {}3{};", "{1 2, ".repeat(2_000), "}".repeat(2_000));
    let started = Instant::now();
    let report = check(dir.path(), "2,000 lists", &text, true);
    assert!(started.elapsed() < Duration::from_secs(10), "{:?}", started.elapsed());
    let diagnostics = report["diagnostics"].as_array().unwrap();
    let message = |d: &Value| d["message"].as_str().unwrap().to_owned();
    let missing_commas =
        diagnostics.iter().filter(|d| message(d).starts_with("expected `,` between list items")).count();
    assert_eq!(missing_commas, dfls::syntax::MAX_SYNTAX_ERRORS);
    let counted: Vec<String> = diagnostics.iter().filter(|d| d["code"] == "M110").map(message).collect();
    assert_eq!(counted.len(), 1, "{diagnostics:#?}");
    assert!(counted[0].contains("1900 more"), "{}", counted[0]);
}

/// Fields without values, 60,000 in a row: tree-sitter's recovery would take minutes; the check shows the
/// first hundred errors, and says that the rest of the file was not read. `dfls fmt` leaves it as written.
#[test]
fn errors_too_many_to_parse_in_time() {
    let dir = tempfile::tempdir().unwrap();
    let text = format!("section S; shared A = [{}];", "a = , ".repeat(3 * DEPTH));
    let report = check(dir.path(), "fields without values", &text, true);
    let diagnostics = report["diagnostics"].as_array().unwrap();
    let message = |d: &Value| d["message"].as_str().unwrap().to_owned();
    assert_eq!(diagnostics.len(), dfls::syntax::MAX_SYNTAX_ERRORS + 1, "{diagnostics:#?}");
    let last = diagnostics.last().unwrap();
    assert_eq!(last["code"], "M110");
    assert!(message(last).contains("was not read"), "{}", message(last));
    let (output, _) = dfls(dir.path(), &["fmt", "deep.pq"]);
    assert_eq!(std::fs::read_to_string(dir.path().join("deep.pq")).unwrap(), text, "{output:?}");
}

/// Megabytes of errors that tree-sitter parses but whose trees cost seconds to diagnose and analyse (a
/// million stray `)`: 2.8 s, 800 MB), or whose recovery costs the square of their number at the end of the
/// file (60,000 members each leaving a `(` open: 3.2 s), or on the way (200,000 missing commas in one
/// list): the check reads up to the thousandth unbalanced bracket, or stops a parse that falls behind the
/// pace of valid M, shows the first hundred errors of what it read and says that the rest was not read.
#[test]
fn megabytes_of_errors_are_read_only_as_far_as_they_are_shown() {
    let dir = tempfile::tempdir().unwrap();
    for (name, text, first) in [
        (
            "a million stray `)`",
            format!("section S;\nshared Q = 1{};\n", ")".repeat(1_000_000)),
            "unexpected `)`",
        ),
        (
            "members leaving a `(` open",
            format!("section S;\n{}", "shared A = (1 2;\n".repeat(60_000)),
            "expected `)` to close",
        ),
        (
            "missing commas",
            format!("section S;\nshared A = {{{}}};\n", "1 2, ".repeat(200_000)),
            "expected `,` between list items",
        ),
    ] {
        let report = check(dir.path(), name, &text, true);
        let diagnostics = report["diagnostics"].as_array().unwrap();
        let message = |d: &Value| d["message"].as_str().unwrap().to_owned();
        let last = diagnostics.last().unwrap();
        assert_eq!(last["code"], "M110", "{name}: {last}");
        assert!(message(last).contains("was not read"), "{name}: {}", message(last));
        assert!(message(&diagnostics[0]).starts_with(first), "{name}: {}", message(&diagnostics[0]));
        // The errors of what was read are shown, also those inside a bracket the cut left open.
        assert_eq!(diagnostics.len(), dfls::syntax::MAX_SYNTAX_ERRORS + 1, "{name}");
    }
}

/// Deep JSON parts: checked without overflowing a stack.
#[test]
fn deep_json_parts_are_checked() {
    let dir = tempfile::tempdir().unwrap();
    // None is a valid `queryMetadata.json` (an object of a known shape), so each has errors.
    for (name, text) in [
        ("nested arrays", format!("{}{}", "[".repeat(DEPTH), "]".repeat(DEPTH))),
        ("unclosed arrays", "[".repeat(DEPTH)),
        ("arrays missing a comma", format!("{}{}", "[1 ".repeat(DEPTH), "]".repeat(DEPTH))),
        ("nested objects", format!("{}1{}", "{\"a\": ".repeat(DEPTH), "}".repeat(DEPTH))),
        ("unclosed objects", format!("{}1", "{\"a\": ".repeat(DEPTH))),
    ] {
        std::fs::write(dir.path().join("queryMetadata.json"), &text).unwrap();
        let (output, elapsed) = dfls(dir.path(), &["check", "--format", "json", "queryMetadata.json"]);
        assert!(elapsed < BUDGET, "{name}: {elapsed:?}");
        assert_eq!(output.status.code(), Some(1), "{name}: {output:?}");
        let report: Value = serde_json::from_slice(&output.stdout).expect("one JSON document");
        assert!(report["summary"]["errors"].as_u64().unwrap() > 0, "{name}: {report}");
    }
}

/// An item of 10,000 queries, half of them without an entry in `queryMetadata.json` and 10,000 entries for
/// queries that do not exist: every finding is reported, in time linear in the item. The rules once looked
/// up every member among all the entries and each entry among all the members, and seeded each new GUID
/// with the whole file (a 50 MB item took 44-83 s where its `mashup.pq` alone takes 6 s).
#[test]
fn thousands_of_queries_and_entries_are_matched_in_linear_time() {
    let queries = 10_000;
    let dir = tempfile::tempdir().unwrap();
    let item = dir.path().join("Many.Dataflow");
    std::fs::create_dir(&item).unwrap();
    let mut mashup = "section Section1;\n".to_owned();
    let mut entries = Vec::new();
    for n in 0..queries {
        mashup.push_str(&format!("shared Q{n} = {n};\n"));
        if n % 2 == 0 {
            entries.push(format!("\"Q{n}\": {{\"queryId\": \"{}\", \"queryName\": \"Q{n}\"}}", guid(n)));
        }
        entries.push(format!(
            "\"Gone{n}\": {{\"queryId\": \"{}\", \"queryName\": \"Gone{n}\"}}",
            guid(queries + n)
        ));
    }
    let metadata = format!(
        "{{\"formatVersion\": \"202502\", \"computeEngineSettings\": {{}}, \"name\": \"Many\", \"queryGroups\": [], \
         \"documentLocale\": \"en-US\", \"queriesMetadata\": {{{}}}, \"connections\": []}}",
        entries.join(",\n")
    );
    std::fs::write(item.join("mashup.pq"), mashup).unwrap();
    std::fs::write(item.join("queryMetadata.json"), metadata).unwrap();
    std::fs::write(
        item.join(".platform"),
        r#"{"$schema": "https://developer.microsoft.com/json-schemas/fabric/gitIntegration/platformProperties/2.0.0/schema.json",
            "metadata": {"type": "Dataflow", "displayName": "Many"},
            "config": {"version": "2.0", "logicalId": "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5e"}}"#,
    )
    .unwrap();
    let (output, elapsed) = dfls(dir.path(), &["check", "--format", "json", "Many.Dataflow"]);
    assert!(elapsed < BUDGET, "dfls check took {elapsed:?}");
    assert_eq!(output.status.code(), Some(1), "{}", String::from_utf8_lossy(&output.stderr));
    let report: Value = serde_json::from_slice(&output.stdout).expect("one JSON document");
    let count =
        |code: &str| report["diagnostics"].as_array().unwrap().iter().filter(|d| d["code"] == code).count();
    assert_eq!((count("D110"), count("D111")), (queries / 2, queries));
}

/// A GUID made from a number.
fn guid(n: usize) -> String {
    format!("00000000-0000-4000-8000-{n:012x}")
}

/// A one-line `queryMetadata.json` whose 60,000 entries each break the schema: every finding is reported,
/// located by its pointer through an index of the large object (each was searched for among all the
/// members: 68 s for 180,000 findings in 13 MB, 3.7 s now, in the release build).
#[test]
fn a_one_line_json_part_with_thousands_of_findings() {
    let entries = 60_000;
    let dir = tempfile::tempdir().unwrap();
    let members: Vec<String> = (0..entries)
        .map(|n| format!("\"Query {n}\":{{\"queryId\":{n},\"queryName\":\"Query {n}\"}}"))
        .collect();
    let text = format!(
        "{{\"formatVersion\":\"202502\",\"computeEngineSettings\":{{}},\"name\":\"Big\",\"queryGroups\":[],\
         \"documentLocale\":\"en-US\",\"queriesMetadata\":{{{}}},\"connections\":[]}}",
        members.join(",")
    );
    std::fs::write(dir.path().join("queryMetadata.json"), &text).unwrap();
    let (output, elapsed) = dfls(dir.path(), &["check", "--format", "json", "queryMetadata.json"]);
    assert!(elapsed < BUDGET, "dfls check took {elapsed:?}");
    let report: Value = serde_json::from_slice(&output.stdout).expect("one JSON document");
    let diagnostics = report["diagnostics"].as_array().unwrap();
    let wrong_ids: Vec<&Value> = diagnostics.iter().filter(|d| d["code"] == "J102").collect();
    assert_eq!(wrong_ids.len(), entries, "{:?}", &diagnostics[..3]);
    // Each at its own value, on the one line.
    let last = wrong_ids.iter().map(|d| d["start"]["column"].as_u64().unwrap()).max().unwrap();
    let expected = text.rfind(&format!("\"queryId\":{}", entries - 1)).unwrap() + "\"queryId\":".len() + 1;
    assert_eq!(last as usize, expected);
}
