#!/usr/bin/env bash
# The browser the widget's tests drive: Debian's Chromium and a CJK font (so screenshots show Chinese).
# Installs them with apt-get when missing (like scripts/postgres.sh for PostgreSQL); never downloads a
# browser any other way. Prints Chromium's path.
set -euo pipefail
chromium_path() { command -v chromium || command -v chromium-browser || true; }
have_font() { fc-list 2>/dev/null | grep -qi "wenquanyi micro hei\|wqy-microhei"; }
missing=()
[ -n "$(chromium_path)" ] || missing+=(chromium)
have_font || [ -f /usr/share/fonts/truetype/wqy/wqy-microhei.ttc ] || missing+=(fonts-wqy-microhei)
if [ ${#missing[@]} -gt 0 ]; then
  echo "==> 安装浏览器与中文字体 / installing ${missing[*]} from Debian's packages" >&2
  [ "$(id -u)" = 0 ] || { echo "missing ${missing[*]}; installing needs root (apt-get install ${missing[*]})" >&2; exit 1; }
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null 2>&1 \
    || { apt-get update -qq >/dev/null && apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; }
fi
path="$(chromium_path)"
[ -n "$path" ] || { echo "Chromium not found after installing" >&2; exit 1; }
echo "$path"
