//! Hover: what the name under the cursor is.
//!
//! - a library name: its signature, kind, category, origin and documentation link;
//! - a local (step, parameter, record field, `_`): what it is, where, and the first lines of its value;
//! - a query (a section member, a reference to one, a `QueryName = "..."` of a destination attribute): its
//!   value's first lines and, when the item's `queryMetadata.json` is given, its metadata (`queryId`,
//!   group, `loadEnabled`, `isHidden`);
//! - in `queryMetadata.json`: see [`super::json_parts::hover`].
//!
//! Accepts an analysis of the whole document or of the query around the cursor
//! ([`super::analyze_around`]): a query the analysis does not know is found in the tree.

use std::ops::Range;

use super::context::{Context, FrameKind};
use super::docs::{definition_kind, entry_markdown, preview, PREVIEW_LINES};
use super::queries::{self, entries_for, Query};
use super::{FileId, FilePosition, Item, MFile};
use crate::json::Value;
use crate::library;
use crate::semantics::{DefId, DefinitionKind, Resolution};
use crate::syntax::names::m_name;

/// A hover: markdown about the range it is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hover {
    pub range: Range<usize>,
    pub markdown: String,
}

/// The hover at a position of an item's file.
pub fn hover(item: &Item, position: FilePosition) -> Option<Hover> {
    match position.file {
        FileId::Mashup => hover_m(item, item.mashup?, position.offset),
        FileId::QueryMetadata => super::json_parts::hover(item, position.offset),
    }
}

fn hover_m(item: &Item, file: MFile, offset: usize) -> Option<Hover> {
    let analysis = file.analysis;
    if let Some(def) = analysis.definition_named_at(offset) {
        return Some(Hover {
            range: analysis.definition(def).name_range.clone(),
            markdown: local(item, file, def),
        });
    }
    if let Some(reference) = analysis.reference_at(offset) {
        let range = reference.range.clone();
        let markdown = match reference.resolution {
            Resolution::Library(entry) => entry_markdown(entry),
            Resolution::Definition(def) => local(item, file, def),
            Resolution::Unresolved => {
                let name = analysis.name(reference.name);
                match queries::queries(file.tree, file.text).into_iter().find(|q| q.name == name) {
                    Some(query) => query_markdown(item, file, &query),
                    None => lexical(file, offset, name)?,
                }
            }
        };
        return Some(Hover { range, markdown });
    }
    // Names the analysis does not record: `#date` and the other intrinsics, `QueryName = "..."`.
    let intrinsic = [offset, offset.saturating_sub(1)].into_iter().find_map(|at| {
        // The node and its parent from one descent (`Node::parent()` would descend again).
        let path = crate::syntax::locate::path_to(file.tree.root_node(), at, at);
        let node = path.iter().rev().find(|node| node.is_named()).copied()?;
        (node.kind() == "intrinsic_identifier").then_some(node)
    });
    if let Some(node) = intrinsic {
        let entry = library::catalog().get(&file.text[node.byte_range()])?;
        return Some(Hover { range: node.byte_range(), markdown: entry_markdown(entry) });
    }
    let reference = queries::destination_references(&file)
        .into_iter()
        .find(|r| r.range.start < offset && offset < r.range.end)?;
    let query = queries::queries(file.tree, file.text).into_iter().find(|q| q.name == reference.query);
    let markdown = match query {
        Some(query) => query_markdown(item, file, &query),
        None => format!("`{}` names no query of this document.", m_name(&reference.query)),
    };
    Some(Hover { range: reference.range, markdown })
}

/// Markdown about a definition of the document.
fn local(item: &Item, file: MFile, def: DefId) -> String {
    let analysis = file.analysis;
    let definition = analysis.definition(def);
    let name = analysis.name(definition.name);
    if let DefinitionKind::SectionMember { .. } = definition.kind {
        if let Some(query) =
            queries::queries(file.tree, file.text).into_iter().find(|q| q.name_range == definition.name_range)
        {
            return query_markdown(item, file, &query);
        }
    }
    let kind = definition_kind(analysis, def);
    let mut out = String::new();
    match definition.kind {
        DefinitionKind::Parameter { .. } | DefinitionKind::CatchParameter => {
            let written = &file.text[definition.range.clone()];
            out.push_str(&format!("```powerquery\n{}\n```\n", written.trim()));
        }
        DefinitionKind::EachParameter => {
            out.push_str("```powerquery\n_\n```\nThe parameter of `each`: the value the function is called with (a row, for table functions).");
            return out;
        }
        _ => {
            let value =
                definition.value_range.as_ref().map(|v| preview(&file.text[v.clone()], PREVIEW_LINES));
            out.push_str(&format!(
                "```powerquery\n{} = {}\n```\n",
                m_name(name),
                value.as_deref().unwrap_or("...")
            ));
        }
    }
    out.push_str(&capitalized(kind));
    if let Some(query) = enclosing_query(file, def) {
        out.push_str(&format!(" of `{}`", m_name(&query)));
    }
    out.push('.');
    out
}

/// Markdown about a step a syntax error hides from the analysis, read from the tokens.
fn lexical(file: MFile, offset: usize, name: &str) -> Option<String> {
    // Without a syntax error nothing is hidden from the analysis (and the scan of the tokens is not free).
    if !file.tree.root_node().has_error() {
        return None;
    }
    let context = Context::at(file.tree, file.text, offset);
    let (frame, binding) = context.visible().into_iter().find(|(_, b)| b.name == name)?;
    let kind = match frame.kind {
        FrameKind::Function => return Some(format!("```powerquery\n{}\n```\nParameter.", m_name(name))),
        FrameKind::Base => "Query",
        FrameKind::Bracket { .. } => "Record field",
        _ => "Step",
    };
    let value =
        file.text.get(binding.value.clone()).filter(|v| !v.is_empty()).map(|v| preview(v, PREVIEW_LINES));
    let query = context.frames[0].bindings.iter().find(|b| b.name_range.start < binding.name_range.start);
    let of = match (kind, query) {
        ("Step", Some(query)) => format!(" of `{}`", m_name(&query.name)),
        _ => String::new(),
    };
    Some(format!("```powerquery\n{} = {}\n```\n{kind}{of}.", m_name(name), value.as_deref().unwrap_or("...")))
}

/// The query a definition is inside, by name.
fn enclosing_query(file: MFile, def: DefId) -> Option<String> {
    let analysis = file.analysis;
    let at = analysis.definition(def).name_range.start;
    queries::queries(file.tree, file.text)
        .into_iter()
        .find(|q| q.range.start <= at && at < q.range.end && q.name_range.start != at)
        .map(|q| q.name)
}

/// Markdown about a query: its value's first lines, and its metadata when the item has it.
fn query_markdown(item: &Item, file: MFile, query: &Query) -> String {
    let value = query.value.as_ref().map(|v| preview(&file.text[v.clone()], PREVIEW_LINES));
    let mut out = format!(
        "```powerquery\n{}{} = {}\n```\n",
        if query.shared { "shared " } else { "" },
        m_name(&query.name),
        value.as_deref().unwrap_or("...")
    );
    let parameter = query.value.as_ref().is_some_and(|v| {
        let text = &file.text[v.clone()];
        text.contains("IsParameterQuery = true") || text.contains("IsParameterQuery=true")
    });
    out.push_str(if parameter {
        "Parameter query"
    } else if query.shared {
        "Shared query"
    } else {
        "Query"
    });
    out.push('.');
    if let Some(metadata) = item.query_metadata.as_ref().and_then(queries::metadata) {
        let entries: Vec<_> = entries_for(&metadata, &query.name).collect();
        match entries.first() {
            Some(entry) => {
                let mut facts = Vec::new();
                if let Some(id) = entry.query_id {
                    facts.push(format!("- queryId: `{}`", id.value));
                }
                if let Some(group) = entry.group_id {
                    let name = metadata
                        .groups
                        .iter()
                        .find(|g| g.id.is_some_and(|id| id.value == group.value))
                        .and_then(|g| g.name);
                    facts.push(match name {
                        Some(name) => format!("- group: {name}"),
                        None => format!("- group: `{}` (not in `queryGroups`)", group.value),
                    });
                }
                let flag = |key: &str| entry.member.value.get(key).and_then(Value::as_bool);
                facts.push(format!(
                    "- loadEnabled: {}",
                    flag("loadEnabled").map_or("true (by default)".to_string(), |v| v.to_string())
                ));
                facts.push(format!(
                    "- isHidden: {}",
                    flag("isHidden").map_or("false (by default)".to_string(), |v| v.to_string())
                ));
                out.push_str("\n\n`queryMetadata.json`:\n");
                out.push_str(&facts.join("\n"));
            }
            None if query.shared => out.push_str("\n\nNo entry in `queryMetadata.json`."),
            None => {}
        }
    }
    out
}

fn capitalized(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map_or_else(String::new, |c| c.to_uppercase().chain(chars).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ide::fixture::{assert_rendered, Fixture};

    /// Renders the hover at the fixture's cursor: the range's text, then the markdown.
    fn check(fixture: &str, expect: &str) {
        let fixture = Fixture::parse(fixture);
        let actual = match hover(&fixture.item(), fixture.position) {
            Some(hover) => {
                format!("{:?}\n{}", &fixture.text(fixture.position.file)[hover.range], hover.markdown)
            }
            None => "no hover".to_string(),
        };
        assert_rendered(&actual, expect);
    }

    #[test]
    fn library_names() {
        check(
            "let a = Table.Add$0Column(t, \"x\", each 1) in a",
            r#"
            "Table.AddColumn"
            ```powerquery
            Table.AddColumn(table as table, newColumnName as text, columnGenerator as function, optional columnType as nullable type) as table
            ```
            Function, category `Table.Transformation`.
            [Documentation](https://learn.microsoft.com/powerquery-m/table-addcolumn)
            "#,
        );
        check(
            "let a = #da$0te(2025, 1, 1) in a",
            r##"
            "#date"
            ```powerquery
            #date(year as number, month as number, day as number) as date
            ```
            Constructor, category `Date`.
            [Documentation](https://learn.microsoft.com/powerquery-m/sharpdate)
            "##,
        );
        check(
            "section S; shared L = Lakehouse.Cont$0ents(null);",
            r#"
            "Lakehouse.Contents"
            ```powerquery
            Lakehouse.Contents(optional options as record) as table
            ```
            Function, not in the documented library (seen in `#shared`).
            "#,
        );
    }

    #[test]
    fn locals() {
        check(
            "section S;\nshared Q = let\n    Source = 1,\n    #\"Added one\" = Source + 1\nin\n    #\"Added$0 one\";",
            r##"
            "#\"Added one\""
            ```powerquery
            #"Added one" = Source + 1
            ```
            Step of `Q`.
            "##,
        );
        check(
            "let f = (x, optional y as text) => y$0 in f",
            r#"
            "y"
            ```powerquery
            optional y as text
            ```
            Optional parameter.
            "#,
        );
        check(
            "let a = each _$0 in a",
            r#"
            "_"
            ```powerquery
            _
            ```
            The parameter of `each`: the value the function is called with (a row, for table functions).
            "#,
        );
    }

    #[test]
    fn queries_with_their_metadata() {
        let fixture = r#"//- mashup.pq
section Section1;
shared Region = "EMEA" meta [IsParameterQuery = true, Type = "Text"];
[DataDestinations = {[Definition = [Kind = "Reference", QueryName = "Orders_Dest$0ination"]]}]
shared Orders = let
    Source = Region
in
    Source;
shared Orders_Destination = 1;
//- queryMetadata.json
{"formatVersion": "202502", "name": "x",
 "queryGroups": [{"id": "g1", "name": "Staging"}],
 "queriesMetadata": {
   "Region": {"queryId": "11111111-1111-4111-8111-111111111111", "queryName": "Region", "queryGroupId": "g1", "loadEnabled": false},
   "Orders_Destination": {"queryId": "22222222-2222-4222-8222-222222222222", "queryName": "Orders_Destination", "isHidden": true}
 }}
"#;
        check(
            fixture,
            r#"
            "\"Orders_Destination\""
            ```powerquery
            shared Orders_Destination = 1
            ```
            Shared query.
            `queryMetadata.json`:
            - queryId: `22222222-2222-4222-8222-222222222222`
            - loadEnabled: true (by default)
            - isHidden: true
            "#,
        );
        check(
            &fixture.replace("$0", "").replace("Source = Region", "Source = Reg$0ion"),
            r#"
            "Region"
            ```powerquery
            shared Region = "EMEA" meta [IsParameterQuery = true, Type = "Text"]
            ```
            Parameter query.
            `queryMetadata.json`:
            - queryId: `11111111-1111-4111-8111-111111111111`
            - group: Staging
            - loadEnabled: false
            - isHidden: false (by default)
            "#,
        );
        check(
            &fixture.replace("$0", "").replace("shared Orders = let", "shared Ord$0ers = let"),
            r#"
            "Orders"
            ```powerquery
            shared Orders = let
            Source = Region
            in
            Source
            ```
            Shared query.
            No entry in `queryMetadata.json`.
            "#,
        );
    }

    #[test]
    fn a_local_analysis_finds_other_queries_in_the_tree() {
        let text = "section S;\nshared A = 1;\nshared B = A + 1;\n";
        let tree = crate::syntax::parse(text).tree;
        let offset = text.find("A + 1").unwrap();
        let local = crate::ide::analyze_around(text, &tree, offset);
        let file = MFile::new(text, &tree, &local.analysis);
        let hover = hover(&Item::mashup(file), FilePosition { file: FileId::Mashup, offset }).unwrap();
        assert!(hover.markdown.starts_with("```powerquery\nshared A = 1\n```"), "{}", hover.markdown);
    }

    #[test]
    fn broken_code_crlf_and_non_ascii() {
        check(
            "section S;\r\nshared Q = let\r\n    Größe = Text.Upper(\"ä\"),\r\n    X = Table.AddColumn(Grö$0ße, \r\nin\r\n    X;",
            r#"
            "Größe"
            ```powerquery
            Größe = Text.Upper("ä")
            ```
            Step of `Q`.
            "#,
        );
        check("let a = 1 in a // a comment$0", "no hover");
    }
}
