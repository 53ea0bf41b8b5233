#!/bin/sh
# fuzz.sh SECONDS TARGET… — run each libFuzzer target (build/fuzz/fuzz_T)
# for SECONDS on a copy of its corpus (tests/fuzz/corpus/T); crashes go to
# build/fuzz/crashes/T/ and make the run fail. Prints one line per target.
set -u
cd "$(dirname "$0")/.."
secs=$1; shift
fail=0
for t in "$@"; do
  work=build/fuzz/work/$t crashes=build/fuzz/crashes/$t
  rm -rf "$work"; mkdir -p "$work" "$crashes"
  cp tests/fuzz/corpus/"$t"/* "$work"/ 2>/dev/null || true
  log=build/fuzz/$t.log
  build/fuzz/fuzz_"$t" -max_total_time="$secs" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
    -artifact_prefix="$crashes"/ "$work" tests/fuzz/regressions/"$t" >"$log" 2>&1
  rc=$?
  runs=$(grep -Eo 'stat::number_of_executed_units: *[0-9]+|#[0-9]+' "$log" | tail -1 | tr -dc '0-9')
  cov=$(grep -Eo 'cov: [0-9]+' "$log" | tail -1)
  if [ "$rc" -ne 0 ] || ls "$crashes"/* >/dev/null 2>&1; then
    echo "FAIL fuzz_$t: exit $rc, crashes in $crashes (log $log)"; fail=1
  else
    echo "ok   fuzz_$t: ${runs:-?} inputs in ${secs}s, ${cov:-cov ?}"
  fi
done
exit $fail
