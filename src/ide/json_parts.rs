//! Completion and hover in the item's JSON files.

use super::Item;

/// The hover at an offset of `queryMetadata.json`.
pub fn hover(item: &Item, offset: usize) -> Option<super::hover::Hover> {
    let _ = (item, offset);
    None
}
