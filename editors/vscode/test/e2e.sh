#!/usr/bin/env bash
# End to end: the packaged extension in a real VS Code (code-server), driven by headless Chromium. Installs
# dfls.vsix into a fresh code-server profile, opens a copy of examples/Sales Orders.Dataflow whose mashup.pq has a
# misspelt query name and an unfinished `Table.AddCol`, and asserts that mashup.pq is `dataflow-m`, that the
# Problems panel shows the diagnostic, that the suggest widget offers Table.AddColumn, that `dfls: Push` from the
# palette shows the server's answer (it refuses to push the item while it has errors), and that an M file outside
# the item is `dataflow-m` and .platform is JSON. Saves a screenshot (SCREENSHOT, default test/out/vscode.png).
#
# Needs: code-server 4.100 (CODE_SERVER, default `code-server` on PATH; see the repository's editor-testing
# notes for an install from npm), Chromium (CHROMIUM, default /usr/bin/chromium: `apt-get install chromium`), a
# built dfls (DFLS_BIN, default ../../target/debug/dfls), Node 20. Builds dfls.vsix when it is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -f dfls.vsix ]; then
  npm ci --no-audit --no-fund --loglevel=error
  npx vsce package --no-dependencies --out dfls.vsix
fi
(cd test && npm ci --no-audit --no-fund --loglevel=error)
exec node test/e2e.mjs
