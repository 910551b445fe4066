#!/usr/bin/env bash
# Make sure a PostgreSQL server's programs (initdb, pg_ctl) are there for the tests that run on a
# real server (tests/postgres_server.py starts a throwaway cluster with them, and stops it).
# Installs Debian's postgresql with apt-get when they are missing and we may (root, or
# password-less sudo). Never fails: where none can be had, those tests skip and say why.
set -u
if ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null 2>&1; then
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "ensure_postgres: no initdb and no apt-get; PostgreSQL tests will be skipped" >&2
  exit 0
fi
if [ "$(id -u)" -eq 0 ]; then
  SUDO=""
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  SUDO="sudo -n"
else
  echo "ensure_postgres: no initdb and no root to install it; PostgreSQL tests will be skipped" >&2
  exit 0
fi
echo "ensure_postgres: installing postgresql with apt-get (a minute or two)" >&2
LOG=$(mktemp)
# The package's own cluster is not wanted: the tests start their own, in a temporary folder.
if $SUDO apt-get update -qq >"$LOG" 2>&1 \
  && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends postgresql >>"$LOG" 2>&1; then
  echo "ensure_postgres: postgresql installed" >&2
else
  echo "ensure_postgres: could not install postgresql (see $LOG); PostgreSQL tests will be skipped" >&2
fi
exit 0
