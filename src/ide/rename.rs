//! Rename of steps, parameters and queries: every place the name is written changes, across the item.
//!
//! A step or parameter is renamed at its definition and every reference. A query is also renamed in
//! `queryMetadata.json` (its `queriesMetadata` key and `queryName`) and in the `QueryName = "..."` fields of
//! destination attributes. Names are written as M needs them (`#"Sales Orders"`), as JSON strings in the
//! JSON, and as M text in attributes. The new name may be typed bare or quoted (`#"Sales Orders"`).
//!
//! Refused, with a message that says why: a name that is empty or holds a line break or another control
//! character; a name another definition of the same scope (let, record, parameter list, section) already
//! has, or another entry of `queriesMetadata`; a rename that would change what any name of the document
//! refers to (the new name would capture another reference, or be captured by an inner definition). The
//! last check reparses and reanalyses the renamed document and compares every resolution.
//!
//! Library names, record fields (also named by `[Field]` accesses, which rename cannot follow), the `_` of
//! `each` and section names are not renamed. Needs the analysis of the whole document.

use std::ops::Range;

use super::navigation::{target_occurrences, OccurrenceKind};
use super::queries::{is_query, target_at, Target};
use super::{apply_edits, FileId, FilePosition, Item, SourceChange};
use crate::diagnostics::Edit;
use crate::semantics::{self, Analysis, DefId, DefinitionKind, Resolution, ScopeKind};
use crate::syntax::names::{decode_name, m_name, m_text};

/// What a rename at a position would rename.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrepareRename {
    /// The name under the cursor (in a JSON string or an M text, its content).
    pub range: Range<usize>,
    /// The current name, decoded (`Sales Orders` for `#"Sales Orders"`).
    pub placeholder: String,
    /// What is renamed, in words: "the query `Sales Orders` and its metadata entry".
    pub description: String,
}

/// Why a rename is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenameError(pub String);

impl std::fmt::Display for RenameError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for RenameError {}

fn refuse<T>(message: impl Into<String>) -> Result<T, RenameError> {
    Err(RenameError(message.into()))
}

/// Says what a rename at a position would rename, or why it cannot.
pub fn prepare_rename(item: &Item, position: FilePosition) -> Result<PrepareRename, RenameError> {
    let (target, range) = renameable(item, position)?;
    let (placeholder, description) = match &target {
        Target::Definition(def) => {
            let analysis = item.mashup.expect("a definition comes from the M document").analysis;
            let name = analysis.name_of(*def).to_string();
            let what = match analysis.definition(*def).kind {
                DefinitionKind::SectionMember { .. } => {
                    let metadata = if item.query_metadata.is_some() {
                        " and its `queryMetadata.json` entry"
                    } else {
                        ""
                    };
                    format!("the query `{}`{metadata}", m_name(&name))
                }
                DefinitionKind::LetBinding => format!("the step `{}`", m_name(&name)),
                _ => format!("the parameter `{}`", m_name(&name)),
            };
            (name, what)
        }
        Target::Query(name) => {
            (name.clone(), format!("the query `{}` in `queryMetadata.json`", m_name(name)))
        }
    };
    Ok(PrepareRename { range, placeholder, description })
}

/// The edits that rename the name at a position to `new_name` everywhere it is written.
pub fn rename(item: &Item, position: FilePosition, new_name: &str) -> Result<SourceChange, RenameError> {
    let (target, _) = renameable(item, position)?;
    let new_name = valid_name(new_name)?;
    let old_name = match &target {
        Target::Definition(def) => {
            item.mashup.expect("a definition comes from the M document").analysis.name_of(*def).to_string()
        }
        Target::Query(name) => name.clone(),
    };
    if new_name == old_name {
        return Ok(SourceChange::default());
    }
    if let Target::Definition(def) = &target {
        let analysis = item.mashup.expect("checked").analysis;
        check_scope(analysis, *def, &new_name)?;
    }
    let query = match &target {
        Target::Definition(def) => is_query(item.mashup.expect("checked").analysis, *def),
        Target::Query(_) => true,
    };
    if query {
        check_metadata(item, &old_name, &new_name)?;
    }

    let mut change = SourceChange::default();
    let written = m_name(&new_name);
    for occurrence in target_occurrences(item, &target) {
        let (range, new_text) = match occurrence.kind {
            OccurrenceKind::Definition | OccurrenceKind::Reference => (occurrence.range, written.clone()),
            OccurrenceKind::Destination => {
                (occurrence.range.start - 1..occurrence.range.end + 1, m_text(&new_name))
            }
            OccurrenceKind::MetadataKey | OccurrenceKind::MetadataQueryName => {
                let json = serde_json::to_string(&new_name).expect("a string serializes");
                (occurrence.range.start - 1..occurrence.range.end + 1, json)
            }
        };
        change.push(occurrence.file, Edit { range, new_text });
    }
    if let (Target::Definition(def), Some(file)) = (&target, item.mashup) {
        check_resolution(file.text, file.analysis, *def, change.edits(FileId::Mashup), &new_name)?;
    }
    Ok(change)
}

/// The target at a position, if it can be renamed.
fn renameable(item: &Item, position: FilePosition) -> Result<(Target, Range<usize>), RenameError> {
    if let Some(file) = item.mashup.filter(|_| position.file == FileId::Mashup) {
        if let Some(reference) = file.analysis.reference_at(position.offset) {
            if let Resolution::Library(entry) = reference.resolution {
                return refuse(format!(
                    "`{}` is a library name; only names defined in this document can be renamed",
                    entry.name
                ));
            }
        }
    }
    let Some((target, range)) = target_at(item, position) else {
        if let Some(found) = super::navigation::lexical(item, position) {
            let file = item.mashup.expect("a lexical target is in the M document");
            return refuse(format!(
                "`{}` is in code with a syntax error; fix it first, so that rename can tell every use of the name",
                &file.text[found.definition]
            ));
        }
        return refuse("there is no step, parameter or query name here to rename");
    };
    if let Target::Definition(def) = &target {
        let analysis = item.mashup.expect("a definition comes from the M document").analysis;
        let name = m_name(analysis.name_of(*def));
        match analysis.definition(*def).kind {
            DefinitionKind::SectionMember { .. }
            | DefinitionKind::LetBinding
            | DefinitionKind::Parameter { .. }
            | DefinitionKind::CatchParameter => {}
            DefinitionKind::RecordField => {
                return refuse(format!(
                    "`{name}` is a record field; fields are also named by `[{name}]` accesses that rename cannot follow"
                ))
            }
            DefinitionKind::EachParameter => return refuse("`_` is the implicit parameter of `each`; it has no name to rename"),
            DefinitionKind::Section => return refuse("section names are not renamed: Fabric expects `Section1`"),
        }
    }
    // In a JSON string or M text, the content without the quotes; in M, the name token.
    let range = match position.file {
        FileId::Mashup
            if range.len() > 1 && item.mashup.is_some_and(|f| f.text[range.clone()].starts_with('"')) =>
        {
            range.start + 1..range.end - 1
        }
        _ => range,
    };
    Ok((target, range))
}

/// The new name as a name: `#"..."` is accepted and decoded; empty names and control characters are not.
fn valid_name(new_name: &str) -> Result<String, RenameError> {
    let trimmed = new_name.trim();
    let name = if trimmed.starts_with("#\"") && trimmed.ends_with('"') && trimmed.len() >= 3 {
        decode_name(trimmed).into_owned()
    } else {
        new_name.to_string()
    };
    if name.trim().is_empty() {
        return refuse("the new name is empty");
    }
    if name.contains(['\r', '\n', '\u{85}', '\u{2028}', '\u{2029}']) {
        return refuse("a name cannot hold a line break");
    }
    if let Some(c) = name.chars().find(|c| c.is_control()) {
        return refuse(format!("a name cannot hold the control character U+{:04X}", c as u32));
    }
    if name != name.trim() {
        return refuse("a name cannot start or end with blank space");
    }
    Ok(name)
}

/// Refuses a name another definition of the same scope has.
fn check_scope(analysis: &Analysis, def: DefId, new_name: &str) -> Result<(), RenameError> {
    let definition = analysis.definition(def);
    let scope = analysis.scope(definition.scope);
    let taken = scope.definitions.iter().find(|&&other| other != def && analysis.name_of(other) == new_name);
    if taken.is_some() {
        let place = match scope.kind {
            ScopeKind::Let => "this `let` already has a step",
            ScopeKind::Section => "the section already has a query",
            ScopeKind::Function => "the function already has a parameter",
            ScopeKind::Record => "the record already has a field",
            _ => "this scope already defines",
        };
        return refuse(format!("{place} named `{}`", m_name(new_name)));
    }
    Ok(())
}

/// Refuses a query name another entry of `queriesMetadata` has.
fn check_metadata(item: &Item, old_name: &str, new_name: &str) -> Result<(), RenameError> {
    let Some(metadata) = item.query_metadata.as_ref().and_then(super::queries::metadata) else {
        return Ok(());
    };
    let clash = metadata.entries.iter().any(|entry| {
        let about_old =
            entry.key().value == old_name || entry.query_name.is_some_and(|q| q.value == old_name);
        !about_old && (entry.key().value == new_name || entry.query_name.is_some_and(|q| q.value == new_name))
    });
    if clash {
        return refuse(format!(
            "`queryMetadata.json` already has an entry for a query named `{}`",
            m_name(new_name)
        ));
    }
    Ok(())
}

/// Refuses a rename that changes what a name refers to: the renamed document is analysed again, and every
/// reference must resolve to what it resolved to before (the renamed ones to the renamed definition).
fn check_resolution(
    text: &str,
    analysis: &Analysis,
    def: DefId,
    edits: &[Edit],
    new_name: &str,
) -> Result<(), RenameError> {
    let renamed_text = apply_edits(text, edits);
    let tree = crate::syntax::parse(&renamed_text).tree;
    let after = semantics::analyze(&tree, &renamed_text);
    let map = |offset: usize| -> usize {
        let mut shift: isize = 0;
        for edit in edits {
            if edit.range.end <= offset {
                shift += edit.new_text.len() as isize - edit.range.len() as isize;
            } else if edit.range.start <= offset {
                return (edit.range.start as isize + shift) as usize;
            }
        }
        (offset as isize + shift) as usize
    };
    let definition_at = |d: DefId| map(analysis.definition(d).name_range.start);
    let index = crate::text::LineIndex::new(text);
    for reference in analysis.references() {
        let renamed = reference.resolution == Resolution::Definition(def);
        let Some(now) = after
            .reference_at(map(reference.range.start))
            .filter(|r| r.range.start == map(reference.range.start))
        else {
            continue;
        };
        let before_target = reference.resolution;
        let consistent = match (before_target, now.resolution) {
            (Resolution::Definition(b), Resolution::Definition(a)) => {
                definition_at(b) == after.definition(a).name_range.start
            }
            (Resolution::Library(b), Resolution::Library(a)) => b.name == a.name,
            (Resolution::Unresolved, Resolution::Unresolved) => true,
            _ => false,
        };
        if !consistent {
            let at = index.line_column(text, reference.range.start);
            let written = &text[reference.range.clone()];
            let message = if renamed {
                format!(
                    "after the rename, `{}` at line {} would refer to another definition of that name",
                    m_name(new_name),
                    at.line
                )
            } else {
                format!(
                    "`{}` at line {} would then refer to the renamed definition instead of what it refers to now",
                    written, at.line
                )
            };
            return refuse(message);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ide::fixture::{assert_rendered, Fixture};

    /// Renders the renamed files (each after a `//- file` line), or the refusal.
    fn check(fixture: &str, new_name: &str, expect: &str) {
        let fixture = Fixture::parse(fixture);
        let actual = match rename(&fixture.item(), fixture.position, new_name) {
            Ok(change) => {
                let mut out = String::new();
                for file in &change.files {
                    let name = match file.file {
                        FileId::Mashup => "mashup.pq",
                        FileId::QueryMetadata => "queryMetadata.json",
                    };
                    out.push_str(&format!(
                        "//- {name}\n{}\n",
                        apply_edits(fixture.text(file.file), &file.edits)
                    ));
                }
                out
            }
            Err(error) => format!("error: {error}"),
        };
        assert_rendered(&actual, expect);
    }

    fn check_prepare(fixture: &str, expect: &str) {
        let fixture = Fixture::parse(fixture);
        let actual = match prepare_rename(&fixture.item(), fixture.position) {
            Ok(prepare) => format!(
                "{:?} {:?}: {}",
                &fixture.text(fixture.position.file)[prepare.range],
                prepare.placeholder,
                prepare.description
            ),
            Err(error) => format!("error: {error}"),
        };
        assert_rendered(&actual, expect);
    }

    #[test]
    fn steps_with_quoting() {
        check(
            "let\n  Source = 1,\n  Next = Sou$0rce + @Source\nin\n  Next",
            "Changed type",
            r##"
            //- mashup.pq
            let
              #"Changed type" = 1,
              Next = #"Changed type" + @#"Changed type"
            in
              Next
            "##,
        );
        check(
            "let\n  #\"Changed type\" = 1\nin\n  #\"Changed$0 type\"",
            "#\"Typed\"",
            r#"
            //- mashup.pq
            let
              Typed = 1
            in
              Typed
            "#,
        );
        check(
            "let a = (x$0) => x + 1 in a",
            "each",
            r##"
            //- mashup.pq
            let a = (#"each") => #"each" + 1 in a
            "##,
        );
    }

    #[test]
    fn queries_across_files() {
        let fixture = r#"//- mashup.pq
section Section1;
shared Orders = 1;
[DataDestinations = {[Definition = [Kind = "Reference", QueryName = "Orders"]]}]
shared Output = Section1!Orders + Ord$0ers;
//- queryMetadata.json
{"queriesMetadata": {"Orders": {"queryId": "1", "queryName": "Orders"}, "Output": {"queryId": "2", "queryName": "Output"}}}
"#;
        check(
            fixture,
            "Sales \"Q1\"",
            r##"
            //- mashup.pq
            section Section1;
            shared #"Sales ""Q1""" = 1;
            [DataDestinations = {[Definition = [Kind = "Reference", QueryName = "Sales ""Q1"""]]}]
            shared Output = Section1!#"Sales ""Q1""" + #"Sales ""Q1""";
            //- queryMetadata.json
            {"queriesMetadata": {"Sales \"Q1\"": {"queryId": "1", "queryName": "Sales \"Q1\""}, "Output": {"queryId": "2", "queryName": "Output"}}}
            "##,
        );
        // From the JSON side, the same.
        let from_json = fixture.replace("$0", "").replace("{\"Orders\": {", "{\"Ord$0ers\": {");
        check(
            &from_json,
            "Sales",
            r#"
            //- mashup.pq
            section Section1;
            shared Sales = 1;
            [DataDestinations = {[Definition = [Kind = "Reference", QueryName = "Sales"]]}]
            shared Output = Section1!Sales + Sales;
            //- queryMetadata.json
            {"queriesMetadata": {"Sales": {"queryId": "1", "queryName": "Sales"}, "Output": {"queryId": "2", "queryName": "Output"}}}
            "#,
        );
        check_prepare(
            &from_json,
            r#""Orders" "Orders": the query `Orders` and its `queryMetadata.json` entry"#,
        );
        check(&from_json, "Output", "error: the section already has a query named `Output`");
    }

    #[test]
    fn refusals() {
        check("let a$0 = 1, b = 2 in a", "b", "error: this `let` already has a step named `b`");
        check("let a$0 = 1 in a", "", "error: the new name is empty");
        check("let a$0 = 1 in a", "x\ny", "error: a name cannot hold a line break");
        check("let a$0 = 1 in a", "x\ty", "error: a name cannot hold the control character U+0009");
        check(
            "let a = Table.AddCol$0umn in a",
            "x",
            "error: `Table.AddColumn` is a library name; only names defined in this document can be renamed",
        );
        check(
            "let r = [A$0 = 1] in r",
            "B",
            "error: `A` is a record field; fields are also named by `[A]` accesses that rename cannot follow",
        );
        check(
            "let f = each _$0 in f",
            "x",
            "error: `_` is the implicit parameter of `each`; it has no name to rename",
        );
        check("let a = 1 in 2 + 3$0", "x", "error: there is no step, parameter or query name here to rename");
        // The new name would be captured by an inner definition ...
        check(
            "let a$0 = 1, f = (b) => a + b in f",
            "b",
            "error: after the rename, `b` at line 1 would refer to another definition of that name",
        );
        // ... or would capture a reference to an outer one.
        check(
            "let b = 1, f = (a$0) => a + b in f",
            "b",
            "error: `b` at line 1 would then refer to the renamed definition instead of what it refers to now",
        );
        // Shadowing the library is a change of meaning too.
        check(
            "let a$0 = 1, t = Text.Upper(\"x\") in a",
            "Text.Upper",
            "error: `Text.Upper` at line 1 would then refer to the renamed definition instead of what it refers to now",
        );
        check(
            r#"//- mashup.pq
section S;
shared A$0 = 1;
//- queryMetadata.json
{"queriesMetadata": {"A": {"queryId": "1", "queryName": "A"}, "B": {"queryId": "2", "queryName": "B"}}}
"#,
            "B",
            "error: `queryMetadata.json` already has an entry for a query named `B`",
        );
    }

    #[test]
    fn prepare() {
        check_prepare(
            "let\n  #\"Source data\"$0 = 1\nin\n  #\"Source data\"",
            r##""#\"Source data\"" "Source data": the step `#"Source data"`"##,
        );
        check_prepare("section S;\nshared Q$0 = 1;", r#""Q" "Q": the query `Q`"#);
        check_prepare("let f = (x$0) => x in f", r#""x" "x": the parameter `x`"#);
        check_prepare(
            "let a = 1 in a + Text.Upp$0er",
            "error: `Text.Upper` is a library name; only names defined in this document can be renamed",
        );
    }

    #[test]
    fn crlf_non_ascii_and_broken_code() {
        check(
            "section S;\nshared Q = let\n  Source = 1,\n  X = Table.AddColumn(Sou$0rce, \"a\", each [\nin\n  X;\nshared R = 1;\n",
            "Data",
            "error: `Source` is in code with a syntax error; fix it first, so that rename can tell every use of the name",
        );
        check(
            "section S;\r\nshared Größe = 1;\r\nshared B = let x = (1 in Grö$0ße;\r\nshared C = Größe;",
            "Maß",
            r#"
            //- mashup.pq
            section S;
            shared Maß = 1;
            shared B = let x = (1 in Maß;
            shared C = Maß;
            "#,
        );
    }
}
