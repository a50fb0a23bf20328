//! Go to definition, find references and document highlights, for steps, parameters and queries, across
//! the item's `mashup.pq` and `queryMetadata.json`.
//!
//! A query is named in three places besides its own name and the references to it in M: the key of its
//! `queriesMetadata` entry, that entry's `queryName`, and the `QueryName = "..."` fields of destination
//! attributes (`[DataDestinations = {[Definition = [QueryName = "Sales_DataDestination"]]}]`). Each of
//! them is a reference to the query, so references and highlights include them, and going to the
//! definition from any of them lands on the query. On the query's own name, go to definition goes to its
//! metadata entry (the definition is where the cursor already is). In `queryMetadata.json`, going to the
//! definition of a `queryGroupId` lands on that group in `queryGroups`.
//!
//! Needs the analysis of the whole document ([`crate::semantics::analyze`]).

use std::ops::Range;

use super::context::{BracketKind, Context, FrameKind};
use super::lex::{Lexer, TokenKind};
use super::queries::{self, content_range, entries_for, is_query, target_at, Target};
use super::{FileId, FilePosition, FileRange, Item};
use crate::semantics::{DefinitionKind, Resolution};
use crate::syntax::names::decode_name;

/// Where a definition is: the name to put the cursor on, and the whole definition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NavigationTarget {
    pub file: FileId,
    /// The name.
    pub focus: Range<usize>,
    /// The whole definition (a binding, a query with its attributes, a JSON entry).
    pub full: Range<usize>,
}

/// How a name is used at an occurrence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OccurrenceKind {
    /// Where the name is defined.
    Definition,
    /// A use in M.
    Reference,
    /// The key of the query's `queriesMetadata` entry.
    MetadataKey,
    /// The `queryName` of that entry.
    MetadataQueryName,
    /// A `QueryName = "..."` of a destination attribute.
    Destination,
}

/// One place a name is written. For JSON strings and M text literals the range is their content, without
/// the quotes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Occurrence {
    pub file: FileId,
    pub range: Range<usize>,
    pub kind: OccurrenceKind,
}

/// Document highlights, as LSP names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HighlightKind {
    /// A name in text: metadata keys and names, destination attributes.
    Text,
    Read,
    Write,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Highlight {
    pub range: Range<usize>,
    pub kind: HighlightKind,
}

/// Where the name at a position is defined.
pub fn goto_definition(item: &Item, position: FilePosition) -> Vec<NavigationTarget> {
    if position.file == FileId::QueryMetadata {
        if let Some(group) = group_definition(item, position.offset) {
            return vec![group];
        }
    }
    let Some((target, _)) = target_at(item, position) else {
        // A step of a `let` a syntax error hides from the analysis: by the tokens.
        let Some(found) = lexical(item, position) else { return Vec::new() };
        let focus = found.definition.clone();
        return vec![NavigationTarget {
            file: FileId::Mashup,
            focus: focus.clone(),
            full: focus.start..found.value_end,
        }];
    };
    match target {
        Target::Definition(def) => {
            let Some(file) = item.mashup else { return Vec::new() };
            let definition = file.analysis.definition(def);
            let on_name = position.file == FileId::Mashup
                && definition.name_range.start <= position.offset
                && position.offset <= definition.name_range.end;
            if on_name && is_query(file.analysis, def) {
                let entries = metadata_targets(item, file.analysis.name_of(def));
                if !entries.is_empty() {
                    return entries;
                }
            }
            let full = match definition.kind {
                DefinitionKind::SectionMember { attributes: Some(ref attributes), .. } => {
                    attributes.start.min(definition.range.start)..definition.range.end
                }
                _ => definition.range.clone(),
            };
            vec![NavigationTarget { file: FileId::Mashup, focus: definition.name_range.clone(), full }]
        }
        Target::Query(name) => {
            if position.file == FileId::Mashup {
                metadata_targets(item, &name)
            } else {
                Vec::new()
            }
        }
    }
}

/// The `queriesMetadata` entries of a query, as navigation targets.
fn metadata_targets(item: &Item, name: &str) -> Vec<NavigationTarget> {
    let Some(metadata) = item.query_metadata.as_ref().and_then(queries::metadata) else { return Vec::new() };
    entries_for(&metadata, name)
        .map(|entry| NavigationTarget {
            file: FileId::QueryMetadata,
            focus: content_range(entry.key()),
            full: entry.key().range.start..entry.member.value.range.end,
        })
        .collect()
}

/// On a `queryGroupId` value: its group in `queryGroups`.
fn group_definition(item: &Item, offset: usize) -> Option<NavigationTarget> {
    let metadata = item.query_metadata.as_ref().and_then(queries::metadata)?;
    let id = metadata
        .entries
        .iter()
        .filter_map(|e| e.group_id)
        .find(|id| id.range.start < offset && offset < id.range.end)?;
    let group = metadata.groups.iter().find(|g| g.id.is_some_and(|g| g.value == id.value))?;
    let group_id = group.id?;
    Some(NavigationTarget {
        file: FileId::QueryMetadata,
        focus: content_range(group_id),
        full: group.value.range.clone(),
    })
}

/// Every place the name at a position is written, in both files, definition first then in file order.
pub fn occurrences(item: &Item, position: FilePosition) -> Vec<Occurrence> {
    match target_at(item, position) {
        Some((target, _)) => target_occurrences(item, &target),
        None => lexical(item, position).map_or_else(Vec::new, |found| found.occurrences),
    }
}

/// A step, field or parameter the analysis does not know (a syntax error broke its `let`), found by the
/// tokens: its definition, the end of its value, and the names written the same way in its scope.
pub(crate) struct Lexical {
    pub(crate) definition: Range<usize>,
    value_end: usize,
    occurrences: Vec<Occurrence>,
}

pub(crate) fn lexical(item: &Item, position: FilePosition) -> Option<Lexical> {
    // Without a syntax error the analysis saw every step: there is nothing for the tokens to add, and
    // reading them costs a scan of the query.
    let file =
        item.mashup.filter(|file| position.file == FileId::Mashup && file.tree.root_node().has_error())?;
    let context = Context::at(file.tree, file.text, position.offset);
    let token = context.token.as_ref().filter(|t| t.is_name())?;
    let name = decode_name(token.text(file.text));
    // The innermost open frame that defines the name (the definition itself may be under the cursor).
    let (frame, binding) = context.open_frames().find_map(|(_, frame)| {
        let relevant = matches!(
            frame.kind,
            FrameKind::Let { .. }
                | FrameKind::Function
                | FrameKind::Bracket { kind: BracketKind::Record, .. }
        );
        let binding = frame.bindings.iter().find(|b| b.name == name).filter(|_| relevant)?;
        Some((frame, binding))
    })?;
    let scope = frame.start..frame.end.unwrap_or(file.text.len()).min(file.text.len());
    let mut occurrences = Vec::new();
    let tokens: Vec<_> = Lexer::new(file.text, scope).filter(|t| t.kind != TokenKind::Comment).collect();
    for (i, t) in tokens.iter().enumerate() {
        if !t.is_name() || decode_name(t.text(file.text)) != name {
            continue;
        }
        // `[Name]` is a field access, not the step.
        let before = i.checked_sub(1).map(|b| tokens[b].text(file.text));
        let after = tokens.get(i + 1).map(|a| a.text(file.text));
        if before == Some("[") && after == Some("]") {
            continue;
        }
        let kind = if t.range == binding.name_range {
            OccurrenceKind::Definition
        } else {
            OccurrenceKind::Reference
        };
        occurrences.push(Occurrence { file: FileId::Mashup, range: t.range.clone(), kind });
    }
    occurrences.sort_by_key(|o| (o.kind != OccurrenceKind::Definition, o.range.start));
    Some(Lexical { definition: binding.name_range.clone(), value_end: binding.value.end, occurrences })
}

/// Every place a target is written.
pub(crate) fn target_occurrences(item: &Item, target: &Target) -> Vec<Occurrence> {
    let mut out = Vec::new();
    let query_name = match target {
        Target::Definition(def) => {
            let Some(file) = item.mashup else { return out };
            let analysis = file.analysis;
            let definition = analysis.definition(*def);
            for range in analysis.occurrences(*def) {
                let kind = if range == definition.name_range {
                    OccurrenceKind::Definition
                } else {
                    OccurrenceKind::Reference
                };
                out.push(Occurrence { file: FileId::Mashup, range, kind });
            }
            if is_query(analysis, *def) {
                // References a syntax error left unresolved (they were walked outside their section).
                out.extend(
                    analysis
                        .references()
                        .iter()
                        .filter(|r| r.name == definition.name && r.resolution == Resolution::Unresolved)
                        .map(|r| Occurrence {
                            file: FileId::Mashup,
                            range: r.range.clone(),
                            kind: OccurrenceKind::Reference,
                        }),
                );
            }
            is_query(analysis, *def).then(|| analysis.name_of(*def).to_string())
        }
        Target::Query(name) => Some(name.clone()),
    };
    if let Some(name) = query_name {
        if let Some(file) = item.mashup {
            for reference in queries::destination_references(&file) {
                if reference.query == name {
                    let inner = reference.range.start + 1
                        ..reference.range.end.saturating_sub(1).max(reference.range.start + 1);
                    out.push(Occurrence {
                        file: FileId::Mashup,
                        range: inner,
                        kind: OccurrenceKind::Destination,
                    });
                }
            }
        }
        if let Some(metadata) = item.query_metadata.as_ref().and_then(queries::metadata) {
            for entry in entries_for(&metadata, &name) {
                if entry.key().value == name || entry.query_name.is_none_or(|q| q.value != name) {
                    out.push(Occurrence {
                        file: FileId::QueryMetadata,
                        range: content_range(entry.key()),
                        kind: OccurrenceKind::MetadataKey,
                    });
                }
                if let Some(query_name) = entry.query_name.filter(|q| q.value == name) {
                    out.push(Occurrence {
                        file: FileId::QueryMetadata,
                        range: content_range(query_name),
                        kind: OccurrenceKind::MetadataQueryName,
                    });
                }
            }
        }
    }
    out.sort_by_key(|o| (o.kind != OccurrenceKind::Definition, o.file, o.range.start));
    out.dedup_by(|a, b| a.file == b.file && a.range == b.range);
    out.dedup();
    out
}

/// The references to the name at a position, in both files; with its definition when asked.
pub fn find_references(item: &Item, position: FilePosition, include_declaration: bool) -> Vec<FileRange> {
    occurrences(item, position)
        .into_iter()
        .filter(|o| include_declaration || o.kind != OccurrenceKind::Definition)
        .map(|o| FileRange { file: o.file, range: o.range })
        .collect()
}

/// The occurrences of the name at a position in the file of the position: the definition is a write,
/// references are reads, JSON keys and names and destination attributes are text.
pub fn document_highlights(item: &Item, position: FilePosition) -> Vec<Highlight> {
    let mut highlights: Vec<Highlight> = occurrences(item, position)
        .into_iter()
        .filter(|o| o.file == position.file)
        .map(|o| Highlight {
            range: o.range,
            kind: match o.kind {
                OccurrenceKind::Definition => HighlightKind::Write,
                OccurrenceKind::Reference => HighlightKind::Read,
                _ => HighlightKind::Text,
            },
        })
        .collect();
    highlights.sort_by_key(|h| h.range.start);
    highlights
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ide::fixture::{assert_rendered, show, Fixture};

    const ITEM: &str = r#"//- mashup.pq
section Section1;
shared #"Raw Orders" = let
    Source = #table({"A"}, {{1}}),
    Typed = Table.TransformColumnTypes(Source, {{"A", Int64.Type}})
in
    Typed;
[DataDestinations = {[Definition = [Kind = "Reference", QueryName = "Raw Orders"]]}]
shared Output = Section1!#"Raw Orders";
//- queryMetadata.json
{"formatVersion": "202502", "name": "x",
 "queryGroups": [{"id": "g1", "name": "Staging"}],
 "queriesMetadata": {
   "Raw Orders": {"queryId": "11111111-1111-4111-8111-111111111111", "queryName": "Raw Orders", "queryGroupId": "g1"},
   "Output": {"queryId": "22222222-2222-4222-8222-222222222222", "queryName": "Output"}
 }}
"#;

    /// The fixture with the cursor at the `|` of the first occurrence of `marker` in `file`.
    fn at(marker: &str, file: FileId, fixture: &str) -> String {
        let header = match file {
            FileId::Mashup => "//- mashup.pq\n",
            FileId::QueryMetadata => "//- queryMetadata.json\n",
        };
        let (before, after) = fixture.split_once(header).unwrap();
        let cursor = marker.find('|').unwrap();
        let at = after.find(&marker.replace('|', "")).unwrap() + cursor;
        format!("{before}{header}{}$0{}", &after[..at], &after[at..])
    }

    fn check_definition(fixture: &str, expect: &str) {
        let fixture = Fixture::parse(fixture);
        let targets = goto_definition(&fixture.item(), fixture.position);
        let lines: Vec<String> = targets.iter().map(|t| show(&fixture, t.file, t.focus.clone())).collect();
        assert_rendered(&lines.join("\n"), expect);
    }

    fn check_references(fixture: &str, expect: &str) {
        let fixture = Fixture::parse(fixture);
        let lines: Vec<String> = occurrences(&fixture.item(), fixture.position)
            .into_iter()
            .map(|o| format!("{:?} {}", o.kind, show(&fixture, o.file, o.range)))
            .collect();
        assert_rendered(&lines.join("\n"), expect);
    }

    fn check_highlights(fixture: &str, expect: &str) {
        let fixture = Fixture::parse(fixture);
        let lines: Vec<String> = document_highlights(&fixture.item(), fixture.position)
            .into_iter()
            .map(|h| format!("{:?} {}", h.kind, show(&fixture, fixture.position.file, h.range)))
            .collect();
        assert_rendered(&lines.join("\n"), expect);
    }

    #[test]
    fn steps() {
        check_definition(
            &at("Table.TransformColumnTypes(S|ource", FileId::Mashup, ITEM),
            r#"pq 3:5 "Source""#,
        );
        check_references(
            &at("Table.TransformColumnTypes(S|ource", FileId::Mashup, ITEM),
            r#"
            Definition pq 3:5 "Source"
            Reference pq 4:40 "Source"
            "#,
        );
        check_highlights(
            &at("    Ty|ped = ", FileId::Mashup, ITEM),
            r#"
            Write pq 4:5 "Typed"
            Read pq 6:5 "Typed"
            "#,
        );
    }

    #[test]
    fn queries_across_files() {
        let expected = r##"
            Definition pq 2:8 "#\"Raw Orders\""
            Destination pq 7:70 "Raw Orders"
            Reference pq 8:26 "#\"Raw Orders\""
            MetadataKey json 4:5 "Raw Orders"
            MetadataQueryName json 4:84 "Raw Orders"
        "##;
        check_references(&at("shared #\"Raw| Orders\"", FileId::Mashup, ITEM), expected);
        check_references(&at("Section1!#\"R|aw", FileId::Mashup, ITEM), expected);
        check_references(&at("QueryName = \"Raw| Orders", FileId::Mashup, ITEM), expected);
        check_references(&at("\"Raw| Orders\": {", FileId::QueryMetadata, ITEM), expected);
        check_references(&at("\"queryName\": \"Raw |Orders\"", FileId::QueryMetadata, ITEM), expected);
        // Definition: from the JSON to the query; from the query's name to its entry.
        check_definition(
            &at("\"Raw| Orders\": {", FileId::QueryMetadata, ITEM),
            r##"pq 2:8 "#\"Raw Orders\"""##,
        );
        check_definition(
            &at("QueryName = \"Raw| Orders", FileId::Mashup, ITEM),
            r##"pq 2:8 "#\"Raw Orders\"""##,
        );
        check_definition(&at("shared #\"Raw| Orders\"", FileId::Mashup, ITEM), r#"json 4:5 "Raw Orders""#);
        check_definition(&at("\"queryGroupId\": \"g|1\"", FileId::QueryMetadata, ITEM), r#"json 2:26 "g1""#);
        check_highlights(
            &at("\"Raw| Orders\": {", FileId::QueryMetadata, ITEM),
            r#"
            Text json 4:5 "Raw Orders"
            Text json 4:84 "Raw Orders"
            "#,
        );
        check_highlights(
            &at("shared #\"Raw| Orders\"", FileId::Mashup, ITEM),
            r##"
            Write pq 2:8 "#\"Raw Orders\""
            Text pq 7:70 "Raw Orders"
            Read pq 8:26 "#\"Raw Orders\""
            "##,
        );
    }

    #[test]
    fn without_metadata_and_in_broken_code() {
        check_references(
            "let\r\n  Größe = 1,\r\n  b = Grö$0ße + Größe\r\nin\r\n  b",
            r#"
            Definition pq 2:3 "Größe"
            Reference pq 3:7 "Größe"
            Reference pq 3:15 "Größe"
            "#,
        );
        // A syntax error in one query leaves the others navigable.
        check_references(
            "section S;\nshared A = 1;\nshared B = let x = (1 in x;\nshared C = A$0 + A;",
            r#"
            Definition pq 2:8 "A"
            Reference pq 4:12 "A"
            Reference pq 4:16 "A"
            "#,
        );
        check_definition("let a = Table.AddColumn$0 in a", "");
        // A let the parser could not make sense of: its steps by the tokens.
        let broken = "section S;\nshared Q = let\n  Source = 1,\n  X = Table.AddColumn(Source, \"a\", each [Source] + Sou$0rce,\n  Y = X\nin\n  Y;\nshared R = 1;\n";
        check_definition(broken, r#"pq 3:3 "Source""#);
        check_highlights(
            broken,
            r#"
            Write pq 3:3 "Source"
            Read pq 4:23 "Source"
            Read pq 4:52 "Source"
            "#,
        );
    }
}
