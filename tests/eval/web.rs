//! `Web.Contents` against a server on 127.0.0.1 started here: only the URL prefixes `[eval] web` allows are
//! fetched (redirects included), with the RelativePath, Query and Headers options; statuses, the size limit
//! and the timeout.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use dfls::eval::sources::local::Local;

use super::sources::eval_with;

/// A server of a few paths; it records the request line and headers of each request.
struct Server {
    base: String,
    requests: Arc<Mutex<Vec<String>>>,
}

fn serve() -> Server {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://127.0.0.1:{}", listener.local_addr().unwrap().port());
    let requests = Arc::new(Mutex::new(Vec::new()));
    let seen = requests.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut head = String::new();
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                    break;
                }
                head.push_str(&line);
            }
            seen.lock().unwrap().push(head.clone());
            let path = head.split(' ').nth(1).unwrap_or("/").to_owned();
            let (status, body, extra) = match path.split('?').next().unwrap() {
                "/api/data.json" => ("200 OK", "[1, 2]".to_owned(), String::new()),
                "/api/echo" => ("200 OK", path.clone(), String::new()),
                "/api/big" => ("200 OK", "x".repeat(5000), String::new()),
                "/api/away" => {
                    ("302 Found", String::new(), "Location: http://localhost:1/elsewhere\r\n".to_owned())
                }
                "/api/slow" => {
                    std::thread::sleep(Duration::from_secs(3));
                    ("200 OK", "late".to_owned(), String::new())
                }
                _ => ("404 Not Found", "nothing here".to_owned(), String::new()),
            };
            let _ = write!(
                stream,
                "HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n{extra}\r\n{body}",
                body.len()
            );
        }
    });
    Server { base, requests }
}

fn local(server: &Server) -> Local {
    Local { web: vec![format!("{}/api", server.base)], ..Local::default() }
}

#[test]
fn an_allowed_url_is_fetched_with_its_options() {
    let server = serve();
    let base = &server.base;
    let value = eval_with(
        &local(&server),
        &format!(
            r#"let Response = Web.Contents("{base}/api", [RelativePath = "data.json", Headers = [#"X-Test" = "yes"]]) in
               {{Json.Document(Response), Value.Metadata(Response)[Response.Status]}}"#
        ),
    );
    assert_eq!(value, serde_json::json!([[1, 2], 200]));
    let head = server.requests.lock().unwrap()[0].clone();
    assert!(head.starts_with("GET /api/data.json HTTP/1.1\r\n"), "{head}");
    assert!(head.to_ascii_lowercase().contains("x-test: yes"), "{head}");
    // The query: percent-encoded, a list repeats its key.
    let value = eval_with(
        &local(&server),
        &format!(
            r#"Text.FromBinary(Web.Contents("{base}/api/echo", [Query = [q = "a b&c", id = {{"1", "2"}}]]))"#
        ),
    );
    assert_eq!(value, "/api/echo?q=a%20b%26c&id=1&id=2");
}

#[test]
fn statuses_limits_and_timeouts() {
    let server = serve();
    let base = &server.base;
    let local = local(&server);
    let value = eval_with(&local, &format!(r#"Web.Contents("{base}/api/missing")"#));
    assert_eq!(value["reason"], "DataSource.Error");
    assert_eq!(
        value["message"],
        format!("Web.Contents failed to get contents from '{base}/api/missing' (404).")
    );
    let value = eval_with(
        &local,
        &format!(r#"Text.FromBinary(Web.Contents("{base}/api/missing", [ManualStatusHandling = {{404}}]))"#),
    );
    assert_eq!(value, "nothing here");
    let small = Local { max_web_bytes: 1000, ..local.clone() };
    let value = eval_with(&small, &format!(r#"Web.Contents("{base}/api/big")"#));
    assert_eq!(
        value["message"],
        format!("The answer of '{base}/api/big' is larger than dfls reads (1000 bytes).")
    );
    let value = eval_with(
        &local,
        &format!(r#"Web.Contents("{base}/api/slow", [Timeout = #duration(0, 0, 0, 0.5)])"#),
    );
    assert_eq!(
        value["message"],
        format!("Web.Contents failed to get contents from '{base}/api/slow': the request timed out.")
    );
}

#[test]
fn a_url_dfls_toml_does_not_allow_is_never_fetched() {
    let server = serve();
    let base = &server.base;
    // Outside the prefix, and a prefix that only looks like one (`/api` is not `/apix`).
    for url in [format!("{base}/other"), format!("{base}/apix?key=secret")] {
        let value = eval_with(&local(&server), &format!(r#"Web.Contents("{url}")"#));
        assert_eq!(value["reason"], "DataSource.Error");
        let message = value["message"].as_str().unwrap();
        assert!(message.contains("to `web = [...]` under `[eval]` in dfls.toml"), "{message}");
        assert!(!message.contains("secret"), "the query stays out of messages: {message}");
    }
    // A redirect out of the allowed prefixes is not followed.
    let value = eval_with(&local(&server), &format!(r#"Web.Contents("{base}/api/away")"#));
    let message = value["message"].as_str().unwrap();
    assert!(
        message.contains("a redirect to http://localhost:1/elsewhere, which dfls.toml does not allow"),
        "{message}"
    );
    assert_eq!(server.requests.lock().unwrap().len(), 1, "only the allowed URL was requested");
    // Without any setting.
    let value = eval_with(&Local::default(), &format!(r#"Web.Contents("{base}/api/data.json")"#));
    assert_eq!(value["reason"], "DataSource.Error");
}
