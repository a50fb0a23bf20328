#!/usr/bin/env bash
# End to end: the packaged extension in a real VS Code (code-server), driven by headless Chromium. Packages
# dfls.vsix from the current sources, installs it into a fresh code-server profile, opens a copy of
# examples/Sales Orders.Dataflow whose mashup.pq has a misspelt query name, an unfinished `Table.AddCol` and a
# query without its metadata entry, and asserts what e2e.mjs's header lists (the Problems panel with the closed
# queryMetadata.json's problem, completion, Push anyway, the job's notification and status bar, each JSON mistake
# once, the languages of the item's files, the message when dfls is missing). Saves a screenshot (SCREENSHOT,
# default test/out/vscode.png). Prints `e2e: ok` last when everything passed.
#
# `cargo test` runs it (tests/tools/vscode.rs), and so does CI (.ci/run, which installs what it needs).
# Needs: code-server 4.100 (CODE_SERVER, default `code-server` on PATH; `.ci/install-code-server PREFIX`
# installs it from npm), Chromium (CHROMIUM, default /usr/bin/chromium: `apt-get install chromium`), a built dfls
# (DFLS_BIN, default ../../target/debug/dfls), Node 20 with npm.
set -euo pipefail
cd "$(dirname "$0")/.."
code_server=${CODE_SERVER:-code-server}
chromium=${CHROMIUM:-/usr/bin/chromium}
command -v "$code_server" >/dev/null || { echo "e2e: code-server not found ($code_server): see .ci/install-code-server" >&2; exit 1; }
[ -x "$chromium" ] || { echo "e2e: Chromium not found at $chromium: apt-get install chromium" >&2; exit 1; }

# npm ci only when the installed packages are older than the lock file: it deletes node_modules first.
install_packages() {
  if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    npm ci --no-audit --no-fund --loglevel=error
  fi
}
install_packages
# Always packaged again (`vscode:prepublish` bundles src/), so that a stale dfls.vsix is never tested.
npx vsce package --no-dependencies --out dfls.vsix >/dev/null
(cd test && install_packages)
exec node test/e2e.mjs
