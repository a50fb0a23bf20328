//! The queries of an item, as the features that cross files see them: the section members of the M
//! document (from the tree, and from the tokens where a syntax error swallowed them), the entries of
//! `queriesMetadata`, the `QueryName = "..."` fields of destination attributes, and what names a query at
//! an offset of either file.
//!
//! An entry of `queriesMetadata` is about a query when its key or its `queryName` is the query's name,
//! as the cross-file rules match them.

use std::ops::Range;

use tree_sitter::{Node, Tree};

use super::context::{Context, Start};
use super::{FileId, FilePosition, Item, JsonFile, MFile};
use crate::definition::mashup;
use crate::definition::metadata::{self, Entry, Layout, Metadata};
use crate::json::JsonString;
use crate::semantics::{Analysis, DefId, DefinitionKind, Resolution};
use crate::syntax::names::decode_name;

/// A section member of the M document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Query {
    pub(crate) name: String,
    pub(crate) name_range: Range<usize>,
    /// The whole member, attributes and `;` included.
    pub(crate) range: Range<usize>,
    pub(crate) value: Option<Range<usize>>,
    pub(crate) shared: bool,
    /// Read from the tokens because a syntax error hides it from the tree.
    pub(crate) recovered: bool,
}

/// Every query of the document, in order: the members of every section, and the members the tokens show
/// inside syntax errors.
pub(crate) fn queries(tree: &Tree, text: &str) -> Vec<Query> {
    let root = tree.root_node();
    let mut out = Vec::new();
    let mut cursor = root.walk();
    let mut section_seen = false;
    for child in root.children(&mut cursor) {
        match child.kind() {
            "section" if child.is_named() => {
                section_seen = true;
                let mut inner = child.walk();
                let mut header_done = false;
                for part in child.children(&mut inner) {
                    match part.kind() {
                        ";" if !header_done => header_done = true,
                        "section_member" => out.extend(member(part, text)),
                        "ERROR" if header_done => recover(text, part.byte_range(), &mut out),
                        _ => {}
                    }
                }
            }
            "ERROR" if section_seen => recover(text, child.byte_range(), &mut out),
            _ => {}
        }
    }
    out
}

fn member(node: Node, text: &str) -> Option<Query> {
    let name =
        node.child_by_field_name("name").filter(|n| !n.is_missing() && n.end_byte() > n.start_byte())?;
    Some(Query {
        name: decode_name(&text[name.byte_range()]).into_owned(),
        name_range: name.byte_range(),
        range: node.byte_range(),
        value: node.child_by_field_name("value").map(|v| v.byte_range()),
        shared: node.child_by_field_name("shared").is_some(),
        recovered: false,
    })
}

/// The members the tokens of a syntax error show.
fn recover(text: &str, range: Range<usize>, out: &mut Vec<Query>) {
    let end = range.end;
    let context = Context::scan(text, range, Start::Member, end);
    for binding in &context.frames[0].bindings {
        out.push(Query {
            name: binding.name.clone(),
            name_range: binding.name_range.clone(),
            range: binding.name_range.start..binding.value.end.max(binding.name_range.end),
            value: (!binding.value.is_empty()).then(|| binding.value.clone()),
            shared: binding.shared,
            recovered: true,
        });
    }
}

/// The `queryMetadata.json` view of a JSON file.
pub(crate) fn metadata<'j>(file: &JsonFile<'j>) -> Option<Metadata<'j>> {
    metadata::read(file.json, Layout::QueryMetadata)
}

/// The entries of `queriesMetadata` about a query.
pub(crate) fn entries_for<'m, 'j>(
    metadata: &'m Metadata<'j>,
    name: &'m str,
) -> impl Iterator<Item = &'m Entry<'j>> + 'm {
    metadata
        .entries
        .iter()
        .filter(move |e| e.key().value == name || e.query_name.is_some_and(|q| q.value == name))
}

/// The range of a JSON string's content, without its quotes.
pub(crate) fn content_range(string: &JsonString) -> Range<usize> {
    let start = (string.range.start + 1).min(string.range.end);
    start..string.range.end.saturating_sub(1).max(start)
}

/// The `QueryName = "..."` text literals of the document's destination attributes.
pub(crate) fn destination_references(file: &MFile) -> Vec<mashup::QueryReference> {
    let mashup = mashup::extract(file.tree, file.text, &|range| range);
    mashup
        .sections
        .into_iter()
        .flat_map(|s| {
            let mut all = s.references;
            all.extend(s.members.into_iter().flat_map(|m| m.references));
            all
        })
        .collect()
}

/// The section member definitions of an analysis named `name`.
pub(crate) fn member_definitions<'a>(
    analysis: &'a Analysis,
    name: &'a str,
) -> impl Iterator<Item = DefId> + 'a {
    let wanted = analysis.find_name(name);
    analysis
        .definitions()
        .iter()
        .enumerate()
        .filter(move |(_, d)| {
            Some(d.name) == wanted && matches!(d.kind, DefinitionKind::SectionMember { .. })
        })
        .map(|(i, _)| DefId(i as u32))
}

/// What a position names, for navigation and rename.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Target {
    /// A definition of the M document (a query, a step, a parameter, ...).
    Definition(DefId),
    /// A query named in `queryMetadata.json` or a destination attribute that the M document does not define
    /// (or that there is no M document to look in).
    Query(String),
}

/// What the name at a position refers to, and the range of that name.
pub(crate) fn target_at(item: &Item, position: FilePosition) -> Option<(Target, Range<usize>)> {
    match position.file {
        FileId::Mashup => {
            let file = item.mashup?;
            let analysis = file.analysis;
            let offset = position.offset;
            if let Some(def) = analysis.definition_named_at(offset) {
                return Some((Target::Definition(def), analysis.definition(def).name_range.clone()));
            }
            if let Some(reference) = analysis.reference_at(offset) {
                return match reference.resolution {
                    Resolution::Definition(def) => Some((Target::Definition(def), reference.range.clone())),
                    // A syntax error can leave a reference to a query unresolved: the query by its name.
                    Resolution::Unresolved => {
                        let name = analysis.name(reference.name);
                        member_definitions(analysis, name)
                            .next()
                            .map(|def| (Target::Definition(def), reference.range.clone()))
                    }
                    Resolution::Library(_) => None,
                };
            }
            let reference = destination_references(&file)
                .into_iter()
                .find(|r| r.range.start < offset && offset < r.range.end)?;
            Some((query_target(item, &reference.query), reference.range))
        }
        FileId::QueryMetadata => {
            let json = item.query_metadata?;
            let view = metadata(&json)?;
            let offset = position.offset;
            let within = |s: &JsonString| s.range.start < offset && offset < s.range.end;
            let string = view.entries.iter().find_map(|entry| {
                if within(entry.key()) {
                    Some(entry.key())
                } else {
                    entry.query_name.filter(|q| within(q))
                }
            })?;
            Some((query_target(item, &string.value), content_range(string)))
        }
    }
}

/// The target for a query name: its member definition when the M document has one.
pub(crate) fn query_target(item: &Item, name: &str) -> Target {
    item.mashup
        .and_then(|file| member_definitions(file.analysis, name).next())
        .map_or_else(|| Target::Query(name.to_string()), Target::Definition)
}

/// Whether a definition is a section member (a query).
pub(crate) fn is_query(analysis: &Analysis, def: DefId) -> bool {
    matches!(analysis.definition(def).kind, DefinitionKind::SectionMember { .. })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_of_the_tree_and_of_syntax_errors() {
        let text = "section S;\nshared A = 1;\nshared #\"B b\" = let x = (1 in x;\nC = 3;\n";
        let tree = crate::syntax::parse(text).tree;
        let found: Vec<(String, bool)> =
            queries(&tree, text).into_iter().map(|q| (q.name, q.shared)).collect();
        assert!(found.contains(&("A".to_string(), true)), "{found:?}");
        assert!(found.contains(&("B b".to_string(), true)), "{found:?}");
        assert!(found.contains(&("C".to_string(), false)), "{found:?}");
    }
}
