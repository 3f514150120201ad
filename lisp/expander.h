// Macro expansion: turns every form into core forms before compilation.
// Library macros (when unless cond let* when-let if-let -> ->> case delay,
// named let, quasiquote) are rewritten here in C++; those written in the
// language (Library::FindMacro) and `defmacro` macros run on a
// compile-time machine. What comes out uses only the core forms:
//   quote if define set! lambda begin let letrec and or try while dotimes dolist
// plus applications. New list cells get the position of the form they came
// from, so errors in expanded code point at the user's form.
#pragma once

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "lisp/arena.h"
#include "lisp/program.h"
#include "lisp/reader.h"
#include "lisp/source.h"
#include "lisp/value.h"

namespace vigy::lisp {

class Library;

// Thrown for a malformed form; the compiler records it and moves on to the
// next top-level form.
struct CompileError {
  SourcePos pos;
  std::string message;
};

// Turns `(lambda params body…)` into a closure runnable at compile time.
using MacroCompiler = std::function<Value(Value lambda_form, SourcePos pos)>;
// Runs a macro closure on its argument forms.
using MacroRunner = std::function<Value(Value closure, Value args, SourcePos pos)>;

class Expander {
 public:
  Expander(const Library& library, Arena& arena, PositionTable& positions, MacroTable& macros,
           MacroCompiler compile_macro, MacroRunner run_macro);

  // The fully expanded form. Throws CompileError.
  Value Expand(Value form, SourcePos pos);

  // The position recorded for a list or symbol, else `fallback`.
  SourcePos PosOf(Value form, SourcePos fallback) const;

 private:
  Value ExpandList(Value form, SourcePos pos);
  Value ExpandEach(Value list, SourcePos pos, size_t skip);
  Value ExpandBody(Value body, SourcePos pos);
  Value ExpandLambda(Value form, SourcePos pos);
  Value ExpandDefine(Value form, SourcePos pos);
  Value ExpandLet(Value form, SourcePos pos);
  Value ExpandLetStar(Value form, SourcePos pos);
  Value ExpandCond(Value clauses, SourcePos pos);
  Value ExpandCase(Value form, SourcePos pos);
  Value ExpandConditionalLet(Value form, SourcePos pos, bool with_else);
  Value ExpandThread(Value form, SourcePos pos, bool last);
  Value ExpandTry(Value form, SourcePos pos);
  Value DefineMacro(Value form, SourcePos pos);
  Value WithProgramFunctions(Value lambda, SourcePos pos) const;
  Value Quasi(Value form, int depth, SourcePos pos);

  Value List(std::initializer_list<Value> items, SourcePos pos);
  Value Sym(std::string_view name);
  Value Builtin(std::string_view name);

  const Library& library_;
  Arena& arena_;
  PositionTable& positions_;
  MacroTable& macros_;
  MacroCompiler compile_macro_;
  MacroRunner run_macro_;
  int depth_ = 0;
  // The program's top-level function definitions so far, as written
  // (name, form), which a later macro body may call (see DefineMacro).
  std::vector<std::pair<std::string, Value>> program_functions_;
};

// Helpers shared with the compiler for walking list forms.
size_t FormLength(Value list);
Value Nth(Value list, size_t n);
Value Drop(Value list, size_t n);
bool IsSymbol(Value v, std::string_view name);

}  // namespace vigy::lisp
