// display, newline, print and println. A program has no terminal: text goes wherever
// the host pointed Machine::Output (the run's log), and each returns nil.
#include <string>

#include "lisp/builtin_args.h"
#include "lisp/builtins.h"
#include "lisp/machine.h"
#include "lisp/printer.h"

namespace vigy::lisp {
namespace {

Value DisplayOne(Machine& m, Args args) {
  m.Output(Display(args[0]));
  return Value::Nil();
}

Value Print(Machine& m, Args args) {
  m.Output(JoinDisplay(args));
  return Value::Nil();
}

Value Println(Machine& m, Args args) {
  m.Output(JoinDisplay(args) + "\n");
  return Value::Nil();
}

Value Newline(Machine& m, Args) {
  m.Output("\n");
  return Value::Nil();
}

const BuiltinSpec kOutput[] = {
    {"newline", 0, 0, Newline},
    {"display", 1, 1, DisplayOne},
    {"print", 0, kVariadic, Print},
    {"println", 0, kVariadic, Println},
};

}  // namespace

std::span<const BuiltinSpec> OutputBuiltins() { return kOutput; }

}  // namespace vigy::lisp
