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

/// A `dfls emulator` process serving a temporary store with a clock 600 times as fast as real time (a
/// minute every 0.1 s); killed when dropped.
struct FastEmulator {
    child: std::process::Child,
    base: String,
    _store: tempfile::TempDir,
}

impl FastEmulator {
    fn start() -> FastEmulator {
        use std::io::BufRead as _;
        let store = tempfile::tempdir().unwrap();
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_dfls"))
            .args([
                "emulator",
                "--listen",
                "127.0.0.1:0",
                "--job-seconds",
                "0",
                "--clock-speed",
                "600",
                "--data-dir",
            ])
            .arg(store.path())
            .env_remove("DFLS_EMULATOR_TOKEN")
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("dfls emulator runs");
        let mut first = String::new();
        std::io::BufReader::new(child.stdout.take().unwrap()).read_line(&mut first).unwrap();
        FastEmulator { child, base: first.trim_end().to_owned(), _store: store }
    }

    /// A repository with the Sales example whose default target is this emulator.
    fn repo(&self) -> Repo {
        let repo = Repo::bare();
        let toml = format!(
            "default-target = \"fast\"\n\n[targets.fast]\napi = \"{}\"\nworkspace = \"{}\"\nauth = \"none\"\n",
            self.base,
            dfls::emulator::DEFAULT_WORKSPACE_ID
        );
        std::fs::write(repo.path("dfls.toml"), toml).unwrap();
        repo
    }
}

impl Drop for FastEmulator {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn scheduled_jobs(repo: &Repo) -> Vec<Value> {
    let (output, value) = repo.json(&["jobs", ITEM]);
    assert_eq!(code(&output), 0, "{}", describe(&output));
    value["jobs"].as_array().unwrap().iter().filter(|job| job["invokeType"] == "Scheduled").cloned().collect()
}

/// The local Fabric runs schedules: against `dfls emulator --clock-speed 600`, a schedule added with
/// `dfls schedule add --every 1` starts Execute jobs with invokeType "Scheduled", which `dfls jobs` lists;
/// while it is disabled it starts none; and it starts one per due time, not one per look.
#[test]
fn a_schedule_runs_under_a_fast_clock_and_dfls_jobs_lists_its_jobs() {
    let fabric = FastEmulator::start();
    let repo = fabric.repo();
    assert_eq!(code(&repo.dfls(&["push", ITEM])), 0);
    let (added, value) = repo.json(&["schedule", "add", ITEM, "--every", "1", "--disabled"]);
    assert_eq!(code(&added), 0, "{}", describe(&added));
    let id = value["schedule"]["id"].as_str().unwrap().to_owned();
    // A second and a half is 15 minutes of the emulator's time: a disabled schedule fires in none.
    std::thread::sleep(std::time::Duration::from_millis(1500));
    assert_eq!(scheduled_jobs(&repo), Vec::<Value>::new());

    let enabled_at = std::time::Instant::now();
    assert_eq!(code(&repo.dfls(&["schedule", "enable", ITEM, &id])), 0);
    let deadline = enabled_at + std::time::Duration::from_secs(30);
    let jobs = loop {
        let jobs = scheduled_jobs(&repo);
        if jobs.len() >= 3 {
            break jobs;
        }
        assert!(std::time::Instant::now() < deadline, "no scheduled jobs after 30 s: {jobs:?}");
        std::thread::sleep(std::time::Duration::from_millis(100));
    };
    // Each real second is ten due times; the scheduler looks forty times a second: one job per due time
    // at most (the count was read within the time measured, so it cannot exceed those due times).
    let due_times = enabled_at.elapsed().as_secs_f64() * 10.0 + 1.0;
    assert!((jobs.len() as f64) <= due_times, "{} jobs in {due_times} due times", jobs.len());
    for job in &jobs {
        assert_eq!(job["jobType"], "Execute", "{job}");
    }
    let table = repo.dfls(&["jobs", ITEM]);
    assert!(
        stdout(&table).contains("INVOKED") && stdout(&table).contains("Scheduled"),
        "{}",
        describe(&table)
    );
}

/// `dfls schedule list` shows a schedule's times in the user's time zone (`TZ` here) with its abbreviation,
/// and in the schedule's own zone where that differs; `--output json` keeps Fabric's UTC values.
#[test]
fn times_are_shown_in_the_users_time_zone() {
    let repo = Repo::served(quick());
    assert_eq!(code(&repo.dfls(&["push", ITEM])), 0);
    let args = [
        "schedule",
        "add",
        ITEM,
        "--daily",
        "08:00",
        "--time-zone",
        "America/Chicago",
        "--start",
        "2030-01-01T00:00:00Z",
        "--end",
        "2031-01-01",
    ];
    assert_eq!(code(&repo.dfls(&args)), 0);
    let listed = repo.dfls_env(&["schedule", "list", ITEM], &[("TZ", "Asia/Tokyo")]);
    let text = stdout(&listed);
    // The first run: 08:00 in Chicago on 2030-01-01 (CST, UTC-6) is 14:00 UTC, 23:00 in Tokyo.
    assert!(
        text.contains("from 2030-01-01 09:00 JST (2029-12-31 18:00 CST in the schedule's zone)"),
        "{}",
        describe(&listed)
    );
    assert!(
        text.contains("next run 2030-01-01 23:00 JST (2030-01-01 08:00 CST in the schedule's zone)"),
        "{text}"
    );
    // In the schedule's own zone, one time is enough.
    let at_home = repo.dfls_env(&["schedule", "list", ITEM], &[("TZ", "America/Chicago")]);
    assert!(stdout(&at_home).contains("next run 2030-01-01 08:00 CST\n"), "{}", describe(&at_home));
    let (_, json) = repo.json(&["schedule", "list", ITEM]);
    assert_eq!(json["schedules"][0]["configuration"]["startDateTime"], "2030-01-01T00:00:00Z");
}

/// Runs `args` and asserts Fabric's error code, its sentence (the API's message, after `: `) and exit code 3
/// (the remote refused).
#[track_caller]
fn refused<S: AsRef<str>>(repo: &Repo, args: &[S], code_name: &str) {
    let args: Vec<&str> = args.iter().map(AsRef::as_ref).collect();
    let args = args.as_slice();
    let output = repo.dfls(args);
    assert_eq!(code(&output), 3, "{args:?}: {}", describe(&output));
    let text = stderr(&output);
    let line = text.lines().find(|l| l.starts_with("dfls: error:")).unwrap_or_else(|| panic!("{text}"));
    assert!(line.contains(&format!("the API refused: {code_name} (")), "{args:?}: {text}");
    let sentence = line.rsplit_once(": ").map(|(_, s)| s).unwrap_or_default();
    assert!(sentence.len() > 20 && sentence.ends_with('.'), "{args:?}: a sentence, not `{sentence}`");
}

/// Each schedule command (and `ls`, `delete`, `set`, `parameters`) reports what Fabric refuses with its error
/// code, a sentence and exit code 3; what dfls refuses before any call (an unknown Dataflow, an invalid
/// time zone, a 21st schedule) with a sentence and exit code 2, as DESIGN.md says.
#[test]
fn refusals_carry_fabrics_code_a_sentence_and_the_exit_code() {
    let repo = Repo::served(quick());
    assert_eq!(code(&repo.dfls(&["push", ITEM])), 0);
    let (_, added) = repo.json(&["schedule", "add", ITEM, "--every", "30"]);
    let id = added["schedule"]["id"].as_str().unwrap().to_owned();
    let unknown = "0ca1fab0-0000-4000-8000-000000000099";
    let schedule_commands = |id: &str| -> Vec<Vec<String>> {
        let with = |words: &[&str]| words.iter().map(|w| (*w).to_owned()).collect::<Vec<String>>();
        vec![
            with(&["schedule", "list", ITEM]),
            with(&["schedule", "add", ITEM, "--every", "5"]),
            with(&["schedule", "set", ITEM, id, "--daily", "08:00"]),
            with(&["schedule", "enable", ITEM, id]),
            with(&["schedule", "disable", ITEM, id]),
            with(&["schedule", "remove", ITEM, id]),
        ]
    };
    let other_commands = [
        &["ls"][..],
        &["delete", "Sales Orders", "--yes"],
        &["set", "Sales Orders", "--description", "x"],
        &["parameters", "Sales Orders"],
    ];

    // 403: the caller may not touch schedules.
    repo.set(|options| options.faults.forbid = Some("/schedules".to_owned()));
    for args in schedule_commands(&id) {
        refused(&repo, &args, "InsufficientPrivileges");
    }
    repo.set(|options| options.faults.forbid = None);

    // 429: throttled past the client's retries.
    repo.set(|options| {
        options.faults.throttle_every = 1;
        options.faults.throttle_retry_after = 0;
    });
    for args in schedule_commands(&id) {
        refused(&repo, &args, "RequestBlocked");
    }
    for args in other_commands {
        refused(&repo, args, "RequestBlocked");
    }
    repo.set(|options| options.faults.throttle_every = 0);

    // 404: a schedule Fabric has not; then a workspace it has not, for every command.
    for args in schedule_commands(unknown).into_iter().skip(2) {
        refused(&repo, &args, "ScheduleNotFound");
    }
    let toml = std::fs::read_to_string(repo.path("dfls.toml")).unwrap();
    std::fs::write(repo.path("dfls.toml"), toml.replace(dfls::emulator::DEFAULT_WORKSPACE_ID, unknown))
        .unwrap();
    for args in schedule_commands(&id) {
        refused(&repo, &args, "WorkspaceNotFound");
    }
    for args in other_commands {
        refused(&repo, args, "WorkspaceNotFound");
    }
    std::fs::write(repo.path("dfls.toml"), toml).unwrap();

    // Refused by dfls before any call: exit code 2 and a sentence.
    let mut no_such: Vec<Vec<&str>> =
        vec![vec!["schedule", "list", "No Such"], vec!["schedule", "add", "No Such", "--every", "5"]];
    no_such.extend([
        vec!["delete", "No Such", "--yes"],
        vec!["set", "No Such", "--description", "x"],
        vec!["parameters", "No Such"],
    ]);
    for args in no_such {
        let output = repo.dfls(&args);
        assert_eq!(code(&output), 2, "{args:?}: {}", describe(&output));
        assert!(stderr(&output).contains("there is no Dataflow named `No Such`"), "{}", describe(&output));
    }
    // A schedule id is a GUID: anything else is never sent as a path of the API (`../..` would leave the
    // schedules; before this check the DELETE went to `.../jobs/Execute/x`).
    for args in [
        &["schedule", "remove", ITEM, "../../x"][..],
        &["schedule", "enable", ITEM, "not-an-id"],
        &["schedule", "set", ITEM, "a/b", "--every", "5"],
    ] {
        let output = repo.dfls(args);
        assert_eq!(code(&output), 2, "{args:?}: {}", describe(&output));
        assert!(stderr(&output).contains("is not a schedule id"), "{}", describe(&output));
    }
    let zone = repo.dfls(&["schedule", "add", ITEM, "--every", "5", "--time-zone", "Mars/Olympus"]);
    assert_eq!(code(&zone), 2, "{}", describe(&zone));
    assert!(stderr(&zone).contains("`Mars/Olympus` is not a time zone"), "{}", describe(&zone));

    // ScheduleExceedsLimit: 20 an item, refresh and publish together.
    for _ in 0..10 {
        assert_eq!(code(&repo.dfls(&["schedule", "add", ITEM, "--job", "publish", "--every", "60"])), 0);
    }
    for _ in 0..9 {
        assert_eq!(code(&repo.dfls(&["schedule", "add", ITEM, "--every", "60"])), 0);
    }
    let full = repo.dfls(&["schedule", "add", ITEM, "--every", "60"]);
    assert_eq!(code(&full), 2, "{}", describe(&full));
    assert!(stderr(&full).contains("it would answer ScheduleExceedsLimit"), "{}", describe(&full));
}

/// `DFLS_CLOCK_SPEED` speeds up the embedded local Fabric's clock: its schedules fire while a command
/// runs, and the times it shows are of its clock; a speed that is not one is a configuration error.
#[test]
fn the_embedded_local_fabric_takes_its_clock_speed_from_the_environment() {
    let repo = Repo::bare();
    assert_eq!(code(&repo.dfls(&["push", ITEM])), 0);
    assert_eq!(code(&repo.dfls(&["schedule", "add", ITEM, "--every", "1"])), 0);
    let real_now = jiff::Timestamp::now();
    // A million times real time: a millisecond is more than a quarter of an hour.
    let fast = [("DFLS_CLOCK_SPEED", "1000000")];
    let mut scheduled = Vec::new();
    for _ in 0..20 {
        let output = repo.dfls_env(&["jobs", ITEM, "--output", "json"], &fast);
        assert_eq!(code(&output), 0, "{}", describe(&output));
        let value: Value = serde_json::from_slice(&output.stdout).unwrap();
        scheduled = value["jobs"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|j| j["invokeType"] == "Scheduled")
            .cloned()
            .collect();
        if !scheduled.is_empty() {
            break;
        }
    }
    let job = scheduled.first().expect("a scheduled job while a command ran");
    let started: jiff::civil::DateTime = job["startTimeUtc"].as_str().unwrap().parse().unwrap();
    let started = jiff::tz::TimeZone::UTC.to_timestamp(started).unwrap();
    assert!(started > real_now + jiff::SignedDuration::from_mins(30), "{started} is of the fast clock");
    let wrong = repo.dfls_env(&["jobs", ITEM], &[("DFLS_CLOCK_SPEED", "fast")]);
    assert_eq!(code(&wrong), 2, "{}", describe(&wrong));
    assert!(stderr(&wrong).contains("DFLS_CLOCK_SPEED: `fast` is not a clock speed"), "{}", describe(&wrong));
}
