#!/usr/bin/env bash
# Make sure Debian's Chromium is there for the browser tests (tests/test_desk_browser.py).
# Installs it with apt-get when it is missing and we may (root, or password-less sudo).
# Never fails: where no browser can be had, the browser tests skip and say why.
set -u
BROWSER=${STORYLINE_CHROMIUM:-/usr/bin/chromium}
if [ -x "$BROWSER" ]; then
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "ensure_browser: no $BROWSER and no apt-get; browser tests will be skipped" >&2
  exit 0
fi
if [ "$(id -u)" -eq 0 ]; then
  SUDO=""
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  SUDO="sudo -n"
else
  echo "ensure_browser: no $BROWSER and no root to install it; browser tests will be skipped" >&2
  exit 0
fi
echo "ensure_browser: installing chromium with apt-get (a minute or two)" >&2
LOG=$(mktemp)
if $SUDO apt-get update -qq >"$LOG" 2>&1 \
  && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends chromium >>"$LOG" 2>&1; then
  echo "ensure_browser: chromium installed" >&2
else
  echo "ensure_browser: could not install chromium (see $LOG); browser tests will be skipped" >&2
fi
exit 0
