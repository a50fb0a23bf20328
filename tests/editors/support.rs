//! Finding the editors, and the example item the editor tests open.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The repository root.
pub fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The dfls binary under test.
pub fn dfls() -> &'static str {
    env!("CARGO_BIN_EXE_dfls")
}

fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true")
}

/// Reports an editor that is not installed: a failure in CI, which must run every test, else a note.
pub fn missing(what: &str, how: &str) {
    assert!(!in_ci(), "{what} not found, and CI=true runs every editor test: {how}");
    eprintln!("skipped: {what} not found ({how})");
}

/// The first line of `PROGRAM --version`, or None when the program does not run.
pub fn version(program: &Path) -> Option<String> {
    let output = Command::new(program).arg("--version").output().ok()?;
    if !output.status.success() {
        return None;
    }
    Some(String::from_utf8_lossy(&output.stdout).lines().next().unwrap_or("").trim().to_owned())
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
