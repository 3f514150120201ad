#include "lisp/nodes.h"

#include <fmt/format.h>

namespace vigy::lisp {
namespace {

class ConstNode final : public Node {
 public:
  ConstNode(SourcePos pos, Value v) : Node(pos), v_(v) {}
  Value Eval(Machine&, Value*, const Closure*) const override { return v_; }
  Value value() const { return v_; }

 private:
  Value v_;
};

class LocalRef final : public Node {
 public:
  LocalRef(SourcePos pos, int slot) : Node(pos), slot_(slot) {}
  Value Eval(Machine&, Value* fp, const Closure*) const override { return fp[slot_]; }
  int slot() const { return slot_; }

 private:
  int slot_;
};

[[noreturn]] void Unassigned(Machine& m, const Node* at) {
  m.set_site(at);
  m.Fail("unbound-symbol", "variable used before its definition ran");
}

class BoxedLocalRef final : public Node {
 public:
  BoxedLocalRef(SourcePos pos, int slot) : Node(pos), slot_(slot) {}
  Value Eval(Machine& m, Value* fp, const Closure*) const override {
    Value v = fp[slot_].c->car;
    if (v.tag == Tag::kUnbound) [[unlikely]]
      Unassigned(m, this);
    return v;
  }

 private:
  int slot_;
};

class CapturedRef final : public Node {
 public:
  CapturedRef(SourcePos pos, int index) : Node(pos), index_(index) {}
  Value Eval(Machine&, Value*, const Closure* self) const override {
    return self->captured[index_];
  }

 private:
  int index_;
};

class BoxedCapturedRef final : public Node {
 public:
  BoxedCapturedRef(SourcePos pos, int index) : Node(pos), index_(index) {}
  Value Eval(Machine& m, Value*, const Closure* self) const override {
    Value v = self->captured[index_].c->car;
    if (v.tag == Tag::kUnbound) [[unlikely]]
      Unassigned(m, this);
    return v;
  }

 private:
  int index_;
};

class GlobalRef final : public Node {
 public:
  GlobalRef(SourcePos pos, int slot, const std::string* name)
      : Node(pos), slot_(slot), name_(name) {}
  Value Eval(Machine& m, Value*, const Closure*) const override {
    Value v = m.globals()[slot_];
    if (v.tag == Tag::kUnbound) [[unlikely]] {
      m.set_site(this);
      m.Fail("unbound-symbol",
             fmt::format("unbound symbol '{}' (its definition has not run yet)", *name_));
    }
    return v;
  }

 private:
  int slot_;
  const std::string* name_;
};

// A global of the language-written library: a fixed cell (see CellTable).
class CellRef final : public Node {
 public:
  CellRef(SourcePos pos, const Value* cell, const std::string* name)
      : Node(pos), cell_(cell), name_(name) {}
  Value Eval(Machine& m, Value*, const Closure*) const override {
    Value v = *cell_;
    if (v.tag == Tag::kUnbound) [[unlikely]] {
      m.set_site(this);
      m.Fail("unbound-symbol",
             fmt::format("unbound symbol '{}' (its definition has not run yet)", *name_));
    }
    return v;
  }

 private:
  const Value* cell_;
  const std::string* name_;
};

class CellSet final : public Node {
 public:
  CellSet(SourcePos pos, Value* cell, const Node* value) : Node(pos), cell_(cell), value_(value) {}
  Value Eval(Machine& m, Value* fp, const Closure* self) const override {
    *cell_ = value_->Eval(m, fp, self);
    return Value::Nil();
  }

 private:
  Value* cell_;
  const Node* value_;
};

class LocalSet final : public Node {
 public:
  LocalSet(SourcePos pos, int slot, bool boxed, bool init, const Node* value)
      : Node(pos), slot_(slot), boxed_(boxed), init_(init), value_(value) {}
  Value Eval(Machine& m, Value* fp, const Closure* self) const override {
    Value v = value_->Eval(m, fp, self);
    if (!boxed_) {
      fp[slot_] = v;
    } else if (init_) {
      fp[slot_] = MakeBox(m.arena(), v);
    } else {
      fp[slot_].c->car = v;
    }
    return Value::Nil();
  }

 private:
  int slot_;
  bool boxed_;
  bool init_;
  const Node* value_;
};

class CapturedSet final : public Node {
 public:
  CapturedSet(SourcePos pos, int index, const Node* value)
      : Node(pos), index_(index), value_(value) {}
  Value Eval(Machine& m, Value* fp, const Closure* self) const override {
    self->captured[index_].c->car = value_->Eval(m, fp, self);
    return Value::Nil();
  }

 private:
  int index_;
  const Node* value_;
};

class GlobalSet final : public Node {
 public:
  GlobalSet(SourcePos pos, int slot, const std::string* name, bool define, const Node* value)
      : Node(pos), slot_(slot), name_(name), define_(define), value_(value) {}
  Value Eval(Machine& m, Value* fp, const Closure* self) const override {
    Value v = value_->Eval(m, fp, self);
    Value& slot = m.globals()[slot_];
    if (!define_ && slot.tag == Tag::kUnbound) {
      m.set_site(this);
      m.Fail("unbound-symbol", fmt::format("set! of '{}' before its definition ran", *name_));
    }
    slot = v;
    return Value::Nil();
  }

 private:
  int slot_;
  const std::string* name_;
  bool define_;
  const Node* value_;
};

class IfNode final : public Node {
 public:
  IfNode(SourcePos pos, const Node* test, const Node* then, const Node* otherwise)
      : Node(pos), test_(test), then_(then), else_(otherwise) {}
  Value Eval(Machine& m, Value* fp, const Closure* self) const override {
    if (test_->Eval(m, fp, self).truthy()) return then_->Eval(m, fp, self);
    return else_ ? else_->Eval(m, fp, self) : Value::Nil();
  }

 private:
  const Node* test_;
  const Node* then_;
  const Node* else_;
};

class SeqNode final : public Node {
 public:
  SeqNode(SourcePos pos, std::vector<const Node*> body) : Node(pos), body_(std::move(body)) {}
  Value Eval(Machine& m, Value* fp, const Closure* self) const override {
    size_t last = body_.size() - 1;
    for (size_t i = 0; i < last; ++i) body_[i]->Eval(m, fp, self);
    return body_[last]->Eval(m, fp, self);
  }

 private:
  std::vector<const Node*> body_;
};

class AndNode final : public Node {
 public:
  AndNode(SourcePos pos, std::vector<const Node*> parts) : Node(pos), parts_(std::move(parts)) {}
  Value Eval(Machine& m, Value* fp, const Closure* self) const override {
    size_t last = parts_.size() - 1;
    for (size_t i = 0; i < last; ++i) {
      Value v = parts_[i]->Eval(m, fp, self);
      if (!v.truthy()) return v;
    }
    return parts_[last]->Eval(m, fp, self);
  }

 private:
  std::vector<const Node*> parts_;
};

class OrNode final : public Node {
 public:
  OrNode(SourcePos pos, std::vector<const Node*> parts) : Node(pos), parts_(std::move(parts)) {}
  Value Eval(Machine& m, Value* fp, const Closure* self) const override {
    size_t last = parts_.size() - 1;
    for (size_t i = 0; i < last; ++i) {
      Value v = parts_[i]->Eval(m, fp, self);
      if (v.truthy()) return v;
    }
    return parts_[last]->Eval(m, fp, self);
  }

 private:
  std::vector<const Node*> parts_;
};

// A call of whatever the function expression yields. Arguments are evaluated
// straight into the value stack, where they become the callee's frame.
class CallNode final : public Node {
 public:
  CallNode(SourcePos pos, const Node* fn, std::vector<const Node*> args, bool tail)
      : Node(pos), fn_(fn), args_(std::move(args)), tail_(tail) {}

  Value Eval(Machine& m, Value* fp, const Closure* self) const override {
    Value fn = fn_->Eval(m, fp, self);
    int nargs = static_cast<int>(args_.size());
    m.set_site(this);  // a call too wide for the stack fails here, with this position
    Value* base = m.PushFrame(nargs);
    for (int i = 0; i < nargs; ++i) base[i] = args_[i]->Eval(m, fp, self);
    m.set_site(this);
    if (fn.tag == Tag::kClosure) {
      if (tail_) {
        m.tail_fn_ = fn;
        m.tail_args_ = base;
        m.tail_nargs_ = nargs;
        Value signal;
        signal.tag = Tag::kTailCall;
        return signal;
      }
      return m.CallClosure(fn.fn, base, nargs);
    }
    Value result = m.CallValue(fn, base, nargs, this);
    m.PopFrame(base);
    return result;
  }

 private:
  const Node* fn_;
  std::vector<const Node*> args_;
  bool tail_;
};

// A call of a builtin known at compile time (its arity was checked then).
class BuiltinCallNode final : public Node {
 public:
  BuiltinCallNode(SourcePos pos, const BuiltinSpec* spec, std::vector<const Node*> args)
      : Node(pos), spec_(spec), args_(std::move(args)) {}

  Value Eval(Machine& m, Value* fp, const Closure* self) const override {
    int nargs = static_cast<int>(args_.size());
    m.set_site(this);  // a call too wide for the stack fails here, with this position
    Value* base = m.PushFrame(nargs);
    for (int i = 0; i < nargs; ++i) base[i] = args_[i]->Eval(m, fp, self);
    m.set_site(this);
    Value result = m.CallBuiltin(spec_, base, nargs);
    m.PopFrame(base);
    return result;
  }

 private:
  const BuiltinSpec* spec_;
  std::vector<const Node*> args_;
};

// Two-argument arithmetic and comparison with an inline integer path; any
// other operand types (and overflow) go through the builtin itself, so the
// results and errors are exactly the builtin's. Operands that are a local
// variable or a constant are read directly instead of through a node.
enum class BinaryOp { kAdd, kSub, kMul, kLt, kGt, kLe, kGe, kEq };

struct NodeOperand {
  const Node* node;
  Value Get(Machine& m, Value* fp, const Closure* self) const { return node->Eval(m, fp, self); }
};
struct LocalOperand {
  int slot;
  Value Get(Machine&, Value* fp, const Closure*) const { return fp[slot]; }
};
struct ConstOperand {
  Value value;
  Value Get(Machine&, Value*, const Closure*) const { return value; }
};

template <BinaryOp op, typename A, typename B>
class BinaryNode final : public Node {
 public:
  BinaryNode(SourcePos pos, const BuiltinSpec* spec, A a, B b)
      : Node(pos), spec_(spec), a_(a), b_(b) {}

  Value Eval(Machine& m, Value* fp, const Closure* self) const override {
    Value a = a_.Get(m, fp, self);
    Value b = b_.Get(m, fp, self);
    if (a.tag == Tag::kInt && b.tag == Tag::kInt) {
      int64_t r;
      switch (op) {
        case BinaryOp::kAdd:
          if (!__builtin_add_overflow(a.i, b.i, &r)) return Value::Int(r);
          break;
        case BinaryOp::kSub:
          if (!__builtin_sub_overflow(a.i, b.i, &r)) return Value::Int(r);
          break;
        case BinaryOp::kMul:
          if (!__builtin_mul_overflow(a.i, b.i, &r)) return Value::Int(r);
          break;
        case BinaryOp::kLt:
          return Value::Bool(a.i < b.i);
        case BinaryOp::kGt:
          return Value::Bool(a.i > b.i);
        case BinaryOp::kLe:
          return Value::Bool(a.i <= b.i);
        case BinaryOp::kGe:
          return Value::Bool(a.i >= b.i);
        case BinaryOp::kEq:
          return Value::Bool(a.i == b.i);
      }
    }
    Value* base = m.PushFrame(2);
    base[0] = a;
    base[1] = b;
    m.set_site(this);
    Value result = m.CallBuiltin(spec_, base, 2);
    m.PopFrame(base);
    return result;
  }

 private:
  const BuiltinSpec* spec_;
  A a_;
  B b_;
};

class WhileNode final : public Node {
 public:
  WhileNode(SourcePos pos, const Node* test, const Node* body)
      : Node(pos), test_(test), body_(body) {}
  Value Eval(Machine& m, Value* fp, const Closure* self) const override {
    while (test_->Eval(m, fp, self).truthy()) {
      m.set_site(this);
      m.Charge(1);
      if (body_) body_->Eval(m, fp, self);
    }
    return Value::Nil();
  }

 private:
  const Node* test_;
  const Node* body_;
};

void Bind(Machine& m, Value* fp, int slot, bool boxed, Value v) {
  fp[slot] = boxed ? MakeBox(m.arena(), v) : v;
}

class DotimesNode final : public Node {
 public:
  DotimesNode(SourcePos pos, int slot, bool boxed, const Node* count, const Node* body)
      : Node(pos), slot_(slot), boxed_(boxed), count_(count), body_(body) {}
  Value Eval(Machine& m, Value* fp, const Closure* self) const override {
    Value n = count_->Eval(m, fp, self);
    if (n.tag != Tag::kInt) {
      m.set_site(this);
      m.Fail(
          "type-mismatch",
          fmt::format("type mismatch in 'dotimes': expected integer count, got {}", TypeName(n)));
    }
    for (int64_t i = 0; i < n.i; ++i) {
      m.set_site(this);
      m.Charge(1);
      Bind(m, fp, slot_, boxed_, Value::Int(i));
      if (body_) body_->Eval(m, fp, self);
    }
    return Value::Nil();
  }

 private:
  int slot_;
  bool boxed_;
  const Node* count_;
  const Node* body_;
};

class DolistNode final : public Node {
 public:
  DolistNode(SourcePos pos, int slot, bool boxed, const Node* list, const Node* body)
      : Node(pos), slot_(slot), boxed_(boxed), list_(list), body_(body) {}
  Value Eval(Machine& m, Value* fp, const Closure* self) const override {
    Value list = list_->Eval(m, fp, self);
    if (!list.is_list() && !list.is_nil()) {
      m.set_site(this);
      m.Fail("type-mismatch",
             fmt::format("type mismatch in 'dolist': expected list, got {}", TypeName(list)));
    }
    for (Value it = list; it.tag == Tag::kCons; it = it.c->cdr) {
      m.set_site(this);
      m.Charge(1);
      Bind(m, fp, slot_, boxed_, it.c->car);
      if (body_) body_->Eval(m, fp, self);
    }
    return Value::Nil();
  }

 private:
  int slot_;
  bool boxed_;
  const Node* list_;
  const Node* body_;
};

class TryNode final : public Node {
 public:
  TryNode(SourcePos pos, const Node* body, int slot, bool boxed, const Node* handler)
      : Node(pos), body_(body), slot_(slot), boxed_(boxed), handler_(handler) {}
  Value Eval(Machine& m, Value* fp, const Closure* self) const override {
    Machine::Checkpoint saved = m.Save();
    try {
      return body_->Eval(m, fp, self);
    } catch (const Raised& raised) {
      m.Restore(saved);
      Bind(m, fp, slot_, boxed_, raised.value);
    }
    return handler_ ? handler_->Eval(m, fp, self) : Value::Nil();
  }

 private:
  const Node* body_;
  int slot_;
  bool boxed_;
  const Node* handler_;
};

}  // namespace

Value LambdaNode::Eval(Machine& m, Value* fp, const Closure* self) const {
  size_t n = captures.size();
  auto* closure = static_cast<Closure*>(
      m.arena().Allocate(offsetof(Closure, captured) + sizeof(Value) * (n == 0 ? 1 : n)));
  closure->lambda = this;
  closure->ncaptured = static_cast<uint32_t>(n);
  for (size_t i = 0; i < n; ++i) {
    const CaptureSource& source = captures[i];
    closure->captured[i] = source.from_local ? fp[source.index] : self->captured[source.index];
  }
  return Value::Of(closure);
}

std::string_view ClosureName(const Closure* closure) { return closure->lambda->name; }

const Node* MakeConst(NodeFactory& f, SourcePos pos, Value v) { return f.Make<ConstNode>(pos, v); }

const Node* MakeLocalRef(NodeFactory& f, SourcePos pos, int slot, bool boxed) {
  if (boxed) return f.Make<BoxedLocalRef>(pos, slot);
  return f.Make<LocalRef>(pos, slot);
}

const Node* MakeCapturedRef(NodeFactory& f, SourcePos pos, int index, bool boxed) {
  if (boxed) return f.Make<BoxedCapturedRef>(pos, index);
  return f.Make<CapturedRef>(pos, index);
}

const Node* MakeCellRef(NodeFactory& f, SourcePos pos, const Value* cell, const std::string* name) {
  return f.Make<CellRef>(pos, cell, name);
}

const Node* MakeCellSet(NodeFactory& f, SourcePos pos, Value* cell, const Node* value) {
  return f.Make<CellSet>(pos, cell, value);
}

const Node* MakeGlobalRef(NodeFactory& f, SourcePos pos, int slot, const std::string* name) {
  return f.Make<GlobalRef>(pos, slot, name);
}

const Node* MakeLocalSet(NodeFactory& f, SourcePos pos, int slot, bool boxed, bool init,
                         const Node* value) {
  return f.Make<LocalSet>(pos, slot, boxed, init, value);
}

const Node* MakeCapturedSet(NodeFactory& f, SourcePos pos, int index, const Node* value) {
  return f.Make<CapturedSet>(pos, index, value);
}

const Node* MakeGlobalSet(NodeFactory& f, SourcePos pos, int slot, const std::string* name,
                          bool define, const Node* value) {
  return f.Make<GlobalSet>(pos, slot, name, define, value);
}

const Node* MakeIf(NodeFactory& f, SourcePos pos, const Node* test, const Node* then,
                   const Node* otherwise) {
  return f.Make<IfNode>(pos, test, then, otherwise);
}

const Node* MakeSeq(NodeFactory& f, SourcePos pos, std::vector<const Node*> body) {
  if (body.empty()) return MakeConst(f, pos, Value::Nil());
  if (body.size() == 1) return body[0];
  return f.Make<SeqNode>(pos, std::move(body));
}

const Node* MakeAnd(NodeFactory& f, SourcePos pos, std::vector<const Node*> parts) {
  if (parts.empty()) return MakeConst(f, pos, Value::Bool(true));
  if (parts.size() == 1) return parts[0];
  return f.Make<AndNode>(pos, std::move(parts));
}

const Node* MakeOr(NodeFactory& f, SourcePos pos, std::vector<const Node*> parts) {
  if (parts.empty()) return MakeConst(f, pos, Value::Bool(false));
  if (parts.size() == 1) return parts[0];
  return f.Make<OrNode>(pos, std::move(parts));
}

const Node* MakeCall(NodeFactory& f, SourcePos pos, const Node* fn, std::vector<const Node*> args,
                     bool tail) {
  return f.Make<CallNode>(pos, fn, std::move(args), tail);
}

namespace {

template <BinaryOp op, typename A>
const Node* MakeBinaryWith(NodeFactory& f, SourcePos pos, const BuiltinSpec* spec, A a,
                           const Node* b) {
  if (auto* local = dynamic_cast<const LocalRef*>(b)) {
    return f.Make<BinaryNode<op, A, LocalOperand>>(pos, spec, a, LocalOperand{local->slot()});
  }
  if (auto* constant = dynamic_cast<const ConstNode*>(b)) {
    return f.Make<BinaryNode<op, A, ConstOperand>>(pos, spec, a, ConstOperand{constant->value()});
  }
  return f.Make<BinaryNode<op, A, NodeOperand>>(pos, spec, a, NodeOperand{b});
}

template <BinaryOp op>
const Node* MakeBinary(NodeFactory& f, SourcePos pos, const BuiltinSpec* spec, const Node* a,
                       const Node* b) {
  if (auto* local = dynamic_cast<const LocalRef*>(a)) {
    return MakeBinaryWith<op>(f, pos, spec, LocalOperand{local->slot()}, b);
  }
  if (auto* constant = dynamic_cast<const ConstNode*>(a)) {
    return MakeBinaryWith<op>(f, pos, spec, ConstOperand{constant->value()}, b);
  }
  return MakeBinaryWith<op>(f, pos, spec, NodeOperand{a}, b);
}

}  // namespace

const Node* MakeBuiltinCall(NodeFactory& f, SourcePos pos, const BuiltinSpec* spec,
                            std::vector<const Node*> args) {
  if (args.size() == 2) {
    std::string_view n = spec->name;
    const Node* a = args[0];
    const Node* b = args[1];
    if (n == "+") return MakeBinary<BinaryOp::kAdd>(f, pos, spec, a, b);
    if (n == "-") return MakeBinary<BinaryOp::kSub>(f, pos, spec, a, b);
    if (n == "*") return MakeBinary<BinaryOp::kMul>(f, pos, spec, a, b);
    if (n == "<") return MakeBinary<BinaryOp::kLt>(f, pos, spec, a, b);
    if (n == ">") return MakeBinary<BinaryOp::kGt>(f, pos, spec, a, b);
    if (n == "<=") return MakeBinary<BinaryOp::kLe>(f, pos, spec, a, b);
    if (n == ">=") return MakeBinary<BinaryOp::kGe>(f, pos, spec, a, b);
    if (n == "=") return MakeBinary<BinaryOp::kEq>(f, pos, spec, a, b);
  }
  return f.Make<BuiltinCallNode>(pos, spec, std::move(args));
}

const Node* MakeWhile(NodeFactory& f, SourcePos pos, const Node* test, const Node* body) {
  return f.Make<WhileNode>(pos, test, body);
}

const Node* MakeDotimes(NodeFactory& f, SourcePos pos, int slot, bool boxed, const Node* count,
                        const Node* body) {
  return f.Make<DotimesNode>(pos, slot, boxed, count, body);
}

const Node* MakeDolist(NodeFactory& f, SourcePos pos, int slot, bool boxed, const Node* list,
                       const Node* body) {
  return f.Make<DolistNode>(pos, slot, boxed, list, body);
}

const Node* MakeTry(NodeFactory& f, SourcePos pos, const Node* body, int slot, bool boxed,
                    const Node* handler) {
  return f.Make<TryNode>(pos, body, slot, boxed, handler);
}

}  // namespace vigy::lisp
