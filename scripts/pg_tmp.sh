#!/usr/bin/env bash
# A throw-away PostgreSQL server for the test suite, started from the server binaries alone
# (no system cluster, no service manager, nothing outside one folder).
#
#   scripts/pg_tmp.sh start   initdb, start on 127.0.0.1, create the database, print its URL
#   scripts/pg_tmp.sh url     print the URL of the running server
#   scripts/pg_tmp.sh stop    stop the server and delete the folder
#
#   url=$(scripts/pg_tmp.sh start)
#   AGORA_TEST_DATABASE_URL=$url make migrations-check pytest
#   scripts/pg_tmp.sh stop
#
# Environment:
#   AGORA_PG_DIR   folder for data, socket, log and URL (default: ${TMPDIR:-/tmp}/agora-pg-<uid>)
#   AGORA_PG_PORT  TCP port on 127.0.0.1 (default: a free one)
#   AGORA_PG_BIN   folder holding initdb and pg_ctl (default: on PATH, else the newest
#                  /usr/lib/postgresql/*/bin)
#   AGORA_PG_USER  system user the server runs as when this script runs as root (default: postgres)
set -euo pipefail

dir=${AGORA_PG_DIR:-${TMPDIR:-/tmp}/agora-pg-$(id -u)}
database=agora_test
role=agora

die() { echo "pg_tmp: $*" >&2; exit 1; }

pg_bin() {
  if [ -n "${AGORA_PG_BIN:-}" ]; then
    echo "$AGORA_PG_BIN"
  elif command -v pg_ctl >/dev/null && command -v initdb >/dev/null; then
    dirname "$(readlink -f "$(command -v pg_ctl)")"
  else
    local found
    found=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
    [ -n "$found" ] && [ -x "$found/initdb" ] || die "no PostgreSQL server binaries (initdb, pg_ctl) found"
    echo "$found"
  fi
}

# PostgreSQL refuses to run as root, so root hands the server to an ordinary system user.
as_server_user() {
  if [ "$(id -u)" = 0 ]; then
    (cd "$dir" && runuser -u "${AGORA_PG_USER:-postgres}" -- "$@")
  else
    (cd "$dir" && "$@")
  fi
}

ensure_server_user() {
  [ "$(id -u)" = 0 ] || return 0
  local user=${AGORA_PG_USER:-postgres}
  id "$user" >/dev/null 2>&1 && return 0
  useradd --system --user-group --no-create-home --home-dir /nonexistent \
    --shell /usr/sbin/nologin "$user"
}

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

running() {
  [ -f "$dir/data/PG_VERSION" ] && as_server_user "$(pg_bin)/pg_ctl" -D "$dir/data" status >/dev/null 2>&1
}

start() {
  if running; then
    [ -f "$dir/url" ] || die "a server runs in $dir but its URL is missing: scripts/pg_tmp.sh stop"
    cat "$dir/url"
    return
  fi
  local bin port password
  bin=$(pg_bin)
  port=${AGORA_PG_PORT:-$(free_port)}
  password=$(python3 -c 'import secrets; print(secrets.token_hex(16))')
  ensure_server_user
  rm -rf "$dir/data" "$dir/url"  # left over from a run that was killed before stop
  mkdir -p "$dir/socket"
  umask 077
  printf '%s\n' "$password" >"$dir/password"
  if [ "$(id -u)" = 0 ]; then
    chown -R "${AGORA_PG_USER:-postgres}:" "$dir"
  fi
  # Only the unix socket inside the folder trusts the server user; TCP needs the password.
  as_server_user "$bin/initdb" --pgdata="$dir/data" --username=postgres --pwfile="$dir/password" \
    --auth-local=trust --auth-host=scram-sha-256 --encoding=UTF8 --no-locale --no-sync \
    >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; die "initdb failed"; }
  rm -f "$dir/password"
  # Durability off: this database lives for one test run.
  local fast="-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
  as_server_user "$bin/pg_ctl" --pgdata="$dir/data" --log="$dir/server.log" --wait --timeout=60 \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $dir/socket $fast" start >/dev/null \
    || { cat "$dir/server.log" >&2; die "the server did not start"; }
  # The tests' role owns its database, so it may drop and recreate the public schema.
  if ! as_server_user "$bin/psql" -X -q -v ON_ERROR_STOP=1 -h "$dir/socket" -p "$port" \
    -U postgres -d postgres >/dev/null <<SQL
CREATE ROLE $role LOGIN CREATEDB PASSWORD '$password';
CREATE DATABASE $database OWNER $role;
SQL
  then
    stop
    die "could not create the database"
  fi
  echo "postgresql+psycopg://$role:$password@127.0.0.1:$port/$database" >"$dir/url"
  cat "$dir/url"
}

stop() {
  if [ -f "$dir/data/PG_VERSION" ]; then
    as_server_user "$(pg_bin)/pg_ctl" --pgdata="$dir/data" --mode=fast --wait stop >/dev/null 2>&1 || true
  fi
  rm -rf "$dir"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  url) [ -f "$dir/url" ] && running || die "not running (scripts/pg_tmp.sh start)"; cat "$dir/url" ;;
  *) echo "usage: $0 start|url|stop" >&2; exit 2 ;;
esac
