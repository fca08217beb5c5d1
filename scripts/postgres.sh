#!/usr/bin/env bash
# A throwaway PostgreSQL server on loopback for tests and local multi-instance trials.
#   scripts/postgres.sh start DIR PORT   installs Debian's postgresql if missing, starts a fresh
#                                        cluster in DIR on 127.0.0.1:PORT, prints its DATABASE_URL
#   scripts/postgres.sh stop DIR         stops it and removes DIR
#   scripts/postgres.sh crash DIR        stops it at once (immediate shutdown, like a crash), keeping DIR
#   scripts/postgres.sh resume DIR PORT  starts the kept cluster again (fault-injection runs, make soak)
set -euo pipefail
verb="${1:-}"; dir="${2:-}"; port="${3:-}"
[ -n "$verb" ] && [ -n "$dir" ] || { echo "usage: $0 start DIR PORT | stop DIR" >&2; exit 2; }

pg_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1; }
as_owner() {  # PostgreSQL refuses to run as root: run it as the package's postgres user
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# Tests run without fsync: fast, and a crashed test server loses nothing that matters. A crash after an
# unflushed commit then loses that commit, so fault injection (scripts/reliability.py) sets SHOUZI_PG_DURABLE=1
# to crash a server configured as a real one is (fsync and synchronous commit on).
durability="-c fsync=off -c synchronous_commit=off"
if [ "${SHOUZI_PG_DURABLE:-0}" = 1 ]; then durability="-c fsync=on -c synchronous_commit=on"; fi
case "$verb" in
  start)
    [ -n "$port" ] || { echo "usage: $0 start DIR PORT" >&2; exit 2; }
    if [ -z "$(pg_bin)" ]; then
      echo "==> 安装 PostgreSQL / installing Debian's postgresql" >&2
      [ "$(id -u)" = 0 ] || { echo "PostgreSQL is missing and installing it needs root (apt-get install postgresql)" >&2; exit 1; }
      export DEBIAN_FRONTEND=noninteractive
      apt-get install -y -qq --no-install-recommends postgresql >/dev/null 2>&1 \
        || { apt-get update -qq >/dev/null && apt-get install -y -qq --no-install-recommends postgresql >/dev/null; }
    fi
    bin="$(pg_bin)"
    [ -n "$bin" ] || { echo "PostgreSQL binaries not found after installing" >&2; exit 1; }
    mkdir -p "$dir"
    [ "$(id -u)" = 0 ] && chown postgres "$dir"
    as_owner "$bin/initdb" -D "$dir/data" -A trust -U postgres -E UTF8 --locale=C --no-sync >"$dir/initdb.log" 2>&1 \
      || { cat "$dir/initdb.log" >&2; exit 1; }
    as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
      -o "-p $port -k $dir -c listen_addresses=127.0.0.1 $durability" start >/dev/null \
      || { cat "$dir/server.log" >&2; exit 1; }
    as_owner "$bin/createdb" -h 127.0.0.1 -p "$port" -U postgres shouzi
    echo "postgresql+psycopg2://postgres@127.0.0.1:$port/shouzi"
    ;;
  crash)
    as_owner "$(pg_bin)/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null
    ;;
  resume)
    [ -n "$port" ] || { echo "usage: $0 resume DIR PORT" >&2; exit 2; }
    as_owner "$(pg_bin)/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
      -o "-p $port -k $dir -c listen_addresses=127.0.0.1 $durability" start >/dev/null
    ;;
  stop)
    bin="$(pg_bin)"
    if [ -n "$bin" ] && [ -d "$dir/data" ]; then as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true; fi
    rm -rf "$dir"
    ;;
  *) echo "usage: $0 start DIR PORT | stop DIR" >&2; exit 2 ;;
esac
