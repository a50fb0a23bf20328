//! A repository with an item folder, a local Fabric serving it, and the `dfls` binary run inside it.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use dfls::emulator::{Embedded, Options, DEFAULT_WORKSPACE_ID};
use serde_json::Value;

pub const ITEM: &str = "Sales Orders.Dataflow";

pub struct Repo {
    pub dir: tempfile::TempDir,
    pub fabric: Option<Embedded>,
    /// The local Fabric's store, removed with the repository.
    _state: Option<tempfile::TempDir>,
}

/// Fast jobs and no waiting between polls.
pub fn quick() -> Options {
    Options { job_seconds: 0.3, operation_seconds: 0.2, retry_after: 0, ..Options::default() }
}

impl Repo {
    /// A Git repository holding the Sales example, with a `dfls.toml` whose default target is a local
    /// Fabric served by this process with `options`.
    pub fn served(options: Options) -> Repo {
        let repo = Repo::bare();
        let state = tempfile::tempdir().unwrap();
        let fabric = Embedded::start(state.path(), options).expect("the local Fabric starts");
        let toml = format!(
            "default-target = \"test\"\n\n[targets.test]\napi = \"{}\"\nworkspace = \"{DEFAULT_WORKSPACE_ID}\"\nauth = \"none\"\n",
            fabric.base_url()
        );
        std::fs::write(repo.path("dfls.toml"), toml).unwrap();
        Repo { fabric: Some(fabric), _state: Some(state), ..repo }
    }

    /// The same repository without configuration: its target is the embedded local Fabric.
    pub fn bare() -> Repo {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join(".git")).unwrap();
        let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples").join(ITEM);
        let item = dir.path().join(ITEM);
        std::fs::create_dir(&item).unwrap();
        for entry in std::fs::read_dir(example).unwrap() {
            let entry = entry.unwrap();
            std::fs::copy(entry.path(), item.join(entry.file_name())).unwrap();
        }
        Repo { dir, fabric: None, _state: None }
    }

    pub fn path(&self, relative: &str) -> PathBuf {
        self.dir.path().join(relative)
    }

    pub fn fabric(&self) -> &Embedded {
        self.fabric.as_ref().expect("a served repository")
    }

    /// Changes the local Fabric's options (faults, timings).
    pub fn set(&self, change: impl FnOnce(&mut Options)) {
        let emulator = self.fabric().emulator();
        let mut options = emulator.options();
        change(&mut options);
        emulator.set_options(options);
    }

    pub fn dfls(&self, args: &[&str]) -> Output {
        self.dfls_env(args, &[])
    }

    pub fn dfls_env(&self, args: &[&str], env: &[(&str, &str)]) -> Output {
        let mut command = Command::new(env!("CARGO_BIN_EXE_dfls"));
        command.current_dir(self.dir.path()).args(args).env_remove("FABRIC_TOKEN").env_remove("DFLS_LOG");
        for (key, value) in env {
            command.env(key, value);
        }
        command.output().expect("dfls runs")
    }

    /// Runs with `--output json` and parses stdout.
    pub fn json(&self, args: &[&str]) -> (Output, Value) {
        let mut all = args.to_vec();
        all.extend(["--output", "json"]);
        let output = self.dfls(&all);
        let value = serde_json::from_slice(&output.stdout)
            .unwrap_or_else(|error| panic!("{error}: {}", describe(&output)));
        (output, value)
    }

    /// Every file of the item folder, by name.
    pub fn item_files(&self) -> Vec<(String, Vec<u8>)> {
        let mut files: Vec<_> = std::fs::read_dir(self.path(ITEM))
            .unwrap()
            .map(|e| e.unwrap())
            .map(|e| (e.file_name().to_string_lossy().into_owned(), std::fs::read(e.path()).unwrap()))
            .collect();
        files.sort();
        files
    }
}

pub fn describe(output: &Output) -> String {
    format!(
        "exit {:?}\n--- stdout\n{}\n--- stderr\n{}",
        output.status.code(),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

pub fn code(output: &Output) -> i32 {
    output.status.code().unwrap_or(-1)
}

pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// A proxy in front of the local Fabric that forwards every request, and for the first request that
/// `lose` picks, lets the API do it but loses its answer (closes the connection): what a client sees
/// when a network drops after the server acted.
pub struct LossyProxy {
    pub base_url: String,
}

impl LossyProxy {
    pub fn start(upstream: &str, lose: fn(&str) -> bool) -> LossyProxy {
        use std::io::{BufRead, BufReader, Read, Write};
        use std::net::{TcpListener, TcpStream};
        use std::sync::atomic::{AtomicBool, Ordering};
        use std::sync::Arc;

        let upstream_addr = upstream.trim_start_matches("http://").split('/').next().unwrap().to_owned();
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let base_url = format!("http://{}/v1", listener.local_addr().unwrap());
        let lost = Arc::new(AtomicBool::new(false));
        std::thread::spawn(move || {
            for client in listener.incoming() {
                let Ok(client) = client else { continue };
                let (upstream_addr, lost) = (upstream_addr.clone(), lost.clone());
                std::thread::spawn(move || {
                    // One request: the request line and headers, then the body by Content-Length.
                    let read_message = |reader: &mut BufReader<TcpStream>| -> Option<(String, Vec<u8>)> {
                        let mut head = String::new();
                        loop {
                            let mut line = String::new();
                            if reader.read_line(&mut line).ok()? == 0 {
                                return None;
                            }
                            let end = line == "\r\n";
                            head.push_str(&line);
                            if end {
                                break;
                            }
                        }
                        let length = head
                            .lines()
                            .find_map(|l| {
                                l.to_ascii_lowercase()
                                    .strip_prefix("content-length:")
                                    .map(|v| v.trim().to_owned())
                            })
                            .and_then(|v| v.parse::<usize>().ok())
                            .unwrap_or(0);
                        let mut body = vec![0; length];
                        reader.read_exact(&mut body).ok()?;
                        Some((head, body))
                    };
                    let mut client_reader = BufReader::new(client.try_clone().unwrap());
                    let Some((head, body)) = read_message(&mut client_reader) else { return };
                    let request_line = head.lines().next().unwrap_or_default().to_owned();
                    let mut server = TcpStream::connect(&upstream_addr).unwrap();
                    server.write_all(head.as_bytes()).unwrap();
                    server.write_all(&body).unwrap();
                    let mut server_reader = BufReader::new(server);
                    let Some((answer_head, answer_body)) = read_message(&mut server_reader) else { return };
                    if lose(&request_line) && !lost.swap(true, Ordering::SeqCst) {
                        let _ = client.shutdown(std::net::Shutdown::Both);
                        return;
                    }
                    let answer_head = answer_head.replacen("\r\n", "\r\nconnection: close\r\n", 1);
                    let mut client = client;
                    let _ = client.write_all(answer_head.as_bytes());
                    let _ = client.write_all(&answer_body);
                });
            }
        });
        LossyProxy { base_url }
    }
}
