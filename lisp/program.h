// A compiled program: immutable once Compile() returns, shared by every
// machine that runs it. It owns its nodes and the constants they refer to.
#pragma once

#include <deque>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "lisp/arena.h"
#include "lisp/nodes.h"
#include "lisp/value.h"

namespace vigy::lisp {

class Library;

// A macro defined by `defmacro`: a closure run at compile time on the
// unevaluated argument forms.
struct MacroTable {
  std::unordered_map<std::string, Value> by_name;
  std::vector<std::shared_ptr<void>> keep_alive;  // machines and nodes the closures live in
};

class Program {
 public:
  std::string file;
  const Library* library = nullptr;
  Arena constants;
  NodeFactory nodes;
  const Node* body = nullptr;
  int frame_size = 0;  // slots of the top-level frame (top-level let bindings)

  // Global slots: name and the value the slot starts with (unbound, or the
  // builtin a program-defined global of the same name replaces).
  std::deque<std::string> global_names;
  std::vector<Value> global_init;
  std::unordered_map<std::string, int> global_slots;

  std::shared_ptr<MacroTable> macros;
  // For the REPL: the program this one extends (its globals keep their slots).
  std::shared_ptr<const Program> previous;
};

}  // namespace vigy::lisp
