#!/usr/bin/env bash
# The page tests drive Debian's chromium package with playwright-core. Installs it when it is missing and this
# machine can (root with apt-get); otherwise says what to install. Used by .ci/run and scripts/run-tests.js.
# CHROMIUM_PATH names another browser binary. CHROMIUM_CANDIDATES (space-separated paths) replaces the places
# looked at, which lets test/unit/ensureChromium.test.ts try the "absent" branch without touching the system.
set -euo pipefail
candidates=(${CHROMIUM_CANDIDATES:-/usr/bin/chromium /usr/bin/chromium-browser})
found() {
  for candidate in "${CHROMIUM_PATH:-}" "${candidates[@]}"; do
    if [ -n "$candidate" ] && [ -x "$candidate" ]; then return 0; fi
  done
  return 1
}
if found; then exit 0; fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "== installing chromium (Debian package) for the page tests"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq chromium >/dev/null
  if found; then exit 0; fi
  echo "apt-get installed chromium, yet no browser is at ${candidates[*]}: set CHROMIUM_PATH to the chromium binary." >&2
  exit 1
fi
echo "The page tests need Chromium: install Debian's package (sudo apt-get install -y chromium) or set CHROMIUM_PATH." >&2
exit 1
