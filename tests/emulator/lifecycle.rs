//! The deploy loop over HTTP: create with definition, get and update the definition byte-exactly, publish,
//! refresh and watch to Completed, cancel a long job, paginate, delete; and the publishing rules.

use dfls::emulator::{Options, DEFAULT_WORKSPACE_ID as WS};
use serde_json::{json, Value};

use crate::support::{broken, definition, parts_of, sales_orders, Fabric};

#[test]
fn the_whole_loop_over_http() {
    let fabric = Fabric::start();
    let id = fabric.create_dataflow("Sales Orders", Some(sales_orders()));

    // The definition comes back byte-exactly, with a .platform.
    let reply =
        fabric.post(&format!("/workspaces/{WS}/dataflows/{id}/getDefinition"), &json!({})).expect(200);
    let parts = parts_of(&reply.body);
    let files = crate::support::example("Sales Orders.Dataflow");
    for (path, bytes) in &files {
        assert_eq!(parts.get(path), Some(bytes), "{path}");
    }
    let platform: Value = serde_json::from_slice(&parts[".platform"]).unwrap();
    assert_eq!(platform["metadata"]["displayName"], "Sales Orders");
    assert_eq!(platform["metadata"]["type"], "Dataflow");
    assert_eq!(platform["config"]["version"], "2.0");

    // Update: byte-exact again, with CRLF line ends and a BOM.
    let original = &files.iter().find(|(p, _)| p == "mashup.pq").unwrap().1;
    let mashup =
        format!("\u{feff}{}", String::from_utf8_lossy(original).replace("\r\n", "\n").replace('\n', "\r\n"));
    let metadata = &files.iter().find(|(p, _)| p == "queryMetadata.json").unwrap().1;
    let update = json!({ "definition": definition(&[("queryMetadata.json", metadata), ("mashup.pq", mashup.as_bytes())]) });
    fabric.post(&format!("/workspaces/{WS}/dataflows/{id}/updateDefinition"), &update).expect(200);
    let parts = parts_of(
        &fabric.post(&format!("/workspaces/{WS}/items/{id}/getDefinition"), &json!({})).expect(200).body,
    );
    assert_eq!(parts["mashup.pq"], mashup.as_bytes());

    // Publish, then refresh without publishing, watch both to Completed.
    let publish = fabric.run(&id, "ApplyChanges", None);
    let done = fabric.wait(&id, &publish);
    assert_eq!(done["status"], "Completed", "{done}");
    assert_eq!(done["jobType"], "ApplyChanges");
    assert_eq!(done["failureReason"], Value::Null);
    let refresh =
        fabric.run(&id, "execute", Some(&json!({"executionData": {"executeOption": "SkipApplyChanges"}})));
    let done = fabric.wait(&id, &refresh);
    assert_eq!(done["status"], "Completed", "{done}");
    assert_eq!(done["jobType"], "Execute");
    assert_eq!(done["invokeType"], "Manual");
    for key in ["startTimeUtc", "endTimeUtc"] {
        let time = done[key].as_str().unwrap();
        assert_eq!(time.len(), 27, "{time}: seven fractional digits, no zone");
        assert!(!time.ends_with('Z'));
    }

    // Cancel a long job; then cancelling again is JobAlreadyCompleted.
    fabric.admin(&json!({"jobSeconds": 600}));
    let long = fabric.run(&id, "Refresh", None);
    let state = fabric.job(&id, &long);
    assert!(matches!(state["status"].as_str(), Some("NotStarted" | "InProgress")), "{state}");
    let cancel = format!("/workspaces/{WS}/items/{id}/jobs/instances/{long}/cancel");
    let reply = fabric.post(&cancel, &json!({})).expect(202);
    assert!(reply.header("location").unwrap().ends_with(&format!("/jobs/instances/{long}")));
    assert!(reply.header("retry-after").is_some());
    assert_eq!(fabric.job(&id, &long)["status"], "Cancelled");
    fabric.post(&cancel, &json!({})).expect_error(400, "JobAlreadyCompleted");
    fabric
        .post(&format!("/workspaces/{WS}/items/{id}/jobs/instances/{publish}/cancel"), &json!({}))
        .expect_error(400, "JobAlreadyCompleted");

    // The job list, newest first, in pages of 2.
    fabric.admin(&json!({"pageSize": 2}));
    let mut seen = Vec::new();
    let mut next = Some(format!("/workspaces/{WS}/items/{id}/jobs/instances"));
    while let Some(url) = next {
        let page = fabric.get(&url).expect(200).body;
        assert!(page["value"].as_array().unwrap().len() <= 2);
        seen.extend(page["value"].as_array().unwrap().iter().map(|j| j["id"].as_str().unwrap().to_string()));
        next = page["continuationUri"].as_str().map(str::to_string);
        if next.is_some() {
            assert!(page["continuationToken"].is_string());
        }
    }
    assert_eq!(seen, [long.clone(), refresh.clone(), publish.clone()]);

    // Delete: gone from get and list.
    fabric.call("DELETE", &format!("/workspaces/{WS}/dataflows/{id}"), None).expect(200);
    fabric.get(&format!("/workspaces/{WS}/dataflows/{id}")).expect_error(404, "ItemNotFound");
    let list = fabric.get(&format!("/workspaces/{WS}/items")).expect(200).body;
    assert_eq!(list["value"], json!([]));
}

#[test]
fn items_list_filters_by_type_and_pages_with_tokens() {
    let fabric = Fabric::with(Options { page_size: 3, job_seconds: 0.0, ..Options::default() });
    for i in 0..7 {
        fabric.create_dataflow(&format!("Flow {i}"), None);
    }
    fabric
        .post(&format!("/workspaces/{WS}/items"), &json!({"displayName": "Lake", "type": "Lakehouse"}))
        .expect(201);
    let mut names = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let url = match &token {
            None => format!("/workspaces/{WS}/items?type=Dataflow"),
            Some(token) => {
                format!("/workspaces/{WS}/items?type=Dataflow&continuationToken={}", urlencode(token))
            }
        };
        let page = fabric.get(&url).expect(200).body;
        names.extend(
            page["value"].as_array().unwrap().iter().map(|i| i["displayName"].as_str().unwrap().to_string()),
        );
        match page["continuationToken"].as_str() {
            Some(next) => {
                assert!(page["continuationUri"].as_str().unwrap().contains("type=Dataflow"));
                token = Some(next.to_string());
            }
            None => {
                assert!(page.get("continuationUri").is_none());
                break;
            }
        }
    }
    assert_eq!(names, (0..7).map(|i| format!("Flow {i}")).collect::<Vec<_>>());
    let all = fabric.get(&format!("/workspaces/{WS}/dataflows")).expect(200).body;
    assert_eq!(all["value"].as_array().unwrap().len(), 3);
    fabric.get(&format!("/workspaces/{WS}/items?type=Nonsense")).expect_error(400, "InvalidItemType");
    fabric
        .get(&format!("/workspaces/{WS}/items?continuationToken=garbage"))
        .expect_error(400, "InvalidContinuationToken");
}

fn urlencode(text: &str) -> String {
    text.bytes()
        .map(|b| if b.is_ascii_alphanumeric() { (b as char).to_string() } else { format!("%{b:02X}") })
        .collect()
}

#[test]
fn publishing_rules() {
    let fabric = Fabric::start();
    // Never published: SkipApplyChanges fails with DataflowNeverPublishedError.
    let id = fabric.create_dataflow("Rules", Some(sales_orders()));
    let skip = json!({"executionData": {"executeOption": "SkipApplyChanges"}});
    let job = fabric.run(&id, "Execute", Some(&skip));
    let state = fabric.wait(&id, &job);
    assert_eq!(state["status"], "Failed");
    assert_eq!(state["failureReason"]["errorCode"], "DataflowNeverPublishedError");

    // ApplyChangesIfNeeded (the default) publishes first; then SkipApplyChanges works.
    let job = fabric.run(&id, "Execute", None);
    assert_eq!(fabric.wait(&id, &job)["status"], "Completed");
    let job = fabric.run(&id, "Execute", Some(&skip));
    assert_eq!(fabric.wait(&id, &job)["status"], "Completed");

    // A broken definition: ApplyChanges fails with dfls's diagnostics; Execute that must publish fails too;
    // SkipApplyChanges still runs the last published version.
    fabric
        .post(&format!("/workspaces/{WS}/dataflows/{id}/updateDefinition"), &json!({"definition": broken()}))
        .expect(200);
    let job = fabric.run(&id, "applyChanges", None);
    let state = fabric.wait(&id, &job);
    assert_eq!(state["status"], "Failed");
    let reason = &state["failureReason"];
    assert_eq!(reason["errorCode"], "DataflowApplyChangesFailed");
    let message = reason["message"].as_str().unwrap();
    assert!(message.contains("Rules.Dataflow/mashup.pq:2:"), "{message}");
    assert!(message.contains("M1"), "{message}");
    assert!(dfls::definition::guid::is_guid(reason["requestId"].as_str().unwrap()));
    let job = fabric.run(&id, "Execute", None);
    assert_eq!(fabric.wait(&id, &job)["failureReason"]["errorCode"], "DataflowApplyChangesFailed");
    let job = fabric.run(&id, "Execute", Some(&skip));
    assert_eq!(fabric.wait(&id, &job)["status"], "Completed");

    // Legacy names and the query-parameter form.
    let reply = fabric
        .call("POST", &format!("/workspaces/{WS}/dataflows/{id}/jobs/instances?jobType=Publish"), None)
        .expect(202);
    assert_eq!(fabric.wait(&id, &reply.location_id())["jobType"], "ApplyChanges");
    fabric
        .call("POST", &format!("/workspaces/{WS}/items/{id}/jobs/Backup/instances"), None)
        .expect_error(400, "InvalidJobType");
}

#[test]
fn identical_executes_are_deduped_while_one_runs() {
    let fabric = Fabric::with(Options { job_seconds: 600.0, retry_after: 0, ..Options::default() });
    let id = fabric.create_dataflow("Dedupe", Some(sales_orders()));
    let body = json!({"executionData": {"parameters": [{"parameterName": "OrderKey", "type": "Automatic", "value": 25}]}});
    let first = fabric.run(&id, "Execute", Some(&body));
    let second = fabric.run(&id, "Execute", Some(&body));
    assert_eq!(fabric.job(&id, &second)["status"], "Deduped");
    let other = json!({"executionData": {"parameters": [{"parameterName": "OrderKey", "type": "Automatic", "value": 26}]}});
    let third = fabric.run(&id, "Execute", Some(&other));
    assert_ne!(fabric.job(&id, &third)["status"], "Deduped");
    fabric
        .post(&format!("/workspaces/{WS}/items/{id}/jobs/instances/{first}/cancel"), &json!({}))
        .expect(202);
    let fourth = fabric.run(&id, "Execute", Some(&body));
    assert_ne!(fabric.job(&id, &fourth)["status"], "Deduped");
}

#[test]
fn semantics_of_items_and_definitions() {
    let fabric = Fabric::start();
    let id = fabric.create_dataflow("Named", Some(sales_orders()));
    // Names are unique per type, without case; other types may share them.
    fabric
        .post(&format!("/workspaces/{WS}/dataflows"), &json!({"displayName": "NAMED"}))
        .expect_error(400, "ItemDisplayNameAlreadyInUse");
    fabric
        .post(&format!("/workspaces/{WS}/items"), &json!({"displayName": "Named", "type": "Notebook"}))
        .expect(201);
    // Bad definitions are clear 400s.
    let corrupt = json!({"displayName": "Bad", "definition": {"parts": [{"path": "mashup.pq", "payload": "!!!", "payloadType": "InlineBase64"}]}});
    fabric.post(&format!("/workspaces/{WS}/dataflows"), &corrupt).expect_error(400, "CorruptedPayload");
    let only_mashup =
        json!({"displayName": "Bad", "definition": definition(&[("mashup.pq", b"section S;")])});
    let reply = fabric
        .post(&format!("/workspaces/{WS}/dataflows"), &only_mashup)
        .expect_error(400, "InvalidDefinitionParts");
    assert!(reply.text.contains("queryMetadata.json"));
    let inline = json!({"displayName": "Bad", "definition": {"parts": [{"path": "mashup.pq", "payload": "", "payloadType": "Inline"}]}});
    fabric.post(&format!("/workspaces/{WS}/dataflows"), &inline).expect_error(400, "CorruptedPayload");
    fabric.post(&format!("/workspaces/{WS}/dataflows"), &json!({})).expect_error(400, "InvalidRequest");
    let files = crate::support::example("Sales Orders.Dataflow");
    let mut parts: Vec<(&str, &[u8])> =
        files.iter().filter(|(p, _)| p != ".platform").map(|(p, b)| (p.as_str(), b.as_slice())).collect();
    let notebook = br#"{"metadata": {"type": "Notebook", "displayName": "X"}, "config": {"version": "2.0", "logicalId": "f58d2f83-a300-b135-4788-059683cd571c"}}"#;
    parts.push((".platform", notebook));
    let body = json!({"displayName": "Typed", "definition": definition(&parts)});
    fabric.post(&format!("/workspaces/{WS}/dataflows"), &body).expect_error(400, "InvalidPlatformFile");
    let not_json = json!({"displayName": "Typed", "definition": definition(&[("queryMetadata.json", b"{"), ("mashup.pq", b"section S;")])});
    fabric.post(&format!("/workspaces/{WS}/dataflows"), &not_json).expect_error(400, "CorruptedPayload");

    // .platform applies only with updateMetadata=true.
    let files = crate::support::example("Sales Orders.Dataflow");
    let mut parts: Vec<(&str, &[u8])> =
        files.iter().filter(|(p, _)| p != ".platform").map(|(p, b)| (p.as_str(), b.as_slice())).collect();
    let platform = br#"{"$schema": "x", "metadata": {"type": "Dataflow", "displayName": "Renamed", "description": "From .platform"}, "config": {"version": "2.0", "logicalId": "f58d2f83-a300-b135-4788-059683cd571c"}}"#;
    parts.push((".platform", platform));
    let body = json!({ "definition": definition(&parts) });
    fabric.post(&format!("/workspaces/{WS}/dataflows/{id}/updateDefinition"), &body).expect(200);
    assert_eq!(
        fabric.get(&format!("/workspaces/{WS}/dataflows/{id}")).expect(200).body["displayName"],
        "Named"
    );
    fabric
        .post(&format!("/workspaces/{WS}/dataflows/{id}/updateDefinition?updateMetadata=True"), &body)
        .expect(200);
    let item = fabric.get(&format!("/workspaces/{WS}/dataflows/{id}")).expect(200).body;
    assert_eq!(item["displayName"], "Renamed");
    assert_eq!(item["description"], "From .platform");
    let parts = parts_of(
        &fabric.post(&format!("/workspaces/{WS}/dataflows/{id}/getDefinition"), &json!({})).expect(200).body,
    );
    assert_eq!(parts[".platform"], platform, "the stored .platform comes back byte-exactly");
    // After a PATCH the .platform follows the item.
    fabric
        .call("PATCH", &format!("/workspaces/{WS}/dataflows/{id}"), Some(&json!({"displayName": "Patched"})))
        .expect(200);
    let parts = parts_of(
        &fabric.post(&format!("/workspaces/{WS}/dataflows/{id}/getDefinition"), &json!({})).expect(200).body,
    );
    let platform: Value = serde_json::from_slice(&parts[".platform"]).unwrap();
    assert_eq!(platform["metadata"]["displayName"], "Patched");
    assert_eq!(platform["config"]["logicalId"], "f58d2f83-a300-b135-4788-059683cd571c");

    // Path segments without case; executeQuery refuses clearly; unknown ids are ItemNotFound.
    fabric.get(&format!("/Workspaces/{WS}/DataFlows/{}", id.to_uppercase())).expect(200);
    let reply = fabric
        .post(&format!("/workspaces/{WS}/dataflows/{id}/executeQuery"), &json!({"queryName": "Orders"}))
        .expect_error(400, "DataflowExecuteQueryError");
    assert!(reply.text.contains("cannot evaluate M"));
    fabric
        .get(&format!("/workspaces/{WS}/items/00000000-0000-4000-8000-000000000000"))
        .expect_error(404, "ItemNotFound");
    fabric
        .get("/workspaces/00000000-0000-4000-8000-000000000000/items")
        .expect_error(404, "WorkspaceNotFound");
    fabric.get("/nothing/here").expect_error(404, "EntityNotFound");
}

#[test]
fn long_running_operations_when_always() {
    // Operations take 1.5 s: long enough to be seen running on a slow machine, short enough to wait for.
    let fabric = Fabric::with(Options {
        lro: dfls::emulator::LroMode::Always,
        operation_seconds: 1.5,
        retry_after: 0,
        ..Options::default()
    });
    let reply = fabric
        .post(
            &format!("/workspaces/{WS}/dataflows"),
            &json!({"displayName": "Slow", "definition": sales_orders()}),
        )
        .expect(202);
    assert!(reply.text.is_empty());
    let operation = reply.header("x-ms-operation-id").unwrap().to_string();
    assert_eq!(reply.header("location").unwrap(), format!("{}/operations/{operation}", fabric.base));
    assert_eq!(reply.header("retry-after"), Some("0"));
    let state = fabric.get(reply.header("location").unwrap()).expect(200);
    assert_eq!(state.body["status"], "Running");
    assert!(state.body["createdTimeUtc"].as_str().unwrap().ends_with('Z'));
    fabric.get(&format!("/operations/{operation}/result")).expect_error(400, "OperationNotCompleted");
    std::thread::sleep(std::time::Duration::from_millis(1600));
    let state = fabric.get(&format!("/operations/{operation}")).expect(200);
    assert_eq!(state.body["status"], "Succeeded");
    assert_eq!(state.body["percentComplete"], 100);
    let result = state.header("location").unwrap().to_string();
    assert!(result.ends_with("/result"));
    let item = fabric.get(&result).expect(200).body;
    assert_eq!(item["displayName"], "Slow");
    let id = item["id"].as_str().unwrap();

    // updateDefinition has no result.
    let reply = fabric
        .post(
            &format!("/workspaces/{WS}/dataflows/{id}/updateDefinition"),
            &json!({"definition": sales_orders()}),
        )
        .expect(202);
    let operation = reply.header("x-ms-operation-id").unwrap().to_string();
    std::thread::sleep(std::time::Duration::from_millis(1600));
    let state = fabric.get(&format!("/operations/{operation}")).expect(200);
    assert_eq!(state.body["status"], "Succeeded");
    assert!(state.header("location").is_none());
    fabric.get(&format!("/operations/{operation}/result")).expect_error(400, "OperationHasNoResult");
    fabric.get("/operations/00000000-0000-4000-8000-000000000000").expect_error(404, "EntityNotFound");
}

#[test]
fn schedules_are_validated_and_limited() {
    let fabric = Fabric::start();
    let id = fabric.create_dataflow("Scheduled", Some(sales_orders()));
    let base = format!("/workspaces/{WS}/dataflows/{id}/jobs/execute/schedules");
    let cron = json!({"enabled": true, "configuration": {"type": "Cron", "interval": 10, "startDateTime": "2025-04-28T00:00:00", "endDateTime": "2025-04-30T23:59:00", "localTimeZoneId": "Central Standard Time"}});
    let reply = fabric.post(&base, &cron).expect(201);
    let schedule = reply.body["id"].as_str().unwrap().to_string();
    assert!(reply
        .header("location")
        .unwrap()
        .ends_with(&format!("/items/{id}/jobs/Execute/schedules/{schedule}")));
    assert_eq!(reply.body["owner"]["type"], "User");

    let mut bad = cron.clone();
    bad["configuration"]["interval"] = json!(0);
    fabric.post(&base, &bad).expect_error(400, "InvalidRequest");
    let mut bad = cron.clone();
    bad["configuration"]["endDateTime"] = json!("2025-04-01T00:00:00");
    fabric.post(&base, &bad).expect_error(400, "InvalidRequest");
    let weekly = json!({"enabled": false, "configuration": {"type": "Weekly", "times": ["25:00"], "weekdays": ["Monday"], "startDateTime": "2025-04-28T00:00:00", "endDateTime": "2025-04-30T23:59:00", "localTimeZoneId": "UTC"}});
    fabric.post(&base, &weekly).expect_error(400, "InvalidRequest");

    // Read, update and delete through the core path, with the job type in any case.
    let one = format!("/workspaces/{WS}/items/{id}/jobs/EXECUTE/schedules/{schedule}");
    assert_eq!(fabric.get(&one).expect(200).body["configuration"]["interval"], 10);
    let mut changed = cron.clone();
    changed["enabled"] = json!(false);
    assert_eq!(fabric.call("PATCH", &one, Some(&changed)).expect(200).body["enabled"], false);
    let list = fabric.get(&format!("/workspaces/{WS}/items/{id}/jobs/Execute/schedules")).expect(200).body;
    assert_eq!(list["value"].as_array().unwrap().len(), 1);
    assert_eq!(
        fabric.get(&format!("/workspaces/{WS}/items/{id}/jobs/ApplyChanges/schedules")).expect(200).body
            ["value"],
        json!([])
    );
    fabric.call("DELETE", &one, None).expect(200);
    fabric.get(&one).expect_error(404, "ScheduleNotFound");

    // At most 20 an item, over both job types.
    for i in 0..20 {
        let kind = if i % 2 == 0 { "execute" } else { "applyChanges" };
        fabric.post(&format!("/workspaces/{WS}/dataflows/{id}/jobs/{kind}/schedules"), &cron).expect(201);
    }
    fabric.post(&base, &cron).expect_error(400, "ScheduleExceedsLimit");
}

#[test]
fn workspaces_hold_their_own_items() {
    let fabric = Fabric::start();
    let reply =
        fabric.post("/workspaces", &json!({"displayName": "Team", "description": "A team's"})).expect(201);
    let team = reply.body["id"].as_str().unwrap().to_string();
    assert!(reply.header("location").unwrap().ends_with(&team));
    fabric
        .post("/workspaces", &json!({"displayName": "team"}))
        .expect_error(409, "WorkspaceNameAlreadyExists");
    assert_eq!(fabric.get(&format!("/workspaces/{team}")).expect(200).body["displayName"], "Team");
    // The same name in two workspaces is fine; lists stay apart.
    fabric.create_dataflow("Same", None);
    fabric.post(&format!("/workspaces/{team}/dataflows"), &json!({"displayName": "Same"})).expect(201);
    assert_eq!(
        fabric.get(&format!("/workspaces/{team}/items")).expect(200).body["value"].as_array().unwrap().len(),
        1
    );
    // An item is only found in its own workspace.
    let id = fabric.create_dataflow("Mine", None);
    fabric.get(&format!("/workspaces/{team}/items/{id}")).expect_error(404, "ItemNotFound");
    // A Notebook is not a dataflow.
    let notebook = fabric
        .post(&format!("/workspaces/{team}/items"), &json!({"displayName": "N", "type": "Notebook"}))
        .expect(201);
    let notebook = notebook.body["id"].as_str().unwrap();
    fabric.get(&format!("/workspaces/{team}/dataflows/{notebook}")).expect_error(404, "ItemNotFound");
    fabric
        .get(&format!("/workspaces/{team}/items/{notebook}/jobs/instances/{notebook}"))
        .expect_error(404, "ItemJobInstanceNotFound");
}

#[test]
fn a_deleted_name_can_stay_reserved() {
    let fabric = Fabric::with(Options { name_reservation_seconds: 600.0, ..Options::default() });
    let id = fabric.create_dataflow("Reserved", None);
    fabric.call("DELETE", &format!("/workspaces/{WS}/dataflows/{id}"), None).expect(200);
    fabric
        .post(&format!("/workspaces/{WS}/dataflows"), &json!({"displayName": "Reserved"}))
        .expect_error(400, "ItemDisplayNameNotAvailableYet");
    // Without a window (the default) the name is free at once, and a hard delete frees it too.
    let free = Fabric::start();
    let id = free.create_dataflow("Free", None);
    free.call("DELETE", &format!("/workspaces/{WS}/dataflows/{id}?hardDelete=true"), None).expect(200);
    free.create_dataflow("Free", None);
}

#[test]
fn a_dataflow_created_without_definition_can_be_published() {
    let fabric = Fabric::start();
    let id = fabric.create_dataflow("Empty", None);
    let parts = parts_of(
        &fabric.post(&format!("/workspaces/{WS}/dataflows/{id}/getDefinition"), &json!({})).expect(200).body,
    );
    assert_eq!(parts.keys().collect::<Vec<_>>(), [".platform", "mashup.pq", "queryMetadata.json"]);
    let job = fabric.run(&id, "ApplyChanges", None);
    let state = fabric.wait(&id, &job);
    assert_eq!(state["status"], "Completed", "{state}");
}

#[test]
fn execute_parameters_must_fit_the_dataflow() {
    let fabric = Fabric::start();
    let id = fabric.create_dataflow("Parametric", Some(crate::support::parametric()));
    let discovered = fabric.get(&format!("/workspaces/{WS}/dataflows/{id}/parameters")).expect(200).body;
    assert_eq!(
        discovered["value"][0],
        json!({"name": "Region", "description": "", "isRequired": true, "type": "String", "defaultValue": "West"})
    );
    let run = |parameters: Value| {
        let body =
            json!({"executionData": {"executeOption": "ApplyChangesIfNeeded", "parameters": parameters}});
        let job = fabric.run(&id, "Execute", Some(&body));
        fabric.wait(&id, &job)
    };
    let state = run(json!([{"parameterName": "Limit", "type": "Automatic", "value": 5}]));
    assert_eq!(state["failureReason"]["errorCode"], "DataflowInvalidParameters", "{state}");
    assert!(state["failureReason"]["message"].as_str().unwrap().contains("Region"));
    let state = run(json!([{"parameterName": "region", "type": "Automatic", "value": "East"}]));
    assert_eq!(
        state["failureReason"]["errorCode"], "DataflowInvalidParameters",
        "names compare with case: {state}"
    );
    let state = run(json!([{"parameterName": "Region", "type": "Automatic", "value": "East"}]));
    assert_eq!(state["status"], "Completed", "{state}");

    // A dataflow without public parameters ignores them.
    let plain = fabric.create_dataflow("Plain", Some(crate::support::without_public_parameters()));
    let body = json!({"executionData": {"parameters": [{"parameterName": "Region", "type": "Automatic", "value": "East"}]}});
    let job = fabric.run(&plain, "Execute", Some(&body));
    assert_eq!(fabric.wait(&plain, &job)["status"], "Completed");
    fabric
        .get(&format!("/workspaces/{WS}/dataflows/{plain}/parameters"))
        .expect_error(400, "DataflowNotParametricError");
    // A malformed parameter list is a 400 at once.
    let bad = json!({"executionData": {"parameters": [{"type": "Automatic", "value": 1}]}});
    fabric
        .call("POST", &format!("/workspaces/{WS}/items/{plain}/jobs/Execute/instances"), Some(&bad))
        .expect_error(400, "InvalidRequest");
    let bad = json!({"executionData": {"executeOption": "Sometimes"}});
    fabric
        .call("POST", &format!("/workspaces/{WS}/items/{plain}/jobs/Execute/instances"), Some(&bad))
        .expect_error(400, "InvalidRequest");
}
