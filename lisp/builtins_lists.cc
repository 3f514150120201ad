// List construction and access: list, cons, car/cdr and friends, and the
// whole-list operations (append, reverse, range, flatten, distinct, sort).
// Lists are immutable, so results share structure with arguments wherever
// the semantics allow (drop, rest, the last list of append).
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <unordered_set>
#include <utility>
#include <vector>

#include "lisp/builtin_args.h"
#include "lisp/builtins.h"
#include "lisp/compare.h"
#include "lisp/function.h"
#include "lisp/machine.h"
#include "lisp/nodes.h"

namespace vigy::lisp {
namespace {

std::vector<Value> ToVector(Value list) {
  std::vector<Value> out;
  for (Value it = list; it.is_cons(); it = it.c->cdr) out.push_back(it.c->car);
  return out;
}

Value FromVector(Machine& m, const std::vector<Value>& items) {
  Value list = Value::Empty();
  for (size_t i = items.size(); i-- > 0;) list = MakeCons(m.arena(), items[i], list);
  return list;
}

// nth, take and drop put the count first in the original dialect and the
// list first in others; either order is accepted since one is an integer.
std::pair<Value, int64_t> ListAndCount(Machine& m, Args args, std::string_view what) {
  if (args[0].is_int() && (args[1].is_list() || args[1].is_nil())) {
    return {ArgList(m, args[1]), args[0].i};
  }
  return {ArgList(m, args[0]), ArgInt(m, args[1], what)};
}

Value MakeList(Machine& m, Args args) {
  ListBuilder out(m.arena());
  for (Value v : args) out.Add(v);
  return out.Finish();
}

// (cons x list); a tail that is not a list becomes the second element of a
// two-element list, as the original dialect has no dotted pairs.
Value ConsCell(Machine& m, Args args) {
  Value tail = args[1];
  if (tail.is_nil()) tail = Value::Empty();
  if (!tail.is_list()) tail = MakeCons(m.arena(), tail, Value::Empty());
  return MakeCons(m.arena(), args[0], tail);
}

Value Car(Machine& m, Args args) {
  Value list = ArgList(m, args[0]);
  if (!list.is_cons()) m.Fail("empty-list", "'car' of an empty list");
  return list.c->car;
}

Value Cdr(Machine& m, Args args) {
  Value list = ArgList(m, args[0]);
  if (!list.is_cons()) m.Fail("empty-list", "'cdr' of an empty list");
  return list.c->cdr;
}

Value First(Machine& m, Args args) {
  Value list = ArgList(m, args[0]);
  return list.is_cons() ? list.c->car : Value::Nil();
}

Value Rest(Machine& m, Args args) {
  Value list = ArgList(m, args[0]);
  return list.is_cons() ? list.c->cdr : list;
}

Value Second(Machine& m, Args args) {
  Value list = ArgList(m, args[0]);
  if (list.is_cons()) list = list.c->cdr;
  return list.is_cons() ? list.c->car : Value::Nil();
}

Value Last(Machine& m, Args args) {
  Value list = ArgList(m, args[0]);
  if (!list.is_cons()) return Value::Nil();
  uint64_t n = 1;
  for (; list.c->cdr.is_cons(); list = list.c->cdr) ++n;
  m.Charge(n);
  return list.c->car;
}

Value Nth(Machine& m, Args args) {
  auto [list, index] = ListAndCount(m, args, "integer index");
  int64_t i = 0;
  for (Value it = list; it.is_cons(); it = it.c->cdr, ++i) {
    if (i == index) {
      m.Charge(static_cast<uint64_t>(i));
      return it.c->car;
    }
  }
  m.Charge(static_cast<uint64_t>(i));
  return Value::Nil();  // out of range, as in the original dialect
}

Value Take(Machine& m, Args args) {
  auto [list, n] = ListAndCount(m, args, "integer count");
  ListBuilder out(m.arena());
  int64_t taken = 0;
  for (Value it = list; it.is_cons() && taken < n; it = it.c->cdr, ++taken) out.Add(it.c->car);
  m.Charge(static_cast<uint64_t>(taken));
  return out.Finish();
}

Value Drop(Machine& m, Args args) {
  auto [list, n] = ListAndCount(m, args, "integer count");
  int64_t dropped = 0;
  for (; list.is_cons() && dropped < n; list = list.c->cdr) ++dropped;
  m.Charge(static_cast<uint64_t>(dropped));
  return list;
}

Value Length(Machine& m, Args args) {
  size_t n = ListLength(ArgList(m, args[0]));
  m.Charge(n);
  return Value::Int(static_cast<int64_t>(n));
}

// Copies every list but the last, which the result shares.
Value Append(Machine& m, Args args) {
  for (Value v : args) ArgList(m, v);
  size_t last = args.size();
  while (last > 0 && !args[last - 1].is_cons()) --last;
  if (last == 0) return Value::Empty();
  Value head = Value::Empty();
  Cons* tail = nullptr;
  uint64_t copied = 0;
  for (size_t i = 0; i + 1 < last; ++i) {
    for (Value it = args[i]; it.is_cons(); it = it.c->cdr, ++copied) {
      Cons* cell = m.arena().New<Cons>(it.c->car, Value::Empty());
      (tail == nullptr ? head : tail->cdr) = Value::Of(cell);
      tail = cell;
    }
  }
  m.Charge(copied);
  (tail == nullptr ? head : tail->cdr) = args[last - 1];
  return head;
}

Value Reverse(Machine& m, Args args) {
  Value out = Value::Empty();
  uint64_t n = 0;
  for (Value it = ArgList(m, args[0]); it.is_cons(); it = it.c->cdr, ++n) {
    out = MakeCons(m.arena(), it.c->car, out);
  }
  m.Charge(n);
  return out;
}

// Number of steps from `start` towards `end` by `step` (exclusive of end).
uint64_t IntRangeCount(int64_t start, int64_t end, int64_t step) {
  __int128 distance = static_cast<__int128>(end) - start;
  if ((step > 0 && distance <= 0) || (step < 0 && distance >= 0)) return 0;
  __int128 stride = step;
  if (stride < 0) {
    stride = -stride;
    distance = -distance;
  }
  return static_cast<uint64_t>((distance + stride - 1) / stride);
}

Value IntRange(Machine& m, int64_t start, int64_t end, int64_t step) {
  uint64_t count = IntRangeCount(start, end, step);
  m.Charge(count);
  ListBuilder out(m.arena());
  for (uint64_t i = 0; i < count; ++i) {
    out.Add(Value::Int(static_cast<int64_t>(start + static_cast<__int128>(step) * i)));
  }
  return out.Finish();
}

Value FloatRange(Machine& m, double start, double end, double step) {
  double steps = std::ceil((end - start) / step);
  if (!(steps > 0)) return Value::Empty();  // also NaN
  // Too many to build: charging that many steps stops the run at its budget.
  uint64_t count = steps < 1e18 ? static_cast<uint64_t>(steps) : uint64_t{1} << 62;
  m.Charge(count);
  ListBuilder out(m.arena());
  for (uint64_t i = 0; i < count; ++i) out.Add(Value::Float(start + step * static_cast<double>(i)));
  return out.Finish();
}

// (range end), (range start end), (range start end step): end is exclusive.
Value Range(Machine& m, Args args) {
  Value start = Value::Int(0), end = args[0], step = Value::Int(1);
  if (args.size() >= 2) {
    start = args[0];
    end = args[1];
  }
  if (args.size() == 3) step = args[2];
  if (start.is_int() && end.is_int() && step.is_int()) {
    if (step.i == 0) m.Fail("argument", "'range' step must not be zero");
    return IntRange(m, start.i, end.i, step.i);
  }
  double s = ArgNumber(m, start), e = ArgNumber(m, end), st = ArgNumber(m, step);
  if (st == 0) m.Fail("argument", "'range' step must not be zero");
  return FloatRange(m, s, e, st);
}

// (member? x list): whether some element is equal? to x.
Value Member(Machine& m, Args args) {
  uint64_t n = 0;
  bool found = false;
  for (Value it = ArgList(m, args[1]); it.is_cons() && !found; it = it.c->cdr, ++n) {
    found = Equal(it.c->car, args[0]);
  }
  m.Charge(n);
  return Value::Bool(found);
}

// (position x list): index of the first element equal? to x, or -1.
Value Position(Machine& m, Args args) {
  int64_t i = 0;
  for (Value it = ArgList(m, args[1]); it.is_cons(); it = it.c->cdr, ++i) {
    if (Equal(it.c->car, args[0])) {
      m.Charge(static_cast<uint64_t>(i));
      return Value::Int(i);
    }
  }
  m.Charge(static_cast<uint64_t>(i));
  return Value::Int(-1);
}

// Deep: nested lists at any depth are spliced in. Walks with an explicit
// stack so depth costs no native stack.
Value Flatten(Machine& m, Args args) {
  ListBuilder out(m.arena());
  std::vector<Value> pending;
  Value it = ArgList(m, args[0]);
  uint64_t steps = 0;
  while (true) {
    if (it.is_cons()) {
      Value x = it.c->car;
      it = it.c->cdr;
      ++steps;
      if (x.is_list()) {
        pending.push_back(it);
        it = x;
      } else {
        out.Add(x);
      }
    } else if (pending.empty()) {
      break;
    } else {
      it = pending.back();
      pending.pop_back();
    }
  }
  m.Charge(steps);
  return out.Finish();
}

struct ValueHash {
  size_t operator()(Value v) const { return static_cast<size_t>(Hash(v)); }
};
struct ValueEqual {
  bool operator()(Value a, Value b) const { return Equal(a, b); }
};

// Keeps the first of each group of equal? elements, in order.
Value Distinct(Machine& m, Args args) {
  Value list = ArgList(m, args[0]);
  std::unordered_set<Value, ValueHash, ValueEqual> seen;
  ListBuilder out(m.arena());
  uint64_t n = 0;
  for (Value it = list; it.is_cons(); it = it.c->cdr, ++n) {
    if (seen.insert(it.c->car).second) out.Add(it.c->car);
  }
  m.Charge(n);
  return out.Finish();
}

// A stable bottom-up merge sort. Written out rather than std::stable_sort
// because a user's comparator need not be a strict weak order, and the
// standard algorithms may then read out of bounds.
template <typename Less>
void MergeSort(Machine& m, std::vector<Value>& items, Less less) {
  size_t n = items.size();
  std::vector<Value> merged(n);
  for (size_t width = 1; width < n; width *= 2) {
    for (size_t lo = 0; lo < n; lo += 2 * width) {
      size_t mid = std::min(lo + width, n), hi = std::min(lo + 2 * width, n);
      if (mid == hi || !less(items[mid], items[mid - 1])) {  // already in order
        std::copy(items.begin() + lo, items.begin() + hi, merged.begin() + lo);
        continue;
      }
      size_t i = lo, j = mid, k = lo;
      while (i < mid && j < hi) merged[k++] = less(items[j], items[i]) ? items[j++] : items[i++];
      while (i < mid) merged[k++] = items[i++];
      while (j < hi) merged[k++] = items[j++];
    }
    items.swap(merged);
    m.Charge(n);
  }
}

// A comparator says "a before b" by returning true, or, like `compare`,
// a negative integer.
bool ComparatorSaysLess(Value result) { return result.is_int() ? result.i < 0 : result.truthy(); }

// (sort list [less]): stable; by `compare` unless a comparator is given.
Value Sort(Machine& m, Args args) {
  std::vector<Value> items = ToVector(ArgList(m, args[0]));
  if (args.size() == 2) {
    Value fn = ArgFunction(m, args[1]);
    MergeSort(m, items, [&](Value a, Value b) {
      Value pair[2] = {a, b};
      return ComparatorSaysLess(m.Apply(fn, Args(pair, 2)));
    });
  } else {
    MergeSort(m, items, [&](Value a, Value b) { return Compare(m, a, b) < 0; });
  }
  return FromVector(m, items);
}

// Whether sort-by was handed a key function (one argument) rather than the
// original dialect's two-argument comparator.
bool IsKeyFunction(Value fn) {
  if (fn.tag == Tag::kBuiltin) return fn.bi->max_args == 1;
  const LambdaNode* lambda = fn.fn->lambda;
  return lambda->nparams == 1 && !lambda->has_rest;
}

// (sort-by cmp list), the original's form: stable; cmp returns a positive
// integer, or true, when its first argument belongs after its second.
// (sort-by key-fn list): stable, by `compare` on each element's key, with
// key-fn called once per element.
Value SortBy(Machine& m, Args args) {
  Value fn = ArgFunction(m, args[0]);
  std::vector<Value> items = ToVector(ArgList(m, args[1]));
  if (!IsKeyFunction(fn)) {
    MergeSort(m, items, [&](Value a, Value b) {
      Value pair[2] = {b, a};
      Value after = m.Apply(fn, Args(pair, 2));
      if (after.is_int()) return after.i > 0;
      if (after.tag == Tag::kBool) return after.b;
      m.TypeMismatch("integer or boolean from the comparator", after);
    });
    return FromVector(m, items);
  }
  // Sorts element indices (as integer values) so keys and items stay apart.
  std::vector<Value> keys(items.size()), order(items.size());
  for (size_t i = 0; i < items.size(); ++i) {
    keys[i] = m.Apply(fn, Args(&items[i], 1));
    order[i] = Value::Int(static_cast<int64_t>(i));
  }
  MergeSort(m, order, [&](Value a, Value b) { return Compare(m, keys[a.i], keys[b.i]) < 0; });
  for (Value& v : order) v = items[v.i];
  return FromVector(m, order);
}

const BuiltinSpec kLists[] = {
    {"list", 0, kVariadic, MakeList},
    {"cons", 2, 2, ConsCell},
    {"car", 1, 1, Car},
    {"cdr", 1, 1, Cdr},
    {"first", 1, 1, First},
    {"rest", 1, 1, Rest},
    {"second", 1, 1, Second},
    {"last", 1, 1, Last},
    {"nth", 2, 2, Nth},
    {"take", 2, 2, Take},
    {"drop", 2, 2, Drop},
    {"length", 1, 1, Length},
    {"append", 0, kVariadic, Append},
    {"reverse", 1, 1, Reverse},
    {"range", 1, 3, Range},
    {"member?", 2, 2, Member},
    {"position", 2, 2, Position},
    {"flatten", 1, 1, Flatten},
    {"distinct", 1, 1, Distinct},
    {"sort", 1, 2, Sort},
    {"sort-by", 2, 2, SortBy},
};

}  // namespace

std::span<const BuiltinSpec> ListBuiltins() { return kLists; }

}  // namespace vigy::lisp
