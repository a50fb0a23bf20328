//! The editor features routed to `ide`, through the protocol: what each request returns in protocol
//! shape, with positions in the negotiated encoding.

use serde_json::{json, Value};
use tower_lsp_server::ls_types::request::Completion;
use tower_lsp_server::ls_types::{
    CompletionParams, CompletionResponse, Position, TextDocumentIdentifier, TextDocumentPositionParams,
};

use crate::protocol::server_with;
use crate::support::{TestServer, TestServerBuilder};

const MASHUP: &str = "Sales Orders.Dataflow/mashup.pq";
const METADATA: &str = "Sales Orders.Dataflow/queryMetadata.json";

/// The LSP position (ASCII text) of the start of `needle` in `text`, plus `delta` characters.
fn position_of(text: &str, needle: &str, delta: u32) -> (u32, u32) {
    let offset = text.find(needle).unwrap_or_else(|| panic!("{needle:?} is in the text"));
    let line = text[..offset].matches('\n').count() as u32;
    let column = (offset - text[..offset].rfind('\n').map_or(0, |at| at + 1)) as u32;
    (line, column + delta)
}

/// A position inside the name of the `Customers` query's definition (`shared Customers = ...`).
fn customers_name(text: &str) -> (u32, u32) {
    position_of(text, "shared Customers =", "shared C".len() as u32)
}

/// The sales example with its mashup.pq open, and the mashup's text.
fn sales() -> (TestServer, String) {
    let mut server = TestServerBuilder::new().sales_item().start();
    server.open(MASHUP);
    server.diagnostics(MASHUP);
    let text = std::fs::read_to_string(server.path(MASHUP)).unwrap();
    (server, text)
}

fn request_at(server: &mut TestServer, method: &str, path: &str, (line, character): (u32, u32)) -> Value {
    let uri = json!(server.uri(path));
    let response = server.request_raw(method, at(&uri, line, character));
    assert!(response.get("error").is_none(), "{method}: {response}");
    response["result"].clone()
}

fn at(uri: &Value, line: u32, character: u32) -> Value {
    json!({"textDocument": {"uri": uri}, "position": {"line": line, "character": character}})
}

#[test]
fn completion_offers_library_functions_with_the_word_replaced() {
    let text = "section S;\nshared T = #table({\"a\"}, {{1}});\nshared U = Table.AddCol";
    let mut server = server_with("query.pq", text);
    let uri = json!(server.uri("query.pq"));
    let response = server.request_raw("textDocument/completion", at(&uri, 2, 23));
    let items = response["result"]["items"].as_array().unwrap_or_else(|| panic!("{response}"));
    let item = items.iter().find(|i| i["label"] == "Table.AddColumn").expect("Table.AddColumn is offered");
    assert_eq!(item["kind"], 3, "a function");
    let edit = &item["textEdit"];
    assert_eq!(
        edit["range"],
        json!({"start": {"line": 2, "character": 11}, "end": {"line": 2, "character": 23}})
    );
    assert!(edit["newText"].as_str().unwrap().starts_with("Table.AddColumn"));

    // The same through the typed request.
    let params = CompletionParams {
        text_document_position: TextDocumentPositionParams {
            text_document: TextDocumentIdentifier { uri: server.uri("query.pq") },
            position: Position { line: 2, character: 23 },
        },
        work_done_progress_params: Default::default(),
        partial_result_params: Default::default(),
        context: None,
    };
    let Some(CompletionResponse::List(list)) = server.request::<Completion>(params) else { panic!("a list") };
    assert!(list.items.iter().any(|item| item.label == "Table.AddColumn"));
}

#[test]
fn hover_shows_library_signatures_and_queries_with_their_metadata() {
    let (mut server, text) = sales();
    let at = position_of(&text, "Table.NestedJoin", 3);
    let hover = request_at(&mut server, "textDocument/hover", MASHUP, at);
    assert_eq!(hover["contents"]["kind"], "markdown");
    assert!(hover["contents"]["value"].as_str().unwrap().contains("Table.NestedJoin("), "{hover}");
    assert_eq!(hover["range"]["start"], json!({"line": at.0, "character": at.1 - 3}));

    let at = position_of(&text, "Customers, {\"CustomerId\"}", 2);
    let hover = request_at(&mut server, "textDocument/hover", MASHUP, at);
    let markdown = hover["contents"]["value"].as_str().unwrap();
    assert!(
        markdown.contains("3c4d5e6f-7a8b-4c9d-0e1f-2a3b4c5d6e7f"),
        "the queryId from the metadata: {markdown}"
    );
    // Nothing to say on a comment.
    let at = position_of(&text, "// Parameters", 4);
    assert_eq!(request_at(&mut server, "textDocument/hover", MASHUP, at), Value::Null);
}

#[test]
fn signature_help_marks_the_active_parameter() {
    let text = "section S;\nshared T = #table({\"a\"}, {{1}});\nshared U = Table.AddColumn(T, \"b\", );";
    let mut server = server_with("query.pq", text);
    let at = position_of(text, ", );", 2);
    let help = request_at(&mut server, "textDocument/signatureHelp", "query.pq", at);
    let signature = &help["signatures"][0];
    let label = signature["label"].as_str().unwrap();
    assert!(label.starts_with("Table.AddColumn("), "{help}");
    assert_eq!(help["activeParameter"], 2);
    let [start, end] = [&signature["parameters"][2]["label"][0], &signature["parameters"][2]["label"][1]]
        .map(|v| v.as_u64().unwrap() as usize);
    assert!(label[start..end].starts_with("columnGenerator"), "{}", &label[start..end]);
}

#[test]
fn definition_and_references_cross_into_query_metadata() {
    let (mut server, text) = sales();
    // From a reference to the query's definition.
    let reference = position_of(&text, "Customers, {\"CustomerId\"}", 1);
    let result = request_at(&mut server, "textDocument/definition", MASHUP, reference);
    let target = &result[0];
    assert_eq!(target["uri"], json!(server.uri(MASHUP)));
    let name = customers_name(&text);
    assert_eq!(target["range"]["start"], json!({"line": name.0, "character": name.1 - 1}));
    // From the query's name to its entry in queryMetadata.json (not open: read from disk).
    let result = request_at(&mut server, "textDocument/definition", MASHUP, name);
    assert_eq!(result[0]["uri"], json!(server.uri(METADATA)));
    let metadata = std::fs::read_to_string(server.path(METADATA)).unwrap();
    let (line, column) = position_of(&metadata, "\"Customers\": {", 1);
    assert_eq!(result[0]["range"]["start"], json!({"line": line, "character": column}));

    let uri = json!(server.uri(MASHUP));
    let mut params = at(&uri, name.0, name.1);
    params["context"] = json!({"includeDeclaration": true});
    let result = server.request_raw("textDocument/references", params)["result"].clone();
    let uris: Vec<&str> = result.as_array().unwrap().iter().map(|l| l["uri"].as_str().unwrap()).collect();
    assert!(
        uris.iter().any(|u| u.ends_with("mashup.pq"))
            && uris.iter().any(|u| u.ends_with("queryMetadata.json")),
        "{result}"
    );

    let highlights = request_at(&mut server, "textDocument/documentHighlight", MASHUP, name);
    let kinds: Vec<u64> =
        highlights.as_array().unwrap().iter().map(|h| h["kind"].as_u64().unwrap()).collect();
    assert!(kinds.contains(&3) && kinds.contains(&2), "a write and a read: {highlights}");
}

#[test]
fn rename_edits_both_files_with_their_versions() {
    let (mut server, text) = sales();
    let name = customers_name(&text);
    let prepared = request_at(&mut server, "textDocument/prepareRename", MASHUP, name);
    assert_eq!(prepared["placeholder"], "Customers");
    let uri = json!(server.uri(MASHUP));
    let mut params = at(&uri, name.0, name.1);
    params["newName"] = json!("Clients");
    let response = server.request_raw("textDocument/rename", params);
    let changes = response["result"]["documentChanges"].as_array().unwrap_or_else(|| panic!("{response}"));
    let mashup = changes.iter().find(|c| c["textDocument"]["uri"] == uri).unwrap();
    assert_eq!(mashup["textDocument"]["version"], 1, "the open buffer's version");
    assert!(mashup["edits"].as_array().unwrap().len() >= 2);
    let metadata = changes.iter().find(|c| c["textDocument"]["uri"] == json!(server.uri(METADATA))).unwrap();
    assert_eq!(metadata["textDocument"]["version"], Value::Null, "read from disk");
    assert!(metadata["edits"].as_array().unwrap().iter().all(|e| e["newText"] == "\"Clients\""));

    // Refused, with the reason.
    let mut params = at(&uri, name.0, name.1);
    params["newName"] = json!("Region");
    let response = server.request_raw("textDocument/rename", params);
    assert_eq!(response["error"]["code"], -32803, "{response}");
    let response = server.request_raw("textDocument/prepareRename", at(&uri, 0, 1));
    assert!(response.get("error").is_some() || response["result"].is_null(), "{response}");
}

#[test]
fn folding_ranges_keep_the_closing_line_visible() {
    let text = "section S;\nshared Q = let\n    A = [\n        x = 1,\n        y = 2\n    ]\nin\n    A;\n/* a\n   comment */\n";
    let mut server = server_with("query.pq", text);
    let uri = json!(server.uri("query.pq"));
    let folds = server.request_raw("textDocument/foldingRange", json!({"textDocument": {"uri": uri}}))
        ["result"]
        .clone();
    let folds: Vec<(u64, u64, String)> = folds
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["startLine"].as_u64().unwrap(),
                f["endLine"].as_u64().unwrap(),
                f["kind"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect();
    assert!(folds.contains(&(2, 4, "region".to_owned())), "the record keeps its `]` line: {folds:?}");
    assert!(folds.contains(&(8, 9, "comment".to_owned())), "{folds:?}");
    assert!(folds.iter().any(|(start, end, _)| *start == 1 && *end >= 6), "the let: {folds:?}");
}

#[test]
fn selection_ranges_grow_outwards() {
    let text = "section S;\nshared Q = Table.AddColumn(T, \"x\", each 1);\n";
    let mut server = server_with("query.pq", text);
    let uri = json!(server.uri("query.pq"));
    let result = server.request_raw(
        "textDocument/selectionRange",
        json!({"textDocument": {"uri": uri}, "positions": [{"line": 1, "character": 28}]}),
    )["result"]
        .clone();
    let mut range = &result[0];
    let mut widths = Vec::new();
    while !range.is_null() {
        let (start, end) = (&range["range"]["start"], &range["range"]["end"]);
        widths.push((
            start["line"].as_u64().unwrap(),
            start["character"].as_u64().unwrap(),
            end["line"].as_u64().unwrap(),
            end["character"].as_u64().unwrap(),
        ));
        range = &range["parent"];
    }
    assert_eq!(widths[0], (1, 27, 1, 28), "the innermost is the argument `T`: {widths:?}");
    assert!(widths.len() >= 3);
    assert_eq!(*widths.last().unwrap(), (0, 0, 2, 0), "the outermost is the document");
}

#[test]
fn semantic_tokens_use_the_legend_and_split_lines() {
    let text = "section S;\nshared Q = Table.AddColumn(T, \"x\", each 1) /* two\nlines */;\n";
    let mut server = server_with("query.pq", text);
    let legend = &server.initialize_result["capabilities"]["semanticTokensProvider"]["legend"];
    let types: Vec<&str> =
        legend["tokenTypes"].as_array().unwrap().iter().map(|t| t.as_str().unwrap()).collect();
    let function = types.iter().position(|t| *t == "function").unwrap() as u64;
    let comment = types.iter().position(|t| *t == "comment").unwrap() as u64;
    let uri = json!(server.uri("query.pq"));
    let data = server.request_raw("textDocument/semanticTokens/full", json!({"textDocument": {"uri": uri}}))
        ["result"]["data"]
        .clone();
    let data: Vec<u64> = data.as_array().unwrap().iter().map(|v| v.as_u64().unwrap()).collect();
    // Decode to absolute (line, start, length, type).
    let (mut line, mut start) = (0, 0);
    let mut tokens = Vec::new();
    for chunk in data.chunks(5) {
        line += chunk[0];
        start = if chunk[0] == 0 { start + chunk[1] } else { chunk[1] };
        tokens.push((line, start, chunk[2], chunk[3]));
    }
    assert!(tokens.contains(&(1, 11, 15, function)), "Table.AddColumn: {tokens:?}");
    assert!(
        tokens.contains(&(1, 43, 6, comment)) && tokens.contains(&(2, 0, 8, comment)),
        "the comment, split: {tokens:?}"
    );

    let ranged = server.request_raw(
        "textDocument/semanticTokens/range",
        json!({"textDocument": {"uri": uri}, "range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 10}}}),
    )["result"]["data"]
        .clone();
    assert!(ranged.as_array().unwrap().len() < data.len());
}

#[test]
fn semantic_token_deltas_apply_to_the_last_answer() {
    let text = "section S;\nshared A = 1;\nshared Q = Table.AddColumn(T, \"x\", each 1);\nshared Z = A;\n";
    let mut server = server_with("query.pq", text);
    let uri = json!(server.uri("query.pq"));
    let integers = |value: &Value| -> Vec<u64> {
        value.as_array().unwrap().iter().map(|v| v.as_u64().unwrap()).collect()
    };
    let full = server.request_raw("textDocument/semanticTokens/full", json!({"textDocument": {"uri": uri}}));
    let mut data = integers(&full["result"]["data"]);
    let id = full["result"]["resultId"].as_str().expect("a result id for deltas").to_owned();
    // A query added in the middle: the delta is a small edit, and applied to the last answer gives the
    // whole tokens of the new text.
    server.change("query.pq", 2, Some([[2, 0], [2, 0]]), "shared B = List.Sum({1, 2});\n");
    server.diagnostics_for_version("query.pq", 2);
    let delta = server.request_raw(
        "textDocument/semanticTokens/full/delta",
        json!({"textDocument": {"uri": uri}, "previousResultId": id}),
    );
    let edits = delta["result"]["edits"].as_array().expect("a delta").clone();
    assert_eq!(edits.len(), 1, "{delta}");
    let edit = &edits[0];
    let (start, deleted) =
        (edit["start"].as_u64().unwrap() as usize, edit["deleteCount"].as_u64().unwrap() as usize);
    let inserted = integers(&edit["data"]);
    assert!(inserted.len() < data.len(), "only the changed tokens travel: {delta}");
    data.splice(start..start + deleted, inserted);
    let fresh = server.request_raw("textDocument/semanticTokens/full", json!({"textDocument": {"uri": uri}}));
    assert_eq!(data, integers(&fresh["result"]["data"]));
    // An id the server does not know gets the whole tokens.
    let unknown = server.request_raw(
        "textDocument/semanticTokens/full/delta",
        json!({"textDocument": {"uri": uri}, "previousResultId": "nope"}),
    );
    assert_eq!(integers(&unknown["result"]["data"]), data);
}

#[test]
fn document_and_workspace_symbols() {
    let (mut server, _) = sales();
    let uri = json!(server.uri(MASHUP));
    let symbols = server.request_raw("textDocument/documentSymbol", json!({"textDocument": {"uri": uri}}))
        ["result"]
        .clone();
    // The test client does not announce hierarchical symbols: a flat list with containers.
    let names: Vec<&str> = symbols.as_array().unwrap().iter().map(|s| s["name"].as_str().unwrap()).collect();
    assert!(names.contains(&"Sales Orders") && names.contains(&"Expanded customer"), "{names:?}");
    let step = symbols.as_array().unwrap().iter().find(|s| s["name"] == "Expanded customer").unwrap();
    assert_eq!(step["containerName"], "Sales Orders");

    let found = server.request_raw("workspace/symbol", json!({"query": "salord"}))["result"].clone();
    let found = found.as_array().unwrap();
    assert!(
        found.iter().any(|s| s["name"] == "Sales Orders" && s["containerName"] == "Sales Orders"),
        "{found:?}"
    );
    assert_eq!(found[0]["location"]["uri"], uri);
}

#[test]
fn code_actions_include_ides_rewrites() {
    let text = "section S;\nshared Q = let\n    #\"Source\" = 1\nin\n    #\"Source\";\n";
    let mut server = server_with("query.pq", text);
    let uri = json!(server.uri("query.pq"));
    let response = server.request_raw(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": uri},
               "range": {"start": {"line": 2, "character": 6}, "end": {"line": 2, "character": 6}},
               "context": {"diagnostics": []}}),
    );
    let actions = response["result"].as_array().unwrap_or_else(|| panic!("{response}"));
    let unquote =
        actions.iter().find(|a| a["kind"] == "refactor.rewrite").unwrap_or_else(|| panic!("{actions:?}"));
    let edits = unquote["edit"]["documentChanges"][0]["edits"].as_array().unwrap();
    assert_eq!(edits.len(), 2, "the definition and its use: {unquote}");
    assert!(edits.iter().all(|e| e["newText"] == "Source"));
    // Only quick fixes when asked for them.
    let response = server.request_raw(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": uri},
               "range": {"start": {"line": 2, "character": 6}, "end": {"line": 2, "character": 6}},
               "context": {"diagnostics": [], "only": ["quickfix"]}}),
    );
    assert_eq!(response["result"], json!([]));
}

#[test]
fn json_parts_complete_and_hover_from_their_schemas() {
    let (mut server, _) = sales();
    const PLATFORM: &str = "Sales Orders.Dataflow/.platform";
    server.open(PLATFORM);
    server.diagnostics(PLATFORM);
    server.diagnostics(MASHUP);
    let platform = std::fs::read_to_string(server.path("Sales Orders.Dataflow/.platform")).unwrap();
    let hover = request_at(
        &mut server,
        "textDocument/hover",
        "Sales Orders.Dataflow/.platform",
        position_of(&platform, "\"logicalId\"", 2),
    );
    assert!(hover["contents"]["value"].as_str().is_some_and(|v| !v.is_empty()), "{hover}");

    server.open(METADATA);
    server.diagnostics(METADATA);
    server.diagnostics(MASHUP);
    // Every open file of the item is published again.
    server.diagnostics(PLATFORM);
    let metadata = std::fs::read_to_string(server.path(METADATA)).unwrap();
    let hover =
        request_at(&mut server, "textDocument/hover", METADATA, position_of(&metadata, "\"loadEnabled\"", 2));
    assert!(hover["contents"]["value"].as_str().is_some_and(|v| !v.is_empty()), "{hover}");
    // Completion of a key in an entry of queriesMetadata.
    let at_key = position_of(&metadata, "\"queryName\": \"StartDate\"", 0);
    let completion = request_at(&mut server, "textDocument/completion", METADATA, at_key);
    let labels: Vec<&str> =
        completion["items"].as_array().unwrap().iter().map(|i| i["label"].as_str().unwrap()).collect();
    assert!(labels.iter().any(|l| l.contains("isHidden")), "{labels:?}");
}

#[test]
fn nested_symbols_and_definition_links_for_clients_that_take_them() {
    let mut server = TestServerBuilder::new()
        .sales_item()
        .capability("textDocument/documentSymbol", json!({"hierarchicalDocumentSymbolSupport": true}))
        .capability("textDocument/definition", json!({"linkSupport": true}))
        .start();
    server.open(MASHUP);
    server.diagnostics(MASHUP);
    let text = std::fs::read_to_string(server.path(MASHUP)).unwrap();
    let uri = json!(server.uri(MASHUP));
    let symbols = server.request_raw("textDocument/documentSymbol", json!({"textDocument": {"uri": uri}}))
        ["result"]
        .clone();
    let section = &symbols[0];
    assert_eq!(section["name"], "Section1");
    let sales = section["children"].as_array().unwrap().iter().find(|s| s["name"] == "Sales Orders").unwrap();
    assert!(sales["children"].as_array().unwrap().iter().any(|s| s["name"] == "Expanded customer"));

    let links = request_at(&mut server, "textDocument/definition", MASHUP, customers_name(&text));
    assert_eq!(links[0]["targetUri"], json!(server.uri(METADATA)));
    assert!(links[0]["targetSelectionRange"].is_object() && links[0]["targetRange"].is_object());
}

/// The completion items at a position of `path`.
fn completion_items(server: &mut TestServer, path: &str, (line, character): (u32, u32)) -> Vec<Value> {
    let uri = json!(server.uri(path));
    let response = server.request_raw("textDocument/completion", at(&uri, line, character));
    response["result"]["items"].as_array().unwrap_or_else(|| panic!("a list of items: {response}")).clone()
}

#[test]
fn completion_after_a_line_comment_in_the_same_query() {
    let text = "section S;\nshared Q = let\n    // The source, in euros (€).\n    Source = 1,\n    Next = Sou\nin\n    Next;\n";
    let mut server = server_with("query.pq", text);
    let items = completion_items(&mut server, "query.pq", (4, 14));
    let source = items.iter().find(|i| i["label"] == "Source").unwrap_or_else(|| panic!("Source: {items:?}"));
    assert_eq!(
        source["textEdit"]["range"],
        json!({"start": {"line": 4, "character": 11}, "end": {"line": 4, "character": 14}})
    );
}

#[test]
fn completing_a_quoted_name_not_yet_closed_replaces_only_what_was_typed() {
    let text = "section S;\nshared Q = let\n    Source = 1,\n    #\"Removed Columns\" = Source,\n    Sorted = Source\nin\n    Sorted;\nshared R = \"x\";\n";
    let mut server = server_with("query.pq", text);
    // Typing `Table.Sort(#"Rem` in place of `Source` on line 4, the quote not yet closed.
    server.change("query.pq", 2, Some([[4, 13], [4, 19]]), "Table.Sort(#\"Rem");
    server.diagnostics_for_version("query.pq", 2);
    let items = completion_items(&mut server, "query.pq", (4, 29));
    let removed = items
        .iter()
        .find(|i| i["label"] == "Removed Columns")
        .unwrap_or_else(|| panic!("Removed Columns: {items:?}"));
    assert_eq!(
        removed["textEdit"],
        json!({
            "range": {"start": {"line": 4, "character": 24}, "end": {"line": 4, "character": 29}},
            "newText": "#\"Removed Columns\""
        }),
        "accepting keeps the `in` line"
    );
}
