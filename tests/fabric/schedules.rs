//! `dfls schedule` against the local Fabric, through the real binary: each configuration type, set, enable,
//! disable, remove, Fabric's limit of 20, and what is refused before any call.

use serde_json::Value;

use crate::support::*;

fn schedules(repo: &Repo, job: &str) -> Vec<Value> {
    let (output, value) = repo.json(&["schedule", "list", ITEM, "--job", job]);
    assert_eq!(code(&output), 0, "{}", describe(&output));
    value["schedules"].as_array().unwrap().clone()
}

#[test]
fn schedules_of_each_type_are_added_listed_changed_and_removed() {
    let repo = Repo::served(quick());
    assert_eq!(code(&repo.dfls(&["push", ITEM])), 0);
    assert!(schedules(&repo, "refresh").is_empty());
    let added = [
        &["--every", "30"][..],
        &["--daily", "17:30,8:00", "--time-zone", "America/Chicago"],
        &["--weekly", "fri,mon", "--at", "09:00"],
        &["--monthly", "first-monday", "--at", "06:00", "--every-months", "2", "--start", "2027-01-01"],
    ];
    for options in added {
        let mut args = vec!["schedule", "add", ITEM];
        args.extend(options);
        let output = repo.dfls(&args);
        assert_eq!(code(&output), 0, "{options:?}: {}", describe(&output));
    }
    let listed = schedules(&repo, "refresh");
    let types: Vec<&str> = listed.iter().map(|s| s["configuration"]["type"].as_str().unwrap()).collect();
    assert_eq!(types, ["Cron", "Daily", "Weekly", "Monthly"]);
    assert_eq!(listed[1]["configuration"]["times"], serde_json::json!(["08:00", "17:30"]));
    assert_eq!(listed[1]["configuration"]["localTimeZoneId"], "Central Standard Time");
    assert_eq!(listed[2]["configuration"]["weekdays"], serde_json::json!(["Monday", "Friday"]));
    assert_eq!(listed[3]["configuration"]["occurrence"]["weekIndex"], "First");
    assert_eq!(listed[3]["configuration"]["recurrence"], 2);
    assert_eq!(listed[3]["configuration"]["startDateTime"], "2027-01-01T00:00:00Z");
    let table = repo.dfls(&["schedule", "list", ITEM]);
    assert!(stdout(&table).contains("daily at 08:00, 17:30 (Central Standard Time)"), "{}", describe(&table));

    // Publish schedules are apart.
    assert!(schedules(&repo, "publish").is_empty());
    assert_eq!(code(&repo.dfls(&["schedule", "add", ITEM, "--job", "publish", "--every", "60"])), 0);
    assert_eq!(schedules(&repo, "publish").len(), 1);

    let id = listed[0]["id"].as_str().unwrap().to_owned();
    assert_eq!(code(&repo.dfls(&["schedule", "disable", ITEM, &id])), 0);
    assert_eq!(schedules(&repo, "refresh")[0]["enabled"], false);
    assert_eq!(code(&repo.dfls(&["schedule", "enable", ITEM, &id])), 0);
    assert_eq!(schedules(&repo, "refresh")[0]["enabled"], true);
    let set = repo.dfls(&["schedule", "set", ITEM, &id, "--daily", "07:00", "--disabled"]);
    assert_eq!(code(&set), 0, "{}", describe(&set));
    let changed = &schedules(&repo, "refresh")[0];
    assert_eq!(changed["configuration"]["type"], "Daily");
    assert_eq!(changed["enabled"], false);
    assert_eq!(code(&repo.dfls(&["schedule", "remove", ITEM, &id])), 0);
    assert_eq!(schedules(&repo, "refresh").len(), 3);
    let gone = repo.dfls(&["schedule", "remove", ITEM, &id]);
    assert_eq!(code(&gone), 3, "the API's ScheduleNotFound: {}", describe(&gone));
}

#[test]
fn what_fabric_would_refuse_is_refused_before_any_call() {
    let repo = Repo::served(quick());
    assert_eq!(code(&repo.dfls(&["push", ITEM])), 0);
    for (options, says) in [
        (&["--daily", "25:00"][..], "not a time of day"),
        (&["--weekly", "funday", "--at", "09:00"], "not a day of the week"),
        (&["--monthly", "32", "--at", "09:00"], "1 to 31"),
        (&["--every", "0"], "1 to 5270400"),
        (&["--every", "5", "--time-zone", "Mars/Olympus"], "not a time zone"),
        (&["--every", "5", "--start", "2027-01-01", "--end", "2026-01-01"], "before it starts"),
    ] {
        let mut args = vec!["schedule", "add", ITEM];
        args.extend(options);
        let output = repo.dfls(&args);
        assert_eq!(code(&output), 2, "{options:?}: {}", describe(&output));
        assert!(stderr(&output).contains(says), "{options:?}: {}", describe(&output));
    }
    assert!(schedules(&repo, "refresh").is_empty());
    // Fabric keeps 20 schedules an item.
    for _ in 0..20 {
        assert_eq!(code(&repo.dfls(&["schedule", "add", ITEM, "--every", "15"])), 0);
    }
    let full = repo.dfls(&["schedule", "add", ITEM, "--every", "15"]);
    assert_eq!(code(&full), 2, "{}", describe(&full));
    assert!(
        stderr(&full).contains("the most Fabric keeps (20; it would answer ScheduleExceedsLimit)"),
        "{}",
        describe(&full)
    );
}

/// `--to-folder` writes the item's `.schedules` (what Git integration keeps) as Fabric has them after the
/// change; the folder then checks clean and its next push sends the part.
#[test]
fn to_folder_writes_the_items_schedules_part() {
    let repo = Repo::served(quick());
    assert_eq!(code(&repo.dfls(&["push", ITEM])), 0);
    let added = repo.dfls(&["schedule", "add", ITEM, "--daily", "08:00", "--to-folder"]);
    assert_eq!(code(&added), 0, "{}", describe(&added));
    let published = repo.dfls(&["schedule", "add", ITEM, "--job", "publish", "--every", "60", "--to-folder"]);
    assert_eq!(code(&published), 0, "{}", describe(&published));
    let text = std::fs::read_to_string(repo.path(&format!("{ITEM}/.schedules"))).unwrap();
    let part: Value = serde_json::from_str(&text).unwrap();
    assert!(part["$schema"].as_str().unwrap().ends_with("schedules/1.0.0/schema.json"));
    let jobs: Vec<&str> =
        part["schedules"].as_array().unwrap().iter().map(|s| s["jobType"].as_str().unwrap()).collect();
    assert_eq!(jobs, ["Execute", "ApplyChanges"], "{text}");
    assert_eq!(part["schedules"][0]["configuration"]["times"], serde_json::json!(["08:00"]));
    let checked = repo.dfls(&["check", ITEM]);
    assert_eq!(code(&checked), 0, "{}", describe(&checked));
    let dry = repo.dfls(&["push", ITEM, "--dry-run"]);
    assert!(stdout(&dry).contains("would update `Sales Orders`: .schedules"), "{}", describe(&dry));
    // A display name is not a folder: refused before anything changes.
    let refused = repo.dfls(&["schedule", "add", "Sales Orders", "--every", "5", "--to-folder"]);
    assert_eq!(code(&refused), 2, "{}", describe(&refused));
    assert_eq!(schedules(&repo, "refresh").len(), 1);
}
