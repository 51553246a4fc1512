#!/usr/bin/env bash
# Installs what the end-to-end test needs, idempotently: Debian's Chromium (driven by
# playwright-core), ripgrep and the kerberos headers, and code-server (VS Code served
# over HTTP) built from the npm registry into a cache folder outside the repository.
# The VS Code desktop build and Electron cannot be downloaded on these machines, so
# code-server is how the extension runs in a real workbench here.
# Prints the code-server entry point (entry.js) on its last line of stdout.
set -euo pipefail

VERSION="${CODE_SERVER_VERSION:-4.100.3}"
ROOT="${MODELDEBUG_CODE_SERVER_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/modeldebug/code-server-$VERSION}"
ENTRY="$ROOT/node_modules/code-server/out/node/entry.js"
STAMP="$ROOT/.installed"

log() { echo "[install-code-server] $*" >&2; }

need_apt=()
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
command -v rg >/dev/null 2>&1 || need_apt+=(ripgrep)
[ -e /usr/include/krb5.h ] || [ -e /usr/include/krb5/krb5.h ] || need_apt+=(libkrb5-dev)
if [ "${#need_apt[@]}" -gt 0 ]; then
  log "apt-get install ${need_apt[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update >&2
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y "${need_apt[@]}" >&2
fi

if [ -f "$STAMP" ] && [ -f "$ENTRY" ]; then
  log "code-server $VERSION already installed in $ROOT"
  echo "$ENTRY"
  exit 0
fi

log "installing code-server $VERSION into $ROOT"
mkdir -p "$ROOT"
cd "$ROOT"
[ -f package.json ] || npm init -y >/dev/null
# --ignore-scripts: @vscode/ripgrep's postinstall downloads a binary; Debian's rg replaces it.
npm install --no-audit --no-fund --ignore-scripts "code-server@$VERSION" >&2

cd "$ROOT/node_modules/code-server/lib/vscode"
npm install --no-audit --no-fund --omit=dev --ignore-scripts >&2
# node-pty's install step calls `npx node-gyp`; npm_config_yes answers its prompt.
npm_config_yes=true npm rebuild kerberos node-pty @parcel/watcher @vscode/spdlog @vscode/deviceid >&2
mkdir -p node_modules/@vscode/ripgrep/bin
ln -sf "$(command -v rg)" node_modules/@vscode/ripgrep/bin/rg
ln -sfn node_modules node_modules.asar
(cd extensions && npm install --no-audit --no-fund --omit=dev --ignore-scripts >&2)

cd "$ROOT"
npm_config_yes=true npm rebuild argon2 >&2

[ -f "$ENTRY" ] || { log "missing $ENTRY after install"; exit 1; }
date -u +%FT%TZ > "$STAMP"
log "done"
echo "$ENTRY"
