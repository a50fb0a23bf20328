//! Where requests go and how long they wait. Two raw servers on two ports of 127.0.0.1 are two origins:
//! a `continuationUri`, a 202's `Location` or a redirect pointing from one to the other is not followed,
//! and the other never sees the token (each server records the `Authorization` header it gets). An API that
//! accepts connections and never answers is given up on within the timeouts the environment sets, with a
//! word at the first slow try; a body that arrives slowly but steadily is read whole.

use std::io::Write;
use std::net::TcpListener;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use dfls::fabric::auth::{Auth, Token};
use dfls::fabric::http::{BodyLimit, Http, Policy, Repeat};
use dfls::fabric::{Client, FabricError};
use reqwest::Method;
use serde_json::json;

use crate::hostile::{answer, dfls_env_within, json_answer, no_panic, read_request, RawServer, ITEM_ID};
use crate::support::*;

const SECRET: &str = "s3cret-t0ken-for-one-origin";

/// A client of `base` whose token is [`SECRET`], with short waits.
fn client(base: &str) -> Client {
    let policy = Policy {
        backoff: Duration::from_millis(10),
        max_wait: Duration::from_millis(200),
        ..Policy::default()
    };
    Client::new(Http::new(base, Auth::Fixed(Token::new(SECRET)), policy).unwrap())
}

/// A server that records what it gets and answers every request with an empty list.
fn elsewhere() -> RawServer {
    RawServer::start(|_| json_answer(&json!({"value": []})))
}

#[test]
fn a_continuation_uri_on_another_origin_never_gets_the_token() {
    let other = elsewhere();
    let next = format!(
        "{}/workspaces/{}/items?continuationToken=x",
        other.base_url,
        dfls::emulator::DEFAULT_WORKSPACE_ID
    );
    let api = RawServer::start(move |_| json_answer(&json!({"value": [], "continuationUri": next})));
    let repo = api.repo_with_auth("\"env\"");
    let output = dfls_env_within(
        &repo,
        &["jobs", "Sales Orders"],
        &[("FABRIC_TOKEN", SECRET)],
        Duration::from_secs(60),
    );
    no_panic(&output);
    assert_eq!(code(&output), 3, "{}", describe(&output));
    assert!(stderr(&output).contains("another origin"), "{}", describe(&output));
    assert!(!stderr(&output).contains(SECRET) && !stdout(&output).contains(SECRET));
    assert_eq!(other.seen(), vec![], "the other origin got nothing, least of all the token");
    let expected = format!("Bearer {SECRET}");
    assert!(
        api.seen().iter().all(|(_, auth)| auth.as_deref() == Some(expected.as_str())),
        "{:?}",
        api.seen()
    );
}

#[test]
fn an_operation_on_another_origin_never_gets_the_token() {
    let other = elsewhere();
    let location = format!("{}/operations/0ca1fab0-0000-4000-8000-0000000000aa", other.base_url);
    let api = RawServer::start(move |_| {
        answer("202 Accepted", &[("location", &location), ("retry-after", "0")], "")
    });
    let error = client(&api.base_url).get_definition("w", ITEM_ID).unwrap_err();
    assert!(matches!(error, FabricError::Protocol(_)), "{error}");
    let message = error.to_string();
    assert!(
        message.contains("another origin") && message.contains(&other.base_url.replace("/v1", "")),
        "{message}"
    );
    assert_eq!(other.seen(), vec![]);
    assert_eq!(api.requests(), 1);
}

#[test]
fn a_redirect_to_another_origin_is_not_followed() {
    let other = elsewhere();
    let target = format!("{}/workspaces", other.base_url);
    let api = RawServer::start(move |_| answer("307 Temporary Redirect", &[("location", &target)], ""));
    let error = client(&api.base_url).workspaces().unwrap_err();
    assert!(matches!(&error, FabricError::Api(api) if api.status == 307), "{error}");
    assert_eq!(other.seen(), vec![]);

    // Within the origin a redirect is followed, with the token.
    let moved = Arc::new(AtomicUsize::new(0));
    let count = moved.clone();
    let api = RawServer::start(move |request| {
        if request.contains("/old") {
            count.fetch_add(1, Ordering::SeqCst);
            answer("307 Temporary Redirect", &[("location", "/v1/workspaces")], "")
        } else {
            json_answer(&json!({"value": []}))
        }
    });
    let answer =
        client(&api.base_url).http.send(Method::GET, "/old", None, Repeat::Safe, BodyLimit::Json).unwrap();
    assert_eq!(answer.status, 200);
    assert_eq!(moved.load(Ordering::SeqCst), 1);
    assert!(api.seen().iter().all(|(_, auth)| auth.as_deref() == Some(format!("Bearer {SECRET}").as_str())));
}

/// A listener on 127.0.0.1 that accepts every connection and never answers; the connections it holds.
fn silent() -> (String, Arc<Mutex<Vec<std::net::TcpStream>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}/v1", listener.local_addr().unwrap());
    let held = Arc::new(Mutex::new(Vec::new()));
    let holding = held.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            holding.lock().unwrap().push(stream);
        }
    });
    (base, held)
}

#[test]
fn an_api_that_never_answers_is_given_up_on_in_time() {
    let (base, held) = silent();
    let repo = Repo::bare();
    let toml = format!(
        "default-target = \"mute\"\n\n[targets.mute]\napi = \"{base}\"\nworkspace = \"{}\"\nauth = \"none\"\n",
        dfls::emulator::DEFAULT_WORKSPACE_ID
    );
    std::fs::write(repo.path("dfls.toml"), toml).unwrap();
    let started = Instant::now();
    let env = [("DFLS_READ_TIMEOUT", "0.5"), ("DFLS_GIVE_UP_AFTER", "2")];
    let output = dfls_env_within(&repo, &["jobs", "Sales Orders"], &env, Duration::from_secs(60));
    let took = started.elapsed();
    no_panic(&output);
    assert_eq!(code(&output), 3, "{}", describe(&output));
    let error = stderr(&output);
    assert_eq!(
        error.matches("has not answered in 0.5 s").count(),
        1,
        "said once, at the first slow try: {error}"
    );
    assert!(error.contains("trying again for at most 2 s"), "{error}");
    assert!(error.contains("timed out") && error.contains("tried"), "{error}");
    assert!(took < Duration::from_secs(20), "{took:?}");
    assert!(held.lock().unwrap().len() >= 2, "a read is tried again within the time allowed");

    // A timeout that is not a number of seconds is named.
    let output = dfls_env_within(
        &repo,
        &["jobs", "Sales Orders"],
        &[("DFLS_READ_TIMEOUT", "soon")],
        Duration::from_secs(60),
    );
    assert_eq!(code(&output), 2, "{}", describe(&output));
    assert!(
        stderr(&output).contains("DFLS_READ_TIMEOUT must be a number of seconds"),
        "{}",
        describe(&output)
    );
}

#[test]
fn a_body_that_arrives_slowly_but_steadily_is_read_whole() {
    // 20 pieces 100 ms apart: 2 s in all, far longer than the 500 ms the client waits between two reads.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}/v1", listener.local_addr().unwrap());
    let body = format!("{{\"value\": [], \"pad\": \"{}\"}}", "x".repeat(1900));
    let sent = body.clone();
    std::thread::spawn(move || {
        let Ok((mut stream, _)) = listener.accept() else { return };
        read_request(&stream);
        let head = format!("HTTP/1.1 200 OK\r\ncontent-length: {}\r\nconnection: close\r\n\r\n", body.len());
        let _ = stream.write_all(head.as_bytes());
        for piece in body.as_bytes().chunks(body.len().div_ceil(20)) {
            std::thread::sleep(Duration::from_millis(100));
            let _ = stream.write_all(piece);
            let _ = stream.flush();
        }
    });
    let policy = Policy { timeout: Duration::from_millis(500), retries: 0, ..Policy::default() };
    let http = Http::new(&base, Auth::Fixed(Token::new("t")), policy).unwrap();
    let started = Instant::now();
    let answer = http.send(Method::GET, "/workspaces", None, Repeat::Safe, BodyLimit::Json).unwrap();
    assert!(started.elapsed() > Duration::from_millis(1500), "{:?}", started.elapsed());
    assert_eq!(answer.body, sent.as_bytes());
}
