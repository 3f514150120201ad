#!/usr/bin/env bash
# Long run of the hostile command-line harness (tests/cli/hostile_args_test.cc):
# random argument vectors with hostile values against the real binary and a
# real store, for SECONDS (default 1200), from SEED (default: the time), so a
# run explores command lines CI never tries. Prints the invocation count, the
# exit codes and commands seen, and every finding with the command line that
# reproduces it (rerun with the same seed and VIGY_HOSTILE_COUNT up to its
# index). Needs a build: cmake --build build --target vigy vigy_tests
#   bench/hostile_args.sh [SECONDS] [SEED]
set -euo pipefail

cd "$(dirname "$0")/.."
SECONDS_TO_RUN=${1:-1200}
SEED=${2:-$(date +%s)}
echo "hostile command lines: ${SECONDS_TO_RUN} s from seed ${SEED}" >&2
VIGY_HOSTILE_SEED=$SEED VIGY_HOSTILE_SECONDS=$SECONDS_TO_RUN VIGY_HOSTILE_REPORT=1 \
  exec build/tests/vigy_tests -tc='hostile command lines*'
