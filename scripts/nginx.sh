#!/usr/bin/env bash
# nginx from Debian's packages in front of several instances, on loopback, from deploy/nginx/shouzi.conf.
#   scripts/nginx.sh start DIR PORT UPSTREAM...   installs nginx if missing, renders the site with the given
#                                                 upstreams (host:port), starts it, prints 127.0.0.1:PORT
#   scripts/nginx.sh check DIR                    renders with a placeholder upstream and runs nginx -t
#   scripts/nginx.sh stop DIR                     stops it and removes DIR
set -euo pipefail
cd "$(dirname "$0")/.."
verb="${1:-}"; dir="${2:-}"
[ -n "$verb" ] && [ -n "$dir" ] || { echo "usage: $0 start DIR PORT UPSTREAM... | check DIR | stop DIR" >&2; exit 2; }

install_nginx() {
  command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] && return 0
  [ "$(id -u)" = 0 ] || { echo "nginx is missing and installing it needs root (apt-get install nginx-light)" >&2; exit 1; }
  echo "==> 安装 nginx / installing Debian's nginx" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -qq --no-install-recommends nginx >/dev/null 2>&1 \
    || { apt-get update -qq >/dev/null && apt-get install -y -qq --no-install-recommends nginx >/dev/null; }
}

render() {  # render DIR PORT UPSTREAM...: the repo's site with loopback addresses, inside a minimal main config
  local d="$1" p="$2"; shift 2
  mkdir -p "$d/tmp"
  local servers=""
  for u in "$@"; do servers+="    server $u max_fails=3 fail_timeout=10s;\n"; done
  awk -v servers="$servers" '
    /^ *server 10\.0\.0\.[0-9]+:[0-9]+/ { if (!done) { printf "%s", servers; done = 1 } next }
    { print }
  ' deploy/nginx/shouzi.conf | sed "s/^    listen 80;/    listen 127.0.0.1:$p;/" > "$d/site.conf"
  cat > "$d/nginx.conf" <<CONF
worker_processes 2;
pid $d/nginx.pid;
error_log $d/error.log warn;
events { worker_connections 1024; }
http {
    access_log $d/access.log;
    client_body_temp_path $d/tmp/body;
    proxy_temp_path $d/tmp/proxy;
    fastcgi_temp_path $d/tmp/fastcgi;
    uwsgi_temp_path $d/tmp/uwsgi;
    scgi_temp_path $d/tmp/scgi;
    include $d/site.conf;
}
CONF
}

nginx_bin() { command -v nginx 2>/dev/null || echo /usr/sbin/nginx; }

case "$verb" in
  start)
    port="${3:-}"; shift 3 || true
    [ -n "$port" ] && [ "$#" -gt 0 ] || { echo "usage: $0 start DIR PORT UPSTREAM..." >&2; exit 2; }
    install_nginx
    render "$dir" "$port" "$@"
    "$(nginx_bin)" -c "$dir/nginx.conf" -p "$dir" -e "$dir/error.log"
    for _ in $(seq 50); do
      [ -f "$dir/nginx.pid" ] && { echo "127.0.0.1:$port"; exit 0; }
      sleep 0.1
    done
    cat "$dir/error.log" >&2; exit 1
    ;;
  check)
    install_nginx
    render "$dir" 18080 127.0.0.1:18081 127.0.0.1:18082
    "$(nginx_bin)" -t -q -c "$dir/nginx.conf" -p "$dir" -e "$dir/error.log"
    ;;
  stop)
    if [ -f "$dir/nginx.pid" ]; then kill "$(cat "$dir/nginx.pid")" 2>/dev/null || true; sleep 0.2; fi
    rm -rf "$dir"
    ;;
  *) echo "usage: $0 start DIR PORT UPSTREAM... | check DIR | stop DIR" >&2; exit 2 ;;
esac
