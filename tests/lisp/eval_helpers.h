// Evaluate a snippet and get a string to compare: the readable form of the
// last value, or the error exactly as a user would see it.
#pragma once

#include <string>
#include <string_view>

#include "lisp/interp.h"
#include "lisp/printer.h"

namespace vigy::lisp::testing {

// Returns Repr(result) on success, "error: <file:line:col: message>" for a
// compile error or an uncaught runtime error, "limit: <...>" for a limit.
// The file name is "<test>".
inline std::string EvalWith(const Library& library, std::string_view source,
                            const Limits& limits = Limits{}, void* host = nullptr) {
  CompileResult compiled = Compile(library, source, "<test>");
  if (!compiled.ok()) return "error: " + compiled.errors.front().Format();
  Machine machine(limits, host);
  try {
    return Repr(machine.Run(*compiled.program));
  } catch (const Raised& r) {
    return "error: " + Diagnostic{"<test>", r.pos, RaisedMessage(r)}.Format();
  } catch (const LimitHit& hit) {
    return "limit: " + Diagnostic{"<test>", hit.pos, hit.message}.Format();
  }
}

inline std::string Eval(std::string_view source, const Limits& limits = Limits{}) {
  return EvalWith(StandardLibrary(), source, limits);
}

}  // namespace vigy::lisp::testing
