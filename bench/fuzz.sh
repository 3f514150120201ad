#!/usr/bin/env bash
# Long fuzzing run of program text: .ci/fuzz for SECONDS (default 600) into a
# corpus kept across runs (build-fuzz/long-corpus, seeded from
# tests/fuzz/corpus/), so each run starts where the last one stopped.
# Prints executions, exec/s and coverage for RESULTS.md.
#   bench/fuzz.sh [SECONDS]
set -euo pipefail

cd "$(dirname "$0")/.."
FUZZ_SECONDS=${1:-600} FUZZ_CORPUS=${FUZZ_CORPUS:-build-fuzz/long-corpus} exec .ci/fuzz
