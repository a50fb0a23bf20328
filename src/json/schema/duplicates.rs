//! Duplicate keys (`J105`). JSON allows them, and every reader (Fabric's, serde's, ours) silently keeps the
//! last value, so an earlier member with the same key is dead text that someone probably meant to change.
//! A schema validator cannot see them: they are gone once the text is a `serde_json::Value`.

use std::collections::HashMap;

use crate::diagnostics::{codes, Diagnostic};
use crate::json::{Kind, Value};

/// One warning at the key of every member that a later member with the same key overrides; a related
/// location points at the member that counts. Iterative, so any depth is fine.
pub(crate) fn find(root: &Value) -> Vec<Diagnostic> {
    let mut diagnostics = Vec::new();
    // Each container with its readable path.
    let mut stack: Vec<(&Value, String)> = vec![(root, String::new())];
    while let Some((value, path)) = stack.pop() {
        match &value.kind {
            Kind::Object(members) => {
                let mut last: HashMap<&str, usize> = HashMap::new();
                for (i, member) in members.iter().enumerate() {
                    last.insert(&member.key.value, i);
                }
                for (i, member) in members.iter().enumerate() {
                    let key = member.key.value.as_str();
                    let winner = last[key];
                    if winner != i {
                        let place = if path.is_empty() {
                            "the top-level object".to_string()
                        } else {
                            format!("`{path}`")
                        };
                        diagnostics.push(
                            Diagnostic::new(
                                codes::J105,
                                member.key.range.clone(),
                                format!(
                                    "duplicate key `{}` in {place}: only the last one counts, so this value is \
                                     ignored",
                                    super::messages::cut(key)
                                ),
                            )
                            .with_related(members[winner].key.range.clone(), "the value that counts"),
                        );
                    }
                }
                for member in members.iter().rev() {
                    if is_container(&member.value) {
                        stack.push((&member.value, join_key(&path, &member.key.value)));
                    }
                }
            }
            Kind::Array(items) => {
                for (i, item) in items.iter().enumerate().rev() {
                    if is_container(item) {
                        stack.push((item, format!("{path}[{i}]")));
                    }
                }
            }
            _ => {}
        }
    }
    diagnostics.sort_by_key(|d| d.range.start);
    diagnostics
}

fn is_container(value: &Value) -> bool {
    matches!(value.kind, Kind::Object(_) | Kind::Array(_))
}

/// The readable path of a member, written as [`super::messages::readable`] writes it.
fn join_key(path: &str, key: &str) -> String {
    let location = jsonschema::paths::Location::new().join(key);
    let segment = super::messages::readable(&location);
    if path.is_empty() || segment.starts_with('[') {
        format!("{path}{segment}")
    } else {
        format!("{path}.{segment}")
    }
}
