//! The registry of diagnostic codes: `M1xx` syntax, `M2xx` names and types, `M3xx` lints, `D1xx`
//! definition and cross-file rules, `J1xx` JSON schemas, `F1xx` Fabric.
//!
//! A code never changes meaning once published. Every code listed in [`ALL`] has a section in
//! docs/diagnostics.md with a failing example and the fix; a test keeps the two in step.

use super::Severity;

/// A stable diagnostic code and what it is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Code {
    /// The code, e.g. `M101`.
    pub id: &'static str,
    /// A short kebab-case name, e.g. `unexpected-token`.
    pub name: &'static str,
    /// The default severity.
    pub severity: Severity,
    /// One sentence for rule listings (SARIF rules, `--help`).
    pub summary: &'static str,
}

/// Where docs/diagnostics.md is published; each code is an anchor on that page.
pub const DOCS_URL: &str = "https://github.com/dfls/dfls/blob/main/docs/diagnostics.md";

impl Code {
    /// The link to the code's documentation.
    pub fn doc_url(self) -> String {
        format!("{DOCS_URL}#{}", self.id.to_ascii_lowercase())
    }
}

const fn code(id: &'static str, name: &'static str, severity: Severity, summary: &'static str) -> Code {
    Code { id, name, severity, summary }
}

pub const M100: Code = code("M100", "invalid-utf8", Severity::Error, "The file is not valid UTF-8.");
pub const M101: Code =
    code("M101", "unexpected-token", Severity::Error, "A token appears where the grammar does not allow it.");
pub const M102: Code =
    code("M102", "missing-token", Severity::Error, "A token the construct needs is missing.");
pub const M103: Code =
    code("M103", "unterminated-text", Severity::Error, "A text or verbatim literal has no closing quote.");
pub const M104: Code = code(
    "M104",
    "unterminated-quoted-identifier",
    Severity::Error,
    "A quoted identifier `#\"...\"` has no closing quote.",
);
pub const M105: Code =
    code("M105", "unterminated-comment", Severity::Error, "A block comment `/* ...` has no closing `*/`.");
pub const M106: Code = code(
    "M106",
    "invalid-escape",
    Severity::Error,
    "A `#(...)` escape in a text literal or quoted identifier is not valid.",
);
pub const M107: Code = code("M107", "invalid-number", Severity::Error, "A number literal is malformed.");
pub const M108: Code = code("M108", "binary-file", Severity::Error, "The file is binary, not M source text.");
pub const M109: Code = code(
    "M109",
    "invalid-name-character",
    Severity::Error,
    "A name holds a character that M does not allow in a name.",
);
pub const M110: Code = code(
    "M110",
    "too-many-syntax-errors",
    Severity::Error,
    "The file has more syntax errors than are shown; the rest are counted.",
);

pub const M201: Code = code(
    "M201",
    "unknown-name",
    Severity::Error,
    "A name is not defined in the document and is not a standard library name.",
);
pub const M202: Code = code(
    "M202",
    "wrong-argument-count",
    Severity::Error,
    "A library function is called with fewer or more arguments than it takes.",
);
pub const M203: Code = code(
    "M203",
    "duplicate-name",
    Severity::Error,
    "A let, record, section or parameter list defines the same name twice.",
);
pub const M204: Code =
    code("M204", "unused-binding", Severity::Hint, "A let binding is never used; its code is unnecessary.");
pub const M206: Code = code(
    "M206",
    "date-out-of-range",
    Severity::Error,
    "A `#date`, `#time`, `#datetime` or `#datetimezone` literal has a part out of range.",
);
pub const M207: Code = code(
    "M207",
    "too-many-name-findings",
    Severity::Error,
    "The file has more name findings than are shown; the rest are counted.",
);
pub const M205: Code = code(
    "M205",
    "text-addition",
    Severity::Error,
    "Text is added with `+`, which never applies to text in M.",
);

pub const J100: Code = code("J100", "json-syntax", Severity::Error, "The file is not valid JSON.");
pub const J101: Code = code(
    "J101",
    "missing-property",
    Severity::Error,
    "An object of a JSON file lacks a property its schema requires.",
);
pub const J102: Code =
    code("J102", "wrong-type", Severity::Error, "A JSON value has a type its schema does not allow.");
pub const J103: Code = code(
    "J103",
    "value-not-allowed",
    Severity::Error,
    "A JSON value is not one its schema allows (a fixed value, a list of values, a pattern, a format or a range).",
);
pub const J104: Code = code(
    "J104",
    "unknown-property",
    Severity::Error,
    "An object of a JSON file has a property its schema forbids.",
);
pub const J105: Code = code(
    "J105",
    "duplicate-key",
    Severity::Warning,
    "An object has the same key twice; only the last value counts.",
);
pub const J106: Code = code(
    "J106",
    "unsupported-format-version",
    Severity::Error,
    "The `formatVersion` of queryMetadata.json is not one Fabric reads.",
);
pub const J107: Code = code(
    "J107",
    "old-format-version",
    Severity::Info,
    "queryMetadata.json uses the 2024 layout (formatVersion 202409), which `dfls convert` upgrades to 202502.",
);
pub const J108: Code = code(
    "J108",
    "unknown-schema-url",
    Severity::Warning,
    "The `$schema` of .platform or .schedules is missing or not a version dfls knows.",
);

pub const D100: Code = code(
    "D100",
    "malformed-definition",
    Severity::Error,
    "A REST definition payload or one of its parts lacks a required field.",
);
pub const D101: Code =
    code("D101", "invalid-base64", Severity::Error, "A part's payload is not valid base64.");
pub const D102: Code = code("D102", "part-not-utf8", Severity::Error, "A text part is not valid UTF-8.");
pub const D103: Code =
    code("D103", "unknown-payload-type", Severity::Error, "A part's payloadType is not InlineBase64.");
pub const D104: Code =
    code("D104", "duplicate-part", Severity::Error, "Two parts of a definition are the same file.");
pub const D105: Code = code(
    "D105",
    "unknown-part",
    Severity::Warning,
    "A part path is not one a Dataflow definition has; Fabric may ignore or refuse it.",
);
pub const D106: Code =
    code("D106", "missing-part", Severity::Error, "A part every Dataflow definition needs is missing.");
pub const D107: Code = code(
    "D107",
    "unsafe-part-path",
    Severity::Error,
    "A part path is absolute, climbs out of the item folder, or writes into `.git/`.",
);
pub const D108: Code = code(
    "D108",
    "part-path-clash",
    Severity::Error,
    "One part path is a file where another part needs a folder.",
);
pub const D110: Code = code(
    "D110",
    "query-without-metadata",
    Severity::Error,
    "A shared query of mashup.pq has no entry in queriesMetadata.",
);
pub const D111: Code = code(
    "D111",
    "metadata-without-query",
    Severity::Error,
    "An entry of queriesMetadata names a query that mashup.pq does not define.",
);
pub const D112: Code = code(
    "D112",
    "query-name-mismatch",
    Severity::Error,
    "The key of a queriesMetadata entry differs from its queryName.",
);
pub const D113: Code = code("D113", "invalid-guid", Severity::Error, "A queryId or logicalId is not a GUID.");
pub const D114: Code =
    code("D114", "duplicate-id", Severity::Error, "Two queries, or two query groups, have the same id.");
pub const D115: Code = code(
    "D115",
    "unknown-query-group",
    Severity::Error,
    "A query's queryGroupId names no group of queryGroups.",
);
pub const D116: Code = code(
    "D116",
    "unknown-parent-group",
    Severity::Error,
    "A query group's parentId names no group of queryGroups.",
);
pub const D117: Code =
    code("D117", "query-group-cycle", Severity::Error, "Query groups are their own ancestors.");
pub const D118: Code =
    code("D118", "not-a-dataflow", Severity::Error, "The item's .platform gives a type other than Dataflow.");
pub const D119: Code = code(
    "D119",
    "folder-name-mismatch",
    Severity::Warning,
    "The item folder's name does not match the displayName in .platform.",
);
pub const D120: Code = code(
    "D120",
    "unknown-destination-query",
    Severity::Error,
    "A destination attribute names a query that mashup.pq does not define.",
);
pub const D121: Code = code(
    "D121",
    "missing-mdf-part",
    Severity::Error,
    "A query marked [ItemType = \"MDF\"] has no .mdf part.",
);
pub const D122: Code = code(
    "D122",
    "mdf-without-query",
    Severity::Error,
    "An .mdf part has no query marked [ItemType = \"MDF\"] of its name.",
);
pub const D123: Code =
    code("D123", "one-section", Severity::Error, "mashup.pq is not exactly one section document.");
pub const D124: Code = code(
    "D124",
    "invalid-schedule",
    Severity::Error,
    "A schedule in .schedules breaks a rule of Fabric's (a field missing or out of bounds, an end before the start).",
);
pub const D125: Code = code(
    "D125",
    "schedule-time-zone",
    Severity::Error,
    "A schedule's localTimeZoneId is not a Windows time-zone id.",
);
pub const D126: Code =
    code("D126", "too-many-schedules", Severity::Error, "An item has more schedules than Fabric keeps (20).");

/// Every code, in order.
pub const ALL: &[Code] = &[
    M100, M101, M102, M103, M104, M105, M106, M107, M108, M109, M110, M201, M202, M203, M204, M205, M206,
    M207, J100, J101, J102, J103, J104, J105, J106, J107, J108, D100, D101, D102, D103, D104, D105, D106,
    D107, D108, D110, D111, D112, D113, D114, D115, D116, D117, D118, D119, D120, D121, D122, D123, D124,
    D125, D126,
];

/// Looks a code up by its id.
pub fn find(id: &str) -> Option<Code> {
    ALL.iter().copied().find(|code| code.id == id)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every code has a section in docs/diagnostics.md (`## M101`) with its name, severity and an example
    /// in a code block; and every section there is a registered code.
    #[test]
    fn every_code_is_documented_with_an_example() {
        let docs =
            std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/diagnostics.md")).unwrap();
        let sections: Vec<(&str, &str)> = docs
            .split("\n## ")
            .skip(1)
            .map(|section| section.split_once('\n').unwrap_or((section, "")))
            .collect();
        for code in ALL {
            let (_, body) = sections
                .iter()
                .find(|(title, _)| title.trim() == code.id)
                .unwrap_or_else(|| panic!("docs/diagnostics.md has no section `## {}`", code.id));
            assert!(
                body.contains(&format!("**{}**", code.name)),
                "{}: the section names `{}`",
                code.id,
                code.name
            );
            assert!(
                body.contains(&format!("({})", code.severity.as_str())),
                "{}: the section gives the severity",
                code.id
            );
            assert!(body.contains("```"), "{}: the section has an example", code.id);
        }
        for (title, _) in &sections {
            assert!(
                find(title.trim()).is_some(),
                "docs/diagnostics.md documents `{title}`, which is not a code"
            );
        }
    }

    #[test]
    fn ids_are_unique_and_prefixed() {
        for (i, code) in ALL.iter().enumerate() {
            assert!(ALL[..i].iter().all(|other| other.id != code.id), "{} is registered twice", code.id);
            assert!(
                ["M1", "M2", "M3", "D1", "J1", "F1"].iter().any(|p| code.id.starts_with(p)),
                "{}",
                code.id
            );
        }
    }
}
