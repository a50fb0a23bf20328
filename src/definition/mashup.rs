//! What the cross-file rules need to know about `mashup.pq`: its sections, their members (decoded names,
//! `shared`, `[ItemType = "MDF"]`) and the queries named by destination attributes
//! (`[DataDestinations = {[Definition = [QueryName = "..."]]}]`, `DefaultOutputDestinationSettings`); and
//! its parameter queries ([`parameter_queries`]), which the local Fabric lists and runs with.
//!
//! Read from the syntax tree, never from the text with patterns, so comments and strings cannot fool it.
//! Ranges are mapped by the caller's function when they are built: for a `mashup.pq` it is the identity,
//! for the M document inside a legacy `dataflow-content.json` it leads back through the JSON string's
//! escapes into the JSON file. The walk is iterative, so nesting depth costs no stack. May use `syntax`
//! (trees, and [`crate::syntax::names`] to decode names); knows no files.

use std::ops::Range;

use tree_sitter::{Node, Tree};

use crate::syntax::names;

/// The member attributes whose `QueryName` fields name other queries of the document.
pub const DESTINATION_ATTRIBUTES: &[&str] = &["DataDestinations", "DefaultOutputDestinationSettings"];

/// The parts of an M document the cross-file rules read.
#[derive(Debug, Default)]
pub struct Mashup {
    pub sections: Vec<Section>,
    /// When the document is an expression rather than a section document, the expression's range.
    pub expression: Option<Range<usize>>,
}

#[derive(Debug)]
pub struct Section {
    pub name: String,
    pub name_range: Range<usize>,
    pub members: Vec<Member>,
    /// Queries named by the section's own attributes.
    pub references: Vec<QueryReference>,
}

#[derive(Debug)]
pub struct Member {
    /// The decoded name: `#"Sales Orders"` is `Sales Orders`.
    pub name: String,
    pub name_range: Range<usize>,
    pub shared: bool,
    /// The decoded `ItemType` attribute (`"MDF"`), when the member has one that is text.
    pub item_type: Option<String>,
    /// Queries named by the member's destination attributes.
    pub references: Vec<QueryReference>,
}

/// A query named by a `QueryName = "..."` field inside a destination attribute.
#[derive(Debug)]
pub struct QueryReference {
    /// The attribute that holds it (`DataDestinations`).
    pub attribute: &'static str,
    pub query: String,
    /// The range of the text literal.
    pub range: Range<usize>,
}

impl Mashup {
    /// The members of every section, in order.
    pub fn members(&self) -> impl Iterator<Item = &Member> {
        self.sections.iter().flat_map(|section| &section.members)
    }

    /// The first member with this name.
    pub fn member(&self, name: &str) -> Option<&Member> {
        self.members().find(|member| member.name == name)
    }

    /// Every destination reference of the document, on sections and on members.
    pub fn references(&self) -> impl Iterator<Item = &QueryReference> {
        self.sections.iter().flat_map(|section| {
            section.references.iter().chain(section.members.iter().flat_map(|m| &m.references))
        })
    }
}

/// Reads the mashup model from a tree over `text`; `map` turns a range of `text` into a range of the file
/// the diagnostics are reported in.
pub fn extract(tree: &Tree, text: &str, map: &dyn Fn(Range<usize>) -> Range<usize>) -> Mashup {
    let root = tree.root_node();
    let mut mashup = Mashup::default();
    let mut cursor = root.walk();
    for child in root.named_children(&mut cursor) {
        match child.kind() {
            "section" => mashup.sections.push(section(child, text, map)),
            "comment" | "ERROR" => {}
            _ if mashup.expression.is_none() => mashup.expression = Some(map(child.byte_range())),
            _ => {}
        }
    }
    if !mashup.sections.is_empty() {
        mashup.expression = None;
    }
    mashup
}

fn section(node: Node, text: &str, map: &dyn Fn(Range<usize>) -> Range<usize>) -> Section {
    let (name, name_range) = match node.child_by_field_name("name") {
        Some(name) => (names::decode_name(&text[name.byte_range()]).into_owned(), map(name.byte_range())),
        None => (String::new(), map(node.start_byte()..node.start_byte())),
    };
    let references =
        node.child_by_field_name("attributes").map(|a| references(a, text, map)).unwrap_or_default();
    let mut cursor = node.walk();
    let members = node
        .children_by_field_name("member", &mut cursor)
        .filter_map(|member| self::member(member, text, map))
        .collect();
    Section { name, name_range, members, references }
}

fn member(node: Node, text: &str, map: &dyn Fn(Range<usize>) -> Range<usize>) -> Option<Member> {
    let name = node.child_by_field_name("name").filter(|name| !name.is_missing())?;
    let attributes = node.child_by_field_name("attributes");
    Some(Member {
        name: names::decode_name(&text[name.byte_range()]).into_owned(),
        name_range: map(name.byte_range()),
        shared: node.child_by_field_name("shared").is_some(),
        item_type: attributes.and_then(|record| {
            let value = field_value(record, "ItemType", text)?;
            (value.kind() == "text_literal")
                .then(|| names::decode_text(&text[value.byte_range()]).into_owned())
        }),
        references: attributes.map(|a| references(a, text, map)).unwrap_or_default(),
    })
}

/// A parameter query: `shared Region = "EMEA" meta [IsParameterQuery = true, Type = "Text",
/// IsParameterQueryRequired = true, Description = "..."]`, as Power Query writes them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParameterQuery {
    /// The decoded name.
    pub name: String,
    /// The source text of the value (`"EMEA"`, `25`, `#date(2025, 9, 15)`).
    pub value: String,
    /// The value, decoded, when it is a text literal.
    pub text: Option<String>,
    /// The `Type` field, decoded (`"Text"` is `Text`); `None` when there is none or it is not text.
    pub m_type: Option<String>,
    /// `IsParameterQueryRequired = true`.
    pub required: bool,
    /// The `Description` field, decoded.
    pub description: Option<String>,
}

/// The parameter queries of an M document: the shared members whose value is `VALUE meta [...]` with
/// `IsParameterQuery = true`, read from the tree, so comments and text cannot fool it.
pub fn parameter_queries(text: &str) -> Vec<ParameterQuery> {
    let tree = crate::syntax::parse(text).tree;
    let root = tree.root_node();
    let mut found = Vec::new();
    let mut sections = root.walk();
    for section in root.named_children(&mut sections).filter(|node| node.kind() == "section") {
        let mut members = section.walk();
        for member in section.children_by_field_name("member", &mut members) {
            if let Some(parameter) = parameter_query(member, text) {
                found.push(parameter);
            }
        }
    }
    found
}

fn parameter_query(member: Node, text: &str) -> Option<ParameterQuery> {
    member.child_by_field_name("shared")?;
    let name = member.child_by_field_name("name").filter(|name| !name.is_missing())?;
    let meta = member.child_by_field_name("value").filter(|value| value.kind() == "meta_expression")?;
    let (value, record) = (meta.child_by_field_name("value")?, meta.child_by_field_name("metadata")?);
    let source = |node: Node| &text[node.byte_range()];
    let logical = |field: &str| field_value(record, field, text).is_some_and(|v| source(v) == "true");
    let decoded = |field: &str| {
        field_value(record, field, text)
            .filter(|v| v.kind() == "text_literal")
            .map(|v| names::decode_text(source(v)).into_owned())
    };
    if record.kind() != "record_expression" || !logical("IsParameterQuery") {
        return None;
    }
    Some(ParameterQuery {
        name: names::decode_name(source(name)).into_owned(),
        value: source(value).to_owned(),
        text: (value.kind() == "text_literal").then(|| names::decode_text(source(value)).into_owned()),
        m_type: decoded("Type"),
        required: logical("IsParameterQueryRequired"),
        description: decoded("Description"),
    })
}

/// The value of the field `name` of a record expression.
fn field_value<'t>(record: Node<'t>, name: &str, text: &str) -> Option<Node<'t>> {
    let mut cursor = record.walk();
    let found = record
        .children_by_field_name("field", &mut cursor)
        .find(|field| field_name(*field, text).as_deref() == Some(name))?;
    found.child_by_field_name("value")
}

fn field_name<'t>(field: Node, text: &'t str) -> Option<std::borrow::Cow<'t, str>> {
    field.child_by_field_name("name").map(|name| names::decode_name(&text[name.byte_range()]))
}

/// The `QueryName = "..."` fields anywhere inside the destination attributes of an attribute record.
fn references(record: Node, text: &str, map: &dyn Fn(Range<usize>) -> Range<usize>) -> Vec<QueryReference> {
    let mut found = Vec::new();
    for &attribute in DESTINATION_ATTRIBUTES {
        let Some(value) = field_value(record, attribute, text) else { continue };
        crate::syntax::preorder(value, |node| {
            if node.kind() == "record_field" && field_name(node, text).as_deref() == Some("QueryName") {
                if let Some(query) = node.child_by_field_name("value").filter(|v| v.kind() == "text_literal")
                {
                    found.push(QueryReference {
                        attribute,
                        query: names::decode_text(&text[query.byte_range()]).into_owned(),
                        range: map(query.byte_range()),
                    });
                }
            }
        });
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Mashup {
        extract(&crate::syntax::parse(text).tree, text, &|range| range)
    }

    #[test]
    fn members_attributes_and_references() {
        let text = r#"[StagingDefinition = [Kind = "FastCopy"]]
section Section1;
// shared Commented = 1;
shared #"Sales ""Q1""" = "shared Fake = 1;";
[ItemType = "MDF"]
shared #"MDF transform" = "___ExternalResource-Placeholder___";
[DataDestinations = {[Definition = [Kind = "Reference", QueryName = "Out_#(0041)", IsNewTarget = true]]}]
shared Out = 1;
Private = 2;
"#;
        let mashup = read(text);
        assert_eq!(mashup.sections.len(), 1);
        assert!(mashup.expression.is_none());
        let names: Vec<(&str, bool)> = mashup.members().map(|m| (m.name.as_str(), m.shared)).collect();
        assert_eq!(
            names,
            [("Sales \"Q1\"", true), ("MDF transform", true), ("Out", true), ("Private", false)]
        );
        let sales = mashup.member("Sales \"Q1\"").unwrap();
        assert_eq!(&text[sales.name_range.clone()], "#\"Sales \"\"Q1\"\"\"");
        assert_eq!(mashup.member("MDF transform").unwrap().item_type.as_deref(), Some("MDF"));
        let references: Vec<&QueryReference> = mashup.references().collect();
        assert_eq!(references.len(), 1);
        assert_eq!(references[0].query, "Out_A");
        assert_eq!(&text[references[0].range.clone()], "\"Out_#(0041)\"");
    }

    #[test]
    fn parameter_queries_are_read_from_the_tree() {
        let text = r#"section Section1;
// A comment; with "a quote, and shared Fake = 1 meta [IsParameterQuery = true];
shared Region = "EM""EA" meta [IsParameterQuery = true, Type = "Text", IsParameterQueryRequired = true,
    Description = "The region; ""quoted"""];
/* another; "comment */ shared #"Row count" = 25 /* ; */ meta [IsParameterQuery=true, Type="Number"];
shared NotAParameter = 1 meta [IsParameterQuery = false];
Private = "x" meta [IsParameterQuery = true];
shared Plain = 1;
"#;
        let found = parameter_queries(text);
        assert_eq!(
            found,
            [
                ParameterQuery {
                    name: "Region".into(),
                    value: r#""EM""EA""#.into(),
                    text: Some("EM\"EA".into()),
                    m_type: Some("Text".into()),
                    required: true,
                    description: Some("The region; \"quoted\"".into()),
                },
                ParameterQuery {
                    name: "Row count".into(),
                    value: "25".into(),
                    text: None,
                    m_type: Some("Number".into()),
                    required: false,
                    description: None,
                },
            ]
        );
    }

    #[test]
    fn expressions_and_several_sections() {
        let mashup = read("let a = 1 in a");
        assert!(mashup.sections.is_empty());
        assert_eq!(mashup.expression, Some(0..14));
        assert!(read("").expression.is_none());
        let two = read("section A; shared X = 1; section B; shared Y = 2;");
        assert_eq!(two.sections.iter().map(|s| s.name.as_str()).collect::<Vec<_>>(), ["A", "B"]);
        assert_eq!(two.members().count(), 2);
    }

    #[test]
    fn ranges_are_mapped() {
        let text = "section S; shared Q = 1;";
        let mashup = extract(&crate::syntax::parse(text).tree, text, &|r| r.start + 100..r.end + 100);
        assert_eq!(mashup.member("Q").unwrap().name_range, 118..119);
    }
}
