//! Schema fixtures: a Dataflow item's JSON files checked the way `dfls check` checks them (syntax, then
//! schema), rendered the way users see them.
//!
//! `tests/fixtures/json/valid/` holds files that must give no error or warning: the decoded example of the
//! Fabric REST specification, real-looking 202502 and 202409 `queryMetadata.json`, `.platform` 2.0.0 and
//! 2.1.0, `.schedules` and a legacy `dataflow-content.json`. `invalid/` holds files that must give at least
//! one. The kind of file comes from its name: `*.queryMetadata.json`, `*.platform`, `*.schedules`,
//! `*.dataflow-content.json`. Every fixture with diagnostics has a snapshot in `tests/snapshots/` with the
//! human and the JSON rendering; update them with `cargo insta review` (or
//! `INSTA_UPDATE=always cargo test --test json_schema`) and read the diff.

use std::path::{Path, PathBuf};

use dfls::diagnostics::render;
use dfls::diagnostics::{Diagnostic, FileReport, Severity};
use dfls::json::schema::{validate, SchemaKind};

fn fixtures(kind: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/json").join(kind);
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.expect("a readable directory entry").path())
        .collect();
    paths.sort();
    assert!(!paths.is_empty(), "no fixtures in {}", dir.display());
    paths
}

fn schema_kind(path: &Path) -> SchemaKind {
    let name = path.file_name().unwrap().to_string_lossy();
    if name.ends_with(".queryMetadata.json") {
        SchemaKind::QueryMetadata
    } else if name.ends_with(".platform") {
        SchemaKind::Platform
    } else if name.ends_with(".schedules") {
        SchemaKind::Schedules
    } else if name.ends_with(".dataflow-content.json") {
        SchemaKind::LegacyDataflowContent
    } else {
        panic!("{name}: a fixture's name ends with .queryMetadata.json, .platform, .schedules or .dataflow-content.json")
    }
}

/// The one place that calls the API: parse, then validate, as a report of the fixture's file.
fn check(group: &str, path: &Path) -> FileReport {
    let text = std::fs::read_to_string(path).unwrap();
    let json = dfls::json::parse(&text);
    let mut diagnostics: Vec<Diagnostic> = json.diagnostics.clone();
    diagnostics.extend(validate(schema_kind(path), &json));
    let name = path.file_name().unwrap().to_string_lossy();
    let mut report = FileReport { path: format!("{group}/{name}"), text, diagnostics };
    report.sort();
    report
}

fn rendered(report: &FileReport) -> String {
    let reports = std::slice::from_ref(report);
    let mut human = Vec::new();
    render::human(reports, &mut human, false).unwrap();
    let mut json = Vec::new();
    render::json(reports, &mut json).unwrap();
    format!("{}\n---- json ----\n{}", String::from_utf8(human).unwrap(), String::from_utf8(json).unwrap())
}

fn snapshot_name(report: &FileReport) -> String {
    report.path.replace('/', "__")
}

#[test]
fn valid_fixtures_have_no_errors_or_warnings() {
    let mut failures = Vec::new();
    for path in fixtures("valid") {
        let report = check("valid", &path);
        if report.diagnostics.iter().any(|d| d.severity <= Severity::Warning) {
            failures.push(rendered(&report));
        }
    }
    assert!(failures.is_empty(), "valid files got errors or warnings:\n{}", failures.join("\n"));
}

#[test]
fn valid_fixtures_have_no_diagnostics_but_the_2024_layout_note() {
    for path in fixtures("valid") {
        let report = check("valid", &path);
        let codes: Vec<&str> = report.diagnostics.iter().map(|d| d.code.id).collect();
        let content = &report.text;
        let expected: &[&str] = if content.contains("\"202409\"") { &["J107"] } else { &[] };
        assert_eq!(codes, expected, "{}", report.path);
        if !report.diagnostics.is_empty() {
            insta::assert_snapshot!(snapshot_name(&report), rendered(&report));
        }
    }
}

#[test]
fn invalid_fixtures_match_their_snapshots() {
    for path in fixtures("invalid") {
        let report = check("invalid", &path);
        assert!(
            report.diagnostics.iter().any(|d| d.severity <= Severity::Warning),
            "{} has no error or warning",
            path.display()
        );
        insta::assert_snapshot!(snapshot_name(&report), rendered(&report));
    }
}

/// The Fabric REST specification's CreateDataflow example, decoded, is the reference of a valid item.
#[test]
fn the_specification_example_is_valid() {
    for name in ["spec-CreateDataflow.queryMetadata.json", "spec-CreateDataflow.platform"] {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/json/valid").join(name);
        assert_eq!(check("valid", &path).diagnostics, []);
    }
}

/// Every diagnostic's range lies inside the text, on character boundaries, and the JSON document parses.
#[test]
fn ranges_are_inside_the_text() {
    for group in ["valid", "invalid"] {
        for path in fixtures(group) {
            let report = check(group, &path);
            for d in &report.diagnostics {
                let ranges = std::iter::once(&d.range).chain(d.related.iter().map(|r| &r.range));
                for range in ranges {
                    assert!(
                        range.start <= range.end && report.text.get(range.clone()).is_some(),
                        "{}: {range:?} ({})",
                        report.path,
                        d.message
                    );
                }
            }
        }
    }
}

/// Fabric adds keys to its files over time: a key no schema knows, added to any object of any valid file,
/// changes nothing (no error, no warning, no new note).
#[test]
fn a_new_key_in_any_object_of_a_valid_file_is_never_a_diagnostic() {
    fn objects(value: &serde_json::Value, pointer: String, out: &mut Vec<String>) {
        match value {
            serde_json::Value::Object(members) => {
                for (key, member) in members {
                    let escaped = key.replace('~', "~0").replace('/', "~1");
                    objects(member, format!("{pointer}/{escaped}"), out);
                }
                out.push(pointer);
            }
            serde_json::Value::Array(elements) => {
                for (index, element) in elements.iter().enumerate() {
                    objects(element, format!("{pointer}/{index}"), out);
                }
            }
            _ => {}
        }
    }
    let mut checked = 0;
    for path in fixtures("valid") {
        let original = check("valid", &path);
        let mut before: Vec<&str> = original.diagnostics.iter().map(|d| d.code.id).collect();
        before.sort_unstable();
        let value: serde_json::Value = serde_json::from_str(&original.text).unwrap();
        let mut pointers = Vec::new();
        objects(&value, String::new(), &mut pointers);
        // `queriesMetadata` is keyed by query name: a key there is a query, not a property.
        for pointer in pointers.into_iter().filter(|p| !p.ends_with("/queriesMetadata")) {
            let mut changed = value.clone();
            let object = changed.pointer_mut(&pointer).and_then(serde_json::Value::as_object_mut).unwrap();
            object.insert("aKeyFabricAddsLater".into(), serde_json::json!({"nested": [1, null, "x"]}));
            let text = serde_json::to_string_pretty(&changed).unwrap();
            let json = dfls::json::parse(&text);
            let mut after: Vec<&str> =
                validate(schema_kind(&path), &json).iter().map(|d| d.code.id).collect();
            after.sort_unstable();
            assert_eq!(after, before, "{} with a new key at `{pointer}`", path.display());
            checked += 1;
        }
    }
    assert!(checked > 50, "only {checked} objects were tried");
}

/// A file cut short anywhere (a truncated download, a save that stopped) is one mistake: exactly one `J100`,
/// at the end of what is there, saying what the file ends inside of.
#[test]
fn a_file_cut_at_any_point_gives_exactly_one_error_at_the_cut() {
    let mut cuts = 0;
    for path in fixtures("valid") {
        let text = std::fs::read_to_string(&path).unwrap();
        let complete = text.trim_end().len();
        for cut in (1..complete).filter(|&cut| text.is_char_boundary(cut)) {
            let truncated = &text[..cut];
            let json = dfls::json::parse(truncated);
            let errors: Vec<&Diagnostic> =
                json.diagnostics.iter().filter(|d| d.severity == Severity::Error).collect();
            assert_eq!(errors.len(), 1, "{} cut at {cut}: {:#?}", path.display(), json.diagnostics);
            let error = errors[0];
            assert_eq!(error.code.id, "J100");
            assert_eq!(error.range, truncated.trim_end().len()..truncated.trim_end().len(), "{cut}");
            assert!(error.message.starts_with("the file ends inside "), "{cut}: {}", error.message);
            cuts += 1;
        }
    }
    assert!(cuts > 5000, "{cuts} cuts");
}
