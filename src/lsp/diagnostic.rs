//! The one conversion of a [`Diagnostic`] to an LSP diagnostic, and back from its `data` to quick fixes.
//!
//! An LSP diagnostic carries the code and a link to its documentation (`codeDescription.href`, from
//! [`Code::doc_url`](crate::diagnostics::Code::doc_url)), the severity, related locations (in other files
//! of the item through their URIs), the `Unnecessary` tag for [`semantics::UNNECESSARY`] codes, and the
//! fixes the check computed, as LSP text edits in `data`: `textDocument/codeAction` reads them back
//! ([`fixes`]) and never recomputes a check.

use serde::{Deserialize, Serialize};
use tower_lsp_server::ls_types::{
    self as lsp, CodeDescription, DiagnosticRelatedInformation, DiagnosticSeverity, DiagnosticTag, Location,
    NumberOrString, TextEdit,
};

use super::check::Files;
use super::convert::{Encoding, Lines};
use super::document::Snapshot;
use crate::diagnostics::{codes, Diagnostic, Severity};
use crate::semantics;

/// The `source` of every diagnostic the server publishes.
pub const SOURCE: &str = "dfls";

/// A fix as it travels in `Diagnostic.data`: edits of the diagnostic's own document, in LSP ranges of
/// the version the diagnostic was published for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FixData {
    pub title: String,
    pub edits: Vec<TextEdit>,
}

/// What `Diagnostic.data` holds.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct Data {
    fixes: Vec<FixData>,
}

/// Converts a diagnostic of `file`; related locations in other files are looked up in `files` by their
/// shown path (and dropped if the file is not there).
pub fn to_lsp(
    diagnostic: &Diagnostic,
    file: &Snapshot,
    files: &Files,
    encoding: Encoding,
) -> lsp::Diagnostic {
    let lines = file.lines(encoding);
    let related: Vec<DiagnosticRelatedInformation> = diagnostic
        .related
        .iter()
        .filter_map(|related| {
            let (uri, range) = match &related.path {
                None => (file.uri.clone(), lines.range(related.range.clone())),
                Some(path) => {
                    let other = files.get(path)?;
                    (other.uri.clone(), other.lines(encoding).range(related.range.clone()))
                }
            };
            Some(DiagnosticRelatedInformation {
                location: Location { uri, range },
                message: related.message.clone(),
            })
        })
        .collect();
    let fixes: Vec<FixData> = diagnostic
        .fixes
        .iter()
        .map(|fix| FixData {
            title: fix.title.clone(),
            edits: fix
                .edits
                .iter()
                .map(|edit| TextEdit {
                    range: lines.range(edit.range.clone()),
                    new_text: edit.new_text.clone(),
                })
                .collect(),
        })
        .collect();
    let code = diagnostic.code;
    lsp::Diagnostic {
        range: lines.range(diagnostic.range.clone()),
        severity: Some(severity(diagnostic.severity)),
        code: Some(NumberOrString::String(code.id.to_owned())),
        code_description: code.doc_url().parse().ok().map(|href| CodeDescription { href }),
        source: Some(SOURCE.to_owned()),
        message: diagnostic.message.clone(),
        related_information: (!related.is_empty()).then_some(related),
        tags: semantics::is_unnecessary(code).then(|| vec![DiagnosticTag::UNNECESSARY]),
        data: (!fixes.is_empty())
            .then(|| serde_json::to_value(Data { fixes }).expect("fixes serialize to JSON")),
    }
}

fn severity(severity: Severity) -> DiagnosticSeverity {
    match severity {
        Severity::Error => DiagnosticSeverity::ERROR,
        Severity::Warning => DiagnosticSeverity::WARNING,
        Severity::Info => DiagnosticSeverity::INFORMATION,
        Severity::Hint => DiagnosticSeverity::HINT,
    }
}

/// The fixes a published diagnostic carries in its `data`, best first; none for a diagnostic whose data
/// does not read back (another server's).
pub fn fixes(diagnostic: &lsp::Diagnostic) -> Vec<FixData> {
    diagnostic
        .data
        .as_ref()
        .and_then(|data| serde_json::from_value::<Data>(data.clone()).ok())
        .map(|data| data.fixes)
        .unwrap_or_default()
}

/// A diagnostic the client sent back (in a code action request) as the model sees it, without its fixes
/// (they are read from `data` by [`fixes`]); `None` for one that is not dfls's.
pub fn from_lsp(diagnostic: &lsp::Diagnostic, lines: &Lines) -> Option<Diagnostic> {
    let code = match &diagnostic.code {
        Some(NumberOrString::String(id)) => codes::find(id)?,
        _ => return None,
    };
    let mut model =
        Diagnostic::new(code, lines.byte_range_clamped(diagnostic.range), diagnostic.message.clone());
    model.severity = match diagnostic.severity {
        Some(DiagnosticSeverity::WARNING) => Severity::Warning,
        Some(DiagnosticSeverity::INFORMATION) => Severity::Info,
        Some(DiagnosticSeverity::HINT) => Severity::Hint,
        _ => Severity::Error,
    };
    Some(model)
}
