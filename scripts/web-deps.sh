#!/usr/bin/env bash
# Test-only JavaScript tools (axe-core for the accessibility scan), pinned in web/package-lock.json and
# installed with `npm ci` when web/node_modules is missing or older than the lock file. Nothing here is
# served to visitors: the widget itself has no dependencies.
set -euo pipefail
cd "$(dirname "$0")/../web"
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  command -v npm >/dev/null || { echo "npm is missing (apt-get install npm)" >&2; exit 1; }
  echo "==> 安装测试用 JavaScript 工具 / npm ci (web/)" >&2
  npm ci --no-audit --no-fund --loglevel=error >&2
fi
echo "$(pwd)/node_modules/axe-core/axe.min.js"
