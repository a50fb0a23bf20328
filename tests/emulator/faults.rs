//! Admission and injected faults: 401 without or with a wrong token, 400 for a `Host` that is not this
//! machine's loopback, 415 for a body that is not JSON, `TokenExpired`, 429 every Nth request with
//! `Retry-After`, 500 every Nth, jobs that fail.

use dfls::emulator::{Faults, Hosts, Options, DEFAULT_WORKSPACE_ID as WS};
use serde_json::{json, Value};

use crate::support::{sales_orders, Fabric};

#[test]
fn tokens_are_required_and_never_echoed() {
    let fabric = Fabric::with(Options { token: Some("s3cret-token".into()), ..Options::default() });
    fabric.call_with("GET", "/workspaces", None, None).expect_error(401, "Unauthorized");
    let reply = fabric
        .call_with("GET", "/workspaces", None, Some("wrong-token-value"))
        .expect_error(401, "Unauthorized");
    assert!(!reply.text.contains("wrong-token-value"));
    fabric.call_with("GET", "/workspaces", None, Some("s3cret-token")).expect(200);

    let any = Fabric::start();
    any.call_with("GET", "/workspaces", None, Some("whatever")).expect(200);
    any.call_with("GET", "/workspaces", None, Some("")).expect_error(401, "Unauthorized");
    // The admin endpoint needs a token too.
    let admin = any.base.trim_end_matches("/v1").to_string() + "/admin/faults";
    any.call_with("GET", &admin, None, None).expect_error(401, "Unauthorized");
}

/// Sends `method` to `url` with this `Host` header and optionally a body with a `Content-Type`; the
/// status and the `errorCode`.
fn send(
    fabric: &Fabric,
    method: &str,
    url: &str,
    host: Option<&str>,
    body: Option<(&str, &str)>,
) -> (u16, Value) {
    let mut request = fabric.http.request(method.parse().unwrap(), url).bearer_auth(&fabric.token);
    if let Some(host) = host {
        request = request.header("host", host);
    }
    if let Some((content_type, text)) = body {
        request = request.header("content-type", content_type).body(text.to_string());
    }
    let reply = request.send().expect("the emulator answers");
    let status = reply.status().as_u16();
    let body: Value = serde_json::from_str(&reply.text().unwrap()).unwrap_or(Value::Null);
    (status, body["errorCode"].clone())
}

#[test]
fn only_the_loopback_host_names_are_answered() {
    let fabric = Fabric::start();
    let url = format!("{}/workspaces", fabric.base);
    let port = fabric.base.rsplit(':').next().unwrap().trim_end_matches("/v1").to_string();
    for host in
        ["localhost", &format!("localhost:{port}"), "LocalHost.", "127.0.0.1", "127.1.2.3:80", "[::1]:8080"]
    {
        assert_eq!(send(&fabric, "GET", &url, Some(host), None).0, 200, "{host}");
    }
    // A page of another site whose name resolves to 127.0.0.1 (DNS rebinding) gets nothing.
    for host in
        ["evil.example", &format!("evil.example:{port}"), "127.0.0.1.evil.example", "localhost.evil", "[::2]"]
    {
        let (status, code) = send(&fabric, "GET", &url, Some(host), None);
        assert_eq!((status, code.as_str()), (400, Some("InvalidHost")), "{host}");
        let (status, _) = send(&fabric, "POST", &url, Some(host), Some(("application/json", "{}")));
        assert_eq!(status, 400, "{host}: not even a write");
    }
    let admin = fabric.base.trim_end_matches("/v1").to_string() + "/admin/faults";
    assert_eq!(send(&fabric, "GET", &admin, Some("evil.example"), None).0, 400, "the admin endpoint too");

    // Told to listen on another address, the emulator answers that name too, and only those.
    let named = Fabric::with(Options { hosts: Hosts::AlsoNamed("192.0.2.7".into()), ..Options::default() });
    let url = format!("{}/workspaces", named.base);
    assert_eq!(send(&named, "GET", &url, Some("192.0.2.7:7777"), None).0, 200);
    assert_eq!(send(&named, "GET", &url, Some("127.0.0.1"), None).0, 200);
    assert_eq!(send(&named, "GET", &url, Some("evil.example"), None).0, 400);
    let any = Fabric::with(Options { hosts: Hosts::Any, ..Options::default() });
    assert_eq!(send(&any, "GET", &format!("{}/workspaces", any.base), Some("evil.example"), None).0, 200);
}

#[test]
fn a_body_that_is_not_json_is_refused_as_fabric_does() {
    let fabric = Fabric::start();
    let url = format!("{}/workspaces", fabric.base);
    let body = r#"{"displayName": "Typed"}"#;
    for content_type in ["text/plain", "application/x-www-form-urlencoded", "text/json", ""] {
        let (status, code) = send(&fabric, "POST", &url, None, Some((content_type, body)));
        assert_eq!((status, code.as_str()), (415, Some("UnsupportedMediaType")), "{content_type:?}");
    }
    for (n, content_type) in
        ["application/json", "application/json; charset=utf-8", "Application/JSON"].iter().enumerate()
    {
        let created = send(
            &fabric,
            "POST",
            &url,
            None,
            Some((content_type, &body.replace("Typed", &format!("Typed {n}")))),
        );
        assert_eq!(created.0, 201, "{content_type}");
    }
    // Nothing was created by the refused ones.
    let list = fabric.get("/workspaces").expect(200).body;
    assert_eq!(list["value"].as_array().unwrap().len(), 4, "{list}");
    // A body is needed only where it is read: an empty POST stays fine.
    let item = fabric.create_dataflow("Empty body", None);
    let definition = format!("/workspaces/{WS}/dataflows/{item}/getDefinition");
    fabric.call("POST", &definition, None).expect(200);
    let admin = fabric.base.trim_end_matches("/v1").to_string() + "/admin/faults";
    let (status, _) = send(&fabric, "PUT", &admin, None, Some(("text/plain", r#"{"failEvery": 1}"#)));
    assert_eq!(status, 415, "the admin endpoint too");
    fabric.get("/workspaces").expect(200);
}

#[test]
fn expired_tokens_throttling_and_server_errors() {
    let fabric = Fabric::start();
    fabric.admin(&json!({"tokenExpired": true}));
    fabric.get("/workspaces").expect_error(401, "TokenExpired");
    let settings = fabric.admin(&json!({"tokenExpired": false, "throttleEvery": 3, "throttleRetryAfter": 7}));
    assert_eq!(settings["throttleEvery"], 3);
    let statuses: Vec<u16> = (0..6).map(|_| fabric.get("/workspaces").status).collect();
    assert_eq!(statuses.iter().filter(|s| **s == 429).count(), 2, "{statuses:?}");
    let throttled = loop {
        let reply = fabric.get("/workspaces");
        if reply.status == 429 {
            break reply;
        }
    };
    let throttled = throttled.expect_error(429, "RequestBlocked");
    assert_eq!(throttled.header("retry-after"), Some("7"));

    fabric.admin(&json!({"throttleEvery": 0, "failEvery": 2}));
    let statuses: Vec<u16> = (0..4).map(|_| fabric.get("/workspaces").status).collect();
    assert_eq!(statuses.iter().filter(|s| **s == 500).count(), 2, "{statuses:?}");
    let url = fabric.base.trim_end_matches("/v1").to_string() + "/admin/faults";
    let cleared = fabric.call("DELETE", &url, None).expect(200).body;
    assert_eq!(cleared["failEvery"], 0);
    for _ in 0..4 {
        fabric.get("/workspaces").expect(200);
    }
    fabric.call("PUT", &url, Some(&json!({"noSuchSetting": 1}))).expect_error(400, "InvalidRequest");
}

#[test]
fn jobs_fail_on_demand_and_take_the_time_asked() {
    let fabric = Fabric::with(Options {
        job_seconds: 0.3,
        retry_after: 0,
        faults: Faults { jobs_fail: Some("The gateway is offline (injected).".into()), ..Faults::default() },
        ..Options::default()
    });
    let id = fabric.create_dataflow("Failing", Some(sales_orders()));
    let started = std::time::Instant::now();
    let job = fabric.run(&id, "Execute", None);
    let state = fabric.wait(&id, &job);
    assert!(started.elapsed() >= std::time::Duration::from_millis(300));
    assert_eq!(state["status"], "Failed");
    assert_eq!(state["failureReason"]["errorCode"], "JobInstanceStatusFailed");
    assert_eq!(state["failureReason"]["message"], "The gateway is offline (injected).");
    // A failed publish publishes nothing.
    let skip = json!({"executionData": {"executeOption": "SkipApplyChanges"}});
    fabric.admin(&json!({"jobsFail": null}));
    let job = fabric.run(&id, "Execute", Some(&skip));
    assert_eq!(fabric.wait(&id, &job)["failureReason"]["errorCode"], "DataflowNeverPublishedError");
    let _ = WS;
}
