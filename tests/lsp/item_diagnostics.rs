//! The diagnostics of every file of an item with an open file, for a client that pulls diagnostics (VS
//! Code): it pulls only the documents it has open, so the server pushes those of the item's closed files
//! (a `queryMetadata.json` missing a query's entry), keeps them up to date when open buffers and files on
//! disk change, clears a file's push when the client opens it (its pull then reports it), and clears them
//! all when the item has no open file any more (through the real binary over pipes); a client that cannot be
//! asked to pull again gets a change on disk pushed by the server's own check.

use serde_json::{json, Value};

use std::time::Duration;

use dfls::lsp::Options;

use crate::support::TestServerBuilder;

const MASHUP: &str = "Sales Orders.Dataflow/mashup.pq";
const METADATA: &str = "Sales Orders.Dataflow/queryMetadata.json";

fn codes(params: &Value) -> Vec<String> {
    let items = params.get("diagnostics").or_else(|| params.get("items")).expect("a list of diagnostics");
    items.as_array().unwrap().iter().map(|d| d["code"].as_str().unwrap().to_owned()).collect()
}

#[test]
fn a_pull_client_gets_the_closed_files_of_an_item_with_an_open_file() {
    let mut server = TestServerBuilder::new()
        .binary(env!("CARGO_BIN_EXE_dfls"))
        .pull_diagnostics()
        .watch_files()
        .sales_item()
        .start();
    let mashup = std::fs::read_to_string(server.path(MASHUP)).unwrap();
    // A query added to mashup.pq without its entry in queryMetadata.json, which stays closed.
    server.open_with(MASHUP, &format!("{mashup}shared Extra = 1;\n"), 1);
    let mashup_uri = json!(server.uri(MASHUP));
    let pull = |server: &mut crate::support::TestServer| {
        let report =
            server.request_raw("textDocument/diagnostic", json!({"textDocument": {"uri": mashup_uri}}));
        assert_eq!(report["result"]["kind"], "full", "{report}");
        codes(&report["result"])
    };
    assert_eq!(pull(&mut server), Vec::<String>::new());
    let metadata = server.diagnostics(METADATA);
    assert_eq!(codes(&metadata), ["D110"], "{metadata:#}");
    assert!(metadata["diagnostics"][0]["message"].as_str().unwrap().contains("Extra"), "{metadata:#}");
    assert_eq!(metadata["version"], Value::Null);

    // Another tool adds the entry on disk: the server asks the client to pull again, and the pull's check
    // clears the closed file.
    let path = server.path(METADATA);
    let fixed = std::fs::read_to_string(&path).unwrap().replace(
        "\"queriesMetadata\": {",
        "\"queriesMetadata\": {\n    \"Extra\": {\"queryId\": \"6f7a8b9c-0d1e-4f2a-8b3c-4d5e6f7a8b90\", \"queryName\": \"Extra\"},",
    );
    std::fs::write(&path, fixed).unwrap();
    let metadata_uri = json!(server.uri(METADATA));
    server.notify_raw(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": metadata_uri, "type": 2}]}),
    );
    server.await_request("workspace/diagnostic/refresh");
    assert_eq!(pull(&mut server), Vec::<String>::new());
    assert_eq!(codes(&server.diagnostics(METADATA)), Vec::<String>::new());

    // An edit of the open buffer adds another query: its missing entry shows on the closed file.
    let lines = mashup.lines().count() as u32 + 1;
    server.change(MASHUP, 2, Some([[lines, 0], [lines, 0]]), "shared Other = 2;\n");
    assert_eq!(pull(&mut server), Vec::<String>::new());
    let metadata = server.diagnostics(METADATA);
    assert_eq!(codes(&metadata), ["D110"], "{metadata:#}");
    assert!(metadata["diagnostics"][0]["message"].as_str().unwrap().contains("Other"), "{metadata:#}");

    // Opened, the file is the client's to pull: its push is cleared at once (never shown twice).
    server.open(METADATA);
    assert_eq!(codes(&server.diagnostics(METADATA)), Vec::<String>::new());
    server.await_request("workspace/diagnostic/refresh");
    let report =
        server.request_raw("textDocument/diagnostic", json!({"textDocument": {"uri": metadata_uri}}));
    assert_eq!(codes(&report["result"]), ["D110"], "{report}");

    // Closed again while mashup.pq stays open: pushed again after the refresh's pull.
    server.notify_raw("textDocument/didClose", json!({"textDocument": {"uri": metadata_uri}}));
    server.await_request("workspace/diagnostic/refresh");
    assert_eq!(pull(&mut server), Vec::<String>::new());
    assert_eq!(codes(&server.diagnostics(METADATA)), ["D110"]);

    // The item's last open file closes: what was pushed for it is cleared.
    server.notify_raw("textDocument/didClose", json!({"textDocument": {"uri": mashup_uri}}));
    assert_eq!(codes(&server.diagnostics(METADATA)), Vec::<String>::new());
    server.shutdown();
}

/// VS Code cancels a pull when it asks again for the same document. The cancelled pull once cancelled the
/// item's own checks with it: every later pull of the item then came back cancelled at once and was tried
/// again, for ever (the server spun, and the item's files never got their problems).
#[test]
fn a_cancelled_pull_leaves_the_next_pulls_of_its_item_answered() {
    let options = Options { check_delay: Duration::from_millis(300), ..Options::default() };
    let mut server = TestServerBuilder::new().options(options).pull_diagnostics().sales_item().start();
    server.open(MASHUP);
    let mashup_uri = json!(server.uri(MASHUP));
    let id = 5_000;
    server.send_raw(json!({"jsonrpc": "2.0", "id": id, "method": "textDocument/diagnostic",
        "params": {"textDocument": {"uri": mashup_uri}}}));
    std::thread::sleep(Duration::from_millis(50));
    server.notify_raw("$/cancelRequest", json!({"id": id}));
    let cancelled = server.await_message("the cancelled pull", |m| m["id"] == id);
    assert_eq!(cancelled["error"]["code"], -32800, "{cancelled}");
    for _ in 0..2 {
        let report =
            server.request_raw("textDocument/diagnostic", json!({"textDocument": {"uri": mashup_uri}}));
        assert_eq!(report["result"]["kind"], "full", "{report}");
    }
    server.open(METADATA);
    let report = server.request_raw(
        "textDocument/diagnostic",
        json!({"textDocument": {"uri": json!(server.uri(METADATA))}}),
    );
    assert_eq!(report["result"]["kind"], "full", "{report}");
    // The opening asked the client to pull the item's other open file again.
    server.await_request("workspace/diagnostic/refresh");
    server.shutdown();
}

#[test]
fn a_pull_client_that_cannot_be_asked_to_pull_again_gets_disk_changes_pushed() {
    let mut server = TestServerBuilder::new()
        .pull_diagnostics()
        .capability("workspace/diagnostics", json!({"refreshSupport": false}))
        .watch_files()
        .sales_item()
        .start();
    let mashup = std::fs::read_to_string(server.path(MASHUP)).unwrap();
    server.open_with(MASHUP, &format!("{mashup}shared Extra = 1;\n"), 1);
    let mashup_uri = json!(server.uri(MASHUP));
    let report = server.request_raw("textDocument/diagnostic", json!({"textDocument": {"uri": mashup_uri}}));
    assert_eq!(codes(&report["result"]), Vec::<String>::new(), "{report}");
    assert_eq!(codes(&server.diagnostics(METADATA)), ["D110"]);

    // The entry added on disk: no refresh to ask for, so the server checks the item itself and pushes the
    // closed file (and nothing for mashup.pq, which the client pulls).
    let path = server.path(METADATA);
    let fixed = std::fs::read_to_string(&path).unwrap().replace(
        "\"queriesMetadata\": {",
        "\"queriesMetadata\": {\n    \"Extra\": {\"queryId\": \"6f7a8b9c-0d1e-4f2a-8b3c-4d5e6f7a8b90\", \"queryName\": \"Extra\"},",
    );
    std::fs::write(&path, fixed).unwrap();
    let metadata_uri = json!(server.uri(METADATA));
    server.notify_raw(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": metadata_uri, "type": 2}]}),
    );
    assert_eq!(codes(&server.diagnostics(METADATA)), Vec::<String>::new());
    server.assert_quiet(std::time::Duration::from_millis(300));
    server.shutdown();
}

/// The schedule rules `dfls check` applies to `.schedules` show in the editor too (item checks are shared):
/// an IANA name where Fabric takes a Windows time-zone id is a `D125` on the open part.
#[test]
fn an_open_schedules_part_gets_the_schedule_rules() {
    const SCHEDULES: &str = "Sales Orders.Dataflow/.schedules";
    let text = r#"{
  "$schema": "https://developer.microsoft.com/json-schemas/fabric/gitIntegration/schedules/1.0.0/schema.json",
  "schedules": [{"enabled": true, "jobType": "Execute", "configuration": {"type": "Daily", "times": ["08:00"],
    "startDateTime": "2026-01-01T00:00:00Z", "endDateTime": "2027-01-01T00:00:00Z", "localTimeZoneId": "America/Chicago"}}]
}
"#;
    let mut server = TestServerBuilder::new()
        .binary(env!("CARGO_BIN_EXE_dfls"))
        .sales_item()
        .file(SCHEDULES, text)
        .start();
    server.open_with(SCHEDULES, text, 1);
    let pushed = server.diagnostics(SCHEDULES);
    assert_eq!(codes(&pushed), ["D125"], "{pushed:#}");
    assert!(
        pushed["diagnostics"][0]["message"].as_str().unwrap().contains("Central Standard Time"),
        "{pushed:#}"
    );
}

/// VS Code's client files pushed diagnostics under its own name and pulled ones under the server's
/// identifier; were they the same owner, the clearing of a closed file's push when the file opens would
/// wipe the problems its pull reported whenever the two messages crossed (the server cannot order a
/// notification before a response: the transport merges them). The identifier must differ from the name
/// the extension gives its client (and from the name the push collection would take instead).
#[test]
fn pulled_diagnostics_are_filed_apart_from_pushed_ones_in_vs_code() {
    let server = TestServerBuilder::new().pull_diagnostics().start();
    let identifier = server.initialize_result["capabilities"]["diagnosticProvider"]["identifier"].clone();
    let identifier = identifier.as_str().expect("an identifier for pulled diagnostics").to_owned();
    let extension =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/editors/vscode/src/extension.ts"))
            .unwrap();
    let (_, after) = extension.split_once("new LanguageClient(\"").expect("the extension creates its client");
    let client_id = after.split('"').next().unwrap();
    assert!(
        !extension.contains("diagnosticCollectionName"),
        "the push collection is named after the client id"
    );
    assert_ne!(identifier, client_id, "pushed and pulled diagnostics would share one owner in VS Code");
}
