//! The JSON renderer: the one document `dfls check --format json` prints, exactly in the shape
//! docs/architecture.md fixes (`diagnostics` with 1-based lines and columns counted in Unicode scalar values, end exclusive,
//! then `summary`). Tools parse this, so a field is added only with docs/architecture.md and never renamed.

use std::io::{self, Write};

use serde::Serialize;

use super::{Files, Span};
use crate::diagnostics::{FileReport, Severity, Summary};
use crate::text::LineColumn;

#[derive(Serialize)]
struct Output<'a> {
    diagnostics: Vec<Diagnostic<'a>>,
    summary: Summary,
}

#[derive(Serialize)]
struct Diagnostic<'a> {
    path: &'a str,
    code: &'static str,
    severity: Severity,
    message: &'a str,
    start: Position,
    end: Position,
    related: Vec<Related<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    fixes: Vec<Fix<'a>>,
}

#[derive(Serialize)]
struct Related<'a> {
    path: &'a str,
    // A related location in a file that is not among the reports has no known text, so no position.
    #[serde(skip_serializing_if = "Option::is_none")]
    start: Option<Position>,
    #[serde(skip_serializing_if = "Option::is_none")]
    end: Option<Position>,
    message: &'a str,
}

#[derive(Serialize)]
struct Fix<'a> {
    title: &'a str,
    edits: Vec<Edit<'a>>,
}

#[derive(Serialize)]
struct Edit<'a> {
    start: Position,
    end: Position,
    #[serde(rename = "newText")]
    new_text: &'a str,
}

#[derive(Serialize)]
struct Position {
    line: u32,
    column: u32,
}

impl From<LineColumn> for Position {
    fn from(position: LineColumn) -> Position {
        Position { line: position.line, column: position.column }
    }
}

/// Writes the reports as one pretty-printed JSON document followed by a newline.
pub fn json(reports: &[FileReport], out: &mut dyn Write) -> io::Result<()> {
    let files = Files::new(reports);
    let mut diagnostics = Vec::new();
    for (id, report) in reports.iter().enumerate() {
        let file = files.get(id);
        for diagnostic in &report.diagnostics {
            let span = file.span(&diagnostic.range);
            let related = diagnostic
                .related
                .iter()
                .map(|related| {
                    let span =
                        files.related_file(id, related).map(|other| files.get(other).span(&related.range));
                    Related {
                        path: files.related_path(id, related),
                        start: span.map(|span| span.start.into()),
                        end: span.map(|span| span.end.into()),
                        message: &related.message,
                    }
                })
                .collect();
            let fixes = diagnostic.fixes.iter().map(|fix| Fix {
                title: &fix.title,
                edits: fix
                    .edits
                    .iter()
                    .map(|edit| {
                        let Span { start, end } = file.span(&edit.range);
                        Edit { start: start.into(), end: end.into(), new_text: &edit.new_text }
                    })
                    .collect(),
            });
            let fixes = fixes.collect();
            diagnostics.push(Diagnostic {
                path: &report.path,
                code: diagnostic.code.id,
                severity: diagnostic.severity,
                message: &diagnostic.message,
                start: span.start.into(),
                end: span.end.into(),
                related,
                fixes,
            });
        }
    }
    let output = Output { diagnostics, summary: Summary::of(reports) };
    serde_json::to_writer_pretty(&mut *out, &output)?;
    writeln!(out)
}
