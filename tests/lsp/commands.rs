//! The deploy loop from the editor, through the protocol: `workspace/executeCommand` against a local
//! Fabric served by the test, with the job followed by work-done progress, `dfls/jobStatus` and a final
//! message; code lenses; cancelling a job by cancelling its progress.

use serde_json::{json, Value};

use crate::support::{TestServer, TestServerBuilder};
use dfls::emulator::{Embedded, Options as FabricOptions, DEFAULT_WORKSPACE_ID};

const MASHUP: &str = "Sales Orders.Dataflow/mashup.pq";

fn server_and_fabric() -> (TestServer, Embedded, tempfile::TempDir) {
    let state = tempfile::tempdir().unwrap();
    let options = FabricOptions { job_seconds: 0.3, retry_after: 0, ..FabricOptions::default() };
    let fabric = Embedded::start(state.path(), options).unwrap();
    let toml = format!(
        "default-target = \"test\"\n[targets.test]\napi = \"{}\"\nworkspace = \"{DEFAULT_WORKSPACE_ID}\"\nauth = \"none\"\n",
        fabric.base_url()
    );
    let mut server = TestServerBuilder::new()
        .sales_item()
        .file("dfls.toml", toml)
        .capability("window", json!({"workDoneProgress": true}))
        .start();
    server.open(MASHUP);
    server.diagnostics(MASHUP);
    (server, fabric, state)
}

fn execute(server: &mut TestServer, command: &str, uri: &Value) -> Value {
    server.request_raw("workspace/executeCommand", json!({"command": command, "arguments": [uri]}))
}

/// Consumes the server's messages until `last` matches one; returns them all.
fn messages_until(server: &mut TestServer, last: impl Fn(&Value) -> bool) -> Vec<Value> {
    let mut seen = Vec::new();
    loop {
        let message = server.await_message("a message of the job", |_| true);
        let done = last(&message);
        seen.push(message);
        if done {
            return seen;
        }
    }
}

fn is_final_message(message: &Value) -> bool {
    message["method"] == "window/showMessage"
}

#[test]
fn push_and_refresh_from_the_editor_show_progress_status_and_a_message() {
    let (mut server, _fabric, _state) = server_and_fabric();
    let uri = json!(server.uri(MASHUP));

    let pushed = execute(&mut server, "dfls.push", &uri);
    let message = pushed["result"]["message"].as_str().unwrap_or_else(|| panic!("{pushed}"));
    assert!(message.contains("created `Sales Orders`") && message.contains("target `test`"), "{message}");

    let refreshed = execute(&mut server, "dfls.refresh", &uri);
    let message = refreshed["result"]["message"].as_str().unwrap_or_else(|| panic!("{refreshed}"));
    assert!(message.starts_with("refresh of `Sales Orders` started"), "{message}");

    let seen = messages_until(&mut server, is_final_message);
    let methods: Vec<&str> = seen.iter().filter_map(|m| m["method"].as_str()).collect();
    assert!(methods.contains(&"window/workDoneProgress/create"), "{methods:?}");
    let kinds: Vec<&str> = seen
        .iter()
        .filter(|m| m["method"] == "$/progress")
        .filter_map(|m| m["params"]["value"]["kind"].as_str())
        .collect();
    assert_eq!(kinds.first(), Some(&"begin"), "{seen:#?}");
    assert_eq!(kinds.last(), Some(&"end"), "{seen:#?}");
    let statuses: Vec<&str> = seen
        .iter()
        .filter(|m| m["method"] == "dfls/jobStatus")
        .filter_map(|m| m["params"]["status"].as_str())
        .collect();
    assert_eq!(statuses.last(), Some(&"Completed"), "{seen:#?}");
    let status = seen.iter().find(|m| m["method"] == "dfls/jobStatus").unwrap();
    assert_eq!(status["params"]["item"], "Sales Orders");
    assert_eq!(status["params"]["jobType"], "Execute");
    let last = seen.last().unwrap();
    assert_eq!(last["params"]["type"], 3, "an info message: {last}");
    assert!(last["params"]["message"].as_str().unwrap().contains("Completed"), "{last}");

    // The code lens shows the deploy commands and the last job.
    let lenses = server.request_raw("textDocument/codeLens", json!({"textDocument": {"uri": uri}}));
    let titles: Vec<&str> = lenses["result"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["command"]["title"].as_str().unwrap())
        .collect();
    assert_eq!(titles[..3], ["Push", "Publish", "Refresh"]);
    assert!(titles[3].starts_with("Refresh: Completed"), "{titles:?}");
    let line = lenses["result"][0]["range"]["start"]["line"].as_u64().unwrap();
    let text = std::fs::read_to_string(server.path(MASHUP)).unwrap();
    assert!(text.lines().nth(line as usize).unwrap().starts_with("section "), "on the section line");

    // Status answers and notifies.
    let status = execute(&mut server, "dfls.status", &uri);
    assert!(
        status["result"]["message"].as_str().unwrap().contains("Refresh of `Sales Orders`: Completed"),
        "{status}"
    );
    server.await_message("dfls/jobStatus", |m| m["method"] == "dfls/jobStatus");
}

#[test]
fn cancelling_the_progress_cancels_the_job() {
    let (mut server, fabric, _state) = server_and_fabric();
    let uri = json!(server.uri(MASHUP));
    assert!(execute(&mut server, "dfls.push", &uri)["result"].is_object());
    let emulator = fabric.emulator();
    let mut options = emulator.options();
    options.job_seconds = 60.0;
    emulator.set_options(options);

    let started = execute(&mut server, "dfls.publish", &uri);
    assert!(started["result"]["message"].as_str().unwrap().starts_with("publish of"), "{started}");
    let create = server.await_request("window/workDoneProgress/create");
    let token = create["params"]["token"].clone();
    // The progress shows the time going by while the job's state stays the same.
    let mut reports = Vec::new();
    while reports.len() < 2 {
        let report = server.await_message("a progress report", |m| {
            m["method"] == "$/progress" && m["params"]["value"]["kind"] == "report"
        });
        let message = report["params"]["value"]["message"].as_str().unwrap().to_owned();
        if message.starts_with("InProgress (") && reports.last() != Some(&message) {
            reports.push(message);
        }
    }
    server.notify_raw("window/workDoneProgress/cancel", json!({"token": token}));
    let seen = messages_until(&mut server, is_final_message);
    let last = seen.last().unwrap();
    assert!(last["params"]["message"].as_str().unwrap().contains("Cancelled"), "{seen:#?}");
    assert_eq!(last["params"]["type"], 2, "a warning");
}

#[test]
fn commands_refuse_what_they_cannot_do() {
    let (mut server, _fabric, _state) = server_and_fabric();
    let uri = json!(server.uri(MASHUP));
    // Not pushed yet: nothing to publish.
    let publish = execute(&mut server, "dfls.publish", &uri);
    assert!(
        publish["error"]["message"].as_str().unwrap().contains("no Dataflow named `Sales Orders`"),
        "{publish}"
    );
    let unknown = execute(&mut server, "dfls.deploy", &uri);
    assert_eq!(unknown["error"]["code"], -32602, "{unknown}");
    let missing =
        server.request_raw("workspace/executeCommand", json!({"command": "dfls.push", "arguments": []}));
    assert_eq!(missing["error"]["code"], -32602, "{missing}");

    // A push of an item with errors is refused with the count; nothing is created.
    let broken = std::fs::read_to_string(server.path(MASHUP))
        .unwrap()
        .replace("Table.SelectRows(", "Table.SelectRowz(");
    server.change(MASHUP, 2, None, &broken);
    server.diagnostics(MASHUP);
    // Unsaved, it is not pushed: a push sends the files on disk.
    let unsaved = execute(&mut server, "dfls.push", &uri);
    assert!(
        unsaved["error"]["message"].as_str().unwrap().contains("mashup.pq has unsaved changes"),
        "{unsaved}"
    );
    std::fs::write(server.path(MASHUP), &broken).unwrap();
    let refused = execute(&mut server, "dfls.push", &uri);
    assert!(refused["error"]["message"].as_str().unwrap().contains("error(s)"), "{refused}");
    // The way past it, for an editor's button: the reason without the CLI's flag, and the option.
    let data = &refused["error"]["data"];
    assert_eq!(data["retry"], json!({"title": "Push anyway", "options": {"force": true}}), "{refused}");
    assert!(data["message"].as_str().unwrap().ends_with("it was not pushed"), "{refused}");
    let status = execute(&mut server, "dfls.status", &uri);
    assert!(status["error"]["message"].as_str().unwrap().contains("no Dataflow named"), "{status}");
    let forced = server.request_raw(
        "workspace/executeCommand",
        json!({"command": "dfls.push", "arguments": [uri, {"force": true}]}),
    );
    assert!(forced["result"]["message"].as_str().unwrap().contains("created `Sales Orders`"), "{forced}");
}

#[test]
fn a_refused_pull_offers_to_overwrite_and_does_with_force() {
    let (mut server, _fabric, _state) = server_and_fabric();
    let uri = json!(server.uri(MASHUP));
    assert!(execute(&mut server, "dfls.push", &uri)["result"].is_object());
    // A local change the remote does not have: a pull would overwrite it, so it is refused.
    let path = server.path(MASHUP);
    let pushed = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, format!("{pushed}// a local note\n")).unwrap();
    let refused = execute(&mut server, "dfls.pull", &uri);
    assert!(refused["error"]["message"].as_str().unwrap().contains("dfls pull --force"), "{refused}");
    let data = &refused["error"]["data"];
    assert_eq!(
        data["retry"],
        json!({"title": "Pull and overwrite", "options": {"force": true}}),
        "{refused}"
    );
    assert!(!data["message"].as_str().unwrap().contains("--force"), "{refused}");
    assert!(std::fs::read_to_string(&path).unwrap().ends_with("// a local note\n"));

    let forced = server.request_raw(
        "workspace/executeCommand",
        json!({"command": "dfls.pull", "arguments": [uri, {"force": true}]}),
    );
    assert!(forced["result"]["message"].as_str().unwrap().contains("pulled `Sales Orders`"), "{forced}");
    assert!(!std::fs::read_to_string(&path).unwrap().contains("// a local note"));
}
