// Promises, the ground the lazy sequences stand on: `(delay expr)` expands
// to (make-promise (lambda () expr)); `force` runs the function once and
// keeps its value, and passes anything that is not a promise through.
#include "lisp/builtin_args.h"
#include "lisp/builtins.h"
#include "lisp/machine.h"

namespace vigy::lisp {
namespace {

Value MakePromise(Machine& m, Args args) {
  Value thunk = ArgFunction(m, args[0]);
  return Value::Of(m.arena().New<Promise>(false, thunk));
}

Value Force(Machine& m, Args args) {
  if (args[0].tag != Tag::kPromise) return args[0];
  Promise* p = args[0].promise;
  if (p->forced) return p->value;
  Value result = m.Apply(p->value, Args());
  if (!p->forced) {  // a promise forced again from inside its own body keeps the first result
    p->forced = true;
    p->value = result;
  }
  return p->value;
}

Value IsPromise(Machine&, Args args) { return Value::Bool(args[0].tag == Tag::kPromise); }

const BuiltinSpec kPromises[] = {
    {"make-promise", 1, 1, MakePromise},
    {"force", 1, 1, Force},
    {"promise?", 1, 1, IsPromise},
};

}  // namespace

std::span<const BuiltinSpec> PromiseBuiltins() { return kPromises; }

}  // namespace vigy::lisp
