#!/usr/bin/env bash
# The extension's part of CI: prerequisites, npm packages, lint, type-check, unit tests, .vsix,
# and the end-to-end test in a real VS Code (code-server + headless Chromium).
#   COC_PYTHON=/path/to/venv/bin/python bash vscode-extension/ci.sh
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
bash "$HERE/e2e/install.sh"
cd "$HERE"
npm ci --no-audit --no-fund
npm run lint
npm run typecheck
npm test
COC_PYTHON="${COC_PYTHON:?set COC_PYTHON to the project venv python}" bash e2e/run.sh
