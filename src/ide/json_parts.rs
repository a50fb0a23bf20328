//! Completion and hover in the item's JSON files, from the embedded schemas
//! ([`crate::json::schema::introspect`]) and, in `queryMetadata.json`, from the item's M document.
//!
//! - Completion of keys: the properties the schema names for the object at the cursor, minus those it
//!   already has, each inserted with a value of its type; in `queriesMetadata`, the queries of
//!   `mashup.pq` that have no entry yet, inserted as a whole entry with a new `queryId`.
//! - Completion of values: the schema's `enum` and `const` values, `true`/`false` for booleans, the ids of
//!   `queryGroups` for a `queryGroupId`, the query's name for a `queryName`.
//! - Hover: the schema's description of the key or value under the cursor; on a `queriesMetadata` key or
//!   `queryName`, the query's M value; on a `queryGroupId`, the group's name.
//!
//! The cursor's place is read from the tokens before it, so it is known in a file being typed (an
//! unfinished key, a missing `}`); the parsed [`Json`](crate::json::Json) gives the keys already there.

use std::ops::Range;

use serde_json::Value as Serde;

use super::completion::{CompletionItem, CompletionKind};
use super::docs::{preview, PREVIEW_LINES};
use super::hover::Hover;
use super::queries;
use super::{Item, JsonFile};
use crate::definition::guid;
use crate::json::schema::introspect::{self, PathStep};
use crate::json::schema::SchemaKind;
use crate::json::{Kind, Value};
use crate::syntax::names::m_name;

/// Where the cursor is in a JSON text.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Place {
    /// Where a key of the object at `path` is written.
    Key { path: Vec<PathStep> },
    /// Where the value at `path` is written.
    Value { path: Vec<PathStep> },
    /// Somewhere nothing is written (after a value, inside a number).
    Nowhere,
}

#[derive(Debug)]
enum Frame {
    Object { key: Option<String>, expecting: Expecting },
    Array { index: usize, expecting_value: bool },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expecting {
    Key,
    Colon,
    Value,
    Comma,
}

/// The place at `offset`, and the string token the cursor is in (its whole range, or up to the cursor when
/// it is not closed).
fn place_at(text: &str, offset: usize) -> (Place, Option<Range<usize>>) {
    let bytes = text.as_bytes();
    let offset = crate::text::floor_char_boundary(text, offset);
    let mut stack: Vec<(Frame, Option<PathStep>)> = Vec::new();
    let mut root_done = false;
    let mut at = 0;
    // What the frame on top expects after a value ends there.
    fn value_done(stack: &mut [(Frame, Option<PathStep>)]) {
        match stack.last_mut() {
            Some((Frame::Object { expecting, .. }, _)) => *expecting = Expecting::Comma,
            Some((Frame::Array { expecting_value, .. }, _)) => *expecting_value = false,
            None => {}
        }
    }
    let path = |stack: &[(Frame, Option<PathStep>)]| -> Vec<PathStep> {
        stack.iter().filter_map(|(_, step)| step.clone()).collect()
    };
    let here = |stack: &[(Frame, Option<PathStep>)],
                string: Option<Range<usize>>,
                root_done: bool|
     -> (Place, Option<Range<usize>>) {
        let mut container = path(stack);
        let place = match stack.last() {
            Some((Frame::Object { expecting: Expecting::Key, .. }, _)) => Place::Key { path: container },
            Some((Frame::Object { expecting: Expecting::Value, key: Some(key) }, _)) => {
                container.push(PathStep::Key(key.clone()));
                Place::Value { path: container }
            }
            Some((Frame::Array { index, expecting_value: true }, _)) => {
                container.push(PathStep::Index(*index));
                Place::Value { path: container }
            }
            None if !root_done => Place::Value { path: container },
            _ => Place::Nowhere,
        };
        (place, string)
    };
    while at < bytes.len() {
        if at >= offset {
            return here(&stack, None, root_done);
        }
        match bytes[at] {
            b'"' => {
                let start = at;
                at += 1;
                let mut closed = false;
                while at < bytes.len() {
                    match bytes[at] {
                        b'\\' => at += 2,
                        b'"' => {
                            at += 1;
                            closed = true;
                            break;
                        }
                        b'\n' => break,
                        _ => at += 1,
                    }
                }
                let at_end = at.min(bytes.len());
                if start < offset && (offset < at_end || (!closed && offset <= at_end)) {
                    let end = if closed { at_end } else { offset };
                    return here(&stack, Some(start..end), root_done);
                }
                let string = crate::syntax::names::decode_text(&text[start..at_end]).into_owned();
                let decoded = serde_json::from_str::<String>(&text[start..at_end]).unwrap_or(string);
                match stack.last_mut() {
                    Some((Frame::Object { key, expecting }, _)) if *expecting == Expecting::Key => {
                        *key = Some(decoded);
                        *expecting = Expecting::Colon;
                    }
                    _ => value_done(&mut stack),
                }
            }
            b'{' | b'[' => {
                let step = match stack.last_mut() {
                    Some((Frame::Object { key: Some(key), expecting: Expecting::Value }, _)) => {
                        Some(PathStep::Key(key.clone()))
                    }
                    Some((Frame::Array { index, .. }, _)) => Some(PathStep::Index(*index)),
                    _ => None,
                };
                let frame = if bytes[at] == b'{' {
                    Frame::Object { key: None, expecting: Expecting::Key }
                } else {
                    Frame::Array { index: 0, expecting_value: true }
                };
                stack.push((frame, step));
                at += 1;
            }
            b'}' | b']' => {
                stack.pop();
                if stack.is_empty() {
                    root_done = true;
                }
                value_done(&mut stack);
                at += 1;
            }
            b':' => {
                if let Some((Frame::Object { expecting, .. }, _)) = stack.last_mut() {
                    *expecting = Expecting::Value;
                }
                at += 1;
            }
            b',' => {
                match stack.last_mut() {
                    Some((Frame::Object { expecting, key }, _)) => {
                        *expecting = Expecting::Key;
                        *key = None;
                    }
                    Some((Frame::Array { index, expecting_value }, _)) => {
                        *index += 1;
                        *expecting_value = true;
                    }
                    None => {}
                }
                at += 1;
            }
            c if c.is_ascii_whitespace() => at += 1,
            _ => {
                // A literal or a number: to the next delimiter.
                let start = at;
                while at < bytes.len()
                    && !matches!(bytes[at], b',' | b'}' | b']' | b':' | b'"')
                    && !bytes[at].is_ascii_whitespace()
                {
                    at += 1;
                }
                if start < offset && offset <= at {
                    // Typing a literal (`tr|`): the value place, replacing what is typed.
                    let (place, _) = here(&stack, None, root_done);
                    return (place, Some(start..at));
                }
                value_done(&mut stack);
                if stack.is_empty() {
                    root_done = true;
                }
            }
        }
    }
    here(&stack, None, root_done)
}

/// The completion items at `offset` of a JSON file validated as `kind`. `item` gives `queryMetadata.json`
/// its M document (for query names).
pub fn completions(file: JsonFile, kind: SchemaKind, item: &Item, offset: usize) -> Vec<CompletionItem> {
    let (place, string) = place_at(file.text, offset);
    let replace = string.clone().unwrap_or(offset..offset);
    let typed = file.text[replace.start..offset.max(replace.start)].to_string();
    let schema = introspect::schema_json(kind, file.json.root.as_ref());
    let mut items = Vec::new();
    let mut push = |mut item: CompletionItem, priority: u8, rank: usize| {
        item.replace = replace.clone();
        item.sort_text = format!("{priority:02}{rank:04}");
        if super::fuzzy::score(
            typed.trim_start_matches('"'),
            item.filter_text.as_deref().unwrap_or(&item.label).trim_start_matches('"'),
        )
        .is_some()
        {
            items.push(item);
        }
    };
    match place {
        Place::Key { path } => {
            let present = present_keys(file, &path);
            // Editing the key of a member that has its value: only the key is replaced.
            let value_follows = file.text[replace.end..].trim_start().starts_with(':');
            let key_only = |mut entry: CompletionItem| {
                if value_follows {
                    entry.insert_text = entry.filter_text.clone().unwrap_or_else(|| entry.label.clone());
                    entry.snippet = None;
                }
                entry
            };
            if kind == SchemaKind::QueryMetadata
                && path.last() == Some(&PathStep::Key("queriesMetadata".to_string()))
            {
                for (rank, entry) in missing_entries(file, item).into_iter().enumerate() {
                    push(key_only(entry), 0, rank);
                }
            }
            for (rank, property) in introspect::properties(schema, &path).into_iter().enumerate() {
                if present.contains(&property.name) {
                    continue;
                }
                let key = serde_json::to_string(&property.name).expect("a string serializes");
                let (insert, snippet) = value_template(&property.types, &property.values);
                let mut entry = plain(&property.name, CompletionKind::Field);
                entry.insert_text = format!("{key}: {insert}");
                entry.snippet = Some(format!("{}: {snippet}", escape_snippet(&key)));
                entry.filter_text = Some(key);
                let types = property.types.join(" or ");
                entry.detail = Some(
                    format!("{types}{}", if property.required { " (required)" } else { "" })
                        .trim()
                        .to_string(),
                );
                entry.documentation = property.description.clone();
                push(key_only(entry), if property.required { 1 } else { 2 }, rank);
            }
        }
        Place::Value { path } => {
            let mut rank = 0;
            let key = match path.last() {
                Some(PathStep::Key(key)) => Some(key.as_str()),
                _ => None,
            };
            if kind == SchemaKind::QueryMetadata {
                for special in special_values(file, item, &path, key) {
                    push(special, 0, rank);
                    rank += 1;
                }
            }
            for value in introspect::values(schema, &path) {
                let written = value.to_string();
                let mut entry = plain(&written, CompletionKind::EnumMember);
                entry.documentation = introspect::description(schema, &path);
                push(entry, 1, rank);
                rank += 1;
            }
            if introspect::types(schema, &path).iter().any(|t| t == "boolean") {
                for literal in ["true", "false"] {
                    push(plain(literal, CompletionKind::Keyword), 1, rank);
                    rank += 1;
                }
            }
        }
        Place::Nowhere => {}
    }
    items.sort_by(|a, b| a.sort_text.cmp(&b.sort_text));
    items
}

fn plain(label: &str, kind: CompletionKind) -> CompletionItem {
    CompletionItem {
        label: label.to_string(),
        kind,
        detail: None,
        documentation: None,
        insert_text: label.to_string(),
        snippet: None,
        filter_text: None,
        sort_text: String::new(),
        replace: 0..0,
        trigger_signature_help: false,
    }
}

/// A value to insert after a new key: plain and as a snippet.
fn value_template(types: &[String], values: &[Serde]) -> (String, String) {
    if let [only] = values {
        let written = only.to_string();
        return (written.clone(), escape_snippet(&written));
    }
    if values.len() > 1 {
        let choices: Vec<String> =
            values.iter().map(|v| v.to_string().replace(',', "\\,").replace('|', "\\|")).collect();
        return (values[0].to_string(), format!("${{1|{}|}}", choices.join(",")));
    }
    match types.first().map(String::as_str) {
        Some("string") => ("\"\"".to_string(), "\"$1\"".to_string()),
        Some("boolean") => ("false".to_string(), "${1|true,false|}".to_string()),
        Some("object") => ("{}".to_string(), "{$1}".to_string()),
        Some("array") => ("[]".to_string(), "[$1]".to_string()),
        Some("integer" | "number") => ("0".to_string(), "${1:0}".to_string()),
        _ => ("null".to_string(), "${1:null}".to_string()),
    }
}

fn escape_snippet(text: &str) -> String {
    text.replace('\\', "\\\\").replace('$', "\\$").replace('}', "\\}")
}

/// The JSON pointer of a path.
fn pointer(path: &[PathStep]) -> String {
    path.iter()
        .map(|step| match step {
            PathStep::Key(key) => format!("/{}", key.replace('~', "~0").replace('/', "~1")),
            PathStep::Index(index) => format!("/{index}"),
        })
        .collect()
}

/// The keys the object at a path already has.
fn present_keys(file: JsonFile, path: &[PathStep]) -> Vec<String> {
    let Some(located) = file.json.locate(&pointer(path)) else { return Vec::new() };
    located.value.as_object().unwrap_or_default().iter().map(|m| m.key.value.clone()).collect()
}

/// The queries of the item's M document that need an entry and have none, as whole entries.
fn missing_entries(file: JsonFile, item: &Item) -> Vec<CompletionItem> {
    let Some(mashup) = item.mashup else { return Vec::new() };
    let metadata = queries::metadata(&file);
    let taken = guid::Taken::of(
        metadata.iter().flat_map(|m| &m.entries).filter_map(|e| e.query_id.map(|id| id.value.as_str())),
    );
    let digest = guid::digest(file.text);
    let mut out = Vec::new();
    for query in queries::queries(mashup.tree, mashup.text).into_iter().filter(|q| q.shared) {
        if metadata.as_ref().is_some_and(|m| queries::entries_for(m, &query.name).next().is_some()) {
            continue;
        }
        let id = guid::derive(&format!("{digest}\0{}", query.name), &taken);
        let key = serde_json::to_string(&query.name).expect("a string serializes");
        let mut entry = plain(&query.name, CompletionKind::Query);
        entry.insert_text = format!("{key}: {{\"queryId\": \"{id}\", \"queryName\": {key}}}");
        entry.filter_text = Some(key);
        entry.detail = Some("a query of mashup.pq without an entry".to_string());
        if let Some(value) = &query.value {
            entry.documentation = Some(format!(
                "```powerquery\n{} = {}\n```",
                m_name(&query.name),
                preview(&mashup.text[value.clone()], PREVIEW_LINES)
            ));
        }
        out.push(entry);
    }
    out
}

/// Values only the item knows: group ids for `queryGroupId`, the query's name for `queryName`.
fn special_values(file: JsonFile, item: &Item, path: &[PathStep], key: Option<&str>) -> Vec<CompletionItem> {
    let Some(metadata) = queries::metadata(&file) else { return Vec::new() };
    let in_entry = path.len() >= 3 && path[path.len() - 3] == PathStep::Key("queriesMetadata".to_string());
    let mut out = Vec::new();
    match key {
        Some("queryGroupId") if in_entry => {
            for group in &metadata.groups {
                let Some(id) = group.id else { continue };
                let written = serde_json::to_string(&id.value).expect("a string serializes");
                let name = group.name.unwrap_or("");
                let mut entry = plain(&written, CompletionKind::Value);
                entry.filter_text = Some(format!("\"{name} {}", id.value));
                entry.detail = Some(format!("the group {name}"));
                out.push(entry);
            }
        }
        Some("queryName") if in_entry => {
            if let Some(PathStep::Key(entry_key)) = path.get(path.len() - 2) {
                let mut names = vec![entry_key.clone()];
                if let Some(mashup) = item.mashup {
                    names.extend(
                        queries::queries(mashup.tree, mashup.text)
                            .into_iter()
                            .map(|q| q.name)
                            .filter(|n| n == entry_key),
                    );
                }
                names.dedup();
                for name in names {
                    let written = serde_json::to_string(&name).expect("a string serializes");
                    let mut entry = plain(&written, CompletionKind::Value);
                    entry.detail = Some("the entry's key".to_string());
                    out.push(entry);
                }
            }
        }
        _ => {}
    }
    out
}

/// The hover at an offset of the item's `queryMetadata.json`.
pub fn hover(item: &Item, offset: usize) -> Option<Hover> {
    let file = item.query_metadata?;
    hover_json(file, SchemaKind::QueryMetadata, item, offset)
}

/// The hover at an offset of a JSON file validated as `kind`: the schema's description of the key or value
/// there, and what the item knows about it.
pub fn hover_json(file: JsonFile, kind: SchemaKind, item: &Item, offset: usize) -> Option<Hover> {
    let root = file.json.root.as_ref()?;
    // Down the value tree, iteratively, to the key or value at the offset.
    let mut path: Vec<PathStep> = Vec::new();
    let mut value: &Value = root;
    let (range, on_key) = loop {
        let next = match &value.kind {
            Kind::Object(members) => members
                .iter()
                .find_map(|m| {
                    if m.key.range.start <= offset && offset < m.key.range.end {
                        Some((m.key.value.clone(), None))
                    } else if m.value.range.start <= offset && offset < m.value.range.end {
                        Some((m.key.value.clone(), Some(&m.value)))
                    } else {
                        None
                    }
                })
                .map(|(key, child)| {
                    (
                        PathStep::Key(key),
                        child,
                        members
                            .iter()
                            .find(|m| m.key.range.start <= offset && offset < m.key.range.end)
                            .map(|m| m.key.range.clone()),
                    )
                }),
            Kind::Array(items) => items
                .iter()
                .position(|i| i.range.start <= offset && offset < i.range.end)
                .map(|index| (PathStep::Index(index), Some(&items[index]), None)),
            _ => None,
        };
        match next {
            Some((step, None, key_range)) => {
                path.push(step);
                break (key_range?, true);
            }
            Some((step, Some(child), _)) => {
                path.push(step);
                value = child;
            }
            None => {
                if path.is_empty() {
                    return None;
                }
                break (value.range.clone(), false);
            }
        }
    };
    let schema = introspect::schema_json(kind, Some(root));
    let mut parts: Vec<String> = Vec::new();
    let key = match path.last() {
        Some(PathStep::Key(key)) => Some(key.clone()),
        _ => None,
    };
    if let Some(key) = &key {
        parts.push(format!("`{key}`"));
    }
    if let Some(description) = introspect::description(schema, &path) {
        parts.push(description);
    }
    let types = introspect::types(schema, &path);
    if !types.is_empty() {
        parts.push(format!("Type: {}.", types.join(" or ")));
    }
    if kind == SchemaKind::QueryMetadata {
        parts.extend(item_facts(file, item, &path, on_key, value));
    }
    if parts.len() <= 1 && types.is_empty() {
        return None;
    }
    Some(Hover { range, markdown: parts.join("\n\n") })
}

/// What the item says about a place of `queryMetadata.json`: the query an entry is about, a group's name.
fn item_facts(file: JsonFile, item: &Item, path: &[PathStep], on_key: bool, value: &Value) -> Vec<String> {
    let mut out = Vec::new();
    let entry_key = match path {
        [.., PathStep::Key(queries), PathStep::Key(key)] if queries == "queriesMetadata" && on_key => {
            Some(key.clone())
        }
        [.., PathStep::Key(queries), PathStep::Key(_), PathStep::Key(field)]
            if queries == "queriesMetadata" && field == "queryName" =>
        {
            value.as_str().map(str::to_string)
        }
        _ => None,
    };
    if let Some(name) = entry_key {
        let query = item.mashup.and_then(|m| {
            queries::queries(m.tree, m.text).into_iter().find(|q| q.name == name).map(|q| (m, q))
        });
        match query {
            Some((mashup, query)) => {
                let value = query
                    .value
                    .as_ref()
                    .map_or("...".to_string(), |v| preview(&mashup.text[v.clone()], PREVIEW_LINES));
                out.push(format!(
                    "```powerquery\n{}{} = {value}\n```",
                    if query.shared { "shared " } else { "" },
                    m_name(&name)
                ));
            }
            None if item.mashup.is_some() => {
                out.push(format!("`mashup.pq` has no query named `{}`.", m_name(&name)))
            }
            None => {}
        }
    }
    if matches!(path.last(), Some(PathStep::Key(k)) if k == "queryGroupId") && !on_key {
        if let (Some(id), Some(metadata)) = (value.as_str(), queries::metadata(&file)) {
            match metadata.groups.iter().find(|g| g.id.is_some_and(|g| g.value == id)) {
                Some(group) => out.push(format!(
                    "The group {}.",
                    group.name.map_or("(unnamed)".to_string(), |n| format!("`{n}`"))
                )),
                None => out.push("No group in `queryGroups` has this id.".to_string()),
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ide::fixture::{dedent, Fixture};
    use crate::ide::FileId;

    /// Renders the completion items at the cursor in `queryMetadata.json`: label, what is inserted.
    fn check(fixture: &str, expect: &str) {
        let fixture = Fixture::parse(fixture);
        assert_eq!(fixture.position.file, FileId::QueryMetadata);
        let json = fixture.json().unwrap();
        let items = completions(json, SchemaKind::QueryMetadata, &fixture.item(), fixture.offset());
        let lines: Vec<String> = items
            .iter()
            .map(|i| format!("{} -> {} [{}]", i.label, i.insert_text, &json.text[i.replace.clone()]))
            .collect();
        assert_eq!(lines.join("\n"), dedent(expect));
    }

    fn check_hover(fixture: &str, expect: &str) {
        let fixture = Fixture::parse(fixture);
        let actual = match hover(&fixture.item(), fixture.offset()) {
            Some(hover) => {
                format!("{:?}\n{}", &fixture.text(FileId::QueryMetadata)[hover.range], hover.markdown)
            }
            None => "no hover".to_string(),
        };
        assert_eq!(actual, dedent(expect));
    }

    const MASHUP: &str = "//- mashup.pq\nsection Section1;\nshared Orders = 1;\nshared #\"Sales Orders\" = let\n    Source = Orders\nin\n    Source;\nHidden = 3;\n";

    #[test]
    fn keys_from_the_schema() {
        check(
            &format!("{MASHUP}//- queryMetadata.json\n{{\"formatVersion\": \"202502\", \"queriesMetadata\": {{\"Orders\": {{\"queryId\": \"1\", $0}}}}}}\n"),
            r#"
            queryName -> "queryName": "" []
            isHidden -> "isHidden": false []
            loadEnabled -> "loadEnabled": false []
            queryGroupId -> "queryGroupId": "" []
            "#,
        );
        check(
            &format!("{MASHUP}//- queryMetadata.json\n{{\"form$0\n"),
            r#"
            formatVersion -> "formatVersion": "202502" ["form]
            "#,
        );
        // A key that already has its value: only the key changes.
        check(
            &format!("{MASHUP}//- queryMetadata.json\n{{\"form$0at\": \"202502\"}}\n"),
            r#"
            formatVersion -> "formatVersion" ["format"]
            "#,
        );
    }

    #[test]
    fn queries_without_entries() {
        check(
            &format!("{MASHUP}//- queryMetadata.json\n{{\"formatVersion\": \"202502\", \"queriesMetadata\": {{\"Orders\": {{\"queryId\": \"1\"}}, $0}}}}\n"),
            r#"
            Sales Orders -> "Sales Orders": {"queryId": "67a302e7-339d-4afe-a72c-dbeaba5b6d83", "queryName": "Sales Orders"} []
            "#,
        );
    }

    #[test]
    fn values() {
        check(
            &format!("{MASHUP}//- queryMetadata.json\n{{\"formatVersion\": $0}}\n"),
            r#"
            "202502" -> "202502" []
            "#,
        );
        check(
            &format!("{MASHUP}//- queryMetadata.json\n{{\"queryGroups\": [{{\"id\": \"g1\", \"name\": \"Staging\"}}], \"queriesMetadata\": {{\"Orders\": {{\"queryGroupId\": \"$0\", \"loadEnabled\": tr}}}}}}\n"),
            r#"
            "g1" -> "g1" [""]
            "#,
        );
        check(
            &format!("{MASHUP}//- queryMetadata.json\n{{\"queriesMetadata\": {{\"Orders\": {{\"loadEnabled\": t$0}}}}}}\n"),
            r#"
            true -> true [t]
            "#,
        );
    }

    #[test]
    fn hover_descriptions_and_queries() {
        let json = "{\"formatVersion\": \"202502\", \"queryGroups\": [{\"id\": \"g1\", \"name\": \"Staging\"}],\r\n \"queriesMetadata\": {\"Sales Orders\": {\"queryId\": \"1\", \"queryGroupId\": \"g1\"}, \"Gone\": {}}}\r\n";
        check_hover(
            &format!(
                "{MASHUP}//- queryMetadata.json\n{}",
                json.replace("\"formatVersion\"", "\"format$0Version\"")
            ),
            r#"
            "\"formatVersion\""
            `formatVersion`

            The version of the item format; this schema is for "202502".

            Type: string.
            "#,
        );
        check_hover(
            &format!(
                "{MASHUP}//- queryMetadata.json\n{}",
                json.replace("{\"Sales Orders\"", "{\"Sales$0 Orders\"")
            ),
            r#"
            "\"Sales Orders\""
            `Sales Orders`

            Type: object.

            ```powerquery
            shared #"Sales Orders" = let
                Source = Orders
            in
                Source
            ```
            "#,
        );
        check_hover(
            &format!("{MASHUP}//- queryMetadata.json\n{}", json.replace("\"Gone\"", "\"Go$0ne\"")),
            r#"
            "\"Gone\""
            `Gone`

            Type: object.

            `mashup.pq` has no query named `Gone`.
            "#,
        );
        check_hover(
            &format!(
                "{MASHUP}//- queryMetadata.json\n{}",
                json.replace("\"queryGroupId\": \"g1\"", "\"queryGroupId\": \"g$01\"")
            ),
            r#"
            "\"g1\""
            `queryGroupId`

            The id of the query's group in queryGroups.

            Type: string or null.

            The group `Staging`.
            "#,
        );
    }
}
