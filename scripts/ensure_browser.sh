#!/usr/bin/env bash
# Make sure Debian's Chromium is there for the browser tests (tests/test_desk_browser.py).
BROWSER=${STORYLINE_CHROMIUM:-/usr/bin/chromium}
exec bash "$(dirname "$0")/ensure_debian_package.sh" ensure_browser chromium \
  "test -x '$BROWSER'" "browser tests"
