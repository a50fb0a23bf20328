//! The wording, codes and ranges of schema diagnostics, one rule at a time. The fixture files and their
//! rendered snapshots are in tests/json_schema.rs.

use super::*;
use crate::json::parse;

/// Validates `text` and returns each diagnostic as (code, the text it underlines, message).
fn check(kind: SchemaKind, text: &str) -> Vec<(&'static str, String, String)> {
    let json = parse(text);
    validate(kind, &json)
        .into_iter()
        .map(|d| (d.code.id, text[d.range.clone()].to_string(), d.message))
        .collect()
}

/// The one diagnostic of `text`.
fn only(kind: SchemaKind, text: &str) -> (&'static str, String, String) {
    let mut diagnostics = check(kind, text);
    assert_eq!(diagnostics.len(), 1, "{text}\n{diagnostics:#?}");
    diagnostics.remove(0)
}

fn triple(code: &'static str, underlined: &str, message: &str) -> (&'static str, String, String) {
    (code, underlined.to_string(), message.to_string())
}

const PLATFORM: &str = r#"{
  "$schema": "https://developer.microsoft.com/json-schemas/fabric/gitIntegration/platformProperties/2.0.0/schema.json",
  "metadata": {"type": "Dataflow", "displayName": "Sales"},
  "config": {"version": "2.0", "logicalId": "f58d2f83-a300-b135-4788-059683cd571c"}
}"#;

#[test]
fn every_embedded_schema_compiles() {
    for schema in compiled::ALL {
        let _ = schema.validator();
    }
}

#[test]
fn valid_files_have_no_diagnostics() {
    assert_eq!(check(SchemaKind::Platform, PLATFORM), []);
    let query_metadata = r#"{"formatVersion": "202502", "name": "Sales", "parametric": true,
        "queriesMetadata": {"Orders": {"queryId": "be17210f-5aca-421a-8c0a-bf631487bb8e", "queryName": "Orders"}},
        "somethingNew": {"is": "allowed"}}"#;
    assert_eq!(check(SchemaKind::QueryMetadata, query_metadata), []);
    let legacy =
        r#"{"editingSessionMashup": {"mashupDocument": "section Section1;", "queriesMetadata": null}}"#;
    assert_eq!(check(SchemaKind::LegacyDataflowContent, legacy), []);
}

#[test]
fn unsupported_format_version() {
    let text = r#"{"formatVersion": "202401", "name": "Sales"}"#;
    assert_eq!(
        only(SchemaKind::QueryMetadata, text),
        triple("J106", "\"202401\"", "`formatVersion` must be \"202502\", found \"202401\"")
    );
    assert_eq!(validate(SchemaKind::QueryMetadata, &parse(text))[0].severity, Severity::Error);
    // The rest of the file is still checked, as 202502.
    let text = r#"{"formatVersion": "2025", "name": 7}"#;
    let codes: Vec<_> = check(SchemaKind::QueryMetadata, text).into_iter().map(|d| d.0).collect();
    assert_eq!(codes, ["J106", "J102"]);
}

#[test]
fn a_format_version_of_the_wrong_type_is_one_type_error() {
    assert_eq!(
        only(SchemaKind::QueryMetadata, r#"{"formatVersion": 202502, "name": "Sales"}"#),
        triple("J102", "202502", "`formatVersion` must be a string, found a number")
    );
}

#[test]
fn missing_format_version_is_the_required_property_error_at_the_opening_brace() {
    assert_eq!(
        only(SchemaKind::QueryMetadata, r#"{"name": "Sales"}"#),
        triple("J101", "{", "the top-level object is missing the required property `formatVersion`")
    );
}

#[test]
fn the_2024_layout_is_valid_with_a_note() {
    let text = r#"{"formatVersion": "202409", "lastModified": "2024-10-01T12:00:00.1234567Z",
        "editingSession": {"editingSessionMashup": {"mashupName": "Sales", "queriesMetadata": {
            "Orders": {"queryId": "be17210f-5aca-421a-8c0a-bf631487bb8e", "queryName": "Orders",
                       "entityName": null, "fieldsMetadata": {}, "jsonOutputDestinations": "[]"}}}}}"#;
    let (code, underlined, message) = only(SchemaKind::QueryMetadata, text);
    assert_eq!((code, underlined.as_str()), ("J107", "\"202409\""));
    assert!(message.contains("`dfls convert`") && message.contains("\"202502\""), "{message}");
    assert_eq!(validate(SchemaKind::QueryMetadata, &parse(text))[0].severity, Severity::Info);
    // And checked against the 2024 schema, not the 202502 one.
    let text = r#"{"formatVersion": "202409", "editingSession": {}}"#;
    assert_eq!(
        check(SchemaKind::QueryMetadata, text)[1],
        triple(
            "J101",
            "\"editingSession\"",
            "`editingSession` is missing the required property `editingSessionMashup`"
        )
    );
}

#[test]
fn wrong_types_name_the_path_and_what_was_found() {
    let text = r#"{"formatVersion": "202502", "name": "Sales",
        "queriesMetadata": {"Sales": {"queryId": 42, "queryName": "Sales"}}}"#;
    assert_eq!(
        only(SchemaKind::QueryMetadata, text),
        triple("J102", "42", "`queriesMetadata.Sales.queryId` must be a string, found a number")
    );
    let text = PLATFORM.replace("\"f58d2f83-a300-b135-4788-059683cd571c\"", "null");
    assert_eq!(
        only(SchemaKind::Platform, &text),
        triple("J102", "null", "`config.logicalId` must be a string, found null")
    );
    let text = r#"{"formatVersion": "202502", "name": "Sales", "computeEngineSettings": {"maxConcurrency": 2.5},
        "gatewayObjectId": 3}"#;
    assert_eq!(
        check(SchemaKind::QueryMetadata, text),
        [
            triple(
                "J102",
                "2.5",
                "`computeEngineSettings.maxConcurrency` must be a whole number or null, found 2.5"
            ),
            triple("J102", "3", "`gatewayObjectId` must be a string or null, found a number"),
        ]
    );
    assert_eq!(
        only(SchemaKind::Platform, "[]"),
        triple("J102", "[]", "the top-level value must be an object, found an array")
    );
}

#[test]
fn a_quoted_boolean_or_number_says_to_drop_the_quotes() {
    let text = r#"{"formatVersion": "202502", "name": "Sales", "fastCombine": "false",
        "computeEngineSettings": {"maxConcurrency": "4"}}"#;
    assert_eq!(
        check(SchemaKind::QueryMetadata, text),
        [
            triple(
                "J102",
                "\"false\"",
                "`fastCombine` must be true, false or null, found the string \"false\" (write it without quotes)"
            ),
            triple(
                "J102",
                "\"4\"",
                "`computeEngineSettings.maxConcurrency` must be a whole number or null, found the string \"4\" \
                 (write it without quotes)"
            ),
        ]
    );
}

#[test]
fn keys_that_are_not_identifiers_are_quoted_in_paths() {
    let text = r#"{"formatVersion": "202502", "name": "Sales",
        "queriesMetadata": {"MDF transform": {"queryId": "9c6d7c87-83db-4718-b382-c0c1aa1636d7"}}}"#;
    assert_eq!(
        only(SchemaKind::QueryMetadata, text),
        triple(
            "J101",
            "\"MDF transform\"",
            "`queriesMetadata[\"MDF transform\"]` is missing the required property `queryName`"
        )
    );
}

#[test]
fn a_missing_property_points_at_the_key_that_holds_the_object() {
    let text = PLATFORM.replace(", \"displayName\": \"Sales\"", "");
    assert_eq!(
        only(SchemaKind::Platform, &text),
        triple("J101", "\"metadata\"", "`metadata` is missing the required property `displayName`")
    );
    // An object in an array has no key: its `{` is underlined.
    let text = r#"{"$schema": "https://developer.microsoft.com/json-schemas/fabric/gitIntegration/schedules/1.0.0/schema.json",
        "schedules": [{"enabled": true, "configuration": {"type": "Cron", "interval": 60}}]}"#;
    assert_eq!(
        only(SchemaKind::Schedules, text),
        triple("J101", "{", "`schedules[0]` is missing the required property `jobType`")
    );
}

#[test]
fn platform_schema_is_chosen_by_its_url() {
    // `sensitivityLabelId` is typed in 2.1.0 only, so this error shows which schema was used.
    let text = PLATFORM
        .replace("2.0.0", "2.1.0")
        .replace("\"displayName\": \"Sales\"", "\"displayName\": \"Sales\", \"sensitivityLabelId\": 7");
    assert_eq!(
        only(SchemaKind::Platform, &text),
        triple("J102", "7", "`metadata.sensitivityLabelId` must be a string, found a number")
    );
    let valid = text.replace(": 7", ": \"c7d1f5b2-0000-4000-8000-000000000001\"");
    assert_eq!(check(SchemaKind::Platform, &valid), []);
}

#[test]
fn an_unknown_or_missing_platform_schema_is_a_warning_and_checked_as_2_0_0() {
    let text = PLATFORM.replace("2.0.0", "9.0.0");
    let (code, underlined, message) = only(SchemaKind::Platform, &text);
    assert_eq!(code, "J108");
    assert!(underlined.contains("9.0.0"));
    assert_eq!(
        message,
        "`$schema` is not a platformProperties schema dfls knows (2.0.0 or 2.1.0); the file was checked against \
         platformProperties 2.0.0"
    );
    let json = parse(&text);
    assert_eq!(validate(SchemaKind::Platform, &json)[0].severity, Severity::Warning);

    // Missing: one warning at the `{`, not also a missing-property error.
    let text = r#"{"metadata": {"type": "Dataflow", "displayName": "Sales"},
        "config": {"version": "2.0", "logicalId": 1}}"#;
    assert_eq!(
        check(SchemaKind::Platform, text),
        [
            triple("J108", "{", "the file has no `$schema`; it was checked against platformProperties 2.0.0"),
            triple("J102", "1", "`config.logicalId` must be a string, found a number"),
        ]
    );
}

#[test]
fn enums_list_their_options() {
    let text = r#"{"$schema": "https://developer.microsoft.com/json-schemas/fabric/gitIntegration/schedules/1.0.0/schema.json",
        "schedules": [{"enabled": true, "jobType": "Execute", "configuration": {"type": "Hourly"}}]}"#;
    assert_eq!(
        only(SchemaKind::Schedules, text),
        triple(
            "J103",
            "\"Hourly\"",
            "`schedules[0].configuration.type` must be one of \"Cron\", \"Daily\", \"Weekly\" or \"Monthly\", \
             found \"Hourly\""
        )
    );
}

#[test]
fn dates_without_an_offset_are_fine_and_others_are_not() {
    let schedule = |start: &str| {
        format!(
            r#"{{"$schema": "https://developer.microsoft.com/json-schemas/fabric/gitIntegration/schedules/1.0.0/schema.json",
            "schedules": [{{"enabled": true, "jobType": "Execute",
                "configuration": {{"type": "Cron", "interval": 15, "startDateTime": "{start}"}}}}]}}"#
        )
    };
    for valid in
        ["2026-03-19T22:52:00", "2026-03-19T22:52:00Z", "2026-03-19T22:52:00.5+01:00", "2026-03-19T22:52"]
    {
        assert_eq!(check(SchemaKind::Schedules, &schedule(valid)), [], "{valid}");
    }
    assert_eq!(
        only(SchemaKind::Schedules, &schedule("tomorrow")),
        triple(
            "J103",
            "\"tomorrow\"",
            "`schedules[0].configuration.startDateTime` must be a date and time like \"2026-03-19T22:52:00\", \
             found \"tomorrow\""
        )
    );
}

#[test]
fn duplicate_keys_are_warned_at_the_ignored_key() {
    let text = r#"{"formatVersion": "202502", "name": "Old", "name": "Sales",
        "queriesMetadata": {"Sales": {"queryId": "be17210f-5aca-421a-8c0a-bf631487bb8e", "queryName": "A", "queryName": "Sales"}}}"#;
    let json = parse(text);
    let diagnostics = validate(SchemaKind::QueryMetadata, &json);
    assert_eq!(diagnostics.len(), 2, "{diagnostics:#?}");
    assert_eq!(diagnostics[0].code, codes::J105);
    assert_eq!(diagnostics[0].severity, Severity::Warning);
    assert_eq!(&text[diagnostics[0].range.clone()], "\"name\"");
    assert_eq!(diagnostics[0].range.start, text.find("\"name\"").unwrap());
    assert_eq!(
        diagnostics[0].message,
        "duplicate key `name` in the top-level object: only the last one counts, so this value is ignored"
    );
    assert_eq!(diagnostics[0].related[0].range.start, text.rfind("\"name\"").unwrap());
    assert_eq!(
        diagnostics[1].message,
        "duplicate key `queryName` in `queriesMetadata.Sales`: only the last one counts, so this value is ignored"
    );
}

#[test]
fn unknown_properties_are_reported_at_their_keys() {
    // No embedded schema closes an object, so this one is made here.
    let schema = serde_json::json!({
        "type": "object",
        "properties": {"config": {"type": "object", "properties": {"version": {}}, "additionalProperties": false}},
        "additionalProperties": false
    });
    let validator = compiled::options().build(&schema).unwrap();
    let text = r#"{"config": {"version": "2.0", "verison": "2.0", "logical Id": 1}, "extra": true}"#;
    let json = parse(text);
    let mut diagnostics = messages::diagnostics(&validator, &json, &json.to_serde().unwrap(), Skip::Nothing);
    diagnostics.sort_by_key(|d| d.range.start);
    let found: Vec<_> =
        diagnostics.iter().map(|d| (d.code.id, &text[d.range.clone()], d.message.as_str())).collect();
    assert_eq!(
        found,
        [
            ("J104", "\"verison\"", "`config` has a property `verison` that its schema does not allow"),
            ("J104", "\"logical Id\"", "`config` has a property `logical Id` that its schema does not allow"),
            (
                "J104",
                "\"extra\"",
                "the top-level object has a property `extra` that its schema does not allow"
            ),
        ]
    );
}

#[test]
fn messages_never_dump_long_values_or_schemas() {
    let long = "x".repeat(5000);
    let text = format!(r#"{{"formatVersion": "{long}", "name": "Sales"}}"#);
    let (code, _, message) = only(SchemaKind::QueryMetadata, &text);
    assert_eq!(code, "J106");
    assert!(message.len() < 120, "{message}");
    assert!(message.ends_with("…\""), "{message}");

    let schema = serde_json::json!({
        "properties": {
            "a": {"enum": (0..100).collect::<Vec<_>>()},
            "b": {"not": {"type": "string", "description": "a long schema text that must not be shown"}},
            "c": {"const": {"deep": {"object": [1, 2, 3]}}}
        }
    });
    let validator = compiled::options().build(&schema).unwrap();
    let text = format!(r#"{{"a": "{long}", "b": "text", "c": [1, 2]}}"#);
    let json = parse(&text);
    let messages: Vec<String> =
        messages::diagnostics(&validator, &json, &json.to_serde().unwrap(), Skip::Nothing)
            .into_iter()
            .map(|d| d.message)
            .collect();
    assert_eq!(
        messages,
        [
            format!("`a` must be one of 0, 1, 2, 3, 4, 5, 6, 7 or 92 more, found \"{}…\"", "x".repeat(60)),
            "`b` has a form the schema forbids".to_string(),
            "`c` must be an object, found an array".to_string(),
        ]
    );
}

#[test]
fn files_that_do_not_parse_are_not_validated() {
    assert_eq!(check(SchemaKind::QueryMetadata, r#"{"name": 1,}"#), []);
    assert_eq!(check(SchemaKind::QueryMetadata, ""), []);
}

/// A file nested deeper than a schema reaches is validated down to `json::MAX_DEPTH` levels: what is
/// wrong above is reported (a deep file used to be taken as valid).
#[test]
fn deep_files_are_validated_at_the_levels_a_schema_describes() {
    let deep = format!("{{\"formatVersion\": {}{}}}", "[".repeat(100_000), "]".repeat(100_000));
    let messages: Vec<String> =
        check(SchemaKind::QueryMetadata, &deep).into_iter().map(|(_, _, message)| message).collect();
    assert!(
        messages.contains(&"`formatVersion` must be a string, found an array".to_string()),
        "{messages:?}"
    );
    let root = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    assert!(!check(SchemaKind::QueryMetadata, &root).is_empty());
}

#[test]
fn formats() {
    for good in
        ["2024-11-25T08:30:10Z", "2024-11-25T08:30:10", "2024-11-25 08:30", "2024-11-25T08:30:10.123-05:00"]
    {
        assert!(compiled::is_date_time(good), "{good}");
    }
    for bad in [
        "2024-11-25",
        "2024-13-25T08:30",
        "2024-11-25T24:00",
        "2024-11-25T08:30:10.",
        "2024-11-25T08:30+5",
        "x",
    ] {
        assert!(!compiled::is_date_time(bad), "{bad}");
    }
}

#[test]
fn a_bom_crlf_and_non_ascii_text_do_not_shift_ranges() {
    let text = format!("\u{feff}{}", PLATFORM.replace('\n', "\r\n").replace("Sales", "Ventes été"));
    let text = text.replace("\"2.0\"", "2");
    assert_eq!(
        only(SchemaKind::Platform, &text),
        triple("J102", "2", "`config.version` must be a string, found a number")
    );
}

#[test]
fn schedules_without_their_schema_url_get_the_same_warning() {
    let text = r#"{"schedules": []}"#;
    assert_eq!(
        only(SchemaKind::Schedules, text),
        triple("J108", "{", "the file has no `$schema`; it was checked against schedules 1.0.0")
    );
    let text = PLATFORM.replace("\"metadata\"", "\"schedules\": [], \"metadata\"");
    let (code, _, message) = only(SchemaKind::Schedules, &text);
    assert_eq!(code, "J108");
    assert_eq!(
        message,
        "`$schema` is not a schedules schema dfls knows (1.0.0); the file was checked against schedules 1.0.0"
    );
}
