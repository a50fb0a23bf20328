//! Queries and their metadata: every shared member of the M document has a `queriesMetadata` entry
//! (`D110`) and every entry a member (`D111`); an entry's key is its `queryName` (`D112`); `queryId`s are
//! GUIDs (`D113`) and unique (`D114`).
//!
//! `D110` is reported on the metadata file, at the `queriesMetadata` key, with the member as the related
//! location: the fix (a new entry with a new GUID) is an edit of that file. An entry matches a member when
//! its key or its `queryName` is the member's name, compared as M names (`#"Sales"` is `Sales`); a key that
//! differs from its `queryName` only in letter case is accepted, as in Microsoft's own CreateDataflow
//! example (`"query": {"queryName": "Query"}`).

use std::collections::{HashMap, HashSet};
use std::ops::Range;

use super::{json_string, related, MashupSide, MetadataSide, Target, Unit};
use crate::definition::guid;
use crate::definition::metadata::Entry;
use crate::diagnostics::{codes, Diagnostic, Edit, Fix};
use crate::json::{JsonString, Member};

pub(super) fn check(unit: &Unit, out: &mut Vec<(Target, Diagnostic)>) {
    let Some(metadata) = &unit.metadata else { return };
    if let Some(mashup) = &unit.mashup {
        members_without_entries(mashup, metadata, out);
        entries_without_members(mashup, metadata, out);
    }
    names(unit, metadata, out);
    ids(metadata, out);
}

/// Whether an entry names one of `names` (by its key or its queryName).
fn matches_any(entry: &Entry, names: &HashSet<&str>) -> bool {
    names.contains(entry.key().value.as_str())
        || entry.query_name.is_some_and(|q| names.contains(q.value.as_str()))
}

/// `D110`: a shared member without an entry.
fn members_without_entries(
    mashup: &MashupSide,
    metadata: &MetadataSide,
    out: &mut Vec<(Target, Diagnostic)>,
) {
    // An entry inside a JSON syntax error may be the one that is "missing".
    if !metadata.complete {
        return;
    }
    let view = &metadata.view;
    // `queriesMetadata` may be absent, or (in a legacy item) null.
    let existing = view.container.member("queriesMetadata");
    let range = match existing {
        Some(queries) => queries.key.range.clone(),
        None => view.container.range.start..view.container.range.start + 1,
    };
    let taken = guid::Taken::of(view.entries.iter().filter_map(|e| e.query_id.map(|id| id.value.as_str())));
    let digest = guid::digest(metadata.text);
    // The names entries go by (their keys and queryNames): a set, since an item may have thousands.
    let named: HashSet<&str> = view
        .entries
        .iter()
        .flat_map(|entry| [Some(entry.key().value.as_str()), entry.query_name.map(|q| q.value.as_str())])
        .flatten()
        .collect();
    for member in mashup.mashup.members().filter(|m| m.shared) {
        if named.contains(member.name.as_str()) {
            continue;
        }
        let id = guid::derive(&format!("{digest}\0{}", member.name), &taken);
        let entry = format!(
            "{}: {{\"queryId\": \"{id}\", \"queryName\": {}}}",
            json_string(&member.name),
            json_string(&member.name)
        );
        let edit = match (existing, view.queries) {
            (_, Some(queries)) => {
                let members = queries.value.as_object().unwrap_or_default();
                insert_member(metadata.text, &queries.value.range, members, entry)
            }
            (Some(other), None) => {
                Edit { range: other.value.range.clone(), new_text: format!("{{{entry}}}") }
            }
            (None, None) => {
                let members = view.container.as_object().unwrap_or_default();
                let wrapped = format!("\"queriesMetadata\": {{{entry}}}");
                insert_member(metadata.text, &view.container.range, members, wrapped)
            }
        };
        let diagnostic = Diagnostic::new(
            codes::D110,
            range.clone(),
            format!("the query `{}` of {} has no entry in `queriesMetadata`", member.name, mashup.label),
        )
        .with_fix(Fix {
            title: format!("add an entry for `{}` with a new queryId", member.name),
            edits: vec![edit],
        });
        let diagnostic = related(
            diagnostic,
            metadata.path,
            mashup.path,
            member.name_range.clone(),
            format!("the query `{}` is defined here", member.name),
        );
        out.push((metadata.target, diagnostic));
    }
}

/// The edit that adds a member at the end of an object, in the layout of the members before it.
fn insert_member(text: &str, object: &Range<usize>, members: &[Member], member: String) -> Edit {
    match members.last() {
        Some(last) => {
            // The separator before the last member (a newline and its indentation, or a space) is reused.
            let before_last = match members.len() {
                1 => object.start + 1,
                n => members[n - 2].value.range.end,
            };
            let gap = text.get(before_last..last.key.range.start).unwrap_or(" ");
            let separator = gap.trim_start_matches(',');
            let separator = if separator.contains('\n') {
                separator.rsplit_once('\n').map_or(" ".to_string(), |(_, indent)| format!("\n{indent}"))
            } else {
                " ".to_string()
            };
            let at = last.value.range.end;
            Edit { range: at..at, new_text: format!(",{separator}{member}") }
        }
        None => {
            let at = object.start + 1;
            Edit { range: at..at, new_text: member }
        }
    }
}

/// `D111`: an entry without a member.
fn entries_without_members(
    mashup: &MashupSide,
    metadata: &MetadataSide,
    out: &mut Vec<(Target, Diagnostic)>,
) {
    let Some(section) = mashup.mashup.sections.first() else { return };
    // A member inside an M syntax error may be the one that is "missing"; an entry cut short by a JSON
    // syntax error may have lost the `queryName` that matches.
    if !mashup.complete || !metadata.complete {
        return;
    }
    let siblings = metadata.view.queries.and_then(|q| q.value.as_object()).unwrap_or_default();
    let defined: HashSet<&str> = mashup.mashup.members().map(|member| member.name.as_str()).collect();
    // Where each entry is among its siblings, for the fix that removes it with its comma.
    let index: HashMap<*const Member, usize> =
        siblings.iter().enumerate().map(|(at, member)| (member as *const Member, at)).collect();
    for entry in &metadata.view.entries {
        if matches_any(entry, &defined) {
            continue;
        }
        let diagnostic = Diagnostic::new(
            codes::D111,
            entry.key().range.clone(),
            format!(
                "`queriesMetadata` has an entry for `{}`, but {} defines no such query",
                entry.name(),
                mashup.label
            ),
        )
        .with_fix(Fix {
            title: format!("remove the entry `{}`", entry.key().value),
            edits: vec![remove_member(
                siblings,
                entry.member,
                index.get(&(entry.member as *const Member)).copied(),
            )],
        });
        let diagnostic = related(
            diagnostic,
            metadata.path,
            mashup.path,
            section.name_range.clone(),
            format!("the section `{}` has no member `{}`", section.name, entry.name()),
        );
        out.push((metadata.target, diagnostic));
    }
}

/// The edit that removes a member (at `index` of the object's members) with its separating comma.
fn remove_member(members: &[Member], member: &Member, index: Option<usize>) -> Edit {
    let index = index.unwrap_or(0);
    let range = if index > 0 {
        members[index - 1].value.range.end..member.value.range.end
    } else if let Some(next) = members.get(1) {
        member.key.range.start..next.key.range.start
    } else {
        member.key.range.start..member.value.range.end
    };
    Edit { range, new_text: String::new() }
}

/// `D112`: a key that is not its `queryName`.
fn names(unit: &Unit, metadata: &MetadataSide, out: &mut Vec<(Target, Diagnostic)>) {
    let defined = |name: &str| unit.mashup.as_ref().is_some_and(|m| m.mashup.member(name).is_some());
    for entry in &metadata.view.entries {
        let Some(query_name) = entry.query_name else { continue };
        let key = entry.key();
        if key.value.to_lowercase() == query_name.value.to_lowercase() {
            continue;
        }
        let mut diagnostic = Diagnostic::new(
            codes::D112,
            key.range.clone(),
            format!(
                "the entry `{}` of `queriesMetadata` has the queryName `{}`; the key and the queryName must name the same query",
                key.value, query_name.value
            ),
        )
        .with_related(query_name.range.clone(), "the queryName");
        // Which side to change: the one that names no query of the M document.
        let fix = if defined(&query_name.value) || !defined(&key.value) {
            replace(key, &query_name.value, "rename the key to the queryName")
        } else {
            replace(query_name, &key.value, "set the queryName to the key")
        };
        diagnostic = diagnostic.with_fix(fix);
        out.push((metadata.target, diagnostic));
    }
}

fn replace(string: &JsonString, value: &str, title: &str) -> Fix {
    Fix {
        title: format!("{title} (`{value}`)"),
        edits: vec![Edit { range: string.range.clone(), new_text: json_string(value) }],
    }
}

/// `D113` and `D114` for `queryId`s. A new GUID is derived from the file and the entry, so two fixes
/// never propose the same one.
fn ids(metadata: &MetadataSide, out: &mut Vec<(Target, Diagnostic)>) {
    let entries = &metadata.view.entries;
    let taken = guid::Taken::of(entries.iter().filter_map(|e| e.query_id.map(|id| id.value.as_str())));
    let digest = guid::digest(metadata.text);
    let mut first: HashMap<String, &Entry> = HashMap::new();
    for entry in entries {
        let Some(id) = entry.query_id else { continue };
        let new_id = || guid::derive(&format!("{digest}\0{}\0{}", entry.key().value, id.value), &taken);
        if !guid::is_guid(&id.value) {
            let diagnostic = Diagnostic::new(
                codes::D113,
                id.range.clone(),
                if id.value.is_empty() {
                    format!("the queryId of `{}` is empty; it must be a GUID", entry.name())
                } else {
                    format!("the queryId of `{}` is `{}`, not a GUID", entry.name(), id.value)
                },
            )
            .with_fix(replace(id, &new_id(), "use a new GUID"));
            out.push((metadata.target, diagnostic));
            continue;
        }
        match first.get(&id.value.to_ascii_lowercase()) {
            Some(original) => {
                let mut diagnostic = Diagnostic::new(
                    codes::D114,
                    id.range.clone(),
                    format!(
                        "the queries `{}` and `{}` have the same queryId `{}`",
                        original.name(),
                        entry.name(),
                        id.value
                    ),
                )
                .with_fix(replace(id, &new_id(), "give this query a new GUID"));
                if let Some(original_id) = original.query_id {
                    diagnostic = diagnostic.with_related(
                        original_id.range.clone(),
                        format!("the queryId of `{}`", original.name()),
                    );
                }
                out.push((metadata.target, diagnostic));
            }
            None => {
                first.insert(id.value.to_ascii_lowercase(), entry);
            }
        }
    }
}
