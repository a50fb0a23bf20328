//! The M document of an item: it is exactly one section (`D123`); destination attributes name queries it
//! defines (`D120`); a query marked `[ItemType = "MDF"]` has its `<name>.mdf` part (`D121`) and an `.mdf`
//! part has its query (`D122`).

use super::{related, Target, Unit};
use crate::diagnostics::{codes, Diagnostic};

/// The `ItemType` of a query whose definition is a Mapping Data Flow part.
const MDF: &str = "MDF";

pub(super) fn check(unit: &Unit, out: &mut Vec<(Target, Diagnostic)>) {
    let Some(side) = &unit.mashup else { return };
    let mashup = side.mashup;
    let target = side.target;

    // D123: one section. A document that failed to parse may hide its section in an error.
    match mashup.sections.as_slice() {
        [] if side.complete => {
            let (range, message) = match &mashup.expression {
                Some(range) => (
                    range.clone(),
                    format!("{} holds an expression; a Dataflow's queries are a section document (`section Section1; shared Query = ...;`)", side.label),
                ),
                None => (
                    0..0,
                    format!("{} is empty; a Dataflow's queries are a section document (`section Section1;` at least)", side.label),
                ),
            };
            out.push((target, Diagnostic::new(codes::D123, range, message)));
        }
        [first, rest @ ..] => {
            for section in rest {
                let diagnostic = Diagnostic::new(
                    codes::D123,
                    section.name_range.clone(),
                    format!(
                        "a second section `{}`; {} holds exactly one section, `{}`",
                        section.name, side.label, first.name
                    ),
                )
                .with_related(first.name_range.clone(), "the first section");
                out.push((target, diagnostic));
            }
        }
        [] => {}
    }

    // D120: destinations name queries of the document.
    if side.complete {
        for reference in mashup.references() {
            if mashup.member(&reference.query).is_none() {
                out.push((
                    target,
                    Diagnostic::new(
                        codes::D120,
                        reference.range.clone(),
                        format!(
                            "`{}` names the query `{}`, which {} does not define",
                            reference.attribute, reference.query, side.label
                        ),
                    ),
                ));
            }
        }
    }

    // D121 and D122: MDF queries and parts, when the item's parts are known.
    let Some(parts) = &unit.mdf else { return };
    for member in mashup.members().filter(|m| m.item_type.as_deref() == Some(MDF)) {
        if !parts.iter().any(|part| part.query == member.name) {
            out.push((
                target,
                Diagnostic::new(
                    codes::D121,
                    member.name_range.clone(),
                    format!(
                        "the query `{}` is marked `[ItemType = \"MDF\"]`, but the item has no part `{}.mdf` with its Mapping Data Flow",
                        member.name, member.name
                    ),
                ),
            ));
        }
    }
    if !side.complete {
        return;
    }
    for part in parts {
        let member = mashup.member(part.query);
        if member.is_some_and(|m| m.item_type.as_deref() == Some(MDF)) {
            continue;
        }
        let mut diagnostic = Diagnostic::new(
            codes::D122,
            part.range.clone(),
            format!(
                "`{}.mdf` is the Mapping Data Flow of the query `{}`, but {} has no such query marked `[ItemType = \"MDF\"]`",
                part.query, part.query, side.label
            ),
        );
        if let Some(member) = member {
            diagnostic = related(
                diagnostic,
                part.path,
                side.path,
                member.name_range.clone(),
                format!("`{}` is not marked `[ItemType = \"MDF\"]`", member.name),
            );
        }
        out.push((part.target, diagnostic));
    }
}
