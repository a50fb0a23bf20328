//! Tests of the renderers over one fixture: a file with a byte-order mark, CRLF line ends and non-ASCII
//! text (so a column counted in bytes or UTF-16 would show), a file a related location points into, and a
//! clean file. Each renderer has a snapshot; the positions that matter are also asserted one by one.

use serde_json::Value;

use super::*;
use crate::diagnostics::{codes, Code, Diagnostic, Edit, Fix, Severity};

const UNUSED: Code =
    Code { id: "M399", name: "test-warning", severity: Severity::Warning, summary: "A test warning." };
const NOTE: Code = Code { id: "M398", name: "test-info", severity: Severity::Info, summary: "A test note." };

const MASHUP: &str = "\u{feff}section Ünïcode;\r\nshared Größe = \"é\" + ;\r\nshared Ä = Größe;\r\n";

fn at(text: &str, needle: &str) -> std::ops::Range<usize> {
    let start = text.find(needle).unwrap();
    start..start + needle.len()
}

fn fixture() -> Vec<FileReport> {
    let semicolon = MASHUP.find("+ ;").unwrap() + 2;
    let broken = Diagnostic::new(codes::M101, semicolon..semicolon + 1, "unexpected `;`")
        .with_related(at(MASHUP, "Größe"), "in the definition of `Größe`")
        .with_fix(Fix {
            title: "insert an operand".into(),
            edits: vec![Edit { range: semicolon..semicolon, new_text: "1 ".into() }],
        });
    let mut broken = broken;
    broken.related.push(Related {
        path: Some("other.pq".into()),
        range: 8..9,
        message: "the same mistake, 100% sure: here".into(),
    });
    broken.related.push(Related { path: Some("gone.pq".into()), range: 0..1, message: "not checked".into() });
    let unused = MASHUP.rfind("Ä").unwrap();
    let mut mashup = FileReport {
        path: "Sales Orders.Dataflow/mashup.pq".into(),
        text: MASHUP.into(),
        diagnostics: vec![
            Diagnostic::new(UNUSED, unused..unused + "Ä".len(), "`Ä` is never used"),
            broken,
            Diagnostic::new(NOTE, at(MASHUP, "Ünïcode"), "a section name, with a comma"),
        ],
    };
    mashup.sort();
    let other_text = "let a = 1\n";
    let other = FileReport {
        path: "other.pq".into(),
        text: other_text.into(),
        diagnostics: vec![Diagnostic::new(codes::M102, 9..9, "expected `in`")],
    };
    let clean = FileReport {
        path: "clean.pq".into(),
        text: "section S;\nshared A = 1;\n".into(),
        diagnostics: vec![],
    };
    vec![mashup, other, clean]
}

fn rendered(format: Format, reports: &[FileReport], color: bool) -> String {
    let mut out = Vec::new();
    render(format, reports, &mut out, color).unwrap();
    String::from_utf8(out).unwrap()
}

fn position(value: &Value) -> (u64, u64) {
    (value["line"].as_u64().unwrap(), value["column"].as_u64().unwrap())
}

#[test]
fn json_positions_count_scalar_values_after_bom_and_crlf() {
    let output = rendered(Format::Json, &fixture(), false);
    insta::assert_snapshot!("json", output);
    let json: Value = serde_json::from_str(&output).unwrap();
    let diagnostics = json["diagnostics"].as_array().unwrap();
    assert_eq!(diagnostics.len(), 4);

    // The note on `Ünïcode`: the BOM takes no column.
    assert_eq!(diagnostics[0]["code"], "M398");
    assert_eq!(diagnostics[0]["severity"], "info");
    assert_eq!(position(&diagnostics[0]["start"]), (1, 9));
    assert_eq!(position(&diagnostics[0]["end"]), (1, 16));
    assert!(diagnostics[0].get("fixes").is_none());

    // The `;` after `"é" + `: column 22 in scalar values (25 in bytes).
    let broken = &diagnostics[1];
    assert_eq!(broken["path"], "Sales Orders.Dataflow/mashup.pq");
    assert_eq!(broken["code"], "M101");
    assert_eq!(broken["severity"], "error");
    assert_eq!(position(&broken["start"]), (2, 22));
    assert_eq!(position(&broken["end"]), (2, 23));
    let related = broken["related"].as_array().unwrap();
    assert_eq!(related[0]["path"], "Sales Orders.Dataflow/mashup.pq");
    assert_eq!(position(&related[0]["start"]), (2, 8));
    assert_eq!(position(&related[0]["end"]), (2, 13));
    assert_eq!(related[1]["path"], "other.pq");
    assert_eq!(position(&related[1]["start"]), (1, 9));
    assert_eq!(related[2]["path"], "gone.pq");
    assert!(related[2].get("start").is_none());
    let edit = &broken["fixes"][0]["edits"][0];
    assert_eq!(position(&edit["start"]), (2, 22));
    assert_eq!(position(&edit["end"]), (2, 22));
    assert_eq!(edit["newText"], "1 ");

    assert_eq!(diagnostics[2]["severity"], "warning");
    assert_eq!(position(&diagnostics[2]["start"]), (3, 8));
    assert_eq!(position(&diagnostics[2]["end"]), (3, 9));

    // A point at the end of `let a = 1`, before the newline.
    assert_eq!(diagnostics[3]["path"], "other.pq");
    assert_eq!(position(&diagnostics[3]["start"]), (1, 10));
    assert_eq!(position(&diagnostics[3]["end"]), (1, 10));

    assert_eq!(json["summary"], serde_json::json!({"files": 3, "errors": 2, "warnings": 1}));
}

#[test]
fn json_without_diagnostics() {
    let reports = &fixture()[2..];
    let json: Value = serde_json::from_str(&rendered(Format::Json, reports, false)).unwrap();
    assert_eq!(
        json,
        serde_json::json!({"diagnostics": [], "summary": {"files": 1, "errors": 0, "warnings": 0}})
    );
}

#[test]
fn human_snippets_and_summary() {
    let output = rendered(Format::Human, &fixture(), false);
    insta::assert_snapshot!("human", output);
    assert!(output.contains("error[M101]: unexpected `;`"));
    assert!(output.contains("Sales Orders.Dataflow/mashup.pq:2:22"));
    assert!(output.contains("= help: see https://github.com/dfls/dfls/blob/main/docs/diagnostics.md#m101"));
    assert!(output.ends_with("2 errors, 1 warning, 1 note in 3 files\n"));
    assert!(!output.contains('\u{1b}'));
}

#[test]
fn human_colors_only_when_asked() {
    let colored = rendered(Format::Human, &fixture(), true);
    assert!(colored.contains("\u{1b}["));
    assert_eq!(rendered(Format::Human, &fixture()[2..], false), "no problems in 1 file\n");
}

#[test]
fn human_never_prints_control_characters_or_binary_content() {
    let text = "let a = \"\u{1b}[31m\u{9b}\" in b";
    let b = text.rfind('b').unwrap();
    let escape = FileReport {
        path: "escape.pq".into(),
        text: text.into(),
        diagnostics: vec![Diagnostic::new(codes::M101, b..b + 1, "unknown `b`")],
    };
    let binary = FileReport {
        path: "binary.pq".into(),
        text: "PK\u{3}\u{4}\0\0\u{1b}]0;title\u{7}\nmore".into(),
        diagnostics: vec![
            Diagnostic::new(codes::M108, 0..0, "binary"),
            Diagnostic::new(codes::M101, 12..30, "x"),
        ],
    };
    let output = rendered(Format::Human, &[escape, binary], false);
    insta::assert_snapshot!("human_control_characters", output);
    assert!(!output.contains(['\u{1b}', '\u{9b}', '\u{7}', '\0']));
    assert!(output.contains("escape.pq:1:21"));
}

#[test]
fn github_workflow_commands() {
    let output = rendered(Format::Github, &fixture(), false);
    insta::assert_snapshot!("github", output);
    let lines: Vec<&str> = output.lines().collect();
    assert_eq!(lines.len(), 4);
    assert!(lines[0].starts_with(
        "::notice file=Sales Orders.Dataflow/mashup.pq,line=1,col=9,endLine=1,endColumn=16,title=M398 test-info::"
    ));
    assert!(lines[1]
        .starts_with("::error file=Sales Orders.Dataflow/mashup.pq,line=2,col=22,endLine=2,endColumn=23,"));
    assert!(lines[1].contains("%0Aother.pq:1:9: the same mistake, 100%25 sure: here"));
    assert!(lines[2].starts_with("::warning "));
    assert!(lines[3].starts_with(
        "::error file=other.pq,line=1,col=10,endLine=1,endColumn=10,title=M102 missing-token::"
    ));
}

#[test]
fn sarif_log() {
    let output = rendered(Format::Sarif, &fixture(), false);
    insta::assert_snapshot!("sarif", output);
    let log: Value = serde_json::from_str(&output).unwrap();
    assert_eq!(log["version"], "2.1.0");
    assert!(log["$schema"].as_str().unwrap().contains("sarif-2.1.0"));
    let run = &log["runs"][0];
    assert_eq!(run["tool"]["driver"]["name"], "dfls");
    assert_eq!(run["tool"]["driver"]["version"], env!("CARGO_PKG_VERSION"));
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    let ids: Vec<&str> = rules.iter().map(|rule| rule["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["M101", "M102", "M398", "M399"]);
    assert_eq!(rules[0]["name"], "unexpected-token");
    assert_eq!(rules[0]["shortDescription"]["text"], codes::M101.summary);
    assert_eq!(rules[0]["helpUri"], codes::M101.doc_url());
    assert_eq!(rules[3]["defaultConfiguration"]["level"], "warning");

    let results = run["results"].as_array().unwrap();
    assert_eq!(results.len(), 4);
    let broken = &results[1];
    assert_eq!(broken["ruleId"], "M101");
    assert_eq!(broken["ruleIndex"], 0);
    assert_eq!(broken["level"], "error");
    let location = &broken["locations"][0]["physicalLocation"];
    assert_eq!(location["artifactLocation"]["uri"], "Sales%20Orders.Dataflow/mashup.pq");
    assert_eq!(
        location["region"],
        serde_json::json!({"startLine": 2, "startColumn": 22, "endLine": 2, "endColumn": 23})
    );
    assert_eq!(broken["relatedLocations"][0]["message"]["text"], "in the definition of `Größe`");
    assert_eq!(broken["relatedLocations"][1]["physicalLocation"]["region"]["startColumn"], 9);
    assert!(broken["relatedLocations"][2]["physicalLocation"].get("region").is_none());
    assert_eq!(results[0]["level"], "note");
    assert_eq!(results[0]["ruleIndex"], 2);
    assert_eq!(results[2]["level"], "warning");
}

#[test]
fn a_range_on_the_byte_order_mark_is_at_line_one_column_one() {
    let report = FileReport {
        path: "bom.pq".into(),
        text: MASHUP.into(),
        diagnostics: vec![Diagnostic::new(codes::M101, 0..1, "inside the mark")],
    };
    let human = rendered(Format::Human, std::slice::from_ref(&report), false);
    assert!(human.contains("bom.pq:1:1"));
    let json: Value = serde_json::from_str(&rendered(Format::Json, &[report], false)).unwrap();
    assert_eq!(position(&json["diagnostics"][0]["start"]), (1, 1));
    assert_eq!(position(&json["diagnostics"][0]["end"]), (1, 1));
}

/// A long line is shown cut to a window around each diagnostic on it: with 400 diagnostics on a 240 KB
/// line the output stays small, and each snippet shows its own label with the real line and column.
#[test]
fn long_lines_are_shown_around_the_label() {
    let unit = "Größe + x, ";
    let text = unit.repeat(20_000);
    let diagnostics: Vec<Diagnostic> = (0..400)
        .map(|n| {
            let start = n * 50 * unit.len() + "Größe + ".len();
            let mut diagnostic =
                Diagnostic::new(codes::M201, start..start + 1, format!("unknown `x` number {n}"));
            // A related location close by is shown as a label, one far away as a note.
            diagnostic = diagnostic.with_related(start - "Größe + ".len()..start - " + ".len(), "close by");
            diagnostic.with_related(text.len() - 1..text.len(), "far away")
        })
        .collect();
    let report = FileReport { path: "long.pq".into(), text: text.clone(), diagnostics };
    let output = rendered(Format::Human, std::slice::from_ref(&report), false);
    assert!(output.len() < 400 * 1_000, "{} bytes", output.len());
    let snippets: Vec<&str> = output.split("error[M201]").skip(1).collect();
    assert_eq!(snippets.len(), 400);
    let last = snippets[399];
    let column = 399 * 50 * unit.chars().count() + "Größe + ".chars().count() + 1;
    assert!(last.contains(&format!("long.pq:1:{column}")), "{last}");
    assert!(last.contains("öße + x, Größe") && last.contains('^'), "{last}");
    assert!(last.contains("close by") && last.contains("= long.pq: far away"), "{last}");
    assert!(last.lines().all(|line| line.len() < 400), "{last}");
}

/// Counts the writes a renderer makes to its writer.
struct CountingWriter {
    writes: usize,
    bytes: Vec<u8>,
}

impl std::io::Write for CountingWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.writes += 1;
        self.bytes.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The human output went to stderr in one write per piece of a snippet (hundreds for one diagnostic,
/// two million for a megabyte line shown whole): it is written in one piece now.
#[test]
fn the_human_output_is_written_in_few_writes() {
    let diagnostics: Vec<Diagnostic> = (0..20)
        .map(|n| Diagnostic::new(codes::M201, n * 4..n * 4 + 1, format!("unknown `x` number {n}")))
        .collect();
    let report = FileReport { path: "a.pq".into(), text: "x + ".repeat(30), diagnostics };
    let mut out = CountingWriter { writes: 0, bytes: Vec::new() };
    human(&[report], &mut out, true).unwrap();
    assert!(String::from_utf8_lossy(&out.bytes).contains("20 errors in 1 file"));
    assert!(out.writes <= 2, "{} writes", out.writes);
}

/// A line cut to a window says so.
#[test]
fn a_cut_line_is_told() {
    let text = format!("{}x{}", "a".repeat(5_000), "a".repeat(5_000));
    let report = FileReport {
        path: "long.pq".into(),
        text,
        diagnostics: vec![Diagnostic::new(codes::M201, 5_000..5_001, "here")],
    };
    let output = rendered(Format::Human, &[report], false);
    assert!(
        output.contains("line 1 of long.pq is 10001 bytes long; only the part around the label is shown"),
        "{output}"
    );
}
