// An interactive session for `eval` and `repl`: one Machine, with a
// TickContext as its host so the vigy intrinsics work, evaluating snippets
// that build on each other (definitions made by one are visible to the next).
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/model.h"
#include "core/tick_context.h"
#include "lisp/interp.h"

namespace vigy::cli {

class Session {
 public:
  // `name` is what (vigy-name) returns. `output` receives what display and
  // print write. `limits` apply to each snippet separately (the memory cap to
  // the whole session).
  Session(std::string_view name, const lisp::Limits& limits,
          std::function<void(std::string_view)> output);
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  struct Outcome {
    bool ok = false;
    // The last form's value; valid until the session is destroyed.
    lisp::Value value;
    // When not ok: every compile error, or the one runtime error.
    std::vector<lisp::Diagnostic> errors;
  };

  // Compiles `source` (named `file` in diagnostics) against the vigy library,
  // as a continuation of every snippet compiled so far, and runs it. A snippet
  // that fails to compile leaves the session as it was; one that fails while
  // running keeps what it defined before the error.
  Outcome Evaluate(std::string_view source, const std::string& file);

 private:
  core::Kv kv_;
  core::TickContext context_;
  lisp::Machine machine_;
  std::shared_ptr<const lisp::Program> last_;  // null until the first snippet compiles
};

}  // namespace vigy::cli
