//! Renderers: one [`FileReport`] set in, one output format out. [`human`] is for a terminal, [`json`] is
//! the document docs/architecture.md fixes for tools, [`github`] prints GitHub Actions workflow commands (annotations)
//! and [`sarif`] a SARIF 2.1.0 log for code-scanning services.
//!
//! This module owns the conversion of byte ranges to the lines and columns users see, so every format
//! shows the same positions: [`Files`] builds one [`LineIndex`] per file and nothing here counts columns
//! another way. Renderers only write to the writer they are given; deciding on colors, on stdout and on
//! exit codes belongs to `cli`.

mod github;
mod human;
mod json;
mod sarif;

use std::collections::HashMap;
use std::io::{self, Write};
use std::ops::Range;

pub use github::github;
pub use human::human;
pub use json::json;
pub use sarif::sarif;

use super::{FileReport, Related};
use crate::text::{LineColumn, LineIndex};

/// An output format of diagnostics.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Human,
    Json,
    Github,
    Sarif,
}

/// Writes `reports` in `format`; `color` matters only to [`Format::Human`].
pub fn render(format: Format, reports: &[FileReport], out: &mut dyn Write, color: bool) -> io::Result<()> {
    match format {
        Format::Human => human(reports, out, color),
        Format::Json => json(reports, out),
        Format::Github => github(reports, out),
        Format::Sarif => sarif(reports, out),
    }
}

/// The files of a set of reports, each with its line index, so positions are computed once per file.
struct Files<'a> {
    files: Vec<File<'a>>,
    by_path: HashMap<&'a str, usize>,
}

/// One report's file: its shown path, its text and the line index of that text.
struct File<'a> {
    path: &'a str,
    text: &'a str,
    index: LineIndex,
}

/// A range as 1-based lines and columns; `end` is exclusive, like the byte range it comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Span {
    start: LineColumn,
    end: LineColumn,
}

impl<'a> Files<'a> {
    fn new(reports: &'a [FileReport]) -> Files<'a> {
        let files: Vec<File<'a>> = reports
            .iter()
            .map(|report| File {
                path: &report.path,
                text: &report.text,
                index: LineIndex::new(&report.text),
            })
            .collect();
        let mut by_path = HashMap::new();
        for (id, file) in files.iter().enumerate() {
            by_path.entry(file.path).or_insert(id);
        }
        Files { files, by_path }
    }

    fn get(&self, id: usize) -> &File<'a> {
        &self.files[id]
    }

    /// The file a related location of file `id` points into: `id` itself unless the location names
    /// another path. `None` when that path is not one of the reports, so its text is unknown.
    fn related_file(&self, id: usize, related: &Related) -> Option<usize> {
        match &related.path {
            None => Some(id),
            Some(path) => self.by_path.get(path.as_str()).copied(),
        }
    }

    /// The path a related location of file `id` is shown with.
    fn related_path<'r>(&'r self, id: usize, related: &'r Related) -> &'r str {
        related.path.as_deref().unwrap_or(self.files[id].path)
    }
}

impl File<'_> {
    fn span(&self, range: &Range<usize>) -> Span {
        Span {
            start: self.index.line_column(self.text, range.start),
            end: self.index.line_column(self.text, range.end),
        }
    }
}

/// "1 error", "2 errors".
fn count(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

#[cfg(test)]
mod tests;
