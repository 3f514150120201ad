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

// Where the globals of the language-written library live: one cell per name,
// at a fixed address, so its compiled code refers to them directly and runs on
// any machine. Filled once, when the library is built; read-only afterwards.
struct CellTable {
  std::deque<Value> cells;
  std::unordered_map<std::string, Value*> by_name;
  Value* For(const std::string& name) {
    auto it = by_name.find(name);
    if (it != by_name.end()) return it->second;
    Value* cell = &cells.emplace_back(Value::Unbound());
    by_name.emplace(name, cell);
    return cell;
  }
};

// A macro defined by `defmacro`: a closure run at compile time on the
// unevaluated argument forms.
struct MacroTable {
  std::unordered_map<std::string, Value> by_name;
  std::vector<std::shared_ptr<void>> keep_alive;  // machines and nodes the closures live in
};

class Program : public std::enable_shared_from_this<Program> {
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
  // Set only while compiling the language-written library: its globals are
  // these cells instead of machine slots.
  CellTable* cells = nullptr;
  // For the REPL: the program this one extends (its globals keep their slots).
  std::shared_ptr<const Program> previous;
};

}  // namespace vigy::lisp
