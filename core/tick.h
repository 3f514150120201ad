// One tick of one vigy, in memory: evaluate a compiled program against the
// vigy's kv and previous state, and produce the run record and what to keep.
// `vigy run` uses it directly; the store-backed pipeline wraps it with loading
// and one committing transaction.
#pragma once

#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/model.h"
#include "core/tick_context.h"
#include "lisp/interp.h"

namespace vigy::core {

struct TickInput {
  // Compiled against VigyLibrary(). Null fails the tick.
  std::shared_ptr<const lisp::Program> program;
  std::string file;  // the program's file name, for TickOutcome::diagnostic
  std::string vigy_name;
  std::string vigy_id;
  std::string revision;
  Kv kv;  // the vigy's kv before the tick, runtime keys included
  std::vector<Condition> previous_conditions;  // from the vigy's latest state
  lisp::Limits limits;
  int64_t tick_ms = 0;  // epoch ms of the tick's start, from the caller's clock
};

struct TickOutcome {
  // result ok or failed; error "line:col: message" when failed. started_at is
  // the tick time; duration is measured; ended_at = started_at + duration.
  RunRecord run;
  // The kv after the tick: the runtime counters always advanced; the
  // program's writes (including once/converged/rate-limit markers) only if ok.
  Kv kv;
  // The same change as writes to commit (nullopt deletes a key).
  KvWrites kv_writes;
  // What the program declared: desired and observed as set this tick,
  // conditions carried over from previous_conditions and updated. For a failed
  // tick this is what was declared before the failure (a store keeps the
  // previous state instead).
  VigyState state;
  std::optional<int64_t> requeue_after_ms;
  // For a failed tick, the error with the file name, to print with its
  // source line ("file:line:col: message").
  std::optional<lisp::Diagnostic> diagnostic;
};

// Evaluates `input.program` once on a fresh Machine whose host is the tick's
// TickContext; display/print output goes to the run's log at level info.
// Never throws for anything the program does: errors and exceeded limits
// (including the record budget, capped at limits.max_memory) fail the run.
// Thread-safe: concurrent ticks share only the read-only program.
TickOutcome RunTick(const TickInput& input);

// What `vigy run --json` prints: the run object plus "kv" (the kv after the
// tick, the runtime's "__" keys included) and "state".
nlohmann::json ToJson(const TickOutcome& outcome);

}  // namespace vigy::core
