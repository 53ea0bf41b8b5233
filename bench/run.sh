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
# Then, at 10x today's data (issue 4; bench/gen10x.sql: 17,000 groups,
# 58,000 events, 85,000 grants, 31,000 books): the top page, a list page,
# a detail page, a detailed search and the whole-site search (a
# two-character word, a longer word, a mix of words), each cached and
# uncached (32 connections: throughput; 1 connection: the latency of one
# request), the time to build the search index, civicnet's memory, and
# nginx serving the same top page as the reference; a Markdown table.
# "Uncached" requests carry a cn_sid cookie: the page cache serves only
# visitors without a session cookie (src/server.c cache_eligible), so every
# such request runs the handler and its SQL; a malformed cookie costs no
# session lookup. A route that answers 404 is reported as "not built".
#
# Usage: bench/run.sh [--10x | --no-10x]   (default: both parts)
#        bench/run.sh --match   (issue 5: matching only, bench/match_bench.sh)
#
# Environment: BENCH_SECONDS (per target, default 10), BENCH_THREADS (wrk -t,
# 2), BENCH_CONNECTIONS (wrk -c, 32), BENCH_WARMUP (seconds, 2),
# BENCH_SERVE_ARGS (extra `civicnet serve` arguments), CIVICNET (binary,
# default build/civicnet), MHD_THREADS (bare-MHD thread pool, 2);
# BENCH_10X_SECONDS (per 10x target, default 5), BENCH_10X_INDEX_TIMEOUT
# (seconds to wait for the search index, default 600).
set -euo pipefail
cd "$(dirname "$0")/.."

MODE=all
for arg in "$@"; do
  case $arg in
    --10x) MODE=10x ;;
    --no-10x) MODE=base ;;
    --match) exec bench/match_bench.sh ;; # issue 5: matching (M2 at 50,000 members; bench/match_bench.sh)
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "bench: unknown option $arg (use --10x, --no-10x or --match)" >&2; exit 2 ;;
  esac
done

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
command -v sqlite3 >/dev/null 2>&1 || need="$need sqlite3"
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

# ---------- shared helpers ----------
to_ms() { # wrk latency ("812.00us", "1.23ms", "1.01s") -> ms
  awk -v v="$1" 'BEGIN {
    n = v + 0
    if (v ~ /us$/) n /= 1000; else if (v ~ /ms$/) n = n; else if (v ~ /m$/) n *= 60000; else if (v ~ /s$/) n *= 1000
    printf "%.2f", n }'
}

declare -A RPS P50 P99 ERRS
run() { # name url [extra wrk arguments …]
  local name=$1 url=$2 out
  shift 2
  echo "bench: $name  ($url)"
  if [ "$WARMUP" != 0 ]; then
    timeout $((WARMUP + 20)) wrk -t"$THREADS" -c"$CONNS" -d"${WARMUP}s" "$@" "$url" >/dev/null 2>&1 || true
  fi
  out=$(timeout $((SECS + 30)) wrk -t"$THREADS" -c"$CONNS" -d"${SECS}s" --latency "$@" "$url" 2>&1) || {
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
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }

start_civicnet() { # datadir logfile -> sets CIVIC_PORT, CIVIC_PID
  CIVIC_PORT=$(free_port)
  # shellcheck disable=SC2086
  "$BIN" serve --data "$1" --listen "127.0.0.1:$CIVIC_PORT" ${BENCH_SERVE_ARGS:-} >"$2" 2>&1 &
  CIVIC_PID=$!
  PIDS+=("$CIVIC_PID")
  wait_http "http://127.0.0.1:$CIVIC_PORT/healthz" civicnet "$CIVIC_PID" "$2"
}

start_nginx() { # name wwwdir (wwwdir/index.html answers every path) -> sets NGINX_PORT
  local dir="$TMP/$1" port pid
  port=$(free_port)
  mkdir -p "$dir/tmp"
  cat >"$dir/nginx.conf" <<NGINX_CONF
worker_processes auto;
daemon off;
pid $dir/nginx.pid;
error_log $dir/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  tcp_nodelay on;
  keepalive_requests 1000000;
  types { text/html html; }
  charset utf-8;
  client_body_temp_path $dir/tmp/body;
  proxy_temp_path $dir/tmp/proxy;
  fastcgi_temp_path $dir/tmp/fastcgi;
  uwsgi_temp_path $dir/tmp/uwsgi;
  scgi_temp_path $dir/tmp/scgi;
  server {
    listen 127.0.0.1:$port;
    root $2;
    location / { try_files /index.html =404; }
  }
}
NGINX_CONF
  "$NGINX" -p "$dir" -c "$dir/nginx.conf" -e "$dir/error.log" >"$dir/stdout.log" 2>&1 &
  pid=$!
  PIDS+=("$pid")
  wait_http "http://127.0.0.1:$port/" nginx "$pid" "$dir/error.log"
  NGINX_PORT=$port
}

# ======================================================================
# Part 1: demo data — civicnet vs bare libmicrohttpd vs nginx
# ======================================================================
bench_base() {
  # ---------- civicnet ----------
  mkdir -p "$TMP/data" "$TMP/www"
  echo "bench: loading demo data"
  timeout 120 "$BIN" demo --data "$TMP/data" >"$TMP/demo.log" 2>&1 || { cat "$TMP/demo.log" >&2; die "civicnet demo failed"; }
  start_civicnet "$TMP/data" "$TMP/civicnet.log"
  local P_CIVIC=$CIVIC_PORT PID=$CIVIC_PID

  # the bytes of / for the two references, and civicnet's headers for bare-MHD
  curl -fsS --max-time 10 -D "$TMP/headers.raw" -o "$TMP/www/index.html" "http://127.0.0.1:$P_CIVIC/"
  chmod 755 "$TMP/www"; chmod 644 "$TMP/www/index.html"
  tr -d '\r' <"$TMP/headers.raw" | tail -n +2 \
    | grep -viE '^(date|content-length|connection|keep-alive|transfer-encoding|set-cookie):' \
    | grep -E '^[A-Za-z0-9-]+:' >"$TMP/headers.txt" || true
  local PAGE_BYTES NEWS_BYTES
  PAGE_BYTES=$(wc -c <"$TMP/www/index.html")
  NEWS_BYTES=$(curl -fsS --max-time 10 "http://127.0.0.1:$P_CIVIC/news/" | wc -c)

  # ---------- bare libmicrohttpd ----------
  # shellcheck disable=SC2046
  "$CC" -std=c17 -D_DEFAULT_SOURCE -O2 -o "$TMP/mhd_static" bench/mhd_static.c \
    $(pkg-config --cflags --libs libmicrohttpd) -lpthread
  local P_MHD MHD_PID
  P_MHD=$(free_port)
  "$TMP/mhd_static" "$P_MHD" "$TMP/www/index.html" "$TMP/headers.txt" "${MHD_THREADS:-2}" >"$TMP/mhd.log" 2>&1 &
  MHD_PID=$!
  PIDS+=("$MHD_PID")
  wait_http "http://127.0.0.1:$P_MHD/" bare-MHD "$MHD_PID" "$TMP/mhd.log"

  # ---------- nginx ----------
  start_nginx nginx "$TMP/www"
  local P_NGINX=$NGINX_PORT

  # ---------- runs ----------
  run civicnet-top "http://127.0.0.1:$P_CIVIC/"
  run civicnet-news "http://127.0.0.1:$P_CIVIC/news/"
  run bare-MHD "http://127.0.0.1:$P_MHD/"
  run nginx "http://127.0.0.1:$P_NGINX/"

  # ---------- report ----------
  echo
  echo "wrk -t$THREADS -c$CONNS -d${SECS}s on $(nproc) cores; / is $PAGE_BYTES bytes, /news/ is $NEWS_BYTES bytes"
  printf '%-16s %12s %10s %10s  %s\n' target req/s p50_ms p99_ms errors
  local n
  for n in civicnet-top civicnet-news bare-MHD nginx; do
    printf '%-16s %12s %10s %10s  %s\n' "$n" "${RPS[$n]:-?}" "${P50[$n]:-?}" "${P99[$n]:-?}" "${ERRS[$n]:-}"
  done
  echo
  echo "civicnet / vs nginx:    $(ratio "${RPS[civicnet-top]}" "${RPS[nginx]}")x"
  echo "civicnet / vs bare-MHD: $(ratio "${RPS[civicnet-top]}" "${RPS[bare-MHD]}")x  (target >= 0.80x)"
  echo "civicnet /news/ vs bare-MHD: $(ratio "${RPS[civicnet-news]}" "${RPS[bare-MHD]}")x"
  echo
  echo "civicnet memory after the runs (pid $PID):"
  grep -E '^(VmRSS|VmHWM):' "/proc/$PID/status" | sed 's/^/  /'
  if grep -qiE 'error|warn' "$TMP/civicnet.log"; then
    echo
    echo "civicnet log (errors/warnings):"
    grep -iE 'error|warn' "$TMP/civicnet.log" | head -20 | sed 's/^/  /'
  fi
}

# ======================================================================
# Part 2: 10x data (issue 4) — pages, searches and memory at scale
# ======================================================================
urlenc() { python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1]))' "$1"; }
counts() { # data dir -> "N groups, N events, …"
  sqlite3 "$1/civicnet.db" "SELECT (SELECT count(*) FROM groups) || ' groups, ' || (SELECT count(*) FROM events)
    || ' events, ' || (SELECT count(*) FROM grants) || ' grants, ' || (SELECT count(*) FROM books) || ' books, '
    || (SELECT count(*) FROM reports) || ' reports, ' || (SELECT count(*) FROM news) || ' news'"
}

bench_10x() {
  local SECS=${BENCH_10X_SECONDS:-5} WARMUP=1 D="$TMP/data10x" t0 left="?" gen_s idx_s
  local COOKIE="Cookie: cn_sid=bench-uncached"
  echo
  echo "bench: 10x data: demo data + bench/gen10x.sql"
  mkdir -p "$D" "$TMP/www10x"
  timeout 120 "$BIN" demo --data "$D" >"$TMP/demo10x.log" 2>&1 || { cat "$TMP/demo10x.log" >&2; die "civicnet demo failed"; }
  t0=$(date +%s)
  timeout 600 sqlite3 "$D/civicnet.db" <bench/gen10x.sql >/dev/null || die "bench/gen10x.sql failed"
  gen_s=$(( $(date +%s) - t0 ))
  echo "bench: generated in $gen_s s: $(counts "$D"); $(sqlite3 "$D/civicnet.db" 'SELECT count(*) FROM search_queue') rows queued for the search index"

  start_civicnet "$D" "$TMP/civicnet10x.log"
  local PID=$CIVIC_PID U="http://127.0.0.1:$CIVIC_PORT"
  # the server's jobs thread indexes the queue (search_sync every 5 s, 256 rows a transaction)
  t0=$(date +%s)
  for _ in $(seq "${BENCH_10X_INDEX_TIMEOUT:-600}"); do
    left=$(sqlite3 -cmd '.timeout 2000' "$D/civicnet.db" 'SELECT count(*) FROM search_queue' 2>/dev/null || echo '?')
    [ "$left" = 0 ] && break
    sleep 1
  done
  idx_s=$(( $(date +%s) - t0 ))
  [ "$left" = 0 ] || die "search index not built after ${BENCH_10X_INDEX_TIMEOUT:-600} s ($left rows left)"
  echo "bench: search index built by the server in about $idx_s s"

  local gid field city q2 qlong
  gid=$(sqlite3 "$D/civicnet.db" "SELECT id FROM groups WHERE status='published' ORDER BY id LIMIT 1 OFFSET 8000")
  field=$(urlenc '保健・医療・福祉'); city=$(urlenc '山口市')
  q2=$(urlenc '福祉'); qlong=$(urlenc '子ども食堂')
  # name|what|path
  local -a targets=(
    "top|top page|/"
    "groups|list page|/groups/"
    "group|detail page|/groups/$gid"
    "groups-search|detailed search (NPO, 保健・医療・福祉, 山口市)|/groups/?kind=npo&field=$field&municipality=$city"
    "search-2char|site search 「福祉」|/search?q=$q2"
    "search-long|site search 「子ども食堂」|/search?q=$qlong"
  )
  # the site search with 20 words in turn, common and rare, 1 to 6 characters
  local lua="$TMP/search-mix.lua" w
  {
    echo 'local words = {'
    for w in 地域 福祉 子育て 防災 竹炭 紙芝居 ボランティア 助成 講座 みかん 手話 まちづくり 相談会 介護 国際交流 見守り 図書館 観察会 環境 NPO; do
      printf '  "%s",\n' "$(urlenc "$w")"
    done
    echo '}'
    echo 'local i = 0'
    echo 'request = function() i = i + 1; return wrk.format("GET", "/search?q=" .. words[i % #words + 1]) end'
  } >"$lua"

  # nginx serves the same top page as a static file
  curl -fsS --max-time 10 -o "$TMP/www10x/index.html" "$U/"
  chmod 755 "$TMP/www10x"; chmod 644 "$TMP/www10x/index.html"
  start_nginx nginx10x "$TMP/www10x"

  local t name what path code rows=()
  for t in "${targets[@]}"; do
    IFS='|' read -r name what path <<<"$t"
    code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 30 "$U$path")
    if [ "$code" = 404 ]; then
      rows+=("$name|$what|$path|not built")
      continue
    fi
    [ "$code" = 200 ] || die "$what: $U$path answered $code"
    run "10x-$name-cached" "$U$path"
    run "10x-$name-uncached" "$U$path" -H "$COOKIE"
    run "10x-$name-uncached-1" "$U$path" -H "$COOKIE" -t1 -c1
    rows+=("$name|$what|$path|ok")
  done
  run 10x-search-mix-uncached "$U/" -H "$COOKIE" -s "$lua"
  run 10x-search-mix-uncached-1 "$U/" -H "$COOKIE" -s "$lua" -t1 -c1
  run 10x-nginx "http://127.0.0.1:$NGINX_PORT/"

  # ---------- report (Markdown) ----------
  local r st k n
  echo
  echo "### 10x data: wrk -t$THREADS -c$CONNS -d${SECS}s on $(nproc) cores"
  echo
  echo "Data: $(counts "$D"); database $(du -m "$D/civicnet.db" | cut -f1) MB, generated in $gen_s s; search index built by the server in about $idx_s s."
  echo
  echo "Each target three times: answered from the page cache ($CONNS connections), uncached ($CONNS connections:"
  echo "throughput; latency includes queueing once the $(nproc) cores are busy), and uncached over 1 connection"
  echo "(the latency of one request on an idle server)."
  echo
  echo "| target | URL | page cache | connections | req/s | p50 ms | p99 ms | errors |"
  echo "|---|---|---|---:|---:|---:|---:|---|"
  local mode conns
  for r in "${rows[@]}" "search-mix|site search, 20 words in turn|/search?q=…|mix"; do
    IFS='|' read -r name what path st <<<"$r"
    if [ "$st" = "not built" ]; then
      echo "| $what | \`$path\` | — | | not built | | | route answers 404 |"
      continue
    fi
    for k in cached uncached uncached-1; do
      n="10x-$name-$k"
      [ -n "${RPS[$n]:-}" ] || continue
      mode=${k%-1}; conns=$CONNS
      [ "$k" = uncached-1 ] && conns=1
      echo "| $what | \`$path\` | $mode | $conns | ${RPS[$n]} | ${P50[$n]:-?} | ${P99[$n]:-?} | ${ERRS[$n]:-} |"
    done
  done
  n=10x-nginx
  echo "| nginx, the same top page as a static file | \`/\` | — | $CONNS | ${RPS[$n]:-?} | ${P50[$n]:-?} | ${P99[$n]:-?} | ${ERRS[$n]:-} |"
  echo
  echo "- cached top page / nginx: $(ratio "${RPS[10x-top-cached]:-0}" "${RPS[10x-nginx]:-0}")x (target >= 0.50x)"
  echo "- uncached site search p99, 1 connection: 「福祉」 ${P99[10x-search-2char-uncached-1]:-?} ms, 「子ども食堂」 ${P99[10x-search-long-uncached-1]:-?} ms, 20 words ${P99[10x-search-mix-uncached-1]:-?} ms (target < 50 ms); $CONNS connections: ${P99[10x-search-2char-uncached]:-?} / ${P99[10x-search-long-uncached]:-?} / ${P99[10x-search-mix-uncached]:-?} ms"
  echo "- civicnet memory after the runs (pid $PID): VmRSS $(awk '/^VmRSS:/ {print $2, $3}' "/proc/$PID/status"), VmHWM $(awk '/^VmHWM:/ {print $2, $3}' "/proc/$PID/status")"
  if grep -qiE 'error|warn' "$TMP/civicnet10x.log"; then
    echo
    echo "civicnet log (errors/warnings):"
    grep -iE 'error|warn' "$TMP/civicnet10x.log" | head -20 | sed 's/^/  /'
  fi
}

[ "$MODE" = 10x ] || bench_base
[ "$MODE" = base ] || bench_10x
