//! `dfls ls`, `dfls delete`, `dfls set` and `dfls parameters` against the local Fabric, through the real binary.

use serde_json::json;

use crate::support::*;

#[test]
fn ls_lists_dataflows_with_their_newest_job_and_local_folder() {
    let repo = Repo::served(quick());
    let (_, empty) = repo.json(&["ls"]);
    assert_eq!(empty["dataflows"], json!([]));
    assert_eq!(code(&repo.dfls(&["push", ITEM, "--publish", "--wait"])), 0);
    let (listed, value) = repo.json(&["ls"]);
    assert_eq!(code(&listed), 0, "{}", describe(&listed));
    let dataflow = &value["dataflows"][0];
    assert_eq!(dataflow["displayName"], "Sales Orders");
    assert_eq!(dataflow["newestJob"]["jobType"], "ApplyChanges", "{value}");
    assert_eq!(dataflow["newestJob"]["status"], "Completed");
    assert!(dataflow["localFolder"].as_str().unwrap().ends_with(ITEM), "{value}");
    let table = repo.dfls(&["ls"]);
    assert!(stdout(&table).contains("ApplyChanges Completed"), "{}", describe(&table));
}

#[test]
fn ls_of_an_empty_local_fabric_creates_nothing() {
    let repo = Repo::bare();
    let listed = repo.dfls(&["ls"]);
    assert_eq!(code(&listed), 0, "{}", describe(&listed));
    assert!(stdout(&listed).contains("nothing was pushed"), "{}", describe(&listed));
    assert!(!repo.path(".dfls").exists());
}

#[test]
fn delete_asks_or_needs_yes() {
    let repo = Repo::served(quick());
    assert_eq!(code(&repo.dfls(&["push", ITEM])), 0);
    // No terminal here: refused without --yes, and nothing is deleted.
    let refused = repo.dfls(&["delete", "Sales Orders"]);
    assert_eq!(code(&refused), 2, "{}", describe(&refused));
    assert!(stderr(&refused).contains("pass --yes"), "{}", describe(&refused));
    assert_eq!(repo.json(&["ls"]).1["dataflows"].as_array().unwrap().len(), 1);
    let deleted = repo.dfls(&["delete", "Sales Orders", "--yes"]);
    assert_eq!(code(&deleted), 0, "{}", describe(&deleted));
    assert_eq!(repo.json(&["ls"]).1["dataflows"], json!([]));
    let again = repo.dfls(&["delete", "Sales Orders", "--yes"]);
    assert_eq!(code(&again), 2, "{}", describe(&again));
}

#[test]
fn set_changes_fabric_and_the_folder_and_push_sends_a_changed_description() {
    let repo = Repo::served(quick());
    assert_eq!(code(&repo.dfls(&["push", ITEM])), 0);
    let (set, value) = repo.json(&["set", ITEM, "--description", "Orders, by region"]);
    assert_eq!(code(&set), 0, "{}", describe(&set));
    assert_eq!(value["description"], "Orders, by region");
    let platform = std::fs::read_to_string(repo.path(&format!("{ITEM}/.platform"))).unwrap();
    assert!(platform.contains("\"description\": \"Orders, by region\""), "{platform}");
    assert!(platform.find("\"$schema\"") < platform.find("\"metadata\""), "the order is kept: {platform}");
    let (_, again) = repo.json(&["push", ITEM]);
    assert_eq!(again["items"][0]["action"], "unchanged", "{again}");

    // A description changed in the folder goes with its `.platform`, which sets the item's metadata.
    let changed = platform.replace("Orders, by region", "Orders, by customer");
    std::fs::write(repo.path(&format!("{ITEM}/.platform")), changed).unwrap();
    let dry = repo.dfls(&["push", ITEM, "--dry-run"]);
    assert!(stdout(&dry).contains("would update `Sales Orders`: .platform"), "{}", describe(&dry));
    assert!(stdout(&dry).contains("+    \"description\": \"Orders, by customer\""), "{}", describe(&dry));
    let (_, pushed) = repo.json(&["push", ITEM]);
    assert_eq!(pushed["items"][0]["changed"], json!([".platform"]), "{pushed}");
    let (_, listed) = repo.json(&["ls"]);
    assert_eq!(listed["dataflows"][0]["description"], "Orders, by customer");
    let nothing = repo.dfls(&["set", ITEM]);
    assert_eq!(code(&nothing), 2);
}

#[test]
fn parameters_lists_the_public_parameters() {
    let repo = Repo::served(quick());
    assert_eq!(code(&repo.dfls(&["push", ITEM])), 0);
    let (shown, value) = repo.json(&["parameters", "Sales Orders"]);
    assert_eq!(code(&shown), 0, "{}", describe(&shown));
    let names: Vec<&str> =
        value["parameters"].as_array().unwrap().iter().map(|p| p["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["StartDate", "Region"], "{value}");
    let table = repo.dfls(&["parameters", "Sales Orders"]);
    assert!(
        stdout(&table).lines().any(|l| l.starts_with("Region") && l.contains("\"EMEA\"")),
        "{}",
        describe(&table)
    );
}
