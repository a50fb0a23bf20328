//! The rules that tie the files of an item together (`D110`-`D123`): the queries of `mashup.pq` and the
//! entries of `queriesMetadata`, query ids and groups, `.platform`, destinations and Mapping Data Flow
//! parts, and the single section.
//!
//! Each rule reads a [`Unit`] (views of the already checked files, never the bytes again) and returns
//! diagnostics addressed to one of the unit's files, with related locations in the other file and a fix
//! where one is certain. Every side is optional: a `queryMetadata.json` checked alone still gets the rules
//! that need only it. A rule that concludes something is *missing* from a file runs only when that file
//! parsed without errors, since a query inside a syntax error is not missing. Pure.

mod groups;
mod mashup;
mod platform;
mod queries;

use std::ops::Range;

use super::mashup::Mashup;
use super::metadata::Metadata;
use crate::diagnostics::{Diagnostic, Related};
use crate::json::Json;

/// The index of a file among the files of the item being checked.
pub type Target = usize;

/// The files of one item, as the rules see them.
#[derive(Debug, Default)]
pub struct Unit<'a> {
    pub mashup: Option<MashupSide<'a>>,
    pub metadata: Option<MetadataSide<'a>>,
    pub platform: Option<PlatformSide<'a>>,
    /// The name of the item folder (`Sales.Dataflow`), for an item that is a folder.
    pub folder: Option<&'a str>,
    /// The `.mdf` parts, when the item's parts are known (a folder or a payload, not a file alone).
    pub mdf: Option<Vec<MdfSide<'a>>>,
}

/// The M document of an item: `mashup.pq`, or the `mashupDocument` of a legacy item (a loose M file is
/// no item's and is checked by its syntax only).
#[derive(Debug)]
pub struct MashupSide<'a> {
    pub target: Target,
    pub path: &'a str,
    /// How messages name it: "mashup.pq" or "the mashupDocument".
    pub label: &'a str,
    pub mashup: &'a Mashup,
    /// Parsed without syntax errors (name errors do not count).
    pub complete: bool,
}

/// The query metadata: `queryMetadata.json`, or a legacy `dataflow-content.json`.
#[derive(Debug)]
pub struct MetadataSide<'a> {
    pub target: Target,
    pub path: &'a str,
    /// The file's text, for fixes that keep its layout.
    pub text: &'a str,
    pub view: Metadata<'a>,
    /// Parsed without errors.
    pub complete: bool,
}

/// `.platform`.
#[derive(Debug)]
pub struct PlatformSide<'a> {
    pub target: Target,
    pub json: &'a Json,
    pub text: &'a str,
}

/// An `.mdf` part.
#[derive(Debug)]
pub struct MdfSide<'a> {
    pub target: Target,
    pub path: &'a str,
    /// The query it belongs to (`MDF transform` for `MDF transform.mdf`).
    pub query: &'a str,
    /// Where a diagnostic about the part goes: the start of its JSON value.
    pub range: Range<usize>,
}

/// Runs every rule that applies to the unit.
pub fn check(unit: &Unit) -> Vec<(Target, Diagnostic)> {
    let mut out = Vec::new();
    queries::check(unit, &mut out);
    groups::check(unit, &mut out);
    platform::check(unit, &mut out);
    mashup::check(unit, &mut out);
    out
}

/// Adds a related location in file `other_path` to a diagnostic of file `own_path`.
fn related(
    mut diagnostic: Diagnostic,
    own_path: &str,
    other_path: &str,
    range: Range<usize>,
    message: impl Into<String>,
) -> Diagnostic {
    diagnostic.related.push(Related {
        path: (own_path != other_path).then(|| other_path.to_string()),
        range,
        message: message.into(),
    });
    diagnostic
}

/// A JSON string literal of `text`.
fn json_string(text: &str) -> String {
    serde_json::to_string(text).expect("a string always serializes")
}
