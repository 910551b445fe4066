#!/usr/bin/env bash
# Install a Debian package with apt-get when what the tests need from it is missing, if we may
# (root, or password-less sudo). Never fails: where it cannot be had, the tests that need it
# skip and say why.
# Usage: ensure_debian_package.sh NAME PACKAGE 'CHECK COMMAND' 'TESTS THAT SKIP WITHOUT IT'
set -u
NAME=$1 PACKAGE=$2 CHECK=$3 TESTS=$4
if bash -c "$CHECK" >/dev/null 2>&1; then
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "$NAME: no $PACKAGE and no apt-get; $TESTS will be skipped" >&2
  exit 0
fi
if [ "$(id -u)" -eq 0 ]; then
  SUDO=""
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  SUDO="sudo -n"
else
  echo "$NAME: no $PACKAGE and no root to install it; $TESTS will be skipped" >&2
  exit 0
fi
echo "$NAME: installing $PACKAGE with apt-get (a minute or two)" >&2
LOG=$(mktemp)
if $SUDO apt-get update -qq >"$LOG" 2>&1 \
  && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "$PACKAGE" >>"$LOG" 2>&1; then
  echo "$NAME: $PACKAGE installed" >&2
else
  echo "$NAME: could not install $PACKAGE (see $LOG); $TESTS will be skipped" >&2
fi
exit 0
