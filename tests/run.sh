#!/usr/bin/env bash
# tests/run.sh — THE test command (`make test` calls it after building
# build/civicnet, build/asan/civicnet and build/unit/test_*).
#
#   1. every C unit-test binary: build/unit/test_* and build/asan/unit/test_*
#      (cmocka; counts come from its "[  PASSED  ]" / "[  FAILED  ]" lines)
#   2. the HTTP and browser tests: node --test tests/http/ tests/e2e/
#      against build/asan/civicnet (override with CIVICNET_BIN)
#
# Prints failures in full and, as the very last line, "N passed, N failed".
# Exits non-zero if anything failed or if no test ran at all.
#
# Environment: CIVICNET_BIN (default build/asan/civicnet), TEST_FILTER (a
# --test-name-pattern for the node tests), UNIT_ONLY=1 / NODE_ONLY=1,
# UNIT_TIMEOUT (s per binary, default 300), NODE_TIMEOUT (s overall, default
# 1800), NODE_TEST_TIMEOUT (ms per test, default 120000).
set -uo pipefail
cd "$(dirname "$0")/.." || exit 2

OUT=${TEST_OUT:-build/test-output}
rm -rf "$OUT/screenshots"
mkdir -p "$OUT"

total_pass=0
total_fail=0
failed_names=()

# ---------- sanitizer settings for everything started below ----------
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export CMOCKA_MESSAGE_OUTPUT=stdout

have_timeout=0
command -v timeout >/dev/null 2>&1 && have_timeout=1
with_timeout() { # seconds cmd...
  local s=$1; shift
  if [ "$have_timeout" = 1 ]; then timeout --kill-after=10 "$s" "$@"; else "$@"; fi
}

sanitizer_hit() { # file -> 0 if it holds a sanitizer report
  grep -qE 'ERROR: AddressSanitizer|ERROR: LeakSanitizer|runtime error:' "$1"
}

# ---------- 1. C unit tests ----------
run_unit_dir() { # dir label
  local dir=$1 label=$2 bin name log rc p f hasCounts
  shopt -s nullglob
  local bins=("$dir"/test_*)
  shopt -u nullglob
  for bin in "${bins[@]}"; do
    if [ ! -f "$bin" ] || [ ! -x "$bin" ]; then continue; fi
    case "$bin" in *.o|*.d|*.c|*.dSYM) continue ;; esac
    name="$label/$(basename "$bin")"
    log="$OUT/unit-${label//\//-}-$(basename "$bin").log"
    with_timeout "${UNIT_TIMEOUT:-300}" "$bin" >"$log" 2>&1
    rc=$?
    # cmocka prints one summary per group: sum them all.
    p=$(sed -nE 's/^\[  PASSED  \] ([0-9]+) test\(s\)\..*/\1/p' "$log" | awk '{s+=$1} END {print s+0}')
    f=$(sed -nE 's/^\[  FAILED  \] ([0-9]+) test\(s\).*/\1/p' "$log" | awk '{s+=$1} END {print s+0}')
    hasCounts=$(grep -cE '^\[  (PASSED|FAILED)  \] [0-9]+ test\(s\)' "$log")
    local why=""
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
      f=1; why="exit status $rc without a failure count (crash, sanitizer or timeout)"
      [ "$rc" = 124 ] && why="timed out after ${UNIT_TIMEOUT:-300}s"
    elif [ "$rc" -eq 0 ] && [ "$hasCounts" -eq 0 ]; then
      f=1; why="no cmocka summary in the output (no tests ran?)"
    elif sanitizer_hit "$log" && [ "$f" -eq 0 ]; then
      f=1; why="sanitizer report in the output"
    fi
    total_pass=$((total_pass + p))
    total_fail=$((total_fail + f))
    if [ "$f" -gt 0 ]; then
      failed_names+=("unit: $name${why:+ ($why)}")
      echo "FAIL $name: $p passed, $f failed${why:+ — $why}"
      echo "----- output of $name -----"
      cat "$log"
      echo "----- end of $name -----"
    else
      echo "ok   $name: $p passed"
    fi
  done
}

if [ -z "${NODE_ONLY:-}" ]; then
  echo "== C unit tests"
  [ -d build/unit ] && run_unit_dir build/unit unit
  [ -d build/asan/unit ] && run_unit_dir build/asan/unit asan/unit
fi

# ---------- 2. HTTP and browser tests ----------
if [ -z "${UNIT_ONLY:-}" ]; then
  echo "== HTTP and browser tests (node --test)"
  shopt -s nullglob
  files=(tests/http/*.test.mjs tests/http/*.test.js tests/e2e/*.test.mjs tests/e2e/*.test.js)
  shopt -u nullglob
  export CIVICNET_BIN=${CIVICNET_BIN:-build/asan/civicnet}
  tap="$OUT/node-tests.tap"
  if [ "${#files[@]}" -eq 0 ]; then
    echo "(no test files under tests/http or tests/e2e)"
  elif [ ! -x "$CIVICNET_BIN" ]; then
    echo "FAIL: $CIVICNET_BIN is missing or not executable: build it first (make)"
    total_fail=$((total_fail + 1))
    failed_names+=("node: $CIVICNET_BIN missing")
  elif [ ! -d node_modules/playwright-core ] || [ ! -d node_modules/axe-core ]; then
    echo "FAIL: node_modules missing: run npm ci (or scripts/install-deps.sh --test)"
    total_fail=$((total_fail + 1))
    failed_names+=("node: node_modules missing")
  else
    node_args=(--test --test-reporter=tap --test-timeout="${NODE_TEST_TIMEOUT:-120000}")
    [ -n "${TEST_FILTER:-}" ] && node_args+=(--test-name-pattern="$TEST_FILTER")
    with_timeout "${NODE_TIMEOUT:-1800}" node "${node_args[@]}" "${files[@]}" >"$tap" 2>&1
    rc=$?
    # Passing tests as one line each; failing tests with their whole
    # diagnostic block (error, expected/actual, stack, server stderr).
    awk '
      function indent(s) { match(s, /^ */); return RLENGTH }
      /^ *not ok / { print; inblock = 1; bi = indent($0); next }
      inblock { print; if ($0 ~ /^ *\.\.\.$/ && indent($0) == bi + 2) inblock = 0; next }
      /^ *ok / { print; next }
      /^ *# Subtest:/ { next }
      /^#/ { print }
    ' "$tap"
    p=$(sed -nE 's/^# pass ([0-9]+)$/\1/p' "$tap" | tail -1)
    f=$(sed -nE 's/^# fail ([0-9]+)$/\1/p' "$tap" | tail -1)
    c=$(sed -nE 's/^# cancelled ([0-9]+)$/\1/p' "$tap" | tail -1)
    p=${p:-0}; f=${f:-0}; c=${c:-0}
    f=$((f + c))
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
      f=1
      why="node --test exited with status $rc without reporting a failure"
      [ "$rc" = 124 ] && why="node --test timed out after ${NODE_TIMEOUT:-1800}s"
      failed_names+=("node: $why")
      echo "FAIL: $why; full output:"
      cat "$tap"
    fi
    if [ "$f" -gt 0 ]; then
      while IFS= read -r line; do failed_names+=("node: $line"); done < <(
        sed -nE 's/^ *not ok [0-9]+ - (.*)$/\1/p' "$tap" | sed 's/ # .*//' | head -50)
    fi
    total_pass=$((total_pass + p))
    total_fail=$((total_fail + f))
    echo "(full TAP output: $tap; screenshots: $OUT/screenshots/)"
  fi
fi

echo
if [ "${#failed_names[@]}" -gt 0 ]; then
  echo "== failed:"
  printf '  %s\n' "${failed_names[@]}"
fi
[ $((total_pass + total_fail)) -eq 0 ] && echo "no tests ran"
echo "$total_pass passed, $total_fail failed"
[ "$total_fail" -eq 0 ] && [ $((total_pass + total_fail)) -gt 0 ]
