#!/usr/bin/env bash
# bench/run.sh — `make bench`: civicnet against its two references, in one run.
#
#   civicnet /         the optimised binary build/civicnet, demo data
#   civicnet /news/
#   bare-MHD           bench/mhd_static.c: libmicrohttpd, same threading,
#                      answering with the bytes of civicnet's / from memory
#   nginx              nginx serving the same bytes as a static file
#
# Prints req/s, p50 and p99 per target, the ratios civicnet/nginx and
# civicnet/bare-MHD (DESIGN.md target: >= 0.8 x bare-MHD), then civicnet's
# memory (VmRSS / VmHWM). wrk runs on the same machine: figures are for
# comparison within one run, not absolute.
#
# Environment: BENCH_SECONDS (per target, default 10), BENCH_THREADS (wrk -t,
# 2), BENCH_CONNECTIONS (wrk -c, 32), BENCH_WARMUP (seconds, 2),
# BENCH_SERVE_ARGS (extra `civicnet serve` arguments), CIVICNET (binary,
# default build/civicnet), MHD_THREADS (bare-MHD thread pool, 2).
set -euo pipefail
cd "$(dirname "$0")/.."

SECS=${BENCH_SECONDS:-10}
THREADS=${BENCH_THREADS:-2}
CONNS=${BENCH_CONNECTIONS:-32}
WARMUP=${BENCH_WARMUP:-2}
BIN=${CIVICNET:-build/civicnet}

die() { echo "bench: $*" >&2; exit 1; }

[ -x "$BIN" ] || die "$BIN not found: build the optimised binary first (make)"

# ---------- tools ----------
need=""
command -v wrk >/dev/null 2>&1 || need="$need wrk"
[ -x /usr/sbin/nginx ] || command -v nginx >/dev/null 2>&1 || need="$need nginx-light"
command -v curl >/dev/null 2>&1 || need="$need curl"
command -v pkg-config >/dev/null 2>&1 || need="$need pkg-config"
pkg-config --exists libmicrohttpd 2>/dev/null || need="$need libmicrohttpd-dev"
if [ -n "$need" ]; then
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  echo "bench: installing$need"
  $SUDO apt-get update -qq
  # shellcheck disable=SC2086 # word splitting of the package list is intended
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $need >/dev/null
fi
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
CC=${CC:-cc}

# ---------- temp dir, processes, cleanup ----------
TMP=$(mktemp -d "${TMPDIR:-/tmp}/civicnet-bench.XXXXXX")
chmod 755 "$TMP" # nginx workers may run as another user
PIDS=()
cleanup() {
  local p
  for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]}"; do
    for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$p" 2>/dev/null || true
  done
  rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
  # bind port 0 on loopback, read the number, close
  local py
  py=$(command -v python3 || echo /usr/bin/python3)
  "$py" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

wait_http() { # url name pid logfile
  local _
  for _ in $(seq 200); do
    if ! kill -0 "$3" 2>/dev/null; then
      echo "bench: $2 exited during start-up:" >&2; cat "$4" >&2 || true; exit 1
    fi
    curl -fsS -o /dev/null --max-time 1 "$1" 2>/dev/null && return 0
    sleep 0.1
  done
  echo "bench: $2 not answering at $1 after 20 s:" >&2; cat "$4" >&2 || true; exit 1
}

# ---------- civicnet ----------
mkdir -p "$TMP/data" "$TMP/www"
echo "bench: loading demo data"
timeout 120 "$BIN" demo --data "$TMP/data" >"$TMP/demo.log" 2>&1 || { cat "$TMP/demo.log" >&2; die "civicnet demo failed"; }
P_CIVIC=$(free_port)
# shellcheck disable=SC2086
"$BIN" serve --data "$TMP/data" --listen "127.0.0.1:$P_CIVIC" ${BENCH_SERVE_ARGS:-} >"$TMP/civicnet.log" 2>&1 &
CIVIC_PID=$!
PIDS+=("$CIVIC_PID")
wait_http "http://127.0.0.1:$P_CIVIC/healthz" civicnet "$CIVIC_PID" "$TMP/civicnet.log"

# the bytes of / for the two references, and civicnet's headers for bare-MHD
curl -fsS --max-time 10 -D "$TMP/headers.raw" -o "$TMP/www/index.html" "http://127.0.0.1:$P_CIVIC/"
chmod 755 "$TMP/www"; chmod 644 "$TMP/www/index.html"
tr -d '\r' <"$TMP/headers.raw" | tail -n +2 \
  | grep -viE '^(date|content-length|connection|keep-alive|transfer-encoding|set-cookie):' \
  | grep -E '^[A-Za-z0-9-]+:' >"$TMP/headers.txt" || true
PAGE_BYTES=$(wc -c <"$TMP/www/index.html")
NEWS_BYTES=$(curl -fsS --max-time 10 "http://127.0.0.1:$P_CIVIC/news/" | wc -c)

# ---------- bare libmicrohttpd ----------
# shellcheck disable=SC2046
"$CC" -std=c17 -D_DEFAULT_SOURCE -O2 -o "$TMP/mhd_static" bench/mhd_static.c \
  $(pkg-config --cflags --libs libmicrohttpd) -lpthread
P_MHD=$(free_port)
"$TMP/mhd_static" "$P_MHD" "$TMP/www/index.html" "$TMP/headers.txt" "${MHD_THREADS:-2}" >"$TMP/mhd.log" 2>&1 &
MHD_PID=$!
PIDS+=("$MHD_PID")
wait_http "http://127.0.0.1:$P_MHD/" bare-MHD "$MHD_PID" "$TMP/mhd.log"

# ---------- nginx ----------
P_NGINX=$(free_port)
mkdir -p "$TMP/nginx/tmp"
cat >"$TMP/nginx/nginx.conf" <<EOF
worker_processes auto;
daemon off;
pid $TMP/nginx/nginx.pid;
error_log $TMP/nginx/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  tcp_nodelay on;
  keepalive_requests 1000000;
  types { text/html html; }
  charset utf-8;
  client_body_temp_path $TMP/nginx/tmp/body;
  proxy_temp_path $TMP/nginx/tmp/proxy;
  fastcgi_temp_path $TMP/nginx/tmp/fastcgi;
  uwsgi_temp_path $TMP/nginx/tmp/uwsgi;
  scgi_temp_path $TMP/nginx/tmp/scgi;
  server {
    listen 127.0.0.1:$P_NGINX;
    root $TMP/www;
    location / { try_files /index.html =404; }
  }
}
EOF
"$NGINX" -p "$TMP/nginx" -c "$TMP/nginx/nginx.conf" -e "$TMP/nginx/error.log" >"$TMP/nginx/stdout.log" 2>&1 &
NGINX_PID=$!
PIDS+=("$NGINX_PID")
wait_http "http://127.0.0.1:$P_NGINX/" nginx "$NGINX_PID" "$TMP/nginx/error.log"

# ---------- runs ----------
to_ms() { # wrk latency ("812.00us", "1.23ms", "1.01s") -> ms
  awk -v v="$1" 'BEGIN {
    n = v + 0
    if (v ~ /us$/) n /= 1000; else if (v ~ /ms$/) n = n; else if (v ~ /m$/) n *= 60000; else if (v ~ /s$/) n *= 1000
    printf "%.2f", n }'
}

declare -A RPS P50 P99 ERRS
run() { # name url
  local name=$1 url=$2 out
  echo "bench: $name  ($url)"
  if [ "$WARMUP" != 0 ]; then
    timeout $((WARMUP + 20)) wrk -t"$THREADS" -c"$CONNS" -d"${WARMUP}s" "$url" >/dev/null 2>&1 || true
  fi
  out=$(timeout $((SECS + 30)) wrk -t"$THREADS" -c"$CONNS" -d"${SECS}s" --latency "$url" 2>&1) || {
    echo "$out"; die "wrk failed against $name"; }
  echo "$out" >"$TMP/wrk-$name.txt"
  RPS[$name]=$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")
  P50[$name]=$(to_ms "$(awk '$1 == "50%" {print $2}' <<<"$out")")
  P99[$name]=$(to_ms "$(awk '$1 == "99%" {print $2}' <<<"$out")")
  local non2xx sockerr
  non2xx=$(awk -F': *' '/Non-2xx or 3xx responses/ {print $2}' <<<"$out")
  sockerr=$(sed -nE 's/.*Socket errors: (.*)$/\1/p' <<<"$out")
  ERRS[$name]="${non2xx:+non-2xx $non2xx }${sockerr:+socket: $sockerr}"
}

run civicnet-top "http://127.0.0.1:$P_CIVIC/"
run civicnet-news "http://127.0.0.1:$P_CIVIC/news/"
run bare-MHD "http://127.0.0.1:$P_MHD/"
run nginx "http://127.0.0.1:$P_NGINX/"

# ---------- report ----------
echo
echo "wrk -t$THREADS -c$CONNS -d${SECS}s on $(nproc) cores; / is $PAGE_BYTES bytes, /news/ is $NEWS_BYTES bytes"
printf '%-16s %12s %10s %10s  %s\n' target req/s p50_ms p99_ms errors
for n in civicnet-top civicnet-news bare-MHD nginx; do
  printf '%-16s %12s %10s %10s  %s\n' "$n" "${RPS[$n]:-?}" "${P50[$n]:-?}" "${P99[$n]:-?}" "${ERRS[$n]:-}"
done
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }
echo
echo "civicnet / vs nginx:    $(ratio "${RPS[civicnet-top]}" "${RPS[nginx]}")x"
echo "civicnet / vs bare-MHD: $(ratio "${RPS[civicnet-top]}" "${RPS[bare-MHD]}")x  (target >= 0.80x)"
echo "civicnet /news/ vs bare-MHD: $(ratio "${RPS[civicnet-news]}" "${RPS[bare-MHD]}")x"
echo
echo "civicnet memory after the runs (pid $CIVIC_PID):"
grep -E '^(VmRSS|VmHWM):' "/proc/$CIVIC_PID/status" | sed 's/^/  /'
if grep -qiE 'error|warn' "$TMP/civicnet.log"; then
  echo
  echo "civicnet log (errors/warnings):"
  grep -iE 'error|warn' "$TMP/civicnet.log" | head -20 | sed 's/^/  /'
fi
