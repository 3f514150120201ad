// A run as people read it: the result first, then only the sections that have
// something in them (actions, state, conditions, log, events, metrics, trace,
// kv, the error with its source line). Used by every command that prints
// runs without --json.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/model.h"
#include "lisp/source.h"

namespace vigy::cli {

class Output;

struct RunView {
  const core::RunRecord& run;
  const core::VigyState* state = nullptr;  // shown when given
  const core::Kv* kv = nullptr;            // shown when given (without "__" keys)
  // The failure with its file name, and the program text to quote its line.
  const lisp::Diagnostic* diagnostic = nullptr;
  std::string_view source;
  bool verbose = false;  // also the run's identity: id, vigy, revision, tick, times
};

// The run as aligned "label  value" lines, coloured through `out`.
std::string FormatRun(const Output& out, const RunView& view);

// How late the run started against its schedule: "late 3ms" ("early 2ms"
// when the clock ran ahead); empty for a run nobody scheduled.
std::string FormatLateness(const core::RunRecord& run);

// One condition as people read it: "Ready false (Reason: message)", the
// status coloured on a terminal.
std::string ConditionLine(const Output& out, const core::Condition& condition);

}  // namespace vigy::cli
