//! `.platform`: the item is a Dataflow (`D118`), its `logicalId` is a GUID (`D113`; the all-zero GUID is
//! the placeholder Fabric's export writes, and valid), and the folder `Sales.Dataflow` holds the item whose
//! `displayName` is "Sales" (`D119`, a warning: Fabric reads the name from `.platform`, never from the
//! folder, so nothing breaks, but a folder copied from another item and left with its old name is a common
//! way to push the wrong item).

use super::{json_string, Target, Unit};
use crate::definition::discover::ITEM_FOLDER_SUFFIX;
use crate::definition::guid;
use crate::diagnostics::{codes, Diagnostic, Edit, Fix};

/// The item type of a Dataflow in `.platform`.
const DATAFLOW: &str = "Dataflow";

pub(super) fn check(unit: &Unit, out: &mut Vec<(Target, Diagnostic)>) {
    let Some(platform) = &unit.platform else { return };
    let json = platform.json;
    if let Some(kind) = json.locate("/metadata/type").and_then(|l| l.value.as_string()) {
        if kind.value != DATAFLOW {
            let diagnostic = Diagnostic::new(
                codes::D118,
                kind.range.clone(),
                format!(
                    "`.platform` says this item is a `{}`; a Dataflow item has the type \"{DATAFLOW}\"",
                    kind.value
                ),
            )
            .with_fix(Fix {
                title: format!("set the type to \"{DATAFLOW}\""),
                edits: vec![Edit { range: kind.range.clone(), new_text: json_string(DATAFLOW) }],
            });
            out.push((platform.target, diagnostic));
        }
    }
    if let Some(id) = json.locate("/config/logicalId").and_then(|l| l.value.as_string()) {
        if !guid::is_guid(&id.value) {
            let new_id =
                guid::derive(&format!("{}\0logicalId", guid::digest(platform.text)), &guid::Taken::default());
            let diagnostic = Diagnostic::new(
                codes::D113,
                id.range.clone(),
                format!(
                    "the logicalId `{}` is not a GUID (use a new GUID, or the placeholder {} that Fabric's export writes)",
                    id.value,
                    guid::ZERO
                ),
            )
            .with_fix(Fix {
                title: format!("use a new GUID (`{new_id}`)"),
                edits: vec![Edit { range: id.range.clone(), new_text: json_string(&new_id) }],
            });
            out.push((platform.target, diagnostic));
        }
    }
    let Some(folder) = unit.folder else { return };
    let Some(stem) = folder.strip_suffix(ITEM_FOLDER_SUFFIX) else { return };
    if let Some(name) = json.locate("/metadata/displayName").and_then(|l| l.value.as_string()) {
        if name.value != stem {
            out.push((
                platform.target,
                Diagnostic::new(
                    codes::D119,
                    name.range.clone(),
                    format!(
                        "the folder `{folder}` holds the item \"{}\"; Fabric's Git integration would name its folder `{}{ITEM_FOLDER_SUFFIX}`",
                        name.value, name.value
                    ),
                ),
            ));
        }
    }
}
