//! The pre-commit hooks of `.pre-commit-hooks.yaml`, driven by the real `pre-commit` tool in a temporary git
//! repository: a good commit passes, a broken one is refused with the diagnostic shown; an unformatted M file
//! is formatted in place and the commit refused, then the formatted file commits.
//!
//! `pre-commit` comes from PyPI (`pip install pre-commit`; `.ci/run` installs it). Without it the test says
//! so and passes on a developer's machine, but fails in CI (`CI` set), so CI cannot go green without it.
//! The `dfls-check-system` hook runs the binary under test; the `dfls-check` hook, which makes pre-commit
//! build dfls with cargo (minutes), runs too when `DFLS_TEST_PRE_COMMIT_RUST` is set, as `.ci/run` does.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn run(program: &str, args: &[&str], cwd: &Path, path: &str) -> Output {
    Command::new(program)
        .args(args)
        .current_dir(cwd)
        .env("PATH", path)
        .env("PRE_COMMIT_HOME", cwd.parent().unwrap().join("pre-commit-home"))
        .env("GIT_AUTHOR_NAME", "Test")
        .env("GIT_AUTHOR_EMAIL", "test@example.invalid")
        .env("GIT_COMMITTER_NAME", "Test")
        .env("GIT_COMMITTER_EMAIL", "test@example.invalid")
        .output()
        .unwrap_or_else(|e| panic!("{program} runs: {e}"))
}

fn git(args: &[&str], cwd: &Path, path: &str) -> Output {
    let output = run("git", args, cwd, path);
    assert!(output.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&output.stderr));
    output
}

fn pre_commit_available(path: &str) -> bool {
    Command::new("pre-commit").arg("--version").env("PATH", path).output().is_ok_and(|o| o.status.success())
}

/// A git repository holding this project's hook definitions (and, for the cargo-built hook, its sources),
/// committed, as pre-commit needs a repository and a revision.
fn hook_repository(root: &Path, path: &str, with_sources: bool) -> (PathBuf, String) {
    let repo = root.join("hooks");
    let project = Path::new(env!("CARGO_MANIFEST_DIR"));
    std::fs::create_dir_all(&repo).unwrap();
    std::fs::copy(project.join(".pre-commit-hooks.yaml"), repo.join(".pre-commit-hooks.yaml")).unwrap();
    if with_sources {
        for entry in [
            "pyproject.toml",
            "README.md",
            "Cargo.toml",
            "Cargo.lock",
            "src",
            "grammars",
            "schemas",
            "docs",
            "benches",
        ] {
            copy_tree(&project.join(entry), &repo.join(entry));
        }
    }
    git(&["init", "-q"], &repo, path);
    git(&["add", "-A"], &repo, path);
    git(&["commit", "-q", "-m", "hooks"], &repo, path);
    let sha = String::from_utf8(git(&["rev-parse", "HEAD"], &repo, path).stdout).unwrap().trim().to_string();
    (repo, sha)
}

fn copy_tree(from: &Path, to: &Path) {
    if !from.exists() {
        return;
    }
    if from.is_file() {
        std::fs::copy(from, to).unwrap();
        return;
    }
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        if entry.file_name() != "target" {
            copy_tree(&entry.path(), &to.join(entry.file_name()));
        }
    }
}

/// Commits a good item, then a broken one, through the hook; returns the second commit's output.
fn good_then_broken_commit(root: &Path, path: &str, hook_repo: &Path, sha: &str, hook: &str) {
    let work = root.join(format!("work-{hook}"));
    std::fs::create_dir_all(&work).unwrap();
    git(&["init", "-q"], &work, path);
    std::fs::write(
        work.join(".pre-commit-config.yaml"),
        format!(
            "repos:\n  - repo: {}\n    rev: {sha}\n    hooks:\n      - id: {hook}\n",
            hook_repo.display()
        ),
    )
    .unwrap();
    let installed = run("pre-commit", &["install"], &work, path);
    assert!(installed.status.success(), "{}", String::from_utf8_lossy(&installed.stderr));

    let item = work.join("Sales.Dataflow");
    copy_tree(&Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/Sales Orders.Dataflow"), &item);
    let platform = std::fs::read_to_string(item.join(".platform")).unwrap().replace("Sales Orders", "Sales");
    std::fs::write(item.join(".platform"), platform).unwrap();
    git(&["add", "-A"], &work, path);
    let good = run("git", &["commit", "-m", "a good item"], &work, path);
    assert!(
        good.status.success(),
        "{hook}: the good commit passes\n{}{}",
        String::from_utf8_lossy(&good.stdout),
        String::from_utf8_lossy(&good.stderr)
    );

    let mashup = std::fs::read_to_string(item.join("mashup.pq")).unwrap();
    std::fs::write(item.join("mashup.pq"), mashup.replacen("\nin\n", "\n", 1)).unwrap();
    git(&["add", "-A"], &work, path);
    let broken = run("git", &["commit", "-m", "a broken item"], &work, path);
    let shown =
        format!("{}{}", String::from_utf8_lossy(&broken.stdout), String::from_utf8_lossy(&broken.stderr));
    assert!(!broken.status.success(), "{hook}: the broken commit is refused\n{shown}");
    assert!(
        shown.contains("M102") && shown.contains("expected `in`"),
        "{hook}: the diagnostic is shown\n{shown}"
    );
    assert!(shown.contains("Sales.Dataflow/mashup.pq"), "{hook}: with the file\n{shown}");
    let log = String::from_utf8(git(&["log", "--oneline"], &work, path).stdout).unwrap();
    assert_eq!(log.lines().count(), 1, "{hook}: only the good commit landed");
}

/// Commits an unformatted M file through a formatting hook: refused with the file formatted in place, then
/// the formatted file commits.
fn unformatted_then_formatted_commit(root: &Path, path: &str, hook_repo: &Path, sha: &str, hook: &str) {
    let work = root.join(format!("work-{hook}"));
    std::fs::create_dir_all(&work).unwrap();
    git(&["init", "-q"], &work, path);
    std::fs::write(
        work.join(".pre-commit-config.yaml"),
        format!(
            "repos:\n  - repo: {}\n    rev: {sha}\n    hooks:\n      - id: {hook}\n",
            hook_repo.display()
        ),
    )
    .unwrap();
    let installed = run("pre-commit", &["install"], &work, path);
    assert!(installed.status.success(), "{}", String::from_utf8_lossy(&installed.stderr));
    std::fs::write(work.join("query.pq"), "let a=1,b=2 in a+b\n").unwrap();
    git(&["add", "-A"], &work, path);
    let refused = run("git", &["commit", "-m", "unformatted"], &work, path);
    let shown =
        format!("{}{}", String::from_utf8_lossy(&refused.stdout), String::from_utf8_lossy(&refused.stderr));
    assert!(!refused.status.success(), "{hook}: the unformatted commit is refused\n{shown}");
    assert!(shown.contains("files were modified by this hook"), "{hook}: says why\n{shown}");
    let formatted = std::fs::read_to_string(work.join("query.pq")).unwrap();
    assert_eq!(formatted, "let\n  a = 1,\n  b = 2\nin\n  a + b\n", "{hook}: formatted in place");
    git(&["add", "-A"], &work, path);
    let passed = run("git", &["commit", "-m", "formatted"], &work, path);
    assert!(
        passed.status.success(),
        "{hook}: the formatted commit passes\n{}{}",
        String::from_utf8_lossy(&passed.stdout),
        String::from_utf8_lossy(&passed.stderr)
    );
}

#[test]
fn hooks_pass_good_commits_and_refuse_broken_ones() {
    let binary_dir = Path::new(env!("CARGO_BIN_EXE_dfls")).parent().unwrap().to_path_buf();
    let path = format!("{}:{}", binary_dir.display(), std::env::var("PATH").unwrap_or_default());
    if !pre_commit_available(&path) {
        assert!(
            std::env::var_os("CI").is_none(),
            "pre-commit is not installed; CI must install it (pip install pre-commit)"
        );
        eprintln!("note: pre-commit is not installed (pip install pre-commit); the hook test did not run");
        return;
    }
    let root = tempfile::tempdir().unwrap();
    let with_rust = std::env::var_os("DFLS_TEST_PRE_COMMIT_RUST").is_some();
    let (hook_repo, sha) = hook_repository(root.path(), &path, with_rust);
    good_then_broken_commit(root.path(), &path, &hook_repo, &sha, "dfls-check-system");
    unformatted_then_formatted_commit(root.path(), &path, &hook_repo, &sha, "dfls-fmt-system");
    if with_rust {
        good_then_broken_commit(root.path(), &path, &hook_repo, &sha, "dfls-check");
        unformatted_then_formatted_commit(root.path(), &path, &hook_repo, &sha, "dfls-fmt");
    }
}
