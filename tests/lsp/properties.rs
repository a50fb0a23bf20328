//! The language server under random bursts of edits: an example item's `mashup.pq` is opened and edited
//! by bursts of `didChange` notifications (random ranges, pieces of M, several changes in one
//! notification now and then), each burst followed by requests at random positions (completion, hover,
//! document symbols, formatting, semantic tokens, signature help, folding and selection ranges). Every
//! request must answer, with a result or a clean error (never an internal error), the server must stay
//! alive, and the diagnostics it publishes for the final version must be those `dfls check` finds in the
//! final text ([`check_folder`] on the same item).
//!
//! Cases are seeded (`common::property`); each starts its own server, so a few cases keep the run within
//! seconds.

use std::path::Path;
use std::time::Duration;

use dfls::definition::{check_folder, FolderItem};
use dfls::diagnostics::Severity;
use serde_json::{json, Value};

use crate::common::property::{boundary, for_each_case, random_piece, random_range, M_PIECES};
use crate::common::Random;
use crate::support::{TestServer, TestServerBuilder};

/// JSON-RPC's code for an internal error: what a panic in a handler becomes.
const INTERNAL_ERROR: i64 = -32603;

/// The files of an example item, by their path in the item folder.
fn example(name: &str) -> Vec<(String, Vec<u8>)> {
    let folder = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples").join(name);
    let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(&folder)
        .unwrap()
        .map(|entry| {
            let path = entry.unwrap().path();
            (path.file_name().unwrap().to_string_lossy().into_owned(), std::fs::read(&path).unwrap())
        })
        .collect();
    files.sort();
    files
}

/// The LSP position (line, UTF-16 column) of a byte offset. Lines end at LF, CRLF or a lone CR, as the
/// protocol says; an offset inside a CRLF is the end of its line.
fn position(text: &str, offset: usize) -> Value {
    let bytes = text.as_bytes();
    let offset = outside_crlf(text, boundary(text, offset));
    let (mut line, mut line_start, mut at) = (0, 0, 0);
    while at < offset {
        let end = match bytes[at] {
            b'\r' if bytes.get(at + 1) == Some(&b'\n') => at + 2,
            b'\r' | b'\n' => at + 1,
            _ => {
                at += 1;
                continue;
            }
        };
        if end > offset {
            break;
        }
        line += 1;
        line_start = end;
        at = end;
    }
    let character: usize = text[line_start..offset].chars().map(char::len_utf16).sum();
    json!({"line": line, "character": character})
}

/// The offset, moved out of a CRLF if it is inside one (where client and server could not agree on it).
fn outside_crlf(text: &str, offset: usize) -> usize {
    let bytes = text.as_bytes();
    if offset > 0 && bytes[offset - 1] == b'\r' && bytes.get(offset) == Some(&b'\n') {
        offset - 1
    } else {
        offset
    }
}

/// A random offset of `text`, not inside a CRLF.
fn random_offset(random: &mut Random, text: &str) -> usize {
    outside_crlf(text, boundary(text, random.below(text.len() + 1)))
}

/// One random change of `text`, applied to it, as an LSP content change.
fn random_change(random: &mut Random, text: &mut String) -> Value {
    let range = random_range(random, text);
    let (start, end) = (outside_crlf(text, range.start), outside_crlf(text, range.end));
    let piece = random_piece(random, text, M_PIECES);
    let change =
        json!({"range": {"start": position(text, start), "end": position(text, end)}, "text": piece});
    text.replace_range(start..end, &piece);
    change
}

/// Sends a request at a random position and checks that it answers with a result or a clean error.
fn random_request(random: &mut Random, server: &mut TestServer, uri: &Value, text: &str) {
    let at = position(text, random_offset(random, text));
    let document = json!({"uri": uri});
    let (method, params) = match random.below(9) {
        0 | 1 => ("textDocument/completion", json!({"textDocument": document, "position": at})),
        2 => ("textDocument/hover", json!({"textDocument": document, "position": at})),
        3 => ("textDocument/signatureHelp", json!({"textDocument": document, "position": at})),
        4 => ("textDocument/documentSymbol", json!({"textDocument": document})),
        5 => (
            "textDocument/formatting",
            json!({"textDocument": document, "options": {"tabSize": 4, "insertSpaces": true}}),
        ),
        6 => ("textDocument/semanticTokens/full", json!({"textDocument": document})),
        7 => ("textDocument/foldingRange", json!({"textDocument": document})),
        _ => ("textDocument/selectionRange", json!({"textDocument": document, "positions": [at]})),
    };
    let response = server.request_raw(method, params.clone());
    if let Some(error) = response.get("error") {
        assert_ne!(error["code"], json!(INTERNAL_ERROR), "{method} {params}: {error}");
    } else {
        assert!(response.get("result").is_some(), "{method} {params}: {response}");
    }
}

/// The diagnostics `dfls check` finds in `mashup.pq` of the item, with `mashup` as its text, in the shape
/// the comparison uses: LSP range, code, severity, message.
fn checked(files: &[(String, Vec<u8>)], folder: &str, mashup: &str) -> Vec<Value> {
    let parts = files.iter().map(|(path, bytes)| {
        let bytes = if path == "mashup.pq" { mashup.as_bytes() } else { bytes.as_slice() };
        (path.as_str(), bytes)
    });
    let reports = check_folder(FolderItem::of_parts(folder.to_string(), folder.to_string(), parts));
    let report = reports.iter().find(|r| r.path.ends_with("/mashup.pq")).expect("a report of mashup.pq");
    let mut out: Vec<Value> = report
        .diagnostics
        .iter()
        .map(|d| {
            let severity = match d.severity {
                Severity::Error => 1,
                Severity::Warning => 2,
                Severity::Info => 3,
                Severity::Hint => 4,
            };
            json!({
                "range": {"start": position(mashup, d.range.start), "end": position(mashup, d.range.end)},
                "code": d.code.id, "severity": severity, "message": d.message,
            })
        })
        .collect();
    out.sort_by_key(Value::to_string);
    out
}

/// The published diagnostics in the same shape.
fn published(params: &Value) -> Vec<Value> {
    let mut out: Vec<Value> = params["diagnostics"]
        .as_array()
        .expect("a list of diagnostics")
        .iter()
        .map(|d| {
            json!({"range": d["range"], "code": d["code"], "severity": d["severity"], "message": d["message"]})
        })
        .collect();
    out.sort_by_key(Value::to_string);
    out
}

#[test]
fn bursts_of_edits_and_requests_keep_the_server_alive_and_its_diagnostics_right() {
    let examples = ["Sales Orders.Dataflow", "Customer Churn.Dataflow"];
    for_each_case(
        "bursts_of_edits_and_requests_keep_the_server_alive_and_its_diagnostics_right",
        4,
        |random| {
            let folder = examples[random.below(examples.len())];
            let files = example(folder);
            let mut builder = TestServerBuilder::new();
            for (path, bytes) in &files {
                builder = builder.file(&format!("{folder}/{path}"), bytes);
            }
            let mut server = builder.start();
            let path = format!("{folder}/mashup.pq");
            server.open(&path);
            server.diagnostics(&path);
            let uri = json!(server.uri(&path));
            let mut text = std::fs::read_to_string(server.path(&path)).unwrap();
            let mut version = 1;
            for _ in 0..3 + random.below(3) {
                // A burst: edits sent without waiting for anything.
                for _ in 0..1 + random.below(25) {
                    version += 1;
                    let changes: Vec<Value> =
                        (0..1 + random.below(3) / 2).map(|_| random_change(random, &mut text)).collect();
                    server.notify_raw(
                        "textDocument/didChange",
                        json!({"textDocument": {"uri": uri, "version": version}, "contentChanges": changes}),
                    );
                }
                for _ in 0..1 + random.below(4) {
                    random_request(random, &mut server, &uri, &text);
                }
            }
            let last = server.diagnostics_for_version(&path, version);
            assert_eq!(
                published(&last),
                checked(&files, folder, &text),
                "the diagnostics of the final version differ from `dfls check` of {text:?}"
            );
            // Alive: it still answers. Publications for the other files of the item are read before the
            // shutdown, which wants every message consumed.
            random_request(random, &mut server, &uri, &text);
            while server
                .await_message_within(Duration::from_millis(300), |m| {
                    m["method"] == "textDocument/publishDiagnostics"
                })
                .is_some()
            {}
            server.shutdown();
        },
    );
}
