#!/usr/bin/env bash
# Long concurrency storm: the CI test "concurrency storm"
# (tests/cli/concurrency_storm_test.cc) for SECONDS (default 60, a full
# minute; CI runs 20), repeated ROUNDS times (default 1) with fresh seeds. Prints
# one line of figures per round (operations run, runs committed, seed) for
# RESULTS.md, and fails if any round does; rerun a failed round with
# VIGY_STORM_SEED=SEED.
#   bench/storm.sh [SECONDS] [ROUNDS]
# The test binary is $VIGY_TESTS, by default build/tests/vigy_tests.
set -euo pipefail

cd "$(dirname "$0")/.."
tests=${VIGY_TESTS:-build/tests/vigy_tests}
seconds=${1:-60}
rounds=${2:-1}

status=0
for ((round = 1; round <= rounds; round++)); do
  log=$(mktemp)
  if VIGY_STORM_SECONDS=$seconds "$tests" -tc='concurrency storm*' >"$log" 2>&1; then
    grep -o 'concurrency storm: [0-9].*' "$log" || true
  else
    status=1
    cat "$log"
  fi
  rm -f "$log"
done
exit $status
