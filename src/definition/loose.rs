//! Loose M files: `.pq`, `.pqm` and `.m` files outside any Dataflow item, as Power BI and connector projects
//! keep them, one query or function a file, each referring to its siblings by name.
//!
//! A folder of such files is read as one section: a file that is an expression (no `section`) defines the
//! name of its file (`Load.pq` is `Load`, `TripPin.Contents.pqm` is `TripPin.Contents`, `List Globals.pq` is
//! `#"List Globals"`), and a file that is a section document defines its `shared` members. A name a sibling
//! defines is no unknown name. In an expression file a name still unknown is a warning (`M201`), not an
//! error: it may come from a file dfls does not see; a section document is a whole program and stays
//! strict. What is not an unresolved name (a field access with no `each`, `True` for `true`) stays an
//! error. Pure: the caller reads the files.

use std::collections::HashSet;

use tree_sitter::Tree;

use super::mashup;
use crate::diagnostics::{codes, Diagnostic, FileReport, Severity};
use crate::semantics::{self, Analysis, ReferenceKind, Resolution};
use crate::syntax;

/// A loose M file, read.
#[derive(Debug, Clone)]
pub struct LooseFile {
    /// The path shown to the user, `/`-separated.
    pub shown: String,
    pub bytes: Vec<u8>,
}

/// Checks the loose M files of one folder together: each file's syntax and names, with the names its
/// siblings define. `context` holds more files of the folder, read only for the names they define (the
/// siblings of a file named on its own); they get no report.
pub fn check_folder(files: &[LooseFile], context: &[LooseFile]) -> Vec<FileReport> {
    let parsed: Vec<(&LooseFile, syntax::CheckedBytes)> =
        files.iter().map(|file| (file, syntax::check_bytes(&file.bytes))).collect();
    let mut defined: HashSet<String> = HashSet::new();
    for (file, checked) in &parsed {
        if let Some(tree) = &checked.tree {
            defined.extend(names_defined(&file.shown, tree, &checked.text));
        }
    }
    let reports: Vec<FileReport> =
        parsed.iter().map(|(file, checked)| report(&file.shown, checked.clone(), &defined)).collect();
    // The other files of the folder are parsed only when a name is still unknown: a file named on its own
    // beside megabytes of siblings costs no more than itself when its names resolve.
    let unknown = |report: &FileReport| report.diagnostics.iter().any(|d| d.code == codes::M201);
    if context.is_empty() || !reports.iter().any(unknown) {
        return reports;
    }
    let mut parser = syntax::new_parser();
    for file in context {
        // Only the tree: the file's own problems are not this check's business.
        let text = crate::text::decode(&file.bytes).text;
        if let Some(tree) = parser.parse(&text, None) {
            defined.extend(names_defined(&file.shown, &tree, &text));
        }
    }
    parsed.into_iter().map(|(file, checked)| report(&file.shown, checked, &defined)).collect()
}

/// Checks one loose M file by itself (named on its own, or open in an editor): no siblings, but an unknown
/// name in an expression file is still only a warning.
pub fn check_file(shown: &str, bytes: &[u8]) -> FileReport {
    report(shown, syntax::check_bytes(bytes), &HashSet::new())
}

fn report(shown: &str, checked: syntax::CheckedBytes, siblings: &HashSet<String>) -> FileReport {
    let mut diagnostics = checked.diagnostics;
    if let Some(tree) = &checked.tree {
        let analysis = semantics::analyze(tree, &checked.text);
        let expression = is_expression(tree);
        diagnostics.extend(names(&analysis, expression, siblings));
    }
    let mut report = FileReport { path: shown.to_string(), text: checked.text, diagnostics };
    report.sort();
    report
}

/// The name diagnostics of a loose file whose tree and analysis are at hand (an open buffer): the
/// analysis's, with an unknown name that a sibling defines dropped and one still unknown in an expression
/// file a warning. `siblings` gives the names the other files of the folder define; it is called only when
/// a name is unknown.
pub fn name_diagnostics(
    tree: &Tree,
    analysis: &Analysis,
    siblings: impl FnOnce() -> HashSet<String>,
) -> Vec<Diagnostic> {
    let any_unknown = analysis
        .diagnostics()
        .iter()
        .any(|d| d.code == codes::M201 && unresolved_name(analysis, d).is_some());
    let defined = if any_unknown { siblings() } else { HashSet::new() };
    names(analysis, is_expression(tree), &defined)
}

/// Whether a document is an expression rather than a section document.
pub fn is_expression(tree: &Tree) -> bool {
    let root = tree.root_node();
    let mut cursor = root.walk();
    let expression = !root.named_children(&mut cursor).any(|child| child.kind() == "section");
    expression
}

/// The names a file gives its siblings: the file's own name for an expression, the shared members of a
/// section document.
pub fn names_defined(shown: &str, tree: &Tree, text: &str) -> Vec<String> {
    if is_expression(tree) {
        let file = shown.rsplit('/').next().unwrap_or(shown);
        let stem = file.rsplit_once('.').map_or(file, |(stem, _)| stem);
        return if stem.is_empty() { Vec::new() } else { vec![stem.to_string()] };
    }
    let model = mashup::extract(tree, text, &|range| range);
    model.members().filter(|member| member.shared).map(|member| member.name.clone()).collect()
}

/// The name diagnostics of a loose file: an unknown name a sibling defines is dropped; in an expression
/// file, one still unknown is a warning.
fn names(analysis: &Analysis, expression: bool, siblings: &HashSet<String>) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for diagnostic in analysis.diagnostics() {
        let mut diagnostic = diagnostic.clone();
        if diagnostic.code == codes::M201 {
            if let Some(name) = unresolved_name(analysis, &diagnostic) {
                if siblings.contains(name) {
                    continue;
                }
                if expression && !looks_like_a_literal(name) {
                    diagnostic.severity = Severity::Warning;
                }
            }
        }
        out.push(diagnostic);
    }
    out
}

/// The name of the plain unresolved reference an `M201` is about; `None` for the other `M201`s (a field
/// access with no `_`, `Section!Member`).
fn unresolved_name<'a>(analysis: &'a Analysis, diagnostic: &Diagnostic) -> Option<&'a str> {
    let reference = analysis.references().iter().find(|reference| {
        reference.range == diagnostic.range
            && reference.resolution == Resolution::Unresolved
            && matches!(reference.kind, ReferenceKind::Plain | ReferenceKind::Inclusive)
    })?;
    let name = analysis.name(reference.name);
    (name != "_").then_some(name)
}

/// `True`, `NULL`, `None`: values written as other languages write them, never a sibling's query.
fn looks_like_a_literal(name: &str) -> bool {
    ["true", "false", "null"].iter().any(|literal| name.eq_ignore_ascii_case(literal)) || name == "None"
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(shown: &str, text: &str) -> LooseFile {
        LooseFile { shown: shown.to_string(), bytes: text.as_bytes().to_vec() }
    }

    /// (file, code, severity) of every diagnostic.
    fn summary(reports: &[FileReport]) -> Vec<(String, &'static str, Severity)> {
        reports
            .iter()
            .flat_map(|r| r.diagnostics.iter().map(move |d| (r.path.clone(), d.code.id, d.severity)))
            .collect()
    }

    #[test]
    fn siblings_define_names_and_what_is_still_unknown_is_a_warning() {
        let files = [
            file("q/Load.pq", "let Source = Csv.Document(File.Contents(Path)) in Source"),
            file("q/Path.pq", "\"C:\\\\data.csv\""),
            file("q/List Globals.pqm", "Record.FieldNames(#shared)"),
            file("q/Report.m", "Table.RowCount(Load) + List.Count(#\"List Globals\") + Missing"),
            file(
                "q/Connector.pq",
                "section Connector; shared Connector.Contents = Load; Helper = Path & Other;",
            ),
            file("q/Flags.pq", "if Load = null then True else [Amount]"),
        ];
        let reports = check_folder(&files, &[]);
        let expected = [
            // `Missing` may be defined by a file dfls does not see: a warning in an expression file.
            ("q/Report.m", "M201", Severity::Warning),
            // A section document sees its siblings too, but what is still unknown is an error.
            ("q/Connector.pq", "M201", Severity::Error),
            // Not unresolved names of a sibling: `True` for `true`, a field access without `each`.
            ("q/Flags.pq", "M201", Severity::Error),
            ("q/Flags.pq", "M201", Severity::Error),
        ];
        let mut found = summary(&reports);
        found.sort_by(|a, b| a.0.cmp(&b.0));
        let mut expected: Vec<(String, &str, Severity)> =
            expected.iter().map(|(path, code, severity)| (path.to_string(), *code, *severity)).collect();
        expected.sort_by(|a, b| a.0.cmp(&b.0));
        assert_eq!(found, expected);
        let connector = reports.iter().find(|r| r.path == "q/Connector.pq").unwrap();
        assert!(connector.diagnostics[0].message.contains("`Other`"), "{}", connector.diagnostics[0].message);
    }

    #[test]
    fn context_files_define_names_and_get_no_report() {
        let reports = check_folder(&[file("q/Report.m", "Load")], &[file("q/Load.pq", "1 +")]);
        assert_eq!(reports.len(), 1);
        assert_eq!(summary(&reports), []);
    }

    #[test]
    fn a_file_alone_is_checked_the_same_way() {
        let report = check_file("Query.pq", b"Table.RowCount(Load)");
        assert_eq!(
            summary(std::slice::from_ref(&report)),
            [("Query.pq".to_string(), "M201", Severity::Warning)]
        );
        let report = check_file("Doc.pq", b"section S; shared Q = Load;");
        assert_eq!(summary(std::slice::from_ref(&report)), [("Doc.pq".to_string(), "M201", Severity::Error)]);
    }
}
