#include "lisp/compare.h"

#include <fmt/format.h>

#include "lisp/numeric.h"

namespace vigy::lisp {
namespace {

// Lists nested deeper than this are refused rather than overflowing the stack.
constexpr int kMaxCompareDepth = 1000;

enum class Kind { kNumber, kString, kSymbol, kKeyword, kBool, kList, kNil, kOther };

Kind KindOf(Value v) {
  switch (v.tag) {
    case Tag::kInt:
    case Tag::kFloat:
      return Kind::kNumber;
    case Tag::kString:
      return Kind::kString;
    case Tag::kSymbol:
      return Kind::kSymbol;
    case Tag::kKeyword:
      return Kind::kKeyword;
    case Tag::kBool:
      return Kind::kBool;
    case Tag::kEmpty:
    case Tag::kCons:
      return Kind::kList;
    case Tag::kNil:
      return Kind::kNil;
    default:
      return Kind::kOther;
  }
}

int Sign(int c) { return (c > 0) - (c < 0); }

// NaN sorts after every other number and equal to itself, so sorting a list
// with NaNs in it still sees a total order.
int CompareNumberValues(Value a, Value b) {
  switch (CompareNumbers(a, b)) {
    case Order::kLess:
      return -1;
    case Order::kEqual:
      return 0;
    case Order::kGreater:
      return 1;
    case Order::kUnordered:
      break;
  }
  bool a_nan = a.is_float() && a.f != a.f;
  bool b_nan = b.is_float() && b.f != b.f;
  return static_cast<int>(a_nan) - static_cast<int>(b_nan);
}

int CompareAt(Machine& m, Value a, Value b, int depth);

int CompareLists(Machine& m, Value a, Value b, int depth) {
  while (a.is_cons() && b.is_cons()) {
    int c = CompareAt(m, a.c->car, b.c->car, depth + 1);
    if (c != 0) return c;
    a = a.c->cdr;
    b = b.c->cdr;
  }
  return static_cast<int>(a.is_cons()) - static_cast<int>(b.is_cons());
}

int CompareAt(Machine& m, Value a, Value b, int depth) {
  Kind kind = KindOf(a);
  if (kind == Kind::kOther) m.TypeMismatch("comparable value", a);
  if (KindOf(b) != kind) m.TypeMismatch(TypeName(a), b);
  switch (kind) {
    case Kind::kNumber:
      return CompareNumberValues(a, b);
    case Kind::kString:
      return Sign(a.s->view().compare(b.s->view()));
    case Kind::kSymbol:
    case Kind::kKeyword:
      return Sign(a.sym->name().compare(b.sym->name()));
    case Kind::kBool:
      return static_cast<int>(a.b) - static_cast<int>(b.b);
    case Kind::kList:
      if (depth > kMaxCompareDepth) {
        m.Fail("depth",
               fmt::format("lists nested too deeply to compare in '{}'", m.builtin_name()));
      }
      return CompareLists(m, a, b, depth);
    case Kind::kNil:
    case Kind::kOther:
      break;
  }
  return 0;
}

}  // namespace

int Compare(Machine& m, Value a, Value b) { return CompareAt(m, a, b, 0); }

}  // namespace vigy::lisp
