//! `dfls emulator` as a process: the first stdout line is the base URL, the API answers there, SIGTERM and
//! SIGINT stop it cleanly (exit 0), a bad store is a clear error with exit code 2, and the token to accept
//! can come from a file or the environment, out of the process list.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn signal(pid: u32, name: &str) {
    let status = Command::new("kill").args(["-s", name, &pid.to_string()]).status().expect("kill runs");
    assert!(status.success());
}

fn wait_exit(child: &mut std::process::Child) -> std::process::ExitStatus {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("dfls emulator did not stop");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn run_until(signal_name: &str) {
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_dfls"))
        .args([
            "emulator",
            "--listen",
            "127.0.0.1:0",
            "--job-seconds",
            "0",
            "--page-size",
            "1",
            "--token",
            "t0k",
        ])
        .current_dir(dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("dfls runs");
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut first = String::new();
    stdout.read_line(&mut first).unwrap();
    let base = first.trim_end().to_string();
    assert!(base.starts_with("http://127.0.0.1:") && base.ends_with("/v1"), "{base}");

    let http = reqwest::blocking::Client::new();
    let reply = http.get(format!("{base}/workspaces")).bearer_auth("t0k").send().unwrap();
    assert_eq!(reply.status().as_u16(), 200);
    let body: serde_json::Value = reply.json().unwrap();
    assert_eq!(body["value"][0]["displayName"], "Local workspace");
    let reply = http.get(format!("{base}/workspaces")).bearer_auth("other").send().unwrap();
    assert_eq!(reply.status().as_u16(), 401);

    signal(child.id(), signal_name);
    let status = wait_exit(&mut child);
    assert_eq!(status.code(), Some(0), "a clean exit on {signal_name}");
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr).unwrap();
    assert!(stderr.contains("GET /v1/workspaces -> 200"), "{stderr}");
    assert!(!stderr.contains("t0k"), "the token is never logged: {stderr}");
    assert!(
        dir.path().join(".dfls/local-fabric").join(dfls::emulator::STORE_FILE).is_file(),
        "the default data dir"
    );
}

#[test]
fn sigterm_stops_the_server_cleanly() {
    run_until("TERM");
}

#[test]
fn sigint_stops_the_server_cleanly() {
    run_until("INT");
}

#[test]
fn a_corrupt_store_is_exit_code_2() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join(dfls::emulator::STORE_FILE), vec![7u8; 4096]).unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_dfls"))
        .args(["emulator", "--listen", "127.0.0.1:0", "--data-dir"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(output.stdout.is_empty());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("store.sqlite3") && stderr.contains("corrupt"), "{stderr}");
}

/// Starts `dfls emulator` on a free port with `data_dir`; the child and its base URL.
fn start(data_dir: &std::path::Path) -> (std::process::Child, String) {
    start_with(data_dir, &[], &[])
}

/// Starts `dfls emulator` on a free port with `data_dir`, more arguments and environment variables (stderr
/// piped); the child and its base URL.
fn start_with(
    data_dir: &std::path::Path,
    args: &[&str],
    env: &[(&str, &str)],
) -> (std::process::Child, String) {
    let mut command = Command::new(env!("CARGO_BIN_EXE_dfls"));
    command.args(["emulator", "--listen", "127.0.0.1:0", "--job-seconds", "0", "--data-dir"]).arg(data_dir);
    command.args(args).env_remove("DFLS_EMULATOR_TOKEN").envs(env.iter().copied());
    let mut child = command.stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("dfls runs");
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut first).unwrap();
    (child, first.trim_end().to_string())
}

/// The status of `GET /workspaces` with this token.
fn list_status(base: &str, token: &str) -> u16 {
    let http = reqwest::blocking::Client::new();
    http.get(format!("{base}/workspaces")).bearer_auth(token).send().unwrap().status().as_u16()
}

/// Stops the emulator and returns its stderr.
fn stop(mut child: std::process::Child) -> String {
    signal(child.id(), "TERM");
    assert_eq!(wait_exit(&mut child).code(), Some(0));
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr).unwrap();
    stderr
}

/// The command line of a process, as every user of the machine can read it.
#[cfg(target_os = "linux")]
fn command_line(pid: u32) -> String {
    String::from_utf8_lossy(&std::fs::read(format!("/proc/{pid}/cmdline")).unwrap()).replace('\0', " ")
}

#[test]
fn the_token_comes_from_a_file_or_the_environment_out_of_sight() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("token");
    std::fs::write(&file, "f1le-t0ken\n").unwrap();
    let (child, base) = start_with(dir.path(), &["--token-file", file.to_str().unwrap()], &[]);
    #[cfg(target_os = "linux")]
    assert!(!command_line(child.id()).contains("f1le-t0ken"), "{}", command_line(child.id()));
    assert_eq!(list_status(&base, "f1le-t0ken"), 200);
    assert_eq!(list_status(&base, "other"), 401);
    let stderr = stop(child);
    assert!(!stderr.contains("f1le-t0ken") && !stderr.contains("note:"), "{stderr}");

    let (child, base) = start_with(dir.path(), &[], &[("DFLS_EMULATOR_TOKEN", "env-t0ken")]);
    #[cfg(target_os = "linux")]
    assert!(!command_line(child.id()).contains("env-t0ken"));
    assert_eq!(list_status(&base, "env-t0ken"), 200);
    assert_eq!(list_status(&base, "other"), 401);
    assert!(!stop(child).contains("env-t0ken"));

    // --token still works, with a word about the process list.
    let (child, base) =
        start_with(dir.path(), &["--token", "cl1-t0ken"], &[("DFLS_EMULATOR_TOKEN", "env-t0ken")]);
    assert_eq!(list_status(&base, "cl1-t0ken"), 200);
    assert_eq!(list_status(&base, "env-t0ken"), 401, "the command line wins");
    let stderr = stop(child);
    assert!(stderr.contains("process list") && stderr.contains("DFLS_EMULATOR_TOKEN"), "{stderr}");
    assert!(!stderr.contains("cl1-t0ken"), "{stderr}");

    // A token file that is empty or missing is an error, before anything listens.
    std::fs::write(&file, "\n").unwrap();
    for path in [file.clone(), dir.path().join("missing")] {
        let output = Command::new(env!("CARGO_BIN_EXE_dfls"))
            .args(["emulator", "--listen", "127.0.0.1:0", "--data-dir"])
            .arg(dir.path())
            .arg("--token-file")
            .arg(&path)
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(2));
        assert!(output.stdout.is_empty());
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(&path.display().to_string()), "{stderr}");
    }
}

#[test]
fn a_loopback_server_answers_only_loopback_host_names() {
    let dir = tempfile::tempdir().unwrap();
    let (child, base) = start_with(dir.path(), &[], &[]);
    let http = reqwest::blocking::Client::new();
    let with_host = |host: &str| {
        http.get(format!("{base}/workspaces"))
            .bearer_auth("t")
            .header("host", host)
            .send()
            .unwrap()
            .status()
            .as_u16()
    };
    assert_eq!(with_host("localhost:7777"), 200);
    assert_eq!(with_host("attacker.example:7777"), 400);
    stop(child);
}

#[test]
fn two_processes_share_one_store() {
    let dir = tempfile::tempdir().unwrap();
    let (mut a, base_a) = start(dir.path());
    let (mut b, base_b) = start(dir.path());
    let ws = dfls::emulator::DEFAULT_WORKSPACE_ID;
    let http = reqwest::blocking::Client::new();
    let create = |base: &str, name: String| {
        http.post(format!("{base}/workspaces/{ws}/dataflows"))
            .bearer_auth("t")
            .json(&serde_json::json!({ "displayName": name }))
            .send()
            .unwrap()
            .status()
            .as_u16()
    };
    // Both processes create at once; then each sees everything the other made, and names stay unique.
    std::thread::scope(|scope| {
        for i in 0..10 {
            let (base_a, base_b, create) = (&base_a, &base_b, &create);
            scope.spawn(move || {
                assert_eq!(create(base_a, format!("A {i}")), 201);
                assert_eq!(create(base_b, format!("B {i}")), 201);
                assert_eq!(create(if i % 2 == 0 { base_a } else { base_b }, format!("A {i}")), 400);
            });
        }
    });
    for base in [&base_a, &base_b] {
        let list: serde_json::Value = http
            .get(format!("{base}/workspaces/{ws}/dataflows"))
            .bearer_auth("t")
            .send()
            .unwrap()
            .json()
            .unwrap();
        assert_eq!(list["value"].as_array().unwrap().len(), 20, "{base}");
    }
    for child in [&mut a, &mut b] {
        signal(child.id(), "TERM");
        assert_eq!(wait_exit(child).code(), Some(0));
    }
    let connection = rusqlite::Connection::open(dir.path().join(dfls::emulator::STORE_FILE)).unwrap();
    let check: String = connection.query_row("PRAGMA integrity_check", [], |row| row.get(0)).unwrap();
    assert_eq!(check, "ok");
}
