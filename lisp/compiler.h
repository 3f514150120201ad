// Expanded forms to nodes: resolves every variable to a frame slot, a
// captured value or a global slot; decides which variables need boxes (those
// assigned with set!, and letrec/internal-define bindings); marks tail calls;
// checks fixed arities of builtins and of global functions.
#pragma once

#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "lisp/expander.h"
#include "lisp/nodes.h"
#include "lisp/program.h"
#include "lisp/reader.h"
#include "lisp/source.h"

namespace vigy::lisp {

class Library;

class Compiler {
 public:
  // Compiles into `program` (its nodes, globals and frame size). Errors are
  // appended to `errors` with `program.file` as the file name.
  Compiler(const Library& library, Program& program, const Expander& expander,
           std::vector<Diagnostic>& errors);

  // Top-level forms, already expanded, with their positions. Sets program.body.
  void CompileProgram(const std::vector<Value>& forms, const std::vector<SourcePos>& positions);

 private:
  struct Var {
    std::string_view name;
    int slot;
    bool boxed;
    bool definable;  // declared by an internal define of the current body
  };
  struct Capture {
    std::string_view name;
    bool boxed;
    CaptureSource source;
  };
  struct Scope {
    Scope* parent = nullptr;
    LambdaNode* lambda = nullptr;  // null for the top level
    std::vector<Var> vars;         // visible bindings, innermost last
    std::vector<Capture> captures;
    int next_slot = 0;
    int max_slot = 0;
    int AllocSlot() {
      int slot = next_slot++;
      if (next_slot > max_slot) max_slot = next_slot;
      return slot;
    }
  };
  enum class RefKind { kLocal, kCaptured, kGlobal, kConstant, kUnbound };
  struct Ref {
    Ref(RefKind kind, int index = 0, bool boxed = false, Value constant = Value::Nil())
        : kind(kind), index(index), boxed(boxed), constant(constant) {}
    RefKind kind;
    int index;
    bool boxed;
    Value constant;
  };
  struct GlobalFacts {
    int defines = 0;
    bool assigned = false;
    bool lambda = false;
    int min_args = 0;
    int max_args = 0;
  };
  struct GlobalCall {
    std::string name;
    int nargs;
    SourcePos pos;
  };

  void ScanDefines(Value form);
  void ScanMutations(Value form);

  const Node* Expr(Value form, SourcePos pos, bool tail);
  const Node* ListForm(Value form, SourcePos pos, bool tail);
  const Node* Reference(Value sym, SourcePos pos);
  const Node* Call(Value form, SourcePos pos, bool tail);
  const Node* Define(Value form, SourcePos pos);
  const Node* Set(Value form, SourcePos pos);
  const Node* Lambda(Value form, SourcePos pos, std::string name);
  const Node* Let(Value form, SourcePos pos, bool tail);
  const Node* Letrec(Value form, SourcePos pos, bool tail);
  const Node* Try(Value form, SourcePos pos, bool tail);
  const Node* Loop(Value form, SourcePos pos, bool dolist);
  const Node* Seq(Value forms, SourcePos pos, bool tail);
  const Node* Body(Value forms, SourcePos pos, bool tail);
  const Node* NamedValue(Value form, SourcePos pos, std::string_view name);

  Ref Lookup(std::string_view name);
  Ref LookupIn(Scope* scope, std::string_view name);
  int GlobalSlot(std::string_view name);
  void Declare(std::string_view name, int slot, bool boxed, bool definable = false);
  void PopTo(size_t vars, int next_slot);
  bool Mutated(std::string_view name) const { return mutated_.count(std::string(name)) > 0; }
  void Error(SourcePos pos, std::string message);
  void UnboundError(std::string_view name, SourcePos pos);
  void CheckGlobalArities();

  const Library& library_;
  Program& program_;
  const Expander& expander_;
  std::vector<Diagnostic>& errors_;
  Scope top_;
  Scope* scope_ = &top_;
  int body_depth_ = 0;
  std::unordered_set<std::string> defined_globals_;
  std::unordered_set<std::string> mutated_;
  std::unordered_map<std::string, GlobalFacts> facts_;
  std::vector<GlobalCall> global_calls_;
};

}  // namespace vigy::lisp
