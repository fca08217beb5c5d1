#!/usr/bin/env bash
# JavaScript packages pinned in web/package-lock.json, installed with `npm ci` when web/node_modules is
# missing or older than the lock file: axe-core for the accessibility scans (tests only; never served) and
# Chart.js for the staff dashboard, whose built file is copied to build/web/ and served from there
# (/webhooks/staff/app/static/chart.umd.min.js; no CDN). The widget itself has no dependencies.
set -euo pipefail
cd "$(dirname "$0")/../web"
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  command -v npm >/dev/null || { echo "npm is missing (apt-get install npm)" >&2; exit 1; }
  echo "==> 安装测试用 JavaScript 工具 / npm ci (web/)" >&2
  npm ci --no-audit --no-fund --loglevel=error >&2
fi
mkdir -p ../build/web
chart=node_modules/chart.js/dist/chart.umd.min.js
if [ ! -f ../build/web/chart.umd.min.js ] || [ "$chart" -nt ../build/web/chart.umd.min.js ]; then
  cp "$chart" ../build/web/chart.umd.min.js
fi
echo "$(pwd)/node_modules/axe-core/axe.min.js"
