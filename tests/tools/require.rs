//! The one convention for a test that needs a tool installed (an editor, `pre-commit`, the tree-sitter CLI,
//! code-server and Chromium): the test looks its tool up first and returns [`Missing`] when it is not there,
//! naming the tool and how `.ci/run` installs it. [`trial`] turns that into the test's outcome:
//!
//! - under CI (`CI` set, as every CI service sets it, and not `false` or `0`), where every test must run, the
//!   test FAILS with that message, so CI cannot go green without the tool;
//! - elsewhere the test is IGNORED with that reason: libtest's line says `ignored (emacs not found: ...)`, the
//!   summary counts it (`N ignored`), and [`report_skips`] lists the reasons again after the summary.
//!
//! Nothing else may decide to skip: a test that finds its tool runs to the end and asserts.

use std::path::Path;
use std::process::Command;
use std::sync::Mutex;

use libtest_mimic::{Completion, Failed, Trial};

/// A tool a test needs and did not find.
#[derive(Debug, PartialEq)]
pub struct Missing {
    /// What is missing, as a user would look for it: `emacs`, `nvim 0.11+`, `tree-sitter 0.25.10`.
    pub tool: String,
    /// How to get it: how `.ci/run` installs it, and the variable that names another copy.
    pub install: String,
}

impl Missing {
    pub fn new(tool: impl Into<String>, install: impl Into<String>) -> Missing {
        Missing { tool: tool.into(), install: install.into() }
    }
}

/// What a test that needs a tool returns: `Ok` when it ran (its assertions panic on failure), `Err` when its
/// tool is missing.
pub type Ran = Result<(), Missing>;

/// Whether this is a CI run, where every test must run: `CI` is set and is not empty, `false` or `0`.
pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|value| !matches!(value.trim(), "" | "false" | "0"))
}

/// The outcome of a test whose tool is missing: a failure in CI, else ignored with the reason.
pub fn outcome_of_missing(missing: &Missing, ci: bool) -> Result<Completion, Failed> {
    if ci {
        Err(format!(
            "{} not found, and under CI=true every test runs (none is skipped): {}",
            missing.tool, missing.install
        )
        .into())
    } else {
        Ok(Completion::ignored_with(format!("{} not found: {}", missing.tool, missing.install)))
    }
}

/// The reasons of the tests ignored in this run, for [`report_skips`].
static SKIPS: Mutex<Vec<String>> = Mutex::new(Vec::new());

/// A trial of `test`, which needs a tool: see the module's documentation.
pub fn trial(name: &str, test: fn() -> Ran) -> Trial {
    let owned = name.to_owned();
    Trial::ignorable_test(name, move || match test() {
        Ok(()) => Ok(Completion::Completed),
        Err(missing) => {
            let outcome = outcome_of_missing(&missing, in_ci());
            if outcome.is_ok() {
                SKIPS
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .push(format!("{owned}: {} not found ({})", missing.tool, missing.install));
            }
            outcome
        }
    })
}

/// A trial of `test`, which needs nothing installed.
pub fn plain(name: &str, test: fn()) -> Trial {
    Trial::test(name, move || {
        test();
        Ok(())
    })
}

/// Prints, after libtest's summary, which tests were ignored for a missing tool and how to get it.
pub fn report_skips() {
    let skips = SKIPS.lock().unwrap_or_else(|e| e.into_inner());
    if skips.is_empty() {
        return;
    }
    println!("{} test(s) ignored because a tool is missing (under CI=true they fail):", skips.len());
    for skip in skips.iter() {
        println!("  {skip}");
    }
    println!();
}

/// The first line of `PROGRAM --version`, or None when the program does not run.
pub fn version(program: &Path) -> Option<String> {
    let output = Command::new(program).arg("--version").output().ok()?;
    if !output.status.success() {
        return None;
    }
    Some(String::from_utf8_lossy(&output.stdout).lines().next().unwrap_or("").trim().to_owned())
}

/// The program a variable names, else `default`.
pub fn named_by(variable: &str, default: &str) -> std::path::PathBuf {
    std::env::var_os(variable).map(Into::into).unwrap_or_else(|| default.into())
}

// ---------------------------------------------------------------------------------------------------------
// The convention's own tests

/// The helper: under CI a missing tool is a failure naming it and its install; elsewhere an ignored test
/// with the same reason.
pub fn a_missing_tool_fails_under_ci_and_is_ignored_otherwise() {
    let missing = Missing::new("emacs", "apt-get install emacs-nox elpa-eglot");
    let failed = outcome_of_missing(&missing, true).err().expect("CI fails the test");
    let message = failed.message().unwrap_or_default();
    assert!(message.contains("emacs not found"), "{message}");
    assert!(message.contains("apt-get install emacs-nox elpa-eglot"), "{message}");
    match outcome_of_missing(&missing, false) {
        Ok(Completion::Ignored { reason: Some(reason) }) => {
            assert_eq!(reason, "emacs not found: apt-get install emacs-nox elpa-eglot")
        }
        Ok(Completion::Ignored { reason: None }) => panic!("ignored without a reason"),
        Ok(Completion::Completed) => panic!("a missing tool counted as a pass"),
        Err(failed) => panic!("failed outside CI: {failed:?}"),
    }
}

/// What `CI` means: set, and not empty, `false` or `0`. Read by a child process (this binary, which prints
/// `in_ci()` and exits when `DFLS_TEST_CI_PROBE` is set), so that this test changes no variable of the
/// process that runs the others.
pub fn ci_is_read_from_the_environment() {
    for (value, ci) in
        [("true", true), ("1", true), ("yes", true), ("false", false), ("0", false), ("", false)]
    {
        let output = this_binary().env("CI", value).env(CI_PROBE, "1").output().unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert_eq!(stdout.trim(), format!("in_ci={ci}"), "CI={value:?}");
    }
}

/// The variable that makes this binary print `in_ci=BOOL` and exit (see `main`).
pub const CI_PROBE: &str = "DFLS_TEST_CI_PROBE";

/// The whole convention, through this test binary: the Emacs test with an Emacs that does not exist fails
/// under `CI=true`, naming Emacs and its install, and without CI passes the run with `1 ignored` in the
/// summary and the reason printed.
pub fn a_missing_editor_fails_ci_and_is_counted_as_ignored_elsewhere() {
    let run = |ci: Option<&str>| {
        let mut command = this_binary();
        command
            .args([
                "--exact",
                "emacs::emacs_with_eglot_shows_the_diagnostic_and_completes",
                "--test-threads",
                "1",
            ])
            .env("DFLS_TEST_EMACS", "/nonexistent/emacs")
            .env_remove("CI");
        if let Some(ci) = ci {
            command.env("CI", ci);
        }
        let output = command.output().unwrap();
        let shown =
            format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
        (output.status.success(), shown)
    };

    let (passed, shown) = run(Some("true"));
    assert!(!passed, "CI=true passed without Emacs:\n{shown}");
    assert!(shown.contains("emacs not found"), "{shown}");
    assert!(shown.contains("apt-get install emacs-nox elpa-eglot"), "{shown}");
    assert!(shown.contains("1 failed"), "{shown}");

    let (passed, shown) = run(None);
    assert!(passed, "without CI, a missing Emacs fails:\n{shown}");
    assert!(shown.contains("0 passed; 0 failed; 1 ignored"), "the summary counts the skip:\n{shown}");
    assert!(shown.contains("ignored (emacs not found: "), "the reason is on the test's line:\n{shown}");
    assert!(shown.contains("1 test(s) ignored because a tool is missing"), "{shown}");
}

fn this_binary() -> Command {
    Command::new(std::env::current_exe().expect("the test binary's path"))
}
