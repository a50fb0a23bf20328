//! `dfls.list`, `dfls.parameters`, `dfls.schedule` and the "Next refresh" code lens, through the protocol
//! against the real `dfls lsp` binary and a local Fabric served by the test: each answer is what the command
//! line prints with `--output json` (the command line runs in the same folder and is compared), errors are the
//! command line's sentences with Fabric's error code, and the lens answers at once from its cache, fetching
//! the schedules in the background and asking the editor to refresh when they land.

use std::net::TcpListener;
use std::process::Command;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::support::{TestServer, TestServerBuilder};
use dfls::emulator::{Embedded, Options as FabricOptions, DEFAULT_WORKSPACE_ID};

const MASHUP: &str = "Sales Orders.Dataflow/mashup.pq";

fn toml(api: &str) -> String {
    format!(
        "default-target = \"test\"\n[targets.test]\napi = \"{api}\"\nworkspace = \"{DEFAULT_WORKSPACE_ID}\"\nauth = \"none\"\n"
    )
}

/// `dfls lsp` (the binary) on a copy of the example item, its target the local Fabric `api`; the client
/// takes `workspace/codeLens/refresh`.
fn server_on(api: &str) -> TestServer {
    let mut server = TestServerBuilder::new()
        .binary(env!("CARGO_BIN_EXE_dfls"))
        .sales_item()
        .file("dfls.toml", toml(api))
        .capability("workspace/codeLens", json!({"refreshSupport": true}))
        .start();
    server.open(MASHUP);
    server
}

fn fabric() -> (Embedded, tempfile::TempDir) {
    let state = tempfile::tempdir().unwrap();
    let options = FabricOptions { job_seconds: 0.3, retry_after: 0, ..FabricOptions::default() };
    (Embedded::start(state.path(), options).unwrap(), state)
}

fn execute(server: &mut TestServer, command: &str, options: Value) -> Value {
    let uri = json!(server.uri(MASHUP));
    server.request_raw("workspace/executeCommand", json!({"command": command, "arguments": [uri, options]}))
}

fn result(answer: &Value) -> Value {
    assert!(answer["error"].is_null(), "{answer}");
    answer["result"].clone()
}

fn error(answer: &Value) -> String {
    answer["error"]["message"].as_str().unwrap_or_else(|| panic!("not an error: {answer}")).to_owned()
}

/// What `dfls ARGS --output json` prints in the server's folder.
fn cli_json(server: &TestServer, args: &[&str]) -> Value {
    let output = Command::new(env!("CARGO_BIN_EXE_dfls"))
        .args(args)
        .args(["--output", "json"])
        .current_dir(server.path(""))
        .output()
        .unwrap();
    assert!(output.status.success(), "dfls {args:?}: {}", String::from_utf8_lossy(&output.stderr));
    serde_json::from_slice(&output.stdout).unwrap()
}

/// The answer without what only the editor gets (`message`, `target`, `written`, `summaries`, `nextRuns`).
fn without_editor_fields(mut answer: Value) -> Value {
    for key in ["message", "target", "written", "summaries", "nextRuns"] {
        answer.as_object_mut().unwrap().remove(key);
    }
    answer
}

fn lens_titles(server: &mut TestServer) -> Vec<String> {
    let uri = json!(server.uri(MASHUP));
    let lenses = server.request_raw("textDocument/codeLens", json!({"textDocument": {"uri": uri}}));
    lenses["result"]
        .as_array()
        .unwrap_or_else(|| panic!("{lenses}"))
        .iter()
        .map(|lens| lens["command"]["title"].as_str().unwrap().to_owned())
        .collect()
}

/// Consumes what the server sends on its own (diagnostics, lens refreshes) until it is quiet, then shuts it
/// down (which wants every message consumed).
fn finish(mut server: TestServer) {
    let unasked = |m: &Value| {
        m["method"] == "textDocument/publishDiagnostics" || m["method"] == "workspace/codeLens/refresh"
    };
    while server.await_message_within(Duration::from_millis(300), unasked).is_some() {}
    server.shutdown();
}

fn schedule_lens(titles: &[String]) -> Option<&String> {
    titles.iter().find(|t| t.starts_with("Next refresh") || t.starts_with("No refresh"))
}

#[test]
fn the_commands_are_advertised() {
    let (fabric, _state) = fabric();
    let server = server_on(&fabric.base_url());
    let commands = &server.initialize_result["capabilities"]["executeCommandProvider"]["commands"];
    for command in ["dfls.list", "dfls.parameters", "dfls.schedule"] {
        assert!(commands.as_array().unwrap().contains(&json!(command)), "{command}: {commands}");
    }
}

#[test]
fn list_and_parameters_answer_what_the_command_line_prints() {
    let (fabric, _state) = fabric();
    let mut server = server_on(&fabric.base_url());
    assert!(result(&execute(&mut server, "dfls.push", json!({})))["message"].is_string());

    let listed = result(&execute(&mut server, "dfls.list", json!({})));
    assert_eq!(listed["target"], "test");
    let dataflow = listed["dataflows"][0].clone();
    assert_eq!(dataflow["displayName"], "Sales Orders", "{listed}");
    let folder = dataflow["localFolder"].as_str().unwrap();
    assert!(folder.ends_with("Sales Orders.Dataflow"), "the local folder: {folder}");
    assert!(listed["message"].as_str().unwrap().starts_with("Sales Orders  ("), "{listed}");
    let mut cli = cli_json(&server, &["ls"]);
    // The command line shows the folder relative to where it runs; the editor gets it whole.
    cli["dataflows"][0]["localFolder"] = json!(folder);
    assert_eq!(without_editor_fields(listed), cli);

    let parameters = result(&execute(&mut server, "dfls.parameters", json!({})));
    let names: Vec<&str> =
        parameters["parameters"].as_array().unwrap().iter().map(|p| p["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["StartDate", "Region"], "{parameters}");
    assert!(
        parameters["message"].as_str().unwrap().contains("Region: String, optional, default \"EMEA\""),
        "{parameters}"
    );
    assert_eq!(without_editor_fields(parameters), cli_json(&server, &["parameters", "Sales Orders"]));

    // A Dataflow named by `item` instead of the file's: the same answer.
    let by_name = result(&execute(&mut server, "dfls.parameters", json!({"item": "Sales Orders"})));
    assert_eq!(by_name["id"], dataflow["id"]);
    finish(server);
}

#[test]
fn schedules_are_added_listed_disabled_and_removed_from_the_editor() {
    let (fabric, _state) = fabric();
    let mut server = server_on(&fabric.base_url());
    result(&execute(&mut server, "dfls.push", json!({})));

    let empty = result(&execute(&mut server, "dfls.schedule", json!({"action": "list"})));
    assert_eq!(empty["schedules"], json!([]));
    assert_eq!(empty["message"], "`Sales Orders` has no Execute schedule");

    let added = result(&execute(
        &mut server,
        "dfls.schedule",
        json!({"action": "add", "daily": "17:30,8:00", "timeZone": "Europe/Paris"}),
    ));
    let schedule = &added["schedule"];
    assert_eq!(schedule["configuration"]["times"], json!(["08:00", "17:30"]), "{added}");
    assert_eq!(schedule["configuration"]["localTimeZoneId"], "Romance Standard Time");
    let id = schedule["id"].as_str().unwrap().to_owned();
    assert!(added["message"].as_str().unwrap().contains("daily at 08:00, 17:30 (Romance Standard Time)"));

    let listed = result(&execute(&mut server, "dfls.schedule", json!({})));
    assert_eq!(listed["schedules"][0]["id"], json!(id));
    assert_eq!(listed["summaries"], json!(["daily at 08:00, 17:30 (Romance Standard Time)"]));
    let next = listed["nextRuns"][0].as_str().unwrap_or_else(|| panic!("{listed}"));
    assert!(next.ends_with(":30:00Z") || next.ends_with(":00:00Z"), "{next}");
    assert_eq!(without_editor_fields(listed), cli_json(&server, &["schedule", "list", "Sales Orders"]));

    let disabled = result(&execute(&mut server, "dfls.schedule", json!({"action": "disable", "id": id})));
    assert_eq!(disabled["schedule"]["enabled"], false, "{disabled}");
    let listed = result(&execute(&mut server, "dfls.schedule", json!({})));
    assert_eq!(listed["nextRuns"], json!([null]), "a disabled schedule does not run");
    let cli = cli_json(&server, &["schedule", "list", "Sales Orders"]);
    assert_eq!(cli["schedules"][0]["enabled"], false, "the command line sees the editor's change");

    let set = result(&execute(
        &mut server,
        "dfls.schedule",
        json!({"action": "set", "id": id, "weekly": "fri,mon", "at": "09:00", "job": "refresh"}),
    ));
    assert_eq!(set["schedule"]["configuration"]["weekdays"], json!(["Monday", "Friday"]), "{set}");

    let written = result(&execute(&mut server, "dfls.schedule", json!({"action": "list", "toFolder": true})));
    let part = std::fs::read_to_string(server.path("Sales Orders.Dataflow/.schedules")).unwrap();
    assert!(
        written["written"].as_str().unwrap().ends_with(".schedules") && part.contains("Weekly"),
        "{part}"
    );

    let removed = result(&execute(&mut server, "dfls.schedule", json!({"action": "remove", "id": id})));
    assert_eq!(removed["removed"], json!(id));
    assert_eq!(result(&execute(&mut server, "dfls.schedule", json!({})))["schedules"], json!([]));
    finish(server);
}

#[test]
fn errors_are_the_command_lines_sentences_with_fabrics_codes() {
    let (fabric, _state) = fabric();
    let mut server = server_on(&fabric.base_url());
    // Not pushed: the file's item is not on the target.
    let missing = error(&execute(&mut server, "dfls.parameters", json!({})));
    assert!(missing.contains("there is no Dataflow named `Sales Orders`"), "{missing}");
    result(&execute(&mut server, "dfls.push", json!({})));
    let near = error(&execute(&mut server, "dfls.schedule", json!({"item": "Sales Order"})));
    assert!(near.contains("did you mean `Sales Orders`?"), "{near}");

    // Fabric's 404, with its error code.
    let unknown = error(&execute(
        &mut server,
        "dfls.schedule",
        json!({"action": "set", "id": "0ca1fab0-0000-4000-8000-00000000dead", "every": 60}),
    ));
    assert!(unknown.contains("ScheduleNotFound"), "{unknown}");
    // Refused before any call, in the command line's words.
    let zone = error(&execute(
        &mut server,
        "dfls.schedule",
        json!({"action": "add", "daily": "08:00", "timeZone": "Mars/Olympus"}),
    ));
    assert!(zone.contains("`Mars/Olympus` is not a time zone"), "{zone}");
    let both =
        error(&execute(&mut server, "dfls.schedule", json!({"action": "add", "every": 5, "daily": "08:00"})));
    assert!(both.contains("--every and --daily cannot go together"), "{both}");
    let action = error(&execute(&mut server, "dfls.schedule", json!({"action": "pause", "id": "x"})));
    assert!(action.contains("not a schedule action"), "{action}");
    // An id that is not a GUID is never sent as a path of the API.
    let not_an_id =
        error(&execute(&mut server, "dfls.schedule", json!({"action": "enable", "id": "../nope"})));
    assert!(not_an_id.contains("is not a schedule id"), "{not_an_id}");
    let not_enabled = error(&execute(
        &mut server,
        "dfls.schedule",
        json!({"action": "enable", "id": "0ca1fab0-0000-4000-8000-00000000dead"}),
    ));
    assert!(not_enabled.contains("ScheduleNotFound"), "{not_enabled}");
    finish(server);
}

#[test]
fn without_a_file_the_workspace_folder_and_a_name_do_and_the_answer_is_shown() {
    let (fabric, _state) = fabric();
    let mut server = server_on(&fabric.base_url());
    result(&execute(&mut server, "dfls.push", json!({})));
    // What Helix's `:lsp-workspace-command dfls.list` sends: no argument; the answer is also a message.
    let listed =
        server.request_raw("workspace/executeCommand", json!({"command": "dfls.list", "arguments": []}));
    assert_eq!(result(&listed)["dataflows"][0]["displayName"], "Sales Orders");
    let shown = server.await_message("the answer as a message", |m| m["method"] == "window/showMessage");
    assert_eq!(shown["params"]["message"], "dfls: Sales Orders  (no job yet)", "{shown}");
    let named = server.request_raw(
        "workspace/executeCommand",
        json!({"command": "dfls.schedule", "arguments": [{"item": "Sales Orders", "show": true}]}),
    );
    assert_eq!(result(&named)["displayName"], "Sales Orders");
    let shown = server.await_message("the answer as a message", |m| m["method"] == "window/showMessage");
    assert_eq!(shown["params"]["message"], "dfls: `Sales Orders` has no Execute schedule", "{shown}");
    let unnamed = server
        .request_raw("workspace/executeCommand", json!({"command": "dfls.parameters", "arguments": []}));
    assert!(error(&unnamed).contains(r#"or the Dataflow's name: {"item": NAME}"#), "{unnamed}");
    let shown = server.await_message("the refusal as a message", |m| m["method"] == "window/showMessage");
    assert_eq!(shown["params"]["type"], 1, "an error: {shown}");
    // The deploy commands still need the file.
    let push =
        server.request_raw("workspace/executeCommand", json!({"command": "dfls.push", "arguments": []}));
    assert_eq!(push["error"]["code"], -32602, "{push}");
    finish(server);
}

#[test]
fn an_empty_local_fabric_is_listed_without_being_created() {
    let mut server = TestServerBuilder::new()
        .binary(env!("CARGO_BIN_EXE_dfls"))
        .sales_item()
        .file(".git/HEAD", "ref: refs/heads/main\n")
        .start();
    server.open(MASHUP);
    let listed = result(&execute(&mut server, "dfls.list", json!({})));
    assert_eq!(listed["dataflows"], json!([]), "{listed}");
    assert_eq!(listed["target"], "local");
    let parameters = error(&execute(&mut server, "dfls.parameters", json!({})));
    assert!(parameters.contains("nothing was pushed to the local Fabric here yet"), "{parameters}");
    // The lens does not create it either.
    let titles = lens_titles(&mut server);
    assert!(schedule_lens(&titles).is_none(), "{titles:?}");
    std::thread::sleep(Duration::from_millis(300));
    assert!(!server.path(".dfls").exists(), "a look created the local Fabric");
    finish(server);
}

#[test]
fn the_next_refresh_lens_answers_at_once_then_refreshes_when_the_schedules_land() {
    // A target that takes connections and never answers: the lens must not wait for it.
    let silent = TcpListener::bind("127.0.0.1:0").unwrap();
    let mut server = server_on(&format!("http://{}", silent.local_addr().unwrap()));
    let asked = Instant::now();
    let titles = lens_titles(&mut server);
    assert!(
        asked.elapsed() < Duration::from_secs(2),
        "the lens waited {:?} for the network",
        asked.elapsed()
    );
    assert_eq!(titles[..3], ["Push", "Publish", "Refresh"]);
    assert!(schedule_lens(&titles).is_none(), "nothing is known yet: {titles:?}");
    finish(server);
    drop(silent);

    let (fabric, _state) = fabric();
    let mut server = server_on(&fabric.base_url());
    result(&execute(&mut server, "dfls.push", json!({})));
    let titles = lens_titles(&mut server);
    assert!(schedule_lens(&titles).is_none(), "not fetched yet: {titles:?}");
    server.await_request("workspace/codeLens/refresh");
    let titles = lens_titles(&mut server);
    assert_eq!(schedule_lens(&titles).map(String::as_str), Some("No refresh scheduled"), "{titles:?}");

    // A schedule added from the editor: the lens is fetched again and refreshed.
    result(&execute(&mut server, "dfls.schedule", json!({"action": "add", "every": 60})));
    server.await_request("workspace/codeLens/refresh");
    let uri = json!(server.uri(MASHUP));
    let lenses = server.request_raw("textDocument/codeLens", json!({"textDocument": {"uri": uri}}));
    server.await_request("workspace/codeLens/refresh");
    let titles = lens_titles(&mut server);
    let title = schedule_lens(&titles).unwrap_or_else(|| panic!("{titles:?}"));
    assert!(title.starts_with("Next refresh "), "an hourly schedule has a next run: {title} ({lenses})");
    // Clicking it lists the schedules.
    let lenses = server.request_raw("textDocument/codeLens", json!({"textDocument": {"uri": uri}}));
    let lens =
        lenses["result"].as_array().unwrap().iter().find(|l| l["command"]["title"] == json!(title)).unwrap();
    assert_eq!(lens["command"]["command"], "dfls.schedule");
    let listed = server.request_raw(
        "workspace/executeCommand",
        json!({"command": "dfls.schedule", "arguments": lens["command"]["arguments"]}),
    );
    assert_eq!(result(&listed)["schedules"][0]["configuration"]["interval"], 60);
    finish(server);
}
