#!/usr/bin/env bash
# The page tests drive Debian's chromium package with playwright-core. Installs it when it is missing and this
# machine can (root with apt-get); otherwise says what to install. Used by .ci/run and scripts/run-tests.js.
set -euo pipefail
for candidate in "${CHROMIUM_PATH:-}" /usr/bin/chromium /usr/bin/chromium-browser; do
  if [ -n "$candidate" ] && [ -x "$candidate" ]; then exit 0; fi
done
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "== installing chromium (Debian package) for the page tests"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq chromium >/dev/null
  exit 0
fi
echo "The page tests need Chromium: install Debian's package (sudo apt-get install -y chromium) or set CHROMIUM_PATH." >&2
exit 1
