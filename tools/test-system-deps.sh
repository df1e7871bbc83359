#!/usr/bin/env bash
# The system packages the tests need beyond pip: Emacs 28 + eglot for tests/editors (Neovim comes
# from the test extra). Debian/Ubuntu; does nothing when they are installed already.
set -euo pipefail
installed() { [[ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" == "install ok installed" ]]; }
if ! installed emacs-nox || ! installed elpa-eglot; then
  sudo=""; [[ "$(id -u)" -ne 0 ]] && sudo="sudo"
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -q
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends emacs-nox elpa-eglot
fi
