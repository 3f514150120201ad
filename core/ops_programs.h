// Operations on program text alone, needing no store: check (compile and
// report every error with line:col) and run (evaluate once, as a tick would,
// against a kv given by the caller). `vigy check`, `vigy run` and the
// register and update operations all go through here.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/model.h"
#include "core/status.h"
#include "core/tick.h"
#include "lisp/interp.h"

namespace vigy::core {

// A program compiled against the vigy library.
struct ProgramCheck {
  std::shared_ptr<const lisp::Program> program;  // null when it does not compile
  std::vector<lisp::Diagnostic> errors;          // every compile error, in source order
  bool empty = false;  // it compiles but holds no form (empty, or only comments)

  bool ok() const { return program != nullptr; }
};

// Compiles `source`; `file` names it in diagnostics.
ProgramCheck CheckProgram(std::string_view source, const std::string& file);

// Whether `source` may be stored as a vigy's program: ok, or kFailed
// "FILE does not compile" (every error appended to *diagnostics when given)
// or kFailed "FILE is empty: a program needs at least one form".
Status CheckStorableProgram(std::string_view source, const std::string& file,
                            std::vector<lisp::Diagnostic>* diagnostics = nullptr);

// The kv errors of a kv handed in by a caller: ok, or kInvalidArgument for
// an empty key or one starting with "__" (the runtime's: readable, never
// set or removed from outside a tick).
Status ValidateWritableKvKey(std::string_view key);

struct RunRequest {
  std::string source;
  std::string file = "<program>";  // names it in diagnostics
  std::string vigy_name;           // what (vigy-name) returns; its id derives from it
  Kv kv;                           // the kv to start from; no "__" keys
  lisp::Limits limits;
  int64_t tick_ms = 0;  // the tick's start; 0: now
};

// Evaluates `request.source` once as a tick would, with no store. kFailed
// "FILE does not compile" (every error appended to *diagnostics when given)
// or kInvalidArgument for a reserved kv key; otherwise the outcome, whose run
// may itself have failed (run.result "failed", with its error).
Result<TickOutcome> RunProgram(const RunRequest& request,
                               std::vector<lisp::Diagnostic>* diagnostics = nullptr);

}  // namespace vigy::core
