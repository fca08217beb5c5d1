# Sourced by the project's scripts: quiet, offline, loopback-only defaults for Rasa and TensorFlow.
export PYTHONPATH="${PYTHONPATH:+$PYTHONPATH:}$(pwd)"
export TF_CPP_MIN_LOG_LEVEL="${TF_CPP_MIN_LOG_LEVEL:-2}"
export TQDM_DISABLE="${TQDM_DISABLE:-1}"
export RASA_TELEMETRY_ENABLED=false
export SQLALCHEMY_SILENCE_UBER_WARNING=1
export PYTHONWARNINGS="${PYTHONWARNINGS:-ignore::DeprecationWarning,ignore::UserWarning}"
export SHOUZI_HOST="${SHOUZI_HOST:-127.0.0.1}"
export SHOUZI_PORT="${SHOUZI_PORT:-5005}"
export SHOUZI_ACTIONS_PORT="${SHOUZI_ACTIONS_PORT:-5055}"
# rasa-sdk's action server binds to SANIC_HOST. It has no authentication, so it stays on loopback even when
# the Rasa server is published (SHOUZI_HOST=0.0.0.0 behind a load balancer): Rasa reaches it on 127.0.0.1.
export SANIC_HOST=127.0.0.1
# Sanic refuses any body larger than this before reading it (channels check their own, smaller limits).
export SANIC_REQUEST_MAX_SIZE="${SANIC_REQUEST_MAX_SIZE:-1048576}"
export ACTION_ENDPOINT_URL="${ACTION_ENDPOINT_URL:-http://127.0.0.1:${SHOUZI_ACTIONS_PORT}/webhook}"
export SHOUZI_CONFIG="${SHOUZI_CONFIG:-config.yml}"
export SHOUZI_MODELS="${SHOUZI_MODELS:-models}"
# Records and conversations share one database; SQLite under the data directory unless told otherwise.
export SHOUZI_DATA_DIR="${SHOUZI_DATA_DIR:-$(pwd)/var}"
export DATABASE_URL="${DATABASE_URL:-sqlite:///${SHOUZI_DATA_DIR}/shouzi.db}"
# Rasa server processes (Sanic workers) on this machine; with more than one they share conversation locks
# (a file lock store here, Redis when SHOUZI_REDIS_HOST is set) and the database. Default: one per core, at most 2.
export SHOUZI_WORKERS="${SHOUZI_WORKERS:-$(( $(nproc) < 2 ? 1 : 2 ))}"
export SANIC_WORKERS="$SHOUZI_WORKERS"
