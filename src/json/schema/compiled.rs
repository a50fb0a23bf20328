//! The embedded schemas (schemas/ at the repository root, compiled into the binary) and their validators,
//! each compiled once on first use. Nothing is fetched: no schema here references another file, and the
//! `jsonschema` crate is built without its HTTP and file resolvers.
//!
//! One format is ours and replaces the crate's: `date-time` accepts a date and time without a UTC offset,
//! because every `.schedules` file Fabric writes has such times (`"2026-03-19T22:52:00"`, read in the
//! schedule's `localTimeZoneId`). GUIDs (`queryId`, `logicalId`) are checked by the definition rules, not
//! here, so a bad one is reported once.

use std::sync::LazyLock;

use jsonschema::Validator;

/// One embedded schema, compiled on first use.
pub(crate) struct Schema {
    validator: LazyLock<Validator>,
}

impl Schema {
    pub(crate) fn validator(&self) -> &Validator {
        &self.validator
    }
}

/// A schema of schemas/, by its path there.
macro_rules! schema {
    ($file:literal) => {
        Schema {
            validator: LazyLock::new(|| {
                compile(include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/schemas/", $file)), $file)
            }),
        }
    };
}

/// The `$schema` of platformProperties 2.0.0, the one Fabric writes and the one dfls falls back to.
pub(crate) const PLATFORM_2_0_0_URL: &str =
    "https://developer.microsoft.com/json-schemas/fabric/gitIntegration/platformProperties/2.0.0/schema.json";
pub(crate) const PLATFORM_2_1_0_URL: &str =
    "https://developer.microsoft.com/json-schemas/fabric/gitIntegration/platformProperties/2.1.0/schema.json";
pub(crate) const SCHEDULES_1_0_0_URL: &str =
    "https://developer.microsoft.com/json-schemas/fabric/gitIntegration/schedules/1.0.0/schema.json";

pub(crate) static PLATFORM_2_0_0: Schema =
    schema!("fabric/gitIntegration/platformProperties/2.0.0/schema.json");
pub(crate) static PLATFORM_2_1_0: Schema =
    schema!("fabric/gitIntegration/platformProperties/2.1.0/schema.json");
pub(crate) static SCHEDULES_1_0_0: Schema = schema!("fabric/gitIntegration/schedules/1.0.0/schema.json");
pub(crate) static QUERY_METADATA_202502: Schema = schema!("dataflow/queryMetadata.202502.schema.json");
pub(crate) static QUERY_METADATA_202409: Schema = schema!("dataflow/queryMetadata.202409.schema.json");
pub(crate) static LEGACY_DATAFLOW_CONTENT: Schema = schema!("dataflow/dataflow-content.legacy.schema.json");

/// Every embedded schema, for tests.
#[cfg(test)]
pub(crate) static ALL: [&Schema; 6] = [
    &PLATFORM_2_0_0,
    &PLATFORM_2_1_0,
    &SCHEDULES_1_0_0,
    &QUERY_METADATA_202502,
    &QUERY_METADATA_202409,
    &LEGACY_DATAFLOW_CONTENT,
];

/// Compiles an embedded schema. The schemas are part of the program, not input: one that does not compile
/// is a bug that the tests catch, so this may panic.
fn compile(text: &str, file: &str) -> Validator {
    let schema: serde_json::Value =
        serde_json::from_str(text).unwrap_or_else(|e| panic!("schemas/{file} is not JSON: {e}"));
    options().build(&schema).unwrap_or_else(|e| panic!("schemas/{file} does not compile: {e}"))
}

/// The options every embedded schema is compiled with, so tests can compile their own schemas alike.
pub(crate) fn options() -> jsonschema::ValidationOptions {
    jsonschema::options().should_validate_formats(true).with_format("date-time", is_date_time)
}

/// `YYYY-MM-DDThh:mm[:ss[.fraction]]` with an optional `Z` or `±hh:mm` offset; `T` may be `t` or a space.
pub(crate) fn is_date_time(text: &str) -> bool {
    let bytes = text.as_bytes();
    let digits = |range: std::ops::Range<usize>| {
        bytes.get(range).is_some_and(|part| part.iter().all(u8::is_ascii_digit))
    };
    let number = |range: std::ops::Range<usize>| -> u32 {
        text.get(range).and_then(|part| part.parse().ok()).unwrap_or(u32::MAX)
    };
    if bytes.len() < 16
        || !(digits(0..4) && bytes[4] == b'-' && digits(5..7) && bytes[7] == b'-' && digits(8..10))
        || !matches!(bytes[10], b'T' | b't' | b' ')
        || !(digits(11..13) && bytes[13] == b':' && digits(14..16))
    {
        return false;
    }
    let (month, day, hour, minute) = (number(5..7), number(8..10), number(11..13), number(14..16));
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) || hour > 23 || minute > 59 {
        return false;
    }
    let mut at = 16;
    if bytes.get(at) == Some(&b':') {
        // A leap second is 60.
        if !digits(at + 1..at + 3) || number(at + 1..at + 3) > 60 {
            return false;
        }
        at += 3;
        if bytes.get(at) == Some(&b'.') {
            let fraction = bytes[at + 1..].iter().take_while(|b| b.is_ascii_digit()).count();
            if fraction == 0 {
                return false;
            }
            at += 1 + fraction;
        }
    }
    match &bytes[at..] {
        [] | [b'Z' | b'z'] => true,
        [b'+' | b'-', h1, h2, b':', m1, m2] => {
            [h1, h2, m1, m2].iter().all(|b| b.is_ascii_digit())
                && number(at + 1..at + 3) <= 23
                && number(at + 4..at + 6) <= 59
        }
        _ => false,
    }
}
