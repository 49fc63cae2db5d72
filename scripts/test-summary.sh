#!/usr/bin/env bash
# Prints "N passed, N failed" from the TRX files in the given folder; fails when there are none or any test failed.
set -euo pipefail
dir=${1:-TestResults}
shopt -s nullglob
files=("$dir"/*.trx)
if [ ${#files[@]} -eq 0 ]; then
  echo "0 passed, 0 failed"
  echo "No test results found in $dir." >&2
  exit 1
fi
passed=0 failed=0 skipped=0
for f in "${files[@]}"; do
  counters=$(grep -o '<Counters [^>]*>' "$f" | head -1)
  p=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters")
  x=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters")
  t=$(sed -n 's/.* total="\([0-9]*\)".*/\1/p' <<<"$counters")
  e=$(sed -n 's/.* executed="\([0-9]*\)".*/\1/p' <<<"$counters")
  passed=$((passed + ${p:-0})); failed=$((failed + ${x:-0})); skipped=$((skipped + ${t:-0} - ${e:-0}))
done
[ "$skipped" -eq 0 ] || echo "$skipped skipped (the reasons are in the test output above)"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
