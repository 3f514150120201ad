// Raising and inspecting errors. An error value carries a keyword tag and a
// message; `error` and `assert` raise one the way a failing builtin does, so
// `try` binds it and an uncaught one reports its message. `throw` raises any
// value as it is.
#include <string>

#include "lisp/builtin_args.h"
#include "lisp/builtins.h"
#include "lisp/machine.h"
#include "lisp/printer.h"

namespace vigy::lisp {
namespace {

// (error :tag "message" extra…) raises an error tagged :tag; without a leading
// keyword (or with nothing after it) the tag is :error. The message is the
// display forms of the remaining arguments joined by spaces.
Value RaiseError(Machine& m, Args args) {
  if (args.size() >= 2 && args[0].is_keyword()) {
    m.Fail(args[0].sym->name(), JoinDisplay(args.subspan(1)));
  }
  m.Fail("error", JoinDisplay(args));
}

Value Throw(Machine& m, Args args) { m.Throw(args[0]); }

// An error's message; for any other value (e.g. one raised with throw), its
// display form.
Value ErrorMessage(Machine& m, Args args) {
  Value v = args[0];
  if (v.is_error()) return Value::Of(v.err->message);
  if (v.is_string()) return v;
  return MakeString(m.arena(), Display(v));
}

// An error's tag keyword; nil for anything that is not an error value.
Value ErrorTag(Machine&, Args args) {
  Value v = args[0];
  return v.is_error() ? v.err->tag : Value::Nil();
}

// (assert value [message]) fails with tag :assert when value is false or nil.
Value Assert(Machine& m, Args args) {
  if (args[0].truthy()) return Value::Nil();
  m.Fail("assert", args.size() > 1 ? Display(args[1]) : std::string("assertion failed"));
}

const BuiltinSpec kErrors[] = {
    {"error", 1, kVariadic, RaiseError},
    {"throw", 1, 1, Throw},
    {"error-message", 1, 1, ErrorMessage},
    {"error-tag", 1, 1, ErrorTag},
    {"assert", 1, 2, Assert},
};

}  // namespace

std::span<const BuiltinSpec> ErrorBuiltins() { return kErrors; }

}  // namespace vigy::lisp
