//! The server's core through the protocol: negotiation, diagnostics with versions, codes, links and
//! ranges, incremental changes, stale results, items across files, file watching, pull diagnostics, code
//! actions from fixes, and robustness (panics, unknown documents, bad positions).

use std::time::Duration;

use dfls::lsp::Options;
use serde_json::{json, Value};

use tower_lsp_server::ls_types::notification::DidCloseTextDocument;
use tower_lsp_server::ls_types::{DidCloseTextDocumentParams, TextDocumentIdentifier};

use crate::support::{TestServer, TestServerBuilder};

/// The codes of published diagnostics, in order.
fn codes(params: &Value) -> Vec<String> {
    params["diagnostics"].as_array().unwrap().iter().map(|d| d["code"].as_str().unwrap().to_owned()).collect()
}

/// The first diagnostic with `code`.
fn find<'a>(params: &'a Value, code: &str) -> &'a Value {
    params["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == code)
        .unwrap_or_else(|| panic!("no {code} in {params:#}"))
}

fn range(line: u32, start: u32, end: u32) -> Value {
    json!({"start": {"line": line, "character": start}, "end": {"line": line, "character": end}})
}

/// A document with CRLF line ends, a BOM-less non-ASCII line, and an unknown name after non-ASCII text
/// on its line: `é` is 2 bytes and 1 UTF-16 unit, `😀` 4 bytes and 2 UTF-16 units.
const NON_ASCII: &str =
    "section Section1;\r\nshared Größe = \"é😀\";\r\nshared Total = \"é😀\" & Grösse;\r\n";

#[test]
fn initialize_negotiates_utf8_when_offered() {
    let server = TestServerBuilder::new().utf8().start();
    assert_eq!(server.initialize_result["capabilities"]["positionEncoding"], "utf-8");
    assert_eq!(server.initialize_result["serverInfo"]["name"], "dfls");
    let capabilities = &server.initialize_result["capabilities"];
    assert_eq!(capabilities["textDocumentSync"]["change"], 2, "incremental sync");
    for provider in [
        "hoverProvider",
        "definitionProvider",
        "referencesProvider",
        "documentHighlightProvider",
        "documentSymbolProvider",
        "workspaceSymbolProvider",
        "foldingRangeProvider",
        "selectionRangeProvider",
    ] {
        assert_eq!(capabilities[provider], true, "{provider}");
    }
    assert_eq!(capabilities["renameProvider"]["prepareProvider"], true);
    assert!(capabilities["completionProvider"]["triggerCharacters"]
        .as_array()
        .unwrap()
        .contains(&json!(".")));
    assert_eq!(capabilities["signatureHelpProvider"]["triggerCharacters"], json!(["(", ","]));
    assert_eq!(capabilities["semanticTokensProvider"]["full"], json!({"delta": true}));
    assert_eq!(capabilities["semanticTokensProvider"]["range"], true);
    assert_eq!(
        capabilities["codeActionProvider"]["codeActionKinds"],
        json!(["quickfix", "refactor.rewrite"])
    );
    assert_eq!(capabilities["documentFormattingProvider"], true);
    assert_eq!(capabilities["documentRangeFormattingProvider"], true);
    assert_eq!(
        capabilities["documentOnTypeFormattingProvider"],
        json!({"firstTriggerCharacter": ";", "moreTriggerCharacter": ["\n"]})
    );
}

#[test]
fn initialize_falls_back_to_utf16() {
    let server = TestServerBuilder::new().start();
    assert_eq!(server.initialize_result["capabilities"]["positionEncoding"], "utf-16");
    // Push diagnostics for a client that does not pull.
    assert!(server.initialize_result["capabilities"].get("diagnosticProvider").is_none());
}

#[test]
fn diagnostics_on_open_in_utf16_count_utf16_units_across_crlf() {
    let mut server = TestServerBuilder::new().file("query.pq", NON_ASCII).start();
    server.open("query.pq");
    let params = server.diagnostics("query.pq");
    assert_eq!(params["version"], 1);
    assert_eq!(codes(&params), ["M201"]);
    let diagnostic = find(&params, "M201");
    // `shared Total = "é😀" & ` is 23 UTF-16 units; `Grösse` 6.
    assert_eq!(diagnostic["range"], range(2, 23, 29));
    assert_eq!(diagnostic["severity"], 1);
    assert_eq!(diagnostic["source"], "dfls");
    assert!(diagnostic["codeDescription"]["href"].as_str().unwrap().ends_with("docs/diagnostics.md#m201"));
    assert!(diagnostic["message"].as_str().unwrap().contains("did you mean `Größe`"), "{diagnostic}");
    // The fix travels in `data`, in the document's positions.
    assert_eq!(diagnostic["data"]["fixes"][0]["edits"][0]["range"], range(2, 23, 29));
    assert_eq!(diagnostic["data"]["fixes"][0]["edits"][0]["newText"], "Größe");
}

#[test]
fn diagnostics_on_open_in_utf8_count_bytes() {
    let mut server = TestServerBuilder::new().utf8().file("query.pq", NON_ASCII).start();
    server.open("query.pq");
    let params = server.diagnostics("query.pq");
    // `shared Total = "é😀" & ` is 26 bytes; `Grösse` 7.
    assert_eq!(find(&params, "M201")["range"], range(2, 26, 33));
}

#[test]
fn a_bom_on_disk_takes_no_column_in_a_file_that_is_not_open() {
    // The cross-file D110 lands in queryMetadata.json, which is read from disk with its BOM.
    let metadata =
        format!("\u{feff}{}", include_str!("../../examples/Sales Orders.Dataflow/queryMetadata.json"));
    let mut server = TestServerBuilder::new()
        .sales_item()
        .file("Sales Orders.Dataflow/queryMetadata.json", metadata)
        .start();
    let mashup = std::fs::read_to_string(server.path("Sales Orders.Dataflow/mashup.pq")).unwrap();
    server.open_with("Sales Orders.Dataflow/mashup.pq", &format!("{mashup}shared Extra = 1;\n"), 1);
    let metadata = server.diagnostics("Sales Orders.Dataflow/queryMetadata.json");
    assert_eq!(metadata["version"], Value::Null, "not open: no version");
    let d110 = find(&metadata, "D110");
    // Without the BOM the file starts `{` at column 0 of line 0; the D110 is on `"queriesMetadata"` at
    // line 10, column 2 of the file as an editor shows it.
    assert_eq!(d110["range"]["start"], json!({"line": 10, "character": 2}), "{d110}");
    let related = &d110["relatedInformation"][0]["location"];
    assert_eq!(related["uri"], json!(server.uri("Sales Orders.Dataflow/mashup.pq")));
    assert_eq!(codes(&server.diagnostics("Sales Orders.Dataflow/mashup.pq")), Vec::<String>::new());
}

#[test]
fn incremental_changes_keep_diagnostics_in_step() {
    let mut server = TestServerBuilder::new().file("query.pq", NON_ASCII).start();
    server.open("query.pq");
    assert_eq!(codes(&server.diagnostics("query.pq")), ["M201"]);
    // Fix the name in place: replace `Grösse` (UTF-16 columns 23..29 of line 2) by `Größe`.
    server.change("query.pq", 2, Some([[2, 23], [2, 29]]), "Größe");
    assert_eq!(codes(&server.diagnostics_for_version("query.pq", 2)), Vec::<String>::new());
    // Each edit below gives the diagnostics a fresh open of the resulting text gives.
    let mut text = NON_ASCII.replace("Grösse", "Größe");
    let edits: [(i32, [[u32; 2]; 2], &str, &str); 4] = [
        (3, [[1, 0], [1, 0]], "shared Broken = (1 + ;\r\n", ""),
        (4, [[2, 15], [2, 19]], "Größ", "\"é😀\""),
        (5, [[1, 0], [2, 0]], "", ""),
        (6, [[1, 22], [2, 7]], "\r\nshared 😀x = 1;\r\nshared ", ""),
    ];
    for (version, range, new_text, _) in edits {
        text = apply(&text, range, new_text);
        server.change("query.pq", version, Some(range), new_text);
        let incremental = server.diagnostics_for_version("query.pq", version);
        server.open_with("fresh.pq", &text, 1);
        let fresh = server.diagnostics("fresh.pq");
        let uri = json!(server.uri("fresh.pq"));
        server.notify_raw("textDocument/didClose", json!({"textDocument": {"uri": uri}}));
        if !fresh["diagnostics"].as_array().unwrap().is_empty() {
            // Closing clears them.
            assert_eq!(server.diagnostics("fresh.pq")["diagnostics"], json!([]));
        }
        let strip = |params: &Value| {
            let mut diagnostics = params["diagnostics"].clone();
            for d in diagnostics.as_array_mut().unwrap() {
                d.as_object_mut().unwrap().remove("relatedInformation");
            }
            diagnostics
        };
        assert_eq!(strip(&incremental), strip(&fresh), "after edit {version}, text {text:?}");
    }
    // A full replacement works too.
    server.change("query.pq", 7, None, "section S;\nshared A = B;\n");
    let params = server.diagnostics_for_version("query.pq", 7);
    assert_eq!(find(&params, "M201")["range"], range(1, 11, 12));
}

/// Applies an edit given in UTF-16 positions to a text.
fn apply(text: &str, [[l1, c1], [l2, c2]]: [[u32; 2]; 2], new_text: &str) -> String {
    let offset = |line: u32, character: u32| {
        let mut start = 0;
        for _ in 0..line {
            start += text[start..].find('\n').unwrap() + 1;
        }
        let mut units = 0;
        for (i, c) in text[start..].char_indices() {
            if units >= character as usize || c == '\r' || c == '\n' {
                return start + i;
            }
            units += c.len_utf16();
        }
        text.len()
    };
    let (start, end) = (offset(l1, c1), offset(l2, c2));
    format!("{}{new_text}{}", &text[..start], &text[end..])
}

#[test]
fn a_check_overtaken_by_an_edit_is_not_published() {
    let options = Options { check_delay: Duration::from_millis(400), ..Options::default() };
    let mut server =
        TestServerBuilder::new().options(options).file("query.pq", "section S;\nshared A = 1;\n").start();
    server.open("query.pq");
    assert_eq!(server.diagnostics("query.pq")["version"], 1);
    // The check of version 2 starts and sleeps; version 3 arrives while it does.
    server.change("query.pq", 2, Some([[1, 11], [1, 12]]), "Unknown2");
    std::thread::sleep(Duration::from_millis(150));
    server.change("query.pq", 3, Some([[1, 11], [1, 19]]), "Unknown3");
    let params = server.diagnostics("query.pq");
    assert_eq!(params["version"], 3, "the result for version 2 was stale: {params:#}");
    assert!(find(&params, "M201")["message"].as_str().unwrap().contains("Unknown3"));
    server.assert_quiet(Duration::from_millis(600));
}

#[test]
fn quick_changes_publish_only_current_versions_in_order() {
    let mut server = TestServerBuilder::new().file("query.pq", "section S;\nshared A = 1;\n").start();
    server.open("query.pq");
    server.diagnostics("query.pq");
    for version in 2..=20 {
        let value = if version % 2 == 0 { "Nope" } else { "2" };
        server.change("query.pq", version, None, &format!("section S;\nshared A = {value};\n"));
    }
    // Whatever was published on the way is in order; the last version's result comes.
    let params = server.diagnostics_for_version("query.pq", 20);
    assert_eq!(codes(&params), ["M201"]);
}

#[test]
fn syntax_diagnostics_come_first_with_the_last_names_carried() {
    // The full check waits, so the syntax-only publication surely comes first.
    let options =
        Options { syntax_first: Some(true), check_delay: Duration::from_millis(300), ..Options::default() };
    let text = "section S;\nshared A = Unknown;\nshared B = 2;\n";
    let mut server = TestServerBuilder::new().options(options).file("query.pq", text).start();
    server.open("query.pq");
    assert_eq!(codes(&server.diagnostics("query.pq")), ["M201"]);
    // A broken line before it: the syntax error is new, the M201 of the last check is carried one line
    // down.
    server.change("query.pq", 2, Some([[1, 0], [1, 0]]), "shared Z = [;\n");
    let first = server.diagnostics("query.pq");
    assert_eq!(first["version"], 2);
    assert_eq!(find(&first, "M201")["range"], range(2, 11, 18));
    assert!(codes(&first).iter().any(|c| c.starts_with("M1")), "{first:#}");
    let full = server.diagnostics("query.pq");
    assert_eq!(full["version"], 2);
    assert!(codes(&full).iter().any(|c| c.starts_with("M1")), "{full:#}");
}

#[test]
fn cross_file_d110_follows_edits_of_both_files() {
    let mut server = TestServerBuilder::new().sales_item().start();
    server.open("Sales Orders.Dataflow/mashup.pq");
    assert_eq!(codes(&server.diagnostics("Sales Orders.Dataflow/mashup.pq")), Vec::<String>::new());
    // A new query without metadata: D110 on queryMetadata.json, which is not open.
    let lines =
        std::fs::read_to_string(server.path("Sales Orders.Dataflow/mashup.pq")).unwrap().lines().count()
            as u32;
    server.change(
        "Sales Orders.Dataflow/mashup.pq",
        2,
        Some([[lines, 0], [lines, 0]]),
        "shared Extra = 1;\n",
    );
    assert_eq!(
        codes(&server.diagnostics_for_version("Sales Orders.Dataflow/mashup.pq", 2)),
        Vec::<String>::new()
    );
    let metadata = server.diagnostics("Sales Orders.Dataflow/queryMetadata.json");
    assert_eq!(codes(&metadata), ["D110"]);
    assert!(find(&metadata, "D110")["message"].as_str().unwrap().contains("Extra"));

    // Open queryMetadata.json and add the entry in the buffer (not saved): the D110 goes away.
    server.open("Sales Orders.Dataflow/queryMetadata.json");
    assert_eq!(codes(&server.diagnostics("Sales Orders.Dataflow/queryMetadata.json")), ["D110"]);
    server.diagnostics_for_version("Sales Orders.Dataflow/mashup.pq", 2);
    let entry = r#""Extra": {"queryId": "6f7a8b9c-0d1e-4f2a-8b3c-4d5e6f7a8b90", "queryName": "Extra", "loadEnabled": false},"#;
    server.change(
        "Sales Orders.Dataflow/queryMetadata.json",
        2,
        Some([[10, 22], [10, 22]]),
        &format!("\n    {entry}"),
    );
    let metadata = server.diagnostics_for_version("Sales Orders.Dataflow/queryMetadata.json", 2);
    assert_eq!(codes(&metadata), Vec::<String>::new(), "{metadata:#}");
    assert_eq!(
        codes(&server.diagnostics_for_version("Sales Orders.Dataflow/mashup.pq", 2)),
        Vec::<String>::new()
    );

    // Closing the metadata buffer puts the disk's version back, and with it the D110.
    let uri = server.uri("Sales Orders.Dataflow/queryMetadata.json");
    server.notify_raw("textDocument/didClose", json!({"textDocument": {"uri": uri}}));
    assert_eq!(codes(&server.diagnostics("Sales Orders.Dataflow/queryMetadata.json")), ["D110"]);
    server.diagnostics_for_version("Sales Orders.Dataflow/mashup.pq", 2);

    // Closing the last file of the item clears what was published for it.
    let uri = server.uri("Sales Orders.Dataflow/mashup.pq");
    server.notify::<DidCloseTextDocument>(DidCloseTextDocumentParams {
        text_document: TextDocumentIdentifier { uri },
    });
    assert_eq!(codes(&server.diagnostics("Sales Orders.Dataflow/queryMetadata.json")), Vec::<String>::new());
}

#[test]
fn a_change_on_disk_is_picked_up_through_watched_files() {
    let mut server = TestServerBuilder::new().watch_files().sales_item().start();
    let mashup = std::fs::read_to_string(server.path("Sales Orders.Dataflow/mashup.pq")).unwrap();
    server.open_with("Sales Orders.Dataflow/mashup.pq", &format!("{mashup}shared Extra = 1;\n"), 1);
    server.diagnostics("Sales Orders.Dataflow/mashup.pq");
    assert_eq!(codes(&server.diagnostics("Sales Orders.Dataflow/queryMetadata.json")), ["D110"]);

    // Another tool adds the entry on disk.
    let path = server.path("Sales Orders.Dataflow/queryMetadata.json");
    let text = std::fs::read_to_string(&path).unwrap().replace(
        "\"queriesMetadata\": {",
        "\"queriesMetadata\": {\n    \"Extra\": {\"queryId\": \"6f7a8b9c-0d1e-4f2a-8b3c-4d5e6f7a8b90\", \"queryName\": \"Extra\"},",
    );
    std::fs::write(&path, text).unwrap();
    let uri = server.uri("Sales Orders.Dataflow/queryMetadata.json");
    server.notify_raw("workspace/didChangeWatchedFiles", json!({"changes": [{"uri": uri, "type": 2}]}));
    assert_eq!(codes(&server.diagnostics("Sales Orders.Dataflow/queryMetadata.json")), Vec::<String>::new());
    assert_eq!(server.diagnostics("Sales Orders.Dataflow/mashup.pq")["version"], 1);

    // A stray file created in the item is reported on itself.
    std::fs::write(server.path("Sales Orders.Dataflow/notes.txt"), "todo").unwrap();
    let uri = server.uri("Sales Orders.Dataflow/notes.txt");
    server.notify_raw("workspace/didChangeWatchedFiles", json!({"changes": [{"uri": uri, "type": 1}]}));
    assert_eq!(codes(&server.diagnostics("Sales Orders.Dataflow/notes.txt")), ["D105"]);
    server.diagnostics("Sales Orders.Dataflow/mashup.pq");
}

#[test]
fn a_did_you_mean_fix_is_a_quick_fix() {
    let text =
        "section S;\nshared T = #table({\"a\"}, {{1}});\nshared U = Table.AddColum(T, \"b\", each 1);\n";
    let mut server = TestServerBuilder::new().file("query.pq", text).start();
    server.open("query.pq");
    let params = server.diagnostics("query.pq");
    let diagnostic = find(&params, "M201").clone();
    let uri = server.uri("query.pq");
    let response = server.request_raw(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": uri}, "range": diagnostic["range"],
               "context": {"diagnostics": [diagnostic], "only": ["quickfix"]}}),
    );
    let actions = response["result"].as_array().unwrap();
    let first = &actions[0];
    assert_eq!(first["title"], "replace with `Table.AddColumn`");
    assert_eq!(first["kind"], "quickfix");
    assert_eq!(first["isPreferred"], true);
    let edits = &first["edit"]["changes"][uri.as_str()];
    assert_eq!(edits[0]["newText"], "Table.AddColumn");
    assert_eq!(edits[0]["range"], range(2, 11, 25));
    // Applying it clears the diagnostic.
    server.change("query.pq", 2, Some([[2, 11], [2, 25]]), "Table.AddColumn");
    assert_eq!(codes(&server.diagnostics_for_version("query.pq", 2)), Vec::<String>::new());
}

/// The fixes of habits from other languages reach the editor as quick fixes, and applying them as the
/// server wrote them leaves no diagnostic.
#[test]
fn habits_from_other_languages_are_quick_fixes() {
    let text = "section S;\nshared T = #table({\"a\"}, {{1}});\n\
                shared A = if T{0}[a] != 2 then “x” else \"y\";\nshared B = Table.SelectRows(T, [a] > 1);\n";
    let mut server = TestServerBuilder::new().file("query.pq", text).start();
    server.open("query.pq");
    let params = server.diagnostics("query.pq");
    assert_eq!(codes(&params), ["M101", "M109", "M201"], "{params:#}");
    let uri = server.uri("query.pq");
    let mut version = 1;
    // From the last to the first, so that each fix's range is still where the server said.
    let diagnostics: Vec<Value> = params["diagnostics"].as_array().unwrap().iter().rev().cloned().collect();
    for diagnostic in &diagnostics {
        let response = server.request_raw(
            "textDocument/codeAction",
            json!({"textDocument": {"uri": uri}, "range": diagnostic["range"],
                   "context": {"diagnostics": [diagnostic], "only": ["quickfix"]}}),
        );
        let action = &response["result"][0];
        assert_eq!(action["kind"], "quickfix", "{diagnostic:#}: {response:#}");
        let edit = &action["edit"]["changes"][uri.as_str()][0];
        let at = |end: &str| {
            [
                edit["range"][end]["line"].as_u64().unwrap() as u32,
                edit["range"][end]["character"].as_u64().unwrap() as u32,
            ]
        };
        version += 1;
        server.change("query.pq", version, Some([at("start"), at("end")]), edit["newText"].as_str().unwrap());
    }
    assert_eq!(codes(&server.diagnostics_for_version("query.pq", version)), Vec::<String>::new());
}

#[test]
fn pull_diagnostics_replace_push_when_the_client_pulls() {
    let mut server = TestServerBuilder::new().pull_diagnostics().file("query.pq", NON_ASCII).start();
    assert_eq!(server.initialize_result["capabilities"]["diagnosticProvider"]["interFileDependencies"], true);
    server.open("query.pq");
    let uri = server.uri("query.pq");
    let report = server.request_raw("textDocument/diagnostic", json!({"textDocument": {"uri": uri}}));
    let report = &report["result"];
    assert_eq!(report["kind"], "full");
    assert_eq!(report["items"][0]["code"], "M201");
    assert_eq!(report["items"][0]["range"], range(2, 23, 29));
    let previous = report["resultId"].clone();
    let again = server.request_raw(
        "textDocument/diagnostic",
        json!({"textDocument": {"uri": uri}, "previousResultId": previous}),
    );
    assert_eq!(again["result"]["kind"], "unchanged");
    server.change("query.pq", 2, Some([[2, 23], [2, 29]]), "Größe");
    let report = server.request_raw(
        "textDocument/diagnostic",
        json!({"textDocument": {"uri": uri}, "previousResultId": previous}),
    );
    assert_eq!(report["result"]["kind"], "full");
    assert_eq!(report["result"]["items"], json!([]));
    // No push in pull mode, and no refresh: the client pulls the one document it edits by itself.
    server.assert_quiet(Duration::from_millis(200));
}

#[test]
fn pull_clients_are_asked_to_refresh_the_other_open_files_of_an_item() {
    let mut server = TestServerBuilder::new().pull_diagnostics().sales_item().start();
    server.open("Sales Orders.Dataflow/mashup.pq");
    server.open("Sales Orders.Dataflow/queryMetadata.json");
    server.await_request("workspace/diagnostic/refresh");
    let mashup = std::fs::read_to_string(server.path("Sales Orders.Dataflow/mashup.pq")).unwrap();
    let lines = mashup.lines().count() as u32;
    server.change(
        "Sales Orders.Dataflow/mashup.pq",
        2,
        Some([[lines, 0], [lines, 0]]),
        "shared Extra = 1;\n",
    );
    server.await_request("workspace/diagnostic/refresh");
    let uri = json!(server.uri("Sales Orders.Dataflow/queryMetadata.json"));
    let report = server.request_raw("textDocument/diagnostic", json!({"textDocument": {"uri": uri}}));
    assert_eq!(report["result"]["items"][0]["code"], "D110", "{report}");
}

#[test]
fn a_panicking_request_is_an_error_and_the_server_lives_on() {
    let options = Options { debug_requests: true, ..Options::default() };
    let mut server =
        TestServerBuilder::new().options(options).file("query.pq", "section S;\nshared A = B;\n").start();
    let response = server.request_raw("dfls/debugPanic", json!({}));
    assert_eq!(response["error"]["code"], -32603, "{response}");
    assert!(response["error"]["message"].as_str().unwrap().contains("panic"), "{response}");
    // Still serving.
    server.open("query.pq");
    assert_eq!(codes(&server.diagnostics("query.pq")), ["M201"]);
    let response = server.request_raw("dfls/debugPanic", json!({}));
    assert!(response.get("error").is_some());
    let uri = server.uri("query.pq");
    let response = server.request_raw(
        "textDocument/completion",
        json!({"textDocument": {"uri": uri}, "position": {"line": 1, "character": 12}}),
    );
    assert!(response.get("result").is_some(), "{response}");
}

#[test]
fn the_debugging_request_is_refused_without_the_option() {
    let mut server = TestServerBuilder::new().start();
    let response = server.request_raw("dfls/debugPanic", json!({}));
    assert_eq!(response["error"]["code"], -32601, "{response}");
}

#[test]
fn unknown_documents_and_bad_positions_get_errors_not_crashes() {
    let mut server = TestServerBuilder::new().file("query.pq", "section S;\nshared A = 1;\n").start();
    server.open("query.pq");
    server.diagnostics("query.pq");
    let uri = json!(server.uri("query.pq"));
    let missing = json!(server.uri("nowhere/missing.pq"));

    let at = |uri: &Value, line: u32, character: u32| json!({"textDocument": {"uri": uri}, "position": {"line": line, "character": character}});
    let response = server.request_raw("textDocument/completion", at(&missing, 0, 0));
    assert_eq!(response["error"]["code"], -32602, "{response}");
    assert!(response["error"]["message"].as_str().unwrap().contains("unknown document"));
    // A line past the end is an error; a column past the end of its line is its end.
    let response = server.request_raw("textDocument/completion", at(&uri, 99, 0));
    assert_eq!(response["error"]["code"], -32602, "{response}");
    let response = server.request_raw("textDocument/completion", at(&uri, 1, 9_999));
    assert!(response.get("result").is_some(), "{response}");
    let response = server.request_raw("textDocument/completion", at(&uri, u32::MAX, u32::MAX));
    assert_eq!(response["error"]["code"], -32602, "{response}");
    // Malformed params.
    let response = server.request_raw("textDocument/completion", json!({"textDocument": 3}));
    assert_eq!(response["error"]["code"], -32602, "{response}");
    let response = server.request_raw("textDocument/codeAction", json!({"textDocument": {"uri": missing},
        "range": range(0, 0, 0), "context": {"diagnostics": [{"range": range(0, 0, 0), "message": "x", "data": 7}]}}));
    assert!(response.get("error").is_some(), "{response}");
    // Changes to unknown documents and out-of-range edits are ignored or clamped.
    server.change("nowhere/missing.pq", 2, None, "x");
    server.change("query.pq", 2, Some([[40, 3], [50, 1]]), "\nshared Z = Y;");
    let params = server.diagnostics_for_version("query.pq", 2);
    assert_eq!(find(&params, "M201")["range"], range(3, 11, 12));
    let response = server.request_raw("unknown/method", json!({}));
    assert_eq!(response["error"]["code"], -32601, "{response}");
}

#[test]
fn a_legacy_item_maps_diagnostics_into_the_json_string() {
    let content = json!({
        "editingSessionMashup": {
            "mashupName": "",
            "mashupDocument": "section Section1;\r\nshared Q = Unknwn;\r\n",
            "queryGroups": [],
            "documentLocale": "en-US",
            "gatewayObjectId": null,
            "queriesMetadata": {"Q": {"queryId": "6f7a8b9c-0d1e-4f2a-8b3c-4d5e6f7a8b90", "queryName": "Q"}},
            "connectionOverrides": [],
            "trustedConnections": [],
            "useHostConnectionProvider": false,
            "fastCombine": false,
            "allowNativeQueries": true,
            "allowedModules": null,
            "skipAutomaticTypeAndHeaderDetection": false,
            "disableAutoAnonymousConnectionUpsert": null,
            "hostProperties": {},
            "defaultOutputDestinationConfiguration": null,
            "stagingDefinition": null
        }
    });
    let text = serde_json::to_string_pretty(&content).unwrap();
    let mut server = TestServerBuilder::new().utf8().file("dataflow-content.json", &text).start();
    server.open("dataflow-content.json");
    let params = server.diagnostics("dataflow-content.json");
    let diagnostic = find(&params, "M201");
    let line = text.lines().position(|l| l.contains("mashupDocument")).unwrap() as u32;
    let column = text.lines().nth(line as usize).unwrap().find("Unknwn").unwrap() as u32;
    assert_eq!(diagnostic["range"], range(line, column, column + 6), "{params:#}");
}

/// The server of a test that only needs an open document.
pub fn server_with(path: &str, text: &str) -> TestServer {
    let mut server = TestServerBuilder::new().file(path, text).start();
    server.open(path);
    server.diagnostics(path);
    server
}

#[test]
fn a_cancelled_request_is_answered_as_cancelled() {
    let options = Options { debug_requests: true, ..Options::default() };
    let mut server = TestServerBuilder::new().options(options).start();
    // A request that takes 5 s, cancelled at once: the answer comes long before it would have ended.
    let start = std::time::Instant::now();
    let id = 1_000;
    server
        .send_raw(json!({"jsonrpc": "2.0", "id": id, "method": "dfls/debugSleep", "params": {"ms": 5_000}}));
    server.notify_raw("$/cancelRequest", json!({"id": id}));
    let response = server.await_message("the cancelled response", |m| m["id"] == id);
    assert_eq!(response["error"]["code"], -32800, "{response}");
    assert!(start.elapsed() < Duration::from_secs(4));
    // The server still answers.
    let response = server.request_raw("dfls/debugSleep", json!({"ms": 1}));
    assert_eq!(response["result"], Value::Null);
}

#[test]
fn an_untitled_buffer_is_checked_by_itself() {
    let mut server = TestServerBuilder::new().start();
    let uri = "untitled:Untitled-1";
    server.notify_raw(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": uri, "languageId": "powerquery", "version": 3, "text": "let a = 1 in a + b"}}),
    );
    let params =
        server.await_message("untitled diagnostics", |m| m["params"]["uri"] == uri)["params"].clone();
    assert_eq!(params["version"], 3);
    assert_eq!(codes(&params), ["M201"]);
    let response = server.request_raw(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri}, "position": {"line": 0, "character": 17}}),
    );
    assert!(response.get("error").is_none(), "{response}");
}

#[test]
fn pull_diagnostics_of_files_that_are_not_open() {
    let mut server = TestServerBuilder::new().pull_diagnostics().sales_item().start();
    // A file of an item with no open file: checked from disk, with no result id to compare later.
    let uri = json!(server.uri("Sales Orders.Dataflow/queryMetadata.json"));
    let report = server.request_raw("textDocument/diagnostic", json!({"textDocument": {"uri": uri}}));
    assert_eq!(report["result"]["kind"], "full", "{report}");
    assert_eq!(report["result"]["items"], json!([]));
    assert!(report["result"].get("resultId").is_none());
    let missing = json!(server.uri("nowhere.pq"));
    let report = server.request_raw("textDocument/diagnostic", json!({"textDocument": {"uri": missing}}));
    assert_eq!(report["error"]["code"], -32602, "{report}");
}

#[test]
fn workspace_folders_added_later_are_searched_for_symbols() {
    let mut server = TestServerBuilder::new()
        .file("other/Extra.Dataflow/mashup.pq", "section S;\nshared Wanted = 1;\n")
        .start();
    let found = server.request_raw("workspace/symbol", json!({"query": "Wanted"}))["result"].clone();
    assert_eq!(found.as_array().unwrap().len(), 1, "the root holds `other/`: {found}");
    let folder = json!(server.uri("other"));
    let root = json!(server.uri(""));
    server.notify_raw(
        "workspace/didChangeWorkspaceFolders",
        json!({"event": {"added": [{"uri": folder, "name": "other"}], "removed": [{"uri": root, "name": "workspace"}]}}),
    );
    let found = server.request_raw("workspace/symbol", json!({"query": "Wanted"}))["result"].clone();
    assert_eq!(found[0]["containerName"], "Extra", "{found}");
}

#[test]
fn an_unsaved_buffer_can_make_a_folder_an_item() {
    let mut server =
        TestServerBuilder::new().file("New/mashup.pq", "section Section1;\nshared A = 1;\n").start();
    server.open("New/mashup.pq");
    assert_eq!(codes(&server.diagnostics("New/mashup.pq")), Vec::<String>::new());
    // A queryMetadata.json that exists only as a buffer: the folder is an item now, and `A` has no entry.
    let metadata = r#"{"formatVersion": "202502", "name": "New", "queryGroups": [], "documentLocale": "en-US",
        "queriesMetadata": {}, "connections": []}"#;
    server.open_with("New/queryMetadata.json", metadata, 1);
    let params = server.diagnostics("New/queryMetadata.json");
    assert_eq!(params["version"], 1);
    assert!(codes(&params).contains(&"D110".to_owned()), "{params:#}");
    server.diagnostics("New/mashup.pq");
    // Closed without saving: the folder is no item any more; what was published for the buffer goes.
    let uri = json!(server.uri("New/queryMetadata.json"));
    server.notify_raw("textDocument/didClose", json!({"textDocument": {"uri": uri}}));
    assert_eq!(server.diagnostics("New/queryMetadata.json")["diagnostics"], json!([]));
    assert_eq!(codes(&server.diagnostics("New/mashup.pq")), Vec::<String>::new());
}
