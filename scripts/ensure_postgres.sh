#!/usr/bin/env bash
# Make sure a PostgreSQL server's programs (initdb, pg_ctl) are there for the tests that run on a
# real server: tests/postgres_server.py starts a throwaway cluster with them, and stops it.
exec bash "$(dirname "$0")/ensure_debian_package.sh" ensure_postgres postgresql \
  "ls /usr/lib/postgresql/*/bin/initdb || command -v initdb" "PostgreSQL tests"
