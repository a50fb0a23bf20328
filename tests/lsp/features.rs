//! The editor features routed to `ide`, through the protocol: what each request returns in protocol
//! shape, with positions in the negotiated encoding.

use serde_json::{json, Value};
use tower_lsp_server::ls_types::request::Completion;
use tower_lsp_server::ls_types::{
    CompletionParams, CompletionResponse, Position, TextDocumentIdentifier, TextDocumentPositionParams,
};

use crate::protocol::server_with;

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
