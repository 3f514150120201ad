#!/usr/bin/env bash
# Long crash torture: the CI tests "crash torture" (tests/cli/crash_torture_test.cc,
# on an SQLite file and on a PostgreSQL database) with KILLS kill -9s of serve
# (default 500; CI runs 50), repeated ROUNDS times (default 1), each round on
# fresh stores with a fresh random seed. Prints one
# line of figures per round (kills survived, runs committed, seed) for
# RESULTS.md, and fails if any round does; rerun a failed round with
# VIGY_TORTURE_SEED=SEED.
#   bench/crash_torture.sh [KILLS] [ROUNDS]
# The test binary is $VIGY_TESTS, by default build/tests/vigy_tests.
set -euo pipefail

cd "$(dirname "$0")/.."
tests=${VIGY_TESTS:-build/tests/vigy_tests}
kills=${1:-500}
rounds=${2:-1}

status=0
for ((round = 1; round <= rounds; round++)); do
  log=$(mktemp)
  if VIGY_TORTURE_KILLS=$kills "$tests" -tc='crash torture*' >"$log" 2>&1; then
    grep -o 'crash torture on [A-Za-z]*: [0-9].*' "$log" || true
  else
    status=1
    cat "$log"
  fi
  rm -f "$log"
done
exit $status
