//! `TestServer`: the real language server, in process, driven through the protocol with `Content-Length`
//! framing over an in-memory pipe, on a workspace of files in a temporary directory.
//!
//! Modelled on ruff's e2e tests: a builder sets up the workspace and the client's capabilities; a test
//! sends requests and notifications and waits for what it expects; every message the server sends must
//! be consumed by the test, which the server checks when it is dropped (after a `shutdown`). Requests
//! from the server (`client/registerCapability`, `workspace/diagnostic/refresh`) are answered at once and
//! also queued, so a test sees them.

use std::collections::VecDeque;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::sync::Arc;
use std::time::{Duration, Instant};

use dfls::lsp::Options;
use serde_json::{json, Value};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader, DuplexStream, WriteHalf};
use tokio::sync::Mutex;
use tower_lsp_server::ls_types::{notification::Notification, request::Request, Uri};

/// How long to wait for a message before failing the test (debug builds on 2 cores are slow).
pub const TIMEOUT: Duration = Duration::from_secs(20);

/// Sets up a workspace and a client.
pub struct TestServerBuilder {
    files: Vec<(String, Vec<u8>)>,
    utf8: bool,
    pull: bool,
    watch: bool,
    options: Options,
    /// Client capabilities to add: (JSON pointer under `capabilities`, value).
    capabilities: Vec<(String, Value)>,
    /// Run this `dfls` binary as `dfls lsp` over real pipes instead of the server in process.
    binary: Option<PathBuf>,
}

impl TestServerBuilder {
    pub fn new() -> TestServerBuilder {
        // Syntax-first publications depend on how long checks take; a test that wants them says so.
        let options = Options { syntax_first: Some(false), ..Options::default() };
        TestServerBuilder {
            files: Vec::new(),
            utf8: false,
            pull: false,
            watch: false,
            options,
            capabilities: Vec::new(),
            binary: None,
        }
    }

    /// Runs the real binary (`dfls lsp` as a child process, its stdin and stdout real pipes) instead of the
    /// server in process; [`TestServerBuilder::options`] then do not apply.
    pub fn binary(mut self, path: impl Into<PathBuf>) -> Self {
        self.binary = Some(path.into());
        self
    }

    /// A file of the workspace, by its path relative to the workspace root.
    pub fn file(mut self, path: &str, text: impl AsRef<[u8]>) -> Self {
        self.files.push((path.to_owned(), text.as_ref().to_vec()));
        self
    }

    /// The example item `examples/Sales Orders.Dataflow`, at the same path in the workspace.
    pub fn sales_item(self) -> Self {
        let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/Sales Orders.Dataflow");
        let mut builder = self;
        for name in ["mashup.pq", "queryMetadata.json", ".platform"] {
            let text = std::fs::read(example.join(name)).expect("the example item is in the repository");
            builder = builder.file(&format!("Sales Orders.Dataflow/{name}"), text);
        }
        builder
    }

    /// The client offers UTF-8 positions (else it offers nothing, which means UTF-16).
    pub fn utf8(mut self) -> Self {
        self.utf8 = true;
        self
    }

    /// The client pulls diagnostics.
    pub fn pull_diagnostics(mut self) -> Self {
        self.pull = true;
        self
    }

    /// The client lets the server register file watchers.
    pub fn watch_files(mut self) -> Self {
        self.watch = true;
        self
    }

    /// A client capability, by its path under `capabilities` (`textDocument/definition`).
    pub fn capability(mut self, path: &str, value: Value) -> Self {
        self.capabilities.push((path.to_owned(), value));
        self
    }

    /// Server options; `syntax_first` stays off unless set.
    pub fn options(mut self, options: Options) -> Self {
        self.options = Options { syntax_first: options.syntax_first.or(Some(false)), ..options };
        self
    }

    /// Lets the server decide when to publish syntax diagnostics first (as `dfls lsp` does), for the
    /// benchmark.
    #[allow(dead_code, reason = "used by benches/lsp.rs, which includes this file")]
    pub fn syntax_first_auto(mut self) -> Self {
        self.options.syntax_first = None;
        self
    }

    /// Starts the server and runs `initialize` and `initialized` (and answers the watcher registration).
    pub fn start(self) -> TestServer {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let root = dir.path().canonicalize().expect("the temporary directory exists");
        for (path, bytes) in &self.files {
            let path = root.join(path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, bytes).unwrap();
        }
        // The runtime `dfls lsp` runs on; the test's client side runs on it too.
        let runtime = dfls::lsp::runtime().unwrap();
        let mut child = None;
        let (client_read, client_write) = match &self.binary {
            None => {
                let (client_end, server_end) = tokio::io::duplex(1 << 20);
                let (server_read, server_write) = tokio::io::split(server_end);
                let options = self.options.clone();
                runtime.spawn(dfls::lsp::serve(server_read, server_write, options));
                tokio::io::split(client_end)
            }
            Some(binary) => {
                let mut process = std::process::Command::new(binary)
                    .arg("lsp")
                    .current_dir(&root)
                    .stdin(std::process::Stdio::piped())
                    .stdout(std::process::Stdio::piped())
                    .stderr(std::process::Stdio::inherit())
                    .spawn()
                    .unwrap_or_else(|e| panic!("cannot start {}: {e}", binary.display()));
                // The child's pipes, bridged to in-memory pipes by threads (as `dfls lsp` bridges its own).
                let streams = dfls::lsp::stdio::spawn(
                    runtime.handle(),
                    process.stdout.take().unwrap(),
                    process.stdin.take().unwrap(),
                )
                .unwrap();
                child = Some(process);
                (tokio::io::split(streams.input).0, tokio::io::split(streams.output).1)
            }
        };
        let writer = Arc::new(Mutex::new(client_write));
        let (sender, incoming) = mpsc::channel();
        runtime.spawn(read_messages(BufReader::new(client_read), writer.clone(), sender));
        let mut server = TestServer {
            runtime: Some(runtime),
            root,
            _dir: dir,
            writer,
            incoming,
            pending: VecDeque::new(),
            next_id: 1,
            initialize_result: Value::Null,
            shut_down: false,
            child,
        };
        let mut capabilities = json!({
            "textDocument": {
                "synchronization": {"dynamicRegistration": false},
                "completion": {"completionItem": {"snippetSupport": true}},
                "hover": {"contentFormat": ["markdown", "plaintext"]},
                "publishDiagnostics": {"relatedInformation": true, "versionSupport": true,
                                       "tagSupport": {"valueSet": [1, 2]}, "codeDescriptionSupport": true,
                                       "dataSupport": true},
                "codeAction": {"codeActionLiteralSupport": {"codeActionKind": {"valueSet": ["quickfix"]}}}
            },
            "workspace": {"workspaceEdit": {"documentChanges": true}},
            "general": {}
        });
        if self.utf8 {
            capabilities["general"]["positionEncodings"] = json!(["utf-8", "utf-16"]);
        }
        if self.pull {
            capabilities["textDocument"]["diagnostic"] = json!({"dynamicRegistration": false});
            capabilities["workspace"]["diagnostics"] = json!({"refreshSupport": true});
        }
        if self.watch {
            capabilities["workspace"]["didChangeWatchedFiles"] = json!({"dynamicRegistration": true});
        }
        for (path, value) in &self.capabilities {
            let mut target = &mut capabilities;
            for segment in path.split('/') {
                target = &mut target[segment];
            }
            *target = value.clone();
        }
        let root_uri = Uri::from_file_path(&server.root).unwrap();
        let result = server.request_raw(
            "initialize",
            json!({
                "processId": null,
                "rootUri": root_uri,
                "workspaceFolders": [{"uri": root_uri, "name": "workspace"}],
                "capabilities": capabilities,
                "clientInfo": {"name": "dfls-test-server"}
            }),
        );
        server.initialize_result = result["result"].clone();
        server.notify_raw("initialized", json!({}));
        if self.watch {
            let registration = server.await_request("client/registerCapability");
            assert_eq!(
                registration["params"]["registrations"][0]["method"],
                "workspace/didChangeWatchedFiles"
            );
        }
        server
    }
}

/// A running server and the client's end of the pipe.
pub struct TestServer {
    /// Taken on drop, to shut it down without waiting for work nobody waits for.
    runtime: Option<tokio::runtime::Runtime>,
    root: PathBuf,
    _dir: tempfile::TempDir,
    writer: Arc<Mutex<WriteHalf<DuplexStream>>>,
    incoming: mpsc::Receiver<Value>,
    /// Messages received and not yet consumed by the test.
    pending: VecDeque<Value>,
    next_id: i64,
    /// The `result` of `initialize`.
    pub initialize_result: Value,
    shut_down: bool,
    /// The `dfls lsp` process, when the server is the real binary.
    child: Option<std::process::Child>,
}

impl TestServer {
    /// The process id of the real binary, when the server is one.
    pub fn process_id(&self) -> Option<u32> {
        self.child.as_ref().map(std::process::Child::id)
    }

    /// The absolute path of a workspace file.
    pub fn path(&self, path: &str) -> PathBuf {
        self.root.join(path)
    }

    /// The URI of a workspace file.
    pub fn uri(&self, path: &str) -> Uri {
        Uri::from_file_path(self.path(path)).unwrap()
    }

    /// Sends a request and waits for its response (the whole message: `result` or `error`). Other
    /// messages that arrive meanwhile are kept for the test.
    pub fn request_raw(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        self.send(json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        self.await_message(&format!("the response to {method} #{id}"), |m| {
            m.get("id") == Some(&json!(id)) && m.get("method").is_none()
        })
    }

    /// Sends a typed request and returns its result; panics on an error response.
    pub fn request<R: Request>(&mut self, params: R::Params) -> R::Result {
        let response = self.request_raw(R::METHOD, serde_json::to_value(params).unwrap());
        if let Some(error) = response.get("error") {
            panic!("{} failed: {error}", R::METHOD);
        }
        serde_json::from_value(response["result"].clone())
            .unwrap_or_else(|e| panic!("{}: {e}: {response}", R::METHOD))
    }

    pub fn notify_raw(&mut self, method: &str, params: Value) {
        self.send(json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    pub fn notify<N: Notification>(&mut self, params: N::Params) {
        self.notify_raw(N::METHOD, serde_json::to_value(params).unwrap());
    }

    /// Opens a workspace file with its text on disk (or `text`), version 1.
    pub fn open(&mut self, path: &str) {
        let text = std::fs::read_to_string(self.path(path)).unwrap();
        self.open_with(path, &text, 1);
    }

    pub fn open_with(&mut self, path: &str, text: &str, version: i32) {
        let language =
            if path.ends_with(".json") || path.ends_with(".platform") { "json" } else { "powerquery" };
        let uri = self.uri(path);
        self.notify_raw(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri, "languageId": language, "version": version, "text": text}}),
        );
    }

    /// Sends `didChange` with one change: `range` as `[[line, character], [line, character]]`, or `None`
    /// to replace the whole text.
    pub fn change(&mut self, path: &str, version: i32, range: Option<[[u32; 2]; 2]>, text: &str) {
        let uri = self.uri(path);
        let change = match range {
            Some([[l1, c1], [l2, c2]]) => json!({
                "range": {"start": {"line": l1, "character": c1}, "end": {"line": l2, "character": c2}},
                "text": text
            }),
            None => json!({"text": text}),
        };
        self.notify_raw(
            "textDocument/didChange",
            json!({"textDocument": {"uri": uri, "version": version}, "contentChanges": [change]}),
        );
    }

    /// Waits for the next `publishDiagnostics` of a file and returns its params.
    pub fn diagnostics(&mut self, path: &str) -> Value {
        let uri = serde_json::to_value(self.uri(path)).unwrap();
        let message = self.await_message(&format!("diagnostics of {path}"), |m| {
            m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == uri
        });
        message["params"].clone()
    }

    /// Waits for the `publishDiagnostics` of a file for `version`, skipping (and checking) earlier ones:
    /// each publication of the file must be of a newer version than the one before.
    pub fn diagnostics_for_version(&mut self, path: &str, version: i32) -> Value {
        let mut last = i64::MIN;
        loop {
            let params = self.diagnostics(path);
            let got = params["version"].as_i64().expect("an open document's diagnostics have a version");
            assert!(got >= last, "diagnostics of version {got} after version {last}");
            assert!(got <= i64::from(version), "diagnostics of version {got}, newer than {version}");
            last = got;
            if got == i64::from(version) {
                return params;
            }
        }
    }

    /// Waits for a request from the server (it has been answered already).
    pub fn await_request(&mut self, method: &str) -> Value {
        self.await_message(method, |m| m["method"] == method && m.get("id").is_some())
    }

    /// Waits for a message that `matches`, keeping the others for later.
    pub fn await_message(&mut self, what: &str, matches: impl Fn(&Value) -> bool) -> Value {
        if let Some(index) = self.pending.iter().position(&matches) {
            return self.pending.remove(index).unwrap();
        }
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.incoming.recv_timeout(left) {
                Ok(message) if matches(&message) => return message,
                Ok(message) => self.pending.push_back(message),
                Err(_) => panic!("timed out waiting for {what}; unconsumed messages: {:#?}", self.pending),
            }
        }
    }

    /// Waits up to `wait` for a message that `matches`, keeping the others for later.
    #[allow(dead_code, reason = "used by benches/lsp.rs, which includes this file")]
    pub fn await_message_within(
        &mut self,
        wait: Duration,
        matches: impl Fn(&Value) -> bool,
    ) -> Option<Value> {
        if let Some(index) = self.pending.iter().position(&matches) {
            return self.pending.remove(index);
        }
        let deadline = Instant::now() + wait;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.incoming.recv_timeout(left) {
                Ok(message) if matches(&message) => return Some(message),
                Ok(message) => self.pending.push_back(message),
                Err(_) => return None,
            }
        }
    }

    /// Asserts that no message arrives within `wait`.
    pub fn assert_quiet(&mut self, wait: Duration) {
        if let Ok(message) = self.incoming.recv_timeout(wait) {
            self.pending.push_back(message);
        }
        assert!(self.pending.is_empty(), "unexpected messages: {:#?}", self.pending);
    }

    /// Sends any message as it is.
    pub fn send_raw(&mut self, message: Value) {
        self.send(message);
    }

    fn send(&mut self, message: Value) {
        let body = serde_json::to_vec(&message).unwrap();
        let writer = self.writer.clone();
        self.runtime.as_ref().expect("running until dropped").block_on(async move {
            let mut writer = writer.lock().await;
            writer.write_all(format!("Content-Length: {}\r\n\r\n", body.len()).as_bytes()).await.unwrap();
            writer.write_all(&body).await.unwrap();
            writer.flush().await.unwrap();
        });
    }

    /// Sends `shutdown` and `exit`; every message the server sent must have been consumed.
    pub fn shutdown(&mut self) {
        if self.shut_down {
            return;
        }
        self.shut_down = true;
        let response = self.request_raw("shutdown", Value::Null);
        assert_eq!(response["result"], Value::Null, "{response}");
        self.notify_raw("exit", Value::Null);
        // Give a late publication the chance to show up.
        self.assert_quiet(Duration::from_millis(100));
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if !std::thread::panicking() {
            self.shutdown();
        }
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_timeout(Duration::from_millis(100));
        }
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// Reads framed messages from the server; answers its requests with `null` and passes every message on.
async fn read_messages(
    mut reader: BufReader<tokio::io::ReadHalf<DuplexStream>>,
    writer: Arc<Mutex<WriteHalf<DuplexStream>>>,
    sender: mpsc::Sender<Value>,
) {
    loop {
        let Some(message) = read_frame(&mut reader).await else { return };
        if message.get("method").is_some() {
            if let Some(id) = message.get("id") {
                let body = serde_json::to_vec(&json!({"jsonrpc": "2.0", "id": id, "result": null})).unwrap();
                let mut writer = writer.lock().await;
                let header = format!("Content-Length: {}\r\n\r\n", body.len());
                if writer.write_all(header.as_bytes()).await.is_err()
                    || writer.write_all(&body).await.is_err()
                {
                    return;
                }
            }
        }
        if sender.send(message).is_err() {
            return;
        }
    }
}

/// Reads one `Content-Length` framed JSON message; `None` at the end of the stream.
pub async fn read_frame<R: AsyncBufReadExt + AsyncReadExt + Unpin>(reader: &mut R) -> Option<Value> {
    let mut length = None;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).await.ok()? == 0 {
            return None;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some(value) = line.strip_prefix("Content-Length:") {
            length = value.trim().parse::<usize>().ok();
        }
    }
    let mut body = vec![0; length?];
    reader.read_exact(&mut body).await.ok()?;
    Some(serde_json::from_slice(&body).expect("the server sends JSON"))
}
