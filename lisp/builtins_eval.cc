// Code as data at run time: `eval` compiles a form as a continuation of the
// running program (so it sees the program's globals, and globals it defines
// are seen by later evals) and runs it in the same evaluation; `macroexpand-1`
// and `macroexpand` run the program's macros (those of defmacro and the
// library's) on a form.
#include <fmt/format.h>

#include <memory>
#include <string>

#include "lisp/builtin_args.h"
#include "lisp/builtins.h"
#include "lisp/interp.h"
#include "lisp/machine.h"
#include "lisp/printer.h"
#include "lisp/program.h"

namespace vigy::lisp {
namespace {

std::shared_ptr<const Program> EvalBase(Machine& m) {
  if (!m.evaluated().empty()) return m.evaluated().back();
  const Program* running = m.program();
  if (running == nullptr) m.Fail("native-fn", "'eval' needs a running program");
  try {
    return running->shared_from_this();
  } catch (const std::bad_weak_ptr&) {
    m.Fail("native-fn", "'eval' is not available here");
  }
}

Value Eval(Machine& m, Args args) {
  Value form = args[0];
  if (!form.is_cons() && !form.is_symbol()) return form;  // self-evaluating
  CompileResult compiled = CompileContinuation(EvalBase(m), Repr(form), "<eval>");
  if (!compiled.ok()) {
    const std::string& message = compiled.errors.front().message;
    m.Fail(message.starts_with("unbound symbol") ? "unbound-symbol" : "bad-special-form",
           fmt::format("in 'eval': {}", message));
  }
  m.evaluated().push_back(compiled.program);
  return m.RunNested(*compiled.program);
}

// The macro named by a form's head, or nil when it names none.
Value MacroFor(Machine& m, Value form) {
  if (!form.is_cons() || !form.c->car.is_symbol()) return Value::Nil();
  std::string name(form.c->car.sym->name());
  const Program* running = m.program();
  if (running != nullptr && running->macros != nullptr) {
    auto it = running->macros->by_name.find(name);
    if (it != running->macros->by_name.end()) return it->second;
  }
  if (running != nullptr && running->library != nullptr) {
    if (const Value* macro = running->library->FindMacro(name)) return *macro;
  }
  return Value::Nil();
}

Value ExpandOnce(Machine& m, Value form, bool* expanded) {
  Value macro = MacroFor(m, form);
  *expanded = !macro.is_nil();
  if (!*expanded) return form;
  std::vector<Value> argv;
  for (Value it = form.c->cdr; it.is_cons(); it = it.c->cdr) argv.push_back(it.c->car);
  return m.Apply(macro, argv);
}

Value MacroexpandOne(Machine& m, Args args) {
  bool expanded;
  return ExpandOnce(m, args[0], &expanded);
}

// Expands the head until it is no macro call, then every element inside
// (quoted data is left alone).
Value ExpandAll(Machine& m, Value form) {
  bool expanded = true;
  while (expanded) {
    m.Charge(1);
    form = ExpandOnce(m, form, &expanded);
  }
  if (!form.is_cons() || (form.c->car.is_symbol() && form.c->car.sym->name() == "quote")) {
    return form;
  }
  ListBuilder out(m.arena());
  for (Value it = form; it.is_cons(); it = it.c->cdr) out.Add(ExpandAll(m, it.c->car));
  return out.Finish();
}

Value Macroexpand(Machine& m, Args args) { return ExpandAll(m, args[0]); }

const BuiltinSpec kEval[] = {
    {"eval", 1, 1, Eval},
    {"macroexpand-1", 1, 1, MacroexpandOne},
    {"macroexpand", 1, 1, Macroexpand},
};

}  // namespace

std::span<const BuiltinSpec> EvalBuiltins() { return kEval; }

}  // namespace vigy::lisp
