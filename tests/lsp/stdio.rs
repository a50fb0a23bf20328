//! `dfls lsp` as a client starts it: a child process speaking `Content-Length` framed JSON-RPC on its
//! stdin and stdout, with nothing else on stdout, that exits with 0 after `shutdown` and `exit`.

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use serde_json::{json, Value};

fn send(stdin: &mut impl Write, message: Value) {
    let body = serde_json::to_string(&message).unwrap();
    write!(stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).unwrap();
    stdin.flush().unwrap();
}

/// Reads one framed message; every header line must be a header, so a stray print would fail here.
fn receive(stdout: &mut impl BufRead) -> Option<Value> {
    let mut length = None;
    loop {
        let mut line = String::new();
        if stdout.read_line(&mut line).unwrap() == 0 {
            return None;
        }
        assert!(line.ends_with("\r\n"), "a header line ends with CRLF: {line:?}");
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        let (name, value) = line.split_once(": ").unwrap_or_else(|| panic!("not a header: {line:?}"));
        match name {
            "Content-Length" => length = Some(value.parse::<usize>().unwrap()),
            "Content-Type" => {}
            other => panic!("unexpected header {other}"),
        }
    }
    let mut body = vec![0; length.expect("a Content-Length header")];
    stdout.read_exact(&mut body).unwrap();
    Some(serde_json::from_slice(&body).unwrap())
}

#[test]
fn dfls_lsp_over_stdio() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().canonicalize().unwrap().join("query.pq");
    std::fs::write(&path, "section S;\nshared A = Unknown;\n").unwrap();
    let uri = tower_lsp_server::ls_types::Uri::from_file_path(&path).unwrap();

    let mut child = Command::new(env!("CARGO_BIN_EXE_dfls"))
        .arg("lsp")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let stdout = child.stdout.take().unwrap();
    // Read on a thread, so a silent server fails the test instead of hanging it.
    let (sender, messages) = mpsc::channel();
    std::thread::spawn(move || {
        let mut stdout = BufReader::new(stdout);
        while let Some(message) = receive(&mut stdout) {
            if sender.send(message).is_err() {
                return;
            }
        }
    });
    let next = || messages.recv_timeout(Duration::from_secs(30)).expect("a message from dfls lsp");

    send(
        &mut stdin,
        json!({"jsonrpc": "2.0", "id": 1, "method": "initialize",
        "params": {"processId": null, "rootUri": null, "capabilities": {}}}),
    );
    let response = next();
    assert_eq!(response["id"], 1);
    assert_eq!(response["result"]["capabilities"]["positionEncoding"], "utf-16");
    send(&mut stdin, json!({"jsonrpc": "2.0", "method": "initialized", "params": {}}));
    send(
        &mut stdin,
        json!({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument":
        {"uri": uri, "languageId": "powerquery", "version": 7, "text": "section S;\nshared A = Unknown;\n"}}}),
    );
    let published = next();
    assert_eq!(published["method"], "textDocument/publishDiagnostics");
    assert_eq!(published["params"]["version"], 7);
    assert_eq!(published["params"]["diagnostics"][0]["code"], "M201");

    send(&mut stdin, json!({"jsonrpc": "2.0", "id": 2, "method": "shutdown", "params": null}));
    let response = next();
    assert_eq!(response["id"], 2);
    send(&mut stdin, json!({"jsonrpc": "2.0", "method": "exit", "params": null}));
    drop(stdin);
    let status = child.wait().unwrap();
    assert!(status.success(), "dfls lsp exited with {status}");
    let mut stderr = String::new();
    child.stderr.take().unwrap().read_to_string(&mut stderr).unwrap();
    assert!(!stderr.contains("panicked"), "{stderr}");
}
