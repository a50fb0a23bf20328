//! The whole loop against a served local Fabric, and against the one embedded in the binary.

use serde_json::Value;

use crate::support::*;

/// A `.schedules` part with no schedule.
const SCHEDULES: &str = "{\n  \"$schema\": \"https://developer.microsoft.com/json-schemas/fabric/gitIntegration/schedules/1.0.0/schema.json\",\n  \"schedules\": []\n}\n";

#[test]
fn push_publish_refresh_status_jobs_and_pull() {
    let repo = Repo::served(quick());
    let before = repo.item_files();

    // A dry run says what would happen and does nothing.
    let dry = repo.dfls(&["push", ITEM, "--dry-run"]);
    assert_eq!(code(&dry), 0, "{}", describe(&dry));
    assert!(stdout(&dry).contains("would create `Sales Orders` with 3 part(s)"), "{}", describe(&dry));
    assert!(stderr(&dry).contains("target `test`"), "every command names its target: {}", describe(&dry));
    let (_, listed) = repo.json(&["push", ITEM, "--dry-run"]);
    assert_eq!(listed["items"][0]["action"], "create");

    // The push creates the item; pushing again changes nothing.
    let (pushed, created) = repo.json(&["push", ITEM]);
    assert_eq!(code(&pushed), 0, "{}", describe(&pushed));
    assert_eq!(created["items"][0]["action"], "create");
    let id = created["items"][0]["id"].as_str().unwrap().to_owned();
    let (_, again) = repo.json(&["push", ITEM]);
    assert_eq!(again["items"][0]["action"], "unchanged", "{again}");
    assert_eq!(again["items"][0]["id"], id.as_str());

    // A local change is an update of that part only.
    let mashup = repo.path(&format!("{ITEM}/mashup.pq"));
    let mut text = std::fs::read_to_string(&mashup).unwrap();
    text.push_str("\n// reviewed\n");
    std::fs::write(&mashup, &text).unwrap();
    let dry = repo.dfls(&["push", ITEM, "--dry-run"]);
    assert!(stdout(&dry).contains("would update `Sales Orders`: mashup.pq"), "{}", describe(&dry));
    assert!(stdout(&dry).contains("--- remote/mashup.pq\n+++ local/mashup.pq\n"), "{}", describe(&dry));
    assert!(stdout(&dry).contains("\n+// reviewed\n"), "the diff shows the change: {}", describe(&dry));
    let (_, updated) = repo.json(&["push", ITEM]);
    assert_eq!(updated["items"][0]["action"], "update");
    assert_eq!(updated["items"][0]["changed"], serde_json::json!(["mashup.pq"]));

    // A part removed from the folder is removed from Fabric too (the definition is replaced whole).
    let schedules = repo.path(&format!("{ITEM}/.schedules"));
    std::fs::write(&schedules, SCHEDULES).unwrap();
    let (_, added) = repo.json(&["push", ITEM]);
    assert_eq!(added["items"][0]["changed"], serde_json::json!([".schedules"]), "{added}");
    std::fs::remove_file(&schedules).unwrap();
    let dry = repo.dfls(&["push", ITEM, "--dry-run"]);
    assert!(stdout(&dry).contains("would update `Sales Orders`: .schedules"), "{}", describe(&dry));
    assert!(stdout(&dry).contains("--- remote/.schedules\n+++ /dev/null\n"), "{}", describe(&dry));
    let (_, removed) = repo.json(&["push", ITEM]);
    assert_eq!(removed["items"][0]["changed"], serde_json::json!([".schedules"]), "{removed}");
    let (_, again) = repo.json(&["push", ITEM]);
    assert_eq!(again["items"][0]["action"], "unchanged", "{again}");

    // Publish and refresh (with a parameter), following the jobs.
    let published = repo.dfls(&["publish", ITEM, "--wait"]);
    assert_eq!(code(&published), 0, "{}", describe(&published));
    assert!(
        stdout(&published).contains("ApplyChanges") && stdout(&published).contains("Completed"),
        "{}",
        describe(&published)
    );
    let (refreshed, job) = repo.json(&["refresh", "Sales Orders", "--param", "Region=AMER", "--wait"]);
    assert_eq!(code(&refreshed), 0, "{}", describe(&refreshed));
    assert_eq!(job["job"]["status"], "Completed", "{job}");
    assert_eq!(job["job"]["jobType"], "Execute");
    assert!(job["job"]["duration"].as_f64().unwrap() > 0.0);

    let (_, status) = repo.json(&["status", ITEM]);
    assert_eq!(status["job"]["id"], job["job"]["id"], "the newest job is the refresh");
    let (_, jobs) = repo.json(&["jobs", ITEM]);
    let types: Vec<&str> =
        jobs["jobs"].as_array().unwrap().iter().map(|j| j["jobType"].as_str().unwrap()).collect();
    assert_eq!(types, ["Execute", "ApplyChanges"]);
    let table = repo.dfls(&["jobs", ITEM]);
    assert!(stdout(&table).lines().next().unwrap().starts_with("JOB"), "{}", describe(&table));

    // Pull: the local folder is what was pushed, so it is up to date; into a new folder, the same files.
    let pulled = repo.dfls(&["pull", ITEM]);
    assert_eq!(code(&pulled), 0, "{}", describe(&pulled));
    assert!(stdout(&pulled).contains("up to date"), "{}", describe(&pulled));
    let (_, copy) = repo.json(&["pull", "Sales Orders", "--to", "copy"]);
    assert_eq!(copy["created"].as_array().unwrap().len(), 3, "{copy}");
    assert_eq!(std::fs::read_to_string(repo.path("copy/mashup.pq")).unwrap(), text);
    assert_ne!(repo.item_files(), before, "the edit is there");
}

#[test]
fn refresh_parameters_reach_a_dataflow_with_public_parameters() {
    let repo = Repo::served(quick());
    // The example has public parameters (StartDate, Region), not required; make both required.
    let mashup = repo.path(&format!("{ITEM}/mashup.pq"));
    let text = std::fs::read_to_string(&mashup).unwrap();
    let metadata = std::fs::read_to_string(repo.path(&format!("{ITEM}/queryMetadata.json"))).unwrap();
    assert!(metadata.contains("\"parametric\": true"), "the example uses public parameters");
    let required = text.replace("IsParameterQueryRequired = false", "IsParameterQueryRequired = true");
    assert_eq!(required.matches("IsParameterQueryRequired = true").count(), 2);
    std::fs::write(&mashup, required).unwrap();
    assert_eq!(code(&repo.dfls(&["push", ITEM, "--publish", "--wait"])), 0);
    let jobs_now = || repo.json(&["jobs", ITEM]).1["jobs"].as_array().unwrap().len();
    let before = jobs_now();

    // Both required parameters, by name, typed: the run completes.
    let (ok, value) =
        repo.json(&["refresh", ITEM, "--param", "Region=AMER", "--param", "StartDate=2025-06-01", "--wait"]);
    assert_eq!(code(&ok), 0, "{}", describe(&ok));
    assert_eq!(value["job"]["status"], "Completed", "{value}");
    assert_eq!(jobs_now(), before + 1);
    // A required one missing, or a name the dataflow does not have (a typo): refused before any job starts,
    // saying which, with the name meant.
    let missing = repo.dfls(&["refresh", ITEM, "--param", "Region=AMER"]);
    assert_eq!(code(&missing), 2, "{}", describe(&missing));
    assert!(stderr(&missing).contains("required parameter(s) `StartDate`"), "{}", describe(&missing));
    let unknown = repo.dfls(&["refresh", ITEM, "--param", "Regoin=x", "--param", "StartDate=2025-06-01"]);
    assert_eq!(code(&unknown), 2, "{}", describe(&unknown));
    assert!(
        stderr(&unknown).contains("has no parameter `Regoin` (did you mean `Region`?)"),
        "{}",
        describe(&unknown)
    );
    assert_eq!(jobs_now(), before + 1, "no job was started for a refused refresh");
}

#[test]
fn a_parameter_on_a_dataflow_without_public_parameters_is_refused() {
    let repo = Repo::served(quick());
    let metadata = repo.path(&format!("{ITEM}/queryMetadata.json"));
    let text =
        std::fs::read_to_string(&metadata).unwrap().replace("\"parametric\": true", "\"parametric\": false");
    std::fs::write(&metadata, text).unwrap();
    assert_eq!(code(&repo.dfls(&["push", ITEM, "--publish", "--wait"])), 0);
    let refused = repo.dfls(&["refresh", ITEM, "--param", "Region=AMER"]);
    assert_eq!(code(&refused), 2, "{}", describe(&refused));
    assert!(stderr(&refused).contains("does not use public parameters"), "{}", describe(&refused));
    // Without parameters the refresh runs.
    let (plain, value) = repo.json(&["refresh", ITEM, "--wait"]);
    assert_eq!(code(&plain), 0, "{}", describe(&plain));
    assert_eq!(value["job"]["status"], "Completed", "{value}");
}

#[test]
fn pull_never_overwrites_local_changes_without_force() {
    let repo = Repo::served(quick());
    assert_eq!(code(&repo.dfls(&["push", ITEM])), 0);
    let metadata = repo.path(&format!("{ITEM}/queryMetadata.json"));
    let original = std::fs::read(&metadata).unwrap();
    std::fs::write(&metadata, b"{ \"changed\": true }").unwrap();
    let mashup_before = std::fs::read(repo.path(&format!("{ITEM}/mashup.pq"))).unwrap();

    let refused = repo.dfls(&["pull", ITEM]);
    assert_eq!(code(&refused), 1, "{}", describe(&refused));
    assert!(stderr(&refused).contains("queryMetadata.json"), "{}", describe(&refused));
    assert_eq!(std::fs::read(&metadata).unwrap(), b"{ \"changed\": true }", "the local change is kept");
    assert_eq!(std::fs::read(repo.path(&format!("{ITEM}/mashup.pq"))).unwrap(), mashup_before);

    let forced = repo.dfls(&["pull", ITEM, "--force"]);
    assert_eq!(code(&forced), 0, "{}", describe(&forced));
    assert_eq!(std::fs::read(&metadata).unwrap(), original);
    let leftovers: Vec<_> = std::fs::read_dir(repo.path(ITEM))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.contains(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "no temporary files: {leftovers:?}");
}

#[test]
fn errors_refuse_the_push_and_publish_failures_show_the_diagnostics() {
    let repo = Repo::served(quick());
    let mashup = repo.path(&format!("{ITEM}/mashup.pq"));
    let text = std::fs::read_to_string(&mashup).unwrap().replace("Table.SelectRows(", "Table.SelectRowz(");
    std::fs::write(&mashup, &text).unwrap();

    let refused = repo.dfls(&["push", ITEM]);
    assert_eq!(code(&refused), 1, "{}", describe(&refused));
    assert!(
        stderr(&refused).contains("M201") && stderr(&refused).contains("not pushed"),
        "{}",
        describe(&refused)
    );
    let (_, nothing) = repo.json(&["push", ITEM, "--dry-run"]);
    assert_eq!(nothing["items"][0]["action"], "refused", "nothing was created: {nothing}");

    // Forced, the push lands; the publish runs dfls's checker in the local Fabric and fails with it.
    let (forced, pushed) = repo.json(&["push", ITEM, "--force", "--publish", "--wait"]);
    assert_eq!(code(&forced), 1, "{}", describe(&forced));
    let job = &pushed["items"][0]["jobs"][0];
    assert_eq!(job["status"], "Failed", "{pushed}");
    assert!(job["failureReason"].to_string().contains("Table.SelectRowz"), "{job}");
    let status = repo.dfls(&["status", ITEM]);
    assert_eq!(code(&status), 1, "a failed job: {}", describe(&status));
    assert!(stdout(&status).contains("failure:"), "{}", describe(&status));
    assert_eq!(std::fs::read_to_string(&mashup).unwrap(), text, "the local file is as it was");
}

#[test]
fn a_definition_the_api_rejects_is_an_api_error() {
    let repo = Repo::served(quick());
    std::fs::remove_file(repo.path(&format!("{ITEM}/queryMetadata.json"))).unwrap();
    let output = repo.dfls(&["push", ITEM, "--force"]);
    assert_eq!(code(&output), 3, "{}", describe(&output));
    let error = stderr(&output);
    assert!(error.contains("the API refused") && error.contains("requestId"), "{error}");
}

#[test]
fn a_refresh_can_be_cancelled() {
    let repo = Repo::served(quick());
    assert_eq!(code(&repo.dfls(&["push", ITEM, "--publish", "--wait"])), 0);
    repo.set(|options| options.job_seconds = 30.0);
    let (_, started) = repo.json(&["refresh", ITEM]);
    let job = started["job"]["id"].as_str().unwrap().to_owned();
    let cancelled = repo.dfls(&["cancel", ITEM]);
    assert_eq!(code(&cancelled), 0, "{}", describe(&cancelled));
    assert!(
        stdout(&cancelled).contains(&job),
        "the running job is the one cancelled: {}",
        describe(&cancelled)
    );
    let (status, value) = repo.json(&["status", ITEM, &job]);
    assert_eq!(value["job"]["status"], "Cancelled", "{value}");
    assert_eq!(code(&status), 1);
    // A finished job cannot be cancelled; the API says so.
    let again = repo.dfls(&["cancel", ITEM, &job]);
    assert_eq!(code(&again), 3, "{}", describe(&again));
    assert!(stderr(&again).contains("JobAlreadyCompleted"), "{}", describe(&again));
}

#[test]
fn with_no_configuration_the_target_is_the_embedded_local_fabric() {
    let repo = Repo::bare();
    let (pushed, value) = repo.json(&["push", ITEM, "--publish"]);
    assert_eq!(code(&pushed), 0, "{}", describe(&pushed));
    assert_eq!(value["target"], "local");
    assert!(stderr(&pushed).contains("the local Fabric (embedded"), "{}", describe(&pushed));
    assert!(repo.path(".dfls/local-fabric").is_dir(), "the state is in the repository");
    // The state survives the process: a second run finds the item and its job.
    let (_, status) = repo.json(&["status", ITEM]);
    assert_eq!(status["job"]["jobType"], "ApplyChanges", "{status}");
    assert!(matches!(status["job"]["status"].as_str(), Some("NotStarted" | "InProgress" | "Completed")));
    let missing = repo.dfls(&["status", "No Such Dataflow"]);
    assert_eq!(code(&missing), 2, "{}", describe(&missing));
    assert!(stderr(&missing).contains("no Dataflow named `No Such Dataflow`"), "{}", describe(&missing));
    // A near miss is named; an item's file names its item, as `check` takes it.
    let near = repo.dfls(&["status", "Sales Ordres"]);
    assert!(stderr(&near).contains("did you mean `Sales Orders`?"), "{}", describe(&near));
    let (by_file, status) = repo.json(&["jobs", &format!("{ITEM}/mashup.pq")]);
    assert_eq!(code(&by_file), 0, "{}", describe(&by_file));
    assert_eq!(status["displayName"], "Sales Orders");
    let _: Value = value;
}

/// Commands about an item that is not there left a new, empty local Fabric (`.dfls/local-fabric`) in
/// whatever folder they ran, as did `dfls emulator` with an address it cannot listen on; and a folder below
/// one that had a local Fabric (no repository around) started its own, which did not see the items pushed.
#[test]
fn only_a_push_creates_the_local_fabric_and_subfolders_share_it() {
    let repo = Repo::bare();
    std::fs::remove_dir(repo.path(".git")).unwrap();
    for args in [
        &["jobs", "Nope"][..],
        &["status", ITEM],
        &["refresh", ITEM],
        &["pull", "Nope"],
        &["emulator", "--listen", "nonsense"],
    ] {
        let output = repo.dfls(args);
        assert_eq!(code(&output), 2, "{args:?}: {}", describe(&output));
        assert!(!repo.path(".dfls").exists(), "{args:?} created the local Fabric: {}", describe(&output));
    }
    let nothing = repo.dfls(&["jobs", "Nope"]);
    assert!(
        stderr(&nothing).contains("nothing was pushed to the local Fabric here yet"),
        "{}",
        describe(&nothing)
    );

    assert_eq!(code(&repo.dfls(&["push", ITEM])), 0);
    assert!(repo.path(".dfls/local-fabric").is_dir());
    let sub = repo.path("sub/deeper");
    std::fs::create_dir_all(&sub).unwrap();
    let status = std::process::Command::new(env!("CARGO_BIN_EXE_dfls"))
        .current_dir(&sub)
        .args(["status", "Sales Orders"])
        .output()
        .unwrap();
    assert_eq!(code(&status), 0, "{}", describe(&status));
    assert!(stdout(&status).contains("has no jobs yet"), "{}", describe(&status));
    assert!(!repo.path("sub/deeper/.dfls").exists() && !repo.path("sub/.dfls").exists());
}

/// A refresh cancelled before it started has no start time: `status` showed the older completed job as the
/// newest, and `jobs` listed the cancelled one last.
#[test]
fn a_job_cancelled_before_it_starts_is_the_newest() {
    let repo = Repo::served(quick());
    assert_eq!(code(&repo.dfls(&["push", ITEM])), 0);
    let (_, published) = repo.json(&["publish", ITEM, "--wait"]);
    assert_eq!(published["job"]["status"], "Completed", "{published}");
    // A job waits a second before it starts: usually time to cancel it before (on a slow machine it is
    // cancelled while it runs, and must be the newest all the same).
    repo.set(|options| options.job_seconds = 30.0);
    let (_, started) = repo.json(&["refresh", ITEM]);
    let job = started["job"]["id"].as_str().unwrap().to_owned();
    let cancelled = repo.dfls(&["cancel", ITEM, &job]);
    assert_eq!(code(&cancelled), 0, "{}", describe(&cancelled));
    let (_, status) = repo.json(&["status", ITEM]);
    assert_eq!(status["job"]["id"], job.as_str(), "{status}");
    assert_eq!(status["job"]["status"], "Cancelled");
    let (_, jobs) = repo.json(&["jobs", ITEM]);
    let ids: Vec<&str> = jobs["jobs"].as_array().unwrap().iter().map(|j| j["id"].as_str().unwrap()).collect();
    assert_eq!(ids[0], job, "{jobs}");
}
