#!/usr/bin/env bash
# A throwaway Redis on loopback: the lock store that lets several Rasa instances share conversations.
#   scripts/redis.sh start DIR PORT   installs Debian's redis-server if missing, starts it, prints host:port
#   scripts/redis.sh stop DIR         stops it and removes DIR
#   scripts/redis.sh crash DIR        kills it (SIGKILL), keeping DIR; `start DIR PORT` brings it back
set -euo pipefail
verb="${1:-}"; dir="${2:-}"; port="${3:-}"
[ -n "$verb" ] && [ -n "$dir" ] || { echo "usage: $0 start DIR PORT | stop DIR" >&2; exit 2; }
case "$verb" in
  start)
    [ -n "$port" ] || { echo "usage: $0 start DIR PORT" >&2; exit 2; }
    if ! command -v redis-server >/dev/null 2>&1; then
      [ "$(id -u)" = 0 ] || { echo "redis-server is missing and installing it needs root (apt-get install redis-server)" >&2; exit 1; }
      echo "==> 安装 Redis / installing Debian's redis-server" >&2
      export DEBIAN_FRONTEND=noninteractive
      apt-get install -y -qq --no-install-recommends redis-server >/dev/null 2>&1 \
        || { apt-get update -qq >/dev/null && apt-get install -y -qq --no-install-recommends redis-server >/dev/null; }
    fi
    mkdir -p "$dir"
    redis-server --port "$port" --bind 127.0.0.1 --save "" --appendonly no --daemonize yes \
      --pidfile "$dir/redis.pid" --logfile "$dir/redis.log" --dir "$dir"
    for _ in $(seq 50); do
      redis-cli -p "$port" ping >/dev/null 2>&1 && { echo "127.0.0.1:$port"; exit 0; }
      sleep 0.1
    done
    cat "$dir/redis.log" >&2; exit 1
    ;;
  crash)
    if [ -f "$dir/redis.pid" ]; then kill -9 "$(cat "$dir/redis.pid")" 2>/dev/null || true; rm -f "$dir/redis.pid"; fi
    ;;
  stop)
    if [ -f "$dir/redis.pid" ]; then kill "$(cat "$dir/redis.pid")" 2>/dev/null || true; fi
    rm -rf "$dir"
    ;;
  *) echo "usage: $0 start DIR PORT | stop DIR" >&2; exit 2 ;;
esac
