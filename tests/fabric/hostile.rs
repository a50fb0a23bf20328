//! Answers no real Fabric sends, from a raw HTTP server on 127.0.0.1 that writes whatever each test
//! scripts: `Retry-After: 1e20`, a date years ahead or garbage, timestamps with a year of 10^400, bodies
//! that never end or are not JSON. dfls must stay sane: a clean error or a sane wait, never a panic (exit
//! 101) or a hang. The command-line tests run the real binary; the waits are tested through the library
//! with a short [`Policy`], since the binary's own cap is a minute.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use dfls::emulator::DEFAULT_WORKSPACE_ID;
use dfls::fabric::auth::{Auth, Token};
use dfls::fabric::client::{JobType, StartedJob};
use dfls::fabric::http::{BodyLimit, Http, Policy, Repeat};
use dfls::fabric::{Client, FabricError};
use reqwest::Method;
use serde_json::{json, Value};

use crate::support::*;

/// The id of the one Dataflow the raw server lists.
pub(crate) const ITEM_ID: &str = "0ca1fab0-0000-4000-8000-00000000d00d";

/// What the raw server writes for one request.
pub(crate) enum Reply {
    /// These bytes, then the connection is closed.
    Raw(Vec<u8>),
    /// This head, then body bytes for as long as the client reads them.
    Endless(String),
}

/// A complete answer with a body and `Content-Length`.
pub(crate) fn answer(status: &str, headers: &[(&str, &str)], body: &str) -> Reply {
    let mut head = format!("HTTP/1.1 {status}\r\ncontent-length: {}\r\nconnection: close\r\n", body.len());
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    Reply::Raw(format!("{head}\r\n{body}").into_bytes())
}

pub(crate) fn json_answer(value: &Value) -> Reply {
    answer("200 OK", &[("content-type", "application/json")], &value.to_string())
}

/// The Dataflow list the raw server answers with: one item, `Sales Orders`.
fn items() -> Reply {
    json_answer(&json!({"value": [{"id": ITEM_ID, "displayName": "Sales Orders", "type": "Dataflow"}]}))
}

/// An HTTP server that answers each request with what `reply` returns for its request line
/// (`GET /v1/... HTTP/1.1`), one request a connection, and records each request line with its
/// `Authorization` header.
pub(crate) struct RawServer {
    pub(crate) base_url: String,
    requests: Arc<AtomicUsize>,
    seen: Arc<Mutex<Vec<Seen>>>,
}

/// A request as the raw server saw it: its request line and its `Authorization` header.
pub(crate) type Seen = (String, Option<String>);

impl RawServer {
    pub(crate) fn start(reply: impl Fn(&str) -> Reply + Send + Sync + 'static) -> RawServer {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let base_url = format!("http://{}/v1", listener.local_addr().unwrap());
        let requests = Arc::new(AtomicUsize::new(0));
        let seen = Arc::new(Mutex::new(Vec::new()));
        let (reply, counter, record) = (Arc::new(reply), requests.clone(), seen.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                let (reply, counter, record) = (reply.clone(), counter.clone(), record.clone());
                std::thread::spawn(move || {
                    let Some((request_line, authorization)) = read_request(&stream) else { return };
                    counter.fetch_add(1, Ordering::SeqCst);
                    record.lock().unwrap().push((request_line.clone(), authorization));
                    write_reply(stream, reply(&request_line));
                });
            }
        });
        RawServer { base_url, requests, seen }
    }

    pub(crate) fn requests(&self) -> usize {
        self.requests.load(Ordering::SeqCst)
    }

    /// Every request so far: its request line and its `Authorization` header.
    pub(crate) fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }

    /// A repository whose default target is this server (no token needed).
    pub(crate) fn repo(&self) -> Repo {
        self.repo_with_auth("\"none\"")
    }

    /// A repository whose default target is this server, with this `auth` (a TOML value).
    pub(crate) fn repo_with_auth(&self, auth: &str) -> Repo {
        let repo = Repo::bare();
        let toml = format!(
            "default-target = \"raw\"\n\n[targets.raw]\napi = \"{}\"\nworkspace = \"{DEFAULT_WORKSPACE_ID}\"\nauth = {auth}\n",
            self.base_url
        );
        std::fs::write(repo.path("dfls.toml"), toml).unwrap();
        repo
    }

    /// A client of this server with a short policy: waits of at most 200 ms, small body limits.
    fn client(&self) -> Client {
        let policy = Policy {
            throttle_retries: 3,
            retries: 2,
            backoff: Duration::from_millis(10),
            max_wait: Duration::from_millis(200),
            connect_timeout: Duration::from_secs(10),
            timeout: Duration::from_secs(30),
            give_up_after: Duration::from_secs(60),
            max_json_body: 4096,
            max_definition_body: 8192,
        };
        Client::new(Http::new(&self.base_url, Auth::Fixed(Token::new("t")), policy).unwrap())
    }
}

/// Reads one request (head, and a body by `Content-Length`) and returns its request line and its
/// `Authorization` header.
pub(crate) fn read_request(stream: &TcpStream) -> Option<Seen> {
    let mut reader = BufReader::new(stream.try_clone().ok()?);
    let (mut request_line, mut length, mut authorization) = (String::new(), 0usize, None);
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 {
            return None;
        }
        if request_line.is_empty() {
            request_line = line.trim_end().to_owned();
        }
        if let Some(value) = line.to_ascii_lowercase().strip_prefix("content-length:") {
            length = value.trim().parse().unwrap_or(0);
        }
        if line.to_ascii_lowercase().starts_with("authorization:") {
            authorization = Some(line["authorization:".len()..].trim().to_owned());
        }
        if line == "\r\n" {
            break;
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    Some((request_line, authorization))
}

fn write_reply(mut stream: TcpStream, reply: Reply) {
    match reply {
        Reply::Raw(bytes) => {
            let _ = stream.write_all(&bytes);
        }
        Reply::Endless(head) => {
            if stream.write_all(head.as_bytes()).is_err() {
                return;
            }
            let chunk = [b'x'; 64 * 1024];
            // Until the client hangs up; a bound keeps a broken test from writing forever.
            for _ in 0..1_000_000 {
                if stream.write_all(&chunk).is_err() {
                    return;
                }
            }
        }
    }
}

/// Runs dfls in `repo`, killing it after `limit` (a hang is a failure, not a stuck test).
pub(crate) fn dfls_within(repo: &Repo, args: &[&str], limit: Duration) -> Output {
    dfls_env_within(repo, args, &[], limit)
}

/// Runs dfls in `repo` with environment variables, killing it after `limit`.
pub(crate) fn dfls_env_within(repo: &Repo, args: &[&str], env: &[(&str, &str)], limit: Duration) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_dfls"))
        .current_dir(repo.dir.path())
        .args(args)
        .env_remove("FABRIC_TOKEN")
        .env_remove("DFLS_LOG")
        .envs(env.iter().copied())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > limit {
            let _ = child.kill();
            let output = child.wait_with_output().unwrap();
            panic!("dfls {args:?} still ran after {limit:?}: {}", describe(&output));
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}

pub(crate) fn no_panic(output: &Output) {
    assert_ne!(code(output), 101, "dfls panicked: {}", describe(output));
    assert!(!stderr(output).contains("panicked"), "{}", describe(output));
}

/// The jobs a hostile server lists: timestamps no calendar has.
fn absurd_jobs() -> Value {
    let job = |id: &str, start: &str, end: &str| {
        json!({"id": id, "itemId": ITEM_ID, "jobType": "Execute", "invokeType": "Manual", "status": "Completed",
               "startTimeUtc": start, "endTimeUtc": end, "failureReason": null})
    };
    json!({"value": [
        job("10000000-0000-4000-8000-000000000001", "2023-01-01T00:00:00", "2023-01-01T1e400:00:00"),
        job("10000000-0000-4000-8000-000000000002", "1e20", "2023-01-01T00:00:00"),
        job("10000000-0000-4000-8000-000000000003", "99999999999-01-01T00:00:00", "NaN"),
        job("10000000-0000-4000-8000-000000000004", "2023-01-02T00:00:00", "2023-01-01T00:00:00"),
        job("10000000-0000-4000-8000-000000000005", "2023-04-22T06:35:00.5000000", "2023-04-22T06:35:03.0000000"),
    ]})
}

#[test]
fn absurd_job_timestamps_are_shown_as_given_without_a_duration() {
    let server = RawServer::start(|request| {
        if request.contains("/jobs/instances") {
            json_answer(&absurd_jobs())
        } else {
            items()
        }
    });
    let repo = server.repo();
    let listed = dfls_within(&repo, &["jobs", "Sales Orders"], Duration::from_secs(60));
    no_panic(&listed);
    assert_eq!(code(&listed), 0, "{}", describe(&listed));
    let table = stdout(&listed);
    assert!(table.contains("2023-01-01T00:00:00"), "{table}");
    assert!(table.contains("1e20"), "a malformed timestamp is shown as given: {table}");
    assert!(table.contains("2.5 s"), "a sane job keeps its duration: {table}");

    let (_, json) = repo.json(&["jobs", "Sales Orders"]);
    let durations: Vec<&Value> =
        json["jobs"].as_array().unwrap().iter().map(|job| &job["duration"]).collect();
    assert_eq!(durations.iter().filter(|d| d.is_null()).count(), 4, "{json}");
    assert!(durations.contains(&&json!(2.5)), "{json}");

    let status = dfls_within(
        &repo,
        &["status", "Sales Orders", "10000000-0000-4000-8000-000000000001"],
        Duration::from_secs(60),
    );
    no_panic(&status);
}

#[test]
fn a_job_instance_with_an_absurd_end_is_still_a_status() {
    let server = RawServer::start(|request| {
        if request.contains("/jobs/instances/") {
            json_answer(&absurd_jobs()["value"][0])
        } else {
            items()
        }
    });
    let repo = server.repo();
    let status = dfls_within(
        &repo,
        &["status", "Sales Orders", "10000000-0000-4000-8000-000000000001"],
        Duration::from_secs(60),
    );
    no_panic(&status);
    assert_eq!(code(&status), 0, "{}", describe(&status));
    assert!(stdout(&status).contains("ended:    2023-01-01T1e400:00:00"), "{}", describe(&status));
    assert!(!stdout(&status).contains("duration:"), "{}", describe(&status));
}

#[test]
fn an_answer_that_is_not_json_is_a_clear_error() {
    let server = RawServer::start(|_| {
        answer("200 OK", &[("content-type", "text/html")], "<html><body>Sign in to the proxy</body></html>")
    });
    let output = dfls_within(&server.repo(), &["jobs", "Sales Orders"], Duration::from_secs(60));
    no_panic(&output);
    assert_eq!(code(&output), 3, "{}", describe(&output));
    let error = stderr(&output);
    assert!(error.contains("not the JSON the API sends"), "{error}");
    assert!(error.contains("<html><body>Sign in"), "the start of the answer is shown: {error}");
}

#[test]
fn an_endless_body_is_cut_at_its_limit() {
    // A success answer that never ends: the list of items (16 MiB is the most read for it).
    let server =
        RawServer::start(|_| Reply::Endless("HTTP/1.1 200 OK\r\nconnection: close\r\n\r\n".to_owned()));
    let output = dfls_within(&server.repo(), &["jobs", "Sales Orders"], Duration::from_secs(90));
    no_panic(&output);
    assert_eq!(code(&output), 3, "{}", describe(&output));
    assert!(stderr(&output).contains("the answer is larger than 16 MiB"), "{}", describe(&output));

    // A Content-Length past the limit is refused before a byte of the body is read.
    let server = RawServer::start(|_| {
        Reply::Raw(b"HTTP/1.1 200 OK\r\ncontent-length: 1099511627776\r\n\r\n{".to_vec())
    });
    let output = dfls_within(&server.repo(), &["jobs", "Sales Orders"], Duration::from_secs(60));
    no_panic(&output);
    assert_eq!(code(&output), 3, "{}", describe(&output));
    assert!(stderr(&output).contains("the answer is larger than 16 MiB"), "{}", describe(&output));

    // An error answer that never ends: its start is read, and it is the error.
    let server = RawServer::start(|_| {
        Reply::Endless(
            "HTTP/1.1 400 Bad Request\r\nx-ms-public-api-error-code: InvalidInput\r\n\r\n".to_owned(),
        )
    });
    let output = dfls_within(&server.repo(), &["jobs", "Sales Orders"], Duration::from_secs(60));
    no_panic(&output);
    assert_eq!(code(&output), 3, "{}", describe(&output));
    assert!(stderr(&output).contains("InvalidInput (400)"), "{}", describe(&output));
}

#[test]
fn body_limits_are_per_kind_of_answer() {
    // A JSON document of exactly `size` bytes.
    let body = |size: usize| format!("{{\"value\": [], \"pad\": \"{}\"}}", "x".repeat(size - 24));
    let server = RawServer::start(move |request| {
        let size = if request.contains("/small") { 4096 } else { 6000 };
        answer("200 OK", &[], &body(size))
    });
    let client = server.client();
    let send = |path: &str, limit| client.http.send(Method::GET, path, None, Repeat::Safe, limit);
    assert_eq!(send("/small", BodyLimit::Json).unwrap().body.len(), 4096, "exactly the limit is read");
    let error = send("/large", BodyLimit::Json).unwrap_err().to_string();
    assert!(error.contains("GET /large: the answer is larger than 4096 bytes"), "{error}");
    assert_eq!(send("/large", BodyLimit::Definition).unwrap().body.len(), 6000, "a definition may be larger");
}

#[test]
fn an_answer_that_breaks_off_is_retried_then_an_error() {
    let server = RawServer::start(|_| {
        Reply::Raw(b"HTTP/1.1 200 OK\r\ncontent-length: 1000\r\n\r\n{\"value\": [".to_vec())
    });
    let client = server.client();
    let error = client.workspaces().unwrap_err();
    assert!(matches!(error, FabricError::Unreachable { .. }), "{error}");
    assert!(error.to_string().contains("the answer broke off"), "{error}");
    assert_eq!(server.requests(), 3, "a read is tried again, twice");
}

/// A server that throttles the first request with `retry_after`, then lists no workspaces.
fn throttling_once(retry_after: &'static str) -> RawServer {
    let calls = AtomicUsize::new(0);
    RawServer::start(move |_| {
        if calls.fetch_add(1, Ordering::SeqCst) == 0 {
            answer(
                "429 Too Many Requests",
                &[("retry-after", retry_after)],
                "{\"errorCode\": \"RequestBlocked\"}",
            )
        } else {
            json_answer(&json!({"value": []}))
        }
    })
}

#[test]
fn a_huge_or_far_retry_after_is_capped() {
    for retry_after in ["1e20", "18446744073709551616", "inf", "Wed, 01 Jan 9000 00:00:00 GMT"] {
        let server = throttling_once(retry_after);
        let started = Instant::now();
        let listed = server.client().workspaces();
        assert_eq!(listed.unwrap(), vec![], "{retry_after}");
        assert_eq!(server.requests(), 2, "{retry_after}");
        // The policy waits at most 200 ms; the server asked for years.
        assert!(started.elapsed() < Duration::from_secs(10), "{retry_after}: {:?}", started.elapsed());
    }
}

#[test]
fn a_malformed_retry_after_falls_back_on_the_backoff() {
    for retry_after in ["-1", "NaN", "-inf", "soon", "1 2", "Mon, 99 Foo 2024"] {
        let server = throttling_once(retry_after);
        let started = Instant::now();
        assert_eq!(server.client().workspaces().unwrap(), vec![], "{retry_after}");
        assert_eq!(server.requests(), 2, "{retry_after}");
        assert!(started.elapsed() < Duration::from_secs(10), "{retry_after}: {:?}", started.elapsed());
    }
}

#[test]
fn a_job_started_with_an_absurd_retry_after_is_followed_sanely() {
    let looks = AtomicUsize::new(0);
    let server = RawServer::start(move |request| {
        if request.starts_with("POST ") {
            let location = format!("/v1/workspaces/w/items/{ITEM_ID}/jobs/instances/j1");
            return answer("202 Accepted", &[("location", &location), ("retry-after", "1e20")], "");
        }
        // The job's own answers also ask for absurd waits until it ends, and its timestamps are absurd.
        let status = if looks.fetch_add(1, Ordering::SeqCst) < 2 { "InProgress" } else { "Completed" };
        answer(
            "200 OK",
            &[("retry-after", "NaN")],
            &json!({"id": "j1", "status": status, "startTimeUtc": "1e20", "endTimeUtc": "2023-01-01T1e400:00:00"})
                .to_string(),
        )
    });
    let client = server.client();
    let started = Instant::now();
    let job: StartedJob = client.run_job("w", ITEM_ID, JobType::Execute, None).unwrap();
    assert_eq!(job.retry_after, Some(Duration::from_millis(200)), "capped at the policy's wait");
    let finished = client.wait_job("w", ITEM_ID, &job, &mut |_| {}, &|| false).unwrap();
    assert!(finished.succeeded());
    assert_eq!(finished.run_time(), None);
    assert!(started.elapsed() < Duration::from_secs(20), "{:?}", started.elapsed());
}
