//! The one way these tests talk to the emulator: real HTTP (blocking reqwest) to an embedded emulator on
//! 127.0.0.1, with helpers for definitions and for waiting on jobs.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use base64::Engine as _;
use dfls::emulator::{Embedded, Options, DEFAULT_WORKSPACE_ID};
use serde_json::{json, Value};

/// An embedded emulator on a temporary data directory, and a client for it.
pub struct Fabric {
    pub server: Option<Embedded>,
    pub base: String,
    pub http: reqwest::blocking::Client,
    pub token: String,
    pub dir: tempfile::TempDir,
}

/// An answer: status, headers (lowercase names) and body (JSON, or `Null` when empty).
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub headers: BTreeMap<String, String>,
    pub body: Value,
    pub text: String,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(&name.to_ascii_lowercase()).map(String::as_str)
    }

    /// Asserts the status, showing the body when it differs.
    #[track_caller]
    pub fn expect(self, status: u16) -> Reply {
        assert_eq!(self.status, status, "unexpected answer: {}", self.text);
        self
    }

    /// Asserts an ErrorResponse with this status and code (body and header).
    #[track_caller]
    pub fn expect_error(self, status: u16, code: &str) -> Reply {
        assert_eq!(self.status, status, "unexpected answer: {}", self.text);
        assert_eq!(self.body["errorCode"], code, "{}", self.text);
        assert_eq!(self.header("x-ms-public-api-error-code"), Some(code));
        assert!(self.body["message"].as_str().is_some_and(|m| !m.is_empty()), "{}", self.text);
        let request_id = self.body["requestId"].as_str().expect("a requestId");
        assert!(dfls::definition::guid::is_guid(request_id), "{request_id}");
        self
    }

    /// The last path segment of the `Location` header.
    pub fn location_id(&self) -> String {
        let location = self.header("location").expect("a Location header");
        location.split('?').next().unwrap().rsplit('/').next().unwrap().to_string()
    }
}

impl Fabric {
    /// A fast emulator: jobs of 0 s, operations of 0 s, `Retry-After: 0`.
    pub fn start() -> Fabric {
        Fabric::with(Options {
            job_seconds: 0.0,
            operation_seconds: 0.0,
            retry_after: 0,
            ..Options::default()
        })
    }

    pub fn with(options: Options) -> Fabric {
        let dir = tempfile::tempdir().unwrap();
        let server = Embedded::start(dir.path(), options).expect("the emulator starts");
        Fabric {
            base: server.base_url(),
            server: Some(server),
            http: reqwest::blocking::Client::builder().timeout(Duration::from_secs(60)).build().unwrap(),
            token: "test-token".to_string(),
            dir,
        }
    }

    pub fn data_dir(&self) -> PathBuf {
        self.dir.path().to_path_buf()
    }

    /// Stops the server and starts another on the same data directory.
    pub fn restart(&mut self, options: Options) {
        self.server = None;
        let server = Embedded::start(self.dir.path(), options).expect("the emulator starts again");
        self.base = server.base_url();
        self.server = Some(server);
    }

    /// `method` on `path` (relative to `/v1`, or an absolute URL), with a JSON body.
    pub fn call(&self, method: &str, path: &str, body: Option<&Value>) -> Reply {
        self.call_with(method, path, body, Some(&self.token.clone()))
    }

    pub fn call_with(&self, method: &str, path: &str, body: Option<&Value>, token: Option<&str>) -> Reply {
        let url = if path.starts_with("http") { path.to_string() } else { format!("{}{path}", self.base) };
        let mut request = self.http.request(method.parse().unwrap(), url);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(body);
        }
        let response = request.send().expect("the emulator answers");
        let status = response.status().as_u16();
        let headers = response
            .headers()
            .iter()
            .map(|(k, v)| (k.as_str().to_ascii_lowercase(), v.to_str().unwrap_or("").to_string()))
            .collect();
        let text = response.text().unwrap();
        let body =
            if text.is_empty() { Value::Null } else { serde_json::from_str(&text).unwrap_or(Value::Null) };
        Reply { status, headers, body, text }
    }

    pub fn get(&self, path: &str) -> Reply {
        self.call("GET", path, None)
    }

    pub fn post(&self, path: &str, body: &Value) -> Reply {
        self.call("POST", path, Some(body))
    }

    /// Changes settings through the admin endpoint.
    pub fn admin(&self, settings: &Value) -> Value {
        let url = self.base.trim_end_matches("/v1").to_string() + "/admin/faults";
        self.call("PUT", &url, Some(settings)).expect(200).body
    }

    /// Creates a dataflow in the default workspace; its id.
    pub fn create_dataflow(&self, name: &str, definition: Option<Value>) -> String {
        let mut body = json!({ "displayName": name });
        if let Some(definition) = definition {
            body["definition"] = definition;
        }
        let reply = self.post(&format!("/workspaces/{DEFAULT_WORKSPACE_ID}/dataflows"), &body).expect(201);
        reply.body["id"].as_str().unwrap().to_string()
    }

    /// Runs a job; its id.
    pub fn run(&self, item: &str, job_type: &str, body: Option<&Value>) -> String {
        let path = format!("/workspaces/{DEFAULT_WORKSPACE_ID}/items/{item}/jobs/{job_type}/instances");
        let reply = self.call("POST", &path, body).expect(202);
        reply.location_id()
    }

    pub fn job(&self, item: &str, job: &str) -> Value {
        self.get(&format!("/workspaces/{DEFAULT_WORKSPACE_ID}/items/{item}/jobs/instances/{job}"))
            .expect(200)
            .body
    }

    /// Polls a job until it ends; its last state.
    pub fn wait(&self, item: &str, job: &str) -> Value {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let state = self.job(item, job);
            if !matches!(state["status"].as_str(), Some("NotStarted" | "InProgress")) {
                return state;
            }
            assert!(Instant::now() < deadline, "the job never ended: {state}");
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

/// A definition payload's `definition` from (path, bytes) parts.
pub fn definition(parts: &[(&str, &[u8])]) -> Value {
    let parts: Vec<Value> = parts
        .iter()
        .map(|(path, bytes)| {
            json!({
                "path": path,
                "payload": base64::engine::general_purpose::STANDARD.encode(bytes),
                "payloadType": "InlineBase64",
            })
        })
        .collect();
    json!({ "parts": parts })
}

/// The parts of a getDefinition answer, decoded.
pub fn parts_of(reply: &Value) -> BTreeMap<String, Vec<u8>> {
    reply["definition"]["parts"]
        .as_array()
        .expect("parts")
        .iter()
        .map(|part| {
            assert_eq!(part["payloadType"], "InlineBase64");
            let bytes =
                base64::engine::general_purpose::STANDARD.decode(part["payload"].as_str().unwrap()).unwrap();
            (part["path"].as_str().unwrap().to_string(), bytes)
        })
        .collect()
}

/// The files of an example item folder of the repository.
pub fn example(name: &str) -> Vec<(String, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples").join(name);
    let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| {
            let entry = entry.unwrap();
            (entry.file_name().to_string_lossy().into_owned(), std::fs::read(entry.path()).unwrap())
        })
        .collect();
    files.sort();
    files
}

/// The definition of the `Sales Orders` example, which checks clean.
pub fn sales_orders() -> Value {
    let files = example("Sales Orders.Dataflow");
    let parts: Vec<(&str, &[u8])> = files.iter().map(|(p, b)| (p.as_str(), b.as_slice())).collect();
    definition(&parts)
}

/// The Sales example with its public parameters turned off (`"parametric": false`).
pub fn without_public_parameters() -> Value {
    let files = example("Sales Orders.Dataflow");
    let parts: Vec<(String, Vec<u8>)> = files
        .into_iter()
        .map(|(path, bytes)| match path.as_str() {
            "queryMetadata.json" => {
                let text = String::from_utf8(bytes).unwrap();
                assert!(text.contains("\"parametric\": true"));
                (path, text.replace("\"parametric\": true", "\"parametric\": false").into_bytes())
            }
            _ => (path, bytes),
        })
        .collect();
    let parts: Vec<(&str, &[u8])> = parts.iter().map(|(p, b)| (p.as_str(), b.as_slice())).collect();
    definition(&parts)
}

/// A definition whose `mashup.pq` has a syntax error.
pub fn broken() -> Value {
    let files = example("Sales Orders.Dataflow");
    let metadata = files.iter().find(|(p, _)| p == "queryMetadata.json").unwrap().1.clone();
    definition(&[
        ("queryMetadata.json", &metadata),
        ("mashup.pq", b"section Section1;\nshared Orders = let Source = in Source;\n"),
    ])
}

/// A dataflow with public parameters: `Region` (text, required) and `Limit` (number, optional), and a query
/// that uses them.
pub fn parametric() -> Value {
    let metadata = json!({
        "formatVersion": "202502",
        "name": "Parametric",
        "parametric": true,
        "queriesMetadata": {
            "Region": {"queryId": "be17210f-5aca-421a-8c0a-bf631487bb01", "queryName": "Region", "loadEnabled": false},
            "Limit": {"queryId": "be17210f-5aca-421a-8c0a-bf631487bb02", "queryName": "Limit", "loadEnabled": false},
            "Orders": {"queryId": "be17210f-5aca-421a-8c0a-bf631487bb03", "queryName": "Orders"}
        }
    });
    let mashup = "section Section1;\n\
        shared Region = \"West\" meta [IsParameterQuery = true, Type = \"Text\", IsParameterQueryRequired = true];\n\
        shared Limit = 10 meta [IsParameterQuery = true, Type = \"Number\", IsParameterQueryRequired = false];\n\
        shared Orders = let Source = #table({\"Region\"}, {{Region}}) in Table.FirstN(Source, Limit);\n";
    definition(&[("queryMetadata.json", metadata.to_string().as_bytes()), ("mashup.pq", mashup.as_bytes())])
}
