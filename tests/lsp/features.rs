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
    assert_eq!(target["range"]["start"], json!({"line": 10, "character": 7}));
    // From the query's name to its entry in queryMetadata.json (not open: read from disk).
    let result = request_at(&mut server, "textDocument/definition", MASHUP, (10, 8));
    assert_eq!(result[0]["uri"], json!(server.uri(METADATA)));
    let metadata = std::fs::read_to_string(server.path(METADATA)).unwrap();
    let (line, column) = position_of(&metadata, "\"Customers\": {", 1);
    assert_eq!(result[0]["range"]["start"], json!({"line": line, "character": column}));

    let uri = json!(server.uri(MASHUP));
    let mut params = at(&uri, 10, 8);
    params["context"] = json!({"includeDeclaration": true});
    let result = server.request_raw("textDocument/references", params)["result"].clone();
    let uris: Vec<&str> = result.as_array().unwrap().iter().map(|l| l["uri"].as_str().unwrap()).collect();
    assert!(
        uris.iter().any(|u| u.ends_with("mashup.pq"))
            && uris.iter().any(|u| u.ends_with("queryMetadata.json")),
        "{result}"
    );

    let highlights = request_at(&mut server, "textDocument/documentHighlight", MASHUP, (10, 8));
    let kinds: Vec<u64> =
        highlights.as_array().unwrap().iter().map(|h| h["kind"].as_u64().unwrap()).collect();
    assert!(kinds.contains(&3) && kinds.contains(&2), "a write and a read: {highlights}");
}

#[test]
fn rename_edits_both_files_with_their_versions() {
    let (mut server, _) = sales();
    let prepared = request_at(&mut server, "textDocument/prepareRename", MASHUP, (10, 8));
    assert_eq!(prepared["placeholder"], "Customers");
    let uri = json!(server.uri(MASHUP));
    let mut params = at(&uri, 10, 8);
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
    let mut params = at(&uri, 10, 8);
    params["newName"] = json!("Region");
    let response = server.request_raw("textDocument/rename", params);
    assert_eq!(response["error"]["code"], -32803, "{response}");
    let response = server.request_raw("textDocument/prepareRename", at(&uri, 0, 1));
    assert!(response.get("error").is_some() || response["result"].is_null(), "{response}");
}
