//! Formatting through the protocol: whole documents, ranges and on-type, always as small edits that
//! change only whitespace, with options from the request and from the project's `dfls.toml`.

use serde_json::{json, Value};

use crate::protocol::server_with;
use crate::support::{TestServer, TestServerBuilder};

const UNFORMATTED: &str = "section Sales;\n\nshared Orders = let\n    Source  =  #table({\"a\"},{{1}}),\n    \
                           Typed = Table.TransformColumnTypes(Source,{{\"a\", Int64.Type}})\n  in\n    Typed;\n\n\
                           shared Total  =  List.Sum( Orders[a] ) ;\n";

/// Applies LSP edits (ASCII text: characters are bytes) to `text`.
fn apply(text: &str, edits: &Value) -> String {
    let line_starts: Vec<usize> =
        std::iter::once(0).chain(text.match_indices('\n').map(|(at, _)| at + 1)).collect();
    let offset = |position: &Value| {
        line_starts[position["line"].as_u64().unwrap() as usize]
            + position["character"].as_u64().unwrap() as usize
    };
    let mut edits: Vec<(usize, usize, String)> = edits
        .as_array()
        .unwrap_or_else(|| panic!("edits: {edits}"))
        .iter()
        .map(|edit| {
            (
                offset(&edit["range"]["start"]),
                offset(&edit["range"]["end"]),
                edit["newText"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    edits.sort_by_key(|edit| std::cmp::Reverse(edit.0));
    let mut out = text.to_owned();
    for (start, end, new_text) in edits {
        out.replace_range(start..end, &new_text);
    }
    out
}

fn options(tab_size: u32, insert_spaces: bool) -> Value {
    json!({"tabSize": tab_size, "insertSpaces": insert_spaces})
}

fn format(server: &mut TestServer, path: &str, options: Value) -> Value {
    let uri = json!(server.uri(path));
    let response = server
        .request_raw("textDocument/formatting", json!({"textDocument": {"uri": uri}, "options": options}));
    assert!(response.get("error").is_none(), "{response}");
    response["result"].clone()
}

#[test]
fn document_formatting_is_small_whitespace_edits_giving_the_formatter_output() {
    let mut server = server_with("query.pq", UNFORMATTED);
    let edits = format(&mut server, "query.pq", options(2, true));
    let formatted = apply(UNFORMATTED, &edits);
    let expected = dfls::format::format(UNFORMATTED, &dfls::format::Options::default());
    assert_eq!(formatted, expected);
    let edits = edits.as_array().unwrap();
    assert!(edits.len() > 3, "{edits:?}");
    for edit in edits {
        assert!(
            edit["newText"].as_str().unwrap().chars().all(char::is_whitespace),
            "only whitespace: {edit}"
        );
        assert!(
            edit["range"]["end"]["line"].as_u64()
                <= Some(edit["range"]["start"]["line"].as_u64().unwrap() + 1)
        );
    }
    // Formatting the result changes nothing.
    let mut server = server_with("query.pq", &formatted);
    assert_eq!(format(&mut server, "query.pq", options(2, true)), json!([]));
}

#[test]
fn the_request_options_apply_unless_the_project_says_otherwise() {
    let mut server = server_with("query.pq", UNFORMATTED);
    let tabs = apply(UNFORMATTED, &format(&mut server, "query.pq", options(4, false)));
    assert!(tabs.contains("\n\tSource = "), "{tabs}");

    let mut server = TestServerBuilder::new()
        .file("dfls.toml", "[format]\nindent-width = 3\n")
        .file("query.pq", UNFORMATTED)
        .start();
    server.open("query.pq");
    server.diagnostics("query.pq");
    let three = apply(UNFORMATTED, &format(&mut server, "query.pq", options(4, true)));
    assert!(three.contains("\n   Source = "), "{three}");
}

#[test]
fn range_formatting_formats_the_members_the_range_touches() {
    let mut server = server_with("query.pq", UNFORMATTED);
    let uri = json!(server.uri("query.pq"));
    // A range inside the last member.
    let line = UNFORMATTED.lines().position(|l| l.starts_with("shared Total")).unwrap();
    let range = json!({"start": {"line": line, "character": 20}, "end": {"line": line, "character": 22}});
    let response = server.request_raw(
        "textDocument/rangeFormatting",
        json!({"textDocument": {"uri": uri}, "range": range, "options": options(2, true)}),
    );
    let formatted = apply(UNFORMATTED, &response["result"]);
    assert!(formatted.contains("shared Total = List.Sum(Orders[a]);"), "{formatted}");
    assert!(formatted.contains("    Source  =  #table"), "the other member is untouched: {formatted}");
}

#[test]
fn on_type_formatting_after_a_semicolon_formats_the_member_it_ends() {
    let text = "section S;\nshared A  =  1;\nshared B  =  List.Sum( {1,2} );";
    let mut server = server_with("query.pq", text);
    let uri = json!(server.uri("query.pq"));
    let response = server.request_raw(
        "textDocument/onTypeFormatting",
        json!({"textDocument": {"uri": uri}, "position": {"line": 2, "character": 31}, "ch": ";",
               "options": options(2, true)}),
    );
    let formatted = apply(text, &response["result"]);
    assert_eq!(formatted, "section S;\nshared A  =  1;\nshared B = List.Sum({1, 2});");
}

#[test]
fn the_server_announces_formatting_and_leaves_broken_members_alone() {
    let text = "section S;\nshared A  =  1;\nshared B = (1 + ;\nshared C  =  3;\n";
    let mut server = server_with("query.pq", text);
    let formatted = apply(text, &format(&mut server, "query.pq", options(2, true)));
    assert!(formatted.contains("shared B = (1 + ;"), "{formatted}");
    assert_eq!(formatted, dfls::format::format(text, &dfls::format::Options::default()));
    assert!(formatted.contains("shared A = 1;"), "{formatted}");
}

#[test]
fn a_legacy_item_gets_its_m_document_formatted() {
    let m = "section Section1;\\nshared Q  =  1;\\n";
    let text = format!("{{\"editingSessionMashup\": {{\"mashupDocument\": \"{m}\"}}}}\n");
    let mut server = TestServerBuilder::new().file("Old.Dataflow/dataflow-content.json", &text).start();
    server.open("Old.Dataflow/dataflow-content.json");
    server.diagnostics("Old.Dataflow/dataflow-content.json");
    let formatted =
        apply(&text, &format(&mut server, "Old.Dataflow/dataflow-content.json", options(2, true)));
    assert!(formatted.contains("shared Q = 1;"), "{formatted}");
    // JSON parts are not M: nothing to format.
    let mut server = server_with("Item.Dataflow/queryMetadata.json", "{ \"formatVersion\":  \"202502\" }");
    assert_eq!(format(&mut server, "Item.Dataflow/queryMetadata.json", options(2, true)), Value::Null);
}
