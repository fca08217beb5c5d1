#!/usr/bin/env bash
# Starts the action server and the Rasa server on loopback, waits until both answer, and stops
# both on Ctrl-C. Usage: scripts/run.sh MODEL [--background PIDFILE]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
model="$1"; shift
background=""
if [ "${1:-}" = "--background" ]; then background="$2"; fi
logs="$SHOUZI_DATA_DIR/logs"
mkdir -p "$logs"
# Bring the records database to the newest schema before either server touches it.
.venv/bin/python -m bot.records.migrate upgrade >"$logs/migrate.log" 2>&1 \
  || { echo "数据库迁移失败 / database migration failed:" >&2; cat "$logs/migrate.log" >&2; exit 1; }

.venv/bin/rasa run actions --actions actions -p "$SHOUZI_ACTIONS_PORT" --quiet >"$logs/actions.log" 2>&1 &
actions_pid=$!
# Several instances sharing one PostgreSQL also share conversation locks in Redis (SHOUZI_REDIS_HOST);
# several Rasa workers on this machine alone share them through lock files.
endpoints=endpoints.yml
if [ -n "${SHOUZI_REDIS_HOST:-}" ]; then
  endpoints="$SHOUZI_DATA_DIR/endpoints.yml"
  { cat endpoints.yml
    printf "\n# Added by scripts/run.sh because SHOUZI_REDIS_HOST is set.\nlock_store:\n  type: bot.adapters.stores.lock_store.AtomicRedisLockStore\n"
    printf '  url: %s\n  port: %s\n  db: %s\n  key_prefix: shouzi\n' \
      "$SHOUZI_REDIS_HOST" "${SHOUZI_REDIS_PORT:-6379}" "${SHOUZI_REDIS_DB:-1}"
  } >"$endpoints"
elif [ "$SHOUZI_WORKERS" -gt 1 ]; then
  endpoints="$SHOUZI_DATA_DIR/endpoints.yml"
  { cat endpoints.yml
    printf "\n# Added by scripts/run.sh because SHOUZI_WORKERS=%s (one machine, no Redis).\n" "$SHOUZI_WORKERS"
    printf "lock_store:\n  type: bot.adapters.stores.lock_store.FileLockStore\n  lock_dir: %s\n" "$SHOUZI_DATA_DIR/locks"
  } >"$endpoints"
fi
# Several workers accept from one socket: a kept-alive connection would stay with the worker that accepted it,
# and a few busy clients (a load balancer's pooled connections) could load one worker while the other idles.
# Closing after each response lets the next request go to whichever worker is free (cheap on a LAN).
keep_alive=True
if [ "$SHOUZI_WORKERS" -gt 1 ]; then keep_alive=False; fi
SANIC_KEEP_ALIVE="$keep_alive" .venv/bin/rasa run -m "$model" -i "$SHOUZI_HOST" -p "$SHOUZI_PORT" --credentials credentials.yml \
  --endpoints "$endpoints" --quiet >"$logs/rasa.log" 2>&1 &
rasa_pid=$!
# Deadlines (R12): escalations not acknowledged in time move up a tier. Safe with several instances.
.venv/bin/python -m bot.records.scheduler --every "${SHOUZI_SCHEDULER_SECONDS:-60}" >"$logs/scheduler.log" 2>&1 &
scheduler_pid=$!
stop() { kill "$rasa_pid" "$actions_pid" "$scheduler_pid" 2>/dev/null || true; wait 2>/dev/null || true; }
if [ -z "$background" ]; then trap 'echo; echo "==> 正在停止 / stopping"; stop; exit 0' INT TERM; fi

base="http://$SHOUZI_HOST:$SHOUZI_PORT"
start=$(date +%s)
until curl -sf "http://127.0.0.1:$SHOUZI_ACTIONS_PORT/health" >/dev/null 2>&1 \
   && curl -sf -X POST -H 'Content-Type: application/json' -d '{"text":"你好"}' "$base/webhooks/assist/analyze" >/dev/null 2>&1; do
  for pid in "$rasa_pid" "$actions_pid" "$scheduler_pid"; do
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "启动失败 / a server exited during start-up; see $logs/rasa.log and $logs/actions.log" >&2
      tail -20 "$logs/rasa.log" "$logs/actions.log" >&2; stop; exit 1
    fi
  done
  if [ $(( $(date +%s) - start )) -gt 300 ]; then echo "启动超时 / start-up timed out" >&2; stop; exit 1; fi
  sleep 1
done
cat <<MSG
==> 首咨助手已就绪 / ready in $(( $(date +%s) - start )) s
    对话 REST:   POST $base/webhooks/rest/webhook   {"sender": "u1", "message": "你好"}
    分析 API:    POST $base/webhooks/assist/analyze {"text": "开餐馆要办哪些证？"}
    终端对话:    make shell      日志: $logs/
MSG
if [ -n "$background" ]; then
  echo "$rasa_pid $actions_pid $scheduler_pid" > "$background"
  exit 0
fi
echo "    按 Ctrl-C 停止 / Ctrl-C stops both servers"
wait
