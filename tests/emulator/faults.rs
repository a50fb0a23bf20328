//! Authentication and injected faults: 401 without or with a wrong token, `TokenExpired`, 429 every Nth
//! request with `Retry-After`, 500 every Nth, jobs that fail.

use dfls::emulator::{Faults, Options, DEFAULT_WORKSPACE_ID as WS};
use serde_json::json;

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
