//! The store: state survives a restart, two emulators (as two processes would) share one store, 20
//! concurrent clients leave it consistent, a corrupt or newer store is refused with a clear error, and
//! long-running operations expire and an item's job history is trimmed so that the store stays bounded.

use std::collections::BTreeSet;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{mpsc, Arc, Mutex};
use std::time::Duration;

use dfls::emulator::{
    Embedded, EmulatorError, Hook, LroMode, Options, DEFAULT_WORKSPACE_ID as WS, STORE_FILE,
};
use serde_json::json;

use crate::support::{broken, definition, example, parts_of, sales_orders, Fabric};

fn fast() -> Options {
    Options { job_seconds: 0.0, operation_seconds: 0.0, retry_after: 0, ..Options::default() }
}

#[test]
fn state_survives_a_restart() {
    let mut fabric = Fabric::with(Options { job_seconds: 0.5, ..fast() });
    let id = fabric.create_dataflow("Kept", Some(sales_orders()));
    let job = fabric.run(&id, "ApplyChanges", None);
    let workspace = fabric.post("/workspaces", &json!({"displayName": "Second"})).expect(201).body;
    let before =
        fabric.post(&format!("/workspaces/{WS}/dataflows/{id}/getDefinition"), &json!({})).expect(200).body;
    let old_base = fabric.base.clone();

    fabric.restart(Options { job_seconds: 0.5, ..fast() });
    assert_ne!(fabric.base, old_base, "a new server on a new port");
    let after =
        fabric.post(&format!("/workspaces/{WS}/dataflows/{id}/getDefinition"), &json!({})).expect(200).body;
    assert_eq!(parts_of(&before), parts_of(&after));
    // The job went on while the server was down, and ends as planned.
    assert_eq!(fabric.wait(&id, &job)["status"], "Completed");
    let skip = json!({"executionData": {"executeOption": "SkipApplyChanges"}});
    let refresh = fabric.run(&id, "Execute", Some(&skip));
    assert_eq!(fabric.wait(&id, &refresh)["status"], "Completed", "the publish survived");
    let workspaces = fabric.get("/workspaces").expect(200).body;
    let names: Vec<&str> =
        workspaces["value"].as_array().unwrap().iter().map(|w| w["displayName"].as_str().unwrap()).collect();
    assert_eq!(names, ["Local workspace", "Second"]);
    fabric.get(&format!("/workspaces/{}", workspace["id"].as_str().unwrap())).expect(200);
}

#[test]
fn two_emulators_share_one_store() {
    let fabric = Fabric::start();
    let other = Embedded::start(&fabric.data_dir(), fast()).expect("a second emulator on the same store");
    let id = fabric.create_dataflow("Shared", Some(sales_orders()));
    let url = format!("{}/workspaces/{WS}/dataflows/{id}", other.base_url());
    fabric.get(&url).expect(200);
    fabric
        .post(&format!("{}/workspaces/{WS}/dataflows", other.base_url()), &json!({"displayName": "Shared"}))
        .expect_error(400, "ItemDisplayNameAlreadyInUse");
}

#[test]
fn twenty_concurrent_clients_leave_a_consistent_store() {
    let fabric = Fabric::start();
    let second = Embedded::start(&fabric.data_dir(), fast()).unwrap();
    let bases = [fabric.base.clone(), second.base_url()];
    let shared = fabric.create_dataflow("Everyone", Some(sales_orders()));
    std::thread::scope(|scope| {
        for client in 0..20 {
            let base = bases[client % 2].clone();
            let fabric = &fabric;
            let shared = &shared;
            scope.spawn(move || {
                let call = |method: &str, path: &str, body: Option<&serde_json::Value>| {
                    fabric.call(method, &format!("{base}{path}"), body)
                };
                // Each client creates its own dataflow, and everyone pushes to and refreshes the shared one.
                let name = format!("Client {client}");
                let created = call(
                    "POST",
                    &format!("/workspaces/{WS}/dataflows"),
                    Some(&json!({"displayName": name, "definition": sales_orders()})),
                )
                .expect(201);
                let id = created.body["id"].as_str().unwrap().to_string();
                for _ in 0..3 {
                    call(
                        "POST",
                        &format!("/workspaces/{WS}/dataflows/{shared}/updateDefinition?updateMetadata=true"),
                        Some(&json!({"definition": sales_orders()})),
                    )
                    .expect(200);
                    call(
                        "POST",
                        &format!("/workspaces/{WS}/dataflows/{id}/updateDefinition"),
                        Some(&json!({"definition": sales_orders()})),
                    )
                    .expect(200);
                    call("POST", &format!("/workspaces/{WS}/items/{shared}/jobs/execute/instances"), None)
                        .expect(202);
                    call("POST", &format!("/workspaces/{WS}/items/{id}/jobs/execute/instances"), None)
                        .expect(202);
                }
                // A duplicate name loses, whoever tries.
                call("POST", &format!("/workspaces/{WS}/dataflows"), Some(&json!({"displayName": name})))
                    .expect_error(400, "ItemDisplayNameAlreadyInUse");
            });
        }
    });
    let list = fabric.get(&format!("/workspaces/{WS}/dataflows")).expect(200).body;
    let names: BTreeSet<String> = list["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["displayName"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(names.len(), 21);
    // updateMetadata=true took the shared dataflow's name from the example's .platform.
    assert!(names.contains("Sales Orders") && names.contains("Client 19"), "{names:?}");
    let jobs = fabric.get(&format!("/workspaces/{WS}/items/{shared}/jobs/instances")).expect(200).body;
    let jobs = jobs["value"].as_array().unwrap();
    assert_eq!(jobs.len(), 60);
    let ids: BTreeSet<&str> = jobs.iter().map(|j| j["id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), 60, "job ids are unique");
    for job in jobs {
        assert!(matches!(job["status"].as_str(), Some("Completed" | "Deduped")), "{job}");
    }
}

#[test]
fn a_corrupt_store_is_refused_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join(STORE_FILE);
    let garbage = b"this is not a database, but it is long enough to be read as one: ".repeat(100);
    std::fs::write(&file, &garbage).unwrap();
    let error = Embedded::start(dir.path(), Options::default()).expect_err("refused");
    assert!(matches!(error, EmulatorError::Corrupt { .. }), "{error:?}");
    let message = error.to_string();
    assert!(message.contains(&file.display().to_string()), "{message}");
    assert!(message.contains("corrupt"), "{message}");
    assert_eq!(std::fs::read(&file).unwrap(), garbage, "the file is left as it was");
}

#[test]
fn a_newer_store_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    drop(Embedded::start(dir.path(), Options::default()).unwrap());
    let connection = rusqlite::Connection::open(dir.path().join(STORE_FILE)).unwrap();
    connection.pragma_update(None, "user_version", 99).unwrap();
    drop(connection);
    let error = Embedded::start(dir.path(), Options::default()).expect_err("refused");
    assert!(matches!(error, EmulatorError::NewerSchema { found: 99, .. }), "{error:?}");
    assert!(error.to_string().contains("newer dfls"), "{error}");
}

/// A store of the version before the scheduler (1) is migrated when it opens: its schedules stay, and the
/// scheduler fires them from then on.
#[test]
fn a_store_of_version_1_is_migrated_and_keeps_its_schedules() {
    let dir = tempfile::tempdir().unwrap();
    let fabric = Embedded::start(dir.path(), Options::default()).unwrap();
    let base = fabric.base_url();
    let ws = dfls::emulator::DEFAULT_WORKSPACE_ID;
    let http = reqwest::blocking::Client::new();
    let item: serde_json::Value = http
        .post(format!("{base}/workspaces/{ws}/dataflows"))
        .bearer_auth("t")
        .json(&serde_json::json!({"displayName": "Sales", "definition": sales_orders()}))
        .send()
        .unwrap()
        .json()
        .unwrap();
    let item = item["id"].as_str().unwrap().to_owned();
    let schedules = format!("{base}/workspaces/{ws}/items/{item}/jobs/Execute/schedules");
    let configuration = serde_json::json!({"type": "Cron", "interval": 60, "startDateTime": "2030-01-01T00:00:00Z",
                                           "endDateTime": "2031-01-01T00:00:00Z", "localTimeZoneId": "UTC"});
    let created = http
        .post(&schedules)
        .bearer_auth("t")
        .json(&serde_json::json!({"enabled": true, "configuration": configuration}))
        .send()
        .unwrap();
    assert_eq!(created.status().as_u16(), 201);
    drop(fabric);
    // Back to version 1: the columns of version 2 gone.
    let connection = rusqlite::Connection::open(dir.path().join(STORE_FILE)).unwrap();
    connection
        .execute_batch(
            "ALTER TABLE schedules DROP COLUMN changed_ms; ALTER TABLE schedules DROP COLUMN last_fired_ms;
             PRAGMA user_version = 1;",
        )
        .unwrap();
    drop(connection);

    let fabric = Embedded::start(dir.path(), Options::default()).expect("a version 1 store opens");
    let base = fabric.base_url();
    let schedules = schedules.replace(&schedules[..schedules.find("/workspaces").unwrap()], &base);
    let listed: serde_json::Value = http.get(&schedules).bearer_auth("t").send().unwrap().json().unwrap();
    assert_eq!(listed["value"][0]["configuration"], configuration);
    let emulator = fabric.emulator();
    let fired = dfls::emulator::scheduler::tick(
        emulator,
        "2030-01-01T00:00:00Z".parse::<jiff::Timestamp>().unwrap().as_millisecond(),
    );
    assert_eq!(fired.unwrap().len(), 1);
    let connection = rusqlite::Connection::open(dir.path().join(STORE_FILE)).unwrap();
    let version: i64 = connection.query_row("PRAGMA user_version", [], |row| row.get(0)).unwrap();
    assert_eq!(version, dfls::emulator::SCHEMA_VERSION);
}

#[test]
fn a_foreign_sqlite_file_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let connection = rusqlite::Connection::open(dir.path().join(STORE_FILE)).unwrap();
    connection.execute_batch("CREATE TABLE notes (body TEXT);").unwrap();
    drop(connection);
    let error = Embedded::start(dir.path(), Options::default()).expect_err("refused");
    assert!(matches!(error, EmulatorError::Corrupt { .. }), "{error:?}");
}

/// The Sales example with `bytes` more of `mashup.pq`: a comment of text that does not repeat.
fn padded(bytes: usize) -> serde_json::Value {
    let files = example("Sales Orders.Dataflow");
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    let padding: String = (0..bytes)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            char::from(b'a' + (state % 26) as u8)
        })
        .collect();
    let parts: Vec<(String, Vec<u8>)> = files
        .into_iter()
        .map(|(path, bytes)| {
            if path == "mashup.pq" {
                let mut text = String::from_utf8(bytes).unwrap();
                text.push_str(&format!("\n/* {padding} */\n"));
                (path, text.into_bytes())
            } else {
                (path, bytes)
            }
        })
        .collect();
    let parts: Vec<(&str, &[u8])> = parts.iter().map(|(p, b)| (p.as_str(), b.as_slice())).collect();
    definition(&parts)
}

/// The bytes of the store: its file and its write-ahead log.
fn store_bytes(fabric: &Fabric) -> u64 {
    let file = fabric.data_dir().join(STORE_FILE);
    let wal = fabric.data_dir().join(format!("{STORE_FILE}-wal"));
    std::fs::metadata(file).unwrap().len() + std::fs::metadata(wal).map(|m| m.len()).unwrap_or(0)
}

/// Changes the settings of the emulator of `fabric`.
fn set(fabric: &Fabric, change: impl FnOnce(&mut Options)) {
    let emulator = fabric.server.as_ref().unwrap().emulator();
    let mut options = emulator.options();
    change(&mut options);
    emulator.set_options(options);
}

/// Starts a getDefinition as a long-running operation; the operation's id.
fn get_definition_operation(fabric: &Fabric, id: &str) -> String {
    let reply =
        fabric.post(&format!("/workspaces/{WS}/dataflows/{id}/getDefinition"), &json!({})).expect(202);
    reply.header("x-ms-operation-id").expect("an operation id").to_string()
}

#[test]
fn a_thousand_operations_leave_a_bounded_store() {
    // Every result is a whole definition (about 40 KB in base64): 1,000 of them kept would be 40 MB.
    let budget = 1 << 20;
    let fabric = Fabric::with(Options { lro: LroMode::Never, operation_results_budget: budget, ..fast() });
    let id = fabric.create_dataflow("Big", Some(padded(30_000)));
    set(&fabric, |options| options.lro = LroMode::Always);
    let first = get_definition_operation(&fabric, &id);
    fabric.get(&format!("/operations/{first}/result")).expect(200);
    let mut largest = 0;
    let mut last = first.clone();
    for round in 1..1000 {
        last = get_definition_operation(&fabric, &id);
        if round % 100 == 0 {
            largest = largest.max(store_bytes(&fabric));
        }
    }
    largest = largest.max(store_bytes(&fabric));
    assert!(largest < 6 << 20, "the store grew to {largest} bytes over 1,000 operations");
    // The newest result is kept; the first, far past the budget, is gone.
    let result = fabric.get(&format!("/operations/{last}/result")).expect(200).body;
    assert!(parts_of(&result)["mashup.pq"].len() > 30_000);
    fabric.get(&format!("/operations/{first}")).expect_error(404, "EntityNotFound");
    fabric.get(&format!("/operations/{first}/result")).expect_error(404, "EntityNotFound");
}

#[test]
fn expired_operations_are_gone_and_their_space_is_given_back() {
    let fabric = Fabric::with(Options { lro: LroMode::Never, ..fast() });
    let id = fabric.create_dataflow("Big", Some(padded(200_000)));
    set(&fabric, |options| options.lro = LroMode::Always);
    let kept: Vec<String> = (0..40).map(|_| get_definition_operation(&fabric, &id)).collect();
    for operation in &kept {
        fabric.get(&format!("/operations/{operation}/result")).expect(200);
    }
    let full = store_bytes(&fabric);
    assert!(full > 8 << 20, "40 results of 270 KB are stored: {full} bytes");

    // Operations kept for no time at all: every one that ended is gone, the next clean-up frees the file.
    set(&fabric, |options| options.operation_retention_seconds = 0.0);
    fabric.get(&format!("/operations/{}", kept[0])).expect_error(404, "EntityNotFound");
    get_definition_operation(&fabric, &id);
    let after = store_bytes(&fabric);
    assert!(after < 2 << 20, "the file shrank from {full} to {after} bytes");
}

#[test]
fn an_older_store_is_converted_to_give_space_back() {
    let dir = tempfile::tempdir().unwrap();
    drop(Embedded::start(dir.path(), Options::default()).unwrap());
    let path = dir.path().join(STORE_FILE);
    let connection = rusqlite::Connection::open(&path).unwrap();
    // An operation that ended long ago, with a large result, as older stores kept them forever.
    connection
        .execute(
            "INSERT INTO operations (id, created_ms, done_ms, result, error) VALUES ('old', 0, 0, ?1, NULL)",
            ["x".repeat(4 << 20)],
        )
        .unwrap();
    connection.execute_batch("PRAGMA auto_vacuum = NONE; VACUUM;").unwrap();
    let mode = |connection: &rusqlite::Connection| -> i64 {
        connection.query_row("PRAGMA auto_vacuum", [], |row| row.get(0)).unwrap()
    };
    assert_eq!(mode(&connection), 0, "a store as dfls wrote them before");
    drop(connection);
    assert!(std::fs::metadata(&path).unwrap().len() > 4 << 20);
    drop(Embedded::start(dir.path(), Options::default()).unwrap());
    let connection = rusqlite::Connection::open(&path).unwrap();
    assert_eq!(mode(&connection), 2, "incremental");
    let operations: i64 =
        connection.query_row("SELECT count(*) FROM operations", [], |row| row.get(0)).unwrap();
    assert_eq!(operations, 0, "the expired operation is gone");
    assert!(std::fs::metadata(&path).unwrap().len() < 1 << 20, "and its space given back");
    let workspaces: i64 =
        connection.query_row("SELECT count(*) FROM workspaces", [], |row| row.get(0)).unwrap();
    assert_eq!(workspaces, 1, "nothing lost");
}

#[test]
fn a_publish_being_checked_holds_no_other_request() {
    // The first check of a publish waits, outside any transaction, until the test releases it.
    let (entered, started) = mpsc::channel::<()>();
    let (release, released) = mpsc::channel::<()>();
    let released = Mutex::new(released);
    let checks = Arc::new(AtomicUsize::new(0));
    let counted = Arc::clone(&checks);
    let hook = Hook::new(move || {
        if counted.fetch_add(1, Ordering::SeqCst) == 0 {
            let _ = entered.send(());
            let _ = released.lock().unwrap().recv_timeout(Duration::from_secs(30));
        }
    });
    let fabric = Fabric::with(Options { before_check: Some(hook), ..fast() });
    let id = fabric.create_dataflow("Held", Some(sales_orders()));
    // Answers within 10 s or fail: a check held inside the write transaction would hold these for 30 s.
    let impatient = reqwest::blocking::Client::builder().timeout(Duration::from_secs(10)).build().unwrap();
    std::thread::scope(|scope| {
        let publish = scope.spawn(|| fabric.run(&id, "ApplyChanges", None));
        started.recv_timeout(Duration::from_secs(30)).expect("the publish's check started");
        let listed = impatient
            .get(format!("{}/workspaces", fabric.base))
            .bearer_auth(&fabric.token)
            .send()
            .expect("GET /workspaces is answered while a publish is being checked");
        assert_eq!(listed.status(), 200);
        let created = impatient
            .post(format!("{}/workspaces", fabric.base))
            .bearer_auth(&fabric.token)
            .json(&json!({"displayName": "Meanwhile"}))
            .send()
            .expect("a write is answered too");
        assert_eq!(created.status(), 201);
        // The definition changes under the check: the verdict on the old one must not be used.
        let update = format!("/workspaces/{WS}/dataflows/{id}/updateDefinition");
        fabric.post(&update, &json!({"definition": broken()})).expect(200);
        release.send(()).unwrap();
        let job = publish.join().unwrap();
        let state = fabric.wait(&id, &job);
        assert_eq!(state["status"], "Failed", "the definition as it is now was checked: {state}");
        assert_eq!(state["failureReason"]["errorCode"], "DataflowApplyChangesFailed", "{state}");
    });
    assert_eq!(checks.load(Ordering::SeqCst), 2, "checked again after the change");
}

#[test]
fn the_job_history_keeps_the_newest_finished_jobs_and_every_running_one() {
    // One page holds every job, so that a listing shows the whole table.
    let fabric = Fabric::with(Options { page_size: 1000, ..fast() });
    let id = fabric.create_dataflow("Busy", Some(sales_orders()));
    let publish = fabric.run(&id, "ApplyChanges", None);
    assert_eq!(fabric.wait(&id, &publish)["status"], "Completed");
    // Two jobs that run for an hour, started before the flood of finished ones.
    set(&fabric, |options| options.job_seconds = 3600.0);
    let running: Vec<String> = (0..2).map(|_| fabric.run(&id, "ApplyChanges", None)).collect();
    set(&fabric, |options| options.job_seconds = 0.0);
    let skip = json!({"executionData": {"executeOption": "SkipApplyChanges"}});
    let finished: Vec<String> = (0..250).map(|_| fabric.run(&id, "Execute", Some(&skip))).collect();
    // Every run found the dataflow still published: the job that published it was kept.
    assert_eq!(fabric.wait(&id, finished.last().unwrap())["status"], "Completed");

    let listed = fabric.get(&format!("/workspaces/{WS}/items/{id}/jobs/instances")).expect(200).body;
    let listed: Vec<String> = listed["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|job| job["id"].as_str().unwrap().to_string())
        .collect();
    let newest: Vec<String> = finished.iter().rev().take(100).cloned().collect();
    assert_eq!(listed[..100], newest[..], "the newest 100 finished jobs, newest first");
    let rest: BTreeSet<&String> = listed[100..].iter().collect();
    let expected: BTreeSet<&String> = running.iter().chain([&publish]).collect();
    assert_eq!(rest, expected, "the running jobs and the job that published the dataflow stay");
    for job in &running {
        let status = fabric.job(&id, job)["status"].clone();
        assert!(status == "NotStarted" || status == "InProgress", "still running: {status}");
    }
    fabric
        .get(&format!("/workspaces/{WS}/items/{id}/jobs/instances/{}", finished[0]))
        .expect_error(404, "ItemJobInstanceNotFound");
    let connection = rusqlite::Connection::open(fabric.data_dir().join(STORE_FILE)).unwrap();
    let stored: i64 = connection.query_row("SELECT count(*) FROM jobs", [], |row| row.get(0)).unwrap();
    assert_eq!(stored, 103, "the table is bounded, not one row a run");
}
