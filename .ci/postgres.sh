#!/usr/bin/env bash
# Start or stop a throwaway PostgreSQL for the durable (DBOS) tests.
#
#   .ci/postgres.sh start   initdb into a temp folder as the 'postgres' user, listen on
#                           127.0.0.1 on a free port (socket in the same temp folder), and
#                           write the URL to .ci/.pg/url (export it as LOOPLET_TEST_DATABASE_URL)
#   .ci/postgres.sh stop    pg_ctl stop that server and remove its folder
#
# PG_BIN overrides where the server binaries are (default: the newest /usr/lib/postgresql/*/bin).
set -euo pipefail
cd "$(dirname "$0")"
state="$PWD/.pg"

pg_bin() {
  if [ -n "${PG_BIN:-}" ]; then echo "$PG_BIN"; return; fi
  local bin
  bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  if [ -z "$bin" ]; then
    echo "postgres.sh: no PostgreSQL found under /usr/lib/postgresql; apt-get install -y postgresql" >&2
    exit 1
  fi
  echo "$bin"
}

# Run a command as the postgres user (initdb and the server refuse to run as root).
as_postgres() {
  if [ "$(id -un)" = postgres ]; then "$@"; return; fi
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else sudo -u postgres "$@"; fi
}

free_port() {
  node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}

start() {
  if [ -f "$state/url" ] && [ -d "$(cat "$state/data_dir" 2>/dev/null)" ]; then
    echo "postgres.sh: already running at $(cat "$state/url")"
    return
  fi
  local bin dir port
  bin=$(pg_bin)
  if ! id postgres >/dev/null 2>&1; then
    if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
    $SUDO useradd --system --user-group --no-create-home --shell /bin/false postgres
  fi
  dir=$(mktemp -d /tmp/looplet-pg.XXXXXX)
  chown postgres: "$dir" 2>/dev/null || sudo chown postgres: "$dir"
  chmod 700 "$dir"
  as_postgres "$bin/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --no-locale >/dev/null
  port=$(free_port)
  as_postgres "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c max_connections=300" start \
    >/dev/null
  mkdir -p "$state"
  echo "$dir/data" >"$state/data_dir"
  echo "postgresql://postgres@127.0.0.1:$port/postgres" >"$state/url"
  echo "postgres.sh: running at $(cat "$state/url") (log $dir/server.log)"
}

stop() {
  [ -f "$state/data_dir" ] || { echo "postgres.sh: not running"; return; }
  local data
  data=$(cat "$state/data_dir")
  if [ -d "$data" ]; then
    as_postgres "$(pg_bin)/pg_ctl" -D "$data" -m fast -w stop >/dev/null || true
    rm -rf "$(dirname "$data")"
  fi
  rm -rf "$state"
  echo "postgres.sh: stopped"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: .ci/postgres.sh start|stop" >&2; exit 2 ;;
esac
