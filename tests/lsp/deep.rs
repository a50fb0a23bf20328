//! Every request the server advertises, on a Dataflow item whose query nests 100,000 levels deep, valid
//! and broken: each must answer with a sensible result (not an error, not a stack overflow that takes the
//! whole test process down), and the server must still answer after. The features on such a document
//! used to climb the tree node by node (14 s for a selection range inside 20,000 parentheses) or recurse
//! on its depth (the outline of 5,000 nested lets overflowed the server's stack).
//!
//! The deep documents nest parentheses and lists, which add no token the features report (no name, no
//! keyword), so the debug build answers within the test's patience; how long the release build takes on
//! documents of every construct is measured by benches/check.rs. A second test builds an outline and a
//! selection chain as deep as the server allows.

use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::support::{TestServer, TestServerBuilder};
use dfls::emulator::{Embedded, Options as FabricOptions, DEFAULT_WORKSPACE_ID};

const DEPTH: usize = 100_000;
const MASHUP: &str = "Deep.Dataflow/mashup.pq";
/// How long one request may take in the debug build (the release build answers in well under a second).
const BUDGET: Duration = Duration::from_secs(15);

const PLATFORM: &str = r#"{
  "$schema": "https://developer.microsoft.com/json-schemas/fabric/gitIntegration/platformProperties/2.0.0/schema.json",
  "metadata": {"type": "Dataflow", "displayName": "Deep"},
  "config": {"version": "2.0", "logicalId": "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5e"}
}"#;
const METADATA: &str = r#"{
  "formatVersion": "202502",
  "computeEngineSettings": {},
  "name": "Deep",
  "queryGroups": [],
  "documentLocale": "en-US",
  "queriesMetadata": {
    "Q": {"queryId": "0f1e2d3c-4b5a-4697-8877-a6b5c4d3e2f1", "queryName": "Q", "loadEnabled": true}
  },
  "connections": []
}"#;

/// The item's `mashup.pq`: one query whose value is `x`, called on, inside `open` repeated `DEPTH` times
/// and closed with `close` each (not closed when `close` is empty).
fn mashup(open: &str, close: &str) -> String {
    format!(
        "section Section1;\nshared Q = let x = 1 in {}Number.From(x){};\n",
        open.repeat(DEPTH),
        close.repeat(DEPTH)
    )
}

/// A server on the deep item (pulling diagnostics when asked) with a local Fabric to push to.
fn server(text: &str, pull: bool) -> (TestServer, Embedded, tempfile::TempDir) {
    let state = tempfile::tempdir().unwrap();
    let fabric = Embedded::start(state.path(), FabricOptions::default()).unwrap();
    let toml = format!(
        "default-target = \"test\"\n[targets.test]\napi = \"{}\"\nworkspace = \"{DEFAULT_WORKSPACE_ID}\"\nauth = \"none\"\n",
        fabric.base_url()
    );
    let mut builder = TestServerBuilder::new()
        .file(MASHUP, text)
        .file("Deep.Dataflow/queryMetadata.json", METADATA)
        .file("Deep.Dataflow/.platform", PLATFORM)
        .file("dfls.toml", toml)
        .capability("textDocument/documentSymbol", json!({"hierarchicalDocumentSymbolSupport": true}));
    if pull {
        builder = builder.pull_diagnostics();
    }
    let mut server = builder.start();
    server.open_with(MASHUP, text, 1);
    (server, fabric, state)
}

/// Sends a request and returns its result, which must come within the budget and not be an error.
fn ask(server: &mut TestServer, method: &str, params: Value) -> Value {
    let started = Instant::now();
    let response = server.request_raw(method, params);
    let elapsed = started.elapsed();
    assert!(elapsed < BUDGET, "{method} took {elapsed:?}");
    assert!(response.get("error").is_none(), "{method}: {response}");
    response["result"].clone()
}

/// The line and column of the first `x` after `needle` on the query's line (the text is ASCII).
fn position_after(text: &str, needle: &str) -> Value {
    let line = text.lines().nth(1).unwrap();
    let at = line.find(needle).unwrap() + needle.len() - 1;
    json!({"line": 1, "character": at})
}

/// Every request the server advertises on the open deep item, with what a sensible answer is. In broken
/// code (not `valid`) navigation and renaming may find nothing: the analysis does not see a step that a
/// syntax error holds, and the tokens are read only for some requests; they must still answer.
fn every_request(server: &mut TestServer, text: &str, valid: bool) {
    let uri = json!(server.uri(MASHUP));
    let document = json!({"uri": uri});
    // The `x` passed to the call at the bottom, and where it is defined.
    let deep_x = position_after(text, "Number.From(x");
    let definition_x = position_after(text, "let x");
    let at = |position: &Value| json!({"textDocument": document, "position": position});
    let lines = text.lines().count() as u64;
    let whole = json!({"start": {"line": 0, "character": 0}, "end": {"line": lines, "character": 0}});

    let hover = ask(server, "textDocument/hover", at(&deep_x));
    assert!(hover["contents"]["value"].as_str().unwrap().contains("x = 1"), "{hover}");
    let definition = ask(server, "textDocument/definition", at(&deep_x));
    let mut references = at(&deep_x);
    references["context"] = json!({"includeDeclaration": true});
    let references = ask(server, "textDocument/references", references);
    let highlights = ask(server, "textDocument/documentHighlight", at(&deep_x));
    let mut rename = at(&deep_x);
    rename["newName"] = json!("y");
    if valid {
        assert_eq!(definition[0]["range"]["start"], definition_x, "{definition}");
        assert_eq!(references.as_array().unwrap().len(), 2, "{references}");
        assert_eq!(highlights.as_array().unwrap().len(), 2, "{highlights}");
        let prepared = ask(server, "textDocument/prepareRename", at(&deep_x));
        assert_eq!(prepared["range"]["start"], deep_x, "{prepared}");
        let edit = ask(server, "textDocument/rename", rename);
        let edits = edit["documentChanges"][0]["edits"].as_array().unwrap_or_else(|| panic!("{edit}"));
        assert_eq!(edits.len(), 2);
    } else {
        assert!(definition.is_array() || definition.is_null(), "{definition}");
        assert!(references.is_array() || references.is_null(), "{references}");
        assert!(highlights.is_array() || highlights.is_null(), "{highlights}");
        // Renaming is refused with a reason, or done.
        for (method, params) in [("textDocument/prepareRename", at(&deep_x)), ("textDocument/rename", rename)]
        {
            let response = server.request_raw(method, params);
            let refused = response["error"]["message"].as_str().is_some_and(|m| !m.is_empty());
            assert!(refused || response.get("result").is_some(), "{method}: {response}");
        }
    }
    let signature = ask(server, "textDocument/signatureHelp", at(&deep_x));
    assert!(signature["signatures"][0]["label"].as_str().unwrap().starts_with("Number.From("), "{signature}");
    let completion = ask(server, "textDocument/completion", at(&deep_x));
    let items = completion["items"].as_array().unwrap_or_else(|| panic!("{completion}"));
    assert!(items.iter().any(|item| item["label"] == "x"), "the step is offered");

    let chain =
        ask(server, "textDocument/selectionRange", json!({"textDocument": document, "positions": [deep_x]}));
    let mut link = &chain[0];
    let mut levels = 1;
    while link["parent"].is_object() {
        link = &link["parent"];
        levels += 1;
    }
    assert!((2..=64).contains(&levels), "{levels} levels");
    assert_eq!(
        link["range"]["start"],
        json!({"line": 0, "character": 0}),
        "the chain ends with the document"
    );

    // 100,000 unclosed brackets make the parser give up on the section itself: no outline then.
    let symbols = ask(server, "textDocument/documentSymbol", json!({"textDocument": document}));
    let workspace = ask(server, "workspace/symbol", json!({"query": "Q"}));
    if valid {
        assert_eq!(symbols[0]["name"], "Section1", "{symbols}");
        assert_eq!(symbols[0]["children"][0]["name"], "Q", "{symbols}");
        assert!(workspace.as_array().unwrap().iter().any(|s| s["name"] == "Q"), "{workspace}");
    } else {
        assert!(symbols.is_array() && workspace.is_array(), "{symbols} {workspace}");
    }
    assert!(ask(server, "textDocument/foldingRange", json!({"textDocument": document})).is_array());

    let full = ask(server, "textDocument/semanticTokens/full", json!({"textDocument": document}));
    let data = full["data"].as_array().unwrap();
    assert!(!data.is_empty() && data.len() % 5 == 0, "{} numbers", data.len());
    let range =
        ask(server, "textDocument/semanticTokens/range", json!({"textDocument": document, "range": whole}));
    assert_eq!(range["data"], full["data"]);

    let actions = ask(
        server,
        "textDocument/codeAction",
        json!({"textDocument": document, "range": {"start": deep_x, "end": deep_x}, "context": {"diagnostics": []}}),
    );
    assert!(actions.is_array(), "{actions}");
    let lenses = ask(server, "textDocument/codeLens", json!({"textDocument": document}));
    if valid {
        assert_eq!(lenses[0]["command"]["title"], "Push", "{lenses}");
    } else {
        assert!(lenses.is_array() || lenses.is_null(), "{lenses}");
    }

    let options = json!({"tabSize": 2, "insertSpaces": true});
    let formatted =
        ask(server, "textDocument/formatting", json!({"textDocument": document, "options": options}));
    assert!(formatted.is_array(), "{formatted}");
    let ranged = ask(
        server,
        "textDocument/rangeFormatting",
        json!({"textDocument": document, "range": whole, "options": options}),
    );
    assert!(ranged.is_array(), "{ranged}");
    let end_of_query = json!({"line": 1, "character": text.lines().nth(1).unwrap().len()});
    let on_type = ask(
        server,
        "textDocument/onTypeFormatting",
        json!({"textDocument": document, "position": end_of_query, "ch": ";", "options": options}),
    );
    assert!(on_type.is_array() || on_type.is_null(), "{on_type}");
}

#[test]
fn every_request_answers_inside_100000_parentheses() {
    let text = mashup("(", ")");
    let (mut server, _fabric, _state) = server(&text, false);
    let published = server.diagnostics(MASHUP);
    assert_eq!(published["diagnostics"], json!([]), "a valid query");
    every_request(&mut server, &text, true);
    // The push checks the deep item and sends it to the local Fabric.
    let uri = json!(server.uri(MASHUP));
    let pushed =
        ask(&mut server, "workspace/executeCommand", json!({"command": "dfls.push", "arguments": [uri]}));
    assert!(pushed["message"].as_str().unwrap().contains("created `Deep`"), "{pushed}");
    // Still alive and answering (the drop of the server checks its `shutdown` answer too).
    assert!(ask(&mut server, "textDocument/foldingRange", json!({"textDocument": {"uri": uri}})).is_array());
}

#[test]
fn every_request_answers_inside_100000_unclosed_lists() {
    let text = mashup("{", "");
    let (mut server, _fabric, _state) = server(&text, true);
    let uri = json!(server.uri(MASHUP));
    let report = ask(&mut server, "textDocument/diagnostic", json!({"textDocument": {"uri": uri}}));
    let items = report["items"].as_array().unwrap_or_else(|| panic!("{report}"));
    assert!(items.iter().any(|d| d["code"] == "M102"), "the missing `}}` is reported: {report}");
    every_request(&mut server, &text, false);
    let pushed =
        server.request_raw("workspace/executeCommand", json!({"command": "dfls.push", "arguments": [uri]}));
    let refusal = pushed["error"]["message"].as_str().unwrap_or_else(|| panic!("{pushed}"));
    assert!(refusal.contains("error"), "a push of a broken item is refused with a reason: {refusal}");
    assert!(ask(&mut server, "textDocument/foldingRange", json!({"textDocument": {"uri": uri}})).is_array());
}

/// Lists closed by parentheses: every closer is stray. Completion's scan once looked through every open
/// frame for each closing bracket (100,000 x the 16 KB it reads past the cursor: half a minute).
#[test]
fn every_request_answers_inside_100000_lists_closed_by_parentheses() {
    let text = mashup("{", ")");
    let (mut server, _fabric, _state) = server(&text, true);
    let uri = json!(server.uri(MASHUP));
    let report = ask(&mut server, "textDocument/diagnostic", json!({"textDocument": {"uri": uri}}));
    let items = report["items"].as_array().unwrap_or_else(|| panic!("{report}"));
    assert!(!items.is_empty(), "the stray `)` are reported: {report}");
    every_request(&mut server, &text, false);
}

/// 20,000 nested lets, one a line: the outline holds every step but nests no deeper than the server
/// allows (the protocol's answer and its drop would otherwise recurse once per level), flat for clients
/// that want it flat; folding ranges and a selection chain from the deepest step.
#[test]
fn deep_outlines_are_bounded_and_flat_ones_complete() {
    let depth = 20_000;
    let text = format!(
        "section Section1;\nshared Q =\n{}1\n{};\n",
        "let x =\n".repeat(depth),
        "in x\n".repeat(depth)
    );
    let path = "Lets.Dataflow/mashup.pq";
    for hierarchical in [true, false] {
        let mut server = TestServerBuilder::new()
            .file(path, &text)
            .capability(
                "textDocument/documentSymbol",
                json!({"hierarchicalDocumentSymbolSupport": hierarchical}),
            )
            .start();
        server.open(path);
        server.diagnostics(path);
        let uri = json!(server.uri(path));
        let symbols = ask(&mut server, "textDocument/documentSymbol", json!({"textDocument": {"uri": uri}}));
        let symbols = symbols.as_array().unwrap();
        if hierarchical {
            let (mut count, mut deepest) = (0, 0);
            let mut stack: Vec<(&Value, usize)> = symbols.iter().map(|s| (s, 1)).collect();
            while let Some((symbol, level)) = stack.pop() {
                count += 1;
                deepest = deepest.max(level);
                if let Some(children) = symbol["children"].as_array() {
                    stack.extend(children.iter().map(|child| (child, level + 1)));
                }
            }
            assert_eq!(count, depth + 2, "the section, the query and every step");
            assert_eq!(deepest, dfls::ide::symbols::MAX_DEPTH);
        } else {
            assert_eq!(symbols.len(), depth + 2);
            assert_eq!(symbols[2]["containerName"], "Q");
        }
        let folds = ask(&mut server, "textDocument/foldingRange", json!({"textDocument": {"uri": uri}}));
        assert!(folds.as_array().unwrap().len() >= depth, "a fold for each let");
        let innermost = json!({"line": depth + 2, "character": 0});
        let chain = ask(
            &mut server,
            "textDocument/selectionRange",
            json!({"textDocument": {"uri": uri}, "positions": [innermost]}),
        );
        assert!(chain[0]["parent"].is_object(), "{chain}");
    }
}
