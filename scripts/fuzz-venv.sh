#!/usr/bin/env bash
# The fuzzer's venv (schemathesis, requirements-fuzz.lock), cached by the lock's hash like the main venv;
# prints the path of its `st` command. Used by `make soak` only.
set -euo pipefail
cd "$(dirname "$0")/.."
hash=$(sha256sum requirements-fuzz.lock | cut -c1-16)
cache="${SHOUZI_VENV_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/shouzi/venvs}"
venv="$cache/fuzz-$hash"
mkdir -p "$cache"
exec 8>"$cache/.setup.lock"
flock 8
if [ ! -f "$venv/.complete" ]; then
  py=$(scripts/find-python.sh)
  echo "==> 创建模糊测试环境 / creating the fuzzer's venv at $venv" >&2
  rm -rf "$venv"
  "$py" -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check --upgrade "pip==24.0" >&2
  "$venv/bin/pip" install --quiet --disable-pip-version-check --no-deps -r requirements-fuzz.lock \
    2> >(grep -v "is ignored: it is neither" >&2)
  "$venv/bin/pip" check >/dev/null
  touch "$venv/.complete"
fi
echo "$venv/bin/st"
