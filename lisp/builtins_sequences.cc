// The original dialect's list kit beyond the basics in builtins_lists.cc:
// positional access (third, fourth, butlast, safe-nth), shape predicates,
// zipping and interleaving, prefix scans (take-while, drop-while,
// find-index, scan-left), extremes by key, counting, and list generation
// (repeat-list, iterate, repeatedly). Every walk charges the step budget.
#include <fmt/format.h>

#include <cstdint>

#include "lisp/builtin_args.h"
#include "lisp/builtins.h"
#include "lisp/compare.h"
#include "lisp/machine.h"
#include "lisp/map.h"

namespace vigy::lisp {
namespace {

Value Call1(Machine& m, Value fn, Value x) { return m.Apply(fn, Args(&x, 1)); }

Value Call2(Machine& m, Value fn, Value a, Value b) {
  Value pair[2] = {a, b};
  return m.Apply(fn, Args(pair, 2));
}

// The element at `index` of a list, or nil past its end.
Value ElementAt(Machine& m, Value list, int64_t index) {
  if (index < 0) return Value::Nil();
  int64_t i = 0;
  for (Value it = list; it.is_cons(); it = it.c->cdr, ++i) {
    if (i == index) {
      m.Charge(static_cast<uint64_t>(i));
      return it.c->car;
    }
  }
  m.Charge(static_cast<uint64_t>(i));
  return Value::Nil();
}

Value Third(Machine& m, Args args) { return ElementAt(m, ArgList(m, args[0]), 2); }
Value Fourth(Machine& m, Args args) { return ElementAt(m, ArgList(m, args[0]), 3); }

// (safe-nth n list): the nth element, nil when out of range.
Value SafeNth(Machine& m, Args args) {
  return ElementAt(m, ArgList(m, args[1]), ArgInt(m, args[0], "integer index"));
}

// Every element but the last; () for the empty list.
Value Butlast(Machine& m, Args args) {
  ListBuilder out(m.arena());
  uint64_t n = 0;
  for (Value it = ArgList(m, args[0]); it.is_cons() && it.c->cdr.is_cons(); it = it.c->cdr, ++n) {
    out.Add(it.c->car);
  }
  m.Charge(n);
  return out.Finish();
}

bool IsNullish(Value v) { return v.is_nil() || v.tag == Tag::kEmpty; }

// not-empty? and some? are both "neither nil nor the empty list".
Value NotEmpty(Machine&, Args args) { return Value::Bool(!IsNullish(args[0])); }

Value IsPair(Machine&, Args args) { return Value::Bool(args[0].is_cons()); }

// Anything but a list, nil or a function.
Value IsAtom(Machine&, Args args) {
  Value v = args[0];
  return Value::Bool(!(v.is_list() || v.is_nil() || v.is_function()));
}

// (zip xs ys …): lists of the elements at each position, up to the shortest.
Value Zip(Machine& m, Args args) {
  std::vector<Value> cursors;
  for (Value v : args) cursors.push_back(ArgList(m, v));
  ListBuilder out(m.arena());
  uint64_t n = 0;
  while (true) {
    ListBuilder row(m.arena());
    for (Value& c : cursors) {
      if (!c.is_cons()) {
        m.Charge(n);
        return out.Finish();
      }
      row.Add(c.c->car);
      c = c.c->cdr;
    }
    out.Add(row.Finish());
    ++n;
  }
}

// (interleave xs ys): x0 y0 x1 y1 …, up to the shorter list.
Value Interleave(Machine& m, Args args) {
  Value xs = ArgList(m, args[0]), ys = ArgList(m, args[1]);
  ListBuilder out(m.arena());
  uint64_t n = 0;
  for (; xs.is_cons() && ys.is_cons(); xs = xs.c->cdr, ys = ys.c->cdr, ++n) {
    out.Add(xs.c->car);
    out.Add(ys.c->car);
  }
  m.Charge(n);
  return out.Finish();
}

// (intersperse sep xs): sep between each pair of elements.
Value Intersperse(Machine& m, Args args) {
  ListBuilder out(m.arena());
  uint64_t n = 0;
  for (Value it = ArgList(m, args[1]); it.is_cons(); it = it.c->cdr, ++n) {
    if (n > 0) out.Add(args[0]);
    out.Add(it.c->car);
  }
  m.Charge(n);
  return out.Finish();
}

// (concat list …): append under the original's other name.
Value Concat(Machine& m, Args args) {
  ListBuilder out(m.arena());
  uint64_t n = 0;
  for (size_t i = 0; i < args.size(); ++i) {
    Value list = ArgList(m, args[i]);
    for (Value it = list; it.is_cons(); it = it.c->cdr, ++n) out.Add(it.c->car);
  }
  m.Charge(n);
  return out.Finish();
}

// (repeat-list x n): n copies of x.
Value RepeatList(Machine& m, Args args) {
  int64_t n = ArgInt(m, args[1], "integer count");
  ListBuilder out(m.arena());
  for (int64_t i = 0; i < n; ++i) {
    m.Charge(1);
    out.Add(args[0]);
  }
  return out.Finish();
}

// (frequencies xs): a map from each distinct element to how often it occurs.
Value Frequencies(Machine& m, Args args) {
  Value counts = Value::Map(nullptr);
  for (Value it = ArgList(m, args[0]); it.is_cons(); it = it.c->cdr) {
    m.Charge(1);
    Value key = it.c->car;
    if (!IsValidMapKey(key)) m.TypeMismatch("map key", key);
    const Value* seen = MapFind(counts, key);
    counts = MapAssoc(m.arena(), counts, key, Value::Int(seen ? seen->i + 1 : 1));
  }
  return counts;
}

Value TakeWhile(Machine& m, Args args) {
  Value fn = ArgFunction(m, args[0]);
  ListBuilder out(m.arena());
  for (Value it = ArgList(m, args[1]); it.is_cons(); it = it.c->cdr) {
    if (!Call1(m, fn, it.c->car).truthy()) break;
    out.Add(it.c->car);
  }
  return out.Finish();
}

Value DropWhile(Machine& m, Args args) {
  Value fn = ArgFunction(m, args[0]);
  Value it = ArgList(m, args[1]);
  while (it.is_cons() && Call1(m, fn, it.c->car).truthy()) it = it.c->cdr;
  return it;
}

// (find-index pred xs): index of the first match, or -1.
Value FindIndex(Machine& m, Args args) {
  Value fn = ArgFunction(m, args[0]);
  int64_t i = 0;
  for (Value it = ArgList(m, args[1]); it.is_cons(); it = it.c->cdr, ++i) {
    if (Call1(m, fn, it.c->car).truthy()) return Value::Int(i);
  }
  return Value::Int(-1);
}

Value AnyMatch(Machine& m, Args args) {
  Value fn = ArgFunction(m, args[0]);
  for (Value it = ArgList(m, args[1]); it.is_cons(); it = it.c->cdr) {
    if (Call1(m, fn, it.c->car).truthy()) return Value::Bool(true);
  }
  return Value::Bool(false);
}

// (scan-left f init xs): init and every running accumulation.
Value ScanLeft(Machine& m, Args args) {
  Value fn = ArgFunction(m, args[0]);
  Value acc = args[1];
  ListBuilder out(m.arena());
  out.Add(acc);
  for (Value it = ArgList(m, args[2]); it.is_cons(); it = it.c->cdr) {
    acc = Call2(m, fn, acc, it.c->car);
    out.Add(acc);
  }
  return out.Finish();
}

// The element whose key (f x) is greatest (`sign` 1) or least (-1); the
// first such on ties; nil for the empty list.
Value ExtremeBy(Machine& m, Args args, int sign) {
  Value fn = ArgFunction(m, args[0]);
  Value list = ArgList(m, args[1]);
  if (!list.is_cons()) return Value::Nil();
  Value best = list.c->car;
  Value best_key = Call1(m, fn, best);
  for (Value it = list.c->cdr; it.is_cons(); it = it.c->cdr) {
    Value key = Call1(m, fn, it.c->car);
    if (Compare(m, key, best_key) * sign > 0) {
      best = it.c->car;
      best_key = key;
    }
  }
  return best;
}

Value MaxBy(Machine& m, Args args) { return ExtremeBy(m, args, 1); }
Value MinBy(Machine& m, Args args) { return ExtremeBy(m, args, -1); }

// (iterate f x n): x, (f x), (f (f x)), … — n elements.
Value Iterate(Machine& m, Args args) {
  Value fn = ArgFunction(m, args[0]);
  int64_t n = ArgIndex(m, args[2], "integer count");
  Value x = args[1];
  ListBuilder out(m.arena());
  for (int64_t i = 0; i < n; ++i) {
    out.Add(x);
    if (i + 1 < n) x = Call1(m, fn, x);
  }
  return out.Finish();
}

// (repeatedly thunk n): the results of n calls of thunk.
Value Repeatedly(Machine& m, Args args) {
  Value fn = ArgFunction(m, args[0]);
  int64_t n = ArgIndex(m, args[1], "integer count");
  ListBuilder out(m.arena());
  for (int64_t i = 0; i < n; ++i) out.Add(m.Apply(fn, Args()));
  return out.Finish();
}

const BuiltinSpec kSequences[] = {
    {"third", 1, 1, Third},
    {"fourth", 1, 1, Fourth},
    {"safe-nth", 2, 2, SafeNth},
    {"butlast", 1, 1, Butlast},
    {"not-empty?", 1, 1, NotEmpty},
    {"some?", 1, 1, NotEmpty},
    {"pair?", 1, 1, IsPair},
    {"atom?", 1, 1, IsAtom},
    {"zip", 1, kVariadic, Zip},
    {"interleave", 2, 2, Interleave},
    {"intersperse", 2, 2, Intersperse},
    {"concat", 0, kVariadic, Concat},
    {"repeat-list", 2, 2, RepeatList},
    {"frequencies", 1, 1, Frequencies},
    {"take-while", 2, 2, TakeWhile},
    {"drop-while", 2, 2, DropWhile},
    {"find-index", 2, 2, FindIndex},
    {"any?", 2, 2, AnyMatch},
    {"scan-left", 3, 3, ScanLeft},
    {"max-by", 2, 2, MaxBy},
    {"min-by", 2, 2, MinBy},
    {"iterate", 3, 3, Iterate},
    {"repeatedly", 2, 2, Repeatedly},
};

}  // namespace

std::span<const BuiltinSpec> SequenceBuiltins() { return kSequences; }

}  // namespace vigy::lisp
