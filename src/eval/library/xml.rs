//! `Xml.Document` and `Xml.Tables`: an XML text or binary read with quick-xml (the crate calamine, the
//! Excel reader, already brings, so XML costs no crate of its own) into a small tree, then shaped as
//! Power Query shapes it.
//!
//! - `Xml.Document`: a table of the root element with columns Name, Namespace, Value, Attributes. An
//!   element's Value is its text when it holds only text, else a table of its child elements (the same
//!   columns); Attributes is a table of Name, Namespace, Value.
//! - `Xml.Tables`: a table of the root's child elements grouped by name (Name, Table). Each group's table
//!   has a row per element and a column per attribute (`Attribute:name`) and per child element name: a
//!   child that holds only text is that text, any other child (or several of one name) a nested table of
//!   the same kind; the text of an element that also has attributes or children is `Element:Text`.
//!
//! Every value is text, as Power Query leaves XML text untyped. Namespace declarations (`xmlns`) are
//! not attributes here; the text between child elements of mixed content is not kept.

use std::rc::Rc;

use quick_xml::events::Event;
use quick_xml::name::ResolveResult;
use quick_xml::NsReader;

use super::super::value::{Column, MError, Outcome, Table, Thunk, Value};
use super::binary::decode;
use super::navigation::typed_table;
use super::{new_fields, number_arg, Registry};
use crate::eval::types::MType;

pub fn register(r: &mut Registry) {
    r.add("Xml.Document", xml_document);
    r.add("Xml.Tables", xml_tables);
}

/// How deep elements may nest (a deeper document is an error, not a deep recursion).
const MAX_DEPTH: usize = 1_000;

#[derive(Debug, Default)]
struct Element {
    name: String,
    namespace: String,
    /// Name, namespace, value.
    attributes: Vec<(String, String, String)>,
    children: Vec<Element>,
    text: String,
}

impl Element {
    /// Holds only text: no attributes and no child elements.
    fn is_simple(&self) -> bool {
        self.attributes.is_empty() && self.children.is_empty()
    }
}

fn text_of(contents: &Value, encoding: &Value) -> Result<String, MError> {
    match contents {
        Value::Text(text) => Ok(text.to_string()),
        Value::Binary(bytes) => {
            let encoding = if encoding.is_null() { None } else { Some(number_arg(encoding)? as i64) };
            decode(bytes, encoding)
        }
        other => Err(super::super::evaluate::cannot_convert(other, "Text")),
    }
}

fn xml_error(message: impl std::fmt::Display, at: u64) -> MError {
    MError::new("DataFormat.Error", format!("The XML is not valid at byte {at}: {message}."))
}

fn namespace(resolved: &ResolveResult) -> String {
    match resolved {
        ResolveResult::Bound(ns) => ns.into_inner().to_owned(),
        _ => String::new(),
    }
}

/// The document element.
fn parse(text: &str) -> Result<Element, MError> {
    let mut reader = NsReader::from_str(text);
    reader.config_mut().expand_empty_elements = true;
    let mut stack: Vec<Element> = Vec::new();
    let mut root: Option<Element> = None;
    loop {
        let at = reader.buffer_position();
        let (resolved, event) = reader.read_resolved_event().map_err(|e| xml_error(e, at))?;
        match event {
            Event::Start(start) => {
                if root.is_some() {
                    return Err(xml_error("there is a second root element", at));
                }
                if stack.len() >= MAX_DEPTH {
                    return Err(xml_error(format!("elements nest deeper than {MAX_DEPTH}"), at));
                }
                let mut element = Element {
                    name: start.local_name().into_inner().to_owned(),
                    namespace: namespace(&resolved),
                    ..Element::default()
                };
                for attribute in start.attributes() {
                    let attribute = attribute.map_err(|e| xml_error(e, at))?;
                    if attribute.key.as_namespace_binding().is_some() {
                        continue;
                    }
                    let (ns, local) = reader.resolver().resolve_attribute(attribute.key);
                    let value = attribute
                        .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                        .map_err(|e| xml_error(e, at))?;
                    element.attributes.push((
                        local.into_inner().to_owned(),
                        namespace(&ns),
                        value.into_owned(),
                    ));
                }
                stack.push(element);
            }
            Event::End(_) => {
                let element = stack.pop().ok_or_else(|| xml_error("an end tag closes nothing", at))?;
                match stack.last_mut() {
                    Some(parent) => parent.children.push(element),
                    None => root = Some(element),
                }
            }
            Event::Text(text) => push_text(&mut stack, &text.into_inner(), at)?,
            Event::CData(text) => push_text(&mut stack, &text.into_inner(), at)?,
            Event::GeneralRef(reference) => {
                let resolved = if reference.is_char_ref() {
                    reference.resolve_char_ref().map_err(|e| xml_error(e, at))?.map(String::from)
                } else {
                    quick_xml::escape::resolve_predefined_entity(&reference).map(str::to_owned)
                };
                let text = resolved
                    .ok_or_else(|| xml_error(format!("the entity &{}; is not defined", &*reference), at))?;
                push_text(&mut stack, &text, at)?;
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if !stack.is_empty() {
        return Err(xml_error(
            format!("the element <{}> is not closed", stack[stack.len() - 1].name),
            text.len() as u64,
        ));
    }
    root.ok_or_else(|| xml_error("there is no root element", 0))
}

fn push_text(stack: &mut [Element], text: &str, at: u64) -> Result<(), MError> {
    match stack.last_mut() {
        Some(element) => {
            element.text.push_str(text);
            Ok(())
        }
        None if text.trim().is_empty() => Ok(()),
        None => Err(xml_error("there is text outside the root element", at)),
    }
}

fn xml_document(args: &[Value]) -> Outcome {
    let root = parse(&text_of(&args[0], &args[1])?)?;
    Ok(Value::Table(document_table(std::slice::from_ref(&root))))
}

const DOCUMENT_COLUMNS: [(&str, &str); 4] =
    [("Name", "text"), ("Namespace", "text"), ("Value", "any"), ("Attributes", "table")];

fn document_table(elements: &[Element]) -> Table {
    let rows = elements
        .iter()
        .map(|element| {
            let value = if element.children.is_empty() {
                Value::text(&element.text)
            } else {
                Value::Table(document_table(&element.children))
            };
            let attributes = element
                .attributes
                .iter()
                .map(|(name, ns, value)| {
                    vec![
                        Thunk::value(Value::text(name)),
                        Thunk::value(Value::text(ns)),
                        Thunk::value(Value::text(value)),
                    ]
                })
                .collect();
            vec![
                Thunk::value(Value::text(&element.name)),
                Thunk::value(Value::text(&element.namespace)),
                Thunk::value(value),
                Thunk::value(Value::Table(typed_table(
                    &[("Name", "text"), ("Namespace", "text"), ("Value", "text")],
                    attributes,
                ))),
            ]
        })
        .collect();
    typed_table(&DOCUMENT_COLUMNS, rows)
}

fn xml_tables(args: &[Value]) -> Outcome {
    let root = parse(&text_of(&args[0], &args[2])?)?;
    let mut names: Vec<&str> = Vec::new();
    for child in &root.children {
        if !names.contains(&child.name.as_str()) {
            names.push(&child.name);
        }
    }
    let rows = names
        .iter()
        .map(|name| {
            let group: Vec<&Element> = root.children.iter().filter(|c| c.name == *name).collect();
            Ok(vec![Thunk::value(Value::text(name)), Thunk::value(Value::Table(rows_table(&group)?))])
        })
        .collect::<Result<_, MError>>()?;
    Ok(Value::Table(typed_table(&[("Name", "text"), ("Table", "table")], rows)))
}

/// A row per element: its attributes, its children by name, and its text when it has more than text.
fn rows_table(elements: &[&Element]) -> Result<Table, MError> {
    let mut attributes: Vec<&str> = Vec::new();
    let mut children: Vec<&str> = Vec::new();
    let mut with_text = false;
    for element in elements {
        for (name, _, _) in &element.attributes {
            if !attributes.contains(&name.as_str()) {
                attributes.push(name);
            }
        }
        for child in &element.children {
            if !children.contains(&child.name.as_str()) {
                children.push(&child.name);
            }
        }
        with_text |= !element.text.trim().is_empty();
    }
    let mut names: Vec<Rc<str>> = attributes.iter().map(|a| Rc::from(format!("Attribute:{a}"))).collect();
    names.extend(children.iter().map(|c| Rc::from(*c)));
    if with_text {
        names.push(Rc::from("Element:Text"));
    }
    let mut columns: Vec<Vec<Value>> = names.iter().map(|_| Vec::with_capacity(elements.len())).collect();
    for element in elements {
        let mut cells = Vec::with_capacity(names.len());
        for attribute in &attributes {
            cells.push(
                element
                    .attributes
                    .iter()
                    .find(|(name, _, _)| name == attribute)
                    .map_or(Value::Null, |(_, _, value)| Value::text(value)),
            );
        }
        for child_name in &children {
            let found: Vec<&Element> = element.children.iter().filter(|c| c.name == *child_name).collect();
            cells.push(match found.as_slice() {
                [] => Value::Null,
                [one] if one.is_simple() => Value::text(&one.text),
                several => Value::Table(rows_table(several)?),
            });
        }
        if with_text {
            cells.push(if element.text.trim().is_empty() { Value::Null } else { Value::text(&element.text) });
        }
        for (column, cell) in columns.iter_mut().zip(cells) {
            column.push(cell);
        }
    }
    // A clash (an element whose local name is `Attribute:x`) is M's duplicate column error.
    let fields = new_fields(names)?;
    let types = vec![MType::any(); columns.len()];
    Ok(Table::new(fields, types, columns.into_iter().map(Column::from_values).collect(), elements.len()))
}
