//! The query metadata of an item, in whichever layout holds it: `queryMetadata.json` of formatVersion
//! "202502" (`queriesMetadata` and `queryGroups` at the top), of "202409" (both under
//! `editingSession.editingSessionMashup`), or a legacy `dataflow-content.json` (under
//! `editingSessionMashup`).
//!
//! A view over a parsed [`Json`] that keeps every key and value with its range, for the cross-file rules.
//! Shapes the schema rejects (a `queryId` that is a number, `queriesMetadata` that is an array) are
//! skipped here: the schema diagnostics report them. Pure; knows no files.

use crate::json::{Json, JsonString, Member, Value};

/// Where the metadata of an item lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// `queryMetadata.json`, either format version.
    QueryMetadata,
    /// A legacy `dataflow-content.json`.
    LegacyContent,
}

/// The query metadata of an item.
#[derive(Debug)]
pub struct Metadata<'j> {
    /// The object that holds (or would hold) `queriesMetadata` and `queryGroups`.
    pub container: &'j Value,
    /// The `queriesMetadata` member, when it is an object.
    pub queries: Option<&'j Member>,
    pub entries: Vec<Entry<'j>>,
    /// The `queryGroups` member, when it is an array.
    pub groups_member: Option<&'j Member>,
    pub groups: Vec<Group<'j>>,
}

/// One entry of `queriesMetadata`: `"Sales": {"queryId": "...", "queryName": "Sales", ...}`.
#[derive(Debug)]
pub struct Entry<'j> {
    pub member: &'j Member,
    pub query_name: Option<&'j JsonString>,
    pub query_id: Option<&'j JsonString>,
    /// `queryGroupId`, unless absent or null.
    pub group_id: Option<&'j JsonString>,
}

impl Entry<'_> {
    /// The key of the entry.
    pub fn key(&self) -> &JsonString {
        &self.member.key
    }

    /// The query the entry is about: its `queryName`, or its key without one.
    pub fn name(&self) -> &str {
        self.query_name.map_or(&self.member.key.value, |name| &name.value)
    }
}

/// One element of `queryGroups`: `{"id": "...", "name": "Staging", "parentId": "..."}`.
#[derive(Debug)]
pub struct Group<'j> {
    pub value: &'j Value,
    pub id: Option<&'j JsonString>,
    pub name: Option<&'j str>,
    /// `parentId`, unless absent or null.
    pub parent: Option<&'j JsonString>,
}

/// Reads the metadata view of a parsed file; `None` when the file has no object where the layout puts it.
pub fn read(json: &Json, layout: Layout) -> Option<Metadata<'_>> {
    let root = json.root.as_ref()?;
    let container = match layout {
        Layout::QueryMetadata => {
            match root.get("editingSession").and_then(|session| session.get("editingSessionMashup")) {
                Some(nested) if nested.as_object().is_some() => nested,
                _ => root,
            }
        }
        Layout::LegacyContent => root.get("editingSessionMashup")?,
    };
    container.as_object()?;
    let queries = container.member("queriesMetadata").filter(|m| m.value.as_object().is_some());
    let entries = queries
        .and_then(|queries| queries.value.as_object())
        .unwrap_or_default()
        .iter()
        .filter(|member| member.value.as_object().is_some())
        .map(|member| Entry {
            member,
            query_name: member.value.get("queryName").and_then(Value::as_string),
            query_id: member.value.get("queryId").and_then(Value::as_string),
            group_id: member.value.get("queryGroupId").and_then(Value::as_string),
        })
        .collect();
    let groups_member = container.member("queryGroups").filter(|m| m.value.as_array().is_some());
    let groups = groups_member
        .and_then(|groups| groups.value.as_array())
        .unwrap_or_default()
        .iter()
        .filter(|value| value.as_object().is_some())
        .map(|value| Group {
            value,
            id: value.get("id").and_then(Value::as_string),
            name: value.get("name").and_then(Value::as_str),
            parent: value.get("parentId").and_then(Value::as_string),
        })
        .collect();
    Some(Metadata { container, queries, entries, groups_member, groups })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_query_metadata_layouts_and_the_legacy_one() {
        let current = crate::json::parse(
            r#"{"formatVersion": "202502", "queryGroups": [{"id": "g", "name": "G", "parentId": null}],
                "queriesMetadata": {"a": {"queryId": "1", "queryName": "A", "queryGroupId": "g"}, "b": 3}}"#,
        );
        let view = read(&current, Layout::QueryMetadata).unwrap();
        assert_eq!(view.entries.len(), 1);
        assert_eq!(view.entries[0].name(), "A");
        assert_eq!(view.entries[0].key().value, "a");
        assert_eq!(view.entries[0].group_id.unwrap().value, "g");
        assert_eq!(view.groups.len(), 1);
        assert!(view.groups[0].parent.is_none());

        let earlier = crate::json::parse(
            r#"{"formatVersion": "202409", "editingSession": {"editingSessionMashup":
                {"queriesMetadata": {"Q": {"queryId": "1"}}}}}"#,
        );
        let view = read(&earlier, Layout::QueryMetadata).unwrap();
        assert_eq!(view.entries[0].name(), "Q");
        assert!(view.groups_member.is_none());

        let legacy = crate::json::parse(r#"{"editingSessionMashup": {"queriesMetadata": null}}"#);
        let view = read(&legacy, Layout::LegacyContent).unwrap();
        assert!(view.queries.is_none() && view.entries.is_empty());
        assert!(read(&crate::json::parse("[]"), Layout::QueryMetadata).is_none());
    }
}
