//! `dfls check` on Dataflow items, data-driven: every folder under `tests/fixtures/items/` is one case (an
//! item folder, a folder holding a `*.Dataflow` item, a legacy `dataflow-content.json` or a REST payload).
//! The real binary checks it from `tests/fixtures/items/`, so paths read `<case>/mashup.pq`; its human
//! (`--color never`) and JSON output are one insta snapshot per case (`tests/snapshots/check_items__*.snap`,
//! updated with `cargo insta review`), and [`CASES`] lists exactly the diagnostics each case must have: file,
//! code and start. `valid-*` cases, the swagger's CreateDataflow example among them, and the repository's
//! examples must have none.
//!
//! Beyond the snapshots: every fix, applied, makes its diagnostic go away; payload fixtures are exactly what
//! `payload::encode` writes; a diagnostic inside the M string of a legacy item lands on the right character
//! of the JSON file.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use dfls::definition::parts::PartKind;
use dfls::definition::payload::{self, Definition};
use dfls::definition::{check_file, check_folder, FolderItem, ItemFile};
use dfls::diagnostics::{Diagnostic, FileReport};
use serde_json::Value;

/// Each case and its diagnostics, in output order: `path-in-case code line:column`.
const CASES: &[(&str, &[&str])] = &[
    ("d105-stray-files", &["docs/README.md D105 1:1", "notes.txt D105 1:1"]),
    ("d106-missing-mashup", &["Sales.Dataflow/queryMetadata.json D106 1:1"]),
    ("d106-missing-metadata", &["Sales.Dataflow/mashup.pq D106 1:1"]),
    ("d106-only-platform", &["Sales.Dataflow/.platform D106 1:1"]),
    ("d110-no-queries-metadata", &["queryMetadata.json D110 1:1"]),
    ("d110-query-without-metadata", &["queryMetadata.json D110 4:3", "queryMetadata.json D110 4:3"]),
    // A name error in mashup.pq leaves the list of queries reliable: D111 still says what it knows.
    ("d111-beside-unknown-name", &["mashup.pq M201 2:17", "queryMetadata.json D111 6:5"]),
    ("d111-metadata-without-query", &["queryMetadata.json D111 6:5", "queryMetadata.json D111 7:5"]),
    ("d112-query-name-mismatch", &["queryMetadata.json D112 5:5", "queryMetadata.json D112 6:5"]),
    (
        "d113-invalid-guid",
        &[
            "Sales.Dataflow/.platform D113 4:45",
            "Sales.Dataflow/queryMetadata.json D113 5:27",
            "Sales.Dataflow/queryMetadata.json D113 6:30",
            "Sales.Dataflow/queryMetadata.json D113 7:29",
        ],
    ),
    (
        "d114-duplicate-id",
        &["queryMetadata.json D114 6:12", "queryMetadata.json D114 10:22", "queryMetadata.json D114 11:22"],
    ),
    ("d115-unknown-query-group", &["queryMetadata.json D115 8:96"]),
    ("d116-unknown-parent-group", &["queryMetadata.json D116 6:82"]),
    ("d117-query-group-cycle", &["queryMetadata.json D117 5:80", "queryMetadata.json D117 6:81"]),
    ("d118-not-a-dataflow", &["Sales.Dataflow/.platform D118 3:24"]),
    ("d119-folder-name-mismatch", &["Sales.Dataflow/.platform D119 3:51"]),
    ("d120-unknown-destination-query", &["mashup.pq D120 4:69", "mashup.pq D120 6:85"]),
    ("d121-missing-mdf-part", &["mashup.pq D121 3:8"]),
    ("d122-mdf-without-query", &["Old transform.mdf D122 1:1", "Transform.mdf D122 1:1"]),
    ("d123-expression", &["mashup.pq D123 1:1"]),
    ("d123-two-sections", &["mashup.pq D123 3:9"]),
    // Each broken schedule rule at its value; the last schedule breaks the JSON schema, and only that is said.
    (
        "d124-invalid-schedule",
        &[
            "Sales.Dataflow/.schedules D124 7:53",
            "Sales.Dataflow/.schedules D124 12:61",
            "Sales.Dataflow/.schedules D124 12:69",
            "Sales.Dataflow/.schedules D124 12:135",
            "Sales.Dataflow/.schedules D124 16:18",
            "Sales.Dataflow/.schedules D124 17:78",
            "Sales.Dataflow/.schedules D124 17:143",
            "Sales.Dataflow/.schedules D124 22:7",
            "Sales.Dataflow/.schedules D124 22:7",
            "Sales.Dataflow/.schedules J102 30:18",
        ],
    ),
    (
        "d125-schedule-time-zone",
        &["Sales.Dataflow/.schedules D125 7:161", "Sales.Dataflow/.schedules D125 12:161"],
    ),
    ("d126-too-many-schedules", &["Sales.Dataflow/.schedules D126 24:5"]),
    (
        "layout-202409-errors",
        &[
            "queryMetadata.json J107 2:20",
            "queryMetadata.json D110 11:7",
            "queryMetadata.json D115 15:27",
            "queryMetadata.json D111 18:9",
        ],
    ),
    ("legacy-m-error", &["dataflow-content.json M102 4:89", "dataflow-content.json D110 7:5"]),
    (
        "payload-errors",
        &[
            "payload.json D105 10:17",
            "payload.json#mashup.pq D102 2:7",
            "payload.json#mashup.pq M102 3:20",
            "payload.json#queryMetadata.json D110 4:3",
        ],
    ),
    ("payload-missing-part", &["payload.json D106 3:5"]),
    ("syntax-and-json-errors", &["mashup.pq M102 2:34", "queryMetadata.json J100 6:85"]),
    ("valid-layout-202409", &["queryMetadata.json J107 2:20"]),
    ("valid-names-and-groups", &[]),
    ("valid-precision-corpus", &[]),
    ("valid-spec-create-dataflow", &[]),
];

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/items")
}

fn dfls(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_dfls"))
        .args(args)
        .current_dir(dir)
        .env_remove("NO_COLOR")
        .output()
        .expect("the dfls binary runs")
}

fn json_output(dir: &Path, path: &str) -> (Output, Value) {
    let output = dfls(dir, &["check", "--format", "json", path]);
    let json = serde_json::from_slice(&output.stdout).expect("stdout is one JSON document");
    (output, json)
}

/// `path code line:column` of each diagnostic of a JSON output, paths relative to `prefix`.
fn summarize(json: &Value, prefix: &str) -> Vec<String> {
    json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            let path = d["path"].as_str().unwrap();
            format!(
                "{} {} {}:{}",
                path.strip_prefix(prefix).unwrap_or(path),
                d["code"].as_str().unwrap(),
                d["start"]["line"],
                d["start"]["column"]
            )
        })
        .collect()
}

#[test]
fn every_case_has_exactly_its_diagnostics_and_a_snapshot() {
    let dir = fixtures();
    let mut cases: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    cases.sort();
    let listed: Vec<&str> = CASES.iter().map(|(case, _)| *case).collect();
    assert_eq!(
        cases, listed,
        "every fixture folder is listed in CASES, in order, and every case has a folder"
    );

    for (case, expected) in CASES {
        let (output, json) = json_output(&dir, case);
        let found = summarize(&json, &format!("{case}/"));
        assert_eq!(found, *expected, "{case}: {}", String::from_utf8_lossy(&output.stdout));
        let errors = json["summary"]["errors"].as_u64().unwrap();
        assert_eq!(output.status.code(), Some(if errors > 0 { 1 } else { 0 }), "{case}");
        assert!(output.stderr.is_empty(), "{case}: {}", String::from_utf8_lossy(&output.stderr));

        let human = dfls(&dir, &["check", "--color", "never", case]);
        assert_eq!(human.status.code(), output.status.code(), "{case}");
        let snapshot = format!(
            "exit code: {}\n\n{}\n{}",
            output.status.code().unwrap(),
            String::from_utf8(human.stdout).unwrap(),
            String::from_utf8(output.stdout).unwrap()
        );
        insta::assert_snapshot!(*case, snapshot);
    }
}

#[test]
fn the_examples_have_no_problems() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let (output, json) = json_output(root, "examples");
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stdout));
    assert_eq!(json["diagnostics"], Value::Array(Vec::new()));
    // Three items: two current (with an .mdf) and a legacy one.
    assert!(json["summary"]["files"].as_u64().unwrap() >= 9, "{json}");
}

/// A file named on its own stands for its item; the item is reported once however often it is named.
#[test]
fn a_file_of_an_item_stands_for_the_item() {
    let dir = fixtures().join("d121-missing-mdf-part");
    let (_, json) = json_output(&dir, "queryMetadata.json");
    assert_eq!(summarize(&json, ""), ["mashup.pq D121 3:8"]);
    let output = dfls(&dir, &["check", "--format", "json", "mashup.pq", ".", "queryMetadata.json"]);
    let json: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(summarize(&json, ""), ["mashup.pq D121 3:8"]);
    assert_eq!(json["summary"]["files"], 2);
}

/// A search finds items, payloads and loose M files, and leaves other JSON alone.
#[test]
fn a_search_finds_items_payloads_and_loose_files() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let copy = |case: &str, to: &str| {
        let from = fixtures().join(case);
        for entry in walk(&from) {
            let target = root.join(to).join(entry.strip_prefix(&from).unwrap());
            std::fs::create_dir_all(target.parent().unwrap()).unwrap();
            std::fs::copy(&entry, target).unwrap();
        }
    };
    copy("d121-missing-mdf-part", "items/Plain");
    copy("payload-missing-part", "deploy");
    std::fs::write(root.join("items/package.json"), r#"{"name": "x", "parts": "not a payload"}"#).unwrap();
    std::fs::write(root.join("items/tsconfig.json"), "{ not json").unwrap();
    std::fs::write(root.join("loose.pq"), "let a = 1").unwrap();
    let (_, json) = json_output(root, ".");
    assert_eq!(
        summarize(&json, ""),
        ["deploy/payload.json D106 3:5", "items/Plain/mashup.pq D121 3:8", "loose.pq M102 1:10"]
    );
    assert_eq!(
        json["summary"]["files"], 5,
        "the payload and its part, mashup.pq, queryMetadata.json, loose.pq"
    );
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                pending.push(path);
            } else {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

#[test]
fn payload_fixtures_are_what_payload_encode_writes() {
    for case in ["payload-errors", "payload-missing-part"] {
        let text = std::fs::read_to_string(fixtures().join(case).join("payload.json")).unwrap();
        let (parts, format, diagnostics) = payload::decode(&dfls::json::parse(&text));
        assert!(diagnostics.is_empty(), "{case}: {diagnostics:?}");
        let definition = Definition { format, parts: parts.into_iter().map(|p| p.part).collect() };
        assert_eq!(payload::encode(&definition), text, "{case}");
    }
}

/// The character at a 1-based line and column (in Unicode scalar values) of a text.
fn char_at(text: &str, line: u64, column: u64) -> &str {
    let line = text.lines().nth(line as usize - 1).unwrap();
    let start = line.char_indices().nth(column as usize - 1).unwrap().0;
    &line[start..]
}

#[test]
fn legacy_diagnostics_land_on_the_json_characters() {
    let dir = fixtures();
    let text = std::fs::read_to_string(dir.join("legacy-m-error/dataflow-content.json")).unwrap();
    let (_, json) = json_output(&dir, "legacy-m-error");
    let diagnostics = json["diagnostics"].as_array().unwrap();
    // `"a\tb" & ;` in the M, after `\"`, `\u00e9` and `\t` escapes: the missing operand is right after `&`.
    let m102 = &diagnostics[0]["start"];
    let (line, column) = (m102["line"].as_u64().unwrap(), m102["column"].as_u64().unwrap());
    assert!(char_at(&text, line, column - 1).starts_with("& ;\\r\\n"), "{m102}");
    let related = &diagnostics[1]["related"][0]["start"];
    assert!(char_at(&text, related["line"].as_u64().unwrap(), related["column"].as_u64().unwrap())
        .starts_with("Extra = 2"));
}

/// Applies a fix's edits to a text.
fn apply(text: &str, diagnostic: &Diagnostic) -> String {
    let mut edits = diagnostic.fixes[0].edits.clone();
    edits.sort_by_key(|edit| std::cmp::Reverse(edit.range.start));
    let mut text = text.to_string();
    for edit in edits {
        text.replace_range(edit.range, &edit.new_text);
    }
    text
}

/// Counts of codes per file, of every diagnostic.
fn counts(reports: &[FileReport]) -> BTreeMap<(String, &'static str), usize> {
    let mut counts = BTreeMap::new();
    for report in reports {
        for diagnostic in &report.diagnostics {
            *counts.entry((report.path.clone(), diagnostic.code.id)).or_default() += 1;
        }
    }
    counts
}

/// Reads the item folder of a case (the case folder, or its one `*.Dataflow` folder), top level only.
fn read_item(case: &str) -> Option<FolderItem> {
    let case_dir = fixtures().join(case);
    let dir = if case_dir.join("mashup.pq").exists() || case_dir.join("queryMetadata.json").exists() {
        case_dir
    } else {
        std::fs::read_dir(&case_dir)
            .unwrap()
            .map(|entry| entry.unwrap().path())
            .find(|path| path.extension().is_some_and(|e| e == "Dataflow"))?
    };
    let mut item =
        FolderItem { name: dir.file_name()?.to_string_lossy().into_owned(), ..FolderItem::default() };
    for path in walk(&dir) {
        let part_path = path.strip_prefix(&dir).unwrap().to_string_lossy().replace('\\', "/");
        if PartKind::of(&part_path) != PartKind::Unknown {
            item.files.push(ItemFile {
                shown: part_path.clone(),
                part_path,
                bytes: std::fs::read(&path).unwrap(),
                parsed: None,
            });
        }
    }
    Some(item)
}

#[test]
fn every_fix_resolves_its_diagnostic_and_nothing_else_changes() {
    let mut fixes = 0;
    for (case, _) in CASES {
        let Some(item) = read_item(case) else { continue };
        let reports = check_folder(item.clone());
        let before = counts(&reports);
        for report in &reports {
            for diagnostic in report.diagnostics.iter().filter(|d| !d.fixes.is_empty()) {
                fixes += 1;
                let fixed = apply(&report.text, diagnostic);
                let mut item = item.clone();
                let file = item.files.iter_mut().find(|f| f.shown == report.path).unwrap();
                file.bytes = fixed.clone().into_bytes();
                let after = counts(&check_folder(item));
                let mut expected = before.clone();
                let key = (report.path.clone(), diagnostic.code.id);
                *expected.get_mut(&key).unwrap() -= 1;
                expected.retain(|_, n| *n > 0);
                assert_eq!(after, expected, "{case}: the fix of `{}` gives\n{fixed}", diagnostic.message);
                assert!(dfls::json::parse(&fixed).diagnostics.is_empty() || report.path.ends_with(".pq"));
            }
        }
    }
    assert!(fixes >= 12, "the fixtures exercise the fixes ({fixes})");

    // The legacy item's D110 fix edits the same JSON file that holds the M.
    let path = "legacy-m-error/dataflow-content.json";
    let bytes = std::fs::read(fixtures().join(path)).unwrap();
    let reports = check_file(path, &bytes);
    let d110 = reports[0].diagnostics.iter().find(|d| d.code.id == "D110").unwrap();
    let fixed = apply(&reports[0].text, d110);
    let codes: Vec<&str> =
        check_file(path, fixed.as_bytes())[0].diagnostics.iter().map(|d| d.code.id).collect();
    assert_eq!(codes, ["M102"]);
}

/// An item whose `mashup.pq` comes already parsed and analysed (a language server's buffer) gets exactly
/// the diagnostics of one read from bytes.
#[test]
fn a_parsed_mashup_is_checked_as_its_bytes_are() {
    let mut compared = 0;
    for (case, _) in CASES {
        let Some(item) = read_item(case) else { continue };
        let mut parsed = item.clone();
        for file in parsed.files.iter_mut().filter(|f| f.part_path == "mashup.pq") {
            let Ok(text) = std::str::from_utf8(&file.bytes) else { continue };
            let tree = dfls::syntax::parse(text).tree;
            let names = dfls::semantics::analyze(&tree, text).diagnostics().to_vec();
            file.parsed = Some(dfls::definition::file::ParsedM { tree, names });
            compared += 1;
        }
        let plain: Vec<_> = check_folder(item).into_iter().map(|r| (r.path, r.text, r.diagnostics)).collect();
        let reused: Vec<_> =
            check_folder(parsed).into_iter().map(|r| (r.path, r.text, r.diagnostics)).collect();
        assert_eq!(format!("{plain:?}"), format!("{reused:?}"), "{case}");
    }
    assert!(compared >= 10, "the fixtures have mashups ({compared})");
}

/// Plain output of all three machine formats agrees on the paths of related locations in other files.
#[test]
fn related_locations_in_other_files() {
    let dir = fixtures();
    let (_, json) = json_output(&dir, "payload-errors");
    let d110 = json["diagnostics"].as_array().unwrap().iter().find(|d| d["code"] == "D110").unwrap();
    assert_eq!(d110["path"], "payload-errors/payload.json#queryMetadata.json");
    assert_eq!(d110["related"][0]["path"], "payload-errors/payload.json#mashup.pq");
    assert_eq!(d110["related"][0]["start"], serde_json::json!({"line": 4, "column": 8}));
    let github = dfls(&dir, &["check", "--format", "github", "payload-errors"]);
    assert!(String::from_utf8(github.stdout).unwrap().contains("payload-errors/payload.json#mashup.pq:4:8"));
}

/// A `queryMetadata.json` cut short is one mistake in the whole item: one `J100` at the cut, and no rule
/// concludes anything from the half that is there.
#[test]
fn a_truncated_query_metadata_gives_one_diagnostic_in_the_item() {
    for case in ["valid-names-and-groups", "valid-spec-create-dataflow", "valid-layout-202409"] {
        let item = read_item(case).unwrap();
        let file = item.files.iter().position(|f| f.part_path == "queryMetadata.json").unwrap();
        let full = String::from_utf8(item.files[file].bytes.clone()).unwrap();
        let complete = full.trim_end().len();
        let before = check_folder(item.clone()).iter().map(|r| r.diagnostics.len()).sum::<usize>();
        for cut in (1..complete).step_by(7).filter(|&cut| full.is_char_boundary(cut)) {
            let mut item = item.clone();
            item.files[file].bytes = full.as_bytes()[..cut].to_vec();
            let reports = check_folder(item);
            let all: Vec<(&str, &Diagnostic)> = reports
                .iter()
                .flat_map(|r| r.diagnostics.iter().map(move |d| (r.path.as_str(), d)))
                .collect();
            let new: Vec<_> = all.iter().filter(|(_, d)| d.code.id != "J107").collect();
            assert_eq!(new.len(), 1, "{case} cut at {cut}: {all:#?}");
            assert_eq!(new[0].1.code.id, "J100", "{case} cut at {cut}");
            assert!(all.len() <= before + 1, "{case} cut at {cut}");
        }
    }
}
