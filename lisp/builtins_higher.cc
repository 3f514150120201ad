// Functions that take functions: map, filter, the folds, searching,
// partition and group-by, and the combinators identity, comp and partial.
// Every callback goes through Machine::Apply with its arguments in a local
// array, so a call costs nothing beyond the result being built.
#include <algorithm>
#include <cstddef>
#include <cstring>
#include <new>
#include <unordered_map>
#include <vector>

#include "lisp/builtin_args.h"
#include "lisp/builtins.h"
#include "lisp/machine.h"
#include "lisp/map.h"
#include "lisp/map_node.h"

namespace vigy::lisp {
namespace {

Value Call1(Machine& m, Value fn, Value x) { return m.Apply(fn, Args(&x, 1)); }

Value Call2(Machine& m, Value fn, Value a, Value b) {
  Value pair[2] = {a, b};
  return m.Apply(fn, Args(pair, 2));
}

// An argument list assembled per call; short ones need no heap.
class CallArgs {
 public:
  void Add(Value v) {
    if (heap_.empty() && size_ < kInline) {
      inline_[size_++] = v;
      return;
    }
    if (heap_.empty()) heap_.assign(inline_, inline_ + size_);
    heap_.push_back(v);
    ++size_;
  }
  Args view() const { return heap_.empty() ? Args(inline_, size_) : Args(heap_); }

 private:
  static constexpr size_t kInline = 8;
  Value inline_[kInline];
  size_t size_ = 0;
  std::vector<Value> heap_;
};

// Calls fn on the elements at each position of several lists, stopping at
// the end of the shortest; collects the results if `out` is given.
void ZipApply(Machine& m, Value fn, Args lists, ListBuilder* out) {
  std::vector<Value> cursors(lists.size()), row(lists.size());
  for (size_t i = 0; i < lists.size(); ++i) cursors[i] = ArgList(m, lists[i]);
  while (true) {
    for (size_t i = 0; i < cursors.size(); ++i) {
      if (!cursors[i].is_cons()) return;
      row[i] = cursors[i].c->car;
      cursors[i] = cursors[i].c->cdr;
    }
    Value result = m.Apply(fn, Args(row));
    if (out != nullptr) out->Add(result);
  }
}

// (map f list...)
Value Map(Machine& m, Args args) {
  Value fn = ArgFunction(m, args[0]);
  ListBuilder out(m.arena());
  if (args.size() > 2) {
    ZipApply(m, fn, args.subspan(1), &out);
    return out.Finish();
  }
  for (Value it = ArgList(m, args[1]); it.is_cons(); it = it.c->cdr) {
    out.Add(Call1(m, fn, it.c->car));
  }
  return out.Finish();
}

// (for-each f list...): for the effects; returns nil.
Value ForEach(Machine& m, Args args) {
  Value fn = ArgFunction(m, args[0]);
  if (args.size() > 2) {
    ZipApply(m, fn, args.subspan(1), nullptr);
    return Value::Nil();
  }
  for (Value it = ArgList(m, args[1]); it.is_cons(); it = it.c->cdr) Call1(m, fn, it.c->car);
  return Value::Nil();
}

// filter (keep = true) and remove (keep = false).
template <bool keep>
Value Select(Machine& m, Args args) {
  Value pred = ArgFunction(m, args[0]);
  ListBuilder out(m.arena());
  for (Value it = ArgList(m, args[1]); it.is_cons(); it = it.c->cdr) {
    if (Call1(m, pred, it.c->car).truthy() == keep) out.Add(it.c->car);
  }
  return out.Finish();
}

Value FoldLeft(Machine& m, Value fn, Value acc, Value list) {
  for (Value it = list; it.is_cons(); it = it.c->cdr) acc = Call2(m, fn, acc, it.c->car);
  return acc;
}

// (reduce f list) starts from the first element; (reduce f init list) from init.
Value Reduce(Machine& m, Args args) {
  Value fn = ArgFunction(m, args[0]);
  if (args.size() == 3) return FoldLeft(m, fn, args[1], ArgList(m, args[2]));
  Value list = ArgList(m, args[1]);
  if (!list.is_cons()) m.Fail("empty-list", "'reduce' of an empty list with no initial value");
  return FoldLeft(m, fn, list.c->car, list.c->cdr);
}

// (foldl f init list) calls (f acc x) from the left.
Value Foldl(Machine& m, Args args) {
  return FoldLeft(m, ArgFunction(m, args[0]), args[1], ArgList(m, args[2]));
}

// (foldr f init list) calls (f x acc) from the right; the elements are
// gathered first so a long list costs no native stack.
Value Foldr(Machine& m, Args args) {
  Value fn = ArgFunction(m, args[0]);
  std::vector<Value> items;
  for (Value it = ArgList(m, args[2]); it.is_cons(); it = it.c->cdr) items.push_back(it.c->car);
  Value acc = args[1];
  for (size_t i = items.size(); i-- > 0;) acc = Call2(m, fn, items[i], acc);
  return acc;
}

// (apply f a b ... list): f called with a, b, ... and then the list's elements.
Value ApplyFn(Machine& m, Args args) {
  Value fn = ArgFunction(m, args[0]);
  Value tail = ArgList(m, args.back());
  CallArgs call;
  for (size_t i = 1; i + 1 < args.size(); ++i) call.Add(args[i]);
  for (Value it = tail; it.is_cons(); it = it.c->cdr) call.Add(it.c->car);
  return m.Apply(fn, call.view());
}

// (some pred list): the first truthy (pred x), or nil.
Value Some(Machine& m, Args args) {
  Value pred = ArgFunction(m, args[0]);
  for (Value it = ArgList(m, args[1]); it.is_cons(); it = it.c->cdr) {
    Value r = Call1(m, pred, it.c->car);
    if (r.truthy()) return r;
  }
  return Value::Nil();
}

Value Every(Machine& m, Args args) {
  Value pred = ArgFunction(m, args[0]);
  for (Value it = ArgList(m, args[1]); it.is_cons(); it = it.c->cdr) {
    if (!Call1(m, pred, it.c->car).truthy()) return Value::Bool(false);
  }
  return Value::Bool(true);
}

// (find pred list): the first x with a truthy (pred x), or nil.
Value Find(Machine& m, Args args) {
  Value pred = ArgFunction(m, args[0]);
  for (Value it = ArgList(m, args[1]); it.is_cons(); it = it.c->cdr) {
    if (Call1(m, pred, it.c->car).truthy()) return it.c->car;
  }
  return Value::Nil();
}

Value CountIf(Machine& m, Args args) {
  Value pred = ArgFunction(m, args[0]);
  int64_t n = 0;
  for (Value it = ArgList(m, args[1]); it.is_cons(); it = it.c->cdr) {
    if (Call1(m, pred, it.c->car).truthy()) ++n;
  }
  return Value::Int(n);
}

// (partition pred list): a list of two lists, the matching and the rest.
Value Partition(Machine& m, Args args) {
  Value pred = ArgFunction(m, args[0]);
  ListBuilder yes(m.arena()), no(m.arena());
  for (Value it = ArgList(m, args[1]); it.is_cons(); it = it.c->cdr) {
    (Call1(m, pred, it.c->car).truthy() ? yes : no).Add(it.c->car);
  }
  Value rest = MakeCons(m.arena(), no.Finish(), Value::Empty());
  return MakeCons(m.arena(), yes.Finish(), rest);
}

struct ValueHash {
  size_t operator()(Value v) const { return static_cast<size_t>(Hash(v)); }
};
struct ValueEqual {
  bool operator()(Value a, Value b) const { return Equal(a, b); }
};

// (group-by f list): a map from each (f x) to the xs giving it, in order.
Value GroupBy(Machine& m, Args args) {
  Value fn = ArgFunction(m, args[0]);
  std::unordered_map<Value, size_t, ValueHash, ValueEqual> group_of;
  std::vector<Value> keys;
  std::vector<ListBuilder> groups;
  for (Value it = ArgList(m, args[1]); it.is_cons(); it = it.c->cdr) {
    Value key = Call1(m, fn, it.c->car);
    if (!IsValidMapKey(key)) m.TypeMismatch("map key", key);
    auto [slot, inserted] = group_of.try_emplace(key, groups.size());
    if (inserted) {
      keys.push_back(key);
      groups.emplace_back(m.arena());
    }
    groups[slot->second].Add(it.c->car);
  }
  std::vector<MapEntry> entries(keys.size());
  for (size_t i = 0; i < keys.size(); ++i) entries[i] = {keys[i], groups[i].Finish()};
  return MapFromEntries(m.arena(), entries);
}

Value Identity(Machine&, Args args) { return args[0]; }

const BuiltinSpec kIdentity = {"identity", 1, 1, Identity};

// ---- functions made at run time ----
//
// comp and partial return functions that carry values. Such a function is a
// builtin whose spec lives in the arena inside a Bound: while it runs,
// Machine::current_builtin() points at that spec, which leads back to the
// Bound and its values.

struct Bound {
  BuiltinSpec spec;
  char name[8];
  uint32_t count;
  Value values[1];  // really `count`
};

Value MakeBound(Machine& m, std::string_view name, BuiltinFn fn, Args values) {
  size_t bytes = offsetof(Bound, values) + sizeof(Value) * std::max<size_t>(values.size(), 1);
  auto* b = new (m.arena().Allocate(bytes)) Bound{};
  std::memcpy(b->name, name.data(), std::min(name.size(), sizeof b->name));
  b->spec = {std::string_view(b->name, std::min(name.size(), sizeof b->name)), 0, kVariadic, fn};
  b->count = static_cast<uint32_t>(values.size());
  std::copy(values.begin(), values.end(), b->values);
  return Value::Of(&b->spec);
}

const Bound& RunningBound(Machine& m) {
  const char* spec = reinterpret_cast<const char*>(m.current_builtin());
  return *reinterpret_cast<const Bound*>(spec - offsetof(Bound, spec));
}

Value CallComposed(Machine& m, Args args) {
  const Bound& b = RunningBound(m);
  Value v = m.Apply(b.values[b.count - 1], args);
  for (size_t i = b.count - 1; i-- > 0;) v = Call1(m, b.values[i], v);
  return v;
}

// (comp f g h) is the function x... -> (f (g (h x...))).
Value Comp(Machine& m, Args args) {
  for (Value fn : args) ArgFunction(m, fn);
  if (args.empty()) return Value::Of(&kIdentity);
  if (args.size() == 1) return args[0];
  return MakeBound(m, "comp", CallComposed, args);
}

Value CallPartial(Machine& m, Args args) {
  const Bound& b = RunningBound(m);
  CallArgs call;
  for (size_t i = 1; i < b.count; ++i) call.Add(b.values[i]);
  for (Value v : args) call.Add(v);
  return m.Apply(b.values[0], call.view());
}

// (partial f a b) is the function x... -> (f a b x...).
Value Partial(Machine& m, Args args) {
  ArgFunction(m, args[0]);
  if (args.size() == 1) return args[0];
  return MakeBound(m, "partial", CallPartial, args);
}

const BuiltinSpec kHigher[] = {
    {"map", 2, kVariadic, Map},
    {"filter", 2, 2, Select<true>},
    {"remove", 2, 2, Select<false>},
    {"reduce", 2, 3, Reduce},
    {"foldl", 3, 3, Foldl},
    {"foldr", 3, 3, Foldr},
    {"for-each", 2, kVariadic, ForEach},
    {"apply", 2, kVariadic, ApplyFn},
    {"some", 2, 2, Some},
    {"every?", 2, 2, Every},
    {"find", 2, 2, Find},
    {"count-if", 2, 2, CountIf},
    {"partition", 2, 2, Partition},
    {"group-by", 2, 2, GroupBy},
    {"identity", 1, 1, Identity},
    {"comp", 0, kVariadic, Comp},
    {"partial", 1, kVariadic, Partial},
};

}  // namespace

std::span<const BuiltinSpec> HigherOrderBuiltins() { return kHigher; }

}  // namespace vigy::lisp
