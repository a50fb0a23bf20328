//! The files a Dataflow item is made of, by their part path (the path relative to the item folder, as a
//! REST definition names it): what each one is, which JSON schema checks it, and which are required.
//!
//! Pure: names in, kinds out.

use crate::json::schema::SchemaKind;

/// The Power Query M section document.
pub const MASHUP: &str = "mashup.pq";
/// The query metadata (formatVersion 202502 or 202409).
pub const QUERY_METADATA: &str = "queryMetadata.json";
/// The Git integration's item properties.
pub const PLATFORM: &str = ".platform";
/// The Git integration's refresh schedules.
pub const SCHEDULES: &str = ".schedules";
/// The single part of a legacy item.
pub const LEGACY_CONTENT: &str = "dataflow-content.json";
/// The extension of Mapping Data Flow parts.
pub const MDF_EXTENSION: &str = ".mdf";

/// What a part of a Dataflow item is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PartKind {
    Mashup,
    QueryMetadata,
    Platform,
    Schedules,
    /// `<query name>.mdf`, the Mapping Data Flow of an `[ItemType = "MDF"]` query.
    Mdf,
    LegacyContent,
    /// Anything else: not part of a Dataflow definition.
    Unknown,
}

impl PartKind {
    /// The kind of a part path. Parts live at the top of the item: a path with a `/` is unknown.
    pub fn of(part_path: &str) -> PartKind {
        match part_path {
            MASHUP => PartKind::Mashup,
            QUERY_METADATA => PartKind::QueryMetadata,
            PLATFORM => PartKind::Platform,
            SCHEDULES => PartKind::Schedules,
            LEGACY_CONTENT => PartKind::LegacyContent,
            path if !path.contains('/') && mdf_query(path).is_some() => PartKind::Mdf,
            _ => PartKind::Unknown,
        }
    }

    /// The schema a JSON part is validated with; `None` for M, `.mdf` (no published schema) and unknown
    /// parts.
    pub fn schema(self) -> Option<SchemaKind> {
        match self {
            PartKind::QueryMetadata => Some(SchemaKind::QueryMetadata),
            PartKind::Platform => Some(SchemaKind::Platform),
            PartKind::Schedules => Some(SchemaKind::Schedules),
            PartKind::LegacyContent => Some(SchemaKind::LegacyDataflowContent),
            PartKind::Mashup | PartKind::Mdf | PartKind::Unknown => None,
        }
    }

    /// Whether the part is JSON.
    pub fn is_json(self) -> bool {
        !matches!(self, PartKind::Mashup | PartKind::Unknown)
    }
}

/// The query an `.mdf` part belongs to: `MDF transform.mdf` is the query `MDF transform`.
pub fn mdf_query(part_path: &str) -> Option<&str> {
    part_path.strip_suffix(MDF_EXTENSION).filter(|name| !name.is_empty())
}

/// The part paths every item needs that `present` lacks: `mashup.pq` and `queryMetadata.json`, unless the
/// item is a legacy one (a `dataflow-content.json` and neither of them).
pub fn missing_required<'p>(present: impl Iterator<Item = &'p str> + Clone) -> Vec<&'static str> {
    let has = |name: &str| present.clone().any(|path| path == name);
    if has(LEGACY_CONTENT) && !has(MASHUP) && !has(QUERY_METADATA) {
        return Vec::new();
    }
    [MASHUP, QUERY_METADATA].into_iter().filter(|name| !has(name)).collect()
}

/// A `.platform` with its `metadata.displayName` and `metadata.description` set (those given), the other
/// properties in their order, pretty-printed as Fabric writes it; `None` when it is not JSON with a
/// `metadata` object.
pub fn platform_with(bytes: &[u8], display_name: Option<&str>, description: Option<&str>) -> Option<Vec<u8>> {
    let mut platform: serde_json::Value = serde_json::from_slice(bytes).ok()?;
    let metadata = platform.get_mut("metadata")?.as_object_mut()?;
    if let Some(name) = display_name {
        metadata.insert("displayName".to_owned(), serde_json::Value::from(name));
    }
    if let Some(description) = description {
        metadata.insert("description".to_owned(), serde_json::Value::from(description));
    }
    let mut written = serde_json::to_string_pretty(&platform).ok()?;
    written.push('\n');
    Some(written.into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_of_part_paths() {
        assert_eq!(PartKind::of("mashup.pq"), PartKind::Mashup);
        assert_eq!(PartKind::of("MDF transform.mdf"), PartKind::Mdf);
        assert_eq!(PartKind::of(".mdf"), PartKind::Unknown);
        assert_eq!(PartKind::of("sub/x.mdf"), PartKind::Unknown);
        assert_eq!(PartKind::of("Mashup.pq"), PartKind::Unknown);
        assert_eq!(PartKind::of("notes.txt"), PartKind::Unknown);
        assert_eq!(mdf_query("MDF transform.mdf"), Some("MDF transform"));
    }

    #[test]
    fn required_parts() {
        assert_eq!(missing_required(["mashup.pq", ".platform"].into_iter()), ["queryMetadata.json"]);
        assert!(missing_required(["dataflow-content.json"].into_iter()).is_empty());
        assert_eq!(
            missing_required(["dataflow-content.json", "mashup.pq"].into_iter()),
            ["queryMetadata.json"]
        );
        assert_eq!(missing_required([].into_iter()), ["mashup.pq", "queryMetadata.json"]);
    }
}
