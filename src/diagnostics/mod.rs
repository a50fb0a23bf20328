//! The one diagnostic model of dfls, the registry of its codes, and the renderers that print it.
//!
//! Every check in dfls (syntax, names, JSON schemas, cross-file rules, Fabric) produces [`Diagnostic`]s:
//! a stable [`Code`], a [`Severity`], a message, a primary byte range, optional related ranges and an
//! optional [`Fix`]. Renderers in [`render`] turn a set of [`FileReport`]s into terminal, JSON, GitHub and
//! SARIF output; the language server converts the same values to LSP in one function. This module knows
//! no parser and no protocol; it may use [`crate::text`] to turn offsets into lines and columns.

pub mod codes;
pub mod render;

use std::ops::Range;

use serde::{Deserialize, Serialize};

pub use codes::Code;

/// How serious a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
    Info,
    Hint,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
            Severity::Hint => "hint",
        }
    }
}

/// A replacement of a byte range of a file's text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Edit {
    pub range: Range<usize>,
    pub new_text: String,
}

/// A change that resolves a diagnostic, computed once by the check that found the problem.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fix {
    pub title: String,
    pub edits: Vec<Edit>,
}

/// A secondary location that explains a diagnostic ("the `let` starts here").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Related {
    /// The file of the range, as in [`FileReport::path`]; `None` for the diagnostic's own file.
    pub path: Option<String>,
    pub range: Range<usize>,
    pub message: String,
}

/// One problem found in one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub code: Code,
    pub severity: Severity,
    pub message: String,
    /// Byte range in the file's text; may be empty (a point, e.g. where a token is missing).
    pub range: Range<usize>,
    pub related: Vec<Related>,
    /// Changes that resolve the problem, best first (a "did you mean" offers several).
    pub fixes: Vec<Fix>,
}

impl Diagnostic {
    /// A diagnostic with the code's default severity.
    pub fn new(code: Code, range: Range<usize>, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            code,
            severity: code.severity,
            message: message.into(),
            range,
            related: Vec::new(),
            fixes: Vec::new(),
        }
    }

    pub fn with_related(mut self, range: Range<usize>, message: impl Into<String>) -> Diagnostic {
        self.related.push(Related { path: None, range, message: message.into() });
        self
    }

    pub fn with_fix(mut self, fix: Fix) -> Diagnostic {
        self.fixes.push(fix);
        self
    }
}

/// A checked file: the text the diagnostics' ranges point into, and the diagnostics.
#[derive(Debug, Clone)]
pub struct FileReport {
    /// The path shown to the user: relative to where dfls was run when possible, with `/` separators;
    /// a part inside another file reads `payload.json#mashup.pq`.
    pub path: String,
    pub text: String,
    pub diagnostics: Vec<Diagnostic>,
}

impl FileReport {
    /// Sorts the diagnostics by position, then by code, so every renderer prints them in the same order.
    pub fn sort(&mut self) {
        self.diagnostics.sort_by(|a, b| {
            (a.range.start, a.range.end, a.code.id).cmp(&(b.range.start, b.range.end, b.code.id))
        });
    }
}

/// Counts over a set of reports, as printed at the end of a check.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub files: usize,
    pub errors: usize,
    pub warnings: usize,
    /// Info and hint diagnostics; not part of the JSON summary docs/architecture.md fixes.
    #[serde(skip)]
    pub notes: usize,
}

impl Summary {
    pub fn of(reports: &[FileReport]) -> Summary {
        let mut summary = Summary { files: reports.len(), ..Summary::default() };
        for diagnostic in reports.iter().flat_map(|report| &report.diagnostics) {
            match diagnostic.severity {
                Severity::Error => summary.errors += 1,
                Severity::Warning => summary.warnings += 1,
                Severity::Info | Severity::Hint => summary.notes += 1,
            }
        }
        summary
    }
}
