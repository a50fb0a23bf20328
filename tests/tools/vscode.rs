//! The VS Code extension end to end: `editors/vscode/test/e2e.sh` packages the extension, installs it into a
//! fresh code-server profile and drives VS Code's web UI with headless Chromium (`e2e.mjs` says what it
//! asserts: the language mode, the Problems panel, completion, a REST command from the palette). Its
//! screenshots go to the target folder (`tmp/vscode-e2e/`).
//!
//! Needs code-server (`CODE_SERVER`, else `code-server` on PATH; `.ci/run` installs 4.100.3 from npm with
//! `.ci/install-code-server`), Chromium (`CHROMIUM`, else `/usr/bin/chromium`: `apt-get install chromium`), and
//! Node.js with npm, which install the extension's and the test's packages.

use std::path::{Path, PathBuf};
use std::process::Command;

use super::require::{self, Missing, Ran};
use super::support;

pub fn the_extension_in_code_server_shows_diagnostics_completes_and_pushes() -> Ran {
    let code_server = require::named_by("CODE_SERVER", "code-server");
    require::version(&code_server).ok_or_else(|| {
        Missing::new(
            "code-server",
            "`.ci/run` installs code-server 4.100.3 with .ci/install-code-server and sets CODE_SERVER to it",
        )
    })?;
    let chromium = require::named_by("CHROMIUM", "/usr/bin/chromium");
    require::version(&chromium).ok_or_else(|| {
        Missing::new("chromium", "`.ci/run` runs apt-get install chromium; CHROMIUM names another")
    })?;
    for tool in ["node", "npm"] {
        require::version(Path::new(tool))
            .ok_or_else(|| Missing::new(tool, "`.ci/run` runs apt-get install nodejs npm"))?;
    }

    let out = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("vscode-e2e");
    std::fs::create_dir_all(&out).unwrap();
    let output = Command::new("bash")
        .arg(support::repo().join("editors/vscode/test/e2e.sh"))
        .env("CODE_SERVER", &code_server)
        .env("CHROMIUM", &chromium)
        .env("DFLS_BIN", support::dfls())
        .env("SCREENSHOT", out.join("vscode.png"))
        .output()
        .expect("bash runs e2e.sh");
    let shown =
        format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    assert!(output.status.success(), "e2e.sh failed:\n{shown}");
    assert!(shown.lines().any(|line| line == "e2e: ok"), "e2e.sh did not finish:\n{shown}");
    Ok(())
}
