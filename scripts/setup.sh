#!/usr/bin/env bash
# Creates (or reuses) the virtual environment for requirements.lock and links it as .venv.
# The venv lives in a cache keyed by the lock file's hash, so clean clones on the same machine
# (CI) reuse it instead of spending minutes re-installing.
set -euo pipefail
cd "$(dirname "$0")/.."
hash=$(sha256sum requirements.lock | cut -c1-16)
cache="${SHOUZI_VENV_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/shouzi/venvs}"
venv="$cache/$hash"
mkdir -p "$cache"
# Several clones on one machine (CI beside a developer) build a venv once: the second one waits.
exec 8>"$cache/.setup.lock"
flock 8
if [ ! -f "$venv/.complete" ]; then
  py=$(scripts/find-python.sh)
  echo "==> 创建虚拟环境 / creating venv ($py) at $venv"
  rm -rf "$venv"
  "$py" -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check --upgrade "pip==24.0"
  echo "==> 安装依赖 / installing pinned dependencies (about 3 minutes the first time)"
  "$venv/bin/pip" install --quiet --disable-pip-version-check --no-deps -r requirements.lock 2> >(grep -v "is ignored: it is neither" >&2)
  "$venv/bin/pip" check >/dev/null || { "$venv/bin/pip" check; exit 1; }
  touch "$venv/.complete"
fi
if [ "$(readlink .venv 2>/dev/null)" != "$venv" ]; then
  rm -rf .venv; ln -s "$venv" .venv
fi
