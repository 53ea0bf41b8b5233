#!/bin/sh
# install-deps.sh — installs everything civicnet needs to build, run and test
# on Debian 12. Idempotent: packages already present are skipped, and
# `npm ci` runs only when node_modules is missing or older than the lock.
#   scripts/install-deps.sh          build + run dependencies
#   scripts/install-deps.sh --test   also the test tools (browser, SMTP, npm)
#   scripts/install-deps.sh --bench  also the benchmark tools (wrk, nginx)
#   scripts/install-deps.sh --audit  also the fuzzing tools (clang, libFuzzer)
set -eu
cd "$(dirname "$0")/.."

BUILD_PKGS="build-essential pkg-config libmicrohttpd-dev libsqlite3-dev libssl-dev libcurl4-openssl-dev libutf8proc-dev sqlite3 libqrencode-dev libcrypt-dev libmagic-dev libvips-dev libical-dev libcmark-dev libgumbo-dev libcsv-dev libzstd-dev"
TEST_PKGS="libcmocka-dev chromium fonts-noto-cjk python3-aiosmtpd python3-pyftpdlib zstd nginx-light openssl nodejs npm curl"
BENCH_PKGS="wrk nginx-light"
AUDIT_PKGS="clang libclang-rt-14-dev"

want="$BUILD_PKGS"
for arg in "$@"; do
  case "$arg" in
    --test) want="$want $TEST_PKGS" ;;
    --bench) want="$want $BENCH_PKGS" ;;
    --audit) want="$want $AUDIT_PKGS" ;;
    *) echo "install-deps.sh: unknown option $arg" >&2; exit 2 ;;
  esac
done

missing=""
for p in $want; do
  # nodejs/npm may come from outside Debian (preinstalled); accept the command
  case "$p" in
    nodejs) command -v node >/dev/null 2>&1 && continue ;;
    npm) command -v npm >/dev/null 2>&1 && continue ;;
  esac
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done

if [ -n "$missing" ]; then
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  echo "install-deps: apt-get install$missing"
  $SUDO apt-get update -qq
  # Test tools with a service (nginx) must not be started by their package
  # scripts: the tests run their own instances. A temporary policy-rc.d
  # (the Debian mechanism for this) is removed again afterwards; an
  # existing one is left alone.
  guard=""
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    guard=1
    printf '#!/bin/sh\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null
    $SUDO chmod 755 /usr/sbin/policy-rc.d
  fi
  rc=0
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null || rc=$?
  [ -n "$guard" ] && $SUDO rm -f /usr/sbin/policy-rc.d
  [ "$rc" -eq 0 ] || exit "$rc"
fi

case " $* " in
  *" --test "*)
    if [ ! -d node_modules ] || [ package-lock.json -nt node_modules ]; then
      echo "install-deps: npm ci"
      npm ci --no-audit --no-fund --loglevel=error
      touch node_modules
    fi ;;
esac
exit 0
