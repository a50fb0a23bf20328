//! The diagnostics of an item or a loose file, computed by `definition` exactly as `dfls check` computes
//! them, from snapshots: the item folder with the open buffers in place of their files
//! ([`definition::check_folder`]), or a loose file by itself ([`definition::check_file`]).
//!
//! The result is one [`FileDiagnostics`] per file, with the snapshot its ranges point into, so the
//! conversion to the protocol needs nothing else. Also here: the fast syntax-only diagnostics of an open M
//! document ([`syntax_only`]), published on a keystroke before the full check of a large document is done.
//! Pure apart from what `workspace` read: no protocol, no IO.

use std::collections::HashMap;
use std::sync::Arc;

use super::document::{self, Language, Snapshot};
use super::workspace::ItemFiles;
use crate::definition::parts::MASHUP;
use crate::definition::{self, FolderItem};
use crate::diagnostics::{codes, Diagnostic, FileReport};
use crate::syntax;

/// The diagnostics of one file, with the snapshot their ranges refer to.
pub struct FileDiagnostics {
    pub snapshot: Arc<Snapshot>,
    pub diagnostics: Vec<Diagnostic>,
}

/// The files of a checked unit, by shown path (`FileReport::path`), so that related locations in other
/// files can be converted.
pub type Files = HashMap<String, Arc<Snapshot>>;

/// Checks an item folder as one unit: every file's own diagnostics and the cross-file rules (`D1xx`).
/// A stray M file that is open is also checked by itself, since its buffer deserves its syntax errors.
pub fn item(files: &ItemFiles) -> (Vec<FileDiagnostics>, Files) {
    let folder = FolderItem {
        name: files.name.clone(),
        shown: files.folder.to_string_lossy().into_owned(),
        files: files
            .parts
            .iter()
            .map(|f| definition::ItemFile {
                part_path: f.part_path.clone(),
                shown: f.snapshot.key.shown(),
                bytes: f.bytes.clone(),
                parsed: parsed(&f.snapshot).filter(|_| f.bytes == f.snapshot.text.as_bytes()),
            })
            .collect(),
        strays: files.strays.iter().map(|(part_path, s)| (part_path.clone(), s.key.shown())).collect(),
    };
    let by_shown: Files = files.snapshots().map(|s| (s.key.shown(), s.clone())).collect();
    let mut reports = definition::check_folder(folder);
    for (_, stray) in &files.strays {
        if stray.version.is_some() && stray.language == Language::M {
            let own = definition::check_file(&stray.key.shown(), stray.text.as_bytes());
            if let Some(report) = reports.iter_mut().find(|r| r.path == stray.key.shown()) {
                report.diagnostics.extend(own.into_iter().flat_map(|r| r.diagnostics));
                report.sort();
            }
        }
    }
    (attach(reports, &by_shown, files.snapshots().next()), by_shown)
}

/// Checks a file by itself, with the rules that need only it. The virtual parts of a REST payload
/// (`payload.json#mashup.pq`) have no document of their own and are left out.
///
/// An open M file's names are judged as `dfls check` judges a loose file's: a name one of its siblings
/// defines (`siblings`, asked only when a name is unknown) is no unknown name, and one still unknown in an
/// expression file is a warning.
pub fn loose(
    snapshot: &Arc<Snapshot>,
    siblings: impl FnOnce() -> std::collections::HashSet<String>,
) -> (Vec<FileDiagnostics>, Files) {
    let shown = snapshot.key.shown();
    let reports = match parsed(snapshot) {
        Some(mut parsed) => {
            parsed.names =
                definition::loose::name_diagnostics(snapshot.tree(), snapshot.analysis(), siblings);
            let mut report =
                definition::file::check_parsed_m(MASHUP, shown.clone(), snapshot.text.as_bytes(), &parsed)
                    .report;
            report.sort();
            vec![report]
        }
        None => definition::check_file(&shown, snapshot.text.as_bytes()),
    };
    let files: Files = [(shown, snapshot.clone())].into_iter().collect();
    (attach(reports, &files, Some(snapshot)), files)
}

/// An open M buffer's tree and name analysis, made once per version and shared with the features, for a
/// check that then parses and analyses nothing again. `None` for files read from disk and JSON.
fn parsed(snapshot: &Snapshot) -> Option<definition::file::ParsedM> {
    (snapshot.version.is_some() && snapshot.language == Language::M).then(|| definition::file::ParsedM {
        tree: snapshot.tree().clone(),
        names: snapshot.analysis().diagnostics().to_vec(),
    })
}

/// Pairs reports with snapshots. A report of no known file (an item-level problem of an empty folder) is
/// put on `fallback`, the item's first file.
fn attach(reports: Vec<FileReport>, files: &Files, fallback: Option<&Arc<Snapshot>>) -> Vec<FileDiagnostics> {
    let mut out: Vec<FileDiagnostics> = Vec::new();
    for report in reports {
        let snapshot = match files.get(&report.path).or(fallback) {
            Some(snapshot) => snapshot.clone(),
            None => continue,
        };
        match out.iter_mut().find(|f| Arc::ptr_eq(&f.snapshot, &snapshot)) {
            Some(existing) => existing.diagnostics.extend(report.diagnostics),
            None => out.push(FileDiagnostics { snapshot, diagnostics: report.diagnostics }),
        }
    }
    out
}

/// The fast diagnostics of an open M document after an edit: its syntax diagnostics from the
/// incrementally reparsed tree, and the other diagnostics of the last full check moved through the edits
/// since (`carried`). A binary buffer has only its `M108`.
pub fn syntax_only(snapshot: &Snapshot, carried: &[Diagnostic]) -> Vec<Diagnostic> {
    if crate::text::looks_binary(snapshot.text.as_bytes()) {
        return carried.iter().filter(|d| d.code == codes::M108).cloned().collect();
    }
    let mut diagnostics = syntax::diagnose(snapshot.tree(), &snapshot.text);
    diagnostics.extend(carried.iter().filter(|d| !document::is_syntax(d)).cloned());
    diagnostics.sort_by(|a, b| {
        (a.range.start, a.range.end, a.code.id).cmp(&(b.range.start, b.range.end, b.code.id))
    });
    diagnostics
}
