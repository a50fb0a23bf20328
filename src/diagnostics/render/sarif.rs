//! The SARIF renderer: a SARIF 2.1.0 log with one run, whose driver lists a rule for every code that
//! occurs, for code-scanning services (GitHub code scanning, Azure DevOps, IDE viewers). Regions use the
//! same 1-based lines and Unicode-scalar columns as every other format, declared with `columnKind`.

use std::collections::BTreeMap;
use std::io::{self, Write};
use std::ops::Range;

use serde_json::{json, Value};

use super::{File, Files};
use crate::diagnostics::{Code, FileReport, Severity};

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";
const INFORMATION_URI: &str = "https://github.com/dfls/dfls";

/// Writes the reports as one pretty-printed SARIF 2.1.0 log followed by a newline.
pub fn sarif(reports: &[FileReport], out: &mut dyn Write) -> io::Result<()> {
    let files = Files::new(reports);
    // Rules are listed once each, sorted by code, so `ruleIndex` is stable for a given set of codes.
    let codes: BTreeMap<&str, Code> = reports
        .iter()
        .flat_map(|report| &report.diagnostics)
        .map(|diagnostic| (diagnostic.code.id, diagnostic.code))
        .collect();
    let rule_index: BTreeMap<&str, usize> =
        codes.keys().enumerate().map(|(index, id)| (*id, index)).collect();
    let rules: Vec<Value> = codes
        .values()
        .map(|code| {
            json!({
                "id": code.id,
                "name": code.name,
                "shortDescription": {"text": code.summary},
                "helpUri": code.doc_url(),
                "defaultConfiguration": {"level": level(code.severity)},
            })
        })
        .collect();

    let mut results = Vec::new();
    for (id, report) in reports.iter().enumerate() {
        let file = files.get(id);
        for diagnostic in &report.diagnostics {
            let mut result = json!({
                "ruleId": diagnostic.code.id,
                "ruleIndex": rule_index[diagnostic.code.id],
                "level": level(diagnostic.severity),
                "message": {"text": diagnostic.message},
                "locations": [{"physicalLocation": physical_location(file.path, Some((file, &diagnostic.range)))}],
            });
            if !diagnostic.related.is_empty() {
                let related: Vec<Value> = diagnostic
                    .related
                    .iter()
                    .enumerate()
                    .map(|(index, related)| {
                        let path = files.related_path(id, related);
                        let other =
                            files.related_file(id, related).map(|other| (files.get(other), &related.range));
                        json!({
                            "id": index,
                            "physicalLocation": physical_location(path, other),
                            "message": {"text": related.message},
                        })
                    })
                    .collect();
                result["relatedLocations"] = Value::Array(related);
            }
            if !diagnostic.fixes.is_empty() {
                let fixes: Vec<Value> = diagnostic
                    .fixes
                    .iter()
                    .map(|fix| {
                        let replacements: Vec<Value> = fix
                            .edits
                            .iter()
                            .map(|edit| {
                                json!({
                                    "deletedRegion": region(file, &edit.range),
                                    "insertedContent": {"text": edit.new_text},
                                })
                            })
                            .collect();
                        json!({
                            "description": {"text": fix.title},
                            "artifactChanges": [{
                                "artifactLocation": {"uri": artifact_uri(file.path)},
                                "replacements": replacements,
                            }],
                        })
                    })
                    .collect();
                result["fixes"] = Value::Array(fixes);
            }
            results.push(result);
        }
    }

    let log = json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "dfls",
                "version": env!("CARGO_PKG_VERSION"),
                "informationUri": INFORMATION_URI,
                "rules": rules,
            }},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    });
    serde_json::to_writer_pretty(&mut *out, &log)?;
    writeln!(out)
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info | Severity::Hint => "note",
    }
}

/// A `physicalLocation`; without a known file text it names the artifact only.
fn physical_location(path: &str, range: Option<(&File, &Range<usize>)>) -> Value {
    let mut location = json!({"artifactLocation": {"uri": artifact_uri(path)}});
    if let Some((file, range)) = range {
        location["region"] = region(file, range);
    }
    location
}

fn region(file: &File, range: &Range<usize>) -> Value {
    let span = file.span(range);
    json!({
        "startLine": span.start.line,
        "startColumn": span.start.column,
        "endLine": span.end.line,
        "endColumn": span.end.column,
    })
}

/// The URI of a shown path: a relative reference for a relative path, a `file:` URI for an absolute one,
/// with every byte outside RFC 3986's unreserved set and `/` percent-encoded.
fn artifact_uri(path: &str) -> String {
    let bytes = path.as_bytes();
    let (mut uri, rest) = if path.starts_with('/') {
        (String::from("file://"), path)
    } else if bytes.len() >= 3 && bytes[0].is_ascii_alphabetic() && bytes[1] == b':' && bytes[2] == b'/' {
        // A Windows drive keeps its colon: `file:///C:/...`.
        (format!("file:///{}", &path[..2]), &path[2..])
    } else {
        (String::new(), path)
    };
    const PATH: &percent_encoding::AsciiSet = &crate::text::URI_COMPONENT.remove(b'/');
    uri.extend(percent_encoding::utf8_percent_encode(rest, PATH));
    uri
}

#[cfg(test)]
mod tests {
    use super::artifact_uri;

    #[test]
    fn uris_are_percent_encoded() {
        assert_eq!(artifact_uri("Sales Orders.Dataflow/mashup.pq"), "Sales%20Orders.Dataflow/mashup.pq");
        assert_eq!(artifact_uri("payload.json#mashup.pq"), "payload.json%23mashup.pq");
        assert_eq!(artifact_uri("Größe/a:b.pq"), "Gr%C3%B6%C3%9Fe/a%3Ab.pq");
        assert_eq!(artifact_uri("/tmp/a b.pq"), "file:///tmp/a%20b.pq");
        assert_eq!(artifact_uri("C:/src/a.pq"), "file:///C:/src/a.pq");
        assert_eq!(artifact_uri("<stdin>"), "%3Cstdin%3E");
    }
}
