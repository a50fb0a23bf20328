//! The example item the editor tests open, and the `dfls emulator` their REST commands run
//! against.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

/// The repository root.
pub fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The dfls binary under test.
pub fn dfls() -> &'static str {
    env!("CARGO_BIN_EXE_dfls")
}

/// A workspace like a user's: a git repository holding a copy of the example item `Sales Orders.Dataflow`
/// whose `mashup.pq` is broken in two ways: a misspelt query name (`#"Raw Ordrs"`, M201) and an unfinished
/// last query `shared Extra = Table.AddCol` to complete. Also an unrelated `package.json`.
pub struct Workspace {
    pub dir: tempfile::TempDir,
}

impl Workspace {
    pub fn new() -> Workspace {
        let dir = tempfile::tempdir().unwrap();
        let example = repo().join("examples/Sales Orders.Dataflow");
        let item = dir.path().join("Sales Orders.Dataflow");
        std::fs::create_dir(&item).unwrap();
        for entry in std::fs::read_dir(&example).unwrap() {
            let entry = entry.unwrap();
            std::fs::copy(entry.path(), item.join(entry.file_name())).unwrap();
        }
        let mashup = item.join("mashup.pq");
        let text = std::fs::read_to_string(&mashup).unwrap();
        let broken = text.replace("Table.NestedJoin(#\"Raw Orders\"", "Table.NestedJoin(#\"Raw Ordrs\"");
        assert_ne!(broken, text, "the example changed: the test cannot break it");
        std::fs::write(&mashup, broken + "shared Extra = Table.AddCol").unwrap();
        std::fs::write(dir.path().join("package.json"), "{}\n").unwrap();
        let git = Command::new("git").args(["init", "-q"]).current_dir(dir.path()).status();
        assert!(git.is_ok_and(|s| s.success()), "git init failed");
        Workspace { dir }
    }

    pub fn root(&self) -> PathBuf {
        self.dir.path().canonicalize().unwrap()
    }

    pub fn item(&self) -> PathBuf {
        self.root().join("Sales Orders.Dataflow")
    }

    pub fn mashup(&self) -> PathBuf {
        self.item().join("mashup.pq")
    }
}

/// A `dfls emulator` server (its store in a temporary folder), killed when dropped, and the workspace's `dfls.toml` pointing at it (default
/// target `test`), so that the editors' REST commands run against it. Its jobs take 0.3 s.
pub struct Emulator {
    child: Child,
    _data: tempfile::TempDir,
}

impl Emulator {
    pub fn start(ws: &Workspace) -> Emulator {
        let data = tempfile::tempdir().unwrap();
        let mut child = Command::new(dfls())
            .args(["emulator", "--listen", "127.0.0.1:0", "--job-seconds", "0.3", "--data-dir"])
            .arg(data.path())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("dfls emulator starts");
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let mut url = String::new();
        let read = stdout.read_line(&mut url);
        let url = url.trim().to_owned();
        if !matches!(read, Ok(n) if n > 0) || !url.starts_with("http://") {
            let _ = child.kill();
            let _ = child.wait();
            panic!("dfls emulator printed no base URL: {read:?} {url:?}");
        }
        // Whatever else it prints is read and dropped, so that it never blocks on a full pipe.
        std::thread::spawn(move || std::io::copy(&mut stdout, &mut std::io::sink()));
        let toml = format!(
            r#"default-target = "test"

[targets.test]
api = "{url}"
workspace = "0ca1fab0-0000-4000-8000-000000000001"
auth = "none"
"#
        );
        std::fs::write(ws.root().join("dfls.toml"), toml).unwrap();
        Emulator { child, _data: data }
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
