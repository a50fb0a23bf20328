//! `editors/emacs/dfls.el` in a real Emacs in batch mode, with Debian's eglot (`emacs-nox`, `elpa-eglot`):
//! `emacs_test.el` loads it as a user does, opens the broken `mashup.pq` of an example item, starts eglot from
//! dfls.el's `eglot-server-programs` entry and asserts `dfls-mode`, the M201 diagnostic through flymake,
//! `Table.AddColumn` through `completion-at-point`, go to definition of a step through xref, the REST commands
//! against a `dfls emulator` (named by the workspace's `dfls.toml`): `dfls-push` refused while the item has
//! errors, then, fixed and saved, created, `dfls-list` and `dfls-parameters` in their buffers, `dfls-schedule`
//! adding, listing and (through `completing-read`) disabling a schedule, an invalid time zone refused in the
//! command line's words, `dfls-refresh` started, its `dfls/jobStatus` notifications up to
//! `Completed` in `dfls-job-status` and the server's final message, and `dfls-json-mode` with the same server
//! for `.platform`.
//!
//! `DFLS_TEST_EMACS` names the Emacs (default `emacs`); `.ci/run` installs `emacs-nox` and `elpa-eglot`.

use std::process::Command;

use super::require::{self, Missing, Ran};
use super::support::{self, Workspace};

const SCRIPT: &str = include_str!("emacs_test.el");

pub fn emacs_with_eglot_shows_the_diagnostic_and_completes() -> Ran {
    let emacs = require::named_by("DFLS_TEST_EMACS", "emacs");
    let version = require::version(&emacs).ok_or_else(|| {
        Missing::new(
            "emacs",
            "`.ci/run` runs apt-get install emacs-nox elpa-eglot; DFLS_TEST_EMACS names another",
        )
    })?;
    let ws = Workspace::new();
    let _emulator = support::Emulator::start(&ws);
    let script = ws.root().join("emacs_test.el");
    std::fs::write(&script, SCRIPT).unwrap();
    // Batch mode reads no init file but runs site-start, which activates Debian's elpa packages (eglot).
    let output = Command::new(&emacs)
        .arg("--batch")
        .arg("-l")
        .arg(&script)
        .env("HOME", ws.root())
        .env("DFLS_TEST_ELISP", support::repo().join("editors/emacs"))
        .env("DFLS_TEST_BIN", support::dfls())
        .env("DFLS_TEST_FILE", ws.mashup())
        .env("DFLS_TEST_ITEM", ws.item())
        .current_dir(ws.root())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{version}: {stderr}");
    assert!(stderr.contains("completion: \"Table.AddCol\" -> Table.AddColumn"), "{version}: {stderr}");
    assert!(stderr.lines().any(|l| l == "ok"), "{version}: the script did not finish: {stderr}");
    assert!(stderr.contains("Refresh `Sales Orders`: Completed"), "{version}: {stderr}");
    assert!(stderr.contains("disabled: ") && stderr.contains("refused: "), "{version}: {stderr}");
    Ok(())
}
