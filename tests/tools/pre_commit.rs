//! The pre-commit hooks of `.pre-commit-hooks.yaml`, driven by the real `pre-commit` tool in a temporary git
//! repository configured with the README's `.pre-commit-config.yaml` snippet (its `repo` and `rev` pointed at
//! a local copy of the hooks): a copy of the shipped example item commits (the check and the format hooks
//! pass on it), a broken one is refused with the diagnostic shown; an unformatted M file is formatted in place
//! and the commit refused, then the formatted file commits.
//!
//! `pre-commit` is installed with pip (`.ci/run` runs `pip install pre-commit`). The snippet's `dfls-check` and
//! `dfls-fmt` hooks make pre-commit build dfls with cargo (minutes): they run as written when
//! `DFLS_TEST_PRE_COMMIT_RUST` is set, as `.ci/run` does; otherwise the snippet's hooks are swapped for their
//! `-system` variants, which run the binary under test.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use super::require::{Missing, Ran};

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

/// The README's `.pre-commit-config.yaml` snippet (the first `yaml` block of its `## pre-commit` section).
fn readme_snippet() -> String {
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let section = &readme[readme.find("\n## pre-commit\n").expect("the README has a pre-commit section")..];
    let start =
        section.find("```yaml\n").expect("the pre-commit section has a yaml block") + "```yaml\n".len();
    let end = start + section[start..].find("```").expect("the yaml block ends");
    section[start..end].to_owned()
}

/// The snippet with its `repo` and `rev` values replaced (what follows them on their line, comments
/// included), and, when `system`, each hook swapped for its `-system` variant (the one the snippet names in
/// a comment). Panics when the snippet lacks a `repo:` or `rev:` line.
fn configuration(snippet: &str, repo: &str, rev: &str, system: bool) -> String {
    let mut out = String::new();
    let (mut saw_repo, mut saw_rev) = (false, false);
    for line in snippet.lines() {
        let indent = &line[..line.len() - line.trim_start().len()];
        let trimmed = line.trim_start();
        let line = if trimmed.starts_with("- repo:") {
            saw_repo = true;
            format!("{indent}- repo: {repo}")
        } else if trimmed.starts_with("rev:") {
            saw_rev = true;
            format!("{indent}rev: {rev}")
        } else if let (true, Some(id)) = (system, trimmed.strip_prefix("- id: ")) {
            let id = id.split_whitespace().next().unwrap_or("");
            format!("{indent}- id: {id}-system")
        } else {
            line.to_owned()
        };
        out.push_str(&line);
        out.push('\n');
    }
    assert!(saw_repo && saw_rev, "the snippet has no `repo:` or `rev:` line:\n{snippet}");
    out
}

/// The README's snippet is a configuration this test can run: it names a repository and a revision (which
/// it explains how to choose, as the repository has no release tag to name), and the hooks it enables are
/// hooks of `.pre-commit-hooks.yaml`.
pub fn the_readme_snippet_is_the_configuration_the_test_uses() {
    let snippet = readme_snippet();
    let rev_line = snippet.lines().find(|l| l.trim_start().starts_with("rev:")).expect("a rev line");
    assert!(rev_line.contains("commit SHA"), "the rev line says what to pin: {rev_line}");
    let config = configuration(&snippet, "/hooks", "0123abc", false);
    assert!(config.contains("  - repo: /hooks\n    rev: 0123abc\n"), "{config}");
    let hooks = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(".pre-commit-hooks.yaml"))
        .unwrap();
    let defined: Vec<&str> = hooks.lines().filter_map(|l| l.strip_prefix("- id: ")).collect();
    let enabled = enabled_hooks(&config);
    assert_eq!(enabled, ["dfls-check", "dfls-fmt"], "{config}");
    let system = configuration(&snippet, "/hooks", "0123abc", true);
    let enabled_system = enabled_hooks(&system);
    assert_eq!(enabled_system, ["dfls-check-system", "dfls-fmt-system"], "{system}");
    for id in enabled.iter().chain(&enabled_system) {
        assert!(defined.contains(id), "{id} is not a hook of .pre-commit-hooks.yaml");
    }
}

/// The ids of the hooks a configuration enables (not those in comments).
fn enabled_hooks(config: &str) -> Vec<&str> {
    let ids = config.lines().filter_map(|l| l.trim_start().strip_prefix("- id: "));
    ids.map(|id| id.split_whitespace().next().unwrap_or("")).collect()
}

/// A new git repository `root/NAME` whose pre-commit hooks are installed from `config`.
fn work_repository(root: &Path, name: &str, path: &str, config: &str) -> PathBuf {
    let work = root.join(name);
    std::fs::create_dir_all(&work).unwrap();
    git(&["init", "-q"], &work, path);
    std::fs::write(work.join(".pre-commit-config.yaml"), config).unwrap();
    let installed = run("pre-commit", &["install"], &work, path);
    assert!(installed.status.success(), "{}", String::from_utf8_lossy(&installed.stderr));
    work
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
            "tests",
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

/// Commits a copy of the example item (it must pass every hook, the format hook included), then a broken one.
fn good_then_broken_commit(root: &Path, path: &str, config: &str) {
    let work = work_repository(root, "work-item", path, config);
    let item = work.join("Sales.Dataflow");
    copy_tree(&Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/Sales Orders.Dataflow"), &item);
    let platform = std::fs::read_to_string(item.join(".platform")).unwrap().replace("Sales Orders", "Sales");
    std::fs::write(item.join(".platform"), platform).unwrap();
    git(&["add", "-A"], &work, path);
    let good = run("git", &["commit", "-m", "a good item"], &work, path);
    assert!(
        good.status.success(),
        "the good commit passes\n{}{}",
        String::from_utf8_lossy(&good.stdout),
        String::from_utf8_lossy(&good.stderr)
    );

    let mashup = std::fs::read_to_string(item.join("mashup.pq")).unwrap();
    std::fs::write(item.join("mashup.pq"), mashup.replacen("\nin\n", "\n", 1)).unwrap();
    git(&["add", "-A"], &work, path);
    let broken = run("git", &["commit", "-m", "a broken item"], &work, path);
    let shown =
        format!("{}{}", String::from_utf8_lossy(&broken.stdout), String::from_utf8_lossy(&broken.stderr));
    assert!(!broken.status.success(), "the broken commit is refused\n{shown}");
    assert!(shown.contains("M102") && shown.contains("expected `in`"), "the diagnostic is shown\n{shown}");
    assert!(shown.contains("Sales.Dataflow/mashup.pq"), "with the file\n{shown}");
    let log = String::from_utf8(git(&["log", "--oneline"], &work, path).stdout).unwrap();
    assert_eq!(log.lines().count(), 1, "only the good commit landed");
}

/// Commits an unformatted M file: refused with the file formatted in place, then the formatted file commits.
fn unformatted_then_formatted_commit(root: &Path, path: &str, config: &str) {
    let work = work_repository(root, "work-format", path, config);
    std::fs::write(work.join("query.pq"), "let a=1,b=2 in a+b\n").unwrap();
    git(&["add", "-A"], &work, path);
    let refused = run("git", &["commit", "-m", "unformatted"], &work, path);
    let shown =
        format!("{}{}", String::from_utf8_lossy(&refused.stdout), String::from_utf8_lossy(&refused.stderr));
    assert!(!refused.status.success(), "the unformatted commit is refused\n{shown}");
    assert!(shown.contains("files were modified by this hook"), "says why\n{shown}");
    let formatted = std::fs::read_to_string(work.join("query.pq")).unwrap();
    assert_eq!(formatted, "let\n  a = 1,\n  b = 2\nin\n  a + b\n", "formatted in place");
    git(&["add", "-A"], &work, path);
    let passed = run("git", &["commit", "-m", "formatted"], &work, path);
    assert!(
        passed.status.success(),
        "the formatted commit passes\n{}{}",
        String::from_utf8_lossy(&passed.stdout),
        String::from_utf8_lossy(&passed.stderr)
    );
}

pub fn hooks_pass_good_commits_and_refuse_broken_ones() -> Ran {
    let binary_dir = Path::new(env!("CARGO_BIN_EXE_dfls")).parent().unwrap().to_path_buf();
    let path = format!("{}:{}", binary_dir.display(), std::env::var("PATH").unwrap_or_default());
    if !pre_commit_available(&path) {
        return Err(Missing::new("pre-commit", "`.ci/run` runs pip install pre-commit"));
    }
    let root = tempfile::tempdir().unwrap();
    let with_rust = std::env::var_os("DFLS_TEST_PRE_COMMIT_RUST").is_some();
    let (hook_repo, sha) = hook_repository(root.path(), &path, with_rust);
    let config = configuration(&readme_snippet(), &hook_repo.display().to_string(), &sha, !with_rust);
    good_then_broken_commit(root.path(), &path, &config);
    unformatted_then_formatted_commit(root.path(), &path, &config);
    Ok(())
}
