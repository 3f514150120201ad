// The compiled form of a program: a tree of nodes with every variable already
// resolved to a frame slot, a captured value or a global slot. Nodes are
// immutable after compilation; all per-evaluation state lives in the Machine
// and the frame (`fp`, the current call's slots) passed to Eval.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "lisp/builtin.h"
#include "lisp/function.h"
#include "lisp/machine.h"
#include "lisp/source.h"
#include "lisp/value.h"

namespace vigy::lisp {

class Node {
 public:
  explicit Node(SourcePos pos) : pos_(pos) {}
  virtual ~Node() = default;
  // `fp`: the current frame's slots; `self`: the running closure (null at top level).
  virtual Value Eval(Machine& m, Value* fp, const Closure* self) const = 0;
  SourcePos pos() const { return pos_; }

 private:
  SourcePos pos_;
};

// How a lambda finds each value it captures when the closure is made.
struct CaptureSource {
  bool from_local;  // true: the maker's frame slot `index`; false: the maker's capture `index`
  int index;
};

class LambdaNode final : public Node {
 public:
  LambdaNode(SourcePos pos, std::string name) : Node(pos), name(std::move(name)) {}
  Value Eval(Machine& m, Value* fp, const Closure* self) const override;

  std::string name;               // "" when anonymous
  int nparams = 0;                // required parameters
  bool has_rest = false;          // a `&rest` list follows them
  int frame_size = 0;             // slots: parameters, rest, then locals
  std::vector<int> boxed_params;  // parameter slots that hold boxes
  std::vector<CaptureSource> captures;
  const Node* body = nullptr;
};

// Nodes are built by the compiler and owned by the Program.
struct NodeFactory {
  std::vector<std::unique_ptr<Node>> owned;
  template <typename T, typename... A>
  T* Make(A&&... args) {
    auto node = std::make_unique<T>(std::forward<A>(args)...);
    T* raw = node.get();
    owned.push_back(std::move(node));
    return raw;
  }
};

// Constructors for every node kind; the classes themselves stay in nodes.cc.
// `tail` marks a call in tail position (it may return a tail-call signal that
// the enclosing closure call resolves).
const Node* MakeConst(NodeFactory& f, SourcePos pos, Value v);
const Node* MakeLocalRef(NodeFactory& f, SourcePos pos, int slot, bool boxed);
const Node* MakeCapturedRef(NodeFactory& f, SourcePos pos, int index, bool boxed);
const Node* MakeGlobalRef(NodeFactory& f, SourcePos pos, int slot, const std::string* name);
// A global of the language-written library, read or defined in its cell.
const Node* MakeCellRef(NodeFactory& f, SourcePos pos, const Value* cell, const std::string* name);
const Node* MakeCellSet(NodeFactory& f, SourcePos pos, Value* cell, const Node* value);
// Stores into a slot; `init` creates the box for a boxed slot instead of writing through it.
const Node* MakeLocalSet(NodeFactory& f, SourcePos pos, int slot, bool boxed, bool init,
                         const Node* value);
const Node* MakeCapturedSet(NodeFactory& f, SourcePos pos, int index, const Node* value);
const Node* MakeGlobalSet(NodeFactory& f, SourcePos pos, int slot, const std::string* name,
                          bool define, const Node* value);
const Node* MakeIf(NodeFactory& f, SourcePos pos, const Node* test, const Node* then,
                   const Node* otherwise);
const Node* MakeSeq(NodeFactory& f, SourcePos pos, std::vector<const Node*> body);
const Node* MakeAnd(NodeFactory& f, SourcePos pos, std::vector<const Node*> parts);
const Node* MakeOr(NodeFactory& f, SourcePos pos, std::vector<const Node*> parts);
const Node* MakeCall(NodeFactory& f, SourcePos pos, const Node* fn, std::vector<const Node*> args,
                     bool tail);
const Node* MakeBuiltinCall(NodeFactory& f, SourcePos pos, const BuiltinSpec* spec,
                            std::vector<const Node*> args);
const Node* MakeWhile(NodeFactory& f, SourcePos pos, const Node* test, const Node* body);
const Node* MakeDotimes(NodeFactory& f, SourcePos pos, int slot, bool boxed, const Node* count,
                        const Node* body);
const Node* MakeDolist(NodeFactory& f, SourcePos pos, int slot, bool boxed, const Node* list,
                       const Node* body);
const Node* MakeTry(NodeFactory& f, SourcePos pos, const Node* body, int slot, bool boxed,
                    const Node* handler);

// A box: the cell a mutated-and-captured variable lives in.
inline Value MakeBox(Arena& arena, Value v) { return MakeCons(arena, v, Value::Empty()); }

}  // namespace vigy::lisp
