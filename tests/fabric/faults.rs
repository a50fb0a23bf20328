//! The client under injected faults: throttling storms, server errors, slow long-running operations, an
//! expired token, an API that cannot be reached, bad configuration.

use dfls::emulator::LroMode;

use crate::support::*;

#[test]
fn a_429_storm_and_500s_are_ridden_out() {
    let repo = Repo::served(quick());
    repo.set(|options| {
        options.faults.throttle_every = 2;
        options.faults.throttle_retry_after = 0;
    });
    let (pushed, value) = repo.json(&["push", ITEM, "--publish", "--wait"]);
    assert_eq!(code(&pushed), 0, "{}", describe(&pushed));
    assert_eq!(value["items"][0]["jobs"][0]["status"], "Completed");

    repo.set(|options| {
        options.faults.throttle_every = 0;
        options.faults.fail_every = 3;
    });
    let (listed, jobs) = repo.json(&["jobs", ITEM]);
    assert_eq!(code(&listed), 0, "reads are retried after a 500: {}", describe(&listed));
    assert_eq!(jobs["jobs"].as_array().unwrap().len(), 1);
}

#[test]
fn a_create_is_never_repeated_blindly() {
    let repo = Repo::served(quick());
    // The create is done, but its answer is lost: the client must find the item, not create a second.
    let proxy = LossyProxy::start(&repo.fabric().base_url(), |request| {
        request.starts_with("POST ") && request.contains("/dataflows HTTP")
    });
    let toml = std::fs::read_to_string(repo.path("dfls.toml"))
        .unwrap()
        .replace(&repo.fabric().base_url(), &proxy.base_url);
    std::fs::write(repo.path("dfls.toml"), toml).unwrap();
    let (pushed, value) = repo.json(&["push", ITEM]);
    assert_eq!(code(&pushed), 0, "{}", describe(&pushed));
    let id = value["items"][0]["id"].as_str().unwrap().to_owned();
    let (_, again) = repo.json(&["push", ITEM]);
    assert_eq!(again["items"][0]["action"], "unchanged", "{again}");
    assert_eq!(again["items"][0]["id"], id.as_str(), "one item, the one created");

    // Server errors on every other request: the create is retried only after looking the item up.
    let repo = Repo::served(quick());
    repo.set(|options| options.faults.fail_every = 2);
    let output = repo.dfls(&["push", ITEM]);
    repo.set(|options| options.faults.fail_every = 0);
    let (_, after) = repo.json(&["push", ITEM]);
    let action = after["items"][0]["action"].as_str().unwrap().to_owned();
    assert!(
        (code(&output) == 0 && action == "unchanged") || (code(&output) == 3 && action == "create"),
        "{action}: {}",
        describe(&output)
    );
}

#[test]
fn long_running_operations_are_followed() {
    let repo = Repo::served(quick());
    repo.set(|options| {
        options.lro = LroMode::Always;
        options.operation_seconds = 0.5;
    });
    let (pushed, value) = repo.json(&["push", ITEM]);
    assert_eq!(code(&pushed), 0, "{}", describe(&pushed));
    assert!(value["items"][0]["id"].as_str().is_some_and(|id| id.len() == 36), "{value}");
    std::fs::write(repo.path(&format!("{ITEM}/mashup.pq")), "section Section1;\nshared Q = 1;\n").unwrap();
    // getDefinition (with a result) and updateDefinition (without one) through operations.
    let (_, updated) = repo.json(&["push", ITEM, "--force"]);
    assert_eq!(updated["items"][0]["action"], "update", "{updated}");
    let (_, copy) = repo.json(&["pull", "Sales Orders", "--to", "copy"]);
    assert_eq!(copy["created"].as_array().map(Vec::len), Some(3), "{copy}");
}

#[test]
fn a_failed_operation_is_an_error_with_its_reason() {
    let repo = Repo::served(quick());
    repo.set(|options| {
        options.lro = LroMode::Always;
        options.faults.operations_fail = Some("the capacity is paused (injected)".into());
    });
    let before = repo.item_files();
    let output = repo.dfls(&["push", ITEM]);
    assert_eq!(code(&output), 3, "{}", describe(&output));
    let error = stderr(&output);
    assert!(error.contains("failed") && error.contains("UnknownError"), "{error}");
    assert!(error.contains("the capacity is paused (injected)"), "the operation's own reason: {error}");
    assert_eq!(repo.item_files(), before, "nothing local changed");
}

#[test]
fn an_expired_token_is_acquired_again_once() {
    let repo = Repo::served(quick());
    let counter = repo.path("token-calls");
    let command = format!("echo x >> '{}'; echo token-value", counter.display());
    let toml = std::fs::read_to_string(repo.path("dfls.toml")).unwrap().replace(
        "auth = \"none\"",
        &format!("auth = {{ command = [\"sh\", \"-c\", \"{}\"] }}", command.replace('"', "\\\"")),
    );
    std::fs::write(repo.path("dfls.toml"), toml).unwrap();
    assert_eq!(code(&repo.dfls(&["jobs", ITEM])), 2, "no such item yet, but the token worked");
    std::fs::remove_file(&counter).unwrap();

    repo.set(|options| options.faults.token_expired = true);
    let output = repo.dfls(&["push", ITEM]);
    assert_eq!(code(&output), 3, "{}", describe(&output));
    assert!(stderr(&output).contains("TokenExpired"), "{}", describe(&output));
    let calls = std::fs::read_to_string(&counter).unwrap().lines().count();
    assert_eq!(calls, 2, "one token, then one more after TokenExpired");
    assert!(!stderr(&output).contains("token-value"), "the token is never shown");
}

#[test]
fn an_unreachable_api_is_exit_code_3_and_touches_nothing() {
    let repo = Repo::bare();
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    std::fs::write(
        repo.path("dfls.toml"),
        format!("[targets.gone]\napi = \"http://127.0.0.1:{port}/v1\"\nworkspace = \"w\"\nauth = \"none\"\n"),
    )
    .unwrap();
    let before = repo.item_files();
    for args in [vec!["push", ITEM, "--target", "gone"], vec!["pull", ITEM, "--target", "gone", "--force"]] {
        let output = repo.dfls(&args);
        assert_eq!(code(&output), 3, "{}", describe(&output));
        assert!(stderr(&output).contains("could not reach"), "{}", describe(&output));
    }
    assert_eq!(repo.item_files(), before);
}

#[test]
fn configuration_mistakes_are_exit_code_2() {
    let repo = Repo::bare();
    std::fs::write(repo.path("dfls.toml"), "[targets.dev]\nworkspace = \"w\"\nauth = \"env\"\n").unwrap();
    let unknown = repo.dfls(&["push", ITEM, "--target", "prod"]);
    assert_eq!(code(&unknown), 2, "{}", describe(&unknown));
    assert!(stderr(&unknown).contains("no target `prod`"), "{}", describe(&unknown));
    let no_token = repo.dfls(&["jobs", ITEM, "--target", "dev"]);
    assert_eq!(code(&no_token), 2, "{}", describe(&no_token));
    assert!(stderr(&no_token).contains("FABRIC_TOKEN is not set"), "{}", describe(&no_token));
}
