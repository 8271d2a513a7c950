#!/usr/bin/env bash
# The browser tests drive a system Chromium (Debian's package, /usr/bin/chromium, or CHROMIUM_PATH):
# playwright-core downloads no browser of its own.
# Installs it when missing and this user may; otherwise says what is needed.
set -euo pipefail
browser="${CHROMIUM_PATH:-/usr/bin/chromium}"
[ -x "$browser" ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "Installing Chromium for the browser tests (Debian package chromium)..."
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  exit 0
fi
echo "The browser tests need Chromium at $browser: run 'sudo apt-get install -y chromium' or set CHROMIUM_PATH." >&2
exit 1
