#!/usr/bin/env bash
# Regenerates requirements.lock from requirements.in in a throwaway Python 3.10 venv (`make lock`).
# Review the diff, then `make setup` builds the new cached venv.
set -euo pipefail
cd "$(dirname "$0")/.."
py=$(scripts/find-python.sh)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$py" -m venv "$tmp/venv"
"$tmp/venv/bin/pip" install --quiet --disable-pip-version-check "pip==24.0"
"$tmp/venv/bin/pip" install --quiet --disable-pip-version-check -r requirements.in
"$tmp/venv/bin/pip" check
"$tmp/venv/bin/pip" freeze --all | grep -v '^pip==' | LC_ALL=C sort -f -t= -k1,1 > requirements.lock
echo "==> requirements.lock: $(wc -l < requirements.lock) pinned packages"
