//! Query groups (the folders of the Power Query editor): a query's `queryGroupId` names a group of
//! `queryGroups` (`D115`), group ids are unique (`D114`), a group's `parentId` names a group (`D116`), and
//! no group is its own ancestor (`D117`). Ids compare without letter case, as GUIDs do.

use std::collections::HashMap;

use super::{Target, Unit};
use crate::definition::metadata::Group;
use crate::diagnostics::{codes, Diagnostic};

pub(super) fn check(unit: &Unit, out: &mut Vec<(Target, Diagnostic)>) {
    let Some(metadata) = &unit.metadata else { return };
    let view = &metadata.view;
    let target = metadata.target;

    // The first group of each id; later ones are duplicates.
    let mut by_id: HashMap<String, usize> = HashMap::new();
    for (index, group) in view.groups.iter().enumerate() {
        let Some(id) = group.id else { continue };
        match by_id.get(&id.value.to_ascii_lowercase()) {
            Some(&first) => {
                let mut diagnostic = Diagnostic::new(
                    codes::D114,
                    id.range.clone(),
                    format!(
                        "the query groups `{}` and `{}` have the same id `{}`",
                        group_name(&view.groups[first]),
                        group_name(group),
                        id.value
                    ),
                );
                if let Some(first_id) = view.groups[first].id {
                    diagnostic = diagnostic.with_related(
                        first_id.range.clone(),
                        format!("the id of `{}`", group_name(&view.groups[first])),
                    );
                }
                out.push((target, diagnostic));
            }
            None => {
                by_id.insert(id.value.to_ascii_lowercase(), index);
            }
        }
    }
    let find = |id: &str| by_id.get(&id.to_ascii_lowercase()).copied();

    for entry in &view.entries {
        let Some(group_id) = entry.group_id else { continue };
        if find(&group_id.value).is_some() {
            continue;
        }
        let mut diagnostic = Diagnostic::new(
            codes::D115,
            group_id.range.clone(),
            format!(
                "the query `{}` is in the group `{}`, which `queryGroups` does not have",
                entry.name(),
                group_id.value
            ),
        );
        if let Some(groups) = view.groups_member {
            diagnostic = diagnostic.with_related(groups.key.range.clone(), "the query groups");
        }
        out.push((target, diagnostic));
    }

    // Parents: each group points at most at one other, so following the pointers from every group finds
    // every cycle; each cycle is reported once, at its first group.
    let parents: Vec<Option<usize>> =
        view.groups.iter().map(|group| group.parent.and_then(|parent| find(&parent.value))).collect();
    for group in &view.groups {
        let Some(parent) = group.parent else { continue };
        if find(&parent.value).is_none() {
            out.push((
                target,
                Diagnostic::new(
                    codes::D116,
                    parent.range.clone(),
                    format!(
                        "the parent `{}` of the query group `{}` is not a group of `queryGroups`",
                        parent.value,
                        group_name(group)
                    ),
                ),
            ));
        }
    }
    // 0 not visited, 1 on the current path, 2 done.
    let mut state = vec![0u8; view.groups.len()];
    for start in 0..view.groups.len() {
        let mut path = Vec::new();
        let mut at = Some(start);
        while let Some(index) = at {
            match state[index] {
                0 => {
                    state[index] = 1;
                    path.push(index);
                    at = parents[index];
                }
                1 => {
                    let cycle = &path[path.iter().position(|&i| i == index).expect("on the path")..];
                    out.push((target, cycle_diagnostic(&view.groups, cycle)));
                    break;
                }
                _ => break,
            }
        }
        for index in path {
            state[index] = 2;
        }
    }
}

fn cycle_diagnostic(groups: &[Group], cycle: &[usize]) -> Diagnostic {
    // Reported at the group that comes first in the file.
    let first = *cycle.iter().min().expect("a cycle has a group");
    let rotation = cycle.iter().position(|&i| i == first).expect("in the cycle");
    let ordered: Vec<usize> = cycle[rotation..].iter().chain(&cycle[..rotation]).copied().collect();
    let mut names: Vec<&str> = ordered.iter().map(|&i| group_name(&groups[i])).collect();
    names.push(group_name(&groups[first]));
    let range = groups[first].parent.map_or_else(|| groups[first].value.range.clone(), |p| p.range.clone());
    let message = if ordered.len() == 1 {
        format!("the query group `{}` is its own parent", names[0])
    } else {
        format!(
            "the query groups form a cycle: {}; a group cannot contain itself",
            names.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(" is in ")
        )
    };
    let mut diagnostic = Diagnostic::new(codes::D117, range, message);
    for &index in &ordered[1..] {
        if let Some(parent) = groups[index].parent {
            diagnostic = diagnostic.with_related(
                parent.range.clone(),
                format!("the parent of `{}`", group_name(&groups[index])),
            );
        }
    }
    diagnostic
}

/// How a group is named in messages: its name, else its id.
fn group_name<'g>(group: &Group<'g>) -> &'g str {
    group.name.or(group.id.map(|id| id.value.as_str())).unwrap_or("(unnamed)")
}
