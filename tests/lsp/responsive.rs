//! A cheap request never waits behind expensive work, cancelled work stops, and unfriendly input (a quote
//! typed in the middle of a large file, a URI naming a device) neither stalls nor kills the server.

use std::time::{Duration, Instant};

use dfls::lsp::Options;
use serde_json::{json, Value};

use crate::support::TestServerBuilder;

fn debug_options() -> Options {
    Options { debug_requests: true, ..Options::default() }
}

/// One query of a few lines, named by `n`, using the previous one.
fn query(n: usize) -> String {
    let previous = if n == 0 { "1".to_owned() } else { format!("#\"Orders {}\"", n - 1) };
    format!(
        "shared #\"Orders {n}\" = let\n    Source = Sql.Database(\"sql-{n}.contoso.com\", \"Sales\"),\n    \
         Rows = Table.SelectRows(Source, each [Region] = \"AMER\" and [Amount] > {n}),\n    \
         Result = if {previous} = null then Rows else Rows\nin\n    Result;\n"
    )
}

fn large_document(queries: usize) -> String {
    let mut text = "section Section1;\n".to_owned();
    for n in 0..queries {
        text.push_str(&query(n));
    }
    text
}

#[test]
fn a_cheap_request_is_answered_while_expensive_work_fills_its_pool() {
    let mut server = TestServerBuilder::new().options(debug_options()).sales_item().start();
    server.open("Sales Orders.Dataflow/mashup.pq");
    let uri = server.uri("Sales Orders.Dataflow/mashup.pq");
    // Three pieces of expensive work of 3 s each, more than there are threads for them.
    for id in [900, 901, 902] {
        server.send_raw(json!({"jsonrpc": "2.0", "id": id, "method": "dfls/debugSleep",
                               "params": {"ms": 3_000, "pool": "heavy"}}));
    }
    server.send_raw(json!({"jsonrpc": "2.0", "id": 903, "method": "dfls/debugSleep",
                           "params": {"ms": 3_000, "pool": "checks"}}));
    let hover = server.request_raw(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri}, "position": {"line": 2, "character": 6}}),
    );
    assert!(hover.get("error").is_none(), "{hover}");
    // The hover's answer came while every piece of expensive work was still running or queued.
    for id in [900, 901, 902, 903] {
        server.send_raw(json!({"jsonrpc": "2.0", "method": "$/cancelRequest", "params": {"id": id}}));
    }
    for id in [900, 901, 902, 903] {
        let response = server.await_message("the expensive work's answer", |m| m["id"] == id);
        assert_eq!(
            response["error"]["code"], -32800,
            "answered before the hover, or not cancelled: {response}"
        );
    }
    // The item check queued behind the sleep on the checks thread runs once the thread is free.
    let diagnostics = server.diagnostics_for_version("Sales Orders.Dataflow/mashup.pq", 1);
    assert_eq!(diagnostics["diagnostics"], json!([]), "{diagnostics}");
}

#[test]
fn cancelled_work_stops_and_frees_its_thread() {
    let mut server = TestServerBuilder::new().options(debug_options()).start();
    // Minutes of work queued on the heavy thread (more pieces than any pool has threads), cancelled at
    // once: the next heavy request runs right away.
    for id in 700..706 {
        server.send_raw(json!({"jsonrpc": "2.0", "id": id, "method": "dfls/debugSleep",
                               "params": {"ms": 60_000, "pool": "heavy"}}));
        server.notify_raw("$/cancelRequest", json!({"id": id}));
    }
    for id in 700..706 {
        let cancelled = server.await_message("the cancelled answer", |m| m["id"] == id);
        assert_eq!(cancelled["error"]["code"], -32800, "{cancelled}");
    }
    let start = Instant::now();
    let next = server.request_raw("dfls/debugSleep", json!({"ms": 1, "pool": "heavy"}));
    assert_eq!(next["result"], Value::Null, "{next}");
    assert!(
        start.elapsed() < Duration::from_secs(20),
        "the heavy thread was still sleeping: {:?}",
        start.elapsed()
    );
}

#[test]
fn a_device_named_by_a_request_is_refused_not_read() {
    let mut server = TestServerBuilder::new().start();
    let response = server.request_raw(
        "textDocument/hover",
        json!({"textDocument": {"uri": "file:///dev/zero"}, "position": {"line": 0, "character": 0}}),
    );
    assert_eq!(response["error"]["code"], -32602, "{response}");
    // The server is alive.
    let response = server.request_raw("workspace/symbol", json!({"query": ""}));
    assert!(response.get("error").is_none(), "{response}");
}

#[test]
fn a_quote_typed_in_a_large_file_keeps_diagnostics_near_it_and_requests_answering() {
    let text = large_document(1_500);
    let lines = text.lines().count();
    assert!(lines > 9_000, "{lines}");
    let mut server = TestServerBuilder::new().file("Big.pq", &text).start();
    server.open("Big.pq");
    let first = server.diagnostics("Big.pq");
    assert_eq!(first["diagnostics"], json!([]), "{first}");
    // A quote typed into the text of a line near the top, then 60 keystrokes inside the literal it
    // opened: the rest of the file turns from text to code and back.
    let line = (100..).find(|&n| text.lines().nth(n).unwrap().contains("contoso")).unwrap();
    let column = text.lines().nth(line).unwrap().find("contoso").unwrap() as u32;
    server.change("Big.pq", 2, Some([[line as u32, column], [line as u32, column]]), "\"");
    for k in 0..60u32 {
        let at = column + 1 + k;
        server.change("Big.pq", 3 + k as i32, Some([[line as u32, at], [line as u32, at]]), "x");
    }
    let start = Instant::now();
    let uri = server.uri("Big.pq");
    let completion = server.request_raw(
        "textDocument/completion",
        json!({"textDocument": {"uri": uri}, "position": {"line": 5_000, "character": 13}}),
    );
    assert!(completion.get("error").is_none(), "{completion}");
    let published = server.diagnostics_for_version("Big.pq", 62);
    assert!(start.elapsed() < Duration::from_secs(60), "{:?}", start.elapsed());
    // Every diagnostic is about the query the quote went into, not the thousands of lines after it.
    let diagnostics = published["diagnostics"].as_array().unwrap();
    assert!(!diagnostics.is_empty());
    for diagnostic in diagnostics {
        let at = diagnostic["range"]["start"]["line"].as_u64().unwrap() as usize;
        assert!((line - 10..line + 10).contains(&at), "a diagnostic far from the quote: {diagnostic}");
    }
}

#[test]
fn through_the_real_binary_a_hover_overtakes_a_formatting_sent_before_it() {
    // `dfls lsp` as an editor runs it: its stdin and stdout are real pipes, read and written by threads of
    // their own (they held one of the two threads of the pool that requests wait for).
    let text = large_document(1_500);
    let mut server =
        TestServerBuilder::new().file("Big.pq", &text).binary(env!("CARGO_BIN_EXE_dfls")).start();
    assert!(server.process_id().is_some());
    server.open("Big.pq");
    server.diagnostics("Big.pq");
    let uri = server.uri("Big.pq");
    server.send_raw(json!({"jsonrpc": "2.0", "id": 800, "method": "textDocument/formatting",
                           "params": {"textDocument": {"uri": uri}, "options": {"tabSize": 4, "insertSpaces": true}}}));
    let hover = server.request_raw(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri}, "position": {"line": 3, "character": 20}}),
    );
    assert!(hover.get("error").is_none(), "{hover}");
    let early = server.await_message_within(Duration::ZERO, |m| m["id"] == 800);
    assert!(early.is_none(), "the formatting of 9,000 lines was answered before the hover sent after it");
    let formatted = server.await_message("the formatting answer", |m| m["id"] == 800);
    assert!(formatted.get("error").is_none(), "{formatted}");
}
